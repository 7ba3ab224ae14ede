//! Zone tiles: a separate, small tile source for colouring the map by one zone layer
//! (`griddesk://zones/{layer}/{z}/{x}/{y}` in the shell), so the base tiles stay as they are.
//!
//! | layer         | type    | zooms  | attributes                                                |
//! |---------------|---------|--------|-----------------------------------------------------------|
//! | `zones`       | polygon | ≥ 10   | `layer`, `code`, `name`, `ci` (colour 0–7), `unit`, `person` |
//! | `zone_labels` | point   | ≥ 10   | `code`, `name`, `ci`                                      |
//! | `road_lines`  | line    | ≥ 13   | `code`, `name`, `class`, `chief`                          |
//!
//! * A zone's polygon is its exact outline (the union of its grids), clipped and snapped exactly
//!   like the grids of the base tiles, so zone edges lie on grid edges at every zoom.
//! * `ci` differs between neighbouring zones of the layer where eight colours allow
//!   ([`crate::zones::ZoneIndex::colour`]); `unit` is the responsible unit's name and `person`
//!   the lead person's name (absent when there is none).
//! * A zone's feature id is its position in the layer (by code) + 1: stable until the layer's
//!   zones change.
//! * Labels and road lines follow the base tiles' rules: a label point appears in the one tile
//!   containing it; lines are clipped to the buffered tile.

use crate::error::{Error, Result};
use crate::tiles::address::{TileAddress, BUFFER, EXTENT};
use crate::tiles::layers::{add_point, add_polygons, encode_line};
use crate::tiles::rings::Clipper;
use crate::zones::ZoneIndex;
use mvt::{Layer, Tile};

/// First zoom of the `zones` and `zone_labels` layers.
pub const ZONES_MIN_ZOOM: u32 = 10;
/// First zoom of the `road_lines` layer.
pub const ROAD_LINES_MIN_ZOOM: u32 = 13;

/// Encodes the zone tile z/x/y for `layer` (road lines are drawn whatever the layer; an
/// unknown layer gives road lines only).
pub fn encode_zone_tile(zi: &ZoneIndex, layer: &str, z: u32, x: u32, y: u32) -> Result<Vec<u8>> {
    let t = TileAddress::new(z, x, y)?;
    build(zi, layer, t)
        .and_then(|tile| tile.to_bytes())
        .map_err(|e| Error::Geometry(format!("encoding zone tile {z}/{x}/{y}: {e}")))
}

fn build(zi: &ZoneIndex, layer: &str, t: TileAddress) -> std::result::Result<Tile, mvt::Error> {
    let mut tile = Tile::new(EXTENT);
    let frame = t.frame();
    let mut clipper = Clipper::default();
    let mut zones_layer = tile.create_layer("zones");
    let mut labels = tile.create_layer("zone_labels");
    let layer_pos = zi.data.layers.iter().position(|l| l.code == layer);
    if let (true, Some(l)) = (t.z >= ZONES_MIN_ZOOM, layer_pos) {
        let idx = &zi.loaded().index;
        let buffered = t.bounds(f64::from(BUFFER));
        let mut zones: Vec<usize> = idx
            .grid_candidates(buffered)
            .filter(|&g| idx.grids[g].is_active())
            .filter_map(|g| zi.zone_of_grid(g, l))
            .collect();
        zones.sort_unstable();
        zones.dedup();
        let ids = zi.zones_of_layer(layer);
        for zone in zones {
            let z = &zi.data.zones[zone];
            let polys = clipper.multi_polygon(zi.union(zone), &frame);
            let ci = i64::from(zi.colour(zone));
            let unit = z
                .unit
                .as_deref()
                .and_then(|u| zi.unit(u))
                .map(|u| u.name.clone());
            let person = z
                .people
                .first()
                .and_then(|p| zi.person(p))
                .map(|p| p.name.clone());
            let id = ids
                .iter()
                .position(|&i| i as usize == zone)
                .map(|p| p as u64 + 1);
            zones_layer = add_polygons(zones_layer, &polys, id, |f| {
                f.add_tag_string("layer", layer);
                f.add_tag_string("code", &z.code);
                f.add_tag_string("name", &z.name);
                f.add_tag_int("ci", ci);
                if let Some(u) = &unit {
                    f.add_tag_string("unit", u);
                }
                if let Some(p) = &person {
                    f.add_tag_string("person", p);
                }
            })?;
            if let Some(p) = zi.label_point(zone).filter(|p| t.contains(p.x(), p.y())) {
                labels = add_point(labels, &frame, p, |f| {
                    f.add_tag_string("code", &z.code);
                    f.add_tag_string("name", &z.name);
                    f.add_tag_int("ci", ci);
                })?;
            }
        }
    }
    let roads = road_lines(zi, t, tile.create_layer("road_lines"))?;
    for layer in [zones_layer, labels, roads] {
        if layer.num_features() > 0 {
            tile.add_layer(layer)?;
        }
    }
    Ok(tile)
}

