//! The columnar case snapshot: every case as one row of plain arrays (struct of arrays), sorted by
//! report day, so that any [`CaseFilter`](super::CaseFilter) is one tight loop over a day range.
//!
//! Positions are metres in a [`LocalProjection`] centred on the district, stored as `f32`
//! (millimetre precision over ±50 km). Grids, communities and streets are small integer indexes
//! into [`Regions`]; classes into [`CaseColumns::classes`]; departments into
//! [`CaseColumns::departments`] (filled by the case workflow through
//! [`CaseColumns::set_departments`]).

use crate::code::{ClassCode, GridCode};
use crate::geodesy::LocalProjection;
use crate::index::SpatialIndex;
use crate::model::{CaseKind, CaseSource, CaseStatus, CaseSummary};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::collections::HashMap;

/// Marks "no grid" / "no department" in an index column.
pub const NONE: u32 = u32::MAX;
/// Marks "no department" in the department column.
pub const NO_DEPARTMENT: u16 = u16::MAX;

/// Day number: days since 1970-01-01.
pub fn day_number(d: NaiveDate) -> i32 {
    d.num_days_from_ce() - 719_163
}

/// The date of a [`day_number`].
pub fn day_date(n: i32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(n + 719_163).unwrap_or(NaiveDate::MIN)
}

/// A case class as the analytics count it: kind plus 4-digit class code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct ClassKey {
    pub kind: CaseKind,
    pub code: ClassCode,
}

impl Ord for ClassKey {
    /// Events before components, then by code.
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        let k = |c: CaseKind| u8::from(c == CaseKind::Component);
        (k(self.kind), self.code).cmp(&(k(o.kind), o.code))
    }
}

impl PartialOrd for ClassKey {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}

impl ClassKey {
    /// `event:0101` style key, as used in filters and legends.
    pub fn key(&self) -> String {
        format!("{}:{}", self.kind.key(), self.code)
    }
}

/// The region hierarchy as small integer tables: grid → community → street.
#[derive(Debug, Clone, Default)]
pub struct Regions {
    /// All grids (retired ones included), in the index's order.
    pub grid_codes: Vec<GridCode>,
    pub grid_names: Vec<String>,
    pub grid_active: Vec<bool>,
    pub grid_area_m2: Vec<f64>,
    /// Label point of each grid, lon/lat.
    pub grid_label: Vec<[f64; 2]>,
    /// Components located in each grid.
    pub grid_components: Vec<u32>,
    /// 管理等级 of each grid: `1` for 一类区域, `2` for 二类区域 (default).
    pub grid_class: Vec<u8>,
    /// Community index of each grid ([`NONE`] if the community is unknown).
    pub grid_community: Vec<u32>,
    /// Street index of each grid ([`NONE`] if unknown).
    pub grid_street: Vec<u32>,
    pub community_codes: Vec<String>,
    pub community_names: Vec<String>,
    pub street_codes: Vec<String>,
    pub street_names: Vec<String>,
    pub district_code: Option<String>,
    pub district_name: Option<String>,
    /// Duty grid (责任网格) index of each grid ([`NONE`] if in none); may be shorter than the
    /// grids (then the rest are in none).
    pub grid_duty: Vec<u32>,
    pub duty_codes: Vec<String>,
    pub duty_names: Vec<String>,
    pub grid_pos: HashMap<GridCode, u32>,
}

/// Parses a 管理等级 text into a region class (1 = 一类区域, otherwise 2).
pub fn region_class(level: Option<&str>) -> u8 {
    match level.map(str::trim) {
        Some(l) if l.starts_with('1') || l.contains('一') || l.eq_ignore_ascii_case("a") => 1,
        _ => 2,
    }
}

