//! The readable summaries of a [`TraceReport`] and a
//! [`ComparisonReport`](super::trace::ComparisonReport):
//! amounts in coin units with their symbols, ISO 8601 UTC times, labels
//! beside addresses, untrusted text escaped, lists cut at `top`, lines
//! fitted to a width (see [`super::text`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::text::{
    amount, asset_label, escape, flow_items, iso_time, percent, put, shorten, time_or_dash, units,
    warning_lines, width_of_formatter, wrap, Align, Column, Give, Table,
};
use super::trace::{
    AddressLabel, ComparisonSummary, SeedEntry, Totals, TraceParameters, TraceReport, TraceSummary,
};
use super::InputDigest;
use crate::amount::Amount;
use crate::assets::AssetMeta;

/// Lines of a summary, written at the end, each fitted to the width.
struct Out {
    lines: Vec<String>,
    width: usize,
}

impl Out {
    fn new(width: usize) -> Out {
        Out {
            lines: Vec::new(),
            width,
        }
    }

    /// A line of trusted text (callers escape what came from input).
    fn line(&mut self, s: impl Into<String>) {
        self.lines.push(s.into());
    }

    fn lines(&mut self, v: Vec<String>) {
        self.lines.extend(v);
    }

    /// Text wrapped with a hanging indent; escaped.
    fn wrap(&mut self, text: &str, first: &str, rest: &str) {
        let v = wrap(text, first, rest, self.width);
        self.lines.extend(v);
    }

    /// Says how many of a list were left out.
    fn more(&mut self, shown: usize, total: usize, what: &str) {
        if total > shown {
            self.line(format!(
                "  … and {} more {what} (raise --top, or see the JSON report)",
                total - shown
            ));
        }
    }

    fn write(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for l in &self.lines {
            put(f, l, self.width)?;
        }
        Ok(())
    }
}

/// `Binance 14 (exchange)`, `(exchange)`, or empty; not escaped.
fn label_text(label: &str, category: &str) -> String {
    match (label.is_empty(), category.is_empty()) {
        (false, false) => format!("{label} ({category})"),
        (false, true) => label.to_string(),
        (true, false) => format!("({category})"),
        (true, true) => String::new(),
    }
}

fn named(labels: &BTreeMap<String, AddressLabel>, address: &str) -> String {
    labels
        .get(address)
        .map(|l| label_text(&l.label, &l.category))
        .unwrap_or_default()
}

/// A seed as shown: the address or transaction, and from when it counts
/// (`ADDR@TIME` seeds), in ISO form.
fn seed_parts(seed: &str) -> (&str, String) {
    match seed.split_once('@') {
        Some((a, t)) if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) => {
            match t.parse::<u64>() {
                Ok(t) => (a, format!("from {}", iso_time(t))),
                Err(_) => (seed, String::new()),
            }
        }
        _ => (seed, String::new()),
    }
}

fn header(out: &mut Out, title: &str) {
    out.wrap(title, "", "  ");
}

fn seeds(out: &mut Out, seeds: &[SeedEntry], labels: &BTreeMap<String, AddressLabel>, top: usize) {
    let incidents: BTreeSet<&str> = seeds.iter().map(|s| s.incident.as_str()).collect();
    let show_incident = incidents.len() > 1
        || incidents
            .iter()
            .any(|i| *i != crate::trace::DEFAULT_INCIDENT);
    out.line(format!("seeds ({}):", seeds.len()));
    // The seed is what the investigator typed: it stays whole (the table
    // becomes blocks before it is shortened); labels give way first.
    let timed = seeds.iter().any(|s| !seed_parts(&s.seed).1.is_empty());
    let mut columns = vec![Column::new("", Align::Left, Give::Never)];
    if timed {
        columns.push(Column::new("", Align::Left, Give::Never));
    }
    columns.push(Column::new("", Align::Left, Give::Cut(10)));
    columns.push(Column::new("", Align::Left, Give::Cut(12)));
    let mut t = Table::new(columns);
    for s in seeds.iter().take(top) {
        let (address, from) = seed_parts(&s.seed);
        let mut note = Vec::new();
        if show_incident {
            note.push(format!("incident {}", s.incident));
        }
        if !s.found {
            note.push("not in the ledger".to_string());
        }
        let mut row = vec![address.to_string()];
        if timed {
            row.push(from);
        }
        row.extend([named(labels, address), note.join("; ")]);
        t.row(row);
    }
    out.lines(t.lines(2, out.width));
    out.more(top.min(seeds.len()), seeds.len(), "seeds");
}

