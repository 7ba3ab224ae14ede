//! Auto-proposal: a partition of a community into unit grids near a target area, following
//! road lines where given and balancing workload (SPEC §1.2 principles 3, 6 and 7).
//!
//! Method (in a local metric projection of the community):
//! 1. A constrained Delaunay triangulation of the community outline and the road lines (spade),
//!    refined into small triangles (about 1/40 of the target area). Outline vertices keep their
//!    exact coordinates; where a road crosses the outline a new outline vertex is made, and it is
//!    inserted topologically into the outline and the neighbouring community's grids.
//! 2. Each triangle carries a cost: its share of the community's area and of its workload
//!    (components plus cases of the last 12 months, SPEC §1.2 principle 6), mixed by
//!    `workload_weight` (area keeps at least 10 %). Dense areas therefore get smaller grids.
//! 3. Roads cut the triangles into blocks; a block too small for a grid of its own joins the
//!    neighbouring block it shares the longest road with. Each block gets grids in proportion to
//!    its cost. Its triangles are first grouped by the balanced region growing that forms the
//!    sample's communities (`sample::regions::cluster`), then regrouped as a capacity-constrained
//!    power diagram (weighted Voronoi; convex cells, so straight boundaries, with weights that
//!    equalise cost), every grid kept one connected piece, and the remaining cost differences
//!    evened out by moving border triangles.
//! 4. Each grid's triangles are unioned by edge cancellation (exact, shared edges identical),
//!    and the boundary between two grids is straightened — to a straight segment between its
//!    junctions where both grids allow it, else simplified (Douglas–Peucker) — keeping a
//!    straightening only if both grids stay valid and counter-clockwise, which, with the chain
//!    unchanged, guarantees the tiling stays exact. Outline vertices and road vertices stay.
//!
//! (The sample generator's `tiling` builds an unbounded lattice Voronoi without clipping, which
//! cannot partition a given outline; its balanced clustering is what is reused here.)
//!
//! The result is a dry-run change-set: the community's current grids retired, the proposed ones
//! created with new codes (each takes attributes and duty grid from the retired grid it overlaps
//! most) — plus figures to compare the balance with the current grids.

use super::change::{ChangeSet, GridShape, NewGrid, Workspace};
use super::codes;
use super::geom::{self, assemble, key, trace_rings, Chain, Rings, Seg};
use super::guard::{self, GuardReport};
use super::PlanSettings;
use crate::code::{CommunityCode, GridCode};
use crate::error::{Error, Result};
use crate::geodesy::LocalProjection;
use crate::index::SpatialIndex;
use crate::message::{EditOp, Message, MessageCode as C, Reason};
use chrono::NaiveDate;
use geo::coordinate_position::CoordPos;
use geo::{Area, BooleanOps, BoundingRect, CoordinatePosition, Intersects, Relate};
use geo_types::{Coord, MultiPolygon, Point, Polygon};
use serde::{Deserialize, Serialize};
use spade::{ConstrainedDelaunayTriangulation, Point2, RefinementParameters, Triangulation};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The largest share workload takes in a grid's cost; the rest is area.
pub const MAX_WORKLOAD_WEIGHT: f64 = 0.9;

/// How to propose.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(optional_fields = nullable))]
pub struct ProposalOptions {
    /// Area to aim for, m²; the settings' target (10 000 m²) by default.
    #[serde(default)]
    pub target_area_m2: Option<f64>,
    /// Road lines (`[lon, lat]` polylines) that grid boundaries should follow.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub roads: Vec<Vec<[f64; 2]>>,
    /// 0 = equal areas … 1 = equal workload (taken as at most 0.9, see
    /// [`MAX_WORKLOAD_WEIGHT`]); 0.5 by default, and 0 when there is no workload.
    #[serde(default)]
    pub workload_weight: Option<f64>,
    /// Cases reported in the 12 months up to this date count as workload; today by default.
    #[serde(default)]
    pub as_of: Option<NaiveDate>,
    /// An installed vector basemap whose roads are the preferred cuts when `roads` is empty
    /// (the engine reads them; docs/basemap.md, §Planning).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub basemap: Option<String>,
}

/// Figures of one proposed grid.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProposedGrid {
    pub code: GridCode,
    pub area_m2: f64,
    pub components: usize,
    pub cases: usize,
    /// Components + cases of the last 12 months.
    pub workload: usize,
}

/// Balance figures of a set of grids.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Balance {
    pub grids: usize,
    pub mean_area_m2: f64,
    /// Coefficient of variation of the area (standard deviation / mean).
    pub area_cv: f64,
    pub mean_workload: f64,
    /// Coefficient of variation of the workload: the balance figure (lower is better).
    pub workload_cv: f64,
    /// Largest workload over the mean.
    pub max_workload_ratio: f64,
}

/// A proposed partition, to preview and then accept with
/// [`crate::Engine::plan_apply_change`].
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Proposal {
    pub change: ChangeSet,
    pub grids: Vec<ProposedGrid>,
    pub proposed: Balance,
    pub current: Balance,
    pub report: GuardReport,
}

fn refuse(reason: Reason) -> Error {
    Error::Edit {
        op: EditOp::Propose,
        reason,
    }
}

