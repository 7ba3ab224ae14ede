//! Engine errors. Every variant says what went wrong and where (file, line, feature, field).

use crate::message::{thing, EditOp, IoKind, Message, MessageCode, Reason};
use serde::Serialize;
use std::path::PathBuf;

/// Result with the engine's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A stable, machine-readable category for an [`Error`], so that callers (the CLI, the desktop UI)
/// branch on a kind and never on message text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// The store file does not exist.
    StoreNotFound,
    /// The store file is not a GridDesk SQLite database, or it is damaged.
    StoreCorrupt,
    /// The store was written by a newer GridDesk.
    StoreTooNew,
    /// Another process holds a lock on the store.
    StoreLocked,
    /// The store is open read-only (asked for, or on read-only media): nothing can change.
    StoreReadOnly,
    /// The store's first start did not finish (a half-seeded store).
    StoreIncomplete,
    /// Any other I/O or SQLite failure.
    Storage,
    /// A user-supplied value is invalid (bad code, bad geometry, missing field…).
    InvalidInput,
    /// The thing asked for does not exist.
    NotFound,
    /// A tile address is outside the valid range.
    BadTile,
    /// The operation conflicts with existing data (duplicate code…).
    Conflict,
    /// A workflow rule refused the action (role, status, missing input…); nothing changed.
    Refused,
    /// Sign-in failed (wrong login or password, disabled account, role not held).
    SignInRefused,
    /// A grid edit breaks a topology rule; the error carries every problem with its geometry.
    TopologyRefused,
    /// The signed-in user's role may not do this (e.g. edit grids without the planner role).
    NotPermitted,
}

/// Where a bad value was found in an input file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    /// File name as given by the user.
    pub file: String,
    /// 1-based line (CSV), 0-based feature index (GeoJSON) or record number (Shapefile,
    /// GeoPackage).
    pub position: Position,
    /// Field or property, if the problem is in one field.
    pub field: Option<String>,
}

/// Position of a record within a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    /// Whole file.
    File,
    /// 1-based line number (CSV rows, JSON syntax errors).
    Line(u64),
    /// 0-based index in a GeoJSON FeatureCollection.
    Feature(usize),
    /// 1-based record number in a Shapefile, or feature id (`fid`) in a GeoPackage table.
    Record(u64),
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        match self.position {
            Position::File => {}
            Position::Line(l) => write!(f, ", line {l}")?,
            Position::Feature(i) => write!(f, ", feature {i}")?,
            Position::Record(i) => write!(f, ", record {i}")?,
        }
        if let Some(field) = &self.field {
            write!(f, ", field `{field}`")?;
        }
        Ok(())
    }
}

