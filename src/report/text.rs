//! Text for a person: amounts in coin units with their symbol, ISO 8601
//! times, short addresses, escaped untrusted text, and lines that fit a
//! width.
//!
//! The readable summaries ([`TraceSummary`], [`ComparisonSummary`],
//! [`InspectionTable`], [`PathsReport`], [`FlowReport`]) are `Display`
//! adapters built from these pieces. They take the width to fit from the
//! formatter (`format!("{:80}", summary)`; [`DEFAULT_WIDTH`] when none is
//! given), so the caller decides: a terminal's width, or 100 columns when the
//! output is not a terminal.
//!
//! # Untrusted text
//!
//! Anything that came from input (labels, entity names, asset names, file
//! names, warnings that quote them) goes through [`escape`] before it is
//! printed: control characters (C0 with newline and tab, DEL, C1), bidi
//! overrides and isolates, zero-width and other invisible format characters
//! become visible escapes (`\x1b`, `\n`, `\u{202e}`), and a backslash is
//! doubled so that an escape cannot be typed in by hand. An escaped string
//! is one line that shows every character it holds, so a label cannot
//! clear the screen, reorder what follows it, or forge a line of the
//! report.
//!
//! # Widths
//!
//! Widths are counted in terminal columns: one per character, two for East
//! Asian wide characters and emoji, none for combining marks (a table of
//! the main ranges, not the full Unicode width tables). Escaped text holds
//! no control or zero-width characters.
//!
//! [`TraceSummary`]: super::trace::TraceSummary
//! [`ComparisonSummary`]: super::trace::ComparisonSummary
//! [`InspectionTable`]: super::inspect::InspectionTable
//! [`PathsReport`]: super::paths::PathsReport
//! [`FlowReport`]: super::paths::FlowReport

use std::borrow::Cow;
use std::fmt::{self, Write as _};

use crate::amount::{format_units, mul_div_floor, Amount};
use crate::assets::AssetMeta;

/// The width text output fits when the caller gives none (the width of a
/// terminal is the caller's to find).
pub const DEFAULT_WIDTH: usize = 100;

/// The narrowest width the summaries lay out for; narrower requests get this.
pub const MIN_WIDTH: usize = 40;

/// The width to fit: the formatter's (`{:80}`), at least [`MIN_WIDTH`], or
/// [`DEFAULT_WIDTH`].
#[must_use]
pub fn width_of_formatter(f: &fmt::Formatter<'_>) -> usize {
    f.width().unwrap_or(DEFAULT_WIDTH).max(MIN_WIDTH)
}

/// Writes `line` and a newline, cut to `width` columns (a last guard: the
/// summaries lay their lines out to fit).
///
/// # Errors
///
/// Whatever the formatter returns.
pub fn put(f: &mut fmt::Formatter<'_>, line: &str, width: usize) -> fmt::Result {
    let line = line.trim_end();
    if display_width(line) <= width {
        f.write_str(line)?;
    } else {
        f.write_str(&cut_escaped(line, width))?;
    }
    f.write_char('\n')
}

