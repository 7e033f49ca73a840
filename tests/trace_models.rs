//! Every model pinned on small worked examples, computed by hand.

use std::collections::BTreeMap;

use fundtrace::trace::{trace, ExitInfo, Model, Seed, TraceConfig, TraceResult};
use fundtrace::{
    Address, Amount, Asset, Ledger, LedgerBuilder, Sink, TransferId, TransferKind, TransferRecord,
};

fn addr(n: u8) -> Address {
    Address::Evm([n; 20])
}

/// One transfer per transaction, each in its own block `i` at time `1000 + i`.
fn rec(i: u32, from: Address, to: Address, amount: Amount) -> TransferRecord {
    let mut hash = [0u8; 32];
    hash[..4].copy_from_slice(&i.to_be_bytes());
    TransferRecord {
        chain: fundtrace::ChainId(0),
        tx_hash: hash,
        block: u64::from(i),
        time: 1000 + u64::from(i),
        tx_position: 0,
        kind: TransferKind::Native,
        sub_index: 0,
        from,
        to,
        asset: Asset::Native,
        amount,
    }
}

fn ledger(moves: &[(u8, u8, Amount)]) -> Ledger {
    let mut b = LedgerBuilder::new();
    b.chain("ethereum", "ETH");
    for (i, &(f, t, v)) in moves.iter().enumerate() {
        b.push(rec(i as u32 + 1, addr(f), addr(t), v)).unwrap();
    }
    b.build().unwrap()
}

fn seed(incident: &str, n: u8) -> Seed {
    Seed::parse(incident, &addr(n).to_string()).unwrap()
}

fn run(l: &Ledger, model: Model, seeds: Vec<Seed>) -> TraceResult {
    let r = trace(l, &TraceConfig::new(model, seeds).unwrap());
    check_conservation(&r);
    r
}

fn check_conservation(r: &TraceResult) {
    if r.model.conserves_value() {
        for (asset, t) in &r.totals {
            assert_eq!(
                t.stolen,
                t.accounted(),
                "{} asset {asset:?}: {t:?}",
                r.model
            );
        }
    }
}

fn held(l: &Ledger, r: &TraceResult, n: u8) -> Amount {
    r.held_by(l.address_id(&addr(n)).unwrap(), fundtrace::AssetId(0))
}

/// Transfer `k` (1-based, in push order: every example has one per block).
fn part(r: &TraceResult, k: u32) -> Amount {
    r.tainted_part(TransferId(k - 1))
}

// Addresses: 1 thief (seed), 2 clean source, 3 the purse, 4 and 5 receivers.
// The purse receives clean 1, tainted 5, clean 4 (balance 10: 5 tainted and
// 5 clean), then sends 5 to 4 and 5 to 5.
const FIVE_AND_FIVE: [(u8, u8, Amount); 5] =
    [(2, 3, 1), (1, 3, 5), (2, 3, 4), (3, 4, 5), (3, 5, 5)];

#[test]
fn five_tainted_five_clean_sent_as_five_then_five() {
    let l = ledger(&FIVE_AND_FIVE);
    // (first transfer's taint, second transfer's taint), by hand:
    let expected = [
        // FIFO: c1 + t4, then t1 + c4.
        (Model::Fifo, 4, 1),
        // LIFO: c4 + t1, then t4 + c1.
        (Model::Lifo, 1, 4),
        // Haircut: floor(5·5/10) = 2, then floor(5·3/5) = 3.
        (Model::Haircut, 2, 3),
        // Taint-first: t5, then c5.
        (Model::TaintFirst, 5, 0),
        // Clean-first: c5, then t5.
        (Model::CleanFirst, 0, 5),
        // Poison: everything out of a tainted purse is tainted in full.
        (Model::Poison, 5, 5),
    ];
    for (model, first, second) in expected {
        let r = run(&l, model, vec![seed("x", 1)]);
        assert_eq!((part(&r, 4), part(&r, 5)), (first, second), "{model}");
        assert_eq!(held(&l, &r, 4), first, "{model}");
        assert_eq!(held(&l, &r, 5), second, "{model}");
        assert_eq!(held(&l, &r, 3), 0, "{model}");
        let t = r.totals_of(fundtrace::AssetId(0));
        // The thief's 5 came from nowhere: a history gap at a seed.
        assert_eq!((t.stolen, t.gaps), (5, 5), "{model}");
        // Flows: the theft, and the purse's sends that carried taint.
        let flows: Vec<u32> = r.flows.iter().map(|f| f.transfer.0 + 1).collect();
        let mut want = vec![2];
        if first > 0 {
            want.push(4);
        }
        if second > 0 {
            want.push(5);
        }
        assert_eq!(flows, want, "{model}");
    }
}

