//! GridDesk's case loop (§4): the workflow and its state machine, intake, the filing standard,
//! routing to departments, the registers and QR plates, and the stored calendar and users.
#![forbid(unsafe_code)]

pub mod clock_store;
pub mod filing;
pub mod intake;
pub mod qr;
pub mod register;
pub mod routing;
pub mod users_store;
pub mod workflow;

#[allow(unused_imports)]
pub(crate) use griddesk_core::{
    code, codetable, csvtable, error, flow, geodesy, message, model, topology,
};
#[allow(unused_imports)]
pub(crate) use griddesk_core::{Error, ErrorKind, Message, MessageCode, Param, Reason, Result};
#[allow(unused_imports)]
pub(crate) use griddesk_io::io;
#[allow(unused_imports)]
pub(crate) use griddesk_spatial::{index, locate, stats, tiles};
#[allow(unused_imports)]
pub(crate) use griddesk_store_sqlite::store;

/// The core clock and the stored calendar, under one path.
pub(crate) mod clock {
    #[allow(unused_imports)]
    pub use crate::clock_store as store;
    pub use crate::clock_store::load_calendar;
    pub use griddesk_core::clock::*;
}

/// The core users and the stored users, under one path.
pub(crate) mod users {
    pub use crate::users_store::*;
    pub use griddesk_core::users::*;
}
