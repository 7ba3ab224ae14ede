//! A district's workflow records (`griddesk_caseloop::workflow::record::CaseRecords`): a case's
//! flow row, its stage runs with their hang-ups, its audit trail (sealed with the other audit
//! tables) and its photos, all inside the district of the view. Stage, hang-up and photo ids
//! and audit numbers are drawn by the centre (unique in the whole centre, so in the district),
//! in the order the rows are written, as the station draws them.
//!
//! On [`DistrictTx`] every call runs in the caller's transaction; on [`DistrictScope`] a read
//! runs on the connection and each write commits on its own (a bulk load of histories as one
//! transaction), as the station's store does outside a transaction.

use crate::error::{Error, Result};
use crate::model::{DistrictScope, DistrictTx};
use chrono::NaiveDateTime;
use griddesk_caseloop::filing::{AreaClass, Stage, Urgency};
use griddesk_caseloop::workflow::machine::RequestKind;
use griddesk_caseloop::workflow::photo::{PhotoPhase, Prepared};
use griddesk_caseloop::workflow::record::{
    AuditEntry, CaseCore, CaseRecords, Flow, History, PendingRequest, PhotoInfo, StageRun,
};
use griddesk_core::clock::{Interval, TimeLimit, TimeUnit};
use griddesk_core::model::{CaseKind, CaseSource, CaseStatus};
use griddesk_io::io::wkb_io;
use postgres::error::SqlState;
use postgres::types::ToSql;
use postgres::GenericClient;

/// A stored value that cannot be read back.
fn corrupt(what: &'static str, key: impl std::fmt::Display, reason: impl Into<String>) -> Error {
    Error::Corrupt {
        what,
        key: key.to_string(),
        reason: reason.into(),
    }
}

/// A count or size the workflow keeps as `u32`, for an `integer` column.
fn int(v: u32, what: &str, key: &str) -> griddesk_core::Result<i32> {
    i32::try_from(v).map_err(|_| {
        griddesk_core::Error::Internal(format!(
            "{what} of `{key}` is {v}, more than the centre's column holds"
        ))
    })
}

/// An `integer` column read back as the workflow's `u32`.
fn count(r: &postgres::Row, i: usize, what: &'static str, key: &str) -> Result<u32> {
    let v: i32 = r.get(i);
    u32::try_from(v).map_err(|_| corrupt(what, key, format!("negative count {v}")))
}

fn read_core(c: &mut impl GenericClient, d: &str, id: &str) -> Result<Option<CaseCore>> {
    let Some(r) = c
        .query_opt(
            "SELECT id, kind, class_code, component, source, reported_at, status, description,
                    ST_AsBinary(geom), grid
               FROM cases WHERE district = $1::text AND id = $2",
            &[&d, &id],
        )
        .map_err(|e| Error::of(e, format!("reading case `{id}` of district {d}"), None))?
    else {
        return Ok(None);
    };
    let (kind, source, status): (&str, &str, &str) = (r.get(1), r.get(4), r.get(6));
    let p = wkb_io::point(r.get(8)).map_err(|e| corrupt("case", id, e.to_string()))?;
    Ok(Some(CaseCore {
        id: r.get(0),
        kind: CaseKind::parse(kind).ok_or_else(|| corrupt("case", id, format!("kind `{kind}`")))?,
        class_code: r.get(2),
        component: r.get(3),
        source: CaseSource::parse(source)
            .ok_or_else(|| corrupt("case", id, format!("source `{source}`")))?,
        reported_at: r.get(5),
        status: CaseStatus::parse(status)
            .ok_or_else(|| corrupt("case", id, format!("status `{status}`")))?,
        description: r.get(7),
        location: [p.x(), p.y()],
        grid: r.get(9),
    }))
}

const FLOW_COLS: &str = "case_id, street, community, duty_grid, inspector, department, area_class,
    condition, urgency, address, reporter, reporter_phone, created_by, supervised, rework_count,
    extension_count, hangup_count, return_count, duplicate_count, request_kind, request_by,
    request_at, request_reason, request_seconds, closed_at, updated_at, request_amount,
    request_unit";

