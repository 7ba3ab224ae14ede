//! The work calendar in the store: table `calendar_day` (date, kind, note) and the office hours
//! in `meta` under `calendar.office_hours` (`08:00-12:00,14:00-18:00`).

use crate::error::Result;
use griddesk_core::clock::WorkCalendar;

pub const OFFICE_KEY: &str = "calendar.office_hours";

pub use griddesk_core::clock::CalendarEdit;

/// What this module keeps in the store: implemented by each backend (`griddesk-store-sqlite`).
pub trait CalendarStore {
    /// How many calendar days are stored.
    fn calendar_day_count(&self) -> Result<i64>;
    /// Reads the calendar stored in a store (standard office hours if none are set).
    fn load_calendar(&self) -> Result<WorkCalendar>;
    /// Applies calendar edits inside a transaction.
    fn apply_edits(&self, edits: &[CalendarEdit]) -> Result<()>;
}
