//! The UTXO ledger: transactions in event order with every input resolved
//! to the output it spends (value, address), fees, and the inputs that
//! could not be resolved.

use std::collections::HashMap;

use super::fasthash::{FastMap, FastSet};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::block::{genesis_hash, Block};
use super::hash::{BlockHash, Txid};
use super::script::{script_address, script_type, Network, ScriptType};
use super::tx::OutPoint;
use crate::amount::Amount;
use crate::id::{AddressId, TxIndex};

/// An output of a [`UtxoLedger`], numbered in event order (transaction
/// order, then output index).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OutputId(pub u32);

impl OutputId {
    /// The id as a slice index.
    #[must_use]
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

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
/// the format carries them (an enriched export), the spent value and address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputRecord {
    /// The output spent.
    pub prevout: OutPoint,
    /// The spent value, when the source states it.
    pub value: Option<u64>,
    /// The spent output's address, when the source states it.
    pub address: Option<String>,
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

/// The transaction records of one decoded block at `height`.
#[must_use]
pub fn block_records(block: &Block, height: u64, network: Network) -> Vec<TxRecord> {
    let block_hash = block.block_hash();
    block
        .transactions()
        .iter()
        .zip(block.txids())
        .enumerate()
        .map(|(pos, (tx, txid))| {
            let coinbase = tx.is_coinbase();
            TxRecord {
                txid: *txid,
                block_hash,
                height,
                position: u32::try_from(pos).unwrap_or(u32::MAX),
                time: u64::from(block.header.time),
                coinbase,
                inputs: if coinbase {
                    Vec::new()
                } else {
                    tx.inputs
                        .iter()
                        .map(|i| InputRecord {
                            prevout: i.previous_output,
                            value: None,
                            address: None,
                        })
                        .collect()
                },
                outputs: tx
                    .outputs
                    .iter()
                    .map(|o| OutputRecord::from_script(o.value, &o.script_pubkey, network))
                    .collect(),
            }
        })
        .collect()
}

/// Blocks that do not form one chain.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ChainError {
    /// Block `index` does not build on block `index - 1`.
    #[error("block {index} ({hash}) has previous hash {prev}, expected {expected}")]
    Broken {
        /// Position in the list.
        index: usize,
        /// Its hash.
        hash: String,
        /// Its previous-block field.
        prev: String,
        /// The hash of the block before it in the list.
        expected: String,
    },
    /// The blocks do not descend from one first block: there is a gap.
    #[error("blocks form {roots} separate chains (first blocks {first} and {second}); a block is missing between them")]
    Gap {
        /// Number of blocks whose parent is missing.
        roots: usize,
        /// One of them.
        first: String,
        /// Another.
        second: String,
    },
    /// No blocks.
    #[error("no blocks")]
    Empty,
    /// The height of the first block is not in the data and was not given.
    #[error("the height of block {hash} is unknown: it is not the genesis block, its parent is not genesis and its coinbase has no BIP34 height; give the start height")]
    UnknownHeight {
        /// The first block's hash.
        hash: String,
    },
}

/// What [`ledger_from_blocks`] found about the blocks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainSummary {
    /// Height of the first block.
    pub first_height: u64,
    /// Blocks in the chain used.
    pub blocks: usize,
    /// Hash of the last block.
    pub tip: BlockHash,
    /// Blocks left out as stale (side branches).
    pub stale: Vec<BlockHash>,
}

