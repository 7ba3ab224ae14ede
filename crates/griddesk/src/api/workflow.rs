//! The case loop on [`Engine`]: sign-in, users, departments, routing, calendar, filing standard,
//! transitions and the clocks of open cases.

#[allow(unused_imports)]
use crate::ports::*;

use crate::audit::AuditEntry;
use crate::clock::{CalendarDay, CalendarEdit, ClockState, WorkCalendar};
use crate::error::{Error, Result};
use crate::filing::{FilingCondition, FilingStandard, Stage};
use crate::index::SpatialIndex;
use crate::model::CaseStatus;
use crate::routing::RoutingRule;
use crate::store::{format_datetime, Store};
use crate::users::{
    decoy_hash, hash_password, verify_password, Department, NewUser, Role, Session, SignInRefusal,
    User,
};
use crate::workflow::apply::{authorise, transition, Transitioned};
use crate::workflow::desk::Desk;
use crate::workflow::machine::{available, Action, ActionKind, CaseView, Refusal};
use crate::Engine;
use chrono::NaiveDateTime;
use serde::Serialize;

pub(crate) use griddesk_caseloop::workflow::IndexEdit;

/// The clock of one open case at some instant (lists, map colours, queues).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseClock {
    pub id: String,
    pub status: CaseStatus,
    pub stage: Option<Stage>,
    pub department: Option<String>,
    pub supervised: bool,
    #[serde(flatten)]
    pub clock: Option<ClockState>,
}

const DEFAULTS_KEY: &str = "case_loop.defaults";

/// Writes the shipped defaults (2026 holidays, filing standard for the stored code tables) the
/// first time the case loop is used on a store.
fn ensure_defaults(store: &mut Store) -> Result<()> {
    if store.meta(DEFAULTS_KEY)?.is_some() {
        return Ok(());
    }
    let tables = store.code_tables()?;
    let standard = FilingStandard::default_for(&tables)?;
    store.transaction(|tx| {
        if tx.condition_count()? == 0 {
            let conds: Vec<FilingCondition> = standard.conditions().cloned().collect();
            tx.replace_conditions(&conds)?;
        }
        if tx.calendar_day_count()? == 0 {
            let edits: Vec<CalendarEdit> = crate::clock::calendar::china_2026()
                .into_iter()
                .map(CalendarEdit::SetDay)
                .collect();
            tx.apply_edits(&edits)?;
        }
        tx.set_meta(DEFAULTS_KEY, "1")
    })
}

impl Engine {
    /// Runs `f` with the store, the case loop's in-memory state (built or refreshed as needed)
    /// and the current index; then applies the index edits `f` returns, without a reload.
    pub(crate) fn with_desk<T>(
        &self,
        f: impl FnOnce(&mut Store, &mut Desk, &SpatialIndex) -> Result<(T, Vec<IndexEdit>)>,
    ) -> Result<T> {
        let mut store = self.store();
        let mut slot = self.desk_slot();
        // The indexes as stored: another process's commits are read first, so that an action
        // is checked against the case as it is (docs/trust.md, "Stale edits").
        let (loaded, _) = self.current_locked(&store)?;
        let generation = loaded.generation;
        match slot.as_mut() {
            Some(d) if d.loaded == generation => {}
            Some(d) => {
                d.refresh_tables(&store.db())?;
                d.load_open(&store.db(), &loaded.index)?;
                d.loaded = generation;
            }
            None => {
                ensure_defaults(&mut store)?;
                *slot = Some(Desk::load(&store.db(), &loaded.index, generation)?);
            }
        }
        let Some(desk) = slot.as_mut() else {
            return Err(Error::Internal("case loop state unavailable".into()));
        };
        let (out, edits) = f(&mut store, desk, &loaded.index)?;
        drop(loaded);
        if !edits.is_empty() {
            let mut inserted: Vec<(Box<str>, usize)> = Vec::new();
            self.edit_index(|idx| {
                for e in edits {
                    match e {
                        IndexEdit::Insert(c) => {
                            let id = c.id.clone();
                            inserted.push((id, idx.insert_case(c)));
                        }
                        IndexEdit::Status { pos, id, status } => {
                            let p = pos as usize;
                            let p = if idx.cases.get(p).is_some_and(|c| c.id == id) {
                                Some(p)
                            } else {
                                idx.cases.iter().rposition(|c| c.id == id)
                            };
                            if let Some(p) = p {
                                idx.set_case_status(p, status);
                            }
                        }
                        IndexEdit::Component(c) => idx.upsert_component(c),
                    }
                }
            });
            for (id, pos) in inserted {
                desk.open.set_pos(&id, pos as u32);
            }
        }
        Ok(out)
    }

