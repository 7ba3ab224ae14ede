//! The topology guard: every change-set is checked against the district before it is applied.
//!
//! Hard rules (errors, the edit is refused): every polygon valid; no grid overlapping another;
//! no new uncovered area inside the community; every grid inside its community (SPEC §1.6 rules
//! 1–3); shared edges split at the same vertices on both sides; new codes unused and in the
//! right community. Warning: area outside the configured range (rule 5).
//!
//! The test is exact and local. For each community the change touches, the edge chain of its
//! grids after the change minus the chain of its outline (see [`super::geom`]) must be empty:
//! then the grids tile the community exactly, with vertex-identical shared edges. Only the
//! community's own grids are read (through the code order), so one edit costs microseconds
//! whatever the size of the district. Where the chain does not cancel, the state is analysed
//! geometrically (overlap polygons, uncovered polygons, parts outside the community, mismatched
//! edges) so the refusal can be drawn; problems that were already there before the change are
//! not held against it.

use super::change::ChangeSet;
use super::geom::{self, oriented, oriented_multi, Chain, Metric, Seg};
use super::PlanSettings;
use crate::code::{CommunityCode, GridCode};
use crate::index::SpatialIndex;
use crate::message::{Message, MessageCode as C, PolygonProblem, Reason};
use geo::{Area, BooleanOps, BoundingRect, Intersects, Relate, Validation};
use geo_types::{Geometry, Line, MultiLineString, MultiPolygon, Polygon, Rect};
pub use griddesk_core::topology::{GuardReport, Problem, Rule, Severity, MIN_PROBLEM_AREA_M2};
use std::collections::{BTreeMap, BTreeSet};

/// The grids of one community and its outline, as the guard sees them.
#[derive(Debug, Clone)]
pub struct CommunityState<'a> {
    pub code: CommunityCode,
    pub outline: Option<&'a MultiPolygon<f64>>,
    pub grids: Vec<(GridCode, &'a Polygon<f64>)>,
}

impl CommunityState<'_> {
    /// Segments of the grids' chain that the outline does not cancel (empty = exact tiling).
    pub fn residual(&self) -> Vec<Seg> {
        let mut ch = Chain::with_capacity(self.grids.len() * 8);
        for (_, p) in &self.grids {
            ch.add_rings(&oriented(p), 1);
        }
        if let Some(o) = self.outline {
            for r in oriented_multi(o) {
                ch.add_rings(&r, -1);
            }
        }
        ch.residual()
    }

    fn metric(&self) -> Metric {
        let lat = self
            .grids
            .first()
            .and_then(|(_, p)| p.exterior().0.first())
            .or_else(|| {
                self.outline
                    .and_then(|o| o.0.first())
                    .and_then(|p| p.exterior().0.first())
            })
            .map_or(0.0, |c| c.y);
        Metric::at(lat)
    }
}

/// The active grids of a community from the index.
pub fn community_state<'a>(idx: &'a SpatialIndex, code: CommunityCode) -> CommunityState<'a> {
    CommunityState {
        code,
        outline: idx.community(&code).map(|c| &c.boundary),
        grids: super::codes::community_grids(idx, code)
            .filter(|g| g.is_active())
            .map(|g| (g.code, &g.polygon))
            .collect(),
    }
}

/// A polygon's validity problem, if any.
pub fn invalid_reason(p: &Polygon<f64>) -> Option<(PolygonProblem, String)> {
    if p.exterior()
        .0
        .iter()
        .any(|c| !c.x.is_finite() || !c.y.is_finite())
    {
        return Some((PolygonProblem::NonFinite, "non-finite coordinate".into()));
    }
    let r = oriented(p);
    if r.exterior.len() < 3 || r.holes.iter().any(|h| h.len() < 3) {
        return Some((
            PolygonProblem::TooFewPoints,
            "a ring has fewer than 3 distinct points".into(),
        ));
    }
    p.check_validation()
        .err()
        .map(|e| (PolygonProblem::of(&e), e.to_string()))
}

