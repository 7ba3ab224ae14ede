//! The registers in memory: search and per-grid counts over the service objects, the
//! frontages for "whose frontage is this", the vendors with their derived colours, the
//! vending zones, and the hints a case's dispatcher sees (§Hints in docs/registers.md).

use super::industry::{section_name, Subclass};
use super::model::*;
use super::rules::{zone_open_at, Ladder};
use chrono::NaiveDateTime;
use geo::{Contains, Distance, Euclidean};
use geo_types::{Coord, LineString, Point, Polygon};
use griddesk_spatial::index::SpatialIndex;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A case within this distance of a frontage is on it (metres).
pub const FRONTAGE_M: f64 = 20.0;
/// A vending case within this distance of a red-listed vendor's usual place names them (metres).
pub const RED_VENDOR_M: f64 = 150.0;

/// Everything in the register tables.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RegisterData {
    pub objects: Vec<ServiceObject>,
    /// The stored sub-class table (empty: the default one).
    pub subclasses: Vec<Subclass>,
    pub vendors: Vec<Vendor>,
    /// Warnings, oldest first.
    pub warnings: Vec<Warning>,
    pub zones: Vec<VendingZone>,
    pub admissions: Vec<Admission>,
    pub ladder: Ladder,
}

/// What the register list is filtered by.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ObjectQuery {
    /// Words that must all appear in the name, address, credit code, licence or sub-class name.
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub kind: Option<ObjectKind>,
    #[serde(default)]
    pub section: Option<String>,
    #[serde(default)]
    pub subclass: Option<String>,
    #[serde(default)]
    pub status: Option<ObjectStatus>,
    /// A grid, community (12 digits) or street (9 digits) code: objects in it.
    #[serde(default)]
    pub area: Option<String>,
    /// Only objects with (true) or without (false) a verification.
    #[serde(default)]
    pub verified: Option<bool>,
    #[serde(default)]
    pub offset: usize,
    /// At most this many rows (default 200).
    #[serde(default)]
    pub limit: Option<usize>,
}

/// A page of the register.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ObjectPage {
    /// All objects that match.
    pub total: usize,
    pub rows: Vec<ObjectRow>,
}

/// One row of the register list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ObjectRow {
    pub id: i64,
    pub kind: ObjectKind,
    pub name: String,
    pub address: String,
    pub location: [f64; 2],
    pub grid: Option<String>,
    pub section: Option<String>,
    pub section_name: Option<String>,
    pub subclass_name: Option<String>,
    pub status: ObjectStatus,
    pub verified: bool,
    pub has_frontage: bool,
}

/// A hint for the person dealing with a case (§Hints).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StreetHint {
    /// The case lies on a shop's 门前三包 frontage.
    Frontage {
        object: i64,
        name: String,
        distance_m: f64,
    },
    /// A vending case near the usual place of a vendor whose record is red.
    RedVendor {
        vendor: i64,
        name: String,
        refusals: u32,
        distance_m: f64,
    },
    /// A vending case inside a vending zone during its allowed hours, with admitted vendors:
    /// probably lawful vending, not a case to file blindly.
    InVendingZone {
        zone: String,
        zone_name: String,
        hours: String,
        admitted: Vec<String>,
    },
}

type LineEntry = GeomWithData<Rectangle<[f64; 2]>, usize>;
type PointEntry = GeomWithData<[f64; 2], usize>;

/// The registers in memory.
#[derive(Debug, Default)]
pub struct RegisterIndex {
    pub data: RegisterData,
    /// Lower-cased search text per object.
    keys: Vec<String>,
    by_id: HashMap<i64, usize>,
    vendor_pos: HashMap<i64, usize>,
    /// Warnings of each vendor (positions in `data.warnings`).
    vendor_warnings: HashMap<i64, Vec<usize>>,
    frontages: RTree<LineEntry>,
    /// Object locations (positions in `data.objects`).
    points: RTree<PointEntry>,
    /// The distinct grid codes of the objects, and each object's index into them
    /// (`u32::MAX`: no grid), so that per-grid counts are array increments.
    grid_names: Vec<String>,
    grid_of: Vec<u32>,
    zone_polygons: Vec<Polygon<f64>>,
}

/// Metres per degree at a latitude (local plane, good to well under 1 % over a district).
fn scale(lat: f64) -> (f64, f64) {
    (111_320.0 * lat.to_radians().cos(), 110_574.0)
}

