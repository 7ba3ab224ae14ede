//! Reading tile packages (§Packages in docs/basemap.md): PMTiles v3 here through the `pmtiles`
//! crate's reader over a plain file, MBTiles through the opener the SQLite store crate installs
//! at start ([`install_mbtiles`]; an MBTiles package is an SQLite file, and SQL stays there).
//! Both give a [`TileSource`] that answers uncompressed tile bytes by XYZ address.

use super::datum::Datum;
use super::model::{PackageFormat, Place, TileFormat, VectorLayer};
use crate::{Error, Message, MessageCode as C, Result};
use bytes::Bytes;
use pmtiles::{
    AsyncBackend, AsyncPmTilesReader, BackendResponse, HashMapCache, PmtError, PmtResult, TileType,
};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::task::{Context, Poll, Waker};

/// What a package says about itself, read when it is opened.
#[derive(Debug, Clone, PartialEq)]
pub struct PackageInfo {
    pub format: PackageFormat,
    pub tile_format: TileFormat,
    pub min_zoom: u8,
    pub max_zoom: u8,
    pub bounds: Option<[f64; 4]>,
    pub name: Option<String>,
    /// The datum the package declares (`datum`, `crs` or `srs` in its metadata), if any.
    pub datum: Option<Datum>,
    /// A declared datum GridDesk does not know (refused at install).
    pub datum_unknown: Option<String>,
    pub vector_layers: Vec<VectorLayer>,
    /// Built by GridDesk (`"generator": "GridDesk"` in the metadata).
    pub built: bool,
    pub attribution: Option<String>,
    /// The place names a GridDesk-built package carries (`places` in its metadata), with an
    /// empty `basemap` (set at install).
    pub places: Vec<Place>,
}

