//! Evaluation tables: counts from [`contributions`], rates, scores, composite, grade and rank
//! for every region level, department and position; drill-down to the cases behind a count.

use super::config::{composite, Bands, EvaluationConfig};
use super::indicators::{contributions, Counted, Indicator, N};
use super::input::{EvalInput, Period, Position};
use crate::analytics::columns::NONE;
use rayon::prelude::*;
use serde::Serialize;

/// Which table a row belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(rename = "EvalTableKind"))]
#[serde(rename_all = "snake_case")]
pub enum TableKind {
    District,
    Street,
    Community,
    Grid,
    /// 责任网格: the unit grids one inspector patrols.
    DutyGrid,
    Department,
    Inspector,
    Receptionist,
    ShiftLeader,
    Dispatcher,
}

impl TableKind {
    pub const ALL: [TableKind; 10] = [
        TableKind::District,
        TableKind::Street,
        TableKind::Community,
        TableKind::Grid,
        TableKind::DutyGrid,
        TableKind::Department,
        TableKind::Inspector,
        TableKind::Receptionist,
        TableKind::ShiftLeader,
        TableKind::Dispatcher,
    ];
    /// Chinese title.
    pub fn zh(self) -> &'static str {
        match self {
            TableKind::District => "区域评价（区）",
            TableKind::Street => "区域评价（街道）",
            TableKind::Community => "区域评价（社区）",
            TableKind::Grid => "区域评价（单元网格）",
            TableKind::DutyGrid => "区域评价（责任网格）",
            TableKind::Department => "专业部门评价",
            TableKind::Inspector => "岗位评价（监督员）",
            TableKind::Receptionist => "岗位评价（受理员）",
            TableKind::ShiftLeader => "岗位评价（值班长）",
            TableKind::Dispatcher => "岗位评价（派遣员）",
        }
    }
    /// Stable key.
    pub fn key(self) -> &'static str {
        match self {
            TableKind::District => "district",
            TableKind::Street => "street",
            TableKind::Community => "community",
            TableKind::Grid => "grid",
            TableKind::DutyGrid => "duty_grid",
            TableKind::Department => "department",
            TableKind::Inspector => "inspector",
            TableKind::Receptionist => "receptionist",
            TableKind::ShiftLeader => "shift_leader",
            TableKind::Dispatcher => "dispatcher",
        }
    }
    /// Parses a key.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == s.trim())
    }
    fn position(self) -> Option<Position> {
        match self {
            TableKind::Inspector => Some(Position::Inspector),
            TableKind::Receptionist => Some(Position::Receptionist),
            TableKind::ShiftLeader => Some(Position::ShiftLeader),
            TableKind::Dispatcher => Some(Position::Dispatcher),
            _ => None,
        }
    }
}

/// One evaluated object: a table and a position in its list (grid, community, street,
/// department or person index; 0 for the district).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
pub struct ObjectRef {
    pub table: TableKind,
    pub index: u32,
}

/// A rate column: `numerator / denominator × 100`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RateDef {
    pub key: &'static str,
    pub label: &'static str,
    pub numerator: Indicator,
    pub denominator: Indicator,
}

/// How a score column is derived.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreFrom {
    /// The rate itself (index into the table's rates).
    Rate(usize),
    /// 100 − the rate (negative indicators).
    InverseRate(usize),
    /// Banded count.
    Bands(Indicator),
}

/// A score column and its weight in the composite.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreDef {
    pub key: &'static str,
    pub label: &'static str,
    pub weight: f64,
    pub from: ScoreFrom,
}

/// One row of a table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalRow {
    pub object: ObjectRef,
    pub code: String,
    pub name: String,
    /// Values of the table's `counts` columns.
    pub counts: Vec<u32>,
    /// Percentages of the table's `rates` columns; `None` when the denominator is 0.
    pub rates: Vec<Option<f64>>,
    /// 0–100 values of the table's `scores` columns.
    pub scores: Vec<Option<f64>>,
    /// 综合指标值.
    pub composite: Option<f64>,
    pub grade: Option<String>,
    /// The count that decides whether the row is ranked.
    pub sample: u32,
    /// 1 = best; `None` below the minimum sample.
    pub rank: Option<u32>,
}

