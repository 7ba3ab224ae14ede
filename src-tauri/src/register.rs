//! Components-register commands: the paged, searchable table, one component with its QR code and
//! history, creating and editing (the engine checks the role and records the change), importing
//! a GeoJSON/CSV file, plate sheets to PNG/PDF, and scanning a pasted payload or an image file.
//! File dialogs follow `analytics.rs`: `GRIDDESK_EXPORT_DIR` replaces the Save dialog when set.

use crate::cases::SignedIn;
use crate::error::invalid;
use crate::error::ErrorDto;
use crate::store::Store;
use base64::Engine as _;
use griddesk::message::{Message, MessageCode as C};
use griddesk::model::ComponentState;
use griddesk::qr::{PlateOptions, Scan};
use griddesk::register::{ComponentChange, ComponentEdit, ComponentRecord, NewComponent};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;
use ts_rs::TS;

/// At most this many rows in one page of the table.
const MAX_PAGE: usize = 200;
/// At most this many plates in one sheet request.
const MAX_PLATES: usize = 600;
/// Pixels per QR module in the panel's image.
const PANEL_QR_SCALE: u32 = 4;

fn now() -> chrono::NaiveDateTime {
    chrono::Local::now().naive_local()
}

/// What the table shows: text (code, class, owner, maintainer), class, state and grid filters.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct RegisterQuery {
    pub text: String,
    pub class_code: Option<String>,
    pub state: Option<ComponentState>,
    pub grid: Option<String>,
    pub offset: usize,
    pub limit: usize,
}

/// One page of the table.
#[derive(Serialize, TS)]
pub struct RegisterPage {
    pub total: usize,
    pub offset: usize,
    pub rows: Vec<ComponentRecord>,
}

fn matches(q: &RegisterQuery, c: &ComponentRecord) -> bool {
    let text = q.text.trim();
    let text_ok = text.is_empty()
        || c.code.contains(text)
        || c.class_code.starts_with(text)
        || [&c.class_name, &c.owner, &c.maintainer]
            .into_iter()
            .any(|v| v.as_deref().is_some_and(|v| v.contains(text)));
    text_ok
        && q.class_code
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .is_none_or(|k| c.class_code.starts_with(k))
        && q.state.is_none_or(|s| c.state == s)
        && q.grid
            .as_deref()
            .map(str::trim)
            .filter(|g| !g.is_empty())
            .is_none_or(|g| c.grid.as_deref().is_some_and(|cg| cg.starts_with(g)))
}

#[tauri::command]
pub async fn register_list(
    store: State<'_, Store>,
    query: RegisterQuery,
) -> Result<RegisterPage, ErrorDto> {
    let loaded = store.engine()?;
    let idx = loaded.engine.loaded();
    let names = &idx.index.code_tables.components;
    let limit = query.limit.clamp(1, MAX_PAGE);
    let mut total = 0;
    let mut rows = Vec::new();
    for c in &idx.index.components {
        let rec = ComponentRecord::of(c, names.get(c.class_code.as_str()).map(|e| e.name.clone()));
        if !matches(&query, &rec) {
            continue;
        }
        if total >= query.offset && rows.len() < limit {
            rows.push(rec);
        }
        total += 1;
    }
    Ok(RegisterPage {
        total,
        offset: query.offset,
        rows,
    })
}

/// A component's panel: the record, its QR payload and image, and its recorded changes.
#[derive(Serialize, TS)]
pub struct ComponentDetail {
    pub component: ComponentRecord,
    pub payload: String,
    /// `data:image/png;base64,…`
    pub qr: String,
    pub history: Vec<ComponentChange>,
}

