//! Malformed input: strict mode stops with an error naming file, line, field
//! and value; lenient mode skips, counts the reason and reports it.

use fundtrace::ingest::{read_from, Encoding, Format, IngestError, IngestOptions};
use fundtrace::LedgerBuilder;
use proptest::prelude::*;

const HEADER: &str =
    "hash,block_number,transaction_index,from_address,to_address,value,block_timestamp";
const GOOD: &str = "0xeb107a40ba73a50c79a9f2026e902d758d1c5e5e211f7a7db1b294f88f118dd0,17173049,0,0xae2fc483527b8ef99eb5d9b44875f005ba1fae13,0x6b75d8af000000e20b7a7ddf000ba900b4009a80,1642894143,1683029999";
const GOOD2: &str = "0xec7cc4df1ff542793053335700f18d59c3f870e1e4820a42d558c76db832bd14,17173049,1,0x64a018b23b4d7a077dffa6723462bc722861c5ad,0xef1c6e67703c7bd7107eed8303fbe6ec2554bf6b,7400000000000000000,1683029999";

fn read(
    format: Format,
    encoding: Encoding,
    bytes: &[u8],
    lenient: bool,
) -> Result<fundtrace::Ledger, IngestError> {
    let mut b = LedgerBuilder::new();
    let mut o = IngestOptions {
        lenient,
        ..IngestOptions::default()
    };
    read_from(&mut b, "input", format, encoding, bytes, &mut o)?;
    Ok(b.build()?)
}

/// One malformed input: what strict mode must say, and the skip reason
/// lenient mode must count.
struct Case {
    name: &'static str,
    format: Format,
    encoding: Encoding,
    input: Vec<u8>,
    strict_error: &'static [&'static str],
    lenient_reason: &'static str,
    /// Good records that lenient mode must still read.
    lenient_records: u64,
}

fn tx_csv(bad_row: &str) -> Vec<u8> {
    format!("{HEADER}\n{GOOD}\n{bad_row}\n{GOOD2}\n").into_bytes()
}

/// GOOD's transaction again, at another position and to another address.
fn conflicting_row() -> String {
    GOOD.replace(",17173049,0,", ",17173049,5,").replace(
        "0x6b75d8af000000e20b7a7ddf000ba900b4009a80",
        "0x9999999999999999999999999999999999999999",
    )
}

