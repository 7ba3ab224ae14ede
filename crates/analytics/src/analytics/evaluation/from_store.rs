//! Builds an [`EvalInput`] from what the case loop recorded (`cases`, `case_flow`,
//! `case_stage`, `case_hang`, `app_user`/`user_role`, `department`) and the regions of the
//! index (street, community, unit grid, duty grid).
//!
//! Every stage comes from a stage run (`case_stage`): who ended it (`ended_by`), when it
//! started and ended, the bundle deadline in force and the on-time judgement the workflow made
//! on its working-time clock. Which run stands for which stage:
//!
//! * 受理 accept: the `accept` run ended by `accept` (a refused report was not accepted).
//! * 核实派发 verify send: the `file`-stage run a receptionist ended with `send_verify`.
//! * 核实 verify / 核查 check: the last `verify` / `check` run; its holder is who ended it, or,
//!   while it runs, the duty-grid inspector the task waits on.
//! * 立案 file: the run ended by `file`, else the running one (no holder yet).
//! * 派遣 dispatch: the last run ended by `dispatch`, else the running one.
//! * 处置 handle: the last `handle` run if it runs or ended with feedback (`feedback`, or
//!   `import` for imported history), with its department.
//! * 结案 close: the run ended by `close`; for an imported closed case without one, the
//!   closing time of its flow.
//! * 核查派发 check send: none — feedback starts the check directly in this workflow.
//!
//! The handling deadline is the run's bundle deadline (limit + approved extensions, finished
//! hang-ups excluded); only a still-open hang-up is passed as a clock stop. Rework (返工次数),
//! extension, hang-up and return counts are the flow's counters. A public report (hotline,
//! app, QR code, media) counts as 监督举报核实 once an inspector confirmed it (`confirm_verified`).
//! The reporter of a patrol case is its creator when that user is an inspector.

//!
//! The split between this module and the stores: a backend implements [`EvaluationRows`] —
//! each method runs its queries and maps the rows, nothing else — and every backend gets
//! [`EvaluationStore`] from that, so the same figures come from one code path whichever
//! store holds the case loop (a station's SQLite file, a district of the city centre).

use super::input::{EvalCase, EvalInput, Hangup, Period, Person, Position, Stage};
use crate::analytics::columns::{ClassKey, Regions};
use crate::clock::{Interval, StageClock, TimeLimit, TimeUnit, WorkCalendar};
use crate::code::{ClassCode, GridCode};
use crate::error::Result;
use crate::index::SpatialIndex;
use crate::model::{CaseKind, CaseSource, CaseStatus};
use chrono::NaiveDateTime;
use griddesk_core::dates::parse_datetime;
use std::collections::HashMap;

/// Staff by login and by name (duty grids name their inspector).
pub struct Staff {
    pub people: Vec<Person>,
    pub by_login: HashMap<String, u32>,
    pub by_name: HashMap<String, u32>,
}

impl Staff {
    pub fn find(&self, who: &str) -> Option<u32> {
        self.by_login
            .get(who)
            .or_else(|| self.by_name.get(who))
            .copied()
    }
}

pub fn position_of(role: &str) -> Option<Position> {
    match role {
        "inspector" => Some(Position::Inspector),
        "receptionist" => Some(Position::Receptionist),
        "shift_leader" => Some(Position::ShiftLeader),
        "dispatcher" => Some(Position::Dispatcher),
        _ => None,
    }
}

/// Parses a stored `YYYY-MM-DD HH:MM:SS` time that may be missing.
pub fn dt(s: Option<String>) -> Result<Option<NaiveDateTime>> {
    s.as_deref().map(parse_datetime).transpose()
}

/// Whether a source is a report by the public (监督举报).
pub fn is_public(s: CaseSource) -> bool {
    matches!(
        s,
        CaseSource::Hotline12319
            | CaseSource::Hotline12345
            | CaseSource::Public
            | CaseSource::QrCode
            | CaseSource::Media
    )
}

