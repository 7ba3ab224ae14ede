//! GridDesk's SQLite store: one file per district station, WAL, versioned migrations, geometry
//! as WKB.
#![forbid(unsafe_code)]

pub mod analytics_evaluation;
pub mod audit_sql;
pub mod basemap_sql;
pub mod caseloop_calendar;
pub mod caseloop_desk;
pub mod caseloop_filing;
pub mod caseloop_intake;
pub mod caseloop_queue;
pub mod caseloop_record;
pub mod caseloop_register;
pub mod caseloop_routing;
pub mod caseloop_users;
pub mod district_rows_sql;
pub mod error;
pub mod gpkg;
pub mod planning_history;
pub mod planning_settings;
pub mod registers_sql;
pub mod station_sql;
pub mod store;
pub mod sync_sql;
pub mod track_sql;
pub mod zones_sql;

pub use store::{Db, Store};

#[allow(unused_imports)]
pub(crate) use error::{Error, Result};
#[allow(unused_imports)]
pub(crate) use griddesk_analytics::analytics;
#[allow(unused_imports)]
pub(crate) use griddesk_caseloop::{filing, intake, register, routing, workflow};
#[allow(unused_imports)]
pub(crate) use griddesk_core::{
    clock, code, codetable, csvtable, flow, geodesy, message, model, topology, users,
};
#[allow(unused_imports)]
pub(crate) use griddesk_core::{ErrorKind, Message, MessageCode, Param, Reason};
#[allow(unused_imports)]
pub(crate) use griddesk_io::io;
#[allow(unused_imports)]
pub(crate) use griddesk_planning::planning;
#[allow(unused_imports)]
pub(crate) use griddesk_spatial::{index, locate};
#[allow(unused_imports)]
pub(crate) use griddesk_zones::zones;
