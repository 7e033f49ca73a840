//! One investigation: the library's entry point for a trace.
//!
//! An [`Investigation`] gathers what an investigator decides — seeds
//! (addresses, `ADDR@TIME`, `tx:` transactions, UTXO outpoints, or the
//! built-in registry's incidents), labels, the taint [`Model`], the stop
//! set, limits (hops, `until`, dust) and the enrichments (swaps, demixing,
//! deposit inference, bridges) — validates it once, and traces a
//! [`Dataset`] (an account ledger and, for Bitcoin inputs, a UTXO ledger)
//! into a [`TraceReport`]. Account and UTXO chains go through the same
//! type with the same seeds and the same report; options that only mean
//! something on one kind of chain are refused clearly on the other.
//!
//! ```
//! use fundtrace::ingest::{load_dataset, Format, IngestOptions, Source};
//! use fundtrace::investigation::Investigation;
//! use fundtrace::trace::Model;
//!
//! let data = load_dataset(
//!     &[Source::new(Format::EthTransactions, "examples/data/ronin/transactions.csv")],
//!     IngestOptions::default(),
//! )?;
//! let report = Investigation::new()
//!     .seed("0x098b716b8aaf21512996dc57eb0615e2383e2f96")?
//!     .model(Model::Fifo)
//!     .trace(&data)?;
//! assert_eq!(report.model, "fifo");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod load;
mod targets;

pub use load::load_dataset_with_rejects;
pub use targets::{AddressSpec, TargetError};

use std::collections::BTreeMap;

use thiserror::Error;

use crate::amount::Amount;
use crate::assets::AssetMeta;
use crate::heuristics::bridge::{match_bridges, BridgeConfig, BridgeSpec};
use crate::heuristics::deposit::{find_deposit_addresses, DepositConfig};
use crate::heuristics::mixer::{
    resolve_pools, LinkConfig, LinkedAddresses, PoolRequest, ProbableConfig,
};
use crate::ingest::tokens::TokenMetadata;
use crate::ingest::Dataset;
use crate::labels::{registry, Category, LabelSet};
use crate::ledger::utxo::UtxoLedger;
use crate::ledger::{Address, Ledger};
use crate::provenance::InputDigest;
use crate::report::trace::{ComparisonReport, TraceReport};
use crate::report::trace_utxo::{utxo_trace_report, UtxoTraceRequest};
use crate::trace::links::{find_mixer_links_with, MixerLinks, MixerOptions};
use crate::trace::utxo::{trace_with, UtxoTraceOptions};
use crate::trace::{
    exits_from_labels, parse_seeds, trace, trace_all, ExitInfo, Model, Seed, SeedError, SeedTarget,
    TraceConfig, TraceConfigError, DEFAULT_STOP_AT,
};

pub use crate::trace::DEFAULT_INCIDENT;

