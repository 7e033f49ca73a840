//! CoinJoin detection: the generic equal-output rule and the Wasabi 1.x,
//! Wasabi 2.0 (WabiSabi), Whirlpool and JoinMarket patterns.
//!
//! Each detector looks only at the shape of one transaction: input and
//! output values and addresses. The most specific pattern that matches is
//! reported, in this order: Whirlpool, Wasabi 2.0, Wasabi 1.x, JoinMarket,
//! generic. Every verdict names the rule that fired and its parameters.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::id::UtxoTxId;
use crate::ledger::utxo::UtxoLedger;

/// One input or output as the detectors see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxPart {
    /// Value in satoshi (`None` for an input whose value is unknown).
    pub value: Option<u64>,
    /// Address (`None` when unknown or unspendable).
    pub address: Option<String>,
}

/// The shape of one transaction, for the detectors.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxShape {
    /// Inputs in order.
    pub inputs: Vec<TxPart>,
    /// Outputs in order.
    pub outputs: Vec<TxPart>,
}

impl TxShape {
    /// The shape of a ledger transaction.
    #[must_use]
    pub fn from_ledger(ledger: &UtxoLedger, tx: UtxoTxId) -> Self {
        TxShape {
            inputs: ledger
                .inputs_of(tx)
                .iter()
                .map(|i| TxPart {
                    value: ledger.input_value(i),
                    address: ledger
                        .input_address(i)
                        .map(|a| ledger.address(a).to_string()),
                })
                .collect(),
            outputs: ledger
                .outputs_of(tx)
                .map(|o| {
                    let o = ledger.output(o);
                    TxPart {
                        value: Some(o.value),
                        address: o.address.map(|a| ledger.address(a).to_string()),
                    }
                })
                .collect(),
        }
    }

    /// A shape from bare values and addresses (for tests and callers with
    /// their own data).
    #[must_use]
    pub fn new(inputs: &[(u64, &str)], outputs: &[(u64, &str)]) -> Self {
        let part = |&(v, a): &(u64, &str)| TxPart {
            value: Some(v),
            address: Some(a.to_string()),
        };
        TxShape {
            inputs: inputs.iter().map(part).collect(),
            outputs: outputs.iter().map(part).collect(),
        }
    }
}

/// Which pattern a CoinJoin matched.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CoinJoinKind {
    /// Samourai Whirlpool: 5–8 inputs and as many outputs, all outputs at
    /// one pool denomination.
    Whirlpool,
    /// Wasabi 2.0 (WabiSabi): many inputs and outputs, mostly at the
    /// standard denominations, all segwit.
    Wasabi2,
    /// Wasabi 1.x (ZeroLink): many equal outputs near 0.1 BTC, all P2WPKH.
    Wasabi1,
    /// JoinMarket: `n ≥ 3` equal outputs and `n − 1` or `n` change outputs.
    JoinMarket,
    /// The generic equal-output rule.
    Generic,
}

/// A CoinJoin verdict: the pattern, the rule that fired, and its figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoinJoinVerdict {
    /// The pattern.
    pub kind: CoinJoinKind,
    /// The rule, in words, with the thresholds it applied.
    pub rule: String,
    /// The (most common) equal output value.
    pub denomination: u64,
    /// Number of outputs at that value.
    pub equal_outputs: usize,
}

/// Whirlpool pool denominations (satoshi): 0.001, 0.01, 0.05, 0.5 BTC.
pub const WHIRLPOOL_POOLS: [u64; 4] = [100_000, 1_000_000, 5_000_000, 50_000_000];

/// The most common output value (ties: the larger value) and its count.
fn most_common_output(shape: &TxShape) -> Option<(u64, usize)> {
    let mut counts: BTreeMap<u64, usize> = BTreeMap::new();
    for o in &shape.outputs {
        if let Some(v) = o.value {
            if v > 0 {
                *counts.entry(v).or_default() += 1;
            }
        }
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)))
}

fn distinct_addresses(parts: &[TxPart]) -> usize {
    parts
        .iter()
        .filter_map(|p| p.address.as_deref())
        .collect::<BTreeSet<_>>()
        .len()
}

fn equal_outputs_distinct(shape: &TxShape, value: u64) -> bool {
    let addrs: Vec<&str> = shape
        .outputs
        .iter()
        .filter(|o| o.value == Some(value))
        .filter_map(|o| o.address.as_deref())
        .collect();
    let set: BTreeSet<&str> = addrs.iter().copied().collect();
    set.len() == addrs.len()
}

fn is_p2wpkh(a: &str) -> bool {
    (a.starts_with("bc1q") || a.starts_with("tb1q")) && a.len() == 42
        || a.starts_with("bcrt1q") && a.len() == 44
}

