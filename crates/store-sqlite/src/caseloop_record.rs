//! The SQL of `griddesk_caseloop::workflow::record`.

#[allow(unused_imports)]
use crate::clock::{Interval, TimeLimit, TimeUnit};
#[allow(unused_imports)]
use crate::error::{Error, Result};
#[allow(unused_imports)]
use crate::filing::{AreaClass, Stage, Urgency};
#[allow(unused_imports)]
use crate::model::{CaseKind, CaseSource, CaseStatus};
#[allow(unused_imports)]
use crate::store::{format_datetime, parse_datetime};
#[allow(unused_imports)]
use chrono::NaiveDateTime;
#[allow(unused_imports)]
use griddesk_caseloop::workflow::machine::RequestKind;
#[allow(unused_imports)]
use griddesk_caseloop::workflow::photo::{PhotoPhase, Prepared};
#[allow(unused_imports)]
use griddesk_caseloop::workflow::record::*;
#[allow(unused_imports)]
use rusqlite::{params, Connection, OptionalExtension, Row};
#[allow(unused_imports)]
use serde::{Deserialize, Serialize};

pub fn read_core(conn: &Connection, id: &str) -> Result<Option<CaseCore>> {
    let row = conn
        .prepare_cached(
            "SELECT id, kind, class_code, component, source, reported_at, status, description, geom, grid
             FROM cases WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, Vec<u8>>(8)?,
                r.get::<_, Option<String>>(9)?,
            ))
        })
        .optional()?;
    let Some((id, kind, class, component, source, reported, status, description, geom, grid)) = row
    else {
        return Ok(None);
    };
    let bad = |what: &str| Error::Internal(format!("case `{id}`: stored {what} is not readable"));
    let p = crate::store::wkb_io::point(&geom)?;
    Ok(Some(CaseCore {
        kind: CaseKind::parse(&kind).ok_or_else(|| bad("kind"))?,
        source: CaseSource::parse(&source).ok_or_else(|| bad("source"))?,
        status: CaseStatus::parse(&status).ok_or_else(|| bad("status"))?,
        reported_at: parse_datetime(&reported)?,
        class_code: class,
        component,
        description,
        location: [p.x(), p.y()],
        grid,
        id,
    }))
}

pub fn read_flow(conn: &Connection, id: &str) -> Result<Option<Flow>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {FLOW_COLS} FROM case_flow WHERE case_id = ?1"
    ))?;
    let mut rows = st.query([id])?;
    match rows.next()? {
        Some(r) => Ok(Some(flow_from_row(r)?)),
        None => Ok(None),
    }
}

/// Inserts or replaces a flow row.
pub fn write_flow(tx: &Connection, f: &Flow) -> Result<()> {
    static SQL: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| multi_row_sql(&flow_insert(), FLOW_COL_COUNT, 1));
    let mut st = tx.prepare_cached(&SQL)?;
    bind_flow(&mut st, 1, f)
        .and_then(|()| st.raw_execute())
        .map_err(|e| flow_error(e, f.department.clone()))?;
    Ok(())
}

/// The head of a `case_flow` insert, before its rows of values.
fn flow_insert() -> String {
    format!("INSERT OR REPLACE INTO case_flow ({FLOW_COLS}) VALUES")
}

/// How many columns `FLOW_COLS` names.
const FLOW_COL_COUNT: usize = 28;

/// The columns of one `case_flow` row (`FLOW_COLS`), from parameter `i`.
fn bind_flow(st: &mut rusqlite::Statement<'_>, i: usize, f: &Flow) -> rusqlite::Result<()> {
    let req = f.request.as_ref();
    st.raw_bind_parameter(i, &f.case_id)?;
    st.raw_bind_parameter(i + 1, &f.street)?;
    st.raw_bind_parameter(i + 2, &f.community)?;
    st.raw_bind_parameter(i + 3, &f.duty_grid)?;
    st.raw_bind_parameter(i + 4, &f.inspector)?;
    st.raw_bind_parameter(i + 5, &f.department)?;
    st.raw_bind_parameter(i + 6, f.area_class.key())?;
    st.raw_bind_parameter(i + 7, &f.condition)?;
    st.raw_bind_parameter(i + 8, f.urgency.key())?;
    st.raw_bind_parameter(i + 9, &f.address)?;
    st.raw_bind_parameter(i + 10, &f.reporter)?;
    st.raw_bind_parameter(i + 11, &f.reporter_phone)?;
    st.raw_bind_parameter(i + 12, &f.created_by)?;
    st.raw_bind_parameter(i + 13, f.supervised)?;
    st.raw_bind_parameter(i + 14, f.rework_count)?;
    st.raw_bind_parameter(i + 15, f.extension_count)?;
    st.raw_bind_parameter(i + 16, f.hangup_count)?;
    st.raw_bind_parameter(i + 17, f.return_count)?;
    st.raw_bind_parameter(i + 18, f.duplicate_count)?;
    st.raw_bind_parameter(i + 19, req.map(|r| r.kind.key()))?;
    st.raw_bind_parameter(i + 20, req.map(|r| r.by.as_str()))?;
    bind_datetime(st, i + 21, req.map(|r| &r.at))?;
    st.raw_bind_parameter(i + 22, req.map(|r| r.reason.as_str()))?;
    st.raw_bind_parameter(i + 23, req.and_then(|r| r.seconds))?;
    bind_datetime(st, i + 24, f.closed_at.as_ref())?;
    bind_datetime(st, i + 25, Some(&f.updated_at))?;
    st.raw_bind_parameter(i + 26, req.and_then(|r| r.amount))?;
    st.raw_bind_parameter(i + 27, req.and_then(|r| r.unit.map(|u| u.key())))
}

