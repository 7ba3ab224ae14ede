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
use griddesk::clock::TimeLimit;
use griddesk::filing::{AreaClass, FilingCondition, Stage};
use griddesk::model::CaseKind;
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

/// Adds or replaces the entry of a date.
#[tauri::command]
pub async fn settings_set_day(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    day: CalendarDay,
) -> Result<(), ErrorDto> {
    let s = signed.get()?;
    Ok(store
        .engine()?
        .engine
        .edit_calendar(&s, &[CalendarEdit::SetDay(day)])?)
}

/// Removes the entry of a date (it follows the Monday–Friday rule again).
#[tauri::command]
pub async fn settings_clear_day(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    date: NaiveDate,
) -> Result<(), ErrorDto> {
    let s = signed.get()?;
    Ok(store
        .engine()?
        .engine
        .edit_calendar(&s, &[CalendarEdit::ClearDay { date }])?)
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
/// default). Returns the class's conditions as stored.
#[allow(clippy::too_many_arguments)]
#[tauri::command]
pub async fn settings_set_limit(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    kind: CaseKind,
    class_code: String,
    condition: String,
    stage: Stage,
    area_class: AreaClass,
    limit: TimeLimit,
) -> Result<Vec<FilingCondition>, ErrorDto> {
    let s = signed.get()?;
    let loaded = store.engine()?;
    let e = &loaded.engine;
    let class_code = class_code.trim();
    let mut conds: Vec<FilingCondition> = e
        .filing_standard()?
        .conditions_of(kind, class_code)
        .into_iter()
        .cloned()
        .collect();
    let target = conds
        .iter_mut()
        .find(|c| c.condition == condition)
        .ok_or_else(|| griddesk::Error::NotFound {
            what: "filing condition",
            key: format!("{} {class_code}/{condition}", kind.key()),
        })?;
    set_limit(target, stage, area_class, limit)?;
    e.set_filing_conditions(&s, &conds)?;
    Ok(e.filing_standard()?
        .conditions_of(kind, class_code)
        .into_iter()
        .cloned()
        .collect())
}

fn set_limit(
    c: &mut FilingCondition,
    stage: Stage,
    area: AreaClass,
    limit: TimeLimit,
) -> Result<(), griddesk::Error> {
    let limit = TimeLimit::new(limit.amount, limit.unit)?;
    let slot = c
        .limits
        .iter_mut()
        .find(|l| l.stage == stage && l.area_class == area)
        .ok_or_else(|| griddesk::Error::NotFound {
            what: "time limit",
            key: format!(
                "{}/{} {} {}",
                c.class_code,
                c.condition,
                stage.key(),
                area.key()
            ),
        })?;
    slot.limit = limit;
    c.is_default = false;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use griddesk::clock::TimeUnit;
    use griddesk::filing::{StageLimit, Urgency};

    fn cond() -> FilingCondition {
        let mut limits = Vec::new();
        for stage in Stage::ALL {
            for area in AreaClass::ALL {
                limits.push(StageLimit {
                    stage: *stage,
                    area_class: *area,
                    limit: TimeLimit {
                        amount: 2.0,
                        unit: TimeUnit::WorkHour,
                    },
                });
            }
        }
        FilingCondition {
            kind: CaseKind::Component,
            class_code: "0101".into(),
            condition: "01".into(),
            filing: "井盖破损".into(),
            closing: "已修复".into(),
            urgency: Urgency::Ordinary,
            is_default: true,
            limits,
        }
    }

    #[test]
    fn setting_a_limit_changes_that_slot_only_and_marks_it_local() {
        let mut c = cond();
        let five_days = TimeLimit {
            amount: 5.0,
            unit: TimeUnit::WorkDay,
        };
        assert!(set_limit(&mut c, Stage::Handle, AreaClass::B, five_days).is_ok());
        assert_eq!(c.limit(Stage::Handle, AreaClass::B), Some(five_days));
        assert_eq!(
            c.limit(Stage::Handle, AreaClass::A).map(|l| l.unit),
            Some(TimeUnit::WorkHour)
        );
        assert!(!c.is_default);
        assert!(c.validate().is_ok());
    }

    #[test]
    fn a_limit_that_is_not_positive_is_refused_and_nothing_changes() {
        let mut c = cond();
        let before = c.clone();
        let zero = TimeLimit {
            amount: 0.0,
            unit: TimeUnit::WorkDay,
        };
        assert!(set_limit(&mut c, Stage::Handle, AreaClass::B, zero).is_err());
        assert_eq!(c, before);
    }
}
