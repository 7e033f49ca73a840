//! Conversions: taint that leaves one set of transfers and reappears on
//! another — a swap (asset X for asset Y in one transaction), a mixer link
//! (a pool deposit and the withdrawal linked to it) or a bridge match (a
//! deposit on one chain and the release on another).
//!
//! The sums here saturate without harm: what a conversion captures and
//! delivers is part of the per-asset conversion totals, which the driver
//! adds with a check (an overflow there ends the trace in an error), and
//! the per-transaction sums that find swaps only decide whether a
//! transaction looks like one.
//!
//! # Rules
//!
//! A conversion has *source* transfers (their total amount is `x`) and
//! *target* transfers.
//!
//! - **Source**: the tainted part of a source transfer is handed over like
//!   an exit: the receiver (the swap counterparty, the pool, the bridge)
//!   gets it as clean value, and it is counted under `swapped_out`,
//!   `linked_out` or `bridged_out` of the source's asset. The taint is kept
//!   with the conversion, per incident (and hop count when hops are limited).
//! - **Target**: a target transfer of amount `y` carries, for each taint
//!   `t` the sources handed over, `floor(y · t / x)` of that taint, taken
//!   from the clean part of what its sender gives (never more than that
//!   clean part). It is counted under `swapped_in`, `linked_in` or
//!   `bridged_in` of the target's asset, and then goes where any taint
//!   goes (to an exit, to dust, or on to the receiver). The converted parts
//!   come first among the transfer's parts.
//! - A mixer link moves one asset: the asset of its first source transfer
//!   (its other source and target transfers in other assets are left out).
//! - **Mixer links never create taint**: a link's targets carry, per
//!   taint, at most what its deposit handed over (a 10 ETH deposit linked
//!   to a 100 ETH withdrawal carries the deposit's taint, not ten times
//!   it). What a link cannot carry (a smaller withdrawal, too little clean
//!   value at the pool, a withdrawal beyond the trace's end, the floors)
//!   stays in the pool: it is taken out of `linked_out` and counted as
//!   `pooled` of the deposit's asset when the trace ends.
//! - Per asset, every model but poison then conserves value as
//!   `stolen + swapped_in + linked_in + bridged_in = held + exited + fees +
//!   dust + creations + pooled + swapped_out + linked_out + bridged_out`.
//!   With mixer links alone, `linked_in = linked_out` and so `stolen =
//!   held + exited + fees + dust + creations + pooled`. For swaps and
//!   bridges, what the floors leave (at most one base unit per incident and
//!   target) is not carried: such a conversion is an exchange at the
//!   stated rate, not a transfer.
//! - Hop counts (when hops are limited) cross a conversion unchanged, and
//!   the hop limit is applied where the converted taint moves on: taint
//!   that has used up its hops is converted, then stays with the target's
//!   sender (the pool, the bridge) as held.
//! - Under poison, a tainted source hands over its incidents, and every
//!   target is tainted in full by them.
//! - A transfer is the source of at most one conversion and the target of
//!   at most one: explicit conversions (mixer links, bridge matches) are
//!   taken in order of confidence (highest first), then swaps; a
//!   conversion whose transfers are taken, that the ledger lacks, or whose
//!   first target comes before its first source in a different
//!   transaction, is left out with a warning.
//!
//! # Swaps
//!
//! With swaps on, a transaction holds a swap by address `A` when, leaving
//! fee transfers out, exactly one asset `X` leaves `A` on balance (A sends
//! more X than it receives in the transaction) and exactly one other asset
//! `Y` reaches `A` on balance. The sources are every transfer of X out of A
//! in the transaction (`x` their total); the targets every transfer of Y
//! into A. Routers (which pass both assets through) and sinks are never
//! swappers; a pool contract that receives X and pays out Y is one (its own
//! taint, if any, converts too). When a target comes before a source in
//! the transaction (token-for-ether swaps, whose ether arrives by an
//! internal transfer ahead of the token logs), the swapper's sources are
//! taken just before its first target: that is the one place where the
//! trace departs from the ledger's event order.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::books::{Part, CLEAN};
use super::config::TraceConfig;
use super::probable::Spreads;
use super::result::IncidentIndex;
use crate::amount::{mul_div_floor, Amount};
use crate::id::{AddressId, AssetId, TransferId};
use crate::ledger::{Address, Ledger, TransferKind};

