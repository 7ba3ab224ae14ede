//! Exact ring arithmetic shared by the edit operations, the guard and the proposal.
//!
//! Vertices are compared by their exact bit patterns: two grids share a vertex only if both
//! store the very same `f64` pair. Rings are kept *open* (no closing duplicate) and free of
//! consecutive duplicates; [`oriented`] puts exteriors counter-clockwise and holes clockwise.
//!
//! The **edge chain** of a set of rings is the multiset of their directed segments, where a
//! segment and its reverse cancel. For valid polygons with normalised orientation, the winding
//! number of the chain at any point is the number of polygons covering it. So "the chain of a
//! community's grids minus the chain of the community's boundary is zero" holds exactly when the
//! grids cover every point of the community once and nothing outside it, *and* every shared edge
//! is split at the same vertices on both sides — the topology rule of this module, checked with
//! integer arithmetic on exact keys, no tolerance.

use geo::coordinate_position::CoordPos;
use geo::CoordinatePosition;
use geo_types::{Coord, LineString, MultiPolygon, Polygon};
use std::collections::HashMap;

/// The exact identity of a vertex.
pub type Key = (u64, u64);

/// The exact key of a coordinate (`-0.0` is folded into `0.0`).
#[inline]
pub fn key(c: Coord<f64>) -> Key {
    ((c.x + 0.0).to_bits(), (c.y + 0.0).to_bits())
}

/// The coordinate of a key.
#[inline]
pub fn coord(k: Key) -> Coord<f64> {
    Coord {
        x: f64::from_bits(k.0),
        y: f64::from_bits(k.1),
    }
}

/// A ring's vertices without the closing point and without consecutive duplicates.
pub fn open_ring(ls: &LineString<f64>) -> Vec<Coord<f64>> {
    let mut v: Vec<Coord<f64>> = Vec::with_capacity(ls.0.len());
    for &c in &ls.0 {
        if v.last().is_none_or(|l| key(*l) != key(c)) {
            v.push(c);
        }
    }
    while v.len() > 1 && key(v[0]) == key(v[v.len() - 1]) {
        v.pop();
    }
    v
}

/// Removes consecutive duplicates (cyclically) from an open ring.
pub fn dedup_ring(ring: &mut Vec<Coord<f64>>) {
    ring.dedup_by(|a, b| key(*a) == key(*b));
    while ring.len() > 1 && key(ring[0]) == key(ring[ring.len() - 1]) {
        ring.pop();
    }
}

/// Closes an open ring into a line string.
pub fn closed(ring: &[Coord<f64>]) -> LineString<f64> {
    let mut v = ring.to_vec();
    if let Some(&f) = ring.first() {
        v.push(f);
    }
    LineString::new(v)
}

/// Twice the signed area of an open ring (positive = counter-clockwise), computed relative to
/// the first vertex to keep lon/lat digits.
pub fn signed_area2(ring: &[Coord<f64>]) -> f64 {
    let Some(&o) = ring.first() else { return 0.0 };
    let mut acc = 0.0;
    for i in 1..ring.len().saturating_sub(1) {
        let (a, b) = (ring[i], ring[i + 1]);
        acc += (a.x - o.x) * (b.y - o.y) - (b.x - o.x) * (a.y - o.y);
    }
    acc
}

/// A polygon as open rings: exterior counter-clockwise, holes clockwise.
#[derive(Debug, Clone, PartialEq)]
pub struct Rings {
    pub exterior: Vec<Coord<f64>>,
    pub holes: Vec<Vec<Coord<f64>>>,
}

impl Rings {
    /// All rings, exterior first.
    pub fn all(&self) -> impl Iterator<Item = &Vec<Coord<f64>>> {
        std::iter::once(&self.exterior).chain(self.holes.iter())
    }
    /// All rings, mutable.
    pub fn all_mut(&mut self) -> impl Iterator<Item = &mut Vec<Coord<f64>>> {
        std::iter::once(&mut self.exterior).chain(self.holes.iter_mut())
    }
    /// Back to a closed polygon.
    pub fn polygon(&self) -> Polygon<f64> {
        Polygon::new(
            closed(&self.exterior),
            self.holes.iter().map(|h| closed(h)).collect(),
        )
    }
}

/// The rings of a polygon with normalised orientation.
pub fn oriented(p: &Polygon<f64>) -> Rings {
    let mut exterior = open_ring(p.exterior());
    if signed_area2(&exterior) < 0.0 {
        exterior.reverse();
    }
    let holes = p
        .interiors()
        .iter()
        .map(|h| {
            let mut r = open_ring(h);
            if signed_area2(&r) > 0.0 {
                r.reverse();
            }
            r
        })
        .filter(|r| !r.is_empty())
        .collect();
    Rings { exterior, holes }
}

