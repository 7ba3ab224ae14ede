//! The SQL of `griddesk_caseloop::intake`.

#[allow(unused_imports)]
use crate::code::{ClassCode, ComponentCode};
#[allow(unused_imports)]
use crate::error::{Error, Result};
#[allow(unused_imports)]
use crate::filing::Urgency;
#[allow(unused_imports)]
use crate::message::{Message, MessageCode as C, Reason};
#[allow(unused_imports)]
use crate::model::{CaseKind, CaseSource, CaseStatus};
#[allow(unused_imports)]
use crate::store::format_datetime;
#[allow(unused_imports)]
use crate::users::Session;
#[allow(unused_imports)]
use crate::workflow::apply::{authorise, legacy_flow};
#[allow(unused_imports)]
use crate::workflow::desk::Desk;
#[allow(unused_imports)]
use crate::workflow::machine::{roles_for, statuses_for, ActionKind, Refusal};
#[allow(unused_imports)]
use crate::workflow::photo::PhotoInput;
#[allow(unused_imports)]
use crate::workflow::record::{self};
#[allow(unused_imports)]
use chrono::{Duration, NaiveDateTime};
#[allow(unused_imports)]
use griddesk_caseloop::intake::*;
#[allow(unused_imports)]
use serde::{Deserialize, Serialize};

/// The next task number `YYYY-NNNNNNN` for a year.
pub fn next_id(conn: &rusqlite::Connection, year: i32) -> Result<String> {
    let last: Option<String> = conn
        .prepare_cached(
            "SELECT id FROM cases WHERE id >= ?1 AND id <= ?2 AND length(id) = 12 ORDER BY id DESC LIMIT 1",
        )?
        .query_row(
            [format!("{year:04}-0000000"), format!("{year:04}-9999999")],
            |r| r.get(0),
        )
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })?;
    let n = last
        .as_deref()
        .and_then(|s| s.get(5..))
        .and_then(|s| s.parse::<u32>().ok())
        .unwrap_or(0);
    if n >= 9_999_999 {
        return Err(crate::error::Sq::from(Error::Invalid(
            Message::new(C::TaskNumbersExhausted)
                .int("year", year)
                .en(format!("no task numbers left for {year}")),
        )));
    }
    Ok(format!("{year:04}-{:07}", n + 1))
}

impl griddesk_caseloop::intake::IntakeStore for crate::Db<'_> {
    fn next_id(&self, year: i32) -> griddesk_core::Result<String> {
        (next_id(self.0, year)).map_err(griddesk_core::Error::from)
    }
}
