//! The fundtrace side of `benches/compare_peers.py`: generates a ledger,
//! writes it as a CSV of `id,src,dst,amount` (event order, address ids) and
//! the query as JSON, runs each query several times and prints the answers
//! and median times (milliseconds, ingest and graph build excluded) as JSON.
//!
//! `cargo run --release --example compare_paths -- 1000000 /tmp/cmp [exchanges|hot]`

use std::io::Write;
use std::time::Instant;

use fundtrace::graph::{EdgeFilter, NeighborGraph, ReachIndex, TransferGraph};
use fundtrace::paths::{FlowLimits, FlowQuery, PathQuery, Strategy};
use fundtrace::synth::{generate, GenConfig};
use fundtrace::AddressId;

fn median_ms(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut t: Vec<f64> = (0..runs)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[t.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map_or(Ok(1_000_000), |s| s.parse())?;
    let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| "/tmp/fundtrace_cmp".into()));
    // `exchanges`: every exchange address (deposits and hot wallets);
    // `hot`: the hot wallets only (a deposit must first be swept).
    let which = args.next().unwrap_or_else(|| "exchanges".into());
    std::fs::create_dir_all(&dir)?;
    let g = generate(&GenConfig {
        transfers: n,
        ..GenConfig::default()
    });
    let l = &g.ledger;
    let ids = |a: &[fundtrace::Address]| -> Vec<AddressId> {
        a.iter().filter_map(|a| l.address_id(a)).collect()
    };
    let theft = &g.thefts[0];
    let seeds = ids(std::slice::from_ref(&theft.address));
    let mut targets = ids(&g.exchange_hot_wallets);
    if which != "hot" {
        targets.extend(ids(&g.exchange_deposits));
    }
    targets.sort_unstable();
    targets.dedup();
    let start = l.first_transfer_at(theft.time);

    let mut w = std::io::BufWriter::new(std::fs::File::create(dir.join("edges.csv"))?);
    writeln!(w, "id,src,dst,amount")?;
    for t in l.transfers() {
        writeln!(w, "{},{},{},{}", t.id.0, t.from.0, t.to.0, t.amount)?;
    }
    w.flush()?;
    let query = serde_json::json!({
        "n_nodes": l.address_count(),
        "seeds": seeds.iter().map(|a| a.0).collect::<Vec<_>>(),
        "targets": targets.iter().map(|a| a.0).collect::<Vec<_>>(),
        "start": start.0,
        "cap": theft.amount.to_string(),
    });
    std::fs::write(
        dir.join("query.json"),
        serde_json::to_string_pretty(&query)?,
    )?;

    let graph = TransferGraph::new(l);
    let q = PathQuery::on(&graph)
        .from(seeds.iter().copied())
        .to(targets.iter().copied())
        .since(theft.time)
        .build()?;
    let reach_q = PathQuery::on(&graph).from(seeds.iter().copied()).build()?;
    let flow = FlowQuery::new(q.clone(), Some(theft.amount), FlowLimits::default())?;
    let runs = 15;
    let earliest = q.earliest_arrival();
    let fewest = q.fewest_hops();
    let widest = q.widest();
    let reach = reach_q.reach();
    let ng = NeighborGraph::new(&graph, &EdgeFilter::default());
    let fast = ng.reach(&seeds, None, None);
    assert_eq!(fast.len(), reach.len());
    let index = ReachIndex::new(&ng);
    assert_eq!(index.reach(&seeds).len(), reach.len());
    let treach = q.temporal_reach();
    let f = flow.max_flow();
    let out = serde_json::json!({
        "transfers": n,
        "answers": {
            "static_reach": reach.len(),
            "temporal_reach": treach.len(),
            "earliest_arrival": earliest.as_ref().and_then(|p| p.arrival()).map(|t| t.0),
            "fewest_hops": fewest.as_ref().map(|p| p.hops()),
            "widest": widest.as_ref().map(|p| p.bottleneck.to_string()),
            "max_flow": f.value.to_string(),
            "max_flow_exact": f.exact,
        },
        "median_ms": {
            "static_reach": median_ms(runs, || { std::hint::black_box(index.reach(&seeds)); }),
            "static_reach_bfs": median_ms(runs, || { std::hint::black_box(ng.reach(&seeds, None, None)); }),
            "reach_index_build": median_ms(3, || { std::hint::black_box(ReachIndex::new(&ng)); }),
            "static_reach_csr": median_ms(runs, || { std::hint::black_box(reach_q.reach()); }),
            "neighbor_graph_build": median_ms(3, || { std::hint::black_box(NeighborGraph::new(&graph, &EdgeFilter::default())); }),
            "temporal_reach": median_ms(runs, || { std::hint::black_box(q.temporal_reach()); }),
            "earliest_arrival": median_ms(runs, || { std::hint::black_box(q.earliest_arrival()); }),
            "earliest_arrival_search": median_ms(runs, || { std::hint::black_box(q.earliest_arrival_with(Strategy::Search)); }),
            "earliest_arrival_scan": median_ms(runs, || { std::hint::black_box(q.earliest_arrival_with(Strategy::Scan)); }),
            "fewest_hops_search": median_ms(runs, || { std::hint::black_box(q.fewest_hops_with(Strategy::Search)); }),
            "fewest_hops_scan": median_ms(runs, || { std::hint::black_box(q.fewest_hops_with(Strategy::Scan)); }),
            "fewest_hops": median_ms(runs, || { std::hint::black_box(q.fewest_hops()); }),
            "widest": median_ms(runs, || { std::hint::black_box(q.widest()); }),
            "widest_scan": median_ms(runs, || { std::hint::black_box(q.widest_with(Strategy::Scan)); }),
            "widest_search": median_ms(runs, || { std::hint::black_box(q.widest_with(Strategy::Search)); }),
            "max_flow": median_ms(runs, || { std::hint::black_box(flow.max_flow()); }),
            "graph_build": median_ms(3, || { std::hint::black_box(TransferGraph::new(l)); }),
        },
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}
