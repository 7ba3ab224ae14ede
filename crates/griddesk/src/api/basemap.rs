//! The [`Engine`] facade for basemaps (docs/basemap.md): installing a package or building one
//! from an OSM extract, listing, removing, serving tiles, place search, and the roads and
//! buildings the planning tools take from a vector basemap.
//!
//! Package files live in the basemap folder beside the store (`<store>.basemaps/`). Install is
//! crash-safe: the file is copied or built under `<id>.part`, synced, renamed to its final
//! name, and only then recorded in the store in one transaction. Anything in the folder
//! without a row (a crash between rename and commit, a `.part` left by a kill) is removed at
//! the next open. A failed or cancelled install leaves nothing.

#[allow(unused_imports)]
use crate::ports::*;

use crate::error::{Error, Permission, Result};
use crate::message::{Message, MessageCode as C};
use crate::users::{Role, Session};
use crate::Engine;
use griddesk_basemap::basemap::build::{build_pmtiles, named_places, BuildMeta};
use griddesk_basemap::basemap::datum::gcj02_offset_m;
use griddesk_basemap::basemap::mvt_read::{decode_shapes, TileFeature};
use griddesk_basemap::basemap::osm::read_osm_pbf;
use griddesk_basemap::basemap::package::{file_label, open_mbtiles, PmtilesFile};
use griddesk_basemap::basemap::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub use griddesk_basemap::basemap;

/// The roles that install and remove basemaps.
const MANAGERS: &[Role] = &[Role::Planner, Role::Admin];

/// Installed basemaps and what the session may do with them.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BasemapList {
    pub basemaps: Vec<BasemapInfo>,
    pub can_manage: bool,
}

/// What the user said when installing.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct InstallOptions {
    /// The name shown; by default the package's own name or the file name.
    pub name: Option<String>,
    /// The package's datum when it does not declare one (or to override what it declares).
    pub datum: Option<Datum>,
}

/// A step of an install, for the progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum InstallStage {
    /// Reading an OSM extract (bytes).
    Read,
    /// Cutting tiles (tiles).
    Tiles,
    /// Copying the package into the basemap folder (bytes).
    Copy,
}

/// Progress of an install; the callback returns `false` to cancel.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct InstallProgress {
    pub stage: InstallStage,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub done: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub total: u64,
}

/// Open packages by id.
pub(crate) type Sources = Mutex<HashMap<String, Arc<dyn TileSource>>>;

/// The basemap folder of a store at `store`.
pub fn basemap_dir(store: &Path) -> PathBuf {
    let mut name = store
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".basemaps");
    store.with_file_name(name)
}

fn invalid(m: Message, en: String) -> Error {
    Error::Invalid(m.en(en))
}

impl Engine {
    fn basemap_folder(&self) -> Option<PathBuf> {
        (self.path().as_os_str() != ":memory:").then(|| basemap_dir(self.path()))
    }

    /// Installed basemaps, oldest first.
    pub fn basemaps(&self) -> Result<Vec<BasemapInfo>> {
        self.store().db().basemaps()
    }

    /// The basemaps and whether `by` may install or remove them.
    pub fn basemap_list(&self, by: &Session) -> Result<BasemapList> {
        self.require_active(by)?;
        Ok(BasemapList {
            basemaps: self.basemaps()?,
            can_manage: MANAGERS.contains(&by.role) || crate::api::workflow::is_local_admin(by),
        })
    }

    /// Installs a PMTiles or MBTiles package, or builds a vector basemap from an OSM extract
    /// (`.osm.pbf`) and installs it (planners and administrators).
    pub fn install_basemap(
        &self,
        by: &Session,
        file: &Path,
        options: &InstallOptions,
        progress: &(dyn Fn(InstallProgress) -> bool + Sync),
    ) -> Result<BasemapInfo> {
        self.require_role(by, MANAGERS, Permission::ManageBasemaps)?;
        self.install_basemap_as(&by.login, file, options, progress)
    }

