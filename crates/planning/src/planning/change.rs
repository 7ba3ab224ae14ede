//! Edit requests ([`Edit`]) and the change-sets they produce ([`ChangeSet`]): which grids are
//! retired, created, reshaped or renamed, and which community outlines gain a vertex. A
//! change-set is plain data (serde, geometry as GeoJSON) so the map can draw the preview; the
//! [`Workspace`] is how the edit operations build one with topological editing.

use super::geom::{self, key, oriented, oriented_multi, Edge, Key, Metric, Rings};
use crate::code::{CommunityCode, GridCode, StreetCode};
use crate::error::{Error, Result};
use crate::index::SpatialIndex;
use crate::message::{EditOp, Message, MessageCode as C};
use geo::BoundingRect;
use geo_types::{Coord, MultiPolygon, Polygon, Rect};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// GeoJSON (de)serialisation of geometry fields.
pub use griddesk_core::topology::geojson_geom;

/// An edit of the unit grids of one community, as the map editor asks for it. Points are
/// `[lon, lat]`; a point meant to be an existing vertex or on an existing edge may be off by up
/// to the tolerance in [`super::PlanSettings`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(optional_fields = nullable))]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Edit {
    /// Draw a new grid (filling uncovered area of a community). Its vertices snap to nearby
    /// vertices and edges, and vertices of neighbours lying on its edges are added to it.
    AddGrid {
        ring: Vec<[f64; 2]>,
        /// The community; by default the one holding the drawn polygon.
        #[serde(default)]
        community: Option<CommunityCode>,
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        land_use: Option<String>,
        #[serde(default)]
        level: Option<String>,
    },
    /// Split a grid in two along a line that crosses it once.
    Split { grid: GridCode, line: Vec<[f64; 2]> },
    /// Merge adjacent grids into one; attributes from the largest unless one is chosen.
    Merge {
        grids: Vec<GridCode>,
        #[serde(default)]
        attributes_from: Option<GridCode>,
    },
    /// Move a vertex, in every grid that shares it.
    MoveVertex { from: [f64; 2], to: [f64; 2] },
    /// Add a vertex on an edge, in every grid (and community outline) that shares the edge.
    InsertVertex { at: [f64; 2] },
    /// Remove a vertex from every grid that shares it.
    DeleteVertex { at: [f64; 2] },
    /// Replace the section of a grid's boundary between the path's two ends (both on that
    /// boundary) by the path; the neighbour across that section changes with it.
    Reshape { grid: GridCode, path: Vec<[f64; 2]> },
    /// Renumber the community's grids west→east, then north→south.
    Renumber { community: CommunityCode },
}

impl Edit {
    /// The operation's stable name.
    pub fn name(&self) -> &'static str {
        match self {
            Edit::AddGrid { .. } => "add_grid",
            Edit::Split { .. } => "split",
            Edit::Merge { .. } => "merge",
            Edit::MoveVertex { .. } => "move_vertex",
            Edit::InsertVertex { .. } => "insert_vertex",
            Edit::DeleteVertex { .. } => "delete_vertex",
            Edit::Reshape { .. } => "reshape",
            Edit::Renumber { .. } => "renumber",
        }
    }
}

/// A grid and its polygon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GridShape {
    pub code: GridCode,
    #[serde(with = "geojson_geom")]
    #[cfg_attr(feature = "ts", ts(type = "import(\"geojson\").Polygon"))]
    pub polygon: Polygon<f64>,
}

/// A grid the change creates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NewGrid {
    pub code: GridCode,
    pub name: String,
    #[serde(with = "geojson_geom")]
    #[cfg_attr(feature = "ts", ts(type = "import(\"geojson\").Polygon"))]
    pub polygon: Polygon<f64>,
    /// Geodesic area, m².
    pub area_m2: f64,
    pub land_use: Option<String>,
    pub level: Option<String>,
    /// The grids it was made from; the first one gave its attributes and duty grid.
    pub predecessors: Vec<GridCode>,
}

/// A grid whose polygon changes (same code).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GridChange {
    pub code: GridCode,
    #[serde(with = "geojson_geom")]
    #[cfg_attr(feature = "ts", ts(type = "import(\"geojson\").Polygon"))]
    pub before: Polygon<f64>,
    #[serde(with = "geojson_geom")]
    #[cfg_attr(feature = "ts", ts(type = "import(\"geojson\").Polygon"))]
    pub after: Polygon<f64>,
}

