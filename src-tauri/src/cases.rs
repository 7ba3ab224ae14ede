//! Case-loop commands: sign-in (the session lives in the shell), intake, transitions, queues,
//! the case list and panel, photo thumbnails, and the tables the intake form needs. Each passes
//! its arguments to the engine and returns the engine's answer; refusals arrive as the engine's
//! `refused` / `sign-in-refused` codes, a missing session as `not-signed-in`.

use crate::error::{ErrorDto, ShellErrorKind};
use crate::store::Store;
use base64::Engine as _;
use griddesk::intake::{DuplicateParams, IntakeOutcome, IntakePreview, IntakeRequest, OnDuplicate};
use griddesk::users::{Department, Role, Session};
use griddesk::workflow::CasePoint;
use griddesk::workflow::{
    Action, ActionKind, CaseDetail, CaseFilter, CasePage, QueueItem, Transitioned,
};
use serde::Serialize;
use std::sync::Mutex;
use tauri::State;
use ts_rs::TS;

/// At most this many case points in one map overlay request.
const MAX_MAP_CASES: usize = 500;

/// The signed-in session of this window, if any.
#[derive(Default)]
pub struct SignedIn(pub Mutex<Option<Session>>);

impl SignedIn {
    /// The signed-in session, or `not-signed-in`.
    pub(crate) fn get(&self) -> Result<Session, ErrorDto> {
        self.0
            .lock()
            .map_err(|_| ErrorDto::shell(ShellErrorKind::NotSignedIn, "session lock poisoned"))?
            .clone()
            .ok_or_else(|| ErrorDto::shell(ShellErrorKind::NotSignedIn, "nobody is signed in"))
    }

    pub(crate) fn set(&self, s: Option<Session>) {
        if let Ok(mut g) = self.0.lock() {
            *g = s;
        }
    }
}

fn now() -> chrono::NaiveDateTime {
    chrono::Local::now().naive_local()
}

/// The answer to a sign-in: a session, or the roles to choose from.
#[derive(Serialize, TS)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum SignInDto {
    SignedIn { session: Session },
    ChooseRole { roles: Vec<Role> },
}

#[tauri::command]
pub async fn cases_sign_in(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    login: String,
    password: String,
    role: Option<Role>,
) -> Result<SignInDto, ErrorDto> {
    let loaded = store.engine()?;
    let engine = &loaded.engine;
    let roles = engine
        .users()?
        .into_iter()
        .find(|u| u.login == login.trim())
        .map(|u| u.roles)
        .unwrap_or_default();
    let chosen = match role {
        Some(r) => r,
        // Unknown login: let the engine refuse with its usual wrong-credentials answer.
        None => roles.first().copied().unwrap_or(Role::Inspector),
    };
    let session = engine.sign_in(&login, &password, chosen)?;
    if role.is_none() && roles.len() > 1 {
        return Ok(SignInDto::ChooseRole { roles });
    }
    signed.set(Some(session.clone()));
    Ok(SignInDto::SignedIn { session })
}

#[tauri::command]
pub async fn cases_sign_out(signed: State<'_, SignedIn>) -> Result<(), ErrorDto> {
    signed.set(None);
    Ok(())
}

#[tauri::command]
pub async fn cases_session(signed: State<'_, SignedIn>) -> Result<Option<Session>, ErrorDto> {
    Ok(signed.get().ok())
}

#[tauri::command]
pub async fn cases_preview_intake(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    request: IntakeRequest,
) -> Result<IntakePreview, ErrorDto> {
    let s = signed.get()?;
    Ok(store
        .engine()?
        .engine
        .preview_intake(&s, &request, &DuplicateParams::default())?)
}

#[tauri::command]
pub async fn cases_intake(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    request: IntakeRequest,
    on_duplicate: OnDuplicate,
) -> Result<IntakeOutcome, ErrorDto> {
    let s = signed.get()?;
    Ok(store
        .engine()?
        .engine
        .intake(&s, &request, &DuplicateParams::default(), &on_duplicate)?)
}