fn problem(
    severity: Severity,
    rule: Rule,
    community: Option<CommunityCode>,
    grids: Vec<GridCode>,
    message: Reason,
    geometry: Option<Geometry<f64>>,
    area_m2: Option<f64>,
) -> Problem {
    Problem {
        severity,
        rule,
        community,
        grids,
        message: message.text,
        detail: message.message,
        geometry,
        area_m2,
    }
}

fn pieces(m: MultiPolygon<f64>, metric: &Metric) -> Vec<(Polygon<f64>, f64)> {
    m.0.into_iter()
        .map(|p| {
            let a = metric.area_m2(p.unsigned_area());
            (p, a)
        })
        .filter(|(_, a)| *a >= MIN_PROBLEM_AREA_M2)
        .collect()
}

fn boxes_meet(a: &Polygon<f64>, b: &Polygon<f64>) -> bool {
    match (a.bounding_rect(), b.bounding_rect()) {
        (Some(x), Some(y)) => x.intersects(&y),
        _ => false,
    }
}

/// Overlap of two grids with positive area, if their interiors meet.
fn overlap(
    a: &Polygon<f64>,
    b: &Polygon<f64>,
    metric: &Metric,
) -> Option<(MultiPolygon<f64>, f64)> {
    if !boxes_meet(a, b) {
        return None;
    }
    let m = a.relate(b);
    if !m.is_intersects() || m.is_touches() {
        return None;
    }
    let inter = a.intersection(b);
    let area = metric.area_m2(inter.unsigned_area());
    Some((inter, area))
}

fn union_of(grids: &[(GridCode, &Polygon<f64>)]) -> MultiPolygon<f64> {
    geo::unary_union(grids.iter().map(|(_, p)| *p))
}

/// Which of `grids` have any of `segs` on their boundary.
fn owners(grids: &[(GridCode, &Polygon<f64>)], segs: &[Seg]) -> Vec<GridCode> {
    let keys: BTreeSet<(geom::Key, geom::Key)> = segs
        .iter()
        .flat_map(|s| {
            let (a, b) = (geom::key(s.a), geom::key(s.b));
            [(a, b), (b, a)]
        })
        .collect();
    grids
        .iter()
        .filter(|(_, p)| {
            oriented(p).all().any(|ring| {
                let n = ring.len();
                (0..n).any(|i| keys.contains(&(geom::key(ring[i]), geom::key(ring[(i + 1) % n]))))
            })
        })
        .map(|(c, _)| *c)
        .collect()
}

fn mismatch(community: CommunityCode, grids: Vec<GridCode>, segs: &[Seg]) -> Problem {
    let lines = MultiLineString::new(segs.iter().map(|s| Line::new(s.a, s.b).into()).collect());
    problem(
        Severity::Error,
        Rule::EdgeMismatch,
        Some(community),
        grids,
        Message::new(C::TopoEdgeMismatch).int("count", segs.len()).en(format!(
            "{} boundary segment(s) are not matched vertex for vertex by a neighbouring grid or the community outline",
            segs.len()
        )),
        Some(Geometry::MultiLineString(lines)),
        None,
    )
}

