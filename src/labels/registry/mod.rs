//! The built-in registry: North Korea–linked incidents, Tornado Cash pools
//! and known mixer services, shipped in the crate as data.
//!
//! Every address comes from a file of the project's shared data set and
//! carries that file (`data_file`) and the attribution the file states
//! (`source`); `derive.py` beside the data regenerates the lists from the
//! shared data. Every incident carries the public attributions that name
//! North Korea. An incident whose addresses are not in the shared data is
//! listed with an empty address list and a note saying so (Stake.com,
//! CoinEx, DMM Bitcoin, WazirX); the registry never holds an address typed
//! in by hand.
//!
//! ```
//! use fundtrace::labels::registry;
//! let bybit = registry::incident("bybit-2025").unwrap();
//! assert!(bybit.addresses.iter().any(|a| a.address.to_string()
//!     == "0x47666fab8bd0ac7003bce3f5c3585383f09486e2"));
//! let pool = registry::tornado_pools().iter().find(|p| p.denomination == "100").unwrap();
//! assert_eq!(pool.denomination_base_units, 100_000_000_000_000_000_000);
//! ```

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::{Category, Confidence, Label, LabelSet};
use crate::amount::{parse_decimal_units, Amount};
use crate::ledger::Address;

const INCIDENTS_JSON: &str = include_str!("incidents.json");
const MIXERS_JSON: &str = include_str!("mixers.json");
const POOLS_CSV: &str = include_str!("tornado_pools.csv");

/// Where a pool list comes from.
pub const POOLS_SOURCE: &str = "pareto-xyz/tutela-app data/static/tcash/tornadocontracts.csv (shared data tornado_cash_contracts/tutela_tornadocontracts.csv)";

/// A public statement attributing an incident.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribution {
    /// Who published it (FBI, OFAC, a government, a firm).
    pub publisher: String,
    /// Publication date, `YYYY-MM-DD`.
    pub date: String,
    /// Title as published.
    pub title: String,
    /// Address of the publication, where the shared data records one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// An address tied to an incident or a mixer service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryAddress {
    /// Chain (`ethereum`, `bitcoin`).
    pub chain: String,
    /// The address.
    pub address: Address,
    /// Its role: `exploiter`, `laundering` or `mixer`.
    pub role: Category,
    /// The attribution as the data file states it.
    pub source: String,
    /// The shared-data file it was taken from.
    pub data_file: String,
    /// Why the address belongs to the incident, where that needs saying.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

/// A North Korea–linked theft.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incident {
    /// Short name used on the command line (`bybit-2025`).
    pub name: String,
    /// What happened.
    pub title: String,
    /// Who lost the funds.
    pub victim: String,
    /// Date of the theft, `YYYY-MM-DD`.
    pub date: String,
    /// Chains the stolen funds were taken on.
    pub chains: Vec<String>,
    /// The actor named by the attributions.
    pub actor: String,
    /// Public attributions.
    pub attribution: Vec<Attribution>,
    /// Addresses from the shared data (may be empty, see `note`).
    pub addresses: Vec<RegistryAddress>,
    /// What the address list is and is not.
    pub note: String,
}

impl Incident {
    /// The incident's exploiter addresses (trace seeds), deduplicated, sorted.
    #[must_use]
    pub fn exploiters(&self) -> Vec<&Address> {
        let mut v: Vec<&Address> = self
            .addresses
            .iter()
            .filter(|a| a.role == Category::Exploiter)
            .map(|a| &a.address)
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// The incident's addresses as labels (entity = incident title, actor =
    /// incident actor, confidence: authority data for OFAC/FBI sources,
    /// heuristic for analysis output, web crawl otherwise).
    #[must_use]
    pub fn labels(&self) -> LabelSet {
        self.addresses
            .iter()
            .map(|a| {
                registry_label(
                    a,
                    &format!("{} ({})", self.title, self.date),
                    Some(&self.actor),
                    &self.name,
                )
            })
            .collect()
    }
}

/// A Tornado Cash pool of one denomination.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TornadoPool {
    /// The pool contract.
    pub address: Address,
    /// The asset symbol (`ETH`, `DAI`, `cDAI`, `USDC`, `USDT`, `WBTC`).
    pub asset: String,
    /// The denomination in whole units, as written in the source (`0.1`).
    pub denomination: String,
    /// Decimals of the asset (ETH 18, DAI 18, cDAI 8, USDC 6, USDT 6, WBTC 8).
    pub decimals: u32,
    /// The denomination in base units of the asset.
    pub denomination_base_units: Amount,
    /// The source's short name (`eth100`).
    pub short_name: String,
    /// Where the pool comes from.
    pub source: String,
}

impl TornadoPool {
    /// `100 ETH`.
    #[must_use]
    pub fn display_name(&self) -> String {
        format!("{} {}", self.denomination, self.asset)
    }
}

/// A mixing service with the addresses the shared data attributes to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MixerService {
    /// Name (`Tornado Cash`, `Blender.io`).
    pub name: String,
    /// Kind (pool mixer, custodial mixer, CoinJoin coordinator).
    pub kind: String,
    /// Chains.
    pub chains: Vec<String>,
    /// What the entry rests on.
    pub note: String,
    /// Addresses, each with its source.
    pub addresses: Vec<RegistryAddress>,
}

