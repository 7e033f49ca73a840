//! What a result was made from: every input file named with its role and
//! the SHA-256 of its bytes, and the digest of an exit set.
//!
//! Ledger inputs are hashed while they are read (`ingest::digest`); side
//! inputs (labels, lists, TagPacks, seeds files, token metadata, pool
//! events) are hashed by whoever reads them, through
//! [`InputDigest::of_bytes`]. A report lists both, so that `fundtrace
//! verify` can tell when any of them changed.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The role of a ledger input in [`InputDigest::role`].
pub const ROLE_LEDGER: &str = "ledger";
/// The role of a ledger snapshot file a ledger was read from
/// (`fundtrace snapshot`, [`crate::ledger::snapshot`]).
pub const ROLE_SNAPSHOT: &str = crate::ledger::snapshot::ROLE_SNAPSHOT;
/// The role of a ledger input a snapshot was built from: its digest is the
/// one recorded in the snapshot when it was made. Verifying a report does
/// not re-read it (the snapshot's own SHA-256 covers it), so the inputs
/// need not be kept beside the snapshot.
pub const ROLE_SNAPSHOT_LEDGER: &str = "snapshot-ledger";

/// A file read, as reports cite it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct InputDigest {
    /// Path as given.
    pub path: String,
    /// SHA-256 of its bytes, lower-case hex.
    pub sha256: String,
    /// What it was read as: `ledger`, `labels`, `list:CATEGORY`,
    /// `tagpack`, `seeds`, `token-metadata`, `pool-events`.
    #[serde(default)]
    pub role: String,
}

impl InputDigest {
    /// The digest of `bytes` read from `path` in `role`.
    #[must_use]
    pub fn of_bytes(role: impl Into<String>, path: impl Into<String>, bytes: &[u8]) -> Self {
        InputDigest {
            path: path.into(),
            sha256: sha256_hex(bytes),
            role: role.into(),
        }
    }

    /// The digests of every input of a ledger, in the ledger's order
    /// (sorted by path). For a ledger read from a snapshot, the snapshot
    /// ([`ROLE_SNAPSHOT`]) first, then the inputs it was built from
    /// ([`ROLE_SNAPSHOT_LEDGER`]).
    #[must_use]
    pub fn of_ledger(ledger: &crate::Ledger) -> Vec<InputDigest> {
        let snapshot = ledger.snapshot_source();
        let role = if snapshot.is_some() {
            ROLE_SNAPSHOT_LEDGER
        } else {
            ROLE_LEDGER
        };
        snapshot
            .map(|s| InputDigest {
                path: s.path.clone(),
                sha256: s.sha256.clone(),
                role: ROLE_SNAPSHOT.to_string(),
            })
            .into_iter()
            .chain(ledger.inputs().iter().map(|i| InputDigest {
                path: i.path.clone(),
                sha256: i.sha256.clone(),
                role: role.to_string(),
            }))
            .collect()
    }

    /// `ledger` followed by `side` inputs, sorted by path and role, each
    /// once.
    #[must_use]
    pub fn merged(ledger: Vec<InputDigest>, side: &[InputDigest]) -> Vec<InputDigest> {
        let mut all = ledger;
        all.extend(side.iter().cloned());
        all.sort();
        all.dedup();
        all
    }
}

/// SHA-256 of `bytes`, lower-case hex.
#[must_use]
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The digest of an exit set: SHA-256 of its `address,category` lines,
/// sorted, each ending in a newline. Two reports with the same digest
/// stopped taint at the same addresses for the same reasons; the lines can
/// be rebuilt from the labels to check it.
#[must_use]
pub fn exit_set_sha256<'a>(exits: impl IntoIterator<Item = (String, &'a str)>) -> String {
    let mut lines: Vec<String> = exits
        .into_iter()
        .map(|(address, category)| format!("{address},{category}\n"))
        .collect();
    lines.sort();
    lines.dedup();
    let mut h = Sha256::new();
    for l in &lines {
        h.update(l.as_bytes());
    }
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_set_digest_ignores_order_and_repeats() {
        let a = exit_set_sha256([
            ("0xb".to_string(), "exchange"),
            ("0xa".to_string(), "mixer"),
        ]);
        let b = exit_set_sha256([
            ("0xa".to_string(), "mixer"),
            ("0xb".to_string(), "exchange"),
            ("0xa".to_string(), "mixer"),
        ]);
        assert_eq!(a, b);
        let c = exit_set_sha256([
            ("0xa".to_string(), "exchange"),
            ("0xb".to_string(), "exchange"),
        ]);
        assert_ne!(a, c, "a category change changes the digest");
        // The empty set is the SHA-256 of nothing.
        assert_eq!(
            exit_set_sha256(std::iter::empty()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn of_bytes_hashes_the_bytes() {
        let d = InputDigest::of_bytes("labels", "l.csv", b"abc");
        assert_eq!(
            d.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!((d.role.as_str(), d.path.as_str()), ("labels", "l.csv"));
    }
}
