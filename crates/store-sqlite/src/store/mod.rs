//! The SQLite store: one file per district station, WAL, foreign keys on, versioned migrations,
//! geometry as WKB. Every write goes through [`Store::write`], one transaction: a failed import or
//! edit leaves nothing behind.

mod schema;
pub use griddesk_io::io::wkb_io;

pub use schema::{current_version, APPLICATION_ID};

use crate::code::{ClassCode, CommunityCode, ComponentCode, DistrictCode, GridCode, StreetCode};
use crate::codetable::{ClassEntry, ClassTable, CodeTables};
use crate::error::sql_error;
use crate::error::Error;
use crate::model::*;
use geo_types::{Geometry, MultiPolygon};
use griddesk_core::Result;
use rusqlite::{params, Connection, ErrorCode, OpenFlags, OptionalExtension};
use std::path::{Path, PathBuf};

pub use griddesk_core::dates::{
    format_datetime, parse_date, parse_datetime, DATETIME_FMT, DATE_FMT,
};

/// The store as the domain crates see it: a connection, inside a transaction or not, that
/// implements their store traits. Nothing outside this crate sees the connection itself.
#[derive(Clone, Copy)]
pub struct Db<'a>(pub(crate) &'a Connection);

impl std::ops::Deref for Db<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.0
    }
}

/// An open GridDesk store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Opened read-only: every write is refused with [`Error::StoreReadOnly`].
    read_only: bool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// A street or community row: code, name, boundary, sample flag.
type AreaRow = (String, String, MultiPolygon<f64>, bool);

pub use crate::model::Snapshot;

fn classify_open_error(path: &Path, e: rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) | Some(ErrorCode::DatabaseCorrupt) => Error::StoreCorrupt {
            path: path.to_path_buf(),
            reason: e.to_string(),
        },
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => Error::StoreLocked {
            path: path.to_path_buf(),
        },
        _ => crate::error::sql_error(e),
    }
}

/// `path` with `suffix` appended to its file name (`a.sqlite` → `a.sqlite.part`).
pub fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

/// Removes a store file and its `-wal`, `-shm` and `-journal` companions, ignoring any that
/// are not there.
pub fn remove_store_files(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(sibling(path, suffix));
    }
}

/// A read-only connection: plain, or — where SQLite cannot set up the write-ahead log's shared
/// memory beside the file (a read-only folder) — as an immutable file.
fn read_only_connection(path: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let plain = Connection::open_with_flags(path, flags).and_then(|c| {
        // Reading the schema touches the file (and the -shm of a WAL store).
        c.query_row("PRAGMA schema_version", [], |r| r.get::<_, i64>(0))?;
        Ok(c)
    });
    match plain {
        Ok(c) => Ok(c),
        Err(e)
            if matches!(
                e.sqlite_error_code(),
                Some(ErrorCode::CannotOpen) | Some(ErrorCode::ReadOnly)
            ) =>
        {
            let abs = std::fs::canonicalize(path).map_err(|e| Error::io(path, e))?;
            let uri = format!(
                "file:{}?immutable=1",
                abs.display()
                    .to_string()
                    .replace('%', "%25")
                    .replace('?', "%3f")
                    .replace('#', "%23")
            );
            Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI)
                .map_err(|e| classify_open_error(path, e))
        }
        Err(e) => Err(classify_open_error(path, e)),
    }
}

/// Checks that `conn` holds a GridDesk store this build can read: its application id, and a
/// schema version not newer than this build's (and, for a read-only open, not older: it
/// cannot be upgraded without writing).
fn check_header(conn: &Connection, path: &Path, read_only: bool) -> Result<()> {
    let app_id: i64 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(|e| classify_open_error(path, e))?;
    if app_id != APPLICATION_ID {
        return Err(Error::StoreCorrupt {
            path: path.to_path_buf(),
            reason: "not a GridDesk store (SQLite application_id does not match)".into(),
        });
    }
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| classify_open_error(path, e))?;
    if version > current_version() {
        return Err(Error::StoreTooNew {
            path: path.to_path_buf(),
            found: version,
            supported: current_version(),
        });
    }
    if read_only && version < current_version() {
        return Err(Error::StoreReadOnly {
            path: path.to_path_buf(),
        });
    }
    Ok(())
}

