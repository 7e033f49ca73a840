//! Ledger snapshots: a built [`Ledger`] written once to a file and read
//! back in a fraction of the time its inputs take to parse.
//!
//! # Format (version 1)
//!
//! Little-endian throughout. A 64-byte header:
//!
//! | bytes | content |
//! |---|---|
//! | 0..8 | magic `FTLEDGER` |
//! | 8..12 | format version ([`FORMAT_VERSION`]) |
//! | 12..16 | number of sections |
//! | 16..24 | length of the whole file |
//! | 24..56 | the crate version that wrote it, UTF-8, zero-padded |
//! | 56..60 | reserved (zero) |
//! | 60..64 | CRC-32 of bytes 0..60 |
//!
//! then the sections, always all of them and in one order: a 16-byte
//! section header (tag `u32`, element size `u32`, element count `u64`), the
//! elements, and the CRC-32 of the elements (`u32`). The first section
//! (`meta`) holds the small tables (chains, assets, inputs with their
//! digests and skip counts, conflicts, warnings, duplicates dropped) in a
//! length-prefixed encoding; every other section is one column of the
//! ledger (addresses split by kind, blocks, transactions, transfers, gas
//! prices), stored as the ledger holds it in memory.
//!
//! # Reading fast and safely
//!
//! Each column is read straight into its typed buffer (`bytemuck` casts,
//! no per-element decoding, no intermediate copy), then checked: its
//! CRC-32 (hardware-accelerated, about 13 GB/s here, where a SHA-256
//! runs at about 1.5 GB/s), and every id against the table it points into
//! (one vectorised pass: the largest id against the table's length), so a
//! damaged file is an error and never a panic or a wrong answer. Before
//! anything is allocated, the count a section claims is checked against
//! the bytes left in the file. Addresses are stored sorted, as the ledger
//! keeps them, so nothing is hashed or re-interned on reload. Indexes
//! built lazily ([`Ledger::tx_by_hash`], asset names) are not stored.
//!
//! [`read_from`] reads any stream front to back on the calling thread.
//! [`read_file`] uses both cores: after walking the 20 section headers it
//! reads the columns in 1 MiB pieces with positional reads, one thread
//! taking pieces in order while the other hashes every byte in file order
//! for the file's SHA-256 (which reports cite as provenance; of exactly the
//! bytes loaded, the file is read once) and reads the next piece itself
//! whenever the first has not yet taken it. Each piece's CRC-32 is
//! computed by the thread that read it, while it is in cache, and the
//! pieces' CRCs are combined per section. The checks and the address and
//! transfer tables are then built on both cores. At 10M transfers most of
//! the time is the kernel's: copying 1 GB from the page cache and mapping
//! fresh zeroed pages for it (no `mmap` and no `unsafe` here); the rest is
//! the SHA-256.
//!
//! Bitcoin data (a [`UtxoLedger`] beside the account ledger) is not held
//! by snapshots: [`write_dataset`] refuses it with
//! [`SnapshotError::Bitcoin`].

use std::io::{Read, Write};
use std::path::Path;

use bytemuck::Pod;
use thiserror::Error;

use super::utxo::UtxoLedger;
use super::{
    Address, Asset, AssetInfo, BlockInfo, ChainInfo, Conflict, InputFile, Ledger, Origin, Sink,
    TransferKind,
};
use crate::id::{AddressId, AssetId, ChainId, TxIndex, MAX_INDEX};

/// The first eight bytes of every snapshot.
pub const MAGIC: [u8; 8] = *b"FTLEDGER";
/// The snapshot format this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// The crate version this build records in snapshots and accepts in them.
pub const CRATE_VERSION: &str = env!("CARGO_PKG_VERSION");
/// The role of a snapshot file in a report's inputs.
pub const ROLE_SNAPSHOT: &str = "snapshot";

const HEADER_LEN: u64 = 64;
const SECTION_HEADER_LEN: u64 = 16;
const SECTION_TRAILER_LEN: u64 = 4;
const VERSION_FIELD: usize = 32;

/// The sections, in file order: name and element size. A section's tag is
/// its position plus one.
const SECTIONS: [(&str, u32); 20] = [
    ("meta", 1),
    ("evm addresses", 20),
    ("text address ends", 8),
    ("text addresses", 1),
    ("sink addresses", 1),
    ("block times", 8),
    ("block chains", 4),
    ("block numbers", 8),
    ("transaction hashes", 32),
    ("transaction blocks", 4),
    ("transaction positions", 4),
    ("transfer senders", 4),
    ("transfer receivers", 4),
    ("transfer assets", 4),
    ("transfer amounts", 16),
    ("transfer transactions", 4),
    ("transfer kinds", 1),
    ("transfer sub-indices", 4),
    ("gas price transactions", 4),
    ("gas prices", 8),
];

const S_META: usize = 0;
const S_EVM: usize = 1;
const S_TEXT_END: usize = 2;
const S_TEXT: usize = 3;
const S_SINK: usize = 4;
const S_BLOCK_TIME: usize = 5;
const S_BLOCK_CHAIN: usize = 6;
const S_BLOCK_NUMBER: usize = 7;
const S_TX_HASH: usize = 8;
const S_TX_BLOCK: usize = 9;
const S_TX_POSITION: usize = 10;
const S_FROM: usize = 11;
const S_TO: usize = 12;
const S_ASSET: usize = 13;
const S_AMOUNT: usize = 14;
const S_TX: usize = 15;
const S_KIND: usize = 16;
const S_SUB_INDEX: usize = 17;
const S_GAS_TX: usize = 18;
const S_GAS_PRICE: usize = 19;

/// Why a snapshot could not be written or read.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// Reading or writing failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The file is empty.
    #[error(
        "empty file: not a fundtrace snapshot (make one with `fundtrace snapshot … --out FILE`)"
    )]
    Empty,
    /// The file does not start with [`MAGIC`].
    #[error(
        "not a fundtrace snapshot: the file starts with {found:?}, a snapshot with \"FTLEDGER\""
    )]
    BadMagic {
        /// The first bytes of the file (up to 8), escaped.
        found: String,
    },
    /// Another format or crate version wrote the file.
    #[error("snapshot of another version: the file is format {found_format} written by fundtrace {found_crate}; this build reads format {reads_format} of fundtrace {reads_crate}; make the snapshot again from its inputs with this build")]
    OtherVersion {
        /// The file's format version.
        found_format: u32,
        /// The crate version that wrote the file (as recorded, escaped).
        found_crate: String,
        /// The format version this build reads.
        reads_format: u32,
        /// This build's crate version.
        reads_crate: &'static str,
    },
    /// The file ends before the length its header gives (or before a
    /// section it must hold).
    #[error("truncated snapshot: {expected} bytes expected, the file has {actual}")]
    Truncated {
        /// Bytes the file should have (at least).
        expected: u64,
        /// Bytes it has.
        actual: u64,
    },
    /// The file is longer than its header says.
    #[error(
        "snapshot longer than its header says: {expected} bytes expected, the file has {actual}"
    )]
    TooLong {
        /// Bytes the header gives.
        expected: u64,
        /// Bytes the file has.
        actual: u64,
    },
    /// A section's (or the header's) bytes do not match their CRC-32.
    #[error("corrupt snapshot: the {section} section at offset {offset} fails its checksum (stored {stored:08x}, computed {computed:08x})")]
    Checksum {
        /// The section (`header`, `meta`, `transfer amounts`, …).
        section: &'static str,
        /// Offset of the section's header in the file.
        offset: u64,
        /// The CRC-32 stored.
        stored: u32,
        /// The CRC-32 of the bytes read.
        computed: u32,
    },
    /// A section claims more elements than the rest of the file can hold.
    #[error("corrupt snapshot: the {section} section at offset {offset} claims {count} elements ({needed} bytes) but only {remaining} bytes remain")]
    CountTooLarge {
        /// The section.
        section: &'static str,
        /// Offset of the section's header.
        offset: u64,
        /// Elements claimed.
        count: u64,
        /// Bytes they need (with the checksum), saturated at `u64::MAX`.
        needed: u64,
        /// Bytes left in the file after the section's header.
        remaining: u64,
    },
    /// The file's structure or content is not that of a ledger (a section
    /// out of place, an id beyond its table, unsorted addresses, …).
    #[error("corrupt snapshot: {section}: {message}")]
    Malformed {
        /// The section (or `header`).
        section: &'static str,
        /// What is wrong.
        message: String,
    },
    /// Snapshots are little-endian, and this host is not.
    #[error("snapshots are little-endian and this host is big-endian: not supported")]
    BigEndianHost,
    /// The data holds Bitcoin inputs as a UTXO ledger, which snapshots do
    /// not hold.
    #[error("snapshots hold account-chain ledgers only: Bitcoin inputs (--btc-blocks, --btc-json) cannot be put in a snapshot; read them directly")]
    Bitcoin,
}

