//! The phone pages' API through the router in process (docs/station.md, "Phones"): inspectors'
//! sessions, their expiry and the slowed sign-ins; reports with the grid, the duplicate check
//! and photos, once per idempotency key; 核实 and 核查 tasks through the desk's workflow; the
//! citizen page's plate, reports, limits and status; and refusals that change nothing.

use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use griddesk::model::{CaseSource, CaseStatus};
use griddesk::station::{
    StationReportFilter, CITIZEN_PER_HOUR, PHONE_IDLE_MINUTES, PHONE_LIFETIME_HOURS,
};
use griddesk::users::Role;
use griddesk::workflow::machine::Action;
use griddesk::workflow::photo::{solid_png, PhotoInput, PhotoPhase};
use griddesk_station::{router, StationOptions, StationState};
use http_body_util::BodyExt;
use tower::ServiceExt;

async fn post_json(app: &axum::Router, uri: &str, token: Option<&str>, body: &str) -> Answer {
    let mut r = Request::post(uri).header("content-type", "application/json");
    if let Some(t) = token {
        r = r.header("authorization", format!("Bearer {t}"));
    }
    send(
        app,
        r.body(Body::from(body.to_string())).expect("a request"),
    )
    .await
}

async fn get_auth(app: &axum::Router, uri: &str, token: &str) -> Answer {
    send(
        app,
        Request::get(uri)
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())
            .expect("a request"),
    )
    .await
}

async fn post_parts(
    app: &axum::Router,
    uri: &str,
    token: Option<&str>,
    fields: &[(&str, &str)],
    media: Option<(&str, &[u8])>,
) -> Answer {
    let (ctype, body) = multipart(fields, media);
    let mut r = Request::post(uri).header("content-type", ctype);
    if let Some(t) = token {
        r = r.header("authorization", format!("Bearer {t}"));
    }
    send(app, r.body(Body::from(body)).expect("a request")).await
}

fn code(a: &Answer) -> String {
    a.json()["error"]["message"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("an error code: {}", a.body))
        .to_string()
}

