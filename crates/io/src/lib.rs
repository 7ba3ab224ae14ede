//! GridDesk import and export: every exchange format, CRS and encoding, and the one record reader.
#![forbid(unsafe_code)]

pub mod io;

#[allow(unused_imports)]
pub(crate) use griddesk_core::{
    clock, code, codetable, csvtable, error, flow, geodesy, message, model, topology, users,
};
#[allow(unused_imports)]
pub(crate) use griddesk_core::{Error, ErrorKind, Message, MessageCode, Param, Reason, Result};
#[allow(unused_imports)]
pub(crate) use griddesk_spatial::{index, locate, stats, tiles};
