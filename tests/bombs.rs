//! Input bombs, run under a memory limit.
//!
//! Each test builds a small hostile file in code (nothing large is stored
//! in the repository), runs the `fundtrace` binary on it with its address
//! space limited to 1 GiB (`ulimit -v`), and requires a clear error naming
//! the file and exit status 1 — not an abort from a failed allocation. The
//! last test loads modest legitimate inputs of the same formats under the
//! same limit.
//!
//! The bombs are the ones of issue 14: a TagPack of nested YAML aliases
//! (379 bytes standing for 10^9 nodes), a 1 MB zip holding 1 GiB of `{},`,
//! a bzip2 "block" whose one segwit transaction claims 300 million witness
//! items, and 5 kB of bzip2 zeros that expand to 4 GiB.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The address-space limit the binary runs under, in KiB (1 GiB).
const LIMIT_KIB: u64 = 1 << 20;

/// A scratch directory for one test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("fundtrace-bombs-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `fundtrace ARGS` with its address space limited to 1 GiB.
fn run_limited(args: &[&str]) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {LIMIT_KIB} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_fundtrace"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("sh runs")
}

/// Requires a refusal: exit status 1 (not a signal), no failed allocation,
/// and every `needle` in the message.
fn assert_refused(out: &Output, needles: &[&str]) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "status {:?}: {err}", out.status);
    assert!(!err.contains("memory allocation"), "{err}");
    for n in needles {
        assert!(err.contains(n), "expected {n:?} in: {err}");
    }
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("temporary paths are UTF-8")
}

const BYBIT_TXS: &str = "examples/data/bybit/transactions.csv";
const SEED: &str = "0x47666fab8bd0ac7003bce3f5c3585383f09486e2";
const POOL: &str = "0x47ce0c6ed5b0ce3d3a51fdb1c52dc66a7c3c2936";

/// "Billion laughs": ten levels of ten aliases, 10^9 nodes.
fn billion_laughs() -> String {
    let names = b"abcdefghij";
    let mut y = String::from("a: &a [x]\n");
    for w in names.windows(2) {
        let (prev, this) = (char::from(w[0]), char::from(w[1]));
        let refs = vec![format!("*{prev}"); 10].join(",");
        y.push_str(&format!("{this}: &{this} [{refs}]\n"));
    }
    y.push_str("tags: *j\n");
    y
}

#[test]
fn yaml_alias_bomb_is_refused_under_1_gib() {
    let s = Scratch::new("yaml");
    let bomb = billion_laughs();
    assert!(bomb.len() < 400);
    let pack = s.file("laughs.yaml", bomb.as_bytes());
    let out = run_limited(&[
        "trace",
        "--transactions",
        BYBIT_TXS,
        "--seed",
        SEED,
        "--tagpack",
        path_str(&pack),
    ]);
    assert_refused(&out, &["laughs.yaml:", "alias bomb"]);
}

/// A zip holding one deflated file: `head`, `copies` × `unit`, `tail`.
fn zip_of(path: &Path, head: &[u8], unit: &[u8], copies: usize, tail: &[u8]) {
    let file = std::fs::File::create(path).unwrap();
    let mut z = zip::ZipWriter::new(file);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    z.start_file("events.json", opts).unwrap();
    z.write_all(head).unwrap();
    let per = copies.clamp(1, 1 << 16);
    let chunk = unit.repeat(per);
    for _ in 0..copies / per {
        z.write_all(&chunk).unwrap();
    }
    for _ in 0..copies % per {
        z.write_all(unit).unwrap();
    }
    z.write_all(tail).unwrap();
    z.finish().unwrap();
}

#[test]
fn pool_events_zip_bomb_is_refused_under_1_gib() {
    let s = Scratch::new("zip");
    let deposits = s.0.join("deposits_eth_100.json.zip");
    // `[` + 1 GiB of `{},` + `{}]`.
    zip_of(&deposits, b"[", b"{},", (1 << 30) / 3, b"{}]");
    let compressed = std::fs::metadata(&deposits).unwrap().len();
    assert!(compressed < 2 << 20, "{compressed}");
    let withdrawals = s.file("withdrawals_eth_100.json", b"[]");
    let out = run_limited(&[
        "demix",
        "--pool",
        POOL,
        "--pool-events",
        path_str(&deposits),
        "--pool-events",
        path_str(&withdrawals),
    ]);
    assert_refused(&out, &["deposits_eth_100.json.zip", "zip bomb"]);
}

/// `data` as one bzip2 stream.
fn bz(data: &[u8]) -> Vec<u8> {
    let mut enc = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::best());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// `mib` MiB of zero bytes as one bzip2 stream.
fn bz_zeros(mib: usize) -> Vec<u8> {
    let mut enc = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::best());
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..mib {
        enc.write_all(&chunk).unwrap();
    }
    enc.finish().unwrap()
}

