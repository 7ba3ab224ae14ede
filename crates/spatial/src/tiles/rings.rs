//! Polygon geometry for one tile: project → snap → clip → clean → orient → encode.
//!
//! # Why no slivers appear between neighbours
//! Every step is decided per vertex or per edge, never per polygon:
//! * **snap** — each lon/lat vertex goes to the nearest point of the zoom's integer pixel grid
//!   ([`TileFrame::snap`]); a vertex shared by two grids lands on the same pixel in both;
//! * **clip** — Sutherland–Hodgman against the buffered tile square; where an edge crosses the
//!   square, the crossing is computed from the edge's endpoints taken in a fixed (lexicographic)
//!   order and rounded, so both polygons that share the edge get the same crossing point;
//! * **clean** — consecutive duplicates, zero-area spikes and collinear middle vertices are
//!   dropped. Dropping a vertex that lies on the straight line between its neighbours changes no
//!   covered point, so the shared boundary stays the same *line* even where one side keeps a
//!   vertex the other drops.
//!
//! Douglas–Peucker or any other per-polygon simplification is deliberately not used: it makes a
//! different choice on each side of a shared edge. At grid zooms (z ≥ 13) a 110 m grid spans
//! ~100 tile units, so the pixel grid is the only simplification needed.
//!
//! Clipping a concave ring with Sutherland–Hodgman can leave zero-width "bridges" along the clip
//! square; they cover nothing, so fills render correctly (the clean step removes most of them).

use super::address::{TileFrame, BUFFER, EXTENT};
use geo_types::{LineString, MultiPolygon, Polygon};
use mvt::{GeomData, GeomEncoder, GeomType};

/// A vertex in tile coordinates (x right, y down).
pub type TilePoint = [i32; 2];
/// A polygon in tile coordinates: the exterior ring first (positive area by the surveyor's
/// formula in tile coordinates, i.e. clockwise on screen), then holes (negative area). Rings are
/// open: the first vertex is not repeated.
pub type TilePolygon = Vec<Vec<TilePoint>>;

/// The clip square: the tile grown by [`BUFFER`] on every side.
const LO: f64 = -(BUFFER as f64);
const HI: f64 = (EXTENT + BUFFER) as f64;

/// Reusable scratch space for clipping (a tile clips hundreds of rings).
#[derive(Debug, Default)]
pub struct Clipper {
    a: Vec<[f64; 2]>,
    b: Vec<[f64; 2]>,
}

impl Clipper {
    /// One ring in tile coordinates, or `None` if it misses the tile or collapses (fewer than 3
    /// distinct vertices or zero area). The orientation is the input's, mirrored by the y flip.
    pub fn ring(&mut self, ring: &LineString<f64>, frame: &TileFrame) -> Option<Vec<TilePoint>> {
        let coords = &ring.0;
        let n = match (coords.first(), coords.last()) {
            (Some(f), Some(l)) if coords.len() > 1 && f == l => coords.len() - 1,
            _ => coords.len(),
        };
        if n < 3 {
            return None;
        }
        self.a.clear();
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for c in &coords[..n] {
            let p = frame.snap(c.x, c.y);
            x0 = x0.min(p[0]);
            x1 = x1.max(p[0]);
            y0 = y0.min(p[1]);
            y1 = y1.max(p[1]);
            self.a.push(p);
        }
        if x1 < LO || x0 > HI || y1 < LO || y0 > HI {
            return None;
        }
        if x0 < LO || x1 > HI || y0 < LO || y1 > HI {
            clip_pass(&self.a, &mut self.b, 0, LO, true);
            clip_pass(&self.b, &mut self.a, 0, HI, false);
            clip_pass(&self.a, &mut self.b, 1, LO, true);
            clip_pass(&self.b, &mut self.a, 1, HI, false);
        }
        // After clipping every value is an integer in [LO, HI], so the cast is exact.
        let pts = clean(self.a.iter().map(|p| [p[0] as i32, p[1] as i32]));
        (pts.len() >= 3 && area2(&pts) != 0).then_some(pts)
    }

    /// One polygon in tile coordinates, oriented per the MVT spec, or `None` if its exterior
    /// misses the tile or collapses. Holes that miss or collapse are dropped.
    pub fn polygon(&mut self, p: &Polygon<f64>, frame: &TileFrame) -> Option<TilePolygon> {
        let mut ext = self.ring(p.exterior(), frame)?;
        orient(&mut ext, true);
        let mut rings = vec![ext];
        for hole in p.interiors() {
            if let Some(mut h) = self.ring(hole, frame) {
                orient(&mut h, false);
                rings.push(h);
            }
        }
        Some(rings)
    }

    /// Every part of a multipolygon that survives in the tile.
    pub fn multi_polygon(&mut self, m: &MultiPolygon<f64>, frame: &TileFrame) -> Vec<TilePolygon> {
        m.0.iter().filter_map(|p| self.polygon(p, frame)).collect()
    }
}

