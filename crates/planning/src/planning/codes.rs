//! Grid codes in planning (SPEC §1.4, §1.6 rules 4 and 6).
//!
//! * **New grids** (split, merge, drawn, proposed) get the sequence numbers after the highest
//!   one the community has ever used — active or retired — in west→east, north→south order
//!   among themselves. A retired grid keeps its code forever, so no code ever names two areas
//!   through retirement.
//! * **Renumbering** gives the community's active grids increasing sequence numbers in
//!   west→east, north→south order ([`super::order::sequence_order`]: 100 m rows from the
//!   north, west to east inside a row), skipping every number held by a retired grid. It
//!   *renames* the grids in place (their area and start date stay; components, cases and
//!   duty-grid memberships follow the new code); the history records each rename.

use super::change::{ChangeSet, Rename};
use crate::code::{CommunityCode, GridCode};
use crate::error::{Error, Result};
use crate::index::SpatialIndex;
use crate::message::{EditOp, Message, MessageCode as C};
use geo_types::Polygon;
use std::collections::BTreeSet;

/// The highest sequence number usable in a 15-digit grid code.
pub const MAX_SEQUENCE: u16 = 999;

/// Every grid of a community (active and retired), in code order: one hash lookup per possible
/// sequence number, so the cost does not grow with the district.
pub fn community_grids(
    idx: &SpatialIndex,
    community: CommunityCode,
) -> impl Iterator<Item = &crate::model::Grid> + '_ {
    (1..=MAX_SEQUENCE).filter_map(move |s| {
        let code = community.grid(s).ok()?;
        idx.grid(&code)
    })
}

/// Codes for `n` new grids of a community (see the module docs), in the order given by
/// `polys` (one per new grid). `taken` holds codes already handed out in the same change.
pub fn allocate(
    idx: &SpatialIndex,
    community: CommunityCode,
    polys: &[&Polygon<f64>],
    taken: &BTreeSet<GridCode>,
) -> Result<Vec<GridCode>> {
    let top = community_grids(idx, community)
        .map(|g| g.code)
        .chain(taken.iter().copied())
        .filter(|c| c.community() == community)
        .map(|c| c.sequence())
        .max()
        .unwrap_or(0);
    let n = polys.len();
    if usize::from(top) + n > usize::from(MAX_SEQUENCE) {
        return Err(Error::Edit {
            op: EditOp::AllocateCodes,
            reason: Message::new(C::SequenceExhausted)
                .text("community", community)
                .text("top", format!("{top:03}"))
                .int("count", n)
                .int("max", MAX_SEQUENCE)
                .en(format!(
                "community {community} has used sequence numbers up to {top:03}; {n} more would pass {MAX_SEQUENCE} (renumbering cannot reuse retired codes)"
            )),
        });
    }
    let order = super::order::sequence_order(polys);
    let mut out = vec![None; n];
    for (q, &k) in order.iter().enumerate() {
        out[k] = Some(community.grid(top + 1 + q as u16)?);
    }
    out.into_iter()
        .map(|c| {
            c.ok_or_else(|| Error::Internal("code allocation left a grid without a code".into()))
        })
        .collect()
}

/// The default name of a new grid: `<community name><seq>号网格`, as the sample names them.
pub fn default_name(idx: &SpatialIndex, code: GridCode) -> String {
    match idx.community(&code.community()) {
        Some(c) => format!("{}{}号网格", c.name, code.sequence_str()),
        None => format!("{}号网格", code.sequence_str()),
    }
}

/// The renumbering of a community as a change-set of renames (empty when the numbering is
/// already in order).
pub fn renumber(idx: &SpatialIndex, community: CommunityCode) -> Result<ChangeSet> {
    if idx.community(&community).is_none() {
        return Err(Error::NotFound {
            what: "community",
            key: community.to_string(),
        });
    }
    let active: Vec<&crate::model::Grid> = community_grids(idx, community)
        .filter(|g| g.is_active())
        .collect();
    let retired: BTreeSet<u16> = community_grids(idx, community)
        .filter(|g| !g.is_active())
        .map(|g| g.code.sequence())
        .collect();
    let free: Vec<u16> = (1..=MAX_SEQUENCE)
        .filter(|s| !retired.contains(s))
        .take(active.len())
        .collect();
    if free.len() < active.len() {
        return Err(Error::Edit {
            op: EditOp::Renumber,
            reason: Message::new(C::RenumberNoRoom)
                .text("community", community)
                .int("active", active.len())
                .int("free", free.len())
                .en(format!(
                "community {community} has {} active grids but only {} sequence numbers not held by retired grids",
                active.len(),
                free.len()
            )),
        });
    }
    let polys: Vec<&Polygon<f64>> = active.iter().map(|g| &g.polygon).collect();
    let mut cs = ChangeSet::new("renumber", community);
    for (q, k) in super::order::sequence_order(&polys).into_iter().enumerate() {
        let to = community.grid(free[q])?;
        if to != active[k].code {
            cs.rename.push(Rename {
                from: active[k].code,
                to,
            });
        }
    }
    cs.rename.sort();
    Ok(cs)
}
