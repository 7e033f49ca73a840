//! `fundtrace demix`: mixer pools, anonymity sets and candidate
//! deposit↔withdrawal links.

use std::path::PathBuf;

use clap::Args;
use fundtrace::heuristics::mixer::{demix_pools, load_event_files, DemixError, LinkConfig};
use fundtrace::report::write_json;
use fundtrace::Address;

use super::inputs::LedgerInputs;
use super::{with_output, CliError};

/// Arguments of `demix`.
#[derive(Debug, Args)]
pub struct DemixArgs {
    #[command(flatten)]
    inputs: LedgerInputs,
    /// A pool's event file: a tornado-cli / classic-UI cache
    /// (`deposits_<asset>_<amount>.json[.zip]` with its `withdrawals_…` twin)
    /// or an ethereum-etl `logs.csv`. Repeatable.
    #[arg(long = "pool-events", value_name = "FILE")]
    pool_events: Vec<PathBuf>,
    /// Pool contract address (repeatable).
    #[arg(long = "pool", value_name = "ADDR", required = true, value_parser = parse_pool)]
    pools: Vec<Address>,
    /// Timing heuristic window, seconds.
    #[arg(long, default_value_t = LinkConfig::default().timing_window)]
    timing_window: u64,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Write to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

fn parse_pool(s: &str) -> Result<Address, String> {
    Address::parse_evm_checked(s).map_err(|e| e.to_string())
}

fn demix_error(e: DemixError) -> CliError {
    CliError::Input(e.to_string())
}

/// Runs `demix`.
pub fn run(args: &DemixArgs) -> Result<(), CliError> {
    args.inputs
        .check_outputs(args.out.as_deref(), &args.pool_events)?;
    let events = load_event_files(&args.pool_events, &args.pools).map_err(demix_error)?;
    let data = if args.inputs.is_empty() {
        None
    } else {
        Some(args.inputs.load()?)
    };
    let config = LinkConfig {
        timing_window: args.timing_window,
        ..LinkConfig::default()
    };
    let demixed = demix_pools(
        &args.pools,
        &events,
        data.as_ref().map(|d| &d.ledger),
        &config,
    )
    .map_err(demix_error)?;
    if demixed.unmatched > 0 {
        eprintln!(
            "warning: {} pool event(s) have no transaction in the ledger and were left out of linking",
            demixed.unmatched
        );
    }
    let report = &demixed.report;
    with_output(args.out.as_ref(), |w| {
        if args.json {
            return write_json(report, w);
        }
        for p in &report.pools {
            writeln!(
                w,
                "pool {} ({}): {} deposits, {} withdrawals; anonymity set at withdrawal min {} median {} max {}",
                p.address.as_ref().map_or_else(|| "?".into(), ToString::to_string),
                p.denomination.as_deref().unwrap_or("?"),
                p.deposits,
                p.withdrawals,
                p.anonymity_set.min,
                p.anonymity_set.median,
                p.anonymity_set.max
            )?;
        }
        writeln!(w, "{} candidate link(s)", report.links.len())?;
        for l in &report.links {
            writeln!(
                w,
                "  {} -> {}  {} (confidence {})",
                l.deposit_tx,
                l.withdrawal_tx,
                l.heuristic.name(),
                l.confidence
            )?;
        }
        Ok(())
    })
}
