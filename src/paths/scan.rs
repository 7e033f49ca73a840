//! One-pass queries: transfers are visited once, in event order, so every
//! path found is temporal by construction.

use super::{PathQuery, Strategy, TemporalPath};
use crate::amount::Amount;
use crate::graph::AddressSet;
use crate::id::TransferId;

use super::state::HopTable;

/// Parent of a label that starts at a source.
pub(super) const ROOT: u32 = u32::MAX;
/// An address not reached (yet).
pub(super) const NONE: u32 = u32::MAX - 1;

/// Where the paths of a pass end and which optimum it keeps.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) enum Goal {
    /// Targets absorb (nothing leaves one); one optimum over the whole set.
    Any,
    /// Targets do not absorb; one optimum per target (index in the sorted
    /// target list), each equal to that of the query with that target alone.
    Each,
}

impl PathQuery<'_, '_> {
    /// Number of optima a pass keeps for `goal`.
    pub(super) fn slots(&self, goal: Goal) -> usize {
        match goal {
            Goal::Any => 1,
            Goal::Each => self.target_list.len(),
        }
    }

    /// The slot of target `a` for `goal` (`a` must be a target).
    #[inline]
    pub(super) fn slot(&self, goal: Goal, a: crate::id::AddressId) -> usize {
        match goal {
            Goal::Any => 0,
            Goal::Each => self.target_list.binary_search(&a).unwrap_or(0),
        }
    }

    /// Whether a path may leave `a` under `goal`.
    #[inline]
    pub(super) fn may_leave(&self, goal: Goal, a: crate::id::AddressId) -> bool {
        goal == Goal::Each || !self.targets.contains(a)
    }
}

/// Labels of a pass: `(transfer, parent label)`, appended in event order.
#[derive(Default)]
pub(super) struct Labels {
    transfer: Vec<TransferId>,
    parent: Vec<u32>,
}

impl Labels {
    pub(super) fn push(&mut self, t: TransferId, parent: u32) -> u32 {
        self.transfer.push(t);
        self.parent.push(parent);
        // At most one label per transfer and per hop count: fits in u32 for
        // any ledger (the ids below NONE are never exhausted in practice);
        // saturate rather than wrap.
        u32::try_from(self.transfer.len() - 1).unwrap_or(NONE - 1)
    }

    pub(super) fn path(&self, mut label: u32) -> Vec<TransferId> {
        let mut out = Vec::new();
        while (label as usize) < self.transfer.len() {
            out.push(self.transfer[label as usize]);
            label = self.parent[label as usize];
        }
        out.reverse();
        out
    }
}

/// Result of the hop-counting pass.
pub(super) struct HopPass {
    /// Fewest hops per address (`u32::MAX` if not reached).
    pub hops: Vec<u32>,
    /// First arrival per address (transfer index, `u32::MAX` if not reached;
    /// 0 hops for sources).
    pub first: Vec<u32>,
    /// Every improvement at a target: (hops, label), hops strictly decreasing.
    pub front: Vec<(u32, u32)>,
    labels: Labels,
}

impl PathQuery<'_, '_> {
    /// The hop-counting pass: for every address, the fewest hops of a
    /// temporal path arriving before the current transfer. Stops at the
    /// first target reached if `stop_first`, or once a target is one hop away.
    pub(super) fn hop_pass(&self, stop_first: bool, stop_at_targets: bool) -> HopPass {
        let l = self.graph.ledger();
        let n = l.address_count();
        let (from, to) = (l.senders(), l.receivers());
        // Hop counts in one byte per address (in cache). Without targets no
        // path is written out, so no labels are kept; with them, the label
        // of an address is only read once it is reached (the zeroed
        // allocation needs no initialising pass).
        let mut hops = HopTable::new(n);
        let mut cur = if stop_at_targets {
            vec![0u32; n]
        } else {
            Vec::new()
        };
        let mut first = vec![u32::MAX; n];
        for s in &self.sources {
            hops.set(s.index(), 0);
            if stop_at_targets {
                cur[s.index()] = ROOT;
            }
        }
        let mut labels = Labels::default();
        let mut front: Vec<(u32, u32)> = Vec::new();
        let mut best = u32::MAX;
        let mut reached = AddressSet::with_bound(n);
        for s in &self.sources {
            reached.insert(*s);
        }
        for i in self.window.start.index()..self.window.end.index() {
            if !reached.contains(from[i]) {
                continue;
            }
            let f = from[i].index();
            let h = hops.get(f);
            if h >= self.max_hops {
                continue;
            }
            let nh = h + 1;
            let t_reached = reached.contains(to[i]);
            if (t_reached && nh >= hops.get(to[i].index()))
                || !self.usable(i)
                || self.targets.contains(from[i])
            {
                continue;
            }
            let t = to[i].index();
            if !t_reached {
                first[t] = i as u32;
            }
            hops.set(t, nh);
            reached.insert(to[i]);
            if !stop_at_targets {
                continue;
            }
            let id = labels.push(TransferId::from_usize(i), cur[f]);
            cur[t] = id;
            if self.targets.contains(to[i]) && nh < best {
                best = nh;
                front.push((nh, id));
                if stop_first || nh == 1 {
                    break;
                }
            }
        }
        let hops = hops.into_vec();
        HopPass {
            hops,
            first,
            front,
            labels,
        }
    }

