//! Writers: GeoJSON FeatureCollections and CSV with the property and column names the readers
//! accept, so that export → import gives the same data. Coordinates are written in the shortest
//! form that parses back to the same `f64` (serde_json and Rust `Display` both do this).

use super::table::{write_table, OutGeometry, OutKind, OutTable, OutValue, TargetOptions};
use super::{Dataset, Format};
use crate::error::{Error, Result};
use crate::index::SpatialIndex;
use crate::message::{Message, MessageCode as C};
use geojson::{Feature, GeometryValue, JsonObject};
use griddesk_core::dates::format_datetime;
use griddesk_store::CaseTexts;
use serde_json::Value;
use std::io::{BufWriter, Write};
use std::path::Path;

/// Writes `dataset` from the index to `path` (format from the extension, see
/// [`Format::from_path`]); returns the number of records. The file is written next to `path`
/// and renamed into place, so a failed export leaves no half-written file.
pub fn export_file(
    index: &SpatialIndex,
    texts: &dyn CaseTexts,
    path: &Path,
    dataset: Dataset,
) -> Result<usize> {
    export_file_to(index, texts, path, dataset, &TargetOptions::default())
}

/// [`export_file`] in a chosen CRS and (Shapefile) attribute encoding. Streets, communities and
/// grids can be written as Shapefile and GeoPackage too; GeoJSON in a CRS other than lon/lat is
/// written through the same table writer.
pub fn export_file_to(
    index: &SpatialIndex,
    texts: &dyn CaseTexts,
    path: &Path,
    dataset: Dataset,
    target: &TargetOptions,
) -> Result<usize> {
    let format = Format::from_path(path).ok_or_else(|| {
        Error::Invalid(
            Message::new(C::UnknownFileType)
                .text("file", path.display())
                .text("expected", ".geojson, .json, .csv")
                .en(format!(
                    "{}: unknown file type (expected .geojson, .json or .csv)",
                    path.display()
                )),
        )
    })?;
    if !dataset.supports(format) {
        return Err(Error::Invalid(
            Message::new(C::DatasetNotAsFormat)
                .term("dataset", dataset)
                .text("format", format.name())
                .en(format!("{dataset} cannot be exported as {format:?}")),
        ));
    }
    if matches!(format, Format::Shapefile | Format::GeoPackage)
        || (format == Format::GeoJson && !target.crs.is_lon_lat())
    {
        return write_table(path, &area_table(index, dataset)?, target);
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".part");
    let tmp = std::path::PathBuf::from(tmp);
    let file = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    let written = match format {
        Format::GeoJson => write_geojson(index, texts, &mut w, dataset),
        Format::Csv => write_csv(index, texts, &mut w, dataset),
        Format::Shapefile | Format::GeoPackage | Format::Xlsx => {
            Err(Error::Internal(format!("{dataset} is written as a table")))
        }
    }
    .and_then(|n| w.flush().map(|_| n).map_err(|e| Error::io(&tmp, e)));
    drop(w);
    match written {
        Ok(n) => {
            std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))?;
            Ok(n)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(on_file(e, path))
        }
    }
}

/// Why writing an export failed: the disk (full, gone, no permission) or the encoder.
enum WriteFailure {
    Io(std::io::Error),
    Other(String),
}

impl From<std::io::Error> for WriteFailure {
    fn from(e: std::io::Error) -> Self {
        WriteFailure::Io(e)
    }
}

impl From<serde_json::Error> for WriteFailure {
    fn from(e: serde_json::Error) -> Self {
        match e.io_error_kind() {
            Some(kind) => WriteFailure::Io(std::io::Error::new(kind, e.to_string())),
            None => WriteFailure::Other(e.to_string()),
        }
    }
}

impl From<csv::Error> for WriteFailure {
    fn from(e: csv::Error) -> Self {
        let text = e.to_string();
        match e.into_kind() {
            csv::ErrorKind::Io(io) => WriteFailure::Io(io),
            _ => WriteFailure::Other(text),
        }
    }
}

