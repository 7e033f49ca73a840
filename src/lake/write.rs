//! Writing a lake from the synthetic generator.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{
    ArrayRef, Decimal128Builder, Int64Builder, StringBuilder, TimestampMicrosecondBuilder,
};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::Compression;
use datafusion::parquet::file::properties::WriterProperties;
use datafusion::parquet::schema::types::ColumnPath;

use super::layout::{Manifest, Partition, Table, FORMAT, MANIFEST, VERSION};
use super::LakeError;
use crate::synth::{generate_with, GenConfig, GenTransfer, GeneratedTheft};
use crate::Address;

/// The token the generated lake's token transfers move (Tether USD's
/// contract, as on mainnet).
pub const LAKE_TOKEN: &str = "0xdac17f958d2ee523a2206206994597c13d831ec7";

/// Gas every generated transaction uses (a plain transfer).
const GAS_USED: i64 = 21_000;
/// Gas price of every generated transaction, wei.
const GAS_PRICE: i64 = 30_000_000_000;

/// What [`write_lake`] wrote and what the generator knows of its actors.
#[derive(Clone, Debug)]
pub struct WrittenLake {
    /// The manifest written as `lake.json`.
    pub manifest: Manifest,
    /// The thefts, in time order (their addresses are the seeds).
    pub thefts: Vec<GeneratedTheft>,
    /// Exchange hot wallets.
    pub exchange_hot_wallets: Vec<Address>,
    /// Exchange deposit addresses.
    pub exchange_deposits: Vec<Address>,
    /// The mixer pool.
    pub mixer: Address,
}

/// Rows of one table for the partition being filled.
struct Rows {
    table: Table,
    cols: Vec<Col>,
    rows: u64,
    first_time: u64,
    last_time: u64,
}

enum Col {
    Text(StringBuilder),
    Int(Int64Builder),
    Wei(Decimal128Builder),
    Time(TimestampMicrosecondBuilder),
}

impl Rows {
    fn new(table: Table) -> Self {
        use datafusion::arrow::datatypes::DataType;
        let cols = table
            .schema()
            .fields()
            .iter()
            .map(|f| match f.data_type() {
                DataType::Utf8 => Col::Text(StringBuilder::new()),
                DataType::Int64 => Col::Int(Int64Builder::new()),
                DataType::Decimal128(p, s) => {
                    Col::Wei(Decimal128Builder::new().with_data_type(DataType::Decimal128(*p, *s)))
                }
                _ => Col::Time(TimestampMicrosecondBuilder::new().with_timezone("UTC")),
            })
            .collect();
        Rows {
            table,
            cols,
            rows: 0,
            first_time: u64::MAX,
            last_time: 0,
        }
    }

    fn text(&mut self, i: usize, v: Option<&str>) {
        if let Some(Col::Text(b)) = self.cols.get_mut(i) {
            b.append_option(v);
        }
    }

    fn int(&mut self, i: usize, v: i64) {
        if let Some(Col::Int(b)) = self.cols.get_mut(i) {
            b.append_value(v);
        }
    }

    fn finish_row(&mut self, i_time: usize, time: u64) {
        if let Some(Col::Time(b)) = self.cols.get_mut(i_time) {
            b.append_value(
                i64::try_from(time)
                    .unwrap_or(i64::MAX)
                    .saturating_mul(1_000_000),
            );
        }
        self.rows += 1;
        self.first_time = self.first_time.min(time);
        self.last_time = self.last_time.max(time);
    }

    fn batch(&mut self) -> Result<RecordBatch, LakeError> {
        let arrays: Vec<ArrayRef> = self
            .cols
            .iter_mut()
            .map(|c| -> ArrayRef {
                match c {
                    Col::Text(b) => Arc::new(b.finish()),
                    Col::Int(b) => Arc::new(b.finish()),
                    Col::Wei(b) => Arc::new(b.finish()),
                    Col::Time(b) => Arc::new(b.finish()),
                }
            })
            .collect();
        Ok(RecordBatch::try_new(self.table.schema(), arrays)?)
    }
}

/// Writer properties of every lake file: Snappy, row groups of 64k rows,
/// Parquet bloom filters on the address columns (so a frontier look-up
/// skips row groups that hold none of its addresses).
fn properties(table: Table) -> WriterProperties {
    let mut p = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_size(65_536);
    for c in table.address_columns() {
        p = p.set_column_bloom_filter_enabled(ColumnPath::from(*c), true);
    }
    p.build()
}

/// Builds the lake's partitions as the generator emits transfers.
struct Writer<'a> {
    root: &'a Path,
    rows_per_partition: u64,
    tx: Rows,
    tokens: Rows,
    first_block: Option<u64>,
    last_block: u64,
    manifest: Manifest,
}

