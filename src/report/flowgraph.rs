//! The flow graph of a [`TraceReport`], shared by the picture and graph
//! exports (HTML, DOT, GraphML, STIX, MISP) and by the evidence paths of the
//! CSV export. Built from the report alone, never from a ledger.
//!
//! One node per address that appears in the report (seeds, both ends of
//! every flow, exits, holders, swappers); one edge per flow and sender (a
//! UTXO flow names all input addresses of its transaction, comma-separated:
//! one edge from each); one dashed link per mixer link or bridge match that
//! carried taint, from the address that took the deposit to the address
//! that got the withdrawal or release. Nodes are numbered in order of first
//! appearance (seeds, flows in event order, exits, holders, conversions),
//! so the same report always gives the same graph.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::trace::{FlowEntry, TraceReport};
use crate::amount::{format_units, Amount};

/// What an address is in the trace, most telling first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Role {
    /// A seed address (given by the investigator).
    Seed,
    /// The sender of a seed transaction (the victim's side).
    Source,
    /// An exit (exchange, bridge, sanctioned) that took taint.
    Exit,
    /// A mixer: an exit of category `mixer`, or a pool a mixer link left.
    Mixer,
    /// An address that holds taint at the end.
    Holder,
    /// Any other address that taint crossed.
    Hop,
}

impl Role {
    /// Lower-case name, as written into every export.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Role::Seed => "seed",
            Role::Source => "source",
            Role::Exit => "exit",
            Role::Mixer => "mixer",
            Role::Holder => "holder",
            Role::Hop => "hop",
        }
    }
}

/// One address.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    /// The address as the report writes it.
    pub address: String,
    /// Its role.
    pub role: Role,
    /// Exit label (entity), empty when none.
    pub label: String,
    /// Exit category, empty when none.
    pub category: String,
    /// Hops from the nearest seed (or root) along flows and links.
    pub layer: usize,
    /// Taint received, per asset.
    pub received: BTreeMap<String, Amount>,
    /// Taint sent, per asset.
    pub sent: BTreeMap<String, Amount>,
    /// Taint held at the end, per asset.
    pub held: BTreeMap<String, Amount>,
    /// Taint that exited here, per asset.
    pub exited: BTreeMap<String, Amount>,
    /// First and last time a flow touched it.
    pub first_time: Option<u64>,
    /// See `first_time`.
    pub last_time: Option<u64>,
    /// Conversions at this address, in words.
    pub notes: Vec<String>,
}

impl Node {
    fn new(address: &str) -> Self {
        Node {
            address: address.to_string(),
            role: Role::Hop,
            label: String::new(),
            category: String::new(),
            layer: 0,
            received: BTreeMap::new(),
            sent: BTreeMap::new(),
            held: BTreeMap::new(),
            exited: BTreeMap::new(),
            first_time: None,
            last_time: None,
            notes: Vec::new(),
        }
    }

    fn touch(&mut self, time: u64) {
        self.first_time = Some(self.first_time.map_or(time, |t| t.min(time)));
        self.last_time = Some(self.last_time.map_or(time, |t| t.max(time)));
    }

    /// Whether it is a real address (not `op_return`, a mint sink or the
    /// unresolved inputs of a UTXO transaction).
    pub(crate) fn is_address(&self) -> bool {
        !(self.address == "op_return"
            || self.address.starts_with("sink:")
            || self.address.starts_with("unresolved inputs of "))
    }
}

/// One flow from one sender.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Edge {
    /// Index into `report.flows`.
    pub flow: usize,
    /// Sender node.
    pub from: usize,
    /// Receiver node.
    pub to: usize,
}

/// A mixer link or bridge match that carried taint.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Link {
    /// Index into `report.conversions`.
    pub conversion: usize,
    /// The node that took the deposit.
    pub from: usize,
    /// The node that got the withdrawal or release.
    pub to: usize,
}

/// Every flow between two nodes, summed.
#[derive(Clone, Debug)]
pub(crate) struct Pair {
    /// Sender node.
    pub from: usize,
    /// Receiver node.
    pub to: usize,
    /// Taint moved, per asset.
    pub tainted: BTreeMap<String, Amount>,
    /// How many flows.
    pub count: usize,
    /// The first flow's time.
    pub first_time: u64,
    /// The transactions of the first flows (at most `max_txs`).
    pub txs: Vec<String>,
}

