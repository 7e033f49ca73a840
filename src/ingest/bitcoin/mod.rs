//! Bitcoin inputs: raw blocks or `blk*.dat` record streams (optionally
//! bzip2-compressed), Bitcoin Core `getblock <hash> 2` JSON and bitcoin-etl
//! `transactions.json`: consensus decoding of blocks and transactions
//! (`decode`, `tx`, `block`), the JSON formats (`json`), blocks put in chain
//! order and turned into a [`UtxoLedger`] (`chain`); this file opens the
//! files and keeps their digests.
//!
//! Raw blocks do not carry their height: it is counted from the genesis
//! block when the first block is the genesis block or builds on it, and
//! otherwise must be given (`first_height`).

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

mod block;
mod chain;
mod decode;
mod json;
mod tx;

pub use block::{
    decode_blocks, decode_blocks_lenient, genesis_block, load_blocks, merkle_root,
    read_maybe_bzip2, read_maybe_bzip2_limited, BlkRecords, Block, BlockHeader, BZIP2_ALLOWANCE,
    BZIP2_RATIO, KNOWN_MAGICS, MAX_BLOCK_SIZE, MAX_INPUT_BYTES,
};
pub use chain::{
    block_records, chain_records, ledger_from_blocks, order_chain, start_height,
    utxo_ledger_from_blocks, ChainError, ChainSummary, OrderedChain,
};
pub use decode::DecodeError;
pub use json::{
    load_core_blocks_json, load_core_records_json, load_etl_transactions,
    load_etl_transactions_lenient, load_records_jsonl, JsonError,
};
pub use tx::{Transaction, TxIn, TxOut};

use super::{HashingReader, IngestError};
use crate::ledger::utxo::{Network, TxRecord, UtxoLedger};
use crate::ledger::InputFile;

/// What a Bitcoin input file holds.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum BtcFormat {
    /// Raw blocks, `blk*.dat` records or block hex, optionally bzip2.
    Blocks,
    /// Bitcoin Core `getblock <hash> 2` JSON (one block, an array of them,
    /// or one per line) or bitcoin-etl `transactions.json` lines.
    Json,
}

/// A Bitcoin ledger read from files, with the digests of those files.
#[derive(Debug)]
pub struct BtcLoad {
    /// The UTXO ledger.
    pub ledger: UtxoLedger,
    /// One entry per file read.
    pub inputs: Vec<InputFile>,
    /// Blocks on side branches that were left out, by hash.
    pub stale_blocks: Vec<String>,
}

fn read_all(path: &Path) -> Result<(Vec<u8>, String), IngestError> {
    let name = path.display().to_string();
    let io = |source| IngestError::Io {
        path: name.clone(),
        source,
    };
    let file = File::open(path).map_err(io)?;
    let mut reader = HashingReader::new(std::io::BufReader::new(file));
    let mut raw = Vec::new();
    reader.read_to_end(&mut raw).map_err(io)?;
    Ok((raw, reader.finish_hex()))
}

fn file_error(path: &Path, problem: impl std::fmt::Display) -> IngestError {
    IngestError::File {
        path: path.display().to_string(),
        problem: problem.to_string(),
    }
}

/// Reads every Bitcoin input into one UTXO ledger.
///
/// # Errors
///
/// [`IngestError`] naming the file and, from the decoders, the byte offset
/// or line and field of the problem; or a chain that cannot be ordered.
pub fn load_utxo(
    sources: &[(BtcFormat, PathBuf)],
    first_height: Option<u64>,
    network: Network,
) -> Result<BtcLoad, IngestError> {
    let mut blocks: Vec<Block> = Vec::new();
    let mut records: Vec<TxRecord> = Vec::new();
    let mut inputs = Vec::new();
    for (format, path) in sources {
        let (raw, sha256) = read_all(path)?;
        let before = records.len() + blocks.len();
        match format {
            BtcFormat::Blocks => {
                let data = read_maybe_bzip2(&raw[..]).map_err(|e| file_error(path, e))?;
                blocks.extend(
                    crate::ingest::bitcoin::decode_blocks(&data)
                        .map_err(|e| file_error(path, e))?,
                );
            }
            BtcFormat::Json => {
                let text_start = raw.iter().find(|b| !b.is_ascii_whitespace()).copied();
                let is_core =
                    text_start == Some(b'[') || (text_start == Some(b'{') && !looks_like_etl(&raw));
                let got = if is_core {
                    load_core_records_json(&raw[..], network)
                } else {
                    load_etl_transactions(&raw[..], network)
                };
                records.extend(got.map_err(|e| file_error(path, e))?);
            }
        }
        let count = (records.len() + blocks.len() - before) as u64;
        inputs.push(InputFile {
            path: path.display().to_string(),
            sha256,
            records: count,
            skipped: Default::default(),
            ignored: Default::default(),
        });
    }
    let mut stale_blocks = Vec::new();
    if !blocks.is_empty() {
        let chain = order_chain(blocks).map_err(|e| IngestError::File {
            path: "--btc-blocks".into(),
            problem: e.to_string(),
        })?;
        stale_blocks = chain.stale.iter().map(ToString::to_string).collect();
        let height = match first_height.or_else(|| start_height(&chain.blocks)) {
            Some(h) => h,
            None => {
                return Err(IngestError::File {
                    path: "--btc-blocks".into(),
                    problem: "the first block is not the genesis block or its child, so its height is unknown: give it with --btc-height".into(),
                })
            }
        };
        records.extend(chain_records(&chain.blocks, height, network).map_err(|e| {
            IngestError::File {
                path: "--btc-blocks".into(),
                problem: e.to_string(),
            }
        })?);
    }
    Ok(BtcLoad {
        ledger: UtxoLedger::from_records(records),
        inputs,
        stale_blocks,
    })
}

/// bitcoin-etl lines carry `inputs`/`outputs` arrays and a `hash` at the
/// top level; Core blocks carry `tx`.
fn looks_like_etl(raw: &[u8]) -> bool {
    let head = &raw[..raw.len().min(4096)];
    let text = String::from_utf8_lossy(head);
    text.contains("\"inputs\"") && !text.contains("\"tx\"")
}

/// Adds the address-level view of a UTXO ledger ([`crate::ledger::utxo::transfer_records`],
/// chain `bitcoin`) and the digests of its files to `builder`, so the graph,
/// path and inspection tools run on Bitcoin.
///
/// # Errors
///
/// [`IngestError::Ledger`] if the ledger is full or a transaction conflicts.
pub fn add_address_view(
    builder: &mut crate::LedgerBuilder,
    load: &BtcLoad,
) -> Result<(), IngestError> {
    let chain = builder.chain("bitcoin", "BTC");
    for r in crate::ledger::utxo::transfer_records(&load.ledger, chain) {
        builder.push(r)?;
    }
    for input in &load.inputs {
        builder.add_input(input.clone());
    }
    if !load.stale_blocks.is_empty() {
        builder.warn(format!(
            "{} block(s) on side branches were left out: {}",
            load.stale_blocks.len(),
            load.stale_blocks.join(", ")
        ));
    }
    Ok(())
}
