//! The readable summaries: coin units, ISO times, labels, widths, and
//! escaping of untrusted text (a label cannot clear the screen, reorder
//! text or forge a line of the report).

use std::collections::BTreeMap;
use std::fs::File;

use fundtrace::ingest::{read_from, Encoding, Format, IngestOptions};
use fundtrace::labels::{load_csv, Category, Confidence, Label, LabelSet};
use fundtrace::report::inspect::{Inspection, InspectionTable};
use fundtrace::report::text::display_width;
use fundtrace::report::trace::{ComparisonReport, ComparisonSummary, TraceReport, TraceSummary};
use fundtrace::trace::{
    exits_from_labels, trace, trace_all, ExitInfo, Model, Seed, TraceConfig, DEFAULT_STOP_AT,
};
use fundtrace::{Address, Amount, Asset, Ledger, LedgerBuilder, TransferKind, TransferRecord};

const RONIN: &str = "0x098b716b8aaf21512996dc57eb0615e2383e2f96";

fn sample(rel: &str) -> String {
    format!("{}/examples/data/{rel}", env!("CARGO_MANIFEST_DIR"))
}

fn ronin() -> (Ledger, LabelSet) {
    let mut b = LedgerBuilder::new();
    let path = sample("ronin/transactions.csv");
    read_from(
        &mut b,
        &path,
        Format::EthTransactions,
        Encoding::Csv,
        File::open(&path).unwrap(),
        &mut IngestOptions::default(),
    )
    .unwrap();
    let labels = load_csv(sample("ronin/labels.csv")).unwrap();
    (b.build().unwrap(), labels)
}

fn ronin_config(labels: &LabelSet, model: Model) -> TraceConfig {
    TraceConfig::new(model, vec![Seed::parse("ronin-2022", RONIN).unwrap()])
        .unwrap()
        .with_exits(exits_from_labels(labels, &DEFAULT_STOP_AT))
}

fn assert_fits(text: &str, width: usize) {
    assert!(!text.is_empty());
    for line in text.lines() {
        assert!(
            display_width(line) <= width,
            "{} columns > {width}: {line:?}",
            display_width(line)
        );
    }
}

#[test]
fn ronin_summary_is_readable_and_fits_100_columns() {
    let (ledger, labels) = ronin();
    let config = ronin_config(&labels, Model::Haircut);
    let result = trace(&ledger, &config);
    let report = TraceReport::new(&ledger, &config, &result).with_labels(&labels);
    assert_eq!(report.assets["ETH"].symbol, "ETH");
    assert_eq!(report.assets["ETH"].decimals, Some(18));
    let text = format!(
        "{}",
        TraceSummary {
            report: &report,
            top: 10
        }
    );
    println!("{text}");
    assert_fits(&text, 100);
    // Coin units with the symbol, not wei.
    assert!(text.contains("75,243.74658"), "{text}");
    assert!(!text.contains("75243746580000000000000"), "{text}");
    assert!(text.contains("21,629.48215 ETH"), "{text}");
    // ISO 8601 UTC times, not unix seconds.
    assert!(text.contains("2022-03-23T"), "{text}");
    // The seed's label beside it.
    let seed_line = text.lines().find(|l| l.contains(RONIN)).unwrap();
    assert!(seed_line.contains("Ronin Bridge exploiter"), "{seed_line}");
    // Each warning once.
    for w in &report.warnings {
        let head: String = w.chars().take(40).collect();
        assert_eq!(text.matches(head.as_str()).count(), 1, "{w}");
    }
    // Why the trail ends: the history gap, the data's end, no exit reached.
    let why = text.split("why taint stops here:").nth(1).unwrap();
    assert!(why.contains("history gap"), "{why}");
    assert!(
        why.contains("66,577.843497732402352535 ETH (88.4 %)"),
        "{why}"
    );
    assert!(why.contains("sent no taint on in the data"), "{why}");
    assert!(why.contains("exit address(es)"), "{why}");
    // --top holds for holders: 16 in all, 3 shown.
    let short = format!(
        "{}",
        TraceSummary {
            report: &report,
            top: 3
        }
    );
    let holder_rows = short
        .lines()
        .filter(|l| l.trim_end().ends_with("ETH") || l.contains(" ETH  0x"))
        .count();
    assert!(holder_rows <= 3 + 1, "{short}");
    assert!(short.contains("… and 13 more holders"), "{short}");
    // A narrower terminal is honoured too.
    assert_fits(
        &format!(
            "{:72}",
            TraceSummary {
                report: &report,
                top: 10
            }
        ),
        72,
    );
}

