#[allow(unused_imports)]
use crate::ports::*;
use crate::error::{Error, Result};
use crate::filing::Stage;
use crate::model::{CaseKind, CaseSource, CaseStatus};
use crate::store::{format_datetime, parse_datetime};
use crate::users::{Role, Session};
use crate::workflow::apply::{authorise, legacy_flow, stage_of};
use crate::workflow::machine::{available, CaseView};
#[allow(unused_imports)]
use crate::workflow::queue::*;
use crate::Engine;
use chrono::NaiveDateTime;
use rusqlite::types::Value;

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

    /// A page of the case list, newest report first.
    pub fn case_list(&self, f: &CaseFilter, now: NaiveDateTime) -> Result<CasePage> {
        self.with_desk(|store, desk, index| {
            let mut wh: Vec<String> = Vec::new();
            let mut args: Vec<Value> = Vec::new();
            let mut arg = |v: Value| {
                args.push(v);
                format!("?{}", args.len())
            };
            if !f.status.is_empty() {
                let list: Vec<String> = f
                    .status
                    .iter()
                    .map(|s| arg(Value::Text(s.key().into())))
                    .collect();
                wh.push(format!("c.status IN ({})", list.join(", ")));
            }
            if let Some(k) = f.kind {
                wh.push(format!("c.kind = {}", arg(Value::Text(k.key().into()))));
            }
            if let Some(c) = f
                .class_code
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
            {
                wh.push(format!(
                    "c.class_code LIKE {} || '%'",
                    arg(Value::Text(c.into()))
                ));
            }
            if !f.source.is_empty() {
                let list: Vec<String> = f
                    .source
                    .iter()
                    .map(|s| arg(Value::Text(s.key().into())))
                    .collect();
                wh.push(format!("c.source IN ({})", list.join(", ")));
            }
            if let Some(g) = f.grid.as_deref().map(str::trim).filter(|g| !g.is_empty()) {
                wh.push(format!("c.grid LIKE {} || '%'", arg(Value::Text(g.into()))));
            }
            if let Some(d) = f.department.as_deref().filter(|d| !d.is_empty()) {
                wh.push(format!("f.department = {}", arg(Value::Text(d.into()))));
            }
            if let Some(s) = f.supervised {
                wh.push(format!(
                    "coalesce(f.supervised, 0) = {}",
                    arg(Value::Integer(s.into()))
                ));
            }
            if let Some(t) = f.from {
                wh.push(format!(
                    "c.reported_at >= {}",
                    arg(Value::Text(format_datetime(&t)))
                ));
            }
            if let Some(t) = f.until {
                wh.push(format!(
                    "c.reported_at < {}",
                    arg(Value::Text(format_datetime(&t)))
                ));
            }
            if let Some(t) = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
                let p = arg(Value::Text(t.into()));
                wh.push(format!(
                    "(instr(c.id, {p}) > 0 OR instr(coalesce(c.description, ''), {p}) > 0)"
                ));
            }
            if let Some(o) = f.overdue {
                // The workflow's one judgement (SPEC §4.6), not the stored deadline: a hung case
                // has none, yet is overdue when its limit ran out before the hang-up.
                let cal = &desk.calendar;
                let ids: Vec<&str> = desk
                    .open
                    .iter()
                    .filter(|c| c.overdue_at(cal, now))
                    .map(|c| &*c.id)
                    .collect();
                let list = serde_json::to_string(&ids)
                    .map_err(|e| Error::Internal(format!("overdue filter: {e}")))?;
                let p = arg(Value::Text(list));
                let cond = format!("c.id IN (SELECT value FROM json_each({p}))");
                wh.push(if o { cond } else { format!("NOT {cond}") });
            }
            let where_ = if wh.is_empty() {
                String::new()
            } else {
                format!("WHERE {}", wh.join(" AND "))
            };
            let from = "FROM cases c
                 LEFT JOIN case_flow f ON f.case_id = c.id
                 LEFT JOIN case_stage s ON s.case_id = c.id AND s.ended_at IS NULL";
            let conn = &store.db();
            let total: i64 = conn.query_row(
                &format!("SELECT count(*) {from} {where_}"),
                rusqlite::params_from_iter(args.iter()),
                |r| r.get(0),
            )?;
            let limit = if f.limit == 0 { 50 } else { f.limit.min(1000) };
            let mut page_args = args.clone();
            page_args.push(Value::Integer(limit as i64));
            page_args.push(Value::Integer(f.offset as i64));
            let mut st = conn.prepare(&format!(
                "SELECT c.id, c.kind, c.class_code, c.source, c.reported_at, c.status, c.grid,
                        c.description, f.department, coalesce(f.supervised, 0),
                        coalesce(f.rework_count, 0), s.stage, s.deadline
                 {from} {where_}
                 ORDER BY c.reported_at DESC, c.id DESC LIMIT ?{} OFFSET ?{}",
                args.len() + 1,
                args.len() + 2
            ))?;
            let mut rows = st.query(rusqlite::params_from_iter(page_args.iter()))?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                let id: String = r.get(0)?;
                let bad = |what: &str| Error::Internal(format!("case `{id}`: stored {what}"));
                let kind: String = r.get(1)?;
                let kind = CaseKind::parse(&kind).ok_or_else(|| bad("kind"))?;
                let class_code: String = r.get(2)?;
                let source: String = r.get(3)?;
                let status: String = r.get(5)?;
                let stage: Option<String> = r.get(11)?;
                let deadline: Option<String> = r.get(12)?;
                out.push(CaseRow {
                    class_name: class_name(index, kind, &class_code),
                    kind,
                    class_code,
                    source: CaseSource::parse(&source).ok_or_else(|| bad("source"))?,
                    status: CaseStatus::parse(&status).ok_or_else(|| bad("status"))?,
                    reported_at: parse_datetime(&r.get::<_, String>(4)?)?,
                    grid: r.get(6)?,
                    description: r.get(7)?,
                    department: r.get(8)?,
                    supervised: r.get(9)?,
                    rework_count: r.get(10)?,
                    stage: stage.as_deref().and_then(Stage::parse),
                    deadline: deadline.as_deref().map(parse_datetime).transpose()?,
                    clock: clock_of(desk, &id, now),
                    id,
                });
            }
            Ok((
                CasePage {
                    total: total as usize,
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
            Ok((
                CaseDetail {
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
                },
                vec![],
            ))
        })
    }

    /// A stored photo: MIME type and bytes.
    pub fn case_photo(&self, photo_id: i64) -> Result<(String, Vec<u8>)> {
        let store = self.store();
        store
            .conn()
            .query_row(
                "SELECT mime, bytes FROM case_photo WHERE id = ?1",
                [photo_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Error::NotFound {
                    what: "photo",
                    key: photo_id.to_string(),
                },
                e => Error::from(e),
            })
    }

    /// A stored photo's thumbnail (JPEG, at most 240 px).
    pub fn case_photo_thumbnail(&self, photo_id: i64) -> Result<Vec<u8>> {
        let store = self.store();
        store
            .conn()
            .query_row(
                "SELECT thumb FROM case_photo WHERE id = ?1",
                [photo_id],
                |r| r.get(0),
            )
            .map_err(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Error::NotFound {
                    what: "photo",
                    key: photo_id.to_string(),
                },
                e => Error::from(e),
            })
    }
}
