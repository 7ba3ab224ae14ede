//! The work calendar: office hours on working days, and a table of holidays and adjusted working
//! days (调休) that overrides the Monday–Friday rule.
//!
//! Working time is counted in seconds. A prefix table of working seconds per day (1990–2149)
//! makes "working seconds between two instants" O(1) and "the instant after N working seconds"
//! O(log days), so the deadlines of every open case can be recomputed in milliseconds.

use crate::error::{Error, Result};
use crate::message::{Message, MessageCode as C};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a calendar-table entry makes of a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// 法定节假日: a rest day even if it falls on a weekday.
    Holiday,
    /// 调休上班: a working day even if it falls on a weekend.
    Workday,
}

impl DayKind {
    /// Stable key used in storage and files (`holiday`, `workday`).
    pub fn key(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::Workday => "workday",
        }
    }
    /// Parses the key or the Chinese label (节假日 / 休, 调休上班 / 班).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "holiday" | "节假日" | "休" | "假" => Some(DayKind::Holiday),
            "workday" | "调休上班" | "班" | "上班" => Some(DayKind::Workday),
            _ => None,
        }
    }
}

/// One entry of the holiday / adjusted-working-day table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CalendarDay {
    pub date: NaiveDate,
    pub kind: DayKind,
    /// Festival or reason, e.g. `春节`.
    pub note: String,
}

/// One office period of a working day, in seconds after midnight (`start < end ≤ 86 400`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OfficePeriod {
    pub start: u32,
    pub end: u32,
}

impl OfficePeriod {
    /// A period from `HH:MM` to `HH:MM` (`24:00` allowed as an end).
    pub fn parse(s: &str) -> Result<Self> {
        let bad = |why: &str| {
            Error::Invalid(
                Message::new(C::OfficePeriodInvalid)
                    .text("value", s)
                    .en(format!("office period `{s}`: {why}")),
            )
        };
        let (a, b) = s
            .trim()
            .split_once('-')
            .ok_or_else(|| bad("expected HH:MM-HH:MM"))?;
        let hm = |t: &str| -> Result<u32> {
            let (h, m) = t
                .trim()
                .split_once(':')
                .ok_or_else(|| bad("expected HH:MM"))?;
            let h: u32 = h.trim().parse().map_err(|_| bad("hour is not a number"))?;
            let m: u32 = m
                .trim()
                .parse()
                .map_err(|_| bad("minute is not a number"))?;
            if m >= 60 || h > 24 || (h == 24 && m > 0) {
                return Err(bad("time out of range"));
            }
            Ok(h * 3600 + m * 60)
        };
        let p = OfficePeriod {
            start: hm(a)?,
            end: hm(b)?,
        };
        if p.start >= p.end {
            return Err(bad("the period must end after it starts"));
        }
        Ok(p)
    }

    fn len(self) -> i64 {
        i64::from(self.end - self.start)
    }
}

impl std::fmt::Display for OfficePeriod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:02}:{:02}-{:02}:{:02}",
            self.start / 3600,
            self.start / 60 % 60,
            self.end / 3600,
            self.end / 60 % 60
        )
    }
}

/// Parses office hours written as `08:00-12:00,14:00-18:00`.
pub fn parse_office_hours(s: &str) -> Result<Vec<OfficePeriod>> {
    let mut v = s
        .split(',')
        .filter(|p| !p.trim().is_empty())
        .map(OfficePeriod::parse)
        .collect::<Result<Vec<_>>>()?;
    check_periods(&mut v)?;
    Ok(v)
}

/// Formats office hours as [`parse_office_hours`] reads them.
pub fn format_office_hours(p: &[OfficePeriod]) -> String {
    p.iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

fn check_periods(v: &mut [OfficePeriod]) -> Result<()> {
    v.sort();
    if v.is_empty() {
        return Err(Error::Invalid(
            Message::new(C::OfficeHoursEmpty).en("office hours: at least one period is needed"),
        ));
    }
    for w in v.windows(2) {
        if w[1].start < w[0].end {
            return Err(Error::Invalid(
                Message::new(C::OfficeHoursOverlap)
                    .text("a", w[0])
                    .text("b", w[1])
                    .en(format!("office hours: {} overlaps {}", w[0], w[1])),
            ));
        }
    }
    Ok(())
}

/// First and last day (exclusive) covered by the prefix table.
const TABLE_FROM: (i32, u32, u32) = (1990, 1, 1);
const TABLE_DAYS: usize = 160 * 366;

/// A work calendar: office periods of a working day plus the holiday / adjusted-working-day
/// table. Cheap to query; rebuild (with [`WorkCalendar::new`]) after editing.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkCalendar {
    periods: Vec<OfficePeriod>,
    days: BTreeMap<NaiveDate, CalendarDay>,
    /// `prefix[i]` = working seconds in the days before `first + i`.
    prefix: Vec<i64>,
    first: i64,
}

