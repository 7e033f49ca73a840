//! Temporal paths, reachability and maximum flows over a [`TransferGraph`]
//! (DESIGN §7).
//!
//! A *temporal path* is a list of transfers `e1 … ek` with
//! `e(i+1).from == e(i).to` and each transfer later than the previous one in
//! the ledger's total event order (so strictly increasing [`TransferId`]s;
//! two transfers of one transaction may follow each other). Its *bottleneck*
//! is its smallest amount: the most value it can carry.
//!
//! Every query starts from a validated [`PathQuery`]: sources, targets
//! (one address or a set, such as every address of a label category),
//! the asset, a time window, an optional hop limit and a value threshold.
//! Building the query checks all of that; running it cannot fail.
//!
//! | query | method | algorithm |
//! |---|---|---|
//! | earliest arrival | [`PathQuery::earliest_arrival`] | Dijkstra on arrival with sparse state, or one pass over the window's transfers in event order ([`Strategy`]) |
//! | fewest hops | [`PathQuery::fewest_hops`], [`PathQuery::fewest_hops_front`] | hop-level search, or the same pass keeping the fewest hops so far per address |
//! | widest | [`PathQuery::widest`] | binary search on the bottleneck over sparse searches, or the same pass keeping the widest bottleneck so far (Pareto front of hops × width with a hop limit) |
//! | best path to each target | [`PathQuery::best_to_each`], [`crate::graph::NeighborGraph::hops_to`] | the same passes keeping one optimum per target (targets do not absorb) / the static BFS stopped once every target is found |
//! | k best paths | [`PathQuery::k_paths`] | best-first search over partial paths, pruned by a backward pass, bounded by [`SearchLimits`] |
//! | reachability | [`PathQuery::reach`], [`PathQuery::temporal_reach`], [`crate::graph::NeighborGraph::reach`], [`crate::graph::ReachIndex::reach`] | BFS over the CSR / the one pass / BFS over the deduplicated static graph / the SCC condensation |
//! | maximum flow | [`FlowQuery::max_flow`] | Dinic on a compressed time-expanded network, minimum cut as certificate |
//!
//! ## Assets
//!
//! A query is per asset: amounts of different assets are not comparable, and
//! value is only converted between assets by swap links (DESIGN §7). The
//! default asset is the graph's asset (for [`TransferGraph::for_asset`]), or
//! else the native coin of the ledger's first chain. Earliest arrival, fewest
//! hops and reachability may span every asset ([`PathQueryBuilder::any_asset`]);
//! widest paths and flows compare amounts, so [`FlowQuery`] refuses a query
//! over every asset.
//!
//! ## Conventions
//!
//! * Transfers below the value threshold (default 1 base unit, so
//!   zero-value "address poisoning" transfers never make a path) and
//!   self-transfers are ignored.
//! * Targets absorb: a path ends at the first target it enters, and nothing
//!   leaves a target. Sources and targets must be disjoint.
//! * Sources may send from the window start on; a path's transfers all lie
//!   in the window.
//! * Ties are broken deterministically: among equally good paths the one
//!   found first in event order wins (earliest arrival among the widest or
//!   fewest-hop paths).
//!
//! ## Measurements
//!
//! Earliest arrival and fewest hops each have two implementations,
//! [`Strategy::Scan`] (one pass) and [`Strategy::Search`] (over the
//! time-sorted adjacency, sparse state). On the generated ledgers
//! (`cargo bench --bench paths`, theft seed to the exchange set, 2 shared
//! cores): the search answers in about 1 µs at 1M and at 10M transfers
//! (targets 2–3 hops away), where the scan takes 0.3 ms at 1M and 28 ms at
//! 10M (it initialises O(V) arrays and reads the window up to the arrival;
//! for fewest hops it reads the whole window: 8 ms at 1M, 170 ms at 10M).
//! The scan wins when the search would touch most of the graph (it reads the
//! ledger's columns sequentially, with no heap). The default,
//! [`Strategy::Auto`], runs the search with a budget of a quarter of the
//! window's transfers and falls back to the scan. Widest paths use a binary
//! search on the bottleneck whose steps are such searches over the large
//! transfers only: 0.25 ms at 1M and 0.2 ms at 10M, against 7–13 ms and
//! 170–280 ms for the scan. Maximum flow from one theft to the exchange set:
//! 80–120 ms at 1M, 1.3–1.8 s at 10M. Static reachability: 0.4 ms at 1M and
//! 7–10 ms at 10M with [`crate::graph::ReachIndex`], 15–20 ms / 190–220 ms by
//! BFS over a [`crate::graph::NeighborGraph`], 36–90 ms / 1.3–2 s by BFS over
//! the CSR ([`PathQuery::reach`], which also honours windows and thresholds).

