//! The `griddesk` binary as a user runs it.

use crate::{griddesk, resources, text};
use std::path::Path;
use std::process::{Command, Output};

#[test]
fn every_command_has_help() {
    for cmd in [
        vec!["--help"],
        vec!["init", "--help"],
        vec!["import", "--help"],
        vec!["import-district", "--help"],
        vec!["export", "--help"],
        vec!["validate", "--help"],
        vec!["locate", "--help"],
        vec!["generate", "--help"],
        vec!["stats", "--help"],
        vec!["tile", "--help"],
        vec!["search", "--help"],
        vec!["bench", "open", "--help"],
        vec!["bench", "locate", "--help"],
        vec!["zones", "--help"],
        vec!["zones", "layers", "--help"],
        vec!["zones", "layer-add", "--help"],
        vec!["zones", "zone-add", "--help"],
        vec!["zones", "assign", "--help"],
        vec!["zones", "list", "--help"],
        vec!["zones", "unit-add", "--help"],
        vec!["zones", "person-add", "--help"],
        vec!["zones", "person-list", "--help"],
        vec!["zones", "person", "--help"],
        vec!["zones", "who-is-here", "--help"],
        vec!["zones", "road-add", "--help"],
        vec!["zones", "import", "--help"],
        vec!["zones", "export", "--help"],
        vec!["zones", "roads-import", "--help"],
        vec!["zones", "roads-export", "--help"],
        vec!["bench", "topology", "--help"],
        vec!["plan", "--help"],
        vec!["plan", "split", "--help"],
        vec!["plan", "merge", "--help"],
        vec!["plan", "move-vertex", "--help"],
        vec!["plan", "insert-vertex", "--help"],
        vec!["plan", "delete-vertex", "--help"],
        vec!["plan", "add", "--help"],
        vec!["plan", "reshape", "--help"],
        vec!["plan", "propose", "--help"],
        vec!["plan", "renumber", "--help"],
        vec!["plan", "undo", "--help"],
        vec!["plan", "redo", "--help"],
        vec!["plan", "history", "--help"],
        vec!["plan", "as-of", "--help"],
        vec!["plan", "settings", "--help"],
        vec!["user", "add", "--help"],
        vec!["user", "list", "--help"],
        vec!["department", "add", "--help"],
        vec!["routing", "add", "--help"],
        vec!["case", "intake", "--help"],
        vec!["case", "act", "--help"],
        vec!["case", "show", "--help"],
        vec!["case", "list", "--help"],
        vec!["case", "queue", "--help"],
        vec!["case", "clocks", "--help"],
        vec!["case", "import-history", "--help"],
        vec!["calendar", "import", "--help"],
        vec!["calendar", "deadline", "--help"],
        vec!["component", "code", "--help"],
        vec!["component", "add", "--help"],
        vec!["component", "edit", "--help"],
        vec!["component", "qr", "--help"],
        vec!["component", "plates", "--help"],
        vec!["component", "scan", "--help"],
        vec!["repeats", "--help"],
    ] {
        let o = griddesk(&cmd);
        assert!(o.status.success(), "{cmd:?}: {}", text(&o));
        assert!(text(&o).contains("Usage"), "{cmd:?}");
    }
}