fn parameters(out: &mut Out, p: &TraceParameters) {
    let mut items = vec![if p.exit_addresses == 0 {
        "exit set: none".to_string()
    } else {
        format!(
            "exit set: {} address(es) ({})",
            p.exit_addresses,
            escape(&p.exit_categories.join(", "))
        )
    }];
    items.push(match p.max_hops {
        Some(n) => format!("hop limit: {n}"),
        None => "hop limit: none".to_string(),
    });
    if let Some(t) = p.until {
        items.push(format!("until: {}", iso_time(t)));
    }
    if p.dust > 0 {
        items.push(format!(
            "dust threshold: {} base units",
            units(p.dust, None)
        ));
    }
    if p.swaps {
        items.push("swaps carry taint".to_string());
    }
    if p.conversions_given > 0 {
        items.push(format!("{} conversion(s) given", p.conversions_given));
    }
    let v = flow_items(&items, " · ", "", "  ", out.width);
    out.lines(v);
}

fn get(m: &BTreeMap<String, Amount>, asset: &str) -> Amount {
    m.get(asset).copied().unwrap_or(0)
}

/// The optional totals columns: heading and map, in the order shown.
fn extra_columns(t: &Totals) -> [(&'static str, &BTreeMap<String, Amount>); 12] {
    [
        ("from gaps", &t.gaps),
        ("to creations", &t.creations),
        ("in pools", &t.pooled),
        ("swapped in", &t.swapped_in),
        ("swapped out", &t.swapped_out),
        ("linked in", &t.linked_in),
        ("linked out", &t.linked_out),
        ("bridged in", &t.bridged_in),
        ("bridged out", &t.bridged_out),
        ("probable", &t.probable),
        ("prob. exited", &t.probable_exited),
        ("prob. held", &t.probable_held),
    ]
}

fn totals(out: &mut Out, t: &Totals, assets: &BTreeMap<String, AssetMeta>, top: usize) {
    out.line("totals (coin units; \"from gaps\" is the part of stolen that is a history gap):");
    let extras: Vec<(&str, &BTreeMap<String, Amount>)> = extra_columns(t)
        .into_iter()
        .filter(|(_, m)| m.values().any(|v| *v > 0))
        .collect();
    let mut columns = vec![Column::new("asset", Align::Left, Give::Cut(8))];
    for h in ["stolen", "held", "exited", "fees", "dust"]
        .into_iter()
        .chain(extras.iter().map(|(h, _)| *h))
    {
        columns.push(Column::new(h, Align::Decimal, Give::Never));
    }
    let mut table = Table::new(columns);
    for asset in reading_order(t.stolen.keys().map(String::as_str), assets)
        .into_iter()
        .take(top)
    {
        let stolen = &get(&t.stolen, asset);
        let meta = assets.get(asset);
        let d = meta.and_then(|m| m.decimals);
        let mut row = vec![asset_label(asset, meta)];
        for v in [
            *stolen,
            get(&t.held, asset),
            get(&t.exited, asset),
            get(&t.fees, asset),
            get(&t.dust, asset),
        ]
        .into_iter()
        .chain(extras.iter().map(|(_, m)| get(m, asset)))
        {
            row.push(units(v, d));
        }
        table.row(row);
    }
    out.lines(table.lines(2, out.width));
    out.more(top.min(t.stolen.len()), t.stolen.len(), "assets");
}

fn inputs(out: &mut Out, inputs: &[InputDigest]) {
    if inputs.is_empty() {
        return;
    }
    out.line("inputs:");
    for i in inputs {
        out.line(format!("  {}", shorten(&i.path, out.width - 2)));
        out.line(format!(
            "    {} · sha256 {}",
            escape(&i.role),
            escape(&i.sha256)
        ));
    }
}

/// Records a lenient read skipped, by input and reason: the report is
/// incomplete by exactly these.
fn skipped(out: &mut Out, skipped: &[super::trace::SkipEntry]) {
    if skipped.is_empty() {
        return;
    }
    let total: u64 = skipped.iter().map(|s| s.count).sum();
    out.line(format!("skipped {total} record(s) (lenient reading):"));
    for s in skipped {
        out.line(format!(
            "  {}: {} x {}",
            shorten(&escape(&s.input), out.width / 2),
            s.count,
            escape(&s.reason)
        ));
    }
}

fn warnings(out: &mut Out, warnings: &[String], top: usize) {
    let v = warning_lines(warnings, top, out.width);
    out.lines(v);
}

fn exit_set_sentence(p: &TraceParameters) -> String {
    if p.exit_addresses == 0 {
        "no exit set was given, so nothing could stop taint: load labels (--labels, --list, \
         --tagpack) to end the trail at exchanges, mixers and bridges"
            .to_string()
    } else {
        format!(
            "none of the {} exit address(es) ({}) received taint in the data",
            p.exit_addresses,
            p.exit_categories.join(", ")
        )
    }
}

/// Asset names in the order a person reads them: known assets by symbol
/// (case-insensitive), then tokens of unknown decimals by contract.
fn reading_order<'a>(
    names: impl Iterator<Item = &'a str>,
    assets: &BTreeMap<String, AssetMeta>,
) -> Vec<&'a str> {
    let mut v: Vec<&str> = names.collect::<BTreeSet<_>>().into_iter().collect();
    v.sort_by_cached_key(|n| {
        let meta = assets.get(*n);
        (
            meta.map_or(true, |m| m.decimals.is_none()),
            meta.map_or_else(|| n.to_lowercase(), |m| m.symbol.to_lowercase()),
            n.to_string(),
        )
    });
    v
}

