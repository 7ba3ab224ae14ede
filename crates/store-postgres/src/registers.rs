//! A district's street registers (`griddesk_registers::registers::store::RegistersStore`):
//! service objects with their history (sealed), vendors and their warnings (sealed), vending
//! zones and admissions, notices and their deliveries, move-car reminders, register photos,
//! the colour ladder and the log of person lookups (sealed), each kept to the district of the
//! view. The industry sub-classes are the city's (shared): read by every district, replaced
//! by the centre only. The rules are the station's (`store-sqlite`'s `registers_sql.rs`);
//! JSON columns stay text, byte for byte; points are lon/lat columns with a generated PostGIS
//! point beside them.
//!
//! On [`DistrictTx`] every call runs in the caller's transaction; on [`DistrictScope`] a read
//! runs on the connection and each write in a transaction of its own.

use crate::error::{Error, Result};
use crate::model::{DistrictScope, DistrictTx};
use chrono::NaiveDateTime;
use griddesk_registers::registers::industry::Subclass;
use griddesk_registers::registers::model::{
    Admission, AdmissionStatus, MoveCarReminder, MoveOutcome, Notice, ObjectKind, ObjectStatus,
    ServiceObject, Target, TargetKind, VendingZone, Vendor, Warning,
};
use griddesk_registers::registers::rules::Ladder;
use griddesk_registers::registers::store::{
    Delivery, HistoryRow, NewPhoto, PersonLookup, RegisterPhoto, RegistersStore,
};
use griddesk_registers::registers::RegisterData;
use postgres::error::SqlState;
use postgres::GenericClient;

type CoreResult<T> = griddesk_core::Result<T>;

fn q<T>(r: std::result::Result<T, postgres::Error>, what: impl FnOnce() -> String) -> Result<T> {
    r.map_err(|e| Error::of(e, what(), None))
}

fn json<T: serde::Serialize>(v: &T) -> CoreResult<String> {
    serde_json::to_string(v)
        .map_err(|e| griddesk_core::Error::Internal(format!("encoding JSON: {e}")))
}

fn unjson<T: serde::de::DeserializeOwned>(what: &'static str, key: &str, s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| Error::Corrupt {
        what,
        key: key.to_string(),
        reason: e.to_string(),
    })
}

fn keyed<T>(what: &'static str, key: &str, s: &str, parse: fn(&str) -> Option<T>) -> Result<T> {
    parse(s).ok_or_else(|| Error::Corrupt {
        what,
        key: key.to_string(),
        reason: format!("`{s}` is unknown"),
    })
}

fn int(v: u32, what: &str) -> CoreResult<i32> {
    i32::try_from(v).map_err(|_| {
        griddesk_core::Error::Internal(format!("{what} {v} is more than the centre's column holds"))
    })
}

fn count(v: i32, what: &'static str, key: &str) -> Result<u32> {
    u32::try_from(v).map_err(|_| Error::Corrupt {
        what,
        key: key.to_string(),
        reason: format!("negative {v}"),
    })
}

const OBJECT_COLUMNS: &str = "id, kind, name, address, lon, lat, grid, grid_reason, section,
    subclass, credit_code, legal_rep, id_number, contact, phone, licence, status, collected_by,
    collected_on, verified_by, verified_at, frontage, note";

fn object_of(r: &postgres::Row) -> Result<ServiceObject> {
    let id: i64 = r.get(0);
    let key = id.to_string();
    let frontage: Option<&str> = r.get(21);
    Ok(ServiceObject {
        id,
        kind: keyed("service object", &key, r.get(1), ObjectKind::parse)?,
        name: r.get(2),
        address: r.get(3),
        location: [r.get(4), r.get(5)],
        grid: r.get(6),
        grid_reason: r.get(7),
        section: r.get(8),
        subclass: r.get(9),
        credit_code: r.get(10),
        legal_rep: r.get(11),
        id_number: r.get(12),
        contact: r.get(13),
        phone: r.get(14),
        licence: r.get(15),
        status: keyed("service object", &key, r.get(16), ObjectStatus::parse)?,
        collected_by: r.get(17),
        collected_on: r.get(18),
        verified_by: r.get(19),
        verified_at: r.get(20),
        frontage: frontage
            .map(|f| unjson("service object", &key, f))
            .transpose()?,
        note: r.get(22),
    })
}

