//! The scale benchmarks of the station ↔ centre sync (issue 12, docs/centre.md "Scale
//! benchmarks"), on a real PostgreSQL 15 + PostGIS 3 cluster started by `scripts/centre.sh` in
//! a temporary folder:
//!
//! * `day`: the sample station (`griddesk init --sample`), loaded; a day of its work — 1 000
//!   new cases each taken through report → accept → file → dispatch → handle → check → close
//!   by the engine's own case-loop calls, 200 component edits (the engine's register edit) and
//!   20 grid renames (plain SQL) — then one sync, then a sync with nothing to send (the whole
//!   diff's cost). The peer, the floor: the same rows written into the centre by one binary
//!   `COPY` per table.
//! * `hundred`: 100 small districts (a generated district copied under 100 district codes),
//!   loaded, each with the same day of work, syncing at once from 100 threads into one centre:
//!   none may fail; wall time and per-station p50/p95.
//! * `city` (after `hundred`, on its 100 districts laid side by side): ~10 000 000 cases made
//!   with `generate_series`-style SQL (`ST_GeneratePoints` in each grid) in the centre's own
//!   `cases` table; the city-wide per-grid counts and a heatmap the centre's way (cases carry
//!   their grid: `GROUP BY`) against PostGIS's best spatial join (`ST_Contains` over GiST
//!   indexes) and its clustered variant (the points in geohash order), same data, same run.
//!
//! `cargo bench -p griddesk-cli --bench sync_scale [-- day|hundred|city]` (all by default);
//! the figures are printed and written to `target/sync_scale.txt`
//! (`GRIDDESK_BENCH_OUT=FILE` elsewhere). For a quick trial: `GRIDDESK_CITY_CASES=N` (the
//! city's cases), `GRIDDESK_DAY_CASES=N` (a day's cases), `GRIDDESK_STATIONS=N` (2 to 100).

use griddesk::intake::{DuplicateParams, IntakeOutcome, IntakeRequest, OnDuplicate};
use griddesk::model::{CaseKind, CaseSource, ComponentState};
use griddesk::register::ComponentEdit;
use griddesk::users::{Role, Session};
use griddesk::workflow::{photo::solid_png, Action, PhotoInput, PhotoPhase};
use griddesk::Engine;
use griddesk_store_postgres::Centre;
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_griddesk");
/// The day of work: the day after the sample's period.
const DAY: &str = "2026-11-02";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

fn run(cmd: &mut Command, what: &str) -> Output {
    let o = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        o.status.success(),
        "{what}: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn griddesk(args: &[&str]) -> Output {
    run(Command::new(BIN).args(args), &args.join(" "))
}

fn centre_sh(args: &[&str]) -> Output {
    run(
        Command::new("bash")
            .arg(root().join("scripts/centre.sh"))
            .args(args)
            .env("GRIDDESK_BIN", BIN),
        &format!("centre.sh {}", args.join(" ")),
    )
}

fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Figures, printed as they come and kept for the file.
struct Figures(String);

impl Figures {
    fn line(&mut self, l: String) {
        println!("{l}");
        self.0.push_str(&l);
        self.0.push('\n');
    }
}

/// A cluster in a temporary folder, stopped when dropped.
struct Cluster {
    dir: PathBuf,
    url: String,
    _tmp: tempfile::TempDir,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(root().join("scripts/centre.sh"))
            .args(["stop", s(&self.dir)])
            .output();
    }
}

fn cluster() -> Cluster {
    let tmp = tempfile::Builder::new()
        .prefix("gdbench")
        .tempdir_in("/tmp")
        .expect("temporary folder");
    {
        use std::os::unix::fs::PermissionsExt;
        // The server runs as `postgres` when the bench runs as root: it must reach the folder.
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
    }
    let dir = tmp.path().join("pg");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
        .to_string();
    centre_sh(&["init", s(&dir), "--port", &port, "--no-sample"]);
    let url = String::from_utf8_lossy(&centre_sh(&["url", s(&dir)]).stdout)
        .trim()
        .to_string();
    // A centre for 100 stations at once needs more than the default 100 connections.
    let mut c = pg(&url);
    c.batch_execute("ALTER SYSTEM SET max_connections = 250")
        .expect("max_connections");
    drop(c);
    centre_sh(&["stop", s(&dir)]);
    centre_sh(&["start", s(&dir)]);
    Cluster {
        dir,
        url,
        _tmp: tmp,
    }
}

