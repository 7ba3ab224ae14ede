//! The station service's operations (docs/station.md): API keys for client apps (issued, listed
//! and revoked by an administrator; only a hash of each key is kept), reports from those apps
//! filed as citizen reports (市民上报 → source `public`) that wait for acceptance like any other,
//! and the views of the reports a client may read back.
//!
//! The station (crates/station) only parses and formats; every check that decides is here or in
//! the case loop's intake.

#[allow(unused_imports)]
use crate::ports::*;

use crate::error::{Error, Result};
use crate::intake::{DuplicateParams, IntakeOutcome, IntakeRequest, OnDuplicate};
use crate::message::{Message, MessageCode as C};
use crate::model::{CaseKind, CaseSource, CaseStatus};
use crate::users::{Role, Session};
use crate::workflow::machine::{roles_for, ActionKind};
use crate::workflow::photo::{PhotoInput, PhotoPhase};
use crate::Engine;
use chrono::NaiveDateTime;
use griddesk_caseloop::filing::Stage;
use griddesk_caseloop::workflow::record::CaseRecords as _;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::sync::Mutex;

pub use griddesk_caseloop::intake::station::{
    NewStationKey, StationKey, StationReport, StationReportFilter, StationStore,
};

/// Station reports are filed one at a time, so that the idempotency check and the filing of a
/// report sent twice at once cannot both pass.
pub(crate) static FILING: Mutex<()> = Mutex::new(());

/// The roles an acting account may report with, the first held is used.
const REPORTING: &[Role] = &[
    Role::Receptionist,
    Role::Inspector,
    Role::ShiftLeader,
    Role::Leader,
];

/// Longest app name.
const MAX_APP: usize = 100;

/// A key as issued: `key` is shown this once and never stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IssuedKey {
    pub key: String,
    pub info: StationKey,
}

/// A client app whose key was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationClient {
    pub key_id: i64,
    pub app: String,
    pub acting_login: String,
}

/// A service the station offers: one class of the CJ/T 214 tables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StationService {
    /// `event-0102` or `component-0101` (event and component class codes overlap).
    pub code: String,
    pub kind: CaseKind,
    pub class_code: String,
    pub name: String,
    pub major_code: String,
    pub major_name: String,
    /// The class name's pinyin initials, one slot per character (`griddesk_core::pinyin`).
    pub initials: Vec<String>,
}

/// A report from a client app, parsed by the station.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StationIntake {
    pub service_code: String,
    pub lon: f64,
    pub lat: f64,
    pub description: Option<String>,
    pub address: Option<String>,
    /// A 16-digit component code (component services only).
    pub component: Option<String>,
    pub reporter: Option<String>,
    pub phone: Option<String>,
    /// The photo, its bytes as received (the intake checks them).
    pub photo: Option<(Option<String>, Vec<u8>)>,
    /// The client's idempotency key.
    pub idempotency: Option<String>,
}

/// What filing a station report did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StationReceipt {
    pub case_id: String,
    pub token: String,
    /// The report had been filed before under the same idempotency key.
    pub repeated: bool,
}

/// A station report as a client may see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StationCase {
    pub case_id: String,
    pub token: String,
    pub service_code: String,
    pub service_name: Option<String>,
    pub status: CaseStatus,
    pub open: bool,
    pub description: Option<String>,
    pub address: Option<String>,
    /// The department handling it, once dispatched.
    pub agency: Option<String>,
    pub requested_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The deadline of the running stage clock.
    pub expected_at: Option<NaiveDateTime>,
    pub location: [f64; 2],
}

/// The service code of a class.
pub fn service_code(kind: CaseKind, class: &str) -> String {
    format!("{}-{class}", kind.key())
}

/// The class of a service code, if it is one's form.
pub fn parse_service_code(code: &str) -> Option<(CaseKind, &str)> {
    let (kind, class) = code.trim().split_once('-')?;
    let kind = match kind {
        "event" => CaseKind::Event,
        "component" => CaseKind::Component,
        _ => return None,
    };
    (class.len() == 4 && class.bytes().all(|b| b.is_ascii_digit())).then_some((kind, class))
}

