//! Kill drills (issue 16): `griddesk` is killed with SIGKILL at a random moment during first-start
//! seeding, an import, a planning edit and a backup; after each kill the store passes SQLite's
//! integrity check and the audit's seal check, and holds exactly the rows of before or of after
//! — never a part. 100 kills by default (`GRIDDESK_KILLS=N` for more or fewer: a tenth during
//! seeding, the rest shared by the other three); the kill times come from a fixed seed
//! (`GRIDDESK_KILL_SEED`) so a failure can be replayed.

use crate::{griddesk, ok, resources};
use griddesk::Engine;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A small deterministic random source (xorshift64*), for kill times.
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
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_griddesk"))
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// How long `args` takes when left alone.
fn duration(args: &[&str]) -> Duration {
    let t = Instant::now();
    ok(&griddesk(args), &args.join(" "));
    t.elapsed()
}

/// Runs `args` and kills it (SIGKILL) after `after`; whether it had finished by itself.
fn run_and_kill(args: &[&str], after: Duration) -> bool {
    let mut child = bin()
        .args(args)
        .env("USER", "drill")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn griddesk");
    let deadline = Instant::now() + after;
    loop {
        if child.try_wait().expect("wait").is_some() {
            return true;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return false;
        }
        std::thread::sleep(Duration::from_millis(2).min(after));
    }
}

/// Counts of the tables an operation writes.
fn count(db: &Path, table: &str) -> i64 {
    let c = rusqlite::Connection::open(db).expect("open after a kill");
    c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .expect("count")
}

/// The store is whole: SQLite's integrity check, setup complete, and the audit's seals.
fn assert_whole(db: &Path, what: &str) {
    let report = Engine::check_store(db).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(report.ok(), "{what}: {report:?}");
}

fn kills() -> usize {
    std::env::var("GRIDDESK_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100)
}

#[test]
fn random_kills_lose_nothing_committed_and_leave_no_part() {
    let total = kills();
    let seeding = (total / 10).max(1);
    let each = (total - seeding).div_ceil(3);
    let seed = std::env::var("GRIDDESK_KILL_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5EED_u64);
    let mut rng = Rng(seed | 1);
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let res = resources();

    // A small generated district, its components exported as a file of new codes to import.
    let base = d.join("base.sqlite");
    ok(
        &griddesk(&[
            "generate",
            "--grids",
            "400",
            "--cases",
            "3000",
            "--db",
            s(&base),
            "--resources",
            s(&res),
        ]),
        "generate",
    );
    let exported = d.join("comps.csv");
    ok(
        &griddesk(&["export", s(&base), "components", s(&exported)]),
        "export",
    );
    let text = std::fs::read_to_string(&exported).expect("read export");
    let mut new = String::from("code,lon,lat\n");
    let mut n_new = 0i64;
    for (i, line) in text.lines().skip(1).enumerate() {
        let f: Vec<&str> = line.split(',').collect();
        new.push_str(&format!("{}9{:05},{},{}\n", &f[2][..10], i + 1, f[0], f[1]));
        n_new += 1;
    }
    let file = d.join("new.csv");
    std::fs::write(&file, new).expect("write");
    let community = {
        let c = rusqlite::Connection::open(&base).expect("open");
        c.query_row(
            "SELECT code FROM community ORDER BY code LIMIT 1",
            [],
            |r| r.get::<_, String>(0),
        )
        .expect("a community")
    };
    let comps_before = count(&base, "component");

    // 1. Imports.
    let work = d.join("work.sqlite");
    let reset = |work: &PathBuf| {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", work.display()));
        }
        std::fs::copy(&base, work).expect("copy");
    };
    reset(&work);
    let import = ["import", s(&work), "components", s(&file), "--admin"];
    let t_import = duration(&import);
    assert_eq!(count(&work, "component"), comps_before + n_new);
    let mut committed = [0usize; 2];
    for i in 0..each {
        reset(&work);
        let at = rng.below(t_import + t_import / 4);
        run_and_kill(&import, at);
        let what = format!("import kill {i} at {at:?}");
        assert_whole(&work, &what);
        let n = count(&work, "component");
        assert!(
            n == comps_before || n == comps_before + n_new,
            "{what}: {n} components, expected {comps_before} or {}",
            comps_before + n_new
        );
        let audited = count(&work, "audit_log WHERE action = 'import'");
        assert_eq!(
            audited,
            i64::from(n != comps_before),
            "{what}: one audit row exactly when the rows are there"
        );
        committed[usize::from(n != comps_before)] += 1;
    }
    eprintln!("imports: {} before, {} after", committed[0], committed[1]);

    // 2. Planning edits: a proposal accepted for a community (retires and creates grids).
    reset(&work);
    let plan = [
        "plan",
        "propose",
        s(&work),
        &community,
        "--apply",
        "--admin",
    ];
    let grids_before = count(&work, "grid");
    let t_plan = duration(&plan);
    let grids_after = count(&work, "grid");
    assert!(grids_after > grids_before, "the proposal adds grids");
    for i in 0..each {
        reset(&work);
        let at = rng.below(t_plan + t_plan / 4);
        run_and_kill(&plan, at);
        let what = format!("planning kill {i} at {at:?}");
        assert_whole(&work, &what);
        let (g, edits) = (count(&work, "grid"), count(&work, "plan_edit"));
        assert!(
            (g, edits) == (grids_before, 0) || (g, edits) == (grids_after, 1),
            "{what}: {g} grids and {edits} edits, expected ({grids_before}, 0) or ({grids_after}, 1)"
        );
    }

    // 3. Backups: the copy is absent or whole; the store is untouched.
    reset(&work);
    let copy = d.join("copy.sqlite");
    let backup = ["backup", s(&work), s(&copy), "--admin"];
    let t_backup = duration(&backup);
    for i in 0..each {
        let _ = std::fs::remove_file(&copy);
        let at = rng.below(t_backup + t_backup / 4);
        run_and_kill(&backup, at);
        let what = format!("backup kill {i} at {at:?}");
        assert_whole(&work, &what);
        if copy.exists() {
            assert_whole(&copy, &what);
            assert_eq!(count(&copy, "component"), comps_before, "{what}");
        }
    }

    // 4. First-start seeding of the sample district: no store, or a whole one.
    let reference = d.join("reference.sqlite");
    let init = |p: &Path| {
        [
            "init".to_string(),
            p.display().to_string(),
            "--sample".into(),
            "--resources".into(),
            res.display().to_string(),
        ]
    };
    let args = init(&reference);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let t_seed = duration(&refs);
    let tables = [
        "grid",
        "component",
        "cases",
        "case_flow",
        "case_audit",
        "app_user",
    ];
    let want: Vec<i64> = tables.iter().map(|t| count(&reference, t)).collect();
    let seeded = d.join("seeded.sqlite");
    let args = init(&seeded);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut restarted = false;
    for i in 0..seeding {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", seeded.display()));
        }
        let at = rng.below(t_seed + t_seed / 4);
        run_and_kill(&refs, at);
        let what = format!("seeding kill {i} at {at:?}");
        if seeded.exists() {
            assert_whole(&seeded, &what);
            let got: Vec<i64> = tables.iter().map(|t| count(&seeded, t)).collect();
            assert_eq!(got, want, "{what}: {tables:?}");
        }
        // The next start after a kill finishes the job (checked once: it takes a while).
        if !seeded.exists() && !restarted {
            restarted = true;
            ok(&griddesk(&refs), &what);
            assert_whole(&seeded, &what);
        }
    }
}
