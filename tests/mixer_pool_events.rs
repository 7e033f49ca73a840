//! Tornado Cash pool events on the real 100 ETH pool (../shared/data/tornado_cash_events/).

use fundtrace::heuristics::mixer::{
    self, anonymity_sets, AnonymityStats, PoolEvents, DEPOSIT_TOPIC, WITHDRAWAL_TOPIC,
};
use fundtrace::labels::registry;
use fundtrace::Address;
use sha3::{Digest, Keccak256};

macro_rules! data {
    ($p:literal) => {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/", $p)
    };
}

const POOL_100: &str = "0xa160cdab225685da1d56aa342ad8841c3b53f291";

fn pool_100() -> PoolEvents {
    let mut ev = mixer::load_cache(
        data!("tornado_cash_events/mainnet_eth_100_2022-06/deposits_eth_100.json.zip"),
        data!("tornado_cash_events/mainnet_eth_100_2022-06/withdrawals_eth_100.json.zip"),
    )
    .unwrap();
    ev.pool = Some(POOL_100.parse().unwrap());
    ev
}

#[test]
fn event_topics_are_the_keccak_of_the_signatures() {
    let topic = |sig: &str| format!("0x{}", hex::encode(Keccak256::digest(sig.as_bytes())));
    assert_eq!(topic("Deposit(bytes32,uint32,uint256)"), DEPOSIT_TOPIC);
    assert_eq!(
        topic("Withdrawal(address,bytes32,address,uint256)"),
        WITHDRAWAL_TOPIC
    );
}

#[test]
#[ignore = "needs ../shared/data: tornado_cash_events/mainnet_eth_100_2022-06 (5.1 MB)"]
fn pool_100_eth_events() {
    let ev = pool_100();
    let check = ev.check();
    assert_eq!(check.deposits, 27_544);
    assert_eq!(check.withdrawals, 25_608);
    // Leaf indices run 0..=27,543 with no gap.
    assert!(check.leaves_contiguous, "{:?}", check.missing_leaves);
    assert_eq!(ev.deposits.first().map(|d| d.leaf_index), Some(0));
    assert_eq!(ev.deposits.last().map(|d| d.leaf_index), Some(27_543));
    assert_eq!(check.duplicate_commitments, 0);
    assert_eq!(check.duplicate_nullifiers, 0);
    // Every withdrawal has at least one earlier deposit.
    assert_eq!(check.withdrawals_without_earlier_deposit, 0);
    assert_eq!(check.overdrawn_withdrawals, 0);
    assert!(check.is_consistent());
    let first = &ev.deposits[0];
    assert_eq!(first.block, 9_162_622);
    assert_eq!(first.timestamp, Some(1_577_309_522));
    assert_eq!(
        first.tx.to_string(),
        "0x6448bf9837b8ef7d9bff2ae929b12cfdfb4170454a2bd3f6ff573317885367f1"
    );
    // Leaf order is chain order.
    assert!(ev.deposits.windows(2).all(|w| w[0].block <= w[1].block));

    let sets = anonymity_sets(&ev, &[]);
    assert_eq!(sets.len(), 25_608);
    assert!(sets.iter().all(|s| s.size >= 1));
    // The first withdrawal had exactly one deposit before it: its anonymity
    // set is that deposit alone.
    let w0 = &sets[0];
    assert_eq!(w0.block, 9_176_937);
    assert_eq!(
        (w0.deposits_before, w0.withdrawals_before, w0.size),
        (1, 0, 1)
    );
    eprintln!("first withdrawal: {w0:?}");
    // The last withdrawal (block 14,954,037) comes before the last deposit
    // (block 14,954,101).
    let last = sets.last().unwrap();
    assert_eq!(last.block, 14_954_037);
    assert_eq!(last.size, 27_543);
    assert_eq!(last.withdrawals_before, 25_607);
    assert_eq!(last.unspent_notes, 1_936);
    eprintln!("last withdrawal: {last:?}");
    for k in [1, 10, 100] {
        eprintln!(
            "withdrawals with an anonymity set of at most {k}: {}",
            sets.iter().filter(|s| s.size <= k).count()
        );
    }
    let sizes: Vec<u64> = sets.iter().map(|s| s.size).collect();
    let notes: Vec<u64> = sets.iter().map(|s| s.unspent_notes).collect();
    let stats = AnonymityStats::of(&sizes);
    eprintln!("anonymity set (deposits before, no proven spends): {stats:?}");
    eprintln!(
        "unspent notes at withdrawal: {:?}",
        AnonymityStats::of(&notes)
    );
    assert_eq!(stats.count, 25_608);
    assert_eq!(
        (stats.min, stats.median, stats.p90, stats.max),
        (1, 14_593, 24_715, 27_543)
    );

    let summary = mixer::pool_summary(&ev, &[]);
    assert_eq!(summary.denomination.as_deref(), Some("100 ETH"));
    assert_eq!(summary.anonymity_set, stats);
    eprintln!("{}", serde_json::to_string(&summary).unwrap());
}

