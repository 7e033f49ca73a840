//! What `demix` is given, put together: pool event files paired by name
//! and assigned to pools, and a pool's deposits and withdrawals taken from
//! its events joined with a ledger (or found among the ledger's transfers
//! for the registry's native-coin pools).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::{
    demix, link_inputs_from_events, linked_addresses_in_ledger, load_cache, load_logs_csv,
    pool_summary, pool_txs_from_ledger, resolve_pools, AnonymityStats, DemixReport, DepositTx,
    DetectConfig, Hash32, Heuristic, LinkConfig, LinkedAddresses, MixerError, PoolDecl, PoolEvents,
    PoolOrigin, PoolRequest, PoolSpec, PoolSummary, PoolTxs, WithdrawalTx,
};
use crate::labels::{registry, LabelSet};
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
    /// A pool has no events, and no denomination is known or can be inferred.
    #[error("pool {0} has no pool events, is not a registry pool and receives no round amount repeatedly in the ledger: give its denominations (--pool {0}:DENOM,…) or its events")]
    UnknownDenomination(Address),
    /// A pool has no events and there is no ledger to find it in.
    #[error("pool {0} has no pool events: give its events (--pool-events) or ledger inputs")]
    NoEvents(Address),
    /// A pool declaration that cannot be used.
    #[error("{0}")]
    Pool(String),
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

/// A demixing result and what could not be used.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Demixed {
    /// Pools and candidate links.
    pub report: DemixReport,
    /// Deposit events whose transaction (so whose depositor) is not in the
    /// ledger: counted in the pool summaries, left out of linking.
    pub unmatched: u64,
}

/// What [`demix_pools`] is asked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DemixRequest {
    /// The pools: contracts, with denominations where given. With a ledger,
    /// registry pools and labelled or detected ones come from `request`
    /// too.
    pub pools: Vec<PoolDecl>,
    /// The heuristics' settings.
    pub links: LinkConfig,
    /// Pair depositors and recipients that transacted with each other in
    /// the ledger (linked-addresses heuristic).
    pub ledger_links: bool,
    /// Run pool detection on the ledger (list candidates); use them too when
    /// `use_detected`.
    pub detect: bool,
    /// Use the detected candidates as pools.
    pub use_detected: bool,
    /// Detection thresholds.
    pub detect_config: DetectConfig,
}

