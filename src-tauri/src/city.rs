//! The city view (docs/centre.md, "The city view"): a PostgreSQL/PostGIS centre opened by its
//! connection string (`--centre URL`, File ▸ 打开市级中心…) and shown read-only beside the
//! station's store, through [`griddesk::city::City`]. Its map tiles come through the same
//! `griddesk:` scheme (`/city/…`, `/city-labels/…`, its heatmap `/city-heat/<key>.png`,
//! [`crate::tiles`]); nothing here writes to the centre.

use crate::error::{blocking, invalid, ErrorDto, ShellErrorKind};
use crate::evaluation::{month, table_dto, TableDto};
use griddesk::analytics::heatmap::{HeatmapParams, LegendStop};
use griddesk::city::{City, CityFigures, CityOverview};
use griddesk::message::{Message, MessageCode as C};
use serde::Serialize;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use tauri::{AppHandle, Emitter, Manager, State};
use tokio::sync::watch;
use ts_rs::TS;

/// The centre the window shows, if any.
#[derive(Clone)]
enum CityState {
    /// No centre: the window shows the station's store.
    Off,
    Opening,
    Ready(Arc<City>),
    Failed(ErrorDto),
}

/// Shared state: the open centre and its heatmap rasters.
pub struct Cities {
    state: watch::Sender<CityState>,
    rasters: Mutex<VecDeque<(String, Vec<u8>)>>,
}

/// Heatmap PNGs kept for the map to fetch (the latest few).
const KEEP_RASTERS: usize = 8;

impl Default for Cities {
    fn default() -> Self {
        Self {
            state: watch::Sender::new(CityState::Off),
            rasters: Mutex::default(),
        }
    }
}

impl Cities {
    /// The open centre, if one is open.
    pub fn ready(&self) -> Option<Arc<City>> {
        match &*self.state.borrow() {
            CityState::Ready(c) => Some(Arc::clone(c)),
            _ => None,
        }
    }

    fn city(&self) -> Result<Arc<City>, ErrorDto> {
        self.ready()
            .ok_or_else(|| ErrorDto::shell(ShellErrorKind::NotReady, "no city centre is open"))
    }

    /// The PNG of `/city-heat/<key>.png`, if that path is a city heatmap's address.
    pub fn heat_png(&self, path: &str) -> Option<Result<Vec<u8>, String>> {
        let key = path.strip_prefix("/city-heat/")?.strip_suffix(".png")?;
        let found = self
            .rasters
            .lock()
            .ok()
            .and_then(|q| q.iter().find(|(k, _)| k == key).map(|(_, b)| b.clone()));
        Some(found.ok_or_else(|| format!("no city heatmap {key} (draw it again)")))
    }

    fn put_raster(&self, key: String, png: Vec<u8>) {
        if let Ok(mut q) = self.rasters.lock() {
            q.push_back((key, png));
            while q.len() > KEEP_RASTERS {
                q.pop_front();
            }
        }
    }
}

/// Opens the centre at `url` on a worker thread (at launch, `--centre`); the window learns the
/// outcome from `city_status`.
pub fn open_at_launch(app: &AppHandle, url: String) {
    let cities = app.state::<Cities>();
    cities.state.send_replace(CityState::Opening);
    let app = app.clone();
    let spawned = std::thread::Builder::new()
        .name("griddesk-city".into())
        .spawn(move || {
            let next = open(&url);
            app.state::<Cities>().state.send_replace(next);
        });
    if let Err(e) = spawned {
        eprintln!("griddesk: cannot start the centre thread: {e}");
    }
}

fn open(url: &str) -> CityState {
    let started = std::time::Instant::now();
    match City::open(url) {
        Ok(c) => {
            eprintln!(
                "griddesk: opened the city centre {} ({} districts) in {} ms",
                c.target(),
                c.overview().districts.len(),
                started.elapsed().as_millis()
            );
            CityState::Ready(Arc::new(c))
        }
        Err(e) => {
            eprintln!("griddesk: cannot open the city centre: {e}");
            CityState::Failed(e.into())
        }
    }
}

