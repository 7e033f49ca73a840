//! Demixing heuristics on constructed deposits and withdrawals: for each,
//! a case that must link and a case that must not.

use fundtrace::heuristics::mixer::{
    link, DepositTx, Hash32, Heuristic, Link, LinkConfig, LinkedAddresses, WithdrawalTx,
};
use fundtrace::Address;

const GWEI: u128 = 1_000_000_000;

fn a(n: u8) -> Address {
    Address::Evm([n; 20])
}

fn pool(n: u8) -> Address {
    Address::Evm([0xf0 + n; 20])
}

fn h(n: u8) -> Hash32 {
    Hash32([n; 32])
}

fn dep(tx: u8, depositor: u8, time: u64, gas: Option<u128>, p: u8) -> DepositTx {
    DepositTx {
        tx: h(tx),
        depositor: a(depositor),
        time,
        gas_price: gas,
        pool: pool(p),
        denomination: None,
    }
}

fn wd(
    tx: u8,
    recipient: u8,
    relayer: Option<u8>,
    time: u64,
    gas: Option<u128>,
    p: u8,
) -> WithdrawalTx {
    WithdrawalTx {
        tx: h(tx),
        recipient: a(recipient),
        relayer: relayer.map(a),
        time,
        gas_price: gas,
        pool: pool(p),
        denomination: None,
    }
}

fn run(d: &[DepositTx], w: &[WithdrawalTx], linked: &LinkedAddresses) -> Vec<Link> {
    link(d, w, linked, &LinkConfig::default())
}

fn pairs(links: &[Link], heuristic: Heuristic) -> Vec<(u8, u8)> {
    links
        .iter()
        .filter(|l| l.heuristic == heuristic)
        .map(|l| (l.deposit_tx.0[0], l.withdrawal_tx.0[0]))
        .collect()
}

/// Busy background: three deposits and withdrawals by unrelated addresses,
/// spread out so that timing does not fire.
fn background() -> (Vec<DepositTx>, Vec<WithdrawalTx>) {
    (
        vec![
            dep(1, 11, 0, Some(20 * GWEI), 0),
            dep(2, 12, 100, Some(20 * GWEI), 0),
            dep(3, 13, 200, None, 0),
        ],
        vec![
            wd(101, 21, Some(99), 50_000, Some(30 * GWEI), 0),
            wd(102, 22, Some(99), 60_000, None, 0),
        ],
    )
}

#[test]
fn address_match() {
    let (mut d, mut w) = background();
    d.push(dep(10, 40, 1_000, None, 0));
    w.push(wd(110, 40, Some(99), 90_000, None, 0));
    // Must not: the same address withdraws *before* depositing.
    w.push(wd(111, 41, Some(99), 500, None, 0));
    d.push(dep(11, 41, 2_000, None, 0));
    let links = run(&d, &w, &LinkedAddresses::new());
    assert_eq!(pairs(&links, Heuristic::AddressMatch), vec![(10, 110)]);
    let l = links
        .iter()
        .find(|l| l.heuristic == Heuristic::AddressMatch)
        .unwrap();
    assert_eq!(l.confidence.level(), 90);
}

#[test]
fn address_match_needs_the_same_pool() {
    let d = vec![dep(10, 40, 1_000, None, 0)];
    let w = vec![wd(110, 40, Some(99), 90_000, None, 1)];
    assert!(pairs(
        &run(&d, &w, &LinkedAddresses::new()),
        Heuristic::AddressMatch
    )
    .is_empty());
}

#[test]
fn unique_gas_price() {
    let (mut d, mut w) = background();
    let odd = 31_415_926_535; // 31.415926535 gwei
    d.push(dep(10, 40, 1_000, Some(odd), 0));
    w.push(wd(110, 50, None, 90_000, Some(odd), 0));
    let links = run(&d, &w, &LinkedAddresses::new());
    assert_eq!(pairs(&links, Heuristic::UniqueGasPrice), vec![(10, 110)]);

    // Must not: a round price (wallet default), a price shared by two
    // deposits, or a withdrawal sent by a relayer.
    let (mut d, mut w) = background();
    d.push(dep(10, 40, 1_000, Some(20 * GWEI), 0));
    w.push(wd(110, 50, None, 90_000, Some(20 * GWEI), 0));
    d.push(dep(11, 41, 1_100, Some(odd), 0));
    d.push(dep(12, 42, 1_200, Some(odd), 0));
    w.push(wd(111, 51, None, 91_000, Some(odd), 0));
    let odd2 = 27_182_818_284;
    d.push(dep(13, 43, 1_300, Some(odd2), 0));
    w.push(wd(112, 52, Some(99), 92_000, Some(odd2), 0));
    assert!(pairs(
        &run(&d, &w, &LinkedAddresses::new()),
        Heuristic::UniqueGasPrice
    )
    .is_empty());
}

#[test]
fn linked_addresses() {
    let (mut d, mut w) = background();
    d.push(dep(10, 40, 1_000, None, 0));
    w.push(wd(110, 50, Some(99), 90_000, None, 0));
    w.push(wd(111, 51, Some(99), 95_000, None, 0));
    let mut linked = LinkedAddresses::new();
    linked.add(a(50), a(40)); // order does not matter
    let links = run(&d, &w, &linked);
    // 51 is not linked to anyone: no link for withdrawal 111.
    assert_eq!(pairs(&links, Heuristic::LinkedAddresses), vec![(10, 110)]);
    assert!(pairs(
        &run(&d, &w, &LinkedAddresses::new()),
        Heuristic::LinkedAddresses
    )
    .is_empty());
    // A recipient linked to two depositors is linked to neither.
    d.push(dep(12, 42, 1_500, None, 0));
    linked.add(a(50), a(42));
    assert!(pairs(&run(&d, &w, &linked), Heuristic::LinkedAddresses).is_empty());
}

