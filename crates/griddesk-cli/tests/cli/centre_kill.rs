//! Kill -9 drills of the upward sync (issue 12, docs/centre.md "Sync", "Tests"): a generated
//! station loaded into a real PostgreSQL 15 + PostGIS 3 cluster makes large batches of edits
//! (the workflow histories of every case, then in each round about 1 800 rows: components,
//! grids, cases changed, cases added, a department added with its sealed audit entry), and
//! `griddesk centre sync` is started again and again and killed with SIGKILL at a random
//! moment — either the station's process, or the PostgreSQL backend serving it (found by the
//! drill's `application_name` in `pg_stat_activity`; the postmaster then restarts every
//! backend and the drill waits for the cluster to accept connections again). Every tenth round
//! and at the end a clean sync must complete what was cut and `centre verify` find every table
//! equal and the centre's seal chain whole; at the end every department added is at the centre
//! exactly once, no audit number is doubled, and no conflict was raised (a batch applied twice
//! would meet its own rows). 50 kills by default (`GRIDDESK_SYNC_KILLS=N`), both kinds; the
//! seed is printed and can be given back with `GRIDDESK_SYNC_KILL_SEED`.

use crate::{griddesk, ok, text};
use griddesk::users::{Department, Role};
use griddesk::Engine;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The drill's name in `pg_stat_activity`, to find the backend serving its sync.
const APP: &str = "griddesk_kill_drill";
const D: &str = "331003";

/// A small deterministic random source (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in `[0, max)`.
    fn below(&mut self, max: Duration) -> Duration {
        let n = max.as_micros().max(1) as u64;
        Duration::from_micros(self.next() % n)
    }
    /// True with probability `num / den`.
    fn chance(&mut self, num: u64, den: u64) -> bool {
        self.next() % den < num
    }
}

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

/// `statement`'s answer, or `None` when the server does not answer (restarting).
fn try_psql(url: &str, statement: &str) -> Option<String> {
    let o = Command::new("psql")
        .args([url, "-X", "-q", "-t", "-A", "-c", statement])
        .env("PGCONNECT_TIMEOUT", "5")
        .output()
        .expect("psql runs");
    o.status
        .success()
        .then(|| String::from_utf8_lossy(&o.stdout).trim().to_string())
}

fn psql(url: &str, statement: &str) -> String {
    wait_ready(url);
    try_psql(url, statement).unwrap_or_else(|| panic!("{statement}: psql failed"))
}

/// Waits until the cluster accepts connections again (after a backend's crash the postmaster
/// restarts every backend and recovers).
fn wait_ready(url: &str) {
    let t = Instant::now();
    while try_psql(url, "SELECT 1").as_deref() != Some("1") {
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "the cluster did not accept connections again within 60 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn sync_child(url: &str, station: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_griddesk"))
        .args(["centre", "sync", url, path(station)])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn griddesk centre sync")
}

