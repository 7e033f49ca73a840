//! Pools from anywhere: the built-in registry, labels of category `mixer`,
//! the command line (`ADDR[:DENOM,…]`) and detection.
//!
//! A pool is one (contract, asset, denomination): a contract that takes
//! several denominations is several pools, and no link ever crosses from
//! one to another ([`super::link`] keys everything by contract and
//! denomination).
//!
//! # Denominations
//!
//! - **registry**: the Tornado Cash pools' own (native ETH pools only: a
//!   token pool's token cannot be told from its symbol);
//! - **command line**: as given, in coin units of the ledger's native coin
//!   (`0xabc…:1,10`), or inferred when none is given;
//! - **labels** (category `mixer`): inferred.
//!
//! *Inferred* means: the round amounts (one significant digit, at least a
//! thousandth of a coin) that the address receives at least
//! [`DetectConfig::min_deposits_inferred`] times, in any asset. A
//! labelled mixer that receives no round amount repeatedly (a router, a
//! relayer) is not a pool, and the resolution says so.
//!
//! # Detection
//!
//! [`detect_pools`] proposes as a candidate every address that, for some
//! round amount, receives at least [`DetectConfig::min_deposits`]
//! transfers of exactly that amount and pays out at least
//! [`DetectConfig::min_withdrawals`] transactions whose payments from it
//! add up to exactly that amount (recipient and relayer fee), where those
//! round deposits are at least [`DetectConfig::min_share`] percent of
//! everything it receives in that asset. A transaction in which the
//! address also receives the asset is a pass-through (a router), not a
//! withdrawal. Each candidate lists its evidence: counts, share and the
//! first deposit and withdrawal transactions. Candidates are only used
//! when the caller asks ([`PoolRequest::use_detected`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::amount::{format_units, parse_decimal_units, Amount};
use crate::assets::AssetMeta;
use crate::id::{AddressId, AssetId, TransferId};
use crate::labels::{registry, Category, LabelSet};
use crate::ledger::{Address, Asset, Ledger, TransferKind};

/// Where a pool was declared.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PoolOrigin {
    /// The built-in registry of Tornado Cash pools.
    Registry,
    /// The command line (`--pool`).
    CommandLine,
    /// A label of category `mixer`.
    Label,
    /// Detection ([`detect_pools`]), used on request.
    Detected,
}

impl PoolOrigin {
    /// The snake-case name (`command_line`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            PoolOrigin::Registry => "registry",
            PoolOrigin::CommandLine => "command_line",
            PoolOrigin::Label => "label",
            PoolOrigin::Detected => "detected",
        }
    }
}

/// One pool in a ledger: its contract, asset and denomination (base units).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PoolSpec {
    /// The pool contract.
    pub address: Address,
    /// The asset it takes.
    pub asset: AssetId,
    /// Its denomination, base units.
    pub denomination: Amount,
    /// Where it was declared.
    pub origin: PoolOrigin,
}

/// Why a pool declaration cannot be used.
#[derive(Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum PoolDeclError {
    /// The address part is not an EVM address.
    #[error("pool `{spec}`: `{address}` is not an address: {reason}")]
    Address {
        /// The declaration as given.
        spec: String,
        /// The address part.
        address: String,
        /// Why.
        reason: String,
    },
    /// A denomination is not a positive amount of coin units.
    #[error("pool `{spec}`: denomination `{denomination}` is not a positive amount in coin units (with at most {decimals} decimals)")]
    Denomination {
        /// The declaration as given.
        spec: String,
        /// The denomination as given.
        denomination: String,
        /// The coin's decimals.
        decimals: u32,
    },
}

/// A pool declared on the command line: `ADDR` or `ADDR:DENOM[,DENOM…]`,
/// denominations in coin units of the ledger's native coin (`:0.1,1,10`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PoolDecl {
    /// The pool contract.
    pub address: Address,
    /// Denominations as given (coin units); empty: infer them.
    pub denominations: Vec<String>,
}