fn malformed(section: usize, message: impl Into<String>) -> SnapshotError {
    SnapshotError::Malformed {
        section: SECTIONS[section].0,
        message: message.into(),
    }
}

fn check_host() -> Result<(), SnapshotError> {
    if cfg!(target_endian = "little") {
        Ok(())
    } else {
        Err(SnapshotError::BigEndianHost)
    }
}

/// The snapshot a ledger was read from, as reports cite it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotSource {
    /// The snapshot's path as given.
    pub path: String,
    /// SHA-256 of the file, lower-case hex.
    pub sha256: String,
}

impl Ledger {
    /// Writes the ledger as a snapshot (see [`write()`]).
    ///
    /// # Errors
    ///
    /// As [`write()`].
    pub fn write_snapshot<W: Write>(&self, w: W) -> Result<u64, SnapshotError> {
        write(self, w)
    }

    /// Reads a snapshot file, with its SHA-256 for provenance (see
    /// [`read_file`]).
    ///
    /// # Errors
    ///
    /// As [`read_file`].
    pub fn read_snapshot(path: &Path) -> Result<Ledger, SnapshotError> {
        read_file(path)
    }

    /// The snapshot this ledger was read from by [`read_file`], if any.
    #[must_use]
    pub fn snapshot_source(&self) -> Option<&SnapshotSource> {
        self.snapshot.as_ref()
    }
}

/// Writes `ledger` and refuses a UTXO ledger beside it (Bitcoin inputs):
/// what a snapshot of an `ingest::Dataset` is.
///
/// # Errors
///
/// [`SnapshotError::Bitcoin`] when `utxo` is given (before anything is
/// written), else as [`write()`].
pub fn write_dataset<W: Write>(
    ledger: &Ledger,
    utxo: Option<&UtxoLedger>,
    w: W,
) -> Result<u64, SnapshotError> {
    if utxo.is_some() {
        return Err(SnapshotError::Bitcoin);
    }
    write(ledger, w)
}

// ---------------------------------------------------------------- writing

/// Counts bytes and the CRC-32 of what goes through it.
struct Sink32<'a, W: Write> {
    w: &'a mut W,
    crc: crc32fast::Hasher,
    bytes: u64,
}

impl<W: Write> Sink32<'_, W> {
    fn put(&mut self, b: &[u8]) -> std::io::Result<()> {
        self.crc.update(b);
        self.bytes += b.len() as u64;
        self.w.write_all(b)
    }

    /// Writes values converted to little-endian bytes through a small buffer.
    fn put_each<const N: usize>(
        &mut self,
        values: impl Iterator<Item = [u8; N]>,
    ) -> std::io::Result<()> {
        let mut buf = Vec::with_capacity(1 << 16);
        for v in values {
            buf.extend_from_slice(&v);
            if buf.len() + N > 1 << 16 {
                self.put(&buf)?;
                buf.clear();
            }
        }
        self.put(&buf)
    }
}