fn is_p2tr(a: &str) -> bool {
    (a.starts_with("bc1p") || a.starts_with("tb1p")) && a.len() == 62
        || a.starts_with("bcrt1p") && a.len() == 64
}

fn all_parts(shape: &TxShape, pred: fn(&str) -> bool) -> bool {
    shape
        .inputs
        .iter()
        .chain(&shape.outputs)
        .all(|p| p.address.as_deref().is_some_and(pred))
}

/// Whether `v` is one of WabiSabi's standard denominations: `2^k`, `3^k`,
/// `2·3^k`, `10^k`, `2·10^k`, `5·10^k` satoshi, at least 5,000 satoshi.
#[must_use]
pub fn is_wasabi2_denomination(v: u64) -> bool {
    if v < 5_000 {
        return false;
    }
    let power_of = |mut x: u64, b: u64| {
        while x % b == 0 {
            x /= b;
        }
        x == 1
    };
    v.is_power_of_two()
        || power_of(v, 3)
        || (v % 2 == 0 && power_of(v / 2, 3))
        || power_of(v, 10)
        || (v % 2 == 0 && power_of(v / 2, 10))
        || (v % 5 == 0 && power_of(v / 5, 10))
}

fn whirlpool(shape: &TxShape) -> Option<CoinJoinVerdict> {
    let n = shape.outputs.len();
    if !(5..=8).contains(&n) || shape.inputs.len() != n {
        return None;
    }
    let d = shape.outputs[0].value?;
    if !WHIRLPOOL_POOLS.contains(&d) || shape.outputs.iter().any(|o| o.value != Some(d)) {
        return None;
    }
    // premix inputs carry the pool value plus a share of the miner fee
    let max_in = d + d / 10;
    let inputs_ok = shape
        .inputs
        .iter()
        .all(|i| i.value.is_some_and(|v| v >= d && v <= max_in));
    if !inputs_ok || !equal_outputs_distinct(shape, d) {
        return None;
    }
    Some(CoinJoinVerdict {
        kind: CoinJoinKind::Whirlpool,
        rule: format!(
            "whirlpool: {n} inputs and {n} outputs, every output exactly the {d}-sat pool denomination, inputs within [d, 1.1 d]"
        ),
        denomination: d,
        equal_outputs: n,
    })
}

fn wasabi2(shape: &TxShape) -> Option<CoinJoinVerdict> {
    let (ni, no) = (shape.inputs.len(), shape.outputs.len());
    if ni < 10 || no < 10 {
        return None;
    }
    if !all_parts(shape, |a| is_p2wpkh(a) || is_p2tr(a)) {
        return None;
    }
    let standard = shape
        .outputs
        .iter()
        .filter(|o| o.value.is_some_and(is_wasabi2_denomination))
        .count();
    if standard * 4 < no * 3 {
        return None;
    }
    let (d, c) = most_common_output(shape)?;
    if c < 2 || !is_wasabi2_denomination(d) {
        return None;
    }
    Some(CoinJoinVerdict {
        kind: CoinJoinKind::Wasabi2,
        rule: format!(
            "wasabi2: {ni} inputs >= 10, {no} outputs >= 10, all segwit v0 key-hash or taproot, {standard} of {no} outputs (>= 75%) at standard denominations"
        ),
        denomination: d,
        equal_outputs: c,
    })
}

fn wasabi1(shape: &TxShape) -> Option<CoinJoinVerdict> {
    let (d, c) = most_common_output(shape)?;
    if c < 10 || !(9_000_000..=11_000_000).contains(&d) || shape.inputs.len() < c {
        return None;
    }
    if !all_parts(shape, is_p2wpkh) || !equal_outputs_distinct(shape, d) {
        return None;
    }
    Some(CoinJoinVerdict {
        kind: CoinJoinKind::Wasabi1,
        rule: format!(
            "wasabi1: {c} >= 10 equal outputs of {d} sat (0.09-0.11 BTC), at least as many inputs, all P2WPKH"
        ),
        denomination: d,
        equal_outputs: c,
    })
}

fn joinmarket(shape: &TxShape) -> Option<CoinJoinVerdict> {
    let (d, c) = most_common_output(shape)?;
    let changes = shape.outputs.len() - c;
    if c < 3 || !(c - 1..=c).contains(&changes) {
        return None;
    }
    if distinct_addresses(&shape.inputs) < c || !equal_outputs_distinct(shape, d) {
        return None;
    }
    // change outputs are all different from the equal value
    Some(CoinJoinVerdict {
        kind: CoinJoinKind::JoinMarket,
        rule: format!(
            "joinmarket: {c} >= 3 equal outputs of {d} sat, {changes} change outputs (n-1 or n), inputs from >= {c} distinct addresses"
        ),
        denomination: d,
        equal_outputs: c,
    })
}

