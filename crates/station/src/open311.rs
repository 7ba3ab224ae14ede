//! Open311 GeoReport v2 (<https://wiki.open311.org/GeoReport_v2>) over the engine's station
//! operations: `services`, `services/{code}`, `requests` (GET and POST), `requests/{id}`,
//! `tokens/{token}`, each as `.json` or `.xml`; errors as the spec's error list in the format
//! asked for, with its HTTP status.

use crate::body::{read_form, Form};
use crate::wire::{self, ApiErr, Errors, Posted, Request, Service, ServiceRequests, TokenAnswer};
use crate::StationState;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{Duration, NaiveDateTime, TimeZone};
use griddesk::model::CaseKind;
use griddesk::station::{
    parse_service_code, StationCase, StationIntake, StationReportFilter, StationService,
};
use serde::Serialize;

/// Most requests one `GET requests` returns.
pub const MAX_REQUESTS: usize = 1000;
/// The default and the longest date window of `GET requests`, days.
pub const WINDOW_DAYS: i64 = 90;

/// The two formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

/// An error for the client: HTTP status and the description of the spec's error list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub description: String,
}

impl ApiError {
    pub fn new(status: StatusCode, description: impl Into<String>) -> Self {
        Self {
            status,
            description: description.into(),
        }
    }
    pub fn bad(d: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, d)
    }
    pub fn not_found(d: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, d)
    }
    pub fn too_large(d: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, d)
    }
    fn internal(d: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, d)
    }

    /// The error list in `fmt`.
    pub fn render(&self, fmt: Format) -> Response {
        let list = Errors {
            error: vec![ApiErr {
                code: self.status.as_u16(),
                description: self.description.clone(),
            }],
        };
        let mut r = document(fmt, &list.error, "errors", &list);
        *r.status_mut() = self.status;
        r
    }
}

/// An engine error as the client sees it.
pub(crate) fn engine_error(e: griddesk::Error) -> ApiError {
    use griddesk::ErrorKind as K;
    let description = match &e {
        griddesk::Error::Refused { refusal, .. } => refusal.to_string(),
        other => other.to_string(),
    };
    let status = match e.kind() {
        K::InvalidInput | K::Refused | K::TopologyRefused => StatusCode::BAD_REQUEST,
        K::NotFound => StatusCode::NOT_FOUND,
        K::StoreReadOnly | K::StoreLocked => StatusCode::SERVICE_UNAVAILABLE,
        K::NotPermitted | K::SignInRefused => StatusCode::FORBIDDEN,
        K::Conflict => StatusCode::CONFLICT,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    ApiError::new(status, description)
}

/// The JSON value or the XML document under `root`.
fn document<J: Serialize, X: Serialize>(fmt: Format, json: &J, root: &str, xml: &X) -> Response {
    let out = match fmt {
        Format::Json => serde_json::to_string(json)
            .map(|b| ("application/json; charset=utf-8", b))
            .map_err(|e| e.to_string()),
        Format::Xml => wire::xml(root, xml)
            .map(|b| ("text/xml; charset=utf-8", b))
            .map_err(|e| e.to_string()),
    };
    match out {
        Ok((ctype, body)) => ([(header::CONTENT_TYPE, ctype)], body).into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the answer cannot be written: {e}"),
        )
            .into_response(),
    }
}

/// Splits `name.json` / `name.xml`; any other ending is refused (as JSON).
fn split_format(file: &str) -> Result<(&str, Format), ApiError> {
    if let Some(s) = file.strip_suffix(".json") {
        Ok((s, Format::Json))
    } else if let Some(s) = file.strip_suffix(".xml") {
        Ok((s, Format::Xml))
    } else {
        Err(ApiError::bad(format!(
            "`{file}`: the format must be .json or .xml"
        )))
    }
}

/// Runs engine work off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::internal(format!("the station's worker failed: {e}")))?
}

/// The query string's pairs.
fn query_pairs(q: Option<String>) -> Result<Vec<(String, String)>, ApiError> {
    serde_urlencoded::from_str(q.as_deref().unwrap_or(""))
        .map_err(|e| ApiError::bad(format!("the query string cannot be read: {e}")))
}

fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// `jurisdiction_id`: absent or empty is fine, the station's own is fine, any other is not found.
fn check_jurisdiction(st: &StationState, given: Option<&str>) -> Result<(), ApiError> {
    match given {
        None => Ok(()),
        Some(j) if st.jurisdiction.as_deref() == Some(j) => Ok(()),
        Some(j) => Err(ApiError::not_found(format!(
            "jurisdiction_id `{j}` was not found; this station serves {}",
            st.jurisdiction.as_deref().unwrap_or("no jurisdiction id")
        ))),
    }
}

