//! Import and export: GeoJSON (RFC 7946), CSV, ESRI Shapefile and OGC GeoPackage in and out,
//! XLSX in, with every problem in the input
//! reported as a [`Reject`] that names the file, the feature (GeoJSON, 0-based) or line (CSV,
//! 1-based, the header is line 1; XLSX: the worksheet row, likewise) and the field. Import
//! templates for every dataset: [`write_template`].
//!
//! # Rules
//! * **Imports are transactions.** All rows of a file are written in one [`griddesk_store::ModelStore::write_model`] (`Store::write`); a
//!   failure part-way (for example a duplicate key that only SQLite notices) leaves nothing.
//! * **Bad input is refused whole.** If any row is rejected, nothing is written and
//!   [`import_file`] returns [`Error::ImportRejected`], unless [`ImportOptions::valid_only`] is
//!   set: then the valid rows are imported and the rejects are listed in the [`ImportReport`].
//!   [`ImportOptions::dry_run`] validates and reports without writing (use it to get the full
//!   reject list of a refused file).
//! * The [`SpatialIndex`] passed in is the context for validation (known streets, communities,
//!   grids, code tables, existing codes) and for grid assignment. It is *not* updated: rebuild it
//!   from the store after an import.
//!
//! # File formats
//! Property (GeoJSON) and column (CSV, XLSX) names are snake_case English as in the model; names
//! are matched without regard to ASCII case, a trailing `*` (templates mark required columns so)
//! is ignored, and a few CJ/T 214 / Chinese aliases are accepted (listed in brackets). Unknown properties and columns are ignored. Empty strings and JSON
//! `null` count as absent. Dates are `YYYY-MM-DD` (also `YYYYMMDD`, `YYYY/MM/DD`); date-times
//! `YYYY-MM-DD HH:MM:SS` (also with `T`, or without seconds). An optional boolean `sample`
//! marks generated sample data.
//!
//! | Dataset | Formats | Geometry | Fields (required in **bold**) |
//! |---|---|---|---|
//! | streets | GeoJSON, Shapefile, GeoPackage; CSV, XLSX (import) | Polygon / MultiPolygon; CSV/XLSX **wkt** [geometry, 几何, 边界WKT, 边界] | **code** (9 digits; district must be the store's) [street_code, 街道编码], **name** [名称, 街道名称] |
//! | communities | GeoJSON, Shapefile, GeoPackage; CSV, XLSX (import) | Polygon / MultiPolygon; CSV/XLSX **wkt** | **code** (12 digits; street must exist) [community_code, 社区编码], **name** [名称, 社区名称] |
//! | grids | GeoJSON, Shapefile, GeoPackage; CSV, XLSX (import) | Polygon (or a MultiPolygon of one polygon); CSV/XLSX **wkt** | **code** (15 digits, or 14-digit legacy, migrated) [BGCODE, BGID, 网格编码], name [网格名称], land_use [用地类别], level [管理等级], **start_date** [ORDATE, 初始日期, 开始日期], end_date [终止日期, 结束日期] |
//! | duty grids | CSV; XLSX (import) | — | **code**, **name**, **inspector** [监督员], **grids**: member unit-grid codes in one field separated by `;` (also `；`, `\|` or spaces) |
//! | components | GeoJSON, CSV; XLSX (import) | Point; CSV/XLSX **lon**, **lat** [lng, longitude, x, 经度 / latitude, y, 纬度] | **code** (16 digits) [OBJCODE, OBJID, 部件标识码], class_code (must equal the code's class), owner [DEPTNAME2, 权属单位], maintainer [DEPTNAME3, 养护单位], state (`intact`… or 完好/破损/丢失/占用; default intact) [OBJSTATE] |
//! | cases | GeoJSON, CSV; XLSX (import) | Point; CSV/XLSX **lon**, **lat** | **id** [TASKNUM, 任务号], **kind** (event/component/事件/部件), **class_code**, component, **source** (key or Chinese label), **reported_at**, status (key or label; default reported), description |
//!
//! XLSX (`.xlsx`, see `xlsx_in.rs`): the first worksheet, its first row the header; number
//! cells read as their digits (a code Excel stores as a number keeps no `.0`), date cells as
//! dates. WKT (CSV, XLSX) is lon/lat.
//!
//! `area_m2` (grids) and `grid` (components, cases) are computed on import and written on
//! export; values found in the input are ignored. A grid's community is its code prefix and must
//! exist; the grid's interior must lie in that community. Components and cases get the unit grid
//! that contains their point (boundary rule of [`SpatialIndex::grid_at`]); points outside every
//! active grid are imported without a grid and counted in [`ImportReport::unlocated`].
//!
//! # Shapefile, GeoPackage and coordinate systems
//! Shapefile (`.shp`, see `shp.rs`) and GeoPackage (`.gpkg`, see `gpkg.rs`) records are read as
//! feature tables with the same field names; rejects name the file, the record (Shapefile:
//! 1-based record number; GeoPackage: `fid`) and the field. A file's CRS is chosen on import
//! ([`SourceOptions::crs`]; by default from the `.prj` or the GeoPackage `srs_id`) and on export
//! ([`TargetOptions::crs`]): lon/lat, CGCS2000 3-degree Gauss-Krüger (EPSG:4513–4554) or
//! GCJ-02 ([`crs`]); a file on Beijing 1954 or Xian 1980 is refused unless the local seven
//! parameters are given (`docs/exchange.md`). Stored data is always CGCS2000/WGS84 lon/lat. Shapefile text is UTF-8 or
//! GBK ([`TextEncoding`]), recorded in the `.cpg`. Field names are at most 10 characters (all
//! names above are). Responsibility zones and road lines are exchanged through
//! [`crate::zones::exchange`].
//!
//! Export writes the same names, so export → import gives the same data. CSV exports of
//! components and cases start with `lon,lat`; coordinates are written in Rust's shortest
//! round-trip form. The district comes from a boundary file such as the national one with a
//! `gb` property (`"156"` + 6-digit code): see [`read_district`].

