//! Clock settings (administrators): the holiday / adjusted-working-day table of a year and the
//! filing standard's time limits. Reads are open; every change goes through the engine, which
//! refuses it unless the signed-in user is an administrator, and applies to stage runs started
//! afterwards (deadlines of new cases).

use crate::cases::SignedIn;
use crate::error::ErrorDto;
use crate::store::Store;
use chrono::{Datelike, NaiveDate};
use griddesk::clock::calendar::{format_office_hours, CalendarDay};
use griddesk::clock::CalendarEdit;
use griddesk::filing::FilingCondition;
use griddesk::model::CaseKind;
use griddesk::workflow::LimitEdit;
use serde::Serialize;
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;
use ts_rs::TS;

/// The calendar of one year: office hours and the table's entries in that year.
#[derive(Serialize, TS)]
pub struct CalendarYear {
    pub year: i32,
    /// `08:00-12:00,14:00-18:00`
    pub office_hours: String,
    pub days: Vec<CalendarDay>,
}

#[tauri::command]
pub async fn settings_calendar(
    store: State<'_, Store>,
    year: i32,
) -> Result<CalendarYear, ErrorDto> {
    let cal = store.engine()?.engine.calendar()?;
    Ok(CalendarYear {
        year,
        office_hours: format_office_hours(cal.periods()),
        days: cal
            .days()
            .filter(|d| d.date.year() == year)
            .cloned()
            .collect(),
    })
}

/// Adds or replaces the entry of a date; `seen` is the entry the list showed for that date
/// (`null`: none) — when someone else changed it since, nothing is written.
#[tauri::command]
pub async fn settings_set_day(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    day: CalendarDay,
    seen: Option<CalendarDay>,
) -> Result<(), ErrorDto> {
    let s = signed.get()?;
    Ok(store
        .engine()?
        .engine
        .edit_calendar_day(&s, &CalendarEdit::SetDay(day), seen.as_ref())?)
}

/// Removes the entry of a date (it follows the Monday–Friday rule again); `seen` as for
/// [`settings_set_day`].
#[tauri::command]
pub async fn settings_clear_day(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    date: NaiveDate,
    seen: Option<CalendarDay>,
) -> Result<(), ErrorDto> {
    let s = signed.get()?;
    Ok(store.engine()?.engine.edit_calendar_day(
        &s,
        &CalendarEdit::ClearDay { date },
        seen.as_ref(),
    )?)
}

/// Imports a holiday table CSV (`date,kind,festival`) chosen in the Open dialog; returns the
/// number of dates (`None` = cancelled). A bad row names its file, line and field, and nothing
/// changes.
#[tauri::command]
pub async fn settings_import_calendar(
    app: AppHandle,
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
) -> Result<Option<usize>, ErrorDto> {
    let s = signed.get()?;
    let loaded = store.engine()?;
    let picked = app
        .dialog()
        .file()
        .set_title("节假日表 / Holiday table")
        .add_filter("CSV", &["csv"])
        .blocking_pick_file()
        .and_then(|p| p.into_path().ok());
    let Some(path) = picked else {
        return Ok(None);
    };
    Ok(Some(loaded.engine.import_calendar(&s, &path)?))
}

/// Writes the holiday table's template (`date,kind,festival` with one example row) where the
/// user points the Save dialog; returns where (`None` = cancelled).
#[tauri::command]
pub async fn settings_calendar_template(
    app: AppHandle,
    chosen: State<'_, crate::transfer::ChosenExports>,
) -> Result<Option<String>, ErrorDto> {
    let dialog = app
        .dialog()
        .file()
        .set_title("节假日表模板 / Holiday table template")
        .add_filter("CSV", &["csv"])
        .set_file_name("节假日表模板.csv");
    let Some(path) = crate::transfer::save_dialog(&chosen, dialog).await? else {
        return Ok(None);
    };
    let out = path.clone();
    tauri::async_runtime::spawn_blocking(move || {
        griddesk::io::templates::write_calendar_template(&out)
    })
    .await
    .map_err(|e| ErrorDto::shell(crate::error::ShellErrorKind::Window, e.to_string()))??;
    Ok(Some(path.display().to_string()))
}

/// The filing conditions of one minor class with their limits per stage and area class.
#[tauri::command]
pub async fn settings_limits(
    store: State<'_, Store>,
    kind: CaseKind,
    class_code: String,
) -> Result<Vec<FilingCondition>, ErrorDto> {
    let std = store.engine()?.engine.filing_standard()?;
    Ok(std
        .conditions_of(kind, class_code.trim())
        .into_iter()
        .cloned()
        .collect())
}

/// Sets one limit of one condition; the condition becomes the centre's own (not the shipped
/// default). `edit.seen` is the limit the form showed. Returns the class's conditions as
/// stored.
#[tauri::command]
pub async fn settings_set_limit(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    edit: LimitEdit,
) -> Result<Vec<FilingCondition>, ErrorDto> {
    let s = signed.get()?;
    Ok(store.engine()?.engine.set_time_limit(&s, &edit)?)
}
