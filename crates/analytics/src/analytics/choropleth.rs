//! Per-grid choropleth: case count, cases per hectare and overdue share of every active grid for
//! a filter, with class breaks (quantiles or Jenks natural breaks) for the legend.
//!
//! "Overdue" is the workflow's one judgement (SPEC §4.6: the running stage clock has used more
//! than its limit at a moment), given as row-aligned flags (`Engine::overdue_flags`).

use super::columns::{CaseColumns, NONE};
use serde::{Deserialize, Serialize};

/// How to cut a value range into legend classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum BreakMethod {
    /// Equal numbers of grids per class.
    #[default]
    Quantile,
    /// Jenks natural breaks (Fisher's exact optimisation, on at most 512 quantile samples).
    Jenks,
}

/// Class breaks: `k + 1` ascending bounds from the minimum to the maximum value (repeated
/// bounds removed, so there may be fewer classes than asked for).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Breaks {
    pub method: BreakMethod,
    pub bounds: Vec<f64>,
}

/// Per-grid values for one filter, parallel arrays over the active grids.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Choropleth {
    /// Grid codes (active grids, index order).
    pub codes: Vec<String>,
    /// Matching cases per grid.
    pub cases: Vec<u32>,
    /// Matching cases per hectare of grid area.
    pub per_ha: Vec<f32>,
    /// Overdue matching cases per grid.
    pub overdue: Vec<u32>,
    /// `overdue / cases`, `None` for grids without cases.
    pub overdue_share: Vec<Option<f32>>,
    pub breaks_cases: Breaks,
    pub breaks_per_ha: Breaks,
    pub breaks_overdue_share: Breaks,
    /// Matching cases in total.
    pub total: usize,
    /// Matching cases outside every active grid.
    pub unlocated: usize,
}

/// Counts per grid index (all grids, retired included) of the rows: `(cases, overdue)`;
/// `overdue` is row-aligned with `cols`.
pub fn grid_counts(
    cols: &CaseColumns,
    rows: &[u32],
    overdue_flags: &[bool],
) -> (Vec<u32>, Vec<u32>, usize) {
    let n = cols.regions.grid_count();
    let mut cases = vec![0u32; n];
    let mut overdue = vec![0u32; n];
    let mut unlocated = 0;
    for &r in rows {
        let r = r as usize;
        let g = cols.grid[r];
        if g == NONE {
            unlocated += 1;
            continue;
        }
        cases[g as usize] += 1;
        overdue[g as usize] += u32::from(overdue_flags.get(r).copied().unwrap_or(false));
    }
    (cases, overdue, unlocated)
}

impl Choropleth {
    /// Computes the per-grid values of `rows` with `classes` legend classes; `overdue` is
    /// row-aligned with `cols` (the workflow's judgement at one moment).
    pub fn compute(
        cols: &CaseColumns,
        rows: &[u32],
        overdue: &[bool],
        method: BreakMethod,
        classes: usize,
    ) -> Self {
        let reg = &cols.regions;
        let (c, o, mut unlocated) = grid_counts(cols, rows, overdue);
        let active: Vec<usize> = (0..reg.grid_count())
            .filter(|&g| reg.grid_active[g])
            .collect();
        unlocated += (0..reg.grid_count())
            .filter(|&g| !reg.grid_active[g])
            .map(|g| c[g] as usize)
            .sum::<usize>();
        let cases: Vec<u32> = active.iter().map(|&g| c[g]).collect();
        let overdue: Vec<u32> = active.iter().map(|&g| o[g]).collect();
        let per_ha: Vec<f32> = active
            .iter()
            .map(|&g| {
                let ha = reg.grid_area_m2[g] / 1e4;
                if ha > 0.0 {
                    (f64::from(c[g]) / ha) as f32
                } else {
                    0.0
                }
            })
            .collect();
        let overdue_share: Vec<Option<f32>> = active
            .iter()
            .map(|&g| (c[g] > 0).then(|| o[g] as f32 / c[g] as f32))
            .collect();
        let f = |v: &[f64]| breaks(v, method, classes);
        Choropleth {
            codes: active
                .iter()
                .map(|&g| reg.grid_codes[g].as_str().to_owned())
                .collect(),
            breaks_cases: f(&cases.iter().map(|&v| f64::from(v)).collect::<Vec<_>>()),
            breaks_per_ha: f(&per_ha.iter().map(|&v| f64::from(v)).collect::<Vec<_>>()),
            breaks_overdue_share: f(&overdue_share
                .iter()
                .flatten()
                .map(|&v| f64::from(v))
                .collect::<Vec<_>>()),
            cases,
            per_ha,
            overdue,
            overdue_share,
            total: rows.len(),
            unlocated,
        }
    }
}

