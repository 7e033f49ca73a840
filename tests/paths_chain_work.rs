//! The k-paths search stays within its work limit on a long chain (issue 14,
//! Done-when 5): every step counts against `max_work`, the walk up a partial
//! path that checks it visits no address twice included.

use fundtrace::graph::TransferGraph;
use fundtrace::paths::{KPaths, PathKind, PathQuery, SearchLimit, SearchLimits};
use fundtrace::{Address, AddressId, Asset, Ledger, LedgerBuilder, TransferKind, TransferRecord};

fn addr(i: u32) -> Address {
    let mut b = [0u8; 20];
    b[..4].copy_from_slice(&i.to_be_bytes());
    b[19] = 1;
    Address::Evm(b)
}

/// One transfer per block, in the order given.
fn ledger(edges: impl Iterator<Item = (u32, u32)>) -> Ledger {
    let mut b = LedgerBuilder::new();
    let eth = b.chain("ethereum", "ETH");
    for (i, (f, t)) in edges.enumerate() {
        let i = i as u64;
        let mut hash = [0u8; 32];
        hash[..8].copy_from_slice(&i.to_be_bytes());
        b.push(TransferRecord {
            chain: eth,
            tx_hash: hash,
            block: i,
            time: 1_000 + i,
            tx_position: 0,
            kind: TransferKind::Native,
            sub_index: 0,
            from: addr(f),
            to: addr(t),
            asset: Asset::Native,
            amount: 5,
        })
        .unwrap();
    }
    b.build().unwrap()
}

fn id(l: &Ledger, i: u32) -> AddressId {
    l.address_id(&addr(i)).unwrap()
}

/// Either the answer or a clear "a limit stopped it", and never more work
/// than allowed.
fn check(k: &KPaths, limits: &SearchLimits) {
    assert!(
        k.work <= limits.max_work,
        "work {} > limit {}",
        k.work,
        limits.max_work
    );
    assert_eq!(k.complete, k.stopped_by.is_none());
}

#[test]
fn k_paths_on_a_million_hop_chain_stay_within_the_work_limit() {
    const HOPS: u32 = 1_000_000;
    let l = ledger((0..HOPS).map(|i| (i, i + 1)));
    let g = TransferGraph::new(&l);
    let q = PathQuery::on(&g)
        .from([id(&l, 0)])
        .to([id(&l, HOPS)])
        .build()
        .unwrap();
    let defaults = SearchLimits::default();
    for kind in [PathKind::Earliest, PathKind::Fewest, PathKind::Widest] {
        let k = q.k_paths(kind, 10, &defaults);
        check(&k, &defaults);
        // The one path there is, found within the default limits.
        assert!(k.complete, "{kind:?}: stopped by {:?}", k.stopped_by);
        assert_eq!(k.paths.len(), 1);
        assert_eq!(k.paths[0].hops(), HOPS as usize);
        assert!(k.paths[0].is_temporal_path(&l));
        // Linear: a few units of work per hop.
        assert!(k.work <= 4 * u64::from(HOPS), "{kind:?}: work {}", k.work);
    }
    // Limits below what the chain needs stop the search, with the reason.
    for max_work in [500_000, 2_500_000] {
        let limits = SearchLimits {
            max_work,
            ..SearchLimits::default()
        };
        let k = q.k_paths(PathKind::Fewest, 10, &limits);
        check(&k, &limits);
        assert_eq!(k.stopped_by, Some(SearchLimit::Work));
        assert!(k.paths.is_empty());
    }
    let limits = SearchLimits {
        max_states: 1_000,
        ..SearchLimits::default()
    };
    let k = q.k_paths(PathKind::Earliest, 10, &limits);
    check(&k, &limits);
    assert_eq!(k.stopped_by, Some(SearchLimit::States));
}

#[test]
fn the_walk_up_a_partial_path_counts_as_work() {
    // A chain 0 → 1 → … → N where every address also pays the source back,
    // and the source pays the target last: every back payment is a candidate
    // whose check walks the whole path (quadratic without the limit).
    const N: u32 = 20_000;
    let target = N + 1;
    let edges = (0..N)
        .flat_map(|i| [(i, i + 1), (i + 1, 0)])
        .chain(std::iter::once((0, target)));
    let l = ledger(edges);
    let g = TransferGraph::new(&l);
    let q = PathQuery::on(&g)
        .from([id(&l, 0)])
        .to([id(&l, target)])
        .build()
        .unwrap();
    let limits = SearchLimits {
        max_work: 5_000_000,
        ..SearchLimits::default()
    };
    for kind in [PathKind::Earliest, PathKind::Fewest, PathKind::Widest] {
        let k = q.k_paths(kind, 10, &limits);
        check(&k, &limits);
        assert_eq!(k.stopped_by, Some(SearchLimit::Work), "{kind:?}");
        assert!(k.paths.iter().all(|p| p.is_temporal_path(&l)));
        assert!(k.paths.windows(2).all(|w| w[0].key(kind) <= w[1].key(kind)));
    }
}
