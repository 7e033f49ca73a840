//! Swaps carry taint from one asset to another (DESIGN §7), with
//! hand-computed numbers for every model.

use std::collections::BTreeMap;

use fundtrace::trace::{trace, ConversionKind, ExitInfo, Model, Seed, TraceConfig};
use fundtrace::{Address, Asset, Ledger, LedgerBuilder, TransferKind, TransferRecord};

fn addr(b: u8) -> Address {
    Address::Evm([b; 20])
}

const THIEF: u8 = 1;
const CLEAN: u8 = 2;
const A: u8 = 3;
const ROUTER: u8 = 4;
const POOL: u8 = 5;
const EXCHANGE: u8 = 6;

fn tok() -> Asset {
    Asset::Token(addr(0xee))
}

/// (tx, time, kind, from, to, asset, amount, sub_index)
type Row = (u8, u64, TransferKind, u8, u8, Asset, u128, u32);

fn ledger(rows: &[Row]) -> Ledger {
    let mut b = LedgerBuilder::new();
    let eth = b.chain("ethereum", "ETH");
    for (tx, time, kind, from, to, asset, amount, sub) in rows.iter().cloned() {
        b.push(TransferRecord {
            chain: eth,
            tx_hash: [tx; 32],
            block: time,
            time,
            tx_position: 0,
            kind,
            sub_index: sub,
            from: addr(from),
            to: addr(to),
            asset,
            amount,
        })
        .unwrap();
    }
    b.build().unwrap()
}

/// A holds 10 clean and then 30 stolen ETH; it swaps 20 ETH (through a
/// router) for 1,000 TOK from a pool, then sends 600 TOK to an exchange.
fn eth_for_token() -> Ledger {
    use TransferKind::*;
    ledger(&[
        (1, 100, Native, CLEAN, A, Asset::Native, 10, 0),
        (2, 200, Native, THIEF, A, Asset::Native, 30, 0),
        (3, 300, Native, A, ROUTER, Asset::Native, 20, 0),
        (3, 300, Internal, ROUTER, POOL, Asset::Native, 20, 0),
        (3, 300, Token, POOL, A, tok(), 1000, 0),
        (4, 400, Token, A, EXCHANGE, tok(), 600, 0),
    ])
}

fn config(model: Model) -> TraceConfig {
    let mut exits = BTreeMap::new();
    exits.insert(
        addr(EXCHANGE),
        ExitInfo {
            label: "Exchange".into(),
            category: "exchange".into(),
        },
    );
    TraceConfig::new(
        model,
        vec![Seed::parse("x", &format!("tx:0x{}", "02".repeat(32))).unwrap()],
    )
    .unwrap()
    .with_exits(exits)
    .with_swaps(true)
}

#[test]
fn eth_for_token_every_model() {
    let l = eth_for_token();
    let eth = l.asset_by_name("ETH").unwrap();
    let tok = l.asset_by_name(&addr(0xee).to_string()).unwrap();
    let a = l.address_id(&addr(A)).unwrap();
    // (model, ETH taint A sends to the swap, TOK taint A receives, TOK exited)
    // haircut: floor(20·30/40) = 15 → floor(1000·15/20) = 750 → floor(600·750/1000) = 450
    // fifo: lots [10 clean, 30 stolen]: 10 stolen leave → 500 → 500 of the first 600 … the
    //   TOK purse is one lot of 500 stolen then 500 clean: 500 exit
    // lifo: 20 stolen → 1000 → 600
    // taint-first: 20 stolen → 1000 → 600
    // clean-first: 10 clean then 10 stolen → 500 → clean first: 100 exit
    for (model, out, inn, exited) in [
        (Model::Haircut, 15, 750, 450),
        (Model::Fifo, 10, 500, 500),
        (Model::Lifo, 20, 1000, 600),
        (Model::TaintFirst, 20, 1000, 600),
        (Model::CleanFirst, 10, 500, 100),
        (Model::Poison, 20, 1000, 600),
    ] {
        let r = trace(&l, &config(model));
        let te = r.totals_of(eth);
        let tt = r.totals_of(tok);
        assert_eq!(te.stolen, 30, "{model}");
        assert_eq!(te.swapped_out, out, "{model}");
        assert_eq!(tt.swapped_in, inn, "{model}");
        assert_eq!(tt.exited, exited, "{model}");
        assert_eq!(r.conversions.len(), 1, "{model}");
        let c = &r.conversions[0];
        assert_eq!(c.kind, ConversionKind::Swap);
        assert_eq!(c.address, Some(a));
        assert_eq!(
            (c.from_asset, c.from_amount, c.from_tainted),
            (eth, 20, out)
        );
        assert_eq!((c.to_asset, c.to_amount, c.to_tainted), (tok, 1000, inn));
        if model.conserves_value() {
            for t in [te, tt] {
                assert_eq!(t.entered(), t.accounted(), "{model} {t:?}");
            }
            assert_eq!(r.held_by(a, tok), inn - exited, "{model}");
            assert_eq!(r.held_by(a, eth), 30 - out, "{model}");
        }
        // The router received the ETH clean.
        let router = l.address_id(&addr(ROUTER)).unwrap();
        assert_eq!(r.held_by(router, eth), 0, "{model}");
    }
    // Without swaps the token is never tainted.
    let r = trace(&l, &config(Model::Haircut).with_swaps(false));
    assert_eq!(r.totals_of(tok), Default::default());
    assert!(r.conversions.is_empty());
}

