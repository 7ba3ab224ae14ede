//! [`CaseFilter`]: the one filter every analytics view takes (date range, classes, sources,
//! statuses, departments, streets/communities/grids), and its evaluation over [`CaseColumns`].
//!
//! A filter is first compiled against a snapshot into lookup masks ([`CompiledFilter`]); the
//! date range becomes a row range (rows are sorted by day), every other condition one table
//! lookup per row.

use super::columns::{day_number, CaseColumns, NONE, NO_DEPARTMENT};
use crate::error::{Error, Result};
use crate::message::{Message, MessageCode as C};
use crate::model::{CaseKind, CaseSource, CaseStatus};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Which cases a view counts. Empty lists mean "no restriction"; within one list any entry
/// matches; the lists combine with AND, except the region lists (streets, communities, grids),
/// which together form one union of areas.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(rename = "AnalyticsFilter"))]
#[serde(default)]
pub struct CaseFilter {
    /// First report day, inclusive. The one date rule of every case filter
    /// (`griddesk_core::dates::day_bounds`), here on the day numbers of the columns.
    pub from: Option<NaiveDate>,
    /// Last report day, inclusive.
    pub to: Option<NaiveDate>,
    /// Classes: `event:0101` (one minor class), `event:01` (a major class), `0101` or `01`
    /// (both kinds), `event` / `component` (a whole kind).
    pub classes: Vec<String>,
    pub sources: Vec<CaseSource>,
    pub statuses: Vec<CaseStatus>,
    /// Handling department names.
    pub departments: Vec<String>,
    /// 9-digit street codes.
    pub streets: Vec<String>,
    /// 12-digit community codes.
    pub communities: Vec<String>,
    /// 15-digit grid codes.
    pub grids: Vec<String>,
    /// The moment open cases are judged overdue at (SPEC §4.6); `None` = now, to the minute.
    /// It selects no rows.
    pub as_of: Option<chrono::NaiveDateTime>,
}

