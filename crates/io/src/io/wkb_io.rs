//! Geometry ⇄ WKB (ISO, little-endian) through the `wkb` crate.

use crate::error::{Error, Result};
use geo_traits::to_geo::ToGeoGeometry;
use geo_types::{Geometry, MultiPolygon, Point, Polygon};

/// Encodes any geometry as WKB.
pub fn to_wkb(g: &Geometry<f64>) -> Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(64);
    wkb::writer::write_geometry(&mut buf, g, &wkb::writer::WriteOptions::default())
        .map_err(|e| Error::Geometry(format!("cannot encode WKB: {e}")))?;
    Ok(buf)
}

/// Decodes WKB into a geometry.
pub fn from_wkb(buf: &[u8]) -> Result<Geometry<f64>> {
    let w = wkb::reader::read_wkb(buf).map_err(|e| Error::Geometry(format!("bad WKB: {e}")))?;
    Ok(w.to_geometry())
}

/// Decodes a WKB point.
pub fn point(buf: &[u8]) -> Result<Point<f64>> {
    match from_wkb(buf)? {
        Geometry::Point(p) => Ok(p),
        other => Err(Error::Geometry(format!(
            "expected a point, found {}",
            kind(&other)
        ))),
    }
}

/// Decodes a WKB polygon.
pub fn polygon(buf: &[u8]) -> Result<Polygon<f64>> {
    match from_wkb(buf)? {
        Geometry::Polygon(p) => Ok(p),
        other => Err(Error::Geometry(format!(
            "expected a polygon, found {}",
            kind(&other)
        ))),
    }
}

/// Decodes a WKB polygon or multipolygon as a multipolygon.
pub fn multi_polygon(buf: &[u8]) -> Result<MultiPolygon<f64>> {
    match from_wkb(buf)? {
        Geometry::Polygon(p) => Ok(MultiPolygon(vec![p])),
        Geometry::MultiPolygon(m) => Ok(m),
        other => Err(Error::Geometry(format!(
            "expected a (multi)polygon, found {}",
            kind(&other)
        ))),
    }
}

fn kind(g: &Geometry<f64>) -> &'static str {
    match g {
        Geometry::Point(_) => "Point",
        Geometry::Line(_) => "Line",
        Geometry::LineString(_) => "LineString",
        Geometry::Polygon(_) => "Polygon",
        Geometry::MultiPoint(_) => "MultiPoint",
        Geometry::MultiLineString(_) => "MultiLineString",
        Geometry::MultiPolygon(_) => "MultiPolygon",
        Geometry::GeometryCollection(_) => "GeometryCollection",
        Geometry::Rect(_) => "Rect",
        Geometry::Triangle(_) => "Triangle",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn round_trips() {
        let p = polygon![(x: 121.0, y: 28.0), (x: 121.1, y: 28.0), (x: 121.1, y: 28.1)];
        let b = to_wkb(&Geometry::Polygon(p.clone())).unwrap();
        assert_eq!(polygon(&b).unwrap(), p);
        let pt = Point::new(121.25, 28.64);
        let b = to_wkb(&Geometry::Point(pt)).unwrap();
        assert_eq!(b.len(), 21);
        assert_eq!(point(&b).unwrap(), pt);
        assert!(point(&[1, 2, 3]).is_err());
        assert!(polygon(&b).is_err());
    }
}