/// The last input built, with what it was built from.
#[derive(Debug)]
pub struct Cached {
    pub period: Period,
    pub generation: u64,
    pub audit_seq: i64,
    pub input: std::sync::Arc<EvalInput>,
}

/// One role a user holds (`app_user` joined with `user_role`), as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRow {
    pub login: String,
    pub name: String,
    pub role: String,
}

/// One hang-up (`case_hang`) of a stage run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HangRow {
    pub stage_id: i64,
    pub started_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
}

/// One stage run (`case_stage`), as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRow {
    pub id: i64,
    pub stage: String,
    pub department: Option<String>,
    pub started_at: NaiveDateTime,
    /// `None` when the stored amount is missing (read as 0).
    pub limit_amount: Option<f64>,
    pub limit_unit: String,
    pub extension_seconds: i64,
    pub hung_seconds: i64,
    pub deadline: Option<NaiveDateTime>,
    pub ended_at: Option<NaiveDateTime>,
    pub on_time: Option<bool>,
    pub outcome: Option<String>,
    pub ended_by: Option<String>,
}

/// One case (`cases`) with its flow (`case_flow`, when it has one) and its stage runs, as
/// stored. Without a flow the flow's fields are empty and `runs` is empty.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseRow {
    pub id: String,
    pub kind: String,
    pub class_code: String,
    pub source: String,
    pub reported_at: NaiveDateTime,
    pub status: String,
    pub grid: Option<String>,
    pub has_flow: bool,
    pub department: Option<String>,
    pub created_by: Option<String>,
    pub inspector: Option<String>,
    pub reworks: u32,
    pub extensions: u32,
    pub hangs: u32,
    pub returns: u32,
    pub closed_at: Option<NaiveDateTime>,
    /// The case's stage runs, in id order.
    pub runs: Vec<RunRow>,
}

/// The rows the evaluation is built from: what each backend implements (`griddesk-store-sqlite`
/// for a station, `griddesk-store-postgres` for a district of the centre). Each method runs
/// its queries and maps the rows; what they mean is decided here, once, by [`EvaluationStore`].
pub trait EvaluationRows {
    /// The last audit entry's sequence number (0 when there is none).
    fn evaluation_audit_position(&self) -> Result<i64>;
    /// Every role of every user (`app_user` × `user_role`), ordered by login.
    fn evaluation_staff_rows(&self) -> Result<Vec<StaffRow>>;
    /// Every department as (code, name), ordered by code.
    fn evaluation_departments(&self) -> Result<Vec<(String, String)>>;
    /// Every hang-up of the stage runs that have a hang-up still open (the open one and the
    /// finished ones before it), ordered by the hang-up's id.
    fn evaluation_hangs(&self) -> Result<Vec<HangRow>>;
    /// Every case reported before `period.end` whose flow was not closed before
    /// `period.start` (a case without a flow included), ordered by id (byte order), each with
    /// its stage runs; `each` is called once per case, in that order.
    fn evaluation_case_rows(
        &self,
        period: &Period,
        each: &mut dyn FnMut(CaseRow) -> Result<()>,
    ) -> Result<()>;
}

/// What the engine asks of a store: every [`EvaluationRows`] is one, through the code below.
pub trait EvaluationStore {
    /// The last audit entry's sequence number (0 when there is none): a cached evaluation
    /// input is stale once it moves.
    fn audit_position(&self) -> Result<i64>;
    /// Users holding an evaluated role, each under their first such role (their counts in any
    /// other position are kept too), then the duty-grid inspectors without an account.
    fn staff(&self, index: &SpatialIndex) -> Result<Staff>;
    /// The evaluation input of `period` from the case-loop tables: every case reported before its
    /// end that had not left the loop before its start.
    fn input_from_store(
        &self,
        index: &SpatialIndex,
        cal: &WorkCalendar,
        period: &Period,
    ) -> Result<EvalInput>;
}

