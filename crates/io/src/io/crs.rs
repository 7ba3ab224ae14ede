//! Coordinate reference systems of files: chosen on import (or suggested by a `.prj`), chosen on
//! export. Stored data is always CGCS2000/WGS84 longitude-latitude (the two agree to a few
//! centimetres, far below a grid's drawing accuracy).
//!
//! * **Lon/lat** — WGS84 (EPSG:4326) or CGCS2000 (EPSG:4490) geographic coordinates, degrees.
//! * **CGCS2000 3-degree Gauss-Krüger** — transverse Mercator on the CGCS2000 ellipsoid
//!   (a = 6 378 137 m, 1/f = 298.257222101), scale 1 on the central meridian 3n°E of zone n
//!   (25–45), false northing 0. With the zone number prefixed to the easting (false easting
//!   n × 1 000 000 + 500 000 m): EPSG:4513–4533 (zones 25–45); without it (false easting
//!   500 000 m): EPSG:4534–4554 (central meridians 75°E–135°E). x is the easting and y the
//!   northing, as in every Shapefile and GeoPackage. The projection itself is `proj4rs`'s exact
//!   transverse Mercator (Poder/Engsager, sub-millimetre within a zone).
//! * **GCJ-02** — the obfuscated lon/lat of Chinese web maps (高德, 腾讯), from the public
//!   algorithm; its inverse is solved by fixed-point iteration to 1e-10° (≈ 0.01 mm). Points
//!   outside China's rough bounding box are not shifted, as in the algorithm.

use crate::error::{Error, Result};
use crate::message::{Message, MessageCode as C};
use proj4rs::Proj;
use serde::Serialize;

/// A file's coordinate reference system.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Crs {
    /// WGS84 / CGCS2000 longitude-latitude, degrees.
    #[default]
    LonLat,
    /// CGCS2000 3-degree Gauss-Krüger zone `zone` (25–45, central meridian 3 × zone °E);
    /// `prefixed`: the easting carries the zone number (EPSG:4513–4533), else EPSG:4534–4554.
    GaussKruger { zone: u8, prefixed: bool },
    /// GCJ-02 (火星坐标) longitude-latitude.
    Gcj02,
}

/// First and last 3-degree zone of CGCS2000 (central meridians 75°E and 135°E).
pub const GK_ZONES: std::ops::RangeInclusive<u8> = 25..=45;

impl Crs {
    /// The EPSG code: 4490 for lon/lat (CGCS2000), 4513–4554 for Gauss-Krüger, none for GCJ-02.
    pub fn epsg(self) -> Option<u32> {
        match self {
            Crs::LonLat => Some(4490),
            Crs::GaussKruger { zone, prefixed } => {
                Some(u32::from(zone - 25) + if prefixed { 4513 } else { 4534 })
            }
            Crs::Gcj02 => None,
        }
    }

    /// The CRS of an EPSG code (4326 and 4490 are lon/lat).
    pub fn from_epsg(code: u32) -> Option<Crs> {
        match code {
            4326 | 4490 => Some(Crs::LonLat),
            4513..=4533 => Some(Crs::GaussKruger {
                zone: (code - 4513 + 25) as u8,
                prefixed: true,
            }),
            4534..=4554 => Some(Crs::GaussKruger {
                zone: (code - 4534 + 25) as u8,
                prefixed: false,
            }),
            _ => None,
        }
    }

