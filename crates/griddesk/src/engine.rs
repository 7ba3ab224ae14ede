//! The engine facade used by the CLI and the desktop shell (filled in by the lead).

/// An open district: store + indexes.
pub struct Engine;
