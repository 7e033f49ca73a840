//! `fundtrace compare`: the same seeds under every model, side by side.

use clap::Args;
use fundtrace::report::trace::ComparisonSummary;
use fundtrace::report::write_json;

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
    let investigation = setup.investigation()?;
    let data = setup.inputs.load_with(setup.demixes())?;
    let format = setup.output_format();
    if !matches!(
        format,
        fundtrace::report::format::OutputFormat::Text
            | fundtrace::report::format::OutputFormat::Json
    ) {
        return Err(CliError::Usage(format!(
            "compare writes text or json; {format} is for one trace (use `trace --model M --format {format}`)"
        )));
    }
    let report = investigation.compare(&data)?;
    let width = super::text_width(setup.out.as_deref());
    with_output(setup.out.as_ref(), |w| {
        if format == fundtrace::report::format::OutputFormat::Json {
            write_json(&report, w)
        } else {
            write!(
                w,
                "{:width$}",
                ComparisonSummary {
                    report: &report,
                    top: setup.top
                }
            )
        }
    })
}
