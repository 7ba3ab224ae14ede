//! A district's component register (`griddesk_caseloop::register::RegisterStore`): a
//! component as committed now, its rewrite, its change history (sealed with the audit tables),
//! and the next free code of a class — all inside the district of the view.

use crate::error::{Error, Result};
use crate::model::{DistrictScope, DistrictTx};
use chrono::NaiveDateTime;
use geo_types::Geometry;
use griddesk_caseloop::register::{ComponentChange, ComponentRecord, RegisterStore};
use griddesk_core::code::{ClassCode, ComponentCode, DistrictCode, GridCode};
use griddesk_core::message::{Message, MessageCode as C};
use griddesk_core::model::{Component, ComponentState};
use griddesk_core::users::{Role, Session};
use griddesk_io::io::wkb_io;
use postgres::GenericClient;

fn read(
    c: &mut impl GenericClient,
    d: &str,
    code: &str,
) -> griddesk_core::Result<Option<Component>> {
    let Some(r) = c
        .query_opt(
            "SELECT class_code, owner, maintainer, state, ST_AsBinary(geom), grid, sample
               FROM component WHERE district = $1::text AND code = $2",
            &[&d, &code],
        )
        .map_err(|e| {
            Error::of(
                e,
                format!("reading component `{code}` of district {d}"),
                None,
            )
        })?
    else {
        return Ok(None);
    };
    let bad = |why: String| Error::Corrupt {
        what: "component",
        key: code.to_string(),
        reason: why,
    };
    let state: &str = r.get(3);
    Ok(Some(Component {
        code: ComponentCode::parse(code)?,
        class_code: ClassCode::parse(r.get(0))?,
        owner: r.get::<_, Option<&str>>(1).map(Into::into),
        maintainer: r.get::<_, Option<&str>>(2).map(Into::into),
        state: ComponentState::parse(state).ok_or_else(|| bad(format!("state `{state}`")))?,
        location: wkb_io::point(r.get(4)).map_err(|e| bad(e.to_string()))?,
        grid: r
            .get::<_, Option<&str>>(5)
            .map(GridCode::parse)
            .transpose()?,
        sample: r.get(6),
    }))
}

fn update(
    c: &mut impl GenericClient,
    d: &str,
    code: &str,
    new: &Component,
) -> griddesk_core::Result<()> {
    let geom = wkb_io::to_wkb(&Geometry::Point(new.location))?;
    c.execute(
        "UPDATE component SET owner = $3, maintainer = $4, state = $5,
                              geom = ST_GeomFromWKB($6, 4326), grid = $7
          WHERE district = $1::text AND code = $2",
        &[
            &d,
            &code,
            &new.owner.as_deref(),
            &new.maintainer.as_deref(),
            &new.state.key(),
            &geom,
            &new.grid.as_ref().map(GridCode::as_str),
        ],
    )
    .map_err(|e| {
        Error::of(
            e,
            format!("rewriting component `{code}` of district {d}"),
            None,
        )
    })?;
    Ok(())
}

fn history(c: &mut impl GenericClient, d: &str, code: &str) -> Result<Vec<ComponentChange>> {
    let rows = c
        .query(
            "SELECT seq, code, at, actor, action, before, after, note, role FROM component_history
              WHERE district = $1::text AND code = $2 ORDER BY seq",
            &[&d, &code],
        )
        .map_err(|e| {
            Error::of(
                e,
                format!("reading the history of component `{code}`"),
                None,
            )
        })?;
    let j = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
    Ok(rows
        .iter()
        .map(|r| ComponentChange {
            seq: r.get(0),
            code: r.get(1),
            at: r.get(2),
            actor: r.get(3),
            action: r.get(4),
            before: j(r.get(5)),
            after: j(r.get(6)),
            note: r.get(7),
            role: r.get::<_, Option<&str>>(8).and_then(Role::parse),
        })
        .collect())
}

