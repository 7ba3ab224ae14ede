//! Reading an OpenStreetMap extract (`.osm.pbf`) into basemap [`Feature`]s (§OSM extracts in
//! docs/basemap.md).
//!
//! ## What becomes what
//!
//! - **Names**: `name:zh`, then `name:zh-Hans`, then `name` (the first that is not empty).
//! - **Roads** (lines, `class` = the `highway` value): ways with `highway` = `motorway`,
//!   `trunk`, `primary`, `secondary`, `tertiary`, their `*_link`s, `residential`,
//!   `unclassified`, `living_street`, `service`, `pedestrian`, `track`, `busway`, `road`,
//!   `footway`, `path`, `cycleway` or `steps`; not when tagged `area=yes` (a pedestrian square is
//!   not a road).
//! - **Railways** (lines, `class` = the `railway` value): `rail`, `subway`, `light_rail`,
//!   `tram`, `narrow_gauge`, `monorail`; not when also tagged `disused=yes` or `abandoned=yes`.
//! - **Waterways** (lines, `class` = the `waterway` value): `river`, `canal`, `stream`,
//!   `drain`, `ditch`.
//! - **Water** (areas): `natural=water` (`class` = the `water` value, e.g. `river`, `reservoir`,
//!   `pond`; `water` when there is none), `waterway=riverbank` (`river`),
//!   `landuse=reservoir|basin` (the value), `natural=wetland` (`wetland`).
//! - **Land use and green** (areas, `class` = the value): `landuse` = `residential`,
//!   `commercial`, `retail`, `industrial`, `farmland`, `farmyard`, `forest`, `grass`, `meadow`,
//!   `orchard`, `vineyard`, `allotments`, `cemetery`, `construction`, `railway`,
//!   `recreation_ground`, `village_green`, `brownfield`, `greenfield`, `military`, `religious`,
//!   `education`, `garages`, `plant_nursery`, `greenhouse_horticulture`, `aquaculture`,
//!   `quarry`, `landfill`, `flowerbed`; else `leisure` = `park`, `garden`, `pitch`,
//!   `playground`, `stadium`, `sports_centre`, `golf_course`; else `natural` = `wood`
//!   (`forest`), `scrub`, `grassland`, `heath`; else `amenity` = `school`, `university`,
//!   `college`, `kindergarten`, `hospital`.
//! - **Buildings** (areas): any `building` but `building=no`; `class` = `building` for
//!   `building=yes`, else the value (`residential`, `school`, …).
//! - **Places** (points, `class` = the `place` value): named nodes with `place`, except the
//!   large ones (`continent`, `country`, `state`, `province`, `region`, `ocean`, `sea`).
//! - **POIs** (points): named nodes with `amenity`, `shop`, `tourism`, `leisure` or `office`
//!   (`class` = the value, or the key when the value is `yes`), `railway=station` or
//!   `public_transport=station` (`station`); and the same for named closed ways and
//!   multipolygons, placed at a point inside the area (a named building without such a tag is no
//!   POI).
//! - Everything else is skipped. One element can give several features: a named school area
//!   is a land use polygon and a POI; a building with `shop` is a building and a POI.
//!
//! ## Lines and areas
//!
//! A way is closed when it has at least four node references and its first and last are the
//! same node. Area tags (`building`, `landuse`, `natural=water`, `leisure`, …) give a polygon
//! only on a closed way (and never with `area=no`); `highway`, `railway` and `waterway` give
//! lines even on closed ways (a ring road stays a line), except that `highway` with `area=yes`
//! gives nothing. Rings are oriented exterior counter-clockwise, holes clockwise.
//!
//! Multipolygon relations (`type=multipolygon`; `type=boundary` and other relations are
//! skipped) are assembled from their member ways: the ways of role `outer` (or no role) and of
//! role `inner` are joined end to end, in either direction, into closed rings, and each inner
//! ring becomes a hole of the smallest outer ring that contains it. The relation's tags say
//! what it is; an old-style relation that carries no tags of its own (only `type`, names,
//! `source`, `note`, …) takes the tags of its first outer way that has area tags, and that
//! way is then not drawn a second time. Member ways are read even when they have no tags.
//!
//! ## Clipped and damaged extracts
//!
//! An extract cut out of a larger one holds ways whose nodes lie partly outside it. That is
//! not an error: [`OsmRead::missing_nodes`] counts the nodes that kept ways and relation
//! members reference but the file does not hold; a line keeps its longest run of consecutive
//! present nodes when that run has at least two, and an area way missing any node is dropped
//! (its ring would not be the area's outline); both count in [`OsmRead::incomplete_ways`]. A
//! multipolygon whose rings cannot all be closed (a member way or node is missing, or the ways
//! do not meet) keeps the rings that close and counts in [`OsmRead::broken_relations`]; one
//! with no closed outer ring gives nothing.
//!
//! A file that is not an OSM PBF, that is cut off inside a block, or whose blocks cannot be
//! decoded is `BasemapCorrupt` (naming the file and what was wrong); one that reads but holds
//! nothing to draw is `BasemapEmpty`. No input makes the reader panic.
//!
//! ## How it reads
//!
//! Two passes over the file, each decoding blocks in parallel (rayon), a batch of blocks at a
//! time. The first keeps the tags and node references of the ways and relations that map to a
//! feature (and of untagged ways until it knows whether a kept multipolygon uses them), and
//! makes the place and POI nodes; between the passes the node ids those ways need are sorted
//! into one list. The second stores coordinates only for those nodes, and decodes only the
//! blocks the first pass saw nodes in. A 50 MB city extract thus needs a few hundred MB, not
//! the coordinates of every node. Progress is the bytes read across both passes (the total is
//! twice the file size). Features come out sorted by layer, then OSM id (within a layer nodes
//! first, then ways, then relations, each by id), so the same file always gives the same list.

use std::fs::File;
use std::io::{BufReader, Read, SeekFrom};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use geo::coordinate_position::CoordPos;
use geo::orient::Direction;
use geo::{Area, BoundingRect, CoordinatePosition, InteriorPoint, Orient};
use geo_types::{Coord, Geometry, LineString, MultiPolygon, Point, Polygon};
use osmpbf::{Blob, BlobType, PrimitiveBlock, RelMemberType};
use rayon::prelude::*;

use super::features::{Feature, Layer};
use super::package::{corrupt, file_label};
use crate::{Error, Message, MessageCode, Result};

/// What [`read_osm_pbf`] read.
#[derive(Debug, Clone, Default)]
pub struct OsmRead {
    pub features: Vec<Feature>,
    pub nodes: u64,
    pub ways: u64,
    pub relations: u64,
    /// node references of kept ways that the extract does not hold (clipped extracts)
    pub missing_nodes: u64,
    /// ways dropped or cut because nodes were missing (a way keeps its longest run of present nodes when ≥ 2; areas need a closed ring)
    pub incomplete_ways: u64,
    /// multipolygon relations that could not be assembled into closed rings
    pub broken_relations: u64,
    /// [west, south, east, north] of what was read
    pub bounds: Option<[f64; 4]>,
}

