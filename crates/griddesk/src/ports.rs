#![allow(unused_imports)]
//! The domain crates' store traits, in scope for the engine's operations (`use crate::ports::*`):
//! the store handle (`griddesk_store_sqlite::Db`) implements each of them.

pub use griddesk_analytics::analytics::evaluation::from_store::EvaluationStore as _;
pub use griddesk_basemap::basemap::BasemapStore as _;
pub use griddesk_caseloop::workflow::queue::QueueStore as _;
pub use griddesk_caseloop::CaseLoopStore as _;
pub use griddesk_caseloop::{
    clock_store::CalendarStore as _, filing::store::FilingStore as _, intake::IntakeStore as _,
    register::RegisterStore as _, routing::RoutingStore as _, users_store::UsersStore as _,
    workflow::desk::DeskStore as _, workflow::record::CaseRecords as _,
};
pub use griddesk_planning::planning::history::{HistoryRows as _, PlanHistory as _};
pub use griddesk_planning::planning::settings::PlanSettingsStore as _;
pub use griddesk_registers::registers::RegistersStore as _;
pub use griddesk_store::{AuditStore as _, Generation as _, ModelSink as _, ModelStore as _};
pub use griddesk_zones::zones::ZoneStore as _;