/// Builds a ledger from blocks in any order (as block files hold them):
/// puts them in chain order ([`order_chain`]), takes the first height from
/// `start_height` or else from the data ([`start_height`]), and resolves
/// every input.
///
/// # Errors
///
/// [`ChainError`] when the blocks have a gap, are empty, or their height is
/// unknown.
///
/// # Example
///
/// ```
/// use fundtrace::btc::{genesis_block, ledger_from_blocks};
/// let (ledger, summary) = ledger_from_blocks(vec![genesis_block()], None).unwrap();
/// assert_eq!((summary.first_height, ledger.tx_count()), (0, 1));
/// ```
pub fn ledger_from_blocks(
    blocks: Vec<Block>,
    start: Option<u64>,
) -> Result<(UtxoLedger, ChainSummary), ChainError> {
    let chain = order_chain(blocks)?;
    let first = chain.blocks.first().ok_or(ChainError::Empty)?;
    let first_height = match start.or_else(|| start_height(&chain.blocks)) {
        Some(h) => h,
        None => {
            return Err(ChainError::UnknownHeight {
                hash: first.block_hash().to_string(),
            })
        }
    };
    let tip = chain
        .blocks
        .last()
        .map(Block::block_hash)
        .unwrap_or_default();
    let ledger = UtxoLedger::from_blocks(&chain.blocks, first_height)?;
    Ok((
        ledger,
        ChainSummary {
            first_height,
            blocks: chain.blocks.len(),
            tip,
            stale: chain.stale,
        },
    ))
}

/// Blocks put in chain order by [`order_chain`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderedChain {
    /// The blocks of the longest chain, first to last.
    pub blocks: Vec<Block>,
    /// Blocks on side branches (stale blocks), left out, by hash.
    pub stale: Vec<BlockHash>,
}

/// Orders blocks into one chain by their previous-block links, as block
/// files need (nodes write blocks in the order they arrive, not by height).
/// Duplicates are dropped. Where the blocks fork, the longest branch is kept
/// (ties: the branch whose next block hash is smaller) and the others are
/// reported as stale.
///
/// # Errors
///
/// [`ChainError::Gap`] when the blocks descend from more than one first
/// block, [`ChainError::Empty`] for no blocks.
pub fn order_chain(blocks: Vec<Block>) -> Result<OrderedChain, ChainError> {
    let mut by_hash: HashMap<BlockHash, usize> = HashMap::new();
    let mut unique: Vec<Block> = Vec::with_capacity(blocks.len());
    for b in blocks {
        let h = b.block_hash();
        if let std::collections::hash_map::Entry::Vacant(e) = by_hash.entry(h) {
            e.insert(unique.len());
            unique.push(b);
        }
    }
    let n = unique.len();
    let hashes: Vec<BlockHash> = unique.iter().map(Block::block_hash).collect();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut roots = Vec::new();
    for (i, b) in unique.iter().enumerate() {
        match by_hash.get(&b.header.prev_blockhash) {
            Some(&p) => children[p].push(i),
            None => roots.push(i),
        }
    }
    roots.sort_by_key(|&i| hashes[i]);
    match roots.len() {
        0 => return Err(ChainError::Empty),
        1 => {}
        k => {
            return Err(ChainError::Gap {
                roots: k,
                first: hashes[roots[0]].to_string(),
                second: hashes[roots[1]].to_string(),
            })
        }
    }
    // depth of the longest branch below each block, children before parents
    let mut order = Vec::with_capacity(n);
    let mut stack = vec![roots[0]];
    while let Some(i) = stack.pop() {
        order.push(i);
        stack.extend(children[i].iter().copied());
    }
    let mut depth = vec![0usize; n];
    for &i in order.iter().rev() {
        depth[i] = 1 + children[i].iter().map(|&c| depth[c]).max().unwrap_or(0);
    }
    let mut main = vec![false; n];
    let mut chain = Vec::new();
    let mut at = Some(roots[0]);
    while let Some(i) = at {
        main[i] = true;
        chain.push(i);
        at = children[i]
            .iter()
            .copied()
            .max_by(|&a, &b| depth[a].cmp(&depth[b]).then(hashes[b].cmp(&hashes[a])));
    }
    let mut stale: Vec<BlockHash> = (0..n).filter(|&i| !main[i]).map(|i| hashes[i]).collect();
    stale.sort();
    let mut slots: Vec<Option<Block>> = unique.into_iter().map(Some).collect();
    let blocks = chain.iter().filter_map(|&i| slots[i].take()).collect();
    Ok(OrderedChain { blocks, stale })
}

