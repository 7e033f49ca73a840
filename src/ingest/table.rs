//! Named-field records from CSV (with a header) or JSON lines, so each
//! format's reader is written once for both encodings.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::BufRead;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::csv_split::{CsvSplitter, Record, SplitError, MAX_RECORD};
use super::records::Context;
use super::{Encoding, IngestError};

/// Longest JSON line accepted; longer ones are an error rather than an
/// allocation the input controls.
const MAX_LINE: usize = 16 << 20;

/// Buffer size of input readers.
pub(crate) const READ_BUFFER: usize = 1 << 20;

/// A field a reader asks for.
#[derive(Copy, Clone, Debug)]
pub(crate) struct Field {
    pub(crate) name: &'static str,
    /// Other header names the same field goes by (CSV only).
    pub(crate) alts: &'static [&'static str],
    /// Other column names the same field goes by in Parquet files (cryo);
    /// see [`Field::or_parquet`]. Only read by the Parquet reader.
    #[cfg_attr(not(feature = "parquet"), allow(dead_code))]
    pub(crate) parquet: &'static [&'static str],
    pub(crate) required: bool,
}

impl Field {
    /// The same field, also found under these Parquet column names (cryo's
    /// datasets). When several of the field's columns are present, each
    /// row takes the first that is not null.
    pub(crate) const fn or_parquet(self, names: &'static [&'static str]) -> Field {
        Field {
            parquet: names,
            ..self
        }
    }
}

/// A field that may go by several header names.
pub(crate) const fn any_of(names: &'static [&'static str], required: bool) -> Field {
    Field {
        name: names[0],
        alts: names,
        parquet: &[],
        required,
    }
}

pub(crate) const fn req(name: &'static str) -> Field {
    Field {
        name,
        alts: &[],
        parquet: &[],
        required: true,
    }
}

pub(crate) const fn opt(name: &'static str) -> Field {
    Field {
        name,
        alts: &[],
        parquet: &[],
        required: false,
    }
}

/// One record's values, in the order of the requested fields.
pub(crate) struct Values<'a> {
    pub(crate) line: u64,
    values: Vec<Option<Cow<'a, str>>>,
    fields: &'a [Field],
}

impl<'a> Values<'a> {
    /// A record's values (in the order of `fields`).
    #[cfg_attr(not(feature = "parquet"), allow(dead_code))]
    pub(crate) fn new(line: u64, values: Vec<Option<Cow<'a, str>>>, fields: &'a [Field]) -> Self {
        Values {
            line,
            values,
            fields,
        }
    }

    /// The values, for reuse of their allocation.
    #[cfg_attr(not(feature = "parquet"), allow(dead_code))]
    pub(crate) fn into_values(self) -> Vec<Option<Cow<'a, str>>> {
        self.values
    }

    /// The value of field number `i` (as requested); `None` when absent,
    /// null or empty.
    pub(crate) fn get(&self, i: usize) -> Option<&str> {
        match self.values.get(i) {
            Some(Some(v)) if !v.is_empty() => Some(v.as_ref()),
            _ => None,
        }
    }

    /// The value of a required field number `i` ("" when empty).
    pub(crate) fn req(&self, i: usize) -> &str {
        match self.values.get(i) {
            Some(Some(v)) => v.as_ref(),
            _ => "",
        }
    }

    /// The values' buffer, for reuse (see [`recycle`]).
    pub(crate) fn into_buffer(self) -> Vec<Option<Cow<'a, str>>> {
        self.values
    }

    /// Name of field number `i`.
    pub(crate) fn name(&self, i: usize) -> &'static str {
        self.fields[i].name
    }
}

/// A JSON object's members, refusing an object that gives one key twice
/// (a map would keep the last silently; CSV refuses nothing of the kind
/// only because a header cannot be read twice per record).
struct JsonObject<'a>(HashMap<Cow<'a, str>, &'a RawValue>);

