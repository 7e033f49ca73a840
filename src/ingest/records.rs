//! Shared record handling: strict/lenient policy, skip counts, rejects and
//! field parsing helpers that turn problems into positioned errors.

use std::collections::BTreeMap;

use super::rejects::RejectRecord;
use super::{IngestError, IngestOptions};
use crate::amount::{parse_decimal_base_units, parse_decimal_units, Amount};
use crate::ledger::{parse_hash32, Address};

/// Longest value quoted back in an error message.
const MAX_QUOTED: usize = 100;

/// Per-file reading state.
pub(crate) struct Context<'o, 'w> {
    pub(crate) path: String,
    options: &'o mut IngestOptions<'w>,
    records: u64,
    skipped: BTreeMap<String, u64>,
    ignored: BTreeMap<String, u64>,
    warnings: BTreeMap<String, u64>,
}

impl<'o, 'w> Context<'o, 'w> {
    pub(crate) fn new(path: String, options: &'o mut IngestOptions<'w>) -> Self {
        Context {
            path,
            options,
            records: 0,
            skipped: BTreeMap::new(),
            ignored: BTreeMap::new(),
            warnings: BTreeMap::new(),
        }
    }

    pub(crate) fn token_decimals(&self, token: &Address) -> Option<u32> {
        self.options.token_decimals.get(token).copied()
    }

    pub(crate) fn gas_prices_wanted(&self) -> bool {
        self.options.gas_prices
    }

    /// What [`super::IngestOptions::parse_threads`] asks for.
    pub(crate) fn parse_threads(&self) -> Option<usize> {
        self.options.parse_threads
    }

    pub(crate) fn fees_wanted(&self) -> bool {
        !self.options.no_fees
    }

    /// Counts an accepted record.
    pub(crate) fn accepted(&mut self) {
        self.records += 1;
    }

    /// Counts a record left out on purpose (not an error).
    pub(crate) fn ignore(&mut self, reason: &str) {
        *self.ignored.entry(reason.to_string()).or_insert(0) += 1;
    }

    /// Records a warning for the ledger; the same warning is given once per
    /// file, with its count.
    pub(crate) fn warn(&mut self, w: &str) {
        *self.warnings.entry(w.to_string()).or_insert(0) += 1;
    }

    /// Strict: returns the error. Lenient: counts it, writes the reject, and
    /// returns `Ok(())` so the reader moves on.
    pub(crate) fn reject(&mut self, err: IngestError, raw: &[u8]) -> Result<(), IngestError> {
        self.reject_with(err, raw, false)
    }

    /// As [`reject`](Self::reject); `truncated` when `raw` is only the
    /// start of an over-long record. The rejects line is JSON (see
    /// [`super::rejects`]); a failed write is an error, lenient or not.
    pub(crate) fn reject_with(
        &mut self,
        err: IngestError,
        raw: &[u8],
        truncated: bool,
    ) -> Result<(), IngestError> {
        if !self.options.lenient {
            return Err(err);
        }
        let reason = err.reason();
        // Contradictions are listed in the ledger and written with the
        // others found at build (`write_conflict_rejects`).
        let listed_later = matches!(err, IngestError::Conflict { .. });
        if let Some(w) = self.options.rejects.as_mut().filter(|_| !listed_later) {
            let raw = raw.strip_suffix(b"\n").unwrap_or(raw);
            let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
            RejectRecord::new(
                &self.path,
                err.line(),
                &reason,
                &err.to_string(),
                Some(raw),
                truncated,
            )
            .write(&mut **w)
            .map_err(|e| IngestError::Io {
                path: "rejects".into(),
                source: e,
            })?;
        }
        *self.skipped.entry(reason).or_insert(0) += 1;
        Ok(())
    }

    pub(crate) fn finish(
        self,
    ) -> (
        u64,
        BTreeMap<String, u64>,
        BTreeMap<String, u64>,
        Vec<String>,
    ) {
        let path = self.path;
        let warnings = self
            .warnings
            .into_iter()
            .map(|(w, n)| format!("{path}: {n} × {w}"))
            .collect();
        (self.records, self.skipped, self.ignored, warnings)
    }