/// Every topology problem of a community whose chain does not cancel (district check).
pub fn analyse_all(st: &CommunityState<'_>, residual: &[Seg]) -> Vec<Problem> {
    let metric = st.metric();
    let c = st.code;
    let mut out = Vec::new();
    let valid: Vec<(GridCode, &Polygon<f64>)> = st
        .grids
        .iter()
        .filter(|(_, p)| invalid_reason(p).is_none())
        .copied()
        .collect();
    for (i, (ca, pa)) in valid.iter().enumerate() {
        for (cb, pb) in &valid[i + 1..] {
            if let Some((g, a)) = overlap(pa, pb, &metric) {
                out.push(problem(
                    Severity::Error,
                    Rule::Overlap,
                    Some(c),
                    vec![*ca, *cb],
                    Message::new(C::TopoOverlapFound)
                        .text("grid", ca)
                        .text("other", cb)
                        .area("area", a)
                        .en(format!("grids {ca} and {cb} overlap by {a:.2} m²")),
                    Some(Geometry::MultiPolygon(g)),
                    Some(a),
                ));
            }
        }
    }
    if let Some(outline) = st.outline {
        let u = union_of(&valid);
        for (p, a) in pieces(outline.difference(&u), &metric) {
            out.push(problem(
                Severity::Error,
                Rule::Gap,
                Some(c),
                valid
                    .iter()
                    .filter(|(_, g)| g.intersects(&p))
                    .map(|(k, _)| *k)
                    .collect(),
                Message::new(C::TopoGapFound)
                    .text("community", c)
                    .area("area", a)
                    .en(format!("{a:.2} m² of community {c} is covered by no grid")),
                Some(Geometry::Polygon(p)),
                Some(a),
            ));
        }
        for (code, g) in &valid {
            for (p, a) in pieces(g.difference(outline), &metric) {
                out.push(problem(
                    Severity::Error,
                    Rule::OutsideCommunity,
                    Some(c),
                    vec![*code],
                    Message::new(C::TopoOutsideFound)
                        .text("grid", code)
                        .text("community", c)
                        .area("area", a)
                        .en(format!(
                            "{a:.2} m² of grid {code} lies outside its community {c}"
                        )),
                    Some(Geometry::Polygon(p)),
                    Some(a),
                ));
            }
        }
    }
    if out.is_empty() && !residual.is_empty() {
        out.push(mismatch(c, owners(&st.grids, residual), residual));
    }
    out
}

