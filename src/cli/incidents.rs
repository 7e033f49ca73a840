//! `fundtrace incidents`: the built-in registry of North Korea–linked incidents.

use std::path::PathBuf;

use clap::Args;
use fundtrace::labels::registry;
use fundtrace::report::write_json;

use super::{with_output, CliError};

/// Arguments of `incidents`.
#[derive(Debug, Args)]
pub struct IncidentsArgs {
    /// Print JSON (every incident with its addresses and sources).
    #[arg(long)]
    json: bool,
    /// Write to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Runs `incidents`.
pub fn run(args: &IncidentsArgs) -> Result<(), CliError> {
    let incidents = registry::incidents();
    with_output(args.out.as_ref(), |w| {
        if args.json {
            return write_json(&incidents, w);
        }
        writeln!(w, "{:<18} {:<11} {:>9}  title", "name", "date", "addresses")?;
        for i in incidents {
            writeln!(
                w,
                "{:<18} {:<11} {:>9}  {}",
                i.name,
                i.date,
                i.addresses.len(),
                i.title
            )?;
        }
        writeln!(
            w,
            "\n`fundtrace trace --incident NAME` seeds a trace with an incident's exploiter addresses;\n`fundtrace incidents --json` lists every address with its source."
        )
    })
}
