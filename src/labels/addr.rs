//! Chain names and address forms of labels.

use sha2::{Digest, Sha256};

use crate::ledger::Address;

/// Chains whose addresses are 20-byte EVM accounts.
const EVM_CHAINS: &[&str] = &[
    "ethereum",
    "ethereum-classic",
    "bsc",
    "arbitrum",
    "optimism",
    "polygon",
    "avalanche",
    "base",
    "ronin",
    "harmony",
];

/// Chains whose addresses are never 20-byte EVM accounts.
const NON_EVM_CHAINS: &[&str] = &[
    "bitcoin",
    "bitcoin-cash",
    "bitcoin-sv",
    "bitcoin-gold",
    "litecoin",
    "dogecoin",
    "dash",
    "zcash",
    "tron",
    "ripple",
    "monero",
    "verge",
    "algo",
    "apt",
    "aion",
    "sol",
    "solana",
];

/// Normalises a chain or currency code to a lower-case chain name.
///
/// `ETH`/`eth`/`1` → `ethereum`; `BTC`/`XBT` → `bitcoin`; `BCH` →
/// `bitcoin-cash`; `LTC` → `litecoin`; `TRX` → `tron`; `ZEC` → `zcash`;
/// `XRP` → `ripple`; `XMR` → `monero`; `ETC` → `ethereum-classic`; `BSC`/`BNB`
/// → `bsc`; `ARB` → `arbitrum`; `DASH` → `dash`; `BSV` → `bitcoin-sv`; `BTG`
/// → `bitcoin-gold`; `XVG` → `verge`; anything else is lower-cased.
#[must_use]
pub fn normalize_chain(s: &str) -> String {
    let t = s.trim().to_ascii_lowercase();
    let mapped = match t.as_str() {
        "eth" | "ethereum" | "1" | "mainnet" => "ethereum",
        "btc" | "xbt" | "bitcoin" => "bitcoin",
        "bch" | "bitcoin-cash" | "bitcoincash" => "bitcoin-cash",
        "ltc" | "litecoin" => "litecoin",
        "trx" | "tron" | "tronix" => "tron",
        "zec" | "zcash" => "zcash",
        "xrp" | "ripple" => "ripple",
        "xmr" | "monero" => "monero",
        "etc" | "ethereum-classic" => "ethereum-classic",
        "bsc" | "bnb" | "binance-smart-chain" => "bsc",
        "arb" | "arbitrum" => "arbitrum",
        "dash" | "dashcoin" => "dash",
        "bsv" | "bitcoin-sv" => "bitcoin-sv",
        "btg" | "bitcoin-gold" => "bitcoin-gold",
        "xvg" | "verge" => "verge",
        _ => return t,
    };
    mapped.to_string()
}

/// Whether the chain's addresses are EVM accounts.
#[must_use]
pub fn is_evm_chain(chain: &str) -> bool {
    EVM_CHAINS.contains(&chain)
}

/// Parses a label's address for its chain: EVM chains need `0x` and 40 hex
/// digits; on chains not known to be non-EVM (tokens such as `usdt`, or no
/// chain) so does any `0x` string; everything
/// else is kept as text (so 32-byte `0x…` accounts of Aptos or Aion stay text).
///
/// # Errors
///
/// A message saying what is wrong with the address.
pub fn parse_label_address(chain: &str, s: &str) -> Result<Address, String> {
    let s = s.trim();
    let hex_like = s.starts_with("0x") || s.starts_with("0X");
    if is_evm_chain(chain) || (hex_like && !NON_EVM_CHAINS.contains(&chain)) {
        Address::parse_evm(s).map_err(|e| e.to_string())
    } else {
        Address::text(s).map_err(|e| e.to_string())
    }
}

/// Guesses the chain of an address when the source names none: `0x…` is
/// `ethereum`, a valid Bitcoin address is `bitcoin`, anything else `unknown`.
#[must_use]
pub fn guess_chain(address: &Address) -> &'static str {
    match address {
        Address::Evm(_) => "ethereum",
        Address::Text(_) if well_formed("bitcoin", address) => "bitcoin",
        _ => "unknown",
    }
}

/// Whether `address` is well-formed for `chain`.
///
/// EVM chains: a 20-byte account (an EVM account is accepted on any chain
/// not known to be non-EVM, such as a token name). Bitcoin: base58check with version 0
/// (P2PKH) or 5 (P2SH), or bech32 (witness v0) / bech32m (v1+) with `bc`.
/// Litecoin: base58check version 48, 50 or 5, or bech32 `ltc`. Tron:
/// base58check version 0x41. Other chains: text without whitespace
/// (not checked further).
#[must_use]
pub fn well_formed(chain: &str, address: &Address) -> bool {
    let chain = normalize_chain(chain);
    match address {
        Address::Evm(_) => !NON_EVM_CHAINS.contains(&chain.as_str()),
        Address::Sink(_) => false,
        Address::Text(t) => match chain.as_str() {
            c if is_evm_chain(c) => false,
            "bitcoin" => {
                base58check_version(t, 21).is_some_and(|v| v == [0] || v == [5]) || segwit(t, "bc")
            }
            "litecoin" => {
                base58check_version(t, 21).is_some_and(|v| v == [48] || v == [50] || v == [5])
                    || segwit(t, "ltc")
            }
            "tron" => base58check_version(t, 21).is_some_and(|v| v == [0x41]),
            _ => !t.is_empty() && !t.chars().any(char::is_whitespace),
        },
    }
}

