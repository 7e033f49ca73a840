//! Reading input formats into a [`LedgerBuilder`].
//!
//! Only this module knows file formats and reads files. Each format has its
//! own file; all share the strict/lenient policy, the error type with
//! positions, and the SHA-256 digest computed while the bytes are read.
//!
//! | format | [`Format`] | notes |
//! |---|---|---|
//! | ethereum-etl `transactions` CSV / JSON lines | [`Format::EthTransactions`] | `receipt_status` 0 moves nothing; fees when `receipt_gas_used` is present |
//! | ethereum-etl `token_transfers` | [`Format::EthTokenTransfers`] | one ERC-20 transfer per row |
//! | ethereum-etl `traces` | [`Format::EthTraces`] | internal transfers: status 1, value > 0, non-empty `trace_address` |
//! | Etherscan CSV exports | [`Format::Etherscan`] | normal, internal and token exports, told apart by header |
//! | BigQuery `crypto_ethereum` or cryo tables as Parquet (feature `parquet`) | the three above | same columns and rules, cryo's column names too |
//! | fundtrace JSON lines | [`Format::Fundtrace`] | one record per line (written by `report::ledger_jsonl`); round-trips exactly |

pub mod bitcoin;
mod csv_split;
mod digest;
pub mod ethereum_etl;
pub mod etherscan;
pub mod own;
mod parallel;
#[cfg(feature = "parquet")]
mod parquet_guard;
#[cfg(feature = "parquet")]
mod parquet_input;
mod progress;
mod records;
pub mod rejects;
mod table;
mod time;
pub mod tokens;

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};

use thiserror::Error;

pub use digest::HashingReader;
pub use progress::Progress;
pub use rejects::{write_conflict_rejects, RejectRecord};

use crate::ledger::utxo::{Network, UtxoLedger};
use crate::ledger::{InputFile, Ledger, LedgerBuilder, LedgerError};

/// An input format.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// ethereum-etl / BigQuery `transactions`.
    EthTransactions,
    /// ethereum-etl / BigQuery `token_transfers`.
    EthTokenTransfers,
    /// ethereum-etl / BigQuery `traces`.
    EthTraces,
    /// Etherscan CSV export (normal, internal or token transfers).
    Etherscan,
    /// fundtrace's own JSON lines.
    Fundtrace,
    /// Bitcoin raw blocks or `blk*.dat` records, optionally bzip2.
    BtcBlocks,
    /// Bitcoin Core `getblock <hash> 2` JSON or bitcoin-etl `transactions.json`.
    BtcJson,
}

impl Format {
    /// Whether the format holds Bitcoin (UTXO) data, read by [`load_dataset`]
    /// into a UTXO ledger beside the account ledger.
    #[must_use]
    pub fn is_bitcoin(self) -> bool {
        matches!(self, Format::BtcBlocks | Format::BtcJson)
    }
}

/// How a file's records are encoded.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Encoding {
    /// Comma-separated values with a header line.
    Csv,
    /// One JSON object per line.
    JsonLines,
    /// Apache Parquet (BigQuery exports, cryo datasets); read with the
    /// `parquet` feature, refused with [`IngestError::File`] without it.
    Parquet,
}

/// Why a Parquet input is refused by a build without the `parquet` feature.
pub const NO_PARQUET: &str = "this build of fundtrace reads no Parquet files: build it with the `parquet` feature (cargo build --release --features parquet)";

impl Encoding {
    /// The encoding a path's extension says: `.csv`, `.json`/`.jsonl`/`.ndjson`
    /// or `.parquet`/`.parq`.
    ///
    /// # Errors
    ///
    /// [`IngestError::UnknownEncoding`] for any other extension.
    pub fn from_path(path: &Path) -> Result<Self, IngestError> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("csv") => Ok(Encoding::Csv),
            Some("json" | "jsonl" | "ndjson") => Ok(Encoding::JsonLines),
            Some("parquet" | "parq") => Ok(Encoding::Parquet),
            _ => Err(IngestError::UnknownEncoding {
                path: path.display().to_string(),
            }),
        }
    }
}

/// One input file and its format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// Path of the file.
    pub path: PathBuf,
    /// What it holds.
    pub format: Format,
}

impl Source {
    /// A source of the given format.
    pub fn new(format: Format, path: impl Into<PathBuf>) -> Self {
        Source {
            path: path.into(),
            format,
        }
    }
}