/// Why an investigation cannot run.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum InvestigationError {
    /// A seed could not be read.
    #[error(transparent)]
    Seed(#[from] SeedError),
    /// The trace configuration is not valid (no seeds, conflicting seeds, …).
    #[error(transparent)]
    Config(#[from] TraceConfigError),
    /// `--incident NAME` is not in the built-in registry.
    #[error("incident {0:?} is not in the registry (see `fundtrace incidents`)")]
    UnknownIncident(String),
    /// The registry has no exploiter address for this incident.
    #[error("incident {name:?}: the registry has no exploiter address for it ({note})")]
    IncidentWithoutSeeds {
        /// The incident.
        name: String,
        /// The registry's note on it.
        note: String,
    },
    /// Seeds that name nothing in the data: an address or transaction the
    /// ledger does not have, an address of another chain, a malformed
    /// address read as text. Allow them with
    /// [`Investigation::allow_missing_seeds`] to trace the rest (the report
    /// then warns).
    #[error("{} seed(s) not in the data: {}", seeds.len(), seeds.join("; "))]
    SeedsNotInData {
        /// Each missing seed with what it probably is.
        seeds: Vec<String>,
    },
    /// An option that only applies to account chains was given with a
    /// UTXO ledger.
    #[error("{0} applies to account chains only; the inputs are Bitcoin (UTXO) data")]
    AccountOnly(&'static str),
    /// A demixing option that cannot be used (a pool declaration).
    #[error("demixing: {0}")]
    Demixing(String),
    /// A side input (seeds file, token metadata) could not be read.
    #[error("{file}: {message}")]
    InputFile {
        /// The file as given.
        file: String,
        /// What went wrong, with the line where there is one.
        message: String,
    },
    /// A total of the trace (or an address's balance) passed the largest
    /// amount a `u128` holds: the data claims more of an asset than can
    /// exist, and no total of it can be trusted.
    #[error("the trace's totals of {asset} pass the largest representable amount ({max} base units): the data claims more of it than can exist")]
    TotalOverflow {
        /// The asset, as reported.
        asset: String,
        /// `u128::MAX`.
        max: u128,
    },
}

/// Refuses a trace result whose totals could not be represented.
fn check_totals(
    ledger: &Ledger,
    result: &crate::trace::TraceResult,
) -> Result<(), InvestigationError> {
    match result.overflow {
        Some(asset) => Err(InvestigationError::TotalOverflow {
            asset: ledger.asset_name(asset),
            max: u128::MAX,
        }),
        None => Ok(()),
    }
}

/// Mixer demixing options: which pools and how links are made.
///
/// The default: the registry's pools and every address labelled `mixer`
/// (denominations inferred), linked addresses taken from the ledger, every
/// link whatever its confidence, no detection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Demixing {
    /// Link heuristics' settings (windows, minimum confidence).
    pub links: LinkConfig,
    /// Which pools: registry, labels, declared (`--pool`), detection.
    pub pools: PoolRequest,
    /// Linked-addresses heuristic: pair depositors and recipients that
    /// transacted with each other in the ledger.
    pub ledger_links: bool,
    /// Probable-flow mode: spread the taint no chosen link carries over
    /// each deposit's candidate withdrawals by plausibility, marked
    /// probable (see [`crate::trace::probable`]); `None`: off.
    pub probable: Option<ProbableConfig>,
}

impl Default for Demixing {
    fn default() -> Self {
        Demixing {
            links: LinkConfig::default(),
            pools: PoolRequest::default(),
            ledger_links: true,
            probable: None,
        }
    }
}

/// An investigation: seeds, labels, model, stop set, limits and
/// enrichments, checked once (see the [module docs](self)).
#[derive(Clone, Debug)]
pub struct Investigation {
    seeds: Vec<Seed>,
    registry_incidents: Vec<String>,
    /// Seeds taken from the registry: the data need not hold them all (a
    /// registry lists every known exploiter address; a ledger extract
    /// rarely has every one).
    registry_seeds: std::collections::BTreeSet<Seed>,
    labels: LabelSet,
    model: Model,
    stop_at: Vec<Category>,
    max_hops: Option<u32>,
    until: Option<u64>,
    dust: Amount,
    swaps: bool,
    demix: Option<Demixing>,
    infer_deposits: Option<DepositConfig>,
    bridges: Vec<BridgeSpec>,
    bridge_config: BridgeConfig,
    allow_missing_seeds: bool,
    token_decimals: BTreeMap<Address, u32>,
    /// Side inputs read for this investigation (seeds files, token
    /// metadata, pool events); label files are recorded in `labels`.
    inputs: Vec<InputDigest>,
    command_line: Option<Vec<String>>,
    token_metadata: BTreeMap<Address, AssetMeta>,
}

impl Default for Investigation {
    fn default() -> Self {
        Self::new()
    }
}

impl Investigation {
    /// An investigation with no seeds yet, the haircut model, the default
    /// stop set ([`DEFAULT_STOP_AT`]) and no limits.
    #[must_use]
    pub fn new() -> Self {
        Investigation {
            seeds: Vec::new(),
            registry_incidents: Vec::new(),
            registry_seeds: std::collections::BTreeSet::new(),
            labels: LabelSet::default(),
            model: Model::Haircut,
            stop_at: DEFAULT_STOP_AT.to_vec(),
            max_hops: None,
            until: None,
            dust: 0,
            swaps: false,
            demix: None,
            infer_deposits: None,
            bridges: Vec::new(),
            bridge_config: BridgeConfig::default(),
            allow_missing_seeds: false,
            token_decimals: BTreeMap::new(),
            inputs: Vec::new(),
            command_line: None,
            token_metadata: BTreeMap::new(),
        }
    }

    /// Token symbols and decimals from token metadata files (see
    /// [`crate::ingest::tokens::TokenMetadata`]), for showing amounts;
    /// the files are recorded among the report's inputs.
    #[must_use]
    pub fn token_metadata(mut self, metadata: TokenMetadata) -> Self {
        self.token_metadata.extend(metadata.tokens);
        self.inputs.extend(metadata.inputs);
        self
    }

    /// Records a file that shapes the result but is not a ledger (a seeds
    /// file, token metadata, pool events), so the report names it with its
    /// SHA-256. Label files are recorded by the label loaders.
    #[must_use]
    pub fn input(mut self, input: InputDigest) -> Self {
        self.inputs.push(input);
        self
    }

    /// Records the command line that asked for this investigation (the
    /// arguments after the program name); reports carry it so that
    /// `fundtrace verify` can run it again.
    #[must_use]
    pub fn command_line(mut self, args: Vec<String>) -> Self {
        self.command_line = Some(args);
        self
    }

    /// Adds the seeds of a seeds file (see [`Investigation::seeds_text`])
    /// and records the file, with its SHA-256, among the report's inputs.
    ///
    /// # Errors
    ///
    /// [`InvestigationError::InputFile`] when the file cannot be read or
    /// is not UTF-8, or a line cannot be read as a seed.
    pub fn seeds_file(
        self,
        path: &std::path::Path,
        default_incident: &str,
    ) -> Result<Self, InvestigationError> {
        let file = path.display().to_string();
        let fail = |message: String| InvestigationError::InputFile {
            file: file.clone(),
            message,
        };
        let bytes = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
        let text = std::str::from_utf8(&bytes)
            .map_err(|e| fail(format!("not UTF-8 at byte {}", e.valid_up_to())))?;
        let digest = InputDigest::of_bytes("seeds", file.clone(), &bytes);
        Ok(self
            .seeds_text(text, default_incident)
            .map_err(|e| fail(e.to_string()))?
            .input(digest))
    }

    /// Every side input (label files, seeds files, …); `InputDigest::merged`
    /// sorts them with the ledger's.
    fn side_inputs(&self) -> Vec<InputDigest> {
        self.labels
            .inputs()
            .iter()
            .chain(&self.inputs)
            .cloned()
            .collect()
    }

    /// Decimals of tokens the built-in table does not know, for showing
    /// amounts in coin units (amounts stay base units in the data).
    #[must_use]
    pub fn token_decimals(mut self, decimals: BTreeMap<Address, u32>) -> Self {
        self.token_decimals.extend(decimals);
        self
    }

    /// Trace even when some seeds name nothing in the data (default: that
    /// is an error, since a typo would otherwise give an empty report); the
    /// report warns about each.
    #[must_use]
    pub fn allow_missing_seeds(mut self, allow: bool) -> Self {
        self.allow_missing_seeds = allow;
        self
    }

    /// Adds a seed written as the command line takes it (`ADDR`,
    /// `ADDR@UNIX_TIME`, `tx:0xHASH`, or a UTXO outpoint `TXID:VOUT`), of
    /// the incident [`DEFAULT_INCIDENT`].
    ///
    /// # Errors
    ///
    /// [`InvestigationError::Seed`] when it cannot be read.
    pub fn seed(self, seed: &str) -> Result<Self, InvestigationError> {
        self.seed_of(DEFAULT_INCIDENT, seed)
    }

    /// Adds a seed of the named incident.
    ///
    /// # Errors
    ///
    /// [`InvestigationError::Seed`] when the seed or the name cannot be read.
    pub fn seed_of(mut self, incident: &str, seed: &str) -> Result<Self, InvestigationError> {
        self.seeds.push(Seed::parse(incident, seed)?);
        Ok(self)
    }

    /// Adds parsed seeds.
    #[must_use]
    pub fn seeds(mut self, seeds: impl IntoIterator<Item = Seed>) -> Self {
        self.seeds.extend(seeds);
        self
    }

    /// Adds the seeds of a seeds file's text: one per line, `SEED` or
    /// `INCIDENT,SEED`; blank lines and `#` comments are skipped. Seeds
    /// without an incident belong to `default_incident`.
    ///
    /// # Errors
    ///
    /// [`InvestigationError::Seed`] naming the line that cannot be read.
    pub fn seeds_text(
        mut self,
        text: &str,
        default_incident: &str,
    ) -> Result<Self, InvestigationError> {
        self.seeds.extend(parse_seeds(text, default_incident)?);
        Ok(self)
    }

    /// Seeds the trace from the built-in registry's exploiter addresses of
    /// incident `name` (see [`registry::incidents`]) and adds the registry's
    /// labels; the seeds' incident is `name`. Registry seeds the data does
    /// not hold are reported as not found, not refused.
    ///
    /// # Errors
    ///
    /// When the registry does not know the incident or has no exploiter
    /// address for it.
    pub fn incident(mut self, name: &str) -> Result<Self, InvestigationError> {
        let incident = registry::incident(name)
            .ok_or_else(|| InvestigationError::UnknownIncident(name.to_string()))?;
        let exploiters = incident.exploiters();
        if exploiters.is_empty() {
            return Err(InvestigationError::IncidentWithoutSeeds {
                name: name.to_string(),
                note: incident.note.clone(),
            });
        }
        for a in exploiters {
            let seed = Seed {
                incident: incident.name.clone(),
                target: SeedTarget::Address {
                    address: a.clone(),
                    start: None,
                },
            };
            self.registry_seeds.insert(seed.clone());
            self.seeds.push(seed);
        }
        if self.registry_incidents.is_empty() {
            self.labels.merge(registry::labels());
        }
        self.registry_incidents.push(incident.name.clone());
        Ok(self)
    }

    /// Adds labels (exits are labelled addresses whose deciding category
    /// is in the stop set).
    #[must_use]
    pub fn labels(mut self, labels: LabelSet) -> Self {
        self.labels.merge(labels);
        self
    }

    /// The taint model (default haircut). [`Model::Tiho`] applies to UTXO
    /// chains, [`Model::TaintFirst`] and [`Model::CleanFirst`] to account
    /// chains; the other is refused when the trace runs.
    #[must_use]
    pub fn model(mut self, model: Model) -> Self {
        self.model = model;
        self
    }

    /// The categories whose addresses absorb taint (default
    /// [`DEFAULT_STOP_AT`]). With demixing, mixers leave the stop set.
    #[must_use]
    pub fn stop_at(mut self, categories: Vec<Category>) -> Self {
        self.stop_at = categories;
        self
    }

    /// The most transfers taint may cross.
    #[must_use]
    pub fn max_hops(mut self, hops: Option<u32>) -> Self {
        self.max_hops = hops;
        self
    }

    /// Ignore events after this unix time.
    #[must_use]
    pub fn until(mut self, until: Option<u64>) -> Self {
        self.until = until;
        self
    }

    /// Taint below this amount (base units) in one transfer is handed over
    /// as clean and counted as dust.
    #[must_use]
    pub fn dust(mut self, dust: Amount) -> Self {
        self.dust = dust;
        self
    }

    /// Conversion taint through swaps (account chains).
    #[must_use]
    pub fn swaps(mut self, swaps: bool) -> Self {
        self.swaps = swaps;
        self
    }

    /// Demix the pools `demixing` names (registry, labelled mixers,
    /// declared, detected): linked withdrawals carry their deposits' taint,
    /// what a link cannot carry stays in its pool (`pooled`), and mixers
    /// leave the stop set (account chains).
    #[must_use]
    pub fn demix(mut self, demixing: Option<Demixing>) -> Self {
        self.demix = demixing;
        self
    }

    /// Whether the ledger should be loaded with transactions' gas prices
    /// ([`crate::ingest::IngestOptions::gas_prices`]): demixing uses them
    /// (the unique-gas-price heuristic); nothing else does.
    pub fn needs_gas_prices(&self) -> bool {
        self.demix.is_some()
    }

    /// Infer exchange deposit addresses from their forwards to labelled hot
    /// wallets and make them exits of that exchange (account chains).
    #[must_use]
    pub fn infer_deposits(mut self, config: Option<DepositConfig>) -> Self {
        self.infer_deposits = config;
        self
    }

    /// Match deposits into `bridge` on one chain to its releases on another
    /// (account chains; multi-chain ledgers).
    #[must_use]
    pub fn bridge(mut self, bridge: BridgeSpec) -> Self {
        self.bridges.push(bridge);
        self
    }

    /// Bridge matching's time window and fee limit.
    #[must_use]
    pub fn bridge_config(mut self, config: BridgeConfig) -> Self {
        self.bridge_config = config;
        self
    }

    /// The seeds given so far.
    #[must_use]
    pub fn seed_list(&self) -> &[Seed] {
        &self.seeds
    }

    /// The model.
    #[must_use]
    pub fn chosen_model(&self) -> Model {
        self.model
    }

    /// The stop set actually used: mixers leave it when demixing.
    #[must_use]
    pub fn stop_categories(&self) -> Vec<Category> {
        let mut out = self.stop_at.clone();
        if self.demix.is_some() {
            out.retain(|c| *c != Category::Mixer);
        }
        out
    }

    /// The exit set: labelled addresses whose deciding category is in the
    /// stop set, less the addresses attributed to the incident being traced
    /// ([`Investigation::incident_addresses`]).
    #[must_use]
    pub fn exits(&self) -> BTreeMap<Address, ExitInfo> {
        let own = self.incident_addresses();
        let mut exits = exits_from_labels(&self.labels, &self.stop_categories());
        exits.retain(|a, _| !own.contains(a));
        exits
    }

    /// Addresses attributed to the incidents being traced — the seed
    /// addresses, and every labelled address whose actor is an actor named
    /// on a seed address's labels (its exploiters and laundering wallets) —
    /// which carry taint on even when they are also labelled sanctioned: a
    /// DPRK trace must not stop at the thief's own OFAC-listed wallets.
    #[must_use]
    pub fn incident_addresses(&self) -> std::collections::BTreeSet<Address> {
        let mut own = std::collections::BTreeSet::new();
        let mut actors = std::collections::BTreeSet::new();
        for s in &self.seeds {
            if let SeedTarget::Address { address, .. } = &s.target {
                own.insert(address.clone());
                for l in self.labels.get(address) {
                    if let Some(actor) = l.actor.as_deref().filter(|a| !a.is_empty()) {
                        actors.insert(actor.to_ascii_lowercase());
                    }
                }
            }
        }
        if !actors.is_empty() {
            for l in self.labels.iter() {
                if l.actor
                    .as_deref()
                    .is_some_and(|a| actors.contains(&a.to_ascii_lowercase()))
                {
                    own.insert(l.address.clone());
                }
            }
        }
        own
    }

    /// Checks everything that can be checked without the data: seeds are
    /// present and consistent, and the account-chain configuration is
    /// valid. [`Investigation::trace`] checks again, with the data.
    ///
    /// # Errors
    ///
    /// As [`Investigation::trace`], for what does not need the data.
    pub fn validate(&self) -> Result<(), InvestigationError> {
        TraceConfig::new(Model::Haircut, self.seeds.clone())?;
        Ok(())
    }

    /// Traces the data under the model.
    ///
    /// # Errors
    ///
    /// When the configuration is not valid for the data: no seeds,
    /// conflicting seeds, a model or option that does not apply to this
    /// kind of chain.
    pub fn trace(&self, data: &Dataset) -> Result<TraceReport, InvestigationError> {
        self.check_seeds(data)?;
        let mut report = match &data.utxo {
            Some(utxo) => self.trace_utxo(&data.ledger, utxo, self.model)?,
            None => {
                let (config, links) = self.account_config(&data.ledger, self.model)?;
                let result = trace(&data.ledger, &config);
                check_totals(&data.ledger, &result)?;
                let mut report = TraceReport::new(&data.ledger, &config, &result);
                if let Some(links) = &links {
                    report = report.with_mixer(&data.ledger, links, &result);
                    if let Some(m) = report.mixer.as_mut() {
                        m.probable = self.demix.as_ref().and_then(|d| d.probable);
                    }
                }
                report
            }
        };
        self.annotate(data, &mut report);
        Ok(report
            .with_labels(&self.labels)
            .with_token_metadata(&self.token_metadata)
            .with_token_decimals(&self.token_decimals))
    }

    /// What the report says beyond the trace: the incident's own addresses
    /// (never exits) and, for plain `ADDR` seeds, how much arrived after
    /// the seed first sent value on.
    fn annotate(&self, data: &Dataset, report: &mut TraceReport) {
        report.inputs =
            InputDigest::merged(std::mem::take(&mut report.inputs), &self.side_inputs());
        report.command_line.clone_from(&self.command_line);
        report.parameters.incident_addresses = self
            .incident_addresses()
            .iter()
            .map(ToString::to_string)
            .collect();
        if data.utxo.is_none() {
            report
                .warnings
                .extend(late_inflows(&data.ledger, &self.seeds));
            report.warnings.sort();
            report.warnings.dedup();
        }
    }

    /// Every seed must name something in the data, unless allowed.
    fn check_seeds(&self, data: &Dataset) -> Result<(), InvestigationError> {
        if self.allow_missing_seeds {
            return Ok(());
        }
        let missing: Vec<String> = self
            .seeds
            .iter()
            .filter(|s| !self.registry_seeds.contains(s) && !seed_in_data(&s.target, data))
            .map(|s| describe_missing(&s.target, data))
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(InvestigationError::SeedsNotInData { seeds: missing })
        }
    }

    /// Traces the data under every model of its kind of chain, side by side.
    ///
    /// # Errors
    ///
    /// As [`Investigation::trace`].
    pub fn compare(&self, data: &Dataset) -> Result<ComparisonReport, InvestigationError> {
        self.check_seeds(data)?;
        let mut report = match &data.utxo {
            Some(utxo) => {
                let reports = Model::UTXO
                    .iter()
                    .map(|&m| self.trace_utxo(&data.ledger, utxo, m))
                    .collect::<Result<Vec<_>, _>>()?;
                ComparisonReport::from_reports(&reports)
            }
            None => {
                let (config, _) = self.account_config(&data.ledger, Model::Haircut)?;
                let results = trace_all(&data.ledger, &config);
                for r in &results {
                    check_totals(&data.ledger, r)?;
                }
                ComparisonReport::new(&data.ledger, &config, &results)
            }
        };
        report.inputs =
            InputDigest::merged(std::mem::take(&mut report.inputs), &self.side_inputs());
        report.command_line.clone_from(&self.command_line);
        Ok(report
            .with_labels(&self.labels)
            .with_token_metadata(&self.token_metadata)
            .with_token_decimals(&self.token_decimals))
    }

    /// The validated account-chain configuration for `model`, with the
    /// enrichments found in `ledger`: inferred deposit addresses, mixer
    /// links and bridge matches.
    fn account_config(
        &self,
        ledger: &Ledger,
        model: Model,
    ) -> Result<(TraceConfig, Option<MixerLinks>), InvestigationError> {
        let mut exits = self.exits();
        if let Some(deposit_config) = &self.infer_deposits {
            let hot: BTreeMap<Address, ExitInfo> = exits
                .iter()
                .filter(|(_, e)| e.category == Category::Exchange.name())
                .map(|(a, e)| (a.clone(), e.clone()))
                .collect();
            let found =
                find_deposit_addresses(ledger, &hot, |a| exits.contains_key(a), deposit_config);
            for d in found {
                exits.insert(d.address.clone(), d.exit_info());
            }
        }
        let mut config = TraceConfig::new(model, self.seeds.clone())?
            .with_exits(exits)
            .with_max_hops(self.max_hops)
            .with_until(self.until)
            .with_dust(self.dust)
            .with_swaps(self.swaps);
        let mut carries = Vec::new();
        let links = match &self.demix {
            Some(d) => {
                let resolved = resolve_pools(ledger, &d.pools, &self.labels)
                    .map_err(|e| InvestigationError::Demixing(e.to_string()))?;
                let options = MixerOptions {
                    links: d.links.clone(),
                    ledger_links: d.ledger_links,
                    linked: LinkedAddresses::new(),
                };
                let mut found = find_mixer_links_with(ledger, &resolved.pools, &options);
                found.detected = resolved.candidates;
                found.notes = resolved.notes;
                Some(found)
            }
            None => None,
        };
        if let Some(links) = &links {
            carries.extend(links.conversions());
            if let Some(p) = self.demix.as_ref().and_then(|d| d.probable.as_ref()) {
                config = config.with_probable(links.probable_pools(p));
            }
        }
        if !self.bridges.is_empty() {
            let matches =
                match_bridges(ledger, &self.bridges, &BTreeMap::new(), &self.bridge_config);
            carries.extend(matches.iter().map(|m| m.conversion(ledger)));
        }
        if !carries.is_empty() {
            config = config.with_conversions(carries);
        }
        Ok((config, links))
    }

    /// Traces a UTXO ledger under `model`; `view` is the address-level
    /// ledger of the same inputs (digests, warnings).
    fn trace_utxo(
        &self,
        view: &Ledger,
        utxo: &UtxoLedger,
        model: Model,
    ) -> Result<TraceReport, InvestigationError> {
        for (given, name) in [
            (self.swaps, "swap tracing"),
            (self.demix.is_some(), "demixing"),
            (self.infer_deposits.is_some(), "deposit inference"),
            (!self.bridges.is_empty(), "bridge matching"),
        ] {
            if given {
                return Err(InvestigationError::AccountOnly(name));
            }
        }
        // Seeds are checked as for account chains (none, conflicts).
        let config = TraceConfig::new(Model::Haircut, self.seeds.clone())?;
        let mut options = UtxoTraceOptions::new(model)?;
        let exit_info: BTreeMap<String, ExitInfo> = self
            .exits()
            .into_iter()
            .map(|(a, i)| (a.to_string(), i))
            .collect();
        options.exits = exit_info.keys().cloned().collect();
        options.dust = self.dust;
        options.max_hops = self.max_hops;
        options.until_height = self.until.map(|t| utxo.last_height_until(t));
        let targets: Vec<SeedTarget> = config.seeds().iter().map(|s| s.target.clone()).collect();
        let result = trace_with(utxo, &targets, &options);
        let request = UtxoTraceRequest {
            seeds: config.seeds(),
            options: &options,
            exits: &exit_info,
            until: self.until,
        };
        Ok(utxo_trace_report(view, utxo, &request, &result))
    }
}

