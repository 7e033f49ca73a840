//! Account-chain ingest: ethereum-etl transactions, token transfers and
//! traces (CSV and JSON lines), Etherscan exports and fundtrace's own JSON
//! lines, strict and lenient.
//!
//! The first byte picks the reader: bits 0–2 the format (modulo 5), bit 3
//! JSON lines instead of CSV, bit 4 lenient mode. What must hold:
//! - no panic, whatever the bytes;
//! - determinism: reading the same bytes twice gives the same ledger;
//! - strict success implies lenient success with the same ledger;
//! - round trip: a ledger that loads (and is not empty), written in the own
//!   format and read back in the same mode, writes the same lines again.
#![no_main]

use fundtrace::ingest::{read_from, Encoding, Format, IngestOptions};
use fundtrace::report::ledger_jsonl;
use fundtrace::LedgerBuilder;
use libfuzzer_sys::fuzz_target;

const FORMATS: [Format; 5] = [
    Format::EthTransactions,
    Format::EthTokenTransfers,
    Format::EthTraces,
    Format::Etherscan,
    Format::Fundtrace,
];

/// Reads `bytes`, and on success returns the ledger in the own format.
fn load(format: Format, encoding: Encoding, bytes: &[u8], lenient: bool) -> Option<Vec<u8>> {
    let mut rejects = Vec::new();
    let mut builder = LedgerBuilder::new();
    let mut options = IngestOptions {
        lenient,
        rejects: if lenient { Some(&mut rejects) } else { None },
        ..IngestOptions::default()
    };
    read_from(&mut builder, "fuzz", format, encoding, bytes, &mut options).ok()?;
    drop(options);
    let ledger = builder.build().ok()?;
    let mut out = Vec::new();
    ledger_jsonl::write(&ledger, &mut out).expect("writing to a Vec cannot fail");
    Some(out)
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let format = FORMATS[usize::from(selector & 7) % FORMATS.len()];
    let encoding = if selector & 8 != 0 {
        Encoding::JsonLines
    } else {
        Encoding::Csv
    };
    let lenient = selector & 16 != 0;

    let first = load(format, encoding, bytes, lenient);
    let second = load(format, encoding, bytes, lenient);
    assert_eq!(first, second, "two reads of the same bytes differ");

    if !lenient {
        if let Some(strict) = &first {
            let relaxed = load(format, encoding, bytes, true);
            assert_eq!(
                relaxed.as_ref(),
                Some(strict),
                "strict mode loads, lenient mode gives another ledger"
            );
        }
    }

    // An empty ledger writes an empty file, which the own reader refuses
    // as empty (as every reader does): nothing to round-trip.
    if let Some(own) = first.filter(|own| !own.is_empty()) {
        // Read back in the same mode: what lenient mode accepts with a
        // warning (blocks whose times run backwards) strict mode refuses.
        let again = load(Format::Fundtrace, Encoding::JsonLines, &own, lenient);
        assert_eq!(
            again.as_deref(),
            Some(&own[..]),
            "the own-format round trip changes the ledger:\n{}",
            String::from_utf8_lossy(&own)
        );
    }
});
