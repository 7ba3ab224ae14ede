//! File ▸ Import and File ▸ Export: the menu opens the window's import/export dialog (dataset,
//! file, CRS, Shapefile encoding, a dry run listing every reject); these commands do the work
//! through the engine, which validates everything. The shell only converts.

use crate::error::ErrorDto;
use crate::menu::Lang;
use crate::store::Store;
use griddesk::io::{
    Crs, Dataset, ImportOptions, ImportReport, SourceOptions, TargetOptions, TemplateFormat,
    TextEncoding,
};
use griddesk::message::{Message, MessageCode};
use serde::{Deserialize, Serialize};
use std::path::Path;
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;
use ts_rs::TS;

/// The dataset's name in the menu and in messages.
/// The native Open dialog with one filter, off the main thread: the chosen file's path, or
/// `None` when the user cancelled (the register, outline and basemap pickers).
pub async fn pick_path(
    app: &AppHandle,
    name: &str,
    exts: &[&str],
) -> Result<Option<String>, ErrorDto> {
    let dialog = app.dialog().file().add_filter(name, exts);
    let picked = crate::error::blocking(move || dialog.blocking_pick_file()).await?;
    Ok(picked
        .and_then(|p| p.into_path().ok())
        .map(|p| p.display().to_string()))
}

pub fn dataset_label(ds: Dataset, lang: Lang) -> &'static str {
    match (ds, lang) {
        (Dataset::Streets, Lang::Zh) => "街道",
        (Dataset::Communities, Lang::Zh) => "社区",
        (Dataset::Grids, Lang::Zh) => "单元网格",
        (Dataset::DutyGrids, Lang::Zh) => "责任网格",
        (Dataset::Components, Lang::Zh) => "部件",
        (Dataset::Cases, Lang::Zh) => "案件",
        (Dataset::Streets, Lang::En) => "Streets",
        (Dataset::Communities, Lang::En) => "Communities",
        (Dataset::Grids, Lang::En) => "Unit grids",
        (Dataset::DutyGrids, Lang::En) => "Duty grids",
        (Dataset::Components, Lang::En) => "Components",
        (Dataset::Cases, Lang::En) => "Cases",
    }
}

/// File types the engine reads and writes for a dataset (boundaries GeoJSON, Shapefile or
/// GeoPackage; duty grids CSV only; components and cases CSV or GeoJSON).
fn extensions(ds: Dataset) -> &'static [&'static str] {
    match ds {
        Dataset::Streets | Dataset::Communities | Dataset::Grids => {
            &["geojson", "json", "shp", "gpkg"]
        }
        Dataset::DutyGrids => &["csv"],
        Dataset::Components | Dataset::Cases => &["csv", "geojson", "json"],
    }
}

/// File types an import reads: those above, and every dataset from CSV and XLSX (boundaries
/// with a `wkt` column).
fn import_extensions(ds: Dataset) -> Vec<&'static str> {
    let mut v = extensions(ds).to_vec();
    for e in ["csv", "xlsx"] {
        if !v.contains(&e) {
            v.push(e);
        }
    }
    v
}

pub fn dataset_from_key(key: &str) -> Option<Dataset> {
    Dataset::ALL.into_iter().find(|d| d.key() == key)
}

/// Import or export, as the dialog is opened for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    Import,
    Export,
}

/// A file's CRS and Shapefile encoding as the dialog sends them (`None`: from the file).
#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct FileOptions {
    /// `wgs84`, `cgcs2000`, `gcj02`, `EPSG:4513`…`4554`, `gk40`, `gk-cm120` (see [`Crs::parse`]).
    pub crs: Option<String>,
    /// `utf-8` or `gbk`.
    pub encoding: Option<String>,
}

impl FileOptions {
    fn crs(&self) -> Result<Option<Crs>, ErrorDto> {
        Ok(self
            .crs
            .as_deref()
            .filter(|c| !c.is_empty())
            .map(Crs::parse)
            .transpose()?)
    }

    fn encoding(&self) -> Result<Option<TextEncoding>, ErrorDto> {
        match self.encoding.as_deref().filter(|e| !e.is_empty()) {
            None => Ok(None),
            Some(e) => TextEncoding::parse(e).map(Some).ok_or_else(|| {
                griddesk::Error::Invalid(
                    Message::new(MessageCode::UnknownEncoding)
                        .text("value", e)
                        .en(format!("unknown encoding `{e}` (utf-8 or gbk)")),
                )
                .into()
            }),
        }
    }
}

