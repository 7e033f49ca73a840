//! Frontier extraction from a Parquet lake gives the whole ledger's trace
//! report (issue 13, Done when 5).
//!
//! A lake is written from the synthetic generator (30,000 transactions, a
//! token transfer in one transaction of four, fees, partitions of about
//! 4,000 transactions); the whole lake is read in memory through the
//! ordinary ingest path, and the same investigation is traced on it and on
//! the sub-ledger [`Lake::extract`] pulls with DataFusion. The reports must
//! agree on every section but `inputs`: the whole run lists the lake's
//! partition files with their SHA-256, the extracted run the extracted rows
//! of each table (`lake:transactions`, `lake:token_transfers`) as written
//! in memory — different files, so different names and digests. Every
//! other field, `skipped` and `warnings` included, is compared as
//! serialized JSON text, section by section; with a window (`until`), the
//! one warning that counts the transfers after it is left out of
//! `warnings`, since the extraction never reads them.
#![cfg(feature = "lake")]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use fundtrace::ingest::Dataset;
use fundtrace::investigation::Investigation;
use fundtrace::labels::{Category, Confidence, Label, LabelSet};
use fundtrace::lake::{write_lake, ExtractOptions, Lake, WrittenLake};
use fundtrace::synth::GenConfig;
use fundtrace::trace::Model;

/// Report fields that must differ between the whole and the extracted run
/// (see the module docs).
const EXCLUDED: &[&str] = &["inputs"];

/// The end of the one warning that must differ when a window is set: the
/// whole ledger counts the transfers after `until` it ignored; the
/// extraction never reads them.
const WINDOW_WARNING: &str = "transfer(s) after the time limit were ignored";

struct Fixture {
    written: WrittenLake,
    lake: Lake,
    whole: Dataset,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir: PathBuf = Path::new(env!("CARGO_TARGET_TMPDIR")).join("lake-30k");
        let _ = std::fs::remove_dir_all(&dir);
        let cfg = GenConfig {
            transfers: 30_000,
            ..GenConfig::default()
        };
        let written = write_lake(&cfg, &dir, 4_000).expect("lake written");
        let lake = Lake::open(&dir).expect("lake opens");
        let whole = lake.load_all().expect("whole lake loads");
        Fixture {
            written,
            lake,
            whole,
        }
    })
}

fn exit_labels(w: &WrittenLake) -> LabelSet {
    let mut set = LabelSet::new();
    let exchanges = w
        .exchange_hot_wallets
        .iter()
        .chain(&w.exchange_deposits)
        .map(|a| (a, Category::Exchange));
    for (address, category) in exchanges.chain([(&w.mixer, Category::Mixer)]) {
        set.insert(Label {
            address: address.clone(),
            chain: "ethereum".into(),
            entity: format!("{category:?}"),
            category,
            actor: None,
            source: "synth".into(),
            confidence: Confidence::parse("90").expect("confidence"),
            origin: None,
        });
    }
    set
}

fn investigation(w: &WrittenLake, exits: bool) -> Investigation {
    let mut inv = Investigation::new();
    // Two thefts, one seeded from its arrival time, one from the start.
    let a = &w.thefts[0];
    inv = inv
        .seed_of("theft-a", &format!("{}@{}", a.address, a.time))
        .expect("seed");
    inv = inv
        .seed_of("theft-b", &w.thefts[2].address.to_string())
        .expect("seed");
    if exits {
        inv = inv.labels(exit_labels(w));
    }
    inv
}

/// Each top-level section of a report as JSON text, the excluded ones left
/// out.
fn sections(report: &impl serde::Serialize) -> Vec<(String, String)> {
    let value = serde_json::to_value(report).expect("report serializes");
    let serde_json::Value::Object(map) = value else {
        panic!("a report is a JSON object");
    };
    map.into_iter()
        .filter(|(k, _)| !EXCLUDED.contains(&k.as_str()))
        .map(|(k, mut v)| {
            if k == "warnings" {
                if let serde_json::Value::Array(w) = &mut v {
                    w.retain(|x| !x.as_str().is_some_and(|s| s.ends_with(WINDOW_WARNING)));
                }
            }
            (k, serde_json::to_string(&v).expect("section serializes"))
        })
        .collect()
}

