//! Parsers whose cost used to grow faster than their input (issue 14):
//! Bitcoin Core `getblock` JSON lines (the line number of every block was
//! found by rescanning the file from its start) and TagPacks with many
//! aliases (each looked up by a linear scan of the anchors). Each runs at
//! four sizes, doubling; with the per-element throughput criterion prints,
//! linear growth shows as a constant time per block or alias. Pool-event
//! caches, now streamed record by record, are measured the same way.
//!
//! `cargo bench --bench parsers`

mod common;

use common::{getblock_lines, tagpack_with_aliases};
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use fundtrace::heuristics::mixer::PoolEvents;
use fundtrace::ingest::bitcoin::load_core_blocks_json;
use fundtrace::labels::{parse_tagpack, LoadOptions};

/// A deposits cache of `n` records.
fn deposits(n: usize) -> String {
    let records: Vec<String> = (0..n)
        .map(|i| {
            format!(
                "  {{\"transactionHash\": \"0x01{i:062x}\", \"blockNumber\": {},\n   \"leafIndex\": {i}, \"commitment\": \"0x02{i:062x}\", \"timestamp\": {}}}",
                10 + i,
                1_600_000_000 + i
            )
        })
        .collect();
    format!("[\n{}\n]\n", records.join(",\n"))
}

fn bench_parsers(c: &mut Criterion) {
    let mut g = c.benchmark_group("getblock_json_lines");
    g.sample_size(10);
    for n in [1_000, 2_000, 4_000, 8_000] {
        let text = getblock_lines(n);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("blocks", n), &text, |b, text| {
            b.iter(|| load_core_blocks_json(black_box(text.as_bytes())).expect("loads"));
        });
    }
    g.finish();

    let mut g = c.benchmark_group("tagpack_aliases");
    g.sample_size(10);
    let opts = LoadOptions::default();
    for n in [4_000, 8_000, 16_000, 32_000] {
        let text = tagpack_with_aliases(n);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("aliases", n), &text, |b, text| {
            b.iter(|| parse_tagpack(black_box(text), "bench.yaml", &opts).expect("parses"));
        });
    }
    g.finish();

    let mut g = c.benchmark_group("pool_event_cache");
    g.sample_size(10);
    for n in [10_000, 20_000, 40_000, 80_000] {
        let text = deposits(n);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("records", n), &text, |b, text| {
            b.iter(|| {
                PoolEvents::from_cache_json(black_box(text), "d.json", "[]", "w.json")
                    .expect("loads")
            });
        });
    }
    g.finish();
}

criterion_group!(benches, bench_parsers);
criterion_main!(benches);