    pub(crate) fn field_error(
        &self,
        line: u64,
        field: &str,
        value: &str,
        problem: impl ToString,
    ) -> IngestError {
        let mut v: String = value.chars().take(MAX_QUOTED).collect();
        if value.chars().count() > MAX_QUOTED {
            v.push('…');
        }
        IngestError::Field {
            path: self.path.clone(),
            line,
            field: field.to_string(),
            value: v,
            problem: problem.to_string(),
        }
    }

    pub(crate) fn conflict(&self, line: u64, source: crate::ledger::LedgerError) -> IngestError {
        IngestError::Conflict {
            path: self.path.clone(),
            line,
            source: Box::new(source),
        }
    }

    pub(crate) fn record_error(&self, line: u64, problem: impl ToString) -> IngestError {
        IngestError::Record {
            path: self.path.clone(),
            line,
            problem: problem.to_string(),
        }
    }

    pub(crate) fn file_error(&self, problem: impl ToString) -> IngestError {
        IngestError::File {
            path: self.path.clone(),
            problem: problem.to_string(),
        }
    }
}

/// Field parsers bound to one record's position.
pub(crate) struct Fields<'c, 'o, 'w> {
    pub(crate) ctx: &'c Context<'o, 'w>,
    pub(crate) line: u64,
}

impl Fields<'_, '_, '_> {
    pub(crate) fn evm_address(&self, field: &str, v: &str) -> Result<Address, IngestError> {
        Address::parse_evm_checked(v).map_err(|e| self.ctx.field_error(self.line, field, v, e))
    }

    /// An address that may be empty (contract creation `to`, reward `from`).
    pub(crate) fn opt_evm_address(
        &self,
        field: &str,
        v: &str,
    ) -> Result<Option<Address>, IngestError> {
        let t = v.trim();
        if t.is_empty() || t == "null" || t == "None" {
            return Ok(None);
        }
        self.evm_address(field, t).map(Some)
    }

    pub(crate) fn hash(&self, field: &str, v: &str) -> Result<[u8; 32], IngestError> {
        parse_hash32(v).map_err(|e| self.ctx.field_error(self.line, field, v, e))
    }

    pub(crate) fn base_units(&self, field: &str, v: &str) -> Result<Amount, IngestError> {
        parse_decimal_base_units(v).map_err(|e| self.ctx.field_error(self.line, field, v, e))
    }

    pub(crate) fn decimal_units(
        &self,
        field: &str,
        v: &str,
        decimals: u32,
    ) -> Result<Amount, IngestError> {
        parse_decimal_units(v, decimals).map_err(|e| self.ctx.field_error(self.line, field, v, e))
    }

    pub(crate) fn uint<T: std::str::FromStr>(
        &self,
        field: &str,
        v: &str,
    ) -> Result<T, IngestError> {
        let t = v.trim();
        // Digits only: `str::parse` would also take a leading `+`.
        let digits = !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        digits
            .then(|| t.parse::<T>().ok())
            .flatten()
            .ok_or_else(|| {
                self.ctx
                    .field_error(self.line, field, v, "not a non-negative integer")
            })
    }
}

/// Numbers identical records of one transaction (0, 1, 2, …) for formats
/// that give no log or trace index, so that they stay distinct transfers;
/// identical records are interchangeable, so the numbering does not depend
/// on row order.
#[derive(Debug)]
pub(crate) struct Occurrences<K>(std::collections::HashMap<K, u32>);

impl<K: std::hash::Hash + Eq> Occurrences<K> {
    pub(crate) fn new() -> Self {
        Occurrences(std::collections::HashMap::new())
    }

    /// How many times `key` was seen before.
    pub(crate) fn next(&mut self, key: K) -> u32 {
        let n = self.0.entry(key).or_insert(0);
        *n += 1;
        *n - 1
    }
}
