//! The maximum flow bounds every value-conserving taint model (issue 4,
//! Done-when 2): whatever FIFO, LIFO, haircut, taint-first or clean-first
//! deliver to the targets never exceeds the temporal maximum flow from the
//! seed to those targets. (Poison is an exposure measure, not a value one,
//! and is left out.)

use std::collections::BTreeMap;

use fundtrace::graph::TransferGraph;
use fundtrace::paths::{FlowLimits, FlowQuery, PathQuery};
use fundtrace::trace::{trace, ExitInfo, Model, Seed, TraceConfig};
use fundtrace::{Address, Asset, LedgerBuilder, TransferKind, TransferRecord};
use proptest::prelude::*;

fn addr(k: u8) -> Address {
    Address::Evm([k + 1; 20])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn taint_reaching_targets_never_exceeds_max_flow(
        n in 3u8..7,
        raw in prop::collection::vec((0u8..7, 0u8..7, 1u128..100), 2..16),
        targets in prop::collection::vec(1u8..7, 1..3),
    ) {
        let edges: Vec<(u8, u8, u128)> = raw.into_iter().map(|(f, t, a)| (f % n, t % n, a)).collect();
        let targets: Vec<u8> = targets.into_iter().map(|t| t % n).filter(|&t| t != 0).collect();
        prop_assume!(!targets.is_empty());
        let mut b = LedgerBuilder::new();
        let eth = b.chain("ethereum", "ETH");
        for (i, &(f, t, amount)) in edges.iter().enumerate() {
            b.push(TransferRecord {
                chain: eth, tx_hash: [i as u8 + 1; 32], block: 1 + i as u64, time: 1000 + i as u64,
                tx_position: 0, kind: TransferKind::Native, sub_index: 0,
                from: addr(f), to: addr(t), asset: Asset::Native, amount,
            }).unwrap();
        }
        let l = b.build().unwrap();
        let (Some(seed), Some(native)) = (l.address_id(&addr(0)), l.asset_by_name("ETH")) else {
            return Ok(());
        };
        let mut target_ids: Vec<_> = targets.iter().filter_map(|&t| l.address_id(&addr(t))).collect();
        target_ids.sort_unstable();
        target_ids.dedup();
        prop_assume!(!target_ids.is_empty());

        let g = TransferGraph::new(&l);
        let q = PathQuery::on(&g).from([seed]).to(target_ids.iter().copied()).build().unwrap();
        let flow = FlowQuery::new(q, None, FlowLimits::default()).unwrap().max_flow();
        prop_assert!(flow.exact);

        let exits: BTreeMap<Address, ExitInfo> = target_ids
            .iter()
            .map(|&t| (l.address(t).clone(), ExitInfo { label: "target".into(), category: "exchange".into() }))
            .collect();
        for model in [Model::Haircut, Model::Fifo, Model::Lifo, Model::TaintFirst, Model::CleanFirst] {
            let config = TraceConfig::new(model, vec![Seed::parse("x", &addr(0).to_string()).unwrap()])
                .unwrap()
                .with_exits(exits.clone());
            let r = trace(&l, &config);
            let reached: u128 = target_ids.iter().map(|&t| r.exited_to(t, native)).sum();
            prop_assert!(reached <= flow.value, "{:?} delivers {} > max flow {}", model, reached, flow.value);
        }
    }
}
