//! Import/export: every kind of bad input (fixtures in tests/fixtures/io/) is refused with a
//! message naming file, feature or line, and field; readers never panic on arbitrary input;
//! export → import round-trips; imports are transactions.

use chrono::{NaiveDate, NaiveDateTime};
use geo_types::{point, LineString, MultiPolygon, Polygon};
use griddesk::code::*;
use griddesk::codetable::CodeTables;
use griddesk::index::SpatialIndex;
use griddesk::io::{self, Dataset, Format, ImportOptions, ImportReport};
use griddesk::model::*;
use griddesk::store::Store;
use griddesk::Error;
use griddesk_store::CaseTexts;
use proptest::prelude::*;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/io")
        .join(name)
}

fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> Polygon<f64> {
    Polygon::new(
        LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]),
        vec![],
    )
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn district() -> District {
    District {
        code: DistrictCode::parse("331003").expect("code"),
        name: "黄岩区".into(),
        boundary: MultiPolygon(vec![square(121.0, 28.5, 121.5, 28.8)]),
    }
}

/// A store with code tables and the district only.
fn empty_store() -> Store {
    let mut s = Store::in_memory().expect("store");
    let tables =
        CodeTables::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../resources/codes"))
            .expect("tables");
    s.write(|w| {
        w.put_code_tables(&tables)?;
        w.put_district(&district())
    })
    .expect("write");
    s
}

fn grid(code: &str, polygon: Polygon<f64>) -> Grid {
    Grid {
        code: GridCode::parse(code).expect("code"),
        name: format!("网格{}", &code[12..]),
        area_m2: griddesk::geodesy::area_m2(&polygon),
        polygon,
        land_use: None,
        level: None,
        start_date: date(2024, 1, 1),
        end_date: None,
        sample: false,
    }
}

/// District 331003 > street 331003001 > communities …001 (lon 121.20–121.21) and …002
/// (121.21–121.22), lat 28.60–28.61; four grids 001–004 (2 × 2, W→E N→S) in community 001.
fn base_store() -> Store {
    let mut s = empty_store();
    s.write(|w| {
        w.insert_street(&Street {
            code: StreetCode::parse("331003001")?,
            name: "东城街道".into(),
            boundary: MultiPolygon(vec![square(121.20, 28.60, 121.22, 28.61)]),
            sample: false,
        })?;
        for (n, x0) in [(1u16, 121.20), (2, 121.21)] {
            w.insert_community(&Community {
                code: CommunityCode::parse(&format!("331003001{n:03}"))?,
                name: format!("社区{n}"),
                boundary: MultiPolygon(vec![square(x0, 28.60, x0 + 0.01, 28.61)]),
                sample: false,
            })?;
        }
        w.insert_grid(&grid(
            "331003001001001",
            square(121.200, 28.605, 121.205, 28.610),
        ))?;
        w.insert_grid(&grid(
            "331003001001002",
            square(121.205, 28.605, 121.210, 28.610),
        ))?;
        w.insert_grid(&grid(
            "331003001001003",
            square(121.200, 28.600, 121.205, 28.605),
        ))?;
        w.insert_grid(&grid(
            "331003001001004",
            square(121.205, 28.600, 121.210, 28.605),
        ))
    })
    .expect("base");
    s
}

fn index_of(s: &Store) -> SpatialIndex {
    SpatialIndex::build(s.load().expect("load"))
}

fn dry(s: &mut Store, file: &str, dataset: Dataset) -> ImportReport {
    let idx = index_of(s);
    io::import_file(
        s,
        &idx,
        &fixture(file),
        dataset,
        ImportOptions {
            valid_only: false,
            dry_run: true,
        },
    )
    .expect("dry run")
}

/// Asserts that some reject names `file`, `position` (e.g. "line 3", "feature 1"), the field
/// (if any) and contains `needle`.
#[track_caller]
fn assert_reject(r: &ImportReport, position: &str, field: Option<&str>, needle: &str) {
    let want = match field {
        Some(f) => format!("{}, {position}, field `{f}`: ", r.file),
        None => format!("{}, {position}: ", r.file),
    };
    let all: Vec<String> = r.rejects.iter().map(ToString::to_string).collect();
    assert!(
        all.iter()
            .any(|m| m.starts_with(&want) && m.contains(needle)),
        "no reject `{want}…{needle}…` in:\n{}",
        all.join("\n")
    );
}

// ---- bad input, one fixture per kind ---------------------------------------------------------

