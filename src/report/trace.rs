//! The trace report (DESIGN §8) and the model comparison, as plain serde
//! data, with readable summaries.
//!
//! Keys come out in declaration order; every list is sorted (exits and
//! holders largest first, then by address and asset; flows in event order;
//! gaps by address and asset); per-asset maps are sorted by asset name.
//! Amounts are decimal strings of base units; an asset is named `ETH` (the
//! chain's native symbol) or by its token contract address, and `assets`
//! gives each asset's symbol and decimals so that text can show coin units.
//! [`TraceSummary`] and [`ComparisonSummary`] make them readable.

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;

use super::{amount_string, InputDigest};
use crate::amount::Amount;
use crate::assets::AssetMeta;
use crate::id::{AssetId, TransferId};
use crate::labels::LabelSet;
use crate::ledger::Ledger;
use crate::trace::{AssetTotals, IncidentIndex, Model, TraceConfig, TraceResult};

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_zero(v: &Amount) -> bool {
    *v == 0
}

/// Serializes a map of amounts as decimal strings.
fn amount_map<S: Serializer>(m: &BTreeMap<String, Amount>, s: S) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(m.len()))?;
    for (k, v) in m {
        map.serialize_entry(k, &v.to_string())?;
    }
    map.end()
}

/// The limits and exit set a trace ran with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TraceParameters {
    /// Most transfers taint may cross (`null`: no limit).
    pub max_hops: Option<u32>,
    /// Events after this unix time were ignored (`null`: none).
    pub until: Option<u64>,
    /// Dust threshold, base units.
    #[serde(serialize_with = "amount_string")]
    pub dust: Amount,
    /// How many exit addresses were given.
    pub exit_addresses: usize,
    /// The categories among them, sorted.
    pub exit_categories: Vec<String>,
    /// The exit set's digest (see [`crate::provenance::exit_set_sha256`]):
    /// the SHA-256 of its sorted `address,category` lines.
    pub exit_set_sha256: String,
    /// Whether swaps carried taint across assets.
    pub swaps: bool,
    /// How many mixer links and bridge matches were given.
    pub conversions_given: usize,
    /// Addresses attributed to the traced incident (seed addresses and
    /// addresses of the seeds' actor): never exits, even when labelled
    /// sanctioned. Sorted.
    pub incident_addresses: Vec<String>,
}

impl TraceParameters {
    /// No limits, no exits.
    #[must_use]
    pub fn empty() -> Self {
        TraceParameters {
            max_hops: None,
            until: None,
            dust: 0,
            exit_addresses: 0,
            exit_categories: Vec::new(),
            exit_set_sha256: crate::provenance::exit_set_sha256(std::iter::empty()),
            swaps: false,
            conversions_given: 0,
            incident_addresses: Vec::new(),
        }
    }

    /// The parameters of a configuration.
    #[must_use]
    pub fn of(config: &TraceConfig) -> Self {
        let mut cats: Vec<String> = config
            .exits()
            .values()
            .map(|e| e.category.clone())
            .collect();
        cats.sort();
        cats.dedup();
        TraceParameters {
            max_hops: config.max_hops(),
            until: config.until(),
            dust: config.dust(),
            exit_addresses: config.exits().len(),
            exit_categories: cats,
            exit_set_sha256: crate::provenance::exit_set_sha256(
                config
                    .exits()
                    .iter()
                    .map(|(a, e)| (a.to_string(), e.category.as_str())),
            ),
            swaps: config.swaps(),
            conversions_given: config.conversions().len(),
            incident_addresses: Vec::new(),
        }
    }
}

/// A seed as reported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SeedEntry {
    /// Incident name.
    pub incident: String,
    /// `ADDR`, `ADDR@TIME` or `tx:0x…`.
    pub seed: String,
    /// Whether the ledger has it.
    pub found: bool,
}

/// Records of one input skipped for one reason in lenient reading.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SkipEntry {
    /// The input (its path as given).
    pub input: String,
    /// Why (`value: negative amount`, `conflicting transfer`, …).
    pub reason: String,
    /// How many records.
    pub count: u64,
}

impl SkipEntry {
    /// Every skip count of the ledger's inputs, by input and reason.
    #[must_use]
    pub fn of(ledger: &Ledger) -> Vec<SkipEntry> {
        let mut out: Vec<SkipEntry> = ledger
            .inputs()
            .iter()
            .flat_map(|i| {
                i.skipped.iter().map(|(reason, &count)| SkipEntry {
                    input: i.path.clone(),
                    reason: reason.clone(),
                    count,
                })
            })
            .collect();
        out.sort_by(|a, b| (&a.input, &a.reason).cmp(&(&b.input, &b.reason)));
        out
    }
}