mod each;
mod flow;
mod scan;
mod search;
mod state;

pub use flow::{FlowLimits, FlowQuery, FlowResult};
pub use search::{KPaths, Reach, SearchLimit, SearchLimits};

use std::ops::Range;

use thiserror::Error;

use crate::amount::Amount;
use crate::graph::{AddressSet, TransferGraph};
use crate::id::{AddressId, AssetId, TransferId};
use crate::ledger::{Asset, Ledger};

/// Which optimum a path query looks for.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum PathKind {
    /// Smallest arrival (the id of the last transfer).
    Earliest,
    /// Fewest transfers.
    Fewest,
    /// Largest bottleneck (smallest amount on the path).
    Widest,
}

/// How [`PathQuery::earliest_arrival_with`], [`PathQuery::fewest_hops_with`]
/// and [`PathQuery::widest_with`] search. Every strategy gives the same
/// optimum and the same arrival (earliest; earliest among the fewest-hop or
/// widest paths); when several paths tie on both, the path returned may
/// differ between strategies (each is deterministic).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
pub enum Strategy {
    /// The search, stopped once it has examined a quarter of the window's
    /// transfers, then the scan. The default: answers near the sources cost
    /// microseconds, answers far away cost at most 1.25 scans.
    #[default]
    Auto,
    /// One pass over the window's transfers in event order. O(E_window)
    /// time, O(V) memory; reads the ledger's columns sequentially.
    Scan,
    /// A search over the time-sorted adjacency from the sources (Dijkstra on
    /// arrival for earliest, hop levels for fewest, a binary search on the
    /// bottleneck over Dijkstra runs for widest), with state in a hash map
    /// while small: touches only what it reaches. O(E_reach log V) for
    /// earliest, O(H·E_reach) for fewest, O(log(max amount)·E_reach log V)
    /// for widest. Earliest arrival and widest under a hop limit always use
    /// the scan.
    Search,
}

/// A temporal path: its transfers in order and its bottleneck.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TemporalPath {
    /// The transfers, first to last (strictly increasing ids).
    pub transfers: Vec<TransferId>,
    /// The smallest amount among the transfers.
    pub bottleneck: Amount,
}

impl TemporalPath {
    pub(crate) fn from_transfers(ledger: &Ledger, transfers: Vec<TransferId>) -> Self {
        let bottleneck = transfers
            .iter()
            .map(|t| ledger.amounts()[t.index()])
            .min()
            .unwrap_or(0);
        TemporalPath {
            transfers,
            bottleneck,
        }
    }

    /// Number of transfers.
    #[must_use]
    pub fn hops(&self) -> usize {
        self.transfers.len()
    }

    /// The last transfer (the arrival), if the path is not empty.
    #[must_use]
    pub fn arrival(&self) -> Option<TransferId> {
        self.transfers.last().copied()
    }

    /// Whether the transfers form a temporal path in `ledger`: consecutive,
    /// strictly increasing in event order, all known to the ledger.
    #[must_use]
    pub fn is_temporal_path(&self, ledger: &Ledger) -> bool {
        let n = ledger.transfer_count();
        if self.transfers.iter().any(|t| t.index() >= n) {
            return false;
        }
        self.transfers.windows(2).all(|w| {
            w[0] < w[1] && ledger.receivers()[w[0].index()] == ledger.senders()[w[1].index()]
        })
    }

    /// The sort key of the path for `kind` (smaller is better): earliest →
    /// (arrival, hops), fewest → (hops, arrival), widest → (−bottleneck, arrival).
    #[must_use]
    pub fn key(&self, kind: PathKind) -> (u128, u64) {
        let arrival = self.arrival().map_or(0, |t| u64::from(t.0));
        let hops = self.hops() as u128;
        match kind {
            PathKind::Earliest => (u128::from(arrival), hops as u64),
            PathKind::Fewest => (hops, arrival),
            PathKind::Widest => (u128::MAX - self.bottleneck, arrival),
        }
    }
}