#[test]
fn history_gap_at_seed_is_stolen_elsewhere_clean_and_taken_last() {
    // 2 gives the seed 1 four clean before its start (time 1002); the seed
    // then sends 10 to 3 (6 from nowhere: stolen). 3 sends 12 to 4 (2 from
    // nowhere: clean, taken after its lots).
    let l = ledger(&[(2, 1, 4), (1, 3, 10), (3, 4, 12)]);
    let s = Seed::parse("x", &format!("{}@1002", addr(1))).unwrap();
    for model in Model::ACCOUNT {
        let r = run(&l, model, vec![s.clone()]);
        let t = r.totals_of(fundtrace::AssetId(0));
        assert_eq!((t.stolen, t.gaps), (6, 6), "{model}");
        let gaps: Vec<(Address, Amount, bool, u32)> = r
            .gaps
            .iter()
            .map(|g| (l.address(g.address).clone(), g.amount, g.stolen, g.first.0))
            .collect();
        assert_eq!(
            gaps,
            vec![(addr(1), 6, true, 1), (addr(3), 2, false, 2)],
            "{model}"
        );
        let (to3, to4) = match model {
            // Deficit last: 4 clean then 6 stolen; then all of 3's lots.
            Model::Poison => (10, 12),
            Model::Haircut => (6, 6),
            _ => (6, 6),
        };
        assert_eq!((part(&r, 2), part(&r, 3)), (to3, to4), "{model}");
    }
    // FIFO in detail: 3 sends its 4 clean, 6 tainted, then 2 of unknown
    // origin: 4 holds 6 tainted.
    let r = run(&l, Model::Fifo, vec![s]);
    assert_eq!(held(&l, &r, 4), 6);
}

#[test]
fn clean_first_later_deposits_do_not_replenish_taint() {
    // 3 receives 10 tainted, sends 8 (2 tainted left), receives 10 clean,
    // sends 11: the 10 clean leave first, then 1 tainted.
    let l = ledger(&[(1, 3, 10), (3, 4, 8), (2, 3, 10), (3, 5, 11)]);
    let r = run(&l, Model::CleanFirst, vec![seed("x", 1)]);
    assert_eq!(part(&r, 2), 8);
    assert_eq!(part(&r, 4), 1);
    assert_eq!(held(&l, &r, 3), 1);
    assert_eq!(held(&l, &r, 4), 8);
    assert_eq!(held(&l, &r, 5), 1);
    // Taint-first for contrast: the 2 left leave first.
    let r = run(&l, Model::TaintFirst, vec![seed("x", 1)]);
    assert_eq!(part(&r, 4), 2);
    assert_eq!(held(&l, &r, 3), 0);
}

