//! ethereum-etl samples from real mainnet blocks 17,173,049–17,173,050
//! (`tests/data/ethereum_etl_samples/`): CSV and JSON lines give the
//! same ledger.

mod common;
use common::dump;

use std::path::PathBuf;

use fundtrace::ingest::{self, read_from, Encoding, Format, IngestOptions, Source};
use fundtrace::{Ledger, LedgerBuilder, TransferKind};

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/ethereum_etl_samples")
        .join(rel)
}

const BLOCKS: &str = "test_export_blocks_job/blocks_with_transactions_and_withdrawals";
const STREAM: &str = "test_stream/blocks_17173049_17173050";

/// Rewrites ethereum-etl's JSON token transfers as the CSV ethereum-etl
/// writes (`export_token_transfers` column order, no timestamp column), so
/// the CSV reader is tested on the same 291 real rows.
fn token_transfers_as_csv() -> Vec<u8> {
    let text = std::fs::read_to_string(fixture(&format!("{STREAM}/expected_token_transfers.json")))
        .unwrap();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "token_address",
        "from_address",
        "to_address",
        "value",
        "transaction_hash",
        "log_index",
        "block_number",
    ])
    .unwrap();
    for line in text.lines() {
        // Values above 2^64 must not pass through f64: keep the raw number text.
        let v: std::collections::HashMap<String, Box<serde_json::value::RawValue>> =
            serde_json::from_str(line).unwrap();
        let s = |k: &str| {
            let raw = v[k].get();
            raw.trim_matches('"').to_string()
        };
        w.write_record([
            s("token_address"),
            s("from_address"),
            s("to_address"),
            s("value"),
            s("transaction_hash"),
            s("log_index"),
            s("block_number"),
        ])
        .unwrap();
    }
    w.into_inner().unwrap()
}

fn load_csv() -> Ledger {
    let mut b = LedgerBuilder::new();
    let mut o = IngestOptions::default();
    ingest::read_file(
        &mut b,
        &Source::new(
            Format::EthTransactions,
            fixture(&format!("{BLOCKS}/expected_transactions.csv")),
        ),
        &mut o,
    )
    .unwrap();
    read_from(
        &mut b,
        "token_transfers.csv",
        Format::EthTokenTransfers,
        Encoding::Csv,
        &token_transfers_as_csv()[..],
        &mut o,
    )
    .unwrap();
    b.build().unwrap()
}

fn load_json() -> Ledger {
    ingest::load(
        &[
            Source::new(
                Format::EthTransactions,
                fixture(&format!("{BLOCKS}/expected_transactions.json")),
            ),
            Source::new(
                Format::EthTokenTransfers,
                fixture(&format!("{STREAM}/expected_token_transfers.json")),
            ),
        ],
        IngestOptions::default(),
    )
    .unwrap()
}

#[test]
fn csv_and_json_lines_build_identical_ledgers() {
    let csv = load_csv();
    let json = load_json();
    assert_eq!(csv.tx_count(), 298);
    assert_eq!(json.tx_count(), 298);
    let tokens = |l: &Ledger| {
        l.kinds()
            .iter()
            .filter(|k| **k == TransferKind::Token)
            .count()
    };
    assert_eq!(tokens(&csv), 291);
    assert_eq!(tokens(&json), 291);
    assert_eq!(dump(&csv), dump(&json));
    // Every transaction has its own value transfer (zero values included).
    let native = csv
        .kinds()
        .iter()
        .filter(|k| **k == TransferKind::Native)
        .count();
    assert_eq!(native, 298);
    // Token transfers take their position from the transactions input; the
    // only warning is the contract creation these receipt-less files cannot resolve.
    assert_eq!(csv.warnings().len(), 1, "{:?}", csv.warnings());
    assert!(
        csv.warnings()[0].contains("1 × contract creation"),
        "{:?}",
        csv.warnings()
    );
}

#[test]
fn receipts_make_failed_transactions_move_nothing_and_add_fees() {
    let l = ingest::load(
        &[Source::new(
            Format::EthTransactions,
            fixture(&format!("{STREAM}/expected_transactions.json")),
        )],
        IngestOptions::default(),
    )
    .unwrap();
    assert_eq!(l.tx_count(), 298);
    let fees = l
        .kinds()
        .iter()
        .filter(|k| **k == TransferKind::Fee)
        .count();
    assert_eq!(fees, 298, "every transaction pays gas");
    let input = &l.inputs()[0];
    assert_eq!(input.records, 298);
    assert_eq!(
        input.ignored.get("failed transaction (value not moved)"),
        Some(&9)
    );
    // The one contract creation has its created address in the receipt.
    let created: fundtrace::Address = "0x303abf64fe75964565d2b44b9e4518e6126f1f0e"
        .parse()
        .unwrap();
    let created = l
        .address_id(&created)
        .expect("created contract is the receiver");
    assert!(l
        .transfers()
        .any(|t| t.to == created && t.kind == TransferKind::Native));
    assert!(l.warnings().is_empty());
    let without_fees = ingest::load(
        &[Source::new(
            Format::EthTransactions,
            fixture(&format!("{STREAM}/expected_transactions.json")),
        )],
        IngestOptions {
            no_fees: true,
            ..IngestOptions::default()
        },
    )
    .unwrap();
    assert_eq!(
        without_fees
            .kinds()
            .iter()
            .filter(|k| **k == TransferKind::Fee)
            .count(),
        0
    );
}

