//! What `demix` is given, put together: pool event files paired by name
//! and assigned to pools, and a pool's deposits and withdrawals taken from
//! its events joined with a ledger (or found among the ledger's transfers
//! for the registry's native-coin pools).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::{
    demix, link_inputs_from_events, load_cache, load_logs_csv, pool_txs_from_ledger, DemixReport,
    DepositTx, LinkConfig, LinkedAddresses, MixerError, PoolEvents, WithdrawalTx,
};
use crate::labels::registry;
use crate::ledger::{Address, Ledger};

/// Why a demixing request cannot run.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum DemixError {
    /// An event file could not be read.
    #[error(transparent)]
    Events(#[from] MixerError),
    /// A cache file names an asset and amount that match none of the pools.
    #[error("cannot tell which pool the event files `*_{0}.json` belong to; give that pool alone")]
    AmbiguousCache(String),
    /// Only one half of a cache pair was given.
    #[error("event cache `{0}` needs both deposits_{0}.json and withdrawals_{0}.json")]
    HalfCache(String),
    /// A pool has neither events nor a denomination the registry knows.
    #[error("pool {0} is not a known Tornado Cash pool and has no pool events: its denomination is unknown")]
    UnknownDenomination(Address),
    /// A registry token pool with no event file (its token cannot be found
    /// among the ledger's assets by symbol).
    #[error("pool {pool} ({name}) is a token pool: give its pool events")]
    TokenPool {
        /// The pool.
        pool: Address,
        /// Its registry name.
        name: String,
    },
    /// Neither events nor a ledger.
    #[error("nothing to demix: give pool event files or ledger inputs")]
    Nothing,
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
fn pool_for_key(key: &str, pools: &[Address]) -> Result<Address, DemixError> {
    let by_registry = pools.iter().find(|p| {
        registry::tornado_pool(p)
            .is_some_and(|t| format!("{}_{}", t.asset, t.denomination).eq_ignore_ascii_case(key))
    });
    match (by_registry, pools) {
        (Some(p), _) => Ok(p.clone()),
        (None, [only]) => Ok(only.clone()),
        _ => Err(DemixError::AmbiguousCache(key.to_string())),
    }
}

/// Reads pool event files: tornado-cli / classic-UI caches
/// (`deposits_<asset>_<amount>.json[.zip]` with their `withdrawals_…` twin,
/// assigned to the pool of that denomination among `pools`) and
/// ethereum-etl `logs.csv` files (decoded for every pool).
///
/// # Errors
///
/// [`DemixError`] for unreadable files, half a cache pair, or a cache that
/// matches no single pool.
pub fn load_event_files(
    files: &[PathBuf],
    pools: &[Address],
) -> Result<Vec<PoolEvents>, DemixError> {
    let mut caches: BTreeMap<String, (Option<&PathBuf>, Option<&PathBuf>)> = BTreeMap::new();
    let mut events: Vec<PoolEvents> = Vec::new();
    for f in files {
        match cache_key(f) {
            Some((true, k)) => caches.entry(k).or_default().0 = Some(f),
            Some((false, k)) => caches.entry(k).or_default().1 = Some(f),
            None => {
                for pool in pools {
                    events.push(load_logs_csv(f, pool)?);
                }
            }
        }
    }
    for (key, pair) in &caches {
        let (Some(d), Some(w)) = pair else {
            return Err(DemixError::HalfCache(key.clone()));
        };
        let mut e = load_cache(d, w)?;
        e.pool = Some(pool_for_key(key, pools)?);
        events.push(e);
    }
    Ok(events)
}

/// A demixing result and how many pool events had no transaction in the ledger.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Demixed {
    /// Pools and candidate links.
    pub report: DemixReport,
    /// Events whose transaction is not in the ledger (left out of linking).
    pub unmatched: u64,
}

/// Summarises the pools of `events` and links deposits to withdrawals.
/// With a ledger, each pool's deposits and withdrawals come from its events
/// joined with the ledger (depositor, gas price), or, for a registry
/// native-coin pool without events, from the ledger's transfers.
///
/// # Errors
///
/// [`DemixError`] when a pool's denomination is unknown, a token pool has
/// no events, or there is nothing to demix.
pub fn demix_pools(
    pools: &[Address],
    events: &[PoolEvents],
    ledger: Option<&Ledger>,
    config: &LinkConfig,
) -> Result<Demixed, DemixError> {
    let (mut deposits, mut withdrawals): (Vec<DepositTx>, Vec<WithdrawalTx>) =
        (Vec::new(), Vec::new());
    let mut unmatched = 0;
    match ledger {
        Some(ledger) => {
            for pool in pools {
                let txs = match events.iter().find(|e| e.pool.as_ref() == Some(pool)) {
                    Some(e) => link_inputs_from_events(e, pool, ledger),
                    None => {
                        let t = registry::tornado_pool(pool)
                            .ok_or_else(|| DemixError::UnknownDenomination(pool.clone()))?;
                        if !t.asset.eq_ignore_ascii_case("ETH") {
                            // A token pool moves the token, which cannot be
                            // found among the ledger's assets by symbol.
                            return Err(DemixError::TokenPool {
                                pool: pool.clone(),
                                name: t.display_name(),
                            });
                        }
                        let Some(asset) = ledger.asset_by_name("ETH") else {
                            continue;
                        };
                        pool_txs_from_ledger(ledger, pool, asset, t.denomination_base_units)
                    }
                };
                unmatched += txs.unmatched;
                deposits.extend(txs.deposits);
                withdrawals.extend(txs.withdrawals);
            }
        }
        None if events.is_empty() => return Err(DemixError::Nothing),
        None => {}
    }
    let report = demix(
        events,
        &deposits,
        &withdrawals,
        &LinkedAddresses::new(),
        config,
    );
    Ok(Demixed { report, unmatched })
}