impl Regions {
    /// The hierarchy of an index.
    pub fn from_index(idx: &SpatialIndex) -> Self {
        let street_pos: HashMap<&str, u32> = idx
            .streets
            .iter()
            .enumerate()
            .map(|(i, s)| (s.code.as_str(), i as u32))
            .collect();
        let mut r = Regions {
            community_codes: idx.communities.iter().map(|c| c.code.to_string()).collect(),
            community_names: idx.communities.iter().map(|c| c.name.clone()).collect(),
            street_codes: idx.streets.iter().map(|s| s.code.to_string()).collect(),
            street_names: idx.streets.iter().map(|s| s.name.clone()).collect(),
            district_code: idx.district.as_ref().map(|d| d.code.to_string()),
            district_name: idx.district.as_ref().map(|d| d.name.clone()),
            ..Default::default()
        };
        for (i, g) in idx.grids.iter().enumerate() {
            let p = idx.grid_label_points.get(i).map(|p| [p.x(), p.y()]);
            r.push_grid(
                g.code,
                &g.name,
                g.is_active(),
                g.area_m2,
                p.unwrap_or([f64::NAN, f64::NAN]),
                idx.grid_counts.get(i).map_or(0, |c| c.components),
                region_class(g.level.as_deref()),
                idx.community_index(&g.community())
                    .map_or(NONE, |c| c as u32),
                street_pos
                    .get(g.community().street().as_str())
                    .copied()
                    .unwrap_or(NONE),
            );
        }
        r.duty_codes = idx.duty_grids.iter().map(|d| d.code.clone()).collect();
        r.duty_names = idx.duty_grids.iter().map(|d| d.name.clone()).collect();
        let duty_pos: HashMap<&str, u32> = r
            .duty_codes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.as_str(), i as u32))
            .collect();
        r.grid_duty = idx
            .grids
            .iter()
            .map(|g| {
                idx.duty_grid_of(&g.code)
                    .and_then(|d| duty_pos.get(d.code.as_str()).copied())
                    .unwrap_or(NONE)
            })
            .collect();
        r
    }

    /// The duty grid index of grid `g` ([`NONE`] if in none).
    pub fn duty_of(&self, g: usize) -> u32 {
        self.grid_duty.get(g).copied().unwrap_or(NONE)
    }

    /// Appends one grid (builders and tests).
    #[allow(clippy::too_many_arguments)]
    pub fn push_grid(
        &mut self,
        code: GridCode,
        name: &str,
        active: bool,
        area_m2: f64,
        label: [f64; 2],
        components: u32,
        class: u8,
        community: u32,
        street: u32,
    ) {
        self.grid_pos.insert(code, self.grid_codes.len() as u32);
        self.grid_codes.push(code);
        self.grid_names.push(name.to_string());
        self.grid_active.push(active);
        self.grid_area_m2.push(area_m2);
        self.grid_label.push(label);
        self.grid_components.push(components);
        self.grid_class.push(class);
        self.grid_community.push(community);
        self.grid_street.push(street);
    }

    /// Position of a grid.
    pub fn grid_index(&self, code: &GridCode) -> Option<u32> {
        self.grid_pos.get(code).copied()
    }

    /// Number of grids (retired included).
    pub fn grid_count(&self) -> usize {
        self.grid_codes.len()
    }
}

/// One case as fed to [`CaseColumns::from_rows`].
#[derive(Debug, Clone, PartialEq)]
pub struct CaseRow {
    pub id: Box<str>,
    pub lon: f64,
    pub lat: f64,
    pub day: i32,
    pub class: ClassKey,
    pub source: CaseSource,
    pub status: CaseStatus,
    /// Grid index in [`Regions`], or [`NONE`].
    pub grid: u32,
}

/// The columnar snapshot of all cases.
#[derive(Debug, Clone)]
pub struct CaseColumns {
    proj: LocalProjection,
    centre: [f64; 2],
    /// Metres east of the projection centre.
    pub x: Vec<f32>,
    /// Metres north of the projection centre.
    pub y: Vec<f32>,
    /// Report day ([`day_number`]); the rows are sorted by it.
    pub day: Vec<i32>,
    /// Index into [`Self::classes`].
    pub class: Vec<u16>,
    /// Index into [`CaseSource::ALL`].
    pub source: Vec<u8>,
    /// Index into [`CaseStatus::ALL`].
    pub status: Vec<u8>,
    /// Grid index in [`Self::regions`], or [`NONE`].
    pub grid: Vec<u32>,
    /// Index into [`Self::departments`], or [`NO_DEPARTMENT`].
    pub department: Vec<u16>,
    /// Case id (任务号) of each row.
    pub ids: Vec<Box<str>>,
    /// The distinct classes, sorted.
    pub classes: Vec<ClassKey>,
    /// Handling departments known to the snapshot.
    pub departments: Vec<String>,
    /// Names of classes by key (`event:0101`, and majors `event:01`).
    pub class_names: HashMap<String, String>,
    /// The region tables the grid column refers to.
    pub regions: Regions,
    /// `[xmin, ymin, xmax, ymax]` of all rows in metres (empty snapshot: zeros).
    pub extent: [f32; 4],
}

