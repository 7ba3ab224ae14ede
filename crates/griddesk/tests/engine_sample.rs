//! The shipped sample district through the engine facade, as the app uses it on first start.

use griddesk::io::{Dataset, ImportOptions};
use griddesk::{Engine, ErrorKind};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn resources() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../resources")
}

struct Seeded {
    _dir: tempfile::TempDir,
    engine: Engine,
}

fn seeded() -> &'static Seeded {
    static S: OnceLock<Seeded> = OnceLock::new();
    S.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let (engine, fresh) =
            Engine::open_or_seed(&dir.path().join("griddesk.sqlite"), &resources()).expect("seed");
        assert!(fresh, "a new store must be seeded");
        Seeded { _dir: dir, engine }
    })
}

#[test]
fn first_start_loads_the_sample_district() {
    let o = seeded().engine.overview();
    assert_eq!(o.district_code.as_deref(), Some("331003"));
    assert_eq!(o.district_name.as_deref(), Some("黄岩区"));
    assert!((6..=8).contains(&o.streets), "{o:?}");
    assert!((35..=45).contains(&o.communities), "{o:?}");
    assert!((1400..=1600).contains(&o.grids), "{o:?}");
    assert!(o.components >= 18_000 && o.cases >= 22_000, "{o:?}");
    assert!(o.sample);
    let b = o.bbox.expect("bbox");
    assert!(
        b[0] < 121.26 && b[2] > 121.26 && b[1] < 28.64 && b[3] > 28.64,
        "{b:?}"
    );
    // Reopening does not seed again.
    let path = seeded().engine.path().to_path_buf();
    let (again, fresh) = Engine::open_or_seed(&path, &resources()).expect("reopen");
    assert!(!fresh);
    assert_eq!(again.overview().grids, o.grids);
}

#[test]
fn every_grid_is_found_at_its_label_point_and_described() {
    let e = &seeded().engine;
    let l = e.loaded();
    for (i, g) in l.index.grids.iter().enumerate().step_by(37) {
        let p = l.index.grid_label_points[i];
        assert_eq!(e.grid_at(p.x(), p.y()), Some(g.code));
        let info = e.grid_info(g.code.as_str()).expect("info");
        assert_eq!(info.code, g.code.as_str());
        assert_eq!(info.seq.len(), 3);
        assert!(
            info.community_name.is_some() && info.street_name.is_some(),
            "{info:?}"
        );
        assert!((5_000.0..=20_000.0).contains(&info.area_m2), "{info:?}");
        assert!(
            info.duty_grid.is_some(),
            "every sample grid has an inspector: {info:?}"
        );
    }
    assert_eq!(
        e.grid_info("331003999999001").unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        e.grid_info("12x").unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
}

#[test]
fn grid_counts_match_the_records() {
    let e = &seeded().engine;
    let l = e.loaded();
    let g = &l.index.grids[l.index.grids.len() / 2];
    let info = e.grid_info(g.code.as_str()).expect("info");
    let comps = l
        .index
        .components
        .iter()
        .filter(|c| c.grid == Some(g.code))
        .count();
    let cases = l
        .index
        .cases
        .iter()
        .filter(|c| c.grid == Some(g.code))
        .count();
    assert_eq!((info.components, info.cases), (comps, cases));
    let total: usize = e.stats().streets.iter().map(|s| s.cases).sum();
    assert_eq!(total + e.stats().unlocated_cases, e.overview().cases);
}

#[test]
fn search_finds_grids_components_and_communities() {
    let e = &seeded().engine;
    let l = e.loaded();
    let g = &l.index.grids[100];
    let hits = e.search(g.code.as_str(), 5);
    assert_eq!(
        hits.first().map(|h| (h.kind, h.code.as_str())),
        Some(("grid", g.code.as_str()))
    );
    let partial = &g.code.as_str()[..13];
    assert!(e
        .search(partial, 50)
        .iter()
        .any(|h| h.code == g.code.as_str()));
    let c = &l.index.components[5];
    assert_eq!(
        e.search(c.code.as_str(), 3).first().map(|h| h.kind),
        Some("component")
    );
    let comm = &l.index.communities[3];
    let hits = e.search(&comm.name, 5);
    assert!(
        hits.iter()
            .any(|h| h.kind == "community" && h.code == comm.code.as_str()),
        "{hits:?}"
    );
    assert!(e.search("   ", 5).is_empty());
}

#[test]
fn tiles_cover_the_district_and_bad_addresses_fail() {
    let e = &seeded().engine;
    let l = e.loaded();
    let p = l.index.grid_label_points[0];
    let n = 2f64.powi(14);
    let x = ((p.x() + 180.0) / 360.0 * n) as u32;
    let lat = p.y().to_radians();
    let y = ((1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n) as u32;
    let t = e.tile(14, x, y).expect("tile");
    assert!(
        t.len() > 1000,
        "a z14 tile over the core holds grids: {} bytes",
        t.len()
    );
    assert_eq!(e.tile(3, 8, 0).unwrap_err().kind(), ErrorKind::BadTile);
    assert_eq!(e.tile(40, 0, 0).unwrap_err().kind(), ErrorKind::BadTile);
}

#[test]
fn sample_grids_are_topologically_valid() {
    let findings = seeded().engine.validate(&Default::default());
    let errors: Vec<_> = findings
        .iter()
        .filter(|f| f.severity == griddesk::validate::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn export_then_import_into_a_fresh_store_round_trips() {
    let e = &seeded().engine;
    let dir = tempfile::tempdir().expect("dir");
    let tables =
        griddesk::codetable::CodeTables::load_dir(&resources().join("codes")).expect("tables");
    let fresh = Engine::create(&dir.path().join("copy.sqlite"), &tables).expect("create");
    fresh
        .import_district(&resources().join("geo/taizhou_districts.geojson"), "331003")
        .expect("district");
    for (ds, name) in [
        (Dataset::Streets, "s.geojson"),
        (Dataset::Communities, "c.geojson"),
        (Dataset::Grids, "g.geojson"),
        (Dataset::DutyGrids, "d.csv"),
        (Dataset::Components, "k.csv"),
        (Dataset::Cases, "cases.geojson"),
    ] {
        let p = dir.path().join(name);
        let n = e.export(&p, ds).expect("export");
        let r = fresh
            .import(&p, ds, ImportOptions::default())
            .expect("import");
        assert_eq!(r.imported, n, "{ds}");
    }
    let (a, b) = (e.loaded(), fresh.loaded());
    assert_eq!(a.index.grids, b.index.grids);
    assert_eq!(a.index.components, b.index.components);
    assert_eq!(a.index.cases, b.index.cases);
    assert_eq!(e.stats(), fresh.stats());
}

#[test]
fn shipped_sample_is_the_generators_output() {
    // resources/sample must be reproducible: regenerate with the default seed and compare files.
    let s = griddesk::sample::generate(&griddesk::sample::SampleParams {
        codes_dir: Some(resources().join("codes")),
        ..griddesk::sample::SampleParams::huangyan()
    })
    .expect("generate");
    let shipped = seeded().engine.loaded();
    assert_eq!(s.grids.len(), shipped.index.grids.len());
    for (a, b) in s.grids.iter().zip(&shipped.index.grids) {
        assert_eq!(a.code, b.code);
        assert_eq!(
            a.polygon, b.polygon,
            "grid {} differs from the shipped file",
            a.code
        );
    }
    assert_eq!(s.cases.len(), shipped.index.cases.len());
}
