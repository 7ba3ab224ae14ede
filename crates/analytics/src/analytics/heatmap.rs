//! Case heatmap: a Gaussian kernel density estimate on a raster over a box in the local metric
//! projection, in cases per km².
//!
//! Method (binned KDE): the selected cases are spread onto the raster's cell centres by linear
//! binning (each point shares its unit weight among the four nearest centres), then the binned
//! counts are convolved with a separable Gaussian of σ = bandwidth, truncated at
//! [`HeatmapParams::truncate`] σ and renormalised to keep the total mass. The raster is padded by
//! the kernel radius so that cases just outside the box still warm its edge. The result differs
//! from the exact KDE Σ K_h(x − xᵢ) by the binning error (O(cell²/h²)) and the truncated tail;
//! [`compare_exact`] measures it on chosen cells.
//!
//! For the map: [`Heatmap::rgba`] colours the raster with a ramp, [`Heatmap::png`] encodes it,
//! [`Heatmap::corners`] are the lon/lat corners a MapLibre image or canvas source takes, and
//! [`Heatmap::legend`] gives the colour stops with their density values.

use super::columns::CaseColumns;
use crate::error::{Error, Result};
use crate::message::{Message, MessageCode as C};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// What raster to compute.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HeatmapParams {
    /// Raster columns.
    pub width: usize,
    /// Raster rows.
    pub height: usize,
    /// Kernel bandwidth σ in metres.
    pub bandwidth_m: f64,
    /// `[west, south, east, north]` lon/lat; `None` = all cases' extent plus 3 bandwidths.
    pub bbox: Option<[f64; 4]>,
    /// Kernel truncation in σ (default 3: the kernel keeps 99.7 % of its mass per axis and is
    /// renormalised).
    pub truncate: f64,
}

impl Default for HeatmapParams {
    fn default() -> Self {
        Self {
            width: 1024,
            height: 1024,
            bandwidth_m: 150.0,
            bbox: None,
            truncate: 3.0,
        }
    }
}

/// A density raster.
#[derive(Debug, Clone, Serialize)]
pub struct Heatmap {
    pub width: usize,
    pub height: usize,
    /// `[west, south, east, north]` lon/lat.
    pub bbox: [f64; 4],
    /// lon/lat corners in MapLibre image-source order: top-left, top-right, bottom-right,
    /// bottom-left.
    pub corners: [[f64; 2]; 4],
    /// Metric box `[xmin, ymin, xmax, ymax]` in the snapshot's projection.
    pub box_m: [f64; 4],
    /// Cell size `[dx, dy]` in metres.
    pub cell_m: [f64; 2],
    pub bandwidth_m: f64,
    /// Cases that went into the estimate.
    pub cases: usize,
    /// Highest density, cases per km².
    pub max: f32,
    /// Cases per km², row-major, row 0 at the north edge.
    #[serde(skip)]
    pub density: Vec<f32>,
}

/// One legend entry: a density value (cases per km²) and its colour.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LegendStop {
    pub value: f64,
    pub rgba: [u8; 4],
}

/// Colour ramp (light yellow → dark red, alpha rising) as `(fraction of scale, rgba)`.
const RAMP: [(f32, [u8; 4]); 6] = [
    (0.0, [255, 255, 204, 0]),
    (0.1, [255, 237, 160, 130]),
    (0.3, [254, 178, 76, 175]),
    (0.5, [253, 141, 60, 205]),
    (0.7, [240, 59, 32, 225]),
    (1.0, [189, 0, 38, 240]),
];

/// The ramp colour at `t` in `[0, 1]`.
pub fn ramp(t: f32) -> [u8; 4] {
    let t = t.clamp(0.0, 1.0);
    for w in RAMP.windows(2) {
        let ((t0, c0), (t1, c1)) = (w[0], w[1]);
        if t <= t1 {
            let f = if t1 > t0 { (t - t0) / (t1 - t0) } else { 1.0 };
            let mut c = [0u8; 4];
            for k in 0..4 {
                c[k] = (f32::from(c0[k]) + f * (f32::from(c1[k]) - f32::from(c0[k]))).round() as u8;
            }
            return c;
        }
    }
    RAMP[RAMP.len() - 1].1
}