/// A failed write as the error a user reads: a disk failure is an I/O error on the export file
/// (its path filled in by [`export_file_to`]), never "invalid value".
fn werr(e: impl Into<WriteFailure>) -> Error {
    match e.into() {
        WriteFailure::Io(source) => Error::Io {
            path: std::path::PathBuf::new(),
            source,
        },
        WriteFailure::Other(text) => Error::Invalid(
            Message::new(C::ExportWriteFailed).en(format!("cannot write export: {text}")),
        ),
    }
}

/// An I/O error of the export with the file's path where the writer did not know it.
fn on_file(e: Error, path: &Path) -> Error {
    match e {
        Error::Io { path: p, source } if p.as_os_str().is_empty() => Error::Io {
            path: path.to_path_buf(),
            source,
        },
        e => e,
    }
}

/// Cases whose descriptions are read from the store at once.
const TEXT_BLOCK: usize = 4096;

fn props(pairs: Vec<(&str, Value)>) -> JsonObject {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

fn opt(s: &Option<impl AsRef<str>>) -> Value {
    s.as_ref()
        .map_or(Value::Null, |s| Value::String(s.as_ref().to_string()))
}

fn text(s: &str) -> Value {
    Value::String(s.to_string())
}

fn with_sample(mut p: JsonObject, sample: bool) -> JsonObject {
    if sample {
        p.insert("sample".into(), Value::Bool(true));
    }
    p
}

/// Writes `dataset` as a GeoJSON FeatureCollection; returns the number of features.
pub fn write_geojson(
    index: &SpatialIndex,
    texts: &dyn CaseTexts,
    w: &mut impl Write,
    dataset: Dataset,
) -> Result<usize> {
    type Item = Result<(GeometryValue, JsonObject)>;
    let mut features: Box<dyn Iterator<Item = Item> + '_> = match dataset {
        Dataset::Streets => Box::new(index.streets.iter().map(|s| {
            let p = props(vec![
                ("code", text(s.code.as_str())),
                ("name", text(&s.name)),
            ]);
            Ok((GeometryValue::from(&s.boundary), with_sample(p, s.sample)))
        })),
        Dataset::Communities => Box::new(index.communities.iter().map(|c| {
            let p = props(vec![
                ("code", text(c.code.as_str())),
                ("name", text(&c.name)),
                ("street", text(c.street().as_str())),
            ]);
            Ok((GeometryValue::from(&c.boundary), with_sample(p, c.sample)))
        })),
        Dataset::Grids => Box::new(index.grids.iter().map(|g| {
            let p = props(vec![
                ("code", text(g.code.as_str())),
                ("name", text(&g.name)),
                ("community", text(g.community().as_str())),
                ("area_m2", serde_json::json!(g.area_m2)),
                ("land_use", opt(&g.land_use)),
                ("level", opt(&g.level)),
                ("start_date", text(&g.start_date.to_string())),
                (
                    "end_date",
                    g.end_date.map_or(Value::Null, |d| text(&d.to_string())),
                ),
            ]);
            Ok((GeometryValue::from(&g.polygon), with_sample(p, g.sample)))
        })),
        Dataset::Components => Box::new(index.components.iter().map(|c| {
            let p = props(vec![
                ("code", text(c.code.as_str())),
                ("class_code", text(c.class_code.as_str())),
                ("owner", opt(&c.owner)),
                ("maintainer", opt(&c.maintainer)),
                ("state", text(c.state.key())),
                ("grid", c.grid.map_or(Value::Null, |g| text(g.as_str()))),
            ]);
            Ok((GeometryValue::from(&c.location), with_sample(p, c.sample)))
        })),
        Dataset::Cases => Box::new(index.cases.chunks(TEXT_BLOCK).flat_map(|chunk| {
            // The descriptions live in the store: one read per block of cases.
            let ids: Vec<&str> = chunk.iter().map(|c| &*c.id).collect();
            let (descriptions, failed) = match texts.case_descriptions(&ids) {
                Ok(d) => (d, None),
                Err(e) => (Vec::new(), Some(Err(e))),
            };
            failed
                .into_iter()
                .chain(chunk.iter().zip(descriptions).map(|(c, d)| {
                    let p = props(vec![
                        ("id", text(&c.id)),
                        ("kind", text(c.kind.key())),
                        ("class_code", text(c.class_code.as_str())),
                        ("source", text(c.source.key())),
                        ("reported_at", text(&format_datetime(&c.reported_at))),
                        ("status", text(c.status.key())),
                        (
                            "component",
                            c.component.map_or(Value::Null, |k| text(k.as_str())),
                        ),
                        ("description", d.map_or(Value::Null, Value::String)),
                        ("grid", c.grid.map_or(Value::Null, |g| text(g.as_str()))),
                    ]);
                    Ok((GeometryValue::from(&c.location), with_sample(p, c.sample)))
                }))
        })),
        Dataset::DutyGrids => return Err(Error::Internal("duty grids are exported as CSV".into())),
    };
    w.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")
        .map_err(werr)?;
    let mut n = 0;
    for item in &mut features {
        let (geometry, properties) = item?;
        if n > 0 {
            w.write_all(b",\n").map_err(werr)?;
        }
        let f = Feature {
            bbox: None,
            geometry: Some(geojson::Geometry::new(geometry)),
            id: None,
            properties: Some(properties),
            foreign_members: None,
        };
        serde_json::to_writer(&mut *w, &f).map_err(werr)?;
        n += 1;
    }
    w.write_all(b"\n]}\n").map_err(werr)?;
    Ok(n)
}

