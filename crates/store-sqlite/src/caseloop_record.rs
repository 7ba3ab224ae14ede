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
    let req = f.request.as_ref();
    tx.prepare_cached(&format!(
        "INSERT OR REPLACE INTO case_flow ({FLOW_COLS}) VALUES
         (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,
          ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28)"
    ))?
    .execute(params![
        f.case_id,
        f.street,
        f.community,
        f.duty_grid,
        f.inspector,
        f.department,
        f.area_class.key(),
        f.condition,
        f.urgency.key(),
        f.address,
        f.reporter,
        f.reporter_phone,
        f.created_by,
        f.supervised,
        f.rework_count,
        f.extension_count,
        f.hangup_count,
        f.return_count,
        f.duplicate_count,
        req.map(|r| r.kind.key()),
        req.map(|r| r.by.as_str()),
        req.map(|r| format_datetime(&r.at)),
        req.map(|r| r.reason.as_str()),
        req.and_then(|r| r.seconds),
        fmt(&f.closed_at),
        format_datetime(&f.updated_at),
        req.and_then(|r| r.amount),
        req.and_then(|r| r.unit.map(|u| u.key())),
    ])
    .map_err(|e| match &e {
        rusqlite::Error::SqliteFailure(fe, msg)
            if fe.code == rusqlite::ErrorCode::ConstraintViolation
                && msg.as_deref().is_some_and(|m| m.contains("FOREIGN KEY")) =>
        {
            Error::NotFound {
                what: "department",
                key: f.department.clone().unwrap_or_default(),
            }
        }
        _ => crate::error::sql_error(e),
    })?;
    Ok(())
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
#[allow(clippy::too_many_arguments)]
pub fn start_run(
    tx: &Connection,
    case_id: &str,
    stage: Stage,
    round: u32,
    department: Option<&str>,
    at: NaiveDateTime,
    limit: TimeLimit,
    deadline: NaiveDateTime,
) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO case_stage (case_id, stage, round, department, started_at, limit_amount, limit_unit, deadline)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        case_id,
        stage.key(),
        round,
        department,
        format_datetime(&at),
        limit.amount,
        limit.unit.key(),
        format_datetime(&deadline)
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
    tx.prepare_cached(
        "INSERT INTO case_audit (case_id, at, actor, role, action, from_status, to_status, note, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        case_id,
        format_datetime(&at),
        actor,
        role,
        action,
        from.map(|s| s.key()),
        to.key(),
        note,
        detail.map(|d| d.to_string())
    ])?;
    Ok(tx.last_insert_rowid())
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
    fn start_run(
        &self,
        case_id: &str,
        stage: Stage,
        round: u32,
        department: Option<&str>,
        at: NaiveDateTime,
        limit: TimeLimit,
        deadline: NaiveDateTime,
    ) -> griddesk_core::Result<i64> {
        (start_run(
            self.0, case_id, stage, round, department, at, limit, deadline,
        ))
        .map_err(griddesk_core::Error::from)
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
