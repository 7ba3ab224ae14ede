//! The irregular, road-following tiling behind the sample unit grids.
//!
//! Method:
//! 1. Seeds sit on a lattice `(i, j)` that is *warped* into the plane (metres, local projection):
//!    a radial density law (cells grow from ≈ 7 500 m² in the commercial centre to ≈ 12 000 m²
//!    outside, for load balance), a base rotation, and a divergence-free low-frequency
//!    displacement field (curving roads, orientation varying over the district).
//! 2. Every 4–7 lattice lines an *arterial* is chosen in each direction. The two seeds either side
//!    of an arterial are placed as exact mirror images across the arterial's local tangent, so the
//!    Voronoi edges between them run along the arterial as one continuous, smooth road. Two
//!    lattice rows north of the centre form the river (水域), bounded by arterials on both banks.
//!    All other seeds get a random jitter (±17 % of the spacing): local streets are irregular and
//!    meet the arterials in T-junctions.
//! 3. Voronoi cells (spade's Delaunay triangulation) are built in metres; circumcentres closer than
//!    0.5 m are merged (collapsing degenerate edges at four-way junctions) and each Voronoi vertex
//!    is converted to lon/lat exactly once, so neighbouring cells share bit-identical vertices.
//! 4. The core region is the set of cells whose seed has the smallest "blob radius" (an irregular,
//!    east-west elongated shape), limited to the district outline minus a margin; only bounded
//!    cells are kept, so nothing is clipped and the core's outer edge follows roads. The largest
//!    connected part is kept and enclosed holes are filled.
//! 5. Cells whose area falls outside the permitted range get their seed re-jittered (or their
//!    neighbours', for arterial seeds) and the diagram is rebuilt, a few rounds at most.

use crate::error::{Error, Result};
use griddesk_planning::planning::detmath::{hash, ring_area, sincos, unit, Proj};
use spade::{DelaunayTriangulation, HasPosition, Point2, Triangulation};

/// Base lattice spacing at the commercial centre, metres.
const S0: f64 = 86.6;
/// Relative growth of the spacing away from the centre (saturating).
const DENSITY_GAIN: f64 = 0.28;
/// Radius over which the spacing grows, metres.
const DENSITY_RADIUS: f64 = 1_200.0;
/// Base rotation of the street pattern, radians (≈ 12°).
const BASE_ROTATION: f64 = 0.21;
/// Random jitter of ordinary seeds, in lattice units.
const JITTER: f64 = 0.17;
/// Circumcentres closer than this are merged into one Voronoi vertex, metres.
const MERGE_EPS: f64 = 0.5;
/// Rounds of area repair.
const REPAIR_ROUNDS: u32 = 8;
/// Rows of the river, relative to the lattice origin.
const RIVER_ROW: i32 = 8;

/// Where the core may extend (district outline in metres, minus a margin).
#[derive(Debug, Clone)]
pub struct Outline {
    pub rings: Vec<Vec<[f64; 2]>>,
    pub margin: f64,
}

impl Outline {
    fn admits(&self, p: [f64; 2]) -> bool {
        let mut inside = false;
        let mut dmin2 = f64::INFINITY;
        for ring in &self.rings {
            let n = ring.len();
            for k in 0..n {
                let a = ring[k];
                let b = ring[(k + 1) % n];
                if (a[1] > p[1]) != (b[1] > p[1]) {
                    let x = a[0] + (p[1] - a[1]) / (b[1] - a[1]) * (b[0] - a[0]);
                    if p[0] < x {
                        inside = !inside;
                    }
                }
                dmin2 = dmin2.min(seg_dist2(p, a, b));
            }
        }
        inside && dmin2 >= self.margin * self.margin
    }
}

