//! Working-time clocks (SPEC §4.6): time units, deadlines, used time, remaining time and the
//! overdue multiple, against a [`WorkCalendar`].
//!
//! # Units
//! * **工作时** [`TimeUnit::WorkHour`]: an hour of office time on a working day.
//! * **工作日** [`TimeUnit::WorkDay`]: one working day's office time (8 工作时 with the standard
//!   hours); "1 工作日" reported Monday 10:00 is due Tuesday 10:00, and on Friday 10:00 the
//!   next Monday 10:00.
//! * **紧急工作时** [`TimeUnit::UrgentHour`]: an hour of the natural clock, nights, weekends
//!   and holidays included.
//! * **自然日** [`TimeUnit::CalendarDay`]: 24 hours of the natural clock.
//!
//! Working units are measured on the *working clock* ([`Metric::Working`]), natural units on the
//! wall clock ([`Metric::Natural`]); both in seconds.
//!
//! # Bundle deadline
//! A stage's deadline is the earliest instant at which the time used since the stage started —
//! hang-up (挂账) intervals excluded — reaches the limit plus the approved extensions (the
//! eGova "bundle deadline"). While a hang-up is open the clock is stopped and the deadline is
//! not fixed yet ([`StageClock::deadline`] is `None`); the remaining time is frozen at its value
//! when the hang-up began. The overdue multiple (超时倍数) is `(used − limit) / limit`, with the
//! limit including extensions.

pub mod calendar;

pub use calendar::{CalendarDay, DayKind, OfficePeriod, WorkCalendar};

use crate::error::{Error, Result};
use crate::message::{Message, MessageCode as C};
use chrono::{Duration, NaiveDateTime};
use serde::{Deserialize, Serialize};

/// Which clock a unit is measured on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Office time on working days only.
    Working,
    /// The wall clock, continuously.
    Natural,
}

/// A unit of a time limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    /// 工作时
    WorkHour,
    /// 紧急工作时 (continuous)
    UrgentHour,
    /// 工作日
    WorkDay,
    /// 自然日
    CalendarDay,
}

impl TimeUnit {
    /// Every unit.
    pub const ALL: [TimeUnit; 4] = [
        TimeUnit::WorkHour,
        TimeUnit::UrgentHour,
        TimeUnit::WorkDay,
        TimeUnit::CalendarDay,
    ];

    /// Stable key used in storage and files.
    pub fn key(self) -> &'static str {
        match self {
            TimeUnit::WorkHour => "work_hour",
            TimeUnit::UrgentHour => "urgent_hour",
            TimeUnit::WorkDay => "work_day",
            TimeUnit::CalendarDay => "calendar_day",
        }
    }

    /// Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            TimeUnit::WorkHour => "工作时",
            TimeUnit::UrgentHour => "紧急工作时",
            TimeUnit::WorkDay => "工作日",
            TimeUnit::CalendarDay => "自然日",
        }
    }

    /// Parses the key or the Chinese label.
    pub fn parse(s: &str) -> Option<Self> {
        let t = s.trim();
        Self::ALL
            .into_iter()
            .find(|u| u.key().eq_ignore_ascii_case(t) || u.zh() == t)
    }

    /// The clock this unit is measured on.
    pub fn metric(self) -> Metric {
        match self {
            TimeUnit::WorkHour | TimeUnit::WorkDay => Metric::Working,
            TimeUnit::UrgentHour | TimeUnit::CalendarDay => Metric::Natural,
        }
    }

    /// Length of one unit in seconds of its metric.
    pub fn seconds(self, cal: &WorkCalendar) -> i64 {
        match self {
            TimeUnit::WorkHour | TimeUnit::UrgentHour => 3600,
            TimeUnit::WorkDay => cal.day_seconds(),
            TimeUnit::CalendarDay => 86_400,
        }
    }
}

/// A time limit: an amount of a unit, e.g. 5 工作时.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TimeLimit {
    pub amount: f64,
    pub unit: TimeUnit,
}

