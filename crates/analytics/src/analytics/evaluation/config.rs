//! Weights, score bands and grades as data (JSON), with the SPEC §5 defaults.
//!
//! Every composite is `Σ weight × score / Σ weight` over the scores that exist (a rate whose
//! denominator is zero has no score), so weights need not sum to 100.

use crate::error::{Error, Result};
use crate::message::{Message, MessageCode as C};
use serde::{Deserialize, Serialize};

/// A comparison in a score band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum BandOp {
    /// value = bound
    Eq,
    /// value < bound
    Lt,
    /// value ≤ bound
    Le,
    /// value ≥ bound
    Ge,
}

/// One band: if `value op bound` then `score`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Band {
    pub op: BandOp,
    pub bound: f64,
    pub score: f64,
}

/// Bands tried in order; the first that holds gives the score, else `otherwise`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Bands {
    pub bands: Vec<Band>,
    pub otherwise: f64,
}

impl Bands {
    fn of(op: BandOp, rows: &[(f64, f64)], otherwise: f64) -> Self {
        Self {
            bands: rows
                .iter()
                .map(|&(bound, score)| Band { op, bound, score })
                .collect(),
            otherwise,
        }
    }

    /// The score of `v`.
    pub fn score(&self, v: f64) -> f64 {
        self.bands
            .iter()
            .find(|b| match b.op {
                BandOp::Eq => v == b.bound,
                BandOp::Lt => v < b.bound,
                BandOp::Le => v <= b.bound,
                BandOp::Ge => v >= b.bound,
            })
            .map_or(self.otherwise, |b| b.score)
    }
}

/// A grade and the lowest composite that earns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GradeBand {
    pub grade: String,
    pub min: f64,
}

/// Region weights (SPEC §5.2; default 10/30/30/30 since the reference's sum to 70).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RegionConfig {
    pub w_public_report: f64,
    pub w_filed: f64,
    pub w_closure: f64,
    pub w_on_time_closure: f64,
    /// 立案数分值 bands for 一类区域, applied to filed cases per unit grid of the region.
    pub filed_bands_class1: Bands,
    /// 立案数分值 bands for 二类区域.
    pub filed_bands_class2: Bands,
    /// What a region's 立案数分值 bands are applied to (docs/domain.md §5.2, a choice the
    /// sources leave open). Stores written before this setting read the default.
    #[serde(default)]
    pub filed_basis: FiledBasis,
}

/// What a region's 立案数分值 bands are applied to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum FiledBasis {
    /// Filed cases per active unit grid of the region (a street of 200 grids is banded like
    /// one grid): the default, so that streets and communities of any size compare.
    #[default]
    PerGrid,
    /// The region's whole 立案数, as the reference code bands a single grid.
    Total,
}

/// The evaluation's rules that are fixed in GridDesk (not settings), shown with the settings so
/// that a city sees them (docs/domain.md §5, "Choices the sources leave open").
pub const FIXED_RULES: &[(&str, &str, &str)] = &[
    (
        "rework_last_run",
        "返工后的按期处置以最后一次处置判断（与参考平台一致）",
        "On-time handling after rework is judged by the last run only (as the reference platform does)",
    ),
    (
        "state_of_today",
        "历史月份按当前状态评价（如次月作废的上报不再计为有效上报）",
        "Past months are evaluated from today's state (e.g. a report cancelled the next month is no longer a valid report)",
    ),
];

/// Department weights (SPEC §5.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DepartmentConfig {
    pub w_filed: f64,
    pub w_closure: f64,
    pub w_on_time_handling: f64,
    pub w_rework: f64,
    pub filed_bands: Bands,
}

/// 监督员 weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct InspectorConfig {
    pub w_valid_report: f64,
    pub w_miss: f64,
    pub w_verify: f64,
    pub w_check: f64,
}

/// 受理员 weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReceptionistConfig {
    pub w_accepted: f64,
    pub w_verify_send: f64,
    pub w_check_send: f64,
    pub accepted_bands: Bands,
}

/// 值班长 weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ShiftLeaderConfig {
    pub w_on_time_filing: f64,
    pub w_accurate_filing: f64,
    pub w_on_time_closing: f64,
}

/// 派遣员 weights. SPEC §5.4 found no 派遣数分值 bands; the default reuses the 受理数 bands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DispatcherConfig {
    pub w_dispatched: f64,
    pub w_on_time: f64,
    pub w_accurate: f64,
    pub dispatched_bands: Bands,
}