/// Reads an OSM PBF extract into basemap features (the rules are in the module docs).
///
/// `progress(done, total)` in bytes of the file read so far; return false to cancel (then Err with MessageCode::BasemapCancelled).
pub fn read_osm_pbf(
    path: &std::path::Path,
    progress: &(dyn Fn(u64, u64) -> bool + Sync),
) -> crate::Result<OsmRead> {
    let len = std::fs::metadata(path)
        .map_err(|e| Error::io(path, e))?
        .len();
    check_frames(path, len)?;
    let scan = Scan {
        path,
        len,
        total: len.saturating_mul(2),
        progress,
    };

    // Pass 1: ways, relations, place and POI nodes.
    let mut p1 = Pass1::default();
    scan.blobs(0, |_, batch| {
        let outs: Vec<Result<Block1>> = batch
            .par_iter()
            .map(|blob| guarded(path, || pass1_blob(path, blob)))
            .collect();
        for out in outs {
            p1.add(out?);
        }
        Ok(())
    })?;

    let plan = Plan::new(p1);

    // Pass 2: coordinates of the nodes the kept ways need.
    let mut coords = vec![[i32::MIN; 2]; plan.needed.len()];
    if !plan.needed.is_empty() {
        let needed = &plan.needed;
        let node_blobs = &plan.node_blobs;
        scan.blobs(len, |first, batch| {
            let outs: Vec<Result<Found>> = batch
                .par_iter()
                .enumerate()
                .map(|(i, blob)| {
                    if !node_blobs.get(first + i).copied().unwrap_or(false) {
                        return Ok(Vec::new());
                    }
                    guarded(path, || pass2_blob(path, blob, needed))
                })
                .collect();
            for out in outs {
                for (i, c) in out? {
                    coords[i] = c;
                }
            }
            Ok(())
        })?;
    } else if !(scan.progress)(scan.total, scan.total) {
        return Err(cancelled());
    }

    let read = plan.assemble(&coords);
    if read.features.is_empty() {
        let file = file_label(path);
        return Err(Error::Invalid(
            Message::new(MessageCode::BasemapEmpty)
                .text("file", &file)
                .en(format!("{file} holds nothing to draw")),
        ));
    }
    Ok(read)
}

// ----- tags --------------------------------------------------------------------------------

const ROADS: &[&str] = &[
    "motorway",
    "trunk",
    "primary",
    "secondary",
    "tertiary",
    "motorway_link",
    "trunk_link",
    "primary_link",
    "secondary_link",
    "tertiary_link",
    "residential",
    "unclassified",
    "living_street",
    "service",
    "pedestrian",
    "track",
    "busway",
    "road",
    "footway",
    "path",
    "cycleway",
    "steps",
];
const RAILWAYS: &[&str] = &[
    "rail",
    "subway",
    "light_rail",
    "tram",
    "narrow_gauge",
    "monorail",
];
const WATERWAYS: &[&str] = &["river", "canal", "stream", "drain", "ditch"];
const LANDUSE: &[&str] = &[
    "residential",
    "commercial",
    "retail",
    "industrial",
    "farmland",
    "farmyard",
    "forest",
    "grass",
    "meadow",
    "orchard",
    "vineyard",
    "allotments",
    "cemetery",
    "construction",
    "railway",
    "recreation_ground",
    "village_green",
    "brownfield",
    "greenfield",
    "military",
    "religious",
    "education",
    "garages",
    "plant_nursery",
    "greenhouse_horticulture",
    "aquaculture",
    "quarry",
    "landfill",
    "flowerbed",
];
const LEISURE_AREAS: &[&str] = &[
    "park",
    "garden",
    "pitch",
    "playground",
    "stadium",
    "sports_centre",
    "golf_course",
];
const NATURAL_GREEN: &[&str] = &["wood", "scrub", "grassland", "heath"];
const AMENITY_AREAS: &[&str] = &[
    "school",
    "university",
    "college",
    "kindergarten",
    "hospital",
];
const POI_KEYS: &[&str] = &["amenity", "shop", "tourism", "leisure", "office"];
const LARGE_PLACES: &[&str] = &[
    "continent",
    "country",
    "state",
    "province",
    "region",
    "ocean",
    "sea",
];

type Tags<'a> = [(&'a str, &'a str)];

/// The first non-empty value of `key`.
fn tag<'a>(tags: &Tags<'a>, key: &str) -> Option<&'a str> {
    tags.iter()
        .find(|(k, v)| *k == key && !v.trim().is_empty())
        .map(|(_, v)| v.trim())
}

fn tag_in<'a>(tags: &Tags<'a>, key: &str, values: &[&str]) -> Option<&'a str> {
    tag(tags, key).filter(|v| values.contains(v))
}

fn name_of(tags: &Tags<'_>) -> Option<Box<str>> {
    ["name:zh", "name:zh-Hans", "name"]
        .iter()
        .find_map(|k| tag(tags, k))
        .map(Box::from)
}

fn line_targets(tags: &Tags<'_>) -> Vec<(Layer, Box<str>)> {
    let mut out = Vec::new();
    if let Some(h) = tag_in(tags, "highway", ROADS) {
        if tag(tags, "area") != Some("yes") {
            out.push((Layer::Roads, h.into()));
        }
    }
    if let Some(r) = tag_in(tags, "railway", RAILWAYS) {
        if tag(tags, "disused") != Some("yes") && tag(tags, "abandoned") != Some("yes") {
            out.push((Layer::Railways, r.into()));
        }
    }
    if let Some(w) = tag_in(tags, "waterway", WATERWAYS) {
        out.push((Layer::Waterways, w.into()));
    }
    out
}

fn area_targets(tags: &Tags<'_>) -> Vec<(Layer, Box<str>)> {
    let mut out = Vec::new();
    if tag(tags, "area") == Some("no") {
        return out;
    }
    let natural = tag(tags, "natural");
    let landuse = tag(tags, "landuse");
    let water = if natural == Some("water") {
        Some(
            tag(tags, "water")
                .filter(|w| *w != "yes")
                .unwrap_or("water"),
        )
    } else if tag(tags, "waterway") == Some("riverbank") {
        Some("river")
    } else if let Some(l @ ("reservoir" | "basin")) = landuse {
        Some(l)
    } else if natural == Some("wetland") {
        Some("wetland")
    } else {
        None
    };
    if let Some(w) = water {
        out.push((Layer::Water, w.into()));
    }
    let green = tag_in(tags, "landuse", LANDUSE)
        .or_else(|| tag_in(tags, "leisure", LEISURE_AREAS))
        .or_else(|| match tag_in(tags, "natural", NATURAL_GREEN) {
            Some("wood") => Some("forest"),
            other => other,
        })
        .or_else(|| tag_in(tags, "amenity", AMENITY_AREAS));
    if let Some(g) = green {
        out.push((Layer::Landuse, g.into()));
    }
    match tag(tags, "building") {
        None | Some("no") => {}
        Some("yes") => out.push((Layer::Buildings, "building".into())),
        Some(b) => out.push((Layer::Buildings, b.into())),
    }
    out
}

