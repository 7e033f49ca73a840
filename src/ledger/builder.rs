//! Building a [`Ledger`]: interning, canonical ids, ordering, validation.

use std::collections::hash_map::Entry;
use std::hash::{BuildHasher, Hasher};

use foldhash::HashMap;
use hashbrown::hash_table::Entry as TxEntry;
use hashbrown::HashTable;

use thiserror::Error;

use super::conflict::{OriginColumn, PackedOrigin};
use super::{
    Address, Asset, AssetInfo, BlockInfo, ChainInfo, Conflict, InputFile, Ledger, Origin,
    TransferKind,
};
use crate::amount::Amount;
use crate::id::{AddressId, AssetId, ChainId, TransferId, TxIndex, MAX_INDEX};

/// One transfer as an ingester hands it to the builder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransferRecord {
    /// Chain, from [`LedgerBuilder::chain`].
    pub chain: ChainId,
    /// Transaction hash.
    pub tx_hash: [u8; 32],
    /// Block number.
    pub block: u64,
    /// Block time, unix seconds.
    pub time: u64,
    /// Position of the transaction in its block.
    pub tx_position: u32,
    /// Kind of movement.
    pub kind: TransferKind,
    /// Log index (tokens), trace position (internal), 0 otherwise.
    pub sub_index: u32,
    /// Sender.
    pub from: Address,
    /// Receiver.
    pub to: Address,
    /// Asset on `chain`.
    pub asset: Asset,
    /// Amount in base units.
    pub amount: Amount,
}

/// Why records could not be combined into a ledger.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// One transaction hash was given two different places in the chain.
    #[error("transaction 0x{hash} is in block {first_block}{} at {first} and in block {second_block}{} at {second}", position_text(*.first_position), position_text(*.second_position))]
    ConflictingTransaction {
        /// The hash, hex.
        hash: String,
        /// Block first seen.
        first_block: u64,
        /// Position first seen, if it was given.
        first_position: Option<u32>,
        /// Block seen now.
        second_block: u64,
        /// Position seen now, if it was given.
        second_position: Option<u32>,
        /// Where it was first seen (`file:line`).
        first: String,
        /// Where it was seen now.
        second: String,
    },
    /// One block was given two different times.
    #[error("block {block} has time {first_time} at {first} and time {second_time} at {second}")]
    ConflictingBlockTime {
        /// Block number.
        block: u64,
        /// Time first seen.
        first_time: u64,
        /// Time seen now.
        second_time: u64,
        /// Where it was first seen (`file:line`).
        first: String,
        /// Where it was seen now.
        second: String,
    },
    /// Two records of the same transfer (the same transaction, kind and
    /// log or trace index) say different things.
    #[error("{second} contradicts {first}: {what}")]
    ConflictingTransfer {
        /// The record read first (`file:line`).
        first: String,
        /// The record read later.
        second: String,
        /// What they disagree on.
        what: String,
    },
    /// A block of a chain is dated before a lower-numbered block of the
    /// same chain.
    #[error("block {block} of {chain} has time {time} at {second}, before block {earlier_block} with time {earlier_time} at {first}")]
    BackwardsBlockTime {
        /// Chain name.
        chain: String,
        /// The lower-numbered block.
        earlier_block: u64,
        /// Its time.
        earlier_time: u64,
        /// The higher-numbered block.
        block: u64,
        /// Its (earlier) time.
        time: u64,
        /// Where the lower-numbered block's time was read.
        first: String,
        /// Where the higher-numbered block's time was read.
        second: String,
    },
    /// No record gave the time of a transaction's block.
    #[error("transaction 0x{hash} in block {block}: no time is known for its block (load the transactions file too, or a file with block_timestamp)")]
    UnknownTime {
        /// The hash, hex.
        hash: String,
        /// Block number.
        block: u64,
    },
    /// More items of one kind than `u32` ids can number.
    #[error("too many {what} for one ledger (at most {MAX_INDEX})")]
    TooLarge {
        /// What overflowed (addresses, transfers, …).
        what: &'static str,
    },
}

/// A transfer within a transaction already added with
/// [`LedgerBuilder::add_transaction`] or
/// [`add_transaction_loose`](LedgerBuilder::add_transaction_loose): what a
/// [`TransferRecord`] says beyond its transaction's coordinates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Movement {
    /// Kind of movement.
    pub kind: TransferKind,
    /// Log index (tokens), trace position (internal), 0 otherwise.
    pub sub_index: u32,
    /// Sender.
    pub from: Address,
    /// Receiver.
    pub to: Address,
    /// Asset on the transaction's chain.
    pub asset: Asset,
    /// Amount in base units.
    pub amount: Amount,
}

/// What is known of a transaction; ingesters of formats that lack the
/// position (ethereum-etl `token_transfers`) leave it open, and it is filled
/// from other records of the same transaction.
///
/// The time is not kept: a record that gives one has it checked against
/// (or entered into) its block's entry before its transaction is recorded,
/// so the block table knows the time of every block any record dated, and
/// `build` takes each transaction's time from there. The chain and block
/// number are the block's index in that table, and whether the position is
/// known is the index's top bit, so the entry is 8 bytes: one is kept per
/// transaction until `build`, where it took 40 bytes with the time and 20
/// with the block number.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct TxMeta {
    /// The block's index in `LedgerBuilder::blocks`, and [`POSITION_KNOWN`].
    block: u32,
    /// The position in the block, when known (0 otherwise).
    position: u32,
}

/// The bit of [`TxMeta::block`] that tells a known position.
const POSITION_KNOWN: u32 = 1 << 31;

impl TxMeta {
    fn new(block: u32, position: Option<u32>) -> Self {
        debug_assert!(block < POSITION_KNOWN);
        match position {
            Some(p) => TxMeta {
                block: block | POSITION_KNOWN,
                position: p,
            },
            None => TxMeta { block, position: 0 },
        }
    }

    /// The block's index in the builder's block table.
    fn block(self) -> usize {
        (self.block & !POSITION_KNOWN) as usize
    }

    fn position(self) -> Option<u32> {
        (self.block & POSITION_KNOWN != 0).then_some(self.position)
    }
}

/// A block some record named: its chain and number, its time once a record
/// gives it, and the record that gave it.
#[derive(Copy, Clone, Debug)]
struct BlockEntry {
    chain: ChainId,
    number: u64,
    time: Option<u64>,
    origin: PackedOrigin,
}

/// A transfer with its interned parts, as kept until `build`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Row {
    tx: u32,
    kind: TransferKind,
    sub_index: u32,
    from: u32,
    to: u32,
    asset: u32,
    /// The amount as (high, low) halves, which order as the `u128` does;
    /// a `u128`'s 16-byte alignment would pad the row to 64 bytes.
    amount: [u64; 2],
    /// How `(tx, kind, sub_index)` is to be taken.
    mode: RowMode,
    /// Where the row was read; last, so identical rows sort by it.
    origin: PackedOrigin,
}

/// What a row's `(tx, kind, sub_index)` means.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum RowMode {
    /// It identifies the transfer: two rows with it and different content
    /// contradict each other (the ingest readers' records).
    Checked,
    /// `sub_index` only numbers identical records (formats without log or
    /// trace index): renumbered 0, 1, … at build, never checked.
    Numbered,
    /// Taken as given (the public push API: callers such as the UTXO
    /// address view give several transfers one index).
    Plain,
}

impl Row {
    /// What identifies the transfer.
    fn identity(&self) -> (u32, TransferKind, u32) {
        (self.tx, self.kind, self.sub_index)
    }

    /// What the transfer says (its identity and content).
    fn content(&self) -> (u32, TransferKind, u32, u32, u32, u32, [u64; 2]) {
        (
            self.tx,
            self.kind,
            self.sub_index,
            self.from,
            self.to,
            self.asset,
            self.amount,
        )
    }
}

/// What a record says beyond its transaction.
fn movement(r: TransferRecord) -> Movement {
    Movement {
        kind: r.kind,
        sub_index: r.sub_index,
        from: r.from,
        to: r.to,
        asset: r.asset,
        amount: r.amount,
    }
}

fn split_amount(a: Amount) -> [u64; 2] {
    [(a >> 64) as u64, a as u64]
}

fn join_amount([high, low]: [u64; 2]) -> Amount {
    (Amount::from(high) << 64) | Amount::from(low)
}

