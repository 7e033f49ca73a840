//! Adversarial graphs stay within the limits (issue 4, Done-when 5): a star
//! with a million leaves and a dense cycle. Limits cut the work off early,
//! so these run fast even in debug builds.

use std::time::Instant;

use fundtrace::graph::TransferGraph;
use fundtrace::paths::{FlowLimits, FlowQuery, PathKind, PathQuery, SearchLimits};
use fundtrace::{Address, AddressId, Asset, Ledger, LedgerBuilder, TransferKind, TransferRecord};

fn addr(i: u32) -> Address {
    let mut b = [0u8; 20];
    b[..4].copy_from_slice(&i.to_be_bytes());
    b[19] = 1;
    Address::Evm(b)
}

fn ledger(edges: impl Iterator<Item = (u32, u32, u128)>, per_block: u64) -> Ledger {
    let mut b = LedgerBuilder::new();
    let eth = b.chain("ethereum", "ETH");
    for (i, (f, t, amount)) in edges.enumerate() {
        let i = i as u64;
        let mut hash = [0u8; 32];
        hash[..8].copy_from_slice(&i.to_be_bytes());
        b.push(TransferRecord {
            chain: eth,
            tx_hash: hash,
            block: i / per_block,
            time: 1_000 + i / per_block,
            tx_position: (i % per_block) as u32,
            kind: TransferKind::Native,
            sub_index: 0,
            from: addr(f),
            to: addr(t),
            asset: Asset::Native,
            amount,
        })
        .unwrap();
    }
    b.build().unwrap()
}

fn id(l: &Ledger, i: u32) -> AddressId {
    l.address_id(&addr(i)).unwrap()
}

#[test]
fn star_with_a_million_leaves_stays_within_limits() {
    const LEAVES: u32 = 1_000_000;
    let t0 = Instant::now();
    // Hub 0 pays leaves 1..=LEAVES.
    let l = ledger((1..=LEAVES).map(|i| (0, i, u128::from(i))), 1_000);
    let built = t0.elapsed();
    let g = TransferGraph::new(&l);
    let leaves: Vec<AddressId> = (1..=LEAVES).map(|i| id(&l, i)).collect();
    let q = PathQuery::on(&g)
        .from([id(&l, 0)])
        .to(leaves.iter().copied())
        .build()
        .unwrap();
    let t1 = Instant::now();
    // Every leaf is a target: a million one-hop paths. The search stops at its limit.
    let limits = SearchLimits {
        max_states: 10_000,
        ..SearchLimits::default()
    };
    let k = q.k_paths(PathKind::Widest, 1_000_000, &limits);
    assert!(!k.complete);
    assert!(k.states <= 10_000);
    // Best first: widest is the largest amount.
    assert_eq!(k.paths[0].bottleneck, u128::from(LEAVES));
    let few = q.k_paths(PathKind::Earliest, 5, &limits);
    assert!(few.complete);
    assert_eq!(few.paths.len(), 5);
    // Flow: a million relevant transfers exceed the limit; the trivial cut
    // (every transfer into a target) still bounds the flow from above.
    let f = FlowQuery::new(
        q.clone(),
        None,
        FlowLimits {
            max_transfers: 50_000,
            ..FlowLimits::default()
        },
    )
    .unwrap()
    .max_flow();
    assert!(f.limited && !f.exact);
    assert_eq!(f.value, 0);
    let total: u128 = (1..=u128::from(LEAVES)).sum();
    assert_eq!(f.upper_bound, total);
    // With the cap below that, the cap is the cut.
    let f = FlowQuery::new(
        q.clone(),
        Some(7),
        FlowLimits {
            max_transfers: 50_000,
            ..FlowLimits::default()
        },
    )
    .unwrap()
    .max_flow();
    assert!(f.cap_in_cut && f.upper_bound == 7);
    // The one-pass queries are linear.
    assert_eq!(q.earliest_arrival().unwrap().hops(), 1);
    assert_eq!(q.widest().unwrap().bottleneck, u128::from(LEAVES));
    assert_eq!(q.temporal_reach().len(), LEAVES as usize + 1);
    eprintln!("star: ledger {built:?}, queries {:?}", t1.elapsed());
}

#[test]
fn dense_cycle_stays_within_limits() {
    // 60 addresses, every ordered pair transfers, 3 rounds: 10,620 transfers
    // and astronomically many temporal paths.
    const N: u32 = 60;
    let edges = (0..3).flat_map(|r| {
        (0..N).flat_map(move |a| {
            (0..N)
                .filter(move |&b| b != a)
                .map(move |b| (a, b, u128::from(1 + (a * 7 + b * 13 + r) % 50)))
        })
    });
    let l = ledger(edges, 50);
    let g = TransferGraph::new(&l);
    let q = PathQuery::on(&g)
        .from([id(&l, 0)])
        .to([id(&l, N - 1)])
        .build()
        .unwrap();
    let limits = SearchLimits {
        max_states: 20_000,
        ..SearchLimits::default()
    };
    for kind in [PathKind::Earliest, PathKind::Fewest, PathKind::Widest] {
        let k = q.k_paths(kind, 1_000_000, &limits);
        assert!(!k.complete);
        assert!(k.states <= 20_000);
        assert!(k.paths.windows(2).all(|w| w[0].key(kind) <= w[1].key(kind)));
        assert!(k.paths.iter().all(|p| p.is_temporal_path(&l)));
    }
    // Flow with a small work budget stops early with a valid lower bound.
    let f = FlowQuery::new(
        q.clone(),
        None,
        FlowLimits {
            max_work: 10_000,
            ..FlowLimits::default()
        },
    )
    .unwrap()
    .max_flow();
    assert!(f.limited);
    assert!(f.value <= f.upper_bound);
    // Without the budget it finishes with a certificate.
    let f = FlowQuery::new(q.clone(), None, FlowLimits::default())
        .unwrap()
        .max_flow();
    assert!(f.exact && !f.limited);
    let cut_total: u128 = f.cut.iter().map(|t| l.amounts()[t.index()]).sum();
    assert_eq!(cut_total, f.value);
    // Hop limits bound the k-paths search as well.
    let q2 = PathQuery::on(&g)
        .from([id(&l, 0)])
        .to([id(&l, N - 1)])
        .max_hops(2)
        .build()
        .unwrap();
    let k = q2.k_paths(PathKind::Fewest, 10, &limits);
    assert!(k.paths.iter().all(|p| p.hops() <= 2));
    assert_eq!(k.paths[0].hops(), 1);
}