fn load(c: &mut impl GenericClient, d: &str) -> CoreResult<RegisterData> {
    let what = |t: &'static str| move || format!("reading the {t} of district {d}");
    let objects = q(
        c.query(
            &format!(
                "SELECT {OBJECT_COLUMNS} FROM service_object WHERE district = $1::text ORDER BY id"
            ),
            &[&d],
        ),
        what("service objects"),
    )?
    .iter()
    .map(object_of)
    .collect::<Result<Vec<_>>>()?;
    let subclasses = q(
        c.query(
            "SELECT code, section, name FROM industry_subclass ORDER BY ord",
            &[],
        ),
        what("industry sub-classes"),
    )?
    .iter()
    .map(|r| Subclass {
        code: r.get(0),
        section: r.get(1),
        name: r.get(2),
    })
    .collect();
    let vendors = q(
        c.query(
            "SELECT id, name, phone, id_number, trade, usual_lon, usual_lat, note, created_at,
                    created_by FROM vendor WHERE district = $1::text ORDER BY id",
            &[&d],
        ),
        what("vendors"),
    )?
    .iter()
    .map(|r| {
        let (lon, lat): (Option<f64>, Option<f64>) = (r.get(5), r.get(6));
        Vendor {
            id: r.get(0),
            name: r.get(1),
            phone: r.get(2),
            id_number: r.get(3),
            trade: r.get(4),
            usual_place: lon.zip(lat).map(|(a, b)| [a, b]),
            note: r.get(7),
            created_at: r.get(8),
            created_by: r.get(9),
        }
    })
    .collect();
    let warnings = q(
        c.query(
            "SELECT id, vendor, at, lon, lat, grid, inspector, matter, refused, note
               FROM vendor_warning WHERE district = $1::text ORDER BY at, id",
            &[&d],
        ),
        what("vendor warnings"),
    )?
    .iter()
    .map(|r| Warning {
        id: r.get(0),
        vendor: r.get(1),
        at: r.get(2),
        location: [r.get(3), r.get(4)],
        grid: r.get(5),
        inspector: r.get(6),
        matter: r.get(7),
        refused: r.get(8),
        note: r.get(9),
    })
    .collect();
    let zones = q(
        c.query(
            "SELECT code, name, ring, days, hours, trades, capacity, note FROM vending_zone
              WHERE district = $1::text ORDER BY code COLLATE \"C\"",
            &[&d],
        ),
        what("vending zones"),
    )?
    .iter()
    .map(|r| {
        let code: String = r.get(0);
        Ok(VendingZone {
            name: r.get(1),
            ring: unjson("vending zone", &code, r.get(2))?,
            days: unjson("vending zone", &code, r.get(3))?,
            hours: unjson("vending zone", &code, r.get(4))?,
            trades: unjson("vending zone", &code, r.get(5))?,
            capacity: r
                .get::<_, Option<i32>>(6)
                .map(|n| count(n, "vending zone", &code))
                .transpose()?,
            note: r.get(7),
            code,
        })
    })
    .collect::<Result<Vec<_>>>()?;
    let admissions = q(
        c.query(
            "SELECT id, zone, vendor, trade, status, admitted_at, admitted_by, stall, filed_at,
                    exited_at, exit_reason FROM vending_admission
              WHERE district = $1::text ORDER BY id",
            &[&d],
        ),
        what("vending admissions"),
    )?
    .iter()
    .map(|r| {
        let id: i64 = r.get(0);
        Ok(Admission {
            id,
            zone: r.get(1),
            vendor: r.get(2),
            trade: r.get(3),
            status: keyed(
                "vending admission",
                &id.to_string(),
                r.get(4),
                AdmissionStatus::parse,
            )?,
            admitted_at: r.get(5),
            admitted_by: r.get(6),
            stall: r.get(7),
            filed_at: r.get(8),
            exited_at: r.get(9),
            exit_reason: r.get(10),
        })
    })
    .collect::<Result<Vec<_>>>()?;
    let ladder: Option<String> = q(
        c.query_opt(
            "SELECT value FROM register_setting WHERE district = $1::text AND key = 'ladder'",
            &[&d],
        ),
        what("colour ladder"),
    )?
    .map(|r| r.get(0));
    Ok(RegisterData {
        objects,
        subclasses,
        vendors,
        warnings,
        zones,
        admissions,
        ladder: ladder
            .map(|l| unjson("register setting", "ladder", &l))
            .transpose()?
            .unwrap_or_default(),
    })
}