/// Distance in metres from a point to a line, in the local plane at the point.
pub fn distance_m(p: [f64; 2], line: &[[f64; 2]]) -> f64 {
    let (sx, sy) = scale(p[1]);
    let to = |c: &[f64; 2]| Coord {
        x: (c[0] - p[0]) * sx,
        y: (c[1] - p[1]) * sy,
    };
    let ls = LineString(line.iter().map(to).collect());
    Euclidean.distance(&Point::new(0.0, 0.0), &ls)
}

fn degrees(m: f64, lat: f64) -> (f64, f64) {
    let (sx, sy) = scale(lat);
    (m / sx, m / sy)
}

/// Whether a case class is about street vending (无照经营游商, 占道经营…): CJ/T 214's 0501,
/// or any class whose name says 占道经营, 游商 or 摊 (city tables name it so).
pub fn is_vending_class(code: &str, name: Option<&str>) -> bool {
    code == "0501"
        || name.is_some_and(|n| n.contains("占道经营") || n.contains("游商") || n.contains('摊'))
}

impl RegisterIndex {
    pub fn build(data: RegisterData) -> Self {
        let subclass_names: HashMap<&str, &str> = data
            .subclasses
            .iter()
            .map(|s| (s.code.as_str(), s.name.as_str()))
            .collect();
        let keys = data
            .objects
            .iter()
            .map(|o| {
                let mut k = String::with_capacity(o.name.len() + o.address.len() + 40);
                for part in [
                    Some(o.name.as_str()),
                    Some(o.address.as_str()),
                    o.credit_code.as_deref(),
                    o.licence.as_deref(),
                    o.subclass
                        .as_deref()
                        .and_then(|s| subclass_names.get(s).copied()),
                ]
                .into_iter()
                .flatten()
                {
                    k.push_str(&part.to_lowercase());
                    k.push('\u{1f}');
                }
                k
            })
            .collect();
        let by_id = data
            .objects
            .iter()
            .enumerate()
            .map(|(i, o)| (o.id, i))
            .collect();
        let vendor_pos = data
            .vendors
            .iter()
            .enumerate()
            .map(|(i, v)| (v.id, i))
            .collect();
        let mut vendor_warnings: HashMap<i64, Vec<usize>> = HashMap::new();
        for (i, w) in data.warnings.iter().enumerate() {
            vendor_warnings.entry(w.vendor).or_default().push(i);
        }
        let frontages = RTree::bulk_load(
            data.objects
                .iter()
                .enumerate()
                .filter_map(|(i, o)| {
                    let f = o.frontage.as_ref().filter(|f| f.len() >= 2)?;
                    let (mut a, mut b) = ([f64::MAX; 2], [f64::MIN; 2]);
                    for c in f {
                        a = [a[0].min(c[0]), a[1].min(c[1])];
                        b = [b[0].max(c[0]), b[1].max(c[1])];
                    }
                    Some(GeomWithData::new(Rectangle::from_corners(a, b), i))
                })
                .collect(),
        );
        let points = RTree::bulk_load(
            data.objects
                .iter()
                .enumerate()
                .map(|(i, o)| GeomWithData::new(o.location, i))
                .collect(),
        );
        let mut grid_names: Vec<String> = Vec::new();
        let mut grid_pos: HashMap<&str, u32> = HashMap::new();
        let grid_of = data
            .objects
            .iter()
            .map(|o| match o.grid.as_deref() {
                None => u32::MAX,
                Some(g) => *grid_pos.entry(g).or_insert_with(|| {
                    grid_names.push(g.to_string());
                    (grid_names.len() - 1) as u32
                }),
            })
            .collect();
        let zone_polygons = data
            .zones
            .iter()
            .map(|z| {
                Polygon::new(
                    LineString(z.ring.iter().map(|c| Coord { x: c[0], y: c[1] }).collect()),
                    vec![],
                )
            })
            .collect();
        RegisterIndex {
            data,
            keys,
            by_id,
            vendor_pos,
            vendor_warnings,
            frontages,
            points,
            grid_names,
            grid_of,
            zone_polygons,
        }
    }

