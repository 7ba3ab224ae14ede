//! Exact union of unit grids by edge cancellation.
//!
//! Neighbouring grids of a tiling share their edges vertex for vertex, so the union of a set of
//! grids is what is left of their edges once every edge that also occurs reversed (an edge
//! between two members) is cancelled. No coordinate is computed: every output vertex is an input
//! vertex, so the union is exact and its edges are the very edges of the grids (a zone's
//! outline lies on its grids' outlines, on the map and in files).
//!
//! A vertex of one grid lying exactly on an edge of a neighbour (a T-junction, left by drawing
//! tools that do not insert the shared vertex on both sides) is handled: edges left uncancelled
//! are split at such vertices (exact orientation test) and cancelled again.

use geo_types::{Coord, LineString, MultiPolygon, Polygon};
use griddesk_core::planar::point_in_ring;
use robust::{orient2d, Coord as RCoord};
use std::collections::{BTreeMap, HashMap};

/// Vertex id table: exact coordinates interned by their bits.
#[derive(Default)]
struct Verts {
    pos: Vec<[f64; 2]>,
    ids: HashMap<(u64, u64), u32>,
}

impl Verts {
    fn id(&mut self, c: Coord<f64>) -> u32 {
        // +0.0 and -0.0 are the same point.
        let key = ((c.x + 0.0).to_bits(), (c.y + 0.0).to_bits());
        let next = self.pos.len() as u32;
        *self.ids.entry(key).or_insert_with(|| {
            self.pos.push([c.x, c.y]);
            next
        })
    }
}

/// Twice the signed area of a ring of vertex ids (positive: counter-clockwise), in coordinates
/// relative to its first vertex for precision.
fn ring_area2(ring: &[u32], pos: &[[f64; 2]]) -> f64 {
    let Some(&first) = ring.first() else {
        return 0.0;
    };
    let o = pos[first as usize];
    let mut a = 0.0;
    for k in 0..ring.len() {
        let p = pos[ring[k] as usize];
        let q = pos[ring[(k + 1) % ring.len()] as usize];
        a += (p[0] - o[0]) * (q[1] - o[1]) - (q[0] - o[0]) * (p[1] - o[1]);
    }
    a
}

/// Directed edges of a polygon's rings: the exterior counter-clockwise, holes clockwise.
fn push_edges(p: &Polygon<f64>, verts: &mut Verts, edges: &mut Vec<(u32, u32)>) {
    let mut ring_ids = |ls: &LineString<f64>| -> Vec<u32> {
        let mut ids: Vec<u32> = ls.0.iter().map(|&c| verts.id(c)).collect();
        ids.dedup();
        if ids.len() > 1 && ids.first() == ids.last() {
            ids.pop();
        }
        ids
    };
    let mut add = |mut ids: Vec<u32>, ccw: bool, pos: &[[f64; 2]]| {
        if ids.len() < 3 {
            return;
        }
        if (ring_area2(&ids, pos) > 0.0) != ccw {
            ids.reverse();
        }
        for k in 0..ids.len() {
            edges.push((ids[k], ids[(k + 1) % ids.len()]));
        }
    };
    let ext = ring_ids(p.exterior());
    let holes: Vec<Vec<u32>> = p.interiors().iter().map(&mut ring_ids).collect();
    add(ext, true, &verts.pos);
    for h in holes {
        add(h, false, &verts.pos);
    }
}

/// Removes every edge whose reverse is present (as many times as it is), keeping the rest.
fn cancel(edges: &mut Vec<(u32, u32)>) {
    let mut count: HashMap<(u32, u32), i64> = HashMap::with_capacity(edges.len());
    for &(a, b) in edges.iter() {
        let (key, d) = if a < b { ((a, b), 1) } else { ((b, a), -1) };
        *count.entry(key).or_insert(0) += d;
    }
    edges.clear();
    let mut keys: Vec<((u32, u32), i64)> = count.into_iter().filter(|(_, n)| *n != 0).collect();
    keys.sort_unstable();
    for ((a, b), n) in keys {
        for _ in 0..n.unsigned_abs() {
            edges.push(if n > 0 { (a, b) } else { (b, a) });
        }
    }
}