    /// [`Engine::install_basemap`] without the role check (the sample's first start, the CLI's
    /// local administrator).
    pub(crate) fn install_basemap_as(
        &self,
        login: &str,
        file: &Path,
        options: &InstallOptions,
        progress: &(dyn Fn(InstallProgress) -> bool + Sync),
    ) -> Result<BasemapInfo> {
        let dir = self
            .basemap_folder()
            .ok_or_else(|| Error::Internal("an in-memory store has no basemap folder".into()))?;
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let label = file_label(file);
        let id = self.next_basemap_id()?;
        let kind = sniff(file)?;
        let (ext, part) = match kind {
            Sniffed::Pmtiles | Sniffed::OsmPbf => {
                ("pmtiles", dir.join(format!("{id}.pmtiles.part")))
            }
            Sniffed::Mbtiles => ("mbtiles", dir.join(format!("{id}.mbtiles.part"))),
            Sniffed::Unknown => {
                return Err(invalid(
                    Message::new(C::BasemapUnknownFormat).text("file", &label),
                    format!("{label} is not a PMTiles, MBTiles or OSM PBF file"),
                ))
            }
        };
        let dest = dir.join(format!("{id}.{ext}"));
        let result = (|| -> Result<BasemapInfo> {
            let p: package::PackageInfo = match kind {
                Sniffed::OsmPbf => {
                    let read = read_osm_pbf(file, &|done, total| {
                        progress(InstallProgress {
                            stage: InstallStage::Read,
                            done,
                            total,
                        })
                    })?;
                    let name = options
                        .name
                        .clone()
                        .unwrap_or_else(|| label.trim_end_matches(".osm.pbf").to_string());
                    let meta = BuildMeta {
                        name,
                        attribution: Some("© OpenStreetMap contributors".into()),
                    };
                    build_pmtiles(&read.features, &meta, &part, &|done, total| {
                        progress(InstallProgress {
                            stage: InstallStage::Tiles,
                            done,
                            total,
                        })
                    })?;
                    PmtilesFile::open(&part)?.info().clone()
                }
                Sniffed::Mbtiles => open_mbtiles(file)?.info().clone(),
                _ => PmtilesFile::open(file)?.info().clone(),
            };
            let datum = self.check_package(&label, &p, options)?;
            if kind != Sniffed::OsmPbf {
                copy_with_progress(file, &part, progress)?;
            }
            sync_file(&part)?;
            std::fs::rename(&part, &dest).map_err(|e| Error::io(&dest, e))?;
            sync_dir(&dir);
            let size_bytes = std::fs::metadata(&dest).map(|m| m.len()).unwrap_or(0);
            let out = BasemapInfo {
                id: id.clone(),
                name: options
                    .name
                    .clone()
                    .filter(|n| !n.trim().is_empty())
                    .or_else(|| p.name.clone())
                    .unwrap_or_else(|| label.clone()),
                format: p.format,
                tile_format: p.tile_format,
                datum,
                min_zoom: p.min_zoom,
                max_zoom: p.max_zoom,
                bounds: p.bounds,
                built: p.built,
                vector_layers: p.vector_layers.clone(),
                size_bytes,
                source_file: label.clone(),
                attribution: p.attribution.clone(),
                installed_at: chrono::Local::now()
                    .naive_local()
                    .format(griddesk_core::dates::DATETIME_FMT)
                    .to_string(),
                installed_by: login.to_string(),
            };
            let places: Vec<Place> = p
                .places
                .iter()
                .map(|pl| Place {
                    basemap: id.clone(),
                    ..pl.clone()
                })
                .collect();
            self.store()
                .transaction(|db| db.add_basemap(&out, &places))?;
            Ok(out)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&part);
            if !self.basemaps()?.iter().any(|b| b.id == id) {
                let _ = std::fs::remove_file(&dest);
            }
        }
        result
    }

