//! Clustering from input scripts, checked against the spent outputs on
//! mainnet block 277,647: btcd's UTXO store for that block
//! (`blockchain__testdata__277647.utxostore.bz2`) holds every output the
//! block's inputs spend, so the address read from each input's script can be
//! compared with the address of the output it really spends, and clustering
//! the block alone (spent outputs unknown, inputs placed from their scripts)
//! with clustering it with the spent outputs stated.
//!
//! The store's format, from btcd's `blockchain/common_test.go`
//! (`loadUtxoView`), `chainio.go` (`deserializeUtxoEntry`) and `compress.go`:
//! records of `<32-byte tx hash><u32 LE output index><u32 LE length><entry>`;
//! an entry is `VLQ(height << 1 | coinbase)`, `VLQ(compressed amount)`,
//! then a compressed script: `VLQ(code)` and data, where code 0 is P2PKH
//! (20-byte hash), 1 is P2SH (20-byte hash), 2–5 are P2PK (32-byte X
//! coordinate; 2/3 compressed keys, 4/5 uncompressed), and any other code
//! is a raw script of `code − 6` bytes. btcd's VLQ is MSB-first base-128
//! with one added per continuation byte; amounts use Bitcoin Core's
//! compression (exponent of ten and last digit).

use std::collections::HashMap;
use std::fs::File;
use std::path::PathBuf;

use fundtrace::heuristics::cluster::{cluster, ClusterId};
use fundtrace::ingest::bitcoin::{block_records, load_blocks, read_maybe_bzip2};
use fundtrace::ledger::utxo::{
    script_address, AddressOrigin, Network, OutPoint, TxRecord, Txid, UtxoLedger, UtxoTxId,
};

fn data(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(rel)
}

/// A VLQ as btcd writes it; `None` past the end.
fn read_vlq(b: &[u8], at: &mut usize) -> Option<u64> {
    let mut n = 0u64;
    loop {
        let c = *b.get(*at)?;
        *at += 1;
        n = (n << 7) | u64::from(c & 0x7f);
        if c & 0x80 == 0 {
            return Some(n);
        }
        n += 1;
    }
}

/// Bitcoin Core's amount decompression.
fn amount(x: u64) -> u64 {
    if x == 0 {
        return 0;
    }
    let x = x - 1;
    let (exp, rest) = (x % 10, x / 10);
    let mut n = if exp < 9 {
        (rest / 9) * 10 + rest % 9 + 1
    } else {
        rest + 1
    };
    for _ in 0..exp {
        n *= 10;
    }
    n
}

/// A spent output from the store: value and, where the compressed form
/// allows, the script (P2PK with an uncompressed key would need the curve to
/// restore its Y coordinate: kept as `None`).
type Spent = (u64, Option<Vec<u8>>);

fn utxostore() -> HashMap<OutPoint, Spent> {
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
        let txid = Txid(raw[i..i + 32].try_into().unwrap());
        let vout = u32::from_le_bytes(raw[i + 32..i + 36].try_into().unwrap());
        let len = u32::from_le_bytes(raw[i + 36..i + 40].try_into().unwrap()) as usize;
        let e = &raw[i + 40..i + 40 + len];
        let mut at = 0;
        let _header = read_vlq(e, &mut at).unwrap();
        let value = amount(read_vlq(e, &mut at).unwrap());
        let code = read_vlq(e, &mut at).unwrap();
        let body = &e[at..];
        let script = match code {
            0 => Some([&[0x76, 0xa9, 0x14][..], &body[..20], &[0x88, 0xac]].concat()),
            1 => Some([&[0xa9, 0x14][..], &body[..20], &[0x87]].concat()),
            2 | 3 => Some([&[0x21, code as u8][..], &body[..32], &[0xac]].concat()),
            4 | 5 => None,
            n => {
                let n = usize::try_from(n - 6).unwrap();
                assert_eq!(body.len(), n, "raw script length");
                Some(body.to_vec())
            }
        };
        out.insert(OutPoint { txid, vout }, (value, script));
        i += 40 + len;
    }
    out
}

fn records() -> Vec<TxRecord> {
    let blocks = load_blocks(
        File::open(data(
            "bitcoin_raw/btcd/blockchain__testdata__277647.dat.bz2",
        ))
        .unwrap(),
    )
    .unwrap();
    assert_eq!(blocks.len(), 1);
    block_records(&blocks[0], 277_647, Network::Mainnet)
}

