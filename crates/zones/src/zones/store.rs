//! The zone tables (migration 0004) read and written inside the caller's transaction.
//!
//! The duty-grid layer lives in the foundation tables (`duty_grid`, `duty_grid_member`); every
//! function here hides that: a zone of layer [`DUTY_LAYER`] is a duty grid.

use super::model::*;
use crate::code::GridCode;
use crate::error::{Error, Result};
use crate::message::{Message, MessageCode as C};
use geo_types::LineString;
use std::collections::BTreeMap;

/// Everything in the zone tables.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ZoneData {
    pub units: Vec<OrgUnit>,
    pub people: Vec<Person>,
    /// Layers by display order, then code.
    pub layers: Vec<ZoneLayer>,
    /// Zones by layer, then code.
    pub zones: Vec<Zone>,
    /// The inspector named in each duty grid (`duty_grid.inspector`), by duty-grid code.
    pub duty_inspectors: BTreeMap<String, String>,
    pub roads: Vec<RoadLine>,
}

pub fn bad(what: &str, key: &str, msg: impl std::fmt::Display) -> Error {
    Error::Internal(format!("stored {what} `{key}`: {msg}"))
}

pub fn empty_to_none(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

pub fn found(n: usize, what: &'static str, key: &str) -> Result<()> {
    if n == 0 {
        Err(Error::NotFound {
            what,
            key: key.to_string(),
        })
    } else {
        Ok(())
    }
}

/// What to do with a grid that already belongs to another zone of the layer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnConflict {
    /// Refuse the whole edit, naming the zone that has the grid.
    #[default]
    Refuse,
    /// Take the grid out of its zone and into the new one.
    Move,
}

/// What an assignment did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AssignReport {
    /// Grids added to the zone.
    pub added: Vec<String>,
    /// Grids moved from another zone: `(grid, previous zone)`.
    pub moved: Vec<(String, String)>,
    /// Grids that were in the zone already.
    pub unchanged: Vec<String>,
}

/// A validated road line: at least two distinct points, lon/lat in range.
pub fn check_line(code: &str, line: &LineString<f64>) -> Result<()> {
    for c in &line.0 {
        crate::io::check_lon_lat(c.x, c.y)
            .map_err(|m| Error::Invalid(m.prefixed(format!("road line `{code}`: "))))?;
    }
    let distinct = line.0.windows(2).any(|w| w[0] != w[1]);
    if line.0.len() < 2 || !distinct {
        return Err(Error::Invalid(
            Message::new(C::RoadLineTooShort)
                .text("code", code)
                .en(format!(
                    "road line `{code}` needs at least two distinct points"
                )),
        ));
    }
    Ok(())
}

/// What this module keeps in the store: implemented by each backend (`griddesk-store-sqlite`).
pub trait ZoneStore {
    /// Reads every zone table.
    fn load(&self) -> Result<ZoneData>;
    /// Inserts or replaces a unit.
    fn put_unit(&self, u: &OrgUnit) -> Result<()>;
    /// Deletes a unit; refused while people, zones, lines or units refer to it.
    fn delete_unit(&self, code: &str) -> Result<()>;
    /// Inserts or replaces a person; the inspector name of the duty grids they lead follows.
    fn put_person(&self, p: &Person) -> Result<()>;
    /// Deletes a person; refused while a zone or road line names them.
    fn delete_person(&self, id: &str) -> Result<()>;
    /// Inserts or updates a layer. The duty layer keeps its kind and network.
    fn put_layer(&self, l: &ZoneLayer) -> Result<()>;
    /// Deletes a layer with its zones (not the duty layer).
    fn delete_layer(&self, code: &str) -> Result<()>;
    fn layer_exists(&self, layer: &str) -> Result<()>;
    /// Whether a zone exists.
    fn zone_exists(&self, layer: &str, code: &str) -> Result<bool>;
    /// Inserts or updates a zone's name, unit and people (members are untouched; see [`assign`]).
    fn put_zone(
        &self,
        layer: &str,
        code: &str,
        name: &str,
        unit: Option<&str>,
        people: &[String],
    ) -> Result<()>;
    /// Deletes a zone (its grids become free in that layer).
    fn delete_zone(&self, layer: &str, code: &str) -> Result<()>;
    /// The zone of `layer` a grid belongs to.
    fn zone_of(&self, layer: &str, grid: &GridCode) -> Result<Option<String>>;
    /// Adds grids to a zone (which must exist). The caller has checked that the grids exist and are
    /// active.
    fn assign(
        &self,
        layer: &str,
        zone: &str,
        grids: &[GridCode],
        on_conflict: OnConflict,
    ) -> Result<AssignReport>;
    fn remove_member(&self, layer: &str, g: &GridCode) -> Result<usize>;
    /// Takes grids out of whatever zone of `layer` holds them; returns how many were in one.
    fn unassign(&self, layer: &str, grids: &[GridCode]) -> Result<usize>;
    /// Inserts or replaces a road line.
    fn put_road(&self, r: &RoadLine) -> Result<()>;
    /// Deletes a road line.
    fn delete_road(&self, code: &str) -> Result<()>;
    /// Writes a generated sample's zone records (inside the caller's transaction).
    fn write_sample(&self, z: &super::SampleZones) -> Result<()>;
    /// Sets the unit and people of an existing duty grid (its name and members stay).
    fn link_duty(&self, code: &str, unit: Option<&str>, people: &[String]) -> Result<()>;
}
