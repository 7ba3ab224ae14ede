//! Case intake: a new case from a map point, a component or a QR plate, from any source
//! (SPEC §4.3). The engine fills in grid, community, street, duty grid, inspector, area class
//! and the responsible department ([`place`]), checks for duplicates (open cases of the same
//! class nearby, recently), then stores the case, its workflow record, the first stage clock
//! (受理), the before photos and the audit entry in one transaction, and adds the case to the
//! in-memory indexes without a reload.
//!
//! Also here: the repeat finder ([`repeats`]) and the bulk import of historical cases
//! ([`history`]).

pub mod history;
pub mod place;
pub mod repeats;
pub mod station;
pub mod track;

pub use place::Placement;

use crate::code::{ClassCode, ComponentCode};
use crate::error::{Error, Result};
use crate::filing::Urgency;
use crate::message::{Message, MessageCode as C, Reason};
use crate::model::{CaseKind, CaseSource, CaseStatus};
use crate::users::Session;
use crate::workflow::apply::{authorise, legacy_flow};
use crate::workflow::desk::Desk;
use crate::workflow::machine::{roles_for, statuses_for, ActionKind, Refusal};
use crate::workflow::photo::PhotoInput;
use chrono::{Duration, NaiveDateTime};
use griddesk_core::dates::format_datetime;
use serde::{Deserialize, Serialize};

/// A new report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IntakeRequest {
    pub source: CaseSource,
    /// Event or component; a component code makes it a component case.
    #[serde(default = "event_kind")]
    pub kind: CaseKind,
    /// Minor class from the code tables; taken from the component when one is given.
    #[serde(default)]
    pub class_code: Option<String>,
    /// 立案条件 id (the class's first condition when absent).
    #[serde(default)]
    pub condition: Option<String>,
    /// `[lon, lat]`; the component's location when absent.
    #[serde(default)]
    pub location: Option<[f64; 2]>,
    /// 16-digit component code.
    #[serde(default)]
    pub component: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Address text.
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub reporter: Option<String>,
    #[serde(default)]
    pub reporter_phone: Option<String>,
    /// Before photos (after photos are accepted too).
    #[serde(default)]
    pub photos: Vec<PhotoInput>,
    pub reported_at: NaiveDateTime,
    /// Overrides the condition's urgency.
    #[serde(default)]
    pub urgency: Option<Urgency>,
}

pub fn event_kind() -> CaseKind {
    CaseKind::Event
}

/// What the duplicate check looks for.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DuplicateParams {
    /// Search radius, metres.
    pub radius_m: f64,
    /// Open cases reported at most this long before the new report.
    pub window_hours: i64,
}

impl Default for DuplicateParams {
    fn default() -> Self {
        Self {
            radius_m: 50.0,
            window_hours: 7 * 24,
        }
    }
}

/// What to do when duplicates are found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "policy", rename_all = "snake_case")]
pub enum OnDuplicate {
    /// Return the candidates without creating anything (the first call of a form).
    Check,
    /// Create the case anyway.
    Proceed,
    /// Link the report to this open case: no new case, an audit entry on the original.
    LinkTo { case_id: String },
}

/// An open case that may be the same problem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DuplicateCandidate {
    pub id: String,
    pub status: CaseStatus,
    pub class_code: String,
    pub reported_at: NaiveDateTime,
    pub distance_m: f64,
    pub department: Option<String>,
}

/// What the form shows before saving.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IntakePreview {
    pub kind: CaseKind,
    pub class_code: String,
    pub class_name: Option<String>,
    pub location: [f64; 2],
    pub placement: Placement,
    /// The 立案条件 that applies, and its urgency.
    pub condition: Option<String>,
    pub urgency: Urgency,
    /// Deadline of the 受理 stage if reported now.
    pub accept_deadline: NaiveDateTime,
    /// The 处置 limit that will apply.
    pub handle_limit: crate::clock::TimeLimit,
    pub duplicates: Vec<DuplicateCandidate>,
}

/// What an intake did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum IntakeOutcome {
    /// A new case was stored.
    Created {
        id: String,
        placement: Box<Placement>,
        audit_seq: i64,
        photos: Vec<i64>,
    },
    /// Duplicates were found and the policy was [`OnDuplicate::Check`]; nothing was stored.
    DuplicatesFound { candidates: Vec<DuplicateCandidate> },
    /// The report was linked to an open case.
    Linked { original: String, audit_seq: i64 },
}

pub fn refused(field: &str, message: Reason) -> Error {
    Error::Refused {
        case: "(new report)".into(),
        refusal: Refusal::InvalidInput {
            action: ActionKind::Report,
            field: field.to_string(),
            message,
        },
    }
}