/// The SHA-256 of a secret (a client key, a phone session token), hex: only this is stored.
pub(crate) fn hash_key(key: &str) -> String {
    Sha256::digest(key.trim().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub(crate) fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::Rng::fill(&mut rand::thread_rng(), &mut b[..]);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

impl Engine {
    /// Issues an API key to a client app whose reports are filed as `acting_login` (an active
    /// account that may report: 受理员, 监督员, 值班长 or 领导). Administrators only.
    pub fn issue_station_key(
        &self,
        by: &Session,
        app: &str,
        acting_login: &str,
        now: NaiveDateTime,
    ) -> Result<IssuedKey> {
        let app = app.trim();
        if app.is_empty() || app.chars().count() > MAX_APP {
            return Err(Error::Invalid(
                Message::new(C::StationAppName)
                    .int("max", MAX_APP)
                    .en(format!(
                        "an app name of 1 to {MAX_APP} characters is needed"
                    )),
            ));
        }
        let key = format!("gdk_{}", random_hex(24));
        let new = NewStationKey {
            app: app.to_string(),
            prefix: key.chars().take(10).collect(),
            hash: hash_key(&key),
            acting_login: acting_login.trim().to_string(),
            issued_at: now,
            issued_by: by.login.clone(),
        };
        self.with_desk(|store, desk, _| {
            crate::api::workflow::require_admin(desk, Some(by))?;
            acting_session(desk, &new.acting_login)?;
            let id = store.transaction(|tx| tx.add_station_key(&new))?;
            Ok((
                IssuedKey {
                    key: key.clone(),
                    info: StationKey {
                        id,
                        app: new.app.clone(),
                        prefix: new.prefix.clone(),
                        acting_login: new.acting_login.clone(),
                        issued_at: now,
                        issued_by: new.issued_by.clone(),
                        revoked_at: None,
                        revoked_by: None,
                    },
                },
                vec![],
            ))
        })
    }

    /// Refused unless `by` may switch the station's network service (设置 ▸ 局域网服务) on or
    /// off: administrators only, like the keys (docs/station.md).
    pub fn may_run_station(&self, by: &Session) -> Result<()> {
        self.with_desk(|_, desk, _| {
            crate::api::workflow::require_admin(desk, Some(by))?;
            Ok(((), vec![]))
        })
    }

    /// Every key issued, newest first. Administrators only.
    pub fn station_keys(&self, by: &Session) -> Result<Vec<StationKey>> {
        self.with_desk(|store, desk, _| {
            crate::api::workflow::require_admin(desk, Some(by))?;
            Ok((store.db().station_keys()?, vec![]))
        })
    }

    /// Revokes a key: its app is refused from then on. Administrators only.
    pub fn revoke_station_key(&self, by: &Session, id: i64, now: NaiveDateTime) -> Result<()> {
        self.with_desk(|store, desk, _| {
            crate::api::workflow::require_admin(desk, Some(by))?;
            if !store.transaction(|tx| tx.revoke_station_key(id, now, &by.login))? {
                return Err(Error::NotFound {
                    what: "station key",
                    key: id.to_string(),
                });
            }
            Ok(((), vec![]))
        })
    }

    /// The client app holding `key`; `None` for an unknown or revoked key, or one whose acting
    /// account can no longer report (disabled, or its reporting role taken away).
    pub fn station_client(&self, key: &str) -> Result<Option<StationClient>> {
        let found = self.store().db().station_key_by_hash(&hash_key(key))?;
        let Some(k) = found.filter(|k| k.revoked_at.is_none()) else {
            return Ok(None);
        };
        let usable = self
            .with_desk(|_, desk, _| Ok((acting_session(desk, &k.acting_login).is_ok(), vec![])))?;
        Ok(usable.then_some(StationClient {
            key_id: k.id,
            app: k.app,
            acting_login: k.acting_login,
        }))
    }

    /// The services: every event and component class of the store's code tables.
    pub fn station_services(&self) -> Vec<StationService> {
        let l = self.loaded();
        let t = &l.index.code_tables;
        [
            (CaseKind::Event, &t.events),
            (CaseKind::Component, &t.components),
        ]
        .into_iter()
        .flat_map(|(kind, table)| {
            table.iter().map(move |e| StationService {
                code: service_code(kind, &e.code),
                kind,
                class_code: e.code.clone(),
                name: e.name.clone(),
                major_code: e.major_code.clone(),
                major_name: e.major_name.clone(),
                initials: crate::pinyin::initials(&e.name),
            })
        })
        .collect()
    }

    /// One service, or `None` for a code that names no class.
    pub fn station_service(&self, code: &str) -> Option<StationService> {
        let (kind, class) = parse_service_code(code)?;
        let l = self.loaded();
        let t = &l.index.code_tables;
        let e = match kind {
            CaseKind::Event => t.events.get(class),
            CaseKind::Component => t.components.get(class),
        }?;
        Some(StationService {
            code: service_code(kind, &e.code),
            kind,
            class_code: e.code.clone(),
            name: e.name.clone(),
            major_code: e.major_code.clone(),
            major_name: e.major_name.clone(),
            initials: crate::pinyin::initials(&e.name),
        })
    }

    /// Files a client's report as a citizen report (市民上报) waiting for acceptance, located to
    /// its grid by the intake; a report sent again under the same idempotency key returns the
    /// first receipt. A refused report changes nothing.
    pub fn station_report(
        &self,
        client: &StationClient,
        r: &StationIntake,
        now: NaiveDateTime,
    ) -> Result<StationReceipt> {
        let _one = FILING
            .lock()
            .map_err(|_| Error::Internal("station filing lock poisoned".into()))?;
        let idem = r
            .idempotency
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        if let Some(k) = idem {
            if k.chars().count() > 200 {
                return Err(Error::Invalid(
                    Message::new(C::TooLong)
                        .int("max", 200)
                        .en("the idempotency key is longer than 200 characters"),
                ));
            }
            if let Some(s) = self
                .store()
                .db()
                .station_report_by_idempotency(client.key_id, k)?
            {
                return Ok(StationReceipt {
                    case_id: s.case_id,
                    token: s.token,
                    repeated: true,
                });
            }
        }
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
        let session =
            self.with_desk(|_, desk, _| Ok((acting_session(desk, &client.acting_login)?, vec![])))?;
        let req = IntakeRequest {
            source: CaseSource::Public,
            kind: service.kind,
            class_code: Some(service.class_code.clone()),
            condition: None,
            location: Some([r.lon, r.lat]),
            component: match service.kind {
                CaseKind::Component => r.component.clone(),
                CaseKind::Event => None,
            },
            description: r.description.clone(),
            address: r.address.clone(),
            reporter: r.reporter.clone(),
            reporter_phone: r.phone.clone(),
            photos: r
                .photo
                .iter()
                .map(|(name, bytes)| PhotoInput {
                    phase: PhotoPhase::Before,
                    name: name.clone(),
                    bytes: bytes.clone(),
                })
                .collect(),
            reported_at: now,
            urgency: None,
        };
        let token = random_hex(16);
        // The receipt (token, idempotency key) is written in the intake's own transaction: a
        // case is never filed without it, so a retry can never file a second one.
        let outcome = self.intake_then(
            &session,
            &req,
            &DuplicateParams::default(),
            &OnDuplicate::Proceed,
            |tx, id| {
                tx.add_station_report(&StationReport {
                    case_id: id.to_string(),
                    token: token.clone(),
                    key_id: client.key_id,
                    idempotency: idem.map(str::to_string),
                    received_at: now,
                })
            },
        )?;
        let IntakeOutcome::Created { id, .. } = outcome else {
            return Err(Error::Internal("a station report was not filed".into()));
        };
        Ok(StationReceipt {
            case_id: id,
            token,
            repeated: false,
        })
    }

    /// The report a receipt token names, if any.
    pub fn station_report_by_token(&self, token: &str) -> Result<Option<StationReport>> {
        self.store().db().station_report_by_token(token.trim())
    }

    /// Station reports matching the filter, newest first, at most `limit`, with their state.
    /// `open`: only open (`Some(true)`) or closed (`Some(false)`) ones.
    pub fn station_cases(
        &self,
        f: &StationReportFilter,
        open: Option<bool>,
        limit: usize,
    ) -> Result<Vec<StationCase>> {
        self.with_desk(|store, desk, index| {
            let db = store.db();
            // The state filter is applied after reading: fetch every match of the rest.
            let rows = db.station_reports(f, if open.is_some() { usize::MAX } else { limit })?;
            let mut out = Vec::new();
            for s in rows {
                let Some(core) = db.read_core(&s.case_id)? else {
                    continue;
                };
                if open.is_some_and(|o| o != core.status.is_open()) {
                    continue;
                }
                let flow = db.read_flow(&s.case_id)?;
                let runs = db.runs(&s.case_id)?;
                let expected_at = runs
                    .iter()
                    .rev()
                    .find(|r| r.ended_at.is_none())
                    .and_then(|r| r.deadline);
                let agency = runs
                    .iter()
                    .rev()
                    .find(|r| r.stage == Stage::Handle)
                    .and_then(|r| r.department.as_deref())
                    .and_then(|d| desk.departments.get(d))
                    .map(|d| d.name.clone());
                let table = match core.kind {
                    CaseKind::Event => &index.code_tables.events,
                    CaseKind::Component => &index.code_tables.components,
                };
                out.push(StationCase {
                    service_code: service_code(core.kind, &core.class_code),
                    service_name: table.get(&core.class_code).map(|e| e.name.clone()),
                    status: core.status,
                    open: core.status.is_open(),
                    description: core.description.clone(),
                    address: flow.as_ref().and_then(|f| f.address.clone()),
                    agency,
                    requested_at: core.reported_at,
                    updated_at: flow
                        .as_ref()
                        .map(|f| f.updated_at)
                        .unwrap_or(core.reported_at),
                    expected_at,
                    location: core.location,
                    case_id: s.case_id,
                    token: s.token,
                });
                if out.len() >= limit {
                    break;
                }
            }
            Ok((out, vec![]))
        })
    }
}

/// The session reports of `login` are filed with: an active account holding a reporting role.
fn acting_session(desk: &crate::workflow::desk::Desk, login: &str) -> Result<Session> {
    let refuse = || {
        Error::Invalid(
            Message::new(C::StationActingUser)
                .text("login", login)
                .en(format!(
                    "`{login}` is not an active account that may report cases (受理员, 监督员, 值班长 or 领导)"
                )),
        )
    };
    let (u, _) = desk.users.get(login).ok_or_else(refuse)?;
    if !u.active {
        return Err(refuse());
    }
    let allowed = roles_for(ActionKind::Report);
    let role = REPORTING
        .iter()
        .copied()
        .find(|r| u.roles.contains(r) && allowed.contains(r))
        .ok_or_else(refuse)?;
    Ok(Session {
        login: u.login.clone(),
        name: u.name.clone(),
        role,
        department: None,
    })
}
