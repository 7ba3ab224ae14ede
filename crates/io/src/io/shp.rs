//! ESRI Shapefile (`.shp` + `.shx` + `.dbf`, with `.prj` and `.cpg`) through the `shapefile`
//! and `dbase` crates.
//!
//! * **Encoding** of the `.dbf` text: the caller's choice, else the `.cpg` file, else the
//!   `.dbf` language-driver byte (0x4D = GBK), else UTF-8 when the bytes are valid UTF-8 and GBK
//!   otherwise. Writing records the encoding in the `.cpg` and in the language byte.
//! * **CRS**: the caller's choice, else the `.prj` ([`Crs::from_prj`]); a `.prj` GridDesk does
//!   not know refuses the file (name the CRS instead). No `.prj` means lon/lat.
//! * **Field names** are at most 10 ASCII characters (a dBase limit). The names GridDesk writes
//!   are the snake_case names of the other formats, all within that limit (`start_date`,
//!   `community`, `class`…), so a Shapefile export reads back unchanged. Text fields hold at
//!   most 254 bytes in the chosen encoding; a longer value refuses the export, naming it.
//! * Records are numbered from 1, as in GIS tools' attribute tables.

use super::crs::Crs;
use super::table::*;
use super::Reject;
use crate::error::{Error, Position, Result};
use crate::message::{Message, MessageCode as C, Reason};
use geo_types::Geometry;
use shapefile::dbase::{self, FieldName, FieldValue};
use std::path::{Path, PathBuf};

pub(crate) fn sibling(path: &Path, ext: &str) -> Option<PathBuf> {
    // The sidecar files share the stem; match the extension's case loosely.
    [ext.to_string(), ext.to_ascii_uppercase()]
        .into_iter()
        .map(|e| path.with_extension(e))
        .find(|p| p.exists())
}

fn file_reject(file: &str, msg: Reason) -> Reject {
    Reject::new(file, Position::File, None, msg)
}

/// "the .prj names a CRS GridDesk does not convert".
pub(crate) fn unknown_prj(file: &str) -> Reject {
    file_reject(
        file,
        Message::new(C::CrsUnknownInFile).text("crs", ".prj").en(
            "the .prj names a CRS GridDesk does not convert; choose the CRS \
             (lon/lat, CGCS2000 Gauss-Krüger EPSG:4513–4554 or GCJ-02)",
        ),
    )
}

/// Reads a Shapefile with its attributes, converted to lon/lat.
pub fn read(path: &Path, opts: &SourceOptions) -> std::result::Result<Table, Reject> {
    let file = path.display().to_string();
    let dbf = sibling(path, "dbf").ok_or_else(|| {
        file_reject(
            &file,
            Message::new(C::ShpNoDbf).en("the .dbf file (attributes) is missing"),
        )
    })?;
    let crs = match opts.crs {
        Some(c) => c,
        None => match sibling(path, "prj") {
            None => Crs::LonLat,
            Some(prj) => {
                let wkt = std::fs::read_to_string(&prj).map_err(|e| {
                    file_reject(
                        &file,
                        super::table::cannot_read(prj.display(), &e)
                            .prefixed(format!("{}: ", prj.display())),
                    )
                })?;
                Crs::from_prj(&wkt).ok_or_else(|| unknown_prj(&file))?
            }
        },
    };
    let encoding = match opts.encoding {
        Some(e) => e,
        None => detect_encoding(path, &dbf),
    };
    let t = crs
        .transformer()
        .map_err(|e| file_reject(&file, e.reason()))?;
    let shapes = shapefile::ShapeReader::from_path(path).map_err(|e| {
        file_reject(
            &file,
            Message::new(C::ShpUnreadable).en(format!("cannot read the shapes: {e}")),
        )
    })?;
    let table = dbase::ReaderBuilder::new()
        .with_encoding(dbase::encoding::EncodingRs::from(encoding.encoding()))
        .open(&dbf)
        .map_err(|e| {
            file_reject(
                &file,
                Message::new(C::ShpUnreadable).en(format!("cannot read {}: {e}", dbf.display())),
            )
        })?;
    let mut reader = shapefile::Reader::new(shapes, table);
    let mut records = Vec::new();
    for (i, item) in reader.iter_shapes_and_records().enumerate() {
        let position = Position::Record(i as u64 + 1);
        let (shape, rec) = item.map_err(|e| {
            Reject::new(
                &file,
                position,
                None,
                Message::new(C::RecordUnreadable).en(format!("unreadable record: {e}")),
            )
        })?;
        let geometry = match shape {
            shapefile::Shape::NullShape => Ok(None),
            s => Geometry::<f64>::try_from(s)
                .map_err(|e| {
                    Message::new(C::GeometryUnreadable).en(format!("unreadable shape: {e}"))
                })
                .and_then(|g| to_lon_lat(g, &t))
                .map(Some),
        };
        let mut fields: Vec<(String, Option<String>)> =
            rec.into_iter().map(|(k, v)| (k, value_text(v))).collect();
        fields.sort_by(|a, b| a.0.cmp(&b.0));
        records.push(TableRecord {
            position,
            fields,
            geometry,
        });
    }
    Ok(Table { records, crs })
}

/// The `.cpg`, else the language-driver byte, else a look at the bytes.
fn detect_encoding(shp: &Path, dbf: &Path) -> TextEncoding {
    if let Some(e) = sibling(shp, "cpg")
        .and_then(|p| std::fs::read_to_string(p).ok())
        .and_then(|s| TextEncoding::parse(&s))
    {
        return e;
    }
    let Ok(bytes) = std::fs::read(dbf) else {
        return TextEncoding::Utf8;
    };
    match bytes.get(29) {
        Some(0x4D) | Some(0x7A) => TextEncoding::Gbk,
        _ if std::str::from_utf8(&bytes[bytes.len().min(32)..]).is_err() => TextEncoding::Gbk,
        _ => TextEncoding::Utf8,
    }
}

