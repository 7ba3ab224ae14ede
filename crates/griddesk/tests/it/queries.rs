//! Area and nearest-neighbour queries on the shipped sample, checked against brute force.

use geo::{BoundingRect, Contains, Distance, Haversine, Intersects};
use geo_types::{coord, polygon, Rect};
use griddesk::Engine;
use std::path::Path;
use std::sync::OnceLock;

fn engine() -> &'static (tempfile::TempDir, Engine) {
    static E: OnceLock<(tempfile::TempDir, Engine)> = OnceLock::new();
    E.get_or_init(|| {
        let dir = crate::common::shared_dir("queries");
        let res = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../resources");
        let (e, _) = Engine::open_or_seed(&dir.path().join("q.sqlite"), &res).expect("seed");
        (dir, e)
    })
}

#[test]
fn bbox_queries_match_brute_force() {
    let l = engine().1.loaded();
    let idx = &l.index;
    let c = idx.grid_label_points[700];
    let r = Rect::new(
        coord! { x: c.x() - 0.004, y: c.y() - 0.003 },
        coord! { x: c.x() + 0.005, y: c.y() + 0.002 },
    );
    let poly = r.to_polygon();
    let grids: Vec<usize> = (0..idx.grids.len())
        .filter(|&i| idx.grids[i].is_active() && idx.grids[i].polygon.intersects(&poly))
        .collect();
    assert!(grids.len() > 10);
    assert_eq!(idx.grids_in_bbox(r), grids);
    let inside = |p: &geo_types::Point<f64>| {
        p.x() >= r.min().x && p.x() <= r.max().x && p.y() >= r.min().y && p.y() <= r.max().y
    };
    let comps: Vec<usize> = (0..idx.components.len())
        .filter(|&i| inside(&idx.components[i].location))
        .collect();
    assert!(!comps.is_empty());
    assert_eq!(idx.components_in_bbox(r), comps);
    let cases: Vec<usize> = (0..idx.cases.len())
        .filter(|&i| inside(&idx.cases[i].location))
        .collect();
    assert_eq!(idx.cases_in_bbox(r), cases);
}

#[test]
fn polygon_queries_match_brute_force() {
    let l = engine().1.loaded();
    let idx = &l.index;
    let c = idx.grid_label_points[300];
    let (x, y) = (c.x(), c.y());
    // A concave L-shaped area.
    let area = polygon![
        (x: x - 0.004, y: y - 0.004), (x: x + 0.004, y: y - 0.004), (x: x + 0.004, y: y - 0.001),
        (x: x - 0.001, y: y - 0.001), (x: x - 0.001, y: y + 0.004), (x: x - 0.004, y: y + 0.004),
    ];
    let grids: Vec<usize> = (0..idx.grids.len())
        .filter(|&i| idx.grids[i].is_active() && idx.grids[i].polygon.intersects(&area))
        .collect();
    assert_eq!(idx.grids_in_polygon(&area), grids);
    let covered = |p: &geo_types::Point<f64>| area.contains(p) || area.exterior().intersects(p);
    let comps: Vec<usize> = (0..idx.components.len())
        .filter(|&i| covered(&idx.components[i].location))
        .collect();
    assert!(!comps.is_empty());
    assert_eq!(idx.components_in_polygon(&area), comps);
    let cases: Vec<usize> = (0..idx.cases.len())
        .filter(|&i| covered(&idx.cases[i].location))
        .collect();
    assert_eq!(idx.cases_in_polygon(&area), cases);
    assert!(area.bounding_rect().is_some());
}

#[test]
fn nearest_components_match_brute_force() {
    let l = engine().1.loaded();
    let idx = &l.index;
    for k in [1usize, 5, 20] {
        for probe in [10usize, 500, 1200] {
            let p = idx.grid_label_points[probe];
            let got = idx.nearest_components(p.x(), p.y(), k);
            let mut all: Vec<(usize, f64)> = idx
                .components
                .iter()
                .enumerate()
                .map(|(i, c)| (i, Haversine.distance(p, c.location)))
                .collect();
            all.sort_by(|a, b| a.1.total_cmp(&b.1));
            assert_eq!(got.len(), k);
            for (g, e) in got.iter().zip(&all) {
                assert!(
                    (g.1 - e.1).abs() < 1e-6,
                    "k={k}: got {g:?}, brute force {e:?}"
                );
            }
            assert!(got.windows(2).all(|w| w[0].1 <= w[1].1), "nearest first");
        }
    }
    assert!(idx.nearest_components(121.26, 28.64, 0).is_empty());
}
