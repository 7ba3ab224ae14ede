//! The SQL of `griddesk_registers::registers::store` (migration 0008).

use crate::error::{Error, Result};
use chrono::NaiveDateTime;
use griddesk_core::dates::{parse_date, parse_datetime, DATETIME_FMT, DATE_FMT};
use griddesk_registers::registers::industry::Subclass;
use griddesk_registers::registers::model::*;
use griddesk_registers::registers::rules::Ladder;
use griddesk_registers::registers::store::*;
use griddesk_registers::registers::RegisterData;
use rusqlite::{params, Connection, OptionalExtension, Row};

fn ts(t: &NaiveDateTime) -> String {
    t.format(DATETIME_FMT).to_string()
}

fn json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::Internal(format!("encoding JSON: {e}")).into())
}

fn unjson<T: serde::de::DeserializeOwned>(what: &str, s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| Error::Internal(format!("stored {what}: {e}")).into())
}

fn dt(s: Option<String>) -> Result<Option<NaiveDateTime>> {
    Ok(s.map(|s| parse_datetime(&s)).transpose()?)
}

fn keyed<T>(what: &str, s: &str, parse: fn(&str) -> Option<T>) -> Result<T> {
    parse(s).ok_or_else(|| Error::Internal(format!("stored {what} `{s}` is unknown")).into())
}

const OBJECT_COLUMNS: &str =
    "id, kind, name, address, lon, lat, grid, grid_reason, section, subclass,
    credit_code, legal_rep, id_number, contact, phone, licence, status, collected_by,
    collected_on, verified_by, verified_at, frontage, note";

fn object_of(r: &Row<'_>) -> Result<ServiceObject> {
    let kind: String = r.get(1)?;
    let status: String = r.get(16)?;
    let frontage: Option<String> = r.get(21)?;
    let collected_on: Option<String> = r.get(18)?;
    Ok(ServiceObject {
        id: r.get(0)?,
        kind: keyed("object kind", &kind, ObjectKind::parse)?,
        name: r.get(2)?,
        address: r.get(3)?,
        location: [r.get(4)?, r.get(5)?],
        grid: r.get(6)?,
        grid_reason: r.get(7)?,
        section: r.get(8)?,
        subclass: r.get(9)?,
        credit_code: r.get(10)?,
        legal_rep: r.get(11)?,
        id_number: r.get(12)?,
        contact: r.get(13)?,
        phone: r.get(14)?,
        licence: r.get(15)?,
        status: keyed("object status", &status, ObjectStatus::parse)?,
        collected_by: r.get(17)?,
        collected_on: collected_on.map(|d| parse_date(&d)).transpose()?,
        verified_by: r.get(19)?,
        verified_at: dt(r.get(20)?)?,
        frontage: frontage.map(|f| unjson("frontage", &f)).transpose()?,
        note: r.get(22)?,
    })
}

fn vendor_of(r: &Row<'_>) -> Result<Vendor> {
    let (lon, lat): (Option<f64>, Option<f64>) = (r.get(5)?, r.get(6)?);
    let created: String = r.get(8)?;
    Ok(Vendor {
        id: r.get(0)?,
        name: r.get(1)?,
        phone: r.get(2)?,
        id_number: r.get(3)?,
        trade: r.get(4)?,
        usual_place: lon.zip(lat).map(|(a, b)| [a, b]),
        note: r.get(7)?,
        created_at: parse_datetime(&created)?,
        created_by: r.get(9)?,
    })
}

fn warning_of(r: &Row<'_>) -> Result<Warning> {
    let at: String = r.get(2)?;
    Ok(Warning {
        id: r.get(0)?,
        vendor: r.get(1)?,
        at: parse_datetime(&at)?,
        location: [r.get(3)?, r.get(4)?],
        grid: r.get(5)?,
        inspector: r.get(6)?,
        matter: r.get(7)?,
        refused: r.get::<_, i64>(8)? != 0,
        note: r.get(9)?,
    })
}

