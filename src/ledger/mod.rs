//! The validated, interned, time-ordered ledger every analysis runs on.
//!
//! A [`LedgerBuilder`] collects transfers from any number of inputs; its
//! [`build`](LedgerBuilder::build) interns addresses, assets and
//! transactions in a canonical order (so ids do not depend on input row
//! order), sorts transfers into the one total event order of the crate, and
//! checks that transactions and blocks agree across inputs. The resulting
//! [`Ledger`] is immutable; transfers are numbered in event order, so a
//! [`TransferId`] comparison is a time comparison.

mod address;
mod builder;
mod conflict;
pub mod snapshot;
pub mod utxo;

pub use address::{parse_hash32, Address, AddressError, Asset, Sink};
pub use builder::{LedgerBuilder, LedgerError, Movement, TransferRecord};
pub use conflict::{Conflict, Origin};

use serde::{Deserialize, Serialize};

use crate::amount::Amount;
use crate::id::{AddressId, AssetId, ChainId, TransferId, TxIndex};

/// What kind of value movement a transfer is; also its rank inside one
/// transaction (DESIGN §6: the transaction's own value first, then internal
/// transfers in trace order, then token transfers in log order; the fee last).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TransferKind {
    /// The value of the transaction itself.
    Native,
    /// An internal transfer (a trace with value).
    Internal,
    /// A token transfer (an ERC-20 `Transfer` log).
    Token,
    /// The transaction fee, from the sender to the fee sink.
    Fee,
}

/// An interned asset: a chain's native coin or a token contract on it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AssetInfo {
    /// The chain the asset lives on.
    pub chain: ChainId,
    /// Native coin or token contract.
    pub asset: Asset,
}

/// One chain of a ledger.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ChainInfo {
    /// Chain name (`ethereum`).
    pub name: String,
    /// Symbol of the native coin (`ETH`).
    pub native_symbol: String,
}

impl ChainInfo {
    /// Whether the chain is a UTXO chain (Bitcoin and its forks), whose
    /// transaction ids are printed without `0x`.
    #[must_use]
    pub fn is_utxo(&self) -> bool {
        matches!(
            self.name.as_str(),
            "bitcoin" | "bitcoin-testnet" | "litecoin" | "bitcoin-cash" | "dogecoin"
        )
    }

    /// Decimals of the native coin: 8 on UTXO chains (satoshi), 18 otherwise (wei).
    #[must_use]
    pub fn native_decimals(&self) -> u32 {
        if self.is_utxo() {
            8
        } else {
            18
        }
    }
}

/// One block (per chain) that holds at least one transaction of the ledger.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BlockInfo {
    /// Time of the block (unix seconds). First, so blocks sort by time.
    pub time: u64,
    /// The chain.
    pub chain: ChainId,
    /// Block number (height).
    pub number: u64,
}

/// A transfer as seen through [`Ledger::transfer`].
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Transfer {
    /// The transfer's id (its position in event order).
    pub id: TransferId,
    /// Sender.
    pub from: AddressId,
    /// Receiver.
    pub to: AddressId,
    /// Asset moved.
    pub asset: AssetId,
    /// Amount in base units.
    pub amount: Amount,
    /// The transaction it belongs to.
    pub tx: TxIndex,
    /// Kind of movement.
    pub kind: TransferKind,
    /// Log index (tokens) or trace position (internal); 0 otherwise.
    pub sub_index: u32,
}

/// The SHA-256 digest of one input file and what was read from it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputFile {
    /// Path as given.
    pub path: String,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: String,
    /// Records accepted.
    pub records: u64,
    /// Records skipped in lenient mode, by reason (sorted).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub skipped: std::collections::BTreeMap<String, u64>,
    /// Records left out on purpose (failed transactions, zero-value traces…), by reason.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub ignored: std::collections::BTreeMap<String, u64>,
}

/// Asset names of a ledger (see `Ledger::names`).
#[derive(Clone, Debug, Default)]
pub(crate) struct AssetNames {
    by_id: Vec<String>,
    sorted: Vec<(String, AssetId)>,
}

