//! Frontier extraction: the sub-ledger a trace needs, pulled from the lake
//! hop by hop with DataFusion.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray, RecordBatch, StringArray};
use datafusion::arrow::compute::{cast, concat_batches, filter_record_batch};
use datafusion::arrow::datatypes::{
    DataType, Field, Int64Type, Schema, TimeUnit, TimestampMicrosecondType,
};
use datafusion::common::{JoinType, ScalarValue};
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::prelude::{col, lit, Expr, ParquetReadOptions, SessionContext};

use super::layout::Table;
use super::{Lake, LakeError};
use crate::ingest::{read_from, Dataset, Encoding, IngestOptions};
use crate::investigation::Investigation;
use crate::trace::SeedTarget;
use crate::LedgerBuilder;

/// Frontiers up to this many addresses are sent as an IN-list (pushed
/// into the Parquet scan, where bloom filters and statistics prune row
/// groups); larger ones are joined as a table (a semi-join per address
/// column).
pub const IN_LIST_MAX: usize = 8_192;

/// Limits of an extraction.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExtractOptions {
    /// The end of the window, unix seconds (inclusive), as the
    /// investigation's `until`: rows after it are neither read nor followed,
    /// and partitions that start after it are not scanned.
    pub until: Option<u64>,
    /// Stop after this many hops even when the frontier is not empty (the
    /// extraction is then [`ExtractStats::complete`] `false`, and the trace
    /// of it may differ from the whole ledger's beyond that hop).
    pub max_hops: Option<u32>,
}

/// One hop of an extraction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HopStats {
    /// Addresses queried (the frontier).
    pub frontier: usize,
    /// Whether the frontier went as an IN-list (else as a joined table).
    pub in_list: bool,
    /// Rows the queries returned that no earlier hop had returned.
    pub rows: u64,
    /// Addresses this hop's rows reached first (exits included).
    pub reached: usize,
    /// Wall time of the hop's queries and bookkeeping, milliseconds.
    pub millis: u64,
}

/// What an extraction did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExtractStats {
    /// Each hop, in order (the seed-transaction look-up, when there are
    /// `tx:` seeds, is not a hop).
    pub hops: Vec<HopStats>,
    /// Rows extracted, every table.
    pub rows: u64,
    /// Rows in the lake, every table.
    pub lake_rows: u64,
    /// Partition files scanned per hop (all tables) and in the lake: the
    /// ones starting after `until` are pruned.
    pub files_scanned: usize,
    /// Partition files in the lake.
    pub files: usize,
    /// Addresses reached (seeds and exits included).
    pub reached: usize,
    /// Exits reached (extracted through their counterparts, never queried).
    pub exits_reached: usize,
    /// Whether the frontier ran empty (false when `max_hops` stopped it).
    pub complete: bool,
    /// Building the sub-ledger from the extracted rows, milliseconds.
    pub build_millis: u64,
}

/// An extracted sub-ledger, ready for [`Investigation::trace`].
#[derive(Debug)]
pub struct Extraction {
    /// The sub-ledger, read through the ordinary Parquet ingest path (its
    /// inputs are named `lake:<table>`, with the digest of the extracted
    /// rows as written).
    pub dataset: Dataset,
    /// What the extraction did.
    pub stats: ExtractStats,
}

/// String view of an address or hash column (any string encoding).
fn strings(batch: &RecordBatch, name: &str) -> Result<Option<StringArray>, LakeError> {
    let Some(c) = batch.column_by_name(name) else {
        return Ok(None);
    };
    let c = cast(c, &DataType::Utf8)?;
    Ok(Some(c.as_string::<i32>().clone()))
}

/// Block times of a batch, unix seconds.
fn times(batch: &RecordBatch) -> Result<Vec<u64>, LakeError> {
    let c = batch
        .column_by_name("block_timestamp")
        .ok_or_else(|| LakeError::Schema {
            problem: "no column block_timestamp".into(),
        })?;
    let c = cast(c, &DataType::Timestamp(TimeUnit::Microsecond, None))?;
    let c = c.as_primitive::<TimestampMicrosecondType>();
    Ok((0..c.len())
        .map(|i| u64::try_from(c.value(i).div_euclid(1_000_000)).unwrap_or(0))
        .collect())
}

