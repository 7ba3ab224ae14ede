//! The whole-district topology check: every problem of every community, each with the geometry
//! to draw (SPEC §1.6 rules 1–3 and 5).
//!
//! Per community (in parallel): polygon validity, the exact edge-chain test of
//! [`super::guard`], and — only where the chain does not cancel — the geometric analysis that
//! locates overlaps, uncovered areas, parts outside the community and mismatched edges. Per
//! street: the same chain test of its communities against the street outline, with community
//! overlaps located where it fails. A clean district costs one hash-free sort of its edges.

use super::geom::{oriented_multi, Chain};
use super::guard::{analyse_all, invalid_reason, CommunityState, GuardReport, Problem, Rule};
use super::PlanSettings;
use crate::code::{CommunityCode, GridCode, StreetCode};
use crate::index::SpatialIndex;
use crate::message::{Message, MessageCode as C};
use crate::validate::Severity;
use geo::{Area, BooleanOps, BoundingRect, Intersects, Relate};
use geo_types::{Geometry, Line, MultiLineString, Polygon};
use rayon::prelude::*;

/// Checks every active grid of the district; problems sorted errors first.
pub fn check_district(idx: &SpatialIndex, s: &PlanSettings) -> GuardReport {
    let mut order: Vec<usize> = (0..idx.grids.len())
        .filter(|&i| idx.grids[i].is_active())
        .collect();
    order.sort_by_key(|&i| idx.grids[i].code);
    let mut groups: Vec<(CommunityCode, &[usize])> = Vec::new();
    let mut rest = order.as_slice();
    while let Some(&first) = rest.first() {
        let c = idx.grids[first].code.community();
        let n = rest
            .iter()
            .position(|&i| idx.grids[i].code.community() != c)
            .unwrap_or(rest.len());
        groups.push((c, &rest[..n]));
        rest = &rest[n..];
    }
    let mut problems: Vec<Problem> = groups
        .par_iter()
        .flat_map_iter(|&(c, members)| check_community(idx, c, members, s))
        .collect();
    // Communities without any grid: all of their area is uncovered.
    for comm in &idx.communities {
        if groups.binary_search_by_key(&comm.code, |g| g.0).is_err() {
            let a = comm
                .boundary
                .0
                .iter()
                .map(crate::geodesy::area_m2)
                .sum::<f64>();
            problems.push(Problem {
                severity: Severity::Error,
                rule: Rule::Gap,
                community: Some(comm.code),
                grids: vec![],
                message: format!("community {} has no grids", comm.code),
                detail: Message::new(C::TopoCommunityEmpty).text("community", comm.code),
                geometry: Some(Geometry::MultiPolygon(comm.boundary.clone())),
                area_m2: Some(a),
            });
        }
    }
    problems.extend(check_streets(idx));
    let mut rep = GuardReport { problems };
    rep.sort();
    rep
}

fn check_community(
    idx: &SpatialIndex,
    c: CommunityCode,
    members: &[usize],
    s: &PlanSettings,
) -> Vec<Problem> {
    let mut out = Vec::new();
    for &i in members {
        let g = &idx.grids[i];
        if let Some((why, text)) = invalid_reason(&g.polygon) {
            out.push(Problem {
                severity: Severity::Error,
                rule: Rule::InvalidPolygon,
                community: Some(c),
                grids: vec![g.code],
                message: format!("grid {}: invalid polygon: {text}", g.code),
                detail: Message::new(C::TopoInvalidPolygon)
                    .text("grid", g.code)
                    .term("reason", why),
                geometry: Some(Geometry::Polygon(g.polygon.clone())),
                area_m2: None,
            });
        }
        if g.area_m2 < s.min_area_m2 || g.area_m2 > s.max_area_m2 {
            out.push(Problem {
                severity: Severity::Warning,
                rule: Rule::AreaRange,
                community: Some(c),
                grids: vec![g.code],
                message: format!(
                    "grid {}: area {:.0} m² outside {:.0}–{:.0} m²",
                    g.code, g.area_m2, s.min_area_m2, s.max_area_m2
                ),
                detail: Message::new(C::TopoAreaRange)
                    .text("grid", g.code)
                    .area("area", g.area_m2)
                    .num("min", s.min_area_m2)
                    .num("max", s.max_area_m2),
                geometry: None,
                area_m2: Some(g.area_m2),
            });
        }
    }
    let grids: Vec<(GridCode, &Polygon<f64>)> = members
        .iter()
        .map(|&i| (idx.grids[i].code, &idx.grids[i].polygon))
        .collect();
    let Some(comm) = idx.community(&c) else {
        out.extend(grids.iter().map(|(code, p)| {
            Problem {
                severity: Severity::Error,
                rule: Rule::UnknownCommunity,
                community: Some(c),
                grids: vec![*code],
                message: format!("grid {code}: its code names community {c}, which does not exist"),
                detail: Message::new(C::TopoGridUnknownCommunity)
                    .text("grid", code)
                    .text("community", c),
                geometry: Some(Geometry::Polygon((*p).clone())),
                area_m2: None,
            }
        }));
        return out;
    };
    let st = CommunityState {
        code: c,
        outline: Some(&comm.boundary),
        grids,
    };
    let residual = st.residual();
    if !residual.is_empty() {
        out.extend(analyse_all(&st, &residual));
    }
    out
}