/// Inserts a comma between groups of three digits of a decimal integer
/// (`"75243"` → `"75,243"`).
///
/// # Examples
///
/// ```
/// use fundtrace::report::text::group_thousands;
/// assert_eq!(group_thousands("75243"), "75,243");
/// assert_eq!(group_thousands("100"), "100");
/// assert_eq!(group_thousands("1000000"), "1,000,000");
/// ```
#[must_use]
pub fn group_thousands(digits: &str) -> String {
    let n = digits.len();
    let mut out = String::with_capacity(n + n / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (n - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An amount as a number: coin units when `decimals` is known (exact,
/// trailing zeros trimmed), base units otherwise; thousands grouped.
///
/// # Examples
///
/// ```
/// use fundtrace::report::text::units;
/// assert_eq!(units(75_243_746_580_000_000_000_000, Some(18)), "75,243.74658");
/// assert_eq!(units(1, Some(18)), "0.000000000000000001");
/// assert_eq!(units(1_234_567, None), "1,234,567");
/// ```
#[must_use]
pub fn units(value: Amount, decimals: Option<u32>) -> String {
    let text = match decimals {
        Some(d) => format_units(value, d),
        None => value.to_string(),
    };
    match text.split_once('.') {
        Some((int, frac)) => format!("{}.{frac}", group_thousands(int)),
        None => group_thousands(&text),
    }
}

/// How an asset is named in text: its symbol, or for a token of unknown
/// decimals its contract shortened and `(base units)`; escaped.
///
/// # Examples
///
/// ```
/// use fundtrace::assets::AssetMeta;
/// use fundtrace::report::text::asset_label;
/// let c = "0x1111111111111111111111111111111111112222";
/// assert_eq!(asset_label(c, Some(&AssetMeta::new(c, None))), "0x111111…2222 (base units)");
/// assert_eq!(asset_label("ETH", Some(&AssetMeta::new("ETH", Some(18)))), "ETH");
/// ```
#[must_use]
pub fn asset_label(name: &str, meta: Option<&AssetMeta>) -> String {
    match meta {
        Some(m) if m.decimals.is_some() && m.symbol.starts_with("0x") => shorten(&m.symbol, 13),
        Some(m) if m.decimals.is_some() => shorten(&m.symbol, 24),
        Some(m) => format!("{} (base units)", shorten(&m.symbol, 13)),
        None => format!("{} (base units)", shorten(name, 13)),
    }
}

/// An amount with its asset: `"75,243.74658 ETH"`; for a token of unknown
/// decimals, base units and the shortened contract.
///
/// # Examples
///
/// ```
/// use fundtrace::assets::AssetMeta;
/// use fundtrace::report::text::amount;
/// let eth = AssetMeta::new("ETH", Some(18));
/// assert_eq!(amount(75_243_746_580_000_000_000_000, "ETH", Some(&eth)), "75,243.74658 ETH");
/// ```
#[must_use]
pub fn amount(value: Amount, name: &str, meta: Option<&AssetMeta>) -> String {
    format!(
        "{} {}",
        units(value, meta.and_then(|m| m.decimals)),
        asset_label(name, meta)
    )
}

/// `part` as a percentage of `whole`, one decimal, rounded down (exact
/// integer arithmetic); empty when `whole` is 0.
///
/// # Examples
///
/// ```
/// use fundtrace::report::text::percent;
/// assert_eq!(percent(2, 3), "66.6 %");
/// assert_eq!(percent(5, 0), "");
/// ```
#[must_use]
pub fn percent(part: Amount, whole: Amount) -> String {
    if whole == 0 {
        return String::new();
    }
    let permille = mul_div_floor(part, 1000, whole);
    format!("{}.{} %", permille / 10, permille % 10)
}

/// A unix time as ISO 8601 in UTC, to the second (`2022-03-23T16:29:44Z`).
///
/// Exact integer arithmetic (the days-to-civil-date algorithm of Howard
/// Hinnant's `chrono`-compatible date algorithms, proleptic Gregorian
/// calendar), so no date crate is needed for this one conversion.
///
/// # Examples
///
/// ```
/// use fundtrace::report::text::iso_time;
/// assert_eq!(iso_time(0), "1970-01-01T00:00:00Z");
/// assert_eq!(iso_time(1_648_052_984), "2022-03-23T16:29:44Z");
/// ```
#[must_use]
pub fn iso_time(unix: u64) -> String {
    let days = unix / 86_400;
    let secs = unix % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// A time as [`iso_time`], or `-` for 0 (reports write 0 for an unknown
/// time).
#[must_use]
pub fn time_or_dash(unix: u64) -> String {
    if unix == 0 {
        "-".to_string()
    } else {
        iso_time(unix)
    }
}

/// Year, month (1–12) and day (1–31) of the day `days` after 1970-01-01.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    // Shift the epoch to 0000-03-01, so that leap days end a year.
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097; // day of the 400-year era, 0..=146096
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // 0..=399
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // day of the March-based year
    let mp = (5 * doy + 2) / 153; // month, March = 0
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

/// Whether `c` is printed as an escape: a backslash, a control character
/// (C0, DEL, C1), or an invisible format character (bidi marks, overrides
/// and isolates, zero-width characters, line and paragraph separators, the
/// byte order mark, interlinear annotations, tag characters).
#[must_use]
pub fn needs_escape(c: char) -> bool {
    c == '\\'
        || c.is_control()
        || matches!(c,
            '\u{00ad}'
            | '\u{034f}'
            | '\u{061c}'
            | '\u{115f}'..='\u{1160}'
            | '\u{17b4}'..='\u{17b5}'
            | '\u{180b}'..='\u{180f}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{3164}'
            | '\u{fe00}'..='\u{fe0f}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0000}'..='\u{e0fff}')
}

/// Escapes untrusted text for a terminal: one line, every character
/// visible (see the module docs). Text with nothing to escape is returned
/// as it is.
///
/// # Examples
///
/// ```
/// use fundtrace::report::text::escape;
/// assert_eq!(escape("Binance 14"), "Binance 14");
/// assert_eq!(escape("a\x1b[2Jb\nc\u{202e}d\\"), "a\\x1b[2Jb\\nc\\u{202e}d\\\\");
/// ```
#[must_use]
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) && u32::from(c) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Columns a character takes in a terminal (0, 1 or 2), for text that
/// holds no control characters.
fn char_width(c: char) -> usize {
    match u32::from(c) {
        0x0300..=0x036f | 0x1ab0..=0x1aff | 0x1dc0..=0x1dff | 0x20d0..=0x20ff | 0xfe20..=0xfe2f => {
            0
        }
        0x1100..=0x115f
        | 0x2e80..=0x303e
        | 0x3041..=0x33ff
        | 0x3400..=0x4dbf
        | 0x4e00..=0x9fff
        | 0xa000..=0xa4cf
        | 0xac00..=0xd7a3
        | 0xf900..=0xfaff
        | 0xfe30..=0xfe4f
        | 0xff00..=0xff60
        | 0xffe0..=0xffe6
        | 0x1f300..=0x1f64f
        | 0x1f900..=0x1f9ff
        | 0x20000..=0x3fffd => 2,
        _ => 1,
    }
}

/// Columns `s` takes in a terminal (see the module docs).
#[must_use]
pub fn display_width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

/// Escapes `s` and cuts it to at most `max` columns, ending with `…` when
/// something was cut.
///
/// # Examples
///
/// ```
/// use fundtrace::report::text::cut;
/// assert_eq!(cut("Binance 14", 20), "Binance 14");
/// assert_eq!(cut("Binance Hot Wallet 14", 10), "Binance H…");
/// assert_eq!(cut("a\nb", 10), "a\\nb");
/// ```
#[must_use]
pub fn cut(s: &str, max: usize) -> String {
    cut_escaped(&escape(s), max)
}

/// Cuts already escaped text to `max` columns with a final `…`.
fn cut_escaped(s: &str, max: usize) -> String {
    if display_width(s) <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = char_width(c);
        if used + w + 1 > max {
            break;
        }
        out.push(c);
        used += w;
    }
    if max > 0 {
        out.push('…');
    }
    out
}

/// Escapes `s` and shortens it to at most `max` columns by an ellipsis in
/// the middle, keeping its start and end: the form for addresses and
/// hashes in tables (`0x098b71…2f96`).
///
/// # Examples
///
/// ```
/// use fundtrace::report::text::shorten;
/// let a = "0x098b716b8aaf21512996dc57eb0615e2383e2f96";
/// assert_eq!(shorten(a, 13), "0x098b71…2f96");
/// assert_eq!(shorten(a, 42), a);
/// ```
#[must_use]
pub fn shorten(s: &str, max: usize) -> String {
    let s = escape(s);
    if display_width(&s) <= max {
        return s.into_owned();
    }
    if max < 5 {
        return cut_escaped(&s, max);
    }
    let chars: Vec<char> = s.chars().collect();
    let tail_cols = (max - 1) * 2 / 5;
    let head_cols = max - 1 - tail_cols;
    let mut head = String::new();
    let mut used = 0;
    for &c in &chars {
        if used + char_width(c) > head_cols {
            break;
        }
        head.push(c);
        used += char_width(c);
    }
    let mut tail: Vec<char> = Vec::new();
    let mut used = 0;
    for &c in chars.iter().rev() {
        if used + char_width(c) > tail_cols {
            break;
        }
        tail.push(c);
        used += char_width(c);
    }
    tail.reverse();
    format!("{head}…{}", tail.into_iter().collect::<String>())
}

/// Wraps text into lines of at most `width` columns: the first starts with
/// `first`, the others with `rest` (a hanging indent). The text is escaped
/// first, so it cannot break lines itself; words longer than a line are
/// cut.
#[must_use]
pub fn wrap(text: &str, first: &str, rest: &str, width: usize) -> Vec<String> {
    let text = escape(text);
    let mut lines = Vec::new();
    let mut line = first.to_string();
    let mut empty = true;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let need = display_width(word) + usize::from(!empty);
        if !empty && display_width(&line) + need > width {
            lines.push(std::mem::replace(&mut line, rest.to_string()));
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        let room = width.saturating_sub(display_width(&line));
        line.push_str(&cut_escaped(word, room));
        empty = false;
    }
    lines.push(line);
    lines
}

/// Lays `items` out on as few lines as fit `width`, separated by `sep`; the
/// first line starts with `first`, the others with `rest`. Items are not
/// escaped here (they are the caller's formatted values) and are never
/// split.
#[must_use]
pub fn flow_items(
    items: &[String],
    sep: &str,
    first: &str,
    rest: &str,
    width: usize,
) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = first.to_string();
    let mut empty = true;
    for item in items {
        let need = display_width(item) + if empty { 0 } else { display_width(sep) };
        if !empty && display_width(&line) + need > width {
            // The separator's mark ends the line, so the list reads on.
            line.push_str(sep.trim_end());
            lines.push(std::mem::replace(&mut line, rest.to_string()));
            empty = true;
        }
        if !empty {
            line.push_str(sep);
        }
        line.push_str(item);
        empty = false;
    }
    lines.push(line);
    lines
}

/// The lines of a warnings list: a heading and each warning once, wrapped
/// with a hanging indent and escaped; at most `top` of them. Empty when
/// there are none.
#[must_use]
pub fn warning_lines(warnings: &[String], top: usize, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    if warnings.is_empty() {
        return out;
    }
    out.push(format!("warnings ({}):", warnings.len()));
    for w in warnings.iter().take(top) {
        out.extend(wrap(w, "  - ", "    ", width));
    }
    if warnings.len() > top {
        out.push(format!(
            "  … and {} more warnings (raise --top, or see the JSON report)",
            warnings.len() - top
        ));
    }
    out
}

/// How a column's cells are aligned.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Align {
    /// Left (text, addresses).
    Left,
    /// Right (counts).
    Right,
    /// On the decimal point (amounts): integer parts right-aligned,
    /// fractions and symbols left-aligned after them.
    Decimal,
}

/// A cell split at its decimal point (or before its unit): integer part
/// and the rest.
fn decimal_parts(cell: &str) -> (&str, &str) {
    let end = cell
        .find(|c: char| !(c.is_ascii_digit() || c == ','))
        .unwrap_or(cell.len());
    cell.split_at(end)
}

/// How a column gives way when a table is too wide.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Give {
    /// Never: amounts, times, counts.
    Never,
    /// Cut at the end with `…`, down to this many columns: labels, names.
    Cut(usize),
    /// Shortened in the middle, down to 13 columns (to 24 before any
    /// label is cut): addresses, hashes.
    Shorten,
}

