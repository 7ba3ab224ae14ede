//! The SQL of `griddesk_zones::zones::store`.

use crate::code::GridCode;
#[allow(unused_imports)]
use crate::error::sql_error;
#[allow(unused_imports)]
use crate::error::{Error, Result};
#[allow(unused_imports)]
use crate::message::{Message, MessageCode as C};
#[allow(unused_imports)]
use crate::store::wkb_io;
#[allow(unused_imports)]
use geo_types::{Geometry, LineString};
#[allow(unused_imports)]
use griddesk_zones::zones::model::*;
#[allow(unused_imports)]
use griddesk_zones::zones::store::*;
#[allow(unused_imports)]
use rusqlite::{params, Connection, OptionalExtension};
#[allow(unused_imports)]
use std::collections::{BTreeMap, HashMap};

/// Reads every zone table.
pub fn load(c: &Connection) -> Result<ZoneData> {
    let mut d = ZoneData::default();
    let mut st = c.prepare("SELECT code, name, kind, parent, phone FROM org_unit ORDER BY code")?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let code: String = r.get(0)?;
        let kind: String = r.get(2)?;
        d.units.push(OrgUnit {
            kind: UnitKind::parse(&kind).ok_or_else(|| bad("unit", &code, "unknown kind"))?,
            code,
            name: r.get(1)?,
            parent: r.get(3)?,
            phone: r.get(4)?,
        });
    }
    let mut st = c.prepare("SELECT id, name, role, phone, unit FROM person ORDER BY id")?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        let role: String = r.get(2)?;
        d.people.push(Person {
            role: Role::parse(&role).ok_or_else(|| bad("person", &id, "unknown role"))?,
            id,
            name: r.get(1)?,
            phone: r.get(3)?,
            unit: r.get(4)?,
        });
    }
    let mut st =
        c.prepare("SELECT code, name, kind, network, ord FROM zone_layer ORDER BY ord, code")?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let code: String = r.get(0)?;
        let kind: String = r.get(2)?;
        let network: String = r.get(3)?;
        d.layers.push(ZoneLayer {
            kind: LayerKind::parse(&kind).ok_or_else(|| bad("layer", &code, "unknown kind"))?,
            network: Network::parse(&network)
                .ok_or_else(|| bad("layer", &code, "unknown network"))?,
            code,
            name: r.get(1)?,
            order: r.get(4)?,
        });
    }

    // People per (layer, zone), in order.
    let mut people: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let mut st =
        c.prepare("SELECT layer, zone, person FROM zone_person ORDER BY layer, zone, ord")?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        people
            .entry((r.get(0)?, r.get(1)?))
            .or_default()
            .push(r.get(2)?);
    }
    let mut take_people =
        |layer: &str, zone: &str| people.remove(&(layer.to_string(), zone.to_string()));

    let mut zones: Vec<Zone> = Vec::new();
    let mut st = c.prepare(
        "SELECT d.code, d.name, d.inspector, d.unit, m.grid FROM duty_grid d
         LEFT JOIN duty_grid_member m ON m.duty_grid = d.code ORDER BY d.code, m.grid",
    )?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let code: String = r.get(0)?;
        if zones.last().is_none_or(|z| z.code != code) {
            d.duty_inspectors.insert(code.clone(), r.get(2)?);
            zones.push(Zone {
                layer: DUTY_LAYER.into(),
                people: take_people(DUTY_LAYER, &code).unwrap_or_default(),
                code,
                name: r.get(1)?,
                unit: r.get(3)?,
                grids: vec![],
            });
        }
        if let (Some(g), Some(z)) = (r.get::<_, Option<String>>(4)?, zones.last_mut()) {
            z.grids
                .push(GridCode::parse(&g).map_err(|e| bad("duty grid", &z.code, e))?);
        }
    }
    // Zones, then their members in one pass (a join per zone would let SQLite scan a whole
    // layer's members for every zone).
    let first_generic = zones.len();
    let mut pos: HashMap<(String, String), usize> = HashMap::new();
    let mut st = c.prepare("SELECT layer, code, name, unit FROM zone ORDER BY layer, code")?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let layer: String = r.get(0)?;
        let code: String = r.get(1)?;
        pos.insert((layer.clone(), code.clone()), zones.len());
        zones.push(Zone {
            people: take_people(&layer, &code).unwrap_or_default(),
            layer,
            code,
            name: r.get(2)?,
            unit: r.get(3)?,
            grids: vec![],
        });
    }
    let mut st = c.prepare("SELECT layer, zone, grid FROM zone_member")?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let key = (r.get::<_, String>(0)?, r.get::<_, String>(1)?);
        let g: String = r.get(2)?;
        let z = pos
            .get(&key)
            .copied()
            .ok_or_else(|| bad("zone member", &g, format!("zone `{}` is missing", key.1)))?;
        zones[z]
            .grids
            .push(GridCode::parse(&g).map_err(|e| bad("zone", &key.1, e))?);
    }
    for z in &mut zones[first_generic..] {
        z.grids.sort();
    }
    d.zones = zones;

    let mut st = c.prepare(
        "SELECT code, name, class, geom, length_m, chief, unit FROM road_line ORDER BY code",
    )?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let code: String = r.get(0)?;
        let class: String = r.get(2)?;
        let line = match wkb_io::from_wkb(&r.get::<_, Vec<u8>>(3)?) {
            Ok(Geometry::LineString(l)) => l,
            Ok(_) => {
                return Err(crate::error::Sq::from(bad(
                    "road line",
                    &code,
                    "not a line string",
                )))
            }
            Err(e) => return Err(crate::error::Sq::from(bad("road line", &code, e))),
        };
        d.roads.push(RoadLine {
            class: RoadClass::parse(&class).ok_or_else(|| bad("road line", &code, "class"))?,
            code,
            name: r.get(1)?,
            line,
            length_m: r.get(4)?,
            chief: r.get(5)?,
            unit: r.get(6)?,
        });
    }
    Ok(d)
}