/// Discrete Gaussian weights for σ in cells, `radius` taps each side, summing to `scale`.
fn kernel(sigma: f64, radius: usize, scale: f64) -> Vec<f32> {
    let w: Vec<f64> = (0..=2 * radius)
        .map(|t| {
            let d = t as f64 - radius as f64;
            (-0.5 * (d / sigma).powi(2)).exp()
        })
        .collect();
    let s: f64 = w.iter().sum();
    w.iter().map(|v| (v / s * scale) as f32).collect()
}

impl Heatmap {
    /// The metric box a parameter set asks for.
    pub fn box_for(cols: &CaseColumns, p: &HeatmapParams) -> [f64; 4] {
        match p.bbox {
            Some([w, s, e, n]) => {
                let proj = cols.projection();
                let (x0, y0) = proj.forward(w, s);
                let (x1, y1) = proj.forward(e, n);
                [x0, y0, x1, y1]
            }
            None => {
                let e = cols.extent;
                let pad = 3.0 * p.bandwidth_m;
                if cols.is_empty() {
                    [-pad, -pad, pad, pad]
                } else {
                    [
                        f64::from(e[0]) - pad,
                        f64::from(e[1]) - pad,
                        f64::from(e[2]) + pad,
                        f64::from(e[3]) + pad,
                    ]
                }
            }
        }
    }

    /// Computes the density of the cases in `rows` (rows of `cols`, e.g. from
    /// [`CompiledFilter::select`](super::CompiledFilter::select)).
    pub fn compute(cols: &CaseColumns, rows: &[u32], p: &HeatmapParams) -> Result<Self> {
        let bx = Self::box_for(cols, p);
        if p.width == 0 || p.height == 0 || p.width > 8192 || p.height > 8192 {
            return Err(Error::Invalid(
                Message::new(C::HeatmapSize)
                    .int("width", p.width)
                    .int("height", p.height)
                    .en(format!(
                        "heatmap size {}×{}: each side must be 1–8192 cells",
                        p.width, p.height
                    )),
            ));
        }
        if !(p.bandwidth_m > 0.0 && p.bandwidth_m.is_finite()) {
            return Err(Error::Invalid(
                Message::new(C::HeatmapBandwidth)
                    .length("bandwidth", p.bandwidth_m)
                    .en(format!(
                        "heatmap bandwidth {} m: must be a positive number of metres",
                        p.bandwidth_m
                    )),
            ));
        }
        if !(bx[2] > bx[0] && bx[3] > bx[1]) {
            return Err(Error::Invalid(
                Message::new(C::HeatmapBbox)
                    .en("heatmap bbox: west must be below east and south below north"),
            ));
        }
        let (w, h) = (p.width, p.height);
        let dx = (bx[2] - bx[0]) / w as f64;
        let dy = (bx[3] - bx[1]) / h as f64;
        let (sx, sy) = (p.bandwidth_m / dx, p.bandwidth_m / dy);
        let trunc = p.truncate.clamp(1.0, 8.0);
        // Radii are capped so that a bandwidth far above the box stays bounded.
        let rx = ((trunc * sx).ceil() as usize).clamp(1, 4 * w);
        let ry = ((trunc * sy).ceil() as usize).clamp(1, 4 * h);
        let (pw, ph) = (w + 2 * rx, h + 2 * ry);
        let binned = bin(
            cols,
            rows,
            [bx[0] - rx as f64 * dx, bx[3] + ry as f64 * dy],
            [dx, dy],
            pw,
            ph,
        );
        let kx = kernel(sx, rx, 1e6 / (dx * dy));
        let ky = kernel(sy, ry, 1.0);
        let density = convolve(&binned, pw, ph, w, h, &kx, &ky);
        let max = density.par_iter().cloned().reduce(|| 0.0, f32::max);
        let proj = cols.projection();
        let (west, south) = proj.inverse(bx[0], bx[1]);
        let (east, north) = proj.inverse(bx[2], bx[3]);
        Ok(Heatmap {
            width: w,
            height: h,
            bbox: [west, south, east, north],
            corners: [[west, north], [east, north], [east, south], [west, south]],
            box_m: bx,
            cell_m: [dx, dy],
            bandwidth_m: p.bandwidth_m,
            cases: rows.len(),
            max,
            density,
        })
    }