impl Store {
    /// Opens an existing store, upgrading an older schema. Fails with a clear error when the file
    /// is missing, is not a GridDesk store, was written by a newer GridDesk, or is locked.
    pub fn open(path: &Path) -> Result<Self> {
        if !path.exists() {
            return Err(Error::StoreNotFound(path.to_path_buf()));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| classify_open_error(path, e))?;
        // A file the operating system will not let us write (read-only media, permissions):
        // open it for reading instead of failing.
        if conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) {
            drop(conn);
            return Self::open_read_only(path);
        }
        // Check what the file is before changing anything in it: a foreign or empty file is
        // refused without being switched to WAL or locked.
        let unwritable = |e: &rusqlite::Error| {
            matches!(
                e.sqlite_error_code(),
                Some(ErrorCode::ReadOnly) | Some(ErrorCode::CannotOpen)
            )
        };
        if let Err(e) = conn.query_row("PRAGMA schema_version", [], |r| r.get::<_, i64>(0)) {
            if unwritable(&e) {
                // A WAL store in a folder we cannot write (no -shm): read it as it is.
                drop(conn);
                return Self::open_read_only(path);
            }
        }
        check_header(&conn, path, false)?;
        let mut store = Self {
            conn,
            path: path.to_path_buf(),
            read_only: false,
        };
        if let Err(e) = store.configure() {
            if unwritable(&e) {
                // The operating system will not let us write the file (read-only media or
                // permissions, which SQLite finds only at the first write): open it for reading.
                drop(store);
                return Self::open_read_only(path);
            }
            return Err(classify_open_error(path, e));
        }
        store.migrate()?;
        Ok(store)
    }

    /// Opens a store read-only: for viewing a store on read-only media, or one another
    /// program writes, without taking the write lock, switching the journal mode or migrating.
    /// The file is checked as [`Store::open`] checks it; a store of an older schema must be
    /// opened once for writing first. Every write is refused with [`Error::StoreReadOnly`].
    pub fn open_read_only(path: &Path) -> Result<Self> {
        if !path.exists() {
            return Err(Error::StoreNotFound(path.to_path_buf()));
        }
        let conn = read_only_connection(path)?;
        conn.busy_timeout(std::time::Duration::from_millis(1500))
            .map_err(sql_error)?;
        check_header(&conn, path, true)?;
        let store = Self {
            conn,
            path: path.to_path_buf(),
            read_only: true,
        };
        store
            .conn
            .execute_batch("PRAGMA temp_store = MEMORY; PRAGMA cache_size = -131072;")
            .map_err(sql_error)?;
        Ok(store)
    }

    /// Whether this store was opened read-only.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    fn writable(&self) -> Result<()> {
        if self.read_only {
            Err(Error::StoreReadOnly {
                path: self.path.clone(),
            })
        } else {
            Ok(())
        }
    }

    /// Creates a new, empty store. Fails if the file already exists. Crash-safe: the store is
    /// made under `<path>.part` and moved into place complete, so a kill leaves either no store
    /// or a whole one (never a file that is half a store).
    pub fn create(path: &Path) -> Result<Self> {
        if path.exists() {
            return Err(Error::Duplicate {
                what: "store file",
                key: path.display().to_string(),
            });
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let part = sibling(path, ".part");
        remove_store_files(&part);
        let made = (|| {
            let conn = Connection::open(&part).map_err(sql_error)?;
            let mut store = Self {
                conn,
                path: part.clone(),
                read_only: false,
            };
            store
                .conn
                .execute_batch(&format!("PRAGMA application_id = {APPLICATION_ID};"))
                .map_err(sql_error)?;
            store.configure().map_err(sql_error)?;
            store.migrate()?;
            store.relocate(path)?;
            Ok(store)
        })();
        if made.is_err() {
            remove_store_files(&part);
        }
        made
    }

    /// Moves this store's file to `to` (which must not exist) and goes on using it there: the
    /// write-ahead log is folded into the file, the file is flushed to disk, renamed (atomic on
    /// one file system) and reopened. How a store built under a temporary name (first start)
    /// takes its real name only when complete.
    pub fn relocate(&mut self, to: &Path) -> Result<()> {
        self.writable()?;
        if to.exists() {
            return Err(Error::Duplicate {
                what: "store file",
                key: to.display().to_string(),
            });
        }
        self.conn
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .map_err(sql_error)?;
        let old = std::mem::replace(
            &mut self.conn,
            Connection::open_in_memory().map_err(sql_error)?,
        );
        old.close().map_err(|(_, e)| sql_error(e))?;
        let from = self.path.clone();
        std::fs::File::open(&from)
            .and_then(|f| f.sync_all())
            .map_err(|e| Error::io(&from, e))?;
        std::fs::rename(&from, to).map_err(|e| Error::io(to, e))?;
        if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
            // Make the rename itself durable (best effort: not every system lets a folder be
            // opened for syncing).
            let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
        }
        remove_store_files(&from);
        *self = Store::open(to)?;
        Ok(())
    }

    /// A throw-away store in memory (tests, dry runs).
    pub fn in_memory() -> Result<Self> {
        let conn = Connection::open_in_memory().map_err(sql_error)?;
        let mut store = Self {
            conn,
            path: PathBuf::from(":memory:"),
            read_only: false,
        };
        store.configure().map_err(sql_error)?;
        store
            .conn
            .execute_batch(&format!("PRAGMA application_id = {APPLICATION_ID};"))
            .map_err(sql_error)?;
        store.migrate()?;
        Ok(store)
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn configure(&mut self) -> rusqlite::Result<()> {
        self.conn
            .busy_timeout(std::time::Duration::from_millis(1500))?;
        // Reading the journal mode touches the file: a non-database fails here.
        let _mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        self.conn.execute_batch(
            "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY;
             PRAGMA cache_size = -131072;",
        )?;
        // Take and release a write lock: a store held by another writer is reported now, not
        // at the user's first edit.
        self.conn.execute_batch("BEGIN IMMEDIATE; COMMIT;")?;
        Ok(())
    }

    fn migrate(&mut self) -> Result<()> {
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(sql_error)?;
        let tx = self.conn.transaction().map_err(sql_error)?;
        for (i, sql) in schema::MIGRATIONS
            .iter()
            .enumerate()
            .skip(version.max(0) as usize)
        {
            tx.execute_batch(sql).map_err(sql_error)?;
            tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))
                .map_err(sql_error)?;
        }
        if version < current_version() {
            crate::audit_sql::seal(&tx).map_err(sql_error)?;
        }
        tx.commit().map_err(sql_error)?;
        Ok(())
    }

    /// The connection, for engine modules that own their own tables (cases workflow,
    /// planning history, analytics). Writes go through [`Store::transaction`].
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// The store outside a transaction, for reading: it implements the domain crates' store
    /// traits.
    pub fn db(&self) -> Db<'_> {
        Db(&self.conn)
    }

    /// One transaction for an operation on the domain crates' tables; committed when `f`
    /// returns `Ok`, rolled back otherwise (a workflow step writes flow, stage and audit
    /// together or not at all).
    pub fn transaction<T>(&mut self, f: impl FnOnce(&Db<'_>) -> Result<T>) -> Result<T> {
        self.writable()?;
        let tx = self.conn.transaction().map_err(sql_error)?;
        let out = f(&Db(&tx))?;
        crate::audit_sql::seal(&tx).map_err(sql_error)?;
        tx.commit().map_err(sql_error)?;
        Ok(out)
    }

    /// Schema version of the open store.
    pub fn schema_version(&self) -> Result<i64> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(sql_error)
    }

    /// Runs `f` in one transaction; commits if it returns `Ok`, rolls everything back otherwise.
    pub fn write<T>(&mut self, f: impl FnOnce(&Writer<'_>) -> Result<T>) -> Result<T> {
        self.writable()?;
        let tx = self.conn.transaction().map_err(sql_error)?;
        let w = Writer::on(&tx);
        let out = f(&w).and_then(|out| {
            w.rebuild_deferred()?;
            crate::audit_sql::seal(&tx).map_err(sql_error)?;
            Ok(out)
        });
        let cache = w.cache_to_restore.take();
        let out = out.and_then(|out| tx.commit().map(|()| out).map_err(sql_error));
        if let Some(pages) = cache {
            self.conn
                .execute_batch(&format!(
                    "PRAGMA cache_size = {pages}; PRAGMA temp_store = MEMORY;"
                ))
                .map_err(sql_error)?;
        }
        out
    }

    /// Reads a metadata value.
    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(sql_error)
    }

    /// The description of a case (kept out of memory).
    pub fn case_description(&self, id: &str) -> Result<Option<String>> {
        let d: Option<Option<String>> = self
            .conn
            .query_row("SELECT description FROM cases WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()
            .map_err(sql_error)?;
        d.ok_or_else(|| Error::NotFound {
            what: "case",
            key: id.to_string(),
        })
    }

    /// Loads the code tables stored in this store.
    pub fn code_tables(&self) -> Result<CodeTables> {
        code_tables_of(&self.conn)
    }

    /// Loads everything needed to build the in-memory indexes.
    pub fn load(&self) -> Result<Snapshot> {
        let c = &self.conn;
        let (district, streets, communities, grids, duty_grids) = load_areas(c, &self.path)?;
        // Components and cases are most of a large store: read them on their own connections,
        // in parallel, while this one reads the rest (WAL allows concurrent readers).
        // A read-only store may sit where no second connection can set up the write-ahead
        // log's shared memory (read-only media): read everything on this one.
        let (components, cases) = if self.path.as_os_str() == ":memory:" || self.read_only {
            (load_components(c, &self.path)?, load_cases(c, &self.path)?)
        } else {
            let path = &self.path;
            let reader = || -> Result<Connection> {
                let conn = Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
                .map_err(sql_error)?;
                conn.busy_timeout(std::time::Duration::from_millis(1500))
                    .map_err(sql_error)?;
                Ok(conn)
            };
            std::thread::scope(|scope| -> Result<_> {
                let comps = scope.spawn(|| load_components(&reader()?, path));
                let cases = load_cases(&reader()?, path)?;
                let comps = comps
                    .join()
                    .map_err(|_| Error::Internal("component reader panicked".into()))??;
                Ok((comps, cases))
            })?
        };
        Ok(Snapshot {
            district,
            streets,
            communities,
            grids,
            duty_grids,
            components,
            cases,
            code_tables: self.code_tables()?,
        })
    }
}

