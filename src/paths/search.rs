//! Searches over the CSR: Dijkstra for earliest arrival, BFS for static
//! reachability, best-first search for the k best paths.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::scan::{NONE, ROOT};
use super::state::{IdMap, NodeMap};
use super::{PathKind, PathQuery, TemporalPath};
use crate::amount::Amount;
use crate::id::{AddressId, TransferId};

/// Bounds on a search, so that no graph makes it run unbounded.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct SearchLimits {
    /// The most partial paths the search may create (default 1,000,000).
    pub max_states: usize,
    /// The most work the search may do (default 100,000,000): transfers
    /// examined and steps taken along partial paths ([`KPaths::work`]).
    pub max_work: u64,
}

impl Default for SearchLimits {
    fn default() -> Self {
        SearchLimits {
            max_states: 1_000_000,
            max_work: 100_000_000,
        }
    }
}

/// The result of [`PathQuery::k_paths`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KPaths {
    /// The paths found, best first.
    pub paths: Vec<TemporalPath>,
    /// Whether the search ran to its end. If `false`, a limit stopped it:
    /// the paths are still the best ones in order, but fewer than `k` does not
    /// mean no more exist.
    pub complete: bool,
    /// Partial paths created.
    pub states: usize,
    /// The work done, in the units [`SearchLimits::max_work`] counts: every
    /// transfer the backward pass and the candidate scans examined, and every step of the walks up a
    /// partial path (the check that a path visits no address twice, and the
    /// path written out when it reaches a target). Never more than
    /// `max_work`.
    pub work: u64,
    /// Which limit stopped the search, if one did (`complete` is then `false`).
    pub stopped_by: Option<SearchLimit>,
}

/// A limit of [`SearchLimits`] that stopped a search.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum SearchLimit {
    /// [`SearchLimits::max_states`]: too many partial paths.
    States,
    /// [`SearchLimits::max_work`]: too much work.
    Work,
}

impl KPaths {
    /// A result that holds `paths` found by a search without limits (such
    /// as [`PathQuery::best`]): complete, no partial paths, no work counted.
    #[must_use]
    pub fn found(paths: Vec<TemporalPath>) -> Self {
        KPaths {
            paths,
            complete: true,
            states: 0,
            work: 0,
            stopped_by: None,
        }
    }
}

/// Which addresses the sources reach, and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reach {
    hops: Vec<u32>,
    arrival: Vec<u32>,
}

impl Reach {
    /// Fewest hops to `a` (0 for a source), if reached.
    #[must_use]
    pub fn hops(&self, a: AddressId) -> Option<u32> {
        self.hops.get(a.index()).copied().filter(|&h| h != u32::MAX)
    }

    /// For a temporal reach: the transfer that first reached `a`.
    #[must_use]
    pub fn arrival(&self, a: AddressId) -> Option<TransferId> {
        self.arrival
            .get(a.index())
            .copied()
            .filter(|&t| t != u32::MAX)
            .map(TransferId)
    }

    /// Whether `a` is reached (sources included).
    #[must_use]
    pub fn contains(&self, a: AddressId) -> bool {
        self.hops(a).is_some()
    }

    /// Reached addresses in id order (sources included).
    pub fn addresses(&self) -> impl Iterator<Item = AddressId> + '_ {
        self.hops
            .iter()
            .enumerate()
            .filter(|(_, &h)| h != u32::MAX)
            .map(|(i, _)| AddressId::from_usize(i))
    }

    /// Number of reached addresses (sources included).
    #[must_use]
    pub fn len(&self) -> usize {
        self.hops.iter().filter(|&&h| h != u32::MAX).count()
    }

    /// Whether nothing is reached (never true: sources reach themselves).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A candidate child in the k-paths heap: (key, parent state, position).
type HeapEntry = Reverse<((u128, u64), u32, u32)>;

#[derive(Copy, Clone)]
struct Cands {
    start: usize,
    len: usize,
    sorted: bool,
}

#[derive(Copy, Clone)]
struct State {
    transfer: u32,
    parent: u32,
    addr: AddressId,
    hops: u32,
    width: Amount,
}

impl PathQuery<'_, '_> {
    /// Dijkstra on arrival over the time-sorted adjacency, with sparse state.
    /// `None` if more than `budget` transfers had to be examined.
    pub(super) fn earliest_search(&self, budget: u64) -> Option<Option<TemporalPath>> {
        let mut budget = budget;
        self.earliest_search_above(&mut budget, 0)
    }

