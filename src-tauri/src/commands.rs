//! Commands the web view may call (each is also listed in `build.rs` and allowed in
//! `capabilities/main.json`). They convert engine answers to DTOs and engine errors to
//! [`ErrorDto`]; nothing here knows about grids beyond passing arguments through.

use crate::error::ErrorDto;
use crate::menu::{self, Lang, LayerItem, MenuLang};
use crate::store::{OpenMode, Store, StoreState};
use crate::tiles::{TileStatsDto, TileTimes};
use griddesk::engine::{GridInfo, Overview, SearchHit};
use serde::Serialize;
use tauri::{AppHandle, Manager, State};
use ts_rs::TS;

/// Upper bound on search results, whatever the UI asks for.
const MAX_SEARCH_HITS: usize = 50;

/// Process start, for launch-time measurements.
pub struct Launched(pub std::time::Instant);

/// The store the window shows, once it has opened or failed.
#[derive(Serialize, TS)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum StoreStatusDto {
    Ready {
        path: String,
        seeded: bool,
        /// Goes into tile URLs; changes whenever another store is opened.
        generation: u64,
        overview: Overview,
        /// Extent of the active unit grids (where the map opens); `null` without grids.
        grids_bbox: Option<[f64; 4]>,
        /// Opened read-only (asked for, or read-only media): nothing can change.
        read_only: bool,
    },
    Failed {
        path: String,
        /// Hand-written on the TypeScript side for now (`ui/src/api.ts`).
        #[ts(type = "import(\"../api\").ErrorDto")]
        error: ErrorDto,
        /// The process will end with this status when the window closes (non-zero when the
        /// store named at launch could not be opened).
        exit_code: i32,
    },
}

#[tauri::command]
pub async fn store_status(store: State<'_, Store>) -> Result<StoreStatusDto, ErrorDto> {
    Ok(match store.settled().await {
        StoreState::Ready(loaded) => StoreStatusDto::Ready {
            path: loaded.path.display().to_string(),
            seeded: loaded.seeded,
            generation: loaded.generation,
            overview: loaded.engine.overview(),
            grids_bbox: loaded.grids_bbox,
            read_only: loaded.engine.is_read_only(),
        },
        StoreState::Failed { path, error } => StoreStatusDto::Failed {
            path: path.display().to_string(),
            error,
            exit_code: store.exit_code(),
        },
        StoreState::Opening => return Err(ErrorDto::not_ready()),
    })
}

#[tauri::command]
pub async fn overview(store: State<'_, Store>) -> Result<Overview, ErrorDto> {
    Ok(store.engine()?.engine.overview())
}

/// The code of the grid containing a point, or `null` outside every grid.
#[tauri::command]
pub async fn grid_at(
    store: State<'_, Store>,
    lon: f64,
    lat: f64,
) -> Result<Option<String>, ErrorDto> {
    if !lon.is_finite() || !lat.is_finite() {
        return Ok(None);
    }
    Ok(store
        .engine()?
        .engine
        .grid_at(lon, lat)
        .map(|c| c.as_str().to_string()))
}

#[tauri::command]
pub async fn grid_info(store: State<'_, Store>, code: String) -> Result<GridInfo, ErrorDto> {
    Ok(store.engine()?.engine.grid_info(&code)?)
}

#[tauri::command]
pub async fn search(
    store: State<'_, Store>,
    query: String,
    limit: usize,
) -> Result<Vec<SearchHit>, ErrorDto> {
    Ok(store
        .engine()?
        .engine
        .search(query.trim(), limit.clamp(1, MAX_SEARCH_HITS)))
}

/// Tile service times so far; `reset` starts a new measurement after reading.
#[tauri::command]
pub async fn tile_stats(
    times: State<'_, TileTimes>,
    reset: Option<bool>,
) -> Result<TileStatsDto, ErrorDto> {
    let summary = times.summary();
    if reset == Some(true) {
        times.reset();
    }
    Ok(summary)
}

#[derive(Serialize, TS)]
pub struct AppInfoDto {
    name: &'static str,
    version: &'static str,
    /// Milliseconds since the process started.
    uptime_ms: f64,
    store_path: Option<String>,
}

/// What SQLite's quick check found in the open store's file.
#[derive(Debug, Serialize, TS)]
pub struct StoreHealthDto {
    pub ok: bool,
    /// `ok`, or SQLite's first findings.
    pub detail: String,
    pub path: String,
}

/// Checks the open store's pages in the background (its own read-only connection): the window
/// asks once the map is up and warns when the file is damaged.
#[tauri::command]
pub async fn store_health(store: State<'_, Store>) -> Result<StoreHealthDto, ErrorDto> {
    let loaded = store.engine()?;
    let detail = tauri::async_runtime::spawn_blocking(move || loaded.engine.quick_check())
        .await
        .map_err(|e| ErrorDto::shell(crate::error::ShellErrorKind::Window, e.to_string()))??;
    Ok(StoreHealthDto {
        ok: detail == "ok",
        detail,
        path: store.engine()?.path.display().to_string(),
    })
}

/// Whether the window may install its test hook (`window.__griddesk`): in a debug build, or
/// when the process was started with `GRIDDESK_TEST_HOOK=1` (end-to-end runs of a release
/// build). A page cannot set it; a release build handed to users has no hook.
#[tauri::command]
pub async fn test_hook_enabled() -> Result<bool, ErrorDto> {
    Ok(cfg!(debug_assertions) || std::env::var_os("GRIDDESK_TEST_HOOK").is_some_and(|v| v == "1"))
}

#[tauri::command]
pub async fn app_info(
    store: State<'_, Store>,
    launched: State<'_, Launched>,
) -> Result<AppInfoDto, ErrorDto> {
    Ok(AppInfoDto {
        name: "GridDesk",
        version: env!("CARGO_PKG_VERSION"),
        uptime_ms: launched.0.elapsed().as_secs_f64() * 1000.0,
        store_path: store.ready().map(|l| l.path.display().to_string()),
    })
}

/// Shows the Open dialog; the outcome arrives as a `store-changed` event.
#[tauri::command]
pub async fn open_store_dialog(app: AppHandle) -> Result<(), ErrorDto> {
    menu::choose_store(&app, OpenMode::Existing, menu::current_lang(&app));
    Ok(())
}

/// Shows the Save dialog for a new store seeded with the sample district.
#[tauri::command]
pub async fn new_store_dialog(app: AppHandle) -> Result<(), ErrorDto> {
    menu::choose_store(&app, OpenMode::Seed, menu::current_lang(&app));
    Ok(())
}

/// Rebuilds the menu in the UI language with the UI's layer toggles.
#[tauri::command]
pub async fn sync_menu(app: AppHandle, lang: Lang, layers: Vec<LayerItem>) -> Result<(), ErrorDto> {
    if let Some(state) = app.try_state::<MenuLang>() {
        if let Ok(mut l) = state.0.lock() {
            *l = lang;
        }
    }
    let bar = menu::build(&app, lang, &layers)?;
    app.set_menu(bar)?;
    Ok(())
}

/// Ends the app with the status the store outcome calls for (see `StoreStatusDto::Failed`).
#[tauri::command]
pub async fn quit(app: AppHandle, store: State<'_, Store>) -> Result<(), ErrorDto> {
    app.exit(store.exit_code());
    Ok(())
}