#[test]
fn sample_store_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.sqlite");
    let dbs = db.to_str().unwrap();
    let res = resources();
    let o = griddesk(&[
        "init",
        dbs,
        "--sample",
        "--resources",
        res.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("黄岩区") && text(&o).contains("[sample data]"),
        "{}",
        text(&o)
    );

    let o = griddesk(&["stats", dbs, "--json"]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let grids = v["overview"]["grids"].as_u64().unwrap();
    assert!(grids > 1000, "{v}");

    let o = griddesk(&["validate", dbs]);
    assert!(o.status.success(), "sample must validate: {}", text(&o));
    assert!(text(&o).contains("0 errors"), "{}", text(&o));

    // Find a grid, then locate a point inside it through a CSV.
    let o = griddesk(&["search", dbs, "331003001001001"]);
    let first = String::from_utf8_lossy(&o.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(first.starts_with("grid\t331003001001001"), "{first}");
    let export = dir.path().join("grids.geojson");
    assert!(
        griddesk(&["export", dbs, "grids", export.to_str().unwrap()])
            .status
            .success()
    );
    let fc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&export).unwrap()).unwrap();
    assert_eq!(fc["features"].as_array().unwrap().len() as u64, grids);

    let comps = dir.path().join("components.csv");
    assert!(
        griddesk(&["export", dbs, "components", comps.to_str().unwrap()])
            .status
            .success()
    );
    let out = dir.path().join("located.csv");
    let o = griddesk(&[
        "locate",
        dbs,
        comps.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let mut rdr = csv::Reader::from_path(&out).unwrap();
    let h = rdr.headers().unwrap().clone();
    let (gi, li) = (h.iter().position(|c| c == "grid").unwrap(), h.len() - 1);
    for r in rdr.records().take(500) {
        let r = r.unwrap();
        assert_eq!(
            &r[gi], &r[li],
            "the located grid equals the component's recorded grid"
        );
    }

    let tile = dir.path().join("t.pbf");
    let o = griddesk(&["tile", dbs, "3", "99", "0", tile.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(text(&o).contains("bad tile address"), "{}", text(&o));
}

#[test]
fn bad_import_names_file_line_and_field_and_imports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.sqlite");
    let dbs = db.to_str().unwrap();
    let res = resources();
    assert!(griddesk(&[
        "init",
        dbs,
        "--sample",
        "--resources",
        res.to_str().unwrap()
    ])
    .status
    .success());
    let before: serde_json::Value =
        serde_json::from_slice(&griddesk(&["stats", dbs, "--json"]).stdout).unwrap();

    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "lon,lat,id,kind,class_code,source,reported_at,status\n\
         121.26,28.64,X-1,event,0102,patrol,2026-01-05 09:00:00,reported\n\
         121.26,95.0,X-2,event,0102,patrol,2026-01-05 09:00:00,reported\n\
         121.26,28.64,X-3,event,9999,patrol,2026-01-05 09:00:00,reported\n",
    )
    .unwrap();
    // Cases are an administrator's import: nobody named is refused before the file is read.
    let o = griddesk(&["import", dbs, "cases", bad.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(text(&o).contains("--admin"), "{}", text(&o));
    let o = griddesk(&["import", dbs, "cases", bad.to_str().unwrap(), "--admin"]);
    assert!(!o.status.success());
    let t = text(&o);
    assert!(t.contains("bad.csv, line 3, field `lat`"), "{t}");
    assert!(t.contains("bad.csv, line 4, field `class_code`"), "{t}");
    assert!(t.contains("nothing was imported"), "{t}");
    let after: serde_json::Value =
        serde_json::from_slice(&griddesk(&["stats", dbs, "--json"]).stdout).unwrap();
    assert_eq!(before["overview"]["cases"], after["overview"]["cases"]);

    let o = griddesk(&[
        "import",
        dbs,
        "cases",
        bad.to_str().unwrap(),
        "--valid-only",
        "--admin",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("imported 1 cases") && text(&o).contains("2 rejected"),
        "{}",
        text(&o)
    );

    let o = griddesk(&["stats", dir.path().join("missing.sqlite").to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(text(&o).contains("store not found"), "{}", text(&o));
}

#[test]
fn zones_people_and_exchange_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("z.sqlite");
    let dbs = db.to_str().unwrap();
    let res = resources();
    let o = griddesk(&[
        "init",
        dbs,
        "--sample",
        "--resources",
        res.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));

    let o = griddesk(&["zones", "layers", dbs]);
    assert!(o.status.success(), "{}", text(&o));
    for name in ["责任网格", "片区", "中队辖区", "执法网格"] {
        assert!(text(&o).contains(name), "{}", text(&o));
    }
    // Who is here, at the first grid's label point (from the engine's own JSON).
    let o = griddesk(&["search", dbs, "331003001001001"]);
    let line = String::from_utf8_lossy(&o.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(line.starts_with("grid"), "{line}");
    let geo = dir.path().join("g.geojson");
    assert!(griddesk(&["export", dbs, "grids", geo.to_str().unwrap()])
        .status
        .success());
    let fc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&geo).unwrap()).unwrap();
    let ring = &fc["features"][0]["geometry"]["coordinates"][0];
    let n = ring.as_array().unwrap().len() - 1;
    let (mut lon, mut lat) = (0.0, 0.0);
    for p in ring.as_array().unwrap().iter().take(n) {
        lon += p[0].as_f64().unwrap() / n as f64;
        lat += p[1].as_f64().unwrap() / n as f64;
    }
    let (lons, lats) = (lon.to_string(), lat.to_string());
    let o = griddesk(&["zones", "who-is-here", dbs, &lons, &lats, "--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["grid"]["code"], "331003001001001", "{v}");
    assert_eq!(v["layers"].as_array().unwrap().len(), 4);
    assert!(v["layers"]
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["zone"]["people"][0]["name"].is_string()));

    // People, a new layer and a zone; a second zone may not take the same grid.
    for args in [
        vec![
            "zones",
            "unit-add",
            dbs,
            "HW",
            "环卫所",
            "--kind",
            "作业单位",
            "--as",
            "planner",
            "--password",
            "planner@2026",
        ],
        vec![
            "zones",
            "person-add",
            dbs,
            "T1",
            "张三",
            "--role",
            "巷长",
            "--unit",
            "HW",
            "--as",
            "planner",
            "--password",
            "planner@2026",
        ],
        vec![
            "zones",
            "layer-add",
            dbs,
            "clean",
            "环卫网格",
            "--kind",
            "custom",
            "--as",
            "planner",
            "--password",
            "planner@2026",
        ],
        vec![
            "zones",
            "zone-add",
            dbs,
            "clean",
            "C1",
            "一号",
            "--people",
            "T1",
            "--grids",
            "331003001001001,331003001001002",
            "--as",
            "planner",
            "--password",
            "planner@2026",
        ],
    ] {
        let o = griddesk(&args);
        assert!(o.status.success(), "{args:?}: {}", text(&o));
    }
    let o = griddesk(&[
        "zones",
        "zone-add",
        dbs,
        "clean",
        "C2",
        "二号",
        "--grids",
        "331003001001002",
        "--as",
        "planner",
        "--password",
        "planner@2026",
    ]);
    assert!(!o.status.success());
    assert!(text(&o).contains("C1"), "{}", text(&o));
    // The refused edit left nothing behind, not even the zone.
    let o = griddesk(&["zones", "list", dbs, "clean"]);
    assert!(!text(&o).contains("C2"), "{}", text(&o));
    let o = griddesk(&[
        "zones",
        "zone-add",
        dbs,
        "clean",
        "C2",
        "二号",
        "--as",
        "planner",
        "--password",
        "planner@2026",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let o = griddesk(&[
        "zones",
        "assign",
        dbs,
        "clean",
        "C2",
        "331003001001002",
        "--move",
        "--as",
        "planner",
        "--password",
        "planner@2026",
    ]);
    assert!(
        o.status.success() && text(&o).contains("1 moved"),
        "{}",
        text(&o)
    );
    let o = griddesk(&["zones", "list", dbs, "clean"]);
    assert!(text(&o).contains("C1\t一号\t1 grids"), "{}", text(&o));
    let o = griddesk(&["zones", "person", dbs, "T1"]);
    assert!(
        text(&o).contains("环卫网格") && text(&o).contains("C1"),
        "{}",
        text(&o)
    );
    let o = griddesk(&["zones", "person-list", dbs]);
    assert!(text(&o).contains("张三\t巷长"), "{}", text(&o));

    // A GBK Shapefile in Gauss-Krüger, and back.
    let shp = dir.path().join("sectors.shp");
    let o = griddesk(&[
        "zones",
        "export",
        dbs,
        "sector",
        shp.to_str().unwrap(),
        "--crs",
        "gk-cm120",
        "--encoding",
        "gbk",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("sectors.cpg")).unwrap(),
        "GBK"
    );
    let o = griddesk(&[
        "zones",
        "layer-add",
        dbs,
        "sector2",
        "片区副本",
        "--kind",
        "sector",
        "--as",
        "planner",
        "--password",
        "planner@2026",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let o = griddesk(&[
        "zones",
        "import",
        dbs,
        "sector2",
        shp.to_str().unwrap(),
        "--as",
        "planner",
        "--password",
        "planner@2026",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let a = griddesk(&["zones", "list", dbs, "sector", "--json"]);
    let b = griddesk(&["zones", "list", dbs, "sector2", "--json"]);
    let (a, b): (serde_json::Value, serde_json::Value) = (
        serde_json::from_slice(&a.stdout).unwrap(),
        serde_json::from_slice(&b.stdout).unwrap(),
    );
    assert_eq!(a.as_array().unwrap().len(), b.as_array().unwrap().len());
    for (x, y) in a.as_array().unwrap().iter().zip(b.as_array().unwrap()) {
        assert_eq!(
            (&x["code"], &x["name"], &x["grids"]),
            (&y["code"], &y["name"], &y["grids"])
        );
    }
    // Grids as a GeoPackage in a prefixed Gauss-Krüger zone.
    let gpkg = dir.path().join("grids.gpkg");
    let o = griddesk(&[
        "export",
        dbs,
        "grids",
        gpkg.to_str().unwrap(),
        "--crs",
        "EPSG:4528",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let o = griddesk(&[
        "import",
        dbs,
        "grids",
        gpkg.to_str().unwrap(),
        "--dry-run",
        "--as",
        "planner",
        "--password",
        "planner@2026",
    ]);
    assert!(
        !o.status.success() || text(&o).contains("rejected"),
        "{}",
        text(&o)
    );
    assert!(text(&o).contains("already exists"), "{}", text(&o));
}

/// The first polygon ring of a feature with `code` in an exported GeoJSON file.
fn ring_of(file: &Path, code: &str) -> Vec<[f64; 2]> {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file).expect("exported file"))
            .expect("GeoJSON");
    let f = v["features"]
        .as_array()
        .expect("features")
        .iter()
        .find(|f| f["properties"]["code"] == code)
        .unwrap_or_else(|| panic!("{code} not in {}", file.display()));
    let g = &f["geometry"];
    let ring = match g["type"].as_str() {
        Some("Polygon") => &g["coordinates"][0],
        _ => &g["coordinates"][0][0],
    };
    ring.as_array()
        .expect("ring")
        .iter()
        .map(|p| [p[0].as_f64().expect("lon"), p[1].as_f64().expect("lat")])
        .collect()
}

#[test]
fn plan_commands_edit_check_undo_and_report() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.sqlite");
    let dbs = db.to_str().unwrap();
    let res = resources();
    assert!(griddesk(&[
        "init",
        dbs,
        "--sample",
        "--resources",
        res.to_str().unwrap()
    ])
    .status
    .success());
    let grids = dir.path().join("g.geojson");
    let comms = dir.path().join("c.geojson");
    assert!(griddesk(&["export", dbs, "grids", grids.to_str().unwrap()])
        .status
        .success());
    assert!(
        griddesk(&["export", dbs, "communities", comms.to_str().unwrap()])
            .status
            .success()
    );
    // Sample grids are Voronoi cells (convex): a line through the vertex mean crosses once.
    let ring = ring_of(&grids, "331003001001005");
    let n = (ring.len() - 1) as f64;
    let (cx, cy) = (
        ring[..ring.len() - 1].iter().map(|p| p[0]).sum::<f64>() / n,
        ring[..ring.len() - 1].iter().map(|p| p[1]).sum::<f64>() / n,
    );
    let line = format!(
        "{},{};{},{}",
        cx - 0.003,
        cy - 0.0002,
        cx + 0.003,
        cy + 0.0002
    );

    let o = griddesk(&[
        "plan",
        "split",
        dbs,
        "331003001001005",
        "--line",
        &line,
        "--dry-run",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("guard: no errors"), "{}", text(&o));
    let o = griddesk(&["plan", "history", dbs]);
    assert!(
        o.stdout.is_empty(),
        "a dry run writes nothing: {}",
        text(&o)
    );

    let o = griddesk(&[
        "plan",
        "split",
        dbs,
        "331003001001005",
        "--line",
        &line,
        "--as",
        "planner",
        "--password",
        "planner@2026",
        "--note",
        "测试",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("applied #1"), "{}", text(&o));
    let o = griddesk(&["plan", "history", dbs, "331003001001005", "--json"]);
    let h: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // The author is the signed-in planner (login and name), as the engine records it.
    let author = h["edits"][0]["edit"]["author"].as_str().unwrap_or_default();
    assert!(author.starts_with("planner "), "{author}");
    assert_eq!(h["lineage"].as_array().unwrap().len(), 2);

    // A vertex of the community outline is fixed: a typed refusal, non-zero exit.
    let outline = ring_of(&comms, "331003001001");
    let from = format!("{},{}", outline[0][0], outline[0][1]);
    let to = format!("{},{}", outline[0][0] + 0.0001, outline[0][1]);
    let o = griddesk(&[
        "plan",
        "move-vertex",
        dbs,
        "--from",
        &from,
        "--to",
        &to,
        "--as",
        "planner",
        "--password",
        "planner@2026",
    ]);
    assert!(!o.status.success());
    assert!(text(&o).contains("community boundary"), "{}", text(&o));

    let o = griddesk(&[
        "plan",
        "undo",
        dbs,
        "--as",
        "inspector",
        "--password",
        "inspector@2026",
    ]);
    assert!(!o.status.success(), "an inspector may not undo grid edits");
    assert!(text(&o).contains("may not"), "{}", text(&o));
    let o = griddesk(&[
        "plan",
        "undo",
        dbs,
        "--as",
        "planner",
        "--password",
        "planner@2026",
    ]);
    assert!(text(&o).contains("undone #1"), "{}", text(&o));
    let o = griddesk(&[
        "plan",
        "redo",
        dbs,
        "--as",
        "planner",
        "--password",
        "planner@2026",
    ]);
    assert!(text(&o).contains("redone #1"), "{}", text(&o));
    let o = griddesk(&["plan", "as-of", dbs, "2025-01-01"]);
    assert!(text(&o).contains("1500 grids"), "{}", text(&o));

    let o = griddesk(&["validate", dbs]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("0 errors, 0 warnings"), "{}", text(&o));
    let o = griddesk(&["bench", "topology", dbs, "--repeat", "1"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["errors"], 0, "{v}");

    let prop = dir.path().join("prop.geojson");
    let o = griddesk(&[
        "plan",
        "propose",
        dbs,
        "331003001002",
        "--as-of",
        "2026-10-31",
        "--out",
        prop.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("guard: no errors"), "{}", text(&o));
    assert!(prop.exists());
}

fn griddesk_as(args: &[&str], password: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_griddesk"))
        .args(args)
        .env("GRIDDESK_PASSWORD", password)
        .output()
        .expect("run griddesk")
}

#[test]
fn case_loop_through_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.sqlite");
    let dbs = db.to_str().unwrap();
    let res = resources();
    assert!(griddesk(&[
        "init",
        dbs,
        "--sample",
        "--resources",
        res.to_str().unwrap()
    ])
    .status
    .success());
    let (lon, lat) = {
        let e = griddesk::Engine::open(&db).unwrap();
        let l = e.loaded();
        let p = l.index.grid_label_points[700];
        (p.x().to_string(), p.y().to_string())
    };
    let photo = dir.path().join("after.png");
    std::fs::write(
        &photo,
        griddesk::workflow::photo::solid_png(40, 30, [20, 160, 40]),
    )
    .unwrap();
    let ph = photo.to_str().unwrap();

    // A demo inspector reports; the engine fills in the place and the department.
    let o = griddesk_as(
        &[
            "case",
            "intake",
            dbs,
            "--as",
            "inspector",
            "--class",
            "0102",
            "--lon",
            &lon,
            "--lat",
            &lat,
            "--description",
            "暴露垃圾",
            "--at",
            "2026-11-02 09:00",
            "--proceed",
        ],
        "inspector@2026",
    );
    assert!(o.status.success(), "{}", text(&o));
    let out = text(&o);
    let id = out
        .split_whitespace()
        .nth(2)
        .unwrap()
        .trim_end_matches(':')
        .to_string();
    assert!(out.contains("department 黄岩区环境卫生管理处"), "{out}");
    // The same report again is held back as a duplicate, with a non-zero exit.
    let o = griddesk_as(
        &[
            "case",
            "intake",
            dbs,
            "--as",
            "inspector",
            "--class",
            "0102",
            "--lon",
            &lon,
            "--lat",
            &lat,
            "--at",
            "2026-11-02 09:30",
        ],
        "inspector@2026",
    );
    assert!(!o.status.success());
    assert!(
        text(&o).contains(&id) && text(&o).contains("possible duplicate"),
        "{}",
        text(&o)
    );

    let act = |login: &str, args: &[&str], at: &str| {
        let mut v = vec!["case", "act", dbs, &id];
        v.extend_from_slice(args);
        v.extend_from_slice(&["--as", login, "--at", at]);
        griddesk_as(&v, &format!("{login}@2026"))
    };
    let ok = |o: Output| assert!(o.status.success(), "{}", text(&o));
    ok(act("receptionist", &["accept"], "2026-11-02 09:10"));
    // A refused action exits non-zero with the reason and changes nothing.
    let o = act("receptionist", &["file"], "2026-11-02 09:15");
    assert!(!o.status.success());
    assert!(text(&o).contains("受理员 may not 立案"), "{}", text(&o));
    ok(act("shiftleader", &["file"], "2026-11-02 09:20"));
    ok(act(
        "dispatcher",
        &["dispatch", "--department", "D02"],
        "2026-11-02 09:30",
    ));
    let o = act("department", &["feedback"], "2026-11-02 10:00");
    assert!(
        !o.status.success() && text(&o).contains("after_photo"),
        "{}",
        text(&o)
    );
    ok(act(
        "department",
        &["feedback", "--photo", ph],
        "2026-11-02 10:00",
    ));
    ok(act(
        "inspector",
        &["check_fail", "--reason", "仍有垃圾"],
        "2026-11-02 10:30",
    ));
    ok(act(
        "department",
        &["feedback", "--photo", ph, "--note", "已清运"],
        "2026-11-02 11:00",
    ));
    ok(act("inspector", &["check_pass"], "2026-11-02 11:30"));
    ok(act("shiftleader", &["close"], "2026-11-02 14:10"));
    let o = griddesk(&["case", "show", dbs, &id, "--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["status"], "closed");
    assert_eq!(v["flow"]["rework_count"], 1);
    assert_eq!(v["audit"].as_array().unwrap().len(), 9);
    assert_eq!(v["photos"].as_array().unwrap().len(), 2);

    // Queues, lists and clocks of the sample.
    let o = griddesk_as(
        &[
            "case",
            "queue",
            dbs,
            "--as",
            "dispatcher",
            "--now",
            "2026-10-31 12:00",
        ],
        "dispatcher@2026",
    );
    assert!(
        o.status.success() && text(&o).contains("waiting for"),
        "{}",
        text(&o)
    );
    let o = griddesk(&[
        "case",
        "list",
        dbs,
        "--overdue",
        "--now",
        "2026-10-31 12:00",
        "--json",
    ]);
    let page: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(page["total"].as_u64().unwrap() > 0);
    assert!(page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["clock"]["overdue"] == true));
    let o = griddesk(&["case", "clocks", dbs, "--now", "2026-10-31 12:00"]);
    assert!(
        o.status.success() && text(&o).contains("overdue"),
        "{}",
        text(&o)
    );
    let o = griddesk_as(&["case", "queue", dbs, "--as", "inspector"], "wrong");
    assert!(
        !o.status.success() && text(&o).contains("wrong login or password"),
        "{}",
        text(&o)
    );

    // Calendar, components and plates, repeats.
    let o = griddesk(&[
        "calendar",
        "deadline",
        dbs,
        "2026-09-30 16:00",
        "4",
        "工作时",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        "2026-10-08 10:00:00"
    );
    let o = griddesk(&["component", "code", dbs, "0305"]);
    assert!(o.status.success());
    let code = String::from_utf8_lossy(&o.stdout).trim().to_string();
    assert!(code.starts_with("3310030305") && code.len() == 16, "{code}");
    let o = griddesk_as(
        &[
            "component",
            "add",
            dbs,
            "--class",
            "0305",
            "--lon",
            &lon,
            "--lat",
            &lat,
            "--as",
            "inspector",
        ],
        "inspector@2026",
    );
    assert!(
        o.status.success() && text(&o).contains(&code),
        "{}",
        text(&o)
    );
    let qr = dir.path().join("qr.png");
    let o = griddesk(&["component", "qr", dbs, &code, qr.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let o = griddesk(&["component", "scan", dbs, "--image", qr.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let scan: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(scan["component"]["code"], code.as_str());
    assert_eq!(scan["intake"]["source"], "qr_code");
    let pdf = dir.path().join("plates.pdf");
    let o = griddesk(&[
        "component",
        "plates",
        dbs,
        pdf.to_str().unwrap(),
        "--class",
        "0305",
        "--limit",
        "15",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
    let o = griddesk(&["repeats", dbs, "--limit", "5"]);
    assert!(
        o.status.success() && text(&o).contains("places where the same problem recurs"),
        "{}",
        text(&o)
    );
    let o = griddesk(&["user", "list", dbs]);
    assert!(text(&o).contains("dispatcher\t"), "{}", text(&o));
}

#[test]
fn a_non_planners_zone_assignment_is_refused_by_the_engine() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("z.sqlite");
    let dbs = db.to_str().unwrap();
    let res = resources();
    let o = griddesk(&[
        "init",
        dbs,
        "--sample",
        "--resources",
        res.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let assign = |who: &[&str]| {
        let mut args = vec![
            "zones",
            "assign",
            dbs,
            "sector",
            "PQ001",
            "331003001001001",
            "--move",
        ];
        args.extend_from_slice(who);
        griddesk(&args)
    };
    // Nobody named: refused before anything is opened for writing.
    let o = assign(&[]);
    assert!(!o.status.success());
    assert!(text(&o).contains("--as"), "{}", text(&o));
    // An inspector: the engine's not-permitted refusal.
    let o = assign(&["--as", "inspector", "--password", "inspector@2026"]);
    assert!(!o.status.success());
    assert!(
        text(&o).contains("may not") && text(&o).contains("planner"),
        "{}",
        text(&o)
    );
    // A wrong password.
    let o = assign(&["--as", "planner", "--password", "nope"]);
    assert!(!o.status.success(), "{}", text(&o));
    // The planner.
    let o = assign(&["--as", "planner", "--password", "planner@2026"]);
    assert!(o.status.success(), "{}", text(&o));
}
