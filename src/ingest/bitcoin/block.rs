//! Block headers, blocks, merkle roots and `blk*.dat` record streams.

use std::io::Read;

use super::decode::{write_compact_size, DecodeError, Reader};
use super::tx::{decode_tx, vec_for, Transaction, MIN_TX_SIZE};
use crate::ledger::utxo::{sha256d, BlockHash, MerkleRoot, Txid};

/// The largest serialized block consensus allows (4 MWU of weight can hold
/// at most 4,000,000 bytes); longer records are refused before reading.
pub const MAX_BLOCK_SIZE: u64 = 4_000_000;

/// Network magics that start a `blk*.dat` record: mainnet, testnet3,
/// testnet4, signet and regtest.
pub const KNOWN_MAGICS: [[u8; 4]; 5] = [
    [0xf9, 0xbe, 0xb4, 0xd9],
    [0x0b, 0x11, 0x09, 0x07],
    [0x1c, 0x16, 0x3f, 0x28],
    [0x0a, 0x03, 0xcf, 0x40],
    [0xfa, 0xbf, 0xb5, 0xda],
];

/// The real mainnet genesis block (285 bytes). Block files written by a node
/// start with it, but many samples (btcd's test data among them) start at
/// block 1; prepend this to build a ledger from height 0.
const GENESIS_HEX: &str = "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c0101000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4d04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a01000000434104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac00000000";

/// The 80-byte block header.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub struct BlockHeader {
    /// Version field.
    pub version: i32,
    /// Hash of the previous block.
    pub prev_blockhash: BlockHash,
    /// Merkle root of the block's txids.
    pub merkle_root: MerkleRoot,
    /// Block time (unix seconds).
    pub time: u32,
    /// Compact difficulty target.
    pub bits: u32,
    /// Nonce.
    pub nonce: u32,
}

impl BlockHeader {
    /// Decodes a header from its 80 bytes.
    #[must_use]
    pub fn from_bytes(b: &[u8; 80]) -> Self {
        let mut r = Reader::new(b, 0);
        // 80 bytes always hold a header: these reads cannot fail.
        Self::read(&mut r).unwrap_or_default()
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(BlockHeader {
            version: i32::from_le_bytes(r.array("block version")?),
            prev_blockhash: BlockHash(r.array("previous block hash")?),
            merkle_root: MerkleRoot(r.array("merkle root")?),
            time: r.u32("block time")?,
            bits: r.u32("bits")?,
            nonce: r.u32("nonce")?,
        })
    }

    /// The 80-byte serialization.
    #[must_use]
    pub fn serialize(&self) -> [u8; 80] {
        let mut b = [0u8; 80];
        b[0..4].copy_from_slice(&self.version.to_le_bytes());
        b[4..36].copy_from_slice(self.prev_blockhash.as_bytes());
        b[36..68].copy_from_slice(self.merkle_root.as_bytes());
        b[68..72].copy_from_slice(&self.time.to_le_bytes());
        b[72..76].copy_from_slice(&self.bits.to_le_bytes());
        b[76..80].copy_from_slice(&self.nonce.to_le_bytes());
        b
    }

    /// The block hash (double SHA-256 of the header).
    #[must_use]
    pub fn block_hash(&self) -> BlockHash {
        BlockHash(sha256d(&self.serialize()))
    }
}

/// A block: header and transactions, with the txids computed while decoding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// The header.
    pub header: BlockHeader,
    transactions: Vec<Transaction>,
    txids: Vec<Txid>,
}

/// The merkle root of a list of txids (Bitcoin's rule: an odd last node is
/// paired with itself). The root of no txids is all zeros.
#[must_use]
pub fn merkle_root(txids: &[Txid]) -> MerkleRoot {
    if txids.is_empty() {
        return MerkleRoot::default();
    }
    let mut level: Vec<[u8; 32]> = txids.iter().map(|t| t.0).collect();
    while level.len() > 1 {
        let mut next = Vec::with_capacity(level.len().div_ceil(2));
        for pair in level.chunks(2) {
            let mut buf = [0u8; 64];
            buf[..32].copy_from_slice(&pair[0]);
            buf[32..].copy_from_slice(pair.get(1).unwrap_or(&pair[0]));
            next.push(sha256d(&buf));
        }
        level = next;
    }
    MerkleRoot(level[0])
}

