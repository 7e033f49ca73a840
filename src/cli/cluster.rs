//! `fundtrace cluster`: address clusters of Bitcoin inputs by the
//! multi-input heuristic (CoinJoins skipped), with the merges that made them,
//! the CoinJoins detected and the inputs that could not be placed.

use std::path::PathBuf;

use clap::Args;
use fundtrace::heuristics::cluster::cluster;
use fundtrace::ledger::utxo::AddressOrigin;
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
                return write_json(&explanation, w);
            }
            if !explanation.same_cluster {
                return writeln!(w, "{a} and {b} are in different clusters");
            }
            writeln!(
                w,
                "{a} and {b} share a cluster through {} merge(s):",
                explanation.merges.len()
            )?;
            for m in &explanation.merges {
                let from = |o: AddressOrigin| match o {
                    AddressOrigin::SpentOutput => "",
                    AddressOrigin::InputScript => " (read from its input script)",
                };
                writeln!(
                    w,
                    "  {} {:?}: {}{} + {}{}",
                    m.txid,
                    m.heuristic,
                    m.a,
                    from(m.a_origin),
                    m.b,
                    from(m.b_origin)
                )?;
            }
            Ok(())
        });
    }
    let report = clustering.report(utxo, args.min_size);
    with_output(args.out.as_ref(), |w| {
        if args.json {
            return write_json(&report, w);
        }
        writeln!(
            w,
            "{} addresses in {} clusters; {} cluster(s) of at least {} addresses; {} CoinJoin(s) skipped",
            report.address_count,
            report.cluster_count,
            report.clusters.len(),
            args.min_size,
            report.skipped_coinjoins.len()
        )?;
        writeln!(
            w,
            "inputs: {} placed from spent outputs, {} from their scripts, {} unresolved",
            report.inputs_from_spent_outputs, report.inputs_from_scripts, report.unresolved_inputs
        )?;
        for cj in &report.coinjoins {
            writeln!(w, "coinjoin {} {}", cj.tx, cj.kind)?;
        }
        for c in &report.clusters {
            writeln!(
                w,
                "cluster {:?}: {} addresses, {} merges",
                c.id,
                c.addresses.len(),
                c.merges.len()
            )?;
            for a in c.addresses.iter().take(10) {
                writeln!(w, "  {a}")?;
            }
            if c.addresses.len() > 10 {
                writeln!(w, "  … and {} more", c.addresses.len() - 10)?;
            }
        }
        Ok(())
    })
}
