//! Responsibility zones through the engine facade on a small generated district: layers,
//! people, assignment rules, "who is responsible here", road lines, and exchange through
//! Shapefile (GBK, Gauss-Krüger), GeoPackage and GeoJSON.

use crate::common::planner;
use geo::{Area, GeodesicArea};
use griddesk::io::{Crs, Dataset, ImportOptions, SourceOptions, TargetOptions, TextEncoding};
use griddesk::sample::{generate, SampleDistrict, SampleParams};
use griddesk::store::Store;
use griddesk::zones::*;
use griddesk::{Engine, Error, ErrorKind};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn small() -> &'static SampleDistrict {
    static D: OnceLock<SampleDistrict> = OnceLock::new();
    D.get_or_init(|| {
        generate(&SampleParams {
            grids: 220,
            communities: 6,
            streets: 2,
            components: 50,
            cases: 50,
            ..SampleParams::huangyan()
        })
        .expect("small sample")
    })
}

fn resources() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../resources")
}

/// A fresh store holding the small district with its generated zones.
fn engine(dir: &tempfile::TempDir) -> Engine {
    engine_with(dir, true)
}

/// A fresh store holding the small district, with or without its generated zones (without:
/// the duty grids name their inspector only, as in a store imported from older files).
fn engine_with(dir: &tempfile::TempDir, zones: bool) -> Engine {
    let path = dir.path().join("z.sqlite");
    let mut d = small().clone();
    if !zones {
        d.zones = Default::default();
    }
    let mut store = Store::create(&path).expect("store");
    d.write_to_store(&mut store, &d.tables).expect("write");
    drop(store);
    Engine::open(&path).expect("open")
}

fn person(id: &str, name: &str, role: Role, unit: Option<&str>) -> Person {
    Person {
        id: id.into(),
        name: name.into(),
        role,
        phone: Some("13800000000".into()),
        unit: unit.map(Into::into),
    }
}

fn codes(e: &Engine, range: std::ops::Range<usize>) -> Vec<String> {
    let l = e.loaded();
    l.index.grids[range]
        .iter()
        .map(|g| g.code.to_string())
        .collect()
}

/// A sector layer with two zones over the first 40 grids, a unit and people.
fn set_up(e: &Engine) {
    let pl = planner(e);
    e.put_unit(
        &pl,
        &OrgUnit {
            code: "ZD1".into(),
            name: "城关执法中队".into(),
            kind: UnitKind::Squadron,
            parent: None,
            phone: Some("0576-84000000".into()),
        },
    )
    .expect("unit");
    e.put_person(&pl, &person("P1", "王片长", Role::SectorChief, Some("ZD1")))
        .expect("p1");
    e.put_person(&pl, &person("P2", "李路长", Role::RoadChief, None))
        .expect("p2");
    e.put_zone_layer(
        &pl,
        &ZoneLayer {
            code: "plan".into(),
            name: "规划片区".into(),
            kind: LayerKind::Custom,
            network: Network::Management,
            order: 1,
        },
    )
    .expect("layer");
    for (code, range) in [("S1", 0..20), ("S2", 20..40)] {
        e.put_zone(
            &pl,
            &ZoneEdit {
                layer: "plan".into(),
                code: code.into(),
                name: format!("{code}片区"),
                unit: Some("ZD1".into()),
                people: vec!["P1".into()],
                grids: Some(codes(e, range)),
                on_conflict: OnConflict::Refuse,
            },
        )
        .expect("zone");
    }
}

#[test]
fn the_duty_layer_is_the_duty_grid_table() {
    let dir = tempfile::tempdir().expect("dir");
    let e = engine_with(&dir, false);
    let pl = planner(&e);
    let layers = e.zone_layers();
    assert_eq!(layers[0].layer.code, DUTY_LAYER);
    assert_eq!(layers[0].zones, small().duty_grids.len());
    assert_eq!(layers[0].unassigned_grids, 0);
    let d = &small().duty_grids[0];
    let l = e.loaded();
    let gi = l.index.grid_index(&d.grids[0]).expect("grid");
    let p = l.index.grid_label_points[gi];
    let here = e.who_is_here(None, p.x(), p.y());
    assert_eq!(
        here.grid.as_ref().map(|g| g.code.as_str()),
        Some(d.grids[0].as_str())
    );
    let duty = here.layers[0].zone.as_ref().expect("duty zone");
    assert_eq!(duty.code, d.code);
    assert_eq!(duty.people[0].name, d.inspector);
    assert_eq!(duty.people[0].id, None);
    assert!(here.community.is_some() && here.street.is_some());

    // Linking a person record to the duty grid renames its inspector everywhere.
    e.put_person(&pl, &person("I1", "新监督员", Role::Inspector, None))
        .expect("inspector");
    e.put_zone(
        &pl,
        &ZoneEdit {
            layer: DUTY_LAYER.into(),
            code: d.code.clone(),
            name: d.name.clone(),
            people: vec!["I1".into()],
            ..Default::default()
        },
    )
    .expect("relink");
    let info = e.grid_info(d.grids[0].as_str()).expect("info");
    assert_eq!(info.duty_grid.expect("duty").inspector, "新监督员");
    let here = e.who_is_here(None, p.x(), p.y());
    let duty = here.layers[0].zone.as_ref().expect("duty zone");
    assert_eq!(duty.people[0].id.as_deref(), Some("I1"));
    assert_eq!(
        e.person_zones(None, "I1").expect("zones").zones[0].code,
        d.code
    );
}