/// One cause of the closing section: what it means, and how much of each
/// asset it holds.
struct Cause {
    what: String,
    items: Vec<String>,
}

impl Cause {
    fn new(what: impl Into<String>) -> Cause {
        Cause {
            what: what.into(),
            items: Vec::new(),
        }
    }
}

/// The closing section: why taint stops where it stops, from the report
/// alone. One bullet per cause, with the amount of each asset it holds
/// and its share of the taint that asset carried (stolen plus what
/// conversions brought in).
fn why(out: &mut Out, r: &TraceReport, top: usize) {
    let t = &r.totals;
    let missing: Vec<&SeedEntry> = r.seeds.iter().filter(|s| !s.found).collect();
    // Which purse passed taint on, per asset; the last tainted transfer.
    let mut passed_on: BTreeSet<(&str, &str)> = BTreeSet::new();
    let mut last_flow: Option<u64> = None;
    for fl in &r.flows {
        for from in fl.from.split(',') {
            passed_on.insert((from, fl.asset.as_str()));
        }
        last_flow = last_flow.max(Some(fl.time));
    }
    let mut names: Vec<&str> = t.stolen.keys().map(String::as_str).collect();
    for m in [&t.held, &t.swapped_in, &t.linked_in, &t.bridged_in] {
        names.extend(m.iter().filter(|(_, v)| **v > 0).map(|(k, _)| k.as_str()));
    }
    let names = reading_order(names.into_iter(), &r.assets);
    let ended_note = last_flow.map_or_else(String::new, |l| {
        format!(" (its last tainted transfer is at {})", iso_time(l))
    });
    let mut gap = Cause::new(
        "history gap at the seeds, counted as stolen (the seed addresses sent more than the \
         data shows them receiving, so where it came from is not in the data)",
    );
    let mut clean_gap = Cause::new(
        "history gaps at purses that held taint, counted clean (they sent value of unknown \
         origin, which diluted the taint they passed on)",
    );
    let mut ended = Cause::new(format!(
        "held at addresses that sent no taint on in the data: the trail ends where the data \
         ends{ended_note}; add their later transactions to follow it"
    ));
    let mut kept =
        Cause::new("held at addresses that passed part of their taint on and kept the rest");
    let mut own = Cause::new(
        "of what is held, at addresses labelled as the thief's own (exploiter, laundering)",
    );
    let mut exited = Cause::new("reached exits, where taint stops by design");
    let mut fees = Cause::new("paid as transaction fees");
    let mut dust = Cause::new(format!(
        "below the dust threshold ({} base units), passed on as clean",
        units(r.parameters.dust, None)
    ));
    let mut creations = Cause::new("sent to contract creations whose address is not in the data");
    let mut converted =
        Cause::new("converted (swaps, mixer links, bridges) and traced on in what it became");
    let mut pooled = Cause::new(
        "left in mixer pools: linked deposits handed it over, but their links could not carry \
         it on (a smaller or later withdrawal, or one beyond the data), or, in probable mode, \
         no candidate withdrawal could",
    );
    for asset in names.iter().take(top) {
        let meta = r.assets.get(*asset);
        let a = |v: Amount| amount(v, asset, meta);
        // The totals are checked by the trace; these sums of them are the
        // base of a percentage and lines of the summary, shown only.
        let base = get(&t.stolen, asset)
            .saturating_add(get(&t.swapped_in, asset))
            .saturating_add(get(&t.linked_in, asset))
            .saturating_add(get(&t.bridged_in, asset));
        let item = |v: Amount, at: usize| {
            let p = percent(v, base);
            let p = if p.is_empty() { p } else { format!(" ({p})") };
            match at {
                0 => format!("{}{p}", a(v)),
                n => format!("{}{p} at {n} address(es)", a(v)),
            }
        };
        let sum_of = |v: &[&super::trace::HolderEntry]| {
            v.iter().fold(0u128, |s, h| s.saturating_add(h.amount))
        };
        let g = get(&t.gaps, asset);
        if g > 0 {
            gap.items.push(item(g, 0));
        }
        let clean: Vec<_> = r
            .gaps
            .iter()
            .filter(|g| g.asset == *asset && g.counted_as == "clean")
            .collect();
        if !clean.is_empty() {
            let sum = clean.iter().fold(0u128, |s, g| s.saturating_add(g.amount));
            clean_gap
                .items
                .push(format!("{} at {} purse(s)", a(sum), clean.len()));
        }
        let holders: Vec<&super::trace::HolderEntry> =
            r.holders.iter().filter(|h| h.asset == *asset).collect();
        let (end, part): (Vec<_>, Vec<_>) = holders
            .iter()
            .partition(|h| !passed_on.contains(&(h.address.as_str(), *asset)));
        if !end.is_empty() {
            ended.items.push(item(sum_of(&end), end.len()));
        }
        if !part.is_empty() {
            kept.items.push(item(sum_of(&part), part.len()));
        }
        let thief: Vec<_> = holders
            .iter()
            .copied()
            .filter(|h| matches!(h.category.as_deref(), Some("exploiter" | "laundering")))
            .collect();
        if !thief.is_empty() {
            own.items.push(item(sum_of(&thief), thief.len()));
        }
        let x = get(&t.exited, asset);
        if x > 0 {
            let exits: Vec<_> = r.exits.iter().filter(|e| e.asset == *asset).collect();
            let cats: BTreeSet<&str> = exits.iter().map(|e| e.category.as_str()).collect();
            exited.items.push(format!(
                "{} at {} exit(s) ({})",
                item(x, 0),
                exits.len(),
                cats.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
        for (cause, v) in [
            (&mut fees, get(&t.fees, asset)),
            (&mut dust, get(&t.dust, asset)),
            (&mut creations, get(&t.creations, asset)),
            (&mut pooled, get(&t.pooled, asset)),
            (
                &mut converted,
                get(&t.swapped_out, asset)
                    .saturating_add(get(&t.linked_out, asset))
                    .saturating_add(get(&t.bridged_out, asset)),
            ),
        ] {
            if v > 0 {
                cause.items.push(item(v, 0));
            }
        }
    }
    out.line("why taint stops here:");
    for s in missing.iter().take(top) {
        out.wrap(
            &format!(
                "seed {} is not in the ledger: nothing was traced from it",
                s.seed
            ),
            "  - ",
            "    ",
        );
    }
    out.more(
        top.min(missing.len()),
        missing.len(),
        "seeds not in the ledger",
    );
    for c in [
        gap, clean_gap, ended, kept, own, exited, fees, dust, creations, pooled, converted,
    ] {
        if !c.items.is_empty() {
            out.wrap(&format!("{}:", c.what), "  - ", "    ");
            let v = flow_items(&c.items, "; ", "    ", "    ", out.width);
            out.lines(v);
        }
    }
    if r.exits.is_empty() {
        out.wrap(&exit_set_sentence(&r.parameters), "  - ", "    ");
    }
    if let Some(n) = r.parameters.max_hops {
        out.wrap(
            &format!(
                "hop limit {n}: taint that had crossed {n} transfer(s) stayed with its holder \
                 (counted as held)"
            ),
            "  - ",
            "    ",
        );
    }
    if let Some(u) = r.parameters.until {
        out.wrap(
            &format!("events after {} were left out (--until)", iso_time(u)),
            "  - ",
            "    ",
        );
    }
    out.more(top.min(names.len()), names.len(), "assets");
}

/// The probable flows, apart from the certain links: those that carried
/// the most taint first.
fn probable_flows(out: &mut Out, r: &TraceReport, top: usize) {
    if r.probable_flows.is_empty() {
        return;
    }
    let deposits: BTreeSet<&str> = r
        .probable_flows
        .iter()
        .map(|f| f.deposit_tx.as_str())
        .collect();
    let settings = r
        .mixer
        .as_ref()
        .and_then(|m| m.probable)
        .map(|p| format!("; window {} s, half-life {} s", p.window, p.half_life))
        .unwrap_or_default();
    out.wrap(
        &format!(
            "probable flows ({} from {} unlinked deposit(s); heuristic probable: each deposit's \
             taint split over its candidate withdrawals by weight, not a link{settings}):",
            r.probable_flows.len(),
            deposits.len()
        ),
        "",
        "  ",
    );
    let mut by_taint: Vec<&super::trace::ProbableEntry> = r.probable_flows.iter().collect();
    by_taint.sort_by(|a, b| {
        b.tainted
            .cmp(&a.tainted)
            .then_with(|| a.deposit_tx.cmp(&b.deposit_tx))
            .then_with(|| a.withdrawal_tx.cmp(&b.withdrawal_tx))
    });
    for f in by_taint.iter().take(top) {
        let meta = r.assets.get(&f.asset);
        out.wrap(
            &format!(
                "{} (probable, weight {} of {}): deposit {} -> withdrawal {}; {} offered, {} carried",
                f.pool,
                f.weight,
                f.total_weight,
                f.deposit_tx,
                f.withdrawal_tx,
                amount(f.offered, &f.asset, meta),
                amount(f.tainted, &f.asset, meta),
            ),
            "  - ",
            "    ",
        );
    }
    out.more(top.min(by_taint.len()), by_taint.len(), "probable flows");
}

impl TraceSummary<'_> {
    fn lines(&self, width: usize) -> Out {
        let r = self.report;
        let top = self.top;
        let mut out = Out::new(width);
        header(&mut out, &format!("{} · trace, model {}", r.tool, r.model));
        seeds(&mut out, &r.seeds, &r.labels, top);
        parameters(&mut out, &r.parameters);
        out.line("");
        totals(&mut out, &r.totals, &r.assets, top);
        out.line("");
        if r.exits.is_empty() {
            out.line("exits: none reached");
        } else {
            out.line(format!("exits ({} reached):", r.exits.len()));
            let probable = r.exits.iter().any(|e| e.probable > 0);
            let mut columns = vec![Column::new("tainted", Align::Decimal, Give::Never)];
            if probable {
                columns.push(Column::new("of it probable", Align::Decimal, Give::Never));
            }
            columns.extend([
                Column::new("address", Align::Left, Give::Shorten),
                Column::new("entity", Align::Left, Give::Cut(12)),
                Column::new("first taint", Align::Left, Give::Never),
            ]);
            let mut t = Table::new(columns);
            for e in r.exits.iter().take(top) {
                let mut row = vec![amount(e.amount, &e.asset, r.assets.get(&e.asset))];
                if probable {
                    row.push(amount(e.probable, &e.asset, r.assets.get(&e.asset)));
                }
                row.extend([
                    e.address.clone(),
                    label_text(&e.label, &e.category),
                    time_or_dash(e.first_time),
                ]);
                t.row(row);
            }
            out.lines(t.lines(2, width));
            out.more(top.min(r.exits.len()), r.exits.len(), "exits");
        }
        if r.holders.is_empty() {
            out.line("holders: none");
        } else {
            out.line(format!(
                "holders ({} hold taint at the end):",
                r.holders.len()
            ));
            let probable = r.holders.iter().any(|h| h.probable > 0);
            let mut columns = vec![Column::new("tainted", Align::Decimal, Give::Never)];
            if probable {
                columns.push(Column::new("of it probable", Align::Decimal, Give::Never));
            }
            columns.extend([
                Column::new("address", Align::Left, Give::Shorten),
                Column::new("entity", Align::Left, Give::Cut(12)),
            ]);
            let mut t = Table::new(columns);
            for h in r.holders.iter().take(top) {
                let mut row = vec![amount(h.amount, &h.asset, r.assets.get(&h.asset))];
                if probable {
                    row.push(amount(h.probable, &h.asset, r.assets.get(&h.asset)));
                }
                row.extend([
                    h.address.clone(),
                    label_text(
                        h.label.as_deref().unwrap_or(""),
                        h.category.as_deref().unwrap_or(""),
                    ),
                ]);
                t.row(row);
            }
            out.lines(t.lines(2, width));
            out.more(top.min(r.holders.len()), r.holders.len(), "holders");
        }
        if !r.conversions.is_empty() {
            out.line(format!("conversions ({}):", r.conversions.len()));
            for c in r.conversions.iter().take(top) {
                let at = c
                    .address
                    .as_deref()
                    .map(|a| {
                        let n = named(&r.labels, a);
                        if n.is_empty() {
                            format!(" at {a}")
                        } else {
                            format!(" at {a} {n}")
                        }
                    })
                    .unwrap_or_default();
                let from = r.assets.get(&c.from_asset);
                let to = r.assets.get(&c.to_asset);
                out.wrap(
                    &format!(
                        "{}{at}: {} tainted of {} -> {} tainted of {}; {}, confidence {}; \
                         {} tx {}",
                        c.kind,
                        amount(c.from_tainted, &c.from_asset, from),
                        amount(c.from_amount, &c.from_asset, from),
                        amount(c.to_tainted, &c.to_asset, to),
                        amount(c.to_amount, &c.to_asset, to),
                        c.heuristic,
                        c.confidence,
                        time_or_dash(c.to_time),
                        c.to_tx
                    ),
                    "  - ",
                    "    ",
                );
            }
            out.more(
                top.min(r.conversions.len()),
                r.conversions.len(),
                "conversions",
            );
        }
        if let Some(m) = &r.mixer {
            let sets: Vec<String> = m
                .anonymity_sets
                .iter()
                .take(top)
                .map(|s| s.anonymity_set.to_string())
                .collect();
            let counts: Vec<String> = m
                .by_heuristic
                .iter()
                .filter(|(_, c)| c.candidates > 0)
                .map(|(h, c)| {
                    format!(
                        "{h} {} of {} (confidence {})",
                        c.links, c.candidates, c.confidence
                    )
                })
                .collect();
            out.wrap(
                &format!(
                    "mixer: {} pool(s), {} deposit(s), {} withdrawal(s), {} candidate link(s), \
                     {} used{}; anonymity sets met: {}{}",
                    m.pools.len(),
                    m.deposits,
                    m.withdrawals,
                    m.candidate_links,
                    m.links.len(),
                    if counts.is_empty() {
                        String::new()
                    } else {
                        format!(" (used of candidates: {})", counts.join(", "))
                    },
                    if sets.is_empty() {
                        "none".to_string()
                    } else {
                        sets.join(", ")
                    },
                    if m.anonymity_sets.len() > sets.len() {
                        format!(" … ({} in all)", m.anonymity_sets.len())
                    } else {
                        String::new()
                    }
                ),
                "",
                "  ",
            );
            for l in m.links.iter().take(top) {
                out.wrap(
                    &format!(
                        "{} ({}, confidence {}{}): deposit {} -> withdrawal {}; {}",
                        l.pool,
                        l.heuristic,
                        l.confidence,
                        if l.carried_taint {
                            ", carried taint"
                        } else {
                            ""
                        },
                        l.deposit_tx,
                        l.withdrawal_tx,
                        l.reason
                    ),
                    "  - ",
                    "    ",
                );
            }
            out.more(top.min(m.links.len()), m.links.len(), "links");
        }
        probable_flows(&mut out, r, top);
        let span = match (
            r.flows.iter().map(|f| f.time).min(),
            r.flows.iter().map(|f| f.time).max(),
        ) {
            (Some(a), Some(b)) => format!(", {} to {}", iso_time(a), iso_time(b)),
            _ => String::new(),
        };
        out.wrap(
            &format!(
                "{} transfer(s) carried taint{span}; {} history gap(s)",
                r.flows.len(),
                r.gaps.len()
            ),
            "",
            "  ",
        );
        out.line("");
        why(&mut out, r, top);
        out.line("");
        warnings(&mut out, &r.warnings, top);
        skipped(&mut out, &r.skipped);
        inputs(&mut out, &r.inputs);
        out
    }
}

impl fmt::Display for TraceSummary<'_> {
    /// Writes the summary fitted to the formatter's width (`{:80}`), 100
    /// columns when none is given.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = width_of_formatter(f);
        self.lines(width).write(f)
    }
}

