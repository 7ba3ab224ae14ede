//! Opening stores: missing, corrupt, foreign, too new, locked — each a distinct, clear error —
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
