//! The sample's streets as a basemap (docs/basemap.md, §The sample's streets): the road
//! network the grids were cut along, with its names and classes; the river; parks; plausible
//! building footprints inside the blocks; street, community and POI names. `griddesk generate`
//! builds `resources/sample/basemap.pmtiles` from these, and a first start installs it.

use super::SampleDistrict;
use geo::{BooleanOps, Centroid, Contains, InteriorPoint};
use geo_types::{coord, Coord, Geometry, LineString, MultiPolygon, Point, Polygon, Rect};
use griddesk_basemap::basemap::{Feature, Layer};
use griddesk_zones::zones::RoadClass;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, BTreeSet};

/// A vertex as an exact key (the grids and road lines share the tiling's vertices).
fn key(c: Coord<f64>) -> (u64, u64) {
    (c.x.to_bits(), c.y.to_bits())
}

fn edge_key(a: Coord<f64>, b: Coord<f64>) -> ((u64, u64), (u64, u64)) {
    let (ka, kb) = (key(a), key(b));
    if ka <= kb {
        (ka, kb)
    } else {
        (kb, ka)
    }
}

/// Every feature of the sample's basemap, deterministic for a seed.
pub fn features(d: &SampleDistrict, seed: u64) -> Vec<Feature> {
    let mut out = Vec::new();
    let active: Vec<_> = d.grids.iter().filter(|g| g.end_date.is_none()).collect();
    let is_water = |lu: &Option<String>| lu.as_deref() == Some("水域");
    // Named roads.
    let mut named: BTreeSet<_> = BTreeSet::new();
    for r in &d.zones.roads {
        for w in r.line.0.windows(2) {
            named.insert(edge_key(w[0], w[1]));
        }
        let class = match r.class {
            RoadClass::Road => "primary",
            RoadClass::Street => "secondary",
            RoadClass::Lane | RoadClass::Other => "residential",
        };
        out.push(Feature {
            layer: Layer::Roads,
            class: class.into(),
            name: Some(r.name.clone()),
            geom: Geometry::LineString(r.line.clone()),
        });
    }
    // The other block edges between two dry grids are unnamed minor streets.
    let mut edges: BTreeMap<_, (Coord<f64>, Coord<f64>, u32, bool)> = BTreeMap::new();
    for g in &active {
        let wet = is_water(&g.land_use);
        for w in g.polygon.exterior().0.windows(2) {
            let e = edges
                .entry(edge_key(w[0], w[1]))
                .or_insert((w[0], w[1], 0, false));
            e.2 += 1;
            e.3 |= wet;
        }
    }
    for (k, (a, b, n, wet)) in &edges {
        if *n == 2 && !wet && !named.contains(k) {
            out.push(Feature {
                layer: Layer::Roads,
                class: "service".into(),
                name: None,
                geom: Geometry::LineString(LineString::new(vec![*a, *b])),
            });
        }
    }
    // The river: the water grids as one area.
    let water: Vec<Polygon<f64>> = active
        .iter()
        .filter(|g| is_water(&g.land_use))
        .map(|g| g.polygon.clone())
        .collect();
    if !water.is_empty() {
        let river: MultiPolygon<f64> = water.iter().fold(MultiPolygon::new(vec![]), |acc, p| {
            acc.union(&MultiPolygon::new(vec![p.clone()]))
        });
        out.push(Feature {
            layer: Layer::Water,
            class: "river".into(),
            name: Some("永宁江".into()),
            geom: Geometry::MultiPolygon(river),
        });
    }
    // Land use and buildings, block by block.
    for (i, g) in active.iter().enumerate() {
        let lu = g.land_use.as_deref().unwrap_or("居住");
        let class = match lu {
            "绿地" => Some("park"),
            "教育" => Some("school"),
            "工业" => Some("industrial"),
            "商业" => Some("commercial"),
            "居住" => Some("residential"),
            "公共服务" => Some("public"),
            _ => None,
        };
        if let Some(class) = class {
            out.push(Feature {
                layer: Layer::Landuse,
                class: class.into(),
                name: None,
                geom: Geometry::Polygon(g.polygon.clone()),
            });
        }
        let (w, h, gap) = match lu {
            "居住" => ((14.0, 22.0), (9.0, 13.0), 30.0),
            "商业" | "公共服务" => ((20.0, 34.0), (14.0, 22.0), 40.0),
            "工业" => ((30.0, 55.0), (20.0, 32.0), 62.0),
            "教育" => ((24.0, 40.0), (10.0, 14.0), 48.0),
            _ => continue,
        };
        let mut rng =
            ChaCha8Rng::seed_from_u64(seed ^ 0xB17D ^ (i as u64).wrapping_mul(0x9E37_79B9));
        out.extend(
            buildings(&g.polygon, w, h, gap, &mut rng)
                .into_iter()
                .map(|b| Feature {
                    layer: Layer::Buildings,
                    class: "building".into(),
                    name: None,
                    geom: Geometry::Polygon(b),
                }),
        );
    }
    // Names.
    for s in &d.streets {
        if let Some(p) = s.boundary.interior_point() {
            out.push(place("suburb", &s.name, p));
        }
    }
    for c in &d.communities {
        if let Some(p) = c.boundary.interior_point() {
            out.push(place("neighbourhood", &c.name, p));
        }
    }
    for p in &d.pois {
        let class = match p.kind {
            "market" => "marketplace",
            "station" => "bus_station",
            "commercial_street" => "commercial",
            other => other,
        };
        out.push(Feature {
            layer: Layer::Pois,
            class: class.into(),
            name: Some(p.name.clone()),
            geom: Geometry::Point(p.location),
        });
    }
    out
}