impl TimeLimit {
    /// A limit; the amount must be finite and positive.
    pub fn new(amount: f64, unit: TimeUnit) -> Result<Self> {
        if !amount.is_finite() || amount <= 0.0 {
            return Err(Error::Invalid(
                Message::new(C::TimeLimitNotPositive)
                    .num("amount", amount)
                    .term("unit", unit)
                    .en(format!(
                        "time limit {amount} {}: the amount must be a positive number",
                        unit.zh()
                    )),
            ));
        }
        Ok(Self { amount, unit })
    }

    /// The limit in seconds of its metric (rounded to the second).
    pub fn seconds(&self, cal: &WorkCalendar) -> i64 {
        (self.amount * self.unit.seconds(cal) as f64).round() as i64
    }
}

impl std::fmt::Display for TimeLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.amount, self.unit.zh())
    }
}

/// A time interval `[start, end)`; `end = None` while it is still open (a running hang-up).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interval {
    pub start: NaiveDateTime,
    pub end: Option<NaiveDateTime>,
}

impl WorkCalendar {
    /// Seconds of `metric` between two instants (negative if `b` is before `a`).
    pub fn measure(&self, metric: Metric, a: NaiveDateTime, b: NaiveDateTime) -> i64 {
        match metric {
            Metric::Working => self.working_seconds(a, b),
            Metric::Natural => (b - a).num_seconds(),
        }
    }

    /// The earliest instant at which `secs` seconds of `metric` have passed since `start`.
    pub fn advance(&self, metric: Metric, start: NaiveDateTime, secs: i64) -> NaiveDateTime {
        match metric {
            Metric::Working => self.add_working(start, secs),
            Metric::Natural => start + Duration::seconds(secs.max(0)),
        }
    }

    /// `deadline(start, limit)`: the earliest instant at which `limit` has been used since
    /// `start` (no hang-ups, no extensions).
    pub fn deadline(&self, start: NaiveDateTime, limit: TimeLimit) -> NaiveDateTime {
        self.advance(limit.unit.metric(), start, limit.seconds(self))
    }

    /// `used(start, end, unit)`: the time from `start` to `end` in `unit` (negative if `end` is
    /// before `start`).
    pub fn used(&self, start: NaiveDateTime, end: NaiveDateTime, unit: TimeUnit) -> f64 {
        self.measure(unit.metric(), start, end) as f64 / unit.seconds(self).max(1) as f64
    }

    /// Seconds of `metric` from `start` to `end`, hang-up intervals excluded (an open hang-up
    /// counts as lasting until `end`).
    pub fn used_excluding(
        &self,
        metric: Metric,
        start: NaiveDateTime,
        end: NaiveDateTime,
        hangs: &[Interval],
    ) -> i64 {
        if end <= start {
            return 0;
        }
        let mut total = self.measure(metric, start, end);
        for (h0, h1) in merged(hangs, start, end) {
            total -= self.measure(metric, h0, h1);
        }
        total
    }

    /// The earliest instant at which `secs` seconds of `metric` have been used since `start`,
    /// hang-up intervals excluded; `None` if an open hang-up stops the clock before then.
    pub fn advance_excluding(
        &self,
        metric: Metric,
        start: NaiveDateTime,
        secs: i64,
        hangs: &[Interval],
    ) -> Option<NaiveDateTime> {
        let mut cursor = start;
        let mut left = secs.max(0);
        let mut sorted: Vec<Interval> = hangs.to_vec();
        sorted.sort_by_key(|h| h.start);
        for h in sorted {
            if h.end.is_some_and(|e| e <= cursor) {
                continue;
            }
            let h0 = h.start.max(cursor);
            let d = self.advance(metric, cursor, left);
            if d <= h0 {
                return Some(d);
            }
            left -= self.measure(metric, cursor, h0);
            cursor = h.end?;
        }
        Some(self.advance(metric, cursor, left))
    }
}

