//! Temporal paths and flows as plain serde data, with every transfer cited by
//! transaction hash so each number can be checked against the chain.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use super::text::{
    amount, cut, put, time_or_dash, warning_lines, width_of_formatter, wrap, Align, Column, Give,
    Table,
};
use super::{amount_string, InputDigest};
use crate::amount::Amount;
use crate::assets::AssetMeta;
use crate::id::{AssetId, TransferId};
use crate::ledger::Ledger;
use crate::paths::{FlowResult, KPaths, PathKind, TemporalPath};

/// One transfer of a path or a cut.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Hop {
    /// Transaction hash, `0x` and hex.
    pub tx: String,
    /// Sender.
    pub from: String,
    /// Receiver.
    pub to: String,
    /// Amount, base units.
    #[serde(serialize_with = "amount_string")]
    pub amount: Amount,
    /// Block time, unix seconds.
    pub time: u64,
    /// Asset name (`ETH` or the token contract).
    pub asset: String,
    /// Position in the ledger's event order.
    pub transfer: u32,
}

impl Hop {
    /// The transfer `id` of `ledger` as a hop.
    ///
    /// # Panics
    ///
    /// Panics if `id` is not a transfer of `ledger` (results of a query on
    /// that ledger always are).
    #[must_use]
    pub fn of(ledger: &Ledger, id: TransferId) -> Hop {
        let t = ledger.transfer(id);
        Hop {
            tx: ledger.tx_hash_hex(t.tx),
            from: ledger.address(t.from).to_string(),
            to: ledger.address(t.to).to_string(),
            amount: t.amount,
            time: ledger.time(id),
            asset: ledger.asset_name(t.asset),
            transfer: id.0,
        }
    }
}

/// One path: its transfers and its bottleneck.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PathReport {
    /// The transfers, first to last.
    pub hops: Vec<Hop>,
    /// The smallest amount on the path, base units.
    #[serde(serialize_with = "amount_string")]
    pub bottleneck: Amount,
}

impl PathReport {
    /// A path of `ledger` as report data.
    #[must_use]
    pub fn of(ledger: &Ledger, path: &TemporalPath) -> PathReport {
        PathReport {
            hops: path.transfers.iter().map(|&t| Hop::of(ledger, t)).collect(),
            bottleneck: path.bottleneck,
        }
    }
}

/// The answer of `fundtrace paths`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PathsReport {
    /// The paths, best first.
    pub paths: Vec<PathReport>,
    /// `earliest`, `fewest` or `widest`.
    pub kind: &'static str,
    /// The asset searched, or `any`.
    pub asset: String,
    /// Whether the search ran to its end (no limit cut it short).
    pub complete: bool,
    /// With one path per target ([`PathsReport::of_each`]): the targets no
    /// path reaches, sorted (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unreached: Option<Vec<String>>,
    /// Symbol and decimals of the assets the paths move, by asset name.
    pub assets: BTreeMap<String, AssetMeta>,
    /// The ledger's warnings, sorted.
    pub warnings: Vec<String>,
    /// The files read.
    pub inputs: Vec<InputDigest>,
}

/// The name of a path kind as printed.
#[must_use]
pub fn kind_name(kind: PathKind) -> &'static str {
    match kind {
        PathKind::Earliest => "earliest",
        PathKind::Fewest => "fewest",
        PathKind::Widest => "widest",
    }
}

fn asset_label(ledger: &Ledger, asset: Option<AssetId>) -> String {
    asset.map_or_else(|| "any".to_string(), |a| ledger.asset_name(a))
}

/// Symbol and decimals of the assets of `transfers` (and of `asset`).
fn metas(
    ledger: &Ledger,
    asset: Option<AssetId>,
    transfers: impl Iterator<Item = TransferId>,
) -> BTreeMap<String, AssetMeta> {
    let ids: std::collections::BTreeSet<AssetId> = transfers
        .map(|t| ledger.transfer(t).asset)
        .chain(asset)
        .collect();
    ids.into_iter()
        .map(|id| (ledger.asset_name(id), AssetMeta::of(ledger, id)))
        .collect()
}

