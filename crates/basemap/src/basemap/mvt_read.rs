//! Reading vector tiles back into lon/lat geometry, for the planning tools that use a basemap
//! (snapping to roads and buildings, roads as preferred cuts, buildings cut by a grid
//! boundary). Works for any MVT package, GridDesk-built or not. Malformed tiles give an error,
//! never a panic.

use crate::{Error, Result};
use geo_types::{Coord, LineString, Polygon};
use griddesk_spatial::tiles::address::{world_x_to_lon, world_y_to_lat};
use prost::Message as _;

#[derive(Clone, PartialEq, prost::Message)]
struct PbTile {
    #[prost(message, repeated, tag = "3")]
    layers: Vec<PbLayer>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct PbLayer {
    #[prost(string, tag = "1")]
    name: String,
    #[prost(message, repeated, tag = "2")]
    features: Vec<PbFeature>,
    #[prost(string, repeated, tag = "3")]
    keys: Vec<String>,
    #[prost(message, repeated, tag = "4")]
    values: Vec<PbValue>,
    #[prost(uint32, optional, tag = "5")]
    extent: Option<u32>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct PbFeature {
    #[prost(uint32, repeated, packed = "true", tag = "2")]
    tags: Vec<u32>,
    #[prost(int32, optional, tag = "3")]
    r#type: Option<i32>,
    #[prost(uint32, repeated, packed = "true", tag = "4")]
    geometry: Vec<u32>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct PbValue {
    #[prost(string, optional, tag = "1")]
    string_value: Option<String>,
}

/// A decoded line or polygon feature in lon/lat.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    Lines(Vec<LineString<f64>>),
    Polygons(Vec<Polygon<f64>>),
}

/// One feature of a tile layer.
#[derive(Debug, Clone, PartialEq)]
pub struct TileFeature {
    pub layer: String,
    pub class: Option<String>,
    pub name: Option<String>,
    pub shape: Shape,
}

fn zigzag(v: u32) -> i64 {
    i64::from((v >> 1) as i32 ^ -((v & 1) as i32))
}

/// Lines and polygons of the layers `want` says yes to, in lon/lat, from tile z/x/y.
/// Points are skipped.
pub fn decode_shapes(
    bytes: &[u8],
    z: u8,
    x: u32,
    y: u32,
    want: &dyn Fn(&str) -> bool,
) -> Result<Vec<TileFeature>> {
    let tile = PbTile::decode(bytes)
        .map_err(|e| Error::Geometry(format!("vector tile {z}/{x}/{y}: {e}")))?;
    let n = f64::from(1u32 << z);
    let mut out = Vec::new();
    for l in &tile.layers {
        if !want(&l.name) {
            continue;
        }
        let extent = f64::from(l.extent.unwrap_or(4096).max(1));
        let to_ll = |px: i64, py: i64| Coord {
            x: world_x_to_lon((f64::from(x) + px as f64 / extent) / n),
            y: world_y_to_lat((f64::from(y) + py as f64 / extent) / n),
        };
        let value = |k: &str, f: &PbFeature| -> Option<String> {
            f.tags.chunks_exact(2).find_map(|kv| {
                (l.keys.get(kv[0] as usize).map(String::as_str) == Some(k))
                    .then(|| l.values.get(kv[1] as usize))
                    .flatten()
                    .and_then(|v| v.string_value.clone())
            })
        };
        for f in &l.features {
            let kind = f.r#type.unwrap_or(0);
            if kind != 2 && kind != 3 {
                continue;
            }
            let parts = parts(&f.geometry, &to_ll);
            let shape = if kind == 2 {
                Shape::Lines(parts.into_iter().filter(|p| p.0.len() >= 2).collect())
            } else {
                Shape::Polygons(rings_to_polygons(parts))
            };
            out.push(TileFeature {
                layer: l.name.clone(),
                class: value("class", f),
                name: value("name", f),
                shape,
            });
        }
    }
    Ok(out)
}

/// The command stream as parts (lines or closed rings).
fn parts(g: &[u32], to_ll: &dyn Fn(i64, i64) -> Coord<f64>) -> Vec<LineString<f64>> {
    let (mut cx, mut cy) = (0i64, 0i64);
    let mut parts: Vec<Vec<Coord<f64>>> = Vec::new();
    let mut i = 0;
    while i < g.len() {
        let (cmd, count) = (g[i] & 7, (g[i] >> 3) as usize);
        i += 1;
        match cmd {
            1 | 2 => {
                for k in 0..count {
                    let (Some(&dx), Some(&dy)) = (g.get(i), g.get(i + 1)) else {
                        return parts.into_iter().map(LineString::new).collect();
                    };
                    i += 2;
                    cx += zigzag(dx);
                    cy += zigzag(dy);
                    if cmd == 1 && k == 0 {
                        parts.push(Vec::new());
                    }
                    if let Some(p) = parts.last_mut() {
                        p.push(to_ll(cx, cy));
                    }
                }
            }
            7 => {
                if let Some(p) = parts.last_mut() {
                    if let Some(&first) = p.first() {
                        p.push(first);
                    }
                }
            }
            _ => break,
        }
    }
    parts.into_iter().map(LineString::new).collect()
}

/// Rings into polygons: an exterior (positive area in tile space, i.e. clockwise on screen)
/// starts a polygon, the rings after it are its holes.
fn rings_to_polygons(rings: Vec<LineString<f64>>) -> Vec<Polygon<f64>> {
    let mut out: Vec<(LineString<f64>, Vec<LineString<f64>>)> = Vec::new();
    for r in rings {
        if r.0.len() < 4 {
            continue;
        }
        // In lon/lat (y up) an MVT exterior is counter-clockwise: positive signed area.
        let a: f64 =
            r.0.windows(2)
                .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
                .sum();
        if a > 0.0 || out.is_empty() {
            out.push((r, Vec::new()));
        } else if let Some(last) = out.last_mut() {
            last.1.push(r);
        }
    }
    out.into_iter().map(|(e, h)| Polygon::new(e, h)).collect()
}