fn balance(areas: &[f64], loads: &[usize]) -> Balance {
    let n = areas.len().max(1) as f64;
    let stats = |v: &[f64]| {
        // A fold from +0: the std sum of no values is -0, printed as "-0 m²".
        let m = v.iter().fold(0.0, |a, b| a + b) / n;
        let sd = (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n).sqrt();
        (m, if m > 0.0 { sd / m } else { 0.0 })
    };
    let (ma, ca) = stats(areas);
    let l: Vec<f64> = loads.iter().map(|&x| x as f64).collect();
    let (ml, cl) = stats(&l);
    let mx = l.iter().copied().fold(0.0, f64::max);
    Balance {
        grids: areas.len(),
        mean_area_m2: ma,
        area_cv: ca,
        mean_workload: ml,
        workload_cv: cl,
        max_workload_ratio: if ml > 0.0 { mx / ml } else { 0.0 },
    }
}

/// Workload points of a community: components and recent cases inside it.
fn workload_points(
    idx: &SpatialIndex,
    outline: &MultiPolygon<f64>,
    as_of: NaiveDate,
) -> (Vec<Point<f64>>, Vec<Point<f64>>) {
    let from = as_of - chrono::Months::new(12);
    let mut comps = Vec::new();
    let mut cases = Vec::new();
    for p in &outline.0 {
        for i in idx.components_in_polygon(p) {
            comps.push(idx.components[i].location);
        }
        for i in idx.cases_in_polygon(p) {
            let c = &idx.cases[i];
            let d = c.reported_at.date();
            if d > from && d <= as_of {
                cases.push(c.location);
            }
        }
    }
    (comps, cases)
}

