//! OGC GeoPackage 1.3 feature tables, read and written with SQLite (`rusqlite`).
//!
//! Writing creates the required `gpkg_spatial_ref_sys` (with the mandatory rows −1, 0 and 4326
//! plus the target CRS), `gpkg_contents` and `gpkg_geometry_columns`, one feature table with an
//! integer `fid`, and geometries as GeoPackage binary: the `GP` header (version 0, little
//! endian, xy envelope, srs id) followed by ISO WKB. Reading takes the table named after the
//! dataset (else the only feature table), its CRS from the table's `srs_id` (EPSG codes, or a
//! WKT definition GridDesk recognises), and reports records by their `fid`.

use crate::error::{Error, Position, Result};
use crate::message::{Message, MessageCode as C, Reason};
use geo::BoundingRect;
use geo_types::Geometry;
use griddesk_io::io::crs::Crs;
use griddesk_io::io::table::*;
use griddesk_io::io::wkb_io;
use griddesk_io::io::Reject;
use rusqlite::{params, Connection, OpenFlags};
use std::path::Path;

/// `PRAGMA application_id` of a GeoPackage ("GPKG").
const GPKG_APPLICATION_ID: i64 = 0x4750_4B47;
/// `PRAGMA user_version` of GeoPackage 1.3.
const GPKG_VERSION: i64 = 10300;

const WGS84_WKT: &str = "GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS 84\",6378137,298.257223563,AUTHORITY[\"EPSG\",\"7030\"]],AUTHORITY[\"EPSG\",\"6326\"]],PRIMEM[\"Greenwich\",0,AUTHORITY[\"EPSG\",\"8901\"]],UNIT[\"degree\",0.0174532925199433,AUTHORITY[\"EPSG\",\"9122\"]],AUTHORITY[\"EPSG\",\"4326\"]]";

/// Custom `srs_id` for GCJ-02, which has no EPSG code.
const GCJ02_SRS_ID: i64 = 990_002;

fn file_reject(file: &str, msg: Reason) -> Reject {
    Reject::new(file, Position::File, None, msg)
}

/// Encodes a geometry as GeoPackage binary.
pub fn encode_geometry(g: &Geometry<f64>, srs_id: i32) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(b"GP");
    out.push(0); // version 1.0 of the binary format
    match g.bounding_rect() {
        Some(r) => {
            out.push(0b0000_0011); // little endian, envelope [minx, maxx, miny, maxy]
            out.extend_from_slice(&srs_id.to_le_bytes());
            for v in [r.min().x, r.max().x, r.min().y, r.max().y] {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        None => {
            out.push(0b0001_0001); // little endian, empty, no envelope
            out.extend_from_slice(&srs_id.to_le_bytes());
        }
    }
    out.extend_from_slice(&wkb_io::to_wkb(g)?);
    Ok(out)
}

/// Decodes GeoPackage binary (or plain WKB, which some writers store).
pub fn decode_geometry(b: &[u8]) -> std::result::Result<Geometry<f64>, Reason> {
    let bad = |text: String| Message::new(C::GeometryUnreadable).en(text);
    if b.len() < 8 || &b[..2] != b"GP" {
        return wkb_io::from_wkb(b).map_err(|e| bad(e.to_string()));
    }
    let flags = b[3];
    if flags & 0b0010_0000 != 0 {
        return Err(bad("extended GeoPackage geometry is not supported".into()));
    }
    let env = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        e => return Err(bad(format!("bad envelope type {e} in the geometry header"))),
    };
    let start = 8 + env;
    let wkb = b
        .get(start..)
        .ok_or_else(|| bad("geometry is shorter than its header".into()))?;
    wkb_io::from_wkb(wkb).map_err(|e| bad(e.to_string()))
}

