//! One rule for duplicates, in every account-chain format: a record that
//! repeats another exactly is one record; a record that says something else
//! about the same transaction, transfer or trace is an error naming both
//! lines (strict) or a counted conflict listed in the ledger (lenient).

mod common;

use std::path::{Path, PathBuf};

use fundtrace::ingest::{load, Format, IngestError, IngestOptions, Source};
use fundtrace::Ledger;

const A: &str = "0x1111111111111111111111111111111111111111";
const B: &str = "0x2222222222222222222222222222222222222222";
const T: &str = "0x3333333333333333333333333333333333333333";
const H1: &str = "0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const H2: &str = "0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

/// A fresh directory for one test's files.
fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("fundtrace-dupes-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display()));
    d
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    p
}

fn read(sources: &[(Format, &Path)], lenient: bool) -> Result<Ledger, IngestError> {
    let sources: Vec<Source> = sources.iter().map(|(f, p)| Source::new(*f, *p)).collect();
    load(
        &sources,
        IngestOptions {
            lenient,
            ..IngestOptions::default()
        },
    )
}

fn amounts(l: &Ledger) -> Vec<u128> {
    l.transfers().map(|t| t.amount).collect()
}

/// One format's records: `first` and `second` are two different records;
/// `contradiction` says something else about `first`'s identity.
struct Case {
    name: &'static str,
    format: Format,
    file: &'static str,
    header: String,
    first: String,
    second: String,
    contradiction: String,
    /// Amounts of the ledger of `first` and `second`, in event order.
    amounts: Vec<u128>,
}

fn cases() -> Vec<Case> {
    let eth = 10u128.pow(18);
    let tx_header =
        "hash,block_number,transaction_index,from_address,to_address,value,block_timestamp";
    let token_header = "token_address,from_address,to_address,value,transaction_hash,log_index,block_number,block_timestamp,transaction_index";
    let trace_header = "transaction_hash,block_number,transaction_index,from_address,to_address,value,trace_type,call_type,trace_address,status,block_timestamp";
    let etherscan_header =
        "Txhash,Blockno,UnixTimestamp,From,To,ContractAddress,Value_IN(ETH),Value_OUT(ETH)";
    let own = |tx: &str, index: u32, amount: &str| {
        format!(
            r#"{{"type":"transfer","tx":"{tx}","block":100,"time":1700000000,"position":0,"kind":"token","index":{index},"from":"{A}","to":"{B}","asset":"{T}","amount":"{amount}"}}"#
        )
    };
    let tx_json = |hash: &str, pos: u32, value: &str| {
        format!(
            r#"{{"hash":"{hash}","block_number":100,"transaction_index":{pos},"from_address":"{A}","to_address":"{B}","value":"{value}","block_timestamp":1700000000}}"#
        )
    };
    vec![
        Case {
            name: "ethereum-etl transactions CSV, by hash",
            format: Format::EthTransactions,
            file: "tx.csv",
            header: tx_header.into(),
            first: format!("{H1},100,0,{A},{B},100,1700000000"),
            second: format!("{H2},100,1,{B},{A},5,1700000000"),
            contradiction: format!("{H1},100,0,{A},{B},900,1700000000"),
            amounts: vec![100, 5],
        },
        Case {
            name: "ethereum-etl transactions JSON lines, by hash",
            format: Format::EthTransactions,
            file: "tx.jsonl",
            header: String::new(),
            first: tx_json(H1, 0, "100"),
            second: tx_json(H2, 1, "5"),
            contradiction: tx_json(H1, 0, "900"),
            amounts: vec![100, 5],
        },
        Case {
            name: "token transfers, by (transaction, log index)",
            format: Format::EthTokenTransfers,
            file: "tokens.csv",
            header: token_header.into(),
            first: format!("{T},{A},{B},5,{H1},0,100,1700000000,0"),
            second: format!("{T},{A},{B},7,{H1},1,100,1700000000,0"),
            contradiction: format!("{T},{A},{B},9,{H1},0,100,1700000000,0"),
            amounts: vec![5, 7],
        },
        Case {
            name: "traces, by (transaction, trace address)",
            format: Format::EthTraces,
            file: "traces.csv",
            header: trace_header.into(),
            first: format!("{H1},100,0,{A},{B},3,call,call,\"0\",1,1700000000"),
            second: format!("{H1},100,0,{B},{A},4,call,call,\"0,1\",1,1700000000"),
            contradiction: format!("{H1},100,0,{A},{B},8,call,call,\"0\",1,1700000000"),
            amounts: vec![3, 4],
        },
        Case {
            name: "Etherscan normal transactions, by hash",
            format: Format::Etherscan,
            file: "etherscan.csv",
            header: etherscan_header.into(),
            first: format!("{H1},100,1700000000,{A},{B},,0,10000"),
            second: format!("{H2},101,1700000012,{B},{A},,0,1.5"),
            contradiction: format!("{H1},100,1700000000,{A},{B},,0,5"),
            amounts: vec![10_000 * eth, 15 * eth / 10],
        },
        Case {
            name: "own JSON lines, by (transaction, kind, index)",
            format: Format::Fundtrace,
            file: "ledger.jsonl",
            header: String::new(),
            first: own(H1, 0, "100"),
            second: own(H1, 1, "5"),
            contradiction: own(H1, 0, "900"),
            amounts: vec![100, 5],
        },
    ]
}

