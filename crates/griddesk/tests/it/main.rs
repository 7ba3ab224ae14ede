//! The engine's integration tests, compiled and linked as one binary (one link instead of one per
//! file: the debug build stays small and quick). Each module is one area; `cargo test -p griddesk
//! --test it MODULE::` runs one of them.

mod common;
mod plan_fixture;

mod analytics_sample;
mod basemap;
mod boundary_rule;
mod case_loop;
mod engine_sample;
mod evaluation_fixture;
mod evaluation_store;
mod figures;
mod geos_agreement;
mod history_import;
mod import_fixtures;
mod import_templates;
mod planning;
mod planning_props;
mod planning_sample;
mod queries;
mod register;
mod sample_district;
mod setup;
mod store_open;
mod street;
mod trust;
mod zones;
