//! A district's responsibility zones (`griddesk_zones::zones::store::ZoneStore`): units,
//! people, zone layers, zones with their people and grids, road lines; the duty-grid layer is
//! the district's duty grids, as at the station. The rules are the station's (`store-sqlite`'s
//! `zones_sql.rs`), each statement kept to the district of the view; codes sort bytewise, as
//! SQLite sorts them.
//!
//! On [`DistrictTx`] every call runs in the caller's transaction; on [`DistrictScope`] a read
//! runs on the connection and each write in a transaction of its own.

use crate::error::{Error, Result};
use crate::model::{DistrictScope, DistrictTx};
use geo_types::Geometry;
use griddesk_core::code::GridCode;
use griddesk_core::message::{thing, Message, MessageCode as C};
use griddesk_io::io::wkb_io;
use griddesk_zones::zones::model::{
    LayerKind, Network, OrgUnit, Person, RoadClass, RoadLine, Role, SampleZones, UnitKind, Zone,
    ZoneLayer, DUTY_LAYER,
};
use griddesk_zones::zones::store::{empty_to_none, AssignReport, OnConflict, ZoneData, ZoneStore};
use postgres::error::SqlState;
use postgres::GenericClient;
use std::collections::{BTreeMap, HashMap};

type CoreResult<T> = griddesk_core::Result<T>;

fn q<T>(r: std::result::Result<T, postgres::Error>, what: impl FnOnce() -> String) -> Result<T> {
    r.map_err(|e| Error::of(e, what(), None))
}

fn corrupt(what: &'static str, key: &str, reason: impl std::fmt::Display) -> Error {
    Error::Corrupt {
        what,
        key: key.to_string(),
        reason: reason.to_string(),
    }
}

fn not_found(n: u64, what: &'static str, key: &str, d: &str) -> CoreResult<()> {
    if n == 0 {
        Err(Error::NotFound {
            what,
            key: key.to_string(),
            district: d.to_string(),
        }
        .into())
    } else {
        Ok(())
    }
}

/// A refused write, as the station names it: a key that exists is a duplicate; a reference to
/// a unit, person, layer or grid the district lacks (or a row still referred to) is invalid.
fn refused(e: postgres::Error, what: &'static str, key: &str, d: &str) -> griddesk_core::Error {
    match e.code() {
        Some(c) if *c == SqlState::UNIQUE_VIOLATION => griddesk_core::Error::Duplicate {
            what,
            key: key.to_string(),
        },
        Some(c) if *c == SqlState::FOREIGN_KEY_VIOLATION => griddesk_core::Error::Invalid(
            Message::new(C::ZoneReferenceMissing)
                .with("thing", thing(what))
                .text("key", key)
                .en(format!(
                    "{what} `{key}` refers to a unit, person, layer or grid that does not exist, \
                     or is still referred to"
                )),
        ),
        _ => Error::of(e, format!("writing {what} `{key}` of district {d}"), None).into(),
    }
}

