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
//! * **Old datums** — Beijing 1954 (Krassowsky 1940 ellipsoid) and Xian 1980 (IAG 1975
//!   ellipsoid), geographic or in 3- and 6-degree Gauss-Krüger zones ([`OldDatum`]). Their
//!   difference from CGCS2000 is tens of metres and differs from place to place, so a file on
//!   one is never read as CGCS2000: it is refused, naming the datum, unless the person gives the
//!   local seven-parameter (Bursa-Wolf, position-vector) transformation ([`Towgs84`]); then
//!   coordinates go through geocentric XYZ (`proj4rs`'s `+towgs84`). See `docs/exchange.md`.

use crate::error::{Error, Result};
use crate::message::{Message, MessageCode as C};
use proj4rs::Proj;
use serde::Serialize;

/// A geodetic datum older than CGCS2000 that Chinese survey files still use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OldDatum {
    /// Beijing 1954 (北京54), Krassowsky 1940 ellipsoid (a = 6 378 245 m, 1/f = 298.3).
    Beijing1954,
    /// Xian 1980 (西安80), IAG 1975 ellipsoid (a = 6 378 140 m, 1/f = 298.257).
    Xian1980,
}

impl OldDatum {
    /// `Beijing 1954`, `Xian 1980`.
    pub fn name(self) -> &'static str {
        match self {
            OldDatum::Beijing1954 => "Beijing 1954",
            OldDatum::Xian1980 => "Xian 1980",
        }
    }

    /// The ellipsoid's name: `Krassowsky 1940`, `IAG 1975`.
    pub fn ellipsoid(self) -> &'static str {
        match self {
            OldDatum::Beijing1954 => "Krassowsky 1940",
            OldDatum::Xian1980 => "IAG 1975",
        }
    }

    /// Semi-major axis (m) and inverse flattening.
    pub fn axes(self) -> (f64, f64) {
        match self {
            OldDatum::Beijing1954 => (6_378_245.0, 298.3),
            OldDatum::Xian1980 => (6_378_140.0, 298.257),
        }
    }

    /// EPSG code of the geographic CRS (4214, 4610).
    fn geographic_epsg(self) -> u32 {
        match self {
            OldDatum::Beijing1954 => 4214,
            OldDatum::Xian1980 => 4610,
        }
    }

    /// First EPSG code of each family: 3-degree prefixed (zones 25–45), 3-degree by central
    /// meridian, 6-degree prefixed (zones 13–23), 6-degree by central meridian.
    fn epsg_bases(self) -> [(u32, GkZoneKind); 4] {
        use GkZoneKind::*;
        match self {
            OldDatum::Beijing1954 => [
                (2401, ThreePrefixed),
                (2422, ThreeCm),
                (21413, SixPrefixed),
                (21453, SixCm),
            ],
            OldDatum::Xian1980 => [
                (2349, ThreePrefixed),
                (2370, ThreeCm),
                (2327, SixPrefixed),
                (2338, SixCm),
            ],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GkZoneKind {
    ThreePrefixed,
    ThreeCm,
    SixPrefixed,
    SixCm,
}

impl GkZoneKind {
    fn of(z: GkZone) -> Self {
        match (z.six_degree, z.prefixed) {
            (false, true) => GkZoneKind::ThreePrefixed,
            (false, false) => GkZoneKind::ThreeCm,
            (true, true) => GkZoneKind::SixPrefixed,
            (true, false) => GkZoneKind::SixCm,
        }
    }
    fn six(self) -> bool {
        matches!(self, GkZoneKind::SixPrefixed | GkZoneKind::SixCm)
    }
    fn first_zone(self) -> u8 {
        if self.six() {
            *GK6_ZONES.start()
        } else {
            *GK_ZONES.start()
        }
    }
    fn count(self) -> u32 {
        if self.six() {
            11
        } else {
            21
        }
    }
}

/// A Gauss-Krüger zone of an old datum: 3-degree (zones 25–45, central meridian 3n°E) or
/// 6-degree (zones 13–23, central meridian 6n − 3 °E); `prefixed`: the easting carries the zone
/// number (false easting n × 1 000 000 + 500 000 m), else 500 000 m.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct GkZone {
    pub six_degree: bool,
    pub zone: u8,
    pub prefixed: bool,
}

impl GkZone {
    /// Central meridian, degrees east.
    pub fn central_meridian(self) -> u32 {
        if self.six_degree {
            u32::from(self.zone) * 6 - 3
        } else {
            u32::from(self.zone) * 3
        }
    }

    /// False easting, metres.
    pub fn false_easting(self) -> f64 {
        if self.prefixed {
            f64::from(self.zone) * 1e6 + 500_000.0
        } else {
            500_000.0
        }
    }
}

/// First and last 6-degree zone over China (central meridians 75°E and 135°E).
pub const GK6_ZONES: std::ops::RangeInclusive<u8> = 13..=23;

/// The seven parameters of a Bursa-Wolf (Helmert) transformation from an old datum to
/// CGCS2000/WGS84, in the position-vector convention of PROJ's `+towgs84` and EPSG method
/// 9606: translations in metres, rotations in arc-seconds, scale in parts per million.
/// (Parameters published in the coordinate-frame convention, EPSG 9607, have the three
/// rotations' signs reversed.)
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Towgs84 {
    pub dx: f64,
    pub dy: f64,
    pub dz: f64,
    pub rx: f64,
    pub ry: f64,
    pub rz: f64,
    pub s: f64,
}

impl Towgs84 {
    fn values(&self) -> [f64; 7] {
        [self.dx, self.dy, self.dz, self.rx, self.ry, self.rz, self.s]
    }

    /// Parses `dx,dy,dz,rx,ry,rz,s` (seven numbers; three numbers `dx,dy,dz` are a pure
    /// translation). Separators: commas, also `，`, `;` or spaces.
    pub fn parse(s: &str) -> Result<Towgs84> {
        let bad = |why: &str| {
            Error::Invalid(
                Message::new(C::Towgs84Invalid)
                    .text("value", s)
                    .en(format!(
                        "`{s}` is not a seven-parameter transformation: {why} (expected dx,dy,dz,rx,ry,rz,s: metres, arc-seconds, ppm)"
                    )),
            )
        };
        let parts: Vec<&str> = s
            .split(|c: char| c == ',' || c == '，' || c == ';' || c.is_whitespace())
            .filter(|p| !p.is_empty())
            .collect();
        let mut v = Vec::with_capacity(7);
        for p in &parts {
            let x: f64 = p
                .parse()
                .map_err(|_| bad(&format!("`{}` is not a number", super::fields::clip(p))))?;
            if !x.is_finite() {
                return Err(bad(&format!("`{p}` is not a finite number")));
            }
            v.push(x);
        }
        match v.len() {
            3 => v.extend([0.0; 4]),
            7 => {}
            n => return Err(bad(&format!("found {n} numbers, not 7 (or 3)"))),
        }
        // Local transformations shift by hundreds of metres at most; rotations of a few
        // arc-seconds and scales of a few ppm. Far larger values are a unit mistake.
        if v[..3].iter().any(|x| x.abs() > 10_000.0) {
            return Err(bad("a translation is over 10 km"));
        }
        if v[3..6].iter().any(|x| x.abs() > 3_600.0) {
            return Err(bad(
                "a rotation is over one degree (rotations are in arc-seconds)",
            ));
        }
        if v[6].abs() > 10_000.0 {
            return Err(bad("the scale is over 10 000 ppm (the scale is in ppm)"));
        }
        Ok(Towgs84 {
            dx: v[0],
            dy: v[1],
            dz: v[2],
            rx: v[3],
            ry: v[4],
            rz: v[5],
            s: v[6],
        })
    }

    /// `dx,dy,dz,rx,ry,rz,s` as PROJ writes it.
    pub fn proj_string(&self) -> String {
        self.values()
            .iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join(",")
    }
}

impl PartialEq for Towgs84 {
    fn eq(&self, o: &Self) -> bool {
        self.values()
            .iter()
            .zip(o.values())
            .all(|(a, b)| a.to_bits() == b.to_bits())
    }
}

impl Eq for Towgs84 {}

impl std::hash::Hash for Towgs84 {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        for x in self.values() {
            x.to_bits().hash(h);
        }
    }
}

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
    /// Beijing 1954 or Xian 1980, geographic (`zone` none) or Gauss-Krüger. Converted only with
    /// the local `towgs84` parameters the person gives; without them [`Crs::transformer`]
    /// refuses, naming the datum.
    OldDatum {
        datum: OldDatum,
        zone: Option<GkZone>,
        towgs84: Option<Towgs84>,
    },
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
            Crs::OldDatum { datum, zone, .. } => Some(match zone {
                None => datum.geographic_epsg(),
                Some(z) => {
                    let kind = GkZoneKind::of(z);
                    let (base, _) = datum.epsg_bases().into_iter().find(|(_, k)| *k == kind)?;
                    base + u32::from(z.zone - kind.first_zone())
                }
            }),
        }
    }

    /// The CRS of an EPSG code (4326 and 4490 are lon/lat); the codes of Beijing 1954 (4214,
    /// 2401–2442, 21413–21423, 21453–21463) and Xian 1980 (4610, 2327–2390) give
    /// [`Crs::OldDatum`] without parameters.
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
            _ => Crs::old_datum_of_epsg(code),
        }
    }

    fn old_datum_of_epsg(code: u32) -> Option<Crs> {
        for datum in [OldDatum::Beijing1954, OldDatum::Xian1980] {
            if code == datum.geographic_epsg() {
                return Some(Crs::OldDatum {
                    datum,
                    zone: None,
                    towgs84: None,
                });
            }
            for (base, kind) in datum.epsg_bases() {
                if (base..base + kind.count()).contains(&code) {
                    let zone = kind.first_zone() + u8::try_from(code - base).ok()?;
                    return Some(Crs::OldDatum {
                        datum,
                        zone: Some(GkZone {
                            six_degree: kind.six(),
                            zone,
                            prefixed: matches!(
                                kind,
                                GkZoneKind::ThreePrefixed | GkZoneKind::SixPrefixed
                            ),
                        }),
                        towgs84: None,
                    });
                }
            }
        }
        None
    }

    /// This CRS with the local transformation `p`; only an old datum takes one.
    pub fn with_towgs84(self, p: Towgs84) -> Result<Crs> {
        match self {
            Crs::OldDatum { datum, zone, .. } => Ok(Crs::OldDatum {
                datum,
                zone,
                towgs84: Some(p),
            }),
            other => Err(Error::Invalid(
                Message::new(C::Towgs84NotOldDatum)
                    .text("crs", other.name())
                    .en(format!(
                        "the file is in {}, not on Beijing 1954 or Xian 1980: --towgs84 is only for those old datums",
                        other.name()
                    )),
            )),
        }
    }

    /// The old datum of this CRS, if it is on one.
    pub fn old_datum(self) -> Option<OldDatum> {
        match self {
            Crs::OldDatum { datum, .. } => Some(datum),
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
                "unknown CRS `{s}` (expected wgs84, cgcs2000, gcj02, EPSG:4513–4554, gk40 or gk-cm120; Beijing 1954 and Xian 1980 by their EPSG codes)"
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
            if !n.is_multiple_of(3) {
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
            Crs::OldDatum { datum, zone, .. } => match zone {
                None => format!("{} lon/lat", datum.name()),
                Some(z) => {
                    let width = if z.six_degree { 6 } else { 3 };
                    if z.prefixed {
                        format!(
                            "{} / {width}-degree Gauss-Kruger zone {}",
                            datum.name(),
                            z.zone
                        )
                    } else {
                        format!(
                            "{} / {width}-degree Gauss-Kruger CM {}E",
                            datum.name(),
                            z.central_meridian()
                        )
                    }
                }
            },
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
            Crs::OldDatum { datum, zone, .. } => {
                let (a, rf) = datum.axes();
                let (gcs, d, sph) = match datum {
                    OldDatum::Beijing1954 => {
                        ("GCS_Beijing_1954", "D_Beijing_1954", "Krasovsky_1940")
                    }
                    OldDatum::Xian1980 => ("GCS_Xian_1980", "D_Xian_1980", "IAG_1975"),
                };
                let geogcs = format!("GEOGCS[\"{gcs}\",DATUM[\"{d}\",SPHEROID[\"{sph}\",{a:.1},{rf}]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]]");
                let Some(z) = zone else {
                    return Some(geogcs);
                };
                let name = self.name().replace([' ', '/', '-'], "_");
                Some(format!(
                    "PROJCS[\"{name}\",{geogcs},PROJECTION[\"Gauss_Kruger\"],PARAMETER[\"False_Easting\",{:.1}],PARAMETER[\"False_Northing\",0.0],PARAMETER[\"Central_Meridian\",{}.0],PARAMETER[\"Scale_Factor\",1.0],PARAMETER[\"Latitude_Of_Origin\",0.0],UNIT[\"Meter\",1.0]]",
                    z.false_easting(),
                    z.central_meridian()
                ))
            }
        }
    }

    /// The CRS a `.prj` (WKT 1, ESRI or OGC flavour; also WKT 2) describes, if it is one of
    /// ours: an EPSG authority code, else the datum read from the ellipsoid (`SPHEROID` /
    /// `ELLIPSOID`: its axis, else its name) and the datum's name, then a geographic CRS or a
    /// transverse Mercator with scale 1 on a 3-degree central meridian (6-degree too on an old
    /// datum) and a false easting of 500 000 m with or without the zone. A WKT on the
    /// Krassowsky or IAG 1975 ellipsoid is [`Crs::OldDatum`]; one on any other ellipsoid than
    /// CGCS2000's / WGS84's is not ours (`None`).
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
        let datum = match datum_of_wkt(&upper) {
            WktDatum::Modern => None,
            WktDatum::Old(d) => Some(d),
            WktDatum::Other => return None,
        };
        let old = |zone| {
            datum.map(|datum| Crs::OldDatum {
                datum,
                zone,
                towgs84: None,
            })
        };
        if upper.starts_with("GEOGCS") || upper.starts_with("GEOGCRS") {
            return old(None).or(Some(Crs::LonLat));
        }
        if !upper.starts_with("PROJCS") && !upper.starts_with("PROJCRS") {
            return None;
        }
        let tm = upper.contains("GAUSS_KRUGER")
            || upper.contains("GAUSS-KRUGER")
            || upper.contains("TRANSVERSE_MERCATOR")
            || upper.contains("TRANSVERSE MERCATOR");
        if !tm {
            return None;
        }
        let cm = parameter(&upper, "CENTRAL_MERIDIAN")
            .or_else(|| parameter(&upper, "LONGITUDE OF NATURAL ORIGIN"))?;
        let fe =
            parameter(&upper, "FALSE_EASTING").or_else(|| parameter(&upper, "FALSE EASTING"))?;
        let k = parameter(&upper, "SCALE_FACTOR")
            .or_else(|| parameter(&upper, "SCALE FACTOR AT NATURAL ORIGIN"))
            .unwrap_or(1.0);
        let fnorth = parameter(&upper, "FALSE_NORTHING")
            .or_else(|| parameter(&upper, "FALSE NORTHING"))
            .unwrap_or(0.0);
        if (k - 1.0).abs() > 1e-12 || fnorth != 0.0 || cm.fract() != 0.0 {
            return None;
        }
        let three = (cm % 3.0 == 0.0)
            .then(|| u8::try_from((cm / 3.0) as i64).ok())
            .flatten()
            .filter(|z| GK_ZONES.contains(z))
            .map(|zone| GkZone {
                six_degree: false,
                zone,
                prefixed: false,
            });
        // A 6-degree zone only on an old datum: CGCS2000 6-degree zones are not converted.
        let six = ((cm + 3.0) % 6.0 == 0.0 && datum.is_some())
            .then(|| u8::try_from(((cm + 3.0) / 6.0) as i64).ok())
            .flatten()
            .filter(|z| GK6_ZONES.contains(z))
            .map(|zone| GkZone {
                six_degree: true,
                zone,
                prefixed: false,
            });
        // 105°E is both 3-degree CM 35 and 6-degree zone 18: a prefixed easting says which;
        // without one, the same projection either way.
        let zone = [three, six].into_iter().flatten().find_map(|z| {
            if fe == 500_000.0 {
                Some(z)
            } else {
                let p = GkZone {
                    prefixed: true,
                    ..z
                };
                (fe == p.false_easting()).then_some(p)
            }
        })?;
        match datum {
            Some(_) => old(Some(zone)),
            None => Some(Crs::GaussKruger {
                zone: zone.zone,
                prefixed: zone.prefixed,
            }),
        }
    }

    /// A converter between this CRS and stored lon/lat. An old datum without its
    /// transformation is refused with a message that names the datum.
    pub fn transformer(self) -> Result<Transformer> {
        let p = |s: &str| {
            Proj::from_proj_string(s).map_err(|e| Error::Internal(format!("projection `{s}`: {e}")))
        };
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
                Kind::Proj {
                    geo: Box::new(p(geo)?),
                    file: Box::new(p(&tm)?),
                    file_degrees: false,
                }
            }
            Crs::OldDatum {
                datum,
                zone,
                towgs84,
            } => {
                let Some(t) = towgs84 else {
                    return Err(Error::Invalid(old_datum_refusal(datum)));
                };
                let (a, rf) = datum.axes();
                let ellps = format!("+a={a} +rf={rf} +towgs84={}", t.proj_string());
                let (file, file_degrees) = match zone {
                    None => (format!("+proj=longlat {ellps} +no_defs"), true),
                    Some(z) => (
                        format!(
                            "+proj=tmerc +lat_0=0 +lon_0={} +k=1 +x_0={} +y_0=0 {ellps} +units=m +no_defs",
                            z.central_meridian(),
                            z.false_easting()
                        ),
                        false,
                    ),
                };
                // CGCS2000 is taken as WGS84 (they agree to centimetres), the hub of +towgs84.
                let geo = "+proj=longlat +a=6378137 +rf=298.257222101 +towgs84=0,0,0 +no_defs";
                Kind::Proj {
                    geo: Box::new(p(geo)?),
                    file: Box::new(p(&file)?),
                    file_degrees,
                }
            }
        };
        Ok(Transformer { crs: self, kind })
    }
}