/// What the import/export dialog shows for a dataset: its name and the file types it takes.
#[derive(Debug, Clone, Serialize, TS)]
pub struct DatasetDto {
    /// [`Dataset::key`], which is its serde name.
    #[ts(as = "Dataset")]
    key: &'static str,
    label_zh: &'static str,
    label_en: &'static str,
    import_extensions: Vec<&'static str>,
    export_extensions: &'static [&'static str],
}

/// The datasets in import order (parents first).
#[tauri::command]
pub async fn transfer_datasets() -> Vec<DatasetDto> {
    Dataset::ALL
        .into_iter()
        .map(|ds| DatasetDto {
            key: ds.key(),
            label_zh: dataset_label(ds, Lang::Zh),
            label_en: dataset_label(ds, Lang::En),
            import_extensions: import_extensions(ds),
            export_extensions: extensions(ds),
        })
        .collect()
}

fn dataset(key: &str) -> Result<Dataset, ErrorDto> {
    dataset_from_key(key).ok_or_else(|| {
        griddesk::Error::Invalid(
            Message::new(MessageCode::UnknownDataset)
                .text("value", key)
                .en(format!("unknown dataset `{key}`")),
        )
        .into()
    })
}

/// The native file dialog: a file to import, or where to export (`None`: cancelled).
/// The export files the user chose in the native Save dialog during this run: the only paths
/// (besides `GRIDDESK_EXPORT_DIR`) an export may write, so that the page cannot make the app
/// overwrite a file the user never named.
#[derive(Default)]
pub struct ChosenExports(pub std::sync::Mutex<std::collections::HashSet<std::path::PathBuf>>);

/// Whether an export may write `path`: it was chosen in the Save dialog, or it lies in the
/// folder the process was started with as `GRIDDESK_EXPORT_DIR` (automation, tests).
pub(crate) fn export_allowed(chosen: &ChosenExports, path: &Path) -> bool {
    let in_export_dir = std::env::var_os("GRIDDESK_EXPORT_DIR")
        .filter(|d| !d.is_empty())
        .is_some_and(|d| {
            let dir = Path::new(&d);
            path.parent()
                .and_then(|p| std::fs::canonicalize(p).ok())
                .zip(std::fs::canonicalize(dir).ok())
                .is_some_and(|(p, d)| p.starts_with(d))
        });
    in_export_dir || chosen.0.lock().is_ok_and(|c| c.contains(path))
}

/// [`export_allowed`], or the error that says the file was not chosen in the Save dialog.
pub(crate) fn require_chosen(chosen: &ChosenExports, path: &Path) -> Result<(), ErrorDto> {
    if export_allowed(chosen, path) {
        return Ok(());
    }
    Err(griddesk::Error::Invalid(
        Message::new(MessageCode::ExportPathNotChosen)
            .text("path", path.display())
            .en(format!(
                "`{}` was not chosen in the Save dialog: choose where to write it with “Choose…”",
                path.display()
            )),
    )
    .into())
}

/// Shows a Save dialog off the main thread; the file chosen (`None`: cancelled) is recorded
/// as one the app may write.
pub(crate) async fn save_dialog(
    chosen: &ChosenExports,
    dialog: tauri_plugin_dialog::FileDialogBuilder<tauri::Wry>,
) -> Result<Option<std::path::PathBuf>, ErrorDto> {
    let picked = crate::error::blocking(move || dialog.blocking_save_file()).await?;
    let picked = picked.and_then(|p| p.into_path().ok());
    if let (Some(p), Ok(mut c)) = (&picked, chosen.0.lock()) {
        c.insert(p.clone());
    }
    Ok(picked)
}

#[tauri::command]
pub async fn transfer_pick(
    app: AppHandle,
    chosen: State<'_, ChosenExports>,
    mode: Mode,
    dataset: String,
) -> Result<Option<String>, ErrorDto> {
    let ds = self::dataset(&dataset)?;
    let lang = crate::menu::current_lang(&app);
    let exts = match mode {
        Mode::Import => import_extensions(ds),
        Mode::Export => extensions(ds).to_vec(),
    };
    let dialog = app
        .dialog()
        .file()
        .set_title(dataset_label(ds, lang))
        .add_filter(dataset_label(ds, lang), &exts);
    let picked = crate::error::blocking(move || match mode {
        Mode::Import => dialog.blocking_pick_file(),
        Mode::Export => dialog
            .set_file_name(format!("{}.{}", ds.key(), exts[0]))
            .blocking_save_file(),
    })
    .await?;
    let picked = picked.and_then(|p| p.into_path().ok());
    if let (Mode::Export, Some(p)) = (mode, &picked) {
        if let Ok(mut c) = chosen.0.lock() {
            c.insert(p.clone());
        }
    }
    Ok(picked.map(|p| p.display().to_string()))
}