fn load(c: &mut impl GenericClient, d: &str) -> CoreResult<ZoneData> {
    let mut out = ZoneData::default();
    let what = |t: &'static str| move || format!("reading the {t} of district {d}");
    for r in q(
        c.query(
            "SELECT code, name, kind, parent, phone FROM org_unit WHERE district = $1::text
              ORDER BY code COLLATE \"C\"",
            &[&d],
        ),
        what("units"),
    )? {
        let code: String = r.get(0);
        let kind: &str = r.get(2);
        out.units.push(OrgUnit {
            kind: UnitKind::parse(kind).ok_or_else(|| corrupt("unit", &code, "unknown kind"))?,
            name: r.get(1),
            parent: r.get(3),
            phone: r.get(4),
            code,
        });
    }
    for r in q(
        c.query(
            "SELECT id, name, role, phone, unit FROM person WHERE district = $1::text
              ORDER BY id COLLATE \"C\"",
            &[&d],
        ),
        what("people"),
    )? {
        let id: String = r.get(0);
        let role: &str = r.get(2);
        out.people.push(Person {
            role: Role::parse(role).ok_or_else(|| corrupt("person", &id, "unknown role"))?,
            name: r.get(1),
            phone: r.get(3),
            unit: r.get(4),
            id,
        });
    }
    for r in q(
        c.query(
            "SELECT code, name, kind, network, ord FROM zone_layer WHERE district = $1::text
              ORDER BY ord, code COLLATE \"C\"",
            &[&d],
        ),
        what("zone layers"),
    )? {
        let code: String = r.get(0);
        let (kind, network): (&str, &str) = (r.get(2), r.get(3));
        out.layers.push(ZoneLayer {
            kind: LayerKind::parse(kind).ok_or_else(|| corrupt("layer", &code, "unknown kind"))?,
            network: Network::parse(network)
                .ok_or_else(|| corrupt("layer", &code, "unknown network"))?,
            name: r.get(1),
            order: i64::from(r.get::<_, i32>(4)),
            code,
        });
    }
    // People per (layer, zone), in order.
    let mut people: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for r in q(
        c.query(
            "SELECT layer, zone, person FROM zone_person WHERE district = $1::text
              ORDER BY layer COLLATE \"C\", zone COLLATE \"C\", ord",
            &[&d],
        ),
        what("zones' people"),
    )? {
        people
            .entry((r.get(0), r.get(1)))
            .or_default()
            .push(r.get(2));
    }
    let mut take = |layer: &str, zone: &str| {
        people
            .remove(&(layer.to_string(), zone.to_string()))
            .unwrap_or_default()
    };
    let mut zones: Vec<Zone> = Vec::new();
    for r in q(
        c.query(
            "SELECT g.code, g.name, g.inspector, g.unit, m.grid FROM duty_grid g
               LEFT JOIN duty_grid_member m ON m.district = g.district AND m.duty_grid = g.code
              WHERE g.district = $1::text
              ORDER BY g.code COLLATE \"C\", m.grid COLLATE \"C\"",
            &[&d],
        ),
        what("duty grids"),
    )? {
        let code: String = r.get(0);
        if zones.last().is_none_or(|z| z.code != code) {
            out.duty_inspectors.insert(code.clone(), r.get(2));
            zones.push(Zone {
                layer: DUTY_LAYER.into(),
                people: take(DUTY_LAYER, &code),
                name: r.get(1),
                unit: r.get(3),
                grids: vec![],
                code,
            });
        }
        if let (Some(g), Some(z)) = (r.get::<_, Option<&str>>(4), zones.last_mut()) {
            z.grids
                .push(GridCode::parse(g).map_err(|e| corrupt("duty grid", &z.code, e))?);
        }
    }
    let first_generic = zones.len();
    let mut pos: HashMap<(String, String), usize> = HashMap::new();
    for r in q(
        c.query(
            "SELECT layer, code, name, unit FROM zone WHERE district = $1::text
              ORDER BY layer COLLATE \"C\", code COLLATE \"C\"",
            &[&d],
        ),
        what("zones"),
    )? {
        let (layer, code): (String, String) = (r.get(0), r.get(1));
        pos.insert((layer.clone(), code.clone()), zones.len());
        zones.push(Zone {
            people: take(&layer, &code),
            layer,
            code,
            name: r.get(2),
            unit: r.get(3),
            grids: vec![],
        });
    }
    for r in q(
        c.query(
            "SELECT layer, zone, grid FROM zone_member WHERE district = $1::text",
            &[&d],
        ),
        what("zone members"),
    )? {
        let key: (String, String) = (r.get(0), r.get(1));
        let g: &str = r.get(2);
        let z = pos
            .get(&key)
            .copied()
            .ok_or_else(|| corrupt("zone member", g, format!("zone `{}` is missing", key.1)))?;
        zones[z]
            .grids
            .push(GridCode::parse(g).map_err(|e| corrupt("zone", &key.1, e))?);
    }
    for z in &mut zones[first_generic..] {
        z.grids.sort();
    }
    out.zones = zones;
    for r in q(
        c.query(
            "SELECT code, name, class, ST_AsBinary(geom), length_m, chief, unit FROM road_line
              WHERE district = $1::text ORDER BY code COLLATE \"C\"",
            &[&d],
        ),
        what("road lines"),
    )? {
        let code: String = r.get(0);
        let class: &str = r.get(2);
        let line = match wkb_io::from_wkb(r.get(3)) {
            Ok(Geometry::LineString(l)) => l,
            Ok(_) => return Err(corrupt("road line", &code, "not a line string").into()),
            Err(e) => return Err(corrupt("road line", &code, e).into()),
        };
        out.roads.push(RoadLine {
            class: RoadClass::parse(class).ok_or_else(|| corrupt("road line", &code, "class"))?,
            name: r.get(1),
            line,
            length_m: r.get(4),
            chief: r.get(5),
            unit: r.get(6),
            code,
        });
    }
    Ok(out)
}