fn put_object(c: &mut impl GenericClient, d: &str, o: &ServiceObject) -> CoreResult<i64> {
    let frontage = o.frontage.as_ref().map(json).transpose()?;
    let updates = "kind = EXCLUDED.kind, name = EXCLUDED.name, address = EXCLUDED.address,
        lon = EXCLUDED.lon, lat = EXCLUDED.lat, grid = EXCLUDED.grid,
        grid_reason = EXCLUDED.grid_reason, section = EXCLUDED.section,
        subclass = EXCLUDED.subclass, credit_code = EXCLUDED.credit_code,
        legal_rep = EXCLUDED.legal_rep, id_number = EXCLUDED.id_number,
        contact = EXCLUDED.contact, phone = EXCLUDED.phone, licence = EXCLUDED.licence,
        status = EXCLUDED.status, collected_by = EXCLUDED.collected_by,
        collected_on = EXCLUDED.collected_on, verified_by = EXCLUDED.verified_by,
        verified_at = EXCLUDED.verified_at, frontage = EXCLUDED.frontage, note = EXCLUDED.note";
    // A new object (id 0) takes the centre's next id; an existing one is replaced.
    let (sql, id) = if o.id == 0 {
        (
            format!(
                "INSERT INTO service_object (district, {OBJECT_COLUMNS})
                 VALUES ($1::text, DEFAULT, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
                         $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)
                 RETURNING id, $2::bigint"
            ),
            None,
        )
    } else {
        (
            format!(
                "INSERT INTO service_object (district, {OBJECT_COLUMNS})
                 VALUES ($1::text, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                         $16, $17, $18, $19, $20, $21, $22, $23, $24)
                 ON CONFLICT (district, id) DO UPDATE SET {updates}
                 RETURNING id, $2::bigint"
            ),
            Some(o.id),
        )
    };
    let row = c
        .query_one(
            &sql,
            &[
                &d,
                &id,
                &o.kind.key(),
                &o.name,
                &o.address,
                &o.location[0],
                &o.location[1],
                &o.grid,
                &o.grid_reason,
                &o.section,
                &o.subclass,
                &o.credit_code,
                &o.legal_rep,
                &o.id_number,
                &o.contact,
                &o.phone,
                &o.licence,
                &o.status.key(),
                &o.collected_by,
                &o.collected_on,
                &o.verified_by,
                &o.verified_at,
                &frontage,
                &o.note,
            ],
        )
        .map_err(|e| {
            let key = o.credit_code.clone().unwrap_or_else(|| o.name.clone());
            if e.code() == Some(&SqlState::UNIQUE_VIOLATION) {
                griddesk_core::Error::Duplicate {
                    what: "service object",
                    key,
                }
            } else {
                Error::of(
                    e,
                    format!("writing service object `{key}` of district {d}"),
                    None,
                )
                .into()
            }
        })?;
    Ok(row.get(0))
}

fn add_history(c: &mut impl GenericClient, d: &str, h: &HistoryRow) -> CoreResult<()> {
    let (before, after) = (
        h.before.as_ref().map(json).transpose()?,
        h.after.as_ref().map(json).transpose()?,
    );
    q(
        c.execute(
            "INSERT INTO service_object_history (district, object, at, login, action, reason,
                                                 before, after)
             VALUES ($1::text, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &d, &h.object, &h.at, &h.by, &h.action, &h.reason, &before, &after,
            ],
        ),
        || {
            format!(
                "recording `{}` of service object {} of district {d}",
                h.action, h.object
            )
        },
    )?;
    Ok(())
}

fn history(c: &mut impl GenericClient, d: &str, object: i64) -> CoreResult<Vec<HistoryRow>> {
    q(
        c.query(
            "SELECT object, at, login, action, reason, before, after FROM service_object_history
              WHERE district = $1::text AND object = $2 ORDER BY seq",
            &[&d, &object],
        ),
        || format!("reading the history of service object {object} of district {d}"),
    )?
    .iter()
    .map(|r| {
        let key = object.to_string();
        let (b, a): (Option<&str>, Option<&str>) = (r.get(5), r.get(6));
        Ok(HistoryRow {
            object: r.get(0),
            at: r.get(1),
            by: r.get(2),
            action: r.get(3),
            reason: r.get(4),
            before: b
                .map(|b| unjson("service object history", &key, b))
                .transpose()?,
            after: a
                .map(|a| unjson("service object history", &key, a))
                .transpose()?,
        })
    })
    .collect::<Result<Vec<_>>>()
    .map_err(Into::into)
}