/// Per-asset totals, each a map from asset name to amount.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Value that became stolen.
    #[serde(serialize_with = "amount_map")]
    pub stolen: BTreeMap<String, Amount>,
    /// Taint held at the end.
    #[serde(serialize_with = "amount_map")]
    pub held: BTreeMap<String, Amount>,
    /// Taint handed to exits.
    #[serde(serialize_with = "amount_map")]
    pub exited: BTreeMap<String, Amount>,
    /// Taint paid as fees.
    #[serde(serialize_with = "amount_map")]
    pub fees: BTreeMap<String, Amount>,
    /// Taint below the dust threshold, handed over as clean.
    #[serde(serialize_with = "amount_map")]
    pub dust: BTreeMap<String, Amount>,
    /// The part of `stolen` that came from history gaps at seed addresses.
    #[serde(serialize_with = "amount_map")]
    pub gaps: BTreeMap<String, Amount>,
    /// Taint sent to contract creations with no known created address.
    #[serde(serialize_with = "amount_map")]
    pub creations: BTreeMap<String, Amount>,
    /// Taint left in mixer pools: what linked deposits handed over that
    /// their links could not carry on (see
    /// [`AssetTotals::pooled`](crate::trace::AssetTotals::pooled)).
    #[serde(serialize_with = "amount_map")]
    pub pooled: BTreeMap<String, Amount>,
    /// Taint swaps carried into each asset (only assets with some; the key
    /// is left out when there is none, likewise for the five maps below).
    #[serde(
        serialize_with = "amount_map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub swapped_in: BTreeMap<String, Amount>,
    /// Taint each asset handed to swaps.
    #[serde(
        serialize_with = "amount_map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub swapped_out: BTreeMap<String, Amount>,
    /// Taint linked mixer withdrawals carried on.
    #[serde(
        serialize_with = "amount_map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub linked_in: BTreeMap<String, Amount>,
    /// Taint mixer deposits handed to their links.
    #[serde(
        serialize_with = "amount_map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub linked_out: BTreeMap<String, Amount>,
    /// Taint matched bridge releases carried into each asset.
    #[serde(
        serialize_with = "amount_map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub bridged_in: BTreeMap<String, Amount>,
    /// Taint each asset handed to matched bridge deposits.
    #[serde(
        serialize_with = "amount_map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub bridged_out: BTreeMap<String, Amount>,
    /// Probable mode: the part of `linked_in` that probable flows carried
    /// out of mixer pools (left out when none; likewise the two maps below).
    #[serde(
        serialize_with = "amount_map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub probable: BTreeMap<String, Amount>,
    /// The part of `exited` that came along probable flows.
    #[serde(
        serialize_with = "amount_map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub probable_exited: BTreeMap<String, Amount>,
    /// The part of `held` that came along probable flows.
    #[serde(
        serialize_with = "amount_map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub probable_held: BTreeMap<String, Amount>,
}

impl Totals {
    /// The totals of `result`, keyed by asset name. Names are unique per
    /// asset (`NAME@chain` where a symbol is shared), so nothing is added
    /// up here; sums over the transfers of one asset fit in an amount
    /// because [`LedgerBuilder::build`](crate::LedgerBuilder::build) refuses
    /// a ledger whose amounts of one asset add up to more.
    fn of(ledger: &Ledger, result: &TraceResult) -> Self {
        let mut t = Totals::default();
        for (asset, a) in &result.totals {
            let name = ledger.asset_name(*asset);
            let AssetTotals {
                stolen,
                held,
                exited,
                fees,
                dust,
                gaps,
                creations,
                pooled,
                swapped_in,
                swapped_out,
                linked_in,
                linked_out,
                bridged_in,
                bridged_out,
                probable,
            } = *a;
            // Parts of the checked `exited` and `held` totals.
            let of_asset = |x: AssetId, y: &AssetId| x == *y;
            let probable_exited = result
                .exits
                .iter()
                .filter(|e| of_asset(e.asset, asset))
                .fold(0, |s: Amount, e| s.saturating_add(e.probable));
            let probable_held = result
                .holders
                .iter()
                .filter(|h| of_asset(h.asset, asset))
                .fold(0, |s: Amount, h| s.saturating_add(h.probable));
            for (map, v) in [
                (&mut t.probable, probable),
                (&mut t.probable_exited, probable_exited),
                (&mut t.probable_held, probable_held),
                (&mut t.swapped_in, swapped_in),
                (&mut t.swapped_out, swapped_out),
                (&mut t.linked_in, linked_in),
                (&mut t.linked_out, linked_out),
                (&mut t.bridged_in, bridged_in),
                (&mut t.bridged_out, bridged_out),
            ] {
                if v > 0 {
                    map.insert(name.clone(), v);
                }
            }
            for (map, v) in [
                (&mut t.stolen, stolen),
                (&mut t.held, held),
                (&mut t.exited, exited),
                (&mut t.fees, fees),
                (&mut t.dust, dust),
                (&mut t.gaps, gaps),
                (&mut t.creations, creations),
                (&mut t.pooled, pooled),
            ] {
                map.insert(name.clone(), v);
            }
        }
        t
    }
}

