//! What can stop a sync.

/// Why a sync stopped. Whatever the reason, nothing was half applied: the centre applies a
/// batch in one transaction, and the station moves its base in one transaction.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The centre refused the batch: the station's schema is not the one this centre's build
    /// expects. Nothing of the batch was applied.
    #[error("the centre refuses batch {batch}: the station's schema is version {station}, this centre expects station schema version {expected}: install the GridDesk build whose station schema is version {expected} at the station, open its store once, and sync again (nothing was applied)")]
    SchemaRefused {
        batch: String,
        station: i64,
        expected: i64,
    },
    /// The station's base belongs to another district than the one synced.
    #[error("the station's sync base is of district {held}, not {asked}")]
    WrongDistrict { held: String, asked: String },
    /// A key column of the station is not among the columns the centre keeps.
    #[error("table {table}: the station's key column {column} is not among the centre's columns")]
    KeyColumn { table: String, column: String },
    /// The station's table has a column the centre does not keep: its values could not go up.
    #[error("the station's table {table} has a column {column} the centre does not keep: upgrade the centre (`griddesk centre init`) before syncing")]
    CentreLacksColumn { table: String, column: String },
    /// A stored batch or base row that cannot be read back.
    #[error("sync data cannot be read back ({what}): {reason}")]
    Corrupt { what: String, reason: String },
    /// The sync was stopped on purpose between two of its steps (a test's crash).
    #[error("sync interrupted: {0}")]
    Interrupted(String),
    /// A store failed (SQLite at the station, PostgreSQL at the centre).
    #[error(transparent)]
    Store(#[from] griddesk_core::Error),
}

pub type Result<T> = std::result::Result<T, Error>;
