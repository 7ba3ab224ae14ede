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
//! nothing to draw is `BasemapEmpty`. No input makes the reader panic (the PBF decoder's own
//! panics on some malformed blocks are caught and reported as `BasemapCorrupt`).
//!
//! ## How it reads
//!
//! First the blocks' headers are walked (a file cut off or not made of PBF blocks fails
//! here, before any decoding). Then two passes over the file, each decoding blocks in parallel
//! (rayon), a batch of blocks at a time. The first keeps what the ways and relations that map
//! to a feature draw (layer, class, name) and their node references (and those of untagged
//! ways until it knows whether a kept multipolygon uses them), in flat arenas with each class
//! string stored once, and makes the place and POI nodes; between the passes the node ids those
//! ways need are sorted into one list and the references become indices into it. The second
//! stores coordinates only for those nodes, and decodes only the blocks the first pass saw
//! nodes in. The features are then made one layer at a time straight into the list returned.
//! On a 51 MB synthetic city extract (7.5 M nodes, 1.5 M buildings;
//! scripts/make-city-extract.py) the peak is ≈ 670 MB, two thirds of it the 1.7 M features
//! returned. Progress is the bytes read across both passes (the total is twice the file size).
//! Features come out sorted by layer, then OSM id (within a layer nodes first, then ways, then
//! relations, each by id), so the same file always gives the same list.

use std::collections::HashMap;
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

    let mut plan = Plan::new(p1);

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
                    if let Some(slot) = coords.get_mut(i) {
                        *slot = c;
                    }
                }
            }
            Ok(())
        })?;
    } else if !(scan.progress)(scan.total, scan.total) {
        return Err(cancelled());
    }

    // The ids are no longer needed: references are indices into `coords`.
    plan.needed = Vec::new();
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

fn name_of<'a>(tags: &Tags<'a>) -> Option<&'a str> {
    ["name:zh", "name:zh-Hans", "name"]
        .iter()
        .find_map(|k| tag(tags, k))
}

/// Adds the line features (roads, railways, waterways) the tags make.
fn line_targets<'a>(tags: &Tags<'a>, out: &mut Vec<(Layer, &'a str)>) {
    if let Some(h) = tag_in(tags, "highway", ROADS) {
        if tag(tags, "area") != Some("yes") {
            out.push((Layer::Roads, h));
        }
    }
    if let Some(r) = tag_in(tags, "railway", RAILWAYS) {
        if tag(tags, "disused") != Some("yes") && tag(tags, "abandoned") != Some("yes") {
            out.push((Layer::Railways, r));
        }
    }
    if let Some(w) = tag_in(tags, "waterway", WATERWAYS) {
        out.push((Layer::Waterways, w));
    }
}

/// Adds the area features (water, land use, buildings) the tags make.
fn area_targets<'a>(tags: &Tags<'a>, out: &mut Vec<(Layer, &'a str)>) {
    if tag(tags, "area") == Some("no") {
        return;
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
        out.push((Layer::Water, w));
    }
    let green = tag_in(tags, "landuse", LANDUSE)
        .or_else(|| tag_in(tags, "leisure", LEISURE_AREAS))
        .or_else(|| match tag_in(tags, "natural", NATURAL_GREEN) {
            Some("wood") => Some("forest"),
            other => other,
        })
        .or_else(|| tag_in(tags, "amenity", AMENITY_AREAS));
    if let Some(g) = green {
        out.push((Layer::Landuse, g));
    }
    match tag(tags, "building") {
        None | Some("no") => {}
        Some("yes") => out.push((Layer::Buildings, "building")),
        Some(b) => out.push((Layer::Buildings, b)),
    }
}

fn poi_class<'a>(tags: &Tags<'a>) -> Option<&'a str> {
    for key in POI_KEYS {
        if let Some(v) = tag(tags, key) {
            return Some(if v == "yes" { key } else { v });
        }
    }
    if tag(tags, "railway") == Some("station") || tag(tags, "public_transport") == Some("station") {
        return Some("station");
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
            // OSM's own review tags, `fixme` and `FIXME`, carry no meaning for drawing.
            || k.to_ascii_lowercase().starts_with("fixme")
            || k.starts_with("wiki")
    })
}