/// An immutable ledger: interned tables and transfers in event order.
///
/// Transfers are stored column by column (struct of arrays); a transfer's
/// id is its index. See [`LedgerBuilder`] for how one is made.
#[derive(Clone, Debug, Default)]
pub struct Ledger {
    pub(crate) chains: Vec<ChainInfo>,
    pub(crate) addresses: Vec<Address>,
    pub(crate) assets: Vec<AssetInfo>,
    pub(crate) blocks: Vec<BlockInfo>,
    pub(crate) tx_hash: Vec<[u8; 32]>,
    pub(crate) tx_block: Vec<u32>,
    pub(crate) tx_position: Vec<u32>,
    /// Transaction indices sorted by hash, built on the first lookup (most
    /// analyses never look a transaction up, so its memory is not spent up front).
    pub(crate) tx_by_hash: std::sync::OnceLock<Vec<TxIndex>>,
    /// Every asset's reported name, and the names lower-cased and sorted
    /// for [`Ledger::asset_by_name`], built on the first use.
    pub(crate) asset_names: std::sync::OnceLock<AssetNames>,
    pub(crate) from: Vec<AddressId>,
    pub(crate) to: Vec<AddressId>,
    pub(crate) asset: Vec<AssetId>,
    pub(crate) amount: Vec<Amount>,
    pub(crate) tx: Vec<TxIndex>,
    pub(crate) kind: Vec<TransferKind>,
    pub(crate) sub_index: Vec<u32>,
    /// Gas prices (wei) of the transactions whose input gave one and was
    /// asked to keep it ([`LedgerBuilder::record_gas_price`]), sorted by
    /// transaction: empty unless asked for, 16 bytes per entry.
    pub(crate) tx_gas_price: Vec<(TxIndex, u64)>,
    pub(crate) inputs: Vec<InputFile>,
    pub(crate) conflicts: Vec<Conflict>,
    pub(crate) duplicates_dropped: u64,
    pub(crate) warnings: Vec<String>,
    /// The snapshot file the ledger was read from, if any (reports cite it).
    pub(crate) snapshot: Option<snapshot::SnapshotSource>,
}

impl Ledger {
    /// Number of transfers.
    #[must_use]
    pub fn transfer_count(&self) -> usize {
        self.from.len()
    }

    /// Number of distinct addresses (sinks included).
    #[must_use]
    pub fn address_count(&self) -> usize {
        self.addresses.len()
    }

    /// Number of distinct transactions.
    #[must_use]
    pub fn tx_count(&self) -> usize {
        self.tx_hash.len()
    }

    /// The transfer with id `id`.
    ///
    /// # Panics
    ///
    /// Panics if `id` is not a transfer of this ledger.
    #[must_use]
    pub fn transfer(&self, id: TransferId) -> Transfer {
        let i = id.index();
        Transfer {
            id,
            from: self.from[i],
            to: self.to[i],
            asset: self.asset[i],
            amount: self.amount[i],
            tx: self.tx[i],
            kind: self.kind[i],
            sub_index: self.sub_index[i],
        }
    }