/// The height of the first of `blocks`, when the data says it: 0 for the
/// genesis block, 1 for a block on top of it, else the BIP34 height in the
/// coinbase (blocks since 2013).
#[must_use]
pub fn start_height(blocks: &[Block]) -> Option<u64> {
    let first = blocks.first()?;
    if first.block_hash() == genesis_hash() {
        return Some(0);
    }
    if first.header.prev_blockhash == genesis_hash() {
        return Some(1);
    }
    first.bip34_height()
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
        address: Option<AddressId>,
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
    pub tx: TxIndex,
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
    pub tx: TxIndex,
    /// Output index in it.
    pub vout: u32,
    /// Value in satoshi.
    pub value: u64,
    /// Address; `None` for unspendable data outputs.
    pub address: Option<AddressId>,
    /// The transaction that spends it, if in the ledger.
    pub spent_by: Option<TxIndex>,
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
    address_index: HashMap<Box<str>, AddressId>,
    txid_index: FastMap<Txid, TxIndex>,
    unresolved: Vec<UnresolvedInput>,
    warnings: Vec<String>,
}

fn id_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl UtxoLedger {
    /// Builds the ledger from blocks given in chain order, the first at
    /// height `first_height` (see [`start_height`]).
    ///
    /// # Errors
    ///
    /// [`ChainError`] when a block does not build on the one before it.
    ///
    /// # Example
    ///
    /// ```
    /// use fundtrace::btc::{genesis_block, UtxoLedger};
    /// let ledger = UtxoLedger::from_blocks(&[genesis_block()], 0).unwrap();
    /// assert_eq!(ledger.tx_count(), 1);
    /// let coinbase = fundtrace::TxIndex(0);
    /// let out = ledger.outputs_of(coinbase).next().unwrap();
    /// let addr = ledger.output(out).address.unwrap();
    /// assert_eq!(ledger.address(addr), "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa");
    /// ```
    pub fn from_blocks(blocks: &[Block], first_height: u64) -> Result<Self, ChainError> {
        let mut records = Vec::new();
        let mut prev: Option<BlockHash> = None;
        for (i, b) in blocks.iter().enumerate() {
            let hash = b.block_hash();
            if let Some(p) = prev {
                if b.header.prev_blockhash != p {
                    return Err(ChainError::Broken {
                        index: i,
                        hash: hash.to_string(),
                        prev: b.header.prev_blockhash.to_string(),
                        expected: p.to_string(),
                    });
                }
            }
            prev = Some(hash);
            records.extend(block_records(b, first_height + i as u64, Network::Mainnet));
        }
        Ok(Self::from_records(records))
    }

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
            let tx = TxIndex::from_usize(l.txs.len());
            let first_input = id_u32(l.inputs.len());
            let first_output = id_u32(l.outputs.len());
            for (vin, input) in rec.inputs.iter().enumerate() {
                let source = match utxo.remove(&input.prevout) {
                    Some(o) => {
                        l.outputs[o.index()].spent_by = Some(tx);
                        spent.insert(input.prevout);
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
                        match input.value {
                            Some(value) => InputSource::External {
                                value,
                                address: input.address.as_deref().map(|a| l.intern(a)),
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

    fn intern(&mut self, a: &str) -> AddressId {
        if let Some(&id) = self.address_index.get(a) {
            return id;
        }
        let id = AddressId::from_usize(self.addresses.len());
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
    pub fn tx(&self, tx: TxIndex) -> &TxInfo {
        &self.txs[tx.index()]
    }

    /// All transactions in event order.
    #[must_use]
    pub fn txs(&self) -> &[TxInfo] {
        &self.txs
    }

    /// The transaction with this txid (the latest, for BIP30 duplicates).
    #[must_use]
    pub fn tx_by_txid(&self, txid: &Txid) -> Option<TxIndex> {
        self.txid_index.get(txid).copied()
    }

    /// The inputs of a transaction.
    #[must_use]
    pub fn inputs_of(&self, tx: TxIndex) -> &[InputInfo] {
        let start = self.txs[tx.index()].first_input as usize;
        let end = self
            .txs
            .get(tx.index() + 1)
            .map_or(self.inputs.len(), |t| t.first_input as usize);
        &self.inputs[start..end]
    }

    /// The output ids of a transaction.
    #[must_use]
    pub fn outputs_of(&self, tx: TxIndex) -> impl ExactSizeIterator<Item = OutputId> + Clone {
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
    pub fn address(&self, id: AddressId) -> &str {
        &self.addresses[id.index()]
    }

    /// The id of an address, if it occurs.
    #[must_use]
    pub fn address_id(&self, address: &str) -> Option<AddressId> {
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
    pub fn input_address(&self, input: &InputInfo) -> Option<AddressId> {
        match input.source {
            InputSource::Output(o) => self.outputs[o.index()].address,
            InputSource::External { address, .. } => address,
            InputSource::Unresolved => None,
        }
    }

    /// Sum of the input values, if every input is known (0 for a coinbase).
    #[must_use]
    pub fn input_value_of(&self, tx: TxIndex) -> Option<Amount> {
        self.inputs_of(tx)
            .iter()
            .map(|i| self.input_value(i).map(Amount::from))
            .sum()
    }

    /// Sum of the output values.
    #[must_use]
    pub fn output_value_of(&self, tx: TxIndex) -> Amount {
        self.outputs_of(tx)
            .map(|o| Amount::from(self.outputs[o.index()].value))
            .sum()
    }

    /// The fee (inputs − outputs): `None` for a coinbase, when an input is
    /// unresolved, or when the outputs exceed the inputs.
    #[must_use]
    pub fn fee(&self, tx: TxIndex) -> Option<Amount> {
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
        TxRecord {
            txid: Txid([txid; 32]),
            block_hash: BlockHash([height as u8; 32]),
            height,
            position: pos,
            time: height * 600,
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

    #[test]
    fn order_chain_sorts_and_drops_stale_branches() {
        use crate::btc::block::{genesis_block, BlockHeader};
        use crate::btc::tx::{Transaction, TxIn, TxOut};
        let g = genesis_block();
        let child = |prev: &Block, nonce: u32| {
            let cb = Transaction {
                version: 1,
                inputs: vec![TxIn {
                    previous_output: OutPoint::NULL,
                    script_sig: nonce.to_le_bytes().to_vec(),
                    sequence: u32::MAX,
                    witness: vec![],
                }],
                outputs: vec![TxOut {
                    value: 1,
                    script_pubkey: vec![0x51],
                }],
                lock_time: 0,
            };
            let mut b = Block::new(
                BlockHeader {
                    prev_blockhash: prev.block_hash(),
                    nonce,
                    ..BlockHeader::default()
                },
                vec![cb],
            );
            b.header.merkle_root = b.compute_merkle_root();
            b
        };
        let b1 = child(&g, 1);
        let b2 = child(&b1, 2);
        let b2x = child(&b1, 3); // stale sibling
        let b3 = child(&b2, 4);
        let shuffled = vec![
            b3.clone(),
            b2x.clone(),
            g.clone(),
            b2.clone(),
            b1.clone(),
            b1.clone(),
        ];
        let c = order_chain(shuffled).unwrap();
        let hashes: Vec<BlockHash> = c.blocks.iter().map(Block::block_hash).collect();
        assert_eq!(
            hashes,
            vec![
                g.block_hash(),
                b1.block_hash(),
                b2.block_hash(),
                b3.block_hash()
            ]
        );
        assert_eq!(c.stale, vec![b2x.block_hash()]);
        assert!(matches!(
            order_chain(vec![g, b2]),
            Err(ChainError::Gap { roots: 2, .. })
        ));
        assert_eq!(order_chain(vec![]), Err(ChainError::Empty));
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
        assert_eq!(l.address(AddressId(0)), "a");
        assert_eq!(l.address(AddressId(1)), "b");
        let t1 = TxIndex(1);
        assert_eq!(l.fee(t1), Some(0));
        assert_eq!(l.fee(TxIndex(0)), None);
        // tx 3 spends a known output and an unknown one
        assert_eq!(l.fee(TxIndex(2)), None);
        assert_eq!(l.unresolved().len(), 2);
        assert_eq!(l.unresolved()[0].reason, UnresolvedReason::NotInLedger);
        assert_eq!(l.unresolved()[1].reason, UnresolvedReason::AlreadySpent);
        assert_eq!(l.output(OutputId(1)).spent_by, Some(TxIndex(2)));
    }
}
