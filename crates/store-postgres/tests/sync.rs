//! Upward sync, station → centre (`griddesk-sync` over the SQLite store and the centre), on a
//! real cluster: a loaded station's edits (cases through their workflow steps, a component
//! edit, a grid edit, a deletion, an audit entry) go up and every district-owned table is
//! equal after; a second sync sends nothing; a batch sent twice applies once; a crash after
//! the centre's commit and before the station's acknowledgement is completed by the next
//! sync; a batch of another schema version is refused with nothing applied; a row changed on
//! both sides is a conflict with its three versions while the rest applies, and the same
//! change on both sides is none.

mod common;

use griddesk_caseloop::workflow::desk::Desk;
use griddesk_sample::caseloop::{write_histories, Staff};
use griddesk_sample::{generate, SampleParams};
use griddesk_spatial::index::SpatialIndex;
use griddesk_store::district_rows::{district_sums, DistrictRows, TableSum};
use griddesk_store::AuditStore;
use griddesk_store_postgres::Centre;
use griddesk_store_sqlite::Store;
use griddesk_sync::{Error, Step};

const D: &str = "331003";

fn sums(centre: &Centre, rows: &dyn DistrictRows) -> Vec<TableSum> {
    let columns = |t: &str| -> griddesk_core::Result<Vec<String>> { Ok(centre.table_columns(t)?) };
    district_sums(rows, D, &columns).expect("the district's sums")
}

fn assert_equal(centre: &Centre, station: &Store) {
    let s = sums(centre, &station.db());
    let c = sums(centre, centre);
    let differ: Vec<String> = s
        .iter()
        .zip(&c)
        .filter(|(a, b)| a != b)
        .map(|(a, b)| {
            format!(
                "{}: station {} rows, centre {} rows",
                a.table, a.rows, b.rows
            )
        })
        .collect();
    assert!(differ.is_empty(), "tables differ: {differ:#?}");
}

/// A station with the district and its accounts, loaded into a fresh centre, its base set.
fn loaded(name: &str) -> (std::sync::Arc<common::Cluster>, Centre, Store, String) {
    let cluster = common::cluster();
    let url = cluster.fresh_database(name, true);
    let centre = Centre::init(&url).expect("init");
    let d = generate(&SampleParams::benchmark(40, 120)).expect("a district");
    assert_eq!(d.district.code.as_str(), D);
    let mut station = Store::in_memory().expect("a station store");
    d.write_to_store(&mut station, &d.tables)
        .expect("the district");
    let seed = d.case_loop.clone();
    {
        use griddesk_caseloop::CaseLoopStore;
        let s: &dyn CaseLoopStore = &station.db();
        for dep in &seed.departments {
            s.insert_department(dep).expect("a department");
        }
        for u in &seed.users {
            let nu = griddesk_core::users::NewUser {
                login: u.login.clone(),
                name: u.name.clone(),
                password: String::new(),
                roles: u.roles.clone(),
                department: u.department.clone(),
            };
            s.insert_user(&nu, &u.password, "2025-11-01 00:00:00")
                .expect("a user");
        }
        for r in &seed.routing {
            s.insert_rule(r).expect("a rule");
        }
    }
    let code = d.district.code;
    centre
        .transaction(|tx| tx.load_district(&code, &station.db()))
        .expect("the load");
    let columns = |t: &str| -> griddesk_core::Result<Vec<String>> { Ok(centre.table_columns(t)?) };
    let n = griddesk_sync::set_base(&station.db(), &station.db(), D, &columns).expect("the base");
    assert!(n > 0);
    (cluster, centre, station, url)
}