/// Taint that reached one exit in one asset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExitEntry {
    /// Exit address.
    pub address: String,
    /// Its label (entity).
    pub label: String,
    /// Its category.
    pub category: String,
    /// Asset name.
    pub asset: String,
    /// Taint exited, base units.
    #[serde(serialize_with = "amount_string")]
    pub amount: Amount,
    /// Time of the first transfer that brought taint.
    pub first_time: u64,
    /// Time of the last.
    pub last_time: u64,
    /// The first transfer's transaction.
    pub first_tx: String,
    /// The last transfer's transaction.
    pub last_tx: String,
    /// Amount per incident (under poison, each is the full exposure).
    #[serde(serialize_with = "amount_map")]
    pub incidents: BTreeMap<String, Amount>,
    /// The part of `amount` that came along probable flows out of mixer
    /// pools (probable mode; left out when 0).
    #[serde(serialize_with = "amount_string", skip_serializing_if = "is_zero")]
    pub probable: Amount,
}

/// Taint held by one purse at the end.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HolderEntry {
    /// Address.
    pub address: String,
    /// Asset name.
    pub asset: String,
    /// Tainted amount held, base units.
    #[serde(serialize_with = "amount_string")]
    pub amount: Amount,
    /// Amount per incident.
    #[serde(serialize_with = "amount_map")]
    pub incidents: BTreeMap<String, Amount>,
    /// The part of `amount` that came along probable flows out of mixer
    /// pools (probable mode; left out when 0).
    #[serde(serialize_with = "amount_string", skip_serializing_if = "is_zero")]
    pub probable: Amount,
    /// Its label (entity), when the labels name it (see
    /// [`TraceReport::with_labels`]; left out of the JSON when none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The category of that label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
}

/// What the labels say about an address of a report: the decisive label's
/// entity and category (see [`LabelSet::decisive_label`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AddressLabel {
    /// The entity (`Binance 14`, `Ronin Bridge Exploiter`).
    pub label: String,
    /// Its category (`exchange`, `exploiter`, …).
    pub category: String,
}

/// One transfer that carried taint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FlowEntry {
    /// Transaction id.
    pub tx: String,
    /// Sender.
    pub from: String,
    /// Receiver.
    pub to: String,
    /// Asset name.
    pub asset: String,
    /// Amount moved, base units.
    #[serde(serialize_with = "amount_string")]
    pub amount: Amount,
    /// Its tainted part, base units.
    #[serde(serialize_with = "amount_string")]
    pub tainted: Amount,
    /// Unix time.
    pub time: u64,
}

/// A conversion that carried taint: a swap, a mixer link or a bridge match.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConversionEntry {
    /// `swap`, `mixer_link` or `bridge`.
    pub kind: &'static str,
    /// The transaction of the first source transfer (the swap, the pool
    /// deposit, the bridge deposit).
    pub tx: String,
    /// The swapper (swaps only; `null` otherwise).
    pub address: Option<String>,
    /// The sources' asset.
    pub from_asset: String,
    /// Total amount of the sources, base units.
    #[serde(serialize_with = "amount_string")]
    pub from_amount: Amount,
    /// Taint the sources handed over.
    #[serde(serialize_with = "amount_string")]
    pub from_tainted: Amount,
    /// The transaction of the first target transfer (the same as `tx` for
    /// a swap; the withdrawal; the release).
    pub to_tx: String,
    /// The targets' asset.
    pub to_asset: String,
    /// Total amount of the targets.
    #[serde(serialize_with = "amount_string")]
    pub to_amount: Amount,
    /// Taint the targets carried on.
    #[serde(serialize_with = "amount_string")]
    pub to_tainted: Amount,
    /// Time of the first source transfer.
    pub time: u64,
    /// Time of the first target transfer.
    pub to_time: u64,
    /// The heuristic that made the match (`swap` for swaps).
    pub heuristic: String,
    /// Its confidence, 0–100.
    pub confidence: u8,
}

/// A history gap.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GapEntry {
    /// Address.
    pub address: String,
    /// Asset name.
    pub asset: String,
    /// Value of unknown origin sent, base units.
    #[serde(serialize_with = "amount_string")]
    pub amount: Amount,
    /// Time of the first transfer that overdrew the purse.
    pub first_time: u64,
    /// That transfer's transaction.
    pub first_tx: String,
    /// `stolen` (a seed address) or `clean`.
    pub counted_as: &'static str,
}