/// Whether the data has what a seed names.
fn seed_in_data(target: &SeedTarget, data: &Dataset) -> bool {
    match (&data.utxo, target) {
        (Some(utxo), SeedTarget::Address { address, .. }) => {
            utxo.address_id(&address.to_string()).is_some()
        }
        (Some(utxo), SeedTarget::Output(o)) => utxo.outpoint(o).is_some(),
        (Some(utxo), SeedTarget::Transaction { hash }) => {
            let mut internal = *hash;
            internal.reverse();
            utxo.tx_by_txid(&crate::ledger::utxo::Txid(internal))
                .is_some()
        }
        (None, SeedTarget::Address { address, .. }) => data.ledger.address_id(address).is_some(),
        (None, SeedTarget::Transaction { hash }) => data.ledger.tx_by_hash(hash).is_some(),
        (None, SeedTarget::Output(_)) => false,
    }
}

/// A missing seed with the likeliest reason.
fn describe_missing(target: &SeedTarget, data: &Dataset) -> String {
    let why = match (target, &data.utxo) {
        (SeedTarget::Output(_), None) => {
            "an outpoint (TXID:VOUT) names a UTXO output; the data is an account ledger"
        }
        (
            SeedTarget::Address {
                address: Address::Text(t),
                ..
            },
            None,
        ) if t.len() == 40 && t.bytes().all(|b| b.is_ascii_hexdigit()) => {
            "40 hex digits without 0x: EVM addresses are written 0x…"
        }
        (
            SeedTarget::Address {
                address: Address::Text(_),
                ..
            },
            None,
        ) => "not an address of this account ledger (another chain's address, or a typo)",
        (
            SeedTarget::Address {
                address: Address::Evm(_),
                ..
            },
            Some(_),
        ) => "an EVM address; the data is Bitcoin",
        (SeedTarget::Transaction { .. }, _) => "the transaction is not in the data",
        _ => "not in the data",
    };
    format!("{target} ({why})")
}

