//! Splitting CSV input into records and fields, with the line each record
//! starts on.
//!
//! Exports are nearly all quote-free: a record is then the bytes up to the
//! next line end (found with `memchr`), and its fields the pieces between
//! commas (found eight bytes at a time). On the generated 1M-row
//! `transactions.csv` that splits in 0.12 s against 0.285 s for the `csv`
//! crate's reader (medians of 7), and CSV splitting had been the largest
//! single cost of ingest. A record with a quote
//! anywhere is handed whole to the `csv` crate, so quoting, escaped quotes
//! and line ends inside quotes follow that crate exactly; the tests check
//! both paths against it on random input.
//!
//! Conventions (those of the `csv` crate): a record ends at `\n`, `\r\n` or
//! a lone `\r`; empty lines are skipped; a UTF-8 byte-order mark at the
//! start is dropped. The line of a record is one plus the number of `\n`
//! bytes before it.

use std::io::{self, Read};

use memchr::{memchr, memchr2, memchr_iter};

/// Longest record accepted; a longer one is an error, not an allocation the
/// input controls.
pub(crate) const MAX_RECORD: usize = 16 << 20;

/// Why a record could not be split.
#[derive(Debug)]
pub(crate) enum SplitError {
    /// Reading the input failed.
    Io(io::Error),
    /// A record is longer than [`MAX_RECORD`]; it is skipped.
    TooLong {
        /// Line the record starts on.
        line: u64,
        /// Its first [`MAX_RECORD`] bytes.
        prefix: Vec<u8>,
    },
    /// A quoted field is still open at the end of the input. Only the line
    /// the record starts on is skipped: splitting goes on with the next
    /// line, so the rows after a stray quote are not swallowed.
    Unterminated {
        /// Line the record starts on.
        line: u64,
        /// That line's bytes.
        raw: Vec<u8>,
    },
}

/// One record: its fields as ranges of `data`.
#[derive(Debug)]
pub(crate) struct Record<'a> {
    /// Line the record starts on (1-based).
    pub(crate) line: u64,
    /// The record as it is in the input (quotes and all), without its line end.
    pub(crate) raw: &'a [u8],
    data: &'a [u8],
    ends: &'a [usize],
    /// Whether `data` keeps a one-byte separator between fields (the raw
    /// bytes of a quote-free record) or none (an unquoted copy).
    separated: bool,
}

impl<'a> Record<'a> {
    /// Number of fields.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The record's bytes, what [`range`](Self::range) indexes into: every
    /// field, in order, perhaps with separators between them.
    pub(crate) fn as_slice(&self) -> &'a [u8] {
        self.data
    }

    /// Where field `i` is in [`as_slice`](Self::as_slice).
    pub(crate) fn range(&self, i: usize) -> Option<std::ops::Range<usize>> {
        let end = *self.ends.get(i)?;
        let start = match i {
            0 => 0,
            _ => self.ends[i - 1] + usize::from(self.separated),
        };
        Some(start..end)
    }

    /// Field `i`.
    pub(crate) fn get(&self, i: usize) -> Option<&'a [u8]> {
        self.range(i).map(|r| &self.data[r])
    }

    /// The fields.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }
}

/// Reads records from `R`.
pub(crate) struct CsvSplitter<R> {
    input: R,
    buf: Vec<u8>,
    /// Unread data is `buf[start..end]`.
    start: usize,
    end: usize,
    eof: bool,
    /// Line of `buf[start]`.
    line: u64,
    at_beginning: bool,
    /// Set after a record over [`MAX_RECORD`]: the rest of its line is
    /// dropped before the next record.
    discarding: bool,
    /// Field data of a record that needed unquoting.
    unquoted: Vec<u8>,
    /// Field end offsets of the current record.
    ends: Vec<usize>,
    quoted: csv::ByteRecord,
}

/// Where the current record is, once found (offsets from `start`).
enum Found {
    /// `buf[start..start + stop]`, no quotes, then a line end of `skip` bytes.
    Plain { stop: usize, skip: usize },
    /// `buf[start..start + stop]` holds quotes, then a line end of `skip` bytes.
    Quoted { stop: usize, skip: usize },
    /// Only line ends: a blank line of `skip` bytes.
    Blank { skip: usize },
    /// A quoted field still open at the end of the input.
    Unterminated,
    /// No more records.
    End,
}

