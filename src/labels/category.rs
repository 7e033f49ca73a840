//! Label categories, confidence levels and the vocabularies they are read from.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What kind of party an address belongs to, as far as tracing cares.
///
/// Sources use many vocabularies; [`Category::parse`] maps each of them onto
/// these nine values (case-insensitive, `-`, `_` and spaces treated alike):
///
/// | category | canonical | GraphSense `category` / `abuse` | `attributed_addresses.csv` | Etherscan labels, Forta, Tutela |
/// |---|---|---|---|---|
/// | [`Exploiter`](Category::Exploiter) | `exploiter` | abuse `service_hack`, `phishing`, `scam`, `ransomware`, `ponzi_scheme`, `sextortion` (when the tag has no service category) | `hack_exploiter` | `exploit`, `exploiter`, `heist`, `hack`, `hacker`, `phish-hack`, `etherscan-exploit-list`, `etherscan-heist-list`, `etherscan-phish-hack-list`, `phishing` |
/// | [`Laundering`](Category::Laundering) | `laundering` | — | `hack_laundering`, `dprk_lazarus` | `money-laundering` |
/// | [`Mixer`](Category::Mixer) | `mixer` | `mixing_service`, `coinjoin` | `mixer`, `mixer_pool` | `tornado-cash`, `tornado`, `ethereum-mixer`, `mixing` |
/// | [`Exchange`](Category::Exchange) | `exchange` | `exchange` | — | `exchange`, `hot-wallet`, `cold-wallet`, `deposit`, `otc`; the exchange-name labels `binance`, `coinbase`, `kraken`, `bitfinex`, `huobi`, `okex`, `okx`, `kucoin`, `gemini`, `bittrex`, `poloniex`, `ftx`, `bybit`, `gate-io`, `crypto-com`, `upbit`, `bithumb` |
/// | [`Bridge`](Category::Bridge) | `bridge` | `bridge` | — | `bridge` |
/// | [`Dex`](Category::Dex) | `dex` | `defi_dex`, `dex` | — | `dex`, `defi`, `uniswap`, `amm` |
/// | [`Sanctioned`](Category::Sanctioned) | `sanctioned` | abuse `sanction` | `sanctioned` | `ofac-sanctions-lists`, `blocked`, `sanctions`, `ofac` |
/// | [`Service`](Category::Service) | `service` | `service`, `gambling`, `miner`, `market`, `wallet_service`, `payment_processor`, `ico_wallet`, `shop`, `vasp` | — | `gambling`, `mining`, `wallet-app`, `payments`, `ico wallets` |
/// | [`Other`](Category::Other) | `other` | `user`, `organization`, `donation`, `unknown` | — | `other` |
///
/// `dprk_lazarus` maps to laundering, not sanctioned: those addresses are
/// wallets the thieves control, where a trace must go on rather than stop
/// (see [`LabelSet::category_for_exits`](super::LabelSet::category_for_exits)).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// The party that took the funds (hacker, exploiter, scammer).
    Exploiter,
    /// Wallets controlled by the thieves or their launderers (consolidation, peel chains).
    Laundering,
    /// A mixer: a pool contract, a custodial mixing service or a CoinJoin coordinator.
    Mixer,
    /// A custodial exchange or OTC desk (hot, cold or deposit wallet).
    Exchange,
    /// A cross-chain bridge contract or custodian.
    Bridge,
    /// A decentralised exchange (router, pool, aggregator).
    Dex,
    /// Listed by a sanctions authority (OFAC SDN and similar).
    Sanctioned,
    /// Any other identified service (gambling, mining pool, wallet provider, market).
    Service,
    /// Known but none of the above (private persons, organisations).
    Other,
}

/// Why a category string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown category `{0}`")]
pub struct UnknownCategory(pub String);

impl Category {
    /// All categories, in precedence order for exits (see
    /// [`LabelSet::category_for_exits`](super::LabelSet::category_for_exits)).
    pub const ALL: [Category; 9] = [
        Category::Exploiter,
        Category::Laundering,
        Category::Mixer,
        Category::Bridge,
        Category::Exchange,
        Category::Dex,
        Category::Service,
        Category::Sanctioned,
        Category::Other,
    ];

