//! Deposit↔withdrawal link heuristics for fixed-denomination pools.
//!
//! The heuristics are the ones used against Tornado Cash in the literature
//! (Béres et al., "Blockchain is Watching You", 2021; Wang et al., Tutela,
//! 2022): a withdrawal is linked to a deposit when something outside the
//! pool's cryptography ties them. Each [`Link`] names its [`Heuristic`]
//! and carries that heuristic's fixed [`Confidence`] (0–100, the scale of
//! [`crate::labels::Confidence`]); see [`Heuristic::confidence`] for the
//! values and why. A deposit is always strictly earlier than the withdrawal
//! it is linked to, and (except for multi-denomination) in the same pool.
//!
//! The inputs are plain transaction summaries ([`DepositTx`],
//! [`WithdrawalTx`]) because gas prices and transaction senders are not in
//! the core ledger; a caller builds them from transactions and pool events.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::events::Hash32;
use crate::amount::Amount;
pub use crate::heuristics::Heuristic;
use crate::labels::Confidence;
use crate::ledger::Address;

/// A pool as the heuristics see it: its contract and, where known, its
/// denomination. A contract that takes several denominations is several
/// pools, and no link crosses from one to another.
type PoolKey<'a> = (&'a Address, Option<Amount>);

/// How many deposits or withdrawals an address made per pool.
type Profile = BTreeMap<(Address, Option<Amount>), usize>;

/// A deposit transaction into a pool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepositTx {
    /// Transaction hash.
    pub tx: Hash32,
    /// The sender of the deposit transaction.
    pub depositor: Address,
    /// Time (unix seconds).
    pub time: u64,
    /// Gas price in wei as the sender set it, where known.
    pub gas_price: Option<u128>,
    /// The pool contract.
    pub pool: Address,
    /// The pool's denomination (base units), where known: deposits and
    /// withdrawals of one contract are only linked within a denomination.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denomination: Option<Amount>,
}

impl DepositTx {
    fn key(&self) -> PoolKey<'_> {
        (&self.pool, self.denomination)
    }
}

impl WithdrawalTx {
    fn key(&self) -> PoolKey<'_> {
        (&self.pool, self.denomination)
    }
}

/// A withdrawal transaction from a pool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WithdrawalTx {
    /// Transaction hash.
    pub tx: Hash32,
    /// The address the pool pays.
    pub recipient: Address,
    /// The relayer that sent the transaction; `None` when the recipient sent it.
    pub relayer: Option<Address>,
    /// Time (unix seconds).
    pub time: u64,
    /// Gas price in wei as the sender set it, where known.
    pub gas_price: Option<u128>,
    /// The pool contract.
    pub pool: Address,
    /// The pool's denomination (base units), where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denomination: Option<Amount>,
}

/// Pairs of addresses known to belong together outside the pool (a direct
/// transfer between them, a shared cluster); order within a pair does not
/// matter. A pair may carry the transaction that links it, as evidence.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedAddresses(BTreeMap<(Address, Address), Option<Hash32>>);

impl LinkedAddresses {
    /// No pairs.
    #[must_use]
    pub fn new() -> LinkedAddresses {
        LinkedAddresses::default()
    }

    /// Records that `a` and `b` belong together.
    pub fn add(&mut self, a: Address, b: Address) {
        let key = if a <= b { (a, b) } else { (b, a) };
        self.0.entry(key).or_insert(None);
    }

    /// Records that `a` and `b` belong together because of transaction
    /// `tx` (the earliest evidence given is kept).
    pub fn add_with_evidence(&mut self, a: Address, b: Address, tx: Hash32) {
        let key = if a <= b { (a, b) } else { (b, a) };
        let e = self.0.entry(key).or_insert(Some(tx));
        if e.map_or(true, |old| tx < old) {
            *e = Some(tx);
        }
    }

    /// The transaction recorded as linking `a` and `b`, if any.
    #[must_use]
    pub fn evidence(&self, a: &Address, b: &Address) -> Option<Hash32> {
        let key = if a <= b {
            (a.clone(), b.clone())
        } else {
            (b.clone(), a.clone())
        };
        self.0.get(&key).copied().flatten()
    }

