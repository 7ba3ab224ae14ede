//! [`Engine`]: one open district — its store plus the in-memory indexes built from it. The CLI
//! and the desktop shell call only this; it is `Send + Sync`, so tiles can be served from many
//! threads while edits are serialised through the store.

#[allow(unused_imports)]
use crate::api::basemap::basemap_dir;
use crate::audit::AuditEntry;
use crate::ports::*;

use crate::code::GridCode;
use crate::codetable::CodeTables;
use crate::error::{Error, Result};
use crate::index::{bbox_of, SpatialIndex};
use crate::locate::GridLocator;
use crate::store::Store;
use geo::BoundingRect;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

pub use griddesk_spatial::{next_generation, Loaded, OverdueAt};

/// An open district.
pub struct Engine {
    store: Mutex<Store>,
    loaded: RwLock<Arc<Loaded>>,
    /// Responsibility zones over `loaded` (see [`crate::zones`]).
    pub(crate) zones: RwLock<Arc<crate::zones::ZoneIndex>>,
    path: PathBuf,
    /// The case loop's in-memory state, built on first use (see `workflow`).
    desk: Mutex<Option<crate::workflow::Desk>>,
    /// The store's external generation the indexes were built at, and when it was last asked
    /// (see [`Engine::loaded`]).
    seen: Mutex<(u64, std::time::Instant)>,
    /// The district proposal under review (`api::setup`).
    pending: Mutex<Option<crate::api::setup::PendingProposal>>,
    /// The street registers in memory and the store generation they were built at
    /// (`api::street`); `None` after this process changed them.
    pub(crate) registers: Mutex<Option<(u64, Arc<griddesk_registers::registers::RegisterIndex>)>>,
    /// Open basemap packages by id (`api::basemap`).
    pub(crate) basemap_sources: crate::api::basemap::Sources,
    /// The station's phone sessions and the citizen page's limits (`api::station_phone`).
    pub(crate) phone: crate::api::station_phone::PhoneState,
}

/// How often [`Engine::loaded`] asks the store whether another writer committed.
const EXTERNAL_CHECK: std::time::Duration = std::time::Duration::from_millis(500);

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("path", &self.path).finish()
    }
}

/// What the window shows before anything is clicked.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Overview {
    pub store_path: String,
    pub district_code: Option<String>,
    pub district_name: Option<String>,
    /// `[west, south, east, north]` of the district (or of the grids when there is no district).
    pub bbox: Option<[f64; 4]>,
    pub streets: usize,
    pub communities: usize,
    pub grids: usize,
    pub retired_grids: usize,
    pub duty_grids: usize,
    pub components: usize,
    pub cases: usize,
    pub open_cases: usize,
    /// Whether any data below the district level is sample data.
    pub sample: bool,
}

/// A duty grid as shown beside a unit grid.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DutyGridInfo {
    pub code: String,
    pub name: String,
    pub inspector: String,
}

/// Everything the side panel shows about one unit grid.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GridInfo {
    pub code: String,
    pub seq: String,
    pub name: String,
    pub community_code: String,
    pub community_name: Option<String>,
    pub street_code: String,
    pub street_name: Option<String>,
    pub area_m2: f64,
    pub land_use: Option<String>,
    pub level: Option<String>,
    pub start_date: String,
    pub end_date: Option<String>,
    pub duty_grid: Option<DutyGridInfo>,
    pub components: usize,
    pub cases: usize,
    pub open_cases: usize,
    pub bbox: [f64; 4],
    pub centroid: [f64; 2],
    pub sample: bool,
}

/// One search result.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SearchHit {
    /// `grid`, `component`, `community` or `street`.
    #[cfg_attr(
        feature = "ts",
        ts(type = "\"grid\" | \"component\" | \"community\" | \"street\"")
    )]
    pub kind: &'static str,
    pub code: String,
    pub label: String,
    /// `[west, south, east, north]`; a point for components.
    pub bbox: [f64; 4],
}

impl Engine {
    fn from_store(store: Store) -> Result<Self> {
        // GeoPackage files are SQLite databases: the SQLite backend reads and writes them.
        griddesk_store_sqlite::gpkg::install();
        // So are MBTiles packages: opened by it whichever store keeps the basemap records.
        griddesk_store_sqlite::basemap_sql::install();
        let path = store.path().to_path_buf();
        let loaded = Arc::new(Self::load(&store)?);
        let zones = crate::zones::build_index(&store.db(), Arc::clone(&loaded))?;
        let seen = store.external_generation()?;
        Ok(Self {
            store: Mutex::new(store),
            loaded: RwLock::new(loaded),
            zones: RwLock::new(Arc::new(zones)),
            path,
            desk: Mutex::new(None),
            seen: Mutex::new((seen, std::time::Instant::now())),
            pending: Mutex::new(None),
            registers: Mutex::new(None),
            basemap_sources: Mutex::default(),
            phone: Default::default(),
        })
    }

    fn load(store: &Store) -> Result<Loaded> {
        // GRIDDESK_TIMING=1 prints how long each phase of opening takes.
        let timing = std::env::var_os("GRIDDESK_TIMING").is_some();
        let t = std::time::Instant::now();
        let snapshot = store.load()?;
        let t_read = t.elapsed();
        let index = SpatialIndex::build(snapshot);
        let t_index = t.elapsed();
        let locator = GridLocator::build(&index);
        if timing {
            eprintln!(
                "open: read store {:.0} ms, build indexes {:.0} ms, build locator {:.0} ms",
                t_read.as_secs_f64() * 1e3,
                (t_index - t_read).as_secs_f64() * 1e3,
                (t.elapsed() - t_index).as_secs_f64() * 1e3
            );
        }
        Ok(Loaded::new(index, locator))
    }