/// Proposes a partition of `community`; see the module docs.
pub fn propose(
    idx: &SpatialIndex,
    community: CommunityCode,
    opts: &ProposalOptions,
    s: &PlanSettings,
) -> Result<Proposal> {
    let comm = idx.community(&community).ok_or_else(|| Error::NotFound {
        what: "community",
        key: community.to_string(),
    })?;
    let target = opts.target_area_m2.unwrap_or(s.target_area_m2);
    if !(target.is_finite() && target > 0.0) {
        return Err(refuse(
            Message::new(C::TargetAreaNotPositive)
                .num("area", target)
                .en(format!("target area {target} m² is not a positive number")),
        ));
    }
    let bbox = comm.boundary.bounding_rect().ok_or_else(|| {
        refuse(Message::new(C::CommunityNoOutline).en("the community has no outline"))
    })?;
    let proj = LocalProjection::new(
        (bbox.min().x + bbox.max().x) / 2.0,
        (bbox.min().y + bbox.max().y) / 2.0,
    );
    let fwd = |c: Coord<f64>| {
        let (x, y) = proj.forward(c.x, c.y);
        Point2::new(x, y)
    };
    let outline_rings = geom::oriented_multi(&comm.boundary);
    let outline_m: MultiPolygon<f64> = MultiPolygon(
        outline_rings
            .iter()
            .map(|r| {
                let m = |ring: &Vec<Coord<f64>>| {
                    ring.iter()
                        .map(|&c| {
                            let p = fwd(c);
                            Coord { x: p.x, y: p.y }
                        })
                        .collect::<Vec<_>>()
                };
                Rings {
                    exterior: m(&r.exterior),
                    holes: r.holes.iter().map(m).collect(),
                }
                .polygon()
            })
            .collect(),
    );
    let area_total: f64 = outline_m.unsigned_area();
    let k_total = ((area_total / target).round() as usize).max(1);

    // 1. Triangulation.
    let mut cdt: ConstrainedDelaunayTriangulation<Point2<f64>> =
        ConstrainedDelaunayTriangulation::new();
    let mut original: HashMap<usize, Coord<f64>> = HashMap::new();
    let mut insert = |cdt: &mut ConstrainedDelaunayTriangulation<Point2<f64>>,
                      c: Coord<f64>,
                      keep: bool|
     -> Result<spade::handles::FixedVertexHandle> {
        let h = cdt.insert(fwd(c)).map_err(|e| {
            refuse(
                Message::new(C::BadCoordinate)
                    .num("lon", c.x)
                    .num("lat", c.y)
                    .en(format!("bad coordinate {:?}: {e:?}", [c.x, c.y])),
            )
        })?;
        if keep {
            original.entry(h.index()).or_insert(c);
        }
        Ok(h)
    };
    // Outline edges longer than three grid sides get points every half side: the refinement
    // keeps constraint edges whole, so an outline of a few long edges (an office's rectangles)
    // would otherwise leave too few triangles to make grids of. The points are the same from
    // either side of a shared edge ([`geom::edge_points`]); like road crossings they are then
    // inserted into the outline and every ring sharing the edge. Shorter edges are left alone:
    // a neighbour may have split such an edge at a vertex of its own, where points would not
    // match.
    let half_side = target.sqrt() / 2.0;
    for r in &outline_rings {
        for ring in r.all() {
            let mut dense: Vec<Coord<f64>> = Vec::with_capacity(ring.len());
            for (i, &a) in ring.iter().enumerate() {
                dense.push(a);
                let b = ring[(i + 1) % ring.len()];
                if geom::Metric::at(a.y.min(b.y)).dist(a, b) > 6.0 * half_side {
                    dense.extend(geom::edge_points(a, b, half_side));
                }
            }
            let hs: Vec<_> = dense
                .iter()
                .map(|&c| insert(&mut cdt, c, true))
                .collect::<Result<_>>()?;
            for i in 0..hs.len() {
                let (a, b) = (hs[i], hs[(i + 1) % hs.len()]);
                if a != b {
                    cdt.add_constraint_and_split(a, b, |p| p);
                }
            }
        }
    }
    let roads: Vec<Vec<Coord<f64>>> = opts
        .roads
        .iter()
        .map(|l| super::change::coords("road line", l))
        .collect::<Result<_>>()?;
    for l in &roads {
        let near = l.iter().any(|c| {
            c.x >= bbox.min().x - 0.01
                && c.x <= bbox.max().x + 0.01
                && c.y >= bbox.min().y - 0.01
                && c.y <= bbox.max().y + 0.01
        });
        if !near {
            continue;
        }
        let hs: Vec<_> = l
            .iter()
            .map(|&c| insert(&mut cdt, c, true))
            .collect::<Result<_>>()?;
        for w in hs.windows(2) {
            if w[0] != w[1] {
                cdt.add_constraint_and_split(w[0], w[1], |p| p);
            }
        }
    }
    let atom = target / 40.0;
    cdt.refine(
        RefinementParameters::<f64>::new()
            .keep_constraint_edges()
            .exclude_outer_faces(true)
            .with_max_allowed_area(atom)
            .with_max_additional_vertices(200_000),
    );

    // Inside triangles.
    let mut tri_id: HashMap<usize, usize> = HashMap::new();
    let mut tris: Vec<[usize; 3]> = Vec::new();
    let mut centre: Vec<[f64; 2]> = Vec::new();
    let mut t_area: Vec<f64> = Vec::new();
    for f in cdt.inner_faces() {
        let ps = f.positions();
        let cx = (ps[0].x + ps[1].x + ps[2].x) / 3.0;
        let cy = (ps[0].y + ps[1].y + ps[2].y) / 3.0;
        if outline_m.coordinate_position(&Coord { x: cx, y: cy }) != CoordPos::Inside {
            continue;
        }
        tri_id.insert(f.fix().index(), tris.len());
        tris.push(f.vertices().map(|v| v.fix().index()));
        centre.push([cx, cy]);
        t_area.push(f.area());
    }
    if tris.is_empty() {
        return Err(refuse(
            Message::new(C::OutlineNoArea).en("the community outline encloses no area"),
        ));
    }
    // Adjacency, with road edges marked.
    let mut adj_free: Vec<Vec<u32>> = vec![Vec::new(); tris.len()];
    let mut adj_road: Vec<Vec<(u32, f64)>> = vec![Vec::new(); tris.len()];
    for f in cdt.inner_faces() {
        let Some(&i) = tri_id.get(&f.fix().index()) else {
            continue;
        };
        for e in f.adjacent_edges() {
            let Some(of) = e.rev().face().as_inner() else {
                continue;
            };
            let Some(&j) = tri_id.get(&of.fix().index()) else {
                continue;
            };
            if e.as_undirected().is_constraint_edge() {
                adj_road[i].push((j as u32, e.length_2().sqrt()));
            } else {
                adj_free[i].push(j as u32);
            }
        }
    }
    // 2. Costs.
    let as_of = opts
        .as_of
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let (comp_pts, case_pts) = workload_points(idx, &comm.boundary, as_of);
    let mut t_load = vec![0.0f64; tris.len()];
    for p in comp_pts.iter().chain(&case_pts) {
        let q = fwd(p.0);
        let face = match cdt.locate(q) {
            spade::PositionInTriangulation::OnFace(f) => Some(f),
            spade::PositionInTriangulation::OnEdge(e) => {
                cdt.directed_edge(e).face().as_inner().map(|f| f.fix())
            }
            spade::PositionInTriangulation::OnVertex(v) => cdt
                .vertex(v)
                .out_edges()
                .find_map(|e| e.face().as_inner().map(|f| f.fix())),
            _ => None,
        };
        if let Some(&i) = face.and_then(|f| tri_id.get(&f.index())) {
            t_load[i] += 1.0;
        }
    }
    let load_total: f64 = t_load.iter().sum();
    // Area keeps at least a tenth of the weight: with none, grids over quiet ground would cost
    // nothing and could grow without bound.
    let alpha = if load_total > 0.0 {
        opts.workload_weight
            .unwrap_or(0.5)
            .clamp(0.0, MAX_WORKLOAD_WEIGHT)
    } else {
        0.0
    };
    let t_area_sum: f64 = t_area.iter().sum();
    let cost: Vec<f64> = (0..tris.len())
        .map(|i| {
            (1.0 - alpha) * t_area[i] / t_area_sum
                + if load_total > 0.0 {
                    alpha * t_load[i] / load_total
                } else {
                    0.0
                }
        })
        .collect();

    // 3. Blocks between roads; small ones join a neighbour.
    let mut dsu: Vec<usize> = (0..tris.len()).collect();
    fn find(d: &mut [usize], mut x: usize) -> usize {
        while d[x] != x {
            d[x] = d[d[x]];
            x = d[x];
        }
        x
    }
    for (i, nbs) in adj_free.iter().enumerate() {
        for &j in nbs {
            let (a, b) = (find(&mut dsu, i), find(&mut dsu, j as usize));
            if a != b {
                dsu[a.max(b)] = a.min(b);
            }
        }
    }
    let mut joined: BTreeSet<(usize, usize)> = BTreeSet::new();
    loop {
        let mut block_cost: BTreeMap<usize, f64> = BTreeMap::new();
        for (i, c) in cost.iter().enumerate() {
            *block_cost.entry(find(&mut dsu, i)).or_default() += c;
        }
        let small = block_cost
            .iter()
            .filter(|(_, &c)| c * (k_total as f64) < 0.5)
            .min_by(|a, b| a.1.total_cmp(b.1))
            .map(|(&b, _)| b);
        let Some(b) = small else { break };
        let mut shared: BTreeMap<usize, f64> = BTreeMap::new();
        for (i, road) in adj_road.iter().enumerate() {
            if find(&mut dsu, i) != b {
                continue;
            }
            for &(j, len) in road {
                let other = find(&mut dsu, j as usize);
                if other != b {
                    *shared.entry(other).or_default() += len;
                }
            }
        }
        let Some((&to, _)) = shared.iter().max_by(|a, b| a.1.total_cmp(b.1)) else {
            break; // an isolated part (a separate piece of the community): keep it whole
        };
        dsu[b.max(to)] = b.min(to);
        joined.insert((b, to));
    }
    let mut block_of: Vec<usize> = (0..tris.len()).map(|i| find(&mut dsu, i)).collect();
    let blocks: BTreeSet<usize> = block_of.iter().copied().collect();
    let mut label = vec![0usize; tris.len()];
    let mut next_label = 0usize;
    for &b in &blocks {
        let members: Vec<usize> = (0..tris.len()).filter(|&i| block_of[i] == b).collect();
        let local: HashMap<usize, u32> = members
            .iter()
            .enumerate()
            .map(|(q, &i)| (i, q as u32))
            .collect();
        let bc: f64 = members.iter().map(|&i| cost[i]).sum();
        let kb = ((bc * k_total as f64).round() as usize).clamp(1, members.len());
        let sub_adj: Vec<Vec<u32>> = members
            .iter()
            .map(|&i| {
                adj_free[i]
                    .iter()
                    .copied()
                    .chain(adj_road[i].iter().map(|x| x.0))
                    .filter_map(|j| local.get(&(j as usize)).copied())
                    .collect()
            })
            .collect();
        let pos: Vec<[f64; 2]> = members.iter().map(|&i| centre[i]).collect();
        let w: Vec<f64> = members.iter().map(|&i| cost[i]).collect();
        let area_w: Vec<f64> = members.iter().map(|&i| t_area[i]).collect();
        let start = super::regions::cluster(&sub_adj, &pos, &w, kb);
        let mut lab = power_partition(&sub_adj, &pos, &w, &area_w, kb, start, target);
        smooth_balance(&sub_adj, &w, &mut lab, kb);
        for (q, &i) in members.iter().enumerate() {
            label[i] = next_label + lab[q] as usize;
        }
        next_label += kb;
    }
    block_of.clear();

    // 4. Cells by edge cancellation, in vertex ids.
    let n_cells = next_label;
    let mut cell_tris: Vec<Vec<usize>> = vec![Vec::new(); n_cells];
    for (i, &l) in label.iter().enumerate() {
        cell_tris[l].push(i);
    }
    cell_tris.retain(|v| !v.is_empty());
    let vert_ll = |h: usize| -> Coord<f64> {
        original.get(&h).copied().unwrap_or_else(|| {
            let p = cdt
                .vertex(spade::handles::FixedVertexHandle::from_index(h))
                .position();
            let (x, y) = proj.inverse(p.x, p.y);
            Coord { x, y }
        })
    };
    let ll: Vec<Coord<f64>> = (0..cdt.num_vertices()).map(vert_ll).collect();
    let mut cells: Vec<Vec<Vec<usize>>> = Vec::new();
    for ts in &cell_tris {
        let mut edges: Vec<(usize, usize)> = Vec::new();
        for &t in ts {
            let v = tris[t];
            for k in 0..3 {
                edges.push((v[k], v[(k + 1) % 3]));
            }
        }
        edges.sort_unstable();
        let segs: Vec<Seg> = edges
            .iter()
            .filter(|&&(a, b)| edges.binary_search(&(b, a)).is_err())
            .map(|&(a, b)| Seg { a: ll[a], b: ll[b] })
            .collect();
        let rings = trace_rings(&segs).ok_or_else(|| {
            refuse(Message::new(C::ProposalNotClosed).en("a proposed grid does not close"))
        })?;
        // Back to ids (coordinates are unique per vertex id).
        let id_of: HashMap<geom::Key, usize> = ts
            .iter()
            .flat_map(|&t| tris[t])
            .map(|h| (key(ll[h]), h))
            .collect();
        let polys = assemble(rings);
        for p in polys {
            cells.push(
                p.all()
                    .map(|r| {
                        r.iter()
                            .filter_map(|c| id_of.get(&key(*c)).copied())
                            .collect()
                    })
                    .collect(),
            );
        }
    }
    // Outline and road vertices stay where they are.
    let mut fixed: BTreeSet<usize> = original.keys().copied().collect();
    for e in cdt.undirected_edges() {
        if e.is_constraint_edge() {
            fixed.extend(e.vertices().map(|v| v.fix().index()));
        }
    }
    straighten(&mut cells, &ll, fixed, target);

    // Change-set.
    let polys: Vec<Polygon<f64>> = cells
        .iter()
        .map(|rings| {
            Rings {
                exterior: rings[0].iter().map(|&h| ll[h]).collect(),
                holes: rings[1..]
                    .iter()
                    .map(|r| r.iter().map(|&h| ll[h]).collect())
                    .collect(),
            }
            .polygon()
        })
        .collect();
    let current: Vec<&crate::model::Grid> = codes::community_grids(idx, community)
        .filter(|g| g.is_active())
        .collect();
    let mut cs = ChangeSet::new("proposal", community);
    let mut ws = Workspace::new(idx, proj.inverse(0.0, 0.0).1, s.tolerance_m);
    for g in &current {
        cs.retire.push(GridShape {
            code: g.code,
            polygon: g.polygon.clone(),
        });
        ws.retire(g.code);
    }
    // New outline vertices (road crossings) go into the outline and the neighbours' rings.
    insert_outline_vertices(&mut ws, &outline_rings, &cells, &ll);
    let refs: Vec<&Polygon<f64>> = polys.iter().collect();
    let new_codes = codes::allocate(idx, community, &refs, &BTreeSet::new())?;
    let metric = geom::Metric::at(proj.inverse(0.0, 0.0).1);
    for (code, polygon) in new_codes.iter().zip(&polys) {
        let mut over: Vec<(f64, &crate::model::Grid)> = current
            .iter()
            .filter(|g| boxes_meet(&g.polygon, polygon))
            .filter(|g| {
                let m = g.polygon.relate(polygon);
                m.is_intersects() && !m.is_touches()
            })
            .map(|g| {
                (
                    metric.area_m2(g.polygon.intersection(polygon).unsigned_area()),
                    *g,
                )
            })
            .collect();
        over.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.code.cmp(&b.1.code)));
        let source = over.first().map(|x| x.1);
        cs.create.push(NewGrid {
            code: *code,
            name: codes::default_name(idx, *code),
            area_m2: crate::geodesy::area_m2(polygon),
            polygon: polygon.clone(),
            land_use: source.and_then(|g| g.land_use.clone()),
            level: source.and_then(|g| g.level.clone()),
            predecessors: over.iter().map(|x| x.1.code).collect(),
        });
    }
    cs.create.sort_by_key(|g| g.code);
    ws.finish(&mut cs);

    // Figures.
    let count_in = |p: &Polygon<f64>, pts: &[Point<f64>]| {
        let r = p.bounding_rect();
        pts.iter()
            .filter(|q| r.is_some_and(|r| r.intersects(*q)))
            .filter(|q| p.coordinate_position(&q.0) == CoordPos::Inside)
            .count()
    };
    let grids: Vec<ProposedGrid> = cs
        .create
        .iter()
        .map(|g| {
            let components = count_in(&g.polygon, &comp_pts);
            let cases = count_in(&g.polygon, &case_pts);
            ProposedGrid {
                code: g.code,
                area_m2: g.area_m2,
                components,
                cases,
                workload: components + cases,
            }
        })
        .collect();
    let proposed = balance(
        &grids.iter().map(|g| g.area_m2).collect::<Vec<_>>(),
        &grids.iter().map(|g| g.workload).collect::<Vec<_>>(),
    );
    let cur_loads: Vec<usize> = current
        .iter()
        .map(|g| count_in(&g.polygon, &comp_pts) + count_in(&g.polygon, &case_pts))
        .collect();
    let current_b = balance(
        &current.iter().map(|g| g.area_m2).collect::<Vec<_>>(),
        &cur_loads,
    );
    let report = guard::check(idx, &cs, s);
    Ok(Proposal {
        change: cs,
        grids,
        proposed,
        current: current_b,
        report,
    })
}

