//! Label inputs on the command line: `category:NAME` targets in `paths`.

use std::process::Command;

fn fundtrace(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_fundtrace"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

#[test]
fn category_targets_come_from_the_labels() {
    let out = fundtrace(&[
        "paths",
        "--transactions",
        "examples/data/ronin/transactions.csv",
        "--labels",
        "examples/data/ronin/labels.csv",
        "--from",
        "0x098b716b8aaf21512996dc57eb0615e2383e2f96",
        "--to",
        "category:laundering",
        "--kind",
        "earliest",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let hops = v["paths"][0]["hops"].as_array().unwrap();
    // The exploiter's first payment to a Lazarus laundering address (2022-04-18).
    assert_eq!(hops.len(), 1);
    assert_eq!(hops[0]["to"], "0x3cffd56b47b7b41c56258d9c7731abadc360e073");
    assert_eq!(hops[0]["amount"], "10129935000000000000000");

    // Without labels the category cannot be resolved, and the error says why.
    let out = fundtrace(&[
        "paths",
        "--transactions",
        "examples/data/ronin/transactions.csv",
        "--from",
        "0x098b716b8aaf21512996dc57eb0615e2383e2f96",
        "--to",
        "category:laundering",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("no address of the ledger has a label of category laundering"));

    let out = fundtrace(&[
        "paths",
        "--transactions",
        "examples/data/ronin/transactions.csv",
        "--list",
        "examples/data/ronin/labels.csv:nonsense",
        "--from",
        "0x098b716b8aaf21512996dc57eb0615e2383e2f96",
        "--to",
        "category:mixer",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown category"));
}