    /// Opens an existing store and builds its indexes. A store the operating system will not
    /// let us write (read-only media) opens read-only. Damage found while reading it is
    /// [`Error::StoreCorrupt`] naming the file (`griddesk check` says more); a store whose
    /// first start did not finish is [`Error::StoreIncomplete`].
    pub fn open(path: &Path) -> Result<Self> {
        let e = Store::open(path)
            .and_then(|s| {
                refuse_incomplete(&s)?;
                Self::from_store(s)
            })
            .map_err(|e| with_path(e, path))?;
        // Leftovers of an install a crash interrupted (docs/basemap.md, §Installing).
        if let Err(err) = e.tidy_basemap_folder() {
            eprintln!("griddesk: tidying the basemap folder: {err}");
        }
        Ok(e)
    }

    /// Opens a store read-only (nothing can change; no lock taken, no upgrade).
    pub fn open_read_only(path: &Path) -> Result<Self> {
        Store::open_read_only(path)
            .and_then(|s| {
                refuse_incomplete(&s)?;
                Self::from_store(s)
            })
            .map_err(|e| with_path(e, path))
    }

    /// SQLite's quick check of the open store's file, on a connection of its own: `ok`, or the
    /// first problems (the app runs it in the background after opening and warns when the file
    /// is damaged; `griddesk check` says more).
    pub fn quick_check(&self) -> Result<String> {
        if self.path.as_os_str() == ":memory:" {
            return Ok("ok".into());
        }
        Store::quick_check(&self.path)
    }

    /// Whether this engine's store is open read-only.
    pub fn is_read_only(&self) -> bool {
        self.store().is_read_only()
    }

    /// Creates a new, empty store holding the given code tables.
    pub fn create(path: &Path, tables: &CodeTables) -> Result<Self> {
        let mut store = Store::create(path)?;
        store.write(|w| w.put_code_tables(tables))?;
        Self::from_store(store)
    }

    /// An empty in-memory district (tests, previews).
    pub fn in_memory(tables: &CodeTables) -> Result<Self> {
        let mut store = Store::in_memory()?;
        store.write(|w| w.put_code_tables(tables))?;
        Self::from_store(store)
    }

    /// The store file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The current indexes (a consistent snapshot; cheap to clone).
    /// `[west, south, east, north]` of the active unit grids: where a map of the district opens
    /// (the district outline is often far larger than its gridded core).
    pub fn grids_bbox(&self) -> Option<[f64; 4]> {
        let loaded = self.loaded();
        let mut coords = loaded
            .index
            .grids
            .iter()
            .filter(|g| g.is_active())
            .flat_map(|g| g.polygon.exterior().coords());
        let first = coords.next()?;
        Some(coords.fold([first.x, first.y, first.x, first.y], |b, c| {
            [b[0].min(c.x), b[1].min(c.y), b[2].max(c.x), b[3].max(c.y)]
        }))
    }

