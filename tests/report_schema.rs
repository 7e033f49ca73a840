//! Every report validates against the published JSON Schemas in
//! `docs/schema/` (trace and comparison), on account and Bitcoin data, with
//! labels, lenient skips, swaps, demixing and every model. The schemas
//! forbid unknown keys, so a report field added without its schema fails
//! here.

mod common;

use std::path::Path;

use serde_json::Value;

const RONIN: &str = "0x098b716b8aaf21512996dc57eb0615e2383e2f96";
const BYBIT: &str = "0x47666fab8bd0ac7003bce3f5c3585383f09486e2";
const POOL_100: &str = "0xa160cdab225685da1d56aa342ad8841c3b53f291";
const BTCD_BLOCKS: &str = "tests/data/bitcoin_raw/btcd/database__testdata__blocks1-256.bz2";

fn schema(name: &str) -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs/schema")
        .join(name);
    let schema: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{name} is not a schema: {e}"))
}

fn assert_valid(validator: &jsonschema::Validator, report: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(report)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{what}: {}", errors.join("\n"));
}

/// A small ledger where a theft goes through the registry's 100 ETH pool
/// and comes back out to the depositor's address (an address-match link).
fn pool_ledger(dir: &Path) -> String {
    let thief = "0x1010101010101010101010101010101010101010";
    let victim = "0x0101010101010101010101010101010101010101";
    let rows = [
        (1, victim, thief, "150000000000000000000"),
        (2, thief, POOL_100, "100000000000000000000"),
        (3, POOL_100, thief, "100000000000000000000"),
        // A second deposit, withdrawn to a fresh address: no certain link
        // above confidence 60, so probable mode spreads it.
        (4, thief, POOL_100, "100000000000000000000"),
        (
            5,
            POOL_100,
            "0x2020202020202020202020202020202020202020",
            "100000000000000000000",
        ),
    ];
    let mut csv = String::from(
        "hash,block_number,transaction_index,from_address,to_address,value,block_timestamp\n",
    );
    for (i, from, to, value) in rows {
        csv.push_str(&format!(
            "0x{i:064x},{},0,{from},{to},{value},{}\n",
            17_000_000 + i,
            1_680_000_000 + 3_600 * i
        ));
    }
    let path = dir.join("pool.csv");
    std::fs::write(&path, csv).unwrap();
    path.display().to_string()
}

#[test]
fn trace_reports_validate() {
    let v = schema("trace-report.schema.json");
    let dir = std::env::temp_dir().join(format!("fundtrace-schema-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pool = pool_ledger(&dir);
    let mut bad = dir.join("bad.csv").display().to_string();
    // A ledger with one bad row, read leniently: the report lists the skip.
    let mut text = std::fs::read_to_string(&pool).unwrap();
    text.push_str("0xnothex,1,0,a,b,c,d\n");
    std::fs::write(&bad, text).unwrap();
    let runs: Vec<(String, Vec<String>)> = [
        ("poison", "ronin"),
        ("haircut", "ronin"),
        ("fifo", "ronin"),
        ("lifo", "ronin"),
        ("taint-first", "ronin"),
        ("clean-first", "ronin"),
        ("haircut", "bybit"),
        ("haircut", "pool"),
        ("fifo", "probable"),
        ("fifo", "lenient"),
        ("tiho", "btc"),
        ("haircut", "btc"),
    ]
    .iter()
    .map(|(model, data)| {
        let mut args: Vec<String> = match *data {
            "ronin" => vec![
                "--transactions",
                "examples/data/ronin/transactions.csv",
                "--labels",
                "examples/data/ronin/labels.csv",
                "--seed",
                RONIN,
            ]
            .into_iter()
            .map(String::from)
            .collect(),
            "bybit" => vec![
                "--transactions",
                "examples/data/bybit/transactions.csv",
                "--token-transfers",
                "examples/data/bybit/token_transfers.csv",
                "--labels",
                "examples/data/bybit/labels.csv",
                "--seed",
                BYBIT,
                "--swaps",
            ]
            .into_iter()
            .map(String::from)
            .collect(),
            "pool" => vec![
                "--transactions".into(),
                pool.clone(),
                "--seed".into(),
                "0x1010101010101010101010101010101010101010".into(),
                "--demix".into(),
            ],
            "probable" => vec![
                "--transactions".into(),
                pool.clone(),
                "--seed".into(),
                "0x1010101010101010101010101010101010101010".into(),
                "--probable".into(),
                "--min-confidence".into(),
                "60".into(),
            ],
            "lenient" => vec![
                "--transactions".into(),
                std::mem::take(&mut bad),
                "--lenient".into(),
                "--seed".into(),
                "0x1010101010101010101010101010101010101010".into(),
            ],
            _ => vec![
                "--btc-blocks".into(),
                BTCD_BLOCKS.into(),
                "--seed".into(),
                "0e3e2357e806b6cdb1f70b54c3a3a17b6714ee1f0e68bebb44a74b1efd512098:0".into(),
            ],
        };
        args.extend(["--model".to_string(), model.to_string(), "--json".into()]);
        (format!("{model} on {data}"), args)
    })
    .collect();
    let mut saw_mixer = false;
    let mut saw_skip = false;
    let mut saw_probable = false;
    for (what, args) in &runs {
        let mut all = vec!["trace"];
        all.extend(args.iter().map(String::as_str));
        let report = common::fundtrace_json(&all);
        saw_mixer |= report.get("mixer").is_some();
        saw_probable |= report["probable_flows"]
            .as_array()
            .is_some_and(|f| !f.is_empty())
            && report["exits"].as_array().is_some()
            && report["mixer"]["probable"]["window"].is_u64();
        saw_skip |= report["skipped"].as_array().is_some_and(|s| !s.is_empty());
        assert_valid(&v, &report, what);
    }
    assert!(saw_mixer, "one report has a mixer section");
    assert!(saw_skip, "one report has lenient skips");
    assert!(saw_probable, "one report has probable flows");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn comparison_reports_validate() {
    let v = schema("comparison-report.schema.json");
    for args in [
        vec![
            "compare",
            "--transactions",
            "examples/data/ronin/transactions.csv",
            "--labels",
            "examples/data/ronin/labels.csv",
            "--seed",
            RONIN,
            "--json",
        ],
        vec![
            "compare",
            "--btc-blocks",
            BTCD_BLOCKS,
            "--seed",
            "0e3e2357e806b6cdb1f70b54c3a3a17b6714ee1f0e68bebb44a74b1efd512098:0",
            "--json",
        ],
    ] {
        assert_valid(&v, &common::fundtrace_json(&args), &args.join(" "));
    }
}

#[test]
fn the_schema_refuses_what_a_report_must_not_be() {
    let v = schema("trace-report.schema.json");
    let good = common::fundtrace_json(&[
        "trace",
        "--transactions",
        "examples/data/ronin/transactions.csv",
        "--seed",
        RONIN,
        "--json",
    ]);
    assert_valid(&v, &good, "the untouched report");
    // An amount as a JSON number (a float in most readers) is refused.
    let mut as_number = good.clone();
    as_number["flows"][0]["amount"] = serde_json::json!(1.5e22);
    assert!(!v.is_valid(&as_number));
    // A key the schema does not know is refused.
    let mut extra = good.clone();
    extra["totals"]["surprise"] = serde_json::json!({});
    assert!(!v.is_valid(&extra));
    // A missing required section is refused.
    let mut missing = good;
    missing.as_object_mut().unwrap().remove("totals");
    assert!(!v.is_valid(&missing));
}
