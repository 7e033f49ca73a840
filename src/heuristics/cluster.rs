//! Address clustering with provenance: union-find over the multi-input
//! heuristic, skipping CoinJoins, recording for every merge the transaction
//! and heuristic that caused it, so that [`Clustering::explain`] can show why
//! two addresses share a cluster.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::coinjoin::{detect_coinjoin, CoinJoinVerdict, TxShape};
use crate::id::{UtxoAddressId, UtxoTxId};
use crate::ledger::utxo::Txid;
use crate::ledger::utxo::UtxoLedger;

pub use crate::heuristics::Heuristic;

/// One merge: two addresses (until then in different clusters) joined
/// because of a transaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Merge {
    /// The transaction.
    pub tx: UtxoTxId,
    /// Its txid (evidence).
    pub txid: Txid,
    /// The heuristic that applied.
    pub heuristic: Heuristic,
    /// One address the transaction links.
    pub a: UtxoAddressId,
    /// The other address.
    pub b: UtxoAddressId,
}

/// A cluster, numbered by the order of its smallest address id (so ids are
/// stable for the same ledger).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClusterId(pub u32);

/// Options for [`cluster_with`].
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct ClusterOptions {
    /// Skip transactions detected as CoinJoins (default true).
    pub skip_coinjoins: bool,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            skip_coinjoins: true,
        }
    }
}

/// The result of clustering a [`UtxoLedger`].
#[derive(Clone, Debug)]
pub struct Clustering {
    cluster_of: Vec<ClusterId>,
    members_start: Vec<u32>,
    members: Vec<UtxoAddressId>,
    merges: Vec<Merge>,
    adj_start: Vec<u32>,
    adj: Vec<(UtxoAddressId, u32)>,
    skipped: Vec<(UtxoTxId, CoinJoinVerdict)>,
}

struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl UnionFind {
    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = p;
        }
        x
    }

    fn union(&mut self, a: u32, b: u32) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return false;
        }
        let (big, small) = if self.size[ra as usize] >= self.size[rb as usize] {
            (ra, rb)
        } else {
            (rb, ra)
        };
        self.parent[small as usize] = big;
        self.size[big as usize] += self.size[small as usize];
        true
    }
}

/// Every CoinJoin rule needs at least three outputs, two of them of equal
/// value: a cheap test before the detectors build a transaction's shape.
fn may_be_coinjoin(ledger: &UtxoLedger, tx: UtxoTxId) -> bool {
    let outs = ledger.outputs_of(tx);
    if outs.len() < 3 {
        return false;
    }
    let mut values: Vec<u64> = outs.map(|o| ledger.output(o).value).collect();
    values.sort_unstable();
    values.windows(2).any(|w| w[0] == w[1] && w[0] > 0)
}

/// Clusters the ledger's addresses with the default options.
///
/// # Complexity
///
/// Near-linear: one pass over the inputs with union-find (path halving,
/// union by size), plus the CoinJoin check of each multi-input transaction.
///
/// # Example
///
/// ```
/// use fundtrace::heuristics::cluster::cluster;
/// use fundtrace::ingest::bitcoin::{genesis_block, utxo_ledger_from_blocks};
/// let ledger = utxo_ledger_from_blocks(&[genesis_block()], 0).unwrap();
/// let c = cluster(&ledger);
/// assert_eq!(c.cluster_count(), 1);
/// assert!(c.merges().is_empty());
/// ```
#[must_use]
pub fn cluster(ledger: &UtxoLedger) -> Clustering {
    cluster_with(ledger, ClusterOptions::default())
}