fn road_lines(
    zi: &ZoneIndex,
    t: TileAddress,
    mut layer: Layer,
) -> std::result::Result<Layer, mvt::Error> {
    if t.z < ROAD_LINES_MIN_ZOOM {
        return Ok(layer);
    }
    let frame = t.frame();
    let b = t.bounds(f64::from(BUFFER));
    for road in &zi.data.roads {
        let Some(r) = geo::BoundingRect::bounding_rect(&road.line) else {
            continue;
        };
        if r.max().x < b.min().x
            || r.min().x > b.max().x
            || r.max().y < b.min().y
            || r.min().y > b.max().y
        {
            continue;
        }
        let coords: Vec<[f64; 2]> = road.line.0.iter().map(|c| [c.x, c.y]).collect();
        let Some(geom) = encode_line(&frame, &coords)? else {
            continue;
        };
        let chief = road
            .chief
            .as_deref()
            .and_then(|p| zi.person(p))
            .map(|p| p.name.clone());
        let mut f = layer.into_feature(geom);
        f.add_tag_string("code", &road.code);
        f.add_tag_string("name", &road.name);
        f.add_tag_string("class", road.class.key());
        if let Some(c) = &chief {
            f.add_tag_string("chief", c);
        }
        layer = f.into_layer();
    }
    Ok(layer)
}

/// The test-only MVT decoder of the spatial crate, compiled into these tests too.
#[cfg(test)]
#[path = "../../../spatial/src/tiles/decode.rs"]
mod decode;

#[cfg(test)]
mod tests {
    use super::decode::{area2, decode, Kind};
    use super::*;
    use crate::code::GridCode;
    use crate::geodesy::{area_m2, LocalProjection};
    use crate::index::SpatialIndex;
    use crate::locate::GridLocator;
    use crate::model::Grid;
    use crate::model::Snapshot;
    use crate::zones::*;
    use geo_types::{Coord, LineString, Polygon};
    use griddesk_spatial::Loaded;
    use std::sync::Arc;

    const LON0: f64 = 121.26;
    const LAT0: f64 = 28.64;

    fn ll(x: f64, y: f64) -> Coord<f64> {
        let (lon, lat) = LocalProjection::new(LON0, LAT0).inverse(x, y);
        Coord { x: lon, y: lat }
    }

