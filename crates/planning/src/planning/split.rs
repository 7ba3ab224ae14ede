//! Split a grid in two along a drawn line.
//!
//! The line must enter and leave the grid exactly once (the part inside is the cut; the parts
//! outside are ignored, so the line may overshoot). Where the cut meets the boundary mid-edge, a
//! vertex is inserted topologically: into the grid, the neighbour across that edge, and the
//! community outline when the edge lies on it. A meeting point within the tolerance of a vertex
//! uses that vertex. The grid is retired; the two pieces are new grids with new codes and the
//! old grid's attributes.

use super::change::{coords, lat_of, ChangeSet, GridShape, NewGrid, Workspace};
use super::codes;
use super::geom::{self, key, segment_hit, Edge, Rings};
use super::PlanSettings;
use crate::code::GridCode;
use crate::error::{Error, Result};
use crate::index::SpatialIndex;
use crate::message::{EditOp, Message, MessageCode as C, Reason};
use geo::coordinate_position::CoordPos;
use geo::CoordinatePosition;
use geo_types::{Coord, Polygon};
use std::collections::BTreeSet;

fn refuse(reason: Reason) -> Error {
    Error::Edit {
        op: EditOp::Split,
        reason,
    }
}

/// Where the line meets the exterior ring: a parameter along the line and the point (an exact
/// vertex coordinate when it meets at a vertex).
#[derive(Debug, Clone, Copy)]
struct Contact {
    t: f64,
    at: Coord<f64>,
    /// The ring edge `(a, b)` it lies inside of, when not at a vertex.
    edge: Option<Edge>,
}

