//! A reachability index: the condensation of a [`NeighborGraph`] into its
//! strongly connected components, so "everything reachable from here"
//! walks components instead of addresses.

use super::{AddressSet, NeighborGraph};
use crate::id::AddressId;

const UNSET: u32 = u32::MAX;

/// Strongly connected components of a static graph and the DAG between them.
///
/// Transaction graphs have one giant component (exchanges, popular
/// contracts and their users) and many small ones; reachability over the
/// condensation touches each component once. Time order, hop limits and
/// absorbing targets are not represented: use [`NeighborGraph::reach`] or
/// the temporal queries for those.
#[derive(Clone, Debug)]
pub struct ReachIndex {
    comp: Vec<u32>,
    member_offsets: Vec<u32>,
    members: Vec<AddressId>,
    dag_offsets: Vec<u32>,
    dag: Vec<u32>,
}

impl ReachIndex {
    /// Builds the index (Tarjan's algorithm, iterative, then the
    /// deduplicated DAG of components).
    ///
    /// # Complexity
    ///
    /// O(V + E) time, O(V + E_dag) memory.
    #[must_use]
    pub fn new(g: &NeighborGraph) -> Self {
        let n = g.address_count();
        let mut index = vec![UNSET; n];
        let mut low = vec![0u32; n];
        let mut comp = vec![UNSET; n];
        let mut on_stack = AddressSet::with_bound(n);
        let mut stack: Vec<u32> = Vec::new();
        let mut call: Vec<(u32, u32)> = Vec::new();
        let mut counter = 0u32;
        let mut ncomp = 0u32;
        for root in 0..n as u32 {
            if index[root as usize] != UNSET {
                continue;
            }
            index[root as usize] = counter;
            low[root as usize] = counter;
            counter += 1;
            stack.push(root);
            on_stack.insert(AddressId(root));
            call.push((root, 0));
            while let Some(&(v, pos)) = call.last() {
                let out = g.neighbors(AddressId(v));
                if (pos as usize) < out.len() {
                    if let Some(top) = call.last_mut() {
                        top.1 += 1;
                    }
                    let w = out[pos as usize].0;
                    if index[w as usize] == UNSET {
                        index[w as usize] = counter;
                        low[w as usize] = counter;
                        counter += 1;
                        stack.push(w);
                        on_stack.insert(AddressId(w));
                        call.push((w, 0));
                    } else if on_stack.contains(AddressId(w)) {
                        low[v as usize] = low[v as usize].min(index[w as usize]);
                    }
                    continue;
                }
                call.pop();
                if let Some(&(p, _)) = call.last() {
                    low[p as usize] = low[p as usize].min(low[v as usize]);
                }
                if low[v as usize] == index[v as usize] {
                    while let Some(x) = stack.pop() {
                        on_stack.remove(AddressId(x));
                        comp[x as usize] = ncomp;
                        if x == v {
                            break;
                        }
                    }
                    ncomp += 1;
                }
            }
        }
        drop(index);
        drop(low);
        let c = ncomp as usize;
        let mut member_offsets = vec![0u32; c + 1];
        for &k in &comp {
            member_offsets[k as usize + 1] += 1;
        }
        for i in 1..=c {
            member_offsets[i] += member_offsets[i - 1];
        }
        let mut pos: Vec<u32> = member_offsets[..c].to_vec();
        let mut members = vec![AddressId(0); n];
        for (v, &k) in comp.iter().enumerate() {
            members[pos[k as usize] as usize] = AddressId::from_usize(v);
            pos[k as usize] += 1;
        }
        // DAG edges per component, deduplicated with a last-seen marker.
        let mut dag_offsets = Vec::with_capacity(c + 1);
        let mut dag = Vec::new();
        let mut last = vec![UNSET; c];
        dag_offsets.push(0u32);
        for k in 0..c {
            for &v in &members[member_offsets[k] as usize..member_offsets[k + 1] as usize] {
                for &w in g.neighbors(v) {
                    let kw = comp[w.index()];
                    if kw != k as u32 && last[kw as usize] != k as u32 {
                        last[kw as usize] = k as u32;
                        dag.push(kw);
                    }
                }
            }
            dag_offsets.push(dag.len() as u32);
        }
        ReachIndex {
            comp,
            member_offsets,
            members,
            dag_offsets,
            dag,
        }
    }

    /// Number of strongly connected components.
    #[must_use]
    pub fn component_count(&self) -> usize {
        self.member_offsets.len() - 1
    }

    /// The component of `a` (components are numbered sinks first, in
    /// reverse topological order), if `a` is in the graph.
    #[must_use]
    pub fn component(&self, a: AddressId) -> Option<u32> {
        self.comp.get(a.index()).copied()
    }

    /// The addresses of component `k`.
    #[must_use]
    pub fn members(&self, k: u32) -> &[AddressId] {
        let k = k as usize;
        match (self.member_offsets.get(k), self.member_offsets.get(k + 1)) {
            (Some(&lo), Some(&hi)) => &self.members[lo as usize..hi as usize],
            _ => &[],
        }
    }

    /// Every address reachable from `sources` (sources included), grouped
    /// by component in the order the search met them. Unknown ids are ignored.
    ///
    /// # Complexity
    ///
    /// O(C/64 + reached components + their DAG edges + reached addresses).
    #[must_use]
    pub fn reach(&self, sources: &[AddressId]) -> Vec<AddressId> {
        let c = self.component_count();
        let mut seen = vec![0u64; c.div_ceil(64)];
        let mut stack: Vec<u32> = Vec::new();
        let mut found: Vec<u32> = Vec::new();
        let mut visit = |k: u32, stack: &mut Vec<u32>| {
            let (w, b) = (k as usize / 64, k % 64);
            if seen[w] & (1 << b) == 0 {
                seen[w] |= 1 << b;
                stack.push(k);
            }
        };
        for s in sources {
            if let Some(k) = self.component(*s) {
                visit(k, &mut stack);
            }
        }
        let mut total = 0usize;
        while let Some(k) = stack.pop() {
            found.push(k);
            total +=
                (self.member_offsets[k as usize + 1] - self.member_offsets[k as usize]) as usize;
            for &kw in &self.dag
                [self.dag_offsets[k as usize] as usize..self.dag_offsets[k as usize + 1] as usize]
            {
                visit(kw, &mut stack);
            }
        }
        let mut out = Vec::with_capacity(total);
        for k in found {
            out.extend_from_slice(self.members(k));
        }
        out
    }

    /// Heap bytes held.
    #[must_use]
    pub fn heap_bytes(&self) -> usize {
        4 * (self.comp.capacity()
            + self.member_offsets.capacity()
            + self.members.capacity()
            + self.dag_offsets.capacity()
            + self.dag.capacity())
    }
}