fn put_unit(c: &mut impl GenericClient, d: &str, u: &OrgUnit) -> CoreResult<()> {
    if empty_to_none(&u.parent) == Some(u.code.as_str()) {
        return Err(griddesk_core::Error::Invalid(
            Message::new(C::UnitOwnParent)
                .text("unit", &u.code)
                .en(format!("unit `{}` cannot be its own parent", u.code)),
        ));
    }
    c.execute(
        "INSERT INTO org_unit (district, code, name, kind, parent, phone)
         VALUES ($1::text, $2, $3, $4, $5, $6)
         ON CONFLICT (district, code) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind,
         parent = EXCLUDED.parent, phone = EXCLUDED.phone",
        &[
            &d,
            &u.code.trim(),
            &u.name,
            &u.kind.key(),
            &empty_to_none(&u.parent),
            &empty_to_none(&u.phone),
        ],
    )
    .map_err(|e| refused(e, "unit", &u.code, d))?;
    Ok(())
}

fn delete_unit(c: &mut impl GenericClient, d: &str, code: &str) -> CoreResult<()> {
    let n = c
        .execute(
            "DELETE FROM org_unit WHERE district = $1::text AND code = $2",
            &[&d, &code],
        )
        .map_err(|e| refused(e, "unit", code, d))?;
    not_found(n, "unit", code, d)
}

fn put_person(c: &mut impl GenericClient, d: &str, p: &Person) -> CoreResult<()> {
    c.execute(
        "INSERT INTO person (district, id, name, role, phone, unit)
         VALUES ($1::text, $2, $3, $4, $5, $6)
         ON CONFLICT (district, id) DO UPDATE SET name = EXCLUDED.name, role = EXCLUDED.role,
         phone = EXCLUDED.phone, unit = EXCLUDED.unit",
        &[
            &d,
            &p.id.trim(),
            &p.name,
            &p.role.key(),
            &empty_to_none(&p.phone),
            &empty_to_none(&p.unit),
        ],
    )
    .map_err(|e| refused(e, "person", &p.id, d))?;
    q(
        c.execute(
            "UPDATE duty_grid SET inspector = $3
              WHERE district = $1::text AND code IN
                    (SELECT zone FROM zone_person
                      WHERE district = $1::text AND layer = 'duty' AND person = $2 AND ord = 0)",
            &[&d, &p.id, &p.name],
        ),
        || format!("naming person `{}` in the duty grids they lead", p.id),
    )?;
    Ok(())
}

fn delete_person(c: &mut impl GenericClient, d: &str, id: &str) -> CoreResult<()> {
    let zones: Vec<String> = q(
        c.query(
            "SELECT layer || '/' || zone FROM zone_person WHERE district = $1::text AND person = $2
              ORDER BY (layer || '/' || zone) COLLATE \"C\"",
            &[&d, &id],
        ),
        || format!("finding the zones of person `{id}`"),
    )?
    .iter()
    .map(|r| r.get(0))
    .collect();
    if !zones.is_empty() {
        return Err(griddesk_core::Error::Invalid(
            Message::new(C::PersonStillResponsible)
                .text("person", id)
                .texts("zones", &zones)
                .en(format!(
                    "person `{id}` is still responsible for zone(s) {}; reassign them first",
                    zones.join(", ")
                )),
        ));
    }
    let n = c
        .execute(
            "DELETE FROM person WHERE district = $1::text AND id = $2",
            &[&d, &id],
        )
        .map_err(|e| refused(e, "person", id, d))?;
    not_found(n, "person", id, d)
}

