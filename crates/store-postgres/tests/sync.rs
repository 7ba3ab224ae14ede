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

/// One value of a component at the centre.
fn centre_component(admin: &mut postgres::Client, code: &str, column: &str) -> Option<String> {
    admin
        .query_one(
            &format!(
                "SELECT \"{column}\"::text FROM component WHERE district = '331003' AND code = $1"
            ),
            &[&code],
        )
        .expect("the component at the centre")
        .get(0)
}

fn station_component(station: &Store, code: &str, column: &str) -> Option<String> {
    station
        .conn()
        .query_row(
            &format!("SELECT \"{column}\" FROM component WHERE code = ?1"),
            [code],
            |r| r.get(0),
        )
        .expect("the component at the station")
}

fn two_components(station: &Store) -> (String, String) {
    station
        .conn()
        .query_row(
            "SELECT min(code), (SELECT min(code) FROM component WHERE code > (SELECT min(code) FROM component)) FROM component",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("two components")
}

#[test]
fn edits_of_different_columns_merge_and_the_merged_row_comes_down() {
    let (_cluster, centre, station, url) = loaded("t_sync_merge");
    let (first, second) = two_components(&station);
    let c = station.conn();
    c.execute(
        "UPDATE component SET owner = 'station owner' WHERE code = ?1",
        [&first],
    )
    .expect("edit");
    c.execute(
        "UPDATE component SET owner = 'station owner' WHERE code = ?1",
        [&second],
    )
    .expect("edit");
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).expect("connects");
    // The first: another column at the centre (a merge); the second: the same column
    // otherwise (a conflict).
    admin
        .execute(
            "UPDATE component SET maintainer = 'centre maintainer' WHERE district = '331003' AND code = $1",
            &[&first],
        )
        .expect("a centre edit");
    admin
        .execute(
            "UPDATE component SET owner = 'centre owner' WHERE district = '331003' AND code = $1",
            &[&second],
        )
        .expect("a centre edit");
    let report = griddesk_sync::sync(&station.db(), &centre, D).expect("the sync");
    let sent = report.sent.expect("a batch");
    let comp = &sent.outcome.tables["component"];
    assert_eq!(
        (comp.merged, comp.conflicts, comp.updated),
        (1, 1, 0),
        "{comp:?}"
    );
    assert_eq!(sent.outcome.conflicts.len(), 1);
    assert!(sent.outcome.conflicts[0].key.contains(&second));
    // Both sides' changes are kept at the centre…
    assert_eq!(
        centre_component(&mut admin, &first, "owner").as_deref(),
        Some("station owner")
    );
    assert_eq!(
        centre_component(&mut admin, &first, "maintainer").as_deref(),
        Some("centre maintainer")
    );
    // …and the merged row came down to the station in the same sync; the conflicted one did
    // not overwrite the station's.
    let got = report.received.expect("a download");
    assert_eq!(
        got.tables["component"].updated, 1,
        "{:?}",
        got.tables["component"]
    );
    assert_eq!(got.conflicts.len(), 1, "{:?}", got.conflicts);
    assert_eq!(
        station_component(&station, &first, "maintainer").as_deref(),
        Some("centre maintainer")
    );
    assert_eq!(
        station_component(&station, &first, "owner").as_deref(),
        Some("station owner")
    );
    assert_eq!(
        station_component(&station, &second, "owner").as_deref(),
        Some("station owner")
    );
    // Nothing more goes up for the merged row; the conflict stays open, recorded once.
    let again = griddesk_sync::sync(&station.db(), &centre, D).expect("again");
    let sent = again.sent.expect("the conflicted row again");
    assert_eq!(sent.changes.values().sum::<u64>(), 1, "{:?}", sent.changes);
    assert_eq!(centre.sync_conflicts(None).expect("conflicts").len(), 1);
}

