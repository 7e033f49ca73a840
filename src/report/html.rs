//! A trace report as one self-contained HTML page: the flow drawn as
//! inline SVG (seeds, hops, mixers and conversions, exits; amounts and
//! times on the edges; labels on the nodes) beside tables of exits and
//! holders, then conversions, gaps, flows, warnings and inputs.
//!
//! The page loads nothing from anywhere: no script, no external style,
//! font or image, and a `Content-Security-Policy` of `default-src 'none'`
//! that forbids the browser to fetch or run anything even if a string got
//! through. Every string from the report (labels, categories, asset names,
//! addresses, file names, warnings) is HTML-escaped, with control and
//! bidirectional characters shown as `\u{…}`.
//!
//! The layout is computed here, deterministically: columns by hop distance
//! from the seeds along the flows, rows ordered by the mean row of each
//! node's drawn predecessors (one barycentre pass), at most
//! [`HtmlOptions::max_nodes`] nodes (seeds, exits, the main path to each
//! exit and holders first), with a note saying how many were left out.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::{self, Write};

use super::flowgraph::{
    amounts, coin_amount, coin_number, iso_time, short, visible, FlowGraph, Node, Role,
};
use super::trace::TraceReport;
use crate::amount::Amount;

/// Options of the HTML page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HtmlOptions {
    /// Most addresses drawn in the picture.
    pub max_nodes: usize,
    /// Most rows in each table (exits, holders, flows, …).
    pub max_rows: usize,
}

impl Default for HtmlOptions {
    fn default() -> Self {
        HtmlOptions {
            max_nodes: 120,
            max_rows: 500,
        }
    }
}