pub fn constraint(e: rusqlite::Error, what: &'static str, key: &str) -> Error {
    if let rusqlite::Error::SqliteFailure(f, msg) = &e {
        if f.code == rusqlite::ErrorCode::ConstraintViolation {
            let m = msg.as_deref().unwrap_or_default();
            if m.contains("UNIQUE") || m.contains("PRIMARY KEY") {
                return Error::Duplicate {
                    what,
                    key: key.to_string(),
                };
            }
            if m.contains("FOREIGN KEY") {
                return Error::Invalid(
                    Message::new(C::ZoneReferenceMissing)
                        .with("thing", crate::message::thing(what))
                        .text("key", key)
                        .en(format!(
                    "{what} `{key}` refers to a unit, person, layer or grid that does not exist, \
                     or is still referred to"
                )),
                );
            }
            return Error::Internal(format!("{what} `{key}`: {m}"));
        }
    }
    crate::error::sql_error(e)
}

/// Inserts or replaces a unit.
pub fn put_unit(tx: &Connection, u: &OrgUnit) -> Result<()> {
    if empty_to_none(&u.parent) == Some(u.code.as_str()) {
        return Err(crate::error::Sq::from(Error::Invalid(
            Message::new(C::UnitOwnParent)
                .text("unit", &u.code)
                .en(format!("unit `{}` cannot be its own parent", u.code)),
        )));
    }
    tx.execute(
        "INSERT INTO org_unit (code, name, kind, parent, phone) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind,
         parent = excluded.parent, phone = excluded.phone",
        params![
            u.code.trim(),
            u.name,
            u.kind.key(),
            empty_to_none(&u.parent),
            empty_to_none(&u.phone)
        ],
    )
    .map_err(|e| constraint(e, "unit", &u.code))?;
    Ok(())
}

/// Deletes a unit; refused while people, zones, lines or units refer to it.
pub fn delete_unit(tx: &Connection, code: &str) -> Result<()> {
    let n = tx
        .execute("DELETE FROM org_unit WHERE code = ?1", [code])
        .map_err(|e| constraint(e, "unit", code))?;
    Ok(found(n, "unit", code)?)
}

