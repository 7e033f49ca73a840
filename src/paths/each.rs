//! The best path to each target of a set, all from one pass.
//!
//! Investigators ask "how did the stolen funds reach each of these 20
//! exchanges", not "which one did they reach first". N queries cost N
//! searches; the passes in event order already hold every address's
//! optimum so far, so one pass answers every target. In this mode a target
//! does not absorb (a path to one exchange may go through another): each
//! answer is that of the query with that target alone.

use super::scan::{Goal, Labels, ROOT};
use super::state::HopTable;
use super::{PathKind, PathQuery, TemporalPath};
use crate::graph::AddressSet;
use crate::id::TransferId;

impl PathQuery<'_, '_> {
    /// For every target, in [`targets`](Self::targets) order, the best path
    /// of `kind` from the sources to it, or `None` where it is not reached.
    ///
    /// Each answer has the optimum and the arrival of the same query with
    /// that target alone (earliest; earliest among the fewest-hop or widest
    /// paths): other targets do not absorb. The hop limit, window, asset
    /// and value threshold apply as for one target.
    ///
    /// # Complexity
    ///
    /// One pass over the window in event order, whatever the number of
    /// targets: O(E) time and O(V) memory for earliest, fewest, and widest
    /// without a hop limit (earliest stops once every target is reached);
    /// widest under a limit of H hops keeps a Pareto front per address,
    /// O(E·H²) time and O(V + E·H) memory.
    #[must_use]
    pub fn best_to_each(&self, kind: PathKind) -> Vec<Option<TemporalPath>> {
        if self.target_list.is_empty() {
            return Vec::new();
        }
        match kind {
            PathKind::Earliest | PathKind::Fewest => self.hops_to_each(kind),
            PathKind::Widest if self.max_hops().is_some() => self.widest_limited(Goal::Each),
            PathKind::Widest => self.widest_scan(Goal::Each),
        }
    }

    /// The hop-counting pass with no absorbing targets: for every address
    /// the fewest hops of a temporal path arriving so far. A target's first
    /// label is its earliest arrival (within the hop limit: the fewest hops
    /// so far are exact at every point of the pass), its last label the
    /// earliest of its fewest-hop paths (hops only decrease).
    fn hops_to_each(&self, kind: PathKind) -> Vec<Option<TemporalPath>> {
        let l = self.graph.ledger();
        let n = l.address_count();
        let (from, to) = (l.senders(), l.receivers());
        // Hop counts in one byte per address (in cache); the label of the
        // current best path only where reached (never read elsewhere, so
        // the zeroed allocation needs no initialising pass).
        let mut hops = HopTable::new(n);
        let mut cur = vec![0u32; n];
        let mut reached = AddressSet::with_bound(n);
        for s in &self.sources {
            hops.set(s.index(), 0);
            cur[s.index()] = ROOT;
            reached.insert(*s);
        }
        let mut labels = Labels::default();
        let mut best: Vec<Option<u32>> = vec![None; self.target_list.len()];
        let mut unreached = best.len();
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
            if (reached.contains(to[i]) && nh >= hops.get(to[i].index())) || !self.usable(i) {
                continue;
            }
            let t = to[i].index();
            hops.set(t, nh);
            reached.insert(to[i]);
            let id = labels.push(TransferId::from_usize(i), cur[f]);
            cur[t] = id;
            if self.targets.contains(to[i]) {
                let b = &mut best[self.slot(Goal::Each, to[i])];
                match (kind, *b) {
                    (PathKind::Earliest, Some(_)) => {}
                    (PathKind::Earliest, None) => {
                        *b = Some(id);
                        unreached -= 1;
                        if unreached == 0 {
                            break;
                        }
                    }
                    _ => *b = Some(id),
                }
            }
        }
        best.into_iter()
            .map(|b| b.map(|label| TemporalPath::from_transfers(l, labels.path(label))))
            .collect()
    }
}
