//! Heuristics that turn a ledger into facts a trace can use (DESIGN §7):
//! [`bridge`] matches bridge deposits on one chain to releases on another;
//! [`deposit`] finds exchange deposit addresses by their forwards to a
//! hot wallet; [`cluster`] groups Bitcoin addresses by common inputs,
//! [`coinjoin`] recognises CoinJoins and [`peel`] peel chains; [`mixer`]
//! links mixer pool deposits to withdrawals. Each is a pure function over a
//! ledger and returns evidence (transactions, amounts, a [`Heuristic`] and
//! its confidence) with every result.

pub mod bridge;
pub mod cluster;
pub mod coinjoin;
pub mod deposit;
pub mod mixer;
pub mod peel;

use serde::{Deserialize, Serialize};

use crate::labels::Confidence;

/// A heuristic: why two things were judged to belong together. Every fact
/// a heuristic produces (a cluster merge, a mixer link) names one, and its
/// [`confidence`](Heuristic::confidence).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Heuristic {
    /// Clustering: all inputs of a (non-CoinJoin) transaction belong to one owner.
    MultiInput,
    /// Mixer link: the withdrawal pays the address that made the deposit.
    AddressMatch,
    /// Mixer link: deposit and withdrawal (sent by the recipient, not a
    /// relayer) use the same gas price, which is not a round default and
    /// occurs on no other deposit or withdrawal.
    UniqueGasPrice,
    /// Mixer link: the withdrawal pays an address known to belong with the
    /// depositor (and with no other depositor of the pool), which is not a
    /// depositor of the pool itself.
    LinkedAddresses,
    /// Mixer link: a depositor's set of deposits over several denominations
    /// is matched by exactly one recipient's set of withdrawals, and vice versa.
    MultiDenomination,
    /// Mixer link: the withdrawal follows the only deposit of the pool
    /// within the timing window, with no other withdrawal in between.
    Timing,
}

impl Heuristic {
    /// The heuristics that link mixer deposits to withdrawals.
    pub const MIXER_LINKS: [Heuristic; 5] = [
        Heuristic::AddressMatch,
        Heuristic::UniqueGasPrice,
        Heuristic::LinkedAddresses,
        Heuristic::MultiDenomination,
        Heuristic::Timing,
    ];

    /// The confidence of a fact made by this heuristic, 0–100.
    ///
    /// | heuristic | confidence | why |
    /// |---|---:|---|
    /// | multi-input | 70 | common ownership of inputs is the rule, broken by CoinJoins (skipped) and by payjoins (not detectable) |
    /// | address match | 90 | the same key deposits and receives; the only alternative is a deliberate payment to the depositor |
    /// | unique gas price | 80 | a hand-set fingerprint shared by exactly one deposit and one self-sent withdrawal; coincidences are rare but possible |
    /// | linked addresses | 60 | depends on how the pair was linked (a clustering heuristic or a direct transfer), which can itself be wrong |
    /// | multi-denomination | 50 | a unique combination of denominations within a day is suggestive, not distinctive, in busy pools |
    /// | timing | 20 | only says the pool was quiet; a large anonymity set elsewhere in time is not excluded |
    #[must_use]
    pub fn confidence(self) -> Confidence {
        Confidence::new(match self {
            Heuristic::MultiInput => 70,
            Heuristic::AddressMatch => 90,
            Heuristic::UniqueGasPrice => 80,
            Heuristic::LinkedAddresses => 60,
            Heuristic::MultiDenomination => 50,
            Heuristic::Timing => 20,
        })
    }

    /// The snake-case name (`address_match`), as reports write it.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Heuristic::MultiInput => "multi_input",
            Heuristic::AddressMatch => "address_match",
            Heuristic::UniqueGasPrice => "unique_gas_price",
            Heuristic::LinkedAddresses => "linked_addresses",
            Heuristic::MultiDenomination => "multi_denomination",
            Heuristic::Timing => "timing",
        }
    }
}
