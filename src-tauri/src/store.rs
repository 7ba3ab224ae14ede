//! Which store the window shows, and opening it off the main thread.
//!
//! The shell holds at most one [`griddesk::Engine`]. Opening (and, on first start, seeding the
//! sample district) runs on a worker thread; the UI waits for the outcome with the `store_status`
//! command and is told about later changes by the `store-changed` event.

use crate::error::ErrorDto;
use griddesk::Engine;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::sync::Arc;
use tauri::{AppHandle, Emitter, Manager};
use tokio::sync::watch;

/// Exit status when the app could not open the store it was asked to start on.
pub const EXIT_STORE_FAILED: i32 = 2;

/// How to treat the file at a store path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// The store must exist (a path the user named: `--db`, `GRIDDESK_DB`, File ▸ Open).
    Existing,
    /// Create the store and load the sample district if the file is missing (the default store,
    /// File ▸ New).
    Seed,
    /// Open an existing store read-only (File ▸ Open read-only, `--read-only`): nothing can
    /// change, no lock is taken.
    ReadOnly,
}

/// A store that opened.
pub struct Loaded {
    /// Shared with the station service when 设置 ▸ 局域网服务 runs it (`lan.rs`).
    pub engine: Arc<Engine>,
    pub path: PathBuf,
    /// True when this start created the store and loaded the sample district into it.
    pub seeded: bool,
    /// Counts store switches; part of the tile URL so that the map never mixes two stores' tiles.
    pub generation: u64,
    /// `[west, south, east, north]` of the active unit grids: where the map opens.
    pub grids_bbox: Option<[f64; 4]>,
}

/// Where the shell's store is.
#[derive(Clone)]
pub enum StoreState {
    Opening,
    Ready(Arc<Loaded>),
    Failed { path: PathBuf, error: ErrorDto },
}

/// Shared state: the current store and the exit status the process should end with.
pub struct Store {
    state: watch::Sender<StoreState>,
    generation: AtomicU64,
    exit_code: AtomicI32,
}

impl Store {
    pub fn new() -> Self {
        Self {
            state: watch::Sender::new(StoreState::Opening),
            generation: AtomicU64::new(0),
            exit_code: AtomicI32::new(0),
        }
    }

    /// The engine, if a store is open.
    pub fn ready(&self) -> Option<Arc<Loaded>> {
        match &*self.state.borrow() {
            StoreState::Ready(loaded) => Some(Arc::clone(loaded)),
            _ => None,
        }
    }

    /// Same as [`Store::ready`], or the error for a command to return.
    pub fn engine(&self) -> Result<Arc<Loaded>, ErrorDto> {
        self.ready().ok_or_else(ErrorDto::not_ready)
    }

    /// Waits until the store has opened or failed.
    pub async fn settled(&self) -> StoreState {
        let mut rx = self.state.subscribe();
        let settled = rx.wait_for(|s| !matches!(s, StoreState::Opening)).await;
        match settled {
            Ok(state) => state.clone(),
            // The sender lives as long as the app, so this is unreachable in practice.
            Err(_) => StoreState::Failed {
                path: PathBuf::new(),
                error: ErrorDto::not_ready(),
            },
        }
    }

    fn ready_state(&self, engine: Engine, path: PathBuf, seeded: bool) -> StoreState {
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        let grids_bbox = engine.grids_bbox();
        StoreState::Ready(Arc::new(Loaded {
            engine: Arc::new(engine),
            path,
            seeded,
            generation,
            grids_bbox,
        }))
    }

    /// Makes a store opened (or created) elsewhere the window's store, signed in as `session`,
    /// and tells the window to start over on it.
    pub fn install(
        app: &AppHandle,
        engine: Engine,
        path: PathBuf,
        session: Option<griddesk::users::Session>,
    ) {
        let store = app.state::<Store>();
        store.state.send_replace(StoreState::Opening);
        let next = store.ready_state(engine, path, false);
        store.exit_code.store(0, Ordering::SeqCst);
        store.state.send_replace(next);
        app.state::<crate::cases::SignedIn>().set(session);
        notify_changed(app);
    }

    pub fn exit_code(&self) -> i32 {
        self.exit_code.load(Ordering::SeqCst)
    }

