//! `griddesk setup`: a real district's first day without the window (docs/setup.md) — the
//! bundled county outlines, a new district's store with its first administrator, the setup
//! checklist, grids proposed for every community, import templates.

use crate::caseloop::Actor;
use anyhow::{bail, Context, Result};
use clap::Subcommand;
use griddesk::io::{Dataset, TemplateFormat};
use griddesk::planning::history::EditMeta;
use griddesk::planning::propose::ProposalOptions;
use griddesk::setup::{NewDistrict, OutlineSource};
use griddesk::users::{NewUser, Role};
use griddesk::Engine;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum SetupCmd {
    /// Find county-level divisions in the bundled outlines (name, "province city name", or a
    /// code prefix).
    Counties {
        query: String,
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long, default_value = "resources")]
        resources: PathBuf,
    },
    /// Create the store of a real district: code tables, the outline, the national calendar
    /// and time limits, and the first administrator (password from --password or
    /// GRIDDESK_PASSWORD). The file must not exist.
    New {
        db: PathBuf,
        /// 6-digit GB/T 2260 code, e.g. 331004.
        #[arg(long)]
        district: String,
        /// A GeoJSON file holding the outline (default: the bundled outlines).
        #[arg(long)]
        outline: Option<PathBuf>,
        /// The first administrator's login.
        #[arg(long = "admin-login")]
        admin_login: String,
        /// The first administrator's name.
        #[arg(long = "admin-name", default_value = "系统管理员")]
        admin_name: String,
        #[arg(long, env = "GRIDDESK_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        #[arg(long, default_value = "resources")]
        resources: PathBuf,
    },
    /// The setup checklist: each step, done or not, with its figures.
    Status {
        db: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Propose unit grids for every community without grids (a dry run unless --apply, which
    /// accepts them as one undoable edit).
    ProposeAll {
        db: PathBuf,
        /// Target grid area, m² (default: the store's setting, 10 000).
        #[arg(long)]
        target_area: Option<f64>,
        #[arg(long)]
        apply: bool,
        #[command(flatten)]
        actor: Actor,
    },
    /// Write the import template of a dataset (CSV or XLSX by the file's extension) with
    /// Chinese headers and one example row.
    Template {
        /// streets, communities, grids, duty-grids, components or cases.
        dataset: Dataset,
        out: PathBuf,
    },
}

pub fn run(cmd: SetupCmd) -> Result<()> {
    match cmd {
        SetupCmd::Counties {
            query,
            limit,
            resources,
        } => {
            let all = griddesk::io::outlines::county_catalogue(
                &resources.join(griddesk::io::outlines::COUNTIES_FILE),
            )?;
            for c in griddesk::io::outlines::search_counties(&all, &query, limit) {
                println!(
                    "{}\t{}\t{}\t{}",
                    c.code,
                    c.name,
                    c.province,
                    c.city.as_deref().unwrap_or("")
                );
            }
        }
        SetupCmd::New {
            db,
            district,
            outline,
            admin_login,
            admin_name,
            password,
            resources,
        } => {
            let password = password.context(
                "the first administrator needs a password: --password or GRIDDESK_PASSWORD",
            )?;
            let nd = NewDistrict {
                code: district,
                outline: match outline {
                    Some(p) => OutlineSource::File {
                        path: p.display().to_string(),
                    },
                    None => OutlineSource::Bundled,
                },
                admin: NewUser {
                    login: admin_login,
                    name: admin_name,
                    password,
                    roles: vec![Role::Admin],
                    department: None,
                },
            };
            let (e, s) = Engine::create_district(&db, &resources, &nd)?;
            let o = e.overview();
            println!(
                "created {}: {} {} (administrator {})",
                db.display(),
                o.district_name.unwrap_or_default(),
                o.district_code.unwrap_or_default(),
                s.login
            );
        }
        SetupCmd::Status { db, json } => {
            let e = super::open(&db)?;
            let s = e.setup_status()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&s)?);
            } else {
                for step in &s.steps {
                    let figs: Vec<String> = step
                        .figures
                        .iter()
                        .map(|f| {
                            format!(
                                "{}{}={}",
                                if f.problem { "!" } else { "" },
                                serde_json::to_value(f.key)
                                    .ok()
                                    .and_then(|v| v.as_str().map(str::to_string))
                                    .unwrap_or_default(),
                                (f.value * 100.0).round() / 100.0
                            )
                        })
                        .collect();
                    let key = serde_json::to_value(step.key)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default();
                    println!(
                        "{} {key:<12} {}",
                        if step.done { "done" } else { "todo" },
                        figs.join("  ")
                    );
                }
                if !s.done {
                    std::process::exit(1);
                }
            }
        }
        SetupCmd::ProposeAll {
            db,
            target_area,
            apply,
            actor,
        } => {
            let e = super::open(&db)?;
            let opts = ProposalOptions {
                target_area_m2: target_area,
                ..ProposalOptions::default()
            };
            let p = e.propose_district(None, &opts)?;
            for c in &p.communities {
                println!(
                    "{} {}\t{} grids, mean {:.0} m², area cv {:.2}",
                    c.code, c.name, c.balance.grids, c.balance.mean_area_m2, c.balance.area_cv
                );
            }
            println!(
                "{} communities, {} grids, {} errors, {} warnings",
                p.communities.len(),
                p.grids,
                p.errors.len(),
                p.warnings
            );
            if !p.errors.is_empty() {
                for x in &p.errors {
                    eprintln!("error: {}", x.message);
                }
                bail!("the proposal has errors; nothing written");
            }
            if apply {
                let s = actor.required(&e)?;
                let a = e.accept_district_proposal(&s, p.token, &EditMeta::default())?;
                println!(
                    "accepted as edit #{}: {} grids created",
                    a.edit.id,
                    a.edit.effect.created.len()
                );
            }
        }
        SetupCmd::Template { dataset, out } => {
            let format = TemplateFormat::from_path(&out)
                .with_context(|| format!("{}: the template is .csv or .xlsx", out.display()))?;
            griddesk::io::write_template(dataset, format, &out)?;
            println!("wrote {}", out.display());
        }
    }
    Ok(())
}