/// A flow write refused by a foreign key names the department it pointed at.
fn flow_error(e: rusqlite::Error, department: Option<String>) -> Error {
    match &e {
        rusqlite::Error::SqliteFailure(fe, msg)
            if fe.code == rusqlite::ErrorCode::ConstraintViolation
                && msg.as_deref().is_some_and(|m| m.contains("FOREIGN KEY")) =>
        {
            Error::NotFound {
                what: "department",
                key: department.unwrap_or_default(),
            }
        }
        _ => crate::error::sql_error(e),
    }
}

/// Every stage run of a case, in order.
pub fn runs(conn: &Connection, id: &str) -> Result<Vec<StageRun>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {RUN_COLS} FROM case_stage WHERE case_id = ?1 ORDER BY id"
    ))?;
    let mut rows = st.query([id])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(run_from_row(r)?);
    }
    Ok(out)
}

/// The running stage run of a case, if any.
pub fn running(conn: &Connection, id: &str) -> Result<Option<StageRun>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {RUN_COLS} FROM case_stage WHERE case_id = ?1 AND ended_at IS NULL ORDER BY id DESC LIMIT 1"
    ))?;
    let mut rows = st.query([id])?;
    match rows.next()? {
        Some(r) => Ok(Some(run_from_row(r)?)),
        None => Ok(None),
    }
}

/// How many runs of `stage` the case has had.
pub fn rounds(conn: &Connection, id: &str, stage: Stage) -> Result<u32> {
    Ok(conn
        .prepare_cached("SELECT count(*) FROM case_stage WHERE case_id = ?1 AND stage = ?2")?
        .query_row(params![id, stage.key()], |r| r.get(0))?)
}

/// Starts a stage run; returns its id.
pub fn start_run(tx: &Connection, case_id: &str, r: &StageRun) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO case_stage (case_id, stage, round, department, started_at, limit_amount, limit_unit, deadline)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        case_id,
        r.stage.key(),
        r.round,
        r.department,
        format_datetime(&r.started_at),
        r.limit.amount,
        r.limit.unit.key(),
        fmt(&r.deadline)
    ])?;
    Ok(tx.last_insert_rowid())
}

/// Ends a stage run.
pub fn end_run(
    tx: &Connection,
    id: i64,
    at: NaiveDateTime,
    used_seconds: i64,
    on_time: bool,
    outcome: &str,
    by: &str,
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE case_stage SET ended_at = ?2, used_seconds = ?3, on_time = ?4, outcome = ?5, ended_by = ?6
         WHERE id = ?1",
    )?
    .execute(params![id, format_datetime(&at), used_seconds, on_time, outcome, by])?;
    Ok(())
}

/// Updates the clock of a running stage run.
pub fn set_run_clock(
    tx: &Connection,
    id: i64,
    extension_seconds: i64,
    hung_seconds: i64,
    deadline: Option<NaiveDateTime>,
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE case_stage SET extension_seconds = ?2, hung_seconds = ?3, deadline = ?4 WHERE id = ?1",
    )?
    .execute(params![id, extension_seconds, hung_seconds, fmt(&deadline)])?;
    Ok(())
}

/// The hang-ups of a stage run.
pub fn hangs(conn: &Connection, stage_id: i64) -> Result<Vec<Interval>> {
    let mut st = conn.prepare_cached(
        "SELECT started_at, ended_at FROM case_hang WHERE stage_id = ?1 ORDER BY id",
    )?;
    let mut rows = st.query([stage_id])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(Interval {
            start: parse_datetime(&r.get::<_, String>(0)?)?,
            end: dt(r.get(1)?)?,
        });
    }
    Ok(out)
}

