//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::process::{Command, Output};

use fundtrace::Ledger;

/// Runs the `fundtrace` binary in the crate root.
pub fn fundtrace(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fundtrace"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

/// Runs the binary, requires success, and parses its standard output as JSON.
pub fn fundtrace_json(args: &[&str]) -> serde_json::Value {
    let out = fundtrace(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

/// Everything a ledger says about its transfers and transactions, as text,
/// for comparing two ledgers.
pub fn dump(l: &Ledger) -> Vec<String> {
    let mut out: Vec<String> = l
        .transfers()
        .map(|t| {
            format!(
                "{} {} {:?} {} {} {} {} {} {}",
                t.id,
                l.tx_hash_hex(t.tx),
                t.kind,
                t.sub_index,
                l.address(t.from),
                l.address(t.to),
                l.asset_name(t.asset),
                t.amount,
                l.time(t.id)
            )
        })
        .collect();
    for i in 0..l.tx_count() {
        let tx = fundtrace::TxIndex::from_usize(i);
        out.push(format!(
            "tx {} {:?} {}",
            l.tx_hash_hex(tx),
            l.tx_block(tx),
            l.tx_position(tx)
        ));
    }
    out
}
