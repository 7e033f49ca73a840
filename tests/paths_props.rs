//! Property tests: every path query and the maximum flow against brute-force
//! enumeration of all time-respecting paths on small random ledgers.

use std::collections::{BTreeMap, BTreeSet};

use fundtrace::graph::{AddressSet, EdgeFilter, NeighborGraph, ReachIndex, TransferGraph};
use fundtrace::paths::{
    FlowLimits, FlowQuery, PathKind, PathQuery, SearchLimits, Strategy as Search, TemporalPath,
};
use fundtrace::{
    Address, AddressId, Asset, Ledger, LedgerBuilder, TransferId, TransferKind, TransferRecord,
};
use proptest::prelude::*;

#[derive(Clone, Debug)]
struct Case {
    n: u8,
    edges: Vec<(u8, u8, u128, bool)>,
    sources: Vec<u8>,
    targets: Vec<u8>,
    max_hops: Option<u32>,
    min_amount: u128,
    since: Option<u64>,
    until: Option<u64>,
}

fn case(max_edges: usize) -> impl Strategy<Value = Case> {
    (2u8..6).prop_flat_map(move |n| {
        (
            Just(n),
            prop::collection::vec(
                (0..n, 0..n, 0u128..6, prop::bool::weighted(0.1)),
                3..max_edges,
            ),
            prop::collection::vec(0..n, 1..3),
            prop::collection::vec(0..n, 1..3),
            prop::option::of(1u32..5),
            0u128..2,
            prop::option::weighted(0.2, 0u64..4),
            prop::option::weighted(0.2, 5u64..20),
        )
            .prop_map(
                |(n, edges, sources, targets, max_hops, min_amount, since, until)| {
                    let targets: Vec<u8> = targets
                        .into_iter()
                        .filter(|t| !sources.contains(t))
                        .collect();
                    Case {
                        n,
                        edges,
                        sources,
                        targets,
                        max_hops,
                        min_amount,
                        since,
                        until,
                    }
                },
            )
    })
}

fn addr(k: u8) -> Address {
    Address::Evm([k + 1; 20])
}

/// Every address of the case is used by a self-transfer of another asset at
/// time 0 so that ids exist even for isolated addresses.
fn build(c: &Case) -> Ledger {
    let mut b = LedgerBuilder::new();
    let eth = b.chain("ethereum", "ETH");
    let token = Asset::Token(Address::Evm([0xee; 20]));
    for k in 0..c.n {
        b.push(TransferRecord {
            chain: eth,
            tx_hash: [200 + k; 32],
            block: 0,
            time: 0,
            tx_position: u32::from(k),
            kind: TransferKind::Token,
            sub_index: 0,
            from: addr(k),
            to: addr(k),
            asset: token.clone(),
            amount: 1,
        })
        .unwrap();
    }
    for (i, &(f, t, amount, is_token)) in c.edges.iter().enumerate() {
        b.push(TransferRecord {
            chain: eth,
            tx_hash: [i as u8; 32],
            block: 1 + i as u64,
            time: 1 + i as u64,
            tx_position: 0,
            kind: if is_token {
                TransferKind::Token
            } else {
                TransferKind::Native
            },
            sub_index: 0,
            from: addr(f),
            to: addr(t),
            asset: if is_token {
                token.clone()
            } else {
                Asset::Native
            },
            amount,
        })
        .unwrap();
    }
    b.build().unwrap()
}

fn ids(l: &Ledger, ks: &[u8]) -> Vec<AddressId> {
    ks.iter()
        .map(|&k| l.address_id(&addr(k)).unwrap())
        .collect()
}

fn query<'g, 'l>(g: &'g TransferGraph<'l>, c: &Case) -> Option<PathQuery<'g, 'l>> {
    let l = g.ledger();
    if c.targets.is_empty() {
        return None;
    }
    let mut b = PathQuery::on(g)
        .from(ids(l, &c.sources))
        .to(ids(l, &c.targets))
        .min_amount(c.min_amount);
    if let Some(h) = c.max_hops {
        b = b.max_hops(h);
    }
    if let Some(s) = c.since {
        b = b.since(s);
    }
    if let Some(u) = c.until {
        b = b.until(u);
    }
    match (c.since, c.until) {
        (Some(s), Some(u)) if u < s => {
            assert!(b.build().is_err());
            None
        }
        _ => Some(b.build().unwrap()),
    }
}

