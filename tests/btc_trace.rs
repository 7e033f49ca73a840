//! The UTXO ledger and taint trace on mainnet blocks 0–255.

use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::path::PathBuf;

use fundtrace::ingest::bitcoin::{
    genesis_block, load_blocks, start_height, utxo_ledger_from_blocks,
};
use fundtrace::ledger::utxo::UtxoTxId;
use fundtrace::ledger::utxo::{InputSource, UtxoLedger};
use fundtrace::trace::utxo::trace;
use fundtrace::trace::{Model, Seed, SeedTarget};

fn data(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

fn ledger_0_255() -> UtxoLedger {
    let btcd = load_blocks(
        File::open(data("bitcoin_raw/btcd/database__testdata__blocks1-256.bz2")).unwrap(),
    )
    .unwrap();
    assert_eq!(start_height(&btcd), Some(1));
    let mut blocks = vec![genesis_block()];
    blocks.extend(btcd);
    assert_eq!(start_height(&blocks), Some(0));
    utxo_ledger_from_blocks(&blocks, 0).unwrap()
}

const BLOCK9_COINBASE: &str = "0437cd7f8525ceed2324359c2d0ba26006d92d856a9c20fa0241106ee5a597c9:0";

#[test]
fn ledger_resolves_every_input_and_matches_the_csv() {
    let l = ledger_0_255();
    assert_eq!(l.tx_count(), 263);
    assert_eq!(l.output_count(), 268);
    assert!(l.unresolved().is_empty());
    let non_coinbase: Vec<UtxoTxId> = (0..l.tx_count())
        .map(UtxoTxId::from_usize)
        .filter(|&t| !l.tx(t).coinbase)
        .collect();
    assert_eq!(non_coinbase.len(), 7);
    for &t in &non_coinbase {
        assert_eq!(l.fee(t), Some(0));
    }
    // inputs.csv: prev value and address of every input
    let mut r =
        csv::Reader::from_path(data("bitcoin_ledgers/mainnet_blocks_0_255/inputs.csv")).unwrap();
    let mut expected = HashMap::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        if !rec[2].is_empty() {
            expected.insert(
                (rec[0].to_string(), rec[1].parse::<usize>().unwrap()),
                (rec[4].to_string(), rec[5].to_string()),
            );
        }
    }
    let mut seen = 0;
    for &t in &non_coinbase {
        for (vin, input) in l.inputs_of(t).iter().enumerate() {
            assert!(matches!(input.source, InputSource::Output(_)));
            let (value, addr) = &expected[&(l.tx(t).txid.to_string(), vin)];
            assert_eq!(l.input_value(input).unwrap().to_string(), *value);
            assert_eq!(l.address(l.input_address(input).unwrap()), addr);
            seen += 1;
        }
    }
    assert_eq!(seen, expected.len());
    // event order is (height, position)
    assert!(l
        .txs()
        .windows(2)
        .all(|w| (w[0].height, w[0].position) < (w[1].height, w[1].position)));
}

#[test]
fn block9_coinbase_taint_reaches_exactly_the_seven_transactions() {
    let l = ledger_0_255();
    let non_coinbase: BTreeSet<String> = l
        .txs()
        .iter()
        .filter(|t| !t.coinbase)
        .map(|t| t.txid.to_string())
        .collect();
    let seed: SeedTarget = BLOCK9_COINBASE.parse().unwrap();
    for policy in Model::UTXO {
        let r = trace(&l, std::slice::from_ref(&seed), policy).unwrap();
        let reached: BTreeSet<String> = r.reached.iter().map(|t| t.txid.to_string()).collect();
        assert_eq!(reached, non_coinbase, "{policy}");
        assert!(r.reached.iter().all(|t| !l.tx(t.tx).coinbase));
        assert_eq!(r.seeded, 5_000_000_000);
        assert!(r.unmatched_seeds.is_empty());
        assert!(r.history_gaps.is_empty());
        // all inputs are wholly tainted, so every policy agrees and conserves
        assert!(r.is_conserved(), "{policy}");
        assert_eq!(r.held, 5_000_000_000);
        assert_eq!(r.fees, 0);
        let hal = r
            .addresses
            .iter()
            .find(|a| a.address == "1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3")
            .unwrap();
        assert_eq!(hal.received, 1_000_000_000);
        // the first hop is block 170's transaction
        assert_eq!(
            r.reached[0].txid.to_string(),
            "f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16"
        );
        assert_eq!(r.reached[0].height, 170);
    }
}

