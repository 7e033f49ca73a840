//! Tracing data beyond memory: a Parquet lake partitioned by block range,
//! and the sub-ledger a trace needs extracted from it hop by hop with
//! Apache DataFusion (feature `lake`; `docs/scale.md` has the design and the
//! measured figures).
//!
//! **The lake** is a directory:
//!
//! ```text
//! lake.json                                        the manifest (layout::Manifest)
//! transactions/block_range=<first>-<last>/part-0.parquet
//! token_transfers/block_range=<first>-<last>/part-0.parquet
//! ```
//!
//! Each table has the columns of BigQuery's `crypto_ethereum` export of
//! that name (addresses and hashes as lowercase `0x` strings), the very
//! files `--transactions`/`--token-transfers` read; token transfers also
//! carry `transaction_index`, so each table is placed in event order alone.
//! A partition holds a block range (hive-style directory name, the same
//! ranges in every table); the manifest lists each file with its block
//! range, time range and row count, so a window's end prunes whole
//! partitions before any file is opened. Files carry Parquet bloom filters
//! on their address columns. [`write_lake`] writes one from the synthetic
//! generator.
//!
//! **Extraction** ([`Lake::extract`]): from the investigation's seeds
//! (addresses from their start time, transactions through the rows that
//! deliver their value), each hop queries every table for the rows into
//! and out of the frontier's addresses — clean inflows included, and all
//! of each address's history up to the window's end, because the trace
//! walks from the start of the ledger and the clean balance that stolen
//! value mixes with is part of the answer (DESIGN §10). The reached set
//! grows through the receivers of rows leaving a reached address at or
//! after its earliest arrival (earliest arrivals are relaxed to a fixed
//! point, so a later hop that finds an earlier route re-opens an address's
//! later rows, which were already extracted). Exits (the investigation's
//! [`Investigation::exits`]) are reached but never queried: the value
//! they receive comes with their counterparts' rows, and taint stops there.
//! The extraction stops when a hop reaches no new address (or at
//! [`ExtractOptions::max_hops`]).
//!
//! The rows extracted are written back as Parquet in memory and read by
//! the ordinary ingest path ([`crate::ingest::read_from`]), so the
//! sub-ledger is built exactly as the whole lake would be
//! ([`Lake::load_all`]); [`Investigation::trace`] then traces it. Every
//! address whose taint can differ from zero is in the reached set with
//! every row it touches, so the report is the whole ledger's
//! (`tests/lake.rs` checks this).

mod extract;
pub mod layout;
mod write;

use std::path::{Path, PathBuf};

use datafusion::prelude::{SessionConfig, SessionContext};
use thiserror::Error;

pub use extract::{ExtractOptions, ExtractStats, Extraction, HopStats, IN_LIST_MAX};
pub use layout::{Manifest, Partition, Table};
pub use write::{write_lake, WrittenLake, LAKE_TOKEN};

use crate::ingest::{read_file, Dataset, IngestError, IngestOptions, Source};
use crate::investigation::Investigation;
use crate::LedgerBuilder;

/// Why a lake could not be written, opened or queried.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum LakeError {
    /// A file or directory could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The manifest is not one this build reads.
    #[error("{}: not a fundtrace lake manifest: {problem}", path.display())]
    Manifest {
        /// The manifest's path.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// A table's files lack a column the extraction needs.
    #[error("lake table: {problem}")]
    Schema {
        /// What is missing.
        problem: String,
    },
    /// A value could not be written to the lake.
    #[error("writing the lake: {problem}")]
    Write {
        /// What is wrong.
        problem: String,
    },
    /// The query engine failed.
    #[error("DataFusion: {0}")]
    Engine(#[from] Box<datafusion::error::DataFusionError>),
    /// Arrow failed on the rows.
    #[error("Arrow: {0}")]
    Arrow(#[from] datafusion::arrow::error::ArrowError),
    /// Parquet writing failed.
    #[error("Parquet: {0}")]
    Parquet(#[from] datafusion::parquet::errors::ParquetError),
    /// The extracted rows (or the lake's files) were refused by the ingest
    /// path.
    #[error(transparent)]
    Ingest(#[from] IngestError),
    /// The async runtime could not be started.
    #[error("starting the query runtime: {0}")]
    Runtime(std::io::Error),
}

impl From<datafusion::error::DataFusionError> for LakeError {
    fn from(e: datafusion::error::DataFusionError) -> Self {
        LakeError::Engine(Box::new(e))
    }
}

/// An opened lake: its root and manifest.
#[derive(Clone, Debug)]
pub struct Lake {
    root: PathBuf,
    manifest: Manifest,
}

/// The session configuration extractions run with: two target partitions
/// per core are DataFusion's default; string columns are read as plain
/// strings, not views.
fn session_config() -> SessionConfig {
    let mut config = SessionConfig::new();
    config
        .options_mut()
        .execution
        .parquet
        .schema_force_view_types = false;
    config
}

fn runtime() -> Result<tokio::runtime::Runtime, LakeError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(LakeError::Runtime)
}

impl Lake {
    /// Opens the lake at `root` (reads and checks its manifest).
    ///
    /// # Errors
    ///
    /// As [`Manifest::read`].
    pub fn open(root: impl Into<PathBuf>) -> Result<Self, LakeError> {
        let root = root.into();
        let manifest = Manifest::read(&root)?;
        Ok(Lake { root, manifest })
    }

    /// The lake's root directory.
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The manifest.
    #[must_use]
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Every partition file as an ingest source, tables in
    /// [`Table::ALL`] order, partitions in block order.
    #[must_use]
    pub fn sources(&self) -> Vec<Source> {
        Table::ALL
            .iter()
            .flat_map(|&t| {
                self.manifest
                    .partitions(t)
                    .iter()
                    .map(move |p| Source::new(t.format(), self.root.join(&p.path)))
            })
            .collect()
    }

    /// The whole lake as one in-memory dataset, read file by file through
    /// the ordinary ingest path (what [`Lake::extract`] must agree with).
    ///
    /// # Errors
    ///
    /// As [`crate::ingest::load_dataset`].
    pub fn load_all(&self) -> Result<Dataset, LakeError> {
        let mut builder = LedgerBuilder::new();
        let mut options = IngestOptions::default();
        for s in self.sources() {
            read_file(&mut builder, &s, &mut options)?;
        }
        let ledger = builder.build().map_err(IngestError::from)?;
        Ok(Dataset { ledger, utxo: None })
    }

    /// Extracts the sub-ledger `investigation` needs with DataFusion on
    /// this machine (see the [module docs](self)).
    ///
    /// # Errors
    ///
    /// Query, Arrow and Parquet failures; the ingest path's errors for
    /// rows it refuses.
    pub fn extract(
        &self,
        investigation: &Investigation,
        options: &ExtractOptions,
    ) -> Result<Extraction, LakeError> {
        let ctx = SessionContext::new_with_config(session_config());
        runtime()?.block_on(extract::extract_on(&ctx, self, investigation, options))
    }
}
