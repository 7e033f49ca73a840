//! Bitcoin raw data: transactions, blocks, block files and output scripts.
//! (This target took over `btc_tx_decode`, `btc_block_decode` and
//! `btc_script_address`, whose properties it keeps.)
//!
//! The first byte picks the property (modulo 4):
//! 0. `Transaction::decode` never panics; whatever decodes re-serializes
//!    to the same bytes and decodes again to the same transaction;
//! 1. `Block::decode` and `decode_blocks` (blk records, hex lines, a raw
//!    block) never panic; a decoded block re-serializes to its bytes;
//! 2. `script_type` and `script_address` never panic on any script;
//! 3. a block file as `load_utxo` reads it: optional bzip2 (bounded by the
//!    input size), blocks strict and lenient (a strict success is a lenient
//!    success with the same blocks), chain order, heights, records, and a
//!    UTXO ledger with its address view, all without panic.
#![no_main]

use fundtrace::ingest::bitcoin::{
    chain_records, decode_blocks, decode_blocks_lenient, order_chain, read_maybe_bzip2_limited,
    start_height, Block, Transaction,
};
use fundtrace::ledger::utxo::{script_address, script_type, transfer_records, Network, UtxoLedger};
use fundtrace::ChainId;
use libfuzzer_sys::fuzz_target;

fn tx(data: &[u8]) {
    if let Ok(tx) = Transaction::decode(data) {
        let bytes = tx.serialize();
        assert_eq!(bytes, data, "re-serialization differs");
        let again = Transaction::decode(&bytes).expect("re-serialized tx decodes");
        assert_eq!(again, tx);
        assert_eq!(again.txid(), tx.txid());
    }
}

fn block(data: &[u8]) {
    if let Ok(block) = Block::decode(data) {
        assert_eq!(block.serialize(), data, "re-serialization differs");
        let _ = block.check_merkle_root();
        let _ = block.bip34_height();
    }
    let _ = decode_blocks(data);
}

fn script(data: &[u8]) {
    let _ = script_type(data);
    for n in [Network::Mainnet, Network::Testnet, Network::Regtest] {
        let _ = script_address(data, n);
    }
}

fn file(data: &[u8]) {
    // 64 MiB: enough for any seed, small enough for the fuzzer's memory limit.
    let Ok(raw) = read_maybe_bzip2_limited(data, 64 << 20) else {
        return;
    };
    let strict = decode_blocks(&raw);
    let (lenient, errors) = decode_blocks_lenient(&raw);
    if let Ok(blocks) = &strict {
        assert!(
            errors.is_empty(),
            "strict decodes, lenient reports {errors:?}"
        );
        assert_eq!(&lenient, blocks, "strict and lenient blocks differ");
    }
    let Ok(chain) = order_chain(lenient) else {
        return;
    };
    let height = start_height(&chain.blocks).unwrap_or(1);
    // Heights past 2^64 are refused (an error, not a wrap).
    let Ok(records) = chain_records(&chain.blocks, height, Network::Mainnet) else {
        return;
    };
    let ledger = UtxoLedger::from_records(records);
    let _ = transfer_records(&ledger, ChainId(0));
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    match selector % 4 {
        0 => tx(bytes),
        1 => block(bytes),
        2 => script(bytes),
        _ => file(bytes),
    }
});
