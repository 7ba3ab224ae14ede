use crate::error::{Error, Result};
use crate::model::CaseStatus;
#[allow(unused_imports)]
use crate::ports::*;
use crate::users::{Role, Session};
use crate::workflow::apply::{authorise, legacy_flow, stage_of};
use crate::workflow::machine::{available, CaseView};
#[allow(unused_imports)]
use crate::workflow::queue::*;
use crate::Engine;
use chrono::NaiveDateTime;

impl Engine {
    /// The cases waiting for the session's role, most urgent deadline first (cases without a
    /// running clock last). Department users see their department's cases in handling or hung;
    /// leaders see supervised and overdue cases.
    pub fn queue(&self, session: &Session, now: NaiveDateTime) -> Result<Vec<QueueItem>> {
        self.with_desk(|_, desk, index| {
            authorise(desk, session).map_err(|r| Error::Refused {
                case: "queue".into(),
                refusal: r,
            })?;
            let cal = &desk.calendar;
            let mut items: Vec<QueueItem> = Vec::new();
            for c in desk.open.iter() {
                let clock = c.run.as_ref().map(|r| r.state(cal, now));
                let actions = available(&view(c), session);
                let waiting = match session.role {
                    Role::Department => {
                        session.department.is_some()
                            && c.department.as_deref() == session.department.as_deref()
                            && matches!(c.status, CaseStatus::Handling | CaseStatus::Hung)
                    }
                    Role::Leader => c.supervised || clock.is_some_and(|k| k.overdue),
                    Role::Admin | Role::Planner => false,
                    _ => actions.iter().any(|&k| !secondary(k)),
                };
                if !waiting {
                    continue;
                }
                items.push(QueueItem {
                    id: c.id.to_string(),
                    kind: c.kind,
                    class_code: c.class.to_string(),
                    class_name: class_name(index, c.kind, c.class.as_str()),
                    source: c.source,
                    status: c.status,
                    reported_at: c.reported_at,
                    location: c.location,
                    grid: c.grid.map(|g| g.to_string()),
                    department: c.department.as_deref().map(str::to_string),
                    inspector: c.inspector.as_deref().map(str::to_string),
                    supervised: c.supervised,
                    request: c.request,
                    actions,
                    mine: session.role == Role::Inspector
                        && c.inspector.as_deref() == Some(session.name.as_str()),
                    stage: c.run.as_ref().map(|r| r.stage),
                    clock,
                });
            }
            items.sort_by(|a, b| {
                let key = |q: &QueueItem| {
                    (
                        q.clock.and_then(|k| k.deadline).is_none(),
                        q.clock.map_or(i64::MAX, |k| k.remaining_seconds),
                    )
                };
                key(a)
                    .cmp(&key(b))
                    .then_with(|| a.reported_at.cmp(&b.reported_at))
                    .then_with(|| a.id.cmp(&b.id))
            });
            Ok((items, vec![]))
        })
    }

    /// A page of the case list, newest report first (for a signed-in, active user).
    pub fn case_list(&self, by: &Session, f: &CaseFilter, now: NaiveDateTime) -> Result<CasePage> {
        self.require_active(by)?;
        self.with_desk(|store, desk, index| {
            // The workflow's one judgement (SPEC §4.6), not the stored deadline: a hung case
            // has none, yet is overdue when its limit ran out before the hang-up.
            let cal = &desk.calendar;
            let ids: Vec<&str> = match f.overdue {
                Some(_) => desk
                    .open
                    .iter()
                    .filter(|c| c.overdue_at(cal, now))
                    .map(|c| &*c.id)
                    .collect(),
                None => vec![],
            };
            let (total, rows) = store.db().case_rows(f, f.overdue.map(|o| (o, &ids[..])))?;
            let out = rows
                .into_iter()
                .map(|r| CaseRow {
                    class_name: class_name(index, r.kind, &r.class_code),
                    clock: clock_of(desk, &r.id, now),
                    kind: r.kind,
                    class_code: r.class_code,
                    source: r.source,
                    status: r.status,
                    reported_at: r.reported_at,
                    grid: r.grid,
                    description: r.description,
                    department: r.department,
                    supervised: r.supervised,
                    rework_count: r.rework_count,
                    stage: r.stage,
                    deadline: r.deadline,
                    id: r.id,
                })
                .collect();
            Ok((
                CasePage {
                    total,
                    offset: f.offset,
                    rows: out,
                },
                vec![],
            ))
        })
    }

