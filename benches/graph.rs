//! Graph build: the CSR over generated ledgers of 100k and 1M transfers
//! (`FUNDTRACE_BENCH_SIZES=100000,1000000,10000000` to choose sizes).

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use fundtrace::graph::{EdgeFilter, NeighborGraph, ReachIndex, TransferGraph};
use fundtrace::synth::{generate, GenConfig};

fn sizes(default: &[usize]) -> Vec<usize> {
    match std::env::var("FUNDTRACE_BENCH_SIZES") {
        Ok(s) => s.split(',').filter_map(|x| x.trim().parse().ok()).collect(),
        Err(_) => default.to_vec(),
    }
}

fn build(c: &mut Criterion) {
    let mut group = c.benchmark_group("graph_build");
    group.sample_size(10);
    for n in sizes(&[100_000, 1_000_000]) {
        let g = generate(&GenConfig {
            transfers: n,
            ..GenConfig::default()
        });
        let ledger = g.ledger;
        let graph = TransferGraph::new(&ledger);
        eprintln!(
            "graph_build/{n}: {} addresses, graph {:.2} bytes/transfer, ledger {:.1} bytes/transfer",
            ledger.address_count(),
            graph.heap_bytes() as f64 / n as f64,
            ledger.heap_bytes() as f64 / n as f64
        );
        drop(graph);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("csr", n), &ledger, |b, l| {
            b.iter(|| black_box(TransferGraph::new(black_box(l))))
        });
        let graph = TransferGraph::new(&ledger);
        group.bench_with_input(BenchmarkId::new("neighbors", n), &graph, |b, g| {
            b.iter(|| black_box(NeighborGraph::new(black_box(g), &EdgeFilter::default())))
        });
        let neighbors = NeighborGraph::new(&graph, &EdgeFilter::default());
        group.bench_with_input(BenchmarkId::new("reach_index", n), &neighbors, |b, ng| {
            b.iter(|| black_box(ReachIndex::new(black_box(ng))))
        });
    }
    group.finish();
}

criterion_group!(benches, build);
criterion_main!(benches);
