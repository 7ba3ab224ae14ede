//! Performance evaluation commands (SPEC §5): one table of one month from the recorded case
//! loop (`Engine::evaluate_period`), the cases behind any of its numbers, the weights, bands and
//! grades kept in the store, and the export of exactly the shown table (XLSX / CSV, Chinese
//! headers, through the analytics export path).

use crate::analytics::{export_path, safe_name, DrillDto, TableFormat, MAX_DRILL};
use crate::cases::SignedIn;
use crate::error::{invalid, ErrorDto};
use crate::store::Store;
use griddesk::analytics::evaluation::{
    EvalTable, EvaluationConfig, Indicator, ObjectRef, Period, TableKind,
};
use griddesk::analytics::report::{self, Sheet};
use griddesk::message::{Message, MessageCode as C};
use serde::Serialize;
use tauri::{AppHandle, State};
use ts_rs::TS;

/// Parses `YYYY-MM`.
pub(crate) fn month(period: &str) -> Result<Period, ErrorDto> {
    let bad = || {
        invalid(
            Message::new(C::NotAMonth)
                .text("value", period)
                .en(format!("period `{period}` is not a month YYYY-MM")),
        )
    };
    let (y, m) = period.trim().split_once('-').ok_or_else(bad)?;
    let (y, m) = (
        y.parse::<i32>().map_err(|_| bad())?,
        m.parse::<u32>().map_err(|_| bad())?,
    );
    Period::month(y, m).ok_or_else(bad)
}

fn table_kind(table: &str) -> Result<TableKind, ErrorDto> {
    TableKind::parse(table).ok_or_else(|| {
        invalid(
            Message::new(C::UnknownEvaluationTable)
                .text("value", table)
                .en(format!("unknown evaluation table `{table}`")),
        )
    })
}

/// One column of the shown table.
#[derive(Serialize, TS)]
pub struct ColumnDto {
    key: String,
    /// Chinese header (as exported).
    label: String,
    /// `count`, `rate` (%) or `score`.
    #[ts(type = "\"count\" | \"rate\" | \"score\"")]
    kind: &'static str,
    /// The indicator whose cases a click lists (a rate: its numerator; a score: the count it
    /// is banded on, or its rate's numerator).
    drill: &'static str,
    /// Weight in the composite (scores only).
    weight: Option<f64>,
}

/// One row: values in column order (`null` = no denominator).
#[derive(Serialize, TS)]
pub struct RowDto {
    index: u32,
    code: String,
    name: String,
    values: Vec<Option<f64>>,
    composite: Option<f64>,
    grade: Option<String>,
    sample: u32,
    rank: Option<u32>,
}

/// The shown table.
#[derive(Serialize, TS)]
pub struct TableDto {
    /// [`TableKind::key`], which is its serde name.
    #[ts(as = "TableKind")]
    table: &'static str,
    title: &'static str,
    period: String,
    min_sample: u32,
    /// The indicator the composite and rank drill to (the sample).
    sample: &'static str,
    columns: Vec<ColumnDto>,
    rows: Vec<RowDto>,
}

pub(crate) fn table_dto(t: &EvalTable, period: &str, min_sample: u32) -> TableDto {
    use griddesk::analytics::evaluation::tables::ScoreFrom;
    let mut columns: Vec<ColumnDto> = t
        .counts
        .iter()
        .map(|i| ColumnDto {
            key: i.key().into(),
            label: i.zh().into(),
            kind: "count",
            drill: i.key(),
            weight: None,
        })
        .collect();
    columns.extend(t.rates.iter().map(|r| ColumnDto {
        key: r.key.into(),
        label: format!("{}(%)", r.label),
        kind: "rate",
        drill: r.numerator.key(),
        weight: None,
    }));
    columns.extend(t.scores.iter().map(|s| ColumnDto {
        key: s.key.into(),
        label: s.label.into(),
        kind: "score",
        drill: match s.from {
            ScoreFrom::Bands(i) => i.key(),
            ScoreFrom::Rate(k) | ScoreFrom::InverseRate(k) => {
                t.rates.get(k).map_or(t.sample.key(), |r| r.numerator.key())
            }
        },
        weight: Some(s.weight),
    }));
    let rows = t
        .rows
        .iter()
        .map(|r| {
            let mut values: Vec<Option<f64>> =
                r.counts.iter().map(|&c| Some(f64::from(c))).collect();
            values.extend(r.rates.iter().copied());
            values.extend(r.scores.iter().copied());
            RowDto {
                index: r.object.index,
                code: r.code.clone(),
                name: r.name.clone(),
                values,
                composite: r.composite,
                grade: r.grade.clone(),
                sample: r.sample,
                rank: r.rank,
            }
        })
        .collect();
    TableDto {
        table: t.kind.key(),
        title: t.title,
        period: period.to_string(),
        min_sample,
        sample: t.sample.key(),
        columns,
        rows,
    }
}