/// Collects transfers and transactions from any number of inputs and builds
/// a [`Ledger`].
///
/// ```
/// use fundtrace::{Address, Asset, LedgerBuilder, TransferKind, TransferRecord};
/// let mut b = LedgerBuilder::new();
/// let eth = b.chain("ethereum", "ETH");
/// let alice: Address = "0x1111111111111111111111111111111111111111".parse().unwrap();
/// let bob: Address = "0x2222222222222222222222222222222222222222".parse().unwrap();
/// b.push(TransferRecord {
///     chain: eth, tx_hash: [7; 32], block: 1, time: 1_700_000_000, tx_position: 0,
///     kind: TransferKind::Native, sub_index: 0, from: alice, to: bob.clone(),
///     asset: Asset::Native, amount: 5,
/// }).unwrap();
/// let ledger = b.build().unwrap();
/// assert_eq!(ledger.transfer_count(), 1);
/// assert!(ledger.address_id(&bob).is_some());
/// ```
#[derive(Debug, Default)]
pub struct LedgerBuilder {
    /// The last block seen and its index, so rows of one block skip the
    /// block map.
    last_block: Option<(ChainId, u64, u32)>,
    chains: Vec<ChainInfo>,
    /// Chain ids by name: a record names its chain, so the lookup must not
    /// grow with the number of chains.
    chain_ids: HashMap<String, ChainId>,
    /// EVM addresses, by far the most common, in a map of their own with a
    /// cheaper hash and smaller slots; other addresses share the id count.
    evm_addresses: HashMap<EvmKey, u32>,
    addresses: HashMap<Address, u32>,
    /// EVM addresses of recent rows not yet interned (see
    /// [`LedgerBuilder::intern_pending`]).
    pending: Vec<PendingAddress>,
    assets: HashMap<AssetInfo, u32>,
    /// Transaction ids by hash. A slot is 8 bytes, an id and the low half of
    /// its key (a map keyed by the 32-byte hash would take 36), and the
    /// table grows from the slots alone, never reading `tx_hashes` again.
    tx_ids: HashTable<TxSlot>,
    tx_hasher: foldhash::fast::RandomState,
    /// The last asset interned: most rows of a file share one asset.
    last_asset: Option<(AssetInfo, u32)>,
    /// Transactions: the settled ones (`..settled_txs`, one per hash), then
    /// one entry per record since, deduplicated by [`LedgerBuilder::settle`].
    tx_hashes: Vec<[u8; 32]>,
    tx_meta: Vec<TxMeta>,
    settled_txs: usize,
    /// Rows from `settled_rows` on may refer to unsettled transactions.
    settled_rows: usize,
    /// Where each transaction was first recorded (settled ones) or
    /// recorded (one per record since).
    tx_origin: OriginColumn,
    /// The record being read (see `at_line`).
    origin: PackedOrigin,
    /// Contradictions found when settling or building that an input read
    /// strictly must report as errors: the record dropped and why.
    conflicts: Vec<(PackedOrigin, LedgerError)>,
    /// Contradictions in inputs read leniently: the record read later was
    /// dropped. `counted` is false until the skip is added to its input's
    /// counts.
    resolved: Vec<(Conflict, PackedOrigin, bool)>,
    /// Every block a record named, with its time and where that was first
    /// read; transactions refer to it by index ([`TxMeta`]).
    blocks: Vec<BlockEntry>,
    /// Indexes in `blocks` by chain and block number.
    block_ids: HashMap<(ChainId, u64), u32>,
    /// Gas prices recorded by hash ([`LedgerBuilder::record_gas_price`]).
    gas_prices: Vec<([u8; 32], u64)>,
    rows: Vec<Row>,
    inputs: Vec<InputFile>,
    warnings: Vec<String>,
    /// Inputs begun with [`begin_input`](Self::begin_input): name, whether
    /// read leniently, and the index its [`InputFile`] gets in `inputs`.
    sources: Vec<(String, bool, usize)>,
    current_input: Option<usize>,
    /// Traces kept until `build`, so that traces of one transaction from
    /// several inputs are ranked together by trace address.
    traces: Vec<PendingTrace>,
}

/// An internal transfer waiting for its rank (see [`LedgerBuilder::push_trace`]).
#[derive(Clone, Debug)]
struct PendingTrace {
    chain: ChainId,
    hash: [u8; 32],
    path: Vec<u32>,
    block: u64,
    time: Option<u64>,
    position: Option<u32>,
    from: Address,
    to: Address,
    amount: Amount,
    origin: PackedOrigin,
}

impl PendingTrace {
    fn identity(&self) -> (ChainId, &[u8; 32], &[u32]) {
        (self.chain, &self.hash, &self.path)
    }

    fn content(&self) -> impl Ord + '_ {
        (
            self.identity(),
            self.block,
            self.time,
            self.position,
            &self.from,
            &self.to,
            self.amount,
        )
    }
}

fn position_text(p: Option<u32>) -> String {
    p.map_or(String::new(), |p| format!(" position {p}"))
}

impl LedgerBuilder {
    /// An empty builder.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The id of a chain, added if new. The native symbol of the first call wins.
    pub fn chain(&mut self, name: &str, native_symbol: &str) -> ChainId {
        if let Some(&id) = self.chain_ids.get(name) {
            return id;
        }
        let id = ChainId::from_usize(self.chains.len());
        self.chains.push(ChainInfo {
            name: name.to_string(),
            native_symbol: native_symbol.to_string(),
        });
        self.chain_ids.insert(name.to_string(), id);
        id
    }

    /// Number of transfer records pushed so far.
    #[must_use]
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether no transfer was pushed yet.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Reserves room for `additional` more transfers.
    pub fn reserve(&mut self, additional: usize) {
        self.rows.reserve(additional.min(MAX_INDEX));
    }

    /// Records the gas price (wei) of transaction `hash`, for
    /// [`Ledger::gas_price`]. Prices of transactions the built ledger lacks
    /// are dropped; of two prices for one hash, the lower is kept.
    pub fn record_gas_price(&mut self, hash: [u8; 32], price: u64) {
        self.gas_prices.push((hash, price));
    }

    /// Records a transaction (even one that moves nothing), and returns a
    /// handle for [`push_in`](Self::push_in).
    ///
    /// The handle is valid until the next call that records a transaction
    /// (this one, [`push`](Self::push) or [`push_loose`](Self::push_loose)):
    /// records are deduplicated by hash in batches, which renumbers them.
    /// A hash recorded again with another block or position is a
    /// [`LedgerError::ConflictingTransaction`], found when the batch is
    /// settled (at the latest by [`build`](Self::build)).
    ///
    /// # Errors
    ///
    /// [`LedgerError::ConflictingBlockTime`] if the block was seen before
    /// with another time; [`LedgerError::TooLarge`] if the ledger is full.
    pub fn add_transaction(
        &mut self,
        chain: ChainId,
        hash: [u8; 32],
        block: u64,
        time: u64,
        position: u32,
    ) -> Result<TxIndex, LedgerError> {
        self.add_transaction_loose(chain, hash, block, Some(time), Some(position))
    }

    /// Records a transaction whose time or position may be unknown; they are
    /// taken from other records of the same transaction or block at build.
    ///
    /// # Errors
    ///
    /// As [`add_transaction`](Self::add_transaction).
    pub fn add_transaction_loose(
        &mut self,
        chain: ChainId,
        hash: [u8; 32],
        block: u64,
        time: Option<u64>,
        position: Option<u32>,
    ) -> Result<TxIndex, LedgerError> {
        if self.tx_hashes.len() - self.settled_txs >= PENDING_TRANSACTIONS
            || self.pending.len() >= PENDING_ADDRESSES
        {
            self.settle()?;
        }
        let block_id = self.block_id(chain, block)?;
        if let Some(t) = time {
            self.check_block(block_id, t)?;
        }
        let id = checked_id(self.tx_hashes.len(), "transactions")?;
        self.tx_hashes.push(hash);
        self.tx_meta.push(TxMeta::new(block_id, position));
        self.tx_origin.push(self.origin);
        Ok(TxIndex(id))
    }

    /// Starts an input: the records pushed from now on come from `name`
    /// (see [`at_line`](Self::at_line)), and contradictions between them
    /// and other records are errors unless `lenient`, in which case the
    /// record read later is dropped, counted as skipped in this input (its
    /// [`InputFile`], added with [`add_input`](Self::add_input) once the
    /// input is read) and listed in [`Ledger::conflicts`].
    ///
    /// Records pushed before any input is begun are checked strictly.
    pub fn begin_input(&mut self, name: &str, lenient: bool) {
        self.current_input = Some(self.sources.len());
        self.sources
            .push((name.to_string(), lenient, self.inputs.len()));
        self.origin = PackedOrigin::new(self.current_input, 0);
    }

    /// Sets the line of the current input that the next records come
    /// from, so that contradictions can name it.
    pub fn at_line(&mut self, line: u64) {
        self.origin = PackedOrigin::new(self.current_input, line);
    }

    fn origin_of(&self, o: PackedOrigin) -> Origin {
        Origin {
            path: o
                .input()
                .and_then(|i| self.sources.get(i))
                .map_or_else(String::new, |s| s.0.clone()),
            line: o.line(),
        }
    }

    fn is_lenient(&self, o: PackedOrigin) -> bool {
        o.input()
            .and_then(|i| self.sources.get(i))
            .is_some_and(|s| s.1)
    }

    /// Notes that the record at `dropped` contradicts the one at `kept`
    /// and was dropped: logged when its input is lenient (`counted` when
    /// its input's counts already have it), an error to report otherwise.
    fn contradiction(
        &mut self,
        kept: PackedOrigin,
        dropped: PackedOrigin,
        reason: &str,
        what: String,
        err: LedgerError,
        counted: bool,
    ) {
        if self.is_lenient(dropped) {
            let conflict = Conflict {
                dropped: self.origin_of(dropped),
                kept: self.origin_of(kept),
                reason: reason.to_string(),
                what,
            };
            self.resolved.push((conflict, dropped, counted));
        } else {
            self.conflicts.push((dropped, err));
        }
    }

