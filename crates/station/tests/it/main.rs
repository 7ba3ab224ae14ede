//! The station service's tests: every Open311 endpoint in both formats, in process
//! ([`open311`]), and a client GridDesk did not write against a real server ([`georeport`]).

mod common;
mod georeport;
mod open311;
mod phone;
mod tls;
mod track;