fn poi_class(tags: &Tags<'_>) -> Option<Box<str>> {
    for key in POI_KEYS {
        if let Some(v) = tag(tags, key) {
            return Some(if v == "yes" { *key } else { v }.into());
        }
    }
    if tag(tags, "railway") == Some("station") || tag(tags, "public_transport") == Some("station") {
        return Some("station".into());
    }
    None
}

fn place_class<'a>(tags: &Tags<'a>) -> Option<&'a str> {
    tag(tags, "place").filter(|p| !LARGE_PLACES.contains(p))
}

/// A relation without tags of its own but its type, names and notes: an old-style
/// multipolygon whose outer way says what it is.
fn untagged_relation(tags: &Tags<'_>) -> bool {
    tags.iter().all(|(k, _)| {
        *k == "type"
            || *k == "created_by"
            || *k == "description"
            || k.starts_with("name")
            || k.starts_with("source")
            || k.starts_with("note")
            || k.starts_with("fixme")
            || k.starts_with("FIXME")
            || k.starts_with("wiki")
    })
}

/// What a way or relation becomes.
#[derive(Debug, Clone, Default)]
struct Mapping {
    /// Roads, railways, waterways: drawn from the way as it is.
    lines: Vec<(Layer, Box<str>)>,
    /// Water, land use, buildings: drawn when the way is closed.
    areas: Vec<(Layer, Box<str>)>,
    /// A POI at a point inside the area (named elements only).
    poi: Option<Box<str>>,
    name: Option<Box<str>>,
}

impl Mapping {
    fn of(tags: &Tags<'_>, lines: bool) -> Mapping {
        let name = name_of(tags);
        Mapping {
            lines: if lines {
                line_targets(tags)
            } else {
                Vec::new()
            },
            areas: area_targets(tags),
            poi: name.as_ref().and_then(|_| poi_class(tags)),
            name,
        }
    }

    fn is_empty(&self) -> bool {
        self.lines.is_empty() && self.areas.is_empty() && self.poi.is_none()
    }
}

// ----- pass 1 ------------------------------------------------------------------------------

/// A way that maps to a feature.
#[derive(Debug)]
struct WayRec {
    id: i64,
    refs: Box<[i64]>,
    map: Mapping,
    /// Its area tags were taken by an old-style multipolygon (which draws the area instead).
    taken: bool,
}

/// A multipolygon relation: its member ways and what it becomes (`None`: an old-style
/// relation whose outer way will say).
#[derive(Debug)]
struct RelRec {
    id: i64,
    outers: Vec<i64>,
    inners: Vec<i64>,
    map: Option<Mapping>,
}

/// Which OSM element a feature came from, for the output order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Node,
    Way,
    Relation,
}

type Keyed = ((Layer, Kind, i64), Feature);

/// What pass 1 took from one block.
#[derive(Debug, Default)]
struct Block1 {
    has_nodes: bool,
    nodes: u64,
    ways: u64,
    relations: u64,
    points: Vec<Keyed>,
    ways_kept: Vec<WayRec>,
    /// Ways that map to nothing (they may still be multipolygon members).
    untagged: Vec<(i64, Box<[i64]>)>,
    rels: Vec<RelRec>,
}

#[derive(Debug, Default)]
struct Pass1 {
    nodes: u64,
    ways: u64,
    relations: u64,
    /// Per block (in file order): whether it holds nodes.
    node_blobs: Vec<bool>,
    points: Vec<Keyed>,
    ways_kept: Vec<WayRec>,
    untagged: Vec<(i64, Box<[i64]>)>,
    rels: Vec<RelRec>,
}

impl Pass1 {
    fn add(&mut self, b: Block1) {
        self.nodes += b.nodes;
        self.ways += b.ways;
        self.relations += b.relations;
        self.node_blobs.push(b.has_nodes);
        self.points.extend(b.points);
        self.ways_kept.extend(b.ways_kept);
        self.untagged.extend(b.untagged);
        self.rels.extend(b.rels);
    }
}

fn pass1_blob(path: &Path, blob: &Blob) -> Result<Block1> {
    match blob.get_type() {
        BlobType::OsmHeader => {
            let header = blob.to_headerblock().map_err(|e| corrupt(path, e))?;
            for feature in header.required_features() {
                if !matches!(feature.as_str(), "OsmSchema-V0.6" | "DenseNodes") {
                    return Err(corrupt(
                        path,
                        format!("the file needs `{feature}`, which GridDesk does not read"),
                    ));
                }
            }
            Ok(Block1::default())
        }
        BlobType::OsmData => {
            let block = blob.to_primitiveblock().map_err(|e| corrupt(path, e))?;
            Ok(pass1_block(&block))
        }
        BlobType::Unknown(_) => Ok(Block1::default()),
    }
}

fn pass1_block(block: &PrimitiveBlock) -> Block1 {
    let mut out = Block1::default();
    let mut tags: Vec<(&str, &str)> = Vec::new();
    for group in block.groups() {
        for node in group.nodes() {
            out.nodes += 1;
            out.has_nodes = true;
            tags.clear();
            tags.extend(node.tags());
            point_feature(
                &mut out.points,
                node.id(),
                node.decimicro_lon(),
                node.decimicro_lat(),
                &tags,
            );
        }
        for node in group.dense_nodes() {
            out.nodes += 1;
            out.has_nodes = true;
            tags.clear();
            tags.extend(node.tags());
            point_feature(
                &mut out.points,
                node.id(),
                node.decimicro_lon(),
                node.decimicro_lat(),
                &tags,
            );
        }
        for way in group.ways() {
            out.ways += 1;
            tags.clear();
            tags.extend(way.tags());
            let refs: Box<[i64]> = way.refs().collect();
            if refs.len() < 2 {
                continue;
            }
            let map = Mapping::of(&tags, true);
            if map.is_empty() {
                out.untagged.push((way.id(), refs));
            } else {
                out.ways_kept.push(WayRec {
                    id: way.id(),
                    refs,
                    map,
                    taken: false,
                });
            }
        }
        for rel in group.relations() {
            out.relations += 1;
            tags.clear();
            tags.extend(rel.tags());
            if tag(&tags, "type") != Some("multipolygon") {
                continue;
            }
            let (mut outers, mut inners) = (Vec::new(), Vec::new());
            for m in rel.members() {
                if m.member_type != RelMemberType::Way {
                    continue;
                }
                match m.role().unwrap_or("") {
                    "outer" | "" => outers.push(m.member_id),
                    "inner" => inners.push(m.member_id),
                    _ => {}
                }
            }
            if outers.is_empty() {
                continue;
            }
            let map = Mapping::of(&tags, false);
            let map = if !map.areas.is_empty() {
                Some(map)
            } else if untagged_relation(&tags) {
                None
            } else {
                continue;
            };
            out.rels.push(RelRec {
                id: rel.id(),
                outers,
                inners,
                map,
            });
        }
    }
    out
}

