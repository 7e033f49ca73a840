//! Probable flows through mixer pools: taint no certain link carries is
//! spread over a deposit's candidate withdrawals by their plausibility.
//!
//! Without it, a pool is one purse under the model, and taint that no link
//! carries leaks out of it by the model's rule (haircut: to every later
//! withdrawal, of any denomination, in proportion to its amount). In
//! probable mode ([`super::TraceConfig::with_probable`]) each
//! [`ProbablePool`] — one (pool, asset, denomination), with the deposits
//! and withdrawals no certain link uses — works instead like a mixer link
//! with many targets:
//!
//! - **Deposit.** The tainted parts of a deposit's transfers into the pool
//!   are handed over (the pool's purse receives them clean), counted under
//!   `linked_out`, and split at once over the deposit's *candidates*: the
//!   pool's withdrawals of the same denomination that come after the
//!   deposit in the ledger's order, within [`ProbableConfig::window`],
//!   weighted by [`plausibility`] (integers). Each tainted part (per
//!   incident and hop count) is split exactly by the weights, largest
//!   remainders first (DESIGN §2: nothing is created or lost). A deposit
//!   with no candidate keeps its taint in the pool.
//! - **Withdrawal.** The shares offered to a withdrawal are split over its
//!   transfers out of the pool (recipient, relayer fee) by their amounts,
//!   exactly, and each transfer carries its shares out of the clean value
//!   the pool pays, never more than that (a withdrawal offered more than it
//!   pays carries what it pays). What it carries is counted under
//!   `linked_in` and [`AssetTotals::probable`](super::AssetTotals::probable).
//! - **Pooled.** What was handed over and not carried on (no candidate, a
//!   withdrawal that could not carry its shares, a candidate beyond the
//!   trace's end) leaves `linked_out` and is counted as `pooled`, so per
//!   asset `stolen = held + exited + fees + dust + creations + pooled` still
//!   holds to the base unit, as with certain links alone.
//!
//! # The taint a probable flow carries
//!
//! It is taint of the deposit's incident, with the deposit's hop count
//! (a pool crossing counts no hop, as for links), and it moves on through
//! the trace like any taint — under the model, to exits, holders, further
//! pools — but it stays marked *probable*: every book keeps it apart from
//! certain taint of the same incident, and exits and holders report how
//! much of their amount is probable. Taint that is probable once stays
//! probable, whatever certain link it crosses later.
//!
//! Certain links come first: a deposit or withdrawal a certain link uses is
//! no part of any probable pool, and a transfer that is the source or
//! target of another conversion is left out of the spread. Under poison the
//! mode does nothing: a pool that received taint poisons every later
//! withdrawal in full already.

use std::collections::{BTreeMap, HashMap};

use super::books::{Part, PROBABLE};
use super::convert::{leg_transfers, replace_clean, Leg};
use crate::amount::{largest_remainder_split, Amount};
use crate::heuristics::mixer::{plausibility, ProbableConfig};
use crate::id::{AddressId, AssetId, TransferId};
use crate::ledger::{Address, Ledger};

/// One pool (address, asset, denomination) in probable mode: the deposits
/// and withdrawals of that denomination no certain link uses.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProbablePool {
    /// The pool contract.
    pub pool: Address,
    /// The asset it takes.
    pub asset: AssetId,
    /// Its denomination, base units (for the report; the deposits and
    /// withdrawals are already of it).
    pub denomination: Amount,
    /// Deposit transactions: their transfers of `asset` into `pool` hand
    /// their taint over.
    pub deposits: Vec<[u8; 32]>,
    /// Withdrawal transactions: their transfers of `asset` out of `pool`
    /// carry the shares offered to them.
    pub withdrawals: Vec<[u8; 32]>,
    /// Window and weights.
    pub config: ProbableConfig,
}

/// One deposit→withdrawal flow of the probable mode that was offered taint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbableFlow {
    /// The pool.
    pub pool: AddressId,
    /// Its asset.
    pub asset: AssetId,
    /// Its denomination.
    pub denomination: Amount,
    /// The deposit's first transfer into the pool.
    pub deposit: TransferId,
    /// The withdrawal's first transfer out of the pool.
    pub withdrawal: TransferId,
    /// The withdrawal's weight among the deposit's candidates.
    pub weight: u64,
    /// The sum of the weights of the deposit's candidates.
    pub total_weight: u64,
    /// The deposit's taint offered to this withdrawal: its share by weight.
    pub offered: Amount,
    /// What the withdrawal carried on (at most `offered`).
    pub carried: Amount,
}

#[derive(Debug)]
struct Dep {
    pool: u32,
    sources: Vec<u32>,
    last: u32,
    time: u64,
}

#[derive(Debug)]
struct Wd {
    pool: u32,
    targets: Vec<u32>,
    amounts: Vec<Amount>,
    first: u32,
    time: u64,
    /// Shares offered: (deposit, part).
    pending: Vec<(u32, Part)>,
    /// Per pending entry, its split over `targets`.
    alloc: Vec<Vec<Amount>>,
}

