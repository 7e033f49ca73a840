//! `fundtrace trace`: trace stolen funds from seeds under one model.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Args;
use fundtrace::amount::parse_base_units;
use fundtrace::labels::{self, registry, Category, LabelError, LabelSet, LoadOptions};
use fundtrace::report::trace::{TraceReport, TraceSummary};
use fundtrace::report::write_json;
use fundtrace::trace::{
    exits_from_labels, parse_seeds, trace, ExitInfo, Model, Seed, SeedTarget, TraceConfig,
};
use fundtrace::Address;

use super::inputs::LedgerInputs;
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
    /// Address labels: CSV `address,entity,category[,actor,source]`, JSON,
    /// or a GraphSense TagPack (`.yaml`), chosen by extension. Repeatable.
    #[arg(long = "labels", value_name = "FILE")]
    pub labels: Vec<PathBuf>,
    /// A GraphSense TagPack (YAML). Repeatable.
    #[arg(long = "tagpack", value_name = "FILE")]
    pub tagpacks: Vec<PathBuf>,
    /// A plain list of addresses, one per line, all of CATEGORY (e.g. an OFAC
    /// list: `--list ofac_eth.txt:sanctioned`).
    #[arg(long = "list", value_name = "FILE:CATEGORY")]
    pub lists: Vec<String>,
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
        let err = |e: LabelError| CliError::Input(e.to_string());
        let mut set = LabelSet::new();
        for path in &self.labels {
            set.merge(labels::load_path(path, None, &LoadOptions::default()).map_err(err)?);
        }
        for spec in &self.lists {
            let Some((file, cat)) = spec.rsplit_once(':') else {
                return Err(CliError::Usage(format!(
                    "--list {spec:?}: expected FILE:CATEGORY"
                )));
            };
            let category = Category::parse(cat)
                .map_err(|e| CliError::Usage(format!("--list {spec:?}: {e}")))?;
            set.merge(labels::load_list(file, category).map_err(err)?);
        }
        for path in &self.tagpacks {
            set.merge(labels::load_tagpack(path).map_err(err)?);
        }
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
        Ok(out)
    }

    /// The exit set: labelled addresses whose decisive category is in
    /// `--stop-at`.
    pub(crate) fn exits(&self, labels: &LabelSet) -> Result<BTreeMap<Address, ExitInfo>, CliError> {
        Ok(exits_from_labels(labels, &self.stop_categories()?))
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
            .with_dust(dust);
        Ok(config)
    }
}

/// Runs `trace`.
pub fn run(args: &TraceArgs) -> Result<(), CliError> {
    if args.setup.inputs.has_btc() {
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
    let result = trace(&ledger, &config);
    let report = TraceReport::new(&ledger, &config, &result);
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
