//! `fundtrace trace` and `fundtrace compare` on the shipped samples:
//! byte-identical JSON across runs, and every cited transaction is in the
//! inputs.

use std::path::PathBuf;
use std::process::Command;

fn sample(rel: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples/data")
        .join(rel)
        .display()
        .to_string()
}

fn fundtrace(args: &[&str]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_fundtrace"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn trace_json_is_byte_identical_and_cites_only_input_transactions() {
    let txs = sample("bybit/transactions.csv");
    let tokens = sample("bybit/token_transfers.csv");
    let args = [
        "trace",
        "--transactions",
        &txs,
        "--token-transfers",
        &tokens,
        "--seed",
        "0x47666fab8bd0ac7003bce3f5c3585383f09486e2",
        "--incident-name",
        "bybit",
        "--model",
        "fifo",
        "--json",
    ];
    let a = fundtrace(&args);
    let b = fundtrace(&args);
    assert_eq!(a, b);
    let report: serde_json::Value = serde_json::from_slice(&a).unwrap();
    let keys: Vec<&str> = report
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for k in [
        "model",
        "parameters",
        "inputs",
        "seeds",
        "warnings",
        "totals",
        "exits",
        "holders",
        "flows",
    ] {
        assert!(keys.contains(&k), "missing key {k}");
    }
    let totals = report["totals"].as_object().unwrap();
    for k in ["stolen", "held", "exited", "fees", "dust", "gaps"] {
        assert!(totals.contains_key(k), "missing totals.{k}");
    }
    let inputs = format!(
        "{}{}",
        std::fs::read_to_string(&txs).unwrap(),
        std::fs::read_to_string(&tokens).unwrap()
    );
    let flows = report["flows"].as_array().unwrap();
    assert!(flows.len() >= 40);
    for f in flows {
        let tx = f["tx"].as_str().unwrap();
        assert!(inputs.contains(tx), "{tx} not in the inputs");
        for k in ["tx", "from", "to", "asset", "amount", "tainted", "time"] {
            assert!(f.get(k).is_some(), "flow without {k}");
        }
    }
    assert_eq!(report["inputs"].as_array().unwrap().len(), 2);
}

#[test]
fn compare_and_summary_run() {
    let txs = sample("bybit/transactions.csv");
    let base = [
        "--transactions",
        txs.as_str(),
        "--seed",
        "0x47666fab8bd0ac7003bce3f5c3585383f09486e2",
    ];
    let summary = String::from_utf8(fundtrace(&[&["trace"], &base[..]].concat())).unwrap();
    assert!(summary.contains("model haircut"));
    assert!(summary.contains("holders ("), "{summary}");
    assert!(summary.contains("why taint stops here"), "{summary}");
    let cmp = fundtrace(&[&["compare", "--json"], &base[..]].concat());
    let v: serde_json::Value = serde_json::from_slice(&cmp).unwrap();
    assert_eq!(v["models"].as_array().unwrap().len(), 6);
    let text = String::from_utf8(fundtrace(&[&["compare"], &base[..]].concat())).unwrap();
    assert!(text.contains("clean-first"));
}

#[test]
fn bad_seeds_are_usage_errors() {
    let out = Command::new(env!("CARGO_BIN_EXE_fundtrace"))
        .args([
            "trace",
            "--transactions",
            &sample("bybit/transactions.csv"),
            "--seed",
            "0x12",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("seed"));
}
