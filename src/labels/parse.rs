//! Label parsers for CSV, JSON and plain address lists (text in, labels out).

use std::collections::BTreeMap;

use serde_json::value::RawValue;
use serde_json::Value;

use super::addr::{guess_chain, normalize_chain, parse_label_address};
use super::{Category, Confidence, Label, LabelError, LabelSet};

/// Options shared by the loaders.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// Skip bad records (counting them per reason in
    /// [`LabelSet::skipped`]) instead of stopping at the first one.
    pub lenient: bool,
    /// Chain for records that name none (default: guessed from the
    /// address: `0x…` is `ethereum`, a valid Bitcoin address `bitcoin`).
    pub chain: Option<String>,
    /// Category for records that name none (CSV without a `category`
    /// column, or with an empty one). Lists always take the caller's category.
    pub category: Option<Category>,
    /// Source for records that name none (default: the file name).
    pub source: Option<String>,
    /// Confidence for records that name none (default: 50, service data).
    pub confidence: Option<Confidence>,
}

/// The raw fields of one record, before checking.
#[derive(Default)]
pub(crate) struct RawLabel {
    pub address: Option<String>,
    pub chain: Option<String>,
    pub entity: Option<String>,
    pub category: Option<String>,
    pub actor: Option<String>,
    pub source: Option<String>,
    pub confidence: Option<String>,
    pub origin_note: Option<String>,
}

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

fn field_err(
    file: &str,
    line: u64,
    field: &str,
    value: &str,
    reason: impl Into<String>,
) -> LabelError {
    LabelError::Field {
        file: file.to_string(),
        line,
        field: field.to_string(),
        value: value.to_string(),
        reason: reason.into(),
    }
}

/// Checks one record and makes it a label.
pub(crate) fn make_label(
    raw: &RawLabel,
    file: &str,
    line: u64,
    opts: &LoadOptions,
) -> Result<Label, LabelError> {
    let addr_text = non_empty(raw.address.as_deref())
        .ok_or_else(|| field_err(file, line, "address", "", "empty address"))?;
    let given_chain = non_empty(raw.chain.as_deref())
        .map(normalize_chain)
        .or_else(|| opts.chain.as_deref().map(normalize_chain));
    let address = parse_label_address(given_chain.as_deref().unwrap_or(""), addr_text)
        .map_err(|e| field_err(file, line, "address", addr_text, e))?;
    let chain = given_chain.unwrap_or_else(|| guess_chain(&address).to_string());
    let category = match non_empty(raw.category.as_deref()) {
        Some(c) => {
            Category::parse(c).map_err(|e| field_err(file, line, "category", c, e.to_string()))?
        }
        None => opts.category.ok_or_else(|| {
            field_err(
                file,
                line,
                "category",
                "",
                "empty category and no default given",
            )
        })?,
    };
    let confidence = match non_empty(raw.confidence.as_deref()) {
        Some(c) => Confidence::parse(c).map_err(|v| {
            field_err(
                file,
                line,
                "confidence",
                &v,
                "not a confidence name or number 0-100",
            )
        })?,
        None => opts.confidence.unwrap_or(Confidence::SERVICE),
    };
    let source = non_empty(raw.source.as_deref())
        .map(str::to_string)
        .or_else(|| opts.source.clone())
        .unwrap_or_else(|| file_name(file).to_string());
    let origin = match non_empty(raw.origin_note.as_deref()) {
        Some(n) => format!("{}:{line} ({n})", file_name(file)),
        None => format!("{}:{line}", file_name(file)),
    };
    Ok(Label {
        address,
        chain,
        entity: non_empty(raw.entity.as_deref()).unwrap_or("").to_string(),
        category,
        actor: non_empty(raw.actor.as_deref()).map(str::to_string),
        source,
        confidence,
        origin: Some(origin),
    })
}

/// The last path component of `file`, for origins.
pub(crate) fn file_name(file: &str) -> &str {
    file.rsplit(['/', '\\']).next().unwrap_or(file)
}

