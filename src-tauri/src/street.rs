//! Street-register commands (街面台账, docs/registers.md): the service-object register with
//! its frontages and photos, notices and their export, move-car reminders, the vendor record
//! and vending zones. Each passes the session and arguments to the engine, which checks the
//! role and masks personal data; file dialogs run off the main thread, and an export writes
//! only where the Save dialog (or `GRIDDESK_EXPORT_DIR`) points.

use crate::cases::SignedIn;
use crate::error::{blocking, ErrorDto};
use crate::store::Store;
use crate::transfer::{require_chosen, save_dialog, ChosenExports};
use base64::Engine as _;
use griddesk::street::registers::rules::Ladder;
use griddesk::street::registers::store::PersonLookup;
use griddesk::street::registers::*;
use griddesk::street::*;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;
use ts_rs::TS;

type R<T> = Result<T, ErrorDto>;

/// Tells the window the registers changed under it (an import): it redraws their layer.
fn registers_changed(app: &AppHandle) {
    use tauri::Emitter;
    if let Err(e) = app.emit("registers-changed", ()) {
        eprintln!("griddesk: cannot notify the window: {e}");
    }
}

/// Runs `f` with the engine and the session on the blocking pool.
async fn with<T: Send + 'static>(
    store: &State<'_, Store>,
    signed: &State<'_, SignedIn>,
    f: impl FnOnce(&griddesk::Engine, &griddesk::users::Session) -> griddesk::Result<T> + Send + 'static,
) -> R<T> {
    let by = signed.get()?;
    let loaded = store.engine()?;
    Ok(blocking(move || f(&loaded.engine, &by)).await??)
}

#[tauri::command]
pub async fn street_overview(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
) -> R<RegisterOverview> {
    with(&store, &signed, |e, by| e.register_overview(by)).await
}

#[tauri::command]
pub async fn street_search(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    query: ObjectQuery,
) -> R<ObjectPage> {
    with(&store, &signed, move |e, by| e.search_objects(by, &query)).await
}

#[tauri::command]
pub async fn street_grid_counts(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    query: ObjectQuery,
) -> R<Vec<(String, u32)>> {
    with(&store, &signed, move |e, by| {
        e.object_grid_counts(by, &query)
    })
    .await
}

#[tauri::command]
pub async fn street_object(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    id: i64,
) -> R<ObjectDetail> {
    with(&store, &signed, move |e, by| e.object_detail(by, id)).await
}

#[tauri::command]
pub async fn street_save_object(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    edit: ObjectEdit,
) -> R<i64> {
    with(&store, &signed, move |e, by| e.save_object(by, &edit)).await
}

#[tauri::command]
pub async fn street_verify_object(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    id: i64,
) -> R<()> {
    with(&store, &signed, move |e, by| e.verify_object(by, id)).await
}

#[tauri::command]
pub async fn street_set_frontage(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    id: i64,
    line: Option<Vec<[f64; 2]>>,
) -> R<()> {
    with(&store, &signed, move |e, by| e.set_frontage(by, id, line)).await
}

/// What a file picked for the registers is for.
#[derive(Debug, Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StreetFile {
    /// A register list (CSV, XLSX).
    Objects,
    /// A sub-class table (CSV, XLSX).
    Subclasses,
    /// A photo (JPEG, PNG).
    Photo,
}

/// The native Open dialog for a register file (`None`: cancelled).
#[tauri::command]
pub async fn street_pick_file(app: AppHandle, kind: StreetFile) -> R<Option<String>> {
    let (name, exts): (&str, &[&str]) = match kind {
        StreetFile::Objects | StreetFile::Subclasses => ("CSV / XLSX", &["csv", "xlsx"]),
        StreetFile::Photo => ("JPEG / PNG", &["jpg", "jpeg", "png"]),
    };
    let dialog = app.dialog().file().add_filter(name, exts);
    let picked = blocking(move || dialog.blocking_pick_file()).await?;
    Ok(picked
        .and_then(|p| p.into_path().ok())
        .map(|p| p.display().to_string()))
}

#[tauri::command]
pub async fn street_import_objects(
    app: AppHandle,
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    path: String,
    dry_run: bool,
) -> R<RegisterImport> {
    let r = with(&store, &signed, move |e, by| {
        e.import_objects(by, Path::new(&path), dry_run)
    })
    .await?;
    if r.imported > 0 {
        registers_changed(&app);
    }
    Ok(r)
}

#[tauri::command]
pub async fn street_import_subclasses(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    path: String,
) -> R<usize> {
    with(&store, &signed, move |e, by| {
        e.import_subclasses(by, Path::new(&path))
    })
    .await
}

#[tauri::command]
pub async fn street_add_photo(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    owner: String,
    id: i64,
    path: String,
) -> R<i64> {
    with(&store, &signed, move |e, by| {
        e.add_register_photo(by, &owner, id, Path::new(&path))
    })
    .await
}

/// A register photo as a `data:` URL (the CSP allows `data:` images only).
#[tauri::command]
pub async fn street_photo(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    id: i64,
    thumb: bool,
) -> R<String> {
    let (mime, bytes) = with(&store, &signed, move |e, by| {
        e.register_photo(by, id, thumb)
    })
    .await?;
    Ok(format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    ))
}

#[tauri::command]
pub async fn street_preview_notice(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    draft: NoticeDraft,
) -> R<NoticePreview> {
    with(&store, &signed, move |e, by| e.preview_notice(by, &draft)).await
}

#[tauri::command]
pub async fn street_send_notice(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    draft: NoticeDraft,
) -> R<Notice> {
    with(&store, &signed, move |e, by| e.send_notice(by, &draft)).await
}