impl<R: Read> CsvSplitter<R> {
    /// A splitter reading `input` through a buffer of `capacity` bytes.
    pub(crate) fn new(input: R, capacity: usize) -> Self {
        CsvSplitter {
            input,
            buf: vec![0; capacity.clamp(4, MAX_RECORD)],
            start: 0,
            end: 0,
            eof: false,
            line: 1,
            at_beginning: true,
            discarding: false,
            unquoted: Vec::new(),
            ends: Vec::new(),
            quoted: csv::ByteRecord::new(),
        }
    }

    /// A splitter that goes on where another stopped (see
    /// [`into_parts`](Self::into_parts)): `unread` holds the bytes it had
    /// buffered and not yet split, starting at a record start on `line`,
    /// and `input` the rest.
    pub(crate) fn resume(unread: Vec<u8>, line: u64, input: R, capacity: usize) -> Self {
        let end = unread.len();
        let mut buf = unread;
        if buf.len() < capacity.clamp(4, MAX_RECORD) {
            buf.resize(capacity.clamp(4, MAX_RECORD), 0);
        }
        CsvSplitter {
            input,
            buf,
            start: 0,
            end,
            eof: false,
            line,
            at_beginning: false,
            discarding: false,
            unquoted: Vec::new(),
            ends: Vec::new(),
            quoted: csv::ByteRecord::new(),
        }
    }

    /// The bytes buffered and not yet split, the line they start on and
    /// the input, so that reading can go on elsewhere; `None` while the
    /// rest of an over-long record is still to be dropped (the next bytes
    /// are then not a record start).
    pub(crate) fn into_parts(mut self) -> Option<(Vec<u8>, u64, R)> {
        if self.discarding {
            return None;
        }
        self.buf.truncate(self.end);
        self.buf.drain(..self.start);
        Some((self.buf, self.line, self.input))
    }

