//! Ledger snapshots: a snapshot gives the same reports as the inputs it was
//! made from (through the library and the command line), every column of a
//! generated ledger comes back, and a damaged, cut, foreign or empty file
//! is refused with an error that says what is wrong, by the one-thread
//! reader (`read_from`) and the two-thread one (`read_file`) alike.

mod common;

use std::path::{Path, PathBuf};

use fundtrace::ingest::{load_dataset, Dataset, Format, IngestOptions, Source};
use fundtrace::investigation::Investigation;
use fundtrace::labels::{load_path, LoadOptions};
use fundtrace::ledger::snapshot::{self, SnapshotError};
use fundtrace::report::write_json;
use fundtrace::synth::{generate, GenConfig};
use fundtrace::trace::Model;
use fundtrace::{Ledger, TxIndex};
use proptest::prelude::*;
use sha2::{Digest, Sha256};

const RONIN: &str = "0x098b716b8aaf21512996dc57eb0615e2383e2f96";
const BYBIT: &str = "0x47666fab8bd0ac7003bce3f5c3585383f09486e2";
const SYNTH: &str = "0x722a2b7f5c48751af9920de4e2b6067f8b24319f@1600002880";

fn root(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// A fresh folder for one test.
fn case_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("fundtrace-snap-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display()));
    d
}

/// The repository's sample cases: name, ledger sources, labels, seed.
fn fixtures() -> Vec<(&'static str, Vec<Source>, &'static str, &'static str)> {
    vec![
        (
            "ronin",
            vec![Source::new(
                Format::EthTransactions,
                root("examples/data/ronin/transactions.csv"),
            )],
            "examples/data/ronin/labels.csv",
            RONIN,
        ),
        (
            "bybit",
            vec![
                Source::new(
                    Format::EthTransactions,
                    root("examples/data/bybit/transactions.csv"),
                ),
                Source::new(
                    Format::EthTokenTransfers,
                    root("examples/data/bybit/token_transfers.csv"),
                ),
            ],
            "examples/data/bybit/labels.csv",
            BYBIT,
        ),
        (
            "synthetic",
            vec![Source::new(
                Format::EthTransactions,
                root("examples/data/synthetic/transactions.csv"),
            )],
            "examples/data/synthetic/labels.csv",
            SYNTH,
        ),
    ]
}

fn snapshot_bytes(l: &Ledger) -> Vec<u8> {
    let mut out = Vec::new();
    snapshot::write(l, &mut out).unwrap_or_else(|e| panic!("{e}"));
    out
}

fn reload(bytes: &[u8]) -> Result<Ledger, SnapshotError> {
    snapshot::read_from(bytes, bytes.len() as u64)
}

/// Every column and table of a ledger, through the public accessors.
fn assert_same(a: &Ledger, b: &Ledger) {
    assert_eq!(common::dump(a), common::dump(b));
    assert_eq!(a.chains(), b.chains());
    assert_eq!(a.addresses(), b.addresses());
    assert_eq!(a.assets(), b.assets());
    assert_eq!(a.senders(), b.senders());
    assert_eq!(a.receivers(), b.receivers());
    assert_eq!(a.transfer_assets(), b.transfer_assets());
    assert_eq!(a.amounts(), b.amounts());
    assert_eq!(a.transfer_txs(), b.transfer_txs());
    assert_eq!(a.kinds(), b.kinds());
    assert!(a.transfers().eq(b.transfers()));
    assert_eq!(a.tx_count(), b.tx_count());
    for i in 0..a.tx_count() {
        let tx = TxIndex::from_usize(i);
        assert_eq!(a.tx_hash(tx), b.tx_hash(tx));
        assert_eq!(a.tx_block(tx), b.tx_block(tx));
        assert_eq!(a.tx_position(tx), b.tx_position(tx));
        assert_eq!(a.gas_price(tx), b.gas_price(tx));
    }
    assert_eq!(a.inputs(), b.inputs());
    assert_eq!(a.conflicts(), b.conflicts());
    assert_eq!(a.duplicates_dropped(), b.duplicates_dropped());
    assert_eq!(a.warnings(), b.warnings());
}

fn trace_json(data: &Dataset, labels: &str, seed: &str, model: Model) -> Vec<u8> {
    let labels =
        load_path(root(labels), None, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let report = Investigation::new()
        .seed(seed)
        .unwrap_or_else(|e| panic!("{e}"))
        .labels(labels)
        .model(model)
        .command_line(vec!["trace".into()])
        .trace(data)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut out = Vec::new();
    write_json(&report, &mut out).unwrap_or_else(|e| panic!("{e}"));
    out
}

#[test]
fn the_library_gives_byte_identical_reports_from_a_snapshot() {
    for (name, sources, labels, seed) in fixtures() {
        for gas_prices in [false, true] {
            let options = IngestOptions {
                gas_prices,
                ..IngestOptions::default()
            };
            let data = load_dataset(&sources, options).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(data.ledger.transfer_count() > 0, "{name}");
            let back = Dataset {
                ledger: reload(&snapshot_bytes(&data.ledger))
                    .unwrap_or_else(|e| panic!("{name}: {e}")),
                utxo: None,
            };
            assert_same(&data.ledger, &back.ledger);
            for model in [Model::Haircut, Model::Fifo, Model::Poison] {
                let a = trace_json(&data, labels, seed, model);
                let b = trace_json(&back, labels, seed, model);
                assert!(a == b, "{name} {model:?}: reports differ");
            }
        }
    }
}

/// A lenient read with a contradiction, a repeat and a bad row: the
/// conflict, the skip counts and the duplicates count come back.
#[test]
fn lenient_reads_keep_their_conflicts_and_skips() {
    let dir = case_dir("lenient");
    let header =
        "hash,block_number,transaction_index,from_address,to_address,value,block_timestamp";
    let a = "0x1111111111111111111111111111111111111111";
    let b = "0x2222222222222222222222222222222222222222";
    let h1 = format!("0x{}", "aa".repeat(32));
    let h2 = format!("0x{}", "bb".repeat(32));
    let text = format!(
        "{header}\n{h1},100,0,{a},{b},5,1700000000\n{h2},100,1,{b},{a},3,1700000000\n{h1},100,0,{a},{b},9,1700000000\n{h2},100,1,{b},{a},3,1700000000\nnot,a,row\n"
    );
    let path = dir.join("tx.csv");
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
    let data = load_dataset(
        &[Source::new(Format::EthTransactions, &path)],
        IngestOptions {
            lenient: true,
            ..IngestOptions::default()
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let l = &data.ledger;
    assert_eq!(l.conflicts().len(), 1, "{:?}", l.conflicts());
    assert!(l.inputs().iter().any(|i| !i.skipped.is_empty()));
    let back = reload(&snapshot_bytes(l)).unwrap_or_else(|e| panic!("{e}"));
    assert_same(l, &back);
    std::fs::remove_dir_all(&dir).ok();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// Generated ledgers of any size and seed come back column for column,
    /// and written again give the same bytes.
    #[test]
    fn generated_ledgers_round_trip(transfers in 0usize..3_000, seed in any::<u64>(), per_block in 1usize..300) {
        let g = generate(&GenConfig {
            transfers,
            seed,
            per_block,
            ..GenConfig::default()
        });
        let bytes = snapshot_bytes(&g.ledger);
        let back = reload(&bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
        assert_same(&g.ledger, &back);
        prop_assert_eq!(snapshot_bytes(&back), bytes);
    }
}

/// The offsets and names of a snapshot's sections: (header offset, data
/// offset, data length), walking the section headers.
fn sections(bytes: &[u8]) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let mut at = 64;
    while at < bytes.len() {
        let u = |i: usize, n: usize| {
            let mut b = [0u8; 8];
            b[..n].copy_from_slice(&bytes[i..i + n]);
            u64::from_le_bytes(b) as usize
        };
        let elem = u(at + 4, 4);
        let count = u(at + 8, 8);
        out.push((at, at + 16, elem * count));
        at += 16 + elem * count + 4;
    }
    assert_eq!(at, bytes.len());
    out
}

fn sample_snapshot() -> Vec<u8> {
    let data = load_dataset(
        &[
            Source::new(
                Format::EthTransactions,
                root("examples/data/bybit/transactions.csv"),
            ),
            Source::new(
                Format::EthTokenTransfers,
                root("examples/data/bybit/token_transfers.csv"),
            ),
        ],
        IngestOptions {
            gas_prices: true,
            ..IngestOptions::default()
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    snapshot_bytes(&data.ledger)
}

#[test]
fn a_flipped_byte_in_any_section_fails_its_checksum() {
    let bytes = sample_snapshot();
    assert!(reload(&bytes).is_ok());
    let secs = sections(&bytes);
    assert_eq!(secs.len(), 20);
    let mut tried = 0;
    for (i, &(head, data, len)) in secs.iter().enumerate() {
        if len == 0 {
            continue;
        }
        for at in [data, data + len / 2, data + len - 1] {
            let mut bad = bytes.clone();
            bad[at] ^= 0x10;
            match reload(&bad) {
                Err(SnapshotError::Checksum { offset, .. }) => {
                    assert_eq!(offset, head as u64, "section {i}");
                }
                other => panic!("section {i} byte {at}: {other:?}"),
            }
            tried += 1;
        }
        // The stored checksum itself.
        let mut bad = bytes.clone();
        bad[data + len] ^= 1;
        assert!(
            matches!(reload(&bad), Err(SnapshotError::Checksum { .. })),
            "section {i} trailer"
        );
    }
    assert!(tried >= 40, "{tried}");
    // The header: its length field and its reserved bytes.
    for at in [17, 57] {
        let mut bad = bytes.clone();
        bad[at] ^= 0x01;
        match reload(&bad) {
            Err(
                e @ SnapshotError::Checksum {
                    section: "header", ..
                },
            ) => {
                assert!(e.to_string().contains("corrupt snapshot"), "{e}");
            }
            other => panic!("header byte {at}: {other:?}"),
        }
    }
}

#[test]
fn a_count_larger_than_the_file_is_refused_before_allocating() {
    let bytes = sample_snapshot();
    for &(head, _, _) in &sections(&bytes) {
        let mut bad = bytes.clone();
        // An element count of about 2^62: never allocated.
        bad[head + 15] = 0x40;
        match reload(&bad) {
            Err(e @ SnapshotError::CountTooLarge { .. }) => {
                let text = e.to_string();
                assert!(text.contains("bytes remain"), "{text}");
            }
            other => panic!("section at {head}: {other:?}"),
        }
    }
}

#[test]
fn a_cut_file_is_truncated_and_says_how_long_it_should_be() {
    let bytes = sample_snapshot();
    let n = bytes.len();
    for cut in [1, 7, 8, 30, 63, 64, 80, n / 3, n / 2, n - 5, n - 1] {
        match reload(&bytes[..cut]) {
            Err(e @ SnapshotError::Truncated { .. }) => {
                let text = e.to_string();
                let want = if cut < 64 { 64 } else { n };
                assert!(
                    text.contains(&format!("{want} bytes expected, the file has {cut}")),
                    "cut {cut}: {text}"
                );
            }
            other => panic!("cut at {cut}: {other:?}"),
        }
    }
    // Bytes added at the end are refused too.
    let mut long = bytes.clone();
    long.push(0);
    assert!(matches!(reload(&long), Err(SnapshotError::TooLong { .. })));
}

/// Sets the header's format version or crate version and its checksum.
fn with_version(bytes: &[u8], format: u32, version: &str) -> Vec<u8> {
    let mut b = bytes.to_vec();
    b[8..12].copy_from_slice(&format.to_le_bytes());
    b[24..56].fill(0);
    b[24..24 + version.len()].copy_from_slice(version.as_bytes());
    let crc = crc32fast::hash(&b[0..60]);
    b[60..64].copy_from_slice(&crc.to_le_bytes());
    b
}

#[test]
fn another_version_is_refused_naming_both_versions() {
    let bytes = sample_snapshot();
    let this = env!("CARGO_PKG_VERSION");
    assert!(reload(&with_version(&bytes, 1, this)).is_ok());
    for (format, version) in [(2, this), (1, "0.0.1-old"), (7, "9.9.9")] {
        let err = reload(&with_version(&bytes, format, version));
        match err {
            Err(e @ SnapshotError::OtherVersion { .. }) => {
                let text = e.to_string();
                assert!(
                    text.contains(&format!("format {format} written by fundtrace {version}")),
                    "{text}"
                );
                assert!(
                    text.contains(&format!("this build reads format 1 of fundtrace {this}")),
                    "{text}"
                );
            }
            other => panic!("{format} {version}: {other:?}"),
        }
    }
    // The version is checked before the header's checksum: a future
    // format's header may differ.
    let mut future = bytes.clone();
    future[8] = 9;
    assert!(matches!(
        reload(&future),
        Err(SnapshotError::OtherVersion {
            found_format: 9,
            ..
        })
    ));
}

#[test]
fn wrong_magic_and_empty_files_are_not_snapshots() {
    let csv = std::fs::read(root("examples/data/ronin/transactions.csv"))
        .unwrap_or_else(|e| panic!("{e}"));
    match reload(&csv) {
        Err(e @ SnapshotError::BadMagic { .. }) => {
            let text = e.to_string();
            assert!(text.contains("not a fundtrace snapshot"), "{text}");
            assert!(text.contains("\"hash,non\""), "{text}");
        }
        other => panic!("{other:?}"),
    }
    let mut bytes = sample_snapshot();
    bytes[0] = b'X';
    assert!(matches!(
        reload(&bytes),
        Err(SnapshotError::BadMagic { .. })
    ));
    match reload(&[]) {
        Err(e @ SnapshotError::Empty) => assert!(e.to_string().contains("empty file"), "{e}"),
        other => panic!("{other:?}"),
    }
}

// ------------------------------------------------- read_file (both cores)

/// Writes `bytes` to a file of its own in `dir`.
fn file_of(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    p
}

/// A generated ledger whose largest columns span several of the 1 MiB
/// pieces `read_file` reads on two threads.
fn large_snapshot() -> (Ledger, Vec<u8>) {
    let g = generate(&GenConfig {
        transfers: 150_000,
        seed: 13,
        ..GenConfig::default()
    });
    let bytes = snapshot_bytes(&g.ledger);
    let largest = sections(&bytes).iter().map(|s| s.2).max().unwrap_or(0);
    assert!(largest > 3 << 20, "largest section {largest} bytes");
    (g.ledger, bytes)
}

#[test]
fn read_file_gives_the_ledger_read_from_gives_and_the_file_sha256() {
    let dir = case_dir("parallel");
    let (ledger, bytes) = large_snapshot();
    let sample = sample_snapshot();
    let empty = snapshot_bytes(&Ledger::default());
    for (name, bytes) in [("large", &bytes), ("bybit", &sample), ("empty", &empty)] {
        let path = file_of(&dir, name, bytes);
        let serial = reload(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        // Several reads: the two threads share the pieces differently
        // each time, and every sharing gives the same ledger.
        for _ in 0..3 {
            let parallel = snapshot::read_file(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_same(&serial, &parallel);
            let source = parallel
                .snapshot_source()
                .unwrap_or_else(|| panic!("{name}: no source"));
            assert_eq!(source.sha256, sha256_of(&path), "{name}");
            assert_eq!(source.path, path.display().to_string());
        }
    }
    let back = snapshot::read_file(&dir.join("large")).unwrap_or_else(|e| panic!("{e}"));
    assert_same(&ledger, &back);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn read_file_finds_a_flipped_byte_in_any_section_and_names_it() {
    let dir = case_dir("parallel-flip");
    for bytes in [sample_snapshot(), large_snapshot().1] {
        let mut tried = 0;
        for (i, &(head, data, len)) in sections(&bytes).iter().enumerate() {
            if len == 0 {
                continue;
            }
            // First, middle and last byte, and bytes in the second and last
            // 1 MiB piece of a large section.
            let mut at = vec![data, data + len / 2, data + len - 1];
            if len > 1 << 20 {
                at.extend([data + (1 << 20) + 3, data + len - (1 << 20) + 1]);
            }
            for at in at {
                let mut bad = bytes.clone();
                bad[at] ^= 0x04;
                let path = file_of(&dir, "flipped", &bad);
                match snapshot::read_file(&path) {
                    Err(
                        e @ SnapshotError::Checksum {
                            offset, section, ..
                        },
                    ) => {
                        assert_eq!(offset, head as u64, "section {i} byte {at}");
                        let text = e.to_string();
                        assert!(
                            text.contains(&format!("the {section} section at offset {head}")),
                            "{text}"
                        );
                    }
                    other => panic!("section {i} byte {at}: {other:?}"),
                }
                tried += 1;
            }
            // The stored checksum itself.
            let mut bad = bytes.clone();
            bad[data + len + 2] ^= 1;
            let path = file_of(&dir, "trailer", &bad);
            match snapshot::read_file(&path) {
                Err(SnapshotError::Checksum { offset, .. }) => assert_eq!(offset, head as u64),
                other => panic!("section {i} trailer: {other:?}"),
            }
        }
        assert!(tried >= 40, "{tried}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn read_file_refuses_cut_long_miscounted_foreign_and_empty_files() {
    let dir = case_dir("parallel-cut");
    let bytes = sample_snapshot();
    let n = bytes.len();
    // Cut at every section boundary (its header, its data, its checksum)
    // and inside the file header.
    let mut cuts = vec![0, 1, 7, 8, 30, 63];
    for &(head, data, len) in &sections(&bytes) {
        cuts.extend([head, head + 5, data, data + len, data + len + 2]);
    }
    cuts.push(n - 1);
    for cut in cuts {
        let path = file_of(&dir, "cut", &bytes[..cut]);
        let err = snapshot::read_file(&path);
        let serial = reload(&bytes[..cut]);
        match (&err, cut) {
            (Err(SnapshotError::Empty), 0) => {}
            (Err(SnapshotError::BadMagic { .. }), _) => panic!("cut {cut}: {err:?}"),
            (Err(e @ SnapshotError::Truncated { .. }), _) => {
                let want = if cut < 64 { 64 } else { n };
                let text = e.to_string();
                assert!(
                    text.contains(&format!("{want} bytes expected, the file has {cut}")),
                    "cut {cut}: {text}"
                );
            }
            _ => panic!("cut {cut}: {err:?}"),
        }
        // The same error as the one-thread reader gives.
        assert_eq!(
            err.map(|_| ()).map_err(|e| e.to_string()),
            serial.map(|_| ()).map_err(|e| e.to_string()),
            "cut {cut}"
        );
    }
    let mut long = bytes.clone();
    long.push(0);
    let path = file_of(&dir, "long", &long);
    assert!(matches!(
        snapshot::read_file(&path),
        Err(SnapshotError::TooLong { .. })
    ));
    // A count larger than the file, in each section, names the section's
    // offset, and nothing is allocated for it.
    for &(head, _, _) in &sections(&bytes) {
        let mut bad = bytes.clone();
        bad[head + 15] = 0x40;
        let path = file_of(&dir, "count", &bad);
        match snapshot::read_file(&path) {
            Err(SnapshotError::CountTooLarge { offset, .. }) => assert_eq!(offset, head as u64),
            other => panic!("section at {head}: {other:?}"),
        }
    }
    // Another version, another kind of file, an empty one.
    let this = env!("CARGO_PKG_VERSION");
    let path = file_of(&dir, "old", &with_version(&bytes, 2, this));
    match snapshot::read_file(&path) {
        Err(e @ SnapshotError::OtherVersion { .. }) => {
            assert!(
                e.to_string().contains("format 2 written by fundtrace"),
                "{e}"
            );
        }
        other => panic!("{other:?}"),
    }
    let path = file_of(&dir, "csv", b"hash,nonce\n");
    assert!(matches!(
        snapshot::read_file(&path),
        Err(SnapshotError::BadMagic { .. })
    ));
    let path = file_of(&dir, "empty", b"");
    assert!(matches!(
        snapshot::read_file(&path),
        Err(SnapshotError::Empty)
    ));
    assert!(matches!(
        snapshot::read_file(&dir.join("missing")),
        Err(SnapshotError::Io(_))
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

// ------------------------------------------------------------ command line

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_fundtrace"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn sha256_of(path: &Path) -> String {
    hex::encode(Sha256::digest(
        std::fs::read(path).unwrap_or_else(|e| panic!("{e}")),
    ))
}

#[test]
fn the_command_line_reports_the_same_from_a_snapshot_and_verifies_it() {
    let dir = case_dir("cli");
    for f in ["transactions.csv", "token_transfers.csv", "labels.csv"] {
        std::fs::copy(root(&format!("examples/data/bybit/{f}")), dir.join(f))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let inputs = [
        "--transactions",
        "transactions.csv",
        "--token-transfers",
        "token_transfers.csv",
    ];
    let mut args = vec!["snapshot"];
    args.extend(inputs);
    args.extend(["--out", "ledger.ftsnap", "-q"]);
    ok(&run(&dir, &args));

    let trace = |ledger: &[&str], out: &str| {
        let mut a = vec!["trace"];
        a.extend(ledger);
        a.extend([
            "--labels",
            "labels.csv",
            "--seed",
            BYBIT,
            "--json",
            "--out",
            out,
        ]);
        ok(&run(&dir, &a));
        let text = std::fs::read_to_string(dir.join(out)).unwrap_or_else(|e| panic!("{e}"));
        serde_json::from_str::<serde_json::Value>(&text).unwrap_or_else(|e| panic!("{e}"))
    };
    let mut csv = trace(&inputs, "csv.json");
    let mut snap = trace(&["--snapshot", "ledger.ftsnap"], "snap.json");

    // The inputs: the snapshot with its SHA-256, then the ledger inputs it
    // was made from with the digests recorded when it was made.
    let roles = |v: &serde_json::Value| -> Vec<(String, String, String)> {
        v["inputs"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|i| {
                        let s = |k: &str| i[k].as_str().unwrap_or_default().to_string();
                        (s("path"), s("role"), s("sha256"))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let from_csv = roles(&csv);
    let from_snap = roles(&snap);
    let snap_sha = sha256_of(&dir.join("ledger.ftsnap"));
    assert!(from_snap.contains(&("ledger.ftsnap".into(), "snapshot".into(), snap_sha)));
    for (path, role, sha) in &from_csv {
        let want_role = if role == "ledger" {
            "snapshot-ledger"
        } else {
            role
        };
        assert!(
            from_snap.contains(&(path.clone(), want_role.to_string(), sha.clone())),
            "{path} {role}: {from_snap:?}"
        );
    }
    assert_eq!(from_snap.len(), from_csv.len() + 1);
    // Everything else is the same, value for value.
    for v in [&mut csv, &mut snap] {
        let o = v.as_object_mut().unwrap_or_else(|| panic!("not an object"));
        o.remove("inputs");
        o.remove("command_line");
    }
    assert_eq!(csv, snap);

    // verify re-hashes the snapshot and reruns from it; the CSV files the
    // snapshot was made from need not be there.
    ok(&run(&dir, &["verify", "snap.json"]));
    std::fs::remove_file(dir.join("transactions.csv")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::remove_file(dir.join("token_transfers.csv")).unwrap_or_else(|e| panic!("{e}"));
    let out = ok(&run(&dir, &["verify", "snap.json"]));
    assert!(out.contains("verified"), "{out}");

    // inspect reads the snapshot too.
    let inspect = ok(&run(
        &dir,
        &[
            "inspect",
            "--snapshot",
            "ledger.ftsnap",
            "--address",
            BYBIT,
            "--json",
        ],
    ));
    assert!(inspect.contains(BYBIT), "{inspect}");

    // A changed snapshot fails verification, and is refused when read.
    let path = dir.join("ledger.ftsnap");
    let mut bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{e}"));
    let at = bytes.len() - 100;
    bytes[at] ^= 0xff;
    std::fs::write(&path, &bytes).unwrap_or_else(|e| panic!("{e}"));
    let out = run(&dir, &["verify", "snap.json"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("input changed"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(
        &dir,
        &["inspect", "--snapshot", "ledger.ftsnap", "--address", BYBIT],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("snapshot ledger.ftsnap") && err.contains("fails its checksum"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_command_line_refuses_misuse_clearly() {
    let dir = case_dir("misuse");
    std::fs::copy(
        root("examples/data/ronin/transactions.csv"),
        dir.join("tx.csv"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    ok(&run(
        &dir,
        &[
            "snapshot",
            "--transactions",
            "tx.csv",
            "--out",
            "s.ftsnap",
            "-q",
        ],
    ));
    let fails = |args: &[&str], want: &str| {
        let out = run(&dir, args);
        assert!(!out.status.success(), "{args:?} succeeded");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "{args:?}: {err}");
    };
    // A snapshot and ledger inputs together.
    fails(
        &[
            "trace",
            "--snapshot",
            "s.ftsnap",
            "--transactions",
            "tx.csv",
            "--seed",
            RONIN,
        ],
        "cannot be used with",
    );
    // The output over an input.
    fails(
        &["snapshot", "--transactions", "tx.csv", "--out", "tx.csv"],
        "tx.csv",
    );
    // Bitcoin inputs, refused before they are read.
    fails(
        &[
            "snapshot",
            "--btc-json",
            "missing.json",
            "--out",
            "b.ftsnap",
        ],
        "Bitcoin",
    );
    // Not a snapshot, an empty file.
    fails(
        &["inspect", "--snapshot", "tx.csv", "--address", RONIN],
        "not a fundtrace snapshot",
    );
    std::fs::write(dir.join("empty"), b"").unwrap_or_else(|e| panic!("{e}"));
    fails(
        &["inspect", "--snapshot", "empty", "--address", RONIN],
        "empty file",
    );
    // A failed load leaves an existing snapshot whole.
    let before = std::fs::read(dir.join("s.ftsnap")).unwrap_or_else(|e| panic!("{e}"));
    fails(
        &[
            "snapshot",
            "--transactions",
            "missing.csv",
            "--out",
            "s.ftsnap",
        ],
        "missing.csv",
    );
    assert_eq!(
        std::fs::read(dir.join("s.ftsnap")).unwrap_or_else(|e| panic!("{e}")),
        before
    );
    std::fs::remove_dir_all(&dir).ok();
}