#[test]
fn an_address_seed_and_an_unknown_seed() {
    let l = ledger_0_255();
    let seeds: Vec<SeedTarget> = [
        "12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S",
        "1BitcoinEaterAddressDontSendf59kuE",
    ]
    .iter()
    .map(|s| s.parse().unwrap())
    .collect();
    let r = trace(&l, &seeds, Model::Fifo).unwrap();
    assert_eq!(r.unmatched_seeds, vec![seeds[1].clone()]);
    assert_eq!(r.reached.len(), 7);
    // the 40 BTC change of block 170 returns to the seed: only new value counts
    assert_eq!(r.seeded, 5_000_000_000);
    assert!(r.is_conserved());
}

#[test]
fn satoshis_payments_of_2009_form_a_peel_chain() {
    use fundtrace::heuristics::peel::{peel_chains, PeelOptions};
    let l = ledger_0_255();
    let chains = peel_chains(&l, PeelOptions::default());
    assert_eq!(chains.len(), 1);
    let c = &chains[0];
    let heights: Vec<u64> = c.txs.iter().map(|&t| l.tx(t).height).collect();
    assert_eq!(heights, vec![170, 181, 182, 183, 248]);
    assert_eq!(c.length, 5);
    // 10 + 10 + 1 + 1 + 10 BTC peeled; 18 BTC rest back at 12cbQLTF…
    assert_eq!(c.total_peeled, 3_200_000_000);
    assert_eq!(c.start_value, 5_000_000_000);
    let rest = l.output(c.rest);
    assert_eq!(rest.value, 1_800_000_000);
    assert_eq!(
        l.address(rest.address.unwrap()),
        "12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S"
    );
}

#[test]
fn clustering_blocks_0_255_merges_nothing() {
    // every transaction of the range has a single input
    let l = ledger_0_255();
    let c = fundtrace::heuristics::cluster::cluster(&l);
    assert!(c.merges().is_empty());
    assert_eq!(c.cluster_count(), l.address_count());
}

#[test]
fn exits_dust_and_end_height() {
    use fundtrace::trace::utxo::{trace_with, UtxoTraceOptions};
    let l = ledger_0_255();
    let seeds = [BLOCK9_COINBASE.parse::<SeedTarget>().unwrap()];
    let mut o = UtxoTraceOptions::new(Model::Haircut).unwrap();
    o.exits = vec!["1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3".to_string()];
    o.dust = 150_000_000;
    let r = trace_with(&l, &seeds, &o);
    // Hal Finney's 10 BTC exit; the two 1 BTC peels of blocks 182 and 183
    // fall below the dust threshold, so blocks 187 and 221 are not reached
    assert_eq!(r.exited, 1_000_000_000);
    assert_eq!(r.exits.len(), 1);
    assert_eq!(r.exits[0].first_height, 170);
    assert_eq!(r.dust, 200_000_000);
    assert_eq!(r.reached.len(), 5);
    assert!(r.is_conserved());
    // until block 181: two hops
    o.until_height = Some(181);
    let r = trace_with(&l, &seeds, &o);
    assert_eq!(r.reached.len(), 2);
    assert!(r.is_conserved());
}