#[test]
fn centre_changes_come_down_once_and_a_station_change_is_not_overwritten() {
    let (_cluster, centre, station, url) = loaded("t_sync_down");
    let (first, second) = two_components(&station);
    let rule: i64 = station
        .conn()
        .query_row("SELECT max(id) FROM routing_rule", [], |r| r.get(0))
        .expect("a routing rule");
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).expect("connects");
    admin
        .batch_execute(&format!(
            "UPDATE component SET state = 'damaged', owner = 'centre' WHERE district = '331003' AND code = '{first}';
             UPDATE component SET owner = 'centre' WHERE district = '331003' AND code = '{second}';
             DELETE FROM routing_rule WHERE district = '331003' AND id = {rule};
             UPDATE code_class SET name = name || ' (city)' WHERE (kind, code) = (SELECT kind, code FROM code_class ORDER BY kind, code LIMIT 1);"
        ))
        .expect("the centre's edits");
    // The station changed the second component too, and has not sent it: a download alone
    // leaves it as the station has it.
    station
        .conn()
        .execute(
            "UPDATE component SET owner = 'station' WHERE code = ?1",
            [&second],
        )
        .expect("a station edit");
    let got =
        griddesk_sync::receive(&station.db(), &centre, D, &mut |_| Ok(())).expect("a download");
    assert!(!got.unchanged);
    let comp = &got.tables["component"];
    assert_eq!((comp.updated, comp.conflicts), (1, 1), "{comp:?}");
    assert_eq!(got.tables["routing_rule"].deleted, 1);
    assert_eq!(
        got.tables["code_class"].updated,
        1,
        "{:?}",
        got.tables.get("code_class")
    );
    assert_eq!(
        station_component(&station, &first, "state").as_deref(),
        Some("damaged")
    );
    assert_eq!(
        station_component(&station, &second, "owner").as_deref(),
        Some("station")
    );
    let rules: i64 = station
        .conn()
        .query_row(
            "SELECT count(*) FROM routing_rule WHERE id = ?1",
            [rule],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(rules, 0);
    let city: i64 = station
        .conn()
        .query_row(
            "SELECT count(*) FROM code_class WHERE name LIKE '% (city)'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(city, 1);
    // Nothing changed at the centre since: the next download reads nothing.
    let next = griddesk_sync::receive(&station.db(), &centre, D, &mut |_| Ok(())).expect("again");
    assert!(next.unchanged, "{next:?}");
    // A crash between the read and the station's write leaves the station as it was.
    admin
        .execute(
            "UPDATE component SET owner = 'centre later' WHERE district = '331003' AND code = $1",
            &[&first],
        )
        .expect("a later centre edit");
    let crashed = griddesk_sync::receive(&station.db(), &centre, D, &mut |s| {
        if s == Step::Read {
            Err(Error::Interrupted("killed before the station wrote".into()))
        } else {
            Ok(())
        }
    })
    .expect_err("the crash");
    assert!(matches!(crashed, Error::Interrupted(_)));
    assert_eq!(
        station_component(&station, &first, "owner").as_deref(),
        Some("centre")
    );
    // The full sync: the station's change goes up as a conflict, the later edit comes down,
    // and the rows the station sent do not come back.
    let report = griddesk_sync::sync(&station.db(), &centre, D).expect("the sync");
    assert_eq!(report.sent.expect("a batch").outcome.conflicts.len(), 1);
    let got = report.received.expect("a download");
    assert_eq!(got.written(), 1, "{:?}", got.tables);
    // Only the table whose counter moved was read.
    assert_eq!(
        got.tables.keys().collect::<Vec<_>>(),
        vec!["component"],
        "{:?}",
        got.tables
    );
    assert_eq!(
        station_component(&station, &first, "owner").as_deref(),
        Some("centre later")
    );
}

#[test]
fn the_rows_a_station_sent_do_not_come_back() {
    let (_cluster, centre, mut station, _) = loaded("t_sync_nobounce");
    edit_station(&mut station);
    let report = griddesk_sync::sync(&station.db(), &centre, D).expect("the sync");
    assert!(report.sent.is_some());
    let got = report.received.expect("a download");
    assert!(!got.unchanged, "the batch changed the centre");
    assert_eq!(got.written(), 0, "{:?}", got.tables);
    assert!(got.conflicts.is_empty());
    assert_equal(&centre, &station);
    let again = griddesk_sync::sync(&station.db(), &centre, D).expect("again");
    assert!(again.received.expect("a download").unchanged);
}

#[test]
fn a_settled_conflict_is_audited_closed_and_its_row_comes_down() {
    let (_cluster, centre, station, url) = loaded("t_sync_settle");
    let (first, second) = two_components(&station);
    let c = station.conn();
    for code in [&first, &second] {
        c.execute(
            "UPDATE component SET owner = 'station' WHERE code = ?1",
            [code],
        )
        .expect("edit");
    }
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).expect("connects");
    for code in [&first, &second] {
        admin
            .execute(
                "UPDATE component SET owner = 'centre' WHERE district = '331003' AND code = $1",
                &[code],
            )
            .expect("a centre edit");
    }
    griddesk_sync::sync(&station.db(), &centre, D).expect("the sync");
    let code = griddesk_core::code::DistrictCode::parse(D).expect("a code");
    let open = centre.sync_conflicts(Some(&code)).expect("conflicts");
    assert_eq!(open.len(), 2);
    let id_of = |k: &str| {
        open.iter()
            .find(|x| x.conflict.key.contains(k))
            .expect("the conflict")
            .id
    };
    use griddesk_store_postgres::{Keep, Settle};
    // The first: the centre's version, its maintainer set by hand (a merge).
    let settled = centre
        .settle_conflict(
            &code,
            id_of(&first),
            &Settle {
                keep: Keep::Centre,
                set: vec![("maintainer".into(), Some("chosen by hand".into()))],
            },
            "admin",
            Some(griddesk_core::users::Role::Admin),
        )
        .expect("settled");
    let s = settled.settled.expect("a settlement");
    assert_eq!((s.by.as_str(), s.choice.as_str()), ("admin", "merged"));
    // The second: the station's version.
    centre
        .settle_conflict(
            &code,
            id_of(&second),
            &Settle {
                keep: Keep::Station,
                set: vec![],
            },
            "admin",
            None,
        )
        .expect("settled");
    // Settled once only; a column the table lacks is refused.
    let twice = centre
        .settle_conflict(
            &code,
            id_of(&second),
            &Settle {
                keep: Keep::Centre,
                set: vec![],
            },
            "admin",
            None,
        )
        .expect_err("settled already");
    assert_eq!(
        twice.code(),
        griddesk_store_postgres::Code::Settle,
        "{twice}"
    );
    assert_eq!(
        centre_component(&mut admin, &first, "maintainer").as_deref(),
        Some("chosen by hand")
    );
    assert_eq!(
        centre_component(&mut admin, &first, "owner").as_deref(),
        Some("centre")
    );
    assert_eq!(
        centre_component(&mut admin, &second, "owner").as_deref(),
        Some("station")
    );
    // Audited and sealed.
    let n: i64 = admin
        .query_one(
            "SELECT count(*) FROM audit_log WHERE district = '331003' AND action = 'sync.settle' AND login = 'admin'",
            &[],
        )
        .expect("the audit rows")
        .get(0);
    assert_eq!(n, 2);
    assert!(centre.check_district_audit(code).expect("seals").ok());
    // The next sync: nothing is raised again, the chosen rows come down, every table equal.
    let report = griddesk_sync::sync(&station.db(), &centre, D).expect("the next sync");
    if let Some(sent) = &report.sent {
        assert!(
            sent.outcome.conflicts.is_empty(),
            "{:?}",
            sent.outcome.conflicts
        );
    }
    assert_eq!(
        station_component(&station, &first, "owner").as_deref(),
        Some("centre")
    );
    assert_eq!(
        station_component(&station, &first, "maintainer").as_deref(),
        Some("chosen by hand")
    );
    assert_eq!(
        station_component(&station, &second, "owner").as_deref(),
        Some("station")
    );
    assert_equal(&centre, &station);
    // The settlements' audit entries came down and are sealed in the station's chain too.
    let down: i64 = station
        .conn()
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'sync.settle'",
            [],
            |r| r.get(0),
        )
        .expect("the station's audit rows");
    assert_eq!(down, 2);
    let check = station
        .db()
        .check_audit()
        .expect("the station's seal check");
    assert!(check.ok(), "{check:?}");
    let all = centre.sync_conflicts(Some(&code)).expect("conflicts");
    assert_eq!(all.len(), 2);
    assert!(all.iter().all(|x| x.settled.is_some()));
    let later = griddesk_sync::sync(&station.db(), &centre, D).expect("later");
    assert!(later.sent.is_none(), "{:?}", later.sent);
}