    /// Parses a CRS name: `wgs84`, `cgcs2000`, `lonlat`, `gcj02`, `EPSG:4549` (or just `4549`),
    /// `gk40` / `gk-40` (zone 40, prefixed easting), `gk-cm120` / `gk120e` (central meridian
    /// 120°E, no prefix).
    pub fn parse(s: &str) -> Result<Crs> {
        let t = s.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        let bad = || {
            Error::Invalid(Message::new(C::UnknownCrs).text("value", s).en(format!(
                "unknown CRS `{s}` (expected wgs84, cgcs2000, gcj02, EPSG:4513–4554, gk40 or gk-cm120)"
            )))
        };
        match t.as_str() {
            "wgs84" | "wgs-84" | "cgcs2000" | "lonlat" | "lon-lat" | "4326" | "4490"
            | "epsg:4326" | "epsg:4490" => return Ok(Crs::LonLat),
            "gcj02" | "gcj-02" | "gcj" | "mars" => return Ok(Crs::Gcj02),
            _ => {}
        }
        let num = t.strip_prefix("epsg:").unwrap_or(&t);
        if let Ok(code) = num.parse::<u32>() {
            return Crs::from_epsg(code).ok_or_else(bad);
        }
        let gk = t
            .strip_prefix("gk")
            .map(|r| r.trim_start_matches('-'))
            .ok_or_else(bad)?;
        let (cm, rest) = match gk.strip_prefix("cm") {
            Some(r) => (true, r.trim_start_matches('-')),
            None => (gk.ends_with('e'), gk),
        };
        let n: u32 = rest.trim_end_matches('e').parse().map_err(|_| bad())?;
        let zone = if cm {
            if n % 3 != 0 {
                return Err(bad());
            }
            n / 3
        } else {
            n
        };
        let zone = u8::try_from(zone)
            .ok()
            .filter(|z| GK_ZONES.contains(z))
            .ok_or_else(bad)?;
        Ok(Crs::GaussKruger {
            zone,
            prefixed: !cm,
        })
    }

    /// A short name: `CGCS2000`, `GCJ-02`, `CGCS2000 / 3-degree Gauss-Kruger zone 40`…
    pub fn name(self) -> String {
        match self {
            Crs::LonLat => "CGCS2000 / WGS84 lon/lat".into(),
            Crs::Gcj02 => "GCJ-02".into(),
            Crs::GaussKruger {
                zone,
                prefixed: true,
            } => format!("CGCS2000 / 3-degree Gauss-Kruger zone {zone}"),
            Crs::GaussKruger { zone, .. } => {
                format!(
                    "CGCS2000 / 3-degree Gauss-Kruger CM {}E",
                    u32::from(zone) * 3
                )
            }
        }
    }

    /// Whether coordinates are stored as they are (no transformation).
    pub fn is_lon_lat(self) -> bool {
        self == Crs::LonLat
    }

    /// ESRI WKT for a `.prj` file. GCJ-02 is not a published CRS: it is written as a WGS 84
    /// geographic CRS named `GCJ-02`, which GIS tools read as lon/lat and [`Crs::from_prj`]
    /// recognises by its name.
    pub fn to_prj(self) -> Option<String> {
        const GEOGCS: &str = "GEOGCS[\"GCS_China_Geodetic_Coordinate_System_2000\",DATUM[\"D_China_2000\",SPHEROID[\"CGCS2000\",6378137.0,298.257222101]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]]";
        match self {
            Crs::LonLat => Some(GEOGCS.to_string()),
            Crs::Gcj02 => Some(GCJ02_GEOGCS.to_string()),
            Crs::GaussKruger { zone, prefixed } => {
                let cm = u32::from(zone) * 3;
                let (name, fe) = if prefixed {
                    (
                        format!("CGCS2000_3_Degree_GK_Zone_{zone}"),
                        f64::from(zone) * 1e6 + 500_000.0,
                    )
                } else {
                    (format!("CGCS2000_3_Degree_GK_CM_{cm}E"), 500_000.0)
                };
                Some(format!(
                    "PROJCS[\"{name}\",{GEOGCS},PROJECTION[\"Gauss_Kruger\"],PARAMETER[\"False_Easting\",{fe:.1}],PARAMETER[\"False_Northing\",0.0],PARAMETER[\"Central_Meridian\",{cm}.0],PARAMETER[\"Scale_Factor\",1.0],PARAMETER[\"Latitude_Of_Origin\",0.0],UNIT[\"Meter\",1.0]]"
                ))
            }
        }
    }

