//! Wall-clock times as UTC calendar dates, through the `time` crate that
//! `signpost report` also reads dates with.

use time::OffsetDateTime;

/// `[year, month, day, hour, minute, second]` in UTC for milliseconds since
/// the Unix epoch.
pub fn utc_parts(ms: i64) -> [i64; 6] {
    let t = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    [
        i64::from(t.year()),
        i64::from(u8::from(t.month())),
        i64::from(t.day()),
        i64::from(t.hour()),
        i64::from(t.minute()),
        i64::from(t.second()),
    ]
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
