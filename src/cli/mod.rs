//! Argument parsing and dispatch. Each subcommand lives in its own file with
//! an `Args` struct (clap) and a `run` function; ledger-input flags are shared
//! through [`inputs::LedgerInputs`].

mod cluster;
mod compare;
mod demix;
mod flow;
mod incidents;
mod inputs;
mod inspect;
mod labels;
mod paths;
mod progress;
mod snapshot;
mod trace;
mod verify;

use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use thiserror::Error;

/// Trace stolen cryptocurrency through account and UTXO ledgers.
#[derive(Debug, Parser)]
#[command(name = "fundtrace", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Trace stolen funds from seeds under one taint model.
    Trace(trace::TraceArgs),
    /// Trace the same seeds under every model, side by side.
    Compare(compare::CompareArgs),
    /// Temporal paths (earliest, fewest hops, widest) from seeds to targets.
    Paths(paths::PathsArgs),
    /// Temporal maximum flow from seeds to targets, with a minimum cut.
    Flow(flow::FlowArgs),
    /// Show what one address received and sent, per asset.
    Inspect(inspect::InspectArgs),
    /// Bitcoin address clusters (multi-input heuristic, CoinJoins skipped) with their evidence.
    Cluster(cluster::ClusterArgs),
    /// Mixer pools: anonymity sets and candidate deposit↔withdrawal links.
    Demix(demix::DemixArgs),
    /// Read the ledger inputs once and write them as a snapshot file, which
    /// every command reads back with `--snapshot FILE` in a fraction of a
    /// second (account chains; not Bitcoin inputs).
    Snapshot(snapshot::SnapshotArgs),
    /// List the built-in registry of North Korea–linked incidents.
    Incidents(incidents::IncidentsArgs),
    /// Recompute a JSON report of `trace` or `compare` from its recorded
    /// command line and inputs; exit 0 only when every value re-derives.
    Verify(verify::VerifyArgs),
}

/// Everything that can stop a command.
#[derive(Debug, Error)]
pub enum CliError {
    /// Reading the inputs failed.
    #[error(transparent)]
    Ingest(#[from] fundtrace::ingest::IngestError),
    /// Writing output failed.
    #[error("{path}: {source}")]
    Output {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// An input other than a ledger (labels, pool events) could not be read.
    #[error("{0}")]
    Input(String),
    /// The investigation cannot run as asked.
    #[error(transparent)]
    Investigation(#[from] fundtrace::investigation::InvestigationError),
    /// An address or category named on the command line does not resolve.
    #[error(transparent)]
    Target(#[from] fundtrace::investigation::TargetError),
    /// The arguments do not make sense together.
    #[error("{0}")]
    Usage(String),
    /// A report does not verify.
    #[error("verify failed: {0}")]
    Verify(#[from] fundtrace::verify::VerifyError),
}

/// Runs the parsed command; `command_line` (the arguments after the
/// program name) is recorded in trace and comparison reports.
pub fn run(cli: Cli, command_line: &[String]) -> Result<(), CliError> {
    match cli.command {
        Command::Inspect(a) => inspect::run(&a),
        Command::Cluster(a) => cluster::run(&a),
        Command::Incidents(a) => incidents::run(&a),
        Command::Demix(a) => demix::run(&a),
        Command::Paths(a) => paths::run(&a),
        Command::Flow(a) => flow::run(&a),
        Command::Trace(a) => trace::run(&a, command_line),
        Command::Compare(a) => compare::run(&a, command_line),
        Command::Verify(a) => verify::run(&a),
        Command::Snapshot(a) => snapshot::run(&a),
    }
}

/// The width text output fits: the terminal's when standard output is
/// one, else 100 columns.
pub(crate) fn text_width(out: Option<&std::path::Path>) -> usize {
    use std::io::IsTerminal;
    if out.is_none() && std::io::stdout().is_terminal() {
        if let Some((terminal_size::Width(w), _)) = terminal_size::terminal_size() {
            return usize::from(w).max(40);
        }
    }
    100
}

/// Refuses an output path whose folder does not exist, before any input
/// is read, so a long load is not wasted.
pub(crate) fn check_output_path(out: Option<&std::path::Path>) -> Result<(), CliError> {
    let Some(path) = out else {
        return Ok(());
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    if dir.is_dir() {
        Ok(())
    } else {
        Err(CliError::Output {
            path: path.display().to_string(),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("the folder {} does not exist", dir.display()),
            ),
        })
    }
}

/// Where a command writes its main output: a file (written to a temporary
/// file beside it and renamed, so an interrupted write leaves the old file
/// whole) or standard output.
pub(crate) fn with_output(
    out: Option<&PathBuf>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), CliError> {
    match out {
        Some(path) => fundtrace::report::output::write_atomic(path, |w| {
            let mut w = std::io::BufWriter::new(w);
            write(&mut w)?;
            w.flush()
        })
        .map_err(|e| CliError::Output {
            path: path.display().to_string(),
            source: std::io::Error::other(e.to_string()),
        }),
        None => {
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            match write(&mut lock).and_then(|()| lock.flush()) {
                Ok(()) => Ok(()),
                // A closed pipe (`| head`) is not an error worth reporting.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                Err(source) => Err(CliError::Output {
                    path: "<stdout>".into(),
                    source,
                }),
            }
        }
    }
}
