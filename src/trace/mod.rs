//! Tracing stolen value on account chains: the chronological taint driver
//! and its six models (DESIGN §6).
//!
//! One driver walks the ledger's events in their total order and applies a
//! [`Model`]: [poison](Model::Poison), [haircut](Model::Haircut),
//! [FIFO](Model::Fifo), [LIFO](Model::Lifo), [taint-first](Model::TaintFirst)
//! or [clean-first](Model::CleanFirst). Every (address, asset) holds a purse;
//! stolen value enters at [`Seed`]s and leaves at exits (addresses given an
//! [`ExitInfo`]), the fee and creations sinks, or as dust.
//!
//! A [`TraceConfig`] is validated when built; [`trace`] then cannot fail and
//! returns a [`TraceResult`] in ledger ids, which
//! [`crate::report::trace::TraceReport`] turns into the printed report.
//!
//! # Rules every model shares
//!
//! - Events are taken in the ledger's order (transaction order; within one
//!   transaction its own value, internal transfers, token transfers, fee).
//! - Self-transfers and zero amounts change nothing.
//! - History gaps: a purse that sends more than it holds sends a deficit
//!   lot of unknown origin, taken after all its lots; it is stolen at a seed
//!   address (from the seed's start) and clean anywhere else.
//! - For each transfer, the sender's model decides which parts leave. Then,
//!   in this order: tainted parts that already crossed `max_hops` transfers
//!   stay with the sender (counted as held there) and travel clean; the rest
//!   of the tainted part goes to fees or creations when the receiver is that
//!   sink, to the exit when the receiver is an exit, or is handed over as
//!   clean and counted as dust when below the dust threshold; otherwise it
//!   reaches the receiver with one more hop. Finally, when the receiver is a
//!   seed address from its start on (or the transfer belongs to a theft
//!   transaction), the clean parts it receives become stolen, with zero hops.
//! - Haircut exception: when the floors of `floor(v·T_i/B)` would leave more
//!   clean value in a transfer than the purse holds (only possible when
//!   nearly all of it is tainted), the shortfall is taken from the tainted
//!   amounts in incident order, so value and taint stay exact.
//!
//! # How the walk is made fast
//!
//! - Every purse's balance lives in one flat table of 16-byte entries
//!   (indexed by address × asset, or through per-address lists when a ledger
//!   has many tokens); seeds, purses that meet taint and balances beyond
//!   2^127 move to a small side table. A transfer between ordinary purses is
//!   two reads, a subtraction, an addition and two writes.
//! - Before the walk, one pass over the sender and receiver columns with a
//!   bitset finds every address taint could ever reach (seeds, receivers of
//!   theft transactions, and receivers of transfers from reached addresses,
//!   exits and sinks excepted, since they never hold taint). Transfers with
//!   neither end in that set are skipped: they cannot change any result, so
//!   the answer equals a walk over every event (DESIGN §6), which a test
//!   checks.
//! - Lots: adjacent lots of one source are merged; taint-first and
//!   clean-first keep all clean value as one amount (its order never matters
//!   to them); haircut keeps one amount per incident (per incident and hop
//!   count when hops are limited). Hop counts are only tracked when limited.
//! - Exits are looked up lazily, the first time taint moves towards an
//!   address, so a large label set costs nothing where taint never goes.
//! - History gaps at purses that never held taint are clean by rule and are
//!   neither listed nor counted (counting them would need the skipped events).
//!
//! # Conversions
//!
//! With [`TraceConfig::with_swaps`] and [`TraceConfig::with_conversions`]
//! taint also crosses swaps (asset X for asset Y in one transaction),
//! mixer links ([`links::find_mixer_links`]) and bridge matches
//! ([`crate::heuristics::bridge`]): the source transfers hand their taint
//! over, the target transfers carry `floor(y·t/x)` of it on, and the report
//! lists each conversion. [`convert`] states the rules and the conservation
//! identity that then holds per asset. In probable mode
//! ([`TraceConfig::with_probable`]) the taint no certain link carries out
//! of a pool is spread over the deposit's candidate withdrawals by
//! plausibility and marked probable downstream ([`probable`]).
//!
//! # Example
//!
//! ```
//! use fundtrace::trace::{trace, Model, Seed, TraceConfig};
//! use fundtrace::{Address, Asset, LedgerBuilder, TransferKind, TransferRecord};
//!
//! let thief: Address = "0x1111111111111111111111111111111111111111".parse().unwrap();
//! let mule: Address = "0x2222222222222222222222222222222222222222".parse().unwrap();
//! let mut b = LedgerBuilder::new();
//! let eth = b.chain("ethereum", "ETH");
//! b.push(TransferRecord {
//!     chain: eth, tx_hash: [1; 32], block: 1, time: 100, tx_position: 0,
//!     kind: TransferKind::Native, sub_index: 0,
//!     from: thief.clone(), to: mule.clone(), asset: Asset::Native, amount: 7,
//! }).unwrap();
//! let ledger = b.build().unwrap();
//!
//! let config = TraceConfig::new(Model::Fifo, vec![Seed::parse("x", &thief.to_string()).unwrap()]).unwrap();
//! let result = trace(&ledger, &config);
//! // The thief's 7 were of unknown origin (a history gap at a seed): stolen.
//! let mule_id = ledger.address_id(&mule).unwrap();
//! assert_eq!(result.holders[0].address, mule_id);
//! assert_eq!(result.holders[0].amount, 7);
//! ```

