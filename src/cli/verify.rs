//! `fundtrace verify REPORT.json`: recompute a trace or comparison report
//! from its recorded command line and inputs and confirm every number.
//!
//! The checks are the library's ([`fundtrace::verify`]); this file reads
//! the report, parses the recorded command line with the same argument
//! parser as every other run, and runs it again.

use std::path::PathBuf;

use clap::{Args, Parser};
use fundtrace::verify::{RecordedReport, VerifyError};

use super::{compare, trace, Cli, CliError, Command};

/// Arguments of `verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A JSON report of `trace` or `compare` (`--format json`).
    #[arg(value_name = "REPORT")]
    pub report: PathBuf,
    /// The folder the report's relative input paths are taken from
    /// (default: the current folder, as when the report was made there).
    #[arg(long, value_name = "DIR")]
    pub base: Option<PathBuf>,
}

/// Runs `verify`: exits 0 when every value re-derives.
pub fn run(args: &VerifyArgs) -> Result<(), CliError> {
    let name = args.report.display().to_string();
    let text = std::fs::read_to_string(&args.report)
        .map_err(|e| CliError::Input(format!("{name}: {e}")))?;
    let recorded = RecordedReport::parse(&text, &name)?;
    recorded.check_tool(&format!("fundtrace {}", env!("CARGO_PKG_VERSION")))?;
    let base = args.base.clone().unwrap_or_else(|| PathBuf::from("."));
    recorded.check_inputs(&base)?;
    let command_line = recorded
        .command_line
        .clone()
        .ok_or(VerifyError::NoCommandLine)?;
    if let Some(dir) = &args.base {
        // The recorded command line names its inputs relative to where it
        // ran; run it from there.
        std::env::set_current_dir(dir)
            .map_err(|e| CliError::Input(format!("--base {}: {e}", dir.display())))?;
    }
    let cli =
        Cli::try_parse_from(std::iter::once("fundtrace".to_string()).chain(command_line.clone()))
            .map_err(|e| {
            CliError::Usage(format!(
                "the report's recorded command line does not parse: {}",
                e.kind()
            ))
        })?;
    let recomputed =
        match cli.command {
            Command::Trace(mut a) => {
                quiet(&mut a.setup);
                json(&trace::report(&a, &command_line)?)?
            }
            Command::Compare(mut a) => {
                quiet(&mut a.setup);
                json(&compare::report(&a, &command_line)?)?
            }
            _ => return Err(CliError::Usage(
                "verify checks reports of `trace` and `compare`; the recorded command is neither"
                    .into(),
            )),
        };
    let checked = recorded.check_against(&recomputed)?;
    println!(
        "verified {name}: {} values ({} numbers) re-derived from {} input(s) with their recorded SHA-256, by {}",
        checked.values,
        checked.numbers,
        recorded.inputs.len(),
        recorded.tool
    );
    Ok(())
}

/// A recomputation writes nothing and shows no progress: the report is
/// compared in memory.
fn quiet(setup: &mut trace::TraceSetup) {
    setup.inputs.quiet = true;
    setup.inputs.rejects = None;
    setup.out = None;
}

fn json<T: serde::Serialize>(report: &T) -> Result<serde_json::Value, CliError> {
    serde_json::to_value(report).map_err(|e| CliError::Usage(format!("report: {e}")))
}
