//! Parquet inputs: BigQuery `crypto_ethereum` exports and `cryo` datasets.
//!
//! A Parquet file feeds the same record pipeline as CSV and JSON lines
//! ([`super::table::for_each_record`]): each row becomes the text values of
//! the fields a reader asks for, so every column is checked and normalised
//! by the one mapping in [`super::ethereum_etl`], with the same errors. A row
//! is numbered from 1 across row groups; that number stands where a CSV
//! error names a line.
//!
//! Cells become text as follows:
//!
//! | Parquet column | text |
//! |---|---|
//! | `BOOLEAN` | `1` or `0` (cryo `success`) |
//! | `INT32`/`INT64` (signed or unsigned) | decimal digits |
//! | `DECIMAL` (INT32, INT64, fixed or variable bytes; BigQuery `NUMERIC`, `BIGNUMERIC`) | the exact decimal; a zero fraction is dropped, any other fraction is kept (and refused by the amount parser, as in CSV) |
//! | `TIMESTAMP` millis/micros/nanos, legacy `INT96` | unix seconds (fractions dropped, as in CSV) |
//! | `STRING`/`ENUM`/`JSON` bytes | the text (UTF-8 checked) |
//! | other bytes whose column name ends in `_binary` (cryo `value_binary`) | the unsigned big-endian integer, in decimal |
//! | other bytes (cryo addresses and hashes) | `0x` and lowercase hex |
//! | `FLOAT`/`DOUBLE` | refused: amounts are never read through floats |
//!
//! A field may be found under several column names (cryo's `transaction_hash`
//! for `hash`, `erc20` for `token_address`, `action_value` for `value`, …:
//! [`Field::parquet`]); when several are present, each row takes the first
//! that is not null (cryo traces: `action_to`, else `result_address`). A
//! cryo `trace_address` (`0_1_2`) is read as `0,1,2`.
//!
//! The whole file is read into memory (so its digest is computed as for
//! every input); [`super::parquet_guard`] checks its structure first, so
//! what the reader allocates stays bounded by the bytes present. Decoding
//! goes in batches of [`BATCH`] rows.

use std::borrow::Cow;
use std::fmt::Write as _;

use ::parquet::basic::{ConvertedType, LogicalType, TimeUnit, Type as PhysicalType};
use ::parquet::column::reader::{ColumnReader, ColumnReaderImpl};
use ::parquet::data_type::{
    BoolType, ByteArrayType, DataType, DoubleType, FixedLenByteArrayType, FloatType, Int32Type,
    Int64Type, Int96Type,
};
use ::parquet::file::reader::{FileReader, SerializedFileReader};
use ::parquet::schema::types::ColumnDescPtr;

use super::parquet_guard::{check_footer, check_pages};
use super::records::Context;
use super::table::{Field, Values};
use super::IngestError;

/// Rows decoded at a time per column.
pub(crate) const BATCH: usize = 4096;

/// How a column's cells become text.
#[derive(Copy, Clone, Debug)]
enum Kind {
    Bool,
    Signed,
    Unsigned,
    /// Units per second.
    Timestamp(i64),
    Int96Time,
    Decimal(i32),
    Text,
    BigEndian,
    Hex,
}

/// A column read for one field.
struct Column {
    index: usize,
    name: String,
    kind: Kind,
    optional: bool,
    /// Definition level of a present value (1 for a flat optional column).
    max_def: i16,
    /// cryo's `0_1_2` trace addresses.
    underscores: bool,
}

/// Builds a positioned Parquet error.
pub(crate) fn error(
    ctx: &Context<'_, '_>,
    row_group: Option<usize>,
    row: Option<u64>,
    column: Option<&str>,
    problem: impl ToString,
) -> IngestError {
    IngestError::Parquet {
        path: ctx.path.clone(),
        at: Box::new(super::ParquetPlace {
            row_group,
            row,
            column: column.map(str::to_string),
        }),
        problem: problem.to_string(),
    }
}