    /// Settles what recent records left open: deduplicates their
    /// transactions, checks them against earlier records, and interns their
    /// addresses.
    ///
    /// Records are kept unsettled for a while because doing this work for
    /// many records at once, in tight loops over the hash tables, is much
    /// faster than doing it as each record arrives: the parser's streaming
    /// reads and writes keep evicting the tables, every record then paid
    /// for cache misses, and its later loads stalled behind those stores.
    /// Settling in batches, together with the parser moving addresses
    /// instead of cloning them, took the parse of 1M generated transactions
    /// from 1.25 s to 0.9 s (`cargo run --release --example ingest_profile`).
    ///
    /// A record whose transaction contradicts an earlier record of the same
    /// hash (another block or position) is dropped with its rows; the
    /// contradictions are kept for [`take_conflicts`](Self::take_conflicts).
    ///
    /// # Errors
    ///
    /// [`LedgerError::TooLarge`] when the ledger is full.
    pub(crate) fn settle(&mut self) -> Result<(), LedgerError> {
        let first = self.settled_txs;
        let mut remap = Vec::with_capacity(self.tx_hashes.len() - first);
        // The batch's origins, taken out so the kept ones can be put back
        // in order.
        let origins: Vec<PackedOrigin> = (first..self.tx_hashes.len())
            .map(|p| self.tx_origin.get(p))
            .collect();
        self.tx_origin.truncate(first);
        let mut kept = first;
        let mut dropped = false;
        for p in first..self.tx_hashes.len() {
            let (hash, meta) = (self.tx_hashes[p], self.tx_meta[p]);
            let key = TxSlot::placement(self.tx_key(&hash));
            let tx_hashes = &self.tx_hashes;
            let slot = self.tx_ids.entry(
                key,
                // The slot's half key first: only a real repeat (or one
                // chance in 2^32) reads the hash it stands for.
                |slot| slot.key_low == key as u32 && tx_hashes[slot.id as usize] == hash,
                TxSlot::rehash,
            );
            match slot {
                TxEntry::Vacant(v) => {
                    v.insert(TxSlot::new(kept as u32, key));
                    self.tx_hashes[kept] = hash;
                    self.tx_meta[kept] = meta;
                    self.tx_origin.push(origins[p - first]);
                    remap.push(kept as u32);
                    kept += 1;
                }
                TxEntry::Occupied(o) => {
                    let id = o.get().id;
                    let seen = &mut self.tx_meta[id as usize];
                    let position_conflict =
                        matches!((seen.position(), meta.position()), (Some(a), Some(b)) if a != b);
                    // One index per (chain, block number).
                    if seen.block() != meta.block() || position_conflict {
                        let (seen, kept_at, dropped_at) =
                            (*seen, self.tx_origin.get(id as usize), origins[p - first]);
                        let (seen_block, block) = (
                            self.blocks[seen.block()].number,
                            self.blocks[meta.block()].number,
                        );
                        let err = LedgerError::ConflictingTransaction {
                            hash: hex::encode(hash),
                            first_block: seen_block,
                            first_position: seen.position(),
                            second_block: block,
                            second_position: meta.position(),
                            first: self.origin_of(kept_at).to_string(),
                            second: self.origin_of(dropped_at).to_string(),
                        };
                        let what = format!(
                            "transaction 0x{} in block {}{} against block {}{}",
                            hex::encode(hash),
                            block,
                            position_text(meta.position()),
                            seen_block,
                            position_text(seen.position())
                        );
                        self.contradiction(
                            kept_at,
                            dropped_at,
                            "conflicting transaction",
                            what,
                            err,
                            false,
                        );
                        remap.push(DROPPED);
                        dropped = true;
                    } else {
                        if seen.position().is_none() {
                            *seen = meta;
                        }
                        remap.push(id);
                    }
                }
            }
        }
        self.tx_hashes.truncate(kept);
        self.tx_meta.truncate(kept);
        debug_assert_eq!(self.tx_origin.len(), kept);
        self.settled_txs = kept;
        for row in &mut self.rows[self.settled_rows..] {
            if let Some(t) = (row.tx as usize).checked_sub(first) {
                row.tx = remap[t];
            }
        }
        self.intern_pending()?;
        if dropped {
            let settled = self.settled_rows;
            let mut i = 0;
            self.rows.retain(|row| {
                i += 1;
                i <= settled || row.tx != DROPPED
            });
        }
        self.settled_rows = self.rows.len();
        Ok(())
    }

    /// The contradictions found so far in inputs read strictly, each with
    /// the record that was dropped, in input and line order.
    pub(crate) fn take_conflicts(&mut self) -> Vec<(PackedOrigin, LedgerError)> {
        let mut c = std::mem::take(&mut self.conflicts);
        c.sort_by_key(|(o, _)| *o);
        c
    }

    /// The seeded hash of a transaction hash (all 32 bytes, so crafted
    /// hashes cannot collide on purpose).
    fn tx_key(&self, hash: &[u8; 32]) -> u64 {
        let mut h = self.tx_hasher.build_hasher();
        for word in hash.chunks_exact(8) {
            let mut w = [0u8; 8];
            w.copy_from_slice(word);
            h.write_u64(u64::from_le_bytes(w));
        }
        h.finish()
    }

    /// The index of a block in the block table, entered if new.
    fn block_id(&mut self, chain: ChainId, number: u64) -> Result<u32, LedgerError> {
        if let Some((c, n, id)) = self.last_block {
            if (c, n) == (chain, number) {
                return Ok(id);
            }
        }
        let next = self.blocks.len();
        let id = match self.block_ids.entry((chain, number)) {
            Entry::Occupied(o) => *o.get(),
            Entry::Vacant(v) => {
                if next >= POSITION_KNOWN as usize {
                    return Err(LedgerError::TooLarge { what: "blocks" });
                }
                self.blocks.push(BlockEntry {
                    chain,
                    number,
                    time: None,
                    origin: self.origin,
                });
                *v.insert(next as u32)
            }
        };
        self.last_block = Some((chain, number, id));
        Ok(id)
    }

    /// Enters the time of block `id`, or checks it against the time entered.
    fn check_block(&mut self, id: u32, time: u64) -> Result<(), LedgerError> {
        let entry = &mut self.blocks[id as usize];
        let block = entry.number;
        match entry.time {
            Some(t) if t != time => {
                let first = entry.origin;
                let err = LedgerError::ConflictingBlockTime {
                    block,
                    first_time: t,
                    second_time: time,
                    first: self.origin_of(first).to_string(),
                    second: self.origin_of(self.origin).to_string(),
                };
                if self.is_lenient(self.origin) {
                    // The reader counts the skip; the conflict is listed.
                    let what = format!("block {block} with time {time} against time {t}");
                    self.contradiction(
                        first,
                        self.origin,
                        "conflicting block time",
                        what,
                        err.clone(),
                        true,
                    );
                }
                Err(err)
            }
            Some(_) => Ok(()),
            None => {
                entry.time = Some(time);
                entry.origin = self.origin;
                Ok(())
            }
        }
    }

    fn intern_address(&mut self, a: Address) -> Result<u32, LedgerError> {
        let next = self.evm_addresses.len() + self.addresses.len();
        let slot = match a {
            Address::Evm(bytes) => self.evm_addresses.entry(EvmKey(bytes)),
            other => {
                return match self.addresses.entry(other) {
                    Entry::Occupied(o) => Ok(*o.get()),
                    Entry::Vacant(v) => Ok(*v.insert(checked_id(next, "addresses")?)),
                }
            }
        };
        match slot {
            Entry::Occupied(o) => Ok(*o.get()),
            Entry::Vacant(v) => Ok(*v.insert(checked_id(next, "addresses")?)),
        }
    }

    /// The id of a row's sender or receiver, or a placeholder while an EVM
    /// address waits in `pending`.
    fn address_of_row(&mut self, row: usize, side: Side, a: Address) -> Result<u32, LedgerError> {
        match a {
            Address::Evm(bytes) => {
                self.pending.push(PendingAddress {
                    row: row as u32,
                    side,
                    bytes,
                });
                Ok(0)
            }
            other => self.intern_address(other),
        }
    }

    /// Interns the pending addresses (of rows not dropped) and writes their
    /// ids into the rows; part of [`settle`](Self::settle).
    fn intern_pending(&mut self) -> Result<(), LedgerError> {
        let mut pending = std::mem::take(&mut self.pending);
        for p in pending.drain(..) {
            if self.rows[p.row as usize].tx == DROPPED {
                continue;
            }
            let id = self.intern_address(Address::Evm(p.bytes))?;
            let row = &mut self.rows[p.row as usize];
            match p.side {
                Side::From => row.from = id,
                Side::To => row.to = id,
            }
        }
        // Keep the buffer: it is reused for the next rows.
        self.pending = pending;
        Ok(())
    }

    fn intern_asset(&mut self, a: AssetInfo) -> Result<u32, LedgerError> {
        if let Some((last, id)) = &self.last_asset {
            if *last == a {
                return Ok(*id);
            }
        }
        let id = match self.assets.get(&a) {
            Some(&id) => id,
            None => {
                let id = checked_id(self.assets.len(), "assets")?;
                self.assets.insert(a.clone(), id);
                id
            }
        };
        self.last_asset = Some((a, id));
        Ok(id)
    }

