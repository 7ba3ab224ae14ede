//! Applying change-sets, the edit history, undo/redo and grids as of a past date.
//!
//! Every applied edit is one transaction that writes the grid rows, community outlines,
//! component and case assignments and duty-grid memberships it changes, together with a
//! snapshot of each of those rows **before and after** (`plan_row`), the edit itself
//! (`plan_edit`: who, when, operation, parameters, note) and an event (`plan_event`). Grid
//! lineage (`plan_lineage`) links every new grid to the grids it was made from.
//!
//! **Undo/redo** is snapshot-based and persisted, so it survives restarting the app. Undo takes
//! the most recent applied edit and restores its "before" rows; redo takes the most recently
//! undone edit and restores its "after" rows. Edits are undone strictly in reverse order — an
//! earlier edit is undone only after every later one, so no edit is ever undone from under an
//! edit that depends on it. Before restoring, every row is compared with the snapshot it must
//! equal; if anything changed it outside planning (an import, say), the undo or redo is refused
//! and nothing is written. A new edit discards the redo stack.
//!
//! **Grids as of a date** replay the events after that day backwards over the current rows.

use super::change::{ChangeSet, Edit};
use super::relocate::Relocations;
use crate::code::GridCode;
use crate::error::{Error, Result};
use crate::index::SpatialIndex;
use crate::io::wkb_io;
use crate::model::Grid;
use chrono::{NaiveDate, NaiveDateTime};
use geo_types::{Geometry, Polygon};
use griddesk_core::dates::{parse_date, parse_datetime};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Who makes an edit, when, and why.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EditMeta {
    pub author: String,
    pub note: Option<String>,
    /// When the edit happens; now (local time) by default. Retirement and start dates are its
    /// date.
    pub at: Option<NaiveDateTime>,
}

impl EditMeta {
    /// An edit by `author` now.
    pub fn by(author: &str) -> Self {
        Self {
            author: author.to_string(),
            ..Self::default()
        }
    }
    /// An edit now by a signed-in user, who must be a planner (网格规划员) or an administrator.
    pub fn by_user(session: &crate::users::Session) -> crate::error::Result<Self> {
        use crate::users::Role;
        if !matches!(session.role, Role::Planner | Role::Admin) {
            return Err(crate::error::Error::NotPermitted {
                login: session.login.clone(),
                role: session.role,
                what: crate::error::Permission::EditPlanning,
            });
        }
        Ok(Self::by(&format!("{} {}", session.login, session.name)))
    }

    pub fn time(&self) -> NaiveDateTime {
        use chrono::Timelike;
        let t = self
            .at
            .unwrap_or_else(|| chrono::Local::now().naive_local());
        t.with_nanosecond(0).unwrap_or(t)
    }
}

/// State of an edit in the undo stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum EditState {
    /// In force.
    Applied,
    /// Undone; can be redone.
    Undone,
    /// Undone and then superseded by a new edit; can no longer be redone.
    Discarded,
}

impl EditState {
    fn parse(s: &str) -> Result<Self> {
        match s {
            "applied" => Ok(EditState::Applied),
            "undone" => Ok(EditState::Undone),
            "discarded" => Ok(EditState::Discarded),
            _ => Err(Error::Internal(format!("edit state `{s}`"))),
        }
    }
}

/// What an edit did, in grid codes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EditEffect {
    pub retired: Vec<GridCode>,
    pub created: Vec<GridCode>,
    pub modified: Vec<GridCode>,
    pub renamed: Vec<(GridCode, GridCode)>,
    /// Community outlines that gained vertices.
    pub communities: Vec<String>,
    pub relocated_components: usize,
    pub relocated_cases: usize,
}

/// One entry of the edit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EditSummary {
    pub id: i64,
    pub at: String,
    pub author: String,
    pub operation: String,
    pub note: Option<String>,
    pub community: String,
    pub state: EditState,
    pub effect: EditEffect,
    /// The request (operation parameters) as JSON.
    pub params: serde_json::Value,
}

/// A snapshot of one stored row (grid, community outline, component or case assignment, duty
/// membership); `data` `None` = no such row.
#[derive(Debug, Clone, PartialEq)]
pub struct RowSnap {
    pub kind: &'static str,
    pub key: String,
    pub data: Option<String>,
    pub geom: Option<Vec<u8>>,
}

pub const KINDS: [&str; 7] = [
    "grid",
    "community",
    "street",
    "component",
    "case",
    "duty_member",
    "zone_member",
];

