//! Bulk point location: which unit grid holds each of many points.
//!
//! [`GridLocator`] is an acceleration structure derived from the grid index: a uniform raster of
//! small cells over the grids' extent. A cell that no grid edge touches and whose centre lies in a
//! grid is *interior*: every point in it belongs to that grid with no geometry test at all. Other
//! cells keep the short list of grids that overlap them, and a point there is tested exactly
//! against those grids with [`SpatialIndex::grid_at`]'s boundary rule (interior wins; on a shared
//! edge or vertex the lowest code wins). Points outside the raster fall back to the R-tree.
//! Results are therefore identical to [`SpatialIndex::grid_at`] for every point.

use crate::index::{pick_by_rule, position_in, SpatialIndex};
use geo::coordinate_position::CoordPos;
use geo_types::Coord;
use rayon::prelude::*;

const EMPTY: u32 = u32::MAX;
const LIST: u32 = 1 << 31;

/// Raster accelerator for point-in-grid lookups; see the module docs.
#[derive(Debug, Default, Clone)]
pub struct GridLocator {
    ox: f64,
    oy: f64,
    dx: f64,
    dy: f64,
    nx: usize,
    ny: usize,
    /// Per cell: `EMPTY`, a grid index (interior cell), or `LIST | offset` into `lists`.
    cells: Vec<u32>,
    /// `lists[off]` = n, followed by n grid indexes.
    lists: Vec<u32>,
    /// Every grid's rings, flat and contiguous for cache-friendly exact tests.
    rings: FlatRings,
}

/// The rings of every grid in one flat array: grid `g`'s rings are
/// `ring_ends[grid_rings[g]..grid_rings[g + 1]]`, the first being the exterior.
#[derive(Debug, Default, Clone)]
struct FlatRings {
    verts: Vec<[f64; 2]>,
    ring_ends: Vec<u32>,
    grid_rings: Vec<u32>,
    bbox: Vec<[f64; 4]>,
}

impl FlatRings {
    fn build(idx: &SpatialIndex) -> Self {
        let mut f = FlatRings {
            grid_rings: vec![0],
            ..Default::default()
        };
        for g in &idx.grids {
            let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
            for ring in std::iter::once(g.polygon.exterior()).chain(g.polygon.interiors()) {
                for c in ring.coords() {
                    f.verts.push([c.x, c.y]);
                    x0 = x0.min(c.x);
                    y0 = y0.min(c.y);
                    x1 = x1.max(c.x);
                    y1 = y1.max(c.y);
                }
                f.ring_ends.push(f.verts.len() as u32);
            }
            f.grid_rings.push(f.ring_ends.len() as u32);
            f.bbox.push([x0, y0, x1, y1]);
        }
        f
    }

    /// Position of `p` relative to grid `g`'s polygon: the same winding-number rule, with exact
    /// orientation (`robust::orient2d`), as geo's `coordinate_position`, on flat arrays.
    #[inline]
    fn position(&self, g: usize, p: [f64; 2]) -> CoordPos {
        let b = self.bbox[g];
        if p[0] < b[0] || p[0] > b[2] || p[1] < b[1] || p[1] > b[3] {
            return CoordPos::Outside;
        }
        let (r0, r1) = (self.grid_rings[g] as usize, self.grid_rings[g + 1] as usize);
        let mut start = if r0 == 0 {
            0
        } else {
            self.ring_ends[r0 - 1] as usize
        };
        for r in r0..r1 {
            let end = self.ring_ends[r] as usize;
            let pos = ring_position(&self.verts[start..end], p);
            start = end;
            match (r == r0, pos) {
                (true, CoordPos::Inside) => {}
                (true, other) => return other,
                (false, CoordPos::Outside) => {}
                (false, CoordPos::OnBoundary) => return CoordPos::OnBoundary,
                (false, CoordPos::Inside) => return CoordPos::Outside,
            }
        }
        CoordPos::Inside
    }
}

fn orient(a: [f64; 2], b: [f64; 2], c: [f64; 2]) -> f64 {
    let co = |p: [f64; 2]| robust::Coord { x: p[0], y: p[1] };
    robust::orient2d(co(a), co(b), co(c))
}