/// All simple temporal paths from the sources obeying the query's rules
/// (targets end paths), each with its end address.
fn enumerate(l: &Ledger, q: &PathQuery) -> Vec<(Vec<TransferId>, AddressId)> {
    let targets: BTreeSet<AddressId> = q.targets().iter().copied().collect();
    let usable = |i: usize| {
        let w = q.window();
        i >= w.start.index()
            && i < w.end.index()
            && l.amounts()[i] >= q.min_amount()
            && l.senders()[i] != l.receivers()[i]
            && q.asset().map_or(true, |a| l.transfer_assets()[i] == a)
    };
    let max_hops = q.max_hops().unwrap_or(u32::MAX) as usize;
    let mut out = Vec::new();
    #[allow(clippy::too_many_arguments)]
    fn rec(
        l: &Ledger,
        at: AddressId,
        after: Option<usize>,
        path: &mut Vec<TransferId>,
        visited: &mut Vec<AddressId>,
        targets: &BTreeSet<AddressId>,
        usable: &dyn Fn(usize) -> bool,
        max_hops: usize,
        out: &mut Vec<(Vec<TransferId>, AddressId)>,
    ) {
        if !path.is_empty() {
            out.push((path.clone(), at));
            if targets.contains(&at) {
                return;
            }
        }
        if path.len() >= max_hops {
            return;
        }
        let start = after.map_or(0, |a| a + 1);
        for i in start..l.transfer_count() {
            let t = l.receivers()[i];
            if l.senders()[i] != at || !usable(i) || visited.contains(&t) {
                continue;
            }
            path.push(TransferId::from_usize(i));
            visited.push(t);
            rec(l, t, Some(i), path, visited, targets, usable, max_hops, out);
            visited.pop();
            path.pop();
        }
    }
    for &s in q.sources() {
        let mut visited = vec![s];
        rec(
            l,
            s,
            None,
            &mut Vec::new(),
            &mut visited,
            &targets,
            &usable,
            max_hops,
            &mut out,
        );
    }
    out
}

