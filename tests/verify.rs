//! `fundtrace verify`: an untouched report re-derives; an edited number, a
//! changed input byte, a swapped label file or another tool version is
//! named, with a non-zero exit. Every input that shapes the result
//! (ledgers, labels, lists, TagPacks, seeds files) is in `inputs` with
//! its SHA-256.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sha2::{Digest, Sha256};

const RONIN: &str = "0x098b716b8aaf21512996dc57eb0615e2383e2f96";

fn root(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// A case folder holding copies of the inputs, so they can be changed.
fn case(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fundtrace-verify-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (from, to) in [
        ("examples/data/ronin/transactions.csv", "transactions.csv"),
        ("examples/data/ronin/labels.csv", "labels.csv"),
        ("examples/data/bybit/labels.csv", "other_labels.csv"),
        (
            "tests/data/graphsense_tagpacks/packs/exchange-wallets-binance.yaml",
            "binance.yaml",
        ),
    ] {
        std::fs::copy(root(from), dir.join(to)).unwrap();
    }
    std::fs::write(dir.join("ofac.txt"), format!("{RONIN}\n")).unwrap();
    std::fs::write(
        dir.join("seeds.txt"),
        format!("# the Ronin exploiter\nronin,{RONIN}\n"),
    )
    .unwrap();
    dir
}

/// Runs the binary in `dir`.
fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fundtrace"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the binary runs")
}

