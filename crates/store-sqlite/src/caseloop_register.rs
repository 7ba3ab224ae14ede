//! The SQL of `griddesk_caseloop::register`.

use crate::code::{ClassCode, ComponentCode, DistrictCode};
#[allow(unused_imports)]
use crate::error::sql_error;
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
use griddesk_caseloop::register::*;
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
        return Err(crate::error::Sq::from(Error::Invalid(
            Message::new(C::ComponentCodesExhausted)
                .text("district", district)
                .text("class", class)
                .en(format!(
                    "no free component codes left for {district} class {class}"
                )),
        )));
    }
    Ok(ComponentCode::from_parts(district, class.as_str(), n + 1)?)
}

#[allow(clippy::too_many_arguments)]
pub fn write_history(
    tx: &Connection,
    code: &str,
    at: NaiveDateTime,
    by: &griddesk_core::users::Session,
    action: &str,
    before: Option<&ComponentRecord>,
    after: Option<&ComponentRecord>,
    note: Option<&str>,
) -> Result<()> {
    let j = |r: Option<&ComponentRecord>| -> Result<Option<String>> {
        Ok(
            r.map(|r| serde_json::to_string(r).map_err(|e| Error::Internal(e.to_string())))
                .transpose()?,
        )
    };
    tx.execute(
        "INSERT INTO component_history (code, at, actor, action, before, after, note, role)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            code,
            format_datetime(&at),
            by.login,
            action,
            j(before)?,
            j(after)?,
            note,
            by.role.key()
        ],
    )?;
    Ok(())
}

impl griddesk_caseloop::register::RegisterStore for crate::Db<'_> {
    fn read_component(&self, code: &str) -> griddesk_core::Result<Option<crate::model::Component>> {
        use crate::code::{ClassCode, ComponentCode, GridCode};
        use crate::model::ComponentState;
        use rusqlite::OptionalExtension;
        type Row = (
            String,
            Option<String>,
            Option<String>,
            String,
            Vec<u8>,
            Option<String>,
            bool,
        );
        let row: Option<Row> = self
            .0
            .query_row(
                "SELECT class_code, owner, maintainer, state, geom, grid, sample FROM component WHERE code = ?1",
                [code],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
            )
            .optional()
            .map_err(sql_error)?;
        let Some((class, owner, maintainer, state, geom, grid, sample)) = row else {
            return Ok(None);
        };
        let bad = |what: String| Error::Internal(format!("stored component `{code}`: {what}"));
        let state_key = state.clone();
        Ok(Some(crate::model::Component {
            code: ComponentCode::parse(code)?,
            class_code: ClassCode::parse(&class)?,
            owner: owner.map(Into::into),
            maintainer: maintainer.map(Into::into),
            state: ComponentState::parse(&state_key)
                .ok_or_else(|| bad(format!("state `{state_key}`")))?,
            location: crate::store::wkb_io::point(&geom)?,
            grid: grid.as_deref().map(GridCode::parse).transpose()?,
            sample,
        }))
    }

    fn update_component(
        &self,
        code: &str,
        new: &crate::model::Component,
    ) -> griddesk_core::Result<()> {
        let geom = crate::store::wkb_io::to_wkb(&geo_types::Geometry::Point(new.location))?;
        self.0.execute(
            "UPDATE component SET owner = ?2, maintainer = ?3, state = ?4, geom = ?5, grid = ?6 WHERE code = ?1",
            rusqlite::params![
                code,
                new.owner,
                new.maintainer,
                new.state.key(),
                geom,
                new.grid.map(|g| g.to_string())
            ],
        ).map_err(sql_error)?;
        Ok(())
    }

    fn component_history(
        &self,
        code: &str,
    ) -> griddesk_core::Result<Vec<griddesk_caseloop::register::ComponentChange>> {
        use griddesk_caseloop::register::ComponentChange;
        use griddesk_core::dates::parse_datetime;
        let mut st = self
            .0
            .prepare(
                "SELECT seq, code, at, actor, action, before, after, note, role FROM component_history
             WHERE code = ?1 ORDER BY seq",
            )
            .map_err(sql_error)?;
        let mut rows = st.query([code]).map_err(sql_error)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(sql_error)? {
            let j = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
            out.push(ComponentChange {
                seq: r.get(0).map_err(sql_error)?,
                code: r.get(1).map_err(sql_error)?,
                at: parse_datetime(&r.get::<_, String>(2).map_err(sql_error)?)?,
                actor: r.get(3).map_err(sql_error)?,
                action: r.get(4).map_err(sql_error)?,
                before: j(r.get(5).map_err(sql_error)?),
                after: j(r.get(6).map_err(sql_error)?),
                note: r.get(7).map_err(sql_error)?,
                role: r
                    .get::<_, Option<String>>(8)
                    .map_err(sql_error)?
                    .as_deref()
                    .and_then(griddesk_core::users::Role::parse),
            });
        }
        Ok(out)
    }
    fn next_code(
        &self,
        district: DistrictCode,
        class: ClassCode,
    ) -> griddesk_core::Result<ComponentCode> {
        (next_code(self.0, district, class)).map_err(griddesk_core::Error::from)
    }
    fn write_history(
        &self,
        code: &str,
        at: NaiveDateTime,
        by: &griddesk_core::users::Session,
        action: &str,
        before: Option<&ComponentRecord>,
        after: Option<&ComponentRecord>,
        note: Option<&str>,
    ) -> griddesk_core::Result<()> {
        (write_history(self.0, code, at, by, action, before, after, note))
            .map_err(griddesk_core::Error::from)
    }
}