    /// The canonical lower-case name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Category::Exploiter => "exploiter",
            Category::Laundering => "laundering",
            Category::Mixer => "mixer",
            Category::Exchange => "exchange",
            Category::Bridge => "bridge",
            Category::Dex => "dex",
            Category::Sanctioned => "sanctioned",
            Category::Service => "service",
            Category::Other => "other",
        }
    }

    /// Rank in the exit precedence: lower wins when an address carries
    /// labels of several categories.
    #[must_use]
    pub fn precedence(self) -> u8 {
        match self {
            Category::Exploiter => 0,
            Category::Laundering => 1,
            Category::Mixer => 2,
            Category::Bridge => 3,
            Category::Exchange => 4,
            Category::Dex => 5,
            Category::Service => 6,
            Category::Sanctioned => 7,
            Category::Other => 8,
        }
    }

    /// Whether the thieves themselves control addresses of this category
    /// (exploiter, laundering): a trace goes on through them.
    #[must_use]
    pub fn is_actor_controlled(self) -> bool {
        matches!(self, Category::Exploiter | Category::Laundering)
    }

    /// Whether one address can truthfully carry both categories.
    ///
    /// `sanctioned` and `other` go with anything; exploiter and laundering go
    /// together; any two distinct service categories (mixer, exchange,
    /// bridge, dex, service) and any service with an actor-controlled
    /// category are incompatible: one of the two sources is wrong, or the
    /// address is a shared contract. Such conflicts are kept, with both
    /// sources, and resolved only by the exit precedence.
    #[must_use]
    pub fn compatible_with(self, other: Category) -> bool {
        if self == other {
            return true;
        }
        let free = |c: Category| matches!(c, Category::Sanctioned | Category::Other);
        if free(self) || free(other) {
            return true;
        }
        self.is_actor_controlled() && other.is_actor_controlled()
    }

    /// Parses a list of category words (as `--stop-at` takes them), in
    /// order, skipping blank entries.
    ///
    /// # Errors
    ///
    /// The first word no vocabulary knows.
    pub fn parse_list<S: AsRef<str>>(
        words: impl IntoIterator<Item = S>,
    ) -> Result<Vec<Category>, UnknownCategory> {
        words
            .into_iter()
            .filter(|w| !w.as_ref().trim().is_empty())
            .map(|w| Category::parse(w.as_ref()))
            .collect()
    }

    /// Parses a category from any of the vocabularies in the table above.
    ///
    /// # Errors
    ///
    /// [`UnknownCategory`] with the input when no vocabulary knows the word.
    pub fn parse(s: &str) -> Result<Category, UnknownCategory> {
        let key: String = s
            .trim()
            .chars()
            .map(|c| match c {
                '-' | ' ' => '_',
                c => c.to_ascii_lowercase(),
            })
            .collect();
        let c = match key.as_str() {
            "exploiter"
            | "exploit"
            | "heist"
            | "hack"
            | "hacker"
            | "hack_exploiter"
            | "service_hack"
            | "phish_hack"
            | "phishing"
            | "scam"
            | "scammer"
            | "ransomware"
            | "ponzi_scheme"
            | "sextortion"
            | "theft"
            | "thief"
            | "etherscan_exploit_list"
            | "etherscan_heist_list"
            | "etherscan_phish_hack_list" => Category::Exploiter,
            "laundering" | "hack_laundering" | "dprk_lazarus" | "money_laundering"
            | "launderer" => Category::Laundering,
            "mixer" | "mixer_pool" | "mixing_service" | "mixing" | "coinjoin" | "tornado"
            | "tornado_cash" | "ethereum_mixer" | "privacy_pool" => Category::Mixer,
            "exchange" | "hot_wallet" | "cold_wallet" | "deposit" | "otc" | "otc_desk" | "cex" => {
                Category::Exchange
            }
            "bridge" | "cross_chain" => Category::Bridge,
            "dex" | "defi_dex" | "defi" | "uniswap" | "amm" | "dex_aggregator" => Category::Dex,
            "sanctioned"
            | "sanction"
            | "sanctions"
            | "ofac"
            | "ofac_sanctions_lists"
            | "blocked" => Category::Sanctioned,
            "service" | "gambling" | "miner" | "mining" | "market" | "wallet_service"
            | "wallet_app" | "payment_processor" | "payments" | "ico_wallet" | "ico_wallets"
            | "shop" | "vasp" => Category::Service,
            "other" | "user" | "organization" | "organisation" | "donation" | "unknown" => {
                Category::Other
            }
            _ => return Err(UnknownCategory(s.trim().to_string())),
        };
        Ok(c)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Category {
    type Err = UnknownCategory;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Category::parse(s)
    }
}

