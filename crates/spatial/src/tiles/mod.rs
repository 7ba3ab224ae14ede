//! Mapbox Vector Tiles (MVT 2.1, uncompressed) for the map, straight from the [`SpatialIndex`].
//!
//! Standard XYZ Web Mercator tiling of lon/lat data, extent [`EXTENT`] = 4096, with a
//! [`BUFFER`] of 64 units around each tile. Polygons are clipped to the buffered tile and
//! simplified by snapping to the zoom's pixel grid, identically in every polygon and tile, so
//! shared grid edges never open slivers (see `rings.rs` for why).
//!
//! # Layers
//! The names and attributes below are a contract with the UI (`ui/src/layers.ts`).
//!
//! | layer         | type    | zooms  | attributes                                                  |
//! |---------------|---------|--------|-------------------------------------------------------------|
//! | `district`    | polygon | all    | `code`, `name`                                              |
//! | `streets`     | polygon | ≥ 9    | `code`, `name`                                              |
//! | `communities` | polygon | ≥ 11   | `code`, `name`, `street`, `ci` (colour 0–7)                 |
//! | `grids`       | polygon | ≥ 13   | `code`, `seq` (`"007"`), `community`, `area` (m², int), `ci` |
//! | `components`  | point   | ≥ 16   | `code`, `class`, `major`, `state`                           |
//! | `cases`       | point   | ≥ 16   | `id`, `status`, `kind`, `class`, `source`                   |
//! | `case_counts` | point   | < 16   | `grid`, `count`, `open`                                     |
//! | `labels`      | point   | ≥ 9    | `kind` (`street`/`community`/`grid`), `name`, `code`, `seq` |
//!
//! The map asks for the layers in two parts ([`TilePart`]): everything but `labels`, and
//! `labels` alone. Labels cost the web view most of a tile's work (text shaping, CJK glyphs
//! drawn locally, collision), so with two sources the grids appear as soon as their polygons
//! are in and the names follow. [`encode_tile`] keeps all layers in one tile (CLI, exports).
//!
//! Colouring by a responsibility-zone layer uses a separate tile source with zone outlines,
//! labels and road lines: [`encode_zone_tile`] (see `zones.rs`).
//!
//! * Only active grids (no end date) are drawn. A grid's `ci` is its community's colour and is
//!   absent when the grid's community is not in the index.
//! * Polygon features carry their numeric code as the MVT feature id (for `feature-state`).
//! * **Points appear in exactly one tile**: the one containing them, tiles being half-open (see
//!   [`TileAddress::containing`]). There are no copies in the buffer, so counting features never
//!   counts one twice. This holds for components, cases, case counts and labels.
//! * `labels`: street labels from z9, community labels from z11, grid labels from z13, each at
//!   one interior point of its polygon (grids: [`SpatialIndex::grid_label_points`]; streets and
//!   communities: [`geo::InteriorPoint`] of the boundary). `seq` is the last three digits of the
//!   code (the grid sequence, community number or street number).
//! * `case_counts` (below z16, where single cases are not drawn): one point per active grid that
//!   has cases, at the grid's label point, with `count` and `open` from
//!   [`SpatialIndex::grid_counts`]. Cases that no active grid counts — no grid, an unknown grid
//!   or a retired grid — are not dropped: each tile adds one extra point with `grid = ""`
//!   counting those of them that lie in the tile, placed at their mean location. So at every
//!   zoom below 16 each case is counted in exactly one tile.

pub mod address;
pub mod layers;
pub mod rings;

#[cfg(test)]
mod decode;
#[cfg(test)]
mod tests;

pub use address::{
    world_x, world_x_to_lon, world_y, world_y_to_lat, TileAddress, BUFFER, EXTENT, MAX_LAT,
    MAX_ZOOM,
};

use crate::error::{Error, Result};
use crate::index::SpatialIndex;

/// First zoom of the `streets` layer and of street labels.
pub const STREETS_MIN_ZOOM: u32 = 9;
/// First zoom of the `communities` layer and of community labels.
pub const COMMUNITIES_MIN_ZOOM: u32 = 11;
/// First zoom of the `grids` layer and of grid labels.
pub const GRIDS_MIN_ZOOM: u32 = 13;
/// First zoom of the single-point `components` and `cases` layers; below it cases are
/// aggregated per grid in `case_counts` and components are not drawn. At z15 a unit grid is
/// about 20 px wide and a busy district puts thousands of components and a year's cases in
/// one tile: a carpet of dots that is slow to encode and to draw, and says less than the
/// per-grid counts do at that scale.
pub const POINTS_MIN_ZOOM: u32 = 16;

/// Encodes tile `z/x/y` as an uncompressed Mapbox Vector Tile (layers in the module docs).
///
/// Fails with [`Error::BadTile`] when `z > 22` or `x`/`y` is not below `2^z`. A tile with
/// nothing in it is a valid, empty tile.
///
/// ```
/// use griddesk_spatial::index::SpatialIndex;
/// let idx = SpatialIndex::default();
/// assert!(griddesk_spatial::tiles::encode_tile(&idx, 14, 13_710, 6_830).is_ok_and(|t| t.is_empty()));
/// assert!(griddesk_spatial::tiles::encode_tile(&idx, 23, 0, 0).is_err());
/// ```
pub fn encode_tile(idx: &SpatialIndex, z: u32, x: u32, y: u32) -> Result<Vec<u8>> {
    encode(idx, z, x, y, None)
}

/// Which layers of a tile to encode: see [`encode_tile_part`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TilePart {
    /// Every layer except `labels`: outlines, grids, points and case counts.
    Features,
    /// The `labels` layer alone (street, community and grid label points).
    Labels,
}

impl TilePart {
    /// Whether this part carries the layer named `layer`.
    pub fn has_layer(self, layer: &str) -> bool {
        (layer == "labels") == (self == TilePart::Labels)
    }
}

/// Encodes one part of tile `z/x/y`: the two parts together hold exactly the layers and
/// features of [`encode_tile`]. Errors as [`encode_tile`].
///
/// ```
/// use griddesk_spatial::index::SpatialIndex;
/// use griddesk_spatial::tiles::{encode_tile_part, TilePart};
/// let idx = SpatialIndex::default();
/// assert!(encode_tile_part(&idx, 14, 13_710, 6_830, TilePart::Labels).is_ok_and(|t| t.is_empty()));
/// assert!(encode_tile_part(&idx, 23, 0, 0, TilePart::Features).is_err());
/// ```
pub fn encode_tile_part(
    idx: &SpatialIndex,
    z: u32,
    x: u32,
    y: u32,
    part: TilePart,
) -> Result<Vec<u8>> {
    encode(idx, z, x, y, Some(part))
}

fn encode(idx: &SpatialIndex, z: u32, x: u32, y: u32, part: Option<TilePart>) -> Result<Vec<u8>> {
    let t = TileAddress::new(z, x, y)?;
    layers::build(idx, t, part)
        .and_then(|tile| tile.to_bytes())
        .map_err(|e| Error::Geometry(format!("encoding tile {z}/{x}/{y}: {e}")))
}