/// Splits edges at vertices of other edges lying exactly on them.
fn split_t_junctions(edges: &mut Vec<(u32, u32)>, pos: &[[f64; 2]]) -> bool {
    use rstar::{primitives::GeomWithData, RTree, AABB};
    let mut ids: Vec<u32> = edges.iter().flat_map(|&(a, b)| [a, b]).collect();
    ids.sort_unstable();
    ids.dedup();
    let tree: RTree<GeomWithData<[f64; 2], u32>> = RTree::bulk_load(
        ids.iter()
            .map(|&v| GeomWithData::new(pos[v as usize], v))
            .collect(),
    );
    let rc = |p: [f64; 2]| RCoord { x: p[0], y: p[1] };
    let mut changed = false;
    let mut out = Vec::with_capacity(edges.len());
    for &(a, b) in edges.iter() {
        let (pa, pb) = (pos[a as usize], pos[b as usize]);
        let env = AABB::from_corners(
            [pa[0].min(pb[0]), pa[1].min(pb[1])],
            [pa[0].max(pb[0]), pa[1].max(pb[1])],
        );
        let d = [pb[0] - pa[0], pb[1] - pa[1]];
        let mut on: Vec<(f64, u32)> = tree
            .locate_in_envelope(&env)
            .filter(|e| e.data != a && e.data != b)
            .filter(|e| orient2d(rc(pa), rc(pb), rc(*e.geom())) == 0.0)
            .map(|e| {
                let p = e.geom();
                ((p[0] - pa[0]) * d[0] + (p[1] - pa[1]) * d[1], e.data)
            })
            .collect();
        if on.is_empty() {
            out.push((a, b));
            continue;
        }
        changed = true;
        on.sort_by(|x, y| x.0.total_cmp(&y.0));
        let mut prev = a;
        for (_, v) in on {
            out.push((prev, v));
            prev = v;
        }
        out.push((prev, b));
    }
    *edges = out;
    changed
}

/// A direction's position on the unit square's perimeter, increasing counter-clockwise: a
/// monotone stand-in for the angle.
fn pseudo_angle(d: [f64; 2]) -> f64 {
    let s = d[0].abs() + d[1].abs();
    if s == 0.0 {
        return 0.0;
    }
    let p = d[1] / s;
    if d[0] >= 0.0 {
        if p >= 0.0 {
            p
        } else {
            4.0 + p
        }
    } else {
        2.0 - p
    }
}

/// Chains boundary edges into closed rings. At a vertex where the boundary touches itself the
/// next edge is the first one clockwise from the incoming edge, so rings never cross.
fn chain(edges: &[(u32, u32)], pos: &[[f64; 2]]) -> Vec<Vec<u32>> {
    let mut out: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for &(a, b) in edges {
        out.entry(a).or_default().push(b);
    }
    let mut rings = Vec::new();
    while let Some((&start, _)) = out.iter().find(|(_, v)| !v.is_empty()) {
        let mut ring = vec![start];
        let mut prev = start;
        let mut cur = out.get_mut(&start).and_then(Vec::pop).unwrap_or(start);
        let mut guard = 0usize;
        while cur != start && guard <= edges.len() {
            guard += 1;
            ring.push(cur);
            let Some(cands) = out.get_mut(&cur).filter(|c| !c.is_empty()) else {
                break;
            };
            let (pc, pp) = (pos[cur as usize], pos[prev as usize]);
            let back = pseudo_angle([pp[0] - pc[0], pp[1] - pc[1]]);
            let mut pick = 0;
            let mut best = f64::INFINITY;
            for (q, &c) in cands.iter().enumerate() {
                let pn = pos[c as usize];
                let mut cw = back - pseudo_angle([pn[0] - pc[0], pn[1] - pc[1]]);
                if cw <= 0.0 {
                    cw += 4.0;
                }
                if cw < best {
                    best = cw;
                    pick = q;
                }
            }
            prev = cur;
            cur = cands.swap_remove(pick);
        }
        if ring.len() >= 3 && cur == start {
            rings.push(ring);
        }
    }
    rings
}

