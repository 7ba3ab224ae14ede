//! In-memory spatial indexes (rstar R-trees) built from the store on open.
//!
//! # Boundary rule for "grid at a point"
//! A point strictly inside a grid belongs to that grid. A point on a boundary — an edge or a vertex
//! shared by several grids — belongs to the grid with the **lowest code** among the active grids
//! whose closed polygon covers it. So a point covered by the tiling belongs to exactly one grid,
//! deterministically, never zero and never two. Retired grids (with an end date) are not located.

use crate::code::{CommunityCode, ComponentCode, GridCode, StreetCode};
use crate::codetable::CodeTables;
use crate::model::Snapshot;
use crate::model::*;
use geo::coordinate_position::CoordPos;
use geo::{BoundingRect, CoordinatePosition, InteriorPoint, Intersects};
use geo_types::{Coord, MultiPolygon, Point, Polygon, Rect};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};
use std::collections::HashMap;

/// A rectangle in the R-tree carrying the position of its object.
pub type BoxEntry = GeomWithData<Rectangle<[f64; 2]>, u32>;
/// A point in the R-tree carrying the position of its object.
pub type PointEntry = GeomWithData<[f64; 2], u32>;

/// Per-grid counts kept up to date with the index.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GridCounts {
    /// Components located in the grid.
    pub components: u32,
    /// Cases located in the grid, any status.
    pub cases: u32,
    /// Cases located in the grid that have not left the loop (not closed, cancelled or refused).
    pub open_cases: u32,
}

/// Changes for [`SpatialIndex::patched`].
#[derive(Debug, Default, Clone)]
pub struct IndexPatch {
    /// Grid rows to set (`Some`) or remove (`None`).
    pub grids: Vec<(GridCode, Option<Grid>)>,
    /// Community rows to replace (same code).
    pub communities: Vec<Community>,
    /// Street rows to replace (same code).
    pub streets: Vec<Street>,
    /// `(duty grid, unit grid, member)`: add or remove a membership.
    pub duty_members: Vec<(String, GridCode, bool)>,
    pub component_grids: Vec<(ComponentCode, Option<GridCode>)>,
    pub case_grids: Vec<(String, Option<GridCode>)>,
}

/// The spatial indexes of one district.
#[derive(Debug, Default, Clone)]
pub struct SpatialIndex {
    pub district: Option<District>,
    pub streets: Vec<Street>,
    pub communities: Vec<Community>,
    /// All grids, retired ones included, in code order.
    pub grids: Vec<Grid>,
    pub duty_grids: Vec<DutyGrid>,
    pub components: Vec<Component>,
    pub cases: Vec<CaseSummary>,
    pub code_tables: CodeTables,
    /// Label point of each grid (inside the polygon), same order as `grids`.
    pub grid_label_points: Vec<Point<f64>>,
    /// Label point of each street (inside its boundary), same order as `streets`.
    pub street_label_points: Vec<Option<Point<f64>>>,
    /// Label point of each community (inside its boundary), same order as `communities`.
    pub community_label_points: Vec<Option<Point<f64>>>,
    /// Cases that no active grid counts (no grid, an unknown grid or a retired grid).
    pub uncounted_cases: usize,
    /// Colour index 0..8 of each community, so that neighbours differ.
    pub community_colour: Vec<u8>,
    /// Counts per grid, same order as `grids`.
    pub grid_counts: Vec<GridCounts>,
    grid_tree: RTree<BoxEntry>,
    community_tree: RTree<BoxEntry>,
    street_tree: RTree<BoxEntry>,
    component_tree: RTree<PointEntry>,
    case_tree: RTree<PointEntry>,
    grid_pos: HashMap<GridCode, u32>,
    community_pos: HashMap<CommunityCode, u32>,
    street_pos: HashMap<StreetCode, u32>,
    duty_of_grid: HashMap<GridCode, u32>,
}

pub fn rect_of(r: Rect<f64>) -> Rectangle<[f64; 2]> {
    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y])
}

fn boxes<'a, I: IntoIterator<Item = Option<Rect<f64>>>>(rects: I) -> RTree<BoxEntry>
where
    I::IntoIter: 'a,
{
    RTree::bulk_load(
        rects
            .into_iter()
            .enumerate()
            .filter_map(|(i, r)| r.map(|r| GeomWithData::new(rect_of(r), i as u32)))
            .collect(),
    )
}