/// One column of a [`Table`].
#[derive(Clone, Debug)]
pub struct Column {
    /// Heading.
    pub header: String,
    /// Alignment.
    pub align: Align,
    /// How it gives way to fit.
    pub give: Give,
}

impl Column {
    /// A column.
    #[must_use]
    pub fn new(header: &str, align: Align, give: Give) -> Column {
        Column {
            header: header.to_string(),
            align,
            give,
        }
    }
}

/// A table laid out to fit a width: first cut columns give way, then
/// shortened ones; if it still does not fit, each row becomes a block of
/// `heading: value` lines. Every cell is escaped.
#[derive(Clone, Debug)]
pub struct Table {
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows, one cell per column.
    pub rows: Vec<Vec<String>>,
}

/// Width of an address or hash shortened for a table.
const SHORT_ID: usize = 13;
/// Width an identifier is shortened to before labels are cut.
const MEDIUM_ID: usize = 24;

impl Table {
    /// An empty table with these columns.
    #[must_use]
    pub fn new(columns: Vec<Column>) -> Table {
        Table {
            columns,
            rows: Vec::new(),
        }
    }

    /// Adds a row (missing cells are empty, extra ones ignored).
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// The lines of the table, each starting with `indent` spaces and at
    /// most `width` columns wide.
    #[must_use]
    pub fn lines(&self, indent: usize, width: usize) -> Vec<String> {
        let n = self.columns.len();
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| {
                (0..n)
                    .map(|i| {
                        r.get(i)
                            .map_or_else(String::new, |c| escape(c).into_owned())
                    })
                    .collect()
            })
            .collect();
        // Widest integer part and rest of each decimal-aligned column.
        let parts: Vec<(usize, usize)> = (0..n)
            .map(|i| {
                rows.iter().fold((0, 0), |(a, b), r| {
                    let (int, rest) = decimal_parts(&r[i]);
                    (a.max(display_width(int)), b.max(display_width(rest)))
                })
            })
            .collect();
        let natural: Vec<usize> = (0..n)
            .map(|i| {
                let cells = if self.columns[i].align == Align::Decimal {
                    parts[i].0 + parts[i].1
                } else {
                    rows.iter().map(|r| display_width(&r[i])).max().unwrap_or(0)
                };
                cells.max(display_width(&self.columns[i].header))
            })
            .collect();
        let mut widths = natural.clone();
        let total = |w: &[usize]| indent + w.iter().sum::<usize>() + 2 * n.saturating_sub(1);
        // Shortened columns (addresses, hashes) give way first down to a
        // width that still tells them apart at a glance, then cut ones
        // (labels, which a reader needs more than every hex digit), then
        // shortened ones down to their floor; within a pass the widest
        // column gives a column at a time, so they end even.
        for pass in [0, 1, 2] {
            let floors: Vec<Option<usize>> = self
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let floor = match (pass, c.give) {
                        (0, Give::Shorten) => MEDIUM_ID,
                        (1, Give::Cut(min)) => min,
                        (2, Give::Shorten) => SHORT_ID,
                        _ => return None,
                    };
                    Some(floor.max(display_width(&c.header)).min(natural[i]))
                })
                .collect();
            while total(&widths) > width {
                let widest = (0..n)
                    .filter(|&i| floors[i].is_some_and(|f| widths[i] > f))
                    .max_by_key(|&i| (widths[i], std::cmp::Reverse(i)));
                match widest {
                    Some(i) => widths[i] -= 1,
                    None => break,
                }
            }
        }
        if total(&widths) > width {
            return self.blocks(&rows, indent, width);
        }
        let pad = " ".repeat(indent);
        let render = |cells: &[String], is_header: bool| -> String {
            let mut line = pad.clone();
            for (i, (cell, c)) in cells.iter().zip(&self.columns).enumerate() {
                let w = widths[i];
                let aligned;
                let cell = if c.align == Align::Decimal && !is_header {
                    let (int, rest) = decimal_parts(cell);
                    let (wi, wr) = parts[i];
                    let left = " ".repeat(w.saturating_sub(wi + wr) + wi - display_width(int));
                    aligned = format!("{left}{int}{rest}");
                    &aligned
                } else {
                    cell
                };
                let shown = if display_width(cell) <= w {
                    cell.clone()
                } else if c.give == Give::Shorten {
                    shorten_escaped(cell, w)
                } else {
                    cut_escaped(cell, w)
                };
                let fill = " ".repeat(w.saturating_sub(display_width(&shown)));
                if i > 0 {
                    line.push_str("  ");
                }
                match c.align {
                    Align::Left | Align::Decimal => {
                        line.push_str(&shown);
                        line.push_str(&fill);
                    }
                    Align::Right => {
                        line.push_str(&fill);
                        line.push_str(&shown);
                    }
                }
            }
            line.trim_end().to_string()
        };
        let header: Vec<String> = self.columns.iter().map(|c| c.header.clone()).collect();
        let mut out = Vec::new();
        if header.iter().any(|h| !h.is_empty()) {
            out.push(render(&header, true));
        }
        out.extend(rows.iter().map(|r| render(r, false)));
        out
    }

    /// The fallback layout: the first cell of a row on a line, the others
    /// below it as `heading: value`.
    fn blocks(&self, rows: &[Vec<String>], indent: usize, width: usize) -> Vec<String> {
        let pad = " ".repeat(indent);
        let mut out = Vec::new();
        for r in rows {
            let mut first = true;
            for (cell, c) in r.iter().zip(&self.columns) {
                if first {
                    out.push(cut_escaped(&format!("{pad}{cell}"), width));
                    first = false;
                } else if !cell.is_empty() {
                    out.push(cut_escaped(
                        &format!("{pad}    {}: {cell}", c.header),
                        width,
                    ));
                }
            }
        }
        out
    }
}

