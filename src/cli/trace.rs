//! `fundtrace trace`: trace stolen funds from seeds under one model.
//!
//! Arguments are parsed here and handed to
//! [`fundtrace::investigation::Investigation`], which does the work.

use std::path::PathBuf;

use clap::Args;
use fundtrace::amount::parse_base_units;
use fundtrace::heuristics::bridge::{BridgeConfig, BridgeSpec};
use fundtrace::heuristics::deposit::DepositConfig;
use fundtrace::heuristics::mixer::{LinkConfig, PoolDecl, PoolRequest, ProbableConfig};
use fundtrace::investigation::{Demixing, Investigation, DEFAULT_INCIDENT};
use fundtrace::labels::Category;
use fundtrace::report::format::{write_report, Destination, ExportOptions, OutputFormat};
use fundtrace::report::trace::{TraceReport, TraceSummary};
use fundtrace::report::write_json;
use fundtrace::trace::{Model, DEFAULT_STOP_AT};

use super::inputs::LedgerInputs;
use super::labels::LabelInputs;
use super::{with_output, CliError};

/// The stop set's default as the command line spells it.
fn default_stop_at() -> Vec<String> {
    DEFAULT_STOP_AT.map(|c| c.name().to_string()).to_vec()
}

/// Seeds, exits and limits, shared by `trace` and `compare`.
#[derive(Debug, Clone, Args)]
pub struct TraceSetup {
    #[command(flatten)]
    pub inputs: LedgerInputs,
    /// A seed: ADDR (everything it receives is stolen), ADDR@UNIX_TIME (from
    /// that time on), tx:0xHASH (the value the theft transaction delivers)
    /// or, on Bitcoin, TXID:VOUT (one output). Repeatable.
    #[arg(long = "seed", value_name = "SEED")]
    pub seeds: Vec<String>,
    /// A file of seeds: one per line, `SEED` or `INCIDENT,SEED`; blank lines
    /// and lines starting with `#` are skipped.
    #[arg(long = "seeds-file", value_name = "FILE")]
    pub seeds_file: Vec<PathBuf>,
    /// The incident name of seeds given without one.
    #[arg(long = "incident-name", value_name = "NAME", default_value = DEFAULT_INCIDENT)]
    pub incident: String,
    /// Seed the trace from the built-in registry's exploiter addresses of
    /// this incident (see `fundtrace incidents`); the incident name is NAME.
    /// Also loads the registry's labels. Repeatable.
    #[arg(long = "incident", value_name = "NAME")]
    pub registry_incidents: Vec<String>,
    #[command(flatten)]
    pub labels: LabelInputs,
    /// Categories whose addresses absorb taint (comma-separated).
    #[arg(long = "stop-at", value_name = "CATEGORIES", default_values_t = default_stop_at(), value_delimiter = ',')]
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
    /// Conversion taint through swaps: within one transaction, an address that
    /// sends asset X and receives asset Y carries its tainted fraction
    /// from X to Y.
    #[arg(long)]
    pub swaps: bool,
    /// Demix: find the deposits and withdrawals of mixer pools in the
    /// ledger (the registry's Tornado Cash ETH pools, addresses labelled
    /// `mixer` with their denominations inferred from the round amounts
    /// they receive, and --pool pools) and link them (address match, unique
    /// gas price from the transactions' gas_price column, linked addresses
    /// from transfers between depositor and recipient, multi-denomination,
    /// timing). A linked withdrawal carries at most its deposit's taint;
    /// what it cannot carry stays in the pool (totals: pooled); an unlinked
    /// pool is one purse under the model; mixers leave the stop set.
    #[arg(long)]
    pub demix: bool,
    /// A mixer pool to demix: ADDR, or ADDR:DENOM[,DENOM…] with its
    /// denominations in coin units (`0x…:0.1,1,10`); without them they are
    /// inferred from the round amounts it receives. Implies --demix.
    /// Repeatable.
    #[arg(long = "pool", value_name = "ADDR[:DENOM,…]", value_parser = parse_pool_decl)]
    pub pools: Vec<PoolDecl>,
    /// Demixing: list the addresses that receive and pay out many
    /// transfers of the same round amounts (pool candidates, with their
    /// evidence) in the report, without using them.
    #[arg(long)]
    pub detect_pools: bool,
    /// Demixing: use the detected pool candidates as pools too. Implies --demix.
    #[arg(long)]
    pub use_detected_pools: bool,
    /// Demixing: leave out links below this confidence (0–100; address
    /// match 90, unique gas price 80, linked addresses 60,
    /// multi-denomination 50, timing 20).
    #[arg(long, value_name = "X", default_value_t = LinkConfig::default().min_confidence, value_parser = clap::value_parser!(u8).range(0..=100))]
    pub min_confidence: u8,
    /// Demixing: the timing heuristic's window, seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = LinkConfig::default().timing_window)]
    pub timing_window: u64,
    /// Demixing, probable-flow mode: the taint of pool deposits no link
    /// uses is split over the pool's later withdrawals of the same
    /// denomination (within --probable-window), weighted by how soon they
    /// follow the deposit (weight H/(H+delay), H = --probable-half-life),
    /// exactly to the base unit; it flows on marked probable (report:
    /// probable_flows, totals probable / probable_exited / probable_held,
    /// per exit and holder `probable`), apart from the certain links.
    /// What no withdrawal can carry stays in the pool (totals: pooled).
    /// Not under poison. Implies --demix.
    #[arg(long)]
    pub probable: bool,
    /// Probable mode: the longest delay from deposit to a candidate
    /// withdrawal, seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = ProbableConfig::default().window)]
    pub probable_window: u64,
    /// Probable mode: the delay at which a candidate weighs half of one
    /// made at once, seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = ProbableConfig::default().half_life)]
    pub probable_half_life: u64,
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
    #[arg(long = "bridge", value_name = "DEPOSIT:RELEASE", value_parser = parse_bridge)]
    pub bridges: Vec<BridgeSpec>,
    /// Bridge matching: the longest time from deposit to release, seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = BridgeConfig::default().window)]
    pub bridge_window: u64,
    /// Bridge matching: the largest fee, basis points of the deposit.
    #[arg(long, value_name = "BPS", default_value_t = BridgeConfig::default().fee_bps)]
    pub bridge_fee_bps: u32,
    /// Output format: text (the summary), json, csv (a folder of CSV files
    /// and per-exchange evidence lists; needs --out DIR), html (one page
    /// with the flow drawn), dot, graphml, stix (STIX 2.1 bundle) or misp
    /// (MISP event). `compare` writes text or json.
    #[arg(long, value_name = "FORMAT", default_value = "text", value_parser = parse_format)]
    pub format: OutputFormat,
    /// Print JSON instead of a summary (the same as --format json).
    #[arg(long)]
    pub json: bool,
    /// Write to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Trace even when a seed names nothing in the data (an address or
    /// transaction the ledger lacks, another chain's address, a typo); the
    /// report warns about each. Without it that is an error.
    #[arg(long)]
    pub allow_missing_seeds: bool,
    /// How many exits and holders the summary shows.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub top: usize,
}