/// Where the city view is.
#[derive(Serialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CityStatusDto {
    /// No centre is open: the window shows the station's store.
    Off,
    Ready {
        overview: CityOverview,
    },
    Failed {
        #[ts(type = "import(\"../api\").ErrorDto")]
        error: ErrorDto,
    },
}

fn status_of(state: &CityState) -> CityStatusDto {
    match state {
        CityState::Off | CityState::Opening => CityStatusDto::Off,
        CityState::Ready(c) => CityStatusDto::Ready {
            overview: c.overview(),
        },
        CityState::Failed(error) => CityStatusDto::Failed {
            error: error.clone(),
        },
    }
}

/// Lets go of a centre on a thread of its own: the database client ends its connection by
/// blocking on a runtime of its own, which must not happen on the async runtime's threads.
fn drop_off_runtime(state: CityState) {
    if let CityState::Ready(city) = state {
        let spawned = std::thread::Builder::new()
            .name("griddesk-city-close".into())
            .spawn(move || drop(city));
        if let Err(e) = spawned {
            eprintln!("griddesk: cannot start the thread closing the centre: {e}");
        }
    }
}

/// The city view's state, once a centre named at launch has opened or failed.
#[tauri::command]
pub async fn city_status(cities: State<'_, Cities>) -> Result<CityStatusDto, ErrorDto> {
    let mut rx = cities.state.subscribe();
    let settled = rx
        .wait_for(|s| !matches!(s, CityState::Opening))
        .await
        .map(|s| status_of(&s))
        .unwrap_or(CityStatusDto::Off);
    Ok(settled)
}

/// Opens the centre at `url` (File ▸ 打开市级中心…) and makes it the window's view; the window
/// starts over on it (event `city-changed`). A centre that fails leaves the view as it was.
#[tauri::command]
pub async fn city_open(app: AppHandle, url: String) -> Result<CityOverview, ErrorDto> {
    let url = url.trim().to_string();
    if url.is_empty() {
        return Err(invalid(
            Message::new(C::CentreUnreachable)
                .text("target", "")
                .en("no connection string given"),
        ));
    }
    let next = blocking(move || open(&url)).await?;
    match next {
        CityState::Ready(c) => {
            let overview = c.overview();
            let old = app
                .state::<Cities>()
                .state
                .send_replace(CityState::Ready(c));
            drop_off_runtime(old);
            if let Err(e) = app.emit("city-changed", ()) {
                eprintln!("griddesk: cannot notify the window (city-changed): {e}");
            }
            Ok(overview)
        }
        CityState::Failed(e) => Err(e),
        CityState::Off | CityState::Opening => Err(ErrorDto::shell(
            ShellErrorKind::NotReady,
            "the centre did not open",
        )),
    }
}

/// Closes the city view: the window goes back to the station's store.
#[tauri::command]
pub async fn city_close(app: AppHandle) -> Result<(), ErrorDto> {
    let old = app.state::<Cities>().state.send_replace(CityState::Off);
    drop_off_runtime(old);
    if let Err(e) = app.emit("city-changed", ()) {
        eprintln!("griddesk: cannot notify the window (city-changed): {e}");
    }
    Ok(())
}

/// Every district's statistics and the whole city's (last row), open and overdue judged now.
#[tauri::command]
pub async fn city_statistics(cities: State<'_, Cities>) -> Result<Vec<CityFigures>, ErrorDto> {
    let city = cities.city()?;
    let at = griddesk::analytics::now_minute();
    Ok(blocking(move || city.statistics(at)).await??)
}

