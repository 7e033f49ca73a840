//! Compact adjacency (CSR) over a [`Ledger`]'s addresses (DESIGN §5).
//!
//! A [`TransferGraph`] borrows a ledger and stores, for every address, the
//! [`TransferId`]s of the transfers it sends and receives, each list sorted
//! by event order. Because transfers are numbered in the ledger's total event
//! order, "transfers out of `a` at or after `t`" is a binary search plus a
//! slice ([`TransferGraph::out_from`]). Nothing is stored per edge but the
//! 4-byte transfer id in each direction: sender, receiver and amount are read
//! from the ledger's columns.
//!
//! The graph implements petgraph's `visit` traits (nodes are [`AddressId`]s,
//! edges are [`TransferId`]s weighted by their amount), so petgraph's
//! algorithms run on it directly:
//!
//! ```
//! use fundtrace::{Address, Asset, LedgerBuilder, TransferKind, TransferRecord};
//! use fundtrace::graph::TransferGraph;
//!
//! let mut b = LedgerBuilder::new();
//! let eth = b.chain("ethereum", "ETH");
//! let a = |n: u8| Address::Evm([n; 20]);
//! for (i, (from, to)) in [(1, 2), (2, 3), (3, 1)].into_iter().enumerate() {
//!     b.push(TransferRecord {
//!         chain: eth, tx_hash: [i as u8; 32], block: i as u64, time: 100 + i as u64,
//!         tx_position: 0, kind: TransferKind::Native, sub_index: 0,
//!         from: a(from), to: a(to), asset: Asset::Native, amount: 10,
//!     }).unwrap();
//! }
//! let ledger = b.build().unwrap();
//! let graph = TransferGraph::new(&ledger);
//! let sccs = petgraph::algo::tarjan_scc(&graph);
//! assert_eq!(sccs.len(), 1); // 1 → 2 → 3 → 1 is one component
//! ```

mod neighbors;
mod reach_index;
mod visit;

pub use neighbors::{EdgeFilter, NeighborGraph, StaticReach};
pub use reach_index::ReachIndex;
pub use visit::{
    AddressSet, EdgeReferences, Edges, EdgesDirected, Neighbors, NeighborsDirected, TransferRef,
};

use std::ops::Range;

use crate::id::{AddressId, AssetId, TransferId};
use crate::ledger::Ledger;

/// Outgoing and incoming adjacency of a ledger's addresses, in event order.
///
/// Built once in O(V + E) by degree count, prefix sum and scatter (the
/// ledger is already in event order, so every adjacency list comes out
/// sorted). Memory: 8 bytes per transfer (one `u32` per direction) plus
/// 8 bytes per address for the offsets; see [`heap_bytes`](Self::heap_bytes).
#[derive(Clone, Debug)]
pub struct TransferGraph<'l> {
    ledger: &'l Ledger,
    asset: Option<AssetId>,
    out_offsets: Vec<u32>,
    out_edges: Vec<TransferId>,
    in_offsets: Vec<u32>,
    in_edges: Vec<TransferId>,
}

impl<'l> TransferGraph<'l> {
    /// The graph of every transfer of `ledger`, all assets together.
    ///
    /// # Complexity
    ///
    /// O(V + E) time and 8·E + 8·V bytes.
    #[must_use]
    pub fn new(ledger: &'l Ledger) -> Self {
        Self::build(ledger, None)
    }

    /// The graph of the transfers of one asset only.
    ///
    /// # Complexity
    ///
    /// O(V + E) time; memory for the transfers of that asset only.
    #[must_use]
    pub fn for_asset(ledger: &'l Ledger, asset: AssetId) -> Self {
        Self::build(ledger, Some(asset))
    }

    fn build(ledger: &'l Ledger, asset: Option<AssetId>) -> Self {
        let n = ledger.address_count();
        let from = ledger.senders();
        let to = ledger.receivers();
        let assets = ledger.transfer_assets();
        let keep = |i: usize| asset.map_or(true, |a| assets[i] == a);
        let mut out_deg = vec![0u32; n + 1];
        let mut in_deg = vec![0u32; n + 1];
        let mut m = 0usize;
        for i in 0..from.len() {
            if keep(i) {
                out_deg[from[i].index() + 1] += 1;
                in_deg[to[i].index() + 1] += 1;
                m += 1;
            }
        }
        // Prefix sums: a ledger holds fewer than u32::MAX transfers, so the
        // running sums fit in u32.
        for i in 1..=n {
            out_deg[i] += out_deg[i - 1];
            in_deg[i] += in_deg[i - 1];
        }
        let mut out_edges = vec![TransferId(0); m];
        let mut in_edges = vec![TransferId(0); m];
        let mut out_pos: Vec<u32> = out_deg[..n].to_vec();
        let mut in_pos: Vec<u32> = in_deg[..n].to_vec();
        for i in 0..from.len() {
            if keep(i) {
                let id = TransferId::from_usize(i);
                let f = from[i].index();
                out_edges[out_pos[f] as usize] = id;
                out_pos[f] += 1;
                let t = to[i].index();
                in_edges[in_pos[t] as usize] = id;
                in_pos[t] += 1;
            }
        }
        TransferGraph {
            ledger,
            asset,
            out_offsets: out_deg,
            out_edges,
            in_offsets: in_deg,
            in_edges,
        }
    }