/// Traces the case with every kind of side input and writes `report.json`.
fn make_report(dir: &Path) -> serde_json::Value {
    let out = run(
        dir,
        &[
            "trace",
            "--transactions",
            "transactions.csv",
            "--labels",
            "labels.csv",
            "--list",
            "ofac.txt:sanctioned",
            "--tagpack",
            "binance.yaml",
            "--seeds-file",
            "seeds.txt",
            "--format",
            "json",
            "--out",
            "report.json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(dir.join("report.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn verify(dir: &Path, report: &str) -> (bool, String) {
    let out = run(dir, &["verify", report]);
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn sha256_of(path: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
}

#[test]
fn every_input_is_named_with_its_digest_and_role() {
    let dir = case("inputs");
    let report = make_report(&dir);
    let inputs = report["inputs"].as_array().unwrap();
    let roles: Vec<(String, String)> = inputs
        .iter()
        .map(|i| {
            (
                i["path"].as_str().unwrap().to_string(),
                i["role"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (path, role) in [
        ("transactions.csv", "ledger"),
        ("labels.csv", "labels"),
        ("ofac.txt", "list:sanctioned"),
        ("binance.yaml", "tagpack"),
        ("seeds.txt", "seeds"),
    ] {
        assert!(
            roles.contains(&(path.to_string(), role.to_string())),
            "{path} as {role} missing from {roles:?}"
        );
    }
    for i in inputs {
        let path = dir.join(i["path"].as_str().unwrap());
        assert_eq!(i["sha256"].as_str().unwrap(), sha256_of(&path), "{path:?}");
    }
    assert_eq!(report["command_line"][0], "trace");
    let exit_digest = report["parameters"]["exit_set_sha256"].as_str().unwrap();
    assert_eq!(exit_digest.len(), 64);
    // The OFAC list names the exploiter, yet the seed's own address is no
    // exit (it is the incident's own), and the report says so.
    assert!(report["parameters"]["incident_addresses"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == RONIN));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_untouched_report_verifies() {
    let dir = case("ok");
    make_report(&dir);
    let (ok, out) = verify(&dir, "report.json");
    assert!(ok, "{out}");
    assert!(out.contains("verified report.json"), "{out}");
    // From elsewhere, with --base naming the folder it was made in.
    let out = Command::new(env!("CARGO_BIN_EXE_fundtrace"))
        .args(["verify", "--base"])
        .arg(&dir)
        .arg(dir.join("report.json"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_edited_amount_is_named() {
    let dir = case("edit");
    let mut report = make_report(&dir);
    // Edit the first flow's amount by one base unit.
    let amount: u128 = report["flows"][0]["amount"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    report["flows"][0]["amount"] = serde_json::Value::String((amount + 1).to_string());
    std::fs::write(
        dir.join("edited.json"),
        serde_json::to_vec_pretty(&report).unwrap(),
    )
    .unwrap();
    let (ok, out) = verify(&dir, "edited.json");
    assert!(!ok, "an edited report must fail: {out}");
    assert!(out.contains("number differs at flows[0].amount"), "{out}");
    assert!(out.contains(&(amount + 1).to_string()), "{out}");
    assert!(out.contains("edited"), "{out}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_one_byte_change_in_any_input_is_named() {
    for (file, role) in [
        ("transactions.csv", "ledger"),
        ("labels.csv", "labels"),
        ("ofac.txt", "list:sanctioned"),
        ("binance.yaml", "tagpack"),
        ("seeds.txt", "seeds"),
    ] {
        let dir = case(&format!("byte-{role}").replace(':', "-"));
        make_report(&dir);
        let path = dir.join(file);
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0x01;
        std::fs::write(&path, bytes).unwrap();
        let (ok, out) = verify(&dir, "report.json");
        assert!(!ok, "{file}: {out}");
        assert!(
            out.contains(&format!("input changed: {role} file {file}")),
            "{file}: {out}"
        );
        std::fs::remove_dir_all(&dir).ok();
    }
}

#[test]
fn a_swapped_label_file_is_named() {
    let dir = case("swap");
    make_report(&dir);
    std::fs::rename(dir.join("other_labels.csv"), dir.join("labels.csv")).unwrap();
    let (ok, out) = verify(&dir, "report.json");
    assert!(!ok, "{out}");
    assert!(
        out.contains("input changed: labels file labels.csv"),
        "{out}"
    );
    std::fs::remove_file(dir.join("labels.csv")).unwrap();
    let (ok, out) = verify(&dir, "report.json");
    assert!(!ok);
    assert!(
        out.contains("input missing: labels file labels.csv"),
        "{out}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn another_version_is_named() {
    let dir = case("version");
    let mut report = make_report(&dir);
    report["tool"] = "fundtrace 0.0.1".into();
    std::fs::write(
        dir.join("old.json"),
        serde_json::to_vec_pretty(&report).unwrap(),
    )
    .unwrap();
    let (ok, out) = verify(&dir, "old.json");
    assert!(!ok);
    assert!(
        out.contains("version differs: the report was made by fundtrace 0.0.1"),
        "{out}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_comparison_verifies_and_a_report_without_command_line_is_refused() {
    let dir = case("compare");
    let out = run(
        &dir,
        &[
            "compare",
            "--transactions",
            "transactions.csv",
            "--labels",
            "labels.csv",
            "--seed",
            RONIN,
            "--json",
            "--out",
            "cmp.json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (ok, out) = verify(&dir, "cmp.json");
    assert!(ok, "{out}");
    let mut report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("cmp.json")).unwrap()).unwrap();
    report.as_object_mut().unwrap().remove("command_line");
    std::fs::write(dir.join("lib.json"), serde_json::to_vec(&report).unwrap()).unwrap();
    let (ok, out) = verify(&dir, "lib.json");
    assert!(!ok);
    assert!(out.contains("records no command line"), "{out}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_token_metadata_file_names_tokens_and_is_an_input() {
    let dir = case("tokens");
    for f in ["transactions.csv", "token_transfers.csv"] {
        std::fs::copy(
            root(&format!("examples/data/bybit/{f}")),
            dir.join(format!("bybit_{f}")),
        )
        .unwrap();
    }
    std::fs::write(
        dir.join("tokens.csv"),
        "address,symbol,name,decimals,total_supply,block_number\n\
         0xe6829d9a7ee3040e1276fa75293bde931859e8fa,cmETH-meta,Mantle restaked ETH,18,0,0\n",
    )
    .unwrap();
    let args = [
        "trace",
        "--transactions",
        "bybit_transactions.csv",
        "--token-transfers",
        "bybit_token_transfers.csv",
        "--token-metadata",
        "tokens.csv",
        "--seed",
        "0x47666fab8bd0ac7003bce3f5c3585383f09486e2",
    ];
    let text = run(&dir, &args);
    assert!(
        text.status.success(),
        "{}",
        String::from_utf8_lossy(&text.stderr)
    );
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("15,000 cmETH-meta"), "{text}");
    let mut json_args = args.to_vec();
    json_args.extend(["--json", "--out", "tokens.json"]);
    assert!(run(&dir, &json_args).status.success());
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("tokens.json")).unwrap()).unwrap();
    assert_eq!(
        report["assets"]["0xe6829d9a7ee3040e1276fa75293bde931859e8fa"]["symbol"],
        "cmETH-meta"
    );
    assert!(report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["path"] == "tokens.csv" && i["role"] == "token-metadata"));
    assert!(verify(&dir, "tokens.json").0);
    std::fs::write(
        dir.join("tokens.csv"),
        "address,symbol,decimals\n0xe6829d9a7ee3040e1276fa75293bde931859e8fa,cmETH,18\n",
    )
    .unwrap();
    let (ok, out) = verify(&dir, "tokens.json");
    assert!(!ok);
    assert!(
        out.contains("input changed: token-metadata file tokens.csv"),
        "{out}"
    );
    // A contradiction inside the file is an error naming both lines.
    std::fs::write(
        dir.join("tokens.csv"),
        "address,symbol,decimals\n0xe6829d9a7ee3040e1276fa75293bde931859e8fa,cmETH,18\n0xe6829d9a7ee3040e1276fa75293bde931859e8fa,cmETH,6\n",
    )
    .unwrap();
    let out = run(&dir, &args);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("tokens.csv: line 3") && err.contains("line 2"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
