//! What the evaluation reads: one [`EvalCase`] per case with its stage clocks and the people who
//! held each stage, plus the region, department and staff tables ([`EvalInput`]).
//!
//! The case workflow fills these from its tables; the evaluation itself is pure functions over
//! them. Deadlines arrive already converted through the work calendar (SPEC §4.6): `deadline` is
//! start + limit, `extended_to` the "bundle deadline" after approved extensions.

use super::super::columns::{ClassKey, Regions};
use crate::model::CaseSource;
use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

/// A half-open evaluation period `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
}

impl Period {
    /// The calendar month `year-month`.
    pub fn month(year: i32, month: u32) -> Option<Self> {
        let s = NaiveDate::from_ymd_opt(year, month, 1)?;
        let e = if month == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)?
        } else {
            NaiveDate::from_ymd_opt(year, month + 1, 1)?
        };
        Some(Self {
            start: s.and_hms_opt(0, 0, 0)?,
            end: e.and_hms_opt(0, 0, 0)?,
        })
    }

    /// Days `first..=last`.
    pub fn days(first: NaiveDate, last: NaiveDate) -> Option<Self> {
        Some(Self {
            start: first.and_hms_opt(0, 0, 0)?,
            end: last.succ_opt()?.and_hms_opt(0, 0, 0)?,
        })
    }

    /// Whether `t` lies in the period.
    pub fn contains(&self, t: Option<NaiveDateTime>) -> bool {
        t.is_some_and(|t| t >= self.start && t < self.end)
    }
}

/// The clock of one workflow stage (受理, 核实, 立案, 派遣, 处置, 核查, 结案…).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stage {
    /// Who held the stage (index into [`EvalInput::people`], or the department for handling).
    pub holder: Option<u32>,
    /// When the stage started (the task arrived).
    pub start: Option<NaiveDateTime>,
    /// When the stage was completed.
    pub end: Option<NaiveDateTime>,
    /// Start + limit through the work calendar; `None` = the stage has no limit.
    pub deadline: Option<NaiveDateTime>,
    /// The deadline after approved extensions (延期), if any was granted.
    pub extended_to: Option<NaiveDateTime>,
    /// The on-time judgement the workflow recorded when the stage ended (on its working-time
    /// clock); when present it is the judgement of a completed stage.
    #[serde(default)]
    pub recorded_on_time: Option<bool>,
}

impl Stage {
    /// The deadline in force: the extended one if granted, else the plain one.
    pub fn effective_deadline(&self) -> Option<NaiveDateTime> {
        self.extended_to.or(self.deadline)
    }

    /// Whether the stage was completed by `t` (inclusive).
    pub fn done_by(&self, t: NaiveDateTime) -> bool {
        self.end.is_some_and(|e| e <= t)
    }

    /// On-time judgement of a completed stage: `end − hung time ≤ effective deadline` (hang-up
    /// time stops the clock). `None` while not completed; `Some(true)` when there is no limit.
    pub fn on_time(&self, hangups: &[Hangup]) -> Option<bool> {
        let end = self.end?;
        if let Some(v) = self.recorded_on_time {
            return Some(v);
        }
        Some(match self.effective_deadline() {
            None => true,
            Some(d) if hangups.is_empty() => end <= d,
            Some(d) => end - hung_before(hangups, end) <= d,
        })
    }

    /// Whether the stage is late at `t`: completed late by `t`, or still open at `t` with its
    /// clock (less hung time) past the effective deadline.
    pub fn late_at(&self, t: NaiveDateTime, hangups: &[Hangup]) -> bool {
        let Some(d) = self.effective_deadline() else {
            return false;
        };
        if self.done_by(t) {
            return self.on_time(hangups) == Some(false);
        }
        let clock = if hangups.is_empty() {
            t
        } else {
            t - hung_before(hangups, t)
        };
        self.start.is_some_and(|s| s <= t) && clock > d
    }
}

/// A hang-up (挂账/缓办): the handling clock stops from `from` until `to` (restore, 挂账恢复);
/// `to = None` while still hung.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hangup {
    pub from: NaiveDateTime,
    pub to: Option<NaiveDateTime>,
}

/// Total hung time before `t`.
pub fn hung_before(hangups: &[Hangup], t: NaiveDateTime) -> Duration {
    hangups.iter().fold(Duration::zero(), |acc, h| {
        let end = h.to.map_or(t, |e| e.min(t));
        if end > h.from {
            acc + (end - h.from)
        } else {
            acc
        }
    })
}

