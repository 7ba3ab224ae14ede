//! GridDesk grid planning (§1.6, §7): edits under the topology guard, history and undo, coding,
//! proposals, and the district check.
#![forbid(unsafe_code)]

pub mod planning;
pub mod validate;

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