fn pg(url: &str) -> postgres::Client {
    url.parse::<postgres::Config>()
        .expect("the url")
        .connect(postgres::NoTls)
        .expect("a connection to the centre")
}

/// `n` points inside the district's grids (each grid's point on surface, in turn), from the
/// centre.
fn points(url: &str, district: &str, n: usize) -> Vec<[f64; 2]> {
    let mut c = pg(url);
    let rows = c
        .query(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM grid
              WHERE district = $1 AND end_date IS NULL ORDER BY code) g",
            &[&district],
        )
        .expect("grid points");
    assert!(!rows.is_empty(), "district {district} has no grids");
    (0..n)
        .map(|i| {
            let r = &rows[i % rows.len()];
            [r.get(0), r.get(1)]
        })
        .collect()
}

fn sign_in(e: &Engine, login: &str, role: Role) -> Session {
    e.sign_in(login, &format!("{login}@2026"), role)
        .unwrap_or_else(|err| panic!("{login}: {err}"))
}

fn photo(phase: PhotoPhase) -> Vec<PhotoInput> {
    vec![PhotoInput {
        phase,
        name: Some("p.png".into()),
        bytes: solid_png(16, 12, [90, 120, 30]),
    }]
}

/// What a day of work made.
struct Day {
    cases: Vec<String>,
    components: Vec<String>,
    grids: Vec<String>,
    took: Duration,
}

/// A station's day through the engine: `n` cases reported at `points` and taken through the
/// whole loop, 200 component edits, 20 grid renames.
fn day(station: &Path, points: &[[f64; 2]], n: usize) -> Day {
    let t0 = Instant::now();
    let e = Engine::open(station).expect("the engine on the station");
    let insp = sign_in(&e, "inspector", Role::Inspector);
    let rec = sign_in(&e, "receptionist", Role::Receptionist);
    let lead = sign_in(&e, "shiftleader", Role::ShiftLeader);
    let disp = sign_in(&e, "dispatcher", Role::Dispatcher);
    let dept = sign_in(&e, "department", Role::Department);
    let at = |minute: usize| {
        griddesk::store::parse_datetime(&format!(
            "{DAY} {:02}:{:02}:{:02}",
            8 + minute / 60,
            minute % 60,
            0
        ))
        .expect("a time")
    };
    let mut cases = Vec::with_capacity(n);
    for (i, p) in points.iter().take(n).enumerate() {
        let start = i * 600 / n;
        let req = IntakeRequest {
            source: CaseSource::Patrol,
            kind: CaseKind::Event,
            class_code: Some("0101".into()),
            condition: None,
            location: Some(*p),
            component: None,
            description: Some(format!("暴露垃圾 {i}")),
            address: None,
            reporter: None,
            reporter_phone: None,
            photos: photo(PhotoPhase::Before),
            reported_at: at(start),
            urgency: None,
        };
        let id = match e
            .intake(
                &insp,
                &req,
                &DuplicateParams::default(),
                &OnDuplicate::Proceed,
            )
            .expect("intake")
        {
            IntakeOutcome::Created { id, .. } => id,
            other => panic!("intake: {other:?}"),
        };
        let steps: [(&Session, Action); 6] = [
            (&rec, Action::Accept { note: None }),
            (
                &lead,
                Action::File {
                    condition: None,
                    note: None,
                },
            ),
            (
                &disp,
                Action::Dispatch {
                    department: griddesk::sample::caseloop::DEMO_DEPARTMENT.into(),
                    note: None,
                },
            ),
            (
                &dept,
                Action::Feedback {
                    note: None,
                    photos: photo(PhotoPhase::After),
                },
            ),
            (&insp, Action::CheckPass { note: None }),
            (&lead, Action::Close { note: None }),
        ];
        for (k, (who, a)) in steps.iter().enumerate() {
            e.apply(&id, who, a, at(start + 5 * (k + 1)))
                .unwrap_or_else(|err| panic!("{id} step {k}: {err}"));
        }
        cases.push(id);
    }
    let c = rusqlite::Connection::open(station).expect("the station store");
    let codes: Vec<String> = c
        .prepare("SELECT code FROM component ORDER BY code LIMIT 200")
        .and_then(|mut st| {
            st.query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()
        })
        .expect("components");
    for (i, code) in codes.iter().enumerate() {
        let edit = ComponentEdit {
            state: Some(if i % 2 == 0 {
                ComponentState::Damaged
            } else {
                ComponentState::Occupied
            }),
            note: Some("巡查发现".into()),
            ..ComponentEdit::default()
        };
        e.edit_component(&insp, code, &edit, at(610 + i / 10))
            .unwrap_or_else(|err| panic!("component {code}: {err}"));
    }
    let grids: Vec<String> = c
        .prepare(
            "UPDATE grid SET name = name || '（改）' WHERE code IN
               (SELECT code FROM grid WHERE end_date IS NULL ORDER BY code LIMIT 20)
             RETURNING code",
        )
        .and_then(|mut st| {
            st.query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()
        })
        .expect("grid renames");
    Day {
        cases,
        components: codes,
        grids,
        took: t0.elapsed(),
    }
}

