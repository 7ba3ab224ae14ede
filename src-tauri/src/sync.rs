//! The 同步 (sync) tab (docs/centre.md, "Sync"): the station's sync status, a sync with the city
//! centre now (its stages reported by `sync-progress` events), the centre's conflicts of the
//! district and settling one. The engine checks the role and does the work; after a sync that
//! wrote rows the tab reloads the window, so the map and the tabs read the store again.

use crate::cases::SignedIn;
use crate::error::{blocking, ErrorDto};
use crate::store::Store;
use griddesk::sync::{SettleChoice, SyncConflictView, SyncReportView, SyncStage, SyncStatus};
use tauri::{AppHandle, Emitter, State};

#[tauri::command]
pub async fn sync_status(store: State<'_, Store>) -> Result<SyncStatus, ErrorDto> {
    let loaded = store.engine()?;
    Ok(blocking(move || loaded.engine.sync_status()).await??)
}

/// Syncs the open store with the centre at `centre` (a connection string); `sync-progress`
/// events carry each [`SyncStage`] while it runs.
#[tauri::command]
pub async fn sync_now(
    app: AppHandle,
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    centre: String,
) -> Result<SyncReportView, ErrorDto> {
    let by = signed.get()?;
    let loaded = store.engine()?;
    let emitter = app.clone();
    // No `store-changed` here: the window would reload before this answer reached it. The 同步
    // tab reloads the window itself once it has the report (rows came down).
    Ok(blocking(move || {
        loaded.engine.sync_now(&by, &centre, &|stage: SyncStage| {
            if let Err(e) = emitter.emit("sync-progress", stage) {
                eprintln!("griddesk: cannot report the sync's progress: {e}");
            }
        })
    })
    .await??)
}

/// The centre's conflicts of the open store's district, open and settled.
#[tauri::command]
pub async fn sync_conflicts(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    centre: String,
) -> Result<Vec<SyncConflictView>, ErrorDto> {
    let by = signed.get()?;
    let loaded = store.engine()?;
    Ok(blocking(move || loaded.engine.sync_conflicts(&by, &centre)).await??)
}

/// Settles conflict `id` at the centre, as the signed-in user (audited there).
#[tauri::command]
pub async fn sync_settle(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    centre: String,
    id: i64,
    choice: SettleChoice,
) -> Result<SyncConflictView, ErrorDto> {
    let by = signed.get()?;
    let loaded = store.engine()?;
    Ok(blocking(move || loaded.engine.settle_conflict(&by, &centre, id, &choice)).await??)
}