/// Inserts or replaces a person; the inspector name of the duty grids they lead follows.
pub fn put_person(tx: &Connection, p: &Person) -> Result<()> {
    tx.execute(
        "INSERT INTO person (id, name, role, phone, unit) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role,
         phone = excluded.phone, unit = excluded.unit",
        params![
            p.id.trim(),
            p.name,
            p.role.key(),
            empty_to_none(&p.phone),
            empty_to_none(&p.unit)
        ],
    )
    .map_err(|e| constraint(e, "person", &p.id))?;
    tx.execute(
        "UPDATE duty_grid SET inspector = ?2 WHERE code IN
         (SELECT zone FROM zone_person WHERE layer = 'duty' AND person = ?1 AND ord = 0)",
        params![p.id, p.name],
    )?;
    Ok(())
}

/// Deletes a person; refused while a zone or road line names them.
pub fn delete_person(tx: &Connection, id: &str) -> Result<()> {
    let zones: Vec<String> = tx
        .prepare("SELECT layer || '/' || zone FROM zone_person WHERE person = ?1 ORDER BY 1")?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if !zones.is_empty() {
        return Err(crate::error::Sq::from(Error::Invalid(
            Message::new(C::PersonStillResponsible)
                .text("person", id)
                .texts("zones", &zones)
                .en(format!(
                    "person `{id}` is still responsible for zone(s) {}; reassign them first",
                    zones.join(", ")
                )),
        )));
    }
    let n = tx
        .execute("DELETE FROM person WHERE id = ?1", [id])
        .map_err(|e| constraint(e, "person", id))?;
    Ok(found(n, "person", id)?)
}

/// Inserts or updates a layer. The duty layer keeps its kind and network.
pub fn put_layer(tx: &Connection, l: &ZoneLayer) -> Result<()> {
    let code = l.code.trim();
    if (code == DUTY_LAYER) != (l.kind == LayerKind::Duty) {
        return Err(crate::error::Sq::from(Error::Invalid(
            Message::new(C::DutyLayerKind)
                .text("layer", code)
                .en(format!(
                    "layer `{code}`: only the built-in layer `{DUTY_LAYER}` is of kind duty"
                )),
        )));
    }
    if code == DUTY_LAYER && l.network != Network::Management {
        return Err(crate::error::Sq::from(Error::Invalid(
            Message::new(C::DutyLayerNetwork)
                .en("the duty-grid layer belongs to the management network"),
        )));
    }
    tx.execute(
        "INSERT INTO zone_layer (code, name, kind, network, ord) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind,
         network = excluded.network, ord = excluded.ord",
        params![code, l.name, l.kind.key(), l.network.key(), l.order],
    )
    .map_err(|e| constraint(e, "layer", code))?;
    Ok(())
}

/// Deletes a layer with its zones (not the duty layer).
pub fn delete_layer(tx: &Connection, code: &str) -> Result<()> {
    if code == DUTY_LAYER {
        return Err(crate::error::Sq::from(Error::Invalid(
            Message::new(C::DutyLayerUndeletable)
                .en("the duty-grid layer cannot be deleted (delete its duty grids instead)"),
        )));
    }
    tx.execute("DELETE FROM zone_member WHERE layer = ?1", [code])?;
    tx.execute("DELETE FROM zone WHERE layer = ?1", [code])?;
    let n = tx.execute("DELETE FROM zone_layer WHERE code = ?1", [code])?;
    Ok(found(n, "layer", code)?)
}

pub fn layer_exists(tx: &Connection, layer: &str) -> Result<()> {
    let n: i64 = tx.query_row(
        "SELECT count(*) FROM zone_layer WHERE code = ?1",
        [layer],
        |r| r.get(0),
    )?;
    Ok(found(n as usize, "layer", layer)?)
}

/// Whether a zone exists.
pub fn zone_exists(tx: &Connection, layer: &str, code: &str) -> Result<bool> {
    let sql = if layer == DUTY_LAYER {
        "SELECT count(*) FROM duty_grid WHERE code = ?2 AND ?1 = 'duty'"
    } else {
        "SELECT count(*) FROM zone WHERE layer = ?1 AND code = ?2"
    };
    let n: i64 = tx.query_row(sql, params![layer, code], |r| r.get(0))?;
    Ok(n > 0)
}