/// Adds `result` to `set`, or counts it as skipped (lenient) / returns it (strict).
pub(crate) fn add_or_skip(
    set: &mut LabelSet,
    result: Result<Label, LabelError>,
    opts: &LoadOptions,
) -> Result<(), LabelError> {
    match result {
        Ok(l) => {
            set.insert(l);
            Ok(())
        }
        Err(e) if opts.lenient => {
            set.record_skip(e.skip_reason());
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// Which column of a CSV header holds which field.
#[derive(Default)]
struct Columns {
    address: Option<usize>,
    chain: Option<usize>,
    entity: Option<usize>,
    category: Option<usize>,
    actor: Option<usize>,
    source: Option<usize>,
    confidence: Option<usize>,
    origin_note: Option<usize>,
}

impl Columns {
    fn from_header(header: &csv::StringRecord) -> Columns {
        let mut c = Columns::default();
        for (i, name) in header.iter().enumerate() {
            let key = name
                .trim()
                .trim_start_matches('\u{feff}')
                .to_ascii_lowercase()
                .replace([' ', '-'], "_");
            let slot = match key.as_str() {
                "address" | "addr" | "banned_address" | "contract_address" => &mut c.address,
                "chain" | "currency" | "network" | "blockchain" => &mut c.chain,
                "entity" | "name" | "label" | "name_tag" | "wallet_tag" | "etherscan_tag" => {
                    &mut c.entity
                }
                "category" | "type" | "data_source" | "etherscan_labels" => &mut c.category,
                "actor" => &mut c.actor,
                "source" | "attribution_source" => &mut c.source,
                "confidence" => &mut c.confidence,
                "source_file" => &mut c.origin_note,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(i);
            }
        }
        // Tutela's shape (`address,name,account_type,entity,…`): `name` is
        // the entity and `entity` the category.
        let has = |n: &str| header.iter().any(|h| h.trim().eq_ignore_ascii_case(n));
        if c.category.is_none() && has("name") && has("entity") {
            c.category = header
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case("entity"));
            c.entity = header
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case("name"));
        }
        c
    }
}

/// Parses labels from CSV with a header row.
///
/// Columns are found by header name (case-insensitive; the first match
/// wins): `address` (also `addr`, `banned_address`), `chain` (also
/// `currency`), `entity` (also `name`, `label`, `wallet_tag`), `category`
/// (also `type`, `data_source`), `actor`, `source` (also
/// `attribution_source`), `confidence`, `source_file` (kept in the origin).
/// This reads both `address,entity,category[,actor,source]` and
/// `attributed_addresses.csv` (`chain,address,entity,category,attribution_source,source_file`).
/// With `name` and `entity` columns but no `category` (Tutela's
/// `known_addresses.csv`), `name` is the entity and `entity` the category.
/// Other columns are ignored. Lines are 1-based with the header on line 1.
///
/// # Errors
///
/// [`LabelError::MissingColumn`] without an address column (or without a
/// category column and no default category); in strict mode the first bad
/// record as [`LabelError::Field`] or [`LabelError::Syntax`].
pub fn parse_csv(text: &str, file: &str, opts: &LoadOptions) -> Result<LabelSet, LabelError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = rdr.headers().map_err(|e| LabelError::Syntax {
        file: file.to_string(),
        line: 1,
        message: e.to_string(),
    })?;
    let cols = Columns::from_header(header);
    let Some(addr_col) = cols.address else {
        return Err(LabelError::MissingColumn {
            file: file.to_string(),
            column: "address",
        });
    };
    if cols.category.is_none() && opts.category.is_none() {
        return Err(LabelError::MissingColumn {
            file: file.to_string(),
            column: "category",
        });
    }
    let mut set = LabelSet::new();
    let mut record = csv::StringRecord::new();
    loop {
        let line = rdr.position().line();
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let err = LabelError::Syntax {
                    file: file.to_string(),
                    line: e.position().map_or(line, csv::Position::line),
                    message: e.to_string(),
                };
                if opts.lenient && !matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    set.record_skip(err.skip_reason());
                    continue;
                }
                return Err(err);
            }
        }
        let line = record.position().map_or(line, csv::Position::line);
        let get = |c: Option<usize>| c.and_then(|i| record.get(i)).map(str::to_string);
        let raw = RawLabel {
            address: record.get(addr_col).map(str::to_string),
            chain: get(cols.chain),
            entity: get(cols.entity),
            category: get(cols.category),
            actor: get(cols.actor),
            source: get(cols.source),
            confidence: get(cols.confidence),
            origin_note: get(cols.origin_note),
        };
        add_or_skip(&mut set, make_label(&raw, file, line, opts), opts)?;
    }
    Ok(set)
}

/// Byte offsets of the line starts of a text, to find lines by offset.
struct LineIndex(Vec<usize>);

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex(starts)
    }

    /// Line (1-based) of byte `offset`.
    fn line(&self, offset: usize) -> u64 {
        self.0.partition_point(|&s| s <= offset) as u64
    }
}

/// Byte offset of `part` inside `whole` (`part` must be a sub-slice).
fn offset_in(whole: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize)
}

fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn raw_from_object(obj: &serde_json::Map<String, Value>) -> RawLabel {
    let pick = |keys: &[&str]| keys.iter().find_map(|k| obj.get(*k).and_then(value_text));
    RawLabel {
        address: pick(&["address", "addr"]),
        chain: pick(&["chain", "currency", "network"]),
        entity: pick(&["entity", "name", "label"]),
        category: pick(&["category", "type"]),
        actor: pick(&["actor"]),
        source: pick(&["source", "attribution_source"]),
        confidence: pick(&["confidence"]),
        origin_note: pick(&["source_file"]),
    }
}

/// Parses labels from JSON.
///
/// Two shapes are read:
/// - an array of objects with the CSV fields as keys (`address`, `chain`,
///   `entity`, `category`, `actor`, `source`, `confidence`; values strings,
///   confidence may be a number);
/// - an object keyed by address whose values are `{"name": …, "labels": […]}`
///   (the Etherscan label dump `combinedAllLabels.json`): one label per
///   distinct category that [`Category::parse`] finds among `labels` (so
///   `["ofac-sanctions-lists", "tornado-cash"]` gives a sanctioned and a
///   mixer label), the entity is `name`; a record with no known label is
///   an error (skipped when lenient).
///
/// # Errors
///
/// [`LabelError::Syntax`] for malformed JSON or another shape; in strict
/// mode the first bad record as [`LabelError::Field`], with the line where
/// the record starts.
pub fn parse_json(text: &str, file: &str, opts: &LoadOptions) -> Result<LabelSet, LabelError> {
    let syntax = |e: serde_json::Error| LabelError::Syntax {
        file: file.to_string(),
        line: e.line() as u64,
        message: e.to_string(),
    };
    let trimmed = text.trim_start();
    let lines = LineIndex::new(text);
    let mut set = LabelSet::new();
    if trimmed.starts_with('[') {
        let items: Vec<&RawValue> = serde_json::from_str(text).map_err(syntax)?;
        for item in items {
            let line = lines.line(offset_in(text, item.get()));
            let result = match serde_json::from_str::<Value>(item.get()) {
                Ok(Value::Object(obj)) => make_label(&raw_from_object(&obj), file, line, opts),
                Ok(_) => Err(LabelError::Syntax {
                    file: file.to_string(),
                    line,
                    message: "expected an object".to_string(),
                }),
                Err(e) => Err(syntax(e)),
            };
            add_or_skip(&mut set, result, opts)?;
        }
    } else {
        let items: BTreeMap<String, &RawValue> = serde_json::from_str(text).map_err(syntax)?;
        for (address, item) in items {
            let line = lines.line(offset_in(text, item.get()));
            let result = match serde_json::from_str::<Value>(item.get()) {
                Ok(Value::Object(obj)) => {
                    let labels: Vec<String> = obj
                        .get("labels")
                        .and_then(Value::as_array)
                        .map(|a| a.iter().filter_map(value_text).collect())
                        .unwrap_or_default();
                    let mut raw = raw_from_object(&obj);
                    raw.address = Some(address.clone());
                    let mut categories: Vec<Category> = match raw.category.as_deref() {
                        Some(_) => Vec::new(),
                        None => labels
                            .iter()
                            .filter_map(|l| Category::parse(l).ok())
                            .collect(),
                    };
                    categories.sort();
                    categories.dedup();
                    if raw.category.is_some() || (categories.is_empty() && opts.category.is_some())
                    {
                        make_label(&raw, file, line, opts)
                    } else if let Some((last, rest)) = categories.split_last() {
                        // One label per category the record's labels name.
                        for c in rest {
                            raw.category = Some(c.name().to_string());
                            add_or_skip(&mut set, make_label(&raw, file, line, opts), opts)?;
                        }
                        raw.category = Some(last.name().to_string());
                        make_label(&raw, file, line, opts)
                    } else {
                        Err(field_err(
                            file,
                            line,
                            "labels",
                            &labels.join(";"),
                            "no known category",
                        ))
                    }
                }
                Ok(_) => Err(LabelError::Syntax {
                    file: file.to_string(),
                    line,
                    message: format!("value of `{address}` is not an object"),
                }),
                Err(e) => Err(syntax(e)),
            };
            add_or_skip(&mut set, result, opts)?;
        }
    }
    Ok(set)
}