fn put_layer(c: &mut impl GenericClient, d: &str, l: &ZoneLayer) -> CoreResult<()> {
    let code = l.code.trim();
    if (code == DUTY_LAYER) != (l.kind == LayerKind::Duty) {
        return Err(griddesk_core::Error::Invalid(
            Message::new(C::DutyLayerKind)
                .text("layer", code)
                .en(format!(
                    "layer `{code}`: only the built-in layer `{DUTY_LAYER}` is of kind duty"
                )),
        ));
    }
    if code == DUTY_LAYER && l.network != Network::Management {
        return Err(griddesk_core::Error::Invalid(
            Message::new(C::DutyLayerNetwork)
                .en("the duty-grid layer belongs to the management network"),
        ));
    }
    let ord = i32::try_from(l.order).map_err(|_| {
        griddesk_core::Error::Internal(format!(
            "layer `{code}`: display order {} is out of range",
            l.order
        ))
    })?;
    c.execute(
        "INSERT INTO zone_layer (district, code, name, kind, network, ord)
         VALUES ($1::text, $2, $3, $4, $5, $6)
         ON CONFLICT (district, code) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind,
         network = EXCLUDED.network, ord = EXCLUDED.ord",
        &[&d, &code, &l.name, &l.kind.key(), &l.network.key(), &ord],
    )
    .map_err(|e| refused(e, "layer", code, d))?;
    Ok(())
}

fn delete_layer(c: &mut impl GenericClient, d: &str, code: &str) -> CoreResult<()> {
    if code == DUTY_LAYER {
        return Err(griddesk_core::Error::Invalid(
            Message::new(C::DutyLayerUndeletable)
                .en("the duty-grid layer cannot be deleted (delete its duty grids instead)"),
        ));
    }
    let what = || format!("deleting layer `{code}` of district {d}");
    q(
        c.execute(
            "DELETE FROM zone_member WHERE district = $1::text AND layer = $2",
            &[&d, &code],
        ),
        what,
    )?;
    q(
        c.execute(
            "DELETE FROM zone WHERE district = $1::text AND layer = $2",
            &[&d, &code],
        ),
        what,
    )?;
    let n = q(
        c.execute(
            "DELETE FROM zone_layer WHERE district = $1::text AND code = $2",
            &[&d, &code],
        ),
        what,
    )?;
    not_found(n, "layer", code, d)
}

fn layer_exists(c: &mut impl GenericClient, d: &str, layer: &str) -> CoreResult<()> {
    let n: i64 = q(
        c.query_one(
            "SELECT count(*) FROM zone_layer WHERE district = $1::text AND code = $2",
            &[&d, &layer],
        ),
        || format!("looking up layer `{layer}` of district {d}"),
    )?
    .get(0);
    not_found(u64::try_from(n).unwrap_or(0), "layer", layer, d)
}

fn zone_exists(c: &mut impl GenericClient, d: &str, layer: &str, code: &str) -> CoreResult<bool> {
    let sql = if layer == DUTY_LAYER {
        "SELECT count(*) FROM duty_grid WHERE district = $1::text AND code = $3 AND $2 = 'duty'"
    } else {
        "SELECT count(*) FROM zone WHERE district = $1::text AND layer = $2 AND code = $3"
    };
    let n: i64 = q(c.query_one(sql, &[&d, &layer, &code]), || {
        format!("looking up zone `{layer}/{code}` of district {d}")
    })?
    .get(0);
    Ok(n > 0)
}