/// Errors raised by the engine. Each says what went wrong in English (`Display`: logs, the CLI)
/// and as a [`Message`] ([`Error::message`]: code and parameters the UI shows in the user's
/// language).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("store not found: {0}")]
    StoreNotFound(PathBuf),
    #[error("{path} is not a GridDesk store or is damaged: {reason}")]
    StoreCorrupt { path: PathBuf, reason: String },
    #[error("{path} was written by a newer GridDesk (schema version {found}, this build supports up to {supported})")]
    StoreTooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("{path} is locked by another process")]
    StoreLocked { path: PathBuf },
    #[error("{path} is open read-only: nothing can be changed")]
    StoreReadOnly { path: PathBuf },
    #[error("{path}: the store's setup did not finish ({reason}); create it again")]
    StoreIncomplete { path: PathBuf, reason: String },
    /// A failure of the store's database (SQLite, PostgreSQL), as its driver said it.
    #[error("database error: {0}")]
    Sql(String),
    #[error("I/O error on {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid code `{code}`: {reason}")]
    InvalidCode { code: String, reason: Reason },
    #[error("{location}: {message}")]
    Input { location: Location, message: Reason },
    #[error("{count} error(s) in {file}; nothing was imported (first: {first})")]
    ImportRejected {
        file: String,
        count: usize,
        first: Box<Reject>,
    },
    /// A value a person gave (or a file holds) is not acceptable.
    #[error("invalid value: {0}")]
    Invalid(Reason),
    /// A fault inside the program: stored data that cannot be read back, an encoder that
    /// failed. The UI says "internal error"; the text is for the log.
    #[error("invalid value: {0}")]
    Internal(String),
    #[error("{what} `{key}` not found")]
    NotFound { what: &'static str, key: String },
    #[error("{what} `{key}` already exists")]
    Duplicate { what: &'static str, key: String },
    #[error("bad tile address z={z} x={x} y={y}: {reason}")]
    BadTile {
        z: u32,
        x: u32,
        y: u32,
        reason: &'static str,
    },
    #[error("geometry error: {0}")]
    Geometry(String),
    #[error("case `{case}`: {refusal}")]
    Refused {
        case: String,
        refusal: crate::flow::Refusal,
    },
    #[error("sign-in refused: {0}")]
    SignIn(crate::users::SignInRefusal),
    #[error("unit grid {grid} already belongs to zone `{zone}` of layer `{layer}`")]
    ZoneConflict {
        layer: String,
        grid: String,
        zone: String,
    },
    #[error("cannot {op}: {reason}")]
    Edit { op: EditOp, reason: Reason },
    #[error("edit refused: {}", .0.summary())]
    TopologyRefused(Box<crate::topology::GuardReport>),
    #[error("{0}")]
    PlanConflict(Reason),
    /// An edit made on values someone else changed since they were read (docs/trust.md,
    /// "Stale edits").
    #[error("{} {key} was changed by someone else after you opened it: reopen it and edit again", thing.key())]
    ChangedSince {
        thing: crate::message::Thing,
        key: String,
    },
    #[error("user `{login}` signed in as {} may not {}; {}", role.zh(), what.en(), what.who())]
    NotPermitted {
        login: String,
        role: crate::users::Role,
        what: Permission,
    },
}

/// What a [`Error::NotPermitted`] refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Editing unit grids or responsibility zones, their people, units and road lines, and
    /// the planning settings (网格规划员 and 系统管理员 only).
    EditPlanning,
    /// Changing the evaluation's weights, bands and grades (系统管理员 only).
    ConfigureEvaluation,
    /// Importing cases (系统管理员 only: they carry people's reports).
    ImportCases,
    /// Backing up the store (系统管理员 only: the copy holds everyone's data).
    Backup,
    /// Importing boundaries, grids, duty grids, components or the district outline (网格规划员
    /// and 系统管理员).
    ImportData,
    /// Reading the audit log (系统管理员 and 领导).
    ReadAudit,
    /// Seeing reporters' and people's names and phone numbers in full (the desk roles that
    /// call them back, 系统管理员 and 领导).
    ReadPersonalData,
    /// Editing the street registers: service objects, vendors and their warnings, notices,
    /// move-car reminders (the desk roles, 监督员 and 系统管理员).
    EditRegisters,
    /// Exporting personal data (phones, ID numbers) from the registers (系统管理员 only).
    ExportPersonalData,
    /// Installing and removing basemaps (网格规划员 and 系统管理员).
    ManageBasemaps,
    /// Reading patrol tracks (巡查轨迹): an inspector their own, 值班长, 派遣员, 领导 and
    /// 系统管理员 anyone's.
    ReadTracks,
    /// Syncing the station with the city centre and settling sync conflicts (系统管理员 only:
    /// a sync sends and receives the whole district's rows; docs/centre.md, "Sync").
    SyncWithCentre,
}