/// Station edits of every kind the brief names.
fn edit_station(station: &mut Store) {
    let seed = generate(&SampleParams::benchmark(40, 120))
        .expect("a district")
        .case_loop;
    let index = SpatialIndex::build(station.load().expect("the snapshot"));
    let desk = Desk::load(&station.db(), &index, 0).expect("the desk");
    let staff = Staff::new(&seed);
    // Cases through their workflow steps (flows, stage runs, hang-ups, case audit rows).
    station
        .transaction(|tx| write_histories(tx, &desk, &index, seed.seed, &staff))
        .expect("the histories");
    let c = station.conn();
    // A component edit, a grid edit, a deletion.
    c.execute_batch(
        "UPDATE component SET state = 'damaged', owner = 'station edit'
          WHERE code = (SELECT min(code) FROM component);
         UPDATE grid SET name = name || ' (renamed)' WHERE code = (SELECT min(code) FROM grid);
         DELETE FROM routing_rule WHERE id = (SELECT max(id) FROM routing_rule);",
    )
    .expect("the edits");
    station
        .db()
        .record_audit(&griddesk_core::audit::AuditEntry {
            seq: 0,
            at: "2026-05-01 09:00:00".into(),
            login: "admin".into(),
            role: None,
            action: "import".into(),
            subject: "sync test".into(),
            before: None,
            after: None,
        })
        .expect("an audit entry");
}

fn batches(centre: &Centre) -> i64 {
    let code = griddesk_core::code::DistrictCode::parse(D).expect("a code");
    centre.sync_batches(&code).expect("the batch count")
}

#[test]
fn the_centre_expects_this_builds_station_schema() {
    assert_eq!(
        griddesk_store_postgres::STATION_SCHEMA_VERSION,
        griddesk_store_sqlite::store::current_version()
    );
}

#[test]
fn station_edits_go_up_once_and_every_table_is_equal() {
    let (_cluster, centre, mut station, _) = loaded("t_sync_edits");
    edit_station(&mut station);
    let report = griddesk_sync::sync(&station.db(), &centre, D).expect("the sync");
    let sent = report.sent.expect("a batch went up");
    for t in [
        "case_flow",
        "case_stage",
        "case_audit",
        "component",
        "grid",
        "routing_rule",
    ] {
        assert!(
            sent.changes.get(t).copied().unwrap_or_default() > 0,
            "{t}: nothing sent ({:?})",
            sent.changes
        );
    }
    let rr = &sent.outcome.tables["routing_rule"];
    assert_eq!(rr.deleted, 1, "{rr:?}");
    assert!(
        sent.outcome.conflicts.is_empty(),
        "{:?}",
        sent.outcome.conflicts
    );
    assert!(report.resent.is_none());
    assert_equal(&centre, &station);
    let code = griddesk_core::code::DistrictCode::parse(D).expect("a code");
    let seals = centre.check_district_audit(code).expect("the seal check");
    assert!(seals.ok(), "{seals:?}");
    assert_eq!(batches(&centre), 1);

    // Nothing changed: nothing goes up.
    let again = griddesk_sync::sync(&station.db(), &centre, D).expect("a second sync");
    assert!(again.sent.is_none() && again.resent.is_none(), "{again:?}");
    assert_eq!(batches(&centre), 1);
    assert!(station.db().pending_batch_for_test().is_none());
}

/// The station's pending batch (a test's look at it).
trait Pending {
    fn pending_batch_for_test(&self) -> Option<griddesk_sync::Batch>;
}

impl Pending for griddesk_store_sqlite::Db<'_> {
    fn pending_batch_for_test(&self) -> Option<griddesk_sync::Batch> {
        use griddesk_sync::Station;
        self.pending_batch()
            .expect("the pending batch")
            .map(|b| griddesk_sync::Batch::from_json(&b).expect("a batch"))
    }
}

