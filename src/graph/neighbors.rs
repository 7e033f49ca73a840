//! A static, deduplicated adjacency for reachability questions that ignore
//! time order: "which addresses can value from here have reached at all".

use std::ops::Range;

use super::{AddressSet, TransferGraph};
use crate::amount::Amount;
use crate::id::{AddressId, AssetId, TransferId};

/// Which transfers make an edge of a [`NeighborGraph`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EdgeFilter {
    /// Only transfers of this asset (`None`: every asset).
    pub asset: Option<AssetId>,
    /// Only transfers of at least this amount.
    pub min_amount: Amount,
    /// Only transfers in this event-order range (`None`: all).
    pub window: Option<Range<TransferId>>,
}

impl Default for EdgeFilter {
    fn default() -> Self {
        EdgeFilter {
            asset: None,
            min_amount: 1,
            window: None,
        }
    }
}

/// Distinct receivers of every address (one entry per sender–receiver pair,
/// self-transfers left out), as CSR: the static graph of a ledger.
///
/// Built once from a [`TransferGraph`] and a filter; breadth-first search
/// over it reads each neighbor list sequentially and marks visits in a bit
/// set that stays in cache, which is what makes static reachability fast.
#[derive(Clone, Debug)]
pub struct NeighborGraph {
    offsets: Vec<u32>,
    targets: Vec<AddressId>,
    in_offsets: Vec<u32>,
    sources: Vec<AddressId>,
}

/// The result of [`NeighborGraph::reach`]: reached addresses by hop count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaticReach {
    set: AddressSet,
    order: Vec<AddressId>,
    level_ends: Vec<usize>,
}

impl StaticReach {
    /// Whether `a` was reached (sources included).
    #[must_use]
    pub fn contains(&self, a: AddressId) -> bool {
        self.set.contains(a)
    }

    /// Number of addresses reached (sources included).
    #[must_use]
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether nothing was reached (no sources).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Reached addresses in breadth-first order (sources first).
    #[must_use]
    pub fn in_bfs_order(&self) -> &[AddressId] {
        &self.order
    }

    /// The addresses first reached with exactly `hops` hops (0: the sources).
    #[must_use]
    pub fn at_hops(&self, hops: usize) -> &[AddressId] {
        let lo = if hops == 0 {
            0
        } else {
            self.level_ends
                .get(hops - 1)
                .copied()
                .unwrap_or(self.order.len())
        };
        let hi = self
            .level_ends
            .get(hops)
            .copied()
            .unwrap_or(self.order.len());
        &self.order[lo..hi.max(lo)]
    }

    /// Fewest hops to `a`, if reached.
    ///
    /// # Complexity
    ///
    /// O(reached): a scan of the levels.
    #[must_use]
    pub fn hops(&self, a: AddressId) -> Option<usize> {
        if !self.contains(a) {
            return None;
        }
        (0..self.level_ends.len()).find(|&h| self.at_hops(h).contains(&a))
    }

    /// Reached addresses in id order.
    pub fn addresses(&self) -> impl Iterator<Item = AddressId> + '_ {
        self.set.iter()
    }
}