impl Default for WorkCalendar {
    fn default() -> Self {
        Self::standard(Vec::new())
    }
}

fn day_number(d: NaiveDate) -> i64 {
    i64::from(d.num_days_from_ce())
}

impl WorkCalendar {
    /// The usual office hours 08:00–12:00 and 14:00–18:00 (8 working hours a day) with the
    /// given holiday table.
    pub fn standard(days: Vec<CalendarDay>) -> Self {
        let periods = vec![
            OfficePeriod {
                start: 8 * 3600,
                end: 12 * 3600,
            },
            OfficePeriod {
                start: 14 * 3600,
                end: 18 * 3600,
            },
        ];
        // The standard periods are valid by construction.
        Self::build(periods, days)
    }

    /// A calendar with these office periods (sorted, non-overlapping) and holiday table.
    pub fn new(mut periods: Vec<OfficePeriod>, days: Vec<CalendarDay>) -> Result<Self> {
        check_periods(&mut periods)?;
        Ok(Self::build(periods, days))
    }

    fn build(periods: Vec<OfficePeriod>, days: Vec<CalendarDay>) -> Self {
        let days: BTreeMap<NaiveDate, CalendarDay> =
            days.into_iter().map(|d| (d.date, d)).collect();
        let first_date = NaiveDate::from_ymd_opt(TABLE_FROM.0, TABLE_FROM.1, TABLE_FROM.2)
            .unwrap_or(NaiveDate::MIN);
        let mut cal = Self {
            periods,
            days,
            prefix: Vec::new(),
            first: day_number(first_date),
        };
        let per_day = cal.day_seconds();
        let mut prefix = Vec::with_capacity(TABLE_DAYS + 1);
        let mut acc = 0i64;
        prefix.push(0);
        let mut d = first_date;
        for _ in 0..TABLE_DAYS {
            if cal.is_working_day(d) {
                acc += per_day;
            }
            prefix.push(acc);
            d = d.succ_opt().unwrap_or(d);
        }
        cal.prefix = prefix;
        cal
    }

    /// The office periods of a working day.
    pub fn periods(&self) -> &[OfficePeriod] {
        &self.periods
    }

    /// The holiday / adjusted-working-day entries, by date.
    pub fn days(&self) -> impl Iterator<Item = &CalendarDay> {
        self.days.values()
    }

    /// Working seconds in one working day (8 h = 28 800 s for the standard hours).
    pub fn day_seconds(&self) -> i64 {
        self.periods.iter().map(|p| p.len()).sum()
    }