/// The change-set of splitting `grid` along `line`.
pub fn split(
    idx: &SpatialIndex,
    grid: GridCode,
    line: &[[f64; 2]],
    s: &PlanSettings,
) -> Result<ChangeSet> {
    let line = coords("split line", line)?;
    if line.len() < 2 {
        return Err(refuse(
            Message::new(C::LineNeedsTwoPoints).en("the line needs at least two points"),
        ));
    }
    let gi = idx.grid_index(&grid).ok_or_else(|| Error::NotFound {
        what: "grid",
        key: grid.to_string(),
    })?;
    let g = &idx.grids[gi];
    let mut ws = Workspace::new(idx, lat_of(&g.polygon), s.tolerance_m);
    ws.active(&grid)?;
    let rings = ws.rings(&grid)?;
    let contacts = contacts(&ws, &rings, &line)?;
    // The stretch of line between consecutive contacts that runs inside the grid.
    let poly = rings.polygon();
    let at_t = |t: f64| {
        let k = (t.floor() as usize).min(line.len() - 2);
        geom::lerp(line[k], line[k + 1], t - k as f64)
    };
    let inside: Vec<(Contact, Contact)> = contacts
        .windows(2)
        .filter(|w| key(w[0].at) != key(w[1].at))
        .filter(|w| poly.coordinate_position(&at_t((w[0].t + w[1].t) / 2.0)) == CoordPos::Inside)
        .map(|w| (w[0], w[1]))
        .collect();
    let (p, q) = match inside.as_slice() {
        [one] => *one,
        [] => {
            return Err(refuse(
                Message::new(C::LineMissesGrid)
                    .text("grid", grid)
                    .en(format!("the line does not cross grid {grid}")),
            ))
        }
        _ => {
            return Err(refuse(
                Message::new(C::LineCrossesManyTimes)
                    .text("grid", grid)
                    .int("count", inside.len())
                    .en(format!(
                "the line crosses grid {grid} {} times; draw a line that enters and leaves it once",
                inside.len()
            )),
            ))
        }
    };
    let path: Vec<Coord<f64>> = (0..line.len())
        .filter(|&k| (k as f64) > p.t && (k as f64) < q.t)
        .map(|k| line[k])
        .collect();
    for c in [p, q] {
        if c.edge.is_some() {
            place_on_boundary(&mut ws, grid, c.at)?;
        }
    }
    let rings = ws.rings(&grid)?;
    let ext = &rings.exterior;
    let (Some(ip), Some(iq)) = (
        geom::find_vertex(ext, key(p.at)),
        geom::find_vertex(ext, key(q.at)),
    ) else {
        return Err(refuse(
            Message::new(C::CutEndsOffBoundary)
                .en("the cut's end points could not be placed on the boundary"),
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
    let mut a = walk(ip, iq);
    a.extend(path.iter().rev());
    let mut b = walk(iq, ip);
    b.extend(path.iter());
    let mut pieces = [
        Rings {
            exterior: a,
            holes: vec![],
        },
        Rings {
            exterior: b,
            holes: vec![],
        },
    ];
    for piece in &mut pieces {
        geom::dedup_ring(&mut piece.exterior);
    }
    for h in &rings.holes {
        let shell = Polygon::new(geom::closed(&pieces[0].exterior), vec![]);
        let k = usize::from(shell.coordinate_position(&h[0]) != CoordPos::Inside);
        pieces[k].holes.push(h.clone());
    }
    let polys: Vec<Polygon<f64>> = pieces.iter().map(Rings::polygon).collect();
    let refs: Vec<&Polygon<f64>> = polys.iter().collect();
    let new_codes = codes::allocate(idx, grid.community(), &refs, &BTreeSet::new())?;
    let mut cs = ChangeSet::new("split", grid.community());
    cs.retire.push(GridShape {
        code: grid,
        polygon: g.polygon.clone(),
    });
    for (code, polygon) in new_codes.into_iter().zip(polys) {
        cs.create.push(NewGrid {
            code,
            name: codes::default_name(idx, code),
            area_m2: crate::geodesy::area_m2(&polygon),
            polygon,
            land_use: g.land_use.clone(),
            level: g.level.clone(),
            predecessors: vec![grid],
        });
    }
    cs.create.sort_by_key(|g| g.code);
    ws.retire(grid);
    ws.finish(&mut cs);
    Ok(cs)
}

/// Makes `at` (a point on the grid's exterior, up to rounding) a vertex of the grid and of
/// every ring sharing the edge it lies on.
pub fn place_on_boundary(ws: &mut Workspace<'_>, grid: GridCode, at: Coord<f64>) -> Result<()> {
    let ext = ws.rings(&grid)?.exterior;
    if geom::find_vertex(&ext, key(at)).is_some() {
        return Ok(());
    }
    let n = ext.len();
    let best = (0..n)
        .map(|i| {
            let (a, b) = (ext[i], ext[(i + 1) % n]);
            let (pt, _) = ws.metric.closest_on_segment(at, a, b);
            (ws.metric.dist(at, pt), a, b)
        })
        .min_by(|x, y| x.0.total_cmp(&y.0));
    match best {
        Some((d, a, b)) if d <= ws.tol_m.max(1e-6) => {
            ws.insert_on_segment(a, b, at);
            Ok(())
        }
        _ => Err(Error::Edit {
            op: EditOp::PlaceVertex,
            reason: Message::new(C::NotOnBoundary)
                .text("grid", grid)
                .en(format!(
                    "the point {:?} is not on the boundary of grid {grid}",
                    [at.x, at.y]
                )),
        }),
    }
}

/// Contacts of the line with the exterior ring, sorted along the line; refuses a line touching
/// a hole.
fn contacts(ws: &Workspace<'_>, rings: &Rings, line: &[Coord<f64>]) -> Result<Vec<Contact>> {
    for h in &rings.holes {
        let n = h.len();
        for k in 0..line.len() - 1 {
            if (0..n).any(|i| segment_hit(line[k], line[k + 1], h[i], h[(i + 1) % n]).is_some()) {
                return Err(refuse(
                    Message::new(C::LineTouchesHole).en("the line touches a hole of the grid"),
                ));
            }
        }
    }
    let ext = &rings.exterior;
    let n = ext.len();
    let tol = ws.tol_m;
    let snap = |pt: Coord<f64>, a: Coord<f64>, b: Coord<f64>| -> (Coord<f64>, Option<Edge>) {
        if key(pt) == key(a) || ws.metric.dist(pt, a) <= tol {
            (a, None)
        } else if key(pt) == key(b) || ws.metric.dist(pt, b) <= tol {
            (b, None)
        } else {
            (pt, Some((a, b)))
        }
    };
    let mut out: Vec<Contact> = Vec::new();
    for k in 0..line.len() - 1 {
        for i in 0..n {
            let (a, b) = (ext[i], ext[(i + 1) % n]);
            if let Some((t, _, pt)) = segment_hit(line[k], line[k + 1], a, b) {
                let (at, edge) = snap(pt, a, b);
                out.push(Contact {
                    t: k as f64 + t,
                    at,
                    edge,
                });
            }
        }
    }
    // Line ends drawn (snapped) onto the boundary within the tolerance.
    for (end, t) in [
        (line[0], 0.0),
        (line[line.len() - 1], (line.len() - 1) as f64),
    ] {
        let mut best: Option<(f64, Coord<f64>, Edge)> = None;
        for i in 0..n {
            let (a, b) = (ext[i], ext[(i + 1) % n]);
            let (pt, _) = ws.metric.closest_on_segment(end, a, b);
            let d = ws.metric.dist(end, pt);
            if d <= tol && best.is_none_or(|x| d < x.0) {
                best = Some((d, pt, (a, b)));
            }
        }
        if let Some((_, pt, (a, b))) = best {
            let (at, edge) = snap(pt, a, b);
            out.push(Contact { t, at, edge });
        }
    }
    out.sort_by(|x, y| x.t.total_cmp(&y.t));
    out.dedup_by(|x, y| key(x.at) == key(y.at) && (x.t - y.t).abs() < 1e-9);
    Ok(out)
}