fn boxes_meet(a: &Polygon<f64>, b: &Polygon<f64>) -> bool {
    match (a.bounding_rect(), b.bounding_rect()) {
        (Some(x), Some(y)) => x.intersects(&y),
        _ => false,
    }
}

/// Vertices of the proposed cells on the outline that the outline does not have yet (where a
/// road crosses it) are inserted, in order along each outline edge, into every ring sharing it.
fn insert_outline_vertices(
    ws: &mut Workspace<'_>,
    outline: &[Rings],
    cells: &[Vec<Vec<usize>>],
    ll: &[Coord<f64>],
) {
    // The cells' union boundary = the new outline, in vertex ids.
    let mut ch = Chain::default();
    for c in cells {
        for r in c {
            ch.add_ring(&r.iter().map(|&h| ll[h]).collect::<Vec<_>>(), 1);
        }
    }
    let boundary = ch.residual();
    let orig_keys: BTreeSet<geom::Key> = outline
        .iter()
        .flat_map(|r| r.all().flatten().map(|c| key(*c)).collect::<Vec<_>>())
        .collect();
    let Some(rings) = trace_rings(&boundary) else {
        return;
    };
    for ring in rings {
        let n = ring.len();
        let Some(start) = (0..n).find(|&i| orig_keys.contains(&key(ring[i]))) else {
            continue;
        };
        let mut prev = ring[start];
        let mut pending: Vec<Coord<f64>> = Vec::new();
        for s in 1..=n {
            let c = ring[(start + s) % n];
            if orig_keys.contains(&key(c)) {
                // Insert the pending new vertices between prev and c, one after the other.
                let mut a = prev;
                for &p in &pending {
                    ws.insert_on_segment(a, c, p);
                    a = p;
                }
                pending.clear();
                prev = c;
            } else {
                pending.push(c);
            }
        }
    }
}

