//! Checks a Parquet file's structure before the `parquet` crate reads it.
//!
//! The crate trusts what a file claims: list lengths in the footer become
//! `Vec::with_capacity`, a page header's `uncompressed_page_size` and a
//! dictionary page's value count become buffers of that size, and a few
//! impossible values (negative offsets, level lengths beyond the page) end in
//! a panic. A corrupt or hostile file of a few bytes could so take the
//! machine's memory. This module walks the Thrift compact encoding of the
//! footer and of every page header it will read, and refuses:
//!
//! - a file without the `PAR1` magic at both ends, or whose footer length
//!   points outside the file;
//! - any list, set, map or binary in the footer or a page header longer
//!   than the bytes left to hold it (each element takes at least one byte),
//!   and nesting deeper than [`MAX_DEPTH`];
//! - a schema nested deeper than [`MAX_DEPTH`];
//! - a column chunk outside the file, a page outside its column chunk;
//! - a page whose uncompressed size is negative, above [`MAX_PAGE`], or more
//!   than [`MAX_RATIO`] times its compressed size (plus 64 KiB);
//! - a dictionary page claiming more values than its bytes can hold;
//! - a v2 page whose level lengths exceed the page.
//!
//! So what the reader allocates is bounded by the bytes present.

use std::fmt;

/// Deepest Thrift or schema nesting accepted.
pub(crate) const MAX_DEPTH: usize = 64;
/// Largest uncompressed page accepted (real writers use about 1 MiB).
pub(crate) const MAX_PAGE: i64 = 256 << 20;
/// Largest compression ratio accepted for a page.
pub(crate) const MAX_RATIO: i64 = 1024;

/// What is wrong, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GuardError(pub(crate) String);

impl fmt::Display for GuardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn err<T>(s: impl Into<String>) -> Result<T, GuardError> {
    Err(GuardError(s.into()))
}

/// An event met while walking a Thrift struct: the path is the field ids
/// from the outer struct, with `-1` for a list element.
enum Event<'p> {
    /// A struct starts at this path.
    Struct(&'p [i16]),
    /// An integer field or element.
    Int(&'p [i16], i64),
}

/// A reader of the Thrift compact protocol that checks every claimed length.
struct Compact<'a> {
    buf: &'a [u8],
    pos: usize,
    path: Vec<i16>,
}

impl<'a> Compact<'a> {
    fn new(buf: &'a [u8]) -> Self {
        Compact {
            buf,
            pos: 0,
            path: Vec::new(),
        }
    }

