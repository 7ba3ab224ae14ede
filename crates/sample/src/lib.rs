//! The deterministic sample district (§8): tests, benchmarks and first-start data. Nothing in
//! production depends on it except first-start seeding.
#![forbid(unsafe_code)]

pub mod sample;
pub mod synthetic;

pub use sample::*;

#[allow(unused_imports)]
pub(crate) use griddesk_analytics::analytics;
#[allow(unused_imports)]
pub(crate) use griddesk_caseloop::{filing, intake, register, routing, workflow};
#[allow(unused_imports)]
pub(crate) use griddesk_core::{
    clock, code, codetable, csvtable, error, flow, geodesy, message, model, topology, users,
};
#[allow(unused_imports)]
pub(crate) use griddesk_core::{Error, ErrorKind, Message, MessageCode, Param, Reason, Result};
#[allow(unused_imports)]
pub(crate) use griddesk_io::io;
#[allow(unused_imports)]
pub(crate) use griddesk_planning::planning;
#[allow(unused_imports)]
pub(crate) use griddesk_spatial::{index, locate, stats, tiles};
#[allow(unused_imports)]
pub(crate) use griddesk_store_sqlite::store;
#[allow(unused_imports)]
pub(crate) use griddesk_zones::zones;