/// What kind of conversion carried taint across.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConversionKind {
    /// One address sent asset X and received asset Y in one transaction.
    Swap,
    /// A mixer pool deposit and the withdrawal linked to it.
    MixerLink,
    /// A bridge deposit on one chain and the release matched to it.
    Bridge,
}

impl ConversionKind {
    /// The snake-case name (`mixer_link`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            ConversionKind::Swap => "swap",
            ConversionKind::MixerLink => "mixer_link",
            ConversionKind::Bridge => "bridge",
        }
    }
}

/// The transfers of one transaction a conversion uses: every non-fee
/// transfer of `tx` from `from` (any sender when `None`) to `to` (any
/// receiver when `None`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Leg {
    /// Transaction hash.
    pub tx: [u8; 32],
    /// Sender, if it matters.
    pub from: Option<Address>,
    /// Receiver, if it matters.
    pub to: Option<Address>,
}

/// A conversion given to the trace from outside: a mixer link or a bridge
/// match (swaps are found by the trace itself, see
/// [`TraceConfig::with_swaps`]).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Conversion {
    /// Mixer link or bridge.
    pub kind: ConversionKind,
    /// The transfers whose taint is handed over.
    pub source: Leg,
    /// The transfers that carry it on.
    pub target: Leg,
    /// The heuristic that made the match (`address_match`, `bridge_amount_time`).
    pub heuristic: String,
    /// Its confidence, 0–100.
    pub confidence: u8,
}

impl Conversion {
    /// A mixer link: the deposit transaction's transfers into
    /// `deposit_pool` are the sources, the withdrawal transaction's
    /// transfers out of the link's pool (recipient and relayer fee) the
    /// targets. `deposit_pool` differs from `link.pool` only for
    /// multi-denomination links.
    #[must_use]
    pub fn mixer_link(link: &crate::heuristics::mixer::Link, deposit_pool: &Address) -> Conversion {
        Conversion {
            kind: ConversionKind::MixerLink,
            source: Leg {
                tx: link.deposit_tx.0,
                from: None,
                to: Some(deposit_pool.clone()),
            },
            target: Leg {
                tx: link.withdrawal_tx.0,
                from: Some(link.pool.clone()),
                to: None,
            },
            heuristic: link.heuristic.name().to_string(),
            confidence: link.confidence.level(),
        }
    }
}

/// One conversion that carried taint, as the trace applied it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConversionFlow {
    /// Swap, mixer link or bridge.
    pub kind: ConversionKind,
    /// The swapper (swaps only).
    pub address: Option<AddressId>,
    /// The first source transfer.
    pub source: TransferId,
    /// The first target transfer.
    pub target: TransferId,
    /// The sources' asset.
    pub from_asset: AssetId,
    /// Total amount of the sources (`x`).
    pub from_amount: Amount,
    /// Taint the sources handed over.
    pub from_tainted: Amount,
    /// The targets' asset.
    pub to_asset: AssetId,
    /// Total amount of the targets.
    pub to_amount: Amount,
    /// Taint the targets carried on.
    pub to_tainted: Amount,
    /// The heuristic (`swap` for swaps).
    pub heuristic: String,
    /// Its confidence (100 for swaps: the ledger shows them).
    pub confidence: u8,
}