#[test]
fn ronin_comparison_fits_100_columns() {
    let (ledger, labels) = ronin();
    let config = ronin_config(&labels, Model::Haircut);
    let results = trace_all(&ledger, &config);
    let report = ComparisonReport::new(&ledger, &config, &results).with_labels(&labels);
    let text = format!(
        "{}",
        ComparisonSummary {
            report: &report,
            top: 10
        }
    );
    println!("{text}");
    assert_fits(&text, 100);
    assert!(text.contains("75,243.74658 ETH"), "{text}");
    assert!(text.contains("clean-first"), "{text}");
    assert!(!text.contains("75243746580000000000000"), "{text}");
    assert_fits(
        &format!(
            "{:60}",
            ComparisonSummary {
                report: &report,
                top: 10
            }
        ),
        60,
    );
}

#[test]
fn inspect_shows_tokens_in_coin_units() {
    let mut b = LedgerBuilder::new();
    for (name, format) in [
        ("bybit/transactions.csv", Format::EthTransactions),
        ("bybit/token_transfers.csv", Format::EthTokenTransfers),
    ] {
        let path = sample(name);
        read_from(
            &mut b,
            &path,
            format,
            Encoding::Csv,
            File::open(&path).unwrap(),
            &mut IngestOptions::default(),
        )
        .unwrap();
    }
    let ledger = b.build().unwrap();
    let address: Address = "0x47666fab8bd0ac7003bce3f5c3585383f09486e2"
        .parse()
        .unwrap();
    let inspection = Inspection::of(&ledger, &address).unwrap();
    let text = format!(
        "{}",
        InspectionTable {
            inspection: &inspection,
            ledger: &ledger
        }
    );
    assert_fits(&text, 100);
    // stETH (18 decimals) in coin units, named by its symbol.
    let steth = text.lines().find(|l| l.contains("stETH")).unwrap();
    assert!(steth.contains("90,375.54791768"), "{text}");
    assert!(
        !text.contains("0xae7ab96520de3a18e5e111b5eaab095312d7fe84"),
        "{text}"
    );
}

// ---- Escaping --------------------------------------------------------------

const EVIL: &str = "Evil\x1b[2J\u{202e}kcab\nFAKE: 0xdead exited 1000000 ETH";

fn addr(n: u8) -> Address {
    Address::Evm([n; 20])
}

fn rec(i: u32, from: Address, to: Address, amount: Amount, asset: Asset) -> TransferRecord {
    let mut hash = [0u8; 32];
    hash[..4].copy_from_slice(&i.to_be_bytes());
    TransferRecord {
        chain: fundtrace::ChainId(0),
        tx_hash: hash,
        block: u64::from(i),
        time: 1_648_000_000 + u64::from(i),
        tx_position: 0,
        kind: if asset == Asset::Native {
            TransferKind::Native
        } else {
            TransferKind::Token
        },
        sub_index: 0,
        from,
        to,
        asset,
        amount,
    }
}

/// 1 → 2 (10 ETH), 2 → 3 (4 ETH, exit), 2 keeps 6; 1 → 4 a token of
/// unknown decimals.
fn small() -> Ledger {
    let mut b = LedgerBuilder::new();
    b.chain("ethereum", "ETH");
    let token = Asset::Token(addr(0xab));
    let eth = 1_000_000_000_000_000_000u128;
    for r in [
        rec(1, addr(9), addr(1), 10 * eth, Asset::Native),
        rec(2, addr(9), addr(1), 5000, token.clone()),
        rec(3, addr(1), addr(2), 10 * eth, Asset::Native),
        rec(4, addr(2), addr(3), 4 * eth, Asset::Native),
        rec(5, addr(1), addr(4), 5000, token),
    ] {
        b.push(r).unwrap();
    }
    b.build().unwrap()
}

