//! 32-byte hashes with Bitcoin's display convention (reversed hex) and the
//! double SHA-256 they are computed with.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};
use thiserror::Error;

/// Double SHA-256 of `data`, in internal byte order.
#[must_use]
pub fn sha256d(data: &[u8]) -> [u8; 32] {
    let first = Sha256::digest(data);
    Sha256::digest(first).into()
}

/// Why a hash string was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum HashParseError {
    /// Not 64 characters long.
    #[error("expected 64 hex digits, found {len} characters")]
    WrongLength {
        /// Length of the input.
        len: usize,
    },
    /// A character that is not a hex digit.
    #[error("invalid hex digit in {0:?}")]
    BadHex(String),
}

macro_rules! hash_newtype {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name(pub [u8; 32]);

        impl $name {
            /// The hash in internal byte order (as serialized on the wire).
            #[must_use]
            pub fn as_bytes(&self) -> &[u8; 32] {
                &self.0
            }

            /// The hash in display order (reversed), as explorers show it.
            #[must_use]
            pub fn to_display_bytes(&self) -> [u8; 32] {
                let mut b = self.0;
                b.reverse();
                b
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&hex::encode(self.to_display_bytes()))
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self)
            }
        }

        impl FromStr for $name {
            type Err = HashParseError;

            /// Parses the display form (reversed hex, 64 digits).
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                if s.len() != 64 {
                    return Err(HashParseError::WrongLength { len: s.len() });
                }
                let mut b = [0u8; 32];
                hex::decode_to_slice(s, &mut b).map_err(|_| HashParseError::BadHex(s.to_string()))?;
                b.reverse();
                Ok($name(b))
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

hash_newtype!(
    /// A transaction id: double SHA-256 of the transaction without witness
    /// data. Printed in reversed byte order, as every explorer does.
    Txid
);
hash_newtype!(
    /// A witness transaction id: double SHA-256 of the full serialization.
    Wtxid
);
hash_newtype!(
    /// A block hash: double SHA-256 of the 80-byte header, printed reversed.
    BlockHash
);
hash_newtype!(
    /// The merkle root of a block's txids, printed reversed.
    MerkleRoot
);

/// The hash of the mainnet genesis block.
pub const GENESIS_HASH: &str = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f";

/// The mainnet genesis block hash as a value.
#[must_use]
pub fn genesis_hash() -> BlockHash {
    let mut b = [0u8; 32];
    // GENESIS_HASH is 64 valid hex digits
    let _ = hex::decode_to_slice(GENESIS_HASH, &mut b);
    b.reverse();
    BlockHash(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_reversed_and_parses_back() {
        let s = "0437cd7f8525ceed2324359c2d0ba26006d92d856a9c20fa0241106ee5a597c9";
        let t: Txid = s.parse().unwrap();
        assert_eq!(t.0[31], 0x04);
        assert_eq!(t.to_string(), s);
        assert!("00".parse::<Txid>().is_err());
        assert!(s.replace('0', "g").parse::<Txid>().is_err());
    }

    #[test]
    fn sha256d_of_empty() {
        assert_eq!(
            hex::encode(sha256d(b"")),
            "5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456"
        );
    }
}
