//! Consensus decoding against real mainnet blocks and Bitcoin Core's
//! transaction test vectors (copies in `tests/data/`).

use std::collections::HashMap;
use std::fs::File;
use std::path::PathBuf;

use fundtrace::ingest::bitcoin::{genesis_block, load_blocks, Block, Transaction};
use fundtrace::ledger::utxo::{script_address, script_type, Network};

fn data(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

fn blocks(rel: &str) -> Vec<Block> {
    load_blocks(File::open(data(rel)).expect("tests/data present")).expect("blocks decode")
}

fn csv_rows(rel: &str) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(data(rel)).expect("csv present");
    let headers = r.headers().expect("header").clone();
    r.records()
        .map(|rec| {
            let rec = rec.expect("csv row");
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// Checks decoded blocks (in height order from `first_height`) against a
/// derived ledger directory: block rows, transaction rows, outputs.
fn check_against_ledger(blocks: &[Block], first_height: u64, dir: &str) {
    let block_rows = csv_rows(&format!("{dir}/blocks.csv"));
    let by_height: HashMap<u64, &HashMap<String, String>> = block_rows
        .iter()
        .map(|r| (r["height"].parse().unwrap(), r))
        .collect();
    let tx_rows = csv_rows(&format!("{dir}/transactions.csv"));
    let txs: HashMap<&str, &HashMap<String, String>> =
        tx_rows.iter().map(|r| (r["txid"].as_str(), r)).collect();
    let out_rows = csv_rows(&format!("{dir}/outputs.csv"));
    let outs: HashMap<(String, u32), &HashMap<String, String>> = out_rows
        .iter()
        .map(|r| ((r["txid"].clone(), r["vout"].parse().unwrap()), r))
        .collect();
    let in_rows = csv_rows(&format!("{dir}/inputs.csv"));
    let ins: HashMap<(String, u32), &HashMap<String, String>> = in_rows
        .iter()
        .map(|r| ((r["txid"].clone(), r["vin"].parse().unwrap()), r))
        .collect();

    let (mut n_tx, mut n_out, mut n_in) = (0, 0, 0);
    for (i, b) in blocks.iter().enumerate() {
        let height = first_height + i as u64;
        let row = by_height[&height];
        assert_eq!(
            b.block_hash().to_string(),
            row["block_hash"],
            "height {height}"
        );
        assert_eq!(b.header.prev_blockhash.to_string(), row["prev_block_hash"]);
        assert_eq!(b.header.merkle_root.to_string(), row["merkle_root"]);
        assert_eq!(b.compute_merkle_root(), b.header.merkle_root);
        assert_eq!(b.header.time.to_string(), row["time"]);
        assert_eq!(b.transactions().len().to_string(), row["n_tx"]);
        for (pos, (tx, txid)) in b.transactions().iter().zip(b.txids()).enumerate() {
            let id = txid.to_string();
            assert_eq!(*txid, tx.txid());
            let t = txs[id.as_str()];
            assert_eq!(t["height"], height.to_string());
            assert_eq!(t["tx_index"], pos.to_string());
            assert_eq!(t["is_coinbase"] == "1", tx.is_coinbase());
            assert_eq!(t["n_inputs"], tx.inputs.len().to_string());
            assert_eq!(t["n_outputs"], tx.outputs.len().to_string());
            assert_eq!(t["output_value_sat"], tx.output_value().to_string());
            for (vout, o) in tx.outputs.iter().enumerate() {
                let r = outs[&(id.clone(), vout as u32)];
                assert_eq!(r["value_sat"], o.value.to_string());
                assert_eq!(r["script_pubkey_hex"], hex::encode(&o.script_pubkey));
                assert_eq!(r["script_type"], script_type(&o.script_pubkey).name());
                let a = script_address(&o.script_pubkey, Network::Mainnet);
                if r["address"].is_empty() {
                    assert!(a.is_none() || a.as_deref().is_some_and(|a| a.starts_with("script:")));
                } else {
                    assert_eq!(a.as_deref(), Some(r["address"].as_str()), "{id}:{vout}");
                }
                n_out += 1;
            }
            for (vin, input) in tx.inputs.iter().enumerate() {
                let r = ins[&(id.clone(), vin as u32)];
                if tx.is_coinbase() {
                    assert_eq!(r["prev_txid"], "");
                } else {
                    assert_eq!(r["prev_txid"], input.previous_output.txid.to_string());
                    assert_eq!(r["prev_vout"], input.previous_output.vout.to_string());
                }
                n_in += 1;
            }
            // re-serialization is byte for byte
            assert_eq!(Transaction::decode(&tx.serialize()).unwrap(), *tx);
            n_tx += 1;
        }
        assert_eq!(Block::decode(&b.serialize()).unwrap(), *b);
    }
    assert_eq!(n_tx, tx_rows.len());
    assert_eq!(n_out, out_rows.len());
    assert_eq!(n_in, in_rows.len());
}

#[test]
fn btcd_blocks_1_to_255_decode_link_and_match_the_ledger() {
    let bs = blocks("bitcoin_raw/btcd/database__testdata__blocks1-256.bz2");
    assert_eq!(bs.len(), 255);
    assert_eq!(
        bs[0].block_hash().to_string(),
        "00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048"
    );
    assert_eq!(
        bs[254].block_hash().to_string(),
        "00000000d0a75c861fabf9ff7b92022f60e4afeed9331fe5aa073d8e4706fe3c"
    );
    let mut all = vec![genesis_block()];
    all.extend(bs);
    for w in all.windows(2) {
        assert_eq!(w[1].header.prev_blockhash, w[0].block_hash());
    }
    let n_tx: usize = all.iter().map(|b| b.transactions().len()).sum();
    assert_eq!(n_tx, 263);
    check_against_ledger(&all, 0, "bitcoin_ledgers/mainnet_blocks_0_255");
}

#[test]
fn block_277647_decodes_and_matches_the_ledger() {
    let bs = blocks("bitcoin_raw/btcd/blockchain__testdata__277647.dat.bz2");
    assert_eq!(bs.len(), 1);
    let b = &bs[0];
    assert_eq!(
        b.block_hash().to_string(),
        "0000000000000000054a714e580b16c583701712ab91060e92dbde6eb1e052a8"
    );
    assert_eq!(b.transactions().len(), 213);
    assert_eq!(
        b.compute_merkle_root().to_string(),
        "36ac31298eb05c23be1f775d635104705e4560c6532b95c158023c6dc9af06c3"
    );
    assert_eq!(b.bip34_height(), Some(277_647));
    check_against_ledger(&bs, 277_647, "bitcoin_ledgers/mainnet_block_277647");
}

#[test]
fn testnet_block_from_rust_bitcoin_decodes() {
    let path = data("bitcoin_raw/rust-bitcoin/testnet_block_000000000000045e0b1660b6445b5e5c5ab63c9a4f956be7e1e69be04fa4497b.raw");
    let bytes = std::fs::read(path).unwrap();
    let b = Block::decode(&bytes).unwrap();
    assert_eq!(
        b.block_hash().to_string(),
        "000000000000045e0b1660b6445b5e5c5ab63c9a4f956be7e1e69be04fa4497b"
    );
    b.check_merkle_root().unwrap();
    assert_eq!(b.serialize(), bytes);
}

fn vectors(name: &str) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(data(&format!("bitcoin_raw/btcd/{name}"))).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let e = e.as_array()?;
            if e.len() < 2 {
                return None;
            }
            Some((i, e[1].as_str()?.to_string()))
        })
        .collect()
}