fn png_url(bytes: &[u8]) -> String {
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

#[tauri::command]
pub async fn register_component(
    store: State<'_, Store>,
    code: String,
) -> Result<ComponentDetail, ErrorDto> {
    let loaded = store.engine()?;
    let e = &loaded.engine;
    Ok(ComponentDetail {
        component: e.component(&code)?,
        payload: e.component_payload(&code)?,
        qr: png_url(&e.component_qr_png(&code, PANEL_QR_SCALE)?),
        history: e.component_history(&code)?,
    })
}

/// The next free 16-digit code of a minor class, shown before saving a new component.
#[tauri::command]
pub async fn register_next_code(
    store: State<'_, Store>,
    class_code: String,
) -> Result<String, ErrorDto> {
    Ok(store
        .engine()?
        .engine
        .next_component_code(&class_code)?
        .to_string())
}

#[tauri::command]
pub async fn register_create(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    component: NewComponent,
) -> Result<ComponentRecord, ErrorDto> {
    let s = signed.get()?;
    Ok(store
        .engine()?
        .engine
        .create_component(&s, &component, now())?)
}

#[tauri::command]
pub async fn register_edit(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    code: String,
    edit: ComponentEdit,
) -> Result<ComponentRecord, ErrorDto> {
    let s = signed.get()?;
    Ok(store
        .engine()?
        .engine
        .edit_component(&s, &code, &edit, now())?)
}

fn pick_file(app: &AppHandle, title: &str, name: &str, exts: &[&str]) -> Option<PathBuf> {
    app.dialog()
        .file()
        .set_title(title)
        .add_filter(name, exts)
        .blocking_pick_file()
        .and_then(|p| p.into_path().ok())
}

/// Page format of a plate sheet.
#[derive(Debug, Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SheetFormat {
    Png,
    Pdf,
}

fn safe_stem(stem: &str) -> Result<&str, ErrorDto> {
    let ok = !stem.is_empty()
        && stem.len() <= 120
        && !stem.contains(['/', '\\', ':', '\0'])
        && !stem.starts_with('.');
    if ok {
        Ok(stem)
    } else {
        Err(invalid(
            Message::new(C::BadFileName)
                .text("name", stem)
                .en(format!("bad file name `{stem}`")),
        ))
    }
}

fn save_path(app: &AppHandle, file: &str, ext: &str) -> Result<Option<PathBuf>, ErrorDto> {
    if let Some(dir) = std::env::var_os("GRIDDESK_EXPORT_DIR").filter(|d| !d.is_empty()) {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).map_err(|source| griddesk::Error::Io {
            path: dir.clone(),
            source,
        })?;
        return Ok(Some(dir.join(file)));
    }
    Ok(app
        .dialog()
        .file()
        .set_file_name(file)
        .add_filter(ext, &[ext])
        .blocking_save_file()
        .and_then(|p| p.into_path().ok()))
}

fn write(path: &std::path::Path, bytes: &[u8]) -> Result<(), ErrorDto> {
    std::fs::write(path, bytes).map_err(|source| {
        griddesk::Error::Io {
            path: path.to_path_buf(),
            source,
        }
        .into()
    })
}

/// The file of page `i` (0-based) of a PNG sheet saved as `path`: the first page at `path`,
/// later ones with `-2`, `-3`… before the extension.
fn page_path(path: &std::path::Path, i: usize) -> PathBuf {
    if i == 0 {
        return path.to_path_buf();
    }
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!("{stem}-{}.png", i + 1))
}

/// Prints QR plates for the components to a PNG (one file per page) or PDF chosen in the Save
/// dialog; returns the files written (`None` = cancelled).
#[tauri::command]
pub async fn register_plate_sheet(
    app: AppHandle,
    store: State<'_, Store>,
    codes: Vec<String>,
    format: SheetFormat,
    name: String,
) -> Result<Option<Vec<String>>, ErrorDto> {
    if codes.is_empty() {
        return Err(invalid(
            Message::new(C::NoComponentsSelected).en("no component selected for the plate sheet"),
        ));
    }
    if codes.len() > MAX_PLATES {
        return Err(invalid(
            Message::new(C::TooManyPlates)
                .int("count", codes.len())
                .int("max", MAX_PLATES)
                .en(format!(
                    "{} components selected; a plate sheet takes at most {MAX_PLATES}",
                    codes.len()
                )),
        ));
    }
    let loaded = store.engine()?;
    let e = &loaded.engine;
    let opts = PlateOptions::default();
    let stem = safe_stem(name.trim())?;
    match format {
        SheetFormat::Pdf => {
            let pdf = e.plate_sheet_pdf(&codes, &opts)?;
            let Some(path) = save_path(&app, &format!("{stem}.pdf"), "pdf")? else {
                return Ok(None);
            };
            write(&path, &pdf)?;
            Ok(Some(vec![path.display().to_string()]))
        }
        SheetFormat::Png => {
            let pages = e.plate_sheet_png(&codes, &opts)?;
            let Some(path) = save_path(&app, &format!("{stem}.png"), "png")? else {
                return Ok(None);
            };
            let mut out = Vec::new();
            for (i, page) in pages.iter().enumerate() {
                let p = page_path(&path, i);
                write(&p, page)?;
                out.push(p.display().to_string());
            }
            Ok(Some(out))
        }
    }
}