    /// Density at cell `(col, row)`, cases per km².
    pub fn at(&self, col: usize, row: usize) -> f32 {
        self.density[row * self.width + col]
    }

    /// Density under a lon/lat point (for a hover read-out), `None` outside the raster. The
    /// local projection is equirectangular, so lon/lat map linearly onto the raster.
    pub fn at_lonlat(&self, lon: f64, lat: f64) -> Option<f32> {
        let [w, s, e, n] = self.bbox;
        let c = ((lon - w) / (e - w) * self.width as f64).floor();
        let r = ((n - lat) / (n - s) * self.height as f64).floor();
        let ok = c >= 0.0 && r >= 0.0 && c < self.width as f64 && r < self.height as f64;
        ok.then(|| self.at(c as usize, r as usize))
    }

    /// Metric centre of cell `(col, row)`.
    pub fn cell_centre(&self, col: usize, row: usize) -> [f64; 2] {
        [
            self.box_m[0] + (col as f64 + 0.5) * self.cell_m[0],
            self.box_m[3] - (row as f64 + 0.5) * self.cell_m[1],
        ]
    }

    /// The scale top: `max` if given (keeps colours steady across playback frames), else the
    /// raster's own maximum.
    fn top(&self, max: Option<f64>) -> f32 {
        max.map_or(self.max, |m| m as f32).max(f32::MIN_POSITIVE)
    }

    /// RGBA pixels (row 0 north) coloured by [`ramp`] over `[0, max]`.
    pub fn rgba(&self, max: Option<f64>) -> Vec<u8> {
        let top = self.top(max);
        let mut out = vec![0u8; self.density.len() * 4];
        out.par_chunks_mut(4 * self.width)
            .zip(self.density.par_chunks(self.width))
            .for_each(|(px, d)| {
                for (p, &v) in px.chunks_exact_mut(4).zip(d) {
                    if v > 0.0 {
                        p.copy_from_slice(&ramp(v / top));
                    }
                }
            });
        out
    }

    /// The legend: five stops from a tenth of the scale to its top.
    pub fn legend(&self, max: Option<f64>) -> Vec<LegendStop> {
        let top = f64::from(self.top(max));
        RAMP[1..]
            .iter()
            .map(|&(t, c)| LegendStop {
                value: f64::from(t) * top,
                rgba: c,
            })
            .collect()
    }

    /// The coloured raster as a PNG file's bytes.
    pub fn png(&self, max: Option<f64>) -> Result<Vec<u8>> {
        encode_png(&self.rgba(max), self.width as u32, self.height as u32)
    }
}

/// Encodes RGBA pixels as PNG.
pub fn encode_png(rgba: &[u8], width: u32, height: u32) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut buf, width, height);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Fast);
        let mut wr = enc
            .write_header()
            .map_err(|e| Error::Internal(format!("PNG encoding: {e}")))?;
        wr.write_image_data(rgba)
            .map_err(|e| Error::Internal(format!("PNG encoding: {e}")))?;
    }
    Ok(buf)
}