#[test]
fn malformed_json_names_line_and_column() {
    let mut s = base_store();
    let r = dry(&mut s, "malformed.geojson", Dataset::Grids);
    assert_eq!(r.rejects.total(), 1, "{:?}", r.rejects);
    assert_reject(&r, "line 4", None, "malformed JSON at line 4, column");
    assert_eq!(r.imported, 0);
}

#[test]
fn not_a_feature_collection() {
    let mut s = base_store();
    let r = dry(&mut s, "not_collection.geojson", Dataset::Grids);
    assert_eq!(r.rejects.total(), 1);
    let m = r.rejects.kept()[0].to_string();
    assert!(
        m.contains("not_collection.geojson, field `type`") && m.contains("found `Point`"),
        "{m}"
    );
}

#[test]
fn wrong_geometry_type() {
    let mut s = base_store();
    let r = dry(&mut s, "grids_wrong_geometry.geojson", Dataset::Grids);
    assert_eq!(r.rejects.total(), 1, "{:?}", r.rejects);
    assert_reject(
        &r,
        "feature 1",
        Some("geometry"),
        "expected a Polygon or MultiPolygon geometry, found LineString",
    );
    assert_eq!(r.imported, 1);

    let r = dry(
        &mut s,
        "components_wrong_geometry.geojson",
        Dataset::Components,
    );
    assert_eq!(r.rejects.total(), 2, "{:?}", r.rejects);
    assert_reject(
        &r,
        "feature 1",
        Some("geometry"),
        "expected a Point geometry, found Polygon",
    );
    assert_reject(&r, "feature 2", Some("geometry"), "feature has no geometry");
}

#[test]
fn self_intersecting_polygon() {
    let mut s = base_store();
    let r = dry(&mut s, "grids_self_intersecting.geojson", Dataset::Grids);
    assert_reject(&r, "feature 0", Some("geometry"), "self-intersection");
}

#[test]
fn unclosed_ring() {
    let mut s = base_store();
    let r = dry(&mut s, "grids_unclosed_ring.geojson", Dataset::Grids);
    assert_eq!(r.rejects.total(), 1, "{:?}", r.rejects);
    assert_reject(
        &r,
        "feature 1",
        Some("geometry"),
        "exterior ring is not closed",
    );
}

#[test]
fn missing_required_fields() {
    let mut s = base_store();
    let r = dry(&mut s, "grids_missing_field.geojson", Dataset::Grids);
    assert_reject(&r, "feature 0", Some("code"), "required field is missing");
    assert_reject(
        &r,
        "feature 1",
        Some("start_date"),
        "required field is missing",
    );

    let r = dry(&mut s, "components_missing_column.csv", Dataset::Components);
    assert_eq!(r.rejects.total(), 1, "{:?}", r.rejects);
    assert_reject(&r, "line 1", Some("lat"), "missing column `lat`");
}

#[test]
fn bad_grid_codes() {
    let mut s = base_store();
    let r = dry(&mut s, "grids_bad_code.geojson", Dataset::Grids);
    assert_reject(&r, "feature 0", Some("code"), "`33100300100200A`");
    assert_reject(&r, "feature 1", Some("code"), "15 digits");
    assert_reject(
        &r,
        "feature 2",
        Some("code"),
        "community 331003001009 (the code's first 12 digits) is not in the store",
    );
    assert_eq!(r.imported, 0);
}

#[test]
fn grid_outside_its_community() {
    let mut s = base_store();
    let r = dry(&mut s, "grids_outside_community.geojson", Dataset::Grids);
    assert_reject(
        &r,
        "feature 0",
        Some("geometry"),
        "outside its community 331003001002",
    );
}

#[test]
fn bad_dates() {
    let mut s = base_store();
    let r = dry(&mut s, "grids_bad_date.geojson", Dataset::Grids);
    assert_reject(
        &r,
        "feature 0",
        Some("start_date"),
        "`2024-13-01` is not a date",
    );
    assert_reject(&r, "feature 1", Some("end_date"), "before start date");
}

#[test]
fn coordinates_out_of_range() {
    let mut s = base_store();
    let r = dry(&mut s, "grids_out_of_range.geojson", Dataset::Grids);
    assert_reject(
        &r,
        "feature 1",
        Some("geometry"),
        "longitude 181 is outside [-180, 180]",
    );
    assert_reject(
        &r,
        "feature 2",
        Some("geometry"),
        "latitude -91 is outside [-90, 90]",
    );
    assert_eq!(r.imported, 1);
}

