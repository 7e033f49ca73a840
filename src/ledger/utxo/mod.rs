//! The UTXO ledger: transactions in event order with every input resolved
//! to the output it spends (value, address), fees, and the inputs that
//! could not be resolved; and the chain's own values: transaction and
//! block hashes ([`Txid`], [`BlockHash`]), [`OutPoint`]s, addresses derived
//! from output scripts ([`script_address`]), and the address-level view of
//! the ledger as account-style transfers ([`transfer_records`]).
//!
//! The UTXO ledger has its own id types ([`UtxoTxId`], [`UtxoAddressId`],
//! [`OutputId`]) so its ids cannot be mixed up with the account
//! [`crate::Ledger`]'s. Input formats build it from [`TxRecord`]s
//! (`crate::ingest::bitcoin`).

mod hash;
mod outpoint;
mod script;
mod spend;
mod transfers;

pub use hash::{
    genesis_hash, sha256d, BlockHash, HashParseError, MerkleRoot, Txid, Wtxid, GENESIS_HASH,
};
pub use outpoint::{OutPoint, OutPointParseError};
pub use script::{hash160, script_address, script_type, Network, ScriptType};
pub use spend::{spending_address, AddressOrigin};
pub use transfers::{transfer_records, unresolved_address};

use foldhash::{HashMap as FastMap, HashSet as FastSet};
use serde::{Deserialize, Serialize};

use crate::amount::Amount;
pub use crate::id::{OutputId, UtxoAddressId, UtxoTxId};

/// One output as an input format gives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputRecord {
    /// Value in satoshi.
    pub value: u64,
    /// Address derived from the script; `None` for `OP_RETURN` (unspendable).
    pub address: Option<String>,
    /// The script's standard type.
    pub script_type: ScriptType,
}

impl OutputRecord {
    /// Derives the record of an output from its script.
    #[must_use]
    pub fn from_script(value: u64, script: &[u8], network: Network) -> Self {
        OutputRecord {
            value,
            address: script_address(script, network),
            script_type: script_type(script),
        }
    }
}

/// One input as an input format gives it: the outpoint it spends and, when
/// the format carries them (an enriched export), the spent value and address;
/// and the address its own spending script shows, when standard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputRecord {
    /// The output spent.
    pub prevout: OutPoint,
    /// The spent value, when the source states it.
    pub value: Option<u64>,
    /// The spent output's address, when the source states it.
    pub address: Option<String>,
    /// The address read from the input's `scriptSig`/witness
    /// ([`spending_address`]), when they are in a standard form. Used only
    /// when the spent output is neither in the ledger nor stated; where it
    /// is, the two are compared and a difference is a ledger warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script_address: Option<String>,
}

/// One transaction as an input format gives it, before resolution.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxRecord {
    /// Transaction id.
    pub txid: Txid,
    /// Hash of the block holding it.
    pub block_hash: BlockHash,
    /// Block height.
    pub height: u64,
    /// Position in the block (0 = coinbase).
    pub position: u32,
    /// Block time (unix seconds).
    pub time: u64,
    /// Whether it is the coinbase.
    pub coinbase: bool,
    /// Inputs in order (empty for a coinbase).
    pub inputs: Vec<InputRecord>,
    /// Outputs in order.
    pub outputs: Vec<OutputRecord>,
}

/// Where the value of an input comes from.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputSource {
    /// An output of this ledger.
    Output(OutputId),
    /// Outside the ledger, with value and address stated by the input data.
    External {
        /// Spent value.
        value: u64,
        /// Spent address, if stated.
        address: Option<UtxoAddressId>,
    },
    /// Unknown: the spent output is neither in the ledger nor stated.
    Unresolved,
}

/// Why an input could not be resolved to an output of the ledger.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnresolvedReason {
    /// The spent transaction is not in the ledger (or has no such output).
    NotInLedger,
    /// The output was already spent earlier in the ledger.
    AlreadySpent,
    /// The output is unspendable (`OP_RETURN`, or the genesis coinbase).
    Unspendable,
}