/// One evaluation table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalTable {
    pub kind: TableKind,
    pub title: &'static str,
    pub counts: Vec<Indicator>,
    pub rates: Vec<RateDef>,
    pub scores: Vec<ScoreDef>,
    /// The count used as the sample size.
    pub sample: Indicator,
    pub rows: Vec<EvalRow>,
}

/// All tables of one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    pub period: Period,
    pub min_sample: u32,
    pub tables: Vec<EvalTable>,
}

impl Evaluation {
    /// The table of a kind.
    pub fn table(&self, kind: TableKind) -> Option<&EvalTable> {
        self.tables.iter().find(|t| t.kind == kind)
    }
}

impl EvalTable {
    /// The row with a code.
    pub fn row(&self, code: &str) -> Option<&EvalRow> {
        self.rows.iter().find(|r| r.code == code)
    }
    /// A count of a row by indicator.
    pub fn count(&self, row: &EvalRow, i: Indicator) -> Option<u32> {
        self.counts
            .iter()
            .position(|&c| c == i)
            .map(|k| row.counts[k])
    }
    /// A rate of a row by key.
    pub fn rate(&self, row: &EvalRow, key: &str) -> Option<f64> {
        self.rates
            .iter()
            .position(|r| r.key == key)
            .and_then(|k| row.rates[k])
    }
    /// A score of a row by key.
    pub fn score(&self, row: &EvalRow, key: &str) -> Option<f64> {
        self.scores
            .iter()
            .position(|s| s.key == key)
            .and_then(|k| row.scores[k])
    }
}

type Counts = [u32; N];

struct Acc {
    grid: Vec<Counts>,
    no_grid: Counts,
    dept: Vec<Counts>,
    person: [Vec<Counts>; 4],
}

impl Acc {
    fn new(grids: usize, depts: usize, people: usize) -> Self {
        Self {
            grid: vec![[0; N]; grids],
            no_grid: [0; N],
            dept: vec![[0; N]; depts],
            person: std::array::from_fn(|_| vec![[0; N]; people]),
        }
    }
    fn slot(&mut self, o: Counted) -> Option<&mut Counts> {
        match o {
            Counted::Region(Some(g)) => self.grid.get_mut(g as usize),
            Counted::Region(None) => Some(&mut self.no_grid),
            Counted::Department(d) => self.dept.get_mut(d as usize),
            Counted::Person(p, i) => self.person[p as usize].get_mut(i as usize),
        }
    }
    fn add(mut self, o: &Acc) -> Self {
        fn add_all(a: &mut [Counts], b: &[Counts]) {
            for (x, y) in a.iter_mut().zip(b) {
                for k in 0..N {
                    x[k] += y[k];
                }
            }
        }
        add_all(&mut self.grid, &o.grid);
        add_all(
            std::slice::from_mut(&mut self.no_grid),
            std::slice::from_ref(&o.no_grid),
        );
        add_all(&mut self.dept, &o.dept);
        for p in 0..4 {
            add_all(&mut self.person[p], &o.person[p]);
        }
        self
    }
}

fn count_all(input: &EvalInput, p: &Period) -> Acc {
    let (g, d, n) = (
        input.regions.grid_count(),
        input.departments.len(),
        input.people.len(),
    );
    // Only cases with a time in the period can count in it.
    let candidates: Vec<u32> = (0..input.cases.len() as u32)
        .into_par_iter()
        .with_min_len(1 << 14)
        .filter(|&i| input.may_count(i as usize, p))
        .collect();
    let chunk = candidates
        .len()
        .div_ceil(rayon::current_num_threads().max(1))
        .max(4096);
    let parts: Vec<Acc> = candidates
        .par_chunks(chunk)
        .map(|idx| {
            let mut acc = Acc::new(g, d, n);
            for &i in idx {
                contributions(
                    &input.cases[i as usize],
                    p,
                    &input.grid_inspector,
                    &mut |o, i, k| {
                        if let Some(s) = acc.slot(o) {
                            s[i as usize] += k;
                        }
                    },
                );
            }
            acc
        })
        .collect();
    parts
        .into_iter()
        .reduce(|a, b| a.add(&b))
        .unwrap_or_else(|| Acc::new(g, d, n))
}

