//! Blocks into a UTXO ledger: transaction records of decoded blocks,
//! blocks put in chain order (as block files hold them out of order), the
//! first height found from the data, and the [`UtxoLedger`] built from them.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::block::Block;
use crate::ledger::utxo::genesis_hash;
use crate::ledger::utxo::{
    spending_address, BlockHash, InputRecord, Network, OutPoint, OutputRecord, TxRecord, Txid,
    UtxoLedger,
};
use foldhash::HashSet as FastSet;

/// The transaction records of one decoded block at `height`. Each input
/// carries the address its spending script shows, when standard
/// ([`spending_address`]): the ledger uses it for an input whose spent
/// output is not in the data, and checks it against the spent output's
/// address otherwise.
#[must_use]
pub fn block_records(block: &Block, height: u64, network: Network) -> Vec<TxRecord> {
    records_of(block, height, network, |_| true)
}

/// The transaction records of blocks in chain order, the first at
/// `first_height`, as [`block_records`] gives them, except that an input's
/// script is read for its address only when the transaction it spends is not
/// among the blocks (where it is, the ledger knows the spent output's address).
///
/// # Errors
///
/// [`ChainError::HeightOutOfRange`] when the last block's height would not
/// fit in a `u64` (a start height near 2^64).
pub fn chain_records(
    blocks: &[Block],
    first_height: u64,
    network: Network,
) -> Result<Vec<TxRecord>, ChainError> {
    check_heights(blocks, first_height)?;
    let inside: FastSet<Txid> = blocks
        .iter()
        .flat_map(|b| b.txids().iter().copied())
        .collect();
    let mut records = Vec::new();
    for (i, b) in blocks.iter().enumerate() {
        // Cannot overflow: `check_heights` found room for the last block.
        let height = first_height + i as u64;
        records.extend(records_of(b, height, network, |op| {
            !inside.contains(&op.txid)
        }));
    }
    Ok(records)
}

/// Refuses a first height whose blocks would run past `u64::MAX`.
fn check_heights(blocks: &[Block], first_height: u64) -> Result<(), ChainError> {
    let last = u64::try_from(blocks.len().saturating_sub(1))
        .ok()
        .and_then(|n| first_height.checked_add(n));
    match last {
        Some(_) => Ok(()),
        None => Err(ChainError::HeightOutOfRange {
            first_height,
            blocks: blocks.len(),
        }),
    }
}

fn records_of(
    block: &Block,
    height: u64,
    network: Network,
    read_script: impl Fn(&OutPoint) -> bool,
) -> Vec<TxRecord> {
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
                            script_address: if read_script(&i.previous_output) {
                                spending_address(&i.script_sig, &i.witness, network)
                            } else {
                                None
                            },
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
    /// The first height given (or read from a coinbase) leaves no room for
    /// the heights of the blocks after it.
    #[error("a first block height of {first_height} leaves no room for {blocks} blocks: heights must stay below 2^64")]
    HeightOutOfRange {
        /// The height of the first block.
        first_height: u64,
        /// Number of blocks.
        blocks: usize,
    },
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
/// use fundtrace::ingest::bitcoin::{genesis_block, ledger_from_blocks};
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
    let ledger = utxo_ledger_from_blocks(&chain.blocks, first_height)?;
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
/// use fundtrace::ingest::bitcoin::{genesis_block, utxo_ledger_from_blocks};
/// use fundtrace::ledger::utxo::UtxoTxId;
/// let ledger = utxo_ledger_from_blocks(&[genesis_block()], 0).unwrap();
/// assert_eq!(ledger.tx_count(), 1);
/// let coinbase = UtxoTxId(0);
/// let out = ledger.outputs_of(coinbase).next().unwrap();
/// let addr = ledger.output(out).address.unwrap();
/// assert_eq!(ledger.address(addr), "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa");
/// ```
pub fn utxo_ledger_from_blocks(
    blocks: &[Block],
    first_height: u64,
) -> Result<UtxoLedger, ChainError> {
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
    }
    Ok(UtxoLedger::from_records(chain_records(
        blocks,
        first_height,
        Network::Mainnet,
    )?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_chain_sorts_and_drops_stale_branches() {
        use crate::ingest::bitcoin::{genesis_block, BlockHeader};
        use crate::ingest::bitcoin::{Transaction, TxIn, TxOut};
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
}