/// "the file is on Beijing 1954 (Krassowsky 1940 ellipsoid), not CGCS2000; …".
pub fn old_datum_refusal(datum: OldDatum) -> crate::message::Reason {
    Message::new(C::OldDatumNeedsTowgs84)
        .text("datum", datum.name())
        .text("ellipsoid", datum.ellipsoid())
        .en(format!(
            "the file is on {} ({} ellipsoid), not CGCS2000; give the local seven-parameter transformation with --towgs84 dx,dy,dz,rx,ry,rz,s (metres, arc-seconds, ppm), or convert the file to CGCS2000 first",
            datum.name(),
            datum.ellipsoid()
        ))
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

/// What the datum of a WKT is, from its ellipsoid and datum names.
enum WktDatum {
    /// CGCS2000, WGS84 or GRS80 (or none named: GridDesk's own `.prj` files always name one).
    Modern,
    Old(OldDatum),
    /// Any other ellipsoid (Clarke, Bessel, a sphere…).
    Other,
}

fn datum_of_wkt(upper: &str) -> WktDatum {
    // The first SPHEROID / ELLIPSOID: ["name", a, 1/f].
    let sph = ["SPHEROID[\"", "ELLIPSOID[\""]
        .iter()
        .filter_map(|pat| upper.find(pat).map(|i| i + pat.len()))
        .min()
        .and_then(|i| {
            let rest = &upper[i..];
            let name_end = rest.find('"')?;
            let name = &rest[..name_end];
            let nums = &rest[name_end + 1..];
            let a = nums
                .trim_start_matches([',', ' '])
                .split([',', ']'])
                .next()
                .and_then(|x| x.trim().parse::<f64>().ok());
            Some((name.to_string(), a))
        });
    let by_axis = |a: f64| {
        if (a - 6_378_245.0).abs() < 0.5 {
            WktDatum::Old(OldDatum::Beijing1954)
        } else if (a - 6_378_140.0).abs() < 0.5 {
            WktDatum::Old(OldDatum::Xian1980)
        } else if (a - 6_378_137.0).abs() < 0.5 {
            WktDatum::Modern
        } else {
            WktDatum::Other
        }
    };
    let by_name = |s: &str| {
        let s = s.replace([' ', '_', '-', '\''], "");
        if s.contains("KRASS") || s.contains("KRASOV") || s.contains("BEIJING") {
            Some(OldDatum::Beijing1954)
        } else if s.contains("IAG1975") || s.contains("XIAN") || s.contains("IAG75") {
            Some(OldDatum::Xian1980)
        } else {
            None
        }
    };
    match sph {
        Some((_, Some(a))) => by_axis(a),
        Some((name, None)) => by_name(&name).map_or(WktDatum::Other, WktDatum::Old),
        // No ellipsoid given: the datum's name, else the CRS's name.
        None => by_name(upper).map_or(WktDatum::Modern, WktDatum::Old),
    }
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
    /// Through `proj4rs`: `file` is the file's CRS (degrees when `file_degrees`), `geo`
    /// CGCS2000 lon/lat.
    Proj {
        geo: Box<Proj>,
        file: Box<Proj>,
        file_degrees: bool,
    },
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
            Kind::Proj {
                geo,
                file,
                file_degrees,
            } => {
                let mut p = if *file_degrees {
                    (x.to_radians(), y.to_radians(), 0.0)
                } else {
                    (x, y, 0.0)
                };
                proj4rs::transform::transform(file, geo, &mut p).map_err(|e| {
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
            Kind::Proj {
                geo,
                file,
                file_degrees,
            } => {
                let mut p = (lon.to_radians(), lat.to_radians(), 0.0);
                proj4rs::transform::transform(geo, file, &mut p).map_err(|e| {
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
                if *file_degrees {
                    Ok((p.0.to_degrees(), p.1.to_degrees()))
                } else {
                    Ok((p.0, p.1))
                }
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

    /// The ESRI `.prj` of EPSG:2437 (Beijing 1954 / 3-degree Gauss-Kruger CM 120E) as GDAL
    /// writes it: no AUTHORITY, so only the ellipsoid tells it from CGCS2000 CM 120E.
    const BEIJING_2437_ESRI: &str = "PROJCS[\"Beijing_1954_3_Degree_GK_CM_120E\",GEOGCS[\"GCS_Beijing_1954\",DATUM[\"D_Beijing_1954\",SPHEROID[\"Krasovsky_1940\",6378245.0,298.3]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]],PROJECTION[\"Gauss_Kruger\"],PARAMETER[\"False_Easting\",500000.0],PARAMETER[\"False_Northing\",0.0],PARAMETER[\"Central_Meridian\",120.0],PARAMETER[\"Scale_Factor\",1.0],PARAMETER[\"Latitude_Of_Origin\",0.0],UNIT[\"Meter\",1.0]]";
    /// EPSG:2364 (Xian 1980 / 3-degree Gauss-Kruger zone 40), ESRI flavour.
    const XIAN_2364_ESRI: &str = "PROJCS[\"Xian_1980_3_Degree_GK_Zone_40\",GEOGCS[\"GCS_Xian_1980\",DATUM[\"D_Xian_1980\",SPHEROID[\"Xian_1980\",6378140.0,298.257]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]],PROJECTION[\"Gauss_Kruger\"],PARAMETER[\"False_Easting\",40500000.0],PARAMETER[\"False_Northing\",0.0],PARAMETER[\"Central_Meridian\",120.0],PARAMETER[\"Scale_Factor\",1.0],PARAMETER[\"Latitude_Of_Origin\",0.0],UNIT[\"Meter\",1.0]]";
    /// EPSG:2385 (Xian 1980 / 3-degree Gauss-Kruger CM 120E), OGC WKT 1 as PROJ writes it.
    const XIAN_2385_OGC: &str = "PROJCS[\"Xian 1980 / 3-degree Gauss-Kruger CM 120E\",GEOGCS[\"Xian 1980\",DATUM[\"Xian_1980\",SPHEROID[\"IAG 1975\",6378140,298.257,AUTHORITY[\"EPSG\",\"7049\"]],AUTHORITY[\"EPSG\",\"6610\"]],PRIMEM[\"Greenwich\",0,AUTHORITY[\"EPSG\",\"8901\"]],UNIT[\"degree\",0.0174532925199433,AUTHORITY[\"EPSG\",\"9122\"]],AUTHORITY[\"EPSG\",\"4610\"]],PROJECTION[\"Transverse_Mercator\"],PARAMETER[\"latitude_of_origin\",0],PARAMETER[\"central_meridian\",120],PARAMETER[\"scale_factor\",1],PARAMETER[\"false_easting\",500000],PARAMETER[\"false_northing\",0],UNIT[\"metre\",1,AUTHORITY[\"EPSG\",\"9001\"]],AXIS[\"Northing\",NORTH],AXIS[\"Easting\",EAST],AUTHORITY[\"EPSG\",\"2385\"]]";

    fn old(datum: OldDatum, six_degree: bool, zone: u8, prefixed: bool) -> Crs {
        Crs::OldDatum {
            datum,
            zone: Some(GkZone {
                six_degree,
                zone,
                prefixed,
            }),
            towgs84: None,
        }
    }

    #[test]
    fn old_datums_are_recognised_by_ellipsoid_and_code_and_refused_naming_the_datum() {
        let b54 = old(OldDatum::Beijing1954, false, 40, false);
        assert_eq!(Crs::from_prj(BEIJING_2437_ESRI), Some(b54));
        assert_eq!(b54.epsg(), Some(2437));
        assert_eq!(
            Crs::from_prj(XIAN_2364_ESRI),
            Some(old(OldDatum::Xian1980, false, 40, true))
        );
        assert_eq!(
            Crs::from_prj(XIAN_2385_OGC),
            Some(old(OldDatum::Xian1980, false, 40, false))
        );
        // Without the AUTHORITY, the ellipsoid decides.
        let no_auth = XIAN_2385_OGC.replace(",AUTHORITY[\"EPSG\",\"2385\"]", "");
        assert_eq!(
            Crs::from_prj(&no_auth),
            Some(old(OldDatum::Xian1980, false, 40, false))
        );
        // A Beijing 1954 geographic .prj is not lon/lat on CGCS2000.
        let geo = "GEOGCS[\"GCS_Beijing_1954\",DATUM[\"D_Beijing_1954\",SPHEROID[\"Krasovsky_1940\",6378245.0,298.3]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]]";
        assert_eq!(
            Crs::from_prj(geo),
            Some(Crs::OldDatum {
                datum: OldDatum::Beijing1954,
                zone: None,
                towgs84: None
            })
        );
        // Any other ellipsoid is not ours.
        let bessel = BEIJING_2437_ESRI.replace("6378245.0,298.3", "6377397.155,299.1528128");
        assert_eq!(Crs::from_prj(&bessel), None);
        // 6-degree zones on old datums: Beijing 1954 zone 20 (CM 117E), EPSG:21420.
        let six = BEIJING_2437_ESRI
            .replace("\"Central_Meridian\",120.0", "\"Central_Meridian\",117.0")
            .replace("\"False_Easting\",500000.0", "\"False_Easting\",20500000.0");
        assert_eq!(
            Crs::from_prj(&six),
            Some(old(OldDatum::Beijing1954, true, 20, true))
        );
        assert_eq!(Crs::from_prj(&six).and_then(Crs::epsg), Some(21420));
        // Every code of both families comes back from its code and from its own .prj.
        for code in (2327..=2390)
            .chain(2401..=2442)
            .chain(21413..=21423)
            .chain(21453..=21463)
            .chain([4214, 4610])
        {
            let c = Crs::from_epsg(code).unwrap_or_else(|| panic!("{code}"));
            assert!(c.old_datum().is_some(), "{code}");
            assert_eq!(c.epsg(), Some(code), "{code}");
            assert_eq!(Crs::parse(&format!("EPSG:{code}")).unwrap(), c);
            let prj = c.to_prj().unwrap();
            let back = Crs::from_prj(&prj).unwrap_or_else(|| panic!("{code}: {prj}"));
            // 105°E without a prefix is both 3-degree CM 105E and 6-degree zone 18 CM 105E:
            // the same projection.
            assert_eq!(
                back.name()
                    .replace("6-degree Gauss-Kruger CM", "3-degree Gauss-Kruger CM"),
                c.name()
                    .replace("6-degree Gauss-Kruger CM", "3-degree Gauss-Kruger CM"),
                "{code}"
            );
            // Refused until the local transformation is given, naming datum and ellipsoid.
            let e = c.transformer().unwrap_err().to_string();
            let d = c.old_datum().unwrap();
            assert!(
                e.contains(d.name()) && e.contains(d.ellipsoid()) && e.contains("--towgs84"),
                "{e}"
            );
        }
        // CGCS2000 files still read as before.
        assert_eq!(
            Crs::from_prj(&Crs::from_epsg(4549).unwrap().to_prj().unwrap()),
            Crs::from_epsg(4549)
        );
    }

    #[test]
    fn towgs84_is_parsed_with_clear_errors() {
        let t = Towgs84::parse("15.8, -154.4, -82.3, 0.1, -0.2, 0.3, 1.5").unwrap();
        assert_eq!(
            (t.dx, t.dy, t.dz, t.rx, t.ry, t.rz, t.s),
            (15.8, -154.4, -82.3, 0.1, -0.2, 0.3, 1.5)
        );
        assert_eq!(Towgs84::parse("1,2,3").unwrap().s, 0.0);
        for (bad, why) in [
            ("1,2,3,4", "found 4 numbers"),
            ("1,2,x,0,0,0,0", "`x` is not a number"),
            ("1,2,3,0,0,0,NaN", "not a finite number"),
            ("1,2,300000,0,0,0,0", "over 10 km"),
            ("1,2,3,0,0,7200,0", "arc-seconds"),
            ("", "found 0 numbers"),
        ] {
            let e = Towgs84::parse(bad).unwrap_err().to_string();
            assert!(e.contains(why), "{bad}: {e}");
        }
        assert!(Crs::LonLat
            .with_towgs84(t)
            .unwrap_err()
            .to_string()
            .contains("not on Beijing 1954"));
        let c = Crs::from_epsg(2437).unwrap().with_towgs84(t).unwrap();
        assert!(c.transformer().is_ok());
    }

    /// The Helmert step, checked against the published example of EPSG Guidance Note 7-2
    /// (§ Position Vector transformation, WGS 72 → WGS 84: tZ = 4.5 m, rZ = 0.554″,
    /// dS = 0.219 ppm): proj4rs's `+towgs84` follows that convention.
    #[test]
    fn towgs84_convention_is_epsg_position_vector() {
        let src = Proj::from_proj_string(
            "+proj=geocent +ellps=WGS72 +towgs84=0,0,4.5,0,0,0.554,0.219 +units=m",
        )
        .unwrap();
        let dst =
            Proj::from_proj_string("+proj=geocent +ellps=WGS84 +towgs84=0,0,0 +units=m").unwrap();
        let mut p = (3_657_660.66, 255_768.55, 5_201_382.11);
        proj4rs::transform::transform(&src, &dst, &mut p).unwrap();
        let want = (3_657_660.78, 255_778.43, 5_201_387.75);
        assert!(
            (p.0 - want.0).abs() < 0.01
                && (p.1 - want.1).abs() < 0.01
                && (p.2 - want.2).abs() < 0.01,
            "{p:?}"
        );
    }

    // An independent closed-form datum shift for the test: geodetic → geocentric on the old
    // ellipsoid, the linear position-vector Helmert of EPSG 9606, geocentric → geodetic on
    // CGCS2000 (Bowring's iteration to convergence).
    fn geocentric(lon: f64, lat: f64, a: f64, rf: f64) -> (f64, f64, f64) {
        let f = 1.0 / rf;
        let e2 = f * (2.0 - f);
        let (l, b) = (lon.to_radians(), lat.to_radians());
        let n = a / (1.0 - e2 * b.sin().powi(2)).sqrt();
        (
            n * b.cos() * l.cos(),
            n * b.cos() * l.sin(),
            n * (1.0 - e2) * b.sin(),
        )
    }

    fn geodetic(x: f64, y: f64, z: f64, a: f64, rf: f64) -> (f64, f64) {
        let f = 1.0 / rf;
        let e2 = f * (2.0 - f);
        let p = x.hypot(y);
        let mut b = (z / (p * (1.0 - e2))).atan();
        for _ in 0..20 {
            let n = a / (1.0 - e2 * b.sin().powi(2)).sqrt();
            let h = p / b.cos() - n;
            b = (z / (p * (1.0 - e2 * n / (n + h)))).atan();
        }
        (y.atan2(x).to_degrees(), b.to_degrees())
    }

    fn helmert(p: (f64, f64, f64), t: &Towgs84) -> (f64, f64, f64) {
        let sec = std::f64::consts::PI / 180.0 / 3600.0;
        let (rx, ry, rz) = (t.rx * sec, t.ry * sec, t.rz * sec);
        let m = 1.0 + t.s * 1e-6;
        (
            t.dx + m * (p.0 - rz * p.1 + ry * p.2),
            t.dy + m * (rz * p.0 + p.1 - rx * p.2),
            t.dz + m * (-ry * p.0 + rx * p.1 + p.2),
        )
    }

    #[test]
    fn old_datum_gauss_kruger_converts_with_the_given_seven_parameters() {
        let cgcs = (6_378_137.0, 298.257_222_101);
        let params = Towgs84::parse("15.8,-154.4,-82.3,0.35,-0.42,1.1,2.5").unwrap();
        for (code, datum) in [
            (2437, OldDatum::Beijing1954),
            (2385, OldDatum::Xian1980),
            (2364, OldDatum::Xian1980),
        ] {
            let crs = Crs::from_epsg(code).unwrap().with_towgs84(params).unwrap();
            let Crs::OldDatum { zone: Some(z), .. } = crs else {
                panic!()
            };
            let (a, rf) = datum.axes();
            // A point near Hangzhou given on the old datum, projected on its own ellipsoid
            // (the projection alone, no datum).
            let (lon0, lat0) = (120.15_f64, 30.28_f64);
            let tm = Proj::from_proj_string(&format!(
                "+proj=tmerc +lat_0=0 +lon_0={} +k=1 +x_0={} +y_0=0 +a={a} +rf={rf} +units=m",
                z.central_meridian(),
                z.false_easting()
            ))
            .unwrap();
            let geo = Proj::from_proj_string(&format!("+proj=longlat +a={a} +rf={rf}")).unwrap();
            let mut xy = (lon0.to_radians(), lat0.to_radians(), 0.0);
            proj4rs::transform::transform(&geo, &tm, &mut xy).unwrap();
            // Expected CGCS2000 lon/lat, computed independently.
            let g = helmert(geocentric(lon0, lat0, a, rf), &params);
            let (elon, elat) = geodetic(g.0, g.1, g.2, cgcs.0, cgcs.1);
            let t = crs.transformer().unwrap();
            let (lon, lat) = t.to_lon_lat(xy.0, xy.1).unwrap();
            assert!(
                (lon - elon).abs() < 1e-8 && (lat - elat).abs() < 1e-8,
                "{code}: ({lon}, {lat}) vs ({elon}, {elat})"
            );
            // The shift is real: tens to hundreds of metres, not the identity.
            let moved = ((lon - lon0) * 111_320.0 * lat0.to_radians().cos())
                .hypot((lat - lat0) * 110_900.0);
            assert!(moved > 20.0, "{code}: moved {moved} m");
            // And back: the old-datum coordinates again, to a centimetre (a 2D file drops the
            // ellipsoidal height the shift gives, which the rotations turn into millimetres).
            let (bx, by) = t.from_lon_lat(lon, lat).unwrap();
            assert!(
                (bx - xy.0).abs() < 1e-2 && (by - xy.1).abs() < 1e-2,
                "{code}: {bx} {by} vs {:?}",
                xy
            );
        }
        // A pure translation of 100 m along Z moves a point at latitude φ by 100·cos φ m north
        // (the rest goes into the height, which a 2D file does not keep).
        let base = Crs::from_epsg(2437).unwrap();
        let zero = base
            .with_towgs84(Towgs84::parse("0,0,0").unwrap())
            .unwrap()
            .transformer()
            .unwrap();
        let up = base
            .with_towgs84(Towgs84::parse("0,0,100").unwrap())
            .unwrap()
            .transformer()
            .unwrap();
        let (x, y) = (540_000.0, 3_350_000.0);
        let (l0, b0) = zero.to_lon_lat(x, y).unwrap();
        let (l1, b1) = up.to_lon_lat(x, y).unwrap();
        let m_per_deg_lat = 110_900.0;
        let north = (b1 - b0) * m_per_deg_lat;
        let want = 100.0 * b0.to_radians().cos();
        assert!((north - want).abs() < 0.5, "north {north} m, want {want} m");
        assert!((l1 - l0).abs() < 1e-9);
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