fn seg_dist2(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let l2 = dx * dx + dy * dy;
    let t = if l2 > 0.0 {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / l2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (qx, qy) = (a[0] + t * dx - p[0], a[1] + t * dy - p[1]);
    qx * qx + qy * qy
}

/// Inputs of the tiling.
#[derive(Debug, Clone)]
pub struct TilingParams {
    pub seed: u64,
    pub target: usize,
    pub min_area: f64,
    pub max_area: f64,
    pub outline: Option<Outline>,
    /// Commercial centre, metres from the projection centre.
    pub centre: [f64; 2],
}

/// One unit-grid cell.
#[derive(Debug, Clone)]
pub struct Cell {
    pub seed: [f64; 2],
    /// Vertex ids, counter-clockwise, not closed.
    pub ring: Vec<u32>,
    /// `nbs[k]` = cell across edge `ring[k] → ring[k+1]`, or [`NONE`] at the core's edge.
    pub nbs: Vec<u32>,
    /// Planar area in the local projection, m².
    pub area: f64,
    pub j: i32,
    /// Blob radius of the seed (0 = centre of the core).
    pub rho: f64,
    pub water: bool,
    /// Row arterial this cell borders.
    pub art_row: Option<i32>,
    /// Column arterial this cell borders.
    pub art_col: Option<i32>,
}

/// "No neighbour".
pub const NONE: u32 = u32::MAX;

/// The finished tiling.
#[derive(Debug, Clone)]
pub struct Tiling {
    pub verts: Vec<[f64; 2]>,
    pub cells: Vec<Cell>,
    /// Blob radius of the outermost kept seed.
    pub rho_max: f64,
}

impl Tiling {
    /// Whether the edge `k` of cell `c` is an arterial road.
    pub fn is_arterial(&self, c: usize, k: usize) -> bool {
        let a = &self.cells[c];
        let nb = a.nbs[k];
        if nb == NONE {
            return false;
        }
        let b = &self.cells[nb as usize];
        (a.art_row.is_some() && a.art_row == b.art_row && a.j != b.j)
            || (a.art_col.is_some() && a.art_col == b.art_col && a.j == b.j)
    }
}

struct Lattice {
    seed: u64,
    m: i32,
    width: usize,
    row_lines: Vec<bool>,
    col_lines: Vec<bool>,
    rot: (f64, f64),
    waves: Vec<[f64; 4]>,
    centre: [f64; 2],
}

impl Lattice {
    fn new(seed: u64, m: i32, centre: [f64; 2]) -> Self {
        let width = (2 * m + 1) as usize;
        let lines = |salt: u64, river: bool| {
            let mut v = vec![false; width];
            let mut k = -m;
            let mut phase = (hash(&[seed, salt]) % 4) as i32;
            while k < m {
                if phase == 0 {
                    v[(k + m) as usize] = true;
                    phase = 4 + (hash(&[seed, salt, k as u64]) % 4) as i32;
                }
                phase -= 1;
                k += 1;
            }
            if river {
                for k in RIVER_ROW - 4..=RIVER_ROW + 4 {
                    if (-m..m).contains(&k) {
                        v[(k + m) as usize] = k == RIVER_ROW - 1 || k == RIVER_ROW + 1;
                    }
                }
            }
            v
        };
        let rot = sincos(BASE_ROTATION);
        // Divergence-free displacement: D = curl of a sum of plane waves [amp, kx, ky, phase].
        let mut waves = Vec::new();
        for (n, (wavelength, grad)) in [(3_400.0, 0.12), (2_600.0, 0.10), (1_300.0, 0.07)]
            .into_iter()
            .enumerate()
        {
            let h = hash(&[seed, 77, n as u64]);
            let ang = unit(h) * std::f64::consts::TAU;
            let (s, c) = sincos(ang);
            let kk = std::f64::consts::TAU / wavelength;
            let amp = grad / (kk * kk);
            waves.push([
                amp,
                kk * c,
                kk * s,
                unit(hash(&[h, 1])) * std::f64::consts::TAU,
            ]);
        }
        Self {
            seed,
            m,
            width,
            row_lines: lines(11, true),
            col_lines: lines(23, false),
            rot,
            waves,
            centre,
        }
    }

    fn len(&self) -> usize {
        self.width * self.width
    }

    fn ij(&self, k: usize) -> (i32, i32) {
        (
            (k % self.width) as i32 - self.m,
            (k / self.width) as i32 - self.m,
        )
    }

    fn is_row_line(&self, l: i32) -> bool {
        (-self.m..self.m).contains(&l) && self.row_lines[(l + self.m) as usize]
    }

    fn is_col_line(&self, l: i32) -> bool {
        (-self.m..self.m).contains(&l) && self.col_lines[(l + self.m) as usize]
    }

    /// Row arterial bordering row `j` (line `l` lies between rows `l` and `l + 1`).
    fn row_line_of(&self, j: i32) -> Option<i32> {
        if self.is_row_line(j) {
            Some(j)
        } else if self.is_row_line(j - 1) {
            Some(j - 1)
        } else {
            None
        }
    }

    fn col_line_of(&self, i: i32) -> Option<i32> {
        if self.is_col_line(i) {
            Some(i)
        } else if self.is_col_line(i - 1) {
            Some(i - 1)
        } else {
            None
        }
    }

    /// Lattice coordinates → metres.
    fn warp(&self, u: f64, v: f64) -> [f64; 2] {
        let (x0, y0) = (u * S0, v * S0);
        let r = (x0 * x0 + y0 * y0).sqrt();
        let sigma = 1.0 + DENSITY_GAIN * r / (r + DENSITY_RADIUS);
        let (x1, y1) = (x0 * sigma, y0 * sigma);
        let (s, c) = self.rot;
        let (mut x, mut y) = (x1 * c - y1 * s, x1 * s + y1 * c);
        let (px, py) = (x, y);
        for w in &self.waves {
            let (_, cw) = sincos(w[1] * px + w[2] * py + w[3]);
            x += w[0] * cw * w[2];
            y -= w[0] * cw * w[1];
        }
        [x + self.centre[0], y + self.centre[1]]
    }

    fn jitter(&self, a: u64, b: u64, c: u64) -> f64 {
        (unit(hash(&[self.seed, a, b, c])) * 2.0 - 1.0) * JITTER
    }

    fn seed_pos(&self, k: usize, salt: u32) -> [f64; 2] {
        let (i, j) = self.ij(k);
        let (fi, fj) = (f64::from(i), f64::from(j));
        match (self.row_line_of(j), self.col_line_of(i)) {
            (None, None) => {
                let h = (i as u64) << 32 ^ (j as u32 as u64);
                self.warp(
                    fi + self.jitter(1, h, u64::from(salt)),
                    fj + self.jitter(2, h, u64::from(salt)),
                )
            }
            (Some(l), None) => {
                let u = fi + self.jitter(3, i as u64, 0);
                let lv = f64::from(l) + 0.5;
                let m = self.warp(u, lv);
                let t = unit_vec(sub(self.warp(u + 0.01, lv), self.warp(u - 0.01, lv)));
                let across = sub(self.warp(u, lv + 0.5), self.warp(u, lv - 0.5));
                let mut n = [-t[1], t[0]];
                if dot(n, across) < 0.0 {
                    n = [-n[0], -n[1]];
                }
                let d = norm(across) * 0.5;
                let side = if j == l { -1.0 } else { 1.0 };
                add(m, scale(n, side * d))
            }
            (None, Some(l)) => {
                let v = fj + self.jitter(4, j as u64, 0);
                let lu = f64::from(l) + 0.5;
                let m = self.warp(lu, v);
                let t = unit_vec(sub(self.warp(lu, v + 0.01), self.warp(lu, v - 0.01)));
                let across = sub(self.warp(lu + 0.5, v), self.warp(lu - 0.5, v));
                let mut n = [-t[1], t[0]];
                if dot(n, across) < 0.0 {
                    n = [-n[0], -n[1]];
                }
                let d = norm(across) * 0.5;
                let side = if i == l { -1.0 } else { 1.0 };
                add(m, scale(n, side * d))
            }
            (Some(lr), Some(lc)) => {
                let (cu, cv) = (f64::from(lc) + 0.5, f64::from(lr) + 0.5);
                let c = self.warp(cu, cv);
                let t = unit_vec(sub(self.warp(cu + 0.01, cv), self.warp(cu - 0.01, cv)));
                let along = sub(self.warp(cu + 0.5, cv), self.warp(cu - 0.5, cv));
                let across = sub(self.warp(cu, cv + 0.5), self.warp(cu, cv - 0.5));
                let mut n = [-t[1], t[0]];
                if dot(n, across) < 0.0 {
                    n = [-n[0], -n[1]];
                }
                let su = if i == lc { -0.5 } else { 0.5 };
                let sv = if j == lr { -0.5 } else { 0.5 };
                add(
                    c,
                    add(scale(t, su * norm(along)), scale(n, sv * norm(across))),
                )
            }
        }
    }

    fn is_free(&self, k: usize) -> bool {
        let (i, j) = self.ij(k);
        self.row_line_of(j).is_none() && self.col_line_of(i).is_none()
    }
}

fn sub(a: [f64; 2], b: [f64; 2]) -> [f64; 2] {
    [a[0] - b[0], a[1] - b[1]]
}
fn add(a: [f64; 2], b: [f64; 2]) -> [f64; 2] {
    [a[0] + b[0], a[1] + b[1]]
}
fn scale(a: [f64; 2], s: f64) -> [f64; 2] {
    [a[0] * s, a[1] * s]
}
fn dot(a: [f64; 2], b: [f64; 2]) -> f64 {
    a[0] * b[0] + a[1] * b[1]
}
fn norm(a: [f64; 2]) -> f64 {
    dot(a, a).sqrt()
}
fn unit_vec(a: [f64; 2]) -> [f64; 2] {
    let n = norm(a);
    [a[0] / n, a[1] / n]
}

/// Blob radius: distance from the core's centre divided by an irregular, elongated shape.
fn blob_rho(p: [f64; 2], centre: [f64; 2]) -> f64 {
    let (dx, dy) = ((p[0] - centre[0]) / 1.3, p[1] - centre[1]);
    let r = (dx * dx + dy * dy).sqrt();
    if r < 1e-9 {
        return 0.0;
    }
    let (c, s) = (dx / r, dy / r);
    let shape = 1.0
        + 0.08 * (2.0 * c * s)
        + 0.07 * (4.0 * c * c * c - 3.0 * c)
        + 0.05 * (3.0 * s - 4.0 * s * s * s);
    r / shape
}

struct Dsu(Vec<u32>);
impl Dsu {
    fn find(&mut self, mut x: u32) -> u32 {
        while self.0[x as usize] != x {
            let p = self.0[self.0[x as usize] as usize];
            self.0[x as usize] = p;
            x = p;
        }
        x
    }
    fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.0[hi as usize] = lo;
        }
    }
}