#[tauri::command]
pub async fn street_notices(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
) -> R<Vec<Notice>> {
    with(&store, &signed, |e, by| e.notices(by)).await
}

#[tauri::command]
pub async fn street_notice_letters(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    id: i64,
) -> R<Vec<NoticeRecipient>> {
    with(&store, &signed, move |e, by| e.notice_letters(by, id)).await
}

/// The format of a notice export.
#[derive(Debug, Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ListFormat {
    Xlsx,
    Csv,
}

/// Exports a notice's recipient list for the SMS platform: to `GRIDDESK_EXPORT_DIR` when set,
/// else where the Save dialog points. Returns where it was written (`None`: cancelled).
#[tauri::command]
pub async fn street_export_notice(
    app: AppHandle,
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    chosen: State<'_, ChosenExports>,
    id: i64,
    format: ListFormat,
) -> R<Option<String>> {
    let ext = match format {
        ListFormat::Xlsx => "xlsx",
        ListFormat::Csv => "csv",
    };
    let name = format!("温馨提示-{id}.{ext}");
    let path: PathBuf = match std::env::var_os("GRIDDESK_EXPORT_DIR").filter(|d| !d.is_empty()) {
        Some(dir) => PathBuf::from(dir).join(&name),
        None => {
            let dialog = app
                .dialog()
                .file()
                .add_filter(ext, &[ext])
                .set_file_name(&name);
            match save_dialog(&chosen, dialog).await? {
                Some(p) => p,
                None => return Ok(None),
            }
        }
    };
    require_chosen(&chosen, &path)?;
    let out = path.clone();
    with(&store, &signed, move |e, by| e.export_notice(by, id, &path)).await?;
    Ok(Some(out.display().to_string()))
}

/// Writes the register's import template (its columns, one example row).
#[tauri::command]
pub async fn street_template(
    app: AppHandle,
    store: State<'_, Store>,
    chosen: State<'_, ChosenExports>,
    format: ListFormat,
) -> R<Option<String>> {
    let ext = match format {
        ListFormat::Xlsx => "xlsx",
        ListFormat::Csv => "csv",
    };
    let name = format!("服务对象导入模板.{ext}");
    let path: PathBuf = match std::env::var_os("GRIDDESK_EXPORT_DIR").filter(|d| !d.is_empty()) {
        Some(dir) => PathBuf::from(dir).join(&name),
        None => {
            let dialog = app
                .dialog()
                .file()
                .add_filter(ext, &[ext])
                .set_file_name(&name);
            match save_dialog(&chosen, dialog).await? {
                Some(p) => p,
                None => return Ok(None),
            }
        }
    };
    require_chosen(&chosen, &path)?;
    let p = path.clone();
    let loaded = store.engine()?;
    blocking(move || loaded.engine.write_register_template(&p)).await??;
    Ok(Some(path.display().to_string()))
}

#[tauri::command]
pub async fn street_add_move_car(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    input: MoveCarInput,
) -> R<i64> {
    with(&store, &signed, move |e, by| e.add_move_car(by, &input)).await
}

#[tauri::command]
pub async fn street_move_car_year(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    year: i32,
) -> R<MoveCarYear> {
    with(&store, &signed, move |e, by| e.move_car_year(by, year)).await
}

#[tauri::command]
pub async fn street_vendors(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    text: String,
) -> R<Vec<VendorRow>> {
    with(&store, &signed, move |e, by| e.vendors(by, &text)).await
}

#[tauri::command]
pub async fn street_vendor(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    id: i64,
) -> R<VendorDetail> {
    with(&store, &signed, move |e, by| e.vendor_detail(by, id)).await
}

#[tauri::command]
pub async fn street_save_vendor(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    edit: VendorEdit,
) -> R<i64> {
    with(&store, &signed, move |e, by| e.save_vendor(by, &edit)).await
}

#[tauri::command]
pub async fn street_add_warning(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    input: WarningInput,
) -> R<VendorRow> {
    with(&store, &signed, move |e, by| e.add_warning(by, &input)).await
}

#[tauri::command]
pub async fn street_set_ladder(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    ladder: Ladder,
) -> R<()> {
    with(&store, &signed, move |e, by| e.set_ladder(by, &ladder)).await
}

#[tauri::command]
pub async fn street_zones(store: State<'_, Store>, signed: State<'_, SignedIn>) -> R<Vec<ZoneRow>> {
    with(&store, &signed, |e, by| e.vending_zones(by)).await
}

#[tauri::command]
pub async fn street_save_zone(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    zone: VendingZone,
) -> R<()> {
    with(&store, &signed, move |e, by| e.save_vending_zone(by, &zone)).await
}

#[tauri::command]
pub async fn street_delete_zone(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    code: String,
) -> R<()> {
    with(&store, &signed, move |e, by| {
        e.delete_vending_zone(by, &code)
    })
    .await
}

#[tauri::command]
pub async fn street_admit(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    zone: String,
    vendor: i64,
    trade: String,
) -> R<i64> {
    with(&store, &signed, move |e, by| {
        e.admit_vendor(by, &zone, vendor, &trade)
    })
    .await
}

#[tauri::command]
pub async fn street_admission_step(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    id: i64,
    to: AdmissionStatus,
    text: String,
) -> R<()> {
    with(&store, &signed, move |e, by| {
        e.admission_step(by, id, to, &text)
    })
    .await
}

#[tauri::command]
pub async fn street_case_hints(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    id: String,
) -> R<Vec<StreetHint>> {
    with(&store, &signed, move |e, by| e.case_street_hints(by, &id)).await
}

#[tauri::command]
pub async fn street_lookups(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    limit: usize,
) -> R<Vec<PersonLookup>> {
    with(&store, &signed, move |e, by| e.person_lookups(by, limit)).await
}
