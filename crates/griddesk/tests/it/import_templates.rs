//! Import templates and XLSX import through the store: every template (CSV and XLSX) is valid
//! in the sample district, a bad XLSX row is refused naming its row and field with nothing
//! written, and streets and communities come from XLSX with WKT into a bare district.

use griddesk::code::DistrictCode;
use griddesk::codetable::CodeTables;
use griddesk::index::SpatialIndex;
use griddesk::io::{self, Dataset, ImportOptions, TemplateFormat};
use griddesk::store::Store;
use griddesk::Error;
use rust_xlsxwriter::Workbook;
use std::path::{Path, PathBuf};

fn resources() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../resources")
}

fn index_of(s: &Store) -> SpatialIndex {
    SpatialIndex::build(s.load().expect("load"))
}

/// A store with the code tables and the district outline of 黄岩区 only.
fn district_store() -> Store {
    let mut s = Store::in_memory().expect("store");
    let tables = CodeTables::load_dir(&resources().join("codes")).expect("tables");
    s.write(|w| w.put_code_tables(&tables)).expect("tables");
    io::import_district(
        &mut s,
        &resources().join("geo/taizhou_districts.geojson"),
        DistrictCode::parse("331003").expect("code"),
    )
    .expect("district");
    s
}

fn import(s: &mut Store, path: &Path, dataset: Dataset, dry_run: bool) -> io::ImportReport {
    let idx = index_of(s);
    io::import_file(
        s,
        &idx,
        path,
        dataset,
        ImportOptions {
            valid_only: false,
            dry_run,
        },
    )
    .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The district with the sample's streets, communities, grids and duty grids.
fn sample_store() -> Store {
    let mut s = district_store();
    for (dataset, file) in [
        (Dataset::Streets, "streets.geojson"),
        (Dataset::Communities, "communities.geojson"),
        (Dataset::Grids, "grids.geojson"),
        (Dataset::DutyGrids, "duty_grids.csv"),
    ] {
        import(
            &mut s,
            &resources().join("sample").join(file),
            dataset,
            false,
        );
    }
    s
}

fn count(s: &Store, dataset: Dataset) -> usize {
    let i = index_of(s);
    match dataset {
        Dataset::Streets => i.streets.len(),
        Dataset::Communities => i.communities.len(),
        Dataset::Grids => i.grids.len(),
        Dataset::DutyGrids => i.duty_grids.len(),
        Dataset::Components => i.components.len(),
        Dataset::Cases => i.cases.len(),
    }
}

#[test]
fn templates_import_into_the_sample_district_and_bad_xlsx_rows_are_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let mut s = sample_store();
    // Each template's example row is valid, dry run, in CSV and XLSX; the XLSX one is then
    // imported, since later examples build on it (the duty grid lists the example grid).
    for dataset in Dataset::ALL {
        let before = count(&s, dataset);
        for format in [TemplateFormat::Csv, TemplateFormat::Xlsx] {
            let path = dir
                .path()
                .join(format!("{}.{}", dataset.key(), format.extension()));
            io::write_template(dataset, format, &path).expect("template");
            let r = import(&mut s, &path, dataset, true);
            let rejects: Vec<String> = r.rejects.iter().map(ToString::to_string).collect();
            assert!(rejects.is_empty(), "{dataset} {format:?}: {rejects:#?}");
            assert_eq!(r.imported, 1, "{dataset} {format:?}");
        }
        let path = dir.path().join(format!("{}.xlsx", dataset.key()));
        assert_eq!(import(&mut s, &path, dataset, false).imported, 1);
        assert_eq!(count(&s, dataset), before + 1, "{dataset}");
    }

    // A bad row refuses the file: the error names the file, the sheet row and the field, and
    // nothing is written.
    let path = dir.path().join("bad.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let rows: [[&str; 3]; 3] = [
        ["部件标识码*", "经度*", "纬度*"],
        ["3310030101900002", "121.2325", "28.6485"],
        ["3310030101900003", "东经121度", "28.6485"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, *v).expect("cell");
        }
    }
    wb.save(&path).expect("save");
    let before = count(&s, Dataset::Components);
    let idx = index_of(&s);
    let e = io::import_file(
        &mut s,
        &idx,
        &path,
        Dataset::Components,
        ImportOptions::default(),
    );
    match e {
        Err(Error::ImportRejected { count, first, .. }) => {
            assert_eq!(count, 1);
            let m = first.to_string();
            assert!(m.contains("bad.xlsx, line 3, field `lon`"), "{m}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(count(&s, Dataset::Components), before);
}

#[test]
fn streets_and_communities_come_from_xlsx_with_wkt() {
    let dir = tempfile::tempdir().expect("dir");
    let mut s = district_store();
    let sheet = |name: &str, rows: &[[&str; 3]]| {
        let path = dir.path().join(name);
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                ws.write_string(r as u32, c as u16, *v).expect("cell");
            }
        }
        wb.save(&path).expect("save");
        path
    };
    let streets = sheet(
        "streets.xlsx",
        &[
            ["街道编码*", "街道名称*", "边界WKT*"],
            [
                "331003001",
                "西城街道",
                "POLYGON((121.23 28.64,121.24 28.64,121.24 28.65,121.23 28.65,121.23 28.64))",
            ],
            [
                "331003002",
                "东城街道",
                "POLYGON((121.24 28.64,121.25 28.64,121.25 28.65,121.24 28.65,121.24 28.64))",
            ],
        ],
    );
    let communities = sheet(
        "communities.xlsx",
        &[
            ["社区编码*", "社区名称*", "边界WKT*"],
            [
                "331003001001",
                "永宁社区",
                "POLYGON((121.23 28.64,121.235 28.64,121.235 28.65,121.23 28.65,121.23 28.64))",
            ],
        ],
    );
    assert_eq!(
        (count(&s, Dataset::Streets), count(&s, Dataset::Communities)),
        (0, 0)
    );
    assert_eq!(
        import(&mut s, &streets, Dataset::Streets, false).imported,
        2
    );
    assert_eq!(
        import(&mut s, &communities, Dataset::Communities, false).imported,
        1
    );
    assert_eq!(
        (count(&s, Dataset::Streets), count(&s, Dataset::Communities)),
        (2, 1)
    );
}