#[test]
fn duplicate_grid_codes_after_migration() {
    let mut s = base_store();
    let r = dry(&mut s, "grids_duplicate.geojson", Dataset::Grids);
    assert_eq!(r.rejects.total(), 1, "{:?}", r.rejects);
    assert_reject(
        &r,
        "feature 1",
        Some("code"),
        "duplicate code `331003001002001` (first at feature 0)",
    );
}

#[test]
fn component_rows() {
    let mut s = base_store();
    let r = dry(&mut s, "components_bad.csv", Dataset::Components);
    assert_reject(&r, "line 3", Some("code"), "`33100301010000A2`");
    assert_reject(
        &r,
        "line 4",
        Some("code"),
        "class 0199 is not in the component code table",
    );
    assert_reject(
        &r,
        "line 5",
        Some("class_code"),
        "does not match the code's class 0101",
    );
    assert_reject(&r, "line 6", Some("state"), "`碎了` is not a state");
    assert_reject(&r, "line 7", Some("lon"), "longitude 200 is outside");
    assert_reject(&r, "line 8", Some("lat"), "not a finite number");
    assert_reject(&r, "line 9", Some("lat"), "required field is missing");
    assert_reject(
        &r,
        "line 10",
        Some("code"),
        "duplicate code `3310030101000001` (first at line 2)",
    );
    assert_reject(&r, "line 11", Some("code"), "not in district 331003");
    assert_eq!(r.rejects.total(), 9, "{:#?}", r.rejects);
    assert_eq!(r.imported, 1);
}

#[test]
fn case_rows() {
    let mut s = base_store();
    let r = dry(&mut s, "cases_bad.csv", Dataset::Cases);
    assert_reject(&r, "line 3", Some("kind"), "`accident` is not a case kind");
    assert_reject(
        &r,
        "line 4",
        Some("class_code"),
        "class 0999 is not in the event code table",
    );
    assert_reject(
        &r,
        "line 5",
        Some("source"),
        "`pigeon` is not a case source",
    );
    assert_reject(
        &r,
        "line 6",
        Some("reported_at"),
        "`2025-02-30 08:00:00` is not a date-time",
    );
    assert_reject(
        &r,
        "line 7",
        Some("id"),
        "duplicate id `AJ001` (first at line 2)",
    );
    assert_reject(
        &r,
        "line 8",
        Some("component"),
        "is of class 0102, not 0101",
    );
    assert_eq!(r.rejects.total(), 6, "{:#?}", r.rejects);
    assert_eq!(r.imported, 2);
}

#[test]
fn duty_grid_rows() {
    let mut s = base_store();
    let r = dry(&mut s, "duty_grids_bad.csv", Dataset::DutyGrids);
    assert_reject(
        &r,
        "line 3",
        Some("grids"),
        "unit grid 331003001001002 is already in the duty grid at line 2",
    );
    assert_reject(&r, "line 4", Some("inspector"), "required field is missing");
    assert_reject(
        &r,
        "line 5",
        Some("grids"),
        "unit grid 331003001001999 is not in the store",
    );
    assert_eq!(r.rejects.total(), 3, "{:#?}", r.rejects);
    assert_eq!(r.imported, 2);
    assert_eq!(r.migrated_codes, 1);
}

#[test]
fn refused_import_error_names_file_line_and_field() {
    let mut s = base_store();
    let idx = index_of(&s);
    let e = io::import_file(
        &mut s,
        &idx,
        &fixture("components_bad.csv"),
        Dataset::Components,
        ImportOptions::default(),
    )
    .expect_err("refused");
    assert!(matches!(e, Error::ImportRejected { count: 9, .. }), "{e:?}");
    let m = e.to_string();
    assert!(
        m.contains("components_bad.csv, line 3, field `code`"),
        "{m}"
    );
    assert!(index_of(&s).components.is_empty(), "nothing written");
}

#[test]
fn wrong_format_for_dataset_is_an_error() {
    let mut s = base_store();
    let idx = index_of(&s);
    // Every dataset comes from CSV and XLSX; duty grids from no feature file.
    let e = io::import_file(
        &mut s,
        &idx,
        Path::new("x.geojson"),
        Dataset::DutyGrids,
        ImportOptions::default(),
    );
    assert!(matches!(e, Err(Error::Invalid(_))), "{e:?}");
    let e = io::import_file(
        &mut s,
        &idx,
        Path::new("x.dxf"),
        Dataset::Grids,
        ImportOptions::default(),
    );
    assert!(matches!(e, Err(Error::Invalid(_))), "{e:?}");
    // Shapefiles are read now; a missing one is an I/O error, and cases cannot come from one.
    let e = io::import_file(
        &mut s,
        &idx,
        Path::new("x.shp"),
        Dataset::Grids,
        ImportOptions::default(),
    );
    assert!(matches!(e, Err(Error::Io { .. })), "{e:?}");
    let e = io::import_file(
        &mut s,
        &idx,
        Path::new("x.shp"),
        Dataset::Cases,
        ImportOptions::default(),
    );
    assert!(matches!(e, Err(Error::Invalid(_))), "{e:?}");
    let e = io::import_file(
        &mut s,
        &idx,
        &fixture("absent.csv"),
        Dataset::Cases,
        ImportOptions::default(),
    );
    assert!(matches!(e, Err(Error::Io { .. })), "{e:?}");
}

