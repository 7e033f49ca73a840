//! A trace report as a STIX 2.1 bundle, so another agency's threat
//! intelligence platform can import the findings.
//!
//! Written against STIX Version 2.1, OASIS Standard, 10 June 2021
//! (<https://docs.oasis-open.org/cti/stix/v2.1/os/stix-v2.1-os.html>) and
//! checked with the OASIS `stix2-validator` (`tests/validate/`).
//!
//! STIX 2.1 has no cryptocurrency observable. It is defined here the way
//! the standard asks for new objects (§7.3 Extension Definition, §11.1
//! "custom objects" deprecated in favour of it): an `extension-definition`
//! with `extension_types: ["new-sco"]`, and `cryptocurrency-wallet`
//! observables (one `value` property, the address, as OpenCTI's observable
//! of that name) carrying that extension. Indicators match them with the
//! pattern `[cryptocurrency-wallet:value = '…']`.
//!
//! Objects, in this order:
//! - `identity` of the producer (fundtrace, `identity_class: system`);
//! - the `extension-definition` of the wallet observable;
//! - one `incident` (a 2.1 stub, §4.9) per incident traced;
//! - the `report` (§4.14): totals in the description, `published` the
//!   report's latest event, `object_refs` every other object, and the
//!   inputs with their SHA-256 as `external_references` (sources of
//!   attribution: labels decide the exits);
//! - one `cryptocurrency-wallet` per address of the flow graph;
//! - one `observed-data` (§4.13) per wallet that a tainted transfer
//!   touched: first and last time, how many transfers;
//! - one `indicator` (§4.7) per seed (`malicious-activity`), holder or hop
//!   (`anomalous-activity`: taint reached it, the owner may be innocent)
//!   and exchange deposit address (`attribution`), `based-on` its observed
//!   data and `related-to` the incidents;
//! - one `identity` (`organization`) per exit entity, each exit wallet
//!   `related-to` it;
//! - one `related-to` relationship per pair of wallets taint moved
//!   between, the amounts and transactions in its description.
//!
//! Identifiers (§2.9): observables use UUIDv5 in the STIX namespace
//! `00abedb4-aa42-466c-9c01-fed23315a9b7` over the canonical JSON of their
//! ID contributing property (`{"value":"…"}`), as the standard requires;
//! the other objects use UUIDv5 in fundtrace's namespace over the report's
//! SHA-256 and the object's key, so the same report always gives the same
//! bundle (the standard says SHOULD UUIDv4 for them; the validator warns
//! `uuid-check`, the only check the tests turn off). Timestamps come from
//! the report (its latest event), never from the clock; the producer and
//! the extension definition carry a fixed date, as they do not change
//! from report to report.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

use serde_json::{json, Value};
use uuid::Uuid;

use super::flowgraph::{
    amounts, content_uuid, iso_time, report_digest, report_time, FlowGraph, Node, Role,
};
use super::trace::TraceReport;
use crate::amount::Amount;

/// The STIX 2.1 namespace for observable ids (§2.9).
const STIX_SCO_NAMESPACE: Uuid = Uuid::from_bytes([
    0x00, 0xab, 0xed, 0xb4, 0xaa, 0x42, 0x46, 0x6c, 0x9c, 0x01, 0xfe, 0xd2, 0x33, 0x15, 0xa9, 0xb7,
]);

/// The date of the producer identity and the extension definition.
const FIXED_TIME: &str = "2025-01-01T00:00:00.000Z";

/// The type of the wallet observable.
pub const WALLET_TYPE: &str = "cryptocurrency-wallet";

/// A STIX timestamp (§3.2: RFC 3339, UTC, `Z`), milliseconds shown.
fn ts(t: u64) -> String {
    let iso = iso_time(t);
    format!("{}.000Z", iso.trim_end_matches('Z'))
}

/// A string literal in a STIX pattern (§9.3: `'` and `\` escaped).
fn pattern_literal(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\'', "\\'")
}