fn status_index(s: CaseStatus) -> u8 {
    CaseStatus::ALL.iter().position(|v| *v == s).unwrap_or(0) as u8
}
fn source_index(s: CaseSource) -> u8 {
    CaseSource::ALL.iter().position(|v| *v == s).unwrap_or(0) as u8
}

impl CaseColumns {
    /// Builds the snapshot from the engine's indexes. Overdue is not a column: it depends on the
    /// moment and comes from the workflow's stage clocks (`Engine::overdue_flags`, SPEC §4.6).
    pub fn from_index(idx: &SpatialIndex) -> Self {
        let regions = Regions::from_index(idx);
        let rows: Vec<CaseRow> = idx.cases.iter().map(|c| row_of(c, &regions)).collect();
        let mut cols = Self::from_rows(regions, centre_of(idx), rows.into_iter());
        for (kind, table) in [
            (CaseKind::Event, &idx.code_tables.events),
            (CaseKind::Component, &idx.code_tables.components),
        ] {
            for e in table.iter() {
                cols.class_names
                    .insert(format!("{}:{}", kind.key(), e.code), e.name.clone());
                cols.class_names.insert(
                    format!("{}:{}", kind.key(), e.major_code),
                    e.major_name.clone(),
                );
            }
        }
        cols
    }

