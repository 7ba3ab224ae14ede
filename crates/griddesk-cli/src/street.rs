//! `griddesk street …`: the street registers (docs/registers.md) from the command line — import
//! and search the service-object register, write its template, send a notice and export its
//! list, look up vendors, and the move-car figures of a year.

use crate::caseloop::Actor;
use anyhow::{bail, Context, Result};
use clap::Subcommand;
use griddesk::street::registers::{ObjectQuery, Target, TargetKind};
use griddesk::street::NoticeDraft;
use griddesk::Engine;
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum StreetCmd {
    /// Import service objects from a CSV or XLSX file (refused whole when any row is bad; every
    /// reject listed by line and column).
    Import {
        db: PathBuf,
        #[command(flatten)]
        actor: Actor,
        file: PathBuf,
        /// Check and list rejects, write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write the register's import template (.csv or .xlsx by extension).
    Template { db: PathBuf, file: PathBuf },
    /// Search the register: words in name, address, credit code, licence or sub-class.
    Search {
        db: PathBuf,
        #[command(flatten)]
        actor: Actor,
        #[arg(default_value = "")]
        text: String,
        /// GB/T 4754 section letter.
        #[arg(long)]
        section: Option<String>,
        /// A grid, community or street code.
        #[arg(long)]
        area: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Send a notice to every operating object of a target, and optionally export its list.
    Notice {
        db: PathBuf,
        #[command(flatten)]
        actor: Actor,
        title: String,
        /// The text, with {名称} {地址} {负责人} {联系人} {网格} {日期}.
        text: String,
        /// object, section, subclass, grid, community or street.
        #[arg(long)]
        to: String,
        /// The object id, section letter, sub-class code or area code.
        #[arg(long)]
        key: String,
        /// Write the recipient list for the SMS platform here (.csv or .xlsx; administrators).
        #[arg(long)]
        export: Option<PathBuf>,
    },
    /// Vendors whose name, phone or trade contains TEXT, with their colour.
    Vendors {
        db: PathBuf,
        #[command(flatten)]
        actor: Actor,
        #[arg(default_value = "")]
        text: String,
    },
    /// Move-car reminders of a year by month.
    MoveCar {
        db: PathBuf,
        #[command(flatten)]
        actor: Actor,
        year: i32,
    },
}

fn open(db: &Path) -> Result<Engine> {
    Engine::open(db).with_context(|| format!("cannot open store {}", db.display()))
}

pub fn run(cmd: StreetCmd) -> Result<()> {
    match cmd {
        StreetCmd::Import {
            db,
            actor,
            file,
            dry_run,
        } => {
            let e = open(&db)?;
            let s = actor.required(&e)?;
            let r = e.import_objects(&s, &file, dry_run)?;
            crate::zones::print_rejects(&r.rejects);
            if !r.rejects.is_empty() {
                bail!(
                    "{} row(s) refused; nothing was imported from {}",
                    r.rejects.total(),
                    file.display()
                );
            }
            if dry_run {
                println!("{} row(s) would be imported", r.valid);
            } else {
                println!("imported {} service objects", r.imported);
            }
        }
        StreetCmd::Template { db, file } => {
            open(&db)?.write_register_template(&file)?;
            println!("wrote {}", file.display());
        }
        StreetCmd::Search {
            db,
            actor,
            text,
            section,
            area,
            limit,
            json,
        } => {
            let e = open(&db)?;
            let s = actor.required(&e)?;
            let q = ObjectQuery {
                text,
                section,
                area,
                limit: Some(limit),
                ..Default::default()
            };
            let page = e.search_objects(&s, &q)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&page)?);
            } else {
                for r in &page.rows {
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{}",
                        r.id,
                        r.name,
                        r.address,
                        r.grid.as_deref().unwrap_or("-"),
                        r.subclass_name.as_deref().unwrap_or("-"),
                        r.status.zh()
                    );
                }
                eprintln!("{} of {} shown", page.rows.len(), page.total);
            }
        }
        StreetCmd::Notice {
            db,
            actor,
            title,
            text,
            to,
            key,
            export,
        } => {
            let e = open(&db)?;
            let s = actor.required(&e)?;
            let kind = TargetKind::parse(&to).with_context(|| {
                format!(
                    "unknown target `{to}` (object, section, subclass, grid, community, street)"
                )
            })?;
            let n = e.send_notice(
                &s,
                &NoticeDraft {
                    title,
                    template: text,
                    target: Some(Target { kind, key }),
                    channel: String::new(),
                },
            )?;
            println!("notice {} sent to {} objects", n.id, n.recipients);
            if let Some(p) = export {
                let rows = e.export_notice(&s, n.id, &p)?;
                println!("wrote {rows} recipients to {}", p.display());
            }
        }
        StreetCmd::Vendors { db, actor, text } => {
            let e = open(&db)?;
            let s = actor.required(&e)?;
            for v in e.vendors(&s, &text)? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{} refused",
                    v.id,
                    v.name,
                    v.phone.as_deref().unwrap_or("-"),
                    v.trade,
                    v.colour.zh(),
                    v.refusals
                );
            }
        }
        StreetCmd::MoveCar { db, actor, year } => {
            let e = open(&db)?;
            let s = actor.required(&e)?;
            let y = e.move_car_year(&s, year)?;
            println!("month\treminders\tmoved\tticketed\tno response\tmoved rate");
            for m in y.months.iter().chain(std::iter::once(&y.total)) {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{:.1} %",
                    m.month,
                    m.reminders,
                    m.moved,
                    m.ticketed,
                    m.no_response,
                    m.moved_rate * 100.0
                );
            }
        }
    }
    Ok(())
}
