//! Bridge matching: a deposit into a bridge on one chain matched to a
//! release on another chain.
//!
//! A *deposit* is a non-fee transfer into a [`BridgeSpec::deposit`]
//! address; a *release* is a non-fee transfer out of a
//! [`BridgeSpec::release`] address on another chain. A release matches a
//! deposit when
//!
//! - it is on a different chain and at or after the deposit, within
//!   [`BridgeConfig::window`] seconds;
//! - its amount is at most the deposit's and the difference (the bridge's
//!   fee) is at most [`BridgeConfig::fee_bps`] basis points of the deposit
//!   (amounts are compared in base units: the bridged asset must have the
//!   same decimals on both chains, as WETH, USDC and bridged ETH do);
//! - for the recipient heuristics, its receiver is the depositor (the same
//!   key on both chains) or the recipient a memo names.
//!
//! Deposits are taken in event order; each takes the best release not yet
//! taken: a recipient or memo match before an amount-and-time match, then
//! the smallest fee, then the earliest release. Confidence (0–100):
//!
//! | heuristic | confidence | why |
//! |---|---:|---|
//! | `bridge_memo` | 90 | the bridge's own record names the recipient |
//! | `bridge_recipient` | 80 | the same key on both chains, amount and time agree |
//! | `bridge_amount_time` | 30, or 50 when it is the only candidate | amount and time only; busy bridges release similar amounts all the time |

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::amount::{mul_div_floor, Amount};
use crate::id::{AddressId, TransferId};
use crate::ledger::{Address, Ledger, TransferKind};
use crate::trace::{Conversion, ConversionKind, Leg};

/// One bridge: where deposits go and who pays releases.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BridgeSpec {
    /// Name (`Ronin Bridge`).
    pub name: String,
    /// The address deposits are paid into (the bridge contract or custodian).
    pub deposit: Address,
    /// The address that pays releases on the other chain.
    pub release: Address,
}

/// A bridge given as text that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bridge {spec:?}: {problem}")]
pub struct BridgeSpecError {
    /// The text given.
    pub spec: String,
    /// What is wrong.
    pub problem: String,
}

impl BridgeSpec {
    /// Parses `DEPOSIT_ADDR:RELEASE_ADDR` (two EVM addresses); the bridge is
    /// named after its deposit address.
    ///
    /// ```
    /// use fundtrace::heuristics::bridge::BridgeSpec;
    /// let b = BridgeSpec::parse("0x1111111111111111111111111111111111111111:0x2222222222222222222222222222222222222222")?;
    /// assert_eq!(b.name, "bridge 0x1111111111111111111111111111111111111111");
    /// assert!(BridgeSpec::parse("0x11").is_err());
    /// # Ok::<(), fundtrace::heuristics::bridge::BridgeSpecError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// When there is no `:` or either side is not an EVM address.
    pub fn parse(spec: &str) -> Result<BridgeSpec, BridgeSpecError> {
        let err = |problem: String| BridgeSpecError {
            spec: spec.to_string(),
            problem,
        };
        let (d, r) = spec
            .split_once(':')
            .ok_or_else(|| err("expected DEPOSIT_ADDR:RELEASE_ADDR".into()))?;
        let deposit = Address::parse_evm_checked(d.trim()).map_err(|e| err(e.to_string()))?;
        let release = Address::parse_evm_checked(r.trim()).map_err(|e| err(e.to_string()))?;
        Ok(BridgeSpec {
            name: format!("bridge {deposit}"),
            deposit,
            release,
        })
    }
}

/// Matching limits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BridgeConfig {
    /// The longest time from deposit to release, seconds. Default 86,400.
    pub window: u64,
    /// The largest fee, in basis points of the deposit. Default 100 (1 %).
    pub fee_bps: u32,
}

impl Default for BridgeConfig {
    fn default() -> Self {
        BridgeConfig {
            window: 86_400,
            fee_bps: 100,
        }
    }
}

/// A deposit matched to a release.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BridgeMatch {
    /// The bridge's name.
    pub bridge: String,
    /// The deposit transfer.
    pub deposit: TransferId,
    /// The release transfer.
    pub release: TransferId,
    /// The depositor (the deposit transfer's sender).
    pub depositor: Address,
    /// The release's recipient.
    pub recipient: Address,
    /// Deposit amount, base units.
    pub deposit_amount: Amount,
    /// Release amount, base units.
    pub release_amount: Amount,
    /// `bridge_memo`, `bridge_recipient` or `bridge_amount_time`.
    pub heuristic: String,
    /// 0–100 (see the module docs).
    pub confidence: u8,
}