    /// Adds one transfer (and its transaction, if new).
    ///
    /// # Errors
    ///
    /// [`LedgerError`] if its transaction or block conflicts with an earlier
    /// record, or the ledger is full.
    pub fn push(&mut self, r: TransferRecord) -> Result<(), LedgerError> {
        let (time, position) = (Some(r.time), Some(r.tx_position));
        self.push_loose(r, time, position)
    }

    /// Adds one transfer whose transaction time or position may be unknown
    /// (the record's own `time` and `tx_position` are ignored).
    ///
    /// # Errors
    ///
    /// As [`push`](Self::push).
    pub fn push_loose(
        &mut self,
        r: TransferRecord,
        time: Option<u64>,
        position: Option<u32>,
    ) -> Result<(), LedgerError> {
        let tx = self.add_transaction_loose(r.chain, r.tx_hash, r.block, time, position)?;
        self.push_in(
            tx,
            Movement {
                kind: r.kind,
                sub_index: r.sub_index,
                from: r.from,
                to: r.to,
                asset: r.asset,
                amount: r.amount,
            },
        )
    }

    /// Adds one transfer to a transaction already added (one hash lookup
    /// fewer than [`push_loose`](Self::push_loose) when a record makes both).
    ///
    /// ```
    /// use fundtrace::{Address, Asset, LedgerBuilder, Movement, TransferKind};
    /// let mut b = LedgerBuilder::new();
    /// let eth = b.chain("ethereum", "ETH");
    /// let tx = b.add_transaction(eth, [7; 32], 1, 1_700_000_000, 0).unwrap();
    /// b.push_in(tx, Movement {
    ///     kind: TransferKind::Native, sub_index: 0,
    ///     from: "0x1111111111111111111111111111111111111111".parse().unwrap(),
    ///     to: "0x2222222222222222222222222222222222222222".parse().unwrap(),
    ///     asset: Asset::Native, amount: 5,
    /// }).unwrap();
    /// assert_eq!(b.build().unwrap().transfer_count(), 1);
    /// ```
    ///
    /// # Errors
    ///
    /// [`LedgerError::TooLarge`] when the ledger is full.
    ///
    /// # Panics
    ///
    /// If `tx` was not returned by this builder. A handle kept past the
    /// next recorded transaction may name another transaction (see
    /// [`add_transaction`](Self::add_transaction)).
    pub fn push_in(&mut self, tx: TxIndex, m: Movement) -> Result<(), LedgerError> {
        self.push_row(tx, m, RowMode::Plain)
    }

    /// As [`push_in`](Self::push_in), for a transfer that `(tx, kind,
    /// sub_index)` identifies: another record of it with other content is a
    /// contradiction (see [`build`](Self::build)).
    pub(crate) fn push_in_checked(&mut self, tx: TxIndex, m: Movement) -> Result<(), LedgerError> {
        self.push_row(tx, m, RowMode::Checked)
    }

    /// As [`push_loose`](Self::push_loose), checked as
    /// [`push_in_checked`](Self::push_in_checked).
    pub(crate) fn push_checked(
        &mut self,
        r: TransferRecord,
        time: Option<u64>,
        position: Option<u32>,
    ) -> Result<(), LedgerError> {
        let tx = self.add_transaction_loose(r.chain, r.tx_hash, r.block, time, position)?;
        self.push_row(tx, movement(r), RowMode::Checked)
    }

    /// As [`push_loose`](Self::push_loose), for a transfer whose
    /// `sub_index` only numbers identical records (formats without log or
    /// trace indices): it is not checked for contradictions, and is
    /// renumbered at build among such transfers of its transaction and
    /// kind.
    pub(crate) fn push_unkeyed(
        &mut self,
        r: TransferRecord,
        time: Option<u64>,
        position: Option<u32>,
    ) -> Result<(), LedgerError> {
        let tx = self.add_transaction_loose(r.chain, r.tx_hash, r.block, time, position)?;
        self.push_row(tx, movement(r), RowMode::Numbered)
    }

