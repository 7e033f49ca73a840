//! What a trace is asked to do: the model, seeds, exits and limits,
//! validated once when built so that tracing itself cannot fail.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::seed::{check_incident_name, Seed, SeedTarget};
use crate::amount::Amount;
use crate::ledger::Address;

/// A taint model (DESIGN §6), for account chains or UTXO chains.
///
/// Account chains take [`Model::ACCOUNT`] (taint-first is the account form
/// of TIHO), UTXO chains [`Model::UTXO`] (per-transaction policies; TIHO
/// sends taint to the highest outputs first). A model of the other kind is
/// refused when the trace is configured.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Model {
    /// Once a purse holds any taint, everything it sends is tainted in full
    /// (exposure; an upper bound on reach, not a value measure).
    Poison,
    /// A transfer of `v` from a purse with balance `B` carries
    /// `floor(v·T_i/B)` of each tainted amount `T_i`.
    Haircut,
    /// Lots leave oldest first.
    Fifo,
    /// Lots leave newest first.
    Lifo,
    /// Tainted lots (oldest first) leave before clean ones (TIHO).
    TaintFirst,
    /// Clean lots leave before tainted ones (lowest intermediate balance rule).
    CleanFirst,
    /// UTXO chains: taint goes to the highest outputs first, ties by index
    /// (the account form is [`Model::TaintFirst`]).
    Tiho,
}

impl Model {
    /// Every model, in the order reports list them.
    pub const ALL: [Model; 7] = [
        Model::Poison,
        Model::Haircut,
        Model::Fifo,
        Model::Lifo,
        Model::TaintFirst,
        Model::CleanFirst,
        Model::Tiho,
    ];

    /// The account-chain models, in the order reports list them.
    pub const ACCOUNT: [Model; 6] = [
        Model::Poison,
        Model::Haircut,
        Model::Fifo,
        Model::Lifo,
        Model::TaintFirst,
        Model::CleanFirst,
    ];

    /// The UTXO-chain models (per-transaction policies), in report order.
    pub const UTXO: [Model; 5] = [
        Model::Poison,
        Model::Haircut,
        Model::Fifo,
        Model::Lifo,
        Model::Tiho,
    ];

    /// Whether the model applies to account chains.
    #[must_use]
    pub fn on_accounts(self) -> bool {
        self != Model::Tiho
    }

    /// Whether the model applies to UTXO chains.
    #[must_use]
    pub fn on_utxo(self) -> bool {
        !matches!(self, Model::TaintFirst | Model::CleanFirst)
    }

    /// The model's name as the command line and reports spell it.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Model::Poison => "poison",
            Model::Haircut => "haircut",
            Model::Fifo => "fifo",
            Model::Lifo => "lifo",
            Model::TaintFirst => "taint-first",
            Model::CleanFirst => "clean-first",
            Model::Tiho => "tiho",
        }
    }

    /// Whether the model conserves value (every model but poison):
    /// stolen = held + exited + fees + dust + creations, per asset.
    #[must_use]
    pub fn conserves_value(self) -> bool {
        self != Model::Poison
    }
}

impl fmt::Display for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A model name that is not one of [`Model::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "unknown model {0:?} (expected poison, haircut, fifo, lifo, taint-first, clean-first or tiho)"
)]
pub struct UnknownModel(pub String);

impl FromStr for Model {
    type Err = UnknownModel;

    /// Parses a model name; `lib` is accepted for clean-first.
    ///
    /// ```
    /// use fundtrace::trace::Model;
    /// assert_eq!("taint-first".parse(), Ok(Model::TaintFirst));
    /// assert_eq!("FIFO".parse(), Ok(Model::Fifo));
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "poison" => Ok(Model::Poison),
            "haircut" => Ok(Model::Haircut),
            "fifo" => Ok(Model::Fifo),
            "lifo" => Ok(Model::Lifo),
            "taint-first" => Ok(Model::TaintFirst),
            "tiho" => Ok(Model::Tiho),
            "clean-first" | "lib" | "lowest-intermediate-balance" => Ok(Model::CleanFirst),
            _ => Err(UnknownModel(s.to_string())),
        }
    }
}