    /// Checks a password and opens a session in one of the user's roles.
    pub fn sign_in(&self, login: &str, password: &str, role: Role) -> Result<Session> {
        let now = chrono::Local::now().naive_local();
        self.with_desk(|store, desk, _| {
            let login = login.trim();
            // Refusals in a row make the login wait (checked before the password, so that
            // guessing during the wait learns nothing); every attempt is recorded.
            let (failures, last) = store.db().failed_sign_ins(login)?;
            let wait = griddesk_caseloop::users_store::sign_in_wait(failures);
            if let Some(last) = last.filter(|_| wait > chrono::Duration::zero()) {
                // Stored to the second: the refusal may have come up to a second later.
                let until = last + chrono::Duration::seconds(1) + wait;
                let left_ms = (until - now).num_milliseconds();
                if left_ms > 0 {
                    let left = (left_ms + 999) / 1000;
                    if !store.is_read_only() {
                        store.transaction(|tx| tx.log_sign_in(now, login, role, Some("wait")))?;
                    }
                    return Err(Error::SignIn(SignInRefusal::Wait {
                        login: login.to_string(),
                        seconds: left,
                    }));
                }
            }
            let outcome = match desk.users.get(login) {
                None => {
                    let _ = verify_password(password, decoy_hash());
                    Err(SignInRefusal::BadCredentials)
                }
                Some((_, phc)) if !verify_password(password, phc) => {
                    Err(SignInRefusal::BadCredentials)
                }
                Some((u, _)) if !u.active => Err(SignInRefusal::Inactive {
                    login: u.login.clone(),
                }),
                Some((u, _)) if !u.roles.contains(&role) => Err(SignInRefusal::RoleNotHeld {
                    login: u.login.clone(),
                    role,
                }),
                Some((u, _)) => Ok(Session {
                    login: u.login.clone(),
                    name: u.name.clone(),
                    role,
                    department: u.department.clone(),
                }),
            };
            let reason = match &outcome {
                Ok(_) => None,
                Err(SignInRefusal::BadCredentials) => Some("bad_credentials"),
                Err(SignInRefusal::Inactive { .. }) => Some("inactive"),
                Err(SignInRefusal::RoleNotHeld { .. }) => Some("role_not_held"),
                Err(SignInRefusal::Wait { .. }) => Some("wait"),
                Err(SignInRefusal::SessionEnded) => Some("session_ended"),
            };
            // A store open read-only (read-only media) cannot record the sign-in.
            if !store.is_read_only() {
                store.transaction(|tx| tx.log_sign_in(now, login, role, reason))?;
            }
            Ok((outcome.map_err(Error::SignIn)?, vec![]))
        })
    }

    /// Every user (without password hashes).
    pub fn users(&self) -> Result<Vec<User>> {
        self.with_desk(|_, desk, _| {
            Ok((
                desk.users.values().map(|(u, _)| u.clone()).collect(),
                vec![],
            ))
        })
    }

    /// Adds a user. Needs an administrator's session, except for the very first user of a
    /// store (who should be an administrator).
    pub fn add_user(&self, by: Option<&Session>, u: &NewUser) -> Result<User> {
        u.validate()?;
        self.with_desk(|store, desk, _| {
            if !desk.users.is_empty() {
                require_admin(desk, by)?;
            } else if !u.roles.contains(&Role::Admin) {
                return Err(Error::Invalid(
                    crate::message::Message::new(crate::message::MessageCode::FirstUserAdmin)
                        .text("login", &u.login)
                        .en(format!(
                            "the first user of a store (`{}`) must be an administrator",
                            u.login
                        )),
                ));
            }
            let phc = hash_password(&u.password)?;
            let now = format_datetime(&chrono::Local::now().naive_local());
            let entry = match by {
                Some(s) => AuditEntry::by(s, "user.create", &u.login),
                // The first user of a store creates themself.
                None => AuditEntry {
                    login: u.login.clone(),
                    ..AuditEntry::engine("user.create", &u.login)
                },
            }
            .after(serde_json::json!({
                "name": u.name,
                "roles": u.roles,
                "department": u.department,
            }));
            store.transaction(|tx| {
                tx.insert_user(u, &phc, &now)?;
                tx.record_audit(&entry)?;
                Ok(())
            })?;
            desk.refresh_tables(&store.db())?;
            let user = user_of(desk, &u.login)?;
            Ok((user, vec![]))
        })
    }