fn check_streets(idx: &SpatialIndex) -> Vec<Problem> {
    let mut out = Vec::new();
    for street in &idx.streets {
        let members: Vec<usize> = (0..idx.communities.len())
            .filter(|&i| idx.communities[i].code.street() == street.code)
            .collect();
        if members.is_empty() {
            continue;
        }
        let mut ch = Chain::default();
        for &i in &members {
            for r in oriented_multi(&idx.communities[i].boundary) {
                ch.add_rings(&r, 1);
            }
        }
        for r in oriented_multi(&street.boundary) {
            ch.add_rings(&r, -1);
        }
        let residual = ch.residual();
        if residual.is_empty() {
            continue;
        }
        let before = out.len();
        for (k, &i) in members.iter().enumerate() {
            for &j in &members[k + 1..] {
                let (a, b) = (&idx.communities[i], &idx.communities[j]);
                let meet = match (a.boundary.bounding_rect(), b.boundary.bounding_rect()) {
                    (Some(x), Some(y)) => x.intersects(&y),
                    _ => false,
                };
                if !meet {
                    continue;
                }
                let m = a.boundary.relate(&b.boundary);
                if m.is_intersects() && !m.is_touches() {
                    let inter = a.boundary.intersection(&b.boundary);
                    let lat = inter
                        .0
                        .first()
                        .and_then(|p| p.exterior().0.first())
                        .map_or(0.0, |c| c.y);
                    let area = super::geom::Metric::at(lat).area_m2(inter.unsigned_area());
                    out.push(Problem {
                        severity: Severity::Error,
                        rule: Rule::CommunityOverlap,
                        community: Some(a.code),
                        grids: vec![],
                        message: format!(
                            "communities {} and {} overlap by {area:.2} m²",
                            a.code, b.code
                        ),
                        detail: Message::new(C::TopoCommunityOverlap)
                            .text("community", a.code)
                            .text("other", b.code)
                            .area("area", area),
                        geometry: Some(Geometry::MultiPolygon(inter)),
                        area_m2: Some(area),
                    });
                }
            }
        }
        if out.len() == before {
            out.push(street_mismatch(street.code, &residual));
        }
    }
    out
}

fn street_mismatch(street: StreetCode, residual: &[super::geom::Seg]) -> Problem {
    Problem {
        severity: Severity::Warning,
        rule: Rule::StreetCoverage,
        community: None,
        grids: vec![],
        message: format!(
            "street {street}: {} segment(s) of its communities' outlines do not match the street outline vertex for vertex",
            residual.len()
        ),
        detail: Message::new(C::TopoStreetCoverage)
            .text("street", street)
            .int("count", residual.len()),
        geometry: Some(Geometry::MultiLineString(MultiLineString::new(
            residual
                .iter()
                .map(|s| Line::new(s.a, s.b).into())
                .collect(),
        ))),
        area_m2: None,
    }
}