impl Permission {
    /// The English words of the refusal (`may not {en}`).
    pub fn en(self) -> &'static str {
        match self {
            Permission::EditPlanning => "edit unit grids or responsibility zones",
            Permission::ConfigureEvaluation => "change the evaluation's weights, bands or grades",
            Permission::ImportCases => "import cases",
            Permission::Backup => "back up the store",
            Permission::ImportData => {
                "import boundaries, grids, duty grids, components or the district outline"
            }
            Permission::ReadAudit => "read the audit log",
            Permission::ReadPersonalData => "see personal data in full",
            Permission::EditRegisters => "edit the street registers",
            Permission::ExportPersonalData => "export personal data",
            Permission::ManageBasemaps => "install or remove basemaps",
            Permission::ReadTracks => "read this inspector's patrol track",
            Permission::SyncWithCentre => "sync with the city centre or settle sync conflicts",
        }
    }
    /// Who may, in English.
    pub fn who(self) -> &'static str {
        match self {
            Permission::EditPlanning => {
                "grid planning is for 网格规划员 (planner) and 系统管理员 (admin) accounts"
            }
            Permission::ConfigureEvaluation | Permission::ImportCases | Permission::Backup => {
                "only 系统管理员 (admin) accounts may"
            }
            Permission::ImportData => {
                "imports are for 网格规划员 (planner) and 系统管理员 (admin) accounts"
            }
            Permission::ReadAudit => "only 系统管理员 (admin) and 领导 (leader) accounts may",
            Permission::ReadPersonalData => {
                "only the desk roles that contact people, 系统管理员 and 领导 may"
            }
            Permission::EditRegisters => {
                "the registers are kept by 受理员, 值班长, 派遣员, 监督员 and 系统管理员"
            }
            Permission::ExportPersonalData => "only 系统管理员 (admin) accounts may",
            Permission::ManageBasemaps => "basemaps are installed by 网格规划员 and 系统管理员",
            Permission::ReadTracks => {
                "an inspector reads their own track; 值班长, 派遣员, 领导 and 系统管理员 anyone's"
            }
            Permission::SyncWithCentre => "only 系统管理员 (admin) accounts may",
        }
    }
    fn code(self) -> MessageCode {
        match self {
            Permission::EditPlanning => MessageCode::NotPermittedPlanning,
            Permission::ConfigureEvaluation => MessageCode::NotPermittedEvaluation,
            Permission::ImportCases => MessageCode::NotPermittedImportCases,
            Permission::Backup => MessageCode::NotPermittedBackup,
            Permission::ImportData => MessageCode::NotPermittedImport,
            Permission::ReadAudit => MessageCode::NotPermittedAudit,
            Permission::ReadPersonalData => MessageCode::NotPermittedPersonalData,
            Permission::EditRegisters => MessageCode::NotPermittedRegisters,
            Permission::ExportPersonalData => MessageCode::NotPermittedExportPersonal,
            Permission::ManageBasemaps => MessageCode::NotPermittedBasemaps,
            Permission::ReadTracks => MessageCode::NotPermittedTracks,
            Permission::SyncWithCentre => MessageCode::NotPermittedSync,
        }
    }
}

impl Location {
    /// Where, as a message (`at-line`, `at-feature-field`, …).
    pub fn message(&self) -> Message {
        use MessageCode as C;
        let f = self.field.is_some();
        let m = match self.position {
            Position::File => Message::new(if f { C::AtFileField } else { C::AtFile }),
            Position::Line(l) => {
                Message::new(if f { C::AtLineField } else { C::AtLine }).int("line", l)
            }
            Position::Feature(i) => {
                Message::new(if f { C::AtFeatureField } else { C::AtFeature }).int("feature", i)
            }
            Position::Record(i) => {
                Message::new(if f { C::AtRecordField } else { C::AtRecord }).int("record", i)
            }
        };
        let m = m.text("file", &self.file);
        match &self.field {
            Some(field) => m.text("field", field),
            None => m,
        }
    }
}