fn geometry_type_name(g: OutGeometry) -> &'static str {
    match g {
        OutGeometry::Polygon => "POLYGON",
        OutGeometry::MultiPolygon => "MULTIPOLYGON",
        OutGeometry::LineString => "LINESTRING",
    }
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Writes `table` as a new GeoPackage at `path` (replacing a file there); returns the rows.
fn write(path: &Path, table: &OutTable, opts: &TargetOptions) -> Result<usize> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".part");
    let tmp = std::path::PathBuf::from(tmp);
    let _ = std::fs::remove_file(&tmp);
    let out = write_file(&tmp, table, opts);
    match out {
        Ok(n) => {
            std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))?;
            Ok(n)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

fn write_file(path: &Path, table: &OutTable, opts: &TargetOptions) -> Result<usize> {
    let t = opts.crs.transformer()?;
    let mut conn = Connection::open(path)?;
    conn.execute_batch(&format!(
        "PRAGMA application_id = {GPKG_APPLICATION_ID}; PRAGMA user_version = {GPKG_VERSION};
         CREATE TABLE gpkg_spatial_ref_sys (
             srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
             organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
         CREATE TABLE gpkg_contents (
             table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
             description TEXT DEFAULT '',
             last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
             min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
             CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
         CREATE TABLE gpkg_geometry_columns (
             table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
             srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
             CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
             CONSTRAINT uk_gc_table_name UNIQUE (table_name),
             CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
             CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));"
    ))?;
    let tx = conn.transaction()?;
    let mut srs =
        tx.prepare("INSERT OR REPLACE INTO gpkg_spatial_ref_sys VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?;
    srs.execute(params![
        "Undefined cartesian SRS",
        -1,
        "NONE",
        -1,
        "undefined",
        "undefined cartesian coordinate reference system"
    ])?;
    srs.execute(params![
        "Undefined geographic SRS",
        0,
        "NONE",
        0,
        "undefined",
        "undefined geographic coordinate reference system"
    ])?;
    srs.execute(params![
        "WGS 84 geodetic",
        4326,
        "EPSG",
        4326,
        WGS84_WKT,
        "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid"
    ])?;
    let srs_id: i64 = match opts.crs.epsg() {
        Some(code) => {
            let wkt = opts
                .crs
                .to_prj()
                .map(|w| with_authority(&w, code))
                .unwrap_or_else(|| "undefined".into());
            srs.execute(params![
                opts.crs.name(),
                code,
                "EPSG",
                code,
                wkt,
                opts.crs.name()
            ])?;
            i64::from(code)
        }
        None => {
            srs.execute(params![
                "GCJ-02",
                GCJ02_SRS_ID,
                "GRIDDESK",
                GCJ02_SRS_ID,
                opts.crs.to_prj().unwrap_or_else(|| "undefined".into()),
                "GCJ-02 obfuscated longitude/latitude (Chinese web maps)"
            ])?;
            GCJ02_SRS_ID
        }
    };
    drop(srs);
    let name = &table.name;
    let mut cols = String::from("fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom ");
    cols.push_str(geometry_type_name(table.geometry));
    for (c, kind) in &table.columns {
        let ty = match kind {
            OutKind::Text => "TEXT",
            OutKind::Real => "DOUBLE",
            OutKind::Date => "DATE",
            OutKind::Bool => "BOOLEAN",
        };
        cols.push_str(&format!(", {} {ty}", quote(c)));
    }
    tx.execute_batch(&format!("CREATE TABLE {} ({cols});", quote(name)))?;
    let placeholders: Vec<String> = (0..=table.columns.len())
        .map(|i| format!("?{}", i + 1))
        .collect();
    let col_names: Vec<String> = table.columns.iter().map(|(c, _)| quote(c)).collect();
    let sql = format!(
        "INSERT INTO {} (geom{}{}) VALUES ({})",
        quote(name),
        if col_names.is_empty() { "" } else { ", " },
        col_names.join(", "),
        placeholders.join(", ")
    );
    let mut bounds: Option<geo_types::Rect<f64>> = None;
    {
        let mut ins = tx.prepare(&sql)?;
        for (g, values) in &table.rows {
            let g = from_lon_lat(g, &t)?;
            if let Some(r) = g.bounding_rect() {
                bounds = Some(match bounds {
                    None => r,
                    Some(b) => griddesk_core::planar::union_rect(b, r),
                });
            }
            let mut p: Vec<rusqlite::types::Value> = Vec::with_capacity(values.len() + 1);
            p.push(rusqlite::types::Value::Blob(encode_geometry(
                &g,
                srs_id as i32,
            )?));
            for v in values {
                use rusqlite::types::Value as V;
                p.push(match v {
                    OutValue::Text(s) => s.clone().map_or(V::Null, V::Text),
                    OutValue::Real(x) => x.map_or(V::Null, V::Real),
                    OutValue::Date(d) => d.map_or(V::Null, |d| V::Text(d.to_string())),
                    OutValue::Bool(b) => V::Integer(i64::from(*b)),
                });
            }
            ins.execute(rusqlite::params_from_iter(p))?;
        }
    }
    let b = bounds.map(|r| [r.min().x, r.min().y, r.max().x, r.max().y]);
    tx.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, min_x, min_y, max_x, max_y, srs_id)
         VALUES (?1, 'features', ?1, ?2, ?3, ?4, ?5, ?6)",
        params![name, b.map(|b| b[0]), b.map(|b| b[1]), b.map(|b| b[2]), b.map(|b| b[3]), srs_id],
    )?;
    tx.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?1, 'geom', ?2, ?3, 0, 0)",
        params![name, geometry_type_name(table.geometry), srs_id],
    )?;
    tx.commit()?;
    Ok(table.rows.len())
}

