//! Mixer pools (Tornado Cash style): deposits and withdrawals of
//! fixed-denomination pools, anonymity sets, and deposit↔withdrawal links.
//!
//! A pool takes deposits of one fixed denomination, each a `commitment`
//! appended to a Merkle tree at `leafIndex`, and pays withdrawals to any
//! `to` address on a zero-knowledge proof that reveals only a
//! `nullifierHash`: nothing on chain says which deposit a withdrawal spends.
//! [`PoolEvents`] holds one pool's events, read from the event caches of
//! tornado-cli and the classic UI ([`PoolEvents::from_cache_json`],
//! [`load_cache`]) or decoded from ethereum-etl `logs.csv`
//! ([`PoolEvents::from_logs_csv`]); [`pool_txs_from_ledger`] finds a
//! pool's deposits and withdrawals among a ledger's transfers and traces.
//! [`anonymity_sets`] gives, per
//! withdrawal, the deposits it could be spending; [`link`] proposes
//! deposit↔withdrawal links by the address-match, unique-gas-price,
//! linked-addresses, multi-denomination and timing heuristics, each with a
//! documented confidence; [`plausibility`] weighs the candidate withdrawals
//! of a deposit no heuristic links, for the trace's probable-flow mode.
//!
//! ```
//! use fundtrace::heuristics::mixer::{anonymity_sets, PoolEvents};
//! let deposits = r#"[{"timestamp":"1577309522","commitment":"0x04b0b397af86289595530ea0a5d34e4edc64429a2cd207e51b146d4480a2b0dc","blockNumber":9162622,"transactionHash":"0x6448bf9837b8ef7d9bff2ae929b12cfdfb4170454a2bd3f6ff573317885367f1","leafIndex":0}]"#;
//! let withdrawals = r#"[{"to":"0xCd8a042745f205Fa9924029b5dd62A9d808e694E","fee":"0","blockNumber":9176937,"nullifierHash":"0x2bfe47beed36867edf71c76a69ab76df30d98fdd59b6963fab5a04b3fc89439f","transactionHash":"0xdda03ebdd34aac2628ba687bc2cac6e2418307fec4b3ed7547a710d0d696b016"}]"#;
//! let events = PoolEvents::from_cache_json(deposits, "d.json", withdrawals, "w.json").unwrap();
//! let sets = anonymity_sets(&events, &[]);
//! assert_eq!(sets[0].size, 1);
//! ```

mod anonymity;
mod events;
mod link;
mod observed;
mod pools;
mod probable;
mod sources;

pub use anonymity::{
    anonymity_sets, pool_summary, AnonymitySet, AnonymityStats, PoolSummary, ProvenSpend,
};
pub use events::{
    load_cache, load_logs_csv, Deposit, EventCheck, Hash32, MixerError, PoolEvents, Withdrawal,
    DEPOSIT_TOPIC, WITHDRAWAL_TOPIC,
};
pub use link::{link, DepositTx, Heuristic, Link, LinkConfig, LinkedAddresses, WithdrawalTx};
pub use observed::{
    link_inputs_from_events, linked_addresses_in_ledger, pool_txs_from_ledger, PoolTxs,
};
pub use pools::{
    detect_pools, resolve_pools, DenominationEvidence, DetectConfig, PoolCandidate, PoolDecl,
    PoolDeclError, PoolOrigin, PoolRequest, PoolSpec, ResolvedPools,
};
pub use probable::{plausibility, ProbableConfig, WEIGHT_SCALE};
pub use sources::{demix_pools, load_event_files, DemixError, DemixRequest, Demixed};

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What `fundtrace demix` reports: one summary per pool and every
/// candidate link, as `{"pools": […], "links": […]}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemixReport {
    /// Per pool: address, denomination, counts and the anonymity-set distribution.
    pub pools: Vec<PoolSummary>,
    /// Candidate deposit↔withdrawal links, sorted; each with
    /// `deposit_tx`, `withdrawal_tx`, `pool`, `heuristic`, `confidence`,
    /// `reason` and `evidence`.
    pub links: Vec<Link>,
    /// Links per heuristic (every mixer heuristic, by name).
    #[serde(default)]
    pub by_heuristic: BTreeMap<String, usize>,
    /// Pairs of addresses the linked-addresses heuristic was given.
    #[serde(default)]
    pub linked_pairs: usize,
    /// Withdrawals whose transaction is not in the ledger, kept and linked
    /// from their events.
    #[serde(default)]
    pub withdrawals_outside_ledger: u64,
    /// Pool candidates detection proposed (only when asked), with evidence.
    #[serde(default, skip_deserializing, skip_serializing_if = "Vec::is_empty")]
    pub detected: Vec<PoolCandidate>,
    /// Pools that could not be used, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Summarises `pools` (no proven spends) and links `deposits` to
/// `withdrawals` with every heuristic.
#[must_use]
pub fn demix(
    pools: &[PoolEvents],
    deposits: &[DepositTx],
    withdrawals: &[WithdrawalTx],
    linked: &LinkedAddresses,
    config: &LinkConfig,
) -> DemixReport {
    let mut summaries: Vec<PoolSummary> = pools.iter().map(|p| pool_summary(p, &[])).collect();
    summaries.sort_by(|a, b| a.address.cmp(&b.address));
    DemixReport {
        pools: summaries,
        links: link(deposits, withdrawals, linked, config),
        ..DemixReport::default()
    }
}