    /// The ledger the graph is over.
    #[must_use]
    pub fn ledger(&self) -> &'l Ledger {
        self.ledger
    }

    /// The asset the graph is restricted to, if any.
    #[must_use]
    pub fn asset(&self) -> Option<AssetId> {
        self.asset
    }

    /// Number of addresses (nodes), including those with no transfer of the asset.
    #[must_use]
    pub fn address_count(&self) -> usize {
        self.out_offsets.len() - 1
    }

    /// Number of transfers (edges) in the graph.
    #[must_use]
    pub fn transfer_count(&self) -> usize {
        self.out_edges.len()
    }

    /// Whether `id` is a transfer of this graph (in the ledger and of its asset).
    #[must_use]
    pub fn contains_transfer(&self, id: TransferId) -> bool {
        id.index() < self.ledger.transfer_count()
            && self
                .asset
                .map_or(true, |a| self.ledger.transfer_assets()[id.index()] == a)
    }

    fn range(offsets: &[u32], a: AddressId) -> Range<usize> {
        match (offsets.get(a.index()), offsets.get(a.index() + 1)) {
            (Some(&lo), Some(&hi)) => lo as usize..hi as usize,
            _ => 0..0,
        }
    }

    /// Transfers sent by `a`, in event order (empty for an unknown id).
    #[must_use]
    pub fn out_transfers(&self, a: AddressId) -> &[TransferId] {
        &self.out_edges[Self::range(&self.out_offsets, a)]
    }

    /// Transfers received by `a`, in event order (empty for an unknown id).
    #[must_use]
    pub fn in_transfers(&self, a: AddressId) -> &[TransferId] {
        &self.in_edges[Self::range(&self.in_offsets, a)]
    }

    /// Transfers sent by `a` at or after transfer `after` in event order.
    ///
    /// # Complexity
    ///
    /// O(log deg(a)).
    #[must_use]
    pub fn out_from(&self, a: AddressId, after: TransferId) -> &[TransferId] {
        let s = self.out_transfers(a);
        &s[s.partition_point(|&t| t < after)..]
    }

    /// Transfers sent by `a` whose ids lie in `window` (event-order range).
    ///
    /// # Complexity
    ///
    /// O(log deg(a)).
    #[must_use]
    pub fn out_in(&self, a: AddressId, window: Range<TransferId>) -> &[TransferId] {
        let s = self.out_transfers(a);
        let lo = s.partition_point(|&t| t < window.start);
        let hi = s.partition_point(|&t| t < window.end).max(lo);
        &s[lo..hi]
    }

    /// Transfers received by `a` strictly before transfer `before`.
    ///
    /// # Complexity
    ///
    /// O(log deg(a)).
    #[must_use]
    pub fn in_before(&self, a: AddressId, before: TransferId) -> &[TransferId] {
        let s = self.in_transfers(a);
        &s[..s.partition_point(|&t| t < before)]
    }

    /// Transfers sent by `a` whose time (unix seconds) is at or after `time`.
    ///
    /// # Complexity
    ///
    /// O(log E + log deg(a)).
    #[must_use]
    pub fn out_after_time(&self, a: AddressId, time: u64) -> &[TransferId] {
        self.out_from(a, self.ledger.first_transfer_at(time))
    }

    /// Heap bytes held by the adjacency (not counting the ledger).
    #[must_use]
    pub fn heap_bytes(&self) -> usize {
        4 * (self.out_offsets.capacity()
            + self.in_offsets.capacity()
            + self.out_edges.capacity()
            + self.in_edges.capacity())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::Address;

    pub(crate) fn ledger(edges: &[(u8, u8, u128, bool)]) -> Ledger {
        crate::ledger::test_ledger(edges)
    }

    #[test]
    fn adjacency_is_sorted_and_sliced_by_time() {
        let l = ledger(&[
            (1, 2, 5, false),
            (1, 3, 6, true),
            (2, 1, 7, false),
            (1, 2, 8, false),
        ]);
        let g = TransferGraph::new(&l);
        let a1 = l.address_id(&Address::Evm([1; 20])).unwrap();
        let a2 = l.address_id(&Address::Evm([2; 20])).unwrap();
        assert_eq!(
            g.out_transfers(a1),
            &[TransferId(0), TransferId(1), TransferId(3)]
        );
        assert_eq!(
            g.out_from(a1, TransferId(1)),
            &[TransferId(1), TransferId(3)]
        );
        assert_eq!(g.out_from(a1, TransferId(4)), &[] as &[TransferId]);
        assert_eq!(g.out_in(a1, TransferId(1)..TransferId(3)), &[TransferId(1)]);
        assert_eq!(g.in_transfers(a2), &[TransferId(0), TransferId(3)]);
        assert_eq!(g.in_before(a2, TransferId(3)), &[TransferId(0)]);
        assert_eq!(g.out_after_time(a1, 1003), &[TransferId(3)]);
        assert_eq!(g.transfer_count(), 4);
        assert_eq!(g.heap_bytes(), 4 * (2 * 4 + 2 * 4));
        let native = l.transfer(TransferId(0)).asset;
        let gn = TransferGraph::for_asset(&l, native);
        assert_eq!(gn.transfer_count(), 3);
        assert_eq!(gn.out_transfers(a1), &[TransferId(0), TransferId(3)]);
        assert!(!gn.contains_transfer(TransferId(1)));
        assert!(g.out_transfers(AddressId(99)).is_empty());
    }
}
