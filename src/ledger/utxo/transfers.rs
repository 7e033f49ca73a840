//! An address-level view of a UTXO ledger as account-style transfers, so
//! the graph, path and inspection tools of the crate run on Bitcoin.
//!
//! A Bitcoin transaction does not say which input paid which output. This
//! view splits every output over the transaction's input addresses in
//! proportion to what each address put in (largest-remainder rounding, so
//! the parts add up to the output exactly), and the fee likewise to the fee
//! sink. Coinbase outputs come from the mint sink. Taint tracing on Bitcoin
//! should use [`trace`](super::trace()), which works on outputs; this view is
//! for graph questions (paths, flows, neighbourhoods).

use super::Txid;
use super::UtxoLedger;
use crate::amount::largest_remainder_split;
use crate::amount::Amount;
use crate::id::{ChainId, UtxoTxId};
use crate::ledger::{Address, Asset, Sink, TransferKind, TransferRecord};

/// The pseudo-address that stands for value a transaction spends from
/// inputs the ledger could not resolve: `unresolved:<txid>`.
#[must_use]
pub fn unresolved_address(txid: &Txid) -> Address {
    Address::Text(format!("unresolved:{txid}").into())
}

/// The transfers of the address-level view of `ledger`, for
/// [`crate::LedgerBuilder::push`]. Transaction hashes are the txids in
/// display byte order (so printing them as hex gives the usual txid).
/// Outputs without an address (`OP_RETURN`) are paid to `burn:op_return`.
///
/// # Example
///
/// ```
/// use fundtrace::ingest::bitcoin::{genesis_block, utxo_ledger_from_blocks};
/// use fundtrace::ledger::utxo::transfer_records;
/// use fundtrace::LedgerBuilder;
/// let utxo = utxo_ledger_from_blocks(&[genesis_block()], 0).unwrap();
/// let mut b = LedgerBuilder::new();
/// let chain = b.chain("bitcoin", "BTC");
/// for r in transfer_records(&utxo, chain) {
///     b.push(r).unwrap();
/// }
/// let ledger = b.build().unwrap();
/// assert_eq!(ledger.transfer_count(), 1);
/// ```
#[must_use]
pub fn transfer_records(ledger: &UtxoLedger, chain: ChainId) -> Vec<TransferRecord> {
    let mut out = Vec::new();
    for t in 0..ledger.tx_count() {
        let tx = UtxoTxId::from_usize(t);
        let info = ledger.tx(tx);
        let record = |from: Address, to: Address, amount: Amount, kind, sub_index| TransferRecord {
            chain,
            tx_hash: info.txid.to_display_bytes(),
            block: info.height,
            time: info.time,
            tx_position: info.position,
            kind,
            sub_index,
            from,
            to,
            asset: Asset::Native,
            amount,
        };
        // input addresses with what each put in, in order of first appearance
        let mut senders: Vec<(Address, Amount)> = Vec::new();
        if info.coinbase {
            senders.push((Address::Sink(Sink::Mint), ledger.output_value_of(tx)));
        } else {
            for input in ledger.inputs_of(tx) {
                let Some(value) = ledger.input_value(input) else {
                    continue;
                };
                let from = match ledger.input_address(input) {
                    Some(a) => Address::Text(ledger.address(a).into()),
                    None => unresolved_address(&info.txid),
                };
                match senders.iter_mut().find(|(a, _)| *a == from) {
                    Some((_, v)) => *v += Amount::from(value),
                    None => senders.push((from, Amount::from(value))),
                }
            }
            let known: Amount = senders.iter().map(|s| s.1).sum();
            let deficit = ledger.output_value_of(tx).saturating_sub(known);
            if deficit > 0 {
                senders.push((unresolved_address(&info.txid), deficit));
            }
        }
        let weights: Vec<Amount> = senders.iter().map(|s| s.1).collect();
        for o in ledger.outputs_of(tx) {
            let o = ledger.output(o);
            let to = match o.address {
                Some(a) => Address::Text(ledger.address(a).into()),
                None => Address::Text("burn:op_return".into()),
            };
            let shares = largest_remainder_split(&weights, Amount::from(o.value));
            for ((from, _), share) in senders.iter().zip(shares) {
                if share > 0 {
                    out.push(record(
                        from.clone(),
                        to.clone(),
                        share,
                        TransferKind::Native,
                        o.vout,
                    ));
                }
            }
        }
        if !info.coinbase {
            let total_in: Amount = weights.iter().sum();
            let fee = total_in.saturating_sub(ledger.output_value_of(tx));
            if fee > 0 {
                let shares = largest_remainder_split(&weights, fee);
                for ((from, _), share) in senders.iter().zip(shares) {
                    if share > 0 {
                        out.push(record(
                            from.clone(),
                            Address::Sink(Sink::Fees),
                            share,
                            TransferKind::Fee,
                            0,
                        ));
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::utxo::BlockHash;
    use crate::ledger::utxo::OutPoint;
    use crate::ledger::utxo::ScriptType;
    use crate::ledger::utxo::{InputRecord, OutputRecord, TxRecord};
    use crate::LedgerBuilder;

    #[test]
    fn outputs_and_fee_are_split_exactly_over_input_addresses() {
        let out = |v: u64, a: &str| OutputRecord {
            value: v,
            address: Some(a.into()),
            script_type: ScriptType::P2pkh,
        };
        let input = |t: u8, v: u32| InputRecord {
            prevout: OutPoint {
                txid: Txid([t; 32]),
                vout: v,
            },
            value: None,
            address: None,
            script_address: None,
        };
        let l = UtxoLedger::from_records(vec![
            TxRecord {
                txid: Txid([1; 32]),
                block_hash: BlockHash([1; 32]),
                height: 1,
                position: 0,
                time: 10,
                coinbase: true,
                inputs: vec![],
                outputs: vec![out(10, "a"), out(20, "b")],
            },
            TxRecord {
                txid: Txid([2; 32]),
                block_hash: BlockHash([2; 32]),
                height: 2,
                position: 1,
                time: 20,
                coinbase: false,
                inputs: vec![input(1, 0), input(1, 1)],
                outputs: vec![out(7, "c"), out(20, "d")],
            },
        ]);
        let mut b = LedgerBuilder::new();
        let chain = b.chain("bitcoin", "BTC");
        let recs = transfer_records(&l, chain);
        // coinbase: 2 transfers; tx 2: each output split over a and b, fee 3 split
        let amounts = |to: &str| -> Vec<Amount> {
            recs.iter()
                .filter(|r| r.to.to_string() == to)
                .map(|r| r.amount)
                .collect()
        };
        assert_eq!(amounts("c").iter().sum::<Amount>(), 7);
        assert_eq!(amounts("d"), vec![7, 13]);
        assert_eq!(amounts("sink:fees").iter().sum::<Amount>(), 3);
        for r in recs {
            b.push(r).unwrap();
        }
        let ledger = b.build().unwrap();
        assert_eq!(ledger.tx_count(), 2);
    }
}
