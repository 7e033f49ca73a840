//! Issue 11, Done-when 2: with random pools, mixer links and other
//! conversions, value is conserved to the base unit under every model that
//! conserves value (all but poison), what a link cannot carry is reported
//! as `pooled`, and no link carries more taint than its deposit handed over.
//! With probable mode on, the same holds, and no probable flow carries more
//! than it was offered nor a deposit offer more than it handed over.

use fundtrace::heuristics::mixer::ProbableConfig;
use fundtrace::trace::{
    trace, Conversion, ConversionKind, Leg, Model, ProbablePool, Seed, TraceConfig,
};
use fundtrace::AssetId;
use fundtrace::{Address, Asset, Ledger, LedgerBuilder, TransferKind, TransferRecord};
use proptest::prelude::*;

fn addr(n: u8) -> Address {
    Address::Evm([n; 20])
}

const POOL_A: u8 = 0xa0;
const POOL_B: u8 = 0xb0;
const THIEF: u8 = 1;

fn tok() -> Asset {
    Asset::Token(addr(0xee))
}

/// One transaction of the random ledger.
#[derive(Clone, Debug)]
enum Row {
    /// A user pays a user.
    Pay {
        from: u8,
        to: u8,
        token: bool,
        amount: u128,
    },
    /// A user deposits into a pool (one of its denominations).
    Deposit { user: u8, pool: bool, amount: u128 },
    /// A pool pays a withdrawal, less a relayer fee.
    Withdraw {
        user: u8,
        pool: bool,
        amount: u128,
        fee: u128,
    },
}

fn row() -> impl Strategy<Value = Row> {
    prop_oneof![
        (1u8..6, 1u8..6, any::<bool>(), 0u128..200).prop_map(|(from, to, token, amount)| {
            Row::Pay {
                from,
                to,
                token,
                amount,
            }
        }),
        (
            1u8..6,
            any::<bool>(),
            prop_oneof![Just(10u128), Just(100u128), 1u128..150]
        )
            .prop_map(|(user, pool, amount)| Row::Deposit { user, pool, amount }),
        (
            1u8..6,
            any::<bool>(),
            prop_oneof![Just(10u128), Just(100u128), 1u128..150],
            0u128..5
        )
            .prop_map(|(user, pool, amount, fee)| Row::Withdraw {
                user,
                pool,
                amount,
                fee
            }),
    ]
}

fn ledger(rows: &[Row]) -> Ledger {
    let mut b = LedgerBuilder::new();
    let eth = b.chain("ethereum", "ETH");
    let mut push = |tx: usize, sub: u32, from: u8, to: u8, asset: Asset, amount: u128| {
        let t = u8::try_from(tx + 1).unwrap();
        b.push(TransferRecord {
            chain: eth,
            tx_hash: [t; 32],
            block: tx as u64,
            time: 1_000 + tx as u64,
            tx_position: 0,
            kind: if matches!(asset, Asset::Native) {
                TransferKind::Internal
            } else {
                TransferKind::Token
            },
            sub_index: sub,
            from: addr(from),
            to: addr(to),
            asset,
            amount,
        })
        .unwrap();
    };
    // The theft: the thief receives value first, so there is taint to move.
    push(0, 0, 0x50, THIEF, Asset::Native, 500);
    for (i, r) in rows.iter().enumerate() {
        let tx = i + 1;
        match *r {
            Row::Pay {
                from,
                to,
                token,
                amount,
            } => push(
                tx,
                0,
                from,
                to,
                if token { tok() } else { Asset::Native },
                amount,
            ),
            Row::Deposit { user, pool, amount } => push(
                tx,
                0,
                user,
                if pool { POOL_A } else { POOL_B },
                Asset::Native,
                amount,
            ),
            Row::Withdraw {
                user,
                pool,
                amount,
                fee,
            } => {
                let p = if pool { POOL_A } else { POOL_B };
                let fee = fee.min(amount);
                push(tx, 0, p, user + 10, Asset::Native, amount - fee);
                push(tx, 1, p, 0x60, Asset::Native, fee);
            }
        }
    }
    b.build().unwrap()
}

