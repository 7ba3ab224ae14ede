//! Feature tables: the common shape of Shapefile, GeoPackage (and GeoJSON read through the
//! `geojson` crate) records — text attributes plus one geometry, already converted to lon/lat —
//! and the writers' input.

use super::crs::{Crs, Transformer};
use super::fields::{check_lon_lat, clip, Field, Problem, Record};
use super::{Format, Reject};
use crate::error::{Error, Position, Result};
use crate::message::{Geom, Message, MessageCode as C, Reason};
use geo::{MapCoords, Validation};
use geo_types::{Geometry, MultiPolygon, Point};
use serde::Serialize;
use std::borrow::Cow;
use std::path::Path;

/// Text encoding of Shapefile attributes (`.dbf`), named in the `.cpg` file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TextEncoding {
    /// UTF-8 (`.cpg`: `UTF-8`).
    #[default]
    Utf8,
    /// GBK / CP936, common in Chinese GIS data (`.cpg`: `GBK`).
    Gbk,
}

impl TextEncoding {
    /// Parses `utf-8`/`utf8`/`65001` or `gbk`/`cp936`/`936`/`gb2312`/`gb18030`.
    pub fn parse(s: &str) -> Option<Self> {
        match s
            .trim()
            .to_ascii_lowercase()
            .replace(['-', '_'], "")
            .as_str()
        {
            "utf8" | "65001" | "unicode" => Some(TextEncoding::Utf8),
            "gbk" | "cp936" | "936" | "gb2312" | "gb18030" | "ansi936" => Some(TextEncoding::Gbk),
            _ => None,
        }
    }

    /// The name written to a `.cpg` file.
    pub fn cpg(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Gbk => "GBK",
        }
    }

    pub fn encoding(self) -> &'static encoding_rs::Encoding {
        match self {
            TextEncoding::Utf8 => encoding_rs::UTF_8,
            TextEncoding::Gbk => encoding_rs::GBK,
        }
    }
}

/// How to read a Shapefile or GeoPackage (and a GeoJSON file in another CRS).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SourceOptions {
    /// The file's CRS; `None`: from the `.prj` / the GeoPackage's `srs_id`, else lon/lat.
    pub crs: Option<Crs>,
    /// Attribute encoding of a Shapefile; `None`: from the `.cpg`, else the `.dbf` language
    /// byte, else UTF-8 when the text is valid UTF-8 and GBK otherwise.
    pub encoding: Option<TextEncoding>,
}

/// How to write a Shapefile or GeoPackage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TargetOptions {
    /// The CRS to write (default lon/lat, CGCS2000).
    pub crs: Crs,
    /// Attribute encoding of a Shapefile (default UTF-8); recorded in the `.cpg`.
    pub encoding: TextEncoding,
}

/// One record of a feature table.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRecord {
    /// 1-based record number (Shapefile) or feature id (GeoPackage).
    pub position: Position,
    /// Attributes: name and trimmed text (`None` when null or blank).
    pub fields: Vec<(String, Option<String>)>,
    /// The geometry in lon/lat, or why it could not be read or converted.
    pub geometry: std::result::Result<Option<Geometry<f64>>, Reason>,
}

/// The records of a file, in file order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub records: Vec<TableRecord>,
    /// The CRS the coordinates were converted from.
    pub crs: Crs,
}

const GEOMETRY: Option<&str> = Some("geometry");

impl TableRecord {
    fn geom(&self) -> std::result::Result<&Geometry<f64>, Problem> {
        match &self.geometry {
            Ok(Some(g)) => Ok(g),
            Ok(None) => Err(Problem::new(
                GEOMETRY,
                Message::new(C::NoGeometry).en("record has no geometry"),
            )),
            Err(e) => Err(Problem::new(GEOMETRY, e.clone())),
        }
    }

    /// The record's line (a LineString, or a MultiLineString of one part).
    pub fn line(&self) -> std::result::Result<geo_types::LineString<f64>, Problem> {
        match self.geom()? {
            Geometry::LineString(l) => Ok(l.clone()),
            Geometry::MultiLineString(m) if m.0.len() == 1 => Ok(m.0[0].clone()),
            Geometry::MultiLineString(m) => Err(Problem::new(
                GEOMETRY,
                Message::new(C::RoadLineOneLine)
                    .int("count", m.0.len())
                    .en(format!(
                        "a road line is one line, found {} parts",
                        m.0.len()
                    )),
            )),
            other => Err(Problem::new(GEOMETRY, expected(&[Geom::Line], other))),
        }
    }
}