impl PoolDecl {
    /// Parses `ADDR[:DENOM,…]`; each denomination must be a positive
    /// decimal amount (checked against 18 decimals here and against the
    /// ledger's native coin when resolved).
    ///
    /// # Errors
    ///
    /// [`PoolDeclError`] naming the part that is wrong.
    pub fn parse(spec: &str) -> Result<PoolDecl, PoolDeclError> {
        let (addr, denoms) = match spec.split_once(':') {
            Some((a, d)) => (a, Some(d)),
            None => (spec, None),
        };
        let address =
            Address::parse_evm_checked(addr.trim()).map_err(|e| PoolDeclError::Address {
                spec: spec.to_string(),
                address: addr.to_string(),
                reason: e.to_string(),
            })?;
        let mut denominations = Vec::new();
        for d in denoms.into_iter().flat_map(|d| d.split(',')) {
            let d = d.trim();
            parse_denomination(spec, d, 18)?;
            denominations.push(d.to_string());
        }
        Ok(PoolDecl {
            address,
            denominations,
        })
    }
}

impl FromStr for PoolDecl {
    type Err = PoolDeclError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PoolDecl::parse(s)
    }
}

impl fmt::Display for PoolDecl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.address)?;
        if !self.denominations.is_empty() {
            write!(f, ":{}", self.denominations.join(","))?;
        }
        Ok(())
    }
}

fn parse_denomination(spec: &str, d: &str, decimals: u32) -> Result<Amount, PoolDeclError> {
    match parse_decimal_units(d, decimals) {
        Ok(v) if v > 0 => Ok(v),
        _ => Err(PoolDeclError::Denomination {
            spec: spec.to_string(),
            denomination: d.to_string(),
            decimals,
        }),
    }
}

/// Detection and inference thresholds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetectConfig {
    /// Fewest deposits of one round amount for a detected pool. Default 10.
    pub min_deposits: u64,
    /// Fewest withdrawals of that amount for a detected pool. Default 10.
    pub min_withdrawals: u64,
    /// Least share (percent) of the address's incoming transfers of the
    /// asset that are round deposits. Default 50.
    pub min_share: u8,
    /// Fewest deposits of one round amount for a denomination to be
    /// inferred at a declared or labelled pool. Default 2.
    pub min_deposits_inferred: u64,
}

impl Default for DetectConfig {
    fn default() -> Self {
        DetectConfig {
            min_deposits: 10,
            min_withdrawals: 10,
            min_share: 50,
            min_deposits_inferred: 2,
        }
    }
}

/// One denomination of a pool candidate, with its evidence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DenominationEvidence {
    /// The denomination, base units.
    #[serde(serialize_with = "crate::amount::amount_string")]
    pub denomination: Amount,
    /// The denomination in coin units, where the asset's decimals are known.
    pub denomination_units: Option<String>,
    /// Transfers of exactly this amount into the address.
    pub deposits: u64,
    /// Transactions paying exactly this amount out of it.
    pub withdrawals: u64,
    /// The first deposit transaction.
    pub first_deposit_tx: String,
    /// The first withdrawal transaction, if any.
    pub first_withdrawal_tx: Option<String>,
}

/// An address proposed as a pool (see [`detect_pools`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PoolCandidate {
    /// The address.
    pub address: Address,
    /// The asset's name.
    pub asset: String,
    /// Share (percent) of the address's incoming transfers of the asset
    /// that are deposits of its denominations.
    pub share: u8,
    /// Its denominations, smallest first.
    pub denominations: Vec<DenominationEvidence>,
}

/// Whether `v` has one significant digit and is at least a thousandth of a
/// coin of `decimals` decimals (any positive value when unknown).
fn is_round(v: Amount, decimals: Option<u32>) -> bool {
    if v == 0 {
        return false;
    }
    let mut m = v;
    let mut zeros = 0u32;
    while m % 10 == 0 {
        m /= 10;
        zeros += 1;
    }
    m < 10 && decimals.map_or(true, |d| zeros + 3 >= d)
}

/// Per (address, asset, amount): round deposits and withdrawals, with the
/// first transfer of each; per (address, asset): incoming transfers.
#[derive(Default)]
struct RoundFlows {
    deposits: BTreeMap<(AddressId, AssetId, Amount), (u64, TransferId)>,
    withdrawals: BTreeMap<(AddressId, AssetId, Amount), (u64, TransferId)>,
    incoming: BTreeMap<(AddressId, AssetId), u64>,
}