/// One case as the evaluation sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalCase {
    /// Task number (任务号).
    pub id: Box<str>,
    pub class: ClassKey,
    pub source: CaseSource,
    /// Grid index in [`EvalInput::regions`], if located.
    pub grid: Option<u32>,
    /// Handling department (index into [`EvalInput::departments`]).
    pub department: Option<u32>,
    pub reported_at: NaiveDateTime,
    /// The inspector who reported it on patrol (上报人), if any.
    pub reporter: Option<u32>,
    /// A public report (hotline, app…) that an inspector verified as true (监督举报核实).
    pub public_verified: bool,
    /// 受理 by a receptionist.
    pub accept: Stage,
    /// The receptionist sending the verification task (核实派发).
    pub verify_send: Option<Stage>,
    /// The inspector verifying on site (核实).
    pub verify: Option<Stage>,
    /// 立案 by a shift leader.
    pub file: Stage,
    /// 派遣 by a dispatcher.
    pub dispatch: Stage,
    /// 处置 by the department (holder = department): start at dispatch, end at feedback.
    pub handle: Stage,
    /// The receptionist sending the check task (核查派发).
    pub check_send: Option<Stage>,
    /// The inspector checking the result (核查).
    pub check: Option<Stage>,
    /// 结案 by a shift leader.
    pub close: Stage,
    /// Hang-ups of the handling stage whose time the handling deadline does not already
    /// include (all of them for hand-made input; only a still-open one from the workflow,
    /// whose bundle deadline already excludes finished hang-ups).
    pub hangups: Vec<Hangup>,
    /// Approved hang-ups (挂账), counted even when their time is already in the deadline.
    pub hang_count: u32,
    /// Failed checks sent back to the department (返工次数 of this case).
    pub reworks: u32,
    /// Approved extensions (延期).
    pub extensions: u32,
    /// Approved returns (回退).
    pub returns: u32,
    /// When the case was cancelled (作废), if it was.
    pub cancelled_at: Option<NaiveDateTime>,
}

impl EvalCase {
    /// A case reported at `t` with every stage empty.
    pub fn new(id: &str, class: ClassKey, source: CaseSource, reported_at: NaiveDateTime) -> Self {
        Self {
            id: id.into(),
            class,
            source,
            grid: None,
            department: None,
            reported_at,
            reporter: None,
            public_verified: false,
            accept: Stage::default(),
            verify_send: None,
            verify: None,
            file: Stage::default(),
            dispatch: Stage::default(),
            handle: Stage::default(),
            check_send: None,
            check: None,
            close: Stage::default(),
            hangups: vec![],
            hang_count: 0,
            reworks: 0,
            extensions: 0,
            returns: 0,
            cancelled_at: None,
        }
    }

    /// Whether it was cancelled by `t` (inclusive).
    pub fn cancelled_by(&self, t: NaiveDateTime) -> bool {
        self.cancelled_at.is_some_and(|c| c <= t)
    }
}

/// The four evaluated positions (岗位).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    /// 监督员
    Inspector,
    /// 受理员
    Receptionist,
    /// 值班长
    ShiftLeader,
    /// 派遣员
    Dispatcher,
}

impl Position {
    pub const ALL: [Position; 4] = [
        Position::Inspector,
        Position::Receptionist,
        Position::ShiftLeader,
        Position::Dispatcher,
    ];
    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            Position::Inspector => "监督员",
            Position::Receptionist => "受理员",
            Position::ShiftLeader => "值班长",
            Position::Dispatcher => "派遣员",
        }
    }
    /// Stable key.
    pub fn key(self) -> &'static str {
        match self {
            Position::Inspector => "inspector",
            Position::Receptionist => "receptionist",
            Position::ShiftLeader => "shift_leader",
            Position::Dispatcher => "dispatcher",
        }
    }
}

/// A member of staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: String,
    pub name: String,
    pub position: Position,
}

/// Everything one evaluation reads.
#[derive(Debug, Clone, Default)]
pub struct EvalInput {
    pub cases: Vec<EvalCase>,
    /// Grids, communities, streets, the district.
    pub regions: Regions,
    /// Handling departments (专业部门) by name.
    pub departments: Vec<String>,
    pub people: Vec<Person>,
    /// The inspector responsible for each grid (from the duty grids), same order as the grids;
    /// empty = none known.
    pub grid_inspector: Vec<Option<u32>>,
    /// Per case, the earliest and latest of all its times (minutes), built on first use: a
    /// case whose times all lie outside a period cannot count in it.
    pub spans: std::sync::OnceLock<Vec<[i64; 2]>>,
}

impl EvalInput {
    /// An input from its parts.
    pub fn new(
        cases: Vec<EvalCase>,
        regions: Regions,
        departments: Vec<String>,
        people: Vec<Person>,
        grid_inspector: Vec<Option<u32>>,
    ) -> Self {
        Self {
            cases,
            regions,
            departments,
            people,
            grid_inspector,
            spans: Default::default(),
        }
    }

