//! Maximum flow on generated ledgers (thefts, peel chains, exchanges): the
//! flow is feasible in time and the cut certifies it.

use std::collections::BTreeMap;

use fundtrace::graph::TransferGraph;
use fundtrace::paths::{FlowLimits, FlowQuery, PathQuery};
use fundtrace::synth::{generate, GenConfig};
use fundtrace::AddressId;

#[test]
fn generated_thefts_flow_to_exchanges_with_a_certificate() {
    let g = generate(&GenConfig {
        transfers: 20_000,
        ..GenConfig::default()
    });
    let l = &g.ledger;
    let graph = TransferGraph::new(l);
    let mut exchanges: Vec<AddressId> = g
        .exchange_hot_wallets
        .iter()
        .chain(&g.exchange_deposits)
        .filter_map(|a| l.address_id(a))
        .collect();
    exchanges.sort_unstable();
    let mut checked = 0;
    for theft in &g.thefts {
        let Some(seed) = l.address_id(&theft.address) else {
            continue;
        };
        let q = PathQuery::on(&graph)
            .from([seed])
            .to(exchanges.iter().copied())
            .since(theft.time)
            .build()
            .unwrap();
        for cap in [None, Some(theft.amount / 3)] {
            let r = FlowQuery::new(q.clone(), cap, FlowLimits::default())
                .unwrap()
                .max_flow();
            assert!(r.exact && !r.limited);
            let cut_total: u128 = r.cut.iter().map(|t| l.amounts()[t.index()]).sum::<u128>()
                + if r.cap_in_cut { cap.unwrap() } else { 0 };
            assert_eq!(cut_total, r.value);
            // Cut transfers are saturated.
            let flows: BTreeMap<_, _> = r.flows.iter().copied().collect();
            for t in &r.cut {
                assert_eq!(flows.get(t).copied(), Some(l.amounts()[t.index()]));
            }
            // Feasible in time: nobody but the seed sends value it has not received.
            let mut balance: BTreeMap<AddressId, i128> = BTreeMap::new();
            let mut supplied = 0i128;
            let mut arrived = 0u128;
            for &(t, f) in &r.flows {
                let tr = l.transfer(t);
                assert!(f <= tr.amount && t >= q.window().start);
                let b = balance.entry(tr.from).or_insert(0);
                *b -= f as i128;
                if *b < 0 {
                    assert_eq!(tr.from, seed);
                    supplied -= *b;
                    *b = 0;
                }
                *balance.entry(tr.to).or_insert(0) += f as i128;
                if exchanges.binary_search(&tr.to).is_ok() {
                    arrived += f;
                }
            }
            assert_eq!(arrived, r.value);
            if let Some(c) = cap {
                assert!(supplied as u128 <= c);
            }
            for (a, b) in balance {
                if a != seed && exchanges.binary_search(&a).is_err() {
                    assert_eq!(b, 0);
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 4);
}
