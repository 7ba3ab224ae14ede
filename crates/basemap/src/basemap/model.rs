//! What the app knows about an installed basemap.

use super::datum::Datum;
use serde::{Deserialize, Serialize};

/// The file format of a package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum PackageFormat {
    Pmtiles,
    Mbtiles,
}

impl PackageFormat {
    pub fn extension(self) -> &'static str {
        match self {
            PackageFormat::Pmtiles => "pmtiles",
            PackageFormat::Mbtiles => "mbtiles",
        }
    }

    pub fn from_key(k: &str) -> Option<Self> {
        match k {
            "pmtiles" => Some(PackageFormat::Pmtiles),
            "mbtiles" => Some(PackageFormat::Mbtiles),
            _ => None,
        }
    }
}

/// What a package's tiles are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum TileFormat {
    Mvt,
    Png,
    Jpeg,
    Webp,
}

impl TileFormat {
    /// The HTTP content type of a tile.
    pub fn content_type(self) -> &'static str {
        match self {
            TileFormat::Mvt => "application/vnd.mapbox-vector-tile",
            TileFormat::Png => "image/png",
            TileFormat::Jpeg => "image/jpeg",
            TileFormat::Webp => "image/webp",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            TileFormat::Mvt => "mvt",
            TileFormat::Png => "png",
            TileFormat::Jpeg => "jpeg",
            TileFormat::Webp => "webp",
        }
    }

    /// From the MBTiles `format` value or our own key.
    pub fn from_key(k: &str) -> Option<Self> {
        match k.trim().to_ascii_lowercase().as_str() {
            "mvt" | "pbf" => Some(TileFormat::Mvt),
            "png" => Some(TileFormat::Png),
            "jpeg" | "jpg" => Some(TileFormat::Jpeg),
            "webp" => Some(TileFormat::Webp),
            _ => None,
        }
    }

    pub fn is_vector(self) -> bool {
        self == TileFormat::Mvt
    }
}

/// One layer of a vector package, with the geometry its features mostly have (for the
/// generic style of packages GridDesk did not build).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VectorLayer {
    pub id: String,
    /// `point`, `line` or `polygon`; `None` when the package does not say.
    pub geometry: Option<String>,
}

/// An installed basemap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BasemapInfo {
    /// Stable id (`bm-` and digits); also the file name in the basemap folder.
    pub id: String,
    pub name: String,
    pub format: PackageFormat,
    pub tile_format: TileFormat,
    pub datum: Datum,
    pub min_zoom: u8,
    pub max_zoom: u8,
    /// `[west, south, east, north]`.
    pub bounds: Option<[f64; 4]>,
    /// Built by GridDesk (from an OSM extract or the sample): drawn with the app's own style
    /// and searched by place name.
    pub built: bool,
    pub vector_layers: Vec<VectorLayer>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub size_bytes: u64,
    /// The file the user gave.
    pub source_file: String,
    pub attribution: Option<String>,
    pub installed_at: String,
    pub installed_by: String,
}

/// A place name found by the search (`BasemapPlace` in TypeScript: analytics has a `Place`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(rename = "BasemapPlace"))]
pub struct Place {
    pub name: String,
    /// The basemap layer (`places`, `pois`, `roads`, `water`, `waterways`).
    pub layer: String,
    pub class: String,
    pub lon: f64,
    pub lat: f64,
    pub basemap: String,
}

/// The search key of a place name, and of each word of a query: lower case, no spaces. A
/// store keeps it beside the name and matches the query's words inside it.
pub fn search_key(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}