/// Escapes text for HTML content and attribute values (after making
/// control and bidirectional characters visible).
fn esc(s: &str) -> String {
    let s = visible(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a tooltip of several lines: each line as [`esc`], joined by
/// real line breaks (the only control character let through).
fn esc_lines(s: &str) -> String {
    s.split('\n').map(esc).collect::<Vec<_>>().join("\n")
}

/// At most `n` characters, with `…` when cut.
fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// A unix time as `2022-03-23 01:46` (UTC).
fn short_time(t: u64) -> String {
    let iso = iso_time(t);
    iso.get(..16).unwrap_or(&iso).replacen('T', " ", 1)
}

const NODE_W: i64 = 170;
const NODE_H: i64 = 44;
const COL_W: i64 = 290;
const ROW_H: i64 = 76;
const MARGIN: i64 = 24;

fn role_rank(r: Role) -> u8 {
    match r {
        Role::Seed | Role::Source => 0,
        Role::Exit | Role::Mixer => 1,
        Role::Holder => 3,
        Role::Hop => 4,
    }
}

/// The nodes to draw, most telling first: seeds and sources, exits, the
/// main path to each exit's largest deposit, holders, then the rest by
/// distance from the seeds.
fn select(report: &TraceReport, g: &FlowGraph, max: usize) -> BTreeSet<usize> {
    let mut chosen = BTreeSet::new();
    let mut by_rank: Vec<usize> = (0..g.nodes.len()).collect();
    by_rank.sort_by_key(|&i| (role_rank(g.nodes[i].role), g.nodes[i].layer, i));
    for &i in &by_rank {
        if role_rank(g.nodes[i].role) == 0 && chosen.len() < max {
            chosen.insert(i);
        }
    }
    // Each exit (largest first), then each holder, with the main path
    // that brought it taint, when the whole path still fits.
    let targets = report
        .exits
        .iter()
        .map(|e| e.address.as_str())
        .chain(report.holders.iter().map(|h| h.address.as_str()));
    let mut done = BTreeSet::new();
    for address in targets {
        if !done.insert(address) {
            continue;
        }
        let Some(n) = g.find(address) else {
            continue;
        };
        let mut path = vec![n];
        let largest = g
            .edges_into(n)
            .max_by_key(|x| (report.flows[x.flow].tainted, std::cmp::Reverse(x.flow)));
        if let Some(x) = largest {
            for k in g.path_to(report, x.flow, 64) {
                let f = &report.flows[k];
                path.extend(
                    super::flowgraph::senders(f)
                        .iter()
                        .filter_map(|s| g.find(s)),
                );
                path.extend(g.find(&f.to));
            }
        }
        let new: BTreeSet<usize> = path.into_iter().filter(|i| !chosen.contains(i)).collect();
        if chosen.len() + new.len() <= max {
            chosen.extend(new);
        }
    }
    for i in by_rank {
        if chosen.len() >= max {
            break;
        }
        chosen.insert(i);
    }
    chosen
}

/// The lines of an edge label: the amount (number and asset on one line
/// when the asset name is short), the number of transfers, the time.
fn edge_label(m: &BTreeMap<String, Amount>, count: usize, time: u64) -> Vec<String> {
    let mut lines = Vec::new();
    match m.iter().next() {
        Some((a, v)) if m.len() == 1 && a.chars().count() <= 6 => {
            lines.push(format!("{} {a}", coin_number(a, *v)));
        }
        Some((a, v)) if m.len() == 1 => {
            lines.push(coin_number(a, *v));
            let c: Vec<char> = a.chars().collect();
            let tail: String = c[c.len().saturating_sub(4)..].iter().collect();
            let head: String = c.iter().take(6).collect();
            lines.push(format!("{head}…{tail}"));
        }
        _ => lines.push(format!("{} assets", m.len())),
    }
    if count > 1 {
        if let Some(first) = lines.first_mut() {
            first.push_str(&format!(" ({count}×)"));
        }
    }
    lines.push(short_time(time));
    lines
}

/// Writes the page.
///
/// # Errors
///
/// I/O errors of `out`.
pub fn write_html(
    report: &TraceReport,
    options: &HtmlOptions,
    mut out: impl Write,
) -> io::Result<()> {
    let page = render(report, options);
    out.write_all(page.as_bytes())?;
    out.flush()
}

fn render(report: &TraceReport, options: &HtmlOptions) -> String {
    let g = FlowGraph::new(report);
    let mut h = String::new();
    let incidents: BTreeSet<&str> = report.seeds.iter().map(|s| s.incident.as_str()).collect();
    let title = format!(
        "{} trace report: {} ({} model)",
        report.tool,
        incidents.into_iter().collect::<Vec<_>>().join(", "),
        report.model
    );
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"{}\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(&report.tool),
        esc(&title)
    );
    let _ = writeln!(h, "<header><h1>{}</h1>", esc(&title));
    let _ = writeln!(
        h,
        "<p class=\"meta\">Model <b>{}</b>. Latest event {}. Amounts in coin units where the asset's decimals are known, else in base units; times in UTC.</p>",
        esc(&report.model),
        esc(&iso_time(super::flowgraph::report_time(report)))
    );
    h.push_str("<ul class=\"seeds\">");
    for s in &report.seeds {
        let _ = write!(
            h,
            "<li>seed <b>{}</b> <code>{}</code>{}</li>",
            esc(&s.incident),
            esc(&s.seed),
            if s.found {
                ""
            } else {
                " <i>(not in the ledger)</i>"
            }
        );
    }
    h.push_str("</ul></header>\n");
    totals(&mut h, report);
    h.push_str(
        "<div class=\"main\">\n<section class=\"graph\"><h2>Flow of the stolen funds</h2>\n",
    );
    svg(&mut h, report, &g, options.max_nodes);
    h.push_str(LEGEND);
    h.push_str("</section>\n<aside>\n");
    exits_table(&mut h, report, options.max_rows);
    holders_table(&mut h, report, options.max_rows);
    h.push_str("</aside>\n</div>\n");
    conversions_table(&mut h, report, options.max_rows);
    gaps_table(&mut h, report, options.max_rows);
    flows_table(&mut h, report, options.max_rows);
    footer(&mut h, report);
    h.push_str("</body>\n</html>\n");
    h
}

fn totals(h: &mut String, r: &TraceReport) {
    h.push_str("<section class=\"totals\"><h2>Totals</h2><table><thead><tr><th>asset</th><th>stolen</th><th>held</th><th>exited</th><th>fees</th><th>dust</th><th>of which history gaps</th></tr></thead><tbody>\n");
    for (asset, stolen) in &r.totals.stolen {
        let get =
            |m: &BTreeMap<String, Amount>| coin_number(asset, m.get(asset).copied().unwrap_or(0));
        let _ = writeln!(
            h,
            "<tr><td title=\"{}\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(asset),
            esc(&short(asset)),
            esc(&coin_number(asset, *stolen)),
            esc(&get(&r.totals.held)),
            esc(&get(&r.totals.exited)),
            esc(&get(&r.totals.fees)),
            esc(&get(&r.totals.dust)),
            esc(&get(&r.totals.gaps)),
        );
    }
    h.push_str("</tbody></table></section>\n");
}

fn node_class(n: &Node) -> &'static str {
    n.role.name()
}