#[test]
fn a_crash_after_the_centres_commit_is_completed_and_a_batch_sent_twice_applies_once() {
    let (_cluster, centre, mut station, _) = loaded("t_sync_crash");
    edit_station(&mut station);
    let crashed = griddesk_sync::sync_with(&station.db(), &centre, D, &mut |s| {
        if s == Step::Applied {
            Err(Error::Interrupted(
                "killed after the centre's commit".into(),
            ))
        } else {
            Ok(())
        }
    })
    .expect_err("the crash");
    assert!(matches!(crashed, Error::Interrupted(_)), "{crashed}");
    assert_eq!(batches(&centre), 1, "the centre committed the batch");
    let pending = station
        .db()
        .pending_batch_for_test()
        .expect("the batch is still pending at the station");
    let at_centre = sums(&centre, &centre);

    // The same batch again (as a resend would) applies nothing.
    let twice = griddesk_sync::apply_batch(&centre, &pending).expect("sent again");
    assert!(twice.already, "{twice:?}");
    assert_eq!(sums(&centre, &centre), at_centre, "nothing applied twice");
    assert_eq!(batches(&centre), 1);

    // The next sync sends the pending batch first, is acknowledged, and ends equal.
    let next = griddesk_sync::sync(&station.db(), &centre, D).expect("the next sync");
    let resent = next.resent.expect("the pending batch was sent again");
    assert!(resent.outcome.already);
    assert_eq!(resent.outcome.batch, pending.id);
    assert!(next.sent.is_none(), "{:?}", next.sent);
    assert!(station.db().pending_batch_for_test().is_none());
    assert_equal(&centre, &station);
    assert_eq!(batches(&centre), 1);
    let later = griddesk_sync::sync(&station.db(), &centre, D).expect("a later sync");
    assert!(later.sent.is_none() && later.resent.is_none());
}

#[test]
fn a_batch_of_another_schema_version_is_refused_and_applies_nothing() {
    let (_cluster, centre, station, _) = loaded("t_sync_schema");
    station
        .conn()
        .execute_batch(
            "UPDATE grid SET name = 'older station' WHERE code = (SELECT min(code) FROM grid)",
        )
        .expect("an edit");
    let columns = |t: &str| -> griddesk_core::Result<Vec<String>> { Ok(centre.table_columns(t)?) };
    let mut batch =
        griddesk_sync::diff(&station.db(), D, &columns, "old-station-batch").expect("the diff");
    assert!(!batch.is_empty());
    batch.schema_version = 12;
    let before = sums(&centre, &centre);
    let refused = griddesk_sync::apply_batch(&centre, &batch).expect_err("refused");
    match &refused {
        Error::SchemaRefused {
            station, expected, ..
        } => {
            assert_eq!((*station, *expected), (12, 13));
        }
        other => panic!("not a schema refusal: {other}"),
    }
    assert!(
        refused.to_string().contains("station schema version 13"),
        "{refused}"
    );
    assert_eq!(sums(&centre, &centre), before, "nothing applied");
    assert_eq!(batches(&centre), 0);

    // A station table with a column the centre does not keep is refused at the diff: its
    // values would never go up.
    station
        .conn()
        .execute_batch("ALTER TABLE grid ADD COLUMN station_only TEXT")
        .expect("a column the centre lacks");
    let lacks = griddesk_sync::sync(&station.db(), &centre, D).expect_err("refused");
    assert!(
        matches!(&lacks, Error::CentreLacksColumn { table, column } if table == "grid" && column == "station_only"),
        "{lacks}"
    );
    assert_eq!(batches(&centre), 0);
    assert!(station.db().pending_batch_for_test().is_none());
}