/// A conversion resolved against the ledger, with its state during a walk.
#[derive(Clone, Debug)]
pub(crate) struct Planned {
    kind: ConversionKind,
    address: Option<u32>,
    sources: Vec<u32>,
    targets: Vec<u32>,
    x: Amount,
    heuristic: String,
    confidence: u8,
    /// Taint handed over by the sources, per (incident, hops).
    captured: Vec<Part>,
    /// For mixer links: how much of each captured part targets carried on
    /// (parallel to `captured`); a link never carries more than it captured.
    given: Vec<Amount>,
    captured_total: Amount,
    /// Under poison: the incidents handed over.
    incidents: Vec<IncidentIndex>,
    delivered: Amount,
}

/// Every conversion of a trace, indexed by transfer.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    carries: Vec<Planned>,
    source_of: HashMap<u32, u32>,
    target_of: HashMap<u32, u32>,
    /// Bit per transfer: is it a target (the driver's fast path must not
    /// skip it).
    target_bits: Vec<u64>,
    /// The walk order when swaps move sources ahead; empty for event order.
    pub(crate) order: Vec<u32>,
    /// Probable-flow mode: pools whose unlinked taint is spread.
    pub(crate) spreads: Spreads,
    pub(crate) warnings: Vec<String>,
}

/// The transfers of `leg` among the ledger's first `end` (fees, zero
/// amounts and self-transfers left out), in event order.
/// Puts `converted` (tainted parts a conversion delivers) at the front of a
/// transfer's `parts` and takes their total out of its clean parts, front
/// first, so the transfer's amount is unchanged. Returns that total, or
/// `None` when it is zero (nothing converted, `parts` untouched). The
/// caller has bounded the total by the parts' clean value.
pub(crate) fn replace_clean(parts: &mut Vec<Part>, mut converted: Vec<Part>) -> Option<Amount> {
    let total = converted
        .iter()
        .fold(0, |s: Amount, q| s.saturating_add(q.amount));
    if total == 0 {
        return None;
    }
    let mut need = total;
    for q in parts.iter_mut().filter(|q| q.is_clean()) {
        let d = need.min(q.amount);
        q.amount -= d;
        need -= d;
        if need == 0 {
            break;
        }
    }
    parts.retain(|q| q.amount > 0);
    converted.append(parts);
    *parts = converted;
    Some(total)
}

pub(crate) fn leg_transfers(ledger: &Ledger, leg: &Leg, end: usize) -> Vec<u32> {
    let Some(tx) = ledger.tx_by_hash(&leg.tx) else {
        return Vec::new();
    };
    let txs = ledger.transfer_txs();
    let lo = txs.partition_point(|&t| t < tx);
    let hi = txs.partition_point(|&t| t <= tx).min(end);
    let from = leg.from.as_ref().map(|a| ledger.address_id(a));
    let to = leg.to.as_ref().map(|a| ledger.address_id(a));
    let mut out = Vec::new();
    for i in lo..hi {
        let t = ledger.transfer(TransferId::from_usize(i));
        if t.kind == TransferKind::Fee || t.amount == 0 || t.from == t.to {
            continue;
        }
        if from.is_some_and(|f| f != Some(t.from)) || to.is_some_and(|r| r != Some(t.to)) {
            continue;
        }
        out.push(u32::try_from(i).unwrap_or(u32::MAX));
    }
    out
}