// ---- options ---------------------------------------------------------------------------------

#[test]
fn valid_only_imports_the_rest_and_lists_rejects() {
    let mut s = base_store();
    let idx = index_of(&s);
    let opts = ImportOptions {
        valid_only: true,
        dry_run: false,
    };
    let r = io::import_file(
        &mut s,
        &idx,
        &fixture("cases_bad.csv"),
        Dataset::Cases,
        opts,
    )
    .expect("import");
    assert_eq!((r.imported, r.rejects.total(), r.unlocated), (2, 6, 0));
    let after = index_of(&s);
    let ids: Vec<&str> = after.cases.iter().map(|c| &*c.id).collect();
    assert_eq!(ids, ["AJ001", "AJ008"]);
    assert_eq!(
        s.case_description("AJ001").expect("case").as_deref(),
        Some("暴露垃圾, 已清理")
    );
    let aj8 = &after.cases[1];
    assert_eq!(
        (aj8.kind, aj8.source, aj8.status),
        (CaseKind::Component, CaseSource::QrCode, CaseStatus::Filed)
    );
    // grid by location: (121.208, 28.608) is in the NE grid
    assert_eq!(
        aj8.grid.map(|g| g.to_string()).as_deref(),
        Some("331003001001002")
    );
}

#[test]
fn dry_run_writes_nothing() {
    let mut s = base_store();
    let r = dry(&mut s, "grids_legacy.geojson", Dataset::Grids);
    assert_eq!((r.imported, r.migrated_codes, r.dry_run), (2, 2, true));
    assert_eq!(index_of(&s).grids.len(), 4);
}

#[test]
fn legacy_grid_codes_are_migrated() {
    let mut s = base_store();
    let idx = index_of(&s);
    let r = io::import_file(
        &mut s,
        &idx,
        &fixture("grids_legacy.geojson"),
        Dataset::Grids,
        ImportOptions::default(),
    )
    .expect("import");
    assert_eq!((r.imported, r.migrated_codes), (2, 2));
    let after = index_of(&s);
    let g = after
        .grid(&GridCode::parse("331003001002002").expect("code"))
        .expect("migrated grid");
    assert_eq!(g.name, "网格202"); // the fixture's name, kept as given
    assert!(
        (g.area_m2 - griddesk::geodesy::area_m2(&g.polygon)).abs() < 1e-9 && g.area_m2 > 250_000.0
    );
}

// ---- transactions ----------------------------------------------------------------------------

#[test]
fn failure_mid_import_leaves_store_unchanged() {
    let mut s = base_store();
    let stale = index_of(&s);
    // Written after the index was built: validation cannot see it, SQLite's primary key will.
    s.write(|w| {
        w.insert_case(&Case {
            id: "C2".into(),
            location: point!(x: 121.201, y: 28.601),
            kind: CaseKind::Event,
            class_code: ClassCode::parse("0102")?,
            component: None,
            source: CaseSource::Patrol,
            reported_at: NaiveDateTime::parse_from_str("2025-01-01 00:00:00", "%Y-%m-%d %H:%M:%S")
                .expect("dt"),
            status: CaseStatus::Reported,
            description: None,
            grid: None,
            sample: false,
        })
    })
    .expect("insert");
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("cases.csv");
    let mut text = String::from("lon,lat,id,kind,class_code,source,reported_at\n");
    for id in ["C1", "C2", "C3"] {
        text.push_str(&format!(
            "121.202,28.602,{id},event,0102,patrol,2025-03-01 08:00:00\n"
        ));
    }
    std::fs::write(&path, text).expect("write");
    for valid_only in [false, true] {
        let e = io::import_file(
            &mut s,
            &stale,
            &path,
            Dataset::Cases,
            ImportOptions {
                valid_only,
                dry_run: false,
            },
        )
        .expect_err("duplicate key");
        assert!(
            matches!(&e, Error::Duplicate { what: "case", key } if key == "C2"),
            "{e:?}"
        );
        let ids: Vec<String> = index_of(&s)
            .cases
            .iter()
            .map(|c| c.id.to_string())
            .collect();
        assert_eq!(ids, ["C2"], "C1 must have been rolled back");
    }
}

