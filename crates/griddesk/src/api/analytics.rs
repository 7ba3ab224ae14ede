//! The analytics facade on [`Engine`]: every view takes a [`CaseFilter`] and reads the columnar
//! snapshot of the current indexes (built on first use and rebuilt with them on reload).

#[allow(unused_imports)]
use crate::ports::*;

use crate::analytics::choropleth::{BreakMethod, Choropleth};
use crate::analytics::columns::CaseColumns;
use crate::analytics::evaluation::EvaluationConfig;
use crate::analytics::evaluation::{Indicator, Period, TableKind};
use crate::analytics::filter::{CaseFilter, CompiledFilter};
use crate::analytics::heatmap::{Heatmap, HeatmapParams};
use crate::analytics::hotspots::{HotspotParams, Hotspots};
use crate::analytics::load::{LoadBalance, LoadParams};
use crate::analytics::report::{Bulletin, Sheet};
use crate::analytics::summary::{self, GroupBy, SummaryRow};
use crate::analytics::trends::{Bucket, Trends};
use crate::engine::{Engine, Loaded};
use crate::error::Result;
use chrono::{Datelike, NaiveDateTime, Timelike};
use std::sync::Arc;

/// The calendar month a filter's dates cover exactly, if they do.
fn month_of(f: &CaseFilter) -> Option<Period> {
    let (a, b) = (f.from?, f.to?);
    let p = Period::month(a.year(), a.month())?;
    let last = p.end.date().pred_opt()?;
    (a.day() == 1 && b == last).then_some(p)
}

/// Store metadata key of the evaluation configuration (JSON).
pub const EVALUATION_CONFIG_KEY: &str = "analytics.evaluation_config";

/// The columnar snapshot of one [`Loaded`] state.
pub fn columns_of(l: &Loaded) -> Arc<CaseColumns> {
    let built = l.analytics.get_or_init(|| {
        let columns: griddesk_spatial::loaded::Derived =
            Arc::new(CaseColumns::from_index(&l.index));
        columns
    });
    // Only this function fills the slot, always with `CaseColumns`.
    Arc::clone(built)
        .downcast::<CaseColumns>()
        .unwrap_or_else(|_| Arc::new(CaseColumns::from_index(&l.index)))
}

/// The moment a figure is judged at when nobody names one: now (local time), to the minute, so
/// that every view asked within one minute shows the same overdue count.
pub fn now_minute() -> NaiveDateTime {
    let n = chrono::Local::now().naive_local();
    n.with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(n)
}

/// What a bulletin covers.
#[derive(Debug, Clone, PartialEq)]
pub struct BulletinSpec {
    /// The cases (normally one month's reports).
    pub filter: CaseFilter,
    /// e.g. `2026年3月`.
    pub period: String,
    /// The moment open and overdue are judged at.
    pub as_of: NaiveDateTime,
    /// Raster size of the heatmap.
    pub heatmap_size: (usize, usize),
}

impl Engine {
    /// Whether each row of [`Self::case_columns`] is overdue at `at`: the workflow's one
    /// judgement (SPEC §4.6, `Engine::overdue_ids`). Kept for the last moment asked.
    pub fn overdue_flags(&self, at: NaiveDateTime) -> Result<Arc<Vec<bool>>> {
        {
            let l = self.loaded();
            let cached = l.overdue.lock().ok().and_then(|g| g.clone());
            if let Some((t, flags)) = cached {
                if t == at {
                    return Ok(flags);
                }
            }
        }
        let ids = self.overdue_ids(at)?;
        let l = self.loaded();
        let flags = Arc::new(columns_of(&l).flags_of(&ids));
        if let Ok(mut g) = l.overdue.lock() {
            *g = Some((at, Arc::clone(&flags)));
        }
        Ok(flags)
    }

    /// Cases, open, closed and overdue (at the filter's `as_of`, default now) of the filtered
    /// cases by street, community or department (definitions in [`crate::analytics::summary`]).
    pub fn case_summary(&self, f: &CaseFilter, by: GroupBy) -> Result<Vec<SummaryRow>> {
        let (cols, rows) = self.select_cases(f)?;
        let flags = self.overdue_flags(f.as_of.unwrap_or_else(now_minute))?;
        Ok(summary::summary(&cols, &rows, &flags, by))
    }

    /// The filtered cases' totals (district row of [`Self::case_summary`]).
    pub fn case_totals(&self, f: &CaseFilter) -> Result<summary::Counts> {
        let (cols, rows) = self.select_cases(f)?;
        let flags = self.overdue_flags(f.as_of.unwrap_or_else(now_minute))?;
        Ok(summary::totals(&cols, &rows, &flags))
    }