/// The swaps of the ledger's first `end` transfers: (swapper, sources, targets).
fn find_swaps(ledger: &Ledger, end: usize) -> Vec<(u32, Vec<u32>, Vec<u32>)> {
    let txs = ledger.transfer_txs();
    let kinds = ledger.kinds();
    let from = ledger.senders();
    let to = ledger.receivers();
    let amounts = ledger.amounts();
    let assets = ledger.transfer_assets();
    let mut out = Vec::new();
    let mut start = 0;
    while start < end {
        let tx = txs[start];
        let mut stop = start + 1;
        while stop < end && txs[stop] == tx {
            stop += 1;
        }
        let range = start..stop;
        start = stop;
        if range.len() < 2 {
            continue;
        }
        // (address, asset) → (sent, received).
        let mut net: BTreeMap<(u32, u32), (Amount, Amount)> = BTreeMap::new();
        for i in range.clone() {
            if kinds[i] == TransferKind::Fee || amounts[i] == 0 || from[i] == to[i] {
                continue;
            }
            let (f, t, a) = (from[i].0, to[i].0, assets[i].0);
            let e = net.entry((f, a)).or_default();
            e.0 = e.0.saturating_add(amounts[i]);
            let e = net.entry((t, a)).or_default();
            e.1 = e.1.saturating_add(amounts[i]);
        }
        let mut by_address: BTreeMap<u32, (Vec<u32>, Vec<u32>)> = BTreeMap::new();
        for (&(addr, asset), &(sent, received)) in &net {
            let e = by_address.entry(addr).or_default();
            if sent > received {
                e.0.push(asset);
            } else if received > sent {
                e.1.push(asset);
            }
        }
        for (addr, (outs, ins)) in by_address {
            let ([x], [y]) = (&outs[..], &ins[..]) else {
                continue;
            };
            if matches!(ledger.address(AddressId(addr)), Address::Sink(_)) {
                continue;
            }
            let sources: Vec<u32> = range
                .clone()
                .filter(|&i| {
                    kinds[i] != TransferKind::Fee
                        && from[i].0 == addr
                        && to[i].0 != addr
                        && assets[i].0 == *x
                        && amounts[i] > 0
                })
                .map(|i| u32::try_from(i).unwrap_or(u32::MAX))
                .collect();
            let targets: Vec<u32> = range
                .clone()
                .filter(|&i| {
                    kinds[i] != TransferKind::Fee
                        && to[i].0 == addr
                        && from[i].0 != addr
                        && assets[i].0 == *y
                        && amounts[i] > 0
                })
                .map(|i| u32::try_from(i).unwrap_or(u32::MAX))
                .collect();
            if !sources.is_empty() && !targets.is_empty() {
                out.push((addr, sources, targets));
            }
        }
    }
    out
}