/// An input the ledger could not resolve; reported, never invented.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnresolvedInput {
    /// The spending transaction.
    pub tx: UtxoTxId,
    /// Input position in it.
    pub vin: u32,
    /// The outpoint it names.
    pub prevout: OutPoint,
    /// Why it was not resolved.
    pub reason: UnresolvedReason,
    /// Whether the input data stated its value (then it is `External`).
    pub value_stated: bool,
}

/// Per-transaction data of a [`UtxoLedger`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxInfo {
    /// Transaction id.
    pub txid: Txid,
    /// Block hash.
    pub block_hash: BlockHash,
    /// Block height.
    pub height: u64,
    /// Position in the block.
    pub position: u32,
    /// Block time.
    pub time: u64,
    /// Whether it is a coinbase (no inputs).
    pub coinbase: bool,
    /// Inputs `[first_input, next tx's first_input)`.
    first_input: u32,
    /// Outputs `[first_output, next tx's first_output)`.
    first_output: u32,
}

/// Per-output data of a [`UtxoLedger`].
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct OutputInfo {
    /// The creating transaction.
    pub tx: UtxoTxId,
    /// Output index in it.
    pub vout: u32,
    /// Value in satoshi.
    pub value: u64,
    /// Address; `None` for unspendable data outputs.
    pub address: Option<UtxoAddressId>,
    /// The transaction that spends it, if in the ledger.
    pub spent_by: Option<UtxoTxId>,
}

/// An input of a [`UtxoLedger`] transaction.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct InputInfo {
    /// The outpoint spent.
    pub prevout: OutPoint,
    /// Where its value comes from.
    pub source: InputSource,
}

/// A UTXO ledger: transactions in the total event order (block height,
/// position in block), with inputs resolved to outputs, interned addresses,
/// fees and unresolved inputs.
///
/// Ids are deterministic: transactions are numbered in event order,
/// outputs in (transaction, vout) order, and addresses in order of first
/// appearance in that walk, so the same transactions give the same ids in
/// whatever order the records arrive.
///
/// Duplicate txids (the two BIP30 coinbases of mainnet) are kept as
/// separate transactions; an outpoint resolves to the latest one, as in
/// consensus. The genesis coinbase output is unspendable, as in consensus.
#[derive(Clone, Debug, Default)]
pub struct UtxoLedger {
    txs: Vec<TxInfo>,
    inputs: Vec<InputInfo>,
    outputs: Vec<OutputInfo>,
    addresses: Vec<Box<str>>,
    address_index: std::collections::HashMap<Box<str>, UtxoAddressId>,
    txid_index: FastMap<Txid, UtxoTxId>,
    unresolved: Vec<UnresolvedInput>,
    warnings: Vec<String>,
    /// Addresses read from input scripts, for inputs whose spent output's
    /// address is not known: (input index, address), by input index.
    script_addresses: Vec<(u32, UtxoAddressId)>,
}