/// The graph.
#[derive(Clone, Debug, Default)]
pub(crate) struct FlowGraph {
    /// Nodes in order of first appearance.
    pub nodes: Vec<Node>,
    /// Edges in flow order.
    pub edges: Vec<Edge>,
    /// Links in conversion order.
    pub links: Vec<Link>,
    index: BTreeMap<String, usize>,
    /// The seed transactions (lower case), for path reconstruction.
    seed_txs: BTreeSet<String>,
    /// Per node, the edges into it (indices into `edges`, in flow order).
    inflows: Vec<Vec<usize>>,
    /// Withdrawal or release flow → the deposit flow its link came from.
    linked: BTreeMap<usize, usize>,
}

/// What a seed names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SeedTarget<'a> {
    /// An address (`ADDR` or `ADDR@TIME`).
    Address(&'a str),
    /// A transaction (`tx:0x…`, or a UTXO outpoint `txid:vout`).
    Tx(&'a str),
}

/// Reads a seed as [`super::trace::SeedEntry::seed`] writes it.
pub(crate) fn seed_target(seed: &str) -> SeedTarget<'_> {
    if let Some(tx) = seed.strip_prefix("tx:") {
        return SeedTarget::Tx(tx);
    }
    if let Some((txid, vout)) = seed.split_once(':') {
        if !vout.is_empty() && vout.bytes().all(|b| b.is_ascii_digit()) {
            return SeedTarget::Tx(txid);
        }
    }
    SeedTarget::Address(seed.split_once('@').map_or(seed, |(a, _)| a))
}

/// The senders of a flow: one address, or the comma-separated input
/// addresses of a UTXO transaction (a pseudo address when none resolved).
pub(crate) fn senders(flow: &FlowEntry) -> Vec<Cow<'_, str>> {
    let parts: Vec<Cow<'_, str>> = flow
        .from
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(Cow::Borrowed)
        .collect();
    if parts.is_empty() {
        vec![Cow::Owned(format!("unresolved inputs of {}", flow.tx))]
    } else {
        parts
    }
}

fn add(map: &mut BTreeMap<String, Amount>, asset: &str, v: Amount) {
    let e = map.entry(asset.to_string()).or_insert(0);
    // Labels of the drawing only: the trace checks the totals themselves.
    *e = e.saturating_add(v);
}

