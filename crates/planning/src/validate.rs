//! Topology and coding checks for unit grids (SPEC §1.6), as a flat list of findings: the same
//! [`Problem`]s the planning guard reports for an edit.
//!
//! The check itself is [`crate::planning::check_district`]: invalid polygons, overlapping grids,
//! uncovered parts of a community, grids (partly) outside their community, codes naming no
//! community, shared edges not matched vertex for vertex, overlapping communities (errors);
//! grid area outside the configured range (warning). Each finding carries the geometry to
//! highlight.

use crate::index::SpatialIndex;
use crate::planning::{check_district, PlanSettings};

pub use griddesk_core::topology::{Problem, Severity};

/// Thresholds for [`validate`].
#[derive(Debug, Clone, Copy)]
pub struct ValidateOptions {
    pub min_area_m2: f64,
    pub max_area_m2: f64,
}

impl Default for ValidateOptions {
    fn default() -> Self {
        let s = PlanSettings::default();
        Self {
            min_area_m2: s.min_area_m2,
            max_area_m2: s.max_area_m2,
        }
    }
}

/// Checks every active grid; findings are sorted errors first, then by code.
pub fn validate(idx: &SpatialIndex, opts: &ValidateOptions) -> Vec<Problem> {
    let settings = PlanSettings {
        min_area_m2: opts.min_area_m2,
        max_area_m2: opts.max_area_m2,
        ..PlanSettings::default()
    };
    let mut out = check_district(idx, &settings).problems;
    out.sort_by_key(|p| (p.severity, p.subject(), p.rule));
    out
}