/// The polygons of a multipolygon with normalised orientation.
pub fn oriented_multi(m: &MultiPolygon<f64>) -> Vec<Rings> {
    m.0.iter().map(oriented).collect()
}

/// A segment by its two ends.
pub type Edge = (Coord<f64>, Coord<f64>);

/// A directed segment of a residual chain.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seg {
    pub a: Coord<f64>,
    pub b: Coord<f64>,
}

/// A multiset of directed segments in which a segment and its reverse cancel.
#[derive(Debug, Default, Clone)]
pub struct Chain {
    /// (smaller key, larger key, +1 when stored as small→large).
    edges: Vec<(Key, Key, i32)>,
}

impl Chain {
    /// An empty chain with room for `n` segments.
    pub fn with_capacity(n: usize) -> Self {
        Self {
            edges: Vec::with_capacity(n),
        }
    }

    /// Adds the segments of an open ring, `sign` times (+1 or −1).
    pub fn add_ring(&mut self, ring: &[Coord<f64>], sign: i32) {
        let n = ring.len();
        for i in 0..n {
            let (a, b) = (key(ring[i]), key(ring[(i + 1) % n]));
            self.add(a, b, sign);
        }
    }

    /// Adds every ring of a polygon.
    pub fn add_rings(&mut self, r: &Rings, sign: i32) {
        for ring in r.all() {
            self.add_ring(ring, sign);
        }
    }

    /// Adds one directed segment.
    #[inline]
    pub fn add(&mut self, a: Key, b: Key, sign: i32) {
        if a == b {
            return;
        }
        if a < b {
            self.edges.push((a, b, sign));
        } else {
            self.edges.push((b, a, -sign));
        }
    }

    /// The segments that do not cancel, each repeated by its multiplicity, directed by its net
    /// sign; sorted, so equal chains give equal residuals.
    pub fn residual(mut self) -> Vec<Seg> {
        self.edges.sort_unstable_by_key(|x| (x.0, x.1));
        let mut out = Vec::new();
        let mut i = 0;
        while i < self.edges.len() {
            let (a, b, _) = self.edges[i];
            let mut s = 0;
            while i < self.edges.len() && self.edges[i].0 == a && self.edges[i].1 == b {
                s += self.edges[i].2;
                i += 1;
            }
            let (from, to) = if s > 0 { (a, b) } else { (b, a) };
            for _ in 0..s.unsigned_abs() {
                out.push(Seg {
                    a: coord(from),
                    b: coord(to),
                });
            }
        }
        out
    }
}

/// Segments of `after` not found in `before` (multiset difference on exact keys).
pub fn new_segments(before: &[Seg], after: &[Seg]) -> Vec<Seg> {
    let mut count: HashMap<(Key, Key), i32> = HashMap::new();
    for s in before {
        *count.entry((key(s.a), key(s.b))).or_default() += 1;
    }
    after
        .iter()
        .filter(|s| {
            let c = count.entry((key(s.a), key(s.b))).or_default();
            if *c > 0 {
                *c -= 1;
                false
            } else {
                true
            }
        })
        .copied()
        .collect()
}

/// Joins directed segments into closed rings, following at every vertex the sharpest left turn
/// (so rings that touch at a vertex come out as separate simple rings). Returns `None` when the
/// segments do not close up.
pub fn trace_rings(segs: &[Seg]) -> Option<Vec<Vec<Coord<f64>>>> {
    let mut out_of: HashMap<Key, Vec<usize>> = HashMap::new();
    for (i, s) in segs.iter().enumerate() {
        out_of.entry(key(s.a)).or_default().push(i);
    }
    let mut used = vec![false; segs.len()];
    let mut rings = Vec::new();
    for start in 0..segs.len() {
        if used[start] {
            continue;
        }
        let mut ring = Vec::new();
        let mut e = start;
        loop {
            used[e] = true;
            ring.push(segs[e].a);
            let here = segs[e].b;
            if key(here) == key(segs[start].a) {
                break;
            }
            let cands: Vec<usize> = out_of
                .get(&key(here))?
                .iter()
                .copied()
                .filter(|&j| !used[j])
                .collect();
            e = match cands.len() {
                0 => return None,
                1 => cands[0],
                _ => {
                    let din = (here.x - segs[e].a.x, here.y - segs[e].a.y);
                    let turn = |j: usize| {
                        let d = (segs[j].b.x - here.x, segs[j].b.y - here.y);
                        let cross = din.0 * d.1 - din.1 * d.0;
                        let dot = din.0 * d.0 + din.1 * d.1;
                        cross.atan2(dot)
                    };
                    cands
                        .into_iter()
                        .max_by(|&x, &y| turn(x).total_cmp(&turn(y)))?
                }
            };
        }
        dedup_ring(&mut ring);
        if ring.len() >= 3 {
            rings.push(ring);
        }
    }
    Some(rings)
}

