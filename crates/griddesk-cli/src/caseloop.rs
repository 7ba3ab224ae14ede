//! Case-loop commands: users, departments, routing, cases (intake, actions, lists, queues,
//! historical import), the work calendar, the components register and QR plates, repeats.

use anyhow::{bail, Context, Result};
use chrono::NaiveDateTime;
use clap::{Args, Subcommand};
use griddesk::clock::TimeUnit;
use griddesk::intake::repeats::RepeatParams;
use griddesk::intake::{DuplicateParams, IntakeOutcome, IntakeRequest, OnDuplicate};
use griddesk::model::{CaseKind, CaseSource, CaseStatus, ComponentState};
use griddesk::qr::PlateOptions;
use griddesk::register::{ComponentEdit, NewComponent};
use griddesk::routing::RoutingRule;
use griddesk::users::{Department, NewUser, Role, Session};
use griddesk::workflow::{Action, CaseFilter, PhotoInput, PhotoPhase};
use griddesk::Engine;
use std::path::{Path, PathBuf};

/// Who acts: `--as LOGIN[:ROLE]`, password from `--password` or `GRIDDESK_PASSWORD`.
#[derive(Args, Clone)]
pub struct Actor {
    /// Sign in as LOGIN, or LOGIN:ROLE for a user with several roles.
    #[arg(long = "as", value_name = "LOGIN[:ROLE]")]
    pub as_: Option<String>,
    /// The password (or set GRIDDESK_PASSWORD).
    #[arg(long, env = "GRIDDESK_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
    /// Act as the explicit local administrator — whoever can write the store file — for
    /// administrator work (imports, zones, settings); recorded as `local:<OS user>`. The case
    /// loop still needs a signed-in account.
    #[arg(long, conflicts_with = "as_")]
    pub admin: bool,
}

/// The operating-system user running the command (for the local administrator's record).
pub(crate) fn os_user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into())
}

impl Actor {
    fn session(&self, e: &Engine) -> Result<Option<Session>> {
        if self.admin {
            return Ok(Some(e.local_admin(&os_user())));
        }
        let Some(a) = &self.as_ else { return Ok(None) };
        let (login, role) = match a.split_once(':') {
            Some((l, r)) => (
                l,
                Some(Role::parse(r).with_context(|| format!("unknown role `{r}`"))?),
            ),
            None => (a.as_str(), None),
        };
        let role = match role {
            Some(r) => r,
            None => {
                let users = e.users()?;
                let u = users.iter().find(|u| u.login == login);
                match u.map(|u| u.roles.as_slice()) {
                    Some([r]) => *r,
                    Some(rs) if !rs.is_empty() => bail!(
                        "`{login}` holds several roles ({}); say which: --as {login}:ROLE",
                        rs.iter().map(|r| r.key()).collect::<Vec<_>>().join(", ")
                    ),
                    _ => Role::Inspector,
                }
            }
        };
        let pw = self
            .password
            .as_deref()
            .context("a password is needed: --password or GRIDDESK_PASSWORD")?;
        Ok(Some(e.sign_in(login, pw, role)?))
    }

    pub(crate) fn required(&self, e: &Engine) -> Result<Session> {
        self.session(e)?
            .context("say who acts: --as LOGIN[:ROLE] with --password or GRIDDESK_PASSWORD, or --admin (the local administrator)")
    }
}

fn parse_time(s: &str) -> Result<NaiveDateTime> {
    griddesk::store::parse_datetime(s).map_err(Into::into)
}

fn now_or(t: &Option<String>) -> Result<NaiveDateTime> {
    match t {
        Some(s) => parse_time(s),
        None => Ok(chrono::Local::now().naive_local()),
    }
}

fn json(v: &impl serde::Serialize) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

#[derive(Subcommand)]
pub enum UserCmd {
    /// Add a user (the first user of a store needs no --as; later ones need an administrator).
    Add {
        db: PathBuf,
        #[arg(long)]
        login: String,
        #[arg(long)]
        name: String,
        /// Roles, comma-separated: inspector, receptionist, shift_leader, dispatcher,
        /// department, leader, admin (or 监督员, 受理员, …).
        #[arg(long, value_delimiter = ',', required = true)]
        roles: Vec<String>,
        /// Department code (for a department user).
        #[arg(long)]
        department: Option<String>,
        /// The new user's password (or set GRIDDESK_NEW_PASSWORD).
        #[arg(long, env = "GRIDDESK_NEW_PASSWORD", hide_env_values = true)]
        new_password: String,
        #[command(flatten)]
        actor: Actor,
    },
    /// List users.
    List { db: PathBuf },
    /// Change a password: your own (sign in with --as and the old password), or another
    /// user's as an administrator (a reset). The new password from --new-password or
    /// GRIDDESK_NEW_PASSWORD.
    Passwd {
        db: PathBuf,
        /// Whose password (default: the signed-in user's own).
        login: Option<String>,
        #[arg(long, env = "GRIDDESK_NEW_PASSWORD", hide_env_values = true)]
        new_password: String,
        #[command(flatten)]
        actor: Actor,
    },
    /// Disable an account (administrators): it can no longer sign in or act.
    Disable {
        db: PathBuf,
        login: String,
        #[command(flatten)]
        actor: Actor,
    },
    /// Enable a disabled account again (administrators).
    Enable {
        db: PathBuf,
        login: String,
        #[command(flatten)]
        actor: Actor,
    },
    /// Replace a user's roles (and department) (administrators).
    Roles {
        db: PathBuf,
        login: String,
        /// Roles, comma-separated (as for `user add`).
        #[arg(long, value_delimiter = ',', required = true)]
        roles: Vec<String>,
        #[arg(long)]
        department: Option<String>,
        #[command(flatten)]
        actor: Actor,
    },
}