/// The district, streets, communities, grids and duty grids as `c` sees them (inside a
/// transaction: with its uncommitted rows).
#[allow(clippy::type_complexity)]
fn load_areas(
    c: &Connection,
    path: &Path,
) -> Result<(
    Option<District>,
    Vec<Street>,
    Vec<Community>,
    Vec<Grid>,
    Vec<DutyGrid>,
)> {
    let bad = |what: &str, key: &str, e: Error| corrupt(path, what, key, e);
    let district = c
        .query_row("SELECT code, name, geom FROM district LIMIT 1", [], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Vec<u8>>(2)?,
            ))
        })
        .optional()
        .map_err(sql_error)?
        .map(|(code, name, geom)| -> Result<District> {
            Ok(District {
                code: DistrictCode::parse(&code).map_err(|e| bad("district", &code, e))?,
                boundary: wkb_io::multi_polygon(&geom).map_err(|e| bad("district", &code, e))?,
                name,
            })
        })
        .transpose()?;

    // Streets and communities share one shape: code, name, boundary, sample flag.
    let areas = |table: &'static str| -> Result<Vec<AreaRow>> {
        let mut stmt = c
            .prepare(&format!(
                "SELECT code, name, geom, sample FROM {table} ORDER BY code"
            ))
            .map_err(sql_error)?;
        let mut rows = stmt.query([]).map_err(sql_error)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(sql_error)? {
            let code: String = r.get(0).map_err(sql_error)?;
            let boundary = wkb_io::multi_polygon(&r.get::<_, Vec<u8>>(2).map_err(sql_error)?)
                .map_err(|e| bad(table, &code, e))?;
            out.push((
                code,
                r.get(1).map_err(sql_error)?,
                boundary,
                r.get(3).map_err(sql_error)?,
            ));
        }
        Ok(out)
    };
    let streets = areas("street")?
        .into_iter()
        .map(|(code, name, boundary, sample)| {
            Ok(Street {
                code: StreetCode::parse(&code).map_err(|e| bad("street", &code, e))?,
                name,
                boundary,
                sample,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let communities = areas("community")?
        .into_iter()
        .map(|(code, name, boundary, sample)| {
            Ok(Community {
                code: CommunityCode::parse(&code).map_err(|e| bad("community", &code, e))?,
                name,
                boundary,
                sample,
            })
        })
        .collect::<Result<Vec<_>>>()?;

    let mut grids = Vec::new();
    let mut stmt = c.prepare(
            "SELECT code, name, geom, area_m2, land_use, level, start_date, end_date, sample FROM grid ORDER BY code",
        ).map_err(sql_error)?;
    let mut rows = stmt.query([]).map_err(sql_error)?;
    while let Some(r) = rows.next().map_err(sql_error)? {
        let code: String = r.get(0).map_err(sql_error)?;
        let start: String = r.get(6).map_err(sql_error)?;
        let end: Option<String> = r.get(7).map_err(sql_error)?;
        grids.push(Grid {
            code: GridCode::parse(&code).map_err(|e| bad("grid", &code, e))?,
            name: r.get(1).map_err(sql_error)?,
            polygon: wkb_io::polygon(&r.get::<_, Vec<u8>>(2).map_err(sql_error)?)
                .map_err(|e| bad("grid", &code, e))?,
            area_m2: r.get(3).map_err(sql_error)?,
            land_use: r.get(4).map_err(sql_error)?,
            level: r.get(5).map_err(sql_error)?,
            start_date: parse_date(&start).map_err(|e| bad("grid", &code, e))?,
            end_date: end
                .as_deref()
                .map(parse_date)
                .transpose()
                .map_err(|e| bad("grid", &code, e))?,
            sample: r.get(8).map_err(sql_error)?,
        });
    }

    let mut duty_grids: Vec<DutyGrid> = Vec::new();
    let mut stmt = c
        .prepare(
            "SELECT d.code, d.name, d.inspector, m.grid FROM duty_grid d
             LEFT JOIN duty_grid_member m ON m.duty_grid = d.code ORDER BY d.code, m.grid",
        )
        .map_err(sql_error)?;
    let mut rows = stmt.query([]).map_err(sql_error)?;
    while let Some(r) = rows.next().map_err(sql_error)? {
        let code: String = r.get(0).map_err(sql_error)?;
        if duty_grids.last().is_none_or(|d| d.code != code) {
            duty_grids.push(DutyGrid {
                code: code.clone(),
                name: r.get(1).map_err(sql_error)?,
                inspector: r.get(2).map_err(sql_error)?,
                grids: vec![],
            });
        }
        if let Some(g) = r.get::<_, Option<String>>(3).map_err(sql_error)? {
            let g = GridCode::parse(&g).map_err(|e| bad("duty grid", &code, e))?;
            if let Some(d) = duty_grids.last_mut() {
                d.grids.push(g);
            }
        }
    }

    Ok((district, streets, communities, grids, duty_grids))
}

/// The CJ/T 214 code tables as `c` sees them.
fn code_tables_of(c: &Connection) -> Result<CodeTables> {
    let mut stmt = c
        .prepare(
            "SELECT kind, code, name, major_code, major_name FROM code_class ORDER BY kind, code",
        )
        .map_err(sql_error)?;
    let mut comp = Vec::new();
    let mut ev = Vec::new();
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                ClassEntry {
                    code: r.get(1)?,
                    name: r.get(2)?,
                    major_code: r.get(3)?,
                    major_name: r.get(4)?,
                },
            ))
        })
        .map_err(sql_error)?;
    for row in rows {
        let (kind, e) = row.map_err(sql_error)?;
        if kind == "component" {
            comp.push(e)
        } else {
            ev.push(e)
        }
    }
    Ok(CodeTables {
        components: ClassTable::from_entries(comp),
        events: ClassTable::from_entries(ev),
    })
}