    /// The monthly bulletin as one HTML page, the same for the app and the CLI: key figures
    /// (cases, previous period, change, open, closed, overdue at `as_of`; for a calendar month
    /// also the evaluation's 立案数, 结案率 and 按期结案率), the street table, the evaluation's
    /// street and department tables, hotspots, heatmap and trend.
    pub fn bulletin(&self, spec: &BulletinSpec) -> Result<String> {
        let mut f = spec.filter.clone();
        f.as_of = Some(spec.as_of);
        let (cols, rows) = self.select_cases(&f)?;
        let flags = self.overdue_flags(spec.as_of)?;
        let t = summary::totals(&cols, &rows, &flags);
        let streets = summary::summary(&cols, &rows, &flags, GroupBy::Street);
        let prev = match f.previous_period() {
            Some(p) => Some(self.case_ids(&p)?.len()),
            None => None,
        };
        let (w, h) = spec.heatmap_size;
        let hm = self.heatmap(
            &f,
            &HeatmapParams {
                width: w,
                height: h,
                ..HeatmapParams::default()
            },
        )?;
        let tr = self.trends(&f, Bucket::Day, 6)?;
        let hs = self.hotspots(&f, &HotspotParams::default())?;
        let mut figures: Vec<(String, String)> = vec![("案件数".into(), t.cases.to_string())];
        if let Some(p) = prev {
            figures.push(("上期案件数".into(), p.to_string()));
            figures.push((
                "环比(%)".into(),
                if p > 0 {
                    format!("{:+.1}", (f64::from(t.cases) - p as f64) / p as f64 * 100.0)
                } else {
                    "-".into()
                },
            ));
        }
        figures.push(("未结案数".into(), t.open.to_string()));
        figures.push(("已结案数".into(), t.closed.to_string()));
        figures.push((
            format!("超期数（{}）", spec.as_of.format("%Y-%m-%d %H:%M")),
            t.overdue.to_string(),
        ));
        let mut tables = vec![summary::summary_sheet(&streets, GroupBy::Street)];
        if let Some(period) = month_of(&f) {
            let ev = self.evaluate_period(&period)?;
            if let Some(d) = ev.table(TableKind::District) {
                if let Some(row) = d.rows.first() {
                    let pct = |v: Option<f64>| v.map_or("-".into(), |x| format!("{x:.2}"));
                    if let Some(n) = d.count(row, Indicator::Filed) {
                        figures.push(("立案数".into(), n.to_string()));
                    }
                    figures.push(("结案率(%)".into(), pct(d.rate(row, "closure_rate"))));
                    figures.push((
                        "按期结案率(%)".into(),
                        pct(d.rate(row, "on_time_closure_rate")),
                    ));
                }
            }
            for k in [TableKind::Street, TableKind::Department] {
                if let Some(t) = ev.table(k) {
                    tables.push(Sheet::from_eval(t));
                }
            }
        }
        tables.extend(Sheet::from_hotspots(&hs));
        let district = cols.regions.district_name.clone().unwrap_or_default();
        crate::analytics::report::bulletin_html(&Bulletin {
            title: format!("{district}数字城管月度简报"),
            period: spec.period.clone(),
            figures,
            tables,
            heatmap: Some(&hm),
            trends: Some(&tr),
        })
    }

    /// The columnar case snapshot behind every analytics view.
    pub fn case_columns(&self) -> Arc<CaseColumns> {
        columns_of(&self.loaded())
    }

    /// Rows of the snapshot that pass `f`.
    pub fn select_cases(&self, f: &CaseFilter) -> Result<(Arc<CaseColumns>, Vec<u32>)> {
        let cols = self.case_columns();
        let rows = CompiledFilter::new(f, &cols)?.select(&cols);
        Ok((cols, rows))
    }

    /// Case ids passing `f` (drill-down of any map figure).
    pub fn case_ids(&self, f: &CaseFilter) -> Result<Vec<String>> {
        let (cols, rows) = self.select_cases(f)?;
        Ok(rows
            .iter()
            .map(|&r| cols.ids[r as usize].to_string())
            .collect())
    }

    /// Kernel-density heatmap of the filtered cases.
    pub fn heatmap(&self, f: &CaseFilter, p: &HeatmapParams) -> Result<Heatmap> {
        let (cols, rows) = self.select_cases(f)?;
        Heatmap::compute(&cols, &rows, p)
    }