async fn sign_in(app: &axum::Router) -> String {
    let a = post_json(
        app,
        "/m/api/sign-in",
        None,
        r#"{"login":"inspector","password":"inspector-pass"}"#,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    a.json()["token"].as_str().expect("a token").to_string()
}

fn case_count(d: &District) -> usize {
    d.engine.overview().cases
}

#[tokio::test]
async fn an_inspector_signs_in_and_the_session_ends() {
    let d = district();
    let app = d.app();
    // Wrong password, unknown login, an account without the inspector role: refused, typed.
    for (body, want) in [
        (
            r#"{"login":"inspector","password":"nope"}"#,
            "sign-in-bad-credentials",
        ),
        (
            r#"{"login":"nobody","password":"nope"}"#,
            "sign-in-bad-credentials",
        ),
        (
            r#"{"login":"reception","password":"reception-pass"}"#,
            "sign-in-role-not-held",
        ),
    ] {
        let a = post_json(&app, "/m/api/sign-in", None, body).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{}", a.body);
        assert_eq!(code(&a), want);
        assert_eq!(a.json()["error"]["kind"], "sign-in-refused");
    }
    let a = post_json(&app, "/m/api/sign-in", None, "not json").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.body);
    assert_eq!(code(&a), "station-bad-field");

    let token = sign_in(&app).await;
    assert_eq!(token.len(), 64);
    let me = get_auth(&app, "/m/api/me", &token).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    assert_eq!(me.json()["login"], "inspector");
    // Without a token, with a made-up one: the session has ended.
    let a = get(&app, "/m/api/me").await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&a), "sign-in-session-ended");
    let a = get_auth(&app, "/m/api/me", &"0".repeat(64)).await;
    assert_eq!(code(&a), "sign-in-session-ended");
    // Signed out: the token is refused from then on.
    let a = post_json(&app, "/m/api/sign-out", Some(&token), "").await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    let a = get_auth(&app, "/m/api/me", &token).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&a), "sign-in-session-ended");

    // Expiry, in the engine's time: idle too long, or past the session's lifetime however busy.
    let e = &d.engine;
    let t0 = now();
    let s = e
        .phone_sign_in("inspector", "inspector-pass", t0)
        .expect("signed in");
    let idle = chrono::Duration::minutes(PHONE_IDLE_MINUTES);
    let mut t = t0;
    // Busy: a request every idle period less a minute keeps it alive ...
    while t + idle < t0 + chrono::Duration::hours(PHONE_LIFETIME_HOURS) {
        t += idle - chrono::Duration::minutes(1);
        if t >= t0 + chrono::Duration::hours(PHONE_LIFETIME_HOURS) {
            break;
        }
        e.phone_session(&s.token, t).expect("still signed in");
    }
    // ... until its lifetime is over.
    let end = t0 + chrono::Duration::hours(PHONE_LIFETIME_HOURS);
    let err = e.phone_session(&s.token, end).expect_err("ended");
    assert_eq!(
        err.message().code,
        griddesk::MessageCode::SignInSessionEnded
    );
    // Idle: one idle period without a request ends it, and it stays ended.
    let s = e
        .phone_sign_in("inspector", "inspector-pass", t0)
        .expect("signed in");
    e.phone_session(&s.token, t0 + idle - chrono::Duration::seconds(1))
        .expect("still signed in");
    let late = t0 + idle * 2;
    assert!(e.phone_session(&s.token, late).is_err());
    assert!(
        e.phone_session(&s.token, t0).is_err(),
        "forgotten once ended"
    );
    // The inspector role taken away: the session ends at once (given back, a new sign-in).
    let s = e
        .phone_sign_in("inspector", "inspector-pass", now())
        .expect("signed in");
    let roles = |r: Vec<Role>| griddesk::users::RoleChange {
        login: "inspector".into(),
        roles: r,
        department: None,
    };
    e.set_user_roles(&d.admin, &roles(vec![Role::Receptionist]))
        .expect("role changed");
    let a = get_auth(&app, "/m/api/me", &s.token).await;
    assert_eq!(code(&a), "sign-in-session-ended");
    e.set_user_roles(&d.admin, &roles(vec![Role::Inspector]))
        .expect("role given back");
    let a = get_auth(&app, "/m/api/me", &s.token).await;
    assert_eq!(
        code(&a),
        "sign-in-session-ended",
        "the ended session stays ended"
    );
    // A disabled account's session ends at once.
    let s = e
        .phone_sign_in("inspector", "inspector-pass", now())
        .expect("signed in");
    e.set_user_active(&d.admin, "inspector", false)
        .expect("disabled");
    let a = get_auth(&app, "/m/api/me", &s.token).await;
    assert_eq!(code(&a), "sign-in-session-ended");
}

#[tokio::test]
async fn repeated_failed_sign_ins_are_slowed() {
    let d = district();
    let app = d.app();
    for _ in 0..5 {
        let a = post_json(
            &app,
            "/m/api/sign-in",
            None,
            r#"{"login":"inspector","password":"guess"}"#,
        )
        .await;
        assert_eq!(code(&a), "sign-in-bad-credentials");
    }
    // The right password now waits too: guessing during the wait learns nothing.
    let a = post_json(
        &app,
        "/m/api/sign-in",
        None,
        r#"{"login":"inspector","password":"inspector-pass"}"#,
    )
    .await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS, "{}", a.body);
    assert_eq!(code(&a), "sign-in-wait");
    let secs = a.json()["error"]["message"]["params"]["seconds"]["int"]
        .as_i64()
        .expect("seconds");
    assert!((1..=2).contains(&secs), "{secs}");
    // After the wait it is let in.
    tokio::time::sleep(std::time::Duration::from_millis(secs as u64 * 1000 + 1100)).await;
    sign_in(&app).await;
}

