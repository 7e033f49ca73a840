//! Token metadata files: the symbol and decimals of token contracts, so
//! that amounts can be shown in coin units and Etherscan token exports
//! converted exactly.
//!
//! A CSV with a header naming `address` (or `contract`), `symbol` and
//! `decimals`; other columns are ignored, so the ethereum-etl / BigQuery
//! `tokens` export (`address,symbol,name,decimals,total_supply,…`) reads
//! as it is. A row that repeats another exactly is kept once; two rows
//! that give one contract different symbols or decimals are an error.

use std::collections::BTreeMap;
use std::path::Path;

use thiserror::Error;

use crate::assets::AssetMeta;
use crate::ledger::Address;
use crate::provenance::InputDigest;

/// The most decimals a token may have (as `--token-decimals` allows):
/// 10^38 is the largest power of ten a `u128` holds.
pub const MAX_TOKEN_DECIMALS: u32 = 38;

/// Why a token metadata file cannot be read.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum TokenMetadataError {
    /// The file cannot be read.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The header lacks a column.
    #[error(
        "{file}: line 1: the header has no {column:?} column (expected address,symbol,decimals)"
    )]
    MissingColumn {
        /// The file.
        file: String,
        /// The column.
        column: &'static str,
    },
    /// A field cannot be read.
    #[error("{file}: line {line}: {field} \"{value}\": {message}")]
    Field {
        /// The file.
        file: String,
        /// The line (1 is the header).
        line: u64,
        /// The field.
        field: &'static str,
        /// The value, cut and escaped.
        value: String,
        /// What is wrong with it.
        message: String,
    },
    /// Two rows give one contract different metadata.
    #[error(
        "{file}: line {line}: {address} is given as {new} here and as {old} on line {first_line}"
    )]
    Conflict {
        /// The file.
        file: String,
        /// The later line.
        line: u64,
        /// The earlier line.
        first_line: u64,
        /// The contract.
        address: String,
        /// The earlier symbol and decimals.
        old: String,
        /// The later ones.
        new: String,
    },
}

/// A token metadata file read: the tokens and the file's digest.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TokenMetadata {
    /// Symbol and decimals by contract.
    pub tokens: BTreeMap<Address, AssetMeta>,
    /// The files read, with their SHA-256 (role `token-metadata`).
    pub inputs: Vec<InputDigest>,
}

impl TokenMetadata {
    /// Reads and merges token metadata files.
    ///
    /// # Errors
    ///
    /// [`TokenMetadataError`] naming the file, line, field and value; a
    /// contract given different metadata in two files is a
    /// [`TokenMetadataError::Conflict`].
    pub fn load(paths: &[impl AsRef<Path>]) -> Result<Self, TokenMetadataError> {
        let mut all = TokenMetadata::default();
        let mut lines: BTreeMap<Address, u64> = BTreeMap::new();
        for path in paths {
            let path = path.as_ref();
            let file = path.display().to_string();
            let bytes = std::fs::read(path).map_err(|source| TokenMetadataError::Io {
                file: file.clone(),
                source,
            })?;
            all.inputs.push(InputDigest::of_bytes(
                "token-metadata",
                file.clone(),
                &bytes,
            ));
            parse_into(&bytes, &file, &mut all.tokens, &mut lines)?;
        }
        Ok(all)
    }

    /// Decimals by contract, as ingest takes them.
    #[must_use]
    pub fn decimals(&self) -> BTreeMap<Address, u32> {
        self.tokens
            .iter()
            .filter_map(|(a, m)| m.decimals.map(|d| (a.clone(), d)))
            .collect()
    }
}

