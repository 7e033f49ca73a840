//! A constructed ledger: stolen ETH goes into two Tornado pools (100 ETH and
//! 10 ETH), comes out through a relayer to a fresh address, and the
//! multi-denomination heuristic links the two legs. Background users make
//! single-denomination deposits and withdrawals that must stay unlinked.

use fundtrace::heuristics::mixer::{
    link, pool_txs_from_ledger, Heuristic, LinkConfig, LinkedAddresses,
};
use fundtrace::labels::{registry, Category};
use fundtrace::ledger::{Asset, LedgerBuilder, TransferKind, TransferRecord};
use fundtrace::Address;

const ETH: u128 = 1_000_000_000_000_000_000;

fn a(n: u8) -> Address {
    Address::Evm([n; 20])
}

#[test]
fn two_denominations_in_and_out_are_linked() {
    let pool100 = registry::tornado_pools()
        .iter()
        .find(|p| p.short_name == "eth100")
        .unwrap();
    let pool10 = registry::tornado_pools()
        .iter()
        .find(|p| p.short_name == "eth10")
        .unwrap();
    let labels = registry::labels();
    assert_eq!(
        labels.category_for_exits(&pool100.address),
        Some(Category::Mixer)
    );

    let thief = a(0x10);
    let fresh = a(0x20);
    let relayer = a(0x30);
    let mut b = LedgerBuilder::new();
    let chain = b.chain("ethereum", "ETH");
    let mut n = 0u8;
    let mut push = |b: &mut LedgerBuilder,
                    time: u64,
                    kind: TransferKind,
                    from: &Address,
                    to: &Address,
                    amount: u128,
                    same_tx: bool| {
        if !same_tx {
            n += 1;
        }
        b.push(TransferRecord {
            chain,
            tx_hash: [n; 32],
            block: time,
            time,
            tx_position: 0,
            kind,
            sub_index: u32::from(kind == TransferKind::Internal),
            from: from.clone(),
            to: to.clone(),
            asset: Asset::Native,
            amount,
        })
        .unwrap();
    };
    let hour = 3_600;
    // Background: users 1..=4 deposit one note each, spread over the day.
    for (i, (pool, amount)) in [
        (&pool100.address, 100),
        (&pool10.address, 10),
        (&pool100.address, 100),
        (&pool10.address, 10),
    ]
    .into_iter()
    .enumerate()
    {
        push(
            &mut b,
            (i as u64) * 2 * hour,
            TransferKind::Native,
            &a(i as u8 + 1),
            pool,
            amount * ETH,
            false,
        );
    }
    // The thief deposits 100 ETH and 10 ETH.
    push(
        &mut b,
        10 * hour,
        TransferKind::Native,
        &thief,
        &pool100.address,
        100 * ETH,
        false,
    );
    push(
        &mut b,
        10 * hour + 60,
        TransferKind::Native,
        &thief,
        &pool10.address,
        10 * ETH,
        false,
    );
    // A relayer withdraws both notes to the fresh address (fee 0.3 / 0.03 ETH).
    push(
        &mut b,
        14 * hour,
        TransferKind::Internal,
        &pool100.address,
        &fresh,
        100 * ETH - 3 * ETH / 10,
        false,
    );
    push(
        &mut b,
        14 * hour,
        TransferKind::Internal,
        &pool100.address,
        &relayer,
        3 * ETH / 10,
        true,
    );
    push(
        &mut b,
        15 * hour,
        TransferKind::Internal,
        &pool10.address,
        &fresh,
        10 * ETH - 3 * ETH / 100,
        false,
    );
    push(
        &mut b,
        15 * hour,
        TransferKind::Internal,
        &pool10.address,
        &relayer,
        3 * ETH / 100,
        true,
    );
    // Background withdrawals, one denomination each, to other fresh addresses.
    push(
        &mut b,
        16 * hour,
        TransferKind::Internal,
        &pool100.address,
        &a(0x41),
        100 * ETH,
        false,
    );
    push(
        &mut b,
        17 * hour,
        TransferKind::Internal,
        &pool10.address,
        &a(0x42),
        10 * ETH,
        false,
    );
    let ledger = b.build().unwrap();
    let eth = ledger.asset_by_name("ETH").unwrap();

    let t100 = pool_txs_from_ledger(
        &ledger,
        &pool100.address,
        eth,
        pool100.denomination_base_units,
    );
    let t10 = pool_txs_from_ledger(
        &ledger,
        &pool10.address,
        eth,
        pool10.denomination_base_units,
    );
    assert_eq!((t100.deposits.len(), t100.withdrawals.len()), (3, 2));
    assert_eq!((t10.deposits.len(), t10.withdrawals.len()), (3, 2));
    let deposits: Vec<_> = t100.deposits.iter().chain(&t10.deposits).cloned().collect();
    let withdrawals: Vec<_> = t100
        .withdrawals
        .iter()
        .chain(&t10.withdrawals)
        .cloned()
        .collect();
    assert!(withdrawals
        .iter()
        .filter(|w| w.recipient == fresh)
        .all(|w| w.relayer.as_ref() == Some(&relayer)));

    let links = link(
        &deposits,
        &withdrawals,
        &LinkedAddresses::new(),
        &LinkConfig::default(),
    );
    let multi: Vec<_> = links
        .iter()
        .filter(|l| l.heuristic == Heuristic::MultiDenomination)
        .collect();
    assert_eq!(multi.len(), 2, "{links:#?}");
    for l in &multi {
        let d = deposits.iter().find(|d| d.tx == l.deposit_tx).unwrap();
        let w = withdrawals
            .iter()
            .find(|w| w.tx == l.withdrawal_tx)
            .unwrap();
        assert_eq!((&d.depositor, &w.recipient), (&thief, &fresh));
        assert_eq!(d.pool, w.pool);
        assert_eq!(l.confidence.level(), 50);
    }
    // Nothing links a background user.
    for l in &links {
        let d = deposits.iter().find(|d| d.tx == l.deposit_tx).unwrap();
        assert!(
            d.depositor == thief || l.heuristic == Heuristic::Timing,
            "{l:?}"
        );
    }
    let report = fundtrace::heuristics::mixer::demix(
        &[],
        &deposits,
        &withdrawals,
        &LinkedAddresses::new(),
        &LinkConfig::default(),
    );
    assert_eq!(report.links, links);
    let json = serde_json::to_string(&report).unwrap();
    assert!(
        json.starts_with("{\"pools\":[],\"links\":[{\"withdrawal_tx\""),
        "{json}"
    );
    eprintln!("{}", serde_json::to_string_pretty(&links).unwrap());
}
