//! Where a point is, for a case: unit grid, community, street, duty grid and its inspector,
//! area class, and the responsible department.

use crate::code::{CommunityCode, GridCode};
use crate::filing::AreaClass;
use crate::index::SpatialIndex;
use crate::model::{CaseKind, Component};
use crate::workflow::Desk;
use serde::{Deserialize, Serialize};

/// What the engine fills in for a location.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Placement {
    pub grid: Option<GridCode>,
    pub grid_name: Option<String>,
    pub community: Option<String>,
    pub community_name: Option<String>,
    pub street: Option<String>,
    pub street_name: Option<String>,
    pub duty_grid: Option<String>,
    pub duty_grid_name: Option<String>,
    /// The duty grid's inspector (监督员).
    pub inspector: Option<String>,
    pub area_class: AreaClass,
    /// Department code chosen by the component's maintainer or the routing rules.
    pub department: Option<String>,
    pub department_name: Option<String>,
}

/// Places a case of `kind`/`class` at `[lon, lat]` (module docs of [`crate::routing`] for the
/// department).
pub fn place(
    index: &SpatialIndex,
    desk: &Desk,
    kind: CaseKind,
    class: &str,
    at: [f64; 2],
    component: Option<&Component>,
) -> Placement {
    let grid_i = index.grid_at(at[0], at[1]);
    let grid = grid_i.map(|i| &index.grids[i]);
    let community: Option<CommunityCode> = grid.map(|g| g.community()).or_else(|| {
        index
            .community_at(at[0], at[1])
            .map(|i| index.communities[i].code)
    });
    let street = community.map(|c| c.street());
    let duty = grid.and_then(|g| index.duty_grid_of(&g.code));
    let area_class = AreaClass::of_level(grid.and_then(|g| g.level.as_deref()));
    let department = component
        .and_then(|c| c.maintainer.as_deref())
        .and_then(|m| desk.department_named(m))
        .map(|d| d.code.clone())
        .or_else(|| {
            desk.routing
                .route(kind, class, area_class, street.as_ref())
                .map(str::to_string)
        });
    Placement {
        grid: grid.map(|g| g.code),
        grid_name: grid.map(|g| g.name.clone()),
        community_name: community
            .and_then(|c| index.community(&c))
            .map(|c| c.name.clone()),
        community: community.map(|c| c.to_string()),
        street_name: street
            .and_then(|s| index.street(&s))
            .map(|s| s.name.clone()),
        street: street.map(|s| s.to_string()),
        duty_grid: duty.map(|d| d.code.clone()),
        duty_grid_name: duty.map(|d| d.name.clone()),
        inspector: duty.map(|d| d.inspector.clone()),
        area_class,
        department_name: department
            .as_deref()
            .and_then(|d| desk.departments.get(d))
            .map(|d| d.name.clone()),
        department,
    }
}
