//! `fundtrace compare`: the same seeds under every model, side by side.

use clap::Args;
use fundtrace::report::trace::{ComparisonReport, ComparisonSummary};
use fundtrace::report::write_json;
use fundtrace::trace::{trace_all, Model};

use super::trace::TraceSetup;
use super::{with_output, CliError};

/// Arguments of `compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    #[command(flatten)]
    pub setup: TraceSetup,
}

/// Runs `compare`.
pub fn run(args: &CompareArgs) -> Result<(), CliError> {
    let setup = &args.setup;
    let config = setup.config(Model::Haircut)?;
    let ledger = setup.inputs.load()?;
    let results = trace_all(&ledger, &config);
    let report = ComparisonReport::new(&ledger, &config, &results);
    with_output(setup.out.as_ref(), |w| {
        if setup.json {
            write_json(&report, w)
        } else {
            write!(
                w,
                "{}",
                ComparisonSummary {
                    report: &report,
                    top: setup.top
                }
            )
        }
    })
}