fn between(v: f64, a: f64, b: f64) -> bool {
    if a < b {
        a <= v && v <= b
    } else {
        b <= v && v <= a
    }
}

/// Winding number of a closed ring around `p`, short-circuiting on the boundary
/// (mirrors `geo::coordinate_position::coord_pos_relative_to_ring`).
fn ring_position(ring: &[[f64; 2]], p: [f64; 2]) -> CoordPos {
    let mut winding = 0i32;
    for w in ring.windows(2) {
        let (s, e) = (w[0], w[1]);
        if s[1] <= p[1] {
            if e[1] >= p[1] {
                let o = orient(s, e, p);
                if o > 0.0 && e[1] != p[1] {
                    winding += 1;
                } else if o == 0.0 && between(p[0], s[0], e[0]) {
                    return CoordPos::OnBoundary;
                }
            }
        } else if e[1] <= p[1] {
            let o = orient(s, e, p);
            if o < 0.0 {
                winding -= 1;
            } else if o == 0.0 && between(p[0], s[0], e[0]) {
                return CoordPos::OnBoundary;
            }
        }
    }
    if winding == 0 {
        CoordPos::Outside
    } else {
        CoordPos::Inside
    }
}

/// Does the segment a–b touch the closed rectangle [x0,x1]×[y0,y1]? (Liang–Barsky.)
fn segment_touches_rect(a: Coord<f64>, b: Coord<f64>, x0: f64, y0: f64, x1: f64, y1: f64) -> bool {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let mut t0 = 0.0f64;
    let mut t1 = 1.0f64;
    for (p, q) in [
        (-dx, a.x - x0),
        (dx, x1 - a.x),
        (-dy, a.y - y0),
        (dy, y1 - a.y),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return false;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                if r > t1 {
                    return false;
                }
                t0 = t0.max(r);
            } else {
                if r < t0 {
                    return false;
                }
                t1 = t1.min(r);
            }
        }
    }
    t0 <= t1
}

