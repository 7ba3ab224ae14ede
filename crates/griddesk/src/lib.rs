//! GridDesk engine: the single source of truth for a district's unit grids, components and cases.
//!
//! Data flows one way: file or form → [`Engine`] (validate, store, index) → tiles/statistics → map.
//! The engine has no GUI dependency; the CLI and the desktop shell both sit on [`Engine`].
#![forbid(unsafe_code)]

pub use griddesk_core::{code, codetable, csvtable, error, flow, geodesy, model, topology};

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
    pub use crate::clock_store::load_calendar;
    pub(crate) use crate::clock_store as store;
    pub use griddesk_core::clock::*;
}
mod clock_store;

/// Users, roles and sign-in ([`griddesk_core::users`]) and the stored users.
pub mod users {
    pub(crate) use crate::users_store::{
        insert_department, insert_user, load_departments, load_users, set_user_active,
        set_user_password,
    };
    pub use griddesk_core::users::*;
}
mod users_store;

pub mod analytics;
pub mod engine;
pub mod filing;
pub mod index;
pub mod intake;
pub mod io;
pub mod locate;
pub mod planning;
pub mod qr;
pub mod register;
pub mod routing;
pub mod sample;
pub mod stats;
pub mod store;
pub mod tiles;
pub mod validate;
pub mod workflow;
pub mod zones;

pub use engine::Engine;
pub use error::{Error, ErrorKind, Result};
pub use griddesk_core::{Message, MessageCode, Param, Reason};

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
