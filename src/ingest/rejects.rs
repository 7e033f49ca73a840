//! The rejects file of lenient reading: every skipped record, one JSON
//! object per line, with its raw text.
//!
//! ```text
//! {"file":"tx.csv","line":3,"reason":"value: not a non-negative integer","error":"tx.csv:3: field `value`: …","raw":"0xeb10…,17173049,…"}
//! ```
//!
//! `raw` is the record as it is in the input, without its line end; a
//! record over several lines (a quoted CSV field holding line ends) keeps
//! them, escaped by JSON, so every record is one line of the rejects file
//! and [`RejectRecord`] reads it back exactly. Bytes that are not UTF-8 are
//! shown replaced in `raw` and given exactly in `raw_hex`. A record over the
//! length limit keeps its first bytes (the limit) and `"truncated": true`.
//! Records that contradict another are found only when the ledger is built;
//! [`write_conflict_rejects`] writes them then, reading their raw text
//! again from their files.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufReader, Write};

use serde::{Deserialize, Serialize};

use super::csv_split::{CsvSplitter, SplitError};
use super::{Encoding, HashingReader, IngestError};
use crate::ledger::Ledger;

/// One line of a rejects file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectRecord {
    /// The input the record was read from.
    pub file: String,
    /// The line it starts on (absent for whole-file problems).
    pub line: Option<u64>,
    /// Why it was skipped, as counted in the input's skips.
    pub reason: String,
    /// The full error message.
    pub error: String,
    /// The record's text (`null` when it could not be read again).
    pub raw: Option<String>,
    /// The record's bytes in hex, when they are not UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_hex: Option<String>,
    /// Whether `raw` holds only the start of an over-long record.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
}

impl RejectRecord {
    /// A reject of `raw` (`None` when the text is not at hand).
    #[must_use]
    pub fn new(
        file: &str,
        line: Option<u64>,
        reason: &str,
        error: &str,
        raw: Option<&[u8]>,
        truncated: bool,
    ) -> Self {
        let (raw, raw_hex) = match raw {
            None => (None, None),
            Some(bytes) => match std::str::from_utf8(bytes) {
                Ok(s) => (Some(s.to_string()), None),
                Err(_) => (
                    Some(String::from_utf8_lossy(bytes).into_owned()),
                    Some(hex::encode(bytes)),
                ),
            },
        };
        RejectRecord {
            file: file.to_string(),
            line,
            reason: reason.to_string(),
            error: error.to_string(),
            raw,
            raw_hex,
            truncated,
        }
    }

    /// Writes it as one JSON line.
    ///
    /// # Errors
    ///
    /// Any write error of `w`.
    pub fn write(&self, w: &mut dyn Write) -> std::io::Result<()> {
        serde_json::to_writer(&mut *w, self)?;
        w.write_all(b"\n")
    }
}

fn rejects_error(source: std::io::Error) -> IngestError {
    IngestError::Io {
        path: "rejects".into(),
        source,
    }
}

/// Writes a rejects line for every record [`Ledger::conflicts`] lists, with
/// its raw text read again from its file (when the file can still be read
/// and its SHA-256 is the one recorded; `raw` is `null` otherwise), then
/// flushes `w`.
///
/// Call it after [`LedgerBuilder::build`](crate::LedgerBuilder::build) when
/// reading leniently with a rejects file ([`load`](super::load) does).
///
/// # Errors
///
/// [`IngestError::Io`] when writing to `w` fails (a full disk is an error,
/// not a shorter rejects file).
pub fn write_conflict_rejects(ledger: &Ledger, w: &mut dyn Write) -> Result<(), IngestError> {
    let mut lines: BTreeMap<&str, BTreeSet<u64>> = BTreeMap::new();
    for c in ledger.conflicts() {
        lines
            .entry(c.dropped.path.as_str())
            .or_default()
            .insert(c.dropped.line);
    }
    let mut raw: BTreeMap<(&str, u64), Vec<u8>> = BTreeMap::new();
    for (path, wanted) in &lines {
        let digest = ledger
            .inputs()
            .iter()
            .find(|i| i.path == *path)
            .map(|i| i.sha256.as_str());
        if let Some(found) = reread(path, wanted, digest) {
            for (line, bytes) in found {
                raw.insert((path, line), bytes);
            }
        }
    }
    for c in ledger.conflicts() {
        let text = raw.get(&(c.dropped.path.as_str(), c.dropped.line));
        let error = format!("{c}");
        RejectRecord::new(
            &c.dropped.path,
            Some(c.dropped.line),
            &c.reason,
            &error,
            text.map(Vec::as_slice),
            false,
        )
        .write(w)
        .map_err(rejects_error)?;
    }
    w.flush().map_err(rejects_error)
}

/// The raw records of `path` that start on the `wanted` lines, if the file
/// can be read and its digest is `digest`.
fn reread(path: &str, wanted: &BTreeSet<u64>, digest: Option<&str>) -> Option<Vec<(u64, Vec<u8>)>> {
    let encoding = Encoding::from_path(std::path::Path::new(path)).ok()?;
    let file = File::open(path).ok()?;
    let mut reader = HashingReader::new(BufReader::new(file));
    let mut found = Vec::new();
    match encoding {
        Encoding::Csv => {
            let mut splitter = CsvSplitter::new(&mut reader, 1 << 16);
            loop {
                match splitter.next_record() {
                    Ok(Some(r)) => {
                        if wanted.contains(&r.line) {
                            found.push((r.line, r.raw.to_vec()));
                        }
                    }
                    Ok(None) => break,
                    Err(SplitError::Io(_)) => return None,
                    Err(_) => {}
                }
            }
        }
        // Rejected Parquet rows are written as JSON objects when read.
        Encoding::Parquet => return None,
        Encoding::JsonLines => {
            let mut buf = Vec::new();
            let mut line = 0u64;
            loop {
                let got = super::table::read_line_bounded(&mut reader, &mut buf).ok()?;
                line += 1;
                match got {
                    Ok(false) => break,
                    Ok(true) if wanted.contains(&line) => {
                        let text = buf.strip_suffix(b"\r").unwrap_or(&buf);
                        found.push((line, text.to_vec()));
                    }
                    _ => {}
                }
            }
        }
    }
    std::io::copy(&mut reader, &mut std::io::sink()).ok()?;
    match digest {
        Some(d) if reader.finish_hex() != d => None,
        _ => Some(found),
    }
}