/// One Sutherland–Hodgman pass: keeps the side of the line `p[axis] = bound` where
/// `p[axis] >= bound` (`keep_above`) or `<= bound`.
fn clip_pass(
    input: &[[f64; 2]],
    out: &mut Vec<[f64; 2]>,
    axis: usize,
    bound: f64,
    keep_above: bool,
) {
    out.clear();
    let Some(&last) = input.last() else { return };
    let inside = |p: &[f64; 2]| {
        if keep_above {
            p[axis] >= bound
        } else {
            p[axis] <= bound
        }
    };
    let (mut prev, mut prev_in) = (last, inside(&last));
    for &cur in input {
        let cur_in = inside(&cur);
        if cur_in != prev_in {
            out.push(crossing(prev, cur, axis, bound));
        }
        if cur_in {
            out.push(cur);
        }
        (prev, prev_in) = (cur, cur_in);
    }
}

/// Where segment `p q` crosses `axis = bound`, rounded to the integer grid. The endpoints are
/// put in lexicographic order first so that `p q` and `q p` give bit-identical results.
fn crossing(p: [f64; 2], q: [f64; 2], axis: usize, bound: f64) -> [f64; 2] {
    let (a, b) = if p[0] < q[0] || (p[0] == q[0] && p[1] <= q[1]) {
        (p, q)
    } else {
        (q, p)
    };
    let other = 1 - axis;
    let t = (bound - a[axis]) / (b[axis] - a[axis]);
    let mut r = [0.0; 2];
    r[axis] = bound;
    r[other] = (a[other] + t * (b[other] - a[other])).round();
    r
}

/// Twice the z-component of `(b − a) × (c − b)`: zero when `a b c` are collinear.
fn turn(a: TilePoint, b: TilePoint, c: TilePoint) -> i64 {
    let (abx, aby) = (
        i64::from(b[0]) - i64::from(a[0]),
        i64::from(b[1]) - i64::from(a[1]),
    );
    let (bcx, bcy) = (
        i64::from(c[0]) - i64::from(b[0]),
        i64::from(c[1]) - i64::from(b[1]),
    );
    abx * bcy - aby * bcx
}

/// Drops consecutive duplicates and every vertex collinear with its neighbours (straight
/// continuations and zero-area spikes alike), including across the ring's start.
fn clean(pts: impl Iterator<Item = TilePoint>) -> Vec<TilePoint> {
    let mut out: Vec<TilePoint> = Vec::new();
    'next: for p in pts {
        loop {
            match out.as_slice() {
                [.., q] if *q == p => continue 'next,
                [.., a, b] if turn(*a, *b, p) == 0 => {
                    out.pop();
                }
                _ => break,
            }
        }
        out.push(p);
    }
    // Close the ring: the same rules across the seam between the last and the first vertex.
    loop {
        let n = out.len();
        if n < 3 {
            break;
        }
        if out[n - 1] == out[0] || turn(out[n - 2], out[n - 1], out[0]) == 0 {
            out.pop();
        } else if turn(out[n - 1], out[0], out[1]) == 0 {
            out.remove(0);
        } else {
            break;
        }
    }
    out
}

/// Twice the signed area by the surveyor's formula (positive = clockwise on screen, y down).
pub fn area2(ring: &[TilePoint]) -> i64 {
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (p, q) = (ring[i], ring[(i + 1) % n]);
            i64::from(p[0]) * i64::from(q[1]) - i64::from(q[0]) * i64::from(p[1])
        })
        .sum()
}

/// Makes an exterior ring's area positive or a hole's negative (MVT spec 2.1, §4.3.4.4).
fn orient(ring: &mut [TilePoint], exterior: bool) {
    if (area2(ring) > 0) != exterior {
        ring.reverse();
    }
}

