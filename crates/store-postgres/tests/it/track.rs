//! A district's patrol tracks in the centre (`TrackStore`, migration 7), the same calls on a
//! station's SQLite store: the same counts of new points (a batch sent again adds nothing), the
//! same points back for every window, in the same order, to the second, and the same latest
//! point per inspector; outside and inside a transaction. Another district's points under the
//! same logins and point ids are rows of their own, and a station's role can neither read nor
//! write another district's points.

use crate::common;

use chrono::{NaiveDate, NaiveDateTime};
use griddesk_caseloop::intake::track::{TrackPoint, TrackStore};
use griddesk_core::code::DistrictCode;
use griddesk_core::ErrorKind;
use griddesk_sample::{generate, SampleParams};
use griddesk_store::{ModelSink, ModelStore};
use griddesk_store_postgres::Centre;

fn at(day: u32, h: u32, m: u32, s: u32, ms: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 5, day)
        .and_then(|d| d.and_hms_milli_opt(h, m, s, ms))
        .expect("a time")
}

fn point(login: &str, id: &str, recorded: NaiveDateTime, k: u32) -> TrackPoint {
    TrackPoint {
        login: login.into(),
        point_id: id.into(),
        patrol: (!k.is_multiple_of(3)).then(|| format!("patrol-{}", k / 4)),
        recorded_at: recorded,
        lon: 121.261_234_567_890_1 + f64::from(k) * 1.0e-5,
        lat: 28.641_987_654_321_2 - f64::from(k) * 1.0e-5,
        accuracy: k.is_multiple_of(2).then_some(4.5 + f64::from(k)),
        received_at: recorded + chrono::Duration::seconds(30),
    }
}

/// Two inspectors over two days: a sub-second time, two points at the same second (ordered by
/// id in byte order: upper case before lower case, `-` before `_`), a point at midnight, and a
/// point id sent twice in one batch.
fn first_batch() -> Vec<TrackPoint> {
    vec![
        point("inspector01", "b-1", at(4, 8, 0, 0, 0), 0),
        point("inspector01", "a_2", at(4, 8, 0, 15, 700), 1),
        point("inspector01", "B-3", at(4, 8, 0, 15, 200), 2),
        point("inspector01", "a-4", at(4, 8, 0, 15, 0), 3),
        point("inspector01", "c-5", at(5, 0, 0, 0, 0), 4),
        point("inspector01", "b-1", at(4, 9, 0, 0, 0), 5),
        point("inspector02", "b-1", at(4, 17, 59, 59, 999), 6),
        point("张三", "p-1", at(5, 7, 30, 0, 0), 7),
    ]
}

/// Partly the first batch again (a repeated batch after a lost answer), partly new.
fn second_batch() -> Vec<TrackPoint> {
    let mut b = first_batch()[2..5].to_vec();
    b.push(point("inspector02", "b-2", at(5, 10, 0, 0, 0), 8));
    b.push(point("inspector01", "d-6", at(3, 23, 59, 59, 0), 9));
    b
}

/// The windows read back (from inclusive, to exclusive).
fn windows() -> Vec<(&'static str, NaiveDateTime, NaiveDateTime)> {
    vec![
        ("inspector01", at(4, 0, 0, 0, 0), at(5, 0, 0, 0, 0)),
        ("inspector01", at(1, 0, 0, 0, 0), at(9, 0, 0, 0, 0)),
        ("inspector01", at(4, 8, 0, 15, 0), at(4, 8, 0, 16, 0)),
        ("inspector01", at(4, 8, 0, 15, 500), at(5, 0, 0, 0, 0)),
        ("inspector02", at(4, 0, 0, 0, 0), at(6, 0, 0, 0, 0)),
        ("张三", at(5, 0, 0, 0, 0), at(6, 0, 0, 0, 0)),
        ("nobody", at(1, 0, 0, 0, 0), at(9, 0, 0, 0, 0)),
    ]
}

/// Every read of the trait, as one comparable text.
fn reads(s: &dyn TrackStore) -> griddesk_core::Result<Vec<String>> {
    let mut out = Vec::new();
    for (login, from, to) in windows() {
        out.push(format!(
            "{login} {from} {to}: {:?}",
            s.track_points(login, from, to)?
        ));
    }
    out.push(format!("latest: {:?}", s.track_latest()?));
    Ok(out)
}