/// The evaluation of the month `period` (`YYYY-MM`) across districts, one row per district,
/// as the evaluation pane's tables are shown.
#[tauri::command]
pub async fn city_evaluation(
    cities: State<'_, Cities>,
    period: String,
) -> Result<TableDto, ErrorDto> {
    let city = cities.city()?;
    let p = month(&period)?;
    let cfg_min = blocking({
        let city = Arc::clone(&city);
        move || city.evaluation_config().map(|c| c.min_sample)
    })
    .await??;
    let table = blocking(move || city.evaluation(&p)).await??;
    Ok(table_dto(&table, period.trim(), cfg_min))
}

/// A city heatmap ready to draw: where its PNG is and where it goes.
#[derive(Serialize, TS)]
pub struct CityHeatmapDto {
    /// `griddesk://localhost/city-heat/<key>.png`.
    key: String,
    /// Top-left, top-right, bottom-right, bottom-left, lon/lat (a MapLibre image source).
    corners: [[f64; 2]; 4],
    cases: usize,
    /// Peak density, cases per km².
    max: f32,
    legend: Vec<LegendStop>,
}

/// The case heatmap of one district, or of the whole city (`district` null).
#[tauri::command]
pub async fn city_heatmap(
    cities: State<'_, Cities>,
    district: Option<String>,
    bandwidth_m: f64,
    size: usize,
) -> Result<CityHeatmapDto, ErrorDto> {
    if !(bandwidth_m.is_finite() && (10.0..=5000.0).contains(&bandwidth_m)) {
        return Err(invalid(
            Message::new(C::BandwidthRange)
                .length("bandwidth", bandwidth_m)
                .length("min", 10.0)
                .length("max", 5000.0)
                .en(format!("bandwidth {bandwidth_m} m is outside 10–5000 m")),
        ));
    }
    let size = size.clamp(64, 1024);
    let city = cities.city()?;
    let generation = city.overview().generation;
    let d = district.clone();
    let hm = blocking(move || {
        city.heatmap(
            d.as_deref(),
            &HeatmapParams {
                width: size,
                height: size,
                bandwidth_m,
                ..HeatmapParams::default()
            },
        )
    })
    .await??;
    let png = hm.png(None)?;
    let key = format!(
        "{generation}-{}-{}-{size}",
        district.as_deref().unwrap_or("all"),
        bandwidth_m.round()
    );
    cities.put_raster(key.clone(), png);
    Ok(CityHeatmapDto {
        key,
        corners: hm.corners,
        cases: hm.cases,
        max: hm.max,
        legend: hm.legend(None),
    })
}

/// Takes `--centre URL` / `--centre=URL` out of the command line (the rest is the station's).
pub fn take_centre_arg(args: Vec<String>) -> (Option<String>, Vec<String>) {
    let mut url = None;
    let mut rest = Vec::with_capacity(args.len());
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        if a == "--centre" {
            match it.next() {
                Some(u) => url = Some(u),
                None => rest.push("--centre (missing URL)".into()),
            }
        } else if let Some(u) = a.strip_prefix("--centre=") {
            url = Some(u.to_string());
        } else {
            rest.push(a);
        }
    }
    (url, rest)
}

/// The line `--help` adds for the city view.
pub const USAGE: &str = "\
  --centre URL   also open a city centre (PostgreSQL/PostGIS connection string, e.g.
                 postgresql://user@host:5432/griddesk) and show its read-only city view
                 (also: File ▸ 打开市级中心…)";

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_centre_argument_is_taken_out() {
        let (u, rest) = take_centre_arg(args(&["--centre", "postgresql://x/y", "--db", "a"]));
        assert_eq!(u.as_deref(), Some("postgresql://x/y"));
        assert_eq!(rest, args(&["--db", "a"]));
        let (u, rest) = take_centre_arg(args(&["--centre=host=/tmp dbname=g"]));
        assert_eq!(u.as_deref(), Some("host=/tmp dbname=g"));
        assert!(rest.is_empty());
        let (u, rest) = take_centre_arg(args(&["--centre"]));
        assert_eq!(u, None);
        assert_eq!(rest, args(&["--centre (missing URL)"]));
    }
}