/// Reads a pasted plate payload: the component and an intake started on it.
#[tauri::command]
pub async fn register_scan_text(store: State<'_, Store>, text: String) -> Result<Scan, ErrorDto> {
    Ok(store.engine()?.engine.scan_text(&text, now())?)
}

/// Reads the first GridDesk plate in an image file chosen in the Open dialog (`None` =
/// cancelled).
#[tauri::command]
pub async fn register_scan_image(
    app: AppHandle,
    store: State<'_, Store>,
) -> Result<Option<Scan>, ErrorDto> {
    let loaded = store.engine()?;
    let Some(path) = pick_file(
        &app,
        "二维码图片 / QR image",
        "PNG, JPEG",
        &["png", "jpg", "jpeg"],
    ) else {
        return Ok(None);
    };
    let bytes = std::fs::read(&path).map_err(|source| griddesk::Error::Io {
        path: path.clone(),
        source,
    })?;
    Ok(Some(loaded.engine.scan_image(&bytes, now())?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(code: &str, class: &str, state: ComponentState, grid: Option<&str>) -> ComponentRecord {
        ComponentRecord {
            code: code.into(),
            class_code: class.into(),
            class_name: Some("上水井盖".into()),
            owner: Some("自来水公司".into()),
            maintainer: None,
            state,
            location: [121.0, 28.6],
            grid: grid.map(Into::into),
        }
    }

    #[test]
    fn the_table_filters_by_text_class_state_and_grid() {
        let c = rec(
            "3310030101000001",
            "0101",
            ComponentState::Damaged,
            Some("331003001001001"),
        );
        let q = |f: fn(&mut RegisterQuery)| {
            let mut q = RegisterQuery::default();
            f(&mut q);
            matches(&q, &c)
        };
        assert!(q(|_| {}));
        assert!(q(|q| q.text = "000001".into()));
        assert!(q(|q| q.text = "井盖".into()));
        assert!(q(|q| q.text = "自来水".into()));
        assert!(!q(|q| q.text = "路灯".into()));
        assert!(q(|q| q.class_code = Some("01".into())));
        assert!(!q(|q| q.class_code = Some("0201".into())));
        assert!(q(|q| q.state = Some(ComponentState::Damaged)));
        assert!(!q(|q| q.state = Some(ComponentState::Intact)));
        assert!(q(|q| q.grid = Some("331003001".into())));
        assert!(!q(|q| q.grid = Some("331003002".into())));
        let ungridded = rec("3310030101000002", "0101", ComponentState::Intact, None);
        let g = RegisterQuery {
            grid: Some("331003".into()),
            ..Default::default()
        };
        assert!(!matches(&g, &ungridded));
    }

    #[test]
    fn later_png_pages_get_numbered_names() {
        let p = std::path::Path::new("/tmp/x/plates.png");
        assert_eq!(page_path(p, 0), p);
        assert_eq!(page_path(p, 1), std::path::Path::new("/tmp/x/plates-2.png"));
    }

    #[test]
    fn sheet_names_stay_in_their_folder() {
        assert!(safe_stem("plates-2026").is_ok());
        assert!(safe_stem("../x").is_err());
        assert!(safe_stem("").is_err());
        assert!(safe_stem(".hidden").is_err());
    }
}
