//! GridDesk analytics (§5): heatmaps, choropleths, hotspots, trends, the summary figures, the
//! evaluation and its reports.
#![forbid(unsafe_code)]

pub mod analytics;

#[allow(unused_imports)]
pub(crate) use griddesk_caseloop::{filing, intake, register, routing, workflow};
#[allow(unused_imports)]
pub(crate) use griddesk_core::{
    clock, code, codetable, csvtable, error, flow, geodesy, message, model, topology, users,
};
#[allow(unused_imports)]
pub(crate) use griddesk_core::{Error, ErrorKind, Message, MessageCode, Param, Reason, Result};
#[allow(unused_imports)]
pub(crate) use griddesk_spatial::{index, locate, stats, tiles};