impl GridLocator {
    /// Builds the raster over the active grids of `idx`. The cell size is a sixth of the median
    /// grid width, so most cells are interior.
    pub fn build(idx: &SpatialIndex) -> Self {
        let active: Vec<usize> = (0..idx.grids.len())
            .filter(|&i| idx.grids[i].is_active())
            .collect();
        if active.is_empty() {
            return Self::default();
        }
        let rects: Vec<geo_types::Rect<f64>> = active
            .iter()
            .map(|&i| {
                geo::BoundingRect::bounding_rect(&idx.grids[i].polygon)
                    .unwrap_or(geo_types::Rect::new((0., 0.), (0., 0.)))
            })
            .collect();
        let (mut ox, mut oy, mut ex, mut ey) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        let mut widths: Vec<f64> = Vec::with_capacity(rects.len());
        let mut heights: Vec<f64> = Vec::with_capacity(rects.len());
        for r in &rects {
            ox = ox.min(r.min().x);
            oy = oy.min(r.min().y);
            ex = ex.max(r.max().x);
            ey = ey.max(r.max().y);
            widths.push(r.width());
            heights.push(r.height());
        }
        widths.sort_unstable_by(f64::total_cmp);
        heights.sort_unstable_by(f64::total_cmp);
        let dx = (widths[widths.len() / 2] / 6.0).max(1e-7);
        let dy = (heights[heights.len() / 2] / 6.0).max(1e-7);
        let nx = (((ex - ox) / dx).ceil() as usize).clamp(1, 16_384);
        let ny = (((ey - oy) / dy).ceil() as usize).clamp(1, 16_384);
        let (dx, dy) = ((ex - ox) / nx as f64, (ey - oy) / ny as f64);
        // A margin well above rounding error, far below any real feature (≈ 0.01 mm).
        let eps = 1e-10;

        // (cell, grid, interior) for every cell a grid overlaps, computed in parallel.
        let mut pairs: Vec<u64> = active
            .par_iter()
            .zip(rects.par_iter())
            .flat_map_iter(|(&gi, r)| {
                let poly = &idx.grids[gi].polygon;
                let i0 = (((r.min().x - ox) / dx).floor() as isize - 1).max(0) as usize;
                let i1 = ((((r.max().x - ox) / dx).floor() as isize) + 1).clamp(0, nx as isize - 1)
                    as usize;
                let j0 = (((r.min().y - oy) / dy).floor() as isize - 1).max(0) as usize;
                let j1 = ((((r.max().y - oy) / dy).floor() as isize) + 1).clamp(0, ny as isize - 1)
                    as usize;
                let w = i1 - i0 + 1;
                let mut touched = vec![false; w * (j1 - j0 + 1)];
                for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                    for seg in ring.lines() {
                        let (a, b) = (seg.start, seg.end);
                        let si0 = ((((a.x.min(b.x) - eps - ox) / dx).floor() as isize)
                            .max(i0 as isize)) as usize;
                        let si1 = ((((a.x.max(b.x) + eps - ox) / dx).floor() as isize)
                            .min(i1 as isize))
                        .max(0) as usize;
                        let sj0 = ((((a.y.min(b.y) - eps - oy) / dy).floor() as isize)
                            .max(j0 as isize)) as usize;
                        let sj1 = ((((a.y.max(b.y) + eps - oy) / dy).floor() as isize)
                            .min(j1 as isize))
                        .max(0) as usize;
                        for j in sj0..=sj1 {
                            for i in si0..=si1 {
                                let k = (j - j0) * w + (i - i0);
                                if touched[k] {
                                    continue;
                                }
                                let x0 = ox + i as f64 * dx - eps;
                                let y0 = oy + j as f64 * dy - eps;
                                if segment_touches_rect(
                                    a,
                                    b,
                                    x0,
                                    y0,
                                    x0 + dx + 2.0 * eps,
                                    y0 + dy + 2.0 * eps,
                                ) {
                                    touched[k] = true;
                                }
                            }
                        }
                    }
                }
                let mut out = Vec::new();
                for j in j0..=j1 {
                    for i in i0..=i1 {
                        let cell = (j * nx + i) as u64;
                        if touched[(j - j0) * w + (i - i0)] {
                            out.push(cell << 33 | (gi as u64) << 1);
                        } else {
                            let c = Coord {
                                x: ox + (i as f64 + 0.5) * dx,
                                y: oy + (j as f64 + 0.5) * dy,
                            };
                            if position_in(poly, c) == CoordPos::Inside {
                                out.push(cell << 33 | (gi as u64) << 1 | 1);
                            }
                        }
                    }
                }
                out.into_iter()
            })
            .collect();
        pairs.par_sort_unstable();