impl Error {
    /// The stable category of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::StoreNotFound(_) => ErrorKind::StoreNotFound,
            Error::StoreCorrupt { .. } => ErrorKind::StoreCorrupt,
            Error::StoreTooNew { .. } => ErrorKind::StoreTooNew,
            Error::StoreLocked { .. } => ErrorKind::StoreLocked,
            Error::StoreReadOnly { .. } => ErrorKind::StoreReadOnly,
            Error::StoreIncomplete { .. } => ErrorKind::StoreIncomplete,
            Error::Sql(_) | Error::Io { .. } => ErrorKind::Storage,
            Error::InvalidCode { .. }
            | Error::Input { .. }
            | Error::ImportRejected { .. }
            | Error::Invalid(_)
            | Error::Internal(_)
            | Error::Geometry(_)
            | Error::Edit { .. } => ErrorKind::InvalidInput,
            Error::TopologyRefused(_) => ErrorKind::TopologyRefused,
            Error::PlanConflict(_) | Error::ChangedSince { .. } => ErrorKind::Conflict,
            Error::NotFound { .. } => ErrorKind::NotFound,
            Error::Duplicate { .. } | Error::ZoneConflict { .. } => ErrorKind::Conflict,
            Error::BadTile { .. } => ErrorKind::BadTile,
            Error::Refused { .. } => ErrorKind::Refused,
            Error::SignIn(_) => ErrorKind::SignInRefused,
            Error::NotPermitted { .. } => ErrorKind::NotPermitted,
        }
    }

    /// What went wrong as a message code with typed parameters, for the UI to say in the
    /// user's language.
    pub fn message(&self) -> Message {
        use MessageCode as C;
        match self {
            Error::StoreNotFound(p) => Message::new(C::StoreNotFound).text("path", p.display()),
            Error::StoreCorrupt { path, .. } => {
                Message::new(C::StoreCorrupt).text("path", path.display())
            }
            Error::StoreReadOnly { path } => {
                Message::new(C::StoreReadOnly).text("path", path.display())
            }
            Error::StoreIncomplete { path, .. } => {
                Message::new(C::StoreIncomplete).text("path", path.display())
            }
            Error::StoreTooNew {
                path,
                found,
                supported,
            } => Message::new(C::StoreTooNew)
                .text("path", path.display())
                .int("found", *found)
                .int("supported", *supported),
            Error::StoreLocked { path } => {
                Message::new(C::StoreLocked).text("path", path.display())
            }
            Error::Sql(_) => Message::new(C::DatabaseError),
            Error::Io { path, source } => Message::new(C::IoError)
                .text("path", path.display())
                .term("reason", IoKind::of(source)),
            Error::InvalidCode { code, reason } => Message::new(C::InvalidCode)
                .text("code", code)
                .nested("reason", reason.message.clone()),
            Error::Input { location, message } => Message::new(C::InputError)
                .nested("at", location.message())
                .nested("reason", message.message.clone()),
            Error::ImportRejected { file, count, first } => Message::new(C::ImportRejected)
                .text("file", file)
                .int("count", *count)
                .nested("first", first.input_error()),
            Error::Invalid(r) | Error::PlanConflict(r) => r.message.clone(),
            Error::Internal(_) => Message::new(C::InternalError),
            Error::ChangedSince { thing, key } => Message::new(C::ChangedSince)
                .term("thing", thing)
                .text("key", key),
            Error::NotFound { what, key } => Message::new(C::NotFound)
                .with("thing", thing(what))
                .text("key", key),
            Error::Duplicate { what, key } => Message::new(C::AlreadyExists)
                .with("thing", thing(what))
                .text("key", key),
            Error::BadTile { z, x, y, .. } => Message::new(C::BadTile)
                .int("z", *z)
                .int("x", *x)
                .int("y", *y),
            Error::Geometry(_) => Message::new(C::GeometryError),
            Error::Refused { refusal, .. } => refusal.message(),
            Error::SignIn(r) => r.message(),
            Error::ZoneConflict { layer, grid, zone } => Message::new(C::ZoneConflict)
                .text("grid", grid)
                .text("zone", zone)
                .text("layer", layer),
            Error::Edit { op, reason } => Message::new(C::EditRefused)
                .term("op", *op)
                .nested("reason", reason.message.clone()),
            Error::TopologyRefused(report) => report.message(),
            Error::NotPermitted { login, role, what } => Message::new(what.code())
                .text("login", login)
                .term("role", *role),
        }
    }

    /// The English sentence and the message together.
    pub fn reason(&self) -> Reason {
        self.message().en(self.to_string())
    }

    /// The workflow refusal, when this error is one.
    pub fn refusal(&self) -> Option<&crate::flow::Refusal> {
        match self {
            Error::Refused { refusal, .. } => Some(refusal),
            _ => None,
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// One refused record (or the whole file, or its header), with where and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Reject {
    /// File, feature or line, and field.
    #[cfg_attr(feature = "ts", ts(as = "location_ts::LocationTs"))]
    pub location: Location,
    /// What is wrong, in lower case (English).
    pub message: String,
    /// What is wrong, as a message for the UI.
    pub detail: Message,
}

/// The rejects of one file, in bounded memory: the first [`Rejects::KEEP`] in file order and
/// the exact number of them all. A file of garbage has a reject per line; a list of every one
/// (1.6 million for 200 MB) is more than anyone reads and more memory than the import.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Rejects {
    /// The first rejects, in file order; at most [`Rejects::KEEP`].
    kept: Vec<Reject>,
    /// How many rejects there are in all (kept or not).
    total: usize,
}