#[test]
fn a_station_syncs_as_its_own_role_keeping_its_numbers() {
    let (_cluster, centre, mut station, url) = loaded("t_sync_station_role");
    // Other writers drew numbers meanwhile: the centre's next numbers are not the station's.
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).expect("connects");
    admin
        .batch_execute(
            "SELECT setval(pg_get_serial_sequence('audit_log', 'seq'), 500000);
             SELECT setval(pg_get_serial_sequence('case_audit', 'seq'), 500000);",
        )
        .expect("the centre's numbering moved on");
    let code = griddesk_core::code::DistrictCode::parse(D).expect("a code");
    let creds = centre.add_station(&code, None).expect("the station's role");
    let own = Centre::open(&creds.url()).expect("the station connects as its role");
    // Edits of every kind, audit rows (numbered at the station) among them.
    edit_station(&mut station);
    let report = griddesk_sync::sync(&station.db(), &own, D).expect("the station's own sync");
    let sent = report.sent.expect("a batch");
    assert!(
        sent.outcome.tables["audit_log"].inserted > 0,
        "{:?}",
        sent.outcome.tables
    );
    assert!(sent.outcome.tables["case_audit"].inserted > 0);
    assert_equal(&centre, &station);
    assert!(centre.check_district_audit(code).expect("seals").ok());
    // The grant is for the station's own district only.
    let mut c = postgres::Client::connect(&creds.url(), postgres::NoTls).expect("connects");
    let refused = c
        .execute("SELECT griddesk_sync_keep_numbers('110101')", &[])
        .expect_err("another district's numbers");
    assert!(
        refused
            .as_db_error()
            .is_some_and(|e| e.message().contains("may not keep")),
        "{refused:?}"
    );
    // Without the grant a station's audit row gets the centre's number, not the one given.
    let mut t = c.transaction().expect("a transaction");
    let seq: i64 = t
        .query_one(
            "INSERT INTO audit_log (district, seq, at, login, action, subject)
             VALUES ('331003', 999999, '2026-05-02 10:00:00', 'admin', 'import', 'x') RETURNING seq",
            &[],
        )
        .expect("an audit row")
        .get(0);
    assert_ne!(seq, 999_999);
    t.rollback().expect("rolled back");
}
