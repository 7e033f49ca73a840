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