// ----- pass 1 ------------------------------------------------------------------------------
//
// A city extract holds millions of ways, so what pass 1 keeps of a way is small and flat: its
// node references, targets and name live in arenas shared by all ways, and classes are
// indices into one table of the distinct class strings.

const NO_NAME: u32 = u32::MAX;

/// A feature an element makes: its layer and its class (an index into the class table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Target {
    layer: Layer,
    class: u32,
}

/// A way that maps to a feature.
#[derive(Debug, Clone, Copy)]
struct WayRec {
    id: i64,
    /// Where its node references start in the arena.
    refs: usize,
    /// Where its targets start: `lines` line targets, `areas` area targets, then its POI
    /// when `poi` (each layer at most once).
    targets: usize,
    len: u32,
    /// Index into the names, or [`NO_NAME`].
    name: u32,
    lines: u8,
    areas: u8,
    poi: bool,
    /// Its area tags were taken by an old-style multipolygon (which draws the area instead).
    taken: bool,
}

impl WayRec {
    fn target_count(&self) -> usize {
        usize::from(self.lines) + usize::from(self.areas) + usize::from(self.poi)
    }

    fn closed<T: PartialEq>(&self, refs: &[T]) -> bool {
        refs.len() >= 4 && refs.first() == refs.last()
    }
}

/// What a multipolygon becomes: area features (owned classes: relations are few), a POI
/// when named, its name.
#[derive(Debug, Clone, Default)]
struct RelMap {
    areas: Vec<(Layer, Box<str>)>,
    poi: Option<Box<str>>,
    name: Option<Box<str>>,
}

/// A multipolygon relation and its member ways. `old_style`: it has no tags of its own and
/// takes those of its first outer way with area tags.
#[derive(Debug)]
struct RelRec {
    id: i64,
    outers: Vec<i64>,
    inners: Vec<i64>,
    map: RelMap,
    old_style: bool,
}

/// A node's feature (a place or a POI), with its layer and id for the output order.
type Placed = (Layer, i64, Feature);

/// What pass 1 took from one block; class and name indices are the block's own.
#[derive(Debug, Default)]
struct Block1 {
    has_nodes: bool,
    nodes: u64,
    ways: u64,
    relations: u64,
    points: Vec<Placed>,
    classes: Vec<Box<str>>,
    names: Vec<Box<str>>,
    refs: Vec<i64>,
    targets: Vec<Target>,
    ways_kept: Vec<WayRec>,
    /// Ways that map to nothing (they may still be multipolygon members): id, where their
    /// references start, how many.
    untagged: Vec<(i64, usize, u32)>,
    rels: Vec<RelRec>,
}

/// Everything pass 1 took; class and name indices are global.
#[derive(Debug, Default)]
struct Pass1 {
    nodes: u64,
    ways: u64,
    relations: u64,
    /// Per block (in file order): whether it holds nodes.
    node_blobs: Vec<bool>,
    points: Vec<Placed>,
    classes: Vec<Box<str>>,
    class_index: HashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
    refs: Vec<i64>,
    targets: Vec<Target>,
    ways_kept: Vec<WayRec>,
    untagged: Vec<(i64, usize, u32)>,
    rels: Vec<RelRec>,
}

