#![allow(unused_imports)]
//! The domain crates' store traits, in scope for the engine's operations (`use crate::ports::*`):
//! the store handle (`griddesk_store_sqlite::Db`) implements each of them.

pub use griddesk_store::{ModelSink as _, ModelStore as _};
pub use griddesk_zones::zones::ZoneStore as _;
