use crate::api::workflow::IndexEdit;
use crate::error::Result;
use crate::filing::Stage;
#[allow(unused_imports)]
use crate::intake::*;
use crate::model::{Case, CaseKind, CaseStatus, CaseSummary};
#[allow(unused_imports)]
use crate::ports::*;
use crate::store::Writer;
use crate::users::Session;
use crate::workflow::apply::{run_clock, start_stage};
use crate::workflow::desk::OpenCase;
use crate::workflow::machine::ActionKind;
use crate::workflow::photo::prepare;
use crate::workflow::record::{self, Flow};
use crate::Engine;
use chrono::Datelike;

impl Engine {
    /// What an intake would fill in, and the duplicates it would show; writes nothing.
    pub fn preview_intake(
        &self,
        session: &Session,
        req: &IntakeRequest,
        dup: &DuplicateParams,
    ) -> Result<IntakePreview> {
        self.with_desk(|_, desk, index| {
            check_reporter(desk, session)?;
            let c = check_request(req, desk, index, chrono::Local::now().naive_local())?;
            let (handle_limit, _) = desk.standard.limit(
                c.kind,
                c.class.as_str(),
                c.condition.as_deref(),
                Stage::Handle,
                c.placement.area_class,
            );
            let (accept, _) = desk.standard.limit(
                c.kind,
                c.class.as_str(),
                c.condition.as_deref(),
                Stage::Accept,
                c.placement.area_class,
            );
            Ok((
                IntakePreview {
                    kind: c.kind,
                    class_code: c.class.to_string(),
                    class_name: match c.kind {
                        CaseKind::Event => index.code_tables.events.get(c.class.as_str()),
                        CaseKind::Component => index.code_tables.components.get(c.class.as_str()),
                    }
                    .map(|e| e.name.clone()),
                    location: c.location,
                    accept_deadline: desk.calendar.deadline(req.reported_at, accept),
                    handle_limit,
                    duplicates: duplicates(desk, &c, req.reported_at, dup),
                    condition: c.condition.clone(),
                    urgency: c.urgency,
                    placement: c.placement,
                },
                vec![],
            ))
        })
    }

    /// Takes in a report (module docs). With [`OnDuplicate::Check`] and duplicates found,
    /// nothing is stored and the candidates are returned.
    pub fn intake(
        &self,
        session: &Session,
        req: &IntakeRequest,
        dup: &DuplicateParams,
        on_duplicate: &OnDuplicate,
    ) -> Result<IntakeOutcome> {
        self.intake_then(session, req, dup, on_duplicate, |_, _| Ok(()))
    }

    /// [`Engine::intake`], and `then` with the new case's id inside the same transaction (the
    /// station records a report's receipt there, so a case is never filed without it). Not
    /// called when the report is linked to an existing case or duplicates stop it.
    pub(crate) fn intake_then(
        &self,
        session: &Session,
        req: &IntakeRequest,
        dup: &DuplicateParams,
        on_duplicate: &OnDuplicate,
        then: impl FnOnce(&crate::store::Db<'_>, &str) -> Result<()>,
    ) -> Result<IntakeOutcome> {
        self.with_desk(|store, desk, index| {
            check_reporter(desk, session)?;
            let c = check_request(req, desk, index, chrono::Local::now().naive_local())?;
            let photos = req
                .photos
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    prepare(p).map_err(|m| refused(&format!("photos[{i}]"), m.prefixed("photo ")))
                })
                .collect::<Result<Vec<_>>>()?;
            let at = req.reported_at;
            match on_duplicate {
                OnDuplicate::LinkTo { case_id } => {
                    return store
                        .transaction(|tx| link(tx, desk, index, session, req, &c, &photos, case_id))
                        .map(|o| (o, vec![]));
                }
                OnDuplicate::Check => {
                    let d = duplicates(desk, &c, at, dup);
                    if !d.is_empty() {
                        return Ok((IntakeOutcome::DuplicatesFound { candidates: d }, vec![]));
                    }
                }
                OnDuplicate::Proceed => {}
            }
            let (outcome, open, summary) = store.transaction(|tx| {
                let id = tx.next_id(at.year())?;
                let case = Case {
                    id: id.clone(),
                    location: geo_types::Point::new(c.location[0], c.location[1]),
                    kind: c.kind,
                    class_code: c.class,
                    component: c.component.as_ref().map(|k| k.code),
                    source: req.source,
                    reported_at: at,
                    status: CaseStatus::Reported,
                    description: req
                        .description
                        .as_deref()
                        .map(str::trim)
                        .filter(|d| !d.is_empty())
                        .map(str::to_string),
                    grid: c.placement.grid,
                    sample: false,
                };
                Writer::on(tx).insert_case(&case)?;
                let p = &c.placement;
                let flow = Flow {
                    case_id: id.clone(),
                    street: p.street.clone(),
                    community: p.community.clone(),
                    duty_grid: p.duty_grid.clone(),
                    inspector: p.inspector.clone(),
                    department: p.department.clone(),
                    area_class: p.area_class,
                    condition: c.condition.clone(),
                    urgency: c.urgency,
                    address: trimmed(&req.address),
                    reporter: trimmed(&req.reporter),
                    reporter_phone: trimmed(&req.reporter_phone),
                    created_by: Some(session.login.clone()),
                    supervised: false,
                    rework_count: 0,
                    extension_count: 0,
                    hangup_count: 0,
                    return_count: 0,
                    duplicate_count: 0,
                    request: None,
                    closed_at: None,
                    updated_at: at,
                };
                tx.write_flow(&flow)?;
                let core = record::CaseCore {
                    id: id.clone(),
                    kind: c.kind,
                    class_code: c.class.to_string(),
                    component: case.component.map(|k| k.to_string()),
                    source: req.source,
                    reported_at: at,
                    status: CaseStatus::Reported,
                    description: case.description.clone(),
                    location: c.location,
                    grid: c.placement.grid.map(|g| g.to_string()),
                };
                let run = start_stage(tx, desk, &core, &flow, Stage::Accept, at)?;
                let photo_ids = tx.insert_photos(&id, &photos, at, &session.login)?;
                let detail = serde_json::json!({
                    "source": req.source.key(),
                    "grid": c.placement.grid.map(|g| g.to_string()),
                    "department": c.placement.department,
                    "photos": photo_ids,
                });
                let seq = tx.append_audit(
                    &id,
                    at,
                    &session.login,
                    session.role.key(),
                    ActionKind::Report.key(),
                    None,
                    CaseStatus::Reported,
                    case.description.as_deref(),
                    Some(&detail),
                )?;
                then(tx, &id)?;
                let open = OpenCase {
                    id: id.clone().into_boxed_str(),
                    pos: u32::MAX,
                    kind: c.kind,
                    class: c.class,
                    location: c.location,
                    reported_at: at,
                    source: req.source,
                    status: CaseStatus::Reported,
                    grid: c.placement.grid,
                    department: c.placement.department.as_deref().map(Into::into),
                    inspector: c.placement.inspector.as_deref().map(Into::into),
                    supervised: false,
                    request: None,
                    run: Some(run_clock(desk, &run, None)),
                };
                Ok((
                    IntakeOutcome::Created {
                        id,
                        placement: Box::new(c.placement.clone()),
                        audit_seq: seq,
                        photos: photo_ids,
                    },
                    open,
                    CaseSummary::from(&case),
                ))
            })?;
            desk.open.insert(open);
            Ok((outcome, vec![IndexEdit::Insert(summary)]))
        })
    }
}
