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

/// The core clock and the stored calendar, under one path.
pub(crate) mod clock {
    #[allow(unused_imports)]
    pub use crate::clock_store as store;
    pub use griddesk_core::clock::*;
}

/// The core users and the stored users, under one path.
pub(crate) mod users {

    pub use griddesk_core::users::*;
}

/// Everything the case loop keeps in the store, one trait per module: what a transaction of
/// the case loop is handed. Every backend that implements the parts implements this.
pub trait CaseLoopStore:
    users_store::UsersStore
    + clock_store::CalendarStore
    + filing::store::FilingStore
    + routing::RoutingStore
    + workflow::record::CaseRecords
    + workflow::desk::DeskStore
    + intake::IntakeStore
    + register::RegisterStore
    + griddesk_store::CaseTexts
{
}

impl<T> CaseLoopStore for T where
    T: users_store::UsersStore
        + clock_store::CalendarStore
        + filing::store::FilingStore
        + routing::RoutingStore
        + workflow::record::CaseRecords
        + workflow::desk::DeskStore
        + intake::IntakeStore
        + register::RegisterStore
        + griddesk_store::CaseTexts
{
}