    /// Earliest and latest time of each case, in minutes since 1970.
    pub fn spans(&self) -> &[[i64; 2]] {
        self.spans.get_or_init(|| {
            use rayon::prelude::*;
            self.cases.par_iter().map(EvalCase::span).collect()
        })
    }

    /// Whether case `i` has any time in `p` (else it cannot count in `p`).
    pub fn may_count(&self, i: usize, p: &Period) -> bool {
        let [a, b] = self.spans()[i];
        a < minutes(p.end) && b >= minutes(p.start)
    }
}

fn minutes(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp().div_euclid(60)
}

impl EvalCase {
    /// Earliest and latest of all the case's times (report, stage starts, ends, deadlines,
    /// hang-ups, cancellation), in minutes since 1970.
    pub fn span(&self) -> [i64; 2] {
        let mut lo = minutes(self.reported_at);
        let mut hi = lo;
        let mut see = |t: Option<NaiveDateTime>| {
            if let Some(t) = t {
                let m = minutes(t);
                lo = lo.min(m);
                hi = hi.max(m);
            }
        };
        for s in [
            &self.accept,
            &self.file,
            &self.dispatch,
            &self.handle,
            &self.close,
        ]
        .into_iter()
        .chain(self.verify_send.iter())
        .chain(self.verify.iter())
        .chain(self.check_send.iter())
        .chain(self.check.iter())
        {
            see(s.start);
            see(s.end);
            see(s.deadline);
            see(s.extended_to);
        }
        for h in &self.hangups {
            see(Some(h.from));
            see(h.to);
        }
        see(self.cancelled_at);
        [lo, hi]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("time")
    }

    fn stage(start: &str, end: Option<&str>, deadline: &str) -> Stage {
        Stage {
            holder: Some(0),
            start: Some(t(start)),
            end: end.map(t),
            deadline: Some(t(deadline)),
            extended_to: None,
            recorded_on_time: None,
        }
    }

    #[test]
    fn on_time_is_end_not_after_the_deadline() {
        let s = stage(
            "2026-03-02 09:00",
            Some("2026-03-03 17:00"),
            "2026-03-03 17:00",
        );
        assert_eq!(s.on_time(&[]), Some(true));
        let s = stage(
            "2026-03-02 09:00",
            Some("2026-03-03 17:01"),
            "2026-03-03 17:00",
        );
        assert_eq!(s.on_time(&[]), Some(false));
        let s = stage("2026-03-02 09:00", None, "2026-03-03 17:00");
        assert_eq!(s.on_time(&[]), None);
        let s = Stage {
            end: Some(t("2026-03-02 09:00")),
            ..Default::default()
        };
        assert_eq!(s.on_time(&[]), Some(true), "no limit: on time");
    }

    #[test]
    fn an_approved_extension_moves_the_deadline() {
        let mut s = stage(
            "2026-03-02 09:00",
            Some("2026-03-05 12:00"),
            "2026-03-03 17:00",
        );
        assert_eq!(s.on_time(&[]), Some(false));
        s.extended_to = Some(t("2026-03-05 17:00"));
        assert_eq!(s.on_time(&[]), Some(true));
        assert!(!s.late_at(t("2026-03-31 00:00"), &[]));
    }

    #[test]
    fn hang_up_time_is_not_counted() {
        // Finished 2 days late, but hung 2 days 1 hour in between → on time.
        let s = stage(
            "2026-03-02 09:00",
            Some("2026-03-05 17:00"),
            "2026-03-03 17:00",
        );
        let h = [Hangup {
            from: t("2026-03-03 08:00"),
            to: Some(t("2026-03-05 09:00")),
        }];
        assert_eq!(s.on_time(&h), Some(true));
        // Hung only 1 day → late by a day.
        let h1 = [Hangup {
            from: t("2026-03-03 08:00"),
            to: Some(t("2026-03-04 08:00")),
        }];
        assert_eq!(s.on_time(&h1), Some(false));
        // Still hung: an open stage is never late while its clock is stopped.
        let open = stage("2026-03-02 09:00", None, "2026-03-03 17:00");
        let hung = [Hangup {
            from: t("2026-03-03 08:00"),
            to: None,
        }];
        assert!(!open.late_at(t("2026-03-20 00:00"), &hung));
        assert!(open.late_at(t("2026-03-20 00:00"), &[]));
        // A hang-up after the end does not count.
        let after = [Hangup {
            from: t("2026-03-06 08:00"),
            to: Some(t("2026-03-09 08:00")),
        }];
        assert_eq!(s.on_time(&after), Some(false));
    }

    #[test]
    fn month_periods() {
        let p = Period::month(2026, 12).expect("month");
        assert_eq!(p.end, t("2027-01-01 00:00"));
        assert!(p.contains(Some(t("2026-12-31 23:59"))));
        assert!(!p.contains(Some(t("2027-01-01 00:00"))));
        assert!(!p.contains(None));
    }
}
