//! The centre store against a real PostgreSQL 15 + PostGIS 3 cluster: one test binary, so one
//! throwaway cluster (tests/common) serves every test (a database each) and one link is made.

#[path = "../common/mod.rs"]
mod common;

mod audit;
mod basemap;
mod calendar;
mod centre;
mod district;
mod district_rows;
mod evaluation;
mod filing;
mod plan_history;
mod plan_settings;
mod queue;
mod record;
mod register;
mod registers;
mod track;
mod zones;
