//! Per-address state for searches that may touch only a few addresses: a
//! hash map while small, a dense array once large, so a search that ends
//! after a handful of steps does not pay O(V) to initialise its arrays.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A small multiplicative hasher for `u32` keys (address ids), deterministic
/// across runs (results never depend on iteration order anyway).
#[derive(Default, Clone, Copy)]
pub(super) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u32(&mut self, x: u32) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(x)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

pub(super) type IdMap<V> = HashMap<u32, V, BuildHasherDefault<IdHasher>>;

/// `u32` values per address with a default, sparse until it grows.
pub(super) struct NodeMap {
    sparse: IdMap<u32>,
    dense: Vec<u32>,
    n: usize,
    default: u32,
}

impl NodeMap {
    pub(super) fn new(n: usize, default: u32) -> Self {
        NodeMap {
            sparse: IdMap::default(),
            dense: Vec::new(),
            n,
            default,
        }
    }

    #[inline]
    pub(super) fn get(&self, k: u32) -> u32 {
        if self.dense.is_empty() {
            self.sparse.get(&k).copied().unwrap_or(self.default)
        } else {
            self.dense.get(k as usize).copied().unwrap_or(self.default)
        }
    }

    #[inline]
    pub(super) fn set(&mut self, k: u32, v: u32) {
        if self.dense.is_empty() {
            self.sparse.insert(k, v);
            if self.sparse.len() > 4096.max(self.n / 32) {
                self.dense = vec![self.default; self.n];
                for (&k, &v) in &self.sparse {
                    if let Some(slot) = self.dense.get_mut(k as usize) {
                        *slot = v;
                    }
                }
                self.sparse = IdMap::default();
            }
        } else if let Some(slot) = self.dense.get_mut(k as usize) {
            *slot = v;
        }
    }
}

/// Hop counts per address for the passes in event order: one byte per
/// address, so the table stays in cache while the pass reads it at random;
/// counts of [`HopTable::SAT`] or more live in a second array that is only
/// touched for them (it is allocated zeroed, so its pages cost nothing
/// until then).
pub(super) struct HopTable {
    small: Vec<u8>,
    /// The count where `small` is `SAT` (0: not reached).
    large: Vec<u32>,
}

impl HopTable {
    /// `small` values at or above this are looked up in `large`.
    const SAT: u8 = u8::MAX;

    /// Every address unreached.
    pub(super) fn new(n: usize) -> Self {
        HopTable {
            small: vec![Self::SAT; n],
            large: vec![0; n],
        }
    }

    /// The hop count of `a`, `u32::MAX` if not reached.
    #[inline]
    pub(super) fn get(&self, a: usize) -> u32 {
        match self.small[a] {
            Self::SAT => match self.large[a] {
                0 => u32::MAX,
                h => h,
            },
            h => u32::from(h),
        }
    }

    /// Sets the hop count of `a` (`h < u32::MAX`).
    #[inline]
    pub(super) fn set(&mut self, a: usize, h: u32) {
        match u8::try_from(h) {
            Ok(s) if s < Self::SAT => self.small[a] = s,
            _ => {
                self.small[a] = Self::SAT;
                self.large[a] = h;
            }
        }
    }

    /// The counts as one array (`u32::MAX`: not reached).
    pub(super) fn into_vec(self) -> Vec<u32> {
        self.small
            .iter()
            .zip(&self.large)
            .map(|(&s, &l)| match (s, l) {
                (Self::SAT, 0) => u32::MAX,
                (Self::SAT, l) => l,
                (s, _) => u32::from(s),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::HopTable;

    #[test]
    fn hop_table_keeps_every_count() {
        let counts = [0, 1, 253, 254, 255, 256, 1000, u32::MAX - 1];
        let mut t = HopTable::new(counts.len() + 1);
        for (a, &h) in counts.iter().enumerate() {
            assert_eq!(t.get(a), u32::MAX);
            t.set(a, h);
            assert_eq!(t.get(a), h);
        }
        // Counts only decrease in a pass: a large count replaced by a small one.
        t.set(6, 3);
        assert_eq!(t.get(6), 3);
        t.set(5, 255);
        assert_eq!(t.get(5), 255);
        let mut want: Vec<u32> = counts.to_vec();
        want[6] = 3;
        want[5] = 255;
        want.push(u32::MAX);
        assert_eq!(t.into_vec(), want);
    }
}