/// What the report says about an exit address. The trace does not know
/// where this comes from (a label set, a list on the command line, …): any
/// address given an `ExitInfo` absorbs taint.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ExitInfo {
    /// Who the address belongs to (`Binance`), as the labels say.
    pub label: String,
    /// Its category (`exchange`, `bridge`, `sanctioned`, `mixer`, …).
    pub category: String,
}

/// Why a [`TraceConfig`] was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum TraceConfigError {
    /// No seed was given.
    #[error("no seeds: give at least one address or theft transaction")]
    NoSeeds,
    /// An incident name is empty or holds a comma or control character.
    #[error("incident name {0:?} is empty or holds a comma or control character")]
    BadIncident(String),
    /// One address or transaction was seeded twice in different ways.
    #[error(
        "seed {seed} is given twice with different incidents or start times ({first} and {second})"
    )]
    ConflictingSeed {
        /// The seed.
        seed: String,
        /// Its first incident (and start).
        first: String,
        /// The other incident (and start).
        second: String,
    },
    /// More incidents than the trace can tell apart.
    #[error("too many incidents ({0}; at most 65535)")]
    TooManyIncidents(usize),
    /// The model does not apply to this kind of chain.
    #[error("model {model} does not apply to {chains} chains; {instead}")]
    ModelNotApplicable {
        /// The model.
        model: Model,
        /// `account` or `UTXO`.
        chains: &'static str,
        /// What to use instead.
        instead: &'static str,
    },
}

/// A validated trace request.
///
/// Built with [`TraceConfig::new`] (which checks the seeds) and refined with
/// the `with_*` methods, which cannot fail. Once built, [`super::trace`]
/// runs on any ledger and returns a value: seeds the ledger does not have
/// become warnings in the result.
///
/// ```
/// use std::collections::BTreeMap;
/// use fundtrace::trace::{ExitInfo, Model, Seed, TraceConfig};
/// let seed = Seed::parse("ronin", "0x098b716b8aaf21512996dc57eb0615e2383e2f96").unwrap();
/// let mut exits = BTreeMap::new();
/// exits.insert(
///     "0x28c6c06298d514db089934071355e5743bf21d60".parse().unwrap(),
///     ExitInfo { label: "Binance".into(), category: "exchange".into() },
/// );
/// let config = TraceConfig::new(Model::Haircut, vec![seed])?
///     .with_exits(exits)
///     .with_max_hops(Some(10))
///     .with_dust(1_000);
/// assert_eq!(config.incidents(), ["ronin"]);
/// # Ok::<(), fundtrace::trace::TraceConfigError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceConfig {
    pub(crate) model: Model,
    /// Sorted, deduplicated.
    pub(crate) seeds: Vec<Seed>,
    /// Sorted incident names; an incident's number is its index here.
    pub(crate) incidents: Vec<String>,
    pub(crate) exits: BTreeMap<Address, ExitInfo>,
    pub(crate) max_hops: Option<u32>,
    pub(crate) until: Option<u64>,
    pub(crate) dust: Amount,
    pub(crate) record_flows: bool,
    /// Whether swaps carry taint from one asset to another.
    pub(crate) swaps: bool,
    /// Mixer links and bridge matches.
    pub(crate) carries: Vec<super::convert::Conversion>,
    /// Probable-flow mode: pools whose unlinked taint is spread.
    pub(crate) probable: Vec<super::probable::ProbablePool>,
    /// Tests only: list purses per address even where a dense table fits.
    pub(crate) force_sparse: bool,
    /// Tests only: walk every event instead of skipping unreachable ones.
    pub(crate) force_full: bool,
}