fn kind_of(descr: &ColumnDescPtr) -> Result<Kind, String> {
    let logical = descr.logical_type();
    let converted = descr.converted_type();
    let physical = descr.physical_type();
    if let Some(LogicalType::Decimal { scale, .. }) = logical {
        return Ok(Kind::Decimal(scale));
    }
    if converted == ConvertedType::DECIMAL {
        return Ok(Kind::Decimal(descr.type_scale()));
    }
    let per_second = |unit: &TimeUnit| match unit {
        TimeUnit::MILLIS(_) => 1_000,
        TimeUnit::MICROS(_) => 1_000_000,
        TimeUnit::NANOS(_) => 1_000_000_000,
    };
    match physical {
        PhysicalType::BOOLEAN => Ok(Kind::Bool),
        PhysicalType::INT32 | PhysicalType::INT64 => Ok(match (&logical, converted) {
            (Some(LogicalType::Timestamp { unit, .. }), _) => Kind::Timestamp(per_second(unit)),
            (_, ConvertedType::TIMESTAMP_MILLIS) => Kind::Timestamp(1_000),
            (_, ConvertedType::TIMESTAMP_MICROS) => Kind::Timestamp(1_000_000),
            (Some(LogicalType::Integer {
                is_signed: false, ..
            }), _)
            | (_, ConvertedType::UINT_8 | ConvertedType::UINT_16)
            | (_, ConvertedType::UINT_32 | ConvertedType::UINT_64) => Kind::Unsigned,
            (Some(LogicalType::Date | LogicalType::Time { .. }), _)
            | (_, ConvertedType::DATE | ConvertedType::TIME_MILLIS | ConvertedType::TIME_MICROS) => {
                return Err("holds dates or times of day, not numbers or timestamps".into())
            }
            _ => Kind::Signed,
        }),
        PhysicalType::INT96 => Ok(Kind::Int96Time),
        PhysicalType::FLOAT | PhysicalType::DOUBLE => Err(
            "holds floating-point numbers: amounts are never read through floats (export exact values: a decimal string, NUMERIC, or cryo's `value_binary`/`value_string`)"
                .into(),
        ),
        PhysicalType::BYTE_ARRAY | PhysicalType::FIXED_LEN_BYTE_ARRAY => {
            let text = matches!(
                logical,
                Some(LogicalType::String | LogicalType::Enum | LogicalType::Json)
            ) || matches!(
                converted,
                ConvertedType::UTF8 | ConvertedType::ENUM | ConvertedType::JSON
            );
            Ok(if text {
                Kind::Text
            } else if descr.name().ends_with("_binary") {
                Kind::BigEndian
            } else {
                Kind::Hex
            })
        }
    }
}

/// The smallest plain-encoded size of one value, in bits (for the
/// dictionary-page check).
fn value_bits(descr: &ColumnDescPtr) -> i64 {
    match descr.physical_type() {
        PhysicalType::BOOLEAN => 1,
        PhysicalType::INT32 | PhysicalType::FLOAT => 32,
        PhysicalType::INT64 | PhysicalType::DOUBLE => 64,
        PhysicalType::INT96 => 96,
        PhysicalType::BYTE_ARRAY => 32,
        PhysicalType::FIXED_LEN_BYTE_ARRAY => i64::from(descr.type_length().max(1)) * 8,
    }
}