    /// Adds every pair of `other` (keeping the earliest evidence).
    pub fn merge(&mut self, other: LinkedAddresses) {
        for ((a, b), e) in other.0 {
            match e {
                Some(tx) => self.add_with_evidence(a, b, tx),
                None => self.add(a, b),
            }
        }
    }

    /// Number of pairs.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no pairs.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `a` and `b` were recorded as belonging together.
    #[must_use]
    pub fn contains(&self, a: &Address, b: &Address) -> bool {
        let key = if a <= b {
            (a.clone(), b.clone())
        } else {
            (b.clone(), a.clone())
        };
        self.0.contains_key(&key)
    }
}

/// Parameters of the heuristics.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkConfig {
    /// Timing heuristic: the longest delay (seconds) between a deposit and
    /// the withdrawal linked to it. Default 3,600 (one hour).
    pub timing_window: u64,
    /// Multi-denomination heuristic: the longest time (seconds) from a
    /// depositor's first deposit to the recipient's last withdrawal.
    /// Default 86,400 (one day).
    pub multi_denomination_window: u64,
    /// Unique gas price heuristic: gas prices that are a multiple of this
    /// (wei) are wallet defaults, not fingerprints. Default 10⁹ (1 gwei).
    pub round_gas_price: u128,
    /// Links below this confidence (0–100) are left out. Default 0.
    #[serde(default)]
    pub min_confidence: u8,
}

impl Default for LinkConfig {
    fn default() -> Self {
        LinkConfig {
            timing_window: 3_600,
            multi_denomination_window: 86_400,
            round_gas_price: 1_000_000_000,
            min_confidence: 0,
        }
    }
}

/// A candidate link from a deposit to a withdrawal.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Link {
    /// The withdrawal transaction.
    pub withdrawal_tx: Hash32,
    /// The deposit transaction.
    pub deposit_tx: Hash32,
    /// The heuristic.
    pub heuristic: Heuristic,
    /// Its confidence, 0–100 (see [`Heuristic::confidence`]).
    pub confidence: Confidence,
    /// The pool of the withdrawal.
    pub pool: Address,
    /// What matched, in words.
    pub reason: String,
    /// The transactions that show it: the deposit and the withdrawal, and
    /// for linked addresses the transaction between the two addresses.
    #[serde(default)]
    pub evidence: Vec<Hash32>,
}

fn make(d: &DepositTx, w: &WithdrawalTx, h: Heuristic, reason: String) -> Link {
    Link {
        withdrawal_tx: w.tx,
        deposit_tx: d.tx,
        heuristic: h,
        confidence: h.confidence(),
        pool: w.pool.clone(),
        reason,
        evidence: vec![d.tx, w.tx],
    }
}

