//! The station's phone pages on [`Engine`] (docs/station.md, "Phones"): inspectors sign in
//! with their own account and get a session that expires; they report cases (located, routed
//! and checked for duplicates by the intake like the desk's reports) and do their 核实 and 核查
//! tasks through the same workflow the desk uses; citizens report through the citizen page,
//! limited per phone and per address. Every decision is taken here: the station only parses
//! and formats.

#[allow(unused_imports)]
use crate::ports::*;

use crate::error::{Error, Result};
use crate::intake::{refused, DuplicateParams, IntakeOutcome, IntakePreview, IntakeRequest};
use crate::message::{Message, MessageCode as C};
use crate::model::{CaseKind, CaseSource, CaseStatus};
use crate::users::{Role, Session, SignInRefusal};
use crate::workflow::apply::{authorise, transition};
use crate::workflow::machine::{Action, ActionKind};
use crate::workflow::photo::{prepare, PhotoInput, PhotoPhase};
use crate::Engine;
use chrono::{Duration, NaiveDateTime};
use griddesk_caseloop::intake::station::{PhoneAction, StationStore as _};
use serde::Serialize;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use super::station::{StationClient, StationIntake, StationReceipt, FILING};
use super::workflow::IndexEdit;

/// A phone session ends after this long without a request (docs/station.md, "Sessions").
pub const PHONE_IDLE_MINUTES: i64 = 120;
/// A phone session ends this long after its sign-in, however busy (one shift).
pub const PHONE_LIFETIME_HOURS: i64 = 12;
/// Reports the citizen page takes from one phone, and from one network address, per hour.
pub const CITIZEN_PER_HOUR: usize = 10;
/// Photos one phone report or task result may carry.
pub const MAX_PHONE_PHOTOS: usize = 4;
/// Longest idempotency key.
const MAX_IDEMPOTENCY: usize = 200;

struct PhoneSessionRow {
    session: Session,
    started: NaiveDateTime,
    seen: NaiveDateTime,
}

/// The station's in-memory state for phones: sessions by the SHA-256 of their token, and the
/// citizen page's recent reports per phone and per address. Lost when the station stops: phones
/// then sign in again (their queued reports wait on the phone meanwhile).
#[derive(Default)]
pub struct PhoneState {
    sessions: Mutex<HashMap<String, PhoneSessionRow>>,
    citizen: Mutex<HashMap<String, VecDeque<NaiveDateTime>>>,
}

/// A phone's sign-in: the token (sent back as `Authorization: Bearer …`) and who it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhoneSignIn {
    pub token: String,
    pub login: String,
    pub name: String,
    /// When the session ends at the latest (it ends sooner after [`PHONE_IDLE_MINUTES`] idle).
    pub expires_at: NaiveDateTime,
}

/// A report from an inspector's phone (监督员上报).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PhoneReport {
    /// A station service code (`event-0102`, `component-0101`).
    pub service_code: String,
    pub lon: f64,
    pub lat: f64,
    pub description: Option<String>,
    pub address: Option<String>,
    /// A 16-digit component code (component services only).
    pub component: Option<String>,
    /// Photos as received: file name (a label) and bytes (the intake checks them).
    pub photos: Vec<(Option<String>, Vec<u8>)>,
    /// The phone's idempotency key (device id + the phone's request id).
    pub idempotency: Option<String>,
}

/// What a phone report did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhoneReceipt {
    pub case_id: String,
    pub grid: Option<String>,
    pub grid_name: Option<String>,
    /// The report had been filed before under the same idempotency key.
    pub repeated: bool,
}

/// A 核实 or 核查 task waiting for the inspector.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhoneTask {
    pub case_id: String,
    pub kind: CaseKind,
    pub class_code: String,
    pub class_name: Option<String>,
    pub status: CaseStatus,
    pub reported_at: NaiveDateTime,
    pub location: [f64; 2],
    pub grid: Option<String>,
    pub description: Option<String>,
    /// The results the inspector can give (`confirm_verified`, `verify_not_found`,
    /// `check_pass`, `check_fail`).
    pub actions: Vec<ActionKind>,
    /// The case lies in one of the inspector's duty grids.
    pub mine: bool,
    /// The deadline of the running stage clock.
    pub deadline: Option<NaiveDateTime>,
}

/// A task result from a phone.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PhoneTaskResult {
    /// `confirm_verified`, `verify_not_found`, `check_pass` or `check_fail`.
    pub verdict: String,
    /// The note, or the reason (needed when the scene was not found or the check failed).
    pub note: Option<String>,
    pub photos: Vec<(Option<String>, Vec<u8>)>,
    pub idempotency: Option<String>,
}