/// For each plain `ADDR` seed (no start time) of an account ledger: the
/// value it received after its first outgoing transfer, per asset, which
/// the seed counts as stolen although it may be unrelated to the theft.
fn late_inflows(ledger: &Ledger, seeds: &[Seed]) -> Vec<String> {
    let mut out = Vec::new();
    for s in seeds {
        let SeedTarget::Address {
            address,
            start: None,
        } = &s.target
        else {
            continue;
        };
        let Some(id) = ledger.address_id(address) else {
            continue;
        };
        let Some(first_out) = ledger.senders().iter().position(|&a| a == id) else {
            continue;
        };
        let mut late: BTreeMap<String, Amount> = BTreeMap::new();
        let receivers = ledger.receivers();
        let senders = ledger.senders();
        for i in first_out + 1..ledger.transfer_count() {
            if receivers[i] == id && senders[i] != id {
                let name = ledger.asset_name(ledger.transfer_assets()[i]);
                let e = late.entry(name).or_insert(0);
                // A warning's figure only, never a total of the trace.
                *e = e.saturating_add(ledger.amounts()[i]);
            }
        }
        if late.is_empty() {
            continue;
        }
        let amounts: Vec<String> = late.iter().map(|(a, v)| format!("{v} {a}")).collect();
        let at = ledger.time(crate::id::TransferId::from_usize(first_out));
        out.push(format!(
            "seed {address} ({}): {} (base units) arrived after its first outgoing transfer (unix time {at}) and counts as stolen; give ADDR@TIME or tx:0xHASH to count only the theft",
            s.incident,
            amounts.join(", ")
        ));
    }
    out
}
