//! Address clustering with provenance: union-find over the multi-input
//! heuristic, skipping CoinJoins, recording for every merge the transaction
//! and heuristic that caused it, so that [`Clustering::explain`] can show why
//! two addresses share a cluster.
//!
//! An input is placed at the address of the output it spends when that is
//! known (in the ledger, or stated by the input data), else at the address
//! its own spending script shows when standard (P2PKH `scriptSig`, P2WPKH
//! witness, P2SH-wrapped segwit, multisig; see
//! [`crate::ledger::utxo::spending_address`]); every merge records which of
//! the two each address came from, and the inputs that could be placed
//! nowhere are counted. A transaction detected as a CoinJoin never merges
//! its inputs, however many of them are resolved.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::coinjoin::{detect_coinjoin, CoinJoinKind, CoinJoinVerdict, TxShape};
use crate::id::{UtxoAddressId, UtxoTxId};
use crate::ledger::utxo::AddressOrigin;
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
    /// Where `a` was read: the spent output or the input's script.
    pub a_origin: AddressOrigin,
    /// Where `b` was read.
    pub b_origin: AddressOrigin,
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

/// How the inputs of the ledger were placed at addresses.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputPlacement {
    /// Inputs placed at the address of the output they spend.
    pub from_spent_outputs: usize,
    /// Inputs placed at the address their spending script shows.
    pub from_input_scripts: usize,
    /// Inputs placed nowhere: the spent output is unknown and the script
    /// shows no address (P2PK, taproot, non-standard).
    pub unresolved: usize,
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
    coinjoins: Vec<(UtxoTxId, CoinJoinVerdict)>,
    placement: InputPlacement,
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
///
/// Every transaction with two or more inputs whose outputs could form a
/// CoinJoin is run through [`detect_coinjoin`], whether or not its inputs
/// are resolved; one detected as a CoinJoin never merges its inputs (with
/// [`ClusterOptions::skip_coinjoins`]) and is listed in
/// [`Clustering::coinjoins`].
#[must_use]
pub fn cluster_with(ledger: &UtxoLedger, options: ClusterOptions) -> Clustering {
    let n = ledger.address_count();
    let mut uf = UnionFind {
        parent: (0..n as u32).collect(),
        size: vec![1; n],
    };
    let mut merges = Vec::new();
    let mut skipped = Vec::new();
    let mut coinjoins = Vec::new();
    let mut placement = InputPlacement::default();
    let mut placed: Vec<(UtxoAddressId, AddressOrigin)> = Vec::new();
    for t in 0..ledger.tx_count() {
        let tx = UtxoTxId::from_usize(t);
        placed.clear();
        for a in ledger.input_addresses(tx) {
            match a {
                Some(p) => {
                    match p.1 {
                        AddressOrigin::SpentOutput => placement.from_spent_outputs += 1,
                        AddressOrigin::InputScript => placement.from_input_scripts += 1,
                    }
                    placed.push(p);
                }
                None => placement.unresolved += 1,
            }
        }
        if ledger.inputs_of(tx).len() < 2 {
            continue;
        }
        let coinjoin = if may_be_coinjoin(ledger, tx) {
            detect_coinjoin(&TxShape::from_ledger(ledger, tx))
        } else {
            None
        };
        // Only a transaction with two distinct input addresses can merge.
        let Some(&(first, first_origin)) = placed.first() else {
            if let Some(v) = coinjoin {
                coinjoins.push((tx, v));
            }
            continue;
        };
        let can_merge = placed.iter().any(|&(a, _)| a != first);
        if let Some(v) = coinjoin {
            if can_merge && options.skip_coinjoins {
                skipped.push((tx, v.clone()));
            }
            coinjoins.push((tx, v));
            if options.skip_coinjoins {
                continue;
            }
        }
        if !can_merge {
            continue;
        }
        for &(a, origin) in &placed {
            if uf.union(first.0, a.0) {
                merges.push(Merge {
                    tx,
                    txid: ledger.tx(tx).txid,
                    heuristic: Heuristic::MultiInput,
                    a: first,
                    b: a,
                    a_origin: first_origin,
                    b_origin: origin,
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
        coinjoins,
        placement,
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

    /// Multi-input transactions skipped as CoinJoins, with their verdicts:
    /// those whose inputs would otherwise have merged two addresses.
    #[must_use]
    pub fn skipped_coinjoins(&self) -> &[(UtxoTxId, CoinJoinVerdict)] {
        &self.skipped
    }

    /// Every transaction detected as a CoinJoin, in event order, with its
    /// verdict (whether or not its inputs are resolved).
    #[must_use]
    pub fn coinjoins(&self) -> &[(UtxoTxId, CoinJoinVerdict)] {
        &self.coinjoins
    }

    /// How the ledger's inputs were placed at addresses.
    #[must_use]
    pub fn input_placement(&self) -> InputPlacement {
        self.placement
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
    /// Where `a` was read: the spent output or the input's script.
    pub a_origin: AddressOrigin,
    /// Where `b` was read.
    pub b_origin: AddressOrigin,
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

/// A CoinJoin in a [`ClusterReport`]: the transaction and the pattern.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoinJoinEntry {
    /// The transaction.
    pub tx: Txid,
    /// The pattern it matched.
    pub kind: CoinJoinKind,
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
    /// Every transaction detected as a CoinJoin, in event order.
    pub coinjoins: Vec<CoinJoinEntry>,
    /// Inputs placed at the address of the output they spend.
    pub inputs_from_spent_outputs: usize,
    /// Inputs placed at the address their spending script shows.
    pub inputs_from_scripts: usize,
    /// Inputs that could be placed at no address.
    pub unresolved_inputs: usize,
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
            a_origin: m.a_origin,
            b_origin: m.b_origin,
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
            coinjoins: self
                .coinjoins
                .iter()
                .map(|(t, v)| CoinJoinEntry {
                    tx: ledger.tx(*t).txid,
                    kind: v.kind,
                })
                .collect(),
            inputs_from_spent_outputs: self.placement.from_spent_outputs,
            inputs_from_scripts: self.placement.from_input_scripts,
            unresolved_inputs: self.placement.unresolved,
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
    fn a_partly_resolved_coinjoin_never_merges_and_script_addresses_do() {
        // tx 1 pays a and b; tx 2 is a five-party equal-output mix spending
        // a's and b's outputs (resolved) and three outputs not in the data;
        // tx 3 spends two unknown outputs whose scripts show p and q
        let mix_outs: Vec<(u64, String)> = (0..5)
            .map(|i| (1_000_000, format!("bc1q{:038}", i)))
            .collect();
        let mix_outs: Vec<(u64, &str)> = mix_outs.iter().map(|(v, a)| (*v, a.as_str())).collect();
        let mut mix = rec(2, 1, &[(1, 0), (1, 1), (7, 0), (8, 0), (9, 0)], &mix_outs);
        mix.height = 2;
        mix.block_hash = crate::ledger::utxo::BlockHash([2; 32]);
        let mut spend = rec(3, 2, &[(5, 0), (6, 0)], &[(10, "r")]);
        spend.height = 2;
        spend.inputs[0].script_address = Some("p".into());
        spend.inputs[1].script_address = Some("q".into());
        let l = UtxoLedger::from_records(vec![
            rec(1, 0, &[], &[(1_000_100, "a"), (1_000_200, "b")]),
            mix,
            spend,
        ]);
        let id = |s: &str| l.address_id(s).unwrap();
        let c = cluster(&l);
        assert_ne!(c.cluster_of(id("a")), c.cluster_of(id("b")));
        assert_eq!(c.coinjoins().len(), 1);
        assert_eq!(c.coinjoins()[0].1.kind, CoinJoinKind::Whirlpool);
        assert_eq!(c.coinjoins()[0].1.unknown_inputs, 3);
        assert_eq!(c.skipped_coinjoins().len(), 1);
        // p and q merged, both read from input scripts
        assert_eq!(c.merges().len(), 1);
        let m = &c.merges()[0];
        assert_eq!((m.a, m.b), (id("p"), id("q")));
        assert_eq!(
            (m.a_origin, m.b_origin),
            (AddressOrigin::InputScript, AddressOrigin::InputScript)
        );
        let p = c.input_placement();
        assert_eq!(
            (p.from_spent_outputs, p.from_input_scripts, p.unresolved),
            (2, 2, 3)
        );
        let r = c.report(&l, 2);
        assert_eq!(r.unresolved_inputs, 3);
        assert_eq!(r.coinjoins[0].kind, CoinJoinKind::Whirlpool);
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["coinjoins"][0]["kind"], "whirlpool");
        assert_eq!(json["coinjoins"][0]["tx"], Txid([2; 32]).to_string());
        assert_eq!(json["unresolved_inputs"], 3);
        assert_eq!(json["clusters"][0]["merges"][0]["a_origin"], "input_script");
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