/// Options shared by every reader.
#[derive(Default)]
pub struct IngestOptions<'w> {
    /// Skip bad records (counted per reason) instead of stopping at the first.
    pub lenient: bool,
    /// In lenient mode, where to write each rejected record: one JSON
    /// object per line with its file, line, reason and raw text (see
    /// [`rejects`]). Records that contradict others are found when the
    /// ledger is built: [`load`] writes them then; callers that build the
    /// ledger themselves call [`write_conflict_rejects`] after `build`.
    /// Write errors are errors.
    pub rejects: Option<&'w mut dyn Write>,
    /// Leave out gas fees even when the data has them.
    pub no_fees: bool,
    /// Decimals of tokens in Etherscan token exports (which do not say),
    /// beyond the built-in table of well-known tokens.
    pub token_decimals: BTreeMap<crate::Address, u32>,
    /// Height of the first raw Bitcoin block, when it is not the genesis
    /// block or its child (and its coinbase has no BIP34 height).
    pub btc_height: Option<u64>,
    /// Bitcoin network, for address forms.
    pub btc_network: Network,
    /// Where to count the bytes read, for a progress display.
    pub progress: Option<std::sync::Arc<Progress>>,
    /// Keep each transaction's gas price (ethereum-etl `gas_price`, else
    /// `receipt_effective_gas_price`), for the unique-gas-price mixer
    /// heuristic ([`crate::Ledger::gas_price`]); off by default (16 bytes
    /// per transaction).
    pub gas_prices: bool,
    /// Threads that decode CSV `transactions` records beside the one that
    /// reads the file and builds the ledger: `None` for one per core when
    /// the process may run on more than one (none on one core), `Some(0)`
    /// to read on one thread. The ledger, counts, rejects and errors are
    /// the same whatever the number (see `ingest::parallel`).
    pub parse_threads: Option<usize>,
}

impl std::fmt::Debug for IngestOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IngestOptions")
            .field("lenient", &self.lenient)
            .field("rejects", &self.rejects.is_some())
            .field("no_fees", &self.no_fees)
            .field("token_decimals", &self.token_decimals)
            .field("btc_height", &self.btc_height)
            .field("btc_network", &self.btc_network)
            .field("progress", &self.progress.as_ref().map(|p| p.bytes()))
            .field("gas_prices", &self.gas_prices)
            .field("parse_threads", &self.parse_threads)
            .finish()
    }
}

/// An input problem, with where it is.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum IngestError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// File.
        path: String,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// The extension does not say CSV or JSON lines.
    #[error(
        "{path}: cannot tell the encoding (expected .csv, .json, .jsonl, .ndjson or .parquet)"
    )]
    UnknownEncoding {
        /// File.
        path: String,
    },
    /// A field holds a value that cannot be used.
    #[error("{path}:{line}: field `{field}`: {problem}: {value:?}")]
    Field {
        /// File.
        path: String,
        /// Line (1-based; the header is line 1 in CSV files).
        line: u64,
        /// Column or key name.
        field: String,
        /// The offending value (cut to 100 characters).
        value: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A record as a whole is malformed (missing column, bad JSON, bad UTF-8, …).
    #[error("{path}:{line}: {problem}")]
    Record {
        /// File.
        path: String,
        /// Line (1-based).
        line: u64,
        /// What is wrong.
        problem: String,
    },
    /// The file as a whole is unusable (empty, wrong header).
    #[error("{path}: {problem}")]
    File {
        /// File.
        path: String,
        /// What is wrong.
        problem: String,
    },
    /// A Parquet file's structure is unusable (not Parquet, truncated,
    /// corrupt, missing columns, wrong column types), with where it is.
    #[error("{path}: {}{problem}", at.prefix())]
    Parquet {
        /// File.
        path: String,
        /// Row group, row and column, where known (boxed: errors stay small).
        at: Box<ParquetPlace>,
        /// What is wrong.
        problem: String,
    },
    /// A record contradicts an earlier one (same transaction in two blocks, …).
    #[error("{path}:{line}: {source}")]
    Conflict {
        /// File.
        path: String,
        /// Line.
        line: u64,
        /// The contradiction (boxed: it holds both records' places).
        #[source]
        source: Box<LedgerError>,
    },
    /// The records could not be combined into a ledger.
    #[error(transparent)]
    Ledger(Box<LedgerError>),
}

impl From<LedgerError> for IngestError {
    fn from(e: LedgerError) -> Self {
        IngestError::Ledger(Box::new(e))
    }
}

impl IngestError {
    /// Where the problem is: file, and line, field and value when known.
    #[must_use]
    pub fn position(&self) -> Option<crate::error::Position> {
        use crate::error::Position;
        match self {
            IngestError::Io { path, .. }
            | IngestError::UnknownEncoding { path }
            | IngestError::File { path, .. } => Some(Position::file(path.clone())),
            IngestError::Field {
                path,
                line,
                field,
                value,
                ..
            } => Some(Position::line(path.clone(), *line).with_field(field.clone(), value.clone())),
            IngestError::Record { path, line, .. } | IngestError::Conflict { path, line, .. } => {
                Some(Position::line(path.clone(), *line))
            }
            IngestError::Parquet { path, at, .. } => Some(Position {
                file: path.clone(),
                line: at.row,
                field: at.column.clone(),
                ..Position::default()
            }),
            IngestError::Ledger(_) => None,
        }
    }
}