    /// Moves unread data to the front and reads more; grows the buffer when
    /// one record fills it. Returns false at end of input.
    fn refill(&mut self) -> Result<bool, SplitError> {
        if self.eof {
            return Ok(false);
        }
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            if self.buf.len() >= MAX_RECORD {
                self.discarding = true;
                return Err(SplitError::TooLong {
                    line: self.line,
                    prefix: self.buf[self.start..self.end].to_vec(),
                });
            }
            let grown = (self.buf.len() * 2).min(MAX_RECORD);
            self.buf.resize(grown, 0);
        }
        loop {
            match self.input.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(SplitError::Io(e)),
            }
        }
    }

    /// Length of the line end at `buf[start + offset]` (`\n`, `\r\n` or a
    /// lone `\r`), reading ahead when a `\r` ends the buffer. Offsets from
    /// `start` stay valid when reading moves the data.
    fn terminator_len(&mut self, offset: usize) -> Result<usize, SplitError> {
        let at = self.start + offset;
        if self.buf[at] == b'\r' && at + 1 == self.end && !self.eof {
            self.refill()?;
        }
        let at = self.start + offset;
        let crlf = self.buf[at] == b'\r' && at + 1 < self.end && self.buf[at + 1] == b'\n';
        Ok(if crlf { 2 } else { 1 })
    }

    /// Drops the rest of an over-long record, up to and including its `\n`.
    fn discard_line(&mut self) -> Result<(), SplitError> {
        loop {
            if let Some(i) = memchr(b'\n', &self.buf[self.start..self.end]) {
                self.start += i + 1;
                self.line += 1;
                self.discarding = false;
                return Ok(());
            }
            self.start = self.end;
            if !self.refill()? {
                self.discarding = false;
                return Ok(());
            }
        }
    }

    /// Finds the next record in the buffer, reading as needed. Positions
    /// returned are offsets from `start`.
    fn find(&mut self) -> Result<Found, SplitError> {
        if self.discarding {
            self.discard_line()?;
        }
        loop {
            if self.at_beginning {
                if self.end - self.start < 3 && self.refill()? {
                    continue;
                }
                self.at_beginning = false;
                if self.buf[self.start..self.end].starts_with(b"\xef\xbb\xbf") {
                    self.start += 3;
                }
            }
            let unread = &self.buf[self.start..self.end];
            if unread.is_empty() {
                if self.refill()? {
                    continue;
                }
                return Ok(Found::End);
            }
            if matches!(unread[0], b'\n' | b'\r') {
                let skip = self.terminator_len(0)?;
                return Ok(Found::Blank { skip });
            }
            match memchr2(b'\n', b'\r', unread) {
                Some(stop) => {
                    if memchr(b'"', &unread[..stop]).is_some() {
                        return self.find_quoted();
                    }
                    let skip = self.terminator_len(stop)?;
                    return Ok(Found::Plain { stop, skip });
                }
                None => {
                    if self.refill()? {
                        continue;
                    }
                    // The last record, with no line end.
                    let unread = &self.buf[self.start..self.end];
                    let stop = unread.len();
                    if memchr(b'"', unread).is_some() {
                        return self.find_quoted();
                    }
                    return Ok(Found::Plain { stop, skip: 0 });
                }
            }
        }
    }

    /// Finds the end of a record that holds a quote: the byte-by-byte state
    /// machine of RFC 4180 as the `csv` crate reads it (a quote opens a
    /// quoted field only at the start of a field).
    fn find_quoted(&mut self) -> Result<Found, SplitError> {
        #[derive(Copy, Clone)]
        enum State {
            FieldStart,
            Unquoted,
            Quoted,
            QuoteInQuoted,
        }
        let mut state = State::FieldStart;
        let mut i = 0;
        loop {
            if self.start + i == self.end {
                if self.refill()? {
                    continue;
                }
                if matches!(state, State::Quoted) {
                    return Ok(Found::Unterminated);
                }
                return Ok(Found::Quoted { stop: i, skip: 0 });
            }
            let b = self.buf[self.start + i];
            state = match (state, b) {
                (State::Quoted, b'"') => State::QuoteInQuoted,
                (State::Quoted, _) => State::Quoted,
                (_, b'\n' | b'\r') => {
                    let skip = self.terminator_len(i)?;
                    return Ok(Found::Quoted { stop: i, skip });
                }
                (State::FieldStart | State::QuoteInQuoted, b'"') => State::Quoted,
                (_, b',') => State::FieldStart,
                _ => State::Unquoted,
            };
            i += 1;
        }
    }

    /// The next record, or `None` at end of input.
    pub(crate) fn next_record(&mut self) -> Result<Option<Record<'_>>, SplitError> {
        loop {
            let found = self.find()?;
            let (stop, skip, quoted) = match found {
                Found::End => return Ok(None),
                Found::Unterminated => return Err(self.skip_unterminated()?),
                Found::Blank { skip } => {
                    self.start += skip;
                    self.line += u64::from(self.buf[self.start - 1] == b'\n');
                    continue;
                }
                Found::Plain { stop, skip } => (stop, skip, false),
                Found::Quoted { stop, skip } => (stop, skip, true),
            };
            let line = self.line;
            let (from, to, next) = (self.start, self.start + stop, self.start + stop + skip);
            self.line += if quoted {
                memchr_iter(b'\n', &self.buf[from..next]).count() as u64
            } else {
                u64::from(skip > 0 && self.buf[next - 1] == b'\n')
            };
            self.start = next;
            self.ends.clear();
            if quoted {
                self.split_quoted(from, to);
                return Ok(Some(Record {
                    line,
                    raw: &self.buf[from..to],
                    data: &self.unquoted,
                    ends: &self.ends,
                    separated: false,
                }));
            }
            let raw = &self.buf[from..to];
            push_commas(raw, &mut self.ends);
            self.ends.push(raw.len());
            return Ok(Some(Record {
                line,
                raw,
                data: raw,
                ends: &self.ends,
                separated: true,
            }));
        }
    }

    /// Skips the first line of a record whose quote is never closed (the
    /// whole rest of the input is in the buffer) and returns the error.
    fn skip_unterminated(&mut self) -> Result<SplitError, SplitError> {
        let line = self.line;
        let unread = &self.buf[self.start..self.end];
        let (stop, skip) = match memchr2(b'\n', b'\r', unread) {
            Some(stop) => (stop, self.terminator_len(stop)?),
            None => (unread.len(), 0),
        };
        let raw = self.buf[self.start..self.start + stop].to_vec();
        let next = self.start + stop + skip;
        self.line += u64::from(skip > 0 && self.buf[next - 1] == b'\n');
        self.start = next;
        Ok(SplitError::Unterminated { line, raw })
    }

    /// Splits `buf[from..to]` with the `csv` crate.
    fn split_quoted(&mut self, from: usize, to: usize) {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(&self.buf[from..to]);
        self.unquoted.clear();
        // A slice cannot fail to read, and the bytes hold exactly one
        // record; an empty result leaves the record with no fields.
        if let Ok(true) = reader.read_byte_record(&mut self.quoted) {
            for field in &self.quoted {
                self.unquoted.extend_from_slice(field);
                self.ends.push(self.unquoted.len());
            }
        }
    }
}

