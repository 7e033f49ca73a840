//! Ingest and ledger-build throughput on generated ethereum-etl CSV.
//!
//! `parse` reads the CSV into a `LedgerBuilder` (splitting, field parsing,
//! SHA-256 of the bytes, transaction deduplication and address interning);
//! `parse_and_build` also builds the `Ledger` (canonical ids, event order);
//! `parse_one_thread` is `parse` with no decoding threads
//! (`IngestOptions::parse_threads`), as on a single core.
//!
//! `cargo bench --bench ingest`; sizes from `FUNDTRACE_BENCH_SIZES`
//! (comma-separated transfer counts; default `100000,1000000`).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use fundtrace::ingest::{read_from, Encoding, Format, IngestOptions};
use fundtrace::synth::{write_transactions_csv, GenConfig};
use fundtrace::LedgerBuilder;

fn sizes() -> Vec<usize> {
    std::env::var("FUNDTRACE_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![100_000, 1_000_000])
}

/// Parses `csv` into a fresh builder.
fn parse(csv: &[u8]) -> LedgerBuilder {
    parse_with(csv, None)
}

/// Parses `csv` with the given decoding threads.
fn parse_with(csv: &[u8], parse_threads: Option<usize>) -> LedgerBuilder {
    let mut builder = LedgerBuilder::new();
    read_from(
        &mut builder,
        "gen.csv",
        Format::EthTransactions,
        Encoding::Csv,
        csv,
        &mut IngestOptions {
            parse_threads,
            ..IngestOptions::default()
        },
    )
    .expect("generated CSV is valid");
    builder
}

fn ingest(c: &mut Criterion) {
    let mut group = c.benchmark_group("ingest_transactions_csv");
    group.sample_size(10);
    for n in sizes() {
        let cfg = GenConfig {
            transfers: n,
            ..GenConfig::default()
        };
        let mut csv = Vec::new();
        write_transactions_csv(&cfg, &mut csv).expect("writing to memory");
        group.throughput(Throughput::Elements(n as u64));
        // The builder or ledger is dropped outside the timing: freeing a few
        // hundred megabytes is not part of reading them.
        group.bench_with_input(BenchmarkId::new("parse", n), &csv, |b, csv| {
            b.iter_with_large_drop(|| parse(csv));
        });
        group.bench_with_input(BenchmarkId::new("parse_one_thread", n), &csv, |b, csv| {
            b.iter_with_large_drop(|| parse_with(csv, Some(0)));
        });
        group.bench_with_input(BenchmarkId::new("parse_and_build", n), &csv, |b, csv| {
            b.iter_with_large_drop(|| parse(csv).build().expect("valid"));
        });
    }
    group.finish();
}

criterion_group!(benches, ingest);
criterion_main!(benches);