#[test]
fn a_grid_belongs_to_one_zone_per_layer_and_refusals_change_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let e = engine(&dir);
    let pl = planner(&e);
    set_up(&e);
    let taken = codes(&e, 5..6);
    let err = e
        .assign_grids(&pl, "plan", "S2", &taken, OnConflict::Refuse)
        .expect_err("conflict");
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(
        matches!(&err, Error::ZoneConflict { zone, .. } if zone == "S1"),
        "{err}"
    );
    assert!(err.to_string().contains("S1"), "{err}");
    // A refused batch writes nothing, even its free grids.
    let mut batch = codes(&e, 40..42);
    batch.extend(taken.clone());
    assert!(e
        .assign_grids(&pl, "plan", "S2", &batch, OnConflict::Refuse)
        .is_err());
    assert_eq!(
        e.zone_detail(None, "plan", "S2").expect("S2").summary.grids,
        20
    );
    // Moving takes the grid out of S1.
    let r = e
        .assign_grids(&pl, "plan", "S2", &taken, OnConflict::Move)
        .expect("move");
    assert_eq!(r.moved, vec![(taken[0].clone(), "S1".to_string())]);
    assert_eq!(
        e.zone_detail(None, "plan", "S1").expect("S1").summary.grids,
        19
    );
    assert_eq!(
        e.zone_detail(None, "plan", "S2").expect("S2").summary.grids,
        21
    );
    // Another layer is independent: the same grid may be in an enforcement zone.
    e.put_zone_layer(
        &pl,
        &ZoneLayer {
            code: "enf".into(),
            name: "执法网格".into(),
            kind: LayerKind::Enforcement,
            network: Network::Enforcement,
            order: 3,
        },
    )
    .expect("layer");
    e.put_zone(
        &pl,
        &ZoneEdit {
            layer: "enf".into(),
            code: "E1".into(),
            name: "执法1".into(),
            grids: Some(taken.clone()),
            ..Default::default()
        },
    )
    .expect("enforcement zone");
    let l = e.loaded();
    let gi = l
        .index
        .grid_index(&taken[0].parse().expect("code"))
        .expect("grid");
    let p = l.index.grid_label_points[gi];
    let here = e.who_is_here(None, p.x(), p.y());
    let by_layer = |code: &str| {
        here.layers
            .iter()
            .find(|a| a.layer == code)
            .and_then(|a| a.zone.as_ref())
            .map(|z| z.code.clone())
    };
    assert_eq!(by_layer("plan").as_deref(), Some("S2"));
    assert_eq!(by_layer("enf").as_deref(), Some("E1"));
    let sector = here
        .layers
        .iter()
        .find(|a| a.layer == "plan")
        .expect("plan");
    let zone = sector.zone.as_ref().expect("zone");
    assert_eq!(
        zone.unit.as_ref().map(|u| u.name.as_str()),
        Some("城关执法中队")
    );
    assert_eq!(zone.people[0].name, "王片长");
    assert_eq!(zone.people[0].unit_name.as_deref(), Some("城关执法中队"));
    // Unassign frees it.
    assert_eq!(e.unassign_grids(&pl, "enf", &taken).expect("unassign"), 1);
    assert_eq!(
        e.zone_detail(None, "enf", "E1").expect("E1").summary.grids,
        0
    );
    // People still responsible cannot be deleted; units in use neither.
    assert!(e.delete_person(&pl, "P1").is_err());
    assert!(e.delete_unit(&pl, "ZD1").is_err());
    assert!(e.delete_zone_layer(&pl, DUTY_LAYER).is_err());
}

