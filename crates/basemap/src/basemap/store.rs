//! What a store keeps of basemaps: the records of the installed packages and the place names
//! of built ones. The package files themselves live beside the store and are read without it
//! (PMTiles by [`super::package::PmtilesFile`], MBTiles through the opener the SQLite backend
//! installs, [`super::package::open_mbtiles`]), so any backend can keep the records: the
//! station's SQLite store and a district's view of the city centre.

use super::model::{BasemapInfo, Place};
use crate::Result;

pub trait BasemapStore {
    /// Installed basemaps, oldest first.
    fn basemaps(&self) -> Result<Vec<BasemapInfo>>;
    /// Records an installed basemap and its place names in one transaction (the package file
    /// is already in place under its final name).
    fn add_basemap(&self, info: &BasemapInfo, places: &[Place]) -> Result<()>;
    /// Forgets a basemap and its place names; `false` when there was none.
    fn remove_basemap(&self, id: &str) -> Result<bool>;
    /// Place names containing every word of `query` (each word's
    /// [`search_key`](super::model::search_key) inside the name's), best first: the whole
    /// query's key equal to the name's, then its prefix, then the `places` layer, then shorter
    /// names (in characters); ties in order of name, layer, class, lon, lat and basemap (texts
    /// in code point order), so that every store answers alike.
    fn search_places(&self, query: &str, limit: usize) -> Result<Vec<Place>>;
}
