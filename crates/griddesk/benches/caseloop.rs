//! Criterion benchmarks of the case loop, fixed seeds:
//! * `intake/one_case_1m_stored`: one intake — grid and routing lookup, duplicate check,
//!   insert of the case, its workflow record, first stage clock and audit entry, and the
//!   in-memory index update — into a store already holding 1 000 000 cases (the sample
//!   generator's `benchmark(5 000, 1 000 000)` district).
//! * `clocks/*_100k_open`: the deadline, remaining time and overdue state of 100 000 open cases
//!   recomputed for "now".
//!
//! `cargo bench -p griddesk --bench caseloop`.

use chrono::{Duration as Dur, NaiveDateTime};
use criterion::{criterion_group, criterion_main, Criterion};
use griddesk::intake::{DuplicateParams, IntakeRequest, OnDuplicate};
use griddesk::io::ImportOptions;
use griddesk::model::{CaseKind, CaseSource};
use griddesk::routing::RoutingRule;
use griddesk::sample::{generate, SampleParams};
use griddesk::store::Store;
use griddesk::users::{Department, NewUser, Role, Session};
use griddesk::Engine;
use std::hint::black_box;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

fn t(s: &str) -> NaiveDateTime {
    griddesk::store::parse_datetime(s).expect("time")
}

/// Writes a generated district to a store and opens it with departments, routing and users.
fn open_district(path: &Path, p: &SampleParams) -> (Engine, Vec<[f64; 2]>, Vec<String>) {
    let d = generate(p).expect("generate");
    {
        let mut store = Store::create(path).expect("store");
        d.write_to_store(&mut store, &d.tables).expect("write");
    }
    let points: Vec<[f64; 2]> = d
        .grids
        .iter()
        .zip(0..)
        .map(|(g, _)| {
            let p = geo::InteriorPoint::interior_point(&g.polygon).expect("label point");
            [p.x(), p.y()]
        })
        .collect();
    let classes: Vec<String> = d.tables.events.iter().map(|e| e.code.clone()).collect();
    drop(d);
    let e = Engine::open(path).expect("open");
    for (code, name) in [("D01", "综合行政执法局"), ("D02", "环境卫生管理处")] {
        e.add_department(
            None,
            &Department {
                code: code.into(),
                name: name.into(),
                active: true,
            },
        )
        .expect("department");
    }
    for (class, dept) in [(None, "D01"), (Some("01"), "D02")] {
        e.add_routing_rule(
            None,
            &RoutingRule {
                id: None,
                kind: None,
                class_code: class.map(str::to_string),
                area_class: None,
                street: None,
                department: dept.into(),
            },
        )
        .expect("rule");
    }
    for (login, role) in [("admin", Role::Admin), ("inspector", Role::Inspector)] {
        let by = e.sign_in("admin", "bench-pass", Role::Admin).ok();
        e.add_user(
            by.as_ref(),
            &NewUser {
                login: login.into(),
                name: login.into(),
                password: "bench-pass".into(),
                roles: vec![role],
                department: None,
            },
        )
        .expect("user");
    }
    (e, points, classes)
}

fn session(e: &Engine, login: &str, role: Role) -> Session {
    e.sign_in(login, "bench-pass", role).expect("sign in")
}

fn intake(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("intake.sqlite");
    let (e, points, classes) = open_district(&path, &SampleParams::benchmark(5_000, 1_000_000));
    eprintln!("intake bench store: {} cases", e.overview().cases);
    let insp = session(&e, "inspector", Role::Inspector);
    let dup = DuplicateParams::default();
    let base = t("2027-01-01 08:00:00");
    let mut i: usize = 0;
    let mut g = c.benchmark_group("intake");
    g.sample_size(30).measurement_time(Duration::from_secs(15));
    g.bench_function("one_case_1m_stored", |b| {
        b.iter(|| {
            i += 1;
            let p = points[(i * 7919) % points.len()];
            let req = IntakeRequest {
                source: CaseSource::Patrol,
                kind: CaseKind::Event,
                class_code: Some(classes[i % classes.len()].clone()),
                condition: None,
                location: Some(p),
                component: None,
                description: Some("基准测试上报".into()),
                address: None,
                reporter: None,
                reporter_phone: None,
                photos: vec![],
                reported_at: base + Dur::minutes(i as i64 * 20),
                urgency: None,
            };
            black_box(
                e.intake(&insp, &req, &dup, &OnDuplicate::Check)
                    .expect("intake"),
            )
        })
    });
    g.finish();
    eprintln!("intake bench store after: {} cases", e.overview().cases);
}

fn clocks(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("clocks.sqlite");
    let (e, points, classes) = open_district(&path, &SampleParams::benchmark(400, 0));
    let admin = session(&e, "admin", Role::Admin);
    let csv = dir.path().join("open.csv");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&csv).expect("csv"));
        writeln!(f, "lon,lat,kind,class_code,source,reported_at,status").expect("write");
        let statuses = [
            "handling", "handling", "filed", "checking", "accepted", "to_close", "hung",
        ];
        for k in 0..100_000usize {
            let p = points[(k * 31) % points.len()];
            let at = t("2026-01-05 08:00:00") + Dur::minutes((k * 7 % (90 * 24 * 60)) as i64);
            writeln!(
                f,
                "{},{},event,{},patrol,{},{}",
                p[0],
                p[1],
                classes[k % classes.len()],
                griddesk::store::format_datetime(&at),
                statuses[k % statuses.len()]
            )
            .expect("write");
        }
    }
    let r = e
        .import_history(&admin, &csv, ImportOptions::default(), &mut |_, _| {})
        .expect("import");
    let now = t("2026-03-20 10:30:00");
    let (open, overdue) = e.overdue_count(now).expect("count");
    eprintln!(
        "clocks bench: {} imported, {open} open, {overdue} overdue at {now}",
        r.imported
    );
    let mut g = c.benchmark_group("clocks");
    g.sample_size(30).measurement_time(Duration::from_secs(10));
    g.bench_function("case_clocks_100k_open", |b| {
        b.iter(|| black_box(e.case_clocks(now).expect("clocks")))
    });
    g.bench_function("overdue_count_100k_open", |b| {
        b.iter(|| black_box(e.overdue_count(now).expect("count")))
    });
    g.finish();
}

criterion_group!(benches, clocks, intake);
criterion_main!(benches);