fn evil_labels() -> LabelSet {
    let mut set = LabelSet::new();
    for n in [1u8, 2] {
        set.insert(Label {
            address: addr(n),
            chain: "ethereum".into(),
            entity: EVIL.into(),
            category: Category::Exploiter,
            actor: None,
            source: "test".into(),
            confidence: Confidence::parse("50").unwrap(),
            origin: None,
        });
    }
    set
}

#[test]
fn labels_are_escaped_on_one_line_and_cannot_forge_lines() {
    let ledger = small();
    let exits = BTreeMap::from([(
        addr(3),
        ExitInfo {
            label: EVIL.into(),
            category: "exchange".into(),
        },
    )]);
    let config = TraceConfig::new(
        Model::Haircut,
        vec![Seed::parse("x", &addr(1).to_string()).unwrap()],
    )
    .unwrap()
    .with_exits(exits);
    let result = trace(&ledger, &config);
    let report = TraceReport::new(&ledger, &config, &result).with_labels(&evil_labels());
    // The holder got its label.
    assert!(report
        .holders
        .iter()
        .any(|h| h.label.as_deref() == Some(EVIL)));
    for width in [100, 200] {
        let text = format!(
            "{:width$}",
            TraceSummary {
                report: &report,
                top: 10
            }
        );
        println!("{text}");
        assert_fits(&text, width);
        assert!(!text.contains('\x1b'), "{text}");
        assert!(!text.contains('\u{202e}'), "{text}");
        assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text}");
        for line in text.lines() {
            assert!(
                !line.trim_start().starts_with("FAKE"),
                "forged line: {line:?}"
            );
        }
    }
    // At 200 columns the escaped label is whole, on the exit's line and the
    // holder's line.
    let text = format!(
        "{:200}",
        TraceSummary {
            report: &report,
            top: 10
        }
    );
    let escaped = "Evil\\x1b[2J\\u{202e}kcab\\nFAKE: 0xdead exited 1000000 ETH";
    let exit_line = text
        .lines()
        .find(|l| l.contains(&addr(3).to_string()))
        .unwrap();
    assert!(exit_line.contains(escaped), "{exit_line}");
    assert!(exit_line.contains("4 ETH"), "{exit_line}");
    let holder_line = text
        .lines()
        .find(|l| l.contains(&addr(2).to_string()) && l.contains("6 ETH"));
    assert!(holder_line.unwrap().contains(escaped), "{text}");
    // The token of unknown decimals stays in base units, its contract short.
    assert!(text.contains("5,000 0xababab…abab (base units)"), "{text}");
    // Times are ISO 8601 UTC.
    assert!(text.contains("2022-03-23T01:46:4"), "{text}");
}

#[test]
fn user_decimals_override_the_table() {
    let ledger = small();
    let config = TraceConfig::new(
        Model::Haircut,
        vec![Seed::parse("x", &addr(1).to_string()).unwrap()],
    )
    .unwrap();
    let result = trace(&ledger, &config);
    let report = TraceReport::new(&ledger, &config, &result)
        .with_token_decimals(&BTreeMap::from([(addr(0xab), 3)]));
    let name = addr(0xab).to_string();
    assert_eq!(report.assets[&name].decimals, Some(3));
    let text = format!(
        "{}",
        TraceSummary {
            report: &report,
            top: 10
        }
    );
    assert!(text.contains("5 0xababab…abab"), "{text}");
    // JSON keeps base units beside the metadata.
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["totals"]["stolen"][&name], "5000");
    assert_eq!(json["assets"][&name]["decimals"], 3);
    assert_eq!(json["assets"]["ETH"]["symbol"], "ETH");
}