mod books;
mod config;
pub mod convert;
mod driver;
mod exits;
pub mod links;
pub mod probable;
mod result;
mod seed;
pub mod utxo;

pub use config::{ExitInfo, Model, TraceConfig, TraceConfigError, UnknownModel};
pub use convert::{Conversion, ConversionFlow, ConversionKind, Leg};
pub use exits::{exits_from_labels, DEFAULT_STOP_AT};
pub use probable::{ProbableFlow, ProbablePool};
pub use result::{
    AssetTotals, ExitFlow, Flow, Gap, Holding, IncidentIndex, SeedStatus, TraceResult,
};
pub use seed::{parse_seeds, Seed, SeedError, SeedTarget, DEFAULT_INCIDENT};

use crate::ledger::Ledger;

/// Traces the configured seeds through `ledger` under the configured model.
///
/// Cannot fail: seeds the ledger lacks become warnings in the result.
///
/// # Complexity
///
/// One pass over the events up to `until`: O(E) for transfers between
/// purses without taint, plus the model's work on purses holding taint
/// (O(lots taken) for FIFO/LIFO/taint-first/clean-first, O(incidents × hops)
/// for haircut). Memory: 32 bytes per purse plus the books of tainted purses
/// and one flow per tainted transfer.
#[must_use]
pub fn trace(ledger: &Ledger, config: &TraceConfig) -> TraceResult {
    use books::{Haircut, Lots, Split};
    match config.model {
        Model::Poison => driver::run_poison(ledger, config),
        Model::Haircut => driver::run_book::<Haircut>(ledger, config),
        Model::Fifo => driver::run_book::<Lots<false>>(ledger, config),
        Model::Lifo => driver::run_book::<Lots<true>>(ledger, config),
        // `TraceConfig` never holds TIHO (refused by `new`, mapped by
        // `with_model`); taint-first is its account form.
        Model::TaintFirst | Model::Tiho => driver::run_book::<Split<false>>(ledger, config),
        Model::CleanFirst => driver::run_book::<Split<true>>(ledger, config),
    }
}

