//! Building a vector basemap (§Building in docs/basemap.md): [`Feature`]s (from an OSM
//! extract or the sample generator) tiled into MVT at zooms [`MIN_ZOOM`]..=[`MAX_ZOOM`] and
//! written as one PMTiles v3 file with the `pmtiles` crate's writer.
//!
//! Tiles are cut exactly like the grids' tiles (extent 4096, buffer 64, vertices snapped to the
//! zoom's pixel grid, which is also the simplification): lines are clipped segment by segment,
//! polygons ring by ring, and a point is in the one tile that contains it. Each zoom assigns
//! features to tiles by their bounding boxes, then encodes the tiles in parallel and writes
//! them in tile-id order. The metadata carries the place names ([`named_places`]) so a built
//! package is searchable wherever it is installed.

use super::features::{min_zoom, Feature, GeomKind, Layer, MAX_ZOOM, MIN_ZOOM};
use super::model::Place;
use crate::{Error, Message, MessageCode as C, Result};
use geo::{BoundingRect, Centroid, Euclidean, Haversine, InterpolatableLine, Length};
use geo_types::{Geometry, LineString, Point};
use griddesk_spatial::tiles::address::{world_x, world_y, TileAddress, BUFFER, EXTENT};
use griddesk_spatial::tiles::layers::{add_point, add_polygons, encode_line};
use griddesk_spatial::tiles::rings::Clipper;
use mvt::Tile;
use pmtiles::{PmTilesWriter, TileCoord, TileType};
use rayon::prelude::*;
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

/// Progress of a build: `(done, total)` tiles; return `false` to cancel.
pub type Progress<'a> = &'a (dyn Fn(u64, u64) -> bool + Sync);

/// What a build made.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildStats {
    pub features: usize,
    pub tiles: u64,
    pub bytes: u64,
    /// `[west, south, east, north]` of the features.
    pub bounds: [f64; 4],
    /// Features per layer.
    pub by_layer: Vec<(Layer, usize)>,
}

/// The basemap's name, attribution and datum, written into its metadata.
#[derive(Debug, Clone)]
pub struct BuildMeta {
    pub name: String,
    pub attribution: Option<String>,
}

pub fn cancelled() -> Error {
    Error::Invalid(
        Message::new(C::BasemapCancelled)
            .en("the basemap build was cancelled; nothing was installed"),
    )
}

/// Tiles per encoding batch (bounds the memory of encoded tiles waiting to be written).
const BATCH: usize = 1024;

/// Builds `out` (a PMTiles file, overwritten) from `features`. The caller writes to a
/// temporary name and renames it after success, so a failed or cancelled build leaves nothing.
pub fn build_pmtiles(
    features: &[Feature],
    meta: &BuildMeta,
    out: &Path,
    progress: Progress<'_>,
) -> Result<BuildStats> {
    let boxes: Vec<Option<[f64; 4]>> = features.par_iter().map(world_box).collect();
    let mut bounds = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    for f in features {
        if let Some(r) = f.geom.bounding_rect() {
            bounds = [
                bounds[0].min(r.min().x),
                bounds[1].min(r.min().y),
                bounds[2].max(r.max().x),
                bounds[3].max(r.max().y),
            ];
        }
    }
    if bounds[0] > bounds[2] {
        return Err(Error::Invalid(
            Message::new(C::BasemapEmpty)
                .text("file", &meta.name)
                .en(format!("{}: nothing to draw", meta.name)),
        ));
    }
    let zooms: Vec<u8> = (MIN_ZOOM..=MAX_ZOOM).collect();
    let mins: Vec<u8> = features
        .iter()
        .map(|f| min_zoom(f.layer, &f.class))
        .collect();
    // Tiles per zoom, for progress: counted on the fly as each zoom is assigned.
    let estimate: u64 = zooms
        .iter()
        .map(|&z| tiles_touched(&boxes, &mins, z).len() as u64)
        .sum();
    let file = std::fs::File::create(out).map_err(|e| Error::io(out, e))?;
    let center = [(bounds[0] + bounds[2]) / 2.0, (bounds[1] + bounds[3]) / 2.0];
    let metadata = metadata_json(meta, features);
    let mut writer = PmTilesWriter::new(TileType::Mvt)
        .min_zoom(MIN_ZOOM)
        .max_zoom(MAX_ZOOM)
        .bounds(bounds[0], bounds[1], bounds[2], bounds[3])
        .center_zoom(14)
        .center(center[0], center[1])
        .metadata(metadata)
        .create(file)
        .map_err(|e| Error::io(out, std::io::Error::other(e)))?;
    let mut done = 0u64;
    let mut tiles = 0u64;
    for &z in &zooms {
        let assigned = tiles_touched(&boxes, &mins, z);
        let mut keys: Vec<(u32, u32)> = assigned.keys().copied().collect();
        keys.sort_by_key(|&(x, y)| {
            TileCoord::new(z, x, y)
                .map(|c| pmtiles::TileId::from(c).value())
                .unwrap_or(u64::MAX)
        });
        for chunk in keys.chunks(BATCH) {
            if !progress(done, estimate) {
                return Err(cancelled());
            }
            let encoded: Vec<Result<Option<Vec<u8>>>> = chunk
                .par_iter()
                .map(|&(x, y)| {
                    let idx = assigned.get(&(x, y)).map(Vec::as_slice).unwrap_or(&[]);
                    encode_tile(features, idx, z, x, y)
                })
                .collect();
            for (&(x, y), bytes) in chunk.iter().zip(encoded) {
                if let Some(bytes) = bytes? {
                    let coord =
                        TileCoord::new(z, x, y).map_err(|e| Error::Internal(e.to_string()))?;
                    writer
                        .add_tile(coord, &bytes)
                        .map_err(|e| Error::io(out, std::io::Error::other(e)))?;
                    tiles += 1;
                }
            }
            done += chunk.len() as u64;
        }
    }
    writer
        .finalize()
        .map_err(|e| Error::io(out, std::io::Error::other(e)))?;
    let f = std::fs::OpenOptions::new()
        .append(true)
        .open(out)
        .map_err(|e| Error::io(out, e))?;
    f.sync_all().map_err(|e| Error::io(out, e))?;
    let bytes = f.metadata().map_err(|e| Error::io(out, e))?.len();
    let _ = (&f).flush();
    let mut by_layer: Vec<(Layer, usize)> = Layer::ALL.iter().map(|&l| (l, 0)).collect();
    for f in features {
        if let Some(e) = by_layer.iter_mut().find(|(l, _)| *l == f.layer) {
            e.1 += 1;
        }
    }
    progress(estimate, estimate);
    Ok(BuildStats {
        features: features.len(),
        tiles,
        bytes,
        bounds,
        by_layer,
    })
}