    /// The indexes in force. At most every [`EXTERNAL_CHECK`], and when the store is free, it
    /// first asks the store whether another writer (another process on the same file) has
    /// committed since they were built, and rebuilds them if so: this process is not assumed
    /// to be the only writer.
    pub fn loaded(&self) -> Arc<Loaded> {
        self.follow_other_writers();
        match self.loaded.read() {
            Ok(g) => Arc::clone(&g),
            Err(p) => Arc::clone(&p.into_inner()),
        }
    }

    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        match self.store.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    pub(crate) fn desk_slot(&self) -> MutexGuard<'_, Option<crate::workflow::Desk>> {
        match self.desk.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// Edits the current indexes in place (an intake, a status change), without a reload.
    /// Readers holding the old snapshot are waited for briefly; if they keep it, the snapshot is
    /// copied first (its generation stays: the content is the same).
    pub(crate) fn edit_index(&self, f: impl FnOnce(&mut crate::index::SpatialIndex)) {
        let mut g = match self.loaded.write() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        for _ in 0..50 {
            if Arc::get_mut(&mut g).is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        // The analytics columns are derived from the cases: dropped here, rebuilt on next use.
        match Arc::get_mut(&mut g) {
            Some(l) => {
                f(&mut l.index);
                l.analytics = Default::default();
                l.evaluation = Default::default();
                l.overdue = Default::default();
            }
            None => {
                let mut l = Loaded::clone(&g);
                f(&mut l.index);
                l.analytics = Default::default();
                l.evaluation = Default::default();
                l.overdue = Default::default();
                *g = Arc::new(l);
            }
        }
    }

    /// Updates the indexes in force after a module's own write: `f` gets the current ones,
    /// which it may change in place when nothing else holds them (`Arc::get_mut`) or replace.
    /// Readers wait meanwhile.
    pub(crate) fn update_loaded(&self, f: impl FnOnce(&mut Arc<Loaded>)) {
        match self.loaded.write() {
            Ok(mut g) => f(&mut g),
            Err(p) => f(&mut p.into_inner()),
        }
    }

    /// A consistent copy of the open store at `to`, taken while it stays in use (an
    /// administrator's task: the copy holds every person's data). See [`Store::backup_to`].
    pub fn backup(&self, by: &crate::users::Session, to: &Path) -> Result<()> {
        self.require_role(
            by,
            &[crate::users::Role::Admin],
            crate::error::Permission::Backup,
        )?;
        if to == self.path {
            return Err(Error::Duplicate {
                what: "store file",
                key: to.display().to_string(),
            });
        }
        self.store().backup_to(to)
    }

    /// Puts the backup `from` in place as the store `to` (not open anywhere): the backup is
    /// verified first (a GridDesk store this build can open, every page intact), copied beside
    /// `to` and moved into place, so a bad backup or a failure leaves `to` as it was. Returns the
    /// backup's schema version.
    pub fn restore(from: &Path, to: &Path) -> Result<i64> {
        let version = Store::verify(from)?;
        let mut part = to.as_os_str().to_owned();
        part.push(".restore");
        let part = PathBuf::from(part);
        std::fs::copy(from, &part).map_err(|e| Error::io(&part, e))?;
        for side in ["-wal", "-shm"] {
            let mut p = to.as_os_str().to_owned();
            p.push(side);
            let _ = std::fs::remove_file(PathBuf::from(p));
        }
        std::fs::rename(&part, to).map_err(|e| Error::io(to, e))?;
        Ok(version)
    }

    /// The indexes in force for a write that holds the store: rebuilt first when another
    /// writer (another process) committed since they were built, so that the checks the write
    /// makes and the "before" it records are the store's, not a stale copy's (docs/trust.md,
    /// "Stale edits"). Returns them with the store's generation; the write's transaction
    /// compares that generation again ([`Engine::still_current`]).
    pub(crate) fn current_locked(&self, store: &Store) -> Result<(Arc<Loaded>, u64)> {
        let now = store.external_generation()?;
        let mut seen = match self.seen.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        if now != seen.0 {
            let loaded = Arc::new(Self::load(store)?);
            let zones = crate::zones::build_index(&store.db(), Arc::clone(&loaded))?;
            *seen = (now, std::time::Instant::now());
            self.install(loaded, zones);
        }
        drop(seen);
        let loaded = match self.loaded.read() {
            Ok(g) => Arc::clone(&g),
            Err(p) => Arc::clone(&p.into_inner()),
        };
        Ok((loaded, now))
    }

    /// The store generation the indexes were last brought up to (by [`Engine::current_locked`]
    /// or the periodic check): what a write holding the store compares inside its transaction.
    pub(crate) fn seen_generation(&self) -> u64 {
        match self.seen.lock() {
            Ok(g) => g.0,
            Err(p) => p.into_inner().0,
        }
    }

    /// Inside a write's transaction: refuses it when another writer committed after
    /// [`Engine::current_locked`] read the generation (the moment between the check and the
    /// transaction's start), naming what was being changed.
    pub(crate) fn still_current(
        tx: &impl griddesk_store::Generation,
        generation: u64,
        thing: crate::message::Thing,
        key: &str,
    ) -> Result<()> {
        if tx.external_generation()? == generation {
            Ok(())
        } else {
            Err(Error::ChangedSince {
                thing,
                key: key.to_string(),
            })
        }
    }

    /// Rebuilds the indexes when another writer committed since they were built (see
    /// [`Engine::loaded`]). Never waits for the store: busy means this process is writing.
    fn follow_other_writers(&self) {
        let mut seen = match self.seen.try_lock() {
            Ok(g) => g,
            Err(_) => return,
        };
        if seen.1.elapsed() < EXTERNAL_CHECK {
            return;
        }
        seen.1 = std::time::Instant::now();
        let Ok(store) = self.store.try_lock() else {
            return;
        };
        let Ok(now) = store.external_generation() else {
            return;
        };
        if now == seen.0 {
            return;
        }
        // Another connection committed: read everything again. A failure keeps the indexes
        // in force and tries again at the next check.
        let Ok(loaded) = Self::load(&store).map(Arc::new) else {
            return;
        };
        let Ok(zones) = crate::zones::build_index(&store.db(), Arc::clone(&loaded)) else {
            return;
        };
        seen.0 = now;
        drop(store);
        self.install(loaded, zones);
    }

    /// Puts indexes read again from the store in force.
    fn install(&self, loaded: Arc<Loaded>, zones: crate::zones::ZoneIndex) {
        match self.loaded.write() {
            Ok(mut g) => *g = loaded,
            Err(p) => *p.into_inner() = loaded,
        }
        match self.zones.write() {
            Ok(mut g) => *g = Arc::new(zones),
            Err(p) => *p.into_inner() = Arc::new(zones),
        }
    }

    /// Rebuilds the indexes from the store (after a write).
    pub fn reload(&self) -> Result<()> {
        let loaded = Arc::new(Self::load(&self.store())?);
        match self.loaded.write() {
            Ok(mut g) => *g = Arc::clone(&loaded),
            Err(p) => *p.into_inner() = Arc::clone(&loaded),
        }
        self.refresh_zones()
    }

    /// Summary counts and extent.
    pub fn overview(&self) -> Overview {
        let l = self.loaded();
        let idx = &l.index;
        let bbox = idx
            .district
            .as_ref()
            .and_then(|d| bbox_of(&d.boundary))
            .or_else(|| {
                let r = griddesk_core::planar::union_rects(
                    idx.grids.iter().filter_map(|g| g.polygon.bounding_rect()),
                )?;
                Some([r.min().x, r.min().y, r.max().x, r.max().y])
            });
        Overview {
            store_path: self.path.display().to_string(),
            district_code: idx.district.as_ref().map(|d| d.code.to_string()),
            district_name: idx.district.as_ref().map(|d| d.name.clone()),
            bbox,
            streets: idx.streets.len(),
            communities: idx.communities.len(),
            grids: idx.grids.iter().filter(|g| g.is_active()).count(),
            retired_grids: idx.grids.iter().filter(|g| !g.is_active()).count(),
            duty_grids: idx.duty_grids.len(),
            components: idx.components.len(),
            cases: idx.cases.len(),
            open_cases: idx.cases.iter().filter(|c| !c.status.is_terminal()).count(),
            sample: idx.grids.iter().any(|g| g.sample) || idx.communities.iter().any(|c| c.sample),
        }
    }

    /// The grid at a point (boundary rule: see [`crate::index`]).
    pub fn grid_at(&self, lon: f64, lat: f64) -> Option<GridCode> {
        let l = self.loaded();
        l.index.grid_at(lon, lat).map(|i| l.index.grids[i].code)
    }

    /// The grid of each point, in parallel; `None` outside every active grid.
    pub fn locate_points(&self, pts: &[[f64; 2]]) -> Vec<Option<GridCode>> {
        let l = self.loaded();
        l.locator
            .locate_many(&l.index, pts)
            .into_iter()
            .map(|g| g.map(|i| l.index.grids[i as usize].code))
            .collect()
    }

    /// Details of one grid for the side panel.
    pub fn grid_info(&self, code: &str) -> Result<GridInfo> {
        let (code, _) = GridCode::parse_or_migrate(code)?;
        let l = self.loaded();
        let idx = &l.index;
        let i = idx.grid_index(&code).ok_or_else(|| Error::NotFound {
            what: "grid",
            key: code.to_string(),
        })?;
        let g = &idx.grids[i];
        let comm = idx.community(&g.community());
        let street = idx.street(&g.community().street());
        let r = g
            .polygon
            .bounding_rect()
            .ok_or_else(|| Error::Geometry(format!("grid {code} is empty")))?;
        let p = idx.grid_label_points[i];
        let counts = idx.grid_counts[i];
        Ok(GridInfo {
            code: code.to_string(),
            seq: code.sequence_str().to_string(),
            name: g.name.clone(),
            community_code: g.community().to_string(),
            community_name: comm.map(|c| c.name.clone()),
            street_code: g.community().street().to_string(),
            street_name: street.map(|s| s.name.clone()),
            area_m2: g.area_m2,
            land_use: g.land_use.clone(),
            level: g.level.clone(),
            start_date: g.start_date.to_string(),
            end_date: g.end_date.map(|d| d.to_string()),
            duty_grid: idx.duty_grid_of(&code).map(|d| DutyGridInfo {
                code: d.code.clone(),
                name: d.name.clone(),
                inspector: d.inspector.clone(),
            }),
            components: counts.components as usize,
            cases: counts.cases as usize,
            open_cases: counts.open_cases as usize,
            bbox: [r.min().x, r.min().y, r.max().x, r.max().y],
            centroid: [p.x(), p.y()],
            sample: g.sample,
        })
    }

    /// Finds grids (by full or partial code or name), components (by code), communities and
    /// streets (by name or code). Exact matches first, then prefix matches, then others.
    pub fn search(&self, query: &str, limit: usize) -> Vec<SearchHit> {
        let q = query.trim();
        if q.is_empty() || limit == 0 {
            return vec![];
        }
        let l = self.loaded();
        let idx = &l.index;
        // (rank, hit): 0 exact, 1 prefix, 2 contains.
        let rank = |s: &str| -> Option<u8> {
            if s == q {
                Some(0)
            } else if s.starts_with(q) {
                Some(1)
            } else if s.contains(q) {
                Some(2)
            } else {
                None
            }
        };
        let mut hits: Vec<(u8, u8, SearchHit)> = Vec::new();
        let digits = q.bytes().all(|b| b.is_ascii_digit());
        for s in &idx.streets {
            if let (Some(r), Some(b)) = (
                rank(&s.name).or_else(|| rank(s.code.as_str())),
                bbox_of(&s.boundary),
            ) {
                hits.push((
                    r,
                    0,
                    SearchHit {
                        kind: "street",
                        code: s.code.to_string(),
                        label: s.name.clone(),
                        bbox: b,
                    },
                ));
            }
        }
        for c in &idx.communities {
            if let (Some(r), Some(b)) = (
                rank(&c.name).or_else(|| rank(c.code.as_str())),
                bbox_of(&c.boundary),
            ) {
                let street = idx
                    .street(&c.street())
                    .map(|s| s.name.as_str())
                    .unwrap_or("");
                hits.push((
                    r,
                    1,
                    SearchHit {
                        kind: "community",
                        code: c.code.to_string(),
                        label: format!("{} · {street}", c.name),
                        bbox: b,
                    },
                ));
            }
        }
        for g in idx.grids.iter().filter(|g| g.is_active()) {
            let r = if digits {
                rank(g.code.as_str()).or_else(|| rank(g.code.sequence_str()))
            } else {
                rank(&g.name)
            };
            if let (Some(r), Some(b)) = (r, g.polygon.bounding_rect()) {
                let comm = idx
                    .community(&g.community())
                    .map(|c| c.name.as_str())
                    .unwrap_or("");
                hits.push((
                    r,
                    2,
                    SearchHit {
                        kind: "grid",
                        code: g.code.to_string(),
                        label: format!("{} · {comm}", g.name),
                        bbox: [b.min().x, b.min().y, b.max().x, b.max().y],
                    },
                ));
            }
        }
        if digits && q.len() >= 6 {
            for c in &idx.components {
                if let Some(r) = rank(c.code.as_str()) {
                    let class = idx
                        .code_tables
                        .components
                        .get(c.class_code.as_str())
                        .map(|e| e.name.as_str())
                        .unwrap_or("");
                    let (x, y) = (c.location.x(), c.location.y());
                    hits.push((
                        r,
                        3,
                        SearchHit {
                            kind: "component",
                            code: c.code.to_string(),
                            label: class.to_string(),
                            bbox: [x, y, x, y],
                        },
                    ));
                }
            }
        }
        hits.sort_by(|a, b| (a.0, a.1, &a.2.code).cmp(&(b.0, b.1, &b.2.code)));
        hits.into_iter().take(limit).map(|h| h.2).collect()
    }
}

// ---- import, export, first start ---------------------------------------------------------------

use crate::io::{self, Dataset, ImportOptions, ImportReport};

/// The sample district shipped in `resources/sample/` (see its `manifest.json`).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct SampleManifest {
    /// GB/T 2260 code of the district.
    pub district_code: String,
    /// District outline file, relative to the manifest.
    pub district_file: String,
    /// `(dataset, file)` in import order.
    pub files: Vec<(String, String)>,
    /// Responsibility zones, loaded after the files.
    #[serde(default)]
    pub zones: Option<crate::zones::ZoneFiles>,
    /// Departments, users and routing of the case loop (`case_loop.json`); the workflow
    /// histories of the sample cases are generated from it on loading.
    #[serde(default)]
    pub case_loop: Option<String>,
    /// The street registers: the service objects' import file and the rest (`registers.json`).
    #[serde(default)]
    pub registers: Option<SampleRegisterFiles>,
    /// The sample's streets as a built basemap (`basemap.pmtiles`), installed on first start.
    #[serde(default)]
    pub basemap: Option<String>,
}

