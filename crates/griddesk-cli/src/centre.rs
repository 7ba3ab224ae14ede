//! `griddesk centre …`: the city centre's PostgreSQL/PostGIS store (docs/centre.md) — create
//! or upgrade its schema and seed the sample district, load a station's store into it, make a
//! district station's login role, and show what the whole city holds.

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use griddesk::code::DistrictCode;
use griddesk::model::{District, Snapshot};
use griddesk::Engine;
use griddesk_store_postgres::rows::{district_sums, TableSum};
use griddesk_store_postgres::{Centre, LoadReport};
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum CentreCmd {
    /// Create or upgrade the centre's schema in a PostgreSQL database that has PostGIS
    /// (`scripts/centre.sh init` runs this). Safe to run again.
    Init {
        /// The centre's connection string (postgresql://… or key=value pairs), as its owner.
        #[arg(env = "GRIDDESK_CENTRE")]
        url: String,
        /// Also load the sample district (Huangyan, 331003), unless the centre has it already.
        #[arg(long)]
        sample: bool,
        /// The resources folder (code tables in codes/, the sample district in sample/).
        #[arg(long, default_value = "resources")]
        resources: PathBuf,
    },
    /// Copy a station's whole district (every table it keeps: grids, cases and their
    /// workflow histories, photos, users, zones, registers, plan history, audit log, patrol
    /// tracks…) into the centre, in one transaction: a district the centre does not hold yet.
    /// The city's shared tables go in only where the centre has none of their rows.
    Load {
        #[arg(env = "GRIDDESK_CENTRE")]
        url: String,
        /// The station's SQLite store.
        db: PathBuf,
    },
    /// Compare a station's store with the centre's rows of its district: per table, the row
    /// count and an order-independent checksum of the rows; exits non-zero naming each table
    /// that differs.
    Verify {
        #[arg(env = "GRIDDESK_CENTRE")]
        url: String,
        /// The station's SQLite store.
        db: PathBuf,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Sync a station with the centre: its changes since its last acknowledged sync go up
    /// (rows inserted, changed and deleted in every table of its district, found by comparing
    /// the store with the rows the centre last acknowledged), then what the centre and other
    /// stations changed of the district, and the city's shared tables, come down. A batch
    /// left by an interrupted sync is sent again first; a batch is applied once, whole. A row
    /// changed on both sides in different columns is merged; in the same columns it is
    /// recorded as a conflict (`griddesk centre conflicts`, `griddesk centre resolve`) and
    /// neither side is overwritten. Exits non-zero when the centre refuses the station's
    /// schema version.
    Sync {
        #[arg(env = "GRIDDESK_CENTRE")]
        url: String,
        /// The station's SQLite store.
        db: PathBuf,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// The sync conflicts the centre holds, open and settled: rows a station changed that the
    /// centre had changed too, with their base, station and centre versions (canonical row
    /// text), and how each settled one was settled.
    Conflicts {
        #[arg(env = "GRIDDESK_CENTRE")]
        url: String,
        /// One district only.
        #[arg(long)]
        district: Option<String>,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Settle a sync conflict: keep the station's version or the centre's, optionally with
    /// columns set by hand (a merge); the chosen row is written at the centre with an audit
    /// entry naming USER, the conflict is closed, and the row comes down to the station at
    /// its next sync.
    Resolve {
        #[arg(env = "GRIDDESK_CENTRE")]
        url: String,
        /// The conflict's number (`griddesk centre conflicts`).
        conflict_id: i64,
        /// Whose version to keep: `station` or `centre`.
        #[arg(long, value_parser = ["station", "centre"])]
        keep: String,
        /// A column's value instead of the kept version's (`column=value`; `column=` empties
        /// it). May be given more than once.
        #[arg(long = "set", value_name = "COLUMN=VALUE")]
        set: Vec<String>,
        /// The person settling it (the audit entry's login).
        #[arg(long)]
        by: String,
    },
    /// Create the login role of a district's station (or give it a new password, which ends
    /// the old one) and print its connection string: it reads and writes that district only.
    AddStation {
        #[arg(env = "GRIDDESK_CENTRE")]
        url: String,
        /// The district's GB/T 2260 code (6 digits).
        #[arg(long)]
        district: String,
        /// The address stations reach the server at (default: this connection's host;
        /// 127.0.0.1 for a unix socket).
        #[arg(long)]
        host: Option<String>,
    },
    /// What the centre holds, per district (the districts this connection may see).
    Status {
        #[arg(env = "GRIDDESK_CENTRE")]
        url: String,
        /// One district only.
        #[arg(long)]
        district: Option<String>,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(cmd: CentreCmd) -> Result<()> {
    match cmd {
        CentreCmd::Init {
            url,
            sample,
            resources,
        } => {
            let centre = Centre::init(&url)?;
            println!(
                "centre schema version {} at {}",
                centre.schema_version()?,
                centre.target()
            );
            if sample {
                seed_sample(&centre, &resources)?;
            }
        }
        CentreCmd::Load { url, db } => {
            let centre = Centre::open(&url)?;
            // Opened for writing when it can be: the load sets the station's sync base.
            let store = griddesk::store::Store::open(&db)
                .with_context(|| format!("opening the station store {}", db.display()))?;
            let d = station_district(&store, &db)?;
            if centre.districts()?.iter().any(|c| c.code == d.code) {
                bail!(
                    "district {} {} is already in the centre at {}",
                    d.code,
                    d.name,
                    centre.target()
                );
            }
            let pb = crate::spinner("copying the district into the centre");
            let report = copy(&centre, &store, &d.code)?;
            pb.finish_and_clear();
            let rows: u64 = report.tables.iter().map(|(_, n)| n).sum();
            println!(
                "loaded district {} {} from {}: {} rows in {} tables",
                d.code,
                d.name,
                db.display(),
                rows,
                report.tables.len()
            );
            if !report.shared_kept.is_empty() {
                println!(
                    "the centre's own {} kept (the station's not loaded)",
                    report.shared_kept.join(", ")
                );
            }
            if store.is_read_only() {
                println!(
                    "the station's store is read-only: its first `griddesk centre sync` sets its sync base from the centre"
                );
            } else {
                let columns =
                    |t: &str| -> griddesk::Result<Vec<String>> { Ok(centre.table_columns(t)?) };
                let n =
                    griddesk_sync::set_base(&store.db(), &store.db(), d.code.as_str(), &columns)
                        .context("setting the station's sync base")?;
                println!("the station's sync base: {n} rows");
            }
        }
        CentreCmd::Sync { url, db, json } => {
            let centre = Centre::open(&url)?;
            let store = griddesk::store::Store::open(&db)
                .with_context(|| format!("opening the station store {}", db.display()))?;
            if store.is_read_only() {
                bail!(
                    "{}: the station's store is read-only: a sync writes its base",
                    db.display()
                );
            }
            let d = station_district(&store, &db)?;
            let pb = crate::spinner("sending the station's changes to the centre");
            let report = griddesk_sync::sync(&store.db(), &centre, d.code.as_str());
            pb.finish_and_clear();
            let report =
                report.with_context(|| format!("sync of district {} {}", d.code, d.name))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&sync_json(&report))?);
            } else {
                print_sync(&report, &d, &db, &centre);
            }
        }
        CentreCmd::Conflicts {
            url,
            district,
            json,
        } => {
            let only = district
                .as_deref()
                .map(DistrictCode::parse)
                .transpose()
                .context("--district")?;
            let centre = Centre::open(&url)?;
            let all = centre.sync_conflicts(only.as_ref())?;
            if json {
                let rows: Vec<serde_json::Value> = all
                    .iter()
                    .map(|c| {
                        serde_json::json!({
                            "district": c.district,
                            "id": c.id,
                            "batch": c.batch,
                            "raised_at": c.raised_at,
                            "table": c.conflict.table,
                            "key": c.conflict.key,
                            "base": c.conflict.base,
                            "station": c.conflict.station,
                            "centre": c.conflict.centre,
                            "settled": c.settled.as_ref().map(|s| serde_json::json!({
                                "at": s.at, "by": s.by, "choice": s.choice, "row": s.row,
                            })),
                        })
                    })
                    .collect();
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({ "conflicts": rows }))?
                );
            } else {
                let open = all.iter().filter(|c| c.settled.is_none()).count();
                println!(
                    "{} sync conflict(s) at {}: {open} open, {} settled",
                    all.len(),
                    centre.target(),
                    all.len() - open
                );
                let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "(no row)".into());
                for c in &all {
                    let state = match &c.settled {
                        None => "OPEN".to_string(),
                        Some(s) => format!("settled by {} at {}: {}", s.by, s.at, s.choice),
                    };
                    println!(
                        "#{} district {} table {} key {} (batch {}, {}) {state}",
                        c.id, c.district, c.conflict.table, c.conflict.key, c.batch, c.raised_at
                    );
                    println!("  base:    {}", show(&c.conflict.base));
                    println!("  station: {}", show(&c.conflict.station));
                    println!("  centre:  {}", show(&c.conflict.centre));
                }
            }
        }
        CentreCmd::Resolve {
            url,
            conflict_id,
            keep,
            set,
            by,
        } => {
            let by = by.trim();
            if by.is_empty() {
                bail!("--by: the person settling the conflict is needed (their login)");
            }
            let mut columns = Vec::with_capacity(set.len());
            for s in &set {
                let Some((c, v)) = s.split_once('=') else {
                    bail!("--set {s}: expected COLUMN=VALUE");
                };
                let c = c.trim();
                if c.is_empty() {
                    bail!("--set {s}: the column's name is missing");
                }
                columns.push((c.to_string(), (!v.is_empty()).then(|| v.to_string())));
            }
            let centre = Centre::open(&url)?;
            let Some(held) = centre
                .sync_conflicts(None)?
                .into_iter()
                .find(|c| c.id == conflict_id)
            else {
                bail!(
                    "sync conflict {conflict_id} is not at the centre {} (see `griddesk centre conflicts`)",
                    centre.target()
                );
            };
            let code = DistrictCode::parse(&held.district)
                .with_context(|| format!("the district of sync conflict {conflict_id}"))?;
            let settle = griddesk_store_postgres::Settle {
                keep: if keep == "station" {
                    griddesk_store_postgres::Keep::Station
                } else {
                    griddesk_store_postgres::Keep::Centre
                },
                set: columns,
            };
            let done = centre.settle_conflict(&code, conflict_id, &settle, by, None)?;
            let s = done
                .settled
                .as_ref()
                .context("the conflict's settlement was not recorded")?;
            println!(
                "sync conflict #{} of district {} ({} {}) settled by {} at {}: {}",
                done.id,
                done.district,
                done.conflict.table,
                done.conflict.key,
                s.by,
                s.at,
                s.choice
            );
            println!(
                "  row: {}",
                s.row.clone().unwrap_or_else(|| "(no row: deleted)".into())
            );
            println!("the row comes down to the station at its next `griddesk centre sync`");
        }
        CentreCmd::Verify { url, db, json } => {
            let centre = Centre::open(&url)?;
            let store = griddesk::store::Store::open_read_only(&db)
                .with_context(|| format!("opening the station store {}", db.display()))?;
            let d = station_district(&store, &db)?;
            let v = verify(&centre, &store, &d.code)?;
            let differ: Vec<&str> = v
                .iter()
                .filter(|(s, c)| s != c)
                .map(|(s, _)| s.table.as_str())
                .collect();
            let seal = centre.check_district_audit(d.code)?;
            if json {
                let tables: Vec<serde_json::Value> = v
                    .iter()
                    .map(|(s, c)| {
                        serde_json::json!({
                            "table": s.table,
                            "equal": s == c,
                            "station": {"rows": s.rows, "checksum": s.hex()},
                            "centre": {"rows": c.rows, "checksum": c.hex()},
                        })
                    })
                    .collect();
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "district": d.code.as_str(),
                        "equal": differ.is_empty(),
                        "differ": differ,
                        "tables": tables,
                        "audit": {
                            "seals": seal.seals,
                            "breaks": seal.total_breaks,
                            "head": seal.head,
                        },
                    }))?
                );
            } else {
                println!(
                    "district {} {}: station {} vs centre {}",
                    d.code,
                    d.name,
                    db.display(),
                    centre.target()
                );
                for (s, c) in &v {
                    println!(
                        "{:<24} {} station {:>7} rows {}  centre {:>7} rows {}",
                        s.table,
                        if s == c { "equal " } else { "DIFFER" },
                        s.rows,
                        s.hex(),
                        c.rows,
                        c.hex()
                    );
                }
            }
            if !json {
                println!(
                    "the centre's seal chain of district {}: {} seals, {} breaks",
                    d.code, seal.seals, seal.total_breaks
                );
            }
            if !differ.is_empty() {
                bail!(
                    "district {}: {} table(s) differ: {}",
                    d.code,
                    differ.len(),
                    differ.join(", ")
                );
            }
            if !seal.ok() {
                bail!(
                    "district {}: the centre's seal chain has {} break(s)",
                    d.code,
                    seal.total_breaks
                );
            }
            if !json {
                println!("every table equal ({} tables)", v.len());
            }
        }
        CentreCmd::AddStation {
            url,
            district,
            host,
        } => {
            let code =
                DistrictCode::parse(&district).with_context(|| format!("--district {district}"))?;
            let centre = Centre::open(&url)?;
            let c = centre.add_station(&code, host.as_deref())?;
            println!("station role {} for district {}", c.role, c.district);
            println!("password: {}", c.password);
            println!("url: {}", c.url());
        }
        CentreCmd::Status {
            url,
            district,
            json,
        } => {
            let only = district
                .as_deref()
                .map(DistrictCode::parse)
                .transpose()
                .context("--district")?;
            let centre = Centre::open(&url)?;
            let city = centre.load(only.as_ref())?;
            let rows: Vec<serde_json::Value> = city.iter().map(figures).collect();
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "schema_version": centre.schema_version()?,
                        "role": centre.role()?,
                        "districts": rows,
                    }))?
                );
            } else {
                println!(
                    "centre {} (schema {}), as {}: {} district(s)",
                    centre.target(),
                    centre.schema_version()?,
                    centre.role()?,
                    rows.len()
                );
                for r in &rows {
                    println!(
                        "{} {}: {} streets, {} communities, {} unit grids ({} active), {} duty grids, {} components, {} cases ({} open)",
                        r["code"].as_str().unwrap_or_default(),
                        r["name"].as_str().unwrap_or_default(),
                        r["streets"],
                        r["communities"],
                        r["grids"],
                        r["active_grids"],
                        r["duty_grids"],
                        r["components"],
                        r["cases"],
                        r["open_cases"],
                    );
                }
            }
        }
    }
    Ok(())
}