    /// The CRS a `.prj` (WKT 1, ESRI or OGC flavour) describes, if it is one of ours: an EPSG
    /// authority code, else a geographic CRS, else a transverse Mercator with scale 1 on a
    /// 3-degree central meridian and a false easting of 500 000 m with or without the zone.
    pub fn from_prj(wkt: &str) -> Option<Crs> {
        let w = wkt.trim();
        let upper = w.to_ascii_uppercase();
        if upper.starts_with("GEOGCS[\"GCJ-02") || upper.starts_with("GEOGCS[\"GCJ02") {
            return Some(Crs::Gcj02);
        }
        if let Some(code) = last_epsg_authority(&upper) {
            if let Some(c) = Crs::from_epsg(code) {
                return Some(c);
            }
        }
        if upper.starts_with("GEOGCS") || upper.starts_with("GEOGCRS") {
            return Some(Crs::LonLat);
        }
        if !upper.starts_with("PROJCS") {
            return None;
        }
        let tm = upper.contains("GAUSS_KRUGER")
            || upper.contains("GAUSS-KRUGER")
            || upper.contains("TRANSVERSE_MERCATOR");
        if !tm {
            return None;
        }
        let cm = parameter(&upper, "CENTRAL_MERIDIAN")?;
        let fe = parameter(&upper, "FALSE_EASTING")?;
        let k = parameter(&upper, "SCALE_FACTOR").unwrap_or(1.0);
        let fnorth = parameter(&upper, "FALSE_NORTHING").unwrap_or(0.0);
        if (k - 1.0).abs() > 1e-12 || fnorth != 0.0 || cm.fract() != 0.0 || cm % 3.0 != 0.0 {
            return None;
        }
        let zone = u8::try_from((cm / 3.0) as i64)
            .ok()
            .filter(|z| GK_ZONES.contains(z))?;
        if fe == 500_000.0 {
            Some(Crs::GaussKruger {
                zone,
                prefixed: false,
            })
        } else if fe == f64::from(zone) * 1e6 + 500_000.0 {
            Some(Crs::GaussKruger {
                zone,
                prefixed: true,
            })
        } else {
            None
        }
    }

    /// A converter between this CRS and stored lon/lat.
    pub fn transformer(self) -> Result<Transformer> {
        let kind = match self {
            Crs::LonLat => Kind::Identity,
            Crs::Gcj02 => Kind::Gcj02,
            Crs::GaussKruger { zone, prefixed } => {
                let cm = u32::from(zone) * 3;
                let fe = if prefixed {
                    f64::from(zone) * 1e6 + 500_000.0
                } else {
                    500_000.0
                };
                let tm = format!(
                    "+proj=tmerc +lat_0=0 +lon_0={cm} +k=1 +x_0={fe} +y_0=0 +a=6378137 +rf=298.257222101 +units=m +no_defs"
                );
                let geo = "+proj=longlat +a=6378137 +rf=298.257222101 +no_defs";
                let p = |s: &str| {
                    Proj::from_proj_string(s)
                        .map_err(|e| Error::Internal(format!("projection `{s}`: {e}")))
                };
                Kind::Tm {
                    geo: Box::new(p(geo)?),
                    tm: Box::new(p(&tm)?),
                }
            }
        };
        Ok(Transformer { crs: self, kind })
    }
}

/// How GCJ-02 is written in `.prj` files and GeoPackages.
const GCJ02_GEOGCS: &str = "GEOGCS[\"GCJ-02 (obfuscated WGS 84)\",DATUM[\"D_WGS_1984\",SPHEROID[\"WGS_1984\",6378137.0,298.257223563]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]]";

fn last_epsg_authority(upper: &str) -> Option<u32> {
    // WKT 1 puts the CRS's own AUTHORITY last; WKT 2 uses ID["EPSG",n] likewise.
    let mut best = None;
    for pat in ["AUTHORITY[\"EPSG\",\"", "ID[\"EPSG\","] {
        if let Some(i) = upper.rfind(pat) {
            let rest = &upper[i + pat.len()..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if let Ok(n) = digits.parse::<u32>() {
                best = best.max(Some((i, n)));
            }
        }
    }
    best.map(|(_, n)| n)
}

fn parameter(upper: &str, name: &str) -> Option<f64> {
    let pat = format!("PARAMETER[\"{name}\",");
    let i = upper.find(&pat)? + pat.len();
    let rest = &upper[i..];
    let end = rest.find(']')?;
    rest[..end].split(',').next()?.trim().parse().ok()
}

enum Kind {
    Identity,
    Gcj02,
    Tm { geo: Box<Proj>, tm: Box<Proj> },
}

/// Converts coordinates between one [`Crs`] and stored lon/lat.
pub struct Transformer {
    crs: Crs,
    kind: Kind,
}

impl std::fmt::Debug for Transformer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transformer")
            .field("crs", &self.crs)
            .finish()
    }
}