    /// The name of a class key (`event:0101`, `event:01`), or the key itself.
    pub fn class_name(&self, key: &str) -> String {
        self.class_names
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_string())
    }

    /// How people read a class key: `0504 占道经营` (code and name), or the bare code when the
    /// code tables do not know it. Never the `event:` prefix.
    pub fn class_label(&self, key: &str) -> String {
        let code = key.split_once(':').map_or(key, |(_, c)| c);
        match self.class_names.get(key) {
            Some(name) => format!("{code} {name}"),
            None => code.to_string(),
        }
    }

    /// Builds the snapshot from plain rows, projected around `centre` (lon, lat).
    pub fn from_rows(
        regions: Regions,
        centre: [f64; 2],
        rows: impl Iterator<Item = CaseRow>,
    ) -> Self {
        let mut c = CaseColumns {
            proj: LocalProjection::new(centre[0], centre[1]),
            centre,
            x: vec![],
            y: vec![],
            day: vec![],
            class: vec![],
            source: vec![],
            status: vec![],
            grid: vec![],
            department: vec![],
            ids: vec![],
            classes: vec![],
            departments: vec![],
            class_names: HashMap::new(),
            regions,
            extent: [0.0; 4],
        };
        c.append(rows);
        c
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.day.len()
    }

    /// Whether there are no cases.
    pub fn is_empty(&self) -> bool {
        self.day.is_empty()
    }

    /// The projection of `x`/`y`.
    pub fn projection(&self) -> LocalProjection {
        self.proj
    }

    /// Projection centre, lon/lat.
    pub fn centre(&self) -> [f64; 2] {
        self.centre
    }

    /// Position of a class, if any case has it.
    pub fn class_index(&self, k: &ClassKey) -> Option<u16> {
        self.classes.binary_search(k).ok().map(|i| i as u16)
    }

    /// Adds cases (e.g. newly reported ones). Rows arriving in day order are appended in place;
    /// otherwise the columns are re-sorted. New classes extend the class table.
    pub fn append(&mut self, rows: impl Iterator<Item = CaseRow>) {
        let rows: Vec<CaseRow> = rows.collect();
        if rows.is_empty() {
            return;
        }
        // Class table: sorted; re-index existing rows if it grows.
        let mut classes = self.classes.clone();
        for r in &rows {
            if let Err(p) = classes.binary_search(&r.class) {
                classes.insert(p, r.class);
            }
        }
        if classes.len() != self.classes.len() {
            let remap: Vec<u16> = self
                .classes
                .iter()
                .map(|k| classes.binary_search(k).unwrap_or(0) as u16)
                .collect();
            for c in &mut self.class {
                *c = remap[*c as usize];
            }
            self.classes = classes;
        }
        let mut sorted = true;
        let mut last = self.day.last().copied().unwrap_or(i32::MIN);
        let n0 = self.len();
        for r in rows {
            let (x, y) = self.proj.forward(r.lon, r.lat);
            sorted &= r.day >= last;
            last = last.max(r.day);
            self.x.push(x as f32);
            self.y.push(y as f32);
            self.day.push(r.day);
            self.class
                .push(self.classes.binary_search(&r.class).unwrap_or(0) as u16);
            self.source.push(source_index(r.source));
            self.status.push(status_index(r.status));
            self.grid.push(r.grid);
            self.department.push(NO_DEPARTMENT);
            self.ids.push(r.id);
        }
        let new_extent = (n0..self.len()).fold(
            if n0 == 0 {
                [f32::MAX, f32::MAX, f32::MIN, f32::MIN]
            } else {
                self.extent
            },
            |e, i| {
                [
                    e[0].min(self.x[i]),
                    e[1].min(self.y[i]),
                    e[2].max(self.x[i]),
                    e[3].max(self.y[i]),
                ]
            },
        );
        self.extent = new_extent;
        if !sorted {
            self.sort_by_day();
        }
    }

    fn sort_by_day(&mut self) {
        let mut perm: Vec<u32> = (0..self.len() as u32).collect();
        perm.sort_by_key(|&i| self.day[i as usize]);
        fn apply<T: Clone>(v: &mut Vec<T>, perm: &[u32]) {
            *v = perm.iter().map(|&i| v[i as usize].clone()).collect();
        }
        apply(&mut self.x, &perm);
        apply(&mut self.y, &perm);
        apply(&mut self.day, &perm);
        apply(&mut self.class, &perm);
        apply(&mut self.source, &perm);
        apply(&mut self.status, &perm);
        apply(&mut self.grid, &perm);
        apply(&mut self.department, &perm);
        apply(&mut self.ids, &perm);
    }

    /// Rows whose day lies in `[from, to]` (inclusive day numbers), as a row range.
    pub fn day_range(&self, from: i32, to: i32) -> std::ops::Range<usize> {
        let a = self.day.partition_point(|&d| d < from);
        let b = self.day.partition_point(|&d| d <= to);
        a..b.max(a)
    }

    /// First and last report day, if any case exists.
    pub fn day_span(&self) -> Option<(i32, i32)> {
        Some((*self.day.first()?, *self.day.last()?))
    }

    /// Sets the handling department of cases (from the case workflow): `names` is the department
    /// table, `of_case` gives the department index of a case id.
    pub fn set_departments(&mut self, names: Vec<String>, of_case: impl Fn(&str) -> Option<usize>) {
        for (d, id) in self.department.iter_mut().zip(&self.ids) {
            *d = of_case(id)
                .filter(|&i| i < names.len() && i < NO_DEPARTMENT as usize)
                .map_or(NO_DEPARTMENT, |i| i as u16);
        }
        self.departments = names;
    }

    /// Row-aligned flags: whether each case is in `set` (e.g. the ids the workflow judges
    /// overdue at some moment).
    pub fn flags_of(&self, set: &std::collections::HashSet<Box<str>>) -> Vec<bool> {
        self.ids.iter().map(|id| set.contains(id)).collect()
    }

    /// lon/lat of metres `(x, y)`.
    pub fn to_lonlat(&self, x: f64, y: f64) -> [f64; 2] {
        let (lon, lat) = self.proj.inverse(x, y);
        [lon, lat]
    }
}

