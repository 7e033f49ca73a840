//! `fundtrace trace`: trace stolen funds from seeds under one model.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Args;
use fundtrace::amount::parse_base_units;
use fundtrace::heuristics::bridge::{match_bridges, BridgeConfig, BridgeSpec};
use fundtrace::heuristics::deposit::{find_deposit_addresses, DepositConfig};
use fundtrace::heuristics::mixer::{LinkConfig, LinkedAddresses};
use fundtrace::labels::{registry, Category, LabelSet};
use fundtrace::report::trace::{TraceReport, TraceSummary};
use fundtrace::report::write_json;
use fundtrace::trace::links::{find_mixer_links, registry_pools, MixerLinks};
use fundtrace::trace::{
    exits_from_labels, parse_seeds, trace, ExitInfo, Model, Seed, SeedTarget, TraceConfig,
};
use fundtrace::{Address, Ledger};

use super::inputs::LedgerInputs;
use super::labels::LabelInputs;
use super::{with_output, CliError};

/// The categories whose addresses stop taint unless `--stop-at` says otherwise.
pub const DEFAULT_STOP_AT: &str = "exchange,bridge,sanctioned,mixer";

/// Seeds, exits and limits, shared by `trace` and `compare`.
#[derive(Debug, Clone, Args)]
pub struct TraceSetup {
    #[command(flatten)]
    pub inputs: LedgerInputs,
    /// A seed: ADDR (everything it receives is stolen), ADDR@UNIX_TIME (from
    /// that time on) or tx:0xHASH (the value the theft transaction delivers).
    /// Repeatable.
    #[arg(long = "seed", value_name = "SEED")]
    pub seeds: Vec<String>,
    /// A file of seeds: one per line, `SEED` or `INCIDENT,SEED`; blank lines
    /// and lines starting with `#` are skipped.
    #[arg(long = "seeds-file", value_name = "FILE")]
    pub seeds_file: Vec<PathBuf>,
    /// The incident name of seeds given without one.
    #[arg(
        long = "incident-name",
        value_name = "NAME",
        default_value = "incident"
    )]
    pub incident: String,
    /// Seed the trace from the built-in registry's exploiter addresses of
    /// this incident (see `fundtrace incidents`); the incident name is NAME.
    /// Also loads the registry's labels. Repeatable.
    #[arg(long = "incident", value_name = "NAME")]
    pub registry_incidents: Vec<String>,
    #[command(flatten)]
    pub labels: LabelInputs,
    /// Categories whose addresses absorb taint (comma-separated).
    #[arg(long = "stop-at", value_name = "CATEGORIES", default_value = DEFAULT_STOP_AT, value_delimiter = ',')]
    pub stop_at: Vec<String>,
    /// The most transfers taint may cross.
    #[arg(long = "max-hops", value_name = "N")]
    pub max_hops: Option<u32>,
    /// Ignore events after this unix time (seconds).
    #[arg(long, value_name = "UNIX_TIME")]
    pub until: Option<u64>,
    /// Taint below this amount (base units) in one transfer is handed over
    /// as clean and counted as dust.
    #[arg(long, value_name = "AMOUNT")]
    pub dust: Option<String>,
    /// Carry taint through swaps: within one transaction, an address that
    /// sends asset X and receives asset Y carries its tainted fraction
    /// from X to Y.
    #[arg(long)]
    pub swaps: bool,
    /// Demix: find the deposits and withdrawals of the registry's Tornado
    /// Cash ETH pools in the ledger and link them (address match, unique gas
    /// price, linked addresses, multi-denomination, timing); a linked
    /// withdrawal carries its deposit's taint, and mixers leave the stop set
    /// (an unlinked pool is one purse under the model).
    #[arg(long)]
    pub demix: bool,
    /// Demixing: the timing heuristic's window, seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 3_600)]
    pub timing_window: u64,
    /// Infer exchange deposit addresses: an unlabelled address whose every
    /// outgoing transfer forwards what it received (within 1 %, within a
    /// day) to one exchange's labelled hot wallet becomes an exit of that
    /// exchange, labelled "(inferred deposit address)".
    #[arg(long)]
    pub infer_deposits: bool,
    /// A bridge to match across chains: DEPOSIT_ADDR:RELEASE_ADDR (where
    /// deposits are paid in on one chain, and the address that pays
    /// releases on another). A matched release carries its deposit's taint.
    /// Repeatable.
    #[arg(long = "bridge", value_name = "DEPOSIT:RELEASE")]
    pub bridges: Vec<String>,
    /// Bridge matching: the longest time from deposit to release, seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 86_400)]
    pub bridge_window: u64,
    /// Bridge matching: the largest fee, basis points of the deposit.
    #[arg(long, value_name = "BPS", default_value_t = 100)]
    pub bridge_fee_bps: u32,
    /// Print JSON instead of a summary.
    #[arg(long)]
    pub json: bool,
    /// Write to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// How many exits and holders the summary shows.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub top: usize,
}