#[tokio::test]
async fn a_phone_report_is_located_checked_for_duplicates_and_filed_once() {
    let d = district();
    let app = d.app();
    let token = sign_in(&app).await;
    let (lon, lat) = d.inside();
    let services = get(&app, "/m/api/services").await;
    assert!(services
        .json()
        .as_array()
        .expect("services")
        .iter()
        .any(|s| s["code"] == "event-0102" && s["name"] == "暴露垃圾"));

    let ask = format!(r#"{{"service_code":"event-0102","lon":{lon},"lat":{lat}}}"#);
    let p = post_json(&app, "/m/api/preview", Some(&token), &ask).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let grid = p.json()["placement"]["grid"]
        .as_str()
        .expect("a grid")
        .to_string();
    assert_eq!(p.json()["duplicates"].as_array().expect("none").len(), 0);

    let before = case_count(&d);
    let png = solid_png(64, 48, [200, 30, 30]);
    let (slon, slat) = (lon.to_string(), lat.to_string());
    let fields = [
        ("service_code", "event-0102"),
        ("lon", slon.as_str()),
        ("lat", slat.as_str()),
        ("description", "人行道上有垃圾"),
        ("device_id", "phone-1"),
        ("client_request_id", "r-1"),
    ];
    let a = post_parts(
        &app,
        "/m/api/reports",
        Some(&token),
        &fields,
        Some(("../x.txt", &png)),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let id = a.json()["case_id"].as_str().expect("an id").to_string();
    assert_eq!(a.json()["grid"], grid.as_str());
    assert_eq!(a.json()["repeated"], false);
    let c = d
        .engine
        .case_detail(&id, Some(&d.admin), now())
        .expect("the case");
    assert_eq!(c.source, CaseSource::Patrol);
    assert_eq!(c.status, CaseStatus::Reported);
    assert_eq!(c.grid.as_deref(), Some(grid.as_str()));
    assert_eq!(c.flow.created_by.as_deref(), Some("inspector"));
    assert_eq!(c.photos.len(), 1);
    assert_eq!(c.photos[0].phase, PhotoPhase::Before);

    // Sent again (the answer was lost): the first receipt, nothing new.
    let again = post_parts(
        &app,
        "/m/api/reports",
        Some(&token),
        &fields,
        Some(("x.png", &png)),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.json()["case_id"], id.as_str());
    assert_eq!(again.json()["repeated"], true);
    assert_eq!(case_count(&d), before + 1);

    // The next report of the same class here is warned of the open one.
    let p = post_json(&app, "/m/api/preview", Some(&token), &ask).await;
    let dups = p.json()["duplicates"].as_array().expect("dups").clone();
    assert_eq!(dups.len(), 1, "{}", p.body);
    assert_eq!(dups[0]["id"], id.as_str());
}

#[tokio::test]
async fn refused_phone_requests_change_nothing() {
    let d = district();
    let app = d.app();
    let token = sign_in(&app).await;
    let (lon, lat) = d.inside();
    let (slon, slat) = (lon.to_string(), lat.to_string());
    let before = case_count(&d);
    let png = solid_png(8, 8, [1, 2, 3]);
    let ok = |code: &'static str| {
        vec![
            ("service_code", code),
            ("lon", slon.as_str()),
            ("lat", slat.as_str()),
        ]
    };
    // No session.
    let a = post_parts(&app, "/m/api/reports", None, &ok("event-0102"), None).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&a), "sign-in-session-ended");
    // Not an image, whatever its name says.
    let a = post_parts(
        &app,
        "/m/api/reports",
        Some(&token),
        &ok("event-0102"),
        Some(("photo.jpg", b"#!/bin/sh\nrm -rf /\n")),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
    assert_eq!(code(&a), "refused-invalid-input");
    assert_eq!(
        a.json()["error"]["message"]["params"]["reason"]["message"]["code"],
        "photo-not-image"
    );
    // An unknown class; a place outside every grid; no longitude; too many photos.
    let a = post_parts(
        &app,
        "/m/api/reports",
        Some(&token),
        &ok("event-9999"),
        None,
    )
    .await;
    assert_eq!(code(&a), "station-service-unknown");
    let far = [
        ("service_code", "event-0102"),
        ("lon", "100.0"),
        ("lat", "30.0"),
    ];
    let a = post_parts(&app, "/m/api/reports", Some(&token), &far, None).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
    let a = post_parts(
        &app,
        "/m/api/reports",
        Some(&token),
        &[("service_code", "event-0102"), ("lat", "30.0")],
        None,
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        a.json()["error"]["message"]["params"]["field"]["text"],
        "lon"
    );
    // A body over the limit.
    let small = router(StationState::new(
        d.engine.clone(),
        &StationOptions {
            max_body: 1024,
            ..StationOptions::default()
        },
    ));
    let big = solid_png(400, 400, [9, 9, 9]);
    let noisy: Vec<u8> = big.iter().cycle().take(4096).copied().collect();
    let a = post_parts(
        &small,
        "/m/api/reports",
        Some(&token),
        &ok("event-0102"),
        Some(("big.png", &noisy)),
    )
    .await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", a.body);
    assert_eq!(code(&a), "station-too-large");
    let _ = png;
    assert_eq!(case_count(&d), before, "a refused request files nothing");
}