fn load_components(c: &Connection, path: &Path) -> Result<Vec<Component>> {
    let bad = |what: &str, key: &str, e: Error| corrupt(path, what, key, e);
    let mut components = Vec::new();
    // Owners and maintainers are a few hundred units over hundreds of thousands of rows: each
    // name is kept once and shared.
    let mut names: std::collections::HashMap<Box<str>, std::sync::Arc<str>> =
        std::collections::HashMap::new();
    let mut shared = |v: rusqlite::types::ValueRef<'_>| -> Option<std::sync::Arc<str>> {
        let s = v.as_str_or_null().ok().flatten()?;
        Some(match names.get(s) {
            Some(a) => a.clone(),
            None => {
                let a: std::sync::Arc<str> = s.into();
                names.insert(s.into(), a.clone());
                a
            }
        })
    };
    let text = |r: &rusqlite::Row<'_>, i: usize| -> Result<String> {
        Ok(r.get_ref(i)
            .map_err(sql_error)?
            .as_str()
            .map_err(|e| sql_error(e.into()))?
            .to_string())
    };
    let mut stmt = c.prepare(
            "SELECT code, class_code, owner, maintainer, state, geom, grid, sample FROM component ORDER BY rowid",
        ).map_err(sql_error)?;
    let mut rows = stmt.query([]).map_err(sql_error)?;
    while let Some(r) = rows.next().map_err(sql_error)? {
        let code = text(r, 0)?;
        let cc = ComponentCode::parse(&code).map_err(|e| bad("component", &code, e))?;
        let class = r.get_ref(1).map_err(sql_error)?;
        let state = r.get_ref(4).map_err(sql_error)?;
        components.push(Component {
            code: cc,
            class_code: ClassCode::parse(class.as_str().unwrap_or_default())
                .map_err(|e| bad("component", &code, e))?,
            owner: shared(r.get_ref(2).map_err(sql_error)?),
            maintainer: shared(r.get_ref(3).map_err(sql_error)?),
            state: ComponentState::parse(state.as_str().unwrap_or_default()).ok_or_else(|| {
                bad(
                    "component",
                    &code,
                    Error::Internal(format!("state `{}`", state.as_str().unwrap_or_default())),
                )
            })?,
            location: wkb_io::point(
                r.get_ref(5)
                    .map_err(sql_error)?
                    .as_blob()
                    .unwrap_or_default(),
            )
            .map_err(|e| bad("component", &code, e))?,
            grid: opt_grid(r.get(6).map_err(sql_error)?).map_err(|e| bad("component", &code, e))?,
            sample: r.get(7).map_err(sql_error)?,
        });
    }

    Ok(components)
}

fn load_cases(c: &Connection, path: &Path) -> Result<Vec<CaseSummary>> {
    let bad = |what: &str, key: &str, e: Error| corrupt(path, what, key, e);
    let mut cases = Vec::new();
    let mut stmt = c.prepare(
            "SELECT id, kind, class_code, source, reported_at, status, geom, grid, component, sample FROM cases ORDER BY rowid",
        ).map_err(sql_error)?;
    let mut rows = stmt.query([]).map_err(sql_error)?;
    while let Some(r) = rows.next().map_err(sql_error)? {
        let id: String = r.get(0).map_err(sql_error)?;
        let kind = CaseKind::parse(
            r.get_ref(1)
                .map_err(sql_error)?
                .as_str()
                .unwrap_or_default(),
        );
        let source = CaseSource::parse(
            r.get_ref(3)
                .map_err(sql_error)?
                .as_str()
                .unwrap_or_default(),
        );
        let status = CaseStatus::parse(
            r.get_ref(5)
                .map_err(sql_error)?
                .as_str()
                .unwrap_or_default(),
        );
        let (Some(kind), Some(source), Some(status)) = (kind, source, status) else {
            return Err(bad(
                "case",
                &id,
                Error::Internal("unknown kind, source or status".into()),
            ));
        };
        let reported = r
            .get_ref(4)
            .map_err(sql_error)?
            .as_str()
            .unwrap_or_default();
        cases.push(CaseSummary {
            class_code: ClassCode::parse(
                r.get_ref(2)
                    .map_err(sql_error)?
                    .as_str()
                    .unwrap_or_default(),
            )
            .map_err(|e| bad("case", &id, e))?,
            reported_at: parse_datetime(reported).map_err(|e| bad("case", &id, e))?,
            location: wkb_io::point(
                r.get_ref(6)
                    .map_err(sql_error)?
                    .as_blob()
                    .unwrap_or_default(),
            )
            .map_err(|e| bad("case", &id, e))?,
            grid: match r
                .get_ref(7)
                .map_err(sql_error)?
                .as_str_or_null()
                .unwrap_or_default()
            {
                Some(g) => Some(GridCode::parse(g).map_err(|e| bad("case", &id, e))?),
                None => None,
            },
            component: match r
                .get_ref(8)
                .map_err(sql_error)?
                .as_str_or_null()
                .unwrap_or_default()
            {
                Some(k) => Some(ComponentCode::parse(k).map_err(|e| bad("case", &id, e))?),
                None => None,
            },
            sample: r.get(9).map_err(sql_error)?,
            id: id.into_boxed_str(),
            kind,
            source,
            status,
        });
    }

    Ok(cases)
}