    /// Sets a user's password (the user themself or an administrator).
    pub fn set_password(&self, by: &Session, login: &str, password: &str) -> Result<()> {
        crate::users::NewUser {
            login: login.to_string(),
            name: "-".into(),
            password: password.to_string(),
            roles: vec![Role::Admin],
            department: None,
        }
        .validate()?;
        self.with_desk(|store, desk, _| {
            if by.login != login {
                require_admin(desk, Some(by))?;
            } else {
                authorise(desk, by).map_err(|r| refused_user(login, r))?;
            }
            let phc = hash_password(password)?;
            let entry = AuditEntry::by(
                by,
                if by.login == login {
                    "user.password.change"
                } else {
                    "user.password.reset"
                },
                login,
            );
            store.transaction(|tx| {
                tx.set_user_password(login, &phc)?;
                tx.record_audit(&entry)?;
                Ok(())
            })?;
            desk.refresh_tables(&store.db())?;
            Ok(((), vec![]))
        })
    }

    /// Enables or disables a user (administrators only).
    pub fn set_user_active(&self, by: &Session, login: &str, active: bool) -> Result<()> {
        self.with_desk(|store, desk, _| {
            require_admin(desk, Some(by))?;
            let before = desk.users.get(login).map(|(u, _)| u.active);
            if !active
                && desk
                    .users
                    .get(login)
                    .is_some_and(|(u, _)| u.active && u.roles.contains(&Role::Admin))
            {
                keep_an_admin(desk, login)?;
            }
            let entry = AuditEntry::by(
                by,
                if active {
                    "user.enable"
                } else {
                    "user.disable"
                },
                login,
            )
            .before(serde_json::json!({ "active": before }))
            .after(serde_json::json!({ "active": active }));
            store.transaction(|tx| {
                tx.set_user_active(login, active)?;
                tx.record_audit(&entry)?;
                Ok(())
            })?;
            desk.refresh_tables(&store.db())?;
            Ok(((), vec![]))
        })
    }

    /// Replaces a user's roles and department (administrators). The store keeps at least one
    /// active administrator: taking the role from the last one is refused.
    pub fn set_user_roles(&self, by: &Session, change: &crate::users::RoleChange) -> Result<User> {
        change.validate()?;
        self.with_desk(|store, desk, _| {
            require_admin(desk, Some(by))?;
            let before = user_of(desk, &change.login)?;
            if before.active
                && before.roles.contains(&Role::Admin)
                && !change.roles.contains(&Role::Admin)
            {
                keep_an_admin(desk, &change.login)?;
            }
            let entry = AuditEntry::by(by, "user.roles", &change.login)
                .before(serde_json::json!({
                    "roles": before.roles,
                    "department": before.department,
                }))
                .after(serde_json::json!({
                    "roles": change.roles,
                    "department": change.department,
                }));
            store.transaction(|tx| {
                tx.set_user_roles(change)?;
                tx.record_audit(&entry)?;
                Ok(())
            })?;
            desk.refresh_tables(&store.db())?;
            let user = user_of(desk, &change.login)?;
            Ok((user, vec![]))
        })
    }

    /// Whether the store has no user yet: the app then asks for its first administrator
    /// instead of a sign-in.
    pub fn needs_first_admin(&self) -> Result<bool> {
        self.with_desk(|_, desk, _| Ok((desk.users.is_empty(), vec![])))
    }

    /// The store's published demo accounts whose passwords were never changed (the sample's),
    /// for the sign-in screen to say so: login and role.
    pub fn demo_accounts(&self) -> Result<Vec<(String, Role)>> {
        self.with_desk(|_, desk, _| {
            let out = desk
                .users
                .values()
                .filter(|(u, _)| u.demo && u.active)
                .filter_map(|(u, _)| Some((u.login.clone(), *u.roles.first()?)))
                .collect();
            Ok((out, vec![]))
        })
    }