// ---- round trips -----------------------------------------------------------------------------

/// The base store plus a retired grid, a duty grid, components and cases (some outside grids,
/// some on grid edges), with grids assigned as an import would.
fn populated_store() -> Store {
    let mut s = base_store();
    let idx = index_of(&s);
    let grid_at = |x: f64, y: f64| idx.grid_at(x, y).map(|i| idx.grids[i].code);
    let classes = ["0101", "0102", "0118", "0305", "0402"];
    let events = ["0102", "0199"];
    let mut state = 1u64;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 11) as f64) / ((1u64 << 53) as f64)
    };
    s.write(|w| {
        let mut retired = grid("331003001002001", square(121.21, 28.60, 121.22, 28.61));
        retired.end_date = Some(date(2025, 6, 30));
        retired.land_use = Some("居住".into());
        retired.level = Some("一类区域".into());
        retired.sample = true;
        w.insert_grid(&retired)?;
        w.insert_duty_grid(&DutyGrid {
            code: "ZR01".into(),
            name: "责任网格一".into(),
            inspector: "张三".into(),
            grids: vec![
                GridCode::parse("331003001001001")?,
                GridCode::parse("331003001001004")?,
            ],
        })?;
        for i in 0..40u32 {
            let class = classes[i as usize % classes.len()];
            // Arbitrary f64 coordinates; every tenth on the shared edge lon = 121.205.
            let (x, y) = if i % 10 == 0 {
                (121.205, 28.6 + next() * 0.01)
            } else {
                (121.2 + next() * 0.0101, 28.6 + next() * 0.01)
            };
            w.insert_component(&Component {
                code: ComponentCode::parse(&format!("331003{class}{:06}", i + 1))?,
                class_code: ClassCode::parse(class)?,
                owner: (i % 3 == 0).then(|| "自来水公司, \"城东\"".into()),
                maintainer: (i % 4 == 0).then(|| "市政".into()),
                state: ComponentState::ALL[i as usize % 4],
                location: point!(x: x, y: y),
                grid: grid_at(x, y),
                sample: i % 5 == 0,
            })?;
        }
        for i in 0..60u32 {
            let kind = if i % 3 == 0 {
                CaseKind::Component
            } else {
                CaseKind::Event
            };
            let class = match kind {
                CaseKind::Component => classes[i as usize % classes.len()],
                CaseKind::Event => events[i as usize % 2],
            };
            let (x, y) = (121.199 + next() * 0.03, 28.599 + next() * 0.012);
            w.insert_case(&Case {
                id: format!("2025{i:06}"),
                location: point!(x: x, y: y),
                kind,
                class_code: ClassCode::parse(class)?,
                component: None,
                source: CaseSource::ALL[i as usize % CaseSource::ALL.len()],
                reported_at: NaiveDateTime::parse_from_str(
                    "2025-01-01 00:00:00",
                    "%Y-%m-%d %H:%M:%S",
                )
                .expect("dt")
                    + chrono::Duration::seconds(i64::from(i) * 7919),
                status: CaseStatus::ALL[i as usize % CaseStatus::ALL.len()],
                // Every third case has a description, one with a comma, a quote and a line feed.
                description: (i % 3 == 0).then(|| format!("第{i}号: 垃圾满溢, \"路边\"\n待清运")),
                grid: grid_at(x, y),
                sample: false,
            })?;
        }
        Ok(())
    })
    .expect("populate");
    s
}

