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

#[cfg(test)]
mod tests {
    use super::*;

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
