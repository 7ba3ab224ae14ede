//! The SQL of `griddesk_analytics::analytics::evaluation::from_store`.

use crate::analytics::columns::{ClassKey, Regions};
#[allow(unused_imports)]
use crate::clock::{StageClock, TimeLimit, TimeUnit, WorkCalendar};
#[allow(unused_imports)]
use crate::code::ClassCode;
#[allow(unused_imports)]
use crate::error::sql_error;
#[allow(unused_imports)]
use crate::error::Result;
#[allow(unused_imports)]
use crate::index::SpatialIndex;
#[allow(unused_imports)]
use crate::model::{CaseKind, CaseSource, CaseStatus};
#[allow(unused_imports)]
use chrono::NaiveDateTime;
#[allow(unused_imports)]
use griddesk_analytics::analytics::evaluation::from_store::*;
#[allow(unused_imports)]
use griddesk_analytics::analytics::evaluation::input::{
    EvalCase, EvalInput, Hangup, Period, Person, Position, Stage,
};
#[allow(unused_imports)]
use griddesk_core::dates::{format_datetime, parse_datetime};
#[allow(unused_imports)]
use rusqlite::Connection;
#[allow(unused_imports)]
use std::collections::HashMap;

/// Users holding an evaluated role, each under their first such role (their counts in any
/// other position are kept too), then the duty-grid inspectors without an account.
pub fn staff(conn: &Connection, index: &SpatialIndex) -> Result<Staff> {
    let mut st = conn.prepare(
        "SELECT u.login, u.name, r.role FROM app_user u JOIN user_role r ON r.login = u.login \
         ORDER BY u.login",
    )?;
    let mut rows = st.query([])?;
    let mut s = Staff {
        people: vec![],
        by_login: HashMap::new(),
        by_name: HashMap::new(),
    };
    while let Some(r) = rows.next()? {
        let (login, name, role): (String, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
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
    Ok(s)
}

/// The evaluation input of `period` from the case-loop tables: every case reported before its
/// end that had not left the loop before its start.
pub fn input_from_store(
    conn: &Connection,
    index: &SpatialIndex,
    cal: &WorkCalendar,
    period: &Period,
) -> Result<EvalInput> {
    let regions = Regions::from_index(index);
    let staff = staff(conn, index)?;
    let mut departments = vec![];
    let mut dept_pos = HashMap::new();
    {
        let mut st = conn.prepare("SELECT code, name FROM department ORDER BY code")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            dept_pos.insert(r.get::<_, String>(0)?, departments.len() as u32);
            departments.push(r.get::<_, String>(1)?);
        }
    }
    let mut open_hangs = HashMap::new();
    {
        let mut st =
            conn.prepare("SELECT stage_id, started_at FROM case_hang WHERE ended_at IS NULL")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            open_hangs.insert(
                r.get::<_, i64>(0)?,
                parse_datetime(&r.get::<_, String>(1)?)?,
            );
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
        conn,
        cal,
        staff: &staff,
        regions: &regions,
        departments: &dept_pos,
        open_hangs: &open_hangs,
    };
    let (start, end) = (format_datetime(&period.start), format_datetime(&period.end));
    let mut cases = Vec::new();
    {
        let mut st = conn.prepare(
            "SELECT c.id, c.kind, c.class_code, c.source, c.reported_at, c.status, c.grid, \
                    f.case_id IS NOT NULL, f.department, f.created_by, f.inspector, \
                    f.rework_count, f.extension_count, f.hangup_count, f.return_count, f.closed_at \
             FROM cases c LEFT JOIN case_flow f ON f.case_id = c.id \
             WHERE c.reported_at < ?1 AND (f.closed_at IS NULL OR f.closed_at >= ?2) \
             ORDER BY c.id",
        )?;
        let mut runs_st = conn.prepare(
            "SELECT id, stage, department, started_at, limit_amount, limit_unit, \
                    extension_seconds, hung_seconds, deadline, ended_at, on_time, outcome, ended_by \
             FROM case_stage WHERE case_id = ?1 ORDER BY id",
        )?;
        let mut rows = st.query([&end, &start])?;
        let mut runs = Vec::new();
        while let Some(r) = rows.next()? {
            let kind = CaseKind::parse(&r.get::<_, String>(1)?);
            let code = ClassCode::parse(&r.get::<_, String>(2)?).ok();
            let core = Core {
                id: r.get(0)?,
                class: kind.zip(code).map(|(kind, code)| ClassKey { kind, code }),
                source: CaseSource::parse(&r.get::<_, String>(3)?).unwrap_or(CaseSource::Other),
                reported_at: parse_datetime(&r.get::<_, String>(4)?)?,
                status: CaseStatus::parse(&r.get::<_, String>(5)?),
                grid: r.get(6)?,
                has_flow: r.get(7)?,
                department: r.get(8)?,
                created_by: r.get(9)?,
                inspector: r.get(10)?,
                reworks: r.get::<_, Option<u32>>(11)?.unwrap_or(0),
                extensions: r.get::<_, Option<u32>>(12)?.unwrap_or(0),
                hangs: r.get::<_, Option<u32>>(13)?.unwrap_or(0),
                returns: r.get::<_, Option<u32>>(14)?.unwrap_or(0),
                closed_at: dt(r.get(15)?)?,
            };
            runs.clear();
            if core.has_flow {
                let mut rr = runs_st.query([&core.id])?;
                while let Some(x) = rr.next()? {
                    let unit: String = x.get(5)?;
                    runs.push(Run {
                        id: x.get(0)?,
                        stage: x.get(1)?,
                        department: x.get(2)?,
                        start: parse_datetime(&x.get::<_, String>(3)?)?,
                        limit: TimeUnit::parse(&unit).map(|unit| TimeLimit {
                            amount: x.get(4).unwrap_or(0.0),
                            unit,
                        }),
                        extension_seconds: x.get(6)?,
                        hung_seconds: x.get(7)?,
                        deadline: dt(x.get(8)?)?,
                        end: dt(x.get(9)?)?,
                        on_time: x.get::<_, Option<i64>>(10)?.map(|v| v != 0),
                        outcome: x.get(11)?,
                        ended_by: x.get(12)?,
                    });
                }
            }
            if let Some(e) = ctx.case(&core, &runs)? {
                cases.push(e);
            }
        }
    }
    Ok(EvalInput::new(
        cases,
        regions,
        departments,
        staff.people,
        grid_inspector,
    ))
}

/// What building one case needs besides its rows.
pub struct Ctx<'a> {
    pub conn: &'a Connection,
    pub cal: &'a WorkCalendar,
    pub staff: &'a Staff,
    pub regions: &'a Regions,
    pub departments: &'a HashMap<String, u32>,
    pub open_hangs: &'a HashMap<i64, NaiveDateTime>,
}