fn round_trip(csv: bool) {
    let a = populated_store();
    let ia = index_of(&a);
    assert!(ia.cases.iter().any(|c| c.grid.is_none()) && ia.cases.iter().any(|c| c.grid.is_some()));
    let dir = tempfile::tempdir().expect("tmp");
    let ext = |d: Dataset| match d {
        Dataset::DutyGrids => "csv",
        Dataset::Components | Dataset::Cases if csv => "csv",
        _ => "geojson",
    };
    for d in Dataset::ALL {
        let n = io::export_file(&ia, &a, &dir.path().join(format!("{d}.{}", ext(d))), d)
            .expect("export");
        assert!(n > 0, "{d}");
    }
    let mut b = empty_store();
    for d in Dataset::ALL {
        let idx = index_of(&b);
        let r = io::import_file(
            &mut b,
            &idx,
            &dir.path().join(format!("{d}.{}", ext(d))),
            d,
            ImportOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{d}: {e}"));
        assert!(r.rejects.is_empty() && r.migrated_codes == 0, "{d}: {r:?}");
    }
    let (sa, sb) = (a.load().expect("a"), b.load().expect("b"));
    assert_eq!(sa.streets, sb.streets);
    assert_eq!(sa.communities, sb.communities);
    assert_eq!(sa.grids, sb.grids);
    assert_eq!(sa.duty_grids, sb.duty_grids);
    assert_eq!(sa.components, sb.components);
    assert_eq!(sa.cases, sb.cases);
    assert_eq!(sa.district, sb.district);
    // The descriptions, kept in the store only, went out with the file and came back.
    let ids: Vec<&str> = sa.cases.iter().map(|c| &*c.id).collect();
    let (da, db) = (
        a.case_descriptions(&ids).expect("a"),
        b.case_descriptions(&ids).expect("b"),
    );
    assert!(da.iter().filter(|d| d.is_some()).count() > 10, "{da:?}");
    assert_eq!(da, db);
}

#[test]
fn geojson_round_trip_gives_the_same_data() {
    round_trip(false);
}

#[test]
fn csv_round_trip_gives_the_same_data() {
    round_trip(true);
}

#[test]
fn export_refuses_unsupported_formats() {
    let store = base_store();
    let idx = index_of(&store);
    let dir = tempfile::tempdir().expect("tmp");
    assert!(io::export_file(&idx, &store, &dir.path().join("g.csv"), Dataset::Grids).is_err());
    assert!(io::export_file(&idx, &store, &dir.path().join("g.txt"), Dataset::Cases).is_err());
    assert!(!dir.path().join("g.csv").exists() && !dir.path().join("g.csv.part").exists());
}

// ---- district --------------------------------------------------------------------------------

#[test]
fn district_from_boundary_file() {
    let d = io::read_district(
        &fixture("districts.geojson"),
        DistrictCode::parse("331004").expect("code"),
    )
    .expect("district");
    assert_eq!(d.name, "路桥区");
    assert_eq!(d.boundary.0.len(), 1);
    let e = io::read_district(
        &fixture("districts.geojson"),
        DistrictCode::parse("331099").expect("code"),
    )
    .expect_err("absent");
    assert!(
        e.to_string()
            .contains("districts.geojson, field `gb`: no feature for district 331099"),
        "{e}"
    );

    let real =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../resources/geo/taizhou_districts.geojson");
    let mut s = Store::in_memory().expect("store");
    let d = io::import_district(&mut s, &real, DistrictCode::parse("331003").expect("code"))
        .expect("huangyan");
    assert_eq!(d.name, "黄岩区");
    assert_eq!(
        index_of(&s).district.map(|d| d.name).as_deref(),
        Some("黄岩区")
    );
}

#[test]
fn dataset_names_parse() {
    for d in Dataset::ALL {
        assert_eq!(d.to_string().parse::<Dataset>().expect("key"), d);
    }
    assert_eq!("案件".parse::<Dataset>().expect("zh"), Dataset::Cases);
    assert_eq!(
        "Duty_Grids".parse::<Dataset>().expect("snake"),
        Dataset::DutyGrids
    );
    assert!("roads".parse::<Dataset>().is_err());
}

// ---- scale (test-sized; the lead benchmarks 1 000 000 cases) --------------------------------

fn cases_csv(n: usize) -> String {
    let mut text = String::with_capacity(n * 90);
    text.push_str("lon,lat,id,kind,class_code,source,reported_at,status\n");
    let mut state = 7u64;
    for i in 0..n {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let x = 121.2 + ((state >> 40) as f64 / (1u64 << 24) as f64) * 0.0105;
        let y = 28.6 + ((state >> 16 & 0xFF_FFFF) as f64 / (1u64 << 24) as f64) * 0.0101;
        text.push_str(&format!(
            "{x},{y},AJ{i:07},event,0102,{},2025-{:02}-{:02} {:02}:{:02}:00,closed\n",
            ["patrol", "hotline_12319", "public"][i % 3],
            1 + i % 12,
            1 + i % 28,
            i % 24,
            i % 60
        ));
    }
    text
}

#[test]
fn bulk_case_import_assigns_grids_like_grid_at() {
    let mut s = base_store();
    let idx = index_of(&s);
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("cases.csv");
    std::fs::write(&path, cases_csv(25_000)).expect("write");
    let r = io::import_file(
        &mut s,
        &idx,
        &path,
        Dataset::Cases,
        ImportOptions::default(),
    )
    .expect("import");
    assert_eq!(r.imported, 25_000);
    let after = index_of(&s);
    assert_eq!(after.cases.len(), 25_000);
    let mut unlocated = 0;
    for c in &after.cases {
        let want = idx
            .grid_at(c.location.x(), c.location.y())
            .map(|i| idx.grids[i].code);
        assert_eq!(c.grid, want, "{}", c.id);
        unlocated += usize::from(want.is_none());
    }
    assert_eq!(r.unlocated, unlocated);
    assert!(unlocated > 0 && unlocated < 2_500, "{unlocated}");
}

/// `cargo test --release -p griddesk --test it -- --ignored --nocapture import_fixtures::`
#[test]
#[ignore = "timing run: 1 000 000 cases; run in release"]
fn million_cases_timing() {
    let dir = tempfile::tempdir().expect("tmp");
    let csv_path = dir.path().join("cases.csv");
    std::fs::write(&csv_path, cases_csv(1_000_000)).expect("write");
    let mut s = Store::create(&dir.path().join("store.sqlite")).expect("create");
    let base = index_of(&base_store());
    s.write(|w| {
        w.put_code_tables(&base.code_tables)?;
        w.put_district(&district())?;
        base.streets.iter().try_for_each(|x| w.insert_street(x))?;
        base.communities
            .iter()
            .try_for_each(|x| w.insert_community(x))?;
        base.grids.iter().try_for_each(|x| w.insert_grid(x))
    })
    .expect("copy");
    let idx = index_of(&s);
    let t = std::time::Instant::now();
    let r = io::import_file(
        &mut s,
        &idx,
        &csv_path,
        Dataset::Cases,
        ImportOptions::default(),
    )
    .expect("import");
    eprintln!(
        "import_file: {} cases in {:.2?} ({} unlocated)",
        r.imported,
        t.elapsed(),
        r.unlocated
    );

    // The same again into a second store, phase by phase.
    let mut s2 = Store::create(&dir.path().join("store2.sqlite")).expect("create");
    s2.write(|w| {
        w.put_code_tables(&base.code_tables)?;
        w.put_district(&district())?;
        base.streets.iter().try_for_each(|x| w.insert_street(x))?;
        base.communities
            .iter()
            .try_for_each(|x| w.insert_community(x))?;
        base.grids.iter().try_for_each(|x| w.insert_grid(x))
    })
    .expect("copy");
    let t = std::time::Instant::now();
    let bytes = std::fs::read(&csv_path).expect("read");
    let t_read = t.elapsed();
    let mut parsed = io::read("cases.csv", &bytes, Format::Csv, Dataset::Cases, &idx);
    let t_parse = t.elapsed();
    let unlocated = parsed
        .records
        .assign_grids(&idx, &|pts| io::locate_points(&idx, pts));
    let t_locate = t.elapsed();
    let n = s2.write(|w| parsed.records.write(w)).expect("write");
    let t_write = t.elapsed();
    eprintln!(
        "phases: {n} cases ({unlocated} unlocated) in {t_write:.2?}: read {t_read:.2?}, parse+validate {:.2?}, locate {:.2?}, insert {:.2?}",
        t_parse - t_read,
        t_locate - t_parse,
        t_write - t_locate
    );
}

// ---- fuzz: readers never panic -------------------------------------------------------------

fn fuzz_index() -> &'static SpatialIndex {
    use std::sync::OnceLock;
    static IDX: OnceLock<SpatialIndex> = OnceLock::new();
    IDX.get_or_init(|| index_of(&populated_store()))
}

