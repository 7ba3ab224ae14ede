//! The components register: 16-digit codes (next free sequence per district and minor class,
//! SPEC §2.2), creating, editing and moving components, each change recorded in
//! `component_history` with the record before and after.

use crate::code::{ClassCode, ComponentCode, DistrictCode};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::message::{Message, MessageCode as C};
use crate::model::{Component, ComponentState};
use crate::store::{format_datetime, parse_datetime, Writer};
use crate::users::{Role, Session};
use crate::workflow::apply::authorise;
use crate::workflow::engine_api::IndexEdit;
use crate::workflow::Refusal;
use chrono::NaiveDateTime;
use geo_types::Point;
use rusqlite::{params, Connection};
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
            owner: c.owner.clone(),
            maintainer: c.maintainer.clone(),
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

fn intact() -> ComponentState {
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
}

/// One entry of a component's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ComponentChange {
    pub seq: i64,
    pub code: String,
    pub at: NaiveDateTime,
    pub actor: String,
    /// `create`, `edit`, `move`, `state` (a state change) or a combination joined by `+`.
    pub action: String,
    pub before: Option<ComponentRecord>,
    pub after: Option<ComponentRecord>,
    pub note: Option<String>,
}

fn refused(code: &str, r: Refusal) -> Error {
    Error::Refused {
        case: format!("component {code}"),
        refusal: r,
    }
}

fn check_editor(desk: &crate::workflow::Desk, by: &Session, code: &str) -> Result<()> {
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

/// The next free code for a district and minor class, from the store.
fn next_code(conn: &Connection, district: DistrictCode, class: ClassCode) -> Result<ComponentCode> {
    let prefix = format!("{district}{class}");
    let last: Option<String> = conn.query_row(
        "SELECT max(code) FROM component WHERE code >= ?1 AND code <= ?2",
        params![format!("{prefix}000000"), format!("{prefix}999999")],
        |r| r.get(0),
    )?;
    let n = last
        .as_deref()
        .and_then(|c| c.get(10..))
        .and_then(|s| s.parse::<u32>().ok())
        .unwrap_or(0);
    if n >= 999_999 {
        return Err(Error::Invalid(
            Message::new(C::ComponentCodesExhausted)
                .text("district", district)
                .text("class", class)
                .en(format!(
                    "no free component codes left for {district} class {class}"
                )),
        ));
    }
    ComponentCode::from_parts(district, class.as_str(), n + 1)
}

#[allow(clippy::too_many_arguments)]
fn write_history(
    tx: &Connection,
    code: &str,
    at: NaiveDateTime,
    actor: &str,
    action: &str,
    before: Option<&ComponentRecord>,
    after: Option<&ComponentRecord>,
    note: Option<&str>,
) -> Result<()> {
    let j = |r: Option<&ComponentRecord>| -> Result<Option<String>> {
        r.map(|r| serde_json::to_string(r).map_err(|e| Error::Internal(e.to_string())))
            .transpose()
    };
    tx.execute(
        "INSERT INTO component_history (code, at, actor, action, before, after, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            code,
            format_datetime(&at),
            actor,
            action,
            j(before)?,
            j(after)?,
            note
        ],
    )?;
    Ok(())
}

fn valid_point(p: [f64; 2]) -> bool {
    p[0].is_finite()
        && p[1].is_finite()
        && (-180.0..=180.0).contains(&p[0])
        && (-90.0..=90.0).contains(&p[1])
}

impl Engine {
    /// The next free 16-digit code for a minor class in this district.
    pub fn next_component_code(&self, class_code: &str) -> Result<ComponentCode> {
        let class = ClassCode::parse(class_code)?;
        let district = self
            .loaded()
            .index
            .district
            .as_ref()
            .map(|d| d.code)
            .ok_or_else(|| {
                Error::Invalid(
                    Message::new(C::NoDistrict).en("the store has no district: import one first"),
                )
            })?;
        next_code(self.store().conn(), district, class)
    }

