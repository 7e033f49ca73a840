//! The trace report for a UTXO (Bitcoin) trace: the same [`TraceReport`] as
//! account chains (DESIGN §8), filled from a [`UtxoTraceResult`].
//!
//! Mapping: `stolen` is the seeded value; `held` includes taint stopped at
//! the hop limit (it stays with its holder); `exited` includes value paid to
//! outputs without an address (`OP_RETURN`, listed as the exit
//! `op_return`); `fees` is taint paid as fees; `gaps` is value of unknown
//! origin in tainted transactions (inputs the data does not resolve),
//! counted clean. A flow is one tainted output: `tx` its txid, `from` the
//! input addresses of its transaction (sorted, comma-separated), `to` its
//! address, `amount` its value and `tainted` its taint.

use std::collections::{BTreeMap, BTreeSet};

use super::trace::{
    ExitEntry, FlowEntry, GapEntry, HolderEntry, SeedEntry, Totals, TraceParameters, TraceReport,
};
use super::InputDigest;
use crate::amount::Amount;
use crate::assets::AssetMeta;
use crate::id::UtxoTxId;
use crate::ledger::utxo::{InputSource, UtxoLedger};
use crate::trace::utxo::{UtxoTraceOptions, UtxoTraceResult};
use crate::trace::ExitInfo;
use crate::trace::Seed;
use crate::Ledger;

const ASSET: &str = "BTC";

/// What a UTXO trace was asked, for the report.
#[derive(Debug, Clone)]
pub struct UtxoTraceRequest<'a> {
    /// The seeds with their incident names.
    pub seeds: &'a [Seed],
    /// Model, exits, dust, limits.
    pub options: &'a UtxoTraceOptions,
    /// Label and category of each exit address.
    pub exits: &'a BTreeMap<String, ExitInfo>,
    /// The end of the trace as given (unix time), before it was turned
    /// into a block height.
    pub until: Option<u64>,
}

fn one(v: Amount) -> BTreeMap<String, Amount> {
    let mut m = BTreeMap::new();
    if v > 0 {
        m.insert(ASSET.to_string(), v);
    }
    m
}

/// The categories among the exits, sorted, as account reports give them.
fn exit_categories(exits: &BTreeMap<String, ExitInfo>) -> Vec<String> {
    let set: BTreeSet<&str> = exits.values().map(|e| e.category.as_str()).collect();
    set.into_iter().map(str::to_string).collect()
}

