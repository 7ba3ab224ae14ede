//! The zone part of a sample folder (`resources/sample/`): `zones.json` with units, people,
//! layers and the people of each duty grid, one GeoJSON file per layer (zones with their
//! member grids) and `road_lines.geojson`. Written by [`Engine::write_zone_files`], read by
//! [`Engine::load_zone_files`] (from [`Engine::load_sample`]).

use super::model::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The `zones` entry of a sample manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZoneFiles {
    /// Units, people, layers and duty-grid people ([`ZoneRecords`]), JSON.
    pub records: String,
    /// `(layer, GeoJSON file)` for every layer but the duty grids.
    pub layers: Vec<(String, String)>,
    /// Road lines, GeoJSON.
    pub road_lines: String,
}

/// Units, people and layers of a district, as stored in `zones.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ZoneRecords {
    pub units: Vec<OrgUnit>,
    pub people: Vec<Person>,
    /// Layers besides the duty grids.
    pub layers: Vec<ZoneLayer>,
    /// Unit and people (ids, lead first) of each duty grid, by duty-grid code.
    pub duty: BTreeMap<String, (Option<String>, Vec<String>)>,
}