/// Why a query's parameters were refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum QueryError {
    /// No source address was given.
    #[error("no source address")]
    NoSources,
    /// An address id is not an address of the ledger.
    #[error("address id {0} is not in the ledger")]
    UnknownAddress(AddressId),
    /// An asset id is not an asset of the ledger.
    #[error("asset id {0} is not in the ledger")]
    UnknownAsset(AssetId),
    /// The query's asset differs from the one the graph was built for.
    #[error("the graph holds asset {graph} only, the query asks for asset {query}")]
    AssetMismatch {
        /// The graph's asset.
        graph: AssetId,
        /// The query's asset.
        query: AssetId,
    },
    /// An address is both a source and a target.
    #[error("{address} is both a source and a target")]
    SourceIsTarget {
        /// Its id in the ledger.
        id: AddressId,
        /// The address, as printed (never the internal id).
        address: String,
    },
    /// A hop limit of zero.
    #[error("the hop limit must be at least 1")]
    ZeroHops,
    /// The window ends before it starts.
    #[error("the time window ends ({until}) before it starts ({since})")]
    EmptyWindow {
        /// Start, unix seconds.
        since: u64,
        /// End, unix seconds.
        until: u64,
    },
    /// A flow query over every asset at once.
    #[error("a flow needs one asset; amounts of different assets do not add up")]
    FlowNeedsOneAsset,
    /// An asset named by the user that the ledger does not have.
    #[error("no asset {0:?} in the ledger (assets are named ETH, a token symbol@chain or the token contract; `any` for all)")]
    NoSuchAsset(String),
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum AssetChoice {
    Default,
    Any,
    One(AssetId),
}

/// Collects and validates the parameters of a [`PathQuery`].
#[derive(Clone, Debug)]
pub struct PathQueryBuilder<'g, 'l> {
    graph: &'g TransferGraph<'l>,
    sources: Vec<AddressId>,
    targets: Vec<AddressId>,
    asset: AssetChoice,
    since: Option<u64>,
    until: Option<u64>,
    max_hops: Option<u32>,
    min_amount: Amount,
}

impl<'g, 'l> PathQueryBuilder<'g, 'l> {
    /// Adds source addresses (seeds).
    #[must_use]
    pub fn from(mut self, sources: impl IntoIterator<Item = AddressId>) -> Self {
        self.sources.extend(sources);
        self
    }

    /// Adds target addresses (an address, or every address of a category).
    #[must_use]
    pub fn to(mut self, targets: impl IntoIterator<Item = AddressId>) -> Self {
        self.targets.extend(targets);
        self
    }

    /// Restricts the query to one asset.
    #[must_use]
    pub fn asset(mut self, asset: AssetId) -> Self {
        self.asset = AssetChoice::One(asset);
        self
    }

    /// Lets paths use transfers of every asset (meaningful for earliest
    /// arrival, fewest hops and reachability only).
    #[must_use]
    pub fn any_asset(mut self) -> Self {
        self.asset = AssetChoice::Any;
        self
    }

    /// The asset as a user names it: `any` (case-insensitive) for every
    /// asset, else an asset name of the ledger (`ETH`, a token contract,
    /// `NAME@chain`).
    ///
    /// # Errors
    ///
    /// [`QueryError::NoSuchAsset`] when the ledger has no such asset.
    pub fn asset_named(self, name: &str) -> Result<Self, QueryError> {
        if name.eq_ignore_ascii_case("any") {
            return Ok(self.any_asset());
        }
        match self.graph.ledger().asset_by_name(name) {
            Some(id) => Ok(self.asset(id)),
            None => Err(QueryError::NoSuchAsset(
                name.chars()
                    .take(100)
                    .collect::<String>()
                    .escape_debug()
                    .to_string(),
            )),
        }
    }

    /// Sources send from this time (unix seconds) on.
    #[must_use]
    pub fn since(mut self, time: u64) -> Self {
        self.since = Some(time);
        self
    }

    /// Transfers after this time (unix seconds) are ignored.
    #[must_use]
    pub fn until(mut self, time: u64) -> Self {
        self.until = Some(time);
        self
    }

