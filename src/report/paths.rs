//! Temporal paths and flows as plain serde data, with every transfer cited by
//! transaction hash so each number can be checked against the chain.

use std::fmt;

use serde::Serialize;

use super::{amount_string, InputDigest};
use crate::amount::Amount;
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
            inputs: InputDigest::of(ledger),
        }
    }
}

impl fmt::Display for PathsReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} path(s), kind {}, asset {}{}",
            self.paths.len(),
            self.kind,
            self.asset,
            if self.complete {
                ""
            } else {
                " (search stopped at its limit)"
            }
        )?;
        for (i, p) in self.paths.iter().enumerate() {
            writeln!(
                f,
                "path {}: {} hop(s), bottleneck {}",
                i + 1,
                p.hops.len(),
                p.bottleneck
            )?;
            for h in &p.hops {
                writeln!(
                    f,
                    "  {} {} -> {} {} {} at {}",
                    h.tx, h.from, h.to, h.amount, h.asset, h.time
                )?;
            }
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
            inputs: InputDigest::of(ledger),
        }
    }
}

impl fmt::Display for FlowReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "max flow {} {} ({}; upper bound {})",
            self.max_flow,
            self.asset,
            if self.exact { "exact" } else { "lower bound" },
            self.upper_bound
        )?;
        if self.cap_in_cut {
            writeln!(f, "the source cap is in the cut")?;
        }
        writeln!(f, "minimum cut: {} transfer(s)", self.cut.len())?;
        for h in &self.cut {
            writeln!(
                f,
                "  {} {} -> {} {} at {}",
                h.tx, h.from, h.to, h.amount, h.time
            )?;
        }
        Ok(())
    }
}
