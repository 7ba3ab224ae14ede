//! Topology and coding checks for unit grids (SPEC §1.6).
//!
//! Errors: invalid polygons, grids overlapping each other, grids outside their community, a code
//! prefix naming no community, grids that do not tile their community (gaps or overlaps).
//! Warnings: grid area outside the configured range.

use crate::index::SpatialIndex;
use geo::{BoundingRect, InteriorPoint, Relate, Validation};
use serde::Serialize;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found by [`validate`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// Short rule id, e.g. `grid-overlap`.
    pub rule: &'static str,
    /// The grid or community concerned.
    pub code: String,
    pub message: String,
}

/// Thresholds for [`validate`].
#[derive(Debug, Clone, Copy)]
pub struct ValidateOptions {
    pub min_area_m2: f64,
    pub max_area_m2: f64,
    /// Allowed relative difference between a community's area and the sum of its grids.
    pub coverage_tolerance: f64,
}

impl Default for ValidateOptions {
    fn default() -> Self {
        Self {
            min_area_m2: 2_000.0,
            max_area_m2: 50_000.0,
            coverage_tolerance: 5e-4,
        }
    }
}

/// Checks every active grid; findings are sorted errors first, then by code.
pub fn validate(idx: &SpatialIndex, opts: &ValidateOptions) -> Vec<Finding> {
    use rayon::prelude::*;
    let active: Vec<usize> = (0..idx.grids.len())
        .filter(|&i| idx.grids[i].is_active())
        .collect();
    let mut out: Vec<Finding> = active
        .par_iter()
        .flat_map_iter(|&i| {
            let g = &idx.grids[i];
            let code = g.code.to_string();
            let mut f = Vec::new();
            let mut push = |severity, rule, message: String| {
                f.push(Finding {
                    severity,
                    rule,
                    code: code.clone(),
                    message,
                })
            };
            if let Some(e) = g.polygon.validation_errors().into_iter().next() {
                push(
                    Severity::Error,
                    "invalid-polygon",
                    format!("invalid polygon: {e}"),
                );
            }
            match idx.community_index(&g.community()) {
                None => push(
                    Severity::Error,
                    "unknown-community",
                    format!("community {} does not exist", g.community()),
                ),
                Some(ci) => {
                    if let Some(p) = g.polygon.interior_point() {
                        if idx.community_at(p.x(), p.y()) != Some(ci) {
                            push(
                                Severity::Error,
                                "outside-community",
                                format!("grid lies outside its community {}", g.community()),
                            );
                        }
                    }
                }
            }
            if g.area_m2 < opts.min_area_m2 || g.area_m2 > opts.max_area_m2 {
                push(
                    Severity::Warning,
                    "area-range",
                    format!(
                        "area {:.0} m² outside {:.0}–{:.0} m²",
                        g.area_m2, opts.min_area_m2, opts.max_area_m2
                    ),
                );
            }
            if let Some(r) = g.polygon.bounding_rect() {
                for j in idx.grid_candidates(r) {
                    if j <= i {
                        continue;
                    }
                    let m = g.polygon.relate(&idx.grids[j].polygon);
                    if m.is_intersects() && !m.is_touches() {
                        push(
                            Severity::Error,
                            "grid-overlap",
                            format!("overlaps grid {}", idx.grids[j].code),
                        );
                    }
                }
            }
            f.into_iter()
        })
        .collect();

    // Coverage: the grids of a community add up to the community's area.
    let mut sum = vec![0.0f64; idx.communities.len()];
    for &i in &active {
        if let Some(ci) = idx.community_index(&idx.grids[i].community()) {
            sum[ci] += idx.grids[i].area_m2;
        }
    }
    for (ci, c) in idx.communities.iter().enumerate() {
        // Geodesic area of each part, holes subtracted.
        let area: f64 = c.boundary.0.iter().map(crate::geodesy::area_m2).sum();
        let diff = sum[ci] - area;
        if area > 0.0 && (diff / area).abs() > opts.coverage_tolerance {
            out.push(Finding {
                severity: Severity::Error,
                rule: "coverage",
                code: c.code.to_string(),
                message: if diff < 0.0 {
                    format!(
                        "grids leave {:.0} m² of the community uncovered (gap)",
                        -diff
                    )
                } else {
                    format!(
                        "grids exceed the community by {:.0} m² (overlap or grid outside)",
                        diff
                    )
                },
            });
        }
    }
    out.sort_by(|a, b| (a.severity, &a.code, a.rule).cmp(&(b.severity, &b.code, b.rule)));
    out
}