impl<'de: 'a, 'a> Deserialize<'de> for JsonObject<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Members<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Members<'a> {
            type Value = JsonObject<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<Self::Value, M::Error> {
                let mut members = HashMap::new();
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    let value: &'de RawValue = map.next_value()?;
                    if members.contains_key(&key) {
                        let mut shown: String = key.chars().take(100).collect();
                        shown = shown.escape_debug().to_string();
                        return Err(serde::de::Error::custom(format!("duplicate key `{shown}`")));
                    }
                    members.insert(key, value);
                }
                Ok(JsonObject(members))
            }
        }
        d.deserialize_map(Members(std::marker::PhantomData))
    }
}

/// The header names of a CSV input, without consuming records.
pub(crate) fn csv_header_names(input: &mut impl BufRead) -> std::io::Result<Vec<String>> {
    let buf = input.fill_buf()?;
    let end = buf.iter().position(|&b| b == b'\n').unwrap_or(buf.len());
    let line = String::from_utf8_lossy(&buf[..end]);
    Ok(line
        .trim_end_matches('\r')
        .split(',')
        .map(|h| {
            h.trim()
                .trim_matches('"')
                .trim_start_matches('\u{feff}')
                .to_string()
        })
        .collect())
}

/// Calls `on_record` for every record of `input`. Errors from `on_record`
/// and malformed records go through [`Context::reject`] (strict: stop;
/// lenient: count and go on). Whole-file problems are returned.
pub(crate) fn for_each_record(
    input: &mut impl BufRead,
    encoding: Encoding,
    fields: &[Field],
    ctx: &mut Context<'_, '_>,
    mut on_record: impl FnMut(&Values<'_>, &mut Context<'_, '_>) -> Result<(), IngestError>,
) -> Result<(), IngestError> {
    let seen = match encoding {
        Encoding::Csv => csv_records(input, fields, ctx, &mut on_record),
        Encoding::JsonLines => json_records(input, fields, ctx, &mut on_record),
        Encoding::Parquet => parquet_records(input, fields, ctx, &mut on_record),
    };
    // A whole-file problem (empty, wrong header) is not a record: it is an
    // error in lenient mode too, so a file is never dropped whole with a
    // count that looks like one skipped record.
    if seen? == 0 {
        return Err(ctx.file_error(match encoding {
            Encoding::Csv => "no records after the header",
            Encoding::JsonLines | Encoding::Parquet => "no records",
        }));
    }
    Ok(())
}

/// A Parquet file's rows (the file is read whole: the reader needs random
/// access, and the digest covers every byte as for text).
#[cfg(feature = "parquet")]
fn parquet_records(
    input: &mut impl BufRead,
    fields: &[Field],
    ctx: &mut Context<'_, '_>,
    on_record: &mut impl FnMut(&Values<'_>, &mut Context<'_, '_>) -> Result<(), IngestError>,
) -> Result<u64, IngestError> {
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(input, &mut bytes).map_err(|source| IngestError::Io {
        path: ctx.path.clone(),
        source,
    })?;
    super::parquet_input::records(bytes, fields, ctx, on_record)
}

/// Without the `parquet` feature, a Parquet input is refused.
#[cfg(not(feature = "parquet"))]
fn parquet_records(
    _input: &mut impl BufRead,
    _fields: &[Field],
    ctx: &mut Context<'_, '_>,
    _on_record: &mut impl FnMut(&Values<'_>, &mut Context<'_, '_>) -> Result<(), IngestError>,
) -> Result<u64, IngestError> {
    Err(ctx.file_error(super::NO_PARQUET))
}

/// Where each wanted field is in a CSV file's records: the header's number
/// of columns and each field's column.
#[derive(Clone, Debug)]
pub(crate) struct CsvColumns {
    width: usize,
    index: Vec<Option<usize>>,
}

/// Reads the header line and finds the wanted fields in it.
pub(crate) fn csv_header<R: std::io::Read>(
    reader: &mut CsvSplitter<R>,
    fields: &[Field],
    ctx: &Context<'_, '_>,
) -> Result<CsvColumns, IngestError> {
    let header_names: Vec<String> = match reader.next_record() {
        Ok(Some(h)) => h
            .iter()
            .map(|h| {
                String::from_utf8_lossy(h)
                    .trim()
                    .trim_start_matches('\u{feff}')
                    .to_string()
            })
            .collect(),
        Ok(None) => return Err(ctx.file_error("empty file: expected a header line")),
        Err(e) => {
            let (err, _, _) = split_error(ctx, e);
            return Err(match err {
                IngestError::Io { .. } => err,
                other => ctx.file_error(format!("unreadable header: {other}")),
            });
        }
    };
    let mut index = Vec::with_capacity(fields.len());
    for f in fields {
        let pos = header_names
            .iter()
            .position(|h| h == f.name || f.alts.contains(&h.as_str()));
        if pos.is_none() && f.required {
            return Err(ctx.file_error(format!(
                "wrong header: no column `{}` (found: {})",
                f.name,
                header_names.join(",")
            )));
        }
        index.push(pos);
    }
    Ok(CsvColumns {
        width: header_names.len(),
        index,
    })
}

/// What the splitter gave: a record, the end, or a record it could not
/// split (the error, its raw bytes and whether they are only its start).
pub(crate) enum Next<'r> {
    Record(Record<'r>),
    End,
    Unsplit(IngestError, Vec<u8>, bool),
}

/// The next record of `reader`; I/O errors are returned.
pub(crate) fn csv_next<'r, R: std::io::Read>(
    reader: &'r mut CsvSplitter<R>,
    ctx: &Context<'_, '_>,
) -> Result<Next<'r>, IngestError> {
    match reader.next_record() {
        Ok(Some(r)) => Ok(Next::Record(r)),
        Ok(None) => Ok(Next::End),
        Err(e) => {
            let (err, raw, truncated) = split_error(ctx, e);
            if matches!(err, IngestError::Io { .. }) {
                return Err(err);
            }
            Ok(Next::Unsplit(err, raw, truncated))
        }
    }
}

/// A value buffer (see [`recycle`]).
pub(crate) type ValueBuffer<'r> = Vec<Option<Cow<'r, str>>>;

/// Why [`csv_values`] refused a record (boxed: refusals are rare, and the
/// answer stays small), and the value buffer back.
pub(crate) type Refused<'r> = (Box<IngestError>, ValueBuffer<'r>);