/// Arguments of `trace`.
#[derive(Debug, Args)]
pub struct TraceArgs {
    #[command(flatten)]
    pub setup: TraceSetup,
    /// The taint model: poison, haircut, fifo, lifo, taint-first or
    /// clean-first on account chains; poison, haircut, fifo, lifo or tiho
    /// on Bitcoin.
    #[arg(long, value_name = "MODEL", default_value = "haircut", value_parser = parse_model)]
    pub model: Model,
}

fn parse_model(s: &str) -> Result<Model, String> {
    s.parse()
        .map_err(|e: fundtrace::trace::UnknownModel| e.to_string())
}

fn parse_format(s: &str) -> Result<OutputFormat, String> {
    s.parse()
        .map_err(|e: fundtrace::report::format::UnknownFormat| e.to_string())
}

fn parse_pool_decl(s: &str) -> Result<PoolDecl, String> {
    PoolDecl::parse(s).map_err(|e| e.to_string())
}

fn parse_bridge(s: &str) -> Result<BridgeSpec, String> {
    BridgeSpec::parse(s).map_err(|e| e.to_string())
}

impl TraceSetup {
    /// Whether demixing is on (`--demix`, `--pool`, `--use-detected-pools`,
    /// `--probable`).
    fn demixes(&self) -> bool {
        self.demix || !self.pools.is_empty() || self.use_detected_pools || self.probable
    }