#[test]
fn exits_absorb_taint_and_the_exit_purse_holds_it_clean() {
    // 3 holds 6 tainted + 4 clean, sends 5 to the exit 9, which sends 5 on.
    let l = ledger(&[(2, 3, 4), (1, 3, 6), (3, 9, 5), (9, 4, 5)]);
    let mut exits = BTreeMap::new();
    exits.insert(
        addr(9),
        ExitInfo {
            label: "Exchange".into(),
            category: "exchange".into(),
        },
    );
    for (model, exited) in [
        (Model::Fifo, 1),
        (Model::Lifo, 5),
        (Model::Haircut, 3),
        (Model::TaintFirst, 5),
        (Model::CleanFirst, 1),
        (Model::Poison, 5),
    ] {
        let config = TraceConfig::new(model, vec![seed("x", 1)])
            .unwrap()
            .with_exits(exits.clone());
        let r = trace(&l, &config);
        check_conservation(&r);
        assert_eq!(
            r.exited_to(l.address_id(&addr(9)).unwrap(), fundtrace::AssetId(0)),
            exited
        );
        assert_eq!(r.exits.len(), 1);
        assert_eq!(r.exits[0].info.label, "Exchange");
        assert_eq!(part(&r, 4), 0, "{model}: the exit sends clean value");
        assert_eq!(held(&l, &r, 9), 0);
        assert_eq!(r.totals_of(fundtrace::AssetId(0)).exited, exited);
    }
}

#[test]
fn dust_is_handed_over_clean_and_counted() {
    let l = ledger(&FIVE_AND_FIVE);
    let config = TraceConfig::new(Model::Haircut, vec![seed("x", 1)])
        .unwrap()
        .with_dust(3);
    let r = trace(&l, &config);
    check_conservation(&r);
    // The first send's 2 is below 3: dust. The purse keeps 3, which go next.
    let t = r.totals_of(fundtrace::AssetId(0));
    assert_eq!((t.dust, t.held), (2, 3));
    assert_eq!(held(&l, &r, 4), 0);
    assert_eq!(held(&l, &r, 5), 3);
}

#[test]
fn max_hops_keeps_taint_with_its_holder() {
    // 1 (seed) → 3 → 4 → 5, all 7.
    let l = ledger(&[(1, 3, 7), (3, 4, 7), (4, 5, 7)]);
    for model in Model::ACCOUNT {
        let config = TraceConfig::new(model, vec![seed("x", 1)])
            .unwrap()
            .with_max_hops(Some(2));
        let r = trace(&l, &config);
        check_conservation(&r);
        assert_eq!(part(&r, 2), 7, "{model}");
        if model == Model::Poison {
            // Exposure: 4 stays poisoned; its (empty) balance is all it holds.
            assert_eq!(held(&l, &r, 5), 0);
            continue;
        }
        // Taint crossed 1→3 and 3→4; it would cross a third hop: it stays
        // with 4 (held there) and 5 receives clean value.
        assert_eq!(held(&l, &r, 4), 7, "{model}");
        assert_eq!(held(&l, &r, 5), 0, "{model}");
    }
}

#[test]
fn self_transfers_zero_amounts_and_fees() {
    let mut b = LedgerBuilder::new();
    b.chain("ethereum", "ETH");
    b.push(rec(1, addr(1), addr(3), 10)).unwrap();
    b.push(rec(2, addr(3), addr(3), 10)).unwrap();
    b.push(rec(3, addr(3), addr(4), 0)).unwrap();
    let mut fee = rec(4, addr(3), Address::Sink(Sink::Fees), 1);
    fee.kind = TransferKind::Fee;
    b.push(fee).unwrap();
    let mut creation = rec(5, addr(3), Address::Sink(Sink::Creations), 2);
    creation.kind = TransferKind::Native;
    b.push(creation).unwrap();
    let l = b.build().unwrap();
    for model in Model::ACCOUNT {
        let r = run(&l, model, vec![seed("x", 1)]);
        let t = r.totals_of(fundtrace::AssetId(0));
        assert_eq!((t.stolen, t.fees, t.creations), (10, 1, 2), "{model}");
        assert_eq!(held(&l, &r, 3), 7, "{model}");
        let flows: Vec<u32> = r.flows.iter().map(|f| f.transfer.0).collect();
        // Transfers in event order: theft, self, zero, fee, creation.
        assert_eq!(flows, vec![0, 3, 4], "{model}");
    }
}