/// Clusters the ledger's addresses.
#[must_use]
pub fn cluster_with(ledger: &UtxoLedger, options: ClusterOptions) -> Clustering {
    let n = ledger.address_count();
    let mut uf = UnionFind {
        parent: (0..n as u32).collect(),
        size: vec![1; n],
    };
    let mut merges = Vec::new();
    let mut skipped = Vec::new();
    for t in 0..ledger.tx_count() {
        let tx = UtxoTxId::from_usize(t);
        let inputs = ledger.inputs_of(tx);
        if inputs.len() < 2 {
            continue;
        }
        let first = inputs.iter().find_map(|i| ledger.input_address(i));
        let Some(first) = first else { continue };
        // Only a transaction with two distinct input addresses can merge.
        if inputs
            .iter()
            .filter_map(|i| ledger.input_address(i))
            .all(|a| a == first)
        {
            continue;
        }
        if options.skip_coinjoins && may_be_coinjoin(ledger, tx) {
            if let Some(v) = detect_coinjoin(&TxShape::from_ledger(ledger, tx)) {
                skipped.push((tx, v));
                continue;
            }
        }
        for a in inputs.iter().filter_map(|i| ledger.input_address(i)) {
            if uf.union(first.0, a.0) {
                merges.push(Merge {
                    tx,
                    txid: ledger.tx(tx).txid,
                    heuristic: Heuristic::MultiInput,
                    a: first,
                    b: a,
                });
            }
        }
    }
    // Stable cluster ids: in order of each cluster's smallest address id.
    let mut root_cluster = vec![u32::MAX; n];
    let mut cluster_of = Vec::with_capacity(n);
    let mut next = 0u32;
    for a in 0..n as u32 {
        let r = uf.find(a) as usize;
        if root_cluster[r] == u32::MAX {
            root_cluster[r] = next;
            next += 1;
        }
        cluster_of.push(ClusterId(root_cluster[r]));
    }
    // Members by counting sort.
    let k = next as usize;
    let mut members_start = vec![0u32; k + 1];
    for c in &cluster_of {
        members_start[c.0 as usize + 1] += 1;
    }
    for i in 0..k {
        members_start[i + 1] += members_start[i];
    }
    let mut fill = members_start.clone();
    let mut members = vec![UtxoAddressId(0); n];
    for (a, c) in cluster_of.iter().enumerate() {
        let slot = &mut fill[c.0 as usize];
        members[*slot as usize] = UtxoAddressId::from_usize(a);
        *slot += 1;
    }
    // Merge-forest adjacency (CSR) for explain.
    let mut adj_start = vec![0u32; n + 1];
    for m in &merges {
        adj_start[m.a.index() + 1] += 1;
        adj_start[m.b.index() + 1] += 1;
    }
    for i in 0..n {
        adj_start[i + 1] += adj_start[i];
    }
    let mut fill = adj_start.clone();
    let mut adj = vec![(UtxoAddressId(0), 0u32); 2 * merges.len()];
    for (i, m) in merges.iter().enumerate() {
        let i = i as u32;
        adj[fill[m.a.index()] as usize] = (m.b, i);
        fill[m.a.index()] += 1;
        adj[fill[m.b.index()] as usize] = (m.a, i);
        fill[m.b.index()] += 1;
    }
    Clustering {
        cluster_of,
        members_start,
        members,
        merges,
        adj_start,
        adj,
        skipped,
    }
}

impl Clustering {
    /// Number of clusters (singletons included).
    #[must_use]
    pub fn cluster_count(&self) -> usize {
        self.members_start.len() - 1
    }

    /// The cluster of an address.
    #[must_use]
    pub fn cluster_of(&self, a: UtxoAddressId) -> ClusterId {
        self.cluster_of[a.index()]
    }

    /// The addresses of a cluster, in id order.
    #[must_use]
    pub fn members(&self, c: ClusterId) -> &[UtxoAddressId] {
        let s = self.members_start[c.0 as usize] as usize;
        let e = self.members_start[c.0 as usize + 1] as usize;
        &self.members[s..e]
    }

    /// Every merge, in event order.
    #[must_use]
    pub fn merges(&self) -> &[Merge] {
        &self.merges
    }

    /// Multi-input transactions skipped as CoinJoins, with their verdicts.
    #[must_use]
    pub fn skipped_coinjoins(&self) -> &[(UtxoTxId, CoinJoinVerdict)] {
        &self.skipped
    }

    /// Why `a` and `b` share a cluster: the chain of merges linking them
    /// (each merge joins the previous address to the next), `Some(vec![])`
    /// when `a == b`, `None` when they are in different clusters.
    ///
    /// # Complexity
    ///
    /// Breadth-first search over the merge forest of the cluster: linear in
    /// its size. The chain is the unique path in that forest.
    #[must_use]
    pub fn explain(&self, a: UtxoAddressId, b: UtxoAddressId) -> Option<Vec<Merge>> {
        if a == b {
            return Some(Vec::new());
        }
        if self.cluster_of(a) != self.cluster_of(b) {
            return None;
        }
        // BFS from a; `via[x]` = (previous address, merge index)
        let mut via: std::collections::HashMap<UtxoAddressId, (UtxoAddressId, u32)> =
            std::collections::HashMap::new();
        let mut queue = VecDeque::from([a]);
        while let Some(x) = queue.pop_front() {
            if x == b {
                break;
            }
            let s = self.adj_start[x.index()] as usize;
            let e = self.adj_start[x.index() + 1] as usize;
            for &(y, m) in &self.adj[s..e] {
                if y != a && !via.contains_key(&y) {
                    via.insert(y, (x, m));
                    queue.push_back(y);
                }
            }
        }
        let mut chain = Vec::new();
        let mut x = b;
        while x != a {
            let &(prev, m) = via.get(&x)?;
            chain.push(self.merges[m as usize].clone());
            x = prev;
        }
        chain.reverse();
        Some(chain)
    }
}

