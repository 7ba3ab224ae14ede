//! One function per layer; each reads the index through its R-tree candidate queries.

use super::address::{TileAddress, TileFrame, BUFFER, EXTENT};
use super::rings::{self, Clipper, TilePolygon};
use super::{TilePart, COMMUNITIES_MIN_ZOOM, GRIDS_MIN_ZOOM, POINTS_MIN_ZOOM, STREETS_MIN_ZOOM};
use crate::code::CommunityCode;
use crate::index::SpatialIndex;
use crate::model::CaseSummary;
use geo_types::{Point, Rect};
use mvt::{Feature, GeomEncoder, GeomType, Layer, Tile};

type Res<T> = Result<T, mvt::Error>;

/// What every layer needs to know about the tile being built.
struct Ctx<'a> {
    idx: &'a SpatialIndex,
    t: TileAddress,
    frame: TileFrame,
    /// The tile grown by one unit, for points (which are then kept only if the tile contains
    /// them): the margin absorbs rounding between the two directions of the projection.
    near: Rect<f64>,
    clipper: Clipper,
    /// R-tree candidates meeting the buffered tile, sorted (shared by polygons, counts, labels).
    grids: Vec<usize>,
    communities: Vec<usize>,
    streets: Vec<usize>,
}

type LayerFn = fn(&mut Ctx, &Tile) -> Res<Layer>;

/// Every layer in drawing order, by name.
const LAYERS: [(&str, LayerFn); 8] = [
    ("district", district),
    ("streets", streets),
    ("communities", communities),
    ("grids", grids),
    ("components", components),
    ("cases", cases),
    ("case_counts", case_counts),
    ("labels", labels),
];

/// Builds the layers of one tile: all of them, or those of one part.
pub fn build(idx: &SpatialIndex, t: TileAddress, part: Option<TilePart>) -> Res<Tile> {
    let buffered = t.bounds(f64::from(BUFFER));
    let z = t.z;
    let mut cx = Ctx {
        idx,
        t,
        frame: t.frame(),
        near: t.bounds(1.0),
        clipper: Clipper::default(),
        // Grids are needed for polygons (z ≥ 13) or for case counts (z < 16): always.
        grids: sorted(idx.grid_candidates(buffered)),
        communities: if z >= COMMUNITIES_MIN_ZOOM {
            sorted(idx.community_candidates(buffered))
        } else {
            vec![]
        },
        streets: if z >= STREETS_MIN_ZOOM {
            sorted(idx.street_candidates(buffered))
        } else {
            vec![]
        },
    };
    let mut tile = Tile::new(EXTENT);
    for (name, layer) in LAYERS {
        if part.is_some_and(|p| !p.has_layer(name)) {
            continue;
        }
        let layer = layer(&mut cx, &tile)?;
        if layer.num_features() > 0 {
            tile.add_layer(layer)?;
        }
    }
    Ok(tile)
}

/// Numeric codes double as MVT feature ids.
fn id_of(code: &str) -> Option<u64> {
    code.parse().ok()
}

/// The last three digits of a code (grid sequence, community or street number).
fn seq_of(code: &str) -> &str {
    code.get(code.len().saturating_sub(3)..).unwrap_or(code)
}

pub fn add_polygons(
    layer: Layer,
    polys: &[TilePolygon],
    id: Option<u64>,
    tags: impl FnOnce(&mut Feature),
) -> Res<Layer> {
    let Some(geom) = rings::encode(polys)? else {
        return Ok(layer);
    };
    let mut f = layer.into_feature(geom);
    if let Some(id) = id {
        f.set_id(id);
    }
    tags(&mut f);
    Ok(f.into_layer())
}

/// A point feature at lon/lat `p` (the tile contains the point, so its coordinates are within
/// the tile).
pub fn add_point(
    layer: Layer,
    frame: &TileFrame,
    p: Point<f64>,
    tags: impl FnOnce(&mut Feature),
) -> Res<Layer> {
    let [x, y] = frame.snap(p.x(), p.y());
    let geom = GeomEncoder::<i32>::new(GeomType::Point)
        .point(x as i32, y as i32)?
        .encode()?;
    let mut f = layer.into_feature(geom);
    tags(&mut f);
    Ok(f.into_layer())
}

