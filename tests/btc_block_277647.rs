//! Block 277,647 with the values and addresses of the outputs it spends,
//! taken from btcd's serialized UTXO view of that block's inputs
//! (`blockchain__testdata__277647.utxostore.bz2`): every fee is known, the
//! fees add up to the coinbase's claim above the 25 BTC subsidy, and the
//! multi-input transactions give real clusters to explain.

use std::collections::HashMap;
use std::fs::File;
use std::path::PathBuf;

use fundtrace::heuristics::cluster::cluster;
use fundtrace::ingest::bitcoin::{block_records, load_blocks, read_maybe_bzip2};
use fundtrace::ledger::utxo::UtxoTxId;
use fundtrace::ledger::utxo::{script_address, InputSource, Network, OutPoint, Txid, UtxoLedger};

fn data(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

/// btcd's VLQ (the same as Bitcoin Core's serialize.h VARINT).
fn vlq(b: &[u8], i: &mut usize) -> u64 {
    let mut n = 0u64;
    loop {
        let c = b[*i];
        *i += 1;
        n = (n << 7) | u64::from(c & 0x7f);
        if c & 0x80 == 0 {
            return n;
        }
        n += 1;
    }
}

/// Bitcoin Core's amount decompression (compressor.cpp).
fn decompress_amount(mut x: u64) -> u64 {
    if x == 0 {
        return 0;
    }
    x -= 1;
    let mut e = x % 10;
    x /= 10;
    let mut n = if e < 9 {
        let d = x % 9 + 1;
        x /= 9;
        x * 10 + d
    } else {
        x + 1
    };
    while e > 0 {
        n *= 10;
        e -= 1;
    }
    n
}

/// `<tx hash><u32 index><u32 len><header VLQ><amount VLQ><script>` records;
/// only the script forms this file holds (P2PKH, P2SH, raw) are handled.
fn utxostore() -> HashMap<OutPoint, (u64, Vec<u8>)> {
    let raw = read_maybe_bzip2(
        File::open(data(
            "bitcoin_raw/btcd/blockchain__testdata__277647.utxostore.bz2",
        ))
        .unwrap(),
    )
    .unwrap();
    let mut out = HashMap::new();
    let mut i = 0;
    while i < raw.len() {
        let mut txid = [0u8; 32];
        txid.copy_from_slice(&raw[i..i + 32]);
        let vout = u32::from_le_bytes(raw[i + 32..i + 36].try_into().unwrap());
        let len = u32::from_le_bytes(raw[i + 36..i + 40].try_into().unwrap()) as usize;
        let s = &raw[i + 40..i + 40 + len];
        let mut j = 0;
        let _height_and_coinbase = vlq(s, &mut j);
        let value = decompress_amount(vlq(s, &mut j));
        let code = vlq(s, &mut j);
        let body = &s[j..];
        let script = match code {
            0 => [&[0x76, 0xa9, 0x14][..], body, &[0x88, 0xac]].concat(),
            1 => [&[0xa9, 0x14][..], body, &[0x87]].concat(),
            2..=5 => panic!("compressed public keys are not in this file"),
            n => {
                assert_eq!(body.len() as u64, n - 6);
                body.to_vec()
            }
        };
        out.insert(
            OutPoint {
                txid: Txid(txid),
                vout,
            },
            (value, script),
        );
        i += 40 + len;
    }
    out
}

fn ledger() -> UtxoLedger {
    let blocks = load_blocks(
        File::open(data(
            "bitcoin_raw/btcd/blockchain__testdata__277647.dat.bz2",
        ))
        .unwrap(),
    )
    .unwrap();
    let store = utxostore();
    assert_eq!(store.len(), 732);
    let mut records = block_records(&blocks[0], 277_647, Network::Mainnet);
    for r in &mut records {
        for input in &mut r.inputs {
            let (value, script) = &store[&input.prevout];
            input.value = Some(*value);
            input.address = script_address(script, Network::Mainnet);
        }
    }
    UtxoLedger::from_records(records)
}

#[test]
fn fees_add_up_to_the_coinbase_claim() {
    let l = ledger();
    assert_eq!(l.tx_count(), 213);
    assert_eq!(l.input_count(), 732);
    // spent outputs outside this block are stated by the store; the rest
    // are resolved inside the block
    let inside = (0..l.tx_count())
        .flat_map(|t| l.inputs_of(UtxoTxId::from_usize(t)))
        .filter(|i| matches!(i.source, InputSource::Output(_)))
        .count();
    assert_eq!(l.unresolved().len() + inside, 732);
    assert!(l.unresolved().iter().all(|u| u.value_stated));
    // where the block itself holds the spent output, the store agrees with it
    assert!(l.warnings().is_empty(), "{:?}", l.warnings());
    eprintln!("block 277647: {inside} inputs spend outputs of the same block");
    let fees: u128 = (1..l.tx_count())
        .map(|t| l.fee(UtxoTxId::from_usize(t)).expect("every fee known"))
        .sum();
    let coinbase_out = l.output_value_of(UtxoTxId(0));
    assert_eq!(coinbase_out, 2_504_737_355);
    assert_eq!(fees, coinbase_out - 2_500_000_000);
}

#[test]
fn multi_input_transactions_cluster_with_explanations() {
    let l = ledger();
    let c = cluster(&l);
    assert!(!c.merges().is_empty());
    // every merge names a transaction with two or more inputs from which
    // both of its addresses spend
    for m in c.merges() {
        let spenders: Vec<_> = l
            .inputs_of(m.tx)
            .iter()
            .filter_map(|i| l.input_address(i))
            .collect();
        assert!(spenders.contains(&m.a) && spenders.contains(&m.b));
        assert_eq!(c.cluster_of(m.a), c.cluster_of(m.b));
        let chain = c.explain(m.a, m.b).unwrap();
        assert!(chain.iter().any(|x| x.txid == m.txid) || chain.len() > 1);
    }
    // the largest cluster and the chain linking its first and last address
    let biggest = (0..c.cluster_count() as u32)
        .map(fundtrace::heuristics::cluster::ClusterId)
        .max_by_key(|&k| (c.members(k).len(), std::cmp::Reverse(k)))
        .unwrap();
    let m = c.members(biggest);
    assert!(m.len() >= 3, "largest cluster has {} addresses", m.len());
    let chain = c.explain(m[0], m[m.len() - 1]).unwrap();
    assert!(!chain.is_empty());
    // consecutive merges share an address
    let mut at = m[0];
    for step in &chain {
        assert!(step.a == at || step.b == at);
        at = if step.a == at { step.b } else { step.a };
    }
    assert_eq!(at, m[m.len() - 1]);
    eprintln!(
        "block 277647: {} merges, {} clusters over {} addresses, largest {} addresses, {} CoinJoins skipped",
        c.merges().len(),
        c.cluster_count(),
        l.address_count(),
        m.len(),
        c.skipped_coinjoins().len()
    );
}