/// Summarises the pools of `events` and links deposits to withdrawals.
///
/// - A pool with events: its deposits and withdrawals are the events;
///   joined with a ledger, deposits take their depositor (and gas price)
///   from it, and every withdrawal is kept, those the ledger lacks with a
///   time from their block (see [`link_inputs_from_events`]).
/// - A pool without events, with a ledger: its deposits and withdrawals
///   are found among the ledger's transfers, per denomination (the
///   registry's, the declared ones, else inferred; see
///   [`resolve_pools`]); so are labelled mixers (from `labels`) and, on
///   request, detected pools.
///
/// # Errors
///
/// [`DemixError`] when a pool has no events and no denomination can be
/// found, a registry token pool has no events, or there is nothing to demix.
pub fn demix_pools(
    request: &DemixRequest,
    events: &[PoolEvents],
    ledger: Option<&Ledger>,
    labels: &LabelSet,
) -> Result<Demixed, DemixError> {
    let (mut deposits, mut withdrawals): (Vec<DepositTx>, Vec<WithdrawalTx>) =
        (Vec::new(), Vec::new());
    let mut unmatched = 0;
    let mut outside = 0;
    let mut summaries: Vec<PoolSummary> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut detected = Vec::new();
    let with_events: Vec<&Address> = events.iter().filter_map(|e| e.pool.as_ref()).collect();
    if ledger.is_none() && events.is_empty() {
        return Err(DemixError::Nothing);
    }
    for e in events {
        let Some(pool) = e.pool.as_ref() else {
            continue;
        };
        let denomination = registry::tornado_pool(pool)
            .map(|t| t.denomination_base_units)
            .or_else(|| {
                let d = request.pools.iter().find(|d| &d.address == pool)?;
                match &d.denominations[..] {
                    [one] => crate::amount::parse_decimal_units(one, 18).ok(),
                    _ => None,
                }
            });
        let txs = link_inputs_from_events(e, pool, denomination, ledger);
        unmatched += txs.unmatched;
        outside += txs.withdrawals_outside_ledger;
        let mut summary = pool_summary(e, &[]);
        summary.deposits_without_depositor = txs.unmatched;
        summary.withdrawals_outside_ledger = txs.withdrawals_outside_ledger;
        summaries.push(summary);
        deposits.extend(txs.deposits);
        withdrawals.extend(txs.withdrawals);
    }
    if let Some(ledger) = ledger {
        let rest: Vec<PoolDecl> = request
            .pools
            .iter()
            .filter(|d| !with_events.contains(&&d.address))
            .cloned()
            .collect();
        for d in &rest {
            if let Some(t) = registry::tornado_pool(&d.address) {
                if !t.asset.eq_ignore_ascii_case("ETH") {
                    // A token pool moves the token, which cannot be
                    // found among the ledger's assets by symbol.
                    return Err(DemixError::TokenPool {
                        pool: d.address.clone(),
                        name: t.display_name(),
                    });
                }
            }
        }
        let pool_request = PoolRequest {
            registry: true,
            labels: true,
            declared: rest.clone(),
            detect: request.detect,
            use_detected: request.use_detected,
            config: request.detect_config.clone(),
        };
        let resolved = resolve_pools(ledger, &pool_request, labels)
            .map_err(|e| DemixError::Pool(e.to_string()))?;
        // Only the registry pools that were asked for, and pools from the
        // other sources.
        let specs: Vec<PoolSpec> = resolved
            .pools
            .into_iter()
            .filter(|p| {
                !with_events.contains(&&p.address)
                    && (p.origin != PoolOrigin::Registry
                        || rest.iter().any(|d| d.address == p.address))
            })
            .collect();
        for d in &rest {
            if !specs.iter().any(|p| p.address == d.address) {
                return Err(DemixError::UnknownDenomination(d.address.clone()));
            }
        }
        for p in &specs {
            let txs = pool_txs_from_ledger(ledger, &p.address, p.asset, p.denomination);
            summaries.push(ledger_summary(ledger, p, &txs));
            deposits.extend(txs.deposits);
            withdrawals.extend(txs.withdrawals);
        }
        detected = resolved.candidates;
        notes = resolved.notes;
    } else if let Some(d) = request
        .pools
        .iter()
        .find(|d| !with_events.contains(&&d.address))
    {
        return Err(DemixError::NoEvents(d.address.clone()));
    }
    let mut linked = LinkedAddresses::new();
    if let (Some(ledger), true) = (ledger, request.ledger_links) {
        linked = linked_addresses_in_ledger(ledger, &deposits, &withdrawals);
    }
    let mut report = demix(&[], &deposits, &withdrawals, &linked, &request.links);
    // Timing needs every deposit of the pool, not only those whose
    // depositor the ledger names: a timing link stands only if the events
    // hold no other deposit in its window.
    let all_times: BTreeMap<&Address, Vec<Option<u64>>> = events
        .iter()
        .filter_map(|e| {
            let mut t: Vec<Option<u64>> = e.deposits.iter().map(|d| d.timestamp).collect();
            t.sort_unstable();
            Some((e.pool.as_ref()?, t))
        })
        .collect();
    let w_time: BTreeMap<Hash32, u64> = withdrawals.iter().map(|w| (w.tx, w.time)).collect();
    let window = request.links.timing_window;
    report.links.retain(|l| {
        if l.heuristic != Heuristic::Timing {
            return true;
        }
        let (Some(times), Some(&t)) = (all_times.get(&l.pool), w_time.get(&l.withdrawal_tx)) else {
            return true;
        };
        if times.iter().any(Option::is_none) {
            return false;
        }
        let lo = times.partition_point(|x| x.is_some_and(|x| x < t.saturating_sub(window)));
        let hi = times.partition_point(|x| x.is_some_and(|x| x < t));
        hi - lo == 1
    });
    summaries.sort_by(|a, b| {
        (&a.address, &a.denomination_base_units).cmp(&(&b.address, &b.denomination_base_units))
    });
    report.pools = summaries;
    report.by_heuristic = Heuristic::MIXER_LINKS
        .iter()
        .map(|h| {
            (
                h.name().to_string(),
                report.links.iter().filter(|l| l.heuristic == *h).count(),
            )
        })
        .collect();
    report.linked_pairs = linked.len();
    report.detected = detected;
    report.notes = notes;
    report.withdrawals_outside_ledger = outside;
    Ok(Demixed { report, unmatched })
}

/// A pool's summary from the deposits and withdrawals a ledger shows
/// (anonymity sets by time: deposits strictly earlier).
fn ledger_summary(ledger: &Ledger, p: &PoolSpec, txs: &PoolTxs) -> PoolSummary {
    let mut dep: Vec<u64> = txs.deposits.iter().map(|d| d.time).collect();
    let mut wd: Vec<u64> = txs.withdrawals.iter().map(|w| w.time).collect();
    dep.sort_unstable();
    wd.sort_unstable();
    let (mut sizes, mut unspent) = (Vec::new(), Vec::new());
    for &t in &wd {
        let before = dep.partition_point(|&x| x < t) as u64;
        let wbefore = wd.partition_point(|&x| x < t) as u64;
        sizes.push(before);
        unspent.push(before.saturating_sub(wbefore));
    }
    let meta = crate::assets::AssetMeta::of(ledger, p.asset);
    PoolSummary {
        address: Some(p.address.clone()),
        denomination: Some(match meta.decimals {
            Some(d) => format!(
                "{} {}",
                crate::amount::format_units(p.denomination, d),
                meta.symbol
            ),
            None => format!("{} {}", p.denomination, meta.symbol),
        }),
        denomination_base_units: Some(p.denomination),
        origin: Some(p.origin),
        deposits: txs.deposits.len() as u64,
        withdrawals: txs.withdrawals.len() as u64,
        anonymity_set: AnonymityStats::of(&sizes),
        unspent_notes: AnonymityStats::of(&unspent),
        deposits_without_depositor: 0,
        withdrawals_outside_ledger: 0,
    }
}
