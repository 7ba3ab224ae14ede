//! [`ZoneIndex`]: the zone tables in memory, laid over one state of the grid index, answering
//! "who is responsible here" without touching the store.

use super::model::*;
use super::store::ZoneData;
use super::union::union_of_tiles;
use geo::BoundingRect;
use geo_types::{MultiPolygon, Point};
use griddesk_spatial::Loaded;
use rstar::primitives::{GeomWithData, Line};
use rstar::{RTree, AABB};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// No zone.
const NONE: u32 = u32::MAX;
/// Number of zone colours (`ci` 0–7).
pub const ZONE_COLOURS: u8 = 8;

type SegEntry = GeomWithData<Line<[f64; 2]>, u32>;

/// The zone tables in memory with their lookups, built against one [`Loaded`] grid index.
pub struct ZoneIndex {
    loaded: Arc<Loaded>,
    /// The records.
    pub data: ZoneData,
    unit_pos: HashMap<String, u32>,
    person_pos: HashMap<String, u32>,
    zone_pos: HashMap<(String, String), u32>,
    /// Zones of each layer (positions in `data.zones`), same order as `data.layers`.
    layer_zones: Vec<Vec<u32>>,
    /// `zone_of[grid * layers + layer]`: the zone of a grid (position in `index.grids`) in a
    /// layer, or [`NONE`].
    zone_of: Vec<u32>,
    /// Colour 0–7 of each zone, different from its neighbours' in the same layer where possible.
    colour: Vec<u8>,
    /// Sum of the member grids' areas of each zone, m².
    area_m2: Vec<f64>,
    unions: Vec<OnceLock<MultiPolygon<f64>>>,
    road_tree: RTree<SegEntry>,
}

impl std::fmt::Debug for ZoneIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZoneIndex")
            .field("layers", &self.data.layers.len())
            .field("zones", &self.data.zones.len())
            .field("roads", &self.data.roads.len())
            .finish()
    }
}

/// A person as shown in answers and lists.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PersonRef {
    /// Person id; `None` for a duty grid's inspector named without a person record.
    pub id: Option<String>,
    pub name: String,
    /// Role key (`inspector`, `road_chief`…).
    pub role: Role,
    /// Role label (监督员, 路长…).
    pub role_zh: &'static str,
    pub phone: Option<String>,
    /// Name of the person's unit.
    pub unit_name: Option<String>,
}

/// A unit as shown in answers and lists.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UnitRef {
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub phone: Option<String>,
}

/// A code and a name (grid, community, street).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Named {
    pub code: String,
    pub name: String,
}

/// A zone with its responsible unit and people.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ZoneSummary {
    pub layer: String,
    pub code: String,
    pub name: String,
    /// Colour index 0–7 (as in the `zones` tile layer).
    pub ci: u8,
    pub unit: Option<UnitRef>,
    pub people: Vec<PersonRef>,
    /// Number of member unit grids.
    pub grids: usize,
    /// Sum of the member grids' areas, m².
    pub area_m2: f64,
}

/// One layer's answer at a point.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LayerAnswer {
    pub layer: String,
    pub layer_name: String,
    pub kind: LayerKind,
    pub network: Network,
    /// The zone holding the point's grid, if any.
    pub zone: Option<ZoneSummary>,
}

/// A road line near the point.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RoadAnswer {
    pub code: String,
    pub name: String,
    pub class: RoadClass,
    /// 街长, 路长, 巷长 or 线长.
    pub chief_title: &'static str,
    pub chief: Option<PersonRef>,
    pub unit: Option<UnitRef>,
    /// Distance from the point, m.
    pub distance_m: f64,
}

/// "Who is responsible here": everything that answers for a point.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Responsibility {
    pub lon: f64,
    pub lat: f64,
    /// The unit grid at the point (boundary rule of [`crate::index`]).
    pub grid: Option<Named>,
    pub community: Option<Named>,
    pub street: Option<Named>,
    /// Every zone layer, in display order, with the zone at the point.
    pub layers: Vec<LayerAnswer>,
    /// Road lines within the search distance, nearest first.
    pub roads: Vec<RoadAnswer>,
}

/// Radii of curvature of the GRS80/CGCS2000 ellipsoid at a latitude: metres per radian north
/// (meridian) and east (prime vertical × cos φ).
pub fn metres_per_radian(lat: f64) -> (f64, f64) {
    const A: f64 = 6_378_137.0;
    const E2: f64 = 0.006_694_380_022_900_787;
    let (s, c) = lat.to_radians().sin_cos();
    let w = (1.0 - E2 * s * s).sqrt();
    let n = A / w;
    let m = A * (1.0 - E2) / (w * w * w);
    (m, n * c)
}