/// The second line of a node's box.
fn node_caption(n: &Node) -> String {
    match n.role {
        Role::Exit | Role::Mixer if !n.label.is_empty() => n.label.clone(),
        Role::Exit | Role::Mixer => n.category.clone(),
        Role::Holder => format!("holds {}", amounts(&n.held)),
        Role::Seed => format!("seed · sent {}", amounts(&n.sent)),
        Role::Source => "source (seed transaction)".to_string(),
        Role::Hop if !n.notes.is_empty() => n.notes[0].clone(),
        Role::Hop if n.received.is_empty() => format!("sent {}", amounts(&n.sent)),
        Role::Hop => format!("got {}", amounts(&n.received)),
    }
}

fn node_title(n: &Node) -> String {
    let mut t = format!("{}\nrole: {}", n.address, n.role.name());
    if !n.label.is_empty() || !n.category.is_empty() {
        let _ = write!(t, "\nlabel: {} ({})", n.label, n.category);
    }
    for (what, m) in [
        ("received", &n.received),
        ("sent", &n.sent),
        ("held", &n.held),
        ("exited", &n.exited),
    ] {
        if !m.is_empty() {
            let _ = write!(t, "\n{what}: {}", amounts(m));
        }
    }
    if let (Some(a), Some(b)) = (n.first_time, n.last_time) {
        let _ = write!(t, "\nfirst {}, last {}", iso_time(a), iso_time(b));
    }
    for note in &n.notes {
        let _ = write!(t, "\n{note}");
    }
    t
}

