//! GridDesk core: the types and rules every other crate shares — GB/T 2260 and grid, component
//! and class codes, the CJ/T 214 code tables, the data model, the work calendar and the clock of
//! a stage (§4.6), users and roles (§4.2), the case loop's vocabulary and refusals, topology
//! findings, and the typed messages and errors every boundary carries. No SQL, no store, no
//! engine: the bottom of the crate order (`docs/architecture.md`).
#![forbid(unsafe_code)]

pub mod audit;
pub mod clock;
pub mod code;
pub mod codetable;
pub mod csvtable;
pub mod dates;
pub mod error;
pub mod flow;
pub mod geodesy;
pub mod message;
pub mod model;
pub mod pinyin;
pub mod planar;
pub mod topology;
pub mod users;

pub use error::{Error, ErrorKind, Result};
pub use message::{Message, MessageCode, Param, Reason};
