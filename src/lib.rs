#![forbid(unsafe_code)]
#![warn(missing_docs)]
//! fundtrace: trace stolen cryptocurrency through account and UTXO ledgers.
//!
//! Data flows one way: [`ingest`] reads file formats into a [`Ledger`]
//! (interned, validated, time-ordered); [`graph`] builds compact adjacency
//! views over it; the analysis modules trace, search and cluster; `report`
//! turns results into plain serde data and writes output formats.

pub mod amount;
pub mod btc;
pub mod id;
pub mod ledger;

pub use amount::Amount;
pub use id::{AddressId, AssetId, ChainId, TransferId, TxIndex};
pub use ledger::{
    Address, Asset, Ledger, LedgerBuilder, LedgerError, Sink, Transfer, TransferKind,
    TransferRecord,
};