impl ComparisonSummary<'_> {
    fn lines(&self, width: usize) -> Out {
        let r = self.report;
        let top = self.top;
        let mut out = Out::new(width);
        header(
            &mut out,
            &format!(
                "{} · model comparison (the same seeds under every model)",
                r.tool
            ),
        );
        seeds(&mut out, &r.seeds, &r.labels, top);
        parameters(&mut out, &r.parameters);
        let mut assets: BTreeSet<&str> = BTreeSet::new();
        for m in &r.totals {
            assets.extend(m.totals.stolen.keys().map(String::as_str));
        }
        let assets = reading_order(assets.into_iter(), &r.assets);
        for asset in assets.iter().take(top) {
            let meta = r.assets.get(*asset);
            let d = meta.and_then(|m| m.decimals);
            out.line("");
            // Stolen and its gaps are the same under every model as a rule;
            // say them once then, else give them columns.
            let stolen: BTreeSet<(Amount, Amount)> = r
                .totals
                .iter()
                .map(|m| (get(&m.totals.stolen, asset), get(&m.totals.gaps, asset)))
                .collect();
            let shared = (stolen.len() == 1)
                .then(|| stolen.iter().next().copied())
                .flatten();
            let sym = asset_label(asset, meta);
            match shared {
                Some((s, g)) if g > 0 => out.wrap(
                    &format!(
                        "{sym}: stolen {} under every model, of which {} ({}) is a history gap",
                        amount(s, asset, meta),
                        amount(g, asset, meta),
                        percent(g, s)
                    ),
                    "",
                    "  ",
                ),
                Some((s, _)) => out.wrap(
                    &format!("{sym}: stolen {} under every model", amount(s, asset, meta)),
                    "",
                    "  ",
                ),
                None => out.wrap(&format!("{sym}:"), "", "  "),
            }
            let extras: Vec<&str> = r
                .totals
                .iter()
                .flat_map(|m| {
                    extra_columns(&m.totals)
                        .into_iter()
                        .filter(|(h, map)| {
                            (shared.is_none() || *h != "from gaps") && get(map, asset) > 0
                        })
                        .map(|(h, _)| h)
                })
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let mut heads: Vec<&str> = Vec::new();
            if shared.is_none() {
                heads.push("stolen");
            }
            heads.extend(["held", "exited", "fees", "dust"]);
            // Keep the extras in their usual order.
            let order: Vec<&str> = extra_columns(&r.totals[0].totals)
                .iter()
                .map(|(h, _)| *h)
                .filter(|h| extras.contains(h))
                .collect();
            heads.extend(order.iter().copied());
            let mut columns = vec![Column::new("model", Align::Left, Give::Never)];
            columns.extend(
                heads
                    .iter()
                    .map(|h| Column::new(h, Align::Decimal, Give::Never)),
            );
            let mut table = Table::new(columns);
            for m in &r.totals {
                let t = &m.totals;
                let mut row = vec![m.model.clone()];
                for h in &heads {
                    let v = match *h {
                        "stolen" => get(&t.stolen, asset),
                        "held" => get(&t.held, asset),
                        "exited" => get(&t.exited, asset),
                        "fees" => get(&t.fees, asset),
                        "dust" => get(&t.dust, asset),
                        other => extra_columns(t)
                            .iter()
                            .find(|(x, _)| *x == other)
                            .map_or(0, |(_, map)| get(map, asset)),
                    };
                    row.push(units(v, d));
                }
                table.row(row);
            }
            out.lines(table.lines(2, width));
        }
        out.more(top.min(assets.len()), assets.len(), "assets");
        out.line("");
        if r.exits.is_empty() {
            out.line("exits: none reached under any model");
            out.wrap(&exit_set_sentence(&r.parameters), "  ", "  ");
        } else {
            out.line(format!(
                "exits ({} reached; * = the value models disagree on the amount):",
                r.exits.len()
            ));
            for e in r.exits.iter().take(top) {
                let meta = r.assets.get(&e.asset);
                let mut t = Table::new(vec![
                    Column::new("", Align::Left, Give::Never),
                    Column::new("", Align::Left, Give::Shorten),
                    Column::new("", Align::Left, Give::Cut(12)),
                    Column::new("", Align::Left, Give::Never),
                ]);
                t.row(vec![
                    if e.changes { "*" } else { " " }.to_string(),
                    e.address.clone(),
                    label_text(&e.label, &e.category),
                    asset_label(&e.asset, meta),
                ]);
                out.lines(t.lines(1, width));
                let items: Vec<String> = r
                    .models
                    .iter()
                    .map(|m| {
                        format!(
                            "{} {}",
                            escape(m),
                            units(
                                e.amounts.get(m).copied().unwrap_or(0),
                                meta.and_then(|x| x.decimals)
                            )
                        )
                    })
                    .collect();
                let v = flow_items(&items, " · ", "      ", "      ", width);
                out.lines(v);
            }
            out.more(top.min(r.exits.len()), r.exits.len(), "exits");
        }
        out.line("");
        warnings(&mut out, &r.warnings, top);
        inputs(&mut out, &r.inputs);
        out
    }
}

impl fmt::Display for ComparisonSummary<'_> {
    /// Writes the comparison fitted to the formatter's width (`{:80}`),
    /// 100 columns when none is given.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = width_of_formatter(f);
        self.lines(width).write(f)
    }
}