    /// The demixing options, when demixing is on.
    fn demixing(&self) -> Option<Demixing> {
        self.demixes().then(|| Demixing {
            links: LinkConfig {
                timing_window: self.timing_window,
                min_confidence: self.min_confidence,
                ..LinkConfig::default()
            },
            pools: PoolRequest {
                declared: self.pools.clone(),
                detect: self.detect_pools,
                use_detected: self.use_detected_pools,
                ..PoolRequest::default()
            },
            probable: self.probable.then_some(ProbableConfig {
                window: self.probable_window,
                half_life: self.probable_half_life,
            }),
            ..Demixing::default()
        })
    }

    /// The output format (`--json` is short for `--format json`).
    pub fn output_format(&self) -> OutputFormat {
        if self.json {
            OutputFormat::Json
        } else {
            self.format
        }
    }

    /// The investigation these arguments describe (files read, nothing
    /// traced yet).
    pub fn investigation(&self) -> Result<Investigation, CliError> {
        let mut others = self.labels.paths();
        others.extend_from_slice(&self.seeds_file);
        self.inputs.check_outputs(self.out.as_deref(), &others)?;
        let mut inv = Investigation::new();
        for s in &self.seeds {
            inv = inv.seed_of(&self.incident, s)?;
        }
        for path in &self.seeds_file {
            inv = inv.seeds_file(path, &self.incident)?;
        }
        for name in &self.registry_incidents {
            inv = inv.incident(name)?;
        }
        let stop_at = Category::parse_list(&self.stop_at)
            .map_err(|e| CliError::Usage(format!("--stop-at: {e}")))?;
        let dust = match &self.dust {
            Some(d) => {
                parse_base_units(d).map_err(|e| CliError::Usage(format!("--dust {d:?}: {e}")))?
            }
            None => 0,
        };
        let mut inv = inv
            .labels(self.labels.load()?)
            .stop_at(stop_at)
            .max_hops(self.max_hops)
            .until(self.until)
            .dust(dust)
            .swaps(self.swaps)
            .demix(self.demixing())
            .infer_deposits(self.infer_deposits.then(DepositConfig::default))
            .allow_missing_seeds(self.allow_missing_seeds)
            .token_metadata(self.inputs.token_metadata()?)
            .token_decimals(self.inputs.token_decimals.iter().cloned().collect())
            .bridge_config(BridgeConfig {
                window: self.bridge_window,
                fee_bps: self.bridge_fee_bps,
            });
        for b in &self.bridges {
            inv = inv.bridge(b.clone());
        }
        // Fail on what can be checked before the (possibly long) load.
        inv.validate()?;
        super::check_output_path(self.out.as_deref())?;
        Ok(inv)
    }
}

/// The report `trace` with these arguments makes (`command_line`
/// recorded in it).
pub fn report(args: &TraceArgs, command_line: &[String]) -> Result<TraceReport, CliError> {
    let setup = &args.setup;
    let investigation = setup
        .investigation()?
        .model(args.model)
        .command_line(command_line.to_vec());
    let data = setup.inputs.load_with(investigation.needs_gas_prices())?;
    Ok(investigation.trace(&data)?)
}

/// Runs `trace`.
pub fn run(args: &TraceArgs, command_line: &[String]) -> Result<(), CliError> {
    let setup = &args.setup;
    let report = report(args, command_line)?;
    let width = super::text_width(setup.out.as_deref());
    match setup.output_format() {
        OutputFormat::Text => with_output(setup.out.as_ref(), |w| {
            write!(
                w,
                "{:width$}",
                TraceSummary {
                    report: &report,
                    top: setup.top
                }
            )
        }),
        OutputFormat::Json => with_output(setup.out.as_ref(), |w| write_json(&report, w)),
        OutputFormat::Csv => {
            let Some(dir) = &setup.out else {
                return Err(CliError::Usage(
                    "--format csv writes several files: give --out DIR".into(),
                ));
            };
            write_report(
                &report,
                OutputFormat::Csv,
                Destination::Directory(dir),
                &export_options(setup),
            )
            .map(|_| ())
            .map_err(|e| CliError::Output {
                path: dir.display().to_string(),
                source: std::io::Error::other(e.to_string()),
            })
        }
        format => with_output(setup.out.as_ref(), |w| {
            write_report(
                &report,
                format,
                Destination::Writer(w),
                &export_options(setup),
            )
            .map(|_| ())
            .map_err(std::io::Error::other)
        }),
    }
}

fn export_options(setup: &TraceSetup) -> ExportOptions {
    ExportOptions {
        top: setup.top,
        ..ExportOptions::default()
    }
}
