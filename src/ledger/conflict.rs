//! Where records came from, and records that contradicted each other.
//!
//! The rule for duplicates is the same for every input format: a record
//! that repeats another exactly is one record; a record that says something
//! else about the same thing (the same transaction, the same
//! `(transaction, kind, index)` transfer, the same trace) is a
//! contradiction. Strict reading stops at it with an error that names both
//! records; lenient reading keeps the record read first (in input order,
//! then line order), drops the other, counts it as skipped in its input and
//! lists it in [`Ledger::conflicts`](super::Ledger::conflicts).

use std::fmt;

use serde::Serialize;

/// Where a record was read: an input and the line it starts on.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Origin {
    /// The input's name (its path as given); empty for records pushed
    /// through the [`LedgerBuilder`](super::LedgerBuilder) API directly.
    pub path: String,
    /// Line (1-based); 0 when unknown.
    pub line: u64,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.path.is_empty(), self.line) {
            (true, _) => write!(f, "a record pushed directly"),
            (false, 0) => write!(f, "{}", self.path),
            (false, line) => write!(f, "{}:{line}", self.path),
        }
    }
}

/// Two records that contradict each other; the one read first was kept.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Conflict {
    /// The record dropped.
    pub dropped: Origin,
    /// The record kept (read first).
    pub kept: Origin,
    /// The kind of contradiction, as counted among the input's skips
    /// (`conflicting transaction`, `conflicting transfer`, …).
    pub reason: String,
    /// What they disagree on, in words.
    pub what: String,
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} contradicts {}: {}",
            self.dropped, self.kept, self.what
        )
    }
}

/// An origin packed in 64 bits, as the builder keeps one per row: the
/// input's number plus one in the top 24 bits (0: no input), the line in
/// the low 40.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct PackedOrigin(pub(crate) u64);

const LINE_BITS: u32 = 40;
const LINE_MASK: u64 = (1 << LINE_BITS) - 1;

impl PackedOrigin {
    /// Input `input` (0-based) and `line` (lines beyond 2^40 are kept as
    /// 2^40 − 1, which no real file reaches).
    pub(crate) fn new(input: Option<usize>, line: u64) -> Self {
        let input = input.map_or(0, |i| (i as u64 + 1).min((1 << 24) - 1));
        PackedOrigin((input << LINE_BITS) | line.min(LINE_MASK))
    }

    /// The input's number, if any.
    pub(crate) fn input(self) -> Option<usize> {
        match self.0 >> LINE_BITS {
            0 => None,
            i => Some(i as usize - 1),
        }
    }

    pub(crate) fn line(self) -> u64 {
        self.0 & LINE_MASK
    }
}

/// Packed origins of many records in 4 bytes each instead of 8: the low 32
/// bits of each, and the high 32 bits once per run of records that share
/// them. Records are added in input and line order, so there is a run per
/// input (per 2^32 lines of it); at worst, origins that alternate between
/// inputs, 12 bytes per record.
#[derive(Clone, Debug, Default)]
pub(crate) struct OriginColumn {
    low: Vec<u32>,
    /// (index of the run's first record, the run's high bits), by index.
    runs: Vec<(u32, u32)>,
}

impl OriginColumn {
    pub(crate) fn len(&self) -> usize {
        self.low.len()
    }

    /// Adds an origin. Callers keep the count below 2^32 (record indexes
    /// are `u32`).
    pub(crate) fn push(&mut self, o: PackedOrigin) {
        let high = (o.0 >> 32) as u32;
        if self.runs.last().map(|r| r.1) != Some(high) {
            self.runs.push((self.low.len() as u32, high));
        }
        self.low.push(o.0 as u32);
    }

    /// The origin of record `i`, or the default one past the end.
    pub(crate) fn get(&self, i: usize) -> PackedOrigin {
        let (Some(&low), Some(run)) = (
            self.low.get(i),
            self.runs
                .partition_point(|r| r.0 as usize <= i)
                .checked_sub(1),
        ) else {
            return PackedOrigin::default();
        };
        PackedOrigin((u64::from(self.runs[run].1) << 32) | u64::from(low))
    }

    /// Keeps the first `n` origins.
    pub(crate) fn truncate(&mut self, n: usize) {
        self.low.truncate(n);
        let runs = self.runs.partition_point(|r| (r.0 as usize) < n);
        self.runs.truncate(runs);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_origin_column_gives_back_what_was_pushed_after_truncating() {
        let origins: Vec<PackedOrigin> = [
            (Some(0), 1),
            (Some(0), 5),
            (Some(0), (1 << 32) + 3),
            (Some(1), 2),
            (None, 9),
            (Some(0), 7),
            (Some(0), 8),
        ]
        .into_iter()
        .map(|(i, l)| PackedOrigin::new(i, l))
        .collect();
        let mut col = OriginColumn::default();
        for &o in &origins {
            col.push(o);
        }
        assert_eq!(col.len(), origins.len());
        for (i, &o) in origins.iter().enumerate() {
            assert_eq!(col.get(i), o, "record {i}");
        }
        assert_eq!(col.get(origins.len()), PackedOrigin::default());
        for n in (0..=origins.len()).rev() {
            let mut c = col.clone();
            c.truncate(n);
            c.push(origins[0]);
            assert_eq!(c.len(), n + 1);
            for (i, &o) in origins.iter().enumerate().take(n) {
                assert_eq!(c.get(i), o, "cut at {n}, record {i}");
            }
            assert_eq!(c.get(n), origins[0]);
        }
    }

    #[test]
    fn packed_origins_keep_input_and_line_and_order_by_them() {
        let a = PackedOrigin::new(Some(0), 7);
        let b = PackedOrigin::new(Some(1), 2);
        assert_eq!((a.input(), a.line()), (Some(0), 7));
        assert_eq!((b.input(), b.line()), (Some(1), 2));
        assert!(a < b);
        assert_eq!(PackedOrigin::new(None, 3).input(), None);
        let o = Origin {
            path: "a.csv".into(),
            line: 4,
        };
        assert_eq!(o.to_string(), "a.csv:4");
    }
}
