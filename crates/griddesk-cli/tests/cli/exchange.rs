//! Exchange files as Chinese offices have them (issue 16): Gauss-Krüger files on Beijing 1954
//! or Xian 1980, GBK CSV with Chinese headers, projected GeoJSON, and files of garbage.

use super::{griddesk, ok, resources, text};
use std::path::Path;

fn small_store(dir: &Path) -> String {
    let db = dir.join("d.sqlite");
    let dbs = db.to_str().expect("path").to_string();
    let res = resources();
    ok(
        &griddesk(&[
            "generate",
            "--grids",
            "40",
            "--cases",
            "0",
            "--db",
            &dbs,
            "--resources",
            res.to_str().expect("path"),
        ]),
        "generate",
    );
    dbs
}

fn import(db: &str, dataset: &str, file: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "import",
        db,
        dataset,
        file.to_str().expect("path"),
        "--admin",
    ];
    args.extend(extra);
    griddesk(&args)
}

/// The .prj of EPSG:2437 as GDAL writes it (ESRI WKT, no authority code).
const BEIJING_2437: &str = "PROJCS[\"Beijing_1954_3_Degree_GK_CM_120E\",GEOGCS[\"GCS_Beijing_1954\",DATUM[\"D_Beijing_1954\",SPHEROID[\"Krasovsky_1940\",6378245.0,298.3]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]],PROJECTION[\"Gauss_Kruger\"],PARAMETER[\"False_Easting\",500000.0],PARAMETER[\"False_Northing\",0.0],PARAMETER[\"Central_Meridian\",120.0],PARAMETER[\"Scale_Factor\",1.0],PARAMETER[\"Latitude_Of_Origin\",0.0],UNIT[\"Meter\",1.0]]";

/// A Shapefile whose .prj says Beijing 1954 is refused naming the datum (it was read as
/// CGCS2000, 56 m off); with --towgs84 it is converted. A bad --towgs84 is refused clearly.
#[test]
fn a_beijing_1954_shapefile_is_refused_unless_the_seven_parameters_are_given() {
    let dir = tempfile::tempdir().expect("dir");
    let db = small_store(dir.path());
    let shp = dir.path().join("grids.shp");
    ok(
        &griddesk(&[
            "export",
            &db,
            "grids",
            shp.to_str().expect("path"),
            "--crs",
            "gk-cm120",
        ]),
        "export",
    );
    std::fs::write(shp.with_extension("prj"), BEIJING_2437).expect("prj");
    let o = import(&db, "grids", &shp, &[]);
    let t = text(&o);
    assert!(!o.status.success(), "{t}");
    assert!(
        t.contains("Beijing 1954 (Krassowsky 1940 ellipsoid), not CGCS2000")
            && t.contains("--towgs84 dx,dy,dz,rx,ry,rz,s"),
        "{t}"
    );
    // With the local parameters the file is read (its grids are the store's own, so the dry
    // run lists them as already there, and says nothing about the datum).
    let o = import(
        &db,
        "grids",
        &shp,
        &["--dry-run", "--towgs84", "-15.8,154.4,82.3,0,0,0,0"],
    );
    let t = text(&o);
    assert!(
        t.contains("already exists") && !t.contains("Beijing"),
        "{t}"
    );
    for (bad, why) in [
        ("1,2,3,4", "found 4 numbers"),
        ("1,2,x,0,0,0,0", "`x` is not a number"),
    ] {
        let o = import(&db, "grids", &shp, &["--towgs84", bad]);
        assert!(
            !o.status.success() && text(&o).contains(why),
            "{bad}: {}",
            text(&o)
        );
    }
    // --towgs84 on a CGCS2000 file is a mistake, said as such.
    std::fs::write(
        shp.with_extension("prj"),
        BEIJING_2437
            .replace("6378245.0,298.3", "6378137.0,298.257222101")
            .replace("Beijing", "CGCS2000"),
    )
    .expect("prj");
    let o = import(&db, "grids", &shp, &["--towgs84", "1,2,3"]);
    assert!(
        !o.status.success() && text(&o).contains("not on Beijing 1954 or Xian 1980"),
        "{}",
        text(&o)
    );
}