/// The report of one trace (DESIGN §8).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TraceReport {
    /// `fundtrace` and its version.
    pub tool: String,
    /// The command line that made the report (its arguments after the
    /// program name), when it was made by the command-line tool; `fundtrace
    /// verify` runs it again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command_line: Option<Vec<String>>,
    /// Model name.
    pub model: String,
    /// Limits and exit set.
    pub parameters: TraceParameters,
    /// Every input file with its SHA-256.
    pub inputs: Vec<InputDigest>,
    /// Records left out in lenient reading, per input and reason (bad
    /// records, contradictions), sorted; empty when nothing was skipped.
    pub skipped: Vec<SkipEntry>,
    /// Seeds, sorted.
    pub seeds: Vec<SeedEntry>,
    /// Warnings from the ledger and the trace, sorted.
    pub warnings: Vec<String>,
    /// Per-asset totals.
    pub totals: Totals,
    /// Symbol and decimals of every asset named in the report, by asset
    /// name (amounts stay in base units; this is for showing them).
    pub assets: BTreeMap<String, AssetMeta>,
    /// Exits, largest first.
    pub exits: Vec<ExitEntry>,
    /// Holders, largest first.
    pub holders: Vec<HolderEntry>,
    /// Transfers that carried taint, in event order.
    pub flows: Vec<FlowEntry>,
    /// Swaps, mixer links and bridge matches that carried taint, in the
    /// order of their first source transfer.
    pub conversions: Vec<ConversionEntry>,
    /// History gaps at seed addresses and purses that held taint.
    pub gaps: Vec<GapEntry>,
    /// Labels of the addresses the report names (seeds, holders, flows,
    /// conversions, gaps), by address; empty (and left out) until
    /// [`TraceReport::with_labels`] fills it.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, AddressLabel>,
    /// Demixing: the mixer links chosen and the anonymity sets met (only
    /// when the trace ran with mixer links; see [`TraceReport::with_mixer`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mixer: Option<MixerSection>,
    /// The mixer links the trace used (empty without demixing), each with
    /// `deposit_tx`, `withdrawal_tx`, `pool`, `heuristic` and `confidence`.
    pub links: Vec<LinkEntry>,
    /// Probable mode: the deposit→withdrawal flows that were offered taint,
    /// apart from the certain `links` (left out when none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub probable_flows: Vec<ProbableEntry>,
}

/// A probable flow: a share of a deposit's taint offered to one of its
/// candidate withdrawals by plausibility (see [`crate::trace::probable`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProbableEntry {
    /// The pool.
    pub pool: String,
    /// Its asset.
    pub asset: String,
    /// Its denomination, base units.
    #[serde(serialize_with = "amount_string")]
    pub denomination: Amount,
    /// The deposit transaction.
    pub deposit_tx: String,
    /// The withdrawal transaction.
    pub withdrawal_tx: String,
    /// Always `probable`: no heuristic links the two.
    pub heuristic: &'static str,
    /// The withdrawal's weight among the deposit's candidates.
    pub weight: u64,
    /// The sum of the weights of the deposit's candidates: the share
    /// offered is `weight / total_weight` of the deposit's taint.
    pub total_weight: u64,
    /// Taint offered to the withdrawal, base units.
    #[serde(serialize_with = "amount_string")]
    pub offered: Amount,
    /// Taint the withdrawal carried on (at most `offered`).
    #[serde(serialize_with = "amount_string")]
    pub tainted: Amount,
    /// Time of the deposit.
    pub time: u64,
    /// Time of the withdrawal.
    pub to_time: u64,
}

/// A mixer link the trace used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LinkEntry {
    /// The pool of the withdrawal.
    pub pool: String,
    /// The deposit transaction.
    pub deposit_tx: String,
    /// The withdrawal transaction.
    pub withdrawal_tx: String,
    /// The heuristic (`address_match`, `unique_gas_price`, …).
    pub heuristic: String,
    /// Its confidence, 0–100.
    pub confidence: u8,
    /// What matched, in words.
    pub reason: String,
    /// Whether taint went through it.
    pub carried_taint: bool,
}

/// A pool the trace searched for deposits and withdrawals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PoolEntry {
    /// The pool contract.
    pub address: String,
    /// The asset it takes.
    pub asset: String,
    /// Its denomination, base units.
    #[serde(serialize_with = "amount_string")]
    pub denomination: Amount,
    /// Where it was declared: `registry`, `command_line`, `label` or `detected`.
    pub origin: &'static str,
}

/// Links of one heuristic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HeuristicCount {
    /// Its confidence, 0–100.
    pub confidence: u8,
    /// Candidate links it made.
    pub candidates: usize,
    /// Links of it the trace used.
    pub links: usize,
}

/// Demixing in a trace report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MixerSection {
    /// The pool contracts with deposits or withdrawals, sorted.
    pub pools: Vec<String>,
    /// Every pool searched: contract, asset, denomination and origin.
    pub searched: Vec<PoolEntry>,
    /// Per heuristic (by name): its confidence, candidate links and links used.
    pub by_heuristic: BTreeMap<String, HeuristicCount>,
    /// Pairs of addresses the linked-addresses heuristic was given.
    pub linked_pairs: usize,
    /// Pool candidates detection proposed, with their evidence (only when
    /// detection ran).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub detected: Vec<crate::heuristics::mixer::PoolCandidate>,
    /// Declared or labelled pools that could not be used, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Deposits and withdrawals found in the ledger.
    pub deposits: usize,
    /// Withdrawals found in the ledger.
    pub withdrawals: usize,
    /// Candidate links from every heuristic.
    pub candidate_links: usize,
    /// The links the trace used (at most one per withdrawal and per deposit).
    pub links: Vec<LinkEntry>,
    /// The anonymity set of every withdrawal that carried taint.
    pub anonymity_sets: Vec<crate::trace::links::WithdrawalSet>,
    /// Probable mode's window and half-life (left out when the mode is
    /// off); its flows are the report's `probable_flows`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probable: Option<crate::heuristics::mixer::ProbableConfig>,
}