fn points<'a>(pts: impl Iterator<Item = &'a Point<f64>>) -> RTree<PointEntry> {
    RTree::bulk_load(
        pts.enumerate()
            .map(|(i, p)| GeomWithData::new([p.x(), p.y()], i as u32))
            .collect(),
    )
}

/// The boundary rule over candidate features: the first whose interior holds the point wins;
/// otherwise the one with the lowest `key` among those whose boundary holds it; `None` if none
/// covers it. Used for grids and communities here and by the bulk locator.
pub fn pick_by_rule<K: Ord>(
    candidates: impl IntoIterator<Item = usize>,
    mut position: impl FnMut(usize) -> CoordPos,
    key: impl Fn(usize) -> K,
) -> Option<usize> {
    let mut best: Option<usize> = None;
    for i in candidates {
        match position(i) {
            CoordPos::Inside => return Some(i),
            CoordPos::OnBoundary => {
                if best.is_none_or(|b| key(i) < key(b)) {
                    best = Some(i);
                }
            }
            CoordPos::Outside => {}
        }
    }
    best
}

/// Where a point lies relative to a polygon (closed: boundary included).
pub fn position_in(poly: &Polygon<f64>, p: Coord<f64>) -> CoordPos {
    poly.coordinate_position(&p)
}

impl SpatialIndex {
    /// Builds every index from a store snapshot.
    pub fn build(s: Snapshot) -> Self {
        let Snapshot {
            district,
            streets,
            communities,
            grids,
            duty_grids,
            components,
            cases,
            code_tables,
        } = s;
        let (grid_tree, street_tree, community_tree, component_tree, case_tree) = {
            let gt = || {
                boxes(
                    grids
                        .iter()
                        .map(|g| g.is_active().then(|| g.polygon.bounding_rect()).flatten()),
                )
            };
            let st = || boxes(streets.iter().map(|s| s.boundary.bounding_rect()));
            let ct = || boxes(communities.iter().map(|c| c.boundary.bounding_rect()));
            let pt = || points(components.iter().map(|c| &c.location));
            let kt = || points(cases.iter().map(|c| &c.location));
            let ((g, (st, ct)), (pt, kt)) = rayon::join(
                || rayon::join(gt, || rayon::join(st, ct)),
                || rayon::join(pt, kt),
            );
            (g, st, ct, pt, kt)
        };
        let grid_pos = grids
            .iter()
            .enumerate()
            .map(|(i, g)| (g.code, i as u32))
            .collect();
        let community_pos = communities
            .iter()
            .enumerate()
            .map(|(i, c)| (c.code, i as u32))
            .collect();
        let street_pos = streets
            .iter()
            .enumerate()
            .map(|(i, s)| (s.code, i as u32))
            .collect();
        let mut duty_of_grid = HashMap::new();
        for (i, d) in duty_grids.iter().enumerate() {
            for g in &d.grids {
                duty_of_grid.insert(*g, i as u32);
            }
        }
        let grid_label_points = grids
            .iter()
            .map(|g| {
                g.polygon
                    .interior_point()
                    .unwrap_or_else(|| Point::new(0.0, 0.0))
            })
            .collect();
        let mut idx = Self {
            district,
            streets,
            communities,
            grids,
            duty_grids,
            components,
            cases,
            code_tables,
            grid_label_points,
            street_label_points: Vec::new(),
            community_label_points: Vec::new(),
            uncounted_cases: 0,
            community_colour: Vec::new(),
            grid_counts: Vec::new(),
            grid_tree,
            community_tree,
            street_tree,
            component_tree,
            case_tree,
            grid_pos,
            community_pos,
            street_pos,
            duty_of_grid,
        };
        idx.community_colour = idx.colour_communities();
        idx.grid_counts = idx.count_per_grid();
        idx.street_label_points = idx
            .streets
            .iter()
            .map(|s| s.boundary.interior_point())
            .collect();
        idx.community_label_points = idx
            .communities
            .iter()
            .map(|c| c.boundary.interior_point())
            .collect();
        let counted: usize = idx
            .grids
            .iter()
            .zip(&idx.grid_counts)
            .filter(|(g, _)| g.is_active())
            .map(|(_, k)| k.cases as usize)
            .sum();
        idx.uncounted_cases = idx.cases.len().saturating_sub(counted);
        idx
    }

