//! Reshape a grid's edge by drawing: the path's two ends lie on the grid's boundary (within the
//! tolerance; mid-edge ends become vertices topologically), and the boundary section between
//! them is replaced by the path — in the grid and, reversed, in the neighbour across that
//! section, so the two stay vertex-identical.
//!
//! Of the two sections between the ends, the one replaced must border a single neighbouring
//! grid (community boundaries are fixed); if both do, the one whose replacement changes the
//! grid's area least is taken (a reshape is a local adjustment). Both grids keep their codes.

use super::change::{coords, lat_of, ChangeSet, Workspace};
use super::geom::{self, key, signed_area2, Rings};
use super::split::place_on_boundary;
use super::PlanSettings;
use crate::code::GridCode;
use crate::error::{Error, Result};
use crate::index::SpatialIndex;
use crate::message::{EditOp, Message, MessageCode as C, Reason};
use geo_types::Coord;

fn refuse(reason: Reason) -> Error {
    Error::Edit {
        op: EditOp::Reshape,
        reason,
    }
}

/// The change-set of reshaping `grid` along `path`.
pub fn reshape(
    idx: &SpatialIndex,
    grid: GridCode,
    path: &[[f64; 2]],
    s: &PlanSettings,
) -> Result<ChangeSet> {
    let path = coords("reshape path", path)?;
    if path.len() < 2 {
        return Err(refuse(
            Message::new(C::LineNeedsTwoPoints).en("the path needs at least two points"),
        ));
    }
    let gi = idx.grid_index(&grid).ok_or_else(|| Error::NotFound {
        what: "grid",
        key: grid.to_string(),
    })?;
    let mut ws = Workspace::new(idx, lat_of(&idx.grids[gi].polygon), s.tolerance_m);
    ws.active(&grid)?;
    // Ends: snapped onto the grid's own boundary.
    let mut ends = [path[0], path[path.len() - 1]];
    for end in &mut ends {
        let ext = ws.rings(&grid)?.exterior;
        *end = nearest_on_ring(&ws, &ext, *end).ok_or_else(|| {
            refuse(
                Message::new(C::PathEndsOffBoundary)
                    .text("grid", grid)
                    .length("tolerance", s.tolerance_m)
                    .en(format!(
                        "the path must start and end on the boundary of grid {grid} (within {} m)",
                        s.tolerance_m
                    )),
            )
        })?;
        place_on_boundary(&mut ws, grid, *end)?;
    }
    let [p, q] = ends;
    if key(p) == key(q) {
        return Err(refuse(
            Message::new(C::PathClosed).en("the path starts and ends at the same point"),
        ));
    }
    let inner: Vec<Coord<f64>> = path[1..path.len() - 1].to_vec();
    let g = ws.rings(&grid)?;
    let ext = &g.exterior;
    let (Some(ip), Some(iq)) = (
        geom::find_vertex(ext, key(p)),
        geom::find_vertex(ext, key(q)),
    ) else {
        return Err(refuse(
            Message::new(C::CutEndsOffBoundary)
                .en("the path's ends could not be placed on the boundary"),
        ));
    };
    let walk = |from: usize, to: usize| -> Vec<Coord<f64>> {
        let n = ext.len();
        let mut v = vec![ext[from]];
        let mut i = from;
        while i != to {
            i = (i + 1) % n;
            v.push(ext[i]);
        }
        v
    };
    let (arc1, arc2) = (walk(ip, iq), walk(iq, ip));
    let area0 = signed_area2(ext);
    // Candidate 1 replaces arc1 (p→q) by the path; candidate 2 replaces arc2 (q→p) by the
    // reversed path.
    let mut best: Option<(f64, Rings, GridCode, Rings)> = None;
    let rev_inner: Vec<Coord<f64>> = inner.iter().rev().copied().collect();
    for (arc, other, fwd) in [(&arc1, &arc2, true), (&arc2, &arc1, false)] {
        let Some(nb) = single_neighbour(&ws, grid, arc) else {
            continue;
        };
        let mut ring: Vec<Coord<f64>> = Vec::new();
        if fwd {
            ring.push(p);
            ring.extend(&inner);
            ring.extend(&other[..other.len() - 1]);
        } else {
            ring.extend(&other[..]);
            ring.extend(&rev_inner);
        }
        geom::dedup_ring(&mut ring);
        let new_g = Rings {
            exterior: ring,
            holes: g.holes.clone(),
        };
        // The neighbour holds the arc reversed; it gets the path in its direction.
        let mut nr = ws.rings(&nb)?;
        let rev_arc: Vec<Coord<f64>> = arc.iter().rev().copied().collect();
        let replacement = if fwd { &rev_inner } else { &inner };
        if !replace_section(&mut nr, &rev_arc, replacement) {
            continue;
        }
        let change = (signed_area2(&new_g.exterior) - area0).abs();
        if best.as_ref().is_none_or(|b| change < b.0) {
            best = Some((change, new_g, nb, nr));
        }
    }
    let Some((_, new_g, nb, nr)) = best else {
        return Err(refuse(Message::new(C::NoSingleNeighbour).text("grid", grid).en(format!(
            "neither section of grid {grid}'s boundary between the path's ends borders a single neighbouring grid; community boundaries are fixed, so split the section at the junction vertex first"
        ))));
    };
    ws.set(grid, new_g);
    ws.set(nb, nr);
    let mut cs = ChangeSet::new("reshape", grid.community());
    ws.finish(&mut cs);
    Ok(cs)
}