        let mut cells = vec![EMPTY; nx * ny];
        let mut lists = Vec::new();
        let mut k = 0;
        while k < pairs.len() {
            let cell = (pairs[k] >> 33) as usize;
            let mut end = k + 1;
            while end < pairs.len() && (pairs[end] >> 33) as usize == cell {
                end += 1;
            }
            let grid = |p: u64| ((p >> 1) & 0xFFFF_FFFF) as u32;
            if end - k == 1 && pairs[k] & 1 == 1 {
                cells[cell] = grid(pairs[k]);
            } else {
                cells[cell] = LIST | lists.len() as u32;
                lists.push((end - k) as u32);
                lists.extend(pairs[k..end].iter().map(|&p| grid(p)));
            }
            k = end;
        }
        Self {
            ox,
            oy,
            dx,
            dy,
            nx,
            ny,
            cells,
            lists,
            rings: FlatRings::build(idx),
        }
    }

    /// Number of raster cells, and how many of them are interior (answered without a test).
    pub fn stats(&self) -> (usize, usize) {
        (
            self.cells.len(),
            self.cells
                .iter()
                .filter(|&&c| c != EMPTY && c & LIST == 0)
                .count(),
        )
    }

    /// The grid at one point (same answer as [`SpatialIndex::grid_at`]).
    #[inline]
    pub fn locate(&self, idx: &SpatialIndex, lon: f64, lat: f64) -> Option<usize> {
        let fx = (lon - self.ox) / self.dx;
        let fy = (lat - self.oy) / self.dy;
        if !(fx >= 0.0 && fy >= 0.0 && fx < self.nx as f64 && fy < self.ny as f64) {
            return idx.grid_at(lon, lat);
        }
        let cell = self.cells[fy as usize * self.nx + fx as usize];
        if cell == EMPTY {
            return None;
        }
        if cell & LIST == 0 {
            return Some(cell as usize);
        }
        let off = (cell & !LIST) as usize;
        let n = self.lists[off] as usize;
        pick_by_rule(
            self.lists[off + 1..=off + n].iter().map(|&g| g as usize),
            |g| self.rings.position(g, [lon, lat]),
            |g| idx.grids[g].code,
        )
    }

    /// Locates many points in parallel; `None` for points outside every active grid.
    ///
    /// Large batches are first bucketed by raster row band (a counting sort), so each thread
    /// walks the raster and the grids' rings band by band while they are in cache instead of
    /// jumping across the whole district for every point; the results are then scattered back to
    /// input order. The answers are those of [`GridLocator::locate`].
    pub fn locate_many(&self, idx: &SpatialIndex, pts: &[[f64; 2]]) -> Vec<Option<u32>> {
        const BAND: usize = 8;
        if pts.len() < 65_536 || self.cells.is_empty() {
            let mut out = vec![None; pts.len()];
            out.par_chunks_mut(4096)
                .zip(pts.par_chunks(4096))
                .for_each(|(o, p)| {
                    for (o, p) in o.iter_mut().zip(p) {
                        *o = self.locate(idx, p[0], p[1]).map(|g| g as u32);
                    }
                });
            return out;
        }
        let nb = self.ny / BAND + 2;
        let outside = (nb - 1) as u32;
        let band_of = |p: &[f64; 2]| -> u32 {
            let fy = (p[1] - self.oy) / self.dy;
            let fx = (p[0] - self.ox) / self.dx;
            if fx >= 0.0 && fy >= 0.0 && fx < self.nx as f64 && fy < self.ny as f64 {
                (fy as usize / BAND) as u32
            } else {
                outside
            }
        };
        let bands: Vec<u32> = pts.par_iter().map(band_of).collect();
        let mut start = vec![0usize; nb + 1];
        for &b in &bands {
            start[b as usize + 1] += 1;
        }
        for i in 0..nb {
            start[i + 1] += start[i];
        }
        let mut order = vec![0u32; pts.len()];
        let mut sorted = vec![[0f64; 2]; pts.len()];
        let mut pos = start;
        for (i, (&b, p)) in bands.iter().zip(pts).enumerate() {
            let k = &mut pos[b as usize];
            order[*k] = i as u32;
            sorted[*k] = *p;
            *k += 1;
        }
        let mut res = vec![None; pts.len()];
        res.par_chunks_mut(8192)
            .zip(sorted.par_chunks(8192))
            .for_each(|(o, p)| {
                for (o, p) in o.iter_mut().zip(p) {
                    *o = self.locate(idx, p[0], p[1]).map(|g| g as u32);
                }
            });
        let mut out = vec![None; pts.len()];
        for (&i, r) in order.iter().zip(res) {
            out[i as usize] = r;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_rect() {
        let c = |x, y| Coord { x, y };
        assert!(segment_touches_rect(
            c(-1., 0.5),
            c(2., 0.5),
            0.,
            0.,
            1.,
            1.
        ));
        assert!(segment_touches_rect(c(1., 1.), c(2., 2.), 0., 0., 1., 1.)); // touches a corner
        assert!(!segment_touches_rect(c(1.1, 0.), c(2., 2.), 0., 0., 1., 1.));
        assert!(segment_touches_rect(
            c(0.2, 0.2),
            c(0.3, 0.3),
            0.,
            0.,
            1.,
            1.
        )); // inside
        assert!(!segment_touches_rect(
            c(-1., 2.),
            c(2., 1.5),
            0.,
            0.,
            1.,
            1.
        ));
        assert!(segment_touches_rect(c(0., -1.), c(0., 2.), 0., 0., 1., 1.)); // along an edge
    }
}
