//! Criterion benches: a full trace under each model on generated ledgers
//! with five thefts (`fundtrace::synth`), exits at the exchanges and the mixer
//! (`trace/N/MODEL`); and haircut and FIFO with no exits at all
//! (`trace-no-exits/N/MODEL`), where taint spreads through the whole
//! ledger and no event can be skipped.
//!
//! Sizes come from `FUNDTRACE_BENCH_SIZES` (comma-separated transfer counts,
//! default `100000`), e.g.
//!
//! ```sh
//! FUNDTRACE_BENCH_SIZES=1000000,10000000 cargo bench --bench trace
//! ```
//!
//! With `FUNDTRACE_BENCH_CSV_DIR=DIR`, each size's ledger is also written as
//! an ethereum-etl `DIR/trace_N.csv`, with `DIR/trace_N_seeds.txt`,
//! `DIR/trace_N_exits.txt` and `DIR/trace_N_expected.json` (the haircut and
//! FIFO totals, with and without exits), for `benches/trace_python.py` to run
//! the same traces as a plain Python loop and check it gets the same numbers.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::io::Write;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use fundtrace::synth::{generate, write_transactions_csv, GenConfig, Generated};
use fundtrace::trace::{trace, ExitInfo, Model, Seed, SeedTarget, TraceConfig};
use fundtrace::Address;

fn sizes() -> Vec<usize> {
    std::env::var("FUNDTRACE_BENCH_SIZES")
        .ok()
        .map(|s| {
            s.split(',')
                .filter_map(|x| x.trim().replace('_', "").parse().ok())
                .collect()
        })
        .filter(|v: &Vec<usize>| !v.is_empty())
        .unwrap_or_else(|| vec![100_000])
}

fn gen_config(n: usize) -> GenConfig {
    GenConfig {
        transfers: n,
        thefts: 5,
        ..GenConfig::default()
    }
}

fn exits(g: &Generated) -> BTreeMap<Address, ExitInfo> {
    let mut exits = BTreeMap::new();
    for a in g.exchange_hot_wallets.iter().chain(&g.exchange_deposits) {
        exits.insert(
            a.clone(),
            ExitInfo {
                label: "exchange".into(),
                category: "exchange".into(),
            },
        );
    }
    exits.insert(
        g.mixer.clone(),
        ExitInfo {
            label: "mixer".into(),
            category: "mixer".into(),
        },
    );
    exits
}

fn config(g: &Generated, model: Model) -> TraceConfig {
    let seeds = g
        .thefts
        .iter()
        .enumerate()
        .map(|(i, t)| Seed {
            incident: format!("theft{i}"),
            target: SeedTarget::Address {
                address: t.address.clone(),
                start: Some(t.time),
            },
        })
        .collect();
    match TraceConfig::new(model, seeds) {
        Ok(c) => c.with_exits(exits(g)),
        Err(e) => panic!("bench seeds refused: {e}"),
    }
}

/// Writes the CSV, seeds, exits and expected totals for the Python loop.
fn write_python_inputs(dir: &str, n: usize, g: &Generated) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let base = format!("{dir}/trace_{n}");
    write_transactions_csv(
        &gen_config(n),
        std::fs::File::create(format!("{base}.csv"))?,
    )?;
    let mut seeds = std::io::BufWriter::new(std::fs::File::create(format!("{base}_seeds.txt"))?);
    for (i, t) in g.thefts.iter().enumerate() {
        writeln!(seeds, "theft{i},{}@{}", t.address, t.time)?;
    }
    seeds.flush()?;
    let mut ex = std::io::BufWriter::new(std::fs::File::create(format!("{base}_exits.txt"))?);
    for a in exits(g).keys() {
        writeln!(ex, "{a}")?;
    }
    ex.flush()?;
    let mut expected = serde_json::Map::new();
    for (name, model, with_exits) in [
        ("haircut", Model::Haircut, true),
        ("fifo", Model::Fifo, true),
        ("haircut-no-exits", Model::Haircut, false),
        ("fifo-no-exits", Model::Fifo, false),
    ] {
        let mut c = config(g, model);
        if !with_exits {
            c = c.with_exits(BTreeMap::new());
        }
        let r = trace(&g.ledger, &c);
        let t = r.totals.first().map(|(_, t)| *t).unwrap_or_default();
        expected.insert(
            name.into(),
            serde_json::json!({
                "stolen": t.stolen.to_string(),
                "held": t.held.to_string(),
                "exited": t.exited.to_string(),
                "holders": r.holders.len(),
                "flows": r.flows.len(),
            }),
        );
    }
    std::fs::write(
        format!("{base}_expected.json"),
        serde_json::to_string_pretty(&expected)?,
    )
}

fn bench_models(c: &mut Criterion) {
    for n in sizes() {
        let g = generate(&gen_config(n));
        if let Ok(dir) = std::env::var("FUNDTRACE_BENCH_CSV_DIR") {
            if let Err(e) = write_python_inputs(&dir, n, &g) {
                panic!("writing {dir}: {e}");
            }
        }
        let mut group = c.benchmark_group(format!("trace/{n}"));
        if n >= 1_000_000 {
            group.sample_size(10);
            group.warm_up_time(Duration::from_millis(500));
            group.measurement_time(Duration::from_secs(if n >= 5_000_000 { 20 } else { 5 }));
        }
        group.throughput(criterion::Throughput::Elements(n as u64));
        for model in Model::ACCOUNT {
            let cfg = config(&g, model);
            group.bench_with_input(BenchmarkId::from_parameter(model.name()), &cfg, |b, cfg| {
                b.iter(|| black_box(trace(black_box(&g.ledger), cfg)));
            });
        }
        group.finish();
        // The worst case for the walk: no exits, so taint can spread to
        // every address the thefts touch and no event can be skipped.
        let mut group = c.benchmark_group(format!("trace-no-exits/{n}"));
        if n >= 1_000_000 {
            group.sample_size(10);
            group.warm_up_time(Duration::from_millis(500));
            group.measurement_time(Duration::from_secs(if n >= 5_000_000 { 20 } else { 5 }));
        }
        group.throughput(criterion::Throughput::Elements(n as u64));
        for model in [Model::Haircut, Model::Fifo] {
            let cfg = config(&g, model).with_exits(BTreeMap::new());
            group.bench_with_input(BenchmarkId::from_parameter(model.name()), &cfg, |b, cfg| {
                b.iter(|| black_box(trace(black_box(&g.ledger), cfg)));
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench_models);
criterion_main!(benches);