fn rate(num: Indicator, den: Indicator, key: &'static str, label: &'static str) -> RateDef {
    RateDef {
        key,
        label,
        numerator: num,
        denominator: den,
    }
}

fn score(key: &'static str, label: &'static str, weight: f64, from: ScoreFrom) -> ScoreDef {
    ScoreDef {
        key,
        label,
        weight,
        from,
    }
}

use Indicator as I;

/// §5.1 counts and rates shared by regions and departments.
fn base_counts() -> Vec<Indicator> {
    vec![
        I::Filed,
        I::PublicVerified,
        I::DueClose,
        I::Closed,
        I::ClosedOnTime,
        I::OverdueOpen,
        I::DueHandle,
        I::Handled,
        I::HandledOnTime,
        I::HandledLate,
        I::OverdueUnhandled,
        I::Rework,
        I::ReworkLoops,
        I::Extended,
        I::Hung,
    ]
}

fn base_rates() -> Vec<RateDef> {
    vec![
        rate(
            I::PublicVerified,
            I::Filed,
            "public_report_rate",
            "监督举报率",
        ),
        rate(I::Closed, I::DueClose, "closure_rate", "结案率"),
        rate(
            I::ClosedOnTime,
            I::DueClose,
            "on_time_closure_rate",
            "按期结案率",
        ),
        rate(I::Handled, I::DueHandle, "handling_rate", "处置率"),
        rate(
            I::HandledOnTime,
            I::DueHandle,
            "on_time_handling_rate",
            "按期处置率",
        ),
        rate(I::Rework, I::Handled, "rework_rate", "返工率"),
        rate(I::Extended, I::DueHandle, "extension_rate", "延期率"),
    ]
}