/// B holds 100 stolen TOK and swaps them for 5 ETH; the ETH arrives by an
/// internal transfer, which comes before the token log in event order.
#[test]
fn token_for_eth_with_the_ether_first() {
    use TransferKind::*;
    let l = ledger(&[
        (2, 200, Token, THIEF, A, tok(), 100, 0),
        (3, 300, Native, A, ROUTER, Asset::Native, 0, 0),
        (3, 300, Internal, POOL, A, Asset::Native, 5, 0),
        (3, 300, Token, A, POOL, tok(), 100, 1),
        (1, 100, Native, CLEAN, POOL, Asset::Native, 50, 0),
    ]);
    let eth = l.asset_by_name("ETH").unwrap();
    let a = l.address_id(&addr(A)).unwrap();
    for model in Model::ACCOUNT {
        let r = trace(&l, &config(model));
        assert_eq!(r.totals_of(eth).swapped_in, 5, "{model}");
        assert_eq!(r.held_by(a, eth), 5, "{model}");
        // The flows stay in event order.
        assert!(r.flows.windows(2).all(|w| w[0].transfer < w[1].transfer));
    }
}

/// Sending and receiving the same asset, or two assets out, is no swap.
#[test]
fn not_swaps() {
    use TransferKind::*;
    let l = ledger(&[
        (2, 200, Native, THIEF, A, Asset::Native, 30, 0),
        // A sends ETH and gets ETH back: no swap.
        (3, 300, Native, A, ROUTER, Asset::Native, 20, 0),
        (3, 300, Internal, ROUTER, A, Asset::Native, 5, 0),
        // A sends ETH and TOK and receives nothing else: no swap.
        (4, 400, Native, A, POOL, Asset::Native, 5, 0),
        (4, 400, Token, A, POOL, tok(), 1, 0),
    ]);
    let r = trace(&l, &config(Model::Fifo));
    assert!(r.conversions.is_empty());
}

#[test]
fn the_swap_transfer_is_a_flow() {
    let l = eth_for_token();
    let r = trace(&l, &config(Model::Haircut));
    // Transfers: 0 clean→A, 1 thief→A, 2 A→router, 3 router→pool, 4 pool→A, 5 A→exchange.
    let tainted: Vec<(usize, u128)> = r
        .flows
        .iter()
        .map(|f| (f.transfer.index(), f.tainted))
        .collect();
    assert_eq!(tainted, vec![(1, 30), (2, 15), (4, 750), (5, 450)]);
}

mod props {
    use super::*;
    use proptest::prelude::*;