impl IngestError {
    /// The line the problem is on, when it concerns one record.
    #[must_use]
    pub fn line(&self) -> Option<u64> {
        match self {
            IngestError::Field { line, .. }
            | IngestError::Record { line, .. }
            | IngestError::Conflict { line, .. } => Some(*line),
            IngestError::Parquet { at, .. } => at.row,
            _ => None,
        }
    }

    /// A short reason, used as the key of lenient-mode skip counts.
    #[must_use]
    pub fn reason(&self) -> String {
        match self {
            IngestError::Field { field, problem, .. } => format!("{field}: {problem}"),
            IngestError::Record { problem, .. } => {
                // Keep the key short and free of record-specific detail.
                problem.split(':').next().unwrap_or(problem).to_string()
            }
            IngestError::Conflict { source, .. } => match **source {
                LedgerError::ConflictingTransaction { .. } => "conflicting transaction".into(),
                LedgerError::ConflictingBlockTime { .. } => "conflicting block time".into(),
                LedgerError::ConflictingTransfer { .. } => "conflicting transfer".into(),
                LedgerError::BackwardsBlockTime { .. } => "backwards block time".into(),
                _ => "ledger limit".into(),
            },
            other => other.to_string(),
        }
    }
}

/// Reads every source into one ledger.
///
/// # Errors
///
/// The first [`IngestError`] in strict mode; in lenient mode only errors that
/// concern a whole file (unreadable, empty, wrong header) or the ledger.
///
/// # Examples
///
/// ```no_run
/// use fundtrace::ingest::{load, Format, IngestOptions, Source};
/// let ledger = load(
///     &[Source::new(Format::EthTransactions, "examples/data/ronin/transactions.csv")],
///     IngestOptions::default(),
/// )?;
/// println!("{} transfers", ledger.transfer_count());
/// # Ok::<(), fundtrace::ingest::IngestError>(())
/// ```
pub fn load(sources: &[Source], mut options: IngestOptions<'_>) -> Result<Ledger, IngestError> {
    let mut builder = LedgerBuilder::new();
    for source in sources {
        read_file(&mut builder, source, &mut options)?;
    }
    let ledger = builder.build()?;
    if let Some(w) = options.rejects.as_mut() {
        write_conflict_rejects(&ledger, &mut **w)?;
    }
    Ok(ledger)
}

/// Every input of an investigation, read: one account ledger and, when
/// Bitcoin inputs were given, their UTXO ledger.
#[derive(Debug)]
pub struct Dataset {
    /// Every input as account-style transfers (Bitcoin as its address-level
    /// view), with every input file's digest and skip counts.
    pub ledger: Ledger,
    /// The Bitcoin inputs as a UTXO ledger, for output-level tracing.
    pub utxo: Option<UtxoLedger>,
}

/// Reads every source: account formats into one ledger, Bitcoin formats
/// into a UTXO ledger whose address-level view joins the account ledger.
///
/// # Errors
///
/// As [`load`], and [`IngestError::File`] for Bitcoin data that does not
/// form one chain.
///
/// # Example
///
/// ```
/// use fundtrace::ingest::{load_dataset, Format, IngestOptions, Source};
/// let data = load_dataset(
///     &[Source::new(Format::EthTransactions, "examples/data/ronin/transactions.csv")],
///     IngestOptions::default(),
/// )?;
/// assert!(data.utxo.is_none());
/// assert!(data.ledger.transfer_count() > 0);
/// # Ok::<(), fundtrace::ingest::IngestError>(())
/// ```
pub fn load_dataset(
    sources: &[Source],
    mut options: IngestOptions<'_>,
) -> Result<Dataset, IngestError> {
    let mut builder = LedgerBuilder::new();
    let mut btc = Vec::new();
    for source in sources {
        match source.format {
            Format::BtcBlocks => btc.push((bitcoin::BtcFormat::Blocks, source.path.clone())),
            Format::BtcJson => btc.push((bitcoin::BtcFormat::Json, source.path.clone())),
            _ => read_file(&mut builder, source, &mut options)?,
        }
    }
    let utxo = if btc.is_empty() {
        None
    } else {
        let load = bitcoin::load_utxo(&btc, options.btc_height, options.btc_network)?;
        if let Some(p) = &options.progress {
            // Bitcoin files are read whole; count them when done.
            for (_, path) in &btc {
                p.add(std::fs::metadata(path).map_or(0, |m| m.len()));
            }
        }
        bitcoin::add_address_view(&mut builder, &load)?;
        Some(load.ledger)
    };
    Ok(Dataset {
        ledger: builder.build()?,
        utxo,
    })
}

