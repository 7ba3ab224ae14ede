//! GridDesk's API crate: [`Engine`], one open district — the only crate that picks a store
//! backend and checks what the acting user's role may do. The CLI and the desktop shell call
//! only this. Below it, one-way (`docs/architecture.md`): core → spatial → store-sqlite → io →
//! the domain crates (case loop, planning, zones, analytics) → sample → this crate.
//!
//! The modules below keep the paths the shells and tests have always used
//! (`griddesk::workflow::…`); each re-exports the crate that owns it and adds what the engine
//! defines for it.
#![forbid(unsafe_code)]

mod api;
pub mod engine;
mod ports;

pub use engine::Engine;
pub use error::{Error, ErrorKind, Result};
pub use griddesk_caseloop::{filing, intake, register, routing};
pub use griddesk_core::{
    audit, code, codetable, csvtable, error, flow, geodesy, model, pinyin, topology,
};
pub use griddesk_core::{Message, MessageCode, Param, Reason};
pub use griddesk_planning::validate;
pub use griddesk_sample as sample;
pub use griddesk_spatial::{index, locate, stats};
pub use griddesk_store_sqlite::store;

/// Typed messages ([`griddesk_core::message`]), plus every term the engine can send.
pub mod message {
    pub use griddesk_core::message::*;

    /// Every term the engine can send, `vocabulary.key`: the core vocabularies and the
    /// import datasets.
    pub fn all_terms() -> Vec<String> {
        let mut out = griddesk_core::message::all_terms();
        out.extend(
            crate::io::Dataset::ALL
                .iter()
                .map(|d| format!("dataset.{}", d.key())),
        );
        out
    }
}

/// The work calendar and stage clocks ([`griddesk_core::clock`]) and the stored calendar.
pub mod clock {
    pub use griddesk_core::clock::*;
}

/// Users, roles and sign-in ([`griddesk_core::users`]) and the stored users.
pub mod users {
    pub use griddesk_core::users::*;
}

/// Vector tiles ([`griddesk_spatial::tiles`]) and the zone layers' tiles.
pub mod tiles {
    pub use griddesk_spatial::tiles::*;
    pub use griddesk_zones::zones::{encode_zone_tile, ROAD_LINES_MIN_ZOOM, ZONES_MIN_ZOOM};
}

/// The street registers (docs/registers.md): service objects, frontages, notices, move-car
/// reminders, vendors, vending zones; the domain crate's types under `registers`.
pub mod street {
    pub use crate::api::street::*;
}

/// Basemaps (docs/basemap.md): packages, builds from OSM extracts, datums, place search; the
/// domain crate's types under `basemap`.
pub mod basemaps {
    pub use crate::api::basemap::*;
}

/// The station service's keys, reports and their views (docs/station.md).
pub mod station {
    pub use crate::api::station::*;
    pub use crate::api::station_phone::*;
}

/// The read-only city view of a PostgreSQL/PostGIS centre (docs/centre.md, "The city view").
pub mod city {
    pub use crate::api::city::*;
}

/// The station's sync with the city centre: status, sync now, conflicts and settling them
/// (docs/centre.md, "Sync").
pub mod sync {
    pub use crate::api::sync::*;
}

/// Patrol tracks (巡查轨迹): recorded from inspectors' phones, read per inspector and day.
pub mod track {
    pub use crate::api::track::*;
}

/// A real district's first day: File ▸ New, the setup checklist, grids for every community.
pub mod setup {
    pub use crate::api::setup::*;
}

/// Import and export ([`griddesk_io::io`]).
pub mod io {
    pub use griddesk_io::io::*;
}

/// The case loop's workflow ([`griddesk_caseloop::workflow`]) and the engine's views of it.
pub mod workflow {
    pub use crate::api::workflow::{CaseClock, CasePoint, LimitEdit};
    pub use griddesk_caseloop::workflow::*;
}

/// QR plates ([`griddesk_caseloop::qr`]) and scanning one.
pub mod qr {
    pub use crate::api::qr::Scan;
    pub use griddesk_caseloop::qr::*;
}

/// Grid planning ([`griddesk_planning::planning`]) and the engine's edit results.
pub mod planning {
    pub use crate::api::planning::{Applied, CommunityItem, GridsAsOf, Preview};
    pub use griddesk_planning::planning::*;
}

/// Responsibility zones ([`griddesk_zones::zones`]) and the engine's zone views and edits.
pub mod zones {
    pub use crate::api::zones::{
        LayerInfo, PersonZone, PersonZones, RoadEdit, RoadSummary, ZoneDetail, ZoneEdit,
        ROAD_SEARCH_M,
    };
    pub use griddesk_zones::zones::*;
}

/// Analytics ([`griddesk_analytics::analytics`]) and the engine's bulletin.
pub mod analytics {
    pub use crate::api::analytics::{now_minute, BulletinSpec};
    pub use griddesk_analytics::analytics::*;
    pub use griddesk_sample::synthetic;
}

#[cfg(test)]
mod tests {
    /// A keyed enum crosses every boundary (JSON, the UI, files, the store) under one name: its
    /// key. serde's `snake_case` alone writes `Hotline12319` as `hotline12319`.
    #[test]
    fn every_keyed_enum_serializes_as_its_key() {
        macro_rules! check {
            ($($t:ty),+ $(,)?) => {$(
                for v in <$t>::ALL.iter().copied() {
                    let json = serde_json::to_value(v).unwrap_or_default();
                    assert_eq!(json, v.key(), "{} {v:?}", stringify!($t));
                    let back: $t = serde_json::from_value(json).expect("the key reads back");
                    assert_eq!(back, v);
                }
            )+};
        }
        check!(
            crate::model::CaseSource,
            crate::model::CaseStatus,
            crate::users::Role,
            crate::filing::Stage,
            crate::filing::AreaClass,
            crate::filing::Urgency,
            crate::flow::RequestKind,
            crate::flow::ActionKind,
            crate::zones::Role,
            crate::zones::UnitKind,
            crate::zones::LayerKind,
            crate::zones::Network,
            crate::zones::RoadClass,
        );
    }
}
