//! Stores that cannot be used, as the command line meets them: a store that cannot be opened
//! (missing, damaged, newer schema, locked) exits with status 2 and says why; `validate` on a
//! store with broken topology exits non-zero and its `--json` lists every problem.

use crate::{griddesk, ok, resources, text};
use std::path::Path;
use std::process::Output;

/// A small generated district (≈ 40 grids, no cases): quicker than the sample.
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

/// The exit status, with what the command printed when it is not `want`.
fn assert_status(o: &Output, want: i32, what: &str) {
    assert_eq!(o.status.code(), Some(want), "{what}: {}", text(o));
}

#[test]
fn unusable_stores_exit_with_status_2() {
    let dir = tempfile::tempdir().expect("dir");
    let good = small_store(dir.path());
    // The good store opens (status 0), so the failures below are the stores' own.
    ok(&griddesk(&["stats", &good]), "stats on a good store");

    let missing = dir.path().join("nope.sqlite");
    let corrupt = dir.path().join("junk.sqlite");
    std::fs::write(
        &corrupt,
        b"this is not a database at all, just some text that is long enough.....",
    )
    .expect("write");
    let newer = dir.path().join("newer.sqlite");
    std::fs::copy(&good, &newer).expect("copy");
    rusqlite::Connection::open(&newer)
        .expect("open")
        .execute_batch("PRAGMA user_version = 999")
        .expect("user_version");
    for (path, says) in [
        (missing.as_path(), "not found"),
        (corrupt.as_path(), "not a GridDesk store"),
        (newer.as_path(), "999"),
    ] {
        let p = path.to_str().expect("path");
        for args in [
            vec!["validate", p, "--json"],
            vec!["stats", p],
            vec!["analytics", "grid-counts", p, "--out", "/dev/null"],
            vec!["plan", "history", p],
        ] {
            let o = griddesk(&args);
            assert_status(&o, 2, &args.join(" "));
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(
                err.contains("cannot open store") && err.contains(p),
                "{args:?}: {err}"
            );
            assert!(
                err.to_lowercase().contains(&says.to_lowercase()),
                "{args:?}: {err}"
            );
            assert!(o.stdout.is_empty(), "{args:?}: {}", text(&o));
        }
    }

    // Locked: another process holds a write lock for the whole command.
    let holder = rusqlite::Connection::open(&good).expect("open");
    holder.execute_batch("BEGIN EXCLUSIVE;").expect("lock");
    let o = griddesk(&["validate", &good]);
    assert_status(&o, 2, "validate on a locked store");
    assert!(text(&o).contains("locked"), "{}", text(&o));
    holder.execute_batch("ROLLBACK;").expect("unlock");
    drop(holder);
    ok(
        &griddesk(&["validate", &good]),
        "validate once the lock is gone",
    );

    // Any other failure keeps status 1: a bad argument on a good store.
    let o = griddesk(&[
        "analytics",
        "grid-counts",
        &good,
        "--street",
        "999",
        "--out",
        "/dev/null",
    ]);
    assert_status(&o, 1, "a bad filter");
}

/// One finding of `validate --json`: the planning guard's `Problem`.
#[derive(serde::Deserialize, Debug)]
struct Finding {
    severity: String,
    rule: String,
    community: Option<String>,
    grids: Vec<String>,
    message: String,
    geometry: Option<serde_json::Value>,
}