/// Column layout of a table under a configuration.
fn layout(
    kind: TableKind,
    cfg: &EvaluationConfig,
) -> (Vec<Indicator>, Vec<RateDef>, Vec<ScoreDef>, Indicator) {
    match kind {
        TableKind::District
        | TableKind::Street
        | TableKind::Community
        | TableKind::Grid
        | TableKind::DutyGrid => {
            let r = &cfg.region;
            (
                base_counts(),
                base_rates(),
                vec![
                    score(
                        "public_report",
                        "监督举报率分值",
                        r.w_public_report,
                        ScoreFrom::InverseRate(0),
                    ),
                    score("filed", "立案数分值", r.w_filed, ScoreFrom::Bands(I::Filed)),
                    score("closure", "结案率分值", r.w_closure, ScoreFrom::Rate(1)),
                    score(
                        "on_time_closure",
                        "按期结案率分值",
                        r.w_on_time_closure,
                        ScoreFrom::Rate(2),
                    ),
                ],
                I::Filed,
            )
        }
        TableKind::Department => {
            let d = &cfg.department;
            (
                base_counts(),
                base_rates(),
                vec![
                    score("filed", "立案数分值", d.w_filed, ScoreFrom::Bands(I::Filed)),
                    score("closure", "结案率分值", d.w_closure, ScoreFrom::Rate(1)),
                    score(
                        "on_time_handling",
                        "按时处置率分值",
                        d.w_on_time_handling,
                        ScoreFrom::Rate(4),
                    ),
                    score(
                        "rework",
                        "返工率分值",
                        d.w_rework,
                        ScoreFrom::InverseRate(5),
                    ),
                ],
                I::Filed,
            )
        }
        TableKind::Inspector => {
            let w = &cfg.inspector;
            (
                vec![
                    I::Reports,
                    I::ValidReports,
                    I::DueVerify,
                    I::VerifiedOnTime,
                    I::DueCheck,
                    I::CheckedOnTime,
                    I::AreaFiled,
                    I::Missed,
                ],
                vec![
                    rate(
                        I::ValidReports,
                        I::Reports,
                        "valid_report_rate",
                        "有效上报率",
                    ),
                    rate(
                        I::VerifiedOnTime,
                        I::DueVerify,
                        "on_time_verify_rate",
                        "按时核实率",
                    ),
                    rate(
                        I::CheckedOnTime,
                        I::DueCheck,
                        "on_time_check_rate",
                        "按时核查率",
                    ),
                    rate(I::Missed, I::AreaFiled, "miss_rate", "漏报率"),
                ],
                vec![
                    score(
                        "valid_report",
                        "有效上报率分值",
                        w.w_valid_report,
                        ScoreFrom::Rate(0),
                    ),
                    score("miss", "漏报率分值", w.w_miss, ScoreFrom::InverseRate(3)),
                    score("verify", "按时核实率分值", w.w_verify, ScoreFrom::Rate(1)),
                    score("check", "按时核查率分值", w.w_check, ScoreFrom::Rate(2)),
                ],
                I::Reports,
            )
        }
        TableKind::Receptionist => {
            let w = &cfg.receptionist;
            (
                vec![
                    I::Accepted,
                    I::DueVerifySend,
                    I::VerifySentOnTime,
                    I::DueCheckSend,
                    I::CheckSentOnTime,
                ],
                vec![
                    rate(
                        I::VerifySentOnTime,
                        I::DueVerifySend,
                        "verify_send_rate",
                        "核实按时派发率",
                    ),
                    rate(
                        I::CheckSentOnTime,
                        I::DueCheckSend,
                        "check_send_rate",
                        "核查按时派发率",
                    ),
                ],
                vec![
                    score(
                        "accepted",
                        "受理数分值",
                        w.w_accepted,
                        ScoreFrom::Bands(I::Accepted),
                    ),
                    score(
                        "verify_send",
                        "核实按时派发率分值",
                        w.w_verify_send,
                        ScoreFrom::Rate(0),
                    ),
                    score(
                        "check_send",
                        "核查按时派发率分值",
                        w.w_check_send,
                        ScoreFrom::Rate(1),
                    ),
                ],
                I::Accepted,
            )
        }
        TableKind::ShiftLeader => {
            let w = &cfg.shift_leader;
            (
                vec![
                    I::FiledBy,
                    I::FiledOnTime,
                    I::CancelledAfterFiling,
                    I::AccurateFiling,
                    I::ClosedBy,
                    I::ClosedOnTimeBy,
                ],
                vec![
                    rate(
                        I::FiledOnTime,
                        I::FiledBy,
                        "on_time_filing_rate",
                        "按时立案率",
                    ),
                    rate(
                        I::AccurateFiling,
                        I::FiledBy,
                        "accurate_filing_rate",
                        "准确立案率",
                    ),
                    rate(
                        I::ClosedOnTimeBy,
                        I::ClosedBy,
                        "on_time_closing_rate",
                        "按时结案率",
                    ),
                ],
                vec![
                    score(
                        "on_time_filing",
                        "按时立案率分值",
                        w.w_on_time_filing,
                        ScoreFrom::Rate(0),
                    ),
                    score(
                        "accurate_filing",
                        "准确立案率分值",
                        w.w_accurate_filing,
                        ScoreFrom::Rate(1),
                    ),
                    score(
                        "on_time_closing",
                        "按时结案率分值",
                        w.w_on_time_closing,
                        ScoreFrom::Rate(2),
                    ),
                ],
                I::FiledBy,
            )
        }
        TableKind::Dispatcher => {
            let w = &cfg.dispatcher;
            (
                vec![
                    I::DueDispatch,
                    I::DispatchedOnTime,
                    I::Dispatched,
                    I::DispatchRework,
                    I::AccurateDispatch,
                ],
                vec![
                    rate(
                        I::DispatchedOnTime,
                        I::DueDispatch,
                        "on_time_dispatch_rate",
                        "按时派遣率",
                    ),
                    rate(
                        I::AccurateDispatch,
                        I::Dispatched,
                        "accurate_dispatch_rate",
                        "准确派遣率",
                    ),
                ],
                vec![
                    score(
                        "dispatched",
                        "派遣数分值",
                        w.w_dispatched,
                        ScoreFrom::Bands(I::Dispatched),
                    ),
                    score(
                        "on_time_dispatch",
                        "按时派遣率分值",
                        w.w_on_time,
                        ScoreFrom::Rate(0),
                    ),
                    score(
                        "accurate_dispatch",
                        "准确派遣率分值",
                        w.w_accurate,
                        ScoreFrom::Rate(1),
                    ),
                ],
                I::Dispatched,
            )
        }
    }
}

