//! Bitcoin and other UTXO chains: consensus decoding of raw blocks and
//! transactions, addresses from output scripts, the node and bitcoin-etl
//! JSON loaders, the UTXO ledger, UTXO taint policies and tracing,
//! clustering with provenance, CoinJoin and peel-chain detection.
//!
//! The principal types: [`Block`] and [`Transaction`] (decoded with
//! [`load_blocks`] or [`Transaction::decode`]), [`UtxoLedger`] (built with
//! [`UtxoLedger::from_blocks`]), [`trace()`] with a [`UtxoPolicy`], and
//! [`cluster()`] giving a [`Clustering`] that can [`Clustering::explain`]
//! every merge.

mod block;
mod cluster;
mod coinjoin;
mod decode;
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
    read_maybe_bzip2, BlkRecords, Block, BlockHeader, GENESIS_HASH, KNOWN_MAGICS, MAX_BLOCK_SIZE,
};
pub use cluster::{cluster, cluster_with, ClusterId, ClusterOptions, Clustering, Heuristic, Merge};
pub use coinjoin::{
    detect_coinjoin, is_wasabi2_denomination, CoinJoinKind, CoinJoinVerdict, TxPart, TxShape,
    WHIRLPOOL_POOLS,
};
pub use decode::DecodeError;
pub use hash::{sha256d, BlockHash, HashParseError, MerkleRoot, Txid, Wtxid};
pub use json::{load_core_blocks_json, load_etl_transactions, JsonError};
pub use ledger::{
    block_records, start_height, ChainError, InputInfo, InputRecord, InputSource, OutputId,
    OutputInfo, OutputRecord, TxInfo, TxRecord, UnresolvedInput, UnresolvedReason, UtxoLedger,
};
pub use peel::{peel_chains, PeelChain, PeelOptions};
pub use script::{hash160, script_address, script_type, Network, ScriptType};
pub use taint::{
    apply_policy, trace, trace_with, AddressTaint, ExitHit, HistoryGap, Lot, PolicySplit,
    ReachedTx, TaintedOutput, UnknownPolicy, UtxoPolicy, UtxoSeed, UtxoTraceOptions,
    UtxoTraceResult,
};
pub use transfers::{transfer_records, unresolved_address};
pub use tx::{OutPoint, OutPointParseError, Transaction, TxIn, TxOut};