    /// [`earliest_search`](Self::earliest_search) over transfers of at least
    /// `floor` only, charging the transfers it examines to `budget`.
    pub(super) fn earliest_search_above(
        &self,
        budget: &mut u64,
        floor: Amount,
    ) -> Option<Option<TemporalPath>> {
        let amounts = self.graph.ledger().amounts();
        let l = self.graph.ledger();
        let n = l.address_count();
        let to = l.receivers();
        // depart: the first transfer id an address may send at (arrival + 1);
        // pred: the transfer that reached it.
        let mut depart = NodeMap::new(n, u32::MAX);
        let mut pred = NodeMap::new(n, NONE);
        let mut heap = BinaryHeap::new();
        for s in &self.sources {
            depart.set(s.0, self.window.start.0);
            pred.set(s.0, ROOT);
            heap.push(Reverse((self.window.start.0, s.0)));
        }
        while let Some(Reverse((d, v))) = heap.pop() {
            let va = AddressId(v);
            if d > depart.get(v) {
                continue;
            }
            if self.targets.contains(va) {
                let mut path = Vec::new();
                let mut cur = v;
                while pred.get(cur) < NONE {
                    let t = pred.get(cur);
                    path.push(TransferId(t));
                    cur = l.senders()[t as usize].0;
                }
                path.reverse();
                return Some(Some(TemporalPath::from_transfers(l, path)));
            }
            let out = self.graph.out_in(va, TransferId(d)..self.window.end);
            let cost = out.len() as u64 + 1;
            if cost > *budget {
                return None;
            }
            *budget -= cost;
            for &e in out {
                let i = e.index();
                let t = to[i].0;
                let e1 = e.0 + 1;
                if e1 < depart.get(t) && amounts[i] >= floor && self.usable(i) {
                    depart.set(t, e1);
                    pred.set(t, e.0);
                    heap.push(Reverse((e1, t)));
                }
            }
        }
        Some(None)
    }

    /// Widest path by threshold search: the widest bottleneck is the largest
    /// `w` such that a temporal path exists over transfers of at least `w`,
    /// and each such test is an earliest-arrival search that only sees the
    /// (few) large transfers. Binary search over `w`, jumping to the
    /// bottleneck of every path found. Returns the earliest-arriving path
    /// among the widest, or `None` if the searches together examined more
    /// than `budget` transfers.
    pub(super) fn widest_search(&self, budget: u64) -> Option<Option<TemporalPath>> {
        let l = self.graph.ledger();
        let amounts = l.amounts();
        let mut budget = budget;
        // No path is wider than the widest transfer a source can send.
        let mut bound: Amount = 0;
        for &s in &self.sources {
            let out = self.graph.out_in(s, self.window.clone());
            let cost = out.len() as u64;
            if cost > budget {
                return None;
            }
            budget -= cost;
            for &e in out {
                if self.usable(e.index()) {
                    bound = bound.max(amounts[e.index()]);
                }
            }
        }
        // Invariant: a path of bottleneck `lo` exists (`best`); none of
        // bottleneck > `hi` does (`hi` is inclusive so that `u128::MAX` fits).
        let mut best = match self.earliest_search_above(&mut budget, 0)? {
            Some(p) => p,
            None => return Some(None),
        };
        let mut lo = best.bottleneck;
        let mut hi = bound.max(lo);
        while lo < hi {
            // In (lo, hi], without overflow.
            let mid = lo + (hi - lo) / 2 + 1;
            match self.earliest_search_above(&mut budget, mid)? {
                Some(p) => {
                    lo = p.bottleneck;
                    best = p;
                }
                None => hi = mid - 1,
            }
        }
        // Among the widest, the earliest arrival: search once more at the
        // final width (the path found last may have come from a lower floor).
        match self.earliest_search_above(&mut budget, lo)? {
            Some(p) => Some(Some(p)),
            None => Some(Some(best)),
        }
    }