fn id_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl UtxoLedger {
    /// Builds the ledger from transaction records in any order; they are
    /// sorted into event order and exact duplicates dropped.
    #[must_use]
    pub fn from_records(mut records: Vec<TxRecord>) -> Self {
        records.sort_by_key(|r| (r.height, r.position, r.txid));
        records.dedup();
        let mut l = UtxoLedger::default();
        let n_in: usize = records.iter().map(|r| r.inputs.len()).sum();
        let n_out: usize = records.iter().map(|r| r.outputs.len()).sum();
        l.txs.reserve_exact(records.len());
        l.inputs.reserve_exact(n_in);
        l.outputs.reserve_exact(n_out);
        l.txid_index.reserve(records.len());
        let mut utxo: FastMap<OutPoint, OutputId> = FastMap::default();
        utxo.reserve(n_out.saturating_sub(n_in).max(n_out / 4));
        let mut spent: FastSet<OutPoint> = FastSet::default();
        spent.reserve(n_in);
        let genesis = genesis_hash();
        for rec in records {
            let tx = UtxoTxId::from_usize(l.txs.len());
            let first_input = id_u32(l.inputs.len());
            let first_output = id_u32(l.outputs.len());
            for (vin, input) in rec.inputs.iter().enumerate() {
                let index = id_u32(l.inputs.len());
                let source = match utxo.remove(&input.prevout) {
                    Some(o) => {
                        l.outputs[o.index()].spent_by = Some(tx);
                        spent.insert(input.prevout);
                        if let Some(a) = l.outputs[o.index()].address {
                            l.check_script_address(&rec.txid, vin, input, a);
                        }
                        if let Some(v) = input.value {
                            if v != l.outputs[o.index()].value {
                                l.warnings.push(format!(
                                    "input {}:{vin} states value {v} but {} holds {}",
                                    rec.txid,
                                    input.prevout,
                                    l.outputs[o.index()].value
                                ));
                            }
                        }
                        InputSource::Output(o)
                    }
                    None => {
                        let reason = if spent.contains(&input.prevout) {
                            UnresolvedReason::AlreadySpent
                        } else if l.is_unspendable(&input.prevout) {
                            UnresolvedReason::Unspendable
                        } else {
                            UnresolvedReason::NotInLedger
                        };
                        l.unresolved.push(UnresolvedInput {
                            tx,
                            vin: id_u32(vin),
                            prevout: input.prevout,
                            reason,
                            value_stated: input.value.is_some(),
                        });
                        let stated = input.address.as_deref().map(|a| l.intern(a));
                        match stated {
                            Some(a) => l.check_script_address(&rec.txid, vin, input, a),
                            None => {
                                if let Some(a) = input.script_address.as_deref() {
                                    let a = l.intern(a);
                                    l.script_addresses.push((index, a));
                                }
                            }
                        }
                        match input.value {
                            Some(value) => InputSource::External {
                                value,
                                address: stated,
                            },
                            None => InputSource::Unresolved,
                        }
                    }
                };
                l.inputs.push(InputInfo {
                    prevout: input.prevout,
                    source,
                });
            }
            let is_genesis = rec.coinbase && rec.block_hash == genesis;
            for (vout, o) in rec.outputs.iter().enumerate() {
                let id = OutputId(id_u32(l.outputs.len()));
                let address = o.address.as_deref().map(|a| l.intern(a));
                l.outputs.push(OutputInfo {
                    tx,
                    vout: id_u32(vout),
                    value: o.value,
                    address,
                    spent_by: None,
                });
                if address.is_some() && !is_genesis {
                    let op = OutPoint {
                        txid: rec.txid,
                        vout: id_u32(vout),
                    };
                    // BIP30 duplicates: the later output replaces the earlier.
                    utxo.insert(op, id);
                    spent.remove(&op);
                }
            }
            l.txid_index.insert(rec.txid, tx);
            l.txs.push(TxInfo {
                txid: rec.txid,
                block_hash: rec.block_hash,
                height: rec.height,
                position: rec.position,
                time: rec.time,
                coinbase: rec.coinbase,
                first_input,
                first_output,
            });
        }
        l
    }

    /// Records a warning when the address read from an input's script
    /// differs from the spent output's address `spent`.
    fn check_script_address(
        &mut self,
        txid: &Txid,
        vin: usize,
        input: &InputRecord,
        spent: UtxoAddressId,
    ) {
        if let Some(shown) = input.script_address.as_deref() {
            if shown != self.address(spent) {
                self.warnings.push(format!(
                    "input {txid}:{vin} spends {} of {} but its script shows {shown}",
                    input.prevout,
                    self.address(spent)
                ));
            }
        }
    }

    fn is_unspendable(&self, op: &OutPoint) -> bool {
        match self.txid_index.get(&op.txid) {
            Some(&t) => {
                let info = &self.txs[t.index()];
                info.block_hash == genesis_hash()
                    || self
                        .outputs_of(t)
                        .nth(op.vout as usize)
                        .is_some_and(|o| self.outputs[o.index()].address.is_none())
            }
            None => false,
        }
    }

    fn intern(&mut self, a: &str) -> UtxoAddressId {
        if let Some(&id) = self.address_index.get(a) {
            return id;
        }
        let id = UtxoAddressId::from_usize(self.addresses.len());
        self.addresses.push(a.into());
        self.address_index.insert(a.into(), id);
        id
    }

    /// Number of transactions.
    #[must_use]
    pub fn tx_count(&self) -> usize {
        self.txs.len()
    }

    /// Number of outputs.
    #[must_use]
    pub fn output_count(&self) -> usize {
        self.outputs.len()
    }

    /// Number of inputs.
    #[must_use]
    pub fn input_count(&self) -> usize {
        self.inputs.len()
    }

    /// Number of distinct addresses.
    #[must_use]
    pub fn address_count(&self) -> usize {
        self.addresses.len()
    }

    /// A transaction's data.
    #[must_use]
    pub fn tx(&self, tx: UtxoTxId) -> &TxInfo {
        &self.txs[tx.index()]
    }

    /// The lowest block height whose transactions are at or after unix
    /// time `t` (`u64::MAX` when none is): where an `ADDR@TIME` seed starts.
    #[must_use]
    pub fn first_height_from(&self, t: u64) -> u64 {
        self.txs
            .iter()
            .filter(|tx| tx.time >= t)
            .map(|tx| tx.height)
            .min()
            .unwrap_or(u64::MAX)
    }

    /// The highest block height whose transactions are at or before unix
    /// time `t` (0 when none is): where an `until` time ends a trace.
    #[must_use]
    pub fn last_height_until(&self, t: u64) -> u64 {
        self.txs
            .iter()
            .filter(|tx| tx.time <= t)
            .map(|tx| tx.height)
            .max()
            .unwrap_or(0)
    }

    /// All transactions in event order.
    #[must_use]
    pub fn txs(&self) -> &[TxInfo] {
        &self.txs
    }

    /// The transaction with this txid (the latest, for BIP30 duplicates).
    #[must_use]
    pub fn tx_by_txid(&self, txid: &Txid) -> Option<UtxoTxId> {
        self.txid_index.get(txid).copied()
    }

    /// The inputs of a transaction.
    #[must_use]
    pub fn inputs_of(&self, tx: UtxoTxId) -> &[InputInfo] {
        let start = self.txs[tx.index()].first_input as usize;
        let end = self
            .txs
            .get(tx.index() + 1)
            .map_or(self.inputs.len(), |t| t.first_input as usize);
        &self.inputs[start..end]
    }

    /// The output ids of a transaction.
    #[must_use]
    pub fn outputs_of(&self, tx: UtxoTxId) -> impl ExactSizeIterator<Item = OutputId> + Clone {
        let start = self.txs[tx.index()].first_output;
        let end = self
            .txs
            .get(tx.index() + 1)
            .map_or(id_u32(self.outputs.len()), |t| t.first_output);
        (start..end).map(OutputId)
    }

    /// An output's data.
    #[must_use]
    pub fn output(&self, o: OutputId) -> &OutputInfo {
        &self.outputs[o.index()]
    }

    /// The output an outpoint names, if it is in the ledger.
    #[must_use]
    pub fn outpoint(&self, op: &OutPoint) -> Option<OutputId> {
        let tx = self.tx_by_txid(&op.txid)?;
        self.outputs_of(tx).nth(op.vout as usize)
    }

    /// An interned address.
    #[must_use]
    pub fn address(&self, id: UtxoAddressId) -> &str {
        &self.addresses[id.index()]
    }

    /// The id of an address, if it occurs.
    #[must_use]
    pub fn address_id(&self, address: &str) -> Option<UtxoAddressId> {
        self.address_index.get(address).copied()
    }

    /// The value an input spends, if known.
    #[must_use]
    pub fn input_value(&self, input: &InputInfo) -> Option<u64> {
        match input.source {
            InputSource::Output(o) => Some(self.outputs[o.index()].value),
            InputSource::External { value, .. } => Some(value),
            InputSource::Unresolved => None,
        }
    }

    /// The address an input spends from, if known.
    #[must_use]
    pub fn input_address(&self, input: &InputInfo) -> Option<UtxoAddressId> {
        match input.source {
            InputSource::Output(o) => self.outputs[o.index()].address,
            InputSource::External { address, .. } => address,
            InputSource::Unresolved => None,
        }
    }

    /// The address input `vin` of `tx` spends from, with where it was
    /// read: the spent output (in the ledger or stated by the input data)
    /// or, when that is unknown, the input's own script
    /// ([`spending_address`]); `None` when neither shows it.
    #[must_use]
    pub fn input_address_with_origin(
        &self,
        tx: UtxoTxId,
        vin: usize,
    ) -> Option<(UtxoAddressId, AddressOrigin)> {
        let input = self.inputs_of(tx).get(vin)?;
        if let Some(a) = self.input_address(input) {
            return Some((a, AddressOrigin::SpentOutput));
        }
        let index = self.txs[tx.index()].first_input as usize + vin;
        let index = id_u32(index);
        self.script_addresses
            .binary_search_by_key(&index, |&(i, _)| i)
            .ok()
            .map(|k| (self.script_addresses[k].1, AddressOrigin::InputScript))
    }

    /// [`UtxoLedger::input_address_with_origin`] for every input of `tx`, in order.
    pub fn input_addresses(
        &self,
        tx: UtxoTxId,
    ) -> impl Iterator<Item = Option<(UtxoAddressId, AddressOrigin)>> + '_ {
        (0..self.inputs_of(tx).len()).map(move |vin| self.input_address_with_origin(tx, vin))
    }

    /// Number of inputs whose address was read from their own scripts
    /// because the spent output's address is not known.
    #[must_use]
    pub fn script_address_count(&self) -> usize {
        self.script_addresses.len()
    }

    /// Sum of the input values, if every input is known (0 for a coinbase).
    #[must_use]
    pub fn input_value_of(&self, tx: UtxoTxId) -> Option<Amount> {
        self.inputs_of(tx)
            .iter()
            .map(|i| self.input_value(i).map(Amount::from))
            .sum()
    }

    /// Sum of the output values.
    #[must_use]
    pub fn output_value_of(&self, tx: UtxoTxId) -> Amount {
        self.outputs_of(tx)
            .map(|o| Amount::from(self.outputs[o.index()].value))
            .sum()
    }

    /// The fee (inputs − outputs): `None` for a coinbase, when an input is
    /// unresolved, or when the outputs exceed the inputs.
    #[must_use]
    pub fn fee(&self, tx: UtxoTxId) -> Option<Amount> {
        if self.txs[tx.index()].coinbase {
            return None;
        }
        self.input_value_of(tx)?
            .checked_sub(self.output_value_of(tx))
    }

    /// Inputs that could not be resolved to outputs of the ledger.
    #[must_use]
    pub fn unresolved(&self) -> &[UnresolvedInput] {
        &self.unresolved
    }

    /// Disagreements found while building (stated values that differ from
    /// the ledger's outputs).
    #[must_use]
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}

