//! What an asset is called and how many decimals it has: the one place
//! for the built-in table of well-known tokens.
//!
//! Ledgers and JSON reports name an asset by the chain's native symbol
//! (`ETH`, `BTC`) or by its token contract, and keep every amount in base
//! units. To print amounts for a person, a report carries an [`AssetMeta`]
//! per asset: the symbol to show and, when known, the decimals. Native
//! coins take theirs from the chain ([`ChainInfo::native_decimals`]);
//! tokens from the table below (Ethereum mainnet contracts), or from what
//! the user gives (`--token-decimals`, see
//! [`TraceReport::with_token_decimals`]). A token that is in neither keeps
//! its contract as its name and `decimals: None`: its amounts are printed
//! in base units.
//!
//! The same table gives the decimals that Etherscan token exports leave out
//! (they write amounts in coin units) and the decimals of the built-in
//! mixer pools' assets.
//!
//! [`ChainInfo::native_decimals`]: crate::ledger::ChainInfo::native_decimals
//! [`TraceReport::with_token_decimals`]: crate::report::trace::TraceReport::with_token_decimals

use serde::Serialize;

use crate::id::AssetId;
use crate::ledger::{Address, Asset, Ledger};

/// A well-known token: its contract on Ethereum mainnet, symbol and decimals.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct KnownToken {
    /// The contract, lower-case hex with `0x`.
    pub contract: &'static str,
    /// The token's symbol.
    pub symbol: &'static str,
    /// Its decimals, as the contract's `decimals()` returns them.
    pub decimals: u32,
}

const fn token(contract: &'static str, symbol: &'static str, decimals: u32) -> KnownToken {
    KnownToken {
        contract,
        symbol,
        decimals,
    }
}

/// Well-known ERC-20 tokens on Ethereum mainnet, sorted by contract (the
/// lookup is a binary search; a test keeps the order). Decimals as each
/// contract's `decimals()` returns them.
pub const KNOWN_TOKENS: &[KnownToken] = &[
    token("0x1f9840a85d5af5bf1d1762f925bdaddc4201f984", "UNI", 18),
    token("0x2260fac5e5542a773aa44fbcfedf7c193bc2c599", "WBTC", 8),
    token("0x514910771af9ca656af840dff83e8264ecf986ca", "LINK", 18),
    token("0x5d3a536e4d6dbd6114cc1ead35777bab948e3643", "cDAI", 8),
    token("0x6b175474e89094c44da98b954eedeac495271d0f", "DAI", 18),
    token("0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0", "wstETH", 18),
    token("0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48", "USDC", 6),
    token("0xae78736cd615f374d3085123a210448e74fc6393", "rETH", 18),
    token("0xae7ab96520de3a18e5e111b5eaab095312d7fe84", "stETH", 18),
    token("0xbe9895146f7af43049ca1c1ae358b0541ea49704", "cbETH", 18),
    token("0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2", "WETH", 18),
    token("0xd5f7838f5c461feff7fe49ea5ebaf7728bb0adfa", "mETH", 18),
    token("0xdac17f958d2ee523a2206206994597c13d831ec7", "USDT", 6),
    token("0xe6829d9a7ee3040e1276fa75293bde931859e8fa", "cmETH", 18),
];

/// Native coins by symbol, with their decimals.
const NATIVE: &[(&str, u32)] = &[("BCH", 8), ("BTC", 8), ("DOGE", 8), ("ETH", 18), ("LTC", 8)];

/// The well-known token at `contract` (on Ethereum mainnet).
///
/// # Examples
///
/// ```
/// use fundtrace::assets::known_token;
/// let usdt = "0xdac17f958d2ee523a2206206994597c13d831ec7".parse().unwrap();
/// assert_eq!(known_token(&usdt).map(|t| t.decimals), Some(6));
/// ```
#[must_use]
pub fn known_token(contract: &Address) -> Option<&'static KnownToken> {
    let text = contract.to_string();
    KNOWN_TOKENS
        .binary_search_by(|t| t.contract.cmp(text.as_str()))
        .ok()
        .map(|i| &KNOWN_TOKENS[i])
}