    /// The datum to record, or the refusal (§Datum in docs/basemap.md).
    fn check_package(
        &self,
        label: &str,
        p: &package::PackageInfo,
        o: &InstallOptions,
    ) -> Result<Datum> {
        let datum = match (o.datum, p.datum, &p.datum_unknown) {
            (Some(d), _, _) => d,
            (None, Some(d), _) => d,
            (None, None, Some(v)) => {
                return Err(invalid(
                    Message::new(C::BasemapDatumUnknown).text("value", v),
                    format!("{label}: unknown datum `{v}` (WGS84, CGCS2000 or GCJ-02)"),
                ))
            }
            (None, None, None) => Datum::Wgs84,
        };
        let district = self.grids_bbox();
        if !datum.aligned() || p.datum == Some(Datum::Gcj02) {
            let at = district
                .or(p.bounds)
                .map(|b| ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0))
                .unwrap_or((116.4, 39.9));
            let offset = gcj02_offset_m(at.0, at.1).round() as i64;
            return Err(invalid(
                Message::new(C::BasemapGcj02)
                    .text("file", label)
                    .int("offset", offset),
                format!(
                    "{label} is in GCJ-02, about {offset} m off the CGCS2000/WGS84 grids here; it was not installed"
                ),
            ));
        }
        if let (Some(d), Some(b)) = (district, p.bounds) {
            // A package for the whole world (or a city around the district) covers it; one
            // for another city does not come within 0.5° of it.
            let near = b[0] <= d[2] + 0.5
                && b[2] >= d[0] - 0.5
                && b[1] <= d[3] + 0.5
                && b[3] >= d[1] - 0.5;
            if !near {
                return Err(invalid(
                    Message::new(C::BasemapElsewhere).text("file", label),
                    format!("{label} covers nowhere near the district"),
                ));
            }
        }
        Ok(datum)
    }

    fn next_basemap_id(&self) -> Result<String> {
        let taken: Vec<String> = self.basemaps()?.into_iter().map(|b| b.id).collect();
        let stamp = chrono::Local::now().format("%Y%m%d%H%M%S").to_string();
        let mut n = 1;
        loop {
            let id = format!("bm-{stamp}-{n}");
            if !taken.contains(&id) {
                return Ok(id);
            }
            n += 1;
        }
    }

    /// Removes a basemap: its row and place names, then its file (planners and administrators).
    pub fn remove_basemap(&self, by: &Session, id: &str) -> Result<()> {
        self.require_role(by, MANAGERS, Permission::ManageBasemaps)?;
        let Some(b) = self.basemaps()?.into_iter().find(|b| b.id == id) else {
            return Err(Error::NotFound {
                what: "basemap",
                key: id.to_string(),
            });
        };
        self.store()
            .transaction(|db| db.remove_basemap(id).map(|_| ()))?;
        self.basemap_sources().remove(id);
        if let Some(dir) = self.basemap_folder() {
            let _ = std::fs::remove_file(dir.join(format!("{id}.{}", b.format.extension())));
        }
        Ok(())
    }

    /// Forgets the open packages (after the store moved).
    pub(crate) fn basemap_sources_clear(&self) {
        self.basemap_sources().clear();
    }

    fn basemap_sources(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<dyn TileSource>>> {
        match self.basemap_sources.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// The open package of an installed basemap.
    fn basemap_source(&self, id: &str) -> Result<Arc<dyn TileSource>> {
        if let Some(s) = self.basemap_sources().get(id) {
            return Ok(Arc::clone(s));
        }
        let Some(b) = self.basemaps()?.into_iter().find(|b| b.id == id) else {
            return Err(Error::NotFound {
                what: "basemap",
                key: id.to_string(),
            });
        };
        let dir = self
            .basemap_folder()
            .ok_or_else(|| Error::Internal("an in-memory store has no basemap folder".into()))?;
        let path = dir.join(format!("{id}.{}", b.format.extension()));
        let s: Arc<dyn TileSource> = match b.format {
            PackageFormat::Pmtiles => Arc::new(PmtilesFile::open(&path)?),
            PackageFormat::Mbtiles => Arc::from(open_mbtiles(&path)?),
        };
        self.basemap_sources()
            .insert(id.to_string(), Arc::clone(&s));
        Ok(s)
    }

    /// A basemap tile (uncompressed) and its format; `None` where the package has no tile.
    pub fn basemap_tile(&self, id: &str, z: u32, x: u32, y: u32) -> Result<Option<TileBytes>> {
        let z8 = u8::try_from(z).map_err(|_| Error::BadTile {
            z,
            x,
            y,
            reason: "zoom out of range",
        })?;
        let s = self.basemap_source(id)?;
        let format = s.info().tile_format;
        Ok(s.tile(z8, x, y)?.map(|bytes| TileBytes { bytes, format }))
    }

    /// Place names of the installed built basemaps containing every word of `query`.
    pub fn search_places(&self, query: &str, limit: usize) -> Result<Vec<Place>> {
        self.store().db().search_places(query, limit.clamp(1, 200))
    }

    /// Lines and polygons of the layers `want` selects from a vector basemap over `bbox`
    /// (`[west, south, east, north]`), read from its tiles at `zoom` (at most its maximum
    /// zoom). Features crossing tiles come once per tile (clipped with the tile buffer), which
    /// is what snapping and cut tests need.
    pub fn basemap_shapes(
        &self,
        id: &str,
        bbox: [f64; 4],
        zoom: u8,
        want: &dyn Fn(&str) -> bool,
    ) -> Result<Vec<TileFeature>> {
        let s = self.basemap_source(id)?;
        if !s.info().tile_format.is_vector() {
            return Ok(Vec::new());
        }
        let z = zoom.min(s.info().max_zoom).max(s.info().min_zoom);
        let lo = crate::tiles::TileAddress::containing(bbox[0], bbox[3], z.into());
        let hi = crate::tiles::TileAddress::containing(bbox[2], bbox[1], z.into());
        let mut out = Vec::new();
        if u64::from(hi.x.saturating_sub(lo.x) + 1) * u64::from(hi.y.saturating_sub(lo.y) + 1)
            > 4096
        {
            return Err(Error::Internal(format!(
                "basemap shapes: the box {bbox:?} is too large at zoom {z}"
            )));
        }
        for x in lo.x..=hi.x {
            for y in lo.y..=hi.y {
                if let Some(bytes) = s.tile(z, x, y)? {
                    out.extend(decode_shapes(&bytes, z, x, y, want)?);
                }
            }
        }
        Ok(out)
    }

    /// Removes files in the basemap folder that no row names (a crash between copying and
    /// recording, or a `.part` of a killed build).
    pub(crate) fn tidy_basemap_folder(&self) -> Result<()> {
        let Some(dir) = self.basemap_folder() else {
            return Ok(());
        };
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Ok(());
        };
        if self.is_read_only() {
            return Ok(());
        }
        let known: Vec<String> = self
            .basemaps()?
            .into_iter()
            .map(|b| format!("{}.{}", b.id, b.format.extension()))
            .collect();
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with("bm-") && !known.contains(&name) {
                let _ = std::fs::remove_file(e.path());
            }
        }
        Ok(())
    }

    /// Builds a basemap file from features (the sample generator; no install).
    pub fn write_basemap(
        features: &[Feature],
        name: &str,
        out: &Path,
    ) -> Result<build::BuildStats> {
        Self::write_basemap_with(features, name, out, &|_, _| true)
    }

    /// [`Engine::write_basemap`] with progress (`(done, total)` tiles; `false` cancels). The
    /// file appears whole under `out` or not at all.
    pub fn write_basemap_with(
        features: &[Feature],
        name: &str,
        out: &Path,
        progress: build::Progress<'_>,
    ) -> Result<build::BuildStats> {
        let mut part = out.as_os_str().to_os_string();
        part.push(".part");
        let part = PathBuf::from(part);
        let meta = BuildMeta {
            name: name.to_string(),
            attribution: None,
        };
        let stats = build_pmtiles(features, &meta, &part, progress);
        match stats {
            Ok(s) => {
                std::fs::rename(&part, out).map_err(|e| Error::io(out, e))?;
                Ok(s)
            }
            Err(e) => {
                let _ = std::fs::remove_file(&part);
                Err(e)
            }
        }
    }
}