fn check_path(l: &Ledger, q: &PathQuery, p: &TemporalPath) {
    assert!(!p.transfers.is_empty());
    assert!(p.is_temporal_path(l));
    let first = l.transfer(p.transfers[0]);
    assert!(q.sources().contains(&first.from));
    let last = l.transfer(*p.transfers.last().unwrap());
    assert!(q.targets().contains(&last.to));
    if let Some(h) = q.max_hops() {
        assert!(p.hops() <= h as usize);
    }
    let w = q.window();
    for t in &p.transfers {
        assert!(w.contains(t));
        assert!(l.amounts()[t.index()] >= q.min_amount());
    }
    let min = p
        .transfers
        .iter()
        .map(|t| l.amounts()[t.index()])
        .min()
        .unwrap();
    assert_eq!(p.bottleneck, min);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn path_queries_match_brute_force(c in case(14)) {
        let l = build(&c);
        let g = TransferGraph::new(&l);
        let Some(q) = query(&g, &c) else { return Ok(()); };
        let all = enumerate(&l, &q);
        let targets: BTreeSet<AddressId> = q.targets().iter().copied().collect();
        let to_target: Vec<TemporalPath> = all
            .iter()
            .filter(|(_, end)| targets.contains(end))
            .map(|(p, _)| TemporalPath {
                transfers: p.clone(),
                bottleneck: p.iter().map(|t| l.amounts()[t.index()]).min().unwrap(),
            })
            .collect();

        let earliest = q.earliest_arrival();
        let brute_earliest = to_target.iter().map(|p| p.arrival().unwrap()).min();
        prop_assert_eq!(earliest.as_ref().and_then(TemporalPath::arrival), brute_earliest);
        let searched = q.earliest_arrival_with(Search::Search);
        prop_assert_eq!(searched.as_ref().and_then(TemporalPath::arrival), brute_earliest);
        let scanned = q.earliest_arrival_with(Search::Scan);
        prop_assert_eq!(scanned.as_ref().and_then(TemporalPath::arrival), brute_earliest);
        // Fewest hops: every strategy gives the same (hops, arrival): the
        // earliest arriving of the fewest-hop paths.
        let brute_fewest = to_target.iter().map(|p| (p.hops(), p.arrival())).min();
        let mut fewest_all = Vec::new();
        for s in [Search::Scan, Search::Search, Search::Auto] {
            let p = q.fewest_hops_with(s);
            prop_assert_eq!(p.as_ref().map(|p| (p.hops(), p.arrival())), brute_fewest);
            fewest_all.extend(p);
        }

        let fewest = q.fewest_hops();
        prop_assert_eq!(fewest.as_ref().map(TemporalPath::hops), to_target.iter().map(TemporalPath::hops).min());
        let front = q.fewest_hops_front();
        for w in front.windows(2) {
            prop_assert!(w[0].arrival() < w[1].arrival() && w[0].hops() > w[1].hops());
        }

        let widest = q.widest();
        prop_assert_eq!(widest.as_ref().map(|p| p.bottleneck), to_target.iter().map(|p| p.bottleneck).max());
        // Every strategy: the same bottleneck, and the earliest arrival among the widest.
        let brute_widest = to_target.iter().map(|p| (u128::MAX - p.bottleneck, p.arrival())).min();
        for s in [Search::Scan, Search::Search, Search::Auto] {
            let p = q.widest_with(s);
            prop_assert_eq!(p.as_ref().map(|p| (u128::MAX - p.bottleneck, p.arrival())), brute_widest);
            fewest_all.extend(p);
        }

        for p in earliest.iter().chain(&searched).chain(&scanned).chain(&fewest).chain(&widest).chain(&front).chain(&fewest_all) {
            check_path(&l, &q, p);
        }

        for kind in [PathKind::Earliest, PathKind::Fewest, PathKind::Widest] {
            let k = 4;
            let got = q.k_paths(kind, k, &SearchLimits::default());
            prop_assert!(got.complete);
            let mut want: Vec<(u128, u64)> = to_target.iter().map(|p| p.key(kind)).collect();
            want.sort_unstable();
            want.truncate(k);
            let keys: Vec<(u128, u64)> = got.paths.iter().map(|p| p.key(kind)).collect();
            prop_assert_eq!(keys, want);
            let distinct: BTreeSet<&Vec<TransferId>> = got.paths.iter().map(|p| &p.transfers).collect();
            prop_assert_eq!(distinct.len(), got.paths.len());
            for p in &got.paths {
                check_path(&l, &q, p);
            }
            if let Some(best) = q.best(kind) {
                prop_assert_eq!(Some(best.key(kind).0), got.paths.first().map(|p| p.key(kind).0));
            }
        }

        // Temporal reach: fewest hops and first arrival per address.
        let reach = q.temporal_reach();
        let mut brute: BTreeMap<AddressId, (usize, TransferId)> = BTreeMap::new();
        for (p, end) in &all {
            let e = brute.entry(*end).or_insert((usize::MAX, TransferId(u32::MAX)));
            e.0 = e.0.min(p.len());
            e.1 = e.1.min(*p.last().unwrap());
        }
        for a in (0..l.address_count()).map(AddressId::from_usize) {
            if q.sources().contains(&a) {
                prop_assert_eq!(reach.hops(a), Some(0));
                continue;
            }
            prop_assert_eq!(reach.hops(a), brute.get(&a).map(|x| x.0 as u32));
            prop_assert_eq!(reach.arrival(a), brute.get(&a).map(|x| x.1));
        }
        // Static reach covers temporal reach, and the neighbor graph agrees with the CSR search.
        let stat = q.reach();
        let ng = NeighborGraph::new(&g, &EdgeFilter { asset: q.asset(), min_amount: q.min_amount(), window: Some(q.window()) });
        let stop: AddressSet = q.targets().iter().copied().collect();
        let fast = ng.reach(q.sources(), q.max_hops().map(|h| h as usize), Some(&stop));
        prop_assert_eq!(fast.len(), stat.len());
        // Without targets, hop limits or windows, the SCC index gives the same set.
        let plain = NeighborGraph::new(&g, &EdgeFilter { asset: q.asset(), min_amount: q.min_amount(), window: None });
        let index = ReachIndex::new(&plain);
        let mut via_index = index.reach(q.sources());
        via_index.sort_unstable();
        let bfs: Vec<AddressId> = plain.reach(q.sources(), None, None).addresses().collect();
        prop_assert_eq!(via_index, bfs);
        for a in stat.addresses() {
            prop_assert_eq!(fast.hops(a).map(|h| h as u32), stat.hops(a));
        }
        for a in reach.addresses() {
            prop_assert!(stat.contains(a));
            prop_assert!(stat.hops(a) <= reach.hops(a));
        }
    }

    #[test]
    fn max_flow_matches_brute_force_min_cut(c in case(11), cap in prop::option::of(0u128..12)) {
        let l = build(&c);
        let g = TransferGraph::new(&l);
        let Some(q) = query(&g, &c) else { return Ok(()); };
        let paths: Vec<Vec<TransferId>> = {
            let targets: BTreeSet<AddressId> = q.targets().iter().copied().collect();
            // Flows ignore the hop limit: enumerate without it.
            let mut c2 = c.clone();
            c2.max_hops = None;
            let q2 = query(&g, &c2).unwrap();
            enumerate(&l, &q2).into_iter().filter(|(_, e)| targets.contains(e)).map(|(p, _)| p).collect()
        };
        let fq = FlowQuery::new(q.clone(), cap, FlowLimits::default()).unwrap();
        let r = fq.max_flow();
        prop_assert!(r.exact);
        prop_assert!(!r.limited);

        // Brute-force minimum cut over subsets of the transfers on some path.
        let used: Vec<TransferId> = paths.iter().flatten().copied().collect::<BTreeSet<_>>().into_iter().collect();
        let mut best = u128::MAX;
        for mask in 0u32..(1 << used.len()) {
            let set: BTreeSet<TransferId> = used.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, t)| *t).collect();
            if paths.iter().all(|p| p.iter().any(|t| set.contains(t))) {
                best = best.min(set.iter().map(|t| l.amounts()[t.index()]).sum());
            }
        }
        if let Some(cap) = cap { best = best.min(cap); }
        prop_assert_eq!(r.value, best);

        // The certificate: the cut's total is the value and it meets every path.
        let cut: BTreeSet<TransferId> = r.cut.iter().copied().collect();
        let total: u128 = r.cut.iter().map(|t| l.amounts()[t.index()]).sum::<u128>()
            + if r.cap_in_cut { cap.unwrap() } else { 0 };
        prop_assert_eq!(total, r.value);
        if !r.cap_in_cut {
            prop_assert!(paths.iter().all(|p| p.iter().any(|t| cut.contains(t))));
        }

        // The flow: capacities, time order and conservation.
        let sources: BTreeSet<AddressId> = q.sources().iter().copied().collect();
        let targets: BTreeSet<AddressId> = q.targets().iter().copied().collect();
        let mut balance: BTreeMap<AddressId, i128> = BTreeMap::new();
        let mut supplied: i128 = 0;
        let mut into_targets: u128 = 0;
        for &(t, f) in &r.flows {
            let tr = l.transfer(t);
            prop_assert!(f <= tr.amount);
            prop_assert!(q.window().contains(&t));
            prop_assert!(!targets.contains(&tr.from));
            let b = balance.entry(tr.from).or_insert(0);
            *b -= f as i128;
            if *b < 0 {
                prop_assert!(sources.contains(&tr.from), "address sent value it did not hold");
                supplied -= *b;
                *b = 0;
            }
            *balance.entry(tr.to).or_insert(0) += f as i128;
            if targets.contains(&tr.to) { into_targets += f; }
        }
        prop_assert_eq!(into_targets, r.value);
        if let Some(cap) = cap { prop_assert!(supplied as u128 <= cap); }
        for (a, b) in &balance {
            if !targets.contains(a) && !sources.contains(a) {
                prop_assert_eq!(*b, 0, "value left stranded at an intermediate address");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Amounts near the ends of `u128`: the widest-path searches neither
    /// overflow nor lose the optimum.
    #[test]
    fn widest_with_extreme_amounts(mut c in case(12)) {
        const TABLE: [u128; 6] = [0, 1, 1 << 64, 1 << 127, u128::MAX - 1, u128::MAX];
        for e in &mut c.edges {
            e.2 = TABLE[e.2 as usize];
        }
        let l = build(&c);
        let g = TransferGraph::new(&l);
        let Some(q) = query(&g, &c) else { return Ok(()); };
        let brute = enumerate(&l, &q)
            .into_iter()
            .filter(|(_, end)| q.targets().contains(end))
            .map(|(p, _)| {
                let b = p.iter().map(|t| l.amounts()[t.index()]).min().unwrap();
                (u128::MAX - b, p.last().copied())
            })
            .min();
        for s in [Search::Scan, Search::Search, Search::Auto] {
            let p = q.widest_with(s);
            prop_assert_eq!(p.as_ref().map(|p| (u128::MAX - p.bottleneck, p.arrival())), brute);
        }
        let k = q.k_paths(PathKind::Widest, 1, &SearchLimits::default());
        prop_assert_eq!(k.paths.first().map(|p| u128::MAX - p.bottleneck), brute.map(|b| b.0));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// One pass to every target gives each target the optimum and arrival of
    /// the query with that target alone (temporal), and the static search with
    /// early exit gives each target its BFS distance.
    #[test]
    fn best_to_each_matches_one_query_per_target(c in case(14)) {
        let l = build(&c);
        let g = TransferGraph::new(&l);
        let Some(q) = query(&g, &c) else { return Ok(()); };
        let single = |t: AddressId| {
            let mut b = PathQuery::on(&g).from(q.sources().iter().copied()).to([t]).min_amount(q.min_amount());
            if let Some(h) = q.max_hops() {
                b = b.max_hops(h);
            }
            if let Some(s) = c.since {
                b = b.since(s);
            }
            if let Some(u) = c.until {
                b = b.until(u);
            }
            b.build().unwrap()
        };
        for kind in [PathKind::Earliest, PathKind::Fewest, PathKind::Widest] {
            let each = q.best_to_each(kind);
            prop_assert_eq!(each.len(), q.targets().len());
            for (t, got) in q.targets().iter().zip(&each) {
                let alone = single(*t);
                let want = alone.best(kind);
                // Earliest: the same arrival (several paths may end with that
                // transfer); fewest and widest: the same optimum and arrival.
                let key = |p: &TemporalPath| match kind {
                    PathKind::Earliest => (0, p.key(kind).0 as u64),
                    _ => p.key(kind),
                };
                prop_assert_eq!(got.as_ref().map(key), want.as_ref().map(key), "{:?} to {}", kind, t);
                if let Some(p) = got {
                    check_path(&l, &alone, p);
                    prop_assert_eq!(l.receivers()[p.arrival().unwrap().index()], *t);
                }
            }
        }
        let ng = NeighborGraph::new(&g, &EdgeFilter { asset: q.asset(), min_amount: q.min_amount(), window: Some(q.window()) });
        let limit = q.max_hops().map(|h| h as usize);
        let full = ng.reach(q.sources(), limit, None);
        // Targets out of order and repeated: answers follow the given order.
        let mut asked: Vec<AddressId> = q.targets().iter().rev().copied().collect();
        asked.extend(q.targets().first().copied());
        let hops = ng.hops_to(q.sources(), &asked, limit);
        let want: Vec<Option<usize>> = asked.iter().map(|&t| full.hops(t)).collect();
        prop_assert_eq!(hops, want);
    }
}