fn zone_of(r: &Row<'_>) -> Result<VendingZone> {
    let code: String = r.get(0)?;
    let (ring, days, hours, trades): (String, String, String, String) =
        (r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?);
    Ok(VendingZone {
        name: r.get(1)?,
        ring: unjson("zone ring", &ring)?,
        days: unjson("zone days", &days)?,
        hours: unjson("zone hours", &hours)?,
        trades: unjson("zone trades", &trades)?,
        capacity: r.get(6)?,
        note: r.get(7)?,
        code,
    })
}

fn admission_of(r: &Row<'_>) -> Result<Admission> {
    let status: String = r.get(4)?;
    let admitted: String = r.get(5)?;
    Ok(Admission {
        id: r.get(0)?,
        zone: r.get(1)?,
        vendor: r.get(2)?,
        trade: r.get(3)?,
        status: keyed("admission status", &status, AdmissionStatus::parse)?,
        admitted_at: parse_datetime(&admitted)?,
        admitted_by: r.get(6)?,
        stall: r.get(7)?,
        filed_at: dt(r.get(8)?)?,
        exited_at: dt(r.get(9)?)?,
        exit_reason: r.get(10)?,
    })
}

fn all<T>(c: &Connection, sql: &str, f: fn(&Row<'_>) -> Result<T>) -> Result<Vec<T>> {
    let mut st = c.prepare(sql)?;
    let mut rows = st.query([])?;
    let mut out = vec![];
    while let Some(r) = rows.next()? {
        out.push(f(r)?);
    }
    Ok(out)
}

pub fn load(c: &Connection) -> Result<RegisterData> {
    let objects = all(
        c,
        &format!("SELECT {OBJECT_COLUMNS} FROM service_object ORDER BY id"),
        object_of,
    )?;
    let subclasses = all(
        c,
        "SELECT code, section, name FROM industry_subclass ORDER BY ord",
        |r| {
            Ok(Subclass {
                code: r.get(0)?,
                section: r.get(1)?,
                name: r.get(2)?,
            })
        },
    )?;
    let vendors = all(
        c,
        "SELECT id, name, phone, id_number, trade, usual_lon, usual_lat, note, created_at,
                created_by FROM vendor ORDER BY id",
        vendor_of,
    )?;
    let warnings = all(
        c,
        "SELECT id, vendor, at, lon, lat, grid, inspector, matter, refused, note
         FROM vendor_warning ORDER BY at, id",
        warning_of,
    )?;
    let zones = all(
        c,
        "SELECT code, name, ring, days, hours, trades, capacity, note FROM vending_zone
         ORDER BY code",
        zone_of,
    )?;
    let admissions = all(
        c,
        "SELECT id, zone, vendor, trade, status, admitted_at, admitted_by, stall, filed_at,
                exited_at, exit_reason FROM vending_admission ORDER BY id",
        admission_of,
    )?;
    let ladder: Option<String> = c
        .query_row(
            "SELECT value FROM register_setting WHERE key = 'ladder'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(RegisterData {
        objects,
        subclasses,
        vendors,
        warnings,
        zones,
        admissions,
        ladder: ladder
            .map(|l| unjson("ladder", &l))
            .transpose()?
            .unwrap_or_default(),
    })
}