/// The places a feature list would be searched by (tests, the CLI).
pub fn places_of(features: &[Feature]) -> Vec<Place> {
    named_places(features, "")
}

fn copy_with_progress(
    from: &Path,
    to: &Path,
    progress: &(dyn Fn(InstallProgress) -> bool + Sync),
) -> Result<()> {
    use std::io::{Read, Write};
    let mut src = std::fs::File::open(from).map_err(|e| Error::io(from, e))?;
    let total = src.metadata().map(|m| m.len()).unwrap_or(0);
    let mut dst = std::fs::File::create(to).map_err(|e| Error::io(to, e))?;
    let mut buf = vec![0u8; 1 << 20];
    let mut done = 0u64;
    loop {
        if !progress(InstallProgress {
            stage: InstallStage::Copy,
            done,
            total,
        }) {
            return Err(build::cancelled());
        }
        let n = src.read(&mut buf).map_err(|e| Error::io(from, e))?;
        if n == 0 {
            break;
        }
        dst.write_all(&buf[..n]).map_err(|e| Error::io(to, e))?;
        done += n as u64;
    }
    Ok(())
}

fn sync_file(p: &Path) -> Result<()> {
    std::fs::OpenOptions::new()
        .read(true)
        .open(p)
        .and_then(|f| f.sync_all())
        .map_err(|e| Error::io(p, e))
}

