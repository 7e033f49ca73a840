//! `fundtrace flow`: the most value that can move from seeds to targets in
//! time, with a minimum cut as certificate.

use std::path::PathBuf;

use clap::Args;
use fundtrace::graph::TransferGraph;
use fundtrace::paths::{FlowLimits, FlowQuery, PathQuery};
use fundtrace::report::paths::FlowReport;
use fundtrace::report::write_json;

use super::inputs::LedgerInputs;
use super::paths::{apply, QueryArgs};
use super::{with_output, CliError};

/// Arguments of `flow`.
#[derive(Debug, Args)]
pub struct FlowArgs {
    #[command(flatten)]
    inputs: LedgerInputs,
    #[command(flatten)]
    query: QueryArgs,
    /// Cap on what the sources can supply (the stolen amount), base units.
    #[arg(long, value_name = "AMOUNT")]
    cap: Option<String>,
    /// Refuse to build a network of more transfers than this.
    #[arg(long, value_name = "N", default_value_t = FlowLimits::default().max_transfers)]
    max_transfers: usize,
    /// Stop the flow computation after this many arc inspections.
    #[arg(long, value_name = "N", default_value_t = FlowLimits::default().max_work)]
    max_work: u64,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Write to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Runs `flow`.
pub fn run(args: &FlowArgs) -> Result<(), CliError> {
    args.inputs
        .check_outputs(args.out.as_deref(), &args.query.labels.paths())?;
    let cap = match &args.cap {
        Some(c) => Some(
            fundtrace::amount::parse_base_units(c)
                .map_err(|e| CliError::Usage(format!("--cap {c:?}: {e}")))?,
        ),
        None => None,
    };
    let ledger = args.inputs.load()?.ledger;
    let graph = TransferGraph::new(&ledger);
    let q = apply(&ledger, &args.query, PathQuery::on(&graph))?
        .build()
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let asset = q.asset();
    let fq = FlowQuery::new(
        q,
        cap,
        FlowLimits {
            max_transfers: args.max_transfers,
            max_work: args.max_work,
        },
    )
    .map_err(|e| CliError::Usage(e.to_string()))?;
    let result = fq.max_flow();
    let report = FlowReport::of(&ledger, asset, cap, &result);
    with_output(args.out.as_ref(), |w| {
        if args.json {
            write_json(&report, w)
        } else {
            write!(w, "{report}")
        }
    })
}
