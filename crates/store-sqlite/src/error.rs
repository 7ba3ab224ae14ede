//! Errors inside this crate: the core [`Error`], carried as [`Sq`] so that `?` converts a
//! rusqlite error too. Everything this crate hands out (the store traits it implements, the
//! methods of [`crate::Store`]) returns the core `Result`; rusqlite's error never leaves it.

pub use griddesk_core::error::*;

/// The result of the functions inside this crate.
pub type Result<T, E = Sq> = std::result::Result<T, E>;

/// The core error on its way out of this crate.
#[derive(Debug)]
pub struct Sq(pub Error);

impl From<rusqlite::Error> for Sq {
    fn from(e: rusqlite::Error) -> Self {
        Sq(sql_error(e))
    }
}

impl From<Error> for Sq {
    fn from(e: Error) -> Self {
        Sq(e)
    }
}

impl From<Sq> for Error {
    fn from(e: Sq) -> Self {
        e.0
    }
}

impl std::fmt::Display for Sq {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A rusqlite error as the core error: damage SQLite found in the file is
/// [`Error::StoreCorrupt`] (its path filled in by whoever knows it, e.g. `Engine::open`);
/// anything else is its text, of kind `Storage`.
pub fn sql_error(e: rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseCorrupt) | Some(rusqlite::ErrorCode::NotADatabase) => {
            Error::StoreCorrupt {
                path: std::path::PathBuf::new(),
                reason: e.to_string(),
            }
        }
        _ => Error::Sql(e.to_string()),
    }
}
