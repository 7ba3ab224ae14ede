//! `griddesk city URL` (docs/centre.md, "The city view") against a real PostgreSQL 15 +
//! PostGIS 3 cluster made by `scripts/centre.sh` (with the sample district) in a temporary
//! folder, stopped at the end: the statistics and the evaluation the app's city view shows,
//! compared with the station's own figures of the same sample district.

use crate::{griddesk, ok, root, sample_store, text};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn centre_sh(args: &[&str]) -> Output {
    Command::new("bash")
        .arg(root().join("scripts/centre.sh"))
        .args(args)
        .env("GRIDDESK_BIN", env!("CARGO_BIN_EXE_griddesk"))
        .output()
        .expect("bash runs scripts/centre.sh")
}

struct Cluster {
    dir: PathBuf,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = centre_sh(&["stop", self.dir.to_str().unwrap_or_default()]);
    }
}

fn json(o: &Output, what: &str) -> Value {
    let t = ok(o, what);
    serde_json::from_str(&String::from_utf8_lossy(&o.stdout))
        .unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {t}"))
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

#[test]
fn the_city_of_a_centre_shows_each_district_as_its_station_does() {
    let tmp = tempfile::Builder::new()
        .prefix("gdcity")
        .tempdir_in("/tmp")
        .expect("temporary folder");
    {
        use std::os::unix::fs::PermissionsExt;
        // The server runs as `postgres` when the tests run as root: it must reach the folder.
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
    }
    let dir = tmp.path().join("pg");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
        .to_string();
    let _guard = Cluster { dir: dir.clone() };
    let o = centre_sh(&["init", path(&dir), "--port", &port]);
    assert!(o.status.success(), "scripts/centre.sh init: {}", text(&o));
    let url = ok(&centre_sh(&["url", path(&dir)]), "url")
        .trim()
        .to_string();

    let station = sample_store(tmp.path());
    let ov = json(&griddesk(&["stats", path(&station), "--json"]), "stats")["overview"].clone();
    let month = "2026-09";
    let city = json(
        &griddesk(&["city", &url, "--month", month, "--json"]),
        "city --json",
    );
    let stats = city["statistics"].as_array().expect("statistics");
    assert_eq!(stats.len(), 2, "{city}");
    let (d, whole) = (&stats[0], &stats[1]);
    assert_eq!(d["code"], "331003");
    assert_eq!(whole["code"], "");
    assert_eq!(d["counts"]["cases"], ov["cases"]);
    assert_eq!(d["counts"]["open"], ov["open_cases"]);
    assert_eq!(d["grids"], ov["grids"]);
    assert_eq!(d["components"], ov["components"]);
    assert_eq!(whole["counts"], d["counts"], "one district: the city is it");
    assert!(
        d["counts"]["overdue"].as_u64().unwrap_or_default() > 0,
        "{d}"
    );

    // The evaluation across districts: the station's own district row of the same month.
    let out = tmp.path().join("evaluation.json");
    ok(
        &griddesk(&[
            "analytics",
            "evaluate",
            "--db",
            path(&station),
            "--month",
            month,
            "--out",
            path(&out),
        ]),
        "analytics evaluate",
    );
    let own: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("the evaluation file"))
            .expect("JSON");
    let own = own["tables"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["kind"] == "district"))
        .expect("the station's district table");
    let rows = city["evaluation"]["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["counts"], own["rows"][0]["counts"]);
    assert_eq!(rows[0]["rates"], own["rows"][0]["rates"]);
    assert!(rows[0]["counts"][0].as_u64().unwrap_or_default() > 0);

    // The table form, one district, and a district the centre does not hold.
    let t = ok(&griddesk(&["city", &url, "--month", month]), "city");
    assert!(
        t.contains("whole city") && t.contains("331003 黄岩区"),
        "{t}"
    );
    assert!(t.contains("立案数"), "{t}");
    let only = json(
        &griddesk(&["city", &url, "--district", "331003", "--json"]),
        "city --district",
    );
    assert_eq!(only["statistics"].as_array().map(Vec::len), Some(1));
    let o = griddesk(&["city", &url, "--district", "339999"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("339999"), "{}", text(&o));
    let o = griddesk(&["city", "postgresql://postgres:secret@127.0.0.1:1/griddesk"]);
    assert!(!o.status.success());
    let t = text(&o);
    assert!(
        t.contains("127.0.0.1:1/griddesk") && !t.contains("secret"),
        "{t}"
    );
}