    /// Whether `d` is a working day: the table decides, otherwise Monday–Friday.
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        match self.days.get(&d).map(|e| e.kind) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::Workday) => true,
            None => !matches!(d.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// Working seconds in the days before `day` (relative to the table's first day; days outside
    /// the table are counted one by one).
    fn prefix_at(&self, day: i64) -> i64 {
        let i = day - self.first;
        if (0..self.prefix.len() as i64).contains(&i) {
            return self.prefix[i as usize];
        }
        let per_day = self.day_seconds();
        let working = |n: i64| {
            NaiveDate::from_num_days_from_ce_opt(n as i32).is_some_and(|d| self.is_working_day(d))
        };
        if i < 0 {
            -((day..self.first).filter(|&n| working(n)).count() as i64) * per_day
        } else {
            let last = self.first + self.prefix.len() as i64 - 1;
            self.prefix[self.prefix.len() - 1]
                + (last..day).filter(|&n| working(n)).count() as i64 * per_day
        }
    }

    /// Working seconds of a working day done by `sec` seconds after midnight.
    fn done_by(&self, sec: u32) -> i64 {
        self.periods
            .iter()
            .map(|p| i64::from(sec.clamp(p.start, p.end) - p.start))
            .sum()
    }

    /// Working seconds from the calendar's origin to `t` (a monotone "working clock").
    pub fn working_clock(&self, t: NaiveDateTime) -> i64 {
        let d = t.date();
        let base = self.prefix_at(day_number(d));
        if self.is_working_day(d) {
            base + self.done_by(t.num_seconds_from_midnight())
        } else {
            base
        }
    }

    /// Working seconds between two instants (negative if `b` is before `a`).
    pub fn working_seconds(&self, a: NaiveDateTime, b: NaiveDateTime) -> i64 {
        self.working_clock(b) - self.working_clock(a)
    }

    /// The earliest instant at or after which `secs` working seconds have passed since `start`
    /// (for `secs > 0` always inside or at the end of an office period).
    pub fn add_working(&self, start: NaiveDateTime, secs: i64) -> NaiveDateTime {
        if secs <= 0 {
            return start;
        }
        let target = self.working_clock(start) + secs;
        // The day whose working time reaches the target: the smallest day d with
        // prefix(d + 1) >= target.
        let start_day = day_number(start.date());
        let per_day = self.day_seconds().max(1);
        let day = {
            let lo_i = start_day - self.first;
            if lo_i >= 0 && lo_i < self.prefix.len() as i64 - 1 {
                let slice = &self.prefix[(lo_i as usize + 1)..];
                let k = slice.partition_point(|&p| p < target);
                if k < slice.len() {
                    Some(start_day + k as i64)
                } else {
                    None
                }
            } else {
                None
            }
        };
        let day = day.unwrap_or_else(|| {
            // Outside the table: walk day by day (at least one working day a week exists
            // unless the table says otherwise; give up after a century).
            let mut d = start_day;
            while self.prefix_at(d + 1) < target && d < start_day + 36_600 + secs / per_day * 7 {
                d += 1;
            }
            d
        });
        let mut rem = target - self.prefix_at(day);
        let date = NaiveDate::from_num_days_from_ce_opt(day as i32).unwrap_or(start.date());
        for p in &self.periods {
            if rem <= p.len() {
                let sec = p.start as i64 + rem;
                return at_seconds(date, sec);
            }
            rem -= p.len();
        }
        at_seconds(date, self.periods.last().map_or(0, |p| p.end as i64))
    }
}

/// `date` plus `sec` seconds after midnight (`sec` may be 86 400, the next midnight).
fn at_seconds(date: NaiveDate, sec: i64) -> NaiveDateTime {
    date.and_time(NaiveTime::MIN) + Duration::seconds(sec)
}

/// Reads a holiday table CSV with a header `date,kind,festival` (`kind` = `holiday` or
/// `workday`), as shipped in `resources/codes/calendar_cn_2026.csv`. `file` names the source in
/// errors, which give the line and field.
pub fn parse_calendar_csv(file: &str, text: &str) -> Result<Vec<CalendarDay>> {
    let t = crate::csvtable::CsvTable::parse(file, text)?;
    t.require(&["date", "kind"])?;
    let note_col = if t.col("festival").is_some() {
        "festival"
    } else {
        "note"
    };
    let mut out: Vec<CalendarDay> = Vec::new();
    let mut seen = BTreeMap::new();
    for row in t.rows() {
        let ds = row.get("date");
        let date = NaiveDate::parse_from_str(ds, "%Y-%m-%d").map_err(|_| {
            row.err(
                "date",
                Message::new(C::NotADate)
                    .text("value", ds)
                    .en(format!("`{ds}` is not a YYYY-MM-DD date")),
            )
        })?;
        let ks = row.get("kind");
        let kind = DayKind::parse(ks).ok_or_else(|| {
            row.err(
                "kind",
                Message::new(C::NotADayKind)
                    .text("value", ks)
                    .en(format!("`{ks}` is neither `holiday` nor `workday`")),
            )
        })?;
        if let Some(prev) = seen.insert(date, row.line()) {
            return Err(row.err(
                "date",
                Message::new(C::DateListedTwice)
                    .text("date", date)
                    .int("line", prev)
                    .en(format!("{date} is listed twice (also on line {prev})")),
            ));
        }
        out.push(CalendarDay {
            date,
            kind,
            note: row.get(note_col).to_string(),
        });
    }
    Ok(out)
}

/// The 2026 Chinese public holidays and adjusted working days (State Council notice of
/// 2025-11-04), compiled in from `resources/codes/calendar_cn_2026.csv`.
pub fn china_2026() -> Vec<CalendarDay> {
    const CSV: &str = include_str!("../../../../resources/codes/calendar_cn_2026.csv");
    parse_calendar_csv("calendar_cn_2026.csv", CSV).unwrap_or_default()
}