#[test]
fn validate_reports_a_damaged_store() {
    let dir = tempfile::tempdir().expect("dir");
    let db = small_store(dir.path());
    let o = griddesk(&["validate", &db, "--json"]);
    assert_status(&o, 0, "validate on the generated store");
    let clean: Vec<Finding> = serde_json::from_slice(&o.stdout).expect("json");
    assert!(
        clean.iter().all(|f| f.severity != "error"),
        "the generated store has errors: {clean:?}"
    );

    // Damage it behind the engine's back: grid A takes grid B's polygon (A's own area becomes a
    // gap, B is covered twice) and grid C becomes a bow tie.
    let conn = rusqlite::Connection::open(&db).expect("open");
    let codes: Vec<String> = conn
        .prepare("SELECT code FROM grid WHERE end_date IS NULL ORDER BY code LIMIT 3")
        .expect("select")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("codes");
    let (a, b, c) = (&codes[0], &codes[1], &codes[2]);
    assert_eq!(a[..12], b[..12], "two grids of one community");
    conn.execute(
        "UPDATE grid SET geom = (SELECT geom FROM grid WHERE code = ?2) WHERE code = ?1",
        [a, b],
    )
    .expect("overlap");
    let ring: Vec<(f64, f64)> = {
        let wkb: Vec<u8> = conn
            .query_row("SELECT geom FROM grid WHERE code = ?1", [c], |r| r.get(0))
            .expect("geom");
        let geo_types::Geometry::Polygon(p) = griddesk::store::wkb_io::from_wkb(&wkb).expect("wkb")
        else {
            panic!("grid {c} is not a polygon")
        };
        p.exterior().0.iter().map(|q| (q.x, q.y)).collect()
    };
    // The first four corners in the order 0, 2, 1, 3: the edges 0–2 and 1–3 cross.
    let bow = geo_types::Polygon::new(
        geo_types::LineString::from(vec![ring[0], ring[2], ring[1], ring[3], ring[0]]),
        vec![],
    );
    let wkb = griddesk::store::wkb_io::to_wkb(&geo_types::Geometry::Polygon(bow)).expect("wkb");
    conn.execute(
        "UPDATE grid SET geom = ?2 WHERE code = ?1",
        rusqlite::params![c, wkb],
    )
    .expect("bow tie");
    drop(conn);

    let o = griddesk(&["validate", &db, "--json"]);
    assert_status(&o, 1, "validate on the damaged store");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("topology or coding errors"),
        "{}",
        text(&o)
    );
    let found: Vec<Finding> = serde_json::from_slice(&o.stdout).expect("--json prints JSON");
    let errors: Vec<&Finding> = found.iter().filter(|f| f.severity == "error").collect();
    let has = |rule: &str, code: &str| {
        errors.iter().any(|f| {
            f.rule == rule
                && (f.grids.first().map(String::as_str) == Some(code)
                    || f.community.as_deref() == Some(code)
                    || f.message.contains(code))
        })
    };
    assert!(has("overlap", a) || has("overlap", b), "{errors:#?}");
    assert!(has("gap", &a[..12]), "{errors:#?}");
    assert!(has("invalid-polygon", c), "{errors:#?}");
    // Every error carries the geometry to draw, as GeoJSON.
    for f in &errors {
        let g = f.geometry.as_ref().unwrap_or_else(|| panic!("{f:?}"));
        assert!(
            g["type"].is_string() && g["coordinates"].is_array(),
            "{f:?}"
        );
    }
    // Errors come first, and the plain output counts them.
    let first_warning = found.iter().position(|f| f.severity != "error");
    assert!(
        first_warning.is_none_or(|i| i == errors.len()),
        "{found:#?}"
    );
    let o = griddesk(&["validate", &db]);
    assert_status(&o, 1, "plain validate");
    assert!(
        text(&o).contains(&format!("{} errors", errors.len())),
        "{}",
        text(&o)
    );
}

/// A CSV saved by Excel on Windows (CRLF line ends) names the same lines as the LF file: the
/// bad latitude is on line 3 in both.
#[test]
fn crlf_csv_rejects_name_the_right_line() {
    let dir = tempfile::tempdir().expect("dir");
    let db = small_store(dir.path());
    for (name, eol) in [("lf.csv", "\n"), ("crlf.csv", "\r\n")] {
        let path = dir.path().join(name);
        let text = [
            "lon,lat,code,class_code",
            "121.26,28.64,3310030101000001,0101",
            "121.26,abc,3310030101000002,0101",
        ]
        .join(eol)
            + eol;
        std::fs::write(&path, text).expect("write");
        let o = griddesk(&[
            "import",
            &db,
            "components",
            path.to_str().expect("path"),
            "--admin",
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains(&format!("{name}, line 3, field `lat`")),
            "{name}: {err}"
        );
        assert!(!err.contains("line 2, field `lat`"), "{name}: {err}");
    }
}

/// `griddesk locate … | head -1`: once the reader has gone, the command stops quietly with the
/// closed-pipe status (141, as a Unix tool stopped by SIGPIPE), with no panic and no message.
#[test]
fn a_closed_pipe_stops_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().expect("dir");
    let db = small_store(dir.path());
    let points = dir.path().join("points.csv");
    let mut text = String::from("lon,lat\n");
    for i in 0..40_000 {
        text.push_str(&format!("121.2{},28.6{}\n", i % 10, i % 7));
    }
    std::fs::write(&points, text).expect("points");
    let mut child = Command::new(env!("CARGO_BIN_EXE_griddesk"))
        .args(["locate", &db, points.to_str().expect("path")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut first = String::new();
    {
        let out = child.stdout.take().expect("stdout");
        BufReader::new(out)
            .read_line(&mut first)
            .expect("first line");
    } // the reader goes away here
    let o = child.wait_with_output().expect("wait");
    assert_eq!(first.trim(), "lon,lat,grid");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("panicked") && !err.contains("error"), "{err}");
    assert_eq!(o.status.code(), Some(141), "{err}");
}

/// `griddesk backup` takes a consistent copy that opens with the same data; `griddesk restore`
/// puts it back after checking it, and refuses a damaged backup without touching the store.
#[test]
fn backup_and_restore_through_the_cli() {
    let dir = tempfile::tempdir().expect("dir");
    let db = small_store(dir.path());
    let copy = dir.path().join("copy.sqlite");
    let copy_s = copy.to_str().expect("path");
    let o = griddesk(&["backup", &db, copy_s]);
    assert_status(&o, 1, "backup needs an acting administrator");
    let o = griddesk(&["backup", &db, copy_s, "--admin"]);
    assert_status(&o, 0, "backup");
    assert!(!dir.path().join("copy.sqlite.part").exists());
    let stats = |p: &str| {
        let o = griddesk(&["stats", p, "--json"]);
        assert_status(&o, 0, "stats");
        String::from_utf8_lossy(&o.stdout).to_string()
    };
    assert_eq!(stats(copy_s), stats(&db).replace(&db, copy_s));
    // A damaged backup is refused and the store stays as it was.
    let bad = dir.path().join("bad.sqlite");
    let mut bytes = std::fs::read(&copy).expect("copy");
    let n = bytes.len();
    for b in &mut bytes[n / 2..n / 2 + 4096] {
        *b = 0x5A;
    }
    std::fs::write(&bad, bytes).expect("bad");
    let before = std::fs::read(&db).expect("store");
    let o = griddesk(&["restore", bad.to_str().expect("path"), &db]);
    assert_ne!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(
        std::fs::read(&db).expect("store"),
        before,
        "store untouched"
    );
    // A good one is put in place.
    let target = dir.path().join("restored.sqlite");
    let t = target.to_str().expect("path");
    let o = griddesk(&["restore", copy_s, t]);
    assert_status(&o, 0, "restore");
    assert_eq!(stats(t), stats(&db).replace(&db, t));
}

#[test]
fn a_full_disk_under_the_output_is_one_error_line() {
    // /dev/full answers every write with ENOSPC, as a full disk does.
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        crate::missing_dev_full();
    };
    let dir = tempfile::tempdir().expect("dir");
    let db = small_store(dir.path());
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_griddesk"))
        .args(["stats", &db])
        .stdout(full)
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.contains("cannot write the output") && err.contains("No space left"),
        "{err}"
    );
}

