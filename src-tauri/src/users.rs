//! Accounts and the audit (administrators; leaders read the audit): the sign-in screen's facts
//! (a store without users asks for its first administrator; the sample's published demo
//! accounts are named as such), changing one's own password, user management, the audit log
//! and the check of its hash chain. Every rule is the engine's; these pass the session on.

use crate::cases::SignedIn;
use crate::error::ErrorDto;
use crate::store::Store;
use griddesk::audit::{AuditCheck, AuditEntry, AuditQuery};
use griddesk::users::{NewUser, Role, RoleChange, User};
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

/// A published demo account (the sample district's): login and the role it signs in as.
#[derive(Debug, Serialize, TS)]
pub struct DemoAccountDto {
    pub login: String,
    pub role: Role,
}

/// What the sign-in screen needs to know about the open store.
#[derive(Debug, Serialize, TS)]
pub struct SignInScreenDto {
    /// The store has no user yet: ask for its first administrator instead of a sign-in.
    pub needs_first_admin: bool,
    /// Published demo accounts whose passwords were never changed.
    pub demo: Vec<DemoAccountDto>,
    pub read_only: bool,
}

#[tauri::command]
pub async fn users_sign_in_screen(store: State<'_, Store>) -> Result<SignInScreenDto, ErrorDto> {
    let loaded = store.engine()?;
    let e = &loaded.engine;
    Ok(SignInScreenDto {
        needs_first_admin: e.needs_first_admin()?,
        demo: e
            .demo_accounts()?
            .into_iter()
            .map(|(login, role)| DemoAccountDto { login, role })
            .collect(),
        read_only: e.is_read_only(),
    })
}

/// Creates the first administrator of a store that has no user, and signs them in.
#[tauri::command]
pub async fn users_create_first_admin(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    user: NewUser,
) -> Result<griddesk::users::Session, ErrorDto> {
    let loaded = store.engine()?;
    let e = &loaded.engine;
    e.add_user(None, &user)?;
    let s = e.sign_in(&user.login, &user.password, Role::Admin)?;
    signed.set(Some(s.clone()));
    Ok(s)
}

#[tauri::command]
pub async fn users_list(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
) -> Result<Vec<User>, ErrorDto> {
    let s = signed.get()?;
    let loaded = store.engine()?;
    loaded.engine.require_active(&s)?;
    Ok(loaded.engine.users()?)
}

#[tauri::command]
pub async fn users_add(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    user: NewUser,
) -> Result<User, ErrorDto> {
    let s = signed.get()?;
    Ok(store.engine()?.engine.add_user(Some(&s), &user)?)
}

#[tauri::command]
pub async fn users_set_active(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    login: String,
    active: bool,
) -> Result<(), ErrorDto> {
    let s = signed.get()?;
    Ok(store.engine()?.engine.set_user_active(&s, &login, active)?)
}

#[tauri::command]
pub async fn users_set_roles(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    change: RoleChange,
) -> Result<User, ErrorDto> {
    let s = signed.get()?;
    Ok(store.engine()?.engine.set_user_roles(&s, &change)?)
}

/// Sets a password: the signed-in user's own (`login` their own), or another's as an
/// administrator (a reset).
#[tauri::command]
pub async fn users_set_password(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    login: String,
    password: String,
) -> Result<(), ErrorDto> {
    let s = signed.get()?;
    Ok(store.engine()?.engine.set_password(&s, &login, &password)?)
}

#[tauri::command]
pub async fn audit_entries(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    query: AuditQuery,
) -> Result<Vec<AuditEntry>, ErrorDto> {
    let s = signed.get()?;
    Ok(store.engine()?.engine.audit_entries(&s, &query)?)
}

/// Checks the audit's hash chain (administrators and leaders).
#[tauri::command]
pub async fn audit_check(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
) -> Result<AuditCheck, ErrorDto> {
    let s = signed.get()?;
    let loaded = store.engine()?;
    loaded.engine.require_role(
        &s,
        &[Role::Admin, Role::Leader],
        griddesk::error::Permission::ReadAudit,
    )?;
    Ok(loaded.engine.check_audit()?)
}
