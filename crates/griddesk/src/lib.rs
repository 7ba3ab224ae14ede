//! GridDesk engine: the single source of truth for a district's unit grids, components and cases.
//!
//! Data flows one way: file or form → [`Engine`] (validate, store, index) → tiles/statistics → map.
//! The engine has no GUI dependency; the CLI and the desktop shell both sit on [`Engine`].
#![forbid(unsafe_code)]

pub mod analytics;
pub mod clock;
pub mod code;
pub mod codetable;
pub mod csvtable;
pub mod engine;
pub mod error;
pub mod filing;
pub mod geodesy;
pub mod index;
pub mod intake;
pub mod io;
pub mod locate;
pub mod message;
pub mod model;
pub mod planning;
pub mod qr;
pub mod register;
pub mod routing;
pub mod sample;
pub mod stats;
pub mod store;
pub mod tiles;
pub mod users;
pub mod validate;
pub mod workflow;
pub mod zones;

pub use engine::Engine;
pub use error::{Error, ErrorKind, Result};
pub use message::{Message, MessageCode, Param, Reason};