fn flow_from_row(r: &postgres::Row) -> Result<Flow> {
    let case_id: String = r.get(0);
    let bad = |what: &str, v: &str| corrupt("case flow", &case_id, format!("{what} `{v}`"));
    let area: &str = r.get(6);
    let urgency: &str = r.get(8);
    let request = match r.get::<_, Option<&str>>(19) {
        Some(k) => {
            let unit: Option<&str> = r.get(27);
            Some(PendingRequest {
                kind: RequestKind::parse(k).ok_or_else(|| bad("request kind", k))?,
                by: r.get::<_, Option<String>>(20).unwrap_or_default(),
                at: r
                    .get::<_, Option<NaiveDateTime>>(21)
                    .ok_or_else(|| bad("request time", "NULL"))?,
                reason: r.get::<_, Option<String>>(22).unwrap_or_default(),
                seconds: r.get(23),
                amount: r.get(26),
                unit: unit.and_then(TimeUnit::parse),
            })
        }
        None => None,
    };
    Ok(Flow {
        street: r.get(1),
        community: r.get(2),
        duty_grid: r.get(3),
        inspector: r.get(4),
        department: r.get(5),
        area_class: AreaClass::parse(area).ok_or_else(|| bad("area class", area))?,
        condition: r.get(7),
        urgency: Urgency::parse(urgency).ok_or_else(|| bad("urgency", urgency))?,
        address: r.get(9),
        reporter: r.get(10),
        reporter_phone: r.get(11),
        created_by: r.get(12),
        supervised: r.get(13),
        rework_count: count(r, 14, "case flow", &case_id)?,
        extension_count: count(r, 15, "case flow", &case_id)?,
        hangup_count: count(r, 16, "case flow", &case_id)?,
        return_count: count(r, 17, "case flow", &case_id)?,
        duplicate_count: count(r, 18, "case flow", &case_id)?,
        request,
        closed_at: r.get(24),
        updated_at: r.get(25),
        case_id,
    })
}

fn read_flow(c: &mut impl GenericClient, d: &str, id: &str) -> Result<Option<Flow>> {
    let sql =
        format!("SELECT {FLOW_COLS} FROM case_flow WHERE district = $1::text AND case_id = $2");
    c.query_opt(&sql, &[&d, &id])
        .map_err(|e| {
            Error::of(
                e,
                format!("reading the flow of case `{id}` of district {d}"),
                None,
            )
        })?
        .as_ref()
        .map(flow_from_row)
        .transpose()
}

/// Inserts or replaces a flow row (with a prepared statement when the caller has one).
fn write_flow_with(
    c: &mut impl GenericClient,
    st: &postgres::Statement,
    d: &str,
    f: &Flow,
) -> griddesk_core::Result<()> {
    let req = f.request.as_ref();
    let id = f.case_id.as_str();
    let counts = [
        int(f.rework_count, "the rework count", id)?,
        int(f.extension_count, "the extension count", id)?,
        int(f.hangup_count, "the hang-up count", id)?,
        int(f.return_count, "the return count", id)?,
        int(f.duplicate_count, "the duplicate count", id)?,
    ];
    let params: [&(dyn ToSql + Sync); 29] = [
        &d,
        &f.case_id,
        &f.street,
        &f.community,
        &f.duty_grid,
        &f.inspector,
        &f.department,
        &f.area_class.key(),
        &f.condition,
        &f.urgency.key(),
        &f.address,
        &f.reporter,
        &f.reporter_phone,
        &f.created_by,
        &f.supervised,
        &counts[0],
        &counts[1],
        &counts[2],
        &counts[3],
        &counts[4],
        &req.map(|r| r.kind.key()),
        &req.map(|r| r.by.as_str()),
        &req.map(|r| r.at),
        &req.map(|r| r.reason.as_str()),
        &req.and_then(|r| r.seconds),
        &f.closed_at,
        &f.updated_at,
        &req.and_then(|r| r.amount),
        &req.and_then(|r| r.unit.map(|u| u.key())),
    ];
    c.execute(st, &params).map_err(|e| {
        // A department the district does not have is refused by name, as at the station.
        if e.code() == Some(&SqlState::FOREIGN_KEY_VIOLATION)
            && e.as_db_error()
                .and_then(|db| db.constraint())
                .is_some_and(|k| k.contains("department"))
        {
            Error::NotFound {
                what: "department",
                key: f.department.clone().unwrap_or_default(),
                district: d.to_string(),
            }
        } else {
            Error::of(
                e,
                format!("writing the flow of case `{id}` of district {d}"),
                None,
            )
        }
    })?;
    Ok(())
}