pub fn start_hang(
    tx: &Connection,
    case_id: &str,
    stage_id: i64,
    at: NaiveDateTime,
    reason: Option<&str>,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO case_hang (case_id, stage_id, started_at, reason) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![case_id, stage_id, format_datetime(&at), reason])?;
    Ok(())
}

pub fn end_hang(tx: &Connection, stage_id: i64, at: NaiveDateTime) -> Result<()> {
    tx.prepare_cached(
        "UPDATE case_hang SET ended_at = ?2 WHERE stage_id = ?1 AND ended_at IS NULL",
    )?
    .execute(params![stage_id, format_datetime(&at)])?;
    Ok(())
}

/// Sets a case's status in `cases`.
pub fn set_status(tx: &Connection, id: &str, status: CaseStatus) -> Result<()> {
    tx.prepare_cached("UPDATE cases SET status = ?2 WHERE id = ?1")?
        .execute(params![id, status.key()])?;
    Ok(())
}

/// Appends an audit entry; returns its sequence number.
#[allow(clippy::too_many_arguments)]
pub fn append_audit(
    tx: &Connection,
    case_id: &str,
    at: NaiveDateTime,
    actor: &str,
    role: &str,
    action: &str,
    from: Option<CaseStatus>,
    to: CaseStatus,
    note: Option<&str>,
    detail: Option<&serde_json::Value>,
) -> Result<i64> {
    let row = AuditRow {
        case_id,
        at: &at,
        actor,
        role,
        action,
        from,
        to,
        note,
        detail,
    };
    static SQL: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| multi_row_sql(AUDIT_INSERT, 9, 1));
    let mut st = tx.prepare_cached(&SQL)?;
    bind_audit(&mut st, 1, &row)?;
    st.raw_execute()?;
    Ok(tx.last_insert_rowid())
}

/// Rows per statement of a bulk write ([`write_case_histories`]): one multi-row `INSERT` costs
/// one statement's overhead for all its rows.
const BULK_ROWS: usize = 32;

/// `head` followed by `rows` groups of `cols` numbered parameters.
fn multi_row_sql(head: &str, cols: usize, rows: usize) -> String {
    let mut sql = String::with_capacity(head.len() + rows * cols * 5);
    sql.push_str(head);
    let mut n = 1;
    for r in 0..rows {
        sql.push_str(if r == 0 { " (" } else { ", (" });
        for c in 0..cols {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push('?');
            sql.push_str(&n.to_string());
            n += 1;
        }
        sql.push(')');
    }
    sql
}

/// Inserts `rows` through multi-row statements of `BULK_ROWS` rows (the last one shorter);
/// `bind` binds one row from its first parameter's index.
fn bulk_insert<T>(
    tx: &Connection,
    head: &str,
    cols: usize,
    rows: &[T],
    bind: impl Fn(&mut rusqlite::Statement<'_>, usize, &T) -> rusqlite::Result<()>,
) -> rusqlite::Result<()> {
    let run = |st: &mut rusqlite::Statement<'_>, chunk: &[T]| -> rusqlite::Result<()> {
        for (i, row) in chunk.iter().enumerate() {
            bind(st, i * cols + 1, row)?;
        }
        st.raw_execute()?;
        Ok(())
    };
    let full = multi_row_sql(head, cols, BULK_ROWS);
    for chunk in rows.chunks(BULK_ROWS) {
        if chunk.len() == BULK_ROWS {
            run(&mut *tx.prepare_cached(&full)?, chunk)?;
        } else {
            run(
                &mut tx.prepare(&multi_row_sql(head, cols, chunk.len()))?,
                chunk,
            )?;
        }
    }
    Ok(())
}

/// Binds a stored date-time without allocating.
fn bind_datetime(
    st: &mut rusqlite::Statement<'_>,
    i: usize,
    t: Option<&NaiveDateTime>,
) -> rusqlite::Result<()> {
    match t.map(|t| (t, griddesk_core::dates::datetime_bytes(t))) {
        None => st.raw_bind_parameter(i, rusqlite::types::Null),
        Some((_, Some(b))) => st.raw_bind_parameter(i, std::str::from_utf8(&b).unwrap_or_default()),
        Some((t, None)) => st.raw_bind_parameter(i, format_datetime(t)),
    }
}

/// One `case_audit` row, borrowed.
struct AuditRow<'a> {
    case_id: &'a str,
    at: &'a NaiveDateTime,
    actor: &'a str,
    role: &'a str,
    action: &'a str,
    from: Option<CaseStatus>,
    to: CaseStatus,
    note: Option<&'a str>,
    detail: Option<&'a serde_json::Value>,
}