/// What a task result did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhoneTaskDone {
    pub case_id: String,
    pub action: ActionKind,
    pub status: CaseStatus,
    pub photos: Vec<i64>,
    pub repeated: bool,
}

/// Where an inspector works: their duty grids (责任网格) and unit grids, and the extent of them
/// (`[west, south, east, north]`), for the phone's map.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhoneHome {
    pub duty_grids: Vec<String>,
    pub grids: Vec<String>,
    pub bbox: Option<[f64; 4]>,
}

fn ended() -> Error {
    Error::SignIn(SignInRefusal::SessionEnded)
}

/// A session token is kept as its hash, as client keys are.
fn token_hash(token: &str) -> String {
    super::station::hash_key(token)
}

fn idempotency(k: Option<&str>) -> Result<Option<String>> {
    let k = k.map(str::trim).filter(|s| !s.is_empty());
    if let Some(k) = k {
        if k.chars().count() > MAX_IDEMPOTENCY {
            return Err(Error::Invalid(
                Message::new(C::TooLong)
                    .int("max", MAX_IDEMPOTENCY)
                    .en("the idempotency key is longer than 200 characters"),
            ));
        }
    }
    Ok(k.map(str::to_string))
}

fn too_many_photos(n: usize) -> Result<()> {
    if n > MAX_PHONE_PHOTOS {
        return Err(Error::Invalid(
            Message::new(C::StationBadField)
                .text("field", "media")
                .en(format!(
                    "{n} photos: send at most {MAX_PHONE_PHOTOS} with one report"
                )),
        ));
    }
    Ok(())
}

/// The task results a phone may send, and the photo phase each one's photos are kept as: a
/// 核实 shows the scene as reported (处置前), a 核查 the scene after handling (处置后).
fn task_action(verdict: &str, note: Option<String>) -> Result<(Action, PhotoPhase)> {
    let reason = note.clone().unwrap_or_default();
    Ok(match verdict.trim() {
        "confirm_verified" => (Action::ConfirmVerified { note }, PhotoPhase::Before),
        "verify_not_found" => (Action::VerifyNotFound { reason }, PhotoPhase::Before),
        "check_pass" => (Action::CheckPass { note }, PhotoPhase::After),
        "check_fail" => (Action::CheckFail { reason }, PhotoPhase::After),
        other => {
            return Err(Error::Invalid(
                Message::new(C::StationTaskVerdict)
                    .text("verdict", other)
                    .en(format!("`{other}` is not a result of a 核实 or 核查 task")),
            ))
        }
    })
}

fn is_task(k: ActionKind) -> bool {
    matches!(
        k,
        ActionKind::ConfirmVerified
            | ActionKind::VerifyNotFound
            | ActionKind::CheckPass
            | ActionKind::CheckFail
    )
}

impl Engine {
    /// Signs an inspector in from a phone: the password is checked by [`Engine::sign_in`] in
    /// the 监督员 role (so refusals in a row make the login wait, as at the desk, and every
    /// attempt is logged), and a session token is handed out. Only its hash is kept.
    pub fn phone_sign_in(
        &self,
        login: &str,
        password: &str,
        now: NaiveDateTime,
    ) -> Result<PhoneSignIn> {
        let session = self.sign_in(login, password, Role::Inspector)?;
        let token = super::station::random_hex(32);
        let out = PhoneSignIn {
            token: token.clone(),
            login: session.login.clone(),
            name: session.name.clone(),
            expires_at: now + Duration::hours(PHONE_LIFETIME_HOURS),
        };
        let mut s = self
            .phone
            .sessions
            .lock()
            .map_err(|_| Error::Internal("phone sessions lock poisoned".into()))?;
        s.retain(|_, r| live(r, now));
        s.insert(
            token_hash(&token),
            PhoneSessionRow {
                session,
                started: now,
                seen: now,
            },
        );
        Ok(out)
    }

    /// The session a phone's token stands for at `now`, which counts as its latest request.
    /// An unknown, signed-out or expired token, or one whose account may no longer act as an
    /// inspector (disabled, role taken away), is refused with
    /// [`SignInRefusal::SessionEnded`] and forgotten.
    pub fn phone_session(&self, token: &str, now: NaiveDateTime) -> Result<Session> {
        let key = token_hash(token);
        let session = {
            let mut s = self
                .phone
                .sessions
                .lock()
                .map_err(|_| Error::Internal("phone sessions lock poisoned".into()))?;
            match s.get_mut(&key) {
                Some(r) if live(r, now) => {
                    r.seen = now;
                    r.session.clone()
                }
                Some(_) => {
                    s.remove(&key);
                    return Err(ended());
                }
                None => return Err(ended()),
            }
        };
        let ok = self.with_desk(|_, desk, _| Ok((authorise(desk, &session).is_ok(), vec![])))?;
        if !ok {
            self.phone_sign_out(token);
            return Err(ended());
        }
        Ok(session)
    }

