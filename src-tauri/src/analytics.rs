//! Analytics commands (issue 6): thin wrappers over the engine's analytics views, all taking one
//! [`CaseFilter`]. The heatmap raster is kept here as PNG bytes and fetched by the map through
//! `griddesk://localhost/heatmap/<key>.png`; per-grid values travel as plain arrays keyed by
//! grid code (the map colours its own grid tiles with them). Exports go to the folder named by
//! `GRIDDESK_EXPORT_DIR` when set, else wherever the Save dialog says.

use crate::error::invalid;
use crate::error::ErrorDto;
use crate::store::Store;
use griddesk::analytics::choropleth::{BreakMethod, Choropleth};
use griddesk::analytics::heatmap::LegendStop;
use griddesk::analytics::hotspots::{HotspotParams, Hotspots};
use griddesk::analytics::load::{LoadBalance, LoadParams};
use griddesk::analytics::report::{self, Sheet};
use griddesk::analytics::summary::{summary_sheet, GroupBy, SummaryRow};
use griddesk::analytics::trends::{Bucket, Trends};
use griddesk::analytics::{now_minute, BulletinSpec, CaseFilter, HeatmapParams};
use griddesk::message::{Message, MessageCode as C};
use griddesk::model::{CaseSource, CaseStatus};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::Mutex;
use tauri::{AppHandle, Manager, State};
use tauri_plugin_dialog::DialogExt;
use ts_rs::TS;

/// Heatmap PNGs kept for the map to fetch (the latest few filters).
const KEEP_RASTERS: usize = 24;
/// Raster side in cells, whatever the UI asks for.
const MAX_RASTER: usize = 1024;
/// At most this many case ids per drill-down.
pub(crate) const MAX_DRILL: usize = 500;

/// Rendered heatmap PNGs by key.
#[derive(Default)]
pub struct Rasters(Mutex<VecDeque<(String, Vec<u8>)>>);

impl Rasters {
    fn put(&self, key: String, png: Vec<u8>) {
        if let Ok(mut q) = self.0.lock() {
            q.retain(|(k, _)| *k != key);
            q.push_back((key, png));
            while q.len() > KEEP_RASTERS {
                q.pop_front();
            }
        }
    }

    /// The PNG of a key, if still kept.
    pub fn get(&self, key: &str) -> Option<Vec<u8>> {
        let q = self.0.lock().ok()?;
        q.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    }
}

/// What the filter pane offers.
#[derive(Serialize, TS)]
pub struct OptionsDto {
    classes: Vec<Named>,
    sources: Vec<Named>,
    statuses: Vec<Named>,
    departments: Vec<String>,
    streets: Vec<Named>,
    communities: Vec<Named>,
    /// First and last report day of the cases.
    first_day: Option<chrono::NaiveDate>,
    last_day: Option<chrono::NaiveDate>,
    cases: usize,
}

/// A key with its Chinese name.
#[derive(Serialize, TS)]
#[ts(rename = "FilterOption")]
pub struct Named {
    key: String,
    name: String,
}

#[tauri::command]
pub async fn analytics_options(store: State<'_, Store>) -> Result<OptionsDto, ErrorDto> {
    let cols = store.engine()?.engine.case_columns();
    let r = &cols.regions;
    let mut majors: BTreeMap<String, String> = BTreeMap::new();
    for c in &cols.classes {
        let key = c.key();
        let major = key
            .get(..key.len().saturating_sub(2))
            .unwrap_or(&key)
            .to_string();
        majors
            .entry(major.clone())
            .or_insert_with(|| cols.class_name(&major));
    }
    let named = |(key, name): (String, String)| Named { key, name };
    let day = |d: Option<&i32>| d.map(|&n| griddesk::analytics::columns::day_date(n));
    Ok(OptionsDto {
        classes: majors.into_iter().map(named).collect(),
        sources: CaseSource::ALL
            .iter()
            .map(|s| named((s.key().into(), s.zh().into())))
            .collect(),
        statuses: CaseStatus::ALL
            .iter()
            .map(|s| named((s.key().into(), s.zh().into())))
            .collect(),
        departments: cols.departments.clone(),
        streets: r
            .street_codes
            .iter()
            .zip(&r.street_names)
            .map(|(c, n)| named((c.clone(), n.clone())))
            .collect(),
        communities: r
            .community_codes
            .iter()
            .zip(&r.community_names)
            .map(|(c, n)| named((c.clone(), n.clone())))
            .collect(),
        first_day: day(cols.day.iter().min()),
        last_day: day(cols.day.iter().max()),
        cases: cols.ids.len(),
    })
}