impl<T: EvaluationRows + ?Sized> EvaluationStore for T {
    fn audit_position(&self) -> Result<i64> {
        self.evaluation_audit_position()
    }

    fn staff(&self, index: &SpatialIndex) -> Result<Staff> {
        Ok(staff_of(self.evaluation_staff_rows()?, index))
    }

    fn input_from_store(
        &self,
        index: &SpatialIndex,
        cal: &WorkCalendar,
        period: &Period,
    ) -> Result<EvalInput> {
        let regions = Regions::from_index(index);
        let staff = self.staff(index)?;
        let mut departments = vec![];
        let mut dept_pos = HashMap::new();
        for (code, name) in self.evaluation_departments()? {
            dept_pos.insert(code, departments.len() as u32);
            departments.push(name);
        }
        let mut open_hangs = HashMap::new();
        let mut finished_hangs: HashMap<i64, Vec<Interval>> = HashMap::new();
        for h in self.evaluation_hangs()? {
            match h.ended_at {
                None => {
                    open_hangs.insert(h.stage_id, h.started_at);
                }
                Some(end) => finished_hangs
                    .entry(h.stage_id)
                    .or_default()
                    .push(Interval {
                        start: h.started_at,
                        end: Some(end),
                    }),
            }
        }
        let grid_inspector: Vec<Option<u32>> = index
            .grids
            .iter()
            .map(|g| {
                index
                    .duty_grid_of(&g.code)
                    .and_then(|d| staff.find(d.inspector.trim()))
            })
            .collect();
        let ctx = Ctx {
            cal,
            staff: &staff,
            regions: &regions,
            departments: &dept_pos,
            open_hangs: &open_hangs,
            finished_hangs: &finished_hangs,
        };
        let mut cases = Vec::new();
        self.evaluation_case_rows(period, &mut |row| {
            let (core, runs) = parse_case(row);
            if let Some(e) = ctx.case(&core, &runs) {
                cases.push(e);
            }
            Ok(())
        })?;
        Ok(EvalInput::new(
            cases,
            regions,
            departments,
            staff.people,
            grid_inspector,
        ))
    }
}

/// The staff of [`EvaluationStore::staff`] from the stored roles (ordered by login).
fn staff_of(rows: Vec<StaffRow>, index: &SpatialIndex) -> Staff {
    let mut s = Staff {
        people: vec![],
        by_login: HashMap::new(),
        by_name: HashMap::new(),
    };
    for StaffRow { login, name, role } in rows {
        let Some(pos) = position_of(&role) else {
            continue;
        };
        match s.by_login.get(&login) {
            Some(&i) => {
                let p = &mut s.people[i as usize];
                if pos < p.position {
                    p.position = pos;
                }
            }
            None => {
                let i = s.people.len() as u32;
                s.by_login.insert(login.clone(), i);
                s.by_name.entry(name.clone()).or_insert(i);
                s.people.push(Person {
                    id: login,
                    name,
                    position: pos,
                });
            }
        }
    }
    for d in &index.duty_grids {
        let who = d.inspector.trim();
        if !who.is_empty() && s.find(who).is_none() {
            let i = s.people.len() as u32;
            s.by_name.insert(who.to_string(), i);
            s.people.push(Person {
                id: who.to_string(),
                name: who.to_string(),
                position: Position::Inspector,
            });
        }
    }
    s
}

/// A stage run as the evaluation reads it.
struct Run {
    id: i64,
    stage: String,
    department: Option<String>,
    start: NaiveDateTime,
    limit: Option<TimeLimit>,
    extension_seconds: i64,
    hung_seconds: i64,
    deadline: Option<NaiveDateTime>,
    end: Option<NaiveDateTime>,
    on_time: Option<bool>,
    outcome: Option<String>,
    ended_by: Option<String>,
}