const B58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// Decodes base58check; returns the version prefix (`len - 20` bytes of a
/// `len`-byte payload) when the checksum holds and the payload has `len` bytes.
fn base58check_version(s: &str, len: usize) -> Option<Vec<u8>> {
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    // Big-endian base-256 accumulator.
    let mut bytes: Vec<u8> = Vec::new();
    for c in s.bytes() {
        let mut carry = u32::try_from(B58.iter().position(|&b| b == c)?).ok()?;
        for b in bytes.iter_mut().rev() {
            carry += u32::from(*b) * 58;
            *b = (carry & 0xff) as u8;
            carry >>= 8;
        }
        while carry > 0 {
            bytes.insert(0, (carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    let zeros = s.bytes().take_while(|&b| b == b'1').count();
    let mut full = vec![0u8; zeros];
    full.extend_from_slice(&bytes);
    if full.len() != len + 4 {
        return None;
    }
    let (payload, check) = full.split_at(len);
    let h = Sha256::digest(Sha256::digest(payload));
    if &h[..4] != check {
        return None;
    }
    Some(payload[..len - 20].to_vec())
}

const BECH32_CHARSET: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";

fn bech32_polymod(values: &[u8]) -> u32 {
    const GEN: [u32; 5] = [
        0x3b6a_57b2,
        0x2650_8e6d,
        0x1ea1_19fa,
        0x3d42_33dd,
        0x2a14_62b3,
    ];
    let mut chk: u32 = 1;
    for &v in values {
        let top = chk >> 25;
        chk = ((chk & 0x01ff_ffff) << 5) ^ u32::from(v);
        for (i, g) in GEN.iter().enumerate() {
            if (top >> i) & 1 == 1 {
                chk ^= g;
            }
        }
    }
    chk
}

/// Checks a segwit address (BIP-173 / BIP-350) with human-readable part `hrp`.
fn segwit(s: &str, hrp: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    if lower != s && s.to_ascii_uppercase() != s {
        return false; // mixed case
    }
    let Some((h, data)) = lower.rsplit_once('1') else {
        return false;
    };
    if h != hrp || data.len() < 7 || lower.len() > 90 {
        return false;
    }
    let mut values = Vec::with_capacity(data.len());
    for c in data.bytes() {
        match BECH32_CHARSET.iter().position(|&b| b == c) {
            Some(p) => values.push(p as u8),
            None => return false,
        }
    }
    let mut exp: Vec<u8> = h.bytes().map(|b| b >> 5).collect();
    exp.push(0);
    exp.extend(h.bytes().map(|b| b & 31));
    exp.extend_from_slice(&values);
    let check = bech32_polymod(&exp);
    let version = values[0];
    let ok = match version {
        0 => check == 1,
        1..=16 => check == 0x2bc8_30a3,
        _ => false,
    };
    if !ok {
        return false;
    }
    // Program length: 5-bit groups (without version and checksum) to bytes.
    let bits = (values.len() - 7) * 5;
    let prog_len = bits / 8;
    (2..=40).contains(&prog_len) && (version != 0 || prog_len == 20 || prog_len == 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Address {
        Address::text(s).unwrap()
    }

    #[test]
    fn bitcoin_forms() {
        assert!(well_formed("BTC", &t("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")));
        assert!(well_formed(
            "bitcoin",
            &t("3F2sZ4jbhvDKQdGbHYPC6ZxFXEau2m5Lqj")
        ));
        assert!(!well_formed(
            "bitcoin",
            &t("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb")
        ));
        // BIP-173 / BIP-350 vectors.
        assert!(well_formed(
            "bitcoin",
            &t("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4")
        ));
        assert!(well_formed(
            "bitcoin",
            &t("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0")
        ));
        assert!(!well_formed(
            "bitcoin",
            &t("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5")
        ));
        assert!(well_formed(
            "bitcoin",
            &t("bc1qq7p0es3dv5hcynjjf40f2xjjr6qp5py47d2f6n847vduuq9gvnyq7y9ecd")
        ));
    }

    #[test]
    fn evm_forms() {
        let a =
            parse_label_address("ethereum", "0x098B716B8Aaf21512996dC57EB0615e2383E2f96").unwrap();
        assert!(well_formed("ETH", &a));
        assert!(!well_formed("bitcoin", &a));
        assert!(parse_label_address("ethereum", "098b716b").is_err());
        assert_eq!(guess_chain(&a), "ethereum");
    }
}