/// A heatmap ready to draw: where its PNG is and where it goes.
#[derive(Serialize, TS)]
pub struct HeatmapDto {
    /// `griddesk://localhost/heatmap/<key>.png`.
    key: String,
    /// Top-left, top-right, bottom-right, bottom-left, lon/lat (a MapLibre image source).
    corners: [[f64; 2]; 4],
    cases: usize,
    bandwidth_m: f64,
    /// Peak density, cases per km².
    max: f32,
    legend: Vec<LegendStop>,
}

#[tauri::command]
pub async fn analytics_heatmap(
    store: State<'_, Store>,
    rasters: State<'_, Rasters>,
    filter: CaseFilter,
    bandwidth_m: f64,
    size: usize,
    bounds: Option<[f64; 4]>,
) -> Result<HeatmapDto, ErrorDto> {
    if !(bandwidth_m.is_finite() && (10.0..=5000.0).contains(&bandwidth_m)) {
        return Err(invalid(
            Message::new(C::BandwidthRange)
                .length("bandwidth", bandwidth_m)
                .length("min", 10.0)
                .length("max", 5000.0)
                .en(format!("bandwidth {bandwidth_m} m is outside 10–5000 m")),
        ));
    }
    let size = size.clamp(64, MAX_RASTER);
    let (width, height) = match bounds {
        Some(b) => view_raster(b, size)?,
        None => (size, size),
    };
    let loaded = store.engine()?;
    let p = HeatmapParams {
        width,
        height,
        bandwidth_m,
        bbox: bounds,
        ..HeatmapParams::default()
    };
    let hm = loaded.engine.heatmap(&filter, &p)?;
    let png = hm.png(None)?;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    serde_json::to_string(&filter)
        .unwrap_or_default()
        .hash(&mut h);
    bandwidth_m.to_bits().hash(&mut h);
    size.hash(&mut h);
    bounds.map(|b| b.map(f64::to_bits)).hash(&mut h);
    loaded.generation.hash(&mut h);
    let key = format!("{:016x}", h.finish());
    rasters.put(key.clone(), png);
    Ok(HeatmapDto {
        key,
        corners: hm.corners,
        cases: hm.cases,
        bandwidth_m: hm.bandwidth_m,
        max: hm.max,
        legend: hm.legend(None),
    })
}

/// Raster columns and rows for a view `[west, south, east, north]` (lon/lat): the longer side
/// gets `size` cells, the other follows the view's shape in metres.
fn view_raster(b: [f64; 4], size: usize) -> Result<(usize, usize), ErrorDto> {
    let [w, s, e, n] = b;
    let ok = b.iter().all(|v| v.is_finite())
        && (-180.0..=180.0).contains(&w)
        && (-180.0..=180.0).contains(&e)
        && (-90.0..=90.0).contains(&s)
        && (-90.0..=90.0).contains(&n)
        && e > w
        && n > s;
    if !ok {
        return Err(invalid(Message::new(C::BadViewBounds).en(format!(
            "view bounds {b:?} are not west < east, south < north in degrees"
        ))));
    }
    let wide = (e - w) * ((s + n) / 2.0).to_radians().cos();
    let high = n - s;
    let side = |r: f64| ((size as f64 * r).round() as usize).clamp(16, size);
    Ok(if wide >= high {
        (size, side(high / wide))
    } else {
        (side(wide / high), size)
    })
}

#[tauri::command]
pub async fn analytics_choropleth(
    store: State<'_, Store>,
    filter: CaseFilter,
    method: Option<BreakMethod>,
) -> Result<Choropleth, ErrorDto> {
    Ok(store
        .engine()?
        .engine
        .grid_choropleth(&filter, method.unwrap_or_default(), 5)?)
}

#[tauri::command]
pub async fn analytics_hotspots(
    store: State<'_, Store>,
    filter: CaseFilter,
    top: usize,
) -> Result<Hotspots, ErrorDto> {
    let p = HotspotParams {
        top: top.clamp(1, 50),
        ..HotspotParams::default()
    };
    Ok(store.engine()?.engine.hotspots(&filter, &p)?)
}

#[tauri::command]
pub async fn analytics_trends(
    store: State<'_, Store>,
    filter: CaseFilter,
    bucket: Bucket,
) -> Result<Trends, ErrorDto> {
    Ok(store.engine()?.engine.trends(&filter, bucket, 6)?)
}

