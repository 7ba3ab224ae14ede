//! Every Open311 endpoint through the router in process, in JSON and XML, with every error case;
//! a refused request changes nothing.

use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use griddesk::model::{CaseSource, CaseStatus};
use griddesk::station::StationReportFilter;
use griddesk::users::Role;
use griddesk::workflow::machine::Action;
use griddesk::workflow::photo::solid_png;

const BASE: &str = "/open311/v2";

fn station_cases(d: &District) -> Vec<griddesk::station::StationCase> {
    d.engine
        .station_cases(&StationReportFilter::default(), None, 10_000)
        .expect("station cases")
}

/// A valid report's fields at the district's inner point.
fn report<'a>(d: &'a District, lon: &'a str, lat: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("api_key", d.key.as_str()),
        ("service_code", "event-0102"),
        ("lat", lat),
        ("long", lon),
        ("description", "路口有一堆垃圾"),
        ("first_name", "明"),
        ("last_name", "何"),
        ("phone", "13800138000"),
        ("email", "he@example.cn"),
    ]
}

fn coords(d: &District) -> (String, String) {
    let (lon, lat) = d.inside();
    (format!("{lon:.7}"), format!("{lat:.7}"))
}

fn iso_with_offset(s: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(s).is_ok()
}

#[tokio::test]
async fn services_and_definitions_in_both_formats() {
    let d = district();
    let app = d.app();
    let l = d.engine.loaded();
    let total = l.index.code_tables.events.len() + l.index.code_tables.components.len();
    drop(l);

    let a = get(&app, &format!("{BASE}/services.json")).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(a.ctype.starts_with("application/json"), "{}", a.ctype);
    let v = a.json();
    let list = v.as_array().expect("a list");
    assert_eq!(list.len(), total);
    let ev = list
        .iter()
        .find(|s| s["service_code"] == "event-0102")
        .expect("event 0102");
    assert_eq!(ev["service_name"], "暴露垃圾");
    assert_eq!(ev["group"], "市容环境");
    assert_eq!(ev["type"], "realtime");
    assert_eq!(ev["metadata"], false);
    assert!(ev["keywords"].as_str().expect("keywords").contains("0102"));
    let comp = list
        .iter()
        .find(|s| s["service_code"] == "component-0101")
        .expect("component 0101");
    assert_eq!(comp["service_name"], "上水井盖");
    assert_eq!(comp["group"], "公用设施");
    assert_eq!(comp["metadata"], true);

    let x = get(&app, &format!("{BASE}/services.xml")).await;
    assert_eq!(x.status, StatusCode::OK);
    assert!(x.ctype.starts_with("text/xml"), "{}", x.ctype);
    let body = x.xml("services");
    assert_eq!(body.matches("<service>").count(), total);
    assert!(body.contains("<service_code>event-0102</service_code>"));
    assert!(body.contains("<metadata>true</metadata>"));
    assert!(body.contains("<type>realtime</type>"));
    assert!(body.contains("<group>市容环境</group>"));

    let a = get(&app, &format!("{BASE}/services/component-0101.json")).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let v = a.json();
    assert_eq!(v["service_code"], "component-0101");
    let attr = &v["attributes"][0];
    assert_eq!(attr["code"], "component_code");
    assert_eq!(attr["variable"], true);
    assert_eq!(attr["required"], false);
    assert_eq!(attr["datatype"], "string");
    assert_eq!(attr["order"], 1);
    let x = get(&app, &format!("{BASE}/services/component-0101.xml")).await;
    let body = x.xml("service_definition");
    assert!(
        body.contains(
            "<attributes><attribute><variable>true</variable><code>component_code</code>"
        ),
        "{body}"
    );

    let a = get(&app, &format!("{BASE}/services/event-0102.json")).await;
    assert_eq!(a.json()["attributes"], serde_json::json!([]));
    get(&app, &format!("{BASE}/services/event-0102.xml"))
        .await
        .xml("service_definition");

    for code in ["event-9999", "0102", "x"] {
        let a = get(&app, &format!("{BASE}/services/{code}.json")).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{code}");
        assert_eq!(a.json()[0]["code"], 404);
        assert!(a.json()[0]["description"]
            .as_str()
            .expect("text")
            .contains(code));
        let x = get(&app, &format!("{BASE}/services/{code}.xml")).await;
        assert_eq!(x.status, StatusCode::NOT_FOUND);
        assert!(x
            .xml("errors")
            .contains("<error><code>404</code><description>"));
    }
    let a = get(&app, &format!("{BASE}/services.html")).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.json()[0]["code"], 400);
}