pub fn kind_of(s: &str) -> Result<&'static str> {
    KINDS
        .iter()
        .find(|k| **k == s)
        .copied()
        .ok_or_else(|| Error::Internal(format!("snapshot kind `{s}`")))
}

pub fn split_member(key: &str) -> Result<(&str, &str)> {
    key.split_once('|')
        .ok_or_else(|| Error::Internal(format!("duty membership key `{key}`")))
}

pub fn wkb(p: &Polygon<f64>) -> Result<Vec<u8>> {
    wkb_io::to_wkb(&Geometry::Polygon(p.clone()))
}

/// The rows a change-set writes, by kind and key.
pub fn keys_of(
    idx: &SpatialIndex,
    cs: &ChangeSet,
    rel: &Relocations,
) -> Vec<(&'static str, String)> {
    let mut k: BTreeSet<(&'static str, String)> = BTreeSet::new();
    for code in cs.touched() {
        k.insert(("grid", code.to_string()));
        if let Some(d) = idx.duty_grid_of(&code) {
            k.insert(("duty_member", format!("{}|{code}", d.code)));
        }
    }
    for g in &cs.create {
        k.insert(("grid", g.code.to_string()));
        if let Some(d) = g.predecessors.first().and_then(|p| idx.duty_grid_of(p)) {
            k.insert(("duty_member", format!("{}|{}", d.code, g.code)));
        }
    }
    for r in &cs.rename {
        k.insert(("grid", r.to.to_string()));
        if let Some(d) = idx.duty_grid_of(&r.from) {
            k.insert(("duty_member", format!("{}|{}", d.code, r.to)));
        }
    }
    for c in &cs.communities {
        k.insert(("community", c.code.to_string()));
    }
    for c in &cs.streets {
        k.insert(("street", c.code.to_string()));
    }
    for (c, _, _) in &rel.components {
        k.insert(("component", c.to_string()));
    }
    for (id, _, _) in &rel.cases {
        k.insert(("case", id.clone()));
    }
    k.into_iter().collect()
}

pub fn effect_of(cs: &ChangeSet, rel: &Relocations) -> EditEffect {
    EditEffect {
        retired: cs.retire.iter().map(|g| g.code).collect(),
        created: cs.create.iter().map(|g| g.code).collect(),
        modified: cs.modify.iter().map(|g| g.code).collect(),
        renamed: cs.rename.iter().map(|r| (r.from, r.to)).collect(),
        communities: cs.communities.iter().map(|c| c.code.to_string()).collect(),
        relocated_components: rel.components.len(),
        relocated_cases: rel.cases.len(),
    }
}

/// The result of applying, undoing or redoing an edit: the log entry and the rows as they are
/// now (for refreshing the in-memory index).
#[derive(Debug)]
pub struct Written {
    pub summary: EditSummary,
    pub rows: Vec<RowSnap>,
}

pub type SummaryRow = (i64, [String; 5], Option<String>, String, String);

pub const SUMMARY_COLS: &str = "id, at, author, operation, community, params, note, summary, state";

pub fn to_summary(
    (id, [at, author, operation, community, params], note, summary, state): SummaryRow,
) -> Result<EditSummary> {
    let bad = |e: serde_json::Error| Error::Internal(format!("edit #{id}: {e}"));
    Ok(EditSummary {
        id,
        at,
        author,
        operation,
        note,
        community,
        state: EditState::parse(&state)?,
        effect: serde_json::from_str(&summary).map_err(bad)?,
        params: serde_json::from_str(&params).map_err(bad)?,
    })
}

/// A grid row decoded from a snapshot.
pub fn grid_of(code: &str, data: &str, geom: &[u8]) -> Result<Grid> {
    let v: serde_json::Value = serde_json::from_str(data)
        .map_err(|e| Error::Internal(format!("snapshot of grid {code}: {e}")))?;
    let s = |k: &str| v[k].as_str().map(str::to_string);
    Ok(Grid {
        code: GridCode::parse(code)?,
        name: s("name").unwrap_or_default(),
        polygon: wkb_io::polygon(geom)?,
        area_m2: v["area_m2"].as_f64().unwrap_or(0.0),
        land_use: s("land_use"),
        level: s("level"),
        start_date: parse_date(v["start_date"].as_str().unwrap_or_default())?,
        end_date: v["end_date"].as_str().map(parse_date).transpose()?,
        sample: v["sample"].as_bool().unwrap_or(false),
    })
}

/// One version of a grid in its history.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GridVersion {
    pub code: GridCode,
    /// The grid before the edit (`None`: it did not exist yet).
    #[serde(with = "opt_poly")]
    #[cfg_attr(feature = "ts", ts(type = "import(\"geojson\").Polygon | null"))]
    pub before: Option<Polygon<f64>>,
    /// The grid after the edit (`None`: removed, e.g. renamed away).
    #[serde(with = "opt_poly")]
    #[cfg_attr(feature = "ts", ts(type = "import(\"geojson\").Polygon | null"))]
    pub after: Option<Polygon<f64>>,
    pub end_date_after: Option<String>,
}