impl Pass1 {
    fn add(&mut self, b: Block1) {
        self.nodes += b.nodes;
        self.ways += b.ways;
        self.relations += b.relations;
        self.node_blobs.push(b.has_nodes);
        self.points.extend(b.points);
        let remap: Vec<u32> = b.classes.into_iter().map(|c| self.intern(c)).collect();
        let (refs0, targets0) = (self.refs.len(), self.targets.len());
        let names0 = u32::try_from(self.names.len()).unwrap_or(NO_NAME);
        self.refs.extend_from_slice(&b.refs);
        self.targets.extend(b.targets.iter().map(|t| Target {
            layer: t.layer,
            class: remap.get(t.class as usize).copied().unwrap_or(0),
        }));
        self.names.extend(b.names);
        self.ways_kept.extend(b.ways_kept.iter().map(|w| WayRec {
            refs: w.refs + refs0,
            targets: w.targets + targets0,
            name: if w.name == NO_NAME {
                NO_NAME
            } else {
                w.name.saturating_add(names0)
            },
            ..*w
        }));
        self.untagged.extend(
            b.untagged
                .iter()
                .map(|&(id, start, len)| (id, start + refs0, len)),
        );
        self.rels.extend(b.rels);
    }

    fn intern(&mut self, class: Box<str>) -> u32 {
        if let Some(&i) = self.class_index.get(&class) {
            return i;
        }
        let i = u32::try_from(self.classes.len()).unwrap_or(u32::MAX);
        self.classes.push(class.clone());
        self.class_index.insert(class, i);
        i
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
    let mut found: Vec<(Layer, &str)> = Vec::new();
    let mut classes: HashMap<&str, u32> = HashMap::new();
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
            let start = out.refs.len();
            out.refs.extend(way.refs());
            let Ok(len) = u32::try_from(out.refs.len() - start) else {
                out.refs.truncate(start);
                continue;
            };
            if len < 2 {
                out.refs.truncate(start);
                continue;
            }
            tags.clear();
            tags.extend(way.tags());
            found.clear();
            line_targets(&tags, &mut found);
            let lines = found.len();
            area_targets(&tags, &mut found);
            let areas = found.len() - lines;
            let name = name_of(&tags);
            let poi = name.and_then(|_| poi_class(&tags));
            if let Some(p) = poi {
                found.push((Layer::Pois, p));
            }
            if found.is_empty() {
                out.untagged.push((way.id(), start, len));
                continue;
            }
            let targets = out.targets.len();
            for &(layer, class) in &found {
                let next = u32::try_from(classes.len()).unwrap_or(u32::MAX);
                let class = *classes.entry(class).or_insert_with(|| {
                    out.classes.push(class.into());
                    next
                });
                out.targets.push(Target { layer, class });
            }
            let name = match name {
                Some(n) => {
                    out.names.push(n.into());
                    u32::try_from(out.names.len() - 1).unwrap_or(NO_NAME)
                }
                None => NO_NAME,
            };
            out.ways_kept.push(WayRec {
                id: way.id(),
                refs: start,
                targets,
                len,
                name,
                // At most three of each (one per layer).
                lines: lines as u8,
                areas: areas as u8,
                poi: poi.is_some(),
                taken: false,
            });
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
            found.clear();
            area_targets(&tags, &mut found);
            let old_style = found.is_empty();
            if old_style && !untagged_relation(&tags) {
                continue;
            }
            let name = name_of(&tags);
            out.rels.push(RelRec {
                id: rel.id(),
                outers,
                inners,
                map: RelMap {
                    areas: found.iter().map(|&(l, c)| (l, Box::from(c))).collect(),
                    poi: name.and_then(|_| poi_class(&tags)).map(Box::from),
                    name: name.map(Box::from),
                },
                old_style,
            });
        }
    }
    out
}