/// "expected a point, found a line".
fn expected(want: &[Geom], found: &Geometry<f64>) -> Reason {
    let names: Vec<&str> = want
        .iter()
        .map(|g| match g {
            Geom::Point => "a point",
            Geom::Line => "a line",
            _ => "a polygon",
        })
        .collect();
    Message::new(C::ExpectedGeometry)
        .terms("expected", want.iter().copied())
        .term("found", Geom::of(found))
        .en(format!(
            "expected {}, found {}",
            names.join(" or "),
            kind(found)
        ))
}

fn kind(g: &Geometry<f64>) -> &'static str {
    match g {
        Geometry::Point(_) => "a point",
        Geometry::MultiPoint(_) => "a multipoint",
        Geometry::LineString(_) | Geometry::Line(_) => "a line",
        Geometry::MultiLineString(_) => "a multiline",
        Geometry::Polygon(_) | Geometry::Rect(_) | Geometry::Triangle(_) => "a polygon",
        Geometry::MultiPolygon(_) => "a multipolygon",
        Geometry::GeometryCollection(_) => "a geometry collection",
    }
}

impl Record for TableRecord {
    fn text(&self, f: &Field) -> std::result::Result<Option<Cow<'_, str>>, Reason> {
        Ok(self
            .fields
            .iter()
            .find(|(k, _)| f.matches(k))
            .and_then(|(_, v)| v.as_deref())
            .map(Cow::Borrowed))
    }

    fn point(&self) -> std::result::Result<Point<f64>, Problem> {
        match self.geom()? {
            Geometry::Point(p) => Ok(*p),
            Geometry::MultiPoint(m) if m.0.len() == 1 => Ok(m.0[0]),
            other => Err(Problem::new(GEOMETRY, expected(&[Geom::Point], other))),
        }
    }

    fn polygons(&self) -> std::result::Result<MultiPolygon<f64>, Problem> {
        let mp = match self.geom()? {
            Geometry::Polygon(p) => MultiPolygon(vec![p.clone()]),
            Geometry::MultiPolygon(m) if !m.0.is_empty() => m.clone(),
            Geometry::MultiPolygon(_) => {
                return Err(Problem::new(
                    GEOMETRY,
                    Message::new(C::MultipolygonEmpty).en("multipolygon has no polygons"),
                ))
            }
            other => return Err(Problem::new(GEOMETRY, expected(&[Geom::Polygon], other))),
        };
        if let Err(e) = mp.check_validation() {
            return Err(Problem::new(
                GEOMETRY,
                super::geojson_in::invalid_multipolygon(&e),
            ));
        }
        // Shapefiles store exteriors clockwise; keep GeoJSON's counter-clockwise convention.
        use geo::orient::{Direction, Orient};
        Ok(mp.orient(Direction::Default))
    }
}

/// Converts a geometry from the file's CRS to lon/lat and checks the range.
pub fn to_lon_lat(g: Geometry<f64>, t: &Transformer) -> std::result::Result<Geometry<f64>, Reason> {
    let out = g.try_map_coords(|c| {
        let (x, y) = t.to_lon_lat(c.x, c.y).map_err(|e| e.reason())?;
        Ok::<_, Reason>(geo_types::Coord { x, y })
    })?;
    let mut bad = None;
    use geo::CoordsIter;
    for c in out.coords_iter() {
        if let Err(m) = check_lon_lat(c.x, c.y) {
            let projected = matches!(m.message.code, C::LooksProjected | C::LooksProjectedGk);
            bad = Some(if t.crs().is_lon_lat() && !projected {
                Message::new(C::NotLonLatGiveCrs)
                    .nested("reason", m.message.clone())
                    .en(format!(
                        "{m}: the coordinates are not lon/lat (give the file's CRS)"
                    ))
            } else {
                m
            });
            break;
        }
    }
    match bad {
        Some(m) => Err(m),
        None => Ok(out),
    }
}

/// A value to write.
#[derive(Debug, Clone, PartialEq)]
pub enum OutValue {
    Text(Option<String>),
    Real(Option<f64>),
    /// `YYYY-MM-DD`.
    Date(Option<chrono::NaiveDate>),
    Bool(bool),
}

/// Kind of an output column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutKind {
    Text,
    Real,
    Date,
    Bool,
}