/// Inserts or updates a zone's name, unit and people (members are untouched; see [`assign`]).
pub fn put_zone(
    tx: &Connection,
    layer: &str,
    code: &str,
    name: &str,
    unit: Option<&str>,
    people: &[String],
) -> Result<()> {
    layer_exists(tx, layer)?;
    let code = code.trim();
    if code.is_empty() {
        return Err(crate::error::Sq::from(Error::Invalid(
            Message::new(C::ZoneNeedsCode).en("a zone needs a code"),
        )));
    }
    let unit = unit.map(str::trim).filter(|u| !u.is_empty());
    for (i, p) in people.iter().enumerate() {
        if people[..i].contains(p) {
            return Err(crate::error::Sq::from(Error::Invalid(
                Message::new(C::PersonListedTwice)
                    .text("person", p)
                    .text("zone", code)
                    .en(format!("person `{p}` is listed twice for zone `{code}`")),
            )));
        }
    }
    let lead_name: Option<String> = match people.first() {
        Some(p) => Some(
            tx.query_row("SELECT name FROM person WHERE id = ?1", [p], |r| r.get(0))
                .optional()?
                .ok_or_else(|| Error::NotFound {
                    what: "person",
                    key: p.clone(),
                })?,
        ),
        None => None,
    };
    if layer == DUTY_LAYER {
        tx.execute(
            "INSERT INTO duty_grid (code, name, inspector, unit) VALUES (?1, ?2, coalesce(?3, ''), ?4)
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, unit = excluded.unit,
             inspector = coalesce(?3, duty_grid.inspector)",
            params![code, name, lead_name, unit],
        )
        .map_err(|e| constraint(e, "duty grid", code))?;
    } else {
        tx.execute(
            "INSERT INTO zone (layer, code, name, unit) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (layer, code) DO UPDATE SET name = excluded.name, unit = excluded.unit",
            params![layer, code, name, unit],
        )
        .map_err(|e| constraint(e, "zone", code))?;
    }
    tx.execute(
        "DELETE FROM zone_person WHERE layer = ?1 AND zone = ?2",
        params![layer, code],
    )?;
    let mut st = tx.prepare_cached(
        "INSERT INTO zone_person (layer, zone, person, ord) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (i, p) in people.iter().enumerate() {
        st.execute(params![layer, code, p, i as i64])
            .map_err(|e| constraint(e, "zone person", p))?;
    }
    Ok(())
}

/// Deletes a zone (its grids become free in that layer).
pub fn delete_zone(tx: &Connection, layer: &str, code: &str) -> Result<()> {
    let n = if layer == DUTY_LAYER {
        tx.execute("DELETE FROM duty_grid_member WHERE duty_grid = ?1", [code])?;
        tx.execute("DELETE FROM duty_grid WHERE code = ?1", [code])?
    } else {
        tx.execute(
            "DELETE FROM zone_member WHERE layer = ?1 AND zone = ?2",
            params![layer, code],
        )?;
        tx.execute(
            "DELETE FROM zone WHERE layer = ?1 AND code = ?2",
            params![layer, code],
        )?
    };
    Ok(found(n, "zone", &format!("{layer}/{code}"))?)
}

/// The zone of `layer` a grid belongs to.
pub fn zone_of(tx: &Connection, layer: &str, grid: &GridCode) -> Result<Option<String>> {
    let mut st = if layer == DUTY_LAYER {
        tx.prepare_cached(
            "SELECT duty_grid FROM duty_grid_member WHERE grid = ?2 AND ?1 = 'duty'
             ORDER BY duty_grid LIMIT 1",
        )?
    } else {
        tx.prepare_cached("SELECT zone FROM zone_member WHERE layer = ?1 AND grid = ?2")?
    };
    Ok(st
        .query_row(params![layer, grid.as_str()], |r| r.get(0))
        .optional()?)
}