#[test]
fn a_scheduled_backup_keeps_the_newest_copies() {
    let dir = tempfile::tempdir().expect("dir");
    let db = small_store(dir.path());
    let copies = dir.path().join("copies");
    let o = crate::griddesk(&[
        "backup",
        &db,
        copies.to_str().expect("path"),
        "--admin",
        "--every",
        "1s",
        "--keep",
        "2",
        "--times",
        "3",
    ]);
    let t = crate::ok(&o, "scheduled backup");
    assert_eq!(t.matches("backed up").count(), 3, "{t}");
    let mut names: Vec<String> = std::fs::read_dir(&copies)
        .expect("copies")
        .map(|d| d.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 2, "the newest two stay: {names:?}");
    for n in &names {
        let report = griddesk::Engine::check_store(&copies.join(n)).expect("check");
        assert!(report.ok(), "{n}: {report:?}");
    }
    let bad = crate::griddesk(&["backup", &db, "x", "--admin", "--every", "0"]);
    assert!(!bad.status.success());
}

#[test]
fn a_full_disk_during_an_export_says_so_once_and_leaves_no_file() {
    // The export writes `<file>.part` first: pointed at /dev/full, every write fails with
    // ENOSPC, as on a full disk.
    if !std::path::Path::new("/dev/full").exists() {
        crate::missing_dev_full();
    }
    let dir = tempfile::tempdir().expect("dir");
    let db = small_store(dir.path());
    for (dataset, name) in [("components", "c.csv"), ("grids", "g.geojson")] {
        let out = dir.path().join(name);
        std::os::unix::fs::symlink("/dev/full", dir.path().join(format!("{name}.part")))
            .expect("symlink");
        let o = crate::griddesk(&["export", &db, dataset, out.to_str().expect("path")]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(err.contains("No space left on device"), "{err}");
        assert_eq!(err.matches("No space left").count(), 1, "said once: {err}");
        assert!(!err.contains("invalid value"), "{err}");
        assert!(!out.exists(), "no file under the export's name");
    }
}

#[test]
fn a_store_on_read_only_media_opens_for_reading_and_refuses_writes() {
    use std::os::unix::fs::PermissionsExt;
    use std::process::Command;
    let set = |p: &Path, mode: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).expect("chmod")
    };
    let dir = tempfile::tempdir().expect("dir");
    set(dir.path(), 0o755);
    let db = small_store(dir.path());
    // A copy of the binary an unprivileged user can run (the build folder may be private).
    let bin = dir.path().join("griddesk");
    std::fs::copy(env!("CARGO_BIN_EXE_griddesk"), &bin).expect("copy");
    set(&bin, 0o755);
    // Read-only media: neither the file nor its folder can be written (no -wal, no -shm).
    set(Path::new(&db), 0o444);
    set(dir.path(), 0o555);
    // As root nothing is read-only: run as `nobody` then.
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let run = |args: &[&str]| {
        let mut c = if root {
            let mut c = Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .arg(&bin);
            c
        } else {
            Command::new(&bin)
        };
        c.args(args).output().expect("run")
    };
    let o = run(&["stats", &db]);
    let t = text(&o);
    set(dir.path(), 0o755);
    assert!(o.status.success(), "{t}");
    assert!(t.contains("40"), "the store is read: {t}");
    set(dir.path(), 0o555);
    let o = run(&["user", "disable", &db, "nobody-at-all", "--admin"]);
    set(dir.path(), 0o755);
    set(Path::new(&db), 0o644);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("read-only"), "{}", text(&o));
    assert!(!dir.path().join("d.sqlite-wal").exists());
}
