//! The application menu. Labels follow the UI language; the View menu's layer items are given by
//! the UI (`sync_menu`) so the menu and the layer panel always agree.

use crate::store::{OpenMode, Store};
use crate::transfer;
use griddesk::io::Dataset;
use serde::{Deserialize, Serialize};
use tauri::menu::{
    CheckMenuItemBuilder, Menu, MenuBuilder, MenuEvent, MenuItemBuilder, SubmenuBuilder,
};
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_dialog::{DialogExt, MessageDialogKind};
use ts_rs::TS;

/// The two UI languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Zh,
    En,
}

/// One layer toggle in the View menu, as the UI names it.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct LayerItem {
    pub id: String,
    pub label: String,
    pub checked: bool,
}

/// What a menu click asks the UI to do (event `menu`).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum MenuAction {
    ToggleLayer {
        layer: String,
        visible: bool,
    },
    ZoomDistrict,
    Settings,
    About,
    /// File ▸ New: the window's New dialog (a district of one's own, or the sample).
    NewStore,
    /// File ▸ 打开市级中心…: the window asks for a centre's connection string.
    OpenCentre,
    /// File ▸ Import / Export ▸ dataset: the window's import/export dialog.
    Transfer {
        mode: transfer::Mode,
        /// [`Dataset::key`], which is its serde name.
        #[ts(as = "Dataset")]
        dataset: &'static str,
    },
}

const LAYER_PREFIX: &str = "view.layer.";
const IMPORT_PREFIX: &str = "file.import.";
const EXPORT_PREFIX: &str = "file.export.";

struct Labels {
    file: &'static str,
    open: &'static str,
    open_read_only: &'static str,
    new: &'static str,
    open_centre: &'static str,
    import: &'static str,
    export: &'static str,
    quit: &'static str,
    view: &'static str,
    zoom_district: &'static str,
    settings: &'static str,
    help: &'static str,
    about: &'static str,
    open_title: &'static str,
    new_title: &'static str,
    store_filter: &'static str,
    exists: &'static str,
}

/// The file-type name of stores in the file dialogs.
pub fn store_filter(lang: Lang) -> &'static str {
    labels(lang).store_filter
}

fn labels(lang: Lang) -> Labels {
    match lang {
        Lang::Zh => Labels {
            file: "文件",
            open: "打开数据库…",
            open_read_only: "以只读方式打开…",
            new: "新建辖区…",
            open_centre: "打开市级中心…",
            import: "导入",
            export: "导出",
            quit: "退出",
            view: "视图",
            zoom_district: "缩放到全区",
            settings: "设置…",
            help: "帮助",
            about: "关于 GridDesk",
            open_title: "打开 GridDesk 数据库",
            new_title: "新建 GridDesk 数据库",
            store_filter: "GridDesk 数据库",
            exists: "该文件已存在。新建数据库请选择一个新的文件名；要打开已有数据库请用“打开数据库…”。",
        },
        Lang::En => Labels {
            file: "File",
            open: "Open store…",
            open_read_only: "Open read-only…",
            new: "New district…",
            open_centre: "Open centre…",
            import: "Import",
            export: "Export",
            quit: "Quit",
            view: "View",
            zoom_district: "Zoom to district",
            settings: "Settings…",
            help: "Help",
            about: "About GridDesk",
            open_title: "Open a GridDesk store",
            new_title: "New GridDesk store",
            store_filter: "GridDesk store",
            exists: "That file already exists. Choose a new file name for a new store, or use “Open store…” to open an existing one.",
        },
    }
}

/// Builds the whole menu bar.
pub fn build<R: Runtime>(
    app: &AppHandle<R>,
    lang: Lang,
    layers: &[LayerItem],
) -> tauri::Result<Menu<R>> {
    let l = labels(lang);
    let mut import = SubmenuBuilder::new(app, l.import);
    let mut export = SubmenuBuilder::new(app, l.export);
    for ds in Dataset::ALL {
        let name = transfer::dataset_label(ds, lang);
        import = import.text(format!("{IMPORT_PREFIX}{}", ds.key()), format!("{name}…"));
        export = export.text(format!("{EXPORT_PREFIX}{}", ds.key()), format!("{name}…"));
    }
    let file = SubmenuBuilder::new(app, l.file)
        .item(
            &MenuItemBuilder::with_id("file.open", l.open)
                .accelerator("CmdOrCtrl+O")
                .build(app)?,
        )
        .item(&MenuItemBuilder::with_id("file.open-read-only", l.open_read_only).build(app)?)
        .item(
            &MenuItemBuilder::with_id("file.new", l.new)
                .accelerator("CmdOrCtrl+N")
                .build(app)?,
        )
        .item(&MenuItemBuilder::with_id("file.open-centre", l.open_centre).build(app)?)
        .separator()
        .item(&import.build()?)
        .item(&export.build()?)
        .separator()
        .item(
            &MenuItemBuilder::with_id("file.quit", l.quit)
                .accelerator("CmdOrCtrl+Q")
                .build(app)?,
        )
        .build()?;
    let mut view = SubmenuBuilder::new(app, l.view);
    for layer in layers {
        view = view.item(
            &CheckMenuItemBuilder::with_id(format!("{LAYER_PREFIX}{}", layer.id), &layer.label)
                .checked(layer.checked)
                .build(app)?,
        );
    }
    if !layers.is_empty() {
        view = view.separator();
    }
    let view = view
        .item(
            &MenuItemBuilder::with_id("view.zoom-district", l.zoom_district)
                .accelerator("CmdOrCtrl+0")
                .build(app)?,
        )
        .separator()
        .item(&MenuItemBuilder::with_id("view.settings", l.settings).build(app)?)
        .build()?;
    let help = SubmenuBuilder::new(app, l.help)
        .text("help.about", l.about)
        .build()?;
    MenuBuilder::new(app).items(&[&file, &view, &help]).build()
}

