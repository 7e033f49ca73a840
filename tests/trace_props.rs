//! Laws every trace obeys, on random small ledgers: conservation, order
//! independence, no panics, and poison covering every other model.

use std::collections::BTreeMap;

use fundtrace::report::trace::TraceReport;
use fundtrace::trace::{trace, ExitInfo, Model, Seed, SeedTarget, TraceConfig};
use fundtrace::{
    Address, Amount, Asset, Ledger, LedgerBuilder, Sink, TransferKind, TransferRecord,
};
use proptest::prelude::*;

const N_ADDR: u8 = 8;

#[derive(Clone, Debug)]
struct Move {
    tx: u8,
    from: u8,
    to: u8,
    kind: u8,
    amount: Amount,
}

fn addr(n: u8) -> Address {
    Address::Evm([n + 1; 20])
}

fn records(moves: &[Move]) -> Vec<TransferRecord> {
    moves
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let block = u64::from(m.tx / 2);
            let (kind, asset, to) = match m.kind {
                0 => (TransferKind::Native, Asset::Native, addr(m.to)),
                1 => (TransferKind::Internal, Asset::Native, addr(m.to)),
                2 => (
                    TransferKind::Token,
                    Asset::Token(Address::Evm([0xee; 20])),
                    addr(m.to),
                ),
                _ => (TransferKind::Fee, Asset::Native, Address::Sink(Sink::Fees)),
            };
            TransferRecord {
                chain: fundtrace::ChainId(0),
                tx_hash: [m.tx + 1; 32],
                block,
                time: 1000 + 10 * block,
                tx_position: u32::from(m.tx % 2),
                kind,
                sub_index: i as u32,
                from: addr(m.from),
                to,
                asset,
                amount: m.amount,
            }
        })
        .collect()
}

fn build(records: &[TransferRecord]) -> Ledger {
    let mut b = LedgerBuilder::new();
    b.chain("ethereum", "ETH");
    for r in records {
        b.push(r.clone()).unwrap();
    }
    b.build().unwrap()
}

fn amount() -> impl Strategy<Value = Amount> {
    prop_oneof![
        4 => 0u128..20,
        4 => 0u128..1_000,
        1 => 0u128..(1u128 << 120),
    ]
}

fn moves() -> impl Strategy<Value = Vec<Move>> {
    prop::collection::vec(
        (
            0u8..16,
            0..N_ADDR,
            0..N_ADDR,
            prop_oneof![6 => 0u8..1, 2 => 1u8..2, 3 => 2u8..3, 1 => 3u8..4],
            amount(),
        )
            .prop_map(|(tx, from, to, kind, amount)| Move {
                tx,
                from,
                to,
                kind,
                amount,
            }),
        1..40,
    )
}

#[derive(Clone, Debug)]
struct Setup {
    seeds: Vec<Seed>,
    exits: BTreeMap<Address, ExitInfo>,
    dust: Amount,
    max_hops: Option<u32>,
    until: Option<u64>,
}

fn setup(hops: bool) -> impl Strategy<Value = Setup> {
    (
        prop::collection::vec((0..N_ADDR, prop::option::of(1000u64..1090), 0u8..2), 1..3),
        prop::option::of(0u8..16),
        0u8..=255,
        prop_oneof![3 => Just(0u128), 1 => 0u128..50],
        if hops { prop::option::of(0u32..4).boxed() } else { Just(None).boxed() },
        prop::option::of(1000u64..1090),
    )
        .prop_map(|(addr_seeds, tx_seed, exit_mask, dust, max_hops, until)| {
            let mut seeds: Vec<Seed> = Vec::new();
            for (a, start, inc) in addr_seeds {
                if seeds.iter().any(|s| matches!(&s.target, SeedTarget::Address { address, .. } if *address == addr(a))) {
                    continue;
                }
                seeds.push(Seed {
                    incident: format!("inc{inc}"),
                    target: SeedTarget::Address { address: addr(a), start },
                });
            }
            if let Some(t) = tx_seed {
                seeds.push(Seed {
                    incident: "tx".into(),
                    target: SeedTarget::Transaction { hash: [t + 1; 32] },
                });
            }
            let exits = (0..N_ADDR)
                .filter(|i| exit_mask & (1 << i) != 0 && *i >= 4)
                .map(|i| (addr(i), ExitInfo { label: format!("x{i}"), category: "exchange".into() }))
                .collect();
            Setup { seeds, exits, dust, max_hops, until }
        })
}

