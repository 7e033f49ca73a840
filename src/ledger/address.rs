//! Addresses and assets as they appear in input data, before interning.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Where value goes that leaves the address graph: gas fees, contract
/// creations with no known created address, and value minted by a chain.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sink {
    /// Transaction fees (gas).
    Fees,
    /// Value sent to a contract creation whose created address is unknown.
    Creations,
    /// The source of newly created coins (block rewards, coinbase).
    Mint,
}

impl Sink {
    /// The name printed for the sink (`fees`, `creations`, `mint`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Sink::Fees => "fees",
            Sink::Creations => "creations",
            Sink::Mint => "mint",
        }
    }
}

/// An address on some chain.
///
/// Ethereum addresses are 20 bytes, accepted in one case (all lower or all
/// upper: no checksum) or in their EIP-55 checksum case when parsed from
/// text (`str::parse`), and printed lower-case. Other chains' addresses (Bitcoin base58 or bech32,
/// `script:<hex>`) are kept as text. Sinks are pseudo-addresses for fees,
/// creations and minted value.
///
/// ```
/// use fundtrace::Address;
/// let a: Address = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96".parse().unwrap();
/// assert_eq!(a.to_string(), "0x098b716b8aaf21512996dc57eb0615e2383e2f96");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Address {
    /// A 20-byte EVM account address.
    Evm([u8; 20]),
    /// An address of a non-EVM chain, as text.
    Text(Box<str>),
    /// A pseudo-address where value leaves the graph.
    Sink(Sink),
}

/// Why an address string was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum AddressError {
    /// The address is empty.
    #[error("empty address")]
    Empty,
    /// `0x` followed by the wrong number of hex digits.
    #[error("expected 0x and 40 hex digits, found {len} characters")]
    WrongLength {
        /// Length of the input.
        len: usize,
    },
    /// `0x` followed by a non-hex character.
    #[error("invalid hex digit")]
    BadHex,
    /// Characters that no address form allows (whitespace, control bytes).
    #[error("invalid characters in address")]
    BadCharacters,
    /// Mixed-case hex whose case is not the EIP-55 checksum of the
    /// address (a typo, or a changed digit); all lower or all upper case
    /// carries no checksum and is accepted.
    #[error("mixed-case address fails its EIP-55 checksum (expected {expected})")]
    BadChecksum {
        /// The address with the right checksum case.
        expected: String,
    },
}

impl Address {
    /// Parses an EVM address: `0x` and 40 hex digits in any case (the
    /// case is not checked; see [`parse_evm_checked`](Self::parse_evm_checked)).
    ///
    /// # Errors
    ///
    /// [`AddressError`] naming what is wrong.
    pub fn parse_evm(s: &str) -> Result<Self, AddressError> {
        Self::parse_evm_inner(s, false)
    }

    /// Parses an EVM address as [`parse_evm`](Self::parse_evm) does, and
    /// when its letters are of mixed case, checks that the case is its
    /// EIP-55 checksum (all lower or all upper case carries none). The
    /// account-chain readers use it; label files, where hand-edited case
    /// is common (the Forta label export has such rows), do not.
    ///
    /// # Errors
    ///
    /// [`AddressError::BadChecksum`] with the correctly cased address, or
    /// as [`parse_evm`](Self::parse_evm).
    pub fn parse_evm_checked(s: &str) -> Result<Self, AddressError> {
        Self::parse_evm_inner(s, true)
    }

    fn parse_evm_inner(s: &str, checksum: bool) -> Result<Self, AddressError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(AddressError::Empty);
        }
        let hex_part = s
            .strip_prefix("0x")
            .or_else(|| s.strip_prefix("0X"))
            .ok_or(AddressError::WrongLength { len: s.len() })?;
        if hex_part.len() != 40 {
            return Err(AddressError::WrongLength { len: s.len() });
        }
        let mut bytes = [0u8; 20];
        decode_hex(hex_part.as_bytes(), &mut bytes).ok_or(AddressError::BadHex)?;
        // Hex letters have bit 0x40 set; of those, lower case has 0x20
        // set too (digits have 0x20 but not 0x40).
        let (mut lower, mut upper) = (0u8, 0u8);
        for &b in hex_part.as_bytes() {
            lower |= b & (b << 1) & 0x40;
            upper |= b & !(b << 1) & 0x40;
        }
        if checksum && lower != 0 && upper != 0 {
            let expected = eip55(&bytes);
            if expected[2..] != *hex_part {
                return Err(AddressError::BadChecksum { expected });
            }
        }
        Ok(Address::Evm(bytes))
    }

    /// An address kept as text (Bitcoin and other non-EVM chains).
    ///
    /// # Errors
    ///
    /// [`AddressError`] for empty text or text with whitespace or control characters.
    pub fn text(s: &str) -> Result<Self, AddressError> {
        if s.is_empty() {
            return Err(AddressError::Empty);
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(AddressError::BadCharacters);
        }
        Ok(Address::Text(s.into()))
    }

    /// Whether this is a sink pseudo-address.
    #[must_use]
    pub fn is_sink(&self) -> bool {
        matches!(self, Address::Sink(_))
    }
}

impl FromStr for Address {
    type Err = AddressError;