fn point_feature(out: &mut Vec<Keyed>, id: i64, lon: i32, lat: i32, tags: &Tags<'_>) {
    if tags.is_empty() {
        return;
    }
    let Some(name) = name_of(tags) else {
        return;
    };
    let (layer, class) = if let Some(p) = place_class(tags) {
        (Layer::Places, Box::from(p))
    } else if let Some(c) = poi_class(tags) {
        (Layer::Pois, c)
    } else {
        return;
    };
    out.push((
        (layer, Kind::Node, id),
        Feature {
            layer,
            class: class.into(),
            name: Some(name.into()),
            geom: Geometry::Point(Point(coord([lon, lat]))),
        },
    ));
}

// ----- pass 2 ------------------------------------------------------------------------------

/// Nodes pass 2 found: their index in the needed list and their coordinates (10⁻⁷ degrees).
type Found = Vec<(usize, [i32; 2])>;

fn pass2_blob(path: &Path, blob: &Blob, needed: &[i64]) -> Result<Found> {
    if blob.get_type() != BlobType::OsmData {
        return Ok(Vec::new());
    }
    let block = blob.to_primitiveblock().map_err(|e| corrupt(path, e))?;
    let mut out = Vec::new();
    for group in block.groups() {
        for node in group.nodes() {
            if let Ok(i) = needed.binary_search(&node.id()) {
                out.push((i, [node.decimicro_lon(), node.decimicro_lat()]));
            }
        }
        for node in group.dense_nodes() {
            if let Ok(i) = needed.binary_search(&node.id()) {
                out.push((i, [node.decimicro_lon(), node.decimicro_lat()]));
            }
        }
    }
    Ok(out)
}

// ----- between the passes and after --------------------------------------------------------

/// What pass 1 decided: the kept ways (sorted by id), the multipolygons, the member ways
/// without tags, and the node ids whose coordinates pass 2 must find.
struct Plan {
    nodes: u64,
    ways_total: u64,
    relations: u64,
    node_blobs: Vec<bool>,
    points: Vec<Keyed>,
    ways: Vec<WayRec>,
    members: Vec<(i64, Box<[i64]>)>,
    rels: Vec<RelRec>,
    needed: Vec<i64>,
}

impl Plan {
    fn new(p1: Pass1) -> Plan {
        let Pass1 {
            nodes,
            ways: ways_total,
            relations,
            node_blobs,
            points,
            ways_kept: mut ways,
            untagged,
            mut rels,
        } = p1;
        ways.sort_unstable_by_key(|w| w.id);
        ways.dedup_by_key(|w| w.id);
        rels.sort_unstable_by_key(|r| r.id);
        rels.dedup_by_key(|r| r.id);

        // Old-style multipolygons take the tags of their first outer way with area tags.
        rels.retain_mut(|rel| {
            if rel.map.is_some() {
                return true;
            }
            for id in &rel.outers {
                if let Ok(i) = ways.binary_search_by_key(id, |w| w.id) {
                    let way = &mut ways[i];
                    if !way.map.areas.is_empty() {
                        way.taken = true;
                        rel.map = Some(Mapping {
                            lines: Vec::new(),
                            areas: way.map.areas.clone(),
                            poi: way.map.poi.clone(),
                            name: way.map.name.clone(),
                        });
                        return true;
                    }
                }
            }
            false
        });

        // Untagged ways are kept only as members of the multipolygons kept.
        let mut member_ids: Vec<i64> = rels
            .iter()
            .flat_map(|r| r.outers.iter().chain(&r.inners).copied())
            .collect();
        member_ids.sort_unstable();
        member_ids.dedup();
        let mut members: Vec<(i64, Box<[i64]>)> = untagged
            .into_iter()
            .filter(|(id, _)| member_ids.binary_search(id).is_ok())
            .collect();
        members.sort_unstable_by_key(|(id, _)| *id);
        members.dedup_by_key(|(id, _)| *id);

        let mut needed: Vec<i64> = ways
            .iter()
            .flat_map(|w| w.refs.iter().copied())
            .chain(members.iter().flat_map(|(_, refs)| refs.iter().copied()))
            .collect();
        needed.sort_unstable();
        needed.dedup();
        Plan {
            nodes,
            ways_total,
            relations,
            node_blobs,
            points,
            ways,
            members,
            rels,
            needed,
        }
    }

    fn coord_of(&self, coords: &[[i32; 2]], id: i64) -> Option<Coord> {
        let i = self.needed.binary_search(&id).ok()?;
        let c = coords.get(i)?;
        (c[0] != i32::MIN).then(|| coord(*c))
    }

    /// The node ids of a member way, kept (tagged) or not.
    fn member_refs(&self, id: i64) -> Option<&[i64]> {
        if let Ok(i) = self.ways.binary_search_by_key(&id, |w| w.id) {
            return Some(&self.ways[i].refs);
        }
        let i = self.members.binary_search_by_key(&id, |(id, _)| *id).ok()?;
        Some(&self.members[i].1)
    }

    fn assemble(self, coords: &[[i32; 2]]) -> OsmRead {
        let missing_nodes = coords.iter().filter(|c| c[0] == i32::MIN).count() as u64;

        let from_ways: Vec<(Vec<Keyed>, bool)> = self
            .ways
            .par_iter()
            .map(|w| self.way_features(w, coords))
            .collect();
        let from_rels: Vec<(Vec<Keyed>, bool)> = self
            .rels
            .par_iter()
            .map(|r| self.relation_features(r, coords))
            .collect();

        let mut incomplete_ways = 0;
        let mut broken_relations = 0;
        let mut keyed: Vec<Keyed> = self.points;
        for (fs, incomplete) in from_ways {
            keyed.extend(fs);
            incomplete_ways += u64::from(incomplete);
        }
        for (fs, broken) in from_rels {
            keyed.extend(fs);
            broken_relations += u64::from(broken);
        }
        keyed.sort_by_key(|(k, _)| *k);
        let features: Vec<Feature> = keyed.into_iter().map(|(_, f)| f).collect();

        let mut bounds: Option<[f64; 4]> = None;
        for f in &features {
            if let Some(r) = f.geom.bounding_rect() {
                let b = bounds.get_or_insert([r.min().x, r.min().y, r.max().x, r.max().y]);
                *b = [
                    b[0].min(r.min().x),
                    b[1].min(r.min().y),
                    b[2].max(r.max().x),
                    b[3].max(r.max().y),
                ];
            }
        }
        OsmRead {
            features,
            nodes: self.nodes,
            ways: self.ways_total,
            relations: self.relations,
            missing_nodes,
            incomplete_ways,
            broken_relations,
            bounds,
        }
    }