/// The point of the ring nearest `p` within the tolerance (a vertex when one is that close).
fn nearest_on_ring(ws: &Workspace<'_>, ring: &[Coord<f64>], p: Coord<f64>) -> Option<Coord<f64>> {
    if let Some(v) = ring
        .iter()
        .map(|&v| (ws.metric.dist(p, v), v))
        .filter(|(d, _)| *d <= ws.tol_m)
        .min_by(|a, b| a.0.total_cmp(&b.0))
    {
        return Some(v.1);
    }
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (q, _) = ws.metric.closest_on_segment(p, ring[i], ring[(i + 1) % n]);
            (ws.metric.dist(p, q), q)
        })
        .filter(|(d, _)| *d <= ws.tol_m)
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|x| x.1)
}

/// The one active grid (other than `grid`) holding every edge of `arc` reversed, if any.
fn single_neighbour(ws: &Workspace<'_>, grid: GridCode, arc: &[Coord<f64>]) -> Option<GridCode> {
    let mut found: Option<GridCode> = None;
    for w in arc.windows(2) {
        let (a, b) = (key(w[0]), key(w[1]));
        let r = ws.around(&[w[0], w[1]], 0.0);
        let owners: Vec<GridCode> = ws
            .grids_near(r)
            .into_iter()
            .filter(|c| *c != grid)
            .filter(|c| {
                ws.rings(c).is_ok_and(|rr| {
                    rr.all()
                        .any(|ring| matches!(geom::find_segment(ring, a, b), Some((_, false))))
                })
            })
            .collect();
        match (owners.as_slice(), found) {
            ([one], None) => found = Some(*one),
            ([one], Some(f)) if *one == f => {}
            _ => return None,
        }
    }
    found
}

/// Replaces the consecutive vertices `section` (first to last) of a ring in `r` by
/// `section[0]`, `interior`, `section[last]`. Returns whether the section was found.
fn replace_section(r: &mut Rings, section: &[Coord<f64>], interior: &[Coord<f64>]) -> bool {
    let (Some(first), Some(last)) = (section.first(), section.last()) else {
        return false;
    };
    for ring in r.all_mut() {
        let n = ring.len();
        let Some(i0) = geom::find_vertex(ring, key(*first)) else {
            continue;
        };
        let matches = (0..section.len()).all(|k| key(ring[(i0 + k) % n]) == key(section[k]));
        if !matches {
            continue;
        }
        let mut out = vec![*first];
        out.extend(interior);
        out.push(*last);
        // The rest of the ring after the section, up to (not including) its start.
        let mut i = (i0 + section.len() - 1) % n;
        loop {
            i = (i + 1) % n;
            if i == i0 {
                break;
            }
            out.push(ring[i]);
        }
        geom::dedup_ring(&mut out);
        *ring = out;
        return true;
    }
    false
}