const LO: f64 = -(BUFFER as f64);
const HI: f64 = (EXTENT + BUFFER) as f64;

/// Clips the segment p–q to the buffered tile square (Liang–Barsky); `None` if it misses.
fn clip_segment(p: [f64; 2], q: [f64; 2]) -> Option<([f64; 2], [f64; 2])> {
    let d = [q[0] - p[0], q[1] - p[1]];
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for axis in 0..2 {
        for (num, den) in [(p[axis] - LO, -d[axis]), (HI - p[axis], d[axis])] {
            if den == 0.0 {
                if num < 0.0 {
                    return None;
                }
            } else {
                let r = num / den;
                if den < 0.0 {
                    t0 = t0.max(r);
                } else {
                    t1 = t1.min(r);
                }
            }
        }
    }
    if t0 > t1 {
        return None;
    }
    let at = |t: f64| [(p[0] + t * d[0]).round(), (p[1] + t * d[1]).round()];
    Some((at(t0), at(t1)))
}

/// A line of lon/lat vertices clipped to the buffered tile and encoded (one part per stretch
/// inside the square); `None` when nothing of it is in the tile.
pub fn encode_line(frame: &TileFrame, line: &[[f64; 2]]) -> Res<Option<mvt::GeomData>> {
    // Clip segment by segment; consecutive kept segments join into one part.
    let mut parts: Vec<Vec<[i32; 2]>> = Vec::new();
    let mut open = false;
    for w in line.windows(2) {
        let (p, q) = (frame.snap(w[0][0], w[0][1]), frame.snap(w[1][0], w[1][1]));
        match clip_segment(p, q) {
            Some((a, c)) => {
                let (a, c) = ([a[0] as i32, a[1] as i32], [c[0] as i32, c[1] as i32]);
                match parts.last_mut() {
                    Some(part) if open && part.last() == Some(&a) => {
                        if part.last() != Some(&c) {
                            part.push(c);
                        }
                    }
                    _ => parts.push(vec![a, c]),
                }
                // A segment that leaves the square ends the part.
                open = c == [q[0] as i32, q[1] as i32];
            }
            None => open = false,
        }
    }
    parts.retain(|p| p.len() >= 2 && p.windows(2).any(|w| w[0] != w[1]));
    if parts.is_empty() {
        return Ok(None);
    }
    let mut enc = GeomEncoder::<i32>::new(GeomType::Linestring);
    for part in &parts {
        for p in part {
            enc.add_point(p[0], p[1])?;
        }
        enc.complete_geom()?;
    }
    Ok(Some(enc.encode()?))
}

fn add_ctx_point(
    layer: Layer,
    cx: &Ctx,
    p: Point<f64>,
    tags: impl FnOnce(&mut Feature),
) -> Res<Layer> {
    add_point(layer, &cx.frame, p, tags)
}

fn sorted(it: impl Iterator<Item = usize>) -> Vec<usize> {
    let mut v: Vec<usize> = it.collect();
    v.sort_unstable();
    v
}

fn district(cx: &mut Ctx, tile: &Tile) -> Res<Layer> {
    let mut layer = tile.create_layer("district");
    if let Some(d) = &cx.idx.district {
        let polys = cx.clipper.multi_polygon(&d.boundary, &cx.frame);
        layer = add_polygons(layer, &polys, id_of(d.code.as_str()), |f| {
            f.add_tag_string("code", d.code.as_str());
            f.add_tag_string("name", &d.name);
        })?;
    }
    Ok(layer)
}

fn streets(cx: &mut Ctx, tile: &Tile) -> Res<Layer> {
    let mut layer = tile.create_layer("streets");
    if cx.t.z < STREETS_MIN_ZOOM {
        return Ok(layer);
    }
    for &i in &cx.streets {
        let s = &cx.idx.streets[i];
        let polys = cx.clipper.multi_polygon(&s.boundary, &cx.frame);
        layer = add_polygons(layer, &polys, id_of(s.code.as_str()), |f| {
            f.add_tag_string("code", s.code.as_str());
            f.add_tag_string("name", &s.name);
        })?;
    }
    Ok(layer)
}