fn put_zone(
    c: &mut impl GenericClient,
    d: &str,
    layer: &str,
    code: &str,
    name: &str,
    unit: Option<&str>,
    people: &[String],
) -> CoreResult<()> {
    layer_exists(c, d, layer)?;
    let code = code.trim();
    if code.is_empty() {
        return Err(griddesk_core::Error::Invalid(
            Message::new(C::ZoneNeedsCode).en("a zone needs a code"),
        ));
    }
    let unit = unit.map(str::trim).filter(|u| !u.is_empty());
    for (i, p) in people.iter().enumerate() {
        if people[..i].contains(p) {
            return Err(griddesk_core::Error::Invalid(
                Message::new(C::PersonListedTwice)
                    .text("person", p)
                    .text("zone", code)
                    .en(format!("person `{p}` is listed twice for zone `{code}`")),
            ));
        }
    }
    let lead_name: Option<String> = match people.first() {
        Some(p) => Some(
            q(
                c.query_opt(
                    "SELECT name FROM person WHERE district = $1::text AND id = $2",
                    &[&d, p],
                ),
                || format!("looking up person `{p}` of district {d}"),
            )?
            .map(|r| r.get(0))
            .ok_or_else(|| griddesk_core::Error::NotFound {
                what: "person",
                key: p.clone(),
            })?,
        ),
        None => None,
    };
    if layer == DUTY_LAYER {
        c.execute(
            "INSERT INTO duty_grid (district, code, name, inspector, unit)
             VALUES ($1::text, $2, $3, coalesce($4, ''), $5)
             ON CONFLICT (district, code) DO UPDATE SET name = EXCLUDED.name,
             unit = EXCLUDED.unit, inspector = coalesce($4, duty_grid.inspector)",
            &[&d, &code, &name, &lead_name, &unit],
        )
        .map_err(|e| refused(e, "duty grid", code, d))?;
    } else {
        c.execute(
            "INSERT INTO zone (district, layer, code, name, unit) VALUES ($1::text, $2, $3, $4, $5)
             ON CONFLICT (district, layer, code) DO UPDATE SET name = EXCLUDED.name,
             unit = EXCLUDED.unit",
            &[&d, &layer, &code, &name, &unit],
        )
        .map_err(|e| refused(e, "zone", code, d))?;
    }
    q(
        c.execute(
            "DELETE FROM zone_person WHERE district = $1::text AND layer = $2 AND zone = $3",
            &[&d, &layer, &code],
        ),
        || format!("replacing the people of zone `{layer}/{code}`"),
    )?;
    for (i, p) in people.iter().enumerate() {
        let ord = i32::try_from(i).unwrap_or(i32::MAX);
        c.execute(
            "INSERT INTO zone_person (district, layer, zone, person, ord)
             VALUES ($1::text, $2, $3, $4, $5)",
            &[&d, &layer, &code, p, &ord],
        )
        .map_err(|e| refused(e, "zone person", p, d))?;
    }
    Ok(())
}

fn delete_zone(c: &mut impl GenericClient, d: &str, layer: &str, code: &str) -> CoreResult<()> {
    let what = || format!("deleting zone `{layer}/{code}` of district {d}");
    let n = if layer == DUTY_LAYER {
        q(
            c.execute(
                "DELETE FROM duty_grid_member WHERE district = $1::text AND duty_grid = $2",
                &[&d, &code],
            ),
            what,
        )?;
        q(
            c.execute(
                "DELETE FROM duty_grid WHERE district = $1::text AND code = $2",
                &[&d, &code],
            ),
            what,
        )?
    } else {
        q(
            c.execute(
                "DELETE FROM zone_member WHERE district = $1::text AND layer = $2 AND zone = $3",
                &[&d, &layer, &code],
            ),
            what,
        )?;
        q(
            c.execute(
                "DELETE FROM zone WHERE district = $1::text AND layer = $2 AND code = $3",
                &[&d, &layer, &code],
            ),
            what,
        )?
    };
    not_found(n, "zone", &format!("{layer}/{code}"), d)
}

fn zone_of(
    c: &mut impl GenericClient,
    d: &str,
    layer: &str,
    grid: &GridCode,
) -> CoreResult<Option<String>> {
    let sql = if layer == DUTY_LAYER {
        "SELECT duty_grid FROM duty_grid_member
          WHERE district = $1::text AND grid = $3 AND $2 = 'duty'
          ORDER BY duty_grid COLLATE \"C\" LIMIT 1"
    } else {
        "SELECT zone FROM zone_member WHERE district = $1::text AND layer = $2 AND grid = $3"
    };
    Ok(q(c.query_opt(sql, &[&d, &layer, &grid.as_str()]), || {
        format!("finding the {layer} zone of grid {grid} in district {d}")
    })?
    .map(|r| r.get(0)))
}

