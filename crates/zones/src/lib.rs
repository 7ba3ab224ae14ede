//! GridDesk responsibility zones: layers, zones, people, units, road lines, and their tiles.
#![forbid(unsafe_code)]

pub mod zones;

#[allow(unused_imports)]
pub(crate) use griddesk_core::{
    clock, code, codetable, csvtable, error, flow, geodesy, message, model, topology, users,
};
#[allow(unused_imports)]
pub(crate) use griddesk_core::{Error, ErrorKind, Message, MessageCode, Param, Reason, Result};
#[allow(unused_imports)]
pub(crate) use griddesk_io::io;
#[allow(unused_imports)]
pub(crate) use griddesk_spatial::{index, locate, stats, tiles};