impl Rejects {
    /// How many rejects are kept.
    pub const KEEP: usize = 1000;

    /// No rejects.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts a reject, keeping it while fewer than [`Rejects::KEEP`] are kept.
    pub fn push(&mut self, r: Reject) {
        self.total += 1;
        if self.kept.len() < Self::KEEP {
            self.kept.push(r);
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The exact number of rejects.
    pub fn total(&self) -> usize {
        self.total
    }

    /// The kept rejects (the first ones, in file order).
    pub fn kept(&self) -> &[Reject] {
        &self.kept
    }

    /// How many were counted but not kept.
    pub fn more(&self) -> usize {
        self.total - self.kept.len()
    }

    /// The first reject.
    pub fn first(&self) -> Option<&Reject> {
        self.kept.first()
    }

    /// The kept rejects.
    pub fn iter(&self) -> std::slice::Iter<'_, Reject> {
        self.kept.iter()
    }

    /// Adds the rejects of another pass over the same file: both lists of first rejects merge
    /// into the first ones of the two in file order; the totals add.
    pub fn merge(&mut self, other: Rejects) {
        if other.is_empty() {
            return;
        }
        self.total += other.total;
        self.kept.extend(other.kept);
        self.kept
            .sort_by_key(|r| position_order(r.location.position));
        self.kept.truncate(Self::KEEP);
    }

    /// `refusal` when there are rejects: [`Error::ImportRejected`] naming the file, the
    /// total and the first reject.
    pub fn refuse(&self, file: &str) -> Result<()> {
        match self.first() {
            None => Ok(()),
            Some(first) => Err(Error::ImportRejected {
                file: file.to_string(),
                count: self.total,
                first: Box::new(first.clone()),
            }),
        }
    }
}

impl FromIterator<Reject> for Rejects {
    fn from_iter<I: IntoIterator<Item = Reject>>(iter: I) -> Self {
        let mut r = Rejects::new();
        r.extend(iter);
        r
    }
}

impl Extend<Reject> for Rejects {
    fn extend<I: IntoIterator<Item = Reject>>(&mut self, iter: I) {
        for x in iter {
            self.push(x);
        }
    }
}

impl<'a> IntoIterator for &'a Rejects {
    type Item = &'a Reject;
    type IntoIter = std::slice::Iter<'a, Reject>;
    fn into_iter(self) -> Self::IntoIter {
        self.kept.iter()
    }
}

/// File order of positions: the whole file first, then by line, feature or record.
fn position_order(p: Position) -> (u8, u64) {
    match p {
        Position::File => (0, 0),
        Position::Line(n) | Position::Record(n) => (1, n),
        Position::Feature(i) => (1, i as u64),
    }
}

/// The TypeScript shape of [`Location`] and [`Position`] (`error.rs` derives nothing for the
/// boundary yet). The conversions below name every field and variant, so a change there fails
/// to compile here.
#[cfg(feature = "ts")]
mod location_ts {
    use crate::error::{Location, Position};

