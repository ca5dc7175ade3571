//! The period a report covers, from `--since` and `--until`.
//!
//! Figures are counted by whole UTC days of receipt. `--until` names the
//! last day (a date, or a moment whose day is taken); `--since` is a number
//! of days ending there (`30d`) or a first date. The period before, of the
//! same length, is what "change" compares against.

use crate::relay::store::analytics::{day_of, Span, DAY_MS};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

/// A run with no end this long after its last event counts as abandoned.
pub const ABANDONED_AFTER_MS: i64 = 30 * 60 * 1000;

/// The period of a report and the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub span: Span,
    /// First day of the period before (its last is `span.first_day - 1`).
    pub previous_first_day: i64,
}

impl Period {
    /// Days in the period.
    pub fn days(&self) -> i64 {
        self.span.last_day - self.span.first_day + 1
    }

    /// The period from the flags' text; `now_ms` is the current time.
    pub fn parse(since: &str, until: Option<&str>, now_ms: i64) -> Result<Period, String> {
        let (last_day, judged_at) = match until {
            None => (day_of(now_ms), now_ms),
            Some(text) => parse_until(text.trim(), now_ms)?,
        };
        let since = since.trim();
        let first_day = if let Some(n) = since.strip_suffix('d') {
            let days: i64 = n.parse().ok().filter(|d| (1..=3660).contains(d)).ok_or_else(|| {
                format!("--since {since:?}: use a number of days from 1 to 3660 (30d) or a date (2026-11-01)")
            })?;
            last_day - days + 1
        } else {
            let date = parse_date(since).ok_or_else(|| {
                format!("--since {since:?}: use a number of days (30d) or a date (2026-11-01)")
            })?;
            let day = day_number(date);
            if day > last_day {
                return Err(format!(
                    "--since {since} is after --until ({})",
                    date_text(last_day)
                ));
            }
            day
        };
        let days = last_day - first_day + 1;
        Ok(Period {
            span: Span {
                first_day,
                last_day,
                abandoned_before_ms: judged_at - ABANDONED_AFTER_MS,
            },
            previous_first_day: first_day - days,
        })
    }
}

/// `--until`: a date (that whole day; open runs are judged now, or at the
/// day's end if it has passed) or an RFC 3339 moment (judged then).
fn parse_until(text: &str, now_ms: i64) -> Result<(i64, i64), String> {
    if let Some(date) = parse_date(text) {
        let day = day_number(date);
        return Ok((day, now_ms.min((day + 1) * DAY_MS)));
    }
    match OffsetDateTime::parse(text, &Rfc3339) {
        Ok(moment) => {
            let ms = i64::try_from(moment.unix_timestamp_nanos() / 1_000_000)
                .map_err(|_| format!("--until {text:?} is out of range"))?;
            Ok((day_of(ms), ms))
        }
        Err(_) => Err(format!(
            "--until {text:?}: use a date (2026-11-30) or a moment (2026-11-30T14:00:00Z)"
        )),
    }
}

fn parse_date(text: &str) -> Option<Date> {
    Date::parse(text, format_description!("[year]-[month]-[day]")).ok()
}

/// Julian day number of 1970-01-01.
const UNIX_EPOCH_JULIAN_DAY: i64 = 2_440_588;

fn day_number(date: Date) -> i64 {
    i64::from(date.to_julian_day()) - UNIX_EPOCH_JULIAN_DAY
}

/// A day number as `YYYY-MM-DD`.
pub fn date_text(day: i64) -> String {
    i32::try_from(day + UNIX_EPOCH_JULIAN_DAY)
        .ok()
        .and_then(|jd| Date::from_julian_day(jd).ok())
        .and_then(|d| d.format(format_description!("[year]-[month]-[day]")).ok())
        .unwrap_or_else(|| format!("day {day}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-11-30T12:00:00Z
    const NOON: i64 = 1_796_040_000_000;

    #[test]
    fn thirty_days_end_today_and_compare_with_the_thirty_before() {
        let p = Period::parse("30d", None, NOON).unwrap();
        assert_eq!(date_text(p.span.last_day), "2026-11-30");
        assert_eq!(date_text(p.span.first_day), "2026-11-01");
        assert_eq!(p.days(), 30);
        assert_eq!(date_text(p.previous_first_day), "2026-10-02");
        assert_eq!(p.span.abandoned_before_ms, NOON - ABANDONED_AFTER_MS);
    }

    #[test]
    fn until_a_date_or_a_moment() {
        let p = Period::parse("2026-11-01", Some("2026-11-07"), NOON).unwrap();
        assert_eq!(p.days(), 7);
        // A past day is judged at its end.
        assert_eq!(
            p.span.abandoned_before_ms,
            (day_of(NOON) - 22) * DAY_MS - ABANDONED_AFTER_MS
        );
        let p = Period::parse("1d", Some("2026-11-30T13:00:00Z"), NOON).unwrap();
        assert_eq!(p.span.first_day, p.span.last_day);
        assert_eq!(
            p.span.abandoned_before_ms,
            NOON + 3_600_000 - ABANDONED_AFTER_MS
        );
    }

    #[test]
    fn bad_values_are_named() {
        let err = Period::parse("yesterday", None, NOON).unwrap_err();
        assert!(err.contains("--since \"yesterday\""), "{err}");
        let err = Period::parse("0d", None, NOON).unwrap_err();
        assert!(err.contains("--since"), "{err}");
        let err = Period::parse("30d", Some("2026-13-01"), NOON).unwrap_err();
        assert!(err.contains("--until \"2026-13-01\""), "{err}");
        let err = Period::parse("2026-12-01", Some("2026-11-30"), NOON).unwrap_err();
        assert!(err.contains("after --until"), "{err}");
    }
}