impl<'a> From<&'a AuditEntry> for AuditRow<'a> {
    fn from(a: &'a AuditEntry) -> Self {
        AuditRow {
            case_id: &a.case_id,
            at: &a.at,
            actor: &a.actor,
            role: &a.role,
            action: &a.action,
            from: a.from_status,
            to: a.to_status,
            note: a.note.as_deref(),
            detail: a.detail.as_ref(),
        }
    }
}

/// The columns of one `case_audit` row, from its first parameter `i` (9 parameters).
fn bind_audit(
    st: &mut rusqlite::Statement<'_>,
    i: usize,
    a: &AuditRow<'_>,
) -> rusqlite::Result<()> {
    st.raw_bind_parameter(i, a.case_id)?;
    bind_datetime(st, i + 1, Some(a.at))?;
    st.raw_bind_parameter(i + 2, a.actor)?;
    st.raw_bind_parameter(i + 3, a.role)?;
    st.raw_bind_parameter(i + 4, a.action)?;
    st.raw_bind_parameter(i + 5, a.from.map(|s| s.key()))?;
    st.raw_bind_parameter(i + 6, a.to.key())?;
    st.raw_bind_parameter(i + 7, a.note)?;
    st.raw_bind_parameter(i + 8, a.detail.map(|d| d.to_string()))
}

const AUDIT_INSERT: &str =
    "INSERT INTO case_audit (case_id, at, actor, role, action, from_status, to_status, note, detail) VALUES";

/// Writes whole histories (see the trait) in multi-row statements: each run inserted once
/// with its final values and the id the next single insert would have given it.
pub fn write_case_histories(tx: &Connection, hs: &[History]) -> Result<()> {
    let mut next: i64 =
        tx.query_row("SELECT coalesce(max(id), 0) + 1 FROM case_stage", [], |r| {
            r.get(0)
        })?;
    let mut runs: Vec<(i64, &str, &StageRun)> = Vec::new();
    let mut hangs: Vec<(i64, &str, &HangRecord)> = Vec::new();
    for h in hs {
        for (r, hs) in &h.runs {
            runs.push((next, h.flow.case_id.as_str(), r));
            hangs.extend(hs.iter().map(|g| (next, h.flow.case_id.as_str(), g)));
            next += 1;
        }
    }
    bulk_insert(
        tx,
        "INSERT INTO case_stage (id, case_id, stage, round, department, started_at, limit_amount,
             limit_unit, extension_seconds, hung_seconds, deadline, ended_at, used_seconds, on_time,
             outcome, ended_by) VALUES",
        16,
        &runs,
        |st, i, (id, case_id, r)| {
            st.raw_bind_parameter(i, id)?;
            st.raw_bind_parameter(i + 1, case_id)?;
            st.raw_bind_parameter(i + 2, r.stage.key())?;
            st.raw_bind_parameter(i + 3, r.round)?;
            st.raw_bind_parameter(i + 4, r.department.as_deref())?;
            bind_datetime(st, i + 5, Some(&r.started_at))?;
            st.raw_bind_parameter(i + 6, r.limit.amount)?;
            st.raw_bind_parameter(i + 7, r.limit.unit.key())?;
            st.raw_bind_parameter(i + 8, r.extension_seconds)?;
            st.raw_bind_parameter(i + 9, r.hung_seconds)?;
            bind_datetime(st, i + 10, r.deadline.as_ref())?;
            bind_datetime(st, i + 11, r.ended_at.as_ref())?;
            st.raw_bind_parameter(i + 12, r.used_seconds)?;
            st.raw_bind_parameter(i + 13, r.on_time)?;
            st.raw_bind_parameter(i + 14, r.outcome.as_deref())?;
            st.raw_bind_parameter(i + 15, r.ended_by.as_deref())
        },
    )?;
    bulk_insert(
        tx,
        "INSERT INTO case_hang (case_id, stage_id, started_at, ended_at, reason) VALUES",
        5,
        &hangs,
        |st, i, (stage_id, case_id, g)| {
            st.raw_bind_parameter(i, case_id)?;
            st.raw_bind_parameter(i + 1, stage_id)?;
            bind_datetime(st, i + 2, Some(&g.interval.start))?;
            bind_datetime(st, i + 3, g.interval.end.as_ref())?;
            st.raw_bind_parameter(i + 4, g.reason.as_deref())
        },
    )?;
    let audit: Vec<&AuditEntry> = hs.iter().flat_map(|h| &h.audit).collect();
    bulk_insert(tx, AUDIT_INSERT, 9, &audit, |st, i, a| {
        bind_audit(st, i, &AuditRow::from(*a))
    })?;
    let flows: Vec<&Flow> = hs.iter().map(|h| &h.flow).collect();
    bulk_insert(tx, &flow_insert(), FLOW_COL_COUNT, &flows, |st, i, f| {
        bind_flow(st, i, f)
    })
    .map_err(|e| flow_error(e, hs.iter().find_map(|h| h.flow.department.clone())))?;
    Ok(())
}

