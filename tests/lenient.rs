//! Lenient reading accounts for everything: every skipped record and
//! conflict is counted by input and reason and reaches the trace report;
//! whole-file problems are errors; the rejects file keeps each skipped
//! record's raw text, multi-line ones included; writing it cannot fail
//! silently. Also the checked formats (dates, checksums, hex, JSON keys).

use std::io::Write;
use std::path::{Path, PathBuf};

use fundtrace::ingest::{load, Format, IngestOptions, RejectRecord, Source};
use fundtrace::report::trace::{TraceReport, TraceSummary};
use fundtrace::trace::{trace, Model, Seed, TraceConfig};

const A: &str = "0x1111111111111111111111111111111111111111";
const B: &str = "0x2222222222222222222222222222222222222222";
const H1: &str = "0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const H2: &str = "0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const H3: &str = "0xcccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";
const HEADER: &str =
    "hash,block_number,transaction_index,from_address,to_address,value,block_timestamp";

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("fundtrace-lenient-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display()));
    d
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    p
}

fn row(hash: &str, pos: u32, value: &str) -> String {
    format!("{hash},100,{pos},{A},{B},{value},1700000000")
}

fn tx_source(p: &Path) -> Vec<Source> {
    vec![Source::new(Format::EthTransactions, p)]
}

fn lenient(rejects: Option<&mut dyn Write>) -> IngestOptions<'_> {
    IngestOptions {
        lenient: true,
        rejects,
        ..IngestOptions::default()
    }
}

fn rejects_of(text: &[u8]) -> Vec<RejectRecord> {
    std::str::from_utf8(text)
        .unwrap_or_else(|e| panic!("{e}"))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn skips_and_conflicts_reach_the_trace_report_by_input_and_reason() {
    let d = dir("report");
    let path = write(
        &d,
        "tx.csv",
        &format!(
            "{HEADER}\n{}\n{}\n{}\n{}\n",
            row(H1, 0, "100"),
            row(H2, 1, "-5"),
            row(H1, 0, "900"),
            row(H3, 2, "7"),
        ),
    );
    let ledger = load(&tx_source(&path), lenient(None)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ledger.inputs()[0].records, 2);
    assert_eq!(ledger.conflicts().len(), 1);
    let seed = Seed::parse("x", A).unwrap_or_else(|e| panic!("{e}"));
    let config = TraceConfig::new(Model::Haircut, vec![seed]).unwrap_or_else(|e| panic!("{e}"));
    let report = TraceReport::new(&ledger, &config, &trace(&ledger, &config));
    let skipped: Vec<(String, u64)> = report
        .skipped
        .iter()
        .map(|s| (s.reason.clone(), s.count))
        .collect();
    assert_eq!(
        skipped,
        vec![
            ("conflicting transfer".to_string(), 1),
            ("value: negative amount".to_string(), 1)
        ]
    );
    assert!(report
        .skipped
        .iter()
        .all(|s| s.input == path.display().to_string()));
    let json = serde_json::to_value(&report).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(json["skipped"].as_array().map(Vec::len), Some(2));
    let text = TraceSummary {
        report: &report,
        top: 5,
    }
    .to_string();
    assert!(text.contains("skipped 2 record(s)"), "{text}");
    assert!(text.contains("1 x conflicting transfer"), "{text}");
    std::fs::remove_dir_all(&d).unwrap_or_default();
}

#[test]
fn a_wrong_header_or_an_empty_file_is_an_error_even_when_lenient() {
    let d = dir("header");
    let wrong = write(&d, "wrong.csv", &format!("hash,value\n{H1},5\n"));
    let empty = write(&d, "empty.csv", "");
    let header_only = write(&d, "header.csv", &format!("{HEADER}\n"));
    let empty_json = write(&d, "empty.jsonl", "\n\n");
    for p in [&wrong, &empty, &header_only, &empty_json] {
        let err = load(&tx_source(p), lenient(None))
            .err()
            .unwrap_or_else(|| panic!("{}: accepted", p.display()));
        assert!(
            err.to_string().starts_with(&p.display().to_string()),
            "{err}"
        );
    }
    std::fs::remove_dir_all(&d).unwrap_or_default();
}

#[test]
fn an_unterminated_quote_does_not_swallow_the_rows_after_it() {
    let d = dir("quote");
    let path = write(
        &d,
        "tx.csv",
        &format!(
            "{HEADER}\n{}\n{H2},100,1,{A},\"{B},5,1700000000\n{}\n",
            row(H1, 0, "100"),
            row(H3, 2, "7"),
        ),
    );
    let ledger = load(&tx_source(&path), lenient(None)).unwrap_or_else(|e| panic!("{e}"));
    let amounts: Vec<u128> = ledger.transfers().map(|t| t.amount).collect();
    assert_eq!(amounts, vec![100, 7]);
    let input = &ledger.inputs()[0];
    assert_eq!(input.records, 2);
    assert_eq!(
        input.skipped.values().sum::<u64>(),
        1,
        "{:?}",
        input.skipped
    );
    assert!(input
        .skipped
        .keys()
        .any(|k| k.starts_with("unterminated quote")));
    // Strict reading names the line.
    let err = load(&tx_source(&path), IngestOptions::default())
        .err()
        .unwrap_or_else(|| panic!("accepted"))
        .to_string();
    assert!(err.contains("tx.csv:3: unterminated quote"), "{err}");
    std::fs::remove_dir_all(&d).unwrap_or_default();
}

#[test]
fn rejects_keep_raw_text_of_multi_line_records_and_conflicts() {
    let d = dir("rejects");
    // A quoted field holding a line end, in a record that is bad.
    let multi = format!("{H2},100,1,{A},{B},\"5\n0\",1700000000");
    let conflicting = row(H1, 0, "900");
    let path = write(
        &d,
        "tx.csv",
        &format!(
            "{HEADER}\n{}\n{multi}\n{conflicting}\n{}\n",
            row(H1, 0, "100"),
            row(H3, 2, "7")
        ),
    );
    let mut out = Vec::new();
    let ledger = load(&tx_source(&path), lenient(Some(&mut out))).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ledger.inputs()[0].records, 2);
    let rejects = rejects_of(&out);
    assert_eq!(rejects.len(), 2, "{rejects:?}");
    assert_eq!(rejects[0].line, Some(3));
    assert_eq!(rejects[0].raw.as_deref(), Some(multi.as_str()));
    assert_eq!(rejects[0].file, path.display().to_string());
    assert_eq!(rejects[1].line, Some(5));
    assert_eq!(rejects[1].reason, "conflicting transfer");
    assert_eq!(rejects[1].raw.as_deref(), Some(conflicting.as_str()));
    assert!(rejects[1].error.contains(":2"), "{}", rejects[1].error);
    std::fs::remove_dir_all(&d).unwrap_or_default();
}

