//! The JSON API of the phone pages (docs/station.md, "Phones"): the inspector app's at
//! `/m/api/` (sign-in, services, preview with the duplicate check, reports, 核实/核查 tasks) and
//! the citizen page's at `/c/api/` (plates, reports, a report's status). Answers are JSON; a
//! refusal is `{"error": {"kind": …, "message": {"code": …, "params": …}}}` with its HTTP
//! status, and the pages say the message in Chinese from its code.

use crate::body::{read_form, Form};
use crate::open311::{blocking, ApiError};
use crate::StationState;
use axum::extract::{ConnectInfo, Path, RawQuery, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use griddesk::message::{Message, MessageCode as C};
use griddesk::station::{PhoneReport, PhoneTaskResult, StationIntake, MAX_PHONE_PHOTOS};
use griddesk::track::TrackPointIn;
use griddesk::users::{Session, SignInRefusal};
use serde::{Deserialize, Serialize};

/// A refusal for a phone: HTTP status, the engine's error kind and its typed message.
#[derive(Debug)]
pub struct PhoneError {
    pub status: StatusCode,
    pub kind: griddesk::ErrorKind,
    pub message: Message,
    /// Seconds to wait before trying again (429).
    pub retry_after: Option<i64>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorInner<'a>,
}

#[derive(Serialize)]
struct ErrorInner<'a> {
    kind: griddesk::ErrorKind,
    message: &'a Message,
}

impl IntoResponse for PhoneError {
    fn into_response(self) -> Response {
        let body = serde_json::to_string(&ErrorBody {
            error: ErrorInner {
                kind: self.kind,
                message: &self.message,
            },
        })
        .unwrap_or_else(|_| "{}".into());
        let mut r = (
            self.status,
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            body,
        )
            .into_response();
        if let Some(s) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        r
    }
}

impl PhoneError {
    fn field(field: &str) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            kind: griddesk::ErrorKind::InvalidInput,
            message: Message::new(C::StationBadField).text("field", field),
            retry_after: None,
        }
    }
}

/// The form reader's refusals as phone refusals.
impl From<ApiError> for PhoneError {
    fn from(e: ApiError) -> Self {
        if e.status == StatusCode::PAYLOAD_TOO_LARGE {
            Self {
                status: e.status,
                kind: griddesk::ErrorKind::InvalidInput,
                message: Message::new(C::StationTooLarge).int("max", 0),
                retry_after: None,
            }
        } else if e.status == StatusCode::BAD_REQUEST {
            Self::field("form")
        } else {
            Self {
                status: e.status,
                kind: griddesk::ErrorKind::Storage,
                message: Message::new(C::StationBadField).text("field", "form"),
                retry_after: None,
            }
        }
    }
}

/// An engine error as a phone sees it: the status follows the kind and the typed code.
fn engine_error(e: griddesk::Error) -> PhoneError {
    use griddesk::ErrorKind as K;
    let message = e.message();
    let kind = e.kind();
    let (status, retry_after) = match &e {
        griddesk::Error::SignIn(SignInRefusal::Wait { seconds, .. }) => {
            (StatusCode::TOO_MANY_REQUESTS, Some(*seconds))
        }
        griddesk::Error::SignIn(_) => (StatusCode::UNAUTHORIZED, None),
        _ if message.code == C::StationRateLimited => {
            let secs = match message.params.get("seconds") {
                Some(griddesk::Param::Int(s)) => Some(*s),
                _ => None,
            };
            (StatusCode::TOO_MANY_REQUESTS, secs)
        }
        _ => (
            match kind {
                K::InvalidInput | K::Refused | K::TopologyRefused | K::Conflict => {
                    StatusCode::UNPROCESSABLE_ENTITY
                }
                K::NotFound => StatusCode::NOT_FOUND,
                K::BadTile => StatusCode::BAD_REQUEST,
                K::NotPermitted => StatusCode::FORBIDDEN,
                K::StoreReadOnly | K::StoreLocked => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            },
            None,
        ),
    };
    PhoneError {
        status,
        kind,
        message,
        retry_after,
    }
}

