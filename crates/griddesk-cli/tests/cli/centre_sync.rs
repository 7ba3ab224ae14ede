//! `griddesk centre sync` and `griddesk centre conflicts` (docs/centre.md, "Sync") against a
//! real PostgreSQL 15 + PostGIS 3 cluster started by `scripts/centre.sh`: the sample station,
//! loaded, changes a component, a grid and a routing rule; the sync sends those and the
//! tables verify equal; a second sync sends nothing; a component changed on both sides is
//! listed as a conflict with its three versions.

use crate::{griddesk, ok, sample_store, text};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn centre_sh(args: &[&str]) -> Output {
    Command::new("bash")
        .arg(crate::root().join("scripts/centre.sh"))
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

fn psql(url: &str, statement: &str) -> String {
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

fn json(o: &Output, what: &str) -> Value {
    let t = ok(o, what);
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{what}: {e}: {t}"))
}

#[test]
fn a_stations_changes_go_up_and_a_change_on_both_sides_is_a_conflict() {
    let tmp = tempfile::Builder::new()
        .prefix("gdsync")
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
    let station = sample_store(tmp.path());
    let t = ok(&griddesk(&["centre", "load", &url, path(&station)]), "load");
    assert!(t.contains("the station's sync base:"), "{t}");

    // The station's edits, as any writer of its store makes them.
    let c = rusqlite::Connection::open(&station).expect("the station store");
    let (first, second): (String, String) = c
        .query_row("SELECT min(code), max(code) FROM component", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .expect("components");
    c.execute(
        "UPDATE component SET state = 'damaged' WHERE code = ?1",
        [&first],
    )
    .expect("a component edit");
    c.execute_batch(
        "UPDATE grid SET name = name || '（改）' WHERE code = (SELECT min(code) FROM grid);
         DELETE FROM routing_rule WHERE id = (SELECT max(id) FROM routing_rule);",
    )
    .expect("a grid edit and a deletion");

    let v = json(
        &griddesk(&["centre", "sync", &url, path(&station), "--json"]),
        "sync",
    );
    for t in ["component", "grid", "routing_rule"] {
        assert_eq!(v["sent"]["changes"][t], 1, "{t}: {v}");
    }
    assert_eq!(v["sent"]["tables"]["routing_rule"]["deleted"], 1, "{v}");
    assert_eq!(v["sent"]["conflicts"], serde_json::json!([]), "{v}");
    let o = griddesk(&["centre", "verify", &url, path(&station)]);
    assert!(o.status.success(), "verify after the sync: {}", text(&o));

    let t = ok(
        &griddesk(&["centre", "sync", &url, path(&station)]),
        "sync again",
    );
    assert!(t.contains("nothing changed since the last sync"), "{t}");

    // The same component changed on both sides.
    c.execute(
        "UPDATE component SET owner = 'station' WHERE code = ?1",
        [&second],
    )
    .expect("a station edit");
    psql(
        &url,
        &format!(
            "UPDATE component SET owner = 'centre' WHERE district = '331003' AND code = '{second}'"
        ),
    );
    let v = json(
        &griddesk(&["centre", "sync", &url, path(&station), "--json"]),
        "sync with a conflict",
    );
    assert_eq!(v["sent"]["tables"]["component"]["conflicts"], 1, "{v}");
    let v = json(
        &griddesk(&[
            "centre",
            "conflicts",
            &url,
            "--district",
            "331003",
            "--json",
        ]),
        "conflicts",
    );
    let list = v["conflicts"].as_array().expect("conflicts");
    assert_eq!(list.len(), 1, "{v}");
    assert_eq!(list[0]["table"], "component");
    for (side, has) in [("station", "t7:station"), ("centre", "t6:centre")] {
        assert!(
            list[0][side].as_str().is_some_and(|s| s.contains(has)),
            "{side}: {v}"
        );
    }
    assert!(list[0]["base"].is_string(), "{v}");
    let t = ok(
        &griddesk(&["centre", "conflicts", &url]),
        "conflicts as text",
    );
    assert!(
        t.contains("1 sync conflict(s)") && t.contains("station: "),
        "{t}"
    );

    // A batch left pending by a station of an older schema is refused: non-zero, the version
    // to install named, nothing applied.
    let held = psql(&url, "SELECT count(*) FROM sync_batch");
    c.execute(
        "INSERT INTO sync_pending (id, schema_version, body) VALUES ('old', 12, ?1)",
        [r#"{"id":"old","district":"331003","schema_version":12,"tables":[{"table":"grid","columns":["code"],"key":["code"],"changes":[{"op":"delete","key":"t1:x","base":"t1:x"}]}]}"#],
    )
    .expect("an old station's pending batch");
    let o = griddesk(&["centre", "sync", &url, path(&station)]);
    assert!(
        !o.status.success(),
        "an older schema's batch applied: {}",
        text(&o)
    );
    assert!(
        text(&o).contains("station schema version 13"),
        "{}",
        text(&o)
    );
    assert_eq!(psql(&url, "SELECT count(*) FROM sync_batch"), held);
}
