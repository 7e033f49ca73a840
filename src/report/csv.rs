//! A trace report as CSV files in a directory, and one evidence file per
//! exit entity, fit to attach to a freeze request.
//!
//! Files written (all UTF-8, comma-separated, a header row, RFC 4180
//! quoting by the `csv` crate):
//! - `flows.csv`: every transfer that carried taint, in event order;
//! - `exits.csv`: every exit that took taint, largest first;
//! - `holders.csv`: every purse that holds taint at the end;
//! - `evidence/index.csv`: one row per exit entity (its label), with the
//!   file that lists its deposits;
//! - `evidence/<entity-slug>.csv`: every tainted deposit of that entity
//!   (transaction, ISO 8601 UTC time, sender, deposit address, amount,
//!   tainted amount) and the path of transfers that led there.
//!
//! Amounts are base units (exact integers). The path is reconstructed from
//! the flows: from the deposit's sender back along the largest tainted
//! transfer into it before the deposit (across a mixer link or bridge
//! match to its deposit), up to a seed address or seed transaction. Under
//! a mixing model (haircut) taint came from every inflow; the path is the
//! main one, and `flows.csv` holds them all.
//!
//! Text that came from labels can start with `=`, `+`, `-` or `@`, which a
//! spreadsheet would run as a formula: such cells are written with a
//! leading `'` (the usual defence against CSV injection); addresses,
//! hashes and amounts never start with those characters.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use super::flowgraph::{iso_time, FlowGraph};
use super::trace::TraceReport;
use super::ExportError;
use crate::amount::Amount;

/// Most transfers in an evidence path.
const MAX_PATH: usize = 64;

/// A text cell that a spreadsheet will not take for a formula.
fn cell(s: &str) -> Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// A file name for an entity: lower-case ASCII letters and digits, runs of
/// anything else as one `-`, at most 60 characters, never empty, never a
/// path (no `/`, `\`, `.` or `..`).
#[must_use]
pub fn entity_slug(entity: &str) -> String {
    let mut s = String::new();
    for c in entity.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('-') {
            s.push('-');
        }
        if s.len() >= 60 {
            break;
        }
    }
    let s = s.trim_matches('-');
    if s.is_empty() {
        "entity".to_string()
    } else {
        s.to_string()
    }
}

/// `a=1;b=2` for per-incident amounts.
fn incidents(m: &BTreeMap<String, Amount>) -> String {
    m.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(";")
}

fn open(path: &Path) -> Result<::csv::Writer<fs::File>, ExportError> {
    let file = fs::File::create(path).map_err(|e| ExportError::io(path, e))?;
    Ok(::csv::Writer::from_writer(file))
}

fn finish(w: ::csv::Writer<fs::File>, path: &Path) -> Result<PathBuf, ExportError> {
    let file = w
        .into_inner()
        .map_err(|e| ExportError::io(path, std::io::Error::other(e.to_string())))?;
    file.sync_all().map_err(|e| ExportError::io(path, e))?;
    Ok(path.to_path_buf())
}

fn row<I, T>(w: &mut ::csv::Writer<fs::File>, path: &Path, fields: I) -> Result<(), ExportError>
where
    I: IntoIterator<Item = T>,
    T: AsRef<[u8]>,
{
    w.write_record(fields)
        .map_err(|e| ExportError::Csv(path.to_path_buf(), e))
}

/// Writes `flows.csv`, `exits.csv`, `holders.csv` and the evidence files
/// into `dir` (created if missing). Returns the files written, sorted.
///
/// # Errors
///
/// [`ExportError`] when a directory or file cannot be created or written.
pub fn write_csv_dir(report: &TraceReport, dir: &Path) -> Result<Vec<PathBuf>, ExportError> {
    fs::create_dir_all(dir).map_err(|e| ExportError::io(dir, e))?;
    let mut written = Vec::new();

    let path = dir.join("flows.csv");
    let mut w = open(&path)?;
    row(
        &mut w,
        &path,
        [
            "tx",
            "time",
            "time_unix",
            "from",
            "to",
            "asset",
            "amount",
            "tainted",
        ],
    )?;
    for f in &report.flows {
        row(
            &mut w,
            &path,
            [
                f.tx.as_str(),
                &iso_time(f.time),
                &f.time.to_string(),
                &cell(&f.from),
                &cell(&f.to),
                &cell(&f.asset),
                &f.amount.to_string(),
                &f.tainted.to_string(),
            ],
        )?;
    }
    written.push(finish(w, &path)?);

    let path = dir.join("exits.csv");
    let mut w = open(&path)?;
    row(
        &mut w,
        &path,
        [
            "entity",
            "category",
            "address",
            "asset",
            "tainted",
            "first_time",
            "last_time",
            "first_tx",
            "last_tx",
            "incidents",
        ],
    )?;
    for e in &report.exits {
        row(
            &mut w,
            &path,
            [
                cell(&e.label).as_ref(),
                &cell(&e.category),
                &cell(&e.address),
                &cell(&e.asset),
                &e.amount.to_string(),
                &iso_time(e.first_time),
                &iso_time(e.last_time),
                &e.first_tx,
                &e.last_tx,
                &cell(&incidents(&e.incidents)),
            ],
        )?;
    }
    written.push(finish(w, &path)?);

    let path = dir.join("holders.csv");
    let mut w = open(&path)?;
    row(&mut w, &path, ["address", "asset", "held", "incidents"])?;
    for h in &report.holders {
        row(
            &mut w,
            &path,
            [
                cell(&h.address).as_ref(),
                &cell(&h.asset),
                &h.amount.to_string(),
                &cell(&incidents(&h.incidents)),
            ],
        )?;
    }
    written.push(finish(w, &path)?);

    written.extend(write_evidence(report, &dir.join("evidence"))?);
    written.sort();
    Ok(written)
}

