//! Geodesic measures and local projections on WGS84 / CGCS2000 lon-lat coordinates.

use geo::{GeodesicArea, Polygon};

/// Mean Earth radius used for local (small-area) projections, metres.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Geodesic area of a lon/lat polygon in m² (Karney's algorithm on the WGS84 ellipsoid).
pub fn area_m2(p: &Polygon<f64>) -> f64 {
    p.geodesic_area_unsigned()
}

/// An equirectangular projection centred on a point: good to well under 0.1 % over a district.
#[derive(Debug, Clone, Copy)]
pub struct LocalProjection {
    lon0: f64,
    lat0: f64,
    kx: f64,
    ky: f64,
}

impl LocalProjection {
    /// A projection centred at `(lon0, lat0)`.
    pub fn new(lon0: f64, lat0: f64) -> Self {
        let ky = EARTH_RADIUS_M.to_radians();
        Self {
            lon0,
            lat0,
            kx: ky * lat0.to_radians().cos(),
            ky,
        }
    }
    /// lon/lat → metres east/north of the centre.
    pub fn forward(&self, lon: f64, lat: f64) -> (f64, f64) {
        ((lon - self.lon0) * self.kx, (lat - self.lat0) * self.ky)
    }
    /// metres east/north → lon/lat.
    pub fn inverse(&self, x: f64, y: f64) -> (f64, f64) {
        (self.lon0 + x / self.kx, self.lat0 + y / self.ky)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn hectare_square_is_about_10000_m2() {
        let p = LocalProjection::new(121.26, 28.64);
        let (a, b) = (p.inverse(0.0, 0.0), p.inverse(100.0, 100.0));
        let poly = polygon![(x: a.0, y: a.1), (x: b.0, y: a.1), (x: b.0, y: b.1), (x: a.0, y: b.1)];
        let area = area_m2(&poly);
        assert!((area - 10_000.0).abs() < 30.0, "{area}");
    }
}