/// Links from random deposit transactions to random withdrawal
/// transactions (of any amount and pool), and bridges between any two.
fn conversions(rows: &[Row], picks: &[(usize, usize, u8, bool)]) -> Vec<Conversion> {
    let deposits: Vec<(usize, u8)> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| match r {
            Row::Deposit { pool, .. } => Some((i + 1, if *pool { POOL_A } else { POOL_B })),
            _ => None,
        })
        .collect();
    let withdrawals: Vec<(usize, u8)> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| match r {
            Row::Withdraw { pool, .. } => Some((i + 1, if *pool { POOL_A } else { POOL_B })),
            _ => None,
        })
        .collect();
    let hash = |tx: usize| [u8::try_from(tx + 1).unwrap(); 32];
    let mut out = Vec::new();
    for &(d, w, confidence, bridge) in picks {
        if bridge {
            let (s, t) = (d % (rows.len() + 1), w % (rows.len() + 1));
            out.push(Conversion {
                kind: ConversionKind::Bridge,
                source: Leg {
                    tx: hash(s),
                    from: None,
                    to: None,
                },
                target: Leg {
                    tx: hash(t),
                    from: None,
                    to: None,
                },
                heuristic: "test".into(),
                confidence,
            });
            continue;
        }
        if deposits.is_empty() || withdrawals.is_empty() {
            continue;
        }
        let (dt, dp) = deposits[d % deposits.len()];
        let (wt, wp) = withdrawals[w % withdrawals.len()];
        out.push(Conversion {
            kind: ConversionKind::MixerLink,
            source: Leg {
                tx: hash(dt),
                from: None,
                to: Some(addr(dp)),
            },
            target: Leg {
                tx: hash(wt),
                from: Some(addr(wp)),
                to: None,
            },
            heuristic: "address_match".into(),
            confidence,
        });
    }
    out
}