fn cases() -> Vec<Case> {
    let csv = Encoding::Csv;
    let tx = Format::EthTransactions;
    let mut non_utf8 = format!("{HEADER}\n{GOOD}\n").into_bytes();
    non_utf8.extend_from_slice(&GOOD2.as_bytes()[..100]);
    non_utf8.extend_from_slice(b"\xff\xfe");
    non_utf8.extend_from_slice(&GOOD2.as_bytes()[102..]);
    non_utf8.push(b'\n');
    let etherscan_header =
        "Txhash,Blockno,UnixTimestamp,From,To,ContractAddress,Value_IN(ETH),Value_OUT(ETH)";
    vec![
        Case {
            name: "bad hex in the hash",
            format: tx,
            encoding: csv,
            input: tx_csv(&GOOD2.replacen("0xec7c", "0xzc7c", 1)),
            strict_error: &["input:3:", "field `hash`", "invalid hex digit", "0xzc7c"],
            lenient_reason: "hash: invalid hex digit",
            lenient_records: 2,
        },
        Case {
            name: "short address",
            format: tx,
            encoding: csv,
            input: tx_csv(&GOOD2.replace("0x64a018b23b4d7a077dffa6723462bc722861c5ad", "0x64a018b2")),
            strict_error: &["input:3:", "field `from_address`", "expected 0x and 40 hex digits", "0x64a018b2"],
            lenient_reason: "from_address: expected 0x and 40 hex digits, found 10 characters",
            lenient_records: 2,
        },
        Case {
            name: "negative amount",
            format: tx,
            encoding: csv,
            input: tx_csv(&GOOD2.replace(",7400000000000000000,", ",-74,")),
            strict_error: &["input:3:", "field `value`", "negative amount", "-74"],
            lenient_reason: "value: negative amount",
            lenient_records: 2,
        },
        Case {
            name: "amount over u128",
            format: tx,
            encoding: csv,
            input: tx_csv(&GOOD2.replace(",7400000000000000000,", ",340282366920938463463374607431768211456,")),
            strict_error: &["input:3:", "field `value`", "overflows 128 bits", "340282366920938463463374607431768211456"],
            lenient_reason: "value: amount overflows 128 bits",
            lenient_records: 2,
        },
        Case {
            name: "too many decimals for the asset",
            format: Format::Etherscan,
            encoding: csv,
            input: format!(
                "{etherscan_header}\n\
                 0xeb107a40ba73a50c79a9f2026e902d758d1c5e5e211f7a7db1b294f88f118dd0,1,100,0xae2fc483527b8ef99eb5d9b44875f005ba1fae13,0x6b75d8af000000e20b7a7ddf000ba900b4009a80,,0,1.5\n\
                 0xec7cc4df1ff542793053335700f18d59c3f870e1e4820a42d558c76db832bd14,1,100,0xae2fc483527b8ef99eb5d9b44875f005ba1fae13,0x6b75d8af000000e20b7a7ddf000ba900b4009a80,,0,0.0000000000000000001\n"
            )
            .into_bytes(),
            strict_error: &["input:3:", "field `Value_OUT(ETH)`", "more than 18 decimal places", "0.0000000000000000001"],
            lenient_reason: "Value_OUT(ETH): more than 18 decimal places",
            lenient_records: 1,
        },
        Case {
            name: "missing column",
            format: tx,
            encoding: csv,
            input: format!("{}\n{}\n", HEADER.replace(",block_timestamp", ""), GOOD.rsplit_once(',').map(|(a, _)| a).unwrap_or_default()).into_bytes(),
            strict_error: &["input: wrong header: no column `block_timestamp`"],
            lenient_reason: "input: wrong header: no column `block_timestamp` (found: hash,block_number,transaction_index,from_address,to_address,value)",
            lenient_records: 0,
        },
        Case {
            name: "wrong header (token transfers given as transactions)",
            format: tx,
            encoding: csv,
            input: b"token_address,from_address,to_address,value,transaction_hash,log_index,block_number\n".to_vec(),
            strict_error: &["input: wrong header: no column `hash`"],
            lenient_reason: "input: wrong header: no column `hash` (found: token_address,from_address,to_address,value,transaction_hash,log_index,block_number)",
            lenient_records: 0,
        },
        Case {
            name: "non-UTF-8 bytes",
            format: tx,
            encoding: csv,
            input: non_utf8,
            strict_error: &["input:3:", "invalid UTF-8"],
            lenient_reason: "from_address: invalid UTF-8",
            lenient_records: 1,
        },
        Case {
            name: "empty file",
            format: tx,
            encoding: csv,
            input: Vec::new(),
            strict_error: &["input: empty file: expected a header line"],
            lenient_reason: "input: empty file: expected a header line",
            lenient_records: 0,
        },
        Case {
            name: "header only",
            format: tx,
            encoding: csv,
            input: format!("{HEADER}\n").into_bytes(),
            strict_error: &["input: no records after the header"],
            lenient_reason: "input: no records after the header",
            lenient_records: 0,
        },
        Case {
            name: "truncated last line",
            format: tx,
            encoding: csv,
            input: format!("{HEADER}\n{GOOD}\n{}", &GOOD2[..120]).into_bytes(),
            strict_error: &["input:3:", "record has 4 fields, the header has 7"],
            lenient_reason: "record has 4 fields, the header has 7 (truncated or malformed line)",
            lenient_records: 1,
        },
        Case {
            name: "truncated last JSON line",
            format: Format::EthTokenTransfers,
            encoding: Encoding::JsonLines,
            input: b"{\"token_address\": \"0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2\", \"from_address\": \"0x6b75d8af000000e20b7a7ddf000ba900b4009a80\", \"to_address\": \"0x7054b0f980a7eb5b3a6b3446f3c947d80162775c\", \"value\": 7056176614974947328, \"transaction_hash\": \"0xeb107a40ba73a50c79a9f2026e902d758d1c5e5e211f7a7db1b294f88f118dd0\", \"log_index\": 0, \"block_number\": 17173049, \"block_timestamp\": 1683029999}\n{\"token_address\": \"0xc02a".to_vec(),
            strict_error: &["input:2:", "not a JSON object"],
            lenient_reason: "not a JSON object",
            lenient_records: 1,
        },
        Case {
            name: "one hash in two places",
            format: tx,
            encoding: csv,
            input: tx_csv(&conflicting_row()),
            strict_error: &["input:3:", "is in block 17173049 position 0 at input:2 and in block 17173049 position 5 at input:3"],
            lenient_reason: "conflicting transaction",
            lenient_records: 2,
        },
        Case {
            name: "one hash in two blocks, a row that adds value and fee",
            format: Format::Etherscan,
            encoding: csv,
            input: format!(
                "{etherscan_header},TxnFee(ETH)\n\
                 0xeb107a40ba73a50c79a9f2026e902d758d1c5e5e211f7a7db1b294f88f118dd0,1,100,0xae2fc483527b8ef99eb5d9b44875f005ba1fae13,0x6b75d8af000000e20b7a7ddf000ba900b4009a80,,0,1.5,0.001\n\
                 0xeb107a40ba73a50c79a9f2026e902d758d1c5e5e211f7a7db1b294f88f118dd0,2,200,0xae2fc483527b8ef99eb5d9b44875f005ba1fae13,0x6b75d8af000000e20b7a7ddf000ba900b4009a80,,0,1.5,0.001\n"
            )
            .into_bytes(),
            strict_error: &["input:3:", "is in block 1 at input:2", "and in block 2 at input:3"],
            lenient_reason: "conflicting transaction",
            lenient_records: 1,
        },
        Case {
            name: "bad hex, CRLF line ends",
            format: tx,
            encoding: csv,
            input: String::from_utf8(tx_csv(&GOOD2.replacen("0xec7c", "0xzc7c", 1)))
                .unwrap_or_default()
                .replace('\n', "\r\n")
                .into_bytes(),
            strict_error: &["input:3:", "field `hash`", "invalid hex digit"],
            lenient_reason: "hash: invalid hex digit",
            lenient_records: 2,
        },
        Case {
            name: "missing key in JSON",
            format: Format::EthTransactions,
            encoding: Encoding::JsonLines,
            input: b"{\"hash\": \"0xeb107a40ba73a50c79a9f2026e902d758d1c5e5e211f7a7db1b294f88f118dd0\"}\n".to_vec(),
            strict_error: &["input:1:", "missing key `block_number`"],
            lenient_reason: "missing key `block_number`",
            lenient_records: 0,
        },
    ]
}