pub fn put_object(c: &Connection, o: &ServiceObject) -> Result<i64> {
    let frontage = o.frontage.as_ref().map(json).transpose()?;
    let id = (o.id != 0).then_some(o.id);
    let n = c
        .prepare_cached(&format!(
            "INSERT INTO service_object ({OBJECT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6,
                 ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)
                 ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, name = excluded.name,
                 address = excluded.address, lon = excluded.lon, lat = excluded.lat,
                 grid = excluded.grid, grid_reason = excluded.grid_reason,
                 section = excluded.section, subclass = excluded.subclass,
                 credit_code = excluded.credit_code, legal_rep = excluded.legal_rep,
                 id_number = excluded.id_number, contact = excluded.contact,
                 phone = excluded.phone, licence = excluded.licence, status = excluded.status,
                 collected_by = excluded.collected_by, collected_on = excluded.collected_on,
                 verified_by = excluded.verified_by, verified_at = excluded.verified_at,
                 frontage = excluded.frontage, note = excluded.note"
        ))?
        .execute(params![
            id,
            o.kind.key(),
            o.name,
            o.address,
            o.location[0],
            o.location[1],
            o.grid,
            o.grid_reason,
            o.section,
            o.subclass,
            o.credit_code,
            o.legal_rep,
            o.id_number,
            o.contact,
            o.phone,
            o.licence,
            o.status.key(),
            o.collected_by,
            o.collected_on.map(|d| d.format(DATE_FMT).to_string()),
            o.verified_by,
            o.verified_at.as_ref().map(ts),
            frontage,
            o.note,
        ])
        .map_err(|e| match &e {
            rusqlite::Error::SqliteFailure(f, _)
                if f.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                Error::Duplicate {
                    what: "service object",
                    key: o.credit_code.clone().unwrap_or_else(|| o.name.clone()),
                }
            }
            _ => crate::error::sql_error(e),
        })?;
    debug_assert_eq!(n, 1);
    Ok(id.unwrap_or_else(|| c.last_insert_rowid()))
}

pub fn add_history(c: &Connection, h: &HistoryRow) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO service_object_history (object, at, login, action, reason, before, after)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        h.object,
        ts(&h.at),
        h.by,
        h.action,
        h.reason,
        h.before.as_ref().map(json).transpose()?,
        h.after.as_ref().map(json).transpose()?,
    ])?;
    Ok(())
}

pub fn history(c: &Connection, object: i64) -> Result<Vec<HistoryRow>> {
    let mut st = c.prepare(
        "SELECT object, at, login, action, reason, before, after FROM service_object_history
         WHERE object = ?1 ORDER BY seq",
    )?;
    let mut rows = st.query([object])?;
    let mut out = vec![];
    while let Some(r) = rows.next()? {
        let at: String = r.get(1)?;
        let (b, a): (Option<String>, Option<String>) = (r.get(5)?, r.get(6)?);
        out.push(HistoryRow {
            object: r.get(0)?,
            at: parse_datetime(&at)?,
            by: r.get(2)?,
            action: r.get(3)?,
            reason: r.get(4)?,
            before: b.map(|b| unjson("history", &b)).transpose()?,
            after: a.map(|a| unjson("history", &a)).transpose()?,
        });
    }
    Ok(out)
}

pub fn put_subclasses(c: &Connection, t: &[Subclass]) -> Result<()> {
    c.execute("DELETE FROM industry_subclass", [])?;
    let mut st = c.prepare(
        "INSERT INTO industry_subclass (code, section, name, ord) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (i, s) in t.iter().enumerate() {
        st.execute(params![s.code, s.section, s.name, i as i64])?;
    }
    Ok(())
}

pub fn put_vendor(c: &Connection, v: &Vendor) -> Result<i64> {
    let id = (v.id != 0).then_some(v.id);
    c.execute(
        "INSERT INTO vendor (id, name, phone, id_number, trade, usual_lon, usual_lat, note,
                             created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, phone = excluded.phone,
         id_number = excluded.id_number, trade = excluded.trade, usual_lon = excluded.usual_lon,
         usual_lat = excluded.usual_lat, note = excluded.note",
        params![
            id,
            v.name,
            v.phone,
            v.id_number,
            v.trade,
            v.usual_place.map(|p| p[0]),
            v.usual_place.map(|p| p[1]),
            v.note,
            ts(&v.created_at),
            v.created_by,
        ],
    )?;
    Ok(id.unwrap_or_else(|| c.last_insert_rowid()))
}

pub fn add_warning(c: &Connection, w: &Warning) -> Result<i64> {
    c.prepare_cached(
        "INSERT INTO vendor_warning (vendor, at, lon, lat, grid, inspector, matter, refused, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        w.vendor,
        ts(&w.at),
        w.location[0],
        w.location[1],
        w.grid,
        w.inspector,
        w.matter,
        i64::from(w.refused),
        w.note,
    ])
    .map_err(|e| crate::caseloop_users::constraint(e, "vendor", &w.vendor.to_string()))?;
    Ok(c.last_insert_rowid())
}