/// A merge with its addresses spelled out, for reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeEvidence {
    /// The transaction that caused it.
    pub txid: Txid,
    /// The heuristic.
    pub heuristic: Heuristic,
    /// One address.
    pub a: String,
    /// The other address.
    pub b: String,
}

/// One cluster in a [`ClusterReport`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterEntry {
    /// Its id.
    pub id: ClusterId,
    /// Its addresses, in id order.
    pub addresses: Vec<String>,
    /// The merges that built it, in event order.
    pub merges: Vec<MergeEvidence>,
}

/// A skipped CoinJoin in a [`ClusterReport`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedCoinJoin {
    /// The transaction.
    pub txid: Txid,
    /// Why it was taken for a CoinJoin.
    pub verdict: CoinJoinVerdict,
}

/// A clustering as plain data: every cluster of at least `min_size`
/// addresses with the merges that built it, and the CoinJoins skipped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterReport {
    /// Addresses in the ledger.
    pub address_count: usize,
    /// Clusters, singletons included.
    pub cluster_count: usize,
    /// The clusters reported, by id.
    pub clusters: Vec<ClusterEntry>,
    /// Multi-input transactions not used because they look like CoinJoins.
    pub skipped_coinjoins: Vec<SkippedCoinJoin>,
}

/// An address that is not in the ledger.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("address {0} does not occur in the ledger")]
pub struct UnknownAddress(pub String);

impl Clustering {
    fn evidence(&self, ledger: &UtxoLedger, m: &Merge) -> MergeEvidence {
        MergeEvidence {
            txid: m.txid,
            heuristic: m.heuristic,
            a: ledger.address(m.a).to_string(),
            b: ledger.address(m.b).to_string(),
        }
    }

    /// The clustering as plain data (clusters of at least `min_size`
    /// addresses).
    #[must_use]
    pub fn report(&self, ledger: &UtxoLedger, min_size: usize) -> ClusterReport {
        let mut merges_of: Vec<Vec<MergeEvidence>> = vec![Vec::new(); self.cluster_count()];
        for m in &self.merges {
            merges_of[self.cluster_of(m.a).0 as usize].push(self.evidence(ledger, m));
        }
        let clusters = (0..self.cluster_count())
            .map(|k| ClusterId(k as u32))
            .filter(|&k| self.members(k).len() >= min_size.max(1))
            .map(|k| ClusterEntry {
                id: k,
                addresses: self
                    .members(k)
                    .iter()
                    .map(|&a| ledger.address(a).to_string())
                    .collect(),
                merges: std::mem::take(&mut merges_of[k.0 as usize]),
            })
            .collect();
        ClusterReport {
            address_count: self.cluster_of.len(),
            cluster_count: self.cluster_count(),
            clusters,
            skipped_coinjoins: self
                .skipped
                .iter()
                .map(|(t, v)| SkippedCoinJoin {
                    txid: ledger.tx(*t).txid,
                    verdict: v.clone(),
                })
                .collect(),
        }
    }

    /// [`Clustering::explain`] for addresses given as text: the chain of
    /// merges, `None` when they are in different clusters.
    ///
    /// # Errors
    ///
    /// [`UnknownAddress`] when an address does not occur in the ledger.
    pub fn explain_addresses(
        &self,
        ledger: &UtxoLedger,
        a: &str,
        b: &str,
    ) -> Result<Option<Vec<MergeEvidence>>, UnknownAddress> {
        let id = |s: &str| {
            ledger
                .address_id(s)
                .ok_or_else(|| UnknownAddress(s.to_string()))
        };
        let (ia, ib) = (id(a)?, id(b)?);
        Ok(self
            .explain(ia, ib)
            .map(|chain| chain.iter().map(|m| self.evidence(ledger, m)).collect()))
    }