/// Arguments of `trace`.
#[derive(Debug, Args)]
pub struct TraceArgs {
    #[command(flatten)]
    pub setup: TraceSetup,
    /// The taint model.
    #[arg(long, value_name = "MODEL", default_value = "haircut",
          value_parser = ["poison", "haircut", "fifo", "lifo", "taint-first", "clean-first", "tiho"])]
    pub model: String,
}

impl TraceSetup {
    /// Reads the seeds of `--seed` and `--seeds-file`.
    fn seeds(&self) -> Result<Vec<Seed>, CliError> {
        let mut seeds = Vec::new();
        for s in &self.seeds {
            seeds.push(
                Seed::parse(&self.incident, s)
                    .map_err(|e| CliError::Usage(format!("--seed: {e}")))?,
            );
        }
        for path in &self.seeds_file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| CliError::Usage(format!("--seeds-file {}: {e}", path.display())))?;
            seeds.extend(
                parse_seeds(&text, &self.incident)
                    .map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?,
            );
        }
        for name in &self.registry_incidents {
            let incident = registry::incident(name).ok_or_else(|| {
                CliError::Usage(format!(
                    "--incident {name:?}: not in the registry (see `fundtrace incidents`)"
                ))
            })?;
            let exploiters = incident.exploiters();
            if exploiters.is_empty() {
                return Err(CliError::Usage(format!(
                    "--incident {name:?}: the registry has no exploiter address for it ({})",
                    incident.note
                )));
            }
            for a in exploiters {
                seeds.push(Seed {
                    incident: incident.name.clone(),
                    target: SeedTarget::Address {
                        address: a.clone(),
                        start: None,
                    },
                });
            }
        }
        Ok(seeds)
    }

    /// Every label of `--labels`, `--list`, `--tagpack` and, with
    /// `--incident`, the built-in registry.
    pub fn label_set(&self) -> Result<LabelSet, CliError> {
        let mut set = self.labels.load()?;
        if !self.registry_incidents.is_empty() {
            set.merge(registry::labels());
        }
        Ok(set)
    }

    /// The categories of `--stop-at`.
    pub fn stop_categories(&self) -> Result<Vec<Category>, CliError> {
        let mut out = Vec::new();
        for c in self.stop_at.iter().filter(|c| !c.trim().is_empty()) {
            out.push(Category::parse(c).map_err(|e| CliError::Usage(format!("--stop-at: {e}")))?);
        }
        if self.demix {
            out.retain(|c| *c != Category::Mixer);
        }
        Ok(out)
    }

    /// Under `--demix`: the mixer links of `ledger`, added to `config`.
    pub fn demix(&self, ledger: &Ledger, config: TraceConfig) -> (TraceConfig, Option<MixerLinks>) {
        if !self.demix {
            return (config, None);
        }
        let link_config = LinkConfig {
            timing_window: self.timing_window,
            ..LinkConfig::default()
        };
        let links = find_mixer_links(
            ledger,
            &registry_pools(ledger),
            &LinkedAddresses::new(),
            &link_config,
        );
        let mut carries = config.conversions().to_vec();
        carries.extend(links.carries());
        (config.with_conversions(carries), Some(links))
    }

    /// The bridges of `--bridge`.
    fn bridge_specs(&self) -> Result<Vec<BridgeSpec>, CliError> {
        let mut out = Vec::new();
        for b in &self.bridges {
            let parse = |x: &str| {
                Address::parse_evm(x.trim())
                    .map_err(|e| CliError::Usage(format!("--bridge {b:?}: {e}")))
            };
            let Some((d, r)) = b.split_once(':') else {
                return Err(CliError::Usage(format!(
                    "--bridge {b:?}: expected DEPOSIT_ADDR:RELEASE_ADDR"
                )));
            };
            let deposit = parse(d)?;
            out.push(BridgeSpec {
                name: format!("bridge {deposit}"),
                deposit,
                release: parse(r)?,
            });
        }
        Ok(out)
    }

    /// Everything a trace takes from the loaded ledger: inferred deposit
    /// addresses, mixer links and bridge matches.
    pub fn enrich(
        &self,
        ledger: &Ledger,
        config: TraceConfig,
    ) -> Result<(TraceConfig, Option<MixerLinks>), CliError> {
        let config = self.infer_deposits(ledger, config);
        let (config, links) = self.demix(ledger, config);
        let specs = self.bridge_specs()?;
        if specs.is_empty() {
            return Ok((config, links));
        }
        let matches = match_bridges(
            ledger,
            &specs,
            &BTreeMap::new(),
            &BridgeConfig {
                window: self.bridge_window,
                fee_bps: self.bridge_fee_bps,
            },
        );
        let mut carries = config.conversions().to_vec();
        carries.extend(matches.iter().map(|m| m.carry(ledger)));
        Ok((config.with_conversions(carries), links))
    }

    /// Under `--infer-deposits`: the exit set with the inferred exchange
    /// deposit addresses of `ledger` added.
    pub fn infer_deposits(&self, ledger: &Ledger, config: TraceConfig) -> TraceConfig {
        if !self.infer_deposits {
            return config;
        }
        let mut exits = config.exits().clone();
        let hot: BTreeMap<Address, ExitInfo> = exits
            .iter()
            .filter(|(_, e)| e.category == Category::Exchange.name())
            .map(|(a, e)| (a.clone(), e.clone()))
            .collect();
        let found = find_deposit_addresses(
            ledger,
            &hot,
            |a| exits.contains_key(a),
            &DepositConfig::default(),
        );
        for d in found {
            exits.insert(d.address.clone(), d.exit_info());
        }
        config.with_exits(exits)
    }

    /// The exit set: labelled addresses whose decisive category is in
    /// `--stop-at`.
    pub(crate) fn exits(&self, labels: &LabelSet) -> Result<BTreeMap<Address, ExitInfo>, CliError> {
        Ok(exits_from_labels(labels, &self.stop_categories()?))
    }

    /// Refuses the account-chain options (`--swaps`, `--demix`,
    /// `--infer-deposits`, `--bridge`) on a UTXO trace.
    pub fn account_only(&self) -> Result<(), CliError> {
        if self.swaps || self.demix || self.infer_deposits || !self.bridges.is_empty() {
            return Err(CliError::Usage(
                "--swaps, --demix, --infer-deposits and --bridge apply to account chains only"
                    .into(),
            ));
        }
        Ok(())
    }

    /// Validates seeds, exits and limits into a configuration for `model`.
    pub fn config(&self, model: Model) -> Result<TraceConfig, CliError> {
        let dust = match &self.dust {
            Some(d) => {
                parse_base_units(d).map_err(|e| CliError::Usage(format!("--dust {d:?}: {e}")))?
            }
            None => 0,
        };
        let labels = self.label_set()?;
        let config = TraceConfig::new(model, self.seeds()?)
            .map_err(|e| CliError::Usage(e.to_string()))?
            .with_exits(self.exits(&labels)?)
            .with_max_hops(self.max_hops)
            .with_until(self.until)
            .with_dust(dust)
            .with_swaps(self.swaps);
        Ok(config)
    }
}

/// Runs `trace`.
pub fn run(args: &TraceArgs) -> Result<(), CliError> {
    if args.setup.inputs.has_btc() {
        args.setup.account_only()?;
        return super::trace_utxo::run(&args.setup, &args.model);
    }
    // On account chains TIHO is the taint-first model (DESIGN §6).
    let model_name = if args.model == "tiho" {
        "taint-first"
    } else {
        args.model.as_str()
    };
    let model: Model = model_name
        .parse()
        .map_err(|e| CliError::Usage(format!("--model: {e}")))?;
    let setup = &args.setup;
    // Validate everything before the (possibly long) load.
    let config = setup.config(model)?;
    let ledger = setup.inputs.load()?;
    let (config, links) = setup.enrich(&ledger, config)?;
    let result = trace(&ledger, &config);
    let mut report = TraceReport::new(&ledger, &config, &result);
    if let Some(links) = &links {
        report = report.with_mixer(&ledger, links, &result);
    }
    with_output(setup.out.as_ref(), |w| {
        if setup.json {
            write_json(&report, w)
        } else {
            write!(
                w,
                "{}",
                TraceSummary {
                    report: &report,
                    top: setup.top
                }
            )
        }
    })
}