/// Probable pools (pool A and B, denominations 10 and 100) over the
/// random rows: deposits and gross withdrawals of exactly a denomination.
fn probable_pools(l: &Ledger, rows: &[Row], config: ProbableConfig) -> Vec<ProbablePool> {
    let native = l
        .assets()
        .iter()
        .position(|a| a.asset == Asset::Native)
        .map(AssetId::from_usize);
    let Some(native) = native else {
        return Vec::new();
    };
    let hash = |tx: usize| [u8::try_from(tx + 1).unwrap(); 32];
    let mut out = Vec::new();
    for pool in [true, false] {
        for den in [10u128, 100] {
            let mut p = ProbablePool {
                pool: addr(if pool { POOL_A } else { POOL_B }),
                asset: native,
                denomination: den,
                deposits: Vec::new(),
                withdrawals: Vec::new(),
                config,
            };
            for (i, r) in rows.iter().enumerate() {
                match *r {
                    Row::Deposit {
                        pool: q, amount, ..
                    } if q == pool && amount == den => {
                        p.deposits.push(hash(i + 1));
                    }
                    Row::Withdraw {
                        pool: q, amount, ..
                    } if q == pool && amount == den => {
                        p.withdrawals.push(hash(i + 1));
                    }
                    _ => {}
                }
            }
            out.push(p);
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn links_conserve_value_and_never_create_taint(
        rows in prop::collection::vec(row(), 1..40),
        picks in prop::collection::vec((0usize..50, 0usize..50, 0u8..=100, prop::bool::weighted(0.2)), 0..10),
        swaps in any::<bool>(),
        dust in prop_oneof![Just(0u128), 0u128..5],
        hops in prop::option::of(0u32..4),
        probable in prop::option::of((0u64..40, 0u64..20)),
    ) {
        let l = ledger(&rows);
        let carries = conversions(&rows, &picks);
        let spreads = probable
            .map(|(window, half_life)| probable_pools(&l, &rows, ProbableConfig { window, half_life }))
            .unwrap_or_default();
        let seeds = vec![Seed::parse("x", &addr(THIEF).to_string()).unwrap()];
        for model in Model::ACCOUNT {
            let c = TraceConfig::new(model, seeds.clone())
                .unwrap()
                .with_swaps(swaps)
                .with_dust(dust)
                .with_max_hops(hops)
                .with_conversions(carries.clone())
                .with_probable(spreads.clone());
            let r = trace(&l, &c);
            // Probable flows: never more than offered; a deposit offers at
            // most what it handed over (its transfers' amount); none under
            // poison.
            if model == Model::Poison {
                prop_assert!(r.probable.is_empty());
            }
            let mut offered: std::collections::BTreeMap<_, u128> = Default::default();
            for f in &r.probable {
                prop_assert!(f.carried <= f.offered, "{:?}", f);
                prop_assert!(f.weight >= 1 && f.weight <= f.total_weight, "{:?}", f);
                prop_assert!(f.deposit < f.withdrawal, "{:?}", f);
                *offered.entry(f.deposit).or_default() += f.offered;
            }
            for (d, o) in offered {
                prop_assert!(o <= l.transfer(d).amount, "{:?} offered {}", d, o);
            }
            for f in r.conversions.iter().filter(|f| f.kind == ConversionKind::MixerLink) {
                prop_assert_eq!(f.from_asset, f.to_asset);
                if model.conserves_value() {
                    prop_assert!(
                        f.to_tainted <= f.from_tainted,
                        "{} a link created taint: {:?}", model, f
                    );
                }
            }
            if !model.conserves_value() {
                continue;
            }
            for (asset, t) in &r.totals {
                prop_assert_eq!(t.entered(), t.accounted(), "{} {:?} {:?}", model, asset, t);
            }
            // Only mixer links into the native coin (no bridge, no swap):
            // stolen = held + exited + fees + dust + creations + pooled.
            let plain = !swaps && carries.iter().all(|c| c.kind == ConversionKind::MixerLink);
            if plain {
                for (asset, t) in &r.totals {
                    prop_assert!(t.probable <= t.linked_in, "{} {:?} {:?}", model, asset, t);
                    prop_assert_eq!(t.linked_in, t.linked_out, "{} {:?} {:?}", model, asset, t);
                    prop_assert_eq!(
                        t.stolen,
                        t.held + t.exited + t.fees + t.dust + t.creations + t.pooled,
                        "{} {:?} {:?}", model, asset, t
                    );
                }
            }
        }
    }
}

/// A 10 ETH deposit linked to a 100 ETH withdrawal carries the deposit's
/// taint, not ten times it, under every conserving model; a link whose
/// withdrawal is smaller leaves the rest in the pool as `pooled`.
#[test]
fn a_link_never_multiplies_taint() {
    let rows = [
        // Clean value in the pool first, so it could pay a large withdrawal.
        Row::Deposit {
            user: 3,
            pool: true,
            amount: 100,
        },
        Row::Pay {
            from: THIEF,
            to: 2,
            token: false,
            amount: 10,
        },
        Row::Deposit {
            user: 2,
            pool: true,
            amount: 10,
        },
        Row::Withdraw {
            user: 2,
            pool: true,
            amount: 100,
            fee: 0,
        },
        Row::Deposit {
            user: THIEF,
            pool: true,
            amount: 100,
        },
        Row::Withdraw {
            user: 4,
            pool: true,
            amount: 10,
            fee: 1,
        },
    ];
    let l = ledger(&rows);
    let carries = conversions(&rows, &[(1, 0, 90, false), (2, 1, 90, false)]);
    assert_eq!(carries.len(), 2);
    let seeds = vec![Seed::parse("x", &addr(THIEF).to_string()).unwrap()];
    for model in Model::ACCOUNT.into_iter().filter(|m| m.conserves_value()) {
        let c = TraceConfig::new(model, seeds.clone())
            .unwrap()
            .with_conversions(carries.clone());
        let r = trace(&l, &c);
        let links: Vec<_> = r
            .conversions
            .iter()
            .filter(|f| f.kind == ConversionKind::MixerLink)
            .collect();
        assert_eq!(links.len(), 2, "{model}");
        // 10 ETH in, 100 out: carries the 10.
        assert_eq!(
            (links[0].from_tainted, links[0].to_tainted),
            (10, 10),
            "{model}"
        );
        // 100 in, 10 out (9 + a fee of 1): carries 10, 90 stay pooled.
        assert_eq!(
            (links[1].from_tainted, links[1].to_tainted),
            (100, 10),
            "{model}"
        );
        let t = r.totals[0].1;
        assert_eq!(t.pooled, 90, "{model} {t:?}");
        assert_eq!(t.linked_in, 20, "{model} {t:?}");
        assert_eq!(t.linked_out, 20, "{model} {t:?}");
        assert_eq!(
            t.stolen,
            t.held + t.exited + t.fees + t.dust + t.creations + t.pooled,
            "{model} {t:?}"
        );
    }
}