    /// Fewest hops by a hop-level search over the time-sorted adjacency: level
    /// `h` holds, per address, the earliest departure reachable with `h`
    /// hops that beats every departure reachable with fewer. `None` if more
    /// than `budget` transfers had to be examined.
    pub(super) fn fewest_search(&self, budget: u64) -> Option<Option<TemporalPath>> {
        let l = self.graph.ledger();
        let n = l.address_count();
        let to = l.receivers();
        let mut best = NodeMap::new(n, u32::MAX);
        // Labels: (transfer, parent label).
        let mut labels: Vec<(u32, u32)> = Vec::new();
        let mut frontier: Vec<(u32, u32, u32)> = Vec::new();
        for s in &self.sources {
            best.set(s.0, self.window.start.0);
            frontier.push((s.0, self.window.start.0, ROOT));
        }
        let mut next: Vec<(u32, u32, u32)> = Vec::new();
        let mut slot: IdMap<u32> = IdMap::default();
        let mut work = 0u64;
        let mut level = 0u32;
        while !frontier.is_empty() && level < self.max_hops {
            level += 1;
            next.clear();
            slot.clear();
            for &(v, d, lab) in &frontier {
                if self.targets.contains(AddressId(v)) {
                    continue;
                }
                let out = self
                    .graph
                    .out_in(AddressId(v), TransferId(d)..self.window.end);
                work += out.len() as u64 + 1;
                if work > budget {
                    return None;
                }
                for &e in out {
                    let i = e.index();
                    let w = to[i].0;
                    let e1 = e.0 + 1;
                    if e1 >= best.get(w) || !self.usable(i) {
                        continue;
                    }
                    match slot.get(&w) {
                        Some(&j) if next[j as usize].1 <= e1 => {}
                        Some(&j) => {
                            labels.push((e.0, lab));
                            next[j as usize] = (w, e1, labels.len() as u32 - 1);
                        }
                        None => {
                            labels.push((e.0, lab));
                            slot.insert(w, next.len() as u32);
                            next.push((w, e1, labels.len() as u32 - 1));
                        }
                    }
                }
            }
            // The earliest arrival at a target on this level, if any.
            let hit = next
                .iter()
                .filter(|(w, _, _)| self.targets.contains(AddressId(*w)))
                .min_by_key(|(_, d, _)| *d);
            if let Some(&(_, _, mut lab)) = hit {
                let mut path = Vec::new();
                while lab != ROOT {
                    let (t, parent) = labels[lab as usize];
                    path.push(TransferId(t));
                    lab = parent;
                }
                path.reverse();
                return Some(Some(TemporalPath::from_transfers(l, path)));
            }
            for &(w, d, _) in &next {
                best.set(w, d);
            }
            std::mem::swap(&mut frontier, &mut next);
        }
        Some(None)
    }

    /// Static reachability: every address some chain of transfers in the
    /// window leads to from a source, ignoring time order, within the hop
    /// limit and value threshold. Targets absorb (nothing leaves them). The
    /// cheap first question, and an upper bound on [`temporal_reach`](Self::temporal_reach).
    ///
    /// # Complexity
    ///
    /// Breadth-first search over the CSR: O(V + E) time, O(V) memory.
    #[must_use]
    pub fn reach(&self) -> Reach {
        let l = self.graph.ledger();
        let n = l.address_count();
        let to = l.receivers();
        let mut hops = vec![u32::MAX; n];
        let mut frontier: Vec<AddressId> = self.sources.clone();
        for s in &self.sources {
            hops[s.index()] = 0;
        }
        let mut next = Vec::new();
        let mut depth = 0u32;
        while !frontier.is_empty() && depth < self.max_hops {
            depth += 1;
            for &v in &frontier {
                if self.targets.contains(v) {
                    continue;
                }
                for &e in self.graph.out_in(v, self.window.clone()) {
                    let t = to[e.index()];
                    if hops[t.index()] == u32::MAX && self.usable(e.index()) {
                        hops[t.index()] = depth;
                        next.push(t);
                    }
                }
            }
            std::mem::swap(&mut frontier, &mut next);
            next.clear();
        }
        Reach {
            hops,
            arrival: Vec::new(),
        }
    }

    /// Temporal reachability: every address a temporal path from a source
    /// reaches, with its first arrival and fewest hops (within the hop limit,
    /// window and value threshold; targets absorb).
    ///
    /// # Complexity
    ///
    /// One pass over the window: O(E) time, O(V) memory.
    #[must_use]
    pub fn temporal_reach(&self) -> Reach {
        let pass = self.hop_pass(false, false);
        Reach {
            hops: pass.hops,
            arrival: pass.first,
        }
    }