fn flow_upsert() -> String {
    format!(
        "INSERT INTO case_flow (district, {FLOW_COLS})
         VALUES ($1::text, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                 $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29)
         ON CONFLICT (district, case_id) DO UPDATE SET
             street = EXCLUDED.street, community = EXCLUDED.community,
             duty_grid = EXCLUDED.duty_grid, inspector = EXCLUDED.inspector,
             department = EXCLUDED.department, area_class = EXCLUDED.area_class,
             condition = EXCLUDED.condition, urgency = EXCLUDED.urgency,
             address = EXCLUDED.address, reporter = EXCLUDED.reporter,
             reporter_phone = EXCLUDED.reporter_phone, created_by = EXCLUDED.created_by,
             supervised = EXCLUDED.supervised, rework_count = EXCLUDED.rework_count,
             extension_count = EXCLUDED.extension_count, hangup_count = EXCLUDED.hangup_count,
             return_count = EXCLUDED.return_count, duplicate_count = EXCLUDED.duplicate_count,
             request_kind = EXCLUDED.request_kind, request_by = EXCLUDED.request_by,
             request_at = EXCLUDED.request_at, request_reason = EXCLUDED.request_reason,
             request_seconds = EXCLUDED.request_seconds, closed_at = EXCLUDED.closed_at,
             updated_at = EXCLUDED.updated_at, request_amount = EXCLUDED.request_amount,
             request_unit = EXCLUDED.request_unit"
    )
}

fn prepare(c: &mut impl GenericClient, sql: &str, what: &str) -> Result<postgres::Statement> {
    c.prepare(sql)
        .map_err(|e| Error::of(e, format!("preparing {what}"), None))
}

fn write_flow(c: &mut impl GenericClient, d: &str, f: &Flow) -> griddesk_core::Result<()> {
    let st = prepare(c, &flow_upsert(), "a flow write")?;
    write_flow_with(c, &st, d, f)
}

const RUN_COLS: &str = "id, stage, round, department, started_at, limit_amount, limit_unit,
    extension_seconds, hung_seconds, deadline, ended_at, used_seconds, on_time, outcome, ended_by";

fn run_from_row(r: &postgres::Row) -> Result<StageRun> {
    let id: i64 = r.get(0);
    let stage: &str = r.get(1);
    let unit: &str = r.get(6);
    let key = format!("{id}");
    Ok(StageRun {
        id,
        stage: Stage::parse(stage)
            .ok_or_else(|| corrupt("stage run", &key, format!("stage `{stage}`")))?,
        round: count(r, 2, "stage run", &key)?,
        department: r.get(3),
        started_at: r.get(4),
        limit: TimeLimit {
            amount: r.get(5),
            unit: TimeUnit::parse(unit)
                .ok_or_else(|| corrupt("stage run", &key, format!("unit `{unit}`")))?,
        },
        extension_seconds: r.get(7),
        hung_seconds: r.get(8),
        deadline: r.get(9),
        ended_at: r.get(10),
        used_seconds: r.get(11),
        on_time: r.get(12),
        outcome: r.get(13),
        ended_by: r.get(14),
    })
}

fn runs(c: &mut impl GenericClient, d: &str, id: &str) -> Result<Vec<StageRun>> {
    let sql = format!(
        "SELECT {RUN_COLS} FROM case_stage WHERE district = $1::text AND case_id = $2 ORDER BY id"
    );
    c.query(&sql, &[&d, &id])
        .map_err(|e| {
            Error::of(
                e,
                format!("reading the stage runs of case `{id}` of district {d}"),
                None,
            )
        })?
        .iter()
        .map(run_from_row)
        .collect()
}

fn running(c: &mut impl GenericClient, d: &str, id: &str) -> Result<Option<StageRun>> {
    let sql = format!(
        "SELECT {RUN_COLS} FROM case_stage
          WHERE district = $1::text AND case_id = $2 AND ended_at IS NULL
          ORDER BY id DESC LIMIT 1"
    );
    c.query_opt(&sql, &[&d, &id])
        .map_err(|e| {
            Error::of(
                e,
                format!("reading the running stage of case `{id}` of district {d}"),
                None,
            )
        })?
        .as_ref()
        .map(run_from_row)
        .transpose()
}