impl CaseFilter {
    /// The same filter over another date range.
    pub fn with_dates(&self, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Self {
        Self {
            from,
            to,
            ..self.clone()
        }
    }

    /// The period of equal length just before this one (`None` without both dates).
    pub fn previous_period(&self) -> Option<Self> {
        let (f, t) = (self.from?, self.to?);
        let len = (t - f).num_days() + 1;
        Some(self.with_dates(
            Some(f - chrono::Duration::days(len)),
            Some(f - chrono::Duration::days(1)),
        ))
    }
}

/// A [`CaseFilter`] resolved against one snapshot.
#[derive(Debug, Clone)]
pub struct CompiledFilter {
    /// Inclusive day-number range.
    pub days: (i32, i32),
    class_ok: Vec<bool>,
    source_mask: u32,
    status_mask: u32,
    /// Per grid index; `None` = any grid (also cases without one).
    grid_ok: Option<Vec<bool>>,
    /// Per department index plus one slot for "none"; `None` = any.
    dept_ok: Option<Vec<bool>>,
    nothing: bool,
}

fn class_matches(entry: &str, kind: CaseKind, code: &str) -> Option<bool> {
    let (k, c) = match entry.split_once(':') {
        Some((k, c)) => (Some(CaseKind::parse(k)?), c.trim()),
        None => match CaseKind::parse(entry) {
            Some(k) => (Some(k), ""),
            None => (None, entry.trim()),
        },
    };
    if !(c.is_empty() || (c.len() <= 4 && c.bytes().all(|b| b.is_ascii_digit()))) {
        return None;
    }
    Some(k.is_none_or(|k| k == kind) && code.starts_with(c))
}

impl CompiledFilter {
    /// Resolves `f` against `cols`. Unknown codes or classes are an error naming the field.
    pub fn new(f: &CaseFilter, cols: &CaseColumns) -> Result<Self> {
        let bad = |field: &str, v: &str| {
            Error::Invalid(
                Message::new(C::FilterValueInvalid)
                    .text("field", field)
                    .text("value", v)
                    .en(format!("filter field `{field}`: `{v}` is not valid")),
            )
        };
        let days = (
            f.from.map_or(i32::MIN, day_number),
            f.to.map_or(i32::MAX, day_number),
        );
        let mut class_ok = vec![f.classes.is_empty(); cols.classes.len()];
        for e in &f.classes {
            for (i, k) in cols.classes.iter().enumerate() {
                class_ok[i] |=
                    class_matches(e, k.kind, k.code.as_str()).ok_or_else(|| bad("classes", e))?;
            }
            if cols.classes.is_empty() {
                class_matches(e, CaseKind::Event, "").ok_or_else(|| bad("classes", e))?;
            }
        }
        let mask = |idx: &mut dyn Iterator<Item = usize>| idx.fold(0u32, |m, i| m | (1 << i));
        let source_mask = if f.sources.is_empty() {
            u32::MAX
        } else {
            mask(
                &mut f
                    .sources
                    .iter()
                    .filter_map(|s| CaseSource::ALL.iter().position(|v| v == s)),
            )
        };
        let status_mask = if f.statuses.is_empty() {
            u32::MAX
        } else {
            mask(
                &mut f
                    .statuses
                    .iter()
                    .filter_map(|s| CaseStatus::ALL.iter().position(|v| v == s)),
            )
        };
        let r = &cols.regions;
        let grid_ok = if f.streets.is_empty() && f.communities.is_empty() && f.grids.is_empty() {
            None
        } else {
            let mut ok = vec![false; r.grid_count()];
            for s in &f.streets {
                let si = r
                    .street_codes
                    .iter()
                    .position(|c| c == s.trim())
                    .ok_or_else(|| bad("streets", s))?;
                for (g, &gs) in r.grid_street.iter().enumerate() {
                    ok[g] |= gs == si as u32;
                }
            }
            for c in &f.communities {
                let ci = r
                    .community_codes
                    .iter()
                    .position(|x| x == c.trim())
                    .ok_or_else(|| bad("communities", c))?;
                for (g, &gc) in r.grid_community.iter().enumerate() {
                    ok[g] |= gc == ci as u32;
                }
            }
            for g in &f.grids {
                let code = crate::code::GridCode::parse(g).map_err(|_| bad("grids", g))?;
                let gi = r.grid_index(&code).ok_or_else(|| bad("grids", g))?;
                ok[gi as usize] = true;
            }
            Some(ok)
        };
        let dept_ok = if f.departments.is_empty() {
            None
        } else {
            let mut ok = vec![false; cols.departments.len() + 1];
            for d in &f.departments {
                // A department with no case yet simply matches nothing.
                if let Some(i) = cols.departments.iter().position(|x| x == d.trim()) {
                    ok[i] = true;
                }
            }
            Some(ok)
        };
        let nothing = days.0 > days.1;
        Ok(Self {
            days,
            class_ok,
            source_mask,
            status_mask,
            grid_ok,
            dept_ok,
            nothing,
        })
    }

    /// Whether row `i` passes every condition except the date range.
    #[inline]
    pub fn matches_row(&self, cols: &CaseColumns, i: usize) -> bool {
        let mut ok = self.class_ok[cols.class[i] as usize]
            & ((self.source_mask >> cols.source[i]) & 1 == 1)
            & ((self.status_mask >> cols.status[i]) & 1 == 1);
        if let Some(g) = &self.grid_ok {
            let gi = cols.grid[i];
            ok &= gi != NONE && g[gi as usize];
        }
        if let Some(d) = &self.dept_ok {
            let di = cols.department[i];
            ok &= di != NO_DEPARTMENT && d[di as usize];
        }
        ok
    }