fn read_all(bytes: &[u8]) {
    let idx = fuzz_index();
    for format in [Format::GeoJson, Format::Csv] {
        for d in Dataset::ALL {
            let p = io::read("fuzz", bytes, format, d, idx);
            for r in &p.rejects {
                assert_eq!(r.location.file, "fuzz");
            }
        }
    }
}

fn mutate(base: &[u8], edits: &[(usize, u8, u8)]) -> Vec<u8> {
    const SPICE: &[u8] = b"[]{}\",:.-+eE0123456789 \n\r;\\/NaInfnul\xe4\xb8\xad\xff";
    let mut v = base.to_vec();
    for &(pos, op, byte) in edits {
        if v.is_empty() {
            v.push(byte);
            continue;
        }
        let i = pos % v.len();
        let b = SPICE[byte as usize % SPICE.len()];
        match op % 4 {
            0 => v[i] = b,
            1 => v.insert(i, b),
            2 => {
                v.remove(i);
            }
            _ => v.truncate(i),
        }
    }
    v
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        (-200.0..200.0f64).prop_map(|f| serde_json::json!(f)),
        "[0-9A-Za-z中 ]{0,18}".prop_map(Value::String),
        prop_oneof![
            Just("Point"),
            Just("Polygon"),
            Just("MultiPolygon"),
            Just("Feature")
        ]
        .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("type".to_string()),
                    Just("coordinates".to_string()),
                    Just("code".to_string()),
                    Just("start_date".to_string()),
                    "[a-z_]{1,8}"
                ],
                inner,
                0..5
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        read_all(&bytes);
    }

    #[test]
    fn mutated_valid_files_never_panic(
        which in 0usize..4,
        edits in prop::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..8),
    ) {
        let base = match which {
            0 => std::fs::read(fixture("grids_legacy.geojson")),
            1 => std::fs::read(fixture("cases_bad.csv")),
            2 => std::fs::read(fixture("components_bad.csv")),
            _ => std::fs::read(fixture("duty_grids_bad.csv")),
        }.expect("fixture");
        read_all(&mutate(&base, &edits));
    }

    #[test]
    fn arbitrary_features_never_panic(
        geometry in json_value(),
        properties in json_value(),
        coords in prop::collection::vec(prop::collection::vec((-200.0..200.0f64, -100.0..100.0f64), 0..7), 0..3),
        kind in prop_oneof![Just("Point"), Just("Polygon"), Just("MultiPolygon"), Just("LineString")],
    ) {
        let rings: Vec<Vec<[f64; 2]>> = coords.iter().map(|r| r.iter().map(|&(x, y)| [x, y]).collect()).collect();
        let coordinates = match kind {
            "Point" => serde_json::json!(rings.first().and_then(|r| r.first())),
            "MultiPolygon" => serde_json::json!([rings]),
            _ => serde_json::json!(rings),
        };
        let fc = serde_json::json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": geometry, "properties": properties},
            {"type": "Feature", "geometry": {"type": kind, "coordinates": coordinates},
             "properties": {"code": "331003001002001", "start_date": "2024-01-01", "id": "X", "kind": "event"}},
        ]});
        read_all(&serde_json::to_vec(&fc).expect("json"));
    }
}