    /// The sub-class table in force: the stored one, else the default.
    pub fn subclasses(&self) -> Vec<Subclass> {
        if self.data.subclasses.is_empty() {
            super::industry::default_subclasses()
        } else {
            self.data.subclasses.clone()
        }
    }

    pub fn object(&self, id: i64) -> Option<&ServiceObject> {
        self.by_id.get(&id).map(|&i| &self.data.objects[i])
    }

    pub fn vendor(&self, id: i64) -> Option<&Vendor> {
        self.vendor_pos.get(&id).map(|&i| &self.data.vendors[i])
    }

    /// A vendor's warnings, oldest first.
    pub fn warnings_of(&self, vendor: i64) -> Vec<Warning> {
        self.vendor_warnings
            .get(&vendor)
            .map(|v| v.iter().map(|&i| self.data.warnings[i].clone()).collect())
            .unwrap_or_default()
    }

    /// A vendor's refusals in the window and colour at `at` (§Vendor colour).
    pub fn colour_of(&self, vendor: i64, at: NaiveDateTime) -> (u32, Colour) {
        let w = self.warnings_of(vendor);
        let n = self.data.ladder.refusals(&w, at);
        (n, self.data.ladder.colour_of(n))
    }

    fn matches(&self, i: usize, q: &ObjectQuery, words: &[String]) -> bool {
        let o = &self.data.objects[i];
        q.kind.is_none_or(|k| o.kind == k)
            && q.status.is_none_or(|s| o.status == s)
            && q.section.as_deref().is_none_or(|s| {
                o.section
                    .as_deref()
                    .is_some_and(|x| x.eq_ignore_ascii_case(s))
            })
            && q.subclass
                .as_deref()
                .is_none_or(|s| o.subclass.as_deref() == Some(s))
            && q.area
                .as_deref()
                .map(str::trim)
                .is_none_or(|a| o.grid.as_deref().is_some_and(|g| g.starts_with(a)))
            && q.verified.is_none_or(|v| o.verified_by.is_some() == v)
            && words.iter().all(|w| self.keys[i].contains(w.as_str()))
    }

    /// Positions of the objects matching `q`, in id order.
    pub fn matching(&self, q: &ObjectQuery) -> Vec<usize> {
        let words: Vec<String> = q.text.split_whitespace().map(str::to_lowercase).collect();
        (0..self.data.objects.len())
            .filter(|&i| self.matches(i, q, &words))
            .collect()
    }

    /// A page of the register for `q`.
    pub fn search(&self, q: &ObjectQuery) -> ObjectPage {
        let all = self.matching(q);
        let names: HashMap<String, String> = self
            .subclasses()
            .into_iter()
            .map(|s| (s.code, s.name))
            .collect();
        let limit = q.limit.unwrap_or(200).min(5000);
        let rows = all
            .iter()
            .skip(q.offset)
            .take(limit)
            .map(|&i| {
                let o = &self.data.objects[i];
                ObjectRow {
                    id: o.id,
                    kind: o.kind,
                    name: o.name.clone(),
                    address: o.address.clone(),
                    location: o.location,
                    grid: o.grid.clone(),
                    section: o.section.clone(),
                    section_name: o
                        .section
                        .as_deref()
                        .and_then(section_name)
                        .map(str::to_string),
                    subclass_name: o.subclass.as_ref().and_then(|s| names.get(s).cloned()),
                    status: o.status,
                    verified: o.verified_by.is_some(),
                    has_frontage: o.frontage.is_some(),
                }
            })
            .collect();
        ObjectPage {
            total: all.len(),
            rows,
        }
    }

    /// How many objects matching `q` lie in each grid, by grid code (the map layer).
    pub fn grid_counts(&self, q: &ObjectQuery) -> Vec<(String, u32)> {
        let words: Vec<String> = q.text.split_whitespace().map(str::to_lowercase).collect();
        let all = *q
            == ObjectQuery {
                offset: q.offset,
                limit: q.limit,
                ..Default::default()
            };
        let mut counts = vec![0u32; self.grid_names.len()];
        for (i, &g) in self.grid_of.iter().enumerate() {
            if g != u32::MAX && (all || self.matches(i, q, &words)) {
                counts[g as usize] += 1;
            }
        }
        let mut v: Vec<(String, u32)> = counts
            .into_iter()
            .enumerate()
            .filter(|(_, n)| *n > 0)
            .map(|(g, n)| (self.grid_names[g].clone(), n))
            .collect();
        v.sort_unstable();
        v
    }