    fn left(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn byte(&mut self) -> Result<u8, GuardError> {
        let b = *self
            .buf
            .get(self.pos)
            .ok_or_else(|| GuardError("Thrift structure cut short".into()))?;
        self.pos += 1;
        Ok(b)
    }

    fn skip_bytes(&mut self, n: u64) -> Result<(), GuardError> {
        if n > self.left() as u64 {
            return err(format!(
                "Thrift value claims {n} bytes, {} are left",
                self.left()
            ));
        }
        self.pos += n as usize;
        Ok(())
    }

    fn varint(&mut self) -> Result<u64, GuardError> {
        let mut v = 0u64;
        for shift in (0..70).step_by(7) {
            let b = self.byte()?;
            if shift == 63 && b > 1 {
                return err("Thrift varint longer than 64 bits");
            }
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        err("Thrift varint longer than 64 bits")
    }

    fn zigzag(&mut self) -> Result<i64, GuardError> {
        let v = self.varint()?;
        Ok((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    /// Checks that `count` elements of at least `min` bytes each can fit.
    fn count(&self, count: u64, min: u64) -> Result<usize, GuardError> {
        if count > i32::MAX as u64 || count.saturating_mul(min) > self.left() as u64 {
            return err(format!(
                "Thrift collection claims {count} elements, {} bytes are left",
                self.left()
            ));
        }
        Ok(count as usize)
    }

    fn value(
        &mut self,
        ty: u8,
        depth: usize,
        on: &mut dyn FnMut(Event<'_>) -> Result<(), GuardError>,
    ) -> Result<(), GuardError> {
        if depth > MAX_DEPTH {
            return err(format!("Thrift nesting deeper than {MAX_DEPTH}"));
        }
        match ty {
            // Booleans inside a struct carry their value in the type; as
            // collection elements they take one byte.
            1 | 2 => Ok(()),
            3 => self.byte().map(|_| ()),
            4..=6 => {
                let v = self.zigzag()?;
                on(Event::Int(&self.path, v))
            }
            7 => self.skip_bytes(8),
            8 => {
                let n = self.varint()?;
                self.skip_bytes(n)
            }
            9 | 10 => {
                let head = self.byte()?;
                let elem = head & 0x0f;
                let n = match head >> 4 {
                    15 => self.varint()?,
                    n => u64::from(n),
                };
                let n = self.count(n, 1)?;
                self.path.push(-1);
                for _ in 0..n {
                    if matches!(elem, 1 | 2) {
                        self.byte()?;
                    } else {
                        self.value(elem, depth + 1, on)?;
                    }
                }
                self.path.pop();
                Ok(())
            }
            11 => {
                let n = self.varint()?;
                let n = self.count(n, 2)?;
                if n == 0 {
                    return Ok(());
                }
                let types = self.byte()?;
                self.path.push(-1);
                for _ in 0..n {
                    for t in [types >> 4, types & 0x0f] {
                        if matches!(t, 1 | 2) {
                            self.byte()?;
                        } else {
                            self.value(t, depth + 1, on)?;
                        }
                    }
                }
                self.path.pop();
                Ok(())
            }
            12 => self.structure(depth + 1, on),
            other => err(format!("unknown Thrift type {other}")),
        }
    }

    fn structure(
        &mut self,
        depth: usize,
        on: &mut dyn FnMut(Event<'_>) -> Result<(), GuardError>,
    ) -> Result<(), GuardError> {
        on(Event::Struct(&self.path))?;
        let mut last: i16 = 0;
        loop {
            let head = self.byte()?;
            if head == 0 {
                return Ok(());
            }
            let ty = head & 0x0f;
            let delta = head >> 4;
            let id = if delta == 0 {
                let v = self.zigzag()?;
                i16::try_from(v).map_err(|_| GuardError("Thrift field id out of range".into()))?
            } else {
                last.wrapping_add(i16::from(delta))
            };
            last = id;
            self.path.push(id);
            let r = self.value(ty, depth, on);
            self.path.pop();
            r?;
        }
    }
}

/// The length of the footer's metadata, after checking the magic bytes and
/// walking the metadata's Thrift encoding (lengths and schema depth).
pub(crate) fn check_footer(file: &[u8]) -> Result<(), GuardError> {
    if file.len() < 12 || &file[..4] != b"PAR1" {
        return err("not a Parquet file (no `PAR1` magic at the start)");
    }
    let tail = &file[file.len() - 8..];
    if &tail[4..] != b"PAR1" {
        return err(
            "truncated Parquet file (no `PAR1` magic at the end; encrypted files are not read)",
        );
    }
    let len = u64::from(u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]));
    if len + 12 > file.len() as u64 {
        return err(format!(
            "corrupt Parquet footer: its metadata claims {len} bytes, the file has {}",
            file.len()
        ));
    }
    let start = file.len() - 8 - len as usize;
    let mut c = Compact::new(&file[start..file.len() - 8]);
    // Schema elements (FileMetaData field 2) and their child counts
    // (SchemaElement field 5), to measure the schema's depth.
    let mut children: Vec<i64> = Vec::new();
    c.structure(0, &mut |e| {
        match e {
            Event::Struct([2, -1]) => children.push(0),
            Event::Int([2, -1, 5], n) => {
                if let Some(last) = children.last_mut() {
                    *last = n;
                }
            }
            _ => {}
        }
        Ok(())
    })
    .map_err(|e| GuardError(format!("corrupt Parquet footer: {e}")))?;
    schema_depth(&children).map_err(|e| GuardError(format!("corrupt Parquet footer: {e}")))
}

/// Checks that a pre-order list of child counts forms a tree no deeper than
/// [`MAX_DEPTH`].
fn schema_depth(children: &[i64]) -> Result<(), GuardError> {
    // Children still expected at each open level.
    let mut open: Vec<i64> = Vec::new();
    for &n in children {
        if n < 0 {
            return err("negative child count in the schema");
        }
        while open.last() == Some(&0) {
            open.pop();
        }
        if let Some(last) = open.last_mut() {
            *last -= 1;
        }
        if n > 0 {
            open.push(n);
            if open.len() > MAX_DEPTH {
                return err(format!("schema nested deeper than {MAX_DEPTH}"));
            }
        }
    }
    Ok(())
}

/// What a page header says, as far as the checks need.
#[derive(Debug, Default)]
struct PageHeader {
    page_type: i64,
    uncompressed: i64,
    compressed: i64,
    dict_values: Option<i64>,
    v2_levels: i64,
}

fn page_header(buf: &[u8]) -> Result<(PageHeader, usize), GuardError> {
    let mut c = Compact::new(buf);
    let mut h = PageHeader {
        compressed: -1,
        uncompressed: -1,
        ..PageHeader::default()
    };
    c.structure(0, &mut |e| {
        if let Event::Int(path, v) = e {
            match path {
                [1] => h.page_type = v,
                [2] => h.uncompressed = v,
                [3] => h.compressed = v,
                [7, 1] => h.dict_values = Some(v),
                [8, 5] | [8, 6] => h.v2_levels = h.v2_levels.saturating_add(v),
                _ => {}
            }
        }
        Ok(())
    })?;
    Ok((h, c.pos))
}

/// Checks every page header of one column chunk: `chunk` is its bytes,
/// `value_size` the smallest plain-encoded size of one value in bits
/// (1 for booleans, 8 × bytes otherwise).
pub(crate) fn check_pages(chunk: &[u8], value_bits: i64) -> Result<(), GuardError> {
    let mut pos = 0usize;
    let mut page = 0usize;
    while pos < chunk.len() {
        let (h, len) = page_header(&chunk[pos..])
            .map_err(|e| GuardError(format!("page {page}: corrupt page header: {e}")))?;
        pos += len;
        let left = (chunk.len() - pos) as i64;
        if h.compressed < 0 || h.compressed > left {
            return err(format!(
                "page {page}: claims {} compressed bytes, the column chunk has {left} left",
                h.compressed
            ));
        }
        if h.uncompressed < 0
            || h.uncompressed > MAX_PAGE
            || h.uncompressed > h.compressed.saturating_mul(MAX_RATIO) + (64 << 10)
        {
            return err(format!(
                "page {page}: claims {} bytes uncompressed from {} (more than fundtrace accepts: {} MiB, ratio {MAX_RATIO})",
                h.uncompressed,
                h.compressed,
                MAX_PAGE >> 20
            ));
        }
        if h.v2_levels < 0 || h.v2_levels > h.compressed.min(h.uncompressed) {
            return err(format!(
                "page {page}: level lengths ({}) exceed the page",
                h.v2_levels
            ));
        }
        // A dictionary page (type 2) holds its values plain-encoded.
        if h.page_type == 2 {
            let n = h.dict_values.unwrap_or(0);
            if n < 0 || n.saturating_mul(value_bits.max(1)) > h.uncompressed.saturating_mul(8) {
                return err(format!(
                    "page {page}: dictionary claims {n} values in {} bytes",
                    h.uncompressed
                ));
            }
        }
        pos += h.compressed as usize;
        page += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn footers_are_refused_when_lengths_lie() {
        assert!(check_footer(b"hello").is_err());
        assert!(check_footer(b"PAR1\x00\x00\x00\x00PAR1").is_err());
        // A list claiming 2^31-1 elements in a 7-byte footer.
        let mut f = b"PAR1".to_vec();
        let meta = [0x19, 0xfc, 0xff, 0xff, 0xff, 0x07, 0x00];
        f.extend_from_slice(&meta);
        f.extend_from_slice(&(meta.len() as u32).to_le_bytes());
        f.extend_from_slice(b"PAR1");
        let e = check_footer(&f).unwrap_err();
        assert!(e.0.contains("claims"), "{e}");
    }

    #[test]
    fn schema_depth_is_measured() {
        assert!(schema_depth(&[2, 0, 0]).is_ok());
        let deep: Vec<i64> = (0..100).map(|_| 1).collect();
        assert!(schema_depth(&deep).is_err());
        assert!(schema_depth(&[-1]).is_err());
    }

    #[test]
    fn page_headers_are_checked() {
        // type 0, uncompressed 2^30, compressed 1, then 1 byte of data.
        let mut h = vec![0x15, 0x00, 0x15];
        h.extend_from_slice(&[0x80, 0x80, 0x80, 0x80, 0x08]); // zigzag 2^30
        h.extend_from_slice(&[0x15, 0x02, 0x00, 0xaa]);
        let e = check_pages(&h, 8).unwrap_err();
        assert!(e.0.contains("uncompressed"), "{e}");
    }
}
