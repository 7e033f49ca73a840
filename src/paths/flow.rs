//! Temporal maximum flow with a minimum cut as its certificate.
//!
//! The network is the time-expanded graph of the query's transfers, with
//! holding: value an address holds may wait and leave with any later
//! transfer. Only *relevant* transfers enter it: those a source can reach
//! in time (forward pass) and that can still reach a target in time
//! (backward pass). Each address's relevant transfers, in event order, are
//! cut into groups "receives, then sends"; a group is one node, consecutive
//! groups are joined by holding arcs of infinite capacity, and every
//! transfer is an arc of capacity its amount from the sender's group to the
//! receiver's group (targets are merged into the sink). A super source feeds
//! every source's first group, through one arc of capacity `cap` when the
//! source side is capped (the stolen amount).
//!
//! Max-flow min-cut then reads: the flow value equals the total of a set of
//! transfers (plus the cap, if it is cut) that every temporal path from a
//! source to a target crosses. That set is returned as the certificate.

use super::{PathQuery, QueryError};
use crate::amount::Amount;
use crate::graph::AddressSet;
use crate::id::TransferId;

const HOLD: u32 = u32::MAX;
const CAP: u32 = u32::MAX - 1;
const REVERSE: u32 = u32::MAX - 2;
const INF: Amount = Amount::MAX;
const UNSET: u32 = u32::MAX;

/// Bounds on a flow computation, so adversarial ledgers stay bounded.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct FlowLimits {
    /// The most relevant transfers (time steps of the expanded network) to
    /// build a network for (default 20,000,000). Above it no flow is
    /// computed and only the trivial cut is returned.
    pub max_transfers: usize,
    /// The most arc inspections Dinic may make (default 2,000,000,000). When
    /// reached, the flow found so far is returned as a lower bound.
    pub max_work: u64,
}

impl Default for FlowLimits {
    fn default() -> Self {
        FlowLimits {
            max_transfers: 20_000_000,
            max_work: 2_000_000_000,
        }
    }
}

/// A validated flow query: a single-asset [`PathQuery`], an optional cap on
/// the source side and limits. The query's hop limit is ignored (a flow is
/// not a single path); its window and value threshold apply.
#[derive(Clone, Debug)]
pub struct FlowQuery<'g, 'l> {
    query: PathQuery<'g, 'l>,
    cap: Option<Amount>,
    limits: FlowLimits,
}

/// The maximum flow and its certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowResult {
    /// The value of the flow found (a lower bound on the maximum; the
    /// maximum when `exact`).
    pub value: Amount,
    /// The total of the cut (its transfers, plus the cap if `cap_in_cut`):
    /// an upper bound on what could reach the targets.
    pub upper_bound: Amount,
    /// Whether `value == upper_bound`, so the cut proves the flow maximal.
    pub exact: bool,
    /// The cut's transfers, in event order: every temporal path from a
    /// source to a target uses one of them (or passes the cap).
    pub cut: Vec<TransferId>,
    /// Whether the source cap is part of the cut.
    pub cap_in_cut: bool,
    /// Positive flow per transfer, in event order.
    pub flows: Vec<(TransferId, Amount)>,
    /// Transfers that entered the network.
    pub relevant_transfers: usize,
    /// Nodes of the network (super source and sink included).
    pub nodes: usize,
    /// Arcs of the network (without reverse arcs).
    pub arcs: usize,
    /// Whether a limit stopped the computation (then `exact` may be false).
    pub limited: bool,
}

impl<'g, 'l> FlowQuery<'g, 'l> {
    /// Makes a flow query.
    ///
    /// # Errors
    ///
    /// [`QueryError::FlowNeedsOneAsset`] if the query spans every asset.
    pub fn new(
        query: PathQuery<'g, 'l>,
        cap: Option<Amount>,
        limits: FlowLimits,
    ) -> Result<Self, QueryError> {
        if query.asset().is_none() {
            return Err(QueryError::FlowNeedsOneAsset);
        }
        Ok(FlowQuery { query, cap, limits })
    }

