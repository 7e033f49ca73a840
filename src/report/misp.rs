//! A trace report as a MISP event (MISP core format), for import into a
//! MISP instance or any tool that reads MISP JSON.
//!
//! Written against the MISP core format Internet-Draft
//! (draft-dulaunoy-misp-core-format: `Event`, `Attribute`, `Object`,
//! `ObjectReference`, `EventReport`) and the MISP object template
//! `coin-address` (misp-objects `objects/coin-address/definition.json`,
//! version 7, uuid `d0e6997e-78da-4815-a6a1-cfc1c1cb8a46`); checked by
//! PyMISP's event loader and its bundled schema and templates
//! (`tests/validate/`).
//!
//! MISP has an attribute type for Bitcoin addresses (`btc`, category
//! `Financial fraud`) but none for Ethereum-style addresses; the
//! `coin-address` object covers both: `address` (`btc`) for Bitcoin,
//! `address-crypto` (`text`) otherwise, with `symbol`, `first-seen`,
//! `last-seen` and a `text` describing the address's part in the trace.
//! Content:
//! - one `coin-address` object per address of the flow graph, its comment
//!   the role (and label for exits); `to_ids` set for seeds, hops, holders
//!   and exchange deposit addresses;
//! - one `sends-to` object reference per pair of addresses taint moved
//!   between, the tainted amount and transactions in its comment;
//! - one `filename|sha256` attribute (`External analysis`) per input file;
//! - an `EventReport` in Markdown with the totals, exits and holders.
//!
//! Amounts are exact: base units in the texts (the template's `float`
//! balance fields are not used). `uuid`s are UUIDv5 over the report's
//! SHA-256 and the item's key; `timestamp`s and `date` come from the
//! report's events, never from the clock. `distribution` is `0` (your
//! organisation only) and the event unpublished: sharing is the
//! analyst's decision.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::{self, Write};

use serde_json::{json, Value};

use super::flowgraph::{
    amounts, content_uuid, iso_time, report_digest, report_time, FlowGraph, Node, Role,
};
use super::trace::TraceReport;
use crate::amount::Amount;

/// The `coin-address` template this export follows.
const COIN_ADDRESS_TEMPLATE: &str = "d0e6997e-78da-4815-a6a1-cfc1c1cb8a46";
const COIN_ADDRESS_VERSION: &str = "7";

/// Whether an address is written as Bitcoin writes it (Base58Check
/// starting `1`/`3`, or Bech32 `bc1`), so MISP's `btc` type fits.
fn is_bitcoin(address: &str) -> bool {
    let base58 = (address.starts_with('1') || address.starts_with('3'))
        && (26..=35).contains(&address.len())
        && address.bytes().all(|b| b.is_ascii_alphanumeric());
    let bech32 = address.len() > 14
        && address.to_ascii_lowercase().starts_with("bc1")
        && address.bytes().all(|b| b.is_ascii_alphanumeric());
    base58 || bech32
}

/// The native symbols the node moved (not token contracts).
fn symbols(n: &Node) -> BTreeSet<String> {
    n.received
        .keys()
        .chain(n.sent.keys())
        .chain(n.held.keys())
        .chain(n.exited.keys())
        .filter(|a| !a.starts_with("0x") && a.len() <= 10)
        .cloned()
        .collect()
}

struct Ctx {
    digest: String,
    timestamp: String,
}

impl Ctx {
    fn uuid(&self, kind: &str, key: &str) -> String {
        content_uuid(&["misp", kind, &self.digest, key]).to_string()
    }

    #[allow(clippy::too_many_arguments)]
    fn attribute(
        &self,
        key: &str,
        relation: Option<&str>,
        ty: &str,
        category: &str,
        value: &str,
        to_ids: bool,
        comment: &str,
    ) -> Value {
        let mut a = json!({
            "uuid": self.uuid("attribute", key),
            "type": ty,
            "category": category,
            "value": value,
            "to_ids": to_ids,
            "distribution": "5",
            "timestamp": self.timestamp,
            "comment": comment,
            "disable_correlation": false,
        });
        if let Some(r) = relation {
            a["object_relation"] = Value::String(r.to_string());
        }
        a
    }
}