/// The union of polygons that tile without overlap (unit grids), as a multipolygon whose
/// vertices are input vertices. Polygons are parts (shells) in a deterministic order; holes
/// appear where the members surround a gap. The result of no polygons is empty.
pub fn union_of_tiles<'a>(polys: impl IntoIterator<Item = &'a Polygon<f64>>) -> MultiPolygon<f64> {
    let mut verts = Verts::default();
    let mut edges = Vec::new();
    for p in polys {
        push_edges(p, &mut verts, &mut edges);
    }
    cancel(&mut edges);
    if split_t_junctions(&mut edges, &verts.pos) {
        cancel(&mut edges);
    }
    let pos = &verts.pos;
    let mut shells: Vec<(Vec<u32>, f64)> = Vec::new();
    let mut holes: Vec<Vec<u32>> = Vec::new();
    for r in chain(&edges, pos) {
        let a = ring_area2(&r, pos);
        if a > 0.0 {
            shells.push((r, a));
        } else if a < 0.0 {
            holes.push(r);
        }
    }
    // Deterministic order: shells by their lowest (x, y) vertex.
    let low = |r: &[u32]| {
        r.iter()
            .map(|&v| pos[v as usize])
            .fold([f64::INFINITY, f64::INFINITY], |m, p| {
                if (p[0], p[1]) < (m[0], m[1]) {
                    p
                } else {
                    m
                }
            })
    };
    shells.sort_by(|a, b| {
        let (la, lb) = (low(&a.0), low(&b.0));
        la[0].total_cmp(&lb[0]).then(la[1].total_cmp(&lb[1]))
    });
    let mut hole_of: Vec<Vec<Vec<u32>>> = vec![Vec::new(); shells.len()];
    for h in holes {
        // The midpoint of a hole edge is inside the shell that holds the hole (edges are never
        // shared, only vertices may touch); the smallest such shell is the owner.
        let (a, b) = (pos[h[0] as usize], pos[h[1] as usize]);
        let probe = [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0];
        let owner = shells
            .iter()
            .enumerate()
            .filter(|(_, (s, _))| point_in_ring(probe, s, pos))
            .min_by(|x, y| x.1 .1.total_cmp(&y.1 .1))
            .map(|(i, _)| i);
        if let Some(i) = owner {
            hole_of[i].push(h);
        }
    }
    let to_ls = |r: &[u32]| {
        let mut cs: Vec<Coord<f64>> = r
            .iter()
            .map(|&v| {
                let p = pos[v as usize];
                Coord { x: p[0], y: p[1] }
            })
            .collect();
        cs.push(cs[0]);
        LineString::new(cs)
    };
    MultiPolygon::new(
        shells
            .iter()
            .zip(hole_of)
            .map(|((s, _), hs)| Polygon::new(to_ls(s), hs.iter().map(|h| to_ls(h)).collect()))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::coordinate_position::{CoordPos, CoordinatePosition};
    use geo::{Area, Validation};
    use proptest::prelude::*;

    fn sq(x: f64, y: f64, s: f64) -> Polygon<f64> {
        Polygon::new(
            LineString::from(vec![(x, y), (x + s, y), (x + s, y + s), (x, y + s), (x, y)]),
            vec![],
        )
    }

    #[test]
    fn two_neighbours_make_one_rectangle() {
        let u = union_of_tiles(&[sq(0.0, 0.0, 1.0), sq(1.0, 0.0, 1.0)]);
        assert_eq!(u.0.len(), 1);
        assert_eq!(u.unsigned_area(), 2.0);
        assert!(u.0[0].interiors().is_empty());
        assert!(u.is_valid());
    }

    #[test]
    fn a_ring_of_cells_has_a_hole_and_corners_touching_make_two_parts() {
        let cells: Vec<Polygon<f64>> = (0..3)
            .flat_map(|i| (0..3).map(move |j| (i, j)))
            .filter(|&(i, j)| (i, j) != (1, 1))
            .map(|(i, j)| sq(f64::from(i), f64::from(j), 1.0))
            .collect();
        let u = union_of_tiles(&cells);
        assert_eq!(u.0.len(), 1);
        assert_eq!(u.0[0].interiors().len(), 1);
        assert_eq!(u.unsigned_area(), 8.0);
        assert!(u.is_valid());
        let diag = union_of_tiles(&[sq(0.0, 0.0, 1.0), sq(1.0, 1.0, 1.0)]);
        assert_eq!(diag.0.len(), 2);
        assert_eq!(diag.unsigned_area(), 2.0);
    }

    #[test]
    fn t_junctions_and_clockwise_input_are_handled() {
        // A 2×2 square beside two 1×1 squares: the big square's edge has no vertex at y = 1.
        let mut big = sq(0.0, 0.0, 2.0);
        big.exterior_mut(|r| r.0.reverse());
        let u = union_of_tiles(&[big, sq(2.0, 0.0, 1.0), sq(2.0, 1.0, 1.0)]);
        assert_eq!(u.0.len(), 1, "{u:?}");
        assert_eq!(u.unsigned_area(), 6.0);
        assert!(u.0[0].interiors().is_empty());
    }

    proptest! {
        /// Any subset of a jittered lattice: the union covers exactly the members (area equal
        /// to the sum, every member's centre inside, every non-member's centre outside).
        #[test]
        fn union_covers_exactly_the_members(
            mask in proptest::collection::vec(any::<bool>(), 36),
            jitter in proptest::collection::vec(-0.3f64..0.3, 98),
        ) {
            let n = 6usize;
            let v = |i: usize, j: usize| {
                let k = (i * (n + 1) + j) * 2;
                let inner = i > 0 && i < n && j > 0 && j < n;
                let (dx, dy) = if inner { (jitter[k], jitter[k + 1]) } else { (0.0, 0.0) };
                (120.0 + (i as f64 + dx) * 1e-3, 30.0 + (j as f64 + dy) * 1e-3)
            };
            let cells: Vec<Polygon<f64>> = (0..n * n)
                .map(|c| {
                    let (i, j) = (c % n, c / n);
                    Polygon::new(
                        LineString::from(vec![v(i, j), v(i + 1, j), v(i + 1, j + 1), v(i, j + 1), v(i, j)]),
                        vec![],
                    )
                })
                .collect();
            let members: Vec<&Polygon<f64>> =
                cells.iter().zip(&mask).filter(|(_, m)| **m).map(|(c, _)| c).collect();
            let u = union_of_tiles(members.iter().copied());
            let sum: f64 = members.iter().map(|p| p.unsigned_area()).sum();
            prop_assert!((u.unsigned_area() - sum).abs() <= 1e-12 * sum.max(1e-9), "{} vs {}", u.unsigned_area(), sum);
            for (c, m) in cells.iter().zip(&mask) {
                let centre = geo::Centroid::centroid(c).map(|p| p.0);
                let Some(centre) = centre else { continue };
                let inside = u.coordinate_position(&centre) == CoordPos::Inside;
                prop_assert_eq!(inside, *m);
            }
        }
    }
}