#[test]
fn theft_transaction_seeds_what_it_delivers() {
    // 2 (a victim with 10 clean from 5) sends 10 to 1 in the theft tx; 1
    // sends 4 on to 3.
    let l = ledger(&[(5, 2, 10), (2, 1, 10), (1, 3, 4)]);
    let theft_tx = l.tx_hash_hex(l.transfer(TransferId(1)).tx);
    let s = Seed::parse("x", &format!("tx:{theft_tx}")).unwrap();
    for model in Model::ACCOUNT {
        let r = run(&l, model, vec![s.clone()]);
        assert_eq!(r.totals_of(fundtrace::AssetId(0)).stolen, 10, "{model}");
        assert_eq!(part(&r, 1), 0);
        assert_eq!(part(&r, 2), 10);
        assert_eq!(part(&r, 3), 4);
        assert_eq!(held(&l, &r, 1), 6, "{model}");
        assert_eq!(held(&l, &r, 2), 0, "{model}");
    }
}

#[test]
fn value_between_two_seeds_is_not_counted_twice_and_keeps_its_incident() {
    // Seed 1 (incident a) sends 10 to seed 3 (incident b), which also gets
    // 5 clean from 2; 3 sends 15 to 4.
    let l = ledger(&[(1, 3, 10), (2, 3, 5), (3, 4, 15)]);
    for model in Model::ACCOUNT {
        let r = run(&l, model, vec![seed("a", 1), seed("b", 3)]);
        assert_eq!(r.totals_of(fundtrace::AssetId(0)).stolen, 15, "{model}");
        let h = r
            .holders
            .iter()
            .find(|h| h.address == l.address_id(&addr(4)).unwrap())
            .unwrap();
        let by: Vec<(String, Amount)> = h
            .by_incident
            .iter()
            .map(|(i, a)| (r.incidents[usize::from(*i)].clone(), *a))
            .collect();
        if model == Model::Poison {
            assert_eq!(by, vec![("a".into(), 15), ("b".into(), 15)]);
        } else {
            assert_eq!(by, vec![("a".into(), 10), ("b".into(), 5)], "{model}");
        }
    }
}

#[test]
fn until_ignores_later_events_and_unknown_seeds_warn() {
    let l = ledger(&[(1, 3, 10), (3, 4, 10)]);
    let config = TraceConfig::new(Model::Fifo, vec![seed("x", 1), seed("x", 77)])
        .unwrap()
        .with_until(Some(1001));
    let r = trace(&l, &config);
    assert_eq!(held(&l, &r, 3), 10);
    assert!(r.warnings.iter().any(|w| w.contains("not in the ledger")));
    assert!(r.warnings.iter().any(|w| w.contains("time limit")));
    assert!(r.seeds.iter().any(|s| !s.found));
}

#[test]
fn haircut_is_exact_with_huge_amounts() {
    let big = u128::MAX / 4;
    // 3 holds big clean + big/3 tainted, sends big/2 to 4.
    let l = ledger(&[(2, 3, big), (1, 3, big / 3), (3, 4, big / 2)]);
    let r = run(&l, Model::Haircut, vec![seed("x", 1)]);
    let b = big + big / 3;
    let want = fundtrace::amount::mul_div_floor(big / 2, big / 3, b);
    assert_eq!(part(&r, 3), want);
    assert_eq!(held(&l, &r, 3) + held(&l, &r, 4), big / 3);
}

#[test]
fn balances_beyond_2_pow_127_stay_exact() {
    let q = 1u128 << 126;
    // 3 receives 2·2^126 clean and 2^126 stolen (balance 3·2^126), sends it all.
    let l = ledger(&[(2, 3, q), (2, 3, q), (1, 3, q), (3, 4, 3 * q)]);
    for model in Model::ACCOUNT {
        let r = run(&l, model, vec![seed("x", 1)]);
        let want = if model == Model::Poison { 3 * q } else { q };
        assert_eq!(part(&r, 4), want, "{model}");
        assert_eq!(held(&l, &r, 4), want, "{model}");
    }
}