    /// Registers a component (administrators and inspectors); returns it with its code and grid.
    pub fn create_component(
        &self,
        by: &Session,
        c: &NewComponent,
        at: NaiveDateTime,
    ) -> Result<ComponentRecord> {
        self.with_desk(|store, desk, index| {
            check_editor(desk, by, c.code.as_deref().unwrap_or("(new)"))?;
            let class = ClassCode::parse(&c.class_code)?;
            let Some(entry) = index.code_tables.components.get(class.as_str()) else {
                return Err(Error::Invalid(Message::new(C::ClassNotInTable).text("class", class).term("kind", crate::model::CaseKind::Component).en(format!(
                    "component class {class} is not in the component code table"
                ))));
            };
            if !valid_point(c.location) {
                return Err(Error::Invalid(Message::new(C::NotLonLat).en("component location is not a longitude/latitude")));
            }
            let district = index
                .district
                .as_ref()
                .map(|d| d.code)
                .ok_or_else(|| Error::Invalid(Message::new(C::NoDistrict).en("the store has no district: import one first")))?;
            let grid = index.grid_at(c.location[0], c.location[1]).map(|i| index.grids[i].code);
            let (comp, rec) = store.transaction(|tx| {
                let code = match c.code.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                    Some(k) => {
                        let k = ComponentCode::parse(k)?;
                        if k.class_code() != class || k.district() != district {
                            return Err(Error::Invalid(Message::new(C::ComponentCodeMismatch).text("code", k).text("district", district).text("class", class).en(format!(
                                "component code {k} does not belong to district {district} and class {class}"
                            ))));
                        }
                        k
                    }
                    None => next_code(tx, district, class)?,
                };
                let comp = Component {
                    code,
                    class_code: class,
                    owner: c.owner.clone(),
                    maintainer: c.maintainer.clone(),
                    state: c.state,
                    location: Point::new(c.location[0], c.location[1]),
                    grid,
                    sample: false,
                };
                Writer::on(tx).insert_component(&comp)?;
                let rec = ComponentRecord::of(&comp, Some(entry.name.clone()));
                write_history(tx, code.as_str(), at, &by.login, "create", None, Some(&rec), c.note.as_deref())?;
                Ok((comp, rec))
            })?;
            Ok((rec, vec![IndexEdit::Component(comp)]))
        })
    }

    /// Edits or moves a component (administrators and inspectors); the change is recorded.
    pub fn edit_component(
        &self,
        by: &Session,
        code: &str,
        edit: &ComponentEdit,
        at: NaiveDateTime,
    ) -> Result<ComponentRecord> {
        self.with_desk(|store, desk, index| {
            check_editor(desk, by, code)?;
            let cc = ComponentCode::parse(code)?;
            let old = index
                .components
                .iter()
                .find(|c| c.code == cc)
                .cloned()
                .ok_or_else(|| Error::NotFound {
                    what: "component",
                    key: code.to_string(),
                })?;
            let mut new = old.clone();
            let mut what: Vec<&str> = Vec::new();
            let text = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
            if let Some(o) = &edit.owner {
                new.owner = text(o);
            }
            if let Some(m) = &edit.maintainer {
                new.maintainer = text(m);
            }
            if new.owner != old.owner || new.maintainer != old.maintainer {
                what.push("edit");
            }
            if let Some(s) = edit.state {
                new.state = s;
                if s != old.state {
                    what.push("state");
                }
            }
            if let Some(p) = edit.location {
                if !valid_point(p) {
                    return Err(Error::Invalid(Message::new(C::NotLonLat).en("component location is not a longitude/latitude")));
                }
                new.location = Point::new(p[0], p[1]);
                new.grid = index.grid_at(p[0], p[1]).map(|i| index.grids[i].code);
                if new.location != old.location {
                    what.push("move");
                }
            }
            let name = index
                .code_tables
                .components
                .get(old.class_code.as_str())
                .map(|e| e.name.clone());
            let before = ComponentRecord::of(&old, name.clone());
            let after = ComponentRecord::of(&new, name);
            if what.is_empty() {
                return Ok((after, vec![]));
            }
            store.transaction(|tx| {
                let geom = crate::store::wkb_io::to_wkb(&geo_types::Geometry::Point(new.location))?;
                tx.execute(
                    "UPDATE component SET owner = ?2, maintainer = ?3, state = ?4, geom = ?5, grid = ?6 WHERE code = ?1",
                    params![
                        code,
                        new.owner,
                        new.maintainer,
                        new.state.key(),
                        geom,
                        new.grid.map(|g| g.to_string())
                    ],
                )?;
                write_history(tx, code, at, &by.login, &what.join("+"), Some(&before), Some(&after), edit.note.as_deref())
            })?;
            Ok((after, vec![IndexEdit::Component(new)]))
        })
    }

    /// The recorded changes of a component, oldest first.
    pub fn component_history(&self, code: &str) -> Result<Vec<ComponentChange>> {
        let store = self.store();
        let mut st = store.conn().prepare(
            "SELECT seq, code, at, actor, action, before, after, note FROM component_history
             WHERE code = ?1 ORDER BY seq",
        )?;
        let mut rows = st.query([code.trim()])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let j = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
            out.push(ComponentChange {
                seq: r.get(0)?,
                code: r.get(1)?,
                at: parse_datetime(&r.get::<_, String>(2)?)?,
                actor: r.get(3)?,
                action: r.get(4)?,
                before: j(r.get(5)?),
                after: j(r.get(6)?),
                note: r.get(7)?,
            });
        }
        Ok(out)
    }

    /// One component as the UI shows it.
    pub fn component(&self, code: &str) -> Result<ComponentRecord> {
        let cc = ComponentCode::parse(code)?;
        let l = self.loaded();
        let c = l
            .index
            .components
            .iter()
            .find(|c| c.code == cc)
            .ok_or_else(|| Error::NotFound {
                what: "component",
                key: code.to_string(),
            })?;
        Ok(ComponentRecord::of(
            c,
            l.index
                .code_tables
                .components
                .get(c.class_code.as_str())
                .map(|e| e.name.clone()),
        ))
    }
}