fn config(model: Model, s: &Setup) -> TraceConfig {
    TraceConfig::new(model, s.seeds.clone())
        .unwrap()
        .with_exits(s.exits.clone())
        .with_dust(s.dust)
        .with_max_hops(s.max_hops)
        .with_until(s.until)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, max_shrink_iters: 2000, ..ProptestConfig::default() })]

    #[test]
    fn value_is_conserved_to_the_base_unit(moves in moves(), s in setup(true)) {
        let l = build(&records(&moves));
        for model in Model::ACCOUNT {
            let r = trace(&l, &config(model, &s));
            if model.conserves_value() {
                for (asset, t) in &r.totals {
                    prop_assert_eq!(t.stolen, t.accounted(), "{} {:?} {:?}", model, asset, t);
                }
            }
            // Every flow's tainted part fits in its transfer.
            for f in &r.flows {
                prop_assert!(f.tainted <= l.transfer(f.transfer).amount);
            }
        }
    }

    #[test]
    fn reports_do_not_depend_on_input_row_order(
        moves in moves(),
        s in setup(true),
        perm in prop::collection::vec(any::<u32>(), 40),
    ) {
        let recs = records(&moves);
        let mut shuffled: Vec<(u32, TransferRecord)> =
            recs.iter().cloned().enumerate().map(|(i, r)| (perm[i % perm.len()] ^ i as u32, r)).collect();
        shuffled.sort_by_key(|(k, _)| *k);
        let shuffled: Vec<TransferRecord> = shuffled.into_iter().map(|(_, r)| r).collect();
        let (a, b) = (build(&recs), build(&shuffled));
        for model in Model::ACCOUNT {
            let c = config(model, &s);
            let ra = serde_json::to_string(&TraceReport::new(&a, &c, &trace(&a, &c))).unwrap();
            let rb = serde_json::to_string(&TraceReport::new(&b, &c, &trace(&b, &c))).unwrap();
            prop_assert_eq!(ra, rb);
        }
    }

    #[test]
    fn poison_holds_at_least_what_any_model_holds(moves in moves(), s in setup(false)) {
        let l = build(&records(&moves));
        let poison = trace(&l, &config(Model::Poison, &s));
        for model in Model::ACCOUNT {
            let r = trace(&l, &config(model, &s));
            for h in &r.holders {
                let p = poison.held_by(h.address, h.asset);
                prop_assert!(p >= h.amount, "{}: {:?} holds {} but {} under poison", model, h.address, h.amount, p);
            }
            for f in &r.flows {
                prop_assert!(poison.tainted_part(f.transfer) >= f.tainted);
            }
            for e in &r.exits {
                prop_assert!(poison.exited_to(e.address, e.asset) >= e.amount);
            }
        }
    }
}

#[test]
fn a_seed_sending_in_a_theft_transaction_counts_once() {
    let moves = vec![Move {
        tx: 11,
        from: 2,
        to: 0,
        kind: 0,
        amount: 1,
    }];
    let l = build(&records(&moves));
    let s = Setup {
        seeds: vec![
            Seed {
                incident: "inc0".into(),
                target: SeedTarget::Address {
                    address: addr(2),
                    start: None,
                },
            },
            Seed {
                incident: "tx".into(),
                target: SeedTarget::Transaction { hash: [12; 32] },
            },
        ],
        exits: BTreeMap::new(),
        dust: 0,
        max_hops: None,
        until: None,
    };
    for model in Model::ACCOUNT {
        let r = trace(&l, &config(model, &s));
        assert_eq!(r.flows.len(), 1);
        assert_eq!(r.flows[0].tainted, 1, "{model}");
        assert_eq!(r.totals[0].1.stolen, 1, "{model}");
    }
}
