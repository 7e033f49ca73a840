//! Exact amounts: `u128` base units (wei, satoshi, token units), decimal
//! parsing without floating point, and the 256-bit proportional split used by
//! the haircut model.

use ethnum::U256;
use thiserror::Error;

/// An amount in base units of its asset.
pub type Amount = u128;

/// Why a decimal amount string was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum AmountError {
    /// The string is empty.
    #[error("empty amount")]
    Empty,
    /// The string starts with a minus sign.
    #[error("negative amount")]
    Negative,
    /// A character other than digits and one decimal point.
    #[error("not a decimal number")]
    NotDecimal,
    /// More fractional digits than the asset has decimals (non-zero ones).
    #[error("more than {decimals} decimal places")]
    TooManyDecimals {
        /// The asset's number of decimals.
        decimals: u32,
    },
    /// The value does not fit in `u128` base units.
    #[error("amount overflows 128 bits")]
    Overflow,
    /// `0x` hexadecimal where the format has decimal numbers.
    #[error("hexadecimal where a decimal number is expected")]
    Hexadecimal,
}

/// Parses a base-unit integer written in decimal, as every account-chain
/// export format writes them: a `0x` value there is refused rather than
/// read as hexadecimal (`0x10` would otherwise pass as 16 where a mangled
/// column or a hash in the wrong place is the likelier cause).
///
/// # Errors
///
/// [`AmountError::Hexadecimal`] for `0x` values; otherwise as
/// [`parse_base_units`].
///
/// ```
/// use fundtrace::amount::{parse_decimal_base_units, AmountError};
/// assert_eq!(parse_decimal_base_units("16"), Ok(16));
/// assert_eq!(parse_decimal_base_units("0x10"), Err(AmountError::Hexadecimal));
/// ```
pub fn parse_decimal_base_units(s: &str) -> Result<Amount, AmountError> {
    let t = s.trim_start();
    if t.starts_with("0x") || t.starts_with("0X") {
        return Err(AmountError::Hexadecimal);
    }
    parse_base_units(s)
}

/// Parses a base-unit integer (`"1642894143"`), also accepting the
/// `0x`-prefixed hexadecimal some exports use.
///
/// # Errors
///
/// [`AmountError`] for empty, negative, non-numeric or overflowing input.
///
/// # Examples
///
/// ```
/// use fundtrace::amount::parse_base_units;
/// assert_eq!(parse_base_units("7400000000000000000"), Ok(7_400_000_000_000_000_000));
/// assert_eq!(parse_base_units("0x10"), Ok(16));
/// assert!(parse_base_units("-1").is_err());
/// ```
pub fn parse_base_units(s: &str) -> Result<Amount, AmountError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(AmountError::Empty);
    }
    if s.starts_with('-') {
        return Err(AmountError::Negative);
    }
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(AmountError::NotDecimal);
        }
        let digits = hex.trim_start_matches('0');
        if digits.len() > 32 {
            return Err(AmountError::Overflow);
        }
        return u128::from_str_radix(if digits.is_empty() { "0" } else { digits }, 16)
            .map_err(|_| AmountError::NotDecimal);
    }
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AmountError::NotDecimal);
    }
    // Nineteen digits at a time in u64 (they always fit), then one u128
    // step per chunk: wei amounts have about twenty digits.
    let mut value: u128 = 0;
    for chunk in s.as_bytes().chunks(19) {
        let part = chunk
            .iter()
            .fold(0u64, |acc, &d| acc * 10 + u64::from(d - b'0'));
        value = value
            .checked_mul(10u128.pow(chunk.len() as u32))
            .and_then(|v| v.checked_add(u128::from(part)))
            .ok_or(AmountError::Overflow)?;
    }
    Ok(value)
}

