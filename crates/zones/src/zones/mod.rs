//! Responsibility zones (责任体系, SPEC §1.3, §4.2, §7): who answers for each place.
//!
//! * **Units and people** are records: departments and squadrons ([`OrgUnit`]), people with a
//!   role, phone and unit ([`Person`]).
//! * **Zone layers** divide the district over the same unit grids, each in the management
//!   (城管网格) or the enforcement (执法网格) network — the two-network overlay (两网融合): duty
//!   grids (责任网格, the built-in layer `duty`, stored in the foundation `duty_grid` tables),
//!   sectors (片区), squadron areas (中队辖区), enforcement grids (执法网格) and any custom layer.
//! * A **zone** is a set of unit grids with a responsible unit and people; within one layer a
//!   grid belongs to at most one zone (the store's key enforces it). Its outline is the exact
//!   union of its grids ([`union_of_tiles`]), computed once and cached.
//! * **Road lines** (线条) are streets, roads and lanes with their chief (街长/路长/巷长).
//! * [`ZoneIndex::who_is_here`] answers at a point: grid, community, street, every layer's zone,
//!   unit and people, and the road lines within 30 m — from memory, in microseconds.
//!
//! Every edit through the [`crate::Engine`] methods is one transaction.

pub mod exchange;
pub mod files;
pub mod index;
pub mod model;
pub mod store;
pub mod tiles;
pub mod union;

pub use files::{ZoneFiles, ZoneRecords};
pub use index::{
    LayerAnswer, Named, PersonRef, Responsibility, RoadAnswer, UnitRef, ZoneIndex, ZoneSummary,
    ZONE_COLOURS,
};
pub use model::*;
pub use store::{AssignReport, OnConflict, ZoneData, ZoneStore};
pub use tiles::{encode_zone_tile, ROAD_LINES_MIN_ZOOM, ZONES_MIN_ZOOM};
pub use union::union_of_tiles;

use crate::error::Result;
use griddesk_spatial::Loaded;
use std::sync::Arc;

/// Reads the zone tables of a store and builds their index over `loaded`.
pub fn build_index(store: &dyn ZoneStore, loaded: Arc<Loaded>) -> Result<ZoneIndex> {
    Ok(ZoneIndex::build(loaded, store.load()?))
}