impl FlowGraph {
    /// Builds the graph of `report`.
    pub(crate) fn new(report: &TraceReport) -> Self {
        let mut g = FlowGraph::default();
        let mut seed_addresses = Vec::new();
        for s in &report.seeds {
            match seed_target(&s.seed) {
                SeedTarget::Address(a) => {
                    let n = g.node(a);
                    seed_addresses.push(n);
                }
                SeedTarget::Tx(tx) => {
                    g.seed_txs.insert(tx.to_ascii_lowercase());
                }
            }
        }
        let seed_nodes: BTreeSet<usize> = seed_addresses.iter().copied().collect();
        let mut sources = BTreeSet::new();
        let mut by_tx: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (k, f) in report.flows.iter().enumerate() {
            by_tx.entry(f.tx.to_ascii_lowercase()).or_default().push(k);
            let to = g.node(&f.to);
            let seed_tx = g.seed_txs.contains(&f.tx.to_ascii_lowercase());
            for s in senders(f) {
                let from = g.node(&s);
                g.edges.push(Edge { flow: k, from, to });
                let n = &mut g.nodes[from];
                add(&mut n.sent, &f.asset, f.tainted);
                n.touch(f.time);
                if seed_tx || seed_nodes.contains(&to) {
                    sources.insert(from);
                }
            }
            let n = &mut g.nodes[to];
            add(&mut n.received, &f.asset, f.tainted);
            n.touch(f.time);
        }
        for e in &report.exits {
            let n = g.node(&e.address);
            let node = &mut g.nodes[n];
            node.label.clone_from(&e.label);
            node.category.clone_from(&e.category);
            add(&mut node.exited, &e.asset, e.amount);
        }
        for h in &report.holders {
            let n = g.node(&h.address);
            add(&mut g.nodes[n].held, &h.asset, h.amount);
        }
        for (c, conv) in report.conversions.iter().enumerate() {
            if let Some(a) = &conv.address {
                let n = g.node(a);
                g.nodes[n].notes.push(format!(
                    "{} {} → {}",
                    conv.kind,
                    short(&conv.from_asset),
                    short(&conv.to_asset)
                ));
            }
            // The first flow of `tx` in `asset` that `pick` accepts.
            let flow_of = |tx: &str, asset: &str, pick: &dyn Fn(&FlowEntry) -> bool| {
                by_tx.get(&tx.to_ascii_lowercase()).and_then(|ks| {
                    ks.iter()
                        .copied()
                        .find(|&k| report.flows[k].asset == asset && pick(&report.flows[k]))
                })
            };
            if conv.kind == "swap" {
                // The swapper's own legs: what it sent, what it got.
                if let Some(a) = &conv.address {
                    let sent = flow_of(&conv.tx, &conv.from_asset, &|f| {
                        f.from.split(',').any(|s| s.trim() == a)
                    });
                    let got = flow_of(&conv.to_tx, &conv.to_asset, &|f| &f.to == a);
                    if let (Some(d), Some(w)) = (sent, got) {
                        if d < w {
                            g.linked.entry(w).or_insert(d);
                        }
                    }
                }
                continue;
            }
            let (Some(deposit), Some(withdrawal)) = (
                flow_of(&conv.tx, &conv.from_asset, &|_| true),
                flow_of(&conv.to_tx, &conv.to_asset, &|_| true),
            ) else {
                continue;
            };
            let dst = report.flows[withdrawal].to.clone();
            let (from, to) = (g.node(&report.flows[deposit].to), g.node(&dst));
            if from == to {
                continue;
            }
            if deposit < withdrawal {
                g.linked.entry(withdrawal).or_insert(deposit);
            }
            g.nodes[from].notes.push(format!(
                "{} ({}, confidence {}) → {}",
                conv.kind,
                conv.heuristic,
                conv.confidence,
                short(&dst)
            ));
            g.links.push(Link {
                conversion: c,
                from,
                to,
            });
        }
        // Roles, most telling first.
        let seeds: BTreeSet<usize> = seed_addresses.iter().copied().collect();
        let mixer_pools: BTreeSet<usize> = g
            .links
            .iter()
            .filter(|l| report.conversions[l.conversion].kind == "mixer_link")
            .map(|l| l.from)
            .collect();
        let mut inflows = vec![Vec::new(); g.nodes.len()];
        for (i, e) in g.edges.iter().enumerate() {
            inflows[e.to].push(i);
        }
        let has_in: Vec<bool> = inflows.iter().map(|v| !v.is_empty()).collect();
        g.inflows = inflows;
        for (i, n) in g.nodes.iter_mut().enumerate() {
            n.role = if seeds.contains(&i) {
                Role::Seed
            } else if n.category == "mixer" || (n.category.is_empty() && mixer_pools.contains(&i)) {
                Role::Mixer
            } else if !n.category.is_empty() {
                Role::Exit
            } else if !n.held.is_empty() {
                Role::Holder
            } else if sources.contains(&i) && !has_in[i] {
                Role::Source
            } else {
                Role::Hop
            };
        }
        g.layer();
        g
    }

    fn node(&mut self, address: &str) -> usize {
        if let Some(&i) = self.index.get(address) {
            return i;
        }
        let i = self.nodes.len();
        self.nodes.push(Node::new(address));
        self.index.insert(address.to_string(), i);
        i
    }

    /// The edges summed per (sender, receiver), in node order, keeping at
    /// most `max_txs` transactions each; only pairs `keep` accepts.
    pub(crate) fn pairs(
        &self,
        report: &TraceReport,
        max_txs: usize,
        keep: impl Fn(usize, usize) -> bool,
    ) -> Vec<Pair> {
        let mut pairs: BTreeMap<(usize, usize), Pair> = BTreeMap::new();
        for e in &self.edges {
            if !keep(e.from, e.to) {
                continue;
            }
            let f = &report.flows[e.flow];
            let p = pairs.entry((e.from, e.to)).or_insert_with(|| Pair {
                from: e.from,
                to: e.to,
                tainted: BTreeMap::new(),
                count: 0,
                first_time: f.time,
                txs: Vec::new(),
            });
            add(&mut p.tainted, &f.asset, f.tainted);
            p.count += 1;
            p.first_time = p.first_time.min(f.time);
            if p.txs.len() < max_txs && !p.txs.contains(&f.tx) {
                p.txs.push(f.tx.clone());
            }
        }
        pairs.into_values().collect()
    }

    /// The edges into node `n`, in flow order.
    pub(crate) fn edges_into(&self, n: usize) -> impl Iterator<Item = &Edge> {
        self.inflows
            .get(n)
            .into_iter()
            .flatten()
            .map(|&e| &self.edges[e])
    }

    /// The node of an address.
    pub(crate) fn find(&self, address: &str) -> Option<usize> {
        self.index.get(address).copied()
    }