/// The routes under `/open311/v2`.
pub fn routes(state: StationState) -> Router {
    Router::new()
        .route("/{file}", get(get_top).post(post_top))
        .route("/services/{file}", get(get_definition))
        .route("/requests/{file}", get(get_request))
        .route("/tokens/{file}", get(get_token))
        .with_state(state)
}

fn reply(fmt: Format, r: Result<Response, ApiError>) -> Response {
    r.unwrap_or_else(|e| e.render(fmt))
}

async fn get_top(
    State(st): State<StationState>,
    Path(file): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let (stem, fmt) = match split_format(&file) {
        Ok(x) => x,
        Err(e) => return e.render(Format::Json),
    };
    let r = match stem {
        "services" => services(st, q).await,
        "requests" => requests(st, q).await,
        _ => Err(ApiError::not_found(format!(
            "`{file}` is not an Open311 document"
        ))),
    };
    reply(fmt, r.map(|d| d.into_response_in(fmt)))
}

async fn post_top(
    State(st): State<StationState>,
    Path(file): Path<String>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Response {
    let (stem, fmt) = match split_format(&file) {
        Ok(x) => x,
        Err(e) => return e.render(Format::Json),
    };
    if stem != "requests" {
        return ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("`{file}` cannot be POSTed to; POST requests.{{json|xml}}"),
        )
        .render(fmt);
    }
    reply(
        fmt,
        post_request(st, headers, body)
            .await
            .map(|d| d.into_response_in(fmt)),
    )
}

async fn get_definition(
    State(st): State<StationState>,
    Path(file): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let (code, fmt) = match split_format(&file) {
        Ok(x) => x,
        Err(e) => return e.render(Format::Json),
    };
    let code = code.to_string();
    reply(
        fmt,
        definition(st, q, code)
            .await
            .map(|d| d.into_response_in(fmt)),
    )
}

async fn get_request(
    State(st): State<StationState>,
    Path(file): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let (id, fmt) = match split_format(&file) {
        Ok(x) => x,
        Err(e) => return e.render(Format::Json),
    };
    let id = id.trim().to_string();
    let r = async {
        let pairs = query_pairs(q)?;
        check_jurisdiction(&st, param(&pairs, "jurisdiction_id"))?;
        let engine = st.engine.clone();
        let key = id.clone();
        let found = blocking(move || {
            let f = StationReportFilter {
                case_ids: vec![key],
                ..Default::default()
            };
            engine.station_cases(&f, None, 1).map_err(engine_error)
        })
        .await?;
        if found.is_empty() {
            return Err(ApiError::not_found(format!(
                "service_request_id `{id}` was not found"
            )));
        }
        Ok(Doc::Requests(found.iter().map(request_of).collect()))
    }
    .await;
    reply(fmt, r.map(|d| d.into_response_in(fmt)))
}

async fn get_token(
    State(st): State<StationState>,
    Path(file): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let (token, fmt) = match split_format(&file) {
        Ok(x) => x,
        Err(e) => return e.render(Format::Json),
    };
    let token = token.trim().to_string();
    let r = async {
        let pairs = query_pairs(q)?;
        check_jurisdiction(&st, param(&pairs, "jurisdiction_id"))?;
        let engine = st.engine.clone();
        let t = token.clone();
        let found = blocking(move || engine.station_report_by_token(&t).map_err(engine_error))
            .await?
            .ok_or_else(|| ApiError::not_found(format!("token `{token}` was not found")))?;
        Ok(Doc::Tokens(vec![TokenAnswer {
            service_request_id: found.case_id,
            token: found.token,
        }]))
    }
    .await;
    reply(fmt, r.map(|d| d.into_response_in(fmt)))
}

/// A document to answer with.
enum Doc {
    Services(Vec<Service>),
    Definition(wire::Definition),
    Posted(Vec<Posted>),
    Requests(Vec<Request>),
    Tokens(Vec<TokenAnswer>),
}

impl Doc {
    fn into_response_in(self, fmt: Format) -> Response {
        match self {
            Doc::Services(s) => {
                let x = wire::Services { service: s };
                document(fmt, &x.service, "services", &x)
            }
            Doc::Definition(d) => document(fmt, &d, "service_definition", &d.xml()),
            Doc::Posted(p) => {
                let x = ServiceRequests { request: p };
                document(fmt, &x.request, "service_requests", &x)
            }
            Doc::Requests(r) => {
                let x = ServiceRequests { request: r };
                document(fmt, &x.request, "service_requests", &x)
            }
            Doc::Tokens(t) => {
                let x = ServiceRequests { request: t };
                document(fmt, &x.request, "service_requests", &x)
            }
        }
    }
}

fn service_of(s: &StationService) -> Service {
    Service {
        service_code: s.code.clone(),
        service_name: s.name.clone(),
        description: format!(
            "{} ▸ {}（CJ/T 214 {}类 {}）",
            s.major_name,
            s.name,
            s.kind.zh(),
            s.class_code
        ),
        metadata: s.kind == CaseKind::Component,
        kind: "realtime",
        keywords: format!("{},{},{}", s.class_code, s.name, s.major_name),
        group: s.major_name.clone(),
    }
}

