//! The SQL of `griddesk_caseloop::register`.

#[allow(unused_imports)]
use griddesk_caseloop::register::*;
#[allow(unused_imports)]
use crate::code::{ClassCode, ComponentCode, DistrictCode};
#[allow(unused_imports)]
use crate::error::{Error, Result};
#[allow(unused_imports)]
use crate::message::{Message, MessageCode as C};
#[allow(unused_imports)]
use crate::model::{Component, ComponentState};
#[allow(unused_imports)]
use crate::store::format_datetime;
#[allow(unused_imports)]
use crate::users::{Role, Session};
#[allow(unused_imports)]
use crate::workflow::apply::authorise;
#[allow(unused_imports)]
use crate::workflow::Refusal;
#[allow(unused_imports)]
use chrono::NaiveDateTime;
#[allow(unused_imports)]
use rusqlite::{params, Connection};
#[allow(unused_imports)]
use serde::{Deserialize, Serialize};

/// The next free code for a district and minor class, from the store.
pub fn next_code(
    conn: &Connection,
    district: DistrictCode,
    class: ClassCode,
) -> Result<ComponentCode> {
    let prefix = format!("{district}{class}");
    let last: Option<String> = conn.query_row(
        "SELECT max(code) FROM component WHERE code >= ?1 AND code <= ?2",
        params![format!("{prefix}000000"), format!("{prefix}999999")],
        |r| r.get(0),
    )?;
    let n = last
        .as_deref()
        .and_then(|c| c.get(10..))
        .and_then(|s| s.parse::<u32>().ok())
        .unwrap_or(0);
    if n >= 999_999 {
        return Err(Error::Invalid(
            Message::new(C::ComponentCodesExhausted)
                .text("district", district)
                .text("class", class)
                .en(format!(
                    "no free component codes left for {district} class {class}"
                )),
        ));
    }
    ComponentCode::from_parts(district, class.as_str(), n + 1)
}

#[allow(clippy::too_many_arguments)]
pub fn write_history(
    tx: &Connection,
    code: &str,
    at: NaiveDateTime,
    actor: &str,
    action: &str,
    before: Option<&ComponentRecord>,
    after: Option<&ComponentRecord>,
    note: Option<&str>,
) -> Result<()> {
    let j = |r: Option<&ComponentRecord>| -> Result<Option<String>> {
        r.map(|r| serde_json::to_string(r).map_err(|e| Error::Internal(e.to_string())))
            .transpose()
    };
    tx.execute(
        "INSERT INTO component_history (code, at, actor, action, before, after, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            code,
            format_datetime(&at),
            actor,
            action,
            j(before)?,
            j(after)?,
            note
        ],
    )?;
    Ok(())
}

impl griddesk_caseloop::register::RegisterStore for crate::Db<'_> {
    fn next_code(&self, district: DistrictCode, class: ClassCode) -> Result<ComponentCode> {
        next_code(self.0, district, class)
    }
    fn write_history(&self, code: &str, at: NaiveDateTime, actor: &str, action: &str, before: Option<&ComponentRecord>, after: Option<&ComponentRecord>, note: Option<&str>) -> Result<()> {
        write_history(self.0, code, at, actor, action, before, after, note)
    }
}