/// One sync of `station` into the centre, as `griddesk centre sync` runs it (connect, open,
/// diff, send, receive), with the moments it passed its steps (batch saved, centre
/// committed, the centre's rows read for the downward half).
fn sync_phases(
    url: &str,
    station: &Path,
    district: &str,
) -> (Duration, griddesk_sync::Report, String) {
    let t = Instant::now();
    let centre = Centre::open(url).expect("the centre");
    let store = griddesk::store::Store::open(station).expect("the station");
    let opened = t.elapsed();
    let mut steps = vec![format!("connected and opened {}", secs(opened))];
    let r = griddesk_sync::sync_with(&store.db(), &centre, district, &mut |step| {
        steps.push(format!("{step:?} at {}", secs(t.elapsed())));
        Ok(())
    })
    .expect("the sync");
    (t.elapsed(), r, steps.join(", "))
}

fn sent_rows(r: &griddesk_sync::Report) -> u64 {
    r.sent
        .as_ref()
        .map(|s| s.changes.values().sum())
        .unwrap_or(0)
}

fn quoted(v: &[String]) -> String {
    v.iter()
        .map(|x| format!("'{}'", x.replace('\'', "''")))
        .collect::<Vec<_>>()
        .join(",")
}

/// The floor: the day's rows, as the centre holds them after the sync, written again by one
/// binary `COPY` per table into empty tables of the same columns. (rows, time)
fn copy_floor(url: &str, district: &str, d: &Day) -> (u64, Duration) {
    let mut c = pg(url);
    let ids = quoted(&d.cases);
    let start = format!("'{DAY} 00:00'");
    let parts: Vec<(&str, String)> = vec![
        ("cases", format!("id IN ({ids})")),
        ("case_flow", format!("case_id IN ({ids})")),
        ("case_stage", format!("case_id IN ({ids})")),
        ("case_hang", format!("case_id IN ({ids})")),
        ("case_photo", format!("case_id IN ({ids})")),
        ("case_audit", format!("case_id IN ({ids})")),
        ("component", format!("code IN ({})", quoted(&d.components))),
        ("component_history", format!("at >= {start}")),
        ("grid", format!("code IN ({})", quoted(&d.grids))),
        ("audit_log", format!("at >= {start}")),
    ];
    let mut data = Vec::new();
    let mut rows = 0u64;
    for (t, pred) in &parts {
        let q = format!("SELECT * FROM {t} WHERE district = '{district}' AND {pred}");
        let n: i64 = c
            .query_one(&format!("SELECT count(*) FROM ({q}) x"), &[])
            .expect("count")
            .get(0);
        rows += n as u64;
        let mut buf = Vec::new();
        c.copy_out(&format!("COPY ({q}) TO STDOUT (FORMAT binary)"))
            .expect("copy out")
            .read_to_end(&mut buf)
            .expect("copy out");
        c.batch_execute(&format!(
            "CREATE TEMP TABLE floor_{t} (LIKE {t} INCLUDING DEFAULTS)"
        ))
        .expect("a floor table");
        data.push((t.to_string(), buf));
    }
    let t0 = Instant::now();
    let mut tx = c.transaction().expect("a transaction");
    for (t, buf) in &data {
        let mut w = tx
            .copy_in(&format!("COPY floor_{t} FROM STDIN (FORMAT binary)"))
            .expect("copy in");
        w.write_all(buf).expect("copy in");
        w.finish().expect("copy in");
    }
    tx.commit().expect("commit");
    (rows, t0.elapsed())
}

