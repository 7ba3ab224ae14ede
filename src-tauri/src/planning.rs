//! Grid planning and responsibility commands: previews and guarded edits, undo/redo, history,
//! snapping, proposals, renumbering, the district check, and the zone layers (colouring,
//! assignment, who is responsible at a point).
//!
//! Thin like the rest of the shell: arguments go to the engine, answers come back as the engine's
//! serializable types or small DTOs. A refused edit is an `ErrorDto` with code
//! `topology-refused` and the guard's report (problem geometries as GeoJSON) in `report`.

use crate::cases::SignedIn;
use crate::error::ErrorDto;
use crate::store::Store;
use griddesk::message::{Message, MessageCode};
use griddesk::planning::{
    Applied, ChangeSet, CommunityItem, Edit, EditMeta, EditSummary, GridHistory, GridsAsOf,
    GuardReport, Preview, Proposal, ProposalOptions, SnapHit,
};
use griddesk::zones::{
    AssignReport, LayerInfo, OnConflict, PersonRef, PersonZone, Responsibility, RoadSummary,
    ZoneSummary,
};
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

/// Upper bound on history rows, whatever the UI asks for.
const MAX_LOG: usize = 500;

/// Upper bound on the grids one "as of a date" answer carries (a district has a few thousand).
const MAX_AS_OF_GRIDS: usize = 20_000;

/// An edit's note; the engine makes the signed-in user its author and refuses roles other
/// than planner and administrator (`not-permitted`); nobody signed in is `not-signed-in`.
fn meta(note: Option<String>) -> EditMeta {
    EditMeta {
        note,
        ..EditMeta::default()
    }
}

/// What an edit would change and the guard's verdict; nothing is written.
#[tauri::command]
pub async fn plan_preview(store: State<'_, Store>, edit: Edit) -> Result<Preview, ErrorDto> {
    Ok(store.engine()?.engine.plan_preview(&edit)?)
}

/// Applies an edit; refused edits return `topology-refused` with the report and change nothing.
#[tauri::command]
pub async fn plan_apply(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    edit: Edit,
    note: Option<String>,
) -> Result<Applied, ErrorDto> {
    Ok(store
        .engine()?
        .engine
        .plan_apply(&signed.get()?, &edit, &meta(note))?)
}

#[tauri::command]
pub async fn plan_undo(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
) -> Result<Applied, ErrorDto> {
    Ok(store
        .engine()?
        .engine
        .plan_undo(&signed.get()?, &meta(None))?)
}

#[tauri::command]
pub async fn plan_redo(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
) -> Result<Applied, ErrorDto> {
    Ok(store
        .engine()?
        .engine
        .plan_redo(&signed.get()?, &meta(None))?)
}

/// The edit log, newest first.
#[tauri::command]
pub async fn plan_log(store: State<'_, Store>, limit: usize) -> Result<Vec<EditSummary>, ErrorDto> {
    Ok(store.engine()?.engine.plan_log(limit.clamp(1, MAX_LOG))?)
}

/// Lineage and every edit touching one grid.
#[tauri::command]
pub async fn plan_grid_history(
    store: State<'_, Store>,
    code: String,
) -> Result<GridHistory, ErrorDto> {
    Ok(store.engine()?.engine.plan_history(&code)?)
}

/// Snaps a point to the nearest grid/outline vertex or edge within `tolerance_m` metres.
#[tauri::command]
pub async fn plan_snap(
    store: State<'_, Store>,
    lon: f64,
    lat: f64,
    tolerance_m: f64,
    basemap: Option<griddesk::basemaps::BasemapSnap>,
) -> Result<Option<SnapHit>, ErrorDto> {
    if !lon.is_finite() || !lat.is_finite() || !tolerance_m.is_finite() || tolerance_m <= 0.0 {
        return Ok(None);
    }
    let loaded = store.engine()?;
    crate::error::blocking(move || {
        loaded
            .engine
            .snap([lon, lat], tolerance_m, basemap.as_ref())
    })
    .await
}

/// A proposed partition of a community (dry run).
#[tauri::command]
pub async fn plan_propose(
    store: State<'_, Store>,
    community: String,
    options: Option<ProposalOptions>,
) -> Result<Proposal, ErrorDto> {
    let opts = options.unwrap_or_default();
    Ok(store.engine()?.engine.propose_grids(&community, &opts)?)
}

/// Accepts a (possibly adjusted) proposal: checked, then applied as one edit.
#[tauri::command]
pub async fn plan_accept(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    change: ChangeSet,
    note: Option<String>,
) -> Result<Applied, ErrorDto> {
    let params = serde_json::json!({ "op": "accept_proposal", "community": change.community });
    Ok(store
        .engine()?
        .engine
        .plan_apply_change(&signed.get()?, &change, &params, &meta(note))?)
}

/// The renumbering a community would get, checked; nothing written.
#[tauri::command]
pub async fn plan_renumber_preview(
    store: State<'_, Store>,
    community: String,
) -> Result<Preview, ErrorDto> {
    Ok(store.engine()?.engine.renumber_preview(&community)?)
}

/// Every topology problem of the district (the check list).
#[tauri::command]
pub async fn plan_check_district(store: State<'_, Store>) -> Result<GuardReport, ErrorDto> {
    Ok(store.engine()?.engine.check_district()?)
}

/// The zone layers with their zone counts.
#[tauri::command]
pub async fn zone_layers(store: State<'_, Store>) -> Result<Vec<LayerInfo>, ErrorDto> {
    Ok(store.engine()?.engine.zone_layers())
}