fn incident_map(
    result: &TraceResult,
    list: &[(IncidentIndex, Amount)],
) -> BTreeMap<String, Amount> {
    list.iter()
        .filter_map(|&(i, a)| {
            result
                .incidents
                .get(usize::from(i))
                .map(|name| (name.clone(), a))
        })
        .collect()
}

fn tool() -> String {
    format!("fundtrace {}", env!("CARGO_PKG_VERSION"))
}

fn seeds_of(result: &TraceResult) -> Vec<SeedEntry> {
    result
        .seeds
        .iter()
        .map(|s| SeedEntry {
            incident: s.seed.incident.clone(),
            seed: s.seed.target.to_string(),
            found: s.found,
        })
        .collect()
}

/// Every asset a result names.
fn result_assets<'a>(
    ledger: &'a Ledger,
    result: &'a TraceResult,
) -> impl Iterator<Item = AssetId> + 'a {
    let totals = result.totals.iter().map(|(a, _)| *a);
    let exits = result.exits.iter().map(|e| e.asset);
    let holders = result.holders.iter().map(|h| h.asset);
    let flows = result
        .flows
        .iter()
        .map(move |f| ledger.transfer(f.transfer).asset);
    let conversions = result
        .conversions
        .iter()
        .flat_map(|c| [c.from_asset, c.to_asset]);
    let gaps = result.gaps.iter().map(|g| g.asset);
    totals
        .chain(exits)
        .chain(holders)
        .chain(flows)
        .chain(conversions)
        .chain(gaps)
}

/// Symbol and decimals of `assets`, by asset name.
fn asset_metas(
    ledger: &Ledger,
    assets: impl Iterator<Item = AssetId>,
) -> BTreeMap<String, AssetMeta> {
    let ids: std::collections::BTreeSet<AssetId> = assets.collect();
    ids.into_iter()
        .map(|id| (ledger.asset_name(id), AssetMeta::of(ledger, id)))
        .collect()
}

/// Sets the decimals of the tokens in `decimals` (contract → decimals).
fn override_decimals(
    assets: &mut BTreeMap<String, AssetMeta>,
    decimals: &BTreeMap<crate::Address, u32>,
) {
    for (name, meta) in assets.iter_mut() {
        if let Some(d) = contract_of(name).and_then(|a| decimals.get(&a)) {
            meta.decimals = Some(*d);
        }
    }
}

/// Gives the tokens `tokens` knows their symbol and decimals (a chain
/// suffix the ledger added to tell assets apart is kept).
fn override_metadata(
    assets: &mut BTreeMap<String, AssetMeta>,
    tokens: &BTreeMap<crate::Address, AssetMeta>,
) {
    for (name, meta) in assets.iter_mut() {
        if let Some(t) = contract_of(name).and_then(|a| tokens.get(&a)) {
            meta.symbol = match name.split_once('@') {
                Some((_, chain)) => format!("{}@{chain}", t.symbol),
                None => t.symbol.clone(),
            };
            meta.decimals = t.decimals;
        }
    }
}

/// The token contract an asset name (`0x…` or `0x…@chain`) names.
fn contract_of(name: &str) -> Option<crate::Address> {
    name.split_once('@')
        .map_or(name, |(c, _)| c)
        .parse::<crate::Address>()
        .ok()
}

/// The address a seed names (`ADDR`, `ADDR@TIME`; none for `tx:` seeds).
fn seed_address(seed: &str) -> Option<&str> {
    if seed.starts_with("tx:") {
        return None;
    }
    Some(seed.split_once('@').map_or(seed, |(a, _)| a))
}

/// The decisive label of an address written as in a report.
fn label_of(labels: &LabelSet, address: &str) -> Option<AddressLabel> {
    let address: crate::Address = address.parse().ok()?;
    labels.decisive_label(&address).map(|l| AddressLabel {
        label: l.entity.clone(),
        category: l.category.name().to_string(),
    })
}

fn warnings_of(ledger: &Ledger, result: &TraceResult) -> Vec<String> {
    let mut w: Vec<String> = ledger.warnings().to_vec();
    w.extend(result.warnings.iter().cloned());
    w.sort();
    w.dedup();
    w
}