impl Block {
    /// Builds a block from a header and transactions (txids are computed).
    #[must_use]
    pub fn new(header: BlockHeader, transactions: Vec<Transaction>) -> Self {
        let txids = transactions.iter().map(Transaction::txid).collect();
        Block {
            header,
            transactions,
            txids,
        }
    }

    /// Decodes one block that fills `bytes` exactly. The merkle root is not
    /// checked here; see [`Block::check_merkle_root`].
    ///
    /// # Errors
    ///
    /// [`DecodeError`] naming the offset and field that failed;
    /// [`DecodeError::TooLarge`] past [`MAX_BLOCK_SIZE`] bytes.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        Self::decode_at(bytes, 0)
    }

    /// As [`Block::decode`], with `base` added to every offset in errors.
    pub(crate) fn decode_at(bytes: &[u8], base: u64) -> Result<Self, DecodeError> {
        if bytes.len() as u64 > MAX_BLOCK_SIZE {
            return Err(DecodeError::TooLarge {
                offset: base,
                what: "block",
                size: bytes.len() as u64,
                max: MAX_BLOCK_SIZE,
            });
        }
        let mut r = Reader::new(bytes, base);
        let header = BlockHeader::read(&mut r)?;
        let n = r.count("transaction", MIN_TX_SIZE)?;
        if n == 0 {
            return Err(DecodeError::EmptyBlock { offset: base });
        }
        let mut transactions = vec_for(n, r.remaining());
        let mut txids = vec_for(n, r.remaining());
        for _ in 0..n {
            let (tx, txid) = decode_tx(&mut r)?;
            transactions.push(tx);
            txids.push(txid);
        }
        if r.remaining() != 0 {
            return Err(DecodeError::TrailingBytes {
                offset: r.offset(),
                what: "block",
                count: r.remaining() as u64,
            });
        }
        Ok(Block {
            header,
            transactions,
            txids,
        })
    }

    /// The block's transactions in order (the first is the coinbase).
    #[must_use]
    pub fn transactions(&self) -> &[Transaction] {
        &self.transactions
    }

    /// The txids, in transaction order.
    #[must_use]
    pub fn txids(&self) -> &[Txid] {
        &self.txids
    }

    /// The block hash.
    #[must_use]
    pub fn block_hash(&self) -> BlockHash {
        self.header.block_hash()
    }

    /// The merkle root recomputed from the transactions.
    #[must_use]
    pub fn compute_merkle_root(&self) -> MerkleRoot {
        merkle_root(&self.txids)
    }

    /// Checks the header's merkle root against the transactions.
    ///
    /// # Errors
    ///
    /// [`DecodeError::MerkleMismatch`] (offset 0) when they differ.
    pub fn check_merkle_root(&self) -> Result<(), DecodeError> {
        self.check_merkle_at(0)
    }

    fn check_merkle_at(&self, offset: u64) -> Result<(), DecodeError> {
        let computed = self.compute_merkle_root();
        if computed != self.header.merkle_root {
            return Err(DecodeError::MerkleMismatch {
                offset,
                block: self.block_hash().to_string(),
                computed: computed.to_string(),
                header: self.header.merkle_root.to_string(),
            });
        }
        Ok(())
    }

    /// The full serialization (header, count, transactions).
    #[must_use]
    pub fn serialize(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&self.header.serialize());
        write_compact_size(&mut out, self.transactions.len() as u64);
        for tx in &self.transactions {
            out.extend_from_slice(&tx.serialize());
        }
        out
    }

    /// The height the coinbase declares under BIP34 (blocks from height
    /// 227,931 on mainnet), if its script starts with a plausible height push.
    #[must_use]
    pub fn bip34_height(&self) -> Option<u64> {
        if self.header.version < 2 {
            return None;
        }
        let script = &self.transactions.first()?.inputs.first()?.script_sig;
        let len = usize::from(*script.first()?);
        if !(1..=8).contains(&len) {
            return None;
        }
        let bytes = script.get(1..=len)?;
        let mut h = 0u64;
        for (i, b) in bytes.iter().enumerate() {
            h |= u64::from(*b) << (8 * i);
        }
        Some(h)
    }
}