impl Plan {
    /// Resolves the configured conversions (and, with swaps on, finds the
    /// swaps) among the ledger's first `end` transfers.
    pub(crate) fn new(ledger: &Ledger, config: &TraceConfig, end: usize) -> Plan {
        let mut plan = Plan::default();
        if !config.swaps && config.carries.is_empty() && config.probable.is_empty() {
            return plan;
        }
        let amounts = ledger.amounts();
        let mut explicit: Vec<&Conversion> = config.carries.iter().collect();
        explicit.sort_by(|a, b| b.confidence.cmp(&a.confidence).then(a.cmp(b)));
        let mut candidates: Vec<Planned> = Vec::new();
        for c in explicit {
            let mut sources = leg_transfers(ledger, &c.source, end);
            let mut targets = leg_transfers(ledger, &c.target, end);
            let what = format!(
                "{} {} -> {}",
                c.kind.name(),
                hex(&c.source.tx),
                hex(&c.target.tx)
            );
            let (Some(&s0), Some(&t0)) = (sources.first(), targets.first()) else {
                plan.warnings.push(format!(
                    "{what} ({}): not in the ledger; not used",
                    c.heuristic
                ));
                continue;
            };
            let (ts, tt) = (
                ledger.transfer_txs()[s0 as usize],
                ledger.transfer_txs()[t0 as usize],
            );
            if t0 < s0 && ts != tt {
                plan.warnings.push(format!(
                    "{what} ({}): the target comes before the source; not used",
                    c.heuristic
                ));
                continue;
            }
            if c.kind == ConversionKind::MixerLink {
                // A pool takes one asset: a link moves the asset of its
                // first deposit transfer, and nothing else.
                let assets = ledger.transfer_assets();
                let a = assets[s0 as usize];
                sources.retain(|&s| assets[s as usize] == a);
                targets.retain(|&t| assets[t as usize] == a);
                if targets.is_empty() {
                    plan.warnings.push(format!(
                        "{what} ({}): the withdrawal pays no {}; not used",
                        c.heuristic,
                        ledger.asset_name(a)
                    ));
                    continue;
                }
            }
            candidates.push(Planned::new(
                c.kind,
                None,
                sources,
                targets,
                amounts,
                c.heuristic.clone(),
                c.confidence,
            ));
        }
        if config.swaps {
            for (addr, sources, targets) in find_swaps(ledger, end) {
                candidates.push(Planned::new(
                    ConversionKind::Swap,
                    Some(addr),
                    sources,
                    targets,
                    amounts,
                    "swap".to_string(),
                    100,
                ));
            }
        }
        let mut moves: Vec<(u32, Vec<u32>)> = Vec::new();
        for p in candidates {
            let taken = p.sources.iter().any(|s| plan.source_of.contains_key(s))
                || p.targets.iter().any(|t| plan.target_of.contains_key(t));
            if taken {
                plan.warnings.push(format!(
                    "{} {} -> {} ({}): its transfers belong to another conversion; not used",
                    p.kind.name(),
                    ledger.tx_hash_hex(ledger.transfer_txs()[p.sources[0] as usize]),
                    ledger.tx_hash_hex(ledger.transfer_txs()[p.targets[0] as usize]),
                    p.heuristic
                ));
                continue;
            }
            let id = u32::try_from(plan.carries.len()).unwrap_or(u32::MAX);
            for &s in &p.sources {
                plan.source_of.insert(s, id);
            }
            for &t in &p.targets {
                plan.target_of.insert(t, id);
                plan.mark_target(t);
            }
            let first_target = p.targets[0];
            let late: Vec<u32> = p
                .sources
                .iter()
                .copied()
                .filter(|&s| s > first_target)
                .collect();
            if !late.is_empty() {
                moves.push((first_target, late));
            }
            plan.carries.push(p);
        }
        if !moves.is_empty() {
            plan.order = reorder(end, moves);
        }
        // Probable mode (not under poison, where a tainted pool taints
        // every later withdrawal already): certain conversions first.
        if !config.probable.is_empty() && config.model != super::Model::Poison {
            let (sources, targets) = (&plan.source_of, &plan.target_of);
            plan.spreads = Spreads::new(ledger, &config.probable, end, |t| {
                sources.contains_key(&t) || targets.contains_key(&t)
            });
            let spread_targets: Vec<u32> = plan.spreads.targets().collect();
            for t in spread_targets {
                plan.mark_target(t);
            }
        }
        plan.warnings.sort();
        plan.warnings.dedup();
        plan
    }

    /// Marks transfer `t` as a target (the driver's fast path must not skip it).
    fn mark_target(&mut self, t: u32) {
        let w = t as usize / 64;
        if self.target_bits.len() <= w {
            self.target_bits.resize(w + 1, 0);
        }
        self.target_bits[w] |= 1 << (t % 64);
    }

    /// Whether there is no conversion at all.
    pub(crate) fn is_empty(&self) -> bool {
        self.carries.is_empty() && self.spreads.is_empty()
    }

    /// Whether any transfer is the target of a conversion.
    pub(crate) fn has_targets(&self) -> bool {
        !self.target_bits.is_empty()
    }

    /// Whether transfer `i` is the target of a mixer link or bridge match
    /// (whose receiver the driver's reach pass must count as reached).
    pub(crate) fn opens_reach(&self, i: usize) -> bool {
        self.is_target(i)
            && u32::try_from(i).ok().is_some_and(|i| {
                self.spreads.is_target(i)
                    || self
                        .target_of
                        .get(&i)
                        .is_some_and(|&c| self.carries[c as usize].kind != ConversionKind::Swap)
            })
    }

