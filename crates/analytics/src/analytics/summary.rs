//! Case counts by street, community or department for one filter: the table beside the map, the
//! bulletins' key table and their exports. Every figure has one definition (docs/domain.md):
//!
//! * 案件数: the filtered cases (reported in the filter's days);
//! * 未结案数 (open): not in a terminal state ([`CaseStatus::is_open`], SPEC §4.4) — a
//!   self-handled case still awaiting its 结案 is open;
//! * 已结案数 (closed): in the state 结案 (cancelled 作废 and refused 不受理 cases are neither
//!   open nor closed);
//! * 超期数 (overdue): open cases whose running stage clock has used more than its limit at the
//!   judged moment (the workflow's one judgement, SPEC §4.6);
//! * 已结案占比 = 已结案数 / 案件数 — the share of the period's reports closed by now. It is *not*
//!   the evaluation's 结案率 (结案数 / 应结案数 over filed cases, SPEC §5.1), and is named
//!   differently on purpose;
//! * 超期占比 = 超期数 / 未结案数.

use super::columns::{CaseColumns, NONE, NO_DEPARTMENT};
use super::report::{Cell, Sheet};
use crate::model::CaseStatus;
use serde::{Deserialize, Serialize};

/// Which grouping a summary table uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Street,
    Community,
    Department,
}

impl GroupBy {
    /// Chinese name of the grouping (the table's first column).
    pub fn zh(self) -> &'static str {
        match self {
            GroupBy::Street => "街道",
            GroupBy::Community => "社区",
            GroupBy::Department => "专业部门",
        }
    }
}

/// Counts of one set of cases (a row of the table, or the whole selection).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Counts {
    pub cases: u32,
    pub open: u32,
    pub closed: u32,
    pub overdue: u32,
}

impl Counts {
    /// Adds the case of row `r` of `cols`; `overdue` is row-aligned with `cols`.
    pub fn add(&mut self, cols: &CaseColumns, r: usize, overdue: &[bool]) {
        self.cases += 1;
        let status = CaseStatus::ALL.get(usize::from(cols.status[r]));
        let open = status.is_some_and(|s| s.is_open());
        self.open += u32::from(open);
        self.closed += u32::from(status == Some(&CaseStatus::Closed));
        // Only an open case can be overdue; the flags come from the open cases' clocks.
        self.overdue += u32::from(open && overdue.get(r).copied().unwrap_or(false));
    }

    /// 已结案占比 (%): closed / cases; `None` without cases.
    pub fn closed_share(&self) -> Option<f64> {
        pct(self.closed, self.cases)
    }

    /// 超期占比 (%): overdue / open; `None` without open cases.
    pub fn overdue_share(&self) -> Option<f64> {
        pct(self.overdue, self.open)
    }
}

fn pct(n: u32, d: u32) -> Option<f64> {
    (d > 0).then(|| f64::from(n) * 100.0 / f64::from(d))
}

/// One row of a summary table; `key` goes back into a filter for drill-down.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SummaryRow {
    pub key: String,
    pub name: String,
    pub cases: u32,
    pub open: u32,
    pub closed: u32,
    pub overdue: u32,
    /// 已结案占比 (%), `None` without cases.
    pub closed_share: Option<f64>,
    /// 超期占比 (%), `None` without open cases.
    pub overdue_share: Option<f64>,
}

/// Counts of all of `rows` (the district total).
pub fn totals(cols: &CaseColumns, rows: &[u32], overdue: &[bool]) -> Counts {
    let mut c = Counts::default();
    for &r in rows {
        c.add(cols, r as usize, overdue);
    }
    c
}