    /// The rows that pass, in day order.
    pub fn select(&self, cols: &CaseColumns) -> Vec<u32> {
        if self.nothing {
            return vec![];
        }
        let range = cols.day_range(self.days.0, self.days.1);
        let mut out = Vec::with_capacity(range.len());
        if self.grid_ok.is_none() && self.dept_ok.is_none() {
            // The common case without region or department: three lookups, no branches.
            for i in range {
                let ok = self.class_ok[cols.class[i] as usize]
                    & ((self.source_mask >> cols.source[i]) & 1 == 1)
                    & ((self.status_mask >> cols.status[i]) & 1 == 1);
                if ok {
                    out.push(i as u32);
                }
            }
        } else {
            out.extend(
                range
                    .filter(|&i| self.matches_row(cols, i))
                    .map(|i| i as u32),
            );
        }
        out
    }
}

/// Compiles and evaluates a filter in one call.
pub fn select(cols: &CaseColumns, f: &CaseFilter) -> Result<Vec<u32>> {
    Ok(CompiledFilter::new(f, cols)?.select(cols))
}

#[cfg(test)]
mod tests {
    use super::super::columns::tests::{date, regions, row};
    use super::*;
    use proptest::prelude::*;

    fn sample() -> CaseColumns {
        let mut rows = Vec::new();
        let classes = ["0101", "0102", "0201", "0301"];
        for i in 0..200u32 {
            let mut r = row(
                &format!("c{i}"),
                &format!("2026-03-{:02}", 1 + i % 28),
                classes[(i % 4) as usize],
                i % 8,
            );
            r.source = CaseSource::ALL[(i % 3) as usize];
            r.status = CaseStatus::ALL[(i % 5) as usize];
            if i % 10 == 0 {
                r.class.kind = CaseKind::Component;
            }
            rows.push(r);
        }
        CaseColumns::from_rows(regions(), [121.26, 28.64], rows.into_iter())
    }

    /// The same filter, judged case by case with no masks.
    fn brute(cols: &CaseColumns, f: &CaseFilter) -> Vec<String> {
        let mut out = vec![];
        for i in 0..cols.len() {
            let d = cols.day[i];
            if f.from.is_some_and(|x| d < day_number(x)) || f.to.is_some_and(|x| d > day_number(x))
            {
                continue;
            }
            let k = cols.classes[cols.class[i] as usize];
            if !f.classes.is_empty()
                && !f
                    .classes
                    .iter()
                    .any(|e| class_matches(e, k.kind, k.code.as_str()) == Some(true))
            {
                continue;
            }
            if !f.sources.is_empty()
                && !f
                    .sources
                    .contains(&CaseSource::ALL[cols.source[i] as usize])
            {
                continue;
            }
            if !f.statuses.is_empty()
                && !f
                    .statuses
                    .contains(&CaseStatus::ALL[cols.status[i] as usize])
            {
                continue;
            }
            let r = &cols.regions;
            let g = cols.grid[i] as usize;
            let code = r.grid_codes[g].to_string();
            let any_region =
                !(f.streets.is_empty() && f.communities.is_empty() && f.grids.is_empty());
            if any_region
                && !(f.grids.contains(&code)
                    || f.communities.iter().any(|c| code.starts_with(c.as_str()))
                    || f.streets.iter().any(|s| code.starts_with(s.as_str())))
            {
                continue;
            }
            out.push(cols.ids[i].to_string());
        }
        out.sort();
        out
    }