#[test]
#[ignore = "needs ../shared/data: tornado_cash_events/mainnet_token_pools_2019-12_to_2022-02 DAI 100k caches (1.3 MB)"]
fn token_pool_caches_load() {
    let ev = mixer::load_cache(
        data!("tornado_cash_events/mainnet_token_pools_2019-12_to_2022-02/deposits_dai_100000.json"),
        data!("tornado_cash_events/mainnet_token_pools_2019-12_to_2022-02/withdrawals_dai_100000.json"),
    )
    .unwrap();
    assert_eq!(ev.deposits.len(), 2_337);
    assert_eq!(ev.withdrawals.len(), 2_190);
    assert!(ev.check().leaves_contiguous);
    let pool = registry::tornado_pools()
        .iter()
        .find(|p| p.short_name == "dai100k")
        .unwrap();
    assert_eq!(pool.denomination_base_units, 100_000 * 10u128.pow(18));
}

#[test]
fn bad_cache_records_are_named() {
    let d = "[\n {\"timestamp\": \"1\", \"commitment\": \"0x12\", \"blockNumber\": 1, \"transactionHash\": \"0x6448bf9837b8ef7d9bff2ae929b12cfdfb4170454a2bd3f6ff573317885367f1\", \"leafIndex\": 0}\n]";
    let e = PoolEvents::from_cache_json(d, "d.json", "[]", "w.json").unwrap_err();
    assert_eq!(
        e.to_string(),
        "d.json:2: field `commitment`: invalid value `0x12`: expected 64 hex digits, found 2"
    );
    let e = PoolEvents::from_cache_json("[1,", "d.json", "[]", "w.json").unwrap_err();
    assert!(e.to_string().starts_with("d.json:1:"), "{e}");
}

/// Encodes one Deposit and one Withdrawal log of the 100 ETH pool the way
/// ethereum-etl writes `logs.csv`, from the first real deposit and the
/// first withdrawal in the cache, and decodes them back.
#[test]
#[ignore = "needs ../shared/data: tornado_cash_events/mainnet_eth_100_2022-06 (5.1 MB)"]
fn logs_csv_decoding() {
    let ev = pool_100();
    let d = &ev.deposits[0];
    let w = &ev.withdrawals[0];
    let word = |v: u128| format!("{v:064x}");
    let addr_word = |a: &Address| format!("{:0>64}", a.to_string().trim_start_matches("0x"));
    let relayer: Address = "0x0000000000000000000000000000000000000000"
        .parse()
        .unwrap();
    let other: Address = "0x12d66f87a04a9e220743712ce6d9bb1b5616b8fc"
        .parse()
        .unwrap();
    let csv = format!(
        "log_index,transaction_hash,transaction_index,block_hash,block_number,address,data,topics\n\
         7,{dtx},3,0x00,{dblock},{POOL_100},0x{dleaf}{dts},\"{DEPOSIT_TOPIC},{commit}\"\n\
         8,{dtx},3,0x00,{dblock},{other},0x{dleaf}{dts},\"{DEPOSIT_TOPIC},{commit}\"\n\
         2,{wtx},1,0x00,{wblock},{POOL_100},0x{to}{null}{fee},\"{WITHDRAWAL_TOPIC},0x{rel}\"\n",
        dtx = d.tx,
        dblock = d.block,
        dleaf = word(u128::from(d.leaf_index)),
        dts = word(u128::from(d.timestamp.unwrap())),
        commit = d.commitment,
        wtx = w.tx,
        wblock = w.block,
        to = addr_word(&w.to),
        null = w.nullifier_hash.to_string().trim_start_matches("0x"),
        fee = word(w.fee),
        rel = addr_word(&relayer),
    );
    let pool: Address = POOL_100.parse().unwrap();
    let got = PoolEvents::from_logs_csv(&csv, "logs.csv", &pool).unwrap();
    assert_eq!(got.deposits.len(), 1, "the other pool's log is not read");
    assert_eq!(got.withdrawals.len(), 1);
    let gd = &got.deposits[0];
    assert_eq!(
        (gd.tx, gd.block, gd.leaf_index, gd.timestamp, gd.commitment),
        (d.tx, d.block, 0, d.timestamp, d.commitment)
    );
    assert_eq!(gd.log_index, Some(7));
    let gw = &got.withdrawals[0];
    assert_eq!(
        (gw.tx, gw.block, &gw.to, gw.nullifier_hash, gw.fee),
        (w.tx, w.block, &w.to, w.nullifier_hash, w.fee)
    );
    assert_eq!(gw.relayer.as_ref(), Some(&relayer));
    // A truncated data field is an error naming line and field.
    let bad = csv.replacen(&format!("0x{}", word(0)), "0x00", 1);
    let e = PoolEvents::from_logs_csv(&bad, "logs.csv", &pool).unwrap_err();
    assert!(e.to_string().starts_with("logs.csv:2: field `data`"), "{e}");
}