/// A stored record that cannot be read back: the store is damaged.
fn corrupt(path: &Path, what: &str, key: &str, e: Error) -> Error {
    Error::StoreCorrupt {
        path: path.to_path_buf(),
        reason: format!("{what} `{key}`: {e}"),
    }
}

fn opt_grid(s: Option<String>) -> Result<Option<GridCode>> {
    s.as_deref().map(GridCode::parse).transpose()
}

/// Writes inside one transaction; see [`Store::write`].
pub struct Writer<'a> {
    tx: &'a Connection,
    /// Secondary indexes dropped for a bulk insert ([`Writer::expect_rows`]): their SQL, run
    /// again by [`Store::write`] before it commits.
    deferred: std::cell::RefCell<Vec<String>>,
    /// The page cache's size before a bulk insert shrank it, set back when the write ends.
    cache_to_restore: std::cell::Cell<Option<i64>>,
}

impl<'a> Writer<'a> {
    /// A writer on a transaction opened with [`Store::transaction`], for modules that write
    /// core rows together with their own.
    pub fn on(tx: &'a Connection) -> Self {
        Writer {
            tx,
            deferred: Default::default(),
            cache_to_restore: Default::default(),
        }
    }

    /// Builds again the indexes a bulk insert put off, inside the transaction.
    fn rebuild_deferred(&self) -> Result<()> {
        for sql in self.deferred.take() {
            self.tx.execute_batch(&sql).map_err(sql_error)?;
        }
        Ok(())
    }
}

/// Fewest rows for which an insert puts off a table's secondary indexes (below it, keeping
/// them row by row costs less than building them again).
const BULK_MIN_ROWS: usize = 65_536;

/// SQLite's page cache during a bulk insert, KiB (128 MiB otherwise): 1 000 000 cases import as
/// fast with it and peak about 120 MB lower.
const BULK_CACHE_KIB: i64 = 16 * 1024;