fn file_text(case: &Case, rows: &[&str]) -> String {
    let mut text = String::new();
    if !case.header.is_empty() {
        text.push_str(&case.header);
        text.push('\n');
    }
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    text
}

/// The line `first` is on, and the line of the third row.
fn lines(case: &Case) -> (u64, u64) {
    let offset = u64::from(!case.header.is_empty());
    (1 + offset, 3 + offset)
}

#[test]
fn an_exact_repeat_is_one_record_in_every_format() {
    for case in cases() {
        let d = dir(&format!("repeat-{}", case.file));
        let once = write(
            &d,
            &format!("once-{}", case.file),
            &file_text(&case, &[&case.first, &case.second]),
        );
        let twice = write(
            &d,
            &format!("twice-{}", case.file),
            &file_text(&case, &[&case.first, &case.second, &case.first]),
        );
        let one =
            read(&[(case.format, &once)], false).unwrap_or_else(|e| panic!("{}: {e}", case.name));
        assert_eq!(amounts(&one), case.amounts, "{}", case.name);
        for lenient in [false, true] {
            let l = read(&[(case.format, &twice)], lenient)
                .unwrap_or_else(|e| panic!("{}: {e}", case.name));
            assert_eq!(common::dump(&l), common::dump(&one), "{}", case.name);
            assert!(l.conflicts().is_empty(), "{}", case.name);
        }
        // The same file given twice (overlapping exports) is read once too.
        let l = read(&[(case.format, &once), (case.format, &twice)], false)
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        assert_eq!(common::dump(&l), common::dump(&one), "{}", case.name);
        std::fs::remove_dir_all(&d).unwrap_or_default();
    }
}

#[test]
fn a_contradiction_names_both_lines_when_strict() {
    for case in cases() {
        let d = dir(&format!("strict-{}", case.file));
        let path = write(
            &d,
            case.file,
            &file_text(&case, &[&case.first, &case.second, &case.contradiction]),
        );
        let err = read(&[(case.format, &path)], false)
            .err()
            .unwrap_or_else(|| panic!("{}: strict mode accepted a contradiction", case.name))
            .to_string();
        let (first, third) = lines(&case);
        let p = path.display();
        for needle in [format!("{p}:{first}"), format!("{p}:{third}")] {
            assert!(
                err.contains(&needle),
                "{}: {err:?} lacks {needle:?}",
                case.name
            );
        }
        std::fs::remove_dir_all(&d).unwrap_or_default();
    }
}