fn emit(app: &AppHandle, action: MenuAction) {
    if let Err(e) = app.emit("menu", action) {
        eprintln!("griddesk: cannot send a menu action to the window: {e}");
    }
}

/// Menu clicks.
pub fn on_event(app: &AppHandle, event: MenuEvent) {
    let id = event.id().as_ref();
    match id {
        "file.open" => choose_store(app, OpenMode::Existing, current_lang(app)),
        "file.open-read-only" => choose_store(app, OpenMode::ReadOnly, current_lang(app)),
        "file.new" => emit(app, MenuAction::NewStore),
        "file.open-centre" => emit(app, MenuAction::OpenCentre),
        "file.quit" => app.exit(app.state::<Store>().exit_code()),
        "view.zoom-district" => emit(app, MenuAction::ZoomDistrict),
        "view.settings" => emit(app, MenuAction::Settings),
        "help.about" => emit(app, MenuAction::About),
        _ => {
            if let Some(ds) = id
                .strip_prefix(IMPORT_PREFIX)
                .and_then(transfer::dataset_from_key)
            {
                emit(
                    app,
                    MenuAction::Transfer {
                        mode: transfer::Mode::Import,
                        dataset: ds.key(),
                    },
                );
            } else if let Some(ds) = id
                .strip_prefix(EXPORT_PREFIX)
                .and_then(transfer::dataset_from_key)
            {
                emit(
                    app,
                    MenuAction::Transfer {
                        mode: transfer::Mode::Export,
                        dataset: ds.key(),
                    },
                );
            } else if let Some(layer) = id.strip_prefix(LAYER_PREFIX) {
                let visible = app
                    .menu()
                    .and_then(|m| m.get(id))
                    .and_then(|item| item.as_check_menuitem().and_then(|c| c.is_checked().ok()))
                    .unwrap_or(true);
                emit(
                    app,
                    MenuAction::ToggleLayer {
                        layer: layer.to_string(),
                        visible,
                    },
                );
            }
        }
    }
}

/// The language the UI last told the menu (kept as app state by `sync_menu`).
pub struct MenuLang(pub std::sync::Mutex<Lang>);

pub fn current_lang(app: &AppHandle) -> Lang {
    app.try_state::<MenuLang>()
        .and_then(|l| l.0.lock().ok().map(|g| *g))
        .unwrap_or(Lang::Zh)
}

/// Shows a file dialog and opens (or creates and seeds) the chosen store. Returns at once; the
/// window learns the outcome from the `store-changed` event.
pub fn choose_store(app: &AppHandle, mode: OpenMode, lang: Lang) {
    let l = labels(lang);
    let dialog = app
        .dialog()
        .file()
        .add_filter(l.store_filter, &["sqlite", "db"]);
    let handle = app.clone();
    match mode {
        OpenMode::Existing | OpenMode::ReadOnly => {
            dialog.set_title(l.open_title).pick_file(move |picked| {
                if let Some(path) = picked.and_then(|p| p.into_path().ok()) {
                    Store::open(&handle, path, mode, false);
                }
            })
        }
        OpenMode::Seed => dialog
            .set_title(l.new_title)
            .set_file_name("griddesk.sqlite")
            .save_file(move |picked| {
                let Some(path) = picked.and_then(|p| p.into_path().ok()) else {
                    return;
                };
                if path.exists() {
                    handle
                        .dialog()
                        .message(l.exists)
                        .kind(MessageDialogKind::Warning)
                        .show(|_| {});
                    return;
                }
                Store::open(&handle, path, OpenMode::Seed, false);
            }),
    }
}