    /// Adds one case without rebuilding anything (intake); returns its position in `cases`.
    pub fn insert_case(&mut self, c: CaseSummary) -> usize {
        let i = self.cases.len();
        self.case_tree.insert(GeomWithData::new(
            [c.location.x(), c.location.y()],
            i as u32,
        ));
        match c
            .grid
            .and_then(|g| self.grid_pos.get(&g))
            .map(|&g| g as usize)
        {
            Some(g) if self.grids[g].is_active() => {
                let k = &mut self.grid_counts[g];
                k.cases += 1;
                if !c.status.is_terminal() {
                    k.open_cases += 1;
                }
            }
            Some(g) => {
                self.grid_counts[g].cases += 1;
                if !c.status.is_terminal() {
                    self.grid_counts[g].open_cases += 1;
                }
                self.uncounted_cases += 1;
            }
            None => self.uncounted_cases += 1,
        }
        self.cases.push(c);
        i
    }

    /// Changes the status of the case at `pos` (a workflow transition), keeping the per-grid
    /// open counts right.
    pub fn set_case_status(&mut self, pos: usize, status: CaseStatus) {
        let Some(c) = self.cases.get_mut(pos) else {
            return;
        };
        let (was_open, now_open) = (!c.status.is_terminal(), !status.is_terminal());
        c.status = status;
        if was_open != now_open {
            if let Some(&g) = c.grid.and_then(|g| self.grid_pos.get(&g)) {
                let k = &mut self.grid_counts[g as usize];
                if now_open {
                    k.open_cases += 1;
                } else {
                    k.open_cases = k.open_cases.saturating_sub(1);
                }
            }
        }
    }

    /// Adds a component, or replaces the one with the same code (register edits).
    pub fn upsert_component(&mut self, c: Component) {
        if let Some(i) = self.components.iter().position(|x| x.code == c.code) {
            let old = &self.components[i];
            let (ox, oy) = (old.location.x(), old.location.y());
            if let Some(&g) = old.grid.and_then(|g| self.grid_pos.get(&g)) {
                let k = &mut self.grid_counts[g as usize];
                k.components = k.components.saturating_sub(1);
            }
            self.component_tree
                .remove(&GeomWithData::new([ox, oy], i as u32));
            self.component_tree.insert(GeomWithData::new(
                [c.location.x(), c.location.y()],
                i as u32,
            ));
            if let Some(&g) = c.grid.and_then(|g| self.grid_pos.get(&g)) {
                self.grid_counts[g as usize].components += 1;
            }
            self.components[i] = c;
        } else {
            let i = self.components.len();
            self.component_tree.insert(GeomWithData::new(
                [c.location.x(), c.location.y()],
                i as u32,
            ));
            if let Some(&g) = c.grid.and_then(|g| self.grid_pos.get(&g)) {
                self.grid_counts[g as usize].components += 1;
            }
            self.components.push(c);
        }
    }

    /// A copy of this index with `p` applied (see [`SpatialIndex::apply_patch`]).
    pub fn patched(&self, p: IndexPatch) -> SpatialIndex {
        let mut idx = self.clone();
        idx.apply_patch(p);
        idx
    }