async fn services(st: StationState, q: Option<String>) -> Result<Doc, ApiError> {
    let pairs = query_pairs(q)?;
    check_jurisdiction(&st, param(&pairs, "jurisdiction_id"))?;
    let engine = st.engine.clone();
    let list = blocking(move || Ok(engine.station_services())).await?;
    Ok(Doc::Services(list.iter().map(service_of).collect()))
}

async fn definition(st: StationState, q: Option<String>, code: String) -> Result<Doc, ApiError> {
    let pairs = query_pairs(q)?;
    check_jurisdiction(&st, param(&pairs, "jurisdiction_id"))?;
    let engine = st.engine.clone();
    let c = code.clone();
    let s = blocking(move || Ok(engine.station_service(&c)))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("service_code `{code}` was not found")))?;
    let attributes = match s.kind {
        CaseKind::Component => vec![wire::Attribute {
            variable: true,
            code: "component_code".into(),
            datatype: "string",
            required: false,
            datatype_description: "16-digit component code (部件编码), as on the component's QR plate"
                .into(),
            order: 1,
            description: "部件编码：扫描部件二维码牌或从部件清单中选取（可不填） / the component's code, if known"
                .into(),
            values: None,
        }],
        CaseKind::Event => vec![],
    };
    Ok(Doc::Definition(wire::Definition {
        service_code: s.code,
        attributes,
    }))
}

/// A station time in ISO 8601 with the station's UTC offset.
fn iso(t: NaiveDateTime) -> String {
    match chrono::Local.from_local_datetime(&t).earliest() {
        Some(z) => z.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        None => t.format("%Y-%m-%dT%H:%M:%S").to_string(),
    }
}

fn request_of(c: &StationCase) -> Request {
    Request {
        service_request_id: c.case_id.clone(),
        status: if c.open { "open" } else { "closed" },
        status_notes: format!("{}（{}）", c.status.zh(), c.status.key()),
        service_name: c.service_name.clone(),
        service_code: c.service_code.clone(),
        description: c.description.clone(),
        agency_responsible: c.agency.clone(),
        service_notice: None,
        requested_datetime: iso(c.requested_at),
        updated_datetime: iso(c.updated_at),
        expected_datetime: c.expected_at.map(iso),
        address: c.address.clone(),
        address_id: None,
        zipcode: None,
        lat: c.location[1],
        long: c.location[0],
        media_url: None,
    }
}

/// A date of a filter: ISO 8601 with an offset, or a station time without one.
fn parse_when(name: &str, v: &str) -> Result<NaiveDateTime, ApiError> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(v) {
        return Ok(t.with_timezone(&chrono::Local).naive_local());
    }
    for f in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(v, f) {
            return Ok(t);
        }
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        return Ok(d.and_time(chrono::NaiveTime::MIN));
    }
    Err(ApiError::bad(format!(
        "{name} `{v}` is not an ISO 8601 date and time"
    )))
}

/// `GET requests`: by ids (every other filter ignored), or by service codes, a window of at
/// most 90 days (the last 90 by default) and open/closed; newest first, at most 1000.
async fn requests(st: StationState, q: Option<String>) -> Result<Doc, ApiError> {
    let pairs = query_pairs(q)?;
    check_jurisdiction(&st, param(&pairs, "jurisdiction_id"))?;
    let mut f = StationReportFilter::default();
    let mut open = None;
    if let Some(ids) = param(&pairs, "service_request_id") {
        f.case_ids = ids
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        if f.case_ids.len() > MAX_REQUESTS {
            return Err(ApiError::bad(format!(
                "at most {MAX_REQUESTS} service_request_id values"
            )));
        }
    } else {
        if let Some(codes) = param(&pairs, "service_code") {
            for c in codes.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                let (kind, class) = parse_service_code(c).ok_or_else(|| {
                    ApiError::bad(format!("service_code `{c}` is not a service code"))
                })?;
                f.classes.push((kind, class.to_string()));
            }
        }
        let start = param(&pairs, "start_date")
            .map(|v| parse_when("start_date", v))
            .transpose()?;
        let end = param(&pairs, "end_date")
            .map(|v| parse_when("end_date", v))
            .transpose()?;
        let window = Duration::days(WINDOW_DAYS);
        let (from, to) = match (start, end) {
            (None, None) => (chrono::Local::now().naive_local() - window, None),
            (Some(s), None) => (s, Some(s + window)),
            (None, Some(e)) => (e - window, Some(e)),
            (Some(s), Some(e)) => {
                if e < s {
                    return Err(ApiError::bad("end_date is before start_date"));
                }
                if e - s > window {
                    return Err(ApiError::bad(format!(
                        "start_date to end_date spans more than {WINDOW_DAYS} days"
                    )));
                }
                (s, Some(e))
            }
        };
        f.from = Some(from);
        f.to = to;
        if let Some(s) = param(&pairs, "status") {
            let mut want = (false, false);
            for v in s.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                match v {
                    "open" => want.0 = true,
                    "closed" => want.1 = true,
                    other => {
                        return Err(ApiError::bad(format!(
                            "status `{other}` is neither open nor closed"
                        )))
                    }
                }
            }
            open = match want {
                (true, false) => Some(true),
                (false, true) => Some(false),
                _ => None,
            };
        }
    }
    let engine = st.engine.clone();
    let found = blocking(move || {
        engine
            .station_cases(&f, open, MAX_REQUESTS)
            .map_err(engine_error)
    })
    .await?;
    Ok(Doc::Requests(found.iter().map(request_of).collect()))
}

