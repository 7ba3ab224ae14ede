//! GeoJSON reading: a FeatureCollection into per-feature records, geometry checked by hand so
//! that every problem names its feature and ring instead of failing the whole file.

use super::fields::{check_lon_lat, clip, required_missing, Field, Problem, Record};
use super::Reject;
use crate::code::DistrictCode;
use crate::error::{Error, Location, Position, Result};
use crate::message::{Geom, Message, MessageCode as C, PolygonProblem, Reason};
use crate::model::District;
use geo::Validation;
use geo_types::{Coord, LineString, MultiPolygon, Point, Polygon};
use serde_json::{Map, Value};
use std::borrow::Cow;

const GEOMETRY: Option<&str> = Some("geometry");

/// Parses a FeatureCollection (or a single Feature) into its features, or the reject that
/// refuses the whole file.
pub fn features(file: &str, bytes: &[u8]) -> Result<Vec<Value>, Reject> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let root: Value = serde_json::from_slice(bytes).map_err(|e| {
        let text = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        let what = text.strip_suffix(&suffix).unwrap_or(&text);
        Reject::new(
            file,
            Position::Line(e.line() as u64),
            None,
            Message::new(C::JsonMalformed)
                .int("line", e.line())
                .int("column", e.column())
                .en(format!(
                    "malformed JSON at line {}, column {}: {what}",
                    e.line(),
                    e.column()
                )),
        )
    })?;
    let ty = root.get("type").and_then(Value::as_str).map(str::to_string);
    match (ty.as_deref(), root) {
        (Some("FeatureCollection"), Value::Object(mut o)) => match o.remove("features") {
            Some(Value::Array(a)) => Ok(a),
            _ => Err(Reject::new(
                file,
                Position::File,
                Some("features"),
                Message::new(C::GeojsonNoFeatures).en("FeatureCollection has no `features` array"),
            )),
        },
        (Some("Feature"), root) => Ok(vec![root]),
        (ty, _) => Err(Reject::new(
            file,
            Position::File,
            Some("type"),
            Message::new(C::GeojsonNotCollection)
                .text("found", ty.map_or("—".into(), clip))
                .en(format!(
                    "expected a GeoJSON FeatureCollection, found {}",
                    ty.map_or("no `type`".into(), |t| format!("`{}`", clip(t)))
                )),
        )),
    }
}

/// The CRS a GeoJSON file names in a top-level `crs` member (GeoJSON 2008, as GDAL writes a
/// file that is not in lon/lat): `{"type": "name", "properties": {"name":
/// "urn:ogc:def:crs:EPSG::4549"}}` (also `EPSG:4549`, an `…/EPSG/0/4549` URL, or `CRS84`).
/// `head` is the start of the file; the member is looked for before `features`. `Ok(None)`: no
/// `crs` member; `Err`: one that names a CRS GridDesk does not convert.
pub fn crs_member(file: &str, head: &[u8]) -> Result<Option<super::Crs>, Reject> {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let find = |pat: &[u8]| head.windows(pat.len()).position(|w| w == pat);
    let Some(at) = find(b"\"crs\"") else {
        return Ok(None);
    };
    if find(b"\"features\"").is_some_and(|f| f < at) {
        return Ok(None);
    }
    let rest = &head[at + 5..];
    let Some(colon) = rest.iter().position(|b| !b.is_ascii_whitespace()) else {
        return Ok(None);
    };
    if rest[colon] != b':' {
        return Ok(None);
    }
    let value = serde_json::Deserializer::from_slice(&rest[colon + 1..])
        .into_iter::<Value>()
        .next()
        .and_then(|v| v.ok());
    let name = value.as_ref().and_then(|v| {
        v.pointer("/properties/name")
            .or_else(|| v.pointer("/properties/code"))
            .and_then(|n| match n {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
    });
    let Some(name) = name else {
        return Ok(None);
    };
    let upper = name.to_ascii_uppercase();
    if upper.ends_with("CRS84") {
        return Ok(Some(super::Crs::LonLat));
    }
    let code: Option<u32> = upper.find("EPSG").and_then(|i| {
        let digits: String = upper[i..]
            .chars()
            .rev()
            .take_while(char::is_ascii_digit)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        digits.parse().ok()
    });
    code.and_then(super::Crs::from_epsg)
        .map(Some)
        .ok_or_else(|| {
            Reject::new(
                file,
                Position::File,
                Some("crs"),
                Message::new(C::CrsUnknownInFile)
                    .text("crs", clip(&name))
                    .en(format!(
                        "the file's `crs` member names `{}`, a CRS GridDesk does not convert; \
                     choose the CRS (lon/lat, CGCS2000 Gauss-Krüger EPSG:4513–4554 or GCJ-02)",
                        clip(&name)
                    )),
            )
        })
}

/// One feature of a collection.
pub struct FeatureRecord<'a> {
    pub properties: Option<&'a Map<String, Value>>,
    pub geometry: Option<&'a Value>,
}

impl<'a> FeatureRecord<'a> {
    /// Checks that `v` is a Feature object; on success a record over it.
    pub fn new(v: &'a Value) -> Result<Self, Problem> {
        let Value::Object(o) = v else {
            return Err(Problem::new(
                None,
                Message::new(C::NotAnObject).en("not a JSON object"),
            ));
        };
        match o.get("type").and_then(Value::as_str) {
            Some("Feature") => {}
            Some(t) => {
                return Err(Problem::new(
                    Some("type"),
                    Message::new(C::GeojsonNotFeature)
                        .text("found", clip(t))
                        .en(format!("expected a Feature, found `{}`", clip(t))),
                ))
            }
            None => {
                return Err(Problem::new(
                    Some("type"),
                    Message::new(C::GeojsonNotFeature)
                        .text("found", "—")
                        .en("expected a Feature, found no `type`"),
                ))
            }
        }
        let properties = match o.get("properties") {
            None | Some(Value::Null) => None,
            Some(Value::Object(p)) => Some(p),
            Some(_) => {
                return Err(Problem::new(
                    Some("properties"),
                    Message::new(C::PropertiesNotObject)
                        .en("`properties` must be an object or null"),
                ))
            }
        };
        let geometry = o.get("geometry").filter(|g| !g.is_null());
        Ok(FeatureRecord {
            properties,
            geometry,
        })
    }

    fn lookup(&self, f: &Field) -> Option<&'a Value> {
        let p = self.properties?;
        p.get(f.name)
            .or_else(|| f.aliases.iter().find_map(|a| p.get(*a)))
            .or_else(|| p.iter().find(|(k, _)| f.matches(k)).map(|(_, v)| v))
    }

    fn geometry(&self) -> Result<(&'a str, &'a Value), Problem> {
        let g = self.geometry.ok_or_else(|| {
            Problem::new(
                GEOMETRY,
                Message::new(C::NoGeometry).en("feature has no geometry"),
            )
        })?;
        let ty = g.get("type").and_then(Value::as_str).ok_or_else(|| {
            Problem::new(
                GEOMETRY,
                Message::new(C::GeometryNoType).en("geometry has no `type`"),
            )
        })?;
        let coords = g.get("coordinates").ok_or_else(|| {
            Problem::new(
                GEOMETRY,
                Message::new(C::GeometryNoCoordinates)
                    .text("type", clip(ty))
                    .en(format!("{} geometry has no `coordinates`", clip(ty))),
            )
        })?;
        Ok((ty, coords))
    }
}