#[test]
fn witness_count_bomb_is_refused_under_1_gib() {
    const ZEROS_MIB: usize = 30;
    const STREAMS: usize = 10;
    let zeros = (ZEROS_MIB << 20) * STREAMS;
    // A block: header, one transaction: version 2, segwit marker and flag,
    // one input, one output, then its input's witness count; the rest is
    // zeros (one byte per empty witness item, then a zero lock time), held
    // in concatenated bzip2 streams, as `bzip2 -c a b > c` writes them.
    let mut head = vec![0u8; 80];
    head.push(1);
    head.extend_from_slice(&[2, 0, 0, 0, 0, 1, 1]);
    head.extend_from_slice(&[0u8; 36]);
    head.extend_from_slice(&[0, 0xff, 0xff, 0xff, 0xff]);
    head.extend_from_slice(&[1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    head.push(0xfe);
    let items = u32::try_from(zeros - 4).unwrap();
    head.extend_from_slice(&items.to_le_bytes());
    let mut bomb = bz(&head);
    let stream = bz_zeros(ZEROS_MIB);
    for _ in 0..STREAMS {
        bomb.extend_from_slice(&stream);
    }
    assert!(bomb.len() < 2000, "{}", bomb.len());
    let s = Scratch::new("witness");
    let file = s.file("witness.dat.bz2", &bomb);
    let out = run_limited(&["cluster", "--btc-blocks", path_str(&file)]);
    assert_refused(&out, &["witness.dat.bz2", "decompression bomb"]);
}

#[test]
fn bzip2_zeros_bomb_is_refused_under_1_gib() {
    // 128 streams of 32 MiB of zeros: 4 GiB from a few kilobytes.
    let stream = bz_zeros(32);
    let bomb = stream.repeat(128);
    assert!(bomb.len() < 16 << 10, "{}", bomb.len());
    let s = Scratch::new("zeros");
    let file = s.file("zeros.bz2", &bomb);
    let out = run_limited(&["cluster", "--btc-blocks", path_str(&file)]);
    assert_refused(&out, &["zeros.bz2", "decompression bomb"]);
}

/// A 32-byte value as `0x` and 64 hex digits, distinct per `i` and `tag`.
fn word(tag: u8, i: usize) -> String {
    format!("0x{tag:02x}{i:062x}")
}

#[test]
fn modest_legitimate_inputs_load_under_1_gib() {
    let s = Scratch::new("legit");
    // A TagPack of 2,000 tags using an anchor and aliases.
    let mut pack = String::from(
        "title: Legit\nsource: &src https://example.org/legit\ncategory: exchange\ncurrency: ETH\ntags:\n",
    );
    for i in 0..2_000 {
        pack.push_str(&format!("- address: '0x{i:040x}'\n  source: *src\n"));
    }
    let pack = s.file("legit.yaml", pack.as_bytes());
    let out = run_limited(&[
        "trace",
        "--transactions",
        BYBIT_TXS,
        "--seed",
        SEED,
        "--tagpack",
        path_str(&pack),
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // 20,000 deposits and as many withdrawals (about 8 MB of JSON), zipped.
    let n = 20_000;
    let deposits: Vec<String> = (0..n)
        .map(|i| {
            format!(
                "{{\"transactionHash\":\"{}\",\"blockNumber\":{},\"leafIndex\":{i},\"commitment\":\"{}\",\"timestamp\":{}}}",
                word(1, i),
                10 + i,
                word(2, i),
                1_600_000_000 + i
            )
        })
        .collect();
    let withdrawals: Vec<String> = (0..n)
        .map(|i| {
            format!(
                "{{\"transactionHash\":\"{}\",\"blockNumber\":{},\"to\":\"0x{:040x}\",\"fee\":\"{}\",\"nullifierHash\":\"{}\"}}",
                word(3, i),
                20 + i,
                i + 1,
                1000 + i,
                word(4, i)
            )
        })
        .collect();
    let dz = s.0.join("deposits_eth_100.json.zip");
    let body = deposits.join(",\n");
    zip_of(&dz, b"[", body.as_bytes(), 1, b"]");
    let w = s.file(
        "withdrawals_eth_100.json",
        format!("[{}]", withdrawals.join(",\n")).as_bytes(),
    );
    let out = run_limited(&[
        "demix",
        "--pool",
        POOL,
        "--pool-events",
        path_str(&dz),
        "--pool-events",
        path_str(&w),
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v.to_string().contains("20000"), "{v}");

    // The genesis block, bzip2'd.
    let genesis = fundtrace::ingest::bitcoin::genesis_block().serialize();
    let file = s.file("genesis.dat.bz2", &bz(&genesis));
    let out = run_limited(&["cluster", "--btc-blocks", path_str(&file), "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