/// An optional polygon as a GeoJSON geometry object or `null`.
mod opt_poly {
    use geo_types::{Geometry, Polygon};

    pub fn serialize<S: serde::Serializer>(
        p: &Option<Polygon<f64>>,
        s: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        use serde::Serialize as _;
        p.as_ref()
            .map(|p| geojson::Geometry::from(&Geometry::Polygon(p.clone())))
            .serialize(s)
    }
}

/// One edit in a grid's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HistoryEntry {
    pub edit: EditSummary,
    /// The versions of the grids of the lineage this edit touched.
    pub grids: Vec<GridVersion>,
}

/// A link of grid lineage: `successor` was made from `predecessor` by `edit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LineageLink {
    pub edit: i64,
    pub predecessor: String,
    pub successor: String,
}

/// The history of a grid: its lineage (predecessors and successors, transitively) and every
/// edit that touched any grid of it, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GridHistory {
    pub code: GridCode,
    /// Every grid of the lineage, the asked one included.
    pub lineage_codes: Vec<String>,
    pub lineage: Vec<LineageLink>,
    pub edits: Vec<HistoryEntry>,
}

/// Parses an edit's stored request.
pub fn edit_request(s: &EditSummary) -> Option<Edit> {
    serde_json::from_value(s.params.clone()).ok()
}

/// A stored time as a date-time (for callers comparing edit times).
pub fn edit_time(s: &EditSummary) -> Result<NaiveDateTime> {
    parse_datetime(&s.at)
}

/// What this module keeps in the store: implemented by each backend (`griddesk-store-sqlite`).
pub trait HistoryRows {
    fn read_row(&self, kind: &'static str, key: &str) -> Result<RowSnap>;
    fn write_row(&self, s: &RowSnap) -> Result<()>;
    fn snapshots(&self, edit: i64, side: &str) -> Result<Vec<RowSnap>>;
    fn edit_summary(&self, id: i64) -> Result<EditSummary>;
}

/// What this module keeps in the store, as whole transactions: implemented by each backend.
pub trait PlanHistory {
    /// Applies a checked change-set in one transaction and records it. `params` is the request.
    fn apply(
        &mut self,
        idx: &SpatialIndex,
        cs: &ChangeSet,
        rel: &Relocations,
        params: &serde_json::Value,
        meta: &EditMeta,
    ) -> Result<Written>;
    /// Undoes (`undo = true`) the most recent applied edit, or redoes the most recently undone one.
    fn undo_redo(&mut self, undo: bool, meta: &EditMeta) -> Result<Written>;
    /// The edit log, newest first.
    fn log(&self, limit: usize) -> Result<Vec<EditSummary>>;
    /// The history of a grid (see [`GridHistory`]).
    fn grid_history(&self, code: GridCode) -> Result<GridHistory>;
    /// The grids in force at the end of `date`: the events after that day are replayed backwards
    /// over the current grid rows, then grids are kept whose start date is on or before `date` and
    /// whose end date (if any) is after it.
    fn grids_as_of(&self, current: &[Grid], date: NaiveDate) -> Result<Vec<Grid>>;
}

#[cfg(test)]
mod tests {
    use super::EditMeta;
    use crate::users::{Role, Session};

    fn who(role: Role) -> Session {
        Session {
            login: "u".into(),
            name: "某人".into(),
            role,
            department: None,
        }
    }

    #[test]
    fn only_planners_and_admins_edit() {
        assert_eq!(
            EditMeta::by_user(&who(Role::Planner))
                .map(|m| m.author)
                .ok(),
            Some("u 某人".to_string())
        );
        assert!(EditMeta::by_user(&who(Role::Admin)).is_ok());
        for role in [
            Role::Inspector,
            Role::Dispatcher,
            Role::Leader,
            Role::Department,
        ] {
            let e = EditMeta::by_user(&who(role)).err();
            assert_eq!(
                e.map(|e| e.kind()),
                Some(crate::ErrorKind::NotPermitted),
                "{role:?}"
            );
        }
    }
}