    /// A 4 × 2 block of 100 m grids (codes …001–…008, west→east then north→south) in two
    /// zones of layer `sector` (the west and east halves), and one road line along y = 0
    /// from x = −150 m to 550 m.
    fn zone_index() -> ZoneIndex {
        let mut grids = Vec::new();
        for (k, (i, j)) in (0..2)
            .rev()
            .flat_map(|j| (0..4).map(move |i| (i, j)))
            .enumerate()
        {
            let (x, y) = (f64::from(i) * 100.0, f64::from(j) * 100.0 - 100.0);
            let poly = Polygon::new(
                LineString::new(vec![
                    ll(x, y),
                    ll(x + 100.0, y),
                    ll(x + 100.0, y + 100.0),
                    ll(x, y + 100.0),
                    ll(x, y),
                ]),
                vec![],
            );
            grids.push(Grid {
                code: format!("331003001001{:03}", k + 1).parse().expect("code"),
                name: format!("网格{}", k + 1),
                area_m2: area_m2(&poly),
                polygon: poly,
                land_use: None,
                level: None,
                start_date: chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default(),
                end_date: None,
                sample: false,
            });
        }
        let codes: Vec<GridCode> = grids.iter().map(|g| g.code).collect();
        let index = SpatialIndex::build(Snapshot {
            grids,
            ..Default::default()
        });
        let locator = GridLocator::build(&index);
        let half = |west: bool| {
            let mut v: Vec<GridCode> = codes
                .iter()
                .enumerate()
                .filter(|(k, _)| (k % 4 < 2) == west)
                .map(|(_, c)| *c)
                .collect();
            v.sort();
            v
        };
        let data = ZoneData {
            units: vec![OrgUnit {
                code: "U1".into(),
                name: "城关中队".into(),
                kind: UnitKind::Squadron,
                parent: None,
                phone: None,
            }],
            people: vec![Person {
                id: "P1".into(),
                name: "王五".into(),
                role: Role::SectorChief,
                phone: None,
                unit: None,
            }],
            layers: vec![ZoneLayer {
                code: "sector".into(),
                name: "片区".into(),
                kind: LayerKind::Sector,
                network: Network::Management,
                order: 0,
            }],
            zones: vec![
                Zone {
                    layer: "sector".into(),
                    code: "W".into(),
                    name: "西片".into(),
                    unit: Some("U1".into()),
                    people: vec!["P1".into()],
                    grids: half(true),
                },
                Zone {
                    layer: "sector".into(),
                    code: "E".into(),
                    name: "东片".into(),
                    unit: None,
                    people: vec![],
                    grids: half(false),
                },
            ],
            duty_inspectors: Default::default(),
            roads: vec![RoadLine {
                code: "L1".into(),
                name: "劳动路".into(),
                class: RoadClass::Road,
                line: LineString::new(vec![ll(-150.0, 0.0), ll(550.0, 0.0)]),
                length_m: 700.0,
                chief: Some("P1".into()),
                unit: None,
            }],
        };
        ZoneIndex::build(Arc::new(Loaded::new(index, locator)), data)
    }

    fn tile_at(x: f64, y: f64, z: u32) -> TileAddress {
        let c = ll(x, y);
        TileAddress::containing(c.x, c.y, z)
    }

    #[test]
    fn zone_polygons_cover_exactly_their_grids_in_the_base_tile() {
        let zi = zone_index();
        for z in [14, 16, 18] {
            let mut zone_area = 0i64;
            let mut grid_area = 0i64;
            // Every tile the block touches.
            let (a, b) = (tile_at(-1.0, 101.0, z), tile_at(401.0, -101.0, z));
            for x in a.x..=b.x {
                for y in a.y..=b.y {
                    let zt = decode(&encode_zone_tile(&zi, "sector", z, x, y).expect("tile"));
                    let base = decode(
                        &crate::tiles::encode_tile(&zi.loaded().index, z, x, y).expect("tile"),
                    );
                    // Only what lies inside the tile itself counts (buffers overlap).
                    let inside = |ring: &Vec<[i32; 2]>| area2(&clip_to_tile(ring));
                    for f in zt.get("zones").into_iter().flatten() {
                        assert_eq!(f.kind, Kind::Polygon);
                        zone_area += f.parts.iter().map(inside).sum::<i64>();
                    }
                    for f in base.get("grids").into_iter().flatten() {
                        grid_area += f.parts.iter().map(inside).sum::<i64>();
                    }
                }
            }
            assert!(zone_area > 0);
            assert_eq!(zone_area, grid_area, "z{z}");
        }
    }