impl Writer<'_> {
    /// The transaction, for modules that write their own tables in the same transaction.
    pub fn db(&self) -> Db<'_> {
        Db(self.tx)
    }

    /// The transaction's connection.
    pub fn tx(&self) -> &Connection {
        self.tx
    }

    /// The district's areas (outline, streets, communities, grids, duty grids) and the code
    /// tables as this transaction sees them — its uncommitted rows included — without components
    /// or cases: what a topology check of an import needs before the import commits.
    pub fn areas_snapshot(&self) -> Result<Snapshot> {
        let (district, streets, communities, grids, duty_grids) =
            load_areas(self.tx, Path::new("(import)"))?;
        Ok(Snapshot {
            district,
            streets,
            communities,
            grids,
            duty_grids,
            components: Vec::new(),
            cases: Vec::new(),
            code_tables: code_tables_of(self.tx)?,
        })
    }

    /// Replaces the stored code tables.
    pub fn put_code_tables(&self, t: &CodeTables) -> Result<()> {
        self.tx
            .execute("DELETE FROM code_class", [])
            .map_err(sql_error)?;
        let mut st = self.tx.prepare_cached(
            "INSERT INTO code_class (kind, code, name, major_code, major_name) VALUES (?1, ?2, ?3, ?4, ?5)",
        ).map_err(sql_error)?;
        for (kind, table) in [("component", &t.components), ("event", &t.events)] {
            for e in table.iter() {
                st.execute(params![kind, e.code, e.name, e.major_code, e.major_name])
                    .map_err(sql_error)?;
            }
        }
        Ok(())
    }

    /// Sets a metadata value.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.tx.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        ).map_err(sql_error)?;
        Ok(())
    }

    /// Inserts or replaces the district.
    pub fn put_district(&self, d: &District) -> Result<()> {
        let geom = wkb_io::to_wkb(&Geometry::MultiPolygon(d.boundary.clone()))?;
        self.tx
            .execute(
                "INSERT INTO district (code, name, geom) VALUES (?1, ?2, ?3)
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, geom = excluded.geom",
                params![d.code.as_str(), d.name, geom],
            )
            .map_err(sql_error)?;
        Ok(())
    }

    /// Inserts a street.
    pub fn insert_street(&self, s: &Street) -> Result<()> {
        let geom = wkb_io::to_wkb(&Geometry::MultiPolygon(s.boundary.clone()))?;
        self.tx
            .prepare_cached("INSERT INTO street (code, district, name, geom, sample) VALUES (?1, ?2, ?3, ?4, ?5)").map_err(sql_error)?
            .execute(params![s.code.as_str(), s.code.district().as_str(), s.name, geom, s.sample])
            .map_err(|e| dup(e, "street", s.code.as_str()))?;
        Ok(())
    }

    /// Inserts a community.
    pub fn insert_community(&self, c: &Community) -> Result<()> {
        let geom = wkb_io::to_wkb(&Geometry::MultiPolygon(c.boundary.clone()))?;
        self.tx
            .prepare_cached("INSERT INTO community (code, street, name, geom, sample) VALUES (?1, ?2, ?3, ?4, ?5)").map_err(sql_error)?
            .execute(params![c.code.as_str(), c.street().as_str(), c.name, geom, c.sample])
            .map_err(|e| dup(e, "community", c.code.as_str()))?;
        Ok(())
    }

    /// Inserts a unit grid.
    pub fn insert_grid(&self, g: &Grid) -> Result<()> {
        let geom = wkb_io::to_wkb(&Geometry::Polygon(g.polygon.clone()))?;
        self.tx
            .prepare_cached(
                "INSERT INTO grid (code, community, name, geom, area_m2, land_use, level, start_date, end_date, sample)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            ).map_err(sql_error)?
            .execute(params![
                g.code.as_str(),
                g.community().as_str(),
                g.name,
                geom,
                g.area_m2,
                g.land_use,
                g.level,
                g.start_date.format(DATE_FMT).to_string(),
                g.end_date.map(|d| d.format(DATE_FMT).to_string()),
                g.sample
            ])
            .map_err(|e| dup(e, "grid", g.code.as_str()))?;
        Ok(())
    }

    /// Inserts a duty grid with its member unit grids.
    pub fn insert_duty_grid(&self, d: &DutyGrid) -> Result<()> {
        self.tx
            .prepare_cached("INSERT INTO duty_grid (code, name, inspector) VALUES (?1, ?2, ?3)")
            .map_err(sql_error)?
            .execute(params![d.code, d.name, d.inspector])
            .map_err(|e| dup(e, "duty grid", &d.code))?;
        let mut st = self
            .tx
            .prepare_cached("INSERT INTO duty_grid_member (duty_grid, grid) VALUES (?1, ?2)")
            .map_err(sql_error)?;
        for g in &d.grids {
            st.execute(params![d.code, g.as_str()])
                .map_err(|e| dup(e, "duty grid member", g.as_str()))?;
        }
        Ok(())
    }

    /// Inserts a component.
    pub fn insert_component(&self, c: &Component) -> Result<()> {
        let geom = wkb_io::to_wkb(&Geometry::Point(c.location))?;
        self.tx
            .prepare_cached(
                "INSERT INTO component (code, class_code, owner, maintainer, state, geom, grid, sample)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            ).map_err(sql_error)?
            .execute(params![
                c.code.as_str(),
                c.class_code.as_str(),
                c.owner,
                c.maintainer,
                c.state.key(),
                geom,
                c.grid.as_ref().map(GridCode::as_str),
                c.sample
            ])
            .map_err(|e| dup(e, "component", c.code.as_str()))?;
        Ok(())
    }

    /// A large insert into `table` is coming (see the trait): when it is at least
    /// `BULK_MIN_ROWS` rows and no fewer than the table holds, the table's secondary indexes
    /// are dropped now and built again, sorted, when the write ends (in the same transaction:
    /// a failed write rolls the drop back too). Indexes behind PRIMARY KEY and UNIQUE stay,
    /// so duplicates are still refused row by row.
    pub fn expect_rows(&self, table: griddesk_store::BulkTable, rows: usize) -> Result<()> {
        let name = match table {
            griddesk_store::BulkTable::Cases => "cases",
            griddesk_store::BulkTable::Components => "component",
        };
        if rows < BULK_MIN_ROWS {
            return Ok(());
        }
        let held: i64 = self
            .tx
            .query_row(&format!("SELECT count(*) FROM {name}"), [], |r| r.get(0))
            .map_err(sql_error)?;
        if rows < usize::try_from(held).unwrap_or(usize::MAX) {
            return Ok(());
        }
        let indexes: Vec<(String, String)> = {
            let mut st = self
                .tx
                .prepare(
                    "SELECT name, sql FROM sqlite_schema
                     WHERE type = 'index' AND tbl_name = ?1 AND sql IS NOT NULL ORDER BY name",
                )
                .map_err(sql_error)?;
            let rows = st
                .query_map([name], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(sql_error)?;
            rows.collect::<rusqlite::Result<_>>().map_err(sql_error)?
        };
        for (index, sql) in indexes {
            self.tx
                .execute_batch(&format!("DROP INDEX \"{}\"", index.replace('"', "\"\"")))
                .map_err(sql_error)?;
            self.deferred.borrow_mut().push(sql);
        }
        // The rows go in at the table's end and the indexes are sorted at the end of the
        // write: a large page cache holds nothing that is read again, only memory. The sorts
        // spill to temporary files rather than to the heap (1 000 000 cases: peak 480 → 438 MB,
        // and 0.7 s faster); both settings are set back when the write ends.
        if self.cache_to_restore.get().is_none() {
            let pages: i64 = self
                .tx
                .query_row("PRAGMA cache_size", [], |r| r.get(0))
                .map_err(sql_error)?;
            self.tx
                .execute_batch(&format!(
                    "PRAGMA cache_size = -{BULK_CACHE_KIB}; PRAGMA temp_store = FILE;"
                ))
                .map_err(sql_error)?;
            self.cache_to_restore.set(Some(pages));
        }
        Ok(())
    }

    /// Inserts a case.
    pub fn insert_case(&self, c: &Case) -> Result<()> {
        let geom = wkb_io::to_wkb(&Geometry::Point(c.location))?;
        self.tx
            .prepare_cached(
                "INSERT INTO cases (id, kind, class_code, component, source, reported_at, status, description, geom, grid, sample)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            ).map_err(sql_error)?
            .execute(params![
                c.id,
                c.kind.key(),
                c.class_code.as_str(),
                c.component.as_ref().map(ComponentCode::as_str),
                c.source.key(),
                format_datetime(&c.reported_at),
                c.status.key(),
                c.description,
                geom,
                c.grid.as_ref().map(GridCode::as_str),
                c.sample
            ])
            .map_err(|e| dup(e, "case", &c.id))?;
        Ok(())
    }
}

fn dup(e: rusqlite::Error, what: &'static str, key: &str) -> Error {
    match &e {
        rusqlite::Error::SqliteFailure(f, msg)
            if f.code == ErrorCode::ConstraintViolation
                && msg.as_deref().is_some_and(|m| m.contains("UNIQUE")) =>
        {
            Error::Duplicate {
                what,
                key: key.to_string(),
            }
        }
        rusqlite::Error::SqliteFailure(f, msg)
            if f.code == ErrorCode::ConstraintViolation
                && msg.as_deref().is_some_and(|m| m.contains("FOREIGN KEY")) =>
        {
            Error::Internal(format!(
                "{what} `{key}` refers to a missing parent (street, community or grid)"
            ))
        }
        _ => crate::error::sql_error(e),
    }
}

impl Store {
    /// A consistent copy of the store at `to`, taken while the store stays in use (SQLite's
    /// online backup: commits in the write-ahead log are included, which copying the `.sqlite`
    /// file alone can miss). Written to `to` + `.part` and moved into place when complete, so a
    /// failed or killed backup leaves no half-written file under the name.
    pub fn backup_to(&self, to: &Path) -> Result<()> {
        let mut part = to.as_os_str().to_owned();
        part.push(".part");
        let part = PathBuf::from(part);
        let _ = std::fs::remove_file(&part);
        let run = || -> rusqlite::Result<()> {
            let mut dst = Connection::open(&part)?;
            {
                let b = rusqlite::backup::Backup::new(&self.conn, &mut dst)?;
                b.run_to_completion(1024, std::time::Duration::from_millis(5), None)?;
            }
            // One file: no write-ahead log beside the copy.
            let _mode: String = dst.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
            dst.close().map_err(|(_, e)| e)
        };
        if let Err(e) = run() {
            let _ = std::fs::remove_file(&part);
            return Err(sql_error(e));
        }
        std::fs::rename(&part, to).map_err(|e| Error::io(to, e))
    }

    /// SQLite's quick check of the store at `path` on a read-only connection of its own (the
    /// open store is not held): `ok`, or the first problems. What the app runs in the background
    /// after opening a store, to say at once when the file is damaged where opening did not read.
    pub fn quick_check(path: &Path) -> Result<String> {
        let conn = read_only_connection(path)?;
        let mut stmt = conn
            .prepare("PRAGMA quick_check(5)")
            .map_err(|e| classify_open_error(path, e))?;
        let lines = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<String>>>());
        Ok(match lines {
            Ok(l) => l.join("; "),
            Err(e) => e.to_string(),
        })
    }

    /// SQLite's integrity check of the store at `path` (read-only): its schema version and
    /// what the check said (`ok`, or the first problems it found). Fails only when the file is
    /// missing, not a GridDesk store, or too new.
    pub fn integrity(path: &Path) -> Result<(i64, String)> {
        if !path.exists() {
            return Err(Error::StoreNotFound(path.to_path_buf()));
        }
        let conn = read_only_connection(path)?;
        check_header(&conn, path, false)?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| classify_open_error(path, e))?;
        let mut stmt = match conn.prepare("PRAGMA integrity_check(20)") {
            Ok(s) => s,
            Err(e) => return Ok((version, e.to_string())),
        };
        let lines = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<String>>>());
        let said = match lines {
            Ok(l) => l.join("; "),
            Err(e) => e.to_string(),
        };
        Ok((version, said))
    }

    /// Checks that `path` is a GridDesk store this build can open and that SQLite finds every
    /// page intact (`PRAGMA integrity_check`); returns its schema version. Opens it read-only.
    pub fn verify(path: &Path) -> Result<i64> {
        if !path.exists() {
            return Err(Error::StoreNotFound(path.to_path_buf()));
        }
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| classify_open_error(path, e))?;
        let corrupt = |reason: String| Error::StoreCorrupt {
            path: path.to_path_buf(),
            reason,
        };
        let app_id: i64 = conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(|e| classify_open_error(path, e))?;
        if app_id != APPLICATION_ID {
            return Err(corrupt(
                "not a GridDesk store (SQLite application_id does not match)".into(),
            ));
        }
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| classify_open_error(path, e))?;
        if version > current_version() {
            return Err(Error::StoreTooNew {
                path: path.to_path_buf(),
                found: version,
                supported: current_version(),
            });
        }
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(|e| classify_open_error(path, e))?;
        if check != "ok" {
            return Err(corrupt(format!("integrity check: {check}")));
        }
        Ok(version)
    }
}

