//! The outlines of China's county-level divisions shipped with the app
//! (`resources/geo/counties.geojson`, see `resources/geo/README.md` for source and licence):
//! the catalogue to pick a district from by name or GB/T 2260 code, and a search over it. A
//! chosen district's outline is read with [`super::read_district`] (the file's `gb` property).
//!
//! Each feature's properties: `gb` (`"156"` + code), `code` (6 digits), `name`, `province`,
//! `city` (the prefecture; `null` for divisions directly under a province or municipality).

use crate::code::DistrictCode;
use crate::error::{Error, Location, Position, Result};
use crate::message::{Message, MessageCode as C};
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The bundled outlines, relative to the app's resources folder.
pub const COUNTIES_FILE: &str = "geo/counties.geojson";

/// One county-level division of the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CountyEntry {
    /// GB/T 2260 code, 6 digits (e.g. `331003`).
    pub code: String,
    /// e.g. `黄岩区`.
    pub name: String,
    /// The province-level division, e.g. `浙江省`.
    pub province: String,
    /// The prefecture-level division, e.g. `台州市`; `None` for districts of a municipality and
    /// divisions directly under a province.
    pub city: Option<String>,
}

#[derive(Deserialize)]
struct Collection {
    features: Vec<Feature>,
}

#[derive(Deserialize)]
struct Feature {
    properties: Properties,
    /// Skipped without being built: the catalogue needs only the properties.
    #[serde(rename = "geometry", default)]
    _geometry: IgnoredAny,
}

#[derive(Deserialize)]
struct Properties {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    gb: Option<String>,
    name: String,
    province: String,
    #[serde(default)]
    city: Option<String>,
}

/// The divisions in an outlines file such as [`COUNTIES_FILE`] (properties only, geometry
/// skipped), sorted by code. A feature's code is its `code` property, else its `gb` without
/// the leading `156`.
pub fn county_catalogue(path: &Path) -> Result<Vec<CountyEntry>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let file = path.display().to_string();
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let doc: Collection = serde_json::from_slice(bytes).map_err(|e| Error::Input {
        location: Location {
            file: file.clone(),
            position: Position::Line(e.line() as u64),
            field: None,
        },
        message: Message::new(C::JsonMalformed)
            .int("line", e.line())
            .int("column", e.column())
            .en(format!("not an outlines file: {e}")),
    })?;
    let mut entries = doc
        .features
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            let p = f.properties;
            let raw = p
                .code
                .or_else(|| {
                    p.gb.map(|g| g.strip_prefix("156").unwrap_or(&g).to_string())
                })
                .unwrap_or_default();
            let code = DistrictCode::parse(&raw).map_err(|e| Error::Input {
                location: Location {
                    file: file.clone(),
                    position: Position::Feature(i),
                    field: Some("code".into()),
                },
                message: e.reason(),
            })?;
            Ok(CountyEntry {
                code: code.to_string(),
                name: p.name.trim().to_string(),
                province: p.province,
                city: p.city.filter(|c| !c.trim().is_empty()),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    entries.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(entries)
}

/// The entries that match `query`, at most `limit`:
/// * empty (after trimming): the first `limit` entries;
/// * all digits: the codes that start with it (`3310` → the divisions of 台州市);
/// * otherwise the names that contain it (`黄岩`), then the entries where every
///   whitespace-separated part of the query is found in province, city and name (`台州 黄岩`),
///   a part possibly spanning them in that order in pieces of two characters or more
///   (`浙江黄岩`, `台州市黄岩`).
///
/// Exact name matches come first, then names that contain the query, then the rest; each
/// group by code.
pub fn search_counties<'a>(
    entries: &'a [CountyEntry],
    query: &str,
    limit: usize,
) -> Vec<&'a CountyEntry> {
    let q = query.trim();
    if q.is_empty() {
        return entries.iter().take(limit).collect();
    }
    if q.bytes().all(|b| b.is_ascii_digit()) {
        let mut hits: Vec<_> = entries.iter().filter(|e| e.code.starts_with(q)).collect();
        hits.sort_by(|a, b| a.code.cmp(&b.code));
        hits.truncate(limit);
        return hits;
    }
    let parts: Vec<&str> = q.split_whitespace().collect();
    let mut hits: Vec<(u8, &CountyEntry)> = entries
        .iter()
        .filter_map(|e| {
            let rank = if e.name == q {
                0
            } else if e.name.contains(q) {
                1
            } else {
                let fields = [
                    e.province.as_str(),
                    e.city.as_deref().unwrap_or(""),
                    &e.name,
                ];
                let joined = fields.concat();
                let all = parts
                    .iter()
                    .all(|p| joined.contains(p) || in_fields(p, &fields));
                if !all {
                    return None;
                }
                2
            };
            Some((rank, e))
        })
        .collect();
    hits.sort_by(|(ra, a), (rb, b)| ra.cmp(rb).then_with(|| a.code.cmp(&b.code)));
    hits.into_iter().take(limit).map(|(_, e)| e).collect()
}

