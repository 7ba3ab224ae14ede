//! Patrol tracks (docs/station.md, "Patrol tracks") through the router in process: a batch sent
//! again records nothing new, every refusal records nothing, another inspector's track cannot be
//! written, and the engine reads a track back per inspector and day with one line per patrol,
//! to the roles that may read it.

use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{Duration, NaiveDateTime, TimeZone};
use griddesk::track::MAX_TRACK_BATCH;
use griddesk::users::{NewUser, Role};

async fn post_json(app: &axum::Router, uri: &str, token: &str, body: &str) -> Answer {
    send(
        app,
        Request::post(uri)
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {token}"))
            .body(Body::from(body.to_string()))
            .expect("a request"),
    )
    .await
}

async fn sign_in(app: &axum::Router, login: &str) -> String {
    let a = send(
        app,
        Request::post("/m/api/sign-in")
            .header("content-type", "application/json")
            .body(Body::from(format!(
                r#"{{"login":"{login}","password":"{login}-pass"}}"#
            )))
            .expect("a request"),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    a.json()["token"].as_str().expect("a token").to_string()
}

fn code(a: &Answer) -> String {
    a.json()["error"]["message"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("an error code: {}", a.body))
        .to_string()
}

fn ms(t: NaiveDateTime) -> i64 {
    chrono::Local
        .from_local_datetime(&t)
        .earliest()
        .expect("a local time")
        .timestamp_millis()
}

/// A point as the phone sends it.
fn point(id: &str, patrol: &str, t: NaiveDateTime, lon: f64, lat: f64) -> serde_json::Value {
    serde_json::json!({ "id": id, "patrol": patrol, "t": ms(t), "lon": lon, "lat": lat, "acc": 8.5 })
}

fn batch(points: &[serde_json::Value]) -> String {
    serde_json::json!({ "points": points }).to_string()
}

/// The day's points as the engine reads them back (as the administrator).
fn stored(d: &District, login: &str, day: chrono::NaiveDate) -> Vec<(NaiveDateTime, f64, f64)> {
    d.engine
        .patrol_track(&d.admin, login, day)
        .expect("the track")
        .fixes
        .into_iter()
        .map(|f| (f.at, f.lon, f.lat))
        .collect()
}

/// Today at 00:00:01 or an hour ago, whichever is later: times of today, in the past.
fn start_of_test() -> NaiveDateTime {
    let n = now();
    let midnight = n.date().and_hms_opt(0, 0, 1).expect("a time");
    // Whole seconds: the store keeps times to the second.
    let t = (n - Duration::hours(1)).max(midnight);
    chrono::Timelike::with_nanosecond(&t, 0).expect("a time")
}

#[tokio::test]
async fn a_batch_sent_again_records_each_point_once() {
    let d = district();
    let app = d.app();
    let token = sign_in(&app, "inspector").await;
    let (x, y) = d.inside();
    let t0 = start_of_test();
    let pts: Vec<_> = (0..5)
        .map(|i| {
            point(
                &format!("p{i}"),
                "patrol-1",
                t0 + Duration::seconds(10 * i),
                x + 0.00001 * i as f64,
                y,
            )
        })
        .collect();
    let a = post_json(&app, "/m/api/track", &token, &batch(&pts)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.json()["received"], 5);
    assert_eq!(a.json()["recorded"], 5);
    // The same batch again (its answer was lost): nothing new.
    let again = post_json(&app, "/m/api/track", &token, &batch(&pts)).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.json()["recorded"], 0);
    // A batch overlapping the first: only the new points count.
    let more: Vec<_> = (3..8)
        .map(|i| {
            point(
                &format!("p{i}"),
                "patrol-1",
                t0 + Duration::seconds(10 * i),
                x + 0.00001 * i as f64,
                y,
            )
        })
        .collect();
    let a = post_json(&app, "/m/api/track", &token, &batch(&more)).await;
    assert_eq!(a.json()["recorded"], 3, "{}", a.body);
    let got = stored(&d, "inspector", t0.date());
    assert_eq!(got.len(), 8);
    let times: Vec<_> = got.iter().map(|p| p.0).collect();
    let want: Vec<_> = (0..8).map(|i| t0 + Duration::seconds(10 * i)).collect();
    assert_eq!(
        times, want,
        "each point once, oldest first, at the phone's time"
    );
    // The inspector reads their own day back on the phone.
    let own = send(
        &app,
        Request::get(format!("/m/api/track?day={}", t0.date()))
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())
            .expect("a request"),
    )
    .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    assert_eq!(own.json()["fixes"].as_array().map(Vec::len), Some(8));
    assert_eq!(own.json()["lines"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn refused_batches_record_nothing() {
    let d = district();
    let app = d.app();
    let token = sign_in(&app, "inspector").await;
    let (x, y) = d.inside();
    let t0 = start_of_test();
    let good = point("g1", "p", t0, x, y);
    let future = now() + Duration::minutes(30);
    let too_many: Vec<_> = (0..=MAX_TRACK_BATCH)
        .map(|i| point(&format!("m{i}"), "p", t0, x, y))
        .collect();
    let cases: Vec<(String, StatusCode, &str)> = vec![
        // One point outside the district refuses the batch, naming the point.
        (
            batch(&[good.clone(), point("o1", "p", t0, 100.0, 30.0)]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "track-point-outside",
        ),
        (
            batch(&[good.clone(), point("f1", "p", future, x, y)]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "track-point-future",
        ),
        (
            batch(&too_many),
            StatusCode::UNPROCESSABLE_ENTITY,
            "track-batch-too-large",
        ),
        (
            batch(&[good.clone(), point("", "p", t0, x, y)]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "track-point-bad",
        ),
        (
            batch(&[
                good.clone(),
                serde_json::json!({ "id": "a", "t": ms(t0), "lon": x, "lat": y, "acc": -1.0 }),
            ]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "track-point-bad",
        ),
        (
            batch(&[
                good.clone(),
                serde_json::json!({ "id": "nt", "lon": x, "lat": y }),
            ]),
            StatusCode::BAD_REQUEST,
            "track-point-bad",
        ),
        (
            "not json".into(),
            StatusCode::BAD_REQUEST,
            "station-bad-field",
        ),
    ];
    for (body, status, want) in cases {
        let a = post_json(&app, "/m/api/track", &token, &body).await;
        assert_eq!(a.status, status, "{want}: {}", a.body);
        assert_eq!(code(&a), want, "{}", a.body);
        assert!(
            stored(&d, "inspector", t0.date()).is_empty(),
            "{want} recorded nothing"
        );
    }
    let outside = post_json(
        &app,
        "/m/api/track",
        &token,
        &batch(&[good.clone(), point("o1", "p", t0, 100.0, 30.0)]),
    )
    .await;
    assert_eq!(
        outside.json()["error"]["message"]["params"]["index"]["int"],
        2,
        "{}",
        outside.body
    );
    // Without a session: nothing.
    let a = post_json(
        &app,
        "/m/api/track",
        "nobody",
        &batch(std::slice::from_ref(&good)),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert!(stored(&d, "inspector", t0.date()).is_empty());
    // The good point alone goes in.
    let a = post_json(&app, "/m/api/track", &token, &batch(&[good])).await;
    assert_eq!(a.json()["recorded"], 1, "{}", a.body);
}

#[tokio::test]
async fn another_inspectors_track_is_neither_written_nor_read() {
    let d = district();
    d.engine
        .add_user(
            Some(&d.admin),
            &NewUser {
                login: "inspector2".into(),
                name: "第二监督员".into(),
                password: "inspector2-pass".into(),
                roles: vec![Role::Inspector],
                department: None,
            },
        )
        .expect("a second inspector");
    let app = d.app();
    let one = sign_in(&app, "inspector").await;
    let two = sign_in(&app, "inspector2").await;
    let (x, y) = d.inside();
    let t0 = start_of_test();
    let pts = [point("a1", "p", t0, x, y)];
    // inspector2's phone sending a batch as inspector's: refused, nothing recorded for either.
    let body = serde_json::json!({ "login": "inspector", "points": pts }).to_string();
    let a = post_json(&app, "/m/api/track", &two, &body).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
    assert_eq!(code(&a), "track-not-own");
    assert!(stored(&d, "inspector", t0.date()).is_empty());
    assert!(stored(&d, "inspector2", t0.date()).is_empty());
    // Its own: fine, and the same point id under another inspector is another point.
    let body = serde_json::json!({ "login": "inspector2", "points": pts }).to_string();
    assert_eq!(
        post_json(&app, "/m/api/track", &two, &body).await.json()["recorded"],
        1
    );
    let body = serde_json::json!({ "login": "inspector", "points": pts }).to_string();
    assert_eq!(
        post_json(&app, "/m/api/track", &one, &body).await.json()["recorded"],
        1
    );

    // Reading: inspector2 may not read inspector's track; the desk's supervisors may; a
    // receptionist may not.
    let s2 = d
        .engine
        .sign_in("inspector2", "inspector2-pass", Role::Inspector)
        .expect("signed in");
    let e = d
        .engine
        .patrol_track(&s2, "inspector", t0.date())
        .expect_err("refused");
    assert_eq!(e.message().code.key(), "not-permitted-tracks");
    assert_eq!(d.engine.track_inspectors(&s2).expect("list").len(), 1);
    for (login, role) in [
        ("dispatch", Role::Dispatcher),
        ("leader", Role::ShiftLeader),
    ] {
        let s = d
            .engine
            .sign_in(login, &format!("{login}-pass"), role)
            .expect("signed in");
        assert_eq!(
            d.engine
                .patrol_track(&s, "inspector", t0.date())
                .expect("read")
                .fixes
                .len(),
            1
        );
        let list = d.engine.track_inspectors(&s).expect("list");
        let logins: Vec<_> = list.iter().map(|i| i.login.as_str()).collect();
        assert!(
            logins.contains(&"inspector") && logins.contains(&"inspector2"),
            "{logins:?}"
        );
        assert!(
            list.iter().all(|i| i.last_day == Some(t0.date())),
            "{list:?}"
        );
    }
    let r = d
        .engine
        .sign_in("reception", "reception-pass", Role::Receptionist)
        .expect("signed in");
    assert!(d.engine.patrol_track(&r, "inspector", t0.date()).is_err());
    assert!(d.engine.track_inspectors(&r).is_err());
}

#[test]
fn the_engine_reads_a_day_with_one_line_per_patrol() {
    let d = district();
    let s = d
        .engine
        .sign_in("inspector", "inspector-pass", Role::Inspector)
        .expect("signed in");
    let (x, y) = d.inside();
    let day = now().date() - Duration::days(1);
    let at = |h: u32, m: u32| day.and_hms_opt(h, m, 0).expect("a time");
    let p = |id: &str, patrol: &str, t: NaiveDateTime, dy: f64| griddesk::track::TrackPointIn {
        id: id.into(),
        patrol: Some(patrol.into()),
        at: t,
        lon: x,
        lat: y + dy,
        accuracy: Some(5.0),
    };
    // Two patrols, sent out of order; and a point of the day before, and of the day after.
    let pts = vec![
        p("b2", "afternoon", at(14, 5), 0.001),
        p("a1", "morning", at(9, 0), 0.0),
        p("b1", "afternoon", at(14, 0), 0.0),
        p("a2", "morning", at(9, 10), 0.001),
        p("a3", "morning", at(9, 20), 0.002),
        p("x0", "morning", at(0, 0) - Duration::seconds(1), 0.0),
        p("x1", "morning", at(0, 0) + Duration::days(1), 0.0),
    ];
    let r = d
        .engine
        .record_track(&s, "inspector", &pts, now())
        .expect("recorded");
    assert_eq!((r.received, r.recorded), (7, 7));
    let t = d
        .engine
        .patrol_track(&s, "inspector", day)
        .expect("the day");
    assert_eq!(t.fixes.len(), 5, "only the day's points");
    assert_eq!(t.fixes.first().map(|f| f.at), Some(at(9, 0)));
    assert_eq!(t.fixes.last().map(|f| f.at), Some(at(14, 5)));
    assert_eq!(t.lines.len(), 2);
    assert_eq!((t.lines[0].from, t.lines[0].to), (at(9, 0), at(9, 20)));
    assert_eq!(t.lines[0].coordinates.len(), 3);
    assert_eq!((t.lines[1].from, t.lines[1].to), (at(14, 0), at(14, 5)));
    // 0.002° + 0.001° of latitude, about 333 m; nothing between the patrols.
    assert!((t.distance_m - 333.6).abs() < 2.0, "{}", t.distance_m);
    assert_eq!(t.name, "inspector");
    // An unknown inspector is not found.
    assert!(d.engine.patrol_track(&d.admin, "nobody", day).is_err());
}