/// Adds the EPSG authority to an ESRI WKT so that readers identify the CRS by code.
fn with_authority(wkt: &str, code: u32) -> String {
    match wkt.strip_suffix(']') {
        Some(body) => format!("{body},AUTHORITY[\"EPSG\",\"{code}\"]]"),
        None => wkt.to_string(),
    }
}

/// Reads the feature table `preferred` (else the only one) of a GeoPackage, in lon/lat.
fn read(path: &Path, opts: &SourceOptions, preferred: &str) -> std::result::Result<Table, Reject> {
    let file = path.display().to_string();
    let conn =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|e| {
            file_reject(
                &file,
                Message::new(C::NotAGeopackage).en(format!("cannot open: {e}")),
            )
        })?;
    let sql = |e: rusqlite::Error| {
        file_reject(
            &file,
            Message::new(C::NotAGeopackage).en(format!("not a readable GeoPackage: {e}")),
        )
    };
    let tables: Vec<(String, String, i64)> = conn
        .prepare(
            "SELECT g.table_name, g.column_name, g.srs_id FROM gpkg_geometry_columns g
             JOIN gpkg_contents c ON c.table_name = g.table_name
             WHERE c.data_type = 'features' ORDER BY g.table_name",
        )
        .and_then(|mut st| {
            st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .map_err(sql)?;
    let (table, geom_col, srs_id) = tables
        .iter()
        .find(|t| t.0.eq_ignore_ascii_case(preferred))
        .or_else(|| (tables.len() == 1).then(|| &tables[0]))
        .cloned()
        .ok_or_else(|| {
            let names: Vec<&str> = tables.iter().map(|t| t.0.as_str()).collect();
            file_reject(
                &file,
                Message::new(C::GpkgNoTable)
                    .text("table", preferred)
                    .texts("tables", &names)
                    .en(format!(
                        "no feature table `{preferred}`; the file has {}",
                        if names.is_empty() {
                            "none".to_string()
                        } else {
                            names.join(", ")
                        }
                    )),
            )
        })?;
    let crs = match opts.crs {
        Some(c) => c,
        None => crs_of_srs(&conn, srs_id).ok_or_else(|| {
            file_reject(
                &file,
                Message::new(C::CrsUnknownInFile)
                    .text("crs", format!("srs_id {srs_id}"))
                    .en(format!(
                        "table `{table}` uses srs_id {srs_id}, a CRS GridDesk does not convert; \
                     choose the CRS (lon/lat, CGCS2000 Gauss-Krüger or GCJ-02)"
                    )),
            )
        })?,
    };
    let t = crs
        .transformer()
        .map_err(|e| file_reject(&file, e.reason()))?;
    let mut st = conn
        .prepare(&format!("SELECT * FROM {}", quote(&table)))
        .map_err(sql)?;
    let names: Vec<String> = st.column_names().map(str::to_string).collect();
    let pk: Option<usize> = conn
        .prepare(&format!("PRAGMA table_info({})", quote(&table)))
        .and_then(|mut s| {
            s.query_map([], |r| Ok((r.get::<_, String>(1)?, r.get::<_, i64>(5)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .map_err(sql)?
        .into_iter()
        .find(|(_, pk)| *pk > 0)
        .and_then(|(n, _)| names.iter().position(|c| *c == n));
    let gcol = names.iter().position(|c| c.eq_ignore_ascii_case(&geom_col));
    let mut rows = st.query([]).map_err(sql)?;
    let mut records = Vec::new();
    let mut n = 0u64;
    while let Some(r) = rows.next().map_err(sql)? {
        n += 1;
        use rusqlite::types::ValueRef;
        let fid = pk
            .and_then(|i| r.get::<_, i64>(i).ok())
            .map_or(n, |f| f.max(0) as u64);
        let mut fields = Vec::new();
        let mut geometry = Ok(None);
        for (i, name) in names.iter().enumerate() {
            let v = r.get_ref(i).map_err(sql)?;
            if Some(i) == gcol {
                geometry =
                    match v {
                        ValueRef::Null => Ok(None),
                        ValueRef::Blob(b) => {
                            decode_geometry(b).and_then(|g| to_lon_lat(g, &t)).map(Some)
                        }
                        _ => Err(Message::new(C::GeometryUnreadable)
                            .en("the geometry column holds no blob")),
                    };
                continue;
            }
            if Some(i) == pk {
                continue;
            }
            let text = match v {
                ValueRef::Null => None,
                ValueRef::Integer(i) => Some(i.to_string()),
                ValueRef::Real(x) => Some(if x.fract() == 0.0 && x.abs() < 1e15 {
                    format!("{}", x as i64)
                } else {
                    x.to_string()
                }),
                ValueRef::Text(s) => Some(String::from_utf8_lossy(s).trim().to_string()),
                ValueRef::Blob(_) => None,
            };
            fields.push((name.clone(), text.filter(|s| !s.is_empty())));
        }
        records.push(TableRecord {
            position: Position::Record(fid),
            fields,
            geometry,
        });
    }
    Ok(Table { records, crs })
}

fn crs_of_srs(conn: &Connection, srs_id: i64) -> Option<Crs> {
    let (org, code, def): (String, i64, String) = conn
        .query_row(
            "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?1",
            [srs_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .ok()?;
    if srs_id == GCJ02_SRS_ID && org.eq_ignore_ascii_case("GRIDDESK") {
        return Some(Crs::Gcj02);
    }
    if org.eq_ignore_ascii_case("EPSG") {
        if let Some(c) = u32::try_from(code).ok().and_then(Crs::from_epsg) {
            return Some(c);
        }
    }
    Crs::from_prj(&def)
}

/// GeoPackage files for `griddesk-io`'s format dispatch: installed by the engine when it
/// opens a store ([`install`]).
struct Files;

impl GeoPackageFiles for Files {
    fn read(
        &self,
        path: &Path,
        opts: &SourceOptions,
        preferred: &str,
    ) -> std::result::Result<Table, Reject> {
        read(path, opts, preferred)
    }
    fn write(
        &self,
        path: &Path,
        table: &OutTable,
        opts: &TargetOptions,
    ) -> griddesk_core::Result<usize> {
        (write(path, table, opts)).map_err(griddesk_core::Error::from)
    }
}

/// Lets `griddesk-io` read and write GeoPackage files (idempotent).
pub fn install() {
    griddesk_io::io::table::install_geopackage(&Files);
}
