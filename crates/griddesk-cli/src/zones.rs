//! `griddesk zones …`: responsibility zones, people, units and road lines.

use crate::caseloop::Actor;
use anyhow::{bail, Context, Result};
use clap::Subcommand;
use griddesk::io::{Crs, ImportOptions, SourceOptions, TargetOptions, TextEncoding};
use griddesk::users::Session;
use griddesk::zones::*;
use griddesk::Engine;
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum ZonesCmd {
    /// List the zone layers (duty grids, sectors, squadron areas, enforcement grids…).
    Layers {
        db: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Create or change a zone layer.
    LayerAdd {
        db: PathBuf,
        /// Who acts: a 网格规划员 (planner) or 系统管理员 (admin) account.
        #[command(flatten)]
        actor: Actor,
        code: String,
        name: String,
        /// sector (片区), squadron (中队辖区), enforcement (执法网格) or custom.
        #[arg(long, default_value = "custom")]
        kind: String,
        /// management (城管网格) or enforcement (执法网格).
        #[arg(long, default_value = "management")]
        network: String,
        /// Display order.
        #[arg(long, default_value_t = 10)]
        order: i64,
    },
    /// Create or change a zone (and add grids to it).
    ZoneAdd {
        db: PathBuf,
        /// Who acts: a 网格规划员 (planner) or 系统管理员 (admin) account.
        #[command(flatten)]
        actor: Actor,
        layer: String,
        code: String,
        name: String,
        /// Responsible unit code.
        #[arg(long)]
        unit: Option<String>,
        /// Responsible people: ids separated by commas, the lead first.
        #[arg(long, value_delimiter = ',')]
        people: Vec<String>,
        /// Member grid codes separated by commas.
        #[arg(long, value_delimiter = ',')]
        grids: Vec<String>,
        /// Move grids that belong to another zone of the layer instead of refusing.
        #[arg(long = "move")]
        move_grids: bool,
    },
    /// Add grids to a zone, by code or by a drawn polygon.
    Assign {
        db: PathBuf,
        /// Who acts: a 网格规划员 (planner) or 系统管理员 (admin) account.
        #[command(flatten)]
        actor: Actor,
        layer: String,
        zone: String,
        /// Grid codes.
        grids: Vec<String>,
        /// A polygon `lon,lat;lon,lat;…`: the grids whose label point is inside it.
        #[arg(long)]
        polygon: Option<String>,
        /// Move grids that belong to another zone of the layer instead of refusing.
        #[arg(long = "move")]
        move_grids: bool,
    },
    /// List the zones of a layer with their unit and people.
    List {
        db: PathBuf,
        layer: String,
        #[arg(long)]
        json: bool,
    },
    /// Create or change a unit (部门, 中队…).
    UnitAdd {
        db: PathBuf,
        /// Who acts: a 网格规划员 (planner) or 系统管理员 (admin) account.
        #[command(flatten)]
        actor: Actor,
        code: String,
        name: String,
        /// department, squadron, office, contractor, other (or 部门, 中队, 属地, 作业单位).
        #[arg(long, default_value = "department")]
        kind: String,
        #[arg(long)]
        parent: Option<String>,
        #[arg(long)]
        phone: Option<String>,
    },
    /// Create or change a person.
    PersonAdd {
        db: PathBuf,
        /// Who acts: a 网格规划员 (planner) or 系统管理员 (admin) account.
        #[command(flatten)]
        actor: Actor,
        id: String,
        name: String,
        /// inspector, sector_chief, squadron_leader, team_member, street_chief, road_chief,
        /// lane_chief… or 监督员, 片长, 中队长, 队员, 街长, 路长, 巷长.
        #[arg(long)]
        role: String,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        unit: Option<String>,
    },
    /// List people.
    PersonList {
        db: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// One person's zones in every layer and the road lines they lead.
    Person {
        db: PathBuf,
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Who is responsible at a point: grid, community, street, every layer's zone, unit and
    /// people, and the road lines within 30 m.
    WhoIsHere {
        db: PathBuf,
        #[arg(allow_hyphen_values = true)]
        lon: f64,
        #[arg(allow_hyphen_values = true)]
        lat: f64,
        #[arg(long)]
        json: bool,
    },
    /// Create or change a road line (线条) with its chief.
    RoadAdd {
        db: PathBuf,
        /// Who acts: a 网格规划员 (planner) or 系统管理员 (admin) account.
        #[command(flatten)]
        actor: Actor,
        code: String,
        name: String,
        /// street (街), road (路), lane (巷) or other.
        #[arg(long)]
        class: String,
        /// The line `lon,lat;lon,lat;…`.
        #[arg(long)]
        line: String,
        #[arg(long)]
        chief: Option<String>,
        #[arg(long)]
        unit: Option<String>,
    },
    /// Import the zones of a layer from GeoJSON, Shapefile or GeoPackage (one transaction).
    Import {
        db: PathBuf,
        /// Who acts: a 网格规划员 (planner) or 系统管理员 (admin) account.
        #[command(flatten)]
        actor: Actor,
        layer: String,
        file: PathBuf,
        #[command(flatten)]
        source: SourceArgs,
        #[arg(long = "move")]
        move_grids: bool,
        #[arg(long)]
        valid_only: bool,
        #[arg(long)]
        dry_run: bool,
    },
    /// Export the zones of a layer (outlines = exact unions of their grids).
    Export {
        db: PathBuf,
        layer: String,
        file: PathBuf,
        #[command(flatten)]
        target: TargetArgs,
    },
    /// Import road lines (one transaction).
    RoadsImport {
        db: PathBuf,
        /// Who acts: a 网格规划员 (planner) or 系统管理员 (admin) account.
        #[command(flatten)]
        actor: Actor,
        file: PathBuf,
        #[command(flatten)]
        source: SourceArgs,
        #[arg(long)]
        valid_only: bool,
        #[arg(long)]
        dry_run: bool,
    },
    /// Export road lines.
    RoadsExport {
        db: PathBuf,
        file: PathBuf,
        #[command(flatten)]
        target: TargetArgs,
    },
}

/// `--crs` and `--encoding` for reading files.
#[derive(clap::Args, Default)]
pub struct SourceArgs {
    /// The file's CRS: wgs84, cgcs2000, gcj02, EPSG:4513–4554, gk40 (zone 40, prefixed
    /// easting) or gk-cm120 (central meridian 120°E). Default: from the .prj / GeoPackage, else
    /// lon/lat.
    #[arg(long)]
    pub crs: Option<String>,
    /// Text encoding of a Shapefile's attributes or a CSV file: utf-8 or gbk (GB18030).
    /// Default: from the .cpg, else detected (valid UTF-8 is UTF-8, else GB18030).
    #[arg(long)]
    pub encoding: Option<String>,
    /// For a file on Beijing 1954 or Xian 1980: the local seven-parameter (Bursa-Wolf)
    /// transformation to CGCS2000, `dx,dy,dz,rx,ry,rz,s` (metres, arc-seconds, ppm;
    /// position-vector convention, as PROJ's +towgs84). The datum and zone come from the
    /// file (.prj, GeoPackage srs, GeoJSON crs) or from --crs.
    #[arg(long, allow_hyphen_values = true)]
    pub towgs84: Option<String>,
}

impl SourceArgs {
    /// The options for reading `file`.
    pub fn options(&self, file: &Path) -> Result<SourceOptions> {
        let mut crs = self.crs.as_deref().map(Crs::parse).transpose()?;
        if let Some(t) = &self.towgs84 {
            let p = griddesk::io::Towgs84::parse(t)?;
            let base = match crs {
                Some(c) => c,
                None => match griddesk::io::declared_crs(file) {
                    Ok(Some(c)) => c,
                    Ok(None) => bail!(
                        "--towgs84: {} names no CRS that can be read here; give its datum and zone with --crs (e.g. --crs EPSG:2437 for Beijing 1954 / 3-degree Gauss-Kruger CM 120E)",
                        file.display()
                    ),
                    Err(r) => bail!("{r}"),
                },
            };
            crs = Some(base.with_towgs84(p)?);
        }
        Ok(SourceOptions {
            crs,
            encoding: self.encoding.as_deref().map(encoding).transpose()?,
        })
    }
}

/// Prints the kept rejects of an import to stderr, then how many more there are.
pub fn print_rejects(rejects: &griddesk::io::Rejects) {
    for rej in rejects {
        eprintln!("rejected: {rej}");
    }
    if rejects.more() > 0 {
        eprintln!("… and {} more (total {})", rejects.more(), rejects.total());
    }
}

/// `--crs` and `--encoding` for writing files.
#[derive(clap::Args, Default)]
pub struct TargetArgs {
    /// The CRS to write (default cgcs2000 lon/lat); see `--crs` of import.
    #[arg(long)]
    pub crs: Option<String>,
    /// Shapefile attribute encoding, recorded in the .cpg: utf-8 (default) or gbk.
    #[arg(long)]
    pub encoding: Option<String>,
}

impl TargetArgs {
    pub fn options(&self) -> Result<TargetOptions> {
        Ok(TargetOptions {
            crs: self
                .crs
                .as_deref()
                .map(Crs::parse)
                .transpose()?
                .unwrap_or_default(),
            encoding: self
                .encoding
                .as_deref()
                .map(encoding)
                .transpose()?
                .unwrap_or_default(),
        })
    }
}

fn encoding(s: &str) -> Result<TextEncoding> {
    TextEncoding::parse(s).with_context(|| format!("unknown encoding `{s}` (utf-8 or gbk)"))
}

fn on_conflict(move_grids: bool) -> OnConflict {
    if move_grids {
        OnConflict::Move
    } else {
        OnConflict::Refuse
    }
}

fn points(s: &str) -> Result<Vec<[f64; 2]>> {
    s.split(';')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let (a, b) = p
                .split_once(',')
                .with_context(|| format!("`{p}` is not `lon,lat`"))?;
            Ok([a.trim().parse()?, b.trim().parse()?])
        })
        .collect()
}

/// Opens the store and signs in the acting user (the engine decides what the role may do).
fn open_as(db: &Path, actor: &Actor) -> Result<(Engine, Session)> {
    let e = open(db)?;
    let s = actor.required(&e)?;
    Ok((e, s))
}

fn open(db: &Path) -> Result<Engine> {
    Engine::open(db).with_context(|| format!("cannot open store {}", db.display()))
}

fn people_line(p: &[PersonRef]) -> String {
    p.iter()
        .map(|p| {
            let mut s = format!("{}({})", p.name, p.role_zh);
            if let Some(ph) = &p.phone {
                s.push_str(&format!(" {ph}"));
            }
            s
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn print_report(r: &AssignReport) {
    println!(
        "{} added, {} moved, {} already there",
        r.added.len(),
        r.moved.len(),
        r.unchanged.len()
    );
    for (g, from) in &r.moved {
        println!("  moved {g} from {from}");
    }
}

pub fn run(cmd: ZonesCmd) -> Result<()> {
    match cmd {
        ZonesCmd::Layers { db, json } => {
            let layers = open(&db)?.zone_layers();
            if json {
                println!("{}", serde_json::to_string_pretty(&layers)?);
            } else {
                for l in layers {
                    println!(
                        "{}\t{}\t{}\t{}\t{} zones\t{} grids unassigned",
                        l.layer.code,
                        l.layer.name,
                        l.kind_zh,
                        l.network_zh,
                        l.zones,
                        l.unassigned_grids
                    );
                }
            }
        }
        ZonesCmd::LayerAdd {
            db,
            actor,
            code,
            name,
            kind,
            network,
            order,
        } => {
            let layer = ZoneLayer {
                code,
                name,
                kind: LayerKind::parse(&kind)
                    .with_context(|| format!("unknown layer kind `{kind}`"))?,
                network: Network::parse(&network)
                    .with_context(|| format!("unknown network `{network}`"))?,
                order,
            };
            let (e, s) = open_as(&db, &actor)?;
            e.put_zone_layer(&s, &layer)?;
            println!("layer {} saved", layer.code);
        }
        ZonesCmd::ZoneAdd {
            db,
            actor,
            layer,
            code,
            name,
            unit,
            people,
            grids,
            move_grids,
        } => {
            let (e, s) = open_as(&db, &actor)?;
            let r = e.put_zone(
                &s,
                &ZoneEdit {
                    layer,
                    code: code.clone(),
                    name,
                    unit,
                    people,
                    grids: (!grids.is_empty()).then_some(grids),
                    on_conflict: on_conflict(move_grids),
                },
            )?;
            println!("zone {code} saved");
            print_report(&r);
        }
        ZonesCmd::Assign {
            db,
            actor,
            layer,
            zone,
            grids,
            polygon,
            move_grids,
        } => {
            let (e, s) = open_as(&db, &actor)?;
            let r = match (polygon, grids.is_empty()) {
                (Some(p), true) => {
                    e.assign_drawn(&s, &layer, &zone, &points(&p)?, on_conflict(move_grids))?
                }
                (None, false) => {
                    e.assign_grids(&s, &layer, &zone, &grids, on_conflict(move_grids))?
                }
                _ => bail!("give grid codes or --polygon (not both)"),
            };
            print_report(&r);
        }
        ZonesCmd::List { db, layer, json } => {
            let e = open(&db)?;
            let zones = e.zones_in_layer(Some(&reader(&e)), &layer)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&zones)?);
            } else {
                for z in zones {
                    println!(
                        "{}\t{}\t{} grids\t{:.0} m²\t{}\t{}",
                        z.code,
                        z.name,
                        z.grids,
                        z.area_m2,
                        z.unit.map(|u| u.name).unwrap_or_default(),
                        people_line(&z.people)
                    );
                }
            }
        }
        ZonesCmd::UnitAdd {
            db,
            actor,
            code,
            name,
            kind,
            parent,
            phone,
        } => {
            let unit = OrgUnit {
                code,
                name,
                kind: UnitKind::parse(&kind)
                    .with_context(|| format!("unknown unit kind `{kind}`"))?,
                parent,
                phone,
            };
            let (e, s) = open_as(&db, &actor)?;
            e.put_unit(&s, &unit)?;
            println!("unit {} saved", unit.code);
        }
        ZonesCmd::PersonAdd {
            db,
            actor,
            id,
            name,
            role,
            phone,
            unit,
        } => {
            let p = Person {
                id,
                name,
                role: Role::parse(&role).with_context(|| format!("unknown role `{role}`"))?,
                phone,
                unit,
            };
            let (e, s) = open_as(&db, &actor)?;
            e.put_person(&s, &p)?;
            println!("person {} saved", p.id);
        }
        ZonesCmd::PersonList { db, json } => {
            let e = open(&db)?;
            let people = e.people(Some(&reader(&e)));
            if json {
                println!("{}", serde_json::to_string_pretty(&people)?);
            } else {
                for p in people {
                    println!(
                        "{}\t{}\t{}\t{}\t{}",
                        p.id.unwrap_or_default(),
                        p.name,
                        p.role_zh,
                        p.phone.unwrap_or_default(),
                        p.unit_name.unwrap_or_default()
                    );
                }
            }
        }
        ZonesCmd::Person { db, id, json } => {
            let e = open(&db)?;
            let pz = e.person_zones(Some(&reader(&e)), &id)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&pz)?);
            } else {
                println!("{}", people_line(std::slice::from_ref(&pz.person)));
                for z in &pz.zones {
                    println!(
                        "  {}\t{}\t{}\t{} grids{}",
                        z.layer_name,
                        z.code,
                        z.name,
                        z.grids,
                        if z.lead { "\t(lead)" } else { "" }
                    );
                }
                for r in &pz.roads {
                    println!(
                        "  {}\t{}\t{}\t{:.0} m",
                        r.chief_title, r.code, r.name, r.length_m
                    );
                }
            }
        }
        ZonesCmd::WhoIsHere { db, lon, lat, json } => {
            let e = open(&db)?;
            let r = e.who_is_here(Some(&reader(&e)), lon, lat);
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                let named = |n: &Option<Named>| {
                    n.as_ref()
                        .map(|n| format!("{} {}", n.code, n.name))
                        .unwrap_or_else(|| "—".into())
                };
                println!("grid\t{}", named(&r.grid));
                println!("community\t{}", named(&r.community));
                println!("street\t{}", named(&r.street));
                for a in &r.layers {
                    match &a.zone {
                        Some(z) => println!(
                            "{}\t{} {}\t{}\t{}",
                            a.layer_name,
                            z.code,
                            z.name,
                            z.unit.as_ref().map(|u| u.name.as_str()).unwrap_or(""),
                            people_line(&z.people)
                        ),
                        None => println!("{}\t—", a.layer_name),
                    }
                }
                for road in &r.roads {
                    println!(
                        "{}\t{} {} ({:.1} m)\t{}",
                        road.chief_title,
                        road.code,
                        road.name,
                        road.distance_m,
                        road.chief.as_ref().map(|c| c.name.as_str()).unwrap_or("")
                    );
                }
            }
        }
        ZonesCmd::RoadAdd {
            db,
            actor,
            code,
            name,
            class,
            line,
            chief,
            unit,
        } => {
            let (e, s) = open_as(&db, &actor)?;
            e.put_road_line(
                &s,
                &RoadEdit {
                    code: code.clone(),
                    name,
                    class: RoadClass::parse(&class)
                        .with_context(|| format!("unknown class `{class}`"))?,
                    line: points(&line)?,
                    chief,
                    unit,
                },
            )?;
            println!("road line {code} saved");
        }
        ZonesCmd::Import {
            db,
            actor,
            layer,
            file,
            source,
            move_grids,
            valid_only,
            dry_run,
        } => {
            let (e, s) = open_as(&db, &actor)?;
            let r = e.import_zones(
                &s,
                &file,
                &layer,
                ImportOptions {
                    valid_only,
                    dry_run,
                },
                &source.options(&file)?,
                on_conflict(move_grids),
            )?;
            print_rejects(&r.rejects);
            let verb = if r.dry_run {
                "would import"
            } else {
                "imported"
            };
            println!(
                "{verb} {} zones into {} ({} grids moved, {} rejected)",
                r.imported,
                r.target,
                r.moved_grids,
                r.rejects.total()
            );
        }
        ZonesCmd::Export {
            db,
            layer,
            file,
            target,
        } => {
            let n = open(&db)?.export_zones(&file, &layer, &target.options()?)?;
            println!("exported {n} zones of {layer} to {}", file.display());
        }
        ZonesCmd::RoadsImport {
            db,
            actor,
            file,
            source,
            valid_only,
            dry_run,
        } => {
            let (e, s) = open_as(&db, &actor)?;
            let r = e.import_road_lines(
                &s,
                &file,
                ImportOptions {
                    valid_only,
                    dry_run,
                },
                &source.options(&file)?,
            )?;
            print_rejects(&r.rejects);
            let verb = if r.dry_run {
                "would import"
            } else {
                "imported"
            };
            println!(
                "{verb} {} road lines ({} rejected)",
                r.imported,
                r.rejects.total()
            );
        }
        ZonesCmd::RoadsExport { db, file, target } => {
            let n = open(&db)?.export_road_lines(&file, &target.options()?)?;
            println!("exported {n} road lines to {}", file.display());
        }
    }
    Ok(())
}

/// Who reads on the command line: whoever holds the store file can read all of it, so the CLI
/// reads as the local administrator (people's phone numbers in full).
fn reader(e: &Engine) -> Session {
    e.local_admin(&crate::caseloop::os_user())
}
