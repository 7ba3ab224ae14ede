//! The SQL of `griddesk_basemap::basemap::store` (migration 0009) and the MBTiles reader
//! (an MBTiles package is an SQLite file: metadata table, tiles in TMS rows), which
//! [`install`] hands to `griddesk-basemap` at start, whichever store keeps the records.

use crate::error::{Error, Result};
use griddesk_basemap::basemap::datum::Datum;
use griddesk_basemap::basemap::model::{
    search_key, BasemapInfo, PackageFormat, Place, TileFormat, VectorLayer,
};
use griddesk_basemap::basemap::package::{
    corrupt, declared_datum, file_label, gunzip_if_needed, install_mbtiles, metadata_places,
    vector_layers, MbtilesOpener, PackageInfo, TileSource,
};
use griddesk_basemap::basemap::store::BasemapStore;
use griddesk_core::{Message, MessageCode as C};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

fn internal(what: &str, v: &str) -> Error {
    Error::Internal(format!("stored basemap {what} `{v}` is unknown"))
}

fn list(c: &Connection) -> Result<Vec<BasemapInfo>> {
    let mut st = c.prepare(
        "SELECT id, name, format, tile_format, datum, min_zoom, max_zoom, bounds, built,
                vector_layers, size_bytes, source_file, attribution, installed_at, installed_by
           FROM basemap ORDER BY seq",
    )?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, u8>(5)?,
            r.get::<_, u8>(6)?,
            r.get::<_, Option<String>>(7)?,
            r.get::<_, bool>(8)?,
            r.get::<_, String>(9)?,
            r.get::<_, i64>(10)?,
            r.get::<_, String>(11)?,
            r.get::<_, Option<String>>(12)?,
            r.get::<_, String>(13)?,
            r.get::<_, String>(14)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (
            id,
            name,
            format,
            tile,
            datum,
            min_zoom,
            max_zoom,
            bounds,
            built,
            layers,
            size,
            source,
            attribution,
            at,
            by,
        ) = row?;
        out.push(BasemapInfo {
            format: PackageFormat::from_key(&format).ok_or_else(|| internal("format", &format))?,
            tile_format: TileFormat::from_key(&tile)
                .ok_or_else(|| internal("tile format", &tile))?,
            datum: Datum::parse(&datum).ok_or_else(|| internal("datum", &datum))?,
            bounds: bounds
                .map(|b| serde_json::from_str::<[f64; 4]>(&b))
                .transpose()
                .map_err(|e| Error::Internal(format!("stored basemap bounds: {e}")))?,
            vector_layers: serde_json::from_str::<Vec<VectorLayer>>(&layers)
                .map_err(|e| Error::Internal(format!("stored basemap layers: {e}")))?,
            id,
            name,
            min_zoom,
            max_zoom,
            built,
            size_bytes: u64::try_from(size).unwrap_or(0),
            source_file: source,
            attribution,
            installed_at: at,
            installed_by: by,
        });
    }
    Ok(out)
}

fn add(c: &Connection, b: &BasemapInfo, places: &[Place]) -> Result<()> {
    let seq: i64 = c.query_row("SELECT COALESCE(MAX(seq), 0) + 1 FROM basemap", [], |r| {
        r.get(0)
    })?;
    let json = |v: &dyn erased::Ser| v.json();
    c.execute(
        "INSERT INTO basemap (id, seq, name, format, tile_format, datum, min_zoom, max_zoom,
                bounds, built, vector_layers, size_bytes, source_file, attribution, installed_at,
                installed_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        params![
            b.id,
            seq,
            b.name,
            b.format.extension(),
            b.tile_format.key(),
            b.datum.key(),
            b.min_zoom,
            b.max_zoom,
            b.bounds.map(|v| json(&v)).transpose()?,
            b.built,
            json(&b.vector_layers)?,
            i64::try_from(b.size_bytes).unwrap_or(i64::MAX),
            b.source_file,
            b.attribution,
            b.installed_at,
            b.installed_by,
        ],
    )?;
    let mut st = c.prepare(
        "INSERT INTO basemap_place (basemap, name, key, layer, class, lon, lat)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for p in places {
        st.execute(params![
            b.id,
            p.name,
            search_key(&p.name),
            p.layer,
            p.class,
            p.lon,
            p.lat
        ])?;
    }
    Ok(())
}

/// Serialising to JSON text for a column.
mod erased {
    pub trait Ser {
        fn json(&self) -> crate::error::Result<String>;
    }
    impl<T: serde::Serialize> Ser for T {
        fn json(&self) -> crate::error::Result<String> {
            serde_json::to_string(self)
                .map_err(|e| crate::error::Error::Internal(format!("encoding JSON: {e}")).into())
        }
    }
}

