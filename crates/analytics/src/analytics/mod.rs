//! Supervisor analytics (issue 6): heatmaps, per-grid maps, hotspots, trends, the performance
//! evaluation of SPEC §5, load balance and reports — all over one [`CaseFilter`].
//!
//! Every view reads the columnar snapshot [`CaseColumns`] (built lazily from the engine's
//! indexes and rebuilt with them), so a filter change is a loop over plain arrays.

pub mod choropleth;
pub mod columns;
pub mod evaluation;
pub mod filter;
pub mod heatmap;
pub mod hotspots;
pub mod load;
pub mod report;
pub mod summary;
pub mod trends;

pub use columns::{CaseColumns, CaseRow, ClassKey, Regions};
pub use filter::{CaseFilter, CompiledFilter};
pub use heatmap::{Heatmap, HeatmapParams};