    /// All transfers in event order.
    pub fn transfers(&self) -> impl ExactSizeIterator<Item = Transfer> + '_ {
        (0..self.transfer_count()).map(|i| self.transfer(TransferId::from_usize(i)))
    }

    /// Senders, one per transfer, in event order.
    #[must_use]
    pub fn senders(&self) -> &[AddressId] {
        &self.from
    }

    /// Receivers, one per transfer, in event order.
    #[must_use]
    pub fn receivers(&self) -> &[AddressId] {
        &self.to
    }

    /// Amounts, one per transfer, in event order.
    #[must_use]
    pub fn amounts(&self) -> &[Amount] {
        &self.amount
    }

    /// Assets, one per transfer, in event order.
    #[must_use]
    pub fn transfer_assets(&self) -> &[AssetId] {
        &self.asset
    }

    /// Transactions, one per transfer, in event order.
    #[must_use]
    pub fn transfer_txs(&self) -> &[TxIndex] {
        &self.tx
    }

    /// Kinds, one per transfer, in event order.
    #[must_use]
    pub fn kinds(&self) -> &[TransferKind] {
        &self.kind
    }

    /// The address behind an id.
    #[must_use]
    pub fn address(&self, id: AddressId) -> &Address {
        &self.addresses[id.index()]
    }

    /// All addresses, sorted; an address's id is its index here.
    #[must_use]
    pub fn addresses(&self) -> &[Address] {
        &self.addresses
    }

    /// The id of an address, if the ledger has it.
    #[must_use]
    pub fn address_id(&self, address: &Address) -> Option<AddressId> {
        self.addresses
            .binary_search(address)
            .ok()
            .map(AddressId::from_usize)
    }

    /// The asset behind an id.
    #[must_use]
    pub fn asset(&self, id: AssetId) -> &AssetInfo {
        &self.assets[id.index()]
    }

    /// All assets, sorted; an asset's id is its index here.
    #[must_use]
    pub fn assets(&self) -> &[AssetInfo] {
        &self.assets
    }

    /// The name an asset is reported under: the native symbol (`ETH`) or the
    /// token contract address. When two chains of the ledger would give the
    /// same name (ETH on two chains, one contract address on two chains), the
    /// chain is appended (`ETH@arbitrum`), so reports never add up different
    /// assets under one key.
    #[must_use]
    pub fn asset_name(&self, id: AssetId) -> String {
        self.names().by_id[id.index()].clone()
    }

    /// Finds an asset by its reported name (`ETH`, a token address), on any
    /// chain, ignoring ASCII case (the smallest id when several match).
    /// O(log assets) after the names are built once.
    #[must_use]
    pub fn asset_by_name(&self, name: &str) -> Option<AssetId> {
        let key = name.to_ascii_lowercase();
        let sorted = &self.names().sorted;
        let i = sorted.partition_point(|(n, _)| *n < key);
        sorted.get(i).filter(|(n, _)| *n == key).map(|&(_, id)| id)
    }

    /// The assets' names: a native symbol or a token contract, with `@chain`
    /// added when another chain has an asset of the same name. Built once in
    /// O(A log A) (asked per asset, the old scan of every asset was O(A²)).
    fn names(&self) -> &AssetNames {
        self.asset_names.get_or_init(|| {
            let base: Vec<String> = self
                .assets
                .iter()
                .map(|info| match &info.asset {
                    Asset::Native => self.chains[info.chain.index()].native_symbol.clone(),
                    Asset::Token(a) => a.to_string(),
                })
                .collect();
            // Name → the chain of its first asset, and whether a second chain has it.
            let mut chains_of: std::collections::HashMap<&str, (ChainId, bool)> =
                std::collections::HashMap::with_capacity(base.len());
            for (name, info) in base.iter().zip(&self.assets) {
                let e = chains_of.entry(name).or_insert((info.chain, false));
                e.1 |= e.0 != info.chain;
            }
            let by_id: Vec<String> = base
                .iter()
                .zip(&self.assets)
                .map(|(name, info)| {
                    if chains_of.get(name.as_str()).is_some_and(|e| e.1) {
                        format!("{name}@{}", self.chains[info.chain.index()].name)
                    } else {
                        name.clone()
                    }
                })
                .collect();
            let mut sorted: Vec<(String, AssetId)> = by_id
                .iter()
                .enumerate()
                .map(|(i, n)| (n.to_ascii_lowercase(), AssetId::from_usize(i)))
                .collect();
            sorted.sort_unstable();
            AssetNames { by_id, sorted }
        })
    }

    /// The chains of the ledger, sorted by name.
    #[must_use]
    pub fn chains(&self) -> &[ChainInfo] {
        &self.chains
    }

    /// The 32-byte hash of a transaction.
    #[must_use]
    pub fn tx_hash(&self, tx: TxIndex) -> &[u8; 32] {
        &self.tx_hash[tx.index()]
    }

    /// The hash as printed: `0x` and lower-case hex on account chains; on
    /// UTXO chains the txid as Bitcoin prints it (hex, no prefix; ingest
    /// stores Bitcoin txids in display byte order).
    #[must_use]
    pub fn tx_hash_hex(&self, tx: TxIndex) -> String {
        let chain = &self.chains[self.tx_block(tx).chain.index()];
        if chain.is_utxo() {
            hex::encode(self.tx_hash(tx))
        } else {
            format!("0x{}", hex::encode(self.tx_hash(tx)))
        }
    }

    /// Looks a transaction up by hash. The first call builds a sorted index
    /// (4 bytes per transaction), kept for later calls.
    #[must_use]
    pub fn tx_by_hash(&self, hash: &[u8; 32]) -> Option<TxIndex> {
        let index = self.tx_by_hash.get_or_init(|| {
            let mut v: Vec<TxIndex> = (0..self.tx_hash.len()).map(TxIndex::from_usize).collect();
            v.sort_unstable_by_key(|t| self.tx_hash[t.index()]);
            v
        });
        index
            .binary_search_by(|t| self.tx_hash[t.index()].cmp(hash))
            .ok()
            .map(|i| index[i])
    }

    /// The gas price (wei) the sender of `tx` set, where an input gave it
    /// and the ledger was asked to keep it (see
    /// [`IngestOptions::gas_prices`](crate::ingest::IngestOptions::gas_prices)).
    #[must_use]
    pub fn gas_price(&self, tx: TxIndex) -> Option<u64> {
        self.tx_gas_price
            .binary_search_by_key(&tx, |&(t, _)| t)
            .ok()
            .map(|i| self.tx_gas_price[i].1)
    }

    /// Whether any transaction has a gas price.
    #[must_use]
    pub fn has_gas_prices(&self) -> bool {
        !self.tx_gas_price.is_empty()
    }

    /// The block a transaction is in.
    #[must_use]
    pub fn tx_block(&self, tx: TxIndex) -> BlockInfo {
        self.blocks[self.tx_block[tx.index()] as usize]
    }

    /// The position of a transaction in its block.
    #[must_use]
    pub fn tx_position(&self, tx: TxIndex) -> u32 {
        self.tx_position[tx.index()]
    }

    /// The time (unix seconds) of a transfer.
    #[must_use]
    pub fn time(&self, id: TransferId) -> u64 {
        self.tx_block(self.tx[id.index()]).time
    }

    /// The first transfer at or after `time` (or the transfer count if none).
    #[must_use]
    pub fn first_transfer_at(&self, time: u64) -> TransferId {
        let n = self.transfer_count();
        let (mut lo, mut hi) = (0usize, n);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.time(TransferId::from_usize(mid)) < time {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        TransferId::from_usize(lo)
    }

    /// The input files the ledger was read from, with digests and counts.
    #[must_use]
    pub fn inputs(&self) -> &[InputFile] {
        &self.inputs
    }

    /// Records of inputs read leniently that contradicted an earlier record
    /// and were dropped, in input and line order. Each is also counted among
    /// its input's [`skipped`](InputFile::skipped) records.
    #[must_use]
    pub fn conflicts(&self) -> &[Conflict] {
        &self.conflicts
    }

    /// Identical transfer records met more than once (the same transfer in
    /// two inputs) and kept once.
    #[must_use]
    pub fn duplicates_dropped(&self) -> u64 {
        self.duplicates_dropped
    }

    /// Things about the input a reader of any result should know (contract
    /// creations without a created address, …).
    #[must_use]
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Approximate heap bytes held by the ledger's tables.
    #[must_use]
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        let addr_text: usize = self
            .addresses
            .iter()
            .map(|a| match a {
                Address::Text(s) => s.len(),
                _ => 0,
            })
            .sum();
        self.addresses.capacity() * size_of::<Address>()
            + addr_text
            + self.assets.capacity() * size_of::<AssetInfo>()
            + self.blocks.capacity() * size_of::<BlockInfo>()
            + self.tx_hash.capacity() * 32
            + self.tx_block.capacity() * 4
            + self.tx_position.capacity() * 4
            + self.tx_by_hash.get().map_or(0, Vec::capacity) * 4
            + self.from.capacity() * 4
            + self.to.capacity() * 4
            + self.asset.capacity() * 4
            + self.amount.capacity() * 16
            + self.tx.capacity() * 4
            + self.kind.capacity() * size_of::<TransferKind>()
            + self.sub_index.capacity() * 4
    }
}

