//! File ▸ Import and File ▸ Export: a file dialog, then the engine's own import or export, then a
//! message with what happened. The engine validates everything; the shell only reports.

use crate::menu::Lang;
use crate::store::Store;
use griddesk::io::{Dataset, ImportOptions, ImportReport};
use std::path::PathBuf;
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_dialog::{DialogExt, MessageDialogKind};

/// The dataset's name in the menu and in messages.
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

/// File types the engine reads and writes for a dataset (boundaries are GeoJSON only, duty grids
/// CSV only; components and cases either).
fn extensions(ds: Dataset) -> &'static [&'static str] {
    match ds {
        Dataset::Streets | Dataset::Communities | Dataset::Grids => &["geojson", "json"],
        Dataset::DutyGrids => &["csv"],
        Dataset::Components | Dataset::Cases => &["csv", "geojson", "json"],
    }
}

pub fn dataset_from_key(key: &str) -> Option<Dataset> {
    Dataset::ALL.into_iter().find(|d| d.key() == key)
}

fn tell(app: &AppHandle, kind: MessageDialogKind, title: &str, text: String) {
    app.dialog()
        .message(text)
        .title(title)
        .kind(kind)
        .show(|_| {});
}

fn import_summary(r: &ImportReport, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!(
            "已导入 {} 条记录（{}）。\n旧编码升级：{}\n不在任何网格内：{}",
            r.imported, r.file, r.migrated_codes, r.unlocated
        ),
        Lang::En => format!(
            "Imported {} records from {}.\nLegacy codes migrated: {}\nOutside every grid: {}",
            r.imported, r.file, r.migrated_codes, r.unlocated
        ),
    }
}

fn run_import(app: &AppHandle, ds: Dataset, path: PathBuf, lang: Lang) {
    let title = match lang {
        Lang::Zh => "导入",
        Lang::En => "Import",
    };
    let Some(loaded) = app.state::<Store>().ready() else {
        tell(
            app,
            MessageDialogKind::Error,
            title,
            crate::error::ErrorDto::not_ready().message,
        );
        return;
    };
    match loaded.engine.import(&path, ds, ImportOptions::default()) {
        Ok(report) => {
            tell(
                app,
                MessageDialogKind::Info,
                title,
                import_summary(&report, lang),
            );
            // The map redraws from the refreshed engine.
            if let Err(e) = app.emit("store-changed", ()) {
                eprintln!("griddesk: cannot notify the window: {e}");
            }
        }
        Err(e) => {
            let head = match lang {
                Lang::Zh => "没有导入任何记录",
                Lang::En => "Nothing was imported",
            };
            tell(
                app,
                MessageDialogKind::Error,
                title,
                format!("{head}:\n{e}"),
            );
        }
    }
}

fn run_export(app: &AppHandle, ds: Dataset, path: PathBuf, lang: Lang) {
    let title = match lang {
        Lang::Zh => "导出",
        Lang::En => "Export",
    };
    let Some(loaded) = app.state::<Store>().ready() else {
        tell(
            app,
            MessageDialogKind::Error,
            title,
            crate::error::ErrorDto::not_ready().message,
        );
        return;
    };
    match loaded.engine.export(&path, ds) {
        Ok(n) => {
            let text = match lang {
                Lang::Zh => format!("已导出 {n} 条记录到\n{}", path.display()),
                Lang::En => format!("Exported {n} records to\n{}", path.display()),
            };
            tell(app, MessageDialogKind::Info, title, text);
        }
        Err(e) => tell(app, MessageDialogKind::Error, title, e.to_string()),
    }
}

/// Asks for a file and imports it as `ds` on a worker thread.
pub fn import_dialog(app: &AppHandle, ds: Dataset, lang: Lang) {
    let handle = app.clone();
    app.dialog()
        .file()
        .set_title(dataset_label(ds, lang))
        .add_filter(dataset_label(ds, lang), extensions(ds))
        .pick_file(move |picked| {
            let Some(path) = picked.and_then(|p| p.into_path().ok()) else {
                return;
            };
            let spawned = std::thread::Builder::new()
                .name("griddesk-import".into())
                .spawn(move || run_import(&handle, ds, path, lang));
            if let Err(e) = spawned {
                eprintln!("griddesk: cannot start the import thread: {e}");
            }
        });
}

/// Asks where to write `ds` and exports it on a worker thread.
pub fn export_dialog(app: &AppHandle, ds: Dataset, lang: Lang) {
    let handle = app.clone();
    let ext = extensions(ds)[0];
    app.dialog()
        .file()
        .set_title(dataset_label(ds, lang))
        .add_filter(dataset_label(ds, lang), extensions(ds))
        .set_file_name(format!("{}.{ext}", ds.key()))
        .save_file(move |picked| {
            let Some(path) = picked.and_then(|p| p.into_path().ok()) else {
                return;
            };
            let spawned = std::thread::Builder::new()
                .name("griddesk-export".into())
                .spawn(move || run_export(&handle, ds, path, lang));
            if let Err(e) = spawned {
                eprintln!("griddesk: cannot start the export thread: {e}");
            }
        });
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
