//! fundtrace's own JSON-lines format round-trips a ledger exactly.

mod common;
use common::dump;

use fundtrace::ingest::{self, read_from, Encoding, Format, IngestOptions, Source};
use fundtrace::report::ledger_jsonl;
use fundtrace::{Address, Asset, Ledger, LedgerBuilder, TransferKind, TransferRecord};
use proptest::prelude::*;

fn round_trip(l: &Ledger) -> Ledger {
    let mut bytes = Vec::new();
    ledger_jsonl::write(l, &mut bytes).unwrap();
    let mut b = LedgerBuilder::new();
    read_from(
        &mut b,
        "own.jsonl",
        Format::Fundtrace,
        Encoding::JsonLines,
        &bytes[..],
        &mut IngestOptions::default(),
    )
    .unwrap();
    b.build().unwrap()
}

#[test]
fn real_samples_round_trip() {
    let root = env!("CARGO_MANIFEST_DIR");
    let l = ingest::load(
        &[
            Source::new(Format::EthTransactions, format!("{root}/tests/data/ethereum_etl_samples/test_stream/blocks_17173049_17173050/expected_transactions.json")),
            Source::new(Format::EthTokenTransfers, format!("{root}/tests/data/ethereum_etl_samples/test_stream/blocks_17173049_17173050/expected_token_transfers.json")),
            Source::new(Format::EthTransactions, format!("{root}/examples/data/bybit/transactions.csv")),
            Source::new(Format::EthTokenTransfers, format!("{root}/examples/data/bybit/token_transfers.csv")),
        ],
        IngestOptions::default(),
    )
    .unwrap();
    assert!(l.transfer_count() > 600);
    assert_eq!(dump(&round_trip(&l)), dump(&l));
}

fn arb_ledger() -> impl Strategy<Value = Vec<(u8, u8, u8, u8, u8, u128, u8)>> {
    proptest::collection::vec(
        (
            0u8..6,
            0u8..5,
            0u8..8,
            0u8..8,
            0u8..3,
            any::<u128>(),
            0u8..4,
        ),
        1..40,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn random_ledgers_round_trip(rows in arb_ledger()) {
        let mut b = LedgerBuilder::new();
        let eth = b.chain("ethereum", "ETH");
        let btc = b.chain("bitcoin", "BTC");
        // Each row its own index: (transaction, kind, index) identifies a
        // transfer, and two rows with one and different content contradict.
        for (i, (tx, block, from, to, asset, amount, kind)) in rows.into_iter().enumerate() {
            let chain = if block == 4 { btc } else { eth };
            let kind = [TransferKind::Native, TransferKind::Internal, TransferKind::Token, TransferKind::Fee][kind as usize];
            let addr = |n: u8| if chain == btc { Address::Text(format!("1Addr{n}").into()) } else { Address::Evm([n; 20]) };
            let record = TransferRecord {
                chain,
                tx_hash: [tx + 10 * block; 32],
                block: u64::from(block),
                time: 1000 + u64::from(block),
                tx_position: u32::from(tx),
                kind,
                sub_index: i as u32,
                from: addr(from),
                to: if to == 7 { Address::Sink(fundtrace::Sink::Fees) } else { addr(to) },
                asset: if asset == 0 || chain == btc { Asset::Native } else { Asset::Token(Address::Evm([asset; 20])) },
                amount,
            };
            b.push(record).unwrap();
        }
        let l = b.build().unwrap();
        prop_assert_eq!(dump(&round_trip(&l)), dump(&l));
    }
}