#[tauri::command]
pub async fn cases_actions(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    case_id: String,
) -> Result<Vec<ActionKind>, ErrorDto> {
    let s = signed.get()?;
    Ok(store.engine()?.engine.available_actions(&case_id, &s)?)
}

#[tauri::command]
pub async fn cases_apply(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    case_id: String,
    action: Action,
) -> Result<Transitioned, ErrorDto> {
    let s = signed.get()?;
    Ok(store.engine()?.engine.apply(&case_id, &s, &action, now())?)
}

#[tauri::command]
pub async fn cases_queue(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
) -> Result<Vec<QueueItem>, ErrorDto> {
    let s = signed.get()?;
    Ok(store.engine()?.engine.queue(&s, now())?)
}

#[tauri::command]
pub async fn cases_list(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    filter: CaseFilter,
) -> Result<CasePage, ErrorDto> {
    let s = signed.get()?;
    Ok(store.engine()?.engine.case_list(&s, &filter, now())?)
}

#[tauri::command]
pub async fn cases_detail(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    case_id: String,
) -> Result<CaseDetail, ErrorDto> {
    let s = signed.get()?;
    Ok(store
        .engine()?
        .engine
        .case_detail(&case_id, Some(&s), now())?)
}

/// A photo's thumbnail as a `data:` URL for an `<img>`.
#[tauri::command]
pub async fn cases_thumbnail(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    photo_id: i64,
) -> Result<String, ErrorDto> {
    let s = signed.get()?;
    let bytes = store.engine()?.engine.case_photo_thumbnail(&s, photo_id)?;
    let mime = if bytes.starts_with(b"\x89PNG") {
        "image/png"
    } else {
        "image/jpeg"
    };
    Ok(format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    ))
}

/// One minor class for the intake form.
#[derive(Serialize, TS)]
pub struct ClassDto {
    pub kind: griddesk::model::CaseKind,
    pub code: String,
    pub name: String,
    pub major_name: String,
}

/// One filing condition for the intake and filing forms.
#[derive(Serialize, TS)]
pub struct ConditionDto {
    pub kind: griddesk::model::CaseKind,
    pub class_code: String,
    pub condition: String,
    pub filing: String,
    pub is_default: bool,
}

/// What the intake form's selects offer.
#[derive(Serialize, TS)]
pub struct FormTablesDto {
    pub classes: Vec<ClassDto>,
    pub conditions: Vec<ConditionDto>,
    pub departments: Vec<Department>,
}

#[tauri::command]
pub async fn cases_form_tables(store: State<'_, Store>) -> Result<FormTablesDto, ErrorDto> {
    use griddesk::model::CaseKind;
    let loaded = store.engine()?;
    let engine = &loaded.engine;
    let idx = engine.loaded();
    let tables = &idx.index.code_tables;
    let classes = tables
        .events
        .iter()
        .map(|e| (CaseKind::Event, e))
        .chain(tables.components.iter().map(|e| (CaseKind::Component, e)))
        .map(|(kind, e)| ClassDto {
            kind,
            code: e.code.clone(),
            name: e.name.clone(),
            major_name: e.major_name.clone(),
        })
        .collect();
    let conditions = engine
        .filing_standard()?
        .conditions()
        .map(|c| ConditionDto {
            kind: c.kind,
            class_code: c.class_code.clone(),
            condition: c.condition.clone(),
            filing: c.filing.clone(),
            is_default: c.is_default,
        })
        .collect();
    Ok(FormTablesDto {
        classes,
        conditions,
        departments: engine
            .departments()?
            .into_iter()
            .filter(|d| d.active)
            .collect(),
    })
}

/// Open cases inside a box with the workflow's overdue flag, for the map overlay.
#[tauri::command]
pub async fn cases_map_points(
    store: State<'_, Store>,
    bbox: [f64; 4],
) -> Result<Vec<CasePoint>, ErrorDto> {
    Ok(store
        .engine()?
        .engine
        .case_points(bbox, now(), MAX_MAP_CASES)?)
}
