//! GridDesk spatial: the in-memory indexes of a district (R-trees, the boundary rule), point
//! location, statistics and vector tiles, and [`Loaded`]: one consistent state built from a store.
#![forbid(unsafe_code)]

pub mod index;
pub mod loaded;
pub mod locate;
pub mod stats;
pub mod tiles;

pub use loaded::{next_generation, Loaded, OverdueAt};

#[allow(unused_imports)]
pub(crate) use griddesk_core::{
    clock, code, codetable, csvtable, error, flow, geodesy, message, model, topology, users,
};
#[allow(unused_imports)]
pub(crate) use griddesk_core::{Error, ErrorKind, Message, MessageCode, Param, Reason, Result};