/// A record's values (`values` is an empty buffer to fill, see
/// [`recycle`]), or why the record is refused: a number of fields other
/// than the header's, or a wanted field that is not UTF-8.
pub(crate) fn csv_values<'r>(
    record: &Record<'r>,
    columns: &CsvColumns,
    fields: &'r [Field],
    ctx: &Context<'_, '_>,
    mut values: Vec<Option<Cow<'r, str>>>,
) -> Result<Values<'r>, Refused<'r>> {
    let line = record.line;
    if record.len() != columns.width {
        let err = ctx.record_error(
            line,
            format!(
                "record has {} fields, the header has {} (truncated or malformed line)",
                record.len(),
                columns.width
            ),
        );
        return Err((Box::new(err), values));
    }
    // One UTF-8 check for the whole record is much cheaper than one per
    // field; only when it fails are the wanted fields checked one by one
    // (a bad byte in a column no reader uses is not an error).
    let whole = std::str::from_utf8(record.as_slice()).ok();
    for (f, pos) in fields.iter().zip(&columns.index) {
        let Some(range) = pos.and_then(|p| record.range(p)) else {
            values.push(None);
            continue;
        };
        let text = match whole {
            // Fields end at ASCII separators, so they are whole characters.
            Some(all) => all.get(range).ok_or(&[][..]),
            None => {
                let bytes = &record.as_slice()[range];
                std::str::from_utf8(bytes).map_err(|_| bytes)
            }
        };
        match text {
            Ok(s) => values.push(Some(Cow::Borrowed(s))),
            Err(bytes) => {
                let err = ctx.field_error(
                    line,
                    f.name,
                    &String::from_utf8_lossy(bytes),
                    "invalid UTF-8",
                );
                return Err((Box::new(err), values));
            }
        }
    }
    Ok(Values {
        line,
        values,
        fields,
    })
}