/// A transaction record for unit tests: txid `[txid; 32]`, block hash
/// `[height; 32]`, inputs as `(txid byte, vout)`, outputs as `(value, P2PKH address)`.
#[cfg(test)]
pub(crate) fn test_record(
    txid: u8,
    height: u64,
    position: u32,
    time: u64,
    inputs: &[(u8, u32)],
    outs: &[(u64, &str)],
) -> TxRecord {
    TxRecord {
        txid: Txid([txid; 32]),
        block_hash: BlockHash([height as u8; 32]),
        height,
        position,
        time,
        coinbase: inputs.is_empty(),
        inputs: inputs
            .iter()
            .map(|&(t, v)| InputRecord {
                prevout: OutPoint {
                    txid: Txid([t; 32]),
                    vout: v,
                },
                value: None,
                address: None,
                script_address: None,
            })
            .collect(),
        outputs: outs
            .iter()
            .map(|&(v, a)| OutputRecord {
                value: v,
                address: Some(a.to_string()),
                script_type: ScriptType::P2pkh,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(
        txid: u8,
        height: u64,
        pos: u32,
        inputs: &[(u8, u32)],
        outs: &[(u64, &str)],
    ) -> TxRecord {
        test_record(txid, height, pos, height * 600, inputs, outs)
    }

    #[test]
    fn duplicate_txids_resolve_to_the_latest_and_op_return_is_unspendable() {
        // BIP30: a coinbase txid repeated at a later height replaces the
        // earlier outputs, which can no longer be spent
        let mut dup = rec(1, 2, 0, &[], &[(50, "b")]);
        dup.block_hash = BlockHash([9; 32]);
        let mut burn = rec(3, 3, 1, &[], &[(0, "x")]);
        burn.coinbase = false;
        burn.outputs[0].address = None; // OP_RETURN
        burn.inputs = vec![];
        let l = UtxoLedger::from_records(vec![
            rec(1, 1, 0, &[], &[(50, "a")]),
            dup,
            burn,
            rec(4, 4, 1, &[(1, 0), (3, 0)], &[(50, "c")]),
        ]);
        let t = l.tx_by_txid(&Txid([1; 32])).unwrap();
        assert_eq!(l.tx(t).height, 2);
        let spend = l.tx_by_txid(&Txid([4; 32])).unwrap();
        let ins = l.inputs_of(spend);
        match ins[0].source {
            InputSource::Output(o) => assert_eq!(l.address(l.output(o).address.unwrap()), "b"),
            other => panic!("{other:?}"),
        }
        assert_eq!(l.unresolved().len(), 1);
        assert_eq!(l.unresolved()[0].reason, UnresolvedReason::Unspendable);
    }

    #[test]
    fn script_addresses_place_unknown_inputs_and_are_checked_against_known_ones() {
        // tx 2 spends a's output (known), an unknown output whose script
        // shows "k", and an unknown output whose script shows nothing;
        // tx 3 spends b's output but its script shows "z"
        let mut spend = rec(2, 2, 1, &[(1, 0), (8, 0), (9, 0)], &[(70, "b")]);
        spend.inputs[0].script_address = Some("a".into());
        spend.inputs[1].script_address = Some("k".into());
        let mut wrong = rec(3, 3, 1, &[(2, 0)], &[(60, "c")]);
        wrong.inputs[0].script_address = Some("z".into());
        let l = UtxoLedger::from_records(vec![rec(1, 1, 0, &[], &[(50, "a")]), spend, wrong]);
        let t = UtxoTxId(1);
        let name = |x: Option<(UtxoAddressId, AddressOrigin)>| x.map(|(a, o)| (l.address(a), o));
        assert_eq!(
            name(l.input_address_with_origin(t, 0)),
            Some(("a", AddressOrigin::SpentOutput))
        );
        assert_eq!(
            name(l.input_address_with_origin(t, 1)),
            Some(("k", AddressOrigin::InputScript))
        );
        assert_eq!(l.input_address_with_origin(t, 2), None);
        assert_eq!(l.input_addresses(t).count(), 3);
        assert_eq!(l.script_address_count(), 1);
        // the input's value stays unknown
        assert_eq!(l.input_value(&l.inputs_of(t)[1]), None);
        // the spent output's address wins; the difference is a warning
        assert_eq!(
            name(l.input_address_with_origin(UtxoTxId(2), 0)),
            Some(("b", AddressOrigin::SpentOutput))
        );
        assert_eq!(l.warnings().len(), 1);
        assert!(l.warnings()[0].contains("shows z"), "{:?}", l.warnings());
    }

    #[test]
    fn resolves_in_event_order_whatever_the_record_order() {
        let recs = vec![
            rec(3, 2, 1, &[(2, 0), (9, 0)], &[(5, "c")]),
            rec(1, 1, 0, &[], &[(50, "a")]),
            rec(2, 1, 1, &[(1, 0)], &[(30, "b"), (20, "a")]),
            rec(4, 2, 2, &[(2, 0)], &[(1, "d")]),
        ];
        let mut rev = recs.clone();
        rev.reverse();
        let l = UtxoLedger::from_records(recs);
        let l2 = UtxoLedger::from_records(rev);
        assert_eq!(l.txs(), l2.txs());
        assert_eq!(l.address(UtxoAddressId(0)), "a");
        assert_eq!(l.address(UtxoAddressId(1)), "b");
        let t1 = UtxoTxId(1);
        assert_eq!(l.fee(t1), Some(0));
        assert_eq!(l.fee(UtxoTxId(0)), None);
        // tx 3 spends a known output and an unknown one
        assert_eq!(l.fee(UtxoTxId(2)), None);
        assert_eq!(l.unresolved().len(), 2);
        assert_eq!(l.unresolved()[0].reason, UnresolvedReason::NotInLedger);
        assert_eq!(l.unresolved()[1].reason, UnresolvedReason::AlreadySpent);
        assert_eq!(l.output(OutputId(1)).spent_by, Some(UtxoTxId(2)));
    }
}