fn bench_day(cl: &Cluster, f: &mut Figures, work: &Path) {
    let station = work.join("sample.sqlite");
    let t = Instant::now();
    griddesk(&[
        "init",
        s(&station),
        "--sample",
        "--resources",
        s(&root().join("resources")),
    ]);
    let made = t.elapsed();
    let t = Instant::now();
    griddesk(&["centre", "load", &cl.url, s(&station)]);
    f.line(format!(
        "day: the sample station made in {}, loaded in {}",
        secs(made),
        secs(t.elapsed())
    ));
    let d = "331003";
    let pts = points(&cl.url, d, day_cases());
    let work_day = day(&station, &pts, day_cases());
    f.line(format!(
        "day: the engine's day (1 000 cases × 7 workflow steps, 200 component edits, 20 grid renames) took {}",
        secs(work_day.took)
    ));
    let (took, r, phases) = sync_phases(&cl.url, &station, d);
    f.line(format!(
        "day: the day's sync: {phases}, done at {}",
        secs(took)
    ));
    let rows = sent_rows(&r);
    let conflicts = r.sent.as_ref().map_or(0, |s| s.outcome.conflicts.len());
    assert_eq!(conflicts, 0, "conflicts in the day's sync");
    let o = Command::new(BIN)
        .args(["centre", "verify", &cl.url, s(&station)])
        .output()
        .expect("verify");
    assert!(o.status.success(), "verify after the day's sync");
    let mut idle = Vec::new();
    for k in 0..3 {
        let (t, r, phases) = sync_phases(&cl.url, &station, d);
        if k == 0 {
            f.line(format!(
                "day: a sync with nothing to send: {phases}, done at {}",
                secs(t)
            ));
        }
        assert_eq!(sent_rows(&r), 0, "a second sync sent rows");
        idle.push(t);
    }
    let idle = median(idle);
    let (floor_rows, floor) = copy_floor(&cl.url, d, &work_day);
    f.line(format!(
        "day: the day's sync {} ({rows} row changes sent, verify equal); nothing to send {} (median of 3); \
         peer COPY of the day's {floor_rows} rows into the centre {}: the sync is {:.1}× the COPY floor, target < 2 s",
        secs(took),
        secs(idle),
        secs(floor),
        took.as_secs_f64() / floor.as_secs_f64().max(1e-9)
    ));
}