    /// Where a bad value was found in an input file.
    #[derive(ts_rs::TS)]
    #[ts(rename = "Location")]
    #[allow(dead_code)]
    pub struct LocationTs {
        /// File name as given by the user.
        file: String,
        /// 1-based line (CSV), 0-based feature index (GeoJSON) or record number (Shapefile,
        /// GeoPackage).
        position: PositionTs,
        /// Field or property, if the problem is in one field.
        field: Option<String>,
    }

    /// Position of a record within a file.
    #[derive(ts_rs::TS)]
    #[ts(rename = "Position", rename_all = "snake_case")]
    #[allow(dead_code)]
    pub enum PositionTs {
        File,
        Line(u64),
        Feature(usize),
        Record(u64),
    }

    impl From<&Location> for LocationTs {
        fn from(l: &Location) -> Self {
            let Location {
                file,
                position,
                field,
            } = l;
            let position = match *position {
                Position::File => PositionTs::File,
                Position::Line(n) => PositionTs::Line(n),
                Position::Feature(n) => PositionTs::Feature(n),
                Position::Record(n) => PositionTs::Record(n),
            };
            Self {
                file: file.clone(),
                position,
                field: field.clone(),
            }
        }
    }
}

impl std::fmt::Display for Reject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

impl Reject {
    pub fn new(file: &str, position: Position, field: Option<&str>, message: Reason) -> Self {
        Reject {
            location: Location {
                file: file.to_string(),
                position,
                field: field.map(str::to_string),
            },
            message: message.text,
            detail: message.message,
        }
    }

    /// Where and what, as one `input-error` message.
    pub fn input_error(&self) -> Message {
        Message::new(MessageCode::InputError)
            .nested("at", self.location.message())
            .nested("reason", self.detail.clone())
    }

    /// What is wrong, English text and message together.
    pub fn reason(&self) -> Reason {
        self.detail.clone().en(self.message.clone())
    }
}

#[cfg(test)]
mod rejects_tests {
    use super::*;

    fn at(line: u64) -> Reject {
        Reject::new(
            "f.csv",
            Position::Line(line),
            None,
            Message::new(MessageCode::InvalidRecord).en("invalid record"),
        )
    }

    #[test]
    fn rejects_keep_the_first_in_file_order_and_count_all() {
        let mut a: Rejects = (0..1500).map(|i| at(2 * i + 3)).collect();
        let b: Rejects = (0..1500).map(|i| at(2 * i + 2)).collect();
        assert_eq!((a.total(), a.kept().len(), a.more()), (1500, 1000, 500));
        a.merge(b);
        assert_eq!(a.total(), 3000);
        let lines: Vec<u64> = a
            .iter()
            .map(|r| match r.location.position {
                Position::Line(l) => l,
                _ => 0,
            })
            .collect();
        assert_eq!(lines, (2..1002).collect::<Vec<_>>());
        let e = a.refuse("f.csv").unwrap_err();
        assert!(
            matches!(e, Error::ImportRejected { count: 3000, .. }),
            "{e:?}"
        );
        assert!(Rejects::new().refuse("f.csv").is_ok());
    }
}