#[test]
fn two_incidents_are_kept_apart() {
    use fundtrace::trace::utxo::{trace_incidents, UtxoTraceOptions};
    let l = ledger_0_255();
    let incidents = vec![
        Seed::parse("block9", BLOCK9_COINBASE).unwrap(),
        Seed::parse(
            "block1",
            "0e3e2357e806b6cdb1f70b54c3a3a17b6714ee1f0e68bebb44a74b1efd512098:0",
        )
        .unwrap(),
    ];
    let r = trace_incidents(&l, &incidents, &UtxoTraceOptions::new(Model::Fifo).unwrap());
    assert_eq!(r[0].incident, "block9");
    assert_eq!(r[0].result.reached.len(), 7);
    assert_eq!(r[1].result.reached.len(), 0);
    assert_eq!(r[1].result.held, 5_000_000_000);
    assert!(r.iter().all(|i| i.result.is_conserved()));
}

#[test]
fn a_hop_limit_stops_taint_where_it_is_held() {
    use fundtrace::trace::utxo::{trace_with, UtxoTraceOptions};
    let l = ledger_0_255();
    let seeds = [BLOCK9_COINBASE.parse::<SeedTarget>().unwrap()];
    for policy in Model::UTXO {
        let mut o = UtxoTraceOptions::new(policy).unwrap();
        o.max_hops = Some(2);
        let r = trace_with(&l, &seeds, &o);
        // block 170 is hop 1, block 181 hop 2; block 182 would be hop 3
        let heights: Vec<u64> = r.reached.iter().map(|t| t.height).collect();
        assert_eq!(heights, vec![170, 181], "{policy}");
        // 181's 30 BTC change stays with 12cbQLTF…, which spends it in 182
        assert_eq!(r.stopped, 3_000_000_000, "{policy}");
        assert_eq!(
            r.stopped_at,
            vec![(
                Some("12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S".to_string()),
                3_000_000_000
            )]
        );
        assert_eq!(r.held, 2_000_000_000);
        assert!(r.is_conserved(), "{policy}");
        o.max_hops = Some(0);
        let r = trace_with(&l, &seeds, &o);
        assert!(r.reached.is_empty());
        assert_eq!(r.stopped, 5_000_000_000);
    }
}

#[test]
fn the_address_level_view_builds_an_account_ledger() {
    use fundtrace::ledger::utxo::transfer_records;
    use fundtrace::{Address, LedgerBuilder};
    let l = ledger_0_255();
    let mut b = LedgerBuilder::new();
    let chain = b.chain("bitcoin", "BTC");
    let records = transfer_records(&l, chain);
    // 256 coinbase payouts + the 12 outputs of the 7 spending transactions
    // (each has one input address, so no output is split)
    assert_eq!(records.len(), 268);
    for r in records {
        b.push(r).unwrap();
    }
    let ledger = b.build().unwrap();
    assert_eq!(ledger.tx_count(), 263);
    let hal = ledger
        .address_id(&Address::Text("1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3".into()))
        .unwrap();
    let received: u128 = ledger
        .transfers()
        .filter(|t| t.to == hal)
        .map(|t| t.amount)
        .sum();
    assert_eq!(received, 1_000_000_000);
}

#[test]
fn ledger_from_shuffled_blocks_in_one_call() {
    use fundtrace::ingest::bitcoin::ledger_from_blocks;
    let mut blocks = load_blocks(
        File::open(data("bitcoin_raw/btcd/database__testdata__blocks1-256.bz2")).unwrap(),
    )
    .unwrap();
    blocks.reverse();
    // without genesis the first block is at height 1 (its parent is genesis)
    let (l, s) = ledger_from_blocks(blocks.clone(), None).unwrap();
    assert_eq!((s.first_height, s.blocks, l.tx_count()), (1, 255, 262));
    assert!(s.stale.is_empty());
    blocks.push(genesis_block());
    let (l, s) = ledger_from_blocks(blocks, None).unwrap();
    assert_eq!((s.first_height, l.tx_count()), (0, 263));
    assert_eq!(
        s.tip.to_string(),
        "00000000d0a75c861fabf9ff7b92022f60e4afeed9331fe5aa073d8e4706fe3c"
    );
    let r = trace(&l, &[BLOCK9_COINBASE.parse().unwrap()], Model::Tiho).unwrap();
    assert_eq!(r.reached.len(), 7);
}
