//! GridDesk's SQLite store: one file per district station, WAL, versioned migrations, geometry
//! as WKB.
#![forbid(unsafe_code)]

pub mod store;
pub mod zones;

pub use store::{Db, Store};

#[allow(unused_imports)]
pub(crate) use griddesk_core::{
    clock, code, codetable, csvtable, error, flow, geodesy, message, model, topology, users,
};
#[allow(unused_imports)]
pub(crate) use griddesk_core::{Error, ErrorKind, Message, MessageCode, Param, Reason, Result};
