//! Totals that cannot be represented are an error, not a saturation
//! (issue 14, "Checked arithmetic"): a seed that receives more than
//! `u128::MAX` in all, under every model, through the library and the
//! command line; the same ledger one unit short of that is traced.

mod common;

use common::fundtrace;
use fundtrace::ingest::Dataset;
use fundtrace::investigation::{Investigation, InvestigationError};
use fundtrace::report::inspect::Inspection;
use fundtrace::trace::{trace, Model, Seed, TraceConfig};
use fundtrace::{Address, Asset, Ledger, LedgerBuilder, TransferKind, TransferRecord};

const SEED: &str = "0x5555555555555555555555555555555555555555";

fn addr(n: u8) -> Address {
    Address::Evm([n; 20])
}

/// `addr(1)` pays the seed `first`, `addr(2)` pays it `second`, and the
/// seed pays `addr(3)` 7.
fn ledger(first: u128, second: u128) -> Ledger {
    let mut b = LedgerBuilder::new();
    let eth = b.chain("ethereum", "ETH");
    let seed: Address = SEED.parse().unwrap();
    for (i, (from, to, amount)) in [
        (addr(1), seed.clone(), first),
        (addr(2), seed.clone(), second),
        (seed.clone(), addr(3), 7),
    ]
    .into_iter()
    .enumerate()
    {
        b.push(TransferRecord {
            chain: eth,
            tx_hash: [i as u8 + 1; 32],
            block: i as u64,
            time: 1_700_000_000 + i as u64,
            tx_position: 0,
            kind: TransferKind::Native,
            sub_index: 0,
            from,
            to,
            asset: Asset::Native,
            amount,
        })
        .unwrap();
    }
    b.build().unwrap()
}

#[test]
fn a_total_past_u128_max_is_an_error_under_every_model() {
    let over = ledger(u128::MAX - 5, 10);
    let eth = over.asset_by_name("ETH").unwrap();
    for model in Model::ACCOUNT {
        let config = TraceConfig::new(model, vec![Seed::parse("x", SEED).unwrap()]).unwrap();
        let r = trace(&over, &config);
        assert_eq!(r.overflow, Some(eth), "{model:?}");
    }
    let data = Dataset {
        ledger: over,
        utxo: None,
    };
    let inv = Investigation::new().seed(SEED).unwrap();
    let err = inv.trace(&data).unwrap_err();
    assert!(
        matches!(&err, InvestigationError::TotalOverflow { asset, .. } if asset == "ETH"),
        "{err}"
    );
    assert!(
        err.to_string().contains("largest representable amount"),
        "{err}"
    );
    assert!(inv.compare(&data).is_err());
    let inspected = Inspection::of(&data.ledger, &SEED.parse().unwrap()).unwrap_err();
    assert!(inspected.to_string().contains("ETH"), "{inspected}");

    // Exactly u128::MAX in all is representable: traced, nothing saturated.
    let full = ledger(u128::MAX - 10, 10);
    for model in Model::ACCOUNT {
        let config = TraceConfig::new(model, vec![Seed::parse("x", SEED).unwrap()]).unwrap();
        let r = trace(&full, &config);
        assert_eq!(r.overflow, None, "{model:?}");
        let t = r.totals[0].1;
        assert_eq!(t.stolen, u128::MAX, "{model:?}");
        if model != Model::Poison {
            assert_eq!(t.entered(), t.accounted(), "{model:?}");
        }
    }
    let data = Dataset {
        ledger: full,
        utxo: None,
    };
    inv.trace(&data).unwrap();
    Inspection::of(&data.ledger, &SEED.parse().unwrap()).unwrap();
}

#[test]
fn the_command_line_reports_the_overflow() {
    let dir = std::env::temp_dir().join(format!("fundtrace-checked-totals-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("ledger.jsonl");
    let line = |i: u8, from: &str, amount: u128| {
        format!(
            r#"{{"type":"transfer","chain":"ethereum","symbol":"ETH","tx":"0x{}","block":{i},"time":{},"position":0,"kind":"native","index":0,"from":"{from}","to":"{SEED}","asset":"ETH","amount":"{amount}"}}"#,
            format!("{i:02x}").repeat(32),
            1_700_000_000 + u64::from(i)
        )
    };
    std::fs::write(
        &path,
        format!(
            "{}\n{}\n",
            line(
                1,
                "0x1111111111111111111111111111111111111111",
                u128::MAX - 5
            ),
            line(2, "0x2222222222222222222222222222222222222222", 10)
        ),
    )
    .unwrap();
    let p = path.to_str().unwrap();
    for args in [
        &["trace", "--ledger", p, "--seed", SEED][..],
        &["compare", "--ledger", p, "--seed", SEED],
        &["inspect", "--ledger", p, "--address", SEED],
    ] {
        let out = fundtrace(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(
            err.contains("largest representable amount") && !err.contains("panicked"),
            "{args:?}: {err}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap_or_default();
}