fn generic(shape: &TxShape) -> Option<CoinJoinVerdict> {
    let (ni, no) = (shape.inputs.len(), shape.outputs.len());
    if ni < 2 || no < 3 {
        return None;
    }
    let (d, c) = most_common_output(shape)?;
    if c < 2 || no > 2 * c + 1 {
        return None;
    }
    if distinct_addresses(&shape.inputs) < c || !equal_outputs_distinct(shape, d) {
        return None;
    }
    Some(CoinJoinVerdict {
        kind: CoinJoinKind::Generic,
        rule: format!(
            "generic equal-output: {c} >= 2 equal outputs of {d} sat to distinct addresses, {no} outputs <= 2*{c}+1, inputs from >= {c} distinct addresses"
        ),
        denomination: d,
        equal_outputs: c,
    })
}

/// Detects whether a transaction is a CoinJoin, and which kind.
///
/// # Example
///
/// ```
/// use fundtrace::heuristics::coinjoin::{detect_coinjoin, CoinJoinKind, TxShape};
/// let tx = TxShape::new(
///     &[(60, "a"), (70, "b"), (55, "c")],
///     &[(50, "x"), (50, "y"), (50, "z"), (10, "a2"), (20, "b2")],
/// );
/// let v = detect_coinjoin(&tx).unwrap();
/// assert_eq!(v.kind, CoinJoinKind::JoinMarket);
/// // a payment with change is not a CoinJoin
/// assert!(detect_coinjoin(&TxShape::new(&[(100, "a")], &[(30, "x"), (69, "a")])).is_none());
/// ```
#[must_use]
pub fn detect_coinjoin(shape: &TxShape) -> Option<CoinJoinVerdict> {
    whirlpool(shape)
        .or_else(|| wasabi2(shape))
        .or_else(|| wasabi1(shape))
        .or_else(|| joinmarket(shape))
        .or_else(|| generic(shape))
}

