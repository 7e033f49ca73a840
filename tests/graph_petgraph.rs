//! petgraph's algorithms on the CSR agree with the same algorithms on a
//! `petgraph::Graph` built from the same transfers (issue 2, Done-when 5).

use std::collections::BTreeSet;

use fundtrace::graph::TransferGraph;
use fundtrace::{
    Address, AddressId, Asset, Ledger, LedgerBuilder, TransferId, TransferKind, TransferRecord,
};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{EdgeRef, IntoEdgesDirected, IntoNeighborsDirected, NodeIndexable};
use petgraph::Direction;
use proptest::prelude::*;

fn build(n: u8, edges: &[(u8, u8, u128)]) -> Ledger {
    let mut b = LedgerBuilder::new();
    let eth = b.chain("ethereum", "ETH");
    let addr = |k: u8| Address::Evm([k + 1; 20]);
    for k in 0..n {
        // A self-transfer so that every address exists.
        b.push(TransferRecord {
            chain: eth,
            tx_hash: [255 - k; 32],
            block: 0,
            time: 0,
            tx_position: u32::from(k),
            kind: TransferKind::Native,
            sub_index: 0,
            from: addr(k),
            to: addr(k),
            asset: Asset::Native,
            amount: 1,
        })
        .unwrap();
    }
    for (i, &(f, t, a)) in edges.iter().enumerate() {
        b.push(TransferRecord {
            chain: eth,
            tx_hash: [i as u8; 32],
            block: 1 + i as u64,
            time: 1 + i as u64,
            tx_position: 0,
            kind: TransferKind::Native,
            sub_index: 0,
            from: addr(f),
            to: addr(t),
            asset: Asset::Native,
            amount: a,
        })
        .unwrap();
    }
    b.build().unwrap()
}

fn to_petgraph(l: &Ledger) -> DiGraph<(), u128> {
    let mut g = DiGraph::new();
    for _ in 0..l.address_count() {
        g.add_node(());
    }
    for t in l.transfers() {
        g.add_edge(
            NodeIndex::new(t.from.index()),
            NodeIndex::new(t.to.index()),
            t.amount,
        );
    }
    g
}

fn canonical(sccs: Vec<Vec<usize>>) -> BTreeSet<BTreeSet<usize>> {
    sccs.into_iter().map(|c| c.into_iter().collect()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn scc_and_dijkstra_agree_with_petgraph_graph(
        n in 1u8..12,
        raw in prop::collection::vec((0u8..12, 0u8..12, 1u128..1000), 0..40),
    ) {
        let edges: Vec<(u8, u8, u128)> = raw.into_iter().map(|(f, t, a)| (f % n, t % n, a)).collect();
        let l = build(n, &edges);
        let csr = TransferGraph::new(&l);
        let pg = to_petgraph(&l);

        let a = canonical(petgraph::algo::tarjan_scc(&csr).into_iter().map(|c| c.into_iter().map(|x| x.index()).collect()).collect());
        let b = canonical(petgraph::algo::tarjan_scc(&pg).into_iter().map(|c| c.into_iter().map(|x| x.index()).collect()).collect());
        prop_assert_eq!(a, b);
        let a = canonical(petgraph::algo::kosaraju_scc(&csr).into_iter().map(|c| c.into_iter().map(|x| x.index()).collect()).collect());
        prop_assert_eq!(a.len(), petgraph::algo::kosaraju_scc(&pg).len());

        for s in 0..l.address_count() {
            let d1 = petgraph::algo::dijkstra(&csr, AddressId::from_usize(s), None, |e| *e.weight());
            let d2 = petgraph::algo::dijkstra(&pg, NodeIndex::new(s), None, |e| *e.weight());
            let d1: Vec<(usize, u128)> = { let mut v: Vec<_> = d1.into_iter().map(|(k, d)| (k.index(), d)).collect(); v.sort_unstable(); v };
            let d2: Vec<(usize, u128)> = { let mut v: Vec<_> = d2.into_iter().map(|(k, d)| (k.index(), d)).collect(); v.sort_unstable(); v };
            prop_assert_eq!(d1, d2);
        }

        // Directed neighbours and edges agree as multisets, in event order on the CSR.
        for v in 0..l.address_count() {
            let a = AddressId::from_usize(v);
            for dir in [Direction::Outgoing, Direction::Incoming] {
                let mut x: Vec<usize> = (&csr).neighbors_directed(a, dir).map(|w| w.index()).collect();
                let mut y: Vec<usize> = pg.neighbors_directed(NodeIndex::new(v), dir).map(|w| w.index()).collect();
                x.sort_unstable();
                y.sort_unstable();
                prop_assert_eq!(x, y);
                let ids: Vec<TransferId> = (&csr).edges_directed(a, dir).map(|e| e.id()).collect();
                prop_assert!(ids.windows(2).all(|w| w[0] < w[1]));
            }
        }
        prop_assert_eq!(csr.node_bound(), pg.node_count());
        prop_assert_eq!(petgraph::visit::EdgeCount::edge_count(&csr), pg.edge_count());
        prop_assert_eq!(petgraph::algo::has_path_connecting(&csr, AddressId(0), AddressId::from_usize(l.address_count() - 1), None),
            petgraph::algo::has_path_connecting(&pg, NodeIndex::new(0), NodeIndex::new(l.address_count() - 1), None));
    }
}

#[test]
fn graph_memory_is_about_eight_bytes_per_transfer() {
    let edges: Vec<(u8, u8, u128)> = (0..200u32)
        .map(|i| ((i % 7) as u8, (i % 11) as u8, 5))
        .collect();
    let l = build(11, &edges);
    let g = TransferGraph::new(&l);
    let per_transfer = g.heap_bytes() as f64 / l.transfer_count() as f64;
    // 8 bytes per transfer plus 8 per address (12 addresses here).
    assert!(per_transfer <= 8.0 + 8.0 * 12.0 / l.transfer_count() as f64 + 0.01);
}
