//! Hotspots: the top-N grids and the top-N places (clusters of cases) for a filter, each compared
//! with the previous period of equal length.
//!
//! Places are found by density-based grouping on a fine raster (DBSCAN on cells): the cases are
//! counted on square cells of [`HotspotParams::cell_m`]; cells holding at least `min_cases` are
//! "dense"; 8-connected groups of dense cells form a place. A place reports the mean position of
//! its cases, the radius of the uniform disc with the same spread (√2 × RMS distance), its
//! count, its dominant class and the count of the previous period on the same cells.

use super::choropleth::grid_counts;
use super::columns::CaseColumns;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Hotspot settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HotspotParams {
    /// How many grids and places to return.
    pub top: usize,
    /// Cell size of the grouping raster, metres.
    pub cell_m: f64,
    /// Cases a cell needs to be dense; `None` = the 95th percentile of non-empty cells, at least 3.
    pub min_cases: Option<u32>,
}

impl Default for HotspotParams {
    fn default() -> Self {
        Self {
            top: 10,
            cell_m: 100.0,
            min_cases: None,
        }
    }
}

/// How a count moved against the previous period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Up,
    Down,
    Same,
    /// Nothing in the previous period.
    New,
}

/// A count with its previous-period comparison.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Change {
    pub current: u32,
    /// `None` when the filter has no closed date range.
    pub previous: Option<u32>,
    /// `(current − previous) / previous × 100`; `None` without a previous count above zero.
    pub change_pct: Option<f64>,
    pub direction: Option<Direction>,
}

impl Change {
    /// Compares two counts.
    pub fn new(current: u32, previous: Option<u32>) -> Self {
        let change_pct = previous
            .filter(|&p| p > 0)
            .map(|p| (f64::from(current) - f64::from(p)) / f64::from(p) * 100.0);
        let direction = previous.map(|p| match (p, current.cmp(&p)) {
            (0, std::cmp::Ordering::Greater) => Direction::New,
            (_, std::cmp::Ordering::Greater) => Direction::Up,
            (_, std::cmp::Ordering::Less) => Direction::Down,
            (_, std::cmp::Ordering::Equal) => Direction::Same,
        });
        Self {
            current,
            previous,
            change_pct,
            direction,
        }
    }
}

/// A grid among the busiest.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GridHotspot {
    pub rank: usize,
    pub code: String,
    pub name: String,
    /// Label point, lon/lat (to fly to on click).
    pub centre: [f64; 2],
    pub cases: Change,
}

/// A place where cases cluster.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Place {
    pub rank: usize,
    /// Mean position of its cases, lon/lat.
    pub centre: [f64; 2],
    pub radius_m: f64,
    /// Dense cells it spans.
    pub cells: usize,
    pub cases: Change,
    /// `event:0101` style key of the most frequent class.
    pub dominant_class: String,
    /// Name of that class (from the code tables), or its key.
    pub dominant_class_name: String,
    /// Code and name as shown in lists, `0504 占道经营` (the bare code if the tables lack it).
    pub dominant_class_label: String,
    /// Share of its cases in that class, 0–1.
    pub dominant_share: f64,
    /// Grid code at its centre cell's busiest grid, if any.
    pub grid: Option<String>,
}

/// Hotspots of one filter.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Hotspots {
    pub grids: Vec<GridHotspot>,
    pub places: Vec<Place>,
    /// The comparison period, when the filter has both dates.
    pub previous_period: Option<(NaiveDate, NaiveDate)>,
    /// The density threshold used, cases per cell.
    pub min_cases: u32,
}

struct Raster {
    x0: f32,
    y0: f32,
    inv: f32,
    nx: usize,
    ny: usize,
}

impl Raster {
    fn over(cols: &CaseColumns, cell_m: f64) -> Self {
        let e = cols.extent;
        let w = f64::from(e[2] - e[0]).max(1.0);
        let h = f64::from(e[3] - e[1]).max(1.0);
        // At most ≈ 4 M cells: coarser cells on huge extents.
        let cell = cell_m.max((w * h / 4e6).sqrt()).max(1.0);
        Self {
            x0: e[0],
            y0: e[1],
            inv: (1.0 / cell) as f32,
            nx: (w / cell).floor() as usize + 1,
            ny: (h / cell).floor() as usize + 1,
        }
    }
    #[inline]
    fn cell(&self, cols: &CaseColumns, r: usize) -> usize {
        let i = (((cols.x[r] - self.x0) * self.inv) as usize).min(self.nx - 1);
        let j = (((cols.y[r] - self.y0) * self.inv) as usize).min(self.ny - 1);
        j * self.nx + i
    }
}