/// One section to write: its index, element count and how to write it.
fn section<W: Write>(
    w: &mut W,
    index: usize,
    count: usize,
    data: impl FnOnce(&mut Sink32<'_, W>) -> std::io::Result<()>,
) -> Result<u64, SnapshotError> {
    let (name, elem) = SECTIONS[index];
    let mut head = [0u8; SECTION_HEADER_LEN as usize];
    head[0..4].copy_from_slice(&(index as u32 + 1).to_le_bytes());
    head[4..8].copy_from_slice(&elem.to_le_bytes());
    head[8..16].copy_from_slice(&(count as u64).to_le_bytes());
    w.write_all(&head)?;
    let mut sink = Sink32 {
        w,
        crc: crc32fast::Hasher::new(),
        bytes: 0,
    };
    data(&mut sink)?;
    let expected = count as u64 * u64::from(elem);
    if sink.bytes != expected {
        return Err(SnapshotError::Malformed {
            section: name,
            message: format!("wrote {} bytes for {expected}", sink.bytes),
        });
    }
    let crc = sink.crc.finalize();
    w.write_all(&crc.to_le_bytes())?;
    Ok(SECTION_HEADER_LEN + expected + SECTION_TRAILER_LEN)
}

/// Writes `ledger` as a snapshot to `w` and returns the bytes written.
/// The writer should be buffered for the small sections; the columns go
/// through in large writes. Write to a temporary file and rename it (the
/// command-line tool does) so that a reader never sees half a snapshot.
///
/// # Errors
///
/// [`SnapshotError::Io`] when writing fails, [`SnapshotError::BigEndianHost`].
pub fn write<W: Write>(ledger: &Ledger, mut w: W) -> Result<u64, SnapshotError> {
    check_host()?;
    let meta = encode_meta(ledger);
    let mut evm: Vec<[u8; 20]> = Vec::new();
    let mut text_end: Vec<u64> = Vec::new();
    let mut text: Vec<u8> = Vec::new();
    let mut sinks: Vec<u8> = Vec::new();
    for a in &ledger.addresses {
        match a {
            Address::Evm(b) => evm.push(*b),
            Address::Text(s) => {
                text.extend_from_slice(s.as_bytes());
                text_end.push(text.len() as u64);
            }
            Address::Sink(s) => sinks.push(sink_code(*s)),
        }
    }
    let counts: [usize; 20] = [
        meta.len(),
        evm.len(),
        text_end.len(),
        text.len(),
        sinks.len(),
        ledger.blocks.len(),
        ledger.blocks.len(),
        ledger.blocks.len(),
        ledger.tx_hash.len(),
        ledger.tx_block.len(),
        ledger.tx_position.len(),
        ledger.from.len(),
        ledger.to.len(),
        ledger.asset.len(),
        ledger.amount.len(),
        ledger.tx.len(),
        ledger.kind.len(),
        ledger.sub_index.len(),
        ledger.tx_gas_price.len(),
        ledger.tx_gas_price.len(),
    ];
    let total: u64 = HEADER_LEN
        + counts
            .iter()
            .zip(SECTIONS)
            .map(|(&n, (_, elem))| {
                SECTION_HEADER_LEN + n as u64 * u64::from(elem) + SECTION_TRAILER_LEN
            })
            .sum::<u64>();
    let mut header = [0u8; HEADER_LEN as usize];
    header[0..8].copy_from_slice(&MAGIC);
    header[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    header[12..16].copy_from_slice(&(SECTIONS.len() as u32).to_le_bytes());
    header[16..24].copy_from_slice(&total.to_le_bytes());
    let v = CRATE_VERSION.as_bytes();
    let v = &v[..v.len().min(VERSION_FIELD)];
    header[24..24 + v.len()].copy_from_slice(v);
    let crc = crc32fast::hash(&header[0..60]);
    header[60..64].copy_from_slice(&crc.to_le_bytes());
    w.write_all(&header)?;

    let l = ledger;
    let mut written = HEADER_LEN;
    written += section(&mut w, S_META, counts[S_META], |s| s.put(&meta))?;
    written += section(&mut w, S_EVM, evm.len(), |s| {
        s.put(bytemuck::cast_slice(&evm))
    })?;
    drop(evm);
    written += section(&mut w, S_TEXT_END, text_end.len(), |s| {
        s.put(bytemuck::cast_slice(&text_end))
    })?;
    written += section(&mut w, S_TEXT, text.len(), |s| s.put(&text))?;
    written += section(&mut w, S_SINK, sinks.len(), |s| s.put(&sinks))?;
    let nb = l.blocks.len();
    written += section(&mut w, S_BLOCK_TIME, nb, |s| {
        s.put_each(l.blocks.iter().map(|b| b.time.to_le_bytes()))
    })?;
    written += section(&mut w, S_BLOCK_CHAIN, nb, |s| {
        s.put_each(l.blocks.iter().map(|b| b.chain.0.to_le_bytes()))
    })?;
    written += section(&mut w, S_BLOCK_NUMBER, nb, |s| {
        s.put_each(l.blocks.iter().map(|b| b.number.to_le_bytes()))
    })?;
    written += section(&mut w, S_TX_HASH, l.tx_hash.len(), |s| {
        s.put(bytemuck::cast_slice(&l.tx_hash))
    })?;
    written += section(&mut w, S_TX_BLOCK, l.tx_block.len(), |s| {
        s.put(bytemuck::cast_slice(&l.tx_block))
    })?;
    written += section(&mut w, S_TX_POSITION, l.tx_position.len(), |s| {
        s.put(bytemuck::cast_slice(&l.tx_position))
    })?;
    written += section(&mut w, S_FROM, l.from.len(), |s| {
        s.put_each(l.from.iter().map(|a| a.0.to_le_bytes()))
    })?;
    written += section(&mut w, S_TO, l.to.len(), |s| {
        s.put_each(l.to.iter().map(|a| a.0.to_le_bytes()))
    })?;
    written += section(&mut w, S_ASSET, l.asset.len(), |s| {
        s.put_each(l.asset.iter().map(|a| a.0.to_le_bytes()))
    })?;
    written += section(&mut w, S_AMOUNT, l.amount.len(), |s| {
        s.put(bytemuck::cast_slice(&l.amount))
    })?;
    written += section(&mut w, S_TX, l.tx.len(), |s| {
        s.put_each(l.tx.iter().map(|t| t.0.to_le_bytes()))
    })?;
    written += section(&mut w, S_KIND, l.kind.len(), |s| {
        s.put_each(l.kind.iter().map(|k| [kind_code(*k)]))
    })?;
    written += section(&mut w, S_SUB_INDEX, l.sub_index.len(), |s| {
        s.put(bytemuck::cast_slice(&l.sub_index))
    })?;
    written += section(&mut w, S_GAS_TX, l.tx_gas_price.len(), |s| {
        s.put_each(l.tx_gas_price.iter().map(|(t, _)| t.0.to_le_bytes()))
    })?;
    written += section(&mut w, S_GAS_PRICE, l.tx_gas_price.len(), |s| {
        s.put_each(l.tx_gas_price.iter().map(|(_, p)| p.to_le_bytes()))
    })?;
    w.flush()?;
    debug_assert_eq!(written, total);
    Ok(written)
}

fn sink_code(s: Sink) -> u8 {
    match s {
        Sink::Fees => 0,
        Sink::Creations => 1,
        Sink::Mint => 2,
    }
}

fn sink_of(code: u8) -> Option<Sink> {
    match code {
        0 => Some(Sink::Fees),
        1 => Some(Sink::Creations),
        2 => Some(Sink::Mint),
        _ => None,
    }
}

fn kind_code(k: TransferKind) -> u8 {
    match k {
        TransferKind::Native => 0,
        TransferKind::Internal => 1,
        TransferKind::Token => 2,
        TransferKind::Fee => 3,
    }
}

fn kind_of(code: u8) -> TransferKind {
    match code {
        0 => TransferKind::Native,
        1 => TransferKind::Internal,
        2 => TransferKind::Token,
        _ => TransferKind::Fee,
    }
}

// ------------------------------------------------------------------- meta

/// The small tables in a length-prefixed encoding.
#[derive(Default)]
struct Enc(Vec<u8>);

impl Enc {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn len(&mut self, n: usize) {
        self.u64(n as u64);
    }
    fn str(&mut self, s: &str) {
        self.len(s.len());
        self.0.extend_from_slice(s.as_bytes());
    }
    fn address(&mut self, a: &Address) {
        match a {
            Address::Evm(b) => {
                self.u8(0);
                self.0.extend_from_slice(b);
            }
            Address::Text(s) => {
                self.u8(1);
                self.str(s);
            }
            Address::Sink(s) => {
                self.u8(2);
                self.u8(sink_code(*s));
            }
        }
    }
    fn counts(&mut self, m: &std::collections::BTreeMap<String, u64>) {
        self.len(m.len());
        for (k, v) in m {
            self.str(k);
            self.u64(*v);
        }
    }
    fn origin(&mut self, o: &Origin) {
        self.str(&o.path);
        self.u64(o.line);
    }
}

fn encode_meta(l: &Ledger) -> Vec<u8> {
    let mut e = Enc::default();
    e.len(l.chains.len());
    for c in &l.chains {
        e.str(&c.name);
        e.str(&c.native_symbol);
    }
    e.len(l.assets.len());
    for a in &l.assets {
        e.u32(a.chain.0);
        match &a.asset {
            Asset::Native => e.u8(0),
            Asset::Token(t) => {
                e.u8(1);
                e.address(t);
            }
        }
    }
    e.len(l.inputs.len());
    for i in &l.inputs {
        e.str(&i.path);
        e.str(&i.sha256);
        e.u64(i.records);
        e.counts(&i.skipped);
        e.counts(&i.ignored);
    }
    e.len(l.conflicts.len());
    for c in &l.conflicts {
        e.origin(&c.dropped);
        e.origin(&c.kept);
        e.str(&c.reason);
        e.str(&c.what);
    }
    e.u64(l.duplicates_dropped);
    e.len(l.warnings.len());
    for w in &l.warnings {
        e.str(w);
    }
    e.0
}

/// Reads the meta section; every length is checked against the bytes left.
struct Dec<'a> {
    b: &'a [u8],
}

impl<'a> Dec<'a> {
    fn take(&mut self, n: u64) -> Result<&'a [u8], SnapshotError> {
        if n > self.b.len() as u64 {
            return Err(malformed(
                S_META,
                format!("{n} bytes claimed, {} left", self.b.len()),
            ));
        }
        let (head, rest) = self.b.split_at(n as usize);
        self.b = rest;
        Ok(head)
    }
    fn u8(&mut self) -> Result<u8, SnapshotError> {
        Ok(self.take(1)?[0])
    }
    fn arr<const N: usize>(&mut self) -> Result<[u8; N], SnapshotError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N as u64)?);
        Ok(out)
    }
    fn u32(&mut self) -> Result<u32, SnapshotError> {
        Ok(u32::from_le_bytes(self.arr()?))
    }
    fn u64(&mut self) -> Result<u64, SnapshotError> {
        Ok(u64::from_le_bytes(self.arr()?))
    }
    /// A count of items each at least `min_bytes` long, checked against
    /// the bytes left before anything is allocated for it.
    fn count(&mut self, min_bytes: u64) -> Result<usize, SnapshotError> {
        let n = self.u64()?;
        if n.saturating_mul(min_bytes) > self.b.len() as u64 {
            return Err(malformed(
                S_META,
                format!("{n} items claimed, {} bytes left", self.b.len()),
            ));
        }
        Ok(n as usize)
    }
    fn str(&mut self) -> Result<String, SnapshotError> {
        let n = self.u64()?;
        let bytes = self.take(n)?;
        std::str::from_utf8(bytes)
            .map(str::to_string)
            .map_err(|e| malformed(S_META, format!("text is not UTF-8: {e}")))
    }
    fn address(&mut self) -> Result<Address, SnapshotError> {
        match self.u8()? {
            0 => Ok(Address::Evm(self.arr()?)),
            1 => Ok(Address::Text(self.str()?.into_boxed_str())),
            2 => sink_of(self.u8()?)
                .map(Address::Sink)
                .ok_or_else(|| malformed(S_META, "unknown sink")),
            t => Err(malformed(S_META, format!("unknown address kind {t}"))),
        }
    }
    fn counts(&mut self) -> Result<std::collections::BTreeMap<String, u64>, SnapshotError> {
        let n = self.count(16)?;
        let mut m = std::collections::BTreeMap::new();
        for _ in 0..n {
            let k = self.str()?;
            m.insert(k, self.u64()?);
        }
        Ok(m)
    }
    fn origin(&mut self) -> Result<Origin, SnapshotError> {
        Ok(Origin {
            path: self.str()?,
            line: self.u64()?,
        })
    }
}