/// Geometry type of an output table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutGeometry {
    Polygon,
    MultiPolygon,
    LineString,
}

/// A table to write: named columns (ASCII, at most 10 characters: the Shapefile limit),
/// rows of lon/lat geometry and values.
#[derive(Debug, Clone, PartialEq)]
pub struct OutTable {
    /// Layer / table name (GeoPackage).
    pub name: String,
    pub geometry: OutGeometry,
    pub columns: Vec<(&'static str, OutKind)>,
    pub rows: Vec<(Geometry<f64>, Vec<OutValue>)>,
}

/// The CRS a file names for itself: a Shapefile's `.prj`, a GeoJSON file's `crs` member.
/// `Ok(None)` when it names none or cannot be asked here (a GeoPackage, a CSV file); `Err`
/// when it names one GridDesk does not know. Used to apply `--towgs84` to the file's own
/// old-datum CRS.
pub fn declared_crs(path: &Path) -> std::result::Result<Option<Crs>, Reject> {
    let file = path.display().to_string();
    let unreadable =
        |e: std::io::Error| Reject::new(&file, Position::File, None, cannot_read(&file, &e));
    match Format::from_path(path) {
        Some(Format::Shapefile) => {
            let Some(prj) = super::shp::sibling(path, "prj") else {
                return Ok(None);
            };
            let wkt = std::fs::read_to_string(&prj).map_err(unreadable)?;
            Crs::from_prj(&wkt)
                .map(Some)
                .ok_or_else(|| super::shp::unknown_prj(&file))
        }
        Some(Format::GeoJson) => {
            use std::io::Read;
            let mut head = Vec::new();
            std::fs::File::open(path)
                .and_then(|f| f.take(64 * 1024).read_to_end(&mut head))
                .map_err(unreadable)?;
            super::geojson_in::crs_member(&file, &head)
        }
        _ => Ok(None),
    }
}

/// Reads a feature file (Shapefile, GeoPackage or GeoJSON) into a table in lon/lat.
/// `table` picks a GeoPackage table (default: the one named `default_table`, else the only one).
pub fn read_table(
    path: &Path,
    opts: &SourceOptions,
    default_table: &str,
) -> std::result::Result<Table, Reject> {
    let file = path.display().to_string();
    match Format::from_path(path) {
        Some(Format::Shapefile) => super::shp::read(path, opts),
        Some(Format::GeoPackage) => match GEOPACKAGE.get() {
            Some(g) => g.read(path, opts, default_table),
            None => Err(Reject::new(
                &path.display().to_string(),
                Position::File,
                None,
                Message::new(C::NotAGeopackage).en("GeoPackage support is not installed"),
            )),
        },
        Some(Format::GeoJson) => read_geojson(path, opts),
        _ => Err(Reject::new(
            &file,
            Position::File,
            None,
            Message::new(C::UnknownFileType)
                .text("file", &file)
                .text("expected", ".geojson, .json, .shp, .gpkg")
                .en("unknown file type (expected .geojson, .json, .shp or .gpkg)"),
        )),
    }
}

fn read_geojson(path: &Path, opts: &SourceOptions) -> std::result::Result<Table, Reject> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path)
        .map_err(|e| Reject::new(&file, Position::File, None, cannot_read(&file, &e)))?;
    let features = super::geojson_in::features(&file, &bytes)?;
    let crs = opts.crs.unwrap_or_default();
    let t = crs
        .transformer()
        .map_err(|e| Reject::new(&file, Position::File, None, e.reason()))?;
    let records = features
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let position = Position::Feature(i);
            let f: std::result::Result<geojson::Feature, _> = serde_json::from_value(v);
            match f {
                Err(e) => TableRecord {
                    position,
                    fields: vec![],
                    geometry: Err(Message::new(C::GeojsonNotFeature)
                        .text("found", "—")
                        .en(format!("not a GeoJSON feature: {e}"))),
                },
                Ok(f) => {
                    let fields = f
                        .properties
                        .iter()
                        .flatten()
                        .map(|(k, v)| (k.clone(), json_text(v)))
                        .collect();
                    let geometry = match f.geometry {
                        None => Ok(None),
                        Some(g) => Geometry::<f64>::try_from(g)
                            .map_err(|e| {
                                Message::new(C::GeometryUnreadable).en(format!("bad geometry: {e}"))
                            })
                            .and_then(|g| to_lon_lat(g, &t))
                            .map(Some),
                    };
                    TableRecord {
                        position,
                        fields,
                        geometry,
                    }
                }
            }
        })
        .collect();
    Ok(Table { records, crs })
}