/// A citizen report at the inner point, taken in by the receptionist: returns its id.
fn accepted_case(d: &District) -> String {
    let (lon, lat) = d.inside();
    let reception = d
        .engine
        .sign_in("reception", "reception-pass", Role::Receptionist)
        .expect("reception");
    let req = griddesk::intake::IntakeRequest {
        source: CaseSource::Hotline12319,
        kind: griddesk::model::CaseKind::Event,
        class_code: Some("0102".into()),
        condition: None,
        location: Some([lon, lat]),
        component: None,
        description: Some("热线：有垃圾".into()),
        address: None,
        reporter: None,
        reporter_phone: None,
        photos: vec![],
        reported_at: now(),
        urgency: None,
    };
    let out = d
        .engine
        .intake(
            &reception,
            &req,
            &Default::default(),
            &griddesk::intake::OnDuplicate::Proceed,
        )
        .expect("reported");
    let griddesk::intake::IntakeOutcome::Created { id, .. } = out else {
        panic!("not created");
    };
    d.engine
        .apply(&id, &reception, &Action::Accept { note: None }, now())
        .expect("accepted");
    id
}

#[tokio::test]
async fn verify_and_check_tasks_move_the_case_through_the_desks_workflow() {
    let d = district();
    let app = d.app();
    let token = sign_in(&app).await;
    let e = &d.engine;
    let reception = e
        .sign_in("reception", "reception-pass", Role::Receptionist)
        .expect("reception");
    // 核实: the receptionist sends a case to be verified.
    let v = accepted_case(&d);
    e.apply(&v, &reception, &Action::SendVerify { note: None }, now())
        .expect("sent to verify");
    // 核查: another case filed, dispatched and handled by its department.
    let c = accepted_case(&d);
    let leader = e
        .sign_in("leader", "leader-pass", Role::ShiftLeader)
        .expect("leader");
    e.apply(
        &c,
        &leader,
        &Action::File {
            condition: None,
            note: None,
        },
        now(),
    )
    .expect("filed");
    let dispatch = e
        .sign_in("dispatch", "dispatch-pass", Role::Dispatcher)
        .expect("dispatch");
    e.apply(
        &c,
        &dispatch,
        &Action::Dispatch {
            department: "D01".into(),
            note: None,
        },
        now(),
    )
    .expect("dispatched");
    let dept = e
        .sign_in("sanitation", "sanitation-pass", Role::Department)
        .expect("department");
    e.apply(
        &c,
        &dept,
        &Action::Feedback {
            note: Some("已清理".into()),
            photos: vec![PhotoInput {
                phase: PhotoPhase::After,
                name: None,
                bytes: solid_png(16, 16, [0, 0, 255]),
            }],
        },
        now(),
    )
    .expect("handled");

    let a = get_auth(&app, "/m/api/tasks", &token).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let tasks = a.json();
    let find = |id: &str| {
        tasks
            .as_array()
            .expect("tasks")
            .iter()
            .find(|t| t["case_id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("task {id} in {tasks}"))
    };
    assert_eq!(
        find(&v)["actions"],
        serde_json::json!(["confirm_verified", "verify_not_found"])
    );
    assert_eq!(
        find(&c)["actions"],
        serde_json::json!(["check_pass", "check_fail"])
    );
    assert_eq!(find(&v)["description"], "热线：有垃圾");

    // Refusals change nothing: a verdict the task does not have, a failed check without its
    // reason, a photo that is not one, no session.
    let photo = solid_png(32, 32, [0, 200, 0]);
    let bad = [
        (vec![("verdict", "check_pass")], v.as_str(), None),
        (vec![("verdict", "approve")], c.as_str(), None),
        (vec![("verdict", "check_fail")], c.as_str(), None),
        (
            vec![("verdict", "check_pass")],
            c.as_str(),
            Some(("a.jpg", b"not an image".as_slice())),
        ),
    ];
    for (fields, id, media) in bad {
        let a = post_parts(
            &app,
            &format!("/m/api/tasks/{id}"),
            Some(&token),
            &fields,
            media,
        )
        .await;
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{fields:?}: {}",
            a.body
        );
    }
    let a = post_parts(
        &app,
        &format!("/m/api/tasks/{c}"),
        None,
        &[("verdict", "check_pass")],
        None,
    )
    .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    let status = |id: &str| {
        e.case_detail(id, Some(&d.admin), now())
            .expect("the case")
            .status
    };
    assert_eq!(status(&v), CaseStatus::Verifying);
    assert_eq!(status(&c), CaseStatus::Checking);
    let photos_of = |id: &str| {
        e.case_detail(id, Some(&d.admin), now())
            .expect("the case")
            .photos
    };
    assert_eq!(photos_of(&c).len(), 1);

    // 核实 with a photo: the scene is as reported → accepted again, the photo kept as 处置前.
    let fields = [
        ("verdict", "confirm_verified"),
        ("note", "现场属实"),
        ("device_id", "phone-1"),
        ("client_request_id", "t-1"),
    ];
    let a = post_parts(
        &app,
        &format!("/m/api/tasks/{v}"),
        Some(&token),
        &fields,
        Some(("scene.png", &photo)),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.json()["status"], "accepted");
    assert_eq!(status(&v), CaseStatus::Accepted);
    assert_eq!(photos_of(&v).len(), 1);
    assert_eq!(photos_of(&v)[0].phase, PhotoPhase::Before);
    assert_eq!(photos_of(&v)[0].added_by.as_deref(), Some("inspector"));
    // Sent again: answered as done, nothing changes.
    let a = post_parts(
        &app,
        &format!("/m/api/tasks/{v}"),
        Some(&token),
        &fields,
        Some(("scene.png", &photo)),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.json()["repeated"], true);
    assert_eq!(photos_of(&v).len(), 1);

    // 核查 passed with a photo: the case goes to 待结案, the photo kept as 处置后.
    let a = post_parts(
        &app,
        &format!("/m/api/tasks/{c}"),
        Some(&token),
        &[("verdict", "check_pass"), ("note", "已整改")],
        Some(("after.png", &photo)),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(status(&c), CaseStatus::ToClose);
    let ph = photos_of(&c);
    assert_eq!(ph.len(), 2);
    assert!(ph.iter().all(|p| p.phase == PhotoPhase::After));
    let detail = e.case_detail(&c, Some(&d.admin), now()).expect("the case");
    assert!(detail
        .audit
        .iter()
        .any(|x| x.action == "check_pass" && x.actor == "inspector"));
    // Done tasks leave the list.
    let a = get_auth(&app, "/m/api/tasks", &token).await;
    assert!(!a.body.contains(&c) && !a.body.contains(&v), "{}", a.body);
}

fn citizen_app(d: &District) -> axum::Router {
    router(StationState::new(
        d.engine.clone(),
        &StationOptions {
            citizen_key: Some(d.key.clone()),
            ..StationOptions::default()
        },
    ))
}

#[tokio::test]
async fn a_citizen_reports_from_a_plate_follows_it_and_is_limited() {
    let d = district();
    let comp = d
        .engine
        .loaded()
        .index
        .components
        .iter()
        .find(|c| c.grid.is_some())
        .map(|c| c.code.to_string())
        .expect("a component in a grid");
    let payload = d.engine.component_payload(&comp).expect("its payload");

    // Without a citizen key the page takes nothing.
    let off = d.app();
    let (lon, lat) = d.inside();
    let (slon, slat) = (lon.to_string(), lat.to_string());
    let a = post_parts(
        &off,
        "/c/api/reports",
        None,
        &[
            ("service_code", "event-0102"),
            ("lon", &slon),
            ("lat", &slat),
            ("device_id", "c-1"),
        ],
        None,
    )
    .await;
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE, "{}", a.body);
    assert_eq!(code(&a), "station-citizen-off");
    let before = case_count(&d);
    assert_eq!(before, 0);

    let app = citizen_app(&d);
    let q = serde_urlencoded::to_string([("p", payload.as_str())]).expect("query");
    let p = get(&app, &format!("/c/api/plate?{q}")).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let service = p.json()["service_code"]
        .as_str()
        .expect("a service")
        .to_string();
    let loc = p.json()["component"]["location"].clone();
    let (clon, clat) = (
        loc[0].as_f64().expect("lon").to_string(),
        loc[1].as_f64().expect("lat").to_string(),
    );
    let a = get(&app, "/c/api/plate?p=GD1%7Cnonsense").await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
    assert_eq!(code(&a), "qr-not-plate");

    let photo = solid_png(40, 30, [120, 120, 0]);
    let fields = [
        ("service_code", service.as_str()),
        ("component_code", comp.as_str()),
        ("lon", clon.as_str()),
        ("lat", clat.as_str()),
        ("description", "井盖松动"),
        ("phone", "13800138000"),
        ("device_id", "c-1"),
        ("client_request_id", "1"),
    ];
    let a = post_parts(
        &app,
        "/c/api/reports",
        None,
        &fields,
        Some(("p.png", &photo)),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let id = a.json()["case_id"].as_str().expect("id").to_string();
    let token = a.json()["token"].as_str().expect("token").to_string();
    let c = d
        .engine
        .case_detail(&id, Some(&d.admin), now())
        .expect("the case");
    assert_eq!(c.component.as_deref(), Some(comp.as_str()));
    assert_eq!(c.source, CaseSource::Public);
    assert_eq!(c.status, CaseStatus::Reported);
    assert_eq!(c.photos.len(), 1);
    // Sent again: the same receipt; it does not count towards the limit.
    let a = post_parts(
        &app,
        "/c/api/reports",
        None,
        &fields,
        Some(("p.png", &photo)),
    )
    .await;
    assert_eq!(a.json()["token"], token.as_str());
    assert_eq!(case_count(&d), 1);

    let s = get(&app, &format!("/c/api/status/{token}")).await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.body);
    assert_eq!(s.json()["case_id"], id.as_str());
    assert_eq!(s.json()["status"], "reported");
    assert_eq!(s.json()["open"], true);
    let s = get(&app, "/c/api/status/nothing-like-a-token").await;
    assert_eq!(s.status, StatusCode::NOT_FOUND);

    // One phone: at most CITIZEN_PER_HOUR reports an hour; the next is refused and files nothing.
    for i in 1..CITIZEN_PER_HOUR {
        let n = format!("n{i}");
        let mut f = fields.to_vec();
        f.retain(|(k, _)| *k != "client_request_id");
        f.push(("client_request_id", &n));
        let a = post_parts(&app, "/c/api/reports", None, &f, None).await;
        assert_eq!(a.status, StatusCode::OK, "{i}: {}", a.body);
    }
    let mut f = fields.to_vec();
    f.retain(|(k, _)| *k != "client_request_id");
    f.push(("client_request_id", "over"));
    let a = post_parts(&app, "/c/api/reports", None, &f, None).await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS, "{}", a.body);
    assert_eq!(code(&a), "station-rate-limited");
    assert_eq!(case_count(&d), CITIZEN_PER_HOUR);
    // Another phone is not held back.
    let mut f = fields.to_vec();
    f.retain(|(k, _)| *k != "device_id");
    f.push(("device_id", "c-2"));
    let a = post_parts(&app, "/c/api/reports", None, &f, None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    // No device id: refused.
    let mut f = fields.to_vec();
    f.retain(|(k, _)| *k != "device_id");
    let a = post_parts(&app, "/c/api/reports", None, &f, None).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.body);
    assert_eq!(case_count(&d), CITIZEN_PER_HOUR + 1);
    let listed = d
        .engine
        .station_cases(&StationReportFilter::default(), None, 100)
        .expect("station cases");
    assert_eq!(listed.len(), CITIZEN_PER_HOUR + 1);
}