#[test]
fn strict_mode_names_file_line_field_and_value() {
    for case in cases() {
        let err = match read(case.format, case.encoding, &case.input, false) {
            Ok(_) => panic!("{}: strict mode accepted bad input", case.name),
            Err(e) => e.to_string(),
        };
        for needle in case.strict_error {
            assert!(
                err.contains(needle),
                "{}: error {err:?} lacks {needle:?}",
                case.name
            );
        }
    }
}

#[test]
fn lenient_mode_counts_and_reports_each_skip() {
    for case in cases() {
        // A whole-file problem (empty file, wrong header) is not a record:
        // lenient mode refuses the file as strict mode does.
        if case.lenient_reason.starts_with("input: ") {
            let err = read(case.format, case.encoding, &case.input, true)
                .err()
                .unwrap_or_else(|| panic!("{}: lenient mode accepted the file", case.name));
            assert_eq!(err.to_string(), case.lenient_reason, "{}", case.name);
            continue;
        }
        let ledger = read(case.format, case.encoding, &case.input, true)
            .unwrap_or_else(|e| panic!("{}: lenient mode failed: {e}", case.name));
        let input = &ledger.inputs()[0];
        assert_eq!(input.records, case.lenient_records, "{}", case.name);
        assert_eq!(
            input.skipped.get(case.lenient_reason),
            Some(&1),
            "{}: skipped = {:?}",
            case.name,
            input.skipped
        );
        assert_eq!(
            input.skipped.values().sum::<u64>(),
            1,
            "{}: {:?}",
            case.name,
            input.skipped
        );
    }
}

#[test]
fn a_conflicting_record_is_left_out_whole() {
    let ledger = read(
        Format::EthTransactions,
        Encoding::Csv,
        &tx_csv(&conflicting_row()),
        true,
    )
    .unwrap_or_else(|e| panic!("lenient mode failed: {e}"));
    assert_eq!(ledger.transfer_count(), 2);
    assert_eq!(ledger.tx_count(), 2);
    let receiver: fundtrace::Address = "0x9999999999999999999999999999999999999999"
        .parse()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ledger.address_id(&receiver), None);
}

#[test]
fn lenient_mode_writes_rejects() {
    let mut rejects = Vec::new();
    let mut b = LedgerBuilder::new();
    let mut o = IngestOptions {
        lenient: true,
        rejects: Some(&mut rejects),
        ..IngestOptions::default()
    };
    let input = tx_csv(&GOOD2.replace(",7400000000000000000,", ",-74,"));
    read_from(
        &mut b,
        "input",
        Format::EthTransactions,
        Encoding::Csv,
        &input[..],
        &mut o,
    )
    .unwrap();
    let text = String::from_utf8(rejects).unwrap();
    assert_eq!(text.lines().count(), 1, "{text}");
    let reject: fundtrace::ingest::RejectRecord =
        serde_json::from_str(text.trim_end()).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(reject.file, "input");
    assert_eq!(reject.line, Some(3));
    assert_eq!(reject.reason, "value: negative amount");
    assert_eq!(
        reject.error,
        "input:3: field `value`: negative amount: \"-74\""
    );
    assert_eq!(
        reject.raw.as_deref(),
        Some(GOOD2.replace(",7400000000000000000,", ",-74,").as_str())
    );
}

fn all_formats() -> Vec<(Format, Encoding)> {
    vec![
        (Format::EthTransactions, Encoding::Csv),
        (Format::EthTransactions, Encoding::JsonLines),
        (Format::EthTokenTransfers, Encoding::Csv),
        (Format::EthTokenTransfers, Encoding::JsonLines),
        (Format::EthTraces, Encoding::Csv),
        (Format::EthTraces, Encoding::JsonLines),
        (Format::Etherscan, Encoding::Csv),
        (Format::Fundtrace, Encoding::JsonLines),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn ingestion_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048), lenient in any::<bool>()) {
        for (format, encoding) in all_formats() {
            let _ = read(format, encoding, &bytes, lenient);
        }
    }

    #[test]
    fn ingestion_never_panics_on_mutated_valid_input(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        lenient in any::<bool>(),
    ) {
        let mut input = tx_csv(GOOD);
        for (at, byte) in flips {
            let i = at.index(input.len());
            input[i] = byte;
        }
        let _ = read(Format::EthTransactions, Encoding::Csv, &input, lenient);
        let _ = read(Format::Etherscan, Encoding::Csv, &input, lenient);
    }
}