fn assign(
    c: &mut impl GenericClient,
    d: &str,
    layer: &str,
    zone: &str,
    grids: &[GridCode],
    on_conflict: OnConflict,
) -> CoreResult<AssignReport> {
    if !zone_exists(c, d, layer, zone)? {
        return Err(griddesk_core::Error::NotFound {
            what: "zone",
            key: format!("{layer}/{zone}"),
        });
    }
    let mut report = AssignReport::default();
    for g in grids {
        match zone_of(c, d, layer, g)? {
            Some(z) if z == zone => {
                report.unchanged.push(g.to_string());
                continue;
            }
            Some(z) if on_conflict == OnConflict::Refuse => {
                return Err(griddesk_core::Error::ZoneConflict {
                    layer: layer.to_string(),
                    grid: g.to_string(),
                    zone: z,
                })
            }
            Some(z) => {
                remove_member(c, d, layer, g)?;
                report.moved.push((g.to_string(), z));
            }
            None => report.added.push(g.to_string()),
        }
        if layer == DUTY_LAYER {
            c.execute(
                "INSERT INTO duty_grid_member (district, duty_grid, grid) VALUES ($1::text, $2, $3)",
                &[&d, &zone, &g.as_str()],
            )
            .map_err(|e| refused(e, "duty grid member", g.as_str(), d))?;
        } else {
            c.execute(
                "INSERT INTO zone_member (district, layer, zone, grid) VALUES ($1::text, $2, $3, $4)",
                &[&d, &layer, &zone, &g.as_str()],
            )
            .map_err(|e| refused(e, "zone member", g.as_str(), d))?;
        }
    }
    Ok(report)
}