/// Web-Mercator world box `[x0, y0, x1, y1]` (y down) of a feature.
fn world_box(f: &Feature) -> Option<[f64; 4]> {
    let r = f.geom.bounding_rect()?;
    Some([
        world_x(r.min().x),
        world_y(r.max().y),
        world_x(r.max().x),
        world_y(r.min().y),
    ])
}

/// Tile → indices of the features that may touch it at zoom `z`.
fn tiles_touched(boxes: &[Option<[f64; 4]>], mins: &[u8], z: u8) -> HashMap<(u32, u32), Vec<u32>> {
    let n = f64::from(1u32 << z);
    let max = (1u32 << z) - 1;
    let pad = f64::from(BUFFER) / f64::from(EXTENT);
    let mut m: HashMap<(u32, u32), Vec<u32>> = HashMap::new();
    for (i, b) in boxes.iter().enumerate() {
        let Some(b) = b else { continue };
        if mins[i] > z {
            continue;
        }
        let clamp = |v: f64| (v.floor().max(0.0) as u32).min(max);
        let (x0, x1) = (clamp(b[0] * n - pad), clamp(b[2] * n + pad));
        let (y0, y1) = (clamp(b[1] * n - pad), clamp(b[3] * n + pad));
        for x in x0..=x1 {
            for y in y0..=y1 {
                m.entry((x, y)).or_default().push(i as u32);
            }
        }
    }
    m
}

/// One tile's MVT bytes, `None` when nothing of the features is in it.
fn encode_tile(
    features: &[Feature],
    idx: &[u32],
    z: u8,
    x: u32,
    y: u32,
) -> Result<Option<Vec<u8>>> {
    let t = TileAddress::new(z.into(), x, y)?;
    let frame = t.frame();
    let mut clipper = Clipper::default();
    let mut tile = Tile::new(EXTENT);
    let enc = |e: mvt::Error| Error::Geometry(format!("encoding basemap tile {z}/{x}/{y}: {e}"));
    let mut any = false;
    for layer in Layer::ALL {
        let mut l = tile.create_layer(layer.name());
        let mut count = 0usize;
        for &i in idx {
            let f = &features[i as usize];
            if f.layer != layer {
                continue;
            }
            let tags = |mf: &mut mvt::Feature| {
                mf.add_tag_string("class", &f.class);
                if let Some(n) = &f.name {
                    mf.add_tag_string("name", n);
                }
            };
            match (&f.geom, layer.kind()) {
                (Geometry::Point(p), GeomKind::Point)
                    if TileAddress::containing(p.x(), p.y(), z.into()) == t =>
                {
                    l = add_point(l, &frame, *p, tags).map_err(enc)?;
                    count += 1;
                }
                (Geometry::LineString(ls), GeomKind::Line) => {
                    if let Some(g) = encode_line(&frame, &coords(ls)).map_err(enc)? {
                        let mut mf = l.into_feature(g);
                        tags(&mut mf);
                        l = mf.into_layer();
                        count += 1;
                    }
                }
                (Geometry::MultiLineString(mls), GeomKind::Line) => {
                    for ls in &mls.0 {
                        if let Some(g) = encode_line(&frame, &coords(ls)).map_err(enc)? {
                            let mut mf = l.into_feature(g);
                            tags(&mut mf);
                            l = mf.into_layer();
                            count += 1;
                        }
                    }
                }
                (Geometry::Polygon(p), GeomKind::Polygon) => {
                    if let Some(poly) = clipper.polygon(p, &frame) {
                        l = add_polygons(l, &[poly], None, tags).map_err(enc)?;
                        count += 1;
                    }
                }
                (Geometry::MultiPolygon(mp), GeomKind::Polygon) => {
                    let polys = clipper.multi_polygon(mp, &frame);
                    if !polys.is_empty() {
                        l = add_polygons(l, &polys, None, tags).map_err(enc)?;
                        count += 1;
                    }
                }
                _ => {}
            }
        }
        if count > 0 {
            tile.add_layer(l).map_err(enc)?;
            any = true;
        }
    }
    if !any {
        return Ok(None);
    }
    tile.to_bytes().map(Some).map_err(enc)
}