/// The whole evaluation configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EvaluationConfig {
    /// Rows whose sample (立案数, 上报数, 受理数, 派遣数…) is below this get no rank.
    pub min_sample: u32,
    /// Grades from best to worst; below the last `min` the last grade applies.
    pub grades: Vec<GradeBand>,
    pub region: RegionConfig,
    pub department: DepartmentConfig,
    pub inspector: InspectorConfig,
    pub receptionist: ReceptionistConfig,
    pub shift_leader: ShiftLeaderConfig,
    pub dispatcher: DispatcherConfig,
}

fn accepted_bands() -> Bands {
    Bands::of(
        BandOp::Ge,
        &[
            (2001.0, 100.0),
            (1201.0, 90.0),
            (501.0, 75.0),
            (301.0, 60.0),
            (101.0, 40.0),
        ],
        0.0,
    )
}

impl Default for EvaluationConfig {
    fn default() -> Self {
        let mut class1 = Bands::of(
            BandOp::Lt,
            &[(3.0, 90.0), (5.0, 75.0), (7.0, 60.0), (9.0, 40.0)],
            0.0,
        );
        class1.bands.insert(
            0,
            Band {
                op: BandOp::Eq,
                bound: 0.0,
                score: 100.0,
            },
        );
        let mut class2 = Bands::of(
            BandOp::Lt,
            &[(4.0, 90.0), (6.0, 75.0), (8.0, 60.0), (10.0, 40.0)],
            0.0,
        );
        class2.bands.insert(
            0,
            Band {
                op: BandOp::Eq,
                bound: 0.0,
                score: 100.0,
            },
        );
        Self {
            min_sample: 5,
            grades: [
                ("A", 90.0),
                ("B", 75.0),
                ("C", 60.0),
                ("D", 40.0),
                ("E", 0.0),
            ]
            .iter()
            .map(|&(g, m)| GradeBand {
                grade: g.into(),
                min: m,
            })
            .collect(),
            region: RegionConfig {
                w_public_report: 10.0,
                w_filed: 30.0,
                w_closure: 30.0,
                w_on_time_closure: 30.0,
                filed_bands_class1: class1,
                filed_bands_class2: class2,
                filed_basis: FiledBasis::PerGrid,
            },
            department: DepartmentConfig {
                w_filed: 10.0,
                w_closure: 30.0,
                w_on_time_handling: 30.0,
                w_rework: 30.0,
                filed_bands: Bands::of(
                    BandOp::Le,
                    &[
                        (50.0, 100.0),
                        (100.0, 90.0),
                        (200.0, 75.0),
                        (500.0, 60.0),
                        (1000.0, 40.0),
                    ],
                    0.0,
                ),
            },
            inspector: InspectorConfig {
                w_valid_report: 40.0,
                w_miss: 20.0,
                w_verify: 20.0,
                w_check: 20.0,
            },
            receptionist: ReceptionistConfig {
                w_accepted: 25.0,
                w_verify_send: 40.0,
                w_check_send: 35.0,
                accepted_bands: accepted_bands(),
            },
            shift_leader: ShiftLeaderConfig {
                w_on_time_filing: 25.0,
                w_accurate_filing: 40.0,
                w_on_time_closing: 35.0,
            },
            dispatcher: DispatcherConfig {
                w_dispatched: 20.0,
                w_on_time: 40.0,
                w_accurate: 40.0,
                dispatched_bands: accepted_bands(),
            },
        }
    }
}

impl EvaluationConfig {
    /// Refuses weights that are negative or not numbers, and grade bands without a name or a
    /// lower bound.
    pub fn check(&self) -> Result<()> {
        if self.grades.is_empty() {
            return Err(Error::Invalid(
                Message::new(C::GradeBandsEmpty).en("the grade bands are empty"),
            ));
        }
        let bad_weight = [
            self.region.w_public_report,
            self.region.w_filed,
            self.region.w_closure,
            self.region.w_on_time_closure,
            self.department.w_filed,
            self.department.w_closure,
            self.department.w_on_time_handling,
            self.department.w_rework,
            self.inspector.w_valid_report,
            self.inspector.w_miss,
            self.inspector.w_verify,
            self.inspector.w_check,
            self.receptionist.w_accepted,
            self.receptionist.w_verify_send,
            self.receptionist.w_check_send,
            self.shift_leader.w_on_time_filing,
            self.shift_leader.w_accurate_filing,
            self.shift_leader.w_on_time_closing,
            self.dispatcher.w_dispatched,
            self.dispatcher.w_on_time,
            self.dispatcher.w_accurate,
        ]
        .into_iter()
        .any(|w| !(w.is_finite() && w >= 0.0));
        if bad_weight {
            return Err(Error::Invalid(
                Message::new(C::WeightInvalid).en("a weight is negative or not a number"),
            ));
        }
        if self
            .grades
            .iter()
            .any(|g| !g.min.is_finite() || g.grade.trim().is_empty())
        {
            return Err(Error::Invalid(
                Message::new(C::GradeBandIncomplete)
                    .en("a grade band has no name or no lower bound"),
            ));
        }
        Ok(())
    }