/// Writes components, cases (`lon,lat` first) or duty grids as CSV; returns the number of rows.
pub fn write_csv(
    index: &SpatialIndex,
    texts: &dyn CaseTexts,
    w: &mut impl Write,
    dataset: Dataset,
) -> Result<usize> {
    let mut out = csv::Writer::from_writer(w);
    fn o(s: &Option<impl AsRef<str>>) -> String {
        s.as_ref()
            .map(|s| s.as_ref().to_string())
            .unwrap_or_default()
    }
    let n = match dataset {
        Dataset::Components => {
            let sample = index.components.iter().any(|c| c.sample);
            let mut head = vec![
                "lon",
                "lat",
                "code",
                "class_code",
                "owner",
                "maintainer",
                "state",
                "grid",
            ];
            if sample {
                head.push("sample");
            }
            griddesk_core::csvtable::write_safe_record(&mut out, &head).map_err(werr)?;
            for c in &index.components {
                let mut row = vec![
                    c.location.x().to_string(),
                    c.location.y().to_string(),
                    c.code.to_string(),
                    c.class_code.to_string(),
                    o(&c.owner),
                    o(&c.maintainer),
                    c.state.key().to_string(),
                    c.grid.map(|g| g.to_string()).unwrap_or_default(),
                ];
                if sample {
                    row.push(c.sample.to_string());
                }
                griddesk_core::csvtable::write_safe_record(&mut out, &row).map_err(werr)?;
            }
            index.components.len()
        }
        Dataset::Cases => {
            griddesk_core::csvtable::write_safe_record(
                &mut out,
                [
                    "lon",
                    "lat",
                    "id",
                    "kind",
                    "class_code",
                    "source",
                    "reported_at",
                    "status",
                    "component",
                    "description",
                    "grid",
                    "sample",
                ],
            )
            .map_err(werr)?;
            for chunk in index.cases.chunks(TEXT_BLOCK) {
                let ids: Vec<&str> = chunk.iter().map(|c| &*c.id).collect();
                let descriptions = texts.case_descriptions(&ids)?;
                for (c, d) in chunk.iter().zip(descriptions) {
                    griddesk_core::csvtable::write_safe_record(
                        &mut out,
                        [
                            c.location.x().to_string().as_str(),
                            &c.location.y().to_string(),
                            &c.id,
                            c.kind.key(),
                            c.class_code.as_str(),
                            c.source.key(),
                            &format_datetime(&c.reported_at),
                            c.status.key(),
                            c.component.as_ref().map_or("", |k| k.as_str()),
                            d.as_deref().unwrap_or(""),
                            c.grid.as_ref().map_or("", |g| g.as_str()),
                            if c.sample { "true" } else { "false" },
                        ],
                    )
                    .map_err(werr)?;
                }
            }
            index.cases.len()
        }
        Dataset::DutyGrids => {
            griddesk_core::csvtable::write_safe_record(
                &mut out,
                ["code", "name", "inspector", "grids"],
            )
            .map_err(werr)?;
            for d in &index.duty_grids {
                let members: Vec<&str> = d.grids.iter().map(|g| g.as_str()).collect();
                griddesk_core::csvtable::write_safe_record(
                    &mut out,
                    [d.code.as_str(), &d.name, &d.inspector, &members.join(";")],
                )
                .map_err(werr)?;
            }
            index.duty_grids.len()
        }
        other => return Err(Error::Internal(format!("{other} are exported as GeoJSON"))),
    };
    out.flush().map_err(werr)?;
    Ok(n)
}