impl TraceReport {
    /// Builds the report of `result`, which `config` produced on `ledger`.
    ///
    /// # Examples
    ///
    /// ```
    /// use fundtrace::report::trace::TraceReport;
    /// use fundtrace::trace::{trace, Model, Seed, TraceConfig};
    /// let ledger = fundtrace::LedgerBuilder::new().build().unwrap();
    /// let seed = Seed::parse("x", "0x1111111111111111111111111111111111111111").unwrap();
    /// let config = TraceConfig::new(Model::Haircut, vec![seed]).unwrap();
    /// let report = TraceReport::new(&ledger, &config, &trace(&ledger, &config));
    /// assert_eq!(report.model, "haircut");
    /// assert!(!report.seeds[0].found);
    /// ```
    #[must_use]
    pub fn new(ledger: &Ledger, config: &TraceConfig, result: &TraceResult) -> Self {
        let hex = |t: TransferId| ledger.tx_hash_hex(ledger.transfer(t).tx);
        let exits = result
            .exits
            .iter()
            .map(|e| ExitEntry {
                address: ledger.address(e.address).to_string(),
                label: e.info.label.clone(),
                category: e.info.category.clone(),
                asset: ledger.asset_name(e.asset),
                amount: e.amount,
                first_time: ledger.time(e.first),
                last_time: ledger.time(e.last),
                first_tx: hex(e.first),
                last_tx: hex(e.last),
                incidents: incident_map(result, &e.by_incident),
                probable: e.probable,
            })
            .collect();
        let holders = result
            .holders
            .iter()
            .map(|h| HolderEntry {
                address: ledger.address(h.address).to_string(),
                asset: ledger.asset_name(h.asset),
                amount: h.amount,
                incidents: incident_map(result, &h.by_incident),
                probable: h.probable,
                label: None,
                category: None,
            })
            .collect();
        let flows = result
            .flows
            .iter()
            .map(|f| {
                let t = ledger.transfer(f.transfer);
                FlowEntry {
                    tx: ledger.tx_hash_hex(t.tx),
                    from: ledger.address(t.from).to_string(),
                    to: ledger.address(t.to).to_string(),
                    asset: ledger.asset_name(t.asset),
                    amount: t.amount,
                    tainted: f.tainted,
                    time: ledger.time(f.transfer),
                }
            })
            .collect();
        let gaps = result
            .gaps
            .iter()
            .map(|g| GapEntry {
                address: ledger.address(g.address).to_string(),
                asset: ledger.asset_name(g.asset),
                amount: g.amount,
                first_time: ledger.time(g.first),
                first_tx: hex(g.first),
                counted_as: if g.stolen { "stolen" } else { "clean" },
            })
            .collect();
        let conversions = result
            .conversions
            .iter()
            .map(|c| ConversionEntry {
                kind: c.kind.name(),
                tx: hex(c.source),
                address: c.address.map(|a| ledger.address(a).to_string()),
                from_asset: ledger.asset_name(c.from_asset),
                from_amount: c.from_amount,
                from_tainted: c.from_tainted,
                to_tx: hex(c.target),
                to_asset: ledger.asset_name(c.to_asset),
                to_amount: c.to_amount,
                to_tainted: c.to_tainted,
                time: ledger.time(c.source),
                to_time: ledger.time(c.target),
                heuristic: c.heuristic.clone(),
                confidence: c.confidence,
            })
            .collect();
        TraceReport {
            tool: tool(),
            command_line: None,
            model: result.model.name().to_string(),
            parameters: TraceParameters::of(config),
            inputs: InputDigest::of_ledger(ledger),
            skipped: SkipEntry::of(ledger),
            seeds: seeds_of(result),
            warnings: warnings_of(ledger, result),
            totals: Totals::of(ledger, result),
            assets: asset_metas(ledger, result_assets(ledger, result)),
            exits,
            holders,
            flows,
            conversions,
            gaps,
            labels: BTreeMap::new(),
            mixer: None,
            links: Vec::new(),
            probable_flows: result
                .probable
                .iter()
                .map(|f| ProbableEntry {
                    pool: ledger.address(f.pool).to_string(),
                    asset: ledger.asset_name(f.asset),
                    denomination: f.denomination,
                    deposit_tx: hex(f.deposit),
                    withdrawal_tx: hex(f.withdrawal),
                    heuristic: "probable",
                    weight: f.weight,
                    total_weight: f.total_weight,
                    offered: f.offered,
                    tainted: f.carried,
                    time: ledger.time(f.deposit),
                    to_time: ledger.time(f.withdrawal),
                })
                .collect(),
        }
    }

    /// Names holders and every other address of the report (seeds, flow
    /// ends, swappers, gap purses) with what `labels` says about them: the
    /// decisive label's entity and category, as exits are named.
    #[must_use]
    pub fn with_labels(mut self, labels: &LabelSet) -> Self {
        for h in &mut self.holders {
            if let Some(l) = label_of(labels, &h.address) {
                h.label = Some(l.label);
                h.category = Some(l.category);
            }
        }
        let mut named = BTreeMap::new();
        let seeds = self.seeds.iter().filter_map(|s| seed_address(&s.seed));
        let holders = self.holders.iter().map(|h| h.address.as_str());
        let flows = self
            .flows
            .iter()
            .flat_map(|f| f.from.split(',').chain(std::iter::once(f.to.as_str())));
        let swappers = self.conversions.iter().filter_map(|c| c.address.as_deref());
        let gaps = self.gaps.iter().map(|g| g.address.as_str());
        for a in seeds
            .chain(holders)
            .chain(flows)
            .chain(swappers)
            .chain(gaps)
        {
            if !named.contains_key(a) {
                if let Some(l) = label_of(labels, a) {
                    named.insert(a.to_string(), l);
                }
            }
        }
        self.labels = named;
        self
    }