fn coords(ls: &LineString<f64>) -> Vec<[f64; 2]> {
    ls.0.iter().map(|c| [c.x, c.y]).collect()
}

/// TileJSON-style metadata: name, attribution, datum, generator and the layers.
fn metadata_json(meta: &BuildMeta, features: &[Feature]) -> String {
    let places: Vec<serde_json::Value> = named_places(features, "")
        .into_iter()
        .map(|p| serde_json::json!([p.name, p.layer, p.class, round7(p.lon), round7(p.lat)]))
        .collect();
    let layers: Vec<serde_json::Value> = Layer::ALL
        .iter()
        .filter(|l| features.iter().any(|f| f.layer == **l))
        .map(|l| {
            let minzoom = features
                .iter()
                .filter(|f| f.layer == *l)
                .map(|f| min_zoom(f.layer, &f.class))
                .min()
                .unwrap_or(MIN_ZOOM);
            serde_json::json!({
                "id": l.name(),
                "fields": { "class": "String", "name": "String" },
                "minzoom": minzoom,
                "maxzoom": MAX_ZOOM,
            })
        })
        .collect();
    serde_json::json!({
        "name": meta.name,
        "format": "pbf",
        "generator": "GridDesk",
        "datum": "WGS84",
        "attribution": meta.attribution,
        "vector_layers": layers,
        "places": places,
    })
    .to_string()
}

/// Seven decimals (about 1 cm) are enough for a place's point.
fn round7(v: f64) -> f64 {
    (v * 1e7).round() / 1e7
}

/// The names a built basemap can be searched by (§Place search in docs/basemap.md): every
/// named place and POI at its point; every named road, waterway or water area once per name,
/// at the middle of its longest piece (or the area's centroid).
pub fn named_places(features: &[Feature], basemap: &str) -> Vec<Place> {
    let mut out = Vec::new();
    // (layer, name) → (length, point) of the longest piece so far.
    let mut longest: HashMap<(Layer, &str), (f64, Point<f64>, &str)> = HashMap::new();
    for f in features {
        let Some(name) = f.name.as_deref().filter(|n| !n.trim().is_empty()) else {
            continue;
        };
        match &f.geom {
            Geometry::Point(p) => out.push(Place {
                name: name.to_string(),
                layer: f.layer.name().to_string(),
                class: f.class.clone(),
                lon: p.x(),
                lat: p.y(),
                basemap: basemap.to_string(),
            }),
            g => {
                let (len, at) = match g {
                    Geometry::LineString(ls) => (Haversine.length(ls), middle(ls)),
                    Geometry::MultiLineString(m) => {
                        m.0.iter()
                            .map(|ls| (Haversine.length(ls), middle(ls)))
                            .max_by(|a, b| a.0.total_cmp(&b.0))
                            .unwrap_or((0.0, None))
                    }
                    other => (1.0, other.centroid()),
                };
                let Some(at) = at else { continue };
                let e = longest
                    .entry((f.layer, name))
                    .or_insert((-1.0, at, f.class.as_str()));
                if len > e.0 {
                    *e = (len, at, f.class.as_str());
                }
            }
        }
    }
    let mut rest: Vec<_> = longest.into_iter().collect();
    rest.sort_by(|a, b| (a.0 .0, a.0 .1).cmp(&(b.0 .0, b.0 .1)));
    for ((layer, name), (_, p, class)) in rest {
        out.push(Place {
            name: name.to_string(),
            layer: layer.name().to_string(),
            class: class.to_string(),
            lon: p.x(),
            lat: p.y(),
            basemap: basemap.to_string(),
        });
    }
    out
}

/// The point halfway along a line.
fn middle(ls: &LineString<f64>) -> Option<Point<f64>> {
    ls.point_at_ratio_from_start(&Euclidean, 0.5)
}