    /// Positions of the objects inside `[west, south, east, north]`.
    pub fn objects_in(&self, b: [f64; 4]) -> impl Iterator<Item = usize> + '_ {
        self.points
            .locate_in_envelope(&AABB::from_corners([b[0], b[1]], [b[2], b[3]]))
            .map(|e| e.data)
    }

    /// Positions of the objects whose frontage's box meets `[west, south, east, north]`.
    pub fn frontages_in(&self, b: [f64; 4]) -> impl Iterator<Item = usize> + '_ {
        self.frontages
            .locate_in_envelope_intersecting(&AABB::from_corners([b[0], b[1]], [b[2], b[3]]))
            .map(|e| e.data)
    }

    /// The operating objects a notice target reaches, in id order.
    pub fn recipients(&self, t: &Target) -> Vec<&ServiceObject> {
        let key = t.key.trim();
        self.data
            .objects
            .iter()
            .filter(|o| o.status == ObjectStatus::Operating)
            .filter(|o| match t.kind {
                TargetKind::Object => key.parse::<i64>().is_ok_and(|id| o.id == id),
                TargetKind::Section => o
                    .section
                    .as_deref()
                    .is_some_and(|s| s.eq_ignore_ascii_case(key)),
                TargetKind::Subclass => o.subclass.as_deref() == Some(key),
                TargetKind::Grid => o.grid.as_deref() == Some(key),
                TargetKind::Community | TargetKind::Street => {
                    o.grid.as_deref().is_some_and(|g| g.starts_with(key)) && !key.is_empty()
                }
            })
            .collect()
    }

    /// The object whose frontage is nearest `p` within [`FRONTAGE_M`], with the distance.
    pub fn frontage_at(&self, p: [f64; 2]) -> Option<(&ServiceObject, f64)> {
        let (dx, dy) = degrees(FRONTAGE_M, p[1]);
        let env = AABB::from_corners([p[0] - dx, p[1] - dy], [p[0] + dx, p[1] + dy]);
        self.frontages
            .locate_in_envelope_intersecting(&env)
            .filter_map(|e| {
                let o = &self.data.objects[e.data];
                let d = distance_m(p, o.frontage.as_deref()?);
                (d <= FRONTAGE_M).then_some((o, d))
            })
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// Cases on each frontage (within [`FRONTAGE_M`]), by object id: the per-shop case count.
    pub fn frontage_case_counts(&self, idx: &SpatialIndex) -> HashMap<i64, u32> {
        self.frontages
            .iter()
            .map(|e| {
                let id = self.data.objects[e.data].id;
                (id, self.cases_on_frontage(idx, id).len() as u32)
            })
            .collect()
    }

    /// The cases on an object's frontage (positions in `idx.cases`).
    pub fn cases_on_frontage(&self, idx: &SpatialIndex, object: i64) -> Vec<usize> {
        let Some(o) = self.object(object) else {
            return vec![];
        };
        let Some(f) = o.frontage.as_deref().filter(|f| f.len() >= 2) else {
            return vec![];
        };
        let xs = f.iter().map(|c| c[0]);
        let ys = f.iter().map(|c| c[1]);
        let (x0, x1) = (
            xs.clone().fold(f64::MAX, f64::min),
            xs.fold(f64::MIN, f64::max),
        );
        let (y0, y1) = (
            ys.clone().fold(f64::MAX, f64::min),
            ys.fold(f64::MIN, f64::max),
        );
        let (dx, dy) = degrees(FRONTAGE_M, y0);
        let r = geo_types::Rect::new(
            Coord {
                x: x0 - dx,
                y: y0 - dy,
            },
            Coord {
                x: x1 + dx,
                y: y1 + dy,
            },
        );
        idx.cases_in_bbox(r)
            .into_iter()
            .filter(|&c| {
                let p = idx.cases[c].location;
                self.frontage_at([p.x(), p.y()])
                    .is_some_and(|(x, _)| x.id == o.id)
            })
            .collect()
    }

    /// The hints for a case of `class` at `p`, reported at `at` (§Hints).
    pub fn hints(
        &self,
        p: [f64; 2],
        class: &str,
        class_name: Option<&str>,
        at: NaiveDateTime,
    ) -> Vec<StreetHint> {
        let mut out = vec![];
        if let Some((o, d)) = self.frontage_at(p) {
            out.push(StreetHint::Frontage {
                object: o.id,
                name: o.name.clone(),
                distance_m: (d * 10.0).round() / 10.0,
            });
        }
        if !is_vending_class(class, class_name) {
            return out;
        }
        let mut reds: Vec<(f64, StreetHint)> = vec![];
        for v in &self.data.vendors {
            let Some(u) = v.usual_place else { continue };
            let d = distance_m(p, &[u, u]);
            if d > RED_VENDOR_M {
                continue;
            }
            let (n, c) = self.colour_of(v.id, at);
            if c == Colour::Red {
                reds.push((
                    d,
                    StreetHint::RedVendor {
                        vendor: v.id,
                        name: v.name.clone(),
                        refusals: n,
                        distance_m: d.round(),
                    },
                ));
            }
        }
        reds.sort_by(|a, b| a.0.total_cmp(&b.0));
        out.extend(reds.into_iter().map(|(_, h)| h));
        let pt = Point::new(p[0], p[1]);
        for (z, poly) in self.data.zones.iter().zip(&self.zone_polygons) {
            if !poly.contains(&pt) || !zone_open_at(z, at) {
                continue;
            }
            let admitted: Vec<String> = self
                .data
                .admissions
                .iter()
                .filter(|a| a.zone == z.code && a.status != AdmissionStatus::Exited)
                .filter_map(|a| self.vendor(a.vendor).map(|v| v.name.clone()))
                .collect();
            if admitted.is_empty() {
                continue;
            }
            out.push(StreetHint::InVendingZone {
                zone: z.code.clone(),
                zone_name: z.name.clone(),
                hours: z
                    .hours
                    .iter()
                    .map(|(a, b)| format!("{a}–{b}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                admitted,
            });
        }
        out
    }

    /// The zone (code) containing `p`, if any.
    pub fn zone_at(&self, p: [f64; 2]) -> Option<&VendingZone> {
        let pt = Point::new(p[0], p[1]);
        self.data
            .zones
            .iter()
            .zip(&self.zone_polygons)
            .find(|(_, poly)| poly.contains(&pt))
            .map(|(z, _)| z)
    }
}

/// Fills a notice template for one recipient: `{名称}`, `{地址}`, `{负责人}`, `{联系人}`,
/// `{网格}`, `{日期}` (unknown fields stay as written).
pub fn render_notice(template: &str, o: &ServiceObject, date: &str) -> String {
    template
        .replace("{名称}", &o.name)
        .replace("{地址}", &o.address)
        .replace("{负责人}", o.legal_rep.as_deref().unwrap_or(""))
        .replace(
            "{联系人}",
            o.contact
                .as_deref()
                .or(o.legal_rep.as_deref())
                .unwrap_or(""),
        )
        .replace("{网格}", o.grid.as_deref().unwrap_or(""))
        .replace("{日期}", date)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::NaiveDate;

    /// A shop of section `section` in `grid` (tests of this crate).
    pub(crate) fn object(id: i64, name: &str, grid: &str, section: &str) -> ServiceObject {
        ServiceObject {
            id,
            kind: ObjectKind::Shop,
            name: name.into(),
            address: format!("{name}路{id}号"),
            location: [121.26, 28.64],
            grid: Some(grid.into()),
            grid_reason: None,
            section: Some(section.into()),
            subclass: Some("H03".into()),
            credit_code: None,
            legal_rep: Some("王五".into()),
            id_number: None,
            contact: None,
            phone: Some("13812345678".into()),
            licence: None,
            status: ObjectStatus::Operating,
            collected_by: None,
            collected_on: None,
            verified_by: None,
            verified_at: None,
            frontage: None,
            note: None,
        }
    }

    fn t(h: u32) -> NaiveDateTime {
        // Friday 2026-12-11.
        NaiveDate::from_ymd_opt(2026, 12, 11)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap()
    }

    #[test]
    fn search_filters_and_counts() {
        let mut objs = vec![
            object(1, "老王烧烤", "331003001001001", "H"),
            object(2, "平价超市", "331003001001002", "F"),
            object(3, "小王烧烤", "331003001002001", "H"),
        ];
        objs[2].status = ObjectStatus::Closed;
        let ix = RegisterIndex::build(RegisterData {
            objects: objs,
            ..Default::default()
        });
        let q = |text: &str| ObjectQuery {
            text: text.into(),
            ..Default::default()
        };
        assert_eq!(
            ix.search(&q("烧烤")).total,
            2,
            "subclass name and shop name"
        );
        assert_eq!(ix.search(&q("老王 烧烤")).total, 1);
        let mut h = q("");
        h.section = Some("h".into());
        h.area = Some("331003001001".into());
        assert_eq!(
            ix.search(&h).rows.iter().map(|r| r.id).collect::<Vec<_>>(),
            vec![1]
        );
        assert_eq!(
            ix.grid_counts(&q("")),
            vec![
                ("331003001001001".to_string(), 1),
                ("331003001001002".to_string(), 1),
                ("331003001002001".to_string(), 1)
            ]
        );
        let r = ix.recipients(&Target {
            kind: TargetKind::Section,
            key: "H".into(),
        });
        assert_eq!(r.len(), 1, "closed shops get no notice");
        let r = ix.recipients(&Target {
            kind: TargetKind::Street,
            key: "331003001".into(),
        });
        assert_eq!(r.len(), 2);
        assert_eq!(
            render_notice(
                "{名称}（{地址}）：请{负责人}于{日期}前整改。",
                r[0],
                "12月8日"
            ),
            "老王烧烤（老王烧烤路1号）：请王五于12月8日前整改。"
        );
    }

    #[test]
    fn hints_frontage_red_vendor_and_zone() {
        let mut shop = object(1, "老王烧烤", "g", "H");
        shop.frontage = Some(vec![[121.2600, 28.6400], [121.2610, 28.6400]]);
        let vendor = Vendor {
            id: 7,
            name: "张三".into(),
            phone: None,
            id_number: None,
            trade: "烧烤".into(),
            usual_place: Some([121.2605, 28.6402]),
            note: None,
            created_at: t(0),
            created_by: "a".into(),
        };
        let warnings = (0..3)
            .map(|i| Warning {
                id: i,
                vendor: 7,
                at: t(1) - chrono::Duration::days(i + 1),
                location: [121.2605, 28.6402],
                grid: None,
                inspector: "i".into(),
                matter: "占道经营".into(),
                refused: true,
                note: None,
            })
            .collect();
        let zone = VendingZone {
            code: "Z1".into(),
            name: "夜市".into(),
            ring: vec![
                [121.2590, 28.6390],
                [121.2620, 28.6390],
                [121.2620, 28.6410],
                [121.2590, 28.6410],
                [121.2590, 28.6390],
            ],
            days: vec![5],
            hours: vec![("18:00".into(), "23:00".into())],
            trades: vec![],
            capacity: None,
            note: None,
        };
        let adm = Admission {
            id: 1,
            zone: "Z1".into(),
            vendor: 7,
            trade: "烧烤".into(),
            status: AdmissionStatus::Filed,
            admitted_at: t(0),
            admitted_by: "a".into(),
            stall: Some("A-01".into()),
            filed_at: Some(t(0)),
            exited_at: None,
            exit_reason: None,
        };
        let ix = RegisterIndex::build(RegisterData {
            objects: vec![shop],
            vendors: vec![vendor],
            warnings,
            zones: vec![zone],
            admissions: vec![adm],
            ..Default::default()
        });
        let p = [121.2605, 28.6401];
        let kinds = |h: &[StreetHint]| {
            h.iter()
                .map(|h| match h {
                    StreetHint::Frontage { .. } => "frontage",
                    StreetHint::RedVendor { .. } => "red",
                    StreetHint::InVendingZone { .. } => "zone",
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(
            kinds(&ix.hints(p, "0501", Some("无照经营游商"), t(19))),
            vec!["frontage", "red", "zone"]
        );
        assert_eq!(
            kinds(&ix.hints(p, "0501", None, t(12))),
            vec!["frontage", "red"],
            "outside the hours"
        );
        assert_eq!(
            kinds(&ix.hints(p, "0102", Some("暴露垃圾"), t(19))),
            vec!["frontage"]
        );
        assert!(ix.hints([121.27, 28.65], "0501", None, t(19)).is_empty());
        assert_eq!(ix.colour_of(7, t(1)), (3, Colour::Red));
    }
}