impl Writer<'_> {
    fn add(&mut self, t: &GenTransfer) -> Result<(), LakeError> {
        if self.first_block.is_some()
            && t.block != self.last_block
            && self.tx.rows >= self.rows_per_partition
        {
            self.flush()?;
        }
        if self.first_block.is_none() {
            self.first_block = Some(t.block);
        }
        self.last_block = t.block;
        let hash = format!("0x{}", hex::encode(t.hash));
        let mut block_hash = [0u8; 32];
        block_hash[..8].copy_from_slice(&t.block.to_be_bytes());
        let block_hash = format!("0x{}", hex::encode(block_hash));
        let block = i64::try_from(t.block).unwrap_or(i64::MAX);
        let position = i64::from(t.position);
        let (from, to) = (t.from.to_string(), t.to.to_string());
        // transactions
        let r = &mut self.tx;
        r.text(0, Some(&hash));
        r.int(1, position);
        r.int(2, position);
        r.text(3, Some(&from));
        r.text(4, Some(&to));
        let wei = i128::try_from(t.amount)
            .ok()
            .and_then(|a| a.checked_mul(1_000_000_000))
            .ok_or_else(|| LakeError::Write {
                problem: format!("amount {} wei does not fit NUMERIC", t.amount),
            })?;
        if let Some(Col::Wei(b)) = r.cols.get_mut(5) {
            b.append_value(wei);
        }
        r.int(6, GAS_USED);
        r.int(7, GAS_PRICE);
        r.int(8, GAS_USED);
        r.text(9, None);
        r.int(10, 1);
        r.int(12, block);
        r.text(13, Some(&block_hash));
        r.finish_row(11, t.time);
        // One transaction in four also moves the token, between the same
        // addresses (a token amount of six decimals).
        if t.hash[0] % 4 == 0 {
            let r = &mut self.tokens;
            r.text(0, Some(LAKE_TOKEN));
            r.text(1, Some(&from));
            r.text(2, Some(&to));
            r.text(3, Some(&(t.amount / 1_000_000_000_000 + 1).to_string()));
            r.text(4, Some(&hash));
            r.int(5, 0);
            r.int(6, position);
            r.int(8, block);
            r.text(9, Some(&block_hash));
            r.finish_row(7, t.time);
        }
        Ok(())
    }

    /// Writes the rows gathered so far as one partition of each table.
    fn flush(&mut self) -> Result<(), LakeError> {
        let Some(first) = self.first_block else {
            return Ok(());
        };
        for table in Table::ALL {
            let rows = match table {
                Table::Transactions => &mut self.tx,
                Table::TokenTransfers => &mut self.tokens,
            };
            if rows.rows == 0 {
                continue;
            }
            let rel = format!(
                "{}/block_range={first}-{}/part-0.parquet",
                table.dir(),
                self.last_block
            );
            let path = self.root.join(&rel);
            let dir = path.parent().unwrap_or(self.root);
            std::fs::create_dir_all(dir).map_err(|source| LakeError::Io {
                path: dir.to_path_buf(),
                source,
            })?;
            let file = File::create(&path).map_err(|source| LakeError::Io {
                path: path.clone(),
                source,
            })?;
            let batch = rows.batch()?;
            let mut w = ArrowWriter::try_new(file, table.schema(), Some(properties(table)))?;
            w.write(&batch)?;
            w.close()?;
            let part = Partition {
                path: rel,
                first_block: first,
                last_block: self.last_block,
                first_time: rows.first_time,
                last_time: rows.last_time,
                rows: rows.rows,
            };
            match table {
                Table::Transactions => self.manifest.transactions.push(part),
                Table::TokenTransfers => self.manifest.token_transfers.push(part),
            }
            *rows = Rows::new(table);
        }
        self.first_block = None;
        Ok(())
    }
}

/// Writes the ledger [`generate_with`] makes from `cfg` as a lake under
/// `root`: a `transactions` table (one row per generated transfer, each
/// with a 21,000-gas fee at 30 gwei) and a `token_transfers` table (one
/// transaction in four also moves a token, [`LAKE_TOKEN`], between the
/// same addresses), partitioned by block range (a partition closes at the
/// first block boundary after `rows_per_partition` transactions), and the
/// manifest `lake.json`.
///
/// # Errors
///
/// I/O and Parquet errors.
pub fn write_lake(
    cfg: &GenConfig,
    root: &Path,
    rows_per_partition: u64,
) -> Result<WrittenLake, LakeError> {
    std::fs::create_dir_all(root).map_err(|source| LakeError::Io {
        path: root.to_path_buf(),
        source,
    })?;
    let mut w = Writer {
        root,
        rows_per_partition: rows_per_partition.max(1),
        tx: Rows::new(Table::Transactions),
        tokens: Rows::new(Table::TokenTransfers),
        first_block: None,
        last_block: 0,
        manifest: Manifest {
            format: FORMAT.to_string(),
            version: VERSION,
            transactions: Vec::new(),
            token_transfers: Vec::new(),
        },
    };
    let mut failure = None;
    let (thefts, hot, deposits, mixer) = generate_with(cfg, |t| {
        if failure.is_none() {
            if let Err(e) = w.add(&t) {
                failure = Some(e);
            }
        }
    });
    if let Some(e) = failure {
        return Err(e);
    }
    w.flush()?;
    let path = root.join(MANIFEST);
    let text = serde_json::to_string_pretty(&w.manifest).map_err(|e| LakeError::Write {
        problem: e.to_string(),
    })?;
    std::fs::write(&path, text).map_err(|source| LakeError::Io { path, source })?;
    Ok(WrittenLake {
        manifest: w.manifest,
        thefts,
        exchange_hot_wallets: hot,
        exchange_deposits: deposits,
        mixer,
    })
}