/// One pass over the ledger. `only`: count just these addresses.
fn round_flows(ledger: &Ledger, only: Option<&BTreeSet<AddressId>>) -> RoundFlows {
    let decimals: Vec<Option<u32>> = (0..ledger.assets().len())
        .map(|a| AssetMeta::of(ledger, AssetId::from_usize(a)).decimals)
        .collect();
    let wanted = |a: AddressId| only.map_or(true, |s| s.contains(&a));
    let (from, to, amounts, assets, kinds, txs) = (
        ledger.senders(),
        ledger.receivers(),
        ledger.amounts(),
        ledger.transfer_assets(),
        ledger.kinds(),
        ledger.transfer_txs(),
    );
    let mut out = RoundFlows::default();
    let n = ledger.transfer_count();
    let mut start = 0;
    while start < n {
        let mut end = start + 1;
        while end < n && txs[end] == txs[start] {
            end += 1;
        }
        // Within one transaction: what each (address, asset) pays out, and
        // whether it also receives.
        let mut paid: BTreeMap<(AddressId, AssetId), (Amount, bool, TransferId)> = BTreeMap::new();
        for i in start..end {
            if kinds[i] == TransferKind::Fee || from[i] == to[i] || amounts[i] == 0 {
                continue;
            }
            let (f, t, a, v) = (from[i], to[i], assets[i], amounts[i]);
            if wanted(t) && !matches!(ledger.address(t), Address::Sink(_)) {
                *out.incoming.entry((t, a)).or_insert(0) += 1;
                if is_round(v, decimals[a.index()]) {
                    let e = out
                        .deposits
                        .entry((t, a, v))
                        .or_insert((0, TransferId::from_usize(i)));
                    e.0 += 1;
                }
                paid.entry((t, a))
                    .or_insert((0, true, TransferId::from_usize(i)))
                    .1 = true;
            }
            if wanted(f) {
                let e = paid
                    .entry((f, a))
                    .or_insert((0, false, TransferId::from_usize(i)));
                e.0 = e.0.saturating_add(v);
            }
        }
        for ((addr, a), (v, received, first)) in paid {
            if !received && is_round(v, decimals[a.index()]) {
                let e = out.withdrawals.entry((addr, a, v)).or_insert((0, first));
                e.0 += 1;
            }
        }
        start = end;
    }
    out
}

/// Proposes pool candidates, sorted by address: addresses that, for some
/// round amount, receive at least [`DetectConfig::min_deposits`] transfers
/// of exactly that amount and pay out at least
/// [`DetectConfig::min_withdrawals`] transactions adding up to it, where
/// those deposits are at least [`DetectConfig::min_share`] percent of what
/// they receive in that asset; each with its evidence.
///
/// # Complexity
///
/// One pass over the ledger: O(E log R) for R distinct (address, asset,
/// round amount) triples.
#[must_use]
pub fn detect_pools(ledger: &Ledger, config: &DetectConfig) -> Vec<PoolCandidate> {
    let flows = round_flows(ledger, None);
    let mut by_pool: BTreeMap<(AddressId, AssetId), Vec<DenominationEvidence>> = BTreeMap::new();
    let mut in_round: BTreeMap<(AddressId, AssetId), u64> = BTreeMap::new();
    for (&(addr, asset, v), &(deposits, first_d)) in &flows.deposits {
        let Some(&(withdrawals, first_w)) = flows.withdrawals.get(&(addr, asset, v)) else {
            continue;
        };
        if deposits < config.min_deposits || withdrawals < config.min_withdrawals {
            continue;
        }
        *in_round.entry((addr, asset)).or_insert(0) += deposits;
        by_pool.entry((addr, asset)).or_default().push(evidence(
            ledger,
            asset,
            v,
            deposits,
            first_d,
            Some((withdrawals, first_w)),
        ));
    }
    let mut out = Vec::new();
    for ((addr, asset), denominations) in by_pool {
        let incoming = flows.incoming.get(&(addr, asset)).copied().unwrap_or(0);
        let round = in_round.get(&(addr, asset)).copied().unwrap_or(0);
        let share = round
            .saturating_mul(100)
            .checked_div(incoming)
            .map_or(0, |v| u8::try_from(v).unwrap_or(100));
        if share < config.min_share {
            continue;
        }
        out.push(PoolCandidate {
            address: ledger.address(addr).clone(),
            asset: ledger.asset_name(asset),
            share,
            denominations,
        });
    }
    out.sort_by(|a, b| (&a.address, &a.asset).cmp(&(&b.address, &b.asset)));
    out
}

