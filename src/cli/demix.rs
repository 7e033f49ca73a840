//! `fundtrace demix`: mixer pools, anonymity sets and candidate
//! deposit↔withdrawal links.

use std::path::PathBuf;

use clap::Args;
use fundtrace::heuristics::mixer::{
    demix_pools, load_event_files, DemixError, DemixRequest, DetectConfig, LinkConfig, PoolDecl,
};
use fundtrace::labels::LabelSet;
use fundtrace::report::demix::DemixSummary;
use fundtrace::report::write_json;
use fundtrace::Address;

use super::inputs::LedgerInputs;
use super::labels::LabelInputs;
use super::{with_output, CliError};

/// Arguments of `demix`.
#[derive(Debug, Args)]
pub struct DemixArgs {
    #[command(flatten)]
    inputs: LedgerInputs,
    #[command(flatten)]
    labels: LabelInputs,
    /// A pool's event file: a tornado-cli / classic-UI cache
    /// (`deposits_<asset>_<amount>.json[.zip]` with its `withdrawals_…` twin)
    /// or an ethereum-etl `logs.csv`. Repeatable. Deposits are linked only
    /// where the ledger names their sender; every withdrawal is kept (its
    /// event names recipient, block and transaction).
    #[arg(long = "pool-events", value_name = "FILE")]
    pool_events: Vec<PathBuf>,
    /// A pool: ADDR, or ADDR:DENOM[,DENOM…] with its denominations in coin
    /// units. Without events, its deposits and withdrawals are found in the
    /// ledger (registry denominations, the given ones, else inferred from
    /// the round amounts it receives). With a ledger, addresses labelled
    /// `mixer` are demixed too. Repeatable.
    #[arg(long = "pool", value_name = "ADDR[:DENOM,…]", value_parser = parse_pool)]
    pools: Vec<PoolDecl>,
    /// List the ledger's addresses that receive and pay out many transfers
    /// of the same round amounts (pool candidates, with their evidence).
    #[arg(long)]
    detect_pools: bool,
    /// Demix the detected pool candidates too.
    #[arg(long)]
    use_detected_pools: bool,
    /// Leave out links below this confidence (0–100).
    #[arg(long, value_name = "X", default_value_t = LinkConfig::default().min_confidence, value_parser = clap::value_parser!(u8).range(0..=100))]
    min_confidence: u8,
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

fn parse_pool(s: &str) -> Result<PoolDecl, String> {
    PoolDecl::parse(s).map_err(|e| e.to_string())
}

fn demix_error(e: DemixError) -> CliError {
    CliError::Input(e.to_string())
}

/// Runs `demix`.
pub fn run(args: &DemixArgs) -> Result<(), CliError> {
    args.inputs
        .check_outputs(args.out.as_deref(), &args.pool_events)?;
    let addresses: Vec<Address> = args.pools.iter().map(|d| d.address.clone()).collect();
    let events = load_event_files(&args.pool_events, &addresses).map_err(demix_error)?;
    let data = if args.inputs.is_empty() {
        None
    } else {
        Some(args.inputs.load_with(true)?)
    };
    let labels = if args.labels.is_empty() {
        LabelSet::new()
    } else {
        args.labels.load()?
    };
    let request = DemixRequest {
        pools: args.pools.clone(),
        links: LinkConfig {
            timing_window: args.timing_window,
            min_confidence: args.min_confidence,
            ..LinkConfig::default()
        },
        ledger_links: true,
        detect: args.detect_pools,
        use_detected: args.use_detected_pools,
        detect_config: DetectConfig::default(),
    };
    let demixed = demix_pools(&request, &events, data.as_ref().map(|d| &d.ledger), &labels)
        .map_err(demix_error)?;
    let report = &demixed.report;
    if demixed.unmatched > 0 && data.is_some() {
        eprintln!(
            "warning: {} deposit event(s) have no transaction in the ledger, so no known depositor: counted, not linked",
            demixed.unmatched
        );
    }
    with_output(args.out.as_ref(), |w| {
        if args.json {
            write_json(report, w)
        } else {
            write!(w, "{}", DemixSummary(report))
        }
    })
}