/// Imports a file as `dataset` in one transaction, or with `dry_run` only checks it. A file with
/// bad records is refused whole unless `valid_only`; a dry run lists every reject (file, line or
/// feature, field) so the user sees them all before deciding.
// A command's arguments are what the window sends: as many as the dialog has fields.
#[tauri::command]
#[allow(clippy::too_many_arguments)]
pub async fn transfer_import(
    app: AppHandle,
    store: State<'_, Store>,
    signed: State<'_, crate::cases::SignedIn>,
    dataset: String,
    path: String,
    options: FileOptions,
    dry_run: bool,
    valid_only: bool,
) -> Result<ImportReport, ErrorDto> {
    let ds = self::dataset(&dataset)?;
    let source = SourceOptions {
        crs: options.crs()?,
        encoding: options.encoding()?,
    };
    // The engine decides who may import what; the shell passes the session on.
    let by = signed.get()?;
    let loaded = store.engine()?;
    let opts = ImportOptions {
        valid_only,
        dry_run,
    };
    let report = crate::error::blocking(move || {
        loaded
            .engine
            .import_from(&by, Path::new(&path), ds, opts, &source)
    })
    .await??;
    if !report.dry_run && report.imported > 0 {
        // The map redraws from the refreshed engine.
        crate::store::notify_changed(&app);
    }
    Ok(report)
}

/// Exports `dataset` to `path` (format by extension) in the chosen CRS and Shapefile encoding;
/// returns the number of records written.
#[tauri::command]
pub async fn transfer_export(
    store: State<'_, Store>,
    chosen: State<'_, ChosenExports>,
    dataset: String,
    path: String,
    options: FileOptions,
) -> Result<usize, ErrorDto> {
    let ds = self::dataset(&dataset)?;
    require_chosen(&chosen, Path::new(&path))?;
    let target = TargetOptions {
        crs: options.crs()?.unwrap_or_default(),
        encoding: options.encoding()?.unwrap_or_default(),
    };
    let loaded = store.engine()?;
    Ok(
        crate::error::blocking(move || loaded.engine.export_to(Path::new(&path), ds, &target))
            .await??,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dataset_has_labels_and_a_menu_key() {
        for ds in Dataset::ALL {
            assert_eq!(dataset_from_key(ds.key()), Some(ds));
            assert!(!dataset_label(ds, Lang::Zh).is_empty());
            assert!(!dataset_label(ds, Lang::En).is_empty());
            assert!(!extensions(ds).is_empty());
        }
        assert_eq!(dataset_from_key("nonsense"), None);
    }
}

/// Writes the import template of `dataset` (Chinese headers, one example row): to `path` when
/// given (it must have been chosen in a Save dialog or lie under `GRIDDESK_EXPORT_DIR`), else
/// where the user points the Save dialog. Returns where it was written (`None`: cancelled).
#[tauri::command]
pub async fn transfer_template(
    app: AppHandle,
    chosen: State<'_, ChosenExports>,
    dataset: String,
    format: TemplateFormat,
    path: Option<String>,
) -> Result<Option<String>, ErrorDto> {
    let ds = self::dataset(&dataset)?;
    let lang = crate::menu::current_lang(&app);
    let target = match path {
        Some(p) => {
            require_chosen(&chosen, Path::new(&p))?;
            std::path::PathBuf::from(p)
        }
        None => {
            let ext = format.extension();
            let name = match lang {
                Lang::Zh => format!("{}导入模板.{ext}", dataset_label(ds, lang)),
                Lang::En => format!("{}-template.{ext}", ds.key()),
            };
            let dialog = app
                .dialog()
                .file()
                .set_title(dataset_label(ds, lang))
                .add_filter(ext, &[ext])
                .set_file_name(name);
            match save_dialog(&chosen, dialog).await? {
                Some(p) => p,
                None => return Ok(None),
            }
        }
    };
    let out = target.clone();
    crate::error::blocking(move || griddesk::io::write_template(ds, format, &out)).await??;
    Ok(Some(target.display().to_string()))
}
