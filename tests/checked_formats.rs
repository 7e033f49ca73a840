//! Checked formats (issue 14, "Checked arithmetic and formats"): EIP-55
//! checksums verified when an address is given in mixed case (command line
//! and the own format; one case carries no checksum), start heights near
//! 2^64 refused, and no message showing a placeholder position or an
//! internal address id. Impossible dates and backwards block times are
//! covered by `tests/lenient.rs`.

mod common;

use std::path::PathBuf;

use common::fundtrace;
use fundtrace::graph::TransferGraph;
use fundtrace::ingest::bitcoin::{chain_records, genesis_block};
use fundtrace::ingest::{load, Format, IngestOptions, Source};
use fundtrace::investigation::AddressSpec;
use fundtrace::ledger::utxo::Network;
use fundtrace::paths::PathQuery;
use fundtrace::trace::Seed;
use fundtrace::Address;

/// The EIP-55 test vector, with the right checksum case and with the last
/// letter's case flipped.
const GOOD: &str = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
const BAD: &str = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD";
const LOWER: &str = "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed";
const UPPER: &str = "0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED";
const TX: &str = "examples/data/bybit/transactions.csv";
const BLOCKS: &str = "tests/data/bitcoin_raw/btcd/database__testdata__blocks1-256.bz2";

fn dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("fundtrace-checked-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn mixed_case_addresses_on_the_command_line_must_carry_their_checksum() {
    // The library's parsers of command-line values.
    for ok in [GOOD, LOWER, UPPER] {
        assert!(ok.parse::<Address>().is_ok(), "{ok}");
        assert!(ok.parse::<AddressSpec>().is_ok(), "{ok}");
        assert!(Seed::parse("case", ok).is_ok(), "{ok}");
    }
    let a = BAD.parse::<Address>().unwrap_err().to_string();
    assert!(a.contains("EIP-55") && a.contains(GOOD), "{a}");
    let s = BAD.parse::<AddressSpec>().unwrap_err().to_string();
    assert!(s.contains("EIP-55"), "{s}");
    let seed = Seed::parse("case", BAD).unwrap_err().to_string();
    assert!(seed.contains("EIP-55"), "{seed}");
    // Every command that takes an address.
    let bridge = format!("{BAD}:{LOWER}");
    let runs: [&[&str]; 5] = [
        &["trace", "--transactions", TX, "--seed", BAD],
        &["inspect", "--transactions", TX, "--address", BAD],
        &["paths", "--transactions", TX, "--from", BAD, "--to", LOWER],
        &["demix", "--pool", BAD],
        &[
            "trace",
            "--transactions",
            TX,
            "--seed",
            LOWER,
            "--bridge",
            &bridge,
        ],
    ];
    for args in runs {
        let out = fundtrace(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} accepted");
        assert!(err.contains("EIP-55"), "{args:?}: {err}");
    }
    // One case is no checksum: accepted.
    let out = fundtrace(&["inspect", "--transactions", TX, "--address", UPPER]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_own_format_checks_mixed_case_addresses() {
    let d = dir("own");
    let line = |from: &str| {
        format!(
            r#"{{"type":"transfer","chain":"ethereum","symbol":"ETH","tx":"0x{}","block":100,"time":1700000000,"position":0,"kind":"native","index":0,"from":"{from}","to":"{LOWER}","asset":"ETH","amount":"5"}}"#,
            "ab".repeat(32)
        )
    };
    let bad = d.join("bad.jsonl");
    std::fs::write(&bad, format!("{}\n", line(BAD))).unwrap();
    let err = load(
        &[Source::new(Format::Fundtrace, bad)],
        IngestOptions::default(),
    )
    .err()
    .unwrap_or_else(|| panic!("accepted"))
    .to_string();
    assert!(
        err.contains("EIP-55") && err.contains("bad.jsonl:1"),
        "{err}"
    );
    for (name, from) in [("good", GOOD), ("upper", UPPER)] {
        let p = d.join(format!("{name}.jsonl"));
        std::fs::write(&p, format!("{}\n", line(from))).unwrap();
        let l = load(
            &[Source::new(Format::Fundtrace, p)],
            IngestOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(l.transfer_count(), 1);
    }
    std::fs::remove_dir_all(&d).unwrap_or_default();
}

#[test]
fn start_heights_near_two_to_the_64_are_refused() {
    let blocks = [genesis_block(), genesis_block()];
    let err = chain_records(&blocks, u64::MAX, Network::Mainnet).unwrap_err();
    assert!(err.to_string().contains("2^64"), "{err}");
    assert!(chain_records(&blocks, u64::MAX - 1, Network::Mainnet).is_ok());
    for h in ["18446744073709551615", "18446744073709551600"] {
        let out = fundtrace(&[
            "inspect",
            "--btc-blocks",
            BLOCKS,
            "--btc-height",
            h,
            "--address",
            "1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3",
        ]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{h}: accepted");
        assert!(
            !err.contains("panicked") && err.contains("2^64"),
            "{h}: {err}"
        );
    }
    // Past u64 is a usage error, not a wrap.
    let out = fundtrace(&[
        "inspect",
        "--btc-blocks",
        BLOCKS,
        "--btc-height",
        "18446744073709551616",
        "--address",
        "1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn messages_show_no_placeholder_position_and_no_internal_ids() {
    // Etherscan rows carry no position: a transaction in two blocks.
    let d = dir("placeholder");
    let p = d.join("export.csv");
    std::fs::write(
        &p,
        format!(
            "Txhash,Blockno,UnixTimestamp,From,To,ContractAddress,Value_IN(ETH),Value_OUT(ETH)\n\
             0x{h},100,1700000000,{LOWER},{GOOD},,1,0\n\
             0x{h},101,1700000012,{LOWER},{GOOD},,1,0\n",
            h = "cd".repeat(32)
        ),
    )
    .unwrap();
    let err = load(
        &[Source::new(Format::Etherscan, p)],
        IngestOptions::default(),
    )
    .err()
    .unwrap_or_else(|| panic!("accepted"))
    .to_string();
    assert!(
        err.contains("block 100") && err.contains("block 101"),
        "{err}"
    );
    assert!(
        !err.contains("4294967295") && !err.contains("position"),
        "{err}"
    );
    std::fs::remove_dir_all(&d).unwrap_or_default();
    // A source that is also a target is named by its address.
    let l = load(
        &[Source::new(Format::EthTransactions, TX)],
        IngestOptions::default(),
    )
    .unwrap();
    let g = TransferGraph::new(&l);
    let a = l.transfers().next().unwrap().from;
    let err = PathQuery::on(&g)
        .from([a])
        .to([a])
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(&l.address(a).to_string()) && !err.contains(" id "),
        "{err}"
    );
}
