//! Wall-clock times as UTC calendar dates, without a date crate.

/// `[year, month, day, hour, minute, second]` in UTC for milliseconds since
/// the Unix epoch (Howard Hinnant's days-to-civil algorithm).
pub fn utc_parts(ms: i64) -> [i64; 6] {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    [year, month, day, rem / 3600, rem % 3600 / 60, rem % 60]
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(utc_parts(0), [1970, 1, 1, 0, 0, 0]);
        // 2024-02-29T23:59:59Z, a leap day.
        assert_eq!(utc_parts(1_709_251_199_000), [2024, 2, 29, 23, 59, 59]);
        assert_eq!(utc_parts(-1_000), [1969, 12, 31, 23, 59, 59]);
    }
}