    /// The inspector's duty grids (those naming them as their 监督员, as the desk's work queue
    /// marks a case "mine") and their unit grids' extent.
    pub fn phone_home(&self, session: &Session) -> PhoneHome {
        use geo::BoundingRect;
        let l = self.loaded();
        let idx = &l.index;
        let mut duty = Vec::new();
        let mut grids: Vec<String> = Vec::new();
        for d in idx
            .duty_grids
            .iter()
            .filter(|d| d.inspector == session.name || d.inspector == session.login)
        {
            duty.push(d.code.clone());
            grids.extend(d.grids.iter().map(|g| g.to_string()));
        }
        grids.sort();
        grids.dedup();
        let mut bbox: Option<[f64; 4]> = None;
        for g in idx
            .grids
            .iter()
            .filter(|g| g.is_active() && grids.binary_search(&g.code.to_string()).is_ok())
        {
            if let Some(r) = g.polygon.bounding_rect() {
                let b = bbox.get_or_insert([r.min().x, r.min().y, r.max().x, r.max().y]);
                b[0] = b[0].min(r.min().x);
                b[1] = b[1].min(r.min().y);
                b[2] = b[2].max(r.max().x);
                b[3] = b[3].max(r.max().y);
            }
        }
        PhoneHome {
            duty_grids: duty,
            grids,
            bbox,
        }
    }

    /// Ends a phone session (nothing happens for an unknown token).
    pub fn phone_sign_out(&self, token: &str) {
        if let Ok(mut s) = self.phone.sessions.lock() {
            s.remove(&token_hash(token));
        }
    }

    /// What a report would be filed as: the grid, community, street and department the intake
    /// finds, and the open cases of the same class nearby (the desk's duplicate check).
    pub fn phone_preview(
        &self,
        session: &Session,
        service_code: &str,
        lon: f64,
        lat: f64,
        component: Option<&str>,
        now: NaiveDateTime,
    ) -> Result<IntakePreview> {
        let req = self.phone_request(
            &PhoneReport {
                service_code: service_code.to_string(),
                lon,
                lat,
                component: component.map(str::to_string),
                ..PhoneReport::default()
            },
            now,
        )?;
        self.preview_intake(session, &req, &DuplicateParams::default())
    }

    fn phone_request(&self, r: &PhoneReport, now: NaiveDateTime) -> Result<IntakeRequest> {
        let service = self.station_service(&r.service_code).ok_or_else(|| {
            Error::Invalid(
                Message::new(C::StationServiceUnknown)
                    .text("code", &r.service_code)
                    .en(format!(
                        "`{}` is not a service of this station",
                        r.service_code
                    )),
            )
        })?;
        too_many_photos(r.photos.len())?;
        // The inspectors' app: its reports are patrol reports (监督员上报); the intake checks
        // that the session may report at all.
        Ok(IntakeRequest {
            source: CaseSource::Patrol,
            kind: service.kind,
            class_code: Some(service.class_code),
            condition: None,
            location: Some([r.lon, r.lat]),
            component: match service.kind {
                CaseKind::Component => r.component.clone(),
                CaseKind::Event => None,
            },
            description: r.description.clone(),
            address: r.address.clone(),
            reporter: None,
            reporter_phone: None,
            photos: r
                .photos
                .iter()
                .map(|(name, bytes)| PhotoInput {
                    phase: PhotoPhase::Before,
                    name: name.clone(),
                    bytes: bytes.clone(),
                })
                .collect(),
            reported_at: now,
            urgency: None,
        })
    }

