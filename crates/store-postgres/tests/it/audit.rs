//! The audit log and its seal chain in the centre (`AuditStore`), one chain per district,
//! against a real cluster: what the station's store does (every commit seals; a check finds
//! every kind of tampering), listings as at the station, districts apart, stations kept to
//! their own, and concurrent writers in one district leaving a whole chain.

use crate::common;

use griddesk_caseloop::users_store::UsersStore;
use griddesk_core::audit::{AuditBreak, AuditEntry, AuditQuery};
use griddesk_core::code::DistrictCode;
use griddesk_core::users::Role;
use griddesk_store::{AuditStore, ModelSink, ModelStore};
use griddesk_store_postgres::Centre;

fn entry(i: i64) -> AuditEntry {
    AuditEntry {
        seq: 0,
        at: "2026-12-06 10:00:00".into(),
        login: "admin".into(),
        role: Some(Role::Admin),
        action: "calendar.edit".into(),
        subject: format!("2026-10-0{i}"),
        before: None,
        after: Some(serde_json::json!({"kind": "holiday"})),
    }
}

fn centre_with(
    name: &str,
    districts: &[&str],
) -> (std::sync::Arc<common::Cluster>, String, Centre) {
    let cluster = common::cluster();
    let url = cluster.fresh_database(name, true);
    let mut centre = Centre::init(&url).expect("init");
    let d = griddesk_sample::generate(&griddesk_sample::SampleParams::benchmark(40, 50))
        .expect("a district");
    centre
        .write_model(&mut |w: &dyn ModelSink| {
            for code in districts {
                let mut x = d.district.clone();
                x.code = DistrictCode::parse(code)?;
                w.put_district(&x)?;
            }
            Ok(())
        })
        .expect("districts");
    (cluster, url, centre)
}

fn code(s: &str) -> DistrictCode {
    DistrictCode::parse(s).expect("code")
}

#[test]
fn every_commit_seals_and_a_check_finds_each_kind_of_tampering() {
    let (_cluster, url, centre) = centre_with("t_audit", &["331003", "331004"]);
    let (a, b) = (
        centre.district(code("331003")),
        centre.district(code("331004")),
    );
    let mut keys = Vec::new();
    for i in 1..=3 {
        keys.push(a.record_audit(&entry(i)).expect("recorded"));
        b.record_audit(&entry(i)).expect("recorded in B");
    }
    let c = a.check_audit().expect("check");
    assert!(c.ok(), "{c:?}");
    assert_eq!(c.seals, 3);
    assert_eq!(c.head.len(), 64);
    assert_ne!(
        c.head,
        b.check_audit().expect("B").head,
        "a chain per district"
    );

    // Listed as at the station: newest first, by action prefix, login, subject.
    let station = griddesk_store_sqlite::Store::in_memory().expect("a station store");
    let mut station = station;
    for i in 1..=3 {
        station
            .transaction(|tx| tx.record_audit(&entry(i)))
            .expect("station");
    }
    for query in [
        AuditQuery::default(),
        AuditQuery {
            action: Some("calendar".into()),
            ..Default::default()
        },
        AuditQuery {
            action: Some("calendar.edit".into()),
            ..Default::default()
        },
        AuditQuery {
            action: Some("calendar.ed".into()),
            ..Default::default()
        },
        AuditQuery {
            login: Some("nobody".into()),
            ..Default::default()
        },
        AuditQuery {
            subject: Some("10-02".into()),
            ..Default::default()
        },
        AuditQuery {
            subject: Some("10_0".into()),
            ..Default::default()
        },
        AuditQuery {
            limit: Some(2),
            ..Default::default()
        },
    ] {
        let strip = |v: Vec<AuditEntry>| -> Vec<AuditEntry> {
            v.into_iter().map(|e| AuditEntry { seq: 0, ..e }).collect()
        };
        assert_eq!(
            strip(a.audit_entries(&query).expect("centre")),
            strip(station.db().audit_entries(&query).expect("station")),
            "{query:?}"
        );
    }
    let listed = a.audit_entries(&AuditQuery::default()).expect("list");
    assert_eq!(listed[0].subject, "2026-10-03", "newest first");
    assert_eq!(listed[0].seq, keys[2]);

    // Tampering, as someone with the server's superuser could: triggers off, rows changed.
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).expect("connects");
    admin
        .batch_execute("ALTER TABLE audit_log DISABLE TRIGGER USER")
        .expect("triggers off");
    admin
        .execute(
            "UPDATE audit_log SET after = '{\"kind\":\"workday\"}'
              WHERE district = '331003' AND seq = $1",
            &[&keys[1]],
        )
        .expect("a row changed");
    let c = a.check_audit().expect("check");
    assert_eq!(
        c.breaks,
        vec![AuditBreak::Changed {
            table: "audit_log".into(),
            first: keys[1],
            last: keys[1]
        }]
    );
    assert!(b.check_audit().expect("B").ok(), "B's chain is untouched");

    admin
        .execute(
            "DELETE FROM audit_log WHERE district = '331003' AND seq = $1",
            &[&keys[2]],
        )
        .expect("a row deleted");
    admin
        .execute(
            "INSERT INTO audit_log (district, seq, at, login, action, subject)
             VALUES ('331003', 1000000, '2026-01-01 00:00:00', 'x', 'forged', 'y')",
            &[],
        )
        .expect("a row forged");
    let c = a.check_audit().expect("check");
    assert!(c.breaks.contains(&AuditBreak::Changed {
        table: "audit_log".into(),
        first: keys[2],
        last: keys[2]
    }));
    assert!(c.breaks.contains(&AuditBreak::Unsealed {
        table: "audit_log".into(),
        row: 1000000
    }));

    // Removing a seal is a gap in the chain.
    admin
        .execute(
            "DELETE FROM audit_seal WHERE district = '331003' AND seq = 1",
            &[],
        )
        .expect("a seal removed");
    let c = a.check_audit().expect("check");
    assert!(
        c.breaks.contains(&AuditBreak::SealBroken { seal: 1 }),
        "{c:?}"
    );
    assert!(b.check_audit().expect("B").ok());
}