/// The row key that tells a row already extracted: the transaction hash,
/// and the log index for token transfers.
fn keys(table: Table, batch: &RecordBatch) -> Result<Vec<(String, i64)>, LakeError> {
    let hashes = strings(batch, table.hash_column())?.ok_or_else(|| LakeError::Schema {
        problem: format!("no column {}", table.hash_column()),
    })?;
    let index = match table {
        Table::Transactions => None,
        Table::TokenTransfers => batch
            .column_by_name("log_index")
            .map(|c| cast(c, &DataType::Int64))
            .transpose()?,
    };
    let index = index.as_ref().map(|c| c.as_primitive::<Int64Type>());
    Ok((0..batch.num_rows())
        .map(|i| {
            (
                hashes.value(i).to_ascii_lowercase(),
                index.map_or(0, |x| x.value(i)),
            )
        })
        .collect())
}

/// The reached set: addresses interned, each with its earliest arrival.
#[derive(Default)]
struct Reach {
    ids: HashMap<String, u32>,
    names: Vec<String>,
    arrival: Vec<u64>,
    exit: Vec<bool>,
    queried: Vec<bool>,
    /// (from, to, time) of every extracted row.
    edges: Vec<(u32, u32, u64)>,
}

impl Reach {
    fn id(&mut self, address: &str, exits: &BTreeSet<String>) -> u32 {
        let a = address.to_ascii_lowercase();
        if let Some(&i) = self.ids.get(&a) {
            return i;
        }
        let i = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        self.exit.push(exits.contains(&a));
        self.ids.insert(a.clone(), i);
        self.names.push(a);
        self.arrival.push(u64::MAX);
        self.queried.push(false);
        i
    }

