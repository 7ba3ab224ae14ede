//! Point-in-grid must agree exactly with GEOS. The fixture (tests/fixtures/geos/, made by
//! make_fixture.py with shapely) holds an irregular tiling and 5 000+ points — random ones, every
//! vertex, edge midpoints — with the grid GEOS assigns each under the documented boundary rule.

use chrono::NaiveDate;
use griddesk::code::GridCode;
use griddesk::index::SpatialIndex;
use griddesk::locate::GridLocator;
use griddesk::model::Grid;
use griddesk::store::Snapshot;
use std::path::Path;

fn fixture() -> (SpatialIndex, Vec<([f64; 2], String)>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/geos");
    let text = std::fs::read_to_string(dir.join("grids.geojson")).expect("fixture grids");
    let fc: geojson::FeatureCollection = text.parse().expect("valid GeoJSON");
    let mut grids = Vec::new();
    for f in fc.features {
        let code = f
            .property("code")
            .and_then(|v| v.as_str())
            .expect("code")
            .to_string();
        let geom: geo_types::Geometry<f64> =
            f.geometry.expect("geometry").try_into().expect("geometry");
        let geo_types::Geometry::Polygon(polygon) = geom else {
            panic!("not a polygon")
        };
        grids.push(Grid {
            code: GridCode::parse(&code).expect("code"),
            name: code.clone(),
            area_m2: griddesk::geodesy::area_m2(&polygon),
            polygon,
            land_use: None,
            level: None,
            start_date: NaiveDate::from_ymd_opt(2024, 1, 1).expect("date"),
            end_date: None,
            sample: false,
        });
    }
    grids.sort_by_key(|g| g.code);
    let idx = SpatialIndex::build(Snapshot {
        grids,
        ..Default::default()
    });
    let csv = std::fs::read_to_string(dir.join("points.csv")).expect("fixture points");
    let pts = csv
        .lines()
        .skip(1)
        .map(|l| {
            let mut it = l.split(',');
            let x: f64 = it.next().and_then(|s| s.parse().ok()).expect("lon");
            let y: f64 = it.next().and_then(|s| s.parse().ok()).expect("lat");
            ([x, y], it.next().unwrap_or_default().to_string())
        })
        .collect();
    (idx, pts)
}

#[test]
fn grid_at_agrees_with_geos() {
    let (idx, pts) = fixture();
    assert!(pts.len() > 5000);
    let mut wrong = Vec::new();
    for ([x, y], expected) in &pts {
        let got = idx
            .grid_at(*x, *y)
            .map(|i| idx.grids[i].code.to_string())
            .unwrap_or_default();
        if &got != expected {
            wrong.push(format!(
                "({x}, {y}): GEOS says `{expected}`, engine says `{got}`"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} disagreements, first: {:?}",
        wrong.len(),
        &wrong[..wrong.len().min(5)]
    );
}

#[test]
fn bulk_locator_agrees_with_geos() {
    let (idx, pts) = fixture();
    let loc = GridLocator::build(&idx);
    let (cells, interior) = loc.stats();
    assert!(
        interior > cells / 4,
        "raster should be mostly interior cells: {interior}/{cells}"
    );
    let coords: Vec<[f64; 2]> = pts.iter().map(|p| p.0).collect();
    let got = loc.locate_many(&idx, &coords);
    let mut wrong = 0;
    for (g, (p, expected)) in got.iter().zip(&pts) {
        let got = g
            .map(|i| idx.grids[i as usize].code.to_string())
            .unwrap_or_default();
        if &got != expected {
            wrong += 1;
            eprintln!("({}, {}): GEOS `{expected}` vs locator `{got}`", p[0], p[1]);
        }
    }
    assert_eq!(wrong, 0);
}

#[test]
fn bulk_locator_large_batches_agree_with_geos() {
    // Batches of 65 536+ points take the band-sorted path; shuffle so order matters.
    let (idx, pts) = fixture();
    let loc = GridLocator::build(&idx);
    let mut coords = Vec::new();
    let mut expected = Vec::new();
    let mut k = 7usize;
    for _ in 0..14 {
        for (p, e) in &pts {
            k = (k * 1_103_515_245 + 12_345) % 2_147_483_648;
            let (p, e) = if k.is_multiple_of(3) {
                (&pts[k % pts.len()].0, &pts[k % pts.len()].1)
            } else {
                (p, e)
            };
            coords.push(*p);
            expected.push(e.clone());
        }
    }
    assert!(coords.len() > 65_536);
    let got = loc.locate_many(&idx, &coords);
    for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
        let got = g
            .map(|i| idx.grids[i as usize].code.to_string())
            .unwrap_or_default();
        assert_eq!(&got, e, "point {i} {:?}", coords[i]);
    }
}
