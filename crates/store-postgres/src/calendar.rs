//! The work calendar (`griddesk_caseloop::clock_store::CalendarStore`): the city's, shared by
//! every district — holidays and adjusted working days in `calendar_day`, the office hours in
//! the city's `meta` row `calendar.office_hours` (a NULL district). Stations read it; only the
//! centre's own role changes it (row-level security refuses a station's write).

use crate::centre::{Centre, CentreTx};
use crate::error::{Error, Result};
use griddesk_caseloop::clock_store::{CalendarEdit, CalendarStore, OFFICE_KEY};
use griddesk_core::clock::calendar::{
    format_office_hours, parse_office_hours, CalendarDay, DayKind,
};
use griddesk_core::clock::WorkCalendar;
use postgres::GenericClient;

fn day_count(c: &mut impl GenericClient) -> Result<i64> {
    Ok(c.query_one("SELECT count(*) FROM calendar_day", &[])
        .map_err(|e| Error::of(e, "counting the calendar's days", None))?
        .get(0))
}

fn load(c: &mut impl GenericClient) -> griddesk_core::Result<WorkCalendar> {
    let hours: Option<String> = c
        .query_opt(
            "SELECT value FROM meta WHERE district IS NULL AND key = $1",
            &[&OFFICE_KEY],
        )
        .map_err(|e| Error::of(e, "reading the office hours", None))?
        .map(|r| r.get(0));
    let rows = c
        .query(
            "SELECT date, kind, note FROM calendar_day ORDER BY date",
            &[],
        )
        .map_err(|e| Error::of(e, "reading the calendar", None))?;
    let mut days = Vec::with_capacity(rows.len());
    for r in &rows {
        let date: chrono::NaiveDate = r.get(0);
        let kind: &str = r.get(1);
        days.push(CalendarDay {
            date,
            kind: DayKind::parse(kind).ok_or_else(|| Error::Corrupt {
                what: "calendar day",
                key: date.to_string(),
                reason: format!("kind `{kind}`"),
            })?,
            note: r.get(2),
        });
    }
    match hours {
        Some(h) => WorkCalendar::new(parse_office_hours(&h)?, days),
        None => Ok(WorkCalendar::standard(days)),
    }
}

/// Applies `edits` on `c` (a transaction: all or nothing).
fn apply(c: &mut impl GenericClient, edits: &[CalendarEdit]) -> griddesk_core::Result<()> {
    for e in edits {
        match e {
            CalendarEdit::SetDay(d) => {
                c.execute(
                    "INSERT INTO calendar_day (date, kind, note) VALUES ($1, $2, $3)
                     ON CONFLICT (date) DO UPDATE SET kind = excluded.kind, note = excluded.note",
                    &[&d.date, &d.kind.key(), &d.note],
                )
                .map_err(|e| Error::of(e, format!("setting calendar day {}", d.date), None))?;
            }
            CalendarEdit::ClearDay { date } => {
                c.execute("DELETE FROM calendar_day WHERE date = $1", &[date])
                    .map_err(|e| Error::of(e, format!("clearing calendar day {date}"), None))?;
            }
            CalendarEdit::SetOfficeHours { periods } => {
                // Checked before anything is stored.
                let cal = WorkCalendar::new(periods.clone(), Vec::new())?;
                c.execute(
                    "INSERT INTO meta (district, key, value) VALUES (NULL, $1, $2)
                     ON CONFLICT (district, key) DO UPDATE SET value = excluded.value",
                    &[&OFFICE_KEY, &format_office_hours(cal.periods())],
                )
                .map_err(|e| Error::of(e, "setting the office hours", None))?;
            }
        }
    }
    Ok(())
}

impl CalendarStore for Centre {
    fn calendar_day_count(&self) -> griddesk_core::Result<i64> {
        Ok(self.with(day_count)?)
    }
    fn load_calendar(&self) -> griddesk_core::Result<WorkCalendar> {
        self.with(|c| Ok(load(c)))?
    }
    /// In one transaction of its own.
    fn apply_edits(&self, edits: &[CalendarEdit]) -> griddesk_core::Result<()> {
        self.transaction(|tx| apply(&mut *tx.tx.borrow_mut(), edits))
    }
}

impl CalendarStore for CentreTx<'_> {
    fn calendar_day_count(&self) -> griddesk_core::Result<i64> {
        Ok(day_count(&mut *self.tx.borrow_mut())?)
    }
    fn load_calendar(&self) -> griddesk_core::Result<WorkCalendar> {
        load(&mut *self.tx.borrow_mut())
    }
    fn apply_edits(&self, edits: &[CalendarEdit]) -> griddesk_core::Result<()> {
        apply(&mut *self.tx.borrow_mut(), edits)
    }
}

/// A district's view reads the city's work calendar as the centre does (a station's role may read
/// them, never change them): the case loop is handed one view for everything.
impl CalendarStore for crate::model::DistrictScope<'_> {
    fn calendar_day_count(&self) -> griddesk_core::Result<i64> {
        self.centre.calendar_day_count()
    }
    fn load_calendar(&self) -> griddesk_core::Result<WorkCalendar> {
        self.centre.load_calendar()
    }
    fn apply_edits(&self, edits: &[CalendarEdit]) -> griddesk_core::Result<()> {
        self.centre.apply_edits(edits)
    }
}

/// Inside the caller's transaction.
impl CalendarStore for crate::model::DistrictTx<'_, '_> {
    fn calendar_day_count(&self) -> griddesk_core::Result<i64> {
        self.tx.calendar_day_count()
    }
    fn load_calendar(&self) -> griddesk_core::Result<WorkCalendar> {
        self.tx.load_calendar()
    }
    fn apply_edits(&self, edits: &[CalendarEdit]) -> griddesk_core::Result<()> {
        self.tx.apply_edits(edits)
    }
}