impl Transformer {
    /// The CRS this converts from and to.
    pub fn crs(&self) -> Crs {
        self.crs
    }

    /// File coordinates → lon/lat.
    pub fn to_lon_lat(&self, x: f64, y: f64) -> Result<(f64, f64)> {
        if !x.is_finite() || !y.is_finite() {
            return Err(Error::Invalid(
                Message::new(C::CoordinateNotFinite)
                    .text("lon", x)
                    .text("lat", y)
                    .en(format!("coordinate ({x}, {y}) is not a finite number")),
            ));
        }
        match &self.kind {
            Kind::Identity => Ok((x, y)),
            Kind::Gcj02 => Ok(gcj02_to_wgs84(x, y)),
            Kind::Tm { geo, tm } => {
                let mut p = (x, y, 0.0);
                proj4rs::transform::transform(tm, geo, &mut p).map_err(|e| {
                    Error::Invalid(
                        Message::new(C::OutsideCrs)
                            .num("x", x)
                            .num("y", y)
                            .text("crs", self.crs.name())
                            .en(format!("({x}, {y}) is outside {}: {e}", self.crs.name())),
                    )
                })?;
                Ok((p.0.to_degrees(), p.1.to_degrees()))
            }
        }
    }

    /// Lon/lat → file coordinates.
    pub fn from_lon_lat(&self, lon: f64, lat: f64) -> Result<(f64, f64)> {
        match &self.kind {
            Kind::Identity => Ok((lon, lat)),
            Kind::Gcj02 => Ok(wgs84_to_gcj02(lon, lat)),
            Kind::Tm { geo, tm } => {
                let mut p = (lon.to_radians(), lat.to_radians(), 0.0);
                proj4rs::transform::transform(geo, tm, &mut p).map_err(|e| {
                    Error::Invalid(
                        Message::new(C::OutsideCrs)
                            .num("x", lon)
                            .num("y", lat)
                            .text("crs", self.crs.name())
                            .en(format!(
                                "({lon}, {lat}) cannot be projected to {}: {e}",
                                self.crs.name()
                            )),
                    )
                })?;
                Ok((p.0, p.1))
            }
        }
    }
}

// ---- GCJ-02 --------------------------------------------------------------------------------

const GCJ_A: f64 = 6_378_245.0;
const GCJ_EE: f64 = 0.006_693_421_622_965_943;

fn outside_china(lon: f64, lat: f64) -> bool {
    !(72.004..=137.8347).contains(&lon) || !(0.8293..=55.8271).contains(&lat)
}

fn gcj_lat(x: f64, y: f64) -> f64 {
    use std::f64::consts::PI;
    let mut r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    r
}

fn gcj_lon(x: f64, y: f64) -> f64 {
    use std::f64::consts::PI;
    let mut r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    r
}

/// WGS84 → GCJ-02 (the public algorithm).
pub fn wgs84_to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    use std::f64::consts::PI;
    if outside_china(lon, lat) {
        return (lon, lat);
    }
    let dlat = gcj_lat(lon - 105.0, lat - 35.0);
    let dlon = gcj_lon(lon - 105.0, lat - 35.0);
    let rad = lat / 180.0 * PI;
    let magic = 1.0 - GCJ_EE * rad.sin() * rad.sin();
    let sq = magic.sqrt();
    let dlat = dlat * 180.0 / ((GCJ_A * (1.0 - GCJ_EE)) / (magic * sq) * PI);
    let dlon = dlon * 180.0 / (GCJ_A / sq * rad.cos() * PI);
    (lon + dlon, lat + dlat)
}