#[tokio::test]
async fn a_report_becomes_a_citizen_case_waiting_for_acceptance() {
    let d = district();
    let app = d.app();
    let (lon, lat) = coords(&d);
    let a = post_form(
        &app,
        &format!("{BASE}/requests.json"),
        &report(&d, &lon, &lat),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let v = a.json();
    let id = v[0]["service_request_id"]
        .as_str()
        .expect("an id")
        .to_string();
    let token = v[0]["token"].as_str().expect("a token").to_string();
    assert!(v[0]["service_notice"]
        .as_str()
        .expect("notice")
        .contains("受理"));

    let c = d
        .engine
        .case_detail(&id, Some(&d.admin), now())
        .expect("the case");
    assert_eq!(c.source, CaseSource::Public);
    assert_eq!(c.status, CaseStatus::Reported);
    assert_eq!(c.class_code, "0102");
    assert!(c.grid.is_some(), "located to its grid");
    assert_eq!(c.flow.reporter.as_deref(), Some("何明"));
    assert_eq!(c.flow.created_by.as_deref(), Some("open311"));
    assert_eq!(c.description.as_deref(), Some("路口有一堆垃圾"));

    // The request, in both formats.
    let a = get(&app, &format!("{BASE}/requests/{id}.json")).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let r = &a.json()[0];
    assert_eq!(r["service_request_id"], id.as_str());
    assert_eq!(r["status"], "open");
    assert!(r["status_notes"]
        .as_str()
        .expect("notes")
        .contains("已上报"));
    assert_eq!(r["service_code"], "event-0102");
    assert_eq!(r["service_name"], "暴露垃圾");
    assert!(r["agency_responsible"].is_null());
    assert!(iso_with_offset(
        r["requested_datetime"].as_str().expect("a time")
    ));
    assert!(iso_with_offset(
        r["updated_datetime"].as_str().expect("a time")
    ));
    assert!(
        iso_with_offset(r["expected_datetime"].as_str().expect("the 受理 deadline")),
        "{r}"
    );
    assert!((r["long"].as_f64().expect("long") - c.location[0]).abs() < 1e-9);
    assert!((r["lat"].as_f64().expect("lat") - c.location[1]).abs() < 1e-9);
    let x = get(&app, &format!("{BASE}/requests/{id}.xml")).await;
    let body = x.xml("service_requests");
    assert!(body.contains(&format!("<service_request_id>{id}</service_request_id>")));
    assert!(body.contains("<status>open</status>"));

    // The token resolves to the id.
    let a = get(&app, &format!("{BASE}/tokens/{token}.json")).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json()[0]["service_request_id"], id.as_str());
    assert_eq!(a.json()[0]["token"], token.as_str());
    let x = get(&app, &format!("{BASE}/tokens/{token}.xml")).await;
    assert!(x.xml("service_requests").contains(&format!(
        "<request><service_request_id>{id}</service_request_id><token>{token}</token></request>"
    )));
    for (fmt, root) in [("json", ""), ("xml", "errors")] {
        let a = get(&app, &format!("{BASE}/tokens/nope.{fmt}")).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND);
        let a = get(&app, &format!("{BASE}/requests/2099-0000001.{fmt}")).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND);
        if fmt == "xml" {
            a.xml(root);
        } else {
            assert_eq!(a.json()[0]["code"], 404);
        }
    }

    // A second report, in XML, then the list and its filters.
    let a = post_form(
        &app,
        &format!("{BASE}/requests.xml"),
        &[
            ("api_key", d.key.as_str()),
            ("service_code", "component-0101"),
            ("lat", lat.as_str()),
            ("long", lon.as_str()),
        ],
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let body = a.xml("service_requests");
    let id2 = body
        .split("<service_request_id>")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("an id")
        .to_string();

    let ids = |a: &Answer| -> Vec<String> {
        a.json()
            .as_array()
            .expect("a list")
            .iter()
            .map(|r| r["service_request_id"].as_str().expect("id").to_string())
            .collect()
    };
    let all = get(&app, &format!("{BASE}/requests.json")).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    let mut got = ids(&all);
    got.sort();
    let mut want = vec![id.clone(), id2.clone()];
    want.sort();
    assert_eq!(got, want);
    let x = get(&app, &format!("{BASE}/requests.xml")).await;
    assert_eq!(x.xml("service_requests").matches("<request>").count(), 2);

    let a = get(
        &app,
        &format!("{BASE}/requests.json?service_code=component-0101"),
    )
    .await;
    assert_eq!(ids(&a), vec![id2.clone()]);
    let a = get(
        &app,
        &format!("{BASE}/requests.json?service_code=event-0102,component-0101"),
    )
    .await;
    assert_eq!(ids(&a).len(), 2);
    let a = get(
        &app,
        &format!("{BASE}/requests.json?service_request_id={id}"),
    )
    .await;
    assert_eq!(ids(&a), vec![id.clone()]);
    let a = get(
        &app,
        &format!("{BASE}/requests.json?service_request_id={id},{id2}&service_code=event-0001"),
    )
    .await;
    assert_eq!(ids(&a).len(), 2, "ids override every other filter");
    let a = get(&app, &format!("{BASE}/requests.json?status=closed")).await;
    assert!(ids(&a).is_empty());
    let a = get(&app, &format!("{BASE}/requests.json?status=open")).await;
    assert_eq!(ids(&a).len(), 2);
    let a = get(
        &app,
        &format!(
            "{BASE}/requests.json?start_date=2020-01-01T00:00:00Z&end_date=2020-03-01T00:00:00Z"
        ),
    )
    .await;
    assert!(ids(&a).is_empty());
    let today = now().date();
    let a = get(
        &app,
        &format!(
            "{BASE}/requests.json?start_date={}T00:00:00&end_date={}T00:00:00",
            today - chrono::Duration::days(1),
            today + chrono::Duration::days(1)
        ),
    )
    .await;
    assert_eq!(ids(&a).len(), 2, "{}", a.body);
    for bad in [
        "status=pending",
        "start_date=yesterday",
        "start_date=2020-01-01T00:00:00Z&end_date=2020-06-01T00:00:00Z",
        "start_date=2020-03-01T00:00:00Z&end_date=2020-01-01T00:00:00Z",
        "service_code=litter",
    ] {
        let a = get(&app, &format!("{BASE}/requests.json?{bad}")).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{bad}: {}", a.body);
        let x = get(&app, &format!("{BASE}/requests.xml?{bad}")).await;
        assert_eq!(x.status, StatusCode::BAD_REQUEST, "{bad}");
        x.xml("errors");
    }

    // The case loop moves it: refused at acceptance → closed; the other, accepted, filed and
    // dispatched → open with its department.
    let reception = d
        .engine
        .sign_in("reception", "reception-pass", Role::Receptionist)
        .expect("reception");
    d.engine
        .apply(
            &id,
            &reception,
            &Action::Refuse {
                reason: "不属于城管职责".into(),
            },
            now(),
        )
        .expect("refused");
    d.engine
        .apply(&id2, &reception, &Action::Accept { note: None }, now())
        .expect("accepted");
    let leader = d
        .engine
        .sign_in("leader", "leader-pass", Role::ShiftLeader)
        .expect("leader");
    d.engine
        .apply(
            &id2,
            &leader,
            &Action::File {
                condition: None,
                note: None,
            },
            now(),
        )
        .expect("filed");
    let dispatch = d
        .engine
        .sign_in("dispatch", "dispatch-pass", Role::Dispatcher)
        .expect("dispatch");
    d.engine
        .apply(
            &id2,
            &dispatch,
            &Action::Dispatch {
                department: "D02".into(),
                note: None,
            },
            now(),
        )
        .expect("dispatched");
    let a = get(&app, &format!("{BASE}/requests.json?status=closed")).await;
    assert_eq!(ids(&a), vec![id.clone()]);
    assert!(a.json()[0]["status_notes"]
        .as_str()
        .expect("notes")
        .contains("不受理"));
    let a = get(&app, &format!("{BASE}/requests/{id2}.json")).await;
    let r = &a.json()[0];
    assert_eq!(r["status"], "open");
    assert_eq!(r["agency_responsible"], "综合行政执法局");
    assert!(r["status_notes"]
        .as_str()
        .expect("notes")
        .contains("处置中"));
    assert!(iso_with_offset(
        r["expected_datetime"].as_str().expect("the 处置 deadline")
    ));
}

