//! What a store keeps of basemaps (the SQLite store implements it): the list of installed
//! packages, the place names of built ones, and reading MBTiles packages (which are SQLite
//! files, so the code that reads them lives with the rest of the SQL).

use super::model::{BasemapInfo, Place};
use super::package::TileSource;
use crate::Result;
use std::path::Path;

pub trait BasemapStore {
    /// Installed basemaps, oldest first.
    fn basemaps(&self) -> Result<Vec<BasemapInfo>>;
    /// Records an installed basemap and its place names in one transaction (the package file
    /// is already in place under its final name).
    fn add_basemap(&self, info: &BasemapInfo, places: &[Place]) -> Result<()>;
    /// Forgets a basemap and its place names; `false` when there was none.
    fn remove_basemap(&self, id: &str) -> Result<bool>;
    /// Place names containing every word of `query`, best first (exact, then prefix, then
    /// shorter names).
    fn search_places(&self, query: &str, limit: usize) -> Result<Vec<Place>>;
    /// Opens an MBTiles package read-only and checks it.
    fn open_mbtiles(&self, path: &Path) -> Result<Box<dyn TileSource>>;
}