/// One district's counts.
fn figures(s: &Snapshot) -> serde_json::Value {
    let (code, name) = s
        .district
        .as_ref()
        .map(|d| (d.code.as_str().to_string(), d.name.clone()))
        .unwrap_or_default();
    serde_json::json!({
        "code": code,
        "name": name,
        "streets": s.streets.len(),
        "communities": s.communities.len(),
        "grids": s.grids.len(),
        "active_grids": s.grids.iter().filter(|g| g.is_active()).count(),
        "duty_grids": s.duty_grids.len(),
        "components": s.components.len(),
        "cases": s.cases.len(),
        "open_cases": s.cases.iter().filter(|c| c.status.is_open()).count(),
    })
}

/// The shipped sample district, made as a station's first start makes it (in a throwaway
/// store), then copied into the centre — unless the centre already holds that district.
fn seed_sample(centre: &Centre, resources: &Path) -> Result<()> {
    let manifest = resources.join("sample/manifest.json");
    let text = std::fs::read_to_string(&manifest)
        .with_context(|| format!("reading {} (--resources)", manifest.display()))?;
    let m: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{}", manifest.display()))?;
    let code = m["district_code"]
        .as_str()
        .map(DistrictCode::parse)
        .transpose()?
        .with_context(|| format!("{}: no district_code", manifest.display()))?;
    if centre.districts()?.iter().any(|d| d.code == code) {
        println!("sample district {code} is already in the centre");
        return Ok(());
    }
    let dir = std::env::temp_dir().join(format!(
        "griddesk-centre-sample-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    ));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let done = (|| -> Result<()> {
        let db = dir.join("sample.sqlite");
        let pb = crate::spinner("making the sample district");
        drop(Engine::open_or_seed(&db, resources)?);
        let store = griddesk::store::Store::open_read_only(&db)?;
        let snap = store.load()?;
        pb.set_message("copying the sample district into the centre");
        copy(centre, &store, &code)?;
        pb.finish_and_clear();
        let d = figures(&snap);
        println!(
            "sample district {code} loaded: {} unit grids, {} components, {} cases",
            d["grids"], d["components"], d["cases"]
        );
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&dir);
    done
}

/// The district a station's store holds.
fn station_district(store: &griddesk::store::Store, db: &Path) -> Result<District> {
    store
        .load()?
        .district
        .with_context(|| format!("{}: the store has no district yet", db.display()))
}

/// Copies a station's whole district into the centre in one transaction (docs/centre.md,
/// "Loading and verifying a district"): a failure loads nothing.
fn copy(
    centre: &Centre,
    store: &griddesk::store::Store,
    code: &DistrictCode,
) -> Result<LoadReport> {
    Ok(centre.transaction(|w| w.load_district(code, &store.db()))?)
}

/// Every district-owned table's row count and checksum at the station and at the centre,
/// computed alike (`griddesk_store::district_rows`) over the columns the centre keeps.
fn verify(
    centre: &Centre,
    store: &griddesk::store::Store,
    code: &DistrictCode,
) -> Result<Vec<(TableSum, TableSum)>> {
    let columns = |t: &str| -> griddesk::Result<Vec<String>> { Ok(centre.table_columns(t)?) };
    let db = store.db();
    let station = district_sums(&db, code.as_str(), &columns)?;
    let held = district_sums(centre, code.as_str(), &columns)?;
    Ok(station.into_iter().zip(held).collect())
}

/// One batch's part of a sync report.
fn sent_json(s: &griddesk_sync::Sent) -> serde_json::Value {
    serde_json::json!({
        "batch": s.outcome.batch,
        "already_applied": s.outcome.already,
        "changes": s.changes,
        "tables": s.outcome.tables,
        "conflicts": s.outcome.conflicts,
    })
}

/// A sync's report as JSON: `sent` and `resent` are `null` when there was no such batch.
fn sync_json(r: &griddesk_sync::Report) -> serde_json::Value {
    serde_json::json!({
        "district": r.district,
        "base_from_centre": r.base_from_centre,
        "resent": r.resent.as_ref().map(sent_json),
        "sent": r.sent.as_ref().map(sent_json),
        "received": r.received.as_ref().map(|g| serde_json::json!({
            "unchanged": g.unchanged,
            "tables": g.tables,
            "conflicts": g.conflicts,
        })),
    })
}

fn print_sync(r: &griddesk_sync::Report, d: &District, db: &Path, centre: &Centre) {
    println!(
        "district {} {}: station {} up to centre {}",
        d.code,
        d.name,
        db.display(),
        centre.target()
    );
    if r.base_from_centre {
        println!("the station had no sync base: it was set from the centre's rows first");
    }
    let batch = |what: &str, s: &griddesk_sync::Sent| {
        println!(
            "{what} batch {}{}",
            s.outcome.batch,
            if s.outcome.already {
                " (the centre had applied it already: nothing applied again)"
            } else {
                ""
            }
        );
        for (t, c) in &s.outcome.tables {
            println!(
                "  {t:<24} {:>6} inserted {:>6} updated {:>6} deleted {:>6} same {:>4} merged {:>4} conflicts",
                c.inserted, c.updated, c.deleted, c.same, c.merged, c.conflicts
            );
        }
        for c in &s.outcome.conflicts {
            println!("  CONFLICT {} {}", c.table, c.key);
        }
    };
    if let Some(s) = &r.resent {
        batch("sent again: pending", s);
    }
    match &r.sent {
        Some(s) => batch("sent", s),
        None => println!("nothing changed since the last sync"),
    }
    let conflicts: usize = [&r.resent, &r.sent]
        .iter()
        .filter_map(|s| s.as_ref())
        .map(|s| s.outcome.conflicts.len())
        .sum();
    if conflicts > 0 {
        println!("{conflicts} conflict(s) recorded at the centre: see `griddesk centre conflicts`");
    }
    match &r.received {
        Some(g) if g.unchanged => println!("nothing changed at the centre since the last download"),
        Some(g) => {
            println!("came down: {} row(s) written at the station", g.written());
            for (t, c) in g
                .tables
                .iter()
                .filter(|(_, c)| c.inserted + c.updated + c.deleted + c.conflicts > 0)
            {
                println!(
                    "  {t:<24} {:>6} inserted {:>6} updated {:>6} deleted {:>4} kept as the station has them",
                    c.inserted, c.updated, c.deleted, c.conflicts
                );
            }
        }
        None => {}
    }
}
