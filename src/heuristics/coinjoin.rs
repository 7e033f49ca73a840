//! CoinJoin detection: the generic equal-output rule and the Wasabi 1.x,
//! Wasabi 2.0 (WabiSabi), Whirlpool and JoinMarket patterns.
//!
//! Each detector looks only at the shape of one transaction: input and
//! output values and addresses. The most specific pattern that matches is
//! reported, in this order: Whirlpool, Wasabi 2.0, Wasabi 1.x, JoinMarket,
//! generic. Every verdict names the rule that fired and its parameters.
//!
//! **Partial data.** What a transaction itself shows (its outputs' values,
//! count and script types, payments to known coordinator addresses, its
//! input count, and input addresses read from spending scripts) is always
//! known; input values are known only when the spent outputs are in the
//! data. A rule never requires an input value or address: an unknown one is
//! taken as not contradicting the pattern (an input of unknown address
//! counts as a distinct party), so CoinJoins are found in a range of blocks
//! that does not hold the outputs they spend.

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
    /// The shape of a ledger transaction: input values where the spent
    /// outputs are known, input addresses from the spent outputs or else
    /// from the inputs' scripts.
    #[must_use]
    pub fn from_ledger(ledger: &UtxoLedger, tx: UtxoTxId) -> Self {
        TxShape {
            inputs: ledger
                .inputs_of(tx)
                .iter()
                .zip(ledger.input_addresses(tx))
                .map(|(i, a)| TxPart {
                    value: ledger.input_value(i),
                    address: a.map(|(a, _)| ledger.address(a).to_string()),
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
    /// one pool denomination, all P2WPKH.
    Whirlpool,
    /// Wasabi 2.0 (WabiSabi): many inputs and outputs, mostly at the
    /// standard denominations, all segwit.
    Wasabi2,
    /// Wasabi 1.x (ZeroLink): many equal outputs near 0.1 BTC, all P2WPKH,
    /// or an output to a known Wasabi 1.x coordinator beside equal outputs.
    Wasabi1,
    /// JoinMarket: `n ≥ 3` equal outputs and `n − 1` or `n` change outputs.
    #[serde(rename = "joinmarket")]
    JoinMarket,
    /// The generic equal-output rule.
    Generic,
}

impl CoinJoinKind {
    /// The lower-case name used in reports (`whirlpool`, `wasabi1`,
    /// `wasabi2`, `joinmarket`, `generic`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            CoinJoinKind::Whirlpool => "whirlpool",
            CoinJoinKind::Wasabi2 => "wasabi2",
            CoinJoinKind::Wasabi1 => "wasabi1",
            CoinJoinKind::JoinMarket => "joinmarket",
            CoinJoinKind::Generic => "generic",
        }
    }
}

impl std::fmt::Display for CoinJoinKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
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
    /// Inputs whose value is unknown (their spent output is not in the
    /// data): the rules only use what the transaction itself shows and take
    /// an unknown value or address as not contradicting the pattern.
    #[serde(default)]
    pub unknown_inputs: usize,
}

/// Whirlpool pool denominations (satoshi): 0.001, 0.01, 0.05, 0.5 BTC.
pub const WHIRLPOOL_POOLS: [u64; 4] = [100_000, 1_000_000, 5_000_000, 50_000_000];

/// Addresses of the Wasabi 1.x (zkSNACKs ZeroLink) coordinator, paid its
/// fee in every round until 2019 (as listed by the Dumplings CoinJoin
/// scanner and the GraphSense "Wasabi Fee" tag pack).
pub const WASABI1_COORDINATORS: [&str; 2] = [
    "bc1qs604c7jv6amk4cxqlnvuxv26hv3e48cds4m0ew",
    "bc1qa24tsgchvuxsaccp8vrnkfd85hrcpafg20kmjw",
];

/// Addresses of the Wasabi 2.0 (zkSNACKs WabiSabi) coordinator fee
/// outputs (as listed by the Dumplings CoinJoin scanner).
pub const WASABI2_COORDINATORS: [&str; 2] = [
    "bc1qsnynr0nfa233q7s8k495ank2nwc0xw4zq2c6d2",
    "bc1qqgfu8x6c4fg8vtt0zfjl0uj6m9c853p9lfs9c8",
];

/// Wasabi 1.x base denomination window: 0.1 BTC ± 0.02 BTC.
const WASABI1_DENOMINATION: std::ops::RangeInclusive<u64> = 8_000_000..=12_000_000;