/// The records of a CSV input after its header, each given to
/// `on_record`; returns how many there were (refused ones included).
pub(crate) fn csv_body<R: std::io::Read>(
    reader: &mut CsvSplitter<R>,
    columns: &CsvColumns,
    fields: &[Field],
    ctx: &mut Context<'_, '_>,
    on_record: &mut impl FnMut(&Values<'_>, &mut Context<'_, '_>) -> Result<(), IngestError>,
) -> Result<u64, IngestError> {
    let mut seen = 0u64;
    // One allocation for every record's values (see `recycle`).
    let mut spare: Vec<Option<Cow<'_, str>>> = Vec::with_capacity(fields.len());
    loop {
        let record = match csv_next(reader, ctx)? {
            Next::Record(r) => r,
            Next::End => break,
            Next::Unsplit(err, raw, truncated) => {
                seen += 1;
                ctx.reject_with(err, &raw, truncated)?;
                continue;
            }
        };
        seen += 1;
        let values = csv_values(
            &record,
            columns,
            fields,
            ctx,
            recycle(std::mem::take(&mut spare)),
        );
        let (result, buffer) = match values {
            Ok(values) => {
                let result = on_record(&values, ctx);
                (result, values.values)
            }
            Err((err, buffer)) => (Err(*err), buffer),
        };
        spare = recycle(buffer);
        if let Err(e) = result {
            ctx.reject(e, record.raw)?;
        }
    }
    Ok(seen)
}

fn csv_records(
    input: &mut impl BufRead,
    fields: &[Field],
    ctx: &mut Context<'_, '_>,
    on_record: &mut impl FnMut(&Values<'_>, &mut Context<'_, '_>) -> Result<(), IngestError>,
) -> Result<u64, IngestError> {
    // Twice the digest reader's buffer, so reads are whole buffers that
    // bypass it instead of copying through it.
    let mut reader = CsvSplitter::new(input, 2 * READ_BUFFER);
    let columns = csv_header(&mut reader, fields, ctx)?;
    csv_body(&mut reader, &columns, fields, ctx, on_record)
}

/// Empties a value buffer and hands its allocation on with a new lifetime
/// (an in-place collect of no items reuses the buffer).
pub(crate) fn recycle<'b>(mut values: Vec<Option<Cow<'_, str>>>) -> Vec<Option<Cow<'b, str>>> {
    values.clear();
    values.into_iter().map(|_| None).collect()
}

/// The error, the raw bytes to keep in the rejects, and whether they are
/// only the start of the record.
fn split_error(ctx: &Context<'_, '_>, e: SplitError) -> (IngestError, Vec<u8>, bool) {
    match e {
        SplitError::Io(source) => (
            IngestError::Io {
                path: ctx.path.clone(),
                source,
            },
            Vec::new(),
            false,
        ),
        SplitError::TooLong { line, prefix } => (
            ctx.record_error(line, format!("record longer than {} MiB", MAX_RECORD >> 20)),
            prefix,
            true,
        ),
        SplitError::Unterminated { line, raw } => (
            ctx.record_error(
                line,
                "unterminated quote: the quoted field is never closed (this line is skipped, reading goes on with the next)",
            ),
            raw,
            false,
        ),
    }
}

