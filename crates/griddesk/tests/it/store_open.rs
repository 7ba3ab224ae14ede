//! Opening stores: missing, corrupt, foreign, too new, locked — each a distinct, clear error —
//! a store written by schema version 1 upgraded in place and read back,
//! and transactional writes that leave nothing behind on failure.

use griddesk::code::{DistrictCode, StreetCode};
use griddesk::codetable::CodeTables;
use griddesk::model::Street;
use griddesk::store::Store;
use griddesk::{Engine, ErrorKind};
use std::path::Path;

fn tables() -> CodeTables {
    CodeTables::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../resources/codes"))
        .expect("code tables")
}

#[test]
fn missing_store_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let e = Engine::open(&dir.path().join("nope.sqlite")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::StoreNotFound);
    assert!(e.to_string().contains("nope.sqlite"), "{e}");
}

#[test]
fn corrupt_store_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("junk.sqlite");
    std::fs::write(
        &p,
        b"this is not a database at all, just some text that is long enough.....",
    )
    .unwrap();
    let e = Engine::open(&p).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::StoreCorrupt, "{e}");
}

#[test]
fn foreign_sqlite_file_is_not_a_store() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("other.sqlite");
    rusqlite::Connection::open(&p)
        .unwrap()
        .execute_batch("CREATE TABLE t (x)")
        .unwrap();
    let e = Engine::open(&p).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::StoreCorrupt, "{e}");
    assert!(e.to_string().contains("not a GridDesk store"), "{e}");
}

#[test]
fn newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("new.sqlite");
    drop(Engine::create(&p, &tables()).unwrap());
    rusqlite::Connection::open(&p)
        .unwrap()
        .execute_batch("PRAGMA user_version = 999")
        .unwrap();
    let e = Engine::open(&p).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::StoreTooNew, "{e}");
    assert!(e.to_string().contains("999"), "{e}");
}

#[test]
fn locked_store_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("locked.sqlite");
    drop(Engine::create(&p, &tables()).unwrap());
    let holder = rusqlite::Connection::open(&p).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE;").unwrap();
    let e = Engine::open(&p).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::StoreLocked, "{e}");
    holder.execute_batch("ROLLBACK;").unwrap();
    assert!(Engine::open(&p).is_ok());
}

#[test]
fn reopening_keeps_schema_and_code_tables() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.sqlite");
    drop(Engine::create(&p, &tables()).unwrap());
    let s = Store::open(&p).unwrap();
    assert_eq!(
        s.schema_version().unwrap(),
        griddesk::store::current_version()
    );
    assert_eq!(s.code_tables().unwrap().components.len(), 85);
    assert!(
        Store::create(&p).is_err(),
        "create must not overwrite an existing store"
    );
}

#[test]
fn failed_write_leaves_nothing_behind() {
    let mut s = Store::in_memory().unwrap();
    let d = DistrictCode::parse("331003").unwrap();
    s.write(|w| {
        w.put_district(&griddesk::model::District {
            code: d,
            name: "黄岩区".into(),
            boundary: geo_types::MultiPolygon(vec![]),
        })
    })
    .unwrap();
    let street = |n: u16| Street {
        code: d.street(n).unwrap(),
        name: format!("街道{n}"),
        boundary: geo_types::MultiPolygon(vec![]),
        sample: true,
    };
    let err = s
        .write(|w| {
            w.insert_street(&street(1))?;
            w.insert_street(&street(2))?;
            w.insert_street(&street(1)) // duplicate: the whole write must roll back
        })
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict, "{err}");
    assert!(s.load().unwrap().streets.is_empty());
    // A street in an unknown district is refused by the foreign key.
    let orphan = Street {
        code: StreetCode::parse("999999001").unwrap(),
        ..street(3)
    };
    assert!(s.write(|w| w.insert_street(&orphan)).is_err());
    assert!(s.load().unwrap().streets.is_empty());
}

/// Lattice vertex (i, j) of the v1 fixture (tests/fixtures/store/make_v1_store.py).
fn v1_vertex(i: i32, j: i32) -> (f64, f64) {
    (
        (121_250.0 + f64::from(i)) / 1000.0,
        (28_630.0 * 10.0 / 9.0 + f64::from(j)) * 0.0009,
    )
}

fn v1_at(x: f64, y: f64) -> (f64, f64) {
    let (x0, y0) = v1_vertex(0, 0);
    (x0 + x * 0.001, y0 + y * 0.0009)
}

