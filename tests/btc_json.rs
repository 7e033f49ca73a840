//! Bitcoin Core `getblock <hash> 2` JSON and bitcoin-etl `transactions.json`
//! give the same transactions as raw decoding (blocks 0, 1, 50,000–50,002).

use std::fs::File;
use std::path::PathBuf;

use fundtrace::ingest::bitcoin::{
    block_records, genesis_block, load_blocks, load_core_blocks_json, load_etl_transactions,
    utxo_ledger_from_blocks, Block,
};
use fundtrace::ledger::utxo::{Network, TxRecord, UtxoLedger};

fn data(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

fn etl_dir(rel: &str) -> PathBuf {
    data(&format!("bitcoin_etl_samples/bitcoin/{rel}"))
}

fn core(dir: &str, hash: &str) -> (u64, Block) {
    let path = etl_dir(&format!("{dir}/rpc_response_getblock_{hash}_2.json"));
    let mut v = load_core_blocks_json(File::open(path).unwrap()).unwrap();
    assert_eq!(v.len(), 1);
    v.remove(0)
}

fn etl(dir: &str) -> Vec<TxRecord> {
    let path = etl_dir(&format!("{dir}/expected_transactions.json"));
    load_etl_transactions(File::open(path).unwrap(), Network::Mainnet).unwrap()
}

/// Records without the input values an enriched export may add.
fn plain(mut r: Vec<TxRecord>) -> Vec<TxRecord> {
    for t in &mut r {
        for i in &mut t.inputs {
            i.value = None;
            i.address = None;
        }
    }
    r
}

#[test]
fn blocks_0_and_1_match_raw_decoding() {
    let genesis = genesis_block();
    let btcd = load_blocks(
        File::open(data("bitcoin_raw/btcd/database__testdata__blocks1-256.bz2")).unwrap(),
    )
    .unwrap();
    let (h0, b0) = core(
        "block_0",
        "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f",
    );
    let (h1, b1) = core(
        "block_1",
        "00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048",
    );
    assert_eq!((h0, h1), (0, 1));
    assert_eq!(b0, genesis);
    assert_eq!(b1, btcd[0]);
    assert_eq!(
        plain(etl("block_0")),
        block_records(&genesis, 0, Network::Mainnet)
    );
    assert_eq!(
        plain(etl("block_1")),
        block_records(&btcd[0], 1, Network::Mainnet)
    );
}

#[test]
fn blocks_50000_to_50002_node_json_and_etl_agree() {
    let (h0, b0) = core(
        "block_without_transactions",
        "000000001aeae195809d120b5d66a39c83eb48792e068f8ea1fea19d84a4278a",
    );
    let (h1, b1) = core(
        "block_with_transactions",
        "000000001c920d495e1eeef2452b6d1c6c229a919b28196c103ecffebabee141",
    );
    let (h2, b2) = core(
        "block_with_transactions",
        "000000002066d7f9b134c30b5005b7bf5fbfa52f279883f1fde793dcdc964266",
    );
    assert_eq!((h0, h1, h2), (50_000, 50_001, 50_002));
    assert_eq!(b1.header.prev_blockhash, b0.block_hash());
    assert_eq!(b2.header.prev_blockhash, b1.block_hash());
    assert_eq!(
        plain(etl("block_without_transactions")),
        block_records(&b0, h0, Network::Mainnet)
    );
    let mut raw = block_records(&b1, h1, Network::Mainnet);
    raw.extend(block_records(&b2, h2, Network::Mainnet));
    assert_eq!(raw.len(), 4);
    assert_eq!(plain(etl("block_with_transactions")), raw);
    assert_eq!(plain(etl("stream_50001_50002")), raw);
    let path = etl_dir("block_with_transactions/rpc_response_getblock_000000001c920d495e1eeef2452b6d1c6c229a919b28196c103ecffebabee141_2.json");
    let core_records = fundtrace::ingest::bitcoin::load_core_records_json(
        File::open(path).unwrap(),
        Network::Mainnet,
    )
    .unwrap();
    assert_eq!(core_records, raw[..3].to_vec());

    // the same UTXO ledger from either source
    let from_raw = utxo_ledger_from_blocks(&[b0, b1, b2], 50_000).unwrap();
    let mut etl_all = etl("block_without_transactions");
    etl_all.extend(etl("block_with_transactions"));
    let from_etl = UtxoLedger::from_records(etl_all);
    assert_eq!(from_raw.txs(), from_etl.txs());
    assert_eq!(from_raw.address_count(), from_etl.address_count());
    assert_eq!(from_raw.unresolved(), from_etl.unresolved());
    assert_eq!(from_raw.unresolved().len(), 3);
}

#[test]
fn a_tampered_txid_is_refused() {
    let path = etl_dir("block_with_transactions/expected_transactions.json");
    let text = std::fs::read_to_string(path).unwrap();
    let bad = text.replacen("7940cdde", "7940cddf", 1);
    let e = load_etl_transactions(bad.as_bytes(), Network::Mainnet).unwrap_err();
    assert!(e.to_string().contains("does not match"), "{e}");
}

#[test]
fn own_json_lines_format_round_trips_exactly() {
    use fundtrace::ingest::bitcoin::load_records_jsonl;
    let btcd = load_blocks(
        File::open(data("bitcoin_raw/btcd/database__testdata__blocks1-256.bz2")).unwrap(),
    )
    .unwrap();
    let mut records = block_records(&genesis_block(), 0, Network::Mainnet);
    for (i, b) in btcd.iter().enumerate() {
        records.extend(block_records(b, i as u64 + 1, Network::Mainnet));
    }
    let text: String = records
        .iter()
        .map(|r| serde_json::to_string(r).unwrap() + "\n")
        .collect();
    let back = load_records_jsonl(text.as_bytes()).unwrap();
    assert_eq!(back, records);
    let l1 = UtxoLedger::from_records(records);
    let l2 = UtxoLedger::from_records(back);
    assert_eq!(l1.txs(), l2.txs());
    assert!(text.contains(
        "\"prevout\":\"0437cd7f8525ceed2324359c2d0ba26006d92d856a9c20fa0241106ee5a597c9:0\""
    ));
    assert!(load_records_jsonl("{\"txid\": 1}\n".as_bytes()).is_err());
}