impl CsvSplitter<io::Empty> {
    /// A splitter over `bytes` alone, which start at a record start on
    /// `line` (no byte-order mark is looked for); the buffer is split in
    /// place, not copied. [`into_buffer`](Self::into_buffer) gives it back.
    pub(crate) fn over(bytes: Vec<u8>, line: u64) -> Self {
        let end = bytes.len();
        CsvSplitter {
            input: io::empty(),
            buf: bytes,
            start: 0,
            end,
            eof: true,
            line,
            at_beginning: false,
            discarding: false,
            unquoted: Vec::new(),
            ends: Vec::new(),
            quoted: csv::ByteRecord::new(),
        }
    }

    /// The buffer, for reuse.
    pub(crate) fn into_buffer(self) -> Vec<u8> {
        self.buf
    }
}

/// Appends the offset of every comma in `bytes` to `out`.
///
/// Eight bytes at a time: records have a comma every twenty bytes or so,
/// and a search that restarts after each one (`memchr_iter`) spent more on
/// restarting than on searching.
fn push_commas(bytes: &[u8], out: &mut Vec<usize>) {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const COMMAS: u64 = 0x2c2c_2c2c_2c2c_2c2c;
    let mut words = bytes.chunks_exact(8);
    let mut base = 0;
    for word in &mut words {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        // Bytes equal to ',' become zero; the top bit of each byte of
        // `zero` is then set exactly for the zero bytes.
        let x = u64::from_le_bytes(w) ^ COMMAS;
        let mut zero = !(((x & LOW7) + LOW7) | x | LOW7);
        while zero != 0 {
            out.push(base + (zero.trailing_zeros() / 8) as usize);
            zero &= zero - 1;
        }
        base += 8;
    }
    for (i, &b) in words.remainder().iter().enumerate() {
        if b == b',' {
            out.push(base + i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Records (line and fields) as the splitter gives them.
    type Split = Vec<(u64, Vec<Vec<u8>>)>;

    /// Records and lines as the splitter gives them, up to the first
    /// unterminated quote (and the line it was on).
    fn split_until_unterminated(input: &[u8], capacity: usize) -> (Split, Option<u64>) {
        let mut s = CsvSplitter::new(input, capacity);
        let mut out = Vec::new();
        loop {
            match s.next_record() {
                Ok(Some(r)) => out.push((r.line, r.iter().map(<[u8]>::to_vec).collect())),
                Ok(None) => return (out, None),
                Err(SplitError::Unterminated { line, .. }) => return (out, Some(line)),
                Err(e) => panic!("{e:?}"),
            }
        }
    }

    fn split(input: &[u8], capacity: usize) -> Split {
        let (out, unterminated) = split_until_unterminated(input, capacity);
        assert_eq!(unterminated, None);
        out
    }

    #[test]
    fn an_unterminated_quote_skips_one_line_only() {
        let input = b"a,b\n1,\"open\n2,3\n4,5\n";
        let mut s = CsvSplitter::new(&input[..], 64);
        let mut got = Vec::new();
        let mut errors = Vec::new();
        loop {
            match s.next_record() {
                Ok(Some(r)) => got.push((r.line, r.raw.to_vec())),
                Ok(None) => break,
                Err(SplitError::Unterminated { line, raw }) => errors.push((line, raw)),
                Err(e) => panic!("{e:?}"),
            }
        }
        assert_eq!(errors, vec![(2, b"1,\"open".to_vec())]);
        let lines: Vec<u64> = got.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![1, 3, 4]);
        assert_eq!(got[1].1, b"2,3");
    }

    /// Records as the `csv` crate gives them.
    fn reference(input: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(input);
        let mut rec = csv::ByteRecord::new();
        let mut out = Vec::new();
        while r.read_byte_record(&mut rec).unwrap() {
            out.push(rec.iter().map(<[u8]>::to_vec).collect());
        }
        out
    }

    /// The line each record starts on: one plus the `\n` bytes before its
    /// first byte, found from the csv crate's byte offsets (which may point
    /// at the line end before the record, hence the skip).
    fn reference_lines(input: &[u8]) -> Vec<u64> {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(input);
        let mut rec = csv::ByteRecord::new();
        let mut out = Vec::new();
        while r.read_byte_record(&mut rec).unwrap() {
            let mut at = rec.position().map_or(0, |p| p.byte()) as usize;
            while at < input.len() && matches!(input[at], b'\n' | b'\r') {
                at += 1;
            }
            out.push(1 + memchr_iter(b'\n', &input[..at]).count() as u64);
        }
        out
    }

    #[test]
    fn plain_quoted_blank_and_crlf_records() {
        let input = b"\xef\xbb\xbfa,b\r\n\r\n1,2\n\"x,\"\"y\"\"\nz\",3\n\n4,\n5";
        let got = split(input, 64);
        let want: Vec<(u64, Vec<Vec<u8>>)> = vec![
            (1, vec![b"a".to_vec(), b"b".to_vec()]),
            (3, vec![b"1".to_vec(), b"2".to_vec()]),
            (4, vec![b"x,\"y\"\nz".to_vec(), b"3".to_vec()]),
            (7, vec![b"4".to_vec(), b"".to_vec()]),
            (8, vec![b"5".to_vec()]),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn a_record_longer_than_the_buffer_grows_it() {
        let long = "x".repeat(1000);
        let input = format!("a,{long}\nb,c\n");
        let got = split(input.as_bytes(), 64);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].1[1], long.as_bytes());
        assert_eq!(got[1].0, 2);
    }

    #[test]
    fn a_record_over_the_limit_is_an_error() {
        let input = vec![b'x'; MAX_RECORD + 10];
        let mut s = CsvSplitter::new(&input[..], 1 << 20);
        assert!(matches!(
            s.next_record(),
            Err(SplitError::TooLong { line: 1, .. })
        ));
    }

    proptest! {
        #[test]
        fn commas_are_all_found(bytes in proptest::collection::vec(any::<u8>(), 0..100)) {
            let mut got = Vec::new();
            push_commas(&bytes, &mut got);
            let want: Vec<usize> = (0..bytes.len()).filter(|&i| bytes[i] == b',').collect();
            prop_assert_eq!(got, want);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// Fields agree with the csv crate, and lines with a count of the
        /// raw bytes, whatever the buffer size.
        #[test]
        fn agrees_with_the_csv_crate(
            bytes in proptest::collection::vec(
                prop_oneof![Just(b'a'), Just(b','), Just(b'"'), Just(b'\n'), Just(b'\r'), Just(b'b')],
                0..80,
            ),
            capacity in 1usize..100,
        ) {
            // Up to an unterminated quote (where the splitter gives up on
            // one line and the csv crate takes the rest as one field).
            let (got, unterminated) = split_until_unterminated(&bytes, capacity);
            let fields: Vec<Vec<Vec<u8>>> = got.iter().map(|(_, f)| f.clone()).collect();
            let mut want = reference(&bytes);
            let mut want_lines = reference_lines(&bytes);
            if unterminated.is_some() {
                prop_assert_eq!(want.len(), got.len() + 1);
                want.truncate(got.len());
                want_lines.truncate(got.len());
            }
            prop_assert_eq!(fields, want);
            let lines: Vec<u64> = got.iter().map(|(l, _)| *l).collect();
            prop_assert_eq!(lines, want_lines);
        }
    }
}