    /// Up to `k` distinct temporal paths from the sources to the targets,
    /// best first by `kind` (ties by arrival, then by discovery order). Paths
    /// are simple (no address twice) and end at the first target they enter.
    ///
    /// # Arguments
    ///
    /// * `kind` — the order: earliest arrival, fewest hops, or widest.
    /// * `k` — how many paths at most.
    /// * `limits` — the most partial paths the search may create and the
    ///   most transfers it may examine; with the query's hop limit and window
    ///   this bounds the work on any graph.
    ///
    /// # Complexity
    ///
    /// A backward pass (O(E)) marks where a target can still be reached in
    /// time. Then a best-first search over partial paths whose children are
    /// generated lazily, one at a time in key order (the time-sorted
    /// adjacency gives that order for earliest and fewest; widest sorts a
    /// partial path's viable transfers by amount once), so a hub with a
    /// million transfers costs one child per path taken from it. Every
    /// step counts against `limits.max_work` ([`KPaths::work`]): the
    /// backward pass (the window's length, charged before it runs), every
    /// candidate transfer examined, every step of the walk up a partial path
    /// that checks it visits no address twice (cut short below the shallowest
    /// partial path at that address, so a fresh address costs nothing), and
    /// the path written out at a target. At most `limits.max_states` partial
    /// paths and `limits.max_work` units of work: O(W + S·log S) time, O(V +
    /// W) memory, whatever the graph (a chain of a million hops included).
    #[must_use]
    pub fn k_paths(&self, kind: PathKind, k: usize, limits: &SearchLimits) -> KPaths {
        let l = self.graph.ledger();
        let (to, amounts) = (l.receivers(), l.amounts());
        let mut out = KPaths::found(Vec::new());
        if k == 0 {
            return out;
        }
        let max_states = limits.max_states.min(NONE as usize - 1);
        let max_work = limits.max_work;
        // The backward pass reads every transfer of the window once.
        let mut work = u64::from(self.window.end.0 - self.window.start.0);
        if work > max_work {
            out.complete = false;
            out.stopped_by = Some(SearchLimit::Work);
            return out;
        }
        let ld = self.latest_departure();
        let mut exhausted = false;
        let mut states: Vec<State> = Vec::new();
        // The fewest hops of a partial path ending at each address (u32::MAX:
        // none): a path of `h` hops can only have passed an address at a
        // depth of at least this.
        let mut min_hops = NodeMap::new(l.address_count(), u32::MAX);
        // Candidate children of each state: a range of the adjacency
        // (earliest, fewest) or of `sorted` (widest), and a cursor.
        let mut cands: Vec<Cands> = Vec::new();
        let mut sorted: Vec<TransferId> = Vec::new();
        // (key, state, candidate position)
        let mut heap: BinaryHeap<HeapEntry> = BinaryHeap::new();
        let key = |hops: u32, width: Amount, e: u32| -> (u128, u64) {
            match kind {
                PathKind::Earliest => (u128::from(e), u64::from(hops)),
                PathKind::Fewest => (u128::from(hops), u64::from(e)),
                PathKind::Widest => (u128::MAX - width, u64::from(e)),
            }
        };
        // Charges `n` units of work: `false`, and the search is over, if
        // they would pass the limit.
        macro_rules! charge {
            ($n:expr) => {{
                let n: u64 = $n;
                match work.checked_add(n) {
                    Some(w) if w <= max_work => {
                        work = w;
                        true
                    }
                    _ => {
                        exhausted = true;
                        false
                    }
                }
            }};
        }
        // Whether address `t` is on the partial path ending at state `sid`:
        // a walk up the parents, one unit of work a step, that stops at the
        // first ancestor shallower than any partial path at `t`. At the work
        // limit the answer is "on the path" (the transfer is not taken) and
        // the search is over.
        macro_rules! on_path {
            ($sid:expr, $t:expr) => {{
                let (mut cur, t): (usize, AddressId) = ($sid, $t);
                let floor = min_hops.get(t.0);
                loop {
                    let s = states[cur];
                    if s.hops < floor {
                        break false;
                    }
                    if !charge!(1) || s.addr == t {
                        break true;
                    }
                    if s.transfer == ROOT {
                        break false;
                    }
                    cur = s.parent as usize;
                }
            }};
        }
        // Whether transfer `e` is a possible child of state `sid`.
        macro_rules! fits {
            ($sid:expr, $e:expr) => {{
                let (sid, e): (usize, TransferId) = ($sid, $e);
                let t = to[e.index()];
                (self.targets.contains(t) || ld[t.index()] > e.0 + 1)
                    && self.usable(e.index())
                    && !on_path!(sid, t)
            }};
        }
        // Adds a partial path.
        macro_rules! add_state {
            ($st:expr) => {{
                let st: State = $st;
                if st.hops < min_hops.get(st.addr.0) {
                    min_hops.set(st.addr.0, st.hops);
                }
                states.push(st);
                states.len() - 1
            }};
        }
        // Opens the candidate list of a new state and pushes its first child.
        macro_rules! open {
            ($sid:expr) => {{
                let sid: usize = $sid;
                let st = states[sid];
                let depart = if st.transfer == ROOT {
                    self.window.start
                } else {
                    TransferId(st.transfer + 1)
                };
                let slice = self.graph.out_in(st.addr, depart..self.window.end);
                let c = if st.hops >= self.max_hops {
                    Cands {
                        start: 0,
                        len: 0,
                        sorted: false,
                    }
                } else if kind == PathKind::Widest {
                    let begin = sorted.len();
                    for &e in slice {
                        if !charge!(1) {
                            break;
                        }
                        if fits!(sid, e) {
                            sorted.push(e);
                        }
                    }
                    sorted[begin..]
                        .sort_by_key(|&e| (Reverse(amounts[e.index()].min(st.width)), e));
                    Cands {
                        start: begin,
                        len: sorted.len() - begin,
                        sorted: true,
                    }
                } else {
                    let base = self.graph.out_transfers(st.addr);
                    let offset = base.partition_point(|&t| t < depart);
                    Cands {
                        start: offset,
                        len: base.len(),
                        sorted: false,
                    }
                };
                cands.push(c);
                push_next!(sid, 0usize);
            }};
        }
        // Pushes the first fitting candidate of `sid` at or after `pos`.
        macro_rules! push_next {
            ($sid:expr, $pos:expr) => {{
                let sid: usize = $sid;
                let pos: usize = $pos;
                let c = cands[sid];
                let st = states[sid];
                if c.sorted {
                    if pos < c.len {
                        let e = sorted[c.start + pos];
                        let w = st.width.min(amounts[e.index()]);
                        heap.push(Reverse((key(st.hops + 1, w, e.0), sid as u32, pos as u32)));
                    }
                } else {
                    let base = self.graph.out_transfers(st.addr);
                    let mut idx = c.start + pos;
                    while idx < c.len && base[idx] < self.window.end && charge!(1) {
                        let e = base[idx];
                        if fits!(sid, e) {
                            let w = st.width.min(amounts[e.index()]);
                            heap.push(Reverse((
                                key(st.hops + 1, w, e.0),
                                sid as u32,
                                (idx - c.start) as u32,
                            )));
                            break;
                        }
                        idx += 1;
                    }
                }
            }};
        }
        for &s in &self.sources {
            if ld[s.index()] == 0 {
                continue;
            }
            let sid = add_state!(State {
                transfer: ROOT,
                parent: ROOT,
                addr: s,
                hops: 0,
                width: Amount::MAX,
            });
            open!(sid);
        }
        while let Some(Reverse((_, sid, pos))) = heap.pop() {
            if exhausted {
                break;
            }
            if states.len() >= max_states + self.sources.len() {
                out.stopped_by = Some(SearchLimit::States);
                break;
            }
            let (sid, pos) = (sid as usize, pos as usize);
            let c = cands[sid];
            let st = states[sid];
            let e = if c.sorted {
                sorted[c.start + pos]
            } else {
                self.graph.out_transfers(st.addr)[c.start + pos]
            };
            // The next sibling competes from now on.
            push_next!(sid, pos + 1);
            let cid = add_state!(State {
                transfer: e.0,
                parent: sid as u32,
                addr: to[e.index()],
                hops: st.hops + 1,
                width: st.width.min(amounts[e.index()]),
            });
            let child = states[cid];
            if self.targets.contains(child.addr) {
                cands.push(Cands {
                    start: 0,
                    len: 0,
                    sorted: true,
                });
                // Writing the path out walks up its states.
                if !charge!(u64::from(child.hops)) {
                    break;
                }
                let mut path = Vec::with_capacity(child.hops as usize);
                let mut cur = cid;
                while states[cur].transfer != ROOT {
                    path.push(TransferId(states[cur].transfer));
                    cur = states[cur].parent as usize;
                }
                path.reverse();
                out.paths.push(TemporalPath::from_transfers(l, path));
                if out.paths.len() == k {
                    break;
                }
                continue;
            }
            open!(cid);
        }
        if exhausted {
            out.stopped_by = Some(SearchLimit::Work);
        }
        out.complete = out.stopped_by.is_none();
        out.work = work;
        out.states = states.len() - states.iter().filter(|s| s.transfer == ROOT).count();
        out
    }
}
