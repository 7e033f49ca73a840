//! Inputs shared by the benches that time parsers (`parsers.rs`,
//! `slow_cases.rs`).
#![allow(dead_code)]

use fundtrace::ingest::bitcoin::genesis_block;

/// `n` copies of the genesis block as `getblock <hash> 2` JSON lines.
pub fn getblock_lines(n: usize) -> String {
    let g = genesis_block();
    let tx = &g.transactions()[0];
    let line = format!(
        r#"{{"hash":"{}","height":0,"version":1,"merkleroot":"{}","time":{},"bits":"{:08x}","nonce":{},"tx":[{{"txid":"{}","hex":"{}","vout":[{{"value":50.0,"n":0,"scriptPubKey":{{"hex":"{}"}}}}]}}]}}"#,
        g.block_hash(),
        g.header.merkle_root,
        g.header.time,
        g.header.bits,
        g.header.nonce,
        g.txids()[0],
        hex::encode(tx.serialize()),
        hex::encode(&tx.outputs[0].script_pubkey)
    );
    let mut text = String::with_capacity((line.len() + 1) * n);
    for _ in 0..n {
        text.push_str(&line);
        text.push('\n');
    }
    text
}

/// A TagPack whose header anchors `n` values and lists them again by
/// alias (`concepts`, which every tag inherits), in a scattered order, so
/// the time is the anchors' and aliases' (the two tags are a constant).
pub fn tagpack_with_aliases(n: usize) -> String {
    let mut y = String::from("title: Bench\ncategory: exchange\ncurrency: ETH\nanchors:\n");
    for i in 0..n {
        y.push_str(&format!("- &c{i} concept{i}\n"));
    }
    y.push_str("concepts:\n");
    for i in 0..n {
        y.push_str(&format!("- *c{}\n", (i * 7919) % n));
    }
    y.push_str("tags:\n- address: '0x0000000000000000000000000000000000000001'\n- address: '0x0000000000000000000000000000000000000002'\n");
    y
}