pub fn missing(field: &str) -> Error {
    Error::Refused {
        case: "(new report)".into(),
        refusal: Refusal::MissingInput {
            action: ActionKind::Report,
            field: field.to_string(),
        },
    }
}

/// A checked request: kind, class, location, component.
pub struct Checked {
    pub kind: CaseKind,
    pub class: ClassCode,
    pub location: [f64; 2],
    pub component: Option<crate::model::Component>,
    pub placement: Placement,
    pub condition: Option<String>,
    pub urgency: Urgency,
}

/// How far a report time may lie ahead of the station's clock (a phone's clock runs fast).
pub const CLOCK_SKEW: chrono::Duration = chrono::Duration::minutes(10);

/// The earliest report time a case can have: the first 数字城管 system went live in October 2004
/// (SPEC §4.7, GridDesk's decision).
pub fn earliest_report() -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2004, 10, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default()
}

/// Checks a report at `now`: a report time later than now (beyond [`CLOCK_SKEW`]) or before
/// [`earliest_report`] is refused,
/// as are an unknown class, a place outside the district and a component of another class.
pub fn check_request(
    req: &IntakeRequest,
    desk: &Desk,
    index: &crate::index::SpatialIndex,
    now: chrono::NaiveDateTime,
) -> Result<Checked> {
    if req.reported_at > now + CLOCK_SKEW {
        let at = format_datetime(&req.reported_at);
        let now = format_datetime(&now);
        return Err(refused(
            "reported_at",
            Message::new(C::ReportedInFuture)
                .text("at", &at)
                .text("now", &now)
                .en(format!("the report time {at} is later than now ({now})")),
        ));
    }
    if req.reported_at < earliest_report() {
        let at = format_datetime(&req.reported_at);
        return Err(refused(
            "reported_at",
            Message::new(C::ReportedTooEarly)
                .text("at", &at)
                .en(format!(
                "the report time {at} is before October 2004, when digital urban management began"
            )),
        ));
    }
    let component = match req
        .component
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(code) => {
            let cc = ComponentCode::parse(code).map_err(|e| refused("component", e.reason()))?;
            Some(
                index
                    .components
                    .iter()
                    .find(|c| c.code == cc)
                    .cloned()
                    .ok_or_else(|| {
                        refused(
                            "component",
                            Message::new(C::ComponentNotRegistered)
                                .text("code", code)
                                .en(format!("`{code}` is not in the register")),
                        )
                    })?,
            )
        }
        None => None,
    };
    if req.source == CaseSource::QrCode && component.is_none() {
        return Err(missing("component"));
    }
    let kind = if component.is_some() {
        CaseKind::Component
    } else {
        req.kind
    };
    let class_text = match (&component, req.class_code.as_deref().map(str::trim)) {
        (Some(c), _) => c.class_code.to_string(),
        (None, Some(c)) if !c.is_empty() => c.to_string(),
        _ => return Err(missing("class_code")),
    };
    let class = ClassCode::parse(&class_text).map_err(|e| refused("class_code", e.reason()))?;
    let table = match kind {
        CaseKind::Event => &index.code_tables.events,
        CaseKind::Component => &index.code_tables.components,
    };
    if table.get(class.as_str()).is_none() {
        return Err(refused(
            "class_code",
            Message::new(C::ClassNotInTable)
                .text("class", class)
                .term("kind", kind)
                .en(format!("{class} is not in the {} code table", kind.zh())),
        ));
    }
    let location = match (req.location, &component) {
        (Some(l), _) => l,
        (None, Some(c)) => [c.location.x(), c.location.y()],
        (None, None) => return Err(missing("location")),
    };
    if !(location[0].is_finite()
        && location[1].is_finite()
        && (-180.0..=180.0).contains(&location[0])
        && (-90.0..=90.0).contains(&location[1]))
    {
        return Err(refused(
            "location",
            Message::new(C::NotLonLat).en("is not a longitude/latitude"),
        ));
    }
    let placement = place::place(
        index,
        desk,
        kind,
        class.as_str(),
        location,
        component.as_ref(),
    );
    if placement.grid.is_none() && index.grids.iter().any(|g| g.is_active()) {
        return Err(refused(
            "location",
            Message::new(C::OutsideGrids)
                .num("lon", location[0])
                .num("lat", location[1])
                .en(format!(
                    "{:.6}, {:.6} lies outside every active unit grid of the district",
                    location[0], location[1]
                )),
        ));
    }
    let cond = match req
        .condition
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(c) => Some(
            desk.standard
                .condition(kind, class.as_str(), c)
                .ok_or_else(|| {
                    refused(
                        "condition",
                        Message::new(C::NotAFilingCondition)
                            .text("condition", c)
                            .text("class", class)
                            .en(format!("`{c}` is not a filing condition of class {class}")),
                    )
                })?,
        ),
        None => desk.standard.resolve(kind, class.as_str(), None),
    };
    for (field, v, max) in [
        ("description", &req.description, 2000usize),
        ("address", &req.address, 500),
        ("reporter", &req.reporter, 100),
    ] {
        if v.as_ref().is_some_and(|s| s.chars().count() > max) {
            return Err(refused(
                field,
                Message::new(C::TooLong)
                    .int("max", max)
                    .en(format!("is longer than {max} characters")),
            ));
        }
    }
    if let Some(p) = &req.reporter_phone {
        let ok = p.len() <= 20 && p.chars().all(|c| c.is_ascii_digit() || "+- ".contains(c));
        if !ok {
            return Err(refused(
                "reporter_phone",
                Message::new(C::NotAPhone)
                    .text("value", p)
                    .en(format!("`{p}` is not a phone number")),
            ));
        }
    }
    Ok(Checked {
        kind,
        class,
        location,
        component,
        placement,
        condition: cond.map(|c| c.condition.clone()),
        urgency: req
            .urgency
            .or(cond.map(|c| c.urgency))
            .unwrap_or(Urgency::Ordinary),
    })
}

