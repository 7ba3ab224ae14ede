//! A small generated district with an administrator, a receptionist account the Open311 client
//! apps file as, departments and routing; a key issued to a client app; requests sent to the
//! router in process; and how a test that needs an outside tool fails.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use geo::InteriorPoint;
use griddesk::model::CaseKind;
use griddesk::routing::RoutingRule;
use griddesk::users::{Department, NewUser, Role, Session};
use griddesk::Engine;
use griddesk_station::{router, StationOptions, StationState};
use http_body_util::BodyExt;
use std::sync::Arc;
use tower::ServiceExt;

pub struct District {
    pub _dir: tempfile::TempDir,
    pub engine: Arc<Engine>,
    pub admin: Session,
    /// The key issued to the test app.
    pub key: String,
}

/// A district made from the small sample, with the accounts and a key.
pub fn district() -> District {
    let dir = tempfile::tempdir().expect("test district");
    let path = dir.path().join("d.sqlite");
    let p = griddesk::sample::SampleParams {
        cases: 0,
        ..griddesk::sample::SampleParams::benchmark(120, 0)
    };
    let s = griddesk::sample::generate(&p).expect("test district");
    let mut store = griddesk::store::Store::create(&path).expect("test district");
    s.write_to_store(&mut store, &s.tables)
        .expect("test district");
    drop(store);
    let e = Engine::open(&path).expect("test district");
    for (code, name) in [("D01", "环境卫生管理处"), ("D02", "综合行政执法局")] {
        e.add_department(
            None,
            &Department {
                code: code.into(),
                name: name.into(),
                active: true,
            },
        )
        .expect("test district");
    }
    e.add_routing_rule(
        None,
        &RoutingRule {
            id: None,
            kind: Some(CaseKind::Event),
            class_code: None,
            area_class: None,
            street: None,
            department: "D01".into(),
        },
    )
    .expect("test district");
    e.add_routing_rule(
        None,
        &RoutingRule {
            id: None,
            kind: Some(CaseKind::Component),
            class_code: None,
            area_class: None,
            street: None,
            department: "D02".into(),
        },
    )
    .expect("test district");
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
    .expect("test district");
    let admin = e
        .sign_in("admin", "admin-pass", Role::Admin)
        .expect("test district");
    for (login, role, dept) in [
        ("open311", Role::Receptionist, None),
        ("reception", Role::Receptionist, None),
        ("inspector", Role::Inspector, None),
        ("leader", Role::ShiftLeader, None),
        ("dispatch", Role::Dispatcher, None),
        ("sanitation", Role::Department, Some("D01")),
    ] {
        e.add_user(
            Some(&admin),
            &NewUser {
                login: login.into(),
                name: login.into(),
                password: format!("{login}-pass"),
                roles: vec![role],
                department: dept.map(str::to_string),
            },
        )
        .expect("test district");
    }
    let key = e
        .issue_station_key(&admin, "随手拍测试", "open311", now())
        .expect("a key")
        .key;
    District {
        _dir: dir,
        engine: Arc::new(e),
        admin,
        key,
    }
}

pub fn now() -> chrono::NaiveDateTime {
    chrono::Local::now().naive_local()
}

impl District {
    /// The station's routes over this district.
    pub fn app(&self) -> axum::Router {
        router(StationState::new(
            self.engine.clone(),
            &StationOptions::default(),
        ))
    }

    /// A point inside an active unit grid: `(lon, lat)`.
    pub fn inside(&self) -> (f64, f64) {
        let l = self.engine.loaded();
        let g = l
            .index
            .grids
            .iter()
            .find(|g| g.is_active())
            .expect("an active grid");
        let p = g.polygon.interior_point().expect("an interior point");
        (p.x(), p.y())
    }

    /// The district's jurisdiction id (its code).
    pub fn jurisdiction(&self) -> String {
        self.engine
            .overview()
            .district_code
            .expect("a district code")
    }
}

/// An answer: status, content type, body.
pub struct Answer {
    pub status: StatusCode,
    pub ctype: String,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// Checks the body is well-formed XML under `root`, and returns it.
    pub fn xml(&self, root: &str) -> &str {
        let mut r = quick_xml::Reader::from_str(&self.body);
        let mut first = None;
        loop {
            match r.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(quick_xml::events::Event::Start(e)) | Ok(quick_xml::events::Event::Empty(e)) => {
                    if first.is_none() {
                        first = Some(String::from_utf8_lossy(e.name().as_ref()).into_owned());
                    }
                }
                Ok(_) => {}
                Err(e) => panic!("not well-formed XML ({e}): {}", self.body),
            }
        }
        assert_eq!(first.as_deref(), Some(root), "{}", self.body);
        assert!(self.body.starts_with("<?xml"), "{}", self.body);
        &self.body
    }
}

/// Sends a request to the router in process.
pub async fn send(app: &axum::Router, req: Request<Body>) -> Answer {
    let r = app.clone().oneshot(req).await.expect("an answer");
    let status = r.status();
    let ctype = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = r.into_body().collect().await.expect("a body").to_bytes();
    Answer {
        status,
        ctype,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

pub async fn get(app: &axum::Router, uri: &str) -> Answer {
    send(
        app,
        Request::get(uri).body(Body::empty()).expect("a request"),
    )
    .await
}

/// POSTs a urlencoded form.
pub async fn post_form(app: &axum::Router, uri: &str, fields: &[(&str, &str)]) -> Answer {
    let body = serde_urlencoded::to_string(fields).expect("a form");
    send(
        app,
        Request::post(uri)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("a request"),
    )
    .await
}

/// A multipart body with `fields` and, if given, a `media` file: (content type, body).
pub fn multipart(fields: &[(&str, &str)], media: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let b = "griddesk-test-boundary-7MA4YWxk";
    let mut out = Vec::new();
    for (k, v) in fields {
        out.extend_from_slice(
            format!("--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, bytes)) = media {
        out.extend_from_slice(
            format!(
                "--{b}\r\nContent-Disposition: form-data; name=\"media\"; filename=\"{name}\"\r\nContent-Type: image/jpeg\r\n\r\n"
            )
            .as_bytes(),
        );
        out.extend_from_slice(bytes);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{b}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={b}"), out)
}

pub async fn post_multipart(
    app: &axum::Router,
    uri: &str,
    fields: &[(&str, &str)],
    media: Option<(&str, &[u8])>,
) -> Answer {
    let (ctype, body) = multipart(fields, media);
    send(
        app,
        Request::post(uri)
            .header("content-type", ctype)
            .body(Body::from(body))
            .expect("a request"),
    )
    .await
}

/// A tool or package a test needs is missing: the test fails and says how to install it
/// (the same rule as crates/griddesk/tests/it/common/mod.rs).
pub fn missing(what: &str, how: &str) -> ! {
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
    panic!(
        "{what} is missing ({}): {how}. Tests that need it fail instead of skipping.",
        if ci {
            "CI is set: the install step did not provide it"
        } else {
            "not a CI run"
        }
    )
}
