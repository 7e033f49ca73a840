//! `fundtrace trace`: trace stolen funds from seeds under one model.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Args;
use fundtrace::amount::parse_base_units;
use fundtrace::report::trace::{TraceReport, TraceSummary};
use fundtrace::report::write_json;
use fundtrace::trace::{parse_seeds, trace, ExitInfo, Model, Seed, TraceConfig};
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
    /// Address labels, CSV `address,entity,category[,actor,source]`.
    #[arg(long = "labels", value_name = "FILE")]
    pub labels: Vec<PathBuf>,
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
        Ok(seeds)
    }

    /// The exit set: labelled addresses whose category is in `--stop-at`.
    ///
    /// TODO(lead): wire `--labels` and `--list` to the `labels` module once
    /// it is merged (load every file, keep the addresses whose category is
    /// in `self.stop_at`, map each to `ExitInfo { label: entity, category }`).
    /// The trace itself takes any `BTreeMap<Address, ExitInfo>`.
    pub(crate) fn exits(&self) -> Result<BTreeMap<Address, ExitInfo>, CliError> {
        if !self.labels.is_empty() || !self.lists.is_empty() {
            return Err(CliError::Usage(
                "--labels and --list are not wired to the label loader yet".into(),
            ));
        }
        let _ = &self.stop_at;
        Ok(BTreeMap::new())
    }

    /// Validates seeds, exits and limits into a configuration for `model`.
    pub fn config(&self, model: Model) -> Result<TraceConfig, CliError> {
        let dust = match &self.dust {
            Some(d) => {
                parse_base_units(d).map_err(|e| CliError::Usage(format!("--dust {d:?}: {e}")))?
            }
            None => 0,
        };
        let config = TraceConfig::new(model, self.seeds()?)
            .map_err(|e| CliError::Usage(e.to_string()))?
            .with_exits(self.exits()?)
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
