//! Block times as exports write them: unix seconds, or UTC date-times
//! (`2023-05-02 12:19:59 UTC`, `2023-05-02T12:19:59Z`).

/// Parses a time; `None` if it is neither unix seconds nor a UTC date-time.
pub(crate) fn parse_time(s: &str) -> Option<u64> {
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok();
    }
    let s = s
        .strip_suffix(" UTC")
        .or_else(|| s.strip_suffix('Z'))
        .or_else(|| s.strip_suffix("+00:00"))
        .unwrap_or(s);
    let b = s.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || (b[10] != b' ' && b[10] != b'T') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u64> {
        let t = s.get(r)?;
        if t.bytes().all(|c| c.is_ascii_digit()) {
            t.parse().ok()
        } else {
            None
        }
    };
    // Fractional seconds are allowed and dropped (block times are whole seconds).
    if b.len() > 19 && (b[19] != b'.' || !b[20..].iter().all(u8::is_ascii_digit)) {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60
    {
        return None;
    }
    let days = days_from_civil(y as i64, mo as i64, d as i64);
    if days < 0 {
        return None;
    }
    Some(days as u64 * 86_400 + h * 3600 + mi * 60 + sec)
}

/// Days in month `m` (1–12) of year `y`, proleptic Gregorian.
fn days_in_month(y: u64, m: u64) -> u64 {
    match m {
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_unix_and_utc_forms() {
        assert_eq!(parse_time("1683029999"), Some(1_683_029_999));
        assert_eq!(parse_time("2023-05-02 12:19:59 UTC"), Some(1_683_029_999));
        assert_eq!(parse_time("2023-05-02T12:19:59Z"), Some(1_683_029_999));
        assert_eq!(parse_time("2025-02-21 14:29:47"), Some(1_740_148_187));
        assert_eq!(parse_time("1970-01-01 00:00:00"), Some(0));
        assert_eq!(
            parse_time("2023-05-02 12:19:59.000 UTC"),
            Some(1_683_029_999)
        );
        assert_eq!(parse_time("2023-13-02 12:19:59"), None);
        // Days that do not exist.
        assert_eq!(parse_time("2023-02-31 00:00:00"), None);
        assert_eq!(parse_time("2023-02-29 00:00:00"), None);
        assert_eq!(parse_time("2024-02-30 00:00:00"), None);
        assert_eq!(parse_time("2023-04-31 00:00:00"), None);
        assert_eq!(parse_time("1900-02-29 00:00:00"), None);
        assert_eq!(parse_time("2024-02-29 00:00:00"), Some(1_709_164_800));
        assert_eq!(parse_time("2000-02-29 00:00:00"), Some(951_782_400));
        assert_eq!(parse_time("yesterday"), None);
        assert_eq!(parse_time(""), None);
    }
}