fn point_feature(out: &mut Vec<Placed>, id: i64, lon: i32, lat: i32, tags: &Tags<'_>) {
    if tags.is_empty() {
        return;
    }
    let Some(name) = name_of(tags) else {
        return;
    };
    let (layer, class) = if let Some(p) = place_class(tags) {
        (Layer::Places, p)
    } else if let Some(c) = poi_class(tags) {
        (Layer::Pois, c)
    } else {
        return;
    };
    out.push((
        layer,
        id,
        Feature {
            layer,
            class: class.to_string(),
            name: Some(name.to_string()),
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

/// What pass 1 decided: the kept ways (sorted by id), the multipolygons and their untagged
/// member ways, and the node ids whose coordinates pass 2 must find. Node references are
/// indices into `needed` (and, after pass 2, into the coordinates).
struct Plan {
    nodes: u64,
    ways_total: u64,
    relations: u64,
    node_blobs: Vec<bool>,
    points: Vec<Placed>,
    needed: Vec<i64>,
    shapes: Shapes,
    rels: Vec<RelRec>,
}

/// The ways and what they draw, with node references as indices into the coordinates.
struct Shapes {
    classes: Vec<Box<str>>,
    names: Vec<Box<str>>,
    targets: Vec<Target>,
    ways: Vec<WayRec>,
    /// Untagged multipolygon members: id, where their references start, how many.
    members: Vec<(i64, usize, u32)>,
    refs: Vec<u32>,
}

impl Plan {
    fn new(p1: Pass1) -> Plan {
        let Pass1 {
            nodes,
            ways: ways_total,
            relations,
            node_blobs,
            points,
            classes,
            class_index: _,
            names,
            refs: old_refs,
            targets,
            ways_kept: mut ways,
            untagged,
            mut rels,
        } = p1;
        if !ways.windows(2).all(|w| w[0].id < w[1].id) {
            ways.sort_by_key(|w| w.id);
            ways.dedup_by_key(|w| w.id);
        }
        rels.sort_by_key(|r| r.id);
        rels.dedup_by_key(|r| r.id);

        // Old-style multipolygons take the tags of their first outer way with area tags.
        rels.retain_mut(|rel| {
            if !rel.old_style {
                return true;
            }
            for id in &rel.outers {
                let Ok(i) = ways.binary_search_by_key(id, |w| w.id) else {
                    continue;
                };
                let way = &mut ways[i];
                if way.areas == 0 {
                    continue;
                }
                way.taken = true;
                let own = &targets[way.targets..way.targets + way.target_count()];
                let class = |t: &Target| classes[t.class as usize].clone();
                rel.map.areas = own[usize::from(way.lines)..]
                    .iter()
                    .filter(|t| t.layer != Layer::Pois)
                    .map(|t| (t.layer, class(t)))
                    .collect();
                if rel.map.poi.is_none() && way.poi {
                    rel.map.poi = own.last().map(class);
                }
                if rel.map.name.is_none() {
                    rel.map.name = names.get(way.name as usize).cloned();
                }
                return true;
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
        let mut members: Vec<(i64, usize, u32)> = untagged
            .into_iter()
            .filter(|(id, _, _)| member_ids.binary_search(id).is_ok())
            .collect();
        drop(member_ids);
        members.sort_by_key(|m| m.0);
        members.dedup_by_key(|m| m.0);

        let slice = |start: usize, len: u32| &old_refs[start..start + len as usize];
        let mut needed: Vec<i64> = ways
            .iter()
            .flat_map(|w| slice(w.refs, w.len))
            .chain(members.iter().flat_map(|m| slice(m.1, m.2)))
            .copied()
            .collect();
        needed.par_sort_unstable();
        needed.dedup();
        needed.shrink_to_fit();

        // The references again, as indices into `needed`, in the order of `ways` then
        // `members` (so only kept ways keep theirs).
        let index = |r: &i64| {
            needed
                .binary_search(r)
                .map_or(u32::MAX, |i| u32::try_from(i).unwrap_or(u32::MAX))
        };
        let mut refs: Vec<u32> = ways
            .par_iter()
            .flat_map_iter(|w| slice(w.refs, w.len).iter().map(index))
            .collect();
        let from_members: Vec<u32> = members
            .par_iter()
            .flat_map_iter(|m| slice(m.1, m.2).iter().map(index))
            .collect();
        refs.extend_from_slice(&from_members);
        refs.shrink_to_fit();
        drop(from_members);
        drop(old_refs);
        let mut at = 0;
        for w in &mut ways {
            w.refs = at;
            at += w.len as usize;
        }
        for m in &mut members {
            m.1 = at;
            at += m.2 as usize;
        }

        Plan {
            nodes,
            ways_total,
            relations,
            node_blobs,
            points,
            needed,
            shapes: Shapes {
                classes,
                names,
                targets,
                ways,
                members,
                refs,
            },
            rels,
        }
    }

    fn assemble(self, coords: &[[i32; 2]]) -> OsmRead {
        let Plan {
            nodes,
            ways_total,
            relations,
            mut points,
            shapes,
            rels,
            ..
        } = self;
        let missing_nodes = coords.iter().filter(|c| c[0] == i32::MIN).count() as u64;
        let geo = Geo {
            shapes: &shapes,
            coords,
        };

        // Multipolygons (few) first, then the ways one layer at a time straight into the
        // output, in order: no second copy of millions of features.
        let from_rels: Vec<(Vec<(Layer, Feature)>, bool)> =
            rels.par_iter().map(|r| geo.relation_features(r)).collect();
        let broken_relations = from_rels.iter().filter(|(_, b)| *b).count() as u64;
        let mut rel_features: Vec<(Layer, i64, Feature)> = Vec::new();
        for (rel, (fs, _)) in rels.iter().zip(from_rels) {
            rel_features.extend(fs.into_iter().map(|(l, f)| (l, rel.id, f)));
        }
        rel_features.sort_by_key(|(l, id, _)| (*l, *id));
        points.sort_by_key(|(l, id, _)| (*l, *id));
        let incomplete_ways = shapes.ways.par_iter().filter(|w| geo.incomplete(w)).count() as u64;

        let way_targets: usize = shapes.ways.iter().map(WayRec::target_count).sum();
        let mut features = Vec::with_capacity(points.len() + rel_features.len() + way_targets);
        let mut points = points.into_iter().peekable();
        let mut rel_features = rel_features.into_iter().peekable();
        for layer in Layer::ALL {
            while let Some((_, _, f)) = points.next_if(|p| p.0 == layer) {
                features.push(f);
            }
            for w in &shapes.ways {
                if let Some(f) = geo.way_feature(w, layer) {
                    features.push(f);
                }
            }
            while let Some((_, _, f)) = rel_features.next_if(|r| r.0 == layer) {
                features.push(f);
            }
        }
        features.shrink_to_fit();

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
            nodes,
            ways: ways_total,
            relations,
            missing_nodes,
            incomplete_ways,
            broken_relations,
            bounds,
        }
    }
}

/// Geometry from the ways and the coordinates pass 2 found.
struct Geo<'a> {
    shapes: &'a Shapes,
    coords: &'a [[i32; 2]],
}

impl Geo<'_> {
    fn coord_of(&self, i: u32) -> Option<Coord> {
        let c = self.coords.get(i as usize)?;
        (c[0] != i32::MIN).then(|| coord(*c))
    }

    fn refs(&self, start: usize, len: u32) -> &[u32] {
        self.shapes
            .refs
            .get(start..start + len as usize)
            .unwrap_or(&[])
    }

    fn targets(&self, w: &WayRec) -> &[Target] {
        self.shapes
            .targets
            .get(w.targets..w.targets + w.target_count())
            .unwrap_or(&[])
    }

    fn name(&self, w: &WayRec) -> Option<String> {
        self.shapes
            .names
            .get(w.name as usize)
            .map(|n| n.to_string())
    }

    fn class(&self, t: Target) -> String {
        self.shapes
            .classes
            .get(t.class as usize)
            .map(|c| c.to_string())
            .unwrap_or_default()
    }

    /// Whether missing nodes cut or dropped something the way would draw.
    fn incomplete(&self, w: &WayRec) -> bool {
        let refs = self.refs(w.refs, w.len);
        if refs.iter().all(|&r| self.coord_of(r).is_some()) {
            return false;
        }
        w.lines > 0 || (w.closed(refs) && !w.taken && (w.areas > 0 || w.poi))
    }

    /// The way's feature in `layer`, if it makes one.
    fn way_feature(&self, w: &WayRec, layer: Layer) -> Option<Feature> {
        let targets = self.targets(w);
        let i = targets.iter().position(|t| t.layer == layer)?;
        let refs = self.refs(w.refs, w.len);
        let geom = if i < usize::from(w.lines) {
            let pts: Vec<Option<Coord>> = refs.iter().map(|&r| self.coord_of(r)).collect();
            Geometry::LineString(LineString(longest_run(&pts)?))
        } else {
            if !w.closed(refs) || w.taken {
                return None;
            }
            let ring: Option<Vec<Coord>> = refs.iter().map(|&r| self.coord_of(r)).collect();
            let poly = Polygon::new(ring_of(ring?)?, Vec::new()).orient(Direction::Default);
            if layer == Layer::Pois {
                Geometry::Point(poly.interior_point()?)
            } else {
                Geometry::Polygon(poly)
            }
        };
        Some(Feature {
            layer,
            class: self.class(targets[i]),
            name: self.name(w),
            geom,
        })
    }

    /// The node references of a member way, kept (tagged) or not.
    fn member_refs(&self, id: i64) -> Option<&[u32]> {
        let s = self.shapes;
        if let Ok(i) = s.ways.binary_search_by_key(&id, |w| w.id) {
            return Some(self.refs(s.ways[i].refs, s.ways[i].len));
        }
        let i = s.members.binary_search_by_key(&id, |m| m.0).ok()?;
        Some(self.refs(s.members[i].1, s.members[i].2))
    }

    /// A multipolygon's features, and whether it is broken (rings that do not close).
    fn relation_features(&self, rel: &RelRec) -> (Vec<(Layer, Feature)>, bool) {
        let map = &rel.map;
        if map.areas.is_empty() {
            return (Vec::new(), false);
        }
        let mut broken = false;
        // Member ways as node references, leaving out those the extract lacks (wholly or
        // in part).
        let mut usable = |ids: &[i64]| -> Vec<&[u32]> {
            let mut out = Vec::new();
            for id in ids {
                match self.member_refs(*id) {
                    Some(refs) if refs.iter().all(|&r| self.coord_of(r).is_some()) => {
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

        let to_ring = |ids: &Vec<u32>| -> Option<LineString<f64>> {
            ring_of(ids.iter().filter_map(|&r| self.coord_of(r)).collect())
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
        let feature = |layer: Layer, class: &str, geom: Geometry<f64>| Feature {
            layer,
            class: class.to_string(),
            name: name.clone(),
            geom,
        };
        let mut out: Vec<(Layer, Feature)> = map
            .areas
            .iter()
            .map(|(layer, class)| (*layer, feature(*layer, class, geom.clone())))
            .collect();
        if let (Some(class), Some(_), Some(p)) =
            (&map.poi, &name, largest.and_then(|p| p.interior_point()))
        {
            out.push((Layer::Pois, feature(Layer::Pois, class, Geometry::Point(p))));
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

/// The longest run of consecutive present points, without repeated points, when it has
/// two or more.
fn longest_run(pts: &[Option<Coord>]) -> Option<Vec<Coord>> {
    let (mut best, mut start) = ((0, 0), 0);
    for (i, p) in pts.iter().enumerate() {
        if p.is_none() {
            start = i + 1;
        } else if i + 1 - start > best.1 - best.0 {
            best = (start, i + 1);
        }
    }
    let mut run: Vec<Coord> = pts.get(best.0..best.1)?.iter().flatten().copied().collect();
    run.dedup();
    run.shrink_to_fit();
    (run.len() >= 2).then_some(run)
}

/// A closed ring without repeated points, when it still encloses an area.
fn ring_of(mut pts: Vec<Coord>) -> Option<LineString<f64>> {
    pts.dedup();
    pts.shrink_to_fit();
    if pts.len() < 4 || pts.first() != pts.last() {
        return None;
    }
    let ring = LineString(pts);
    (Polygon::new(ring.clone(), Vec::new()).unsigned_area() > 0.0).then_some(ring)
}

/// Joins ways (node id lists) end to end, in either direction, into closed rings; also says
/// how many chains could not be closed.
fn join_rings<T: Copy + PartialEq>(ways: Vec<&[T]>) -> (Vec<Vec<T>>, usize) {
    let mut pending: Vec<Option<&[T]>> = ways
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
        assert_eq!(name_of(&tags), Some("西 街"));
        assert_eq!(name_of(&tags[..2]), Some("西街"));
        assert_eq!(name_of(&tags[..1]), Some("Xi Jie"));
        assert_eq!(
            name_of(&[("name:zh", " "), ("name", "Xi Jie")]),
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
        // `osmium check-refs` finds 79 nodes missing, one of them only on the abandoned railway
        // (not drawn); six drawn ways lose nodes: three roads, the river area and line, the
        // railway.
        assert_eq!((r.missing_nodes, r.incomplete_ways), (78, 6));
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

    /// Time and memory on a city-sized extract (scripts/make-city-extract.py):
    /// `GRIDDESK_OSM_EXTRACT=city.osm.pbf cargo test -p griddesk-basemap --lib osm -- --ignored --nocapture`
    #[test]
    #[ignore = "needs GRIDDESK_OSM_EXTRACT"]
    fn reads_a_city_extract() {
        let path = std::env::var("GRIDDESK_OSM_EXTRACT").unwrap();
        let t = std::time::Instant::now();
        let r = read_osm_pbf(Path::new(&path), &|_, _| true).unwrap();
        let mut per_layer = std::collections::BTreeMap::new();
        for f in &r.features {
            *per_layer.entry(f.layer.name()).or_insert(0) += 1;
        }
        eprintln!(
            "{path}: {} nodes, {} ways, {} relations → {} features {per_layer:?} in {:.1} s \
             (missing nodes {}, incomplete ways {}, broken relations {})",
            r.nodes,
            r.ways,
            r.relations,
            r.features.len(),
            t.elapsed().as_secs_f64(),
            r.missing_nodes,
            r.incomplete_ways,
            r.broken_relations
        );
        assert!(!r.features.is_empty());
    }

    #[test]
    fn tags_decide_lines_and_areas() {
        let lines = |t: &[(&'static str, &'static str)]| {
            let mut out = Vec::new();
            line_targets(t, &mut out);
            out
        };
        let areas = |t: &[(&'static str, &'static str)]| {
            let mut out = Vec::new();
            area_targets(t, &mut out);
            out
        };
        assert_eq!(
            lines(&[("highway", "primary")]),
            [(Layer::Roads, "primary")]
        );
        assert!(lines(&[("highway", "pedestrian"), ("area", "yes")]).is_empty());
        assert!(lines(&[("highway", "proposed")]).is_empty());
        assert!(lines(&[("railway", "rail"), ("disused", "yes")]).is_empty());
        assert_eq!(
            lines(&[("waterway", "canal")]),
            [(Layer::Waterways, "canal")]
        );
        assert_eq!(areas(&[("natural", "wood")]), [(Layer::Landuse, "forest")]);
        assert_eq!(areas(&[("natural", "water")]), [(Layer::Water, "water")]);
        assert_eq!(
            areas(&[("natural", "water"), ("water", "reservoir")]),
            [(Layer::Water, "reservoir")]
        );
        assert_eq!(areas(&[("landuse", "basin")]), [(Layer::Water, "basin")]);
        assert_eq!(
            areas(&[("building", "yes"), ("amenity", "school")]),
            [(Layer::Landuse, "school"), (Layer::Buildings, "building")]
        );
        assert!(areas(&[("building", "no")]).is_empty());
        assert!(areas(&[("landuse", "grass"), ("area", "no")]).is_empty());
        assert_eq!(poi_class(&[("shop", "yes")]), Some("shop"));
        assert_eq!(poi_class(&[("railway", "station")]), Some("station"));
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
        assert_eq!(
            run.unwrap().iter().map(|p| p.x).collect::<Vec<_>>(),
            [1.0, 2.0, 3.0]
        );
        assert_eq!(longest_run(&[c(0.0), None, c(1.0)]), None);
        assert_eq!(longest_run(&[c(1.0), c(1.0)]), None);
    }
}
