//! Basemaps through the engine (docs/basemap.md): packages made by other tools (a tippecanoe
//! PMTiles, a GDAL raster MBTiles) and OSM extracts (whole and clipped) installed and served;
//! GCJ-02, corrupt, foreign and empty files refused with nothing left behind; roles; removal;
//! a cancelled build; leftovers of a crash tidied at the next open; place search; snapping to
//! a basemap's roads and buildings; buildings cut by grid boundaries; roads as proposal cuts.
#![allow(clippy::unwrap_used)] // test helpers: a failure is a failed test

use crate::common::{admin, district, planner, session};
use geo_types::{Coord, Geometry, LineString, Polygon};
use griddesk::basemaps::basemap::{Feature, Layer, TileFormat};
use griddesk::basemaps::{basemap_dir, BasemapSnap, InstallOptions};
use griddesk::planning::SnapLayer;
use griddesk::users::Role;
use griddesk::{Engine, ErrorKind, MessageCode as C, Param};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../basemap/tests/fixtures"
    ))
    .join(name)
}

fn code_of(e: &griddesk::Error) -> Option<C> {
    match e {
        griddesk::Error::Invalid(r) => Some(r.message.code),
        _ => None,
    }
}

fn folder(e: &Engine) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(basemap_dir(e.path()))
        .map(|d| {
            d.flatten()
                .map(|f| f.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn install(e: &Engine, name: &str) -> griddesk::Result<griddesk::basemaps::basemap::BasemapInfo> {
    e.install_basemap(
        &planner(e),
        &fixture(name),
        &InstallOptions::default(),
        &|_| true,
    )
}

#[test]
fn packages_and_extracts_install_serve_and_search() {
    let d = district();
    let e = &d.engine;
    let v = install(e, "vector.pmtiles").unwrap();
    assert_eq!((v.tile_format, v.built), (TileFormat::Mvt, false));
    assert!(
        !v.vector_layers.is_empty(),
        "tippecanoe's layers are listed"
    );
    let r = install(e, "raster.mbtiles").unwrap();
    assert_eq!(r.tile_format, TileFormat::Png);
    let o = install(e, "sample.osm.pbf").unwrap();
    assert!(o.built && o.tile_format == TileFormat::Mvt);
    assert!(o.vector_layers.iter().any(|l| l.id == "roads"));
    let c = install(e, "clipped.osm.pbf").unwrap();
    assert!(c.built);
    assert_eq!(e.basemaps().unwrap().len(), 4);
    assert_eq!(folder(e).len(), 4, "{:?}", folder(e));

    // Tiles: the raster's PNG and the built basemap's MVT at the sample's centre.
    let b = o.bounds.unwrap();
    let (lon, lat) = ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0);
    let t = griddesk::tiles::TileAddress::containing(lon, lat, 14);
    let tile = e
        .basemap_tile(&o.id, 14, t.x, t.y)
        .unwrap()
        .expect("a tile at the centre");
    assert_eq!(tile.format, TileFormat::Mvt);
    assert!(tile.bytes.len() > 100);
    let rb = r.bounds.unwrap();
    let rt = griddesk::tiles::TileAddress::containing(
        (rb[0] + rb[2]) / 2.0,
        (rb[1] + rb[3]) / 2.0,
        r.max_zoom.into(),
    );
    let png = e
        .basemap_tile(&r.id, r.max_zoom.into(), rt.x, rt.y)
        .unwrap()
        .expect("raster tile");
    assert!(png.bytes.starts_with(b"\x89PNG"));
    assert!(
        e.basemap_tile(&o.id, 14, 0, 0).unwrap().is_none(),
        "no tile far away"
    );
    assert_eq!(
        e.basemap_tile(&o.id, 40, 0, 0).unwrap_err().kind(),
        ErrorKind::BadTile
    );

    // Place search: the extract's roads (name:zh first), its place and POI.
    let hits = e.search_places("县前街", 10).unwrap();
    assert!(
        !hits.is_empty() && hits.iter().all(|p| p.name.contains("县前街")),
        "{hits:?}"
    );
    assert!(hits.iter().any(|p| p.layer == "roads"));
    assert!(e
        .search_places("城关 小学", 5)
        .unwrap()
        .iter()
        .any(|p| p.layer == "pois"));

    // Removal: the row, the file and the names go.
    let n = e.search_places("县前街", 50).unwrap().len();
    e.remove_basemap(&planner(e), &c.id).unwrap();
    e.remove_basemap(&planner(e), &o.id).unwrap();
    assert_eq!(e.basemaps().unwrap().len(), 2);
    assert_eq!(folder(e).len(), 2);
    assert!(e.search_places("县前街", 50).unwrap().len() < n.max(1));
    assert_eq!(
        e.remove_basemap(&planner(e), &o.id).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    // A reopened store serves what is installed.
    let path = e.path().to_path_buf();
    let e2 = Engine::open(&path).unwrap();
    assert!(e2
        .basemap_tile(&r.id, r.max_zoom.into(), rt.x, rt.y)
        .unwrap()
        .is_some());
}

#[test]
fn bad_files_are_refused_and_leave_nothing() {
    let d = district();
    let e = &d.engine;
    let before = folder(e);
    let err = install(e, "gcj02.pmtiles").unwrap_err();
    assert_eq!(code_of(&err), Some(C::BasemapGcj02), "{err}");
    let griddesk::Error::Invalid(r) = &err else {
        unreachable!()
    };
    match r.message.params.get("offset").cloned() {
        Some(Param::Int(m)) => assert!((300..800).contains(&m), "{m}"),
        other => panic!("offset {other:?}"),
    }
    // A package that does not say its datum, declared GCJ-02 by the user: refused too.
    let err = e
        .install_basemap(
            &planner(e),
            &fixture("vector.pmtiles"),
            &InstallOptions {
                name: None,
                datum: griddesk::basemaps::basemap::Datum::parse("GCJ-02"),
            },
            &|_| true,
        )
        .unwrap_err();
    assert_eq!(code_of(&err), Some(C::BasemapGcj02));
    for (file, code) in [
        ("corrupt.pmtiles", C::BasemapCorrupt),
        ("garbage.mbtiles", C::BasemapUnknownFormat),
        ("empty.osm.pbf", C::BasemapEmpty),
    ] {
        let err = install(e, file).unwrap_err();
        assert_eq!(code_of(&err), Some(code), "{file}: {err}");
        assert!(
            err.to_string().contains(file),
            "{file}: the message names the file: {err}"
        );
    }
    assert!(e.basemaps().unwrap().is_empty());
    assert_eq!(folder(e), before, "nothing half-installed");

    // A build cancelled half-way leaves nothing either.
    let calls = std::sync::atomic::AtomicUsize::new(0);
    let err = e
        .install_basemap(
            &planner(e),
            &fixture("sample.osm.pbf"),
            &InstallOptions::default(),
            &|p| {
                calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                p.stage != griddesk::basemaps::InstallStage::Tiles
            },
        )
        .unwrap_err();
    assert_eq!(code_of(&err), Some(C::BasemapCancelled));
    assert!(calls.load(std::sync::atomic::Ordering::SeqCst) > 1);
    assert!(e.basemaps().unwrap().is_empty());
    assert_eq!(folder(e), before);
}

#[test]
fn only_planners_and_administrators_manage_basemaps_and_crash_leftovers_are_tidied() {
    let d = district();
    let e = &d.engine;
    let inspector = session(e, "inspector", Role::Inspector);
    let err = e
        .install_basemap(
            &inspector,
            &fixture("vector.pmtiles"),
            &InstallOptions::default(),
            &|_| true,
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotPermitted);
    assert!(!e.basemap_list(&inspector).unwrap().can_manage);
    let b = e
        .install_basemap(
            &admin(e),
            &fixture("vector.pmtiles"),
            &InstallOptions::default(),
            &|_| true,
        )
        .unwrap();
    assert_eq!(
        e.remove_basemap(&inspector, &b.id).unwrap_err().kind(),
        ErrorKind::NotPermitted
    );

    // A kill between copying and recording leaves files no row names: the next open removes them.
    let dir = basemap_dir(e.path());
    std::fs::write(dir.join("bm-19990101000000-1.pmtiles"), b"orphan").unwrap();
    std::fs::write(dir.join("bm-19990101000000-2.mbtiles.part"), b"half").unwrap();
    let path = e.path().to_path_buf();
    let e2 = Engine::open(&path).unwrap();
    assert_eq!(folder(&e2), vec![format!("{}.pmtiles", b.id)]);
}

fn ring(c: [f64; 2], half_w_m: f64, half_h_m: f64) -> Polygon<f64> {
    let (dx, dy) = (
        half_w_m / (111_320.0 * c[1].to_radians().cos()),
        half_h_m / 110_574.0,
    );
    Polygon::new(
        LineString::new(vec![
            Coord {
                x: c[0] - dx,
                y: c[1] - dy,
            },
            Coord {
                x: c[0] + dx,
                y: c[1] - dy,
            },
            Coord {
                x: c[0] + dx,
                y: c[1] + dy,
            },
            Coord {
                x: c[0] - dx,
                y: c[1] + dy,
            },
            Coord {
                x: c[0] - dx,
                y: c[1] - dy,
            },
        ]),
        vec![],
    )
}

#[test]
fn planning_snaps_to_basemap_roads_and_buildings_and_the_check_finds_cut_buildings() {
    let d = district();
    let e = &d.engine;
    let l = e.loaded();
    // A grid and its label point; a road straight through it, a building inside it, and a
    // building across the edge it shares with a neighbour.
    let g = &l.index.grids[l.index.grids.len() / 2];
    let p = l.index.grid_label_points[l.index.grids.len() / 2];
    let c = [p.x(), p.y()];
    let m_lon = 111_320.0 * c[1].to_radians().cos();
    let road = LineString::new(vec![
        Coord {
            x: c[0] - 200.0 / m_lon,
            y: c[1] + 4.0 / 110_574.0,
        },
        Coord {
            x: c[0] + 200.0 / m_lon,
            y: c[1] + 4.0 / 110_574.0,
        },
    ]);
    let inside = ring([c[0], c[1] - 20.0 / 110_574.0], 5.0, 3.0);
    let edge = g.polygon.exterior().0[0];
    let across = ring([edge.x, edge.y], 6.0, 6.0);
    let features = vec![
        Feature {
            layer: Layer::Roads,
            class: "residential".into(),
            name: Some("测试路".into()),
            geom: Geometry::LineString(road),
        },
        Feature {
            layer: Layer::Buildings,
            class: "building".into(),
            name: None,
            geom: Geometry::Polygon(inside.clone()),
        },
        Feature {
            layer: Layer::Buildings,
            class: "building".into(),
            name: None,
            geom: Geometry::Polygon(across),
        },
    ];
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("test.pmtiles");
    Engine::write_basemap(&features, "测试底图", &file).unwrap();
    let b = e
        .install_basemap(&planner(e), &file, &InstallOptions::default(), &|_| true)
        .unwrap();
    assert!(b.built);
    assert!(e.search_places("测试路", 5).unwrap().len() == 1);

    // 2 m from the road, nowhere near a grid edge: grids alone give nothing, the road snaps.
    let at = [c[0] + 30.0 / m_lon, c[1] + 2.0 / 110_574.0];
    let snap = |roads, buildings| {
        e.snap(
            at,
            3.0,
            Some(&BasemapSnap {
                id: b.id.clone(),
                roads,
                buildings,
            }),
        )
    };
    assert!(e.snap(at, 3.0, None).is_none());
    let hit = snap(true, false).expect("road snap");
    assert_eq!(hit.layer, SnapLayer::Road);
    assert!(
        (hit.point[1] - (c[1] + 4.0 / 110_574.0)).abs() < 0.3 / 110_574.0,
        "{hit:?}"
    );
    assert!(
        snap(false, true).is_none(),
        "buildings only: the road is not a target"
    );
    // Near the inside building's corner: a building vertex.
    let corner = inside.exterior().0[2];
    let hit = e
        .snap(
            [corner.x + 1.0 / m_lon, corner.y],
            2.0,
            Some(&BasemapSnap {
                id: b.id.clone(),
                roads: false,
                buildings: true,
            }),
        )
        .expect("building snap");
    assert_eq!(hit.layer, SnapLayer::Building);

    // The district check: the building across the grid corner is cut, the inside one is not.
    let cuts = e.building_cuts(&b.id).unwrap();
    assert_eq!(cuts.len(), 1, "{cuts:?}");
    assert!(cuts[0].grids.len() >= 2 && cuts[0].grids.contains(&g.code.to_string()));
    // 12 m × 12 m.
    assert!(
        cuts[0].share > 0.05 && (130.0..160.0).contains(&cuts[0].area_m2),
        "{cuts:?}"
    );
}
