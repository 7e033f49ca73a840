//! `fundtrace inspect` on the shipped Ronin sample.

mod common;
use common::fundtrace;

#[test]
fn ronin_exploiter_sends_four_transfers_totalling_75143_ether() {
    let out = fundtrace(&[
        "inspect",
        "--transactions",
        "examples/data/ronin/transactions.csv",
        "--address",
        "0x098B716B8Aaf21512996dC57EB0615e2383E2f96",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["address"], "0x098b716b8aaf21512996dc57eb0615e2383e2f96");
    let assets = v["assets"].as_array().unwrap();
    assert_eq!(assets.len(), 1);
    assert_eq!(assets[0]["asset"], "ETH");
    assert_eq!(assets[0]["n_out"], 4);
    assert_eq!(assets[0]["sent"], "75143746350000000000000");
    let inputs = v["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 1);
    assert_eq!(inputs[0]["path"], "examples/data/ronin/transactions.csv");
    assert_eq!(inputs[0]["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn table_output_and_clear_errors() {
    let out = fundtrace(&[
        "inspect",
        "--transactions",
        "examples/data/ronin/transactions.csv",
        "--address",
        "0x098b716b8aaf21512996dc57eb0615e2383e2f96",
    ]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("75,143.74635"), "{text}");

    let out = fundtrace(&[
        "inspect",
        "--transactions",
        "no/such/file.csv",
        "--address",
        "0x098b716b8aaf21512996dc57eb0615e2383e2f96",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("no/such/file.csv"), "{err}");

    let out = fundtrace(&[
        "inspect",
        "--transactions",
        "examples/data/ronin/transactions.csv",
        "--address",
        "0x12",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("--address \"0x12\""), "{err}");
}
