//! The library's entry point: what `fundtrace trace` does, done through
//! `Investigation` alone, on account and UTXO data, with one vocabulary.

mod common;

use fundtrace::ingest::bitcoin::genesis_block;
use fundtrace::ingest::{load_dataset, Format, IngestOptions, Source};
use fundtrace::investigation::{Demixing, Investigation, InvestigationError};
use fundtrace::labels::{load_path, LoadOptions};
use fundtrace::report::write_json;
use fundtrace::trace::{Model, TraceConfigError};

const RONIN: &str = "0x098b716b8aaf21512996dc57eb0615e2383e2f96";
const GENESIS_COINBASE: &str = "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b:0";

fn root(rel: &str) -> String {
    format!("{}/{rel}", env!("CARGO_MANIFEST_DIR"))
}

fn ronin() -> fundtrace::ingest::Dataset {
    load_dataset(
        &[Source::new(
            Format::EthTransactions,
            root("examples/data/ronin/transactions.csv"),
        )],
        IngestOptions::default(),
    )
    .expect("the shipped sample loads")
}

/// A UTXO dataset holding the genesis block, written to a temporary file.
/// Each call writes its own file: tests run in parallel threads of one
/// process, and a shared path let one test read while another wrote.
fn genesis_dataset() -> fundtrace::ingest::Dataset {
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("fundtrace-inv-{}-{call}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("genesis.dat");
    std::fs::write(&path, genesis_block().serialize()).unwrap();
    load_dataset(
        &[Source::new(Format::BtcBlocks, &path)],
        IngestOptions::default(),
    )
    .expect("the genesis block loads")
}

#[test]
fn the_library_gives_the_cli_report_byte_for_byte() {
    let args = [
        "trace",
        "--transactions",
        "examples/data/ronin/transactions.csv",
        "--labels",
        "examples/data/ronin/labels.csv",
        "--seed",
        RONIN,
        "--model",
        "fifo",
        "--json",
    ];
    let labels = load_path(
        root("examples/data/ronin/labels.csv"),
        None,
        &LoadOptions::default(),
    )
    .unwrap();
    let report = Investigation::new()
        .seed(RONIN)
        .unwrap()
        .labels(labels)
        .model(Model::Fifo)
        .command_line(args.iter().map(ToString::to_string).collect())
        .trace(&ronin())
        .unwrap();
    let mut lib = Vec::new();
    write_json(&report, &mut lib).unwrap();
    let out = common::fundtrace(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Input paths differ (absolute here, relative there); everything else
    // agrees, the recorded command line included.
    let strip = |v: &[u8]| {
        let mut j: serde_json::Value = serde_json::from_slice(v).unwrap();
        assert_eq!(
            j["inputs"].as_array().map(Vec::len),
            Some(2),
            "ledger and labels"
        );
        j["inputs"] = serde_json::Value::Null;
        j
    };
    assert_eq!(strip(&lib), strip(&out.stdout));
}

#[test]
fn account_and_utxo_reports_have_the_same_keys() {
    let account = Investigation::new()
        .seed(RONIN)
        .unwrap()
        .trace(&ronin())
        .unwrap();
    let utxo = Investigation::new()
        .seed(GENESIS_COINBASE)
        .unwrap()
        .model(Model::Tiho)
        .trace(&genesis_dataset())
        .unwrap();
    let keys = |r: &fundtrace::report::trace::TraceReport| -> Vec<String> {
        let v = serde_json::to_value(r).unwrap();
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.extend(
            v["parameters"]
                .as_object()
                .unwrap()
                .keys()
                .map(|p| format!("parameters.{p}")),
        );
        k
    };
    assert_eq!(keys(&account), keys(&utxo));
    assert_eq!(utxo.model, "tiho");
    assert_eq!(utxo.totals.held.get("BTC"), Some(&5_000_000_000));
    assert!(utxo.seeds.iter().all(|s| s.found));
}

#[test]
fn a_transaction_seed_means_the_same_on_both_kinds_of_chain() {
    // tx: seeds name the value a transaction delivers, on either chain.
    let utxo = Investigation::new()
        .seed("tx:4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b")
        .unwrap()
        .model(Model::Fifo)
        .trace(&genesis_dataset())
        .unwrap();
    assert_eq!(utxo.totals.stolen.get("BTC"), Some(&5_000_000_000));
}

#[test]
fn models_and_options_of_the_other_kind_of_chain_are_refused() {
    let err = Investigation::new()
        .seed(RONIN)
        .unwrap()
        .model(Model::Tiho)
        .trace(&ronin())
        .unwrap_err();
    assert!(
        matches!(
            err,
            InvestigationError::Config(TraceConfigError::ModelNotApplicable { .. })
        ),
        "{err}"
    );
    assert!(err.to_string().contains("taint-first"), "{err}");
    let utxo = genesis_dataset();
    let err = Investigation::new()
        .seed(GENESIS_COINBASE)
        .unwrap()
        .model(Model::CleanFirst)
        .trace(&utxo)
        .unwrap_err();
    assert!(err.to_string().contains("UTXO"), "{err}");
    let err = Investigation::new()
        .seed(GENESIS_COINBASE)
        .unwrap()
        .demix(Some(Demixing::default()))
        .trace(&utxo)
        .unwrap_err();
    assert!(matches!(err, InvestigationError::AccountOnly(_)), "{err}");
}

#[test]
fn an_investigation_needs_seeds_and_knows_the_registry() {
    assert!(Investigation::new().validate().is_err());
    assert!(matches!(
        Investigation::new().incident("no-such-theft"),
        Err(InvestigationError::UnknownIncident(_))
    ));
    let inv = Investigation::new().incident("ronin-2022").unwrap();
    assert!(!inv.seed_list().is_empty());
    assert!(inv.seed_list().iter().all(|s| s.incident == "ronin-2022"));
}

#[test]
fn compare_runs_every_model_of_the_chain() {
    let account = Investigation::new()
        .seed(RONIN)
        .unwrap()
        .compare(&ronin())
        .unwrap();
    assert_eq!(account.models.len(), Model::ACCOUNT.len());
    let utxo = Investigation::new()
        .seed(GENESIS_COINBASE)
        .unwrap()
        .compare(&genesis_dataset())
        .unwrap();
    let names: Vec<&str> = Model::UTXO.iter().map(|m| m.name()).collect();
    assert_eq!(utxo.models, names);
}

#[test]
fn seeds_that_name_nothing_are_errors_unless_allowed() {
    let data = ronin();
    for (seed, hint) in [
        ("098b716b8aaf21512996dc57eb0615e2383e2f96", "0x"),
        ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "another chain"),
        (
            "0x1111111111111111111111111111111111111111",
            "not in the data",
        ),
        (GENESIS_COINBASE, "UTXO output"),
    ] {
        let err = Investigation::new()
            .seed(seed)
            .unwrap()
            .trace(&data)
            .unwrap_err();
        assert!(
            matches!(err, InvestigationError::SeedsNotInData { .. }),
            "{seed}: {err}"
        );
        assert!(err.to_string().contains(hint), "{seed}: {err}");
    }
    let report = Investigation::new()
        .seed(RONIN)
        .unwrap()
        .seed("0x1111111111111111111111111111111111111111")
        .unwrap()
        .allow_missing_seeds(true)
        .trace(&data)
        .unwrap();
    assert!(report.seeds.iter().any(|s| !s.found));
    assert!(report.warnings.iter().any(|w| w.contains("0x1111")));
}

#[test]
fn the_incident_s_own_sanctioned_wallets_are_not_exits() {
    // The Ronin sample's labels name the exploiter and its four
    // consolidation wallets as Lazarus (actor `lazarus`); an OFAC list makes
    // them all `sanctioned`. Traced from the exploiter, they are the
    // thief's own: the trace goes through them.
    let data = ronin();
    let mut labels = load_path(
        root("examples/data/ronin/labels.csv"),
        None,
        &LoadOptions::default(),
    )
    .unwrap();
    let ofac = fundtrace::labels::parse_list(
        "0x098b716b8aaf21512996dc57eb0615e2383e2f96\n0x3cffd56b47b7b41c56258d9c7731abadc360e073\n",
        "ofac.txt",
        fundtrace::labels::Category::Sanctioned,
        &LoadOptions::default(),
    )
    .unwrap();
    labels.merge(ofac);
    let inv = Investigation::new().seed(RONIN).unwrap().labels(labels);
    let own = inv.incident_addresses();
    assert!(own.contains(&RONIN.parse().unwrap()));
    assert!(own.contains(
        &"0x3cffd56b47b7b41c56258d9c7731abadc360e073"
            .parse()
            .unwrap()
    ));
    let report = inv.trace(&data).unwrap();
    assert!(report
        .exits
        .iter()
        .all(|e| e.address != "0x3cffd56b47b7b41c56258d9c7731abadc360e073"));
    assert!(report
        .parameters
        .incident_addresses
        .contains(&"0x3cffd56b47b7b41c56258d9c7731abadc360e073".to_string()));
}

#[test]
fn a_plain_address_seed_warns_about_value_that_came_later() {
    // The Ronin exploiter kept receiving after it first sent value on.
    let report = Investigation::new()
        .seed(RONIN)
        .unwrap()
        .trace(&ronin())
        .unwrap();
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("after its first outgoing transfer")),
        "{:?}",
        report.warnings
    );
    // With a start time after the last transfer nothing counts: no warning.
    let report = Investigation::new()
        .seed(&format!("{RONIN}@1"))
        .unwrap()
        .trace(&ronin())
        .unwrap();
    assert!(!report
        .warnings
        .iter()
        .any(|w| w.contains("after its first outgoing transfer")));
}