/// Finds the hotspots of `rows`; `previous` are the rows of the previous period (if any) and
/// `previous_period` its dates.
pub fn hotspots(
    cols: &CaseColumns,
    rows: &[u32],
    previous: Option<&[u32]>,
    previous_period: Option<(NaiveDate, NaiveDate)>,
    p: &HotspotParams,
) -> Hotspots {
    let reg = &cols.regions;
    // Grids.
    let (cur, _, _) = grid_counts(cols, rows, &[]);
    let prev = previous.map(|rows| grid_counts(cols, rows, &[]).0);
    let mut order: Vec<usize> = (0..cur.len()).filter(|&g| cur[g] > 0).collect();
    order.sort_by(|&a, &b| {
        cur[b]
            .cmp(&cur[a])
            .then(reg.grid_codes[a].cmp(&reg.grid_codes[b]))
    });
    let grids = order
        .iter()
        .take(p.top)
        .enumerate()
        .map(|(i, &g)| GridHotspot {
            rank: i + 1,
            code: reg.grid_codes[g].to_string(),
            name: reg.grid_names[g].clone(),
            centre: reg.grid_label[g],
            cases: Change::new(cur[g], prev.as_ref().map(|v| v[g])),
        })
        .collect();

    // Places.
    let ras = Raster::over(cols, p.cell_m);
    let mut counts = vec![0u32; ras.nx * ras.ny];
    for &r in rows {
        counts[ras.cell(cols, r as usize)] += 1;
    }
    let min_cases = p.min_cases.unwrap_or_else(|| {
        let mut nz: Vec<u32> = counts.iter().copied().filter(|&c| c > 0).collect();
        nz.sort_unstable();
        let q = nz
            .get((nz.len() * 95 / 100).min(nz.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0);
        q.max(3)
    });
    const UNSET: u32 = u32::MAX;
    let mut label = vec![UNSET; counts.len()];
    let mut n_places = 0u32;
    let mut stack = Vec::new();
    let mut place_cells: Vec<usize> = Vec::new();
    for start in 0..counts.len() {
        if counts[start] < min_cases || label[start] != UNSET {
            continue;
        }
        label[start] = n_places;
        stack.push(start);
        let mut cells = 0;
        while let Some(c) = stack.pop() {
            cells += 1;
            let (i, j) = ((c % ras.nx) as i64, (c / ras.nx) as i64);
            for dj in -1..=1 {
                for di in -1..=1 {
                    let (a, b) = (i + di, j + dj);
                    if a < 0 || b < 0 || a >= ras.nx as i64 || b >= ras.ny as i64 {
                        continue;
                    }
                    let k = b as usize * ras.nx + a as usize;
                    if label[k] == UNSET && counts[k] >= min_cases {
                        label[k] = n_places;
                        stack.push(k);
                    }
                }
            }
        }
        place_cells.push(cells);
        n_places += 1;
    }
    let np = n_places as usize;
    let (mut n, mut sx, mut sy, mut sxx) = (
        vec![0u32; np],
        vec![0f64; np],
        vec![0f64; np],
        vec![0f64; np],
    );
    let mut classes: HashMap<(u32, u16), u32> = HashMap::new();
    let mut grids_of: HashMap<(u32, u32), u32> = HashMap::new();
    for &r in rows {
        let r = r as usize;
        let l = label[ras.cell(cols, r)];
        if l == UNSET {
            continue;
        }
        let li = l as usize;
        let (x, y) = (f64::from(cols.x[r]), f64::from(cols.y[r]));
        n[li] += 1;
        sx[li] += x;
        sy[li] += y;
        sxx[li] += x * x + y * y;
        *classes.entry((l, cols.class[r])).or_default() += 1;
        *grids_of.entry((l, cols.grid[r])).or_default() += 1;
    }
    let mut prev_n = vec![0u32; np];
    if let Some(prev) = previous {
        for &r in prev {
            let l = label[ras.cell(cols, r as usize)];
            if l != UNSET {
                prev_n[l as usize] += 1;
            }
        }
    }
    let mut best_class: Vec<(u16, u32)> = vec![(0, 0); np];
    let mut cls: Vec<_> = classes.into_iter().collect();
    cls.sort_unstable();
    for ((l, c), k) in cls {
        if k > best_class[l as usize].1 {
            best_class[l as usize] = (c, k);
        }
    }
    let mut best_grid: Vec<(u32, u32)> = vec![(super::columns::NONE, 0); np];
    let mut gs: Vec<_> = grids_of.into_iter().collect();
    gs.sort_unstable();
    for ((l, g), k) in gs {
        if g != super::columns::NONE && k > best_grid[l as usize].1 {
            best_grid[l as usize] = (g, k);
        }
    }
    let mut order: Vec<usize> = (0..np).filter(|&l| n[l] > 0).collect();
    order.sort_by(|&a, &b| n[b].cmp(&n[a]).then(a.cmp(&b)));
    let places = order
        .iter()
        .take(p.top)
        .enumerate()
        .map(|(rank, &l)| {
            let m = f64::from(n[l]);
            let (cx, cy) = (sx[l] / m, sy[l] / m);
            let msd = (sxx[l] / m - cx * cx - cy * cy).max(0.0);
            let (c, k) = best_class[l];
            Place {
                rank: rank + 1,
                centre: cols.to_lonlat(cx, cy),
                radius_m: (2.0 * msd).sqrt(),
                cells: place_cells[l],
                cases: Change::new(n[l], previous.map(|_| prev_n[l])),
                dominant_class: cols
                    .classes
                    .get(c as usize)
                    .map(|k| k.key())
                    .unwrap_or_default(),
                dominant_class_name: cols
                    .classes
                    .get(c as usize)
                    .map(|k| cols.class_name(&k.key()))
                    .unwrap_or_default(),
                dominant_class_label: cols
                    .classes
                    .get(c as usize)
                    .map(|k| cols.class_label(&k.key()))
                    .unwrap_or_default(),
                dominant_share: f64::from(k) / m,
                grid: (best_grid[l].0 != super::columns::NONE)
                    .then(|| reg.grid_codes[best_grid[l].0 as usize].to_string()),
            }
        })
        .collect();
    Hotspots {
        grids,
        places,
        previous_period,
        min_cases,
    }
}

#[cfg(test)]
mod tests {
    use super::super::columns::tests::regions;
    use super::super::columns::{CaseRow, ClassKey};
    use super::*;
    use crate::code::ClassCode;
    use crate::model::{CaseKind, CaseSource, CaseStatus};

    fn at(id: usize, x: f64, y: f64, class: &str, grid: u32, day: i32) -> CaseRow {
        let p = crate::geodesy::LocalProjection::new(121.26, 28.64);
        let (lon, lat) = p.inverse(x, y);
        CaseRow {
            id: format!("c{id}").into(),
            lon,
            lat,
            day,
            class: ClassKey {
                kind: CaseKind::Event,
                code: ClassCode::parse(class).expect("class"),
            },
            source: CaseSource::Patrol,
            status: CaseStatus::Closed,
            grid,
        }
    }

    #[test]
    fn two_clusters_and_a_scatter() {
        let mut rows = vec![];
        // Cluster A: 60 cases within ±40 m of (0, 0), 2/3 class 0101; day 10.
        for i in 0..60 {
            let d = (i % 9) as f64 * 10.0 - 40.0;
            rows.push(at(
                i,
                d,
                -d / 2.0,
                if i % 3 == 0 { "0102" } else { "0101" },
                0,
                10,
            ));
        }
        // Cluster B: 30 cases around (2000, 2000); day 10.
        for i in 60..90 {
            let d = (i % 5) as f64 * 10.0;
            rows.push(at(i, 2000.0 + d, 2000.0 - d, "0201", 5, 10));
        }
        // Scatter, one per 500 m; day 10.
        for i in 90..110 {
            let k = (i - 90) as f64;
            rows.push(at(i, -3000.0 + k * 500.0, 3000.0, "0301", 3, 10));
        }
        // Previous period (day 0): 20 cases in cluster B, none in A.
        for i in 110..130 {
            rows.push(at(i, 2005.0, 1995.0, "0201", 5, 0));
        }
        let mut cols = CaseColumns::from_rows(regions(), [121.26, 28.64], rows.into_iter());
        cols.class_names
            .insert("event:0101".into(), "私搭乱建".into());
        let cur: Vec<u32> = (0..cols.len() as u32)
            .filter(|&r| cols.day[r as usize] == 10)
            .collect();
        let prev: Vec<u32> = (0..cols.len() as u32)
            .filter(|&r| cols.day[r as usize] == 0)
            .collect();
        let p = HotspotParams {
            top: 5,
            cell_m: 100.0,
            min_cases: Some(5),
        };
        let h = hotspots(&cols, &cur, Some(&prev), None, &p);
        assert_eq!(h.places.len(), 2);
        let a = &h.places[0];
        assert_eq!(a.cases.current, 60);
        assert_eq!(a.cases.direction, Some(Direction::New));
        assert_eq!(a.dominant_class, "event:0101");
        // Lists show the code with its name, never the `event:` key.
        assert_eq!(a.dominant_class_label, "0101 私搭乱建");
        assert_eq!(cols.class_label("event:0999"), "0999");
        assert!((a.dominant_share - 40.0 / 60.0).abs() < 1e-9);
        assert!(a.radius_m > 10.0 && a.radius_m < 60.0, "{}", a.radius_m);
        let b = &h.places[1];
        assert_eq!(b.cases.current, 30);
        assert_eq!(b.cases.previous, Some(20));
        assert_eq!(b.cases.change_pct, Some(50.0));
        assert_eq!(b.cases.direction, Some(Direction::Up));
        assert_eq!(
            b.grid.as_deref(),
            Some(cols.regions.grid_codes[5].to_string().as_str())
        );
        // Grids: 0 (60), 5 (30), 3 (20 scattered).
        let g: Vec<u32> = h.grids.iter().map(|g| g.cases.current).collect();
        assert_eq!(g, vec![60, 30, 20]);
        assert_eq!(h.grids[1].cases.previous, Some(20));
        assert_eq!(h.grids[1].rank, 2);
    }

    #[test]
    fn change_directions() {
        assert_eq!(Change::new(5, Some(10)).direction, Some(Direction::Down));
        assert_eq!(Change::new(5, Some(10)).change_pct, Some(-50.0));
        assert_eq!(Change::new(5, Some(5)).direction, Some(Direction::Same));
        assert_eq!(Change::new(0, Some(0)).direction, Some(Direction::Same));
        assert_eq!(Change::new(3, None).direction, None);
    }
}