    /// The audit log (administrators and leaders), newest first.
    pub fn audit_entries(
        &self,
        by: &Session,
        q: &crate::audit::AuditQuery,
    ) -> Result<Vec<AuditEntry>> {
        self.require_role(
            by,
            &[Role::Admin, Role::Leader],
            crate::error::Permission::ReadAudit,
        )?;
        self.store().db().audit_entries(q)
    }

    /// Checks the hash chain that seals every audit table (`griddesk audit check`).
    pub fn check_audit(&self) -> Result<crate::audit::AuditCheck> {
        self.store().db().check_audit()
    }

    /// Every department.
    pub fn departments(&self) -> Result<Vec<Department>> {
        self.with_desk(|_, desk, _| Ok((desk.departments.values().cloned().collect(), vec![])))
    }

    /// Adds a department (administrators; anyone while the store has no users).
    pub fn add_department(&self, by: Option<&Session>, d: &Department) -> Result<()> {
        self.with_desk(|store, desk, _| {
            if !desk.users.is_empty() {
                require_admin(desk, by)?;
            }
            let entry = audit_by(by, "department.create", &d.code).after(d);
            store.transaction(|tx| {
                tx.insert_department(d)?;
                tx.record_audit(&entry)?;
                Ok(())
            })?;
            desk.refresh_tables(&store.db())?;
            Ok(((), vec![]))
        })
    }

    /// Adds a department with the event and component classes routed to it (2-digit major or
    /// 4-digit minor codes), in one transaction: all of it or nothing (administrators).
    pub fn add_department_routed(
        &self,
        by: &Session,
        d: &Department,
        classes: &[String],
    ) -> Result<()> {
        d.validate()?;
        let rules: Vec<RoutingRule> = classes
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
            .map(|c| RoutingRule {
                id: None,
                kind: None,
                class_code: Some(c.to_string()),
                area_class: None,
                street: None,
                department: d.code.clone(),
            })
            .collect();
        for r in &rules {
            r.validate()?;
        }
        self.with_desk(|store, desk, _| {
            require_admin(desk, Some(by))?;
            store.transaction(|tx| {
                tx.insert_department(d)?;
                tx.record_audit(&AuditEntry::by(by, "department.create", &d.code).after(d))?;
                for r in &rules {
                    let id = tx.insert_rule(r)?;
                    tx.record_audit(
                        &AuditEntry::by(by, "routing.create", id.to_string()).after(r),
                    )?;
                }
                Ok(())
            })?;
            desk.refresh_tables(&store.db())?;
            Ok(((), vec![]))
        })
    }

    /// The routing rules.
    pub fn routing_rules(&self) -> Result<Vec<RoutingRule>> {
        self.with_desk(|_, desk, _| Ok((desk.routing.rules().to_vec(), vec![])))
    }

    /// Adds a routing rule (administrators; anyone while the store has no users); returns its id.
    pub fn add_routing_rule(&self, by: Option<&Session>, r: &RoutingRule) -> Result<i64> {
        self.with_desk(|store, desk, _| {
            if !desk.users.is_empty() {
                require_admin(desk, by)?;
            }
            let id = store.transaction(|tx| {
                let id = tx.insert_rule(r)?;
                tx.record_audit(&audit_by(by, "routing.create", id.to_string()).after(r))?;
                Ok(id)
            })?;
            desk.refresh_tables(&store.db())?;
            Ok((id, vec![]))
        })
    }

    /// Deletes a routing rule (administrators).
    pub fn delete_routing_rule(&self, by: &Session, id: i64) -> Result<()> {
        self.with_desk(|store, desk, _| {
            require_admin(desk, Some(by))?;
            let before = desk
                .routing
                .rules()
                .iter()
                .find(|r| r.id == Some(id))
                .cloned();
            let entry = AuditEntry::by(by, "routing.delete", id.to_string()).before(before);
            store.transaction(|tx| {
                tx.delete_rule(id)?;
                tx.record_audit(&entry)?;
                Ok(())
            })?;
            desk.refresh_tables(&store.db())?;
            Ok(((), vec![]))
        })
    }

    /// The work calendar.
    pub fn calendar(&self) -> Result<WorkCalendar> {
        self.with_desk(|_, desk, _| Ok((desk.calendar.clone(), vec![])))
    }