/// Every transaction of the ledger detected as a CoinJoin, in event order,
/// with its txid and verdict.
#[must_use]
pub fn coinjoins(
    ledger: &UtxoLedger,
) -> Vec<(UtxoTxId, crate::ledger::utxo::Txid, CoinJoinVerdict)> {
    (0..ledger.tx_count())
        .map(UtxoTxId::from_usize)
        .filter(|&t| ledger.outputs_of(t).len() >= 3 && ledger.inputs_of(t).len() >= 2)
        .filter_map(|t| {
            detect_coinjoin(&TxShape::from_ledger(ledger, t)).map(|v| (t, ledger.tx(t).txid, v))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wpkh(i: usize) -> String {
        format!("bc1q{:038}", i)
    }

    fn shape(inputs: &[(u64, String)], outputs: &[(u64, String)]) -> TxShape {
        let part = |(v, a): &(u64, String)| TxPart {
            value: Some(*v),
            address: Some(a.clone()),
        };
        TxShape {
            inputs: inputs.iter().map(part).collect(),
            outputs: outputs.iter().map(part).collect(),
        }
    }

    #[test]
    fn whirlpool_mix_fires_and_near_misses_do_not() {
        let ins: Vec<(u64, String)> = (0..5)
            .map(|i| (1_000_000 + 170 * i as u64, wpkh(i)))
            .collect();
        let outs: Vec<(u64, String)> = (0..5).map(|i| (1_000_000, wpkh(100 + i))).collect();
        let v = detect_coinjoin(&shape(&ins, &outs)).unwrap();
        assert_eq!(v.kind, CoinJoinKind::Whirlpool);
        assert_eq!(v.denomination, 1_000_000);
        assert!(v.rule.starts_with("whirlpool"));
        // not a pool denomination: falls through to the generic rule
        let outs2: Vec<(u64, String)> = (0..5).map(|i| (1_200_000, wpkh(100 + i))).collect();
        let ins2: Vec<(u64, String)> = (0..5).map(|i| (1_200_000, wpkh(i))).collect();
        assert_ne!(
            detect_coinjoin(&shape(&ins2, &outs2)).unwrap().kind,
            CoinJoinKind::Whirlpool
        );
        // an input below the pool value cannot fund a mix output
        let mut ins3 = ins.clone();
        ins3[0].0 = 900_000;
        assert_ne!(
            detect_coinjoin(&shape(&ins3, &outs)).map(|v| v.kind),
            Some(CoinJoinKind::Whirlpool)
        );
    }

    #[test]
    fn wasabi1_fires_on_many_equal_outputs_near_a_tenth() {
        let ins: Vec<(u64, String)> = (0..40).map(|i| (12_000_000 + i as u64, wpkh(i))).collect();
        let mut outs: Vec<(u64, String)> = (0..30).map(|i| (10_036_457, wpkh(100 + i))).collect();
        outs.extend((0..20).map(|i| (1_000_000 + 7 * i as u64, wpkh(200 + i))));
        outs.push((3_000_000, wpkh(999))); // coordinator fee
        let v = detect_coinjoin(&shape(&ins, &outs)).unwrap();
        assert_eq!(v.kind, CoinJoinKind::Wasabi1);
        assert_eq!(v.equal_outputs, 30);
        // legacy addresses: not Wasabi 1.x (still generic or JoinMarket-like)
        let legacy: Vec<(u64, String)> = outs.iter().map(|(v, a)| (*v, format!("1{a}"))).collect();
        assert_ne!(
            detect_coinjoin(&shape(&ins, &legacy)).map(|v| v.kind),
            Some(CoinJoinKind::Wasabi1)
        );
    }

    #[test]
    fn wasabi2_fires_on_standard_denominations() {
        assert!(is_wasabi2_denomination(5_000_000)); // 5·10^6
        assert!(is_wasabi2_denomination(1_062_882)); // 2·3^12
        assert!(is_wasabi2_denomination(8_388_608)); // 2^23
        assert!(!is_wasabi2_denomination(1_234_567));
        assert!(!is_wasabi2_denomination(4_096)); // below the minimum
        let ins: Vec<(u64, String)> = (0..60)
            .map(|i| (3_000_000 + 1_111 * i as u64, wpkh(i)))
            .collect();
        let denoms = [
            2_000_000u64,
            1_000_000,
            1_062_882,
            531_441,
            200_000,
            100_000,
        ];
        let mut outs: Vec<(u64, String)> =
            (0..60).map(|i| (denoms[i % 6], wpkh(100 + i))).collect();
        outs.extend((0..5).map(|i| (777_777 + i as u64, wpkh(300 + i))));
        let v = detect_coinjoin(&shape(&ins, &outs)).unwrap();
        assert_eq!(v.kind, CoinJoinKind::Wasabi2);
        // too few standard outputs
        let odd: Vec<(u64, String)> = (0..60)
            .map(|i| (123_457 + (i % 3) as u64, wpkh(100 + i)))
            .collect();
        assert_ne!(
            detect_coinjoin(&shape(&ins, &odd)).map(|v| v.kind),
            Some(CoinJoinKind::Wasabi2)
        );
    }

    #[test]
    fn joinmarket_and_generic() {
        let jm = TxShape::new(
            &[(60, "a"), (70, "b"), (55, "c"), (80, "d")],
            &[
                (50, "x"),
                (50, "y"),
                (50, "z"),
                (50, "w"),
                (10, "a2"),
                (20, "b2"),
                (5, "c2"),
            ],
        );
        let v = detect_coinjoin(&jm).unwrap();
        assert_eq!((v.kind, v.equal_outputs), (CoinJoinKind::JoinMarket, 4));
        // two parties: generic, not JoinMarket (needs >= 3 equal outputs)
        let g = TxShape::new(&[(60, "a"), (70, "b")], &[(50, "x"), (50, "y"), (10, "a2")]);
        let v = detect_coinjoin(&g).unwrap();
        assert_eq!(v.kind, CoinJoinKind::Generic);
        assert!(v.rule.contains("generic equal-output"));
    }

    #[test]
    fn ordinary_transactions_do_not_fire() {
        // payment with change
        assert!(detect_coinjoin(&TxShape::new(&[(100, "a")], &[(30, "x"), (69, "a")])).is_none());
        // exchange batch: one input, many equal withdrawals
        let outs: Vec<(u64, String)> = (0..10).map(|i| (1_000_000, format!("w{i}"))).collect();
        let ins = vec![(20_000_000u64, "hot".to_string())];
        assert!(detect_coinjoin(&shape(&ins, &outs)).is_none());
        // consolidation: many inputs, one output
        assert!(
            detect_coinjoin(&TxShape::new(&[(1, "a"), (2, "b"), (3, "c")], &[(6, "z")])).is_none()
        );
        // equal outputs to the same address
        assert!(detect_coinjoin(&TxShape::new(
            &[(60, "a"), (70, "b")],
            &[(50, "x"), (50, "x"), (10, "c")]
        ))
        .is_none());
        // two inputs of one owner paying two equal outputs
        assert!(detect_coinjoin(&TxShape::new(
            &[(60, "a"), (70, "a")],
            &[(50, "x"), (50, "y"), (10, "c")]
        ))
        .is_none());
        // too many non-equal outputs for the participants
        assert!(detect_coinjoin(&TxShape::new(
            &[(60, "a"), (70, "b")],
            &[(50, "x"), (50, "y"), (1, "c"), (2, "d"), (3, "e"), (4, "f")]
        ))
        .is_none());
    }
}