/// Linear binning of the rows onto a `pw × ph` raster whose cell (0, 0) has its top-left corner
/// at `origin` = `[x_west, y_north]`; row index grows southward.
fn bin(
    cols: &CaseColumns,
    rows: &[u32],
    origin: [f64; 2],
    d: [f64; 2],
    pw: usize,
    ph: usize,
) -> Vec<f32> {
    // Scattering a million points straight into a raster of several MB misses the cache on
    // nearly every point (rows come in day order, not in space). So: first a streaming pass
    // that turns each point into (cell, fractions) grouped by bands of BAND raster rows, then
    // each band is spread into a strip small enough to stay in cache.
    const BAND: usize = 16;
    let bands = ph.div_ceil(BAND);
    let (ox, oy) = (origin[0] as f32, origin[1] as f32);
    let (ix, iy) = ((1.0 / d[0]) as f32, (1.0 / d[1]) as f32);
    let (wmax, hmax) = (pw as i64 - 1, ph as i64 - 1);
    let chunk = rows
        .len()
        .div_ceil(rayon::current_num_threads().max(1))
        .max(1 << 14);
    // Per chunk: points grouped by band as (cell index, fu, fv).
    type Binned = Vec<Vec<(u32, f32, f32)>>;
    let parts: Vec<Binned> = rows
        .par_chunks(chunk)
        .map(|chunk| {
            let mut by_band: Binned = vec![Vec::with_capacity(chunk.len() / bands + 16); bands];
            for &r in chunk {
                let r = r as usize;
                let u = (cols.x[r] - ox) * ix - 0.5;
                let v = (oy - cols.y[r]) * iy - 0.5;
                let (i, j) = (u.floor(), v.floor());
                let (fu, fv) = (u - i, v - j);
                let (i, j) = (i as i64, j as i64);
                if i < 0 || j < 0 || i >= wmax || j >= hmax {
                    continue;
                }
                let k = (j as usize * pw + i as usize) as u32;
                by_band[j as usize / BAND].push((k, fu, fv));
            }
            by_band
        })
        .collect();
    // Each band spreads into its own strip of BAND + 1 rows (the +1 takes the lower neighbours).
    let strips: Vec<Vec<f32>> = (0..bands)
        .into_par_iter()
        .map(|b| {
            let base = b * BAND * pw;
            let mut strip = vec![0f32; (BAND + 1) * pw];
            for part in &parts {
                for &(k, fu, fv) in &part[b] {
                    let k = k as usize - base;
                    strip[k] += (1.0 - fu) * (1.0 - fv);
                    strip[k + 1] += fu * (1.0 - fv);
                    strip[k + pw] += (1.0 - fu) * fv;
                    strip[k + pw + 1] += fu * fv;
                }
            }
            strip
        })
        .collect();
    let mut g = vec![0f32; pw * ph];
    for (b, strip) in strips.iter().enumerate() {
        let base = b * BAND * pw;
        let n = strip.len().min(g.len() - base);
        for (o, v) in g[base..base + n].iter_mut().zip(&strip[..n]) {
            *o += v;
        }
    }
    g
}

/// Separable convolution of the padded `pw × ph` raster, cropped to the inner `w × h`.
fn convolve(
    g: &[f32],
    pw: usize,
    ph: usize,
    w: usize,
    h: usize,
    kx: &[f32],
    ky: &[f32],
) -> Vec<f32> {
    let ry = (ky.len() - 1) / 2;
    let row_nonzero: Vec<bool> = g
        .par_chunks(pw)
        .map(|r| r.iter().any(|&v| v != 0.0))
        .collect();
    debug_assert_eq!(ph, h + 2 * ry);
    // The kernels are symmetric: k[t] = k[2r − t], so each pair of taps shares one multiply.
    // Vertical pass: output row j (inner) = Σ_t ky[t] · padded row (j + t).
    let mut tmp = vec![0f32; h * pw];
    let mut tmp_nonzero = vec![false; h];
    let prow = |i: usize| &g[i * pw..(i + 1) * pw];
    tmp.par_chunks_mut(pw)
        .zip(tmp_nonzero.par_iter_mut())
        .enumerate()
        .for_each(|(j, (out, nz))| {
            for (t, &k) in ky.iter().enumerate().take(ry + 1) {
                let (a, b) = (j + t, j + 2 * ry - t);
                let (na, nb) = (row_nonzero[a], a != b && row_nonzero[b]);
                match (na, nb) {
                    (false, false) => continue,
                    (true, true) => {
                        for ((o, &u), &v) in out.iter_mut().zip(prow(a)).zip(prow(b)) {
                            *o += k * (u + v);
                        }
                    }
                    (true, false) | (false, true) => {
                        let r = prow(if na { a } else { b });
                        for (o, &v) in out.iter_mut().zip(r) {
                            *o += k * v;
                        }
                    }
                }
                *nz = true;
            }
        });
    // Horizontal pass: out[x] = Σ_t kx[t] · tmp[x + t].
    let rx = (kx.len() - 1) / 2;
    let mut out = vec![0f32; w * h];
    out.par_chunks_mut(w).enumerate().for_each(|(j, o)| {
        if !tmp_nonzero[j] {
            return;
        }
        let row = &tmp[j * pw..(j + 1) * pw];
        for (t, &k) in kx.iter().enumerate().take(rx) {
            for ((o, &u), &v) in o
                .iter_mut()
                .zip(&row[t..t + w])
                .zip(&row[2 * rx - t..2 * rx - t + w])
            {
                *o += k * (u + v);
            }
        }
        let k = kx[rx];
        for (o, &v) in o.iter_mut().zip(&row[rx..rx + w]) {
            *o += k * v;
        }
    });
    out
}