/// Parses a plain list: one address per line, every one given `category`.
///
/// Blank lines and lines starting with `#` are skipped. The entity is the
/// file name; the source is [`LoadOptions::source`] or the file name; the
/// chain is [`LoadOptions::chain`] or guessed per address. This reads the
/// OFAC lists `sanctioned_addresses_<ASSET>.txt`.
///
/// # Errors
///
/// In strict mode, the first bad address as [`LabelError::Field`].
pub fn parse_list(
    text: &str,
    file: &str,
    category: Category,
    opts: &LoadOptions,
) -> Result<LabelSet, LabelError> {
    let mut set = LabelSet::new();
    let entity = file_name(file).to_string();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim().trim_start_matches('\u{feff}');
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let raw = RawLabel {
            address: Some(t.to_string()),
            entity: Some(entity.clone()),
            category: Some(category.name().to_string()),
            ..RawLabel::default()
        };
        add_or_skip(&mut set, make_label(&raw, file, i as u64 + 1, opts), opts)?;
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::Address;

    const CSV: &str = "address,entity,category,actor,source\n\
        0x098B716B8Aaf21512996dC57EB0615e2383E2f96,Ronin exploiter,exploiter,lazarusgroup,FBI\n\
        1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa,Genesis,other,,\n";

    #[test]
    fn csv_by_header_names() {
        let s = parse_csv(CSV, "x.csv", &LoadOptions::default()).unwrap();
        assert_eq!(s.len(), 2);
        let a: Address = "0x098b716b8aaf21512996dc57eb0615e2383e2f96"
            .parse()
            .unwrap();
        let l = &s.get(&a)[0];
        assert_eq!(l.chain, "ethereum");
        assert_eq!(l.actor.as_deref(), Some("lazarusgroup"));
        assert_eq!(l.origin.as_deref(), Some("x.csv:2"));
        let g = Address::text("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa").unwrap();
        assert_eq!(s.get(&g)[0].chain, "bitcoin");
        assert_eq!(s.get(&g)[0].source, "x.csv");
    }

    #[test]
    fn csv_errors_name_file_line_field_value() {
        let bad = "address,category\n0x12,exchange\n";
        let e = parse_csv(bad, "bad.csv", &LoadOptions::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "bad.csv:2: field `address`: invalid value `0x12`: expected 0x and 40 hex digits, found 4 characters"
        );
        let bad = "address,category\n0x098b716b8aaf21512996dc57eb0615e2383e2f96,teapot\n";
        let e = parse_csv(bad, "bad.csv", &LoadOptions::default()).unwrap_err();
        assert!(e
            .to_string()
            .starts_with("bad.csv:2: field `category`: invalid value `teapot`"));
        let lenient = LoadOptions {
            lenient: true,
            ..LoadOptions::default()
        };
        let s = parse_csv(bad, "bad.csv", &lenient).unwrap();
        assert_eq!(s.len(), 0);
        assert_eq!(s.skipped().get("invalid category"), Some(&1));
        assert!(matches!(
            parse_csv("addr,name\n", "n.csv", &LoadOptions::default()),
            Err(LabelError::MissingColumn {
                column: "category",
                ..
            })
        ));
    }

    #[test]
    fn json_both_shapes_with_lines() {
        let arr = "[\n {\"address\": \"0x098b716b8aaf21512996dc57eb0615e2383e2f96\", \"category\": \"exploiter\", \"confidence\": 90},\n {\"address\": \"0x12\", \"category\": \"mixer\"}\n]";
        let e = parse_json(arr, "a.json", &LoadOptions::default()).unwrap_err();
        assert!(
            e.to_string().starts_with("a.json:3: field `address`"),
            "{e}"
        );
        let lenient = LoadOptions {
            lenient: true,
            ..LoadOptions::default()
        };
        let s = parse_json(arr, "a.json", &lenient).unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s.iter().next().map(|l| l.confidence.level()), Some(90));
        let map = r#"{"0xd90e2f925da726b50c4ed8d0fb90ad053324f31b": {"name": "Tornado.Cash: Router", "labels": ["tornado-cash"]},
"0x0000000000000000000000000000000000000001": {"name": "x", "labels": ["token-contract"]}}"#;
        let s = parse_json(map, "c.json", &lenient).unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s.iter().next().map(|l| l.category), Some(Category::Mixer));
        assert_eq!(s.skipped().get("invalid labels"), Some(&1));
    }

    #[test]
    fn lists_take_the_callers_category() {
        let s = parse_list(
            "# c\n\n0x098B716B8Aaf21512996dC57EB0615e2383E2f96\n",
            "l.txt",
            Category::Sanctioned,
            &LoadOptions::default(),
        )
        .unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(
            s.iter().next().map(|l| l.origin.clone()),
            Some(Some("l.txt:3".into()))
        );
    }
}