#[tokio::test]
async fn multipart_reports_carry_a_photo_checked_by_its_bytes() {
    let d = district();
    let app = d.app();
    let (lon, lat) = coords(&d);
    let png = solid_png(64, 48, [10, 200, 10]);
    // Named like a text file: the bytes decide.
    let a = post_multipart(
        &app,
        &format!("{BASE}/requests.json"),
        &report(&d, &lon, &lat),
        Some(("../../etc/passwd.txt", &png)),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let id = a.json()[0]["service_request_id"]
        .as_str()
        .expect("id")
        .to_string();
    let c = d
        .engine
        .case_detail(&id, Some(&d.admin), now())
        .expect("the case");
    assert_eq!(c.photos.len(), 1);
    let (mime, bytes) = d
        .engine
        .case_photo(&d.admin, c.photos[0].id)
        .expect("the photo");
    assert_eq!(mime, "image/png");
    assert_eq!(bytes, png);

    // Not an image, whatever its name says: refused, nothing stored.
    for fmt in ["json", "xml"] {
        let a = post_multipart(
            &app,
            &format!("{BASE}/requests.{fmt}"),
            &report(&d, &lon, &lat),
            Some(("photo.jpg", b"#!/bin/sh\nrm -rf /\n")),
        )
        .await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.body);
        assert!(a.body.contains("photo"), "{}", a.body);
        if fmt == "xml" {
            a.xml("errors");
        }
    }
    assert_eq!(station_cases(&d).len(), 1);
}