/// The city's table: replaced by the centre (a station's role may only read it).
fn put_subclasses(c: &mut impl GenericClient, t: &[Subclass]) -> CoreResult<()> {
    let what = || "replacing the city's industry sub-classes".to_string();
    q(c.execute("DELETE FROM industry_subclass", &[]), what)?;
    let st = q(
        c.prepare(
            "INSERT INTO industry_subclass (code, section, name, ord) VALUES ($1, $2, $3, $4)",
        ),
        what,
    )?;
    for (i, s) in t.iter().enumerate() {
        let ord = i32::try_from(i).unwrap_or(i32::MAX);
        c.execute(&st, &[&s.code, &s.section, &s.name, &ord])
            .map_err(|e| Error::of(e, what(), Some(("industry sub-class", &s.code))))?;
    }
    Ok(())
}

fn put_vendor(c: &mut impl GenericClient, d: &str, v: &Vendor) -> CoreResult<i64> {
    let id = (v.id != 0).then_some(v.id);
    let sql = if id.is_none() {
        "INSERT INTO vendor (district, id, name, phone, id_number, trade, usual_lon, usual_lat,
                             note, created_at, created_by)
         VALUES ($1::text, DEFAULT, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         RETURNING id, $2::bigint"
    } else {
        "INSERT INTO vendor (district, id, name, phone, id_number, trade, usual_lon, usual_lat,
                             note, created_at, created_by)
         VALUES ($1::text, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (district, id) DO UPDATE SET name = EXCLUDED.name, phone = EXCLUDED.phone,
         id_number = EXCLUDED.id_number, trade = EXCLUDED.trade,
         usual_lon = EXCLUDED.usual_lon, usual_lat = EXCLUDED.usual_lat, note = EXCLUDED.note
         RETURNING id, $2::bigint"
    };
    Ok(q(
        c.query_one(
            sql,
            &[
                &d,
                &id,
                &v.name,
                &v.phone,
                &v.id_number,
                &v.trade,
                &v.usual_place.map(|p| p[0]),
                &v.usual_place.map(|p| p[1]),
                &v.note,
                &v.created_at,
                &v.created_by,
            ],
        ),
        || format!("writing vendor `{}` of district {d}", v.name),
    )?
    .get(0))
}

fn add_warning(c: &mut impl GenericClient, d: &str, w: &Warning) -> CoreResult<i64> {
    let row = c
        .query_one(
            "INSERT INTO vendor_warning (district, vendor, at, lon, lat, grid, inspector, matter,
                                         refused, note)
             VALUES ($1::text, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            &[
                &d,
                &w.vendor,
                &w.at,
                &w.location[0],
                &w.location[1],
                &w.grid,
                &w.inspector,
                &w.matter,
                &w.refused,
                &w.note,
            ],
        )
        .map_err(|e| {
            if e.code() == Some(&SqlState::FOREIGN_KEY_VIOLATION) {
                griddesk_core::Error::NotFound {
                    what: "vendor",
                    key: w.vendor.to_string(),
                }
            } else {
                Error::of(
                    e,
                    format!("warning vendor {} of district {d}", w.vendor),
                    None,
                )
                .into()
            }
        })?;
    Ok(row.get(0))
}

fn put_vending_zone(c: &mut impl GenericClient, d: &str, z: &VendingZone) -> CoreResult<()> {
    let capacity = z
        .capacity
        .map(|n| int(n, "a vending zone's capacity"))
        .transpose()?;
    q(
        c.execute(
            "INSERT INTO vending_zone (district, code, name, ring, days, hours, trades, capacity,
                                       note)
             VALUES ($1::text, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (district, code) DO UPDATE SET name = EXCLUDED.name,
             ring = EXCLUDED.ring, days = EXCLUDED.days, hours = EXCLUDED.hours,
             trades = EXCLUDED.trades, capacity = EXCLUDED.capacity, note = EXCLUDED.note",
            &[
                &d,
                &z.code,
                &z.name,
                &json(&z.ring)?,
                &json(&z.days)?,
                &json(&z.hours)?,
                &json(&z.trades)?,
                &capacity,
                &z.note,
            ],
        ),
        || format!("writing vending zone `{}` of district {d}", z.code),
    )?;
    Ok(())
}