fn search(c: &Connection, query: &str, limit: usize) -> Result<Vec<Place>> {
    let words: Vec<String> = query
        .split_whitespace()
        .map(search_key)
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql =
        String::from("SELECT name, layer, class, lon, lat, basemap FROM basemap_place WHERE 1");
    for i in 0..words.len() {
        sql.push_str(&format!(" AND instr(key, ?{}) > 0", i + 1));
    }
    let whole = search_key(query);
    let n = words.len();
    sql.push_str(&format!(
        " ORDER BY (key = ?{a}) DESC, (substr(key, 1, length(?{a})) = ?{a}) DESC,
                   (layer = 'places') DESC, length(name), name, layer, class, lon, lat,
                   basemap LIMIT ?{b}",
        a = n + 1,
        b = n + 2
    ));
    let mut st = c.prepare(&sql)?;
    let mut args: Vec<rusqlite::types::Value> = words.into_iter().map(Into::into).collect();
    args.push(whole.into());
    args.push(i64::try_from(limit).unwrap_or(i64::MAX).into());
    let rows = st.query_map(rusqlite::params_from_iter(args), |r| {
        Ok(Place {
            name: r.get(0)?,
            layer: r.get(1)?,
            class: r.get(2)?,
            lon: r.get(3)?,
            lat: r.get(4)?,
            basemap: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

impl BasemapStore for crate::Db<'_> {
    fn basemaps(&self) -> griddesk_core::Result<Vec<BasemapInfo>> {
        Ok(list(self.0)?)
    }
    fn add_basemap(&self, info: &BasemapInfo, places: &[Place]) -> griddesk_core::Result<()> {
        Ok(add(self.0, info, places)?)
    }
    fn remove_basemap(&self, id: &str) -> griddesk_core::Result<bool> {
        let c = self.0;
        let run = || -> Result<bool> {
            c.execute("DELETE FROM basemap_place WHERE basemap = ?1", [id])?;
            Ok(c.execute("DELETE FROM basemap WHERE id = ?1", [id])? > 0)
        };
        Ok(run()?)
    }
    fn search_places(&self, query: &str, limit: usize) -> griddesk_core::Result<Vec<Place>> {
        Ok(search(self.0, query, limit)?)
    }
}

/// MBTiles packages for `griddesk-basemap`: installed by the engine when it opens a store
/// ([`install`]).
struct Opener;

impl MbtilesOpener for Opener {
    fn open(&self, path: &Path) -> griddesk_core::Result<Box<dyn TileSource>> {
        Ok(Box::new(Mbtiles::open(path)?))
    }
}

/// Lets `griddesk-basemap` open MBTiles packages (idempotent).
pub fn install() {
    install_mbtiles(&Opener);
}

/// An open MBTiles package (read-only).
pub struct Mbtiles {
    conn: Mutex<Connection>,
    info: PackageInfo,
    path: PathBuf,
}

impl std::fmt::Debug for Mbtiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mbtiles").field("path", &self.path).finish()
    }
}

/// What the first bytes of a tile say it is.
fn sniff_tile(b: &[u8]) -> Option<TileFormat> {
    if b.starts_with(b"\x89PNG") {
        Some(TileFormat::Png)
    } else if b.starts_with(&[0xff, 0xd8]) {
        Some(TileFormat::Jpeg)
    } else if b.len() > 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        Some(TileFormat::Webp)
    } else if b.starts_with(&[0x1f, 0x8b]) || b.first() == Some(&0x1a) {
        Some(TileFormat::Mvt)
    } else {
        None
    }
}

impl Mbtiles {
    /// Opens and checks a package: the `metadata` and `tiles` tables, at least one tile, a
    /// tile format the map can draw.
    pub fn open(path: &Path) -> griddesk_core::Result<Self> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| corrupt(path, e))?;
        let bad = |e: rusqlite::Error| corrupt(path, e);
        let meta: Vec<(String, String)> = conn
            .prepare("SELECT name, value FROM metadata")
            .and_then(|mut st| {
                st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
                    .collect()
            })
            .map_err(bad)?;
        let get = |k: &str| meta.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let (count, zmin, zmax): (i64, Option<i64>, Option<i64>) = conn
            .query_row(
                "SELECT count(*), min(zoom_level), max(zoom_level) FROM tiles",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .map_err(bad)?;
        let file = file_label(path);
        if count == 0 {
            return Err(griddesk_core::Error::Invalid(
                Message::new(C::BasemapEmpty)
                    .text("file", &file)
                    .en(format!("{file} holds no tiles")),
            ));
        }
        let first: Option<Vec<u8>> = conn
            .query_row("SELECT tile_data FROM tiles LIMIT 1", [], |r| r.get(0))
            .optional()
            .map_err(bad)?;
        let declared = get("format");
        let tile_format = declared
            .as_deref()
            .and_then(TileFormat::from_key)
            .or_else(|| first.as_deref().and_then(sniff_tile));
        let Some(tile_format) = tile_format else {
            let kind = declared.unwrap_or_else(|| "unknown".into());
            return Err(griddesk_core::Error::Invalid(
                Message::new(C::BasemapTileType)
                    .text("file", &file)
                    .text("kind", &kind)
                    .en(format!("the tiles of {file} ({kind}) cannot be drawn")),
            ));
        };
        let json: serde_json::Value = get("json")
            .and_then(|j| serde_json::from_str(&j).ok())
            .unwrap_or(serde_json::Value::Null);
        let mut meta_obj = serde_json::Map::new();
        for (k, v) in &meta {
            meta_obj.insert(k.clone(), serde_json::Value::String(v.clone()));
        }
        let (datum, datum_unknown) = declared_datum(&serde_json::Value::Object(meta_obj));
        let bounds = get("bounds").and_then(|b| {
            let v: Vec<f64> = b.split(',').filter_map(|p| p.trim().parse().ok()).collect();
            (v.len() == 4 && v[0] < v[2] && v[1] < v[3]).then(|| [v[0], v[1], v[2], v[3]])
        });
        let zoom = |k: &str, dflt: Option<i64>| {
            get(k)
                .and_then(|v| v.trim().parse::<i64>().ok())
                .or(dflt)
                .and_then(|v| u8::try_from(v).ok())
                .unwrap_or(0)
        };
        let info = PackageInfo {
            format: PackageFormat::Mbtiles,
            tile_format,
            min_zoom: zoom("minzoom", zmin),
            max_zoom: zoom("maxzoom", zmax),
            bounds,
            name: get("name"),
            datum,
            datum_unknown,
            vector_layers: vector_layers(&json),
            built: get("generator").as_deref() == Some("GridDesk"),
            attribution: get("attribution"),
            places: metadata_places(&json),
        };
        Ok(Mbtiles {
            conn: Mutex::new(conn),
            info,
            path: path.to_path_buf(),
        })
    }
}