/// The hops of a path or cut as a table: time, sender, receiver, amount
/// and transaction.
fn hop_table(hops: &[Hop], assets: &BTreeMap<String, AssetMeta>, width: usize) -> Vec<String> {
    let mut t = Table::new(vec![
        Column::new("time", Align::Left, Give::Never),
        Column::new("from", Align::Left, Give::Shorten),
        Column::new("to", Align::Left, Give::Shorten),
        Column::new("amount", Align::Decimal, Give::Never),
        Column::new("tx", Align::Left, Give::Shorten),
    ]);
    for h in hops {
        t.row(vec![
            time_or_dash(h.time),
            h.from.clone(),
            h.to.clone(),
            amount(h.amount, &h.asset, assets.get(&h.asset)),
            h.tx.clone(),
        ]);
    }
    t.lines(2, width)
}

/// An amount of the report's asset (base units when it is `any` or unknown).
fn in_asset(v: Amount, asset: &str, assets: &BTreeMap<String, AssetMeta>) -> String {
    amount(v, asset, assets.get(asset))
}

impl PathsReport {
    /// Report data for the result of a k-paths search.
    #[must_use]
    pub fn of(ledger: &Ledger, kind: PathKind, asset: Option<AssetId>, found: &KPaths) -> Self {
        PathsReport {
            paths: found
                .paths
                .iter()
                .map(|p| PathReport::of(ledger, p))
                .collect(),
            kind: kind_name(kind),
            asset: asset_label(ledger, asset),
            complete: found.complete,
            unreached: None,
            assets: metas(
                ledger,
                asset,
                found.paths.iter().flat_map(|p| p.transfers.iter().copied()),
            ),
            warnings: super::sorted_warnings(ledger),
            inputs: InputDigest::of_ledger(ledger),
        }
    }
}

impl PathsReport {
    /// Report data for the best path to each target
    /// ([`PathQuery::best_to_each`](crate::paths::PathQuery::best_to_each)):
    /// `found[i]` is the path to `targets[i]`. Paths are listed in target
    /// order, the targets without one in `unreached`.
    #[must_use]
    pub fn of_each(
        ledger: &Ledger,
        kind: PathKind,
        asset: Option<AssetId>,
        targets: &[crate::id::AddressId],
        found: &[Option<TemporalPath>],
    ) -> Self {
        let paths: Vec<TemporalPath> = found.iter().flatten().cloned().collect();
        let mut unreached: Vec<String> = targets
            .iter()
            .zip(found)
            .filter(|(_, p)| p.is_none())
            .map(|(&t, _)| ledger.address(t).to_string())
            .collect();
        unreached.sort_unstable();
        let mut report = PathsReport::of(ledger, kind, asset, &KPaths::found(paths));
        report.unreached = Some(unreached);
        report
    }
}

impl fmt::Display for PathsReport {
    /// Writes the paths fitted to the formatter's width (`{:80}`), 100
    /// columns when none is given; amounts in coin units, times in ISO 8601.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = width_of_formatter(f);
        let head = format!(
            "{} path(s), kind {}, asset {}{}",
            self.paths.len(),
            self.kind,
            self.assets
                .get(&self.asset)
                .map_or_else(|| cut(&self.asset, 42), |m| cut(&m.symbol, 42)),
            if self.complete {
                ""
            } else {
                " (search stopped at its limit)"
            }
        );
        for l in wrap(&head, "", "  ", width) {
            put(f, &l, width)?;
        }
        if let Some(unreached) = &self.unreached {
            let line = format!(
                "one path per target: {} reached, {} not reached{}{}",
                self.paths.len(),
                unreached.len(),
                if unreached.is_empty() { "" } else { ": " },
                unreached.join(", ")
            );
            for l in wrap(&line, "", "  ", width) {
                put(f, &l, width)?;
            }
        }
        for (i, p) in self.paths.iter().enumerate() {
            let asset = p
                .hops
                .first()
                .map_or(self.asset.as_str(), |h| h.asset.as_str());
            put(
                f,
                &format!(
                    "path {}: {} hop(s), bottleneck {}",
                    i + 1,
                    p.hops.len(),
                    in_asset(p.bottleneck, asset, &self.assets)
                ),
                width,
            )?;
            for l in hop_table(&p.hops, &self.assets, width) {
                put(f, &l, width)?;
            }
        }
        for l in warning_lines(&self.warnings, usize::MAX, width) {
            put(f, &l, width)?;
        }
        Ok(())
    }
}