/// How much a label is to be trusted, 0 (unknown) to 100 (proven ownership).
///
/// The levels are GraphSense's (`tagpack-tool`, `confidence.csv`), so
/// TagPack confidence names map one to one:
///
/// | name | level |
/// |---|---:|
/// | `ownership`, `override` | 100 |
/// | `manual_transaction` | 90 |
/// | `service_api` | 70 |
/// | `authority_data` | 60 |
/// | `trusted_provider`, `service_data`, `forensic` | 50 |
/// | `untrusted_transaction` | 40 |
/// | `web_crawl` | 20 |
/// | `heuristic` | 10 |
/// | `unknown` | 5 |
///
/// A number is accepted too: an integer 0–100, or a fraction 0.0–1.0 (times 100).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Confidence(u8);

impl Confidence {
    /// Authority data (OFAC, FBI): 60.
    pub const AUTHORITY: Confidence = Confidence(60);
    /// A known service's own data or a forensic report: 50.
    pub const SERVICE: Confidence = Confidence(50);
    /// Web crawls and data dumps: 20.
    pub const WEB_CRAWL: Confidence = Confidence(20);
    /// A heuristic whose reliability is hard to quantify: 10.
    pub const HEURISTIC: Confidence = Confidence(10);
    /// Unknown source: 5.
    pub const UNKNOWN: Confidence = Confidence(5);

    /// A level, capped at 100.
    #[must_use]
    pub fn new(level: u8) -> Confidence {
        Confidence(level.min(100))
    }

    /// The level, 0–100.
    #[must_use]
    pub fn level(self) -> u8 {
        self.0
    }

    /// Parses a GraphSense confidence name or a number.
    ///
    /// # Errors
    ///
    /// The input, when it is neither a known name nor a number in range.
    pub fn parse(s: &str) -> Result<Confidence, String> {
        let t = s.trim().to_ascii_lowercase();
        let level = match t.as_str() {
            "ownership" | "override" => 100,
            "manual_transaction" => 90,
            "service_api" => 70,
            "authority_data" => 60,
            "trusted_provider" | "service_data" | "forensic" => 50,
            "untrusted_transaction" => 40,
            "web_crawl" => 20,
            "heuristic" => 10,
            "unknown" => 5,
            _ => {
                if let Ok(n) = t.parse::<u8>() {
                    if n <= 100 {
                        return Ok(Confidence(n));
                    }
                } else if let Ok(x) = t.parse::<f64>() {
                    if (0.0..=1.0).contains(&x) {
                        // In range 0..=100 after scaling, so the cast is exact enough.
                        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                        return Ok(Confidence((x * 100.0).round() as u8));
                    }
                }
                return Err(s.trim().to_string());
            }
        };
        Ok(Confidence(level))
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_keep_order_skip_blanks_and_refuse_unknown_words() {
        assert_eq!(
            Category::parse_list(["mixer", " ", "Exchange", ""]),
            Ok(vec![Category::Mixer, Category::Exchange])
        );
        assert_eq!(Category::parse_list(Vec::<String>::new()), Ok(vec![]));
        assert!(Category::parse_list(["exchange", "teapot"]).is_err());
    }

    #[test]
    fn vocabularies_map_onto_categories() {
        assert_eq!(Category::parse("Mixing_Service"), Ok(Category::Mixer));
        assert_eq!(
            Category::parse("ofac-sanctions-lists"),
            Ok(Category::Sanctioned)
        );
        assert_eq!(Category::parse("dprk_lazarus"), Ok(Category::Laundering));
        assert_eq!(Category::parse("hack exploiter"), Ok(Category::Exploiter));
        assert_eq!(Category::parse(" EXCHANGE "), Ok(Category::Exchange));
        assert!(Category::parse("teapot").is_err());
        for c in Category::ALL {
            assert_eq!(Category::parse(c.name()), Ok(c));
        }
    }

    #[test]
    fn precedence_matches_all_order() {
        let ranks: Vec<u8> = Category::ALL.iter().map(|c| c.precedence()).collect();
        assert_eq!(ranks, (0..9).collect::<Vec<u8>>());
    }

    #[test]
    fn compatibility() {
        assert!(Category::Exploiter.compatible_with(Category::Sanctioned));
        assert!(Category::Exploiter.compatible_with(Category::Laundering));
        assert!(Category::Mixer.compatible_with(Category::Sanctioned));
        assert!(!Category::Mixer.compatible_with(Category::Exchange));
        assert!(!Category::Exchange.compatible_with(Category::Exploiter));
    }

    #[test]
    fn confidence_names_and_numbers() {
        assert_eq!(
            Confidence::parse("authority_data"),
            Ok(Confidence::AUTHORITY)
        );
        assert_eq!(Confidence::parse("90").map(Confidence::level), Ok(90));
        assert_eq!(Confidence::parse("0.75").map(Confidence::level), Ok(75));
        assert!(Confidence::parse("101").is_err());
        assert!(Confidence::parse("sure").is_err());
    }
}
