//! A small generated district with departments, routing rules and one user per role, shared
//! by the case-loop integration tests; and how a test that needs an outside tool or file fails.
#![allow(dead_code)]

use chrono::NaiveDateTime;
use griddesk::code::StreetCode;
use griddesk::model::CaseKind;
use griddesk::routing::RoutingRule;
use griddesk::users::{Department, NewUser, Role, Session};
use griddesk::Engine;

pub fn t(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("test district")
}

pub struct District {
    pub _dir: tempfile::TempDir,
    pub engine: Engine,
}

/// A small generated district with departments, routing and one user per role.
pub fn district() -> District {
    let dir = tempfile::tempdir().expect("test district");
    let path = dir.path().join("d.sqlite");
    let p = griddesk::sample::SampleParams {
        cases: 0,
        ..griddesk::sample::SampleParams::benchmark(120, 0)
    };
    let s = griddesk::sample::generate(&p).expect("test district");
    let mut store = griddesk::store::Store::create(&path).expect("test district");
    s.write_to_store(&mut store, &s.tables)
        .expect("test district");
    drop(store);
    let e = Engine::open(&path).expect("test district");
    for (code, name) in [("D01", "环境卫生管理处"), ("D02", "综合行政执法局")] {
        e.add_department(
            None,
            &Department {
                code: code.into(),
                name: name.into(),
                active: true,
            },
        )
        .expect("test district");
    }
    e.add_routing_rule(
        None,
        &RoutingRule {
            id: None,
            kind: None,
            class_code: None,
            area_class: None,
            street: None,
            department: "D02".into(),
        },
    )
    .expect("test district");
    e.add_routing_rule(
        None,
        &RoutingRule {
            id: None,
            kind: Some(CaseKind::Event),
            class_code: Some("01".into()),
            area_class: None,
            street: None::<StreetCode>,
            department: "D01".into(),
        },
    )
    .expect("test district");
    let admin = e
        .add_user(
            None,
            &NewUser {
                login: "admin".into(),
                name: "管理员".into(),
                password: "admin-pass".into(),
                roles: vec![Role::Admin],
                department: None,
            },
        )
        .expect("test district");
    assert_eq!(admin.roles, vec![Role::Admin]);
    let admin = e
        .sign_in("admin", "admin-pass", Role::Admin)
        .expect("test district");
    for (login, role, dept) in [
        ("inspector", Role::Inspector, None),
        ("reception", Role::Receptionist, None),
        ("leader", Role::ShiftLeader, None),
        ("dispatch", Role::Dispatcher, None),
        ("sanitation", Role::Department, Some("D01")),
        ("enforcement", Role::Department, Some("D02")),
        ("chief", Role::Leader, None),
    ] {
        e.add_user(
            Some(&admin),
            &NewUser {
                login: login.into(),
                name: login.into(),
                password: format!("{login}-pass"),
                roles: vec![role],
                department: dept.map(str::to_string),
            },
        )
        .expect("test district");
    }
    District {
        _dir: dir,
        engine: e,
    }
}

pub fn session(e: &Engine, login: &str, role: Role) -> Session {
    e.sign_in(login, &format!("{login}-pass"), role)
        .expect("test district")
}

pub fn centre(e: &Engine) -> [f64; 2] {
    let l = e.loaded();
    let i = l.index.grids.len() / 2;
    let p = l.index.grid_label_points[i];
    [p.x(), p.y()]
}

/// The test planner's session (the engine lets only planners and administrators edit zones and
/// planning settings): signed in as `t-planner`, created by an administrator when missing — the
/// store's first user `t-admin` on an empty store, else the district's own administrator.
pub fn planner(e: &Engine) -> Session {
    // Signing in hashes the password (argon2): once per store file, not per edit.
    static SIGNED: std::sync::Mutex<Vec<(std::path::PathBuf, Session)>> =
        std::sync::Mutex::new(Vec::new());
    let file = e.path().to_path_buf();
    let cacheable = file.exists();
    if cacheable {
        if let Some((_, s)) = SIGNED
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .find(|(p, _)| *p == file)
        {
            return s.clone();
        }
    }
    let s = match e.sign_in("t-planner", "t-planner-pass", Role::Planner) {
        Ok(s) => s,
        Err(_) => {
            let admin = admin(e);
            e.add_user(Some(&admin), &test_user("t-planner", Role::Planner))
                .expect("planner");
            e.sign_in("t-planner", "t-planner-pass", Role::Planner)
                .expect("planner")
        }
    };
    if cacheable {
        SIGNED
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((file, s.clone()));
    }
    s
}

fn test_user(login: &str, role: Role) -> NewUser {
    NewUser {
        login: login.into(),
        name: login.into(),
        password: format!("{login}-pass"),
        roles: vec![role],
        department: None,
    }
}

