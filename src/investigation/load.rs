//! Loading a dataset with its rejects file: the ingest readers write the
//! records they refuse as they read, and the contradictions found when the
//! ledger is built are added after, all into one file written atomically.
//! Here because it joins `ingest` (reading) and `report::output` (writing),
//! which may not name each other.

use std::io::Write;
use std::path::Path;

use crate::ingest::{self, Dataset, IngestOptions, Source};
use crate::report::output::{write_atomic, OutputError};

/// Loads `sources` as [`ingest::load_dataset`] does, writing every refused
/// record and every contradiction (JSON lines, with their raw text) to
/// `rejects`: a temporary file renamed at the end, so an existing file is
/// only replaced by a complete one. `options.rejects` is replaced.
///
/// # Errors
///
/// [`OutputError`] naming `rejects` when writing fails, or carrying the
/// [`IngestError`](crate::ingest::IngestError) of a failed load (the
/// rejects file is then not written).
///
/// # Example
///
/// ```
/// use fundtrace::ingest::{Format, IngestOptions, Source};
/// use fundtrace::investigation::load_dataset_with_rejects;
/// let dir = std::env::temp_dir().join(format!("fundtrace-doc-rejects-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let rejects = dir.join("rejects.jsonl");
/// let data = load_dataset_with_rejects(
///     &[Source::new(Format::EthTransactions, "examples/data/ronin/transactions.csv")],
///     IngestOptions::default(),
///     &rejects,
/// )?;
/// assert!(data.ledger.transfer_count() > 0);
/// assert!(rejects.exists());
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn load_dataset_with_rejects(
    sources: &[Source],
    options: IngestOptions<'_>,
    rejects: &Path,
) -> Result<Dataset, OutputError> {
    write_atomic(rejects, |w| {
        let mut w = std::io::BufWriter::new(w);
        let options = IngestOptions {
            rejects: Some(&mut w),
            ..options
        };
        let data = ingest::load_dataset(sources, options).map_err(std::io::Error::other)?;
        ingest::write_conflict_rejects(&data.ledger, &mut w).map_err(std::io::Error::other)?;
        w.flush()?;
        Ok(data)
    })
}