fn svg(h: &mut String, r: &TraceReport, g: &FlowGraph, max_nodes: usize) {
    if g.nodes.is_empty() {
        h.push_str("<p class=\"note\">No transfer carried taint: nothing to draw.</p>\n");
        return;
    }
    let drawn = select(r, g, max_nodes);
    // Columns: the distinct layers of the drawn nodes.
    let layers: BTreeSet<usize> = drawn.iter().map(|&i| g.nodes[i].layer).collect();
    let col_of: BTreeMap<usize, usize> = layers.iter().enumerate().map(|(c, &l)| (l, c)).collect();
    let mut columns: Vec<Vec<usize>> = vec![Vec::new(); layers.len()];
    for &i in &drawn {
        columns[col_of[&g.nodes[i].layer]].push(i);
    }
    let mut preds: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (a, b) in g
        .edges
        .iter()
        .map(|e| (e.from, e.to))
        .chain(g.links.iter().map(|l| (l.from, l.to)))
    {
        if drawn.contains(&a) && drawn.contains(&b) {
            preds.entry(b).or_default().push(a);
        }
    }
    let mut row: BTreeMap<usize, i64> = BTreeMap::new();
    for (c, col) in columns.iter_mut().enumerate() {
        if c == 0 {
            col.sort_by_key(|&i| (role_rank(g.nodes[i].role), i));
        } else {
            // Barycentre of the predecessors already placed (×1000, integer).
            let key = |i: usize| -> (bool, i64, usize) {
                let placed: Vec<i64> = preds
                    .get(&i)
                    .map(|p| p.iter().filter_map(|a| row.get(a).copied()).collect())
                    .unwrap_or_default();
                if placed.is_empty() {
                    (true, 0, i)
                } else {
                    let n = i64::try_from(placed.len()).unwrap_or(1);
                    (false, placed.iter().sum::<i64>() * 1000 / n, i)
                }
            };
            col.sort_by_key(|&i| key(i));
        }
        for (k, &i) in col.iter().enumerate() {
            row.insert(i, i64::try_from(k).unwrap_or(0));
        }
    }
    let pos = |i: usize| -> (i64, i64) {
        let c = i64::try_from(col_of[&g.nodes[i].layer]).unwrap_or(0);
        (
            MARGIN + c * COL_W,
            MARGIN + 20 + row.get(&i).copied().unwrap_or(0) * ROW_H,
        )
    };
    let rows = columns.iter().map(Vec::len).max().unwrap_or(1);
    let width =
        MARGIN * 2 + i64::try_from(columns.len()).unwrap_or(1) * COL_W - (COL_W - NODE_W) + 60;
    let height = MARGIN * 2 + 20 + i64::try_from(rows).unwrap_or(1) * ROW_H;
    // Edges between drawn nodes, summed per pair.
    let both = |a: usize, b: usize| drawn.contains(&a) && drawn.contains(&b);
    let agg = g.pairs(r, 20, both);
    let hidden_flows: BTreeSet<usize> = g
        .edges
        .iter()
        .filter(|e| !both(e.from, e.to))
        .map(|e| e.flow)
        .collect();
    // Scales down to fit its column, to at most 4/5 (then it scrolls).
    let minw = width * 4 / 5;
    let _ = writeln!(
        h,
        "<div class=\"svgwrap\"><svg xmlns=\"http://www.w3.org/2000/svg\" id=\"flow\" width=\"{width}\" height=\"{height}\" style=\"min-width:{minw}px\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"flow of the stolen funds\">"
    );
    h.push_str("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker>\
<marker id=\"arrowlink\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#8e44ad\"/></marker></defs>\n");
    for (c, &l) in layers.iter().enumerate() {
        let x = MARGIN + i64::try_from(c).unwrap_or(0) * COL_W;
        let _ = writeln!(
            h,
            "<text class=\"colhead\" x=\"{}\" y=\"{}\">hop {l}</text>",
            x + NODE_W / 2,
            MARGIN
        );
    }
    let curve = |a: usize, b: usize| -> (String, i64, i64) {
        let ((x1, y1), (x2, y2)) = (pos(a), pos(b));
        let (y1, y2) = (y1 + NODE_H / 2, y2 + NODE_H / 2);
        if x2 > x1 {
            let (sx, ex) = (x1 + NODE_W, x2);
            let mid = (ex - sx) / 2;
            let path = format!("M{sx},{y1} C{},{y1} {},{y2} {ex},{y2}", sx + mid, ex - mid);
            (path, (sx + ex) / 2, (y1 + y2) / 2)
        } else {
            // Same or earlier column: loop around the right side.
            let (sx, ex) = (x1 + NODE_W, x2 + NODE_W);
            let bulge = sx.max(ex) + 70;
            let path = format!("M{sx},{y1} C{bulge},{y1} {bulge},{y2} {ex},{y2}");
            (path, (sx.max(ex) * 2 + bulge * 6) / 8, (y1 + y2) / 2)
        }
    };
    for (k, d) in agg.iter().enumerate() {
        let (path, lx, ly) = curve(d.from, d.to);
        let (a, b) = (&g.nodes[d.from], &g.nodes[d.to]);
        let amount = amounts(&d.tainted);
        let mut title = format!(
            "{} → {}\ntainted {amount}\n{} transfer(s), first {}",
            a.address,
            b.address,
            d.count,
            iso_time(d.first_time)
        );
        for tx in &d.txs {
            let _ = write!(title, "\ntx {tx}");
        }
        let to_exit = matches!(b.role, Role::Exit | Role::Mixer);
        let label = edge_label(&d.tainted, d.count, d.first_time);
        let _ = writeln!(
            h,
            "<g class=\"edge{}\" id=\"e{k}\" data-from=\"n{}\" data-to=\"n{}\" data-from-address=\"{}\" data-to-address=\"{}\" data-flows=\"{}\" data-tx=\"{}\"><title>{}</title><path d=\"{path}\" marker-end=\"url(#arrow)\"/>\
<text x=\"{lx}\" y=\"{}\">{}</text></g>",
            if to_exit { " to-exit" } else { "" },
            d.from,
            d.to,
            esc(&a.address),
            esc(&b.address),
            d.count,
            esc(d.txs.first().map_or("", String::as_str)),
            esc_lines(&title),
            ly + 3 - 5 * i64::try_from(label.len()).unwrap_or(1),
            label
                .iter()
                .enumerate()
                .map(|(k, line)| format!(
                    "<tspan x=\"{lx}\" dy=\"{}\">{}</tspan>",
                    if k == 0 { 0 } else { 11 },
                    esc(&cut(line, 24))
                ))
                .collect::<String>(),
        );
    }
    let mut hidden_links = 0usize;
    for (k, l) in g.links.iter().enumerate() {
        if !(drawn.contains(&l.from) && drawn.contains(&l.to)) {
            hidden_links += 1;
            continue;
        }
        let c = &r.conversions[l.conversion];
        let (path, lx, ly) = curve(l.from, l.to);
        let text = format!("{} {}%", c.kind, c.confidence);
        let title = format!(
            "{} ({}, confidence {})\n{} of {} → {} of {}\n{} → {}\ntx {} → {}",
            c.kind,
            c.heuristic,
            c.confidence,
            coin_amount(&c.from_asset, c.from_tainted),
            c.from_asset,
            coin_amount(&c.to_asset, c.to_tainted),
            c.to_asset,
            iso_time(c.time),
            iso_time(c.to_time),
            c.tx,
            c.to_tx
        );
        let _ = writeln!(
            h,
            "<g class=\"link\" id=\"l{k}\" data-from=\"n{}\" data-to=\"n{}\" data-kind=\"{}\"><title>{}</title><path d=\"{path}\" marker-end=\"url(#arrowlink)\"/><text x=\"{lx}\" y=\"{}\">{}</text></g>",
            l.from,
            l.to,
            esc(c.kind),
            esc_lines(&title),
            ly + 14,
            esc(&text)
        );
    }
    for &i in &drawn {
        let n = &g.nodes[i];
        let (x, y) = pos(i);
        let _ = writeln!(
            h,
            "<g class=\"node {}\" id=\"n{i}\" data-address=\"{}\" data-role=\"{}\"><title>{}</title><rect x=\"{x}\" y=\"{y}\" width=\"{NODE_W}\" height=\"{NODE_H}\" rx=\"7\"/>\
<text class=\"addr\" x=\"{}\" y=\"{}\">{}</text><text class=\"cap\" x=\"{}\" y=\"{}\">{}</text></g>",
            node_class(n),
            esc(&n.address),
            n.role.name(),
            esc_lines(&node_title(n)),
            x + 9,
            y + 18,
            esc(&short(&n.address)),
            x + 9,
            y + 36,
            esc(&cut(&node_caption(n), 26)),
        );
    }
    h.push_str("</svg></div>\n");
    let left_out = g.nodes.len() - drawn.len();
    if left_out > 0 || hidden_links > 0 {
        let _ = writeln!(
            h,
            "<p class=\"note\" id=\"left-out\">{} of {} addresses drawn: {left_out} address(es), {} transfer(s) and {hidden_links} link(s) left out of the picture (all are in the tables and the CSV, DOT and GraphML exports).</p>",
            drawn.len(),
            g.nodes.len(),
            hidden_flows.len()
        );
    } else {
        let _ = writeln!(
            h,
            "<p class=\"note\">All {} addresses and {} transfers drawn. Hover over a box or an arrow for details.</p>",
            g.nodes.len(),
            r.flows.len()
        );
    }
}

