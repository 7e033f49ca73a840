//! Inputs the fuzz targets (`fuzz/`) found to break a property, kept as
//! regression tests, written out small here (`fuzz/README.md` lists them).

use fundtrace::ingest::{read_from, Encoding, Format, IngestError, IngestOptions};
use fundtrace::report::ledger_jsonl;
use fundtrace::LedgerBuilder;

const TX: &str = "0xeb107a40ba73a50c79a9f2026e902d758d1c5e5e211f7a7db1b294f88f118dd0";
const A: &str = "0x6b75d8af000000e20b7a7ddf000ba900b4009a80";
const B: &str = "0x7054b0f980a7eb5b3a6b3446f3c947d80162775c";
const WETH: &str = "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2";
const TOKEN: &str = "0x1ce270557c1f68cfb577b856766310bf8b47fd9c";

/// Reads `bytes` and writes the ledger in the own format.
fn own(
    format: Format,
    encoding: Encoding,
    bytes: &[u8],
    lenient: bool,
) -> Result<String, IngestError> {
    let mut builder = LedgerBuilder::new();
    let mut options = IngestOptions {
        lenient,
        ..IngestOptions::default()
    };
    read_from(&mut builder, "input", format, encoding, bytes, &mut options)?;
    let ledger = builder.build()?;
    let mut out = Vec::new();
    ledger_jsonl::write(&ledger, &mut out).expect("write to a Vec");
    Ok(String::from_utf8(out).expect("the own format is UTF-8"))
}

fn token_line(from: &str, to: &str, token: &str, value: u64, log_index: Option<u32>) -> String {
    let index = log_index.map_or(String::new(), |i| format!(r#""log_index": {i}, "#));
    format!(
        r#"{{"token_address": "{token}", "from_address": "{from}", "to_address": "{to}", "value": {value}, "transaction_hash": "{TX}", {index}"block_number": 17173049, "block_timestamp": 1683029999}}"#
    )
}

/// Found by `account_ingest` (a token-transfers line whose `log_index` key
/// was mangled): a token transfer without log index was numbered 0 beside
/// the transaction's keyed transfer at log index 0, so the ledger held two
/// transfers under one identity, and its own-format file was refused as a
/// contradiction. Unkeyed transfers are now numbered after the keyed ones.
#[test]
fn unkeyed_token_transfers_do_not_take_a_keyed_log_index() {
    let input = [
        token_line(A, B, WETH, 76_176_614_974_947_328, Some(0)),
        token_line(B, A, TOKEN, 1_501_886_983_024, None),
        token_line(A, B, TOKEN, 5, Some(3)),
        token_line(B, A, WETH, 7, None),
    ]
    .join("\n");
    for lenient in [false, true] {
        let written = own(
            Format::EthTokenTransfers,
            Encoding::JsonLines,
            input.as_bytes(),
            lenient,
        )
        .unwrap_or_else(|e| panic!("lenient {lenient}: {e}"));
        let indices: Vec<&str> = written
            .lines()
            .filter_map(|l| l.split(r#""index":"#).nth(1))
            .filter_map(|rest| rest.split(',').next())
            .collect();
        // the keyed log indices stay; the unkeyed transfers come after them
        assert_eq!(indices, ["0", "3", "4", "5"], "{written}");
        let again = own(
            Format::Fundtrace,
            Encoding::JsonLines,
            written.as_bytes(),
            false,
        )
        .unwrap_or_else(|e| panic!("the own format does not read back: {e}\n{written}"));
        assert_eq!(again, written);
    }
}

/// Without keyed transfers in the transaction, unkeyed ones are still
/// numbered from 0, whatever the row order.
#[test]
fn unkeyed_token_transfers_alone_are_numbered_from_zero() {
    let lines = [
        token_line(A, B, WETH, 9, None),
        token_line(B, A, TOKEN, 8, None),
    ];
    let forward = own(
        Format::EthTokenTransfers,
        Encoding::JsonLines,
        lines.join("\n").as_bytes(),
        false,
    )
    .expect("loads");
    let backward = own(
        Format::EthTokenTransfers,
        Encoding::JsonLines,
        [lines[1].clone(), lines[0].clone()].join("\n").as_bytes(),
        false,
    )
    .expect("loads");
    assert_eq!(forward, backward);
    assert!(forward.contains(r#""index":0,"#) && forward.contains(r#""index":1,"#));
}