struct Registry {
    incidents: Vec<Incident>,
    mixers: Vec<MixerService>,
    pools: Vec<TornadoPool>,
}

fn parse_pools() -> Result<Vec<TornadoPool>, String> {
    let mut pools = Vec::new();
    for (i, line) in POOLS_CSV.lines().enumerate() {
        let f: Vec<&str> = line.trim().split(',').collect();
        let [address, asset, denomination, short_name] = f[..] else {
            return Err(format!("tornado_pools.csv:{}: expected 4 fields", i + 1));
        };
        let address =
            Address::parse_evm(address).map_err(|e| format!("tornado_pools.csv:{}: {e}", i + 1))?;
        let decimals = crate::assets::symbol_decimals(asset)
            .ok_or_else(|| format!("tornado_pools.csv:{}: unknown asset {asset}", i + 1))?;
        let base = parse_decimal_units(denomination, decimals)
            .map_err(|e| format!("tornado_pools.csv:{}: {e}", i + 1))?;
        pools.push(TornadoPool {
            address,
            asset: asset.to_string(),
            denomination: denomination.to_string(),
            decimals,
            denomination_base_units: base,
            short_name: short_name.to_string(),
            source: POOLS_SOURCE.to_string(),
        });
    }
    Ok(pools)
}

fn load() -> Result<Registry, String> {
    let incidents: Vec<Incident> =
        serde_json::from_str(INCIDENTS_JSON).map_err(|e| format!("incidents.json: {e}"))?;
    let mixers: Vec<MixerService> =
        serde_json::from_str(MIXERS_JSON).map_err(|e| format!("mixers.json: {e}"))?;
    Ok(Registry {
        incidents,
        mixers,
        pools: parse_pools()?,
    })
}

fn registry() -> &'static Registry {
    static REG: OnceLock<Registry> = OnceLock::new();
    REG.get_or_init(|| {
        // The data is part of the crate and `check()` is tested; an empty
        // registry is the fallback that cannot panic.
        load().unwrap_or(Registry {
            incidents: Vec::new(),
            mixers: Vec::new(),
            pools: Vec::new(),
        })
    })
}

/// Checks that the shipped data parses.
///
/// # Errors
///
/// The first problem found, naming the data file.
pub fn check() -> Result<(), String> {
    load().map(|_| ())
}

/// Every incident, in the order of the data file (newest thefts first is not
/// promised; sort by [`Incident::date`] if needed).
#[must_use]
pub fn incidents() -> &'static [Incident] {
    &registry().incidents
}

/// The incident called `name` (case-insensitive).
#[must_use]
pub fn incident(name: &str) -> Option<&'static Incident> {
    incidents()
        .iter()
        .find(|i| i.name.eq_ignore_ascii_case(name.trim()))
}

/// The 19 mainnet Tornado Cash pools with their denominations.
#[must_use]
pub fn tornado_pools() -> &'static [TornadoPool] {
    &registry().pools
}

/// The Tornado Cash pool at `address`, if it is one.
#[must_use]
pub fn tornado_pool(address: &Address) -> Option<&'static TornadoPool> {
    tornado_pools().iter().find(|p| &p.address == address)
}

/// Known mixer services.
#[must_use]
pub fn mixer_services() -> &'static [MixerService] {
    &registry().mixers
}

fn registry_label(a: &RegistryAddress, entity: &str, actor: Option<&str>, origin: &str) -> Label {
    let s = a.source.to_ascii_lowercase();
    let confidence = if s.contains("ofac") || s.contains("fbi") {
        Confidence::AUTHORITY
    } else if s.contains("analysis output") {
        Confidence::HEURISTIC
    } else if s.contains("forensic") || s.contains("fc 2021") || s.contains("mixing services") {
        Confidence::SERVICE
    } else {
        Confidence::WEB_CRAWL
    };
    Label {
        address: a.address.clone(),
        chain: a.chain.clone(),
        entity: entity.to_string(),
        category: a.role,
        actor: actor.map(str::to_string),
        source: a.source.clone(),
        confidence,
        origin: Some(format!("registry:{origin}")),
    }
}

/// Every registry address as a label: incident addresses (exploiter,
/// laundering), mixer service addresses and Tornado Cash pools (mixer).
#[must_use]
pub fn labels() -> LabelSet {
    let mut set = LabelSet::new();
    for i in incidents() {
        set.merge(i.labels());
    }
    for m in mixer_services() {
        for a in &m.addresses {
            set.insert(registry_label(a, &m.name, None, &m.name));
        }
    }
    for p in tornado_pools() {
        set.insert(Label {
            address: p.address.clone(),
            chain: "ethereum".to_string(),
            entity: format!("Tornado Cash pool {}", p.display_name()),
            category: Category::Mixer,
            actor: Some("tornado".to_string()),
            source: p.source.clone(),
            confidence: Confidence::SERVICE,
            origin: Some(format!("registry:tornado-pool-{}", p.short_name)),
        });
    }
    set
}
