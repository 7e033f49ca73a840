//! Anonymity sets of pool withdrawals.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::events::{Hash32, PoolEvents, Pos};
use crate::labels::registry;
use crate::ledger::Address;

/// A deposit known for certain to be spent by a withdrawal: the deposit's
/// leaf index and the withdrawal's nullifier hash (from a revealed note, a
/// court record, or a link the investigator accepts as proof).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ProvenSpend {
    /// Leaf index of the deposit.
    pub leaf_index: u32,
    /// Nullifier hash of the withdrawal that spends it.
    pub nullifier_hash: Hash32,
}

/// The anonymity set of one withdrawal.
///
/// # Definition
///
/// A withdrawal `w` could be spending any deposit made before it that has
/// not provably been spent before it:
///
/// - *before* means provably earlier in chain order: an earlier block, or
///   the same block with both log indices known and smaller. The event
///   caches carry no log index, so there a deposit in the same block as `w`
///   is not counted (a note cannot practically be proven against a Merkle
///   root that does not exist yet);
/// - *provably spent* means a [`ProvenSpend`] ties the deposit to a
///   withdrawal that is itself before `w`. Nullifier hashes do not reveal
///   which deposit they spend, so without such evidence no deposit is
///   provably spent, and the set is every earlier deposit.
///
/// `size = deposits_before − provably_withdrawn`. `unspent_notes =
/// deposits_before − withdrawals_before` is the number of notes still in
/// the pool when `w` is made: the pool's balance in denominations, which is
/// what a haircut over the pool as one purse divides by. It is a count, not
/// a set: which notes are unspent is exactly what is hidden.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnonymitySet {
    /// The withdrawal's transaction.
    pub withdrawal_tx: Hash32,
    /// The withdrawal's nullifier hash.
    pub nullifier_hash: Hash32,
    /// Its block.
    pub block: u64,
    /// Deposits before it.
    pub deposits_before: u64,
    /// Withdrawals before it.
    pub withdrawals_before: u64,
    /// Deposits before it that are provably spent before it.
    pub provably_withdrawn: u64,
    /// The anonymity set size: `deposits_before − provably_withdrawn`.
    pub size: u64,
    /// Notes left in the pool: `deposits_before − withdrawals_before` (0 if negative).
    pub unspent_notes: u64,
}

/// Distribution of anonymity-set sizes (nearest-rank percentiles).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnonymityStats {
    /// Number of withdrawals.
    pub count: u64,
    /// Smallest set.
    pub min: u64,
    /// Median (nearest rank: the ⌈n/2⌉-th smallest).
    pub median: u64,
    /// 90th percentile (the ⌈0.9·n⌉-th smallest).
    pub p90: u64,
    /// Largest set.
    pub max: u64,
}

impl AnonymityStats {
    /// The distribution of `sizes` (all zero when empty).
    #[must_use]
    pub fn of(sizes: &[u64]) -> AnonymityStats {
        if sizes.is_empty() {
            return AnonymityStats::default();
        }
        let mut v = sizes.to_vec();
        v.sort_unstable();
        let n = v.len();
        let rank = |num: usize, den: usize| v[(n * num).div_ceil(den).clamp(1, n) - 1];
        AnonymityStats {
            count: n as u64,
            min: v[0],
            median: rank(1, 2),
            p90: rank(9, 10),
            max: v[n - 1],
        }
    }
}

