//! Issue 11, Done-when 3: `demix` on the real 100 ETH pool event files
//! reports deposits, withdrawals and both anonymity-set measures; joined
//! with the shipped Ronin sample it finds the address-match links between
//! the sample's depositors and the pool's withdrawals, each with its
//! transactions, and keeps the withdrawals the sample lacks.
//!
//! The data directory is `../shared/data` from the crate root, or
//! `$FUNDTRACE_SHARED_DATA` when set.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use fundtrace::heuristics::mixer::load_cache;

const POOL: &str = "0xa160cdab225685da1d56aa342ad8841c3b53f291";

fn data_dir() -> String {
    std::env::var("FUNDTRACE_SHARED_DATA")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data").to_string())
}

#[test]
#[ignore = "needs ../shared/data: tornado_cash_events/mainnet_eth_100_2022-06 (5.1 MB)"]
fn demix_joins_the_100_eth_pool_events_with_the_ronin_sample() {
    let dir = format!("{}/tornado_cash_events/mainnet_eth_100_2022-06", data_dir());
    let (d, w) = (
        format!("{dir}/deposits_eth_100.json.zip"),
        format!("{dir}/withdrawals_eth_100.json.zip"),
    );
    let sample = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/data/ronin/transactions.csv"
    );

    // From the event files alone: counts and both anonymity measures.
    let v = common::fundtrace_json(&[
        "demix",
        "--pool-events",
        &d,
        "--pool-events",
        &w,
        "--pool",
        POOL,
        "--json",
    ]);
    let p = &v["pools"][0];
    assert_eq!(p["deposits"], 27_544);
    assert_eq!(p["withdrawals"], 25_608);
    assert_eq!(p["anonymity_set"]["median"], 14_593);
    let unspent = &p["unspent_notes"];
    assert!(
        unspent["count"] == 25_608 && unspent["max"].as_u64().unwrap() > 0,
        "{unspent}"
    );
    assert!(unspent["median"].as_u64() < p["anonymity_set"]["median"].as_u64());

    // Joined with the Ronin sample.
    let v = common::fundtrace_json(&[
        "demix",
        "--pool-events",
        &d,
        "--pool-events",
        &w,
        "--pool",
        POOL,
        "--transactions",
        sample,
        "--json",
        "-q",
    ]);
    let p = &v["pools"][0];
    assert_eq!(p["deposits"], 27_544);
    assert_eq!(p["withdrawals"], 25_608);
    assert_eq!(
        p["withdrawals_outside_ledger"], 25_608,
        "every withdrawal is kept though the sample lacks its transaction"
    );

    // The expected links, computed here from the raw files: a deposit
    // transaction of the sample (its sender the depositor) and a withdrawal
    // event paying that sender in a later block.
    let events = load_cache(&d, &w).unwrap();
    let mut sample_deposits: BTreeMap<String, (String, u64)> = BTreeMap::new();
    let text = std::fs::read_to_string(sample).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
    let (ch, cb, cf) = (col("hash"), col("block_number"), col("from_address"));
    let deposit_txs: BTreeSet<String> = events.deposits.iter().map(|x| x.tx.to_string()).collect();
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        // Direct deposits and deposits through the Tornado proxy alike: the
        // deposit event names the transaction, the sample its sender.
        if deposit_txs.contains(&f[ch].to_lowercase()) {
            sample_deposits.insert(
                f[ch].to_lowercase(),
                (f[cf].to_lowercase(), f[cb].parse().unwrap()),
            );
        }
    }
    let mut expected: BTreeSet<(String, String)> = BTreeSet::new();
    for wd in &events.withdrawals {
        let to = wd.to.to_string();
        for (tx, (from, block)) in &sample_deposits {
            if *from == to && *block < wd.block {
                expected.insert((tx.clone(), wd.tx.to_string()));
            }
        }
    }
    assert!(expected.len() > 100, "{}", expected.len());
    let links = v["links"].as_array().unwrap();
    let found: BTreeSet<(String, String)> = links
        .iter()
        .filter(|l| l["heuristic"] == "address_match")
        .map(|l| {
            // Each link names its transactions, as fields and as evidence.
            let ev: Vec<&str> = l["evidence"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e.as_str().unwrap())
                .collect();
            assert_eq!(
                ev,
                vec![
                    l["deposit_tx"].as_str().unwrap(),
                    l["withdrawal_tx"].as_str().unwrap()
                ]
            );
            assert_eq!(l["pool"], POOL);
            assert_eq!(l["confidence"], 90);
            (
                l["deposit_tx"].as_str().unwrap().to_string(),
                l["withdrawal_tx"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    eprintln!(
        "sample deposits {}, address-match links {} (expected {})",
        sample_deposits.len(),
        found.len(),
        expected.len()
    );
    assert_eq!(found, expected);
    assert_eq!(
        v["by_heuristic"]["address_match"].as_u64().unwrap() as usize,
        found.len()
    );
}