/// The largest WabiSabi standard denomination (2^37 satoshi, ~1,374 BTC).
const WASABI2_MAX_DENOMINATION: u64 = 137_438_953_472;

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

/// At most how many parties the inputs can come from: distinct known input
/// addresses, plus one for each input whose address is unknown.
fn input_parties(shape: &TxShape) -> usize {
    let known: BTreeSet<&str> = shape
        .inputs
        .iter()
        .filter_map(|p| p.address.as_deref())
        .collect();
    known.len() + shape.inputs.iter().filter(|p| p.address.is_none()).count()
}

fn unknown_inputs(shape: &TxShape) -> usize {
    shape.inputs.iter().filter(|p| p.value.is_none()).count()
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

/// Every output has an address of the kind, and every input whose address
/// is known too (an unknown input address does not contradict).
fn scripts_are(shape: &TxShape, pred: fn(&str) -> bool) -> bool {
    shape
        .outputs
        .iter()
        .all(|p| p.address.as_deref().is_some_and(pred))
        && shape
            .inputs
            .iter()
            .filter_map(|p| p.address.as_deref())
            .all(pred)
}

fn pays_any(shape: &TxShape, addresses: &[&str]) -> bool {
    shape
        .outputs
        .iter()
        .filter_map(|o| o.address.as_deref())
        .any(|a| addresses.contains(&a))
}

fn unknown_note(unknown: usize) -> String {
    if unknown == 0 {
        String::new()
    } else {
        format!("; {unknown} input(s) of unknown value not contradicting")
    }
}

/// Whether `v` is one of WabiSabi's standard denominations: `2^k`, `3^k`,
/// `2·3^k`, `10^k`, `2·10^k`, `5·10^k` satoshi, from 5,000 satoshi to
/// 2^37 satoshi.
#[must_use]
pub fn is_wasabi2_denomination(v: u64) -> bool {
    if !(5_000..=WASABI2_MAX_DENOMINATION).contains(&v) {
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
    // premix inputs carry the pool value plus a share of the miner fee,
    // remixed postmix outputs exactly the pool value; an unknown value
    // does not contradict
    let max_in = d + d / 10;
    let inputs_ok = shape
        .inputs
        .iter()
        .all(|i| i.value.map_or(true, |v| v >= d && v <= max_in));
    if !inputs_ok || !equal_outputs_distinct(shape, d) {
        return None;
    }
    // postmix outputs are bech32 P2WPKH
    if !shape
        .outputs
        .iter()
        .all(|o| o.address.as_deref().is_some_and(is_p2wpkh))
    {
        return None;
    }
    let unknown = unknown_inputs(shape);
    Some(CoinJoinVerdict {
        kind: CoinJoinKind::Whirlpool,
        rule: format!(
            "whirlpool: {n} inputs and {n} outputs, every output exactly the {d}-sat pool denomination to distinct P2WPKH addresses, known inputs within [d, 1.1 d]{}",
            unknown_note(unknown)
        ),
        denomination: d,
        equal_outputs: n,
        unknown_inputs: unknown,
    })
}

fn wasabi2(shape: &TxShape) -> Option<CoinJoinVerdict> {
    let (ni, no) = (shape.inputs.len(), shape.outputs.len());
    if ni < 10 || no < 10 {
        return None;
    }
    if !scripts_are(shape, |a| is_p2wpkh(a) || is_p2tr(a)) {
        return None;
    }
    let standard = shape
        .outputs
        .iter()
        .filter(|o| o.value.is_some_and(is_wasabi2_denomination))
        .count();
    let coordinator = pays_any(shape, &WASABI2_COORDINATORS);
    // three quarters at standard denominations; half with a coordinator output
    if standard * 4 < no * 3 && !(coordinator && standard * 2 >= no) {
        return None;
    }
    let (d, c) = most_common_output(shape)?;
    if c < 2 || !is_wasabi2_denomination(d) {
        return None;
    }
    let unknown = unknown_inputs(shape);
    Some(CoinJoinVerdict {
        kind: CoinJoinKind::Wasabi2,
        rule: format!(
            "wasabi2: {ni} inputs >= 10, {no} outputs >= 10, all segwit v0 key-hash or taproot, {standard} of {no} outputs at standard denominations (>= 75%{}){}",
            if coordinator { ", >= 50% with the coordinator fee output" } else { "" },
            unknown_note(unknown)
        ),
        denomination: d,
        equal_outputs: c,
        unknown_inputs: unknown,
    })
}

fn wasabi1(shape: &TxShape) -> Option<CoinJoinVerdict> {
    let (d, c) = most_common_output(shape)?;
    if !scripts_are(shape, is_p2wpkh) || !equal_outputs_distinct(shape, d) {
        return None;
    }
    let unknown = unknown_inputs(shape);
    // early rounds: the coordinator's fee output beside equal outputs
    if pays_any(shape, &WASABI1_COORDINATORS) && c >= 3 && shape.inputs.len() >= c {
        return Some(CoinJoinVerdict {
            kind: CoinJoinKind::Wasabi1,
            rule: format!(
                "wasabi1: an output to a known Wasabi 1.x coordinator address, {c} >= 3 equal outputs of {d} sat, all P2WPKH{}",
                unknown_note(unknown)
            ),
            denomination: d,
            equal_outputs: c,
            unknown_inputs: unknown,
        });
    }
    if c < 10 || !WASABI1_DENOMINATION.contains(&d) || shape.inputs.len() < c {
        return None;
    }
    Some(CoinJoinVerdict {
        kind: CoinJoinKind::Wasabi1,
        rule: format!(
            "wasabi1: {c} >= 10 equal outputs of {d} sat (0.08-0.12 BTC), at least as many inputs, all P2WPKH{}",
            unknown_note(unknown)
        ),
        denomination: d,
        equal_outputs: c,
        unknown_inputs: unknown,
    })
}

fn joinmarket(shape: &TxShape) -> Option<CoinJoinVerdict> {
    let (d, c) = most_common_output(shape)?;
    let changes = shape.outputs.len() - c;
    if c < 3 || !(c - 1..=c).contains(&changes) {
        return None;
    }
    if input_parties(shape) < c || !equal_outputs_distinct(shape, d) {
        return None;
    }
    let unknown = unknown_inputs(shape);
    Some(CoinJoinVerdict {
        kind: CoinJoinKind::JoinMarket,
        rule: format!(
            "joinmarket: {c} >= 3 equal outputs of {d} sat, {changes} change outputs (n-1 or n), inputs from >= {c} distinct addresses (an unknown address counts as one){}",
            unknown_note(unknown)
        ),
        denomination: d,
        equal_outputs: c,
        unknown_inputs: unknown,
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
    if input_parties(shape) < c || !equal_outputs_distinct(shape, d) {
        return None;
    }
    let unknown = unknown_inputs(shape);
    Some(CoinJoinVerdict {
        kind: CoinJoinKind::Generic,
        rule: format!(
            "generic equal-output: {c} >= 2 equal outputs of {d} sat to distinct addresses, {no} outputs <= 2*{c}+1, inputs from >= {c} distinct addresses (an unknown address counts as one){}",
            unknown_note(unknown)
        ),
        denomination: d,
        equal_outputs: c,
        unknown_inputs: unknown,
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
    fn kinds_serialize_as_their_report_names() {
        for k in [
            CoinJoinKind::Whirlpool,
            CoinJoinKind::Wasabi1,
            CoinJoinKind::Wasabi2,
            CoinJoinKind::JoinMarket,
            CoinJoinKind::Generic,
        ] {
            let json = serde_json::to_value(k).unwrap();
            assert_eq!(json, k.name());
            assert_eq!(serde_json::from_value::<CoinJoinKind>(json).unwrap(), k);
        }
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

    /// `n` inputs of unknown value and address (spent outputs not in the data).
    fn unknown(n: usize) -> Vec<TxPart> {
        vec![
            TxPart {
                value: None,
                address: None,
            };
            n
        ]
    }

    fn outs(parts: &[(u64, String)]) -> Vec<TxPart> {
        parts
            .iter()
            .map(|(v, a)| TxPart {
                value: Some(*v),
                address: Some(a.clone()),
            })
            .collect()
    }

    #[test]
    fn patterns_fire_with_input_values_unknown() {
        // Whirlpool 0.05 BTC pool, nothing known about the inputs
        let mix = TxShape {
            inputs: unknown(5),
            outputs: outs(&(0..5).map(|i| (5_000_000, wpkh(i))).collect::<Vec<_>>()),
        };
        let v = detect_coinjoin(&mix).unwrap();
        assert_eq!((v.kind, v.unknown_inputs), (CoinJoinKind::Whirlpool, 5));
        assert!(v.rule.contains("5 input(s) of unknown value"));
        // two inputs known, one of them outside [d, 1.1 d]: not Whirlpool
        let mut bad = mix.clone();
        bad.inputs[1] = TxPart {
            value: Some(7_000_000),
            address: Some(wpkh(50)),
        };
        assert_ne!(
            detect_coinjoin(&bad).map(|v| v.kind),
            Some(CoinJoinKind::Whirlpool)
        );
        // Wasabi 1.x: 35 equal outputs of ~0.1 BTC, change, coordinator fee
        let mut o: Vec<(u64, String)> = (0..35).map(|i| (9_998_170, wpkh(100 + i))).collect();
        o.extend((0..25).map(|i| (2_345_678 + 13 * i as u64, wpkh(200 + i))));
        o.push((1_739_912, WASABI1_COORDINATORS[1].to_string()));
        let round = TxShape {
            inputs: unknown(48),
            outputs: outs(&o),
        };
        let v = detect_coinjoin(&round).unwrap();
        assert_eq!((v.kind, v.equal_outputs), (CoinJoinKind::Wasabi1, 35));
        // an early round: few equal outputs, but the coordinator is paid
        let mut o: Vec<(u64, String)> = (0..4).map(|i| (10_150_000, wpkh(100 + i))).collect();
        o.extend((0..4).map(|i| (1_000_000 + 7 * i as u64, wpkh(200 + i))));
        o.push((40_000, WASABI1_COORDINATORS[0].to_string()));
        let early = TxShape {
            inputs: unknown(6),
            outputs: outs(&o),
        };
        assert_eq!(detect_coinjoin(&early).unwrap().kind, CoinJoinKind::Wasabi1);
        // Wasabi 2.0: standard denominations, inputs unknown
        let denoms = [
            5_000_000u64,
            2_097_152,
            1_594_323,
            1_000_000,
            531_441,
            200_000,
        ];
        let mut o: Vec<(u64, String)> = (0..70).map(|i| (denoms[i % 6], wpkh(100 + i))).collect();
        o.extend((0..6).map(|i| (312_345 + 11 * i as u64, wpkh(300 + i))));
        let ww2 = TxShape {
            inputs: unknown(64),
            outputs: outs(&o),
        };
        assert_eq!(detect_coinjoin(&ww2).unwrap().kind, CoinJoinKind::Wasabi2);
        // JoinMarket: 4 equal outputs and 3 changes, inputs unknown
        let mut o: Vec<(u64, String)> = (0..4).map(|i| (7_250_000, format!("3J{i}"))).collect();
        o.extend((0..3).map(|i| (1_000_000 + 77 * i as u64, format!("3C{i}"))));
        let jm = TxShape {
            inputs: unknown(6),
            outputs: outs(&o),
        };
        assert_eq!(detect_coinjoin(&jm).unwrap().kind, CoinJoinKind::JoinMarket);
        // the same with every input known to come from one address: not a
        // CoinJoin (one party paying four equal amounts)
        let mut one = jm.clone();
        for p in &mut one.inputs {
            p.address = Some("3Same".into());
        }
        assert!(detect_coinjoin(&one).is_none());
    }

    #[test]
    fn ordinary_transactions_do_not_fire_with_inputs_unknown() {
        let shape = |n_in: usize, o: &[(u64, &str)]| TxShape {
            inputs: unknown(n_in),
            outputs: o
                .iter()
                .map(|&(v, a)| TxPart {
                    value: Some(v),
                    address: Some(a.into()),
                })
                .collect(),
        };
        // payment with change, consolidation, batch payout from one input
        assert!(detect_coinjoin(&shape(2, &[(30, "x"), (69, "a")])).is_none());
        assert!(detect_coinjoin(&shape(5, &[(600, "z")])).is_none());
        let batch: Vec<(u64, &str)> = ["p", "q", "r", "s", "t"]
            .iter()
            .map(|a| (1_000_000, *a))
            .collect();
        assert!(detect_coinjoin(&shape(1, &batch)).is_none());
        // five equal pool-sized outputs from five inputs, but not to P2WPKH
        // addresses: not Whirlpool
        let legacy: Vec<(u64, &str)> = ["1a", "1b", "1c", "1d", "1e"]
            .iter()
            .map(|a| (1_000_000, *a))
            .collect();
        assert_ne!(
            detect_coinjoin(&shape(5, &legacy)).map(|v| v.kind),
            Some(CoinJoinKind::Whirlpool)
        );
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
