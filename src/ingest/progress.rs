//! How far a load has got, for a progress display: the bytes read so far,
//! shared with whoever draws the display (the library draws nothing).

use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Bytes of input read so far, updated as readers consume their files.
/// Share it (`Arc`) between the load and a display thread.
#[derive(Debug, Default)]
pub struct Progress {
    bytes: AtomicU64,
}

impl Progress {
    /// A counter at zero, ready to share.
    #[must_use]
    pub fn shared() -> Arc<Progress> {
        Arc::new(Progress::default())
    }

    /// Bytes read so far.
    #[must_use]
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    /// Counts `n` more bytes.
    pub fn add(&self, n: u64) {
        self.bytes.fetch_add(n, Ordering::Relaxed);
    }
}

/// A reader that counts what passes through it into a [`Progress`].
pub(crate) struct CountingReader<R> {
    inner: R,
    progress: Arc<Progress>,
}

impl<R> CountingReader<R> {
    pub(crate) fn new(inner: R, progress: Arc<Progress>) -> Self {
        CountingReader { inner, progress }
    }
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.add(n as u64);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_every_byte_read() {
        let p = Progress::shared();
        let mut r = CountingReader::new(&b"hello world"[..], Arc::clone(&p));
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!(p.bytes(), 11);
    }
}
