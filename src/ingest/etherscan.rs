//! Etherscan CSV exports.
use std::io::BufRead;

use super::records::Context;
use super::IngestError;
use crate::ledger::LedgerBuilder;

/// Reads one export.
pub(crate) fn read(
    _b: &mut LedgerBuilder,
    _r: &mut impl BufRead,
    _c: &mut Context<'_, '_>,
) -> Result<(), IngestError> {
    Ok(())
}