fn evidence(
    ledger: &Ledger,
    asset: AssetId,
    v: Amount,
    deposits: u64,
    first_d: TransferId,
    withdrawals: Option<(u64, TransferId)>,
) -> DenominationEvidence {
    let tx = |t: TransferId| ledger.tx_hash_hex(ledger.transfer(t).tx);
    DenominationEvidence {
        denomination: v,
        denomination_units: AssetMeta::of(ledger, asset)
            .decimals
            .map(|d| format_units(v, d)),
        deposits,
        withdrawals: withdrawals.map_or(0, |w| w.0),
        first_deposit_tx: tx(first_d),
        first_withdrawal_tx: withdrawals.map(|w| tx(w.1)),
    }
}

/// Which pools to use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolRequest {
    /// The registry's native-coin Tornado Cash pools present in the ledger.
    pub registry: bool,
    /// Addresses labelled `mixer` (denominations inferred).
    pub labels: bool,
    /// Pools declared on the command line.
    pub declared: Vec<PoolDecl>,
    /// Run detection and list the candidates.
    pub detect: bool,
    /// Also use the detected candidates as pools.
    pub use_detected: bool,
    /// Detection and inference thresholds.
    pub config: DetectConfig,
}

impl Default for PoolRequest {
    fn default() -> Self {
        PoolRequest {
            registry: true,
            labels: true,
            declared: Vec::new(),
            detect: false,
            use_detected: false,
            config: DetectConfig::default(),
        }
    }
}

/// The pools a request gives in one ledger.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResolvedPools {
    /// One per (contract, asset, denomination), sorted; a contract named by
    /// several sources is taken from the first of registry, command line,
    /// label, detection.
    pub pools: Vec<PoolSpec>,
    /// Detected candidates (when detection ran), with their evidence.
    pub candidates: Vec<PoolCandidate>,
    /// What could not be used, and why (sorted).
    pub notes: Vec<String>,
}

