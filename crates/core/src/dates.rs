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

/// Formats a date-time as stored (`YYYY-MM-DD HH:MM:SS`), from the integer fields (cheaper than
/// interpreting a strftime pattern for every one of a million cases).
pub fn format_datetime(t: &NaiveDateTime) -> String {
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
