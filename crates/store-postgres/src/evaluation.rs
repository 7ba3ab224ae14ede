//! The rows a district's evaluation is built from
//! (`griddesk_analytics::analytics::evaluation::from_store::EvaluationRows`): its users and
//! roles, departments, open hang-ups, and the cases of a period with their flows and stage
//! runs. What they mean is decided in `griddesk-analytics`, for the station and the centre
//! alike; here they are only read. Case numbers and logins are ordered in byte order, as the
//! station orders them, whatever the server's collation.

use crate::error::{Error, Result};
use crate::model::{DistrictScope, DistrictTx};
use griddesk_analytics::analytics::evaluation::from_store::{
    CaseRow, EvaluationRows, HangRow, RunRow, StaffRow,
};
use griddesk_analytics::analytics::evaluation::input::Period;
use griddesk_core::code::DistrictCode;
use postgres::{GenericClient, Row};

fn audit_position(c: &mut impl GenericClient, district: &DistrictCode) -> Result<i64> {
    let d = district.as_str();
    let row = c
        .query_one(
            "SELECT COALESCE(MAX(seq), 0)::bigint FROM case_audit WHERE district = $1::text",
            &[&d],
        )
        .map_err(|e| {
            Error::of(
                e,
                format!("reading the audit position of district {d}"),
                None,
            )
        })?;
    Ok(row.get(0))
}

fn staff_rows(c: &mut impl GenericClient, district: &DistrictCode) -> Result<Vec<StaffRow>> {
    let d = district.as_str();
    let rows = c
        .query(
            "SELECT u.login, u.name, r.role
               FROM app_user u
               JOIN user_role r ON r.district = u.district AND r.login = u.login
              WHERE u.district = $1::text
              ORDER BY u.login COLLATE \"C\", r.role COLLATE \"C\"",
            &[&d],
        )
        .map_err(|e| Error::of(e, format!("reading the staff of district {d}"), None))?;
    Ok(rows
        .iter()
        .map(|r| StaffRow {
            login: r.get(0),
            name: r.get(1),
            role: r.get(2),
        })
        .collect())
}