/// Resolves `request` against `ledger` (and `labels` for labelled mixers).
///
/// # Errors
///
/// [`PoolDeclError`] for a declared denomination with more decimals than
/// the ledger's native coin has.
pub fn resolve_pools(
    ledger: &Ledger,
    request: &PoolRequest,
    labels: &LabelSet,
) -> Result<ResolvedPools, PoolDeclError> {
    let mut out = ResolvedPools::default();
    let native = ledger
        .assets()
        .iter()
        .position(|a| a.asset == Asset::Native && !ledger.chains()[a.chain.index()].is_utxo());
    let native = native.map(AssetId::from_usize);
    let native_decimals = native.map_or(18, |a| AssetMeta::of(ledger, a).decimals.unwrap_or(18));
    let mut taken: BTreeSet<Address> = BTreeSet::new();
    let mut pools: Vec<PoolSpec> = Vec::new();
    if request.registry {
        let eth = native.filter(|&a| ledger.asset_name(a) == "ETH");
        for p in registry::tornado_pools() {
            let Some(asset) = eth.filter(|_| p.asset == "ETH") else {
                continue;
            };
            if ledger.address_id(&p.address).is_some() && taken.insert(p.address.clone()) {
                pools.push(PoolSpec {
                    address: p.address.clone(),
                    asset,
                    denomination: p.denomination_base_units,
                    origin: PoolOrigin::Registry,
                });
            }
        }
    }
    // Addresses whose denominations are inferred, with their origin.
    let mut infer: Vec<(Address, PoolOrigin)> = Vec::new();
    for d in &request.declared {
        if taken.contains(&d.address) {
            continue;
        }
        if d.denominations.is_empty() {
            infer.push((d.address.clone(), PoolOrigin::CommandLine));
            continue;
        }
        taken.insert(d.address.clone());
        let Some(asset) = native else {
            out.notes.push(format!(
                "pool {}: the ledger has no account-chain native coin",
                d.address
            ));
            continue;
        };
        let spec = d.to_string();
        for den in &d.denominations {
            pools.push(PoolSpec {
                address: d.address.clone(),
                asset,
                denomination: parse_denomination(&spec, den, native_decimals)?,
                origin: PoolOrigin::CommandLine,
            });
        }
    }
    if request.labels {
        for l in labels.with_category(Category::Mixer) {
            if !taken.contains(&l.address) && registry::tornado_pool(&l.address).is_none() {
                infer.push((l.address.clone(), PoolOrigin::Label));
            }
        }
    }
    infer.sort();
    infer.dedup_by(|a, b| a.0 == b.0);
    let wanted: BTreeSet<AddressId> = infer
        .iter()
        .filter_map(|(a, _)| ledger.address_id(a))
        .collect();
    if !wanted.is_empty() {
        let flows = round_flows(ledger, Some(&wanted));
        for (address, origin) in &infer {
            let Some(id) = ledger.address_id(address) else {
                if *origin == PoolOrigin::CommandLine {
                    out.notes
                        .push(format!("pool {address}: not in the ledger; not used"));
                }
                continue;
            };
            let found: Vec<(AssetId, Amount)> = flows
                .deposits
                .range((id, AssetId::from_usize(0), 0)..)
                .take_while(|((a, _, _), _)| *a == id)
                .filter(|(_, (n, _))| *n >= request.config.min_deposits_inferred)
                .map(|(&(_, asset, v), _)| (asset, v))
                .collect();
            if found.is_empty() {
                out.notes.push(format!(
                    "{} {address}: receives no round amount {} times or more, so no denomination could be inferred; not used as a pool (give its denominations with --pool ADDR:DENOM)",
                    if *origin == PoolOrigin::Label { "labelled mixer" } else { "pool" },
                    request.config.min_deposits_inferred
                ));
                continue;
            }
            taken.insert(address.clone());
            for (asset, denomination) in found {
                pools.push(PoolSpec {
                    address: address.clone(),
                    asset,
                    denomination,
                    origin: *origin,
                });
            }
        }
    }
    if request.detect || request.use_detected {
        out.candidates = detect_pools(ledger, &request.config);
        if request.use_detected {
            for c in &out.candidates {
                if !taken.insert(c.address.clone()) {
                    continue;
                }
                let Some(asset) = ledger.asset_by_name(&c.asset) else {
                    continue;
                };
                for d in &c.denominations {
                    pools.push(PoolSpec {
                        address: c.address.clone(),
                        asset,
                        denomination: d.denomination,
                        origin: PoolOrigin::Detected,
                    });
                }
            }
        }
    }
    pools.sort();
    pools.dedup_by(|a, b| {
        (&a.address, a.asset, a.denomination) == (&b.address, b.asset, b.denomination)
    });
    out.pools = pools;
    out.notes.sort();
    out.notes.dedup();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_parse_and_refuse() {
        let d = PoolDecl::parse("0x1111111111111111111111111111111111111111:0.1,10").unwrap();
        assert_eq!(d.denominations, vec!["0.1", "10"]);
        assert_eq!(
            d.to_string(),
            "0x1111111111111111111111111111111111111111:0.1,10"
        );
        assert!(
            PoolDecl::parse("0x1111111111111111111111111111111111111111")
                .unwrap()
                .denominations
                .is_empty()
        );
        assert!(matches!(
            PoolDecl::parse("0x11:1"),
            Err(PoolDeclError::Address { .. })
        ));
        for bad in ["0", "-1", "x", ""] {
            let spec = format!("0x1111111111111111111111111111111111111111:{bad}");
            assert!(
                matches!(
                    PoolDecl::parse(&spec),
                    Err(PoolDeclError::Denomination { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn round_amounts() {
        const ETH: u128 = 1_000_000_000_000_000_000;
        for v in [ETH, ETH / 10, 100 * ETH, 5 * ETH, ETH / 1000] {
            assert!(is_round(v, Some(18)), "{v}");
        }
        for v in [ETH + 1, 15 * ETH / 10, ETH / 10_000, 0] {
            assert!(!is_round(v, Some(18)), "{v}");
        }
        assert!(is_round(7, None));
    }
}
