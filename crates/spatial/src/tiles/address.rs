//! Tile addresses and Web Mercator (EPSG:3857) XYZ tile math on lon/lat input.
//!
//! The world is the unit square `[0, 1]²` ("world coordinates", x east, y **south**); at zoom `z`
//! it is cut into `2^z × 2^z` tiles, each with an integer grid of [`EXTENT`] units per side.

use crate::error::{Error, Result};
use geo_types::{coord, Rect};
use std::f64::consts::PI;

/// Highest zoom served.
pub const MAX_ZOOM: u32 = 22;
/// Units per tile side (MVT `extent`).
pub const EXTENT: u32 = 4096;
/// Geometry kept outside the tile on each side, in tile units, so that fills and strokes join
/// seamlessly across tile borders.
pub const BUFFER: u32 = 64;
/// Web Mercator latitude limit: the world square's top and bottom edges.
pub const MAX_LAT: f64 = 85.051_128_779_806_59;

/// A checked `z/x/y` tile address (XYZ scheme: `y = 0` is the northernmost row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileAddress {
    /// Zoom level, `0..=MAX_ZOOM`.
    pub z: u32,
    /// Column, `0..2^z`, west to east.
    pub x: u32,
    /// Row, `0..2^z`, north to south.
    pub y: u32,
}

impl TileAddress {
    /// Checks an address: `z <= 22` and `x, y < 2^z`, else [`Error::BadTile`].
    ///
    /// ```
    /// use griddesk_spatial::tiles::TileAddress;
    /// assert!(TileAddress::new(14, 13_710, 6_830).is_ok());
    /// assert!(TileAddress::new(1, 2, 0).is_err());
    /// ```
    pub fn new(z: u32, x: u32, y: u32) -> Result<Self> {
        let bad = |reason| Err(Error::BadTile { z, x, y, reason });
        if z > MAX_ZOOM {
            return bad("zoom above 22");
        }
        let n = 1u32 << z;
        if x >= n {
            return bad("x outside 0..2^z");
        }
        if y >= n {
            return bad("y outside 0..2^z");
        }
        Ok(Self { z, x, y })
    }

    /// The tile at zoom `z` containing a lon/lat point. Tiles are half-open (west and north edges
    /// included, east and south excluded), so every point lies in exactly one tile; latitudes
    /// beyond ±[`MAX_LAT`] and longitudes beyond ±180 fall in the edge tiles.
    pub fn containing(lon: f64, lat: f64, z: u32) -> Self {
        let z = z.min(MAX_ZOOM);
        let n = f64::from(1u32 << z);
        let last = (1u32 << z) - 1;
        // `as` saturates, so NaN and negatives become 0.
        let cell = |w: f64| ((w * n).floor() as u32).min(last);
        Self {
            z,
            x: cell(world_x(lon)),
            y: cell(world_y(lat)),
        }
    }

    /// Whether a lon/lat point lies in this tile (same rule as [`TileAddress::containing`]).
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        Self::containing(lon, lat, self.z) == *self
    }

    /// The tile's lon/lat bounds, grown by `units` tile units on every side.
    pub fn bounds(&self, units: f64) -> Rect<f64> {
        let n = f64::from(1u32 << self.z);
        let d = units / f64::from(EXTENT);
        let (x0, x1) = (
            (f64::from(self.x) - d) / n,
            (f64::from(self.x) + 1.0 + d) / n,
        );
        let (y0, y1) = (
            (f64::from(self.y) - d) / n,
            (f64::from(self.y) + 1.0 + d) / n,
        );
        Rect::new(
            coord! { x: world_x_to_lon(x0), y: world_y_to_lat(y1) },
            coord! { x: world_x_to_lon(x1), y: world_y_to_lat(y0) },
        )
    }

    /// The frame that maps lon/lat into this tile's integer coordinates.
    pub fn frame(&self) -> TileFrame {
        let scale = f64::from(1u32 << self.z) * f64::from(EXTENT);
        TileFrame {
            scale,
            ox: f64::from(self.x) * f64::from(EXTENT),
            oy: f64::from(self.y) * f64::from(EXTENT),
        }
    }
}

/// Longitude → world x in `[0, 1]` (not clamped).
pub fn world_x(lon: f64) -> f64 {
    (lon + 180.0) / 360.0
}

/// Latitude → world y in `[0, 1]` (north at 0), clamped to the Mercator limit.
pub fn world_y(lat: f64) -> f64 {
    let phi = lat.clamp(-MAX_LAT, MAX_LAT).to_radians();
    (1.0 - (phi.tan() + 1.0 / phi.cos()).ln() / PI) / 2.0
}

/// World x → longitude.
pub fn world_x_to_lon(x: f64) -> f64 {
    x * 360.0 - 180.0
}

/// World y → latitude.
pub fn world_y_to_lat(y: f64) -> f64 {
    (PI * (1.0 - 2.0 * y)).sinh().atan().to_degrees()
}

