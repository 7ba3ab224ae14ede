//! A district's routing rules (`griddesk_caseloop::routing::RoutingStore`): class × area class
//! × street → department. Rules and departments are a district's own, so the trait is
//! implemented on a district's view of the centre ([`DistrictScope`], [`DistrictTx`]); a
//! station can only reach its own district's (row-level security).

use crate::error::{Error, Result};
use crate::model::{DistrictScope, DistrictTx};
use griddesk_caseloop::filing::AreaClass;
use griddesk_caseloop::routing::{star, Routing, RoutingRule, RoutingStore};
use griddesk_core::code::{DistrictCode, StreetCode};
use griddesk_core::model::CaseKind;
use postgres::error::SqlState;
use postgres::GenericClient;

fn load(c: &mut impl GenericClient, district: &DistrictCode) -> Result<Routing> {
    let d = district.as_str();
    let rows = c
        .query(
            "SELECT id, kind, class_code, area_class, street, department FROM routing_rule
              WHERE district = $1::text ORDER BY id",
            &[&d],
        )
        .map_err(|e| {
            Error::of(
                e,
                format!("reading the routing rules of district {d}"),
                None,
            )
        })?;
    let any = |s: String| (s != "*").then_some(s);
    let mut rules = Vec::with_capacity(rows.len());
    for r in &rows {
        let id: i64 = r.get(0);
        let street = any(r.get(4))
            .map(|s| StreetCode::parse(&s))
            .transpose()
            .map_err(|e| Error::Corrupt {
                what: "routing rule",
                key: id.to_string(),
                reason: e.to_string(),
            })?;
        rules.push(RoutingRule {
            id: Some(id),
            kind: any(r.get(1)).as_deref().and_then(CaseKind::parse),
            class_code: any(r.get(2)),
            area_class: any(r.get(3)).as_deref().and_then(AreaClass::parse),
            street,
            department: r.get(5),
        });
    }
    Ok(Routing::new(rules))
}

fn insert(
    c: &mut impl GenericClient,
    district: &DistrictCode,
    r: &RoutingRule,
) -> griddesk_core::Result<i64> {
    r.validate()?;
    let d = district.as_str();
    let (kind, class, area, street) = (
        star(&r.kind.map(|k| k.key())),
        star(&r.class_code),
        star(&r.area_class.map(|a| a.key())),
        star(&r.street),
    );
    let key = format!("{kind} {class} {area} {street}");
    let row = c
        .query_one(
            "INSERT INTO routing_rule (district, kind, class_code, area_class, street, department)
             VALUES ($1::text, $2, $3, $4, $5, $6) RETURNING id",
            &[&d, &kind, &class, &area, &street, &r.department],
        )
        .map_err(|e| {
            if e.code() == Some(&SqlState::FOREIGN_KEY_VIOLATION) {
                Error::NotFound {
                    what: "department",
                    key: r.department.clone(),
                    district: d.to_string(),
                }
            } else {
                Error::of(
                    e,
                    format!("writing routing rule {key} of district {d}"),
                    Some(("routing rule", &key)),
                )
            }
        })?;
    Ok(row.get(0))
}

fn delete(c: &mut impl GenericClient, district: &DistrictCode, id: i64) -> Result<()> {
    let d = district.as_str();
    let n = c
        .execute(
            "DELETE FROM routing_rule WHERE district = $1::text AND id = $2",
            &[&d, &id],
        )
        .map_err(|e| {
            Error::of(
                e,
                format!("deleting routing rule {id} of district {d}"),
                None,
            )
        })?;
    if n == 0 {
        return Err(Error::NotFound {
            what: "routing rule",
            key: id.to_string(),
            district: d.to_string(),
        });
    }
    Ok(())
}

impl RoutingStore for DistrictScope<'_> {
    fn load_routing(&self) -> griddesk_core::Result<Routing> {
        Ok(self.centre.with(|c| load(c, &self.district))?)
    }
    fn insert_rule(&self, r: &RoutingRule) -> griddesk_core::Result<i64> {
        self.centre.with(|c| Ok(insert(c, &self.district, r)))?
    }
    fn delete_rule(&self, id: i64) -> griddesk_core::Result<()> {
        Ok(self.centre.with(|c| delete(c, &self.district, id))?)
    }
}

impl RoutingStore for DistrictTx<'_, '_> {
    fn load_routing(&self) -> griddesk_core::Result<Routing> {
        Ok(load(&mut *self.tx.tx.borrow_mut(), &self.district)?)
    }
    fn insert_rule(&self, r: &RoutingRule) -> griddesk_core::Result<i64> {
        insert(&mut *self.tx.tx.borrow_mut(), &self.district, r)
    }
    fn delete_rule(&self, id: i64) -> griddesk_core::Result<()> {
        Ok(delete(&mut *self.tx.tx.borrow_mut(), &self.district, id)?)
    }
}