fn json_text(v: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    let s = match v {
        Value::Null => return None,
        Value::String(s) => s.trim().to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    };
    (!s.is_empty()).then_some(s)
}

/// Writes a table as a Shapefile, GeoPackage or GeoJSON (by extension); returns the rows.
pub fn write_table(path: &Path, table: &OutTable, opts: &TargetOptions) -> Result<usize> {
    match Format::from_path(path) {
        Some(Format::Shapefile) => super::shp::write(path, table, opts),
        Some(Format::GeoPackage) => match GEOPACKAGE.get() {
            Some(g) => g.write(path, table, opts),
            None => Err(Error::Internal(
                "GeoPackage support is not installed".into(),
            )),
        },
        Some(Format::GeoJson) => write_geojson(path, table, opts),
        _ => Err(Error::Invalid(
            Message::new(C::UnknownFileType)
                .text("file", path.display())
                .text("expected", ".geojson, .json, .shp, .gpkg")
                .en(format!(
                    "{}: unknown file type (expected .geojson, .json, .shp or .gpkg)",
                    path.display()
                )),
        )),
    }
}

/// "cannot read: …" for a file that could not be opened.
pub fn cannot_read(path: impl std::fmt::Display, e: &std::io::Error) -> Reason {
    Message::new(C::IoError)
        .text("path", path)
        .term("reason", crate::message::IoKind::of(e))
        .en(format!("cannot read: {e}"))
}

/// Converts lon/lat geometry to the target CRS.
pub fn from_lon_lat(g: &Geometry<f64>, t: &Transformer) -> Result<Geometry<f64>> {
    g.try_map_coords(|c| {
        let (x, y) = t.from_lon_lat(c.x, c.y)?;
        Ok(geo_types::Coord { x, y })
    })
}

fn write_geojson(path: &Path, table: &OutTable, opts: &TargetOptions) -> Result<usize> {
    use serde_json::{json, Map, Value};
    let t = opts.crs.transformer()?;
    let mut features = Vec::with_capacity(table.rows.len());
    for (g, values) in &table.rows {
        let g = from_lon_lat(g, &t)?;
        let mut props = Map::new();
        for ((name, _), v) in table.columns.iter().zip(values) {
            let v = match v {
                OutValue::Text(s) => s.clone().map_or(Value::Null, Value::String),
                OutValue::Real(x) => x.map_or(Value::Null, |x| json!(x)),
                OutValue::Date(d) => d.map_or(Value::Null, |d| Value::String(d.to_string())),
                OutValue::Bool(b) => Value::Bool(*b),
            };
            props.insert((*name).to_string(), v);
        }
        features.push(json!({
            "type": "Feature",
            "geometry": geojson::Geometry::from(&g),
            "properties": props,
        }));
    }
    let n = features.len();
    let doc = json!({"type": "FeatureCollection", "features": features});
    let text = serde_json::to_vec(&doc).map_err(|e| Error::Internal(e.to_string()))?;
    atomic_write(path, &text)?;
    Ok(n)
}

/// Writes bytes next to `path` and renames them into place.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".part");
    let tmp = std::path::PathBuf::from(tmp);
    std::fs::write(&tmp, bytes).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

/// `clip` for messages about values.
pub fn short(s: &str) -> Cow<'_, str> {
    clip(s)
}

/// Reading and writing GeoPackage files, which are SQLite databases: provided by the SQLite
/// backend (`griddesk-store-sqlite`), so that this crate runs no SQL.
pub trait GeoPackageFiles: Send + Sync {
    /// Reads a feature table (`preferred` if there are several) into lon/lat.
    fn read(
        &self,
        path: &Path,
        opts: &SourceOptions,
        preferred: &str,
    ) -> std::result::Result<Table, Reject>;
    /// Writes `table` as a new GeoPackage at `path`; returns the rows.
    fn write(&self, path: &Path, table: &OutTable, opts: &TargetOptions) -> Result<usize>;
}

static GEOPACKAGE: std::sync::OnceLock<&'static dyn GeoPackageFiles> = std::sync::OnceLock::new();

/// Installs the GeoPackage reader and writer (the first one installed stays).
pub fn install_geopackage(files: &'static dyn GeoPackageFiles) {
    let _ = GEOPACKAGE.set(files);
}