/// The sample's register files, relative to the manifest.
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
pub struct SampleRegisterFiles {
    pub objects: String,
    pub records: String,
}

impl Engine {
    /// Imports a file (GeoJSON or CSV by extension) in one transaction, then refreshes the
    /// indexes. Components and cases are assigned to grids with the bulk locator.
    pub fn import(
        &self,
        by: &crate::users::Session,
        path: &Path,
        dataset: Dataset,
        opts: ImportOptions,
    ) -> Result<ImportReport> {
        self.require_import(by, dataset)?;
        self.import_unchecked(
            path,
            dataset,
            opts,
            import_entry(Some(by), path, dataset),
            true,
        )
    }

    /// Who may import a dataset: cases only an administrator (they carry people's reports);
    /// boundaries, grids, duty grids and components a planner or an administrator.
    pub fn require_import(&self, by: &crate::users::Session, dataset: Dataset) -> Result<()> {
        use crate::users::Role;
        match dataset {
            Dataset::Cases => {
                self.require_role(by, &[Role::Admin], crate::error::Permission::ImportCases)
            }
            _ => self.require_role(
                by,
                &[Role::Planner, Role::Admin],
                crate::error::Permission::ImportData,
            ),
        }
    }

    /// [`Self::import`] without the role gate: the engine's own first-start seeding.
    fn import_unchecked(
        &self,
        path: &Path,
        dataset: Dataset,
        opts: ImportOptions,
        entry: AuditEntry,
        guarded: bool,
    ) -> Result<ImportReport> {
        let report = self.import_only_unchecked(path, dataset, opts, entry, guarded)?;
        if !opts.dry_run && report.imported > 0 {
            self.reload()?;
        }
        Ok(report)
    }