#[tokio::test]
async fn every_refusal_answers_the_error_list_and_changes_nothing() {
    let d = district();
    let app = d.app();
    let (lon, lat) = coords(&d);
    let url = format!("{BASE}/requests.json");
    let with = |extra: &[(&'static str, &'static str)], drop: &[&str]| -> Vec<(String, String)> {
        let mut f: Vec<(String, String)> = report(&d, &lon, &lat)
            .into_iter()
            .filter(|(k, _)| !drop.contains(k))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        for (k, v) in extra {
            f.retain(|(kk, _)| kk != k);
            f.push((k.to_string(), v.to_string()));
        }
        f
    };
    type Case<'a> = (&'a str, Vec<(String, String)>, StatusCode, &'a str);
    let cases: Vec<Case> = vec![
        (
            "wrong key",
            with(&[("api_key", "gdk_wrong")], &[]),
            StatusCode::FORBIDDEN,
            "api_key",
        ),
        (
            "no key",
            with(&[], &["api_key"]),
            StatusCode::FORBIDDEN,
            "api_key",
        ),
        (
            "unknown service",
            with(&[("service_code", "event-9999")], &[]),
            StatusCode::NOT_FOUND,
            "event-9999",
        ),
        (
            "no service",
            with(&[], &["service_code"]),
            StatusCode::BAD_REQUEST,
            "service_code",
        ),
        (
            "no location",
            with(&[], &["lat", "long"]),
            StatusCode::BAD_REQUEST,
            "lat and long",
        ),
        (
            "address only",
            with(&[("address_string", "人民路 1 号")], &["lat", "long"]),
            StatusCode::BAD_REQUEST,
            "address_string",
        ),
        (
            "half a location",
            with(&[], &["long"]),
            StatusCode::BAD_REQUEST,
            "long",
        ),
        (
            "not a number",
            with(&[("lat", "north")], &[]),
            StatusCode::BAD_REQUEST,
            "north",
        ),
        (
            "outside the district",
            with(&[("lat", "10.5"), ("long", "20.25")], &[]),
            StatusCode::BAD_REQUEST,
            "20.250000, 10.500000",
        ),
        (
            "unknown jurisdiction",
            with(&[("jurisdiction_id", "999999")], &[]),
            StatusCode::NOT_FOUND,
            "999999",
        ),
        (
            "bad phone",
            with(&[("phone", "call me")], &[]),
            StatusCode::BAD_REQUEST,
            "phone",
        ),
    ];
    for (what, fields, status, says) in &cases {
        let f: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let a = post_form(&app, &url, &f).await;
        assert_eq!(a.status, *status, "{what}: {}", a.body);
        let v = a.json();
        assert_eq!(v[0]["code"], status.as_u16(), "{what}");
        let text = v[0]["description"].as_str().expect("a description");
        assert!(text.contains(says), "{what}: {text}");
        let x = post_form(&app, &format!("{BASE}/requests.xml"), &f).await;
        assert_eq!(x.status, *status, "{what}");
        assert!(x
            .xml("errors")
            .contains(&format!("<error><code>{}</code>", status.as_u16())));
    }
    // A key revoked is a wrong key.
    let other = d
        .engine
        .issue_station_key(&d.admin, "旧应用", "open311", now())
        .expect("a key");
    d.engine
        .revoke_station_key(&d.admin, other.info.id, now())
        .expect("revoked");
    let f = with(&[], &[]);
    let mut f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    f.retain(|(k, _)| *k != "api_key");
    f.push(("api_key", other.key.as_str()));
    let a = post_form(&app, &url, &f).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.body);
    // So is the key of an account disabled since.
    d.engine
        .set_user_active(&d.admin, "open311", false)
        .expect("disabled");
    let a = post_form(&app, &url, &report(&d, &lon, &lat)).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.body);
    d.engine
        .set_user_active(&d.admin, "open311", true)
        .expect("enabled");
    assert!(station_cases(&d).is_empty(), "nothing was filed");

    // Bodies: the wrong type, too big, a photo too big.
    let a = send(
        &app,
        Request::post(&url)
            .header("content-type", "application/json")
            .body(Body::from("{}"))
            .expect("a request"),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let big = vec![b'a'; griddesk_station::MAX_BODY + 1];
    let a = send(
        &app,
        Request::post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(big))
            .expect("a request"),
    )
    .await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(a.json()[0]["code"], 413);
    let mut photo = solid_png(8, 8, [1, 2, 3]);
    photo.resize(griddesk_station::MAX_PHOTO + 1, 0);
    let fields = report(&d, &lon, &lat);
    let a = post_multipart(
        &app,
        &format!("{BASE}/requests.xml"),
        &fields,
        Some(("big.png", &photo)),
    )
    .await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", a.body);
    a.xml("errors");
    let a = post_form(&app, &format!("{BASE}/services.json"), &fields).await;
    assert_eq!(a.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(station_cases(&d).is_empty(), "nothing was filed");

    // Jurisdiction: empty is absent, the district's own is accepted, another is not found.
    let own = d.jurisdiction();
    for j in ["", own.as_str()] {
        let mut f = report(&d, &lon, &lat);
        f.push(("jurisdiction_id", j));
        let a = post_form(&app, &url, &f).await;
        assert_eq!(a.status, StatusCode::OK, "jurisdiction `{j}`: {}", a.body);
        for path in ["services.json", "services/event-0102.json", "requests.json"] {
            let a = get(&app, &format!("{BASE}/{path}?jurisdiction_id={j}")).await;
            assert_eq!(a.status, StatusCode::OK, "{path} `{j}`: {}", a.body);
        }
    }
    for path in ["services.xml", "services/event-0102.xml", "requests.xml"] {
        let a = get(&app, &format!("{BASE}/{path}?jurisdiction_id=999999")).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{path}");
        assert!(a.xml("errors").contains("999999"));
    }
    assert_eq!(station_cases(&d).len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_sent_twice_files_one_case() {
    let d = district();
    let app = d.app();
    let (lon, lat) = coords(&d);
    let url = format!("{BASE}/requests.json");
    let send_with_key = |key: &'static str| {
        let fields = report(&d, &lon, &lat);
        let body = serde_urlencoded::to_string(&fields).expect("a form");
        Request::post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("idempotency-key", key)
            .body(Body::from(body))
            .expect("a request")
    };
    let a = send(&app, send_with_key("phone-1/report-1")).await;
    let b = send(&app, send_with_key("phone-1/report-1")).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.json(), b.json(), "the same receipt");
    let c = send(&app, send_with_key("phone-1/report-2")).await;
    assert_ne!(
        a.json()[0]["service_request_id"],
        c.json()[0]["service_request_id"]
    );
    assert_eq!(station_cases(&d).len(), 2);

    // Eight copies at once: one case, one receipt.
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let app = app.clone();
        let req = send_with_key("phone-2/report-1");
        tasks.push(tokio::spawn(async move { send(&app, req).await.body }));
    }
    let mut bodies = Vec::new();
    for t in tasks {
        bodies.push(t.await.expect("a copy"));
    }
    assert!(bodies.iter().all(|b| b == &bodies[0]), "{bodies:?}");
    assert_eq!(station_cases(&d).len(), 3);

    // device_id + client_request_id, in both formats.
    let mut f = report(&d, &lon, &lat);
    f.push(("device_id", "phone-7"));
    f.push(("client_request_id", "42"));
    let a = post_form(&app, &url, &f).await;
    let x = post_form(&app, &format!("{BASE}/requests.xml"), &f).await;
    let id = a.json()[0]["service_request_id"]
        .as_str()
        .expect("id")
        .to_string();
    assert!(x
        .xml("service_requests")
        .contains(&format!("<service_request_id>{id}</service_request_id>")));
    assert_eq!(station_cases(&d).len(), 4);
    // The same device id without a client request id is a new report each time.
    let mut f = report(&d, &lon, &lat);
    f.push(("device_id", "phone-7"));
    post_form(&app, &url, &f).await;
    post_form(&app, &url, &f).await;
    assert_eq!(station_cases(&d).len(), 6);
}

