//! Load balance for planners: per-grid workload (cases of the last months plus components) and
//! the grids far above or below the district median.
//!
//! workload = `case_weight` × cases reported in the `months` months up to `as_of` +
//! `component_weight` × components. A grid is *high* when its workload is at least `factor` ×
//! the median of the active grids, *low* when at most median / `factor`.

use super::choropleth::grid_counts;
use super::columns::{day_number, CaseColumns};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Load-balance settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LoadParams {
    pub as_of: NaiveDate,
    pub months: u32,
    pub case_weight: f64,
    pub component_weight: f64,
    pub factor: f64,
}

impl LoadParams {
    /// Defaults: 12 months, a case weighs 1, a component 0.1, flags at 2× / ½ the median.
    pub fn new(as_of: NaiveDate) -> Self {
        Self {
            as_of,
            months: 12,
            case_weight: 1.0,
            component_weight: 0.1,
            factor: 2.0,
        }
    }
}

/// Where a grid's workload stands against the median.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum LoadFlag {
    High,
    Normal,
    Low,
}

/// One grid's workload.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GridLoad {
    pub code: String,
    pub name: String,
    pub cases: u32,
    pub components: u32,
    pub workload: f64,
    /// workload / median (`None` when the median is 0).
    pub ratio: Option<f64>,
    pub flag: LoadFlag,
}

/// Workload of every active grid.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LoadBalance {
    pub params: LoadParams,
    /// First day counted.
    pub from: NaiveDate,
    pub median: f64,
    pub high: usize,
    pub low: usize,
    pub grids: Vec<GridLoad>,
}

/// Computes the load balance over all cases of the snapshot.
pub fn load_balance(cols: &CaseColumns, p: &LoadParams) -> LoadBalance {
    let from = p
        .as_of
        .checked_sub_months(chrono::Months::new(p.months))
        .and_then(|d| d.succ_opt())
        .unwrap_or(NaiveDate::MIN);
    let range = cols.day_range(day_number(from), day_number(p.as_of));
    let rows: Vec<u32> = range.map(|i| i as u32).collect();
    let (cases, _, _) = grid_counts(cols, &rows, &[]);
    let reg = &cols.regions;
    let active: Vec<usize> = (0..reg.grid_count())
        .filter(|&g| reg.grid_active[g])
        .collect();
    let work: Vec<f64> = active
        .iter()
        .map(|&g| {
            p.case_weight * f64::from(cases[g])
                + p.component_weight * f64::from(reg.grid_components[g])
        })
        .collect();
    let mut sorted = work.clone();
    sorted.sort_unstable_by(f64::total_cmp);
    let median = if sorted.is_empty() {
        0.0
    } else {
        super::choropleth::quantile_sorted(&sorted, 0.5)
    };
    let factor = p.factor.max(1.0);
    let grids: Vec<GridLoad> = active
        .iter()
        .zip(&work)
        .map(|(&g, &w)| {
            let ratio = (median > 0.0).then(|| w / median);
            let flag = match ratio {
                Some(r) if r >= factor => LoadFlag::High,
                Some(r) if r <= 1.0 / factor => LoadFlag::Low,
                None if w > 0.0 => LoadFlag::High,
                _ => LoadFlag::Normal,
            };
            GridLoad {
                code: reg.grid_codes[g].as_str().to_owned(),
                name: reg.grid_names[g].clone(),
                cases: cases[g],
                components: reg.grid_components[g],
                workload: w,
                ratio,
                flag,
            }
        })
        .collect();
    LoadBalance {
        params: *p,
        from,
        median,
        high: grids.iter().filter(|g| g.flag == LoadFlag::High).count(),
        low: grids.iter().filter(|g| g.flag == LoadFlag::Low).count(),
        grids,
    }
}

#[cfg(test)]
mod tests {
    use super::super::columns::tests::{date, regions, row};
    use super::*;

    #[test]
    fn flags_grids_far_from_the_median() {
        // Components per grid: 10, 20, 10, 20, … (see the test regions). Cases in the window:
        // grid 0: 30, grid 1: 2, grids 2–7: 4 each; one old case in grid 1 is outside it.
        let mut rows = vec![];
        let mut n = 0;
        let mut add = |g: u32, k: u32, day: &str| {
            for _ in 0..k {
                rows.push(row(&format!("c{n}"), day, "0101", g));
                n += 1;
            }
        };
        add(0, 30, "2026-05-01");
        add(1, 2, "2026-06-01");
        add(1, 1, "2025-06-30");
        for g in 2..8 {
            add(g, 4, "2025-07-01");
        }
        let cols = CaseColumns::from_rows(regions(), [121.26, 28.64], rows.into_iter());
        let lb = load_balance(&cols, &LoadParams::new(date("2026-06-30")));
        assert_eq!(lb.from, date("2025-07-01"));
        let w: Vec<f64> = lb.grids.iter().map(|g| g.workload).collect();
        assert_eq!(w, vec![31.0, 4.0, 5.0, 6.0, 5.0, 6.0, 5.0, 6.0]);
        // Sorted: 4 5 5 5 6 6 6 31 → median 5.5; 31 ≥ 11 high; nothing ≤ 2.75.
        assert_eq!(lb.median, 5.5);
        assert_eq!(lb.grids[0].flag, LoadFlag::High);
        assert_eq!((lb.high, lb.low), (1, 0));
        let strict = load_balance(
            &cols,
            &LoadParams {
                factor: 1.3,
                ..LoadParams::new(date("2026-06-30"))
            },
        );
        // 4 ≤ 5.5 / 1.3 = 4.23 → low.
        assert_eq!(strict.grids[1].flag, LoadFlag::Low);
    }
}