/// A region row's extra facts for banding: number of active grids and its region class.
struct RegionFacts {
    grids: u32,
    class: u8,
}

fn bands_for<'a>(
    kind: TableKind,
    cfg: &'a EvaluationConfig,
    facts: Option<&RegionFacts>,
) -> &'a Bands {
    match kind {
        TableKind::Department => &cfg.department.filed_bands,
        TableKind::Receptionist => &cfg.receptionist.accepted_bands,
        TableKind::Dispatcher => &cfg.dispatcher.dispatched_bands,
        _ => {
            if facts.is_some_and(|f| f.class == 1) {
                &cfg.region.filed_bands_class1
            } else {
                &cfg.region.filed_bands_class2
            }
        }
    }
}

struct RowSource {
    index: u32,
    code: String,
    name: String,
    counts: Counts,
    facts: Option<RegionFacts>,
}

fn build_table(kind: TableKind, sources: Vec<RowSource>, cfg: &EvaluationConfig) -> EvalTable {
    let (counts, rates, scores, sample) = layout(kind, cfg);
    let mut rows: Vec<EvalRow> = sources
        .into_par_iter()
        .map(|s| {
            let rv: Vec<Option<f64>> = rates
                .iter()
                .map(|r| {
                    let d = s.counts[r.denominator as usize];
                    (d > 0)
                        .then(|| f64::from(s.counts[r.numerator as usize]) / f64::from(d) * 100.0)
                })
                .collect();
            let sv: Vec<Option<f64>> = scores
                .iter()
                .map(|sd| match sd.from {
                    ScoreFrom::Rate(k) => rv[k],
                    ScoreFrom::InverseRate(k) => rv[k].map(|v| 100.0 - v),
                    ScoreFrom::Bands(i) => {
                        let v = f64::from(s.counts[i as usize]);
                        // Regions are banded on filed cases per unit grid, or on the total
                        // (the city's choice, §5.2).
                        let v = match &s.facts {
                            Some(f)
                                if f.grids > 1
                                    && cfg.region.filed_basis
                                        == super::config::FiledBasis::PerGrid =>
                            {
                                v / f64::from(f.grids)
                            }
                            _ => v,
                        };
                        Some(bands_for(kind, cfg, s.facts.as_ref()).score(v))
                    }
                })
                .collect();
            let comp = composite(
                &scores
                    .iter()
                    .zip(&sv)
                    .map(|(d, s)| (d.weight, *s))
                    .collect::<Vec<_>>(),
            );
            EvalRow {
                object: ObjectRef {
                    table: kind,
                    index: s.index,
                },
                code: s.code,
                name: s.name,
                counts: counts.iter().map(|&i| s.counts[i as usize]).collect(),
                rates: rv,
                scores: sv,
                grade: comp.map(|c| cfg.grade(c)),
                composite: comp,
                sample: s.counts[sample as usize],
                rank: None,
            }
        })
        .collect();
    // Competition ranking ("1, 2, 2, 4") of the rows with enough sample.
    let mut ranked: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].sample >= cfg.min_sample && rows[i].composite.is_some())
        .collect();
    ranked.sort_by(|&a, &b| {
        let (x, y) = (
            rows[a].composite.unwrap_or(0.0),
            rows[b].composite.unwrap_or(0.0),
        );
        y.total_cmp(&x).then(rows[a].code.cmp(&rows[b].code))
    });
    let mut prev: Option<(f64, u32)> = None;
    for (pos, &i) in ranked.iter().enumerate() {
        let c = rows[i].composite.unwrap_or(0.0);
        let r = match prev {
            Some((pc, pr)) if (pc - c).abs() < 1e-9 => pr,
            _ => pos as u32 + 1,
        };
        rows[i].rank = Some(r);
        prev = Some((c, r));
    }
    EvalTable {
        kind,
        title: kind.zh(),
        counts,
        rates,
        scores,
        sample,
        rows,
    }
}

