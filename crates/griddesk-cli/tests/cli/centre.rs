//! `scripts/centre.sh` and `griddesk centre …` as a city's administrator runs them, against a
//! real PostgreSQL 15 + PostGIS 3 cluster the script starts in a temporary folder (stopped at
//! the end, a failing test included). No PostgreSQL: the test fails, naming the script that
//! installs it.

use crate::{griddesk, ok, resources, root, sample_store, text};
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

/// Stops the cluster in `dir` when dropped.
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
fn a_centre_is_made_seeded_shown_and_opened_to_a_station_of_one_district() {
    let tmp = tempfile::Builder::new()
        .prefix("gdcli")
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
    let guard = Cluster { dir: dir.clone() };

    let o = centre_sh(&["init", path(&dir), "--port", &port]);
    let t = text(&o);
    assert!(
        o.status.success(),
        "scripts/centre.sh init failed (PostgreSQL 15 + PostGIS 3 come with `bash scripts/install-deps.sh --test`): {t}"
    );
    assert!(t.contains("sample district 331003 loaded"), "{t}");
    let url = ok(&centre_sh(&["url", path(&dir)]), "url")
        .trim()
        .to_string();
    assert!(url.contains(&format!("port={port}")), "{url}");

    // The centre holds what a station's first start makes, row for row in number.
    let city = json(&griddesk(&["centre", "status", &url, "--json"]), "status");
    assert_eq!(
        city["schema_version"],
        griddesk_store_postgres::current_version()
    );
    let districts = city["districts"].as_array().expect("districts");
    assert_eq!(districts.len(), 1, "{city}");
    let d = &districts[0];
    assert_eq!(d["code"], "331003");
    let station = sample_store(tmp.path());
    let local = json(
        &griddesk(&["stats", path(&station), "--json"]),
        "stats of the sample store",
    );
    let ov = &local["overview"];
    for (centre_key, local_key) in [
        ("streets", "streets"),
        ("communities", "communities"),
        ("active_grids", "grids"),
        ("duty_grids", "duty_grids"),
        ("components", "components"),
        ("cases", "cases"),
        ("open_cases", "open_cases"),
    ] {
        assert_eq!(
            d[centre_key], ov[local_key],
            "{centre_key}: centre {d} vs station {ov}"
        );
    }
    assert!(d["grids"].as_u64().unwrap_or_default() > 1000, "{d}");

    // Again: nothing doubles.
    let t = ok(&centre_sh(&["init", path(&dir)]), "init again");
    assert!(t.contains("already in the centre"), "{t}");
    let again = json(&griddesk(&["centre", "status", &url, "--json"]), "status");
    assert_eq!(again["districts"], city["districts"]);
    let o = centre_sh(&["init", path(&dir), "--port", "1"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("1024"), "{}", text(&o));

    // A second district loaded from a station's store; the same one twice is refused.
    let second = tmp.path().join("jiaojiang.sqlite");
    ok(
        &Command::new(env!("CARGO_BIN_EXE_griddesk"))
            .args([
                "setup",
                "new",
                path(&second),
                "--district",
                "331002",
                "--admin-login",
                "root",
                "--resources",
                path(&resources()),
            ])
            .env("GRIDDESK_PASSWORD", "centre-test-2026")
            .output()
            .expect("runs"),
        "setup new 331002",
    );
    ok(
        &griddesk(&["centre", "load", &url, path(&second)]),
        "load 331002",
    );
    let o = griddesk(&["centre", "load", &url, path(&station)]);
    assert!(!o.status.success());
    assert!(text(&o).contains("already in the centre"), "{}", text(&o));
    let city = json(&griddesk(&["centre", "status", &url, "--json"]), "status");
    let codes: Vec<&str> = city["districts"]
        .as_array()
        .expect("districts")
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(codes, ["331002", "331003"]);
    let only = json(
        &griddesk(&["centre", "status", &url, "--district", "331002", "--json"]),
        "status of one district",
    );
    assert_eq!(only["districts"].as_array().map(Vec::len), Some(1));
    assert_eq!(only["districts"][0]["grids"], 0);

    // A station's credentials: its district only.
    let t = ok(
        &griddesk(&["centre", "add-station", &url, "--district", "331003"]),
        "add-station",
    );
    let station_url = t
        .lines()
        .find_map(|l| l.strip_prefix("url: "))
        .expect("the station's url is printed")
        .to_string();
    assert!(station_url.starts_with("postgresql://griddesk_station_331003:"));
    let seen = json(
        &griddesk(&["centre", "status", &station_url, "--json"]),
        "status as the station",
    );
    assert_eq!(seen["role"], "griddesk_station_331003");
    assert_eq!(
        seen["districts"], again["districts"],
        "district 331003 alone"
    );
    let o = griddesk(&["centre", "status", &station_url, "--district", "331002"]);
    assert!(!o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("331002"), "{}", text(&o));
    let o = griddesk(&["centre", "add-station", &url, "--district", "110101"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("110101"), "{}", text(&o));
    let o = griddesk(&[
        "centre",
        "status",
        "postgresql://nobody@127.0.0.1:1/griddesk",
    ]);
    assert!(!o.status.success());
    assert!(text(&o).contains("127.0.0.1:1"), "{}", text(&o));

    // Stop, status says so; start brings it back as it was.
    ok(&centre_sh(&["stop", path(&dir)]), "stop");
    let o = centre_sh(&["status", path(&dir)]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    ok(&centre_sh(&["start", path(&dir)]), "start");
    let back = json(&griddesk(&["centre", "status", &url, "--json"]), "status");
    assert_eq!(back["districts"], city["districts"]);
    drop(guard);
    let o = centre_sh(&["status", path(&dir)]);
    assert_eq!(o.status.code(), Some(3), "the guard stopped the server");

    let o = centre_sh(&["start", path(&tmp.path().join("nothing"))]);
    assert!(!o.status.success());
    assert!(text(&o).contains("holds no cluster"), "{}", text(&o));
}
