//! The `griddesk:` URI scheme: map tiles from the engine (and analytics heatmap PNGs, see
//! [`crate::analytics`]), answered off the main thread.
//!
//! `griddesk://localhost/tiles/{generation}/{z}/{x}/{y}.pbf` (on Windows
//! `http://griddesk.localhost/...`) returns an uncompressed Mapbox Vector Tile with every layer
//! but the labels, and `.../labels/{generation}/{z}/{x}/{y}.pbf` the `labels` layer (the map's
//! two sources, see [`griddesk::tiles::TilePart`]). A malformed or
//! out-of-range address is a 400 with a plain-text reason, never a panic. Every tile's time is
//! recorded for `tile_stats`, and printed to stderr when `GRIDDESK_TILE_LOG=1`.

use crate::store::Store;
use griddesk::tiles::TilePart;
use serde::Serialize;
use std::sync::Mutex;
use std::time::Instant;
use tauri::http::{header, Request, Response, StatusCode};
use tauri::{AppHandle, Manager, UriSchemeContext, UriSchemeResponder};
use ts_rs::TS;

pub const SCHEME: &str = "griddesk";

/// Keep at most this many timings (a long session pans through many thousand tiles).
const MAX_SAMPLES: usize = 200_000;

/// Per-tile service times of this session.
pub struct TileTimes {
    samples_ms: Mutex<Vec<f64>>,
    log: bool,
}

/// Summary of [`TileTimes`], in milliseconds.
#[derive(Debug, Clone, Default, Serialize, PartialEq, TS)]
pub struct TileStatsDto {
    pub count: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
}

impl TileTimes {
    pub fn new() -> Self {
        let log = std::env::var("GRIDDESK_TILE_LOG").is_ok_and(|v| !v.is_empty() && v != "0");
        Self {
            samples_ms: Mutex::new(Vec::new()),
            log,
        }
    }

    fn record(&self, ms: f64) {
        if let Ok(mut s) = self.samples_ms.lock() {
            if s.len() < MAX_SAMPLES {
                s.push(ms);
            }
        }
    }

    pub fn reset(&self) {
        if let Ok(mut s) = self.samples_ms.lock() {
            s.clear();
        }
    }

    pub fn summary(&self) -> TileStatsDto {
        let mut s = match self.samples_ms.lock() {
            Ok(s) => s.clone(),
            Err(_) => return TileStatsDto::default(),
        };
        summarize(&mut s)
    }
}

fn summarize(samples: &mut [f64]) -> TileStatsDto {
    if samples.is_empty() {
        return TileStatsDto::default();
    }
    samples.sort_by(f64::total_cmp);
    let n = samples.len();
    // Nearest-rank percentile.
    let pct = |p: f64| samples[((p / 100.0 * n as f64).ceil() as usize).clamp(1, n) - 1];
    TileStatsDto {
        count: n,
        p50_ms: pct(50.0),
        p95_ms: pct(95.0),
        p99_ms: pct(99.0),
        max_ms: samples[n - 1],
        mean_ms: samples.iter().sum::<f64>() / n as f64,
    }
}

/// Which tile a path asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// A part of the base tiles.
    Base(TilePart),
    /// The street registers' tile (objects, frontages, vending zones).
    Registers,
    /// A part of the city view's tiles: every district of the open centre (`crate::city`).
    City(TilePart),
}

/// A tile address from a request path.
#[derive(Debug, PartialEq, Eq)]
struct TileAddress {
    z: u32,
    x: u32,
    y: u32,
    part: Source,
}