/// Chooses the columns of every field, refusing missing required fields
/// and unusable types before any row is read.
fn choose_columns(
    columns: &[ColumnDescPtr],
    fields: &[Field],
    ctx: &Context<'_, '_>,
) -> Result<Vec<Vec<Column>>, IngestError> {
    let mut chosen = Vec::with_capacity(fields.len());
    for f in fields {
        let mut picked = Vec::new();
        for name in std::iter::once(&f.name).chain(f.alts).chain(f.parquet) {
            let Some((index, descr)) = columns
                .iter()
                .enumerate()
                .find(|(_, d)| d.path().parts().len() == 1 && d.name() == *name)
            else {
                continue;
            };
            if picked.iter().any(|c: &Column| c.index == index) {
                continue;
            }
            let kind = kind_of(descr).map_err(|p| error(ctx, None, None, Some(name), p))?;
            picked.push(Column {
                index,
                name: descr.name().to_string(),
                kind,
                optional: descr.max_def_level() > 0,
                max_def: descr.max_def_level(),
                underscores: f.name == "trace_address",
            });
        }
        if picked.is_empty() {
            // A field only in nested columns (lists, structs) is not read.
            if let Some(d) = columns.iter().find(|d| {
                d.path().parts().first().map(String::as_str) == Some(f.name)
                    && d.path().parts().len() > 1
            }) {
                return Err(error(
                    ctx,
                    None,
                    None,
                    Some(&d.path().string()),
                    "nested column: expected a flat column",
                ));
            }
            if f.required {
                let floats: Vec<&str> = columns
                    .iter()
                    .map(|d| d.name())
                    .filter(|n| {
                        std::iter::once(&f.name)
                            .chain(f.parquet)
                            .any(|w| *n == format!("{w}_f64") || *n == format!("{w}_f32"))
                    })
                    .collect();
                let problem = if let Some(n) = floats.first() {
                    format!(
                        "no column `{}` with exact values, only `{n}` (floating point, never used for amounts): export `{}_binary` or `{}_string` (cryo --u256-types binary string)",
                        f.name, f.name, f.name
                    )
                } else {
                    let names: Vec<&str> = columns.iter().map(|d| d.name()).collect();
                    format!(
                        "wrong columns: no column `{}`{} (found: {})",
                        f.name,
                        if f.parquet.is_empty() {
                            String::new()
                        } else {
                            format!(" or `{}`", f.parquet.join("`, `"))
                        },
                        names.join(",")
                    )
                };
                return Err(error(ctx, None, None, None, problem));
            }
        }
        chosen.push(picked);
    }
    Ok(chosen)
}

/// A typed column reader with its buffers for one batch.
enum Reader {
    Bool(ColumnReaderImpl<BoolType>, Vec<bool>),
    I32(ColumnReaderImpl<Int32Type>, Vec<i32>),
    I64(ColumnReaderImpl<Int64Type>, Vec<i64>),
    I96(ColumnReaderImpl<Int96Type>, Vec<<Int96Type as DataType>::T>),
    F32(ColumnReaderImpl<FloatType>, Vec<f32>),
    F64(ColumnReaderImpl<DoubleType>, Vec<f64>),
    Bytes(
        ColumnReaderImpl<ByteArrayType>,
        Vec<<ByteArrayType as DataType>::T>,
    ),
    Fixed(
        ColumnReaderImpl<FixedLenByteArrayType>,
        Vec<<FixedLenByteArrayType as DataType>::T>,
    ),
}

impl Reader {
    fn new(r: ColumnReader) -> Self {
        match r {
            ColumnReader::BoolColumnReader(r) => Reader::Bool(r, Vec::new()),
            ColumnReader::Int32ColumnReader(r) => Reader::I32(r, Vec::new()),
            ColumnReader::Int64ColumnReader(r) => Reader::I64(r, Vec::new()),
            ColumnReader::Int96ColumnReader(r) => Reader::I96(r, Vec::new()),
            ColumnReader::FloatColumnReader(r) => Reader::F32(r, Vec::new()),
            ColumnReader::DoubleColumnReader(r) => Reader::F64(r, Vec::new()),
            ColumnReader::ByteArrayColumnReader(r) => Reader::Bytes(r, Vec::new()),
            ColumnReader::FixedLenByteArrayColumnReader(r) => Reader::Fixed(r, Vec::new()),
        }
    }

    /// Reads up to `n` rows: returns how many, with `defs` holding each
    /// row's definition level (for optional columns).
    fn read(
        &mut self,
        n: usize,
        defs: &mut Vec<i16>,
    ) -> Result<usize, ::parquet::errors::ParquetError> {
        defs.clear();
        macro_rules! go {
            ($r:expr, $v:expr) => {{
                $v.clear();
                $r.read_records(n, Some(defs), None, $v)
                    .map(|(rows, _, _)| rows)
            }};
        }
        match self {
            Reader::Bool(r, v) => go!(r, v),
            Reader::I32(r, v) => go!(r, v),
            Reader::I64(r, v) => go!(r, v),
            Reader::I96(r, v) => go!(r, v),
            Reader::F32(r, v) => go!(r, v),
            Reader::F64(r, v) => go!(r, v),
            Reader::Bytes(r, v) => go!(r, v),
            Reader::Fixed(r, v) => go!(r, v),
        }
    }