#[test]
fn drawing_a_polygon_takes_the_grids_whose_label_point_is_inside() {
    let dir = tempfile::tempdir().expect("dir");
    let e = engine(&dir);
    let pl = planner(&e);
    set_up(&e);
    let l = e.loaded();
    // A box around the label points of grids 60..64, shrunk around each to stay clear of others.
    let pts: Vec<[f64; 2]> = (60..64)
        .map(|i| {
            let p = l.index.grid_label_points[i];
            [p.x(), p.y()]
        })
        .collect();
    let (w, s, east, n) = pts.iter().fold(
        (f64::MAX, f64::MAX, f64::MIN, f64::MIN),
        |(w, s, e, n), p| (w.min(p[0]), s.min(p[1]), e.max(p[0]), n.max(p[1])),
    );
    let d = 1e-6;
    let outline = [
        [w - d, s - d],
        [east + d, s - d],
        [east + d, n + d],
        [w - d, n + d],
    ];
    e.put_zone(
        &pl,
        &ZoneEdit {
            layer: "plan".into(),
            code: "S3".into(),
            name: "画出的片区".into(),
            ..Default::default()
        },
    )
    .expect("zone");
    let r = e
        .assign_drawn(&pl, "plan", "S3", &outline, OnConflict::Refuse)
        .expect("drawn");
    // Exactly the grids whose label point is inside the box.
    let inside: Vec<String> = l
        .index
        .grids
        .iter()
        .zip(&l.index.grid_label_points)
        .filter(|(g, p)| {
            g.is_active() && p.x() > w - d && p.x() < east + d && p.y() > s - d && p.y() < n + d
        })
        .map(|(g, _)| g.code.to_string())
        .collect();
    let mut added = r.added.clone();
    added.sort();
    assert_eq!(added, inside);
    assert!(added.len() >= 4);
}

#[test]
fn a_zone_outline_is_the_exact_union_of_its_grids() {
    let dir = tempfile::tempdir().expect("dir");
    let e = engine(&dir);
    set_up(&e);
    let z = e.zones();
    for code in ["S1", "S2"] {
        let i = z.zone_index("plan", code).expect("zone");
        let u = z.union(i);
        let sum = z.summary(i).area_m2;
        let area = u.geodesic_area_unsigned();
        assert!((area - sum).abs() < 1e-6 * sum, "{code}: {area} vs {sum}");
        assert!(u.unsigned_area() > 0.0);
    }
    // Every duty grid's outline covers its grids' area too.
    for &i in z.zones_of_layer(DUTY_LAYER).iter().take(10) {
        let sum = z.summary(i as usize).area_m2;
        let area = z.union(i as usize).geodesic_area_unsigned();
        assert!((area - sum).abs() < 1e-6 * sum);
    }
}

#[test]
fn road_lines_are_found_within_thirty_metres_with_their_chief() {
    let dir = tempfile::tempdir().expect("dir");
    let e = engine(&dir);
    let pl = planner(&e);
    set_up(&e);
    let l = e.loaded();
    let p = l.index.grid_label_points[10];
    // A north-south line 20 m east of the point (1° of longitude ≈ 97.8 km at 28.6°N).
    let dx = 20.0 / (111_320.0 * p.y().to_radians().cos());
    let line = vec![[p.x() + dx, p.y() - 0.001], [p.x() + dx, p.y() + 0.001]];
    e.put_road_line(
        &pl,
        &RoadEdit {
            code: "L1".into(),
            name: "劳动路".into(),
            class: RoadClass::Road,
            line: line.clone(),
            chief: Some("P2".into()),
            unit: None,
        },
    )
    .expect("road");
    let here = e.who_is_here(None, p.x(), p.y());
    assert_eq!(here.roads.len(), 1);
    let r = &here.roads[0];
    assert_eq!((r.code.as_str(), r.chief_title), ("L1", "路长"));
    assert_eq!(r.chief.as_ref().map(|c| c.name.as_str()), Some("李路长"));
    assert!((r.distance_m - 20.0).abs() < 0.2, "{}", r.distance_m);
    // 45 m away it is not "here".
    let far = e.who_is_here(
        None,
        p.x() - 25.0 / (111_320.0 * p.y().to_radians().cos()),
        p.y(),
    );
    assert!(far.roads.is_empty());
    let pz = e.person_zones(None, "P2").expect("P2");
    assert_eq!(pz.roads.len(), 1);
    assert!((e.road_lines(None)[0].length_m - 222.4).abs() < 1.0);
    assert!(e
        .put_road_line(
            &pl,
            &RoadEdit {
                code: "L2".into(),
                name: "x".into(),
                class: RoadClass::Lane,
                line: vec![[121.0, 28.0]],
                chief: None,
                unit: None,
            }
        )
        .is_err());
}