/// A grid that gets another code (renumbering).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Rename {
    pub from: GridCode,
    pub to: GridCode,
}

/// A community outline that gains vertices where grid edges now meet it (its shape does not
/// change: community boundaries are fixed for grid editing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CommunityChange {
    pub code: CommunityCode,
    #[serde(with = "geojson_geom")]
    #[cfg_attr(feature = "ts", ts(type = "import(\"geojson\").MultiPolygon"))]
    pub before: MultiPolygon<f64>,
    #[serde(with = "geojson_geom")]
    #[cfg_attr(feature = "ts", ts(type = "import(\"geojson\").MultiPolygon"))]
    pub after: MultiPolygon<f64>,
}

/// A street outline that gains vertices where a community outline did (shape unchanged), so
/// that streets stay vertex-identical with their communities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StreetChange {
    pub code: StreetCode,
    #[serde(with = "geojson_geom")]
    #[cfg_attr(feature = "ts", ts(type = "import(\"geojson\").MultiPolygon"))]
    pub before: MultiPolygon<f64>,
    #[serde(with = "geojson_geom")]
    #[cfg_attr(feature = "ts", ts(type = "import(\"geojson\").MultiPolygon"))]
    pub after: MultiPolygon<f64>,
}

/// Everything one edit changes, before it is validated and applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChangeSet {
    /// The operation that produced it (`split`, `merge`, `proposal`…).
    pub operation: String,
    /// The community being edited.
    pub community: CommunityCode,
    /// Grids retired (end date set), with their polygon as it was.
    pub retire: Vec<GridShape>,
    pub create: Vec<NewGrid>,
    pub modify: Vec<GridChange>,
    pub rename: Vec<Rename>,
    pub communities: Vec<CommunityChange>,
    #[serde(default)]
    pub streets: Vec<StreetChange>,
}

impl ChangeSet {
    /// An empty change of a community.
    pub fn new(operation: &str, community: CommunityCode) -> Self {
        Self {
            operation: operation.to_string(),
            community,
            retire: vec![],
            create: vec![],
            modify: vec![],
            rename: vec![],
            communities: vec![],
            streets: vec![],
        }
    }

    /// Whether the change does nothing.
    pub fn is_empty(&self) -> bool {
        self.retire.is_empty()
            && self.create.is_empty()
            && self.modify.is_empty()
            && self.rename.is_empty()
            && self.communities.is_empty()
            && self.streets.is_empty()
    }

    /// Grids whose current row the change replaces (retired, reshaped, renamed away).
    pub fn touched(&self) -> BTreeSet<GridCode> {
        self.retire
            .iter()
            .map(|g| g.code)
            .chain(self.modify.iter().map(|g| g.code))
            .chain(self.rename.iter().map(|r| r.from))
            .collect()
    }

    /// Every community whose grids or outline the change touches.
    pub fn communities_touched(&self) -> BTreeSet<CommunityCode> {
        let mut s: BTreeSet<CommunityCode> = self.touched().iter().map(|g| g.community()).collect();
        s.extend(self.create.iter().map(|g| g.code.community()));
        s.extend(self.rename.iter().map(|r| r.to.community()));
        s.extend(self.communities.iter().map(|c| c.code));
        s.insert(self.community);
        s
    }

    /// The polygons in force after the change for grids it creates, reshapes or renames:
    /// `(code, polygon)`.
    pub fn after_polygons<'a>(
        &'a self,
        idx: &'a SpatialIndex,
    ) -> impl Iterator<Item = (GridCode, &'a Polygon<f64>)> + 'a {
        self.create
            .iter()
            .map(|g| (g.code, &g.polygon))
            .chain(self.modify.iter().map(|g| (g.code, &g.after)))
            .chain(self.rename.iter().filter_map(move |r| {
                let poly = self
                    .modify
                    .iter()
                    .find(|m| m.code == r.from)
                    .map(|m| &m.after)
                    .or_else(|| idx.grid(&r.from).map(|g| &g.polygon))?;
                Some((r.to, poly))
            }))
    }
}