/// Rewrites every text value starting with the template's district code to `code` (grids,
/// communities, components, streets, the district...), the audit and sync tables excepted.
fn rewrite_district(db: &Path, from: &str, code: &str) {
    let c = rusqlite::Connection::open(db).expect("a station copy");
    c.execute_batch("PRAGMA foreign_keys = OFF; BEGIN")
        .expect("begin");
    let tables: Vec<String> = c
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .and_then(|mut st| {
            st.query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()
        })
        .expect("tables");
    for t in tables {
        if matches!(
            t.as_str(),
            "audit_log" | "audit_seal" | "sync_base" | "sync_state" | "sync_pending"
        ) {
            continue;
        }
        let cols: Vec<(String, String)> = c
            .prepare(&format!("PRAGMA table_info({t})"))
            .and_then(|mut st| {
                st.query_map([], |r| Ok((r.get(1)?, r.get(2)?)))?
                    .collect::<rusqlite::Result<Vec<(String, String)>>>()
            })
            .expect("columns");
        for (col, ty) in cols {
            if ty.eq_ignore_ascii_case("TEXT") || ty.is_empty() {
                c.execute(
                    &format!(
                        "UPDATE {t} SET {col} = ?1 || substr({col}, 7)
                          WHERE typeof({col}) = 'text' AND substr({col}, 1, 6) = ?2"
                    ),
                    [code, from],
                )
                .expect("a rewrite");
            }
        }
    }
    c.execute("UPDATE district SET name = ?1", [format!("合成区{code}")])
        .expect("the district's name");
    c.execute_batch("COMMIT").expect("commit");
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn day_cases() -> usize {
    env_usize("GRIDDESK_DAY_CASES", 1000)
}

fn stations() -> usize {
    env_usize("GRIDDESK_STATIONS", 100).clamp(2, 100)
}

fn district_code(i: usize) -> String {
    format!("{}", 339_001 + i)
}

fn bench_hundred(cl: &Cluster, f: &mut Figures, work: &Path) {
    let template = work.join("template.sqlite");
    griddesk(&[
        "generate",
        "--grids",
        "200",
        "--cases",
        "1000",
        "--db",
        s(&template),
        "--resources",
        s(&root().join("resources")),
    ]);
    let seed = griddesk::sample::generate(&griddesk::sample::SampleParams::benchmark(200, 1000))
        .expect("the template's case loop")
        .case_loop;
    Engine::open(&template)
        .expect("the template")
        .load_sample_case_loop(&seed)
        .expect("the case loop");
    // Each district: the template under its code, loaded (its base set).
    let t = Instant::now();
    let stations: Vec<PathBuf> = (0..stations())
        .map(|i| {
            let p = work.join(format!("s{i:03}.sqlite"));
            std::fs::copy(&template, &p).expect("a copy");
            rewrite_district(&p, "331003", &district_code(i));
            griddesk(&["centre", "load", &cl.url, s(&p)]);
            p
        })
        .collect();
    f.line(format!(
        "hundred: {} districts made and loaded in {}",
        stations.len(),
        secs(t.elapsed())
    ));
    // The day's work once on the template (the geometry is every district's), then each
    // station is the day's template under its code, with its own base.
    let worked = work.join("template-day.sqlite");
    std::fs::copy(&template, &worked).expect("a copy");
    let pts = points(&cl.url, &district_code(0), day_cases());
    let d = day(&worked, &pts, day_cases());
    for (i, p) in stations.iter().enumerate() {
        let next = work.join(format!("s{i:03}-day.sqlite"));
        std::fs::copy(&worked, &next).expect("a copy");
        rewrite_district(&next, "331003", &district_code(i));
        let c = rusqlite::Connection::open(&next).expect("the day's station");
        c.execute("ATTACH DATABASE ?1 AS loaded", [s(p)])
            .expect("attach");
        c.execute_batch(
            "BEGIN;
             DELETE FROM sync_base; INSERT INTO sync_base SELECT * FROM loaded.sync_base;
             DELETE FROM sync_state; INSERT INTO sync_state SELECT * FROM loaded.sync_state;
             COMMIT; DETACH DATABASE loaded;",
        )
        .expect("the loaded base");
        drop(c);
        std::fs::rename(&next, p).expect("rename");
    }
    let _ = d;
    let t = Instant::now();
    let handles: Vec<_> = stations
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let url = cl.url.clone();
            let p = p.clone();
            std::thread::spawn(move || {
                let t = Instant::now();
                let centre = Centre::open(&url).map_err(|e| e.to_string())?;
                let store = griddesk::store::Store::open(&p).map_err(|e| e.to_string())?;
                let r = griddesk_sync::sync(&store.db(), &centre, &district_code(i))
                    .map_err(|e| e.to_string())?;
                let conflicts = r.sent.as_ref().map_or(0, |s| s.outcome.conflicts.len());
                if conflicts > 0 {
                    return Err(format!("{conflicts} conflicts"));
                }
                Ok::<_, String>((t.elapsed(), sent_rows(&r)))
            })
        })
        .collect();
    let mut times = Vec::new();
    let mut rows = 0;
    let mut failed = Vec::new();
    for (i, h) in handles.into_iter().enumerate() {
        match h.join() {
            Ok(Ok((d, n))) => {
                times.push(d);
                rows += n;
            }
            Ok(Err(e)) => failed.push(format!("{}: {e}", district_code(i))),
            Err(_) => failed.push(format!("{}: panicked", district_code(i))),
        }
    }
    let wall = t.elapsed();
    assert!(failed.is_empty(), "stations failed: {failed:#?}");
    times.sort();
    // Every district equal after.
    for (i, p) in stations.iter().enumerate().step_by(33) {
        let o = Command::new(BIN)
            .args(["centre", "verify", &cl.url, s(p)])
            .output()
            .expect("verify");
        assert!(o.status.success(), "verify {}", district_code(i));
    }
    f.line(format!(
        "hundred: {} stations syncing at once: none failed, {rows} row changes in {} wall; \
         per station p50 {}, p95 {}, max {}",
        stations.len(),
        secs(wall),
        secs(percentile(&times, 0.5)),
        secs(percentile(&times, 0.95)),
        secs(times[times.len() - 1])
    ));
}