    /// [`Engine::import`] without refreshing the indexes afterwards, for a one-shot job (the
    /// CLI) that ends right after; queries see the old state until [`Engine::reload`].
    pub fn import_only(
        &self,
        by: &crate::users::Session,
        path: &Path,
        dataset: Dataset,
        opts: ImportOptions,
    ) -> Result<ImportReport> {
        self.require_import(by, dataset)?;
        self.import_only_unchecked(
            path,
            dataset,
            opts,
            import_entry(Some(by), path, dataset),
            true,
        )
    }

    fn import_only_unchecked(
        &self,
        path: &Path,
        dataset: Dataset,
        opts: ImportOptions,
        entry: AuditEntry,
        guarded: bool,
    ) -> Result<ImportReport> {
        let l = self.loaded();
        let guard = match guarded {
            true => Some(import_guard(&l.index, self.plan_settings()?)),
            false => None,
        };
        let report = {
            let mut audited = AuditedWrites {
                engine: self,
                entry,
                guard: guard
                    .as_ref()
                    .map(|g| g as &dyn Fn(crate::model::Snapshot) -> Result<()>),
            };
            io::import_file_with(&mut audited, &l.index, path, dataset, opts, &|pts| {
                l.locator
                    .locate_many(&l.index, pts)
                    .into_iter()
                    .map(|g| g.map(|g| g as usize))
                    .collect()
            })?
        };
        Ok(report)
    }

    /// Imports a district outline from a GeoJSON file (feature chosen by code).
    pub fn import_district(
        &self,
        by: &crate::users::Session,
        path: &Path,
        code: &str,
    ) -> Result<()> {
        self.require_role(
            by,
            &[crate::users::Role::Planner, crate::users::Role::Admin],
            crate::error::Permission::ImportData,
        )?;
        let entry = AuditEntry::by(by, "import.district", path.display().to_string());
        self.import_district_unchecked(path, code, entry)
    }

