//! `trace` with labels: `--list`, `--tagpack`, `--labels` and `--incident`
//! on the shipped Ronin sample.

use std::path::PathBuf;
use std::process::Command;

fn sample(rel: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples/data")
        .join(rel)
        .display()
        .to_string()
}

/// A label file copied from the shared data into `tests/data/`.
fn fixture(rel: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
        .display()
        .to_string()
}

fn run(args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_fundtrace"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

const RONIN: &str = "0x098b716b8aaf21512996dc57eb0615e2383e2f96";

#[test]
fn ofac_list_stops_the_ronin_first_hop_and_the_registry_overrides_it() {
    let ofac = fixture("ofac_lists_0xB10C/sanctioned_addresses_ETH.txt");
    let txs = sample("ronin/transactions.csv");
    let list = format!("{ofac}:sanctioned");
    for model in ["poison", "haircut", "fifo", "clean-first"] {
        let r = run(&[
            "trace",
            "--transactions",
            &txs,
            "--seed",
            RONIN,
            "--list",
            &list,
            "--model",
            model,
            "--json",
        ]);
        // The four Lazarus consolidation addresses are OFAC-listed: the
        // first hop ends there, 75,143.74635 ETH.
        assert_eq!(r["totals"]["exited"]["ETH"], "75143746350000000000000");
        let exits = r["exits"].as_array().unwrap();
        assert_eq!(exits.len(), 4);
        assert!(exits.iter().all(|e| e["category"] == "sanctioned"));
        // 152 listed addresses, less the seed itself: the incident's own
        // address is never an exit.
        assert_eq!(r["parameters"]["exit_addresses"], 151);
        assert_eq!(
            r["parameters"]["incident_addresses"],
            serde_json::json!([RONIN])
        );
    }
    // With the registry's Ronin incident, the same addresses are laundering
    // wallets (exploiter and laundering rank above sanctioned): the trace
    // goes on through them.
    let r = run(&[
        "trace",
        "--transactions",
        &txs,
        "--incident",
        "Ronin-2022",
        "--list",
        &list,
        "--json",
    ]);
    let seeds = r["seeds"].as_array().unwrap();
    assert!(seeds.iter().all(|s| s["incident"] == "ronin-2022"));
    assert!(seeds
        .iter()
        .any(|s| s["seed"] == RONIN && s["found"] == true));
    for e in r["exits"].as_array().unwrap() {
        assert_ne!(e["address"], "0xf7b31119c2682c88d88d455dbb9d5932c65cf1be");
    }
    assert_eq!(r["totals"]["exited"]["ETH"], "0");
}

#[test]
fn tagpacks_give_exits_by_category() {
    let tc = fixture("graphsense_tagpacks/packs/tornado_cash.yaml");
    let bn = fixture("graphsense_tagpacks/packs/exchange-wallets-binance.yaml");
    let txs = sample("ronin/transactions.csv");
    let base = ["trace", "--transactions", &txs, "--seed", RONIN, "--json"];
    let r = run(&[&base[..], &["--tagpack", &tc, "--tagpack", &bn]].concat());
    let p = &r["parameters"];
    assert_eq!(
        p["exit_categories"],
        serde_json::json!(["exchange", "mixer"])
    );
    let n = p["exit_addresses"].as_u64().unwrap();
    assert!(n > 39, "{n}");
    // `--labels` reads a TagPack by its extension: the same exit set.
    let r2 = run(&[&base[..], &["--labels", &tc, "--labels", &bn]].concat());
    assert_eq!(r2["parameters"], r["parameters"]);
    // Leaving mixer out of the stop set drops the 39 Tornado Cash tags.
    let r3 = run(&[&base[..], &["--tagpack", &tc, "--stop-at", "exchange"]].concat());
    assert_eq!(r3["parameters"]["exit_addresses"], 0);
}

#[test]
fn unknown_incident_and_bad_list_are_usage_errors() {
    let txs = sample("ronin/transactions.csv");
    for extra in [
        &["--incident", "no-such-heist"][..],
        &["--seed", RONIN, "--list", "x.txt"][..],
        &["--seed", RONIN, "--list", "x.txt:nonsense"][..],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_fundtrace"))
            .args([&["trace", "--transactions", &txs][..], extra].concat())
            .output()
            .unwrap();
        assert!(!out.status.success());
    }
}