impl Record for FeatureRecord<'_> {
    fn text(&self, f: &Field) -> Result<Option<Cow<'_, str>>, Reason> {
        match self.lookup(f) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => {
                let t = s.trim();
                Ok((!t.is_empty()).then_some(Cow::Borrowed(t)))
            }
            Some(Value::Number(n)) => Ok(Some(Cow::Owned(n.to_string()))),
            Some(Value::Bool(b)) => Ok(Some(Cow::Borrowed(if *b { "true" } else { "false" }))),
            Some(Value::Array(_)) => {
                Err(Message::new(C::ValueNotText).en("expected a text value, found an array"))
            }
            Some(Value::Object(_)) => {
                Err(Message::new(C::ValueNotText).en("expected a text value, found an object"))
            }
        }
    }

    fn point(&self) -> Result<Point<f64>, Problem> {
        match self.geometry()? {
            ("Point", c) => position(c)
                .map(Point::from)
                .map_err(|m| Problem::new(GEOMETRY, m)),
            (ty, _) => Err(Problem::new(
                GEOMETRY,
                Message::new(C::ExpectedGeometry)
                    .terms("expected", [Geom::Point])
                    .text("found", clip(ty))
                    .en(format!("expected a Point geometry, found {}", clip(ty))),
            )),
        }
    }

    fn polygons(&self) -> Result<MultiPolygon<f64>, Problem> {
        let (ty, c) = self.geometry()?;
        let mp = match ty {
            "Polygon" => MultiPolygon(vec![polygon(c, "")?]),
            "MultiPolygon" => {
                let parts = c.as_array().ok_or_else(|| {
                    Problem::new(
                        GEOMETRY,
                        Message::new(C::NotAnArray)
                            .en("MultiPolygon coordinates must be an array of polygons"),
                    )
                })?;
                if parts.is_empty() {
                    return Err(Problem::new(
                        GEOMETRY,
                        Message::new(C::MultipolygonEmpty).en("MultiPolygon has no polygons"),
                    ));
                }
                let polys = parts
                    .iter()
                    .enumerate()
                    .map(|(i, p)| polygon(p, &format!("polygon {i}, ")))
                    .collect::<Result<Vec<_>, _>>()?;
                MultiPolygon(polys)
            }
            other => {
                return Err(Problem::new(
                    GEOMETRY,
                    Message::new(C::ExpectedGeometry)
                        .terms("expected", [Geom::Polygon, Geom::MultiPolygon])
                        .text("found", clip(other))
                        .en(format!(
                            "expected a Polygon or MultiPolygon geometry, found {}",
                            clip(other)
                        )),
                ))
            }
        };
        if let Err(e) = mp.check_validation() {
            return Err(Problem::new(GEOMETRY, invalid_multipolygon(&e)));
        }
        Ok(mp)
    }
}

