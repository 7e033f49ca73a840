//! The output formats of a trace report and the one function that writes a
//! report in any of them.
//!
//! Single-file formats (`text`, `json`, `html`, `dot`, `graphml`, `stix`,
//! `misp`) go to a writer; `csv` is several files (flows, exits, holders
//! and the per-entity evidence lists) and goes into a directory.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use thiserror::Error;

use super::html::HtmlOptions;
use super::trace::{TraceReport, TraceSummary};

/// An output format of `trace` (`--format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OutputFormat {
    /// The readable summary.
    Text,
    /// The report as JSON (the reference form).
    Json,
    /// CSV files and evidence lists, into a directory.
    Csv,
    /// One self-contained HTML page with the flow drawn as SVG.
    Html,
    /// Graphviz DOT.
    Dot,
    /// GraphML.
    Graphml,
    /// A STIX 2.1 bundle.
    Stix,
    /// A MISP event.
    Misp,
}

impl OutputFormat {
    /// Every format, in the order `--help` lists them.
    pub const ALL: [OutputFormat; 8] = [
        OutputFormat::Text,
        OutputFormat::Json,
        OutputFormat::Csv,
        OutputFormat::Html,
        OutputFormat::Dot,
        OutputFormat::Graphml,
        OutputFormat::Stix,
        OutputFormat::Misp,
    ];

    /// The name on the command line.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::Text => "text",
            OutputFormat::Json => "json",
            OutputFormat::Csv => "csv",
            OutputFormat::Html => "html",
            OutputFormat::Dot => "dot",
            OutputFormat::Graphml => "graphml",
            OutputFormat::Stix => "stix",
            OutputFormat::Misp => "misp",
        }
    }

    /// Whether the format is several files, written into a directory.
    #[must_use]
    pub fn is_directory(self) -> bool {
        self == OutputFormat::Csv
    }

    /// The usual file name ending (`report.stix.json`), or `None` for a
    /// directory format.
    #[must_use]
    pub fn extension(self) -> Option<&'static str> {
        match self {
            OutputFormat::Text => Some("txt"),
            OutputFormat::Json => Some("json"),
            OutputFormat::Csv => None,
            OutputFormat::Html => Some("html"),
            OutputFormat::Dot => Some("dot"),
            OutputFormat::Graphml => Some("graphml"),
            OutputFormat::Stix => Some("stix.json"),
            OutputFormat::Misp => Some("misp.json"),
        }
    }
}

impl fmt::Display for OutputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A format name that is not one of [`OutputFormat::ALL`].
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error(
    "unknown format {given:?}: expected one of text, json, csv, html, dot, graphml, stix, misp"
)]
pub struct UnknownFormat {
    /// What was given (cut to 40 characters).
    pub given: String,
}

impl FromStr for OutputFormat {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OutputFormat::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownFormat {
                given: s.chars().take(40).collect(),
            })
    }
}

/// Why an export failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ExportError {
    /// Reading or writing a file or directory failed.
    #[error("cannot write {}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Writing to the output stream failed.
    #[error("cannot write the {format} output")]
    Write {
        /// The format being written.
        format: OutputFormat,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A CSV record could not be written.
    #[error("cannot write CSV file {}", .0.display())]
    Csv(PathBuf, #[source] ::csv::Error),
    /// A directory format was given a writer, or a file format a directory.
    #[error("format {format} writes {}", if format.is_directory() { "into a directory (give --out DIR)" } else { "one file (give --out FILE or standard output)" })]
    WrongDestination {
        /// The format.
        format: OutputFormat,
    },
}

impl ExportError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        ExportError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Where a report goes.
pub enum Destination<'a> {
    /// A stream (standard output or an open file), for single-file formats.
    Writer(&'a mut dyn Write),
    /// A directory (created if missing), for `csv`.
    Directory(&'a Path),
}

impl fmt::Debug for Destination<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Destination::Writer(_) => f.write_str("Writer(..)"),
            Destination::Directory(p) => f.debug_tuple("Directory").field(p).finish(),
        }
    }
}

