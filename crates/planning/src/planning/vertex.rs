//! Move, insert and delete vertices with topological editing: a vertex or edge shared by
//! neighbouring grids changes in all of them at once, so shared boundaries never come apart.
//!
//! **Community boundaries are fixed** for grid editing: a vertex of a community outline can be
//! neither moved nor deleted (it would move the community, and the neighbouring community's
//! grids with it). A vertex can be *inserted* on an edge that lies on a community outline: the
//! outline gains the vertex too (its shape unchanged), so that a split line or a drawn grid can
//! meet the outline anywhere. Non-topological editing (moving a shared vertex in one grid only)
//! is not offered: it always leaves an overlap or a gap, which the guard refuses.

use super::change::{ChangeSet, Workspace};
use super::PlanSettings;
use crate::error::{Error, Result};
use crate::index::SpatialIndex;
use crate::message::{EditOp, Message, MessageCode as C};
use geo_types::Coord;

fn pt(p: [f64; 2], what: &str) -> Result<Coord<f64>> {
    if p[0].is_finite() && p[1].is_finite() {
        Ok(Coord { x: p[0], y: p[1] })
    } else {
        Err(Error::Invalid(
            Message::new(C::CoordinateNotNumber).en(format!("{what}: {p:?} is not a point")),
        ))
    }
}

fn no_vertex(op: EditOp, p: Coord<f64>, tol: f64) -> Error {
    Error::Edit {
        op,
        reason: Message::new(C::NoVertexNear)
            .length("tolerance", tol)
            .num("lon", p.x)
            .num("lat", p.y)
            .en(format!(
                "no grid vertex within {tol} m of [{}, {}]",
                p.x, p.y
            )),
    }
}

fn fixed(op: EditOp, v: Coord<f64>) -> Error {
    Error::Edit {
        op,
        reason: Message::new(C::VertexOnCommunityBoundary)
            .num("lon", v.x)
            .num("lat", v.y)
            .en(format!(
                "vertex [{}, {}] lies on a community boundary, which grid editing does not change",
                v.x, v.y
            )),
    }
}

/// Moves the vertex at (or within the tolerance of) `from` to `to` in every grid sharing it.
pub fn move_vertex(
    idx: &SpatialIndex,
    from: [f64; 2],
    to: [f64; 2],
    s: &PlanSettings,
) -> Result<ChangeSet> {
    const OP: EditOp = EditOp::MoveVertex;
    let (from, to) = (pt(from, "from")?, pt(to, "to")?);
    let mut ws = Workspace::new(idx, from.y, s.tolerance_m);
    let v = ws
        .vertex_near(from, false)
        .ok_or_else(|| no_vertex(OP, from, s.tolerance_m))?;
    if ws.on_community_outline(v) {
        return Err(fixed(OP, v));
    }
    let changed = ws.move_vertex(v, to);
    let Some(first) = changed.first() else {
        return Err(no_vertex(OP, from, s.tolerance_m));
    };
    let mut cs = ChangeSet::new("move_vertex", first.community());
    ws.finish(&mut cs);
    Ok(cs)
}

/// Inserts a vertex on the edge nearest `at` (within the tolerance), in every grid and community
/// outline sharing that edge; the new vertex is the point of the edge nearest `at`.
pub fn insert_vertex(idx: &SpatialIndex, at: [f64; 2], s: &PlanSettings) -> Result<ChangeSet> {
    const OP: EditOp = EditOp::InsertVertex;
    let at = pt(at, "at")?;
    let mut ws = Workspace::new(idx, at.y, s.tolerance_m);
    let ((a, b), q) = ws.edge_near(at, false).ok_or_else(|| Error::Edit {
        op: OP,
        reason: Message::new(C::NoEdgeNear)
            .length("tolerance", s.tolerance_m)
            .num("lon", at.x)
            .num("lat", at.y)
            .en(format!(
                "no grid edge within {} m of [{}, {}]",
                s.tolerance_m, at.x, at.y
            )),
    })?;
    if ws.metric.dist(q, a).min(ws.metric.dist(q, b)) <= s.tolerance_m {
        return Err(Error::Edit {
            op: OP,
            reason: Message::new(C::VertexAlreadyThere).en("there is already a vertex there"),
        });
    }
    ws.insert_on_segment(a, b, q);
    let community = ws
        .grids_with_vertex(q)
        .first()
        .map(|g| g.community())
        .ok_or_else(|| Error::Edit {
            op: OP,
            reason: Message::new(C::EdgeOfNoGrid).en("the edge belongs to no active grid"),
        })?;
    let mut cs = ChangeSet::new("insert_vertex", community);
    ws.finish(&mut cs);
    Ok(cs)
}

/// Deletes the vertex at (or within the tolerance of) `at` from every grid sharing it.
pub fn delete_vertex(idx: &SpatialIndex, at: [f64; 2], s: &PlanSettings) -> Result<ChangeSet> {
    const OP: EditOp = EditOp::DeleteVertex;
    let at = pt(at, "at")?;
    let mut ws = Workspace::new(idx, at.y, s.tolerance_m);
    let v = ws
        .vertex_near(at, false)
        .ok_or_else(|| no_vertex(OP, at, s.tolerance_m))?;
    if ws.on_community_outline(v) {
        return Err(fixed(OP, v));
    }
    let changed = ws.remove_vertex(v)?;
    let Some(first) = changed.first() else {
        return Err(no_vertex(OP, at, s.tolerance_m));
    };
    let mut cs = ChangeSet::new("delete_vertex", first.community());
    ws.finish(&mut cs);
    Ok(cs)
}