/// Builds polygons from traced rings: counter-clockwise rings are exteriors, clockwise rings
/// holes of the exterior that contains them.
pub fn assemble(rings: Vec<Vec<Coord<f64>>>) -> Vec<Rings> {
    let (ext, holes): (Vec<_>, Vec<_>) = rings.into_iter().partition(|r| signed_area2(r) > 0.0);
    let mut polys: Vec<Rings> = ext
        .into_iter()
        .map(|e| Rings {
            exterior: e,
            holes: vec![],
        })
        .collect();
    for h in holes {
        let probe = h[0];
        let mid = Coord {
            x: (h[0].x + h[1].x) / 2.0,
            y: (h[0].y + h[1].y) / 2.0,
        };
        let owner = polys.iter().position(|p| {
            let shell = Polygon::new(closed(&p.exterior), vec![]);
            [probe, mid]
                .iter()
                .any(|c| shell.coordinate_position(c) == CoordPos::Inside)
        });
        match owner {
            Some(i) => polys[i].holes.push(h),
            // A clockwise ring inside nothing: keep it as its own (inverted) exterior so that
            // the caller sees more than one polygon and refuses.
            None => polys.push(Rings {
                exterior: h,
                holes: vec![],
            }),
        }
    }
    polys
}

/// Metres per degree around a latitude (the equirectangular local projection, which is affine
/// in lon/lat, so straight segments stay straight and ratios along them are preserved).
#[derive(Debug, Clone, Copy)]
pub struct Metric {
    pub kx: f64,
    pub ky: f64,
}

impl Metric {
    /// The metric at a latitude.
    pub fn at(lat: f64) -> Self {
        let ky = crate::geodesy::EARTH_RADIUS_M.to_radians();
        Self {
            kx: ky * lat.to_radians().cos(),
            ky,
        }
    }
    /// Distance in metres.
    pub fn dist(&self, a: Coord<f64>, b: Coord<f64>) -> f64 {
        ((a.x - b.x) * self.kx).hypot((a.y - b.y) * self.ky)
    }
    /// Degrees of longitude and latitude spanning `m` metres.
    pub fn degrees(&self, m: f64) -> (f64, f64) {
        (m / self.kx, m / self.ky)
    }
    /// Planar area in m² of an area given in square degrees.
    pub fn area_m2(&self, deg2: f64) -> f64 {
        deg2 * self.kx * self.ky
    }
    /// The closest point of segment `a`–`b` to `p`, with its parameter `t` in `[0, 1]`.
    pub fn closest_on_segment(
        &self,
        p: Coord<f64>,
        a: Coord<f64>,
        b: Coord<f64>,
    ) -> (Coord<f64>, f64) {
        let (dx, dy) = ((b.x - a.x) * self.kx, (b.y - a.y) * self.ky);
        let l2 = dx * dx + dy * dy;
        if l2 == 0.0 {
            return (a, 0.0);
        }
        let t = (((p.x - a.x) * self.kx * dx + (p.y - a.y) * self.ky * dy) / l2).clamp(0.0, 1.0);
        (lerp(a, b, t), t)
    }
}

/// `a + t (b − a)`, exact at the ends.
pub fn lerp(a: Coord<f64>, b: Coord<f64>, t: f64) -> Coord<f64> {
    if t <= 0.0 {
        a
    } else if t >= 1.0 {
        b
    } else {
        Coord {
            x: a.x + (b.x - a.x) * t,
            y: a.y + (b.y - a.y) * t,
        }
    }
}

/// Exact orientation of `c` relative to the directed line `a`→`b`: > 0 left, < 0 right, 0 on it.
#[inline]
pub fn orient(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>) -> f64 {
    robust::orient2d(
        robust::Coord { x: a.x, y: a.y },
        robust::Coord { x: b.x, y: b.y },
        robust::Coord { x: c.x, y: c.y },
    )
}

