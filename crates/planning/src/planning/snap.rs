//! Snapping for the map editor: the nearest vertex to a point within a tolerance in metres,
//! else the nearest point on an edge — among active grids, community and street outlines, and
//! road lines when given. Candidates come from the R-trees, so a query costs microseconds.

use super::geom::Metric;
use crate::index::SpatialIndex;
use geo::BoundingRect;
use geo_types::{Coord, LineString, Rect};
use serde::{Deserialize, Serialize};

/// What was snapped to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SnapKind {
    Vertex,
    Edge,
}

/// Which layer the snapped feature belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SnapLayer {
    Grid,
    Community,
    Street,
    Road,
    /// A building outline of the basemap.
    Building,
}

/// A snap result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SnapHit {
    pub kind: SnapKind,
    pub layer: SnapLayer,
    /// Code of the grid, community or street (index of the road line for roads).
    pub feature: String,
    /// The snapped point `[lon, lat]` (an exact vertex coordinate for vertex hits).
    pub point: [f64; 2],
    /// For edge hits, the edge's ends.
    pub edge: Option<[[f64; 2]; 2]>,
    pub distance_m: f64,
}

/// Snaps `p` to the nearest vertex within `tolerance_m` metres, else to the nearest edge point.
/// Grid features win ties over outlines and the `extra` lines (basemap road centre lines and
/// building outlines, or a road file), which are given with their layer.
pub fn snap(
    idx: &SpatialIndex,
    p: [f64; 2],
    tolerance_m: f64,
    extra: &[(SnapLayer, LineString<f64>)],
) -> Option<SnapHit> {
    if !(p[0].is_finite() && p[1].is_finite() && tolerance_m.is_finite() && tolerance_m >= 0.0) {
        return None;
    }
    let at = Coord { x: p[0], y: p[1] };
    let m = Metric::at(p[1]);
    let (dx, dy) = m.degrees(tolerance_m);
    let r = Rect::new((at.x - dx, at.y - dy), (at.x + dx, at.y + dy));
    // (layer, feature, closed ring or line)
    let mut lines: Vec<(SnapLayer, String, &LineString<f64>)> = Vec::new();
    for i in idx.grid_candidates(r) {
        let g = &idx.grids[i];
        for ring in std::iter::once(g.polygon.exterior()).chain(g.polygon.interiors()) {
            lines.push((SnapLayer::Grid, g.code.to_string(), ring));
        }
    }
    for i in idx.community_candidates(r) {
        let c = &idx.communities[i];
        for poly in &c.boundary.0 {
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                lines.push((SnapLayer::Community, c.code.to_string(), ring));
            }
        }
    }
    for i in idx.street_candidates(r) {
        let s = &idx.streets[i];
        for poly in &s.boundary.0 {
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                lines.push((SnapLayer::Street, s.code.to_string(), ring));
            }
        }
    }
    for (k, (layer, l)) in extra.iter().enumerate() {
        if l.bounding_rect().is_some_and(|b| {
            b.min().x <= r.max().x
                && b.max().x >= r.min().x
                && b.min().y <= r.max().y
                && b.max().y >= r.min().y
        }) {
            lines.push((*layer, k.to_string(), l));
        }
    }
    let mut best: Option<SnapHit> = None;
    let better = |best: &Option<SnapHit>, d: f64| {
        d <= tolerance_m && best.as_ref().is_none_or(|b| d < b.distance_m)
    };
    for (layer, feature, l) in &lines {
        for &c in &l.0 {
            let d = m.dist(at, c);
            if better(&best, d) {
                best = Some(SnapHit {
                    kind: SnapKind::Vertex,
                    layer: *layer,
                    feature: feature.clone(),
                    point: [c.x, c.y],
                    edge: None,
                    distance_m: d,
                });
            }
        }
    }
    if best.is_some() {
        return best;
    }
    for (layer, feature, l) in &lines {
        for w in l.0.windows(2) {
            let (q, _) = m.closest_on_segment(at, w[0], w[1]);
            let d = m.dist(at, q);
            if better(&best, d) {
                best = Some(SnapHit {
                    kind: SnapKind::Edge,
                    layer: *layer,
                    feature: feature.clone(),
                    point: [q.x, q.y],
                    edge: Some([[w[0].x, w[0].y], [w[1].x, w[1].y]]),
                    distance_m: d,
                });
            }
        }
    }
    best
}