/// Median of `runs` timed runs of `q` (after one warm-up when `runs` > 1: a long join runs
/// once, after the `GROUP BY` has read the same table), and its row count.
fn time_query(c: &mut postgres::Client, q: &str, runs: usize) -> (Duration, usize) {
    let mut n = if runs > 1 {
        c.query(q, &[]).expect(q).len()
    } else {
        0
    };
    let mut v = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        n = c.query(q, &[]).expect(q).len();
        v.push(t.elapsed());
    }
    (median(v), n)
}

fn bench_city(cl: &Cluster, f: &mut Figures) {
    let target: i64 = std::env::var("GRIDDESK_CITY_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    let mut c = pg(&cl.url);
    let t = Instant::now();
    // The 100 districts side by side (the template's extent apart), as a city's are, east of
    // everything the centre holds (the sample district of `day`); their cases move with them.
    let row = c
        .query_one(
            "SELECT ST_XMax(e) - ST_XMin(e), ST_YMax(e) - ST_YMin(e),
                    (SELECT ST_XMax(ST_Extent(geom)::geometry) FROM grid) - ST_XMin(e)
               FROM (SELECT ST_Extent(geom)::geometry e FROM grid WHERE district = $1) x",
            &[&district_code(0)],
        )
        .expect("the extent");
    let (w, h, east): (f64, f64, f64) = (row.get(0), row.get(1), row.get(2));
    for i in 0..stations() {
        let (dx, dy) = (
            east + 0.01 + (i % 10) as f64 * w * 1.02,
            (i / 10) as f64 * h * 1.02,
        );
        for table in ["grid", "cases"] {
            c.execute(
                &format!(
                    "UPDATE {table} SET geom = ST_Translate(geom, $2, $3) WHERE district = $1"
                ),
                &[&district_code(i), &dx, &dy],
            )
            .expect("a district moved");
        }
    }
    let grids: i64 = c
        .query_one(
            "SELECT count(*) FROM grid WHERE district LIKE '339%' AND end_date IS NULL",
            &[],
        )
        .expect("grids")
        .get(0);
    let per = (target + grids - 1) / grids;
    // Bulk load: foreign keys and triggers off for the session (superuser), the secondary
    // indexes made again after.
    let idx: Vec<String> = c
        .query(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'cases' AND indexname <> 'cases_pkey'",
            &[],
        )
        .expect("indexes")
        .iter()
        .map(|r| r.get(0))
        .collect();
    c.batch_execute(
        "SET session_replication_role = replica;
         DROP INDEX cases_geom, cases_grid, cases_reported, cases_status;",
    )
    .expect("bulk mode");
    for i in 0..stations() {
        c.execute(
            "INSERT INTO cases (district, id, kind, class_code, source, reported_at, status,
                                geom, grid, sample)
             SELECT g.district, 'C' || g.code || '-' || p.path[1], 'event',
                    (ARRAY['0101','0102','0201','0301'])[1 + p.path[1] % 4], 'patrol',
                    timestamp '2026-01-01' + (p.path[1] % 300) * interval '1 day'
                      + (p.path[1] % 600) * interval '1 minute',
                    CASE WHEN p.path[1] % 10 = 0 THEN 'handling' ELSE 'closed' END,
                    p.geom, g.code, false
               FROM grid g, LATERAL ST_Dump(ST_GeneratePoints(g.geom, $2::int, 7)) p
              WHERE g.district = $1 AND g.end_date IS NULL",
            &[&district_code(i), &(per as i32)],
        )
        .expect("cases");
    }
    for d in &idx {
        c.batch_execute(d).expect("an index again");
    }
    // One statement a call: VACUUM runs outside a transaction block only.
    for st in [
        "RESET session_replication_role",
        "VACUUM ANALYZE cases",
        "VACUUM ANALYZE grid",
    ] {
        c.batch_execute(st).expect(st);
    }
    let total: i64 = c
        .query_one("SELECT count(*) FROM cases", &[])
        .expect("count")
        .get(0);
    f.line(format!(
        "city: {total} cases in {} districts and the sample's ({grids} grids, {per} generated per grid) made in {}",
        stations(),
        secs(t.elapsed())
    ));

    let by_grid = "SELECT district, grid, count(*) FROM cases GROUP BY district, grid";
    let join = "SELECT g.district, g.code, count(*) FROM grid g JOIN cases c
                  ON ST_Contains(g.geom, c.geom) GROUP BY g.district, g.code";
    let (centre, n1) = time_query(&mut c, by_grid, 3);
    let (postgis, n2) = time_query(&mut c, join, 1);
    let t = Instant::now();
    for st in [
        "CREATE TABLE bench_points AS SELECT geom FROM cases ORDER BY ST_GeoHash(geom)",
        "CREATE INDEX bench_points_geom ON bench_points USING gist (geom)",
        "VACUUM ANALYZE bench_points",
    ] {
        c.batch_execute(st).expect(st);
    }
    let ordered_made = t.elapsed();
    let join_ordered = "SELECT g.district, g.code, count(*) FROM grid g JOIN bench_points c
                          ON ST_Contains(g.geom, c.geom) GROUP BY g.district, g.code";
    let (ordered, n3) = time_query(&mut c, join_ordered, 1);
    // Do they agree? Per-grid counts by both ways.
    let differ: i64 = c
        .query_one(
            &format!(
                "SELECT count(*) FROM ({by_grid}) a FULL JOIN ({join}) b
                   ON a.district = b.district AND a.grid = b.code
                 WHERE a.count IS DISTINCT FROM b.count"
            ),
            &[],
        )
        .expect("agreement")
        .get(0);
    f.line(format!(
        "city: per-grid counts over {total} cases: the centre's GROUP BY {} ({n1} grids, median of 3); \
         PostGIS ST_Contains join over GiST {} ({n2} grids): {:.1}× the centre's; \
         the same join on the points in geohash order {} ({n3} grids, ordering and indexing took {}): {:.1}×; \
         grids whose counts differ between the two ways: {differ}; target < 1 s",
        secs(centre),
        secs(postgis),
        postgis.as_secs_f64() / centre.as_secs_f64(),
        secs(ordered),
        secs(ordered_made),
        ordered.as_secs_f64() / centre.as_secs_f64(),
    ));

    // A heatmap: counts in cells of 0.002° (about 200 m).
    let heat = "SELECT floor(ST_X(geom) / 0.002)::int AS i, floor(ST_Y(geom) / 0.002)::int AS j,
                       count(*) FROM cases GROUP BY 1, 2";
    let heat_postgis = "WITH e AS (SELECT ST_SetSRID(ST_Extent(geom)::geometry, 4326) e FROM grid),
                             cells AS (SELECT (ST_SquareGrid(0.002, e)).* FROM e)
                        SELECT cells.i, cells.j, count(*) FROM cells JOIN cases c
                          ON ST_Intersects(cells.geom, c.geom) GROUP BY 1, 2";
    let (h1, m1) = time_query(&mut c, heat, 3);
    let (h2, m2) = time_query(&mut c, heat_postgis, 1);
    f.line(format!(
        "city: heatmap (0.002° cells) over {total} cases: the centre's GROUP BY of the snapped point {} ({m1} cells, median of 3); \
         PostGIS ST_SquareGrid ⋈ ST_Intersects {} ({m2} cells): {:.1}×",
        secs(h1),
        secs(h2),
        h2.as_secs_f64() / h1.as_secs_f64()
    ));
}

fn main() {
    let wanted: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let all = wanted.is_empty();
    let want = |p: &str| all || wanted.iter().any(|w| w == p);
    let mut f = Figures(String::new());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    f.line(format!(
        "sync_scale: {} UTC, {} build, {} cores, load average {}",
        chrono::Utc::now().format("%Y-%m-%d %H:%M"),
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    ));
    let cl = cluster();
    let work = tempfile::tempdir().expect("a work folder");
    if want("day") {
        bench_day(&cl, &mut f, work.path());
    }
    if want("hundred") || want("city") {
        bench_hundred(&cl, &mut f, work.path());
    }
    if want("city") {
        bench_city(&cl, &mut f);
    }
    let out = std::env::var_os("GRIDDESK_BENCH_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/sync_scale.txt"));
    let mut text = String::new();
    let _ = write!(text, "{}", f.0);
    std::fs::write(&out, text).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
    println!("figures written to {}", out.display());
}