// ---- the shipped sample district ---------------------------------------------------------------

/// The sample in resources/sample/ (written by the generator) imports without a single reject,
/// in manifest order, and every case lands in the grid the generator recorded.
#[test]
fn shipped_sample_imports_cleanly() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../resources/sample");
    let manifest_file = dir.join("manifest.json");
    let text = std::fs::read_to_string(&manifest_file).unwrap_or_else(|e| {
        crate::common::missing(
            &format!("the shipped sample {} ({e})", manifest_file.display()),
            "resources/sample/ is part of the repository; restore it, or write it again with \
             `griddesk generate --out-dir resources/sample`",
        )
    });
    let manifest: serde_json::Value = serde_json::from_str(&text).expect("manifest");
    let mut s = empty_store();
    let code = manifest["district_code"].as_str().expect("district_code");
    let district_file = manifest["district_file"].as_str().expect("district_file");
    io::import_district(
        &mut s,
        &dir.join(district_file),
        DistrictCode::parse(code).expect("code"),
    )
    .expect("district");
    for pair in manifest["files"].as_array().expect("files") {
        let (d, f) = (
            pair[0].as_str().expect("dataset"),
            pair[1].as_str().expect("file"),
        );
        let dataset: Dataset = d.parse().expect("dataset");
        let idx = index_of(&s);
        let r = io::import_file(
            &mut s,
            &idx,
            &dir.join(f),
            dataset,
            ImportOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(r.imported > 0 && r.rejects.is_empty(), "{f}: {r:?}");
    }
    let idx = index_of(&s);
    let mut rdr = csv::Reader::from_path(dir.join("cases.csv")).expect("cases.csv");
    let header = rdr.headers().expect("header").clone();
    let col = |name: &str| header.iter().position(|h| h == name).expect("column");
    let (id_col, grid_col) = (col("id"), col("grid"));
    let recorded: std::collections::HashMap<String, String> = rdr
        .records()
        .map(|r| {
            let r = r.expect("row");
            (r[id_col].to_string(), r[grid_col].to_string())
        })
        .collect();
    for c in &idx.cases {
        let got = c.grid.map(|g| g.to_string()).unwrap_or_default();
        assert_eq!(recorded.get(&*c.id), Some(&got), "case {}", c.id);
    }
}