pub mod crs;
pub mod csv_in;
pub mod export;
pub mod fields;
pub mod geojson_in;
pub mod keys;
pub mod outlines;
pub mod records;
pub mod sheet;
pub mod shp;
pub mod stream;
pub mod table;
pub mod templates;
pub mod wkb_io;
pub mod xlsx_in;

pub use crs::{Crs, Towgs84};
pub use export::{export_file, export_file_to, write_csv, write_geojson};
pub use records::{read, Parsed, Records};
pub use table::{
    atomic_write, declared_crs, read_table, write_table, OutGeometry, OutKind, OutTable, OutValue,
};
pub use table::{SourceOptions, TargetOptions, TextEncoding};
pub use templates::{write_template, TemplateFormat};

pub use fields::check_lon_lat;

use crate::code::DistrictCode;
use crate::error::{Error, Result};
use crate::index::SpatialIndex;
use crate::locate::GridLocator;
use crate::message::{Message, MessageCode};
use crate::model::District;
use griddesk_store::ModelStore;
use rayon::prelude::*;
use serde::Serialize;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

/// The kind of records a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum Dataset {
    /// 街道/乡镇 boundaries.
    Streets,
    /// 社区/村 boundaries.
    Communities,
    /// 单元网格.
    Grids,
    /// 责任网格 (sets of unit grids per inspector).
    DutyGrids,
    /// 部件.
    Components,
    /// 案件.
    Cases,
}

impl crate::message::Term for Dataset {
    const VOCAB: &'static str = "dataset";
    fn term_key(&self) -> &str {
        self.key()
    }
}

impl Dataset {
    /// All datasets, in the order they must be imported (parents first).
    pub const ALL: [Dataset; 6] = [
        Dataset::Streets,
        Dataset::Communities,
        Dataset::Grids,
        Dataset::DutyGrids,
        Dataset::Components,
        Dataset::Cases,
    ];