fn rounds(c: &mut impl GenericClient, d: &str, id: &str, stage: Stage) -> Result<u32> {
    let n: i64 = c
        .query_one(
            "SELECT count(*) FROM case_stage
              WHERE district = $1::text AND case_id = $2 AND stage = $3",
            &[&d, &id, &stage.key()],
        )
        .map_err(|e| {
            Error::of(
                e,
                format!(
                    "counting the {} runs of case `{id}` of district {d}",
                    stage.key()
                ),
                None,
            )
        })?
        .get(0);
    u32::try_from(n).map_err(|_| corrupt("case", id, format!("{n} stage runs")))
}

fn start_run(
    c: &mut impl GenericClient,
    d: &str,
    case_id: &str,
    r: &StageRun,
) -> griddesk_core::Result<i64> {
    let round = int(r.round, "the round", case_id)?;
    let id: i64 = c
        .query_one(
            "INSERT INTO case_stage (district, case_id, stage, round, department, started_at,
                                     limit_amount, limit_unit, deadline)
             VALUES ($1::text, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            &[
                &d,
                &case_id,
                &r.stage.key(),
                &round,
                &r.department,
                &r.started_at,
                &r.limit.amount,
                &r.limit.unit.key(),
                &r.deadline,
            ],
        )
        .map_err(|e| {
            Error::of(
                e,
                format!(
                    "starting a {} run of case `{case_id}` of district {d}",
                    r.stage.key()
                ),
                None,
            )
        })?
        .get(0);
    Ok(id)
}

#[allow(clippy::too_many_arguments)]
fn end_run(
    c: &mut impl GenericClient,
    d: &str,
    id: i64,
    at: NaiveDateTime,
    used_seconds: i64,
    on_time: bool,
    outcome: &str,
    by: &str,
) -> Result<()> {
    c.execute(
        "UPDATE case_stage SET ended_at = $3, used_seconds = $4, on_time = $5, outcome = $6,
                               ended_by = $7
          WHERE district = $1::text AND id = $2",
        &[&d, &id, &at, &used_seconds, &on_time, &outcome, &by],
    )
    .map_err(|e| Error::of(e, format!("ending stage run {id} of district {d}"), None))?;
    Ok(())
}

fn set_run_clock(
    c: &mut impl GenericClient,
    d: &str,
    id: i64,
    extension_seconds: i64,
    hung_seconds: i64,
    deadline: Option<NaiveDateTime>,
) -> Result<()> {
    c.execute(
        "UPDATE case_stage SET extension_seconds = $3, hung_seconds = $4, deadline = $5
          WHERE district = $1::text AND id = $2",
        &[&d, &id, &extension_seconds, &hung_seconds, &deadline],
    )
    .map_err(|e| {
        Error::of(
            e,
            format!("setting the clock of stage run {id} of district {d}"),
            None,
        )
    })?;
    Ok(())
}

fn hangs(c: &mut impl GenericClient, d: &str, stage_id: i64) -> Result<Vec<Interval>> {
    Ok(c.query(
        "SELECT started_at, ended_at FROM case_hang
              WHERE district = $1::text AND stage_id = $2 ORDER BY id",
        &[&d, &stage_id],
    )
    .map_err(|e| {
        Error::of(
            e,
            format!("reading the hang-ups of stage run {stage_id} of district {d}"),
            None,
        )
    })?
    .iter()
    .map(|r| Interval {
        start: r.get(0),
        end: r.get(1),
    })
    .collect())
}

fn start_hang(
    c: &mut impl GenericClient,
    d: &str,
    case_id: &str,
    stage_id: i64,
    at: NaiveDateTime,
    reason: Option<&str>,
) -> Result<()> {
    c.execute(
        "INSERT INTO case_hang (district, case_id, stage_id, started_at, reason)
         VALUES ($1::text, $2, $3, $4, $5)",
        &[&d, &case_id, &stage_id, &at, &reason],
    )
    .map_err(|e| {
        Error::of(
            e,
            format!("hanging up stage run {stage_id} of case `{case_id}` of district {d}"),
            None,
        )
    })?;
    Ok(())
}

