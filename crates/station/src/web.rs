//! The phone pages' files (docs/station.md, "Phones"): read once from the folder the station
//! was started with (the Vite build of `ui/phone/`) into memory, and served from there, so no
//! path from a request ever reaches the file system.

use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;
use std::path::Path;

/// What the pages may load: only the station's own files and answers (no CDN, no inline
/// scripts); photos shown from the phone's own blobs; the map's worker from the station.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' blob: data:; worker-src 'self' blob:; connect-src 'self'; object-src 'none'; \
    base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// Largest file and largest folder read.
const MAX_FILE: u64 = 8 * 1024 * 1024;
const MAX_TOTAL: u64 = 64 * 1024 * 1024;

/// The files by their path under the folder (`m/index.html`, `assets/m-1a2b.js`).
#[derive(Debug, Default)]
pub struct Pages {
    files: HashMap<String, (&'static str, bytes::Bytes)>,
}

/// Why the pages could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PagesError {
    #[error("cannot read the phone pages in {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} holds no phone pages (m/index.html and c/index.html): build them with `npx vite build --config vite.phone.config.ts` in ui/")]
    Missing { path: String },
    #[error("the phone pages in {path} are larger than {MAX_TOTAL} bytes")]
    TooLarge { path: String },
}

fn mime(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "json" => "application/json",
        "woff2" => "font/woff2",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}

impl Pages {
    /// Reads every file under `dir`.
    pub fn load(dir: &Path) -> Result<Self, PagesError> {
        let shown = dir.display().to_string();
        let err = |source| PagesError::Read {
            path: shown.clone(),
            source,
        };
        let mut files = HashMap::new();
        let mut total = 0u64;
        let mut todo = vec![(dir.to_path_buf(), String::new())];
        while let Some((path, prefix)) = todo.pop() {
            for entry in std::fs::read_dir(&path).map_err(err)? {
                let entry = entry.map_err(err)?;
                let name = entry.file_name().to_string_lossy().to_string();
                let kind = entry.file_type().map_err(err)?;
                let rel = format!("{prefix}{name}");
                if kind.is_dir() {
                    todo.push((entry.path(), format!("{rel}/")));
                } else if kind.is_file() {
                    let len = entry.metadata().map_err(err)?.len();
                    if len > MAX_FILE {
                        continue;
                    }
                    total += len;
                    if total > MAX_TOTAL {
                        return Err(PagesError::TooLarge { path: shown });
                    }
                    let bytes = std::fs::read(entry.path()).map_err(err)?;
                    files.insert(rel.clone(), (mime(&rel), bytes::Bytes::from(bytes)));
                }
            }
        }
        if !files.contains_key("m/index.html") || !files.contains_key("c/index.html") {
            return Err(PagesError::Missing { path: shown });
        }
        Ok(Self { files })
    }

    /// Whether any page is served.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The answer to a GET of `uri`: a file, the app's page for its folder, or 404.
    pub fn answer(&self, uri: &Uri) -> Response {
        let path = uri.path();
        if path == "/m" || path == "/c" || path == "/ca" {
            return Redirect::permanent(&format!("{path}/")).into_response();
        }
        let key = match path.strip_prefix('/') {
            Some("m/") | Some("c/") | Some("ca/") => format!("{}index.html", &path[1..]),
            Some(k) => k.to_string(),
            None => String::new(),
        };
        match self.files.get(&key) {
            Some((ctype, body)) => {
                // Built file names carry a content hash: they may be kept; the pages may not.
                let cache = if key.starts_with("assets/") {
                    "public, max-age=31536000, immutable"
                } else {
                    "no-cache"
                };
                (
                    [
                        (header::CONTENT_TYPE, *ctype),
                        (header::CACHE_CONTROL, cache),
                        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
                        (header::REFERRER_POLICY, "no-referrer"),
                        (header::CONTENT_SECURITY_POLICY, CSP),
                    ],
                    body.clone(),
                )
                    .into_response()
            }
            None => (
                StatusCode::NOT_FOUND,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                if self.files.is_empty() {
                    "本站未提供手机页面 / this station serves no phone pages"
                } else {
                    "未找到 / not found"
                },
            )
                .into_response(),
        }
    }
}

/// Where a phone downloads the station's authority certificate to install it.
pub const CA_CERT_PATH: &str = "/ca/griddesk-station-ca.crt";

/// What `/ca/info.json` says: whether the station serves HTTPS and what to compare.
#[derive(Debug, serde::Serialize)]
struct CaInfo<'a> {
    https: bool,
    /// The authority certificate's SHA-256 fingerprint.
    fingerprint: Option<&'a str>,
    /// The names and addresses the station's certificate is valid for.
    names: &'a [String],
    certificate: &'static str,
}

/// The certificate page's data and the certificate itself (docs/station.md, "HTTPS"): served
/// over plain HTTP too, since that is how a phone without the certificate arrives. Without
/// HTTPS `/ca/info.json` says so and the certificate is 404.
pub fn ca_routes(tls: Option<std::sync::Arc<crate::tls::StationTls>>) -> axum::Router {
    use axum::routing::get;
    let t2 = tls.clone();
    axum::Router::new()
        .route(
            "/ca/info.json",
            get(move || {
                let tls = tls.clone();
                async move {
                    let info = CaInfo {
                        https: tls.is_some(),
                        fingerprint: tls.as_deref().map(|t| t.fingerprint()),
                        names: tls.as_deref().map_or(&[][..], |t| t.names()),
                        certificate: CA_CERT_PATH,
                    };
                    (
                        [
                            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
                            (header::CACHE_CONTROL, "no-cache"),
                        ],
                        serde_json::to_string(&info).unwrap_or_default(),
                    )
                        .into_response()
                }
            }),
        )
        .route(
            CA_CERT_PATH,
            get(move || {
                let tls = t2.clone();
                async move {
                    match tls {
                        Some(t) => (
                            [
                                // The type phones install a certificate authority from.
                                (header::CONTENT_TYPE, "application/x-x509-ca-cert"),
                                (
                                    header::CONTENT_DISPOSITION,
                                    "attachment; filename=\"griddesk-station-ca.crt\"",
                                ),
                                (header::CACHE_CONTROL, "no-cache"),
                            ],
                            t.ca_der().to_vec(),
                        )
                            .into_response(),
                        None => (
                            StatusCode::NOT_FOUND,
                            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                            "本站未开启 HTTPS / this station does not serve HTTPS",
                        )
                            .into_response(),
                    }
                }
            }),
        )
}
