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

/// A rusqlite error as the core error (its text; the kind is `Storage`).
pub fn sql_error(e: rusqlite::Error) -> Error {
    Error::Sql(e.to_string())
}