/// Decimals of an asset named by its symbol: a native coin (`ETH`, `BTC`)
/// or a token of the table (`USDC`, `cDAI`).
///
/// # Examples
///
/// ```
/// use fundtrace::assets::symbol_decimals;
/// assert_eq!(symbol_decimals("USDC"), Some(6));
/// assert_eq!(symbol_decimals("BTC"), Some(8));
/// assert_eq!(symbol_decimals("XYZ"), None);
/// ```
#[must_use]
pub fn symbol_decimals(symbol: &str) -> Option<u32> {
    NATIVE
        .iter()
        .find(|(s, _)| *s == symbol)
        .map(|&(_, d)| d)
        .or_else(|| {
            KNOWN_TOKENS
                .iter()
                .find(|t| t.symbol == symbol)
                .map(|t| t.decimals)
        })
}

/// What a report says about one asset so that a person can read its
/// amounts: the symbol to print and the decimals, when known.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct AssetMeta {
    /// The symbol (`ETH`, `stETH`); for a token of unknown symbol, its
    /// contract (the asset's name).
    pub symbol: String,
    /// Decimals of the asset; `null` when unknown (amounts are then shown
    /// in base units).
    pub decimals: Option<u32>,
}

impl AssetMeta {
    /// A native coin or a token with the given symbol and decimals.
    #[must_use]
    pub fn new(symbol: impl Into<String>, decimals: Option<u32>) -> AssetMeta {
        AssetMeta {
            symbol: symbol.into(),
            decimals,
        }
    }

    /// What is known about asset `id` of `ledger`: native coins by their
    /// chain, tokens on `ethereum` by [`KNOWN_TOKENS`]; any other token
    /// keeps its name (the contract) and unknown decimals.
    #[must_use]
    pub fn of(ledger: &Ledger, id: AssetId) -> AssetMeta {
        let name = ledger.asset_name(id);
        let info = ledger.asset(id);
        let chain = &ledger.chains()[info.chain.index()];
        match &info.asset {
            Asset::Native => AssetMeta::new(name, Some(chain.native_decimals())),
            Asset::Token(contract) => match known_token(contract) {
                Some(t) if chain.name == "ethereum" => {
                    // Keep a chain suffix the ledger added to tell assets apart.
                    let symbol = match name.split_once('@') {
                        Some((_, chain)) => format!("{}@{chain}", t.symbol),
                        None => t.symbol.to_string(),
                    };
                    AssetMeta::new(symbol, Some(t.decimals))
                }
                _ => AssetMeta::new(name, None),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_lower_case_and_unique() {
        for w in KNOWN_TOKENS.windows(2) {
            assert!(w[0].contract < w[1].contract, "{:?}", w);
        }
        for t in KNOWN_TOKENS {
            assert_eq!(t.contract, t.contract.to_lowercase());
            assert_eq!(t.contract.len(), 42);
            let parsed: Address = t.contract.parse().unwrap();
            assert_eq!(known_token(&parsed), Some(t));
        }
        let mut symbols: Vec<&str> = KNOWN_TOKENS.iter().map(|t| t.symbol).collect();
        symbols.sort_unstable();
        symbols.dedup();
        assert_eq!(symbols.len(), KNOWN_TOKENS.len());
    }

    #[test]
    fn registry_pool_assets_have_decimals() {
        for (symbol, d) in [
            ("ETH", 18),
            ("DAI", 18),
            ("cDAI", 8),
            ("WBTC", 8),
            ("USDC", 6),
            ("USDT", 6),
        ] {
            assert_eq!(symbol_decimals(symbol), Some(d), "{symbol}");
        }
    }

    #[test]
    fn unknown_token_is_not_known() {
        let a: Address = "0x1111111111111111111111111111111111111111"
            .parse()
            .unwrap();
        assert_eq!(known_token(&a), None);
    }
}
