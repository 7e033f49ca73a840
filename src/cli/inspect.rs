//! `fundtrace inspect`: what an address received and sent.

use std::path::PathBuf;

use clap::Args;
use fundtrace::report::inspect::{Inspection, InspectionTable};
use fundtrace::report::write_json;
use fundtrace::Address;

use super::inputs::LedgerInputs;
use super::{with_output, CliError};

/// Arguments of `inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    #[command(flatten)]
    inputs: LedgerInputs,
    /// The address to inspect.
    #[arg(long, value_name = "ADDR")]
    address: String,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Write to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Runs `inspect`.
pub fn run(args: &InspectArgs) -> Result<(), CliError> {
    args.inputs.check_outputs(args.out.as_deref(), &[])?;
    let address: Address = args
        .address
        .parse()
        .map_err(|e| CliError::Usage(format!("--address {:?}: {e}", args.address)))?;
    let ledger = args.inputs.load()?.ledger;
    let inspection =
        Inspection::of(&ledger, &address).map_err(|e| CliError::Input(e.to_string()))?;
    with_output(args.out.as_ref(), |w| {
        if args.json {
            write_json(&inspection, w)
        } else {
            write!(
                w,
                "{}",
                InspectionTable {
                    inspection: &inspection,
                    ledger: &ledger
                }
            )
        }
    })
}