/// Parses `/tiles/{generation}/{z}/{x}/{y}.pbf`, `/labels/{generation}/{z}/{x}/{y}.pbf` or
/// `/registers/{stamp}/{z}/{x}/{y}.pbf` (the generation or stamp is ignored here; it only keeps
/// the web view from reusing another store's or an older state's tiles).
/// `Err` carries the 400 message.
fn parse_tile_path(path: &str) -> Option<Result<TileAddress, String>> {
    let (prefix, part, rest) = [
        ("/tiles/", Source::Base(TilePart::Features)),
        ("/labels/", Source::Base(TilePart::Labels)),
        ("/registers/", Source::Registers),
        ("/city/", Source::City(TilePart::Features)),
        ("/city-labels/", Source::City(TilePart::Labels)),
    ]
    .into_iter()
    .find_map(|(p, part)| path.strip_prefix(p).map(|rest| (p, part, rest)))?;
    let parts: Vec<&str> = rest.split('/').collect();
    let [_generation, z, x, y] = parts.as_slice() else {
        return Some(Err(format!(
            "bad tile path `{path}`: expected {prefix}<generation>/<z>/<x>/<y>.pbf"
        )));
    };
    let y = y.strip_suffix(".pbf").unwrap_or(y);
    let num = |name: &str, v: &str| {
        v.parse::<u32>()
            .map_err(|_| format!("bad tile address: {name} = `{v}` is not a non-negative integer"))
    };
    Some((|| {
        Ok(TileAddress {
            z: num("z", z)?,
            x: num("x", x)?,
            y: num("y", y)?,
            part,
        })
    })())
}

/// The page origins the tile scheme answers (never `*`): the app's own window on each platform
/// (`tauri://localhost` on Linux and macOS, `http(s)://tauri.localhost` on Windows), and in a
/// debug build the Vite dev server on the loopback. Any other page gets no CORS header, so a
/// web page elsewhere cannot read the store's tiles.
pub fn allowed_origin(origin: Option<&str>) -> Option<&str> {
    let o = origin?;
    let app = matches!(
        o,
        "tauri://localhost" | "http://tauri.localhost" | "https://tauri.localhost"
    );
    let dev = cfg!(debug_assertions)
        && (o.starts_with("http://localhost:") || o.starts_with("http://127.0.0.1:"));
    (app || dev).then_some(o)
}

fn builder(status: StatusCode, origin: Option<&str>) -> tauri::http::response::Builder {
    let b = Response::builder()
        .status(status)
        .header(header::VARY, "Origin");
    match allowed_origin(origin) {
        Some(o) => b.header(header::ACCESS_CONTROL_ALLOW_ORIGIN, o),
        None => b,
    }
}

fn plain(
    status: StatusCode,
    origin: Option<&str>,
    message: impl Into<String>,
) -> Response<Vec<u8>> {
    let body: String = message.into();
    builder(status, origin)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(body.into_bytes())
        .unwrap_or_default()
}