/// One exit entity: its label (or, with none, its address) and the exit
/// addresses it owns.
struct Entity {
    name: String,
    category: String,
    addresses: Vec<String>,
}

/// The exit entities of a report, by name.
fn entities(report: &TraceReport) -> Vec<Entity> {
    let mut by_name: BTreeMap<String, Entity> = BTreeMap::new();
    for e in &report.exits {
        let name = if e.label.trim().is_empty() {
            e.address.clone()
        } else {
            e.label.clone()
        };
        let entity = by_name.entry(name.clone()).or_insert_with(|| Entity {
            name,
            category: e.category.clone(),
            addresses: Vec::new(),
        });
        if !entity.addresses.contains(&e.address) {
            entity.addresses.push(e.address.clone());
        }
    }
    by_name.into_values().collect()
}

/// Writes `index.csv` and one `<slug>.csv` per exit entity into `dir`.
/// Returns the files written.
///
/// # Errors
///
/// [`ExportError`] when the directory or a file cannot be written.
pub fn write_evidence(report: &TraceReport, dir: &Path) -> Result<Vec<PathBuf>, ExportError> {
    fs::create_dir_all(dir).map_err(|e| ExportError::io(dir, e))?;
    let graph = FlowGraph::new(report);
    let mut written = Vec::new();
    let mut used: BTreeMap<String, usize> = BTreeMap::new();
    let index_path = dir.join("index.csv");
    let mut index = open(&index_path)?;
    row(
        &mut index,
        &index_path,
        [
            "entity",
            "category",
            "file",
            "deposit_addresses",
            "deposits",
            "tainted",
        ],
    )?;
    let entities = entities(report);
    // Deposits per entity, in flow order.
    let mut owner: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, e) in entities.iter().enumerate() {
        for a in &e.addresses {
            owner.entry(a.as_str()).or_insert(i);
        }
    }
    let mut deposits_of: Vec<Vec<usize>> = vec![Vec::new(); entities.len()];
    for (k, f) in report.flows.iter().enumerate() {
        if let Some(&i) = owner.get(f.to.as_str()) {
            deposits_of[i].push(k);
        }
    }
    for (entity, flows) in entities.iter().zip(&deposits_of) {
        let base = entity_slug(&entity.name);
        let n = used.entry(base.clone()).or_insert(0);
        *n += 1;
        let slug = if *n == 1 { base } else { format!("{base}-{n}") };
        let file = format!("{slug}.csv");
        let path = dir.join(&file);
        let mut w = open(&path)?;
        row(
            &mut w,
            &path,
            [
                "entity",
                "category",
                "deposit_address",
                "tx",
                "time",
                "time_unix",
                "from",
                "asset",
                "amount",
                "tainted",
                "model",
                "path_hops",
                "path_addresses",
                "path_txs",
            ],
        )?;
        let mut deposits = 0usize;
        let mut tainted: BTreeMap<String, Amount> = BTreeMap::new();
        for &k in flows {
            let f = &report.flows[k];
            deposits += 1;
            let t = tainted.entry(f.asset.clone()).or_insert(0);
            // Shown only; each flow's taint is within the trace's checked totals.
            *t = t.saturating_add(f.tainted);
            let path_flows = graph.path_to(report, k, MAX_PATH);
            let mut addresses: Vec<&str> = Vec::new();
            if let Some(&first) = path_flows.first() {
                addresses.push(&report.flows[first].from);
            }
            addresses.extend(path_flows.iter().map(|&j| report.flows[j].to.as_str()));
            let txs: Vec<&str> = path_flows
                .iter()
                .map(|&j| report.flows[j].tx.as_str())
                .collect();
            row(
                &mut w,
                &path,
                [
                    cell(&entity.name).as_ref(),
                    &cell(&entity.category),
                    &cell(&f.to),
                    &f.tx,
                    &iso_time(f.time),
                    &f.time.to_string(),
                    &cell(&f.from),
                    &cell(&f.asset),
                    &f.amount.to_string(),
                    &f.tainted.to_string(),
                    &cell(&report.model),
                    &path_flows.len().to_string(),
                    &cell(&addresses.join(" > ")),
                    &txs.join(" > "),
                ],
            )?;
        }
        written.push(finish(w, &path)?);
        row(
            &mut index,
            &index_path,
            [
                cell(&entity.name).as_ref(),
                &cell(&entity.category),
                &file,
                &cell(&entity.addresses.join(" ")),
                &deposits.to_string(),
                &cell(&incidents(&tainted)),
            ],
        )?;
    }
    written.push(finish(index, &index_path)?);
    written.sort();
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_plain_file_names() {
        assert_eq!(entity_slug("Binance"), "binance");
        assert_eq!(
            entity_slug("<script>alert(1)</script>"),
            "script-alert-1-script"
        );
        assert_eq!(entity_slug("../../etc/passwd"), "etc-passwd");
        assert_eq!(entity_slug(".."), "entity");
        assert_eq!(entity_slug("币安"), "entity");
        assert!(entity_slug(&"a".repeat(500)).len() <= 60);
    }

    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("0xabc"), "0xabc");
    }
}