impl griddesk_store::ModelSink for Writer<'_> {
    fn put_district(&self, d: &District) -> griddesk_core::Result<()> {
        Writer::put_district(self, d)
    }
    fn put_code_tables(&self, t: &CodeTables) -> griddesk_core::Result<()> {
        Writer::put_code_tables(self, t)
    }
    fn set_meta(&self, key: &str, value: &str) -> griddesk_core::Result<()> {
        Writer::set_meta(self, key, value)
    }
    fn insert_street(&self, s: &Street) -> griddesk_core::Result<()> {
        Writer::insert_street(self, s)
    }
    fn insert_community(&self, c: &Community) -> griddesk_core::Result<()> {
        Writer::insert_community(self, c)
    }
    fn insert_grid(&self, g: &Grid) -> griddesk_core::Result<()> {
        Writer::insert_grid(self, g)
    }
    fn insert_duty_grid(&self, d: &DutyGrid) -> griddesk_core::Result<()> {
        Writer::insert_duty_grid(self, d)
    }
    fn insert_component(&self, c: &Component) -> griddesk_core::Result<()> {
        Writer::insert_component(self, c)
    }
    fn insert_case(&self, c: &Case) -> griddesk_core::Result<()> {
        Writer::insert_case(self, c)
    }
    fn expect_rows(
        &self,
        table: griddesk_store::BulkTable,
        rows: usize,
    ) -> griddesk_core::Result<()> {
        Writer::expect_rows(self, table, rows)
    }
}

impl griddesk_store::ModelStore for Store {
    fn write_model(
        &mut self,
        f: &mut dyn FnMut(&dyn griddesk_store::ModelSink) -> griddesk_core::Result<()>,
    ) -> griddesk_core::Result<()> {
        self.write(|w| f(w))
    }
}

impl griddesk_store::ModelSink for Db<'_> {
    fn put_district(&self, d: &District) -> griddesk_core::Result<()> {
        Writer::on(self.0).put_district(d)
    }
    fn put_code_tables(&self, t: &CodeTables) -> griddesk_core::Result<()> {
        Writer::on(self.0).put_code_tables(t)
    }
    fn set_meta(&self, key: &str, value: &str) -> griddesk_core::Result<()> {
        Writer::on(self.0).set_meta(key, value)
    }
    fn insert_street(&self, s: &Street) -> griddesk_core::Result<()> {
        Writer::on(self.0).insert_street(s)
    }
    fn insert_community(&self, c: &Community) -> griddesk_core::Result<()> {
        Writer::on(self.0).insert_community(c)
    }
    fn insert_grid(&self, g: &Grid) -> griddesk_core::Result<()> {
        Writer::on(self.0).insert_grid(g)
    }
    fn insert_duty_grid(&self, d: &DutyGrid) -> griddesk_core::Result<()> {
        Writer::on(self.0).insert_duty_grid(d)
    }
    fn insert_component(&self, c: &Component) -> griddesk_core::Result<()> {
        Writer::on(self.0).insert_component(c)
    }
    fn insert_case(&self, c: &Case) -> griddesk_core::Result<()> {
        Writer::on(self.0).insert_case(c)
    }
}

