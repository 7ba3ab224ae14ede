//! Register tiles (`griddesk://registers/{z}/{x}/{y}` in the shell), served like every layer:
//!
//! | layer           | type    | zooms | attributes                                 |
//! |-----------------|---------|-------|--------------------------------------------|
//! | `objects`       | point   | ≥ 14  | `id`, `name`, `kind`, `section`, `status`  |
//! | `frontages`     | line    | ≥ 15  | `id` (the object), `name`                  |
//! | `vending_zones` | polygon | ≥ 12  | `code`, `name`, `open` (1 when open now)   |
//!
//! A point appears in the one tile containing it; lines and polygons are clipped to the
//! buffered tile like the grids.

use super::index::RegisterIndex;
use super::rules::zone_open_at;
use crate::error::{Error, Result};
use crate::tiles::address::{TileAddress, BUFFER, EXTENT};
use crate::tiles::layers::{add_point, add_polygons, encode_line};
use crate::tiles::rings::Clipper;
use chrono::NaiveDateTime;
use geo_types::{Coord, LineString, Point, Polygon};
use mvt::Tile;

pub const OBJECTS_MIN_ZOOM: u32 = 14;
pub const FRONTAGES_MIN_ZOOM: u32 = 15;
pub const ZONES_MIN_ZOOM: u32 = 12;

/// Encodes the register tile z/x/y; `now` decides each zone's `open`.
pub fn encode_register_tile(
    ix: &RegisterIndex,
    z: u32,
    x: u32,
    y: u32,
    now: NaiveDateTime,
) -> Result<Vec<u8>> {
    let t = TileAddress::new(z, x, y)?;
    build(ix, t, now)
        .and_then(|tile| tile.to_bytes())
        .map_err(|e| Error::Geometry(format!("encoding register tile {z}/{x}/{y}: {e}")))
}

fn build(
    ix: &RegisterIndex,
    t: TileAddress,
    now: NaiveDateTime,
) -> std::result::Result<Tile, mvt::Error> {
    let mut tile = Tile::new(EXTENT);
    let frame = t.frame();
    let b = t.bounds(f64::from(BUFFER));
    let touches = |pts: &[[f64; 2]]| {
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for p in pts {
            (x0, y0, x1, y1) = (x0.min(p[0]), y0.min(p[1]), x1.max(p[0]), y1.max(p[1]));
        }
        !(x1 < b.min().x || x0 > b.max().x || y1 < b.min().y || y0 > b.max().y)
    };
    let mut zones = tile.create_layer("vending_zones");
    if t.z >= ZONES_MIN_ZOOM {
        let mut clipper = Clipper::default();
        for z in &ix.data.zones {
            if z.ring.len() < 3 || !touches(&z.ring) {
                continue;
            }
            let poly = Polygon::new(
                LineString(z.ring.iter().map(|c| Coord { x: c[0], y: c[1] }).collect()),
                vec![],
            );
            let polys: Vec<_> = clipper.polygon(&poly, &frame).into_iter().collect();
            let open = i64::from(zone_open_at(z, now));
            zones = add_polygons(zones, &polys, None, |f| {
                f.add_tag_string("code", &z.code);
                f.add_tag_string("name", &z.name);
                f.add_tag_int("open", open);
            })?;
        }
    }
    let mut lines = tile.create_layer("frontages");
    let mut points = tile.create_layer("objects");
    let bbox = [b.min().x, b.min().y, b.max().x, b.max().y];
    if t.z >= FRONTAGES_MIN_ZOOM {
        let mut hits: Vec<usize> = ix.frontages_in(bbox).collect();
        hits.sort_unstable();
        for o in hits.into_iter().map(|i| &ix.data.objects[i]) {
            let Some(f) = o.frontage.as_deref().filter(|f| f.len() >= 2) else {
                continue;
            };
            if let Some(geom) = encode_line(&frame, f)? {
                let mut feat = lines.into_feature(geom);
                feat.set_id(o.id as u64);
                feat.add_tag_int("id", o.id);
                feat.add_tag_string("name", &o.name);
                lines = feat.into_layer();
            }
        }
    }
    if t.z >= OBJECTS_MIN_ZOOM {
        let mut hits: Vec<usize> = ix.objects_in(bbox).collect();
        hits.sort_unstable();
        for o in hits.into_iter().map(|i| &ix.data.objects[i]) {
            let [lon, lat] = o.location;
            if !t.contains(lon, lat) {
                continue;
            }
            points = add_point(points, &frame, Point::new(lon, lat), |f| {
                f.set_id(o.id as u64);
                f.add_tag_int("id", o.id);
                f.add_tag_string("name", &o.name);
                f.add_tag_string("kind", o.kind.key());
                f.add_tag_string("section", o.section.as_deref().unwrap_or(""));
                f.add_tag_string("status", o.status.key());
            })?;
        }
    }
    for layer in [zones, lines, points] {
        if layer.num_features() > 0 {
            tile.add_layer(layer)?;
        }
    }
    Ok(tile)
}