/// The mainnet genesis block.
#[must_use]
pub fn genesis_block() -> Block {
    let bytes = hex::decode(GENESIS_HEX).unwrap_or_default();
    // The constant is a valid block; a failure here would be caught by tests.
    Block::decode(&bytes).unwrap_or_else(|_| Block::new(BlockHeader::default(), Vec::new()))
}

/// Iterates over the blocks of `blk*.dat` records (magic, little-endian
/// length, block) in a byte slice. Zero bytes where a magic is expected end
/// the stream (nodes pre-allocate block files with zeros). Each block's
/// merkle root is checked.
///
/// By default the iterator stops after the first error. In lenient mode
/// ([`BlkRecords::lenient`]) it reports each bad record as an error and goes
/// on: past the record when its envelope (magic, length) was sound, else to
/// the next network magic in the data.
#[derive(Debug, Clone)]
pub struct BlkRecords<'a> {
    data: &'a [u8],
    pos: usize,
    done: bool,
    lenient: bool,
    envelope_ok: bool,
}

impl<'a> BlkRecords<'a> {
    /// Iterates over the records in `data`.
    #[must_use]
    pub fn new(data: &'a [u8]) -> Self {
        BlkRecords {
            data,
            pos: 0,
            done: false,
            lenient: false,
            envelope_ok: false,
        }
    }

    /// Iterates leniently: errors are reported and decoding continues.
    #[must_use]
    pub fn lenient(data: &'a [u8]) -> Self {
        BlkRecords {
            lenient: true,
            ..Self::new(data)
        }
    }

    /// Moves to the next network magic after the current position.
    fn resync(&mut self) -> bool {
        let from = self.pos + 1;
        let next = self.data.get(from..).and_then(|rest| {
            rest.windows(4)
                .position(|w| KNOWN_MAGICS.iter().any(|m| w == &m[..]))
        });
        match next {
            Some(i) => {
                self.pos = from + i;
                true
            }
            None => false,
        }
    }

    fn next_record(&mut self) -> Result<Option<(u64, Block)>, DecodeError> {
        self.envelope_ok = false;
        let rest = &self.data[self.pos..];
        if rest.is_empty() || rest.iter().take(8).all(|&b| b == 0) {
            return Ok(None);
        }
        let offset = self.pos as u64;
        let mut r = Reader::new(rest, offset);
        let magic: [u8; 4] = r.array("record magic")?;
        if !KNOWN_MAGICS.contains(&magic) {
            return Err(DecodeError::BadMagic {
                offset,
                found: hex::encode(magic),
            });
        }
        let declared = u64::from(r.u32("record length")?);
        if declared > MAX_BLOCK_SIZE {
            return Err(DecodeError::RecordTooLarge {
                offset,
                declared,
                max: MAX_BLOCK_SIZE,
            });
        }
        // declared <= MAX_BLOCK_SIZE fits in usize
        let body = r.take(declared as usize, "record body")?;
        // the envelope is sound: whatever the block holds, go past it
        self.pos += 8 + body.len();
        self.envelope_ok = true;
        let block = Block::decode_at(body, offset + 8).map_err(|e| match e {
            DecodeError::TrailingBytes { count, .. } => DecodeError::RecordLength {
                offset,
                declared,
                actual: declared - count,
            },
            e => e,
        })?;
        block.check_merkle_at(offset + 8)?;
        Ok(Some((offset, block)))
    }
}

impl Iterator for BlkRecords<'_> {
    /// The record's byte offset and its block.
    type Item = Result<(u64, Block), DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.next_record() {
            Ok(Some(x)) => Some(Ok(x)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = !self.lenient || (!self.envelope_ok && !self.resync());
                Some(Err(e))
            }
        }
    }
}