    /// Takes the decimals of tokens the user gave (`--token-decimals`,
    /// contract → decimals) over the built-in table.
    #[must_use]
    pub fn with_token_decimals(mut self, decimals: &BTreeMap<crate::Address, u32>) -> Self {
        override_decimals(&mut self.assets, decimals);
        self
    }

    /// Names tokens by a token metadata file's symbols and decimals
    /// (see [`crate::ingest::tokens`]); amounts stay in base units.
    #[must_use]
    pub fn with_token_metadata(mut self, tokens: &BTreeMap<crate::Address, AssetMeta>) -> Self {
        override_metadata(&mut self.assets, tokens);
        self
    }

    /// Adds the demixing section: the links `mixer` chose and the
    /// anonymity sets `result` met.
    #[must_use]
    pub fn with_mixer(
        mut self,
        ledger: &Ledger,
        mixer: &crate::trace::links::MixerLinks,
        result: &TraceResult,
    ) -> Self {
        let carried: std::collections::BTreeSet<(String, String)> = result
            .conversions
            .iter()
            .filter(|c| c.kind == crate::trace::ConversionKind::MixerLink)
            .map(|c| {
                (
                    ledger.tx_hash_hex(ledger.transfer(c.source).tx),
                    ledger.tx_hash_hex(ledger.transfer(c.target).tx),
                )
            })
            .collect();
        let links: Vec<LinkEntry> = mixer
            .chosen
            .iter()
            .map(|l| {
                let (d, w) = (l.deposit_tx.to_string(), l.withdrawal_tx.to_string());
                LinkEntry {
                    pool: l.pool.to_string(),
                    carried_taint: carried.contains(&(d.clone(), w.clone())),
                    deposit_tx: d,
                    withdrawal_tx: w,
                    heuristic: l.heuristic.name().to_string(),
                    confidence: l.confidence.level(),
                    reason: l.reason.clone(),
                }
            })
            .collect();
        self.links.clone_from(&links);
        self.mixer = Some(MixerSection {
            pools: mixer
                .pool_addresses()
                .iter()
                .map(ToString::to_string)
                .collect(),
            searched: mixer
                .pools
                .iter()
                .map(|p| PoolEntry {
                    address: p.address.to_string(),
                    asset: ledger.asset_name(p.asset),
                    denomination: p.denomination,
                    origin: p.origin.name(),
                })
                .collect(),
            by_heuristic: mixer
                .by_heuristic()
                .into_iter()
                .map(|(h, candidates, links)| {
                    (
                        h.name().to_string(),
                        HeuristicCount {
                            confidence: h.confidence().level(),
                            candidates,
                            links,
                        },
                    )
                })
                .collect(),
            linked_pairs: mixer.linked_pairs,
            detected: mixer.detected.clone(),
            notes: mixer.notes.clone(),
            deposits: mixer.deposits.len(),
            withdrawals: mixer.withdrawals.len(),
            candidate_links: mixer.candidates.len(),
            links,
            anonymity_sets: mixer.sets_met(ledger, result),
            probable: None,
        });
        self
    }
}

/// A readable summary of a [`TraceReport`]: seeds, totals, exits and
/// holders with their labels, conversions, why taint stops where it
/// stops, warnings and inputs. Amounts in coin units with their symbol,
/// times in ISO 8601 UTC, untrusted text escaped; every list shows at most
/// `top` entries.
///
/// Lines fit the formatter's width (`format!("{:80}", summary)`), 100
/// columns when none is given; see [`super::text`].
#[derive(Debug)]
pub struct TraceSummary<'a> {
    /// The report.
    pub report: &'a TraceReport,
    /// How many entries of each list to show.
    pub top: usize,
}

/// One model's totals in a comparison.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ModelTotals {
    /// Model name.
    pub model: String,
    /// Its totals.
    pub totals: Totals,
}

/// One exit under every model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExitComparison {
    /// Exit address.
    pub address: String,
    /// Its label.
    pub label: String,
    /// Its category.
    pub category: String,
    /// Asset name.
    pub asset: String,
    /// Amount exited under each model (model name → amount; 0 when none).
    #[serde(serialize_with = "amount_map")]
    pub amounts: BTreeMap<String, Amount>,
    /// Whether the value models (all but poison) disagree on the amount.
    pub changes: bool,
}

/// The same seeds traced under every model, side by side.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ComparisonReport {
    /// `fundtrace` and its version.
    pub tool: String,
    /// The command line that made the report (its arguments after the
    /// program name), when it was made by the command-line tool; `fundtrace
    /// verify` runs it again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command_line: Option<Vec<String>>,
    /// Models, in the order of `totals`.
    pub models: Vec<String>,
    /// Limits and exit set.
    pub parameters: TraceParameters,
    /// Every input file with its SHA-256.
    pub inputs: Vec<InputDigest>,
    /// Seeds, sorted.
    pub seeds: Vec<SeedEntry>,
    /// Warnings, sorted.
    pub warnings: Vec<String>,
    /// Totals per model.
    pub totals: Vec<ModelTotals>,
    /// Symbol and decimals of every asset named in the comparison.
    pub assets: BTreeMap<String, AssetMeta>,
    /// Every exit any model reached, changed ones first, then largest
    /// haircut amount, address and asset.
    pub exits: Vec<ExitComparison>,
    /// Labels of the seed addresses (see [`ComparisonReport::with_labels`]).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, AddressLabel>,
}