/// Hang-up intervals clipped to `[start, end]`, sorted and merged.
fn merged(
    hangs: &[Interval],
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> Vec<(NaiveDateTime, NaiveDateTime)> {
    let mut v: Vec<(NaiveDateTime, NaiveDateTime)> = hangs
        .iter()
        .map(|h| (h.start.max(start), h.end.unwrap_or(end).min(end)))
        .filter(|(a, b)| a < b)
        .collect();
    v.sort();
    let mut out: Vec<(NaiveDateTime, NaiveDateTime)> = Vec::with_capacity(v.len());
    for (a, b) in v {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// The clock of one stage of a case: when it started, its limit, approved extensions and
/// hang-ups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageClock {
    pub start: NaiveDateTime,
    pub limit: TimeLimit,
    /// Approved extensions (延期), in seconds of the limit's metric.
    pub extension_seconds: i64,
    /// Hang-ups (挂账) during the stage; the last may still be open.
    pub hangs: Vec<Interval>,
}

/// Where a stage clock stands at some instant, for lists, panels and map colours.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ClockState {
    /// The bundle deadline; `None` while a hang-up stops the clock.
    pub deadline: Option<NaiveDateTime>,
    /// Limit plus extensions, in seconds of the metric.
    pub limit_seconds: i64,
    /// Used so far (hang-ups excluded), in seconds of the metric.
    pub used_seconds: i64,
    /// `limit_seconds − used_seconds`; negative when overdue.
    pub remaining_seconds: i64,
    /// Used more than the limit.
    pub overdue: bool,
    /// 超时倍数 `(used − limit) / limit`, 0 when not overdue.
    pub overdue_multiple: f64,
    /// The clock is stopped by an open hang-up.
    pub stopped: bool,
    pub metric: Metric,
}

impl StageClock {
    /// Limit plus approved extensions, in seconds of the metric.
    pub fn limit_seconds(&self, cal: &WorkCalendar) -> i64 {
        self.limit.seconds(cal) + self.extension_seconds
    }

    /// Whether an open hang-up stops the clock.
    pub fn stopped(&self) -> bool {
        self.hangs.iter().any(|h| h.end.is_none())
    }

    /// The bundle deadline (module docs); `None` while the clock is stopped.
    pub fn deadline(&self, cal: &WorkCalendar) -> Option<NaiveDateTime> {
        cal.advance_excluding(
            self.limit.unit.metric(),
            self.start,
            self.limit_seconds(cal),
            &self.hangs,
        )
    }

    /// Used time up to `at`, hang-ups excluded, in seconds of the metric.
    pub fn used_seconds(&self, cal: &WorkCalendar, at: NaiveDateTime) -> i64 {
        cal.used_excluding(self.limit.unit.metric(), self.start, at, &self.hangs)
    }

    /// The state of the clock at `now`.
    pub fn state(&self, cal: &WorkCalendar, now: NaiveDateTime) -> ClockState {
        let limit = self.limit_seconds(cal);
        let used = self.used_seconds(cal, now);
        ClockState::from_parts(
            self.deadline(cal),
            limit,
            used,
            self.stopped(),
            self.limit.unit.metric(),
        )
    }
}

impl ClockState {
    /// Builds a state from its parts (the overdue flag and multiple follow from them).
    pub fn from_parts(
        deadline: Option<NaiveDateTime>,
        limit_seconds: i64,
        used_seconds: i64,
        stopped: bool,
        metric: Metric,
    ) -> Self {
        let over = used_seconds - limit_seconds;
        Self {
            deadline,
            limit_seconds,
            used_seconds,
            remaining_seconds: -over,
            overdue: over > 0,
            overdue_multiple: if over > 0 && limit_seconds > 0 {
                over as f64 / limit_seconds as f64
            } else {
                0.0
            },
            stopped,
            metric,
        }
    }
}

/// One change to the stored calendar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum CalendarEdit {
    /// Adds or replaces the entry for a date.
    SetDay(CalendarDay),
    /// Removes the entry for a date (it follows the Monday–Friday rule again).
    ClearDay { date: chrono::NaiveDate },
    /// Replaces the office periods.
    SetOfficeHours { periods: Vec<OfficePeriod> },
}

impl CalendarEdit {
    /// The date the edit sets or clears (`None`: office hours).
    pub fn date(&self) -> Option<chrono::NaiveDate> {
        match self {
            CalendarEdit::SetDay(d) => Some(d.date),
            CalendarEdit::ClearDay { date } => Some(*date),
            CalendarEdit::SetOfficeHours { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests;
