//! Peel-chain detection: chains of transactions that each send a small
//! payment away and forward the larger rest to the next hop.

use serde::{Deserialize, Serialize};

use crate::amount::Amount;
use crate::id::UtxoTxId;
use crate::ledger::utxo::Txid;
use crate::ledger::utxo::{InputSource, OutputId, UtxoLedger};

/// Options for [`peel_chains`].
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct PeelOptions {
    /// Shortest chain reported (hops); default 3.
    pub min_length: usize,
}

impl Default for PeelOptions {
    fn default() -> Self {
        PeelOptions { min_length: 3 }
    }
}

/// A detected peel chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeelChain {
    /// The hops in order.
    pub txs: Vec<UtxoTxId>,
    /// Their txids (evidence).
    pub txids: Vec<Txid>,
    /// Number of hops.
    pub length: usize,
    /// Sum of the peeled (smaller) outputs.
    pub total_peeled: Amount,
    /// The peeled outputs, one per hop.
    pub peels: Vec<OutputId>,
    /// Value entering the first hop.
    pub start_value: Amount,
    /// The rest output of the last hop.
    pub rest: OutputId,
}

/// A hop: one input, two outputs with addresses, the smaller one strictly
/// smaller. Returns (peel, rest).
fn hop(ledger: &UtxoLedger, tx: UtxoTxId) -> Option<(OutputId, OutputId)> {
    if ledger.tx(tx).coinbase || ledger.inputs_of(tx).len() != 1 {
        return None;
    }
    let mut outs = ledger.outputs_of(tx);
    if outs.len() != 2 {
        return None;
    }
    let (a, b) = (outs.next()?, outs.next()?);
    let (oa, ob) = (ledger.output(a), ledger.output(b));
    oa.address?;
    ob.address?;
    match oa.value.cmp(&ob.value) {
        std::cmp::Ordering::Less => Some((a, b)),
        std::cmp::Ordering::Greater => Some((b, a)),
        std::cmp::Ordering::Equal => None,
    }
}

/// Finds every maximal peel chain of at least `min_length` hops, in the
/// event order of their first hop. A hop is a transaction with exactly one
/// input and two outputs, one strictly smaller (the peel) than the other
/// (the rest); the next hop is the transaction that spends the rest.
///
/// # Complexity
///
/// Linear in the ledger: every transaction is examined once as a potential
/// start and at most once as a continuation.
#[must_use]
pub fn peel_chains(ledger: &UtxoLedger, options: PeelOptions) -> Vec<PeelChain> {
    let mut chains = Vec::new();
    for t in 0..ledger.tx_count() {
        let tx = UtxoTxId::from_usize(t);
        let Some(first) = hop(ledger, tx) else {
            continue;
        };
        // not a start if its input is the rest of a previous hop
        let input = &ledger.inputs_of(tx)[0];
        if let InputSource::Output(o) = input.source {
            let parent = ledger.output(o).tx;
            if hop(ledger, parent).is_some_and(|(_, rest)| rest == o) {
                continue;
            }
        }
        let start_value = ledger.input_value(input).map_or(0, Amount::from);
        let mut txs = vec![tx];
        let mut peels = vec![first.0];
        let mut rest = first.1;
        while let Some(next) = ledger.output(rest).spent_by {
            match hop(ledger, next) {
                Some((p, r)) => {
                    txs.push(next);
                    peels.push(p);
                    rest = r;
                }
                None => break,
            }
        }
        if txs.len() >= options.min_length {
            chains.push(PeelChain {
                txids: txs.iter().map(|&t| ledger.tx(t).txid).collect(),
                length: txs.len(),
                total_peeled: peels
                    .iter()
                    .map(|&p| Amount::from(ledger.output(p).value))
                    .sum(),
                txs,
                peels,
                start_value,
                rest,
            });
        }
    }
    chains
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::utxo::TxRecord;

    fn rec(id: u8, inputs: &[(u8, u32)], outs: &[(u64, &str)]) -> TxRecord {
        crate::ledger::utxo::test_record(id, u64::from(id), 0, 0, inputs, outs)
    }

    #[test]
    fn finds_a_chain_with_its_length_and_total() {
        let l = UtxoLedger::from_records(vec![
            rec(1, &[], &[(1000, "thief")]),
            rec(2, &[(1, 0)], &[(30, "p1"), (960, "r1")]),
            rec(3, &[(2, 1)], &[(900, "r2"), (50, "p2")]), // rest first
            rec(4, &[(3, 0)], &[(20, "p3"), (870, "r3")]),
            rec(5, &[(4, 1)], &[(10, "p4"), (850, "r4")]),
            // r4 consolidated with another coin: the chain ends
            rec(6, &[], &[(5, "other")]),
            rec(7, &[(5, 1), (6, 0)], &[(100, "x"), (750, "y")]),
        ]);
        let chains = peel_chains(&l, PeelOptions::default());
        assert_eq!(chains.len(), 1);
        let c = &chains[0];
        assert_eq!(c.length, 4);
        assert_eq!(c.total_peeled, 30 + 50 + 20 + 10);
        assert_eq!(c.start_value, 1000);
        assert_eq!(c.txids[0], Txid([2; 32]));
        assert_eq!(l.output(c.rest).value, 850);
    }

    #[test]
    fn short_chains_and_even_splits_do_not_fire() {
        let l = UtxoLedger::from_records(vec![
            rec(1, &[], &[(1000, "a")]),
            rec(2, &[(1, 0)], &[(30, "p1"), (960, "r1")]),
            rec(3, &[(2, 1)], &[(50, "p2"), (900, "r2")]),
            // an even split is not a peel
            rec(4, &[(3, 1)], &[(450, "s1"), (450, "s2")]),
            // three outputs is not a hop
            rec(5, &[(4, 0)], &[(100, "t1"), (100, "t2"), (200, "t3")]),
        ]);
        assert!(peel_chains(&l, PeelOptions::default()).is_empty());
        let two = peel_chains(&l, PeelOptions { min_length: 2 });
        assert_eq!(two.len(), 1);
        assert_eq!(two[0].length, 2);
    }
}