    /// Applies changes in place: grid rows set (`Some`) or removed (`None`) by code, community
    /// and street outlines replaced, duty-grid memberships added (`true`) or removed, and the
    /// grid of some components and cases changed. Points do not move, so the component and case
    /// trees stay; the grid tree, positions and label points are rebuilt and the counts adjusted
    /// for the changes only (grid planning uses this instead of reading the store again).
    pub fn apply_patch(&mut self, p: IndexPatch) {
        let old_counts: HashMap<GridCode, GridCounts> = self
            .grids
            .iter()
            .zip(&self.grid_counts)
            .map(|(g, k)| (g.code, *k))
            .collect();
        let old_labels: HashMap<GridCode, Point<f64>> = self
            .grids
            .iter()
            .zip(&self.grid_label_points)
            .map(|(g, p)| (g.code, *p))
            .collect();
        let mut reshaped: std::collections::HashSet<GridCode> = Default::default();
        let mut removed: std::collections::HashSet<GridCode> = Default::default();
        let mut added = Vec::new();
        for (code, g) in p.grids {
            match (self.grid_pos.get(&code), g) {
                (Some(&i), Some(g)) => {
                    if self.grids[i as usize].polygon != g.polygon {
                        reshaped.insert(code);
                    }
                    self.grids[i as usize] = g;
                }
                (Some(_), None) => {
                    removed.insert(code);
                }
                (None, Some(g)) => {
                    removed.remove(&code);
                    reshaped.insert(code);
                    added.push(g);
                }
                (None, None) => {}
            }
        }
        if !removed.is_empty() || !added.is_empty() {
            self.grids.retain(|g| !removed.contains(&g.code));
            self.grids.extend(added);
            self.grids.sort_by_key(|g| g.code);
        }
        self.grid_pos = self
            .grids
            .iter()
            .enumerate()
            .map(|(i, g)| (g.code, i as u32))
            .collect();
        self.grid_label_points = self
            .grids
            .iter()
            .map(|g| match old_labels.get(&g.code) {
                Some(p) if !reshaped.contains(&g.code) => *p,
                _ => g
                    .polygon
                    .interior_point()
                    .unwrap_or_else(|| Point::new(0.0, 0.0)),
            })
            .collect();
        self.grid_counts = self
            .grids
            .iter()
            .map(|g| old_counts.get(&g.code).copied().unwrap_or_default())
            .collect();
        self.grid_tree = boxes(
            self.grids
                .iter()
                .map(|g| g.is_active().then(|| g.polygon.bounding_rect()).flatten()),
        );
        if !p.communities.is_empty() {
            for c in p.communities {
                if let Some(&i) = self.community_pos.get(&c.code) {
                    self.communities[i as usize] = c;
                }
            }
            self.community_tree =
                boxes(self.communities.iter().map(|c| c.boundary.bounding_rect()));
        }
        if !p.streets.is_empty() {
            for st in p.streets {
                if let Some(&i) = self.street_pos.get(&st.code) {
                    self.streets[i as usize] = st;
                }
            }
            self.street_tree = boxes(self.streets.iter().map(|s| s.boundary.bounding_rect()));
        }
        for (duty, grid, add) in p.duty_members {
            if let Some(d) = self.duty_grids.iter_mut().find(|d| d.code == duty) {
                d.grids.retain(|g| *g != grid);
                if add {
                    d.grids.push(grid);
                    d.grids.sort();
                }
            }
        }
        self.duty_of_grid = HashMap::new();
        for (i, d) in self.duty_grids.iter().enumerate() {
            for g in &d.grids {
                self.duty_of_grid.insert(*g, i as u32);
            }
        }
        // Assignments, with the counts moved from the old grid to the new one.
        let pos = &self.grid_pos;
        let counts = &mut self.grid_counts;
        let mut shift =
            |from: Option<GridCode>, to: Option<GridCode>, f: &dyn Fn(&mut GridCounts, i32)| {
                for (g, d) in [(from, -1), (to, 1)] {
                    if let Some(i) = g.and_then(|g| pos.get(&g)) {
                        f(&mut counts[*i as usize], d);
                    }
                }
            };
        if !p.component_grids.is_empty() {
            let m: HashMap<ComponentCode, Option<GridCode>> =
                p.component_grids.into_iter().collect();
            for c in &mut self.components {
                if let Some(&g) = m.get(&c.code) {
                    if g != c.grid {
                        shift(c.grid, g, &|k, d| {
                            k.components = k.components.saturating_add_signed(d)
                        });
                        c.grid = g;
                    }
                }
            }
        }
        if !p.case_grids.is_empty() {
            let m: HashMap<&str, Option<GridCode>> =
                p.case_grids.iter().map(|(k, g)| (k.as_str(), *g)).collect();
            for c in &mut self.cases {
                if let Some(&g) = m.get(&*c.id) {
                    if g != c.grid {
                        let open = i32::from(!c.status.is_terminal());
                        shift(c.grid, g, &|k, d| {
                            k.cases = k.cases.saturating_add_signed(d);
                            k.open_cases = k.open_cases.saturating_add_signed(d * open);
                        });
                        c.grid = g;
                    }
                }
            }
        }
        let counted: usize = self
            .grids
            .iter()
            .zip(&self.grid_counts)
            .filter(|(g, _)| g.is_active())
            .map(|(_, k)| k.cases as usize)
            .sum();
        self.uncounted_cases = self.cases.len().saturating_sub(counted);
    }