#[test]
fn the_citizen_limit_holds_per_network_address_and_lapses_after_an_hour() {
    let d = district();
    let e = &d.engine;
    let client = e
        .station_client(&d.key)
        .expect("the key")
        .expect("a usable key");
    let (lon, lat) = d.inside();
    let report = |i: usize| griddesk::station::StationIntake {
        service_code: "event-0102".into(),
        lon,
        lat,
        description: Some(format!("第 {i} 件")),
        ..Default::default()
    };
    // Reported 70 minutes ago (the intake refuses report times after now).
    let t = now() - chrono::Duration::minutes(70);
    // Ten phones behind one address (a phone changing its id): the address is held back too.
    for i in 0..CITIZEN_PER_HOUR {
        e.citizen_report(
            &client,
            &format!("phone-{i}"),
            Some("10.0.0.7"),
            &report(i),
            t,
        )
        .expect("within the limit");
    }
    let err = e
        .citizen_report(&client, "phone-new", Some("10.0.0.7"), &report(99), t)
        .expect_err("the address is over its limit");
    assert_eq!(
        err.message().code,
        griddesk::MessageCode::StationRateLimited
    );
    assert_eq!(case_count(&d), CITIZEN_PER_HOUR);
    // Another address is not.
    e.citizen_report(&client, "phone-new", Some("10.0.0.8"), &report(100), t)
        .expect("another address");
    // An hour later the first address may report again.
    e.citizen_report(&client, "phone-0", Some("10.0.0.7"), &report(101), now())
        .expect("an hour later");
    assert_eq!(case_count(&d), CITIZEN_PER_HOUR + 2);
}

