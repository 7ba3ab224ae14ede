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

/// Runs `f` with the engine and the session on the blocking pool.
async fn with<T: Send + 'static>(
    store: &State<'_, Store>,
    signed: &State<'_, SignedIn>,
    f: impl FnOnce(&griddesk::Engine, &griddesk::users::Session) -> griddesk::Result<T> + Send + 'static,
) -> Result<T, ErrorDto> {
    let by = signed.get()?;
    let loaded = store.engine()?;
    Ok(blocking(move || f(&loaded.engine, &by)).await??)
}

#[tauri::command]
pub async fn street_overview(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
) -> Result<RegisterOverview, ErrorDto> {
    with(&store, &signed, |e, by| e.register_overview(by)).await
}

#[tauri::command]
pub async fn street_search(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    query: ObjectQuery,
) -> Result<ObjectPage, ErrorDto> {
    with(&store, &signed, move |e, by| e.search_objects(by, &query)).await
}

#[tauri::command]
pub async fn street_grid_counts(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    query: ObjectQuery,
) -> Result<Vec<(String, u32)>, ErrorDto> {
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
) -> Result<ObjectDetail, ErrorDto> {
    with(&store, &signed, move |e, by| e.object_detail(by, id)).await
}

#[tauri::command]
pub async fn street_save_object(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    edit: ObjectEdit,
) -> Result<i64, ErrorDto> {
    with(&store, &signed, move |e, by| e.save_object(by, &edit)).await
}

#[tauri::command]
pub async fn street_verify_object(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    id: i64,
) -> Result<(), ErrorDto> {
    with(&store, &signed, move |e, by| e.verify_object(by, id)).await
}

#[tauri::command]
pub async fn street_set_frontage(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    id: i64,
    line: Option<Vec<[f64; 2]>>,
) -> Result<(), ErrorDto> {
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
pub async fn street_pick_file(
    app: AppHandle,
    kind: StreetFile,
) -> Result<Option<String>, ErrorDto> {
    let (name, exts): (&str, &[&str]) = match kind {
        StreetFile::Objects | StreetFile::Subclasses => ("CSV / XLSX", &["csv", "xlsx"]),
        StreetFile::Photo => ("JPEG / PNG", &["jpg", "jpeg", "png"]),
    };
    crate::transfer::pick_path(&app, name, exts).await
}

#[tauri::command]
pub async fn street_import_objects(
    app: AppHandle,
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    path: String,
    dry_run: bool,
) -> Result<RegisterImport, ErrorDto> {
    let r = with(&store, &signed, move |e, by| {
        e.import_objects(by, Path::new(&path), dry_run)
    })
    .await?;
    if r.imported > 0 {
        // The window redraws the registers' layer.
        crate::store::notify(&app, "registers-changed");
    }
    Ok(r)
}

#[tauri::command]
pub async fn street_import_subclasses(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    path: String,
) -> Result<usize, ErrorDto> {
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
) -> Result<i64, ErrorDto> {
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
) -> Result<String, ErrorDto> {
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
) -> Result<NoticePreview, ErrorDto> {
    with(&store, &signed, move |e, by| e.preview_notice(by, &draft)).await
}

#[tauri::command]
pub async fn street_send_notice(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    draft: NoticeDraft,
) -> Result<Notice, ErrorDto> {
    with(&store, &signed, move |e, by| e.send_notice(by, &draft)).await
}

#[tauri::command]
pub async fn street_notices(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
) -> Result<Vec<Notice>, ErrorDto> {
    with(&store, &signed, |e, by| e.notices(by)).await
}

#[tauri::command]
pub async fn street_notice_letters(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    id: i64,
) -> Result<Vec<NoticeRecipient>, ErrorDto> {
    with(&store, &signed, move |e, by| e.notice_letters(by, id)).await
}

/// The format of a notice export.
#[derive(Debug, Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ListFormat {
    Xlsx,
    Csv,
}

impl ListFormat {
    fn ext(self) -> &'static str {
        match self {
            ListFormat::Xlsx => "xlsx",
            ListFormat::Csv => "csv",
        }
    }
}