/// Encodes polygons as one MVT (multi)polygon geometry, or `None` if there is nothing to draw.
pub fn encode(polys: &[TilePolygon]) -> Result<Option<GeomData>, mvt::Error> {
    if polys.is_empty() {
        return Ok(None);
    }
    let mut enc = GeomEncoder::<i32>::new(GeomType::Polygon);
    let mut cursor: Option<TilePoint> = None;
    for ring in polys.iter().flatten() {
        // `mvt` folds a ring's first vertex into the previous ring's last one when they are
        // equal, leaving the ring without its MoveTo; start such a ring one vertex later.
        let start = usize::from(cursor == Some(ring[0]));
        let n = ring.len();
        for k in 0..n {
            let p = ring[(start + k) % n];
            enc.add_point(p[0], p[1])?;
        }
        enc.complete_geom()?;
        cursor = Some(ring[(start + n - 1) % n]);
    }
    Ok(Some(enc.encode()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tiles::TileAddress;
    use geo_types::polygon;

    #[test]
    fn crossing_does_not_depend_on_direction() {
        let (p, q) = ([-1000.0, 17.0], [333.0, 4001.0]);
        assert_eq!(crossing(p, q, 0, LO), crossing(q, p, 0, LO));
        assert_eq!(crossing(p, q, 0, LO), [LO, 2814.0]);
        let (p, q) = ([5.0, -7000.0], [4095.0, 9000.0]);
        assert_eq!(crossing(p, q, 1, HI), crossing(q, p, 1, HI));
        assert_eq!(crossing(p, q, 1, HI)[1], HI);
    }

    #[test]
    fn clean_removes_duplicates_spikes_and_straight_vertices() {
        let ring = [
            [0, 0],
            [0, 0],
            [10, 0],
            [20, 0],
            [20, 10],
            [20, 30],
            [20, 10],
            [0, 10],
            [0, 5],
        ];
        assert_eq!(
            clean(ring.into_iter()),
            vec![[0, 0], [20, 0], [20, 10], [0, 10]]
        );
        // A spike across the seam.
        let ring = [[5, 0], [10, 0], [10, 10], [0, 10], [0, 0], [-5, 0]];
        assert_eq!(
            clean(ring.into_iter()),
            vec![[10, 0], [10, 10], [0, 10], [0, 0]]
        );
        // Everything on one line collapses.
        let ring = [[0, 0], [5, 5], [10, 10], [3, 3]];
        assert!(clean(ring.into_iter()).len() < 3);
    }

    #[test]
    fn clipping_keeps_the_buffered_square_and_orients_rings() {
        let t = TileAddress { z: 0, x: 0, y: 0 };
        let f = t.frame();
        // The whole world, counter-clockwise in lon/lat with a counter-clockwise hole.
        let p = polygon!(
            exterior: [(x: -179.0, y: -80.0), (x: 179.0, y: -80.0), (x: 179.0, y: 80.0), (x: -179.0, y: 80.0)],
            interiors: [[(x: -10.0, y: -10.0), (x: 10.0, y: -10.0), (x: 10.0, y: 10.0), (x: -10.0, y: 10.0)]],
        );
        let mut c = Clipper::default();
        let rings = c.polygon(&p, &f).unwrap_or_default();
        assert_eq!(rings.len(), 2);
        assert!(area2(&rings[0]) > 0 && area2(&rings[1]) < 0);
        // At z1 the world is 2×2 tiles: the north-west tile sees the world clipped at its buffer.
        let f = TileAddress { z: 1, x: 0, y: 0 }.frame();
        let rings = c.polygon(&p, &f).unwrap_or_default();
        let ext = &rings[0];
        assert!(
            ext.iter()
                .all(|q| q.iter().all(|&v| (-64..=4160).contains(&v))),
            "{ext:?}"
        );
        assert!(ext.contains(&[4160, 4160]), "{ext:?}");
        // The hole straddles all four tiles: its north-west quarter is clipped to the buffer.
        assert_eq!(rings.len(), 2);
        assert!(rings[1].iter().any(|q| q[0] == 4160));
        // A ring entirely outside, and one too small to survive snapping.
        let away = polygon![(x: 100.0, y: -60.0), (x: 120.0, y: -60.0), (x: 120.0, y: -50.0)];
        assert!(c.polygon(&away, &f).is_none());
        let tiny = polygon![(x: 0.0, y: 0.0), (x: 1e-6, y: 0.0), (x: 0.0, y: 1e-6)];
        assert!(c.polygon(&tiny, &f).is_none());
    }

    #[test]
    fn encoder_keeps_a_moveto_for_rings_that_start_where_the_last_ended() {
        // Two squares meeting at a corner: the second ring starts at the first ring's last vertex.
        let a = vec![vec![[0, 0], [10, 0], [10, 10], [5, 5]]];
        let b = vec![vec![[5, 5], [-5, 5], [-5, -5], [0, -5]]];
        let tile = mvt::Tile::new(EXTENT);
        let Ok(Some(geom)) = encode(&[a, b]) else {
            panic!("nothing encoded")
        };
        let mut tile2 = mvt::Tile::new(EXTENT);
        let layer = tile.create_layer("t").into_feature(geom).into_layer();
        tile2.add_layer(layer).unwrap_or_else(|e| panic!("{e}"));
        let bytes = tile2.to_bytes().unwrap_or_default();
        // The strict decoder panics on a ring without its MoveTo.
        let d = crate::tiles::decode::decode(&bytes);
        let rings = &d["t"][0].parts;
        assert_eq!(rings.len(), 2);
        assert_eq!(rings[0], vec![[0, 0], [10, 0], [10, 10], [5, 5]]);
        assert_eq!(rings[1], vec![[-5, 5], [-5, -5], [0, -5], [5, 5]]);
    }
}