/// Checks a change-set against the index; see the module docs.
pub fn check(idx: &SpatialIndex, cs: &ChangeSet, s: &PlanSettings) -> GuardReport {
    let mut rep = GuardReport::default();
    let touched = cs.touched();
    // Codes: new codes unused, in the right community, unique within the change.
    let mut seen = BTreeSet::new();
    for code in cs
        .create
        .iter()
        .map(|g| g.code)
        .chain(cs.rename.iter().map(|r| r.to))
    {
        // A code may be taken over only from an active grid renamed away in the same change.
        let free = match idx.grid(&code) {
            None => true,
            Some(g) => g.is_active() && cs.rename.iter().any(|r| r.from == code),
        };
        if !seen.insert(code) || !free {
            rep.problems.push(problem(
                Severity::Error,
                Rule::Code,
                Some(code.community()),
                vec![code],
                Message::new(C::TopoCodeUsed)
                    .text("code", code)
                    .en(format!("code {code} is already used")),
                None,
                None,
            ));
        }
    }
    for code in &touched {
        match idx.grid(code) {
            Some(g) if g.is_active() => {}
            _ => rep.problems.push(problem(
                Severity::Error,
                Rule::Code,
                Some(code.community()),
                vec![*code],
                Message::new(C::TopoGridNotActive)
                    .text("grid", code)
                    .en(format!("grid {code} is not an active grid")),
                None,
                None,
            )),
        }
    }
    let after_polys: BTreeMap<GridCode, &Polygon<f64>> = cs.after_polygons(idx).collect();
    let changed: BTreeSet<GridCode> = after_polys.keys().copied().collect();
    for (code, p) in &after_polys {
        if let Some((why, text)) = invalid_reason(p) {
            rep.problems.push(problem(
                Severity::Error,
                Rule::InvalidPolygon,
                Some(code.community()),
                vec![*code],
                Message::new(C::TopoInvalidPolygon)
                    .text("grid", code)
                    .term("reason", why)
                    .en(format!("grid {code}: invalid polygon: {text}")),
                Some(Geometry::Polygon((*p).clone())),
                None,
            ));
        }
    }
    // Area warnings for grids whose shape changed.
    for (code, p) in &after_polys {
        let a = crate::geodesy::area_m2(p);
        if a < s.min_area_m2 || a > s.max_area_m2 {
            rep.problems.push(problem(
                Severity::Warning,
                Rule::AreaRange,
                Some(code.community()),
                vec![*code],
                Message::new(C::TopoAreaRange)
                    .text("grid", code)
                    .area("area", a)
                    .num("min", s.min_area_m2)
                    .num("max", s.max_area_m2)
                    .en(format!(
                        "grid {code}: area {a:.0} m² outside {:.0}–{:.0} m²",
                        s.min_area_m2, s.max_area_m2
                    )),
                None,
                Some(a),
            ));
        }
    }
    let invalid: BTreeSet<GridCode> = rep
        .problems
        .iter()
        .filter(|p| p.rule == Rule::InvalidPolygon)
        .flat_map(|p| p.grids.iter().copied())
        .collect();
    if rep.problems.iter().any(|p| p.rule == Rule::Code) {
        rep.sort();
        return rep;
    }
    let new_outlines: BTreeMap<CommunityCode, &MultiPolygon<f64>> =
        cs.communities.iter().map(|c| (c.code, &c.after)).collect();
    for c in cs.communities_touched() {
        let before = community_state(idx, c);
        if before.outline.is_none() {
            rep.problems.push(problem(
                Severity::Error,
                Rule::UnknownCommunity,
                Some(c),
                after_polys
                    .keys()
                    .filter(|k| k.community() == c)
                    .copied()
                    .collect(),
                Message::new(C::TopoUnknownCommunity)
                    .text("community", c)
                    .en(format!("community {c} does not exist")),
                None,
                None,
            ));
            continue;
        }
        let mut after = CommunityState {
            code: c,
            outline: new_outlines.get(&c).copied().or(before.outline),
            grids: before
                .grids
                .iter()
                .filter(|(k, _)| !touched.contains(k))
                .copied()
                .collect(),
        };
        after.grids.extend(
            after_polys
                .iter()
                .filter(|(k, _)| k.community() == c)
                .map(|(k, p)| (*k, *p)),
        );
        let res_after = after.residual();
        if res_after.is_empty() {
            continue;
        }
        let res_before = before.residual();
        let fresh = geom::new_segments(&res_before, &res_after);
        if fresh.is_empty() {
            rep.problems.push(problem(
                Severity::Warning,
                Rule::PreExisting,
                Some(c),
                vec![],
                Message::new(C::TopoPreExisting)
                    .text("community", c)
                    .int("count", res_before.len())
                    .en(format!(
                    "community {c} already had {} unmatched boundary segment(s); run the district check",
                    res_before.len()
                )),
                None,
                None,
            ));
            continue;
        }
        rep.problems.extend(analyse_change(
            idx, &before, &after, &changed, &touched, &invalid, &fresh,
        ));
    }
    rep.sort();
    rep
}

