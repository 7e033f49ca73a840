//! Named-field records from CSV (with a header) or JSON lines, so each
//! format's reader is written once for both encodings.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::BufRead;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::records::Context;
use super::{Encoding, IngestError};

/// Longest JSON line accepted; longer ones are an error rather than an
/// allocation the input controls.
const MAX_LINE: usize = 16 << 20;

/// A field a reader asks for.
#[derive(Copy, Clone, Debug)]
pub(crate) struct Field {
    pub(crate) name: &'static str,
    /// Other header names the same field goes by (CSV only).
    pub(crate) alts: &'static [&'static str],
    pub(crate) required: bool,
}

/// A field that may go by several header names.
pub(crate) const fn any_of(names: &'static [&'static str], required: bool) -> Field {
    Field {
        name: names[0],
        alts: names,
        required,
    }
}

pub(crate) const fn req(name: &'static str) -> Field {
    Field {
        name,
        alts: &[],
        required: true,
    }
}

pub(crate) const fn opt(name: &'static str) -> Field {
    Field {
        name,
        alts: &[],
        required: false,
    }
}

/// One record's values, in the order of the requested fields.
pub(crate) struct Values<'a> {
    pub(crate) line: u64,
    values: Vec<Option<Cow<'a, str>>>,
    fields: &'a [Field],
}

impl Values<'_> {
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

    /// Name of field number `i`.
    pub(crate) fn name(&self, i: usize) -> &'static str {
        self.fields[i].name
    }
}

#[derive(Deserialize)]
struct JsonObject<'a>(#[serde(borrow)] HashMap<Cow<'a, str>, &'a RawValue>);

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
    };
    // A whole-file problem (empty, wrong header) is one counted skip in
    // lenient mode, like a bad record.
    let seen = match seen {
        Err(e @ IngestError::File { .. }) => {
            ctx.reject(e, b"")?;
            return Ok(());
        }
        other => other?,
    };
    if seen == 0 {
        let err = ctx.file_error(match encoding {
            Encoding::Csv => "no records after the header",
            Encoding::JsonLines => "no records",
        });
        ctx.reject(err, b"")?;
    }
    Ok(())
}

fn csv_records(
    input: &mut impl BufRead,
    fields: &[Field],
    ctx: &mut Context<'_, '_>,
    on_record: &mut impl FnMut(&Values<'_>, &mut Context<'_, '_>) -> Result<(), IngestError>,
) -> Result<u64, IngestError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(input);
    let headers = match reader.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(csv_error(ctx, e)),
    };
    if headers.is_empty() || (headers.len() == 1 && headers[0].is_empty()) {
        return Err(ctx.file_error("empty file: expected a header line"));
    }
    let header_names: Vec<String> = headers
        .iter()
        .map(|h| {
            String::from_utf8_lossy(h)
                .trim()
                .trim_start_matches('\u{feff}')
                .to_string()
        })
        .collect();
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
    let mut record = csv::ByteRecord::new();
    let mut seen = 0u64;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                seen += 1;
                let raw = e.position().map(|_| Vec::new()).unwrap_or_default();
                let err = csv_error(ctx, e);
                if matches!(err, IngestError::Io { .. }) {
                    return Err(err);
                }
                ctx.reject(err, &raw)?;
                continue;
            }
        }
        seen += 1;
        let line = record.position().map_or(0, |p| p.line());
        let mut values = Vec::with_capacity(fields.len());
        let mut bad = None;
        for (f, pos) in fields.iter().zip(&index) {
            match pos.and_then(|p| record.get(p)) {
                None => values.push(None),
                Some(bytes) => match std::str::from_utf8(bytes) {
                    Ok(s) => values.push(Some(Cow::Borrowed(s))),
                    Err(_) => {
                        bad = Some(ctx.field_error(
                            line,
                            f.name,
                            &String::from_utf8_lossy(bytes),
                            "invalid UTF-8",
                        ));
                        break;
                    }
                },
            }
        }
        let result = match bad {
            Some(e) => Err(e),
            None => on_record(
                &Values {
                    line,
                    values,
                    fields,
                },
                ctx,
            ),
        };
        if let Err(e) = result {
            let raw = record.iter().collect::<Vec<_>>().join(&b","[..]);
            ctx.reject(e, &raw)?;
        }
    }
    Ok(seen)
}

fn csv_error(ctx: &Context<'_, '_>, e: csv::Error) -> IngestError {
    let line = e.position().map_or(0, |p| p.line());
    match e.into_kind() {
        csv::ErrorKind::Io(source) => IngestError::Io {
            path: ctx.path.clone(),
            source,
        },
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => ctx.record_error(
            line,
            format!("record has {len} fields, the header has {expected_len} (truncated or malformed line)"),
        ),
        other => ctx.record_error(line, format!("malformed CSV: {other:?}")),
    }
}

/// Reads one line (without the newline) into `buf`, refusing lines longer
/// than [`MAX_LINE`]. Returns false at end of input.
fn read_line_bounded(
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
            too_long = true;
            buf.clear();
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
                ctx.reject(e, b"")?;
                continue;
            }
        }
        let trimmed = buf.trim_ascii();
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
