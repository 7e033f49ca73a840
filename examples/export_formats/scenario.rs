//! A small synthetic theft (made here, not real data) whose trace reaches
//! labelled exits: stolen ether split through a peel chain, part swapped
//! for a token, deposited at two exchange addresses of one entity, at an
//! exchange whose label is hostile markup, and at a mixer; the rest held.
//! Shared by the `export_formats` example and `tests/report_formats.rs`.

use std::collections::BTreeMap;

use fundtrace::report::trace::TraceReport;
use fundtrace::trace::{trace, ExitInfo, Model, Seed, TraceConfig};
use fundtrace::{Address, Asset, Ledger, LedgerBuilder, TransferKind, TransferRecord};

/// One ether in wei.
pub const ETH: u128 = 1_000_000_000_000_000_000;
/// The start of the story: 2022-03-23T01:46:40Z.
pub const T0: u64 = 1_648_000_000;
/// A label that must render as text.
pub const HOSTILE_LABEL: &str = "<script>alert(1)</script>";

/// The address `0xnnnn…nn`.
pub fn addr(n: u8) -> Address {
    Address::Evm([n; 20])
}

/// Who is who.
pub const VICTIM: u8 = 0x01;
/// A clean sender.
pub const CLEAN: u8 = 0x02;
/// The thief (the seed).
pub const THIEF: u8 = 0x10;
/// Peel chain and holders.
pub const P1: u8 = 0x11;
/// The swapper.
pub const P2: u8 = 0x12;
/// Second peel.
pub const P3: u8 = 0x13;
/// Gets the rest of the tokens.
pub const FRESH: u8 = 0x14;
/// DEX router and pool.
pub const ROUTER: u8 = 0x40;
/// DEX pool.
pub const POOL: u8 = 0x41;
/// Two deposit addresses of one exchange.
pub const BINANCE_1: u8 = 0xb1;
/// See `BINANCE_1`.
pub const BINANCE_2: u8 = 0xb2;
/// An exchange whose label is markup.
pub const HOSTILE: u8 = 0xe1;
/// A mixer pool.
pub const MIXER: u8 = 0x7c;

/// The token.
pub fn token() -> Asset {
    Asset::Token(addr(0xee))
}

/// The ledger.
pub fn ledger() -> Ledger {
    use TransferKind::{Internal, Native, Token};
    let mut b = LedgerBuilder::new();
    let chain = b.chain("ethereum", "ETH");
    let rows: &[(u8, u64, TransferKind, u8, u8, Asset, u128)] = &[
        (1, 0, Native, VICTIM, THIEF, Asset::Native, 1000 * ETH),
        (2, 1, Native, CLEAN, P1, Asset::Native, 200 * ETH),
        (3, 2, Native, THIEF, P1, Asset::Native, 600 * ETH),
        (4, 3, Native, THIEF, P2, Asset::Native, 400 * ETH),
        (5, 4, Native, P1, BINANCE_1, Asset::Native, 300 * ETH),
        (6, 5, Native, P1, P3, Asset::Native, 500 * ETH),
        (7, 6, Native, P3, HOSTILE, Asset::Native, 200 * ETH),
        (8, 7, Native, P3, MIXER, Asset::Native, 100 * ETH),
        (9, 8, Native, P2, ROUTER, Asset::Native, 400 * ETH),
        (9, 8, Internal, ROUTER, POOL, Asset::Native, 400 * ETH),
        (9, 8, Token, POOL, P2, token(), 1_000_000),
        (11, 10, Token, P2, BINANCE_2, token(), 600_000),
        (12, 11, Token, P2, FRESH, token(), 400_000),
        (13, 12, Token, FRESH, BINANCE_2, token(), 100_000),
    ];
    for (sub, &(tx, hour, kind, from, to, ref asset, amount)) in rows.iter().enumerate() {
        let time = T0 + hour * 3_600;
        b.push(TransferRecord {
            chain,
            tx_hash: [tx; 32],
            block: 14_000_000 + u64::from(tx),
            time,
            tx_position: 0,
            kind,
            sub_index: u32::try_from(sub).unwrap_or(0),
            from: addr(from),
            to: addr(to),
            asset: asset.clone(),
            amount,
        })
        .expect("a valid record");
    }
    b.build().expect("a valid ledger")
}

/// The exits and their labels.
pub fn exits() -> BTreeMap<Address, ExitInfo> {
    let exit = |label: &str, category: &str| ExitInfo {
        label: label.to_string(),
        category: category.to_string(),
    };
    BTreeMap::from([
        (addr(BINANCE_1), exit("Binance", "exchange")),
        (addr(BINANCE_2), exit("Binance", "exchange")),
        (addr(HOSTILE), exit(HOSTILE_LABEL, "exchange")),
        (addr(MIXER), exit("Tornado Cash: 100 ETH", "mixer")),
    ])
}

/// The trace report (haircut, swaps on).
pub fn report() -> TraceReport {
    let l = ledger();
    let seed = Seed::parse("demo-heist", &addr(THIEF).to_string()).expect("a valid seed");
    let config = TraceConfig::new(Model::Haircut, vec![seed])
        .expect("a valid configuration")
        .with_exits(exits())
        .with_swaps(true);
    TraceReport::new(&l, &config, &trace(&l, &config))
}