/// An administrator's session: `t-admin` (the first user of an empty store), the test
/// district's `admin`, or the sample's demo administrator.
pub fn admin(e: &Engine) -> Session {
    if let Ok(s) = e.sign_in("t-admin", "t-admin-pass", Role::Admin) {
        return s;
    }
    if e.add_user(None, &test_user("t-admin", Role::Admin)).is_ok() {
        return e
            .sign_in("t-admin", "t-admin-pass", Role::Admin)
            .expect("admin");
    }
    e.sign_in("admin", "admin-pass", Role::Admin)
        .or_else(|_| e.sign_in("admin", "admin@2026", Role::Admin))
        .expect("an administrator")
}

/// A signed-in session of a new test user `login` holding `role`, added by an administrator.
pub fn user_with_role(e: &Engine, login: &str, role: Role) -> Session {
    e.add_user(Some(&admin(e)), &test_user(login, role))
        .expect("test user");
    e.sign_in(login, &format!("{login}-pass"), role)
        .expect("test user")
}

/// Where a test's outside tool or file is missing: a test that needs it fails, never skips.
/// Under CI (`CI` set, as `.ci/run` runs) that is a missing install step; on a developer's
/// machine, the message says what to install.
pub fn missing(what: &str, how: &str) -> ! {
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
    panic!(
        "{what} is missing ({}): {how}. Tests that need it fail instead of skipping.",
        if ci {
            "CI is set: the install step did not provide it"
        } else {
            "not a CI run"
        }
    )
}

/// Runs an outside tool; a tool that is not installed fails the test (see [`missing`]).
pub fn run_tool(tool: &str, args: &[&std::ffi::OsStr], install: &str) -> std::process::Output {
    match std::process::Command::new(tool).args(args).output() {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            missing(&format!("`{tool}`"), install)
        }
        Err(e) => panic!("cannot run `{tool}`: {e}"),
    }
}

/// A proptest runner for a property run by hand (to count what its cases did): `cases` cases
/// from a seed that changes from run to run (printed; `PROPTEST_RNG_SEED=N` repeats a run),
/// after replaying the failures saved beside `source_file` (`file!()`), in
/// `<source stem>.proptest-regressions`, where a new failure is saved too.
pub fn prop_runner(cases: u32, source_file: &'static str) -> proptest::test_runner::TestRunner {
    use proptest::test_runner::{Config, RngSeed, TestRunner};
    let seed = std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or_else(|| {
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0);
            t ^ u64::from(std::process::id()).rotate_left(32)
        });
    eprintln!("{source_file}: proptest seed {seed} (PROPTEST_RNG_SEED={seed} repeats this run)");
    TestRunner::new(Config {
        cases,
        source_file: Some(source_file),
        failure_persistence: Some(Box::new(regressions_file())),
        rng_seed: RngSeed::Fixed(seed),
        ..Config::default()
    })
}

/// Where [`prop_runner`] keeps failures: `case_loop.rs` → `case_loop.proptest-regressions`
/// beside it. (proptest's default, `SourceParallel`, would look in `tests/proptest-regressions/`.)
pub fn regressions_file() -> proptest::test_runner::FileFailurePersistence {
    proptest::test_runner::FileFailurePersistence::WithSource("proptest-regressions")
}

/// A temporary folder for a store a whole test binary shares through a `static` (statics are
/// never dropped, so a plain temporary folder would be left behind by every run): it lies in
/// Cargo's `target/tmp`, and creating it removes the folders earlier runs left under `name`.
pub fn shared_dir(name: &str) -> tempfile::TempDir {
    let root = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let prefix = format!("{name}-");
    if let Ok(entries) = std::fs::read_dir(root) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
    tempfile::Builder::new()
        .prefix(&prefix)
        .tempdir_in(root)
        .expect("shared test folder")
}

/// An inspector's patrol report of event class `class` at `at_point`, reported at `at`, with a
/// before-photo.
pub fn report(at: &str, at_point: [f64; 2], class: &str) -> griddesk::intake::IntakeRequest {
    use griddesk::workflow::{photo::solid_png, PhotoInput, PhotoPhase};
    griddesk::intake::IntakeRequest {
        source: griddesk::model::CaseSource::Patrol,
        kind: griddesk::model::CaseKind::Event,
        class_code: Some(class.into()),
        condition: None,
        location: Some(at_point),
        component: None,
        description: Some("路边暴露垃圾".into()),
        address: Some("横街路12号".into()),
        reporter: None,
        reporter_phone: None,
        photos: vec![PhotoInput {
            phase: PhotoPhase::Before,
            name: Some("before.png".into()),
            bytes: solid_png(64, 48, [120, 90, 30]),
        }],
        reported_at: t(at),
        urgency: None,
    }
}
