//! petgraph `visit` trait implementations for [`TransferGraph`].

use petgraph::visit::{
    Data, EdgeCount, EdgeRef, GraphBase, GraphProp, IntoEdgeReferences, IntoEdges,
    IntoEdgesDirected, IntoNeighbors, IntoNeighborsDirected, IntoNodeIdentifiers,
    NodeCompactIndexable, NodeCount, NodeIndexable, VisitMap, Visitable,
};
use petgraph::{Directed, Direction};

use super::TransferGraph;
use crate::amount::Amount;
use crate::id::{AddressId, TransferId};

/// A set of addresses as a bit set: petgraph's visit map for
/// [`TransferGraph`], and a cheap membership test for target sets.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AddressSet {
    bits: Vec<u64>,
}

impl AddressSet {
    /// An empty set able to hold ids below `bound` without growing.
    #[must_use]
    pub fn with_bound(bound: usize) -> Self {
        AddressSet {
            bits: vec![0; bound.div_ceil(64)],
        }
    }

    /// Adds `a`; returns whether it was absent.
    pub fn insert(&mut self, a: AddressId) -> bool {
        let (w, b) = (a.index() / 64, a.index() % 64);
        if w >= self.bits.len() {
            self.bits.resize(w + 1, 0);
        }
        let was = self.bits[w] & (1 << b) != 0;
        self.bits[w] |= 1 << b;
        !was
    }

    /// Removes `a`; returns whether it was present.
    pub fn remove(&mut self, a: AddressId) -> bool {
        let (w, b) = (a.index() / 64, a.index() % 64);
        match self.bits.get_mut(w) {
            Some(word) => {
                let was = *word & (1 << b) != 0;
                *word &= !(1 << b);
                was
            }
            None => false,
        }
    }

    /// Whether `a` is in the set.
    #[inline]
    #[must_use]
    pub fn contains(&self, a: AddressId) -> bool {
        self.bits
            .get(a.index() / 64)
            .is_some_and(|w| w & (1 << (a.index() % 64)) != 0)
    }

    /// Empties the set, keeping its capacity.
    pub fn clear(&mut self) {
        self.bits.iter_mut().for_each(|w| *w = 0);
    }

    /// The members in increasing id order.
    pub fn iter(&self) -> impl Iterator<Item = AddressId> + '_ {
        self.bits.iter().enumerate().flat_map(|(i, &w)| {
            (0..64)
                .filter(move |b| w & (1u64 << b) != 0)
                .map(move |b| AddressId::from_usize(i * 64 + b))
        })
    }

    /// Number of members.
    #[must_use]
    pub fn len(&self) -> usize {
        self.bits.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Whether the set is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.bits.iter().all(|&w| w == 0)
    }
}

impl FromIterator<AddressId> for AddressSet {
    fn from_iter<I: IntoIterator<Item = AddressId>>(iter: I) -> Self {
        let mut s = AddressSet::default();
        for a in iter {
            s.insert(a);
        }
        s
    }
}

impl VisitMap<AddressId> for AddressSet {
    fn visit(&mut self, a: AddressId) -> bool {
        self.insert(a)
    }

    fn is_visited(&self, a: &AddressId) -> bool {
        self.contains(*a)
    }

    fn unvisit(&mut self, a: AddressId) -> bool {
        self.remove(a)
    }
}

/// A transfer seen as a petgraph edge: id, endpoints and amount.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct TransferRef<'a> {
    /// The transfer.
    pub id: TransferId,
    /// Sender.
    pub from: AddressId,
    /// Receiver.
    pub to: AddressId,
    /// Amount, borrowed from the ledger.
    pub amount: &'a Amount,
}

impl EdgeRef for TransferRef<'_> {
    type NodeId = AddressId;
    type EdgeId = TransferId;
    type Weight = Amount;

    fn source(&self) -> AddressId {
        self.from
    }
    fn target(&self) -> AddressId {
        self.to
    }
    fn weight(&self) -> &Amount {
        self.amount
    }
    fn id(&self) -> TransferId {
        self.id
    }
}

impl<'l> TransferGraph<'l> {
    fn edge_ref(&self, id: TransferId) -> TransferRef<'l> {
        let l = self.ledger;
        let i = id.index();
        TransferRef {
            id,
            from: l.senders()[i],
            to: l.receivers()[i],
            amount: &l.amounts()[i],
        }
    }
}

impl GraphBase for TransferGraph<'_> {
    type NodeId = AddressId;
    type EdgeId = TransferId;
}

impl Data for TransferGraph<'_> {
    type NodeWeight = ();
    type EdgeWeight = Amount;
}

impl GraphProp for TransferGraph<'_> {
    type EdgeType = Directed;
}

impl NodeCount for TransferGraph<'_> {
    fn node_count(&self) -> usize {
        self.address_count()
    }
}

impl EdgeCount for TransferGraph<'_> {
    fn edge_count(&self) -> usize {
        self.transfer_count()
    }
}

impl NodeIndexable for TransferGraph<'_> {
    fn node_bound(&self) -> usize {
        self.address_count()
    }
    fn to_index(&self, a: AddressId) -> usize {
        a.index()
    }
    fn from_index(&self, i: usize) -> AddressId {
        AddressId::from_usize(i)
    }
}

impl NodeCompactIndexable for TransferGraph<'_> {}