/// Distance in metres from `p` to the segment `a`–`b` (lon/lat), on the tangent plane at `p`
/// scaled by the ellipsoid's radii of curvature: the geodesic distance to well under a
/// millimetre at the few tens of metres this is used for.
pub fn segment_distance_m(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let (my, mx) = metres_per_radian(p[1]);
    let (ky, kx) = (my.to_radians().abs(), mx.to_radians().abs());
    let to = |q: [f64; 2]| [(q[0] - p[0]) * kx, (q[1] - p[1]) * ky];
    let (a, b) = (to(a), to(b));
    let d = [b[0] - a[0], b[1] - a[1]];
    let len2 = d[0] * d[0] + d[1] * d[1];
    let t = if len2 > 0.0 {
        (-(a[0] * d[0] + a[1] * d[1]) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let q = [a[0] + t * d[0], a[1] + t * d[1]];
    (q[0] * q[0] + q[1] * q[1]).sqrt()
}

impl ZoneIndex {
    /// Builds the lookups of `data` over the grids of `loaded`. Zones naming grids that are not
    /// in the index keep them in their lists but cannot be found by point.
    pub fn build(loaded: Arc<Loaded>, data: ZoneData) -> Self {
        let idx = &loaded.index;
        let nl = data.layers.len();
        let layer_pos: HashMap<&str, usize> = data
            .layers
            .iter()
            .enumerate()
            .map(|(i, l)| (l.code.as_str(), i))
            .collect();
        let mut layer_zones = vec![Vec::new(); nl];
        let mut zone_of = vec![NONE; idx.grids.len() * nl];
        let mut zone_pos = HashMap::with_capacity(data.zones.len());
        for (z, zone) in data.zones.iter().enumerate() {
            zone_pos.insert((zone.layer.clone(), zone.code.clone()), z as u32);
            let Some(&l) = layer_pos.get(zone.layer.as_str()) else {
                continue;
            };
            layer_zones[l].push(z as u32);
            for g in &zone.grids {
                if let Some(gi) = idx.grid_index(g) {
                    zone_of[gi * nl + l] = z as u32;
                }
            }
        }
        for zs in &mut layer_zones {
            zs.sort_by(|&a, &b| {
                data.zones[a as usize]
                    .code
                    .cmp(&data.zones[b as usize].code)
            });
        }
        let colour = colour_zones(&loaded, &data, &layer_zones, &zone_of);
        let mut segs = Vec::new();
        for (r, road) in data.roads.iter().enumerate() {
            for w in road.line.0.windows(2) {
                segs.push(GeomWithData::new(
                    Line::new([w[0].x, w[0].y], [w[1].x, w[1].y]),
                    r as u32,
                ));
            }
        }
        let area_m2 = data
            .zones
            .iter()
            .map(|z| {
                z.grids
                    .iter()
                    .filter_map(|g| idx.grid(g))
                    .map(|g| g.area_m2)
                    .sum()
            })
            .collect();
        Self {
            area_m2,
            unit_pos: pos_of(data.units.iter().map(|u| u.code.as_str())),
            person_pos: pos_of(data.people.iter().map(|p| p.id.as_str())),
            zone_pos,
            layer_zones,
            zone_of,
            colour,
            unions: (0..data.zones.len()).map(|_| OnceLock::new()).collect(),
            road_tree: RTree::bulk_load(segs),
            loaded,
            data,
        }
    }

    /// The grid index this was built against.
    pub fn loaded(&self) -> &Arc<Loaded> {
        &self.loaded
    }

    /// A unit by code.
    pub fn unit(&self, code: &str) -> Option<&OrgUnit> {
        self.unit_pos
            .get(code)
            .map(|&i| &self.data.units[i as usize])
    }

    /// A person by id.
    pub fn person(&self, id: &str) -> Option<&Person> {
        self.person_pos
            .get(id)
            .map(|&i| &self.data.people[i as usize])
    }

    /// A layer by code.
    pub fn layer(&self, code: &str) -> Option<&ZoneLayer> {
        self.data.layers.iter().find(|l| l.code == code)
    }

    /// Position of a zone in `data.zones`.
    pub fn zone_index(&self, layer: &str, code: &str) -> Option<usize> {
        self.zone_pos
            .get(&(layer.to_string(), code.to_string()))
            .map(|&z| z as usize)
    }

    /// Positions (in `data.zones`) of the zones of a layer, by code.
    pub fn zones_of_layer(&self, layer: &str) -> &[u32] {
        self.data
            .layers
            .iter()
            .position(|l| l.code == layer)
            .map_or(&[], |l| &self.layer_zones[l])
    }

    /// The zone of a grid (position in `index.grids`) in the layer at position `layer`.
    pub fn zone_of_grid(&self, grid: usize, layer: usize) -> Option<usize> {
        let nl = self.data.layers.len();
        self.zone_of
            .get(grid * nl + layer)
            .filter(|&&z| z != NONE)
            .map(|&z| z as usize)
    }

    /// Colour index 0–7 of a zone.
    pub fn colour(&self, zone: usize) -> u8 {
        self.colour.get(zone).copied().unwrap_or(0)
    }

    /// The outline of a zone: the exact union of its active grids, computed once.
    pub fn union(&self, zone: usize) -> &MultiPolygon<f64> {
        self.unions[zone].get_or_init(|| {
            let idx = &self.loaded.index;
            union_of_tiles(
                self.data.zones[zone]
                    .grids
                    .iter()
                    .filter_map(|g| idx.grid(g))
                    .filter(|g| g.is_active())
                    .map(|g| &g.polygon),
            )
        })
    }

    /// Bounding box `[west, south, east, north]` of a zone's grids.
    pub fn zone_bbox(&self, zone: usize) -> Option<[f64; 4]> {
        self.union(zone)
            .bounding_rect()
            .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y])
    }

    pub fn unit_ref(&self, code: Option<&str>) -> Option<UnitRef> {
        let u = self.unit(code?)?;
        Some(UnitRef {
            code: u.code.clone(),
            name: u.name.clone(),
            kind: u.kind,
            phone: u.phone.clone(),
        })
    }

    /// A person as shown in answers.
    pub fn person_ref(&self, id: &str) -> Option<PersonRef> {
        let p = self.person(id)?;
        Some(PersonRef {
            id: Some(p.id.clone()),
            name: p.name.clone(),
            role: p.role,
            role_zh: p.role.zh(),
            phone: p.phone.clone(),
            unit_name: p
                .unit
                .as_deref()
                .and_then(|u| self.unit(u))
                .map(|u| u.name.clone()),
        })
    }

    /// A zone with its unit, people and size.
    pub fn summary(&self, zone: usize) -> ZoneSummary {
        let z = &self.data.zones[zone];
        let mut people: Vec<PersonRef> =
            z.people.iter().filter_map(|p| self.person_ref(p)).collect();
        if people.is_empty() && z.layer == DUTY_LAYER {
            if let Some(name) = self
                .data
                .duty_inspectors
                .get(&z.code)
                .filter(|n| !n.is_empty())
            {
                people.push(PersonRef {
                    id: None,
                    name: name.clone(),
                    role: Role::Inspector,
                    role_zh: Role::Inspector.zh(),
                    phone: None,
                    unit_name: None,
                });
            }
        }
        ZoneSummary {
            layer: z.layer.clone(),
            code: z.code.clone(),
            name: z.name.clone(),
            ci: self.colour(zone),
            unit: self.unit_ref(z.unit.as_deref()),
            people,
            grids: z.grids.len(),
            area_m2: self.area_m2[zone],
        }
    }

    /// Everything responsible at a point: grid, community, street, the zone of every layer
    /// with its unit and people, and the road lines within `radius_m` metres.
    pub fn who_is_here(&self, lon: f64, lat: f64, radius_m: f64) -> Responsibility {
        let idx = &self.loaded.index;
        let gi = idx.grid_at(lon, lat);
        let grid = gi.map(|i| &idx.grids[i]);
        let community = match grid {
            Some(g) => idx.community(&g.community()),
            None => idx.community_at(lon, lat).map(|c| &idx.communities[c]),
        };
        let street = community.and_then(|c| idx.street(&c.street()));
        let layers = self
            .data
            .layers
            .iter()
            .enumerate()
            .map(|(l, layer)| LayerAnswer {
                layer: layer.code.clone(),
                layer_name: layer.name.clone(),
                kind: layer.kind,
                network: layer.network,
                zone: gi
                    .and_then(|g| self.zone_of_grid(g, l))
                    .map(|z| self.summary(z)),
            })
            .collect();
        Responsibility {
            lon,
            lat,
            grid: grid.map(|g| Named {
                code: g.code.to_string(),
                name: g.name.clone(),
            }),
            community: community.map(|c| Named {
                code: c.code.to_string(),
                name: c.name.clone(),
            }),
            street: street.map(|s| Named {
                code: s.code.to_string(),
                name: s.name.clone(),
            }),
            layers,
            roads: self.roads_near(lon, lat, radius_m),
        }
    }

    /// Road lines within `radius_m` of a point, nearest first.
    pub fn roads_near(&self, lon: f64, lat: f64, radius_m: f64) -> Vec<RoadAnswer> {
        if radius_m.is_nan() || radius_m < 0.0 || !lon.is_finite() || !lat.is_finite() {
            return vec![];
        }
        let (my, mx) = metres_per_radian(lat);
        let dlat = (radius_m / my).to_degrees() * 1.01;
        let dlon = (radius_m / mx.abs().max(1.0)).to_degrees() * 1.01;
        let env = AABB::from_corners([lon - dlon, lat - dlat], [lon + dlon, lat + dlat]);
        let mut best: Vec<(u32, f64)> = Vec::new();
        for e in self.road_tree.locate_in_envelope_intersecting(&env) {
            let d = segment_distance_m([lon, lat], e.geom().from, e.geom().to);
            if d > radius_m {
                continue;
            }
            match best.iter_mut().find(|b| b.0 == e.data) {
                Some(b) => b.1 = b.1.min(d),
                None => best.push((e.data, d)),
            }
        }
        best.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        best.into_iter()
            .map(|(r, d)| {
                let road = &self.data.roads[r as usize];
                RoadAnswer {
                    code: road.code.clone(),
                    name: road.name.clone(),
                    class: road.class,
                    chief_title: road.class.chief_title(),
                    chief: road.chief.as_deref().and_then(|p| self.person_ref(p)),
                    unit: self.unit_ref(road.unit.as_deref()),
                    distance_m: d,
                }
            })
            .collect()
    }

    /// The grids (positions in `index.grids`) whose label point lies inside a drawn polygon.
    pub fn grids_in_drawn(&self, area: &geo_types::Polygon<f64>) -> Vec<usize> {
        use geo::coordinate_position::{CoordPos, CoordinatePosition};
        let idx = &self.loaded.index;
        idx.grids_in_polygon(area)
            .into_iter()
            .filter(|&i| {
                idx.grids[i].is_active()
                    && area.coordinate_position(&idx.grid_label_points[i].0) == CoordPos::Inside
            })
            .collect()
    }

    /// Road lines led by a person.
    pub fn roads_of(&self, person: &str) -> Vec<&RoadLine> {
        self.data
            .roads
            .iter()
            .filter(|r| r.chief.as_deref() == Some(person))
            .collect()
    }

    /// A point inside a zone's outline, for its label.
    pub fn label_point(&self, zone: usize) -> Option<Point<f64>> {
        use geo::InteriorPoint;
        self.union(zone).interior_point()
    }
}