/// A `[lon, lat]` (extra ordinates ignored), range-checked.
fn position(v: &Value) -> Result<Coord<f64>, Reason> {
    let not_numbers =
        || Message::new(C::PositionNotNumbers).en("a position must be an array of numbers");
    let a = v.as_array().ok_or_else(not_numbers)?;
    if a.len() < 2 {
        return Err(Message::new(C::PositionTooShort)
            .int("count", a.len())
            .en(format!("a position needs 2 numbers, found {}", a.len())));
    }
    let (Some(lon), Some(lat)) = (a[0].as_f64(), a[1].as_f64()) else {
        return Err(not_numbers());
    };
    check_lon_lat(lon, lat)?;
    Ok(Coord { x: lon, y: lat })
}

fn ring(v: &Value, what: &str) -> Result<LineString<f64>, Problem> {
    let bad = |m: Reason| Problem::new(GEOMETRY, m.prefixed(what));
    let a = v.as_array().ok_or_else(|| {
        bad(Message::new(C::RingNotArray).en("ring must be an array of positions"))
    })?;
    let coords = a
        .iter()
        .enumerate()
        .map(|(i, p)| position(p).map_err(|m| bad(m.prefixed(format!("position {i}: ")))))
        .collect::<Result<Vec<_>, _>>()?;
    if coords.len() < 4 {
        return Err(bad(Message::new(C::RingTooShort)
            .int("count", coords.len())
            .en(format!(
                "ring has {} positions, a closed ring needs at least 4",
                coords.len()
            ))));
    }
    if coords.first() != coords.last() {
        return Err(bad(Message::new(C::RingNotClosed)
            .en("ring is not closed (first and last positions differ)")));
    }
    Ok(LineString(coords))
}

fn polygon(v: &Value, prefix: &str) -> Result<Polygon<f64>, Problem> {
    let rings = v.as_array().ok_or_else(|| {
        Problem::new(
            GEOMETRY,
            Message::new(C::NotAnArray).en(format!(
                "{prefix}polygon coordinates must be an array of rings"
            )),
        )
    })?;
    let Some((outer, holes)) = rings.split_first() else {
        return Err(Problem::new(
            GEOMETRY,
            Message::new(C::PolygonNoRings).en(format!("{prefix}polygon has no rings")),
        ));
    };
    let exterior = ring(outer, &format!("{prefix}exterior "))?;
    let interiors = holes
        .iter()
        .enumerate()
        .map(|(i, r)| ring(r, &format!("{prefix}interior {i} ")))
        .collect::<Result<_, _>>()?;
    Ok(Polygon::new(exterior, interiors))
}

/// Finds a district in a boundary file by `gb` (`"156"` + code), `code` or `adcode`.
pub fn read_district(file: &str, bytes: &[u8], code: DistrictCode) -> Result<District> {
    let input = |position, field: Option<&str>, message: Reason| Error::Input {
        location: Location {
            file: file.to_string(),
            position,
            field: field.map(str::to_string),
        },
        message,
    };
    let feats = features(file, bytes).map_err(|r| Error::Input {
        message: r.reason(),
        location: r.location,
    })?;
    let gb = format!("156{code}");
    for (i, v) in feats.iter().enumerate() {
        let Ok(f) = FeatureRecord::new(v) else {
            continue;
        };
        let key = |name: &'static str| f.text(&Field { name, aliases: &[] }).ok().flatten();
        let hit = key("gb").is_some_and(|g| g == gb)
            || key("code").is_some_and(|c| c == code.as_str())
            || key("adcode").is_some_and(|c| c == code.as_str());
        if !hit {
            continue;
        }
        let name = key("name")
            .ok_or_else(|| input(Position::Feature(i), Some("name"), required_missing()))?
            .into_owned();
        let boundary = f
            .polygons()
            .map_err(|p| input(Position::Feature(i), p.field, p.message))?;
        return Ok(District {
            code,
            name,
            boundary,
        });
    }
    Err(input(
        Position::File,
        Some("gb"),
        Message::new(C::DistrictNotInFile)
            .text("district", code)
            .text("gb", &gb)
            .en(format!("no feature for district {code} (gb `{gb}`)")),
    ))
}

/// Why a (multi)polygon is not valid, for import problems.
pub fn invalid_multipolygon(e: &geo::algorithm::validation::InvalidMultiPolygon) -> Reason {
    use geo::algorithm::validation::InvalidMultiPolygon as M;
    let why = match e {
        M::InvalidPolygon(_, p) => PolygonProblem::of(p),
        _ => PolygonProblem::PartsOverlap,
    };
    Message::new(C::InvalidPolygon)
        .term("reason", why)
        .en(format!("invalid polygon: {e}"))
}
