//! Measures frontier extraction from a generated lake against the
//! in-memory trace of the whole lake (docs/scale.md has the figures).
//!
//! ```text
//! cargo run --release --features lake --example lake_extract -- TRANSFERS ROWS_PER_PARTITION DIR
//! ```
//!
//! Writes the lake under DIR (unless its manifest is there), reads the
//! whole lake in memory, then for the first theft as seed, with the
//! exchanges and the mixer as exits and with no exits: extracts, traces
//! both under haircut, and checks that the reports agree (all but
//! `inputs`).

use std::path::PathBuf;
use std::time::Instant;

use fundtrace::investigation::Investigation;
use fundtrace::labels::{Category, Confidence, Label, LabelSet};
use fundtrace::lake::{write_lake, ExtractOptions, Lake};
use fundtrace::synth::GenConfig;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let transfers: usize = args.get(1).map_or(Ok(1_000_000), |s| s.parse())?;
    let per_partition: u64 = args.get(2).map_or(Ok(100_000), |s| s.parse())?;
    let dir = PathBuf::from(args.get(3).map_or("target/lake-bench", String::as_str));
    let cfg = GenConfig {
        transfers,
        ..GenConfig::default()
    };
    let t = Instant::now();
    let _ = std::fs::remove_dir_all(&dir);
    let written = write_lake(&cfg, &dir, per_partition)?;
    println!(
        "write: {} rows in {} files, {:.1} s",
        written.manifest.rows(),
        written.manifest.transactions.len() + written.manifest.token_transfers.len(),
        t.elapsed().as_secs_f64()
    );
    let lake = Lake::open(&dir)?;
    let t = Instant::now();
    let whole = lake.load_all()?;
    println!(
        "load whole lake in memory: {} transfers, {:.2} s",
        whole.ledger.transfer_count(),
        t.elapsed().as_secs_f64()
    );
    let mut labels = LabelSet::new();
    let exits = written
        .exchange_hot_wallets
        .iter()
        .chain(&written.exchange_deposits)
        .map(|a| (a, Category::Exchange))
        .chain([(&written.mixer, Category::Mixer)]);
    for (address, category) in exits {
        labels.insert(Label {
            address: address.clone(),
            chain: "ethereum".into(),
            entity: format!("{category:?}"),
            category,
            actor: None,
            source: "synth".into(),
            confidence: Confidence::parse("90")?,
            origin: None,
        });
    }
    let theft = &written.thefts[0];
    for with_exits in [true, false] {
        let mut inv = Investigation::new().seed(&format!("{}@{}", theft.address, theft.time))?;
        if with_exits {
            inv = inv.labels(labels.clone());
        }
        let t = Instant::now();
        let whole_report = inv.trace(&whole)?;
        let whole_secs = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let e = lake.extract(&inv, &ExtractOptions::default())?;
        let extract_secs = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let part_report = inv.trace(&e.dataset)?;
        let part_secs = t.elapsed().as_secs_f64();
        let strip = |r: &fundtrace::report::trace::TraceReport| {
            let mut v = serde_json::to_value(r).unwrap_or_default();
            if let Some(m) = v.as_object_mut() {
                m.remove("inputs");
            }
            v.to_string()
        };
        let same = strip(&whole_report) == strip(&part_report);
        println!(
            "exits {with_exits}: extracted {} of {} rows ({} transfers), {} addresses reached ({} exits), {} hops, complete {}",
            e.stats.rows,
            e.stats.lake_rows,
            e.dataset.ledger.transfer_count(),
            e.stats.reached,
            e.stats.exits_reached,
            e.stats.hops.len(),
            e.stats.complete
        );
        for (i, h) in e.stats.hops.iter().enumerate() {
            println!(
                "  hop {}: frontier {}{}, {} rows, {} new addresses, {} ms",
                i + 1,
                h.frontier,
                if h.in_list {
                    " (IN-list)"
                } else {
                    " (semi-join)"
                },
                h.rows,
                h.reached,
                h.millis
            );
        }
        println!(
            "  extraction {extract_secs:.2} s (ledger build {} ms); trace of the extract {part_secs:.3} s; trace of the whole lake {whole_secs:.3} s; reports equal: {same}",
            e.stats.build_millis
        );
    }
    Ok(())
}