/// A transfer with the flow it carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FlowHop {
    /// The transfer.
    #[serde(flatten)]
    pub hop: Hop,
    /// Flow on it, base units.
    #[serde(serialize_with = "amount_string")]
    pub flow: Amount,
}

/// The answer of `fundtrace flow`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FlowReport {
    /// The maximum flow, base units (a lower bound when `exact` is false).
    #[serde(serialize_with = "amount_string")]
    pub max_flow: Amount,
    /// The minimum cut: transfers every temporal path from the sources to
    /// the targets crosses; their total (plus the cap when `cap_in_cut`) is
    /// `upper_bound`.
    pub cut: Vec<Hop>,
    /// The total of the cut, base units.
    #[serde(serialize_with = "amount_string")]
    pub upper_bound: Amount,
    /// Whether the cut proves the flow maximal (`max_flow == upper_bound`).
    pub exact: bool,
    /// Whether the source cap is part of the cut.
    pub cap_in_cut: bool,
    /// The source cap, base units, if one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cap: Option<String>,
    /// The asset.
    pub asset: String,
    /// Transfers carrying flow, in event order.
    pub flows: Vec<FlowHop>,
    /// Transfers in the time-expanded network.
    pub relevant_transfers: usize,
    /// Whether a limit stopped the computation.
    pub limited: bool,
    /// Symbol and decimals of the assets moved, by asset name.
    pub assets: BTreeMap<String, AssetMeta>,
    /// The ledger's warnings, sorted.
    pub warnings: Vec<String>,
    /// The files read.
    pub inputs: Vec<InputDigest>,
}

impl FlowReport {
    /// Report data for a flow result.
    #[must_use]
    pub fn of(
        ledger: &Ledger,
        asset: Option<AssetId>,
        cap: Option<Amount>,
        r: &FlowResult,
    ) -> Self {
        FlowReport {
            max_flow: r.value,
            cut: r.cut.iter().map(|&t| Hop::of(ledger, t)).collect(),
            upper_bound: r.upper_bound,
            exact: r.exact,
            cap_in_cut: r.cap_in_cut,
            cap: cap.map(|c| c.to_string()),
            asset: asset_label(ledger, asset),
            flows: r
                .flows
                .iter()
                .map(|&(t, flow)| FlowHop {
                    hop: Hop::of(ledger, t),
                    flow,
                })
                .collect(),
            relevant_transfers: r.relevant_transfers,
            limited: r.limited,
            assets: metas(
                ledger,
                asset,
                r.cut.iter().copied().chain(r.flows.iter().map(|&(t, _)| t)),
            ),
            warnings: super::sorted_warnings(ledger),
            inputs: InputDigest::of_ledger(ledger),
        }
    }
}

impl fmt::Display for FlowReport {
    /// Writes the flow and its cut fitted to the formatter's width
    /// (`{:80}`), 100 columns when none is given.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = width_of_formatter(f);
        let head = format!(
            "max flow {} ({}; upper bound {})",
            in_asset(self.max_flow, &self.asset, &self.assets),
            if self.exact { "exact" } else { "lower bound" },
            in_asset(self.upper_bound, &self.asset, &self.assets)
        );
        for l in wrap(&head, "", "  ", width) {
            put(f, &l, width)?;
        }
        if self.cap_in_cut {
            put(f, "the source cap is in the cut", width)?;
        }
        put(
            f,
            &format!("minimum cut: {} transfer(s)", self.cut.len()),
            width,
        )?;
        for l in hop_table(&self.cut, &self.assets, width) {
            put(f, &l, width)?;
        }
        for l in warning_lines(&self.warnings, usize::MAX, width) {
            put(f, &l, width)?;
        }
        Ok(())
    }
}
