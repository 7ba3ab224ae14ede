//! The repeat finder (重复问题发现, SPEC §7): places where the same class of problem recurs.
//!
//! A place is a closed case with at least `min_cases − 1` other closed cases of the same kind
//! and class within `radius_m` metres reported within `window_days` after it. Places are picked
//! greedily, largest first, each case counted in one place only, and ranked by the number of
//! cases (then by the latest report).

use crate::model::CaseKind;
use chrono::NaiveDateTime;
use rstar::primitives::GeomWithData;
use serde::{Deserialize, Serialize};

/// Parameters of the repeat finder.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RepeatParams {
    pub radius_m: f64,
    pub window_days: i64,
    pub min_cases: usize,
    /// Only cases reported at or after.
    pub since: Option<NaiveDateTime>,
    /// Only cases reported before.
    pub until: Option<NaiveDateTime>,
    /// Longest list returned.
    pub limit: usize,
}

impl Default for RepeatParams {
    fn default() -> Self {
        Self {
            radius_m: 50.0,
            window_days: 30,
            min_cases: 3,
            since: None,
            until: None,
            limit: 100,
        }
    }
}

/// A place where a class of problem recurs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepeatPlace {
    pub kind: CaseKind,
    pub class_code: String,
    pub class_name: Option<String>,
    /// Mean of the cases' locations.
    pub center: [f64; 2],
    pub grid: Option<String>,
    pub count: usize,
    pub first: NaiveDateTime,
    pub last: NaiveDateTime,
    /// The cases, oldest first.
    pub case_ids: Vec<String>,
}

pub type Pt = GeomWithData<[f64; 2], usize>;