/// Candidate links between `deposits` and `withdrawals` by every heuristic.
///
/// A pair may be linked by several heuristics (one [`Link`] each). The
/// result is sorted by withdrawal, deposit and heuristic, whatever the
/// order of the inputs.
///
/// # Complexity
///
/// O((D + W + L + K) log(D + W)) for D deposits, W withdrawals, L linked
/// pairs and K links found.
#[must_use]
pub fn link(
    deposits: &[DepositTx],
    withdrawals: &[WithdrawalTx],
    linked: &LinkedAddresses,
    config: &LinkConfig,
) -> Vec<Link> {
    let mut out = Vec::new();
    let mut by_pool: BTreeMap<PoolKey<'_>, Vec<&DepositTx>> = BTreeMap::new();
    for d in deposits {
        by_pool.entry(d.key()).or_default().push(d);
    }
    for v in by_pool.values_mut() {
        v.sort_by_key(|d| (d.time, d.tx));
    }
    let mut w_by_pool: BTreeMap<PoolKey<'_>, Vec<&WithdrawalTx>> = BTreeMap::new();
    for w in withdrawals {
        w_by_pool.entry(w.key()).or_default().push(w);
    }
    for v in w_by_pool.values_mut() {
        v.sort_by_key(|w| (w.time, w.tx));
    }

    // (pool, depositor) → deposits, for address match and linked addresses.
    let mut by_pool_depositor: BTreeMap<(PoolKey<'_>, &Address), Vec<&DepositTx>> = BTreeMap::new();
    for d in deposits {
        by_pool_depositor
            .entry((d.key(), &d.depositor))
            .or_default()
            .push(d);
    }
    let mut partners: BTreeMap<&Address, Vec<(&Address, Option<Hash32>)>> = BTreeMap::new();
    for ((x, y), e) in &linked.0 {
        partners.entry(x).or_default().push((y, *e));
        partners.entry(y).or_default().push((x, *e));
    }

    for w in withdrawals {
        if let Some(ds) = by_pool_depositor.get(&(w.key(), &w.recipient)) {
            for d in ds.iter().filter(|d| d.time < w.time) {
                out.push(make(
                    d,
                    w,
                    Heuristic::AddressMatch,
                    format!("withdrawal pays depositor {}", d.depositor),
                ));
            }
        }
        // Linked addresses: the recipient is no depositor of the pool
        // itself (that is address match) and is linked to exactly one of
        // its depositors; a recipient linked to several tells nothing.
        let linked_depositors: Vec<&(&Address, Option<Hash32>)> =
            if by_pool_depositor.contains_key(&(w.key(), &w.recipient)) {
                Vec::new()
            } else {
                partners
                    .get(&w.recipient)
                    .into_iter()
                    .flatten()
                    .filter(|(p, _)| {
                        *p != &w.recipient && by_pool_depositor.contains_key(&(w.key(), *p))
                    })
                    .collect()
            };
        for (p, evidence) in linked_depositors
            .iter()
            .filter(|_| linked_depositors.len() == 1)
        {
            let Some(ds) = by_pool_depositor.get(&(w.key(), *p)) else {
                continue;
            };
            for d in ds.iter().filter(|d| d.time < w.time) {
                let mut l = make(
                    d,
                    w,
                    Heuristic::LinkedAddresses,
                    format!(
                        "recipient {} is linked to depositor {}{}",
                        w.recipient,
                        d.depositor,
                        evidence.map_or_else(String::new, |e| format!(" (transaction {e})"))
                    ),
                );
                l.evidence.extend(evidence.iter().copied());
                out.push(l);
            }
        }
        // Timing: the only deposit of the pool within the window before the
        // withdrawal, and no other withdrawal of the pool between the two.
        let Some(pool_deps) = by_pool.get(&w.key()) else {
            continue;
        };
        let end = pool_deps.partition_point(|d| d.time < w.time);
        let start =
            pool_deps.partition_point(|d| d.time < w.time.saturating_sub(config.timing_window));
        if let [d] = pool_deps[start..end] {
            let between = w_by_pool.get(&w.key()).map_or(0, |ws| {
                let lo = ws.partition_point(|x| x.time <= d.time);
                let hi = ws.partition_point(|x| x.time <= w.time);
                ws[lo..hi].iter().filter(|x| x.tx != w.tx).count()
            });
            if between == 0 {
                out.push(make(
                    d,
                    w,
                    Heuristic::Timing,
                    format!(
                        "only deposit of the pool in the {} s before the withdrawal ({} s earlier)",
                        config.timing_window,
                        w.time - d.time
                    ),
                ));
            }
        }
    }

    unique_gas_price(deposits, withdrawals, config, &mut out);
    multi_denomination(deposits, withdrawals, config, &mut out);
    out.retain(|l| l.confidence.level() >= config.min_confidence);
    out.sort();
    out.dedup();
    out
}

fn unique_gas_price(
    deposits: &[DepositTx],
    withdrawals: &[WithdrawalTx],
    config: &LinkConfig,
    out: &mut Vec<Link>,
) {
    let distinctive = |g: u128| config.round_gas_price == 0 || g % config.round_gas_price != 0;
    let mut dg: BTreeMap<u128, Vec<&DepositTx>> = BTreeMap::new();
    for d in deposits {
        if let Some(g) = d.gas_price.filter(|&g| distinctive(g)) {
            dg.entry(g).or_default().push(d);
        }
    }
    let mut wg: BTreeMap<u128, Vec<&WithdrawalTx>> = BTreeMap::new();
    for w in withdrawals {
        if let Some(g) = w.gas_price.filter(|&g| distinctive(g)) {
            wg.entry(g).or_default().push(w);
        }
    }
    for (g, ds) in &dg {
        let (Some(ws), [d]) = (wg.get(g), &ds[..]) else {
            continue;
        };
        let [w] = &ws[..] else { continue };
        if w.relayer.is_none() && w.key() == d.key() && d.time < w.time {
            out.push(make(
                d,
                w,
                Heuristic::UniqueGasPrice,
                format!(
                    "both use the gas price {g} wei, which no other deposit or withdrawal uses"
                ),
            ));
        }
    }
}

fn multi_denomination(
    deposits: &[DepositTx],
    withdrawals: &[WithdrawalTx],
    config: &LinkConfig,
    out: &mut Vec<Link>,
) {
    let mut by_depositor: BTreeMap<&Address, Vec<&DepositTx>> = BTreeMap::new();
    for d in deposits {
        by_depositor.entry(&d.depositor).or_default().push(d);
    }
    let mut by_recipient: BTreeMap<&Address, Vec<&WithdrawalTx>> = BTreeMap::new();
    for w in withdrawals {
        by_recipient.entry(&w.recipient).or_default().push(w);
    }
    let profile = |pools: Vec<PoolKey<'_>>| -> Profile {
        let mut m = BTreeMap::new();
        for (p, denomination) in pools {
            *m.entry((p.clone(), denomination)).or_insert(0) += 1;
        }
        m
    };
    // Recipients by withdrawal profile (pool → count), so each depositor
    // looks up the recipients with exactly its profile.
    let mut by_profile: BTreeMap<Profile, Vec<&Address>> = BTreeMap::new();
    for (rec, ws) in &by_recipient {
        let wp = profile(ws.iter().map(|w| w.key()).collect());
        if wp.len() >= 2 {
            by_profile.entry(wp).or_default().push(rec);
        }
    }
    // Candidate (depositor, recipient) matches.
    let mut matches: Vec<(&Address, &Address)> = Vec::new();
    for (dep, ds) in &by_depositor {
        let dp = profile(ds.iter().map(|d| d.key()).collect());
        if dp.len() < 2 {
            continue;
        }
        let first = ds.iter().map(|d| d.time).min().unwrap_or(0);
        let last = ds.iter().map(|d| d.time).max().unwrap_or(0);
        for rec in by_profile.get(&dp).into_iter().flatten() {
            if rec == dep {
                continue;
            }
            let Some(ws) = by_recipient.get(rec) else {
                continue;
            };
            let wmin = ws.iter().map(|w| w.time).min().unwrap_or(0);
            let wmax = ws.iter().map(|w| w.time).max().unwrap_or(0);
            if wmin > last && wmax - first <= config.multi_denomination_window {
                matches.push((dep, rec));
            }
        }
    }
    let mut per_dep: BTreeMap<&Address, usize> = BTreeMap::new();
    let mut per_rec: BTreeMap<&Address, usize> = BTreeMap::new();
    for (d, r) in &matches {
        *per_dep.entry(d).or_insert(0) += 1;
        *per_rec.entry(r).or_insert(0) += 1;
    }
    for (dep, rec) in matches {
        if per_dep[dep] != 1 || per_rec[rec] != 1 {
            continue;
        }
        let (Some(ds), Some(ws)) = (by_depositor.get(dep), by_recipient.get(rec)) else {
            continue;
        };
        let pools: BTreeSet<PoolKey<'_>> = ds.iter().map(|d| d.key()).collect();
        for pool in pools {
            let mut pd: Vec<&&DepositTx> = ds.iter().filter(|d| d.key() == pool).collect();
            let mut pw: Vec<&&WithdrawalTx> = ws.iter().filter(|w| w.key() == pool).collect();
            pd.sort_by_key(|d| (d.time, d.tx));
            pw.sort_by_key(|w| (w.time, w.tx));
            for (d, w) in pd.iter().zip(pw.iter()) {
                out.push(make(
                    d,
                    w,
                    Heuristic::MultiDenomination,
                    format!("{dep} deposited and {rec} withdrew the same {} denominations, a combination no one else matches", ds.len()),
                ));
            }
        }
    }
}