fn answer(app: &AppHandle, path: &str, origin: Option<&str>) -> Response<Vec<u8>> {
    let plain = |status, message: String| plain(status, origin, message);
    if let Some(png) = crate::analytics::heatmap_png(app, path) {
        return match png {
            Ok(bytes) => builder(StatusCode::OK, origin)
                .header(header::CONTENT_TYPE, "image/png")
                .body(bytes)
                .unwrap_or_default(),
            Err(message) => plain(StatusCode::NOT_FOUND, message),
        };
    }
    if let Some(png) = app.state::<crate::city::Cities>().heat_png(path) {
        return match png {
            Ok(bytes) => builder(StatusCode::OK, origin)
                .header(header::CONTENT_TYPE, "image/png")
                .body(bytes)
                .unwrap_or_default(),
            Err(message) => plain(StatusCode::NOT_FOUND, message),
        };
    }
    if let Some(rest) = path.strip_prefix("/basemap/") {
        return basemap_tile(app, rest, origin);
    }
    let address = match parse_tile_path(path) {
        None => return plain(StatusCode::NOT_FOUND, format!("no such resource: {path}")),
        Some(Err(message)) => return plain(StatusCode::BAD_REQUEST, message),
        Some(Ok(a)) => a,
    };
    if let Source::City(part) = address.part {
        let Some(city) = app.state::<crate::city::Cities>().ready() else {
            return plain(
                StatusCode::SERVICE_UNAVAILABLE,
                "no city centre is open".into(),
            );
        };
        let result = city.tile_part(address.z, address.x, address.y, part);
        return match result {
            Ok(bytes) => builder(StatusCode::OK, origin)
                .header(header::CONTENT_TYPE, "application/vnd.mapbox-vector-tile")
                .header(header::CACHE_CONTROL, "no-store")
                .body(bytes)
                .unwrap_or_default(),
            Err(e) if e.kind() == griddesk::ErrorKind::BadTile => {
                plain(StatusCode::BAD_REQUEST, e.to_string())
            }
            Err(e) => {
                eprintln!("griddesk: city tile {path} failed: {e}");
                plain(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
            }
        };
    }
    let Some(loaded) = app.state::<Store>().ready() else {
        return plain(StatusCode::SERVICE_UNAVAILABLE, "no store is open".into());
    };
    let times = app.state::<TileTimes>();
    let started = Instant::now();
    let result = match address.part {
        Source::Base(part) => loaded
            .engine
            .tile_part(address.z, address.x, address.y, part),
        Source::Registers => loaded.engine.register_tile(address.z, address.x, address.y),
        Source::City(_) => {
            return plain(StatusCode::NOT_FOUND, format!("no such resource: {path}"))
        }
    };
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    match result {
        Ok(bytes) => {
            times.record(ms);
            if times.log {
                eprintln!(
                    "tile {:?} {}/{}/{} {} B {:.2} ms",
                    address.part,
                    address.z,
                    address.x,
                    address.y,
                    bytes.len(),
                    ms
                );
            }
            builder(StatusCode::OK, origin)
                .header(header::CONTENT_TYPE, "application/vnd.mapbox-vector-tile")
                // Imports change tiles under the same URL; MapLibre keeps its own tile cache.
                .header(header::CACHE_CONTROL, "no-store")
                .body(bytes)
                .unwrap_or_default()
        }
        Err(e) if e.kind() == griddesk::ErrorKind::BadTile => {
            plain(StatusCode::BAD_REQUEST, e.to_string())
        }
        Err(e) => {
            eprintln!("griddesk: tile {path} failed: {e}");
            plain(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
        }
    }
}

/// `/basemap/{id}/{z}/{x}/{y}`: a tile of an installed basemap, vector or raster, uncompressed.
/// A tile the package does not hold is `204 No Content` (MapLibre draws nothing there).
fn basemap_tile(app: &AppHandle, rest: &str, origin: Option<&str>) -> Response<Vec<u8>> {
    let parts: Vec<&str> = rest.split('/').collect();
    let [id, z, x, y] = parts.as_slice() else {
        return plain(
            StatusCode::BAD_REQUEST,
            origin,
            format!("bad basemap tile path `/basemap/{rest}`: expected /basemap/<id>/<z>/<x>/<y>"),
        );
    };
    let y = y.split('.').next().unwrap_or(y);
    let (Ok(z), Ok(x), Ok(y)) = (z.parse::<u32>(), x.parse::<u32>(), y.parse::<u32>()) else {
        return plain(
            StatusCode::BAD_REQUEST,
            origin,
            format!("bad basemap tile address `{rest}`"),
        );
    };
    let Some(loaded) = app.state::<Store>().ready() else {
        return plain(StatusCode::SERVICE_UNAVAILABLE, origin, "no store is open");
    };
    let times = app.state::<TileTimes>();
    let started = Instant::now();
    let result = loaded.engine.basemap_tile(id, z, x, y);
    times.record(started.elapsed().as_secs_f64() * 1000.0);
    match result {
        Ok(Some(t)) => builder(StatusCode::OK, origin)
            .header(header::CONTENT_TYPE, t.format.content_type())
            .header(header::CACHE_CONTROL, "no-store")
            .body(t.bytes)
            .unwrap_or_default(),
        Ok(None) => builder(StatusCode::NO_CONTENT, origin)
            .body(Vec::new())
            .unwrap_or_default(),
        Err(e) if e.kind() == griddesk::ErrorKind::BadTile => {
            plain(StatusCode::BAD_REQUEST, origin, e.to_string())
        }
        Err(e) if e.kind() == griddesk::ErrorKind::NotFound => {
            plain(StatusCode::NOT_FOUND, origin, e.to_string())
        }
        Err(e) => {
            eprintln!("griddesk: basemap tile /basemap/{rest} failed: {e}");
            plain(StatusCode::INTERNAL_SERVER_ERROR, origin, e.to_string())
        }
    }
}

/// The scheme handler: hands the request to the blocking pool and answers from there.
pub fn handle(
    ctx: UriSchemeContext<'_, tauri::Wry>,
    request: Request<Vec<u8>>,
    responder: UriSchemeResponder,
) {
    let app = ctx.app_handle().clone();
    let path = request.uri().path().to_string();
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    tauri::async_runtime::spawn_blocking(move || {
        responder.respond(answer(&app, &path, origin.as_deref()))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_apps_own_window_may_read_tiles() {
        assert_eq!(
            allowed_origin(Some("tauri://localhost")),
            Some("tauri://localhost")
        );
        assert_eq!(
            allowed_origin(Some("http://tauri.localhost")),
            Some("http://tauri.localhost")
        );
        assert_eq!(allowed_origin(Some("https://evil.example")), None);
        assert_eq!(allowed_origin(Some("null")), None);
        assert_eq!(allowed_origin(None), None);
        // The Vite dev server only in a debug build.
        assert_eq!(
            allowed_origin(Some("http://localhost:1420")).is_some(),
            cfg!(debug_assertions)
        );
    }

    #[test]
    fn tile_paths_parse() {
        assert_eq!(
            parse_tile_path("/tiles/1/15/27512/13547.pbf"),
            Some(Ok(TileAddress {
                z: 15,
                x: 27512,
                y: 13547,
                part: Source::Base(TilePart::Features),
            }))
        );
        assert_eq!(
            parse_tile_path("/labels/7-e2/13/6877/3386.pbf"),
            Some(Ok(TileAddress {
                z: 13,
                x: 6877,
                y: 3386,
                part: Source::Base(TilePart::Labels),
            }))
        );
        assert!(
            matches!(parse_tile_path("/labels/1/3.pbf"), Some(Err(m)) if m.contains("/labels/<generation>"))
        );
        assert_eq!(
            parse_tile_path("/registers/3-17/16/55045/27090.pbf"),
            Some(Ok(TileAddress {
                z: 16,
                x: 55045,
                y: 27090,
                part: Source::Registers,
            }))
        );
        assert_eq!(
            parse_tile_path("/city-labels/4/14/13758/6773.pbf"),
            Some(Ok(TileAddress {
                z: 14,
                x: 13758,
                y: 6773,
                part: Source::City(TilePart::Labels),
            }))
        );
        assert!(
            matches!(parse_tile_path("/city/4/x/1/2.pbf"), Some(Err(m)) if m.contains("z = `x`"))
        );
        assert_eq!(parse_tile_path("/glyphs/x"), None);
        assert!(
            matches!(parse_tile_path("/tiles/1/a/2/3.pbf"), Some(Err(m)) if m.contains("z = `a`"))
        );
        assert!(
            matches!(parse_tile_path("/tiles/1/3/-1/3.pbf"), Some(Err(m)) if m.contains("x = `-1`"))
        );
        assert!(matches!(parse_tile_path("/tiles/1/3.pbf"), Some(Err(_))));
    }

    #[test]
    fn percentiles_use_nearest_rank() {
        let mut v: Vec<f64> = (1..=100).map(f64::from).collect();
        let s = summarize(&mut v);
        assert_eq!(s.count, 100);
        assert_eq!(s.p50_ms, 50.0);
        assert_eq!(s.p95_ms, 95.0);
        assert_eq!(s.max_ms, 100.0);
        assert_eq!(summarize(&mut []), TileStatsDto::default());
    }
}