/// The `cases` and `case_flow` fields one evaluation case needs, read.
struct Core {
    id: String,
    class: Option<ClassKey>,
    source: CaseSource,
    reported_at: NaiveDateTime,
    status: Option<CaseStatus>,
    grid: Option<String>,
    has_flow: bool,
    department: Option<String>,
    created_by: Option<String>,
    inspector: Option<String>,
    reworks: u32,
    extensions: u32,
    hangs: u32,
    returns: u32,
    closed_at: Option<NaiveDateTime>,
}

/// Reads the stored keys of a case row: an unknown kind or class leaves the case out of the
/// evaluation, an unknown source counts as "other", an unknown status as none; a stage run
/// without a known time unit has no limit.
fn parse_case(c: CaseRow) -> (Core, Vec<Run>) {
    let kind = CaseKind::parse(&c.kind);
    let code = ClassCode::parse(&c.class_code).ok();
    let core = Core {
        id: c.id,
        class: kind.zip(code).map(|(kind, code)| ClassKey { kind, code }),
        source: CaseSource::parse(&c.source).unwrap_or(CaseSource::Other),
        reported_at: c.reported_at,
        status: CaseStatus::parse(&c.status),
        grid: c.grid,
        has_flow: c.has_flow,
        department: c.department,
        created_by: c.created_by,
        inspector: c.inspector,
        reworks: c.reworks,
        extensions: c.extensions,
        hangs: c.hangs,
        returns: c.returns,
        closed_at: c.closed_at,
    };
    let runs = if core.has_flow {
        c.runs
            .into_iter()
            .map(|x| Run {
                id: x.id,
                stage: x.stage,
                department: x.department,
                start: x.started_at,
                limit: TimeUnit::parse(&x.limit_unit).map(|unit| TimeLimit {
                    amount: x.limit_amount.unwrap_or(0.0),
                    unit,
                }),
                extension_seconds: x.extension_seconds,
                hung_seconds: x.hung_seconds,
                deadline: x.deadline,
                end: x.ended_at,
                on_time: x.on_time,
                outcome: x.outcome,
                ended_by: x.ended_by,
            })
            .collect()
    } else {
        Vec::new()
    };
    (core, runs)
}

/// What building one case needs besides its rows.
struct Ctx<'a> {
    cal: &'a WorkCalendar,
    staff: &'a Staff,
    regions: &'a Regions,
    departments: &'a HashMap<String, u32>,
    /// The start of each stage run's open hang-up.
    open_hangs: &'a HashMap<i64, NaiveDateTime>,
    /// The finished hang-ups of the stage runs that have an open one, in order.
    finished_hangs: &'a HashMap<i64, Vec<Interval>>,
}