    /// A kept way's features, and whether nodes it needs are missing (cut or dropped).
    fn way_features(&self, w: &WayRec, coords: &[[i32; 2]]) -> (Vec<Keyed>, bool) {
        let pts: Vec<Option<Coord>> = w.refs.iter().map(|&r| self.coord_of(coords, r)).collect();
        let incomplete = pts.iter().any(Option::is_none);
        let mut out = Vec::new();
        let feature = |layer: Layer, class: &str, geom: Geometry<f64>| {
            (
                (layer, Kind::Way, w.id),
                Feature {
                    layer,
                    class: class.to_string(),
                    name: w.map.name.as_deref().map(String::from),
                    geom,
                },
            )
        };

        if !w.map.lines.is_empty() {
            let run = longest_run(&pts);
            if run.len() >= 2 {
                let line = LineString::from(run);
                for (layer, class) in &w.map.lines {
                    out.push(feature(*layer, class, Geometry::LineString(line.clone())));
                }
            }
        }

        let closed = w.refs.len() >= 4 && w.refs.first() == w.refs.last();
        if closed && !incomplete && !w.taken {
            let ring: Vec<Coord> = pts.iter().flatten().copied().collect();
            if let Some(ring) = ring_of(ring) {
                let poly = Polygon::new(ring, Vec::new()).orient(Direction::Default);
                for (layer, class) in &w.map.areas {
                    out.push(feature(*layer, class, Geometry::Polygon(poly.clone())));
                }
                if let (Some(class), Some(_)) = (&w.map.poi, &w.map.name) {
                    if let Some(p) = poly.interior_point() {
                        out.push(feature(Layer::Pois, class, Geometry::Point(p)));
                    }
                }
            }
        }
        // Counted when missing nodes cut or dropped something this way would draw.
        let affected = !w.map.lines.is_empty()
            || (closed && !w.taken && (!w.map.areas.is_empty() || w.map.poi.is_some()));
        (out, incomplete && affected)
    }

    /// A multipolygon's features, and whether it is broken (rings that do not close).
    fn relation_features(&self, rel: &RelRec, coords: &[[i32; 2]]) -> (Vec<Keyed>, bool) {
        let Some(map) = &rel.map else {
            return (Vec::new(), false);
        };
        let mut broken = false;
        // Member ways as node ids, leaving out those the extract lacks (wholly or in part).
        let mut usable = |ids: &[i64]| -> Vec<&[i64]> {
            let mut out = Vec::new();
            for id in ids {
                match self.member_refs(*id) {
                    Some(refs) if refs.iter().all(|r| self.coord_of(coords, *r).is_some()) => {
                        out.push(refs)
                    }
                    _ => broken = true,
                }
            }
            out
        };
        let outer_ways = usable(&rel.outers);
        let inner_ways = usable(&rel.inners);
        let (outer_rings, open_outer) = join_rings(outer_ways);
        let (inner_rings, open_inner) = join_rings(inner_ways);
        broken |= open_outer + open_inner > 0;

        let to_ring = |ids: &Vec<i64>| -> Option<LineString<f64>> {
            ring_of(
                ids.iter()
                    .filter_map(|r| self.coord_of(coords, *r))
                    .collect(),
            )
        };
        let mut outers: Vec<(f64, Polygon<f64>, Vec<LineString<f64>>)> = outer_rings
            .iter()
            .filter_map(to_ring)
            .map(|r| {
                let p = Polygon::new(r, Vec::new());
                (p.unsigned_area(), p, Vec::new())
            })
            .collect();
        if outers.is_empty() {
            return (Vec::new(), true);
        }
        // Smallest first: an inner ring is a hole of the smallest outer ring around it.
        outers.sort_by(|a, b| a.0.total_cmp(&b.0));
        for inner in inner_rings.iter().filter_map(to_ring) {
            if let Some(o) = outers.iter_mut().find(|(_, p, _)| {
                inner
                    .0
                    .iter()
                    .all(|c| p.coordinate_position(c) != CoordPos::Outside)
            }) {
                o.2.push(inner);
            }
        }
        let polys: Vec<Polygon<f64>> = outers
            .into_iter()
            .rev()
            .map(|(_, p, holes)| {
                let (exterior, _) = p.into_inner();
                Polygon::new(exterior, holes).orient(Direction::Default)
            })
            .collect();
        let largest = polys.first().cloned();
        let geom = match <[Polygon<f64>; 1]>::try_from(polys) {
            Ok([p]) => Geometry::Polygon(p),
            Err(polys) => Geometry::MultiPolygon(MultiPolygon(polys)),
        };

        let name: Option<String> = map.name.as_deref().map(String::from);
        let mut out: Vec<Keyed> = map
            .areas
            .iter()
            .map(|(layer, class)| {
                (
                    (*layer, Kind::Relation, rel.id),
                    Feature {
                        layer: *layer,
                        class: class.to_string(),
                        name: name.clone(),
                        geom: geom.clone(),
                    },
                )
            })
            .collect();
        if let (Some(class), Some(_), Some(p)) =
            (&map.poi, &name, largest.and_then(|p| p.interior_point()))
        {
            out.push((
                (Layer::Pois, Kind::Relation, rel.id),
                Feature {
                    layer: Layer::Pois,
                    class: class.to_string(),
                    name: name.clone(),
                    geom: Geometry::Point(p),
                },
            ));
        }
        (out, broken)
    }
}

fn coord(c: [i32; 2]) -> Coord {
    Coord {
        x: f64::from(c[0]) * 1e-7,
        y: f64::from(c[1]) * 1e-7,
    }
}

/// The longest run of consecutive present points, without repeated points.
fn longest_run(pts: &[Option<Coord>]) -> Vec<Coord> {
    let (mut best, mut start) = ((0, 0), 0);
    for (i, p) in pts.iter().enumerate() {
        if p.is_none() {
            start = i + 1;
        } else if i + 1 - start > best.1 - best.0 {
            best = (start, i + 1);
        }
    }
    let mut run: Vec<Coord> = pts[best.0..best.1].iter().flatten().copied().collect();
    run.dedup();
    if run.len() < 2 {
        run.clear();
    }
    run
}

/// A closed ring without repeated points, when it still encloses an area.
fn ring_of(mut pts: Vec<Coord>) -> Option<LineString<f64>> {
    pts.dedup();
    if pts.len() < 4 || pts.first() != pts.last() {
        return None;
    }
    let ring = LineString(pts);
    (Polygon::new(ring.clone(), Vec::new()).unsigned_area() > 0.0).then_some(ring)
}

/// Joins ways (node id lists) end to end, in either direction, into closed rings; also says
/// how many chains could not be closed.
fn join_rings(ways: Vec<&[i64]>) -> (Vec<Vec<i64>>, usize) {
    let mut pending: Vec<Option<&[i64]>> = ways
        .into_iter()
        .filter(|w| w.len() >= 2)
        .map(Some)
        .collect();
    let (mut rings, mut open) = (Vec::new(), 0);
    for i in 0..pending.len() {
        let Some(first) = pending[i].take() else {
            continue;
        };
        let mut ring = first.to_vec();
        let mut turned = false;
        while let (Some(&start), Some(&end)) = (ring.first(), ring.last()) {
            if ring.len() > 1 && start == end {
                if ring.len() >= 4 {
                    rings.push(ring);
                } else {
                    open += 1;
                }
                break;
            }
            let next = pending.iter_mut().find_map(|slot| match slot {
                Some(w) if w.first() == Some(&end) || w.last() == Some(&end) => slot.take(),
                _ => None,
            });
            match next {
                Some(w) if w.first() == Some(&end) => ring.extend_from_slice(&w[1..]),
                Some(w) => ring.extend(w.iter().rev().skip(1)),
                // A dead end: grow the chain from its other end before giving up.
                None if !turned => {
                    ring.reverse();
                    turned = true;
                }
                None => {
                    open += 1;
                    break;
                }
            }
        }
    }
    (rings, open)
}

