//! GridDesk street registers (docs/registers.md): the service-object register (服务对象库) with
//! its industries and shopfront frontages (门前三包), notices (温馨提示) and move-car reminders
//! (移车提醒), the mobile-vendor record (文明执法) with its derived colour, and vending zones
//! (定时定点定区域) with admission, filing and exit.
#![forbid(unsafe_code)]

pub mod registers;

#[allow(unused_imports)]
pub(crate) use griddesk_core::{code, error, geodesy, message, model, users};
#[allow(unused_imports)]
pub(crate) use griddesk_core::{Error, ErrorKind, Message, MessageCode, Param, Reason, Result};
#[allow(unused_imports)]
pub(crate) use griddesk_io::io;
#[allow(unused_imports)]
pub(crate) use griddesk_spatial::tiles;