#[test]
fn patrol_tracks_read_and_write_as_at_the_station() {
    let cluster = common::cluster();
    let url = cluster.fresh_database("t_track", true);
    let mut centre = Centre::init(&url).expect("init");
    let d = generate(&SampleParams::benchmark(40, 10)).expect("a district");
    let a = d.district.code;
    let b = DistrictCode::parse("331004").expect("code");
    let mut other = d.district.clone();
    other.code = b;
    centre
        .write_model(&mut |w: &dyn ModelSink| w.put_district(&d.district))
        .expect("district A");
    centre
        .write_model(&mut |w: &dyn ModelSink| w.put_district(&other))
        .expect("district B");
    let station = griddesk_store_sqlite::Store::in_memory().expect("a station store");
    let local = station.db();
    let remote = centre.district(a);

    // Empty on both sides.
    assert_eq!(
        reads(&remote).expect("centre"),
        reads(&local).expect("station")
    );

    // Call for call: new points counted, a repeated batch adds nothing.
    let (one, two) = (first_batch(), second_batch());
    let added_l = local.add_track_points(&one).expect("station");
    let added_r = remote.add_track_points(&one).expect("centre");
    assert_eq!(added_r, added_l);
    assert_eq!(
        added_l, 7,
        "the point id sent twice in the batch is kept once"
    );
    assert_eq!(
        remote.add_track_points(&one).expect("centre"),
        local.add_track_points(&one).expect("station")
    );
    assert_eq!(remote.add_track_points(&one).expect("again"), 0);
    assert_eq!(
        centre
            .transaction(|tx| tx.district(a).add_track_points(&two))
            .expect("centre, in a transaction"),
        local.add_track_points(&two).expect("station")
    );
    assert_eq!(remote.add_track_points(&[]).expect("nothing"), 0);

    let mine = reads(&local).expect("station");
    assert_eq!(reads(&remote).expect("centre"), mine);
    assert_eq!(
        centre
            .transaction(|tx| reads(&tx.district(a)))
            .expect("centre, in a transaction"),
        mine
    );
    // What the comparison covers: the first point of a sent-twice id is the one kept, times
    // are whole seconds, and points of one second are in byte order of their ids.
    let day = local
        .track_points("inspector01", at(4, 0, 0, 0, 0), at(5, 0, 0, 0, 0))
        .expect("a day");
    let ids: Vec<&str> = day.iter().map(|p| p.point_id.as_str()).collect();
    assert_eq!(ids, ["b-1", "B-3", "a-4", "a_2"]);
    assert_eq!(day[0].recorded_at, at(4, 8, 0, 0, 0));
    assert!(day
        .iter()
        .all(|p| p.recorded_at.and_utc().timestamp_subsec_nanos() == 0));

    // Another district: the same logins and point ids are its own rows.
    let remote_b = centre.district(b);
    let moved: Vec<TrackPoint> = one
        .iter()
        .map(|p| TrackPoint {
            lon: p.lon + 1.0,
            ..p.clone()
        })
        .collect();
    assert_eq!(remote_b.add_track_points(&moved).expect("district B"), 7);
    assert_eq!(reads(&remote).expect("A unchanged"), mine);
    assert_ne!(reads(&remote_b).expect("B"), mine);

    // A transaction that fails keeps none of its points.
    let late = vec![point("inspector03", "z-1", at(6, 8, 0, 0, 0), 10)];
    let e = centre
        .transaction(|tx| -> griddesk_core::Result<()> {
            tx.district(a).add_track_points(&late)?;
            Err(griddesk_core::Error::Internal("stop".into()))
        })
        .expect_err("rolled back");
    assert!(e.to_string().contains("stop"), "{e}");
    assert_eq!(reads(&remote).expect("A unchanged"), mine);

    // District B's station: it sees its own points only, and cannot write A's.
    let creds = centre.add_station(&b, None).expect("station B");
    let st = Centre::open(&creds.url()).expect("station B logs in");
    assert!(st
        .district(a)
        .track_points("inspector01", at(1, 0, 0, 0, 0), at(9, 0, 0, 0, 0))
        .expect("asks")
        .is_empty());
    assert!(st.district(a).track_latest().expect("asks").is_empty());
    assert_eq!(
        reads(&st.district(b)).expect("its own"),
        reads(&remote_b).expect("B as the centre sees it")
    );
    let e = st
        .district(a)
        .add_track_points(&late)
        .expect_err("a point into district A");
    assert_eq!(e.kind(), ErrorKind::Storage, "{e}");
    assert!(e.to_string().contains("row-level security"), "{e}");
    let mut raw = postgres::Client::connect(&creds.url(), postgres::NoTls).expect("connects");
    let rows: i64 = raw
        .query_one("SELECT count(*) FROM track_point", &[])
        .expect("counts")
        .get(0);
    assert_eq!(rows, 7, "B's points only");
    for sql in [
        "UPDATE track_point SET lon = 0 WHERE district = '331003'",
        "DELETE FROM track_point WHERE district = '331003'",
    ] {
        assert_eq!(raw.execute(sql, &[]).expect(sql), 0, "{sql}: finds nothing");
    }
    let moved_over = raw.execute(
        "UPDATE track_point SET district = '331003' WHERE district = '331004'",
        &[],
    );
    assert!(moved_over.is_err(), "B's points cannot be moved into A");
    assert_eq!(reads(&remote).expect("A unchanged"), mine);
}