/// A small one-chain ledger for unit tests: one transfer per `(from, to,
/// amount, token)` move, each in its own block, addresses `[n; 20]`, the
/// token contract `[0xee; 20]`.
#[cfg(test)]
pub(crate) fn test_ledger(moves: &[(u8, u8, Amount, bool)]) -> Ledger {
    let mut b = LedgerBuilder::new();
    let eth = b.chain("ethereum", "ETH");
    for (i, &(f, t, amount, token)) in moves.iter().enumerate() {
        let pushed = b.push(TransferRecord {
            chain: eth,
            tx_hash: [i as u8 + 1; 32],
            block: i as u64,
            time: 1000 + i as u64,
            tx_position: 0,
            kind: if token {
                TransferKind::Token
            } else {
                TransferKind::Native
            },
            sub_index: 0,
            from: Address::Evm([f; 20]),
            to: Address::Evm([t; 20]),
            asset: if token {
                Asset::Token(Address::Evm([0xee; 20]))
            } else {
                Asset::Native
            },
            amount,
        });
        assert!(pushed.is_ok(), "{pushed:?}");
    }
    match b.build() {
        Ok(l) => l,
        Err(e) => panic!("test ledger refused: {e}"),
    }
}

#[cfg(test)]
mod asset_name_tests {
    use super::*;