impl NeighborGraph {
    /// Builds the static graph of the transfers of `graph` that pass `filter`.
    ///
    /// # Complexity
    ///
    /// O(V + E) time; 4 bytes per distinct sender–receiver pair plus 4 per address.
    #[must_use]
    pub fn new(graph: &TransferGraph<'_>, filter: &EdgeFilter) -> Self {
        let l = graph.ledger();
        let (to, amounts, assets) = (l.receivers(), l.amounts(), l.transfer_assets());
        let n = graph.address_count();
        let window = filter
            .window
            .clone()
            .unwrap_or(TransferId(0)..TransferId::from_usize(l.transfer_count()));
        let mut offsets = Vec::with_capacity(n + 1);
        let mut targets = Vec::new();
        // last[w] == v + 1 once w was added as a neighbor of v.
        let mut last = vec![0u32; n];
        offsets.push(0u32);
        for v in 0..n {
            let va = AddressId::from_usize(v);
            let tag = v as u32 + 1;
            for &e in graph.out_in(va, window.clone()) {
                let i = e.index();
                let w = to[i];
                if w == va
                    || last[w.index()] == tag
                    || amounts[i] < filter.min_amount
                    || filter.asset.is_some_and(|a| assets[i] != a)
                {
                    continue;
                }
                last[w.index()] = tag;
                targets.push(w);
            }
            // Fewer distinct pairs than transfers, so the count fits in u32.
            offsets.push(targets.len() as u32);
        }
        targets.shrink_to_fit();
        // The transpose (distinct senders of every address), for bottom-up steps.
        let mut in_offsets = vec![0u32; n + 1];
        for w in &targets {
            in_offsets[w.index() + 1] += 1;
        }
        for v in 1..=n {
            in_offsets[v] += in_offsets[v - 1];
        }
        let mut pos: Vec<u32> = in_offsets[..n].to_vec();
        let mut sources = vec![AddressId(0); targets.len()];
        for v in 0..n {
            for w in &targets[offsets[v] as usize..offsets[v + 1] as usize] {
                let w = w.index();
                sources[pos[w] as usize] = AddressId::from_usize(v);
                pos[w] += 1;
            }
        }
        NeighborGraph {
            offsets,
            targets,
            in_offsets,
            sources,
        }
    }

    /// Distinct senders to `a` (empty for an unknown id).
    #[must_use]
    pub fn senders(&self, a: AddressId) -> &[AddressId] {
        match (
            self.in_offsets.get(a.index()),
            self.in_offsets.get(a.index() + 1),
        ) {
            (Some(&lo), Some(&hi)) => &self.sources[lo as usize..hi as usize],
            _ => &[],
        }
    }