/// Centre of the district's grids (or of the cases when there are no grids).
fn centre_of(idx: &SpatialIndex) -> [f64; 2] {
    let grow = |b: [f64; 4], x: f64, y: f64| [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
    let empty = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    let mut b = idx
        .grid_label_points
        .iter()
        .fold(empty, |b, p| grow(b, p.x(), p.y()));
    if b[0] > b[2] {
        b = idx
            .cases
            .iter()
            .fold(empty, |b, c| grow(b, c.location.x(), c.location.y()));
    }
    if b[0] > b[2] {
        return [0.0, 0.0];
    }
    [(b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0]
}

fn row_of(c: &CaseSummary, regions: &Regions) -> CaseRow {
    CaseRow {
        id: c.id.clone(),
        lon: c.location.x(),
        lat: c.location.y(),
        day: day_number(c.reported_at.date()),
        class: ClassKey {
            kind: c.kind,
            code: c.class_code,
        },
        source: c.source,
        status: c.status,
        grid: c.grid.and_then(|g| regions.grid_index(&g)).unwrap_or(NONE),
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;

    pub fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    /// Two streets, two communities each, two grids each (8 grids, 1 ha each).
    pub fn regions() -> Regions {
        let mut r = Regions {
            street_codes: vec!["331003001".into(), "331003002".into()],
            street_names: vec!["东街道".into(), "西街道".into()],
            district_code: Some("331003".into()),
            district_name: Some("黄岩区".into()),
            ..Default::default()
        };
        for s in 0..2u32 {
            for c in 0..2u32 {
                let comm = format!("33100300{}00{}", s + 1, c + 1);
                r.community_codes.push(comm.clone());
                r.community_names.push(format!("社区{s}{c}"));
                for g in 0..2u32 {
                    let code = GridCode::parse(&format!("{comm}00{}", g + 1)).expect("code");
                    r.push_grid(
                        code,
                        &format!("网格{s}{c}{g}"),
                        true,
                        10_000.0,
                        [121.26 + 0.01 * f64::from(s), 28.64 + 0.01 * f64::from(c)],
                        10 * (g + 1),
                        if s == 0 { 1 } else { 2 },
                        s * 2 + c,
                        s,
                    );
                }
            }
        }
        r
    }

    pub fn row(id: &str, day: &str, class: &str, grid: u32) -> CaseRow {
        CaseRow {
            id: id.into(),
            lon: 121.26,
            lat: 28.64,
            day: day_number(date(day)),
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
    fn day_numbers_round_trip() {
        assert_eq!(day_number(date("1970-01-01")), 0);
        assert_eq!(day_number(date("1970-01-02")), 1);
        let d = date("2026-03-15");
        assert_eq!(day_date(day_number(d)), d);
    }

    #[test]
    fn rows_end_sorted_by_day_whatever_the_input_order() {
        let rows = vec![
            row("c", "2026-03-03", "0101", 0),
            row("a", "2026-03-01", "0102", 1),
            row("b", "2026-03-02", "0101", 2),
        ];
        let mut cols = CaseColumns::from_rows(regions(), [121.26, 28.64], rows.into_iter());
        assert_eq!(&*cols.ids[0], "a");
        assert_eq!(&*cols.ids[2], "c");
        assert_eq!(cols.grid, vec![1, 2, 0]);
        // Appending an earlier case re-sorts; a new class re-indexes old rows.
        cols.append([row("z", "2026-02-01", "0100", 3)].into_iter());
        assert_eq!(&*cols.ids[0], "z");
        assert_eq!(cols.classes.len(), 3);
        let keys: Vec<String> = cols
            .class
            .iter()
            .map(|&c| cols.classes[c as usize].code.to_string())
            .collect();
        assert_eq!(keys, ["0100", "0102", "0101", "0101"]);
        assert_eq!(
            cols.day_range(
                day_number(date("2026-03-01")),
                day_number(date("2026-03-02"))
            ),
            1..3
        );
    }

    #[test]
    fn flags_follow_the_rows_after_sorting() {
        let rows = [
            row("late", "2026-06-03", "0101", 0),
            row("early", "2026-06-01", "0101", 0),
        ];
        let cols = CaseColumns::from_rows(regions(), [121.26, 28.64], rows.into_iter());
        let set: std::collections::HashSet<Box<str>> = ["late".into()].into_iter().collect();
        assert_eq!(cols.flags_of(&set), vec![false, true]);
    }
}