impl Ctx<'_> {
    /// The stage of a run held by `holder`: its deadline split into the plain one and the
    /// bundle one when extensions or hang-ups moved it.
    fn stage(&self, r: &Run, holder: Option<u32>) -> Result<(Stage, Option<Hangup>)> {
        let open_hang = self.open_hangs.get(&r.id).copied();
        let moved = r.extension_seconds > 0 || r.hung_seconds > 0 || open_hang.is_some();
        let (deadline, extended_to) = match (r.limit, moved) {
            (Some(limit), true) => {
                let plain = self.cal.deadline(r.start, limit);
                let bundle = match (r.deadline, open_hang) {
                    (Some(d), _) => Some(d),
                    // Hung now: the deadline before this hang-up (finished ones excluded).
                    (None, Some(_)) => {
                        let hangs = crate::caseloop_record::hangs(self.conn, r.id)?
                            .into_iter()
                            .filter(|h| h.end.is_some())
                            .collect();
                        StageClock {
                            start: r.start,
                            limit,
                            extension_seconds: r.extension_seconds,
                            hangs,
                        }
                        .deadline(self.cal)
                    }
                    (None, None) => None,
                };
                (Some(plain), bundle.filter(|b| *b != plain))
            }
            _ => (r.deadline, None),
        };
        Ok((
            Stage {
                holder,
                start: Some(r.start),
                end: r.end,
                deadline,
                extended_to,
                recorded_on_time: r.end.and(r.on_time),
            },
            open_hang.map(|from| Hangup { from, to: None }),
        ))
    }

    fn person(&self, who: Option<&str>) -> Option<u32> {
        who.and_then(|w| self.staff.find(w))
    }

    /// The evaluation case of one case and its stage runs (in order).
    fn case(&self, c: &Core, runs: &[Run]) -> Result<Option<EvalCase>> {
        let Some(class) = c.class else {
            return Ok(None);
        };
        let mut e = EvalCase::new(&c.id, class, c.source, c.reported_at);
        e.grid = c
            .grid
            .as_deref()
            .and_then(|g| crate::code::GridCode::parse(g).ok())
            .and_then(|g| self.regions.grid_index(&g));
        if !c.has_flow {
            return Ok(Some(e));
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
            e.accept = self.stage(r, self.person(r.ended_by.as_deref()))?.0;
        }
        if let Some(r) = last("file", &|r| ended(r, "send_verify")) {
            e.verify_send = Some(self.stage(r, self.person(r.ended_by.as_deref()))?.0);
        }
        if let Some(r) = last("verify", &|_| true) {
            let who = match r.end {
                Some(_) => self.person(r.ended_by.as_deref()),
                None => inspector,
            };
            e.verify = Some(self.stage(r, who)?.0);
        }
        e.public_verified = is_public(c.source)
            && runs
                .iter()
                .any(|r| r.stage == "verify" && ended(r, "confirm_verified"));
        if let Some(r) =
            last("file", &|r| ended(r, "file")).or_else(|| last("file", &|r| r.end.is_none()))
        {
            e.file = self.stage(r, self.person(r.ended_by.as_deref()))?.0;
        }
        if let Some(r) = last("dispatch", &|r| ended(r, "dispatch"))
            .or_else(|| last("dispatch", &|r| r.end.is_none()))
        {
            e.dispatch = self.stage(r, self.person(r.ended_by.as_deref()))?.0;
        }
        if let Some(r) = last("handle", &|_| true)
            .filter(|r| r.end.is_none() || ended(r, "feedback") || ended(r, "import"))
        {
            let dept = r
                .department
                .as_deref()
                .or(c.department.as_deref())
                .and_then(|d| self.departments.get(d).copied());
            let (s, hang) = self.stage(r, dept)?;
            e.department = dept;
            e.handle = s;
            e.hangups.extend(hang);
        }
        if let Some(r) = last("check", &|_| true) {
            let who = match r.end {
                Some(_) => self.person(r.ended_by.as_deref()),
                None => inspector,
            };
            e.check = Some(self.stage(r, who)?.0);
        }
        if let Some(r) =
            last("close", &|r| ended(r, "close")).or_else(|| last("close", &|r| r.end.is_none()))
        {
            e.close = self.stage(r, self.person(r.ended_by.as_deref()))?.0;
        } else if c.status == Some(CaseStatus::Closed) {
            e.close.end = c.closed_at;
        }
        Ok(Some(e))
    }
}

impl griddesk_analytics::analytics::evaluation::from_store::EvaluationStore for crate::Db<'_> {
    fn audit_position(&self) -> griddesk_core::Result<i64> {
        self.0
            .query_row("SELECT COALESCE(MAX(seq), 0) FROM case_audit", [], |r| {
                r.get(0)
            })
            .map_err(sql_error)
    }
    fn staff(&self, index: &SpatialIndex) -> griddesk_core::Result<Staff> {
        (staff(self.0, index)).map_err(griddesk_core::Error::from)
    }
    fn input_from_store(
        &self,
        index: &SpatialIndex,
        cal: &WorkCalendar,
        period: &Period,
    ) -> griddesk_core::Result<EvalInput> {
        (input_from_store(self.0, index, cal, period)).map_err(griddesk_core::Error::from)
    }
}