/// Maps lon/lat into one tile's coordinates, snapped to the tile's integer grid.
///
/// Snapping is done in *world pixel* space (`world × 2^z × EXTENT`, rounded) before the tile
/// offset is subtracted, so a vertex snaps to the same place in every polygon and in every tile
/// that contains it: shared edges stay shared.
#[derive(Debug, Clone, Copy)]
pub struct TileFrame {
    scale: f64,
    ox: f64,
    oy: f64,
}

impl TileFrame {
    /// Snapped tile coordinates of a lon/lat point, as integer-valued floats (they may lie far
    /// outside the tile: clipping comes after).
    pub fn snap(&self, lon: f64, lat: f64) -> [f64; 2] {
        [
            (world_x(lon) * self.scale).round() - self.ox,
            (world_y(lat) * self.scale).round() - self.oy,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_tiles() {
        // Huangyan, Taizhou (121.26 E, 28.64 N): tile ids computed independently (Python `math`) with the OSM
        // slippy-map formula x = floor((lon+180)/360·2^z), y = floor((1 − asinh(tan φ)/π)/2·2^z).
        assert_eq!(
            TileAddress::containing(121.26, 28.64, 10),
            TileAddress {
                z: 10,
                x: 856,
                y: 426
            }
        );
        assert_eq!(
            TileAddress::containing(121.26, 28.64, 14),
            TileAddress {
                z: 14,
                x: 13_710,
                y: 6_830
            }
        );
        // The null island is the corner of four tiles; it belongs to the south-east one.
        assert_eq!(
            TileAddress::containing(0.0, 0.0, 1),
            TileAddress { z: 1, x: 1, y: 1 }
        );
        assert_eq!(
            TileAddress::containing(-180.0, MAX_LAT, 5),
            TileAddress { z: 5, x: 0, y: 0 }
        );
        assert_eq!(
            TileAddress::containing(180.0, -90.0, 5),
            TileAddress { z: 5, x: 31, y: 31 }
        );
        assert_eq!(
            TileAddress::containing(0.0, 0.0, 0),
            TileAddress { z: 0, x: 0, y: 0 }
        );
    }

    #[test]
    fn world_round_trip_and_known_values() {
        assert!((world_y(0.0) - 0.5).abs() < 1e-15);
        assert!(world_y(MAX_LAT).abs() < 1e-12);
        assert!((world_y(-MAX_LAT) - 1.0).abs() < 1e-12);
        for lat in [-80.0, -28.64, 0.0, 28.64, 45.0, 85.0] {
            assert!((world_y_to_lat(world_y(lat)) - lat).abs() < 1e-10, "{lat}");
        }
        for lon in [-180.0, -12.5, 0.0, 121.26, 180.0] {
            assert!((world_x_to_lon(world_x(lon)) - lon).abs() < 1e-12, "{lon}");
        }
    }

    #[test]
    fn bounds_match_the_tile() {
        let t = TileAddress::new(14, 13_710, 6_830).unwrap_or_else(|e| panic!("{e}"));
        let b = t.bounds(0.0);
        // West edge: 13710 / 2^14 · 360 − 180.
        assert!((b.min().x - 121.2451172).abs() < 1e-6, "{:?}", b);
        // North edge is inside this tile, the south edge is the next row.
        assert!(t.contains(b.min().x, b.max().y));
        assert!(!t.contains(b.min().x, b.min().y));
        assert!(!t.contains(b.max().x, b.max().y));
        let grown = t.bounds(f64::from(BUFFER));
        assert!(grown.min().x < b.min().x && grown.max().y > b.max().y);
        // The frame puts the north-west corner at (0, 0) and the south-east at (4096, 4096).
        let f = t.frame();
        assert_eq!(f.snap(b.min().x, b.max().y), [0.0, 0.0]);
        assert_eq!(f.snap(b.max().x, b.min().y), [4096.0, 4096.0]);
    }

    #[test]
    fn bad_addresses_are_refused() {
        for (z, x, y, why) in [
            (23, 0, 0, "zoom above 22"),
            (0, 1, 0, "x outside 0..2^z"),
            (3, 0, 8, "y outside 0..2^z"),
            (22, 1 << 22, 0, "x outside 0..2^z"),
            (u32::MAX, 0, 0, "zoom above 22"),
        ] {
            match TileAddress::new(z, x, y) {
                Err(e @ Error::BadTile { reason, .. }) => {
                    assert_eq!(reason, why);
                    assert_eq!(e.kind(), crate::ErrorKind::BadTile);
                }
                other => panic!("{z}/{x}/{y}: {other:?}"),
            }
        }
        assert!(TileAddress::new(22, (1 << 22) - 1, (1 << 22) - 1).is_ok());
        assert!(TileAddress::new(0, 0, 0).is_ok());
    }
}