fn decode_meta(bytes: &[u8], l: &mut Ledger) -> Result<(), SnapshotError> {
    let mut d = Dec { b: bytes };
    let n = d.count(16)?;
    for _ in 0..n {
        l.chains.push(ChainInfo {
            name: d.str()?,
            native_symbol: d.str()?,
        });
    }
    let n = d.count(5)?;
    for _ in 0..n {
        let chain = d.u32()?;
        if chain as usize >= l.chains.len() {
            return Err(malformed(S_META, format!("asset of unknown chain {chain}")));
        }
        let asset = match d.u8()? {
            0 => Asset::Native,
            1 => Asset::Token(d.address()?),
            t => return Err(malformed(S_META, format!("unknown asset kind {t}"))),
        };
        l.assets.push(AssetInfo {
            chain: ChainId(chain),
            asset,
        });
    }
    let n = d.count(40)?;
    for _ in 0..n {
        l.inputs.push(InputFile {
            path: d.str()?,
            sha256: d.str()?,
            records: d.u64()?,
            skipped: d.counts()?,
            ignored: d.counts()?,
        });
    }
    let n = d.count(48)?;
    for _ in 0..n {
        l.conflicts.push(Conflict {
            dropped: d.origin()?,
            kept: d.origin()?,
            reason: d.str()?,
            what: d.str()?,
        });
    }
    l.duplicates_dropped = d.u64()?;
    let n = d.count(8)?;
    for _ in 0..n {
        l.warnings.push(d.str()?);
    }
    if !d.b.is_empty() {
        return Err(malformed(S_META, format!("{} bytes left over", d.b.len())));
    }
    Ok(())
}

// ---------------------------------------------------------------- reading

/// Checks a section's 16-byte header, read at offset `at`, with
/// `remaining` bytes of the input after it, and returns its element count
/// and the bytes of its elements.
fn check_section_head(
    index: usize,
    at: u64,
    head: &[u8; SECTION_HEADER_LEN as usize],
    remaining: u64,
) -> Result<(u64, usize), SnapshotError> {
    let (name, elem) = SECTIONS[index];
    let tag = u32::from_le_bytes([head[0], head[1], head[2], head[3]]);
    let size = u32::from_le_bytes([head[4], head[5], head[6], head[7]]);
    let mut c = [0u8; 8];
    c.copy_from_slice(&head[8..16]);
    let count = u64::from_le_bytes(c);
    if tag as usize != index + 1 {
        return Err(SnapshotError::Malformed {
            section: name,
            message: format!(
                "section {} expected at offset {at}, found tag {tag}",
                index + 1
            ),
        });
    }
    if size != elem {
        return Err(SnapshotError::Malformed {
            section: name,
            message: format!("element size {size}, expected {elem}"),
        });
    }
    let needed = count
        .checked_mul(u64::from(elem))
        .and_then(|b| b.checked_add(SECTION_TRAILER_LEN));
    match needed {
        Some(n) if n <= remaining => {
            if let Ok(bytes) = usize::try_from(n - SECTION_TRAILER_LEN) {
                return Ok((count, bytes));
            }
        }
        _ => {}
    }
    Err(SnapshotError::CountTooLarge {
        section: name,
        offset: at,
        count,
        needed: needed.unwrap_or(u64::MAX),
        remaining,
    })
}

fn check_crc(index: usize, at: u64, stored: u32, computed: u32) -> Result<(), SnapshotError> {
    if stored == computed {
        Ok(())
    } else {
        Err(SnapshotError::Checksum {
            section: SECTIONS[index].0,
            offset: at,
            stored,
            computed,
        })
    }
}

/// The sections of a snapshot as stored, read and checksummed but not yet
/// checked as a ledger.
struct Columns {
    meta: Vec<u8>,
    evm: Vec<[u8; 20]>,
    text_end: Vec<u64>,
    text: Vec<u8>,
    sinks: Vec<u8>,
    times: Vec<u64>,
    chains: Vec<u32>,
    numbers: Vec<u64>,
    tx_hash: Vec<[u8; 32]>,
    tx_block: Vec<u32>,
    tx_position: Vec<u32>,
    from: Vec<u32>,
    to: Vec<u32>,
    asset: Vec<u32>,
    amount: Vec<u128>,
    tx: Vec<u32>,
    kind: Vec<u8>,
    sub_index: Vec<u32>,
    gas_tx: Vec<u32>,
    gas: Vec<u64>,
}

impl Columns {
    /// Every column at its length, zeroed by the allocator (pages are
    /// mapped when first written, by the read that fills them).
    #[cfg(unix)]
    fn zeroed(counts: &[usize; 20]) -> Columns {
        use bytemuck::zeroed_vec as z;
        Columns {
            meta: z(counts[S_META]),
            evm: z(counts[S_EVM]),
            text_end: z(counts[S_TEXT_END]),
            text: z(counts[S_TEXT]),
            sinks: z(counts[S_SINK]),
            times: z(counts[S_BLOCK_TIME]),
            chains: z(counts[S_BLOCK_CHAIN]),
            numbers: z(counts[S_BLOCK_NUMBER]),
            tx_hash: z(counts[S_TX_HASH]),
            tx_block: z(counts[S_TX_BLOCK]),
            tx_position: z(counts[S_TX_POSITION]),
            from: z(counts[S_FROM]),
            to: z(counts[S_TO]),
            asset: z(counts[S_ASSET]),
            amount: z(counts[S_AMOUNT]),
            tx: z(counts[S_TX]),
            kind: z(counts[S_KIND]),
            sub_index: z(counts[S_SUB_INDEX]),
            gas_tx: z(counts[S_GAS_TX]),
            gas: z(counts[S_GAS_PRICE]),
        }
    }