/// Whether `part` is a run of pieces of at least two characters, each found in a later field
/// than the one before (`浙江黄岩` in `浙江省`, `台州市`, `黄岩区`; `朝阳区` is not `朝阳` in
/// `朝阳市` and `区` in `龙城区`).
fn in_fields(part: &str, fields: &[&str]) -> bool {
    if part.is_empty() {
        return true;
    }
    if part.chars().nth(1).is_none() {
        return false;
    }
    fields.iter().enumerate().any(|(j, field)| {
        part.char_indices()
            .skip(2)
            .map(|(k, _)| k)
            .chain(std::iter::once(part.len()))
            .any(|k| field.contains(&part[..k]) && in_fields(&part[k..], &fields[j + 1..]))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::fields::Record;
    use crate::io::geojson_in::{self, FeatureRecord};
    use geo::{Area, HausdorffDistance, MapCoords, MultiPolygon, Validation};
    use std::collections::HashSet;
    use std::path::PathBuf;

    fn counties() -> PathBuf {
        PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../resources/geo/counties.geojson"
        ))
    }

    fn catalogue() -> Vec<CountyEntry> {
        county_catalogue(&counties()).unwrap()
    }

    fn entry(code: &str, name: &str, province: &str, city: Option<&str>) -> CountyEntry {
        CountyEntry {
            code: code.into(),
            name: name.into(),
            province: province.into(),
            city: city.map(str::to_string),
        }
    }

    fn codes(hits: &[&CountyEntry]) -> Vec<String> {
        hits.iter().map(|e| e.code.clone()).collect()
    }

    #[test]
    fn outlines_catalogue_has_every_county_once() {
        let all = catalogue();
        assert!(all.len() > 2800, "{} entries", all.len());
        let mut seen = HashSet::new();
        for e in &all {
            assert!(
                e.code.len() == 6 && e.code.bytes().all(|b| b.is_ascii_digit()),
                "{e:?}"
            );
            assert!(seen.insert(e.code.as_str()), "duplicate code {}", e.code);
            assert!(!e.name.is_empty(), "{e:?}");
            assert!(!e.province.is_empty(), "{e:?}");
            assert_ne!(e.city.as_deref(), Some(""), "{e:?}");
        }
        assert!(all.windows(2).all(|w| w[0].code < w[1].code), "sorted");
        let hy = all.iter().find(|e| e.code == "331003").unwrap();
        assert_eq!(hy, &entry("331003", "黄岩区", "浙江省", Some("台州市")));
        let chaoyang = all.iter().find(|e| e.code == "110105").unwrap();
        assert_eq!(chaoyang, &entry("110105", "朝阳区", "北京市", None));
    }

    /// Every outline as the district reader converts it (`FeatureRecord::polygons`, what
    /// `read_district` returns): a valid MultiPolygon with an area, under the catalogue's code.
    /// The reader refuses an outline that fails geo's `Validation::check_validation`, so an
    /// outline read is a valid one; checking it again would double the test's time (geo takes
    /// about 9 s for the 3 580 polygons, hence the two threads).
    #[test]
    fn outlines_are_valid_multipolygons() {
        use rayon::prelude::*;
        let path = counties();
        let bytes = std::fs::read(&path).unwrap();
        let features = geojson_in::features("counties.geojson", &bytes).unwrap();
        let all = catalogue();
        assert_eq!(features.len(), all.len());
        features.par_iter().enumerate().for_each(|(i, v)| {
            let code = v["properties"]["code"].as_str().unwrap();
            assert_eq!(v["properties"]["gb"], format!("156{code}"), "feature {i}");
            assert_eq!(v["geometry"]["type"], "MultiPolygon", "{code}");
            assert_eq!(all[i].code, code, "file sorted by code");
            let f = FeatureRecord::new(v).unwrap();
            let mp = f
                .polygons()
                .unwrap_or_else(|p| panic!("{code} {}: {p:?}", all[i].name));
            assert!(!mp.0.is_empty() && mp.unsigned_area() > 0.0, "{code}");
        });
        // The reader finds a division by its `gb`, first and last in the file too.
        for (code, name) in [("110101", "东城区"), (all[all.len() - 1].code.as_str(), "")] {
            let d = geojson_in::read_district(
                "counties.geojson",
                &bytes,
                DistrictCode::parse(code).unwrap(),
            )
            .unwrap();
            assert_eq!(d.code.as_str(), code);
            assert!(name.is_empty() || d.name == name, "{}", d.name);
            assert!(d.boundary.is_valid() && d.boundary.unsigned_area() > 0.0);
        }
    }

    /// Degrees to metres near `lat` (equirectangular, good to a fraction of a percent over a
    /// county).
    fn metres(mp: &MultiPolygon<f64>, lat: f64) -> MultiPolygon<f64> {
        let kx = 111_320.0 * lat.to_radians().cos();
        mp.map_coords(|c| geo::coord! { x: c.x * kx, y: c.y * 110_574.0 })
    }

    #[test]
    fn outlines_huangyan_matches_the_outline_shipped_before() {
        let code = DistrictCode::parse("331003").unwrap();
        let new = crate::io::read_district(&counties(), code).unwrap();
        assert_eq!(new.name, "黄岩区");
        let old_path = PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../resources/geo/taizhou_districts.geojson"
        ));
        let old = crate::io::read_district(&old_path, code).unwrap();
        let lat = 28.6;
        let d = metres(&new.boundary, lat).hausdorff_distance(&metres(&old.boundary, lat));
        assert!(d < 50.0, "Hausdorff distance {d:.1} m");
        let (a, b) = (new.boundary.unsigned_area(), old.boundary.unsigned_area());
        assert!((a - b).abs() / b < 0.01, "areas {a} and {b}");
    }

    #[test]
    fn outlines_search() {
        let all = catalogue();
        let hits = search_counties(&all, "黄岩", 10);
        assert_eq!(hits[0].code, "331003");
        assert_eq!(codes(&search_counties(&all, " 331003 ", 10)), ["331003"]);
        let taizhou = search_counties(&all, "3310", 50);
        assert!(taizhou.len() >= 9, "{taizhou:?}");
        assert!(taizhou
            .iter()
            .all(|e| e.code.starts_with("3310") && e.city.as_deref() == Some("台州市")));
        assert!(taizhou.windows(2).all(|w| w[0].code < w[1].code));
        assert_eq!(search_counties(&all, "3310", 3).len(), 3);
        for q in [
            "台州 黄岩",
            "浙江 黄岩",
            "浙江黄岩",
            "台州市黄岩",
            "浙江台州黄岩区",
            "黄岩 台州",
        ] {
            assert_eq!(codes(&search_counties(&all, q, 10)), ["331003"], "{q}");
        }
        // A name shared by several divisions: all of them, told apart by province and city.
        let chaoyang = search_counties(&all, "朝阳区", 10);
        assert!(chaoyang.len() >= 2, "{chaoyang:?}");
        assert!(chaoyang.iter().all(|e| e.name == "朝阳区"));
        let places: HashSet<_> = chaoyang.iter().map(|e| (&e.province, &e.city)).collect();
        assert_eq!(places.len(), chaoyang.len());
        assert_eq!(codes(&search_counties(&all, "北京 朝阳", 10)), ["110105"]);
        assert_eq!(search_counties(&all, "", 7).len(), 7);
        assert_eq!(
            codes(&search_counties(&all, "  ", 2)),
            [all[0].code.as_str(), all[1].code.as_str()]
        );
        assert!(search_counties(&all, "黄岩", 0).is_empty());
        assert!(search_counties(&all, "不存在的地方", 10).is_empty());
        assert!(search_counties(&all, "999", 10).is_empty());
    }

    #[test]
    fn outlines_search_ranks_exact_names_first() {
        let all = [
            entry("110105", "朝阳区", "北京市", None),
            entry("210000", "龙城区", "辽宁省", Some("朝阳市")),
            entry("210003", "朝阳县", "辽宁省", Some("朝阳市")),
            entry("220104", "朝阳区", "吉林省", Some("长春市")),
        ];
        assert_eq!(
            codes(&search_counties(&all, "朝阳区", 10)),
            ["110105", "220104"]
        );
        assert_eq!(codes(&search_counties(&all, "朝阳县", 10)), ["210003"]);
        // Names containing the query, then entries found by their city.
        assert_eq!(
            codes(&search_counties(&all, "朝阳", 10)),
            ["110105", "210003", "220104", "210000"]
        );
        assert_eq!(
            codes(&search_counties(&all, "辽宁 朝阳", 10)),
            ["210000", "210003"]
        );
    }

    #[test]
    fn outlines_catalogue_errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.geojson");
        assert!(matches!(
            county_catalogue(&missing),
            Err(Error::Io { path, .. }) if path == missing
        ));
        let bad = dir.path().join("bad.geojson");
        std::fs::write(&bad, "{\"type\":\"FeatureCollection\",\n\"features\":[").unwrap();
        match county_catalogue(&bad) {
            Err(Error::Input { location, message }) => {
                assert_eq!(location.file, bad.display().to_string());
                assert_eq!(location.position, Position::Line(2));
                assert_eq!(message.message.code, C::JsonMalformed);
            }
            other => panic!("{other:?}"),
        }
        let code = dir.path().join("code.geojson");
        let doc = r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"gb":"156331003","name":"黄岩区","province":"浙江省","city":"台州市"},"geometry":null},
            {"type":"Feature","properties":{"code":"33100","name":"x","province":"浙江省"},"geometry":null}]}"#;
        std::fs::write(&code, doc).unwrap();
        match county_catalogue(&code) {
            Err(Error::Input { location, .. }) => {
                assert_eq!(location.position, Position::Feature(1));
                assert_eq!(location.field.as_deref(), Some("code"));
            }
            other => panic!("{other:?}"),
        }
        std::fs::write(&code, doc.replace("\"33100\"", "\"330000\"")).unwrap();
        let two = county_catalogue(&code).unwrap();
        assert_eq!(
            two,
            [
                entry("330000", "x", "浙江省", None),
                entry("331003", "黄岩区", "浙江省", Some("台州市")),
            ]
        );
    }
}