/// A store written at schema version 1 (tests/fixtures/store/v1_store.sql: the tables of the
/// first migration as they were, with a small district) opens with the current engine: it is
/// upgraded in place to the current schema, every row reads back as written, and what the later
/// migrations added works on it (zone layers over its duty grid, planning edits with undo, the
/// planner role).
#[test]
fn store_written_by_schema_1_is_upgraded_and_reads_back() {
    use griddesk::model::{CaseKind, CaseSource, CaseStatus, ComponentState};
    use griddesk::planning::{Edit, EditMeta};
    use griddesk::users::{NewUser, Role};

    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("v1.sqlite");
    rusqlite::Connection::open(&p)
        .unwrap()
        .execute_batch(include_str!("../fixtures/store/v1_store.sql"))
        .unwrap();
    let version = |p: &Path| -> i64 {
        rusqlite::Connection::open(p)
            .unwrap()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(version(&p), 1);
    assert!(griddesk::store::current_version() > 1);

    let e = Engine::open(&p).expect("a schema-1 store opens");
    assert_eq!(version(&p), griddesk::store::current_version());

    // Every row as written.
    let o = e.overview();
    assert_eq!(o.district_code.as_deref(), Some("331003"));
    assert_eq!(o.district_name.as_deref(), Some("黄岩区"));
    assert_eq!(
        (o.streets, o.communities, o.grids, o.retired_grids),
        (1, 2, 6, 1)
    );
    assert_eq!((o.duty_grids, o.components, o.cases), (1, 2, 3));
    let l = e.loaded();
    let grid = |code: &str| {
        l.index
            .grids
            .iter()
            .find(|g| g.code.as_str() == code)
            .unwrap_or_else(|| panic!("grid {code} missing"))
    };
    let g = grid("331003001001002");
    assert_eq!(g.name, "东门网格002");
    assert_eq!(g.land_use.as_deref(), Some("商业"));
    assert_eq!(g.level.as_deref(), Some("一类区域"));
    assert_eq!(g.area_m2, 9876.5);
    assert_eq!(g.start_date.to_string(), "2024-01-01");
    assert_eq!(g.end_date, None);
    // Cell (1, 1), counter-clockwise from its south-west corner, bit for bit.
    let ring: Vec<(f64, f64)> = g.polygon.exterior().0.iter().map(|c| (c.x, c.y)).collect();
    assert_eq!(
        ring,
        vec![
            v1_vertex(1, 1),
            v1_vertex(2, 1),
            v1_vertex(2, 2),
            v1_vertex(1, 2),
            v1_vertex(1, 1)
        ]
    );
    let retired = grid("331003001001004");
    assert_eq!(
        retired.end_date.map(|d| d.to_string()).as_deref(),
        Some("2025-06-30")
    );
    assert!(!retired.is_active());
    assert_eq!(grid("331003001001003").land_use, None);
    // The boundary rule over the upgraded grids: the retired grid holds nothing.
    for (x, y, code) in [
        (0.5, 1.5, "331003001001001"),
        (1.5, 0.5, "331003001001005"),
        (2.5, 1.5, "331003001002001"),
        (2.0, 1.5, "331003001001002"), // on the community boundary: the lowest code
    ] {
        let (lon, lat) = v1_at(x, y);
        assert_eq!(
            e.grid_at(lon, lat).map(|g| g.to_string()).as_deref(),
            Some(code),
            "({x}, {y})"
        );
    }
    let comp = l
        .index
        .components
        .iter()
        .find(|c| c.code.as_str() == "3310030101000001")
        .unwrap();
    assert_eq!(comp.owner.as_deref(), Some("区住建局"));
    assert_eq!(comp.maintainer.as_deref(), Some("黄岩水务"));
    assert_eq!(comp.state, ComponentState::Intact);
    assert_eq!(
        comp.grid.map(|g| g.to_string()).as_deref(),
        Some("331003001001001")
    );
    assert_eq!((comp.location.x(), comp.location.y()), v1_at(0.5, 1.5));
    let case = l.index.cases.iter().find(|c| &*c.id == "A0002").unwrap();
    assert_eq!(case.kind, CaseKind::Component);
    assert_eq!(case.source, CaseSource::Hotline12319);
    assert_eq!(case.status, CaseStatus::Reported);
    assert_eq!(case.reported_at.to_string(), "2025-08-20 14:02:00");
    assert_eq!(
        case.component.map(|c| c.to_string()).as_deref(),
        Some("3310030102000002")
    );
    assert_eq!(
        case.grid.map(|g| g.to_string()).as_deref(),
        Some("331003001002002")
    );
    let closed = l.index.cases.iter().find(|c| &*c.id == "A0001").unwrap();
    assert_eq!(closed.status, CaseStatus::Closed);
    // Descriptions stay in the store, read in blocks where a file or a history needs them.
    let texts = griddesk_store::CaseTexts::case_descriptions(
        &Store::open(&p).expect("store"),
        &["A0001", "A0002", "none"],
    )
    .expect("descriptions");
    assert_eq!(texts[0].as_deref(), Some("路边暴露垃圾"));
    assert_eq!(texts[2], None, "a case not in the store has none");
    let duty = &l.index.duty_grids[0];
    assert_eq!(
        (duty.code.as_str(), duty.inspector.as_str()),
        ("33100300100101", "张三")
    );
    assert_eq!(
        duty.grids.iter().map(|g| g.to_string()).collect::<Vec<_>>(),
        vec!["331003001001001", "331003001001002"]
    );
    drop(l);

    // Migration 3: the old duty grid is a zone of the built-in `duty` layer.
    let duty_zones = e.zones_in_layer(None, "duty").unwrap();
    assert_eq!(duty_zones.len(), 1, "{duty_zones:?}");
    assert_eq!(duty_zones[0].code, "33100300100101");
    assert_eq!(duty_zones[0].grids, 2);

    // Migration 4: a planning edit on the old grids, undone back to the rows as written.
    let before = e.loaded().index.grids.clone();
    let meta = EditMeta {
        at: chrono::NaiveDate::from_ymd_opt(2026, 3, 2).and_then(|d| d.and_hms_opt(9, 0, 0)),
        ..EditMeta::by("upgrade test")
    };
    let (a, b) = (v1_at(0.2, 1.5), v1_at(0.8, 1.5));
    let split = e
        .plan_apply(
            &e.local_admin("upgrade-test"),
            &Edit::Split {
                grid: griddesk::code::GridCode::parse("331003001001001").unwrap(),
                line: vec![[a.0 - 0.0003, a.1], [b.0 + 0.0003, b.1]],
            },
            &meta,
        )
        .expect("split on an upgraded store");
    assert_eq!(split.edit.effect.created.len(), 2);
    assert_eq!(e.plan_log(5).unwrap().len(), 1);
    e.plan_undo(&e.local_admin("upgrade-test"), &meta).unwrap();
    assert_eq!(e.loaded().index.grids, before);

    // Migrations 2 and 5: users with roles, the planner role included.
    e.add_user(
        None,
        &NewUser {
            login: "admin".into(),
            name: "管理员".into(),
            password: "admin-pass".into(),
            roles: vec![Role::Admin],
            department: None,
        },
    )
    .unwrap();
    let admin = e.sign_in("admin", "admin-pass", Role::Admin).unwrap();
    e.add_user(
        Some(&admin),
        &NewUser {
            login: "planner".into(),
            name: "规划员".into(),
            password: "planner-pass".into(),
            roles: vec![Role::Planner],
            department: None,
        },
    )
    .unwrap();
    assert!(e.sign_in("planner", "planner-pass", Role::Planner).is_ok());
    drop(e);

    // Opening again changes nothing: the store stays at the current version, rows unchanged.
    let again = Engine::open(&p).unwrap();
    assert_eq!(version(&p), griddesk::store::current_version());
    assert_eq!(again.loaded().index.grids, before);
    assert_eq!(again.overview().cases, 3);
}

/// Two processes on one store file (here two engines): a case reported through one is seen
/// by the other without reopening it — the engine follows another writer's commits instead of
/// assuming it is the only one.
#[test]
fn an_engine_follows_another_writer() {
    use griddesk::intake::{DuplicateParams, IntakeOutcome, IntakeRequest, OnDuplicate};
    use griddesk::model::{CaseKind, CaseSource};
    use griddesk::users::Role;
    let d = crate::common::district();
    let path = d._dir.path().join("d.sqlite");
    let other = griddesk::Engine::open(&path).expect("a second engine on the same file");
    let before = d.engine.overview().cases;
    let insp = crate::common::session(&other, "inspector", Role::Inspector);
    let req = IntakeRequest {
        source: CaseSource::Patrol,
        kind: CaseKind::Event,
        class_code: Some("0101".into()),
        condition: None,
        location: Some(crate::common::centre(&other)),
        component: None,
        description: Some("另一个写入者".into()),
        address: None,
        reporter: None,
        reporter_phone: None,
        photos: vec![],
        reported_at: crate::common::t("2026-03-02 09:00"),
        urgency: None,
    };
    let out = other
        .intake(
            &insp,
            &req,
            &DuplicateParams::default(),
            &OnDuplicate::Proceed,
        )
        .expect("intake through the other engine");
    let IntakeOutcome::Created { id, .. } = out else {
        panic!("{out:?}")
    };
    assert_eq!(other.overview().cases, before + 1);
    // Within one check interval the first engine picks the commit up by itself.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while d.engine.overview().cases == before && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(
        d.engine.overview().cases,
        before + 1,
        "the other writer's case is seen"
    );
    assert!(
        d.engine.loaded().index.cases.iter().any(|c| *c.id == id),
        "{id} is in the first engine's index"
    );
}

/// A backup taken while the engine is open holds the commits still in the write-ahead log,
/// and only an administrator may take one.
#[test]
fn an_online_backup_holds_every_commit() {
    use griddesk::users::Role;
    let d = crate::common::district();
    let e = &d.engine;
    let inspector = crate::common::session(e, "inspector", Role::Inspector);
    let to = d._dir.path().join("backup.sqlite");
    let err = e.backup(&inspector, &to).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotPermitted, "{err}");
    assert!(!to.exists());
    let admin = crate::common::admin(e);
    e.backup(&admin, &to).expect("backup");
    let copy = Engine::open(&to).expect("the backup opens");
    assert_eq!(copy.overview().cases, e.overview().cases);
    assert_eq!(copy.overview().grids, e.overview().grids);
    assert_eq!(
        copy.users().expect("users").len(),
        e.users().expect("users").len()
    );
    assert_eq!(
        Store::verify(&to).expect("intact"),
        griddesk::store::current_version()
    );
}
