//! The analytics facade on [`Engine`]: every view takes a [`CaseFilter`] and reads the columnar
//! snapshot of the current indexes (built on first use and rebuilt with them on reload).

use super::choropleth::{BreakMethod, Choropleth};
use super::columns::{CaseColumns, OverdueRule};
use super::evaluation::EvaluationConfig;
use super::filter::{CaseFilter, CompiledFilter};
use super::heatmap::{Heatmap, HeatmapParams};
use super::hotspots::{HotspotParams, Hotspots};
use super::load::{LoadBalance, LoadParams};
use super::trends::{Bucket, Trends};
use crate::engine::{Engine, Loaded};
use crate::error::Result;
use std::sync::Arc;

/// Store metadata key of the evaluation configuration (JSON).
pub const EVALUATION_CONFIG_KEY: &str = "analytics.evaluation_config";

/// Days after which a still-open case counts as overdue until the workflow gives deadlines.
pub const PROVISIONAL_OVERDUE_DAYS: u32 = 7;

/// The columnar snapshot of one [`Loaded`] state.
pub fn columns_of(l: &Loaded) -> Arc<CaseColumns> {
    Arc::clone(l.analytics.get_or_init(|| {
        let today = chrono::Local::now().date_naive();
        Arc::new(CaseColumns::from_index(
            &l.index,
            OverdueRule {
                days: PROVISIONAL_OVERDUE_DAYS,
                as_of: today,
            },
        ))
    }))
}

impl Engine {
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
        Ok(Choropleth::compute(&cols, &rows, method, classes))
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
        Ok(super::hotspots::hotspots(
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
        Ok(super::trends::trends(
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
        let span = cols
            .day_span()
            .map(|(a, b)| (super::columns::day_date(a), super::columns::day_date(b)));
        match (f.from.or(span.map(|s| s.0)), f.to.or(span.map(|s| s.1))) {
            (Some(a), Some(b)) => super::trends::windows(a, b, bucket),
            _ => vec![],
        }
    }

    /// The evaluation weights, bands and grades kept in the store (SPEC defaults if none).
    pub fn evaluation_config(&self) -> Result<EvaluationConfig> {
        match self.store().meta(EVALUATION_CONFIG_KEY)? {
            Some(text) => EvaluationConfig::from_json(&text, EVALUATION_CONFIG_KEY),
            None => Ok(EvaluationConfig::default()),
        }
    }

    /// Keeps evaluation weights, bands and grades in the store (one transaction).
    pub fn set_evaluation_config(&self, cfg: &EvaluationConfig) -> Result<()> {
        let text = serde_json::to_string(cfg)
            .map_err(|e| crate::error::Error::Invalid(format!("evaluation config: {e}")))?;
        self.store()
            .write(|w| w.set_meta(EVALUATION_CONFIG_KEY, &text))
    }

    /// Per-grid workload and flags against the district median.
    pub fn load_balance(&self, p: &LoadParams) -> LoadBalance {
        super::load::load_balance(&self.case_columns(), p)
    }
}