    /// Stable key (`streets`, `communities`, `grids`, `duty-grids`, `components`, `cases`).
    pub fn key(self) -> &'static str {
        match self {
            Dataset::Streets => "streets",
            Dataset::Communities => "communities",
            Dataset::Grids => "grids",
            Dataset::DutyGrids => "duty-grids",
            Dataset::Components => "components",
            Dataset::Cases => "cases",
        }
    }

    /// Whether the dataset can be written to (exported as) `format`, and read from it.
    /// Imports take more: see [`Dataset::imports_from`].
    pub fn supports(self, format: Format) -> bool {
        if format == Format::Xlsx {
            return false;
        }
        match self {
            Dataset::Streets | Dataset::Communities | Dataset::Grids => format != Format::Csv,
            Dataset::DutyGrids => format == Format::Csv,
            Dataset::Components | Dataset::Cases => {
                matches!(format, Format::GeoJson | Format::Csv)
            }
        }
    }
}

impl Dataset {
    /// Whether the dataset can be imported from `format`: what it can be exported as, and
    /// CSV and XLSX for every dataset (polygons as WKT in a `wkt` column).
    pub fn imports_from(self, format: Format) -> bool {
        matches!(format, Format::Csv | Format::Xlsx) || self.supports(format)
    }
}

impl fmt::Display for Dataset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl FromStr for Dataset {
    type Err = Error;

    /// Accepts the key, its singular, `_` for `-`, and the Chinese name (街道, 社区, 网格…).
    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim().to_ascii_lowercase().replace('_', "-");
        Ok(match t.as_str() {
            "streets" | "street" | "街道" => Dataset::Streets,
            "communities" | "community" | "社区" => Dataset::Communities,
            "grids" | "grid" | "unit-grids" | "网格" | "单元网格" => Dataset::Grids,
            "duty-grids" | "duty-grid" | "责任网格" => Dataset::DutyGrids,
            "components" | "component" | "部件" => Dataset::Components,
            "cases" | "case" | "案件" => Dataset::Cases,
            _ => {
                return Err(Error::Invalid(
                    Message::new(MessageCode::UnknownDataset)
                        .text("value", s)
                        .en(format!(
                    "unknown dataset `{s}` (expected streets, communities, grids, duty-grids, components or cases)"
                )),
                ))
            }
        })
    }
}

/// File format, from the file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// RFC 7946 GeoJSON FeatureCollection (`.geojson`, `.json`).
    GeoJson,
    /// CSV with a header row (`.csv`), UTF-8 or GB18030/GBK (detected, or `--encoding`).
    Csv,
    /// ESRI Shapefile (`.shp` with `.shx`, `.dbf`, `.prj`, `.cpg`).
    Shapefile,
    /// OGC GeoPackage (`.gpkg`).
    GeoPackage,
    /// Office Open XML workbook (`.xlsx`): the first worksheet, a header row (import only).
    Xlsx,
}

impl Format {
    /// The format's name as people know it (`GeoJSON`, `CSV`, `Shapefile`, `GeoPackage`).
    pub fn name(self) -> &'static str {
        match self {
            Format::GeoJson => "GeoJSON",
            Format::Csv => "CSV",
            Format::Shapefile => "Shapefile",
            Format::GeoPackage => "GeoPackage",
            Format::Xlsx => "XLSX",
        }
    }

    /// The format for a path's extension (`.geojson`, `.json`, `.csv`, `.shp`, `.gpkg`,
    /// `.xlsx`, any case).
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "geojson" | "json" => Some(Format::GeoJson),
            "csv" => Some(Format::Csv),
            "shp" => Some(Format::Shapefile),
            "gpkg" => Some(Format::GeoPackage),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }
}

pub use griddesk_core::error::{Reject, Rejects};

/// How to import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Import the valid rows of a file that has rejects (listed in the report) instead of
    /// refusing the whole file.
    pub valid_only: bool,
    /// Validate and report, write nothing. A dry run never fails on rejects: they are listed in
    /// the report whatever `valid_only` says.
    pub dry_run: bool,
}

