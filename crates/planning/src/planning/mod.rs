//! Grid planning: edit the unit grids of a community with the topology guaranteed.
//!
//! Every edit is a pure function from the current index to a [`ChangeSet`] — grids retired,
//! created, reshaped or renamed, community outlines that gain a vertex — which the [`guard`]
//! checks against the district, and which is then applied in one transaction with before/after
//! snapshots ([`history`]) so it can be undone, redone and looked up later. A dry run
//! ([`crate::Engine::plan_preview`]) returns the change-set and the guard's report without
//! writing anything; a refused edit returns every problem with the geometry to draw.
//!
//! Decisions:
//! * **Topological editing always.** A vertex or edge shared by neighbouring grids moves for
//!   all of them ([`vertex`]); shared edges stay vertex-identical (the tiles rely on it).
//! * **Community boundaries are fixed.** A vertex on a community outline cannot be moved or
//!   deleted; new vertices may be inserted on it (shape unchanged) where a cut or a drawn grid
//!   meets it.
//! * **Codes** ([`codes`]): split, merge, drawn and proposed grids are new grids with new codes;
//!   the old ones are retired (end date) and keep their codes; renumbering renames in place.
//! * **Undo/redo** ([`history`]): strictly in reverse order, persisted, refused if a row was
//!   changed outside planning.

pub mod add;
pub mod change;
pub mod codes;
pub mod detmath;
pub mod district;
pub mod geom;
pub mod guard;
pub mod history;
pub mod merge;
pub mod order;
pub mod propose;
pub mod regions;
pub mod relocate;
pub mod reshape;
pub mod settings;
pub mod snap;
pub mod split;
pub mod vertex;

pub use change::{ChangeSet, Edit};
pub use district::check_district;
pub use guard::{GuardReport, Problem, Rule};
pub use history::{EditMeta, EditState, EditSummary, GridHistory};
pub use propose::{Proposal, ProposalOptions};
pub use settings::PlanSettings;
pub use snap::{snap, SnapHit, SnapLayer};

use crate::error::Result;
use crate::index::SpatialIndex;

/// The change-set an edit request makes on the current index (no validation, no writing).
pub fn build_change(idx: &SpatialIndex, edit: &Edit, s: &PlanSettings) -> Result<ChangeSet> {
    match edit {
        Edit::AddGrid {
            ring,
            community,
            name,
            land_use,
            level,
        } => add::add_grid(
            idx,
            ring,
            *community,
            &add::NewGridAttributes {
                name: name.clone(),
                land_use: land_use.clone(),
                level: level.clone(),
            },
            s,
        ),
        Edit::Split { grid, line } => split::split(idx, *grid, line, s),
        Edit::Merge {
            grids,
            attributes_from,
        } => merge::merge(idx, grids, *attributes_from, s),
        Edit::MoveVertex { from, to } => vertex::move_vertex(idx, *from, *to, s),
        Edit::InsertVertex { at } => vertex::insert_vertex(idx, *at, s),
        Edit::DeleteVertex { at } => vertex::delete_vertex(idx, *at, s),
        Edit::Reshape { grid, path } => reshape::reshape(idx, *grid, path, s),
        Edit::Renumber { community } => codes::renumber(idx, *community),
    }
}