fn evaluated(store: &Store, period: &str, table: &str) -> Result<(EvalTable, u32), ErrorDto> {
    let p = month(period)?;
    let kind = table_kind(table)?;
    let ev = store.engine()?.engine.evaluate_period(&p)?;
    let t = ev
        .tables
        .into_iter()
        .find(|t| t.kind == kind)
        .ok_or_else(|| {
            invalid(
                Message::new(C::UnknownEvaluationTable)
                    .text("value", table)
                    .en(format!("no evaluation table `{table}`")),
            )
        })?;
    Ok((t, ev.min_sample))
}

/// One evaluation table of a month (`YYYY-MM`).
#[tauri::command]
pub async fn evaluation_table(
    store: State<'_, Store>,
    period: String,
    table: String,
) -> Result<TableDto, ErrorDto> {
    let (t, min) = evaluated(&store, &period, &table)?;
    Ok(table_dto(&t, &period, min))
}

/// The cases behind one number: row `index` of `table`, counted by `indicator`.
#[tauri::command]
pub async fn evaluation_cases(
    store: State<'_, Store>,
    period: String,
    table: String,
    index: u32,
    indicator: String,
) -> Result<DrillDto, ErrorDto> {
    let p = month(&period)?;
    let kind = table_kind(&table)?;
    let ind = Indicator::parse(&indicator).ok_or_else(|| {
        invalid(
            Message::new(C::UnknownIndicator)
                .text("value", &indicator)
                .en(format!("unknown indicator `{indicator}`")),
        )
    })?;
    let mut ids =
        store
            .engine()?
            .engine
            .evaluation_cases(&p, ObjectRef { table: kind, index }, ind)?;
    let total = ids.len();
    ids.truncate(MAX_DRILL);
    Ok(DrillDto::new(total, ids))
}

/// The weights, bands, grades and minimum sample in force.
#[tauri::command]
pub async fn evaluation_config(store: State<'_, Store>) -> Result<EvaluationConfig, ErrorDto> {
    Ok(store.engine()?.engine.evaluation_config()?)
}

/// Keeps new weights, bands, grades and minimum sample (one transaction); returns them.
/// `seen` is the configuration the form was opened with: when someone else changed it since,
/// nothing is written.
#[tauri::command]
pub async fn set_evaluation_config(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    config: EvaluationConfig,
    seen: Option<EvaluationConfig>,
) -> Result<EvaluationConfig, ErrorDto> {
    let e = &store.engine()?.engine;
    e.set_evaluation_config(&signed.get()?, &config, seen.as_ref())?;
    Ok(e.evaluation_config()?)
}

/// Writes the shown table (same rows and columns, Chinese headers) as XLSX or CSV; returns
/// the path written (`None` = cancelled).
#[tauri::command]
pub async fn evaluation_export(
    app: AppHandle,
    store: State<'_, Store>,
    period: String,
    table: String,
    format: TableFormat,
    name: String,
) -> Result<Option<String>, ErrorDto> {
    let (t, _) = evaluated(&store, &period, &table)?;
    let sheet = Sheet::from_eval(&t);
    let ext = match format {
        TableFormat::Xlsx => "xlsx",
        TableFormat::Csv => "csv",
    };
    let file = safe_name(&name, ext)?;
    let Some(path) = export_path(&app, &file, ext)? else {
        return Ok(None);
    };
    match format {
        TableFormat::Xlsx => report::write_xlsx(&path, &[sheet])?,
        TableFormat::Csv => report::write_csv(&path, &sheet)?,
    }
    Ok(Some(path.display().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_parse() {
        assert!(month("2026-03").is_ok());
        assert!(month("2026-13").is_err());
        assert!(month("March").is_err());
    }
}
