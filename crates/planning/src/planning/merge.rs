//! Merge adjacent grids of one community into one.
//!
//! The union is exact: the grids' edge chains are added and shared edges cancel (they are
//! vertex-identical by the topology rule), the rest is traced into rings. Grids that do not form
//! one connected area are refused. The merged grid takes the attributes (land use, level, duty
//! grid) of the largest grid, or of the one chosen; it is a new grid with a new code and the
//! merged grids are retired.

use super::change::{lat_of, ChangeSet, GridShape, NewGrid, Workspace};
use super::codes;
use super::geom::{assemble, trace_rings, Chain, Rings};
use super::PlanSettings;
use crate::code::GridCode;
use crate::error::{Error, Result};
use crate::index::SpatialIndex;
use crate::message::{EditOp, Message, MessageCode as C, Reason};
use geo_types::Polygon;
use std::collections::BTreeSet;

fn refuse(reason: Reason) -> Error {
    Error::Edit {
        op: EditOp::Merge,
        reason,
    }
}

/// The change-set of merging `grids`.
pub fn merge(
    idx: &SpatialIndex,
    grids: &[GridCode],
    attributes_from: Option<GridCode>,
    s: &PlanSettings,
) -> Result<ChangeSet> {
    let set: BTreeSet<GridCode> = grids.iter().copied().collect();
    if set.len() < 2 {
        return Err(refuse(
            Message::new(C::MergeNeedsTwo).en("choose at least two different grids"),
        ));
    }
    let first = *set
        .first()
        .ok_or_else(|| refuse(Message::new(C::MergeNeedsTwo).en("no grids")))?;
    let community = first.community();
    if let Some(other) = set.iter().find(|c| c.community() != community) {
        return Err(refuse(
            Message::new(C::DifferentCommunities)
                .text("grid", first)
                .text("other", other)
                .en(format!(
                    "grids {first} and {other} belong to different communities"
                )),
        ));
    }
    let fi = idx.grid_index(&first).ok_or_else(|| Error::NotFound {
        what: "grid",
        key: first.to_string(),
    })?;
    let ws = Workspace::new(idx, lat_of(&idx.grids[fi].polygon), s.tolerance_m);
    let mut chain = Chain::default();
    let mut members = Vec::new();
    for code in &set {
        let i = ws.active(code)?;
        chain.add_rings(&ws.rings(code)?, 1);
        members.push(&idx.grids[i]);
    }
    let rings = trace_rings(&chain.residual()).ok_or_else(|| {
        refuse(Message::new(C::BoundariesDoNotClose).en("the grids' boundaries do not close up"))
    })?;
    let mut polys = assemble(rings);
    if polys.len() != 1 {
        return Err(refuse(
            Message::new(C::SeparateAreas)
                .int("count", polys.len())
                .en(format!(
                    "the grids form {} separate areas; merge only grids that share an edge",
                    polys.len()
                )),
        ));
    }
    let merged: Rings = polys.remove(0);
    let source = match attributes_from {
        Some(c) => *members.iter().find(|g| g.code == c).ok_or_else(|| {
            refuse(
                Message::new(C::NotAmongMerged)
                    .text("grid", c)
                    .en(format!("grid {c} is not one of the grids merged")),
            )
        })?,
        None => *members
            .iter()
            .max_by(|a, b| a.area_m2.total_cmp(&b.area_m2).then(b.code.cmp(&a.code)))
            .ok_or_else(|| refuse(Message::new(C::MergeNeedsTwo).en("no grids")))?,
    };
    let polygon: Polygon<f64> = merged.polygon();
    let code = codes::allocate(idx, community, &[&polygon], &BTreeSet::new())?[0];
    let mut cs = ChangeSet::new("merge", community);
    for g in &members {
        cs.retire.push(GridShape {
            code: g.code,
            polygon: g.polygon.clone(),
        });
    }
    let mut predecessors = vec![source.code];
    predecessors.extend(set.iter().filter(|c| **c != source.code));
    cs.create.push(NewGrid {
        code,
        name: codes::default_name(idx, code),
        area_m2: crate::geodesy::area_m2(&polygon),
        polygon,
        land_use: source.land_use.clone(),
        level: source.level.clone(),
        predecessors,
    });
    Ok(cs)
}