impl TileSource for Mbtiles {
    fn info(&self) -> &PackageInfo {
        &self.info
    }

    fn tile(&self, z: u8, x: u32, y: u32) -> griddesk_core::Result<Option<Vec<u8>>> {
        if z > 30 || x >= (1u32 << z) || y >= (1u32 << z) {
            return Err(griddesk_core::Error::BadTile {
                z: z.into(),
                x,
                y,
                reason: "outside the tile pyramid",
            });
        }
        let row = (1u32 << z) - 1 - y;
        let conn = self
            .conn
            .lock()
            .map_err(|_| griddesk_core::Error::Internal("MBTiles connection poisoned".into()))?;
        let bytes: Option<Vec<u8>> = conn
            .query_row(
                "SELECT tile_data FROM tiles WHERE zoom_level = ?1 AND tile_column = ?2 AND tile_row = ?3",
                params![z, x, row],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| corrupt(&self.path, e))?;
        match bytes {
            Some(b) if self.info.tile_format.is_vector() => gunzip_if_needed(b)
                .map(Some)
                .map_err(|e| corrupt(&self.path, e)),
            other => Ok(other),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use griddesk_basemap::basemap::package::open_mbtiles;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../basemap/tests/fixtures")
            .join(name)
    }

    /// Once installed, `griddesk-basemap` opens MBTiles packages with this reader: the
    /// package's metadata, a tile by its XYZ address (stored in a TMS row), a missing tile,
    /// and a file that is no SQLite database refused as corrupt.
    #[test]
    fn the_installed_opener_reads_mbtiles_packages() {
        install();
        install();
        let s = open_mbtiles(&fixture("raster.mbtiles")).unwrap();
        let i = s.info();
        assert_eq!(i.format, PackageFormat::Mbtiles);
        assert_eq!(i.tile_format, TileFormat::Png);
        assert_eq!((i.min_zoom, i.max_zoom), (11, 14));
        assert_eq!(i.name.as_deref(), Some("GridDesk sample raster"));
        let y = (1u32 << 14) - 1 - 9554;
        let t = s.tile(14, 13709, y).unwrap().expect("a stored tile");
        assert_eq!((t.len(), &t[..4]), (2465, &b"\x89PNG"[..]));
        assert_eq!(s.tile(14, 0, 0).unwrap(), None);
        assert!(s.tile(3, 8, 0).is_err(), "outside the pyramid");
        let e = open_mbtiles(&fixture("garbage.mbtiles"))
            .map(|_| ())
            .unwrap_err();
        assert_eq!(e.message().code, C::BasemapCorrupt, "{e}");
    }
}