/// Counts of `rows` by street, community or department, every area listed (most cases first).
/// Cases outside every grid (or without a department) belong to no row.
pub fn summary(cols: &CaseColumns, rows: &[u32], overdue: &[bool], by: GroupBy) -> Vec<SummaryRow> {
    let r = &cols.regions;
    let (codes, names): (&[String], &[String]) = match by {
        GroupBy::Street => (&r.street_codes, &r.street_names),
        GroupBy::Community => (&r.community_codes, &r.community_names),
        GroupBy::Department => (&cols.departments, &cols.departments),
    };
    let mut acc = vec![Counts::default(); codes.len()];
    for &i in rows {
        let i = i as usize;
        let g = cols.grid[i];
        let group = match by {
            GroupBy::Street if g != NONE => r.grid_street[g as usize],
            GroupBy::Community if g != NONE => r.grid_community[g as usize],
            GroupBy::Department if cols.department[i] != NO_DEPARTMENT => {
                u32::from(cols.department[i])
            }
            _ => continue,
        };
        if let Some(a) = acc.get_mut(group as usize) {
            a.add(cols, i, overdue);
        }
    }
    let mut out: Vec<SummaryRow> = codes
        .iter()
        .zip(names)
        .zip(acc)
        .map(|((code, name), a)| SummaryRow {
            key: code.clone(),
            name: name.clone(),
            cases: a.cases,
            open: a.open,
            closed: a.closed,
            overdue: a.overdue,
            closed_share: a.closed_share(),
            overdue_share: a.overdue_share(),
        })
        .collect();
    out.sort_by(|a, b| b.cases.cmp(&a.cases).then_with(|| a.key.cmp(&b.key)));
    out
}

/// The table as an export sheet (Chinese headers; shares rounded to 0.1 %).
pub fn summary_sheet(rows: &[SummaryRow], by: GroupBy) -> Sheet {
    let first = by.zh();
    let opt = |v: Option<f64>| v.map_or(Cell::Empty, |x| Cell::Num((x * 10.0).round() / 10.0));
    Sheet {
        title: format!("{first}案件统计"),
        headers: [
            "编码",
            first,
            "案件数",
            "未结案数",
            "已结案数",
            "超期数",
            "已结案占比(%)",
            "超期占比(%)",
        ]
        .map(String::from)
        .to_vec(),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    Cell::Text(r.key.clone()),
                    Cell::Text(r.name.clone()),
                    Cell::Int(i64::from(r.cases)),
                    Cell::Int(i64::from(r.open)),
                    Cell::Int(i64::from(r.closed)),
                    Cell::Int(i64::from(r.overdue)),
                    opt(r.closed_share),
                    opt(r.overdue_share),
                ]
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::columns::tests::{regions, row};
    use super::*;

    #[test]
    fn one_definition_of_open_closed_and_overdue() {
        let statuses = [
            ("closed", CaseStatus::Closed),
            ("cancelled", CaseStatus::Cancelled),
            ("refused", CaseStatus::NotAccepted),
            ("self", CaseStatus::SelfHandled),
            ("handling", CaseStatus::Handling),
            ("hung", CaseStatus::Handling),
        ];
        let rows = statuses.iter().map(|(id, st)| {
            let mut r = row(id, "2026-03-02", "0101", 0);
            r.status = *st;
            r
        });
        let cols = CaseColumns::from_rows(regions(), [121.26, 28.64], rows);
        // The workflow judges "self" (close stage run out) and "hung" overdue; a flag on a
        // closed case (stale) is ignored.
        let flags: Vec<bool> = cols
            .ids
            .iter()
            .map(|id| matches!(&**id, "self" | "hung" | "closed"))
            .collect();
        let all: Vec<u32> = (0..cols.len() as u32).collect();
        let t = totals(&cols, &all, &flags);
        assert_eq!(
            t,
            Counts {
                cases: 6,
                open: 3,
                closed: 1,
                overdue: 2
            }
        );
        assert_eq!(t.closed_share().map(|v| (v * 100.0).round()), Some(1667.0));
        assert_eq!(t.overdue_share().map(|v| (v * 100.0).round()), Some(6667.0));
        let by = summary(&cols, &all, &flags, GroupBy::Street);
        let total: u32 = by.iter().map(|r| r.open).sum();
        assert_eq!(total, 3);
        let sheet = summary_sheet(&by, GroupBy::Street);
        assert_eq!(sheet.headers[6], "已结案占比(%)");
        assert!(!sheet.headers.iter().any(|h| h.starts_with("结案率")));
    }
}
