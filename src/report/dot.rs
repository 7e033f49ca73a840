//! A trace report as a Graphviz DOT digraph, for Graphviz, Gephi or
//! networkx (through pydot).
//!
//! Every address of the report is a node `n<i>` (numbered as in the HTML
//! picture) with attributes `address`, `role`, `label`, `category` and a
//! display `label`; every flow is an edge (a UTXO flow, one edge from each
//! input address) with `tx`, `time` (unix), `time_iso`, `asset`, `amount`
//! and `tainted` (base units, as strings), `kind="flow"`; every mixer link
//! or bridge match that carried taint is a dashed edge with
//! `kind="conversion"`. Nothing is left out: DOT is for tools that lay out
//! large graphs themselves.
//!
//! All values are double-quoted DOT strings: `\` and `"` are escaped,
//! control and bidirectional characters are shown as `\u{…}`, so no label
//! can close a string or start a statement.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::flowgraph::{coin_amount, iso_time, short, visible, FlowGraph, Role};
use super::trace::TraceReport;

/// A DOT double-quoted string, quotes included.
fn q(s: &str) -> String {
    let s = visible(s);
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A DOT string holding several lines (`\n` between them, each escaped).
fn lines(parts: &[&str]) -> String {
    let inner: Vec<String> = parts
        .iter()
        .map(|p| {
            let quoted = q(p);
            quoted[1..quoted.len() - 1].to_string()
        })
        .collect();
    format!("\"{}\"", inner.join("\\n"))
}

fn fill(role: Role) -> &'static str {
    match role {
        Role::Seed => "#f8c4c1",
        Role::Source => "#e4e7ec",
        Role::Exit => "#c7dcff",
        Role::Mixer => "#e9d7fe",
        Role::Holder => "#fde9b8",
        Role::Hop => "#ffffff",
    }
}

/// Writes the digraph.
///
/// # Errors
///
/// I/O errors of `out`.
pub fn write_dot(report: &TraceReport, mut out: impl Write) -> io::Result<()> {
    let g = FlowGraph::new(report);
    let mut s = String::new();
    let title = format!("{} trace, {} model", report.tool, report.model);
    let _ = writeln!(s, "digraph fundtrace {{");
    let _ = writeln!(
        s,
        "  graph [rankdir=LR, label={}, labelloc=t, fontname=\"Helvetica\", model={}];",
        q(&title),
        q(&report.model)
    );
    let _ = writeln!(
        s,
        "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=10];"
    );
    let _ = writeln!(s, "  edge [fontname=\"Helvetica\", fontsize=9];");
    for (i, n) in g.nodes.iter().enumerate() {
        let caption = if n.label.is_empty() {
            n.role.name().to_string()
        } else {
            n.label.clone()
        };
        let _ = writeln!(
            s,
            "  n{i} [label={}, address={}, role={}, entity={}, category={}, layer={}, fillcolor={}];",
            lines(&[&short(&n.address), &caption]),
            q(&n.address),
            q(n.role.name()),
            q(&n.label),
            q(&n.category),
            n.layer,
            q(fill(n.role)),
        );
    }
    for e in &g.edges {
        let f = &report.flows[e.flow];
        let _ = writeln!(
            s,
            "  n{} -> n{} [label={}, kind=\"flow\", tx={}, time={}, time_iso={}, asset={}, amount={}, tainted={}];",
            e.from,
            e.to,
            lines(&[&coin_amount(&f.asset, f.tainted), &iso_time(f.time)]),
            q(&f.tx),
            f.time,
            q(&iso_time(f.time)),
            q(&f.asset),
            q(&f.amount.to_string()),
            q(&f.tainted.to_string()),
        );
    }
    for l in &g.links {
        let c = &report.conversions[l.conversion];
        let _ = writeln!(
            s,
            "  n{} -> n{} [style=dashed, color=\"#8e44ad\", label={}, kind=\"conversion\", conversion={}, heuristic={}, confidence={}, tx={}, to_tx={}, time={}, time_iso={}, asset={}, tainted={}];",
            l.from,
            l.to,
            q(&format!("{} {}%", c.kind, c.confidence)),
            q(c.kind),
            q(&c.heuristic),
            c.confidence,
            q(&c.tx),
            q(&c.to_tx),
            c.time,
            q(&iso_time(c.time)),
            q(&c.to_asset),
            q(&c.to_tainted.to_string()),
        );
    }
    s.push_str("}\n");
    out.write_all(s.as_bytes())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_cannot_escape() {
        assert_eq!(q("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(q("x\n]; evil"), "\"x\\\\u{a}]; evil\"");
        assert_eq!(lines(&["a", "b\""]), "\"a\\nb\\\"\"");
    }
}
