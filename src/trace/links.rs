//! Mixer links for a trace: a pool's deposits and withdrawals found in the
//! ledger, linked by the heuristics of [`crate::heuristics::mixer::link`], reduced to
//! at most one link per withdrawal and per deposit, and turned into
//! conversions ([`Conversion::mixer_link`]).
//!
//! With links, a pool is no exit: a linked withdrawal carries the taint its
//! deposit handed over (the pool's purse receives that deposit clean), and
//! everything else goes through the pool's purse under the chosen model —
//! for haircut, every unlinked withdrawal carries the pool's tainted share.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::convert::{Conversion, ConversionKind};
use super::result::TraceResult;
use crate::heuristics::mixer::{
    link, linked_addresses_in_ledger, pool_txs_from_ledger, DepositTx, Hash32, Heuristic, Link,
    LinkConfig, LinkedAddresses, PoolOrigin, WithdrawalTx,
};
use crate::id::AssetId;
use crate::labels::registry;
use crate::ledger::{Address, Asset, Ledger};

pub use crate::heuristics::mixer::PoolSpec;

/// The registry's native-asset Tornado Cash pools that occur in `ledger`
/// (token pools need their token's asset id, which the registry cannot
/// give: pass them as [`PoolSpec`]s). See
/// [`resolve_pools`](crate::heuristics::mixer::resolve_pools) for pools
/// from labels, the command line and detection.
#[must_use]
pub fn registry_pools(ledger: &Ledger) -> Vec<PoolSpec> {
    let Some(native) = ledger.assets().iter().position(|a| {
        a.asset == Asset::Native && ledger.chains()[a.chain.index()].native_symbol == "ETH"
    }) else {
        return Vec::new();
    };
    let mut out: Vec<PoolSpec> = registry::tornado_pools()
        .iter()
        .filter(|p| p.asset == "ETH" && ledger.address_id(&p.address).is_some())
        .map(|p| PoolSpec {
            address: p.address.clone(),
            asset: AssetId::from_usize(native),
            denomination: p.denomination_base_units,
            origin: PoolOrigin::Registry,
        })
        .collect();
    out.sort();
    out
}

/// How [`find_mixer_links_with`] links.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MixerOptions {
    /// The heuristics' settings (windows, minimum confidence).
    pub links: LinkConfig,
    /// Linked-addresses heuristic: also pair depositors and recipients
    /// that transacted with each other in the ledger
    /// ([`linked_addresses_in_ledger`]).
    pub ledger_links: bool,
    /// Further pairs known to belong together (a clustering, an
    /// investigator's finding).
    pub linked: LinkedAddresses,
}

/// A withdrawal's anonymity set as the ledger shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WithdrawalSet {
    /// The pool.
    pub pool: String,
    /// The withdrawal transaction.
    pub withdrawal_tx: String,
    /// Deposits into the pool before it (the anonymity set: the ledger
    /// holds no nullifiers, so no deposit is provably spent).
    pub anonymity_set: u64,
    /// Deposits before it minus withdrawals before it (0 if negative).
    pub unspent_notes: u64,
}

/// What demixing found in a ledger.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MixerLinks {
    /// The pools searched.
    pub pools: Vec<PoolSpec>,
    /// Pairs of addresses the linked-addresses heuristic was given.
    pub linked_pairs: usize,
    /// Every deposit into the pools.
    pub deposits: Vec<DepositTx>,
    /// Every withdrawal.
    pub withdrawals: Vec<WithdrawalTx>,
    /// Every candidate link, as [`link`] gives them.
    pub candidates: Vec<Link>,
    /// The links chosen for the trace, one per withdrawal and one per
    /// deposit: candidates are taken most confident first (ties by
    /// heuristic, then withdrawal and deposit transaction hash, for
    /// determinism), skipping any whose withdrawal or deposit is taken.
    pub chosen: Vec<Link>,
    /// Per withdrawal transaction, its anonymity set.
    pub sets: BTreeMap<Hash32, WithdrawalSet>,
    /// Pool candidates detection proposed (listed, used only on request).
    pub detected: Vec<crate::heuristics::mixer::PoolCandidate>,
    /// Declared or labelled pools that could not be used, and why.
    pub notes: Vec<String>,
}

/// Finds `pools`' deposits and withdrawals in `ledger` and links them,
/// with `linked` as the only linked addresses.
///
/// # Complexity
///
/// One pass over the ledger per pool plus the linking of
/// [`crate::heuristics::mixer::link`].
#[must_use]
pub fn find_mixer_links(
    ledger: &Ledger,
    pools: &[PoolSpec],
    linked: &LinkedAddresses,
    config: &LinkConfig,
) -> MixerLinks {
    find_mixer_links_with(
        ledger,
        pools,
        &MixerOptions {
            links: config.clone(),
            ledger_links: false,
            linked: linked.clone(),
        },
    )
}