// ----- reading blocks ----------------------------------------------------------------------

/// How many blocks pass through rayon at once, at most.
const BATCH_BLOBS: usize = 32;
/// How many compressed bytes pass through rayon at once, about.
const BATCH_BYTES: u64 = 8 << 20;

/// Walks the blocks' headers (seeking over their data): fails on a file that is not a chain
/// of PBF blocks or whose last block runs past its end (a download cut off).
fn check_frames(path: &Path, len: u64) -> Result<()> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader =
        osmpbf::BlobReader::new_seekable(BufReader::new(file)).map_err(|e| corrupt(path, e))?;
    let mut last: Option<u64> = None;
    while let Some(next) = reader.next_header_skip_blob() {
        let (_, offset) = next.map_err(|e| corrupt(path, e))?;
        let offset = offset.map(|o| o.0);
        if offset.is_none() || offset <= last {
            return Err(corrupt(path, "a block header gives an impossible size"));
        }
        last = offset;
    }
    let end = reader
        .seek_raw(SeekFrom::Current(0))
        .map_err(|e| corrupt(path, e))?;
    if end > len {
        return Err(corrupt(
            path,
            format!("the file is cut off: its blocks need {end} bytes, it has {len}"),
        ));
    }
    Ok(())
}

struct Scan<'a> {
    path: &'a Path,
    len: u64,
    total: u64,
    progress: &'a (dyn Fn(u64, u64) -> bool + Sync),
}

impl Scan<'_> {
    /// Reads the file's blocks in batches, handing each batch (and the index of its first
    /// block) to `on_batch`; reports progress from `base` after each batch. Fails on a file
    /// that does not start with an OSM header block or ends inside a block.
    fn blobs(
        &self,
        base: u64,
        mut on_batch: impl FnMut(usize, &[Blob]) -> Result<()>,
    ) -> Result<()> {
        let file = File::open(self.path).map_err(|e| Error::io(self.path, e))?;
        let read = AtomicU64::new(0);
        let reader = osmpbf::BlobReader::new(Counting {
            inner: BufReader::with_capacity(1 << 20, file),
            read: &read,
        });
        let mut batch: Vec<Blob> = Vec::new();
        let (mut first, mut batch_start, mut done) = (0usize, 0u64, 0u64);
        let mut seen_header = false;
        for blob in reader {
            let blob = blob.map_err(|e| corrupt(self.path, e))?;
            done = read.load(Ordering::Relaxed);
            if !seen_header {
                if blob.get_type() != BlobType::OsmHeader {
                    return Err(corrupt(
                        self.path,
                        "the file does not start with an OSM header block",
                    ));
                }
                seen_header = true;
            }
            batch.push(blob);
            if batch.len() >= BATCH_BLOBS || done - batch_start >= BATCH_BYTES {
                on_batch(first, &batch)?;
                first += batch.len();
                batch.clear();
                batch_start = done;
                self.report(base + done)?;
            }
        }
        if !seen_header {
            return Err(corrupt(self.path, "the file holds no OSM PBF blocks"));
        }
        if done != self.len {
            return Err(corrupt(
                self.path,
                format!(
                    "the file ends inside a block after {done} of {} bytes (cut off?)",
                    self.len
                ),
            ));
        }
        on_batch(first, &batch)?;
        self.report(base + done)
    }

    fn report(&self, done: u64) -> Result<()> {
        if (self.progress)(done.min(self.total), self.total) {
            Ok(())
        } else {
            Err(cancelled())
        }
    }
}

fn cancelled() -> Error {
    Error::Invalid(
        Message::new(MessageCode::BasemapCancelled).en("the basemap build was cancelled"),
    )
}

/// Runs a block decoder, turning a panic inside it (osmpbf panics on some malformed blocks,
/// e.g. an unknown relation member type) into a corrupt-file error.
fn guarded<T>(path: &Path, f: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(corrupt(path, "a block could not be decoded")))
}