    /// The case panel: record, flow, stage runs, timeline, photos, clock at `now`, and what
    /// `session` may do.
    pub fn case_detail(
        &self,
        id: &str,
        session: Option<&Session>,
        now: NaiveDateTime,
    ) -> Result<CaseDetail> {
        self.with_desk(|store, desk, index| {
            let conn = &store.db();
            let core = conn.read_core(id)?.ok_or_else(|| Error::NotFound {
                what: "case",
                key: id.to_string(),
            })?;
            let flow = match conn.read_flow(id)? {
                Some(f) => f,
                None => legacy_flow(&core, index, desk),
            };
            let cond =
                desk.standard
                    .resolve(core.kind, &core.class_code, flow.condition.as_deref());
            let actions = match session {
                Some(s) if authorise(desk, s).is_ok() => available(
                    &CaseView {
                        status: core.status,
                        department: flow.department.clone(),
                        request: flow.request.as_ref().map(|r| r.kind),
                    },
                    s,
                ),
                _ => vec![],
            };
            let stages = conn.runs(id)?;
            // The in-memory clock, or (for a case not in memory) one from the stored run.
            let clock = clock_of(desk, id, now).or_else(|| {
                let run = stages.iter().rev().find(|r| r.ended_at.is_none())?;
                stage_of(core.status)?;
                let hang_start = None;
                Some(
                    crate::workflow::apply::run_clock(desk, run, hang_start)
                        .state(&desk.calendar, now),
                )
            });
            let street = flow
                .street
                .as_deref()
                .and_then(|s| crate::code::StreetCode::parse(s).ok());
            let community = flow
                .community
                .as_deref()
                .and_then(|s| crate::code::CommunityCode::parse(s).ok());
            // Reporters' names and phones (docs/trust.md, "Personal data"): in full only to roles that call them
            // back, and every such look is recorded; masked for everyone else.
            let mut flow = flow;
            let mut viewed = None;
            if flow.reporter.is_some() || flow.reporter_phone.is_some() {
                let full = session.filter(|s| {
                    (crate::api::workflow::is_local_admin(s) || authorise(desk, s).is_ok())
                        && s.role
                            .sees_personal_data(crate::users::PersonalData::Reporter)
                });
                match full {
                    Some(s) => viewed = Some(crate::audit::AuditEntry::by(s, "view.reporter", id)),
                    None => {
                        flow.reporter = flow.reporter.as_deref().map(crate::users::mask_name);
                        flow.reporter_phone =
                            flow.reporter_phone.as_deref().map(crate::users::mask_phone);
                    }
                }
            }
            let detail = CaseDetail {
                id: core.id.clone(),
                kind: core.kind,
                class_name: class_name(index, core.kind, &core.class_code),
                class_code: core.class_code.clone(),
                component: core.component.clone(),
                source: core.source,
                status: core.status,
                reported_at: core.reported_at,
                description: core.description.clone(),
                location: core.location,
                grid: core.grid.clone(),
                street_name: street
                    .and_then(|s| index.street(&s))
                    .map(|s| s.name.clone()),
                community_name: community
                    .and_then(|c| index.community(&c))
                    .map(|c| c.name.clone()),
                department_name: flow
                    .department
                    .as_deref()
                    .and_then(|d| desk.departments.get(d))
                    .map(|d| d.name.clone()),
                filing_condition: cond.map(|c| c.filing.clone()),
                closing_condition: cond.map(|c| c.closing.clone()),
                stages,
                audit: conn.audit(id)?,
                photos: conn.photos(id)?,
                clock,
                actions,
                flow,
            };
            if let Some(entry) = viewed.filter(|_| !store.is_read_only()) {
                store.transaction(|tx| tx.record_audit(&entry))?;
            }
            Ok((detail, vec![]))
        })
    }

    /// A stored photo: MIME type and bytes (for a signed-in, active user).
    pub fn case_photo(&self, by: &Session, photo_id: i64) -> Result<(String, Vec<u8>)> {
        self.require_active(by)?;
        self.store().db().photo(photo_id)
    }

    /// A stored photo's thumbnail (JPEG, at most 240 px), for a signed-in, active user.
    pub fn case_photo_thumbnail(&self, by: &Session, photo_id: i64) -> Result<Vec<u8>> {
        self.require_active(by)?;
        self.store().db().photo_thumbnail(photo_id)
    }
}