impl BridgeMatch {
    /// The match as a conversion for
    /// [`TraceConfig::with_conversions`](crate::trace::TraceConfig::with_conversions):
    /// the deposit transfer hands its taint over, the release carries it.
    #[must_use]
    pub fn conversion(&self, ledger: &Ledger) -> Conversion {
        let d = ledger.transfer(self.deposit);
        let r = ledger.transfer(self.release);
        Conversion {
            kind: ConversionKind::Bridge,
            source: Leg {
                tx: *ledger.tx_hash(d.tx),
                from: Some(ledger.address(d.from).clone()),
                to: Some(ledger.address(d.to).clone()),
            },
            target: Leg {
                tx: *ledger.tx_hash(r.tx),
                from: Some(ledger.address(r.from).clone()),
                to: Some(ledger.address(r.to).clone()),
            },
            heuristic: self.heuristic.clone(),
            confidence: self.confidence,
        }
    }
}

/// Matches deposits into `bridges` to their releases.
///
/// `memos` maps a deposit transaction hash to the recipient its bridge
/// record names (from the bridge's own events or API), where known.
///
/// # Complexity
///
/// O(E + D·R) for E transfers, D deposits and R releases of one bridge.
#[must_use]
pub fn match_bridges(
    ledger: &Ledger,
    bridges: &[BridgeSpec],
    memos: &BTreeMap<[u8; 32], Address>,
    config: &BridgeConfig,
) -> Vec<BridgeMatch> {
    let mut out = Vec::new();
    let chain_of = |t: TransferId| ledger.asset(ledger.transfer(t).asset).chain;
    for spec in bridges {
        let (Some(dep), Some(rel)) = (
            ledger.address_id(&spec.deposit),
            ledger.address_id(&spec.release),
        ) else {
            continue;
        };
        let mut deposits: Vec<TransferId> = Vec::new();
        let mut releases: Vec<TransferId> = Vec::new();
        for t in ledger.transfers() {
            if t.kind == TransferKind::Fee || t.amount == 0 || t.from == t.to {
                continue;
            }
            if t.to == dep {
                deposits.push(t.id);
            }
            if t.from == rel {
                releases.push(t.id);
            }
        }
        let mut taken: BTreeSet<TransferId> = BTreeSet::new();
        for d in deposits {
            let dt = ledger.transfer(d);
            let time = ledger.time(d);
            let fee_cap = mul_div_floor(dt.amount, u128::from(config.fee_bps), 10_000);
            let memo = memos
                .get(ledger.tx_hash(dt.tx))
                .and_then(|a| ledger.address_id(a));
            let candidates: Vec<TransferId> = releases
                .iter()
                .copied()
                .filter(|&r| {
                    let rt = ledger.transfer(r);
                    let rtime = ledger.time(r);
                    chain_of(r) != chain_of(d)
                        && rtime >= time
                        && rtime - time <= config.window
                        && rt.amount <= dt.amount
                        && dt.amount - rt.amount <= fee_cap
                })
                .collect();
            let free: Vec<TransferId> = candidates
                .iter()
                .copied()
                .filter(|r| !taken.contains(r))
                .collect();
            let rank = |r: TransferId| -> (u8, Amount, TransferId) {
                let rt = ledger.transfer(r);
                let class = recipient_class(rt.to, dt.from, memo).unwrap_or(2);
                (class, dt.amount - rt.amount, r)
            };
            let Some(best) = free.iter().copied().min_by_key(|&r| rank(r)) else {
                continue;
            };
            let rt = ledger.transfer(best);
            let (heuristic, confidence) = match recipient_class(rt.to, dt.from, memo) {
                Some(0) => ("bridge_memo", 90),
                Some(_) => ("bridge_recipient", 80),
                None if candidates.len() == 1 => ("bridge_amount_time", 50),
                None => ("bridge_amount_time", 30),
            };
            taken.insert(best);
            out.push(BridgeMatch {
                bridge: spec.name.clone(),
                deposit: d,
                release: best,
                depositor: ledger.address(dt.from).clone(),
                recipient: ledger.address(rt.to).clone(),
                deposit_amount: dt.amount,
                release_amount: rt.amount,
                heuristic: heuristic.to_string(),
                confidence,
            });
        }
    }
    out.sort_by_key(|m| (m.deposit, m.release));
    out
}

/// 0: the memo names the recipient; 1: the recipient is the depositor.
fn recipient_class(to: AddressId, depositor: AddressId, memo: Option<AddressId>) -> Option<u8> {
    if memo == Some(to) {
        Some(0)
    } else if memo.is_none() && to == depositor {
        Some(1)
    } else {
        None
    }
}
