//! Property tests of the boundary rule on generated districts: every point covered by the
//! tiling gets exactly one grid — the one whose interior holds it, or on an edge or vertex the
//! lowest code among the grids that cover it — and the bulk locator agrees with `grid_at`.

use geo::coordinate_position::CoordPos;
use geo::{BoundingRect, CoordinatePosition};
use griddesk::index::SpatialIndex;
use griddesk::locate::GridLocator;
use griddesk::sample::{generate, SampleParams};
use griddesk::store::Snapshot;
use proptest::prelude::*;
use std::sync::OnceLock;

fn district(seed: u64) -> SpatialIndex {
    let p = SampleParams {
        seed,
        components: 0,
        cases: 0,
        ..SampleParams::benchmark(120, 0)
    };
    let d = generate(&p).expect("generate");
    SpatialIndex::build(Snapshot {
        district: Some(d.district),
        streets: d.streets,
        communities: d.communities,
        grids: d.grids,
        ..Default::default()
    })
}

fn districts() -> &'static Vec<SpatialIndex> {
    static D: OnceLock<Vec<SpatialIndex>> = OnceLock::new();
    D.get_or_init(|| (1..=4).map(district).collect())
}

/// The rule, computed by brute force over every grid.
fn expected(idx: &SpatialIndex, x: f64, y: f64) -> Option<usize> {
    let c = geo::Coord { x, y };
    let mut covering: Vec<usize> = Vec::new();
    for (i, g) in idx.grids.iter().enumerate() {
        match g.polygon.coordinate_position(&c) {
            CoordPos::Inside => return Some(i),
            CoordPos::OnBoundary => covering.push(i),
            CoordPos::Outside => {}
        }
    }
    covering.into_iter().min_by_key(|&i| idx.grids[i].code)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_points_get_the_rules_grid(d in 0usize..4, fx in 0.0f64..1.0, fy in 0.0f64..1.0) {
        let idx = &districts()[d];
        let r = idx.district.as_ref().and_then(|d| d.boundary.bounding_rect())
            .or_else(|| idx.grids[0].polygon.bounding_rect()).unwrap();
        let (x, y) = (r.min().x + fx * r.width(), r.min().y + fy * r.height());
        let got = idx.grid_at(x, y);
        prop_assert_eq!(got, expected(idx, x, y));
        // A point inside a community (the tiling's extent) always has a grid.
        if idx.community_at(x, y).is_some() {
            prop_assert!(got.is_some(), "({x}, {y}) is inside a community but in no grid");
        }
    }

    #[test]
    fn vertices_and_edge_points_belong_to_exactly_one_grid(d in 0usize..4, g in 0usize..10_000, v in 0usize..64, t in 0.0f64..1.0) {
        let idx = &districts()[d];
        let grid = &idx.grids[g % idx.grids.len()];
        let ring = &grid.polygon.exterior().0;
        let k = v % (ring.len() - 1);
        let (a, b) = (ring[k], ring[k + 1]);
        // A vertex is exactly on the boundary: some grid covers it, and the rule picks one.
        let got = idx.grid_at(a.x, a.y);
        prop_assert_eq!(got, expected(idx, a.x, a.y));
        prop_assert!(got.is_some(), "vertex of grid {} must have a grid", grid.code);
        let pos = idx.grids[got.unwrap()].polygon.coordinate_position(&a);
        prop_assert!(pos != CoordPos::Outside, "chosen grid does not cover the vertex");
        // A point along the edge rounds to one side or onto it; either way the rule holds (on the
        // district's outer edge it may round outside every grid, and then it has none).
        let (x, y) = (a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t);
        prop_assert_eq!(idx.grid_at(x, y), expected(idx, x, y));
    }
}

#[test]
fn bulk_locator_equals_grid_at_on_generated_districts() {
    for idx in districts() {
        let loc = GridLocator::build(idx);
        let r = idx.grids[0].polygon.bounding_rect().unwrap();
        let mut pts = Vec::new();
        let (mut sx, mut sy) = (0.137f64, 0.731f64);
        let ext = idx
            .district
            .as_ref()
            .and_then(|d| d.boundary.bounding_rect())
            .unwrap_or(r);
        for _ in 0..70_000 {
            sx = (sx * 9301.0 + 0.49297).fract();
            sy = (sy * 4933.0 + 0.23371).fract();
            pts.push([
                ext.min().x + sx * ext.width(),
                ext.min().y + sy * ext.height(),
            ]);
        }
        for g in &idx.grids {
            pts.extend(g.polygon.exterior().0.iter().map(|c| [c.x, c.y]));
        }
        let got = loc.locate_many(idx, &pts);
        for (p, g) in pts.iter().zip(got) {
            assert_eq!(g.map(|g| g as usize), idx.grid_at(p[0], p[1]), "{p:?}");
        }
    }
}