/// [`shorten`] for already escaped text.
fn shorten_escaped(s: &str, max: usize) -> String {
    // Escaped text holds no character that escapes again, except the
    // doubled backslash; shorten the original form of ids (which have none).
    if s.contains('\\') {
        return cut_escaped(s, max);
    }
    shorten(s, max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn units_are_exact_coin_amounts() {
        let eth = AssetMeta::new("ETH", Some(18));
        assert_eq!(
            amount(75_243_746_580_000_000_000_000, "ETH", Some(&eth)),
            "75,243.74658 ETH"
        );
        assert_eq!(
            amount(66_577_843_497_732_402_352_535, "ETH", Some(&eth)),
            "66,577.843497732402352535 ETH"
        );
        assert_eq!(amount(0, "ETH", Some(&eth)), "0 ETH");
        let btc = AssetMeta::new("BTC", Some(8));
        assert_eq!(amount(150_000_000, "BTC", Some(&btc)), "1.5 BTC");
        assert_eq!(amount(1, "BTC", Some(&btc)), "0.00000001 BTC");
        let usdt = AssetMeta::new("USDT", Some(6));
        assert_eq!(
            amount(1_000_000_000_000, "x", Some(&usdt)),
            "1,000,000 USDT"
        );
        assert_eq!(
            units(u128::MAX, Some(18)),
            "340,282,366,920,938,463,463.374607431768211455"
        );
        let c = "0xae7ab96520de3a18e5e111b5eaab095312d7fe84";
        assert_eq!(
            amount(10_000, c, Some(&AssetMeta::new(c, None))),
            "10,000 0xae7ab9…fe84 (base units)"
        );
        assert_eq!(amount(10_000, c, None), "10,000 0xae7ab9…fe84 (base units)");
    }

    #[test]
    fn times_are_iso_utc() {
        for (t, s) in [
            (0, "1970-01-01T00:00:00Z"),
            (951_782_400, "2000-02-29T00:00:00Z"),
            (1_648_052_984, "2022-03-23T16:29:44Z"),
            (1_740_148_883, "2025-02-21T14:41:23Z"),
            (1_700_000_000, "2023-11-14T22:13:20Z"),
            (253_402_300_799, "9999-12-31T23:59:59Z"),
            (4_102_444_800, "2100-01-01T00:00:00Z"),
        ] {
            assert_eq!(iso_time(t), s);
        }
        // Does not overflow at the end of the range.
        assert!(iso_time(u64::MAX).ends_with('Z'));
    }

    /// Days from 1970-01-01 to a civil date, the inverse algorithm.
    fn days_from_civil(y: u64, m: u64, d: u64) -> u64 {
        let y = if m <= 2 { y - 1 } else { y };
        let era = y / 400;
        let yoe = y - era * 400;
        let mp = if m > 2 { m - 3 } else { m + 9 };
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    fn month_len(y: u64, m: u64) -> u64 {
        match m {
            2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        }
    }

    proptest! {
        #[test]
        fn civil_dates_round_trip_and_are_valid(days in 0u64..5_000_000) {
            let (y, m, d) = civil_from_days(days);
            prop_assert!((1..=12).contains(&m));
            prop_assert!(d >= 1 && d <= month_len(y, m));
            prop_assert_eq!(days_from_civil(y, m, d), days);
            // The next day is the next date.
            let (y2, m2, d2) = civil_from_days(days + 1);
            let expected = if d < month_len(y, m) { (y, m, d + 1) }
                else if m < 12 { (y, m + 1, 1) } else { (y + 1, 1, 1) };
            prop_assert_eq!((y2, m2, d2), expected);
        }

        #[test]
        fn escaped_text_is_one_visible_line(s in "\\PC*|[\\x00-\\x1f\\x7f-\\u{9f}\\u{202a}-\\u{202e}\\u{2066}-\\u{2069}\\u{200b}\\\\a ]*") {
            let e = escape(&s);
            prop_assert!(!e.chars().any(|c| c.is_control()));
            prop_assert!(!e.chars().any(|c| needs_escape(c) && c != '\\'));
            prop_assert!(!e.contains('\n'));
        }

        #[test]
        fn cut_and_shorten_fit(s in "\\PC{0,60}", max in 0usize..50) {
            prop_assert!(display_width(&cut(&s, max)) <= max.max(1));
            if max >= 5 {
                prop_assert!(display_width(&shorten(&s, max)) <= max);
            }
        }
    }

    #[test]
    fn escapes_cannot_be_forged_by_hand() {
        // A label that spells an escape is told apart from one that holds
        // the character.
        assert_ne!(escape("\\x1b"), escape("\x1b"));
        assert_eq!(escape("\\x1b"), "\\\\x1b");
        assert_eq!(
            escape("a\u{202e}b\u{2066}c\u{200b}d\u{85}"),
            "a\\u{202e}b\\u{2066}c\\u{200b}d\\u{85}"
        );
        assert_eq!(escape("\t\r"), "\\t\\r");
    }

    #[test]
    fn tables_fit_or_fall_back_to_blocks() {
        let mut t = Table::new(vec![
            Column::new("amount", Align::Right, Give::Never),
            Column::new("address", Align::Left, Give::Shorten),
            Column::new("label", Align::Left, Give::Cut(8)),
        ]);
        t.row(vec![
            "21,629.48215 ETH".into(),
            "0x53b6936513e738f44fb50d2b9476730c0ab3bfc1".into(),
            "Binance Hot Wallet 14 with a long name\n FAKE".into(),
        ]);
        for w in [100, 80, 60, 40] {
            let lines = t.lines(2, w);
            assert!(
                lines.iter().all(|l| display_width(l) <= w),
                "{w}: {lines:?}"
            );
            assert!(lines.iter().all(|l| !l.contains('\n')));
            assert!(
                lines.iter().any(|l| l.contains("21,629.48215 ETH")),
                "{lines:?}"
            );
        }
        // At 100 the address gives way (a little) so the label stays whole.
        let row = &t.lines(2, 100)[1];
        assert!(
            row.contains("Binance Hot Wallet 14 with a long name\\n FAKE"),
            "{row}"
        );
        assert!(row.contains("0x53b6936") && row.contains("…"), "{row}");
        // With room for everything, nothing is shortened.
        assert!(t.lines(2, 120)[1].contains("0x53b6936513e738f44fb50d2b9476730c0ab3bfc1"));
        // At 60 it is shortened in the middle (just enough), the amount kept.
        let row = &t.lines(2, 60)[1];
        assert!(
            row.contains("0x53b6936") && row.contains("…") && row.contains("bfc1 "),
            "{row}"
        );
        assert!(!row.contains("0x53b6936513e738f44fb50d2b9476730c0ab3bfc1"));
        // At 40 the row is a block.
        assert_eq!(t.lines(2, 40)[0].trim(), "21,629.48215 ETH");
    }

    #[test]
    fn wrapping_keeps_words_and_width() {
        let lines = wrap(
            "8787 transaction(s) have no known position in their block; they are ordered after the others",
            "warning: ",
            "    ",
            40,
        );
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| display_width(l) <= 40), "{lines:?}");
        assert!(lines[0].starts_with("warning: 8787"));
        let lines = wrap("a\nFAKE: x", "", "  ", 80);
        assert_eq!(lines, vec!["a\\nFAKE: x".to_string()]);
    }

    #[test]
    fn widths_count_wide_and_combining_characters() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("币安"), 4);
        assert_eq!(display_width("e\u{301}"), 1);
        assert!(display_width(&cut("币安币安币安", 5)) <= 5);
    }

    #[test]
    fn percentages_round_down() {
        assert_eq!(percent(66_577, 75_243), "88.4 %");
        assert_eq!(percent(1, 1), "100.0 %");
        assert_eq!(percent(u128::MAX, u128::MAX), "100.0 %");
    }
}