/// Reads one line (without the newline) into `buf`, refusing lines longer
/// than [`MAX_LINE`]. Returns false at end of input.
pub(crate) fn read_line_bounded(
    input: &mut impl BufRead,
    buf: &mut Vec<u8>,
) -> std::io::Result<Result<bool, ()>> {
    buf.clear();
    let mut too_long = false;
    loop {
        let available = input.fill_buf()?;
        if available.is_empty() {
            return Ok(if too_long {
                Err(())
            } else {
                Ok(!buf.is_empty())
            });
        }
        let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (&available[..i], Some(i + 1)),
            None => (available, None),
        };
        if !too_long && buf.len() + chunk.len() <= MAX_LINE {
            buf.extend_from_slice(chunk);
        } else {
            // Keep the start of the line for the rejects.
            let room = MAX_LINE.saturating_sub(buf.len()).min(chunk.len());
            buf.extend_from_slice(&chunk[..room]);
            too_long = true;
        }
        let used = done.unwrap_or(chunk.len());
        input.consume(used);
        if done.is_some() {
            return Ok(if too_long { Err(()) } else { Ok(true) });
        }
    }
}

fn json_records(
    input: &mut impl BufRead,
    fields: &[Field],
    ctx: &mut Context<'_, '_>,
    on_record: &mut impl FnMut(&Values<'_>, &mut Context<'_, '_>) -> Result<(), IngestError>,
) -> Result<u64, IngestError> {
    let mut buf = Vec::new();
    let mut line = 0u64;
    let mut seen = 0u64;
    loop {
        let got = read_line_bounded(input, &mut buf).map_err(|source| IngestError::Io {
            path: ctx.path.clone(),
            source,
        })?;
        line += 1;
        match got {
            Ok(false) => break,
            Ok(true) => {}
            Err(()) => {
                seen += 1;
                let e = ctx.record_error(line, format!("line longer than {MAX_LINE} bytes"));
                ctx.reject_with(e, &buf, true)?;
                continue;
            }
        }
        // A UTF-8 byte-order mark at the start of the file is dropped, as
        // in CSV files.
        let text = match (line, buf.strip_prefix(b"\xef\xbb\xbf")) {
            (1, Some(rest)) => rest,
            _ => &buf[..],
        };
        let trimmed = text.trim_ascii();
        if trimmed.is_empty() {
            continue;
        }
        seen += 1;
        let result = parse_json_values(trimmed, fields, line, ctx).and_then(|values| {
            on_record(
                &Values {
                    line,
                    values,
                    fields,
                },
                ctx,
            )
        });
        if let Err(e) = result {
            ctx.reject(e, trimmed)?;
        }
    }
    Ok(seen)
}

fn parse_json_values<'a>(
    bytes: &'a [u8],
    fields: &[Field],
    line: u64,
    ctx: &Context<'_, '_>,
) -> Result<Vec<Option<Cow<'a, str>>>, IngestError> {
    let text = std::str::from_utf8(bytes).map_err(|_| ctx.record_error(line, "invalid UTF-8"))?;
    let obj: JsonObject<'a> = serde_json::from_str(text)
        .map_err(|e| ctx.record_error(line, format!("not a JSON object: {e}")))?;
    let mut values = Vec::with_capacity(fields.len());
    for f in fields {
        match obj.0.get(f.name) {
            None if f.required => {
                return Err(ctx.record_error(line, format!("missing key `{}`", f.name)))
            }
            None => values.push(None),
            Some(raw) => {
                let s = raw.get();
                if s == "null" {
                    values.push(None);
                } else if s.starts_with('"') {
                    let v: Cow<'a, str> =
                        serde_json::from_str(s).map_err(|e| ctx.field_error(line, f.name, s, e))?;
                    values.push(Some(v));
                } else {
                    values.push(Some(Cow::Borrowed(s)));
                }
            }
        }
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recycling_keeps_the_allocation() {
        let text = String::from("x");
        let mut values: Vec<Option<Cow<'_, str>>> = Vec::with_capacity(12);
        values.push(Some(Cow::Borrowed(&text)));
        let pointer = values.as_ptr() as usize;
        let recycled: Vec<Option<Cow<'static, str>>> = recycle(values);
        assert!(recycled.is_empty());
        assert_eq!(recycled.capacity(), 12);
        assert_eq!(recycled.as_ptr() as usize, pointer);
    }
}