    /// Files an inspector's report from a phone (监督员上报, filed at once like a patrol report
    /// at the desk). Sent again under the same idempotency key, it answers the first receipt and
    /// files nothing. A refused report changes nothing.
    pub fn phone_report(
        &self,
        session: &Session,
        r: &PhoneReport,
        now: NaiveDateTime,
    ) -> Result<PhoneReceipt> {
        let _one = FILING
            .lock()
            .map_err(|_| Error::Internal("station filing lock poisoned".into()))?;
        let idem = idempotency(r.idempotency.as_deref())?;
        if let Some(k) = &idem {
            // The store's guard must be gone before `receipt_of` takes it again.
            let before = self.store().db().phone_action(&session.login, k)?;
            if let Some(a) = before {
                return self.receipt_of(&a.case_id, true);
            }
        }
        let req = self.phone_request(r, now)?;
        // What the phone sent is recorded in the intake's own transaction: a case is never
        // filed without it, so a retry can never file a second one.
        let outcome = self.intake_then(
            session,
            &req,
            &DuplicateParams::default(),
            &crate::intake::OnDuplicate::Proceed,
            |tx, id| match &idem {
                Some(k) => tx.add_phone_action(&PhoneAction {
                    login: session.login.clone(),
                    idempotency: k.clone(),
                    case_id: id.to_string(),
                    action: ActionKind::Report.key().to_string(),
                    received_at: now,
                }),
                None => Ok(()),
            },
        )?;
        let IntakeOutcome::Created { id, placement, .. } = outcome else {
            return Err(Error::Internal("a phone report was not filed".into()));
        };
        Ok(PhoneReceipt {
            case_id: id,
            grid: placement.grid.map(|g| g.to_string()),
            grid_name: placement.grid_name.clone(),
            repeated: false,
        })
    }

    fn receipt_of(&self, case_id: &str, repeated: bool) -> Result<PhoneReceipt> {
        let core = self
            .store()
            .db()
            .read_core(case_id)?
            .ok_or_else(|| Error::NotFound {
                what: "case",
                key: case_id.to_string(),
            })?;
        let grid_name = core.grid.as_deref().and_then(|g| {
            let l = self.loaded();
            l.index
                .grids
                .iter()
                .find(|x| x.code.as_str() == g)
                .map(|x| x.name.clone())
        });
        Ok(PhoneReceipt {
            case_id: case_id.to_string(),
            grid: core.grid,
            grid_name,
            repeated,
        })
    }

    /// The inspector's 核实 and 核查 tasks: the cases waiting for their role's verdict, those
    /// in their own duty grids first, then the most urgent.
    pub fn phone_tasks(&self, session: &Session, now: NaiveDateTime) -> Result<Vec<PhoneTask>> {
        let queue = self.queue(session, now)?;
        let mut out = Vec::new();
        for q in queue {
            let actions: Vec<ActionKind> =
                q.actions.iter().copied().filter(|&k| is_task(k)).collect();
            if actions.is_empty() {
                continue;
            }
            let description = self
                .store()
                .db()
                .read_core(&q.id)?
                .and_then(|c| c.description);
            out.push(PhoneTask {
                case_id: q.id,
                kind: q.kind,
                class_code: q.class_code,
                class_name: q.class_name,
                status: q.status,
                reported_at: q.reported_at,
                location: q.location,
                grid: q.grid,
                description,
                actions,
                mine: q.mine,
                deadline: q.clock.and_then(|c| c.deadline),
            });
        }
        // Stable: the queue's urgency order stays within each group.
        out.sort_by_key(|t| !t.mine);
        Ok(out)
    }