impl Visitable for TransferGraph<'_> {
    type Map = AddressSet;
    fn visit_map(&self) -> AddressSet {
        AddressSet::with_bound(self.address_count())
    }
    fn reset_map(&self, map: &mut AddressSet) {
        map.clear();
        if map.bits.len() < self.address_count().div_ceil(64) {
            map.bits.resize(self.address_count().div_ceil(64), 0);
        }
    }
}

/// Receivers of an address's outgoing transfers, in event order.
#[derive(Clone, Debug)]
pub struct Neighbors<'a> {
    iter: std::slice::Iter<'a, TransferId>,
    ends: &'a [AddressId],
}

impl Iterator for Neighbors<'_> {
    type Item = AddressId;
    fn next(&mut self) -> Option<AddressId> {
        self.iter.next().map(|t| self.ends[t.index()])
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.iter.size_hint()
    }
}

/// Neighbors in one direction (receivers of outgoing, senders of incoming transfers).
pub type NeighborsDirected<'a> = Neighbors<'a>;

/// An address's transfers as edge references, in event order.
#[derive(Clone, Debug)]
pub struct Edges<'a, 'l> {
    iter: std::slice::Iter<'a, TransferId>,
    graph: &'a TransferGraph<'l>,
}

impl<'l> Iterator for Edges<'_, 'l> {
    type Item = TransferRef<'l>;
    fn next(&mut self) -> Option<TransferRef<'l>> {
        self.iter.next().map(|&t| self.graph.edge_ref(t))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.iter.size_hint()
    }
}

/// Edges in one direction.
pub type EdgesDirected<'a, 'l> = Edges<'a, 'l>;

/// Every transfer of the graph in event order.
#[derive(Clone, Debug)]
pub struct EdgeReferences<'a, 'l> {
    next: usize,
    graph: &'a TransferGraph<'l>,
}

impl<'l> Iterator for EdgeReferences<'_, 'l> {
    type Item = TransferRef<'l>;
    fn next(&mut self) -> Option<TransferRef<'l>> {
        let n = self.graph.ledger.transfer_count();
        while self.next < n {
            let id = TransferId::from_usize(self.next);
            self.next += 1;
            if self.graph.contains_transfer(id) {
                return Some(self.graph.edge_ref(id));
            }
        }
        None
    }
}

impl<'a, 'l> IntoNeighbors for &'a TransferGraph<'l> {
    type Neighbors = Neighbors<'a>;
    fn neighbors(self, a: AddressId) -> Neighbors<'a> {
        Neighbors {
            iter: self.out_transfers(a).iter(),
            ends: self.ledger.receivers(),
        }
    }
}

impl<'a, 'l> IntoNeighborsDirected for &'a TransferGraph<'l> {
    type NeighborsDirected = Neighbors<'a>;
    fn neighbors_directed(self, a: AddressId, d: Direction) -> Neighbors<'a> {
        match d {
            Direction::Outgoing => self.neighbors(a),
            Direction::Incoming => Neighbors {
                iter: self.in_transfers(a).iter(),
                ends: self.ledger.senders(),
            },
        }
    }
}

impl<'a, 'l> IntoEdgeReferences for &'a TransferGraph<'l> {
    type EdgeRef = TransferRef<'l>;
    type EdgeReferences = EdgeReferences<'a, 'l>;
    fn edge_references(self) -> EdgeReferences<'a, 'l> {
        EdgeReferences {
            next: 0,
            graph: self,
        }
    }
}

impl<'a, 'l> IntoEdges for &'a TransferGraph<'l> {
    type Edges = Edges<'a, 'l>;
    fn edges(self, a: AddressId) -> Edges<'a, 'l> {
        Edges {
            iter: self.out_transfers(a).iter(),
            graph: self,
        }
    }
}

impl<'a, 'l> IntoEdgesDirected for &'a TransferGraph<'l> {
    type EdgesDirected = Edges<'a, 'l>;
    fn edges_directed(self, a: AddressId, d: Direction) -> Edges<'a, 'l> {
        let iter = match d {
            Direction::Outgoing => self.out_transfers(a).iter(),
            Direction::Incoming => self.in_transfers(a).iter(),
        };
        Edges { iter, graph: self }
    }
}

impl<'a, 'l> IntoNodeIdentifiers for &'a TransferGraph<'l> {
    type NodeIdentifiers = std::iter::Map<std::ops::Range<usize>, fn(usize) -> AddressId>;
    fn node_identifiers(self) -> Self::NodeIdentifiers {
        (0..self.address_count()).map(AddressId::from_usize as fn(usize) -> AddressId)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_set_behaves_like_a_set() {
        let mut s = AddressSet::with_bound(10);
        assert!(s.insert(AddressId(3)));
        assert!(!s.insert(AddressId(3)));
        assert!(s.insert(AddressId(200)));
        assert!(s.contains(AddressId(200)));
        assert!(!s.contains(AddressId(4)));
        assert_eq!(
            s.iter().collect::<Vec<_>>(),
            vec![AddressId(3), AddressId(200)]
        );
        assert_eq!(s.len(), 2);
        assert!(s.remove(AddressId(3)));
        assert!(!s.remove(AddressId(3)));
        assert!(!s.remove(AddressId(9999)));
        s.clear();
        assert!(s.is_empty());
    }
}