#[test]
fn a_row_changed_on_both_sides_is_a_conflict_and_the_rest_applies() {
    let (cluster, centre, station, url) = loaded("t_sync_conflict");
    let _ = cluster;
    let c = station.conn();
    let (first, second): (String, String) = c
        .query_row(
            "SELECT min(code), (SELECT min(code) FROM component WHERE code > (SELECT min(code) FROM component)) FROM component",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("two components");
    let grid: String = c
        .query_row("SELECT min(code) FROM grid", [], |r| r.get(0))
        .expect("a grid");
    // The station: both components and a grid.
    c.execute(
        "UPDATE component SET owner = 'station' WHERE code = ?1",
        [&first],
    )
    .expect("edit");
    c.execute(
        "UPDATE component SET owner = 'both' WHERE code = ?1",
        [&second],
    )
    .expect("edit");
    c.execute(
        "UPDATE grid SET name = 'station name' WHERE code = ?1",
        [&grid],
    )
    .expect("edit");
    // The centre: the first component otherwise, the second the same way.
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).expect("connects");
    admin
        .execute(
            "UPDATE component SET owner = 'centre' WHERE district = '331003' AND code = $1",
            &[&first],
        )
        .expect("a centre edit");
    admin
        .execute(
            "UPDATE component SET owner = 'both' WHERE district = '331003' AND code = $1",
            &[&second],
        )
        .expect("the same edit at the centre");

    let report = griddesk_sync::sync(&station.db(), &centre, D).expect("the sync");
    let sent = report.sent.expect("a batch");
    assert_eq!(
        sent.outcome.conflicts.len(),
        1,
        "{:?}",
        sent.outcome.conflicts
    );
    let k = &sent.outcome.conflicts[0];
    assert_eq!(k.table, "component");
    let has = |v: &Option<String>, s: &str| v.as_deref().is_some_and(|t| t.contains(s));
    assert!(has(&k.station, "t7:station"), "{k:?}");
    assert!(has(&k.centre, "t6:centre"), "{k:?}");
    assert!(k.base.is_some() && !has(&k.base, "station") && !has(&k.base, "centre"));
    let comp = &sent.outcome.tables["component"];
    assert_eq!(
        (comp.conflicts, comp.same, comp.updated),
        (1, 1, 0),
        "{comp:?}"
    );
    assert_eq!(sent.outcome.tables["grid"].updated, 1);

    let held = centre.sync_conflicts(None).expect("the conflicts");
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].conflict, *k);
    let name: String = admin
        .query_one(
            "SELECT name FROM grid WHERE district = '331003' AND code = $1",
            &[&grid],
        )
        .expect("the grid")
        .get(0);
    assert_eq!(name, "station name", "the rest of the batch applied");
    let owner: String = admin
        .query_one(
            "SELECT owner FROM component WHERE district = '331003' AND code = $1",
            &[&first],
        )
        .expect("the component")
        .get(0);
    assert_eq!(owner, "centre", "a conflicted row is not applied");

    // The conflict stays open: it is raised again, recorded once.
    let again = griddesk_sync::sync(&station.db(), &centre, D).expect("again");
    assert_eq!(again.sent.expect("re-raised").outcome.conflicts.len(), 1);
    assert_eq!(centre.sync_conflicts(None).expect("the conflicts").len(), 1);
}

#[test]
fn a_centre_edit_committed_while_a_batch_is_checked_is_a_conflict_not_overwritten() {
    let (_cluster, centre, station, url) = loaded("t_sync_race");
    let code: String = station
        .conn()
        .query_row("SELECT min(code) FROM component", [], |r| r.get(0))
        .expect("a component");
    station
        .conn()
        .execute(
            "UPDATE component SET owner = 'station' WHERE code = ?1",
            [&code],
        )
        .expect("a station edit");
    // A centre-side writer holds its edit of the same row, uncommitted.
    let mut writer = postgres::Client::connect(&url, postgres::NoTls).expect("connects");
    let mut open = writer.transaction().expect("a transaction");
    open.execute(
        "UPDATE component SET owner = 'centre' WHERE district = '331003' AND code = $1",
        &[&code],
    )
    .expect("the centre's edit");
    let sync = std::thread::spawn(move || {
        let r = griddesk_sync::sync(&station.db(), &centre, D);
        (r, station, centre)
    });
    // Once the sync waits for the writer's row, the writer commits.
    let mut watch = postgres::Client::connect(&url, postgres::NoTls).expect("connects");
    let mut waited = false;
    for _ in 0..600 {
        let n: i64 = watch
            .query_one(
                "SELECT count(*) FROM pg_stat_activity
                  WHERE datname = current_database() AND wait_event_type = 'Lock'",
                &[],
            )
            .expect("the server's activity")
            .get(0);
        if n > 0 {
            waited = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(waited, "the sync never met the writer's lock");
    open.commit().expect("the centre's edit commits");
    let (r, _station, _centre) = sync.join().expect("the sync thread");
    let report = r.expect("the sync");
    let sent = report.sent.expect("a batch");
    assert_eq!(sent.outcome.conflicts.len(), 1, "{:?}", sent.outcome);
    assert!(sent.outcome.conflicts[0]
        .centre
        .as_deref()
        .is_some_and(|c| c.contains("t6:centre")));
    let owner: String = watch
        .query_one(
            "SELECT owner FROM component WHERE district = '331003' AND code = $1",
            &[&code],
        )
        .expect("the component")
        .get(0);
    assert_eq!(owner, "centre", "the centre's edit is kept");
}