/// Converts a decimal amount in coin units (`"1.5"` ether) to base units for
/// an asset with `decimals` decimals, exactly. Trailing fractional zeros
/// beyond `decimals` are accepted; non-zero digits beyond it are an error,
/// never rounded away.
///
/// # Errors
///
/// [`AmountError`] for malformed, negative, too precise or overflowing input.
///
/// # Examples
///
/// ```
/// use fundtrace::amount::parse_decimal_units;
/// assert_eq!(parse_decimal_units("10129.935", 18), Ok(10_129_935_000_000_000_000_000));
/// assert_eq!(parse_decimal_units("1.50", 1), Ok(15));
/// assert!(parse_decimal_units("0.001", 2).is_err());
/// ```
pub fn parse_decimal_units(s: &str, decimals: u32) -> Result<Amount, AmountError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(AmountError::Empty);
    }
    if s.starts_with('-') {
        return Err(AmountError::Negative);
    }
    let s = s.strip_prefix('+').unwrap_or(s);
    // Etherscan writes thousands separators in some exports ("1,000.5").
    let (int_part, frac_part) = match s.split_once('.') {
        Some((i, f)) => (i, f),
        None => (s, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return Err(AmountError::NotDecimal);
    }
    let int_digits = int_part.bytes().filter(|&b| b != b',');
    let mut value: u128 = 0;
    let push = |value: u128, b: u8| -> Result<u128, AmountError> {
        if !b.is_ascii_digit() {
            return Err(AmountError::NotDecimal);
        }
        value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u128::from(b - b'0')))
            .ok_or(AmountError::Overflow)
    };
    for b in int_digits {
        value = push(value, b)?;
    }
    let frac = frac_part.as_bytes();
    if frac.iter().any(|b| !b.is_ascii_digit()) {
        return Err(AmountError::NotDecimal);
    }
    let used = frac.len().min(decimals as usize);
    if frac[used..].iter().any(|&b| b != b'0') {
        return Err(AmountError::TooManyDecimals { decimals });
    }
    for &b in &frac[..used] {
        value = push(value, b)?;
    }
    for _ in used..decimals as usize {
        value = value.checked_mul(10).ok_or(AmountError::Overflow)?;
    }
    Ok(value)
}

/// Formats base units as a decimal coin amount with `decimals` decimals,
/// trimming trailing zeros (`1500000000000000000`, 18 → `"1.5"`).
///
/// # Examples
///
/// ```
/// use fundtrace::amount::format_units;
/// assert_eq!(format_units(1_500_000_000_000_000_000, 18), "1.5");
/// assert_eq!(format_units(7, 0), "7");
/// ```
#[must_use]
pub fn format_units(value: Amount, decimals: u32) -> String {
    let digits = value.to_string();
    let d = decimals as usize;
    if d == 0 {
        return digits;
    }
    let padded = if digits.len() <= d {
        format!("{}{}", "0".repeat(d + 1 - digits.len()), digits)
    } else {
        digits
    };
    let (int, frac) = padded.split_at(padded.len() - d);
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        int.to_string()
    } else {
        format!("{int}.{frac}")
    }
}

/// `floor(a · b / c)` with a 256-bit intermediate product, the proportional
/// split of the haircut model. Returns 0 when `c` is 0. The result fits in
/// `u128` whenever `b <= c` (a share of `a`), which is how the models call it;
/// otherwise it saturates at `u128::MAX`.
///
/// # Examples
///
/// ```
/// use fundtrace::amount::mul_div_floor;
/// assert_eq!(mul_div_floor(5, 5, 10), 2);
/// assert_eq!(mul_div_floor(u128::MAX, u128::MAX, u128::MAX), u128::MAX);
/// ```
#[must_use]
pub fn mul_div_floor(a: Amount, b: Amount, c: Amount) -> Amount {
    if c == 0 {
        return 0;
    }
    let q = (U256::from(a) * U256::from(b)) / U256::from(c);
    u128::try_from(q).unwrap_or(u128::MAX)
}

