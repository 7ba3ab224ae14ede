//! Geodesic measures and local projections on WGS84 / CGCS2000 lon-lat coordinates.

use geo::{GeodesicArea, Polygon};

/// Surface area of the WGS84 ellipsoid, m².
const EARTH_AREA_M2: f64 = 510_065_621_724_088.4;

/// Mean Earth radius used for local (small-area) projections, metres.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Geodesic area of a lon/lat polygon in m² (Karney's algorithm on the WGS84 ellipsoid),
/// whatever the winding of its rings: Karney's unsigned area of a ring running the other way
/// is the rest of the Earth, so each ring counts with the smaller of the two, and the holes'
/// areas are taken from the exterior's.
pub fn area_m2(p: &Polygon<f64>) -> f64 {
    fn small(a: f64) -> f64 {
        a.min(EARTH_AREA_M2 - a).max(0.0)
    }
    if p.interiors().is_empty() {
        return small(p.geodesic_area_unsigned());
    }
    let ring =
        |r: &geo::LineString<f64>| small(Polygon::new(r.clone(), vec![]).geodesic_area_unsigned());
    (ring(p.exterior()) - p.interiors().iter().map(ring).sum::<f64>()).max(0.0)
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
    #[test]
    fn area_does_not_depend_on_winding() {
        use geo::line_string;
        use geo::orient::{Direction, Orient};
        let p = geo::polygon![(x: 121.0, y: 28.0), (x: 121.01, y: 28.0), (x: 121.01, y: 28.01), (x: 121.0, y: 28.01)];
        let a = super::area_m2(&p);
        assert!(a > 1.0e6 && a < 1.2e6, "{a}");
        let r = super::area_m2(&p.orient(Direction::Reversed));
        assert!((r - a).abs() < 1.0, "{r} vs {a}");
        // A hole, either way round.
        let holed = geo::Polygon::new(
            p.exterior().clone(),
            vec![
                geo::line_string![(x: 121.002, y: 28.002), (x: 121.004, y: 28.002), (x: 121.004, y: 28.004), (x: 121.002, y: 28.004), (x: 121.002, y: 28.002)],
            ],
        );
        let h = super::area_m2(&holed);
        assert!((a - h) > 0.03e6 && (a - h) < 0.06e6, "{a} {h}");
        assert!((super::area_m2(&holed.orient(Direction::Reversed)) - h).abs() < 1.0);
    }
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