fn add(a: &mut Counts, b: &Counts) {
    for k in 0..N {
        a[k] += b[k];
    }
}

/// The class of a region by its active grids' classes: 1 when more are class 1 than 2, else 2.
fn majority(classes: &[u32; 3]) -> u8 {
    if classes[1] > classes[2] {
        1
    } else {
        2
    }
}

/// The district row of `input`'s counts: every grid's and the cases without a grid, the
/// district's active grids and their majority class. One definition for a district's own
/// table ([`evaluate`]) and the city's table across districts ([`evaluate_districts`]).
fn district_source(input: &EvalInput, acc: &Acc, index: u32) -> RowSource {
    let r = &input.regions;
    let mut counts = acc.no_grid;
    let mut facts = (0u32, [0u32; 3]);
    for g in 0..r.grid_count() {
        add(&mut counts, &acc.grid[g]);
        if r.grid_active[g] {
            facts.0 += 1;
            facts.1[r.grid_class[g].min(2) as usize] += 1;
        }
    }
    RowSource {
        index,
        code: r.district_code.clone().unwrap_or_default(),
        name: r.district_name.clone().unwrap_or_default(),
        counts,
        facts: Some(RegionFacts {
            grids: facts.0,
            class: majority(&facts.1),
        }),
    }
}

/// The district table of a city (docs/centre.md, "The city view"): one row per district, each
/// counted from that district's own input exactly as its own [`evaluate`] counts it, then
/// rated, scored, graded and ranked among the districts with `cfg`. Row `index` is the
/// district's position in `inputs`.
pub fn evaluate_districts(
    inputs: &[&EvalInput],
    period: &Period,
    cfg: &EvaluationConfig,
) -> EvalTable {
    let sources = inputs
        .iter()
        .enumerate()
        .map(|(i, input)| district_source(input, &count_all(input, period), i as u32))
        .collect();
    build_table(TableKind::District, sources, cfg)
}