#[derive(Clone, Copy)]
struct SeedPt([f64; 2]);
impl HasPosition for SeedPt {
    type Scalar = f64;
    fn position(&self) -> Point2<f64> {
        Point2::new(self.0[0], self.0[1])
    }
}

struct RawCell {
    /// (face root, neighbour lattice index) per edge start.
    ring: Vec<(u32, usize)>,
}

/// Builds the tiling (deterministic for `p.seed`).
pub fn build(p: &TilingParams) -> Result<Tiling> {
    if p.target < 3 {
        return Err(Error::Internal(
            "a sample district needs at least 3 grids".into(),
        ));
    }
    let mean_area = 10_500.0;
    let b = (p.target as f64 * mean_area / (std::f64::consts::PI * 1.3)).sqrt();
    let extent = 1.3 * b * 1.25 + 700.0 + norm(p.centre);
    let m = (extent / S0).ceil() as i32 + 6;
    let lat = Lattice::new(p.seed, m, p.centre);
    let blob_centre = [p.centre[0] - 150.0, p.centre[1]];
    let n = lat.len();
    let mut salt = vec![0u32; n];
    let mut round = 0;
    loop {
        let seeds: Vec<[f64; 2]> = (0..n).map(|k| lat.seed_pos(k, salt[k])).collect();
        let rho: Vec<f64> = seeds
            .iter()
            .map(|&s| match &p.outline {
                Some(o) if !o.admits(s) => f64::INFINITY,
                _ => blob_rho(s, blob_centre),
            })
            .collect();
        let mut order: Vec<usize> = (0..n).filter(|&k| rho[k].is_finite()).collect();
        order.sort_by(|&a, &b| rho[a].total_cmp(&rho[b]).then(a.cmp(&b)));
        if order.len() < p.target {
            return Err(Error::Internal(format!(
                "the core region holds only {} cells, fewer than the {} asked for",
                order.len(),
                p.target
            )));
        }
        let cut = rho[order[p.target - 1]];
        // Triangulate the candidates (selected + a ring of neighbours).
        let cand: Vec<usize> = order
            .iter()
            .copied()
            .take_while(|&k| rho[k] <= cut + 450.0)
            .collect();
        let mut lattice_to_cand = vec![u32::MAX; n];
        for (ci, &k) in cand.iter().enumerate() {
            lattice_to_cand[k] = ci as u32;
        }
        let pts: Vec<SeedPt> = cand.iter().map(|&k| SeedPt(seeds[k])).collect();
        let dt = DelaunayTriangulation::<SeedPt>::bulk_load_stable(pts)
            .map_err(|e| Error::Geometry(format!("Delaunay triangulation failed: {e:?}")))?;
        if dt.num_vertices() != cand.len() {
            return Err(Error::Geometry("duplicate seed points".into()));
        }
        // Circumcentres and merging of near-coincident ones.
        let nf = dt.num_all_faces();
        let mut cc = vec![[f64::NAN; 2]; nf];
        for f in dt.inner_faces() {
            let c = f.circumcenter();
            cc[f.fix().index()] = [c.x, c.y];
        }
        let mut dsu = Dsu((0..nf as u32).collect());
        for e in dt.undirected_edges() {
            let d = e.as_directed();
            let (fa, fb) = (d.face(), d.rev().face());
            if let (Some(a), Some(b)) = (fa.as_inner(), fb.as_inner()) {
                let (ia, ib) = (a.fix().index(), b.fix().index());
                let dd = sub(cc[ia], cc[ib]);
                if dot(dd, dd) < MERGE_EPS * MERGE_EPS {
                    dsu.union(ia as u32, ib as u32);
                }
            }
        }
        // Raw cells for candidates with bounded Voronoi cells.
        let mut raw: Vec<Option<RawCell>> = Vec::with_capacity(cand.len());
        for v in dt.vertices() {
            let mut ring = Vec::new();
            let mut bounded = true;
            let edges: Vec<_> = v.out_edges().collect();
            if edges.is_empty() {
                bounded = false;
            }
            for (q, e) in edges.iter().enumerate() {
                let Some(f) = e.face().as_inner() else {
                    bounded = false;
                    break;
                };
                // Edge from this face's centre to the next face's centre is dual to edges[q + 1].
                let next = edges[(q + 1) % edges.len()];
                ring.push((
                    dsu.find(f.fix().index() as u32),
                    cand[next.to().fix().index()],
                ));
            }
            if bounded {
                // Collapse zero-length edges: keep the neighbour of the edge that follows.
                let mut clean: Vec<(u32, usize)> = Vec::with_capacity(ring.len());
                for (f, nb) in ring {
                    match clean.last_mut() {
                        Some(last) if last.0 == f => last.1 = nb,
                        _ => clean.push((f, nb)),
                    }
                }
                let mut ring = clean;
                while ring.len() > 1 && ring[0].0 == ring[ring.len() - 1].0 {
                    // The last edge is degenerate: drop it (its start equals the first start).
                    ring.pop();
                }
                raw.push(if ring.len() >= 3 {
                    Some(RawCell { ring })
                } else {
                    None
                });
            } else {
                raw.push(None);
            }
        }
        let area_of = |ci: usize, dsu: &mut Dsu| -> f64 {
            raw[ci].as_ref().map_or(0.0, |c| {
                let pts: Vec<[f64; 2]> = c
                    .ring
                    .iter()
                    .map(|&(f, _)| cc[dsu.find(f) as usize])
                    .collect();
                ring_area(pts.into_iter())
            })
        };
        // Selection, connectivity, holes.
        let mut sel = vec![false; cand.len()];
        for &k in order.iter().take(p.target) {
            let ci = lattice_to_cand[k] as usize;
            sel[ci] = raw[ci].is_some();
        }
        let nbrs = |ci: usize| -> Vec<usize> {
            raw[ci]
                .as_ref()
                .map(|c| {
                    c.ring
                        .iter()
                        .map(|&(_, k)| lattice_to_cand[k])
                        .filter(|&x| x != u32::MAX)
                        .map(|x| x as usize)
                        .collect()
                })
                .unwrap_or_default()
        };
        // Keep the component of the most central selected cell.
        let start = order
            .iter()
            .map(|&k| lattice_to_cand[k] as usize)
            .find(|&ci| sel[ci]);
        let mut keep = vec![false; cand.len()];
        if let Some(s0) = start {
            let mut stack = vec![s0];
            keep[s0] = true;
            while let Some(c) = stack.pop() {
                for nb in nbrs(c) {
                    if sel[nb] && !keep[nb] {
                        keep[nb] = true;
                        stack.push(nb);
                    }
                }
            }
        }
        // Outside = unkept cells connected (through unkept cells) to an unbounded cell.
        let mut outside = vec![false; cand.len()];
        let mut stack: Vec<usize> = (0..cand.len()).filter(|&ci| raw[ci].is_none()).collect();
        for &c in &stack {
            outside[c] = true;
        }
        while let Some(c) = stack.pop() {
            // Unbounded cells have no ring; walk the triangulation instead.
            let v = dt.vertex(spade::handles::FixedVertexHandle::from_index(c));
            for e in v.out_edges() {
                let nb = e.to().fix().index();
                if !keep[nb] && !outside[nb] {
                    outside[nb] = true;
                    stack.push(nb);
                }
            }
        }
        for ci in 0..cand.len() {
            if !keep[ci] && !outside[ci] && raw[ci].is_some() {
                keep[ci] = true;
            }
        }
        // Area check.
        let (lo, hi) = (p.min_area * 1.015, p.max_area * 0.985);
        let mut bad = Vec::new();
        for (ci, &kept) in keep.iter().enumerate() {
            if kept {
                let a = area_of(ci, &mut dsu);
                if !(lo..=hi).contains(&a) {
                    bad.push(ci);
                }
            }
        }
        if bad.is_empty() || round >= REPAIR_ROUNDS {
            return Ok(finish(
                &lat,
                &seeds,
                &rho,
                &cand,
                &lattice_to_cand,
                &raw,
                &keep,
                &cc,
                &mut dsu,
            ));
        }
        for &ci in &bad {
            let k = cand[ci];
            if lat.is_free(k) && round < REPAIR_ROUNDS / 2 {
                salt[k] += 1;
            } else {
                for nb in nbrs(ci) {
                    if lat.is_free(cand[nb]) {
                        salt[cand[nb]] += 1;
                    }
                }
            }
        }
        round += 1;
    }
}