    /// A 核实 or 核查 result from a phone, with its photos: the workflow action the desk's
    /// inspector takes, and the photos stored with the case, in one transaction. Sent again
    /// under the same idempotency key, it answers as done and changes nothing.
    pub fn phone_task(
        &self,
        session: &Session,
        case_id: &str,
        r: &PhoneTaskResult,
        now: NaiveDateTime,
    ) -> Result<PhoneTaskDone> {
        let _one = FILING
            .lock()
            .map_err(|_| Error::Internal("station filing lock poisoned".into()))?;
        let idem = idempotency(r.idempotency.as_deref())?;
        let (action, phase) = task_action(&r.verdict, r.note.clone())?;
        too_many_photos(r.photos.len())?;
        let photos = r
            .photos
            .iter()
            .enumerate()
            .map(|(i, (name, bytes))| {
                prepare(&PhotoInput {
                    phase,
                    name: name.clone(),
                    bytes: bytes.clone(),
                })
                .map_err(|m| refused(&format!("photos[{i}]"), m.prefixed("photo ")))
            })
            .collect::<Result<Vec<_>>>()?;
        enum Done {
            Now(
                crate::workflow::apply::Transitioned,
                Vec<i64>,
                Box<crate::workflow::desk::OpenCase>,
            ),
            Before(PhoneAction),
        }
        self.with_desk(|store, desk, index| {
            let done = store.transaction(|tx| {
                if let Some(k) = &idem {
                    if let Some(a) = tx.phone_action(&session.login, k)? {
                        return Ok(Done::Before(a));
                    }
                }
                let (t, open) = transition(tx, desk, index, case_id, session, &action, now)?;
                let ids = tx.insert_photos(case_id, &photos, now, &session.login)?;
                if let Some(k) = &idem {
                    tx.add_phone_action(&PhoneAction {
                        login: session.login.clone(),
                        idempotency: k.clone(),
                        case_id: case_id.to_string(),
                        action: t.action.key().to_string(),
                        received_at: now,
                    })?;
                }
                Ok(Done::Now(t, ids, Box::new(open)))
            })?;
            match done {
                Done::Before(a) => {
                    let status = store
                        .db()
                        .read_core(&a.case_id)?
                        .map(|c| c.status)
                        .ok_or_else(|| Error::NotFound {
                            what: "case",
                            key: a.case_id.clone(),
                        })?;
                    let action = ActionKind::parse(&a.action).unwrap_or(action.kind());
                    Ok((
                        PhoneTaskDone {
                            case_id: a.case_id,
                            action,
                            status,
                            photos: vec![],
                            repeated: true,
                        },
                        vec![],
                    ))
                }
                Done::Now(t, ids, open) => {
                    let mut edits = Vec::new();
                    if t.to != t.from {
                        edits.push(IndexEdit::Status {
                            pos: open.pos,
                            id: open.id.clone(),
                            status: t.to,
                        });
                    }
                    desk.open.update(*open);
                    Ok((
                        PhoneTaskDone {
                            case_id: t.case_id,
                            action: t.action,
                            status: t.to,
                            photos: ids,
                            repeated: false,
                        },
                        edits,
                    ))
                }
            }
        })
    }

    /// Files a report from the citizen page (随手拍) as the station's citizen client app (an
    /// Open311 key the administrator issued and the station was started with): a citizen
    /// report waiting for acceptance, like an Open311 report. At most [`CITIZEN_PER_HOUR`]
    /// reports per phone (`device`) and per network address (`address`) in any hour; a report
    /// sent again under its idempotency key answers the first receipt and does not count.
    pub fn citizen_report(
        &self,
        client: &StationClient,
        device: &str,
        address: Option<&str>,
        r: &StationIntake,
        now: NaiveDateTime,
    ) -> Result<StationReceipt> {
        let device = device.trim();
        if device.is_empty() || device.chars().count() > 100 {
            return Err(Error::Invalid(
                Message::new(C::StationBadField)
                    .text("field", "device_id")
                    .en("a device id of 1 to 100 characters is needed"),
            ));
        }
        if let Some(k) = r.idempotency.as_deref() {
            let before = self
                .store()
                .db()
                .station_report_by_idempotency(client.key_id, k.trim())?;
            if let Some(s) = before {
                return Ok(StationReceipt {
                    case_id: s.case_id,
                    token: s.token,
                    repeated: true,
                });
            }
        }
        let keys: Vec<String> = std::iter::once(format!("device:{device}"))
            .chain(address.map(|a| format!("address:{a}")))
            .collect();
        {
            let mut m = self
                .phone
                .citizen
                .lock()
                .map_err(|_| Error::Internal("citizen limits lock poisoned".into()))?;
            let hour = Duration::hours(1);
            m.retain(|_, q| {
                while q.front().is_some_and(|&t| t + hour <= now) {
                    q.pop_front();
                }
                !q.is_empty()
            });
            let wait = keys
                .iter()
                .filter_map(|k| m.get(k))
                .filter(|q| q.len() >= CITIZEN_PER_HOUR)
                .filter_map(|q| q.front())
                .map(|&t| (t + hour - now).num_seconds().max(1))
                .max();
            if let Some(seconds) = wait {
                return Err(Error::Invalid(
                    Message::new(C::StationRateLimited)
                        .int("seconds", seconds)
                        .en(format!(
                        "more than {CITIZEN_PER_HOUR} reports in an hour: try again in {seconds} s"
                    )),
                ));
            }
        }
        let receipt = self.station_report(client, r, now)?;
        if !receipt.repeated {
            let mut m = self
                .phone
                .citizen
                .lock()
                .map_err(|_| Error::Internal("citizen limits lock poisoned".into()))?;
            for k in keys {
                m.entry(k).or_default().push_back(now);
            }
        }
        Ok(receipt)
    }
}

fn live(r: &PhoneSessionRow, now: NaiveDateTime) -> bool {
    now < r.seen + Duration::minutes(PHONE_IDLE_MINUTES)
        && now < r.started + Duration::hours(PHONE_LIFETIME_HOURS)
        && now >= r.started - Duration::minutes(5)
}