#[test]
fn core_tx_valid_vectors_round_trip_byte_for_byte() {
    let v = vectors("txscript__data__tx_valid.json");
    assert_eq!(v.len(), 121);
    for (i, h) in v {
        let bytes = hex::decode(&h).unwrap();
        let tx = Transaction::decode(&bytes).unwrap_or_else(|e| panic!("entry {i}: {e}"));
        assert_eq!(tx.serialize(), bytes, "entry {i}");
    }
}

#[test]
fn core_tx_invalid_vectors_decode_or_error_without_panic() {
    let v = vectors("txscript__data__tx_invalid.json");
    assert_eq!(v.len(), 93);
    let (mut ok, mut err) = (0, 0);
    for (_, h) in v {
        let bytes = hex::decode(&h).unwrap();
        match Transaction::decode(&bytes) {
            Ok(tx) => {
                assert_eq!(tx.serialize(), bytes);
                ok += 1;
            }
            Err(e) => {
                assert!(!e.to_string().is_empty());
                err += 1;
            }
        }
    }
    assert_eq!(ok + err, 93);
}

#[test]
fn shuffled_blocks_are_put_back_in_chain_order() {
    use fundtrace::ingest::bitcoin::order_chain;
    let mut bs = blocks("bitcoin_raw/btcd/database__testdata__blocks1-256.bz2");
    bs.insert(0, genesis_block());
    let expected: Vec<_> = bs.iter().map(Block::block_hash).collect();
    let mut shuffled = bs.clone();
    // a fixed permutation: reverse, then rotate
    shuffled.reverse();
    shuffled.rotate_left(100);
    let c = order_chain(shuffled).unwrap();
    assert!(c.stale.is_empty());
    let got: Vec<_> = c.blocks.iter().map(Block::block_hash).collect();
    assert_eq!(got, expected);
}