fn more(h: &mut String, shown: usize, all: usize) {
    if all > shown {
        let _ = writeln!(
            h,
            "<p class=\"note\">{shown} of {all} rows shown; the CSV export has all.</p>"
        );
    }
}

fn addr_cell(a: &str) -> String {
    format!(
        "<td class=\"addr\" title=\"{}\">{}</td>",
        esc(a),
        esc(&short(a))
    )
}

fn exits_table(h: &mut String, r: &TraceReport, max: usize) {
    let _ = writeln!(h, "<h2>Exits ({})</h2>", r.exits.len());
    if r.exits.is_empty() {
        h.push_str("<p class=\"note\">No taint reached an exit.</p>\n");
        return;
    }
    h.push_str("<table id=\"exits\"><thead><tr><th>entity and deposit address</th><th>tainted</th><th>first – last (UTC)</th></tr></thead><tbody>\n");
    for e in r.exits.iter().take(max) {
        let _ = writeln!(
            h,
            "<tr><td class=\"label\"><b>{}</b> <span class=\"cat\">{}</span><br><span class=\"addr\" title=\"{}\">{}</span></td><td class=\"num\" title=\"{} base units\">{}</td><td class=\"time\" title=\"first tx {}, last tx {}\">{}<br>{}</td></tr>",
            esc(&e.label),
            esc(&e.category),
            esc(&e.address),
            esc(&short(&e.address)),
            e.amount,
            esc(&coin_amount(&e.asset, e.amount)),
            esc(&e.first_tx),
            esc(&e.last_tx),
            esc(&short_time(e.first_time)),
            esc(&short_time(e.last_time)),
        );
    }
    h.push_str("</tbody></table>\n");
    more(h, r.exits.len().min(max), r.exits.len());
}