#[derive(Debug)]
struct PoolState {
    address: AddressId,
    asset: AssetId,
    denomination: Amount,
    config: ProbableConfig,
    /// Withdrawals (indices into `wds`) by first target transfer.
    wds: Vec<u32>,
    captured: Amount,
    delivered: Amount,
}

#[derive(Debug, Default)]
struct FlowAcc {
    weight: u64,
    total_weight: u64,
    offered: Amount,
    carried: Amount,
}

/// The probable pools of a trace, resolved against the ledger, with their
/// state during the walk.
#[derive(Debug, Default)]
pub(crate) struct Spreads {
    pools: Vec<PoolState>,
    deps: Vec<Dep>,
    wds: Vec<Wd>,
    source_of: HashMap<u32, u32>,
    target_of: HashMap<u32, (u32, u32)>,
    flows: BTreeMap<(u32, u32), FlowAcc>,
}

impl Spreads {
    /// Resolves `pools` among the ledger's first `end` transfers, leaving
    /// out transfers `taken` says belong to another conversion.
    pub(crate) fn new(
        ledger: &Ledger,
        pools: &[ProbablePool],
        end: usize,
        taken: impl Fn(u32) -> bool,
    ) -> Spreads {
        let mut s = Spreads::default();
        let assets = ledger.transfer_assets();
        let amounts = ledger.amounts();
        for p in pools {
            let Some(address) = ledger.address_id(&p.pool) else {
                continue;
            };
            let pool = u32::try_from(s.pools.len()).unwrap_or(u32::MAX);
            let mut state = PoolState {
                address,
                asset: p.asset,
                denomination: p.denomination,
                config: p.config,
                wds: Vec::new(),
                captured: 0,
                delivered: 0,
            };
            let legs = |tx: &[u8; 32], from: Option<&Address>, to: Option<&Address>| {
                let leg = Leg {
                    tx: *tx,
                    from: from.cloned(),
                    to: to.cloned(),
                };
                let mut ts = leg_transfers(ledger, &leg, end);
                ts.retain(|&t| assets[t as usize] == p.asset && !taken(t));
                ts
            };
            let mut deposits = p.deposits.clone();
            deposits.sort_unstable();
            deposits.dedup();
            for tx in &deposits {
                let sources = legs(tx, None, Some(&p.pool));
                let (Some(&first), Some(&last)) = (sources.first(), sources.last()) else {
                    continue;
                };
                if sources.iter().any(|t| s.source_of.contains_key(t)) {
                    continue;
                }
                let d = u32::try_from(s.deps.len()).unwrap_or(u32::MAX);
                for &t in &sources {
                    s.source_of.insert(t, d);
                }
                s.deps.push(Dep {
                    pool,
                    time: ledger.time(TransferId::from_usize(first as usize)),
                    sources,
                    last,
                });
            }
            let mut withdrawals = p.withdrawals.clone();
            withdrawals.sort_unstable();
            withdrawals.dedup();
            for tx in &withdrawals {
                let targets = legs(tx, Some(&p.pool), None);
                let Some(&first) = targets.first() else {
                    continue;
                };
                if targets.iter().any(|t| s.target_of.contains_key(t)) {
                    continue;
                }
                let k = u32::try_from(s.wds.len()).unwrap_or(u32::MAX);
                for (pos, &t) in targets.iter().enumerate() {
                    s.target_of
                        .insert(t, (k, u32::try_from(pos).unwrap_or(u32::MAX)));
                }
                state.wds.push(k);
                s.wds.push(Wd {
                    pool,
                    amounts: targets.iter().map(|&t| amounts[t as usize]).collect(),
                    time: ledger.time(TransferId::from_usize(first as usize)),
                    first,
                    targets,
                    pending: Vec::new(),
                    alloc: Vec::new(),
                });
            }
            let wds = &s.wds;
            state.wds.sort_by_key(|&k| wds[k as usize].first);
            s.pools.push(state);
        }
        s
    }

    /// Whether there is nothing to spread.
    pub(crate) fn is_empty(&self) -> bool {
        self.deps.is_empty()
    }