/// The reporter's name from `first_name` and `last_name` (姓 then 名 when Chinese).
fn reporter(form: &Form) -> Option<String> {
    let first = form.get("first_name");
    let last = form.get("last_name");
    let cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    match (first, last) {
        (Some(f), Some(l)) if cjk(f) || cjk(l) => Some(format!("{l}{f}")),
        (Some(f), Some(l)) => Some(format!("{f} {l}")),
        (Some(x), None) | (None, Some(x)) => Some(x.to_string()),
        (None, None) => None,
    }
}

fn coordinate(form: &Form, name: &str) -> Result<f64, ApiError> {
    let v = form
        .get(name)
        .ok_or_else(|| ApiError::bad(format!("{name} was not provided")))?;
    v.parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or_else(|| ApiError::bad(format!("{name} `{v}` is not a number")))
}

/// `POST requests`: checks the form, then the engine files the report.
async fn post_request(
    st: StationState,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Doc, ApiError> {
    let bytes = axum::body::to_bytes(body, st.max_body).await.map_err(|_| {
        ApiError::too_large(format!(
            "the request is larger than {} MB",
            st.max_body / (1024 * 1024)
        ))
    })?;
    let form = read_form(&headers, bytes, st.max_photo, 1).await?;
    check_jurisdiction(&st, form.get("jurisdiction_id"))?;
    let key = form
        .get("api_key")
        .ok_or_else(|| ApiError::new(StatusCode::FORBIDDEN, "api_key was not provided"))?
        .to_string();
    let engine = st.engine.clone();
    let client = blocking(move || engine.station_client(&key).map_err(engine_error))
        .await?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::FORBIDDEN,
                "api_key is invalid or revoked, or its account may no longer report",
            )
        })?;
    let code = form
        .get("service_code")
        .ok_or_else(|| ApiError::bad("service_code was not provided"))?
        .to_string();
    let (lat, long) = if form.get("lat").is_some() || form.get("long").is_some() {
        (coordinate(&form, "lat")?, coordinate(&form, "long")?)
    } else if form.get("address_string").is_some() || form.get("address_id").is_some() {
        return Err(ApiError::bad(
            "this station needs the place as lat and long: address_string and address_id alone cannot be located",
        ));
    } else {
        return Err(ApiError::bad(
            "the location was not provided: send lat and long",
        ));
    };
    let idempotency = match headers
        .get("idempotency-key")
        .map(|v| v.to_str().map(str::trim))
    {
        Some(Ok(k)) if !k.is_empty() => Some(format!("key:{k}")),
        Some(Err(_)) => return Err(ApiError::bad("the Idempotency-Key header is not text")),
        _ => match (form.get("device_id"), form.get("client_request_id")) {
            (Some(d), Some(c)) => Some(format!("device:{d}:{c}")),
            _ => None,
        },
    };
    let intake = StationIntake {
        service_code: code.clone(),
        lon: long,
        lat,
        description: form.get("description").map(str::to_string),
        address: form.get("address_string").map(str::to_string),
        component: form.get("attribute[component_code]").map(str::to_string),
        reporter: reporter(&form),
        phone: form.get("phone").map(str::to_string),
        photo: form.media.into_iter().next(),
        idempotency,
    };
    let engine = st.engine.clone();
    let receipt = blocking(move || {
        if engine.station_service(&intake.service_code).is_none() {
            return Err(ApiError::not_found(format!(
                "service_code `{}` was not found",
                intake.service_code
            )));
        }
        engine
            .station_report(&client, &intake, chrono::Local::now().naive_local())
            .map_err(engine_error)
    })
    .await?;
    Ok(Doc::Posted(vec![Posted {
        service_request_id: receipt.case_id,
        token: receipt.token,
        service_notice: "已收到，等待受理 / received, waiting for acceptance".into(),
        account_id: None,
    }]))
}