fn communities(cx: &mut Ctx, tile: &Tile) -> Res<Layer> {
    let mut layer = tile.create_layer("communities");
    if cx.t.z < COMMUNITIES_MIN_ZOOM {
        return Ok(layer);
    }
    for &i in &cx.communities {
        let c = &cx.idx.communities[i];
        let polys = cx.clipper.multi_polygon(&c.boundary, &cx.frame);
        let ci = cx.idx.community_colour.get(i).copied();
        layer = add_polygons(layer, &polys, id_of(c.code.as_str()), |f| {
            f.add_tag_string("code", c.code.as_str());
            f.add_tag_string("name", &c.name);
            f.add_tag_string("street", c.street().as_str());
            if let Some(ci) = ci {
                f.add_tag_int("ci", i64::from(ci));
            }
        })?;
    }
    Ok(layer)
}

fn grids(cx: &mut Ctx, tile: &Tile) -> Res<Layer> {
    let mut layer = tile.create_layer("grids");
    if cx.t.z < GRIDS_MIN_ZOOM {
        return Ok(layer);
    }
    // Grids come in code order, so consecutive grids mostly share their community.
    let mut colour: Option<(CommunityCode, Option<u8>)> = None;
    for &i in &cx.grids {
        let g = &cx.idx.grids[i];
        if !g.is_active() {
            continue;
        }
        let Some(poly) = cx.clipper.polygon(&g.polygon, &cx.frame) else {
            continue;
        };
        let community = g.community();
        let ci = match colour {
            Some((c, ci)) if c == community => ci,
            _ => {
                let ci = cx
                    .idx
                    .community_index(&community)
                    .and_then(|c| cx.idx.community_colour.get(c).copied());
                colour = Some((community, ci));
                ci
            }
        };
        layer = add_polygons(layer, &[poly], id_of(g.code.as_str()), |f| {
            f.add_tag_string("code", g.code.as_str());
            f.add_tag_string("seq", g.code.sequence_str());
            f.add_tag_string("community", community.as_str());
            // Areas are far below 2^53 m², so the rounded value is exact.
            f.add_tag_int("area", g.area_m2.round() as i64);
            if let Some(ci) = ci {
                f.add_tag_int("ci", i64::from(ci));
            }
        })?;
    }
    Ok(layer)
}

fn components(cx: &mut Ctx, tile: &Tile) -> Res<Layer> {
    let cx = &*cx;
    let mut layer = tile.create_layer("components");
    if cx.t.z < POINTS_MIN_ZOOM {
        return Ok(layer);
    }
    for i in cx.idx.components_in_bbox(cx.near) {
        let c = &cx.idx.components[i];
        if !cx.t.contains(c.location.x(), c.location.y()) {
            continue;
        }
        layer = add_ctx_point(layer, cx, c.location, |f| {
            // Component codes are numeric: the id lets the UI use feature-state.
            if let Some(id) = id_of(c.code.as_str()) {
                f.set_id(id);
            }
            f.add_tag_string("code", c.code.as_str());
            f.add_tag_string("class", c.class_code.as_str());
            f.add_tag_string("major", c.class_code.major());
            f.add_tag_string("state", c.state.key());
        })?;
    }
    Ok(layer)
}

fn cases(cx: &mut Ctx, tile: &Tile) -> Res<Layer> {
    let cx = &*cx;
    let mut layer = tile.create_layer("cases");
    if cx.t.z < POINTS_MIN_ZOOM {
        return Ok(layer);
    }
    for i in cx.idx.cases_in_bbox(cx.near) {
        let c = &cx.idx.cases[i];
        if !cx.t.contains(c.location.x(), c.location.y()) {
            continue;
        }
        layer = add_ctx_point(layer, cx, c.location, |f| {
            f.add_tag_string("id", &c.id);
            f.add_tag_string("status", c.status.key());
            f.add_tag_string("kind", c.kind.key());
            f.add_tag_string("class", c.class_code.as_str());
            f.add_tag_string("source", c.source.key());
        })?;
    }
    Ok(layer)
}