/// A reader that counts the bytes read through it (for progress and for noticing a file cut
/// off between blocks' length prefixes).
struct Counting<'a, R> {
    inner: R,
    read: &'a AtomicU64,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use geo::Contains;
    use std::path::PathBuf;
    use std::sync::Mutex;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name)
    }

    fn read(name: &str) -> OsmRead {
        read_osm_pbf(&fixture(name), &|_, _| true).unwrap()
    }

    fn code(r: Result<OsmRead>) -> MessageCode {
        r.map(|_| ()).unwrap_err().message().code
    }

    fn layer(r: &OsmRead, l: Layer) -> Vec<&Feature> {
        r.features.iter().filter(|f| f.layer == l).collect()
    }

    fn named<'a>(r: &'a OsmRead, l: Layer, name: &str) -> &'a Feature {
        layer(r, l)
            .into_iter()
            .find(|f| f.name.as_deref() == Some(name))
            .unwrap_or_else(|| panic!("no {l:?} named {name}"))
    }

    fn write_temp(bytes: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut f, bytes).unwrap();
        f
    }

    #[test]
    fn sample_extract_gives_every_layer() {
        let r = read("sample.osm.pbf");
        assert_eq!((r.nodes, r.ways, r.relations), (1420, 296, 3));
        assert_eq!(
            (r.missing_nodes, r.incomplete_ways, r.broken_relations),
            (0, 0, 0)
        );

        // Every sample road, by its Chinese name, with the class its highway tag gives.
        let roads = layer(&r, Layer::Roads);
        assert_eq!(roads.len(), 163);
        let first = named(&r, Layer::Roads, "县前街（1段）");
        assert_eq!(first.class, "residential");
        assert!(matches!(&first.geom, Geometry::LineString(l) if l.0.len() == 6));
        assert_eq!(named(&r, Layer::Roads, "北院大道（1段）").class, "primary");
        assert_eq!(named(&r, Layer::Roads, "劳动路（1段）").class, "secondary");
        assert_eq!(named(&r, Layer::Roads, "东浦1号巷").class, "service");
        // The pedestrian square (highway=pedestrian + area=yes) is no road.
        assert!(roads.iter().all(|f| f.name.as_deref() != Some("城关广场")));

        // 120 footprints + the old-style multipolygon's school building (drawn once, with
        // its courtyard as a hole).
        let buildings = layer(&r, Layer::Buildings);
        assert_eq!(buildings.len(), 121);
        assert_eq!(
            buildings.iter().filter(|f| f.class == "building").count(),
            80
        );
        assert_eq!(
            buildings
                .iter()
                .filter(|f| f.class == "residential")
                .count(),
            40
        );
        let school = named(&r, Layer::Buildings, "城关中学教学楼");
        assert_eq!(school.class, "school");
        assert!(matches!(&school.geom, Geometry::Polygon(p) if p.interiors().len() == 1));

        let water = layer(&r, Layer::Water);
        assert_eq!(water.len(), 1);
        assert_eq!(
            (water[0].class.as_str(), water[0].name.as_deref()),
            ("river", Some("永宁江"))
        );
        assert!(matches!(water[0].geom, Geometry::Polygon(_)));
        let waterways = layer(&r, Layer::Waterways);
        assert_eq!(waterways.len(), 1);
        assert_eq!(waterways[0].class, "river");
        let rails = layer(&r, Layer::Railways);
        assert_eq!(rails.len(), 1, "railway=abandoned is skipped");
        assert_eq!(rails[0].name.as_deref(), Some("金台铁路"));

        // The hospital way, then the multipolygons r1 and r2.
        let landuse: Vec<(&str, Option<&str>)> = layer(&r, Layer::Landuse)
            .iter()
            .map(|f| (f.class.as_str(), f.name.as_deref()))
            .collect();
        assert_eq!(
            landuse,
            [
                ("hospital", Some("黄岩区第一人民医院")),
                ("grass", Some("东湖绿地")),
                ("forest", Some("城西林地")),
            ]
        );

        let places = layer(&r, Layer::Places);
        assert_eq!(places.len(), 1);
        assert_eq!(
            (places[0].class.as_str(), places[0].name.as_deref()),
            ("suburb", Some("城关街道"))
        );
        assert_eq!(places[0].geom, Geometry::Point(Point::new(121.255, 28.642)));

        // Two POI nodes and the hospital's middle; the unnamed bench and the node with only a
        // name are not POIs.
        let pois: Vec<(&str, Option<&str>)> = layer(&r, Layer::Pois)
            .iter()
            .map(|f| (f.class.as_str(), f.name.as_deref()))
            .collect();
        assert_eq!(
            pois,
            [
                ("school", Some("城关小学")),
                ("supermarket", Some("华联超市")),
                ("hospital", Some("黄岩区第一人民医院")),
            ]
        );
        let hospital = match &named(&r, Layer::Landuse, "黄岩区第一人民医院").geom {
            Geometry::Polygon(p) => p.clone(),
            g => panic!("{g:?}"),
        };
        assert!(hospital.contains(&named(&r, Layer::Pois, "黄岩区第一人民医院").geom));

        let [w, s, e, n] = r.bounds.unwrap();
        assert!(
            w > 121.22 && s > 28.59 && e < 121.30 && n < 28.68,
            "{:?}",
            r.bounds
        );
    }

    #[test]
    fn features_come_sorted_and_the_same_every_time() {
        let a = read("sample.osm.pbf");
        assert!(a.features.windows(2).all(|w| w[0].layer <= w[1].layer));
        let b = read("sample.osm.pbf");
        assert_eq!(a.features, b.features);
        // Within a layer by OSM id: the sample's roads are ways 1.. in file order.
        let roads = layer(&a, Layer::Roads);
        assert_eq!(roads[0].name.as_deref(), Some("县前街（1段）"));
        assert_eq!(roads[1].name.as_deref(), Some("县前街（2段）"));
    }

    #[test]
    fn name_zh_wins_over_name() {
        let r = read("sample.osm.pbf");
        // Every road carries name:zh (Chinese) and name (pinyin): no pinyin comes out.
        for f in layer(&r, Layer::Roads) {
            let name = f.name.as_deref().unwrap();
            assert!(!name.is_ascii(), "{name}");
        }
        // Only `name` → `name`.
        named(&r, Layer::Pois, "华联超市");
        let tags = [
            ("name", "Xi Jie"),
            ("name:zh-Hans", "西街"),
            ("name:zh", "西 街"),
        ];
        assert_eq!(name_of(&tags).as_deref(), Some("西 街"));
        assert_eq!(name_of(&tags[..2]).as_deref(), Some("西街"));
        assert_eq!(name_of(&tags[..1]).as_deref(), Some("Xi Jie"));
        assert_eq!(
            name_of(&[("name:zh", " "), ("name", "Xi Jie")]).as_deref(),
            Some("Xi Jie")
        );
        assert_eq!(name_of(&[("ref", "S1")]), None);
    }

    #[test]
    fn a_multipolygon_with_an_inner_ring_has_a_hole() {
        let r = read("sample.osm.pbf");
        let grass = named(&r, Layer::Landuse, "东湖绿地");
        let Geometry::Polygon(p) = &grass.geom else {
            panic!("{:?}", grass.geom)
        };
        // The outer ring joined from two ways (one drawn backwards): 24 points + closing.
        assert_eq!(p.exterior().0.len(), 25);
        assert_eq!(p.interiors().len(), 1);
        assert_eq!(p.interiors()[0].0.len(), 13);
        // The pond in the middle is not grass; the lawn 200 m east of it is.
        let lon_m = 1.0 / (111_320.0 * 28.617_f64.to_radians().cos());
        assert!(!p.contains(&Point::new(121.250, 28.617)));
        assert!(p.contains(&Point::new(121.250 + 200.0 * lon_m, 28.617)));
        assert!(!p.contains(&Point::new(121.250 + 400.0 * lon_m, 28.617)));
        // Exterior counter-clockwise, hole clockwise.
        use geo::Winding;
        assert!(p.exterior().is_ccw());
        assert!(p.interiors()[0].is_cw());
    }

    #[test]
    fn a_clipped_extract_reads_with_counts_of_what_is_missing() {
        let r = read("clipped.osm.pbf");
        assert!(r.missing_nodes > 0, "{}", r.missing_nodes);
        assert!(r.incomplete_ways > 0, "{}", r.incomplete_ways);
        // The wood on the cut cannot be closed; the lawn and the courtyard building lie
        // wholly inside.
        assert_eq!(r.broken_relations, 1);
        assert!(layer(&r, Layer::Landuse)
            .iter()
            .all(|f| f.class != "forest"));
        named(&r, Layer::Landuse, "东湖绿地");
        named(&r, Layer::Buildings, "城关中学教学楼");
        // The river area crosses the cut: dropped. Its centre line and the railway are cut
        // back to the part inside.
        assert!(layer(&r, Layer::Water).is_empty());
        named(&r, Layer::Waterways, "永宁江");
        named(&r, Layer::Railways, "金台铁路");
        let roads = layer(&r, Layer::Roads);
        assert!(roads.len() > 20 && roads.len() < 163, "{}", roads.len());
        for f in &r.features {
            match &f.geom {
                Geometry::LineString(l) => assert!(l.0.len() >= 2),
                Geometry::Polygon(p) => assert!(p.exterior().0.len() >= 4),
                _ => {}
            }
        }
        // Only what is inside the box (west of 121.2565) is drawn.
        let [_, _, e, _] = r.bounds.unwrap();
        assert!(e <= 121.2565 + 1e-7, "{e}");
    }

    #[test]
    fn a_cut_off_file_is_corrupt() {
        let bytes = std::fs::read(fixture("sample.osm.pbf")).unwrap();
        let n = bytes.len();
        for cut in [3, 10, 40, 200, n / 2, n - 100, n - 1] {
            let f = write_temp(&bytes[..cut]);
            let err = read_osm_pbf(f.path(), &|_, _| true)
                .map(|_| ())
                .unwrap_err();
            assert_eq!(
                err.message().code,
                MessageCode::BasemapCorrupt,
                "cut at {cut}: {err}"
            );
            // Cut inside a block's data: the block walk says so before any decoding.
            if cut >= 200 {
                assert!(err.to_string().contains("cut off"), "cut at {cut}: {err}");
            }
        }
        // Bytes after the last block.
        let mut longer = bytes.clone();
        longer.extend_from_slice(&[0, 0]);
        let f = write_temp(&longer);
        assert_eq!(
            code(read_osm_pbf(f.path(), &|_, _| true)),
            MessageCode::BasemapCorrupt
        );
    }

    #[test]
    fn random_bytes_and_other_files_are_corrupt() {
        for name in ["garbage.mbtiles", "raster.mbtiles", "vector.pmtiles"] {
            assert_eq!(
                code(read_osm_pbf(&fixture(name), &|_, _| true)),
                MessageCode::BasemapCorrupt,
                "{name}"
            );
        }
        let f = write_temp(b"");
        assert_eq!(
            code(read_osm_pbf(f.path(), &|_, _| true)),
            MessageCode::BasemapCorrupt
        );
        let err = read_osm_pbf(&fixture("garbage.mbtiles"), &|_, _| true)
            .map(|_| ())
            .unwrap_err();
        assert_eq!(
            err.message().param("file"),
            Some(&griddesk_core::Param::Text("garbage.mbtiles".into()))
        );
        // The sample with bytes flipped here and there: an error or a read, never a panic.
        let bytes = std::fs::read(fixture("sample.osm.pbf")).unwrap();
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..64 {
            let mut b = bytes.clone();
            for _ in 0..4 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let i = (seed % b.len() as u64) as usize;
                b[i] ^= (seed >> 32) as u8 | 1;
            }
            let f = write_temp(&b);
            if let Err(e) = read_osm_pbf(f.path(), &|_, _| true) {
                assert!(
                    matches!(
                        e.message().code,
                        MessageCode::BasemapCorrupt | MessageCode::BasemapEmpty
                    ),
                    "{e}"
                );
            }
        }
    }

    #[test]
    fn a_header_only_extract_is_empty() {
        assert_eq!(
            code(read_osm_pbf(&fixture("empty.osm.pbf"), &|_, _| true)),
            MessageCode::BasemapEmpty
        );
    }

    #[test]
    fn progress_covers_both_passes_and_can_cancel() {
        let path = fixture("sample.osm.pbf");
        let len = std::fs::metadata(&path).unwrap().len();
        let calls = Mutex::new(Vec::new());
        read_osm_pbf(&path, &|done, total| {
            calls.lock().unwrap().push((done, total));
            true
        })
        .unwrap();
        let calls = calls.into_inner().unwrap();
        assert!(calls.len() >= 2);
        assert!(calls.iter().all(|&(_, t)| t == 2 * len));
        assert!(calls.windows(2).all(|w| w[0].0 <= w[1].0));
        assert_eq!(calls.last().unwrap().0, 2 * len);

        assert_eq!(
            code(read_osm_pbf(&path, &|_, _| false)),
            MessageCode::BasemapCancelled
        );
        // Cancelled during the second pass.
        assert_eq!(
            code(read_osm_pbf(&path, &|done, _| done <= len)),
            MessageCode::BasemapCancelled
        );
    }

    #[test]
    fn tags_decide_lines_and_areas() {
        let roads = |t: &[(&str, &str)]| line_targets(t);
        assert_eq!(
            roads(&[("highway", "primary")]),
            [(Layer::Roads, "primary".into())]
        );
        assert!(roads(&[("highway", "pedestrian"), ("area", "yes")]).is_empty());
        assert!(roads(&[("highway", "proposed")]).is_empty());
        assert!(roads(&[("railway", "rail"), ("disused", "yes")]).is_empty());
        assert_eq!(
            roads(&[("waterway", "canal")]),
            [(Layer::Waterways, "canal".into())]
        );
        assert_eq!(
            area_targets(&[("natural", "wood")]),
            [(Layer::Landuse, "forest".into())]
        );
        assert_eq!(
            area_targets(&[("natural", "water")]),
            [(Layer::Water, "water".into())]
        );
        assert_eq!(
            area_targets(&[("natural", "water"), ("water", "reservoir")]),
            [(Layer::Water, "reservoir".into())]
        );
        assert_eq!(
            area_targets(&[("landuse", "basin")]),
            [(Layer::Water, "basin".into())]
        );
        assert_eq!(
            area_targets(&[("building", "yes")]),
            [(Layer::Buildings, "building".into())]
        );
        assert!(area_targets(&[("building", "no")]).is_empty());
        assert!(area_targets(&[("landuse", "grass"), ("area", "no")]).is_empty());
        assert_eq!(poi_class(&[("shop", "yes")]).as_deref(), Some("shop"));
        assert_eq!(
            poi_class(&[("railway", "station")]).as_deref(),
            Some("station")
        );
        assert_eq!(place_class(&[("place", "province")]), None);
        assert!(untagged_relation(&[
            ("type", "multipolygon"),
            ("name", "x")
        ]));
        assert!(!untagged_relation(&[
            ("type", "multipolygon"),
            ("landuse", "x")
        ]));
    }

    #[test]
    fn rings_join_end_to_end_in_either_direction() {
        let (rings, open) = join_rings(vec![&[1, 2, 3], &[5, 4, 3], &[5, 6, 1]]);
        assert_eq!((rings, open), (vec![vec![1, 2, 3, 4, 5, 6, 1]], 0));
        // Growing from the first way's start when its end leads nowhere.
        let (rings, open) = join_rings(vec![&[2, 3, 4], &[4, 1], &[9, 2]]);
        assert_eq!((rings.len(), open), (0, 1));
        let (rings, open) = join_rings(vec![&[2, 3], &[3, 4, 1], &[1, 2], &[7, 8]]);
        assert_eq!((rings, open), (vec![vec![2, 3, 4, 1, 2]], 1));
        // A way that closes on itself after two nodes is no ring.
        assert_eq!(join_rings(vec![&[1, 2, 1]]).1, 1);
    }

    #[test]
    fn a_line_keeps_its_longest_run_of_present_nodes() {
        let c = |x: f64| Some(Coord { x, y: 0.0 });
        let run = longest_run(&[c(0.0), None, c(1.0), c(2.0), c(2.0), c(3.0), None, c(4.0)]);
        assert_eq!(run.iter().map(|p| p.x).collect::<Vec<_>>(), [1.0, 2.0, 3.0]);
        assert!(longest_run(&[c(0.0), None, c(1.0)]).is_empty());
        assert!(longest_run(&[c(1.0), c(1.0)]).is_empty());
    }
}