/// Decodes blocks from bytes in any of the forms block data comes in:
/// `blk*.dat` records (magic, length, block), one raw block, or text with one
/// hex-encoded block per line. Every merkle root is checked.
///
/// # Errors
///
/// The first [`DecodeError`], with the byte offset (or line) where it occurred.
pub fn decode_blocks(data: &[u8]) -> Result<Vec<Block>, DecodeError> {
    if data.len() >= 4 && KNOWN_MAGICS.iter().any(|m| data[..4] == m[..]) {
        return BlkRecords::new(data).map(|r| r.map(|(_, b)| b)).collect();
    }
    let is_text = !data.is_empty()
        && data
            .iter()
            .all(|b| b.is_ascii_hexdigit() || b.is_ascii_whitespace());
    if is_text {
        let mut blocks = Vec::new();
        for (i, line) in data.split(|&b| b == b'\n').enumerate() {
            let line = line.trim_ascii();
            if line.is_empty() {
                continue;
            }
            let bytes = hex::decode(line).map_err(|e| DecodeError::Hex {
                line: i as u64 + 1,
                message: e.to_string(),
            })?;
            let block = Block::decode(&bytes)?;
            block.check_merkle_root()?;
            blocks.push(block);
        }
        return Ok(blocks);
    }
    let block = Block::decode(data)?;
    block.check_merkle_root()?;
    Ok(vec![block])
}

/// Decodes `blk*.dat` records leniently: the blocks that decode (merkle
/// roots checked) and an error, with its byte offset, for every record that
/// does not. Input that is not a record stream is decoded as by
/// [`decode_blocks`], all or nothing.
#[must_use]
pub fn decode_blocks_lenient(data: &[u8]) -> (Vec<Block>, Vec<DecodeError>) {
    if data.len() >= 4 && KNOWN_MAGICS.iter().any(|m| data[..4] == m[..]) {
        let mut blocks = Vec::new();
        let mut errors = Vec::new();
        for r in BlkRecords::lenient(data) {
            match r {
                Ok((_, b)) => blocks.push(b),
                Err(e) => errors.push(e),
            }
        }
        return (blocks, errors);
    }
    match decode_blocks(data) {
        Ok(b) => (b, Vec::new()),
        Err(e) => (Vec::new(), vec![e]),
    }
}

/// Reads all of `reader` (decompressing it first if it is bzip2, as the
/// shared test data is) and decodes its blocks as [`decode_blocks`] does.
///
/// # Errors
///
/// [`DecodeError::Io`] when reading or decompressing fails, otherwise as
/// [`decode_blocks`].
///
/// # Example
///
/// ```no_run
/// let file = std::fs::File::open("blk00000.dat")?;
/// let blocks = fundtrace::ingest::bitcoin::load_blocks(file)?;
/// println!("{} blocks", blocks.len());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn load_blocks<R: Read>(reader: R) -> Result<Vec<Block>, DecodeError> {
    let data = read_maybe_bzip2(reader)?;
    decode_blocks(&data)
}

/// The most bytes [`read_maybe_bzip2`] (and so [`load_blocks`]) reads or
/// decompresses from one input: 4 GiB, far above a 128 MiB `blk*.dat` file
/// but a bound on what a small compressed file can expand to.
pub const MAX_INPUT_BYTES: u64 = 4 << 30;

/// How many times the compressed bytes read so far bzip2 output may be.
/// Block data compresses about 1.3:1 (the shared samples: 1.3 to 1.6);
/// bzip2 reaches about 10^6:1 on a run of zeros, which only a bomb (or
/// padding) has.
pub const BZIP2_RATIO: u64 = 50;

/// Decompressed bytes allowed on top of [`BZIP2_RATIO`] × the compressed
/// bytes: room for the zero padding a node leaves after the last block of
/// a `blk*.dat` file (it grows them in 16 MiB steps).
pub const BZIP2_ALLOWANCE: u64 = 32 << 20;