fn node_text(n: &Node) -> String {
    let mut parts = vec![format!("{} in the trace", n.role.name())];
    if !n.label.is_empty() || !n.category.is_empty() {
        parts.push(format!("labelled {} ({})", n.label, n.category));
    }
    for (what, m) in [
        ("received tainted", &n.received),
        ("sent tainted", &n.sent),
        ("holds tainted", &n.held),
        ("exited here", &n.exited),
    ] {
        if !m.is_empty() {
            parts.push(format!("{what} {} [{}]", amounts(m), base_units(m)));
        }
    }
    parts.extend(n.notes.iter().cloned());
    parts.join("; ")
}

fn base_units(m: &BTreeMap<String, Amount>) -> String {
    m.iter()
        .map(|(a, v)| format!("{v} base units of {a}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A Markdown table cell: `|` and line breaks escaped.
fn md(s: &str) -> String {
    super::flowgraph::visible(s).replace('|', "\\|")
}

fn markdown(report: &TraceReport) -> String {
    let mut m = String::new();
    let _ = writeln!(m, "# {} trace, {} model\n", report.tool, report.model);
    for s in &report.seeds {
        let _ = writeln!(
            m,
            "- seed `{}` of incident {}",
            md(&s.seed),
            md(&s.incident)
        );
    }
    let _ = writeln!(m, "\n| asset | stolen | held | exited |\n|---|---|---|---|");
    for (asset, stolen) in &report.totals.stolen {
        let get = |t: &BTreeMap<String, Amount>| t.get(asset).copied().unwrap_or(0);
        let _ = writeln!(
            m,
            "| {} | {stolen} | {} | {} |",
            md(asset),
            get(&report.totals.held),
            get(&report.totals.exited)
        );
    }
    let _ = writeln!(m, "\nAmounts in base units.\n\n## Exits\n\n| entity | category | address | asset | tainted | first | first tx |\n|---|---|---|---|---|---|---|");
    for e in &report.exits {
        let _ = writeln!(
            m,
            "| {} | {} | {} | {} | {} | {} | {} |",
            md(&e.label),
            md(&e.category),
            md(&e.address),
            md(&e.asset),
            e.amount,
            iso_time(e.first_time),
            md(&e.first_tx)
        );
    }
    let _ = writeln!(
        m,
        "\n## Holders\n\n| address | asset | held |\n|---|---|---|"
    );
    for h in &report.holders {
        let _ = writeln!(
            m,
            "| {} | {} | {} |",
            md(&h.address),
            md(&h.asset),
            h.amount
        );
    }
    m
}

/// The event as a JSON value (`{"Event": {…}}`).
#[must_use]
pub fn misp_event(report: &TraceReport) -> Value {
    let g = FlowGraph::new(report);
    let latest = report_time(report);
    let ctx = Ctx {
        digest: report_digest(report),
        timestamp: latest.to_string(),
    };
    let first = report.flows.iter().map(|f| f.time).min().unwrap_or(latest);
    let date = iso_time(first)
        .get(..10)
        .unwrap_or("1970-01-01")
        .to_string();
    let incidents: BTreeSet<&str> = report.seeds.iter().map(|s| s.incident.as_str()).collect();
    let mut attributes = Vec::new();
    for i in &report.inputs {
        attributes.push(ctx.attribute(
            &format!("input|{}", i.path),
            None,
            "filename|sha256",
            "External analysis",
            &format!("{}|{}", i.path, i.sha256),
            false,
            "input of the trace",
        ));
    }
    let mut objects = Vec::new();
    let object_uuid = |n: &Node| ctx.uuid("object", &n.address);
    let mut refs: BTreeMap<usize, Vec<Value>> = BTreeMap::new();
    let real = |a: usize, b: usize| g.nodes[a].is_address() && g.nodes[b].is_address();
    for p in g.pairs(report, 10, real) {
        let (na, nb) = (&g.nodes[p.from], &g.nodes[p.to]);
        let (ua, ub) = (object_uuid(na), object_uuid(nb));
        refs.entry(p.from).or_default().push(json!({
            "uuid": ctx.uuid("reference", &format!("{}|{}", na.address, nb.address)),
            "object_uuid": ua,
            "referenced_uuid": ub,
            "relationship_type": "sends-to",
            "comment": format!(
                "tainted {} in {} transfer(s) from {}; tx {}{}",
                base_units(&p.tainted),
                p.count,
                iso_time(p.first_time),
                p.txs.join(", "),
                if p.count > p.txs.len() { ", …" } else { "" }
            ),
            "timestamp": ctx.timestamp,
        }));
    }
    for (i, n) in g.nodes.iter().enumerate() {
        if !n.is_address() {
            continue;
        }
        let to_ids = match n.role {
            Role::Seed | Role::Hop | Role::Holder => true,
            Role::Exit => n.category == "exchange",
            Role::Mixer | Role::Source => false,
        };
        let key = |rel: &str| format!("{}|{rel}", n.address);
        let mut attrs = Vec::new();
        if is_bitcoin(&n.address) {
            attrs.push(ctx.attribute(
                &key("address"),
                Some("address"),
                "btc",
                "Financial fraud",
                &n.address,
                to_ids,
                "",
            ));
        } else {
            attrs.push(ctx.attribute(
                &key("address-crypto"),
                Some("address-crypto"),
                "text",
                "Financial fraud",
                &n.address,
                to_ids,
                "",
            ));
        }
        // The template allows one symbol.
        if let Some(s) = symbols(n).into_iter().next() {
            attrs.push(ctx.attribute(
                &key(&format!("symbol|{s}")),
                Some("symbol"),
                "text",
                "Other",
                &s,
                false,
                "",
            ));
        }
        if let (Some(a), Some(b)) = (n.first_time, n.last_time) {
            attrs.push(ctx.attribute(
                &key("first-seen"),
                Some("first-seen"),
                "datetime",
                "Other",
                &iso_time(a),
                false,
                "first tainted transfer",
            ));
            attrs.push(ctx.attribute(
                &key("last-seen"),
                Some("last-seen"),
                "datetime",
                "Other",
                &iso_time(b),
                false,
                "last tainted transfer",
            ));
        }
        attrs.push(ctx.attribute(
            &key("text"),
            Some("text"),
            "text",
            "Other",
            &node_text(n),
            false,
            "",
        ));
        let comment = if n.label.is_empty() {
            n.role.name().to_string()
        } else {
            format!("{}: {} ({})", n.role.name(), n.label, n.category)
        };
        let mut obj = json!({
            "uuid": object_uuid(n),
            "name": "coin-address",
            "meta-category": "financial",
            "description": "An address used in a cryptocurrency",
            "template_uuid": COIN_ADDRESS_TEMPLATE,
            "template_version": COIN_ADDRESS_VERSION,
            "distribution": "5",
            "timestamp": ctx.timestamp,
            "comment": comment,
            "Attribute": attrs,
        });
        if let Some(r) = refs.remove(&i) {
            obj["ObjectReference"] = Value::Array(r);
        }
        objects.push(obj);
    }
    let info = format!(
        "{} trace of {} ({} model): {} exit(s), {} holder(s)",
        report.tool,
        incidents.iter().copied().collect::<Vec<_>>().join(", "),
        report.model,
        report.exits.len(),
        report.holders.len()
    );
    json!({
        "Event": {
            "uuid": ctx.uuid("event", "event"),
            "info": info,
            "date": date,
            "timestamp": ctx.timestamp,
            "published": false,
            "analysis": "2",
            "threat_level_id": "4",
            "distribution": "0",
            "Attribute": attributes,
            "Object": objects,
            "EventReport": [{
                "uuid": ctx.uuid("event-report", "summary"),
                "name": format!("{} trace report", report.tool),
                "content": markdown(report),
                "distribution": "5",
                "timestamp": ctx.timestamp,
            }],
        }
    })
}

/// Writes the event as pretty JSON.
///
/// # Errors
///
/// I/O errors of `out`.
pub fn write_misp(report: &TraceReport, out: impl Write) -> io::Result<()> {
    super::write_json(&misp_event(report), out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitcoin_addresses() {
        assert!(is_bitcoin("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"));
        assert!(is_bitcoin("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"));
        assert!(!is_bitcoin("0x098b716b8aaf21512996dc57eb0615e2383e2f96"));
    }

    #[test]
    fn markdown_cells_cannot_break_the_table() {
        assert_eq!(md("a|b\nc"), "a\\|b\\u{a}c");
    }
}