/// Mutable copies of the rings an edit changes, over the current index. Every topological
/// change goes through here so that a vertex or edge shared by several grids (and by a community
/// outline) changes in all of them.
pub struct Workspace<'a> {
    pub idx: &'a SpatialIndex,
    pub metric: Metric,
    /// Tolerance for "this point means that vertex/edge", metres.
    pub tol_m: f64,
    grids: BTreeMap<GridCode, Rings>,
    communities: BTreeMap<CommunityCode, Vec<Rings>>,
    streets: BTreeMap<StreetCode, Vec<Rings>>,
    /// Grids this change retires: ignored by topological lookups.
    gone: BTreeSet<GridCode>,
}

impl<'a> Workspace<'a> {
    /// A workspace over the index, with metric scale taken at `lat`.
    pub fn new(idx: &'a SpatialIndex, lat: f64, tol_m: f64) -> Self {
        Self {
            idx,
            metric: Metric::at(lat),
            tol_m,
            grids: BTreeMap::new(),
            communities: BTreeMap::new(),
            streets: BTreeMap::new(),
            gone: BTreeSet::new(),
        }
    }

    /// The active grid with this code, or an error naming it.
    pub fn active(&self, code: &GridCode) -> Result<usize> {
        match self.idx.grid_index(code) {
            Some(i) if self.idx.grids[i].is_active() && !self.gone.contains(code) => Ok(i),
            Some(_) => Err(Error::Invalid(
                Message::new(C::GridRetired)
                    .text("grid", code)
                    .en(format!("grid {code} is retired")),
            )),
            None => Err(Error::NotFound {
                what: "grid",
                key: code.to_string(),
            }),
        }
    }

    /// The current rings of an active grid (edited copy if any).
    pub fn rings(&self, code: &GridCode) -> Result<Rings> {
        if let Some(r) = self.grids.get(code) {
            return Ok(r.clone());
        }
        let i = self.active(code)?;
        Ok(oriented(&self.idx.grids[i].polygon))
    }

    /// Replaces a grid's rings.
    pub fn set(&mut self, code: GridCode, r: Rings) {
        self.grids.insert(code, r);
    }

    /// Marks a grid as retired by this change.
    pub fn retire(&mut self, code: GridCode) {
        self.grids.remove(&code);
        self.gone.insert(code);
    }

    fn community_rings(&self, code: &CommunityCode) -> Option<Vec<Rings>> {
        if let Some(r) = self.communities.get(code) {
            return Some(r.clone());
        }
        self.idx
            .community(code)
            .map(|c| oriented_multi(&c.boundary))
    }

    /// A box of `pad_m` metres around points.
    pub fn around(&self, pts: &[Coord<f64>], pad_m: f64) -> Rect<f64> {
        let (dx, dy) = self.metric.degrees(pad_m.max(1e-6));
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for p in pts {
            x0 = x0.min(p.x);
            y0 = y0.min(p.y);
            x1 = x1.max(p.x);
            y1 = y1.max(p.y);
        }
        Rect::new((x0 - dx, y0 - dy), (x1 + dx, y1 + dy))
    }

    /// Active grids (not retired by this change) whose box meets `r`.
    pub fn grids_near(&self, r: Rect<f64>) -> Vec<GridCode> {
        let mut v: Vec<GridCode> = self
            .idx
            .grid_candidates(r)
            .map(|i| self.idx.grids[i].code)
            .filter(|c| !self.gone.contains(c))
            .collect();
        v.sort();
        v
    }

    /// Communities whose box meets `r`.
    pub fn communities_near(&self, r: Rect<f64>) -> Vec<CommunityCode> {
        let mut v: Vec<CommunityCode> = self
            .idx
            .community_candidates(r)
            .map(|i| self.idx.communities[i].code)
            .collect();
        v.sort();
        v
    }

    /// Grids having `v` as a vertex.
    pub fn grids_with_vertex(&self, v: Coord<f64>) -> Vec<GridCode> {
        let k = key(v);
        self.grids_near(self.around(&[v], 0.0))
            .into_iter()
            .filter(|c| {
                self.rings(c)
                    .map(|r| r.all().any(|ring| geom::find_vertex(ring, k).is_some()))
                    .unwrap_or(false)
            })
            .collect()
    }

    /// Communities whose outline has `v` as a vertex.
    pub fn communities_with_vertex(&self, v: Coord<f64>) -> Vec<CommunityCode> {
        let k = key(v);
        self.communities_near(self.around(&[v], 0.0))
            .into_iter()
            .filter(|c| {
                self.community_rings(c).is_some_and(|polys| {
                    polys
                        .iter()
                        .any(|r| r.all().any(|ring| geom::find_vertex(ring, k).is_some()))
                })
            })
            .collect()
    }

