//! GridDesk basemaps (docs/basemap.md): tile packages a city or vendor hands out (PMTiles v3,
//! MBTiles; vector or raster), vector basemaps built from an OpenStreetMap extract or from the
//! sample's own streets, the datum every package declares, and the roads, buildings and names a
//! built basemap keeps for snapping, proposals and place search.
#![forbid(unsafe_code)]

pub mod basemap;

#[allow(unused_imports)]
pub(crate) use griddesk_core::{Error, ErrorKind, Message, MessageCode, Reason, Result};
