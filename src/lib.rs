#![forbid(unsafe_code)]
#![warn(missing_docs)]
//! fundtrace: trace stolen cryptocurrency through account and UTXO ledgers.
//!
//! # The principal types
//!
//! | type | what it is |
//! |---|---|
//! | [`ingest::Dataset`] | every input read: an account [`Ledger`] and, for Bitcoin, a [`ledger::utxo::UtxoLedger`] ([`ingest::load_dataset`]) |
//! | [`Ledger`] | interned, validated, time-ordered transfers (built by a [`LedgerBuilder`]) |
//! | [`investigation::Investigation`] | **the entry point**: seeds, labels, model, stop set, limits, demixing, bridges; validated once, then `trace` or `compare` |
//! | [`trace::Seed`] | where stolen value enters: `ADDR`, `ADDR@TIME`, `tx:0xHASH`, `TXID:VOUT`, with an incident name |
//! | [`trace::Model`] | the taint model: poison, haircut, FIFO, LIFO, taint-first, clean-first (accounts), TIHO (UTXO) |
//! | [`labels::LabelSet`] | address labels from CSV, JSON, lists and TagPacks, with conflicts kept |
//! | [`report::trace::TraceReport`] | the result, the same for account and UTXO chains: totals, exits, holders, flows with transaction ids, gaps, input digests |
//! | [`graph::TransferGraph`] / [`paths::PathQuery`] | the CSR graph and time-respecting paths and flows over it |
//! | [`Amount`] | `u128` base units; every split exact |
//!
//! Data flows one way: [`ingest`] reads file formats into ledgers; the
//! analysis modules ([`graph`], [`paths`], [`trace`], [`heuristics`],
//! [`labels`]) work on them and cannot fail once a configuration is
//! validated; [`report`] holds the results as plain serde data and writes
//! output formats. Ids are `u32` newtypes ([`AddressId`], [`TransferId`], …);
//! transfers are numbered in the one total event order, so comparing two
//! [`TransferId`]s compares their times.
//!
//! # A trace, end to end
//!
//! Load the shipped Bybit sample, trace the exploiter's funds under FIFO,
//! and read where they are held and where they left:
//!
//! ```
//! use fundtrace::ingest::{load_dataset, Format, IngestOptions, Source};
//! use fundtrace::investigation::Investigation;
//! use fundtrace::labels::{load_path, LoadOptions};
//! use fundtrace::trace::Model;
//!
//! let data = load_dataset(
//!     &[
//!         Source::new(Format::EthTransactions, "examples/data/bybit/transactions.csv"),
//!         Source::new(Format::EthTokenTransfers, "examples/data/bybit/token_transfers.csv"),
//!     ],
//!     IngestOptions::default(),
//! )?;
//! let labels = load_path("examples/data/bybit/labels.csv", None, &LoadOptions::default())?;
//! let report = Investigation::new()
//!     .seed_of("bybit-2025", "0x47666fab8bd0ac7003bce3f5c3585383f09486e2")?
//!     .labels(labels.clone())
//!     .model(Model::Fifo)
//!     .trace(&data)?;
//! for h in report.holders.iter().take(3) {
//!     let label = h.address.parse().ok().and_then(|a| labels.decisive_label(&a).map(|l| l.entity.clone()));
//!     println!("{} holds {} {} ({})", h.address, h.amount, h.asset, label.unwrap_or_default());
//! }
//! assert!(!report.holders.is_empty());
//! for e in &report.exits {
//!     println!("{} ({}) received {} {}", e.address, e.label, e.amount, e.asset);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The same [`investigation::Investigation`] traces Bitcoin data (seeds
//! `TXID:VOUT` or addresses, model TIHO allowed) into the same report.

pub mod amount;
pub mod assets;
pub mod error;
pub mod graph;
pub mod heuristics;
pub mod id;
pub mod ingest;
pub mod investigation;
pub mod labels;
#[cfg(feature = "lake")]
pub mod lake;
pub mod ledger;
pub mod paths;
pub mod provenance;
pub mod report;
pub mod synth;
pub mod trace;
pub mod verify;

pub use amount::Amount;
pub use id::{AddressId, AssetId, ChainId, TransferId, TxIndex};
pub use ledger::{
    Address, Asset, Ledger, LedgerBuilder, LedgerError, Movement, Sink, Transfer, TransferKind,
    TransferRecord,
};

/// The README's examples, run as doctests so the README stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