impl TraceConfig {
    /// A configuration tracing `seeds` under `model`, with no exits, no
    /// limits, no dust threshold, and flows recorded.
    ///
    /// Identical seeds given twice are kept once.
    ///
    /// # Errors
    ///
    /// [`TraceConfigError`] if there are no seeds, an incident name is bad,
    /// an address or transaction is seeded twice with different incidents or
    /// start times, or there are more than 65535 incidents.
    pub fn new(model: Model, seeds: Vec<Seed>) -> Result<Self, TraceConfigError> {
        if !model.on_accounts() {
            return Err(TraceConfigError::ModelNotApplicable {
                model,
                chains: "account",
                instead: "its account form is taint-first",
            });
        }
        if seeds.is_empty() {
            return Err(TraceConfigError::NoSeeds);
        }
        let mut seeds = seeds;
        seeds.sort();
        seeds.dedup();
        for s in &seeds {
            if check_incident_name(&s.incident).is_err() {
                return Err(TraceConfigError::BadIncident(s.incident.clone()));
            }
        }
        // One seed per address or transaction.
        let mut by_key: BTreeMap<String, &Seed> = BTreeMap::new();
        for s in &seeds {
            let key = match &s.target {
                SeedTarget::Address { address, .. } => address.to_string(),
                SeedTarget::Transaction { .. } | SeedTarget::Output(_) => s.target.to_string(),
            };
            if let Some(prev) = by_key.insert(key.clone(), s) {
                return Err(TraceConfigError::ConflictingSeed {
                    seed: key,
                    first: format!("{} {}", prev.incident, prev.target),
                    second: format!("{} {}", s.incident, s.target),
                });
            }
        }
        let mut incidents: Vec<String> = seeds.iter().map(|s| s.incident.clone()).collect();
        incidents.sort();
        incidents.dedup();
        if incidents.len() > usize::from(u16::MAX) {
            return Err(TraceConfigError::TooManyIncidents(incidents.len()));
        }
        Ok(TraceConfig {
            model,
            seeds,
            incidents,
            exits: BTreeMap::new(),
            max_hops: None,
            until: None,
            dust: 0,
            record_flows: true,
            swaps: false,
            carries: Vec::new(),
            probable: Vec::new(),
            force_sparse: false,
            force_full: false,
        })
    }

    /// The same configuration under another model. [`Model::Tiho`], which
    /// [`TraceConfig::new`] refuses, becomes its account form,
    /// [`Model::TaintFirst`].
    #[must_use]
    pub fn with_model(mut self, model: Model) -> Self {
        self.model = if model.on_accounts() {
            model
        } else {
            Model::TaintFirst
        };
        self
    }

    /// Addresses that absorb taint: a transfer into one hands its tainted
    /// part over (counted as exited) and the exit's purse receives it clean.
    #[must_use]
    pub fn with_exits(mut self, exits: BTreeMap<Address, ExitInfo>) -> Self {
        self.exits = exits;
        self
    }

    /// The most transfers taint may cross; taint that would cross more stays
    /// with the address holding it (counted as held there).
    #[must_use]
    pub fn with_max_hops(mut self, max_hops: Option<u32>) -> Self {
        self.max_hops = max_hops;
        self
    }

    /// Ignores events after this unix time.
    #[must_use]
    pub fn with_until(mut self, until: Option<u64>) -> Self {
        self.until = until;
        self
    }

    /// A transfer whose tainted part is below `dust` (base units, any asset)
    /// hands that part over as clean; it is counted under dust.
    #[must_use]
    pub fn with_dust(mut self, dust: Amount) -> Self {
        self.dust = dust;
        self
    }

    /// Whether to record one flow per taint-carrying transfer (on by
    /// default; off saves memory when only totals, exits and holders matter).
    #[must_use]
    pub fn with_flows(mut self, record_flows: bool) -> Self {
        self.record_flows = record_flows;
        self
    }

    /// Whether swaps carry taint across assets (off by default): within one
    /// transaction, an address that sends asset X and receives asset Y
    /// hands its X taint to the counterparty as clean value and receives Y
    /// tainted at the same fraction (see [`super::convert`] for the exact
    /// rule and the conservation identity).
    #[must_use]
    pub fn with_swaps(mut self, swaps: bool) -> Self {
        self.swaps = swaps;
        self
    }