/// A GeoJSON of components in Xian 1980 Gauss-Krüger (a `crs` member, as GDAL writes it) is
/// refused naming the datum, and imported with --towgs84 (a pure translation here) at the
/// point the transformation gives.
#[test]
fn a_xian_1980_geojson_converts_with_towgs84() {
    let dir = tempfile::tempdir().expect("dir");
    let db = small_store(dir.path());
    let file = dir.path().join("c.geojson");
    let doc = r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::2385"}},"features":[{"type":"Feature","properties":{"code":"3310030101099999"},"geometry":{"type":"Point","coordinates":[623201.41,3170018.88]}}]}"#;
    std::fs::write(&file, doc).expect("write");
    let o = import(&db, "components", &file, &[]);
    assert!(
        !o.status.success() && text(&o).contains("Xian 1980 (IAG 1975 ellipsoid)"),
        "{}",
        text(&o)
    );
    let o = import(&db, "components", &file, &["--towgs84", "0,0,0"]);
    let t = ok(&o, "import with --towgs84");
    assert!(t.contains("imported 1 components"), "{t}");
}

/// GBK CSV with Chinese headers (Excel on a Chinese Windows) imports; --encoding is honoured;
/// a header that is not understood is named with the expected names.
#[test]
fn a_gbk_csv_with_chinese_headers_imports() {
    let dir = tempfile::tempdir().expect("dir");
    let db = small_store(dir.path());
    let file = dir.path().join("gbk.csv");
    let mut b = Vec::new();
    // 编码,经度,纬度,权属单位 in GBK
    b.extend([0xB1, 0xE0, 0xC2, 0xEB, b',', 0xBE, 0xAD, 0xB6, 0xC8, b',']);
    b.extend([
        0xCE, 0xB3, 0xB6, 0xC8, b',', 0xC8, 0xA8, 0xCA, 0xF4, 0xB5, 0xA5, 0xCE, 0xBB,
    ]);
    b.extend(b"\r\n3310030101099999,121.26,28.64,");
    b.extend([0xB3, 0xC7, 0xB9, 0xDC, 0xBE, 0xD6]); // 城管局
    b.extend(b"\r\n");
    std::fs::write(&file, &b).expect("write");
    // Forced UTF-8: the header is not understood, and the message says so.
    let o = import(&db, "components", &file, &["--encoding", "utf-8"]);
    let t = text(&o);
    assert!(
        !o.status.success()
            && t.contains("does not understand")
            && t.contains("expected column names"),
        "{t}"
    );
    let o = import(
        &db,
        "components",
        &file,
        &["--encoding", "gbk", "--dry-run"],
    );
    assert!(ok(&o, "gbk").contains("would import 1 components"));
    let o = import(&db, "components", &file, &[]);
    assert!(ok(&o, "detected").contains("imported 1 components"));
    let unknown = dir.path().join("odd.csv");
    std::fs::write(&unknown, "编号,东,北\n1,2,3\n").expect("write");
    let t = text(&import(&db, "components", &unknown, &[]));
    assert!(
        t.contains("`东`, `北`") && t.contains("lon (lng, longitude, x, 经度"),
        "{t}"
    );
}

/// A GeoJSON in Gauss-Krüger metres without a CRS says it looks projected and how to name it.
#[test]
fn a_projected_geojson_says_how_to_name_its_crs() {
    let dir = tempfile::tempdir().expect("dir");
    let db = small_store(dir.path());
    let file = dir.path().join("p.geojson");
    let doc = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"3310030101099999"},"geometry":{"type":"Point","coordinates":[40623201.41,3170018.88]}}]}"#;
    std::fs::write(&file, doc).expect("write");
    let t = text(&import(&db, "components", &file, &[]));
    assert!(
        t.contains("looks like Gauss-Kruger metres with zone 40")
            && t.contains("--crs EPSG:4528")
            && !t.contains("outside [-180, 180]"),
        "{t}"
    );
    let o = import(&db, "components", &file, &["--crs", "EPSG:4528"]);
    assert!(ok(&o, "with --crs").contains("imported 1 components"));
}

/// 200 000 rows of garbage: the first 1 000 rejects are printed, then how many more and the
/// total; nothing is written.
#[test]
fn a_garbage_file_lists_the_first_rejects_and_the_total() {
    let dir = tempfile::tempdir().expect("dir");
    let db = small_store(dir.path());
    let file = dir.path().join("garbage.csv");
    let mut s = String::from("code,lon,lat\n");
    for i in 0..200_000 {
        s.push_str(&format!("x{i}\n"));
    }
    std::fs::write(&file, s).expect("write");
    let o = import(&db, "components", &file, &[]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    let listed = err.lines().filter(|l| l.starts_with("rejected: ")).count();
    assert_eq!(listed, 1000, "{}", &err[..err.len().min(2000)]);
    assert!(err.contains("… and 199000 more (total 200000)"));
    assert!(err.contains("200000 error(s)") && err.contains("nothing was imported"));
    let o = import(&db, "components", &file, &["--valid-only"]);
    let t = ok(&o, "valid-only");
    assert!(
        t.contains("imported 0 components") && t.contains("200000 rejected"),
        "{t}"
    );
}