    #[test]
    fn names_shared_by_two_chains_carry_the_chain() {
        let mut b = LedgerBuilder::new();
        let usdt = Address::Evm([0xdd; 20]);
        let only_eth = Address::Evm([0xee; 20]);
        let mut n = 0u8;
        for (chain, symbol, tokens) in [
            ("ethereum", "ETH", vec![usdt.clone(), only_eth.clone()]),
            ("polygon", "POL", vec![usdt.clone()]),
            ("arbitrum", "ETH", vec![]),
        ] {
            let c = b.chain(chain, symbol);
            let assets = tokens.into_iter().map(Asset::Token).chain([Asset::Native]);
            for asset in assets {
                n += 1;
                let pushed = b.push(TransferRecord {
                    chain: c,
                    tx_hash: [n; 32],
                    block: u64::from(n),
                    time: 1000 + u64::from(n),
                    tx_position: 0,
                    kind: TransferKind::Native,
                    sub_index: 0,
                    from: Address::Evm([1; 20]),
                    to: Address::Evm([2; 20]),
                    asset,
                    amount: 5,
                });
                assert!(pushed.is_ok(), "{pushed:?}");
            }
        }
        let l = match b.build() {
            Ok(l) => l,
            Err(e) => panic!("{e}"),
        };
        let mut names: Vec<String> = (0..l.assets().len())
            .map(|i| l.asset_name(AssetId::from_usize(i)))
            .collect();
        names.sort();
        let usdt_text = usdt.to_string();
        let mut want = vec![
            "ETH@arbitrum".to_string(),
            "ETH@ethereum".to_string(),
            "POL".to_string(),
            format!("{usdt_text}@ethereum"),
            format!("{usdt_text}@polygon"),
            only_eth.to_string(),
        ];
        want.sort();
        assert_eq!(names, want);
        // Lookups by name ignore ASCII case and find every asset.
        for name in &want {
            let id = l.asset_by_name(&name.to_uppercase());
            assert_eq!(id.map(|id| l.asset_name(id)).as_ref(), Some(name));
        }
        assert_eq!(l.asset_by_name("ETH"), None);
        assert_eq!(l.asset_by_name(&usdt_text), None);
    }
}
