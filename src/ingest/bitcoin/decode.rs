//! The byte reader every consensus decoder uses, and its error type.
//!
//! Every read is bounds-checked; every count read from the input is checked
//! against the bytes that remain (times the smallest size one item can
//! have) before anything is allocated, so hostile input cannot make a
//! decoder allocate more than a small multiple of its own length.

use thiserror::Error;

/// Why raw Bitcoin data could not be decoded. Every variant names the
/// absolute byte offset (within the stream or buffer being decoded) where
/// the problem was found.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The data ends before a field is complete.
    #[error(
        "unexpected end of data at byte {offset}: {field} needs {needed} bytes, {remaining} remain"
    )]
    UnexpectedEnd {
        /// Offset of the field.
        offset: u64,
        /// The field being read.
        field: &'static str,
        /// Bytes the field needs.
        needed: u64,
        /// Bytes left.
        remaining: u64,
    },
    /// A count is larger than the remaining bytes could possibly hold.
    #[error("{field} count {count} at byte {offset} exceeds what the {remaining} remaining bytes can hold")]
    CountTooLarge {
        /// Offset of the count.
        offset: u64,
        /// What is counted.
        field: &'static str,
        /// The count read.
        count: u64,
        /// Bytes left after the count.
        remaining: u64,
    },
    /// A compact-size integer that uses more bytes than it needs (consensus
    /// rejects these; accepting them would break byte-exact re-serialization).
    #[error("non-canonical compact size {value} at byte {offset}")]
    NonCanonicalCompactSize {
        /// Offset of the compact size.
        offset: u64,
        /// Its value.
        value: u64,
    },
    /// A segwit marker (0x00) followed by a flag other than 0x01.
    #[error("unsupported segwit flag 0x{flag:02x} at byte {offset}")]
    BadSegwitFlag {
        /// Offset of the flag byte.
        offset: u64,
        /// The flag found.
        flag: u8,
    },
    /// The segwit flag is set but every witness is empty (consensus rejects
    /// this "superfluous witness record").
    #[error("segwit transaction at byte {offset} has only empty witnesses")]
    SuperfluousWitness {
        /// Offset of the transaction.
        offset: u64,
    },
    /// Bytes left over after a complete transaction or block.
    #[error("{count} trailing bytes after the {what} ending at byte {offset}")]
    TrailingBytes {
        /// Offset where the object ended.
        offset: u64,
        /// What was decoded.
        what: &'static str,
        /// How many bytes remain.
        count: u64,
    },
    /// A block file record that does not start with a known network magic.
    #[error("unknown network magic {found} at byte {offset}")]
    BadMagic {
        /// Offset of the record.
        offset: u64,
        /// The four bytes found, as hex.
        found: String,
    },
    /// A block file record whose length field disagrees with the block.
    #[error("record at byte {offset} declares {declared} bytes but its block is {actual} bytes")]
    RecordLength {
        /// Offset of the record.
        offset: u64,
        /// The length field.
        declared: u64,
        /// The block's encoded length.
        actual: u64,
    },
    /// A record length beyond the largest possible block.
    #[error(
        "record at byte {offset} declares {declared} bytes, more than the {max}-byte block limit"
    )]
    RecordTooLarge {
        /// Offset of the record.
        offset: u64,
        /// The length field.
        declared: u64,
        /// The limit.
        max: u64,
    },
    /// A block whose header merkle root differs from the one recomputed from
    /// its transactions.
    #[error(
        "block {block} at byte {offset}: merkle root {computed} does not match header {header}"
    )]
    MerkleMismatch {
        /// Offset of the block.
        offset: u64,
        /// The block hash.
        block: String,
        /// Recomputed root.
        computed: String,
        /// Root in the header.
        header: String,
    },
    /// A block without transactions (every real block has a coinbase).
    #[error("block at byte {offset} has no transactions")]
    EmptyBlock {
        /// Offset of the block.
        offset: u64,
    },
    /// Text input that is not valid hex.
    #[error("invalid hex on line {line}: {message}")]
    Hex {
        /// 1-based line number.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// The input (after decompression) is larger than the limit.
    #[error("input exceeds {limit} bytes")]
    InputTooLarge {
        /// The limit.
        limit: u64,
    },
    /// Compressed input that expands far more than real data does.
    #[error("{compressed} bytes of bzip2 expand past {limit} bytes ({ratio} × their size + {allowance}): refused as a decompression bomb")]
    ExpansionTooLarge {
        /// Compressed bytes read so far.
        compressed: u64,
        /// Decompressed bytes allowed for them.
        limit: u64,
        /// The ratio allowed.
        ratio: u64,
        /// The allowance on top of the ratio.
        allowance: u64,
    },
    /// A block or transaction larger than consensus allows.
    #[error("{what} at byte {offset} is {size} bytes, more than the {max}-byte consensus limit")]
    TooLarge {
        /// Offset of the block or transaction.
        offset: u64,
        /// `block` or `transaction`.
        what: &'static str,
        /// Its size.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// Reading the input failed.
    #[error("read error at byte {offset}")]
    Io {
        /// Offset reached.
        offset: u64,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// A bounds-checked cursor over a byte slice. `base` is added to every
/// offset reported in errors, so a reader over one record of a larger stream
/// reports offsets within the stream.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    base: u64,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(data: &'a [u8], base: u64) -> Self {
        Reader { data, pos: 0, base }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    pub(crate) fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    pub(crate) fn slice(&self, start: usize, end: usize) -> &'a [u8] {
        &self.data[start..end]
    }

    pub(crate) fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], DecodeError> {
        if n > self.remaining() {
            return Err(DecodeError::UnexpectedEnd {
                offset: self.offset(),
                field,
                needed: n as u64,
                remaining: self.remaining() as u64,
            });
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    pub(crate) fn array<const N: usize>(
        &mut self,
        field: &'static str,
    ) -> Result<[u8; N], DecodeError> {
        let s = self.take(N, field)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    pub(crate) fn u8(&mut self, field: &'static str) -> Result<u8, DecodeError> {
        Ok(self.array::<1>(field)?[0])
    }

    pub(crate) fn u32(&mut self, field: &'static str) -> Result<u32, DecodeError> {
        Ok(u32::from_le_bytes(self.array(field)?))
    }

    pub(crate) fn u64(&mut self, field: &'static str) -> Result<u64, DecodeError> {
        Ok(u64::from_le_bytes(self.array(field)?))
    }

    pub(crate) fn peek(&self, ahead: usize) -> Option<u8> {
        self.data.get(self.pos + ahead).copied()
    }

    /// Reads a canonical compact-size integer.
    pub(crate) fn compact_size(&mut self, field: &'static str) -> Result<u64, DecodeError> {
        let offset = self.offset();
        let first = self.u8(field)?;
        let (value, min) = match first {
            0xfd => (u64::from(u16::from_le_bytes(self.array(field)?)), 0xfd),
            0xfe => (u64::from(u32::from_le_bytes(self.array(field)?)), 0x1_0000),
            0xff => (u64::from_le_bytes(self.array(field)?), 0x1_0000_0000),
            n => return Ok(u64::from(n)),
        };
        if value < min {
            return Err(DecodeError::NonCanonicalCompactSize { offset, value });
        }
        Ok(value)
    }

    /// Reads a count of items each at least `min_item` bytes long, refusing
    /// counts the remaining bytes cannot hold.
    pub(crate) fn count(
        &mut self,
        field: &'static str,
        min_item: usize,
    ) -> Result<usize, DecodeError> {
        let offset = self.offset();
        let count = self.compact_size(field)?;
        let remaining = self.remaining() as u64;
        let max = remaining / min_item.max(1) as u64;
        if count > max {
            return Err(DecodeError::CountTooLarge {
                offset,
                field,
                count,
                remaining,
            });
        }
        // count <= remaining, which is a usize
        Ok(usize::try_from(count).unwrap_or(usize::MAX))
    }

    /// Reads a length-prefixed byte string.
    pub(crate) fn var_bytes(&mut self, field: &'static str) -> Result<&'a [u8], DecodeError> {
        let n = self.count(field, 1)?;
        self.take(n, field)
    }
}

/// Appends a compact-size integer.
pub(crate) fn write_compact_size(out: &mut Vec<u8>, n: u64) {
    match n {
        0..=0xfc => out.push(n as u8),
        0xfd..=0xffff => {
            out.push(0xfd);
            out.extend_from_slice(&(n as u16).to_le_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(0xfe);
            out.extend_from_slice(&(n as u32).to_le_bytes());
        }
        _ => {
            out.push(0xff);
            out.extend_from_slice(&n.to_le_bytes());
        }
    }
}

/// Appends a length-prefixed byte string.
pub(crate) fn write_var_bytes(out: &mut Vec<u8>, b: &[u8]) {
    write_compact_size(out, b.len() as u64);
    out.extend_from_slice(b);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_size_round_trips_and_rejects_non_canonical() {
        for n in [
            0u64,
            0xfc,
            0xfd,
            0xffff,
            0x1_0000,
            0xffff_ffff,
            0x1_0000_0000,
            u64::MAX,
        ] {
            let mut v = Vec::new();
            write_compact_size(&mut v, n);
            let mut r = Reader::new(&v, 0);
            assert_eq!(r.compact_size("n").unwrap(), n);
            assert_eq!(r.remaining(), 0);
        }
        let mut r = Reader::new(&[0xfd, 0x10, 0x00], 7);
        assert!(matches!(
            r.compact_size("n"),
            Err(DecodeError::NonCanonicalCompactSize {
                offset: 7,
                value: 16
            })
        ));
    }

    #[test]
    fn counts_are_checked_against_remaining_bytes() {
        let mut r = Reader::new(&[0xfe, 0xff, 0xff, 0xff, 0x7f, 1, 2], 0);
        assert!(matches!(
            r.count("inputs", 41),
            Err(DecodeError::CountTooLarge {
                count: 0x7fff_ffff,
                remaining: 2,
                ..
            })
        ));
    }
}