    /// Whether `v` is a vertex of any community outline (fixed for grid editing).
    pub fn on_community_outline(&self, v: Coord<f64>) -> bool {
        !self.communities_with_vertex(v).is_empty()
    }

    /// Inserts `p` into the segment `a`–`b` of every grid and community ring that has it.
    /// Returns how many rings changed.
    pub fn insert_on_segment(&mut self, a: Coord<f64>, b: Coord<f64>, p: Coord<f64>) -> usize {
        let (ka, kb, kp) = (key(a), key(b), key(p));
        if kp == ka || kp == kb {
            return 0;
        }
        let r = self.around(&[a, b], 0.0);
        let mut n = 0;
        for code in self.grids_near(r) {
            let Ok(mut rings) = self.rings(&code) else {
                continue;
            };
            if insert_into(&mut rings, ka, kb, p) {
                self.grids.insert(code, rings);
                n += 1;
            }
        }
        for code in self.communities_near(r) {
            let Some(mut polys) = self.community_rings(&code) else {
                continue;
            };
            let mut hit = false;
            for poly in &mut polys {
                hit |= insert_into(poly, ka, kb, p);
            }
            if hit {
                self.communities.insert(code, polys);
                n += 1;
            }
        }
        for i in self.idx.street_candidates(r).collect::<Vec<_>>() {
            let st = &self.idx.streets[i];
            let mut polys = match self.streets.get(&st.code) {
                Some(p) => p.clone(),
                None => oriented_multi(&st.boundary),
            };
            let mut hit = false;
            for poly in &mut polys {
                hit |= insert_into(poly, ka, kb, p);
            }
            if hit {
                self.streets.insert(st.code, polys);
            }
        }
        n
    }

    /// Replaces vertex `from` by `to` in every grid ring that has it. Returns the grids changed.
    pub fn move_vertex(&mut self, from: Coord<f64>, to: Coord<f64>) -> Vec<GridCode> {
        let k = key(from);
        let mut changed = Vec::new();
        for code in self.grids_with_vertex(from) {
            let Ok(mut rings) = self.rings(&code) else {
                continue;
            };
            for ring in rings.all_mut() {
                for c in ring.iter_mut() {
                    if key(*c) == k {
                        *c = to;
                    }
                }
                geom::dedup_ring(ring);
            }
            self.grids.insert(code, rings);
            changed.push(code);
        }
        changed
    }

    /// The rings near `p` (within the tolerance): active grids', and community outlines' too
    /// when `outlines`.
    fn rings_near(&self, p: Coord<f64>, outlines: bool) -> Vec<Vec<Coord<f64>>> {
        let r = self.around(&[p], self.tol_m);
        let mut out: Vec<Vec<Coord<f64>>> = Vec::new();
        for code in self.grids_near(r) {
            if let Ok(rings) = self.rings(&code) {
                out.extend(rings.all().cloned());
            }
        }
        if outlines {
            for code in self.communities_near(r) {
                for poly in self.community_rings(&code).unwrap_or_default() {
                    out.extend(poly.all().cloned());
                }
            }
        }
        out
    }

    /// The nearest vertex within the tolerance of `p`, among active grids (and community
    /// outlines when `outlines`).
    pub fn vertex_near(&self, p: Coord<f64>, outlines: bool) -> Option<Coord<f64>> {
        let mut best: Option<(f64, Coord<f64>)> = None;
        for ring in self.rings_near(p, outlines) {
            for c in ring {
                let d = self.metric.dist(p, c);
                if d <= self.tol_m && best.is_none_or(|b| d < b.0) {
                    best = Some((d, c));
                }
            }
        }
        best.map(|b| b.1)
    }

    /// The nearest edge within the tolerance of `p` (active grids, and community outlines when
    /// `outlines`): its ends and the closest point on it.
    pub fn edge_near(&self, p: Coord<f64>, outlines: bool) -> Option<(Edge, Coord<f64>)> {
        let mut best: Option<(f64, Edge, Coord<f64>)> = None;
        for ring in self.rings_near(p, outlines) {
            let n = ring.len();
            for i in 0..n {
                let (a, b) = (ring[i], ring[(i + 1) % n]);
                let (q, _) = self.metric.closest_on_segment(p, a, b);
                let d = self.metric.dist(p, q);
                if d <= self.tol_m && best.is_none_or(|x| d < x.0) {
                    best = Some((d, (a, b), q));
                }
            }
        }
        best.map(|b| (b.1, b.2))
    }