    /// Mixer links ([`super::Conversion::mixer_link`]) and bridge matches
    /// ([`crate::heuristics::bridge::BridgeMatch::conversion`]): a linked
    /// withdrawal or a matched release carries the taint its deposit
    /// handed over. Sorted and deduplicated; a transfer takes part in at
    /// most one conversion (highest confidence first).
    #[must_use]
    pub fn with_conversions(mut self, mut carries: Vec<super::convert::Conversion>) -> Self {
        carries.sort();
        carries.dedup();
        self.carries = carries;
        self
    }

    /// The mixer links of [`crate::heuristics::mixer::link`] as conversions: each link's
    /// deposit transaction's transfers into `deposit_pool(link)` hand their
    /// taint to the withdrawal's transfers out of the pool. Adds to the
    /// conversions already given.
    #[must_use]
    pub fn with_mixer_links(
        self,
        links: &[crate::heuristics::mixer::Link],
        deposit_pool: impl Fn(&crate::heuristics::mixer::Link) -> Address,
    ) -> Self {
        let mut carries = self.carries.clone();
        carries.extend(
            links
                .iter()
                .map(|l| super::convert::Conversion::mixer_link(l, &deposit_pool(l))),
        );
        self.with_conversions(carries)
    }

    /// Probable-flow mode: in each of `pools`, the taint its deposits hand
    /// over is split over their candidate withdrawals by plausibility and
    /// carried on marked probable (see [`super::probable`] for the rules).
    /// Sorted and deduplicated. No effect under poison.
    #[must_use]
    pub fn with_probable(mut self, mut pools: Vec<super::probable::ProbablePool>) -> Self {
        pools.sort();
        pools.dedup();
        self.probable = pools;
        self
    }

    /// The probable pools given.
    #[must_use]
    pub fn probable(&self) -> &[super::probable::ProbablePool] {
        &self.probable
    }

    /// Whether swaps carry taint.
    #[must_use]
    pub fn swaps(&self) -> bool {
        self.swaps
    }

    /// The mixer links and bridge matches given.
    #[must_use]
    pub fn conversions(&self) -> &[super::convert::Conversion] {
        &self.carries
    }

    /// The model.
    #[must_use]
    pub fn model(&self) -> Model {
        self.model
    }

    /// The seeds, sorted and deduplicated.
    #[must_use]
    pub fn seeds(&self) -> &[Seed] {
        &self.seeds
    }

    /// Incident names, sorted; results number incidents by position here.
    #[must_use]
    pub fn incidents(&self) -> &[String] {
        &self.incidents
    }

    /// The exit addresses.
    #[must_use]
    pub fn exits(&self) -> &BTreeMap<Address, ExitInfo> {
        &self.exits
    }

    /// The hop limit.
    #[must_use]
    pub fn max_hops(&self) -> Option<u32> {
        self.max_hops
    }

    /// The time limit (unix seconds, inclusive).
    #[must_use]
    pub fn until(&self) -> Option<u64> {
        self.until
    }

    /// The dust threshold, base units.
    #[must_use]
    pub fn dust(&self) -> Amount {
        self.dust
    }

    /// Whether flows are recorded.
    #[must_use]
    pub fn records_flows(&self) -> bool {
        self.record_flows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_validates_seeds() {
        let a = "0x098b716b8aaf21512996dc57eb0615e2383e2f96";
        assert_eq!(
            TraceConfig::new(Model::Fifo, vec![]),
            Err(TraceConfigError::NoSeeds)
        );
        let s1 = Seed::parse("x", a).unwrap();
        let s2 = Seed::parse("y", a).unwrap();
        assert!(matches!(
            TraceConfig::new(Model::Fifo, vec![s1.clone(), s2]),
            Err(TraceConfigError::ConflictingSeed { .. })
        ));
        let c = TraceConfig::new(Model::Fifo, vec![s1.clone(), s1]).unwrap();
        assert_eq!(c.seeds().len(), 1);
        let bad = Seed {
            incident: String::new(),
            target: a.parse().unwrap(),
        };
        assert!(matches!(
            TraceConfig::new(Model::Fifo, vec![bad]),
            Err(TraceConfigError::BadIncident(_))
        ));
        for m in Model::ALL {
            assert_eq!(m.name().parse(), Ok(m));
        }
    }
}