fn gk() -> Crs {
    Crs::parse("gk-cm120").expect("crs")
}

#[test]
fn grids_round_trip_through_a_gbk_gauss_kruger_shapefile() {
    let dir = tempfile::tempdir().expect("dir");
    let e = engine(&dir);
    let shp = dir.path().join("grids.shp");
    let target = TargetOptions {
        crs: gk(),
        encoding: TextEncoding::Gbk,
    };
    let n = e.export_to(&shp, Dataset::Grids, &target).expect("export");
    assert_eq!(n, small().grids.len());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("grids.cpg")).expect("cpg"),
        "GBK"
    );
    let prj = std::fs::read_to_string(dir.path().join("grids.prj")).expect("prj");
    assert_eq!(Crs::from_prj(&prj), Some(gk()));
    // The names are GBK bytes in the .dbf.
    let dbf = std::fs::read(dir.path().join("grids.dbf")).expect("dbf");
    let name = &small().grids[0].name;
    let (gbk, _, _) = encoding_rs::GBK.encode(name);
    assert!(dbf.windows(gbk.len()).any(|w| w == &*gbk));

    // A fresh store with the same streets and communities takes the Shapefile back.
    let dir2 = tempfile::tempdir().expect("dir2");
    let tables =
        griddesk::codetable::CodeTables::load_dir(&resources().join("codes")).expect("codes");
    let fresh = Engine::create(&dir2.path().join("f.sqlite"), &tables).expect("create");
    let fresh_by = crate::common::admin(&fresh);
    fresh
        .import_district(
            &fresh_by,
            &resources().join("geo/taizhou_districts.geojson"),
            "331003",
        )
        .expect("district");
    for ds in [Dataset::Streets, Dataset::Communities] {
        let f = dir.path().join(format!("{ds}.geojson"));
        e.export(&f, ds).expect("export");
        fresh
            .import(&fresh_by, &f, ds, ImportOptions::default())
            .expect("import");
    }
    // The .prj and .cpg are found on their own.
    let r = fresh
        .import_from(
            &fresh_by,
            &shp,
            Dataset::Grids,
            ImportOptions::default(),
            &SourceOptions::default(),
        )
        .expect("import shapefile");
    assert_eq!(r.imported, small().grids.len());
    let (a, b) = (e.loaded(), fresh.loaded());
    assert_eq!(a.index.grids.len(), b.index.grids.len());
    let mut worst = 0.0f64;
    for (x, y) in a.index.grids.iter().zip(&b.index.grids) {
        assert_eq!(
            (x.code, &x.name, &x.land_use, &x.level),
            (y.code, &y.name, &y.land_use, &y.level)
        );
        assert_eq!((x.start_date, x.end_date), (y.start_date, y.end_date));
        let (xs, ys) = (&x.polygon.exterior().0, &y.polygon.exterior().0);
        assert_eq!(xs.len(), ys.len());
        for (p, q) in xs.iter().zip(ys) {
            let dx = (p.x - q.x) * 111_320.0 * p.y.to_radians().cos();
            let dy = (p.y - q.y) * 110_574.0;
            worst = worst.max(dx.hypot(dy));
        }
    }
    assert!(worst < 0.001, "worst vertex moved {worst} m");

    // Read as UTF-8 on purpose, the names are wrong; the .cpg choice matters.
    let dir3 = tempfile::tempdir().expect("dir3");
    let again = Engine::create(&dir3.path().join("g.sqlite"), &tables).expect("create");
    let again_by = crate::common::admin(&again);
    again
        .import_district(
            &again_by,
            &resources().join("geo/taizhou_districts.geojson"),
            "331003",
        )
        .expect("district");
    for ds in [Dataset::Streets, Dataset::Communities] {
        again
            .import(
                &again_by,
                &dir.path().join(format!("{ds}.geojson")),
                ds,
                ImportOptions::default(),
            )
            .expect("import");
    }
    let src = SourceOptions {
        crs: None,
        encoding: Some(TextEncoding::Utf8),
    };
    again
        .import_from(
            &again_by,
            &shp,
            Dataset::Grids,
            ImportOptions::default(),
            &src,
        )
        .expect("import");
    assert_ne!(again.loaded().index.grids[0].name, small().grids[0].name);
}