#[derive(Subcommand)]
pub enum DepartmentCmd {
    /// Add a department.
    Add {
        db: PathBuf,
        code: String,
        name: String,
        #[command(flatten)]
        actor: Actor,
    },
    /// List departments.
    List { db: PathBuf },
}

#[derive(Subcommand)]
pub enum RoutingCmd {
    /// Add a routing rule (omitted fields match anything).
    Add {
        db: PathBuf,
        #[arg(long)]
        department: String,
        #[arg(long)]
        kind: Option<String>,
        /// 2-digit major or 4-digit minor class.
        #[arg(long)]
        class: Option<String>,
        /// A, B or C.
        #[arg(long)]
        area: Option<String>,
        /// 9-digit street code.
        #[arg(long)]
        street: Option<String>,
        #[command(flatten)]
        actor: Actor,
    },
    /// List routing rules.
    List { db: PathBuf },
}

#[derive(Subcommand)]
pub enum CaseCmd {
    /// Take in a new report at a point or on a component; shows duplicates unless told what to do.
    Intake {
        db: PathBuf,
        #[command(flatten)]
        actor: Actor,
        /// patrol, hotline_12319, hotline_12345, public, qr_code, video_ai, media, leader, sensor, other.
        #[arg(long, default_value = "patrol")]
        source: String,
        /// Event or component class (4 digits).
        #[arg(long)]
        class: Option<String>,
        /// A component case on this 16-digit component.
        #[arg(long)]
        component: Option<String>,
        #[arg(long, allow_hyphen_values = true)]
        lon: Option<f64>,
        #[arg(long, allow_hyphen_values = true)]
        lat: Option<f64>,
        #[arg(long)]
        condition: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        address: Option<String>,
        #[arg(long)]
        reporter: Option<String>,
        /// Before photos (JPEG/PNG).
        #[arg(long = "photo")]
        photos: Vec<PathBuf>,
        /// Report time (default: now).
        #[arg(long)]
        at: Option<String>,
        /// Create the case even if duplicates are found.
        #[arg(long)]
        proceed: bool,
        /// Link the report to this open case instead of making a new one.
        #[arg(long)]
        link: Option<String>,
        #[arg(long, default_value_t = 50.0)]
        radius: f64,
        #[arg(long, default_value_t = 168)]
        window_hours: i64,
    },
    /// Take a workflow action on a case (accept, refuse, send_verify, confirm_verified,
    /// verify_not_found, file, request_cancel, approve_cancel, cancel, dispatch, request_return,
    /// approve_return, request_extension, approve_extension, request_hang_up, approve_hang_up,
    /// reject_request, restore, feedback, check_pass, check_fail, close, self_handle, supervise).
    Act {
        db: PathBuf,
        id: String,
        action: String,
        #[command(flatten)]
        actor: Actor,
        #[arg(long)]
        note: Option<String>,
        #[arg(long)]
        reason: Option<String>,
        #[arg(long)]
        department: Option<String>,
        #[arg(long)]
        condition: Option<String>,
        #[arg(long)]
        amount: Option<f64>,
        /// work_hour, urgent_hour, work_day, calendar_day (or 工作时 …).
        #[arg(long)]
        unit: Option<String>,
        /// After photos (feedback, self_handle).
        #[arg(long = "photo")]
        photos: Vec<PathBuf>,
        /// When (default: now).
        #[arg(long)]
        at: Option<String>,
    },
    /// Show a case with its timeline.
    Show {
        db: PathBuf,
        id: String,
        #[arg(long)]
        json: bool,
        #[arg(long)]
        now: Option<String>,
    },
    /// List cases with filters.
    List {
        db: PathBuf,
        #[arg(long, value_delimiter = ',')]
        status: Vec<String>,
        #[arg(long)]
        class: Option<String>,
        #[arg(long, value_delimiter = ',')]
        source: Vec<String>,
        /// A grid code or a prefix (community, street).
        #[arg(long)]
        grid: Option<String>,
        #[arg(long)]
        department: Option<String>,
        /// Only cases past their deadline now.
        #[arg(long)]
        overdue: bool,
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long, default_value_t = 0)]
        offset: usize,
        #[arg(long)]
        now: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The signed-in role's work queue, most urgent first.
    Queue {
        db: PathBuf,
        #[command(flatten)]
        actor: Actor,
        #[arg(long)]
        now: Option<String>,
        #[arg(long, default_value_t = 30)]
        limit: usize,
    },
    /// Open and overdue counts, recomputed for now.
    Clocks {
        db: PathBuf,
        #[arg(long)]
        now: Option<String>,
    },
    /// Import historical cases from CSV (administrators).
    ImportHistory {
        db: PathBuf,
        file: PathBuf,
        #[command(flatten)]
        actor: Actor,
        #[arg(long)]
        valid_only: bool,
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
pub enum CalendarCmd {
    /// Add or replace holidays and adjusted working days from a CSV (date,kind,festival).
    Import {
        db: PathBuf,
        file: PathBuf,
        #[command(flatten)]
        actor: Actor,
    },
    /// Show the office hours and the holiday table.
    Show { db: PathBuf },
    /// The deadline of a limit from a start time (a calculator over the stored calendar).
    Deadline {
        db: PathBuf,
        start: String,
        amount: f64,
        unit: String,
    },
}

#[derive(Subcommand)]
pub enum ComponentCmd {
    /// The next free 16-digit code for a minor class.
    Code { db: PathBuf, class: String },
    /// Register a component (code assigned unless given).
    Add {
        db: PathBuf,
        #[arg(long)]
        class: String,
        #[arg(long, allow_hyphen_values = true)]
        lon: f64,
        #[arg(long, allow_hyphen_values = true)]
        lat: f64,
        #[arg(long)]
        owner: Option<String>,
        #[arg(long)]
        maintainer: Option<String>,
        #[arg(long)]
        code: Option<String>,
        #[command(flatten)]
        actor: Actor,
    },
    /// Edit, move or change the state of a component (recorded in its history).
    Edit {
        db: PathBuf,
        code: String,
        #[arg(long)]
        owner: Option<String>,
        #[arg(long)]
        maintainer: Option<String>,
        /// intact, damaged, missing, occupied (or 完好 …).
        #[arg(long)]
        state: Option<String>,
        #[arg(long, allow_hyphen_values = true, requires = "lat")]
        lon: Option<f64>,
        #[arg(long, allow_hyphen_values = true, requires = "lon")]
        lat: Option<f64>,
        #[arg(long)]
        note: Option<String>,
        #[command(flatten)]
        actor: Actor,
    },
    /// A component's change history.
    History { db: PathBuf, code: String },
    /// Write a component's QR symbol as PNG and print its payload.
    Qr {
        db: PathBuf,
        code: String,
        out: PathBuf,
        #[arg(long, default_value_t = 8)]
        scale: u32,
    },
    /// Write a sheet of QR plates (.pdf, or .png: one file per page, numbered after the first).
    Plates {
        db: PathBuf,
        out: PathBuf,
        /// Component codes; or use --class and --limit.
        codes: Vec<String>,
        #[arg(long)]
        class: Option<String>,
        #[arg(long, default_value_t = 12)]
        limit: usize,
        #[arg(long, default_value_t = 3)]
        columns: u32,
        #[arg(long, default_value_t = 4)]
        rows: u32,
        /// A TTF/OTF font for the text (default: the bundled one).
        #[arg(long)]
        font: Option<PathBuf>,
    },
    /// Read a plate (pasted text or an image file) and show the intake it starts.
    Scan {
        db: PathBuf,
        #[arg(long, conflicts_with = "image")]
        text: Option<String>,
        #[arg(long)]
        image: Option<PathBuf>,
    },
}

/// Find places where the same class recurs among closed cases.
#[derive(Args)]
pub struct RepeatsCmd {
    pub db: PathBuf,
    #[arg(long, default_value_t = 50.0)]
    pub radius: f64,
    #[arg(long, default_value_t = 30)]
    pub days: i64,
    #[arg(long, default_value_t = 3)]
    pub min: usize,
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    #[arg(long)]
    pub json: bool,
}

fn parse_role(s: &str) -> Result<Role> {
    Role::parse(s).with_context(|| format!("unknown role `{s}`"))
}

pub fn user(cmd: UserCmd, open: impl Fn(&Path) -> Result<Engine>) -> Result<()> {
    match cmd {
        UserCmd::Add {
            db,
            login,
            name,
            roles,
            department,
            new_password,
            actor,
        } => {
            let e = open(&db)?;
            let by = actor.session(&e)?;
            let roles = roles
                .iter()
                .map(|r| parse_role(r))
                .collect::<Result<Vec<_>>>()?;
            let u = e.add_user(
                by.as_ref(),
                &NewUser {
                    login,
                    name,
                    password: new_password,
                    roles,
                    department,
                },
            )?;
            println!(
                "added user {} ({})",
                u.login,
                u.roles
                    .iter()
                    .map(|r| r.zh())
                    .collect::<Vec<_>>()
                    .join("、")
            );
        }
        UserCmd::Passwd {
            db,
            login,
            new_password,
            actor,
        } => {
            let e = open(&db)?;
            let by = actor.required(&e)?;
            let login = login.unwrap_or_else(|| by.login.clone());
            e.set_password(&by, &login, &new_password)?;
            println!("password of {login} changed");
        }
        UserCmd::Disable { db, login, actor } => {
            let e = open(&db)?;
            e.set_user_active(&actor.required(&e)?, &login, false)?;
            println!("disabled {login}");
        }
        UserCmd::Enable { db, login, actor } => {
            let e = open(&db)?;
            e.set_user_active(&actor.required(&e)?, &login, true)?;
            println!("enabled {login}");
        }
        UserCmd::Roles {
            db,
            login,
            roles,
            department,
            actor,
        } => {
            let e = open(&db)?;
            let by = actor.required(&e)?;
            let roles = roles
                .iter()
                .map(|r| parse_role(r))
                .collect::<Result<Vec<_>>>()?;
            let u = e.set_user_roles(
                &by,
                &griddesk::users::RoleChange {
                    login,
                    roles,
                    department,
                },
            )?;
            println!(
                "{} now holds {}",
                u.login,
                u.roles
                    .iter()
                    .map(|r| r.zh())
                    .collect::<Vec<_>>()
                    .join("、")
            );
        }
        UserCmd::List { db } => {
            let e = open(&db)?;
            for u in e.users()? {
                println!(
                    "{}\t{}\t{}\t{}{}{}",
                    u.login,
                    u.name,
                    u.roles
                        .iter()
                        .map(|r| r.key())
                        .collect::<Vec<_>>()
                        .join(","),
                    u.department.as_deref().unwrap_or("-"),
                    if u.active { "" } else { "\t(disabled)" },
                    if u.demo { "\t(demo account)" } else { "" }
                );
            }
        }
    }
    Ok(())
}

pub fn department(cmd: DepartmentCmd, open: impl Fn(&Path) -> Result<Engine>) -> Result<()> {
    match cmd {
        DepartmentCmd::Add {
            db,
            code,
            name,
            actor,
        } => {
            let e = open(&db)?;
            let by = actor.session(&e)?;
            e.add_department(
                by.as_ref(),
                &Department {
                    code: code.clone(),
                    name,
                    active: true,
                },
            )?;
            println!("added department {code}");
        }
        DepartmentCmd::List { db } => {
            for d in open(&db)?.departments()? {
                println!(
                    "{}\t{}{}",
                    d.code,
                    d.name,
                    if d.active { "" } else { "\t(disabled)" }
                );
            }
        }
    }
    Ok(())
}

pub fn routing(cmd: RoutingCmd, open: impl Fn(&Path) -> Result<Engine>) -> Result<()> {
    match cmd {
        RoutingCmd::Add {
            db,
            department,
            kind,
            class,
            area,
            street,
            actor,
        } => {
            let e = open(&db)?;
            let by = actor.session(&e)?;
            let rule = RoutingRule {
                id: None,
                kind: kind
                    .as_deref()
                    .map(|k| CaseKind::parse(k).context("kind: event or component"))
                    .transpose()?,
                class_code: class,
                area_class: area
                    .as_deref()
                    .map(|a| griddesk::filing::AreaClass::parse(a).context("area: A, B or C"))
                    .transpose()?,
                street: street
                    .as_deref()
                    .map(griddesk::code::StreetCode::parse)
                    .transpose()?,
                department,
            };
            let id = e.add_routing_rule(by.as_ref(), &rule)?;
            println!("added routing rule {id}");
        }
        RoutingCmd::List { db } => {
            for r in open(&db)?.routing_rules()? {
                let s = |v: Option<String>| v.unwrap_or_else(|| "*".into());
                println!(
                    "{}\t{}\t{}\t{}\t{}\t→ {}",
                    r.id.unwrap_or_default(),
                    s(r.kind.map(|k| k.key().to_string())),
                    s(r.class_code.clone()),
                    s(r.area_class.map(|a| a.key().to_string())),
                    s(r.street.map(|x| x.to_string())),
                    r.department
                );
            }
        }
    }
    Ok(())
}

fn photos(paths: &[PathBuf], phase: PhotoPhase) -> Result<Vec<PhotoInput>> {
    paths
        .iter()
        .map(|p| PhotoInput::from_file(p, phase).map_err(Into::into))
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn build_action(
    action: &str,
    note: Option<String>,
    reason: Option<String>,
    department: Option<String>,
    condition: Option<String>,
    amount: Option<f64>,
    unit: Option<String>,
    photo_files: &[PathBuf],
) -> Result<Action> {
    let reason = || reason.clone().unwrap_or_default();
    let after = || photos(photo_files, PhotoPhase::After);
    Ok(match action {
        "accept" => Action::Accept { note },
        "refuse" => Action::Refuse { reason: reason() },
        "send_verify" => Action::SendVerify { note },
        "confirm_verified" => Action::ConfirmVerified { note },
        "verify_not_found" => Action::VerifyNotFound { reason: reason() },
        "file" => Action::File { condition, note },
        "request_cancel" => Action::RequestCancel { reason: reason() },
        "approve_cancel" => Action::ApproveCancel { note },
        "cancel" => Action::Cancel { reason: reason() },
        "dispatch" => Action::Dispatch {
            department: department.unwrap_or_default(),
            note,
        },
        "request_return" => Action::RequestReturn { reason: reason() },
        "approve_return" => Action::ApproveReturn { note },
        "request_extension" => Action::RequestExtension {
            amount: amount.context("request_extension needs --amount")?,
            unit: TimeUnit::parse(unit.as_deref().unwrap_or("work_hour"))
                .context("unknown --unit")?,
            reason: reason(),
        },
        "approve_extension" => Action::ApproveExtension { amount, note },
        "request_hang_up" => Action::RequestHangUp { reason: reason() },
        "approve_hang_up" => Action::ApproveHangUp { note },
        "reject_request" => Action::RejectRequest { reason: reason() },
        "restore" => Action::Restore { note },
        "feedback" => Action::Feedback {
            note,
            photos: after()?,
        },
        "check_pass" => Action::CheckPass { note },
        "check_fail" => Action::CheckFail { reason: reason() },
        "close" => Action::Close { note },
        "self_handle" => Action::SelfHandle {
            note,
            photos: after()?,
        },
        "supervise" => Action::Supervise {
            note: note.unwrap_or_default(),
        },
        other => bail!("unknown action `{other}` (see `griddesk case act --help`)"),
    })
}

fn fmt_clock(c: &Option<griddesk::clock::ClockState>) -> String {
    match c {
        None => "-".into(),
        Some(k) if k.stopped && k.overdue => format!(
            "stopped (hung), OVERDUE ×{:.2} ({:.1} h over)",
            k.overdue_multiple,
            -(k.remaining_seconds as f64) / 3600.0
        ),
        Some(k) if k.stopped => format!(
            "stopped (hung), {:.1} h left",
            k.remaining_seconds as f64 / 3600.0
        ),
        Some(k) => {
            let h = k.remaining_seconds as f64 / 3600.0;
            let d = k
                .deadline
                .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_default();
            if k.overdue {
                format!("OVERDUE ×{:.2} (due {d})", k.overdue_multiple)
            } else {
                format!("{h:.1} h left (due {d})")
            }
        }
    }
}

pub fn case(cmd: CaseCmd, open: impl Fn(&Path) -> Result<Engine>) -> Result<()> {
    match cmd {
        CaseCmd::Intake {
            db,
            actor,
            source,
            class,
            component,
            lon,
            lat,
            condition,
            description,
            address,
            reporter,
            photos: photo_files,
            at,
            proceed,
            link,
            radius,
            window_hours,
        } => {
            let e = open(&db)?;
            let s = actor.required(&e)?;
            let req = IntakeRequest {
                source: CaseSource::parse(&source)
                    .with_context(|| format!("unknown source `{source}`"))?,
                kind: CaseKind::Event,
                class_code: class,
                condition,
                location: match (lon, lat) {
                    (Some(x), Some(y)) => Some([x, y]),
                    (None, None) => None,
                    _ => bail!("give both --lon and --lat"),
                },
                component,
                description,
                address,
                reporter,
                reporter_phone: None,
                photos: photos(&photo_files, PhotoPhase::Before)?,
                reported_at: now_or(&at)?,
                urgency: None,
            };
            let policy = match (link, proceed) {
                (Some(id), _) => OnDuplicate::LinkTo { case_id: id },
                (None, true) => OnDuplicate::Proceed,
                (None, false) => OnDuplicate::Check,
            };
            let dup = DuplicateParams {
                radius_m: radius,
                window_hours,
            };
            match e.intake(&s, &req, &dup, &policy)? {
                IntakeOutcome::Created { id, placement, .. } => {
                    println!(
                        "created case {id}: grid {} · {} · {} · duty grid {} ({}) · area {} · department {}",
                        placement.grid.map(|g| g.to_string()).unwrap_or_else(|| "-".into()),
                        placement.community_name.as_deref().unwrap_or("-"),
                        placement.street_name.as_deref().unwrap_or("-"),
                        placement.duty_grid.as_deref().unwrap_or("-"),
                        placement.inspector.as_deref().unwrap_or("-"),
                        placement.area_class.key(),
                        placement.department_name.as_deref().or(placement.department.as_deref()).unwrap_or("-"),
                    );
                }
                IntakeOutcome::Linked { original, .. } => {
                    println!("linked the report to case {original} (no new case)")
                }
                IntakeOutcome::DuplicatesFound { candidates } => {
                    eprintln!("possible duplicates (open cases of the same class nearby):");
                    for c in &candidates {
                        eprintln!(
                            "  {}\t{}\t{:.0} m\treported {}",
                            c.id,
                            c.status.zh(),
                            c.distance_m,
                            c.reported_at
                        );
                    }
                    bail!("{} possible duplicate(s): pass --link CASE to link the report, or --proceed to create a case", candidates.len());
                }
            }
        }
        CaseCmd::Act {
            db,
            id,
            action,
            actor,
            note,
            reason,
            department,
            condition,
            amount,
            unit,
            photos: ph,
            at,
        } => {
            let e = open(&db)?;
            let s = actor.required(&e)?;
            let a = build_action(
                &action, note, reason, department, condition, amount, unit, &ph,
            )?;
            let done = e.apply(&id, &s, &a, now_or(&at)?)?;
            println!(
                "{}: {} → {} ({})",
                done.case_id,
                done.from.zh(),
                done.to.zh(),
                done.action.zh()
            );
        }
        CaseCmd::Show {
            db,
            id,
            json: as_json,
            now,
        } => {
            let e = open(&db)?;
            // Whoever holds the file reads all of it; the look is recorded like any other.
            let d = e.case_detail(&id, Some(&e.local_admin(&os_user())), now_or(&now)?)?;
            if as_json {
                return json(&d);
            }
            println!(
                "{}  {} {} {}  [{}]",
                d.id,
                d.kind.zh(),
                d.class_code,
                d.class_name.as_deref().unwrap_or(""),
                d.status.zh()
            );
            println!(
                "  source {} · reported {} · {}",
                d.source.zh(),
                d.reported_at,
                d.description.as_deref().unwrap_or("")
            );
            println!(
                "  grid {} · {} · {} · inspector {} · department {} · area {}",
                d.grid.as_deref().unwrap_or("-"),
                d.community_name.as_deref().unwrap_or("-"),
                d.street_name.as_deref().unwrap_or("-"),
                d.flow.inspector.as_deref().unwrap_or("-"),
                d.department_name.as_deref().unwrap_or("-"),
                d.flow.area_class.key()
            );
            println!(
                "  clock: {} · reworks {} · extensions {} · hang-ups {} · returns {}{}",
                fmt_clock(&d.clock),
                d.flow.rework_count,
                d.flow.extension_count,
                d.flow.hangup_count,
                d.flow.return_count,
                if d.flow.supervised { " · 督办" } else { "" }
            );
            println!("  stages:");
            for r in &d.stages {
                println!(
                    "    {} #{}\t{} → {}\tlimit {}\tdue {}\t{}",
                    r.stage.zh(),
                    r.round,
                    r.started_at,
                    r.ended_at
                        .map(|t| t.to_string())
                        .unwrap_or_else(|| "…".into()),
                    r.limit,
                    r.deadline
                        .map(|t| t.to_string())
                        .unwrap_or_else(|| "(stopped)".into()),
                    match r.on_time {
                        Some(true) => "on time",
                        Some(false) => "LATE",
                        None => "",
                    }
                );
            }
            println!("  timeline:");
            for a in &d.audit {
                println!(
                    "    {}\t{} ({})\t{}\t{} → {}\t{}",
                    a.at,
                    a.actor,
                    a.role,
                    a.action,
                    a.from_status.map(|s| s.zh()).unwrap_or("-"),
                    a.to_status.zh(),
                    a.note.as_deref().unwrap_or("")
                );
            }
            for p in &d.photos {
                println!(
                    "  photo {} ({}, {}×{}, {} bytes)",
                    p.id,
                    p.phase.key(),
                    p.width,
                    p.height,
                    p.size
                );
            }
        }
        CaseCmd::List {
            db,
            status,
            class,
            source,
            grid,
            department,
            overdue,
            limit,
            offset,
            now,
            json: as_json,
        } => {
            let e = open(&db)?;
            let f = CaseFilter {
                status: status
                    .iter()
                    .map(|s| CaseStatus::parse(s).with_context(|| format!("unknown status `{s}`")))
                    .collect::<Result<_>>()?,
                class_code: class,
                source: source
                    .iter()
                    .map(|s| CaseSource::parse(s).with_context(|| format!("unknown source `{s}`")))
                    .collect::<Result<_>>()?,
                grid,
                department,
                overdue: overdue.then_some(true),
                limit,
                offset,
                ..Default::default()
            };
            let page = e.case_list(&e.local_admin(&os_user()), &f, now_or(&now)?)?;
            if as_json {
                return json(&page);
            }
            for r in &page.rows {
                println!(
                    "{}\t{}\t{} {}\t{}\t{}\t{}\t{}",
                    r.id,
                    r.reported_at,
                    r.class_code,
                    r.class_name.as_deref().unwrap_or(""),
                    r.status.zh(),
                    r.source.zh(),
                    r.department.as_deref().unwrap_or("-"),
                    fmt_clock(&r.clock)
                );
            }
            println!(
                "{} of {} cases (from {})",
                page.rows.len(),
                page.total,
                page.offset
            );
        }
        CaseCmd::Queue {
            db,
            actor,
            now,
            limit,
        } => {
            let e = open(&db)?;
            let s = actor.required(&e)?;
            let q = e.queue(&s, now_or(&now)?)?;
            for item in q.iter().take(limit) {
                println!(
                    "{}\t{}\t{} {}\t{}\t{}",
                    item.id,
                    item.status.zh(),
                    item.class_code,
                    item.class_name.as_deref().unwrap_or(""),
                    item.actions
                        .iter()
                        .map(|a| a.key())
                        .collect::<Vec<_>>()
                        .join(","),
                    fmt_clock(&item.clock)
                );
            }
            println!("{} case(s) waiting for {} {}", q.len(), s.name, s.role.zh());
        }
        CaseCmd::Clocks { db, now } => {
            let e = open(&db)?;
            let now = now_or(&now)?;
            let t = std::time::Instant::now();
            let clocks = e.case_clocks(now)?;
            let ms = t.elapsed().as_secs_f64() * 1e3;
            let overdue = clocks
                .iter()
                .filter(|c| c.clock.is_some_and(|k| k.overdue))
                .count();
            let stopped = clocks
                .iter()
                .filter(|c| c.clock.is_some_and(|k| k.stopped))
                .count();
            println!("{} open cases at {now}: {overdue} overdue, {stopped} hung (recomputed in {ms:.1} ms)", clocks.len());
        }
        CaseCmd::ImportHistory {
            db,
            file,
            actor,
            valid_only,
            dry_run,
        } => {
            let e = open(&db)?;
            let s = actor.required(&e)?;
            let pb = indicatif::ProgressBar::new(0);
            let r = e.import_history(
                &s,
                &file,
                griddesk::io::ImportOptions {
                    valid_only,
                    dry_run,
                },
                &mut |done, total| {
                    pb.set_length(total as u64);
                    pb.set_position(done as u64);
                },
            );
            pb.finish_and_clear();
            let r = r?;
            crate::zones::print_rejects(&r.rejects);
            println!(
                "{} {} historical cases from {} ({} rejected, {} without a grid)",
                if r.dry_run {
                    "would import"
                } else {
                    "imported"
                },
                r.imported,
                r.file,
                r.rejects.total(),
                r.unlocated
            );
        }
    }
    Ok(())
}

pub fn calendar(cmd: CalendarCmd, open: impl Fn(&Path) -> Result<Engine>) -> Result<()> {
    match cmd {
        CalendarCmd::Import { db, file, actor } => {
            let e = open(&db)?;
            let s = actor.required(&e)?;
            let n = e.import_calendar(&s, &file)?;
            println!(
                "{n} calendar days added or replaced from {}",
                file.display()
            );
        }
        CalendarCmd::Show { db } => {
            let cal = open(&db)?.calendar()?;
            println!(
                "office hours {} ({} h a working day)",
                griddesk::clock::calendar::format_office_hours(cal.periods()),
                cal.day_seconds() as f64 / 3600.0
            );
            for d in cal.days() {
                println!("{}\t{}\t{}", d.date, d.kind.key(), d.note);
            }
        }
        CalendarCmd::Deadline {
            db,
            start,
            amount,
            unit,
        } => {
            let cal = open(&db)?.calendar()?;
            let unit = TimeUnit::parse(&unit).with_context(|| format!("unknown unit `{unit}`"))?;
            let limit = griddesk::clock::TimeLimit::new(amount, unit)?;
            println!("{}", cal.deadline(parse_time(&start)?, limit));
        }
    }
    Ok(())
}

pub fn component(cmd: ComponentCmd, open: impl Fn(&Path) -> Result<Engine>) -> Result<()> {
    let now = chrono::Local::now().naive_local();
    match cmd {
        ComponentCmd::Code { db, class } => println!("{}", open(&db)?.next_component_code(&class)?),
        ComponentCmd::Add {
            db,
            class,
            lon,
            lat,
            owner,
            maintainer,
            code,
            actor,
        } => {
            let e = open(&db)?;
            let s = actor.required(&e)?;
            let c = e.create_component(
                &s,
                &NewComponent {
                    class_code: class,
                    location: [lon, lat],
                    owner,
                    maintainer,
                    state: ComponentState::Intact,
                    code,
                    note: None,
                },
                now,
            )?;
            println!(
                "registered {} {} in grid {}",
                c.code,
                c.class_name.as_deref().unwrap_or(""),
                c.grid.as_deref().unwrap_or("-")
            );
        }
        ComponentCmd::Edit {
            db,
            code,
            owner,
            maintainer,
            state,
            lon,
            lat,
            note,
            actor,
        } => {
            let e = open(&db)?;
            let s = actor.required(&e)?;
            let edit = ComponentEdit {
                owner: owner.map(Some),
                maintainer: maintainer.map(Some),
                state: state
                    .as_deref()
                    .map(|x| {
                        ComponentState::parse(x).with_context(|| format!("unknown state `{x}`"))
                    })
                    .transpose()?,
                location: lon.zip(lat).map(|(x, y)| [x, y]),
                note,
                expected: None,
            };
            let c = e.edit_component(&s, &code, &edit, now)?;
            println!(
                "{} {} {} at {:.6}, {:.6}",
                c.code,
                c.class_name.as_deref().unwrap_or(""),
                c.state.zh(),
                c.location[0],
                c.location[1]
            );
        }
        ComponentCmd::History { db, code } => {
            for h in open(&db)?.component_history(&code)? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    h.at,
                    h.actor,
                    h.role.map_or("-", |r| r.zh()),
                    h.action,
                    h.note.as_deref().unwrap_or("")
                );
            }
        }
        ComponentCmd::Qr {
            db,
            code,
            out,
            scale,
        } => {
            let e = open(&db)?;
            std::fs::write(&out, e.component_qr_png(&code, scale)?)
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!("{}", e.component_payload(&code)?);
        }
        ComponentCmd::Plates {
            db,
            out,
            codes,
            class,
            limit,
            columns,
            rows,
            font,
        } => {
            let e = open(&db)?;
            let codes: Vec<String> = if codes.is_empty() {
                let l = e.loaded();
                l.index
                    .components
                    .iter()
                    .filter(|c| class.as_deref().is_none_or(|k| c.class_code.as_str() == k))
                    .take(limit)
                    .map(|c| c.code.to_string())
                    .collect()
            } else {
                codes
            };
            let opts = PlateOptions {
                columns,
                rows,
                font,
                ..Default::default()
            };
            let is_pdf = out
                .extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("pdf"));
            if is_pdf {
                std::fs::write(&out, e.plate_sheet_pdf(&codes, &opts)?)
                    .with_context(|| format!("cannot write {}", out.display()))?;
                println!("wrote {} plates to {}", codes.len(), out.display());
            } else {
                let pages = e.plate_sheet_png(&codes, &opts)?;
                for (i, p) in pages.iter().enumerate() {
                    let path = if i == 0 {
                        out.clone()
                    } else {
                        let stem = out
                            .file_stem()
                            .map(|s| s.to_string_lossy().into_owned())
                            .unwrap_or_default();
                        out.with_file_name(format!("{stem}-{}.png", i + 1))
                    };
                    std::fs::write(&path, p)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                }
                println!(
                    "wrote {} plates on {} page(s) to {}",
                    codes.len(),
                    pages.len(),
                    out.display()
                );
            }
        }
        ComponentCmd::Scan { db, text, image } => {
            let e = open(&db)?;
            let s = match (text, image) {
                (Some(t), _) => e.scan_text(&t, now)?,
                (None, Some(p)) => e.scan_image(
                    &std::fs::read(&p).with_context(|| format!("cannot read {}", p.display()))?,
                    now,
                )?,
                (None, None) => bail!("give --text PAYLOAD or --image FILE"),
            };
            json(&s)?;
        }
    }
    Ok(())
}

pub fn repeats(cmd: RepeatsCmd, open: impl Fn(&Path) -> Result<Engine>) -> Result<()> {
    let e = open(&cmd.db)?;
    let places = e.find_repeats(&RepeatParams {
        radius_m: cmd.radius,
        window_days: cmd.days,
        min_cases: cmd.min,
        limit: cmd.limit,
        ..Default::default()
    });
    if cmd.json {
        return json(&places);
    }
    for p in &places {
        println!(
            "{}×\t{} {}\t{:.6},{:.6}\tgrid {}\t{} … {}",
            p.count,
            p.class_code,
            p.class_name.as_deref().unwrap_or(""),
            p.center[0],
            p.center[1],
            p.grid.as_deref().unwrap_or("-"),
            p.first,
            p.last
        );
    }
    println!("{} places where the same problem recurs", places.len());
    Ok(())
}