    /// `0x…` strings parse as EVM addresses (mixed case must be the EIP-55
    /// checksum, [`Address::parse_evm_checked`]), `sink:NAME` as a sink,
    /// anything else as text. Seeds, targets and addresses named on the
    /// command line and the own ledger format parse this way.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.starts_with("0x") || s.starts_with("0X") {
            return Address::parse_evm_checked(s);
        }
        match s {
            "sink:fees" => Ok(Address::Sink(Sink::Fees)),
            "sink:creations" => Ok(Address::Sink(Sink::Creations)),
            "sink:mint" => Ok(Address::Sink(Sink::Mint)),
            _ => Address::text(s),
        }
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::Evm(bytes) => {
                f.write_str("0x")?;
                for b in bytes {
                    write!(f, "{b:02x}")?;
                }
                Ok(())
            }
            Address::Text(s) => f.write_str(s),
            Address::Sink(s) => write!(f, "sink:{}", s.name()),
        }
    }
}

impl Serialize for Address {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Address {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// An asset before interning: a chain's native coin or a token contract on it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Asset {
    /// The native coin of the named chain (ETH on `ethereum`, BTC on `bitcoin`).
    Native,
    /// A token, identified by its contract address.
    Token(Address),
}

/// Parses a 32-byte hash written as hex with or without `0x`.
///
/// # Errors
///
/// A message naming the problem (length or bad digit).
pub fn parse_hash32(s: &str) -> Result<[u8; 32], String> {
    let s = s.trim();
    let h = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s);
    if h.len() != 64 {
        return Err(format!("expected 64 hex digits, found {}", h.len()));
    }
    let mut out = [0u8; 32];
    decode_hex(h.as_bytes(), &mut out).ok_or_else(|| "invalid hex digit".to_string())?;
    Ok(out)
}

/// Value of each byte as a hex digit, or 0xff.
const HEX_VALUE: [u8; 256] = {
    let mut t = [0xffu8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

/// Decodes `2 × out.len()` hex digits into `out`; `None` on a bad digit or
/// length. Table-driven: hashes and addresses are most of what ingest parses.
/// An EVM address in EIP-55 checksum case (`0x` and 40 digits).
#[must_use]
pub fn eip55(bytes: &[u8; 20]) -> String {
    use sha3::{Digest, Keccak256};
    let lower = hex::encode(bytes);
    let hash = Keccak256::digest(lower.as_bytes());
    let mut out = String::with_capacity(42);
    out.push_str("0x");
    for (i, c) in lower.chars().enumerate() {
        let nibble = (hash[i / 2] >> (if i % 2 == 0 { 4 } else { 0 })) & 0x0f;
        out.push(if nibble >= 8 {
            c.to_ascii_uppercase()
        } else {
            c
        });
    }
    out
}

pub(crate) fn decode_hex(digits: &[u8], out: &mut [u8]) -> Option<()> {
    if digits.len() != out.len() * 2 {
        return None;
    }
    let mut bad = 0u8;
    for (o, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        let hi = HEX_VALUE[pair[0] as usize];
        let lo = HEX_VALUE[pair[1] as usize];
        bad |= hi | lo;
        *o = (hi << 4) | (lo & 0x0f);
    }
    (bad & 0xf0 == 0).then_some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evm_addresses_normalise_case() {
        let a = Address::parse_evm("0xA160cdAB225685dA1d56aa342Ad8841c3b53f291").unwrap();
        let b = Address::parse_evm("0xa160cdab225685da1d56aa342ad8841c3b53f291").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.to_string(), "0xa160cdab225685da1d56aa342ad8841c3b53f291");
    }

    #[test]
    fn mixed_case_must_be_the_eip55_checksum() {
        // The test vectors of EIP-55.
        for good in [
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
            "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
            "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
        ] {
            let a = Address::parse_evm_checked(good).unwrap();
            let Address::Evm(bytes) = a else { panic!() };
            assert_eq!(eip55(&bytes), good);
        }
        // One letter's case changed.
        let err =
            Address::parse_evm_checked("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD").unwrap_err();
        assert!(Address::parse_evm("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD").is_ok());
        assert_eq!(
            err,
            AddressError::BadChecksum {
                expected: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed".into()
            }
        );
        // No checksum given: any single case is accepted.
        assert!(Address::parse_evm_checked("0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED").is_ok());
        assert!(Address::parse_evm_checked("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed").is_ok());
    }

    #[test]
    fn bad_evm_addresses_are_refused() {
        assert_eq!(
            Address::parse_evm("0x1234"),
            Err(AddressError::WrongLength { len: 6 })
        );
        assert_eq!(
            Address::parse_evm("0xg160cdab225685da1d56aa342ad8841c3b53f291"),
            Err(AddressError::BadHex)
        );
        assert_eq!(Address::parse_evm(""), Err(AddressError::Empty));
    }

    #[test]
    fn text_and_sinks_round_trip() {
        for s in [
            "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
            "sink:fees",
            "script:6a",
        ] {
            let a: Address = s.parse().unwrap();
            assert_eq!(a.to_string(), s);
        }
        assert!("a b".parse::<Address>().is_err());
    }

    #[test]
    fn hex_decoding_matches_the_hex_crate() {
        let digits = b"00ff7A9bC3e1";
        let mut out = [0u8; 6];
        decode_hex(digits, &mut out).unwrap();
        assert_eq!(out.to_vec(), hex::decode(digits).unwrap());
        assert!(decode_hex(b"0g", &mut [0u8; 1]).is_none());
        assert!(decode_hex(b"0", &mut [0u8; 1]).is_none());
        assert!(decode_hex("é0".as_bytes(), &mut [0u8; 1]).is_none());
    }

    #[test]
    fn hashes_parse_with_or_without_prefix() {
        let h = "eb107a40ba73a50c79a9f2026e902d758d1c5e5e211f7a7db1b294f88f118dd0";
        assert_eq!(parse_hash32(h), parse_hash32(&format!("0x{h}")));
        assert!(parse_hash32("0x12").is_err());
    }
}
