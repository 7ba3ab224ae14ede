//! `griddesk centre load` and `griddesk centre verify` (docs/centre.md, "Loading and verifying
//! a district") against a real PostgreSQL 15 + PostGIS 3 cluster started by
//! `scripts/centre.sh` in a temporary folder: a station's whole district goes in, every table
//! compares equal, one row changed at the centre is named by its table, and a load refused
//! midway leaves nothing of its district behind.

use crate::{griddesk, ok, resources, root, sample_store, text};
use griddesk_store_postgres::rows::district_tables;
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

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

/// Plain SQL as the centre's administrator (psql, one value out).
fn sql(url: &str, statement: &str) -> String {
    let o = Command::new("psql")
        .args([
            url,
            "-X",
            "-q",
            "-t",
            "-A",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            statement,
        ])
        .output()
        .expect("psql runs");
    assert!(o.status.success(), "{statement}: {}", text(&o));
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

fn verify(url: &str, station: &Path) -> (Output, Value) {
    let o = griddesk(&["centre", "verify", url, path(station), "--json"]);
    let v: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("verify --json: {e}: {}", text(&o)));
    (o, v)
}

/// What a station holds besides the sample's first start: patrol tracks, a case photo, a
/// sign-in (sealed at the centre, not at the station: the station's own check is not asked).
fn add_station_rows(db: &Path) {
    let c = rusqlite::Connection::open(db).expect("the station store");
    c.execute_batch(
        "INSERT INTO track_point (login, point_id, patrol, recorded_at, lon, lat, accuracy, received_at)
         VALUES ('inspector01', 'p1', 'patrol-1', '2026-05-01 08:00:00', 121.2601, 28.6402, 8.5, '2026-05-01 08:00:15'),
                ('inspector01', 'p2', 'patrol-1', '2026-05-01 08:00:30', 121.26035, 28.64041, NULL, '2026-05-01 08:00:45'),
                ('inspector02', 'p1', NULL, '2026-05-02 09:10:00', 121.25, 28.63, 12.0, '2026-05-02 09:10:05');
         INSERT INTO case_photo (case_id, phase, added_at, added_by, name, mime, width, height, bytes, thumb)
         VALUES ((SELECT id FROM cases ORDER BY id LIMIT 1), 'before', '2026-05-01 08:01:00', 'inspector01',
                 'a.jpg', 'image/jpeg', 2, 2, x'ffd8ffe000104a464946', x'ffd8ff');
         INSERT INTO sign_in_log (at, login, role, ok, reason)
         VALUES ('2026-05-01 07:59:00', 'inspector01', 'inspector', 1, NULL);",
    )
    .expect("the station's extra rows");
}

#[test]
fn a_stations_whole_district_is_loaded_and_verified_table_by_table() {
    let tmp = tempfile::Builder::new()
        .prefix("gdload")
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
    let o = centre_sh(&["init", path(&dir), "--port", &port, "--no-sample"]);
    assert!(
        o.status.success(),
        "scripts/centre.sh init failed (PostgreSQL 15 + PostGIS 3 come with `bash scripts/install-deps.sh --test`): {}",
        text(&o)
    );
    let url = ok(&centre_sh(&["url", path(&dir)]), "url")
        .trim()
        .to_string();

    // A station's district: the sample's first start (histories, users, zones, registers,
    // basemap records, audit log) and what its phones and desks added since.
    let station = sample_store(tmp.path());
    add_station_rows(&station);
    let t = ok(
        &griddesk(&["centre", "load", &url, path(&station)]),
        "load 331003",
    );
    assert!(t.contains("loaded district 331003"), "{t}");

    let (o, v) = verify(&url, &station);
    assert!(o.status.success(), "verify after load: {}", text(&o));
    assert_eq!(v["equal"], true, "{v}");
    let tables = v["tables"].as_array().expect("tables");
    assert_eq!(tables.len(), district_tables().count());
    let rows = |t: &str| -> u64 {
        tables
            .iter()
            .find(|x| x["table"] == t)
            .and_then(|x| x["centre"]["rows"].as_u64())
            .unwrap_or_else(|| panic!("no table {t} in {v}"))
    };
    for t in [
        "cases",
        "case_flow",
        "case_stage",
        "case_audit",
        "case_photo",
        "app_user",
        "user_role",
        "department",
        "zone",
        "zone_member",
        "zone_person",
        "person",
        "service_object",
        "service_object_history",
        "vendor",
        "vendor_warning",
        "sign_in_log",
        "audit_log",
        "basemap",
    ] {
        assert!(rows(t) > 0, "{t}: no rows loaded ({v})");
    }
    assert_eq!(rows("track_point"), 3);
    // The station's numbers are kept, and the centre sealed the loaded audit rows.
    assert_eq!(
        sql(
            &url,
            "SELECT min(seq) || '-' || max(seq) FROM sign_in_log WHERE district = '331003'"
        ),
        "1-1"
    );
    assert_eq!(v["audit"]["breaks"], 0, "{v}");
    assert!(v["audit"]["seals"].as_i64().unwrap_or_default() > 0, "{v}");

    // One row changed at the centre: verify names that table, and that table only.
    sql(
        &url,
        "UPDATE vendor SET note = coalesce(note, '') || ' (centre)'
          WHERE district = '331003' AND id = (SELECT min(id) FROM vendor WHERE district = '331003')",
    );
    let (o, v) = verify(&url, &station);
    assert!(!o.status.success(), "a changed row goes unnoticed: {v}");
    assert_eq!(v["differ"], serde_json::json!(["vendor"]), "{v}");
    assert!(text(&o).contains("differ: vendor"), "{}", text(&o));
    let o = griddesk(&["centre", "verify", &url, path(&station)]);
    assert!(!o.status.success());
    let t = text(&o);
    assert!(
        t.lines()
            .any(|l| l.starts_with("vendor ") && l.contains("DIFFER")),
        "{t}"
    );
    assert_eq!(t.matches("DIFFER").count(), 1, "{t}");

    // A load the centre refuses midway (the last table's row is no time) loads nothing.
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
    rusqlite::Connection::open(&second)
        .and_then(|c| {
            c.execute(
                "INSERT INTO track_point (login, point_id, recorded_at, lon, lat, received_at)
                 VALUES ('root', 'bad', 'not a time', 121.4, 28.6, '2026-05-01 08:00:00')",
                [],
            )
        })
        .expect("a row the centre refuses");
    let o = griddesk(&["centre", "load", &url, path(&second)]);
    assert!(!o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("track_point"), "{}", text(&o));
    for t in district_tables() {
        let key = if t.name == "district" {
            "code"
        } else {
            "district"
        };
        assert_eq!(
            sql(
                &url,
                &format!("SELECT count(*) FROM {} WHERE {key} = '331002'", t.name)
            ),
            "0",
            "{}: rows of the refused load stayed",
            t.name
        );
    }
    assert_eq!(
        sql(
            &url,
            "SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%\\_order' AND tgenabled = 'D'"
        ),
        "0",
        "the numbering triggers are on again"
    );
    // Without the bad row it loads, and compares equal.
    rusqlite::Connection::open(&second)
        .and_then(|c| c.execute("DELETE FROM track_point WHERE point_id = 'bad'", []))
        .expect("the bad row removed");
    ok(
        &griddesk(&["centre", "load", &url, path(&second)]),
        "load 331002",
    );
    let (o, v) = verify(&url, &second);
    assert!(o.status.success(), "verify 331002: {v}");
}
