//! The lake's layout: its tables, their columns, and the manifest.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use serde::{Deserialize, Serialize};

use super::LakeError;
use crate::ingest::Format;

/// The manifest's file name, at the lake's root.
pub const MANIFEST: &str = "lake.json";

/// The manifest's `format` value.
pub const FORMAT: &str = "fundtrace-lake";

/// The manifest version this build writes and reads.
pub const VERSION: u32 = 1;

/// A table of the lake.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Table {
    /// BigQuery `crypto_ethereum.transactions` columns.
    Transactions,
    /// BigQuery `crypto_ethereum.token_transfers` columns, plus
    /// `transaction_index` (as cryo's `erc20_transfers`), so a token transfer
    /// is placed in event order without its transaction's row.
    TokenTransfers,
}

impl Table {
    /// Every table, in the order they are read.
    pub const ALL: [Table; 2] = [Table::Transactions, Table::TokenTransfers];

    /// The table's directory name under the lake's root.
    #[must_use]
    pub fn dir(self) -> &'static str {
        match self {
            Table::Transactions => "transactions",
            Table::TokenTransfers => "token_transfers",
        }
    }

    /// The ingest format its rows are read with.
    #[must_use]
    pub fn format(self) -> Format {
        match self {
            Table::Transactions => Format::EthTransactions,
            Table::TokenTransfers => Format::EthTokenTransfers,
        }
    }

    /// Columns holding an address that receives value (the frontier
    /// expands through them) besides `to_address`.
    #[must_use]
    pub(crate) fn receiver_columns(self) -> &'static [&'static str] {
        match self {
            Table::Transactions => &["to_address", "receipt_contract_address"],
            Table::TokenTransfers => &["to_address"],
        }
    }

    /// Every address column a row touches an address through.
    #[must_use]
    pub(crate) fn address_columns(self) -> &'static [&'static str] {
        match self {
            Table::Transactions => &["from_address", "to_address", "receipt_contract_address"],
            Table::TokenTransfers => &["from_address", "to_address"],
        }
    }

    /// The transaction hash column.
    #[must_use]
    pub(crate) fn hash_column(self) -> &'static str {
        match self {
            Table::Transactions => "hash",
            Table::TokenTransfers => "transaction_hash",
        }
    }

    /// The table's Arrow schema (BigQuery's types: addresses and hashes as
    /// lowercase `0x` strings, `value` as NUMERIC = decimal(38, 9) for
    /// transactions and a decimal string for token transfers, times as UTC
    /// microsecond timestamps).
    #[must_use]
    pub fn schema(self) -> SchemaRef {
        let ts = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
        let fields = match self {
            Table::Transactions => vec![
                Field::new("hash", DataType::Utf8, false),
                Field::new("nonce", DataType::Int64, false),
                Field::new("transaction_index", DataType::Int64, false),
                Field::new("from_address", DataType::Utf8, false),
                Field::new("to_address", DataType::Utf8, true),
                Field::new("value", DataType::Decimal128(38, 9), false),
                Field::new("gas", DataType::Int64, false),
                Field::new("gas_price", DataType::Int64, false),
                Field::new("receipt_gas_used", DataType::Int64, false),
                Field::new("receipt_contract_address", DataType::Utf8, true),
                Field::new("receipt_status", DataType::Int64, false),
                Field::new("block_timestamp", ts, false),
                Field::new("block_number", DataType::Int64, false),
                Field::new("block_hash", DataType::Utf8, false),
            ],
            Table::TokenTransfers => vec![
                Field::new("token_address", DataType::Utf8, false),
                Field::new("from_address", DataType::Utf8, false),
                Field::new("to_address", DataType::Utf8, false),
                Field::new("value", DataType::Utf8, false),
                Field::new("transaction_hash", DataType::Utf8, false),
                Field::new("log_index", DataType::Int64, false),
                Field::new("transaction_index", DataType::Int64, false),
                Field::new("block_timestamp", ts, false),
                Field::new("block_number", DataType::Int64, false),
                Field::new("block_hash", DataType::Utf8, false),
            ],
        };
        Arc::new(Schema::new(fields))
    }
}

/// One Parquet file of a table: a block range.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partition {
    /// Path relative to the lake's root
    /// (`<table>/block_range=<first>-<last>/part-0.parquet`).
    pub path: String,
    /// First block of the range.
    pub first_block: u64,
    /// Last block of the range (inclusive).
    pub last_block: u64,
    /// Earliest block time in the file, unix seconds.
    pub first_time: u64,
    /// Latest block time in the file, unix seconds.
    pub last_time: u64,
    /// Rows in the file.
    pub rows: u64,
}

/// The lake's manifest (`lake.json`): every table's partitions in block
/// order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`VERSION`].
    pub version: u32,
    /// Partitions of the `transactions` table.
    pub transactions: Vec<Partition>,
    /// Partitions of the `token_transfers` table.
    pub token_transfers: Vec<Partition>,
}

impl Manifest {
    /// The partitions of a table.
    #[must_use]
    pub fn partitions(&self, table: Table) -> &[Partition] {
        match table {
            Table::Transactions => &self.transactions,
            Table::TokenTransfers => &self.token_transfers,
        }
    }

    /// Rows in every table.
    #[must_use]
    pub fn rows(&self) -> u64 {
        Table::ALL
            .iter()
            .flat_map(|&t| self.partitions(t))
            .map(|p| p.rows)
            .sum()
    }

    /// Reads and checks the manifest of the lake at `root`.
    ///
    /// # Errors
    ///
    /// [`LakeError::Io`] when it cannot be read, [`LakeError::Manifest`]
    /// when it is not a manifest of this version.
    pub fn read(root: &Path) -> Result<Self, LakeError> {
        let path = root.join(MANIFEST);
        let text = std::fs::read_to_string(&path).map_err(|source| LakeError::Io {
            path: path.clone(),
            source,
        })?;
        let m: Manifest = serde_json::from_str(&text).map_err(|e| LakeError::Manifest {
            path: path.clone(),
            problem: e.to_string(),
        })?;
        if m.format != FORMAT || m.version != VERSION {
            return Err(LakeError::Manifest {
                path,
                problem: format!(
                    "format {:?} version {}, this build reads {FORMAT:?} version {VERSION}",
                    m.format, m.version
                ),
            });
        }
        for p in Table::ALL.iter().flat_map(|&t| m.partitions(t)) {
            let rel = Path::new(&p.path);
            if rel.is_absolute() || rel.components().any(|c| c.as_os_str() == "..") {
                return Err(LakeError::Manifest {
                    path,
                    problem: format!("partition path {:?} leaves the lake", p.path),
                });
            }
        }
        Ok(m)
    }

    /// The files of a table whose rows can lie at or before `until` (every
    /// file when `None`), with their absolute paths.
    #[must_use]
    pub fn files_until(&self, root: &Path, table: Table, until: Option<u64>) -> Vec<PathBuf> {
        self.partitions(table)
            .iter()
            .filter(|p| until.map_or(true, |u| p.first_time <= u))
            .map(|p| root.join(&p.path))
            .collect()
    }
}