/// Whether an active grid's entry in `grid_counts` counts this case.
fn counted_by_active_grid(idx: &SpatialIndex, c: &CaseSummary) -> bool {
    c.grid
        .and_then(|g| idx.grid_index(&g))
        .is_some_and(|i| idx.grids[i].is_active())
}

/// Whether some case is not counted by an active grid (kept by [`SpatialIndex::build`]).
fn has_uncounted_cases(idx: &SpatialIndex) -> bool {
    idx.uncounted_cases > 0
}

fn case_counts(cx: &mut Ctx, tile: &Tile) -> Res<Layer> {
    let cx = &*cx;
    let mut layer = tile.create_layer("case_counts");
    if cx.t.z >= POINTS_MIN_ZOOM {
        return Ok(layer);
    }
    let idx = cx.idx;
    for &i in &cx.grids {
        let (g, k, p) = match (
            idx.grids.get(i),
            idx.grid_counts.get(i),
            idx.grid_label_points.get(i),
        ) {
            (Some(g), Some(k), Some(p)) => (g, k, p),
            _ => continue,
        };
        if !g.is_active() || k.cases == 0 || !cx.t.contains(p.x(), p.y()) {
            continue;
        }
        layer = add_ctx_point(layer, cx, *p, |f| {
            f.add_tag_string("grid", g.code.as_str());
            f.add_tag_int("count", i64::from(k.cases));
            f.add_tag_int("open", i64::from(k.open_cases));
        })?;
    }
    // Cases outside every active grid are looked at one by one, but only if there are any.
    if has_uncounted_cases(idx) {
        let (mut n, mut open, mut sx, mut sy) = (0i64, 0i64, 0.0, 0.0);
        for i in idx.cases_in_bbox(cx.near) {
            let c = &idx.cases[i];
            if counted_by_active_grid(idx, c) || !cx.t.contains(c.location.x(), c.location.y()) {
                continue;
            }
            n += 1;
            open += i64::from(!c.status.is_terminal());
            sx += c.location.x();
            sy += c.location.y();
        }
        if n > 0 {
            // The mean of points inside the tile's lon/lat rectangle is inside it too.
            let mean = Point::new(sx / n as f64, sy / n as f64);
            layer = add_ctx_point(layer, cx, mean, |f| {
                f.add_tag_string("grid", "");
                f.add_tag_int("count", n);
                f.add_tag_int("open", open);
            })?;
        }
    }
    Ok(layer)
}

fn labels(cx: &mut Ctx, tile: &Tile) -> Res<Layer> {
    let cx = &*cx;
    let mut layer = tile.create_layer("labels");
    let idx = cx.idx;
    let z = cx.t.z;
    let label = |layer: Layer, kind: &str, name: &str, code: &str, p: Point<f64>| {
        add_ctx_point(layer, cx, p, |f| {
            f.add_tag_string("kind", kind);
            f.add_tag_string("name", name);
            f.add_tag_string("code", code);
            f.add_tag_string("seq", seq_of(code));
        })
    };
    if z >= STREETS_MIN_ZOOM {
        for &i in &cx.streets {
            let s = &idx.streets[i];
            if let Some(p) = idx
                .street_label_points
                .get(i)
                .copied()
                .flatten()
                .filter(|p| cx.t.contains(p.x(), p.y()))
            {
                layer = label(layer, "street", &s.name, s.code.as_str(), p)?;
            }
        }
    }
    if z >= COMMUNITIES_MIN_ZOOM {
        for &i in &cx.communities {
            let c = &idx.communities[i];
            if let Some(p) = idx
                .community_label_points
                .get(i)
                .copied()
                .flatten()
                .filter(|p| cx.t.contains(p.x(), p.y()))
            {
                layer = label(layer, "community", &c.name, c.code.as_str(), p)?;
            }
        }
    }
    if z >= GRIDS_MIN_ZOOM {
        for &i in &cx.grids {
            let (Some(g), Some(p)) = (idx.grids.get(i), idx.grid_label_points.get(i)) else {
                continue;
            };
            if g.is_active() && cx.t.contains(p.x(), p.y()) {
                layer = label(layer, "grid", &g.name, g.code.as_str(), *p)?;
            }
        }
    }
    Ok(layer)
}