    /// The path query underneath.
    #[must_use]
    pub fn query(&self) -> &PathQuery<'g, 'l> {
        &self.query
    }

    /// The temporal maximum flow from the sources to the targets, with a
    /// minimum cut.
    ///
    /// # Complexity
    ///
    /// Two passes over the window (O(E)) select the R relevant transfers;
    /// the network has at most 2R + 3 nodes and 2R + |S| + 1 arcs. Dinic's
    /// algorithm then runs in O(N²·A) in the worst case, far less on these
    /// layered networks; `limits.max_work` bounds it. Memory O(V + R).
    #[must_use]
    pub fn max_flow(&self) -> FlowResult {
        let q = &self.query;
        let l = q.graph().ledger();
        let n = l.address_count();
        let (from, to, amount) = (l.senders(), l.receivers(), l.amounts());
        let window = q.window();
        let (lo, hi) = (window.start.index(), window.end.index());
        let mut is_source = AddressSet::with_bound(n);
        for s in q.sources() {
            is_source.insert(*s);
        }

        // Forward pass: depart[v] = first transfer id v can send value at.
        let mut depart = vec![UNSET; n];
        for s in q.sources() {
            depart[s.index()] = lo as u32;
        }
        for i in lo..hi {
            let f = from[i].index();
            if depart[f] as usize <= i && depart[to[i].index()] == UNSET && q.usable(i) {
                if q.targets.contains(from[i]) {
                    continue;
                }
                depart[to[i].index()] = i as u32 + 1;
            }
        }
        let ld = q.latest_departure();
        let relevant = |i: usize| {
            let f = from[i];
            depart[f.index()] as usize <= i
                && ld[to[i].index()] > i as u32 + 1
                && !q.targets.contains(f)
                && q.usable(i)
        };
        let mut rel: Vec<u32> = Vec::new();
        let mut count = 0usize;
        let mut into_targets: Amount = 0;
        let mut into_targets_list = Vec::new();
        for i in lo..hi {
            if relevant(i) {
                count += 1;
                if count <= self.limits.max_transfers {
                    rel.push(i as u32);
                }
                if q.targets.contains(to[i]) {
                    into_targets = into_targets.saturating_add(amount[i]);
                    into_targets_list.push(TransferId::from_usize(i));
                }
            }
        }
        let trivial = |value: Amount, relevant: usize, limited: bool| {
            let (cut, cap_in_cut, upper) = match self.cap {
                Some(c) if c < into_targets => (Vec::new(), true, c),
                _ => (into_targets_list.clone(), false, into_targets),
            };
            FlowResult {
                value,
                upper_bound: upper,
                exact: value == upper,
                cut,
                cap_in_cut,
                flows: Vec::new(),
                relevant_transfers: relevant,
                nodes: 0,
                arcs: 0,
                limited,
            }
        };
        if count > self.limits.max_transfers {
            return trivial(0, count, true);
        }
        if rel.is_empty() {
            return trivial(0, 0, false);
        }

        // Network: 0 = super source, 1 = sink, 2 = capped source side.
        let (src, sink) = (0u32, 1u32);
        let feed = if self.cap.is_some() { 2u32 } else { src };
        let mut nodes = if self.cap.is_some() { 3u32 } else { 2u32 };
        let mut arcs: Vec<(u32, u32, Amount, u32)> = Vec::with_capacity(rel.len() * 2 + 4);
        if let Some(c) = self.cap {
            arcs.push((src, feed, c, CAP));
        }
        let mut group = vec![UNSET; n];
        let mut sent = AddressSet::with_bound(n);
        for &i in &rel {
            let i = i as usize;
            let (u, w) = (from[i], to[i]);
            let gu = match group[u.index()] {
                UNSET => {
                    let g = nodes;
                    nodes += 1;
                    group[u.index()] = g;
                    if is_source.contains(u) {
                        arcs.push((feed, g, INF, HOLD));
                    }
                    g
                }
                g => g,
            };
            sent.insert(u);
            let gw = if q.targets.contains(w) {
                sink
            } else {
                match group[w.index()] {
                    g if g != UNSET && !sent.contains(w) => g,
                    prev => {
                        let g = nodes;
                        nodes += 1;
                        if prev != UNSET {
                            arcs.push((prev, g, INF, HOLD));
                        } else if is_source.contains(w) {
                            arcs.push((feed, g, INF, HOLD));
                        }
                        group[w.index()] = g;
                        sent.remove(w);
                        g
                    }
                }
            };
            arcs.push((gu, gw, amount[i], i as u32));
        }
        drop(group);
        let mut net = Network::new(nodes as usize, &arcs);
        let (value, saturated, limited) = net.dinic(src, sink, self.limits.max_work);
        if limited {
            let mut r = trivial(value, rel.len(), true);
            r.nodes = nodes as usize;
            r.arcs = arcs.len();
            r.flows = net.flows();
            return r;
        }
        // The last BFS left `level` set exactly on the source side of a minimum cut.
        let mut cut = Vec::new();
        let mut cap_in_cut = false;
        let mut upper: Amount = 0;
        let mut clean = !saturated;
        for v in 0..net.first.len() - 1 {
            if net.level[v] == UNSET {
                continue;
            }
            for p in net.first[v] as usize..net.first[v + 1] as usize {
                let h = net.head[p] as usize;
                if net.level[h] != UNSET || net.tag[p] == REVERSE {
                    continue;
                }
                match net.tag[p] {
                    CAP => {
                        cap_in_cut = true;
                        upper = upper.saturating_add(self.cap.unwrap_or(0));
                    }
                    HOLD => clean = false,
                    t => {
                        cut.push(TransferId(t));
                        upper = upper.saturating_add(amount[t as usize]);
                    }
                }
            }
        }
        cut.sort_unstable();
        FlowResult {
            value,
            upper_bound: upper,
            exact: clean && upper == value,
            cut,
            cap_in_cut,
            flows: net.flows(),
            relevant_transfers: rel.len(),
            nodes: nodes as usize,
            arcs: arcs.len(),
            limited: false,
        }
    }
}