/// Where a list goes: `GRIDDESK_EXPORT_DIR/<stem>.<ext>` when set, else where the Save dialog
/// points (`None`: cancelled); either way a path an export may write.
async fn list_target(
    app: &AppHandle,
    chosen: &State<'_, ChosenExports>,
    stem: &str,
    format: ListFormat,
) -> Result<Option<PathBuf>, ErrorDto> {
    let ext = format.ext();
    let name = format!("{stem}.{ext}");
    let path = match std::env::var_os("GRIDDESK_EXPORT_DIR").filter(|d| !d.is_empty()) {
        Some(dir) => PathBuf::from(dir).join(&name),
        None => {
            let dialog = app
                .dialog()
                .file()
                .add_filter(ext, &[ext])
                .set_file_name(&name);
            match save_dialog(chosen, dialog).await? {
                Some(p) => p,
                None => return Ok(None),
            }
        }
    };
    require_chosen(chosen, &path)?;
    Ok(Some(path))
}

/// Exports a notice's recipient list for the SMS platform (see [`list_target`]). Returns where
/// it was written (`None`: cancelled).
#[tauri::command]
pub async fn street_export_notice(
    app: AppHandle,
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    chosen: State<'_, ChosenExports>,
    id: i64,
    format: ListFormat,
) -> Result<Option<String>, ErrorDto> {
    let Some(path) = list_target(&app, &chosen, &format!("温馨提示-{id}"), format).await?
    else {
        return Ok(None);
    };
    let out = path.display().to_string();
    with(&store, &signed, move |e, by| e.export_notice(by, id, &path)).await?;
    Ok(Some(out))
}

/// Writes the register's import template (its columns, one example row; see [`list_target`]).
#[tauri::command]
pub async fn street_template(
    app: AppHandle,
    store: State<'_, Store>,
    chosen: State<'_, ChosenExports>,
    format: ListFormat,
) -> Result<Option<String>, ErrorDto> {
    let Some(path) = list_target(&app, &chosen, "服务对象导入模板", format).await? else {
        return Ok(None);
    };
    let out = path.display().to_string();
    let loaded = store.engine()?;
    blocking(move || loaded.engine.write_register_template(&path)).await??;
    Ok(Some(out))
}

#[tauri::command]
pub async fn street_add_move_car(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    input: MoveCarInput,
) -> Result<i64, ErrorDto> {
    with(&store, &signed, move |e, by| e.add_move_car(by, &input)).await
}

#[tauri::command]
pub async fn street_move_car_year(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    year: i32,
) -> Result<MoveCarYear, ErrorDto> {
    with(&store, &signed, move |e, by| e.move_car_year(by, year)).await
}

#[tauri::command]
pub async fn street_vendors(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    text: String,
) -> Result<Vec<VendorRow>, ErrorDto> {
    with(&store, &signed, move |e, by| e.vendors(by, &text)).await
}

#[tauri::command]
pub async fn street_vendor(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    id: i64,
) -> Result<VendorDetail, ErrorDto> {
    with(&store, &signed, move |e, by| e.vendor_detail(by, id)).await
}

#[tauri::command]
pub async fn street_save_vendor(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    edit: VendorEdit,
) -> Result<i64, ErrorDto> {
    with(&store, &signed, move |e, by| e.save_vendor(by, &edit)).await
}

#[tauri::command]
pub async fn street_add_warning(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    input: WarningInput,
) -> Result<VendorRow, ErrorDto> {
    with(&store, &signed, move |e, by| e.add_warning(by, &input)).await
}

#[tauri::command]
pub async fn street_set_ladder(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    ladder: Ladder,
) -> Result<(), ErrorDto> {
    with(&store, &signed, move |e, by| e.set_ladder(by, &ladder)).await
}

#[tauri::command]
pub async fn street_zones(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
) -> Result<Vec<ZoneRow>, ErrorDto> {
    with(&store, &signed, |e, by| e.vending_zones(by)).await
}

#[tauri::command]
pub async fn street_save_zone(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    zone: VendingZone,
) -> Result<(), ErrorDto> {
    with(&store, &signed, move |e, by| e.save_vending_zone(by, &zone)).await
}

#[tauri::command]
pub async fn street_delete_zone(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    code: String,
) -> Result<(), ErrorDto> {
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
) -> Result<i64, ErrorDto> {
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
) -> Result<(), ErrorDto> {
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
) -> Result<Vec<StreetHint>, ErrorDto> {
    with(&store, &signed, move |e, by| e.case_street_hints(by, &id)).await
}

#[tauri::command]
pub async fn street_lookups(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    limit: usize,
) -> Result<Vec<PersonLookup>, ErrorDto> {
    with(&store, &signed, move |e, by| e.person_lookups(by, limit)).await
}