/// The `places` of a built package's metadata: `[name, layer, class, lon, lat]` rows.
pub fn metadata_places(meta: &serde_json::Value) -> Vec<Place> {
    meta.get("places")
        .and_then(|v| v.as_array())
        .map(|rows| {
            rows.iter()
                .filter_map(|r| {
                    let r = r.as_array()?;
                    let s = |i: usize| r.get(i).and_then(|v| v.as_str()).map(str::to_string);
                    let f = |i: usize| r.get(i).and_then(serde_json::Value::as_f64);
                    Some(Place {
                        name: s(0)?,
                        layer: s(1)?,
                        class: s(2)?,
                        lon: f(3)?,
                        lat: f(4)?,
                        basemap: String::new(),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Uncompressed tile bytes and what they are.
#[derive(Debug, Clone, PartialEq)]
pub struct TileBytes {
    pub bytes: Vec<u8>,
    pub format: TileFormat,
}

/// An open package.
pub trait TileSource: Send + Sync {
    fn info(&self) -> &PackageInfo;
    /// The tile at an XYZ address (uncompressed), `None` when the package has none there.
    fn tile(&self, z: u8, x: u32, y: u32) -> Result<Option<Vec<u8>>>;
}

/// Opening MBTiles packages, which are SQLite files: provided by the SQLite backend
/// (`griddesk_store_sqlite::basemap_sql::install`), so that this crate runs no SQL and the
/// package files open the same whichever store keeps the basemaps' records.
pub trait MbtilesOpener: Send + Sync {
    /// Opens an MBTiles package read-only and checks it.
    fn open(&self, path: &Path) -> Result<Box<dyn TileSource>>;
}

static MBTILES: OnceLock<&'static dyn MbtilesOpener> = OnceLock::new();

/// Installs the MBTiles opener (the first one installed stays).
pub fn install_mbtiles(opener: &'static dyn MbtilesOpener) {
    let _ = MBTILES.set(opener);
}

/// Opens an MBTiles package read-only with the installed opener, and checks it.
pub fn open_mbtiles(path: &Path) -> Result<Box<dyn TileSource>> {
    match MBTILES.get() {
        Some(o) => o.open(path),
        None => Err(Error::Internal(format!(
            "MBTiles support is not installed (griddesk_store_sqlite::basemap_sql::install), so {} cannot be opened",
            file_label(path)
        ))),
    }
}

/// What a file looks like from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    Pmtiles,
    Mbtiles,
    OsmPbf,
    Unknown,
}

/// Looks at a file's first bytes: `PMTiles` magic, the SQLite header, or an OSM PBF's first
/// blob header (`OSMHeader`).
pub fn sniff(path: &Path) -> Result<Sniffed> {
    let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut head = [0u8; 32];
    let mut n = 0;
    while n < head.len() {
        match f.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) => return Err(Error::io(path, e)),
        }
    }
    let head = &head[..n];
    Ok(if head.starts_with(b"PMTiles") {
        Sniffed::Pmtiles
    } else if head.starts_with(b"SQLite format 3\0") {
        Sniffed::Mbtiles
    } else if head.len() > 14 && head[4..].windows(9).any(|w| w == b"OSMHeader") {
        Sniffed::OsmPbf
    } else {
        Sniffed::Unknown
    })
}

/// The file name as the user gave it, for messages.
pub fn file_label(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// A corrupt-package error naming the file and what the reader said.
pub fn corrupt(path: &Path, detail: impl std::fmt::Display) -> Error {
    let file = file_label(path);
    let detail = detail.to_string();
    Error::Invalid(
        Message::new(C::BasemapCorrupt)
            .text("file", &file)
            .text("detail", &detail)
            .en(format!("the basemap {file} cannot be read: {detail}")),
    )
}

/// Undoes gzip when the bytes are gzip (MBTiles vector tiles usually are).
pub fn gunzip_if_needed(bytes: Vec<u8>) -> std::io::Result<Vec<u8>> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::with_capacity(bytes.len() * 3);
        flate2::read::GzDecoder::new(bytes.as_slice()).read_to_end(&mut out)?;
        Ok(out)
    } else {
        Ok(bytes)
    }
}

/// Reads the datum a package declares in its metadata object.
pub fn declared_datum(meta: &serde_json::Value) -> (Option<Datum>, Option<String>) {
    for key in ["datum", "crs", "srs", "coordinate_system"] {
        if let Some(v) = meta.get(key).and_then(|v| v.as_str()) {
            return match Datum::parse(v) {
                Some(d) => (Some(d), None),
                None => (None, Some(v.to_string())),
            };
        }
    }
    (None, None)
}

/// The `vector_layers` of TileJSON metadata (ids, and geometry when tippecanoe's
/// `tilestats` says it).
pub fn vector_layers(meta: &serde_json::Value) -> Vec<VectorLayer> {
    let geometry_of = |id: &str| {
        meta.get("tilestats")
            .and_then(|t| t.get("layers"))
            .and_then(|l| l.as_array())
            .and_then(|ls| {
                ls.iter()
                    .find(|l| l.get("layer").and_then(|v| v.as_str()) == Some(id))
            })
            .and_then(|l| l.get("geometry").and_then(|g| g.as_str()))
            .map(|g| match g.to_ascii_lowercase().as_str() {
                "point" => "point".to_string(),
                "linestring" | "line" => "line".to_string(),
                _ => "polygon".to_string(),
            })
    };
    meta.get("vector_layers")
        .and_then(|v| v.as_array())
        .map(|ls| {
            ls.iter()
                .filter_map(|l| l.get("id").and_then(|v| v.as_str()))
                .map(|id| VectorLayer {
                    id: id.to_string(),
                    geometry: geometry_of(id),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A package file read with positioned reads; every future it returns is ready at once, so the
/// async reader runs without a runtime ([`ready`]).
struct FileBackend {
    file: File,
}

impl AsyncBackend for FileBackend {
    #[allow(clippy::manual_async_fn)]
    fn read(
        &self,
        offset: u64,
        length: usize,
    ) -> impl std::future::Future<Output = PmtResult<BackendResponse>> + Send {
        async move {
            use std::os::unix::fs::FileExt;
            let mut buf = vec![0u8; length];
            let mut got = 0;
            while got < length {
                match self.file.read_at(&mut buf[got..], offset + got as u64) {
                    Ok(0) => break,
                    Ok(n) => got += n,
                    Err(e) => return Err(PmtError::Reading(e)),
                }
            }
            buf.truncate(got);
            Ok(BackendResponse::new(Bytes::from(buf)))
        }
    }
}

/// Runs a future whose I/O is synchronous to completion.
fn ready<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::yield_now();
    }
}

/// An open PMTiles v3 package.
pub struct PmtilesFile {
    /// Leaf directories are cached once read (they total a small share of the file).
    reader: AsyncPmTilesReader<FileBackend, HashMapCache>,
    info: PackageInfo,
    path: PathBuf,
}

impl std::fmt::Debug for PmtilesFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PmtilesFile")
            .field("path", &self.path)
            .finish()
    }
}

impl PmtilesFile {
    /// Opens and checks a package: header, root directory, metadata, tile type.
    pub fn open(path: &Path) -> Result<Self> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let reader = ready(AsyncPmTilesReader::try_from_cached_source(
            FileBackend { file },
            HashMapCache::default(),
        ))
        .map_err(|e| corrupt(path, e))?;
        let h = reader.get_header();
        let tile_format = match h.tile_type {
            TileType::Mvt => TileFormat::Mvt,
            TileType::Png => TileFormat::Png,
            TileType::Jpeg => TileFormat::Jpeg,
            TileType::Webp => TileFormat::Webp,
            other => {
                let file = file_label(path);
                let kind = format!("{other:?}");
                return Err(Error::Invalid(
                    Message::new(C::BasemapTileType)
                        .text("file", &file)
                        .text("kind", &kind)
                        .en(format!("the tiles of {file} ({kind}) cannot be drawn")),
                ));
            }
        };
        let bounds = [
            h.min_longitude,
            h.min_latitude,
            h.max_longitude,
            h.max_latitude,
        ];
        let (min_zoom, max_zoom) = (h.min_zoom, h.max_zoom);
        let meta_text = ready(reader.get_metadata()).map_err(|e| corrupt(path, e))?;
        let meta: serde_json::Value = if meta_text.trim().is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_str(&meta_text).map_err(|e| corrupt(path, format!("metadata: {e}")))?
        };
        let (datum, datum_unknown) = declared_datum(&meta);
        let text = |k: &str| meta.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let info = PackageInfo {
            format: PackageFormat::Pmtiles,
            tile_format,
            min_zoom,
            max_zoom,
            bounds: bounds
                .iter()
                .all(|v| v.is_finite())
                .then_some(bounds)
                .filter(|b| b[0] < b[2] && b[1] < b[3]),
            name: text("name"),
            datum,
            datum_unknown,
            vector_layers: vector_layers(&meta),
            built: text("generator").as_deref() == Some("GridDesk"),
            attribution: text("attribution"),
            places: metadata_places(&meta),
        };
        Ok(PmtilesFile {
            reader,
            info,
            path: path.to_path_buf(),
        })
    }
}

impl TileSource for PmtilesFile {
    fn info(&self) -> &PackageInfo {
        &self.info
    }

    fn tile(&self, z: u8, x: u32, y: u32) -> Result<Option<Vec<u8>>> {
        let coord = pmtiles::TileCoord::new(z, x, y).map_err(|_| Error::BadTile {
            z: z.into(),
            x,
            y,
            reason: "outside the tile pyramid",
        })?;
        ready(self.reader.get_tile_decompressed(coord))
            .map(|t| t.map(|b| b.to_vec()))
            .map_err(|e| corrupt(&self.path, e))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A package every path opens as: raster, zooms `z..=z`, the path's file name as its name.
    struct Fixed {
        info: PackageInfo,
    }

    impl TileSource for Fixed {
        fn info(&self) -> &PackageInfo {
            &self.info
        }
        fn tile(&self, z: u8, x: u32, y: u32) -> Result<Option<Vec<u8>>> {
            Ok((z == self.info.min_zoom).then(|| vec![z, x as u8, y as u8]))
        }
    }

    /// An opener answering with [`Fixed`] packages at zoom `.0`.
    struct Opener(u8);

    impl MbtilesOpener for Opener {
        fn open(&self, path: &Path) -> Result<Box<dyn TileSource>> {
            Ok(Box::new(Fixed {
                info: PackageInfo {
                    format: PackageFormat::Mbtiles,
                    tile_format: TileFormat::Png,
                    min_zoom: self.0,
                    max_zoom: self.0,
                    bounds: None,
                    name: Some(file_label(path)),
                    datum: None,
                    datum_unknown: None,
                    vector_layers: Vec::new(),
                    built: false,
                    attribution: None,
                    places: Vec::new(),
                },
            }))
        }
    }

    static FIRST: Opener = Opener(7);
    static SECOND: Opener = Opener(9);

    /// The only test of this binary that installs an opener: before it, opening names the
    /// missing hook; after it, every open goes through the first opener installed.
    #[test]
    fn mbtiles_open_through_the_installed_opener_and_the_first_one_stays() {
        let path = Path::new("/somewhere/roads.mbtiles");
        let e = open_mbtiles(path).map(|_| ()).unwrap_err();
        assert!(matches!(e, Error::Internal(_)), "{e:?}");
        assert!(e.to_string().contains("not installed"), "{e}");
        assert!(e.to_string().contains("roads.mbtiles"), "{e}");

        install_mbtiles(&FIRST);
        let s = open_mbtiles(path).unwrap();
        assert_eq!(s.info().name.as_deref(), Some("roads.mbtiles"));
        assert_eq!(s.info().min_zoom, 7);
        assert_eq!(s.tile(7, 1, 2).unwrap(), Some(vec![7, 1, 2]));
        assert_eq!(s.tile(8, 1, 2).unwrap(), None);

        install_mbtiles(&SECOND);
        assert_eq!(
            open_mbtiles(path).unwrap().info().min_zoom,
            7,
            "the first stays"
        );
    }
}