/// Waits for `child`, at most `limit`: a sync that hangs fails the drill.
fn wait_child(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let t = Instant::now();
    loop {
        if let Some(s) = child.try_wait().expect("wait") {
            return s;
        }
        if t.elapsed() > limit {
            let _ = child.kill();
            panic!("griddesk centre sync did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The pid of the backend serving the drill's sync, while `child` runs.
fn backend_pid(admin: &str, child: &mut Child) -> Option<String> {
    let q = format!(
        "SELECT pid FROM pg_stat_activity WHERE application_name = '{APP}' \
         AND backend_type = 'client backend' LIMIT 1"
    );
    loop {
        if child.try_wait().expect("wait").is_some() {
            return None;
        }
        match try_psql(admin, &q) {
            Some(pid) if !pid.is_empty() => return Some(pid),
            _ => std::thread::sleep(Duration::from_millis(2)),
        }
    }
}

/// One round of station edits, as its writers make them: about a third of the components, a
/// tenth of the grids and a quarter of the cases changed, 20 cases added (plain SQL, as any
/// writer of the store), and a department added through the engine with its audit entry.
fn edit_station(station: &Path, round: u64) {
    let c = rusqlite::Connection::open(station).expect("the station store");
    c.busy_timeout(Duration::from_secs(30)).expect("timeout");
    let n = round as i64;
    c.execute_batch("BEGIN IMMEDIATE").expect("begin");
    c.execute(
        "UPDATE component SET owner = 'drill ' || ?1 WHERE (rowid + ?1) % 3 = 0",
        [n],
    )
    .expect("components");
    for (table, column, every) in [("grid", "name", 10), ("cases", "description", 4)] {
        c.execute(
            &format!(
                "UPDATE {table} SET {column} = substr(coalesce({column}, ''), 1, \
                 instr(coalesce({column}, '') || '#', '#') - 1) || '#' || ?1 \
                 WHERE (rowid + ?1) % {every} = 0"
            ),
            [n],
        )
        .expect("an edit");
    }
    c.execute(
        "INSERT INTO cases (id, kind, class_code, component, source, reported_at, status,
                            description, geom, grid, sample)
         SELECT printf('2027-%07d', ?1 * 100 + row_number() OVER (ORDER BY id)), kind,
                class_code, component, source, reported_at, status, 'drill ' || ?1, geom,
                grid, 0
           FROM cases WHERE id < '2027' ORDER BY id LIMIT 20 OFFSET ?1 * 20",
        [n],
    )
    .expect("new cases");
    c.execute_batch("COMMIT").expect("commit");
    drop(c);
    let e = Engine::open(station).expect("the engine on the station");
    let admin = e
        .sign_in("admin", "admin@2026", Role::Admin)
        .expect("the sample's administrator");
    e.add_department(
        Some(&admin),
        &Department {
            code: format!("K{round:03}"),
            name: format!("演练部门{round:03}"),
            active: true,
        },
    )
    .expect("a department");
}

/// A clean sync completes what the kills cut, and every table verifies equal with the centre's
/// seal chain whole.
fn sync_and_verify(url: &str, station: &Path, when: &str) -> Value {
    wait_ready(url);
    ok(
        &griddesk(&["centre", "sync", url, path(station)]),
        &format!("the clean sync {when}"),
    );
    let o = griddesk(&["centre", "verify", url, path(station), "--json"]);
    let v: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("verify {when}: {e}: {}", text(&o)));
    assert!(
        o.status.success() && v["equal"] == true && v["differ"] == serde_json::json!([]),
        "verify {when}: {}",
        text(&o)
    );
    assert_eq!(v["audit"]["breaks"], 0, "seal chain {when}: {v}");
    v
}

#[test]
fn random_kills_of_the_station_and_the_centre_during_syncs_lose_and_double_nothing() {
    let started = Instant::now();
    let kills: usize = std::env::var("GRIDDESK_SYNC_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let seed: u64 = std::env::var("GRIDDESK_SYNC_KILL_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5EED_C0DE);
    // Printed so that a failure can be replayed (cargo shows it with a failing test).
    println!("kill drill: GRIDDESK_SYNC_KILL_SEED={seed} GRIDDESK_SYNC_KILLS={kills}");
    let mut rng = Rng(seed | 1);

    let tmp = tempfile::Builder::new()
        .prefix("gdkill")
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
    let admin = ok(&centre_sh(&["url", path(&dir)]), "url")
        .trim()
        .to_string();
    // The syncs' connection, named so that its backend can be found.
    let url = format!("{admin}&application_name={APP}");

    // A generated station (300 grids, 2 000 cases), loaded; then its large first batch: the
    // sample's departments, accounts and routing and a workflow history for every case.
    let station = tmp.path().join("station.sqlite");
    ok(
        &griddesk(&[
            "generate",
            "--grids",
            "300",
            "--cases",
            "2000",
            "--db",
            path(&station),
            "--resources",
            path(&crate::resources()),
        ]),
        "generate",
    );
    ok(&griddesk(&["centre", "load", &url, path(&station)]), "load");
    let seed_loop =
        griddesk::sample::generate(&griddesk::sample::SampleParams::benchmark(300, 2000))
            .expect("the district's case loop")
            .case_loop;
    Engine::open(&station)
        .expect("the engine on the station")
        .load_sample_case_loop(&seed_loop)
        .expect("the workflow histories");

    let (mut station_kills, mut backend_kills, mut rounds, mut edits) =
        (0usize, 0usize, 0u64, 0u64);
    // How long an uncut sync took lately: kill moments are drawn below it.
    let mut span = Duration::from_millis(1500);
    while station_kills + backend_kills < kills {
        rounds += 1;
        assert!(
            rounds <= 6 * kills as u64,
            "{rounds} rounds for {} kills: the syncs end before the kills",
            station_kills + backend_kills
        );
        // Between kills the station goes on working, so batches stay large and some are
        // made while one is pending.
        if rounds == 1 || rng.chance(2, 3) {
            edits += 1;
            edit_station(&station, edits);
        }
        let mut child = sync_child(&url, &station);
        let t = Instant::now();
        let after = rng.below(span + span / 5);
        if rng.chance(2, 5) {
            // The centre's side: SIGKILL the backend serving this sync.
            let pid = backend_pid(&admin, &mut child);
            let wait = after.saturating_sub(t.elapsed());
            std::thread::sleep(wait);
            let landed = match pid {
                Some(pid) if child.try_wait().expect("wait").is_none() => Command::new("kill")
                    .args(["-9", &pid])
                    .status()
                    .is_ok_and(|s| s.success()),
                _ => false,
            };
            let status = wait_child(&mut child, Duration::from_secs(120));
            if landed {
                backend_kills += 1;
                wait_ready(&admin);
            } else if status.success() {
                span = t.elapsed();
            }
        } else {
            // The station's side: SIGKILL the sync itself.
            loop {
                if let Some(status) = child.try_wait().expect("wait") {
                    assert!(status.success(), "an uncut sync failed (round {rounds})");
                    span = t.elapsed();
                    break;
                }
                if t.elapsed() >= after {
                    child.kill().expect("SIGKILL the sync");
                    let _ = child.wait();
                    station_kills += 1;
                    break;
                }
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        if rounds % 10 == 0 {
            sync_and_verify(&url, &station, &format!("after round {rounds}"));
        }
    }
    assert!(
        station_kills > 0 && backend_kills > 0,
        "both kinds of kill: {station_kills} of the station, {backend_kills} of the centre"
    );

    // After the drill: one clean sync completes everything.
    let v = sync_and_verify(&url, &station, "after the drill");
    let t = ok(
        &griddesk(&["centre", "sync", &url, path(&station)]),
        "sync again",
    );
    assert!(t.contains("nothing changed since the last sync"), "{t}");
    // Nothing doubled: every department added is at the centre once, every audit number
    // once, the same number of audit rows on both sides, and no conflict raised.
    let c = rusqlite::Connection::open(&station).expect("the station store");
    let station_audit: i64 = c
        .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .expect("audit rows");
    let added = psql(
        &admin,
        &format!(
            "SELECT count(*) || ' ' || count(DISTINCT code) FROM department \
             WHERE district = '{D}' AND code LIKE 'K%'"
        ),
    );
    assert_eq!(added, format!("{edits} {edits}"), "departments added");
    let audit = psql(
        &admin,
        &format!(
            "SELECT count(*) || ' ' || count(DISTINCT seq) FROM audit_log WHERE district = '{D}'"
        ),
    );
    assert_eq!(
        audit,
        format!("{station_audit} {station_audit}"),
        "audit rows"
    );
    let new_cases = psql(
        &admin,
        &format!("SELECT count(*) FROM cases WHERE district = '{D}' AND id >= '2027'"),
    );
    assert_eq!(new_cases, (edits * 20).to_string(), "cases added");
    assert_eq!(
        psql(&admin, "SELECT count(*) FROM sync_conflict"),
        "0",
        "no conflicts"
    );
    let pending: i64 = c
        .query_row("SELECT count(*) FROM sync_pending", [], |r| r.get(0))
        .expect("pending");
    assert_eq!(pending, 0, "no batch left pending");
    println!(
        "kill drill: {station_kills} station kills, {backend_kills} centre backend kills in \
         {rounds} rounds ({edits} rounds of edits), {} tables equal, {} seals; {:.1} s",
        v["tables"].as_array().map_or(0, Vec::len),
        v["audit"]["seals"],
        started.elapsed().as_secs_f64()
    );
}
