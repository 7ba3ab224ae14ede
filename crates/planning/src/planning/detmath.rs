//! Platform-independent arithmetic for the sample generator.
//!
//! The generator promises bit-identical output for a seed on every machine. IEEE 754 makes
//! `+ - * / sqrt` exact-rounded everywhere, but `sin`, `cos`, `exp`, `ln`, `atan2` come from the
//! platform's libm and may differ in the last bit. Everything that feeds generated coordinates,
//! codes or times therefore uses only basic operations and the polynomial [`sincos`] below.

use std::f64::consts::{FRAC_2_PI, FRAC_PI_2};

const PIO2_HI: f64 = FRAC_PI_2;
const PIO2_LO: f64 = 6.123_233_995_736_766e-17;

/// `(sin x, cos x)` from basic arithmetic only (Taylor series after reduction to ±π/4);
/// accurate to a few ulp for |x| < 1e6, identical on every IEEE 754 machine.
pub fn sincos(x: f64) -> (f64, f64) {
    let k = (x * FRAC_2_PI).round();
    let r = (x - k * PIO2_HI) - k * PIO2_LO;
    let r2 = r * r;
    let s = r
        * (1.0
            + r2 * (-1.0 / 6.0
                + r2 * (1.0 / 120.0
                    + r2 * (-1.0 / 5040.0
                        + r2 * (1.0 / 362_880.0
                            + r2 * (-1.0 / 39_916_800.0
                                + r2 * (1.0 / 6_227_020_800.0
                                    + r2 * (-1.0 / 1_307_674_368_000.0))))))));
    let c = 1.0
        + r2 * (-0.5
            + r2 * (1.0 / 24.0
                + r2 * (-1.0 / 720.0
                    + r2 * (1.0 / 40_320.0
                        + r2 * (-1.0 / 3_628_800.0
                            + r2 * (1.0 / 479_001_600.0 + r2 * (-1.0 / 87_178_291_200.0)))))));
    match (k as i64).rem_euclid(4) {
        0 => (s, c),
        1 => (c, -s),
        2 => (-s, -c),
        _ => (-c, s),
    }
}

/// SplitMix64 finaliser: a well-mixed 64-bit hash of `x`.
pub fn mix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Hash of several integers (order-sensitive).
pub fn hash(parts: &[u64]) -> u64 {
    parts
        .iter()
        .fold(0x243F_6A88_85A3_08D3, |h, &p| mix64(h ^ p))
}

/// Uniform value in `[0, 1)` from a hash.
pub fn unit(h: u64) -> f64 {
    (h >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
}

/// Equirectangular projection around a centre (the same formula as
/// [`crate::geodesy::LocalProjection`], with a deterministic cosine).
#[derive(Debug, Clone, Copy)]
pub struct Proj {
    lon0: f64,
    lat0: f64,
    kx: f64,
    ky: f64,
}

impl Proj {
    /// Projection centred at `(lon0, lat0)`.
    pub fn new(lon0: f64, lat0: f64) -> Self {
        let ky = crate::geodesy::EARTH_RADIUS_M * (std::f64::consts::PI / 180.0);
        let (_, c) = sincos(lat0 * (std::f64::consts::PI / 180.0));
        Self {
            lon0,
            lat0,
            kx: ky * c,
            ky,
        }
    }
    /// lon/lat → metres east/north.
    pub fn fwd(&self, lon: f64, lat: f64) -> [f64; 2] {
        [(lon - self.lon0) * self.kx, (lat - self.lat0) * self.ky]
    }
    /// metres east/north → lon/lat.
    pub fn inv(&self, p: [f64; 2]) -> [f64; 2] {
        [self.lon0 + p[0] / self.kx, self.lat0 + p[1] / self.ky]
    }
}

/// Signed area (shoelace) of a ring of planar points, positive when counter-clockwise.
pub fn ring_area(pts: impl Iterator<Item = [f64; 2]> + Clone) -> f64 {
    let mut it = pts.clone();
    let Some(first) = it.next() else { return 0.0 };
    let mut prev = first;
    let mut acc = 0.0;
    for p in it.chain(std::iter::once(first)) {
        acc += prev[0] * p[1] - p[0] * prev[1];
        prev = p;
    }
    acc * 0.5
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sincos_matches_libm_closely() {
        for i in -2000..2000 {
            let x = i as f64 * 0.0137;
            let (s, c) = sincos(x);
            assert!((s - x.sin()).abs() < 1e-14, "{x}");
            assert!((c - x.cos()).abs() < 1e-14, "{x}");
        }
    }
}
