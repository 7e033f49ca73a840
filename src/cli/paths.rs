//! `fundtrace paths`: temporal paths from seeds to a target address or set.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use fundtrace::graph::TransferGraph;
use fundtrace::investigation::AddressSpec;
use fundtrace::labels::LabelSet;
use fundtrace::paths::{KPaths, PathKind, PathQuery, PathQueryBuilder, SearchLimits};
use fundtrace::report::paths::PathsReport;
use fundtrace::report::write_json;
use fundtrace::Ledger;

use super::inputs::LedgerInputs;
use super::labels::LabelInputs;
use super::{with_output, CliError};

/// Which path to look for.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// The path that arrives first.
    Earliest,
    /// The path with the fewest transfers.
    Fewest,
    /// The path whose smallest transfer is largest.
    Widest,
}

impl From<KindArg> for PathKind {
    fn from(k: KindArg) -> PathKind {
        match k {
            KindArg::Earliest => PathKind::Earliest,
            KindArg::Fewest => PathKind::Fewest,
            KindArg::Widest => PathKind::Widest,
        }
    }
}

/// Query flags shared by `paths` and `flow`.
#[derive(Debug, Clone, Args)]
pub struct QueryArgs {
    #[command(flatten)]
    pub labels: LabelInputs,
    /// Source addresses (seeds).
    #[arg(long = "from", value_name = "ADDR", num_args = 1.., required = true, value_parser = parse_spec)]
    pub from: Vec<AddressSpec>,
    /// Target: an address, or `category:NAME` for every address of a label category.
    #[arg(long = "to", value_name = "ADDR|category:NAME", num_args = 1.., required = true, value_parser = parse_spec)]
    pub to: Vec<AddressSpec>,
    /// Asset: `ETH`, a token contract address, or `any` (default: the native coin).
    #[arg(long, value_name = "NAME")]
    pub asset: Option<String>,
    /// Sources send from this time on (unix seconds).
    #[arg(long, value_name = "UNIX")]
    pub since: Option<u64>,
    /// Ignore transfers after this time (unix seconds).
    #[arg(long, value_name = "UNIX")]
    pub until: Option<u64>,
    /// Ignore transfers below this amount (base units; default 1).
    #[arg(long, value_name = "AMOUNT")]
    pub min_amount: Option<String>,
}

fn parse_spec(s: &str) -> Result<AddressSpec, String> {
    s.parse()
        .map_err(|e: fundtrace::investigation::TargetError| e.to_string())
}

/// Arguments of `paths`.
#[derive(Debug, Args)]
pub struct PathsArgs {
    #[command(flatten)]
    inputs: LedgerInputs,
    #[command(flatten)]
    query: QueryArgs,
    /// Which path to look for.
    #[arg(long, value_enum, default_value = "earliest")]
    kind: KindArg,
    /// How many paths, best first.
    #[arg(long, default_value_t = 1, conflicts_with = "each")]
    k: usize,
    /// The best path to each target (every address of a `category:`),
    /// found in one pass; other targets do not block a path.
    #[arg(long)]
    each: bool,
    /// Paths of at most this many transfers.
    #[arg(long, value_name = "N")]
    max_hops: Option<u32>,
    /// The most partial paths the k-paths search may create.
    #[arg(long, value_name = "N", default_value_t = SearchLimits::default().max_states)]
    max_states: usize,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Write to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Applies the shared query flags to a builder.
pub fn apply<'g, 'l>(
    ledger: &Ledger,
    q: &QueryArgs,
    mut b: PathQueryBuilder<'g, 'l>,
) -> Result<PathQueryBuilder<'g, 'l>, CliError> {
    let labels = if q.labels.is_empty() {
        LabelSet::default()
    } else {
        q.labels.load()?
    };
    b = b
        .from(AddressSpec::resolve_all(&q.from, ledger, &labels)?)
        .to(AddressSpec::resolve_all(&q.to, ledger, &labels)?);
    if let Some(a) = q.asset.as_deref() {
        b = b
            .asset_named(a)
            .map_err(|e| CliError::Usage(format!("--asset: {e}")))?;
    }
    if let Some(t) = q.since {
        b = b.since(t);
    }
    if let Some(t) = q.until {
        b = b.until(t);
    }
    if let Some(m) = &q.min_amount {
        let v = fundtrace::amount::parse_base_units(m)
            .map_err(|e| CliError::Usage(format!("--min-amount {m:?}: {e}")))?;
        b = b.min_amount(v);
    }
    Ok(b)
}

/// Runs `paths`.
pub fn run(args: &PathsArgs) -> Result<(), CliError> {
    args.inputs
        .check_outputs(args.out.as_deref(), &args.query.labels.paths())?;
    let ledger = args.inputs.load()?.ledger;
    let graph = TransferGraph::new(&ledger);
    let mut b = apply(&ledger, &args.query, PathQuery::on(&graph))?;
    if let Some(h) = args.max_hops {
        b = b.max_hops(h);
    }
    let q = b.build().map_err(|e| CliError::Usage(e.to_string()))?;
    let kind = PathKind::from(args.kind);
    if args.each {
        let found = q.best_to_each(kind);
        let report = PathsReport::of_each(&ledger, kind, q.asset(), q.targets(), &found);
        return with_output(args.out.as_ref(), |w| {
            if args.json {
                write_json(&report, w)
            } else {
                write!(w, "{report}")
            }
        });
    }
    let found = if args.k == 1 {
        KPaths::found(q.best(kind).into_iter().collect())
    } else {
        q.k_paths(
            kind,
            args.k,
            &SearchLimits {
                max_states: args.max_states,
                ..SearchLimits::default()
            },
        )
    };
    let report = PathsReport::of(&ledger, kind, q.asset(), &found);
    with_output(args.out.as_ref(), |w| {
        if args.json {
            write_json(&report, w)
        } else {
            write!(w, "{report}")
        }
    })
}
