//! Applying a transition: authorise the session, check the machine, check the inputs against
//! the store, then write status, flow, stage runs, hang-ups, photos and the audit entry in the
//! caller's transaction. Any refusal is returned before the first write.

use super::desk::{Desk, OpenCase, RunClock};
use super::machine::{check, Action, ActionKind, CaseView, Refusal, RequestKind};
use super::photo::{prepare, Prepared};
use super::record::{CaseCore, Flow, PendingRequest, StageRun};
use crate::clock::{StageClock, TimeLimit};
use crate::error::{Error, Result};
use crate::filing::Stage;
use crate::index::SpatialIndex;
use crate::intake::place::place;
use crate::message::{Message, MessageCode, Reason};
use crate::model::{CaseStatus, Component};
use crate::users::{Role, Session};
use chrono::NaiveDateTime;
use serde_json::json;

/// The stage whose clock runs while a case is in `status`.
pub fn stage_of(status: CaseStatus) -> Option<Stage> {
    use CaseStatus::*;
    match status {
        Reported => Some(Stage::Accept),
        Accepted => Some(Stage::File),
        Verifying => Some(Stage::Verify),
        Filed => Some(Stage::Dispatch),
        Handling | Hung => Some(Stage::Handle),
        Checking => Some(Stage::Check),
        ToClose | SelfHandled => Some(Stage::Close),
        Closed | Cancelled | NotAccepted => None,
    }
}

/// Checks that the session's user exists, is active, holds the role and (for 专业部门)
/// belongs to the session's department.
pub fn authorise(desk: &Desk, s: &Session) -> std::result::Result<(), Refusal> {
    use crate::message::MessageCode as C;
    let deny = |code: C, why: &str| Refusal::NotAuthorised {
        login: s.login.clone(),
        role: s.role,
        why: Message::new(code).en(why),
    };
    let Some((u, _)) = desk.users.get(&s.login) else {
        return Err(deny(C::UnknownUser, "unknown user"));
    };
    if !u.active {
        return Err(deny(C::AccountDisabled, "the account is disabled"));
    }
    if !u.roles.contains(&s.role) {
        return Err(deny(C::RoleNotHeld, "the user does not hold this role"));
    }
    if s.role == Role::Department && u.department != s.department {
        return Err(deny(
            C::DepartmentMismatch,
            "the session's department is not the user's",
        ));
    }
    Ok(())
}

fn refused(case: &str, r: Refusal) -> Error {
    Error::Refused {
        case: case.to_string(),
        refusal: r,
    }
}

/// The workflow record of a case that entered the store without one (imported by the plain
/// case import or an older GridDesk): placed and routed now.
pub fn legacy_flow(core: &CaseCore, index: &SpatialIndex, desk: &Desk) -> Flow {
    let comp: Option<&Component> = core
        .component
        .as_deref()
        .and_then(|code| index.components.iter().find(|c| c.code.as_str() == code));
    let p = place(
        index,
        desk,
        core.kind,
        &core.class_code,
        core.location,
        comp,
    );
    let urgency = desk
        .standard
        .resolve(core.kind, &core.class_code, None)
        .map_or(crate::filing::Urgency::Ordinary, |c| c.urgency);
    Flow {
        case_id: core.id.clone(),
        street: p.street,
        community: p.community,
        duty_grid: p.duty_grid,
        inspector: p.inspector,
        department: p.department,
        area_class: p.area_class,
        condition: None,
        urgency,
        address: None,
        reporter: None,
        reporter_phone: None,
        created_by: None,
        supervised: false,
        rework_count: 0,
        extension_count: 0,
        hangup_count: 0,
        return_count: 0,
        duplicate_count: 0,
        request: None,
        closed_at: core.status.is_terminal().then_some(core.reported_at),
        updated_at: core.reported_at,
    }
}

/// What a transition did.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Transitioned {
    pub case_id: String,
    pub action: ActionKind,
    pub from: CaseStatus,
    pub to: CaseStatus,
    /// Sequence number of the audit entry written.
    pub audit_seq: i64,
    /// Ids of photos stored with the action.
    pub photos: Vec<i64>,
}