fn sync_dir(d: &Path) {
    if let Ok(f) = std::fs::File::open(d) {
        let _ = f.sync_all();
    }
}

/// Which basemap features the planning tools snap to (§Planning in docs/basemap.md).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BasemapSnap {
    /// The installed (vector) basemap.
    pub id: String,
    /// Road centre lines.
    pub roads: bool,
    /// Building outlines.
    pub buildings: bool,
}

/// A building that a grid boundary cuts through (the district check).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BuildingCut {
    /// The grids the building lies in, largest share first.
    pub grids: Vec<String>,
    /// The building's centroid `[lon, lat]`.
    pub at: [f64; 2],
    /// Its outline `[[lon, lat], …]`.
    pub outline: Vec<[f64; 2]>,
    /// The share of its area outside the grid holding most of it (0–0.5).
    pub share: f64,
    /// Its area, m².
    pub area_m2: f64,
}

/// A cut is flagged when more than this share of a building lies outside its main grid.
pub const BUILDING_CUT_SHARE: f64 = 0.05;

fn is_road_layer(name: &str) -> bool {
    matches!(
        name,
        "roads" | "road" | "transportation" | "highway" | "highways" | "streets"
    )
}

fn is_building_layer(name: &str) -> bool {
    matches!(name, "buildings" | "building")
}

impl Engine {
    /// The basemap lines near `p` to snap to: road centre lines and building outlines.
    pub(crate) fn basemap_snap_lines(
        &self,
        b: &BasemapSnap,
        p: [f64; 2],
        tolerance_m: f64,
    ) -> Result<Vec<(crate::planning::SnapLayer, geo_types::LineString<f64>)>> {
        use crate::planning::SnapLayer;
        if !b.roads && !b.buildings {
            return Ok(Vec::new());
        }
        let dy = tolerance_m / 110_574.0;
        let dx = tolerance_m / (111_320.0 * p[1].to_radians().cos().max(0.01));
        let bbox = [p[0] - dx, p[1] - dy, p[0] + dx, p[1] + dy];
        let want = |l: &str| (b.roads && is_road_layer(l)) || (b.buildings && is_building_layer(l));
        let mut out = Vec::new();
        for f in self.basemap_shapes(&b.id, bbox, 16, &want)? {
            match f.shape {
                mvt_shape::Lines(ls) if is_road_layer(&f.layer) => {
                    out.extend(ls.into_iter().map(|l| (SnapLayer::Road, l)));
                }
                mvt_shape::Polygons(ps) if is_building_layer(&f.layer) => {
                    out.extend(
                        ps.into_iter()
                            .map(|p| (SnapLayer::Building, p.exterior().clone())),
                    );
                }
                _ => {}
            }
        }
        Ok(out)
    }