    /// Per-grid counts, rate per hectare and overdue share of the filtered cases.
    pub fn grid_choropleth(
        &self,
        f: &CaseFilter,
        method: BreakMethod,
        classes: usize,
    ) -> Result<Choropleth> {
        let (cols, rows) = self.select_cases(f)?;
        let flags = self.overdue_flags(f.as_of.unwrap_or_else(now_minute))?;
        Ok(Choropleth::compute(&cols, &rows, &flags, method, classes))
    }

    /// Top grids and places, compared with the previous period of equal length.
    pub fn hotspots(&self, f: &CaseFilter, p: &HotspotParams) -> Result<Hotspots> {
        let (cols, rows) = self.select_cases(f)?;
        let prev = f.previous_period();
        let prev_rows = match &prev {
            Some(pf) => Some(CompiledFilter::new(pf, &cols)?.select(&cols)),
            None => None,
        };
        let period = prev.as_ref().and_then(|p| Some((p.from?, p.to?)));
        Ok(crate::analytics::hotspots::hotspots(
            &cols,
            &rows,
            prev_rows.as_deref(),
            period,
            p,
        ))
    }

    /// Cases per bucket by class (top `top` majors + other) and source.
    pub fn trends(&self, f: &CaseFilter, bucket: Bucket, top: usize) -> Result<Trends> {
        let (cols, rows) = self.select_cases(f)?;
        Ok(crate::analytics::trends::trends(
            &cols, &rows, f.from, f.to, bucket, top,
        ))
    }

    /// Playback windows of the time slider over the filter's dates (or all cases' days).
    pub fn playback_windows(
        &self,
        f: &CaseFilter,
        bucket: Bucket,
    ) -> Vec<(chrono::NaiveDate, chrono::NaiveDate)> {
        let cols = self.case_columns();
        let span = cols.day_span().map(|(a, b)| {
            (
                crate::analytics::columns::day_date(a),
                crate::analytics::columns::day_date(b),
            )
        });
        match (f.from.or(span.map(|s| s.0)), f.to.or(span.map(|s| s.1))) {
            (Some(a), Some(b)) => crate::analytics::trends::windows(a, b, bucket),
            _ => vec![],
        }
    }

    /// The evaluation weights, bands and grades kept in the store (SPEC defaults if none).
    pub fn evaluation_config(&self) -> Result<EvaluationConfig> {
        evaluation_config_in(&self.store())
    }

    /// Keeps evaluation weights, bands and grades in the store (one transaction); only an
    /// administrator may. `seen` is the configuration the form was opened with: when someone
    /// else changed it since, nothing is written (docs/trust.md, "Stale edits"); `None` does
    /// not check.
    pub fn set_evaluation_config(
        &self,
        by: &crate::users::Session,
        cfg: &EvaluationConfig,
        seen: Option<&EvaluationConfig>,
    ) -> Result<()> {
        self.require_role(
            by,
            &[crate::users::Role::Admin],
            crate::error::Permission::ConfigureEvaluation,
        )?;
        cfg.check()?;
        let text = serde_json::to_string(cfg)
            .map_err(|e| crate::error::Error::Internal(format!("evaluation config: {e}")))?;
        let thing = crate::message::Thing::EvaluationSettings;
        let mut store = self.store();
        let generation = store.external_generation()?;
        let before = evaluation_config_in(&store)?;
        crate::audit::unchanged_since(thing, EVALUATION_CONFIG_KEY, seen, &before)?;
        let entry = crate::audit::AuditEntry::by(by, "settings.evaluation", EVALUATION_CONFIG_KEY)
            .before(&before)
            .after(cfg);
        store.write(|w| {
            Engine::still_current(&w.db(), generation, thing, EVALUATION_CONFIG_KEY)?;
            w.set_meta(EVALUATION_CONFIG_KEY, &text)?;
            w.db().record_audit(&entry)?;
            Ok(())
        })
    }

    /// Per-grid workload and flags against the district median.
    pub fn load_balance(&self, p: &LoadParams) -> LoadBalance {
        crate::analytics::load::load_balance(&self.case_columns(), p)
    }
}

/// The evaluation configuration as `store` holds it.
fn evaluation_config_in(store: &crate::store::Store) -> Result<EvaluationConfig> {
    match store.meta(EVALUATION_CONFIG_KEY)? {
        Some(text) => EvaluationConfig::from_json(&text, EVALUATION_CONFIG_KEY),
        None => Ok(EvaluationConfig::default()),
    }
}