/// A residual network in CSR form; slot `p`'s partner is `rev[p]`.
struct Network {
    first: Vec<u32>,
    head: Vec<u32>,
    res: Vec<Amount>,
    rev: Vec<u32>,
    tag: Vec<u32>,
    level: Vec<u32>,
}

impl Network {
    fn new(nodes: usize, arcs: &[(u32, u32, Amount, u32)]) -> Self {
        let mut first = vec![0u32; nodes + 1];
        for &(t, h, _, _) in arcs {
            first[t as usize + 1] += 1;
            first[h as usize + 1] += 1;
        }
        for v in 1..=nodes {
            first[v] += first[v - 1];
        }
        let slots = arcs.len() * 2;
        let mut pos: Vec<u32> = first[..nodes].to_vec();
        let mut head = vec![0u32; slots];
        let mut res = vec![0 as Amount; slots];
        let mut rev = vec![0u32; slots];
        let mut tag = vec![REVERSE; slots];
        for &(t, h, c, g) in arcs {
            let p = pos[t as usize];
            pos[t as usize] += 1;
            let r = pos[h as usize];
            pos[h as usize] += 1;
            head[p as usize] = h;
            res[p as usize] = c;
            tag[p as usize] = g;
            rev[p as usize] = r;
            head[r as usize] = t;
            rev[r as usize] = p;
        }
        Network {
            first,
            head,
            res,
            rev,
            tag,
            level: vec![UNSET; nodes],
        }
    }