/// The producer identity's id.
fn producer_id() -> String {
    format!("identity--{}", content_uuid(&["identity", "fundtrace"]))
}

/// The extension definition's id.
fn extension_id() -> String {
    format!(
        "extension-definition--{}",
        content_uuid(&["extension-definition", WALLET_TYPE, "1.0"])
    )
}

/// The id of the wallet observable of `address` (§2.9: UUIDv5 over the
/// canonical JSON of the contributing properties).
#[must_use]
pub fn wallet_id(address: &str) -> String {
    let canonical = json!({ "value": address }).to_string();
    format!(
        "{WALLET_TYPE}--{}",
        Uuid::new_v5(&STIX_SCO_NAMESPACE, canonical.as_bytes())
    )
}

struct Ids {
    digest: String,
}

impl Ids {
    fn of(&self, ty: &str, key: &str) -> String {
        format!("{ty}--{}", content_uuid(&[ty, &self.digest, key]))
    }
}

fn node_description(n: &Node) -> String {
    let mut parts = vec![format!("role in the trace: {}", n.role.name())];
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
            parts.push(format!(
                "{what} {} (base units: {})",
                amounts(m),
                base_units(m)
            ));
        }
    }
    if let (Some(a), Some(b)) = (n.first_time, n.last_time) {
        parts.push(format!("first {}, last {}", iso_time(a), iso_time(b)));
    }
    parts.extend(n.notes.iter().cloned());
    parts.join("; ")
}