/// The run clock of a stored run for the in-memory state.
pub fn run_clock(desk: &Desk, run: &StageRun, hang_start: Option<NaiveDateTime>) -> RunClock {
    RunClock {
        stage: run.stage,
        started: run.started_at,
        deadline: run.deadline,
        limit_seconds: run.limit.seconds(&desk.calendar) + run.extension_seconds,
        metric: run.limit.unit.metric(),
        hang_start,
        hung_seconds: run.hung_seconds,
    }
}

/// Checks and applies `action` on case `id` at `at` (module docs). Returns what happened and
/// the case's new in-memory record.
pub fn transition(
    tx: &dyn crate::CaseLoopStore,
    desk: &Desk,
    index: &SpatialIndex,
    id: &str,
    session: &Session,
    action: &Action,
    at: NaiveDateTime,
) -> Result<(Transitioned, OpenCase)> {
    let core = tx.read_core(id)?.ok_or_else(|| Error::NotFound {
        what: "case",
        key: id.to_string(),
    })?;
    let kind = action.kind();
    authorise(desk, session).map_err(|r| refused(id, r))?;
    let mut flow = match tx.read_flow(id)? {
        Some(f) => f,
        None => legacy_flow(&core, index, desk),
    };
    let run = tx.running(id)?;
    let view = CaseView {
        status: core.status,
        department: flow.department.clone(),
        request: flow.request.as_ref().map(|r| r.kind),
    };
    let to = check(&view, session, action).map_err(|r| refused(id, r))?;
    let invalid = |field: &str, message: Reason| {
        refused(
            id,
            Refusal::InvalidInput {
                action: kind,
                field: field.to_string(),
                message,
            },
        )
    };
    if at < flow.updated_at {
        let (a, b) = (
            griddesk_core::dates::format_datetime(&at),
            griddesk_core::dates::format_datetime(&flow.updated_at),
        );
        return Err(invalid(
            "at",
            Message::new(MessageCode::TimeBeforeLastChange)
                .text("at", &a)
                .text("last", &b)
                .en(format!("{a} is before the case's last change ({b})")),
        ));
    }
    // Inputs checked against the store and the tables.
    let mut detail = serde_json::Map::new();
    match action {
        Action::Dispatch { department, .. } => {
            let code = department.trim();
            if desk.department(code).is_none() {
                return Err(refused(
                    id,
                    Refusal::UnknownDepartment {
                        code: code.to_string(),
                    },
                ));
            }
            detail.insert("department".into(), json!(code));
        }
        Action::File {
            condition: Some(c), ..
        } if desk
            .standard
            .condition(core.kind, &core.class_code, c.trim())
            .is_none() =>
        {
            return Err(invalid(
                "condition",
                Message::new(MessageCode::NotAFilingCondition)
                    .text("condition", c)
                    .text("class", &core.class_code)
                    .en(format!(
                        "`{c}` is not a filing condition of class {}",
                        core.class_code
                    )),
            ));
        }
        Action::RequestExtension { amount, unit, .. } => {
            let metric = run.as_ref().map(|r| r.limit.unit.metric());
            if metric != Some(unit.metric()) {
                let clock = run.as_ref().map(|r| r.limit.unit);
                let m = Message::new(MessageCode::UnitNotOnClock).term("unit", *unit);
                let m = match clock {
                    Some(c) => m.term("clock", c),
                    None => m.text("clock", "—"),
                };
                return Err(invalid(
                    "unit",
                    m.en(format!(
                        "{} is not measured on the handling clock's {}",
                        unit.zh(),
                        clock.map_or("(none)", |u| u.zh())
                    )),
                ));
            }
            detail.insert("amount".into(), json!(amount));
            detail.insert("unit".into(), json!(unit.key()));
        }
        _ => {}
    }
    let photos: Vec<Prepared> = action
        .photos()
        .iter()
        .enumerate()
        .map(|(i, p)| {
            prepare(p).map_err(|m| invalid(&format!("photos[{i}]"), m.prefixed("photo ")))
        })
        .collect::<Result<_>>()?;

    // ---- writes ------------------------------------------------------------------------
    let by = session.login.as_str();
    let cal = &desk.calendar;
    let photo_ids = tx.insert_photos(id, &photos, at, by)?;
    if !photo_ids.is_empty() {
        detail.insert("photos".into(), json!(photo_ids));
    }
    let from = core.status;
    let mut run = run;
    let mut hang_start: Option<NaiveDateTime> = None;
    if let Some(r) = &run {
        if r.deadline.is_none() {
            hang_start = tx
                .hangs(r.id)?
                .iter()
                .find(|h| h.end.is_none())
                .map(|h| h.start);
        }
    }

    // Pending requests.
    match action {
        Action::RequestCancel { reason }
        | Action::RequestReturn { reason }
        | Action::RequestHangUp { reason } => {
            flow.request = Some(PendingRequest {
                kind: super::machine::request_made(kind).unwrap_or(RequestKind::Cancel),
                by: by.to_string(),
                at,
                reason: reason.trim().to_string(),
                seconds: None,
                amount: None,
                unit: None,
            });
        }
        Action::RequestExtension {
            amount,
            unit,
            reason,
        } => {
            let secs = TimeLimit {
                amount: *amount,
                unit: *unit,
            }
            .seconds(cal);
            detail.insert("seconds".into(), json!(secs));
            flow.request = Some(PendingRequest {
                kind: RequestKind::Extension,
                by: by.to_string(),
                at,
                reason: reason.trim().to_string(),
                seconds: Some(secs),
                amount: Some(*amount),
                unit: Some(*unit),
            });
        }
        _ => {
            if let Some(r) = flow.request.take() {
                detail.insert("request".into(), json!(r.kind.key()));
                if let (Some(a), Some(u)) = (r.amount, r.unit) {
                    detail.insert("requested_amount".into(), json!(a));
                    detail.insert("requested_unit".into(), json!(u.key()));
                }
                // A request that is neither decided here nor rejected lapses.
                let decided = matches!(
                    kind,
                    ActionKind::ApproveCancel
                        | ActionKind::ApproveExtension
                        | ActionKind::ApproveHangUp
                        | ActionKind::ApproveReturn
                        | ActionKind::RejectRequest
                );
                if kind == ActionKind::ApproveExtension {
                    let secs = match action {
                        Action::ApproveExtension {
                            amount: Some(a), ..
                        } => TimeLimit {
                            amount: *a,
                            unit: r.unit.unwrap_or(crate::clock::TimeUnit::WorkHour),
                        }
                        .seconds(cal),
                        _ => r.seconds.unwrap_or(0),
                    };
                    detail.insert("granted_seconds".into(), json!(secs));
                    if let Some(run) = run.as_mut() {
                        run.extension_seconds += secs;
                        let hangs = tx.hangs(run.id)?;
                        run.deadline = StageClock {
                            start: run.started_at,
                            limit: run.limit,
                            extension_seconds: run.extension_seconds,
                            hangs,
                        }
                        .deadline(cal);
                        tx.set_run_clock(
                            run.id,
                            run.extension_seconds,
                            run.hung_seconds,
                            run.deadline,
                        )?;
                    }
                    flow.extension_count += 1;
                } else if !decided {
                    detail.insert("lapsed".into(), json!(true));
                }
            }
        }
    }

    // Counters, flags, department, condition.
    match action {
        Action::Dispatch { department, .. } => {
            flow.department = Some(department.trim().to_string())
        }
        Action::File { condition, .. } => {
            if let Some(c) = desk.standard.resolve(
                core.kind,
                &core.class_code,
                condition.as_deref().map(str::trim),
            ) {
                flow.condition = Some(c.condition.clone());
                flow.urgency = c.urgency;
                detail.insert("condition".into(), json!(c.condition));
            }
        }
        Action::ApproveReturn { .. } => flow.return_count += 1,
        Action::CheckFail { .. } => flow.rework_count += 1,
        Action::Supervise { .. } => flow.supervised = true,
        Action::ApproveHangUp { .. } => {
            flow.hangup_count += 1;
            if let Some(run) = run.as_mut() {
                tx.start_hang(id, run.id, at, action.note())?;
                run.deadline = None;
                tx.set_run_clock(run.id, run.extension_seconds, run.hung_seconds, None)?;
                hang_start = Some(at);
            }
        }
        Action::Restore { .. } => {
            if let Some(run) = run.as_mut() {
                tx.end_hang(run.id, at)?;
                if let Some(h) = hang_start.take() {
                    run.hung_seconds += cal.measure(run.limit.unit.metric(), h, at).max(0);
                }
                let hangs = tx.hangs(run.id)?;
                run.deadline = StageClock {
                    start: run.started_at,
                    limit: run.limit,
                    extension_seconds: run.extension_seconds,
                    hangs,
                }
                .deadline(cal);
                tx.set_run_clock(
                    run.id,
                    run.extension_seconds,
                    run.hung_seconds,
                    run.deadline,
                )?;
            }
        }
        _ => {}
    }

    // Stage runs: a change of stage ends the running one and starts the next.
    let (old_stage, new_stage) = (stage_of(from), stage_of(to));
    if old_stage != new_stage {
        if let Some(r) = run.take() {
            let used = cal.measure(r.limit.unit.metric(), r.started_at, at).max(0) - r.hung_seconds;
            let on_time = used <= r.limit.seconds(cal) + r.extension_seconds;
            tx.end_run(r.id, at, used, on_time, kind.key(), by)?;
            detail.insert("stage_on_time".into(), json!(on_time));
        }
        if let Some(stage) = new_stage {
            run = Some(start_stage(tx, desk, &core, &flow, stage, at)?);
            hang_start = None;
        }
    }
    if to.is_terminal() {
        flow.closed_at = Some(at);
    }
    flow.updated_at = at;
    tx.write_flow(&flow)?;
    if to != from {
        tx.set_status(id, to)?;
    }
    let detail = (!detail.is_empty()).then_some(serde_json::Value::Object(detail));
    let seq = tx.append_audit(
        id,
        at,
        by,
        session.role.key(),
        kind.key(),
        Some(from),
        to,
        action.note(),
        detail.as_ref(),
    )?;

    let pos = desk
        .open
        .get(id)
        .map(|o| o.pos)
        .filter(|&p| index.cases.get(p as usize).is_some_and(|c| &*c.id == id))
        .or_else(|| {
            index
                .cases
                .iter()
                .rposition(|c| &*c.id == id)
                .map(|p| p as u32)
        })
        .unwrap_or(u32::MAX);
    let open = OpenCase {
        id: id.into(),
        pos,
        kind: core.kind,
        class: crate::code::ClassCode::parse(&core.class_code)?,
        location: core.location,
        reported_at: core.reported_at,
        source: core.source,
        status: to,
        grid: core
            .grid
            .as_deref()
            .map(crate::code::GridCode::parse)
            .transpose()?,
        department: flow.department.as_deref().map(Into::into),
        inspector: flow.inspector.as_deref().map(Into::into),
        supervised: flow.supervised,
        request: flow.request.as_ref().map(|r| r.kind),
        run: run.as_ref().map(|r| run_clock(desk, r, hang_start)),
    };
    Ok((
        Transitioned {
            case_id: id.to_string(),
            action: kind,
            from,
            to,
            audit_seq: seq,
            photos: photo_ids,
        },
        open,
    ))
}

/// Starts a run of `stage` for a case at `at` with the limit of its class, condition and area.
pub fn start_stage(
    tx: &dyn crate::CaseLoopStore,
    desk: &Desk,
    core: &CaseCore,
    flow: &Flow,
    stage: Stage,
    at: NaiveDateTime,
) -> Result<StageRun> {
    let (limit, _) = desk.standard.limit(
        core.kind,
        &core.class_code,
        flow.condition.as_deref(),
        stage,
        flow.area_class,
    );
    let round = tx.rounds(&core.id, stage)? + 1;
    let deadline = desk.calendar.deadline(at, limit);
    let department = (stage == Stage::Handle)
        .then_some(flow.department.as_deref())
        .flatten();
    let run = StageRun::started(0, stage, round, department, at, limit, deadline);
    let id = tx.start_run(&core.id, &run)?;
    Ok(StageRun { id, ..run })
}
