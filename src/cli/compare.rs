//! `fundtrace compare`: the same seeds under every model, side by side.

use clap::Args;
use fundtrace::report::trace::{ComparisonReport, ComparisonSummary};
use fundtrace::report::write_json;

use super::trace::TraceSetup;
use super::{with_output, CliError};

/// Arguments of `compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    #[command(flatten)]
    pub setup: TraceSetup,
}

/// The report `compare` with these arguments makes (`command_line`
/// recorded in it).
pub fn report(args: &CompareArgs, command_line: &[String]) -> Result<ComparisonReport, CliError> {
    let investigation = args
        .setup
        .investigation()?
        .command_line(command_line.to_vec());
    let data = args
        .setup
        .inputs
        .load_with(investigation.needs_gas_prices())?;
    Ok(investigation.compare(&data)?)
}

/// Runs `compare`.
pub fn run(args: &CompareArgs, command_line: &[String]) -> Result<(), CliError> {
    let setup = &args.setup;
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
    let report = report(args, command_line)?;
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