/// Options that some formats use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportOptions {
    /// How many exits and holders the text summary lists.
    pub top: usize,
    /// The HTML page's limits.
    pub html: HtmlOptions,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            top: 20,
            html: HtmlOptions::default(),
        }
    }
}

/// Writes `report` in `format` to `destination`. Returns the files written
/// into a directory (sorted), or nothing for a stream.
///
/// # Errors
///
/// [`ExportError::WrongDestination`] when `csv` is given a writer or
/// another format a directory; I/O and CSV errors otherwise.
///
/// # Examples
///
/// ```
/// use fundtrace::report::{write_report, Destination, ExportOptions, OutputFormat};
/// # use fundtrace::{LedgerBuilder, TransferRecord, TransferKind, Address, Asset};
/// # use fundtrace::trace::{trace, Model, Seed, TraceConfig};
/// # use fundtrace::report::trace::TraceReport;
/// # let mut b = LedgerBuilder::new();
/// # let chain = b.chain("ethereum", "ETH");
/// # b.push(TransferRecord { chain, tx_hash: [1; 32], block: 1, time: 1_650_000_000, tx_position: 0,
/// #     kind: TransferKind::Native, sub_index: 0, from: Address::Evm([1; 20]),
/// #     to: Address::Evm([2; 20]), asset: Asset::Native, amount: 5 }).unwrap();
/// # let ledger = b.build().unwrap();
/// # let config = TraceConfig::new(Model::Haircut,
/// #     vec![Seed::parse("x", &Address::Evm([1; 20]).to_string()).unwrap()]).unwrap();
/// # let report = TraceReport::new(&ledger, &config, &trace(&ledger, &config));
/// let format: OutputFormat = "dot".parse().unwrap();
/// let mut out = Vec::new();
/// write_report(&report, format, Destination::Writer(&mut out), &ExportOptions::default()).unwrap();
/// assert!(String::from_utf8(out).unwrap().starts_with("digraph"));
/// ```
pub fn write_report(
    report: &TraceReport,
    format: OutputFormat,
    destination: Destination<'_>,
    options: &ExportOptions,
) -> Result<Vec<PathBuf>, ExportError> {
    match (format, destination) {
        (OutputFormat::Csv, Destination::Directory(dir)) => super::csv::write_csv_dir(report, dir),
        (OutputFormat::Csv, Destination::Writer(_)) | (_, Destination::Directory(_)) => {
            Err(ExportError::WrongDestination { format })
        }
        (format, Destination::Writer(out)) => {
            // Serializers write many small pieces: buffer them here so an
            // unbuffered file or pipe costs one system call per 8 KiB.
            let mut out = std::io::BufWriter::new(out);
            let written = match format {
                OutputFormat::Text => write!(
                    &mut out,
                    "{}",
                    TraceSummary {
                        report,
                        top: options.top
                    }
                ),
                OutputFormat::Json => super::write_json(report, &mut out),
                OutputFormat::Html => super::html::write_html(report, &options.html, &mut out),
                OutputFormat::Dot => super::dot::write_dot(report, &mut out),
                OutputFormat::Graphml => super::graphml::write_graphml(report, &mut out),
                OutputFormat::Stix => super::stix::write_stix(report, &mut out),
                OutputFormat::Misp => super::misp::write_misp(report, &mut out),
                OutputFormat::Csv => Ok(()),
            };
            written
                .and_then(|()| out.flush())
                .map_err(|source| ExportError::Write { format, source })?;
            Ok(Vec::new())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for f in OutputFormat::ALL {
            assert_eq!(f.to_string().parse::<OutputFormat>(), Ok(f));
        }
        assert_eq!("GraphML".parse::<OutputFormat>(), Ok(OutputFormat::Graphml));
        assert!("pdf".parse::<OutputFormat>().is_err());
    }
}
