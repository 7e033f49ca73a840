//! Ethereum exchange deposit addresses (DESIGN §7, "deposit-address reuse"):
//! an exchange gives each customer a deposit address and sweeps what
//! arrives there to its hot wallet. An address `D` is inferred to be a
//! deposit address of the exchange owning hot wallet `H` when
//!
//! - `D` has no label of its own (a labelled address is what its label says);
//! - every non-fee transfer out of `D` goes to a hot wallet, all of one
//!   exchange (a deposit address sends nowhere else); and
//! - each of them forwards what `D` received: its amount is at most the
//!   value `D` received since its previous forward (or since the start),
//!   and at least that value less [`DepositConfig::alpha_bps`] basis points
//!   (exchanges keep back gas or dust), and it follows the last receipt
//!   within [`DepositConfig::tau`] seconds.
//!
//! Money sent to such an address counts as reaching the exchange: the
//! trace treats it as an exit with the exchange's category and a label
//! that says it was inferred ([`DepositAddress::exit_info`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::amount::{mul_div_floor, Amount};
use crate::id::{AddressId, TransferId};
use crate::ledger::{Address, Ledger, TransferKind};
use crate::trace::ExitInfo;

/// Limits of the heuristic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepositConfig {
    /// α: how much less than it received a forward may be, basis points.
    /// Default 100 (1 %).
    pub alpha_bps: u32,
    /// τ: the longest delay from the last receipt to the forward, seconds.
    /// Default 86,400 (one day).
    pub tau: u64,
}

impl Default for DepositConfig {
    fn default() -> Self {
        DepositConfig {
            alpha_bps: 100,
            tau: 86_400,
        }
    }
}

/// An inferred deposit address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DepositAddress {
    /// The deposit address.
    pub address: Address,
    /// The hot wallet it forwards to.
    pub hot_wallet: Address,
    /// The hot wallet's exit information (exchange name and category).
    pub exchange: ExitInfo,
    /// Its forwards to the hot wallet, in event order.
    pub forwards: Vec<TransferId>,
}

impl DepositAddress {
    /// The exit information for the deposit address itself: the exchange's
    /// category and `"<exchange> (inferred deposit address)"` as the label.
    #[must_use]
    pub fn exit_info(&self) -> ExitInfo {
        ExitInfo {
            label: format!("{} (inferred deposit address)", self.exchange.label),
            category: self.exchange.category.clone(),
        }
    }
}

/// Finds the deposit addresses of the exchanges whose hot wallets are
/// `hot_wallets` (and that are not in `labelled`, the addresses that have
/// a label of their own). Sorted by address.
///
/// # Complexity
///
/// One pass over the ledger's transfers, O(E log A).
#[must_use]
pub fn find_deposit_addresses(
    ledger: &Ledger,
    hot_wallets: &BTreeMap<Address, ExitInfo>,
    is_labelled: impl Fn(&Address) -> bool,
    config: &DepositConfig,
) -> Vec<DepositAddress> {
    let hot: BTreeMap<AddressId, &ExitInfo> = hot_wallets
        .iter()
        .filter_map(|(a, info)| Some((ledger.address_id(a)?, info)))
        .collect();
    if hot.is_empty() {
        return Vec::new();
    }
    #[derive(Default)]
    struct State {
        /// Received since the last forward, and the time of the last receipt.
        pending: Amount,
        last_in: u64,
        /// The hot wallets forwarded to (by exchange label), forwards.
        exchange: Option<(AddressId, String)>,
        forwards: Vec<TransferId>,
        broken: bool,
    }
    let mut st: BTreeMap<AddressId, State> = BTreeMap::new();
    for t in ledger.transfers() {
        if t.kind == TransferKind::Fee || t.amount == 0 || t.from == t.to {
            continue;
        }
        let time = ledger.time(t.id);
        if !hot.contains_key(&t.to) || hot.contains_key(&t.from) {
            // A transfer out of a would-be deposit address to anything but
            // a hot wallet breaks the pattern.
            if let Some(s) = st.get_mut(&t.from) {
                s.broken = true;
            }
        } else {
            let s = st.entry(t.from).or_default();
            let label = hot.get(&t.to).map_or(String::new(), |i| i.label.clone());
            let low = s.pending.saturating_sub(mul_div_floor(
                s.pending,
                u128::from(config.alpha_bps),
                10_000,
            ));
            let ok = s.pending > 0
                && t.amount <= s.pending
                && t.amount >= low
                && time.saturating_sub(s.last_in) <= config.tau
                && s.exchange.as_ref().map_or(true, |(_, l)| *l == label);
            if ok {
                s.exchange = Some((t.to, label));
                s.forwards.push(t.id);
                s.pending = 0;
            } else {
                s.broken = true;
            }
        }
        if !hot.contains_key(&t.to) {
            let s = st.entry(t.to).or_default();
            s.pending = s.pending.saturating_add(t.amount);
            s.last_in = time;
        }
    }
    let mut out = Vec::new();
    for (id, s) in st {
        let Some((h, _)) = s.exchange else { continue };
        let address = ledger.address(id);
        if s.broken || is_labelled(address) || matches!(address, Address::Sink(_)) {
            continue;
        }
        let Some(info) = hot.get(&h) else { continue };
        out.push(DepositAddress {
            address: address.clone(),
            hot_wallet: ledger.address(h).clone(),
            exchange: (*info).clone(),
            forwards: s.forwards,
        });
    }
    out
}