    /// The temporal path that reaches a target first.
    ///
    /// Respects the hop limit: the earliest arrival among paths of at most
    /// that many transfers. Uses [`Strategy::Auto`].
    ///
    /// # Complexity
    ///
    /// O(E) time and O(V) memory at worst (one pass over the window up to
    /// the arrival); a search that finds the target early touches only what
    /// it reaches.
    #[must_use]
    pub fn earliest_arrival(&self) -> Option<TemporalPath> {
        self.earliest_arrival_with(Strategy::Auto)
    }

    /// Earliest arrival with a chosen algorithm (all give the same arrival).
    ///
    /// # Complexity
    ///
    /// See [`Strategy`].
    #[must_use]
    pub fn earliest_arrival_with(&self, strategy: Strategy) -> Option<TemporalPath> {
        if self.max_hops().is_none() {
            match strategy {
                Strategy::Search => {
                    if let Some(found) = self.earliest_search(u64::MAX) {
                        return found;
                    }
                }
                Strategy::Auto => {
                    if let Some(found) = self.earliest_search(self.search_budget()) {
                        return found;
                    }
                }
                Strategy::Scan => {}
            }
        }
        let pass = self.hop_pass(true, true);
        let &(_, label) = pass.front.first()?;
        Some(TemporalPath::from_transfers(
            self.graph.ledger(),
            pass.labels.path(label),
        ))
    }

    /// Work budget of the searches under [`Strategy::Auto`].
    fn search_budget(&self) -> u64 {
        ((self.window.end.0 - self.window.start.0) as u64 / 4).max(10_000)
    }

    /// The temporal path with the fewest transfers to any target (the
    /// earliest arriving among those). Uses [`Strategy::Auto`].
    ///
    /// # Complexity
    ///
    /// O(E) time and O(V) memory at worst; a search that finds a target
    /// within a few hops touches only what it reaches.
    #[must_use]
    pub fn fewest_hops(&self) -> Option<TemporalPath> {
        self.fewest_hops_with(Strategy::Auto)
    }

    /// Fewest hops with a chosen algorithm (all give the same hop count and
    /// arrival).
    ///
    /// # Complexity
    ///
    /// See [`Strategy`].
    #[must_use]
    pub fn fewest_hops_with(&self, strategy: Strategy) -> Option<TemporalPath> {
        let budget = match strategy {
            Strategy::Auto => Some(self.search_budget()),
            Strategy::Search => Some(u64::MAX),
            Strategy::Scan => None,
        };
        if let Some(b) = budget {
            if let Some(found) = self.fewest_search(b) {
                return found;
            }
        }
        self.fewest_hops_front().pop()
    }

    /// The Pareto front of arrival against hops at the targets: the earliest
    /// arrival first, then each later arrival that needs fewer transfers,
    /// ending with the fewest-hop path. A later arrival with fewer hops can
    /// matter: it is a shorter chain of evidence.
    ///
    /// # Complexity
    ///
    /// One pass over the window: O(E) time, O(V) memory.
    #[must_use]
    pub fn fewest_hops_front(&self) -> Vec<TemporalPath> {
        let pass = self.hop_pass(false, true);
        pass.front
            .iter()
            .map(|&(_, label)| {
                TemporalPath::from_transfers(self.graph.ledger(), pass.labels.path(label))
            })
            .collect()
    }

    /// The temporal path whose smallest transfer is largest: the path that
    /// can carry the most value (earliest arrival among equally wide ones).
    /// With a hop limit, the widest path of at most that many transfers.
    /// Uses [`Strategy::Auto`]: the threshold search within a budget of a
    /// quarter of the window, then the scan.
    ///
    /// # Complexity
    ///
    /// The scan is one pass over the window: O(E) time and O(V) memory
    /// without a hop limit; O(E·H²) time and O(V + E·H) memory with a limit
    /// of H hops (each address keeps a Pareto front of hops against width).
    /// The search costs at most a quarter of that before falling back.
    #[must_use]
    pub fn widest(&self) -> Option<TemporalPath> {
        self.widest_with(Strategy::Auto)
    }

    /// Widest path with a chosen algorithm (all give the same bottleneck and
    /// arrival). [`Strategy::Search`] is a binary search on the bottleneck,
    /// each step an earliest-arrival search over the transfers at least that
    /// large: fast when the widest path carries a large amount, as a theft's
    /// does. With a hop limit the scan is always used.
    ///
    /// # Complexity
    ///
    /// Scan: see [`widest`](Self::widest). Search: O(log(max amount)) searches,
    /// each over the part of the graph reachable by large enough transfers.
    #[must_use]
    pub fn widest_with(&self, strategy: Strategy) -> Option<TemporalPath> {
        if self.max_hops().is_some() {
            return self.widest_limited(Goal::Any).pop().flatten();
        }
        let budget = match strategy {
            Strategy::Auto => Some(self.search_budget()),
            Strategy::Search => Some(u64::MAX),
            Strategy::Scan => None,
        };
        if let Some(b) = budget {
            if let Some(found) = self.widest_search(b) {
                return found;
            }
        }
        self.widest_scan(Goal::Any).pop().flatten()
    }