#[test]
fn real_trace_files_keep_only_value_moving_internal_calls() {
    let mut b = LedgerBuilder::new();
    let mut o = IngestOptions::default();
    ingest::read_file(
        &mut b,
        &Source::new(
            Format::EthTraces,
            fixture("test_export_traces_job/block_with_subtraces/expected_traces.csv"),
        ),
        &mut o,
    )
    .unwrap();
    let l = b.build().unwrap();
    assert_eq!(l.transfer_count(), 0);
    let ignored = &l.inputs()[0].ignored;
    assert_eq!(
        ignored.get("top-level call (the transaction's own value)"),
        Some(&2)
    );
    assert_eq!(
        ignored.get("reward or genesis trace (no transaction)"),
        Some(&1)
    );
    assert_eq!(
        ignored.get("delegatecall, staticcall or callcode (no value between addresses)"),
        Some(&1)
    );
}

const TX: &str = "0x2c3cfb8d7f3039fcad64bd231beb0229af55f9114d74aef12a6f228ad1dac100";

fn traces_ledger(rows: &[&str], with_tx: bool) -> Result<Ledger, ingest::IngestError> {
    let mut b = LedgerBuilder::new();
    let mut o = IngestOptions::default();
    if with_tx {
        let txs = format!(
            "hash,block_number,transaction_index,from_address,to_address,value,block_timestamp\n\
             {TX},7,3,0x1111111111111111111111111111111111111111,0x2222222222222222222222222222222222222222,10,1000\n"
        );
        read_from(
            &mut b,
            "tx.csv",
            Format::EthTransactions,
            Encoding::Csv,
            txs.as_bytes(),
            &mut o,
        )?;
    }
    let mut csv = String::from("block_number,transaction_hash,transaction_index,from_address,to_address,value,trace_type,call_type,trace_address,status\n");
    for r in rows {
        csv.push_str(r);
        csv.push('\n');
    }
    read_from(
        &mut b,
        "traces.csv",
        Format::EthTraces,
        Encoding::Csv,
        csv.as_bytes(),
        &mut o,
    )?;
    Ok(b.build()?)
}

#[test]
fn internal_transfers_are_ordered_by_trace_address_whatever_the_row_order() {
    let rows = [
        format!("7,{TX},3,0x2222222222222222222222222222222222222222,0x3333333333333333333333333333333333333333,4,call,call,1,1"),
        format!("7,{TX},3,0x2222222222222222222222222222222222222222,0x4444444444444444444444444444444444444444,3,call,call,\"0,2\",1"),
        format!("7,{TX},3,0x2222222222222222222222222222222222222222,0x5555555555555555555555555555555555555555,2,call,call,0,1"),
        format!("7,{TX},3,0x2222222222222222222222222222222222222222,0x6666666666666666666666666666666666666666,1,call,call,0,0"),
    ];
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let a = traces_ledger(&rows, true).unwrap();
    let mut reversed = rows.clone();
    reversed.reverse();
    let b = traces_ledger(&reversed, true).unwrap();
    assert_eq!(dump(&a), dump(&b));
    // The transaction's own value first, then the traces in execution order:
    // [0] (2), [0,2] (3), [1] (4); the row with status 0 is left out.
    let amounts: Vec<u128> = a.transfers().map(|t| t.amount).collect();
    assert_eq!(amounts, vec![10, 2, 3, 4]);
    assert_eq!(
        a.inputs()
            .iter()
            .find(|i| i.path == "traces.csv")
            .unwrap()
            .ignored
            .get("failed trace"),
        Some(&1)
    );
    // Without the transactions file the block time is unknown.
    assert!(matches!(
        traces_ledger(&rows, false),
        Err(ingest::IngestError::Ledger(e))
            if matches!(*e, fundtrace::LedgerError::UnknownTime { block: 7, .. })
    ));
}

#[test]
fn digests_are_of_the_file_bytes() {
    use sha2::{Digest, Sha256};
    let path = fixture(&format!("{BLOCKS}/expected_transactions.csv"));
    let l = ingest::load(
        &[Source::new(Format::EthTransactions, &path)],
        IngestOptions::default(),
    )
    .unwrap();
    let want = hex::encode(Sha256::digest(std::fs::read(&path).unwrap()));
    assert_eq!(l.inputs()[0].sha256, want);
}