fn departments(
    c: &mut impl GenericClient,
    district: &DistrictCode,
) -> Result<Vec<(String, String)>> {
    let d = district.as_str();
    let rows = c
        .query(
            "SELECT code, name FROM department WHERE district = $1::text
              ORDER BY code COLLATE \"C\"",
            &[&d],
        )
        .map_err(|e| Error::of(e, format!("reading the departments of district {d}"), None))?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

fn hangs(c: &mut impl GenericClient, district: &DistrictCode) -> Result<Vec<HangRow>> {
    let d = district.as_str();
    let rows = c
        .query(
            "SELECT stage_id, started_at, ended_at FROM case_hang
              WHERE district = $1::text
                AND stage_id IN (SELECT stage_id FROM case_hang
                                  WHERE district = $1::text AND ended_at IS NULL)
              ORDER BY id",
            &[&d],
        )
        .map_err(|e| {
            Error::of(
                e,
                format!("reading the open hang-ups of district {d}"),
                None,
            )
        })?;
    Ok(rows
        .iter()
        .map(|r| HangRow {
            stage_id: r.get(0),
            started_at: r.get(1),
            ended_at: r.get(2),
        })
        .collect())
}

/// The case rows and the stage-run rows of `period`, both in case-number byte order (the
/// runs then in id order), read in one go.
fn period_rows(
    c: &mut impl GenericClient,
    district: &DistrictCode,
    period: &Period,
) -> Result<(Vec<Row>, Vec<Row>)> {
    let d = district.as_str();
    let what = || format!("reading the cases of district {d} for an evaluation");
    let cases = c
        .query(
            "SELECT c.id, c.kind, c.class_code, c.source, c.reported_at, c.status, c.grid,
                    f.case_id IS NOT NULL, f.department, f.created_by, f.inspector,
                    f.rework_count, f.extension_count, f.hangup_count, f.return_count,
                    f.closed_at
               FROM cases c
               LEFT JOIN case_flow f ON f.district = c.district AND f.case_id = c.id
              WHERE c.district = $1::text AND c.reported_at < $2
                AND (f.closed_at IS NULL OR f.closed_at >= $3)
              ORDER BY c.id COLLATE \"C\"",
            &[&d, &period.end, &period.start],
        )
        .map_err(|e| Error::of(e, what(), None))?;
    let runs = c
        .query(
            "SELECT s.case_id, s.id, s.stage, s.department, s.started_at, s.limit_amount,
                    s.limit_unit, s.extension_seconds, s.hung_seconds, s.deadline, s.ended_at,
                    s.on_time, s.outcome, s.ended_by
               FROM cases c
               JOIN case_flow f ON f.district = c.district AND f.case_id = c.id
               JOIN case_stage s ON s.district = c.district AND s.case_id = c.id
              WHERE c.district = $1::text AND c.reported_at < $2
                AND (f.closed_at IS NULL OR f.closed_at >= $3)
              ORDER BY s.case_id COLLATE \"C\", s.id",
            &[&d, &period.end, &period.start],
        )
        .map_err(|e| Error::of(e, what(), None))?;
    Ok((cases, runs))
}

/// A flow counter: never negative at the station, so a negative one is damage.
fn count(r: &Row, i: usize, case: &str) -> Result<u32> {
    let v: Option<i32> = r.get(i);
    u32::try_from(v.unwrap_or(0)).map_err(|_| Error::Corrupt {
        what: "case flow",
        key: case.to_string(),
        reason: format!("a negative counter ({})", v.unwrap_or(0)),
    })
}

fn run_row(r: &Row) -> RunRow {
    RunRow {
        id: r.get(1),
        stage: r.get(2),
        department: r.get(3),
        started_at: r.get(4),
        limit_amount: r.get(5),
        limit_unit: r.get(6),
        extension_seconds: r.get(7),
        hung_seconds: r.get(8),
        deadline: r.get(9),
        ended_at: r.get(10),
        on_time: r.get(11),
        outcome: r.get(12),
        ended_by: r.get(13),
    }
}

/// Hands each case of the rows to `each`, with its runs (both lists in case-number order).
fn each_case(
    cases: Vec<Row>,
    runs: Vec<Row>,
    each: &mut dyn FnMut(CaseRow) -> griddesk_core::Result<()>,
) -> griddesk_core::Result<()> {
    let mut runs = runs.iter().peekable();
    for r in &cases {
        let id: String = r.get(0);
        let mut row = CaseRow {
            kind: r.get(1),
            class_code: r.get(2),
            source: r.get(3),
            reported_at: r.get(4),
            status: r.get(5),
            grid: r.get(6),
            has_flow: r.get(7),
            department: r.get(8),
            created_by: r.get(9),
            inspector: r.get(10),
            reworks: count(r, 11, &id)?,
            extensions: count(r, 12, &id)?,
            hangs: count(r, 13, &id)?,
            returns: count(r, 14, &id)?,
            closed_at: r.get(15),
            runs: Vec::new(),
            id,
        };
        // Runs of case numbers before this one belong to no case read (none are expected).
        while runs
            .next_if(|x| x.get::<_, &str>(0) < row.id.as_str())
            .is_some()
        {}
        while let Some(x) = runs.next_if(|x| x.get::<_, &str>(0) == row.id.as_str()) {
            row.runs.push(run_row(x));
        }
        each(row)?;
    }
    Ok(())
}

impl EvaluationRows for DistrictScope<'_> {
    fn evaluation_audit_position(&self) -> griddesk_core::Result<i64> {
        Ok(self.centre.with(|c| audit_position(c, &self.district))?)
    }
    fn evaluation_staff_rows(&self) -> griddesk_core::Result<Vec<StaffRow>> {
        Ok(self.centre.with(|c| staff_rows(c, &self.district))?)
    }
    fn evaluation_departments(&self) -> griddesk_core::Result<Vec<(String, String)>> {
        Ok(self.centre.with(|c| departments(c, &self.district))?)
    }
    fn evaluation_hangs(&self) -> griddesk_core::Result<Vec<HangRow>> {
        Ok(self.centre.with(|c| hangs(c, &self.district))?)
    }
    fn evaluation_case_rows(
        &self,
        period: &Period,
        each: &mut dyn FnMut(CaseRow) -> griddesk_core::Result<()>,
    ) -> griddesk_core::Result<()> {
        let (cases, runs) = self
            .centre
            .with(|c| period_rows(c, &self.district, period))?;
        each_case(cases, runs, each)
    }
}

impl EvaluationRows for DistrictTx<'_, '_> {
    fn evaluation_audit_position(&self) -> griddesk_core::Result<i64> {
        Ok(audit_position(
            &mut *self.tx.tx.borrow_mut(),
            &self.district,
        )?)
    }
    fn evaluation_staff_rows(&self) -> griddesk_core::Result<Vec<StaffRow>> {
        Ok(staff_rows(&mut *self.tx.tx.borrow_mut(), &self.district)?)
    }
    fn evaluation_departments(&self) -> griddesk_core::Result<Vec<(String, String)>> {
        Ok(departments(&mut *self.tx.tx.borrow_mut(), &self.district)?)
    }
    fn evaluation_hangs(&self) -> griddesk_core::Result<Vec<HangRow>> {
        Ok(hangs(&mut *self.tx.tx.borrow_mut(), &self.district)?)
    }
    fn evaluation_case_rows(
        &self,
        period: &Period,
        each: &mut dyn FnMut(CaseRow) -> griddesk_core::Result<()>,
    ) -> griddesk_core::Result<()> {
        let (cases, runs) = period_rows(&mut *self.tx.tx.borrow_mut(), &self.district, period)?;
        each_case(cases, runs, each)
    }
}