/// Adds grids to a zone (which must exist). The caller has checked that the grids exist and are
/// active.
pub fn assign(
    tx: &Connection,
    layer: &str,
    zone: &str,
    grids: &[GridCode],
    on_conflict: OnConflict,
) -> Result<AssignReport> {
    if !zone_exists(tx, layer, zone)? {
        return Err(crate::error::Sq::from(Error::NotFound {
            what: "zone",
            key: format!("{layer}/{zone}"),
        }));
    }
    let mut report = AssignReport::default();
    for g in grids {
        match zone_of(tx, layer, g)? {
            Some(z) if z == zone => {
                report.unchanged.push(g.to_string());
                continue;
            }
            Some(z) if on_conflict == OnConflict::Refuse => {
                return Err(crate::error::Sq::from(Error::ZoneConflict {
                    layer: layer.to_string(),
                    grid: g.to_string(),
                    zone: z,
                }))
            }
            Some(z) => {
                remove_member(tx, layer, g)?;
                report.moved.push((g.to_string(), z));
            }
            None => report.added.push(g.to_string()),
        }
        if layer == DUTY_LAYER {
            tx.prepare_cached("INSERT INTO duty_grid_member (duty_grid, grid) VALUES (?1, ?2)")?
                .execute(params![zone, g.as_str()])
                .map_err(|e| constraint(e, "duty grid member", g.as_str()))?;
        } else {
            tx.prepare_cached("INSERT INTO zone_member (layer, zone, grid) VALUES (?1, ?2, ?3)")?
                .execute(params![layer, zone, g.as_str()])
                .map_err(|e| constraint(e, "zone member", g.as_str()))?;
        }
    }
    Ok(report)
}

pub fn remove_member(tx: &Connection, layer: &str, g: &GridCode) -> Result<usize> {
    Ok(if layer == DUTY_LAYER {
        tx.prepare_cached("DELETE FROM duty_grid_member WHERE grid = ?1")?
            .execute([g.as_str()])?
    } else {
        tx.prepare_cached("DELETE FROM zone_member WHERE layer = ?1 AND grid = ?2")?
            .execute(params![layer, g.as_str()])?
    })
}

/// Takes grids out of whatever zone of `layer` holds them; returns how many were in one.
pub fn unassign(tx: &Connection, layer: &str, grids: &[GridCode]) -> Result<usize> {
    layer_exists(tx, layer)?;
    let mut n = 0;
    for g in grids {
        n += usize::from(remove_member(tx, layer, g)? > 0);
    }
    Ok(n)
}

/// Inserts or replaces a road line.
pub fn put_road(tx: &Connection, r: &RoadLine) -> Result<()> {
    let geom = wkb_io::to_wkb(&Geometry::LineString(r.line.clone()))?;
    tx.execute(
        "INSERT INTO road_line (code, name, class, geom, length_m, chief, unit)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, class = excluded.class,
         geom = excluded.geom, length_m = excluded.length_m, chief = excluded.chief,
         unit = excluded.unit",
        params![
            r.code.trim(),
            r.name,
            r.class.key(),
            geom,
            r.length_m,
            empty_to_none(&r.chief),
            empty_to_none(&r.unit)
        ],
    )
    .map_err(|e| constraint(e, "road line", &r.code))?;
    Ok(())
}

/// Deletes a road line.
pub fn delete_road(tx: &Connection, code: &str) -> Result<()> {
    let n = tx.execute("DELETE FROM road_line WHERE code = ?1", [code])?;
    Ok(found(n, "road line", code)?)
}

/// Writes a generated sample's zone records (inside the caller's transaction).
pub fn write_sample(tx: &Connection, z: &griddesk_zones::zones::SampleZones) -> Result<()> {
    for u in &z.units {
        put_unit(tx, u)?;
    }
    for p in &z.people {
        put_person(tx, p)?;
    }
    for l in &z.layers {
        put_layer(tx, l)?;
    }
    for zone in &z.zones {
        // Duty grids were written with their members by the core writer.
        let members_written = zone.layer == DUTY_LAYER && zone_exists(tx, DUTY_LAYER, &zone.code)?;
        put_zone(
            tx,
            &zone.layer,
            &zone.code,
            &zone.name,
            zone.unit.as_deref(),
            &zone.people,
        )?;
        if !members_written {
            assign(tx, &zone.layer, &zone.code, &zone.grids, OnConflict::Refuse)?;
        }
    }
    for r in &z.roads {
        put_road(tx, r)?;
    }
    Ok(())
}

