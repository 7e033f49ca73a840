#![forbid(unsafe_code)]
#![warn(missing_docs)]
//! fundtrace: trace stolen cryptocurrency through account and UTXO ledgers.
//!
//! Data flows one way: [`ingest`] reads file formats into a [`Ledger`]
//! (interned, validated, time-ordered, built by a [`LedgerBuilder`]); the
//! analysis modules work on `&Ledger` and cannot fail; [`report`] holds the
//! results as plain serde data and writes output formats.
//!
//! Amounts are [`Amount`]s (`u128` base units); ids are `u32` newtypes
//! ([`AddressId`], [`TransferId`], …); transfers are numbered in the one total
//! event order, so comparing two [`TransferId`]s compares their times.
//!
//! ```
//! use fundtrace::ingest::{read_from, Encoding, Format, IngestOptions};
//! use fundtrace::LedgerBuilder;
//!
//! let csv = "hash,block_number,transaction_index,from_address,to_address,value,block_timestamp\n\
//!            0xeb107a40ba73a50c79a9f2026e902d758d1c5e5e211f7a7db1b294f88f118dd0,17173049,0,\
//!            0xae2fc483527b8ef99eb5d9b44875f005ba1fae13,0x6b75d8af000000e20b7a7ddf000ba900b4009a80,1642894143,1683029999\n";
//! let mut builder = LedgerBuilder::new();
//! read_from(&mut builder, "transactions.csv", Format::EthTransactions, Encoding::Csv,
//!           csv.as_bytes(), &mut IngestOptions::default())?;
//! let ledger = builder.build()?;
//! assert_eq!(ledger.transfer_count(), 1);
//! assert_eq!(ledger.amounts()[0], 1_642_894_143);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod amount;
pub mod assets;
pub mod btc;
pub mod gen;
pub mod graph;
pub mod heuristics;
pub mod id;
pub mod ingest;
pub mod labels;
pub mod ledger;
pub mod mixer;
pub mod paths;
pub mod report;
pub mod trace;

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
