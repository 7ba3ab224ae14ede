//! A station's whole district into the centre (`CentreTx::load_district`, what `griddesk
//! centre load` runs) and the comparison of every district-owned table
//! (`griddesk_store::district_rows`, what `griddesk centre verify` runs): a station store with
//! zones, accounts, workflow histories, audit entries and patrol tracks loads with every table
//! equal and its seals whole; the centre's numbering carries on above the loaded numbers; the
//! same district twice is refused; a station's role cannot load.

use crate::common;

use griddesk_caseloop::intake::track::{TrackPoint, TrackStore};
use griddesk_caseloop::workflow::desk::Desk;
use griddesk_caseloop::CaseLoopStore;
use griddesk_core::audit::AuditEntry;
use griddesk_core::users::NewUser;
use griddesk_sample::caseloop::{write_histories, CaseLoopSeed, Staff};
use griddesk_sample::{generate, SampleParams};
use griddesk_spatial::index::SpatialIndex;
use griddesk_store::district_rows::{district_sums, TableSum};
use griddesk_store::AuditStore;
use griddesk_store_postgres::Centre;

fn accounts(s: &dyn CaseLoopStore, seed: &CaseLoopSeed) -> griddesk_core::Result<()> {
    for d in &seed.departments {
        s.insert_department(d)?;
    }
    for u in &seed.users {
        let nu = NewUser {
            login: u.login.clone(),
            name: u.name.clone(),
            password: String::new(),
            roles: u.roles.clone(),
            department: u.department.clone(),
        };
        s.insert_user(&nu, &u.password, "2025-11-01 00:00:00")?;
    }
    for r in &seed.routing {
        s.insert_rule(r)?;
    }
    Ok(())
}

fn at(s: &str) -> chrono::NaiveDateTime {
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").expect("a time")
}

fn entry(subject: &str) -> AuditEntry {
    AuditEntry {
        seq: 0,
        at: "2026-05-01 09:00:00".into(),
        login: "admin".into(),
        role: None,
        action: "import".into(),
        subject: subject.into(),
        before: None,
        after: Some(serde_json::json!({"rows": 3})),
    }
}

fn sums(centre: &Centre, rows: &dyn griddesk_store::district_rows::DistrictRows) -> Vec<TableSum> {
    let columns = |t: &str| -> griddesk_core::Result<Vec<String>> { Ok(centre.table_columns(t)?) };
    district_sums(rows, "331003", &columns).expect("the district's sums")
}

#[test]
fn a_stations_whole_district_loads_with_every_table_equal() {
    let cluster = common::cluster();
    let url = cluster.fresh_database("t_district_rows", true);
    let centre = Centre::init(&url).expect("init");
    let d = generate(&SampleParams::benchmark(80, 400)).expect("a district");
    let dc = d.district.code;
    let seed = d.case_loop.clone();

    // The station: its district with zones, accounts, histories, audit entries, tracks.
    let mut station = griddesk_store_sqlite::Store::in_memory().expect("a station store");
    d.write_to_store(&mut station, &d.tables)
        .expect("the district");
    accounts(&station.db(), &seed).expect("the accounts");
    let index = SpatialIndex::build(station.load().expect("the snapshot"));
    let desk = Desk::load(&station.db(), &index, 0).expect("the desk");
    let staff = Staff::new(&seed);
    station
        .transaction(|tx| write_histories(tx, &desk, &index, seed.seed, &staff))
        .expect("the histories");
    for s in ["first", "second"] {
        station
            .db()
            .record_audit(&entry(s))
            .expect("an audit entry");
    }
    let points: Vec<TrackPoint> = (0..5)
        .map(|i| TrackPoint {
            login: "inspector01".into(),
            point_id: format!("p{i}"),
            patrol: (i < 3).then(|| "patrol-1".to_string()),
            recorded_at: at(&format!("2026-05-01 08:0{i}:00")),
            lon: 121.26 + f64::from(i) * 0.0001,
            lat: 28.64,
            accuracy: (i % 2 == 0).then_some(7.5),
            received_at: at(&format!("2026-05-01 08:0{i}:30")),
        })
        .collect();
    station.db().add_track_points(&points).expect("the tracks");

    let report = centre
        .transaction(|tx| tx.load_district(&dc, &station.db()))
        .expect("the load");
    let loaded = |t: &str| {
        report
            .tables
            .iter()
            .find(|(n, _)| n == t)
            .map(|(_, n)| *n)
            .unwrap_or_default()
    };
    for t in [
        "case_stage",
        "case_audit",
        "app_user",
        "zone",
        "zone_member",
        "audit_log",
    ] {
        assert!(loaded(t) > 0, "{t}: nothing loaded ({report:?})");
    }
    assert_eq!(loaded("track_point"), 5);

    let at_station = sums(&centre, &station.db());
    let at_centre = sums(&centre, &centre);
    assert_eq!(at_station.len(), at_centre.len());
    for (s, c) in at_station.iter().zip(&at_centre) {
        assert_eq!(s, c, "{}: station vs centre", s.table);
    }
    let check = centre.check_district_audit(dc).expect("the seal check");
    assert!(check.ok() && check.seals > 0, "{check:?}");

    // The centre's numbering carries on above the station's numbers, and still seals.
    let station_last = station
        .db()
        .audit_entries(&Default::default())
        .expect("the station's log")
        .first()
        .map(|e| e.seq)
        .unwrap_or_default();
    let seq = centre
        .district(dc)
        .record_audit(&entry("after the load"))
        .expect("an entry at the centre");
    assert!(
        seq > station_last,
        "{seq} after the station's {station_last}"
    );
    assert!(centre
        .check_district_audit(dc)
        .expect("the seal check")
        .ok());

    // The same district again is refused, and changes nothing.
    let again = centre
        .transaction(|tx| tx.load_district(&dc, &station.db()))
        .expect_err("a district loaded twice");
    assert_eq!(
        again.code(),
        griddesk_store_postgres::Code::Duplicate,
        "{again}"
    );
    let audit = at_centre
        .iter()
        .position(|t| t.table == "audit_log")
        .expect("audit_log");
    let now = sums(&centre, &centre);
    for (i, (a, b)) in now.iter().zip(&at_centre).enumerate() {
        if i == audit {
            assert_eq!(a.rows, b.rows + 1, "audit_log: the centre's own entry");
        } else {
            assert_eq!(a, b, "{}", a.table);
        }
    }

    // A station's role cannot load a district.
    let creds = centre.add_station(&dc, None).expect("a station role");
    let as_station = Centre::open(&creds.url()).expect("the station logs in");
    let elsewhere = griddesk_core::code::DistrictCode::parse("331004").expect("a code");
    let refused = as_station
        .transaction(|tx| tx.load_district(&elsewhere, &station.db()))
        .expect_err("a station's role loaded a district");
    assert_eq!(
        refused.code(),
        griddesk_store_postgres::Code::PermissionDenied,
        "{refused}"
    );
}