/// GCJ-02 → WGS84: the point whose forward shift lands on `(lon, lat)`, by fixed-point
/// iteration (the shift varies slowly, so each step gains several digits).
pub fn gcj02_to_wgs84(lon: f64, lat: f64) -> (f64, f64) {
    let (mut x, mut y) = (lon, lat);
    for _ in 0..30 {
        let (fx, fy) = wgs84_to_gcj02(x, y);
        let (ex, ey) = (fx - lon, fy - lat);
        x -= ex;
        y -= ey;
        if ex.abs() < 1e-11 && ey.abs() < 1e-11 {
            break;
        }
    }
    (x, y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Reference values from PROJ 9.5.1 (pyproj 3.7.2) with the EPSG definitions, CGCS2000
    /// (EPSG:4490) → the projected CRS, easting first.
    const PROJ_REFERENCE: &[(u32, f64, f64, f64, f64)] = &[
        (
            4549,
            121.26,
            28.64,
            623_201.410_329_436_8,
            3_170_018.881_862_894_6,
        ),
        (4549, 120.0, 30.0, 500_000.0, 3_320_113.397_845_019_6),
        (
            4549,
            121.5,
            31.2,
            642_964.159_846_609,
            3_454_118.132_165_654,
        ),
        (
            4528,
            121.26,
            28.64,
            40_623_201.410_329_44,
            3_170_018.881_862_894_6,
        ),
        (
            4528,
            118.7,
            40.1,
            40_389_148.452_721_536,
            4_441_442.696_728_056,
        ),
        (
            4527,
            120.0,
            30.0,
            39_789_525.463_423_02,
            3_323_905.466_476_045_5,
        ),
        (
            4546,
            110.5,
            20.0,
            447_675.944_611_314_86,
            2_212_444.341_003_170_7,
        ),
    ];

    #[test]
    fn gauss_kruger_matches_proj_to_a_millimetre_both_ways() {
        for &(epsg, lon, lat, x, y) in PROJ_REFERENCE {
            let crs = Crs::from_epsg(epsg).unwrap();
            assert_eq!(crs.epsg(), Some(epsg));
            let t = crs.transformer().unwrap();
            let (px, py) = t.from_lon_lat(lon, lat).unwrap();
            assert!(
                (px - x).abs() < 1e-3 && (py - y).abs() < 1e-3,
                "{epsg}: {px} {py}"
            );
            let (l, b) = t.to_lon_lat(x, y).unwrap();
            // 1e-8° ≈ 1 mm.
            assert!(
                (l - lon).abs() < 1e-8 && (b - lat).abs() < 1e-8,
                "{epsg}: {l} {b}"
            );
        }
    }

    #[test]
    fn names_and_prj_round_trip() {
        assert_eq!(Crs::parse("gk40").unwrap(), Crs::from_epsg(4528).unwrap());
        assert_eq!(
            Crs::parse("GK-CM120").unwrap(),
            Crs::from_epsg(4549).unwrap()
        );
        assert_eq!(Crs::parse("gk120e").unwrap(), Crs::from_epsg(4549).unwrap());
        assert_eq!(Crs::parse("EPSG:4490").unwrap(), Crs::LonLat);
        assert_eq!(Crs::parse("gcj-02").unwrap(), Crs::Gcj02);
        assert!(Crs::parse("gk46").is_err());
        assert!(Crs::parse("gk-cm121").is_err());
        assert!(Crs::parse("EPSG:3857").is_err());
        for epsg in (4513..=4554).chain([4490]) {
            let c = Crs::from_epsg(epsg).unwrap();
            assert_eq!(Crs::from_prj(&c.to_prj().unwrap()), Some(c), "{epsg}");
        }
        assert_eq!(
            Crs::from_prj(&Crs::Gcj02.to_prj().unwrap()),
            Some(Crs::Gcj02)
        );
        // The .prj GDAL writes for EPSG:4527 (ESRI WKT, from PROJ).
        let esri = "PROJCS[\"CGCS2000_3_Degree_GK_Zone_39\",GEOGCS[\"GCS_China_Geodetic_Coordinate_System_2000\",DATUM[\"D_China_2000\",SPHEROID[\"CGCS2000\",6378137.0,298.257222101]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]],PROJECTION[\"Gauss_Kruger\"],PARAMETER[\"False_Easting\",39500000.0],PARAMETER[\"False_Northing\",0.0],PARAMETER[\"Central_Meridian\",117.0],PARAMETER[\"Scale_Factor\",1.0],PARAMETER[\"Latitude_Of_Origin\",0.0],UNIT[\"Meter\",1.0]]";
        assert_eq!(Crs::from_prj(esri), Crs::from_epsg(4527));
        let utm = esri.replace("\"Scale_Factor\",1.0", "\"Scale_Factor\",0.9996");
        assert_eq!(Crs::from_prj(&utm), None);
        assert_eq!(
            Crs::from_prj("PROJCS[\"x\",AUTHORITY[\"EPSG\",\"4545\"]]"),
            Crs::from_epsg(4545)
        );
    }

    #[test]
    fn gcj02_shifts_inside_china_only() {
        let (x, y) = wgs84_to_gcj02(121.26, 28.64);
        let shift_m = ((x - 121.26) * 98_000.0).hypot((y - 28.64) * 111_000.0);
        assert!((100.0..800.0).contains(&shift_m), "{shift_m}");
        assert_eq!(wgs84_to_gcj02(2.35, 48.85), (2.35, 48.85));
    }

    /// Published WGS-84 → GCJ-02 pairs (lon, lat, GCJ lon, GCJ lat) of other implementations of
    /// the public algorithm, so the shift is checked against outside figures and not only
    /// against its own inverse:
    /// * the first three are the test vectors of googollee/eviltransform (`go/transform_test.go`,
    ///   the same in its C and JavaScript tests; Shanghai, Shenzhen, Beijing);
    /// * the last is the README/test example of wandergis/coordtransform (`test/app.js`:
    ///   `wgs84togcj02(116.404, 39.915)`), also asserted by coordtransform-rs and hutool.
    const GCJ02_PUBLISHED: &[(f64, f64, f64, f64)] = &[
        (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),
        (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),
        (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),
        (116.404, 39.915, 116.41024449916938, 39.91640428150164),
    ];

    #[test]
    fn gcj02_agrees_with_published_reference_points() {
        let t = Crs::Gcj02.transformer().unwrap();
        for &(lon, lat, glon, glat) in GCJ02_PUBLISHED {
            // Forward: the published digits, to 1e-9° (≈ 0.1 mm).
            let (x, y) = wgs84_to_gcj02(lon, lat);
            assert!(
                (x - glon).abs() < 1e-9 && (y - glat).abs() < 1e-9,
                "WGS-84 ({lon}, {lat}) → ({x}, {y}), published ({glon}, {glat})"
            );
            assert_eq!(t.from_lon_lat(lon, lat).unwrap(), (x, y));
            // Back: a GCJ-02 file's published point lands on the WGS-84 point (1e-8° ≈ 1 mm;
            // eviltransform's own exact inverse is tested to 0.5 m).
            let (bx, by) = t.to_lon_lat(glon, glat).unwrap();
            assert!(
                (bx - lon).abs() < 1e-8 && (by - lat).abs() < 1e-8,
                "GCJ-02 ({glon}, {glat}) → ({bx}, {by}), expected ({lon}, {lat})"
            );
        }
    }

    proptest! {
        #[test]
        fn gcj02_inverse_is_within_a_centimetre(lon in 73.0f64..135.0, lat in 18.0f64..53.0) {
            let (gx, gy) = wgs84_to_gcj02(lon, lat);
            let (x, y) = gcj02_to_wgs84(gx, gy);
            // 1 cm ≈ 9e-8° of latitude.
            prop_assert!((x - lon).abs() < 9e-8 && (y - lat).abs() < 9e-8, "{} {}", x - lon, y - lat);
        }

        #[test]
        fn gauss_kruger_round_trips(zone in 25u8..=45, dl in -1.6f64..1.6, lat in 18.0f64..53.0, prefixed: bool) {
            let t = Crs::GaussKruger { zone, prefixed }.transformer().unwrap();
            let lon = f64::from(zone) * 3.0 + dl;
            let (x, y) = t.from_lon_lat(lon, lat).unwrap();
            let (l, b) = t.to_lon_lat(x, y).unwrap();
            prop_assert!((l - lon).abs() < 1e-9 && (b - lat).abs() < 1e-9);
        }
    }
}