    /// Writes value number `i` (among the non-null values) as text.
    fn text(&self, i: usize, kind: Kind, out: &mut String) -> Result<(), String> {
        out.clear();
        fn at<T>(v: &[T], i: usize) -> Result<&T, String> {
            v.get(i)
                .ok_or_else(|| "corrupt column data: fewer values than rows".to_string())
        }
        match self {
            Reader::Bool(_, v) => out.push(if *at(v, i)? { '1' } else { '0' }),
            Reader::I32(_, v) => int_text(i64::from(*at(v, i)?), kind, 32, out)?,
            Reader::I64(_, v) => int_text(*at(v, i)?, kind, 64, out)?,
            Reader::I96(_, v) => {
                let d = at(v, i)?.data();
                let nanos = (i64::from(d[1]) << 32) | i64::from(d[0]);
                let days = i64::from(d[2]) - 2_440_588;
                let secs = days
                    .checked_mul(86_400)
                    .and_then(|s| s.checked_add(nanos.div_euclid(1_000_000_000)))
                    .ok_or("INT96 timestamp out of range")?;
                let _ = write!(out, "{secs}");
            }
            Reader::F32(..) | Reader::F64(..) => return Err("floating-point value".into()),
            Reader::Bytes(_, v) => bytes_text(at(v, i)?.data(), kind, out)?,
            Reader::Fixed(_, v) => bytes_text(at(v, i)?.data(), kind, out)?,
        }
        Ok(())
    }
}

fn int_text(v: i64, kind: Kind, bits: u32, out: &mut String) -> Result<(), String> {
    match kind {
        Kind::Unsigned => {
            // Unsigned columns are stored in the signed type of their width.
            let u = if bits == 32 {
                u64::from(v as i32 as u32)
            } else {
                v as u64
            };
            let _ = write!(out, "{u}");
        }
        Kind::Timestamp(per_second) => {
            let _ = write!(out, "{}", v.div_euclid(per_second));
        }
        Kind::Decimal(scale) => decimal_text(&v.to_be_bytes(), scale, out)?,
        _ => {
            let _ = write!(out, "{v}");
        }
    }
    Ok(())
}

fn bytes_text(b: &[u8], kind: Kind, out: &mut String) -> Result<(), String> {
    match kind {
        Kind::Text => out.push_str(std::str::from_utf8(b).map_err(|_| "invalid UTF-8")?),
        Kind::Decimal(scale) => decimal_text(b, scale, out)?,
        Kind::BigEndian => {
            let digits = b.iter().position(|&x| x != 0).map_or(&[][..], |p| &b[p..]);
            if digits.len() > 32 {
                return Err(format!("{}-byte integer: more than 256 bits", b.len()));
            }
            let mut word = [0u8; 32];
            word[32 - digits.len()..].copy_from_slice(digits);
            let _ = write!(out, "{}", ethnum::U256::from_be_bytes(word));
        }
        _ => {
            out.push_str("0x");
            for x in b {
                let _ = write!(out, "{x:02x}");
            }
        }
    }
    Ok(())
}

/// The exact decimal of a big-endian two's-complement unscaled integer.
fn decimal_text(b: &[u8], scale: i32, out: &mut String) -> Result<(), String> {
    if b.len() > 32 {
        return Err(format!("{}-byte decimal: more than 256 bits", b.len()));
    }
    let negative = b.first().is_some_and(|&x| x & 0x80 != 0);
    let mut word = [if negative { 0xff } else { 0 }; 32];
    word[32 - b.len()..].copy_from_slice(b);
    let v = ethnum::I256::from_be_bytes(word);
    let digits = v.unsigned_abs().to_string();
    if negative {
        out.push('-');
    }
    if scale <= 0 {
        out.push_str(&digits);
        if digits != "0" {
            out.push_str(&"0".repeat(scale.unsigned_abs() as usize));
        }
        return Ok(());
    }
    let scale = scale as usize;
    let padded = if digits.len() <= scale {
        format!("{}{digits}", "0".repeat(scale + 1 - digits.len()))
    } else {
        digits
    };
    let (int, frac) = padded.split_at(padded.len() - scale);
    out.push_str(int);
    let frac = frac.trim_end_matches('0');
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    Ok(())
}

/// One chosen column, reading.
struct Open<'c> {
    column: &'c Column,
    reader: Reader,
    defs: Vec<i16>,
    /// Index of the next non-null value in the batch.
    next: usize,
}