    /// Edits the work calendar (administrators), in one transaction. Deadlines already set
    /// stay as they are; new stage runs use the edited calendar.
    pub fn edit_calendar(&self, by: &Session, edits: &[CalendarEdit]) -> Result<()> {
        self.edit_calendar_seen(by, edits, None)
    }

    /// Sets or clears one date's entry from a form that showed `seen` for that date (`None`:
    /// no entry): when someone else changed the date since, nothing is written
    /// (docs/trust.md, "Stale edits").
    pub fn edit_calendar_day(
        &self,
        by: &Session,
        edit: &CalendarEdit,
        seen: Option<&CalendarDay>,
    ) -> Result<()> {
        self.edit_calendar_seen(by, std::slice::from_ref(edit), Some(seen))
    }

    fn edit_calendar_seen(
        &self,
        by: &Session,
        edits: &[CalendarEdit],
        seen: Option<Option<&CalendarDay>>,
    ) -> Result<()> {
        self.with_desk(|store, desk, _| {
            require_admin(desk, Some(by))?;
            let thing = crate::message::Thing::CalendarDay;
            if let Some(seen) = seen {
                for date in edits.iter().filter_map(CalendarEdit::date) {
                    let now = desk.calendar.days().find(|x| x.date == date);
                    crate::audit::unchanged_since(thing, &date.to_string(), Some(&seen), &now)?;
                }
            }
            let subject = calendar_subject(edits);
            let entry = AuditEntry::by(by, "calendar.edit", &subject)
                .before(calendar_before(&desk.calendar, edits))
                .after(edits);
            let generation = self.seen_generation();
            store.transaction(|tx| {
                Engine::still_current(tx, generation, thing, &subject)?;
                tx.apply_edits(edits)?;
                tx.load_calendar()?;
                tx.record_audit(&entry)?;
                Ok(())
            })?;
            desk.refresh_tables(&store.db())?;
            Ok(((), vec![]))
        })
    }