#[test]
fn a_shapefile_in_the_wrong_crs_is_refused_naming_the_record() {
    let dir = tempfile::tempdir().expect("dir");
    let e = engine(&dir);
    let shp = dir.path().join("g.shp");
    e.export_to(
        &shp,
        Dataset::Grids,
        &TargetOptions {
            crs: gk(),
            encoding: TextEncoding::Utf8,
        },
    )
    .expect("export");
    std::fs::remove_file(dir.path().join("g.prj")).expect("rm prj");
    let dir2 = tempfile::tempdir().expect("dir2");
    let fresh = engine(&dir2);
    let fresh_by = crate::common::admin(&fresh);
    let err = fresh
        .import_from(
            &fresh_by,
            &shp,
            Dataset::Grids,
            ImportOptions::default(),
            &SourceOptions::default(),
        )
        .expect_err("projected coordinates read as lon/lat");
    let msg = err.to_string();
    assert!(
        msg.contains("record 1") && msg.contains("geometry"),
        "{msg}"
    );
    assert!(msg.contains("not lon/lat"), "{msg}");
}

#[test]
fn zones_and_road_lines_round_trip_through_every_format() {
    let dir = tempfile::tempdir().expect("dir");
    let e = engine_with(&dir, false);
    let pl = planner(&e);
    set_up(&e);
    let l = e.loaded();
    let p = l.index.grid_label_points[3];
    e.put_road_line(
        &pl,
        &RoadEdit {
            code: "L1".into(),
            name: "天长路".into(),
            class: RoadClass::Street,
            line: vec![[p.x(), p.y()], [p.x() + 0.002, p.y() + 0.001]],
            chief: Some("P2".into()),
            unit: Some("ZD1".into()),
        },
    )
    .expect("road");
    let before = |e: &Engine| {
        let mut v: Vec<(String, String, Vec<String>, Vec<String>)> = e
            .zones_in_layer(None, "plan")
            .expect("zones")
            .into_iter()
            .map(|z| {
                let d = e.zone_detail(None, "plan", &z.code).expect("detail");
                (
                    z.code,
                    z.name,
                    d.member_grids,
                    z.people.into_iter().filter_map(|p| p.id).collect(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let want = before(&e);
    let roads_before = e.road_lines(None);
    for (file, target) in [
        (
            "zones.shp",
            TargetOptions {
                crs: gk(),
                encoding: TextEncoding::Gbk,
            },
        ),
        (
            "zones.gpkg",
            TargetOptions {
                crs: Crs::LonLat,
                encoding: TextEncoding::Utf8,
            },
        ),
        (
            "zones.gpkg",
            TargetOptions {
                crs: gk(),
                encoding: TextEncoding::Utf8,
            },
        ),
        (
            "zones_gcj.shp",
            TargetOptions {
                crs: Crs::Gcj02,
                encoding: TextEncoding::Utf8,
            },
        ),
        (
            "zones.geojson",
            TargetOptions {
                crs: Crs::Gcj02,
                encoding: TextEncoding::Utf8,
            },
        ),
    ] {
        let path = dir.path().join(file);
        assert_eq!(e.export_zones(&path, "plan", &target).expect("export"), 2);
        let roads = dir.path().join(file.replace("zones", "roads"));
        assert_eq!(
            e.export_road_lines(&roads, &target).expect("export roads"),
            1
        );
        e.delete_zone(&pl, "plan", "S1").expect("delete");
        e.delete_zone(&pl, "plan", "S2").expect("delete");
        e.delete_road_line(&pl, "L1").expect("delete road");
        let src = SourceOptions {
            // GeoJSON has no CRS of its own: name it.
            crs: file.ends_with(".geojson").then_some(target.crs),
            encoding: None,
        };
        let r = e
            .import_zones(
                &pl,
                &path,
                "plan",
                ImportOptions::default(),
                &src,
                OnConflict::Refuse,
            )
            .expect("import zones");
        assert_eq!(r.imported, 2);
        assert_eq!(before(&e), want, "{file} {target:?}");
        e.import_road_lines(&pl, &roads, ImportOptions::default(), &src)
            .expect("import roads");
        let after = e.road_lines(None);
        assert_eq!(after.len(), 1);
        assert_eq!(
            (&after[0].code, &after[0].name, after[0].class),
            (
                &roads_before[0].code,
                &roads_before[0].name,
                roads_before[0].class
            )
        );
        assert!(
            (after[0].length_m - roads_before[0].length_m).abs() < 0.01,
            "{file}"
        );
    }
    // Importing again with the zones in place refuses, naming the zone that has the grid.
    let err = e
        .import_zones(
            &pl,
            &dir.path().join("zones.shp"),
            "enforcement_missing",
            ImportOptions::default(),
            &SourceOptions::default(),
            OnConflict::Refuse,
        )
        .expect_err("no layer");
    assert_eq!(err.kind(), ErrorKind::NotFound);
    e.put_zone(
        &pl,
        &ZoneEdit {
            layer: "plan".into(),
            code: "S9".into(),
            name: "其他".into(),
            grids: Some(codes(&e, 100..101)),
            ..Default::default()
        },
    )
    .expect("S9");
    e.delete_zone(&pl, "plan", "S1").expect("delete");
    e.assign_grids(&pl, "plan", "S9", &codes(&e, 0..1), OnConflict::Refuse)
        .expect("take a grid of the old S1");
    let err = e
        .import_zones(
            &pl,
            &dir.path().join("zones.gpkg"),
            "plan",
            ImportOptions::default(),
            &SourceOptions::default(),
            OnConflict::Refuse,
        )
        .expect_err("grid in S9");
    let msg = err.to_string();
    assert!(
        msg.contains("S9") && msg.contains("record 1") && msg.contains("grids"),
        "{msg}"
    );
}

#[test]
fn geopackage_grids_round_trip_and_gdal_reads_them() {
    let dir = tempfile::tempdir().expect("dir");
    let e = engine(&dir);
    let gpkg = dir.path().join("grids.gpkg");
    e.export_to(&gpkg, Dataset::Grids, &TargetOptions::default())
        .expect("export");
    let dir2 = tempfile::tempdir().expect("dir2");
    let tables =
        griddesk::codetable::CodeTables::load_dir(&resources().join("codes")).expect("codes");
    let fresh = Engine::create(&dir2.path().join("f.sqlite"), &tables).expect("create");
    let fresh_by = crate::common::admin(&fresh);
    fresh
        .import_district(
            &fresh_by,
            &resources().join("geo/taizhou_districts.geojson"),
            "331003",
        )
        .expect("district");
    for ds in [Dataset::Streets, Dataset::Communities] {
        let f = dir.path().join(format!("{ds}.gpkg"));
        e.export_to(&f, ds, &TargetOptions::default())
            .expect("export");
        fresh
            .import_from(
                &fresh_by,
                &f,
                ds,
                ImportOptions::default(),
                &SourceOptions::default(),
            )
            .expect("import");
    }
    fresh
        .import_from(
            &fresh_by,
            &gpkg,
            Dataset::Grids,
            ImportOptions::default(),
            &SourceOptions::default(),
        )
        .expect("import");
    let (a, b) = (e.loaded(), fresh.loaded());
    for (x, y) in a.index.grids.iter().zip(&b.index.grids) {
        // Lon/lat GeoPackages carry the coordinates bit for bit.
        assert_eq!((x.code, &x.name, &x.polygon), (y.code, &y.name, &y.polygon));
    }
    assert_eq!(a.index.communities.len(), b.index.communities.len());
    // GDAL reads the file as a GeoPackage. A missing ogrinfo fails the test: it is installed by
    // scripts/install-deps.sh --test (gdal-bin).
    let out = crate::common::run_tool(
        "ogrinfo",
        &["-so".as_ref(), "-al".as_ref(), gpkg.as_os_str()],
        "install gdal-bin (bash scripts/install-deps.sh --test)",
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("GPKG") || text.contains("GeoPackage"),
        "{text}"
    );
    assert!(
        text.contains(&format!("Feature Count: {}", a.index.grids.len())),
        "{text}"
    );
    assert!(
        text.contains("4490") || text.contains("China Geodetic"),
        "{text}"
    );
}

mod random_edits {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Op {
        Assign {
            zone: usize,
            grids: Vec<usize>,
            mv: bool,
        },
        Unassign {
            grids: Vec<usize>,
        },
        Delete {
            zone: usize,
        },
    }

    fn op() -> impl Strategy<Value = Op> {
        let grids = proptest::collection::vec(0usize..30, 1..6);
        prop_oneof![
            4 => (0usize..4, grids.clone(), any::<bool>())
                .prop_map(|(zone, grids, mv)| Op::Assign { zone, grids, mv }),
            1 => grids.prop_map(|grids| Op::Unassign { grids }),
            1 => (0usize..4).prop_map(|zone| Op::Delete { zone }),
        ]
    }

    /// `(zone, sorted members)` of a layer, from the engine.
    fn state(e: &Engine, layer: &str) -> Vec<(String, Vec<String>)> {
        e.zones_in_layer(None, layer)
            .expect("layer")
            .into_iter()
            .map(|z| {
                let d = e.zone_detail(None, layer, &z.code).expect("zone");
                (z.code, d.member_grids)
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]
        /// Any sequence of assignments (refusing or moving), unassignments and deletions in
        /// the duty layer and a custom layer keeps every grid in at most one zone per layer;
        /// a refused edit changes nothing; the in-memory index equals a fresh read of the store.
        #[test]
        fn a_grid_is_in_at_most_one_zone_per_layer(ops in proptest::collection::vec(op(), 1..14)) {
            let dir = tempfile::tempdir().expect("dir");
            let e = engine_with(&dir, false);
            let pl = planner(&e);
            e.put_zone_layer(&pl, &ZoneLayer {
                code: "x".into(),
                name: "x".into(),
                kind: LayerKind::Custom,
                network: Network::Enforcement,
                order: 5,
            })
            .expect("layer");
            let all = codes(&e, 0..30);
            for (k, op) in ops.into_iter().enumerate() {
                let layer = if k % 2 == 0 { "x" } else { DUTY_LAYER };
                let zone_code = |z: usize| format!("Z{z}");
                let before = state(&e, layer);
                let res = match &op {
                    Op::Assign { zone, grids, mv } => {
                        let code = zone_code(*zone);
                        if !before.iter().any(|(c, _)| *c == code) {
                            e.put_zone(&pl, &ZoneEdit {
                                layer: layer.into(),
                                code: code.clone(),
                                name: code.clone(),
                                ..Default::default()
                            })
                            .expect("zone");
                        }
                        let g: Vec<String> = grids.iter().map(|&i| all[i].clone()).collect();
                        let mode = if *mv { OnConflict::Move } else { OnConflict::Refuse };
                        e.assign_grids(&pl, layer, &code, &g, mode).map(|_| ())
                    }
                    Op::Unassign { grids } => {
                        let g: Vec<String> = grids.iter().map(|&i| all[i].clone()).collect();
                        e.unassign_grids(&pl, layer, &g).map(|_| ())
                    }
                    Op::Delete { zone } => e.delete_zone(&pl, layer, &zone_code(*zone)),
                };
                let after = state(&e, layer);
                if let Err(err) = &res {
                    prop_assert!(matches!(err.kind(), ErrorKind::Conflict | ErrorKind::NotFound), "{err}");
                    // Only the zone creation before a refused assignment may remain.
                    let created: Vec<_> = after.iter().filter(|z| !before.contains(z)).collect();
                    prop_assert!(created.iter().all(|(_, m)| m.is_empty()), "{created:?}");
                }
                for l in ["x", DUTY_LAYER] {
                    let mut seen = std::collections::HashSet::new();
                    for (_, members) in state(&e, l) {
                        for g in members {
                            prop_assert!(seen.insert(g.clone()), "grid {g} twice in layer {l}");
                        }
                    }
                }
            }
            // The index equals what the store holds.
            let fresh = Engine::open(e.path()).expect("reopen");
            for l in ["x", DUTY_LAYER] {
                prop_assert_eq!(state(&fresh, l), state(&e, l));
            }
        }
    }
}

#[test]
fn only_planners_and_administrators_change_zones_and_the_engine_decides() {
    let dir = tempfile::tempdir().expect("dir");
    let e = engine(&dir);
    let pl = planner(&e);
    let inspector =
        crate::common::user_with_role(&e, "t-inspector", griddesk::users::Role::Inspector);
    let grids = codes(&e, 0..2);
    let layer = "sector".to_string();
    let zone = e.zones_in_layer(None, &layer).expect("zones")[0]
        .code
        .clone();
    let before = e
        .zone_detail(None, &layer, &zone)
        .expect("zone")
        .member_grids;
    // An inspector is refused by the engine itself, with the not-permitted code.
    let err = e
        .assign_grids(&inspector, &layer, &zone, &grids, OnConflict::Move)
        .expect_err("an inspector may not assign grids");
    assert_eq!(err.kind(), ErrorKind::NotPermitted, "{err}");
    // A session for a user the store does not know (or made up with another role) is refused.
    let forged = griddesk::users::Session {
        role: griddesk::users::Role::Planner,
        ..inspector.clone()
    };
    let err = e
        .assign_grids(&forged, &layer, &zone, &grids, OnConflict::Move)
        .expect_err("a made-up planner session");
    assert_eq!(err.kind(), ErrorKind::Refused, "{err}");
    for refused in [
        e.put_zone_layer(
            &inspector,
            &ZoneLayer {
                code: "x".into(),
                name: "x".into(),
                kind: LayerKind::Custom,
                network: Network::Management,
                order: 9,
            },
        ),
        e.delete_zone(&inspector, &layer, &zone),
        e.delete_person(&inspector, "P-none"),
    ] {
        assert_eq!(
            refused.expect_err("refused").kind(),
            ErrorKind::NotPermitted
        );
    }
    assert_eq!(
        e.zone_detail(None, &layer, &zone)
            .expect("zone")
            .member_grids,
        before,
        "nothing changed"
    );
    // The planner may.
    e.assign_grids(&pl, &layer, &zone, &grids, OnConflict::Move)
        .expect("a planner assigns");
}

#[test]
fn imports_need_a_planner_or_an_administrator_and_cases_an_administrator() {
    let dir = tempfile::tempdir().expect("dir");
    let e = engine(&dir);
    let pl = planner(&e);
    let admin = crate::common::admin(&e);
    let insp = crate::common::user_with_role(&e, "t-insp", griddesk::users::Role::Inspector);
    let streets = dir.path().join("s.geojson");
    let cases = dir.path().join("c.geojson");
    e.export(&streets, Dataset::Streets).expect("export");
    e.export(&cases, Dataset::Cases).expect("export");
    let dry = ImportOptions {
        dry_run: true,
        ..ImportOptions::default()
    };
    let kind = |r: griddesk::Result<griddesk::io::ImportReport>| r.err().map(|e| e.kind());
    assert_eq!(
        kind(e.import(&insp, &streets, Dataset::Streets, dry)),
        Some(ErrorKind::NotPermitted)
    );
    assert_eq!(
        kind(e.import(&pl, &cases, Dataset::Cases, dry)),
        Some(ErrorKind::NotPermitted)
    );
    assert_eq!(kind(e.import(&pl, &streets, Dataset::Streets, dry)), None);
    assert_eq!(kind(e.import(&admin, &cases, Dataset::Cases, dry)), None);
    // The explicit local administrator of the command line may, and is named as such.
    let local = e.local_admin("root");
    assert_eq!(local.login, "local:root");
    assert_eq!(kind(e.import(&local, &cases, Dataset::Cases, dry)), None);
}

#[test]
fn a_geopackage_on_beijing_1954_is_refused_naming_the_datum() {
    let dir = tempfile::tempdir().expect("dir");
    let e = engine(&dir);
    let gpkg = dir.path().join("grids54.gpkg");
    e.export_to(
        &gpkg,
        Dataset::Grids,
        &TargetOptions {
            crs: Crs::GaussKruger {
                zone: 40,
                prefixed: true,
            },
            ..Default::default()
        },
    )
    .expect("export");
    // The same file as a Beijing 1954 office would have it: srs 2437 (3° zone 40, Krassowsky).
    let c = rusqlite::Connection::open(&gpkg).expect("open");
    c.execute_batch(
        "INSERT INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization, organization_coordsys_id, definition)
         VALUES ('Beijing 1954 / 3-degree Gauss-Kruger zone 40', 2437, 'EPSG', 2437,
           'PROJCS[\"Beijing 1954 / 3-degree Gauss-Kruger zone 40\",GEOGCS[\"Beijing 1954\",DATUM[\"Beijing_1954\",SPHEROID[\"Krassowsky 1940\",6378245,298.3]],PRIMEM[\"Greenwich\",0],UNIT[\"degree\",0.0174532925199433]],PROJECTION[\"Transverse_Mercator\"],PARAMETER[\"latitude_of_origin\",0],PARAMETER[\"central_meridian\",120],PARAMETER[\"scale_factor\",1],PARAMETER[\"false_easting\",40500000],PARAMETER[\"false_northing\",0],UNIT[\"metre\",1],AUTHORITY[\"EPSG\",\"2437\"]]');
         UPDATE gpkg_geometry_columns SET srs_id = 2437;
         UPDATE gpkg_contents SET srs_id = 2437;",
    )
    .expect("rewrite the srs");
    drop(c);
    let by = planner(&e);
    let err = e
        .import_from(
            &by,
            &gpkg,
            Dataset::Grids,
            ImportOptions::default(),
            &SourceOptions::default(),
        )
        .expect_err("an old datum is refused");
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    let text = format!("{err}");
    assert!(text.contains("Beijing 1954"), "{text}");
    assert!(text.contains("towgs84"), "{text}");
}
