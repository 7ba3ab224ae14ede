//! The order in which the grids of one community are numbered (§1.3): rows of [`ROW_BAND_M`]
//! metres from the northernmost centroid southward, west→east inside a row.

use super::detmath::Proj;
use geo_types::{LineString, Polygon};

/// Height of the west→east rows used to number grids within a community, metres (≈ a typical
/// grid's size).
pub const ROW_BAND_M: f64 = 100.0;

/// Origin of the projection the rows are measured in (only its latitude's cosine scales
/// east–west distances; the numbering has always used this one).
const ORIGIN_LON: f64 = 121.26;
const ORIGIN_LAT: f64 = 28.64;

/// The order in which grids of one community are numbered: rows of [`ROW_BAND_M`] metres from
/// the northernmost centroid southward, west→east inside a row. Returns indices into `polys`.
pub fn sequence_order(polys: &[&Polygon<f64>]) -> Vec<usize> {
    let proj = Proj::new(ORIGIN_LON, ORIGIN_LAT);
    let cents: Vec<[f64; 2]> = polys
        .iter()
        .map(|p| {
            let c = ring_centroid(p.exterior());
            proj.fwd(c[0], c[1])
        })
        .collect();
    let top = cents.iter().map(|c| c[1]).fold(f64::NEG_INFINITY, f64::max);
    let mut idx: Vec<usize> = (0..polys.len()).collect();
    let key = |i: usize| {
        (
            ((top - cents[i][1]) / ROW_BAND_M).floor() as i64,
            cents[i][0],
        )
    };
    idx.sort_by(|&a, &b| {
        let (ka, kb) = (key(a), key(b));
        ka.0.cmp(&kb.0).then(ka.1.total_cmp(&kb.1)).then(a.cmp(&b))
    });
    idx
}

/// Area-weighted centroid of a closed ring (planar, in its own coordinates).
pub fn ring_centroid(ls: &LineString<f64>) -> [f64; 2] {
    let cs = &ls.0;
    let (ox, oy) = (cs[0].x, cs[0].y);
    let (mut a, mut cx, mut cy) = (0.0, 0.0, 0.0);
    for w in cs.windows(2) {
        let (x0, y0, x1, y1) = (w[0].x - ox, w[0].y - oy, w[1].x - ox, w[1].y - oy);
        let cr = x0 * y1 - x1 * y0;
        a += cr;
        cx += (x0 + x1) * cr;
        cy += (y0 + y1) * cr;
    }
    if a == 0.0 {
        return [ox, oy];
    }
    [ox + cx / (3.0 * a), oy + cy / (3.0 * a)]
}