/// Where segments `p`–`q` and `a`–`b` meet, as parameters along each (`t` on p–q, `u` on a–b)
/// and the point. Touching counts; collinear overlaps report nothing (callers treat a line
/// running along an edge as not crossing it).
pub fn segment_hit(
    p: Coord<f64>,
    q: Coord<f64>,
    a: Coord<f64>,
    b: Coord<f64>,
) -> Option<(f64, f64, Coord<f64>)> {
    let (o1, o2) = (orient(p, q, a), orient(p, q, b));
    let (o3, o4) = (orient(a, b, p), orient(a, b, q));
    if (o1 > 0.0 && o2 > 0.0) || (o1 < 0.0 && o2 < 0.0) {
        return None;
    }
    if (o3 > 0.0 && o4 > 0.0) || (o3 < 0.0 && o4 < 0.0) {
        return None;
    }
    if o1 == 0.0 && o2 == 0.0 {
        return None;
    }
    // Exact endpoint cases keep exact coordinates.
    if o1 == 0.0 {
        return Some((param(p, q, a), 0.0, a));
    }
    if o2 == 0.0 {
        return Some((param(p, q, b), 1.0, b));
    }
    if o3 == 0.0 {
        return Some((0.0, param(a, b, p), p));
    }
    if o4 == 0.0 {
        return Some((1.0, param(a, b, q), q));
    }
    let (rx, ry) = (q.x - p.x, q.y - p.y);
    let (sx, sy) = (b.x - a.x, b.y - a.y);
    let den = rx * sy - ry * sx;
    if den == 0.0 {
        return None;
    }
    let t = ((a.x - p.x) * sy - (a.y - p.y) * sx) / den;
    let u = ((a.x - p.x) * ry - (a.y - p.y) * rx) / den;
    let t = t.clamp(0.0, 1.0);
    Some((t, u.clamp(0.0, 1.0), lerp(a, b, u.clamp(0.0, 1.0))))
}

/// Parameter of a point known to lie on segment `a`–`b`.
fn param(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>) -> f64 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let l2 = dx * dx + dy * dy;
    if l2 == 0.0 {
        0.0
    } else {
        (((c.x - a.x) * dx + (c.y - a.y) * dy) / l2).clamp(0.0, 1.0)
    }
}

/// Index of the segment `a`→`b` or `b`→`a` in an open ring: `Some((i, forward))` when
/// `ring[i], ring[i+1]` is the segment, `forward` telling the direction.
pub fn find_segment(ring: &[Coord<f64>], a: Key, b: Key) -> Option<(usize, bool)> {
    let n = ring.len();
    (0..n).find_map(|i| {
        let (x, y) = (key(ring[i]), key(ring[(i + 1) % n]));
        if x == a && y == b {
            Some((i, true))
        } else if x == b && y == a {
            Some((i, false))
        } else {
            None
        }
    })
}

/// Position of a vertex in an open ring.
pub fn find_vertex(ring: &[Coord<f64>], v: Key) -> Option<usize> {
    ring.iter().position(|&c| key(c) == v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    fn c(x: f64, y: f64) -> Coord<f64> {
        Coord { x, y }
    }

    #[test]
    fn two_squares_tile_their_union_exactly() {
        let a = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)];
        // Clockwise on purpose: orientation is normalised.
        let b = polygon![(x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 2.0, y: 1.0), (x: 2.0, y: 0.0)];
        let whole = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 1.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)];
        let mut ch = Chain::default();
        ch.add_rings(&oriented(&a), 1);
        ch.add_rings(&oriented(&b), 1);
        ch.add_rings(&oriented(&whole), -1);
        assert!(ch.residual().is_empty());
        // Without the (1,1)-(1,0) split in the community ring there is no exact match.
        let whole2 =
            polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 1.0), (x: 0.0, y: 1.0)];
        let mut ch = Chain::default();
        ch.add_rings(&oriented(&a), 1);
        ch.add_rings(&oriented(&b), 1);
        ch.add_rings(&oriented(&whole2), -1);
        assert_eq!(ch.residual().len(), 6);
    }

    #[test]
    fn tracing_separates_rings_touching_at_a_vertex() {
        let segs: Vec<Seg> = [
            (c(0., 0.), c(1., 0.)),
            (c(1., 0.), c(1., 1.)),
            (c(1., 1.), c(0., 1.)),
            (c(0., 1.), c(0., 0.)),
            (c(1., 1.), c(2., 1.)),
            (c(2., 1.), c(2., 2.)),
            (c(2., 2.), c(1., 2.)),
            (c(1., 2.), c(1., 1.)),
        ]
        .iter()
        .map(|&(a, b)| Seg { a, b })
        .collect();
        let rings = trace_rings(&segs).unwrap();
        assert_eq!(rings.len(), 2);
        assert!(rings.iter().all(|r| r.len() == 4));
        let polys = assemble(rings);
        assert_eq!(polys.len(), 2);
    }

    #[test]
    fn hits_are_exact_at_endpoints() {
        let (t, u, p) = segment_hit(c(0., -1.), c(0., 1.), c(0., 0.), c(1., 0.)).unwrap();
        assert_eq!((t, u), (0.5, 0.0));
        assert_eq!(p, c(0., 0.));
        let (t, u, p) = segment_hit(c(-1., -1.), c(1., 1.), c(-1., 1.), c(1., -1.)).unwrap();
        assert!((t - 0.5).abs() < 1e-15 && (u - 0.5).abs() < 1e-15);
        assert!(p.x.abs() < 1e-15 && p.y.abs() < 1e-15);
        assert!(segment_hit(c(0., 0.), c(1., 0.), c(0., 1.), c(1., 1.)).is_none());
    }
}