#[test]
fn multi_denomination() {
    // Depositor 40 puts 2 × pool 1 and 1 × pool 2 in; recipient 50 takes
    // exactly 2 × pool 1 and 1 × pool 2 out a few hours later.
    let (mut d, mut w) = background();
    d.extend([
        dep(10, 40, 1_000, None, 1),
        dep(11, 40, 1_100, None, 1),
        dep(12, 40, 1_200, None, 2),
    ]);
    w.extend([
        wd(110, 50, Some(99), 20_000, None, 1),
        wd(111, 50, Some(99), 21_000, None, 2),
        wd(112, 50, Some(99), 22_000, None, 1),
    ]);
    // Another recipient with a different combination (1 × pool 1 only).
    w.push(wd(113, 51, Some(99), 23_000, None, 1));
    let links = run(&d, &w, &LinkedAddresses::new());
    assert_eq!(
        pairs(&links, Heuristic::MultiDenomination),
        vec![(10, 110), (12, 111), (11, 112)]
    );
    assert!(links
        .iter()
        .filter(|l| l.heuristic == Heuristic::MultiDenomination)
        .all(|l| l.confidence.level() == 50));

    // Must not: two recipients take the same combination (ambiguous).
    w.extend([
        wd(114, 52, Some(99), 24_000, None, 1),
        wd(115, 52, Some(99), 25_000, None, 1),
        wd(116, 52, Some(99), 26_000, None, 2),
    ]);
    assert!(pairs(
        &run(&d, &w, &LinkedAddresses::new()),
        Heuristic::MultiDenomination
    )
    .is_empty());
}

#[test]
fn timing() {
    // Quiet pool 3: one deposit, then a withdrawal 10 minutes later.
    let d = vec![
        dep(10, 40, 1_000, None, 3),
        dep(11, 41, 100_000, None, 3),
        dep(12, 42, 100_300, None, 3),
    ];
    let w = vec![
        wd(110, 50, Some(99), 1_600, None, 3),
        // Must not: two deposits within the hour before it.
        wd(111, 51, Some(99), 100_600, None, 3),
        // Must not: more than an hour after the only earlier deposit.
        wd(112, 52, Some(99), 200_000, None, 3),
    ];
    let links = run(&d, &w, &LinkedAddresses::new());
    assert_eq!(pairs(&links, Heuristic::Timing), vec![(10, 110)]);
    assert_eq!(
        links
            .iter()
            .find(|l| l.heuristic == Heuristic::Timing)
            .unwrap()
            .confidence
            .level(),
        20
    );

    // Must not: another withdrawal of the pool between the deposit and this one.
    let w = vec![
        wd(110, 50, Some(99), 1_600, None, 3),
        wd(113, 53, Some(99), 1_300, None, 3),
    ];
    let links = run(&d[..1], &w, &LinkedAddresses::new());
    assert_eq!(pairs(&links, Heuristic::Timing), vec![(10, 113)]);
}

#[test]
fn links_do_not_depend_on_input_order() {
    let (mut d, mut w) = background();
    d.extend([
        dep(10, 40, 1_000, Some(31_415_926_535), 0),
        dep(11, 41, 1_100, None, 1),
        dep(12, 41, 1_200, None, 2),
    ]);
    w.extend([
        wd(110, 40, None, 90_000, Some(31_415_926_535), 0),
        wd(111, 51, Some(99), 20_000, None, 1),
        wd(112, 51, Some(99), 21_000, None, 2),
    ]);
    let forward = run(&d, &w, &LinkedAddresses::new());
    d.reverse();
    w.reverse();
    let backward = run(&d, &w, &LinkedAddresses::new());
    assert_eq!(forward, backward);
    assert_eq!(
        serde_json::to_string(&forward).unwrap(),
        serde_json::to_string(&backward).unwrap()
    );
    assert!(serde_json::to_string(&forward)
        .unwrap()
        .contains("\"heuristic\":\"unique_gas_price\""));
}

/// Pool-sized inputs (30,000 deposits and withdrawals over four pools) are
/// linked in near-linear time.
#[test]
fn scales_to_pool_sized_inputs() {
    let n = 30_000u32;
    let addr = |i: u32| {
        let mut b = [0u8; 20];
        b[..4].copy_from_slice(&i.to_be_bytes());
        Address::Evm(b)
    };
    let hash = |i: u32, tag: u8| {
        let mut b = [tag; 32];
        b[..4].copy_from_slice(&i.to_be_bytes());
        Hash32(b)
    };
    let deposits: Vec<DepositTx> = (0..n)
        .map(|i| DepositTx {
            tx: hash(i, 1),
            depositor: addr(i % 7_000),
            time: u64::from(i) * 600,
            gas_price: Some(u128::from(i % 50) * GWEI + u128::from(i % 3)),
            pool: pool((i % 4) as u8),
            denomination: None,
        })
        .collect();
    let withdrawals: Vec<WithdrawalTx> = (0..n)
        .map(|i| WithdrawalTx {
            tx: hash(i, 2),
            recipient: addr(5_000 + i % 9_000),
            relayer: if i % 2 == 0 { Some(a(99)) } else { None },
            time: u64::from(i) * 600 + 7_200,
            gas_price: Some(u128::from(i % 40) * GWEI + u128::from(i % 5)),
            pool: pool((i % 4) as u8),
            denomination: None,
        })
        .collect();
    let start = std::time::Instant::now();
    let links = run(&deposits, &withdrawals, &LinkedAddresses::new());
    let took = start.elapsed();
    eprintln!(
        "{} links from {n} deposits and {n} withdrawals in {took:?}",
        links.len()
    );
    assert!(took.as_secs() < 30, "{took:?}");
}