impl ComparisonReport {
    /// Builds the comparison of `results` (one per model, as
    /// [`crate::trace::trace_all`] returns them).
    #[must_use]
    pub fn new(ledger: &Ledger, config: &TraceConfig, results: &[TraceResult]) -> Self {
        let reports: Vec<TraceReport> = results
            .iter()
            .map(|r| TraceReport::new(ledger, &config.clone().with_model(r.model), r))
            .collect();
        Self::from_reports(&reports)
    }

    /// The comparison of trace reports of the same seeds and data under
    /// different models (account or UTXO), in the order given.
    #[must_use]
    pub fn from_reports(reports: &[TraceReport]) -> Self {
        let models: Vec<String> = reports.iter().map(|r| r.model.clone()).collect();
        let mut exits: BTreeMap<(String, String), ExitComparison> = BTreeMap::new();
        for r in reports {
            for e in &r.exits {
                let entry = exits
                    .entry((e.address.clone(), e.asset.clone()))
                    .or_insert_with(|| ExitComparison {
                        address: e.address.clone(),
                        label: e.label.clone(),
                        category: e.category.clone(),
                        asset: e.asset.clone(),
                        amounts: models.iter().map(|m| (m.clone(), 0)).collect(),
                        changes: false,
                    });
                let a = entry.amounts.entry(r.model.clone()).or_insert(0);
                // One model's exits at one address in one asset: at most the
                // model's exited total, which the trace checks.
                *a = a.saturating_add(e.amount);
            }
        }
        let value_models: Vec<&str> = models
            .iter()
            .filter(|m| m.parse::<Model>().is_ok_and(Model::conserves_value))
            .map(String::as_str)
            .collect();
        let mut exits: Vec<ExitComparison> = exits.into_values().collect();
        for e in &mut exits {
            let vals: Vec<Amount> = value_models
                .iter()
                .map(|m| e.amounts.get(*m).copied().unwrap_or(0))
                .collect();
            e.changes = vals.windows(2).any(|w| w[0] != w[1]);
        }
        let key = |e: &ExitComparison| e.amounts.get(Model::Haircut.name()).copied().unwrap_or(0);
        exits.sort_by(|a, b| {
            b.changes
                .cmp(&a.changes)
                .then(key(b).cmp(&key(a)))
                .then(a.address.cmp(&b.address))
                .then(a.asset.cmp(&b.asset))
        });
        let mut warnings: Vec<String> = reports.iter().flat_map(|r| r.warnings.clone()).collect();
        warnings.sort();
        warnings.dedup();
        let first = reports.first();
        let assets = reports
            .iter()
            .flat_map(|r| r.assets.iter().map(|(k, v)| (k.clone(), v.clone())))
            .collect();
        ComparisonReport {
            tool: tool(),
            command_line: None,
            models,
            parameters: first.map_or_else(TraceParameters::empty, |r| r.parameters.clone()),
            inputs: first.map(|r| r.inputs.clone()).unwrap_or_default(),
            seeds: first.map(|r| r.seeds.clone()).unwrap_or_default(),
            warnings,
            totals: reports
                .iter()
                .map(|r| ModelTotals {
                    model: r.model.clone(),
                    totals: r.totals.clone(),
                })
                .collect(),
            assets,
            exits,
            labels: BTreeMap::new(),
        }
    }

    /// Names the seed addresses with what `labels` says about them (exits
    /// carry their labels already).
    #[must_use]
    pub fn with_labels(mut self, labels: &LabelSet) -> Self {
        self.labels = self
            .seeds
            .iter()
            .filter_map(|s| seed_address(&s.seed))
            .filter_map(|a| label_of(labels, a).map(|l| (a.to_string(), l)))
            .collect();
        self
    }

    /// Takes the decimals of tokens the user gave over the built-in table
    /// (see [`TraceReport::with_token_decimals`]).
    #[must_use]
    pub fn with_token_decimals(mut self, decimals: &BTreeMap<crate::Address, u32>) -> Self {
        override_decimals(&mut self.assets, decimals);
        self
    }

    /// Names tokens by a token metadata file's symbols and decimals
    /// (see [`crate::ingest::tokens`]); amounts stay in base units.
    #[must_use]
    pub fn with_token_metadata(mut self, tokens: &BTreeMap<crate::Address, AssetMeta>) -> Self {
        override_metadata(&mut self.assets, tokens);
        self
    }
}

/// A readable side-by-side view of a [`ComparisonReport`]: totals per
/// model and every exit's amount under each model, in coin units, fitted to
/// the formatter's width like [`TraceSummary`].
#[derive(Debug)]
pub struct ComparisonSummary<'a> {
    /// The comparison.
    pub report: &'a ComparisonReport,
    /// How many entries of each list to show.
    pub top: usize,
}
