//! The `griddesk` binary as a user runs it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn griddesk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_griddesk"))
        .args(args)
        .output()
        .expect("run griddesk")
}

fn resources() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../resources")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

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
    let o = griddesk(&["import", dbs, "cases", bad.to_str().unwrap()]);
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