#[test]
fn sign_ins_are_sealed_and_a_station_seals_its_own() {
    let (_cluster, url, centre) = centre_with("t_audit_signin", &["331003", "331004"]);
    let a = code("331003");
    let at = chrono::NaiveDate::from_ymd_opt(2026, 12, 6)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .expect("time");
    centre
        .transaction(|tx| tx.district(a).log_sign_in(at, "admin", Role::Admin, None))
        .expect("a sign-in");
    let c = centre.district(a).check_audit().expect("check");
    assert_eq!(c.seals, 1, "{c:?}");
    assert!(c.ok());
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).expect("connects");
    admin
        .batch_execute("UPDATE sign_in_log SET ok = false")
        .expect("tampered");
    let c = centre.district(a).check_audit().expect("check");
    assert_eq!(c.breaks.len(), 1, "{c:?}");
    assert!(matches!(&c.breaks[0], AuditBreak::Changed { table, .. } if table == "sign_in_log"));

    // A station records and seals in its own district, reads its own chain, and cannot
    // record into or read another district's.
    let creds = centre
        .add_station(&code("331004"), None)
        .expect("station B");
    let st = Centre::open(&creds.url()).expect("station B logs in");
    let mine = st.district(code("331004"));
    mine.record_audit(&entry(1)).expect("B records");
    mine.record_audit(&entry(2)).expect("B records");
    let c = mine.check_audit().expect("B checks its chain");
    assert!(c.ok(), "{c:?}");
    assert_eq!(c.seals, 2);
    assert_eq!(
        centre
            .district(code("331004"))
            .check_audit()
            .expect("centre")
            .head,
        c.head
    );
    let theirs = st.district(a);
    assert!(
        theirs.record_audit(&entry(3)).is_err(),
        "B may not record in A"
    );
    assert!(theirs
        .audit_entries(&AuditQuery::default())
        .expect("nothing to see")
        .is_empty());
    assert_eq!(theirs.check_audit().expect("nothing").seals, 0);
}

#[test]
fn concurrent_writers_in_one_district_leave_a_whole_chain() {
    let (_cluster, url, centre) = centre_with("t_audit_race", &["331003", "331004"]);
    drop(centre);
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let url = url.clone();
            std::thread::spawn(move || {
                let centre = Centre::open(&url).expect("a writer connects");
                let d = code(if w == 3 { "331004" } else { "331003" });
                for i in 0..25 {
                    centre
                        .transaction(|tx| -> griddesk_core::Result<()> {
                            let v = tx.district(d);
                            v.record_audit(&entry(i % 9))?;
                            std::thread::yield_now();
                            v.log_sign_in(
                                chrono::NaiveDate::from_ymd_opt(2026, 12, 6)
                                    .and_then(|x| x.and_hms_opt(9, 0, 0))
                                    .expect("time"),
                                &format!("w{w}"),
                                Role::Admin,
                                None,
                            )?;
                            v.record_audit(&entry(i % 9))?;
                            Ok(())
                        })
                        .expect("a transaction");
                }
            })
        })
        .collect();
    for w in writers {
        w.join().expect("a writer finished");
    }
    let centre = Centre::open(&url).expect("open");
    let a = centre
        .district(code("331003"))
        .check_audit()
        .expect("check A");
    assert!(a.ok(), "{a:?}");
    assert_eq!(a.seals, 3 * 25 * 2, "two tables sealed per transaction");
    let b = centre
        .district(code("331004"))
        .check_audit()
        .expect("check B");
    assert!(b.ok(), "{b:?}");
    assert_eq!(b.seals, 25 * 2);
    assert_eq!(
        centre
            .district(code("331003"))
            .audit_entries(&AuditQuery {
                limit: Some(10_000),
                ..Default::default()
            })
            .expect("list")
            .len(),
        3 * 25 * 2
    );
}