/// Cases, open, closed and overdue by street, community or department.
#[tauri::command]
pub async fn analytics_summary(
    store: State<'_, Store>,
    filter: CaseFilter,
    by: GroupBy,
) -> Result<Vec<SummaryRow>, ErrorDto> {
    Ok(store.engine()?.engine.case_summary(&filter, by)?)
}

/// The cases behind a figure (ids, first [`MAX_DRILL`]) and how many there are.
#[derive(Serialize, TS)]
pub struct DrillDto {
    total: usize,
    ids: Vec<String>,
}

impl DrillDto {
    /// The first ids of `total`.
    pub(crate) fn new(total: usize, ids: Vec<String>) -> Self {
        Self { total, ids }
    }
}

#[tauri::command]
pub async fn analytics_cases(
    store: State<'_, Store>,
    filter: CaseFilter,
) -> Result<DrillDto, ErrorDto> {
    let mut ids = store.engine()?.engine.case_ids(&filter)?;
    let total = ids.len();
    ids.truncate(MAX_DRILL);
    Ok(DrillDto { total, ids })
}

#[tauri::command]
pub async fn analytics_load(store: State<'_, Store>) -> Result<LoadBalance, ErrorDto> {
    let today = chrono::Local::now().date_naive();
    Ok(store.engine()?.engine.load_balance(&LoadParams::new(today)))
}

/// Which table an export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TableKind {
    Summary,
    Grids,
    Hotspots,
    Trends,
    Load,
}

/// File format of a table export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TableFormat {
    Xlsx,
    Csv,
}

/// Where an export goes: `GRIDDESK_EXPORT_DIR/<name>`, else the Save dialog's answer (`None` =
/// cancelled).
pub(crate) fn export_path(
    app: &AppHandle,
    name: &str,
    ext: &str,
) -> Result<Option<PathBuf>, ErrorDto> {
    if let Some(dir) = std::env::var_os("GRIDDESK_EXPORT_DIR").filter(|d| !d.is_empty()) {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).map_err(|source| griddesk::Error::Io {
            path: dir.clone(),
            source,
        })?;
        return Ok(Some(dir.join(name)));
    }
    let picked = app
        .dialog()
        .file()
        .set_file_name(name)
        .add_filter(ext, &[ext])
        .blocking_save_file();
    Ok(picked.and_then(|p| p.into_path().ok()))
}

/// Decodes `%XX` escapes (the UI sends the file stem with `encodeURIComponent`, headers being
/// ASCII); an invalid escape is kept as written.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b[i], hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(crate) fn safe_name(stem: &str, ext: &str) -> Result<String, ErrorDto> {
    let ok = !stem.is_empty()
        && stem.len() <= 120
        && !stem.contains(['/', '\\', ':', '\0'])
        && !stem.starts_with('.');
    if ok {
        Ok(format!("{stem}.{ext}"))
    } else {
        Err(invalid(
            Message::new(C::BadFileName)
                .text("name", stem)
                .en(format!("bad export file name `{stem}`")),
        ))
    }
}

/// Writes the shown table as XLSX or CSV; returns the path written (`None` = cancelled).
#[tauri::command]
pub async fn analytics_export_table(
    app: AppHandle,
    store: State<'_, Store>,
    filter: CaseFilter,
    table: TableKind,
    by: Option<GroupBy>,
    format: TableFormat,
    name: String,
) -> Result<Option<String>, ErrorDto> {
    let loaded = store.engine()?;
    let e = &loaded.engine;
    let sheets: Vec<Sheet> = match table {
        TableKind::Summary => {
            let by = by.unwrap_or(GroupBy::Street);
            vec![summary_sheet(&e.case_summary(&filter, by)?, by)]
        }
        TableKind::Grids => vec![Sheet::from_choropleth(
            &e.grid_choropleth(&filter, BreakMethod::Quantile, 5)?,
            &e.case_columns(),
        )],
        TableKind::Hotspots => {
            Sheet::from_hotspots(&e.hotspots(&filter, &HotspotParams::default())?)
        }
        TableKind::Trends => vec![Sheet::from_trends(&e.trends(&filter, Bucket::Month, 6)?)],
        TableKind::Load => vec![Sheet::from_load(
            &e.load_balance(&LoadParams::new(chrono::Local::now().date_naive())),
        )],
    };
    let ext = match format {
        TableFormat::Xlsx => "xlsx",
        TableFormat::Csv => "csv",
    };
    let file = safe_name(&name, ext)?;
    let Some(path) = export_path(&app, &file, ext)? else {
        return Ok(None);
    };
    match format {
        TableFormat::Xlsx => report::write_xlsx(&path, &sheets)?,
        TableFormat::Csv => {
            let first = sheets
                .first()
                .ok_or_else(|| invalid(Message::new(C::NothingToExport).en("nothing to export")))?;
            report::write_csv(&path, first)?;
        }
    }
    Ok(Some(path.display().to_string()))
}

