//! The errors of the centre store. Every failure names what was being done and where (the
//! server, the migration file, the table and key); the driver's own error is kept as the
//! source. [`Error`] leaves the crate as the core error (kind `Storage` for the database's
//! failures, `Duplicate` for a key that exists, `NotFound` for a missing district…), so the
//! engine and the shells treat both backends alike.

use std::fmt;

/// A stable code per failure, for logs and for the CLI's exit message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    Connect,
    PostgisMissing,
    Migration,
    SchemaTooNew,
    NotACentre,
    Query,
    Duplicate,
    NoDistrict,
    UnknownDistrict,
    NotFound,
    Geometry,
    Corrupt,
    PermissionDenied,
    Settle,
}

impl Code {
    pub fn key(self) -> &'static str {
        match self {
            Code::Connect => "centre.connect",
            Code::PostgisMissing => "centre.postgis_missing",
            Code::Migration => "centre.migration",
            Code::SchemaTooNew => "centre.schema_too_new",
            Code::NotACentre => "centre.not_a_centre",
            Code::Query => "centre.query",
            Code::Duplicate => "centre.duplicate",
            Code::NoDistrict => "centre.no_district",
            Code::UnknownDistrict => "centre.unknown_district",
            Code::NotFound => "centre.not_found",
            Code::Geometry => "centre.geometry",
            Code::Corrupt => "centre.corrupt",
            Code::PermissionDenied => "centre.permission_denied",
            Code::Settle => "centre.settle",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server could not be reached or refused the login. `target` is the connection
    /// string without its password.
    #[error("cannot connect to the centre at {target}: {}", detail(.source))]
    Connect {
        target: String,
        #[source]
        source: postgres::Error,
    },
    #[error("the database {database} has no PostGIS: run `CREATE EXTENSION postgis` in it as its owner (scripts/centre.sh init does)")]
    PostgisMissing { database: String },
    #[error("migration {file} failed: {}", detail(.source))]
    Migration {
        file: &'static str,
        #[source]
        source: postgres::Error,
    },
    #[error("the centre's schema is version {found}; this GridDesk understands up to {supported}: install a newer GridDesk")]
    SchemaTooNew { found: i64, supported: i64 },
    #[error("the database {database} is not a GridDesk centre (schema version {found}, this GridDesk writes {supported}): run `griddesk centre init` on it")]
    NotACentre {
        database: String,
        found: i64,
        supported: i64,
    },
    #[error("{what}: {}", detail(.source))]
    Query {
        what: String,
        #[source]
        source: postgres::Error,
    },
    #[error("{what} `{key}` already exists in the centre")]
    Duplicate { what: &'static str, key: String },
    #[error("{what} `{key}`: its district is not known (it names no unit grid or component, and no district's outline covers it)")]
    NoDistrict { what: &'static str, key: String },
    #[error("district `{0}` is not in this centre")]
    UnknownDistrict(String),
    #[error("{what} `{key}` not found in district {district}")]
    NotFound {
        what: &'static str,
        key: String,
        district: String,
    },
    #[error("{what} `{key}`: geometry: {reason}")]
    Geometry {
        what: &'static str,
        key: String,
        reason: String,
    },
    #[error("the centre holds a {what} `{key}` that cannot be read back: {reason}")]
    Corrupt {
        what: &'static str,
        key: String,
        reason: String,
    },
    #[error("{what}: permission denied for this role ({detail})")]
    PermissionDenied { what: String, detail: String },
    /// A sync conflict that cannot be settled as asked (settled already, its row changed at
    /// the centre since, a column the row does not have).
    #[error("sync conflict {id} of district {district} cannot be settled: {reason}")]
    Settle {
        district: String,
        id: i64,
        reason: String,
    },
}

impl Error {
    pub fn code(&self) -> Code {
        match self {
            Error::Connect { .. } => Code::Connect,
            Error::PostgisMissing { .. } => Code::PostgisMissing,
            Error::Migration { .. } => Code::Migration,
            Error::SchemaTooNew { .. } => Code::SchemaTooNew,
            Error::NotACentre { .. } => Code::NotACentre,
            Error::Query { .. } => Code::Query,
            Error::Duplicate { .. } => Code::Duplicate,
            Error::NoDistrict { .. } => Code::NoDistrict,
            Error::UnknownDistrict(_) => Code::UnknownDistrict,
            Error::NotFound { .. } => Code::NotFound,
            Error::Geometry { .. } => Code::Geometry,
            Error::Corrupt { .. } => Code::Corrupt,
            Error::PermissionDenied { .. } => Code::PermissionDenied,
            Error::Settle { .. } => Code::Settle,
        }
    }

    /// A failed statement: a unique violation becomes [`Error::Duplicate`] of `dup`, a
    /// refused privilege or policy [`Error::PermissionDenied`], anything else
    /// [`Error::Query`].
    pub(crate) fn of(
        e: postgres::Error,
        what: impl Into<String>,
        dup: Option<(&'static str, &str)>,
    ) -> Self {
        use postgres::error::SqlState;
        let what = what.into();
        if let Some(db) = e.as_db_error() {
            if *db.code() == SqlState::UNIQUE_VIOLATION {
                if let Some((thing, key)) = dup {
                    return Error::Duplicate {
                        what: thing,
                        key: key.to_string(),
                    };
                }
            }
            if *db.code() == SqlState::INSUFFICIENT_PRIVILEGE {
                return Error::PermissionDenied {
                    what,
                    detail: db.message().to_string(),
                };
            }
        }
        Error::Query { what, source: e }
    }

    /// The SQLSTATE of a failure the server reported, if it was one.
    pub fn sql_state(&self) -> Option<&str> {
        let e = match self {
            Error::Connect { source, .. }
            | Error::Migration { source, .. }
            | Error::Query { source, .. } => source,
            _ => return None,
        };
        e.code().map(|c| c.code())
    }
}

/// The result of this crate's own functions.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The text of a driver error with the server's detail, hint and position when it sent them
/// (`postgres::Error`'s own text is only "db error").
pub(crate) fn detail(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => {
            let mut s = format!("{}: {}", db.severity(), db.message());
            if let Some(d) = db.detail() {
                s.push_str(&format!(" ({d})"));
            }
            if let Some(h) = db.hint() {
                s.push_str(&format!(" hint: {h}"));
            }
            if let Some(w) = db.where_() {
                s.push_str(&format!(" where: {w}"));
            }
            s
        }
        None => e.to_string(),
    }
}

impl From<Error> for griddesk_core::Error {
    fn from(e: Error) -> Self {
        use griddesk_core::Error as E;
        match e {
            Error::Duplicate { what, key } => E::Duplicate { what, key },
            Error::UnknownDistrict(key) => E::NotFound {
                what: "district",
                key,
            },
            Error::NotFound { what, key, .. } => E::NotFound { what, key },
            Error::Geometry { what, key, reason } => {
                E::Geometry(format!("{what} `{key}`: {reason}"))
            }
            Error::Corrupt { .. } => E::Internal(e.to_string()),
            other => E::Sql(other.to_string()),
        }
    }
}