    /// Number of addresses.
    #[must_use]
    pub fn address_count(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Number of distinct sender–receiver pairs.
    #[must_use]
    pub fn edge_count(&self) -> usize {
        self.targets.len()
    }

    /// Distinct receivers of `a`, in order of first transfer (empty for an unknown id).
    #[must_use]
    pub fn neighbors(&self, a: AddressId) -> &[AddressId] {
        match (self.offsets.get(a.index()), self.offsets.get(a.index() + 1)) {
            (Some(&lo), Some(&hi)) => &self.targets[lo as usize..hi as usize],
            _ => &[],
        }
    }

    /// Every address reachable from `sources` within `max_hops` hops
    /// (`None`: no limit), never leaving an address in `stop` (targets absorb).
    /// Unknown source ids are ignored.
    ///
    /// Direction-optimizing breadth-first search (Beamer et al.): top-down
    /// steps while the frontier is small, bottom-up steps (every unvisited
    /// address looks for a sender in the frontier, stopping at the first)
    /// while it is large, which on power-law graphs skips most edges.
    ///
    /// # Complexity
    ///
    /// O(V/64·levels + reached + edges examined) time, at most O(V + E);
    /// O(V/8 + reached) memory.
    #[must_use]
    pub fn reach(
        &self,
        sources: &[AddressId],
        max_hops: Option<usize>,
        stop: Option<&AddressSet>,
    ) -> StaticReach {
        self.search(sources, max_hops, stop, |_, _| false)
    }

    /// Fewest hops from `sources` to each of `targets` (in the given order;
    /// `None` where not reached within `max_hops`), in the static graph.
    /// Targets do not absorb: each answer is that of a search for that
    /// target alone. The search stops as soon as every target has its hop
    /// count. Unknown ids are never reached.
    ///
    /// The same direction-optimizing search as [`reach`](Self::reach),
    /// ended early: investigators ask for the hop distance to a handful of
    /// exchanges, which a search from a theft usually finds within a few
    /// levels, long before the rest of the graph is visited.
    ///
    /// # Complexity
    ///
    /// At most that of [`reach`](Self::reach); O(V/8 + reached) memory.
    #[must_use]
    pub fn hops_to(
        &self,
        sources: &[AddressId],
        targets: &[AddressId],
        max_hops: Option<usize>,
    ) -> Vec<Option<usize>> {
        let n = self.address_count();
        let mut wanted = AddressSet::with_bound(n);
        for &t in targets {
            if t.index() < n {
                wanted.insert(t);
            }
        }
        let mut left = wanted.len();
        let mut found: Vec<(AddressId, usize)> = Vec::new();
        if left > 0 {
            self.search(sources, max_hops, None, |v, h| {
                if wanted.remove(v) {
                    found.push((v, h));
                    left -= 1;
                }
                left == 0
            });
        }
        found.sort_unstable();
        targets
            .iter()
            .map(|t| {
                found
                    .binary_search_by_key(t, |&(a, _)| a)
                    .ok()
                    .map(|i| found[i].1)
            })
            .collect()
    }

    /// The breadth-first search of [`reach`](Self::reach), calling
    /// `visit(address, hops)` on every address as it is first reached
    /// (sources included, with 0) and stopping once `visit` returns true.
    fn search(
        &self,
        sources: &[AddressId],
        max_hops: Option<usize>,
        stop: Option<&AddressSet>,
        mut visit: impl FnMut(AddressId, usize) -> bool,
    ) -> StaticReach {
        let n = self.address_count();
        let mut set = AddressSet::with_bound(n);
        let mut order: Vec<AddressId> = Vec::new();
        let mut done = false;
        for &s in sources {
            if s.index() < n && set.insert(s) {
                order.push(s);
                done = done || visit(s, 0);
            }
        }
        let stopped = |v: AddressId| stop.is_some_and(|s| s.contains(v));
        let degree = |v: AddressId| (self.offsets[v.index() + 1] - self.offsets[v.index()]) as u64;
        let mut level_ends = vec![order.len()];
        let mut lo = 0;
        let limit = max_hops.unwrap_or(usize::MAX);
        // Edges out of unvisited addresses, for the switching rule.
        let mut unexplored: u64 = self.targets.len() as u64;
        for &s in &order {
            unexplored -= degree(s);
        }
        let mut frontier_bits = AddressSet::with_bound(n);
        while !done && lo < order.len() && level_ends.len() <= limit {
            let depth = level_ends.len();
            let hi = order.len();
            let frontier_edges: u64 = order[lo..hi]
                .iter()
                .filter(|&&v| !stopped(v))
                .map(|&v| degree(v))
                .sum();
            if frontier_edges > unexplored / 14 && hi - lo > n / 64 {
                // Bottom-up: each unvisited address checks its senders.
                frontier_bits.clear();
                for &v in &order[lo..hi] {
                    if !stopped(v) {
                        frontier_bits.insert(v);
                    }
                }
                for v in 0..n {
                    let va = AddressId::from_usize(v);
                    if set.contains(va) {
                        continue;
                    }
                    if self.senders(va).iter().any(|&u| frontier_bits.contains(u)) {
                        order.push(va);
                        if visit(va, depth) {
                            done = true;
                            break;
                        }
                    }
                }
                for &v in &order[hi..] {
                    set.insert(v);
                }
            } else {
                for k in lo..hi {
                    let v = order[k];
                    if stopped(v) {
                        continue;
                    }
                    for &w in self.neighbors(v) {
                        if set.insert(w) {
                            order.push(w);
                            if visit(w, depth) {
                                done = true;
                                break;
                            }
                        }
                    }
                    if done {
                        break;
                    }
                }
            }
            for &v in &order[hi..] {
                unexplored -= degree(v);
            }
            lo = hi;
            if order.len() > hi {
                level_ends.push(order.len());
            }
        }
        StaticReach {
            set,
            order,
            level_ends,
        }
    }

    /// Heap bytes held.
    #[must_use]
    pub fn heap_bytes(&self) -> usize {
        4 * (self.offsets.capacity()
            + self.targets.capacity()
            + self.in_offsets.capacity()
            + self.sources.capacity())
    }
}