pub fn duplicates(
    desk: &Desk,
    c: &Checked,
    at: NaiveDateTime,
    p: &DuplicateParams,
) -> Vec<DuplicateCandidate> {
    let since = at - Duration::hours(p.window_hours.max(0));
    desk.open
        .near(
            c.kind,
            c.class,
            c.location[0],
            c.location[1],
            p.radius_m.max(0.0),
        )
        .into_iter()
        .filter(|(o, _)| o.reported_at >= since && o.reported_at <= at + Duration::hours(1))
        .map(|(o, d)| DuplicateCandidate {
            id: o.id.to_string(),
            status: o.status,
            class_code: o.class.to_string(),
            reported_at: o.reported_at,
            distance_m: d,
            department: o.department.as_deref().map(str::to_string),
        })
        .collect()
}

pub fn trimmed(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

pub fn check_reporter(desk: &Desk, session: &Session) -> Result<()> {
    authorise(desk, session).map_err(|r| Error::Refused {
        case: "(new report)".into(),
        refusal: r,
    })?;
    let roles = roles_for(ActionKind::Report);
    if !roles.contains(&session.role) {
        return Err(Error::Refused {
            case: "(new report)".into(),
            refusal: Refusal::RoleNotAllowed {
                action: ActionKind::Report,
                role: session.role,
                allowed: roles.to_vec(),
            },
        });
    }
    Ok(())
}

/// Links a report to an open case: an audit entry and a counter on the original.
#[allow(clippy::too_many_arguments)]
pub fn link(
    tx: &dyn crate::CaseLoopStore,
    desk: &Desk,
    index: &crate::index::SpatialIndex,
    session: &Session,
    req: &IntakeRequest,
    c: &Checked,
    photos: &[crate::workflow::photo::Prepared],
    original: &str,
) -> Result<IntakeOutcome> {
    let core = tx.read_core(original)?.ok_or_else(|| Error::NotFound {
        what: "case",
        key: original.to_string(),
    })?;
    let allowed = statuses_for(ActionKind::DuplicateReport);
    if !allowed.contains(&core.status) {
        return Err(Error::Refused {
            case: original.to_string(),
            refusal: Refusal::WrongStatus {
                action: ActionKind::DuplicateReport,
                status: core.status,
                allowed: allowed.to_vec(),
            },
        });
    }
    let mut flow = match tx.read_flow(original)? {
        Some(f) => f,
        None => legacy_flow(&core, index, desk),
    };
    flow.duplicate_count += 1;
    if req.reported_at > flow.updated_at {
        flow.updated_at = req.reported_at;
    }
    tx.write_flow(&flow)?;
    let photo_ids = tx.insert_photos(original, photos, req.reported_at, &session.login)?;
    let detail = serde_json::json!({
        "source": req.source.key(),
        "location": c.location,
        "reported_at": format_datetime(&req.reported_at),
        "reporter": req.reporter,
        "photos": photo_ids,
    });
    let seq = tx.append_audit(
        original,
        req.reported_at,
        &session.login,
        session.role.key(),
        ActionKind::DuplicateReport.key(),
        Some(core.status),
        core.status,
        req.description.as_deref(),
        Some(&detail),
    )?;
    Ok(IntakeOutcome::Linked {
        original: original.to_string(),
        audit_seq: seq,
    })
}

/// What this module keeps in the store: implemented by each backend (`griddesk-store-sqlite`).
pub trait IntakeStore {
    /// The next task number `YYYY-NNNNNNN` for a year.
    fn next_id(&self, year: i32) -> Result<String>;
}