fn base_units(m: &BTreeMap<String, Amount>) -> String {
    m.iter()
        .map(|(a, v)| format!("{v} {a}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The bundle as a JSON value.
#[must_use]
pub fn stix_bundle(report: &TraceReport) -> Value {
    let g = FlowGraph::new(report);
    let ids = Ids {
        digest: report_digest(report),
    };
    let now = ts(report_time(report));
    let producer = producer_id();
    let ext = extension_id();
    let mut objects: Vec<Value> = Vec::new();
    objects.push(json!({
        "type": "identity",
        "spec_version": "2.1",
        "id": producer,
        "created": FIXED_TIME,
        "modified": FIXED_TIME,
        "name": "fundtrace",
        "description": "fundtrace: traces stolen cryptocurrency through account and UTXO ledgers with exact taint models",
        "identity_class": "system",
    }));
    objects.push(json!({
        "type": "extension-definition",
        "spec_version": "2.1",
        "id": ext,
        "created_by_ref": producer,
        "created": FIXED_TIME,
        "modified": FIXED_TIME,
        "name": WALLET_TYPE,
        "description": "A cryptocurrency address (wallet) as a STIX Cyber-observable Object.",
        "schema": "A new SCO of type 'cryptocurrency-wallet' with one required string property 'value': the address as the chain writes it (0x-prefixed lower-case hex for EVM chains, Base58Check or Bech32 for Bitcoin). ID contributing properties: value.",
        "version": "1.0",
        "extension_types": ["new-sco"],
    }));
    let incidents: BTreeSet<&str> = report.seeds.iter().map(|s| s.incident.as_str()).collect();
    let stolen = amounts(&report.totals.stolen);
    let mut incident_ids = Vec::new();
    for name in &incidents {
        let id = ids.of("incident", name);
        let seeds: Vec<&str> = report
            .seeds
            .iter()
            .filter(|s| s.incident == *name)
            .map(|s| s.seed.as_str())
            .collect();
        objects.push(json!({
            "type": "incident",
            "spec_version": "2.1",
            "id": id,
            "created_by_ref": producer,
            "created": now,
            "modified": now,
            "name": name,
            "description": format!("Theft traced by {} from seed(s) {}.", report.tool, seeds.join(", ")),
        }));
        incident_ids.push(id);
    }
    let mut refs: Vec<Value> = Vec::new();
    let mut rest: Vec<Value> = Vec::new();
    let relate = |rest: &mut Vec<Value>, kind: &str, src: &str, dst: &str, desc: String| {
        let id = ids.of("relationship", &format!("{kind}|{src}|{dst}"));
        rest.push(json!({
            "type": "relationship",
            "spec_version": "2.1",
            "id": id,
            "created_by_ref": producer,
            "created": now,
            "modified": now,
            "relationship_type": kind,
            "source_ref": src,
            "target_ref": dst,
            "description": desc,
        }));
    };
    // Wallets, observed data and indicators.
    let mut touched: Vec<usize> = vec![0; g.nodes.len()];
    for e in &g.edges {
        touched[e.from] += 1;
        touched[e.to] += 1;
    }
    for (i, n) in g.nodes.iter().enumerate() {
        if !n.is_address() {
            continue;
        }
        let wallet = wallet_id(&n.address);
        rest.push(json!({
            "type": WALLET_TYPE,
            "spec_version": "2.1",
            "id": wallet,
            "value": n.address,
            "extensions": { ext.clone(): { "extension_type": "new-sco" } },
        }));
        let observed = match (n.first_time, n.last_time) {
            (Some(first), Some(last)) if touched[i] > 0 => {
                let id = ids.of("observed-data", &n.address);
                rest.push(json!({
                    "type": "observed-data",
                    "spec_version": "2.1",
                    "id": id,
                    "created_by_ref": producer,
                    "created": now,
                    "modified": now,
                    "first_observed": ts(first),
                    "last_observed": ts(last),
                    "number_observed": touched[i].min(999_999_999),
                    "object_refs": [wallet],
                }));
                Some(id)
            }
            _ => None,
        };
        let kind = match n.role {
            Role::Seed => Some("malicious-activity"),
            Role::Holder | Role::Hop => Some("anomalous-activity"),
            Role::Exit if n.category == "exchange" => Some("attribution"),
            _ => None,
        };
        if let Some(kind) = kind {
            let id = ids.of("indicator", &n.address);
            rest.push(json!({
                "type": "indicator",
                "spec_version": "2.1",
                "id": id,
                "created_by_ref": producer,
                "created": now,
                "modified": now,
                "name": format!("{} wallet {}", n.role.name(), n.address),
                "description": node_description(n),
                "indicator_types": [kind],
                "pattern": format!("[{WALLET_TYPE}:value = '{}']", pattern_literal(&n.address)),
                "pattern_type": "stix",
                "pattern_version": "2.1",
                "valid_from": n.first_time.map_or_else(|| now.clone(), ts),
            }));
            if let Some(o) = &observed {
                relate(
                    &mut rest,
                    "based-on",
                    &id,
                    o,
                    "the transfers of the trace".into(),
                );
            }
            for inc in &incident_ids {
                relate(
                    &mut rest,
                    "related-to",
                    &id,
                    inc,
                    "received funds of the incident".into(),
                );
            }
        }
    }
    // Exit entities.
    let input_refs: Vec<Value> = report
        .inputs
        .iter()
        .map(|i| {
            json!({
                "source_name": "fundtrace input",
                "description": format!("input of the trace: {}", i.path),
                "hashes": { "SHA-256": i.sha256 },
            })
        })
        .collect();
    let mut entities: BTreeMap<(&str, &str), BTreeSet<&str>> = BTreeMap::new();
    for e in &report.exits {
        if !e.label.trim().is_empty() {
            entities
                .entry((e.label.as_str(), e.category.as_str()))
                .or_default()
                .insert(e.address.as_str());
        }
    }
    for ((label, category), addresses) in &entities {
        let id = ids.of("identity", &format!("{label}|{category}"));
        let mut entity = json!({
            "type": "identity",
            "spec_version": "2.1",
            "id": id,
            "created_by_ref": producer,
            "created": now,
            "modified": now,
            "name": label,
            "description": format!("{category}: exit of the trace, as the labels among the inputs attribute it"),
            "identity_class": "organization",
        });
        if !input_refs.is_empty() {
            entity["external_references"] = Value::Array(input_refs.clone());
        }
        rest.push(entity);
        for a in addresses {
            if g.find(a).is_some_and(|n| g.nodes[n].is_address()) {
                relate(
                    &mut rest,
                    "related-to",
                    &wallet_id(a),
                    &id,
                    format!("deposit address of {label} ({category}) per the labels"),
                );
            }
        }
    }
    // Transfers between wallets, summed per pair.
    let real = |a: usize, b: usize| g.nodes[a].is_address() && g.nodes[b].is_address();
    for p in g.pairs(report, 10, real) {
        let desc = format!(
            "sent tainted {} (base units: {}) in {} transfer(s) from {}; transactions {}{}",
            amounts(&p.tainted),
            base_units(&p.tainted),
            p.count,
            iso_time(p.first_time),
            p.txs.join(", "),
            if p.count > p.txs.len() { ", …" } else { "" }
        );
        relate(
            &mut rest,
            "related-to",
            &wallet_id(&g.nodes[p.from].address),
            &wallet_id(&g.nodes[p.to].address),
            desc,
        );
    }
    // The report.
    for o in objects.iter().chain(&rest) {
        refs.push(o["id"].clone());
    }
    let mut external = vec![json!({
        "source_name": "fundtrace",
        "description": format!(
            "{}, model {}; parameters: max hops {}, dust {} base units, {} exit address(es), exit categories {}",
            report.tool,
            report.model,
            report.parameters.max_hops.map_or_else(|| "none".to_string(), |m| m.to_string()),
            report.parameters.dust,
            report.parameters.exit_addresses,
            report.parameters.exit_categories.join(", ")
        ),
    })];
    external.extend(input_refs);
    let description = format!(
        "Stolen {stolen}; held {}; exited {}; {} exit(s), {} holder(s), {} tainted transfer(s), {} history gap(s). Amounts also in base units in the indicator and relationship descriptions.",
        amounts(&report.totals.held),
        amounts(&report.totals.exited),
        report.exits.len(),
        report.holders.len(),
        report.flows.len(),
        report.gaps.len(),
    );
    let report_obj = json!({
        "type": "report",
        "spec_version": "2.1",
        "id": ids.of("report", "report"),
        "created_by_ref": producer,
        "created": now,
        "modified": now,
        "name": format!(
            "{} trace of {} ({} model)",
            report.tool,
            incidents.iter().copied().collect::<Vec<_>>().join(", "),
            report.model
        ),
        "description": description,
        "published": now,
        "report_types": ["threat-report"],
        "object_refs": refs,
        "external_references": external,
    });
    let mut all = objects;
    all.push(report_obj);
    all.extend(rest);
    json!({
        "type": "bundle",
        "id": ids.of("bundle", "bundle"),
        "objects": all,
    })
}

/// Writes the bundle as pretty JSON.
///
/// # Errors
///
/// I/O errors of `out`.
pub fn write_stix(report: &TraceReport, out: impl Write) -> io::Result<()> {
    super::write_json(&stix_bundle(report), out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn observable_ids_follow_the_standard() {
        // The STIX namespace's own check value: UUIDv5 over
        // `{"value":"…"}` is a version-5 UUID and stable.
        let id = wallet_id("0x098b716b8aaf21512996dc57eb0615e2383e2f96");
        assert!(id.starts_with("cryptocurrency-wallet--"));
        let u = Uuid::parse_str(&id["cryptocurrency-wallet--".len()..]).unwrap();
        assert_eq!(u.get_version_num(), 5);
        assert_eq!(id, wallet_id("0x098b716b8aaf21512996dc57eb0615e2383e2f96"));
        assert_ne!(id, wallet_id("0x098b716b8aaf21512996dc57eb0615e2383e2f97"));
    }

    #[test]
    fn pattern_literals_are_escaped() {
        assert_eq!(pattern_literal("a'b\\c"), "a\\'b\\\\c");
    }

    #[test]
    fn timestamps() {
        assert_eq!(ts(0), "1970-01-01T00:00:00.000Z");
    }
}
