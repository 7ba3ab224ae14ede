//! Basemaps (docs/basemap.md).

pub mod build;
pub mod datum;
pub mod features;
pub mod model;
pub mod mvt_read;
pub mod osm;
pub mod package;
pub mod store;

pub use build::{build_pmtiles, BuildStats, Progress};
pub use datum::Datum;
pub use features::{Feature, Layer};
pub use model::{BasemapInfo, PackageFormat, Place, TileFormat};
pub use package::{sniff, Sniffed, TileBytes, TileSource};
pub use store::BasemapStore;