    /// Imports a holiday table CSV (`date,kind,festival`, as `calendar_cn_2026.csv`), adding
    /// or replacing its dates (administrators). Returns the number of dates.
    pub fn import_calendar(&self, by: &Session, path: &std::path::Path) -> Result<usize> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let days = crate::clock::calendar::parse_calendar_csv(&path.display().to_string(), &text)?;
        let n = days.len();
        let edits: Vec<CalendarEdit> = days.into_iter().map(CalendarEdit::SetDay).collect();
        self.edit_calendar(by, &edits)?;
        Ok(n)
    }

    /// The filing standard (conditions and time limits).
    pub fn filing_standard(&self) -> Result<FilingStandard> {
        self.with_desk(|_, desk, _| Ok((desk.standard.clone(), vec![])))
    }

    /// Sets one time limit of one filing condition (administrators); the condition becomes the
    /// centre's own, not the shipped default. `edit.seen` is the limit the form showed: when
    /// someone else changed it since, nothing is written (docs/trust.md, "Stale edits").
    /// Returns the class's conditions as stored.
    pub fn set_time_limit(&self, by: &Session, edit: &LimitEdit) -> Result<Vec<FilingCondition>> {
        let class_code = edit.class_code.trim();
        let limit = crate::clock::TimeLimit::new(edit.limit.amount, edit.limit.unit)?;
        self.with_desk(|store, desk, _| {
            require_admin(desk, Some(by))?;
            let of_class = |desk: &Desk| -> Vec<FilingCondition> {
                desk.standard
                    .conditions_of(edit.kind, class_code)
                    .into_iter()
                    .cloned()
                    .collect()
            };
            let mut conds = of_class(desk);
            let key = format!(
                "{} {class_code}/{} {} {}",
                edit.kind.key(),
                edit.condition,
                edit.stage.key(),
                edit.area_class.key()
            );
            let cond = conds
                .iter_mut()
                .find(|c| c.condition == edit.condition)
                .ok_or_else(|| Error::NotFound {
                    what: "filing condition",
                    key: format!("{} {class_code}/{}", edit.kind.key(), edit.condition),
                })?;
            cond.is_default = false;
            let slot = cond
                .limits
                .iter_mut()
                .find(|l| l.stage == edit.stage && l.area_class == edit.area_class)
                .ok_or_else(|| Error::NotFound {
                    what: "time limit",
                    key: key.clone(),
                })?;
            let thing = crate::message::Thing::TimeLimit;
            crate::audit::unchanged_since(thing, &key, edit.seen.as_ref(), &slot.limit)?;
            slot.limit = limit;
            self.replace_conditions(store, desk, by, &conds)?;
            Ok((of_class(desk), vec![]))
        })
    }

    /// Replaces the conditions of the classes that `conds` mention (administrators).
    pub fn set_filing_conditions(&self, by: &Session, conds: &[FilingCondition]) -> Result<()> {
        self.with_desk(|store, desk, _| {
            require_admin(desk, Some(by))?;
            self.replace_conditions(store, desk, by, conds)?;
            Ok(((), vec![]))
        })
    }

    /// [`Engine::set_filing_conditions`] inside [`Engine::with_desk`].
    fn replace_conditions(
        &self,
        store: &mut Store,
        desk: &mut Desk,
        by: &Session,
        conds: &[FilingCondition],
    ) -> Result<()> {
        let classes: Vec<(crate::model::CaseKind, &str)> = {
            let mut c: Vec<_> = conds
                .iter()
                .map(|c| (c.kind, c.class_code.as_str()))
                .collect();
            c.sort_by_key(|(k, c)| (k.key(), *c));
            c.dedup();
            c
        };
        let before: Vec<&FilingCondition> = classes
            .iter()
            .flat_map(|(k, c)| desk.standard.conditions_of(*k, c))
            .collect();
        let subject = classes
            .iter()
            .map(|(_, c)| *c)
            .collect::<Vec<_>>()
            .join(",");
        let entry = AuditEntry::by(by, "filing.conditions", &subject)
            .before(before)
            .after(conds);
        let generation = self.seen_generation();
        let thing = crate::message::Thing::FilingCondition;
        store.transaction(|tx| {
            Engine::still_current(tx, generation, thing, &subject)?;
            tx.replace_conditions(conds)?;
            tx.record_audit(&entry)?;
            Ok(())
        })?;
        desk.refresh_tables(&store.db())
    }

    /// Applies a workflow action to a case at `at` (see [`crate::workflow`]). A refusal is
    /// [`Error::Refused`] with a typed [`Refusal`]; nothing changes then.
    pub fn apply(
        &self,
        case_id: &str,
        session: &Session,
        action: &Action,
        at: NaiveDateTime,
    ) -> Result<Transitioned> {
        self.with_desk(|store, desk, index| {
            let (done, open) = store
                .transaction(|tx| transition(tx, desk, index, case_id, session, action, at))?;
            let mut edits = Vec::new();
            if done.to != done.from {
                edits.push(IndexEdit::Status {
                    pos: open.pos,
                    id: open.id.clone(),
                    status: done.to,
                });
            }
            desk.open.update(open);
            Ok((done, edits))
        })
    }

    /// The actions a session could take on a case now (for the UI's buttons).
    pub fn available_actions(&self, case_id: &str, session: &Session) -> Result<Vec<ActionKind>> {
        self.with_desk(|store, desk, index| {
            if authorise(desk, session).is_err() {
                return Ok((vec![], vec![]));
            }
            let conn = &store.db();
            let core = conn.read_core(case_id)?.ok_or_else(|| Error::NotFound {
                what: "case",
                key: case_id.to_string(),
            })?;
            let flow = match conn.read_flow(case_id)? {
                Some(f) => f,
                None => crate::workflow::apply::legacy_flow(&core, index, desk),
            };
            let view = CaseView {
                status: core.status,
                department: flow.department,
                request: flow.request.map(|r| r.kind),
            };
            Ok((available(&view, session), vec![]))
        })
    }

    /// The clock of every open case at `now` (in memory; see the `caseloop` bench).
    pub fn case_clocks(&self, now: NaiveDateTime) -> Result<Vec<CaseClock>> {
        self.with_desk(|_, desk, _| {
            let cal = &desk.calendar;
            let out = desk
                .open
                .iter()
                .map(|c| CaseClock {
                    id: c.id.to_string(),
                    status: c.status,
                    stage: c.run.as_ref().map(|r| r.stage),
                    department: c.department.as_deref().map(str::to_string),
                    supervised: c.supervised,
                    clock: c.run.as_ref().map(|r| r.state(cal, now)),
                })
                .collect();
            Ok((out, vec![]))
        })
    }

    /// The open cases inside `bbox` (`[west, south, east, north]`) with their status and the
    /// workflow's overdue judgement at `at` (§4.6), at most `max`: the map's case overlay.
    pub fn case_points(
        &self,
        bbox: [f64; 4],
        at: NaiveDateTime,
        max: usize,
    ) -> Result<Vec<CasePoint>> {
        let [w, s, e, n] = bbox;
        self.with_desk(|_, desk, _| {
            let cal = &desk.calendar;
            let mut out = Vec::new();
            for c in desk.open.iter() {
                let [lon, lat] = c.location;
                if lon < w || lon > e || lat < s || lat > n {
                    continue;
                }
                out.push(CasePoint {
                    id: c.id.to_string(),
                    lon,
                    lat,
                    status: c.status,
                    overdue: c.overdue_at(cal, at),
                });
                if out.len() >= max {
                    break;
                }
            }
            Ok((out, vec![]))
        })
    }

    /// Number of open cases and of those overdue at `now`.
    pub fn overdue_count(&self, now: NaiveDateTime) -> Result<(usize, usize)> {
        self.with_desk(|_, desk, _| {
            let cal = &desk.calendar;
            let overdue = desk.open.iter().filter(|c| c.overdue_at(cal, now)).count();
            Ok(((desk.open.len(), overdue), vec![]))
        })
    }

    /// Task numbers of the open cases overdue at `at` (`OpenCase::overdue_at`, SPEC §4.6).
    pub fn overdue_ids(&self, at: NaiveDateTime) -> Result<std::collections::HashSet<Box<str>>> {
        self.with_desk(|_, desk, _| {
            let cal = &desk.calendar;
            let ids = desk
                .open
                .iter()
                .filter(|c| c.overdue_at(cal, at))
                .map(|c| c.id.clone())
                .collect();
            Ok((ids, vec![]))
        })
    }
}