    /// The bytes of every column, in section order.
    #[cfg(unix)]
    fn bytes_mut(&mut self) -> [&mut [u8]; 20] {
        use bytemuck::cast_slice_mut as b;
        [
            &mut self.meta,
            b(&mut self.evm),
            b(&mut self.text_end),
            &mut self.text,
            &mut self.sinks,
            b(&mut self.times),
            b(&mut self.chains),
            b(&mut self.numbers),
            b(&mut self.tx_hash),
            b(&mut self.tx_block),
            b(&mut self.tx_position),
            b(&mut self.from),
            b(&mut self.to),
            b(&mut self.asset),
            b(&mut self.amount),
            b(&mut self.tx),
            &mut self.kind,
            b(&mut self.sub_index),
            b(&mut self.gas_tx),
            b(&mut self.gas),
        ]
    }
}

/// Reads a stream front to back (see [`read_from`]).
struct Reader<R: Read> {
    r: R,
    /// Bytes read so far.
    offset: u64,
    /// Length of the whole input.
    len: u64,
}

impl<R: Read> Reader<R> {
    /// Fills `buf`, or reports how short the input is.
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), SnapshotError> {
        let mut got = 0;
        while got < buf.len() {
            match self.r.read(&mut buf[got..]) {
                Ok(0) => {
                    return Err(SnapshotError::Truncated {
                        expected: self.offset + buf.len() as u64,
                        actual: self.offset + got as u64,
                    })
                }
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
        self.offset += buf.len() as u64;
        Ok(())
    }

    /// Reads section `index` as a column of `T` (whose size is the
    /// section's element size), checking its place, count and CRC-32.
    fn column<T: Pod>(&mut self, index: usize) -> Result<Vec<T>, SnapshotError> {
        debug_assert_eq!(std::mem::size_of::<T>(), SECTIONS[index].1 as usize);
        let at = self.offset;
        let mut head = [0u8; SECTION_HEADER_LEN as usize];
        self.fill(&mut head)?;
        let remaining = self.len.saturating_sub(self.offset);
        let (count, bytes) = check_section_head(index, at, &head, remaining)?;
        let count = usize::try_from(count).map_err(|_| malformed(index, "too many elements"))?;
        // Zeroed by the allocator (pages mapped on first write), not by a loop.
        let mut col: Vec<T> = bytemuck::zeroed_vec(count);
        let raw: &mut [u8] = bytemuck::cast_slice_mut(&mut col);
        debug_assert_eq!(raw.len(), bytes);
        self.fill(raw)?;
        let computed = crc32fast::hash(raw);
        let mut trailer = [0u8; 4];
        self.fill(&mut trailer)?;
        check_crc(index, at, u32::from_le_bytes(trailer), computed)?;
        Ok(col)
    }

    fn columns(&mut self) -> Result<Columns, SnapshotError> {
        // Fields are read in the order written, which is the file's.
        Ok(Columns {
            meta: self.column(S_META)?,
            evm: self.column(S_EVM)?,
            text_end: self.column(S_TEXT_END)?,
            text: self.column(S_TEXT)?,
            sinks: self.column(S_SINK)?,
            times: self.column(S_BLOCK_TIME)?,
            chains: self.column(S_BLOCK_CHAIN)?,
            numbers: self.column(S_BLOCK_NUMBER)?,
            tx_hash: self.column(S_TX_HASH)?,
            tx_block: self.column(S_TX_BLOCK)?,
            tx_position: self.column(S_TX_POSITION)?,
            from: self.column(S_FROM)?,
            to: self.column(S_TO)?,
            asset: self.column(S_ASSET)?,
            amount: self.column(S_AMOUNT)?,
            tx: self.column(S_TX)?,
            kind: self.column(S_KIND)?,
            sub_index: self.column(S_SUB_INDEX)?,
            gas_tx: self.column(S_GAS_TX)?,
            gas: self.column(S_GAS_PRICE)?,
        })
    }
}

/// Escapes up to the first 8 bytes of a file for an error message.
fn escaped(bytes: &[u8]) -> String {
    bytes.escape_ascii().to_string()
}

/// Checks the first `header.len()` (at most 64) bytes of an input of
/// `len` bytes: magic, version, checksum, length and section count.
fn check_header(header: &[u8], len: u64) -> Result<(), SnapshotError> {
    let got = header.len();
    if got == 0 {
        return Err(SnapshotError::Empty);
    }
    let m = got.min(MAGIC.len());
    if header[..m] != MAGIC[..m] {
        return Err(SnapshotError::BadMagic {
            found: escaped(&header[..m]),
        });
    }
    if got < HEADER_LEN as usize {
        return Err(SnapshotError::Truncated {
            expected: HEADER_LEN,
            actual: got as u64,
        });
    }
    let u32_at =
        |i: usize| u32::from_le_bytes([header[i], header[i + 1], header[i + 2], header[i + 3]]);
    let format = u32_at(8);
    let version = &header[24..24 + VERSION_FIELD];
    let version = &version[..version
        .iter()
        .position(|&b| b == 0)
        .unwrap_or(VERSION_FIELD)];
    if format != FORMAT_VERSION || version != CRATE_VERSION.as_bytes() {
        return Err(SnapshotError::OtherVersion {
            found_format: format,
            found_crate: escaped(version),
            reads_format: FORMAT_VERSION,
            reads_crate: CRATE_VERSION,
        });
    }
    let stored = u32_at(60);
    let computed = crc32fast::hash(&header[0..60]);
    if stored != computed {
        return Err(SnapshotError::Checksum {
            section: "header",
            offset: 0,
            stored,
            computed,
        });
    }
    let mut t = [0u8; 8];
    t.copy_from_slice(&header[16..24]);
    let total = u64::from_le_bytes(t);
    if total > len {
        return Err(SnapshotError::Truncated {
            expected: total,
            actual: len,
        });
    }
    if total < len {
        return Err(SnapshotError::TooLong {
            expected: total,
            actual: len,
        });
    }
    let sections = u32_at(12);
    if sections as usize != SECTIONS.len() {
        return Err(SnapshotError::Malformed {
            section: "header",
            message: format!("{sections} sections, expected {}", SECTIONS.len()),
        });
    }
    Ok(())
}

fn read_header<R: Read>(r: &mut Reader<R>) -> Result<(), SnapshotError> {
    let mut header = [0u8; HEADER_LEN as usize];
    let mut got = 0;
    while got < header.len() {
        match r.r.read(&mut header[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
    r.offset = got as u64;
    check_header(&header[..got], r.len)
}

/// Whether every id in `ids` is below `n` (one pass the compiler
/// vectorises: the largest id against the table's length).
fn below(ids: &[u32], n: usize) -> bool {
    ids.is_empty() || (ids.iter().fold(0u32, |m, &x| m.max(x)) as usize) < n
}

fn same_len(section: usize, a: usize, b: usize) -> Result<(), SnapshotError> {
    if a == b {
        Ok(())
    } else {
        Err(malformed(
            section,
            format!("{b} elements where its table has {a}"),
        ))
    }
}

fn ids_below(section: usize, ids: &[u32], n: usize, table: &str) -> Result<(), SnapshotError> {
    if below(ids, n) {
        Ok(())
    } else {
        Err(malformed(
            section,
            format!("an id beyond the {n} {table} of the ledger"),
        ))
    }
}

/// Reads a snapshot of `len` bytes from `r` on the calling thread (no
/// provenance is recorded: see [`read_file`]). Allocations are bounded by
/// `len`.
///
/// # Errors
///
/// [`SnapshotError`]: empty input, bad magic, another version, truncated,
/// a checksum mismatch, a count the length cannot hold, content that is
/// not a ledger, or an I/O error.
pub fn read_from<R: Read>(r: R, len: u64) -> Result<Ledger, SnapshotError> {
    check_host()?;
    let mut r = Reader { r, offset: 0, len };
    read_header(&mut r)?;
    let cols = r.columns()?;
    if r.offset != len {
        return Err(SnapshotError::TooLong {
            expected: r.offset,
            actual: len,
        });
    }
    assemble(cols, false)
}

/// Checks the columns as a ledger (every id against its table, addresses
/// in order, lengths that agree) and builds it.
fn assemble(c: Columns, parallel: bool) -> Result<Ledger, SnapshotError> {
    let Columns {
        meta,
        evm,
        text_end,
        text,
        sinks,
        times,
        chains,
        numbers,
        tx_hash,
        tx_block,
        tx_position,
        from,
        to,
        asset,
        amount,
        tx,
        kind,
        sub_index,
        gas_tx,
        gas,
    } = c;
    let n_addr = evm.len() + text_end.len() + sinks.len();
    if n_addr > MAX_INDEX {
        return Err(malformed(S_EVM, format!("{n_addr} addresses")));
    }
    let n_blocks = times.len();
    let mut l = Ledger::default();
    decode_meta(&meta, &mut l)?;
    drop(meta);
    let (n_chains, n_assets) = (l.chains.len(), l.assets.len());
    // The addresses and the blocks ...
    let tables = move || -> Result<(Vec<Address>, Vec<BlockInfo>), SnapshotError> {
        let addresses = addresses(&evm, &text_end, &text, &sinks, n_addr)?;
        same_len(S_BLOCK_CHAIN, times.len(), chains.len())?;
        same_len(S_BLOCK_NUMBER, times.len(), numbers.len())?;
        ids_below(S_BLOCK_CHAIN, &chains, n_chains, "chains")?;
        let blocks = times
            .iter()
            .zip(&chains)
            .zip(&numbers)
            .map(|((&time, &chain), &number)| BlockInfo {
                time,
                chain: ChainId(chain),
                number,
            })
            .collect();
        Ok((addresses, blocks))
    };
    // ... and the transactions, transfers and gas prices, which need only
    // the tables' lengths.
    let columns = move || -> Result<Ledger, SnapshotError> {
        let mut l = Ledger::default();
        let ntx = tx_hash.len();
        if ntx > MAX_INDEX {
            return Err(malformed(S_TX_HASH, format!("{ntx} transactions")));
        }
        same_len(S_TX_BLOCK, ntx, tx_block.len())?;
        same_len(S_TX_POSITION, ntx, tx_position.len())?;
        ids_below(S_TX_BLOCK, &tx_block, n_blocks, "blocks")?;
        let n = from.len();
        if n > MAX_INDEX {
            return Err(malformed(S_FROM, format!("{n} transfers")));
        }
        ids_below(S_FROM, &from, n_addr, "addresses")?;
        same_len(S_TO, n, to.len())?;
        ids_below(S_TO, &to, n_addr, "addresses")?;
        same_len(S_ASSET, n, asset.len())?;
        ids_below(S_ASSET, &asset, n_assets, "assets")?;
        same_len(S_AMOUNT, n, amount.len())?;
        same_len(S_TX, n, tx.len())?;
        ids_below(S_TX, &tx, ntx, "transactions")?;
        same_len(S_KIND, n, kind.len())?;
        if kind.iter().fold(0u8, |m, &k| m.max(k)) > 3 {
            return Err(malformed(S_KIND, "unknown transfer kind"));
        }
        same_len(S_SUB_INDEX, n, sub_index.len())?;
        same_len(S_GAS_PRICE, gas_tx.len(), gas.len())?;
        if gas_tx.windows(2).any(|w| w[0] >= w[1]) {
            return Err(malformed(S_GAS_TX, "transactions not in order"));
        }
        ids_below(S_GAS_TX, &gas_tx, ntx, "transactions")?;
        l.tx_hash = tx_hash;
        l.tx_block = tx_block;
        l.tx_position = tx_position;
        // Each of these reuses its column's allocation (same size and
        // alignment).
        l.from = from.into_iter().map(AddressId).collect();
        l.to = to.into_iter().map(AddressId).collect();
        l.asset = asset.into_iter().map(AssetId).collect();
        l.amount = amount;
        l.tx = tx.into_iter().map(TxIndex).collect();
        l.kind = kind.into_iter().map(kind_of).collect();
        l.sub_index = sub_index;
        l.tx_gas_price = gas_tx.into_iter().map(TxIndex).zip(gas).collect();
        Ok(l)
    };
    let (tables, columns) = if parallel {
        std::thread::scope(|s| {
            let other = s.spawn(columns);
            let tables = tables();
            let columns = other
                .join()
                .unwrap_or_else(|_| Err(std::io::Error::other("a reading thread failed").into()));
            (tables, columns)
        })
    } else {
        (tables(), columns())
    };
    (l.addresses, l.blocks) = tables?;
    let c = columns?;
    l.tx_hash = c.tx_hash;
    l.tx_block = c.tx_block;
    l.tx_position = c.tx_position;
    l.from = c.from;
    l.to = c.to;
    l.asset = c.asset;
    l.amount = c.amount;
    l.tx = c.tx;
    l.kind = c.kind;
    l.sub_index = c.sub_index;
    l.tx_gas_price = c.tx_gas_price;
    Ok(l)
}

/// The address table: EVM addresses, then text ones, then sinks, each
/// kind in order.
fn addresses(
    evm: &[[u8; 20]],
    text_end: &[u64],
    text: &[u8],
    sinks: &[u8],
    n_addr: usize,
) -> Result<Vec<Address>, SnapshotError> {
    if evm.windows(2).any(|w| w[0] >= w[1]) {
        return Err(malformed(S_EVM, "addresses not in order"));
    }
    let text =
        std::str::from_utf8(text).map_err(|e| malformed(S_TEXT, format!("not UTF-8: {e}")))?;
    let mut addresses = Vec::with_capacity(n_addr);
    addresses.extend(evm.iter().map(|b| Address::Evm(*b)));
    let mut start = 0usize;
    let mut last: Option<&str> = None;
    for &end in text_end {
        let s = usize::try_from(end)
            .ok()
            .filter(|&e| e >= start)
            .and_then(|e| text.get(start..e))
            .ok_or_else(|| malformed(S_TEXT_END, "an address ends out of place"))?;
        if s.is_empty() || last.is_some_and(|p| p >= s) {
            return Err(malformed(S_TEXT, "addresses empty or not in order"));
        }
        addresses.push(Address::Text(s.into()));
        last = Some(s);
        start += s.len();
    }
    if start != text.len() {
        return Err(malformed(S_TEXT, "bytes after the last address"));
    }
    let mut last_sink = None;
    for &code in sinks {
        let s = sink_of(code).ok_or_else(|| malformed(S_SINK, format!("unknown sink {code}")))?;
        if last_sink.is_some_and(|p| p >= s) {
            return Err(malformed(S_SINK, "sinks not in order"));
        }
        last_sink = Some(s);
        addresses.push(Address::Sink(s));
    }
    Ok(addresses)
}

/// Reads the snapshot at `path` and records it (path as given, SHA-256)
/// in [`Ledger::snapshot_source`], so that reports cite it.
///
/// On Unix both cores work: the file is read with positional reads in
/// pieces of 1 MiB straight into the ledger's columns, each piece's
/// CRC-32 computed by the thread that read it while it is in cache; one
/// thread hashes every byte in file order (the SHA-256 is of exactly the
/// bytes loaded, never a second read of the file) and, when the other
/// has not yet read the piece it needs next, reads it itself. Elsewhere
/// the file is read and hashed in one pass by [`read_from`].
///
/// # Errors
///
/// As [`read_from`]; [`SnapshotError::Io`] when the file cannot be opened.
pub fn read_file(path: &Path) -> Result<Ledger, SnapshotError> {
    check_host()?;
    let file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    let (cols, digest) = read_columns(&file, len)?;
    let mut ledger = assemble(cols, true)?;
    ledger.snapshot = Some(SnapshotSource {
        path: path.display().to_string(),
        sha256: hex::encode(digest),
    });
    Ok(ledger)
}

/// The columns and the SHA-256 of the file, one pass over a stream.
#[cfg(not(unix))]
fn read_columns(file: &std::fs::File, len: u64) -> Result<(Columns, [u8; 32]), SnapshotError> {
    use sha2::{Digest, Sha256};
    /// Hashes what is read through it.
    struct Hashing<R> {
        r: R,
        h: Sha256,
    }
    impl<R: Read> Read for Hashing<R> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.r.read(buf)?;
            self.h.update(&buf[..n]);
            Ok(n)
        }
    }
    let mut r = Reader {
        r: Hashing {
            r: file,
            h: Sha256::new(),
        },
        offset: 0,
        len,
    };
    read_header(&mut r)?;
    let cols = r.columns()?;
    if r.offset != len {
        return Err(SnapshotError::TooLong {
            expected: r.offset,
            actual: len,
        });
    }
    Ok((cols, r.r.h.finalize().into()))
}

/// The pieces files are read in by [`read_file`]: large enough that the
/// system calls cost nothing, small enough to be hashed from cache.
#[cfg(unix)]
const PIECE: usize = 1 << 20;

/// Where each section lies, found by walking the section headers.
#[cfg(unix)]
struct Layout {
    header: [u8; HEADER_LEN as usize],
    /// Per section: offset of its header, the header, its element count,
    /// and the stored CRC-32 (trailer).
    sections: Vec<(u64, [u8; SECTION_HEADER_LEN as usize], usize, [u8; 4])>,
}

/// Reads exactly `buf.len()` bytes at `offset`; a file that ends sooner
/// (shortened while being read) is reported as truncated.
#[cfg(unix)]
fn read_at(file: &std::fs::File, buf: &mut [u8], offset: u64) -> Result<(), SnapshotError> {
    use std::os::unix::fs::FileExt;
    file.read_exact_at(buf, offset).map_err(|e| {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            SnapshotError::Truncated {
                expected: offset + buf.len() as u64,
                actual: file.metadata().map_or(0, |m| m.len()),
            }
        } else {
            e.into()
        }
    })
}

#[cfg(unix)]
fn layout(file: &std::fs::File, len: u64) -> Result<Layout, SnapshotError> {
    let mut header = [0u8; HEADER_LEN as usize];
    let got = len.min(HEADER_LEN) as usize;
    read_at(file, &mut header[..got], 0)?;
    check_header(&header[..got], len)?;
    let mut sections = Vec::with_capacity(SECTIONS.len());
    let mut at = HEADER_LEN;
    for index in 0..SECTIONS.len() {
        if len - at < SECTION_HEADER_LEN {
            return Err(SnapshotError::Truncated {
                expected: at + SECTION_HEADER_LEN,
                actual: len,
            });
        }
        let mut head = [0u8; SECTION_HEADER_LEN as usize];
        read_at(file, &mut head, at)?;
        let (count, bytes) = check_section_head(index, at, &head, len - at - SECTION_HEADER_LEN)?;
        let count = usize::try_from(count).map_err(|_| malformed(index, "too many elements"))?;
        let mut trailer = [0u8; 4];
        read_at(file, &mut trailer, at + SECTION_HEADER_LEN + bytes as u64)?;
        sections.push((at, head, count, trailer));
        at += SECTION_HEADER_LEN + bytes as u64 + SECTION_TRAILER_LEN;
    }
    if at != len {
        return Err(SnapshotError::TooLong {
            expected: at,
            actual: len,
        });
    }
    Ok(Layout { header, sections })
}

/// A piece of a column to read: its number in file order, its offset in
/// the file and where it goes.
#[cfg(unix)]
struct Piece<'a> {
    number: usize,
    offset: u64,
    buf: &'a mut [u8],
}