pub fn put_zone(c: &Connection, z: &VendingZone) -> Result<()> {
    c.execute(
        "INSERT INTO vending_zone (code, name, ring, days, hours, trades, capacity, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, ring = excluded.ring,
         days = excluded.days, hours = excluded.hours, trades = excluded.trades,
         capacity = excluded.capacity, note = excluded.note",
        params![
            z.code,
            z.name,
            json(&z.ring)?,
            json(&z.days)?,
            json(&z.hours)?,
            json(&z.trades)?,
            z.capacity,
            z.note,
        ],
    )?;
    Ok(())
}

pub fn delete_zone(c: &Connection, code: &str) -> Result<usize> {
    c.execute("DELETE FROM vending_admission WHERE zone = ?1", [code])?;
    Ok(c.execute("DELETE FROM vending_zone WHERE code = ?1", [code])?)
}

pub fn put_admission(c: &Connection, a: &Admission) -> Result<i64> {
    let id = (a.id != 0).then_some(a.id);
    c.execute(
        "INSERT INTO vending_admission (id, zone, vendor, trade, status, admitted_at,
                                        admitted_by, stall, filed_at, exited_at, exit_reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (id) DO UPDATE SET trade = excluded.trade, status = excluded.status,
         stall = excluded.stall, filed_at = excluded.filed_at, exited_at = excluded.exited_at,
         exit_reason = excluded.exit_reason",
        params![
            id,
            a.zone,
            a.vendor,
            a.trade,
            a.status.key(),
            ts(&a.admitted_at),
            a.admitted_by,
            a.stall,
            a.filed_at.as_ref().map(ts),
            a.exited_at.as_ref().map(ts),
            a.exit_reason,
        ],
    )?;
    Ok(id.unwrap_or_else(|| c.last_insert_rowid()))
}

pub fn put_ladder(c: &Connection, l: &Ladder) -> Result<()> {
    c.execute(
        "INSERT INTO register_setting (key, value) VALUES ('ladder', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [json(l)?],
    )?;
    Ok(())
}

pub fn add_notice(c: &Connection, n: &Notice, deliveries: &[(i64, String)]) -> Result<i64> {
    c.execute(
        "INSERT INTO notice (title, template, target_kind, target_key, channel, created_at,
                             created_by, recipients)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            n.title,
            n.template,
            n.target.kind.key(),
            n.target.key,
            n.channel,
            ts(&n.created_at),
            n.created_by,
            deliveries.len() as i64,
        ],
    )?;
    let id = c.last_insert_rowid();
    let mut st =
        c.prepare("INSERT INTO notice_delivery (notice, object, text) VALUES (?1, ?2, ?3)")?;
    for (o, text) in deliveries {
        st.execute(params![id, o, text])?;
    }
    Ok(id)
}

fn notice_of(r: &Row<'_>) -> Result<Notice> {
    let kind: String = r.get(3)?;
    let at: String = r.get(6)?;
    Ok(Notice {
        id: r.get(0)?,
        title: r.get(1)?,
        template: r.get(2)?,
        target: Target {
            kind: keyed("notice target", &kind, TargetKind::parse)?,
            key: r.get(4)?,
        },
        channel: r.get(5)?,
        created_at: parse_datetime(&at)?,
        created_by: r.get(7)?,
        recipients: r.get::<_, i64>(8)? as usize,
    })
}

pub fn notices(c: &Connection) -> Result<Vec<Notice>> {
    all(
        c,
        "SELECT id, title, template, target_kind, target_key, channel, created_at, created_by,
                recipients FROM notice ORDER BY id DESC",
        notice_of,
    )
}