#[tokio::test]
async fn a_signed_in_inspector_gets_the_engines_tiles_and_their_duty_grids() {
    let d = district();
    let app = d.app();
    let token = sign_in(&app).await;
    let (lon, lat) = d.inside();
    let z = 15u32;
    let n = f64::from(1u32 << z);
    let x = ((lon + 180.0) / 360.0 * n) as u32;
    let lr = lat.to_radians();
    let y = ((1.0 - (lr.tan() + 1.0 / lr.cos()).ln() / std::f64::consts::PI) / 2.0 * n) as u32;
    let path = format!("/m/api/tiles/{z}/{x}/{y}.pbf");
    let a = get(&app, &path).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED, "tiles need a session");
    let r = app
        .clone()
        .oneshot(
            Request::get(&path)
                .header("authorization", format!("Bearer {token}"))
                .body(Body::empty())
                .expect("a request"),
        )
        .await
        .expect("an answer");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers()["content-type"],
        "application/vnd.mapbox-vector-tile"
    );
    let bytes = r.into_body().collect().await.expect("a body").to_bytes();
    assert_eq!(
        bytes.as_ref(),
        d.engine
            .tile(z, x, y)
            .expect("the engine's tile")
            .as_slice(),
        "the engine's own tile"
    );
    assert!(bytes.windows(5).any(|w| w == b"grids"), "a grids layer");
    let a = get_auth(
        &app,
        &format!("/m/api/tiles/{z}/{}/{y}.pbf", u32::MAX),
        &token,
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.body);
    let a = get_auth(&app, &format!("/m/api/tiles/{z}/{x}/{y}.png"), &token).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.body);

    // The inspector's duty grids, as the engine's index has them.
    let me = get_auth(&app, "/m/api/me", &token).await.json();
    let want: Vec<String> = d
        .engine
        .loaded()
        .index
        .duty_grids
        .iter()
        .filter(|g| g.inspector == "inspector")
        .map(|g| g.code.clone())
        .collect();
    let got: Vec<String> = me["home"]["duty_grids"]
        .as_array()
        .expect("duty grids")
        .iter()
        .map(|v| v.as_str().expect("a code").to_string())
        .collect();
    assert_eq!(got, want);
    assert_eq!(me["home"]["bbox"].is_null(), want.is_empty());
}