/// A piece read, its bytes and CRC-32.
#[cfg(unix)]
type Done<'a> = (usize, &'a [u8], crc32fast::Hasher);

/// Reads `piece` and its CRC-32.
#[cfg(unix)]
fn read_piece<'a>(file: &std::fs::File, piece: Piece<'a>) -> Result<Done<'a>, SnapshotError> {
    read_at(file, piece.buf, piece.offset)?;
    let mut crc = crc32fast::Hasher::new();
    crc.update(piece.buf);
    Ok((piece.number, piece.buf, crc))
}

/// The next piece not yet claimed, and the pieces after it.
#[cfg(unix)]
type Queue<'a> = std::sync::Mutex<std::iter::Peekable<std::vec::IntoIter<Piece<'a>>>>;

/// Claims the next piece, or (`only`) that piece if it is still unclaimed.
#[cfg(unix)]
fn claim<'a>(queue: &Queue<'a>, only: Option<usize>) -> Option<Piece<'a>> {
    // A thread that panicked holding the lock left the queue whole.
    let mut q = queue
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match only {
        Some(n) if q.peek().map(|p| p.number) != Some(n) => None,
        _ => q.next(),
    }
}

/// Reads every section of a file of `len` bytes on two threads and
/// checks their CRC-32; returns them with the file's SHA-256.
#[cfg(unix)]
fn read_columns(file: &std::fs::File, len: u64) -> Result<(Columns, [u8; 32]), SnapshotError> {
    use sha2::{Digest, Sha256};
    let layout = layout(file, len)?;
    let mut counts = [0usize; 20];
    for (c, s) in counts.iter_mut().zip(&layout.sections) {
        *c = s.2;
    }
    let mut cols = Columns::zeroed(&counts);
    // Cut every column in pieces, in file order; note each section's first
    // piece and the number of pieces.
    let mut pieces = Vec::new();
    let mut spans = Vec::with_capacity(SECTIONS.len());
    for (buf, s) in cols.bytes_mut().into_iter().zip(&layout.sections) {
        let first = pieces.len();
        let mut offset = s.0 + SECTION_HEADER_LEN;
        for chunk in buf.chunks_mut(PIECE) {
            let n = chunk.len() as u64;
            pieces.push(Piece {
                number: pieces.len(),
                offset,
                buf: chunk,
            });
            offset += n;
        }
        spans.push(first..pieces.len());
    }
    let crc_count = pieces.len();
    let queue: Queue<'_> = std::sync::Mutex::new(pieces.into_iter().peekable());
    let (send, receive) = std::sync::mpsc::channel::<Done<'_>>();

    let (read, hashed) = std::thread::scope(|s| {
        // This thread: hashes every byte in file order, and reads the next
        // piece itself when the other thread has not claimed it yet.
        let (queue, layout, spans) = (&queue, &layout, &spans);
        let hasher = s.spawn(move || {
            let mut sha = Sha256::new();
            let mut crcs = Vec::with_capacity(crc_count);
            sha.update(layout.header);
            for (span, (_, head, _, trailer)) in spans.iter().zip(&layout.sections) {
                sha.update(head);
                for n in span.clone() {
                    let (number, bytes, crc) = match claim(queue, Some(n)) {
                        Some(p) => read_piece(file, p)?,
                        // The other thread has it, and sends the pieces it
                        // reads in order; none means it stopped on an error.
                        None => match receive.recv() {
                            Ok(d) => d,
                            Err(_) => return Ok(None),
                        },
                    };
                    debug_assert_eq!(number, n);
                    sha.update(bytes);
                    crcs.push(crc);
                }
                sha.update(trailer);
            }
            Ok::<_, SnapshotError>(Some((<[u8; 32]>::from(sha.finalize()), crcs)))
        });
        // This one: reads pieces in order while there are any.
        let mut read = Ok(());
        while let Some(p) = claim(queue, None) {
            match read_piece(file, p) {
                Ok(done) => {
                    if send.send(done).is_err() {
                        break; // the hasher stopped on an error
                    }
                }
                Err(e) => {
                    read = Err(e);
                    break;
                }
            }
        }
        drop(send);
        let hashed = hasher
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("the hashing thread failed").into()));
        (read, hashed)
    });
    read?;
    let (digest, crcs) = hashed?
        .ok_or_else(|| SnapshotError::Io(std::io::Error::other("reading the snapshot stopped")))?;
    for (section, (span, (at, _, _, trailer))) in spans.iter().zip(&layout.sections).enumerate() {
        let mut crc = crc32fast::Hasher::new();
        for c in &crcs[span.clone()] {
            crc.combine(c);
        }
        check_crc(section, *at, u32::from_le_bytes(*trailer), crc.finalize())?;
    }
    Ok((cols, digest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::{LedgerBuilder, TransferRecord};

    /// Every stored field of two ledgers is equal.
    fn assert_same(a: &Ledger, b: &Ledger) {
        assert_eq!(a.chains, b.chains);
        assert_eq!(a.addresses, b.addresses);
        assert_eq!(a.assets, b.assets);
        assert_eq!(a.blocks, b.blocks);
        assert_eq!(a.tx_hash, b.tx_hash);
        assert_eq!(a.tx_block, b.tx_block);
        assert_eq!(a.tx_position, b.tx_position);
        assert_eq!(a.from, b.from);
        assert_eq!(a.to, b.to);
        assert_eq!(a.asset, b.asset);
        assert_eq!(a.amount, b.amount);
        assert_eq!(a.tx, b.tx);
        assert_eq!(a.kind, b.kind);
        assert_eq!(a.sub_index, b.sub_index);
        assert_eq!(a.tx_gas_price, b.tx_gas_price);
        assert_eq!(a.inputs, b.inputs);
        assert_eq!(a.conflicts, b.conflicts);
        assert_eq!(a.duplicates_dropped, b.duplicates_dropped);
        assert_eq!(a.warnings, b.warnings);
    }

    /// Two chains, EVM and text addresses, sinks, a token, every kind,
    /// gas prices, warnings, an input with skips and a conflict.
    fn rich_ledger() -> Ledger {
        let mut b = LedgerBuilder::new();
        let eth = b.chain("ethereum", "ETH");
        let other = b.chain("somechain", "SOME");
        let kinds = [
            TransferKind::Native,
            TransferKind::Internal,
            TransferKind::Token,
            TransferKind::Fee,
        ];
        for i in 0..40u8 {
            let chain = if (i / 2) % 3 == 0 { other } else { eth };
            let (from, to) = if chain == other {
                (
                    Address::Text(format!("some{}", i % 7).into()),
                    Address::Text(format!("some{}", (i + 1) % 5).into()),
                )
            } else {
                (Address::Evm([i % 9; 20]), Address::Evm([i % 4 + 100; 20]))
            };
            let kind = kinds[usize::from(i) % 4];
            let to = match kind {
                TransferKind::Fee => Address::Sink(Sink::Fees),
                _ if i == 5 => Address::Sink(Sink::Creations),
                _ => to,
            };
            let pushed = b.push(TransferRecord {
                chain,
                tx_hash: [i / 2 + 1; 32],
                block: u64::from(i / 4),
                time: 1_000 + u64::from(i / 4) * 12,
                tx_position: u32::from((i / 2) % 2),
                kind,
                sub_index: u32::from(i % 2),
                from,
                to,
                asset: if kind == TransferKind::Token {
                    Asset::Token(Address::Evm([0xee; 20]))
                } else {
                    Asset::Native
                },
                amount: u128::MAX - u128::from(i),
            });
            assert!(pushed.is_ok(), "{pushed:?}");
        }
        b.record_gas_price([1; 32], 7);
        b.record_gas_price([4; 32], u64::MAX);
        b.warn("a warning with text: ü".into());
        let mut skipped = std::collections::BTreeMap::new();
        skipped.insert("conflicting transaction".to_string(), 2);
        let mut ignored = std::collections::BTreeMap::new();
        ignored.insert("failed transaction".to_string(), 3);
        b.add_input(InputFile {
            path: "in.csv".into(),
            sha256: "ab".repeat(32),
            records: 40,
            skipped,
            ignored,
        });
        let mut l = match b.build() {
            Ok(l) => l,
            Err(e) => panic!("{e}"),
        };
        l.conflicts.push(Conflict {
            dropped: Origin {
                path: "in.csv".into(),
                line: 9,
            },
            kept: Origin {
                path: "in.csv".into(),
                line: 3,
            },
            reason: "conflicting transaction".into(),
            what: "value 1 against 2".into(),
        });
        l
    }

    fn bytes_of(l: &Ledger) -> Vec<u8> {
        let mut out = Vec::new();
        let n = match write(l, &mut out) {
            Ok(n) => n,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(n, out.len() as u64);
        out
    }

    #[test]
    fn every_field_round_trips() {
        let l = rich_ledger();
        assert!(l.has_gas_prices());
        assert!(l.addresses.iter().any(|a| matches!(a, Address::Text(_))));
        assert!(l.addresses.iter().any(Address::is_sink));
        let bytes = bytes_of(&l);
        let back = match read_from(bytes.as_slice(), bytes.len() as u64) {
            Ok(b) => b,
            Err(e) => panic!("{e}"),
        };
        assert_same(&l, &back);
        assert!(back.snapshot_source().is_none());
        // Written again, the same bytes.
        assert_eq!(bytes_of(&back), bytes);
    }

    #[test]
    fn the_empty_ledger_round_trips() {
        let l = Ledger::default();
        let bytes = bytes_of(&l);
        let back = match read_from(bytes.as_slice(), bytes.len() as u64) {
            Ok(b) => b,
            Err(e) => panic!("{e}"),
        };
        assert_same(&l, &back);
    }

    #[test]
    fn a_utxo_ledger_is_refused_before_writing() {
        let mut out = Vec::new();
        let utxo = UtxoLedger::default();
        let err = write_dataset(&Ledger::default(), Some(&utxo), &mut out);
        assert!(matches!(err, Err(SnapshotError::Bitcoin)), "{err:?}");
        assert!(out.is_empty());
    }

    /// Ids beyond their table, unsorted addresses and unknown kinds are
    /// refused even with a valid checksum (a file written by another tool).
    #[test]
    fn content_that_is_not_a_ledger_is_refused() {
        let base = rich_ledger();
        let mut bad = base.clone();
        bad.to[3] = AddressId(base.addresses.len() as u32);
        let mut unsorted = base.clone();
        unsorted.addresses.swap(0, 1);
        let mut tx = base.clone();
        tx.tx[0] = TxIndex(base.tx_hash.len() as u32);
        for (l, section) in [
            (bad, "transfer receivers"),
            (unsorted, "evm addresses"),
            (tx, "transfer transactions"),
        ] {
            let bytes = bytes_of(&l);
            match read_from(bytes.as_slice(), bytes.len() as u64) {
                Err(SnapshotError::Malformed { section: s, .. }) => assert_eq!(s, section),
                other => panic!("{section}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_stream_shorter_than_its_stated_length_is_truncated() {
        let bytes = bytes_of(&rich_ledger());
        let cut = &bytes[..bytes.len() - 10];
        // The length given is the full one: the stream ends early.
        match read_from(cut, bytes.len() as u64) {
            Err(SnapshotError::Truncated { expected, actual }) => {
                assert!(expected > actual, "{expected} {actual}");
                assert_eq!(actual, cut.len() as u64);
            }
            other => panic!("{other:?}"),
        }
    }
}