fn place(class: &str, name: &str, p: Point<f64>) -> Feature {
    Feature {
        layer: Layer::Places,
        class: class.into(),
        name: Some(name.into()),
        geom: Geometry::Point(p),
    }
}

/// Rectangular footprints on a jittered lattice, each at least 8 m inside the block (the
/// street and its pavement), sizes `w` × `h` metres.
fn buildings(
    block: &Polygon<f64>,
    w: (f64, f64),
    h: (f64, f64),
    gap: f64,
    rng: &mut ChaCha8Rng,
) -> Vec<Polygon<f64>> {
    let Some(c) = block.centroid() else {
        return Vec::new();
    };
    let mx = 111_320.0 * c.y().to_radians().cos();
    let my = 110_574.0;
    let Some(r) = geo::BoundingRect::bounding_rect(block) else {
        return Vec::new();
    };
    let margin = 8.0;
    let mut out = Vec::new();
    let (w0, h0) = ((r.max().x - r.min().x) * mx, (r.max().y - r.min().y) * my);
    let cols = (w0 / gap).floor() as i32;
    let rows = (h0 / (gap * 0.7)).floor() as i32;
    for i in 0..=cols {
        for j in 0..=rows {
            let bw = rng.gen_range(w.0..w.1);
            let bh = rng.gen_range(h.0..h.1);
            if rng.gen_bool(0.15) {
                continue;
            }
            let cx = r.min().x + (f64::from(i) * gap + gap / 2.0 + rng.gen_range(-3.0..3.0)) / mx;
            let cy =
                r.min().y + (f64::from(j) * gap * 0.7 + gap * 0.35 + rng.gen_range(-3.0..3.0)) / my;
            let half = |v: f64, m: f64| v / 2.0 / m;
            let outer = Rect::new(
                coord! { x: cx - half(bw + 2.0 * margin, mx), y: cy - half(bh + 2.0 * margin, my) },
                coord! { x: cx + half(bw + 2.0 * margin, mx), y: cy + half(bh + 2.0 * margin, my) },
            );
            if !block.contains(&outer.to_polygon()) {
                continue;
            }
            let round = |v: f64| (v * 1e7).round() / 1e7;
            let b = Rect::new(
                coord! { x: round(cx - half(bw, mx)), y: round(cy - half(bh, my)) },
                coord! { x: round(cx + half(bw, mx)), y: round(cy + half(bh, my)) },
            );
            out.push(b.to_polygon());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::{generate, SampleParams};

    #[test]
    fn the_sample_basemap_has_named_streets_a_river_and_buildings_inside_blocks() {
        let d = generate(&SampleParams::benchmark(600, 200)).expect("sample");
        let f = features(&d, 7);
        let count = |l: Layer| f.iter().filter(|x| x.layer == l).count();
        assert!(count(Layer::Roads) > d.zones.roads.len());
        assert!(f.iter().any(|x| x.layer == Layer::Roads
            && x.name.as_deref() == Some(d.zones.roads[0].name.as_str())));
        assert_eq!(count(Layer::Water), 1);
        assert!(
            count(Layer::Buildings) > 2 * d.grids.len(),
            "{}",
            count(Layer::Buildings)
        );
        // No building crosses a grid boundary (they stand inside blocks).
        let grids: Vec<_> = d.grids.iter().filter(|g| g.end_date.is_none()).collect();
        for b in f.iter().filter(|x| x.layer == Layer::Buildings).take(500) {
            let Geometry::Polygon(p) = &b.geom else {
                panic!("building not a polygon")
            };
            assert!(
                grids.iter().any(|g| g.polygon.contains(p)),
                "building outside every block"
            );
        }
        assert_eq!(f, features(&d, 7), "deterministic");
    }
}