/// What an import did (or, for a dry run, would do).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportReport {
    /// File name as given.
    pub file: String,
    /// What the file holds.
    pub dataset: Dataset,
    /// Records written (for a dry run: records that would be written).
    pub imported: usize,
    /// 14-digit legacy grid codes migrated to 15 digits (grids and duty-grid members).
    pub migrated_codes: usize,
    /// Components or cases whose point lies in no active grid (imported without a grid).
    pub unlocated: usize,
    /// Refused records (the first [`Rejects::KEEP`] and the total); empty unless
    /// `valid_only` or `dry_run`.
    pub rejects: Rejects,
    /// Nothing was written.
    pub dry_run: bool,
}

/// Bulk point locator: for each `[lon, lat]`, the position in [`SpatialIndex::grids`] of the
/// grid that contains it.
pub type Locate<'a> = dyn Fn(&[[f64; 2]]) -> Vec<Option<usize>> + Sync + 'a;

/// Locates points with [`GridLocator`] (same answers as [`SpatialIndex::grid_at`]); for small
/// batches the raster is not worth building and the R-tree is queried in parallel.
pub fn locate_points(index: &SpatialIndex, pts: &[[f64; 2]]) -> Vec<Option<usize>> {
    if pts.len() < 20_000 {
        return pts.par_iter().map(|p| index.grid_at(p[0], p[1])).collect();
    }
    let locator = GridLocator::build(index);
    locator
        .locate_many(index, pts)
        .into_iter()
        .map(|g| g.map(|g| g as usize))
        .collect()
}

/// Reads, validates and imports a file into the store in one transaction, locating components
/// and cases with [`locate_points`]. See the module docs for formats and rules.
///
/// Errors: [`Error::Io`] if the file cannot be read, [`Error::Invalid`] for an unknown extension
/// or a dataset the format cannot carry, [`Error::ImportRejected`] if rows were rejected and
/// `valid_only` is off (nothing written), and store errors (nothing written).
pub fn import_file(
    store: &mut dyn ModelStore,
    index: &SpatialIndex,
    path: &Path,
    dataset: Dataset,
    opts: ImportOptions,
) -> Result<ImportReport> {
    import_file_with(store, index, path, dataset, opts, &|pts| {
        locate_points(index, pts)
    })
}

/// [`import_file_with`] reading the file with `source` options: its CRS (converted to lon/lat)
/// and, for a Shapefile or a CSV file, its text encoding. GeoJSON in lon/lat and CSV take the
/// plain path.
pub fn import_file_from(
    store: &mut dyn ModelStore,
    index: &SpatialIndex,
    path: &Path,
    dataset: Dataset,
    opts: ImportOptions,
    source: &SourceOptions,
    locate: &Locate<'_>,
) -> Result<ImportReport> {
    let file = path.display().to_string();
    let format = Format::from_path(path).ok_or_else(|| {
        Error::Invalid(
            Message::new(MessageCode::UnknownFileType)
                .text("file", &file)
                .text("expected", ".geojson, .json, .csv, .xlsx, .shp, .gpkg")
                .en(format!(
                    "{file}: unknown file type (expected .geojson, .json, .csv, .xlsx, .shp or .gpkg)"
                )),
        )
    })?;
    if !dataset.imports_from(format) {
        return Err(Error::Invalid(
            Message::new(MessageCode::DatasetNotInFormat)
                .text("file", &file)
                .term("dataset", dataset)
                .text("format", format.name())
                .en(format!("{file}: {dataset} cannot be read from {format:?}")),
        ));
    }
    // A GeoJSON file may name its CRS in a `crs` member (as GDAL writes one not in lon/lat).
    let mut named = *source;
    if format == Format::GeoJson && source.crs.is_none() {
        match geojson_in::crs_member(&file, &geojson_head(path)?) {
            Ok(c) => named.crs = c,
            Err(r) => {
                let parsed = Parsed {
                    records: Records::empty(dataset),
                    rejects: std::iter::once(r).collect(),
                    migrated_codes: 0,
                };
                return finish_import(store, index, &file, parsed, dataset, opts, locate);
            }
        }
    }
    let source = &named;
    let as_table = matches!(format, Format::Shapefile | Format::GeoPackage)
        || (format == Format::GeoJson && source.crs.is_some_and(|c| !c.is_lon_lat()));
    if !as_table {
        // Opened here so that a missing or unreadable file is an I/O error, not a reject; read
        // as it is converted (CSV streams, docs/exchange.md "Large files").
        std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        if format == Format::Csv {
            if let Some(done) = stream::import_csv(
                store,
                index,
                path,
                &file,
                source.encoding,
                dataset,
                opts,
                locate,
            ) {
                return done;
            }
        }
        let parsed = records::read_source(
            &file,
            &records::Source::File(path, format, source.encoding),
            dataset,
            index,
        );
        return finish_import(store, index, &file, parsed, dataset, opts, locate);
    }
    if !path.exists() {
        return Err(Error::io(
            path,
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        ));
    }
    let parsed = match read_table(path, source, dataset.key()) {
        Ok(t) => records::read_source(&file, &records::Source::Table(&t), dataset, index),
        Err(r) => Parsed {
            records: Records::empty(dataset),
            rejects: std::iter::once(r).collect(),
            migrated_codes: 0,
        },
    };
    finish_import(store, index, &file, parsed, dataset, opts, locate)
}