fn refused_user(login: &str, r: Refusal) -> Error {
    Error::Refused {
        case: format!("user {login}"),
        refusal: r,
    }
}

impl Engine {
    /// Checks that `by` is a session of an active user who holds its role, and that the role
    /// is one of `allowed`; `what` names the action in the refusal. The one place a role gate
    /// outside the case loop is decided (the shells and the CLI only pass the session on).
    /// Checks that `by` is a signed-in user who exists and is active in this store (or the
    /// explicit local administrator).
    pub fn require_active(&self, by: &Session) -> Result<()> {
        if is_local_admin(by) {
            return Ok(());
        }
        self.with_desk(|_, desk, _| {
            authorise(desk, by).map_err(|r| refused_user(&by.login, r))?;
            Ok(((), vec![]))
        })
    }

    pub fn require_role(
        &self,
        by: &Session,
        allowed: &[Role],
        what: crate::error::Permission,
    ) -> Result<()> {
        if !is_local_admin(by) {
            self.with_desk(|_, desk, _| {
                authorise(desk, by).map_err(|r| refused_user(&by.login, r))?;
                Ok(((), vec![]))
            })?;
        }
        if allowed.contains(&by.role) {
            return Ok(());
        }
        Err(Error::NotPermitted {
            login: by.login.clone(),
            role: by.role,
            what,
        })
    }
}

/// Login prefix of the explicit local administrator ([`Engine::local_admin`]).
pub const LOCAL_ADMIN_PREFIX: &str = "local:";

/// Whether a session is the explicit local administrator of the command line.
pub(crate) fn is_local_admin(s: &Session) -> bool {
    s.role == Role::Admin && s.login.starts_with(LOCAL_ADMIN_PREFIX)
}

impl Engine {
    /// The explicit administrator of the command line on the machine that holds the store file
    /// (`griddesk … --admin`): whoever can write the file can change it, so the CLI may say so
    /// openly instead of signing in. Recorded as `local:<os user>` wherever an author is kept.
    /// It passes [`Engine::require_role`] for administrator work; the case loop still needs
    /// real accounts. The desktop shell never creates one: its sessions come from sign-in.
    pub fn local_admin(&self, os_user: &str) -> Session {
        Session {
            login: format!("{LOCAL_ADMIN_PREFIX}{os_user}"),
            name: "本机管理员".into(),
            role: Role::Admin,
            department: None,
        }
    }
}