/// Traces the same seeds under every account model, in [`Model::ACCOUNT`] order.
#[must_use]
pub fn trace_all(ledger: &Ledger, config: &TraceConfig) -> Vec<TraceResult> {
    Model::ACCOUNT
        .iter()
        .map(|&m| trace(ledger, &config.clone().with_model(m)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::{Address, Asset, LedgerBuilder, TransferKind, TransferRecord};
    use proptest::prelude::*;

    fn ledger(moves: &[(u8, u8, bool, u128)]) -> Ledger {
        let moves: Vec<(u8, u8, u128, bool)> = moves
            .iter()
            .map(|&(f, t, token, v)| (f, t, v, token))
            .collect();
        crate::ledger::test_ledger(&moves)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// The dense purse table and the per-address purse lists agree, and so
        /// do the walk that skips unreachable events and the walk over all.
        #[test]
        fn purse_layouts_agree(
            moves in prop::collection::vec((0u8..8, 0u8..8, any::<bool>(), 0u128..100), 1..40),
            dust in prop_oneof![Just(0u128), 0u128..20],
            hops in prop::option::of(0u32..3),
        ) {
            let l = ledger(&moves);
            let seeds = vec![
                Seed::parse("a", &Address::Evm([0; 20]).to_string()).unwrap(),
                Seed::parse("b", &format!("{}@1010", Address::Evm([1; 20]))).unwrap(),
            ];
            for model in Model::ACCOUNT {
                let mut exits = std::collections::BTreeMap::new();
                exits.insert(
                    Address::Evm([5; 20]),
                    ExitInfo { label: "x".into(), category: "exchange".into() },
                );
                let c = TraceConfig::new(model, seeds.clone())
                    .unwrap()
                    .with_exits(exits)
                    .with_dust(dust)
                    .with_max_hops(hops);
                let mut sparse = c.clone();
                sparse.force_sparse = true;
                let mut full = c.clone();
                full.force_full = true;
                let r = trace(&l, &c);
                prop_assert_eq!(&r, &trace(&l, &sparse));
                prop_assert_eq!(&r, &trace(&l, &full));
            }
        }

        /// With swaps and arbitrary conversions (transactions of two
        /// transfers each), the walk that skips unreachable events still
        /// equals the walk over all of them.
        #[test]
        fn skipping_agrees_with_conversions(
            moves in prop::collection::vec((0u8..8, 0u8..8, any::<bool>(), 0u128..100), 1..40),
            pairs in prop::collection::vec((0u8..20, 0u8..20), 0..5),
        ) {
            let mut b = LedgerBuilder::new();
            let eth = b.chain("ethereum", "ETH");
            for (i, &(f, t, token, amount)) in moves.iter().enumerate() {
                let tx = (i / 2) as u8;
                b.push(TransferRecord {
                    chain: eth,
                    tx_hash: [tx; 32],
                    block: u64::from(tx),
                    time: 1000 + u64::from(tx),
                    tx_position: 0,
                    kind: if token { TransferKind::Token } else { TransferKind::Internal },
                    sub_index: i as u32,
                    from: Address::Evm([f; 20]),
                    to: Address::Evm([t; 20]),
                    asset: if token { Asset::Token(Address::Evm([0xee; 20])) } else { Asset::Native },
                    amount,
                })
                .unwrap();
            }
            let l = b.build().unwrap();
            let carries: Vec<Conversion> = pairs
                .iter()
                .map(|&(x, y)| Conversion {
                    kind: ConversionKind::Bridge,
                    source: Leg { tx: [x; 32], from: None, to: None },
                    target: Leg { tx: [y; 32], from: None, to: None },
                    heuristic: "test".into(),
                    confidence: 50,
                })
                .collect();
            let seeds = vec![Seed::parse("a", &Address::Evm([0; 20]).to_string()).unwrap()];
            for model in Model::ACCOUNT {
                let c = TraceConfig::new(model, seeds.clone())
                    .unwrap()
                    .with_swaps(true)
                    .with_conversions(carries.clone());
                let mut full = c.clone();
                full.force_full = true;
                prop_assert_eq!(trace(&l, &c), trace(&l, &full));
            }
        }
    }
}