fn assert_same_reports(exits: bool, models: &[Model]) {
    let f = fixture();
    let base = investigation(&f.written, exits);
    let extraction = f
        .lake
        .extract(&base, &ExtractOptions::default())
        .expect("extraction runs");
    let stats = &extraction.stats;
    assert!(stats.complete, "{stats:?}");
    assert!(stats.rows > 0);
    eprintln!("exits {exits}: {stats:?}");
    for &model in models {
        let inv = base.clone().model(model);
        let whole = inv.trace(&f.whole).expect("whole trace");
        let part = inv.trace(&extraction.dataset).expect("extracted trace");
        assert!(
            !whole.flows.is_empty(),
            "{model:?}: the trace must move taint"
        );
        assert!(whole.inputs.len() > 2 && part.inputs.len() == 2);
        let (a, b) = (sections(&whole), sections(&part));
        assert_eq!(
            a.iter().map(|s| &s.0).collect::<Vec<_>>(),
            b.iter().map(|s| &s.0).collect::<Vec<_>>()
        );
        for ((key, x), (_, y)) in a.iter().zip(&b) {
            assert!(
                x == y,
                "{model:?}, exits {exits}: section {key} differs:\nwhole:     {}\nextracted: {}",
                &x[..x.len().min(600)],
                &y[..y.len().min(600)]
            );
        }
    }
}

#[test]
fn extracted_reports_equal_the_whole_ledger_with_exits() {
    assert_same_reports(true, &Model::ACCOUNT);
}

#[test]
fn extracted_reports_equal_the_whole_ledger_without_exits() {
    assert_same_reports(false, &[Model::Haircut, Model::Fifo, Model::Poison]);
}

#[test]
fn exits_stop_the_extraction_short_of_the_whole_lake() {
    let f = fixture();
    let inv = investigation(&f.written, true);
    let e = f
        .lake
        .extract(&inv, &ExtractOptions::default())
        .expect("extraction runs");
    assert!(e.stats.exits_reached > 0, "{:?}", e.stats);
    assert!(
        e.stats.rows < e.stats.lake_rows,
        "{} of {} rows",
        e.stats.rows,
        e.stats.lake_rows
    );
    assert_eq!(
        e.stats.lake_rows,
        f.written.manifest.rows(),
        "the manifest counts every row"
    );
    assert!(e.dataset.ledger.transfer_count() < f.whole.ledger.transfer_count());
}

#[test]
fn a_window_prunes_partitions_and_still_agrees() {
    let f = fixture();
    let a = &f.written.thefts[0];
    let until = a.time + 600;
    let inv = investigation(&f.written, true).until(Some(until));
    let options = ExtractOptions {
        until: Some(until),
        max_hops: None,
    };
    let e = f.lake.extract(&inv, &options).expect("extraction runs");
    assert!(e.stats.files_scanned < e.stats.files, "{:?}", e.stats);
    let whole = inv.trace(&f.whole).expect("whole trace");
    let part = inv.trace(&e.dataset).expect("extracted trace");
    for ((key, x), (_, y)) in sections(&whole).iter().zip(&sections(&part)) {
        assert!(
            x == y,
            "section {key} differs:\nwhole:     {x}\nextracted: {y}"
        );
    }
}

#[test]
fn a_hop_limit_leaves_the_extraction_incomplete() {
    let f = fixture();
    let inv = investigation(&f.written, false);
    let options = ExtractOptions {
        until: None,
        max_hops: Some(1),
    };
    let e = f.lake.extract(&inv, &options).expect("extraction runs");
    assert_eq!(e.stats.hops.len(), 1);
    assert!(!e.stats.complete);
}
