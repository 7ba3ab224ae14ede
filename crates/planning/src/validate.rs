//! Topology and coding checks for unit grids (SPEC §1.6), as a flat list of findings.
//!
//! The check itself is [`crate::planning::check_district`]: invalid polygons, overlapping grids,
//! uncovered parts of a community, grids (partly) outside their community, codes naming no
//! community, shared edges not matched vertex for vertex, overlapping communities (errors);
//! grid area outside the configured range (warning). Each finding carries the geometry to
//! highlight.

use crate::index::SpatialIndex;
use crate::planning::{check_district, PlanSettings};
use serde::Serialize;

pub use griddesk_core::topology::Severity;

/// One problem found by [`validate`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// Short rule id, e.g. `overlap`.
    pub rule: &'static str,
    /// The grid (first of those concerned) or community concerned.
    pub code: String,
    pub message: String,
    /// What to highlight on the map (GeoJSON geometry).
    #[serde(with = "geometry")]
    pub geometry: Option<geo_types::Geometry<f64>>,
}

mod geometry {
    use serde::{Serialize, Serializer};

    pub fn serialize<S: Serializer>(
        g: &Option<geo_types::Geometry<f64>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        g.as_ref().map(geojson::Geometry::from).serialize(s)
    }
}

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
pub fn validate(idx: &SpatialIndex, opts: &ValidateOptions) -> Vec<Finding> {
    let settings = PlanSettings {
        min_area_m2: opts.min_area_m2,
        max_area_m2: opts.max_area_m2,
        ..PlanSettings::default()
    };
    let mut out: Vec<Finding> = check_district(idx, &settings)
        .problems
        .into_iter()
        .map(|p| Finding {
            severity: p.severity,
            rule: p.rule.id(),
            code: p
                .grids
                .first()
                .map(|g| g.to_string())
                .or_else(|| p.community.map(|c| c.to_string()))
                .unwrap_or_default(),
            message: p.message,
            geometry: p.geometry,
        })
        .collect();
    out.sort_by(|a, b| (a.severity, &a.code, a.rule).cmp(&(b.severity, &b.code, b.rule)));
    out
}