#[allow(clippy::too_many_arguments)]
fn finish(
    lat: &Lattice,
    seeds: &[[f64; 2]],
    rho: &[f64],
    cand: &[usize],
    lattice_to_cand: &[u32],
    raw: &[Option<RawCell>],
    keep: &[bool],
    cc: &[[f64; 2]],
    dsu: &mut Dsu,
) -> Tiling {
    // Kept cells in candidate order (= blob-radius order, centre first).
    let mut cand_to_cell = vec![NONE; cand.len()];
    let mut next = 0u32;
    for (ci, &k) in keep.iter().enumerate() {
        if k {
            cand_to_cell[ci] = next;
            next += 1;
        }
    }
    let mut face_to_vert: std::collections::BTreeMap<u32, u32> = std::collections::BTreeMap::new();
    let mut verts = Vec::new();
    let mut cells = Vec::with_capacity(next as usize);
    let mut rho_max: f64 = 0.0;
    for (ci, rc) in raw.iter().enumerate() {
        if !keep[ci] {
            continue;
        }
        let Some(rc) = rc else { continue };
        let k = cand[ci];
        let (i, j) = lat.ij(k);
        let mut ring = Vec::with_capacity(rc.ring.len());
        let mut nbs = Vec::with_capacity(rc.ring.len());
        for &(f, nbk) in &rc.ring {
            let root = dsu.find(f);
            let id = *face_to_vert.entry(root).or_insert_with(|| {
                verts.push(cc[root as usize]);
                (verts.len() - 1) as u32
            });
            ring.push(id);
            let nc = lattice_to_cand[nbk];
            nbs.push(if nc == u32::MAX {
                NONE
            } else {
                cand_to_cell[nc as usize]
            });
        }
        let area = ring_area(ring.iter().map(|&v| verts[v as usize]));
        rho_max = rho_max.max(rho[k]);
        cells.push(Cell {
            seed: seeds[k],
            ring,
            nbs,
            area,
            j,
            rho: rho[k],
            water: j == RIVER_ROW || j == RIVER_ROW + 1,
            art_row: lat.row_line_of(j),
            art_col: lat.col_line_of(i),
        });
    }
    Tiling {
        verts,
        cells,
        rho_max,
    }
}

/// Projects lon/lat outline rings into metres.
pub fn outline_from_lonlat(proj: &Proj, rings: &[Vec<[f64; 2]>], margin: f64) -> Outline {
    Outline {
        rings: rings
            .iter()
            .map(|r| r.iter().map(|c| proj.fwd(c[0], c[1])).collect())
            .collect(),
        margin,
    }
}