#[tokio::test]
async fn keys_are_issued_listed_and_revoked_by_administrators_only() {
    let d = district();
    let reception = d
        .engine
        .sign_in("reception", "reception-pass", Role::Receptionist)
        .expect("reception");
    assert!(d
        .engine
        .issue_station_key(&reception, "app", "open311", now())
        .is_err());
    assert!(d.engine.station_keys(&reception).is_err());
    // Switching the network service on or off (设置 ▸ 局域网服务) is for administrators too.
    let refused = d
        .engine
        .may_run_station(&reception)
        .expect_err("a receptionist");
    assert_eq!(refused.kind(), griddesk::ErrorKind::Refused, "{refused}");
    d.engine
        .may_run_station(&d.admin)
        .expect("an administrator");
    // The acting account must be one that may report.
    for login in ["dispatch", "sanitation", "nobody"] {
        let e = d
            .engine
            .issue_station_key(&d.admin, "app", login, now())
            .expect_err(login);
        assert!(e.to_string().contains(login), "{e}");
    }
    assert!(d
        .engine
        .issue_station_key(&d.admin, " ", "open311", now())
        .is_err());
    let k = d
        .engine
        .issue_station_key(&d.admin, "街道随手拍", "open311", now())
        .expect("a key");
    assert!(k.key.starts_with(&k.info.prefix));
    let keys = d.engine.station_keys(&d.admin).expect("keys");
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0].app, "街道随手拍");
    assert!(d.engine.station_client(&k.key).expect("look-up").is_some());
    assert!(d
        .engine
        .revoke_station_key(&reception, k.info.id, now())
        .is_err());
    d.engine
        .revoke_station_key(&d.admin, k.info.id, now())
        .expect("revoked");
    assert!(d.engine.station_client(&k.key).expect("look-up").is_none());
    assert!(d
        .engine
        .revoke_station_key(&d.admin, k.info.id, now())
        .is_err());
    let keys = d.engine.station_keys(&d.admin).expect("keys");
    assert!(keys[0].revoked_at.is_some());
    assert_eq!(keys[0].revoked_by.as_deref(), Some("admin"));
}
