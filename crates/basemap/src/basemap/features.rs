//! What a built basemap draws (§Layers in docs/basemap.md): the layers, their classes and the
//! zoom from which each class appears. The OSM reader (`osm.rs`) and the sample generator both
//! produce [`Feature`]s; the builder (`build.rs`) tiles them.

use geo_types::Geometry;
use serde::{Deserialize, Serialize};

/// A layer of a built basemap, in drawing order (first drawn first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Layer {
    /// Land use and green: `class` = `park`, `grass`, `forest`, `farmland`, `residential`,
    /// `commercial`, `industrial`, `cemetery`, `school`, `hospital`, … (polygons).
    Landuse,
    /// Water areas: `class` = `water`, `river`, `reservoir`, `basin`, `wetland` (polygons).
    Water,
    /// Rivers, canals, streams, drains (lines): `class` = the `waterway` value.
    Waterways,
    /// Buildings (polygons): `class` = `building` or the building type.
    Buildings,
    /// Railways (lines): `class` = `rail`, `subway`, `light_rail`, `tram`, `narrow_gauge`.
    Railways,
    /// Roads (lines): `class` = the OSM `highway` value (`motorway` … `footway`).
    Roads,
    /// Place names (points): `class` = `city`, `town`, `suburb`, `quarter`, `neighbourhood`,
    /// `village`, `hamlet`, `locality`, `street` (a street's name point).
    Places,
    /// Points of interest (points): `class` = `amenity`/`shop`/`tourism`/`leisure` value.
    Pois,
}

impl Layer {
    /// Every layer in drawing order.
    pub const ALL: [Layer; 8] = [
        Layer::Landuse,
        Layer::Water,
        Layer::Waterways,
        Layer::Buildings,
        Layer::Railways,
        Layer::Roads,
        Layer::Places,
        Layer::Pois,
    ];

    /// The MVT layer name (a contract with `ui/src/basemap/style.ts`).
    pub fn name(self) -> &'static str {
        match self {
            Layer::Landuse => "landuse",
            Layer::Water => "water",
            Layer::Waterways => "waterways",
            Layer::Buildings => "buildings",
            Layer::Railways => "railways",
            Layer::Roads => "roads",
            Layer::Places => "places",
            Layer::Pois => "pois",
        }
    }

    pub fn from_name(name: &str) -> Option<Layer> {
        Layer::ALL.into_iter().find(|l| l.name() == name)
    }

    /// The geometry every feature of this layer has.
    pub fn kind(self) -> GeomKind {
        match self {
            Layer::Landuse | Layer::Water | Layer::Buildings => GeomKind::Polygon,
            Layer::Waterways | Layer::Railways | Layer::Roads => GeomKind::Line,
            Layer::Places | Layer::Pois => GeomKind::Point,
        }
    }
}

/// Point, line or polygon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeomKind {
    Point,
    Line,
    Polygon,
}

/// One thing a built basemap draws. Geometry in lon/lat (WGS84): points for places and POIs,
/// (multi)lines for roads, railways and waterways, (multi)polygons for the rest.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    pub layer: Layer,
    /// The class within the layer (see [`Layer`]).
    pub class: String,
    /// The name shown, Chinese first (`name:zh`, then `name`).
    pub name: Option<String>,
    pub geom: Geometry<f64>,
}

/// The zoom from which a feature of `layer` and `class` is drawn (§Zooms in
/// docs/basemap.md). The builder makes zooms [`MIN_ZOOM`]..=[`MAX_ZOOM`]; the map overzooms
/// the last one.
pub fn min_zoom(layer: Layer, class: &str) -> u8 {
    match layer {
        Layer::Roads => match class {
            "motorway" | "trunk" | "primary" | "motorway_link" | "trunk_link" => 10,
            "secondary" | "primary_link" => 11,
            "tertiary" | "secondary_link" => 12,
            "residential" | "unclassified" | "living_street" | "tertiary_link" | "road" => 13,
            "service" | "pedestrian" | "track" | "busway" => 14,
            _ => 15,
        },
        Layer::Railways => match class {
            "rail" | "subway" => 10,
            _ => 12,
        },
        Layer::Waterways => match class {
            "river" => 10,
            "canal" => 11,
            "stream" => 13,
            _ => 14,
        },
        Layer::Water => 10,
        Layer::Landuse => 11,
        Layer::Buildings => 14,
        Layer::Places => match class {
            "city" => 10,
            "town" | "district" => 11,
            "suburb" | "village" => 12,
            "quarter" | "street" => 13,
            "neighbourhood" => 14,
            _ => 15,
        },
        Layer::Pois => 15,
    }
}

/// The lowest zoom a built basemap holds.
pub const MIN_ZOOM: u8 = 10;
/// The highest zoom a built basemap holds (the map overzooms it).
pub const MAX_ZOOM: u8 = 16;

/// The road classes that make good grid boundaries and snapping targets (§Planning in
/// docs/basemap.md): everything a vehicle drives on, not paths and steps.
pub fn is_cut_road(class: &str) -> bool {
    min_zoom(Layer::Roads, class) <= 14
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_names_round_trip() {
        for l in Layer::ALL {
            assert_eq!(Layer::from_name(l.name()), Some(l));
        }
        assert_eq!(Layer::from_name("nope"), None);
    }

    #[test]
    fn major_roads_come_before_minor_ones() {
        assert!(min_zoom(Layer::Roads, "primary") < min_zoom(Layer::Roads, "residential"));
        assert!(min_zoom(Layer::Roads, "residential") < min_zoom(Layer::Roads, "footway"));
        assert!(is_cut_road("service") && !is_cut_road("footway"));
    }
}