/// Reads everything from `reader`, decompressing bzip2 (`BZh` magic), up
/// to [`MAX_INPUT_BYTES`]. Decompressed output may not exceed
/// [`BZIP2_RATIO`] × the compressed bytes read + [`BZIP2_ALLOWANCE`] at any
/// point, so a small file cannot expand to gigabytes.
///
/// # Errors
///
/// [`DecodeError::Io`] with the number of bytes read so far;
/// [`DecodeError::InputTooLarge`] past the limit;
/// [`DecodeError::ExpansionTooLarge`] past the ratio.
pub fn read_maybe_bzip2<R: Read>(reader: R) -> Result<Vec<u8>, DecodeError> {
    read_maybe_bzip2_limited(reader, MAX_INPUT_BYTES)
}

/// Counts the bytes read through it.
struct Counting<R> {
    inner: R,
    count: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

/// As [`read_maybe_bzip2`] with a chosen limit.
///
/// # Errors
///
/// As [`read_maybe_bzip2`].
pub fn read_maybe_bzip2_limited<R: Read>(
    mut reader: R,
    limit: u64,
) -> Result<Vec<u8>, DecodeError> {
    let mut head = Vec::new();
    (&mut reader)
        .take(3)
        .read_to_end(&mut head)
        .map_err(|source| DecodeError::Io { offset: 0, source })?;
    let is_bzip2 = head == b"BZh";
    let chained = std::io::Cursor::new(head).chain(reader);
    let mut out = Vec::new();
    if !is_bzip2 {
        chained
            .take(limit.saturating_add(1))
            .read_to_end(&mut out)
            .map_err(|source| DecodeError::Io {
                offset: out.len() as u64,
                source,
            })?;
        if out.len() as u64 > limit {
            return Err(DecodeError::InputTooLarge { limit });
        }
        return Ok(out);
    }
    let mut decoder = bzip2::read::MultiBzDecoder::new(Counting {
        inner: chained,
        count: 0,
    });
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = match decoder.read(&mut buf) {
            Ok(0) => return Ok(out),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(source) => {
                return Err(DecodeError::Io {
                    offset: out.len() as u64,
                    source,
                })
            }
        };
        out.extend_from_slice(&buf[..n]);
        let total = out.len() as u64;
        if total > limit {
            return Err(DecodeError::InputTooLarge { limit });
        }
        let compressed = decoder.get_ref().count;
        let allowed = compressed
            .saturating_mul(BZIP2_RATIO)
            .saturating_add(BZIP2_ALLOWANCE);
        if total > allowed {
            return Err(DecodeError::ExpansionTooLarge {
                compressed,
                limit: allowed,
                ratio: BZIP2_RATIO,
                allowance: BZIP2_ALLOWANCE,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::utxo::{genesis_hash, GENESIS_HASH};

    #[test]
    fn genesis_decodes_and_hashes() {
        let g = genesis_block();
        assert_eq!(g.block_hash().to_string(), GENESIS_HASH);
        assert_eq!(g.block_hash(), genesis_hash());
        assert!(g.check_merkle_root().is_ok());
        assert_eq!(g.serialize().len(), 285);
        assert_eq!(hex::encode(g.serialize()), GENESIS_HEX);
    }

    #[test]
    fn record_stream_and_errors() {
        let g = hex::decode(GENESIS_HEX).unwrap();
        let mut data = vec![0xf9, 0xbe, 0xb4, 0xd9];
        data.extend_from_slice(&(g.len() as u32).to_le_bytes());
        data.extend_from_slice(&g);
        data.extend_from_slice(&[0u8; 16]);
        let blocks = decode_blocks(&data).unwrap();
        assert_eq!(blocks.len(), 1);
        // wrong length
        let mut bad = data.clone();
        bad[4] = bad[4].wrapping_sub(1);
        assert!(decode_blocks(&bad).is_err());
        // huge length
        let mut huge = data.clone();
        huge[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            decode_blocks(&huge),
            Err(DecodeError::RecordTooLarge { offset: 0, .. })
        ));
        // merkle mismatch
        let mut mm = data.clone();
        mm[8 + 40] ^= 1;
        assert!(matches!(
            decode_blocks(&mm),
            Err(DecodeError::MerkleMismatch { offset: 8, .. })
        ));
        // hex text form
        let text = format!("{GENESIS_HEX}\n\n");
        assert_eq!(decode_blocks(text.as_bytes()).unwrap().len(), 1);
        // raw form
        assert_eq!(decode_blocks(&g).unwrap().len(), 1);
    }

    #[test]
    fn lenient_mode_skips_bad_records_and_counts_them() {
        let g = hex::decode(GENESIS_HEX).unwrap();
        let record = |body: &[u8]| {
            let mut r = vec![0xf9, 0xbe, 0xb4, 0xd9];
            r.extend_from_slice(&(body.len() as u32).to_le_bytes());
            r.extend_from_slice(body);
            r
        };
        let mut bad = g.clone();
        bad[40] ^= 1; // merkle mismatch
        let mut data = record(&g);
        data.extend(record(&bad));
        data.extend_from_slice(b"garbage");
        data.extend(record(&g));
        data.extend(record(&g[..100])); // truncated block in a sound envelope
        let (blocks, errors) = decode_blocks_lenient(&data);
        assert_eq!(blocks.len(), 2);
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(matches!(errors[0], DecodeError::MerkleMismatch { .. }));
        assert!(matches!(errors[1], DecodeError::BadMagic { .. }));
        assert!(decode_blocks(&data).is_err());
    }

    #[test]
    fn input_size_is_bounded() {
        let data = [7u8; 100];
        assert_eq!(read_maybe_bzip2_limited(&data[..], 100).unwrap().len(), 100);
        assert!(matches!(
            read_maybe_bzip2_limited(&data[..], 99),
            Err(DecodeError::InputTooLarge { limit: 99 })
        ));
    }

    /// bzip2 of `n` zero bytes, compressed as a stream.
    fn bzip2_zeros(n: usize) -> Vec<u8> {
        use std::io::Write;
        let mut enc = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::best());
        let chunk = vec![0u8; 1 << 20];
        for _ in 0..n >> 20 {
            enc.write_all(&chunk).unwrap();
        }
        enc.finish().unwrap()
    }

    #[test]
    fn bzip2_expansion_is_bounded_by_the_compressed_size() {
        let bomb = bzip2_zeros(40 << 20);
        assert!(bomb.len() < 1000, "{}", bomb.len());
        let e = read_maybe_bzip2(&bomb[..]).unwrap_err();
        assert!(
            matches!(e, DecodeError::ExpansionTooLarge { compressed, limit, .. }
                if compressed <= bomb.len() as u64
                    && limit == compressed * BZIP2_RATIO + BZIP2_ALLOWANCE),
            "{e}"
        );
        assert!(e.to_string().contains("decompression bomb"), "{e}");
        // The allowance covers a small file's worth of zeros.
        assert_eq!(
            read_maybe_bzip2(&bzip2_zeros(4 << 20)[..]).unwrap().len(),
            4 << 20
        );
        // And real data, bzip2'd, comes back whole.
        let g = hex::decode(GENESIS_HEX).unwrap();
        let mut enc = bzip2::read::BzEncoder::new(&g[..], bzip2::Compression::best());
        let mut packed = Vec::new();
        enc.read_to_end(&mut packed).unwrap();
        assert_eq!(read_maybe_bzip2(&packed[..]).unwrap(), g);
    }

    #[test]
    fn oversized_blocks_are_refused_before_decoding() {
        let mut big = hex::decode(GENESIS_HEX).unwrap();
        big.resize(MAX_BLOCK_SIZE as usize + 1, 0);
        let e = Block::decode(&big).unwrap_err();
        assert!(
            matches!(e, DecodeError::TooLarge { what: "block", size, .. } if size == MAX_BLOCK_SIZE + 1),
            "{e}"
        );
        assert!(matches!(
            decode_blocks(&big),
            Err(DecodeError::TooLarge { .. })
        ));
    }

    #[test]
    fn merkle_of_odd_count_duplicates_last() {
        let a = Txid([1; 32]);
        let b = Txid([2; 32]);
        let c = Txid([3; 32]);
        assert_eq!(merkle_root(&[a]).0, a.0);
        assert_eq!(merkle_root(&[a, b, c]), merkle_root(&[a, b, c, c]));
    }
}