    /// Earliest arrivals through the edges, to a fixed point: value leaves
    /// a reached address that is not an exit at or after its arrival.
    fn relax(&mut self) -> usize {
        self.edges.sort_unstable_by_key(|e| e.2);
        let before = self.arrival.iter().filter(|&&a| a != u64::MAX).count();
        loop {
            let mut changed = false;
            for &(f, t, time) in &self.edges {
                let (f, t) = (f as usize, t as usize);
                if !self.exit[f] && self.arrival[f] <= time && time < self.arrival[t] {
                    self.arrival[t] = time;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        self.arrival.iter().filter(|&&a| a != u64::MAX).count() - before
    }

    /// Reached addresses not yet queried, exits left out, sorted.
    fn frontier(&self) -> Vec<u32> {
        let mut f: Vec<u32> = (0..self.names.len())
            .filter(|&i| self.arrival[i] != u64::MAX && !self.exit[i] && !self.queried[i])
            .map(|i| u32::try_from(i).unwrap_or(u32::MAX))
            .collect();
        f.sort_unstable_by(|a, b| self.names[*a as usize].cmp(&self.names[*b as usize]));
        f
    }
}

/// Rows extracted so far, per table, without repeats.
struct Kept {
    seen: HashSet<(String, i64)>,
    batches: Vec<RecordBatch>,
    rows: u64,
}

/// Reads the rows a filter selects from a table's files.
async fn query(
    ctx: &SessionContext,
    files: &[String],
    table: Table,
    filter: Expr,
    semi: Option<(&str, &RecordBatch)>,
) -> Result<Vec<RecordBatch>, LakeError> {
    let schema = table.schema();
    let options = ParquetReadOptions {
        schema: Some(&schema),
        ..ParquetReadOptions::default()
    };
    let mut df = ctx.read_parquet(files.to_vec(), options).await?;
    df = df.filter(filter)?;
    if let Some((column, frontier)) = semi {
        let right = ctx.read_batch(frontier.clone())?;
        df = df.join(right, JoinType::LeftSemi, &[column], &["address"], None)?;
    }
    Ok(df.collect().await?)
}

/// Runs the extraction on a session (local DataFusion or a Ballista
/// client) and builds the sub-ledger.
pub(super) async fn extract_on(
    ctx: &SessionContext,
    lake: &Lake,
    investigation: &Investigation,
    options: &ExtractOptions,
) -> Result<Extraction, LakeError> {
    let exits: BTreeSet<String> = investigation
        .exits()
        .keys()
        .map(|a| a.to_string().to_ascii_lowercase())
        .collect();
    let mut stats = ExtractStats {
        lake_rows: lake.manifest.rows(),
        files: Table::ALL
            .iter()
            .map(|&t| lake.manifest.partitions(t).len())
            .sum(),
        ..ExtractStats::default()
    };
    let mut files = Vec::new();
    for table in Table::ALL {
        let f: Vec<String> = lake
            .manifest
            .files_until(&lake.root, table, options.until)
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        stats.files_scanned += f.len();
        files.push((table, f));
    }
    let window = |e: Expr| -> Expr {
        match options.until {
            Some(u) => {
                let micros = i64::try_from(u)
                    .unwrap_or(i64::MAX / 1_000_000)
                    .saturating_mul(1_000_000);
                e.and(
                    col("block_timestamp").lt_eq(lit(ScalarValue::TimestampMicrosecond(
                        Some(micros),
                        Some("UTC".into()),
                    ))),
                )
            }
            None => e,
        }
    };
    let mut reach = Reach::default();
    let mut kept: Vec<Kept> = Table::ALL
        .iter()
        .map(|_| Kept {
            seen: HashSet::new(),
            batches: Vec::new(),
            rows: 0,
        })
        .collect();
    // Seeds: addresses from their start; transactions through the rows
    // that deliver their value.
    let mut seed_txs = Vec::new();
    for seed in investigation.seed_list() {
        match &seed.target {
            SeedTarget::Address { address, start } => {
                let i = reach.id(&address.to_string(), &BTreeSet::new()) as usize;
                reach.exit[i] = false;
                reach.arrival[i] = reach.arrival[i].min(start.unwrap_or(0));
            }
            SeedTarget::Transaction { hash } => seed_txs.push(format!("0x{}", hex::encode(hash))),
            SeedTarget::Output(_) => {}
        }
    }
    if !seed_txs.is_empty() {
        let list: Vec<Expr> = seed_txs.iter().map(|h| lit(h.as_str())).collect();
        for (k, (table, f)) in files.iter().enumerate() {
            if f.is_empty() {
                continue;
            }
            let filter = window(col(table.hash_column()).in_list(list.clone(), false));
            let batches = query(ctx, f, *table, filter, None).await?;
            for b in &batches {
                let t = times(b)?;
                for c in table.receiver_columns() {
                    if let Some(to) = strings(b, c)? {
                        for (i, &time) in t.iter().enumerate() {
                            if to.is_valid(i) {
                                let id = reach.id(to.value(i), &exits) as usize;
                                reach.arrival[id] = reach.arrival[id].min(time);
                            }
                        }
                    }
                }
            }
            keep(&mut kept[k], *table, batches, &mut reach, &exits)?;
        }
        reach.relax();
    }
    let mut hop = 0u32;
    loop {
        let frontier = reach.frontier();
        if frontier.is_empty() {
            stats.complete = true;
            break;
        }
        if options.max_hops.is_some_and(|m| hop >= m) {
            break;
        }
        hop += 1;
        let started = Instant::now();
        for &i in &frontier {
            reach.queried[i as usize] = true;
        }
        let names: Vec<String> = frontier
            .iter()
            .map(|&i| reach.names[i as usize].clone())
            .collect();
        let in_list = names.len() <= IN_LIST_MAX;
        let mut rows = 0;
        for (k, (table, f)) in files.iter().enumerate() {
            if f.is_empty() {
                continue;
            }
            let mut batches = Vec::new();
            if in_list {
                let list: Vec<Expr> = names.iter().map(|a| lit(a.as_str())).collect();
                let filter = table
                    .address_columns()
                    .iter()
                    .map(|c| col(*c).in_list(list.clone(), false))
                    .reduce(Expr::or)
                    .ok_or_else(|| LakeError::Schema {
                        problem: "a table without address columns".into(),
                    })?;
                batches.extend(query(ctx, f, *table, window(filter), None).await?);
            } else {
                let frontier_batch = RecordBatch::try_new(
                    Arc::new(Schema::new(vec![Field::new(
                        "address",
                        DataType::Utf8,
                        false,
                    )])),
                    vec![Arc::new(StringArray::from(names.clone())) as ArrayRef],
                )?;
                for c in table.address_columns() {
                    let filter = window(col(*c).is_not_null());
                    batches
                        .extend(query(ctx, f, *table, filter, Some((c, &frontier_batch))).await?);
                }
            }
            rows += keep(&mut kept[k], *table, batches, &mut reach, &exits)?;
        }
        let reached = reach.relax();
        stats.hops.push(HopStats {
            frontier: frontier.len(),
            in_list,
            rows,
            reached,
            millis: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        });
    }
    let started = Instant::now();
    stats.reached = reach.arrival.iter().filter(|&&a| a != u64::MAX).count();
    stats.exits_reached = (0..reach.names.len())
        .filter(|&i| reach.exit[i] && reach.arrival[i] != u64::MAX)
        .count();
    let mut builder = LedgerBuilder::new();
    let mut ingest = IngestOptions::default();
    for (table, k) in Table::ALL.iter().zip(&kept) {
        stats.rows += k.rows;
        if k.rows == 0 {
            continue;
        }
        let bytes = to_parquet(*table, &k.batches)?;
        read_from(
            &mut builder,
            &format!("lake:{}", table.dir()),
            table.format(),
            Encoding::Parquet,
            &bytes[..],
            &mut ingest,
        )?;
    }
    let ledger = builder.build().map_err(crate::ingest::IngestError::from)?;
    stats.build_millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    Ok(Extraction {
        dataset: Dataset { ledger, utxo: None },
        stats,
    })
}

/// Keeps the rows of `batches` not extracted before, and records their
/// edges. Returns how many rows were new.
fn keep(
    kept: &mut Kept,
    table: Table,
    batches: Vec<RecordBatch>,
    reach: &mut Reach,
    exits: &BTreeSet<String>,
) -> Result<u64, LakeError> {
    let mut new_rows = 0;
    for b in batches {
        let keys = keys(table, &b)?;
        let mask: BooleanArray = keys
            .into_iter()
            .map(|k| Some(kept.seen.insert(k)))
            .collect();
        let b = filter_record_batch(&b, &mask)?;
        if b.num_rows() == 0 {
            continue;
        }
        let t = times(&b)?;
        let from = strings(&b, "from_address")?.ok_or_else(|| LakeError::Schema {
            problem: "no column from_address".into(),
        })?;
        for c in table.receiver_columns() {
            if let Some(to) = strings(&b, c)? {
                for (i, &time) in t.iter().enumerate() {
                    if from.is_valid(i) && to.is_valid(i) {
                        let f = reach.id(from.value(i), exits);
                        let to = reach.id(to.value(i), exits);
                        reach.edges.push((f, to, time));
                    }
                }
            }
        }
        new_rows += b.num_rows() as u64;
        kept.batches.push(b);
    }
    kept.rows += new_rows;
    Ok(new_rows)
}

/// The extracted rows of a table as one Parquet file in memory, in the
/// lake's schema (string views and the like cast back).
fn to_parquet(table: Table, batches: &[RecordBatch]) -> Result<Vec<u8>, LakeError> {
    let schema = table.schema();
    let mut cast_batches = Vec::with_capacity(batches.len());
    for b in batches {
        let mut columns = Vec::with_capacity(schema.fields().len());
        for f in schema.fields() {
            let c = b
                .column_by_name(f.name())
                .ok_or_else(|| LakeError::Schema {
                    problem: format!("no column {}", f.name()),
                })?;
            columns.push(cast(c, f.data_type())?);
        }
        cast_batches.push(RecordBatch::try_new(Arc::clone(&schema), columns)?);
    }
    let all = concat_batches(&schema, &cast_batches)?;
    let mut out = Vec::new();
    let mut w = ArrowWriter::try_new(&mut out, Arc::clone(&schema), None)?;
    w.write(&all)?;
    w.close()?;
    Ok(out)
}
