//! Bitcoin and other UTXO chains: consensus decoding of raw blocks and
//! transactions, addresses from output scripts, the node and bitcoin-etl
//! JSON loaders, the UTXO ledger, UTXO taint policies and tracing,
//! clustering with provenance, CoinJoin and peel-chain detection.
//!
//! # Map
//!
//! | step | items |
//! |---|---|
//! | decode | [`load_blocks`] / [`decode_blocks`] (blk records, raw or hex, bzip2), [`decode_blocks_lenient`], [`Block`], [`Transaction`], [`BlkRecords`] |
//! | JSON | [`load_core_blocks_json`] (`getblock <hash> 2`), [`load_etl_transactions`] (bitcoin-etl) |
//! | addresses | [`script_address`], [`script_type`] |
//! | ledger | [`TxRecord`] (what every input format produces), [`UtxoLedger::from_blocks`], [`UtxoLedger::from_records`] |
//! | taint | [`apply_policy`] (one transaction), [`trace()`] / [`trace_with`] / [`trace_incidents`] (a ledger) |
//! | heuristics | [`cluster()`] + [`Clustering::explain`], [`detect_coinjoin`], [`peel_chains`] |
//! | graph view | [`transfer_records`] (address-level transfers for [`crate::LedgerBuilder`]) |
//!
//! Decoding and loading return `Result`s whose errors name the byte offset
//! (or line) and field; once a [`UtxoLedger`] exists, analysis cannot fail.
//! Every count read from raw data is checked against the bytes that remain
//! before anything is allocated.
//!
//! # Example
//!
//! ```
//! use fundtrace::btc::{cluster, genesis_block, trace, UtxoLedger, UtxoPolicy};
//!
//! // blocks from a blk*.dat file would come from `load_blocks(File::open(..)?)`
//! let blocks = vec![genesis_block()];
//! let ledger = UtxoLedger::from_blocks(&blocks, 0)?;
//! let seeds = ["4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b:0".parse()?];
//! let result = trace(&ledger, &seeds, UtxoPolicy::Fifo);
//! assert_eq!(result.held, 5_000_000_000);
//! assert!(result.is_conserved());
//! assert_eq!(cluster(&ledger).cluster_count(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod block;
mod cluster;
mod coinjoin;
mod decode;
mod fasthash;
mod hash;
mod json;
mod ledger;
mod peel;
mod script;
mod taint;
mod transfers;
mod tx;

pub use block::{
    decode_blocks, decode_blocks_lenient, genesis_block, genesis_hash, load_blocks, merkle_root,
    read_maybe_bzip2, read_maybe_bzip2_limited, BlkRecords, Block, BlockHeader, GENESIS_HASH,
    KNOWN_MAGICS, MAX_BLOCK_SIZE, MAX_INPUT_BYTES,
};
pub use block::{BZIP2_ALLOWANCE, BZIP2_RATIO};
pub use cluster::{
    cluster, cluster_with, ClusterEntry, ClusterId, ClusterOptions, ClusterReport, Clustering,
    Heuristic, Merge, MergeEvidence, SkippedCoinJoin, UnknownAddress,
};
pub use coinjoin::{
    coinjoins, detect_coinjoin, is_wasabi2_denomination, CoinJoinKind, CoinJoinVerdict, TxPart,
    TxShape, WHIRLPOOL_POOLS,
};
pub use decode::DecodeError;
pub use hash::{sha256d, BlockHash, HashParseError, MerkleRoot, Txid, Wtxid};
pub use json::{
    load_core_blocks_json, load_core_records_json, load_etl_transactions,
    load_etl_transactions_lenient, load_records_jsonl, JsonError,
};
pub use ledger::{
    block_records, ledger_from_blocks, order_chain, start_height, ChainError, ChainSummary,
    InputInfo, InputRecord, InputSource, OrderedChain, OutputId, OutputInfo, OutputRecord, TxInfo,
    TxRecord, UnresolvedInput, UnresolvedReason, UtxoLedger,
};
pub use peel::{peel_chains, PeelChain, PeelOptions};
pub use script::{hash160, script_address, script_type, Network, ScriptType};
pub use taint::{
    apply_policy, trace, trace_incidents, trace_with, AddressTaint, ExitHit, HistoryGap, Incident,
    IncidentResult, Lot, PolicySplit, ReachedTx, TaintedOutput, UnknownPolicy, UtxoPolicy,
    UtxoSeed, UtxoTraceOptions, UtxoTraceResult,
};
pub use transfers::{transfer_records, unresolved_address};
pub use tx::{OutPoint, OutPointParseError, Transaction, TxIn, TxOut};