/// The audit trail of a case, oldest first.
pub fn audit(conn: &Connection, id: &str) -> Result<Vec<AuditEntry>> {
    let mut st = conn.prepare_cached(
        "SELECT seq, case_id, at, actor, role, action, from_status, to_status, note, detail
         FROM case_audit WHERE case_id = ?1 ORDER BY seq",
    )?;
    let mut rows = st.query([id])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let from: Option<String> = r.get(6)?;
        let to: String = r.get(7)?;
        let detail: Option<String> = r.get(9)?;
        out.push(AuditEntry {
            seq: r.get(0)?,
            case_id: r.get(1)?,
            at: parse_datetime(&r.get::<_, String>(2)?)?,
            actor: r.get(3)?,
            role: r.get(4)?,
            action: r.get(5)?,
            from_status: from.as_deref().and_then(CaseStatus::parse),
            to_status: CaseStatus::parse(&to)
                .ok_or_else(|| Error::Internal(format!("audit: status `{to}`")))?,
            note: r.get(8)?,
            detail: detail.and_then(|d| serde_json::from_str(&d).ok()),
        });
    }
    Ok(out)
}

/// Stores photos; returns their ids.
pub fn insert_photos(
    tx: &Connection,
    case_id: &str,
    photos: &[Prepared],
    at: NaiveDateTime,
    by: &str,
) -> Result<Vec<i64>> {
    let mut st = tx.prepare_cached(
        "INSERT INTO case_photo (case_id, phase, added_at, added_by, name, mime, width, height, bytes, thumb)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    let mut ids = Vec::with_capacity(photos.len());
    for p in photos {
        st.execute(params![
            case_id,
            p.phase.key(),
            format_datetime(&at),
            by,
            p.name,
            p.mime,
            p.width,
            p.height,
            p.bytes,
            p.thumb
        ])?;
        ids.push(tx.last_insert_rowid());
    }
    Ok(ids)
}

/// Photo metadata of a case.
pub fn photos(conn: &Connection, id: &str) -> Result<Vec<PhotoInfo>> {
    let mut st = conn.prepare_cached(
        "SELECT id, phase, added_at, added_by, name, mime, width, height, length(bytes)
         FROM case_photo WHERE case_id = ?1 ORDER BY id",
    )?;
    let mut rows = st.query([id])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let phase: String = r.get(1)?;
        out.push(PhotoInfo {
            id: r.get(0)?,
            phase: PhotoPhase::parse(&phase)
                .ok_or_else(|| Error::Internal(format!("photo phase `{phase}`")))?,
            added_at: parse_datetime(&r.get::<_, String>(2)?)?,
            added_by: r.get(3)?,
            name: r.get(4)?,
            mime: r.get(5)?,
            width: r.get(6)?,
            height: r.get(7)?,
            size: r.get::<_, i64>(8)? as usize,
        });
    }
    Ok(out)
}

pub fn flow_from_row(r: &Row<'_>) -> Result<Flow> {
    let case_id: String = r.get(0)?;
    let bad =
        |what: &str| Error::Internal(format!("case `{case_id}`: stored {what} is not readable"));
    let area: String = r.get(6)?;
    let urgency: String = r.get(8)?;
    let request = match r.get::<_, Option<String>>(19)? {
        Some(k) => {
            let kind = RequestKind::parse(&k).ok_or_else(|| bad("request kind"))?;
            let reason: Option<String> = r.get(22)?;
            let unit: Option<String> = r.get(27)?;
            Some(PendingRequest {
                kind,
                by: r.get::<_, Option<String>>(20)?.unwrap_or_default(),
                at: dt(r.get(21)?)?.ok_or_else(|| bad("request time"))?,
                reason: reason.unwrap_or_default(),
                seconds: r.get(23)?,
                amount: r.get(26)?,
                unit: unit.as_deref().and_then(TimeUnit::parse),
            })
        }
        None => None,
    };
    Ok(Flow {
        street: r.get(1)?,
        community: r.get(2)?,
        duty_grid: r.get(3)?,
        inspector: r.get(4)?,
        department: r.get(5)?,
        area_class: AreaClass::parse(&area).ok_or_else(|| bad("area class"))?,
        condition: r.get(7)?,
        urgency: Urgency::parse(&urgency).ok_or_else(|| bad("urgency"))?,
        address: r.get(9)?,
        reporter: r.get(10)?,
        reporter_phone: r.get(11)?,
        created_by: r.get(12)?,
        supervised: r.get(13)?,
        rework_count: r.get(14)?,
        extension_count: r.get(15)?,
        hangup_count: r.get(16)?,
        return_count: r.get(17)?,
        duplicate_count: r.get(18)?,
        request,
        closed_at: dt(r.get(24)?)?,
        updated_at: parse_datetime(&r.get::<_, String>(25)?)?,
        case_id,
    })
}

