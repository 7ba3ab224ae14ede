//! The SQL of `griddesk_caseloop::clock_store`.

#[allow(unused_imports)]
use crate::error::sql_error;
use crate::error::{Error, Result};
#[allow(unused_imports)]
use chrono::NaiveDate;
#[allow(unused_imports)]
use griddesk_caseloop::clock_store::*;
#[allow(unused_imports)]
use griddesk_core::clock::calendar::{
    format_office_hours, parse_office_hours, CalendarDay, DayKind,
};
#[allow(unused_imports)]
use griddesk_core::clock::WorkCalendar;
#[allow(unused_imports)]
use rusqlite::{params, Connection, OptionalExtension};

/// Reads the calendar stored in a store (standard office hours if none are set).
pub fn load_calendar(conn: &Connection) -> Result<WorkCalendar> {
    let hours: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [OFFICE_KEY], |r| {
            r.get(0)
        })
        .optional()?;
    let mut stmt = conn.prepare("SELECT date, kind, note FROM calendar_day ORDER BY date")?;
    let mut rows = stmt.query([])?;
    let mut days = Vec::new();
    while let Some(r) = rows.next()? {
        let ds: String = r.get(0)?;
        let ks: String = r.get(1)?;
        let date = NaiveDate::parse_from_str(&ds, "%Y-%m-%d")
            .map_err(|_| Error::Internal(format!("calendar_day: bad date `{ds}`")))?;
        let kind = DayKind::parse(&ks)
            .ok_or_else(|| Error::Internal(format!("calendar_day {ds}: bad kind `{ks}`")))?;
        days.push(CalendarDay {
            date,
            kind,
            note: r.get(2)?,
        });
    }
    match hours {
        Some(h) => Ok(WorkCalendar::new(parse_office_hours(&h)?, days)?),
        None => Ok(WorkCalendar::standard(days)),
    }
}

/// Applies calendar edits inside a transaction.
pub fn apply_edits(tx: &Connection, edits: &[CalendarEdit]) -> Result<()> {
    for e in edits {
        match e {
            CalendarEdit::SetDay(d) => {
                tx.execute(
                    "INSERT INTO calendar_day (date, kind, note) VALUES (?1, ?2, ?3)
                     ON CONFLICT (date) DO UPDATE SET kind = excluded.kind, note = excluded.note",
                    params![d.date.to_string(), d.kind.key(), d.note],
                )?;
            }
            CalendarEdit::ClearDay { date } => {
                tx.execute(
                    "DELETE FROM calendar_day WHERE date = ?1",
                    [date.to_string()],
                )?;
            }
            CalendarEdit::SetOfficeHours { periods } => {
                // Validate before storing.
                let cal = WorkCalendar::new(periods.clone(), Vec::new())?;
                tx.execute(
                    "INSERT INTO meta (key, value) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    params![OFFICE_KEY, format_office_hours(cal.periods())],
                )?;
            }
        }
    }
    Ok(())
}

impl griddesk_caseloop::clock_store::CalendarStore for crate::Db<'_> {
    fn calendar_day_count(&self) -> griddesk_core::Result<i64> {
        self.0
            .query_row("SELECT count(*) FROM calendar_day", [], |r| r.get(0))
            .map_err(sql_error)
    }
    fn load_calendar(&self) -> griddesk_core::Result<WorkCalendar> {
        (load_calendar(self.0)).map_err(griddesk_core::Error::from)
    }
    fn apply_edits(&self, edits: &[CalendarEdit]) -> griddesk_core::Result<()> {
        (apply_edits(self.0, edits)).map_err(griddesk_core::Error::from)
    }
}
