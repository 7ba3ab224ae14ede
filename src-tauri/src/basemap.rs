//! Basemap commands (底图, docs/basemap.md): list, install (a package, or an OSM extract built
//! into one, with progress events and a cancel), remove, the Open dialog for a package, and
//! place search. Tiles come through the tile scheme (`/basemap/{id}/{z}/{x}/{y}`, `tiles.rs`).

use crate::cases::SignedIn;
use crate::error::{blocking, ErrorDto};
use crate::store::Store;
use griddesk::basemaps::basemap::{BasemapInfo, Place};
use griddesk::basemaps::{BasemapList, InstallOptions, InstallProgress};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tauri::{AppHandle, Emitter, State};

/// The cancel flag of the install under way.
#[derive(Default)]
pub struct InstallCancel(Arc<AtomicBool>);

#[tauri::command]
pub async fn basemap_list(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
) -> Result<BasemapList, ErrorDto> {
    // Before sign-in the map already draws the basemap (its tiles need no session); only
    // managing basemaps needs one.
    let by = signed.get().ok();
    let loaded = store.engine()?;
    Ok(blocking(move || match by {
        Some(by) => loaded.engine.basemap_list(&by),
        None => loaded.engine.basemaps().map(|basemaps| BasemapList {
            basemaps,
            can_manage: false,
        }),
    })
    .await??)
}

/// Installs a package or builds and installs an extract; `basemap-progress` events carry an
/// [`InstallProgress`] while it runs.
#[tauri::command]
pub async fn basemap_install(
    app: AppHandle,
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    cancel: State<'_, InstallCancel>,
    path: String,
    options: InstallOptions,
) -> Result<BasemapInfo, ErrorDto> {
    let by = signed.get()?;
    let loaded = store.engine()?;
    let flag = Arc::clone(&cancel.0);
    flag.store(false, Ordering::SeqCst);
    let emitter = app.clone();
    let last = std::sync::Mutex::new(std::time::Instant::now() - std::time::Duration::from_secs(1));
    let info = blocking(move || {
        loaded
            .engine
            .install_basemap(&by, Path::new(&path), &options, &|p: InstallProgress| {
                // At most ten events a second, and always the last one of a stage.
                let now = std::time::Instant::now();
                if let Ok(mut l) = last.lock() {
                    if now.duration_since(*l).as_millis() >= 100 || p.done >= p.total {
                        *l = now;
                        let _ = emitter.emit("basemap-progress", p);
                    }
                }
                !flag.load(Ordering::SeqCst)
            })
    })
    .await??;
    crate::store::notify(&app, "basemaps-changed");
    Ok(info)
}

/// Asks the install under way to stop; it removes what it wrote.
#[tauri::command]
pub fn basemap_cancel(cancel: State<'_, InstallCancel>) -> Result<(), ErrorDto> {
    cancel.0.store(true, Ordering::SeqCst);
    Ok(())
}

#[tauri::command]
pub async fn basemap_remove(
    app: AppHandle,
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    id: String,
) -> Result<(), ErrorDto> {
    let by = signed.get()?;
    let loaded = store.engine()?;
    blocking(move || loaded.engine.remove_basemap(&by, &id)).await??;
    crate::store::notify(&app, "basemaps-changed");
    Ok(())
}

/// The native Open dialog for a basemap package or extract (`None`: cancelled).
#[tauri::command]
pub async fn basemap_pick_file(app: AppHandle) -> Result<Option<String>, ErrorDto> {
    crate::transfer::pick_path(
        &app,
        "PMTiles / MBTiles / OSM PBF",
        &["pmtiles", "mbtiles", "pbf"],
    )
    .await
}

/// Place names (basemap names and POIs) containing every word of `query`.
#[tauri::command]
pub async fn place_search(
    store: State<'_, Store>,
    query: String,
    limit: Option<usize>,
) -> Result<Vec<Place>, ErrorDto> {
    let loaded = store.engine()?;
    Ok(blocking(move || loaded.engine.search_places(&query, limit.unwrap_or(20))).await??)
}

/// Buildings of a vector basemap that a grid boundary cuts through (the district check).
#[tauri::command]
pub async fn basemap_building_cuts(
    store: State<'_, Store>,
    id: String,
) -> Result<Vec<griddesk::basemaps::BuildingCut>, ErrorDto> {
    let loaded = store.engine()?;
    Ok(blocking(move || loaded.engine.building_cuts(&id)).await??)
}