    /// Layers: breadth-first distance from the seeds and sources (or, for
    /// parts they do not reach, from the first node of the part that no
    /// other node of it points to).
    fn layer(&mut self) {
        let n = self.nodes.len();
        let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (from, to) in self
            .edges
            .iter()
            .map(|e| (e.from, e.to))
            .chain(self.links.iter().map(|l| (l.from, l.to)))
        {
            out[from].push(to);
        }
        for o in &mut out {
            o.sort_unstable();
            o.dedup();
        }
        let mut layer: Vec<Option<usize>> = vec![None; n];
        // Sources first (the seeds they pay come one column later), then
        // the seeds they do not reach, then each part neither reaches,
        // from its first node that no other unreached node points to.
        let sources: Vec<usize> = (0..n)
            .filter(|&i| self.nodes[i].role == Role::Source)
            .collect();
        bfs(&out, &mut layer, &sources);
        let seeds: Vec<usize> = (0..n)
            .filter(|&i| self.nodes[i].role == Role::Seed)
            .collect();
        bfs(&out, &mut layer, &seeds);
        loop {
            let mut pointed = vec![false; n];
            for (i, o) in out.iter().enumerate() {
                if layer[i].is_none() {
                    for &j in o {
                        pointed[j] = true;
                    }
                }
            }
            let start = (0..n)
                .find(|&i| layer[i].is_none() && !pointed[i])
                .or_else(|| (0..n).find(|&i| layer[i].is_none()));
            match start {
                Some(i) => bfs(&out, &mut layer, &[i]),
                None => break,
            }
        }
        for (node, l) in self.nodes.iter_mut().zip(layer) {
            node.layer = l.unwrap_or(0);
        }
    }

    /// A path of flows that brought taint to flow `k`, oldest first, ending
    /// with `k`: from the sender of each flow back along the largest tainted
    /// flow into it before it, of the same asset when there is one (across
    /// a swap, mixer link or bridge match to what went in), until a seed address, a seed transaction, an address no
    /// earlier flow reached, or `max_steps` flows. Under a mixing model
    /// (haircut) taint comes from every inflow; this is the main one.
    pub(crate) fn path_to(&self, report: &TraceReport, k: usize, max_steps: usize) -> Vec<usize> {
        let mut path = vec![k];
        let mut seen = BTreeSet::from([k]);
        let mut cur = k;
        while path.len() < max_steps {
            let f = &report.flows[cur];
            if self.seed_txs.contains(&f.tx.to_ascii_lowercase()) {
                break;
            }
            let from_nodes: Vec<usize> = senders(f).iter().filter_map(|s| self.find(s)).collect();
            if from_nodes.iter().any(|&n| self.nodes[n].role == Role::Seed) {
                break;
            }
            // Across a link: the withdrawal's deposit.
            let linked = self.linked.get(&cur).copied();
            let prev = linked.filter(|j| !seen.contains(j)).or_else(|| {
                from_nodes
                    .iter()
                    .flat_map(|&n| &self.inflows[n])
                    .map(|&e| self.edges[e].flow)
                    .filter(|&j| j < cur && !seen.contains(&j))
                    .max_by_key(|&j| {
                        let p = &report.flows[j];
                        (p.asset == f.asset, p.tainted, j)
                    })
            });
            match prev {
                Some(j) => {
                    seen.insert(j);
                    path.push(j);
                    cur = j;
                }
                None => break,
            }
        }
        path.reverse();
        path
    }
}

/// A report's latest time: the last flow, exit or gap (0 when it has none).
/// Exports take their timestamps from it, never from the clock.
pub(crate) fn report_time(report: &TraceReport) -> u64 {
    let flows = report.flows.iter().map(|f| f.time);
    let exits = report.exits.iter().map(|e| e.last_time);
    let gaps = report.gaps.iter().map(|g| g.first_time);
    flows.chain(exits).chain(gaps).max().unwrap_or(0)
}

/// Breadth-first layers from `starts` (those not yet laid) over `out`.
fn bfs(out: &[Vec<usize>], layer: &mut [Option<usize>], starts: &[usize]) {
    let mut queue = VecDeque::new();
    for &i in starts {
        if layer[i].is_none() {
            layer[i] = Some(0);
            queue.push_back(i);
        }
    }
    while let Some(i) = queue.pop_front() {
        let next = layer[i].unwrap_or(0) + 1;
        for &j in &out[i] {
            if layer[j].is_none() {
                layer[j] = Some(next);
                queue.push_back(j);
            }
        }
    }
}