fn holders_table(h: &mut String, r: &TraceReport, max: usize) {
    let _ = writeln!(h, "<h2>Holders ({})</h2>", r.holders.len());
    if r.holders.is_empty() {
        h.push_str("<p class=\"note\">No address holds taint at the end.</p>\n");
        return;
    }
    h.push_str(
        "<table id=\"holders\"><thead><tr><th>address</th><th>holds</th></tr></thead><tbody>\n",
    );
    for x in r.holders.iter().take(max) {
        let _ = writeln!(
            h,
            "<tr>{}<td class=\"num\" title=\"{} base units\">{}</td></tr>",
            addr_cell(&x.address),
            x.amount,
            esc(&coin_amount(&x.asset, x.amount)),
        );
    }
    h.push_str("</tbody></table>\n");
    more(h, r.holders.len().min(max), r.holders.len());
}

fn conversions_table(h: &mut String, r: &TraceReport, max: usize) {
    if r.conversions.is_empty() {
        return;
    }
    let _ = writeln!(
        h,
        "<section><h2>Swaps, mixer links and bridges ({})</h2><table id=\"conversions\"><thead><tr><th>kind</th><th>heuristic</th><th>confidence</th><th>from</th><th>to</th><th>time</th><th>tx</th></tr></thead><tbody>",
        r.conversions.len()
    );
    for c in r.conversions.iter().take(max) {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{} of {}</td><td class=\"num\">{} of {}</td><td>{}</td><td class=\"addr\" title=\"{} → {}\">{}</td></tr>",
            esc(c.kind),
            esc(&c.heuristic),
            c.confidence,
            esc(&coin_amount(&c.from_asset, c.from_tainted)),
            esc(&coin_amount(&c.from_asset, c.from_amount)),
            esc(&coin_amount(&c.to_asset, c.to_tainted)),
            esc(&coin_amount(&c.to_asset, c.to_amount)),
            esc(&short_time(c.time)),
            esc(&c.tx),
            esc(&c.to_tx),
            esc(&short(&c.tx)),
        );
    }
    h.push_str("</tbody></table>\n");
    more(h, r.conversions.len().min(max), r.conversions.len());
    if let Some(m) = &r.mixer {
        let _ = writeln!(
            h,
            "<p class=\"note\">Mixer: {} pool(s), {} deposit(s), {} withdrawal(s), {} candidate link(s), {} used.</p>",
            m.pools.len(),
            m.deposits,
            m.withdrawals,
            m.candidate_links,
            m.links.len()
        );
    }
    h.push_str("</section>\n");
}