    /// Reads a configuration from JSON (every field required; start from the defaults' JSON).
    pub fn from_json(text: &str, file: &str) -> Result<Self> {
        let c: Self = serde_json::from_str(text).map_err(|e| {
            Error::Invalid(
                Message::new(C::EvaluationConfigUnreadable)
                    .text("file", file)
                    .en(format!("{file}: evaluation config: {e}")),
            )
        })?;
        if c.grades.is_empty() {
            return Err(Error::Invalid(
                Message::new(C::EvaluationGradesEmpty)
                    .text("file", file)
                    .en(format!("{file}: evaluation config: `grades` is empty")),
            ));
        }
        Ok(c)
    }

    /// The grade of a composite value.
    pub fn grade(&self, v: f64) -> String {
        self.grades
            .iter()
            .find(|g| v >= g.min)
            .or(self.grades.last())
            .map(|g| g.grade.clone())
            .unwrap_or_default()
    }
}

/// `Σ w·s / Σ w` over the present scores; `None` if none is present.
pub fn composite(parts: &[(f64, Option<f64>)]) -> Option<f64> {
    let (mut ws, mut w) = (0.0, 0.0);
    for &(weight, s) in parts {
        if let Some(s) = s {
            ws += weight * s;
            w += weight;
        }
    }
    (w > 0.0).then(|| ws / w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_bands() {
        let c = EvaluationConfig::default();
        let r1 = &c.region.filed_bands_class1;
        assert_eq!(
            [0.0, 2.0, 2.9, 3.0, 4.0, 5.0, 6.0, 8.0, 9.0].map(|v| r1.score(v)),
            [100.0, 90.0, 90.0, 75.0, 75.0, 60.0, 60.0, 40.0, 0.0]
        );
        let r2 = &c.region.filed_bands_class2;
        assert_eq!(
            [0.0, 3.0, 4.0, 9.0, 10.0].map(|v| r2.score(v)),
            [100.0, 90.0, 75.0, 40.0, 0.0]
        );
        let d = &c.department.filed_bands;
        assert_eq!(
            [0.0, 50.0, 51.0, 1000.0, 1001.0].map(|v| d.score(v)),
            [100.0, 100.0, 90.0, 40.0, 0.0]
        );
        let a = &c.receptionist.accepted_bands;
        assert_eq!(
            [2001.0, 2000.0, 1201.0, 500.0, 101.0, 100.0].map(|v| a.score(v)),
            [100.0, 90.0, 90.0, 60.0, 40.0, 0.0]
        );
    }

    #[test]
    fn grades_follow_spec_5_5() {
        let c = EvaluationConfig::default();
        let g: Vec<String> = [100.0, 90.0, 89.99, 75.0, 60.0, 59.9, 40.0, 39.9, 0.0]
            .iter()
            .map(|&v| c.grade(v))
            .collect();
        assert_eq!(g, ["A", "A", "B", "B", "C", "D", "D", "E", "E"]);
    }

    #[test]
    fn composite_skips_missing_scores() {
        assert_eq!(
            composite(&[(10.0, Some(100.0)), (30.0, Some(50.0))]),
            Some(62.5)
        );
        assert_eq!(composite(&[(10.0, Some(80.0)), (30.0, None)]), Some(80.0));
        assert_eq!(composite(&[(10.0, None)]), None);
    }

    #[test]
    fn config_round_trips_through_json() {
        let c = EvaluationConfig::default();
        let text = serde_json::to_string(&c).expect("json");
        assert_eq!(
            EvaluationConfig::from_json(&text, "x.json").expect("parse"),
            c
        );
        assert!(EvaluationConfig::from_json("{}", "x.json").is_err());
    }
}