/// A writer whose every write fails, like `/dev/full`.
struct Full;

impl Write for Full {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::Error::from_raw_os_error(28))
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Err(std::io::Error::from_raw_os_error(28))
    }
}

#[test]
fn a_failing_rejects_writer_is_an_error() {
    let d = dir("full");
    let path = write(
        &d,
        "tx.csv",
        &format!("{HEADER}\n{}\n{}\n", row(H1, 0, "100"), row(H2, 1, "-5")),
    );
    let mut full = Full;
    let err = load(&tx_source(&path), lenient(Some(&mut full)))
        .err()
        .unwrap_or_else(|| panic!("a lost rejects file went unnoticed"));
    assert!(err.to_string().contains("rejects"), "{err}");
    #[cfg(target_os = "linux")]
    {
        let mut dev_full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(load(&tx_source(&path), lenient(Some(&mut dev_full))).is_err());
    }
    std::fs::remove_dir_all(&d).unwrap_or_default();
}

#[test]
fn impossible_dates_hex_values_and_bad_checksums_are_refused() {
    let d = dir("formats");
    let bad = [
        (
            "date",
            format!("{H1},100,0,{A},{B},5,2023-02-31 00:00:00"),
            "block_timestamp",
        ),
        (
            "feb30",
            format!("{H1},100,0,{A},{B},5,2024-02-30T00:00:00Z"),
            "block_timestamp",
        ),
        (
            "hex",
            format!("{H1},100,0,{A},{B},0x10,1700000000"),
            "hexadecimal",
        ),
        (
            "checksum",
            format!("{H1},100,0,0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD,{B},5,1700000000"),
            "EIP-55",
        ),
    ];
    for (name, r, needle) in bad {
        let p = write(&d, &format!("{name}.csv"), &format!("{HEADER}\n{r}\n"));
        let err = load(&tx_source(&p), IngestOptions::default())
            .err()
            .unwrap_or_else(|| panic!("{name}: accepted"))
            .to_string();
        assert!(err.contains(needle), "{name}: {err}");
        assert!(err.contains(":2:"), "{name}: {err}");
    }
    // The right checksum, and a leap day, are fine.
    let p = write(
        &d,
        "good.csv",
        &format!("{HEADER}\n{H1},100,0,0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed,{B},5,2024-02-29 00:00:00\n"),
    );
    load(&tx_source(&p), IngestOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    std::fs::remove_dir_all(&d).unwrap_or_default();
}

#[test]
fn json_lines_refuse_duplicate_keys_and_drop_a_byte_order_mark() {
    let d = dir("json");
    let obj = format!(
        r#"{{"hash":"{H1}","block_number":100,"transaction_index":0,"from_address":"{A}","to_address":"{B}","value":"5","block_timestamp":1700000000}}"#
    );
    let dup = obj.replace(r#""value":"5""#, r#""value":"5","value":"900""#);
    let p = write(&d, "dup.jsonl", &format!("{dup}\n"));
    let err = load(&tx_source(&p), IngestOptions::default())
        .err()
        .unwrap_or_else(|| panic!("duplicate key accepted"))
        .to_string();
    assert!(err.contains("duplicate key `value`"), "{err}");
    let p = write(&d, "bom.jsonl", &format!("\u{feff}{obj}\n"));
    let l = load(&tx_source(&p), IngestOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(l.transfer_count(), 1);
    std::fs::remove_dir_all(&d).unwrap_or_default();
}

#[test]
fn blocks_running_backwards_are_an_error_when_strict_and_counted_when_lenient() {
    let d = dir("backwards");
    let p = write(
        &d,
        "tx.csv",
        &format!("{HEADER}\n{H1},100,0,{A},{B},5,1700000100\n{H2},101,0,{A},{B},6,1700000000\n"),
    );
    let err = load(&tx_source(&p), IngestOptions::default())
        .err()
        .unwrap_or_else(|| panic!("accepted"))
        .to_string();
    assert!(
        err.contains("block 101") && err.contains("tx.csv:3") && err.contains("tx.csv:2"),
        "{err}"
    );
    let l = load(&tx_source(&p), lenient(None)).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        l.warnings()
            .iter()
            .any(|w| w.contains("ethereum: 1 block(s) are dated before")),
        "{:?}",
        l.warnings()
    );
    std::fs::remove_dir_all(&d).unwrap_or_default();
}