fn gaps_table(h: &mut String, r: &TraceReport, max: usize) {
    if r.gaps.is_empty() {
        return;
    }
    let _ = writeln!(
        h,
        "<section><h2>History gaps ({})</h2><p class=\"note\">Value sent that the data does not show arriving; counted as stolen at seed addresses, clean elsewhere.</p><table id=\"gaps\"><thead><tr><th>address</th><th>amount</th><th>counted as</th><th>first</th></tr></thead><tbody>",
        r.gaps.len()
    );
    for x in r.gaps.iter().take(max) {
        let _ = writeln!(
            h,
            "<tr>{}<td class=\"num\">{}</td><td>{}</td><td title=\"tx {}\">{}</td></tr>",
            addr_cell(&x.address),
            esc(&coin_amount(&x.asset, x.amount)),
            esc(x.counted_as),
            esc(&x.first_tx),
            esc(&short_time(x.first_time)),
        );
    }
    h.push_str("</tbody></table>\n");
    more(h, r.gaps.len().min(max), r.gaps.len());
    h.push_str("</section>\n");
}

fn flows_table(h: &mut String, r: &TraceReport, max: usize) {
    let _ = writeln!(
        h,
        "<section><h2>Transfers that carried taint ({})</h2><table id=\"flows\"><thead><tr><th>time</th><th>tx</th><th>from</th><th>to</th><th>amount</th><th>tainted</th></tr></thead><tbody>",
        r.flows.len()
    );
    for f in r.flows.iter().take(max) {
        let _ = writeln!(
            h,
            "<tr><td>{}</td>{}{}{}<td class=\"num\">{}</td><td class=\"num\" title=\"{} base units\">{}</td></tr>",
            esc(&short_time(f.time)),
            addr_cell(&f.tx),
            addr_cell(&f.from),
            addr_cell(&f.to),
            esc(&coin_amount(&f.asset, f.amount)),
            f.tainted,
            esc(&coin_amount(&f.asset, f.tainted)),
        );
    }
    h.push_str("</tbody></table>\n");
    more(h, r.flows.len().min(max), r.flows.len());
    h.push_str("</section>\n");
}

fn footer(h: &mut String, r: &TraceReport) {
    h.push_str("<section><h2>Warnings and inputs</h2>\n");
    if !r.warnings.is_empty() {
        h.push_str("<ul class=\"warnings\">");
        for w in &r.warnings {
            let _ = write!(h, "<li>{}</li>", esc(w));
        }
        h.push_str("</ul>\n");
    }
    h.push_str(
        "<table id=\"inputs\"><thead><tr><th>input</th><th>SHA-256</th></tr></thead><tbody>",
    );
    for i in &r.inputs {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"addr\">{}</td></tr>",
            esc(&i.path),
            esc(&i.sha256)
        );
    }
    let p = &r.parameters;
    let _ = writeln!(
        h,
        "</tbody></table>\n<p class=\"note\">Parameters: max hops {}, until {}, dust {} base units, {} exit address(es) of categories {}, swaps {}, {} conversion(s) given.</p></section>",
        p.max_hops.map_or_else(|| "none".to_string(), |m| m.to_string()),
        p.until.map_or_else(|| "none".to_string(), iso_time),
        p.dust,
        p.exit_addresses,
        esc(&p.exit_categories.join(", ")),
        if p.swaps { "on" } else { "off" },
        p.conversions_given
    );
}