fn pos_of<'a>(keys: impl Iterator<Item = &'a str>) -> HashMap<String, u32> {
    keys.enumerate()
        .map(|(i, k)| (k.to_string(), i as u32))
        .collect()
}

/// Greedy colouring of each layer's zones: a zone takes the lowest colour none of its
/// neighbours (zones with a member grid sharing an edge with one of its grids) has taken.
fn colour_zones(
    loaded: &Loaded,
    data: &ZoneData,
    layer_zones: &[Vec<u32>],
    zone_of: &[u32],
) -> Vec<u8> {
    let idx = &loaded.index;
    let nl = data.layers.len();
    let mut colour = vec![0u8; data.zones.len()];
    if nl == 0 || data.zones.is_empty() {
        return colour;
    }
    // Grid adjacency from shared edges (exact vertex bits).
    type Key = ((u64, u64), (u64, u64));
    let bits = |c: &geo_types::Coord<f64>| ((c.x + 0.0).to_bits(), (c.y + 0.0).to_bits());
    let mut first: HashMap<Key, u32> = HashMap::new();
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    for (gi, g) in idx.grids.iter().enumerate() {
        if !g.is_active() {
            continue;
        }
        for w in g.polygon.exterior().0.windows(2) {
            let (a, b) = (bits(&w[0]), bits(&w[1]));
            let key = if a < b { (a, b) } else { (b, a) };
            match first.get(&key) {
                Some(&o) if o != gi as u32 => pairs.push((o, gi as u32)),
                Some(_) => {}
                None => {
                    first.insert(key, gi as u32);
                }
            }
        }
    }
    for (l, zones) in layer_zones.iter().enumerate() {
        let mut nbs: HashMap<u32, Vec<u32>> = HashMap::new();
        for &(a, b) in &pairs {
            let (za, zb) = (zone_of[a as usize * nl + l], zone_of[b as usize * nl + l]);
            if za != NONE && zb != NONE && za != zb {
                nbs.entry(za).or_default().push(zb);
                nbs.entry(zb).or_default().push(za);
            }
        }
        let mut done = vec![false; data.zones.len()];
        for &z in zones {
            let mut used = [false; ZONE_COLOURS as usize];
            for n in nbs.get(&z).map(Vec::as_slice).unwrap_or(&[]) {
                if done[*n as usize] {
                    used[colour[*n as usize] as usize] = true;
                }
            }
            colour[z as usize] =
                used.iter()
                    .position(|u| !u)
                    .unwrap_or(z as usize % ZONE_COLOURS as usize) as u8;
            done[z as usize] = true;
        }
    }
    colour
}