    fn count_per_grid(&self) -> Vec<GridCounts> {
        let mut counts = vec![GridCounts::default(); self.grids.len()];
        for c in &self.components {
            if let Some(i) = c.grid.and_then(|g| self.grid_pos.get(&g)) {
                counts[*i as usize].components += 1;
            }
        }
        for c in &self.cases {
            if let Some(i) = c.grid.and_then(|g| self.grid_pos.get(&g)) {
                let k = &mut counts[*i as usize];
                k.cases += 1;
                if !c.status.is_terminal() {
                    k.open_cases += 1;
                }
            }
        }
        counts
    }

    /// Greedy colouring: each community takes the lowest colour not used by a neighbour
    /// (communities whose boundaries intersect).
    fn colour_communities(&self) -> Vec<u8> {
        let mut colour = vec![u8::MAX; self.communities.len()];
        for (i, c) in self.communities.iter().enumerate() {
            let Some(r) = c.boundary.bounding_rect() else {
                continue;
            };
            let mut used = [false; 8];
            for n in self
                .community_tree
                .locate_in_envelope_intersecting(&rect_of(r).envelope())
            {
                let j = n.data as usize;
                if j != i && colour[j] < 8 && c.boundary.intersects(&self.communities[j].boundary) {
                    used[colour[j] as usize] = true;
                }
            }
            colour[i] = used.iter().position(|u| !u).unwrap_or(i % 8) as u8;
        }
        colour
    }

    // ---- lookups by code -------------------------------------------------------------------

    /// Position of a grid by code.
    pub fn grid_index(&self, code: &GridCode) -> Option<usize> {
        self.grid_pos.get(code).map(|&i| i as usize)
    }
    /// A grid by code.
    pub fn grid(&self, code: &GridCode) -> Option<&Grid> {
        self.grid_index(code).map(|i| &self.grids[i])
    }
    /// A community by code.
    pub fn community(&self, code: &CommunityCode) -> Option<&Community> {
        self.community_pos
            .get(code)
            .map(|&i| &self.communities[i as usize])
    }
    /// Position of a community by code.
    pub fn community_index(&self, code: &CommunityCode) -> Option<usize> {
        self.community_pos.get(code).map(|&i| i as usize)
    }
    /// A street by code.
    pub fn street(&self, code: &StreetCode) -> Option<&Street> {
        self.street_pos
            .get(code)
            .map(|&i| &self.streets[i as usize])
    }
    /// The duty grid a unit grid belongs to.
    pub fn duty_grid_of(&self, code: &GridCode) -> Option<&DutyGrid> {
        self.duty_of_grid
            .get(code)
            .map(|&i| &self.duty_grids[i as usize])
    }

    // ---- point location --------------------------------------------------------------------

    /// The active grid at a point, by the boundary rule in the module docs.
    pub fn grid_at(&self, lon: f64, lat: f64) -> Option<usize> {
        let c = Coord { x: lon, y: lat };
        pick_by_rule(
            self.grid_tree
                .locate_all_at_point(&[lon, lat])
                .map(|e| e.data as usize),
            |i| position_in(&self.grids[i].polygon, c),
            |i| self.grids[i].code,
        )
    }

    /// The grid R-tree (active grids only), for accelerated bulk location.
    pub fn grid_tree(&self) -> &RTree<BoxEntry> {
        &self.grid_tree
    }

    /// The community containing a point (boundary: lowest code).
    pub fn community_at(&self, lon: f64, lat: f64) -> Option<usize> {
        let c = Coord { x: lon, y: lat };
        pick_by_rule(
            self.community_tree
                .locate_all_at_point(&[lon, lat])
                .map(|e| e.data as usize),
            |i| self.communities[i].boundary.coordinate_position(&c),
            |i| self.communities[i].code,
        )
    }

    // ---- area queries ----------------------------------------------------------------------

    /// Active grids whose polygon intersects a lon/lat box.
    pub fn grids_in_bbox(&self, r: Rect<f64>) -> Vec<usize> {
        let poly = r.to_polygon();
        let mut v: Vec<usize> = self
            .grid_tree
            .locate_in_envelope_intersecting(&rect_of(r).envelope())
            .map(|e| e.data as usize)
            .filter(|&i| self.grids[i].polygon.intersects(&poly))
            .collect();
        v.sort_unstable();
        v
    }

    /// Active grids whose polygon intersects a polygon.
    pub fn grids_in_polygon(&self, area: &Polygon<f64>) -> Vec<usize> {
        let Some(r) = area.bounding_rect() else {
            return vec![];
        };
        let mut v: Vec<usize> = self
            .grid_tree
            .locate_in_envelope_intersecting(&rect_of(r).envelope())
            .map(|e| e.data as usize)
            .filter(|&i| self.grids[i].polygon.intersects(area))
            .collect();
        v.sort_unstable();
        v
    }