    /// Paths have at most this many transfers.
    #[must_use]
    pub fn max_hops(mut self, hops: u32) -> Self {
        self.max_hops = Some(hops);
        self
    }

    /// Transfers below this amount are ignored (default 1: zero-value
    /// transfers never make a path).
    #[must_use]
    pub fn min_amount(mut self, amount: Amount) -> Self {
        self.min_amount = amount;
        self
    }

    /// Validates the parameters.
    ///
    /// # Errors
    ///
    /// [`QueryError`]: no sources, unknown ids, an asset the graph does not
    /// hold, a source that is also a target, a zero hop limit, an empty window.
    pub fn build(self) -> Result<PathQuery<'g, 'l>, QueryError> {
        let ledger = self.graph.ledger();
        let n = ledger.address_count();
        let mut sources = self.sources;
        sources.sort_unstable();
        sources.dedup();
        let mut target_list = self.targets;
        target_list.sort_unstable();
        target_list.dedup();
        if sources.is_empty() {
            return Err(QueryError::NoSources);
        }
        if let Some(&a) = sources.iter().chain(&target_list).find(|a| a.index() >= n) {
            return Err(QueryError::UnknownAddress(a));
        }
        let mut targets = AddressSet::with_bound(n);
        for &t in &target_list {
            targets.insert(t);
        }
        if let Some(&s) = sources.iter().find(|&&s| targets.contains(s)) {
            return Err(QueryError::SourceIsTarget {
                id: s,
                address: ledger.address(s).to_string(),
            });
        }
        let asset = match self.asset {
            AssetChoice::Any => None,
            AssetChoice::One(a) => {
                if a.index() >= ledger.assets().len() {
                    return Err(QueryError::UnknownAsset(a));
                }
                Some(a)
            }
            AssetChoice::Default => self.graph.asset().or_else(|| default_asset(ledger)),
        };
        if let (Some(g), Some(q)) = (self.graph.asset(), asset) {
            if g != q {
                return Err(QueryError::AssetMismatch { graph: g, query: q });
            }
        }
        if self.max_hops == Some(0) {
            return Err(QueryError::ZeroHops);
        }
        if let (Some(since), Some(until)) = (self.since, self.until) {
            if until < since {
                return Err(QueryError::EmptyWindow { since, until });
            }
        }
        let start = self
            .since
            .map_or(TransferId(0), |t| ledger.first_transfer_at(t));
        let end = match self.until {
            Some(t) if t < u64::MAX => ledger.first_transfer_at(t + 1),
            _ => TransferId::from_usize(ledger.transfer_count()),
        };
        Ok(PathQuery {
            graph: self.graph,
            sources,
            target_list,
            targets,
            asset,
            window: start..end.max(start),
            // u32::MAX marks "unreached" in the scans; a limit beyond the
            // number of transfers is no limit.
            max_hops: self.max_hops.unwrap_or(u32::MAX - 1).min(u32::MAX - 1),
            min_amount: self.min_amount,
        })
    }
}

/// The native coin of the ledger's first chain, else its first asset.
fn default_asset(ledger: &Ledger) -> Option<AssetId> {
    let assets = ledger.assets();
    assets
        .iter()
        .position(|a| a.asset == Asset::Native)
        .or(if assets.is_empty() { None } else { Some(0) })
        .map(AssetId::from_usize)
}