    /// Dinic's algorithm. Returns (value, whether a sum saturated, whether
    /// `max_work` stopped it).
    fn dinic(&mut self, s: u32, t: u32, max_work: u64) -> (Amount, bool, bool) {
        let nodes = self.level.len();
        let mut total: Amount = 0;
        let mut saturated = false;
        let mut work: u64 = 0;
        let mut queue: Vec<u32> = Vec::with_capacity(nodes);
        let mut it: Vec<u32> = vec![0; nodes];
        let mut path: Vec<u32> = Vec::new();
        loop {
            // Breadth-first levels over arcs with residual capacity.
            self.level.iter_mut().for_each(|l| *l = UNSET);
            self.level[s as usize] = 0;
            queue.clear();
            queue.push(s);
            let mut qi = 0;
            while qi < queue.len() {
                let v = queue[qi] as usize;
                qi += 1;
                let (a, b) = (self.first[v] as usize, self.first[v + 1] as usize);
                work += (b - a) as u64;
                for p in a..b {
                    let h = self.head[p] as usize;
                    if self.res[p] > 0 && self.level[h] == UNSET {
                        self.level[h] = self.level[v] + 1;
                        queue.push(h as u32);
                    }
                }
            }
            if self.level[t as usize] == UNSET {
                return (total, saturated, false);
            }
            if work > max_work {
                return (total, saturated, true);
            }
            it.copy_from_slice(&self.first[..nodes]);
            // Blocking flow by iterative depth-first search.
            path.clear();
            let mut v = s as usize;
            loop {
                if v == t as usize {
                    let b = path
                        .iter()
                        .map(|&p| self.res[p as usize])
                        .min()
                        .unwrap_or(0);
                    let mut back = None;
                    for (j, &p) in path.iter().enumerate() {
                        let p = p as usize;
                        self.res[p] -= b;
                        let r = self.rev[p] as usize;
                        match self.res[r].checked_add(b) {
                            Some(x) => self.res[r] = x,
                            None => {
                                self.res[r] = INF;
                                saturated = true;
                            }
                        }
                        if self.res[p] == 0 && back.is_none() {
                            back = Some(j);
                        }
                    }
                    match total.checked_add(b) {
                        Some(x) => total = x,
                        None => {
                            total = INF;
                            saturated = true;
                        }
                    }
                    let j = back.unwrap_or(0);
                    path.truncate(j);
                    v = path
                        .last()
                        .map_or(s as usize, |&p| self.head[p as usize] as usize);
                    if b == 0 {
                        // Cannot happen (arcs on the path have residual > 0);
                        // guard against looping anyway.
                        return (total, saturated, true);
                    }
                    continue;
                }
                let end = self.first[v + 1];
                let mut advanced = false;
                while it[v] < end {
                    let p = it[v] as usize;
                    work += 1;
                    let h = self.head[p] as usize;
                    if self.res[p] > 0
                        && self.level[h] != UNSET
                        && self.level[h] == self.level[v] + 1
                    {
                        path.push(p as u32);
                        v = h;
                        advanced = true;
                        break;
                    }
                    it[v] += 1;
                }
                if work > max_work {
                    return (total, saturated, true);
                }
                if !advanced {
                    if v == s as usize {
                        break;
                    }
                    // Dead end: retreat and skip the arc that led here.
                    self.level[v] = UNSET - 1;
                    let p = path.pop().unwrap_or(0) as usize;
                    v = self.head[self.rev[p] as usize] as usize;
                    it[v] += 1;
                }
            }
        }
    }

    /// Positive flow on transfer arcs, by transfer id.
    fn flows(&self) -> Vec<(TransferId, Amount)> {
        let mut out: Vec<(TransferId, Amount)> = (0..self.tag.len())
            .filter(|&p| self.tag[p] < REVERSE)
            .filter_map(|p| {
                let f = self.res[self.rev[p] as usize];
                (f > 0).then_some((TransferId(self.tag[p]), f))
            })
            .collect();
        out.sort_unstable();
        out
    }
}
