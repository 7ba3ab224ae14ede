//! A real district's first day: File ▸ New (a district of one's own, or the sample), the setup
//! checklist, grids proposed for every community, departments with their classes. The engine
//! does the work (`griddesk::setup`); these commands pass the session and arguments.

use crate::cases::SignedIn;
use crate::error::{blocking, ErrorDto};
use crate::store::{resources_dir, Store};
use crate::transfer::{require_chosen, save_dialog, ChosenExports};
use griddesk::io::outlines::{county_catalogue, search_counties, CountyEntry, COUNTIES_FILE};
use griddesk::planning::history::EditMeta;
use griddesk::planning::propose::ProposalOptions;
use griddesk::planning::Applied;
use griddesk::setup::{DistrictProposal, DrawnBoundary, NewDistrict, SetupStatus};
use griddesk::users::Department;
use griddesk::Engine;
use std::path::PathBuf;
use std::sync::OnceLock;
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;

/// The bundled county outlines' names and codes, read once.
#[derive(Default)]
pub struct Counties(OnceLock<Vec<CountyEntry>>);

fn counties<'a>(app: &AppHandle, c: &'a Counties) -> Result<&'a [CountyEntry], ErrorDto> {
    if let Some(v) = c.0.get() {
        return Ok(v);
    }
    let list = county_catalogue(&resources_dir(app).join(COUNTIES_FILE))?;
    Ok(c.0.get_or_init(|| list))
}

/// County-level divisions matching `query` (name, "province city name" or a code prefix).
#[tauri::command]
pub async fn setup_counties(
    app: AppHandle,
    counties_state: State<'_, Counties>,
    query: String,
    limit: u32,
) -> Result<Vec<CountyEntry>, ErrorDto> {
    let all = counties(&app, &counties_state)?;
    Ok(search_counties(all, &query, limit.clamp(1, 200) as usize)
        .into_iter()
        .cloned()
        .collect())
}

/// The Save dialog for a new district's store (`None`: cancelled). The path chosen is the only
/// one (besides `GRIDDESK_EXPORT_DIR`) `setup_create_district` will write.
#[tauri::command]
pub async fn setup_pick_store(
    app: AppHandle,
    chosen: State<'_, ChosenExports>,
    name: String,
) -> Result<Option<String>, ErrorDto> {
    let lang = crate::menu::current_lang(&app);
    let dialog = app
        .dialog()
        .file()
        .add_filter(crate::menu::store_filter(lang), &["sqlite", "db"])
        .set_file_name(format!("{}.sqlite", sanitize(&name)));
    let picked = save_dialog(&chosen, dialog).await?;
    Ok(picked.map(|p| p.display().to_string()))
}

/// A file name from a district's name: no path separators or control characters.
fn sanitize(name: &str) -> String {
    let s: String = name
        .chars()
        .filter(|c| {
            !c.is_control() && !matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
        })
        .collect();
    if s.trim().is_empty() {
        "griddesk".into()
    } else {
        s.trim().to_string()
    }
}

/// The Open dialog for an outline file (GeoJSON).
#[tauri::command]
pub async fn setup_pick_outline(app: AppHandle) -> Result<Option<String>, ErrorDto> {
    crate::transfer::pick_path(&app, "GeoJSON", &["geojson", "json"]).await
}

/// Creates a real district's store at `path` (chosen in the Save dialog) and makes it the
/// window's store, signed in as its first administrator. A refusal (the file exists, a bad
/// code, a short password) comes back to the dialog; the open store stays as it was.
#[tauri::command]
pub async fn setup_create_district(
    app: AppHandle,
    chosen: State<'_, ChosenExports>,
    path: String,
    district: NewDistrict,
) -> Result<(), ErrorDto> {
    let path = PathBuf::from(path);
    require_chosen(&chosen, &path)?;
    let resources = resources_dir(&app);
    let p = path.clone();
    let made = blocking(move || Engine::create_district(&p, &resources, &district)).await?;
    let (engine, session) = made?;
    eprintln!("griddesk: created the district store {}", path.display());
    Store::install(&app, engine, path, Some(session));
    Ok(())
}

/// The setup checklist of the open store.
#[tauri::command]
pub async fn setup_status(store: State<'_, Store>) -> Result<SetupStatus, ErrorDto> {
    let loaded = store.engine()?;
    let status = blocking(move || loaded.engine.setup_status()).await?;
    Ok(status?)
}

/// Grids proposed for the communities (by default every one without grids); nothing written.
#[tauri::command]
pub async fn setup_propose(
    store: State<'_, Store>,
    communities: Option<Vec<String>>,
    options: Option<ProposalOptions>,
) -> Result<DistrictProposal, ErrorDto> {
    let loaded = store.engine()?;
    let opts = options.unwrap_or_default();
    let p = blocking(move || {
        loaded
            .engine
            .propose_district(communities.as_deref(), &opts)
    })
    .await?;
    Ok(p?)
}

/// Accepts the reviewed proposal as one undoable edit.
#[tauri::command]
pub async fn setup_accept(
    app: AppHandle,
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    token: u64,
    note: Option<String>,
) -> Result<Applied, ErrorDto> {
    let loaded = store.engine()?;
    let s = signed.get()?;
    let meta = EditMeta {
        note,
        ..EditMeta::default()
    };
    let a = blocking(move || loaded.engine.accept_district_proposal(&s, token, &meta)).await??;
    // The map redraws from the changed grids (as after an import).
    crate::store::notify_changed(&app);
    Ok(a)
}

/// Drops the proposal under review.
#[tauri::command]
pub async fn setup_discard(store: State<'_, Store>) -> Result<(), ErrorDto> {
    store.engine()?.engine.discard_district_proposal();
    Ok(())
}

/// Adds a street or community drawn on the map; returns its code. The window starts over on
/// the changed store (as after an import).
#[tauri::command]
pub async fn setup_draw_boundary(
    app: AppHandle,
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    boundary: DrawnBoundary,
) -> Result<String, ErrorDto> {
    let loaded = store.engine()?;
    let s = signed.get()?;
    let code = blocking(move || loaded.engine.draw_boundary(&s, &boundary)).await??;
    crate::store::notify_changed(&app);
    Ok(code)
}

/// Every department.
#[tauri::command]
pub async fn setup_departments(store: State<'_, Store>) -> Result<Vec<Department>, ErrorDto> {
    Ok(store.engine()?.engine.departments()?)
}

/// Adds a department with the classes routed to it (administrators), all or nothing.
#[tauri::command]
pub async fn setup_add_department(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    code: String,
    name: String,
    classes: Vec<String>,
) -> Result<(), ErrorDto> {
    let d = Department {
        code: code.trim().to_string(),
        name: name.trim().to_string(),
        active: true,
    };
    Ok(store
        .engine()?
        .engine
        .add_department_routed(&signed.get()?, &d, &classes)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn file_names_from_district_names() {
        assert_eq!(sanitize("路桥区"), "路桥区");
        assert_eq!(sanitize("a/b:c"), "abc");
        assert_eq!(sanitize("  "), "griddesk");
        assert!(Path::new(&sanitize("../x")).components().count() == 1);
    }
}
