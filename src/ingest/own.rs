//! fundtrace's own JSON-lines format.
use std::io::BufRead;

use super::records::Context;
use super::IngestError;
use crate::ledger::LedgerBuilder;

/// One transfer of the own format.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OwnTransfer {}

/// Reads one file.
pub(crate) fn read(
    _b: &mut LedgerBuilder,
    _r: &mut impl BufRead,
    _c: &mut Context<'_, '_>,
) -> Result<(), IngestError> {
    Ok(())
}