fn remove_member(
    c: &mut impl GenericClient,
    d: &str,
    layer: &str,
    g: &GridCode,
) -> CoreResult<usize> {
    let n = if layer == DUTY_LAYER {
        q(
            c.execute(
                "DELETE FROM duty_grid_member WHERE district = $1::text AND grid = $2",
                &[&d, &g.as_str()],
            ),
            || format!("taking grid {g} out of its duty grid in district {d}"),
        )?
    } else {
        q(
            c.execute(
                "DELETE FROM zone_member WHERE district = $1::text AND layer = $2 AND grid = $3",
                &[&d, &layer, &g.as_str()],
            ),
            || format!("taking grid {g} out of its {layer} zone in district {d}"),
        )?
    };
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

fn unassign(
    c: &mut impl GenericClient,
    d: &str,
    layer: &str,
    grids: &[GridCode],
) -> CoreResult<usize> {
    layer_exists(c, d, layer)?;
    let mut n = 0;
    for g in grids {
        n += usize::from(remove_member(c, d, layer, g)? > 0);
    }
    Ok(n)
}

fn put_road(c: &mut impl GenericClient, d: &str, r: &RoadLine) -> CoreResult<()> {
    let geom = wkb_io::to_wkb(&Geometry::LineString(r.line.clone()))?;
    c.execute(
        "INSERT INTO road_line (district, code, name, class, geom, length_m, chief, unit)
         VALUES ($1::text, $2, $3, $4, ST_GeomFromWKB($5, 4326), $6, $7, $8)
         ON CONFLICT (district, code) DO UPDATE SET name = EXCLUDED.name, class = EXCLUDED.class,
         geom = EXCLUDED.geom, length_m = EXCLUDED.length_m, chief = EXCLUDED.chief,
         unit = EXCLUDED.unit",
        &[
            &d,
            &r.code.trim(),
            &r.name,
            &r.class.key(),
            &geom,
            &r.length_m,
            &empty_to_none(&r.chief),
            &empty_to_none(&r.unit),
        ],
    )
    .map_err(|e| refused(e, "road line", &r.code, d))?;
    Ok(())
}

fn delete_road(c: &mut impl GenericClient, d: &str, code: &str) -> CoreResult<()> {
    let n = q(
        c.execute(
            "DELETE FROM road_line WHERE district = $1::text AND code = $2",
            &[&d, &code],
        ),
        || format!("deleting road line `{code}` of district {d}"),
    )?;
    not_found(n, "road line", code, d)
}

fn write_sample(c: &mut impl GenericClient, d: &str, z: &SampleZones) -> CoreResult<()> {
    for u in &z.units {
        put_unit(c, d, u)?;
    }
    for p in &z.people {
        put_person(c, d, p)?;
    }
    for l in &z.layers {
        put_layer(c, d, l)?;
    }
    for zone in &z.zones {
        // Duty grids were written with their members by the core writer.
        let members_written =
            zone.layer == DUTY_LAYER && zone_exists(c, d, DUTY_LAYER, &zone.code)?;
        put_zone(
            c,
            d,
            &zone.layer,
            &zone.code,
            &zone.name,
            zone.unit.as_deref(),
            &zone.people,
        )?;
        if !members_written {
            assign(
                c,
                d,
                &zone.layer,
                &zone.code,
                &zone.grids,
                OnConflict::Refuse,
            )?;
        }
    }
    for r in &z.roads {
        put_road(c, d, r)?;
    }
    Ok(())
}

fn link_duty(
    c: &mut impl GenericClient,
    d: &str,
    code: &str,
    unit: Option<&str>,
    people: &[String],
) -> CoreResult<()> {
    let name: String = q(
        c.query_opt(
            "SELECT name FROM duty_grid WHERE district = $1::text AND code = $2",
            &[&d, &code],
        ),
        || format!("looking up duty grid `{code}` of district {d}"),
    )?
    .map(|r| r.get(0))
    .ok_or_else(|| griddesk_core::Error::NotFound {
        what: "duty grid",
        key: code.to_string(),
    })?;
    put_zone(c, d, DUTY_LAYER, code, &name, unit, people)
}

/// Runs `f` on the transaction of a [`DistrictTx`].
macro_rules! on_tx {
    ($s:expr, $f:ident $(, $a:expr)*) => {
        $f(&mut *$s.tx.tx.borrow_mut(), $s.district.as_str() $(, $a)*)
    };
}

/// Runs a write of a [`DistrictScope`] in a transaction of its own.
macro_rules! in_tx {
    ($s:expr, $f:ident $(, $a:expr)*) => {{
        let d = $s.district;
        $s.centre
            .transaction(|tx| $f(&mut *tx.tx.borrow_mut(), d.as_str() $(, $a)*))
    }};
}

/// Runs a read of a [`DistrictScope`] on its connection.
macro_rules! on_conn {
    ($s:expr, $f:ident $(, $a:expr)*) => {
        $s.centre.with(|c| Ok($f(c, $s.district.as_str() $(, $a)*)))?
    };
}

impl ZoneStore for DistrictTx<'_, '_> {
    fn load(&self) -> CoreResult<ZoneData> {
        on_tx!(self, load)
    }
    fn put_unit(&self, u: &OrgUnit) -> CoreResult<()> {
        on_tx!(self, put_unit, u)
    }
    fn delete_unit(&self, code: &str) -> CoreResult<()> {
        on_tx!(self, delete_unit, code)
    }
    fn put_person(&self, p: &Person) -> CoreResult<()> {
        on_tx!(self, put_person, p)
    }
    fn delete_person(&self, id: &str) -> CoreResult<()> {
        on_tx!(self, delete_person, id)
    }
    fn put_layer(&self, l: &ZoneLayer) -> CoreResult<()> {
        on_tx!(self, put_layer, l)
    }
    fn delete_layer(&self, code: &str) -> CoreResult<()> {
        on_tx!(self, delete_layer, code)
    }
    fn layer_exists(&self, layer: &str) -> CoreResult<()> {
        on_tx!(self, layer_exists, layer)
    }
    fn zone_exists(&self, layer: &str, code: &str) -> CoreResult<bool> {
        on_tx!(self, zone_exists, layer, code)
    }
    fn put_zone(
        &self,
        layer: &str,
        code: &str,
        name: &str,
        unit: Option<&str>,
        people: &[String],
    ) -> CoreResult<()> {
        on_tx!(self, put_zone, layer, code, name, unit, people)
    }
    fn delete_zone(&self, layer: &str, code: &str) -> CoreResult<()> {
        on_tx!(self, delete_zone, layer, code)
    }
    fn zone_of(&self, layer: &str, grid: &GridCode) -> CoreResult<Option<String>> {
        on_tx!(self, zone_of, layer, grid)
    }
    fn assign(
        &self,
        layer: &str,
        zone: &str,
        grids: &[GridCode],
        on_conflict: OnConflict,
    ) -> CoreResult<AssignReport> {
        on_tx!(self, assign, layer, zone, grids, on_conflict)
    }
    fn remove_member(&self, layer: &str, g: &GridCode) -> CoreResult<usize> {
        on_tx!(self, remove_member, layer, g)
    }
    fn unassign(&self, layer: &str, grids: &[GridCode]) -> CoreResult<usize> {
        on_tx!(self, unassign, layer, grids)
    }
    fn put_road(&self, r: &RoadLine) -> CoreResult<()> {
        on_tx!(self, put_road, r)
    }
    fn delete_road(&self, code: &str) -> CoreResult<()> {
        on_tx!(self, delete_road, code)
    }
    fn write_sample(&self, z: &SampleZones) -> CoreResult<()> {
        on_tx!(self, write_sample, z)
    }
    fn link_duty(&self, code: &str, unit: Option<&str>, people: &[String]) -> CoreResult<()> {
        on_tx!(self, link_duty, code, unit, people)
    }
}

/// Reads on the connection; each write in a transaction of its own.
impl ZoneStore for DistrictScope<'_> {
    fn load(&self) -> CoreResult<ZoneData> {
        on_conn!(self, load)
    }
    fn put_unit(&self, u: &OrgUnit) -> CoreResult<()> {
        in_tx!(self, put_unit, u)
    }
    fn delete_unit(&self, code: &str) -> CoreResult<()> {
        in_tx!(self, delete_unit, code)
    }
    fn put_person(&self, p: &Person) -> CoreResult<()> {
        in_tx!(self, put_person, p)
    }
    fn delete_person(&self, id: &str) -> CoreResult<()> {
        in_tx!(self, delete_person, id)
    }
    fn put_layer(&self, l: &ZoneLayer) -> CoreResult<()> {
        in_tx!(self, put_layer, l)
    }
    fn delete_layer(&self, code: &str) -> CoreResult<()> {
        in_tx!(self, delete_layer, code)
    }
    fn layer_exists(&self, layer: &str) -> CoreResult<()> {
        on_conn!(self, layer_exists, layer)
    }
    fn zone_exists(&self, layer: &str, code: &str) -> CoreResult<bool> {
        on_conn!(self, zone_exists, layer, code)
    }
    fn put_zone(
        &self,
        layer: &str,
        code: &str,
        name: &str,
        unit: Option<&str>,
        people: &[String],
    ) -> CoreResult<()> {
        in_tx!(self, put_zone, layer, code, name, unit, people)
    }
    fn delete_zone(&self, layer: &str, code: &str) -> CoreResult<()> {
        in_tx!(self, delete_zone, layer, code)
    }
    fn zone_of(&self, layer: &str, grid: &GridCode) -> CoreResult<Option<String>> {
        on_conn!(self, zone_of, layer, grid)
    }
    fn assign(
        &self,
        layer: &str,
        zone: &str,
        grids: &[GridCode],
        on_conflict: OnConflict,
    ) -> CoreResult<AssignReport> {
        in_tx!(self, assign, layer, zone, grids, on_conflict)
    }
    fn remove_member(&self, layer: &str, g: &GridCode) -> CoreResult<usize> {
        in_tx!(self, remove_member, layer, g)
    }
    fn unassign(&self, layer: &str, grids: &[GridCode]) -> CoreResult<usize> {
        in_tx!(self, unassign, layer, grids)
    }
    fn put_road(&self, r: &RoadLine) -> CoreResult<()> {
        in_tx!(self, put_road, r)
    }
    fn delete_road(&self, code: &str) -> CoreResult<()> {
        in_tx!(self, delete_road, code)
    }
    fn write_sample(&self, z: &SampleZones) -> CoreResult<()> {
        in_tx!(self, write_sample, z)
    }
    fn link_duty(&self, code: &str, unit: Option<&str>, people: &[String]) -> CoreResult<()> {
        in_tx!(self, link_duty, code, unit, people)
    }
}