fn internal(e: ApiError) -> PhoneError {
    PhoneError {
        status: e.status,
        kind: griddesk::ErrorKind::Storage,
        message: Message::new(C::StationBadField).text("field", "server"),
        retry_after: None,
    }
}

/// Runs engine work off the async threads.
async fn run<T: Send + 'static>(
    f: impl FnOnce() -> griddesk::Result<T> + Send + 'static,
) -> Result<T, PhoneError> {
    blocking(move || Ok(f()))
        .await
        .map_err(internal)?
        .map_err(engine_error)
}

fn json<T: Serialize>(v: &T) -> Response {
    match serde_json::to_string(v) {
        Ok(b) => (
            [
                (header::CONTENT_TYPE, "application/json; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            b,
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// The JSON of an answer, or the refusal.
fn answer<T: Serialize>(r: Result<T, PhoneError>) -> Response {
    match r {
        Ok(v) => json(&v),
        Err(e) => e.into_response(),
    }
}

/// The signed-in inspector of a request and its form (a report or a task result).
async fn signed_form(
    st: &StationState,
    headers: &HeaderMap,
    body: axum::body::Body,
) -> Result<(Session, Form), PhoneError> {
    let s = session(st, headers).await?;
    Ok((s, form_of(st, headers, body).await?))
}

fn now() -> chrono::NaiveDateTime {
    chrono::Local::now().naive_local()
}

/// The routes under `/m/api`.
pub fn inspector_routes(state: StationState) -> Router {
    Router::new()
        .route("/sign-in", post(sign_in))
        .route("/sign-out", post(sign_out))
        .route("/me", get(me))
        .route("/services", get(services))
        .route("/preview", post(preview))
        .route("/reports", post(report))
        .route("/tasks", get(tasks))
        .route("/tasks/{case}", post(task))
        .route("/tiles/{z}/{x}/{file}", get(tile))
        .route("/track", post(track).get(own_track))
        .with_state(state)
}

/// The routes under `/c/api`.
pub fn citizen_routes(state: StationState) -> Router {
    Router::new()
        .route("/services", get(services))
        .route("/plate", get(plate))
        .route("/reports", post(citizen_report))
        .route("/status/{token}", get(status))
        .with_state(state)
}

async fn body_bytes(st: &StationState, body: axum::body::Body) -> Result<bytes::Bytes, PhoneError> {
    axum::body::to_bytes(body, st.max_body)
        .await
        .map_err(|_| PhoneError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            kind: griddesk::ErrorKind::InvalidInput,
            message: Message::new(C::StationTooLarge)
                .int("max", (st.max_body / (1024 * 1024)) as i64),
            retry_after: None,
        })
}

async fn form_of(
    st: &StationState,
    headers: &HeaderMap,
    body: axum::body::Body,
) -> Result<Form, PhoneError> {
    let bytes = body_bytes(st, body).await?;
    read_form(headers, bytes, st.max_photo, MAX_PHONE_PHOTOS)
        .await
        .map_err(|e| {
            let mut p = PhoneError::from(e);
            if p.message.code == C::StationTooLarge {
                p.message = Message::new(C::StationTooLarge)
                    .int("max", (st.max_photo / (1024 * 1024)) as i64);
            }
            p
        })
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// The session of the request's bearer token, checked by the engine.
async fn session(st: &StationState, headers: &HeaderMap) -> Result<Session, PhoneError> {
    let Some(token) = bearer(headers) else {
        return Err(engine_error(griddesk::Error::SignIn(
            SignInRefusal::SessionEnded,
        )));
    };
    let engine = st.engine.clone();
    run(move || engine.phone_session(&token, now())).await
}

#[derive(Deserialize)]
struct SignIn {
    login: String,
    password: String,
}

async fn sign_in(State(st): State<StationState>, body: axum::body::Body) -> Response {
    let r = async {
        let bytes = body_bytes(&st, body).await?;
        let s: SignIn = serde_json::from_slice(&bytes).map_err(|_| PhoneError::field("login"))?;
        let engine = st.engine.clone();
        run(move || engine.phone_sign_in(&s.login, &s.password, now())).await
    }
    .await;
    answer(r)
}

async fn sign_out(State(st): State<StationState>, headers: HeaderMap) -> Response {
    if let Some(t) = bearer(&headers) {
        let engine = st.engine.clone();
        let _ = run(move || {
            engine.phone_sign_out(&t);
            Ok(())
        })
        .await;
    }
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Serialize)]
struct Me {
    login: String,
    name: String,
    home: griddesk::station::PhoneHome,
}

async fn me(State(st): State<StationState>, headers: HeaderMap) -> Response {
    let r = async {
        let s = session(&st, &headers).await?;
        let engine = st.engine.clone();
        run(move || {
            let home = engine.phone_home(&s);
            Ok(Me {
                login: s.login,
                name: s.name,
                home,
            })
        })
        .await
    }
    .await;
    answer(r)
}

/// `tiles/{z}/{x}/{y}.pbf`: the engine's vector tile (district, streets, communities, grids,
/// components, cases) for a signed-in inspector's map.
async fn tile(
    State(st): State<StationState>,
    Path((z, x, file)): Path<(u32, u32, String)>,
    headers: HeaderMap,
) -> Response {
    let r = async {
        session(&st, &headers).await?;
        let y: u32 = file
            .strip_suffix(".pbf")
            .and_then(|y| y.parse().ok())
            .ok_or_else(|| PhoneError::field("y"))?;
        let engine = st.engine.clone();
        run(move || engine.tile(z, x, y)).await
    }
    .await;
    match r {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "application/vnd.mapbox-vector-tile"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}

#[derive(Serialize)]
struct ServiceItem {
    code: String,
    kind: griddesk::model::CaseKind,
    class_code: String,
    name: String,
    major_name: String,
    /// Pinyin initials per character of the name, for the offline class search.
    initials: Vec<String>,
}

async fn services(State(st): State<StationState>) -> Response {
    let engine = st.engine.clone();
    match run(move || Ok(engine.station_services())).await {
        Ok(list) => json(
            &list
                .into_iter()
                .map(|s| ServiceItem {
                    code: s.code,
                    kind: s.kind,
                    class_code: s.class_code,
                    name: s.name,
                    major_name: s.major_name,
                    initials: s.initials,
                })
                .collect::<Vec<_>>(),
        ),
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize)]
struct PreviewAsk {
    service_code: String,
    lon: f64,
    lat: f64,
    #[serde(default)]
    component_code: Option<String>,
}

async fn preview(
    State(st): State<StationState>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Response {
    let r = async {
        let s = session(&st, &headers).await?;
        let bytes = body_bytes(&st, body).await?;
        let a: PreviewAsk =
            serde_json::from_slice(&bytes).map_err(|_| PhoneError::field("service_code"))?;
        let engine = st.engine.clone();
        run(move || {
            engine.phone_preview(
                &s,
                &a.service_code,
                a.lon,
                a.lat,
                a.component_code.as_deref(),
                now(),
            )
        })
        .await
    }
    .await;
    answer(r)
}

fn coordinate(form: &Form, name: &str) -> Result<f64, PhoneError> {
    form.get(name)
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|x| x.is_finite())
        .ok_or_else(|| PhoneError::field(name))
}

fn idempotency(form: &Form) -> Option<String> {
    match (form.get("device_id"), form.get("client_request_id")) {
        (Some(d), Some(c)) => Some(format!("device:{d}:{c}")),
        _ => None,
    }
}

async fn report(
    State(st): State<StationState>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Response {
    let r = async {
        let (s, form) = signed_form(&st, &headers, body).await?;
        let r = PhoneReport {
            service_code: form
                .get("service_code")
                .ok_or_else(|| PhoneError::field("service_code"))?
                .to_string(),
            lon: coordinate(&form, "lon")?,
            lat: coordinate(&form, "lat")?,
            description: form.get("description").map(str::to_string),
            address: form.get("address").map(str::to_string),
            component: form.get("component_code").map(str::to_string),
            idempotency: idempotency(&form),
            photos: form.media,
        };
        let engine = st.engine.clone();
        run(move || engine.phone_report(&s, &r, now())).await
    }
    .await;
    answer(r)
}

async fn tasks(State(st): State<StationState>, headers: HeaderMap) -> Response {
    let r = async {
        let s = session(&st, &headers).await?;
        let engine = st.engine.clone();
        run(move || engine.phone_tasks(&s, now())).await
    }
    .await;
    answer(r)
}

async fn task(
    State(st): State<StationState>,
    Path(case): Path<String>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Response {
    let r = async {
        let (s, form) = signed_form(&st, &headers, body).await?;
        let t = PhoneTaskResult {
            verdict: form
                .get("verdict")
                .ok_or_else(|| PhoneError::field("verdict"))?
                .to_string(),
            note: form.get("note").map(str::to_string),
            idempotency: idempotency(&form),
            photos: form.media,
        };
        let engine = st.engine.clone();
        run(move || engine.phone_task(&s, case.trim(), &t, now())).await
    }
    .await;
    answer(r)
}

#[derive(Serialize)]
struct PlateAnswer {
    component: griddesk::register::ComponentRecord,
    service_code: String,
}

async fn plate(State(st): State<StationState>, RawQuery(q): RawQuery) -> Response {
    let r = async {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(q.as_deref().unwrap_or(""))
            .map_err(|_| PhoneError::field("p"))?;
        let p = pairs
            .into_iter()
            .rev()
            .find(|(k, _)| k == "p")
            .map(|(_, v)| v)
            .ok_or_else(|| PhoneError::field("p"))?;
        let engine = st.engine.clone();
        let scan = run(move || engine.scan_text(&p, now())).await?;
        Ok::<_, PhoneError>(PlateAnswer {
            service_code: griddesk::station::service_code(
                griddesk::model::CaseKind::Component,
                &scan.component.class_code,
            ),
            component: scan.component,
        })
    }
    .await;
    answer(r)
}

#[derive(Serialize)]
struct CitizenReceipt {
    case_id: String,
    token: String,
    repeated: bool,
}

async fn citizen_report(State(st): State<StationState>, req: Request) -> Response {
    let address = req
        .extensions()
        .get::<ConnectInfo<crate::listen::Peer>>()
        .map(|c| c.0.addr.ip().to_string());
    let (parts, body) = req.into_parts();
    let r = async {
        let Some(key) = st.citizen_key.clone() else {
            return Err(PhoneError {
                status: StatusCode::SERVICE_UNAVAILABLE,
                kind: griddesk::ErrorKind::NotPermitted,
                message: Message::new(C::StationCitizenOff),
                retry_after: None,
            });
        };
        let form = form_of(&st, &parts.headers, body).await?;
        let device = form
            .get("device_id")
            .ok_or_else(|| PhoneError::field("device_id"))?
            .to_string();
        let engine = st.engine.clone();
        let client = run(move || engine.station_client(&key))
            .await?
            .ok_or_else(|| PhoneError {
                status: StatusCode::SERVICE_UNAVAILABLE,
                kind: griddesk::ErrorKind::NotPermitted,
                message: Message::new(C::StationCitizenOff),
                retry_after: None,
            })?;
        let intake = StationIntake {
            service_code: form
                .get("service_code")
                .ok_or_else(|| PhoneError::field("service_code"))?
                .to_string(),
            lon: coordinate(&form, "lon")?,
            lat: coordinate(&form, "lat")?,
            description: form.get("description").map(str::to_string),
            address: form.get("address").map(str::to_string),
            component: form.get("component_code").map(str::to_string),
            reporter: None,
            phone: form.get("phone").map(str::to_string),
            idempotency: idempotency(&form),
            photo: form.media.into_iter().next(),
        };
        let engine = st.engine.clone();
        run(move || engine.citizen_report(&client, &device, address.as_deref(), &intake, now()))
            .await
    }
    .await;
    match r {
        Ok(v) => json(&CitizenReceipt {
            case_id: v.case_id,
            token: v.token,
            repeated: v.repeated,
        }),
        Err(e) => e.into_response(),
    }
}

#[derive(Serialize)]
struct StatusAnswer {
    case_id: String,
    status: griddesk::model::CaseStatus,
    open: bool,
    service_name: Option<String>,
    description: Option<String>,
    requested_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
    agency: Option<String>,
}

async fn status(State(st): State<StationState>, Path(token): Path<String>) -> Response {
    let r = async {
        let engine = st.engine.clone();
        let t = token.trim().to_string();
        let found = run(move || {
            let Some(rep) = engine.station_report_by_token(&t)? else {
                return Ok(None);
            };
            let f = griddesk::station::StationReportFilter {
                case_ids: vec![rep.case_id],
                ..Default::default()
            };
            Ok(engine.station_cases(&f, None, 1)?.into_iter().next())
        })
        .await?;
        found.ok_or_else(|| PhoneError {
            status: StatusCode::NOT_FOUND,
            kind: griddesk::ErrorKind::NotFound,
            message: Message::new(C::StationBadField).text("field", "token"),
            retry_after: None,
        })
    }
    .await;
    match r {
        Ok(c) => json(&StatusAnswer {
            case_id: c.case_id,
            status: c.status,
            open: c.open,
            service_name: c.service_name,
            description: c.description,
            requested_at: c.requested_at,
            updated_at: c.updated_at,
            agency: c.agency,
        }),
        Err(e) => e.into_response(),
    }
}

/// A position as the phone sends it: its id, its patrol's id, the time it was taken (ms since
/// the epoch), WGS84 longitude and latitude, accuracy in metres.
#[derive(Deserialize)]
struct TrackPointWire {
    #[serde(default)]
    id: String,
    #[serde(default)]
    patrol: Option<String>,
    t: Option<i64>,
    lon: Option<f64>,
    lat: Option<f64>,
    #[serde(default)]
    acc: Option<f64>,
}

/// A batch of track points: whose track (the signed-in inspector's when absent) and the points.
#[derive(Deserialize)]
struct TrackBatch {
    #[serde(default)]
    login: Option<String>,
    points: Vec<TrackPointWire>,
}

fn track_point_bad(index: usize, field: &str) -> PhoneError {
    PhoneError {
        status: StatusCode::BAD_REQUEST,
        kind: griddesk::ErrorKind::InvalidInput,
        message: Message::new(C::TrackPointBad)
            .int("index", index as i64)
            .text("field", field),
        retry_after: None,
    }
}

/// `POST track`: a batch of the signed-in inspector's patrol track (docs/station.md, "Patrol
/// tracks"); each point once, however often it is sent.
async fn track(
    State(st): State<StationState>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Response {
    use chrono::TimeZone;
    let r = async {
        let s = session(&st, &headers).await?;
        let bytes = body_bytes(&st, body).await?;
        let batch: TrackBatch =
            serde_json::from_slice(&bytes).map_err(|_| PhoneError::field("points"))?;
        let mut points = Vec::with_capacity(batch.points.len().min(1000));
        for (i, p) in batch.points.into_iter().enumerate() {
            let n = i + 1;
            let at =
                p.t.and_then(|ms| chrono::Local.timestamp_millis_opt(ms).single())
                    .ok_or_else(|| track_point_bad(n, "t"))?
                    .naive_local();
            points.push(TrackPointIn {
                id: p.id,
                patrol: p.patrol,
                at,
                lon: p.lon.ok_or_else(|| track_point_bad(n, "lon"))?,
                lat: p.lat.ok_or_else(|| track_point_bad(n, "lat"))?,
                accuracy: p.acc,
            });
        }
        let login = batch.login.unwrap_or_else(|| s.login.clone());
        let engine = st.engine.clone();
        run(move || engine.record_track(&s, &login, &points, now())).await
    }
    .await;
    answer(r)
}

/// `GET track?day=YYYY-MM-DD`: the signed-in inspector's own track that day (today by default).
async fn own_track(
    State(st): State<StationState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let r = async {
        let s = session(&st, &headers).await?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(q.as_deref().unwrap_or(""))
            .map_err(|_| PhoneError::field("day"))?;
        let day = match pairs.into_iter().rev().find(|(k, _)| k == "day") {
            Some((_, d)) => chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
                .map_err(|_| PhoneError::field("day"))?,
            None => now().date(),
        };
        let engine = st.engine.clone();
        run(move || engine.patrol_track(&s, &s.login, day)).await
    }
    .await;
    answer(r)
}