/// The test-only MVT decoder of the spatial crate, compiled into these tests too.
#[cfg(test)]
#[allow(dead_code)]
#[path = "../../../spatial/src/tiles/decode.rs"]
mod decode;

#[cfg(test)]
mod tests {
    use super::decode::{decode, Kind};
    use super::*;
    use crate::registers::index::RegisterData;
    use crate::registers::model::*;
    use chrono::NaiveDate;

    fn tile_of(p: [f64; 2], z: u32) -> (u32, u32, u32) {
        let t = TileAddress::containing(p[0], p[1], z);
        (t.z, t.x, t.y)
    }

    #[test]
    fn objects_frontages_and_zones_by_zoom() {
        let p = [121.26, 28.64];
        let mut o = crate::registers::index::tests::object(42, "老王烧烤", "g", "H");
        o.location = p;
        o.frontage = Some(vec![[121.2599, 28.6399], [121.2601, 28.6399]]);
        let zone = VendingZone {
            code: "SD1".into(),
            name: "夜市".into(),
            ring: vec![
                [121.259, 28.639],
                [121.261, 28.639],
                [121.261, 28.641],
                [121.259, 28.641],
                [121.259, 28.639],
            ],
            days: vec![1],
            hours: vec![("18:00".into(), "23:00".into())],
            trades: vec![],
            capacity: None,
            note: None,
        };
        let ix = RegisterIndex::build(RegisterData {
            objects: vec![o],
            zones: vec![zone],
            ..Default::default()
        });
        // Monday 2026-12-07 at 19:00: the zone is open.
        let now = NaiveDate::from_ymd_opt(2026, 12, 7)
            .unwrap()
            .and_hms_opt(19, 0, 0)
            .unwrap();
        let layers = |z| {
            let (z, x, y) = tile_of(p, z);
            decode(&encode_register_tile(&ix, z, x, y, now).unwrap())
        };
        let t16 = layers(16);
        let obj = &t16["objects"][0];
        assert_eq!(
            (obj.kind, obj.get("id").int(), obj.get("name").str()),
            (Kind::Point, 42, "老王烧烤")
        );
        assert_eq!(t16["frontages"][0].kind, Kind::Line);
        assert_eq!(t16["vending_zones"][0].get("open").int(), 1);
        let t14 = layers(14);
        assert!(t14.contains_key("objects") && !t14.contains_key("frontages"));
        let t12 = layers(12);
        assert!(t12.contains_key("vending_zones") && !t12.contains_key("objects"));
        assert!(layers(11).is_empty());
        let later = NaiveDate::from_ymd_opt(2026, 12, 7)
            .unwrap()
            .and_hms_opt(23, 30, 0)
            .unwrap();
        let (z, x, y) = tile_of(p, 16);
        let closed = decode(&encode_register_tile(&ix, z, x, y, later).unwrap());
        assert_eq!(closed["vending_zones"][0].get("open").int(), 0);
        assert!(encode_register_tile(&ix, 3, 99, 0, now).is_err());
    }
}