/// Saves a PNG the map view composed (raw request body; file stem in the `x-name` header).
#[tauri::command]
pub async fn analytics_save_png(
    app: AppHandle,
    request: tauri::ipc::Request<'_>,
) -> Result<Option<String>, ErrorDto> {
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(invalid(
            Message::new(C::NotAPng).en("the PNG must be sent as raw bytes"),
        ));
    };
    if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Err(invalid(
            Message::new(C::NotAPng).en("the map image is not a PNG"),
        ));
    }
    let stem = request
        .headers()
        .get("x-name")
        .and_then(|v| v.to_str().ok())
        .map_or_else(|| "heatmap".to_string(), percent_decode);
    let file = safe_name(&stem, "png")?;
    let Some(path) = export_path(&app, &file, "png")? else {
        return Ok(None);
    };
    write_file(&path, bytes)?;
    Ok(Some(path.display().to_string()))
}

/// Writes the monthly bulletin (key figures, street table, hotspots, heatmap, trend) as HTML.
#[tauri::command]
pub async fn analytics_bulletin(
    app: AppHandle,
    store: State<'_, Store>,
    filter: CaseFilter,
    period: String,
    name: String,
) -> Result<Option<String>, ErrorDto> {
    let loaded = store.engine()?;
    let p = HeatmapParams::default();
    let html = loaded.engine.bulletin(&BulletinSpec {
        filter,
        period,
        as_of: now_minute(),
        heatmap_size: (p.width, p.height),
    })?;
    let file = safe_name(&name, "html")?;
    let Some(path) = export_path(&app, &file, "html")? else {
        return Ok(None);
    };
    write_file(&path, html.as_bytes())?;
    Ok(Some(path.display().to_string()))
}

fn write_file(path: &std::path::Path, bytes: &[u8]) -> Result<(), ErrorDto> {
    std::fs::write(path, bytes).map_err(|source| {
        griddesk::Error::Io {
            path: path.to_path_buf(),
            source,
        }
        .into()
    })
}

/// The PNG for `/heatmap/<key>.png`, if that path is a heatmap address.
pub fn heatmap_png(app: &AppHandle, path: &str) -> Option<Result<Vec<u8>, String>> {
    let key = path.strip_prefix("/heatmap/")?.strip_suffix(".png")?;
    Some(
        app.state::<Rasters>()
            .get(key)
            .ok_or_else(|| format!("no heatmap {key} (draw it again)")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_names_stay_in_their_folder() {
        assert_eq!(
            safe_name("热力图", "png").ok().as_deref(),
            Some("热力图.png")
        );
        assert!(safe_name("../x", "png").is_err());
        assert!(safe_name("", "png").is_err());
        assert!(safe_name(".hidden", "csv").is_err());
    }

    #[test]
    fn header_names_decode() {
        assert_eq!(percent_decode("%E7%83%AD%E5%8A%9B%E5%9B%BE-1"), "热力图-1");
        assert_eq!(percent_decode("a%2"), "a%2");
    }

    #[test]
    fn view_rasters_follow_the_view_shape() {
        assert_eq!(
            view_raster([121.0, 28.0, 121.2, 28.1], 1000).unwrap().0,
            1000
        );
        let (w, h) = view_raster([121.0, 28.0, 121.1, 28.2], 1000).unwrap();
        assert_eq!(h, 1000);
        assert!((430..=450).contains(&w), "{w}");
        assert!(view_raster([121.2, 28.0, 121.0, 28.1], 1000).is_err());
    }

    #[test]
    fn rasters_keep_the_latest() {
        let r = Rasters::default();
        for i in 0..(KEEP_RASTERS + 3) {
            r.put(i.to_string(), vec![i as u8]);
        }
        assert_eq!(r.get("0"), None);
        assert_eq!(
            r.get(&(KEEP_RASTERS + 2).to_string()),
            Some(vec![(KEEP_RASTERS + 2) as u8])
        );
    }
}