/// Straightens the boundary between two proposed grids: every maximal chain of vertices that
/// only those two grids share (not on the outline or a road crossing, not a junction) is
/// simplified, and the simplification kept only if both grids stay valid and counter-clockwise.
fn straighten(
    cells: &mut [Vec<Vec<usize>>],
    ll: &[Coord<f64>],
    mut fixed: BTreeSet<usize>,
    target: f64,
) {
    // How many cells use each vertex, and the outline vertices.
    let mut users: HashMap<usize, BTreeSet<usize>> = HashMap::new();
    for (c, rings) in cells.iter().enumerate() {
        for r in rings {
            for &h in r {
                users.entry(h).or_default().insert(c);
            }
        }
    }
    // The outline: edges used by one cell only.
    let mut count: HashMap<(usize, usize), usize> = HashMap::new();
    for rings in cells.iter() {
        for r in rings {
            for k in 0..r.len() {
                let (a, b) = (r[k], r[(k + 1) % r.len()]);
                *count.entry((a.min(b), a.max(b))).or_default() += 1;
            }
        }
    }
    for (&(a, b), &n) in &count {
        if n == 1 {
            fixed.insert(a);
            fixed.insert(b);
        }
    }
    for (&h, u) in &users {
        if u.len() != 2 {
            fixed.insert(h);
        }
    }
    let proj = |h: usize| ll[h];
    let tol2 = {
        // Tolerance ≈ 30 % of a grid's side (about a triangle's size), in degrees (latitude
        // degrees ~ 111 km).
        let side_m = target.sqrt() * 0.3;
        let d = side_m / 111_000.0;
        d * d
    };
    // Chains: walk each cell's rings between fixed vertices.
    let mut done: BTreeSet<(usize, usize, usize)> = BTreeSet::new();
    for c in 0..cells.len() {
        for ri in 0..cells[c].len() {
            let ring = cells[c][ri].clone();
            let n = ring.len();
            let Some(s0) = (0..n).find(|&i| fixed.contains(&ring[i])) else {
                continue;
            };
            let mut i = 0;
            while i < n {
                let a = (s0 + i) % n;
                let mut j = 1;
                while j < n && !fixed.contains(&ring[(a + j) % n]) {
                    j += 1;
                }
                let chain: Vec<usize> = (0..=j).map(|q| ring[(a + q) % n]).collect();
                i += j;
                if chain.len() < 3 {
                    continue;
                }
                let (first, last) = (chain[0], chain[chain.len() - 1]);
                let other = users
                    .get(&chain[1])
                    .and_then(|u| u.iter().copied().find(|&x| x != c));
                let Some(other) = other else { continue };
                let id = (
                    first.min(last),
                    first.max(last),
                    c.min(other) * 1_000_000 + c.max(other),
                );
                if !done.insert(id) {
                    continue;
                }
                // A straight boundary if the two grids allow it, else a simplified one.
                let straight: BTreeSet<usize> = [first, last].into_iter().collect();
                let simplified = douglas_peucker(&chain, &proj, tol2);
                for keep in [straight, simplified] {
                    if keep.len() == chain.len() {
                        continue;
                    }
                    let drop: BTreeSet<usize> = chain
                        .iter()
                        .filter(|h| !keep.contains(h))
                        .copied()
                        .collect();
                    let try_cell = |rings: &[Vec<usize>]| -> Vec<Vec<usize>> {
                        rings
                            .iter()
                            .map(|r| r.iter().filter(|h| !drop.contains(h)).copied().collect())
                            .collect()
                    };
                    let (nc, no) = (try_cell(&cells[c]), try_cell(&cells[other]));
                    let ok = |rings: &[Vec<usize>]| {
                        let r = Rings {
                            exterior: rings[0].iter().map(|&h| ll[h]).collect(),
                            holes: rings[1..]
                                .iter()
                                .map(|r| r.iter().map(|&h| ll[h]).collect())
                                .collect(),
                        };
                        r.exterior.len() >= 3
                            && geom::signed_area2(&r.exterior) > 0.0
                            && guard::invalid_reason(&r.polygon()).is_none()
                    };
                    if ok(&nc) && ok(&no) {
                        cells[c] = nc;
                        cells[other] = no;
                        break;
                    }
                }
            }
        }
    }
}

