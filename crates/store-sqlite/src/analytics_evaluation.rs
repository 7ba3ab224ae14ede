//! The SQL of `griddesk_analytics::analytics::evaluation::from_store`: the rows the evaluation
//! is built from ([`EvaluationRows`]); what they mean is decided there, for every backend.

use crate::analytics::evaluation::from_store::{
    dt, CaseRow, EvaluationRows, HangRow, RunRow, StaffRow,
};
use crate::analytics::evaluation::input::Period;
use crate::error::{sql_error, Result};
use griddesk_core::dates::{format_datetime, parse_datetime};
use rusqlite::Connection;

/// Every role of every user, ordered by login.
fn staff_rows(conn: &Connection) -> Result<Vec<StaffRow>> {
    let mut st = conn.prepare(
        "SELECT u.login, u.name, r.role FROM app_user u JOIN user_role r ON r.login = u.login \
         ORDER BY u.login",
    )?;
    let mut rows = st.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(StaffRow {
            login: r.get(0)?,
            name: r.get(1)?,
            role: r.get(2)?,
        });
    }
    Ok(out)
}

/// Every department as (code, name), ordered by code.
fn departments(conn: &Connection) -> Result<Vec<(String, String)>> {
    let mut st = conn.prepare("SELECT code, name FROM department ORDER BY code")?;
    let mut rows = st.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push((r.get(0)?, r.get(1)?));
    }
    Ok(out)
}

/// Every hang-up of the stage runs with one still open, in id order.
fn hangs(conn: &Connection) -> Result<Vec<HangRow>> {
    let mut st = conn.prepare(
        "SELECT stage_id, started_at, ended_at FROM case_hang \
         WHERE stage_id IN (SELECT stage_id FROM case_hang WHERE ended_at IS NULL) \
         ORDER BY id",
    )?;
    let mut rows = st.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(HangRow {
            stage_id: r.get(0)?,
            started_at: parse_datetime(&r.get::<_, String>(1)?)?,
            ended_at: dt(r.get(2)?)?,
        });
    }
    Ok(out)
}

/// The cases of `period` with their flows and stage runs, in id order.
fn case_rows(
    conn: &Connection,
    period: &Period,
    each: &mut dyn FnMut(CaseRow) -> griddesk_core::Result<()>,
) -> Result<()> {
    let (start, end) = (format_datetime(&period.start), format_datetime(&period.end));
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
    while let Some(r) = rows.next()? {
        let mut c = CaseRow {
            id: r.get(0)?,
            kind: r.get(1)?,
            class_code: r.get(2)?,
            source: r.get(3)?,
            reported_at: parse_datetime(&r.get::<_, String>(4)?)?,
            status: r.get(5)?,
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
            runs: Vec::new(),
        };
        if c.has_flow {
            let mut rr = runs_st.query([&c.id])?;
            while let Some(x) = rr.next()? {
                c.runs.push(RunRow {
                    id: x.get(0)?,
                    stage: x.get(1)?,
                    department: x.get(2)?,
                    started_at: parse_datetime(&x.get::<_, String>(3)?)?,
                    limit_amount: x.get(4).ok(),
                    limit_unit: x.get(5)?,
                    extension_seconds: x.get(6)?,
                    hung_seconds: x.get(7)?,
                    deadline: dt(x.get(8)?)?,
                    ended_at: dt(x.get(9)?)?,
                    on_time: x.get::<_, Option<i64>>(10)?.map(|v| v != 0),
                    outcome: x.get(11)?,
                    ended_by: x.get(12)?,
                });
            }
        }
        each(c)?;
    }
    Ok(())
}

impl EvaluationRows for crate::Db<'_> {
    fn evaluation_audit_position(&self) -> griddesk_core::Result<i64> {
        self.0
            .query_row("SELECT COALESCE(MAX(seq), 0) FROM case_audit", [], |r| {
                r.get(0)
            })
            .map_err(sql_error)
    }
    fn evaluation_staff_rows(&self) -> griddesk_core::Result<Vec<StaffRow>> {
        Ok(staff_rows(self.0)?)
    }
    fn evaluation_departments(&self) -> griddesk_core::Result<Vec<(String, String)>> {
        Ok(departments(self.0)?)
    }
    fn evaluation_hangs(&self) -> griddesk_core::Result<Vec<HangRow>> {
        Ok(hangs(self.0)?)
    }
    fn evaluation_case_rows(
        &self,
        period: &Period,
        each: &mut dyn FnMut(CaseRow) -> griddesk_core::Result<()>,
    ) -> griddesk_core::Result<()> {
        Ok(case_rows(self.0, period, each)?)
    }
}