    /// Every withdrawal transfer that can carry a share (the driver must
    /// not skip them, and their receivers count as reached).
    pub(crate) fn targets(&self) -> impl Iterator<Item = u32> + '_ {
        self.target_of.keys().copied()
    }

    /// Whether transfer `i` is a target.
    pub(crate) fn is_target(&self, i: u32) -> bool {
        self.target_of.contains_key(&i)
    }

    /// The deposit transfer `i` is a source of.
    #[inline]
    pub(crate) fn source_of(&self, i: usize) -> Option<u32> {
        if self.deps.is_empty() {
            return None;
        }
        u32::try_from(i)
            .ok()
            .and_then(|i| self.source_of.get(&i).copied())
    }

    /// Hands the tainted `parts` of a source transfer of deposit `d` over
    /// (they become clean) and offers them to its candidates; returns the
    /// amount handed over.
    pub(crate) fn capture(&mut self, d: u32, parts: &mut [Part]) -> Amount {
        let dep = &self.deps[d as usize];
        let pool = &mut self.pools[dep.pool as usize];
        // Candidates: later in the ledger's order, within the window.
        let wds = &self.wds;
        let start = pool
            .wds
            .partition_point(|&k| wds[k as usize].first <= dep.last);
        let mut candidates: Vec<u32> = Vec::new();
        let mut weights: Vec<Amount> = Vec::new();
        for &k in &pool.wds[start..] {
            let delay = wds[k as usize].time.saturating_sub(dep.time);
            let w = plausibility(delay, &pool.config);
            if delay > pool.config.window {
                break;
            }
            if w > 0 {
                candidates.push(k);
                weights.push(Amount::from(w));
            }
        }
        // At most one u64 weight per withdrawal: the sum fits.
        let total_weight: Amount = weights.iter().sum();
        let mut handed: Amount = 0;
        for part in parts.iter_mut().filter(|p| !p.is_clean()) {
            handed = handed.saturating_add(part.amount);
            if total_weight > 0 {
                let shares = largest_remainder_split(&weights, part.amount);
                for ((&k, &share), &w) in candidates.iter().zip(&shares).zip(&weights) {
                    if share == 0 {
                        continue;
                    }
                    self.wds[k as usize].pending.push((
                        d,
                        Part {
                            amount: share,
                            tag: part.tag | PROBABLE,
                            hops: part.hops,
                        },
                    ));
                    let f = self.flows.entry((d, k)).or_default();
                    f.weight = u64::try_from(w).unwrap_or(u64::MAX);
                    f.total_weight = u64::try_from(total_weight).unwrap_or(u64::MAX);
                    f.offered = f.offered.saturating_add(share);
                }
            }
            part.tag = super::books::CLEAN;
        }
        pool.captured = pool.captured.saturating_add(handed);
        handed
    }

    /// Turns clean parts of target transfer `i` into the probable taint
    /// offered to it, within the clean value available; returns the amount.
    pub(crate) fn deliver(&mut self, i: usize, parts: &mut Vec<Part>) -> Option<Amount> {
        let &(k, pos) = self.target_of.get(&u32::try_from(i).ok()?)?;
        let wd = &mut self.wds[k as usize];
        if wd.pending.is_empty() {
            return None;
        }
        while wd.alloc.len() < wd.pending.len() {
            let amount = wd.pending[wd.alloc.len()].1.amount;
            wd.alloc.push(largest_remainder_split(&wd.amounts, amount));
        }
        let mut clean: Amount = parts
            .iter()
            .filter(|q| q.is_clean())
            .fold(0, |s, q| s.saturating_add(q.amount));
        let mut converted: Vec<Part> = Vec::new();
        for ((d, part), alloc) in wd.pending.iter().zip(&wd.alloc) {
            let share = alloc.get(pos as usize).copied().unwrap_or(0).min(clean);
            if share == 0 {
                continue;
            }
            clean -= share;
            if let Some(f) = self.flows.get_mut(&(*d, k)) {
                f.carried = f.carried.saturating_add(share);
            }
            converted.push(Part {
                amount: share,
                ..*part
            });
        }
        let total = replace_clean(parts, converted)?;
        let pool = &mut self.pools[wd.pool as usize];
        pool.delivered = pool.delivered.saturating_add(total);
        Some(total)
    }

    /// Per pool, the taint handed over and not carried on: `(asset, amount)`.
    pub(crate) fn pooled(&self) -> Vec<(AssetId, Amount)> {
        self.pools
            .iter()
            .filter_map(|p| {
                let left = p.captured.saturating_sub(p.delivered);
                (left > 0).then_some((p.asset, left))
            })
            .collect()
    }

    /// Every flow that was offered taint, by deposit and withdrawal transfer.
    pub(crate) fn flows(&self) -> Vec<ProbableFlow> {
        let mut out: Vec<ProbableFlow> = self
            .flows
            .iter()
            .filter(|(_, f)| f.offered > 0)
            .map(|(&(d, k), f)| {
                let dep = &self.deps[d as usize];
                let pool = &self.pools[dep.pool as usize];
                ProbableFlow {
                    pool: pool.address,
                    asset: pool.asset,
                    denomination: pool.denomination,
                    deposit: TransferId::from_usize(dep.sources[0] as usize),
                    withdrawal: TransferId::from_usize(self.wds[k as usize].targets[0] as usize),
                    weight: f.weight,
                    total_weight: f.total_weight,
                    offered: f.offered,
                    carried: f.carried,
                }
            })
            .collect();
        out.sort_by_key(|f| (f.deposit, f.withdrawal));
        out
    }
}