const LEGEND: &str = "<p class=\"legend\"><span class=\"key seed\">seed</span> <span class=\"key source\">source</span> <span class=\"key hop\">hop</span> <span class=\"key mixer\">mixer</span> <span class=\"key exit\">exit</span> <span class=\"key holder\">holder</span> <span class=\"keyline\">— transfer (tainted amount, first time)</span> <span class=\"keylink\">- - mixer link or bridge</span></p>\n";

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;margin:16px 24px;color:#1d2330;background:#fff}
h1{font-size:1.35em;margin:0 0 4px}h2{font-size:1.05em;margin:14px 0 6px}
.meta,.note{color:#4a5261;font-size:.9em}.seeds{margin:4px 0;padding-left:18px;font-size:.9em}
code,.addr{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85em}
table{border-collapse:collapse;font-size:.85em;margin-bottom:6px}
th,td{border-bottom:1px solid #dde1e7;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#f3f5f8;font-weight:600}td.num{text-align:right;white-space:nowrap}
td.label{min-width:11em;max-width:18em;overflow-wrap:anywhere}td.time{white-space:nowrap}.cat{color:#4a5261;font-size:.9em}
.main{display:flex;gap:20px;align-items:flex-start;flex-wrap:wrap}
.graph{flex:1 1 640px;min-width:0}aside{flex:0 1 400px}
.svgwrap{overflow:auto;border:1px solid #dde1e7;border-radius:6px;max-height:80vh;background:#fcfcfd}
#flow{max-width:100%;height:auto;display:block}svg text{font-size:11px;fill:#1d2330}
svg .colhead{font-size:11px;fill:#6b7280;text-anchor:middle;font-weight:600}
.node rect{stroke:#444;stroke-width:1}
.node .addr{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:11.5px;font-weight:600}
.node .cap{font-size:11px}
.node.seed rect{fill:#f8c4c1;stroke:#b42318}.node.source rect{fill:#e4e7ec}
.node.hop rect{fill:#ffffff}.node.holder rect{fill:#fde9b8;stroke:#b54708}
.node.exit rect{fill:#c7dcff;stroke:#1d4ed8}.node.mixer rect{fill:#e9d7fe;stroke:#6941c6}
.edge path{fill:none;stroke:#667085;stroke-width:1.4}.edge.to-exit path{stroke:#1d4ed8;stroke-width:2}
.edge text,.link text{font-size:9.5px;text-anchor:middle;paint-order:stroke;stroke:#fcfcfd;stroke-width:3px}
.link path{fill:none;stroke:#8e44ad;stroke-width:1.6;stroke-dasharray:6 4}.link text{fill:#6941c6}
.legend{font-size:.8em;color:#4a5261}.key{display:inline-block;padding:1px 6px;border:1px solid #444;border-radius:4px}
.key.seed{background:#f8c4c1}.key.source{background:#e4e7ec}.key.hop{background:#fff}.key.holder{background:#fde9b8}
.key.exit{background:#c7dcff}.key.mixer{background:#e9d7fe}.keylink{color:#6941c6}
.warnings{font-size:.85em;color:#8a3b12}
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_hidden_characters() {
        assert_eq!(
            esc("<script>alert('x')</script>&\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"
        );
        assert_eq!(esc("a\u{202e}b"), "a\\u{202e}b");
    }

    #[test]
    fn cuts_long_text() {
        assert_eq!(cut("abcdef", 4), "abc…");
        assert_eq!(cut("abc", 4), "abc");
    }
}