/// Class breaks of `values` (any order; NaN ignored).
pub fn breaks(values: &[f64], method: BreakMethod, classes: usize) -> Breaks {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    v.sort_unstable_by(f64::total_cmp);
    let k = classes.max(1);
    let mut bounds = if v.is_empty() {
        vec![]
    } else {
        match method {
            BreakMethod::Quantile => (0..=k)
                .map(|i| quantile_sorted(&v, i as f64 / k as f64))
                .collect(),
            BreakMethod::Jenks => {
                let sample: Vec<f64> = if v.len() > 512 {
                    (0..512)
                        .map(|i| quantile_sorted(&v, i as f64 / 511.0))
                        .collect()
                } else {
                    v.clone()
                };
                jenks(&sample, k)
            }
        }
    };
    bounds.dedup();
    Breaks { method, bounds }
}

/// The `q` quantile of sorted values (linear interpolation).
pub fn quantile_sorted(v: &[f64], q: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let pos = q.clamp(0.0, 1.0) * (v.len() - 1) as f64;
    let (i, f) = (pos.floor() as usize, pos.fract());
    if i + 1 < v.len() {
        v[i] + f * (v[i + 1] - v[i])
    } else {
        v[i]
    }
}

/// Jenks natural breaks of sorted values into `k` classes (Fisher's dynamic programme minimising
/// the within-class sum of squared deviations). Returns `k + 1` bounds (min … max).
pub fn jenks(v: &[f64], k: usize) -> Vec<f64> {
    let n = v.len();
    if n == 0 {
        return vec![];
    }
    let k = k.min(n).max(1);
    // Prefix sums for O(1) class cost.
    let mut s1 = vec![0.0; n + 1];
    let mut s2 = vec![0.0; n + 1];
    for i in 0..n {
        s1[i + 1] = s1[i] + v[i];
        s2[i + 1] = s2[i] + v[i] * v[i];
    }
    let ssd = |a: usize, b: usize| {
        // values a..b (exclusive)
        let m = (b - a) as f64;
        let s = s1[b] - s1[a];
        s2[b] - s2[a] - s * s / m
    };
    // cost[j][i]: best cost of the first i values in j + 1 classes; cut[j][i]: start of last class.
    let mut cost = vec![vec![f64::INFINITY; n + 1]; k];
    let mut cut = vec![vec![0usize; n + 1]; k];
    for (i, c) in cost[0].iter_mut().enumerate().skip(1) {
        *c = ssd(0, i);
    }
    for j in 1..k {
        for i in j + 1..=n {
            for s in j..i {
                let c = cost[j - 1][s] + ssd(s, i);
                if c < cost[j][i] {
                    cost[j][i] = c;
                    cut[j][i] = s;
                }
            }
        }
    }
    let mut starts = vec![0usize; k];
    let mut i = n;
    for j in (1..k).rev() {
        starts[j] = cut[j][i];
        i = starts[j];
    }
    let mut b: Vec<f64> = vec![v[0]];
    b.extend(starts[1..].iter().map(|&s| v[s]));
    b.push(v[n - 1]);
    b
}

