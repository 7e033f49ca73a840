//! `fundtrace demix`: mixer pools, anonymity sets and candidate
//! deposit↔withdrawal links.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::Args;
use fundtrace::heuristics::mixer::{
    self, demix, link_inputs_from_events, pool_txs_from_ledger, DepositTx, LinkConfig,
    LinkedAddresses, PoolEvents, WithdrawalTx,
};
use fundtrace::labels::registry;
use fundtrace::report::write_json;
use fundtrace::{Address, Asset};

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
    #[arg(long = "pool", value_name = "ADDR", required = true)]
    pools: Vec<String>,
    /// Timing heuristic window, seconds.
    #[arg(long, default_value_t = 3_600)]
    timing_window: u64,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Write to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

fn mixer_error(e: mixer::MixerError) -> CliError {
    CliError::Input(e.to_string())
}

/// The `<asset>_<amount>` part of a cache file name, and whether it holds deposits.
fn cache_key(path: &Path) -> Option<(bool, String)> {
    let name = path.file_name()?.to_str()?;
    let stem = name.strip_suffix(".zip").unwrap_or(name);
    let stem = stem.strip_suffix(".json")?;
    if let Some(k) = stem.strip_prefix("deposits_") {
        Some((true, k.to_ascii_lowercase()))
    } else {
        stem.strip_prefix("withdrawals_")
            .map(|k| (false, k.to_ascii_lowercase()))
    }
}

/// The pool a cache key (`eth_100`) names, among the pools given.
fn pool_for_key(key: &str, pools: &[Address]) -> Result<Address, CliError> {
    let by_registry = pools.iter().find(|p| {
        registry::tornado_pool(p)
            .is_some_and(|t| format!("{}_{}", t.asset, t.denomination).eq_ignore_ascii_case(key))
    });
    match (by_registry, pools) {
        (Some(p), _) => Ok(p.clone()),
        (None, [only]) => Ok(only.clone()),
        _ => Err(CliError::Usage(format!(
            "cannot tell which --pool the event files `*_{key}.json` belong to; give that pool alone"
        ))),
    }
}

/// Runs `demix`.
pub fn run(args: &DemixArgs) -> Result<(), CliError> {
    let pools: Vec<Address> = args
        .pools
        .iter()
        .map(|p| Address::parse_evm(p).map_err(|e| CliError::Usage(format!("--pool {p:?}: {e}"))))
        .collect::<Result<_, _>>()?;
    // Pair deposit and withdrawal caches by name; decode logs files per pool.
    let mut caches: BTreeMap<String, (Option<&PathBuf>, Option<&PathBuf>)> = BTreeMap::new();
    let mut events: Vec<PoolEvents> = Vec::new();
    for f in &args.pool_events {
        match cache_key(f) {
            Some((true, k)) => caches.entry(k).or_default().0 = Some(f),
            Some((false, k)) => caches.entry(k).or_default().1 = Some(f),
            None => {
                for pool in &pools {
                    events.push(mixer::load_logs_csv(f, pool).map_err(mixer_error)?);
                }
            }
        }
    }
    for (key, pair) in &caches {
        let (Some(d), Some(w)) = pair else {
            return Err(CliError::Usage(format!(
                "event cache `{key}` needs both deposits_{key}.json and withdrawals_{key}.json"
            )));
        };
        let mut e = mixer::load_cache(d, w).map_err(mixer_error)?;
        e.pool = Some(pool_for_key(key, &pools)?);
        events.push(e);
    }
    let has_ledger = !args.inputs.sources().is_empty();
    let (mut deposits, mut withdrawals): (Vec<DepositTx>, Vec<WithdrawalTx>) =
        (Vec::new(), Vec::new());
    let mut unmatched = 0;
    if has_ledger {
        let ledger = args.inputs.load()?;
        for pool in &pools {
            let txs = match events.iter().find(|e| e.pool.as_ref() == Some(pool)) {
                Some(e) => link_inputs_from_events(e, pool, &ledger),
                None => {
                    let Some(t) = registry::tornado_pool(pool) else {
                        return Err(CliError::Usage(format!(
                            "pool {pool} is not a known Tornado Cash pool and has no --pool-events: its denomination is unknown"
                        )));
                    };
                    let asset_name = if t.asset.eq_ignore_ascii_case("ETH") {
                        "ETH".to_string()
                    } else {
                        // Token pools move the token; find it among the ledger's assets by symbol is not
                        // possible, so only native pools are read from transfers.
                        return Err(CliError::Usage(format!(
                            "pool {pool} ({}) is a token pool: give its --pool-events",
                            t.display_name()
                        )));
                    };
                    let Some(asset) = ledger.asset_by_name(&asset_name) else {
                        continue;
                    };
                    debug_assert_eq!(ledger.asset(asset).asset, Asset::Native);
                    pool_txs_from_ledger(&ledger, pool, asset, t.denomination_base_units)
                }
            };
            unmatched += txs.unmatched;
            deposits.extend(txs.deposits);
            withdrawals.extend(txs.withdrawals);
        }
    } else if events.is_empty() {
        return Err(CliError::Usage(
            "nothing to demix: give --pool-events files or ledger inputs".into(),
        ));
    }
    if unmatched > 0 {
        eprintln!("warning: {unmatched} pool event(s) have no transaction in the ledger and were left out of linking");
    }
    let config = LinkConfig {
        timing_window: args.timing_window,
        ..LinkConfig::default()
    };
    let report = demix(
        &events,
        &deposits,
        &withdrawals,
        &LinkedAddresses::new(),
        &config,
    );
    with_output(args.out.as_ref(), |w| {
        if args.json {
            return write_json(&report, w);
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
