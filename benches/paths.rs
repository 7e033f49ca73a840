//! Each path query and the maximum flow on generated ledgers: from the seed
//! of one theft (from its time on) to the exchange set (hot wallets and
//! deposit addresses). Default size 1M transfers;
//! `FUNDTRACE_BENCH_SIZES=1000000,10000000` for more.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use fundtrace::graph::{EdgeFilter, NeighborGraph, ReachIndex, TransferGraph};
use fundtrace::paths::{FlowLimits, FlowQuery, PathKind, PathQuery, SearchLimits, Strategy};
use fundtrace::synth::{generate, GenConfig, Generated};
use fundtrace::{AddressId, Ledger};

fn sizes(default: &[usize]) -> Vec<usize> {
    match std::env::var("FUNDTRACE_BENCH_SIZES") {
        Ok(s) => s.split(',').filter_map(|x| x.trim().parse().ok()).collect(),
        Err(_) => default.to_vec(),
    }
}

/// The input factory: switch generators here.
fn ledger(n: usize) -> Generated {
    generate(&GenConfig {
        transfers: n,
        ..GenConfig::default()
    })
}

fn ids(l: &Ledger, a: &[fundtrace::Address]) -> Vec<AddressId> {
    a.iter().filter_map(|a| l.address_id(a)).collect()
}

fn bench(c: &mut Criterion) {
    for n in sizes(&[1_000_000]) {
        let g = ledger(n);
        let l = &g.ledger;
        let graph = TransferGraph::new(l);
        let theft = &g.thefts[0];
        let seed = ids(l, std::slice::from_ref(&theft.address));
        let mut exchanges = ids(l, &g.exchange_hot_wallets);
        exchanges.extend(ids(l, &g.exchange_deposits));
        let q = PathQuery::on(&graph)
            .from(seed.iter().copied())
            .to(exchanges.iter().copied())
            .since(theft.time)
            .build()
            .unwrap();
        let q8 = PathQuery::on(&graph)
            .from(seed.iter().copied())
            .to(exchanges.iter().copied())
            .since(theft.time)
            .max_hops(8)
            .build()
            .unwrap();
        let reach_q = PathQuery::on(&graph)
            .from(seed.iter().copied())
            .build()
            .unwrap();
        let q_hot = PathQuery::on(&graph)
            .from(seed.iter().copied())
            .to(ids(l, &g.exchange_hot_wallets))
            .since(theft.time)
            .build()
            .unwrap();
        let neighbors = NeighborGraph::new(&graph, &EdgeFilter::default());
        let index = ReachIndex::new(&neighbors);
        let flow = FlowQuery::new(q.clone(), Some(theft.amount), FlowLimits::default()).unwrap();
        {
            let r = flow.max_flow();
            eprintln!(
                "paths/{n}: earliest {:?} hops, fewest {:?}, widest bottleneck {:?}, static reach {}, temporal reach {}, flow {} (exact {}, cut {}, relevant {}, nodes {}, arcs {})",
                q.earliest_arrival().map(|p| p.hops()),
                q.fewest_hops().map(|p| p.hops()),
                q.widest().map(|p| p.bottleneck),
                reach_q.reach().len(),
                q.temporal_reach().len(),
                r.value,
                r.exact,
                r.cut.len(),
                r.relevant_transfers,
                r.nodes,
                r.arcs
            );
        }
        let mut group = c.benchmark_group(format!("paths_{n}"));
        group.sample_size(10);
        group.bench_function(BenchmarkId::new("earliest_scan", n), |b| {
            b.iter(|| black_box(q.earliest_arrival_with(Strategy::Scan)))
        });
        group.bench_function(BenchmarkId::new("earliest_search", n), |b| {
            b.iter(|| black_box(q.earliest_arrival_with(Strategy::Search)))
        });
        group.bench_function(BenchmarkId::new("earliest_auto", n), |b| {
            b.iter(|| black_box(q.earliest_arrival()))
        });
        group.bench_function(BenchmarkId::new("fewest_auto", n), |b| {
            b.iter(|| black_box(q.fewest_hops()))
        });
        group.bench_function(BenchmarkId::new("fewest_scan", n), |b| {
            b.iter(|| black_box(q.fewest_hops_with(Strategy::Scan)))
        });
        group.bench_function(BenchmarkId::new("fewest_to_hot_wallets", n), |b| {
            b.iter(|| black_box(q_hot.fewest_hops()))
        });
        group.bench_function(BenchmarkId::new("widest_auto", n), |b| {
            b.iter(|| black_box(q.widest()))
        });
        group.bench_function(BenchmarkId::new("widest_scan", n), |b| {
            b.iter(|| black_box(q.widest_with(Strategy::Scan)))
        });
        group.bench_function(BenchmarkId::new("widest_max8", n), |b| {
            b.iter(|| black_box(q8.widest()))
        });
        group.bench_function(BenchmarkId::new("k10_earliest", n), |b| {
            b.iter(|| black_box(q.k_paths(PathKind::Earliest, 10, &SearchLimits::default())))
        });
        group.bench_function(BenchmarkId::new("k10_widest_max8", n), |b| {
            b.iter(|| black_box(q8.k_paths(PathKind::Widest, 10, &SearchLimits::default())))
        });
        group.bench_function(BenchmarkId::new("reach_static_csr", n), |b| {
            b.iter(|| black_box(reach_q.reach()))
        });
        group.bench_function(BenchmarkId::new("reach_static_bfs", n), |b| {
            b.iter(|| black_box(neighbors.reach(&seed, None, None)))
        });
        group.bench_function(BenchmarkId::new("reach_static_index", n), |b| {
            b.iter(|| black_box(index.reach(&seed)))
        });
        group.bench_function(BenchmarkId::new("reach_temporal", n), |b| {
            b.iter(|| black_box(q.temporal_reach()))
        });
        group.bench_function(BenchmarkId::new("max_flow", n), |b| {
            b.iter(|| black_box(flow.max_flow()))
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