/// SHA-256 (hex) of the report's JSON: the content the exports' ids are
/// derived from, so the same report always gets the same ids and another
/// report never shares them.
pub(crate) fn report_digest(report: &TraceReport) -> String {
    use sha2::{Digest, Sha256};
    let json = serde_json::to_vec(report).unwrap_or_default();
    hex::encode(Sha256::digest(json))
}

/// The namespace of fundtrace's own UUIDv5 ids (STIX domain objects, MISP
/// events): the RFC 9562 URL namespace applied to `urn:fundtrace:export`.
pub(crate) fn id_namespace() -> uuid::Uuid {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, b"urn:fundtrace:export")
}

/// A UUIDv5 in fundtrace's namespace for `parts`, each written with its
/// length first (`6:report64:…`) so no two lists of parts share a name.
pub(crate) fn content_uuid(parts: &[&str]) -> uuid::Uuid {
    let name: String = parts.iter().map(|p| format!("{}:{p}", p.len())).collect();
    uuid::Uuid::new_v5(&id_namespace(), name.as_bytes())
}

/// A unix time as ISO 8601 UTC (`2022-03-23T10:15:00Z`).
///
/// The civil date follows H. Hinnant's `civil_from_days`
/// (<https://howardhinnant.github.io/date_algorithms.html>): exact for the
/// proleptic Gregorian calendar, no date crate needed for one conversion.
pub(crate) fn iso_time(t: u64) -> String {
    let days = i128::from(t / 86_400);
    let secs = t % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i128::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3_600,
        secs % 3_600 / 60,
        secs % 60
    )
}

/// An amount in coin units for the native coins whose decimals are known
/// (`1.5 ETH`), else in base units with the asset (`600 0xeeee…eeee`).
/// Exact: no floating point.
pub(crate) fn coin_amount(asset: &str, v: Amount) -> String {
    format!("{} {}", coin_number(asset, v), short(asset))
}

/// The number part of [`coin_amount`]: coin units when the asset's
/// decimals are known, else base units.
pub(crate) fn coin_number(asset: &str, v: Amount) -> String {
    let decimals = match asset {
        "ETH" | "BNB" | "MATIC" | "POL" | "AVAX" | "FTM" | "ETC" | "xDAI" | "RON" => Some(18),
        "BTC" | "LTC" | "BCH" | "DOGE" => Some(8),
        _ => None,
    };
    match decimals {
        Some(d) => format_units(v, d),
        None => v.to_string(),
    }
}

/// An address or hash shortened for a picture (`0x098b71…2e2f96`).
pub(crate) fn short(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= 16 {
        return s.to_string();
    }
    let head: String = chars[..8].iter().collect();
    let tail: String = chars[chars.len() - 6..].iter().collect();
    format!("{head}…{tail}")
}

/// Text with control characters and bidirectional overrides shown as
/// `\u{…}` escapes, so a label cannot break a line or reorder what a
/// reader sees. Formats then apply their own escaping on top.
pub(crate) fn visible(s: &str) -> Cow<'_, str> {
    let hidden = |c: char| {
        c.is_control()
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !s.chars().any(hidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if hidden(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Per-asset amounts in words (`1.5 ETH, 600 0xeeee…eeee`).
pub(crate) fn amounts(m: &BTreeMap<String, Amount>) -> String {
    m.iter()
        .map(|(a, v)| coin_amount(a, *v))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_times() {
        assert_eq!(iso_time(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_time(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(iso_time(1_648_000_000), "2022-03-23T01:46:40Z");
        assert_eq!(iso_time(4_102_444_799), "2099-12-31T23:59:59Z");
    }

    #[test]
    fn seeds() {
        assert_eq!(seed_target("0xab@100"), SeedTarget::Address("0xab"));
        assert_eq!(seed_target("tx:0xcd"), SeedTarget::Tx("0xcd"));
        assert_eq!(seed_target("ab:3"), SeedTarget::Tx("ab"));
        assert_eq!(seed_target("bc1q"), SeedTarget::Address("bc1q"));
    }

    #[test]
    fn hidden_characters() {
        assert_eq!(visible("a\nb\u{202e}c"), "a\\u{a}b\\u{202e}c");
        assert!(matches!(visible("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn amounts_in_coin_units() {
        assert_eq!(coin_amount("ETH", 1_500_000_000_000_000_000), "1.5 ETH");
        assert_eq!(coin_amount("BTC", 1), "0.00000001 BTC");
        assert_eq!(coin_amount("TOK", 7), "7 TOK");
    }
}