/// What `fundtrace demix` prints per pool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolSummary {
    /// The pool contract, where known.
    pub address: Option<Address>,
    /// Its denomination (`100 ETH`), where known.
    pub denomination: Option<String>,
    /// Its denomination in base units, where known.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "opt_amount",
        deserialize_with = "de_opt_amount"
    )]
    pub denomination_base_units: Option<crate::amount::Amount>,
    /// Where the pool was declared, when it was found in a ledger rather
    /// than given by its events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<super::PoolOrigin>,
    /// Number of deposits.
    pub deposits: u64,
    /// Number of withdrawals.
    pub withdrawals: u64,
    /// Distribution of anonymity-set sizes at withdrawal time: deposits
    /// provably before each withdrawal.
    pub anonymity_set: AnonymityStats,
    /// Distribution of the notes still unspent at each withdrawal
    /// (deposits before it less withdrawals before it).
    #[serde(default)]
    pub unspent_notes: AnonymityStats,
    /// Deposits whose depositor is unknown (their transaction is not in the
    /// ledger): counted here, left out of linking.
    #[serde(default)]
    pub deposits_without_depositor: u64,
    /// Withdrawals whose transaction is not in the ledger: kept and linked
    /// from what their event names.
    #[serde(default)]
    pub withdrawals_outside_ledger: u64,
}

fn opt_amount<S: serde::Serializer>(
    v: &Option<crate::amount::Amount>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.collect_str(v),
        None => s.serialize_none(),
    }
}

fn de_opt_amount<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<crate::amount::Amount>, D::Error> {
    let s: Option<String> = Option::deserialize(d)?;
    s.map(|s| s.parse().map_err(serde::de::Error::custom))
        .transpose()
}

/// Number of positions in `sorted` (sorted by block) provably before `p`.
fn count_before(sorted: &[Pos], p: Pos) -> u64 {
    let i = sorted.partition_point(|q| q.block < p.block);
    let same = sorted[i..]
        .iter()
        .take_while(|q| q.block == p.block)
        .filter(|q| q.before(p))
        .count();
    (i + same) as u64
}

fn sorted_positions(it: impl Iterator<Item = Pos>) -> Vec<Pos> {
    let mut v: Vec<Pos> = it.collect();
    v.sort_by_key(|p| (p.block, p.log));
    v
}

/// The anonymity set of every withdrawal of `events`, in withdrawal order.
///
/// `proven` lists spends known for certain (see [`AnonymitySet`]); spends
/// naming an unknown leaf or nullifier are ignored.
///
/// # Complexity
///
/// O((D + W + P) log(D + W + P)) for D deposits, W withdrawals, P proven spends.
#[must_use]
pub fn anonymity_sets(events: &PoolEvents, proven: &[ProvenSpend]) -> Vec<AnonymitySet> {
    let deposits = sorted_positions(events.deposits.iter().map(|d| d.pos()));
    let withdrawals = sorted_positions(events.withdrawals.iter().map(|w| w.pos()));
    let leaf_pos: BTreeMap<u32, Pos> = events
        .deposits
        .iter()
        .map(|d| (d.leaf_index, d.pos()))
        .collect();
    let null_pos: BTreeMap<Hash32, Pos> = events
        .withdrawals
        .iter()
        .map(|w| (w.nullifier_hash, w.pos()))
        .collect();
    // Proven spends as (deposit position, withdrawal position), sorted by withdrawal.
    let mut spends: Vec<(Pos, Pos)> = proven
        .iter()
        .filter_map(|p| {
            Some((
                *leaf_pos.get(&p.leaf_index)?,
                *null_pos.get(&p.nullifier_hash)?,
            ))
        })
        .collect();
    spends.sort_by_key(|(_, w)| (w.block, w.log));
    let spend_w: Vec<Pos> = spends.iter().map(|(_, w)| *w).collect();

    events
        .withdrawals
        .iter()
        .map(|w| {
            let p = w.pos();
            let deposits_before = count_before(&deposits, p);
            let withdrawals_before = count_before(&withdrawals, p);
            let provably_withdrawn = {
                let i = spend_w.partition_point(|q| q.block < p.block);
                let candidates = spends[..i].iter().chain(
                    spends[i..]
                        .iter()
                        .take_while(|(_, q)| q.block == p.block)
                        .filter(|(_, q)| q.before(p)),
                );
                candidates.filter(|(d, _)| d.before(p)).count() as u64
            };
            AnonymitySet {
                withdrawal_tx: w.tx,
                nullifier_hash: w.nullifier_hash,
                block: w.block,
                deposits_before,
                withdrawals_before,
                provably_withdrawn,
                size: deposits_before.saturating_sub(provably_withdrawn),
                unspent_notes: deposits_before.saturating_sub(withdrawals_before),
            }
        })
        .collect()
}