    /// Clips a ring to the tile square [0, 4096]² (Sutherland–Hodgman, exact enough for
    /// axis-aligned test squares).
    fn clip_to_tile(ring: &[[i32; 2]]) -> Vec<[i32; 2]> {
        let mut pts: Vec<[f64; 2]> = ring
            .iter()
            .map(|p| [f64::from(p[0]), f64::from(p[1])])
            .collect();
        for (axis, bound, above) in [
            (0, 0.0, true),
            (0, 4096.0, false),
            (1, 0.0, true),
            (1, 4096.0, false),
        ] {
            let inside = |p: &[f64; 2]| {
                if above {
                    p[axis] >= bound
                } else {
                    p[axis] <= bound
                }
            };
            let mut out = Vec::new();
            for k in 0..pts.len() {
                let (p, q) = (pts[k], pts[(k + 1) % pts.len()]);
                if inside(&p) {
                    out.push(p);
                }
                if inside(&p) != inside(&q) {
                    let t = (bound - p[axis]) / (q[axis] - p[axis]);
                    out.push([p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])]);
                }
            }
            pts = out;
        }
        pts.iter()
            .map(|p| [p[0].round() as i32, p[1].round() as i32])
            .collect()
    }

    #[test]
    fn zones_carry_their_attributes_and_neighbours_differ_in_colour() {
        let zi = zone_index();
        let t = tile_at(200.0, 0.0, 12);
        let d = decode(&encode_zone_tile(&zi, "sector", t.z, t.x, t.y).expect("tile"));
        let zones = &d["zones"];
        assert_eq!(zones.len(), 2);
        let west = zones
            .iter()
            .find(|f| f.get("code").str() == "W")
            .expect("W");
        let east = zones
            .iter()
            .find(|f| f.get("code").str() == "E")
            .expect("E");
        assert_eq!(west.get("name").str(), "西片");
        assert_eq!(west.get("unit").str(), "城关中队");
        assert_eq!(west.get("person").str(), "王五");
        assert_eq!(west.get("layer").str(), "sector");
        assert!(!east.props.contains_key("unit") && !east.props.contains_key("person"));
        assert_ne!(west.get("ci").int(), east.get("ci").int());
        assert_eq!((west.id, east.id), (Some(2), Some(1)), "ids by code: E, W");
        // One outline ring per zone: the union, not its grids.
        assert_eq!(west.parts.len(), 1);
        assert_eq!(d["zone_labels"].len(), 2);
        // Below the zones' zoom, and for an unknown layer, no zones.
        let low = decode(&encode_zone_tile(&zi, "sector", 9, t.x >> 3, t.y >> 3).expect("tile"));
        assert!(!low.contains_key("zones"));
        let other = decode(&encode_zone_tile(&zi, "nope", t.z, t.x, t.y).expect("tile"));
        assert!(!other.contains_key("zones"));
        assert!(encode_zone_tile(&zi, "sector", 23, 0, 0).is_err());
    }

    #[test]
    fn road_lines_are_clipped_to_the_buffered_tile_and_drawn_from_z13() {
        let zi = zone_index();
        let z = 17;
        let (a, b) = (tile_at(-150.0, 0.0, z), tile_at(550.0, 0.0, z));
        assert!(b.x > a.x, "the line crosses tiles at z{z}");
        let mut tiles_with_line = 0;
        for x in a.x..=b.x {
            let d = decode(&encode_zone_tile(&zi, "sector", z, x, a.y).expect("tile"));
            let Some(lines) = d.get("road_lines") else {
                continue;
            };
            tiles_with_line += 1;
            assert_eq!(lines.len(), 1);
            let f = &lines[0];
            assert_eq!(f.kind, Kind::Line);
            assert_eq!((f.get("code").str(), f.get("class").str()), ("L1", "road"));
            assert_eq!(f.get("chief").str(), "王五");
            for p in f.parts.iter().flatten() {
                assert!(
                    (-64..=4160).contains(&p[0]) && (-64..=4160).contains(&p[1]),
                    "{p:?}"
                );
            }
        }
        assert_eq!(tiles_with_line, (b.x - a.x + 1) as usize);
        let low = tile_at(0.0, 0.0, 12);
        let d = decode(&encode_zone_tile(&zi, "sector", 12, low.x, low.y).expect("tile"));
        assert!(!d.contains_key("road_lines"));
    }
}