fn delete_vending_zone(c: &mut impl GenericClient, d: &str, code: &str) -> CoreResult<usize> {
    let what = || format!("deleting vending zone `{code}` of district {d}");
    q(
        c.execute(
            "DELETE FROM vending_admission WHERE district = $1::text AND zone = $2",
            &[&d, &code],
        ),
        what,
    )?;
    let n = q(
        c.execute(
            "DELETE FROM vending_zone WHERE district = $1::text AND code = $2",
            &[&d, &code],
        ),
        what,
    )?;
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

fn put_admission(c: &mut impl GenericClient, d: &str, a: &Admission) -> CoreResult<i64> {
    let id = (a.id != 0).then_some(a.id);
    let sql = if id.is_none() {
        "INSERT INTO vending_admission (district, id, zone, vendor, trade, status, admitted_at,
                                        admitted_by, stall, filed_at, exited_at, exit_reason)
         VALUES ($1::text, DEFAULT, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         RETURNING id, $2::bigint"
    } else {
        "INSERT INTO vending_admission (district, id, zone, vendor, trade, status, admitted_at,
                                        admitted_by, stall, filed_at, exited_at, exit_reason)
         VALUES ($1::text, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (district, id) DO UPDATE SET trade = EXCLUDED.trade,
         status = EXCLUDED.status, stall = EXCLUDED.stall, filed_at = EXCLUDED.filed_at,
         exited_at = EXCLUDED.exited_at, exit_reason = EXCLUDED.exit_reason
         RETURNING id, $2::bigint"
    };
    Ok(q(
        c.query_one(
            sql,
            &[
                &d,
                &id,
                &a.zone,
                &a.vendor,
                &a.trade,
                &a.status.key(),
                &a.admitted_at,
                &a.admitted_by,
                &a.stall,
                &a.filed_at,
                &a.exited_at,
                &a.exit_reason,
            ],
        ),
        || {
            format!(
                "writing the admission of vendor {} to zone `{}` of district {d}",
                a.vendor, a.zone
            )
        },
    )?
    .get(0))
}

fn put_ladder(c: &mut impl GenericClient, d: &str, l: &Ladder) -> CoreResult<()> {
    q(
        c.execute(
            "INSERT INTO register_setting (district, key, value) VALUES ($1::text, 'ladder', $2)
             ON CONFLICT (district, key) DO UPDATE SET value = EXCLUDED.value",
            &[&d, &json(l)?],
        ),
        || format!("writing the colour ladder of district {d}"),
    )?;
    Ok(())
}

fn add_notice(
    c: &mut impl GenericClient,
    d: &str,
    n: &Notice,
    deliveries: &[(i64, String)],
) -> CoreResult<i64> {
    let recipients = i32::try_from(deliveries.len()).map_err(|_| {
        griddesk_core::Error::Internal(format!("{} recipients of one notice", deliveries.len()))
    })?;
    let what = || format!("storing notice `{}` of district {d}", n.title);
    let id: i64 = q(
        c.query_one(
            "INSERT INTO notice (district, title, template, target_kind, target_key, channel,
                                 created_at, created_by, recipients)
             VALUES ($1::text, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            &[
                &d,
                &n.title,
                &n.template,
                &n.target.kind.key(),
                &n.target.key,
                &n.channel,
                &n.created_at,
                &n.created_by,
                &recipients,
            ],
        ),
        what,
    )?
    .get(0);
    let st = q(
        c.prepare(
            "INSERT INTO notice_delivery (district, notice, object, text)
             VALUES ($1::text, $2, $3, $4)",
        ),
        what,
    )?;
    for (o, text) in deliveries {
        q(c.execute(&st, &[&d, &id, o, text]), || {
            format!("delivering notice {id} to service object {o} of district {d}")
        })?;
    }
    Ok(id)
}

fn notices(c: &mut impl GenericClient, d: &str) -> CoreResult<Vec<Notice>> {
    q(
        c.query(
            "SELECT id, title, template, target_kind, target_key, channel, created_at,
                    created_by, recipients FROM notice WHERE district = $1::text ORDER BY id DESC",
            &[&d],
        ),
        || format!("reading the notices of district {d}"),
    )?
    .iter()
    .map(|r| {
        let id: i64 = r.get(0);
        let key = id.to_string();
        Ok(Notice {
            id,
            title: r.get(1),
            template: r.get(2),
            target: Target {
                kind: keyed("notice", &key, r.get(3), TargetKind::parse)?,
                key: r.get(4),
            },
            channel: r.get(5),
            created_at: r.get(6),
            created_by: r.get(7),
            recipients: count(r.get(8), "notice", &key)? as usize,
        })
    })
    .collect::<Result<Vec<_>>>()
    .map_err(Into::into)
}

fn deliveries(
    c: &mut impl GenericClient,
    d: &str,
    notice: Option<i64>,
    object: Option<i64>,
) -> CoreResult<Vec<Delivery>> {
    Ok(q(
        c.query(
            "SELECT n.id, n.title, x.object, n.created_at, n.channel, x.text
               FROM notice_delivery x
               JOIN notice n ON n.district = x.district AND n.id = x.notice
              WHERE x.district = $1::text
                AND ($2::bigint IS NULL OR x.notice = $2)
                AND ($3::bigint IS NULL OR x.object = $3)
              ORDER BY n.id DESC, x.object",
            &[&d, &notice, &object],
        ),
        || format!("reading the notice deliveries of district {d}"),
    )?
    .iter()
    .map(|r| Delivery {
        notice: r.get(0),
        title: r.get(1),
        object: r.get(2),
        at: r.get(3),
        channel: r.get(4),
        text: r.get(5),
    })
    .collect())
}

fn add_move_car(c: &mut impl GenericClient, d: &str, m: &MoveCarReminder) -> CoreResult<i64> {
    Ok(q(
        c.query_one(
            "INSERT INTO move_car (district, plate, place, lon, lat, grid, at, channel, outcome,
                                   login)
             VALUES ($1::text, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            &[
                &d,
                &m.plate,
                &m.place,
                &m.location[0],
                &m.location[1],
                &m.grid,
                &m.at,
                &m.channel,
                &m.outcome.key(),
                &m.by,
            ],
        ),
        || {
            format!(
                "recording a move-car reminder for {} in district {d}",
                m.plate
            )
        },
    )?
    .get(0))
}

fn move_cars(
    c: &mut impl GenericClient,
    d: &str,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> CoreResult<Vec<MoveCarReminder>> {
    q(
        c.query(
            "SELECT id, plate, place, lon, lat, grid, at, channel, outcome, login FROM move_car
              WHERE district = $1::text AND at >= $2 AND at < $3 ORDER BY at, id",
            &[&d, &from, &to],
        ),
        || format!("reading the move-car reminders of district {d}"),
    )?
    .iter()
    .map(|r| {
        let id: i64 = r.get(0);
        Ok(MoveCarReminder {
            id,
            plate: r.get(1),
            place: r.get(2),
            location: [r.get(3), r.get(4)],
            grid: r.get(5),
            at: r.get(6),
            channel: r.get(7),
            outcome: keyed(
                "move-car reminder",
                &id.to_string(),
                r.get(8),
                MoveOutcome::parse,
            )?,
            by: r.get(9),
        })
    })
    .collect::<Result<Vec<_>>>()
    .map_err(Into::into)
}

fn add_photo(c: &mut impl GenericClient, d: &str, p: &NewPhoto) -> CoreResult<i64> {
    let (w, h) = (
        int(p.width, "a photo's width")?,
        int(p.height, "a photo's height")?,
    );
    Ok(q(
        c.query_one(
            "INSERT INTO register_photo (district, owner, owner_id, added_at, added_by, mime,
                                         width, height, bytes, thumb)
             VALUES ($1::text, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            &[
                &d,
                &p.owner,
                &p.owner_id,
                &p.at,
                &p.by,
                &p.mime,
                &w,
                &h,
                &p.bytes,
                &p.thumb,
            ],
        ),
        || {
            format!(
                "storing a photo of {} {} of district {d}",
                p.owner, p.owner_id
            )
        },
    )?
    .get(0))
}

fn photos(
    c: &mut impl GenericClient,
    d: &str,
    owner: &str,
    owner_id: i64,
) -> CoreResult<Vec<RegisterPhoto>> {
    q(
        c.query(
            "SELECT id, owner, owner_id, mime, width, height, added_at, added_by
               FROM register_photo
              WHERE district = $1::text AND owner = $2 AND owner_id = $3 ORDER BY id",
            &[&d, &owner, &owner_id],
        ),
        || format!("reading the photos of {owner} {owner_id} of district {d}"),
    )?
    .iter()
    .map(|r| {
        let id: i64 = r.get(0);
        let key = id.to_string();
        Ok(RegisterPhoto {
            id,
            owner: r.get(1),
            owner_id: r.get(2),
            mime: r.get(3),
            width: count(r.get(4), "register photo", &key)?,
            height: count(r.get(5), "register photo", &key)?,
            added_at: r.get(6),
            added_by: r.get(7),
        })
    })
    .collect::<Result<Vec<_>>>()
    .map_err(Into::into)
}

fn photo_bytes(
    c: &mut impl GenericClient,
    d: &str,
    id: i64,
    thumb: bool,
) -> CoreResult<Option<(String, String, Vec<u8>)>> {
    let sql = if thumb {
        "SELECT owner, mime, thumb FROM register_photo WHERE district = $1::text AND id = $2"
    } else {
        "SELECT owner, mime, bytes FROM register_photo WHERE district = $1::text AND id = $2"
    };
    Ok(q(c.query_opt(sql, &[&d, &id]), || {
        format!("reading register photo {id} of district {d}")
    })?
    .map(|r| (r.get(0), r.get(1), r.get(2))))
}

fn log_lookup(c: &mut impl GenericClient, d: &str, l: &PersonLookup) -> CoreResult<()> {
    q(
        c.execute(
            "INSERT INTO person_lookup (district, at, login, role, what, key)
             VALUES ($1::text, $2, $3, $4, $5, $6)",
            &[&d, &l.at, &l.by, &l.role, &l.what, &l.key],
        ),
        || format!("logging a lookup of {} `{}` in district {d}", l.what, l.key),
    )?;
    Ok(())
}

fn lookups(c: &mut impl GenericClient, d: &str, limit: usize) -> CoreResult<Vec<PersonLookup>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    Ok(q(
        c.query(
            "SELECT at, login, role, what, key FROM person_lookup WHERE district = $1::text
              ORDER BY seq DESC LIMIT $2",
            &[&d, &limit],
        ),
        || format!("reading the person lookups of district {d}"),
    )?
    .iter()
    .map(|r| PersonLookup {
        at: r.get(0),
        by: r.get(1),
        role: r.get(2),
        what: r.get(3),
        key: r.get(4),
    })
    .collect())
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

impl RegistersStore for DistrictTx<'_, '_> {
    fn load_registers(&self) -> CoreResult<RegisterData> {
        on_tx!(self, load)
    }
    fn put_object(&self, o: &ServiceObject) -> CoreResult<i64> {
        on_tx!(self, put_object, o)
    }
    fn add_object_history(&self, h: &HistoryRow) -> CoreResult<()> {
        on_tx!(self, add_history, h)
    }
    fn object_history(&self, object: i64) -> CoreResult<Vec<HistoryRow>> {
        on_tx!(self, history, object)
    }
    fn put_subclasses(&self, t: &[Subclass]) -> CoreResult<()> {
        put_subclasses(&mut *self.tx.tx.borrow_mut(), t)
    }
    fn put_vendor(&self, v: &Vendor) -> CoreResult<i64> {
        on_tx!(self, put_vendor, v)
    }
    fn add_warning(&self, w: &Warning) -> CoreResult<i64> {
        on_tx!(self, add_warning, w)
    }
    fn put_vending_zone(&self, z: &VendingZone) -> CoreResult<()> {
        on_tx!(self, put_vending_zone, z)
    }
    fn delete_vending_zone(&self, code: &str) -> CoreResult<usize> {
        on_tx!(self, delete_vending_zone, code)
    }
    fn put_admission(&self, a: &Admission) -> CoreResult<i64> {
        on_tx!(self, put_admission, a)
    }
    fn put_ladder(&self, l: &Ladder) -> CoreResult<()> {
        on_tx!(self, put_ladder, l)
    }
    fn add_notice(&self, n: &Notice, deliveries: &[(i64, String)]) -> CoreResult<i64> {
        on_tx!(self, add_notice, n, deliveries)
    }
    fn notices(&self) -> CoreResult<Vec<Notice>> {
        on_tx!(self, notices)
    }
    fn deliveries(&self, notice: Option<i64>, object: Option<i64>) -> CoreResult<Vec<Delivery>> {
        on_tx!(self, deliveries, notice, object)
    }
    fn add_move_car(&self, r: &MoveCarReminder) -> CoreResult<i64> {
        on_tx!(self, add_move_car, r)
    }
    fn move_cars(
        &self,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> CoreResult<Vec<MoveCarReminder>> {
        on_tx!(self, move_cars, from, to)
    }
    fn add_register_photo(&self, p: &NewPhoto) -> CoreResult<i64> {
        on_tx!(self, add_photo, p)
    }
    fn register_photos(&self, owner: &str, owner_id: i64) -> CoreResult<Vec<RegisterPhoto>> {
        on_tx!(self, photos, owner, owner_id)
    }
    fn register_photo_bytes(
        &self,
        id: i64,
        thumb: bool,
    ) -> CoreResult<Option<(String, String, Vec<u8>)>> {
        on_tx!(self, photo_bytes, id, thumb)
    }
    fn log_person_lookup(&self, l: &PersonLookup) -> CoreResult<()> {
        on_tx!(self, log_lookup, l)
    }
    fn person_lookups(&self, limit: usize) -> CoreResult<Vec<PersonLookup>> {
        on_tx!(self, lookups, limit)
    }
}

/// Reads on the connection; each write in a transaction of its own (a sealed row is sealed
/// when it commits).
impl RegistersStore for DistrictScope<'_> {
    fn load_registers(&self) -> CoreResult<RegisterData> {
        on_conn!(self, load)
    }
    fn put_object(&self, o: &ServiceObject) -> CoreResult<i64> {
        in_tx!(self, put_object, o)
    }
    fn add_object_history(&self, h: &HistoryRow) -> CoreResult<()> {
        in_tx!(self, add_history, h)
    }
    fn object_history(&self, object: i64) -> CoreResult<Vec<HistoryRow>> {
        on_conn!(self, history, object)
    }
    fn put_subclasses(&self, t: &[Subclass]) -> CoreResult<()> {
        self.centre
            .transaction(|tx| put_subclasses(&mut *tx.tx.borrow_mut(), t))
    }
    fn put_vendor(&self, v: &Vendor) -> CoreResult<i64> {
        in_tx!(self, put_vendor, v)
    }
    fn add_warning(&self, w: &Warning) -> CoreResult<i64> {
        in_tx!(self, add_warning, w)
    }
    fn put_vending_zone(&self, z: &VendingZone) -> CoreResult<()> {
        in_tx!(self, put_vending_zone, z)
    }
    fn delete_vending_zone(&self, code: &str) -> CoreResult<usize> {
        in_tx!(self, delete_vending_zone, code)
    }
    fn put_admission(&self, a: &Admission) -> CoreResult<i64> {
        in_tx!(self, put_admission, a)
    }
    fn put_ladder(&self, l: &Ladder) -> CoreResult<()> {
        in_tx!(self, put_ladder, l)
    }
    fn add_notice(&self, n: &Notice, deliveries: &[(i64, String)]) -> CoreResult<i64> {
        in_tx!(self, add_notice, n, deliveries)
    }
    fn notices(&self) -> CoreResult<Vec<Notice>> {
        on_conn!(self, notices)
    }
    fn deliveries(&self, notice: Option<i64>, object: Option<i64>) -> CoreResult<Vec<Delivery>> {
        on_conn!(self, deliveries, notice, object)
    }
    fn add_move_car(&self, r: &MoveCarReminder) -> CoreResult<i64> {
        in_tx!(self, add_move_car, r)
    }
    fn move_cars(
        &self,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> CoreResult<Vec<MoveCarReminder>> {
        on_conn!(self, move_cars, from, to)
    }
    fn add_register_photo(&self, p: &NewPhoto) -> CoreResult<i64> {
        in_tx!(self, add_photo, p)
    }
    fn register_photos(&self, owner: &str, owner_id: i64) -> CoreResult<Vec<RegisterPhoto>> {
        on_conn!(self, photos, owner, owner_id)
    }
    fn register_photo_bytes(
        &self,
        id: i64,
        thumb: bool,
    ) -> CoreResult<Option<(String, String, Vec<u8>)>> {
        on_conn!(self, photo_bytes, id, thumb)
    }
    fn log_person_lookup(&self, l: &PersonLookup) -> CoreResult<()> {
        in_tx!(self, log_lookup, l)
    }
    fn person_lookups(&self, limit: usize) -> CoreResult<Vec<PersonLookup>> {
        on_conn!(self, lookups, limit)
    }
}