    pub(crate) fn import_district_unchecked(
        &self,
        path: &Path,
        code: &str,
        entry: AuditEntry,
    ) -> Result<()> {
        let code = crate::code::DistrictCode::parse(code)?;
        let before = self
            .loaded()
            .index
            .district
            .as_ref()
            .map(|d| serde_json::json!({ "code": d.code.to_string(), "name": d.name }));
        let entry = entry
            .before(before)
            .after(serde_json::json!({ "code": code.to_string() }));
        let mut audited = AuditedWrites {
            engine: self,
            entry,
            guard: None,
        };
        io::import_district(&mut audited, path, code)?;
        self.reload()
    }

    /// Exports a dataset to a file (format by extension); returns the number of records.
    pub fn export(&self, path: &Path, dataset: Dataset) -> Result<usize> {
        io::export_file(&self.loaded().index, &StoreTexts(self), path, dataset)
    }

    /// Loads the sample district described by `resources/sample/manifest.json` into this store.
    pub fn load_sample(&self, resources: &Path) -> Result<()> {
        let dir = resources.join("sample");
        let mpath = dir.join("manifest.json");
        let text = std::fs::read_to_string(&mpath).map_err(|e| Error::io(&mpath, e))?;
        let m: SampleManifest = serde_json::from_str(&text)
            .map_err(|e| Error::Internal(format!("{}: {e}", mpath.display())))?;
        let district_file = dir.join(&m.district_file);
        let entry = AuditEntry::engine("import.district", district_file.display().to_string());
        self.import_district_unchecked(&district_file, &m.district_code, entry)?;
        for (dataset, file) in &m.files {
            let ds: Dataset = dataset.parse()?;
            let path = dir.join(file);
            let entry = import_entry(None, &path, ds);
            // The shipped sample: its topology is checked by its own tests, not at every start.
            self.import_unchecked(&path, ds, ImportOptions::default(), entry, false)?;
        }
        if let Some(z) = &m.zones {
            self.load_zone_files(&dir, z)?;
        }
        if let Some(file) = &m.case_loop {
            let p = dir.join(file);
            let text = std::fs::read_to_string(&p).map_err(|e| Error::io(&p, e))?;
            let seed: crate::sample::caseloop::CaseLoopSeed = serde_json::from_str(&text)
                .map_err(|e| Error::Internal(format!("{}: {e}", p.display())))?;
            self.load_sample_case_loop(&seed)?;
        }
        if let Some(file) = &m.basemap {
            let options = crate::api::basemap::InstallOptions {
                name: Some("样例区街道".into()),
                datum: None,
            };
            self.install_basemap_as("system", &dir.join(file), &options, &|_| true)?;
        }
        if let Some(r) = &m.registers {
            let t = std::time::Instant::now();
            self.load_sample_registers(&dir.join(&r.objects), &dir.join(&r.records))?;
            if std::env::var_os("GRIDDESK_TIMING").is_some() {
                eprintln!(
                    "timing: sample registers {:.0} ms",
                    t.elapsed().as_secs_f64() * 1e3
                );
            }
        }
        Ok(())
    }

    /// Opens the store at `path`; on first start (no file yet) creates it with the code tables
    /// from `resources/codes` and loads the sample district. Returns whether it was seeded now.
    /// Crash-safe: the store is built under `<path>.seeding`, marked complete, and only then
    /// moved to `path`, so a kill at any moment leaves no store (the next start seeds again)
    /// or a whole one — never a half-loaded store that opens.
    pub fn open_or_seed(path: &Path, resources: &Path) -> Result<(Self, bool)> {
        if path.exists() {
            return Ok((Self::open(path)?, false));
        }
        let tables = CodeTables::load_dir(&resources.join("codes"))?;
        let tmp = griddesk_store_sqlite::store::sibling(path, ".seeding");
        griddesk_store_sqlite::store::remove_store_files(&tmp);
        // No store yet: basemap folders left by an interrupted first start are orphans.
        let _ = std::fs::remove_dir_all(basemap_dir(&tmp));
        let _ = std::fs::remove_dir_all(basemap_dir(path));
        let seeded = Self::create(&tmp, &tables).and_then(|mut e| {
            e.set_setup("seeding")?;
            e.load_sample(resources)?;
            e.set_setup("complete")?;
            // The basemap folder moves first: a crash before the store moves leaves no store,
            // and the next start removes the orphan folder and seeds again.
            let (from, to) = (basemap_dir(&tmp), basemap_dir(path));
            if from.exists() {
                std::fs::rename(&from, &to).map_err(|err| Error::io(&to, err))?;
            }
            e.store().relocate(path)?;
            e.path = path.to_path_buf();
            e.basemap_sources_clear();
            let seen = e.store().external_generation()?;
            if let Ok(mut g) = e.seen.lock() {
                *g = (seen, std::time::Instant::now());
            }
            Ok(e)
        });
        match seeded {
            Ok(e) => Ok((e, true)),
            Err(err) => {
                griddesk_store_sqlite::store::remove_store_files(&tmp);
                let _ = std::fs::remove_dir_all(basemap_dir(&tmp));
                let _ = std::fs::remove_dir_all(basemap_dir(path));
                Err(err)
            }
        }
    }

    /// Keeps (or drops) the district proposal under review.
    pub(crate) fn set_pending(&self, p: Option<crate::api::setup::PendingProposal>) {
        match self.pending.lock() {
            Ok(mut g) => *g = p,
            Err(poisoned) => *poisoned.into_inner() = p,
        }
    }

