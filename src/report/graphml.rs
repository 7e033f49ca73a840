//! A trace report as GraphML (<http://graphml.graphdrawing.org/>), for
//! Gephi, yEd, Cytoscape or networkx (`read_graphml`).
//!
//! The same graph as the DOT export: a node per address, an edge per flow
//! and sender, a `conversion` edge per mixer link or bridge match. Typed
//! keys (GraphML primer §2.4, `attr.type` one of `boolean`, `int`, `long`,
//! `float`, `double`, `string`):
//! - nodes: `address`, `role`, `label`, `category` (string), `layer` (int);
//! - edges: `kind` (`flow` or `conversion`), `tx`, `asset`, `time_iso`
//!   (string), `time` (long, unix seconds), `amount` and `tainted` (string:
//!   base units do not fit a long), `is_tainted` (boolean), `label`
//!   (string, the amount in words);
//! - graph: `tool`, `model`.
//!
//! Text is XML-escaped; control characters (which XML 1.0 cannot carry at
//! all) and bidirectional overrides are shown as `\u{…}`.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::flowgraph::{coin_amount, iso_time, visible, FlowGraph};
use super::trace::TraceReport;

/// Escapes text for XML content and attribute values.
fn x(s: &str) -> String {
    let s = visible(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Not characters in XML 1.0 (§2.2), even as references.
            '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

const KEYS: &[(&str, &str, &str)] = &[
    ("graph", "tool", "string"),
    ("graph", "model", "string"),
    ("node", "address", "string"),
    ("node", "role", "string"),
    ("node", "label", "string"),
    ("node", "category", "string"),
    ("node", "layer", "int"),
    ("edge", "kind", "string"),
    ("edge", "tx", "string"),
    ("edge", "time", "long"),
    ("edge", "time_iso", "string"),
    ("edge", "asset", "string"),
    ("edge", "amount", "string"),
    ("edge", "tainted", "string"),
    ("edge", "is_tainted", "boolean"),
    ("edge", "label", "string"),
    ("edge", "heuristic", "string"),
    ("edge", "confidence", "int"),
];

/// The id of a key (`node_label`, `edge_tx`, …): unique across domains.
fn key(domain: &str, name: &str) -> String {
    format!("{domain}_{name}")
}

fn data(s: &mut String, domain: &str, name: &str, value: &str) {
    let _ = write!(s, "<data key=\"{}\">{}</data>", key(domain, name), x(value));
}

/// Writes the GraphML document.
///
/// # Errors
///
/// I/O errors of `out`.
pub fn write_graphml(report: &TraceReport, mut out: impl Write) -> io::Result<()> {
    let g = FlowGraph::new(report);
    let mut s = String::new();
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.push_str("<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n");
    for (domain, name, ty) in KEYS {
        let _ = writeln!(
            s,
            "  <key id=\"{}\" for=\"{domain}\" attr.name=\"{name}\" attr.type=\"{ty}\"/>",
            key(domain, name)
        );
    }
    s.push_str("  <graph id=\"trace\" edgedefault=\"directed\">\n    ");
    data(&mut s, "graph", "tool", &report.tool);
    data(&mut s, "graph", "model", &report.model);
    s.push('\n');
    for (i, n) in g.nodes.iter().enumerate() {
        let _ = write!(s, "    <node id=\"n{i}\">");
        data(&mut s, "node", "address", &n.address);
        data(&mut s, "node", "role", n.role.name());
        data(&mut s, "node", "label", &n.label);
        data(&mut s, "node", "category", &n.category);
        data(&mut s, "node", "layer", &n.layer.to_string());
        s.push_str("</node>\n");
    }
    for (k, e) in g.edges.iter().enumerate() {
        let f = &report.flows[e.flow];
        let _ = write!(
            s,
            "    <edge id=\"e{k}\" source=\"n{}\" target=\"n{}\">",
            e.from, e.to
        );
        data(&mut s, "edge", "kind", "flow");
        data(&mut s, "edge", "tx", &f.tx);
        data(&mut s, "edge", "time", &f.time.to_string());
        data(&mut s, "edge", "time_iso", &iso_time(f.time));
        data(&mut s, "edge", "asset", &f.asset);
        data(&mut s, "edge", "amount", &f.amount.to_string());
        data(&mut s, "edge", "tainted", &f.tainted.to_string());
        data(
            &mut s,
            "edge",
            "is_tainted",
            if f.tainted > 0 { "true" } else { "false" },
        );
        data(&mut s, "edge", "label", &coin_amount(&f.asset, f.tainted));
        s.push_str("</edge>\n");
    }
    for (k, l) in g.links.iter().enumerate() {
        let c = &report.conversions[l.conversion];
        let _ = write!(
            s,
            "    <edge id=\"c{k}\" source=\"n{}\" target=\"n{}\">",
            l.from, l.to
        );
        data(&mut s, "edge", "kind", "conversion");
        data(&mut s, "edge", "tx", &c.to_tx);
        data(&mut s, "edge", "time", &c.to_time.to_string());
        data(&mut s, "edge", "time_iso", &iso_time(c.to_time));
        data(&mut s, "edge", "asset", &c.to_asset);
        data(&mut s, "edge", "amount", &c.to_amount.to_string());
        data(&mut s, "edge", "tainted", &c.to_tainted.to_string());
        data(
            &mut s,
            "edge",
            "is_tainted",
            if c.to_tainted > 0 { "true" } else { "false" },
        );
        data(
            &mut s,
            "edge",
            "label",
            &format!("{} {}", c.kind, c.heuristic),
        );
        data(&mut s, "edge", "heuristic", &c.heuristic);
        data(&mut s, "edge", "confidence", &c.confidence.to_string());
        s.push_str("</edge>\n");
    }
    s.push_str("  </graph>\n</graphml>\n");
    out.write_all(s.as_bytes())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escaping() {
        assert_eq!(
            x("<a href='x'>&\"</a>"),
            "&lt;a href=&apos;x&apos;&gt;&amp;&quot;&lt;/a&gt;"
        );
        assert_eq!(x("bell\u{7}"), "bell\\u{7}");
    }
}