/// Groups the triangles of one block into `k` grids of near-equal cost with straight
/// boundaries: a capacity-constrained power diagram of the triangle centres. Starting from the
/// balanced region growing's clusters, each round assigns every triangle to the seed of least
/// power distance `|x − s|² − w`, moves each seed to its cell's weighted centre (compact cells)
/// and raises the weight of light cells and lowers that of heavy ones (equal cost). Power cells
/// are convex, so boundaries are straight up to the triangles' edges (seeds move to their
/// cells' geometric centres, which keeps them compact); pieces cut off by a
/// non-convex block outline join the neighbouring grid they share most edges with.
fn power_partition(
    adj: &[Vec<u32>],
    pos: &[[f64; 2]],
    cost: &[f64],
    area: &[f64],
    k: usize,
    start: Vec<u32>,
    target_m2: f64,
) -> Vec<u32> {
    let n = pos.len();
    if k <= 1 || n <= k {
        return start;
    }
    let total: f64 = cost.iter().sum();
    let want = total / k as f64;
    let mut label = start;
    let mut seeds = vec![[0.0f64; 2]; k];
    let mut weight = vec![0.0f64; k];
    let centres = |label: &[u32], seeds: &mut [[f64; 2]]| {
        let mut acc = vec![[0.0f64; 3]; k];
        for i in 0..n {
            let a = &mut acc[label[i] as usize];
            let w = area[i].max(1e-12);
            a[0] += pos[i][0] * w;
            a[1] += pos[i][1] * w;
            a[2] += w;
        }
        for (s, a) in seeds.iter_mut().zip(&acc) {
            if a[2] > 0.0 {
                *s = [a[0] / a[2], a[1] / a[2]];
            }
        }
    };
    centres(&label, &mut seeds);
    for round in 0..60 {
        let step = if round < 40 { 0.6 } else { 0.3 };
        for i in 0..n {
            let mut best = (f64::INFINITY, 0u32);
            for (j, s) in seeds.iter().enumerate() {
                let d = (pos[i][0] - s[0]).powi(2) + (pos[i][1] - s[1]).powi(2) - weight[j];
                if d < best.0 {
                    best = (d, j as u32);
                }
            }
            label[i] = best.1;
        }
        let mut load = vec![0.0f64; k];
        let mut count = vec![0usize; k];
        for i in 0..n {
            load[label[i] as usize] += cost[i];
            count[label[i] as usize] += 1;
        }
        if round == 59 {
            break;
        }
        for j in 0..k {
            // A grid of one (hotspot) triangle cannot get lighter: leave its weight.
            if load[j] > want && count[j] <= 1 {
                continue;
            }
            weight[j] += step * (want - load[j]) / want * target_m2;
        }
        centres(&label, &mut seeds);
        // A grid left without triangles restarts inside the heaviest one, at its triangle
        // farthest from that grid's seed.
        for j in 0..k {
            if count[j] > 0 {
                continue;
            }
            let heavy = (0..k)
                .max_by(|&a, &b| load[a].total_cmp(&load[b]))
                .unwrap_or(0);
            let far = (0..n)
                .filter(|&i| label[i] as usize == heavy)
                .max_by(|&a, &b| {
                    let d = |i: usize| {
                        (pos[i][0] - seeds[heavy][0]).powi(2)
                            + (pos[i][1] - seeds[heavy][1]).powi(2)
                    };
                    d(a).total_cmp(&d(b))
                });
            if let Some(i) = far {
                seeds[j] = pos[i];
                weight[j] = weight[heavy];
                load[j] = load[heavy] / 2.0;
                load[heavy] /= 2.0;
            }
        }
    }
    fill_empty(pos, cost, k, &mut label);
    make_contiguous(adj, cost, &mut label);
    label
}