/// Streets, communities or grids as a table for the Shapefile and GeoPackage writers, with the
/// GeoJSON property names (all within the Shapefile's 10 characters).
fn area_table(index: &SpatialIndex, dataset: Dataset) -> Result<OutTable> {
    use geo_types::Geometry;
    let text = |s: &str| OutValue::Text(Some(s.to_string()));
    let (geometry, columns, rows): (OutGeometry, Vec<(&'static str, OutKind)>, Vec<_>) =
        match dataset {
            Dataset::Streets => (
                OutGeometry::MultiPolygon,
                vec![
                    ("code", OutKind::Text),
                    ("name", OutKind::Text),
                    ("sample", OutKind::Bool),
                ],
                index
                    .streets
                    .iter()
                    .map(|s| {
                        (
                            Geometry::MultiPolygon(s.boundary.clone()),
                            vec![
                                text(s.code.as_str()),
                                text(&s.name),
                                OutValue::Bool(s.sample),
                            ],
                        )
                    })
                    .collect(),
            ),
            Dataset::Communities => (
                OutGeometry::MultiPolygon,
                vec![
                    ("code", OutKind::Text),
                    ("name", OutKind::Text),
                    ("street", OutKind::Text),
                    ("sample", OutKind::Bool),
                ],
                index
                    .communities
                    .iter()
                    .map(|c| {
                        (
                            Geometry::MultiPolygon(c.boundary.clone()),
                            vec![
                                text(c.code.as_str()),
                                text(&c.name),
                                text(c.street().as_str()),
                                OutValue::Bool(c.sample),
                            ],
                        )
                    })
                    .collect(),
            ),
            Dataset::Grids => (
                OutGeometry::Polygon,
                vec![
                    ("code", OutKind::Text),
                    ("name", OutKind::Text),
                    ("community", OutKind::Text),
                    ("area_m2", OutKind::Real),
                    ("land_use", OutKind::Text),
                    ("level", OutKind::Text),
                    ("start_date", OutKind::Date),
                    ("end_date", OutKind::Date),
                    ("sample", OutKind::Bool),
                ],
                index
                    .grids
                    .iter()
                    .map(|g| {
                        (
                            Geometry::Polygon(g.polygon.clone()),
                            vec![
                                text(g.code.as_str()),
                                text(&g.name),
                                text(g.community().as_str()),
                                OutValue::Real(Some((g.area_m2 * 1000.0).round() / 1000.0)),
                                OutValue::Text(g.land_use.clone()),
                                OutValue::Text(g.level.clone()),
                                OutValue::Date(Some(g.start_date)),
                                OutValue::Date(g.end_date),
                                OutValue::Bool(g.sample),
                            ],
                        )
                    })
                    .collect(),
            ),
            other => {
                return Err(Error::Invalid(
                    Message::new(C::DatasetNotAsFormat)
                        .term("dataset", other)
                        .text("format", "Shapefile, GeoPackage")
                        .en(format!(
                            "{other} cannot be exported as Shapefile or GeoPackage"
                        )),
                ))
            }
        };
    Ok(OutTable {
        name: dataset.key().replace('-', "_"),
        geometry,
        columns,
        rows,
    })
}
