//! `griddesk basemap …`: basemaps (docs/basemap.md) from the command line — build a vector
//! basemap from an OSM extract, install a package or an extract into a store, list, remove,
//! and search place names.

use crate::caseloop::Actor;
use anyhow::{bail, Context, Result};
use clap::Subcommand;
use griddesk::basemaps::basemap::osm::read_osm_pbf;
use griddesk::basemaps::basemap::Datum;
use griddesk::basemaps::{InstallOptions, InstallProgress};
use griddesk::Engine;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Subcommand)]
pub enum BasemapCmd {
    /// Build a vector basemap (PMTiles) from an OpenStreetMap extract (.osm.pbf), without a store.
    Build {
        extract: PathBuf,
        out: PathBuf,
        /// The basemap's name (default: the file name).
        #[arg(long)]
        name: Option<String>,
    },
    /// Install a PMTiles or MBTiles package, or build one from an .osm.pbf extract and install it.
    Install {
        db: PathBuf,
        #[command(flatten)]
        actor: Actor,
        file: PathBuf,
        #[arg(long)]
        name: Option<String>,
        /// The package's datum: WGS84, CGCS2000 or GCJ-02 (GCJ-02 packages are refused).
        #[arg(long)]
        datum: Option<String>,
    },
    /// List the installed basemaps.
    List { db: PathBuf },
    /// Remove an installed basemap.
    Remove {
        db: PathBuf,
        #[command(flatten)]
        actor: Actor,
        id: String,
    },
    /// Place names of the installed basemaps containing every word of TEXT.
    Search {
        db: PathBuf,
        text: String,
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
}

fn open(db: &Path) -> Result<Engine> {
    Engine::open(db).with_context(|| format!("cannot open store {}", db.display()))
}

fn bar() -> ProgressBar {
    let pb = ProgressBar::new(0);
    if let Ok(style) = ProgressStyle::with_template("{msg:8} [{bar:40}] {pos}/{len}") {
        pb.set_style(style);
    }
    pb
}

pub fn run(cmd: BasemapCmd) -> Result<()> {
    match cmd {
        BasemapCmd::Build { extract, out, name } => {
            let t = Instant::now();
            let pb = bar();
            let read = read_osm_pbf(&extract, &|done, total| {
                pb.set_message("read");
                pb.set_length(total);
                pb.set_position(done);
                true
            })?;
            let t_read = t.elapsed();
            let name = name.unwrap_or_else(|| {
                extract
                    .file_name()
                    .map(|n| n.to_string_lossy().trim_end_matches(".osm.pbf").to_string())
                    .unwrap_or_default()
            });
            let stats = Engine::write_basemap_with(&read.features, &name, &out, &|done, total| {
                pb.set_message("tiles");
                pb.set_length(total);
                pb.set_position(done);
                true
            })?;
            pb.finish_and_clear();
            println!(
                "read {} nodes, {} ways, {} relations in {:.1} s ({} node references missing, {} ways incomplete, {} relations broken)",
                read.nodes,
                read.ways,
                read.relations,
                t_read.as_secs_f64(),
                read.missing_nodes,
                read.incomplete_ways,
                read.broken_relations
            );
            for (layer, n) in &stats.by_layer {
                println!("  {:10} {n}", layer.name());
            }
            println!(
                "wrote {}: {} features, {} tiles, {} bytes in {:.1} s",
                out.display(),
                stats.features,
                stats.tiles,
                stats.bytes,
                t.elapsed().as_secs_f64()
            );
        }
        BasemapCmd::Install {
            db,
            actor,
            file,
            name,
            datum,
        } => {
            let e = open(&db)?;
            let s = actor.required(&e)?;
            let datum = match datum {
                Some(d) => match Datum::parse(&d) {
                    Some(d) => Some(d),
                    None => bail!("unknown datum `{d}` (WGS84, CGCS2000 or GCJ-02)"),
                },
                None => None,
            };
            let pb = bar();
            let b = e.install_basemap(
                &s,
                &file,
                &InstallOptions { name, datum },
                &|p: InstallProgress| {
                    pb.set_message(format!("{:?}", p.stage).to_lowercase());
                    pb.set_length(p.total);
                    pb.set_position(p.done);
                    true
                },
            )?;
            pb.finish_and_clear();
            println!("installed {} ({}, {})", b.id, b.name, b.tile_format.key());
        }
        BasemapCmd::List { db } => {
            for b in open(&db)?.basemaps()? {
                println!(
                    "{}\t{}\t{}\t{}\tz{}-{}\t{} bytes\t{}",
                    b.id,
                    b.name,
                    b.format.extension(),
                    b.tile_format.key(),
                    b.min_zoom,
                    b.max_zoom,
                    b.size_bytes,
                    b.datum.label()
                );
            }
        }
        BasemapCmd::Remove { db, actor, id } => {
            let e = open(&db)?;
            let s = actor.required(&e)?;
            e.remove_basemap(&s, &id)?;
            println!("removed {id}");
        }
        BasemapCmd::Search { db, text, limit } => {
            for p in open(&db)?.search_places(&text, limit)? {
                println!(
                    "{}\t{}\t{}\t{:.6}\t{:.6}",
                    p.name, p.layer, p.class, p.lon, p.lat
                );
            }
        }
    }
    Ok(())
}