/// Gives every empty grid a place: the costliest grid is split in two (two-means on its
/// triangle centres), until none is empty. (A single triangle can carry more workload than a
/// whole grid's share, and the power diagram then leaves a grid without triangles.)
fn fill_empty(pos: &[[f64; 2]], cost: &[f64], k: usize, label: &mut [u32]) {
    let n = label.len();
    loop {
        let mut load = vec![0.0f64; k];
        let mut count = vec![0usize; k];
        for i in 0..n {
            load[label[i] as usize] += cost[i];
            count[label[i] as usize] += 1;
        }
        let Some(empty) = (0..k).find(|&j| count[j] == 0) else {
            return;
        };
        let Some(heavy) = (0..k)
            .filter(|&j| count[j] >= 2)
            .max_by(|&a, &b| load[a].total_cmp(&load[b]))
        else {
            return;
        };
        let members: Vec<usize> = (0..n).filter(|&i| label[i] as usize == heavy).collect();
        let d2 = |a: [f64; 2], b: [f64; 2]| (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2);
        let far_from = |p: [f64; 2]| {
            members
                .iter()
                .copied()
                .max_by(|&a, &b| d2(pos[a], p).total_cmp(&d2(pos[b], p)))
                .map_or(p, |i| pos[i])
        };
        let mut a = far_from(pos[members[0]]);
        let mut b = far_from(a);
        for _ in 0..8 {
            let (mut sa, mut sb) = ([0.0f64; 3], [0.0f64; 3]);
            for &i in &members {
                let s = if d2(pos[i], a) <= d2(pos[i], b) {
                    &mut sa
                } else {
                    &mut sb
                };
                s[0] += pos[i][0];
                s[1] += pos[i][1];
                s[2] += 1.0;
            }
            if sa[2] > 0.0 {
                a = [sa[0] / sa[2], sa[1] / sa[2]];
            }
            if sb[2] > 0.0 {
                b = [sb[0] / sb[2], sb[1] / sb[2]];
            }
        }
        let mut moved = 0;
        for &i in &members {
            if d2(pos[i], b) < d2(pos[i], a) {
                label[i] = empty as u32;
                moved += 1;
            }
        }
        if moved == 0 || moved == members.len() {
            label[members[members.len() - 1]] = empty as u32;
        }
    }
}

