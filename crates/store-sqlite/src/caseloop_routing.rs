//! The SQL of `griddesk_caseloop::routing`.

#[allow(unused_imports)]
use crate::code::StreetCode;
#[allow(unused_imports)]
use crate::error::{Error, Result};
#[allow(unused_imports)]
use crate::filing::AreaClass;
#[allow(unused_imports)]
use crate::message::{Message, MessageCode as C};
#[allow(unused_imports)]
use crate::model::CaseKind;
#[allow(unused_imports)]
use griddesk_caseloop::routing::*;
#[allow(unused_imports)]
use rusqlite::{params, Connection};
#[allow(unused_imports)]
use serde::{Deserialize, Serialize};

/// Reads the stored rules.
pub fn load_routing(conn: &Connection) -> Result<Routing> {
    let mut stmt = conn.prepare(
        "SELECT id, kind, class_code, area_class, street, department FROM routing_rule ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    let mut rules = Vec::new();
    let any = |s: String| (s != "*").then_some(s);
    while let Some(r) = rows.next()? {
        let kind = any(r.get(1)?);
        let area = any(r.get(3)?);
        let street = any(r.get(4)?);
        rules.push(RoutingRule {
            id: Some(r.get(0)?),
            kind: kind.as_deref().and_then(CaseKind::parse),
            class_code: any(r.get(2)?),
            area_class: area.as_deref().and_then(AreaClass::parse),
            street: street.as_deref().map(StreetCode::parse).transpose()?,
            department: r.get(5)?,
        });
    }
    Ok(Routing::new(rules))
}

/// Inserts a rule; returns its id.
pub fn insert_rule(tx: &Connection, r: &RoutingRule) -> Result<i64> {
    r.validate()?;
    tx.prepare_cached(
        "INSERT INTO routing_rule (kind, class_code, area_class, street, department)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        star(&r.kind.map(|k| k.key())),
        star(&r.class_code),
        star(&r.area_class.map(|a| a.key())),
        star(&r.street),
        r.department
    ])
    .map_err(|e| match &e {
        rusqlite::Error::SqliteFailure(f, msg)
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            if msg.as_deref().is_some_and(|m| m.contains("FOREIGN KEY")) {
                Error::NotFound {
                    what: "department",
                    key: r.department.clone(),
                }
            } else {
                Error::Duplicate {
                    what: "routing rule",
                    key: format!(
                        "{} {} {} {}",
                        star(&r.kind.map(|k| k.key())),
                        star(&r.class_code),
                        star(&r.area_class.map(|a| a.key())),
                        star(&r.street)
                    ),
                }
            }
        }
        _ => crate::error::sql_error(e),
    })?;
    Ok(tx.last_insert_rowid())
}

/// Deletes a rule by id.
pub fn delete_rule(tx: &Connection, id: i64) -> Result<()> {
    if tx.execute("DELETE FROM routing_rule WHERE id = ?1", [id])? == 0 {
        return Err(crate::error::Sq::from(Error::NotFound {
            what: "routing rule",
            key: id.to_string(),
        }));
    }
    Ok(())
}

impl griddesk_caseloop::routing::RoutingStore for crate::Db<'_> {
    fn load_routing(&self) -> griddesk_core::Result<Routing> {
        (load_routing(self.0)).map_err(griddesk_core::Error::from)
    }
    fn insert_rule(&self, r: &RoutingRule) -> griddesk_core::Result<i64> {
        (insert_rule(self.0, r)).map_err(griddesk_core::Error::from)
    }
    fn delete_rule(&self, id: i64) -> griddesk_core::Result<()> {
        (delete_rule(self.0, id)).map_err(griddesk_core::Error::from)
    }
}