    /// Every vertex of active grids and community outlines in a box.
    pub fn vertices_in(&self, r: Rect<f64>) -> Vec<Coord<f64>> {
        let mut out = Vec::new();
        let inside = |c: &Coord<f64>| {
            c.x >= r.min().x && c.x <= r.max().x && c.y >= r.min().y && c.y <= r.max().y
        };
        for code in self.grids_near(r) {
            if let Ok(rings) = self.rings(&code) {
                out.extend(rings.all().flatten().filter(|c| inside(c)).copied());
            }
        }
        for code in self.communities_near(r) {
            for poly in self.community_rings(&code).unwrap_or_default() {
                out.extend(poly.all().flatten().filter(|c| inside(c)).copied());
            }
        }
        out.sort_by_key(|c| key(*c));
        out.dedup_by_key(|c| key(*c));
        out
    }

    /// Removes vertex `v` from every grid ring that has it; refuses when a ring would keep
    /// fewer than three vertices. Returns the grids changed.
    pub fn remove_vertex(&mut self, v: Coord<f64>) -> Result<Vec<GridCode>> {
        let k = key(v);
        let mut changed = Vec::new();
        for code in self.grids_with_vertex(v) {
            let mut rings = self.rings(&code)?;
            for ring in rings.all_mut() {
                ring.retain(|c| key(*c) != k);
                geom::dedup_ring(ring);
                if ring.len() < 3 {
                    return Err(Error::Edit {
                        op: EditOp::DeleteVertex,
                        reason: Message::new(C::TooFewVertices)
                            .text("grid", code)
                            .en(format!("grid {code} would keep fewer than three vertices")),
                    });
                }
            }
            self.grids.insert(code, rings);
            changed.push(code);
        }
        Ok(changed)
    }

    /// The grid changes and community changes made so far (unchanged copies dropped).
    pub fn finish(self, cs: &mut ChangeSet) {
        for (code, rings) in self.grids {
            let Some(g) = self.idx.grid(&code) else {
                continue;
            };
            if oriented(&g.polygon) != rings {
                cs.modify.push(GridChange {
                    code,
                    before: g.polygon.clone(),
                    after: rings.polygon(),
                });
            }
        }
        for (code, polys) in self.streets {
            let Some(st) = self.idx.street(&code) else {
                continue;
            };
            if oriented_multi(&st.boundary) != polys {
                cs.streets.push(StreetChange {
                    code,
                    before: st.boundary.clone(),
                    after: MultiPolygon(polys.iter().map(Rings::polygon).collect()),
                });
            }
        }
        for (code, polys) in self.communities {
            let Some(c) = self.idx.community(&code) else {
                continue;
            };
            if oriented_multi(&c.boundary) != polys {
                cs.communities.push(CommunityChange {
                    code,
                    before: c.boundary.clone(),
                    after: MultiPolygon(polys.iter().map(Rings::polygon).collect()),
                });
            }
        }
    }
}

/// Inserts `p` between `a` and `b` wherever that segment occurs in the rings.
fn insert_into(r: &mut Rings, a: Key, b: Key, p: Coord<f64>) -> bool {
    let mut hit = false;
    for ring in r.all_mut() {
        while let Some((i, _)) = geom::find_segment(ring, a, b) {
            ring.insert(i + 1, p);
            hit = true;
        }
    }
    hit
}

/// Points of a request as coordinates, refusing non-finite values.
pub fn coords(what: &str, pts: &[[f64; 2]]) -> Result<Vec<Coord<f64>>> {
    pts.iter()
        .map(|p| {
            if p[0].is_finite() && p[1].is_finite() {
                Ok(Coord { x: p[0], y: p[1] })
            } else {
                Err(Error::Invalid(
                    Message::new(C::CoordinateNotNumber)
                        .en(format!("{what}: coordinate {p:?} is not a number")),
                ))
            }
        })
        .collect()
}

/// The latitude of a polygon's box centre.
pub fn lat_of(p: &Polygon<f64>) -> f64 {
    p.bounding_rect()
        .map(|r| (r.min().y + r.max().y) / 2.0)
        .unwrap_or(0.0)
}