pub fn run_from_row(r: &Row<'_>) -> Result<StageRun> {
    let stage: String = r.get(1)?;
    let unit: String = r.get(6)?;
    let bad = |what: String| Error::Internal(format!("stored stage run: {what}"));
    Ok(StageRun {
        id: r.get(0)?,
        stage: Stage::parse(&stage).ok_or_else(|| bad(format!("stage `{stage}`")))?,
        round: r.get(2)?,
        department: r.get(3)?,
        started_at: parse_datetime(&r.get::<_, String>(4)?)?,
        limit: TimeLimit {
            amount: r.get(5)?,
            unit: TimeUnit::parse(&unit).ok_or_else(|| bad(format!("unit `{unit}`")))?,
        },
        extension_seconds: r.get(7)?,
        hung_seconds: r.get(8)?,
        deadline: dt(r.get(9)?)?,
        ended_at: dt(r.get(10)?)?,
        used_seconds: r.get(11)?,
        on_time: r.get(12)?,
        outcome: r.get(13)?,
        ended_by: r.get(14)?,
    })
}

impl griddesk_caseloop::workflow::record::CaseRecords for crate::Db<'_> {
    fn read_core(&self, id: &str) -> griddesk_core::Result<Option<CaseCore>> {
        (read_core(self.0, id)).map_err(griddesk_core::Error::from)
    }
    fn read_flow(&self, id: &str) -> griddesk_core::Result<Option<Flow>> {
        (read_flow(self.0, id)).map_err(griddesk_core::Error::from)
    }
    fn write_flow(&self, f: &Flow) -> griddesk_core::Result<()> {
        (write_flow(self.0, f)).map_err(griddesk_core::Error::from)
    }
    fn runs(&self, id: &str) -> griddesk_core::Result<Vec<StageRun>> {
        (runs(self.0, id)).map_err(griddesk_core::Error::from)
    }
    fn running(&self, id: &str) -> griddesk_core::Result<Option<StageRun>> {
        (running(self.0, id)).map_err(griddesk_core::Error::from)
    }
    fn rounds(&self, id: &str, stage: Stage) -> griddesk_core::Result<u32> {
        (rounds(self.0, id, stage)).map_err(griddesk_core::Error::from)
    }
    fn start_run(&self, case_id: &str, run: &StageRun) -> griddesk_core::Result<i64> {
        (start_run(self.0, case_id, run)).map_err(griddesk_core::Error::from)
    }
    fn end_run(
        &self,
        id: i64,
        at: NaiveDateTime,
        used_seconds: i64,
        on_time: bool,
        outcome: &str,
        by: &str,
    ) -> griddesk_core::Result<()> {
        (end_run(self.0, id, at, used_seconds, on_time, outcome, by))
            .map_err(griddesk_core::Error::from)
    }
    fn set_run_clock(
        &self,
        id: i64,
        extension_seconds: i64,
        hung_seconds: i64,
        deadline: Option<NaiveDateTime>,
    ) -> griddesk_core::Result<()> {
        (set_run_clock(self.0, id, extension_seconds, hung_seconds, deadline))
            .map_err(griddesk_core::Error::from)
    }
    fn hangs(&self, stage_id: i64) -> griddesk_core::Result<Vec<Interval>> {
        (hangs(self.0, stage_id)).map_err(griddesk_core::Error::from)
    }
    fn start_hang(
        &self,
        case_id: &str,
        stage_id: i64,
        at: NaiveDateTime,
        reason: Option<&str>,
    ) -> griddesk_core::Result<()> {
        (start_hang(self.0, case_id, stage_id, at, reason)).map_err(griddesk_core::Error::from)
    }
    fn end_hang(&self, stage_id: i64, at: NaiveDateTime) -> griddesk_core::Result<()> {
        (end_hang(self.0, stage_id, at)).map_err(griddesk_core::Error::from)
    }
    fn set_status(&self, id: &str, status: CaseStatus) -> griddesk_core::Result<()> {
        (set_status(self.0, id, status)).map_err(griddesk_core::Error::from)
    }
    fn append_audit(
        &self,
        case_id: &str,
        at: NaiveDateTime,
        actor: &str,
        role: &str,
        action: &str,
        from: Option<CaseStatus>,
        to: CaseStatus,
        note: Option<&str>,
        detail: Option<&serde_json::Value>,
    ) -> griddesk_core::Result<i64> {
        (append_audit(
            self.0, case_id, at, actor, role, action, from, to, note, detail,
        ))
        .map_err(griddesk_core::Error::from)
    }
    fn audit(&self, id: &str) -> griddesk_core::Result<Vec<AuditEntry>> {
        (audit(self.0, id)).map_err(griddesk_core::Error::from)
    }
    fn write_case_histories(&self, hs: &[History]) -> griddesk_core::Result<()> {
        (write_case_histories(self.0, hs)).map_err(griddesk_core::Error::from)
    }
    fn insert_photos(
        &self,
        case_id: &str,
        photos: &[Prepared],
        at: NaiveDateTime,
        by: &str,
    ) -> griddesk_core::Result<Vec<i64>> {
        (insert_photos(self.0, case_id, photos, at, by)).map_err(griddesk_core::Error::from)
    }
    fn photos(&self, id: &str) -> griddesk_core::Result<Vec<PhotoInfo>> {
        (photos(self.0, id)).map_err(griddesk_core::Error::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;
    use griddesk_caseloop::workflow::record::CaseRecords;
    use griddesk_core::code::ClassCode;
    use griddesk_core::model::Case;

    fn at(day: u32, hour: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 3, day)
            .and_then(|d| d.and_hms_opt(hour, 7, 9))
            .unwrap()
    }

    fn store_with_cases(dir: &std::path::Path, ids: &[String]) -> Store {
        let mut store = Store::create(&dir.join("s.sqlite")).unwrap();
        store
            .write(|w| {
                for id in ids {
                    w.insert_case(&Case {
                        id: id.clone(),
                        location: geo_types::Point::new(121.26, 28.65),
                        kind: CaseKind::Event,
                        class_code: ClassCode::parse("0101").unwrap(),
                        component: None,
                        source: CaseSource::Patrol,
                        reported_at: at(1, 8),
                        status: CaseStatus::Closed,
                        description: None,
                        grid: None,
                        sample: true,
                    })?;
                }
                Ok(())
            })
            .unwrap();
        store
    }

    /// A history of `runs` stage runs (every third with a hang-up) and `runs * 2` audit rows.
    fn history(id: &str, runs: usize) -> History {
        let limit = TimeLimit {
            amount: 2.0,
            unit: TimeUnit::WorkHour,
        };
        let mut h = History {
            flow: Flow {
                case_id: id.into(),
                street: Some("331003001".into()),
                community: None,
                duty_grid: None,
                inspector: Some("inspector".into()),
                department: None,
                area_class: AreaClass::A,
                condition: Some("条件 1".into()),
                urgency: Urgency::Ordinary,
                address: None,
                reporter: None,
                reporter_phone: None,
                created_by: Some("inspector".into()),
                supervised: true,
                rework_count: 1,
                extension_count: 0,
                hangup_count: (runs / 3) as u32,
                return_count: 0,
                duplicate_count: 0,
                request: None,
                closed_at: Some(at(20, 17)),
                updated_at: at(20, 17),
            },
            runs: Vec::new(),
            audit: Vec::new(),
        };
        for k in 0..runs {
            let day = 1 + (k % 27) as u32;
            let last = k + 1 == runs;
            h.runs.push((
                StageRun {
                    id: 0,
                    stage: [Stage::Accept, Stage::Handle, Stage::Check][k % 3],
                    round: 1 + (k / 3) as u32,
                    department: (k % 3 == 1).then(|| "D01".to_string()),
                    started_at: at(day, 8),
                    limit,
                    extension_seconds: (k as i64) * 60,
                    hung_seconds: 0,
                    deadline: (!last).then(|| at(day, 10)),
                    ended_at: (!last).then(|| at(day, 9)),
                    used_seconds: (!last).then_some(3600),
                    on_time: (!last).then_some(k % 2 == 0),
                    outcome: (!last).then(|| "file".to_string()),
                    ended_by: (!last).then(|| "shiftleader".to_string()),
                },
                if k % 3 == 2 {
                    vec![HangRecord {
                        interval: Interval {
                            start: at(day, 9),
                            end: (!last).then(|| at(day, 11)),
                        },
                        reason: Some("挂账".into()),
                    }]
                } else {
                    Vec::new()
                },
            ));
            for j in 0..2 {
                h.audit.push(AuditEntry {
                    seq: 0,
                    case_id: id.into(),
                    at: at(day, 8 + j),
                    actor: "inspector".into(),
                    role: "inspector".into(),
                    action: "report".into(),
                    from_status: (j == 1).then_some(CaseStatus::Reported),
                    to_status: CaseStatus::Accepted,
                    note: (j == 0).then(|| format!("第 {k} 步")),
                    detail: (k == 4).then(|| serde_json::json!({ "department": "D01" })),
                });
            }
        }
        h
    }

    /// The single steps the workflow takes, writing the same history.
    fn write_step_by_step(db: &crate::Db<'_>, h: &History) {
        let id = h.flow.case_id.as_str();
        for (r, hangs) in &h.runs {
            let started = StageRun::started(
                0,
                r.stage,
                r.round,
                r.department.as_deref(),
                r.started_at,
                r.limit,
                r.started_at,
            );
            let run = db.start_run(id, &started).unwrap();
            for g in hangs {
                db.start_hang(id, run, g.interval.start, g.reason.as_deref())
                    .unwrap();
                if let Some(end) = g.interval.end {
                    db.end_hang(run, end).unwrap();
                }
            }
            db.set_run_clock(run, r.extension_seconds, r.hung_seconds, r.deadline)
                .unwrap();
            if let (Some(end), Some(used), Some(on_time), Some(outcome), Some(by)) = (
                r.ended_at,
                r.used_seconds,
                r.on_time,
                r.outcome.as_deref(),
                r.ended_by.as_deref(),
            ) {
                db.end_run(run, end, used, on_time, outcome, by).unwrap();
            }
        }
        for a in &h.audit {
            db.append_audit(
                id,
                a.at,
                &a.actor,
                &a.role,
                &a.action,
                a.from_status,
                a.to_status,
                a.note.as_deref(),
                a.detail.as_ref(),
            )
            .unwrap();
        }
        db.write_flow(&h.flow).unwrap();
    }

    type Read = (
        Vec<StageRun>,
        Vec<Vec<Interval>>,
        Vec<AuditEntry>,
        Option<Flow>,
    );

    fn read(db: &crate::Db<'_>, id: &str) -> Read {
        let runs = db.runs(id).unwrap();
        let hangs = runs.iter().map(|r| db.hangs(r.id).unwrap()).collect();
        (
            runs,
            hangs,
            db.audit(id).unwrap(),
            db.read_flow(id).unwrap(),
        )
    }

    #[test]
    fn histories_written_at_once_read_back_as_written_step_by_step() {
        // 40 runs and 80 audit rows: full statements of BULK_ROWS rows and a shorter last one.
        let ids: Vec<String> = vec!["T1".into(), "T2".into(), "T3".into()];
        let hs = vec![history("T1", 40), history("T2", 1), history("T3", 7)];
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let mut bulk = store_with_cases(a.path(), &ids);
        let mut single = store_with_cases(b.path(), &ids);
        bulk.transaction(|tx| tx.write_case_histories(&hs)).unwrap();
        single
            .transaction(|tx| {
                for h in &hs {
                    write_step_by_step(tx, h);
                }
                Ok(())
            })
            .unwrap();
        for id in &ids {
            let got = read(&bulk.db(), id);
            assert_eq!(got, read(&single.db(), id), "case {id}");
            assert!(got.3.is_some());
        }
        let (runs, hangs, audit, _) = read(&bulk.db(), "T1");
        assert_eq!((runs.len(), audit.len()), (40, 80));
        assert_eq!(hangs.iter().map(Vec::len).sum::<usize>(), 13);
        assert_eq!(audit[9].note.as_deref(), None);
        assert_eq!(audit[8].note.as_deref(), Some("第 4 步"));
        assert_eq!(
            audit[8].detail,
            Some(serde_json::json!({ "department": "D01" }))
        );
        // A department that does not exist is refused by name, and nothing of the batch stays.
        let mut bad = history("T2", 2);
        bad.flow.department = Some("D99".into());
        let before = read(&bulk.db(), "T2");
        let err = bulk
            .transaction(|tx| tx.write_case_histories(&[bad]))
            .unwrap_err();
        assert!(
            matches!(&err, griddesk_core::Error::NotFound { what: "department", key } if key == "D99"),
            "{err:?}"
        );
        assert_eq!(read(&bulk.db(), "T2"), before);
    }
}
