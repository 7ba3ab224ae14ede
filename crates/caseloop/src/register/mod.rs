//! The components register: 16-digit codes (next free sequence per district and minor class,
//! SPEC §2.2), creating, editing and moving components, each change recorded in
//! `component_history` with the record before and after.

use crate::code::{ClassCode, ComponentCode, DistrictCode};
use crate::error::{Error, Result};
use crate::model::{Component, ComponentState};
use crate::users::{Role, Session};
use crate::workflow::apply::authorise;
use crate::workflow::Refusal;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// A component as written in the history and sent to the UI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ComponentRecord {
    pub code: String,
    pub class_code: String,
    pub class_name: Option<String>,
    pub owner: Option<String>,
    pub maintainer: Option<String>,
    pub state: ComponentState,
    pub location: [f64; 2],
    pub grid: Option<String>,
}

impl ComponentRecord {
    /// The record of a component, with its minor-class name.
    pub fn of(c: &Component, class_name: Option<String>) -> Self {
        Self {
            code: c.code.to_string(),
            class_code: c.class_code.to_string(),
            class_name,
            owner: c.owner.as_deref().map(str::to_string),
            maintainer: c.maintainer.as_deref().map(str::to_string),
            state: c.state,
            location: [c.location.x(), c.location.y()],
            grid: c.grid.map(|g| g.to_string()),
        }
    }
}

/// A component to register.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(optional_fields = nullable))]
pub struct NewComponent {
    /// 4-digit minor class from the component code table.
    pub class_code: String,
    /// `[lon, lat]`.
    pub location: [f64; 2],
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub maintainer: Option<String>,
    #[serde(default = "intact")]
    pub state: ComponentState,
    /// A code to use; the next free one when absent.
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

pub fn intact() -> ComponentState {
    ComponentState::Intact
}

/// Changes to a component; absent fields stay as they are, an empty owner or maintainer clears it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(optional_fields = nullable))]
#[serde(default)]
pub struct ComponentEdit {
    /// (`null` and absent alike leave it as it is.)
    #[cfg_attr(feature = "ts", ts(optional))]
    pub owner: Option<Option<String>>,
    #[cfg_attr(feature = "ts", ts(optional))]
    pub maintainer: Option<Option<String>>,
    pub state: Option<ComponentState>,
    /// Move to `[lon, lat]` (the grid is found again).
    pub location: Option<[f64; 2]>,
    pub note: Option<String>,
    /// The record as the editor saw it when the form opened. When given, an edit of a
    /// component that someone else changed since (another window, the CLI, another process)
    /// is refused instead of silently putting the old values back.
    pub expected: Option<ComponentRecord>,
}

/// Whether `current` still is what the editor saw (`expected`): owner, maintainer, state and
/// place (to a millimetre or so).
pub fn unchanged_since(expected: &ComponentRecord, current: &ComponentRecord) -> bool {
    let near = |a: [f64; 2], b: [f64; 2]| (a[0] - b[0]).abs() < 1e-8 && (a[1] - b[1]).abs() < 1e-8;
    expected.owner == current.owner
        && expected.maintainer == current.maintainer
        && expected.state == current.state
        && near(expected.location, current.location)
}

/// One entry of a component's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ComponentChange {
    pub seq: i64,
    pub code: String,
    pub at: NaiveDateTime,
    pub actor: String,
    /// The role the edit was made in (`None` for edits recorded before roles were kept).
    pub role: Option<griddesk_core::users::Role>,
    /// `create`, `edit`, `move`, `state` (a state change) or a combination joined by `+`.
    pub action: String,
    pub before: Option<ComponentRecord>,
    pub after: Option<ComponentRecord>,
    pub note: Option<String>,
}

pub fn refused(code: &str, r: Refusal) -> Error {
    Error::Refused {
        case: format!("component {code}"),
        refusal: r,
    }
}

pub fn check_editor(desk: &crate::workflow::Desk, by: &Session, code: &str) -> Result<()> {
    authorise(desk, by).map_err(|r| refused(code, r))?;
    if !matches!(by.role, Role::Admin | Role::Inspector) {
        return Err(refused(
            code,
            Refusal::NotAuthorised {
                login: by.login.clone(),
                role: by.role,
                why: crate::message::Message::new(crate::message::MessageCode::RegisterEditorsOnly)
                    .en("only administrators and inspectors edit the components register"),
            },
        ));
    }
    Ok(())
}

pub fn valid_point(p: [f64; 2]) -> bool {
    p[0].is_finite()
        && p[1].is_finite()
        && (-180.0..=180.0).contains(&p[0])
        && (-90.0..=90.0).contains(&p[1])
}

/// What this module keeps in the store: implemented by each backend (`griddesk-store-sqlite`).
pub trait RegisterStore {
    /// The component as committed in the store now (not as an index last saw it).
    fn read_component(&self, code: &str) -> Result<Option<crate::model::Component>>;
    /// Rewrites a component's owner, maintainer, state, location and grid.
    fn update_component(&self, code: &str, c: &crate::model::Component) -> Result<()>;
    /// The recorded changes of a component, oldest first.
    fn component_history(&self, code: &str) -> Result<Vec<ComponentChange>>;
    /// The next free code for a district and minor class, from the store.
    fn next_code(&self, district: DistrictCode, class: ClassCode) -> Result<ComponentCode>;
    #[allow(clippy::too_many_arguments)]
    fn write_history(
        &self,
        code: &str,
        at: NaiveDateTime,
        by: &griddesk_core::users::Session,
        action: &str,
        before: Option<&ComponentRecord>,
        after: Option<&ComponentRecord>,
        note: Option<&str>,
    ) -> Result<()>;
}
