//! Bitcoin JSON: Core `getblock` replies (verbosity 2 and 3, one block, an
//! array, concatenated objects or lines), bitcoin-etl `transactions.json`
//! and fundtrace's own UTXO JSON lines.
//!
//! The first byte picks the reader (modulo 4) and bits 2–3 the network.
//! What must hold: no panic; determinism; Core blocks re-serialize to bytes
//! that decode to the same block; a strict bitcoin-etl success is a lenient
//! success with the same records and no errors; own-format records written
//! with `serde_json` read back the same; every record list that loads
//! builds a UTXO ledger and its address view without panic.
#![no_main]

use fundtrace::ingest::bitcoin::{
    load_core_blocks_json, load_core_records_json, load_etl_transactions,
    load_etl_transactions_lenient, load_records_jsonl, Block,
};
use fundtrace::ledger::utxo::{transfer_records, Network, TxRecord, UtxoLedger};
use fundtrace::ChainId;
use libfuzzer_sys::fuzz_target;

fn records(selector: u8, bytes: &[u8], network: Network) -> Option<Vec<TxRecord>> {
    match selector % 4 {
        0 => {
            let blocks = load_core_blocks_json(bytes).ok()?;
            for (_, block) in &blocks {
                let again = Block::decode(&block.serialize()).expect("a loaded block re-decodes");
                assert_eq!(&again, block, "block changes through its bytes");
            }
            None
        }
        1 => load_core_records_json(bytes, network).ok(),
        2 => {
            let strict = load_etl_transactions(bytes, network).ok();
            if let Some(records) = &strict {
                let (relaxed, errors) =
                    load_etl_transactions_lenient(bytes, network).expect("lenient reads");
                assert!(
                    errors.is_empty(),
                    "strict loads, lenient reports {errors:?}"
                );
                assert_eq!(&relaxed, records, "strict and lenient records differ");
            }
            strict
        }
        _ => {
            let records = load_records_jsonl(bytes).ok()?;
            let mut text = String::new();
            for r in &records {
                text.push_str(&serde_json::to_string(r).expect("record serializes"));
                text.push('\n');
            }
            let back = load_records_jsonl(text.as_bytes()).expect("written records read back");
            assert_eq!(back, records, "own-format round trip changes the records");
            Some(records)
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let network = match (selector >> 2) & 3 {
        1 => Network::Testnet,
        2 => Network::Regtest,
        _ => Network::Mainnet,
    };
    let first = records(selector, bytes, network);
    let second = records(selector, bytes, network);
    assert_eq!(first, second, "two reads differ");
    if let Some(records) = first {
        let ledger = UtxoLedger::from_records(records);
        let _ = transfer_records(&ledger, ChainId(0));
    }
});
