//! A fast, non-cryptographic hasher for the framework's internal maps (Firefox's and rustc's
//! "Fx" hash: one add and one multiply per word), hand-written to add no dependency.
//!
//! Used where keys are pointers, content-type ids and primary keys: the standard SipHash
//! resists collision attacks on untrusted input and costs several times more per key,
//! which showed as a third of the cached content-type lookup's profile (issue 10).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// An odd constant with well-spread bits (rustc-hash 2's).
const K: u64 = 0xf135_7aea_2e62_a9c5;

/// The hasher: `hash = (hash + word) * K` per word, rotated when finished so the
/// well-mixed high bits reach the low bits the table indexes with (pointer keys have
/// their low bits clear).
#[derive(Clone, Copy, Default)]
pub(crate) struct FxHasher {
    hash: u64,
}

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = self.hash.wrapping_add(word).wrapping_mul(K);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
        // The length, so "a" and "a\0" differ.
        self.add(bytes.len() as u64);
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u16(&mut self, i: u16) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_u128(&mut self, i: u128) {
        self.add(i as u64);
        self.add((i >> 64) as u64);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash.rotate_left(26)
    }
}

pub(crate) type FxBuildHasher = BuildHasherDefault<FxHasher>;
pub(crate) type FxHashMap<K, V> = HashMap<K, V, FxBuildHasher>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::{BuildHasher, Hash};

    fn hash<T: Hash>(value: T) -> u64 {
        FxBuildHasher::default().hash_one(value)
    }

    #[test]
    fn distinguishes_close_keys() {
        assert_ne!(hash("a"), hash("a\0"));
        assert_ne!(hash(1_i64), hash(2_i64));
        assert_ne!(hash(("a", "b")), hash(("ab", "")));
        // Pointer-like keys (multiples of 8) spread over the low bits.
        let low: std::collections::HashSet<u64> = (0..64_usize).map(|i| hash(i * 8) & 63).collect();
        assert!(low.len() > 32, "{low:?}");
    }

    #[test]
    fn maps_work() {
        let mut map: FxHashMap<String, i32> = FxHashMap::default();
        map.insert("x".into(), 1);
        assert_eq!(map.get("x"), Some(&1));
        assert_eq!(map.get("y"), None);
    }
}
