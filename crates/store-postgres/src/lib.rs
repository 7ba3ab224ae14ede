//! GridDesk's city centre store: one PostgreSQL 15 + PostGIS 3 database holding every district
//! (docs/centre.md). Every district-owned row carries its district; each district station
//! logs in as its own role, which row-level security keeps to its district's rows and the
//! shared ones. Every line of the centre's SQL and every `postgres` type stays in this crate;
//! what leaves it are implementations of the store traits (of `griddesk-store` and of the
//! domain crates), the core model types and [`Error`]. The city's shared tables are reached
//! on [`Centre`] / [`CentreTx`], a district's own on its view ([`Centre::district`],
//! [`CentreTx::district`]).
#![forbid(unsafe_code)]

mod audit;
mod basemap;
mod calendar;
mod centre;
mod desk;
mod district_rows;
pub mod error;
mod evaluation;
mod filing;
mod intake;
mod migrate;
mod model;
mod plan_history;
mod plan_settings;
mod queue;
mod record;
mod register;
mod registers;
mod routing;
mod stations;
mod sync;
mod track;
mod users;
mod zones;

pub use centre::{Centre, CentreTx};
pub use district_rows::LoadReport;
pub use error::{Code, Error, Result};
/// The rows of a district as both backends hand them over, and their checksums.
pub use griddesk_store::district_rows as rows;
pub use migrate::{current_version, MIGRATIONS};
pub use model::{DistrictScope, DistrictTx};
pub use stations::StationCredentials;
pub use sync::{Keep, Settle, Settlement, SyncConflict, STATION_SCHEMA_VERSION};