impl Ctx<'_> {
    /// The stage of a run held by `holder`: its deadline split into the plain one and the
    /// bundle one when extensions or hang-ups moved it.
    fn stage(&self, r: &Run, holder: Option<u32>) -> (Stage, Option<Hangup>) {
        let open_hang = self.open_hangs.get(&r.id).copied();
        let moved = r.extension_seconds > 0 || r.hung_seconds > 0 || open_hang.is_some();
        let (deadline, extended_to) = match (r.limit, moved) {
            (Some(limit), true) => {
                let plain = self.cal.deadline(r.start, limit);
                let bundle = match (r.deadline, open_hang) {
                    (Some(d), _) => Some(d),
                    // Hung now: the deadline before this hang-up (finished ones excluded).
                    (None, Some(_)) => StageClock {
                        start: r.start,
                        limit,
                        extension_seconds: r.extension_seconds,
                        hangs: self.finished_hangs.get(&r.id).cloned().unwrap_or_default(),
                    }
                    .deadline(self.cal),
                    (None, None) => None,
                };
                (Some(plain), bundle.filter(|b| *b != plain))
            }
            _ => (r.deadline, None),
        };
        (
            Stage {
                holder,
                start: Some(r.start),
                end: r.end,
                deadline,
                extended_to,
                recorded_on_time: r.end.and(r.on_time),
            },
            open_hang.map(|from| Hangup { from, to: None }),
        )
    }

    fn person(&self, who: Option<&str>) -> Option<u32> {
        who.and_then(|w| self.staff.find(w))
    }

    /// The evaluation case of one case and its stage runs (in order).
    fn case(&self, c: &Core, runs: &[Run]) -> Option<EvalCase> {
        let class = c.class?;
        let mut e = EvalCase::new(&c.id, class, c.source, c.reported_at);
        e.grid = c
            .grid
            .as_deref()
            .and_then(|g| GridCode::parse(g).ok())
            .and_then(|g| self.regions.grid_index(&g));
        if !c.has_flow {
            return Some(e);
        }
        e.reworks = c.reworks;
        e.extensions = c.extensions;
        e.hang_count = c.hangs;
        e.returns = c.returns;
        if c.status == Some(CaseStatus::Cancelled) {
            e.cancelled_at = c.closed_at;
        }
        if c.source == CaseSource::Patrol {
            e.reporter = c
                .created_by
                .as_deref()
                .and_then(|w| self.staff.by_login.get(w).copied())
                .filter(|&p| self.staff.people[p as usize].position == Position::Inspector);
        }
        let ended =
            |r: &Run, outcome: &str| r.end.is_some() && r.outcome.as_deref() == Some(outcome);
        let last = |stage: &str, pred: &dyn Fn(&Run) -> bool| {
            runs.iter().rev().find(|r| r.stage == stage && pred(r))
        };
        let inspector = self.person(c.inspector.as_deref());

        if let Some(r) = last("accept", &|r| ended(r, "accept")) {
            e.accept = self.stage(r, self.person(r.ended_by.as_deref())).0;
        }
        if let Some(r) = last("file", &|r| ended(r, "send_verify")) {
            e.verify_send = Some(self.stage(r, self.person(r.ended_by.as_deref())).0);
        }
        if let Some(r) = last("verify", &|_| true) {
            let who = match r.end {
                Some(_) => self.person(r.ended_by.as_deref()),
                None => inspector,
            };
            e.verify = Some(self.stage(r, who).0);
        }
        e.public_verified = is_public(c.source)
            && runs
                .iter()
                .any(|r| r.stage == "verify" && ended(r, "confirm_verified"));
        if let Some(r) =
            last("file", &|r| ended(r, "file")).or_else(|| last("file", &|r| r.end.is_none()))
        {
            e.file = self.stage(r, self.person(r.ended_by.as_deref())).0;
        }
        if let Some(r) = last("dispatch", &|r| ended(r, "dispatch"))
            .or_else(|| last("dispatch", &|r| r.end.is_none()))
        {
            e.dispatch = self.stage(r, self.person(r.ended_by.as_deref())).0;
        }
        if let Some(r) = last("handle", &|_| true)
            .filter(|r| r.end.is_none() || ended(r, "feedback") || ended(r, "import"))
        {
            let dept = r
                .department
                .as_deref()
                .or(c.department.as_deref())
                .and_then(|d| self.departments.get(d).copied());
            let (s, hang) = self.stage(r, dept);
            e.department = dept;
            e.handle = s;
            e.hangups.extend(hang);
        }
        if let Some(r) = last("check", &|_| true) {
            let who = match r.end {
                Some(_) => self.person(r.ended_by.as_deref()),
                None => inspector,
            };
            e.check = Some(self.stage(r, who).0);
        }
        if let Some(r) =
            last("close", &|r| ended(r, "close")).or_else(|| last("close", &|r| r.end.is_none()))
        {
            e.close = self.stage(r, self.person(r.ended_by.as_deref())).0;
        } else if c.status == Some(CaseStatus::Closed) {
            e.close.end = c.closed_at;
        }
        Some(e)
    }
}
