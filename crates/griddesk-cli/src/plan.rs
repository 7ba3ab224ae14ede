//! `griddesk plan …`: grid planning from the command line — every edit with a dry run that
//! prints the guard's report, undo/redo, history, grids as of a date, proposals, renumbering.

use crate::caseloop::Actor;
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use griddesk::planning::{
    Edit, EditMeta, EditSummary, GuardReport, PlanSettings, Preview, Problem, ProposalOptions,
};
use griddesk::Error;
use std::path::{Path, PathBuf};

/// Options shared by the editing commands.
#[derive(Args, Clone)]
pub struct EditArgs {
    /// The store.
    db: PathBuf,
    /// Check and show what would change; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Who makes the edit: a 网格规划员 (planner) or 系统管理员 (admin) account, checked by the
    /// engine and kept in the history.
    #[command(flatten)]
    actor: Actor,
    /// Why (kept in the history).
    #[arg(long)]
    note: Option<String>,
    /// Print the result as JSON (change-set with GeoJSON geometry, report).
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
pub enum PlanCmd {
    /// Split a grid along a line: `--line "lon,lat;lon,lat[;…]"`.
    Split {
        #[command(flatten)]
        e: EditArgs,
        grid: String,
        #[arg(long)]
        line: String,
    },
    /// Merge adjacent grids of one community.
    Merge {
        #[command(flatten)]
        e: EditArgs,
        #[arg(required = true, num_args = 2..)]
        grids: Vec<String>,
        /// Take name-independent attributes (land use, level, duty grid) from this grid
        /// (default: the largest).
        #[arg(long)]
        attributes_from: Option<String>,
    },
    /// Move a vertex (in every grid sharing it): `--from lon,lat --to lon,lat`.
    MoveVertex {
        #[command(flatten)]
        e: EditArgs,
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
    },
    /// Insert a vertex on the edge nearest `--at lon,lat`.
    InsertVertex {
        #[command(flatten)]
        e: EditArgs,
        #[arg(long)]
        at: String,
    },
    /// Delete the vertex at `--at lon,lat`.
    DeleteVertex {
        #[command(flatten)]
        e: EditArgs,
        #[arg(long)]
        at: String,
    },
    /// Draw a new grid: `--ring "lon,lat;lon,lat;lon,lat[;…]"`.
    Add {
        #[command(flatten)]
        e: EditArgs,
        #[arg(long)]
        ring: String,
        /// Community code (default: the one holding the polygon).
        #[arg(long)]
        community: Option<String>,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        land_use: Option<String>,
        #[arg(long)]
        level: Option<String>,
    },
    /// Replace the boundary section between the path's ends: `--path "lon,lat;…"`.
    Reshape {
        #[command(flatten)]
        e: EditArgs,
        grid: String,
        #[arg(long)]
        path: String,
    },
    /// Propose a partition of a community (a dry run unless --apply).
    Propose {
        #[command(flatten)]
        e: EditArgs,
        community: String,
        /// Target grid area, m² (default: the store's setting, 10 000).
        #[arg(long)]
        target_area: Option<f64>,
        /// GeoJSON file of road lines (LineString / MultiLineString features) to follow.
        #[arg(long)]
        roads: Option<PathBuf>,
        /// An installed vector basemap (id, see `griddesk basemap list`) whose roads to follow
        /// when no --roads file is given.
        #[arg(long)]
        basemap: Option<String>,
        /// 0 = equal areas … 1 = equal workload (default 0.5).
        #[arg(long)]
        workload_weight: Option<f64>,
        /// Cases of the 12 months up to this date count as workload (default: today).
        #[arg(long)]
        as_of: Option<String>,
        /// Accept the proposal (one undoable step).
        #[arg(long)]
        apply: bool,
        /// Write the proposed grids as GeoJSON.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Renumber a community's grids west→east, north→south (old → new codes).
    Renumber {
        #[command(flatten)]
        e: EditArgs,
        community: String,
    },
    /// Undo the most recent edit.
    Undo {
        db: PathBuf,
        #[command(flatten)]
        actor: Actor,
    },
    /// Redo the most recently undone edit.
    Redo {
        db: PathBuf,
        #[command(flatten)]
        actor: Actor,
    },
    /// The history of a grid (lineage and edits), or the edit log without a grid.
    History {
        db: PathBuf,
        grid: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// The grids in force at the end of a past date (YYYY-MM-DD).
    AsOf {
        db: PathBuf,
        date: String,
        /// Write them as GeoJSON.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Show or change the planning settings.
    Settings {
        db: PathBuf,
        /// Who changes the settings (planner or admin); not needed to show them.
        #[command(flatten)]
        actor: Actor,
        #[arg(long)]
        min_area: Option<f64>,
        #[arg(long)]
        max_area: Option<f64>,
        #[arg(long)]
        target_area: Option<f64>,
        /// Metres within which a point means an existing vertex or edge.
        #[arg(long)]
        tolerance: Option<f64>,
    },
}

fn point(s: &str) -> Result<[f64; 2]> {
    let (a, b) = s
        .split_once(',')
        .with_context(|| format!("`{s}` is not `lon,lat`"))?;
    Ok([
        a.trim()
            .parse()
            .with_context(|| format!("bad longitude in `{s}`"))?,
        b.trim()
            .parse()
            .with_context(|| format!("bad latitude in `{s}`"))?,
    ])
}

fn points(s: &str) -> Result<Vec<[f64; 2]>> {
    s.split(';')
        .filter(|p| !p.trim().is_empty())
        .map(point)
        .collect()
}

fn grid(s: &str) -> Result<griddesk::code::GridCode> {
    Ok(griddesk::code::GridCode::parse_or_migrate(s)?.0)
}

/// The edit's note; its author is the acting user, whose role the engine checks (planner or
/// admin).
fn meta(note: Option<String>) -> EditMeta {
    EditMeta {
        note,
        ..EditMeta::default()
    }
}

fn print_problems(problems: &[Problem]) {
    for p in problems {
        let grids: Vec<String> = p.grids.iter().map(|g| g.to_string()).collect();
        let area = p
            .area_m2
            .map(|a| format!(" [{a:.2} m²]"))
            .unwrap_or_default();
        println!(
            "  {:?}\t{}\t{}\t{}{area}",
            p.severity,
            p.rule.id(),
            grids.join(","),
            p.message
        );
    }
}

fn print_report(r: &GuardReport) {
    println!("guard: {}", r.summary());
    print_problems(&r.problems);
}

fn print_preview(p: &Preview) {
    let c = &p.change;
    let codes = |v: Vec<String>| {
        if v.is_empty() {
            "-".into()
        } else {
            v.join(" ")
        }
    };
    println!("{} in community {}", c.operation, c.community);
    println!(
        "  retire:  {}",
        codes(c.retire.iter().map(|g| g.code.to_string()).collect())
    );
    println!(
        "  create:  {}",
        codes(
            c.create
                .iter()
                .map(|g| format!("{} ({:.0} m²)", g.code, g.area_m2))
                .collect()
        )
    );
    println!(
        "  reshape: {}",
        codes(c.modify.iter().map(|g| g.code.to_string()).collect())
    );
    println!(
        "  rename:  {}",
        codes(
            c.rename
                .iter()
                .map(|r| format!("{}→{}", r.from, r.to))
                .collect()
        )
    );
    if !c.communities.is_empty() {
        println!(
            "  community outlines gaining vertices: {}",
            codes(c.communities.iter().map(|x| x.code.to_string()).collect())
        );
    }
    println!(
        "  relocated: {} components, {} cases",
        p.relocated_components, p.relocated_cases
    );
    print_report(&p.report);
}

fn print_summary(s: &EditSummary) {
    let e = &s.effect;
    println!(
        "#{} {} {} by {} ({:?}) in {}: retired {}, created {}, reshaped {}, renamed {}{}",
        s.id,
        s.at,
        s.operation,
        s.author,
        s.state,
        s.community,
        e.retired.len(),
        e.created.len(),
        e.modified.len(),
        e.renamed.len(),
        s.note
            .as_deref()
            .map(|n| format!(" — {n}"))
            .unwrap_or_default()
    );
}

/// Runs an edit: preview (always printed), then apply unless a dry run.
fn edit(e: &EditArgs, edit: Edit) -> Result<()> {
    let engine = super::open(&e.db)?;
    let preview = engine.plan_preview(&edit)?;
    if e.json && e.dry_run {
        println!("{}", serde_json::to_string_pretty(&preview)?);
        return Ok(());
    }
    if !e.json {
        print_preview(&preview);
    }
    if e.dry_run {
        if !preview.report.is_ok() {
            bail!("the edit would be refused");
        }
        return Ok(());
    }
    match engine.plan_apply(&e.actor.required(&engine)?, &edit, &meta(e.note.clone())) {
        Ok(a) => {
            if e.json {
                println!("{}", serde_json::to_string_pretty(&a)?);
            } else {
                print!("applied ");
                print_summary(&a.edit);
            }
            Ok(())
        }
        Err(Error::TopologyRefused(r)) => {
            if e.json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            }
            bail!("edit refused: {}", r.summary())
        }
        Err(err) => Err(err.into()),
    }
}

fn roads_from(path: &Path) -> Result<Vec<Vec<[f64; 2]>>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let v: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    let feats = v["features"]
        .as_array()
        .with_context(|| format!("{} is not a FeatureCollection", path.display()))?;
    let line = |c: &serde_json::Value| -> Option<Vec<[f64; 2]>> {
        c.as_array()?
            .iter()
            .map(|p| Some([p.get(0)?.as_f64()?, p.get(1)?.as_f64()?]))
            .collect()
    };
    let mut out = Vec::new();
    for (i, f) in feats.iter().enumerate() {
        let g = &f["geometry"];
        match g["type"].as_str() {
            Some("LineString") => out.push(
                line(&g["coordinates"]).with_context(|| format!("feature {i}: bad coordinates"))?,
            ),
            Some("MultiLineString") => {
                for l in g["coordinates"].as_array().into_iter().flatten() {
                    out.push(line(l).with_context(|| format!("feature {i}: bad coordinates"))?);
                }
            }
            other => bail!("feature {i}: a road must be a LineString, found {other:?}"),
        }
    }
    Ok(out)
}

fn write_grids(
    path: &Path,
    grids: impl Iterator<Item = (String, String, geojson::Geometry)>,
) -> Result<usize> {
    let mut features = Vec::new();
    for (code, name, geometry) in grids {
        features.push(serde_json::json!({
            "type": "Feature",
            "properties": {"code": code, "name": name},
            "geometry": geometry,
        }));
    }
    let n = features.len();
    let fc = serde_json::json!({"type": "FeatureCollection", "features": features});
    std::fs::write(path, serde_json::to_string(&fc)?)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(n)
}

fn date(s: &str) -> Result<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .with_context(|| format!("`{s}` is not a date (YYYY-MM-DD)"))
}

pub fn run(cmd: PlanCmd) -> Result<()> {
    match cmd {
        PlanCmd::Split { e, grid: g, line } => edit(
            &e,
            Edit::Split {
                grid: grid(&g)?,
                line: points(&line)?,
            },
        ),
        PlanCmd::Merge {
            e,
            grids,
            attributes_from,
        } => edit(
            &e,
            Edit::Merge {
                grids: grids.iter().map(|g| grid(g)).collect::<Result<_>>()?,
                attributes_from: attributes_from.as_deref().map(grid).transpose()?,
            },
        ),
        PlanCmd::MoveVertex { e, from, to } => edit(
            &e,
            Edit::MoveVertex {
                from: point(&from)?,
                to: point(&to)?,
            },
        ),
        PlanCmd::InsertVertex { e, at } => edit(&e, Edit::InsertVertex { at: point(&at)? }),
        PlanCmd::DeleteVertex { e, at } => edit(&e, Edit::DeleteVertex { at: point(&at)? }),
        PlanCmd::Add {
            e,
            ring,
            community,
            name,
            land_use,
            level,
        } => edit(
            &e,
            Edit::AddGrid {
                ring: points(&ring)?,
                community: community
                    .as_deref()
                    .map(griddesk::code::CommunityCode::parse)
                    .transpose()?,
                name,
                land_use,
                level,
            },
        ),
        PlanCmd::Reshape { e, grid: g, path } => edit(
            &e,
            Edit::Reshape {
                grid: grid(&g)?,
                path: points(&path)?,
            },
        ),
        PlanCmd::Renumber { e, community } => edit(
            &e,
            Edit::Renumber {
                community: griddesk::code::CommunityCode::parse(&community)?,
            },
        ),
        PlanCmd::Propose {
            e,
            community,
            target_area,
            roads,
            basemap,
            workload_weight,
            as_of,
            apply,
            out,
        } => {
            let engine = super::open(&e.db)?;
            let opts = ProposalOptions {
                target_area_m2: target_area,
                roads: roads
                    .as_deref()
                    .map(roads_from)
                    .transpose()?
                    .unwrap_or_default(),
                workload_weight,
                as_of: as_of.as_deref().map(date).transpose()?,
                basemap,
            };
            let p = engine.propose_grids(&community, &opts)?;
            if let Some(out) = &out {
                let n = write_grids(
                    out,
                    p.change.create.iter().map(|g| {
                        (
                            g.code.to_string(),
                            g.name.clone(),
                            geojson::Geometry::from(&g.polygon),
                        )
                    }),
                )?;
                eprintln!("wrote {n} proposed grids to {}", out.display());
            }
            if e.json {
                println!("{}", serde_json::to_string_pretty(&p)?);
            } else {
                println!(
                    "proposal for {community}: {} grids replacing {}",
                    p.proposed.grids, p.current.grids
                );
                for (what, b) in [("current ", &p.current), ("proposed", &p.proposed)] {
                    println!(
                        "  {what}: mean area {:.0} m² (cv {:.2}), mean workload {:.1} (cv {:.2}, max/mean {:.2})",
                        b.mean_area_m2, b.area_cv, b.mean_workload, b.workload_cv, b.max_workload_ratio
                    );
                }
                print_report(&p.report);
            }
            if apply && !e.dry_run {
                let a = engine.plan_apply_change(
                    &e.actor.required(&engine)?,
                    &p.change,
                    &serde_json::to_value(&opts)?,
                    &meta(e.note.clone()),
                )?;
                print!("applied ");
                print_summary(&a.edit);
            }
            Ok(())
        }
        PlanCmd::Undo { db, actor } => {
            let engine = super::open(&db)?;
            let a = engine.plan_undo(&actor.required(&engine)?, &meta(None))?;
            print!("undone ");
            print_summary(&a.edit);
            Ok(())
        }
        PlanCmd::Redo { db, actor } => {
            let engine = super::open(&db)?;
            let a = engine.plan_redo(&actor.required(&engine)?, &meta(None))?;
            print!("redone ");
            print_summary(&a.edit);
            Ok(())
        }
        PlanCmd::History {
            db,
            grid: g,
            limit,
            json,
        } => {
            let engine = super::open(&db)?;
            match g {
                None => {
                    let log = engine.plan_log(limit)?;
                    if json {
                        println!("{}", serde_json::to_string_pretty(&log)?);
                    } else {
                        log.iter().for_each(print_summary);
                    }
                }
                Some(g) => {
                    let h = engine.plan_history(&g)?;
                    if json {
                        println!("{}", serde_json::to_string_pretty(&h)?);
                    } else {
                        println!("grid {}: lineage {}", h.code, h.lineage_codes.join(" "));
                        for l in &h.lineage {
                            println!("  #{} {} → {}", l.edit, l.predecessor, l.successor);
                        }
                        for entry in &h.edits {
                            print_summary(&entry.edit);
                        }
                    }
                }
            }
            Ok(())
        }
        PlanCmd::AsOf { db, date: d, out } => {
            let engine = super::open(&db)?;
            let grids = engine.grids_as_of(date(&d)?)?;
            println!("{} grids in force at the end of {d}", grids.len());
            if let Some(out) = out {
                let n = write_grids(
                    &out,
                    grids.iter().map(|g| {
                        (
                            g.code.to_string(),
                            g.name.clone(),
                            geojson::Geometry::from(&g.polygon),
                        )
                    }),
                )?;
                println!("wrote {n} grids to {}", out.display());
            }
            Ok(())
        }
        PlanCmd::Settings {
            db,
            actor,
            min_area,
            max_area,
            target_area,
            tolerance,
        } => {
            let engine = super::open(&db)?;
            let mut s: PlanSettings = engine.plan_settings()?;
            let changed = min_area.is_some()
                || max_area.is_some()
                || target_area.is_some()
                || tolerance.is_some();
            s.min_area_m2 = min_area.unwrap_or(s.min_area_m2);
            s.max_area_m2 = max_area.unwrap_or(s.max_area_m2);
            s.target_area_m2 = target_area.unwrap_or(s.target_area_m2);
            s.tolerance_m = tolerance.unwrap_or(s.tolerance_m);
            if changed {
                engine.set_plan_settings(&actor.required(&engine)?, &s)?;
            }
            println!("{}", serde_json::to_string_pretty(&s)?);
            Ok(())
        }
    }
}
