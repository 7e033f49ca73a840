//! The README's main job through the library API: trace the Ronin
//! exploiter's funds in the shipped sample, with its labels, under every
//! account model, and print where the stolen ether is held or left.
//!
//! `cargo run --release --example trace_ronin`

use fundtrace::ingest::{load_dataset, Format, IngestOptions, Source};
use fundtrace::investigation::Investigation;
use fundtrace::labels::{self, LoadOptions};
use fundtrace::report::text;
use fundtrace::trace::Model;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = env!("CARGO_MANIFEST_DIR");
    let data = load_dataset(
        &[Source::new(
            Format::EthTransactions,
            format!("{root}/examples/data/ronin/transactions.csv"),
        )],
        IngestOptions::default(),
    )?;
    let labels = labels::load_path(
        format!("{root}/examples/data/ronin/labels.csv"),
        None,
        &LoadOptions::default(),
    )?;
    let investigation = Investigation::new()
        .seed_of("ronin-2022", "0x098b716b8aaf21512996dc57eb0615e2383e2f96")?
        .labels(labels);
    for model in Model::ACCOUNT {
        let report = investigation.clone().model(model).trace(&data)?;
        let eth = |m: &std::collections::BTreeMap<String, u128>| {
            let v = m.get("ETH").copied().unwrap_or(0);
            text::amount(v, "ETH", report.assets.get("ETH"))
        };
        let top = report.holders.first().map_or_else(
            || "-".to_string(),
            |h| match &h.label {
                Some(l) => format!("{} ({})", h.address, text::escape(l)),
                None => h.address.clone(),
            },
        );
        println!(
            "{:<12} stolen {}  held {}  exited {}  top holder {top}",
            report.model,
            eth(&report.totals.stolen),
            eth(&report.totals.held),
            eth(&report.totals.exited),
        );
    }
    Ok(())
}