/// The first 64 KiB of a file, where a GeoJSON `crs` member is.
fn geojson_head(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let mut head = Vec::with_capacity(64 * 1024);
    std::fs::File::open(path)
        .and_then(|f| f.take(64 * 1024).read_to_end(&mut head))
        .map_err(|e| Error::io(path, e))?;
    Ok(head)
}

/// [`import_file`] with a caller-supplied bulk locator (positions in `index.grids`).
/// Shapefiles and GeoPackages are read with default [`SourceOptions`] (CRS from the file).
pub fn import_file_with(
    store: &mut dyn ModelStore,
    index: &SpatialIndex,
    path: &Path,
    dataset: Dataset,
    opts: ImportOptions,
    locate: &Locate<'_>,
) -> Result<ImportReport> {
    import_file_from(
        store,
        index,
        path,
        dataset,
        opts,
        &SourceOptions::default(),
        locate,
    )
}

/// [`import_file_with`] on bytes already in memory; `file` names them in messages.
#[allow(clippy::too_many_arguments)]
pub fn import_bytes(
    store: &mut dyn ModelStore,
    index: &SpatialIndex,
    file: &str,
    bytes: &[u8],
    format: Format,
    dataset: Dataset,
    opts: ImportOptions,
    locate: &Locate<'_>,
) -> Result<ImportReport> {
    let parsed = read(file, bytes, format, dataset, index);
    finish_import(store, index, file, parsed, dataset, opts, locate)
}

fn finish_import(
    store: &mut dyn ModelStore,
    index: &SpatialIndex,
    file: &str,
    mut parsed: Parsed,
    dataset: Dataset,
    opts: ImportOptions,
    locate: &Locate<'_>,
) -> Result<ImportReport> {
    if !opts.valid_only && !opts.dry_run {
        parsed.rejects.refuse(file)?;
    }
    let unlocated = parsed.records.assign_grids(index, locate);
    let mut report = ImportReport {
        file: file.to_string(),
        dataset,
        imported: parsed.records.len(),
        migrated_codes: parsed.migrated_codes,
        unlocated,
        rejects: std::mem::take(&mut parsed.rejects),
        dry_run: opts.dry_run,
    };
    if opts.dry_run {
        return Ok(report);
    }
    let mut written = 0;
    store.write_model(&mut |w| {
        written = parsed.records.write(w)?;
        Ok(())
    })?;
    report.imported = written;
    Ok(report)
}

/// Reads a district boundary from a GeoJSON FeatureCollection: the feature whose `gb` property
/// is `"156"` + `code` (national boundary files), or whose `code` / `adcode` property is `code`.
/// The name comes from the `name` property.
pub fn read_district(path: &Path, code: DistrictCode) -> Result<District> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    geojson_in::read_district(&path.display().to_string(), &bytes, code)
}

/// Reads a district with [`read_district`] and stores it (inserting or replacing).
pub fn import_district(
    store: &mut dyn ModelStore,
    path: &Path,
    code: DistrictCode,
) -> Result<District> {
    let d = read_district(path, code)?;
    store.write_model(&mut |w| w.put_district(&d))?;
    Ok(d)
}