/// Points along the edge `a`–`b` so that no piece is longer than `max_m` metres, in order from
/// `a`, ends excluded. The points depend only on the two ends, whichever way the edge runs
/// (computed from the lexicographically smaller end with that end's metric), so two rings
/// sharing the edge get the same points, bit for bit.
pub fn edge_points(a: Coord<f64>, b: Coord<f64>, max_m: f64) -> Vec<Coord<f64>> {
    let forward = (a.x, a.y) <= (b.x, b.y);
    let (p, q) = if forward { (a, b) } else { (b, a) };
    let len = Metric::at(p.y).dist(p, q);
    if !(max_m > 0.0 && len > max_m) {
        return vec![];
    }
    let n = (len / max_m).ceil() as usize;
    let mut pts: Vec<Coord<f64>> = (1..n)
        .map(|k| {
            let t = k as f64 / n as f64;
            Coord {
                x: p.x + (q.x - p.x) * t,
                y: p.y + (q.y - p.y) * t,
            }
        })
        .collect();
    if !forward {
        pts.reverse();
    }
    pts
}

/// Merges rings that are all `before` with vertices inserted (and nothing else changed): the
/// result has every vertex any of them inserted, each in its place along its edge of `before`.
pub fn merge_insertions(before: &[Coord<f64>], afters: &[&[Coord<f64>]]) -> Vec<Coord<f64>> {
    let mut out = Vec::with_capacity(before.len());
    for w in before.windows(2) {
        let (a, b) = (w[0], w[1]);
        out.push(a);
        let mut extra: Vec<Coord<f64>> = Vec::new();
        for after in afters {
            // The vertices between a and b in this ring (it runs the same way as `before`).
            for i in 0..after.len().saturating_sub(1) {
                if after[i] != a {
                    continue;
                }
                let mut j = i + 1;
                while j < after.len() && after[j] != b {
                    if !extra.contains(&after[j]) {
                        extra.push(after[j]);
                    }
                    j += 1;
                }
                break;
            }
        }
        let m = Metric::at(a.y);
        extra.sort_by(|x, y| m.dist(a, *x).total_cmp(&m.dist(a, *y)));
        out.extend(extra);
    }
    if let Some(&last) = before.last() {
        out.push(last);
    }
    out
}

#[cfg(test)]
mod densify_tests {
    use super::*;

    fn c(x: f64, y: f64) -> Coord<f64> {
        Coord { x, y }
    }

    #[test]
    fn edge_points_are_the_same_both_ways() {
        let (a, b) = (c(121.50, 28.54), c(121.508, 28.546));
        let fwd = edge_points(a, b, 50.0);
        let mut back = edge_points(b, a, 50.0);
        back.reverse();
        assert_eq!(fwd, back);
        assert!(fwd.len() >= 18, "{}", fwd.len());
        assert!(edge_points(a, c(121.5001, 28.54), 50.0).is_empty());
    }

    #[test]
    fn insertions_of_two_changes_are_merged_in_order() {
        let before = vec![c(0.0, 0.0), c(0.01, 0.0), c(0.01, 0.01), c(0.0, 0.0)];
        let one = vec![
            c(0.0, 0.0),
            c(0.004, 0.0),
            c(0.01, 0.0),
            c(0.01, 0.01),
            c(0.0, 0.0),
        ];
        let two = vec![
            c(0.0, 0.0),
            c(0.002, 0.0),
            c(0.01, 0.0),
            c(0.01, 0.005),
            c(0.01, 0.01),
            c(0.0, 0.0),
        ];
        let merged = merge_insertions(&before, &[&one, &two]);
        assert_eq!(
            merged,
            vec![
                c(0.0, 0.0),
                c(0.002, 0.0),
                c(0.004, 0.0),
                c(0.01, 0.0),
                c(0.01, 0.005),
                c(0.01, 0.01),
                c(0.0, 0.0)
            ]
        );
    }
}