/// Builds the report. `ledger` is the address-level view of the same
/// inputs (for the input digests and warnings).
#[must_use]
pub fn utxo_trace_report(
    ledger: &Ledger,
    utxo: &UtxoLedger,
    request: &UtxoTraceRequest<'_>,
    result: &UtxoTraceResult,
) -> TraceReport {
    let incidents: BTreeSet<&str> = request.seeds.iter().map(|s| s.incident.as_str()).collect();
    let incident = incidents.into_iter().collect::<Vec<_>>().join("+");
    let per_incident = |v: Amount| BTreeMap::from([(incident.clone(), v)]);
    let time_at = |height: u64| {
        utxo.txs()
            .iter()
            .find(|t| t.height == height)
            .map_or(0, |t| t.time)
    };
    let unmatched: BTreeSet<String> = result
        .unmatched_seeds
        .iter()
        .map(ToString::to_string)
        .collect();
    let seeds = request
        .seeds
        .iter()
        .map(|s| SeedEntry {
            incident: s.incident.clone(),
            seed: s.target.to_string(),
            found: !unmatched.contains(&s.target.to_string()),
        })
        .collect();
    let mut exits: Vec<ExitEntry> = result
        .exits
        .iter()
        .map(|e| {
            let info = request.exits.get(&e.address);
            let first_tx = e
                .outputs
                .first()
                .map(|o| o.txid.to_string())
                .unwrap_or_default();
            let last_tx = e
                .outputs
                .last()
                .map(|o| o.txid.to_string())
                .unwrap_or_default();
            ExitEntry {
                address: e.address.clone(),
                label: info.map(|i| i.label.clone()).unwrap_or_default(),
                category: info.map(|i| i.category.clone()).unwrap_or_default(),
                asset: ASSET.to_string(),
                amount: e.amount,
                first_time: time_at(e.first_height),
                last_time: time_at(e.last_height),
                first_tx,
                last_tx,
                incidents: per_incident(e.amount),
                probable: 0,
            }
        })
        .collect();
    if result.burned > 0 {
        exits.push(ExitEntry {
            address: "op_return".into(),
            label: "outputs without an address".into(),
            category: "burn".into(),
            asset: ASSET.to_string(),
            amount: result.burned,
            first_time: 0,
            last_time: 0,
            first_tx: String::new(),
            last_tx: String::new(),
            incidents: per_incident(result.burned),
            probable: 0,
        });
    }
    exits.sort_by(|a, b| {
        b.amount
            .cmp(&a.amount)
            .then_with(|| a.address.cmp(&b.address))
    });
    let mut holders: Vec<HolderEntry> = result
        .addresses
        .iter()
        .filter(|a| a.held > 0)
        .map(|a| HolderEntry {
            address: a.address.clone(),
            asset: ASSET.to_string(),
            amount: a.held,
            incidents: per_incident(a.held),
            probable: 0,
            label: None,
            category: None,
        })
        .collect();
    holders.sort_by(|a, b| {
        b.amount
            .cmp(&a.amount)
            .then_with(|| a.address.cmp(&b.address))
    });
    let input_addresses = |tx: UtxoTxId| -> String {
        let set: BTreeSet<&str> = utxo
            .inputs_of(tx)
            .iter()
            .filter_map(|i| match i.source {
                InputSource::Output(o) => utxo.output(o).address.map(|a| utxo.address(a)),
                _ => None,
            })
            .collect();
        set.into_iter().collect::<Vec<_>>().join(",")
    };
    let mut flows: Vec<(UtxoTxId, u32, FlowEntry)> = result
        .outputs
        .iter()
        .filter(|o| o.taint > 0)
        .map(|o| {
            let info = utxo.output(o.output);
            let tx = utxo.tx(info.tx);
            (
                info.tx,
                info.vout,
                FlowEntry {
                    tx: tx.txid.to_string(),
                    from: if tx.coinbase {
                        "sink:mint".into()
                    } else {
                        input_addresses(info.tx)
                    },
                    to: o.address.clone().unwrap_or_else(|| "op_return".into()),
                    asset: ASSET.to_string(),
                    amount: o.value,
                    tainted: o.taint,
                    time: tx.time,
                },
            )
        })
        .collect();
    flows.sort_by_key(|(tx, vout, _)| (*tx, *vout));
    let gaps: Vec<GapEntry> = result
        .history_gaps
        .iter()
        .map(|g| {
            let tx = utxo.tx_by_txid(&g.txid).map(|t| utxo.tx(t));
            GapEntry {
                address: format!("unresolved inputs of {}", g.txid),
                asset: ASSET.to_string(),
                amount: g.amount,
                first_time: tx.map_or(0, |t| t.time),
                first_tx: g.txid.to_string(),
                counted_as: "clean",
            }
        })
        .collect();
    let gap_total: Amount = gaps.iter().map(|g| g.amount).sum();
    let mut warnings: Vec<String> = ledger.warnings().to_vec();
    if !utxo.unresolved().is_empty() {
        warnings.push(format!(
            "{} input(s) spend outputs that are not in the data; their value is of unknown origin",
            utxo.unresolved().len()
        ));
    }
    for s in &result.unmatched_seeds {
        warnings.push(format!("seed {s} is not in the ledger"));
    }
    warnings.sort();
    warnings.dedup();
    TraceReport {
        tool: format!("fundtrace {}", env!("CARGO_PKG_VERSION")),
        command_line: None,
        model: request.options.model().name().to_string(),
        parameters: TraceParameters {
            max_hops: request.options.max_hops,
            until: request.until,
            dust: request.options.dust,
            exit_addresses: request.options.exits.len(),
            exit_categories: exit_categories(request.exits),
            exit_set_sha256: crate::provenance::exit_set_sha256(
                request
                    .exits
                    .iter()
                    .map(|(a, e)| (a.clone(), e.category.as_str())),
            ),
            swaps: false,
            conversions_given: 0,
            incident_addresses: Vec::new(),
        },
        inputs: InputDigest::of_ledger(ledger),
        skipped: super::trace::SkipEntry::of(ledger),
        seeds,
        warnings,
        totals: Totals {
            stolen: one(result.seeded),
            held: one(result.held + result.stopped),
            exited: one(result.exited + result.burned),
            fees: one(result.fees),
            dust: one(result.dust),
            gaps: one(gap_total),
            creations: BTreeMap::new(),
            ..Totals::default()
        },
        assets: BTreeMap::from([(
            ASSET.to_string(),
            AssetMeta::new(ASSET, Some(utxo_decimals(ledger))),
        )]),
        exits,
        holders,
        flows: flows.into_iter().map(|(_, _, f)| f).collect(),
        conversions: Vec::new(),
        gaps,
        labels: BTreeMap::new(),
        mixer: None,
        links: Vec::new(),
        probable_flows: Vec::new(),
    }
}

/// Decimals of the coin: the chain's (8, satoshi), also for an empty ledger.
fn utxo_decimals(ledger: &Ledger) -> u32 {
    ledger
        .chains()
        .iter()
        .find(|c| c.is_utxo())
        .map_or(8, crate::ledger::ChainInfo::native_decimals)
}