    /// Takes the proposal under review if it is the one named by `token`.
    pub(crate) fn take_pending(&self, token: u64) -> Option<crate::api::setup::PendingProposal> {
        let mut g = match self.pending.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        if g.as_ref().is_some_and(|p| p.token() == token) {
            g.take()
        } else {
            None
        }
    }

    /// The store moved to `path` (a store built under a temporary name, then put in place).
    pub(crate) fn set_path(&mut self, path: &Path) {
        self.path = path.to_path_buf();
        if let Ok(seen) = self.store().external_generation() {
            if let Ok(mut g) = self.seen.lock() {
                *g = (seen, std::time::Instant::now());
            }
        }
    }

    /// Marks how far the store's setup got (meta `setup`: `seeding`, then `complete`).
    pub(crate) fn set_setup(&self, state: &str) -> Result<()> {
        self.store().write(|w| w.set_meta(SETUP_KEY, state))
    }

    /// Encodes the vector tile z/x/y (all layers) from the indexes.
    pub fn tile(&self, z: u32, x: u32, y: u32) -> Result<Vec<u8>> {
        crate::tiles::encode_tile(&self.loaded().index, z, x, y)
    }

    /// One part of vector tile `z/x/y` (the map's two tile sources): see
    /// [`crate::tiles::encode_tile_part`].
    pub fn tile_part(
        &self,
        z: u32,
        x: u32,
        y: u32,
        part: crate::tiles::TilePart,
    ) -> Result<Vec<u8>> {
        crate::tiles::encode_tile_part(&self.loaded().index, z, x, y, part)
    }

    /// Topology and coding findings for the active grids.
    pub fn validate(
        &self,
        opts: &crate::validate::ValidateOptions,
    ) -> Vec<crate::validate::Problem> {
        crate::validate::validate(&self.loaded().index, opts)
    }
}

impl Engine {
    /// Statistics per street and community, cases by source, status and class.
    pub fn stats(&self) -> crate::stats::Stats {
        crate::stats::compute(&self.loaded().index)
    }
}

/// The audit row of an import (its `after` gets the rows written): by a user, or by the engine
/// when it seeds the sample.
pub(crate) fn import_entry(
    by: Option<&crate::users::Session>,
    path: &Path,
    dataset: Dataset,
) -> AuditEntry {
    let subject = path.display().to_string();
    match by {
        Some(s) => AuditEntry::by(s, "import", subject),
        None => AuditEntry::engine("import", subject),
    }
    .after(serde_json::json!({ "dataset": dataset.to_string() }))
}

/// A store whose model writes also record one audit row in the same transaction, with the
/// number of rows of each kind written (a refused or failed import writes neither).
pub(crate) struct AuditedWrites<'a> {
    /// Locked only for the write: reading and checking the file leave the store free for the
    /// window's other work.
    pub(crate) engine: &'a Engine,
    pub(crate) entry: AuditEntry,
    /// Checks the district's areas as the import left them, before it commits (grid,
    /// community and street imports: the planning guard's rules).
    pub(crate) guard: Option<&'a dyn Fn(crate::model::Snapshot) -> Result<()>>,
}

/// The topology guard for an import of areas: the rules of drawn edits (docs/domain.md §1.6,
/// `check_district`), applied to the district as the import would leave it. Refuses the import
/// when it brings an error the district did not have before — an invalid polygon, an overlap,
/// a grid outside its community or naming none, overlapping communities, a bad code — listing
/// each with its geometry. Not for imports: coverage (a district is built in stages: streets,
/// then communities, then their grids, so gaps are expected on the way) and vertex-for-vertex
/// matching of shared edges (other tools' files, reprojected, rarely match to the last digit);
/// `griddesk validate` and the planning workspace report both (docs/trust.md).
pub(crate) fn import_guard(
    before: &crate::index::SpatialIndex,
    settings: crate::planning::PlanSettings,
) -> impl Fn(crate::model::Snapshot) -> Result<()> {
    use crate::topology::{Rule, Severity};
    let blocks = |p: &crate::topology::Problem| {
        p.severity == Severity::Error
            && !matches!(
                p.rule,
                Rule::Gap | Rule::EdgeMismatch | Rule::StreetCoverage | Rule::PreExisting
            )
    };
    let key = |p: &crate::topology::Problem| (p.rule.id(), p.subject());
    let had: std::collections::HashSet<(&'static str, String)> =
        crate::planning::check_district(before, &settings)
            .problems
            .iter()
            .filter(|p| blocks(p))
            .map(key)
            .collect();
    move |snapshot| {
        let idx = crate::index::SpatialIndex::build(snapshot);
        let report = crate::planning::check_district(&idx, &settings);
        let problems: Vec<_> = report
            .problems
            .into_iter()
            .filter(|p| blocks(p) && !had.contains(&key(p)))
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::TopologyRefused(Box::new(
                crate::topology::GuardReport { problems },
            )))
        }
    }
}