    /// Why two addresses (given as text) share a cluster, as a report.
    ///
    /// # Errors
    ///
    /// [`UnknownAddress`] when an address does not occur in the ledger.
    pub fn explanation(
        &self,
        ledger: &UtxoLedger,
        a: &str,
        b: &str,
    ) -> Result<Explanation, UnknownAddress> {
        let merges = self.explain_addresses(ledger, a, b)?;
        Ok(Explanation {
            a: a.to_string(),
            b: b.to_string(),
            same_cluster: merges.is_some(),
            merges: merges.unwrap_or_default(),
        })
    }
}

/// Why two addresses share a cluster (or that they do not).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    /// The first address.
    pub a: String,
    /// The second address.
    pub b: String,
    /// Whether they share a cluster.
    pub same_cluster: bool,
    /// The merges that join them, in order (empty when they do not).
    pub merges: Vec<MergeEvidence>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::utxo::TxRecord;

    fn rec(id: u8, pos: u32, inputs: &[(u8, u32)], outs: &[(u64, &str)]) -> TxRecord {
        crate::ledger::utxo::test_record(id, 1, pos, 0, inputs, outs)
    }

    #[test]
    fn explain_returns_the_merging_transactions() {
        let l = UtxoLedger::from_records(vec![
            rec(
                1,
                0,
                &[],
                &[(10, "a"), (10, "b"), (10, "c"), (10, "d"), (10, "e")],
            ),
            rec(2, 1, &[(1, 0), (1, 1)], &[(15, "x"), (5, "b")]), // a+b
            rec(3, 2, &[(2, 1), (1, 2)], &[(10, "y"), (5, "c")]), // b+c
            rec(4, 3, &[(3, 1), (1, 3)], &[(15, "z")]),           // c+d
        ]);
        let id = |s: &str| l.address_id(s).unwrap();
        let c = cluster(&l);
        assert_eq!(c.merges().len(), 3);
        assert_eq!(c.cluster_of(id("a")), c.cluster_of(id("d")));
        assert_ne!(c.cluster_of(id("a")), c.cluster_of(id("e")));
        assert_eq!(c.explain(id("a"), id("e")), None);
        let chain = c.explain(id("b"), id("a")).unwrap();
        assert_eq!(chain.len(), 1);
        assert_eq!(chain[0].txid, Txid([2; 32]));
        assert_eq!(chain[0].heuristic, Heuristic::MultiInput);
        let chain = c.explain(id("a"), id("d")).unwrap();
        let txids: Vec<Txid> = chain.iter().map(|m| m.txid).collect();
        assert_eq!(txids, vec![Txid([2; 32]), Txid([3; 32]), Txid([4; 32])]);
        assert_eq!(c.explain(id("a"), id("a")), Some(vec![]));
        // stable ids: clusters numbered by their smallest address
        assert_eq!(c.cluster_of(UtxoAddressId(0)), ClusterId(0));
        assert_eq!(
            c.members(ClusterId(0)),
            &[id("a"), id("b"), id("c"), id("d")]
        );
        assert_eq!(c.cluster_count(), l.address_count() - 3);
        // as plain data
        let r = c.report(&l, 2);
        assert_eq!(r.clusters.len(), 1);
        assert_eq!(r.clusters[0].addresses, vec!["a", "b", "c", "d"]);
        assert_eq!(r.clusters[0].merges.len(), 3);
        let e = c.explain_addresses(&l, "d", "a").unwrap().unwrap();
        assert_eq!(e.len(), 3);
        assert_eq!(e[0].txid, Txid([4; 32]));
        assert!(c.explain_addresses(&l, "a", "nowhere").is_err());
        assert_eq!(c.explain_addresses(&l, "a", "e").unwrap(), None);
    }

    #[test]
    fn coinjoins_are_skipped() {
        let l = UtxoLedger::from_records(vec![
            rec(1, 0, &[], &[(60, "a"), (70, "b")]),
            rec(
                2,
                1,
                &[(1, 0), (1, 1)],
                &[(50, "x"), (50, "y"), (10, "a2"), (20, "b2")],
            ),
        ]);
        let c = cluster(&l);
        assert!(c.merges().is_empty());
        assert_eq!(c.skipped_coinjoins().len(), 1);
        let found = crate::heuristics::coinjoin::coinjoins(&l);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1, Txid([2; 32]));
        assert_eq!(c.report(&l, 2).skipped_coinjoins[0].verdict, found[0].2);
        let all = cluster_with(
            &l,
            ClusterOptions {
                skip_coinjoins: false,
            },
        );
        assert_eq!(all.merges().len(), 1);
    }
}