/// Reads one file into `builder` and records its digest and counts there.
///
/// # Errors
///
/// As [`load`].
pub fn read_file(
    builder: &mut LedgerBuilder,
    source: &Source,
    options: &mut IngestOptions<'_>,
) -> Result<(), IngestError> {
    let path_str = source.path.display().to_string();
    if source.format.is_bitcoin() {
        return Err(IngestError::File {
            path: path_str,
            problem: "Bitcoin inputs form a UTXO ledger: read them with load_dataset".into(),
        });
    }
    let encoding = Encoding::from_path(&source.path)?;
    if encoding == Encoding::Parquet
        && !matches!(
            source.format,
            Format::EthTransactions | Format::EthTokenTransfers | Format::EthTraces
        )
    {
        return Err(IngestError::File {
            path: path_str,
            problem: "Parquet files are read as transactions, token transfers or traces (BigQuery crypto_ethereum or cryo tables)".into(),
        });
    }
    if source.format == Format::Etherscan && encoding != Encoding::Csv {
        return Err(IngestError::File {
            path: path_str,
            problem: "Etherscan exports are CSV files".into(),
        });
    }
    let file = File::open(&source.path).map_err(|e| IngestError::Io {
        path: path_str.clone(),
        source: e,
    })?;
    read_from(builder, &path_str, source.format, encoding, file, options)
}

/// Reads from any reader (not only a file), recording the input under `name`
/// with its digest and counts.
///
/// # Errors
///
/// As [`load`].
pub fn read_from(
    builder: &mut LedgerBuilder,
    name: &str,
    format: Format,
    encoding: Encoding,
    input: impl Read,
    options: &mut IngestOptions<'_>,
) -> Result<(), IngestError> {
    let input: Box<dyn Read + '_> = match &options.progress {
        Some(p) => Box::new(progress::CountingReader::new(
            input,
            std::sync::Arc::clone(p),
        )),
        None => Box::new(input),
    };
    let mut reader = HashingReader::new(BufReader::with_capacity(table::READ_BUFFER, input));
    builder.begin_input(name, options.lenient);
    let mut ctx = records::Context::new(name.to_string(), options);
    match format {
        Format::EthTransactions => {
            ethereum_etl::read_transactions(builder, &mut reader, encoding, &mut ctx)?
        }
        Format::EthTokenTransfers => {
            ethereum_etl::read_token_transfers(builder, &mut reader, encoding, &mut ctx)?
        }
        Format::EthTraces => ethereum_etl::read_traces(builder, &mut reader, encoding, &mut ctx)?,
        Format::Etherscan => etherscan::read(builder, &mut reader, &mut ctx)?,
        Format::Fundtrace => own::read(builder, &mut reader, &mut ctx)?,
        Format::BtcBlocks | Format::BtcJson => {
            return Err(IngestError::File {
                path: name.to_string(),
                problem: "Bitcoin inputs form a UTXO ledger: read them with load_dataset".into(),
            })
        }
    }
    // Transactions are checked against earlier records when the builder
    // settles; settle now, so contradictions are told with this file's
    // name. (In lenient mode the builder drops the record read later,
    // counts it in this input's skips and lists it in the ledger.)
    builder.settle()?;
    if let Some((origin, source)) = builder.take_conflicts().into_iter().next() {
        return Err(IngestError::Conflict {
            path: name.to_string(),
            line: origin.line(),
            source: Box::new(source),
        });
    }
    // Read whatever a reader left unread so the digest covers every byte.
    std::io::copy(&mut reader, &mut std::io::sink()).map_err(|e| IngestError::Io {
        path: name.to_string(),
        source: e,
    })?;
    let (records, skipped, ignored, warnings) = ctx.finish();
    for w in warnings {
        builder.warn(w);
    }
    builder.add_input(InputFile {
        path: name.to_string(),
        sha256: reader.finish_hex(),
        records,
        skipped,
        ignored,
    });
    Ok(())
}

/// Where in a Parquet file a problem is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParquetPlace {
    /// Row group (0-based), when the problem is in one.
    pub row_group: Option<usize>,
    /// Row (1-based, counted across row groups), when known.
    pub row: Option<u64>,
    /// Column, when the problem is in one.
    pub column: Option<String>,
}

impl ParquetPlace {
    /// `row group 1, row 4097, column `value`: `, or nothing.
    #[must_use]
    pub fn prefix(&self) -> String {
        let mut parts = Vec::new();
        if let Some(g) = self.row_group {
            parts.push(format!("row group {g}"));
        }
        if let Some(r) = self.row {
            parts.push(format!("row {r}"));
        }
        if let Some(c) = &self.column {
            parts.push(format!("column `{c}`"));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("{}: ", parts.join(", "))
        }
    }
}

/// Skip counts by reason, as carried in reports.
pub type SkipCounts = BTreeMap<String, u64>;