/// The user `login` as listed, or NotFound.
fn user_of(desk: &Desk, login: &str) -> Result<User> {
    desk.users
        .get(login)
        .map(|(u, _)| u.clone())
        .ok_or_else(|| Error::NotFound {
            what: "user",
            key: login.to_string(),
        })
}

/// Refuses a change that would leave the store without an active administrator (`login` is
/// the one losing the role or being disabled).
fn keep_an_admin(desk: &Desk, login: &str) -> Result<()> {
    let others = desk
        .users
        .values()
        .any(|(u, _)| u.login != login && u.active && u.roles.contains(&Role::Admin));
    if others {
        Ok(())
    } else {
        Err(Error::Invalid(
            crate::message::Message::new(crate::message::MessageCode::LastAdministrator)
                .text("login", login)
                .en(format!(
                    "`{login}` is the last active administrator: make another user an administrator first"
                )),
        ))
    }
}

/// An audit entry for `by`, or for the engine when there is no session yet (a store's setup
/// before its first user).
fn audit_by(by: Option<&Session>, action: &str, subject: impl Into<String>) -> AuditEntry {
    match by {
        Some(s) => AuditEntry::by(s, action, subject),
        None => AuditEntry::engine(action, subject),
    }
}

/// The dates a calendar edit touches (or `office_hours`), for its audit row.
fn calendar_subject(edits: &[CalendarEdit]) -> String {
    let mut dates: Vec<String> = edits
        .iter()
        .map(|e| match e {
            CalendarEdit::SetDay(d) => d.date.to_string(),
            CalendarEdit::ClearDay { date } => date.to_string(),
            CalendarEdit::SetOfficeHours { .. } => "office_hours".to_string(),
        })
        .collect();
    dates.dedup();
    match dates.len() {
        0 => String::new(),
        1..=3 => dates.join(","),
        n => format!("{}…{} ({n})", dates[0], dates[n - 1]),
    }
}

/// What an edit's dates (and office hours) were before it.
fn calendar_before(cal: &WorkCalendar, edits: &[CalendarEdit]) -> serde_json::Value {
    let mut days = Vec::new();
    let mut hours = None;
    for e in edits {
        match e {
            CalendarEdit::SetDay(d) => days.push((d.date, cal.days().find(|x| x.date == d.date))),
            CalendarEdit::ClearDay { date } => {
                days.push((*date, cal.days().find(|x| x.date == *date)))
            }
            CalendarEdit::SetOfficeHours { .. } => hours = Some(cal.periods().to_vec()),
        }
    }
    serde_json::json!({
        "days": days
            .into_iter()
            .map(|(d, e)| serde_json::json!({ "date": d.to_string(), "entry": e }))
            .collect::<Vec<_>>(),
        "office_hours": hours,
    })
}

/// Checks that `by` is a valid administrator session.
pub(crate) fn require_admin(desk: &Desk, by: Option<&Session>) -> Result<()> {
    let Some(s) = by else {
        return Err(Error::SignIn(SignInRefusal::BadCredentials));
    };
    if is_local_admin(s) {
        return Ok(());
    }
    authorise(desk, s).map_err(|r| refused_user(&s.login, r))?;
    if s.role != Role::Admin {
        return Err(refused_user(
            &s.login,
            Refusal::NotAuthorised {
                login: s.login.clone(),
                role: s.role,
                why: crate::message::Message::new(crate::message::MessageCode::AdministratorOnly).en(
                    "only an administrator may change users, departments, routing, calendar or limits",
                ),
            },
        ));
    }
    Ok(())
}

/// An open case on the map: where, its status, and whether it is overdue.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CasePoint {
    pub id: String,
    pub lon: f64,
    pub lat: f64,
    pub status: CaseStatus,
    pub overdue: bool,
}

/// One time limit set from the clock settings (see [`Engine::set_time_limit`]).
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(optional_fields = nullable))]
pub struct LimitEdit {
    pub kind: crate::model::CaseKind,
    pub class_code: String,
    /// 立案明细编码 within the class.
    pub condition: String,
    pub stage: Stage,
    pub area_class: crate::filing::AreaClass,
    pub limit: crate::clock::TimeLimit,
    /// The limit the form showed (`None`: not checked).
    #[serde(default)]
    pub seen: Option<crate::clock::TimeLimit>,
}