/// Problems the change introduces in one community.
fn analyse_change(
    idx: &SpatialIndex,
    before: &CommunityState<'_>,
    after: &CommunityState<'_>,
    changed: &BTreeSet<GridCode>,
    touched: &BTreeSet<GridCode>,
    invalid: &BTreeSet<GridCode>,
    fresh: &[Seg],
) -> Vec<Problem> {
    let metric = after.metric();
    let c = after.code;
    let mut out = Vec::new();
    // Invalid polygons are reported already; the geometric analysis needs valid input.
    let mine: Vec<(GridCode, &Polygon<f64>)> = after
        .grids
        .iter()
        .filter(|(k, _)| changed.contains(k) && !invalid.contains(k))
        .copied()
        .collect();
    // Overlaps of changed grids with any grid of the community, or of another community.
    for (i, (ca, pa)) in mine.iter().enumerate() {
        let others = after
            .grids
            .iter()
            .filter(|(k, _)| !changed.contains(k))
            .copied()
            .chain(mine[i + 1..].iter().copied());
        let foreign = pa
            .bounding_rect()
            .map(|r| {
                idx.grid_candidates(r)
                    .map(|j| &idx.grids[j])
                    .filter(|g| g.code.community() != c && !touched.contains(&g.code))
                    .map(|g| (g.code, &g.polygon))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        for (cb, pb) in others.chain(foreign) {
            if let Some((g, a)) = overlap(pa, pb, &metric) {
                if a >= MIN_PROBLEM_AREA_M2 {
                    out.push(problem(
                        Severity::Error,
                        Rule::Overlap,
                        Some(c),
                        vec![*ca, cb],
                        Message::new(C::TopoOverlap)
                            .text("grid", ca)
                            .text("other", cb)
                            .area("area", a)
                            .en(format!("grid {ca} would overlap grid {cb} by {a:.2} m²")),
                        Some(Geometry::MultiPolygon(g)),
                        Some(a),
                    ));
                }
            }
        }
    }
    let mut explained: Vec<Polygon<f64>> = Vec::new();
    let community_has_invalid = after.grids.iter().any(|(k, _)| invalid.contains(k));
    if let (Some(outline), false) = (after.outline, community_has_invalid) {
        let gap_after = outline.difference(&union_of(&after.grids));
        explained.extend(pieces(gap_after.clone(), &metric).into_iter().map(|x| x.0));
        let gap_before = match before.outline {
            Some(o) => o.difference(&union_of(&before.grids)),
            None => MultiPolygon(vec![]),
        };
        for (p, a) in pieces(gap_after.difference(&gap_before), &metric) {
            out.push(problem(
                Severity::Error,
                Rule::Gap,
                Some(c),
                mine.iter()
                    .filter(|(_, g)| g.intersects(&p))
                    .map(|(k, _)| *k)
                    .collect(),
                Message::new(C::TopoGap)
                    .text("community", c)
                    .area("area", a)
                    .en(format!(
                        "{a:.2} m² of community {c} would be left uncovered"
                    )),
                Some(Geometry::Polygon(p)),
                Some(a),
            ));
        }
        for (code, g) in &mine {
            for (p, a) in pieces(g.difference(outline), &metric) {
                out.push(problem(
                    Severity::Error,
                    Rule::OutsideCommunity,
                    Some(c),
                    vec![*code],
                    Message::new(C::TopoOutside)
                        .text("grid", code)
                        .text("community", c)
                        .area("area", a)
                        .en(format!(
                            "{a:.2} m² of grid {code} would lie outside community {c}"
                        )),
                    Some(Geometry::Polygon(p)),
                    Some(a),
                ));
            }
        }
    }
    // New unmatched segments are fine only as the edge of area that is still uncovered (a
    // grid drawn into part of a gap); any other is a mismatch.
    if out.is_empty() && !community_has_invalid {
        let unexplained: Vec<Seg> = fresh
            .iter()
            .filter(|s| !explained.iter().any(|g| on_boundary(g, s, &metric)))
            .copied()
            .collect();
        if !unexplained.is_empty() {
            out.push(mismatch(
                c,
                owners(&after.grids, &unexplained),
                &unexplained,
            ));
        }
    }
    out
}

/// Whether a segment runs along a polygon's boundary (ends and middle within 1 mm of it; the
/// polygon comes from the boolean operations, whose vertices are not bit-exact).
fn on_boundary(p: &Polygon<f64>, s: &Seg, metric: &Metric) -> bool {
    let near = |q: geo_types::Coord<f64>| {
        std::iter::once(p.exterior())
            .chain(p.interiors())
            .any(|ring| {
                ring.0.windows(2).any(|w| {
                    let (c, _) = metric.closest_on_segment(q, w[0], w[1]);
                    metric.dist(q, c) <= 1e-3
                })
            })
    };
    let mid = geom::lerp(s.a, s.b, 0.5);
    near(s.a) && near(s.b) && near(mid)
}

/// The box of a set of problems' geometries (to zoom the map to them).
pub fn extent(problems: &[Problem]) -> Option<Rect<f64>> {
    griddesk_core::planar::union_rects(
        problems
            .iter()
            .filter_map(|p| p.geometry.as_ref())
            .filter_map(|g| g.bounding_rect()),
    )
}