/// Evaluates every region level, department and position for a period.
pub fn evaluate(input: &EvalInput, period: &Period, cfg: &EvaluationConfig) -> Evaluation {
    let acc = count_all(input, period);
    let r = &input.regions;
    // Roll grids up to communities, streets and the district.
    let mut comm = vec![[0u32; N]; r.community_codes.len()];
    let mut street = vec![[0u32; N]; r.street_codes.len()];
    let mut comm_facts = vec![(0u32, [0u32; 3]); comm.len()];
    let mut street_facts = vec![(0u32, [0u32; 3]); street.len()];
    let mut duty = vec![[0u32; N]; r.duty_codes.len()];
    let mut duty_facts = vec![(0u32, [0u32; 3]); duty.len()];
    for g in 0..r.grid_count() {
        let dg = r.duty_of(g);
        if dg != NONE {
            if let (Some(d), Some(f)) = (duty.get_mut(dg as usize), duty_facts.get_mut(dg as usize))
            {
                add(d, &acc.grid[g]);
                if r.grid_active[g] {
                    f.0 += 1;
                    f.1[r.grid_class[g].min(2) as usize] += 1;
                }
            }
        }
        let class = r.grid_class[g].min(2) as usize;
        let active = r.grid_active[g];
        let c = r.grid_community[g];
        if c != NONE {
            add(&mut comm[c as usize], &acc.grid[g]);
            if active {
                comm_facts[c as usize].0 += 1;
                comm_facts[c as usize].1[class] += 1;
            }
        }
        let s = r.grid_street[g];
        if s != NONE {
            add(&mut street[s as usize], &acc.grid[g]);
            if active {
                street_facts[s as usize].0 += 1;
                street_facts[s as usize].1[class] += 1;
            }
        }
    }
    let mut tables = Vec::with_capacity(TableKind::ALL.len());
    tables.push(build_table(
        TableKind::District,
        vec![district_source(input, &acc, 0)],
        cfg,
    ));
    tables.push(build_table(
        TableKind::Street,
        (0..street.len())
            .map(|s| RowSource {
                index: s as u32,
                code: r.street_codes[s].clone(),
                name: r.street_names[s].clone(),
                counts: street[s],
                facts: Some(RegionFacts {
                    grids: street_facts[s].0,
                    class: majority(&street_facts[s].1),
                }),
            })
            .collect(),
        cfg,
    ));
    tables.push(build_table(
        TableKind::Community,
        (0..comm.len())
            .map(|c| RowSource {
                index: c as u32,
                code: r.community_codes[c].clone(),
                name: r.community_names[c].clone(),
                counts: comm[c],
                facts: Some(RegionFacts {
                    grids: comm_facts[c].0,
                    class: majority(&comm_facts[c].1),
                }),
            })
            .collect(),
        cfg,
    ));
    tables.push(build_table(
        TableKind::Grid,
        (0..r.grid_count())
            .filter(|&g| r.grid_active[g])
            .map(|g| RowSource {
                index: g as u32,
                code: r.grid_codes[g].to_string(),
                name: r.grid_names[g].clone(),
                counts: acc.grid[g],
                facts: Some(RegionFacts {
                    grids: 1,
                    class: r.grid_class[g],
                }),
            })
            .collect(),
        cfg,
    ));
    tables.push(build_table(
        TableKind::DutyGrid,
        (0..duty.len())
            .map(|d| RowSource {
                index: d as u32,
                code: r.duty_codes[d].clone(),
                name: r.duty_names[d].clone(),
                counts: duty[d],
                facts: Some(RegionFacts {
                    grids: duty_facts[d].0,
                    class: majority(&duty_facts[d].1),
                }),
            })
            .collect(),
        cfg,
    ));
    tables.push(build_table(
        TableKind::Department,
        input
            .departments
            .iter()
            .enumerate()
            .map(|(d, name)| RowSource {
                index: d as u32,
                code: name.clone(),
                name: name.clone(),
                counts: acc.dept[d],
                facts: None,
            })
            .collect(),
        cfg,
    ));
    for kind in [
        TableKind::Inspector,
        TableKind::Receptionist,
        TableKind::ShiftLeader,
        TableKind::Dispatcher,
    ] {
        let pos = kind.position().unwrap_or(Position::Inspector);
        let counts = &acc.person[pos as usize];
        tables.push(build_table(
            kind,
            input
                .people
                .iter()
                .enumerate()
                .filter(|(i, p)| p.position == pos || counts[*i].iter().any(|&v| v > 0))
                .map(|(i, p)| RowSource {
                    index: i as u32,
                    code: p.id.clone(),
                    name: p.name.clone(),
                    counts: counts[i],
                    facts: None,
                })
                .collect(),
            cfg,
        ));
    }
    Evaluation {
        period: *period,
        min_sample: cfg.min_sample,
        tables,
    }
}

/// The ids of the cases behind one count of one row.
pub fn drill(
    input: &EvalInput,
    period: &Period,
    object: ObjectRef,
    indicator: Indicator,
) -> Vec<Box<str>> {
    let r = &input.regions;
    let region_match = |g: Option<u32>| -> bool {
        match (object.table, g) {
            (TableKind::District, _) => true,
            (TableKind::Grid, Some(g)) => g == object.index,
            (TableKind::Community, Some(g)) => {
                r.grid_community.get(g as usize) == Some(&object.index)
            }
            (TableKind::Street, Some(g)) => r.grid_street.get(g as usize) == Some(&object.index),
            (TableKind::DutyGrid, Some(g)) => r.duty_of(g as usize) == object.index,
            _ => false,
        }
    };
    input
        .cases
        .par_iter()
        .enumerate()
        .filter(|(i, _)| input.may_count(*i, period))
        .map(|(_, c)| c)
        .filter(|c| {
            let mut hit = false;
            contributions(c, period, &input.grid_inspector, &mut |o, i, _| {
                if i != indicator || hit {
                    return;
                }
                hit = match (o, object.table.position()) {
                    (Counted::Region(g), None) if object.table != TableKind::Department => {
                        region_match(g)
                    }
                    (Counted::Department(d), None) => {
                        object.table == TableKind::Department && d == object.index
                    }
                    (Counted::Person(p, who), Some(pos)) => p == pos && who == object.index,
                    _ => false,
                };
            });
            hit
        })
        .map(|c| c.id.clone())
        .collect()
}