    /// Grid R-tree entries whose envelope intersects a box (no exact test), for tiling.
    pub fn grid_candidates(&self, r: Rect<f64>) -> impl Iterator<Item = usize> + '_ {
        self.grid_tree
            .locate_in_envelope_intersecting(&rect_of(r).envelope())
            .map(|e| e.data as usize)
    }

    /// Communities whose envelope intersects a box, for tiling.
    pub fn community_candidates(&self, r: Rect<f64>) -> impl Iterator<Item = usize> + '_ {
        self.community_tree
            .locate_in_envelope_intersecting(&rect_of(r).envelope())
            .map(|e| e.data as usize)
    }

    /// Streets whose envelope intersects a box, for tiling.
    pub fn street_candidates(&self, r: Rect<f64>) -> impl Iterator<Item = usize> + '_ {
        self.street_tree
            .locate_in_envelope_intersecting(&rect_of(r).envelope())
            .map(|e| e.data as usize)
    }

    /// Components inside a box (closed).
    pub fn components_in_bbox(&self, r: Rect<f64>) -> Vec<usize> {
        in_box(&self.component_tree, r)
    }

    /// Cases inside a box (closed).
    pub fn cases_in_bbox(&self, r: Rect<f64>) -> Vec<usize> {
        in_box(&self.case_tree, r)
    }

    /// Components inside a polygon (boundary included).
    pub fn components_in_polygon(&self, area: &Polygon<f64>) -> Vec<usize> {
        in_polygon(&self.component_tree, area)
    }

    /// Cases inside a polygon (boundary included).
    pub fn cases_in_polygon(&self, area: &Polygon<f64>) -> Vec<usize> {
        in_polygon(&self.case_tree, area)
    }

    /// The `k` components nearest a point, with their distance in metres, nearest first.
    ///
    /// The R-tree holds lon/lat; candidates are drawn in degree order and re-ranked by geodesic
    /// (haversine) distance, drawing until no closer candidate can exist.
    pub fn nearest_components(&self, lon: f64, lat: f64, k: usize) -> Vec<(usize, f64)> {
        use geo::{Distance, Haversine};
        if k == 0 {
            return vec![];
        }
        let here = Point::new(lon, lat);
        // One degree of longitude is shorter than one of latitude: a candidate at degree
        // distance d is at least d * cos(lat) * (m per degree) away.
        let m_per_deg = crate::geodesy::EARTH_RADIUS_M.to_radians();
        let shrink = lat.to_radians().cos().abs().max(0.01) * m_per_deg * 0.995;
        let mut best: Vec<(usize, f64)> = Vec::with_capacity(k + 1);
        for (e, d2) in self
            .component_tree
            .nearest_neighbor_iter_with_distance_2(&[lon, lat])
        {
            let lower_bound = d2.sqrt() * shrink;
            if best.len() == k && lower_bound > best[k - 1].1 {
                break;
            }
            let i = e.data as usize;
            let d = Haversine.distance(here, self.components[i].location);
            let pos = best.partition_point(|b| b.1 <= d);
            best.insert(pos, (i, d));
            best.truncate(k);
        }
        best
    }
}

fn in_box(tree: &RTree<PointEntry>, r: Rect<f64>) -> Vec<usize> {
    let env = AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]);
    let mut v: Vec<usize> = tree
        .locate_in_envelope(&env)
        .map(|e| e.data as usize)
        .collect();
    v.sort_unstable();
    v
}

fn in_polygon(tree: &RTree<PointEntry>, area: &Polygon<f64>) -> Vec<usize> {
    let Some(r) = area.bounding_rect() else {
        return vec![];
    };
    let env = AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]);
    let mut v: Vec<usize> = tree
        .locate_in_envelope(&env)
        .filter(|e| {
            area.coordinate_position(&Coord {
                x: e.geom()[0],
                y: e.geom()[1],
            }) != CoordPos::Outside
        })
        .map(|e| e.data as usize)
        .collect();
    v.sort_unstable();
    v
}

/// Bounding box of a multipolygon as `[west, south, east, north]`.
pub fn bbox_of(m: &MultiPolygon<f64>) -> Option<[f64; 4]> {
    m.bounding_rect()
        .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y])
}

use rstar::RTreeObject as _;