/// Finds `pools`' deposits and withdrawals in `ledger` and links them with
/// every heuristic, as `options` say.
///
/// # Complexity
///
/// One pass over the ledger per pool (and one more for linked addresses)
/// plus the linking of [`crate::heuristics::mixer::link`].
#[must_use]
pub fn find_mixer_links_with(
    ledger: &Ledger,
    pools: &[PoolSpec],
    options: &MixerOptions,
) -> MixerLinks {
    let mut out = MixerLinks {
        pools: pools.to_vec(),
        ..MixerLinks::default()
    };
    for p in pools {
        let txs = pool_txs_from_ledger(ledger, &p.address, p.asset, p.denomination);
        // Anonymity sets: deposits (and withdrawals) strictly earlier in time.
        let mut dep_times: Vec<u64> = txs.deposits.iter().map(|d| d.time).collect();
        dep_times.sort_unstable();
        let mut wd_times: Vec<u64> = txs.withdrawals.iter().map(|w| w.time).collect();
        wd_times.sort_unstable();
        for w in &txs.withdrawals {
            let before = dep_times.partition_point(|&t| t < w.time) as u64;
            let wbefore = wd_times.partition_point(|&t| t < w.time) as u64;
            out.sets.insert(
                w.tx,
                WithdrawalSet {
                    pool: p.address.to_string(),
                    withdrawal_tx: w.tx.to_string(),
                    anonymity_set: before,
                    unspent_notes: before.saturating_sub(wbefore),
                },
            );
        }
        out.deposits.extend(txs.deposits);
        out.withdrawals.extend(txs.withdrawals);
    }
    let mut linked = options.linked.clone();
    if options.ledger_links {
        let found = linked_addresses_in_ledger(ledger, &out.deposits, &out.withdrawals);
        linked.merge(found);
    }
    out.linked_pairs = linked.len();
    out.candidates = link(&out.deposits, &out.withdrawals, &linked, &options.links);
    let mut ranked: Vec<&Link> = out.candidates.iter().collect();
    ranked.sort_by(|a, b| {
        b.confidence
            .cmp(&a.confidence)
            .then(a.heuristic.cmp(&b.heuristic))
            .then(a.withdrawal_tx.cmp(&b.withdrawal_tx))
            .then(b.deposit_tx.cmp(&a.deposit_tx))
    });
    let mut used_w: BTreeSet<Hash32> = BTreeSet::new();
    let mut used_d: BTreeSet<Hash32> = BTreeSet::new();
    for l in ranked {
        if used_w.contains(&l.withdrawal_tx) || used_d.contains(&l.deposit_tx) {
            continue;
        }
        used_w.insert(l.withdrawal_tx);
        used_d.insert(l.deposit_tx);
        out.chosen.push(l.clone());
    }
    out.chosen.sort();
    out
}

impl MixerLinks {
    /// The chosen links as conversions for
    /// [`TraceConfig::with_conversions`](super::TraceConfig::with_conversions).
    #[must_use]
    pub fn conversions(&self) -> Vec<Conversion> {
        self.chosen
            .iter()
            .map(|l| {
                let pool = self
                    .deposits
                    .iter()
                    .find(|d| d.tx == l.deposit_tx)
                    .map_or(&l.pool, |d| &d.pool);
                Conversion::mixer_link(l, pool)
            })
            .collect()
    }

    /// Probable mode: per pool searched, its deposits and withdrawals that
    /// no chosen link uses, for
    /// [`TraceConfig::with_probable`](super::TraceConfig::with_probable).
    #[must_use]
    pub fn probable_pools(
        &self,
        config: &crate::heuristics::mixer::ProbableConfig,
    ) -> Vec<super::probable::ProbablePool> {
        let linked_d: BTreeSet<Hash32> = self.chosen.iter().map(|l| l.deposit_tx).collect();
        let linked_w: BTreeSet<Hash32> = self.chosen.iter().map(|l| l.withdrawal_tx).collect();
        self.pools
            .iter()
            .map(|p| {
                let key = |pool: &Address, d: Option<crate::amount::Amount>| {
                    *pool == p.address && d == Some(p.denomination)
                };
                super::probable::ProbablePool {
                    pool: p.address.clone(),
                    asset: p.asset,
                    denomination: p.denomination,
                    deposits: self
                        .deposits
                        .iter()
                        .filter(|d| key(&d.pool, d.denomination) && !linked_d.contains(&d.tx))
                        .map(|d| d.tx.0)
                        .collect(),
                    withdrawals: self
                        .withdrawals
                        .iter()
                        .filter(|w| key(&w.pool, w.denomination) && !linked_w.contains(&w.tx))
                        .map(|w| w.tx.0)
                        .collect(),
                    config: *config,
                }
            })
            .filter(|p| !p.deposits.is_empty())
            .collect()
    }

    /// The pools' addresses that had deposits or withdrawals.
    #[must_use]
    pub fn pool_addresses(&self) -> BTreeSet<&Address> {
        self.deposits
            .iter()
            .map(|d| &d.pool)
            .chain(self.withdrawals.iter().map(|w| &w.pool))
            .collect()
    }

    /// Per mixer heuristic (in [`Heuristic::MIXER_LINKS`] order): candidate
    /// links and links chosen.
    #[must_use]
    pub fn by_heuristic(&self) -> Vec<(Heuristic, usize, usize)> {
        Heuristic::MIXER_LINKS
            .iter()
            .map(|&h| {
                (
                    h,
                    self.candidates.iter().filter(|l| l.heuristic == h).count(),
                    self.chosen.iter().filter(|l| l.heuristic == h).count(),
                )
            })
            .collect()
    }

    /// The anonymity sets the trace met: every withdrawal from a pool that
    /// carried taint (through a link or the pool's share), by transaction.
    #[must_use]
    pub fn sets_met(&self, ledger: &Ledger, result: &TraceResult) -> Vec<WithdrawalSet> {
        let mut met: BTreeSet<Hash32> = BTreeSet::new();
        for f in &result.flows {
            let t = ledger.transfer(f.transfer);
            let h = Hash32(*ledger.tx_hash(t.tx));
            if self.sets.contains_key(&h) {
                met.insert(h);
            }
        }
        for c in &result.conversions {
            if c.kind == ConversionKind::MixerLink {
                met.insert(Hash32(*ledger.tx_hash(ledger.transfer(c.target).tx)));
            }
        }
        met.iter()
            .filter_map(|h| self.sets.get(h).cloned())
            .collect()
    }
}
