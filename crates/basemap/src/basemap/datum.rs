//! The datum a basemap declares (§Datum in docs/basemap.md).
//!
//! GridDesk's grids, components and cases are in CGCS2000 (China Geodetic Coordinate System
//! 2000), which agrees with WGS84 to a few centimetres: both are drawn as given. GCJ-02, the
//! obfuscated datum of many Chinese web maps, lies a few hundred metres off and its offset is
//! irregular by design; GridDesk refuses GCJ-02 packages with a message that names the offset
//! at the district, rather than drawing them off or warping raster tiles.

use serde::{Deserialize, Serialize};

/// The datums a package may declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Datum {
    Wgs84,
    Cgcs2000,
    Gcj02,
}

impl Datum {
    /// Parses what packages write (`"WGS84"`, `"EPSG:4326"`, `"EPSG:3857"`, `"CGCS2000"`,
    /// `"EPSG:4490"`, `"GCJ-02"`, `"gcj02"`, `"火星坐标"`); `None` for anything else.
    pub fn parse(value: &str) -> Option<Datum> {
        let v: String = value
            .trim()
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .flat_map(char::to_lowercase)
            .collect();
        match v.as_str() {
            "wgs84" | "epsg:4326" | "epsg:3857" | "epsg:900913" | "webmercator" | "wgs1984" => {
                Some(Datum::Wgs84)
            }
            "cgcs2000" | "epsg:4490" | "cgcs" | "国家2000" | "2000国家大地坐标系" => {
                Some(Datum::Cgcs2000)
            }
            "gcj02" | "gcj" | "火星坐标" | "火星坐标系" | "mars" => Some(Datum::Gcj02),
            _ => None,
        }
    }

    /// Whether packages in this datum line up with the grids.
    pub fn aligned(self) -> bool {
        self != Datum::Gcj02
    }

    /// How a store keeps it (read back by [`Datum::parse`]).
    pub fn key(self) -> &'static str {
        match self {
            Datum::Wgs84 => "wgs84",
            Datum::Cgcs2000 => "cgcs2000",
            Datum::Gcj02 => "gcj02",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Datum::Wgs84 => "WGS84",
            Datum::Cgcs2000 => "CGCS2000",
            Datum::Gcj02 => "GCJ-02",
        }
    }
}

/// Where a WGS84 point is drawn by a GCJ-02 map: the one implementation of the published
/// formula, the import's (`io::crs`).
pub use griddesk_io::io::crs::wgs84_to_gcj02;

/// How far (metres) a GCJ-02 map draws things off their true place at a point.
pub fn gcj02_offset_m(lon: f64, lat: f64) -> f64 {
    let (gl, gt) = wgs84_to_gcj02(lon, lat);
    let m = 111_320.0;
    let dx = (gl - lon) * m * lat.to_radians().cos();
    let dy = (gt - lat) * 110_574.0;
    (dx * dx + dy * dy).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_packages_write() {
        assert_eq!(Datum::parse("GCJ-02"), Some(Datum::Gcj02));
        assert_eq!(Datum::parse(" gcj02 "), Some(Datum::Gcj02));
        assert_eq!(Datum::parse("EPSG:4490"), Some(Datum::Cgcs2000));
        assert_eq!(Datum::parse("EPSG:3857"), Some(Datum::Wgs84));
        assert_eq!(Datum::parse("BD-09"), None);
        assert!(!Datum::Gcj02.aligned() && Datum::Cgcs2000.aligned());
    }

    #[test]
    fn gcj02_offset_is_hundreds_of_metres_in_china_and_none_abroad() {
        // Huangyan (the sample): published converters give an offset of roughly 500 m here.
        let d = gcj02_offset_m(121.26, 28.64);
        assert!((300.0..800.0).contains(&d), "{d}");
        // Beijing's Tiananmen: the well-known ~ +0.0062°, +0.0014° shift.
        let (gl, gt) = wgs84_to_gcj02(116.391_3, 39.907_3);
        assert!((gl - 116.391_3 - 0.006_2).abs() < 0.000_5, "{gl}");
        assert!((gt - 39.907_3 - 0.001_4).abs() < 0.000_5, "{gt}");
        assert_eq!(wgs84_to_gcj02(2.35, 48.85), (2.35, 48.85));
    }
}
