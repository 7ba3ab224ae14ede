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

    // Settled by a person: the centre's version with the maintainer set by hand; audited at
    // the centre, closed, and the chosen row comes down at the next sync.
    let id = list[0]["id"].as_i64().expect("the conflict's number");
    let t = ok(
        &griddesk(&[
            "centre",
            "resolve",
            &url,
            &id.to_string(),
            "--keep",
            "centre",
            "--set",
            "maintainer=chosen by hand",
            "--by",
            "admin",
        ]),
        "resolve",
    );
    assert!(
        t.contains("settled by admin") && t.contains("merged"),
        "{t}"
    );
    let again = griddesk(&[
        "centre",
        "resolve",
        &url,
        &id.to_string(),
        "--keep",
        "station",
        "--by",
        "admin",
    ]);
    assert!(!again.status.success(), "settled twice: {}", text(&again));
    assert!(text(&again).contains("settled"), "{}", text(&again));
    assert_eq!(
        psql(
            &url,
            "SELECT count(*) FROM audit_log WHERE action = 'sync.settle' AND login = 'admin'"
        ),
        "1"
    );
    let t = ok(&griddesk(&["centre", "conflicts", &url]), "conflicts after");
    assert!(
        t.contains("0 open, 1 settled") && t.contains("settled by admin"),
        "{t}"
    );
    // A centre-side edit of another row, and edits of different columns of one row.
    psql(
        &url,
        &format!(
            "UPDATE component SET maintainer = 'centre crew' WHERE district = '331003' AND code = '{first}'"
        ),
    );
    c.execute(
        "UPDATE component SET owner = 'station owner' WHERE code = ?1",
        [&first],
    )
    .expect("a station edit of another column");
    psql(
        &url,
        "UPDATE grid SET name = name || ' (centre)' WHERE district = '331003' AND code = (SELECT max(code) FROM grid WHERE district = '331003')",
    );
    let v = json(
        &griddesk(&["centre", "sync", &url, path(&station), "--json"]),
        "sync after settling",
    );
    assert_eq!(v["sent"]["tables"]["component"]["merged"], 1, "{v}");
    assert_eq!(v["sent"]["conflicts"], serde_json::json!([]), "{v}");
    assert_eq!(v["received"]["tables"]["grid"]["updated"], 1, "{v}");
    // The settled row and the merged row came down.
    assert_eq!(v["received"]["tables"]["component"]["updated"], 2, "{v}");
    let row = |code: &str| -> (Option<String>, Option<String>) {
        c.query_row(
            "SELECT owner, maintainer FROM component WHERE code = ?1",
            [code],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("a component")
    };
    assert_eq!(
        row(&first),
        (Some("station owner".into()), Some("centre crew".into()))
    );
    assert_eq!(row(&second).0.as_deref(), Some("centre"));
    assert_eq!(row(&second).1.as_deref(), Some("chosen by hand"));
    let o = griddesk(&["centre", "verify", &url, path(&station)]);
    assert!(
        o.status.success(),
        "verify after the downward sync: {}",
        text(&o)
    );
    let t = ok(
        &griddesk(&["centre", "sync", &url, path(&station)]),
        "sync once more",
    );
    assert!(
        t.contains("nothing changed since the last sync")
            && t.contains("nothing changed at the centre since the last download"),
        "{t}"
    );

    // The same through the engine (the 同步 pane): status, sync now with its stages, the
    // conflicts listed; a role other than an administrator's is refused.
    {
        let engine = griddesk::Engine::open(&station).expect("the engine");
        let admin = engine.local_admin("test");
        let status = engine.sync_status().expect("the status");
        assert_eq!(status.district.as_deref(), Some("331003"));
        assert_eq!(status.pending_changes, 0);
        let waiting = status.waiting.expect("the columns are noted");
        assert!(waiting.is_empty(), "{waiting:?}");
        psql(
            &url,
            &format!(
                "UPDATE component SET state = 'missing' WHERE district = '331003' AND code = '{first}'"
            ),
        );
        c.execute(
            "UPDATE grid SET name = name || ' (station)' WHERE code = (SELECT min(code) FROM grid)",
            [],
        )
        .expect("a station edit");
        let status = engine.sync_status().expect("the status");
        let waiting = status.waiting.expect("waiting");
        assert_eq!(waiting.len(), 1, "{waiting:?}");
        assert_eq!((waiting[0].table.as_str(), waiting[0].updated), ("grid", 1));
        let stages = std::cell::RefCell::new(Vec::new());
        let report = engine
            .sync_now(&admin, &url, &|s| stages.borrow_mut().push(s))
            .expect("sync now");
        use griddesk::sync::SyncStage as S;
        assert_eq!(
            stages.into_inner(),
            vec![S::Diffing, S::Sending, S::Receiving, S::Writing, S::Done]
        );
        assert_eq!(report.sent.len(), 1, "{report:?}");
        assert!(
            report
                .received
                .iter()
                .any(|t| t.table == "component" && t.updated == 1),
            "{report:?}"
        );
        // The engine's own indexes follow what came down.
        let l = engine.loaded();
        let comp = l
            .index
            .components
            .iter()
            .find(|k| k.code.as_str() == first)
            .expect("the component in memory");
        assert_eq!(
            comp.state,
            griddesk::model::ComponentState::Missing,
            "{comp:?}"
        );
        let status = engine.sync_status().expect("the status");
        assert_eq!(status.last_outcome.as_deref(), Some("ok"));
        assert_eq!(status.last_error, None);
        assert!(status.centre.is_some() && status.last_sync_at.is_some());
        assert!(!status.last_received.is_empty());
        let conflicts = engine.sync_conflicts(&admin, &url).expect("the conflicts");
        assert_eq!(conflicts.len(), 1);
        assert_eq!(conflicts[0].choice.as_deref(), Some("merged"));
        assert!(
            conflicts[0].differing.iter().any(|c| c == "owner"),
            "{:?}",
            conflicts[0]
        );
        let inspector = griddesk::users::Session {
            login: "inspector".into(),
            name: "inspector".into(),
            role: griddesk::users::Role::Inspector,
            department: None,
        };
        let refused = engine
            .sync_now(&inspector, &url, &|_| {})
            .expect_err("refused");
        assert!(
            refused.to_string().contains("sync with the city centre"),
            "{refused}"
        );
    }

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