    fn ids(cols: &CaseColumns, rows: &[u32]) -> Vec<String> {
        let mut v: Vec<String> = rows
            .iter()
            .map(|&i| cols.ids[i as usize].to_string())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn each_condition_restricts_as_written() {
        let cols = sample();
        let all = select(&cols, &CaseFilter::default()).expect("filter");
        assert_eq!(all.len(), 200);
        let f = CaseFilter {
            from: Some(date("2026-03-05")),
            to: Some(date("2026-03-06")),
            ..Default::default()
        };
        // Days 5 and 6 of 28: i % 28 in {4, 5} → 200 = 7×28 + 4, so 7 + 7 rows.
        assert_eq!(select(&cols, &f).expect("filter").len(), 14);
        let f = CaseFilter {
            classes: vec!["component".into()],
            ..Default::default()
        };
        assert_eq!(select(&cols, &f).expect("filter").len(), 20);
        let f = CaseFilter {
            classes: vec!["event:01".into()],
            ..Default::default()
        };
        // Classes 0101 and 0102 are i % 4 in {0, 1}: 100 rows, minus component rows (i % 10 == 0
        // and i % 4 in {0,1}: i % 20 == 0 → 10, i % 20 == 10 has i % 4 == 2).
        assert_eq!(select(&cols, &f).expect("filter").len(), 90);
        let f = CaseFilter {
            streets: vec!["331003002".into()],
            ..Default::default()
        };
        // Grids 4..8 of 8 belong to the second street.
        assert_eq!(select(&cols, &f).expect("filter").len(), 100);
        let f = CaseFilter {
            communities: vec!["331003001001".into()],
            grids: vec!["331003002002002".into()],
            ..Default::default()
        };
        assert_eq!(select(&cols, &f).expect("filter").len(), 75);
    }

    #[test]
    fn unknown_codes_are_refused_with_the_field() {
        let cols = sample();
        for f in [
            CaseFilter {
                streets: vec!["331003009".into()],
                ..Default::default()
            },
            CaseFilter {
                classes: vec!["event:x1".into()],
                ..Default::default()
            },
            CaseFilter {
                grids: vec!["12".into()],
                ..Default::default()
            },
        ] {
            let e = select(&cols, &f).expect_err("refused");
            assert!(e.to_string().contains("filter field"), "{e}");
        }
    }

    #[test]
    fn department_filter_uses_the_workflow_table() {
        let mut cols = sample();
        cols.set_departments(vec!["环卫处".into(), "市政处".into()], |id| {
            id[1..].parse::<usize>().ok().map(|n| n % 2)
        });
        let f = CaseFilter {
            departments: vec!["市政处".into()],
            ..Default::default()
        };
        assert_eq!(select(&cols, &f).expect("filter").len(), 100);
    }

    #[test]
    fn previous_period_has_equal_length() {
        let f = CaseFilter {
            from: Some(date("2026-03-01")),
            to: Some(date("2026-03-31")),
            ..Default::default()
        };
        let p = f.previous_period().expect("dates");
        assert_eq!(p.from, Some(date("2026-01-29")));
        assert_eq!(p.to, Some(date("2026-02-28")));
    }

    proptest! {
        #[test]
        fn select_equals_case_by_case_judgement(
            from in 0u32..30, len in 0u32..30,
            classes in proptest::sample::subsequence(vec!["event:0101", "01", "component", "event:02", "03"], 0..3),
            sources in proptest::sample::subsequence(vec![0usize, 1, 2, 3], 0..3),
            statuses in proptest::sample::subsequence(vec![0usize, 1, 2, 4], 0..3),
            streets in proptest::sample::subsequence(vec!["331003001", "331003002"], 0..2),
            grids in proptest::sample::subsequence(vec!["331003001002001", "331003002001002"], 0..2),
        ) {
            let cols = sample();
            let start = date("2026-02-28") + chrono::Duration::days(i64::from(from));
            let f = CaseFilter {
                from: Some(start),
                to: Some(start + chrono::Duration::days(i64::from(len))),
                classes: classes.iter().map(|s| s.to_string()).collect(),
                sources: sources.iter().map(|&i| CaseSource::ALL[i]).collect(),
                statuses: statuses.iter().map(|&i| CaseStatus::ALL[i]).collect(),
                streets: streets.iter().map(|s| s.to_string()).collect(),
                grids: grids.iter().map(|s| s.to_string()).collect(),
                ..Default::default()
            };
            let got = ids(&cols, &select(&cols, &f).expect("filter"));
            prop_assert_eq!(got, brute(&cols, &f));
        }
    }
}