/// The exact Gaussian KDE at metric point `at`, cases per km² (no binning, no truncation).
pub fn exact_density(cols: &CaseColumns, rows: &[u32], at: [f64; 2], bandwidth_m: f64) -> f64 {
    let inv = -0.5 / (bandwidth_m * bandwidth_m);
    let s: f64 = rows
        .par_iter()
        .map(|&r| {
            let dx = f64::from(cols.x[r as usize]) - at[0];
            let dy = f64::from(cols.y[r as usize]) - at[1];
            (inv * (dx * dx + dy * dy)).exp()
        })
        .sum();
    s / (2.0 * std::f64::consts::PI * bandwidth_m * bandwidth_m) * 1e6
}

/// How far a heatmap is from the exact KDE on a set of cells.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct KdeError {
    /// Cells compared.
    pub cells: usize,
    /// Largest absolute difference, cases per km².
    pub max_abs: f64,
    /// `max_abs` as a fraction of the raster's peak density.
    pub max_abs_of_peak: f64,
    /// Mean relative difference over the compared cells whose exact density is at least 1 % of
    /// the peak.
    pub mean_rel: f64,
    /// Largest relative difference over those cells.
    pub max_rel: f64,
}

/// Compares `hm` with the exact KDE on `cells` (`(col, row)` pairs).
pub fn compare_exact(
    hm: &Heatmap,
    cols: &CaseColumns,
    rows: &[u32],
    cells: &[(usize, usize)],
) -> KdeError {
    let peak = f64::from(hm.max).max(f64::MIN_POSITIVE);
    let (mut max_abs, mut sum_rel, mut n_rel, mut max_rel) = (0f64, 0f64, 0usize, 0f64);
    for &(c, r) in cells {
        let exact = exact_density(cols, rows, hm.cell_centre(c, r), hm.bandwidth_m);
        let got = f64::from(hm.at(c, r));
        let d = (got - exact).abs();
        max_abs = max_abs.max(d);
        if exact >= 0.01 * peak {
            sum_rel += d / exact;
            n_rel += 1;
            max_rel = max_rel.max(d / exact);
        }
    }
    KdeError {
        cells: cells.len(),
        max_abs,
        max_abs_of_peak: max_abs / peak,
        mean_rel: if n_rel > 0 {
            sum_rel / n_rel as f64
        } else {
            0.0
        },
        max_rel,
    }
}