/// A validated path query over one graph. Build one with [`PathQuery::on`].
///
/// ```
/// use fundtrace::{Address, Asset, LedgerBuilder, TransferKind, TransferRecord};
/// use fundtrace::graph::TransferGraph;
/// use fundtrace::paths::PathQuery;
///
/// let mut b = LedgerBuilder::new();
/// let eth = b.chain("ethereum", "ETH");
/// let a = |n: u8| Address::Evm([n; 20]);
/// // 1 → 2 (5), 2 → 3 (7), 1 → 3 (2): the widest path to 3 goes through 2.
/// for (i, (from, to, amount)) in [(1, 2, 5), (2, 3, 7), (1, 3, 2)].into_iter().enumerate() {
///     b.push(TransferRecord {
///         chain: eth, tx_hash: [i as u8; 32], block: i as u64, time: 100 + i as u64,
///         tx_position: 0, kind: TransferKind::Native, sub_index: 0,
///         from: a(from), to: a(to), asset: Asset::Native, amount,
///     }).unwrap();
/// }
/// let ledger = b.build().unwrap();
/// let graph = TransferGraph::new(&ledger);
/// let id = |n: u8| ledger.address_id(&a(n)).unwrap();
/// let q = PathQuery::on(&graph).from([id(1)]).to([id(3)]).build().unwrap();
/// let widest = q.widest().unwrap();
/// assert_eq!((widest.hops(), widest.bottleneck), (2, 5));
/// let fewest = q.fewest_hops().unwrap();
/// assert_eq!((fewest.hops(), fewest.bottleneck), (1, 2));
/// ```
#[derive(Clone, Debug)]
pub struct PathQuery<'g, 'l> {
    graph: &'g TransferGraph<'l>,
    sources: Vec<AddressId>,
    target_list: Vec<AddressId>,
    targets: AddressSet,
    asset: Option<AssetId>,
    window: Range<TransferId>,
    max_hops: u32,
    min_amount: Amount,
}

impl<'g, 'l> PathQuery<'g, 'l> {
    /// Starts a query over `graph`.
    #[must_use]
    pub fn on(graph: &'g TransferGraph<'l>) -> PathQueryBuilder<'g, 'l> {
        PathQueryBuilder {
            graph,
            sources: Vec::new(),
            targets: Vec::new(),
            asset: AssetChoice::Default,
            since: None,
            until: None,
            max_hops: None,
            min_amount: 1,
        }
    }

    /// The graph queried.
    #[must_use]
    pub fn graph(&self) -> &'g TransferGraph<'l> {
        self.graph
    }

    /// Sources, sorted.
    #[must_use]
    pub fn sources(&self) -> &[AddressId] {
        &self.sources
    }

    /// Targets, sorted.
    #[must_use]
    pub fn targets(&self) -> &[AddressId] {
        &self.target_list
    }

    /// The asset, or `None` for every asset.
    #[must_use]
    pub fn asset(&self) -> Option<AssetId> {
        self.asset
    }

    /// The transfers considered, as an event-order range.
    #[must_use]
    pub fn window(&self) -> Range<TransferId> {
        self.window.clone()
    }

    /// The hop limit, if any.
    #[must_use]
    pub fn max_hops(&self) -> Option<u32> {
        (self.max_hops < u32::MAX - 1).then_some(self.max_hops)
    }

    /// The value threshold.
    #[must_use]
    pub fn min_amount(&self) -> Amount {
        self.min_amount
    }

    /// Whether transfer `i` may be part of a path (asset, amount, not a self-transfer).
    #[inline]
    pub(crate) fn usable(&self, i: usize) -> bool {
        let l = self.graph.ledger();
        l.amounts()[i] >= self.min_amount
            && l.senders()[i] != l.receivers()[i]
            && self.asset.map_or(true, |a| l.transfer_assets()[i] == a)
    }

    /// The best path of `kind`, if any.
    #[must_use]
    pub fn best(&self, kind: PathKind) -> Option<TemporalPath> {
        match kind {
            PathKind::Earliest => self.earliest_arrival(),
            PathKind::Fewest => self.fewest_hops(),
            PathKind::Widest => self.widest(),
        }
    }

    /// Backward pass over the window: for every address, one plus the
    /// largest transfer id it can send at and still reach a target (0 if
    /// none; `u32::MAX` for targets). A path arriving at `v` with transfer
    /// `e` can still reach a target iff `v` is a target or the value is > e + 1.
    pub(crate) fn latest_departure(&self) -> Vec<u32> {
        let l = self.graph.ledger();
        let mut ld = vec![0u32; l.address_count()];
        for t in &self.target_list {
            ld[t.index()] = u32::MAX;
        }
        let (from, to) = (l.senders(), l.receivers());
        for i in (self.window.start.index()..self.window.end.index()).rev() {
            let f = from[i].index();
            if ld[f] != 0 {
                continue;
            }
            let t = to[i].index();
            // i + 1 fits in u32: a ledger has fewer than u32::MAX transfers.
            let e1 = i as u32 + 1;
            if ld[t] > e1 && self.usable(i) {
                ld[f] = e1;
            }
        }
        ld
    }
}