fn end_hang(c: &mut impl GenericClient, d: &str, stage_id: i64, at: NaiveDateTime) -> Result<()> {
    c.execute(
        "UPDATE case_hang SET ended_at = $3
          WHERE district = $1::text AND stage_id = $2 AND ended_at IS NULL",
        &[&d, &stage_id, &at],
    )
    .map_err(|e| {
        Error::of(
            e,
            format!("ending the hang-up of stage run {stage_id} of district {d}"),
            None,
        )
    })?;
    Ok(())
}

fn set_status(c: &mut impl GenericClient, d: &str, id: &str, status: CaseStatus) -> Result<()> {
    c.execute(
        "UPDATE cases SET status = $3 WHERE district = $1::text AND id = $2",
        &[&d, &id, &status.key()],
    )
    .map_err(|e| {
        Error::of(
            e,
            format!("setting the status of case `{id}` of district {d}"),
            None,
        )
    })?;
    Ok(())
}

const AUDIT_INSERT: &str = "INSERT INTO case_audit (district, case_id, at, actor, role, action,
                                                    from_status, to_status, note, detail)
     VALUES ($1::text, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING seq";

/// Appends one audit row (its number drawn by the centre, in commit order: migration 4).
#[allow(clippy::too_many_arguments)]
fn append_audit_with(
    c: &mut impl GenericClient,
    st: &postgres::Statement,
    d: &str,
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
    Ok(c.query_one(
        st,
        &[
            &d,
            &case_id,
            &at,
            &actor,
            &role,
            &action,
            &from.map(|s| s.key()),
            &to.key(),
            &note,
            &detail.map(|v| v.to_string()),
        ],
    )
    .map_err(|e| {
        Error::of(
            e,
            format!("appending `{action}` to the audit trail of case `{case_id}` of district {d}"),
            None,
        )
    })?
    .get(0))
}

fn audit(c: &mut impl GenericClient, d: &str, id: &str) -> Result<Vec<AuditEntry>> {
    c.query(
        "SELECT seq, case_id, at, actor, role, action, from_status, to_status, note, detail
           FROM case_audit WHERE district = $1::text AND case_id = $2 ORDER BY seq",
        &[&d, &id],
    )
    .map_err(|e| {
        Error::of(
            e,
            format!("reading the audit trail of case `{id}` of district {d}"),
            None,
        )
    })?
    .iter()
    .map(|r| {
        let seq: i64 = r.get(0);
        let to: &str = r.get(7);
        Ok(AuditEntry {
            seq,
            case_id: r.get(1),
            at: r.get(2),
            actor: r.get(3),
            role: r.get(4),
            action: r.get(5),
            from_status: r.get::<_, Option<&str>>(6).and_then(CaseStatus::parse),
            to_status: CaseStatus::parse(to)
                .ok_or_else(|| corrupt("case audit row", seq, format!("status `{to}`")))?,
            note: r.get(8),
            detail: r
                .get::<_, Option<&str>>(9)
                .and_then(|s| serde_json::from_str(s).ok()),
        })
    })
    .collect()
}

/// Whole histories in the order the workflow's single steps would write them: every run (with
/// its final values) in slice order, its hang-ups after it, then the audit rows, then the
/// flows. Ids and numbers are drawn in that order, so they ascend as at the station.
fn write_case_histories(
    c: &mut impl GenericClient,
    d: &str,
    hs: &[History],
) -> griddesk_core::Result<()> {
    let run_st = prepare(
        c,
        "INSERT INTO case_stage (district, case_id, stage, round, department, started_at,
                                 limit_amount, limit_unit, extension_seconds, hung_seconds,
                                 deadline, ended_at, used_seconds, on_time, outcome, ended_by)
         VALUES ($1::text, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
         RETURNING id",
        "a stage run write",
    )?;
    let hang_st = prepare(
        c,
        "INSERT INTO case_hang (district, case_id, stage_id, started_at, ended_at, reason)
         VALUES ($1::text, $2, $3, $4, $5, $6)",
        "a hang-up write",
    )?;
    let audit_st = prepare(c, AUDIT_INSERT, "an audit write")?;
    let flow_st = prepare(c, &flow_upsert(), "a flow write")?;
    for h in hs {
        let case_id = h.flow.case_id.as_str();
        for (r, hangs) in &h.runs {
            let round = int(r.round, "the round", case_id)?;
            let what = || {
                format!(
                    "writing a {} run of case `{case_id}` of district {d}",
                    r.stage.key()
                )
            };
            let id: i64 = c
                .query_one(
                    &run_st,
                    &[
                        &d,
                        &case_id,
                        &r.stage.key(),
                        &round,
                        &r.department,
                        &r.started_at,
                        &r.limit.amount,
                        &r.limit.unit.key(),
                        &r.extension_seconds,
                        &r.hung_seconds,
                        &r.deadline,
                        &r.ended_at,
                        &r.used_seconds,
                        &r.on_time,
                        &r.outcome,
                        &r.ended_by,
                    ],
                )
                .map_err(|e| Error::of(e, what(), None))?
                .get(0);
            for g in hangs {
                c.execute(
                    &hang_st,
                    &[
                        &d,
                        &case_id,
                        &id,
                        &g.interval.start,
                        &g.interval.end,
                        &g.reason,
                    ],
                )
                .map_err(|e| {
                    Error::of(
                        e,
                        format!("writing a hang-up of case `{case_id}` of district {d}"),
                        None,
                    )
                })?;
            }
        }
    }
    for a in hs.iter().flat_map(|h| &h.audit) {
        append_audit_with(
            c,
            &audit_st,
            d,
            &a.case_id,
            a.at,
            &a.actor,
            &a.role,
            &a.action,
            a.from_status,
            a.to_status,
            a.note.as_deref(),
            a.detail.as_ref(),
        )?;
    }
    for h in hs {
        write_flow_with(c, &flow_st, d, &h.flow)?;
    }
    Ok(())
}

fn insert_photos(
    c: &mut impl GenericClient,
    d: &str,
    case_id: &str,
    photos: &[Prepared],
    at: NaiveDateTime,
    by: &str,
) -> griddesk_core::Result<Vec<i64>> {
    let st = prepare(
        c,
        "INSERT INTO case_photo (district, case_id, phase, added_at, added_by, name, mime, width,
                                 height, bytes, thumb)
         VALUES ($1::text, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        "a photo write",
    )?;
    let mut ids = Vec::with_capacity(photos.len());
    for p in photos {
        let (w, h) = (
            int(p.width, "a photo's width", case_id)?,
            int(p.height, "a photo's height", case_id)?,
        );
        let id: i64 = c
            .query_one(
                &st,
                &[
                    &d,
                    &case_id,
                    &p.phase.key(),
                    &at,
                    &by,
                    &p.name,
                    &p.mime,
                    &w,
                    &h,
                    &p.bytes,
                    &p.thumb,
                ],
            )
            .map_err(|e| {
                Error::of(
                    e,
                    format!("storing a photo of case `{case_id}` of district {d}"),
                    None,
                )
            })?
            .get(0);
        ids.push(id);
    }
    Ok(ids)
}

fn photos(c: &mut impl GenericClient, d: &str, id: &str) -> Result<Vec<PhotoInfo>> {
    c.query(
        "SELECT id, phase, added_at, added_by, name, mime, width, height, octet_length(bytes)
           FROM case_photo WHERE district = $1::text AND case_id = $2 ORDER BY id",
        &[&d, &id],
    )
    .map_err(|e| {
        Error::of(
            e,
            format!("reading the photos of case `{id}` of district {d}"),
            None,
        )
    })?
    .iter()
    .map(|r| {
        let pid: i64 = r.get(0);
        let phase: &str = r.get(1);
        let size: i32 = r.get(8);
        Ok(PhotoInfo {
            id: pid,
            phase: PhotoPhase::parse(phase)
                .ok_or_else(|| corrupt("photo", pid, format!("phase `{phase}`")))?,
            added_at: r.get(2),
            added_by: r.get(3),
            name: r.get(4),
            mime: r.get(5),
            width: count(r, 6, "photo", &pid.to_string())?,
            height: count(r, 7, "photo", &pid.to_string())?,
            size: usize::try_from(size)
                .map_err(|_| corrupt("photo", pid, format!("size {size}")))?,
        })
    })
    .collect()
}

impl CaseRecords for DistrictTx<'_, '_> {
    fn read_core(&self, id: &str) -> griddesk_core::Result<Option<CaseCore>> {
        Ok(read_core(
            &mut *self.tx.tx.borrow_mut(),
            self.district.as_str(),
            id,
        )?)
    }
    fn read_flow(&self, id: &str) -> griddesk_core::Result<Option<Flow>> {
        Ok(read_flow(
            &mut *self.tx.tx.borrow_mut(),
            self.district.as_str(),
            id,
        )?)
    }
    fn write_flow(&self, f: &Flow) -> griddesk_core::Result<()> {
        write_flow(&mut *self.tx.tx.borrow_mut(), self.district.as_str(), f)
    }
    fn runs(&self, id: &str) -> griddesk_core::Result<Vec<StageRun>> {
        Ok(runs(
            &mut *self.tx.tx.borrow_mut(),
            self.district.as_str(),
            id,
        )?)
    }
    fn running(&self, id: &str) -> griddesk_core::Result<Option<StageRun>> {
        Ok(running(
            &mut *self.tx.tx.borrow_mut(),
            self.district.as_str(),
            id,
        )?)
    }
    fn rounds(&self, id: &str, stage: Stage) -> griddesk_core::Result<u32> {
        Ok(rounds(
            &mut *self.tx.tx.borrow_mut(),
            self.district.as_str(),
            id,
            stage,
        )?)
    }
    fn start_run(&self, case_id: &str, run: &StageRun) -> griddesk_core::Result<i64> {
        start_run(
            &mut *self.tx.tx.borrow_mut(),
            self.district.as_str(),
            case_id,
            run,
        )
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
        Ok(end_run(
            &mut *self.tx.tx.borrow_mut(),
            self.district.as_str(),
            id,
            at,
            used_seconds,
            on_time,
            outcome,
            by,
        )?)
    }
    fn set_run_clock(
        &self,
        id: i64,
        extension_seconds: i64,
        hung_seconds: i64,
        deadline: Option<NaiveDateTime>,
    ) -> griddesk_core::Result<()> {
        Ok(set_run_clock(
            &mut *self.tx.tx.borrow_mut(),
            self.district.as_str(),
            id,
            extension_seconds,
            hung_seconds,
            deadline,
        )?)
    }
    fn hangs(&self, stage_id: i64) -> griddesk_core::Result<Vec<Interval>> {
        Ok(hangs(
            &mut *self.tx.tx.borrow_mut(),
            self.district.as_str(),
            stage_id,
        )?)
    }
    fn start_hang(
        &self,
        case_id: &str,
        stage_id: i64,
        at: NaiveDateTime,
        reason: Option<&str>,
    ) -> griddesk_core::Result<()> {
        Ok(start_hang(
            &mut *self.tx.tx.borrow_mut(),
            self.district.as_str(),
            case_id,
            stage_id,
            at,
            reason,
        )?)
    }
    fn end_hang(&self, stage_id: i64, at: NaiveDateTime) -> griddesk_core::Result<()> {
        Ok(end_hang(
            &mut *self.tx.tx.borrow_mut(),
            self.district.as_str(),
            stage_id,
            at,
        )?)
    }
    fn set_status(&self, id: &str, status: CaseStatus) -> griddesk_core::Result<()> {
        Ok(set_status(
            &mut *self.tx.tx.borrow_mut(),
            self.district.as_str(),
            id,
            status,
        )?)
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
        let mut c = self.tx.tx.borrow_mut();
        let st = prepare(&mut *c, AUDIT_INSERT, "an audit write")?;
        Ok(append_audit_with(
            &mut *c,
            &st,
            self.district.as_str(),
            case_id,
            at,
            actor,
            role,
            action,
            from,
            to,
            note,
            detail,
        )?)
    }
    fn audit(&self, id: &str) -> griddesk_core::Result<Vec<AuditEntry>> {
        Ok(audit(
            &mut *self.tx.tx.borrow_mut(),
            self.district.as_str(),
            id,
        )?)
    }
    fn write_case_histories(&self, hs: &[History]) -> griddesk_core::Result<()> {
        write_case_histories(&mut *self.tx.tx.borrow_mut(), self.district.as_str(), hs)
    }
    fn insert_photos(
        &self,
        case_id: &str,
        photos: &[Prepared],
        at: NaiveDateTime,
        by: &str,
    ) -> griddesk_core::Result<Vec<i64>> {
        insert_photos(
            &mut *self.tx.tx.borrow_mut(),
            self.district.as_str(),
            case_id,
            photos,
            at,
            by,
        )
    }
    fn photos(&self, id: &str) -> griddesk_core::Result<Vec<PhotoInfo>> {
        Ok(photos(
            &mut *self.tx.tx.borrow_mut(),
            self.district.as_str(),
            id,
        )?)
    }
}

/// Reads on the connection; every write a transaction of its own (an audit row is sealed when
/// it commits).
impl CaseRecords for DistrictScope<'_> {
    fn read_core(&self, id: &str) -> griddesk_core::Result<Option<CaseCore>> {
        Ok(self
            .centre
            .with(|c| read_core(c, self.district.as_str(), id))?)
    }
    fn read_flow(&self, id: &str) -> griddesk_core::Result<Option<Flow>> {
        Ok(self
            .centre
            .with(|c| read_flow(c, self.district.as_str(), id))?)
    }
    fn write_flow(&self, f: &Flow) -> griddesk_core::Result<()> {
        let d = self.district;
        self.centre.transaction(|tx| tx.district(d).write_flow(f))
    }
    fn runs(&self, id: &str) -> griddesk_core::Result<Vec<StageRun>> {
        Ok(self.centre.with(|c| runs(c, self.district.as_str(), id))?)
    }
    fn running(&self, id: &str) -> griddesk_core::Result<Option<StageRun>> {
        Ok(self
            .centre
            .with(|c| running(c, self.district.as_str(), id))?)
    }
    fn rounds(&self, id: &str, stage: Stage) -> griddesk_core::Result<u32> {
        Ok(self
            .centre
            .with(|c| rounds(c, self.district.as_str(), id, stage))?)
    }
    fn start_run(&self, case_id: &str, run: &StageRun) -> griddesk_core::Result<i64> {
        let d = self.district;
        self.centre
            .transaction(|tx| tx.district(d).start_run(case_id, run))
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
        let d = self.district;
        self.centre.transaction(|tx| {
            tx.district(d)
                .end_run(id, at, used_seconds, on_time, outcome, by)
        })
    }
    fn set_run_clock(
        &self,
        id: i64,
        extension_seconds: i64,
        hung_seconds: i64,
        deadline: Option<NaiveDateTime>,
    ) -> griddesk_core::Result<()> {
        let d = self.district;
        self.centre.transaction(|tx| {
            tx.district(d)
                .set_run_clock(id, extension_seconds, hung_seconds, deadline)
        })
    }
    fn hangs(&self, stage_id: i64) -> griddesk_core::Result<Vec<Interval>> {
        Ok(self
            .centre
            .with(|c| hangs(c, self.district.as_str(), stage_id))?)
    }
    fn start_hang(
        &self,
        case_id: &str,
        stage_id: i64,
        at: NaiveDateTime,
        reason: Option<&str>,
    ) -> griddesk_core::Result<()> {
        let d = self.district;
        self.centre
            .transaction(|tx| tx.district(d).start_hang(case_id, stage_id, at, reason))
    }
    fn end_hang(&self, stage_id: i64, at: NaiveDateTime) -> griddesk_core::Result<()> {
        let d = self.district;
        self.centre
            .transaction(|tx| tx.district(d).end_hang(stage_id, at))
    }
    fn set_status(&self, id: &str, status: CaseStatus) -> griddesk_core::Result<()> {
        let d = self.district;
        self.centre
            .transaction(|tx| tx.district(d).set_status(id, status))
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
        let d = self.district;
        self.centre.transaction(|tx| {
            tx.district(d)
                .append_audit(case_id, at, actor, role, action, from, to, note, detail)
        })
    }
    fn audit(&self, id: &str) -> griddesk_core::Result<Vec<AuditEntry>> {
        Ok(self.centre.with(|c| audit(c, self.district.as_str(), id))?)
    }
    fn write_case_histories(&self, hs: &[History]) -> griddesk_core::Result<()> {
        let d = self.district;
        self.centre
            .transaction(|tx| tx.district(d).write_case_histories(hs))
    }
    fn insert_photos(
        &self,
        case_id: &str,
        photos: &[Prepared],
        at: NaiveDateTime,
        by: &str,
    ) -> griddesk_core::Result<Vec<i64>> {
        let d = self.district;
        self.centre
            .transaction(|tx| tx.district(d).insert_photos(case_id, photos, at, by))
    }
    fn photos(&self, id: &str) -> griddesk_core::Result<Vec<PhotoInfo>> {
        Ok(self
            .centre
            .with(|c| photos(c, self.district.as_str(), id))?)
    }
}