    /// Opens `path` on a worker thread, replacing the current store, and tells the UI when done.
    /// `at_launch` decides whether a failure makes the process exit non-zero.
    pub fn open(app: &AppHandle, path: PathBuf, mode: OpenMode, at_launch: bool) {
        let app = app.clone();
        let spawned = std::thread::Builder::new()
            .name("griddesk-open".into())
            .spawn(move || {
                let store = app.state::<Store>();
                // Drop the current engine before opening, so a store's own lock is released first,
                // and sign out: a session belongs to the store it was opened on.
                store.state.send_replace(StoreState::Opening);
                app.state::<crate::cases::SignedIn>().set(None);
                let resources = resources_dir(&app);
                let started = std::time::Instant::now();
                let opened = match mode {
                    OpenMode::Existing => Engine::open(&path).map(|e| (e, false)),
                    OpenMode::Seed => Engine::open_or_seed(&path, &resources),
                    OpenMode::ReadOnly => Engine::open_read_only(&path).map(|e| (e, false)),
                };
                let next = match opened {
                    Ok((engine, seeded)) => {
                        eprintln!(
                            "griddesk: opened {}{} in {} ms",
                            path.display(),
                            if seeded {
                                " (seeded with the sample district)"
                            } else {
                                ""
                            },
                            started.elapsed().as_millis()
                        );
                        store.exit_code.store(0, Ordering::SeqCst);
                        store.ready_state(engine, path, seeded)
                    }
                    Err(e) => {
                        eprintln!("griddesk: cannot open store {}: {e}", path.display());
                        if at_launch {
                            store.exit_code.store(EXIT_STORE_FAILED, Ordering::SeqCst);
                        }
                        StoreState::Failed {
                            path,
                            error: e.into(),
                        }
                    }
                };
                store.state.send_replace(next);
                // At launch the window is waiting in `store_status`; later switches (File ▸ Open
                // or New) make it start over. Telling it at launch too would reload the page.
                if !at_launch {
                    notify_changed(&app);
                }
            });
        if let Err(e) = spawned {
            eprintln!("griddesk: cannot start the store thread: {e}");
        }
    }
}

/// Tells the window that the store changed under it (another store, an import, an accepted
/// proposal): it starts over on the store as it is now.
pub fn notify_changed(app: &AppHandle) {
    notify(app, "store-changed");
}

/// Sends the window an event without a payload (`store-changed`, `registers-changed`).
pub fn notify(app: &AppHandle, event: &str) {
    if let Err(e) = app.emit(event, ()) {
        eprintln!("griddesk: cannot notify the window ({event}): {e}");
    }
}

/// The sample district's source files: `GRIDDESK_RESOURCES`, else the bundled Tauri resources
/// (next to the binary in `target/`, or `/usr/lib/GridDesk/` from the .deb), else the source tree.
pub fn resources_dir(app: &AppHandle) -> PathBuf {
    if let Some(dir) = std::env::var_os("GRIDDESK_RESOURCES") {
        return PathBuf::from(dir);
    }
    if let Ok(dir) = app.path().resource_dir() {
        let bundled = dir.join("resources");
        if bundled.is_dir() {
            return bundled;
        }
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../resources")
}

/// What the command line asked for.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Launch {
    /// A store the user named, and where it was named.
    pub db: Option<(PathBuf, &'static str)>,
    pub help: bool,
    pub version: bool,
    /// Arguments that were not understood (reported, then ignored).
    pub unknown: Vec<String>,
}

pub const USAGE: &str = "\
GridDesk: desktop map of a district's unit grids, components and cases.

Usage: griddesk-app [--db PATH]

  --db PATH      open an existing store (also: env GRIDDESK_DB=PATH). Without it, the store in the
                 platform data folder is used and, on first start, created with the sample district.
  -h, --help     print this help
  -V, --version  print the version

Environment:
  GRIDDESK_DB         store path, as --db (the argument wins)
  GRIDDESK_TILE_LOG=1 print the time taken by every map tile to stderr
  GRIDDESK_RESOURCES  folder with the sample district's source files

Exit status: 0, or 2 when the store named at launch cannot be opened (the window says why).";

impl Launch {
    /// Parses the arguments after the program name and the environment's `GRIDDESK_DB`.
    pub fn parse(args: impl IntoIterator<Item = String>, env_db: Option<String>) -> Self {
        let mut launch = Launch::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "-h" | "--help" => launch.help = true,
                "-V" | "--version" => launch.version = true,
                "--db" => match args.next() {
                    Some(p) => launch.db = Some((PathBuf::from(p), "--db")),
                    None => launch.unknown.push("--db (missing PATH)".into()),
                },
                other => match other.strip_prefix("--db=") {
                    Some(p) => launch.db = Some((PathBuf::from(p), "--db")),
                    None => launch.unknown.push(other.to_string()),
                },
            }
        }
        if launch.db.is_none() {
            if let Some(p) = env_db.filter(|p| !p.is_empty()) {
                launch.db = Some((PathBuf::from(p), "GRIDDESK_DB"));
            }
        }
        launch
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn db_argument_beats_environment() {
        let l = Launch::parse(args(&["--db", "/a.sqlite"]), Some("/b.sqlite".into()));
        assert_eq!(l.db, Some((PathBuf::from("/a.sqlite"), "--db")));
        let l = Launch::parse(args(&["--db=/c.sqlite"]), None);
        assert_eq!(l.db, Some((PathBuf::from("/c.sqlite"), "--db")));
    }

    #[test]
    fn environment_is_used_without_argument() {
        let l = Launch::parse(args(&[]), Some("/b.sqlite".into()));
        assert_eq!(l.db, Some((PathBuf::from("/b.sqlite"), "GRIDDESK_DB")));
        let l = Launch::parse(args(&[]), Some(String::new()));
        assert_eq!(l.db, None);
    }

    #[test]
    fn unknown_and_incomplete_arguments_are_collected() {
        let l = Launch::parse(args(&["--frobnicate", "--db"]), None);
        assert_eq!(l.db, None);
        assert_eq!(l.unknown, args(&["--frobnicate", "--db (missing PATH)"]));
        assert!(Launch::parse(args(&["-h"]), None).help);
        assert!(Launch::parse(args(&["--version"]), None).version);
    }
}