#[tokio::test]
async fn the_pages_are_served_from_memory_and_no_request_path_reaches_the_disk() {
    let d = district();
    let dir = tempfile::tempdir().expect("a folder");
    let root = dir.path().join("pages");
    for (path, text) in [
        ("m/index.html", "<!doctype html><title>巡查上报</title>"),
        ("c/index.html", "<!doctype html><title>随手拍</title>"),
        ("assets/m-1234.js", "console.info(1);"),
        ("assets/worker-1.mjs", "export {};"),
    ] {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().expect("a parent")).expect("a folder");
        std::fs::write(p, text).expect("a file");
    }
    // A file beside the pages that no request may read.
    std::fs::write(dir.path().join("secret.txt"), "secret").expect("a file");
    let pages = griddesk_station::web::Pages::load(&root).expect("the pages");
    // Changed on disk after loading: the station keeps serving what it read.
    std::fs::write(root.join("m/index.html"), "changed").expect("a file");
    let app =
        router(StationState::new(d.engine.clone(), &StationOptions::default()).with_pages(pages));

    let a = get(&app, "/m/").await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.ctype.starts_with("text/html"), "{}", a.ctype);
    assert!(a.body.contains("巡查上报"), "{}", a.body);
    let a = get(&app, "/c/").await;
    assert!(a.body.contains("随手拍"), "{}", a.body);
    let r = app
        .clone()
        .oneshot(Request::get("/c/").body(Body::empty()).expect("a request"))
        .await
        .expect("an answer");
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .expect("text");
    assert!(
        csp.contains("default-src 'self'") && csp.contains("script-src 'self';"),
        "{csp}"
    );
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    let a = get(&app, "/m").await;
    assert_eq!(a.status, StatusCode::PERMANENT_REDIRECT);
    let a = get(&app, "/assets/m-1234.js").await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.ctype.starts_with("text/javascript"), "{}", a.ctype);
    let a = get(&app, "/assets/worker-1.mjs").await;
    assert!(a.ctype.starts_with("text/javascript"), "{}", a.ctype);
    for bad in [
        "/secret.txt",
        "/../secret.txt",
        "/m/../../secret.txt",
        "/m/%2e%2e/%2e%2e/secret.txt",
        "/assets/..%2f..%2fsecret.txt",
        "/etc/passwd",
    ] {
        let a = get(&app, bad).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{bad}");
        assert!(!a.body.contains("secret"), "{bad}: {}", a.body);
    }
    // A folder without both pages is refused when the station starts.
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).expect("a folder");
    assert!(matches!(
        griddesk_station::web::Pages::load(&empty),
        Err(griddesk_station::web::PagesError::Missing { .. })
    ));
    // Without pages, /m/ says so.
    let a = get(&d.app(), "/m/").await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
}
