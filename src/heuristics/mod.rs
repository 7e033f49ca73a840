//! Heuristics that turn a ledger into facts a trace can use (DESIGN §7):
//! [`bridge`] matches bridge deposits on one chain to releases on another;
//! [`deposit`] finds exchange deposit addresses by their forwards to a
//! hot wallet. Both are pure functions over a [`crate::Ledger`] and return
//! evidence (transactions, amounts, a confidence) with every result.

pub mod bridge;
pub mod cluster;
pub mod coinjoin;
pub mod deposit;
pub mod mixer;
pub mod peel;