/// Splits `amount` over `weights` in proportion: `floor(w_i·amount/Σw)` each,
/// then the satoshi the floors leave one each to the largest remainders
/// (ties to the lower index). The floors leave fewer satoshi than there are
/// non-zero weights, so the parts add up to `amount` exactly whenever some
/// weight is non-zero (all parts are 0 otherwise).
pub(crate) fn largest_remainder_split(weights: &[Amount], amount: Amount) -> Vec<Amount> {
    let total: Amount = weights.iter().sum();
    if total == 0 {
        return vec![0; weights.len()];
    }
    let t = U256::from(amount);
    let v = U256::from(total);
    let mut shares: Vec<Amount> = weights
        .iter()
        .map(|&w| u128::try_from(U256::from(w) * t / v).unwrap_or(u128::MAX))
        .collect();
    let given: Amount = shares.iter().sum();
    let mut left = amount.saturating_sub(given);
    if left > 0 {
        let mut order: Vec<(U256, usize)> = weights
            .iter()
            .zip(&shares)
            .enumerate()
            .map(|(j, (&w, &s))| (U256::from(w) * t - U256::from(s) * v, j))
            .collect();
        order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, j) in order {
            if left == 0 {
                break;
            }
            if weights[j] > 0 {
                shares[j] += 1;
                left -= 1;
            }
        }
    }
    shares
}

/// Serializes an amount (`u128`) as a decimal string (JSON numbers cannot
/// hold a `u128` exactly in most readers).
///
/// Use with `#[serde(serialize_with = "crate::amount::amount_string")]`.
///
/// # Errors
///
/// Whatever the serializer returns.
pub fn amount_string<S: serde::Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decimal_parsing_is_exact() {
        assert_eq!(parse_decimal_units("0", 18), Ok(0));
        assert_eq!(parse_decimal_units(".5", 1), Ok(5));
        assert_eq!(parse_decimal_units("5.", 1), Ok(50));
        assert_eq!(parse_decimal_units("1,000.25", 2), Ok(100_025));
        assert_eq!(parse_decimal_units("0.10", 1), Ok(1));
        assert_eq!(
            parse_decimal_units("0.001", 2),
            Err(AmountError::TooManyDecimals { decimals: 2 })
        );
        assert_eq!(parse_decimal_units("-1", 0), Err(AmountError::Negative));
        assert_eq!(parse_decimal_units("1e5", 0), Err(AmountError::NotDecimal));
        assert_eq!(parse_decimal_units(".", 0), Err(AmountError::NotDecimal));
        assert_eq!(
            parse_decimal_units("340282366920938463463374607431768211456", 0),
            Err(AmountError::Overflow)
        );
        assert_eq!(
            parse_decimal_units("340282366920938463463.374607431768211455", 18),
            Ok(u128::MAX)
        );
    }

    #[test]
    fn base_units_reject_garbage() {
        assert_eq!(parse_base_units(""), Err(AmountError::Empty));
        assert_eq!(parse_base_units("12a"), Err(AmountError::NotDecimal));
        assert_eq!(parse_base_units("0x"), Err(AmountError::NotDecimal));
        assert_eq!(
            parse_base_units("340282366920938463463374607431768211456"),
            Err(AmountError::Overflow)
        );
        assert_eq!(
            parse_base_units("0x1ffffffffffffffffffffffffffffffff"),
            Err(AmountError::Overflow)
        );
        assert_eq!(
            parse_base_units("0x00000000000000000000000000000000000001"),
            Ok(1)
        );
    }

    proptest! {
        #[test]
        fn base_units_agree_with_std(v in any::<u128>(), zeros in 0usize..25, extra in 0u8..3) {
            let mut text = "0".repeat(zeros) + &v.to_string();
            // Sometimes one digit more, which may overflow.
            if extra > 0 {
                text.push(char::from(b'0' + extra));
            }
            let expected = text.parse::<u128>().map_err(|_| AmountError::Overflow);
            prop_assert_eq!(parse_base_units(&text), expected);
        }

        #[test]
        fn format_then_parse_round_trips(v in any::<u128>(), d in 0u32..30) {
            prop_assert_eq!(parse_decimal_units(&format_units(v, d), d), Ok(v));
        }

        #[test]
        fn mul_div_matches_u128_when_small(a in 0u128..1<<60, b in 0u128..1<<60, c in 1u128..1<<60) {
            prop_assert_eq!(mul_div_floor(a, b, c), a * b / c);
        }

        #[test]
        fn share_never_exceeds_whole(a in any::<u128>(), b in any::<u128>(), c in any::<u128>()) {
            prop_assume!(b <= c && c > 0);
            prop_assert!(mul_div_floor(a, b, c) <= a);
        }
    }
}
