//! The engine's operations, one file per domain: each takes the acting user's session where it
//! writes, checks the role, and calls the domain crate with the store.

pub mod analytics;
pub mod basemap;
pub mod city;
pub mod evaluation;
pub mod intake;
pub mod intake_history;
pub mod intake_repeats;
pub mod io;
pub mod planning;
pub mod qr;
pub mod queue;
pub mod register;
pub mod sample_seed;
pub mod setup;
pub mod station;
pub mod station_phone;
pub mod street;
pub mod sync;
pub mod track;
pub mod workflow;
pub mod zones;
pub mod zones_exchange;
pub mod zones_files;