pub fn deliveries(
    c: &Connection,
    notice: Option<i64>,
    object: Option<i64>,
) -> Result<Vec<Delivery>> {
    let mut st = c.prepare(
        "SELECT n.id, n.title, d.object, n.created_at, n.channel, d.text
         FROM notice_delivery d JOIN notice n ON n.id = d.notice
         WHERE (?1 IS NULL OR d.notice = ?1) AND (?2 IS NULL OR d.object = ?2)
         ORDER BY n.id DESC, d.object",
    )?;
    let mut rows = st.query(params![notice, object])?;
    let mut out = vec![];
    while let Some(r) = rows.next()? {
        let at: String = r.get(3)?;
        out.push(Delivery {
            notice: r.get(0)?,
            title: r.get(1)?,
            object: r.get(2)?,
            at: parse_datetime(&at)?,
            channel: r.get(4)?,
            text: r.get(5)?,
        });
    }
    Ok(out)
}

pub fn add_move_car(c: &Connection, m: &MoveCarReminder) -> Result<i64> {
    c.prepare_cached(
        "INSERT INTO move_car (plate, place, lon, lat, grid, at, channel, outcome, login)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        m.plate,
        m.place,
        m.location[0],
        m.location[1],
        m.grid,
        ts(&m.at),
        m.channel,
        m.outcome.key(),
        m.by,
    ])?;
    Ok(c.last_insert_rowid())
}

pub fn move_cars(
    c: &Connection,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Result<Vec<MoveCarReminder>> {
    let mut st = c.prepare(
        "SELECT id, plate, place, lon, lat, grid, at, channel, outcome, login FROM move_car
         WHERE at >= ?1 AND at < ?2 ORDER BY at, id",
    )?;
    let mut rows = st.query([ts(&from), ts(&to)])?;
    let mut out = vec![];
    while let Some(r) = rows.next()? {
        let at: String = r.get(6)?;
        let outcome: String = r.get(8)?;
        out.push(MoveCarReminder {
            id: r.get(0)?,
            plate: r.get(1)?,
            place: r.get(2)?,
            location: [r.get(3)?, r.get(4)?],
            grid: r.get(5)?,
            at: parse_datetime(&at)?,
            channel: r.get(7)?,
            outcome: keyed("move-car outcome", &outcome, MoveOutcome::parse)?,
            by: r.get(9)?,
        });
    }
    Ok(out)
}

pub fn add_photo(c: &Connection, p: &NewPhoto) -> Result<i64> {
    c.execute(
        "INSERT INTO register_photo (owner, owner_id, added_at, added_by, mime, width, height,
                                     bytes, thumb)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            p.owner,
            p.owner_id,
            ts(&p.at),
            p.by,
            p.mime,
            p.width,
            p.height,
            p.bytes,
            p.thumb,
        ],
    )?;
    Ok(c.last_insert_rowid())
}

pub fn photos(c: &Connection, owner: &str, owner_id: i64) -> Result<Vec<RegisterPhoto>> {
    let mut st = c.prepare(
        "SELECT id, owner, owner_id, mime, width, height, added_at, added_by FROM register_photo
         WHERE owner = ?1 AND owner_id = ?2 ORDER BY id",
    )?;
    let mut rows = st.query(params![owner, owner_id])?;
    let mut out = vec![];
    while let Some(r) = rows.next()? {
        let at: String = r.get(6)?;
        out.push(RegisterPhoto {
            id: r.get(0)?,
            owner: r.get(1)?,
            owner_id: r.get(2)?,
            mime: r.get(3)?,
            width: r.get(4)?,
            height: r.get(5)?,
            added_at: parse_datetime(&at)?,
            added_by: r.get(7)?,
        });
    }
    Ok(out)
}

