//! Dates and date-times as the store and the exchange files write them: `YYYY-MM-DD` and
//! `YYYY-MM-DD HH:MM:SS`.

use crate::error::{Error, Result};
use chrono::{NaiveDate, NaiveDateTime};

/// A date as stored.
pub const DATE_FMT: &str = "%Y-%m-%d";
/// A date-time as stored.
pub const DATETIME_FMT: &str = "%Y-%m-%d %H:%M:%S";

/// Parses `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), DATE_FMT)
        .map_err(|e| Error::Internal(format!("date `{s}`: {e}")))
}

/// Parses `YYYY-MM-DD HH:MM:SS` (also accepts a `T` separator, or no seconds).
pub fn parse_datetime(s: &str) -> Result<NaiveDateTime> {
    let t = s.trim();
    if let Some(dt) = parse_datetime_fast(t.as_bytes()) {
        return Ok(dt);
    }
    NaiveDateTime::parse_from_str(t, DATETIME_FMT)
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M"))
        .map_err(|e| Error::Internal(format!("date-time `{s}`: {e}")))
}

/// The stored form `YYYY-MM-DD HH:MM:SS`, read without chrono's format machinery (a million
/// cases are read on every open).
fn parse_datetime_fast(b: &[u8]) -> Option<NaiveDateTime> {
    if b.len() != 19
        || b[4] != b'-'
        || b[7] != b'-'
        || !(b[10] == b' ' || b[10] == b'T')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let date = NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?;
    date.and_hms_opt(num(11..13)?, num(14..16)?, num(17..19)?)
}

/// Formats a date-time as stored (`YYYY-MM-DD HH:MM:SS`), digit by digit (cheaper than any
/// format machinery for every one of a million cases and their histories).
pub fn format_datetime(t: &NaiveDateTime) -> String {
    match datetime_bytes(t) {
        Some(b) => b.iter().map(|&c| char::from(c)).collect(),
        None => {
            use chrono::{Datelike, Timelike};
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
                t.year(),
                t.month(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            )
        }
    }
}

/// The stored form's 19 ASCII bytes, for years 0–9999 (`None` outside them).
pub fn datetime_bytes(t: &NaiveDateTime) -> Option<[u8; 19]> {
    use chrono::{Datelike, Timelike};
    let y = u32::try_from(t.year()).ok().filter(|y| *y <= 9999)?;
    let mut b = *b"0000-00-00 00:00:00";
    let two = |b: &mut [u8; 19], at: usize, v: u32| {
        b[at] = b'0' + (v / 10 % 10) as u8;
        b[at + 1] = b'0' + (v % 10) as u8;
    };
    two(&mut b, 0, y / 100);
    two(&mut b, 2, y);
    two(&mut b, 5, t.month());
    two(&mut b, 8, t.day());
    two(&mut b, 11, t.hour());
    two(&mut b, 14, t.minute());
    two(&mut b, 17, t.second());
    Some(b)
}

/// The one date rule of every case filter (the case list, the statistics, the map layers, the
/// bulletin): a case is selected by the day it was reported on, both days inclusive. As a
/// moment range it is half-open, `[from 00:00, to + 1 day 00:00)`, so a case reported at 23:59
/// on the last day is in and one reported at 00:00 the next day is out.
pub fn day_bounds(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> (Option<NaiveDateTime>, Option<NaiveDateTime>) {
    let start = |d: NaiveDate| d.and_time(chrono::NaiveTime::MIN);
    (from.map(start), to.and_then(|d| d.succ_opt()).map(start))
}

/// Whether a case reported at `at` falls in the days `from`..=`to` ([`day_bounds`]).
pub fn in_days(at: NaiveDateTime, from: Option<NaiveDate>, to: Option<NaiveDate>) -> bool {
    let (a, b) = day_bounds(from, to);
    a.is_none_or(|a| at >= a) && b.is_none_or(|b| at < b)
}

#[cfg(test)]
mod day_tests {
    use super::*;

    #[test]
    fn the_last_day_is_in_until_midnight() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let t = |s: &str| parse_datetime(s).unwrap_or_default();
        let (from, to) = (d("2026-03-01"), d("2026-03-31"));
        assert!(in_days(t("2026-03-01 00:00:00"), from, to));
        assert!(in_days(t("2026-03-31 23:59:59"), from, to));
        assert!(!in_days(t("2026-04-01 00:00:00"), from, to));
        assert!(!in_days(t("2026-02-28 23:59:59"), from, to));
        assert!(in_days(t("1999-01-01 00:00:00"), None, None));
    }
}