    fn random_ledger(rows: &[(u8, u8, u8, bool, u128)]) -> Ledger {
        let mut b = LedgerBuilder::new();
        let eth = b.chain("ethereum", "ETH");
        for (k, &(tx, f, t, token, amount)) in rows.iter().enumerate() {
            b.push(TransferRecord {
                chain: eth,
                tx_hash: [tx + 1; 32],
                block: u64::from(tx),
                time: 100 + u64::from(tx),
                tx_position: 0,
                kind: if token {
                    TransferKind::Token
                } else {
                    TransferKind::Internal
                },
                sub_index: k as u32,
                from: addr(f + 1),
                to: addr(t + 1),
                asset: if token { tok() } else { Asset::Native },
                amount,
            })
            .unwrap();
        }
        b.build().unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// With swaps, every model but poison conserves value per asset:
        /// stolen + swapped_in = held + exited + fees + dust + creations + swapped_out.
        #[test]
        fn swaps_conserve_value(
            rows in prop::collection::vec((0u8..8, 0u8..5, 0u8..5, any::<bool>(), 0u128..100), 1..40),
        ) {
            let l = random_ledger(&rows);
            let seeds = vec![Seed::parse("x", &addr(1).to_string()).unwrap()];
            for model in Model::ACCOUNT {
                let c = TraceConfig::new(model, seeds.clone()).unwrap().with_swaps(true);
                let r = trace(&l, &c);
                if model.conserves_value() {
                    for (asset, t) in &r.totals {
                        prop_assert_eq!(t.entered(), t.accounted(), "{} {:?} {:?}", model, asset, t);
                    }
                }
                for conv in &r.conversions {
                    prop_assert!(conv.to_tainted <= conv.to_amount);
                }
            }
        }

        /// With swaps, poison still covers every model: a purse holding
        /// taint under any model holds at least as much under poison.
        #[test]
        fn poison_covers_every_model_with_swaps(
            rows in prop::collection::vec((0u8..8, 0u8..5, 0u8..5, any::<bool>(), 0u128..100), 1..40),
        ) {
            let l = random_ledger(&rows);
            let seeds = vec![Seed::parse("x", &addr(1).to_string()).unwrap()];
            let cfg = |m| TraceConfig::new(m, seeds.clone()).unwrap().with_swaps(true);
            let poison = trace(&l, &cfg(Model::Poison));
            for model in Model::ACCOUNT {
                let r = trace(&l, &cfg(model));
                for h in &r.holders {
                    prop_assert!(
                        poison.held_by(h.address, h.asset) >= h.amount,
                        "{} {:?}", model, h
                    );
                }
            }
        }

        /// Arbitrary conversions between arbitrary transactions (as mixer
        /// links and bridges would give) conserve value too, never panic,
        /// and do not depend on the order they are given in.
        #[test]
        fn arbitrary_conversions_conserve_value(
            rows in prop::collection::vec((0u8..8, 0u8..5, 0u8..5, any::<bool>(), 0u128..100), 1..40),
            pairs in prop::collection::vec((0u8..9, 0u8..9, any::<bool>(), 0u8..100), 0..6),
            swaps in any::<bool>(),
        ) {
            use fundtrace::trace::{Conversion, Leg};
            let l = random_ledger(&rows);
            let carries: Vec<Conversion> = pairs
                .iter()
                .map(|&(s, t, bridge, conf)| Conversion {
                    kind: if bridge { ConversionKind::Bridge } else { ConversionKind::MixerLink },
                    source: Leg { tx: [s + 1; 32], from: None, to: None },
                    target: Leg { tx: [t + 1; 32], from: None, to: None },
                    heuristic: "test".into(),
                    confidence: conf,
                })
                .collect();
            let mut reversed = carries.clone();
            reversed.reverse();
            let seeds = vec![Seed::parse("x", &addr(1).to_string()).unwrap()];
            for model in Model::ACCOUNT {
                let base = TraceConfig::new(model, seeds.clone()).unwrap().with_swaps(swaps);
                let r = trace(&l, &base.clone().with_conversions(carries.clone()));
                prop_assert_eq!(&r, &trace(&l, &base.with_conversions(reversed.clone())));
                if model.conserves_value() {
                    for (asset, t) in &r.totals {
                        prop_assert_eq!(t.entered(), t.accounted(), "{} {:?} {:?}", model, asset, t);
                    }
                }
            }
        }
    }
}

/// A mixer link whose withdrawal comes before its deposit, or whose
/// transactions are not in the ledger, is left out with a warning.
#[test]
fn impossible_conversions_are_warned_about() {
    use fundtrace::trace::{Conversion, Leg};
    let l = eth_for_token();
    let carry = |s: u8, t: u8| Conversion {
        kind: ConversionKind::MixerLink,
        source: Leg {
            tx: [s; 32],
            from: None,
            to: None,
        },
        target: Leg {
            tx: [t; 32],
            from: None,
            to: None,
        },
        heuristic: "timing".into(),
        confidence: 20,
    };
    let r = trace(
        &l,
        &config(Model::Fifo)
            .with_swaps(false)
            .with_conversions(vec![carry(4, 2), carry(9, 4)]),
    );
    assert!(r.conversions.is_empty());
    let mine: Vec<&String> = r
        .warnings
        .iter()
        .filter(|w| w.starts_with("mixer_link"))
        .collect();
    assert_eq!(mine.len(), 2, "{:?}", r.warnings);
    assert!(r.warnings.iter().any(|w| w.contains("before the source")));
    assert!(r.warnings.iter().any(|w| w.contains("not in the ledger")));
}

/// Hop counts cross a swap unchanged: the stolen ETH arrives at A with no
/// hop (A receives it in the theft transaction), the swap's TOK reaches A
/// as one hop, so with at most one hop the TOK stays with A instead of
/// reaching the exchange; with two it exits as without a limit. A dust
/// threshold above the converted amount hands it over as clean dust.
#[test]
fn hop_limit_and_dust_across_a_swap() {
    let l = eth_for_token();
    let tok = l.asset_by_name(&addr(0xee).to_string()).unwrap();
    let a = l.address_id(&addr(A)).unwrap();
    let r = trace(&l, &config(Model::Haircut).with_max_hops(Some(1)));
    assert_eq!(r.totals_of(tok).exited, 0);
    assert_eq!(r.held_by(a, tok), 750);
    let r = trace(&l, &config(Model::Haircut).with_max_hops(Some(2)));
    assert_eq!(r.totals_of(tok).exited, 450);
    let r = trace(&l, &config(Model::Haircut).with_dust(751));
    let t = r.totals_of(tok);
    assert_eq!((t.swapped_in, t.dust, t.held), (750, 750, 0));
    assert_eq!(t.entered(), t.accounted());
}
