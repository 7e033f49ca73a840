//! SHA-256 of an input computed while it is read, so a report can name
//! exactly the bytes it was made from without a second pass.
//!
//! Hashing a large export costs about a fifth of its parse, so it runs on a
//! second thread: the reader copies what it passes on into 1 MiB chunks and
//! hands them over (a copy costs far less than hashing them), and the
//! digest is taken when the reader is finished. Where no thread can be
//! started the reader hashes inline; the digest is the same either way.

use std::io::{self, BufRead, Read};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;

use sha2::{Digest, Sha256};

/// Bytes handed to the hashing thread at a time.
const CHUNK: usize = 1 << 20;
/// Chunks in flight: bounds the memory held for hashing to a few MiB when
/// parsing outruns the hash.
const IN_FLIGHT: usize = 4;

/// Where hashed bytes go.
#[derive(Debug)]
enum Hasher {
    Inline(Sha256),
    Worker {
        chunks: SyncSender<Vec<u8>>,
        spare: Receiver<Vec<u8>>,
        done: JoinHandle<Sha256>,
    },
}

impl Hasher {
    fn start() -> Hasher {
        let (chunks, todo) = sync_channel::<Vec<u8>>(IN_FLIGHT);
        let (give_back, spare) = sync_channel::<Vec<u8>>(IN_FLIGHT + 1);
        let spawned = std::thread::Builder::new()
            .name("fundtrace-sha256".into())
            .spawn(move || {
                let mut h = Sha256::new();
                for mut chunk in todo {
                    h.update(&chunk);
                    chunk.clear();
                    // A full return queue only means the reader has spares.
                    let _ = give_back.try_send(chunk);
                }
                h
            });
        match spawned {
            Ok(done) => Hasher::Worker {
                chunks,
                spare,
                done,
            },
            Err(_) => Hasher::Inline(Sha256::new()),
        }
    }
}

/// A reader that hashes every byte passed through it.
#[derive(Debug)]
pub struct HashingReader<R> {
    inner: R,
    sink: Sink,
}

/// The hashing side of a [`HashingReader`], apart from the reader so that
/// bytes borrowed from the reader's buffer can be hashed without a copy.
#[derive(Debug)]
struct Sink {
    hasher: Hasher,
    pending: Vec<u8>,
    bytes: u64,
}

impl Sink {
    fn hash(&mut self, bytes: &[u8]) {
        self.bytes += bytes.len() as u64;
        match &mut self.hasher {
            Hasher::Inline(h) => h.update(bytes),
            Hasher::Worker { chunks, spare, .. } => {
                self.pending.extend_from_slice(bytes);
                if self.pending.len() >= CHUNK {
                    let next = spare
                        .try_recv()
                        .unwrap_or_else(|_| Vec::with_capacity(CHUNK + CHUNK / 2));
                    let full = std::mem::replace(&mut self.pending, next);
                    // Fails only if the thread panicked; `finish` reports that.
                    let _ = chunks.send(full);
                }
            }
        }
    }

    fn finish(self) -> sha2::digest::Output<Sha256> {
        match self.hasher {
            Hasher::Inline(h) => h.finalize(),
            Hasher::Worker { chunks, done, .. } => {
                if !self.pending.is_empty() {
                    let _ = chunks.send(self.pending);
                }
                drop(chunks);
                match done.join() {
                    Ok(h) => h.finalize(),
                    // SHA-256 over bytes cannot panic; if the thread did,
                    // the bug is ours, not the input's: surface it as is.
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
        }
    }
}

impl<R> HashingReader<R> {
    /// Wraps `inner`.
    pub fn new(inner: R) -> Self {
        HashingReader {
            inner,
            sink: Sink {
                hasher: Hasher::start(),
                pending: Vec::new(),
                bytes: 0,
            },
        }
    }

    /// Bytes read so far.
    #[must_use]
    pub fn bytes_read(&self) -> u64 {
        self.sink.bytes
    }

    /// The digest of everything read, lower-case hex.
    #[must_use]
    pub fn finish_hex(self) -> String {
        hex::encode(self.sink.finish())
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.sink.hash(&buf[..n]);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for HashingReader<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        if let Ok(buf) = self.inner.fill_buf() {
            let n = amt.min(buf.len());
            self.sink.hash(&buf[..n]);
        }
        self.inner.consume(amt);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_matches_sha256_of_bytes() {
        let data = b"hello world";
        let mut r = HashingReader::new(&data[..]);
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!(
            r.finish_hex(),
            "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
        );
    }

    #[test]
    fn chunked_digest_matches_one_pass_over_many_chunks() {
        // Several chunks, an odd tail, read in odd-sized pieces and consumed
        // through BufRead: the same digest as SHA-256 over the whole.
        let data: Vec<u8> = (0..(3 * CHUNK + 12_345))
            .map(|i| (i * 31 % 251) as u8)
            .collect();
        let want = hex::encode(Sha256::digest(&data));
        let mut r = HashingReader::new(io::BufReader::with_capacity(7_777, &data[..]));
        let mut out = vec![0u8; 5_000];
        let mut total = 0;
        loop {
            let n = r.read(&mut out).unwrap();
            if n == 0 {
                break;
            }
            total += n;
            let avail = r.fill_buf().unwrap().len().min(333);
            r.consume(avail);
            total += avail;
        }
        assert_eq!(total, data.len());
        assert_eq!(r.bytes_read(), data.len() as u64);
        assert_eq!(r.finish_hex(), want);
    }
}