/// Parses one file's bytes into `tokens` (`lines`: where each contract
/// was first given, for conflict messages).
fn parse_into(
    bytes: &[u8],
    file: &str,
    tokens: &mut BTreeMap<Address, AssetMeta>,
    lines: &mut BTreeMap<Address, u64>,
) -> Result<(), TokenMetadataError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let io = |e: csv::Error| TokenMetadataError::Io {
        file: file.to_string(),
        source: std::io::Error::other(e.to_string()),
    };
    let header = reader.byte_headers().map_err(io)?.clone();
    let column = |names: &[&str], column: &'static str| {
        header
            .iter()
            .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n.as_bytes())))
            .ok_or(TokenMetadataError::MissingColumn {
                file: file.to_string(),
                column,
            })
    };
    let address_col = column(&["address", "contract", "contract_address"], "address")?;
    let symbol_col = column(&["symbol"], "symbol")?;
    let decimals_col = column(&["decimals"], "decimals")?;
    let mut record = csv::ByteRecord::new();
    while reader.read_byte_record(&mut record).map_err(io)? {
        let line = record.position().map_or(0, csv::Position::line);
        let field = |i: usize, name: &'static str| -> Result<&str, TokenMetadataError> {
            let raw = record.get(i).unwrap_or_default();
            std::str::from_utf8(raw).map_err(|_| TokenMetadataError::Field {
                file: file.to_string(),
                line,
                field: name,
                value: cut(&String::from_utf8_lossy(raw), 80),
                message: "not UTF-8".into(),
            })
        };
        let bad = |name: &'static str, value: &str, message: String| TokenMetadataError::Field {
            file: file.to_string(),
            line,
            field: name,
            value: cut(value, 80),
            message,
        };
        let a = field(address_col, "address")?.trim();
        let address: Address = a
            .parse()
            .map_err(|e: crate::ledger::AddressError| bad("address", a, e.to_string()))?;
        if !matches!(address, Address::Evm(_)) {
            return Err(bad("address", a, "not a token contract address".into()));
        }
        let symbol = field(symbol_col, "symbol")?.trim();
        if symbol.is_empty() || symbol.chars().count() > 32 || symbol.chars().any(char::is_control)
        {
            return Err(bad(
                "symbol",
                symbol,
                "expected 1 to 32 characters, no control characters".into(),
            ));
        }
        let d = field(decimals_col, "decimals")?.trim();
        let decimals: u32 = d
            .parse()
            .ok()
            .filter(|&n| n <= MAX_TOKEN_DECIMALS)
            .ok_or_else(|| {
                bad(
                    "decimals",
                    d,
                    format!("expected a whole number from 0 to {MAX_TOKEN_DECIMALS}"),
                )
            })?;
        let meta = AssetMeta::new(symbol, Some(decimals));
        match tokens.get(&address) {
            Some(old) if *old != meta => {
                return Err(TokenMetadataError::Conflict {
                    file: file.to_string(),
                    line,
                    first_line: lines.get(&address).copied().unwrap_or(0),
                    address: address.to_string(),
                    old: describe(old),
                    new: describe(&meta),
                })
            }
            Some(_) => {}
            None => {
                lines.insert(address.clone(), line);
                tokens.insert(address, meta);
            }
        }
    }
    Ok(())
}

/// An echoed value: at most `max` characters, escaped (no control or
/// format character reaches a terminal).
fn cut(v: &str, max: usize) -> String {
    let mut s: String = v.chars().take(max).collect();
    if v.chars().count() > max {
        s.push('…');
    }
    s.escape_debug().to_string()
}

fn describe(m: &AssetMeta) -> String {
    format!(
        "{} with {} decimals",
        cut(&m.symbol, 40),
        m.decimals
            .map_or_else(|| "unknown".into(), |d| d.to_string())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<BTreeMap<Address, AssetMeta>, TokenMetadataError> {
        let mut tokens = BTreeMap::new();
        parse_into(text.as_bytes(), "t.csv", &mut tokens, &mut BTreeMap::new())?;
        Ok(tokens)
    }

    const USDC: &str = "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48";

    #[test]
    fn reads_the_ethereum_etl_tokens_export_and_repeats_once() {
        let t = parse(&format!(
            "address,symbol,name,decimals,total_supply,block_number\n{USDC},USDC,USD Coin,6,1,1\n{USDC},USDC,USD Coin,6,1,1\n"
        ))
        .unwrap();
        assert_eq!(t.len(), 1);
        let m = &t[&USDC.parse::<Address>().unwrap()];
        assert_eq!((m.symbol.as_str(), m.decimals), ("USDC", Some(6)));
    }

    #[test]
    fn conflicts_and_bad_fields_name_line_field_and_value() {
        let e = parse(&format!(
            "contract,symbol,decimals\n{USDC},USDC,6\n{USDC},USDC,18\n"
        ))
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("line 3") && e.contains("line 2") && e.contains("18 decimals"),
            "{e}"
        );
        let e = parse(&format!(
            "contract,symbol,decimals\n{USDC},USDC,4294967295\n"
        ))
        .unwrap_err()
        .to_string();
        assert!(e.contains("t.csv: line 2: decimals \"4294967295\""), "{e}");
        let e = parse("contract,symbol,decimals\n0x12,X,6\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2: address \"0x12\""), "{e}");
        let e = parse("contract,decimals\n").unwrap_err().to_string();
        assert!(e.contains("no \"symbol\" column"), "{e}");
        let e = parse(&format!("contract,symbol,decimals\n{USDC},\u{1b}[2J,6\n"))
            .unwrap_err()
            .to_string();
        assert!(!e.contains('\u{1b}'), "escaped: {e}");
    }
}