#[tauri::command]
pub async fn zones_in_layer(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    layer: String,
) -> Result<Vec<ZoneSummary>, ErrorDto> {
    let s = signed.get().ok();
    Ok(store.engine()?.engine.zones_in_layer(s.as_ref(), &layer)?)
}

/// The zone of every active grid in one layer, compact: `codes[i]` is in zone `zone[i]`
/// (a position in `zones`, or -1), coloured `ci[zone]`.
#[derive(Debug, Serialize, TS)]
pub struct LayerColoursDto {
    pub layer: String,
    pub zones: Vec<String>,
    pub ci: Vec<u8>,
    pub codes: Vec<String>,
    pub zone: Vec<i32>,
}

#[tauri::command]
pub async fn zone_colours(
    store: State<'_, Store>,
    layer: String,
) -> Result<LayerColoursDto, ErrorDto> {
    let loaded = store.engine()?;
    let zi = loaded.engine.zones();
    let Some(lpos) = zi.data.layers.iter().position(|l| l.code == layer) else {
        return Err(griddesk::Error::NotFound {
            what: "layer",
            key: layer,
        }
        .into());
    };
    let members = zi.zones_of_layer(&layer);
    let mut dto = LayerColoursDto {
        layer: layer.clone(),
        zones: Vec::with_capacity(members.len()),
        ci: Vec::with_capacity(members.len()),
        codes: vec![],
        zone: vec![],
    };
    let mut local = std::collections::HashMap::new();
    for &z in members {
        local.insert(z as usize, dto.zones.len() as i32);
        dto.zones.push(zi.data.zones[z as usize].code.clone());
        dto.ci.push(zi.colour(z as usize));
    }
    for (gi, g) in zi.loaded().index.grids.iter().enumerate() {
        if !g.is_active() {
            continue;
        }
        dto.codes.push(g.code.as_str().to_string());
        dto.zone.push(
            zi.zone_of_grid(gi, lpos)
                .and_then(|z| local.get(&z).copied())
                .unwrap_or(-1),
        );
    }
    Ok(dto)
}

/// Adds grids (by code) to a zone; `move_grids` takes them from their current zone of the layer.
#[tauri::command]
pub async fn zone_assign(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    layer: String,
    zone: String,
    grids: Vec<String>,
    move_grids: bool,
) -> Result<AssignReport, ErrorDto> {
    let on_conflict = if move_grids {
        OnConflict::Move
    } else {
        OnConflict::Refuse
    };
    // The engine decides who may (planner or admin); the shell only passes the session on.
    Ok(store
        .engine()?
        .engine
        .assign_grids(&signed.get()?, &layer, &zone, &grids, on_conflict)?)
}

#[tauri::command]
pub async fn zone_people(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
) -> Result<Vec<PersonRef>, ErrorDto> {
    let s = signed.get()?;
    Ok(store.engine()?.engine.people(Some(&s)))
}

/// Every layer's zone, unit and people at a point, and the road-line chiefs nearby.
#[tauri::command]
pub async fn who_is_here(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    lon: f64,
    lat: f64,
) -> Result<Responsibility, ErrorDto> {
    let s = signed.get().ok();
    Ok(store.engine()?.engine.who_is_here(s.as_ref(), lon, lat))
}

/// The communities of the district, by code.
#[tauri::command]
pub async fn plan_communities(store: State<'_, Store>) -> Result<Vec<CommunityItem>, ErrorDto> {
    Ok(store.engine()?.engine.plan_communities())
}

/// The grids as they were at the end of `date` (`YYYY-MM-DD`), optionally only those meeting
/// `bbox` (`[west, south, east, north]`), at most [`MAX_AS_OF_GRIDS`].
#[tauri::command]
pub async fn plan_grids_as_of(
    store: State<'_, Store>,
    date: String,
    bbox: Option<[f64; 4]>,
) -> Result<GridsAsOf, ErrorDto> {
    let day = chrono::NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").map_err(|e| {
        griddesk::Error::Invalid(
            Message::new(MessageCode::NotADate)
                .text("value", &date)
                .en(format!("date `{date}` is not a YYYY-MM-DD date: {e}")),
        )
    })?;
    Ok(store
        .engine()?
        .engine
        .grids_as_of_overlay(day, bbox, MAX_AS_OF_GRIDS)?)
}

/// One of a person's zones with its member grids (to highlight) and extent.
#[derive(Debug, Serialize, TS)]
pub struct PersonZoneDto {
    #[serde(flatten)]
    pub zone: PersonZone,
    pub member_grids: Vec<String>,
    /// `[west, south, east, north]`.
    pub bbox: Option<[f64; 4]>,
}

/// A person with their zones across every layer and the road lines they lead.
#[derive(Debug, Serialize, TS)]
pub struct PersonZonesDto {
    pub person: PersonRef,
    pub zones: Vec<PersonZoneDto>,
    pub roads: Vec<RoadSummary>,
}

#[tauri::command]
pub async fn zone_person_zones(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    id: String,
) -> Result<PersonZonesDto, ErrorDto> {
    let s = signed.get().ok();
    let loaded = store.engine()?;
    let e = &loaded.engine;
    let pz = e.person_zones(s.as_ref(), &id)?;
    let mut zones = Vec::with_capacity(pz.zones.len());
    for z in pz.zones {
        let d = e.zone_detail(s.as_ref(), &z.layer, &z.code)?;
        zones.push(PersonZoneDto {
            zone: z,
            member_grids: d.member_grids,
            bbox: d.bbox,
        });
    }
    Ok(PersonZonesDto {
        person: pz.person,
        zones,
        roads: pz.roads,
    })
}