    /// Adds an internal transfer identified by its trace address `path`
    /// within its transaction. Traces are kept until [`build`](Self::build),
    /// which ranks the traces of each transaction by trace address (its
    /// `sub_index`, from 1), whatever input each came from: the same trace
    /// in two inputs is one transfer, and two traces at one address that
    /// differ are a contradiction.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn push_trace(
        &mut self,
        chain: ChainId,
        hash: [u8; 32],
        path: Vec<u32>,
        block: u64,
        time: Option<u64>,
        position: Option<u32>,
        from: Address,
        to: Address,
        amount: Amount,
    ) {
        self.traces.push(PendingTrace {
            chain,
            hash,
            path,
            block,
            time,
            position,
            from,
            to,
            amount,
            origin: self.origin,
        });
    }

    fn push_row(&mut self, tx: TxIndex, m: Movement, mode: RowMode) -> Result<(), LedgerError> {
        checked_id(self.rows.len(), "transfers")?;
        let chain = self.blocks[self.tx_meta[tx.0 as usize].block()].chain;
        let row = self.rows.len();
        let from = self.address_of_row(row, Side::From, m.from)?;
        let to = self.address_of_row(row, Side::To, m.to)?;
        let asset = self.intern_asset(AssetInfo {
            chain,
            asset: m.asset,
        })?;
        self.rows.push(Row {
            tx: tx.0,
            kind: m.kind,
            sub_index: m.sub_index,
            from,
            to,
            asset,
            amount: split_amount(m.amount),
            mode,
            origin: self.origin,
        });
        Ok(())
    }

    /// Records an input file's digest and counts, for reports. It ends the
    /// input begun with [`begin_input`](Self::begin_input): records pushed
    /// after it are no longer attributed to that input.
    pub fn add_input(&mut self, input: InputFile) {
        self.inputs.push(input);
        self.current_input = None;
        self.origin = PackedOrigin::default();
    }

    /// Records a warning about the input that results should carry.
    pub fn warn(&mut self, warning: String) {
        self.warnings.push(warning);
    }

    /// Interns in canonical order, sorts into event order, drops exact
    /// duplicates (counted), and returns the ledger.
    ///
    /// Ids do not depend on the order records were pushed: addresses,
    /// assets and chains are numbered in sorted order, transactions in event
    /// order, and transfers by (transaction, kind, index, content).
    ///
    /// Two records of one transfer, `(transaction, kind, index)`, that
    /// differ contradict each other (see [`Conflict`]); so do two traces at
    /// one trace address. Transfers numbered only to keep identical records
    /// apart (formats without log or trace index) are renumbered 0, 1, …
    /// in content order within their transaction and kind.
    ///
    /// # Errors
    ///
    /// [`LedgerError::UnknownTime`] when no record gave the time of some
    /// transaction's block; the first contradiction (in input and line
    /// order) between records of inputs read strictly
    /// ([`LedgerError::ConflictingTransaction`], [`LedgerError::ConflictingTransfer`],
    /// [`LedgerError::BackwardsBlockTime`], …).
    pub fn build(mut self) -> Result<Ledger, LedgerError> {
        self.flush_traces()?;
        self.settle()?;
        if let Some((_, conflict)) = self.take_conflicts().into_iter().next() {
            return Err(conflict);
        }
        let chains = std::mem::take(&mut self.chains);
        let evm_addresses = std::mem::take(&mut self.evm_addresses);
        let addresses = std::mem::take(&mut self.addresses);
        let assets = std::mem::take(&mut self.assets);
        let tx_hashes = std::mem::take(&mut self.tx_hashes);
        let tx_meta = std::mem::take(&mut self.tx_meta);
        let mut rows = std::mem::take(&mut self.rows);
        let mut warnings = std::mem::take(&mut self.warnings);
        self.tx_ids = HashTable::new();
        self.tx_origin = OriginColumn::default();

        // Chains by name; a chain no transaction uses is dropped.
        let mut used_blocks = vec![false; self.blocks.len()];
        for m in &tx_meta {
            used_blocks[m.block()] = true;
        }
        let mut used = vec![false; chains.len()];
        for (b, _) in self.blocks.iter().zip(&used_blocks).filter(|(_, &u)| u) {
            used[b.chain.index()] = true;
        }
        let mut chain_order: Vec<usize> = (0..chains.len()).filter(|&c| used[c]).collect();
        chain_order.sort_by(|&a, &b| chains[a].name.cmp(&chains[b].name));
        let mut chain_remap = vec![ChainId(0); chains.len()];
        for (new, &old) in chain_order.iter().enumerate() {
            chain_remap[old] = ChainId::from_usize(new);
        }
        let chains_sorted: Vec<ChainInfo> =
            chain_order.iter().map(|&i| chains[i].clone()).collect();

        // Addresses sorted by value.
        let mut addr_list: Vec<(Address, u32)> = evm_addresses
            .into_iter()
            .map(|(k, id)| (Address::Evm(k.0), id))
            .chain(addresses)
            .collect();
        addr_list.sort_unstable();
        let mut addr_remap = vec![0u32; addr_list.len()];
        for (new, (_, old)) in addr_list.iter().enumerate() {
            addr_remap[*old as usize] = new as u32;
        }
        let addresses: Vec<Address> = addr_list.into_iter().map(|(a, _)| a).collect();

        // Assets sorted by (chain, asset) after chain renumbering.
        let mut asset_list: Vec<(AssetInfo, u32)> = assets
            .into_iter()
            .map(|(mut info, id)| {
                info.chain = chain_remap[info.chain.index()];
                (info, id)
            })
            .collect();
        asset_list.sort_unstable();
        let mut asset_remap = vec![0u32; asset_list.len()];
        for (new, (_, old)) in asset_list.iter().enumerate() {
            asset_remap[*old as usize] = new as u32;
        }
        let assets: Vec<AssetInfo> = asset_list.into_iter().map(|(a, _)| a).collect();

        // Resolve open times from the block table; open positions sort last
        // in their block (then by hash).
        let unknown_positions = tx_meta.iter().filter(|m| m.position().is_none()).count();
        if unknown_positions > 0 {
            warnings.push(format!(
                "{unknown_positions} transaction(s) have no known position in their block; they are ordered after the others of the block, by hash"
            ));
        }
        if let Some(i) = tx_meta
            .iter()
            .position(|m| self.blocks[m.block()].time.is_none())
        {
            return Err(LedgerError::UnknownTime {
                hash: hex::encode(tx_hashes[i]),
                block: self.blocks[tx_meta[i].block()].number,
            });
        }
        // The blocks that hold a transaction, in event order (time, chain,
        // number; one time per block), and each one's rank in it.
        let mut block_order: Vec<u32> = (0..self.blocks.len() as u32)
            .filter(|&b| used_blocks[b as usize])
            .collect();
        drop(used_blocks);
        let block_key = |b: &BlockEntry| {
            (
                b.time.unwrap_or(0),
                chain_remap[b.chain.index()].0,
                b.number,
            )
        };
        block_order.sort_unstable_by_key(|&b| block_key(&self.blocks[b as usize]));
        let mut block_rank = vec![0u32; self.blocks.len()];
        for (rank, &b) in block_order.iter().enumerate() {
            block_rank[b as usize] = rank as u32;
        }
        // Each transaction's place in event order as a packed key (block
        // rank, position; open positions last), with its index in the
        // builder; hashes are compared only between equal keys (sorting by
        // a key that held the 32-byte hash gathered it on every comparison).
        let mut keys: Vec<(u64, u32)> = tx_meta
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let rank = u64::from(block_rank[m.block()]);
                (
                    rank << 32 | u64::from(m.position().unwrap_or(u32::MAX)),
                    i as u32,
                )
            })
            .collect();
        drop(tx_meta);
        drop(block_rank);
        let order = |a: &(u64, u32), b: &(u64, u32)| {
            a.0.cmp(&b.0)
                .then_with(|| tx_hashes[a.1 as usize].cmp(&tx_hashes[b.1 as usize]))
        };
        // Exports are usually in event order already: one pass tells.
        if !keys.windows(2).all(|w| order(&w[0], &w[1]).is_lt()) {
            keys.sort_unstable_by(order);
        }
        let mut tx_remap = vec![0u32; keys.len()];
        for (new, &(_, id)) in keys.iter().enumerate() {
            tx_remap[id as usize] = new as u32;
        }

        // Blocks and each transaction's block: the ranks, which follow
        // event order.
        let blocks: Vec<BlockInfo> = block_order
            .iter()
            .map(|&b| {
                let b = &self.blocks[b as usize];
                BlockInfo {
                    time: b.time.unwrap_or(0),
                    chain: chain_remap[b.chain.index()],
                    number: b.number,
                }
            })
            .collect();
        drop(block_order);
        let tx_block: Vec<u32> = keys.iter().map(|&(k, _)| (k >> 32) as u32).collect();
        let tx_position: Vec<u32> = keys.iter().map(|&(k, _)| k as u32).collect();
        self.check_block_order(&blocks, &chains_sorted, &chain_order, &mut warnings);
        // In event order already, the hashes are kept where they are
        // instead of copied.
        let in_order = keys.iter().enumerate().all(|(i, k)| i == k.1 as usize);
        let tx_hash = if in_order {
            let mut hashes = tx_hashes;
            hashes.shrink_to_fit();
            hashes
        } else {
            keys.iter().map(|k| tx_hashes[k.1 as usize]).collect()
        };
        drop(keys);

        for r in &mut rows {
            r.tx = tx_remap[r.tx as usize];
            r.from = addr_remap[r.from as usize];
            r.to = addr_remap[r.to as usize];
            r.asset = asset_remap[r.asset as usize];
        }
        rows.sort_unstable();
        let (duplicates_dropped, contradicting, renumbered_apart) = resolve_rows(&mut rows);
        if renumbered_apart {
            // Unkeyed rows numbered after the keyed rows of their
            // transaction now sort after them.
            rows.sort_unstable();
        }
        drop(tx_remap);
        drop(addr_remap);

        let n = rows.len();
        let mut ledger = Ledger {
            chains: chains_sorted,
            addresses,
            assets,
            blocks,
            tx_hash,
            tx_block,
            tx_position,
            tx_by_hash: std::sync::OnceLock::new(),
            asset_names: std::sync::OnceLock::new(),
            from: Vec::with_capacity(n),
            to: Vec::with_capacity(n),
            asset: Vec::with_capacity(n),
            amount: Vec::with_capacity(n),
            tx: Vec::with_capacity(n),
            kind: Vec::with_capacity(n),
            sub_index: Vec::with_capacity(n),
            tx_gas_price: Vec::new(),
            inputs: Vec::new(),
            conflicts: Vec::new(),
            duplicates_dropped,
            warnings: Vec::new(),
            snapshot: None,
        };
        // The rows are moved into the columns from the front while their
        // vector is cut from the back (reversed first), so the memory the
        // rows give back is what the columns take, and the peak of `build`
        // stays near that of the rows instead of rows plus columns.
        rows.reverse();
        while let Some(r) = rows.pop() {
            if rows.len() % RELEASE_ROWS == 0 {
                rows.shrink_to_fit();
            }
            let amount = join_amount(r.amount);
            ledger.from.push(AddressId(r.from));
            ledger.to.push(AddressId(r.to));
            ledger.asset.push(AssetId(r.asset));
            ledger.amount.push(amount);
            ledger.tx.push(TxIndex(r.tx));
            ledger.kind.push(r.kind);
            ledger.sub_index.push(r.sub_index);
        }
        for (kept, dropped) in contradicting {
            let err_what = describe_row(&ledger, &dropped, &kept);
            let err = LedgerError::ConflictingTransfer {
                first: self.origin_of(kept.origin).to_string(),
                second: self.origin_of(dropped.origin).to_string(),
                what: err_what.clone(),
            };
            self.contradiction(
                kept.origin,
                dropped.origin,
                "conflicting transfer",
                err_what,
                err,
                false,
            );
        }
        if let Some((_, conflict)) = self.take_conflicts().into_iter().next() {
            return Err(conflict);
        }
        let mut inputs = std::mem::take(&mut self.inputs);
        let mut conflicts = self.count_conflicts(&mut inputs);
        conflicts.sort();
        inputs.sort_by(|a, b| a.path.cmp(&b.path).then(a.sha256.cmp(&b.sha256)));
        warnings.sort();
        warnings.dedup();
        ledger.inputs = inputs;
        ledger.conflicts = conflicts;
        ledger.warnings = warnings;
        ledger.tx_gas_price = gas_price_table(&ledger, std::mem::take(&mut self.gas_prices));
        debug_assert!(ledger.transfer_count() <= MAX_INDEX);
        let _ = TransferId::from_usize(ledger.transfer_count().saturating_sub(1));
        Ok(ledger)
    }

    /// Adds the contradictions found late (when settling or building) to
    /// the skip counts of their inputs, one skip per dropped record, and
    /// returns every contradiction of lenient inputs.
    fn count_conflicts(&mut self, inputs: &mut [InputFile]) -> Vec<Conflict> {
        let resolved = std::mem::take(&mut self.resolved);
        let mut counted = std::collections::BTreeSet::new();
        let mut out = Vec::with_capacity(resolved.len());
        for (conflict, dropped, already) in resolved {
            if !already && counted.insert(dropped) {
                let slot = dropped
                    .input()
                    .and_then(|i| self.sources.get(i))
                    .map(|s| s.2);
                if let Some(input) = slot.and_then(|s| inputs.get_mut(s)) {
                    input.records = input.records.saturating_sub(1);
                    *input.skipped.entry(conflict.reason.clone()).or_insert(0) += 1;
                }
            }
            out.push(conflict);
        }
        out
    }

    /// Checks that the blocks of each account chain run forwards in time
    /// (a higher number never has an earlier time). Bitcoin-like chains are
    /// exempt: their block times may go back by design (only the median of
    /// the last eleven must rise). A block dated before a lower-numbered
    /// one means one of the two times is wrong, and event order (which
    /// taint follows) would be wrong with it: an error when the record
    /// that dated the later block was read strictly; in lenient inputs a
    /// warning, counted per chain (neither block can be shown to be the
    /// wrong one, so both are kept).
    fn check_block_order(
        &mut self,
        blocks: &[BlockInfo],
        chains: &[ChainInfo],
        chain_order: &[usize],
        warnings: &mut Vec<String>,
    ) {
        // Per chain: the highest block number met so far, with its time.
        let mut highest: Vec<Option<(u64, u64)>> = vec![None; chains.len()];
        let mut backwards = vec![0u64; chains.len()];
        for b in blocks {
            let c = b.chain.index();
            if chains[c].is_utxo() {
                continue;
            }
            match highest[c] {
                Some((number, time)) if number > b.number => {
                    let old = ChainId::from_usize(chain_order[c]);
                    let origin = |n: u64| {
                        self.block_ids
                            .get(&(old, n))
                            .map_or(PackedOrigin::default(), |&b| self.blocks[b as usize].origin)
                    };
                    let (first, second) = (origin(b.number), origin(number));
                    if self.is_lenient(second) {
                        backwards[c] += 1;
                    } else {
                        let err = LedgerError::BackwardsBlockTime {
                            chain: chains[c].name.clone(),
                            earlier_block: b.number,
                            earlier_time: b.time,
                            block: number,
                            time,
                            first: self.origin_of(first).to_string(),
                            second: self.origin_of(second).to_string(),
                        };
                        self.conflicts.push((second, err));
                    }
                }
                Some((number, _)) if number >= b.number => {}
                _ => highest[c] = Some((b.number, b.time)),
            }
        }
        for (c, &n) in backwards.iter().enumerate() {
            if n > 0 {
                warnings.push(format!(
                    "{}: {n} block(s) are dated before a lower-numbered block (block times run backwards; event order follows the times given)",
                    chains[c].name
                ));
            }
        }
    }

    /// Ranks the traces kept by [`push_trace`](Self::push_trace) and adds
    /// them as internal transfers: identical traces once, traces at one
    /// address that differ as contradictions (the one read first kept).
    fn flush_traces(&mut self) -> Result<(), LedgerError> {
        if self.traces.is_empty() {
            return Ok(());
        }
        let mut traces = std::mem::take(&mut self.traces);
        traces.sort_by(|a, b| a.content().cmp(&b.content()).then(a.origin.cmp(&b.origin)));
        let mut kept: Vec<PendingTrace> = Vec::with_capacity(traces.len());
        let mut i = 0;
        while i < traces.len() {
            let mut j = i + 1;
            while j < traces.len() && traces[j].identity() == traces[i].identity() {
                j += 1;
            }
            // Distinct contents at this address, each with its first origin.
            let mut distinct: Vec<&PendingTrace> = Vec::new();
            for t in &traces[i..j] {
                if distinct.last().is_some_and(|d| d.content() == t.content()) {
                    continue;
                }
                distinct.push(t);
            }
            let Some(winner) = distinct.iter().copied().min_by_key(|t| t.origin).cloned() else {
                i = j;
                continue;
            };
            for t in distinct {
                if t.content() == winner.content() {
                    continue;
                }
                let what = format!(
                    "trace [{}] of transaction 0x{}: {} -> {} {} in block {} against {} -> {} {} in block {}",
                    t.path.iter().map(u32::to_string).collect::<Vec<_>>().join(","),
                    hex::encode(t.hash),
                    t.from,
                    t.to,
                    t.amount,
                    t.block,
                    winner.from,
                    winner.to,
                    winner.amount,
                    winner.block
                );
                let err = LedgerError::ConflictingTransfer {
                    first: self.origin_of(winner.origin).to_string(),
                    second: self.origin_of(t.origin).to_string(),
                    what: what.clone(),
                };
                self.contradiction(
                    winner.origin,
                    t.origin,
                    "conflicting trace",
                    what,
                    err,
                    false,
                );
            }
            kept.push(winner);
            i = j;
        }
        drop(traces);
        let mut rank = 0u32;
        let mut last: Option<(ChainId, [u8; 32])> = None;
        for t in kept {
            if last != Some((t.chain, t.hash)) {
                rank = 0;
                last = Some((t.chain, t.hash));
            }
            rank += 1;
            self.origin = t.origin;
            let record = TransferRecord {
                chain: t.chain,
                tx_hash: t.hash,
                block: t.block,
                time: 0,
                tx_position: 0,
                kind: TransferKind::Internal,
                sub_index: rank,
                from: t.from,
                to: t.to,
                asset: Asset::Native,
                amount: t.amount,
            };
            match self.push_checked(record, t.time, t.position) {
                Ok(()) => {}
                Err(LedgerError::ConflictingBlockTime { .. }) if self.is_lenient(t.origin) => {
                    // Logged as counted by the check; this record had been
                    // counted as read, so the skip is still to count.
                    if let Some(last) = self.resolved.last_mut() {
                        last.2 = false;
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// The first index of a group (transaction, kind) of sorted rows that no
/// keyed or plain row of the group holds: where its unkeyed rows are
/// numbered from, so the two never share an index (a ledger with two
/// transfers under one identity could not be written and read back).
fn first_unkeyed_index(rows: &[Row], tx: u32, kind: TransferKind) -> u32 {
    rows.iter()
        .take_while(|r| r.tx == tx && r.kind == kind)
        .filter(|r| r.mode != RowMode::Numbered)
        .map(|r| r.sub_index.saturating_add(1))
        .max()
        .unwrap_or(0)
}

/// Drops exact repeats among sorted rows (counted), finds rows of one
/// transfer identity that differ, and renumbers rows that are not keyed
/// (after the keyed rows of their transaction and kind).
///
/// Returns the number of repeats dropped, for each contradiction the row
/// kept (the one read first) and the row dropped, and whether unkeyed rows
/// were numbered after keyed ones of their group (the rows must then be
/// sorted again).
fn resolve_rows(rows: &mut Vec<Row>) -> (u64, Vec<(Row, Row)>, bool) {
    let n = rows.len();
    let mut duplicates = 0u64;
    let mut contradicting = Vec::new();
    let mut w = 0;
    let mut i = 0;
    let mut group = None;
    let mut next_unkeyed = 0u32;
    let mut base = 0u32;
    let mut apart = false;
    let mut run: Vec<Row> = Vec::new();
    while i < n {
        let id = rows[i].identity();
        let mut j = i + 1;
        while j < n && rows[j].identity() == id {
            j += 1;
        }
        if group != Some((id.0, id.1)) {
            group = Some((id.0, id.1));
            next_unkeyed = first_unkeyed_index(&rows[i..], id.0, id.1);
            base = next_unkeyed;
        }
        if j == i + 1 {
            let mut r = rows[i];
            if r.mode == RowMode::Numbered {
                r.sub_index = next_unkeyed;
                next_unkeyed = next_unkeyed.saturating_add(1);
                apart |= base > 0;
            }
            rows[w] = r;
            w += 1;
            i = j;
            continue;
        }
        // Several rows of one identity: sorted by content, then origin, so
        // repeats are adjacent and the first of each is the earliest read.
        run.clear();
        for r in &rows[i..j] {
            if run.last().is_some_and(|d: &Row| d.content() == r.content()) {
                duplicates += 1;
                continue;
            }
            run.push(*r);
        }
        let first_keyed = run
            .iter()
            .filter(|r| r.mode == RowMode::Checked)
            .min_by_key(|r| r.origin)
            .copied();
        for r in &run {
            let mut r = *r;
            match r.mode {
                RowMode::Checked => match first_keyed {
                    Some(k) if k.content() != r.content() => {
                        contradicting.push((k, r));
                        continue;
                    }
                    _ => {}
                },
                RowMode::Numbered => {
                    r.sub_index = next_unkeyed;
                    next_unkeyed = next_unkeyed.saturating_add(1);
                    apart |= base > 0;
                }
                RowMode::Plain => {}
            }
            rows[w] = r;
            w += 1;
        }
        i = j;
    }
    rows.truncate(w);
    (duplicates, contradicting, apart)
}

/// Two rows of one transfer, in words, for a contradiction.
fn describe_row(ledger: &Ledger, dropped: &Row, kept: &Row) -> String {
    let side = |r: &Row| {
        format!(
            "{} -> {} {} {}",
            ledger.addresses[r.from as usize],
            ledger.addresses[r.to as usize],
            join_amount(r.amount),
            ledger.asset_name(AssetId(r.asset))
        )
    };
    let kind = match dropped.kind {
        TransferKind::Native => "value",
        TransferKind::Internal => "internal transfer",
        TransferKind::Token => "token transfer",
        TransferKind::Fee => "fee",
    };
    let index = match dropped.kind {
        TransferKind::Token => format!(" (log index {})", dropped.sub_index),
        TransferKind::Internal => format!(" (trace rank {})", dropped.sub_index),
        _ => String::new(),
    };
    format!(
        "{kind}{index} of transaction {}: {} against {}",
        ledger.tx_hash_hex(TxIndex(dropped.tx)),
        side(dropped),
        side(kept)
    )
}

/// How many transaction records wait to be settled together. Batches of
/// 2^18 and 2^20 ran equally fast; the smaller needs less memory.
const PENDING_TRANSACTIONS: usize = if cfg!(test) { 7 } else { 1 << 18 };

/// Rows moved into the ledger's columns between two releases of the memory
/// they held (see [`LedgerBuilder::build`]): 48 MB at a time.
const RELEASE_ROWS: usize = 1 << 20;

/// The transaction of a row dropped when settling.
const DROPPED: u32 = u32::MAX;

/// How many EVM addresses wait to be interned together (28 bytes each).
const PENDING_ADDRESSES: usize = if cfg!(test) { 5 } else { 1 << 18 };

/// Which end of a row an address is.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Side {
    From,
    To,
}

/// An EVM address waiting to be interned, and where its id goes.
#[derive(Copy, Clone, Debug)]
struct PendingAddress {
    row: u32,
    side: Side,
    bytes: [u8; 20],
}

/// An EVM address as a map key, hashed as three words rather than byte by
/// byte.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct EvmKey([u8; 20]);

impl std::hash::Hash for EvmKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let b = &self.0;
        let word = |i: usize| {
            u64::from_le_bytes([
                b[i],
                b[i + 1],
                b[i + 2],
                b[i + 3],
                b[i + 4],
                b[i + 5],
                b[i + 6],
                b[i + 7],
            ])
        };
        state.write_u64(word(0));
        state.write_u64(word(8));
        state.write_u32(u32::from_le_bytes([b[16], b[17], b[18], b[19]]));
    }
}

/// A slot of the transaction table: an id and half of its key.
#[derive(Copy, Clone, Debug)]
struct TxSlot {
    id: u32,
    key_low: u32,
}

impl TxSlot {
    /// The hash the table places a key by: a function of the low half
    /// alone, so it can be recomputed from the slot when the table grows.
    /// hashbrown takes the bucket from the low bits and a tag from the top
    /// seven, so the half is spread over both (they stay independent up to
    /// 2^25 buckets; beyond, tags only match more often).
    fn placement(key: u64) -> u64 {
        let k = key & u64::from(u32::MAX);
        k | (k << 32)
    }

    fn new(id: u32, placement: u64) -> Self {
        TxSlot {
            id,
            key_low: placement as u32,
        }
    }

    fn rehash(&self) -> u64 {
        Self::placement(u64::from(self.key_low))
    }
}

fn checked_id(len: usize, what: &'static str) -> Result<u32, LedgerError> {
    if len >= MAX_INDEX {
        return Err(LedgerError::TooLarge { what });
    }
    Ok(len as u32)
}

/// The recorded gas prices by transaction index, sorted.
fn gas_price_table(ledger: &Ledger, mut prices: Vec<([u8; 32], u64)>) -> Vec<(TxIndex, u64)> {
    if prices.is_empty() {
        return Vec::new();
    }
    prices.sort_unstable();
    prices.dedup_by_key(|(h, _)| *h);
    let mut out: Vec<(TxIndex, u64)> = prices
        .into_iter()
        .filter_map(|(h, p)| Some((ledger.tx_by_hash(&h)?, p)))
        .collect();
    out.sort_unstable();
    out.shrink_to_fit();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(n: u8) -> Address {
        Address::Evm([n; 20])
    }

    fn rec(
        chain: ChainId,
        tx: u8,
        block: u64,
        pos: u32,
        from: u8,
        to: u8,
        amount: Amount,
    ) -> TransferRecord {
        TransferRecord {
            chain,
            tx_hash: [tx; 32],
            block,
            time: 1000 + block,
            tx_position: pos,
            kind: TransferKind::Native,
            sub_index: 0,
            from: addr(from),
            to: addr(to),
            asset: Asset::Native,
            amount,
        }
    }

    fn build(records: &[TransferRecord]) -> Ledger {
        let mut b = LedgerBuilder::new();
        let eth = b.chain("ethereum", "ETH");
        assert_eq!(eth, ChainId(0));
        for r in records {
            b.push(r.clone()).unwrap();
        }
        b.build().unwrap()
    }

    fn dump(l: &Ledger) -> Vec<(String, String, String, Amount)> {
        l.transfers()
            .map(|t| {
                (
                    l.tx_hash_hex(t.tx),
                    l.address(t.from).to_string(),
                    l.address(t.to).to_string(),
                    t.amount,
                )
            })
            .collect()
    }

    #[test]
    fn order_and_ids_do_not_depend_on_push_order() {
        let eth = ChainId(0);
        let mut recs = vec![
            rec(eth, 3, 2, 0, 9, 1, 10),
            rec(eth, 1, 1, 1, 2, 3, 20),
            rec(eth, 2, 1, 0, 3, 2, 30),
        ];
        let a = build(&recs);
        recs.reverse();
        let b = build(&recs);
        assert_eq!(dump(&a), dump(&b));
        assert_eq!(a.addresses(), b.addresses());
        // Event order: block 1 pos 0, block 1 pos 1, block 2.
        let amounts: Vec<Amount> = a.transfers().map(|t| t.amount).collect();
        assert_eq!(amounts, vec![30, 20, 10]);
        assert_eq!(a.time(TransferId(2)), 1002);
        assert_eq!(a.first_transfer_at(1002), TransferId(2));
        assert_eq!(a.first_transfer_at(5000), TransferId(3));
    }

    #[test]
    fn exact_duplicates_are_kept_once_and_counted() {
        let eth = ChainId(0);
        let r = rec(eth, 1, 1, 0, 1, 2, 5);
        let l = build(&[r.clone(), r]);
        assert_eq!(l.transfer_count(), 1);
        assert_eq!(l.duplicates_dropped(), 1);
    }

    #[test]
    fn conflicting_transaction_coordinates_are_refused() {
        let mut b = LedgerBuilder::new();
        let eth = b.chain("ethereum", "ETH");
        b.push(rec(eth, 1, 1, 0, 1, 2, 5)).unwrap();
        // Transactions are checked when the builder settles (here at build).
        b.push(rec(eth, 1, 1, 3, 1, 2, 5)).unwrap();
        let err = b.build().unwrap_err();
        assert!(matches!(err, LedgerError::ConflictingTransaction { .. }));
        // Block times are checked at once.
        let mut b = LedgerBuilder::new();
        let eth = b.chain("ethereum", "ETH");
        b.push(rec(eth, 1, 1, 0, 1, 2, 5)).unwrap();
        let mut r = rec(eth, 2, 1, 1, 1, 2, 5);
        r.time = 7;
        let err = b.push(r).unwrap_err();
        assert!(matches!(
            err,
            LedgerError::ConflictingBlockTime { block: 1, .. }
        ));
    }

    #[test]
    fn settling_drops_a_conflicting_record_and_merges_repeats() {
        let mut b = LedgerBuilder::new();
        let eth = b.chain("ethereum", "ETH");
        b.at_line(2);
        // Position unknown here, given by the repeat below. (Transfers of
        // one transaction get their own index: the same index with other
        // content would contradict.)
        b.push_loose(rec(eth, 1, 1, 0, 1, 2, 5), Some(1001), None)
            .unwrap();
        b.at_line(3);
        let mut r = rec(eth, 1, 1, 4, 1, 2, 6);
        r.sub_index = 1;
        b.push(r).unwrap();
        b.at_line(4);
        let mut r = rec(eth, 1, 1, 3, 8, 9, 7);
        r.sub_index = 2;
        b.push(r).unwrap();
        b.at_line(5);
        b.push(rec(eth, 2, 1, 5, 2, 3, 8)).unwrap();
        b.settle().unwrap();
        let conflicts = b.take_conflicts();
        assert_eq!(conflicts.len(), 1);
        assert_eq!(conflicts[0].0.line(), 4);
        assert!(matches!(
            conflicts[0].1,
            LedgerError::ConflictingTransaction {
                first_position: Some(4),
                second_position: Some(3),
                ..
            }
        ));
        let l = b.build().unwrap();
        assert_eq!(l.tx_count(), 2);
        assert_eq!(l.transfer_count(), 3);
        let amounts: Vec<Amount> = l.transfers().map(|t| t.amount).collect();
        assert_eq!(amounts, vec![5, 6, 8]);
        assert_eq!(l.address_id(&addr(8)), None);
        assert_eq!(l.address_id(&addr(9)), None);
    }

    proptest::proptest! {
        /// Settling in batches gives what checking each record on arrival
        /// gives: the first record of a hash fixes its block, later ones
        /// fill in its position or, if they contradict it, are dropped.
        #[test]
        fn settling_in_batches_matches_checking_each_record(
            records in proptest::collection::vec(
                (0u8..6, 0u64..2, proptest::option::of(0u32..2), 1u8..5, 1u8..5),
                0..60,
            ),
        ) {
            let mut b = LedgerBuilder::new();
            let eth = b.chain("ethereum", "ETH");
            // The model: hash -> (block, position), and the lines dropped.
            let mut seen: std::collections::HashMap<u8, (u64, Option<u32>)> =
                std::collections::HashMap::new();
            let mut dropped = Vec::new();
            let mut kept = Vec::new();
            for (line, &(tx, block, position, from, to)) in records.iter().enumerate() {
                b.at_line(line as u64);
                let mut r = rec(eth, tx, block, 0, from, to, line as Amount);
                r.time = 1000;
                r.sub_index = line as u32;
                b.push_loose(r, Some(1000), position).unwrap();
                match seen.get_mut(&tx) {
                    None => {
                        seen.insert(tx, (block, position));
                        kept.push(line as Amount);
                    }
                    Some((b0, p0)) => {
                        let clash = matches!((*p0, position), (Some(a), Some(c)) if a != c);
                        if *b0 != block || clash {
                            dropped.push(line as u64);
                        } else {
                            *p0 = p0.or(position);
                            kept.push(line as Amount);
                        }
                    }
                }
            }
            b.settle().unwrap();
            let lines: Vec<u64> = b.take_conflicts().into_iter().map(|(l, _)| l.line()).collect();
            proptest::prop_assert_eq!(lines, dropped);
            let l = b.build().unwrap();
            proptest::prop_assert_eq!(l.tx_count(), seen.len());
            let mut amounts: Vec<Amount> = l.transfers().map(|t| t.amount).collect();
            amounts.sort_unstable();
            // Addresses of dropped records are not interned either.
            let mut used: Vec<Address> = kept
                .iter()
                .flat_map(|&line| {
                    let (_, _, _, from, to) = records[line as usize];
                    [addr(from), addr(to)]
                })
                .collect();
            used.sort();
            used.dedup();
            proptest::prop_assert_eq!(l.addresses(), &used[..]);
            proptest::prop_assert_eq!(amounts, kept);
            for t in l.transfers() {
                let line = t.amount as usize;
                let (_, _, _, from, to) = records[line];
                proptest::prop_assert_eq!(l.address(t.from), &addr(from));
                proptest::prop_assert_eq!(l.address(t.to), &addr(to));
                let (block, position) = seen[&records[line].0];
                proptest::prop_assert_eq!(l.tx_block(t.tx).number, block);
                proptest::prop_assert_eq!(l.tx_position(t.tx), position.unwrap_or(u32::MAX));
            }
        }
    }

    #[test]
    fn a_transfer_recorded_twice_with_other_content_contradicts() {
        // Strict: an error naming both records.
        let mut b = LedgerBuilder::new();
        let eth = b.chain("ethereum", "ETH");
        b.begin_input("a.csv", false);
        b.at_line(2);
        b.push_checked(rec(eth, 1, 1, 0, 1, 2, 100), Some(1001), Some(0))
            .unwrap();
        b.begin_input("b.csv", false);
        b.at_line(7);
        b.push_checked(rec(eth, 1, 1, 0, 1, 2, 900), Some(1001), Some(0))
            .unwrap();
        let err = b.build().unwrap_err().to_string();
        assert!(err.contains("b.csv:7 contradicts a.csv:2"), "{err}");
        assert!(err.contains("900") && err.contains("100"), "{err}");
        // Lenient: the first read is kept, the other dropped, counted and listed.
        let mut b = LedgerBuilder::new();
        let eth = b.chain("ethereum", "ETH");
        for (name, line, amount) in [("b.csv", 3, 900), ("a.csv", 5, 100)] {
            b.begin_input(name, true);
            b.at_line(line);
            b.push_checked(rec(eth, 1, 1, 0, 1, 2, amount), Some(1001), Some(0))
                .unwrap();
            b.add_input(InputFile {
                path: name.into(),
                sha256: String::new(),
                records: 1,
                skipped: Default::default(),
                ignored: Default::default(),
            });
        }
        let l = b.build().unwrap();
        let amounts: Vec<Amount> = l.transfers().map(|t| t.amount).collect();
        assert_eq!(amounts, vec![900]);
        assert_eq!(l.conflicts().len(), 1);
        let c = &l.conflicts()[0];
        assert_eq!(c.dropped.to_string(), "a.csv:5");
        assert_eq!(c.kept.to_string(), "b.csv:3");
        assert_eq!(c.reason, "conflicting transfer");
        let a = l.inputs().iter().find(|i| i.path == "a.csv").unwrap();
        assert_eq!(a.records, 0);
        assert_eq!(a.skipped.get("conflicting transfer"), Some(&1));
        assert_eq!(l.duplicates_dropped(), 0);
    }

    #[test]
    fn unkeyed_rows_are_numbered_in_content_order_and_repeats_merge() {
        let mut b = LedgerBuilder::new();
        let eth = b.chain("ethereum", "ETH");
        // Two distinct rows numbered 0 each, a repeat of one numbered 1,
        // and the first again from an overlapping input (numbered 0).
        for (amount, occurrence) in [(7, 0), (5, 0), (7, 1), (7, 0)] {
            let mut r = rec(eth, 1, 1, 0, 1, 2, amount);
            r.kind = TransferKind::Internal;
            r.sub_index = occurrence;
            b.push_unkeyed(r, Some(1001), Some(0)).unwrap();
        }
        let l = b.build().unwrap();
        let got: Vec<(u32, Amount)> = l.transfers().map(|t| (t.sub_index, t.amount)).collect();
        assert_eq!(got, vec![(0, 5), (1, 7), (2, 7)]);
        assert_eq!(l.duplicates_dropped(), 1);
        assert!(l.conflicts().is_empty());
    }

    fn trace(b: &mut LedgerBuilder, path: &[u32], amount: Amount) {
        let eth = ChainId(0);
        b.push_trace(
            eth,
            [1; 32],
            path.to_vec(),
            1,
            Some(1001),
            Some(0),
            addr(1),
            addr(2),
            amount,
        );
    }

    #[test]
    fn traces_rank_by_address_across_inputs_and_repeats_merge() {
        let one = {
            let mut b = LedgerBuilder::new();
            b.chain("ethereum", "ETH");
            for (p, v) in [(&[0][..], 3), (&[0, 1][..], 4), (&[1][..], 5)] {
                trace(&mut b, p, v);
            }
            b.build().unwrap()
        };
        let two = {
            let mut b = LedgerBuilder::new();
            b.chain("ethereum", "ETH");
            b.begin_input("first", false);
            trace(&mut b, &[1], 5);
            trace(&mut b, &[0], 3);
            b.begin_input("second", false);
            trace(&mut b, &[0, 1], 4);
            trace(&mut b, &[1], 5);
            trace(&mut b, &[1], 5);
            b.build().unwrap()
        };
        let dump = |l: &Ledger| -> Vec<(u32, Amount)> {
            l.transfers().map(|t| (t.sub_index, t.amount)).collect()
        };
        assert_eq!(dump(&one), vec![(1, 3), (2, 4), (3, 5)]);
        assert_eq!(dump(&one), dump(&two));
        // A trace address with two contents contradicts.
        let mut b = LedgerBuilder::new();
        b.chain("ethereum", "ETH");
        b.begin_input("t.csv", false);
        b.at_line(2);
        trace(&mut b, &[0], 3);
        b.at_line(9);
        trace(&mut b, &[0], 8);
        let err = b.build().unwrap_err().to_string();
        assert!(err.contains("t.csv:9 contradicts t.csv:2"), "{err}");
        assert!(err.contains("trace [0]"), "{err}");
    }

    #[test]
    fn blocks_running_backwards_are_an_error_when_strict_and_a_warning_when_lenient() {
        for lenient in [false, true] {
            let mut b = LedgerBuilder::new();
            let eth = b.chain("ethereum", "ETH");
            b.begin_input("x.csv", lenient);
            b.at_line(2);
            let mut r = rec(eth, 1, 10, 0, 1, 2, 5);
            r.time = 2000;
            b.push(r).unwrap();
            b.at_line(3);
            let mut r = rec(eth, 2, 11, 0, 1, 2, 5);
            r.time = 1500;
            b.push(r).unwrap();
            match b.build() {
                Err(e) => {
                    assert!(!lenient);
                    let e = e.to_string();
                    assert!(
                        e.contains("block 11") && e.contains("x.csv:3") && e.contains("x.csv:2"),
                        "{e}"
                    );
                }
                Ok(l) => {
                    assert!(lenient);
                    assert!(
                        l.warnings()
                            .iter()
                            .any(|w| w.contains("1 block(s) are dated before")),
                        "{:?}",
                        l.warnings()
                    );
                }
            }
        }
    }

    #[test]
    fn one_symbol_on_two_chains_gets_two_names() {
        let mut b = LedgerBuilder::new();
        let eth = b.chain("ethereum", "ETH");
        let arb = b.chain("arbitrum", "ETH");
        b.push(rec(eth, 1, 1, 0, 1, 2, 5)).unwrap();
        let mut r = rec(arb, 2, 1, 0, 1, 2, 7);
        r.time = 1001;
        b.push(r).unwrap();
        let l = b.build().unwrap();
        let mut names: Vec<String> = (0..l.assets().len())
            .map(|i| l.asset_name(AssetId::from_usize(i)))
            .collect();
        names.sort();
        assert_eq!(names, vec!["ETH@arbitrum", "ETH@ethereum"]);
        assert!(l.asset_by_name("ETH@arbitrum").is_some());
    }

    #[test]
    fn kinds_order_within_a_transaction() {
        let eth = ChainId(0);
        let mut fee = rec(eth, 1, 1, 0, 1, 2, 1);
        fee.kind = TransferKind::Fee;
        let mut token = rec(eth, 1, 1, 0, 1, 2, 2);
        token.kind = TransferKind::Token;
        token.asset = Asset::Token(addr(7));
        let mut internal = rec(eth, 1, 1, 0, 1, 2, 3);
        internal.kind = TransferKind::Internal;
        let native = rec(eth, 1, 1, 0, 1, 2, 4);
        let l = build(&[fee, token, internal, native]);
        let kinds: Vec<TransferKind> = l.kinds().to_vec();
        assert_eq!(
            kinds,
            vec![
                TransferKind::Native,
                TransferKind::Internal,
                TransferKind::Token,
                TransferKind::Fee
            ]
        );
        assert_eq!(
            l.asset_name(l.transfer(TransferId(2)).asset),
            addr(7).to_string()
        );
        assert_eq!(l.asset_name(l.transfer(TransferId(0)).asset), "ETH");
        assert_eq!(l.tx_count(), 1);
        assert_eq!(l.tx_by_hash(&[1; 32]), Some(TxIndex(0)));
        assert_eq!(l.tx_by_hash(&[2; 32]), None);
    }
}