impl griddesk_store::ModelStore for AuditedWrites<'_> {
    fn write_model(
        &mut self,
        f: &mut dyn FnMut(&dyn griddesk_store::ModelSink) -> Result<()>,
    ) -> Result<()> {
        let entry = &self.entry;
        let guard = self.guard;
        self.engine.store().write(|w| {
            let counting = CountingSink {
                inner: w,
                counts: Default::default(),
            };
            f(&counting)?;
            let areas = {
                let c = counting.counts.borrow();
                ["grids", "communities", "streets"]
                    .iter()
                    .any(|k| c.contains_key(k))
            };
            if let (Some(guard), true) = (guard, areas) {
                guard(w.areas_snapshot()?)?;
            }
            let mut after = entry.after.clone().unwrap_or_else(|| serde_json::json!({}));
            if let Some(o) = after.as_object_mut() {
                for (k, v) in counting.counts.borrow().iter() {
                    o.insert((*k).to_string(), serde_json::json!(v));
                }
            }
            w.db().record_audit(&AuditEntry {
                after: Some(after),
                ..entry.clone()
            })?;
            Ok(())
        })
    }
}

/// Case descriptions read through the engine's store, held one block at a time (an export of a
/// million cases does not keep the window's writes waiting).
pub(crate) struct StoreTexts<'a>(pub(crate) &'a Engine);

impl griddesk_store::CaseTexts for StoreTexts<'_> {
    fn case_descriptions(&self, ids: &[&str]) -> Result<Vec<Option<String>>> {
        griddesk_store::CaseTexts::case_descriptions(&*self.0.store(), ids)
    }
}

/// Forwards every write and counts them by kind.
struct CountingSink<'a> {
    inner: &'a dyn griddesk_store::ModelSink,
    counts: std::cell::RefCell<std::collections::BTreeMap<&'static str, usize>>,
}

impl CountingSink<'_> {
    fn count(&self, kind: &'static str) {
        *self.counts.borrow_mut().entry(kind).or_default() += 1;
    }
}

impl griddesk_store::ModelSink for CountingSink<'_> {
    fn put_district(&self, d: &crate::model::District) -> Result<()> {
        self.count("districts");
        self.inner.put_district(d)
    }
    fn put_code_tables(&self, t: &CodeTables) -> Result<()> {
        self.count("code_tables");
        self.inner.put_code_tables(t)
    }
    fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.inner.set_meta(key, value)
    }
    fn insert_street(&self, s: &crate::model::Street) -> Result<()> {
        self.count("streets");
        self.inner.insert_street(s)
    }
    fn insert_community(&self, c: &crate::model::Community) -> Result<()> {
        self.count("communities");
        self.inner.insert_community(c)
    }
    fn insert_grid(&self, g: &crate::model::Grid) -> Result<()> {
        self.count("grids");
        self.inner.insert_grid(g)
    }
    fn insert_duty_grid(&self, d: &crate::model::DutyGrid) -> Result<()> {
        self.count("duty_grids");
        self.inner.insert_duty_grid(d)
    }
    fn insert_component(&self, c: &crate::model::Component) -> Result<()> {
        self.count("components");
        self.inner.insert_component(c)
    }
    fn insert_case(&self, c: &crate::model::Case) -> Result<()> {
        self.count("cases");
        self.inner.insert_case(c)
    }
    fn expect_rows(&self, table: griddesk_store::BulkTable, rows: usize) -> Result<()> {
        self.inner.expect_rows(table, rows)
    }
}

/// What `griddesk check` found in a store.
#[derive(Debug, Clone, Serialize)]
pub struct StoreCheck {
    pub schema_version: i64,
    /// SQLite's integrity check: `ok`, or the first problems found.
    pub integrity: String,
    /// `complete`, `seeding` (its first start was interrupted), or `-` for a store made before
    /// setup was recorded.
    pub setup: String,
    /// The audit's hash chain (not checked when the pages are damaged or the schema is older
    /// than this build's: open the store once to upgrade it).
    pub audit: Option<crate::audit::AuditCheck>,
}

impl StoreCheck {
    /// Whether nothing is wrong.
    pub fn ok(&self) -> bool {
        self.integrity == "ok"
            && self.setup != "seeding"
            && self.audit.as_ref().is_none_or(|a| a.ok())
    }
}

impl Engine {
    /// Checks a store without changing it (`griddesk check`): SQLite's integrity check, that
    /// its setup finished, and the audit's hash chain.
    pub fn check_store(path: &Path) -> Result<StoreCheck> {
        let (schema_version, integrity) = Store::integrity(path)?;
        let mut setup = "-".to_string();
        let mut audit = None;
        if integrity == "ok" && schema_version == griddesk_store_sqlite::store::current_version() {
            let s = Store::open_read_only(path).map_err(|e| with_path(e, path))?;
            setup = s.meta(SETUP_KEY)?.unwrap_or_else(|| "-".into());
            audit = Some(s.db().check_audit().map_err(|e| with_path(e, path))?);
        }
        Ok(StoreCheck {
            schema_version,
            integrity,
            setup,
            audit,
        })
    }
}

/// Meta key of a store whose first start (seeding) began and has not finished.
pub(crate) const SETUP_KEY: &str = "setup";

/// Refuses a store marked as still being set up (its first start was interrupted).
fn refuse_incomplete(s: &Store) -> Result<()> {
    match s.meta(SETUP_KEY)? {
        Some(v) if v != "complete" => Err(Error::StoreIncomplete {
            path: s.path().to_path_buf(),
            reason: format!("setup state `{v}`"),
        }),
        _ => Ok(()),
    }
}

/// A store error with the file's path filled in where the store layer did not know it.
fn with_path(e: Error, path: &Path) -> Error {
    match e {
        Error::StoreCorrupt { path: p, reason } if p.as_os_str().is_empty() => {
            Error::StoreCorrupt {
                path: path.to_path_buf(),
                reason,
            }
        }
        e => e,
    }
}