    /// A vector basemap's roads over `bbox` that make good grid boundaries (roads a vehicle
    /// drives on; every line of a road layer in a package GridDesk did not build).
    pub(crate) fn basemap_cut_roads(&self, id: &str, bbox: [f64; 4]) -> Result<Vec<Vec<[f64; 2]>>> {
        let mut out = Vec::new();
        for f in self.basemap_shapes(id, bbox, 15, &is_road_layer)? {
            if f.class
                .as_deref()
                .is_some_and(|c| !features::is_cut_road(c))
            {
                continue;
            }
            if let mvt_shape::Lines(ls) = f.shape {
                out.extend(
                    ls.into_iter()
                        .map(|l| l.0.into_iter().map(|c| [c.x, c.y]).collect::<Vec<_>>()),
                );
            }
        }
        Ok(out)
    }

    /// Buildings of a vector basemap that a grid boundary cuts through: more than
    /// [`BUILDING_CUT_SHARE`] of the building lies outside the grid that holds most of it
    /// (docs/basemap.md, §Planning).
    pub fn building_cuts(&self, id: &str) -> Result<Vec<BuildingCut>> {
        use geo::orient::{Direction, Orient};
        use geo::{Area, BooleanOps, BoundingRect, Centroid, GeodesicArea};
        let loaded = self.loaded();
        let idx = &loaded.index;
        let Some(bbox) = self.grids_bbox() else {
            return Ok(Vec::new());
        };
        let mut out: Vec<BuildingCut> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for f in self.basemap_shapes(id, bbox, 16, &is_building_layer)? {
            let mvt_shape::Polygons(ps) = f.shape else {
                continue;
            };
            for b in ps {
                let Some(r) = b.bounding_rect() else { continue };
                let area = b.unsigned_area();
                if area <= 0.0 {
                    continue;
                }
                let mut shares: Vec<(String, f64)> = idx
                    .grid_candidates(r)
                    .map(|i| &idx.grids[i])
                    .filter(|g| g.is_active())
                    .map(|g| {
                        (
                            g.code.to_string(),
                            b.intersection(&g.polygon).unsigned_area() / area,
                        )
                    })
                    .filter(|(_, s)| *s > 1e-6)
                    .collect();
                if shares.len() < 2 {
                    continue;
                }
                shares.sort_by(|a, b| b.1.total_cmp(&a.1));
                let share = 1.0 - shares[0].1;
                if share <= BUILDING_CUT_SHARE {
                    continue;
                }
                let Some(c) = b.centroid() else { continue };
                // A building split by a tile edge comes in two pieces: report it once.
                let key = (
                    shares[0].0.clone(),
                    (c.x() * 5e3).round() as i64,
                    (c.y() * 5e3).round() as i64,
                );
                if !seen.insert(key) {
                    continue;
                }
                out.push(BuildingCut {
                    grids: shares.into_iter().map(|(g, _)| g).collect(),
                    at: [c.x(), c.y()],
                    outline: b.exterior().0.iter().map(|p| [p.x, p.y]).collect(),
                    share: (share * 1000.0).round() / 1000.0,
                    // Oriented first: a clockwise ring's geodesic area is the rest of the globe.
                    area_m2: (b.orient(Direction::Default).geodesic_area_unsigned() * 10.0).round()
                        / 10.0,
                });
            }
        }
        out.sort_by(|a, b| b.share.total_cmp(&a.share));
        Ok(out)
    }
}

use griddesk_basemap::basemap::mvt_read::Shape as mvt_shape;