    /// The widest-path pass without a hop limit: for every address, the
    /// widest bottleneck of a temporal path arriving so far. The optimum of
    /// each slot of `goal`.
    pub(super) fn widest_scan(&self, goal: Goal) -> Vec<Option<TemporalPath>> {
        let l = self.graph.ledger();
        let n = l.address_count();
        let (from, to, amount) = (l.senders(), l.receivers(), l.amounts());
        let mut width = vec![0 as Amount; n];
        let mut cur = vec![NONE; n];
        for s in &self.sources {
            width[s.index()] = Amount::MAX;
            cur[s.index()] = ROOT;
        }
        // Reached addresses as a bit set: it stays in cache, so transfers
        // from unreached senders (most of them) cost one bit test.
        let mut reached = AddressSet::with_bound(n);
        for s in &self.sources {
            reached.insert(*s);
        }
        let mut labels = Labels::default();
        let mut best: Vec<Option<(Amount, u32)>> = vec![None; self.slots(goal)];
        for i in self.window.start.index()..self.window.end.index() {
            if !reached.contains(from[i]) {
                continue;
            }
            let f = from[i].index();
            let t = to[i].index();
            let cand = width[f].min(amount[i]);
            if (cur[t] != NONE && cand <= width[t])
                || !self.usable(i)
                || !self.may_leave(goal, from[i])
            {
                continue;
            }
            width[t] = cand;
            let id = labels.push(TransferId::from_usize(i), cur[f]);
            cur[t] = id;
            reached.insert(to[i]);
            if self.targets.contains(to[i]) {
                let b = &mut best[self.slot(goal, to[i])];
                if b.map_or(true, |(w, _)| cand > w) {
                    *b = Some((cand, id));
                }
            }
        }
        best.into_iter()
            .map(|b| b.map(|(_, label)| TemporalPath::from_transfers(l, labels.path(label))))
            .collect()
    }

    /// The widest-path pass under a hop limit: every address keeps its
    /// Pareto front of hops against width. The optimum of each slot of `goal`.
    pub(super) fn widest_limited(&self, goal: Goal) -> Vec<Option<TemporalPath>> {
        struct Label {
            transfer: TransferId,
            parent: u32,
            hops: u32,
            width: Amount,
        }
        let l = self.graph.ledger();
        let n = l.address_count();
        let (from, to, amount) = (l.senders(), l.receivers(), l.amounts());
        let mut labels: Vec<Label> = Vec::new();
        let mut fronts: Vec<Vec<u32>> = vec![Vec::new(); n];
        for s in &self.sources {
            labels.push(Label {
                transfer: TransferId(u32::MAX),
                parent: ROOT,
                hops: 0,
                width: Amount::MAX,
            });
            fronts[s.index()].push(labels.len() as u32 - 1);
        }
        let n_roots = labels.len();
        let mut best: Vec<Option<(Amount, usize)>> = vec![None; self.slots(goal)];
        let mut scratch: Vec<(u32, Amount, u32)> = Vec::new();
        for i in self.window.start.index()..self.window.end.index() {
            let f = from[i].index();
            if fronts[f].is_empty() || !self.usable(i) || !self.may_leave(goal, from[i]) {
                continue;
            }
            let t = to[i].index();
            scratch.clear();
            for &li in &fronts[f] {
                let lab = &labels[li as usize];
                if lab.hops < self.max_hops {
                    scratch.push((lab.hops + 1, lab.width.min(amount[i]), li));
                }
            }
            let mut front_t = std::mem::take(&mut fronts[t]);
            for &(h, w, parent) in &scratch {
                let dominated = front_t.iter().any(|&m| {
                    let m = &labels[m as usize];
                    m.hops <= h && m.width >= w
                });
                if dominated {
                    continue;
                }
                front_t.retain(|&m| {
                    let m = &labels[m as usize];
                    !(m.hops >= h && m.width <= w)
                });
                labels.push(Label {
                    transfer: TransferId::from_usize(i),
                    parent,
                    hops: h,
                    width: w,
                });
                let id = labels.len() - 1;
                front_t.push(id as u32);
                if self.targets.contains(to[i]) {
                    let b = &mut best[self.slot(goal, to[i])];
                    if b.map_or(true, |(bw, _)| w > bw) {
                        *b = Some((w, id));
                    }
                }
            }
            fronts[t] = front_t;
        }
        let path = |mut label: usize| {
            let mut out = Vec::new();
            while label >= n_roots && label < labels.len() {
                out.push(labels[label].transfer);
                label = labels[label].parent as usize;
            }
            out.reverse();
            TemporalPath::from_transfers(l, out)
        };
        best.into_iter()
            .map(|b| b.map(|(_, label)| path(label)))
            .collect()
    }
}