#[cfg(test)]
mod tests {
    use super::super::columns::tests::{regions, row};
    use super::super::columns::CaseColumns;
    use super::*;
    use crate::model::CaseStatus;

    #[test]
    fn counts_rates_and_overdue_per_grid() {
        let mut rows = vec![];
        for i in 0..30u32 {
            let mut r = row(&format!("c{i}"), "2026-06-01", "0101", i % 3);
            if i % 2 == 0 {
                r.status = CaseStatus::Handling;
            }
            rows.push(r);
        }
        let mut regs = regions();
        regs.grid_area_m2[1] = 5_000.0;
        regs.grid_active[2] = false;
        let cols = CaseColumns::from_rows(regs, [121.26, 28.64], rows.into_iter());
        let sel: Vec<u32> = (0..30).collect();
        // Overdue: the open ones (even i), as the workflow would flag them.
        let flags: Vec<bool> = cols
            .ids
            .iter()
            .map(|id| id[1..].parse::<u32>().is_ok_and(|i| i % 2 == 0))
            .collect();
        let ch = Choropleth::compute(&cols, &sel, &flags, BreakMethod::Quantile, 4);
        // Grid 2 is retired: 7 active grids, its 10 cases are unlocated.
        assert_eq!(ch.codes.len(), 7);
        assert_eq!(ch.unlocated, 10);
        assert_eq!(&ch.cases[..3], &[10, 10, 0]);
        assert_eq!(ch.per_ha[0], 10.0);
        assert_eq!(ch.per_ha[1], 20.0);
        // Overdue i in grid 0 are 0,3,…,27 → even ones 0,6,12,18,24 = 5.
        assert_eq!(ch.overdue[0], 5);
        assert_eq!(ch.overdue_share[0], Some(0.5));
        assert_eq!(ch.overdue_share[2], None);
        assert_eq!(ch.total, 30);
    }

    #[test]
    fn quantile_breaks_split_evenly() {
        let v: Vec<f64> = (0..=100).map(f64::from).collect();
        let b = breaks(&v, BreakMethod::Quantile, 4);
        assert_eq!(b.bounds, vec![0.0, 25.0, 50.0, 75.0, 100.0]);
    }

    #[test]
    fn jenks_finds_obvious_groups() {
        let v = [1.0, 2.0, 1.5, 10.0, 11.0, 10.5, 30.0, 31.0, 29.0];
        let b = breaks(&v, BreakMethod::Jenks, 3);
        assert_eq!(b.bounds, vec![1.0, 10.0, 29.0, 31.0]);
    }

    #[test]
    fn jenks_is_no_worse_than_quantiles() {
        // Sum of squared deviations within classes for bounds (class i = [b_i, b_{i+1})).
        fn gvf(v: &[f64], b: &[f64]) -> f64 {
            let mut t = 0.0;
            for w in 0..b.len() - 1 {
                let last = w == b.len() - 2;
                let c: Vec<f64> = v
                    .iter()
                    .copied()
                    .filter(|&x| x >= b[w] && (x < b[w + 1] || (last && x <= b[w + 1])))
                    .collect();
                if c.is_empty() {
                    continue;
                }
                let m = c.iter().sum::<f64>() / c.len() as f64;
                t += c.iter().map(|x| (x - m).powi(2)).sum::<f64>();
            }
            t
        }
        let v: Vec<f64> = (0..200)
            .map(|i| f64::from((i * i) % 97 + (i % 7) * 30))
            .collect();
        let mut s = v.clone();
        s.sort_by(f64::total_cmp);
        let j = breaks(&v, BreakMethod::Jenks, 5);
        let q = breaks(&v, BreakMethod::Quantile, 5);
        assert!(gvf(&s, &j.bounds) <= gvf(&s, &q.bounds) + 1e-9);
    }
}