/// `n` cells spread over the raster, half of them among the densest tenth (fixed choice).
pub fn sample_cells(hm: &Heatmap, n: usize) -> Vec<(usize, usize)> {
    let mut dense: Vec<usize> = (0..hm.density.len())
        .filter(|&i| hm.density[i] >= 0.1 * hm.max)
        .collect();
    let mut out = Vec::with_capacity(n);
    let stride_all = (hm.density.len() / (n / 2).max(1)).max(1);
    for k in 0..n / 2 {
        let i = (k * stride_all + stride_all / 2) % hm.density.len();
        out.push((i % hm.width, i / hm.width));
    }
    if !dense.is_empty() {
        let stride = (dense.len() / (n - n / 2).max(1)).max(1);
        dense = dense.into_iter().step_by(stride).collect();
        out.extend(
            dense
                .iter()
                .take(n - n / 2)
                .map(|&i| (i % hm.width, i / hm.width)),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::columns::tests::regions;
    use super::super::columns::{CaseRow, ClassKey};
    use super::*;
    use crate::code::ClassCode;
    use crate::model::{CaseKind, CaseSource, CaseStatus};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn cols_with(points: &[[f64; 2]]) -> CaseColumns {
        let proj = crate::geodesy::LocalProjection::new(121.26, 28.64);
        let rows = points.iter().enumerate().map(|(i, p)| {
            let (lon, lat) = proj.inverse(p[0], p[1]);
            CaseRow {
                id: format!("c{i}").into(),
                lon,
                lat,
                day: 20_000,
                class: ClassKey {
                    kind: CaseKind::Event,
                    code: ClassCode::parse("0101").expect("class"),
                },
                source: CaseSource::Patrol,
                status: CaseStatus::Closed,
                grid: 0,
            }
        });
        CaseColumns::from_rows(regions(), [121.26, 28.64], rows)
    }

    fn clustered(n: usize) -> Vec<[f64; 2]> {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let centres = [[0.0, 0.0], [1500.0, -800.0], [-2000.0, 1200.0]];
        (0..n)
            .map(|i| {
                if i % 4 == 3 {
                    [
                        rng.gen_range(-4000.0..4000.0),
                        rng.gen_range(-4000.0..4000.0),
                    ]
                } else {
                    let c = centres[i % 3];
                    let (a, r): (f64, f64) = (
                        rng.gen_range(0.0..std::f64::consts::TAU),
                        rng.gen_range(0.0f64..1.0).sqrt() * 400.0,
                    );
                    [c[0] + r * a.cos(), c[1] + r * a.sin()]
                }
            })
            .collect()
    }

    #[test]
    fn one_case_integrates_to_one() {
        let cols = cols_with(&[[10.0, -20.0]]);
        let rows = vec![0];
        // The default box reaches 3σ beyond the cases: it holds erf(3/√2)² = 99.46 % of the mass.
        let p = HeatmapParams {
            width: 200,
            height: 200,
            bandwidth_m: 100.0,
            bbox: None,
            truncate: 4.0,
        };
        let hm = Heatmap::compute(&cols, &rows, &p).expect("heatmap");
        let mass = |hm: &Heatmap| {
            let cell_km2 = hm.cell_m[0] * hm.cell_m[1] / 1e6;
            hm.density
                .iter()
                .map(|&v| f64::from(v) * cell_km2)
                .sum::<f64>()
        };
        assert!((mass(&hm) - 0.99461).abs() < 1e-3, "{}", mass(&hm));
        // A box of ±6σ holds all of it.
        let proj = cols.projection();
        let (w, s) = proj.inverse(-590.0, -620.0);
        let (e, n) = proj.inverse(610.0, 580.0);
        let wide = Heatmap::compute(
            &cols,
            &rows,
            &HeatmapParams {
                bbox: Some([w, s, e, n]),
                ..p
            },
        )
        .expect("heatmap");
        assert!((mass(&wide) - 1.0).abs() < 1e-3, "{}", mass(&wide));
        // Peak of a Gaussian of σ = 100 m: 1 / (2π σ²) per m² = 15.9 per km².
        let peak = 1e6 / (2.0 * std::f64::consts::PI * 1e4);
        assert!(
            (f64::from(hm.max) - peak).abs() / peak < 0.03,
            "{} vs {peak}",
            hm.max
        );
    }

    #[test]
    fn binned_estimate_is_close_to_the_exact_kde() {
        let pts = clustered(20_000);
        let cols = cols_with(&pts);
        let rows: Vec<u32> = (0..cols.len() as u32).collect();
        let p = HeatmapParams {
            width: 512,
            height: 512,
            bandwidth_m: 150.0,
            ..Default::default()
        };
        let hm = Heatmap::compute(&cols, &rows, &p).expect("heatmap");
        let err = compare_exact(&hm, &cols, &rows, &sample_cells(&hm, 200));
        eprintln!("{err:?}");
        // Cells of ≈ 17 m against σ = 150 m: the binning error is well under 1 %.
        assert!(err.max_abs_of_peak < 0.005, "{err:?}");
        assert!(err.mean_rel < 0.01, "{err:?}");
    }

    #[test]
    fn cases_outside_the_box_still_warm_its_edge() {
        let cols = cols_with(&[[0.0, 0.0], [5000.0, 5000.0]]);
        let proj = cols.projection();
        let (w, s) = proj.inverse(50.0, -500.0);
        let (e, n) = proj.inverse(1050.0, 500.0);
        let p = HeatmapParams {
            width: 100,
            height: 100,
            bandwidth_m: 100.0,
            bbox: Some([w, s, e, n]),
            truncate: 4.0,
        };
        let hm = Heatmap::compute(&cols, &[0, 1], &p).expect("heatmap");
        let exact = exact_density(&cols, &[0, 1], hm.cell_centre(0, 50), 100.0);
        let got = f64::from(hm.at(0, 50));
        assert!(
            exact > 5.0 && (got - exact).abs() / exact < 0.02,
            "{got} vs {exact}"
        );
        // The point at (5 km, 5 km) is far outside: nothing of it shows.
        assert_eq!(hm.at(99, 0), 0.0);
    }

    #[test]
    fn colours_and_legend_follow_the_scale() {
        let cols = cols_with(&clustered(2_000));
        let rows: Vec<u32> = (0..cols.len() as u32).collect();
        let hm = Heatmap::compute(
            &cols,
            &rows,
            &HeatmapParams {
                width: 64,
                height: 64,
                ..Default::default()
            },
        )
        .expect("heatmap");
        let px = hm.rgba(None);
        assert_eq!(px.len(), 64 * 64 * 4);
        let imax = hm.density.iter().position(|&v| v == hm.max).expect("max");
        assert_eq!(&px[imax * 4..imax * 4 + 4], &RAMP[5].1);
        let legend = hm.legend(Some(100.0));
        assert_eq!(legend.len(), 5);
        assert!((legend[4].value - 100.0).abs() < 1e-9);
        assert!(legend.windows(2).all(|w| w[0].value < w[1].value));
        let png = hm.png(None).expect("png");
        assert_eq!(&png[1..4], b"PNG");
        let [w, s, e, n] = hm.bbox;
        assert_eq!(hm.at_lonlat(w + 1e-9, n - 1e-9), Some(hm.at(0, 0)));
        assert_eq!(hm.at_lonlat(e - 1e-9, s + 1e-9), Some(hm.at(63, 63)));
        assert_eq!(hm.at_lonlat(e + 1.0, s), None);
        // MapLibre order: top-left first, north above south.
        assert!(hm.corners[0][1] > hm.corners[3][1] && hm.corners[1][0] > hm.corners[0][0]);
    }

    #[test]
    fn bad_parameters_are_refused() {
        let cols = cols_with(&[[0.0, 0.0]]);
        for p in [
            HeatmapParams {
                width: 0,
                ..Default::default()
            },
            HeatmapParams {
                bandwidth_m: -1.0,
                ..Default::default()
            },
            HeatmapParams {
                bbox: Some([1.0, 1.0, 0.0, 2.0]),
                ..Default::default()
            },
        ] {
            assert!(Heatmap::compute(&cols, &[0], &p).is_err());
        }
    }
}