pub fn photo_bytes(
    c: &Connection,
    id: i64,
    thumb: bool,
) -> Result<Option<(String, String, Vec<u8>)>> {
    let sql = if thumb {
        "SELECT owner, mime, thumb FROM register_photo WHERE id = ?1"
    } else {
        "SELECT owner, mime, bytes FROM register_photo WHERE id = ?1"
    };
    Ok(
        c.query_row(sql, [id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?,
    )
}

pub fn log_lookup(c: &Connection, l: &PersonLookup) -> Result<()> {
    c.execute(
        "INSERT INTO person_lookup (at, login, role, what, key) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![ts(&l.at), l.by, l.role, l.what, l.key],
    )?;
    Ok(())
}

pub fn lookups(c: &Connection, limit: usize) -> Result<Vec<PersonLookup>> {
    let mut st = c.prepare(
        "SELECT at, login, role, what, key FROM person_lookup ORDER BY seq DESC LIMIT ?1",
    )?;
    let mut rows = st.query([limit as i64])?;
    let mut out = vec![];
    while let Some(r) = rows.next()? {
        let at: String = r.get(0)?;
        out.push(PersonLookup {
            at: parse_datetime(&at)?,
            by: r.get(1)?,
            role: r.get(2)?,
            what: r.get(3)?,
            key: r.get(4)?,
        });
    }
    Ok(out)
}

impl RegistersStore for crate::Db<'_> {
    fn load_registers(&self) -> griddesk_core::Result<RegisterData> {
        Ok(load(self.0)?)
    }
    fn put_object(&self, o: &ServiceObject) -> griddesk_core::Result<i64> {
        Ok(put_object(self.0, o)?)
    }
    fn add_object_history(&self, h: &HistoryRow) -> griddesk_core::Result<()> {
        Ok(add_history(self.0, h)?)
    }
    fn object_history(&self, object: i64) -> griddesk_core::Result<Vec<HistoryRow>> {
        Ok(history(self.0, object)?)
    }
    fn put_subclasses(&self, t: &[Subclass]) -> griddesk_core::Result<()> {
        Ok(put_subclasses(self.0, t)?)
    }
    fn put_vendor(&self, v: &Vendor) -> griddesk_core::Result<i64> {
        Ok(put_vendor(self.0, v)?)
    }
    fn add_warning(&self, w: &Warning) -> griddesk_core::Result<i64> {
        Ok(add_warning(self.0, w)?)
    }
    fn put_vending_zone(&self, z: &VendingZone) -> griddesk_core::Result<()> {
        Ok(put_zone(self.0, z)?)
    }
    fn delete_vending_zone(&self, code: &str) -> griddesk_core::Result<usize> {
        Ok(delete_zone(self.0, code)?)
    }
    fn put_admission(&self, a: &Admission) -> griddesk_core::Result<i64> {
        Ok(put_admission(self.0, a)?)
    }
    fn put_ladder(&self, l: &Ladder) -> griddesk_core::Result<()> {
        Ok(put_ladder(self.0, l)?)
    }
    fn add_notice(&self, n: &Notice, d: &[(i64, String)]) -> griddesk_core::Result<i64> {
        Ok(add_notice(self.0, n, d)?)
    }
    fn notices(&self) -> griddesk_core::Result<Vec<Notice>> {
        Ok(notices(self.0)?)
    }
    fn deliveries(
        &self,
        notice: Option<i64>,
        object: Option<i64>,
    ) -> griddesk_core::Result<Vec<Delivery>> {
        Ok(deliveries(self.0, notice, object)?)
    }
    fn add_move_car(&self, r: &MoveCarReminder) -> griddesk_core::Result<i64> {
        Ok(add_move_car(self.0, r)?)
    }
    fn move_cars(
        &self,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> griddesk_core::Result<Vec<MoveCarReminder>> {
        Ok(move_cars(self.0, from, to)?)
    }
    fn add_register_photo(&self, p: &NewPhoto) -> griddesk_core::Result<i64> {
        Ok(add_photo(self.0, p)?)
    }
    fn register_photos(&self, owner: &str, id: i64) -> griddesk_core::Result<Vec<RegisterPhoto>> {
        Ok(photos(self.0, owner, id)?)
    }
    fn register_photo_bytes(
        &self,
        id: i64,
        thumb: bool,
    ) -> griddesk_core::Result<Option<(String, String, Vec<u8>)>> {
        Ok(photo_bytes(self.0, id, thumb)?)
    }
    fn log_person_lookup(&self, l: &PersonLookup) -> griddesk_core::Result<()> {
        Ok(log_lookup(self.0, l)?)
    }
    fn person_lookups(&self, limit: usize) -> griddesk_core::Result<Vec<PersonLookup>> {
        Ok(lookups(self.0, limit)?)
    }
}