#[test]
fn a_contradiction_is_a_counted_conflict_when_lenient() {
    for case in cases() {
        let d = dir(&format!("lenient-{}", case.file));
        let path = write(
            &d,
            case.file,
            &file_text(&case, &[&case.first, &case.second, &case.contradiction]),
        );
        let l =
            read(&[(case.format, &path)], true).unwrap_or_else(|e| panic!("{}: {e}", case.name));
        // The record read first is kept; the contradiction is not added.
        assert_eq!(amounts(&l), case.amounts, "{}", case.name);
        assert_eq!(l.conflicts().len(), 1, "{}: {:?}", case.name, l.conflicts());
        let c = &l.conflicts()[0];
        let (first, third) = lines(&case);
        assert_eq!(c.kept.line, first, "{}", case.name);
        assert_eq!(c.dropped.line, third, "{}", case.name);
        assert_eq!(c.dropped.path, path.display().to_string(), "{}", case.name);
        let input = &l.inputs()[0];
        assert_eq!(input.records, 2, "{}", case.name);
        assert_eq!(
            input.skipped.values().sum::<u64>(),
            1,
            "{}: {:?}",
            case.name,
            input.skipped
        );
        assert!(
            input.skipped.keys().all(|k| k.starts_with("conflicting")),
            "{}: {:?}",
            case.name,
            input.skipped
        );
        std::fs::remove_dir_all(&d).unwrap_or_default();
    }
}

#[test]
fn a_contradiction_across_two_files_names_both_files() {
    let case = &cases()[0];
    let d = dir("two-files");
    let a = write(&d, "a.csv", &file_text(case, &[&case.first]));
    let b = write(
        &d,
        "b.csv",
        &file_text(case, &[&case.second, &case.contradiction]),
    );
    let err = read(&[(case.format, &a), (case.format, &b)], false)
        .err()
        .unwrap_or_else(|| panic!("accepted"))
        .to_string();
    assert!(err.contains(&format!("{}:2", a.display())), "{err}");
    assert!(err.contains(&format!("{}:3", b.display())), "{err}");
    std::fs::remove_dir_all(&d).unwrap_or_default();
}

#[test]
fn overlapping_traces_exports_give_the_ledger_of_one() {
    let header = "transaction_hash,block_number,transaction_index,from_address,to_address,value,trace_type,call_type,trace_address,status,block_timestamp";
    let row = |path: &str, from: &str, to: &str, value: u32| {
        format!("{H1},100,0,{from},{to},{value},call,call,\"{path}\",1,1700000000")
    };
    let (t0, t01, t1, t2) = (
        row("0", A, B, 3),
        row("0,1", B, A, 4),
        row("1", A, B, 5),
        row("2", B, A, 6),
    );
    let d = dir("overlap");
    let whole = write(
        &d,
        "whole.csv",
        &format!("{header}\n{t0}\n{t01}\n{t1}\n{t2}\n"),
    );
    // Two exports that overlap on two traces, rows in another order.
    let part1 = write(&d, "part1.csv", &format!("{header}\n{t1}\n{t0}\n{t01}\n"));
    let part2 = write(&d, "part2.csv", &format!("{header}\n{t2}\n{t01}\n{t1}\n"));
    let one = read(&[(Format::EthTraces, &whole)], false).unwrap_or_else(|e| panic!("{e}"));
    let two = read(
        &[(Format::EthTraces, &part1), (Format::EthTraces, &part2)],
        false,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(amounts(&one), vec![3, 4, 5, 6]);
    assert_eq!(common::dump(&two), common::dump(&one));
    let ranks: Vec<u32> = two.transfers().map(|t| t.sub_index).collect();
    assert_eq!(ranks, vec![1, 2, 3, 4]);
    // A duplicated row within one export counts once.
    let doubled = write(
        &d,
        "doubled.csv",
        &format!("{header}\n{t0}\n{t01}\n{t1}\n{t1}\n{t2}\n"),
    );
    let l = read(&[(Format::EthTraces, &doubled)], false).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(common::dump(&l), common::dump(&one));
    std::fs::remove_dir_all(&d).unwrap_or_default();
}