/// One connected piece per grid: smaller pieces join the neighbouring grid they touch most.
fn make_contiguous(adj: &[Vec<u32>], cost: &[f64], label: &mut [u32]) {
    let n = label.len();
    loop {
        let mut comp = vec![u32::MAX; n];
        let mut pieces: Vec<(u32, Vec<usize>)> = Vec::new();
        for i in 0..n {
            if comp[i] != u32::MAX {
                continue;
            }
            let id = pieces.len() as u32;
            let mut members = vec![i];
            comp[i] = id;
            let mut q = 0;
            while q < members.len() {
                let x = members[q];
                q += 1;
                for &y in &adj[x] {
                    let y = y as usize;
                    if comp[y] == u32::MAX && label[y] == label[i] {
                        comp[y] = id;
                        members.push(y);
                    }
                }
            }
            pieces.push((label[i], members));
        }
        let mut biggest: HashMap<u32, (f64, usize)> = HashMap::new();
        for (p, (l, m)) in pieces.iter().enumerate() {
            let c: f64 = m.iter().map(|&i| cost[i] + 1e-12).sum();
            let e = biggest.entry(*l).or_insert((c, p));
            if c > e.0 {
                *e = (c, p);
            }
        }
        let mut changed = false;
        for (p, (l, m)) in pieces.iter().enumerate() {
            if biggest.get(l).is_some_and(|b| b.1 == p) {
                continue;
            }
            let mut touch: BTreeMap<u32, usize> = BTreeMap::new();
            for &x in m {
                for &y in &adj[x] {
                    if label[y as usize] != *l {
                        *touch.entry(label[y as usize]).or_default() += 1;
                    }
                }
            }
            if let Some((&to, _)) = touch.iter().max_by_key(|x| x.1) {
                for &x in m {
                    label[x] = to;
                }
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

/// Evens out the remaining differences of cost: a triangle moves from a costlier grid to a
/// neighbouring cheaper one when that lowers the spread (cost_a > cost_b + cost_t), when at
/// least two of its three neighbours are already in the cheaper grid (so boundaries stay
/// smooth for the straightening), and when its grid stays one connected piece.
fn smooth_balance(adj: &[Vec<u32>], cost: &[f64], label: &mut [u32], k: usize) {
    let n = label.len();
    let mut total = vec![0.0f64; k];
    let mut size = vec![0usize; k];
    for i in 0..n {
        total[label[i] as usize] += cost[i];
        size[label[i] as usize] += 1;
    }
    let connected_without = |label: &[u32], t: usize, a: u32, size_a: usize| -> bool {
        let Some(&start) = adj[t].iter().find(|&&j| label[j as usize] == a) else {
            return false;
        };
        let mut seen = std::collections::HashSet::from([t, start as usize]);
        let mut stack = vec![start as usize];
        while let Some(x) = stack.pop() {
            for &y in &adj[x] {
                if label[y as usize] == a && seen.insert(y as usize) {
                    stack.push(y as usize);
                }
            }
        }
        seen.len() == size_a
    };
    for _ in 0..20 {
        let mut moved = 0;
        for t in 0..n {
            let a = label[t];
            if size[a as usize] <= 1 {
                continue;
            }
            let mut best: Option<(f64, u32)> = None;
            for &j in &adj[t] {
                let b = label[j as usize];
                if b == a {
                    continue;
                }
                let in_b = adj[t].iter().filter(|&&x| label[x as usize] == b).count();
                let gain = total[a as usize] - (total[b as usize] + cost[t]);
                if in_b >= 2 && gain > 0.0 && best.is_none_or(|x| gain > x.0) {
                    best = Some((gain, b));
                }
            }
            let Some((_, b)) = best else { continue };
            if !connected_without(label, t, a, size[a as usize]) {
                continue;
            }
            label[t] = b;
            total[a as usize] -= cost[t];
            total[b as usize] += cost[t];
            size[a as usize] -= 1;
            size[b as usize] += 1;
            moved += 1;
        }
        if moved == 0 {
            break;
        }
    }
}

/// The vertices of a chain that Douglas–Peucker keeps (ends always kept).
fn douglas_peucker(
    chain: &[usize],
    pos: &impl Fn(usize) -> Coord<f64>,
    tol2: f64,
) -> BTreeSet<usize> {
    let mut keep = BTreeSet::new();
    keep.insert(chain[0]);
    keep.insert(chain[chain.len() - 1]);
    let mut stack = vec![(0usize, chain.len() - 1)];
    while let Some((a, b)) = stack.pop() {
        if b <= a + 1 {
            continue;
        }
        let (pa, pb) = (pos(chain[a]), pos(chain[b]));
        let (dx, dy) = (pb.x - pa.x, pb.y - pa.y);
        let l2 = dx * dx + dy * dy;
        let mut best = (0.0, a);
        for (q, &h) in chain.iter().enumerate().take(b).skip(a + 1) {
            let p = pos(h);
            let d2 = if l2 == 0.0 {
                (p.x - pa.x).powi(2) + (p.y - pa.y).powi(2)
            } else {
                let cr = (p.x - pa.x) * dy - (p.y - pa.y) * dx;
                cr * cr / l2
            };
            if d2 > best.0 {
                best = (d2, q);
            }
        }
        if best.0 > tol2 {
            keep.insert(chain[best.1]);
            stack.push((a, best.1));
            stack.push((best.1, b));
        }
    }
    keep
}

#[cfg(test)]
mod balance_tests {
    #[test]
    fn the_balance_of_nothing_is_plus_zero() {
        let b = super::balance(&[], &[]);
        assert!(b.mean_area_m2 == 0.0 && b.mean_area_m2.is_sign_positive());
        assert!(b.mean_workload.is_sign_positive());
    }
}