fn next_code(
    c: &mut impl GenericClient,
    d: &str,
    district: DistrictCode,
    class: ClassCode,
) -> griddesk_core::Result<ComponentCode> {
    let prefix = format!("{district}{class}");
    let (lo, hi) = (format!("{prefix}000000"), format!("{prefix}999999"));
    let last: Option<String> = c
        .query_one(
            "SELECT max(code COLLATE \"C\") FROM component
              WHERE district = $1::text AND code COLLATE \"C\" >= $2 AND code COLLATE \"C\" <= $3",
            &[&d, &lo, &hi],
        )
        .map_err(|e| {
            Error::of(
                e,
                format!("finding the last code of class {class} in {district}"),
                None,
            )
        })?
        .get(0);
    let n = last
        .as_deref()
        .and_then(|x| x.get(10..))
        .and_then(|s| s.parse::<u32>().ok())
        .unwrap_or(0);
    if n >= 999_999 {
        return Err(griddesk_core::Error::Invalid(
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
fn write_history(
    c: &mut impl GenericClient,
    d: &str,
    code: &str,
    at: NaiveDateTime,
    by: &Session,
    action: &str,
    before: Option<&ComponentRecord>,
    after: Option<&ComponentRecord>,
    note: Option<&str>,
) -> griddesk_core::Result<()> {
    let j = |r: Option<&ComponentRecord>| -> griddesk_core::Result<Option<String>> {
        r.map(|r| {
            serde_json::to_string(r).map_err(|e| griddesk_core::Error::Internal(e.to_string()))
        })
        .transpose()
    };
    c.execute(
        "INSERT INTO component_history (district, code, at, actor, action, before, after, note,
                                        role)
         VALUES ($1::text, $2, $3, $4, $5, $6, $7, $8, $9)",
        &[
            &d,
            &code,
            &at,
            &by.login,
            &action,
            &j(before)?,
            &j(after)?,
            &note,
            &by.role.key(),
        ],
    )
    .map_err(|e| Error::of(e, format!("recording a change of component `{code}`"), None))?;
    Ok(())
}

impl RegisterStore for DistrictTx<'_, '_> {
    fn read_component(&self, code: &str) -> griddesk_core::Result<Option<Component>> {
        read(&mut *self.tx.tx.borrow_mut(), self.district.as_str(), code)
    }
    fn update_component(&self, code: &str, c: &Component) -> griddesk_core::Result<()> {
        update(
            &mut *self.tx.tx.borrow_mut(),
            self.district.as_str(),
            code,
            c,
        )
    }
    fn component_history(&self, code: &str) -> griddesk_core::Result<Vec<ComponentChange>> {
        Ok(history(
            &mut *self.tx.tx.borrow_mut(),
            self.district.as_str(),
            code,
        )?)
    }
    fn next_code(
        &self,
        district: DistrictCode,
        class: ClassCode,
    ) -> griddesk_core::Result<ComponentCode> {
        next_code(
            &mut *self.tx.tx.borrow_mut(),
            self.district.as_str(),
            district,
            class,
        )
    }
    fn write_history(
        &self,
        code: &str,
        at: NaiveDateTime,
        by: &Session,
        action: &str,
        before: Option<&ComponentRecord>,
        after: Option<&ComponentRecord>,
        note: Option<&str>,
    ) -> griddesk_core::Result<()> {
        write_history(
            &mut *self.tx.tx.borrow_mut(),
            self.district.as_str(),
            code,
            at,
            by,
            action,
            before,
            after,
            note,
        )
    }
}

/// Each call on its own; a change and its history go together only inside a transaction
/// ([`DistrictTx`]), where the history row is sealed with it.
impl RegisterStore for DistrictScope<'_> {
    fn read_component(&self, code: &str) -> griddesk_core::Result<Option<Component>> {
        self.centre
            .with(|c| Ok(read(c, self.district.as_str(), code)))?
    }
    fn update_component(&self, code: &str, x: &Component) -> griddesk_core::Result<()> {
        self.centre
            .with(|c| Ok(update(c, self.district.as_str(), code, x)))?
    }
    fn component_history(&self, code: &str) -> griddesk_core::Result<Vec<ComponentChange>> {
        Ok(self
            .centre
            .with(|c| history(c, self.district.as_str(), code))?)
    }
    fn next_code(
        &self,
        district: DistrictCode,
        class: ClassCode,
    ) -> griddesk_core::Result<ComponentCode> {
        self.centre
            .with(|c| Ok(next_code(c, self.district.as_str(), district, class)))?
    }
    fn write_history(
        &self,
        code: &str,
        at: NaiveDateTime,
        by: &Session,
        action: &str,
        before: Option<&ComponentRecord>,
        after: Option<&ComponentRecord>,
        note: Option<&str>,
    ) -> griddesk_core::Result<()> {
        let d = self.district;
        self.centre.transaction(|tx| {
            tx.district(d)
                .write_history(code, at, by, action, before, after, note)
        })
    }
}
