//! Results as plain serde data, and the writers for output formats.
//!
//! Only this module writes output formats. Amounts are written as decimal
//! strings of base units (JSON numbers cannot hold a `u128` exactly in most
//! readers); lists are sorted before they get here, and structs serialize
//! their fields in declaration order, so the same result always gives the
//! same bytes.

pub mod cluster;
pub mod csv;
pub mod demix;
pub mod dot;
mod flowgraph;
pub mod format;
pub mod graphml;
pub mod html;
pub mod inspect;
pub mod ledger_jsonl;
pub mod misp;
pub mod output;
pub mod paths;
pub mod stix;
pub mod text;
pub mod trace;
mod trace_text;
pub mod trace_utxo;

pub use format::{
    write_report, Destination, ExportError, ExportOptions, OutputFormat, UnknownFormat,
};

use std::io::Write;

use serde::Serialize;

pub use crate::amount::amount_string;

pub use crate::provenance::InputDigest;

/// The warnings of a ledger, sorted, each once.
fn sorted_warnings(ledger: &crate::Ledger) -> Vec<String> {
    let mut w = ledger.warnings().to_vec();
    w.sort();
    w.dedup();
    w
}

/// Writes `value` as pretty JSON followed by a newline.
///
/// # Errors
///
/// I/O errors of `out`.
pub fn write_json<T: Serialize>(value: &T, mut out: impl Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut out, value).map_err(std::io::Error::other)?;
    out.write_all(b"\n")
}