/// Calls `on_record` for every row of the Parquet file in `bytes`, as
/// [`super::table::for_each_record`] does for text; returns the rows seen.
pub(crate) fn records(
    bytes: Vec<u8>,
    fields: &[Field],
    ctx: &mut Context<'_, '_>,
    on_record: &mut impl FnMut(&Values<'_>, &mut Context<'_, '_>) -> Result<(), IngestError>,
) -> Result<u64, IngestError> {
    check_footer(&bytes).map_err(|e| error(ctx, None, None, None, e))?;
    let file_len = bytes.len() as u64;
    let data = bytes::Bytes::from(bytes);
    let reader = guarded(|| SerializedFileReader::new(data.clone()))
        .and_then(|r| r.map_err(|e| e.to_string()))
        .map_err(|e| {
            error(
                ctx,
                None,
                None,
                None,
                format!("corrupt Parquet metadata: {e}"),
            )
        })?;
    let schema = reader.metadata().file_metadata().schema_descr_ptr();
    let chosen = choose_columns(schema.columns(), fields, ctx)?;
    let mut seen = 0u64;
    let mut texts: Vec<String> = vec![String::new(); fields.len()];
    let mut spare: Vec<Option<Cow<'_, str>>> = Vec::with_capacity(fields.len());
    for g in 0..reader.num_row_groups() {
        let meta = reader.metadata().row_group(g);
        let rows = u64::try_from(meta.num_rows())
            .map_err(|_| error(ctx, Some(g), None, None, "negative row count"))?;
        // Check the page headers of every column read before decoding.
        for c in chosen.iter().flatten() {
            let cm = meta.column(c.index);
            let start = cm.dictionary_page_offset().unwrap_or(cm.data_page_offset());
            let len = cm.compressed_size();
            let end = start.checked_add(len);
            let inside = start >= 0 && len >= 0 && end.is_some_and(|e| e as u64 <= file_len);
            if !inside {
                return Err(error(
                    ctx,
                    Some(g),
                    None,
                    Some(&c.name),
                    format!(
                        "column chunk at {start}+{len} lies outside the file ({file_len} bytes)"
                    ),
                ));
            }
            let chunk = &data[start as usize..(start + len) as usize];
            check_pages(chunk, value_bits(&cm.column_descr_ptr()))
                .map_err(|e| error(ctx, Some(g), None, Some(&c.name), e))?;
        }
        let group = reader
            .get_row_group(g)
            .map_err(|e| error(ctx, Some(g), None, None, e))?;
        let mut open: Vec<Vec<Open<'_>>> = Vec::with_capacity(chosen.len());
        for cols in &chosen {
            let mut v = Vec::with_capacity(cols.len());
            for c in cols {
                let r = guarded(|| group.get_column_reader(c.index))
                    .and_then(|r| r.map_err(|e| e.to_string()))
                    .map_err(|e| error(ctx, Some(g), None, Some(&c.name), e))?;
                v.push(Open {
                    column: c,
                    reader: Reader::new(r),
                    defs: Vec::new(),
                    next: 0,
                });
            }
            open.push(v);
        }
        let mut done = 0u64;
        while done < rows {
            let want = (rows - done).min(BATCH as u64) as usize;
            for o in open.iter_mut().flatten() {
                let got = guarded(|| o.reader.read(want, &mut o.defs))
                    .and_then(|r| r.map_err(|e| e.to_string()))
                    .map_err(|e| {
                        error(
                            ctx,
                            Some(g),
                            Some(seen + 1),
                            Some(&o.column.name),
                            format!("corrupt column data: {e}"),
                        )
                    })?;
                if got != want || (o.column.optional && o.defs.len() != want) {
                    return Err(error(
                        ctx,
                        Some(g),
                        Some(seen + got as u64 + 1),
                        Some(&o.column.name),
                        format!(
                            "the column ends after {} rows, the row group has {rows}",
                            done + got as u64
                        ),
                    ));
                }
                o.next = 0;
            }
            for i in 0..want {
                seen += 1;
                let line = seen;
                let mut bad = None;
                let mut used: Vec<Option<&str>> = vec![None; fields.len()];
                for (k, cols) in open.iter_mut().enumerate() {
                    let mut found = false;
                    for o in cols.iter_mut() {
                        let present = !o.column.optional || o.defs[i] == o.column.max_def;
                        if !present {
                            continue;
                        }
                        let at = o.next;
                        o.next += 1;
                        if found {
                            continue;
                        }
                        found = true;
                        used[k] = Some(o.column.name.as_str());
                        let kind = o.column.kind;
                        let text = &mut texts[k];
                        let reader = &o.reader;
                        let converted = guarded(|| reader.text(at, kind, text)).and_then(|r| r);
                        if let Err(p) = converted {
                            bad.get_or_insert_with(|| ctx.field_error(line, &o.column.name, "", p));
                        } else if o.column.underscores {
                            texts[k] = texts[k].replace('_', ",");
                        }
                    }
                    if !found {
                        texts[k].clear();
                    }
                }
                let mut values = super::table::recycle(std::mem::take(&mut spare));
                for t in &texts {
                    values.push(if t.is_empty() {
                        None
                    } else {
                        Some(Cow::Borrowed(t.as_str()))
                    });
                }
                let record = Values::new(line, values, fields);
                let result = match bad {
                    Some(e) => Err(e),
                    None => on_record(&record, ctx),
                };
                spare = super::table::recycle(record.into_values());
                if let Err(mut e) = result {
                    // Name the column the value came from (`value_binary`,
                    // not the field's CSV name `value`).
                    if let IngestError::Field { field, .. } = &mut e {
                        let column = fields
                            .iter()
                            .position(|f| f.name == field.as_str())
                            .and_then(|k| used[k]);
                        if let Some(c) = column {
                            *field = c.to_string();
                        }
                    }
                    let raw = raw_row(fields, &texts);
                    ctx.reject(e, raw.as_bytes())?;
                }
            }
            done += want as u64;
        }
    }
    Ok(seen)
}

/// A row as one JSON object of the fields read, for the rejects file.
fn raw_row(fields: &[Field], texts: &[String]) -> String {
    let map: serde_json::Map<String, serde_json::Value> = fields
        .iter()
        .zip(texts)
        .filter(|(_, t)| !t.is_empty())
        .map(|(f, t)| (f.name.to_string(), serde_json::Value::String(t.clone())))
        .collect();
    serde_json::Value::Object(map).to_string()
}

thread_local! {
    /// Set while this thread runs a [`guarded`] step: its panics are expected
    /// (corrupt input) and become errors, so they are not printed.
    static IN_GUARDED_STEP: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs a step of the `parquet` crate, turning a panic on corrupt data
/// (which [`super::parquet_guard`] does not foresee) into an error.
///
/// The first call installs a panic hook that stays silent for panics inside
/// a guarded step on the same thread and hands every other panic to the hook
/// that was there before: a user then sees the positioned error alone, not a
/// panic message from inside the decoder followed by it.
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    static QUIET_HOOK: std::sync::Once = std::sync::Once::new();
    QUIET_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_GUARDED_STEP.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    let was = IN_GUARDED_STEP.with(|g| g.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    IN_GUARDED_STEP.with(|g| g.set(was));
    result.map_err(|_| "corrupt data (the Parquet decoder gave up)".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(b: &[u8], scale: i32) -> String {
        let mut s = String::new();
        decimal_text(b, scale, &mut s).unwrap_or_else(|e| s = e);
        s
    }

    #[test]
    fn decimals_are_exact() {
        // 1000 with scale 9 (BigQuery NUMERIC): 1000 × 10^9.
        assert_eq!(dec(&1_000_000_000_000i64.to_be_bytes(), 9), "1000");
        assert_eq!(dec(&1_500_000_000i64.to_be_bytes(), 9), "1.5");
        assert_eq!(dec(&5i64.to_be_bytes(), 9), "0.000000005");
        assert_eq!(dec(&(-5i64).to_be_bytes(), 0), "-5");
        assert_eq!(dec(&[0x01, 0x00], 0), "256");
        assert_eq!(dec(&[0u8; 33], 0), "33-byte decimal: more than 256 bits");
    }

    #[test]
    fn big_endian_integers_and_hex() {
        let mut s = String::new();
        bytes_text(&[0, 0, 1, 0], Kind::BigEndian, &mut s).unwrap();
        assert_eq!(s, "256");
        s.clear();
        bytes_text(&[0xab, 0x01], Kind::Hex, &mut s).unwrap();
        assert_eq!(s, "0xab01");
    }
}