/// Sets the unit and people of an existing duty grid (its name and members stay).
pub fn link_duty(tx: &Connection, code: &str, unit: Option<&str>, people: &[String]) -> Result<()> {
    let name: String = tx
        .query_row("SELECT name FROM duty_grid WHERE code = ?1", [code], |r| {
            r.get(0)
        })
        .optional()?
        .ok_or_else(|| Error::NotFound {
            what: "duty grid",
            key: code.to_string(),
        })?;
    put_zone(tx, DUTY_LAYER, code, &name, unit, people)
}

impl griddesk_zones::zones::store::ZoneStore for crate::Db<'_> {
    fn load(&self) -> griddesk_core::Result<ZoneData> {
        (load(self.0)).map_err(griddesk_core::Error::from)
    }
    fn put_unit(&self, u: &OrgUnit) -> griddesk_core::Result<()> {
        (put_unit(self.0, u)).map_err(griddesk_core::Error::from)
    }
    fn delete_unit(&self, code: &str) -> griddesk_core::Result<()> {
        (delete_unit(self.0, code)).map_err(griddesk_core::Error::from)
    }
    fn put_person(&self, p: &Person) -> griddesk_core::Result<()> {
        (put_person(self.0, p)).map_err(griddesk_core::Error::from)
    }
    fn delete_person(&self, id: &str) -> griddesk_core::Result<()> {
        (delete_person(self.0, id)).map_err(griddesk_core::Error::from)
    }
    fn put_layer(&self, l: &ZoneLayer) -> griddesk_core::Result<()> {
        (put_layer(self.0, l)).map_err(griddesk_core::Error::from)
    }
    fn delete_layer(&self, code: &str) -> griddesk_core::Result<()> {
        (delete_layer(self.0, code)).map_err(griddesk_core::Error::from)
    }
    fn layer_exists(&self, layer: &str) -> griddesk_core::Result<()> {
        (layer_exists(self.0, layer)).map_err(griddesk_core::Error::from)
    }
    fn zone_exists(&self, layer: &str, code: &str) -> griddesk_core::Result<bool> {
        (zone_exists(self.0, layer, code)).map_err(griddesk_core::Error::from)
    }
    fn put_zone(
        &self,
        layer: &str,
        code: &str,
        name: &str,
        unit: Option<&str>,
        people: &[String],
    ) -> griddesk_core::Result<()> {
        (put_zone(self.0, layer, code, name, unit, people)).map_err(griddesk_core::Error::from)
    }
    fn delete_zone(&self, layer: &str, code: &str) -> griddesk_core::Result<()> {
        (delete_zone(self.0, layer, code)).map_err(griddesk_core::Error::from)
    }
    fn zone_of(&self, layer: &str, grid: &GridCode) -> griddesk_core::Result<Option<String>> {
        (zone_of(self.0, layer, grid)).map_err(griddesk_core::Error::from)
    }
    fn assign(
        &self,
        layer: &str,
        zone: &str,
        grids: &[GridCode],
        on_conflict: OnConflict,
    ) -> griddesk_core::Result<AssignReport> {
        (assign(self.0, layer, zone, grids, on_conflict)).map_err(griddesk_core::Error::from)
    }
    fn remove_member(&self, layer: &str, g: &GridCode) -> griddesk_core::Result<usize> {
        (remove_member(self.0, layer, g)).map_err(griddesk_core::Error::from)
    }
    fn unassign(&self, layer: &str, grids: &[GridCode]) -> griddesk_core::Result<usize> {
        (unassign(self.0, layer, grids)).map_err(griddesk_core::Error::from)
    }
    fn put_road(&self, r: &RoadLine) -> griddesk_core::Result<()> {
        (put_road(self.0, r)).map_err(griddesk_core::Error::from)
    }
    fn delete_road(&self, code: &str) -> griddesk_core::Result<()> {
        (delete_road(self.0, code)).map_err(griddesk_core::Error::from)
    }
    fn write_sample(&self, z: &griddesk_zones::zones::SampleZones) -> griddesk_core::Result<()> {
        (write_sample(self.0, z)).map_err(griddesk_core::Error::from)
    }
    fn link_duty(
        &self,
        code: &str,
        unit: Option<&str>,
        people: &[String],
    ) -> griddesk_core::Result<()> {
        (link_duty(self.0, code, unit, people)).map_err(griddesk_core::Error::from)
    }
}
