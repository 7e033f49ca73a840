//! Outpoints: the reference from an input to the output it spends.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

use super::hash::{HashParseError, Txid};

/// A reference to one output of a transaction: `txid:vout`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct OutPoint {
    /// The transaction holding the output.
    pub txid: Txid,
    /// The output's position in it.
    pub vout: u32,
}

impl OutPoint {
    /// The outpoint a coinbase input names (all-zero txid, index `0xffffffff`).
    pub const NULL: OutPoint = OutPoint {
        txid: Txid([0; 32]),
        vout: u32::MAX,
    };

    /// Whether this is the null outpoint of a coinbase input.
    #[must_use]
    pub fn is_null(&self) -> bool {
        *self == Self::NULL
    }
}

impl fmt::Display for OutPoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.txid, self.vout)
    }
}

/// Why an outpoint string (`txid:vout`) was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum OutPointParseError {
    /// No `:` separator.
    #[error("expected txid:vout, found {0:?}")]
    MissingColon(String),
    /// The txid part is not 64 hex digits.
    #[error("bad txid in outpoint")]
    Txid(#[from] HashParseError),
    /// The index is not a `u32`.
    #[error("bad output index {0:?}")]
    Vout(String),
}

impl FromStr for OutPoint {
    type Err = OutPointParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (txid, vout) = s
            .split_once(':')
            .ok_or_else(|| OutPointParseError::MissingColon(s.to_string()))?;
        Ok(OutPoint {
            txid: txid.parse()?,
            vout: vout
                .parse()
                .map_err(|_| OutPointParseError::Vout(vout.to_string()))?,
        })
    }
}

impl serde::Serialize for OutPoint {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for OutPoint {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}