/// The summary `fundtrace demix` prints for one pool: counts and the
/// distribution of anonymity-set sizes; the denomination comes from
/// [`registry::tornado_pool`] when the pool address is known.
#[must_use]
pub fn pool_summary(events: &PoolEvents, proven: &[ProvenSpend]) -> PoolSummary {
    let sets = anonymity_sets(events, proven);
    let sizes: Vec<u64> = sets.iter().map(|s| s.size).collect();
    let unspent: Vec<u64> = sets.iter().map(|s| s.unspent_notes).collect();
    let known = events.pool.as_ref().and_then(registry::tornado_pool);
    PoolSummary {
        address: events.pool.clone(),
        denomination: known.map(registry::TornadoPool::display_name),
        denomination_base_units: known.map(|t| t.denomination_base_units),
        origin: None,
        deposits: events.deposits.len() as u64,
        withdrawals: events.withdrawals.len() as u64,
        anonymity_set: AnonymityStats::of(&sizes),
        unspent_notes: AnonymityStats::of(&unspent),
        deposits_without_depositor: 0,
        withdrawals_outside_ledger: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::heuristics::mixer::{Deposit, Withdrawal};

    fn h(n: u8) -> Hash32 {
        Hash32([n; 32])
    }

    fn dep(leaf: u32, block: u64, log: Option<u32>) -> Deposit {
        Deposit {
            tx: h(leaf as u8),
            block,
            log_index: log,
            timestamp: None,
            commitment: h(100 + leaf as u8),
            leaf_index: leaf,
        }
    }

    fn wd(n: u8, block: u64, log: Option<u32>) -> Withdrawal {
        Withdrawal {
            tx: h(200 + n),
            block,
            log_index: log,
            timestamp: None,
            to: Address::Evm([n; 20]),
            relayer: None,
            nullifier_hash: h(50 + n),
            fee: 0,
        }
    }

    #[test]
    fn sets_count_earlier_deposits_less_proven_spends() {
        let mut ev = PoolEvents {
            pool: None,
            deposits: vec![
                dep(0, 10, None),
                dep(1, 11, None),
                dep(2, 20, None),
                dep(3, 30, None),
            ],
            withdrawals: vec![wd(0, 20, None), wd(1, 25, None), wd(2, 31, None)],
        };
        ev.sort();
        let s = anonymity_sets(&ev, &[]);
        // Same block without log indices: the deposit at block 20 is not before w0.
        assert_eq!(s.iter().map(|a| a.size).collect::<Vec<_>>(), vec![2, 3, 4]);
        assert_eq!(
            s.iter().map(|a| a.unspent_notes).collect::<Vec<_>>(),
            vec![2, 2, 2]
        );
        // Leaf 0 is proven spent by w0: w1 and w2 no longer count it, w0 does.
        let proven = [ProvenSpend {
            leaf_index: 0,
            nullifier_hash: h(50),
        }];
        let s = anonymity_sets(&ev, &proven);
        assert_eq!(s.iter().map(|a| a.size).collect::<Vec<_>>(), vec![2, 2, 3]);
        let stats = AnonymityStats::of(&[2, 2, 3]);
        assert_eq!(
            (stats.min, stats.median, stats.p90, stats.max),
            (2, 2, 3, 3)
        );
    }

    #[test]
    fn log_indices_order_events_within_a_block() {
        let ev = PoolEvents {
            pool: None,
            deposits: vec![dep(0, 10, Some(1)), dep(1, 10, Some(5))],
            withdrawals: vec![wd(0, 10, Some(3))],
        };
        assert_eq!(anonymity_sets(&ev, &[])[0].deposits_before, 1);
    }
}