impl Store {
    /// Whether commits wait for the disk. Off only for a first-start load, whose failure
    /// removes the whole store anyway; on (the default) otherwise.
    pub fn set_durable(&self, durable: bool) -> Result<()> {
        let mode = if durable { "NORMAL" } else { "OFF" };
        self.conn
            .execute_batch(&format!("PRAGMA synchronous = {mode}"))
            .map_err(sql_error)?;
        Ok(())
    }
}

/// Blocks of case descriptions by id ([`griddesk_store::CaseTexts`]): one query per block, the
/// ids passed as one JSON array.
fn case_descriptions(conn: &Connection, ids: &[&str]) -> Result<Vec<Option<String>>> {
    let ids = serde_json::to_string(ids).map_err(|e| Error::Internal(e.to_string()))?;
    let mut st = conn
        .prepare_cached(
            "SELECT c.description FROM json_each(?1) AS j LEFT JOIN cases AS c ON c.id = j.value
             ORDER BY j.key",
        )
        .map_err(sql_error)?;
    let rows = st
        .query_map([ids], |r| r.get::<_, Option<String>>(0))
        .map_err(sql_error)?;
    rows.collect::<rusqlite::Result<_>>().map_err(sql_error)
}

impl griddesk_store::CaseTexts for Store {
    fn case_descriptions(&self, ids: &[&str]) -> griddesk_core::Result<Vec<Option<String>>> {
        case_descriptions(&self.conn, ids)
    }
}

impl griddesk_store::CaseTexts for Db<'_> {
    fn case_descriptions(&self, ids: &[&str]) -> griddesk_core::Result<Vec<Option<String>>> {
        case_descriptions(self.0, ids)
    }
}

impl griddesk_store::Generation for Store {
    /// SQLite's `PRAGMA data_version`: changed by every commit of another connection.
    fn external_generation(&self) -> griddesk_core::Result<u64> {
        let v: i64 = self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .map_err(sql_error)?;
        Ok(v as u64)
    }
}

impl griddesk_store::Generation for Db<'_> {
    /// The same number inside a transaction: a write compares it with the one its checks
    /// were made at.
    fn external_generation(&self) -> griddesk_core::Result<u64> {
        let v: i64 = self
            .0
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .map_err(sql_error)?;
        Ok(v as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        /// Years 1 to 9999: the stored form is written digit by digit (`datetime_bytes`).
        fn datetime_round_trips_and_agrees_with_chrono(secs in -62_135_596_800i64..253_402_300_800) {
            let t = chrono::DateTime::from_timestamp(secs, 0).unwrap().naive_utc();
            let s = format_datetime(&t);
            prop_assert_eq!(&s, &t.format(DATETIME_FMT).to_string());
            prop_assert_eq!(parse_datetime(&s).unwrap(), t);
        }
    }

    #[test]
    fn bad_datetimes_are_refused() {
        for s in [
            "2026-13-01 00:00:00",
            "2026-02-30 10:00:00",
            "2026-01-01 24:00:00",
            "yesterday",
            "",
        ] {
            assert!(parse_datetime(s).is_err(), "{s}");
        }
        assert!(parse_datetime("2026-01-01T08:30:00").is_ok());
        assert!(parse_datetime("2026-01-01 08:30").is_ok());
    }

    fn indexes(tx: &Connection, table: &str) -> Vec<String> {
        let mut st = tx
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = ?1 ORDER BY name")
            .unwrap();
        let names = st.query_map([table], |r| r.get(0)).unwrap();
        names.collect::<rusqlite::Result<_>>().unwrap()
    }

    #[test]
    fn a_bulk_insert_builds_the_secondary_indexes_again_before_commit_and_a_failed_one_keeps_them()
    {
        use griddesk_store::BulkTable;
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::create(&dir.path().join("s.sqlite")).unwrap();
        let cache =
            |c: &Connection| -> i64 { c.query_row("PRAGMA cache_size", [], |r| r.get(0)).unwrap() };
        let before = cache(&store.conn);
        assert_ne!(before, -BULK_CACHE_KIB);
        // 1 = temporary files on disk, 2 = in memory.
        let temp =
            |c: &Connection| -> i64 { c.query_row("PRAGMA temp_store", [], |r| r.get(0)).unwrap() };
        assert_eq!(temp(&store.conn), 2);
        let all = indexes(&store.conn, "cases");
        assert!(all.contains(&"cases_reported".to_string()), "{all:?}");
        let unique: Vec<String> = all
            .iter()
            .filter(|n| n.starts_with("sqlite_autoindex"))
            .cloned()
            .collect();
        assert!(!unique.is_empty());
        // Too few rows: nothing is put off.
        store
            .write(|w| {
                w.expect_rows(BulkTable::Cases, BULK_MIN_ROWS - 1)?;
                assert_eq!(indexes(w.tx(), "cases"), all);
                Ok(())
            })
            .unwrap();
        // Enough rows: only the indexes behind PRIMARY KEY / UNIQUE stay during the write,
        // and every index is there again once it commits.
        store
            .write(|w| {
                w.expect_rows(BulkTable::Cases, BULK_MIN_ROWS)?;
                assert_eq!(indexes(w.tx(), "cases"), unique);
                assert_eq!(
                    cache(w.tx()),
                    -BULK_CACHE_KIB,
                    "a small page cache meanwhile"
                );
                assert_eq!(temp(w.tx()), 1, "the index sorts spill to disk");
                assert_eq!(
                    indexes(w.tx(), "component").len(),
                    2,
                    "other tables keep theirs"
                );
                Ok(())
            })
            .unwrap();
        assert_eq!(indexes(&store.conn, "cases"), all);
        assert_eq!(cache(&store.conn), before, "the page cache is set back");
        assert_eq!(temp(&store.conn), 2, "and temporary data in memory again");
        // A write that fails after the drop rolls it back with everything else.
        let err = store
            .write(|w| {
                w.expect_rows(BulkTable::Components, BULK_MIN_ROWS)?;
                Err::<(), _>(Error::Internal("stop".into()))
            })
            .unwrap_err();
        assert!(err.to_string().contains("stop"));
        assert_eq!(indexes(&store.conn, "component").len(), 2);
        assert_eq!(cache(&store.conn), before);
        assert_eq!(temp(&store.conn), 2);
        let ok: String = store
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok");
    }
}