fn number_text(x: f64) -> String {
    // Codes stored as numbers must come back without a decimal point.
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

fn value_text(v: FieldValue) -> Option<String> {
    let s = match v {
        FieldValue::Character(s) => s?,
        FieldValue::Memo(s) => s,
        FieldValue::Numeric(x) => number_text(x?),
        FieldValue::Float(x) => number_text(f64::from(x?)),
        FieldValue::Double(x) | FieldValue::Currency(x) => number_text(x),
        FieldValue::Integer(i) => i.to_string(),
        FieldValue::Logical(b) => b?.to_string(),
        FieldValue::Date(d) => {
            let d = d?;
            format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
        }
        FieldValue::DateTime(dt) => {
            let d = dt.date();
            format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
        }
    };
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// Writes a Shapefile (`.shp`, `.shx`, `.dbf`, `.cpg` and `.prj`);
/// returns the rows written. Nothing is left behind on failure.
pub fn write(path: &Path, table: &OutTable, opts: &TargetOptions) -> Result<usize> {
    let files: Vec<PathBuf> = ["shp", "shx", "dbf", "prj", "cpg"]
        .iter()
        .map(|e| path.with_extension(e))
        .collect();
    let out = write_files(path, table, opts);
    if out.is_err() {
        for f in &files {
            let _ = std::fs::remove_file(f);
        }
    }
    out
}

fn write_files(path: &Path, table: &OutTable, opts: &TargetOptions) -> Result<usize> {
    use geo::Orient;
    let enc = opts.encoding.encoding();
    let t = opts.crs.transformer()?;
    let werr = |e: &dyn std::fmt::Display| {
        Error::Invalid(
            Message::new(C::ExportWriteFailed).en(format!("cannot write {}: {e}", path.display())),
        )
    };
    // Text widths: the longest encoded value, at least 1 byte, at most 254.
    let mut widths = vec![1usize; table.columns.len()];
    for (r, (_, values)) in table.rows.iter().enumerate() {
        for (c, v) in values.iter().enumerate() {
            if let OutValue::Text(Some(s)) = v {
                let n = enc.encode(s).0.len();
                if n > 254 {
                    return Err(Error::Invalid(
                        Message::new(C::ShpTextTooLong)
                            .int("record", r + 1)
                            .text("field", table.columns[c].0)
                            .int("bytes", n)
                            .en(format!(
                        "record {}, field `{}`: `{}` is {n} bytes; a Shapefile text field holds 254",
                        r + 1,
                        table.columns[c].0,
                        short(s)
                    )),
                    ));
                }
                widths[c] = widths[c].max(n);
            }
        }
    }
    let mut builder =
        dbase::TableWriterBuilder::with_encoding(dbase::encoding::EncodingRs::from(enc));
    for ((name, kind), w) in table.columns.iter().zip(&widths) {
        let fname = FieldName::try_from(*name).map_err(|e| werr(&e))?;
        builder = match kind {
            OutKind::Text => builder.add_character_field(fname, *w as u8),
            OutKind::Real => builder.add_numeric_field(fname, 20, 3),
            OutKind::Date => builder.add_date_field(fname),
            OutKind::Bool => builder.add_logical_field(fname),
        };
    }
    let mut writer = shapefile::Writer::from_path(path, builder).map_err(|e| werr(&e))?;
    for (g, values) in &table.rows {
        let mut rec = dbase::Record::default();
        for ((name, _), v) in table.columns.iter().zip(values) {
            let fv = match v {
                OutValue::Text(s) => FieldValue::Character(s.clone()),
                OutValue::Real(x) => FieldValue::Numeric(*x),
                OutValue::Date(d) => FieldValue::Date(match d {
                    None => None,
                    Some(d) => {
                        use chrono::Datelike;
                        Some(
                            dbase::Date::new(d.day(), d.month(), d.year().max(0) as u32)
                                .map_err(|e| werr(&format!("date {d}: {e:?}")))?,
                        )
                    }
                }),
                OutValue::Bool(b) => FieldValue::Logical(Some(*b)),
            };
            rec.insert((*name).to_string(), fv);
        }
        let g = from_lon_lat(g, &t)?;
        let res = match (table.geometry, g) {
            (OutGeometry::Polygon | OutGeometry::MultiPolygon, Geometry::Polygon(p)) => writer
                .write_shape_and_record(
                    &shapefile::Polygon::from(p.orient(geo::orient::Direction::Reversed)),
                    &rec,
                ),
            (OutGeometry::Polygon | OutGeometry::MultiPolygon, Geometry::MultiPolygon(m)) => writer
                .write_shape_and_record(
                    &shapefile::Polygon::from(m.orient(geo::orient::Direction::Reversed)),
                    &rec,
                ),
            (OutGeometry::LineString, Geometry::LineString(l)) => {
                writer.write_shape_and_record(&shapefile::Polyline::from(l), &rec)
            }
            (want, _) => {
                return Err(Error::Internal(format!(
                    "cannot write a {want:?} layer with another geometry type"
                )))
            }
        };
        res.map_err(|e| werr(&e))?;
    }
    drop(writer);
    std::fs::write(path.with_extension("cpg"), opts.encoding.cpg())
        .map_err(|e| Error::io(path.with_extension("cpg"), e))?;
    let prj = path.with_extension("prj");
    match opts.crs.to_prj() {
        Some(wkt) => std::fs::write(&prj, wkt).map_err(|e| Error::io(&prj, e))?,
        None => {
            let _ = std::fs::remove_file(&prj);
        }
    }
    Ok(table.rows.len())
}