#[test]
#[ignore = "needs ../shared/data: bitcoin_raw/btcd block 277647 and its utxostore"]
fn addresses_read_from_input_scripts_equal_the_spent_outputs() {
    let store = utxostore();
    let recs = records();
    // outputs of the block itself, for inputs spending them
    let mut inside: HashMap<OutPoint, Option<String>> = HashMap::new();
    for r in &recs {
        for (vout, o) in r.outputs.iter().enumerate() {
            let op = OutPoint {
                txid: r.txid,
                vout: vout as u32,
            };
            inside.insert(op, o.address.clone());
        }
    }
    let (mut inputs, mut read, mut checked) = (0usize, 0usize, 0usize);
    let mut unread_by_kind: HashMap<String, usize> = HashMap::new();
    let mut read_by_prefix: std::collections::BTreeMap<String, usize> = Default::default();
    for r in recs.iter().filter(|r| !r.coinbase) {
        for input in &r.inputs {
            inputs += 1;
            let spent: Option<String> = match store.get(&input.prevout) {
                Some((_, Some(script))) => script_address(script, Network::Mainnet),
                Some((_, None)) => None,
                None => inside.get(&input.prevout).cloned().flatten(),
            };
            match &input.script_address {
                Some(shown) => {
                    read += 1;
                    *read_by_prefix.entry(shown[..1].to_string()).or_default() += 1;
                    let spent = spent.as_ref().expect("an address-bearing spent output");
                    assert_eq!(shown, spent, "input spending {}", input.prevout);
                    checked += 1;
                }
                None => {
                    let kind = match store.get(&input.prevout) {
                        Some((_, Some(s))) => {
                            format!("{:?}", fundtrace::ledger::utxo::script_type(s))
                        }
                        Some((_, None)) => "P2pk".into(),
                        None => "in block".into(),
                    };
                    *unread_by_kind.entry(kind).or_default() += 1;
                }
            }
        }
    }
    eprintln!(
        "block 277647: {inputs} inputs, {read} addresses read from scripts (all {checked} equal to the spent output's; by first character {read_by_prefix:?}), not read: {unread_by_kind:?}"
    );
    assert_eq!(inputs, 732);
    assert_eq!(checked, read);
    // P2PK spends show no address; every other input of this block is a
    // standard P2PKH or P2SH spend
    assert!(
        unread_by_kind.keys().all(|k| k == "P2pk"),
        "{unread_by_kind:?}"
    );
    assert!(read * 10 >= inputs * 9, "{read} of {inputs}");
}

#[test]
#[ignore = "needs ../shared/data: bitcoin_raw/btcd block 277647 and its utxostore"]
fn clustering_from_scripts_agrees_with_clustering_from_spent_outputs() {
    let store = utxostore();
    // the block alone: spent outputs outside it unknown, inputs placed
    // from their scripts
    let alone = UtxoLedger::from_records(records());
    // with every spent output stated (value and address) from the store
    let mut recs = records();
    for r in &mut recs {
        for input in &mut r.inputs {
            let (value, script) = &store[&input.prevout];
            input.value = Some(*value);
            input.address = script
                .as_deref()
                .and_then(|s| script_address(s, Network::Mainnet));
        }
    }
    let full = UtxoLedger::from_records(recs);
    // the store agrees with every address read from a script
    assert!(full.warnings().is_empty(), "{:?}", full.warnings());
    let (ca, cf) = (cluster(&alone), cluster(&full));
    let (pa, pf) = (ca.input_placement(), cf.input_placement());
    eprintln!(
        "block 277647 alone: {pa:?}, {} merges, {} CoinJoins; with spent outputs: {pf:?}, {} merges, {} CoinJoins",
        ca.merges().len(),
        ca.coinjoins().len(),
        cf.merges().len(),
        cf.coinjoins().len()
    );
    assert!(pa.from_input_scripts > 0);
    assert_eq!(
        pa.from_spent_outputs + pa.from_input_scripts + pa.unresolved,
        732
    );
    assert!(!ca.merges().is_empty());
    // every merge of the block alone joins two addresses that clustering
    // with the spent outputs also joins, and through the same evidence
    let id = |l: &UtxoLedger, c: &fundtrace::heuristics::cluster::Clustering, a| -> ClusterId {
        c.cluster_of(full.address_id(l.address(a)).unwrap())
    };
    for m in ca.merges() {
        assert_eq!(id(&alone, &cf, m.a), id(&alone, &cf, m.b));
        for (a, o) in [(m.a, m.a_origin), (m.b, m.b_origin)] {
            let vins: Vec<_> = alone
                .input_addresses(m.tx)
                .flatten()
                .filter(|&(x, _)| x == a)
                .collect();
            assert!(vins.iter().any(|&(_, xo)| xo == o));
        }
    }
    assert!(ca
        .merges()
        .iter()
        .any(|m| m.a_origin == AddressOrigin::InputScript));
    // the same CoinJoins are found with and without the input values
    let kinds = |l: &UtxoLedger, c: &fundtrace::heuristics::cluster::Clustering| {
        c.coinjoins()
            .iter()
            .map(|(t, v)| (l.tx(*t).txid, v.kind))
            .collect::<Vec<_>>()
    };
    assert_eq!(kinds(&alone, &ca), kinds(&full, &cf));
    // where no input is left unplaced, the clusters are the same
    let clusters = |l: &UtxoLedger, c: &fundtrace::heuristics::cluster::Clustering| {
        let mut v: Vec<Vec<String>> = c
            .report(l, 2)
            .clusters
            .into_iter()
            .map(|k| {
                let mut a = k.addresses;
                a.sort();
                a
            })
            .collect();
        v.sort();
        v
    };
    if pa.unresolved == 0 {
        assert_eq!(ca.merges().len(), cf.merges().len());
        assert_eq!(clusters(&alone, &ca), clusters(&full, &cf));
    }
    // multi-input transactions of the block with every input placed from
    // scripts give the same merges as with the spent outputs
    let placed_all = |t: UtxoTxId| alone.input_addresses(t).all(|a| a.is_some());
    let mut compared = 0;
    for t in (0..alone.tx_count()).map(UtxoTxId::from_usize) {
        if alone.inputs_of(t).len() < 2 || !placed_all(t) {
            continue;
        }
        compared += 1;
        let addrs: Vec<String> = alone
            .input_addresses(t)
            .flatten()
            .map(|(a, _)| alone.address(a).to_string())
            .collect();
        let first = full.address_id(&addrs[0]).unwrap();
        for a in &addrs {
            let same = cf.cluster_of(full.address_id(a).unwrap()) == cf.cluster_of(first);
            let same_alone = ca.cluster_of(alone.address_id(a).unwrap())
                == ca.cluster_of(alone.address_id(&addrs[0]).unwrap());
            assert_eq!(same, same_alone);
        }
    }
    assert!(compared > 0);
}
