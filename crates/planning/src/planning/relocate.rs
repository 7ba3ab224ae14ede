//! Keeping components and cases in the right grid across an edit: every point that lay in a
//! grid the change replaces, or that lies where a changed grid will be, is located again against
//! the grids in force after the change, by the index's boundary rule (interior wins; on a shared
//! edge the lowest code).

use super::change::ChangeSet;
use crate::code::{ComponentCode, GridCode};
use crate::index::SpatialIndex;
use geo::coordinate_position::CoordPos;
use geo::{BoundingRect, CoordinatePosition};
use geo_types::{Coord, Point, Polygon, Rect};
use std::collections::BTreeSet;

/// Grid assignments an edit changes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Relocations {
    /// (component, grid before, grid after)
    pub components: Vec<(ComponentCode, Option<GridCode>, Option<GridCode>)>,
    /// (case id, grid before, grid after)
    pub cases: Vec<(String, Option<GridCode>, Option<GridCode>)>,
}

/// The grid of `p` once `cs` is applied.
fn locate_after(
    idx: &SpatialIndex,
    touched: &BTreeSet<GridCode>,
    after: &[(GridCode, &Polygon<f64>, Rect<f64>)],
    p: Coord<f64>,
) -> Option<GridCode> {
    let mut best: Option<GridCode> = None;
    let mut consider = |code: GridCode, pos: CoordPos| -> bool {
        match pos {
            CoordPos::Inside => {
                best = Some(code);
                true
            }
            CoordPos::OnBoundary => {
                if best.is_none_or(|b| code < b) {
                    best = Some(code);
                }
                false
            }
            CoordPos::Outside => false,
        }
    };
    let r = Rect::new(p, p);
    for i in idx.grid_candidates(r) {
        let g = &idx.grids[i];
        if touched.contains(&g.code) {
            continue;
        }
        if consider(g.code, g.polygon.coordinate_position(&p)) {
            return best;
        }
    }
    for (code, poly, b) in after {
        if p.x < b.min().x || p.x > b.max().x || p.y < b.min().y || p.y > b.max().y {
            continue;
        }
        if consider(*code, poly.coordinate_position(&p)) {
            return best;
        }
    }
    best
}

/// Components and cases whose grid changes when `cs` is applied.
pub fn relocate(idx: &SpatialIndex, cs: &ChangeSet) -> Relocations {
    let touched = cs.touched();
    let after: Vec<(GridCode, &Polygon<f64>, Rect<f64>)> = cs
        .after_polygons(idx)
        .filter_map(|(c, p)| p.bounding_rect().map(|r| (c, p, r)))
        .collect();
    let mut boxes: Vec<Rect<f64>> = after.iter().map(|a| a.2).collect();
    boxes.extend(
        touched
            .iter()
            .filter_map(|c| idx.grid(c))
            .filter_map(|g| g.polygon.bounding_rect()),
    );
    let mut comps = BTreeSet::new();
    let mut cases = BTreeSet::new();
    for r in &boxes {
        comps.extend(idx.components_in_bbox(*r));
        cases.extend(idx.cases_in_bbox(*r));
    }
    let at = |p: &Point<f64>| locate_after(idx, &touched, &after, p.0);
    let mut out = Relocations::default();
    for i in comps {
        let c = &idx.components[i];
        let new = at(&c.location);
        if new != c.grid {
            out.components.push((c.code, c.grid, new));
        }
    }
    for i in cases {
        let c = &idx.cases[i];
        let new = at(&c.location);
        if new != c.grid {
            out.cases.push((c.id.to_string(), c.grid, new));
        }
    }
    out
}
