//! Draw a new grid into uncovered area of a community.
//!
//! The drawn ring is fitted to the existing topology before the guard sees it: each drawn
//! vertex within the tolerance of an existing vertex (of a grid or the community outline) takes
//! that vertex's exact coordinates; one within the tolerance of an edge is put on the edge and
//! inserted topologically into every ring sharing it; and every existing vertex within the
//! tolerance of a drawn edge is added to the new ring. So a grid drawn with snapping shares its
//! edges vertex for vertex with its neighbours.

use super::change::{coords, ChangeSet, NewGrid, Workspace};
use super::codes;
use super::geom::{self, key, signed_area2, Rings};
use super::PlanSettings;
use crate::code::CommunityCode;
use crate::error::{Error, Result};
use crate::index::SpatialIndex;
use crate::message::{EditOp, Message, MessageCode as C, Reason};
use geo::InteriorPoint;
use geo_types::Coord;
use std::collections::BTreeSet;

fn refuse(reason: Reason) -> Error {
    Error::Edit {
        op: EditOp::Add,
        reason,
    }
}

/// What the drawn grid is called and classed as.
#[derive(Debug, Clone, Default)]
pub struct NewGridAttributes {
    pub name: Option<String>,
    pub land_use: Option<String>,
    pub level: Option<String>,
}

/// The change-set of adding a drawn grid.
pub fn add_grid(
    idx: &SpatialIndex,
    ring: &[[f64; 2]],
    community: Option<CommunityCode>,
    attrs: &NewGridAttributes,
    s: &PlanSettings,
) -> Result<ChangeSet> {
    let mut drawn = coords("grid ring", ring)?;
    geom::dedup_ring(&mut drawn);
    if drawn.len() < 3 {
        return Err(refuse(
            Message::new(C::GridNeedsThreeVertices)
                .en("a grid needs at least three distinct vertices"),
        ));
    }
    let lat = drawn.iter().map(|c| c.y).sum::<f64>() / drawn.len() as f64;
    let mut ws = Workspace::new(idx, lat, s.tolerance_m);
    // Vertices onto existing vertices, else onto existing edges (inserted topologically).
    for v in &mut drawn {
        if let Some(e) = ws.vertex_near(*v, true) {
            *v = e;
        } else if let Some(((a, b), q)) = ws.edge_near(*v, true) {
            ws.insert_on_segment(a, b, q);
            *v = q;
        }
    }
    geom::dedup_ring(&mut drawn);
    if signed_area2(&drawn) < 0.0 {
        drawn.reverse();
    }
    // Existing vertices lying on the drawn edges join the new ring.
    let n = drawn.len();
    let mut fitted: Vec<Coord<f64>> = Vec::with_capacity(n * 2);
    for i in 0..n {
        let (a, b) = (drawn[i], drawn[(i + 1) % n]);
        fitted.push(a);
        let box_ = ws.around(&[a, b], s.tolerance_m);
        let mut on: Vec<(f64, Coord<f64>)> = ws
            .vertices_in(box_)
            .into_iter()
            .filter(|&v| key(v) != key(a) && key(v) != key(b))
            .filter_map(|v| {
                let (q, t) = ws.metric.closest_on_segment(v, a, b);
                (t > 0.0 && t < 1.0 && ws.metric.dist(q, v) <= s.tolerance_m).then_some((t, v))
            })
            .collect();
        on.sort_by(|x, y| x.0.total_cmp(&y.0));
        fitted.extend(on.into_iter().map(|x| x.1));
    }
    geom::dedup_ring(&mut fitted);
    let rings = Rings {
        exterior: fitted,
        holes: vec![],
    };
    let polygon = rings.polygon();
    let community = match community {
        Some(c) => c,
        None => {
            let p = polygon.interior_point().ok_or_else(|| {
                refuse(Message::new(C::PolygonNoInterior).en("the drawn polygon has no interior"))
            })?;
            let ci = idx.community_at(p.x(), p.y()).ok_or_else(|| {
                refuse(Message::new(C::GridInNoCommunity).en("the drawn grid lies in no community"))
            })?;
            idx.communities[ci].code
        }
    };
    if idx.community(&community).is_none() {
        return Err(Error::NotFound {
            what: "community",
            key: community.to_string(),
        });
    }
    let code = codes::allocate(idx, community, &[&polygon], &BTreeSet::new())?[0];
    let mut cs = ChangeSet::new("add_grid", community);
    cs.create.push(NewGrid {
        code,
        name: attrs
            .name
            .clone()
            .unwrap_or_else(|| codes::default_name(idx, code)),
        area_m2: crate::geodesy::area_m2(&polygon),
        polygon,
        land_use: attrs.land_use.clone(),
        level: attrs.level.clone(),
        predecessors: vec![],
    });
    ws.finish(&mut cs);
    Ok(cs)
}
