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
//! The same traces against a plain Python loop, interleaved and with the
//! answers compared, are in `benches/trace_python.py` (see `benches/README.md`).

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use fundtrace::synth::{generate, GenConfig, Generated};
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

fn bench_models(c: &mut Criterion) {
    for n in sizes() {
        let g = generate(&gen_config(n));
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
