//! `fundtrace cluster`: address clusters of Bitcoin inputs by the
//! multi-input heuristic (CoinJoins skipped), with the merges that made them,
//! the CoinJoins detected and the inputs that could not be placed.

use std::path::PathBuf;

use clap::Args;
use fundtrace::heuristics::cluster::cluster;
use fundtrace::report::cluster::{ClusterSummary, ExplanationSummary};
use fundtrace::report::write_json;

use super::inputs::LedgerInputs;
use super::{with_output, CliError};

/// Arguments of `cluster`.
#[derive(Debug, Args)]
pub struct ClusterArgs {
    #[command(flatten)]
    inputs: LedgerInputs,
    /// Explain why two addresses share a cluster: the chain of merging transactions.
    #[arg(long, num_args = 2, value_names = ["A", "B"])]
    explain: Vec<String>,
    /// Report clusters of at least N addresses.
    #[arg(long, value_name = "N", default_value_t = 2)]
    min_size: usize,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Write to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Runs `cluster`.
pub fn run(args: &ClusterArgs) -> Result<(), CliError> {
    args.inputs.check_outputs(args.out.as_deref(), &[])?;
    let loaded = args.inputs.load()?;
    let Some(utxo) = loaded.utxo.as_ref() else {
        return Err(CliError::Usage(
            "cluster works on Bitcoin inputs: give --btc-blocks or --btc-json".into(),
        ));
    };
    let clustering = cluster(utxo);
    if let [a, b] = args.explain.as_slice() {
        let explanation = clustering
            .explanation(utxo, a, b)
            .map_err(|e| CliError::Usage(format!("--explain: {e}")))?;
        return with_output(args.out.as_ref(), |w| {
            if args.json {
                write_json(&explanation, w)
            } else {
                write!(
                    w,
                    "{}",
                    ExplanationSummary {
                        explanation: &explanation,
                        a,
                        b
                    }
                )
            }
        });
    }
    let report = clustering.report(utxo, args.min_size);
    with_output(args.out.as_ref(), |w| {
        if args.json {
            write_json(&report, w)
        } else {
            write!(
                w,
                "{}",
                ClusterSummary {
                    report: &report,
                    min_size: args.min_size
                }
            )
        }
    })
}
