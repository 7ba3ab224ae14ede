//! Engine errors. Every variant says what went wrong and where (file, line, feature, field).

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

/// Errors raised by the engine.
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
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("I/O error on {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid code `{code}`: {reason}")]
    InvalidCode { code: String, reason: String },
    #[error("{location}: {message}")]
    Input { location: Location, message: String },
    #[error("{count} error(s) in {file}; nothing was imported (first: {first})")]
    ImportRejected {
        file: String,
        count: usize,
        first: String,
    },
    #[error("invalid value: {0}")]
    Invalid(String),
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
        refusal: crate::workflow::Refusal,
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
    Edit { op: &'static str, reason: String },
    #[error("edit refused: {}", .0.summary())]
    TopologyRefused(Box<crate::planning::GuardReport>),
    #[error("{0}")]
    PlanConflict(String),
    #[error("user `{login}` signed in as {role} may not {what}; {who}")]
    NotPermitted {
        login: String,
        role: &'static str,
        what: &'static str,
        /// Who may.
        who: &'static str,
    },
}

impl Error {
    /// The stable category of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::StoreNotFound(_) => ErrorKind::StoreNotFound,
            Error::StoreCorrupt { .. } => ErrorKind::StoreCorrupt,
            Error::StoreTooNew { .. } => ErrorKind::StoreTooNew,
            Error::StoreLocked { .. } => ErrorKind::StoreLocked,
            Error::Sql(_) | Error::Io { .. } => ErrorKind::Storage,
            Error::InvalidCode { .. }
            | Error::Input { .. }
            | Error::ImportRejected { .. }
            | Error::Invalid(_)
            | Error::Geometry(_)
            | Error::Edit { .. } => ErrorKind::InvalidInput,
            Error::TopologyRefused(_) => ErrorKind::TopologyRefused,
            Error::PlanConflict(_) => ErrorKind::Conflict,
            Error::NotFound { .. } => ErrorKind::NotFound,
            Error::Duplicate { .. } | Error::ZoneConflict { .. } => ErrorKind::Conflict,
            Error::BadTile { .. } => ErrorKind::BadTile,
            Error::Refused { .. } => ErrorKind::Refused,
            Error::SignIn(_) => ErrorKind::SignInRefused,
            Error::NotPermitted { .. } => ErrorKind::NotPermitted,
        }
    }

    /// The workflow refusal, when this error is one.
    pub fn refusal(&self) -> Option<&crate::workflow::Refusal> {
        match self {
            Error::Refused { refusal, .. } => Some(refusal),
            _ => None,
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