    /// Whether transfer `i` is the target of a conversion.
    #[inline]
    pub(crate) fn is_target(&self, i: usize) -> bool {
        self.target_bits
            .get(i / 64)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    /// The conversion transfer `i` is a source of.
    #[inline]
    pub(crate) fn source_of(&self, i: usize) -> Option<u32> {
        if self.carries.is_empty() {
            return None;
        }
        u32::try_from(i)
            .ok()
            .and_then(|i| self.source_of.get(&i).copied())
    }

    /// The kind of conversion `c`.
    pub(crate) fn kind(&self, c: u32) -> ConversionKind {
        self.carries[c as usize].kind
    }

    /// Hands the tainted `parts` of a source transfer to conversion `c`;
    /// returns the amount handed over. The parts become clean.
    pub(crate) fn capture(&mut self, c: u32, parts: &mut [Part]) -> Amount {
        let p = &mut self.carries[c as usize];
        let mut total: Amount = 0;
        for part in parts.iter_mut().filter(|p| !p.is_clean()) {
            total = total.saturating_add(part.amount);
            match p
                .captured
                .binary_search_by_key(&(part.tag, part.hops), |q| (q.tag, q.hops))
            {
                Ok(k) => p.captured[k].amount = p.captured[k].amount.saturating_add(part.amount),
                Err(k) => {
                    p.captured.insert(k, *part);
                    p.given.insert(k, 0);
                }
            }
            part.tag = CLEAN;
        }
        p.captured_total = p.captured_total.saturating_add(total);
        total
    }

    /// Under poison: hands `incidents` of a tainted source to conversion `c`.
    pub(crate) fn capture_incidents(&mut self, c: u32, incidents: &[IncidentIndex], v: Amount) {
        let p = &mut self.carries[c as usize];
        for &i in incidents {
            if let Err(k) = p.incidents.binary_search(&i) {
                p.incidents.insert(k, i);
            }
        }
        p.captured_total = p.captured_total.saturating_add(v);
    }

    /// Turns clean parts of target transfer `i` (amount `y`) into the taint
    /// its conversion carries: `floor(y·t/x)` per captured taint `t`,
    /// within the clean value available. Returns the kind and the amount
    /// converted, or `None` when `i` is no target or nothing converts.
    pub(crate) fn deliver(
        &mut self,
        i: usize,
        y: Amount,
        parts: &mut Vec<Part>,
    ) -> Option<(ConversionKind, Amount)> {
        if !self.is_target(i) {
            return None;
        }
        let c = *self.target_of.get(&u32::try_from(i).ok()?)?;
        let p = &mut self.carries[c as usize];
        if p.captured.is_empty() || p.x == 0 {
            return None;
        }
        let mut clean: Amount = parts
            .iter()
            .filter(|q| q.is_clean())
            .fold(0, |s, q| s.saturating_add(q.amount));
        let mut converted: Vec<Part> = Vec::new();
        let capped = p.kind == ConversionKind::MixerLink;
        for (t, given) in p.captured.iter().zip(p.given.iter_mut()) {
            let mut share = mul_div_floor(y, t.amount, p.x).min(clean);
            if capped {
                // A link moves taint, it never makes more: a withdrawal
                // larger than its deposit carries at most what it captured.
                share = share.min(t.amount.saturating_sub(*given));
                *given = given.saturating_add(share);
            }
            if share > 0 {
                clean -= share;
                converted.push(Part {
                    amount: share,
                    tag: t.tag,
                    hops: t.hops,
                });
            }
        }
        let total = replace_clean(parts, converted)?;
        p.delivered = p.delivered.saturating_add(total);
        Some((p.kind, total))
    }

    /// Under poison: the incidents target transfer `i` carries (empty when
    /// none), with the conversion's kind.
    pub(crate) fn deliver_incidents(
        &mut self,
        i: usize,
        y: Amount,
    ) -> Option<(ConversionKind, Vec<IncidentIndex>)> {
        if !self.is_target(i) {
            return None;
        }
        let c = *self.target_of.get(&u32::try_from(i).ok()?)?;
        let p = &mut self.carries[c as usize];
        if p.incidents.is_empty() {
            return None;
        }
        p.delivered = p.delivered.saturating_add(y);
        Some((p.kind, p.incidents.clone()))
    }

    /// Per mixer link, the taint its deposit handed over that its
    /// withdrawal did not carry on (a smaller or later withdrawal, one
    /// beyond the trace's end, or a pool without the clean value to pay
    /// it): it stays in the pool, `(source asset, amount)`.
    pub(crate) fn pooled(&self, ledger: &Ledger) -> Vec<(AssetId, Amount)> {
        let assets = ledger.transfer_assets();
        let mut out: Vec<(AssetId, Amount)> = self
            .carries
            .iter()
            .filter(|p| p.kind == ConversionKind::MixerLink)
            .filter_map(|p| {
                let left = p.captured_total.saturating_sub(p.delivered);
                (left > 0).then(|| (assets[p.sources[0] as usize], left))
            })
            .collect();
        // Probable mode: what its spreads handed over and did not carry on.
        out.extend(self.spreads.pooled());
        out
    }

    /// The conversions that carried taint, by first source transfer.
    pub(crate) fn flows(&self, ledger: &Ledger) -> Vec<ConversionFlow> {
        let assets = ledger.transfer_assets();
        let amounts = ledger.amounts();
        let mut out: Vec<ConversionFlow> = self
            .carries
            .iter()
            .filter(|p| p.captured_total > 0 || p.delivered > 0)
            .map(|p| ConversionFlow {
                kind: p.kind,
                address: p.address.map(AddressId),
                source: TransferId::from_usize(p.sources[0] as usize),
                target: TransferId::from_usize(p.targets[0] as usize),
                from_asset: assets[p.sources[0] as usize],
                from_amount: p.x,
                from_tainted: p.captured_total,
                to_asset: assets[p.targets[0] as usize],
                to_amount: p
                    .targets
                    .iter()
                    .fold(0, |s: Amount, &t| s.saturating_add(amounts[t as usize])),
                to_tainted: p.delivered,
                heuristic: p.heuristic.clone(),
                confidence: p.confidence,
            })
            .collect();
        out.sort_by_key(|f| (f.source, f.target));
        out
    }
}

impl Planned {
    fn new(
        kind: ConversionKind,
        address: Option<u32>,
        sources: Vec<u32>,
        targets: Vec<u32>,
        amounts: &[Amount],
        heuristic: String,
        confidence: u8,
    ) -> Planned {
        let x = sources
            .iter()
            .fold(0, |s: Amount, &i| s.saturating_add(amounts[i as usize]));
        Planned {
            kind,
            address,
            sources,
            targets,
            x,
            heuristic,
            confidence,
            captured: Vec::new(),
            given: Vec::new(),
            captured_total: 0,
            incidents: Vec::new(),
            delivered: 0,
        }
    }
}

/// The walk order 0..end with each group of late sources moved just before
/// its first target.
fn reorder(end: usize, mut moves: Vec<(u32, Vec<u32>)>) -> Vec<u32> {
    moves.sort();
    let mut moved = vec![false; end];
    let mut before: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for (t, late) in moves {
        for &s in &late {
            if (s as usize) < end && !moved[s as usize] {
                moved[s as usize] = true;
                before.entry(t).or_default().push(s);
            }
        }
    }
    let mut order = Vec::with_capacity(end);
    for (i, &m) in moved.iter().enumerate() {
        let i32 = u32::try_from(i).unwrap_or(u32::MAX);
        if let Some(list) = before.get(&i32) {
            order.extend_from_slice(list);
        }
        if !m {
            order.push(i32);
        }
    }
    order
}

fn hex(h: &[u8; 32]) -> String {
    let mut s = String::with_capacity(66);
    s.push_str("0x");
    for b in h {
        s.push_str(&format!("{b:02x}"));
    }
    s
}
