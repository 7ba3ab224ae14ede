//! The [`Engine`] facade for the street registers (docs/registers.md): the service-object
//! register with its frontages, notices, move-car reminders, the vendor record and vending
//! zones. Every edit is one transaction with its history or audit row; the in-memory
//! [`RegisterIndex`] is rebuilt after it. Personal data (legal representatives, contacts,
//! phones, ID numbers, vendors' names and photos) is shown in full only to the roles that may
//! see it, masked for the others, every look at a person's record is logged, and exports that
//! carry phones are for administrators (docs/trust.md, "Personal data").

#[allow(unused_imports)]
use crate::ports::*;

use crate::audit::AuditEntry;
use crate::error::{Error, Permission, Result};
use crate::message::{Message, MessageCode as C, Thing};
use crate::users::{mask_name, mask_phone, PersonalData, Role, Session};
use crate::Engine;
use chrono::{NaiveDate, NaiveDateTime};
use griddesk_registers::registers::check::{check_object, objects_from_sheet};
use griddesk_registers::registers::index::render_notice;
use griddesk_registers::registers::industry::{parse_subclasses, Subclass, SECTIONS};
use griddesk_registers::registers::rules::{
    check_zone_times, mask_id_number, move_car_months, parse_plate, zone_allows_trade,
    zone_open_at, Ladder, MoveCarMonth,
};
use griddesk_registers::registers::store::{
    Delivery, HistoryRow, NewPhoto, PersonLookup, RegisterPhoto,
};
use griddesk_registers::registers::*;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub use griddesk_registers::registers;

/// The roles that keep the registers (§Roles in docs/registers.md).
const KEEPERS: &[Role] = &[
    Role::Inspector,
    Role::Receptionist,
    Role::ShiftLeader,
    Role::Dispatcher,
    Role::Admin,
];
/// The roles that verify objects, send notices and admit vendors to zones.
const DESK: &[Role] = &[
    Role::Receptionist,
    Role::ShiftLeader,
    Role::Dispatcher,
    Role::Admin,
];
/// The roles that draw vending zones.
const ZONE_EDITORS: &[Role] = &[Role::Planner, Role::ShiftLeader, Role::Admin];

/// What the register pane needs before anything is clicked.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RegisterOverview {
    pub objects: usize,
    pub verified: usize,
    pub with_frontage: usize,
    pub vendors: usize,
    pub red_vendors: usize,
    pub zones: usize,
    pub notices: usize,
    /// GB/T 4754-2017 sections `(letter, name)`.
    pub sections: Vec<(String, String)>,
    pub subclasses: Vec<Subclass>,
    pub ladder: Ladder,
    /// Objects per section letter.
    pub by_section: Vec<(String, usize)>,
    /// What the session may do.
    pub can_edit: bool,
    pub can_verify: bool,
    pub can_edit_zones: bool,
    pub can_configure: bool,
    pub sees_personal: bool,
    pub can_export_personal: bool,
}

/// A service object as shown, personal fields masked when the session may not see them.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ObjectDetail {
    pub object: ServiceObject,
    pub section_name: Option<String>,
    pub subclass_name: Option<String>,
    pub grid_name: Option<String>,
    pub history: Vec<ObjectChange>,
    pub deliveries: Vec<Delivery>,
    pub photos: Vec<RegisterPhoto>,
    /// Cases on its 门前三包 frontage, newest first.
    pub frontage_cases: Vec<FrontageCase>,
    /// Whether the personal fields are masked.
    pub masked: bool,
}

/// A case on a shop's frontage.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FrontageCase {
    pub id: String,
    pub class_code: String,
    pub class_name: Option<String>,
    pub status: crate::model::CaseStatus,
    pub reported_at: NaiveDateTime,
}

/// The outcome of a register import.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RegisterImport {
    pub file: String,
    /// Objects written (0 when anything was refused, or on a dry run).
    pub imported: usize,
    /// Rows that would be written.
    pub valid: usize,
    pub rejects: crate::error::Rejects,
    pub dry_run: bool,
}

/// A notice being written.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NoticeDraft {
    pub title: String,
    pub template: String,
    pub target: Option<Target>,
    #[serde(default)]
    pub channel: String,
}

/// One recipient of a notice as previewed or exported.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NoticeRecipient {
    pub object: i64,
    pub name: String,
    pub address: String,
    pub grid: Option<String>,
    pub contact: Option<String>,
    pub phone: Option<String>,
    pub text: String,
}

/// The recipients of a draft.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NoticePreview {
    pub total: usize,
    /// The first 500.
    pub recipients: Vec<NoticeRecipient>,
}

/// A vendor as listed.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VendorRow {
    pub id: i64,
    pub name: String,
    pub phone: Option<String>,
    pub trade: String,
    pub colour: Colour,
    /// Refused warnings in the ladder's window.
    pub refusals: u32,
    pub warnings: usize,
    pub usual_place: Option<[f64; 2]>,
    pub usual_grid: Option<String>,
}

/// A vendor's record.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VendorDetail {
    pub row: VendorRow,
    pub vendor: Vendor,
    /// Newest first.
    pub warnings: Vec<Warning>,
    pub admissions: Vec<Admission>,
    /// Empty for sessions that may not see people's photos.
    pub photos: Vec<RegisterPhoto>,
    pub masked: bool,
}

/// A vending zone with its admissions.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ZoneRow {
    pub zone: VendingZone,
    pub open_now: bool,
    /// Admissions not exited, with the vendor's name (masked as the session needs).
    pub admissions: Vec<(Admission, String)>,
}

/// Logging a move-car reminder.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MoveCarInput {
    pub plate: String,
    pub place: String,
    pub location: [f64; 2],
    #[serde(default)]
    pub at: Option<NaiveDateTime>,
    pub channel: String,
    pub outcome: MoveOutcome,
}

/// A year of move-car reminders.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MoveCarYear {
    pub year: i32,
    pub months: Vec<MoveCarMonth>,
    pub total: MoveCarMonth,
    /// The latest 200, newest first.
    pub latest: Vec<MoveCarReminder>,
}

fn now() -> NaiveDateTime {
    chrono::Local::now().naive_local()
}

fn trimmed(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The object's fields a history row keeps.
fn history_json(o: &ServiceObject) -> serde_json::Value {
    let mut v = serde_json::to_value(o).unwrap_or_default();
    if let Some(m) = v.as_object_mut() {
        m.remove("id");
        m.remove("frontage");
    }
    v
}

const PERSONAL_FIELDS: [&str; 4] = ["legal_rep", "id_number", "contact", "phone"];

fn mask_object(o: &mut ServiceObject) {
    o.legal_rep = o.legal_rep.as_deref().map(mask_name);
    o.contact = o.contact.as_deref().map(mask_name);
    o.phone = o.phone.as_deref().map(mask_phone);
    o.id_number = o.id_number.as_deref().map(mask_id_number);
}

fn mask_field(field: &str, v: &str) -> String {
    match field {
        "legal_rep" | "contact" => mask_name(v),
        "phone" => mask_phone(v),
        "id_number" => mask_id_number(v),
        _ => v.to_string(),
    }
}

fn not_found(thing: &'static str, key: impl ToString) -> Error {
    Error::NotFound {
        what: thing,
        key: key.to_string(),
    }
}

impl Engine {
    /// The registers in memory, rebuilt when the store changed since they were built.
    pub fn registers(&self) -> Result<Arc<RegisterIndex>> {
        let _ = self.loaded();
        let generation = self.seen_generation();
        let mut slot = match self.registers.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        if let Some((g, ix)) = slot.as_ref() {
            if *g == generation {
                return Ok(Arc::clone(ix));
            }
        }
        let data = self.store().db().load_registers()?;
        let ix = Arc::new(RegisterIndex::build(data));
        *slot = Some((generation, Arc::clone(&ix)));
        Ok(ix)
    }

    fn forget_registers(&self) {
        match self.registers.lock() {
            Ok(mut g) => *g = None,
            Err(p) => *p.into_inner() = None,
        }
    }

    fn register_role(&self, by: &Session, roles: &[Role], what: Permission) -> Result<()> {
        self.require_role(by, roles, what)
    }

    /// Whether `by` sees people's data in the registers in full.
    pub fn sees_register_personal(&self, by: &Session) -> bool {
        by.role.sees_personal_data(PersonalData::Register) && self.require_active(by).is_ok()
    }

    /// One register write: the role checked, the store brought up to date, `f` in one
    /// transaction with the stale-edit check, the index rebuilt after.
    fn register_write<T>(
        &self,
        by: &Session,
        roles: &[Role],
        what: Permission,
        (thing, key): (Thing, &str),
        f: impl FnOnce(&griddesk_store_sqlite::Db<'_>, &RegisterIndex) -> Result<T>,
    ) -> Result<T> {
        self.register_role(by, roles, what)?;
        let ix = self.registers()?;
        let out = {
            let mut store = self.store();
            let (_, generation) = self.current_locked(&store)?;
            store.transaction(|tx| {
                Engine::still_current(tx, generation, thing, key)?;
                f(tx, &ix)
            })?
        };
        self.forget_registers();
        Ok(out)
    }

    /// Logs that `by` looked at a person's record.
    fn log_lookup(&self, by: &Session, what: &str, key: &str) -> Result<()> {
        let entry = PersonLookup {
            at: now(),
            by: by.login.clone(),
            role: by.role.key().to_string(),
            what: what.to_string(),
            key: key.to_string(),
        };
        self.store().transaction(|tx| tx.log_person_lookup(&entry))
    }

    /// The register pane's summary and what `by` may do.
    pub fn register_overview(&self, by: &Session) -> Result<RegisterOverview> {
        self.require_active(by)?;
        let ix = self.registers()?;
        let t = now();
        let mut by_section: std::collections::BTreeMap<String, usize> = Default::default();
        for o in &ix.data.objects {
            if let Some(s) = &o.section {
                *by_section.entry(s.clone()).or_default() += 1;
            }
        }
        let notices = self.store().db().notices()?.len();
        Ok(RegisterOverview {
            objects: ix.data.objects.len(),
            verified: ix
                .data
                .objects
                .iter()
                .filter(|o| o.verified_by.is_some())
                .count(),
            with_frontage: ix
                .data
                .objects
                .iter()
                .filter(|o| o.frontage.is_some())
                .count(),
            vendors: ix.data.vendors.len(),
            red_vendors: ix
                .data
                .vendors
                .iter()
                .filter(|v| ix.colour_of(v.id, t).1 == Colour::Red)
                .count(),
            zones: ix.data.zones.len(),
            notices,
            sections: SECTIONS
                .iter()
                .map(|(l, n)| (l.to_string(), n.to_string()))
                .collect(),
            subclasses: ix.subclasses(),
            ladder: ix.data.ladder.clone(),
            by_section: by_section.into_iter().collect(),
            can_edit: KEEPERS.contains(&by.role),
            can_verify: DESK.contains(&by.role),
            can_edit_zones: ZONE_EDITORS.contains(&by.role),
            can_configure: by.role == Role::Admin,
            sees_personal: self.sees_register_personal(by),
            can_export_personal: by.role == Role::Admin,
        })
    }

    /// A page of the register.
    pub fn search_objects(&self, by: &Session, q: &ObjectQuery) -> Result<ObjectPage> {
        self.require_active(by)?;
        Ok(self.registers()?.search(q))
    }

    /// Objects per grid for `q` (the map layer).
    pub fn object_grid_counts(&self, by: &Session, q: &ObjectQuery) -> Result<Vec<(String, u32)>> {
        self.require_active(by)?;
        Ok(self.registers()?.grid_counts(q))
    }

    /// The register tile z/x/y.
    pub fn register_tile(&self, z: u32, x: u32, y: u32) -> Result<Vec<u8>> {
        let ix = self.registers()?;
        registers::tiles::encode_register_tile(&ix, z, x, y, now())
    }

    /// One object with its history, notices, photos and the cases on its frontage. A look
    /// at a record with a person's data in it is logged.
    pub fn object_detail(&self, by: &Session, id: i64) -> Result<ObjectDetail> {
        self.require_active(by)?;
        let ix = self.registers()?;
        let mut o = ix
            .object(id)
            .cloned()
            .ok_or_else(|| not_found("service object", id))?;
        let full = self.sees_register_personal(by);
        let has_person = o.legal_rep.is_some()
            || o.phone.is_some()
            || o.id_number.is_some()
            || o.contact.is_some();
        if has_person {
            self.log_lookup(
                by,
                if full { "object" } else { "object-masked" },
                &id.to_string(),
            )?;
        }
        if !full {
            mask_object(&mut o);
        }
        let (history, deliveries, photos) = {
            let store = self.store();
            let db = store.db();
            (
                db.object_history(id)?,
                db.deliveries(None, Some(id))?,
                db.register_photos("object", id)?,
            )
        };
        let history = history.into_iter().map(|h| change_of(h, full)).collect();
        let loaded = self.loaded();
        let idx = &loaded.index;
        let mut frontage_cases: Vec<FrontageCase> = ix
            .cases_on_frontage(idx, id)
            .into_iter()
            .map(|c| {
                let c = &idx.cases[c];
                FrontageCase {
                    id: c.id.to_string(),
                    class_code: c.class_code.to_string(),
                    class_name: crate::workflow::queue::class_name(
                        idx,
                        c.kind,
                        &c.class_code.to_string(),
                    ),
                    status: c.status,
                    reported_at: c.reported_at,
                }
            })
            .collect();
        frontage_cases.sort_by_key(|b| std::cmp::Reverse(b.reported_at));
        let subclasses = ix.subclasses();
        Ok(ObjectDetail {
            section_name: o
                .section
                .as_deref()
                .and_then(registers::industry::section_name)
                .map(str::to_string),
            subclass_name: o
                .subclass
                .as_ref()
                .and_then(|s| subclasses.iter().find(|x| &x.code == s))
                .map(|s| s.name.clone()),
            grid_name: o.grid.as_deref().and_then(|g| {
                let code = crate::code::GridCode::parse(g).ok()?;
                idx.grid(&code).map(|g| g.name.clone())
            }),
            object: o,
            history,
            deliveries,
            photos,
            frontage_cases,
            masked: !full,
        })
    }

    /// The grid of a point, refusing a point outside the district. A point in an active grid
    /// is inside (grids lie in their communities, streets and district: the topology guard);
    /// only a point in no grid is tested against the outline.
    fn register_grid(&self, p: [f64; 2]) -> Result<Option<String>> {
        crate::io::check_lon_lat(p[0], p[1]).map_err(Error::Invalid)?;
        if let Some(g) = self.grid_at(p[0], p[1]) {
            return Ok(Some(g.to_string()));
        }
        let loaded = self.loaded();
        if let Some(d) = &loaded.index.district {
            use geo::Contains;
            let pt = geo_types::Point::new(p[0], p[1]);
            if !d.boundary.0.is_empty() && !d.boundary.contains(&pt) {
                return Err(Error::Invalid(
                    Message::new(C::OutsideDistrict)
                        .num("lon", p[0])
                        .num("lat", p[1])
                        .en(format!("({}, {}) is outside the district", p[0], p[1])),
                ));
            }
        }
        Ok(None)
    }

    /// Creates or changes a service object; returns its id. The grid is found from the
    /// location unless the edit sets one with a reason; a credit code is checked.
    pub fn save_object(&self, by: &Session, edit: &ObjectEdit) -> Result<i64> {
        let ix = self.registers()?;
        let mut e = edit.clone();
        check_object(&mut e, &ix.subclasses()).map_err(|(_, m)| Error::Invalid(m))?;
        let located = self.register_grid(e.location)?;
        let key = e.id.map(|i| i.to_string()).unwrap_or_default();
        let login = by.login.clone();
        let full = self.sees_register_personal(by);
        self.register_write(
            by,
            KEEPERS,
            Permission::EditRegisters,
            (Thing::ServiceObject, &key),
            |tx, ix| {
                let before = match e.id {
                    Some(id) => Some(
                        ix.object(id)
                            .cloned()
                            .ok_or_else(|| not_found("service object", id))?,
                    ),
                    None => None,
                };
                let mut o = object_from_edit(&e, before.as_ref(), located, &login);
                // A role that sees people's data masked cannot have changed it: what it sent
                // back is the mask (or nothing), so the stored values stay (§Personal data).
                if let (false, Some(b)) = (full, &before) {
                    o.legal_rep = b.legal_rep.clone();
                    o.id_number = b.id_number.clone();
                    o.contact = b.contact.clone();
                    o.phone = b.phone.clone();
                }
                let id = tx.put_object(&o)?;
                tx.add_object_history(&HistoryRow {
                    object: id,
                    at: now(),
                    by: login.clone(),
                    action: if before.is_some() { "edit" } else { "create" }.into(),
                    reason: e
                        .reason
                        .clone()
                        .or(e.grid_reason.clone().filter(|_| e.grid.is_some())),
                    before: before.as_ref().map(history_json),
                    after: Some(history_json(&o)),
                })?;
                Ok(id)
            },
        )
    }

    /// Marks an object verified by `by` (a desk role).
    pub fn verify_object(&self, by: &Session, id: i64) -> Result<()> {
        let login = by.login.clone();
        self.register_write(
            by,
            DESK,
            Permission::EditRegisters,
            (Thing::ServiceObject, &id.to_string()),
            |tx, ix| {
                let before = ix
                    .object(id)
                    .cloned()
                    .ok_or_else(|| not_found("service object", id))?;
                let mut o = before.clone();
                o.verified_by = Some(login.clone());
                o.verified_at = Some(now());
                tx.put_object(&o)?;
                tx.add_object_history(&HistoryRow {
                    object: id,
                    at: now(),
                    by: login.clone(),
                    action: "verify".into(),
                    reason: None,
                    before: Some(history_json(&before)),
                    after: Some(history_json(&o)),
                })
            },
        )
    }

    /// Draws (or with `None` removes) an object's 门前三包 frontage.
    pub fn set_frontage(&self, by: &Session, id: i64, line: Option<Vec<[f64; 2]>>) -> Result<()> {
        if let Some(l) = &line {
            for p in l {
                crate::io::check_lon_lat(p[0], p[1]).map_err(Error::Invalid)?;
            }
            if l.len() < 2 || !l.windows(2).any(|w| w[0] != w[1]) {
                return Err(Error::Invalid(
                    Message::new(C::RoadLineTooShort)
                        .text("code", id)
                        .en("a frontage needs at least two distinct points"),
                ));
            }
        }
        let login = by.login.clone();
        self.register_write(
            by,
            KEEPERS,
            Permission::EditRegisters,
            (Thing::ServiceObject, &id.to_string()),
            |tx, ix| {
                let mut o = ix
                    .object(id)
                    .cloned()
                    .ok_or_else(|| not_found("service object", id))?;
                let before = o.frontage.clone();
                o.frontage = line.clone();
                tx.put_object(&o)?;
                tx.add_object_history(&HistoryRow {
                    object: id,
                    at: now(),
                    by: login.clone(),
                    action: "frontage".into(),
                    reason: None,
                    before: Some(serde_json::json!({ "frontage": before })),
                    after: Some(serde_json::json!({ "frontage": line })),
                })
            },
        )
    }

    /// Imports service objects from a CSV or XLSX file: every row checked and located; any
    /// reject refuses the whole file (nothing written) and every reject is listed.
    pub fn import_objects(
        &self,
        by: &Session,
        path: &std::path::Path,
        dry_run: bool,
    ) -> Result<RegisterImport> {
        self.register_role(by, DESK, Permission::EditRegisters)?;
        let entry = AuditEntry::by(by, "register.import", path.display().to_string());
        self.import_objects_as(&by.login, entry, path, dry_run)
    }

    /// [`Engine::import_objects`] without the role check, recorded as `login` with `entry`.
    fn import_objects_as(
        &self,
        login: &str,
        entry: AuditEntry,
        path: &std::path::Path,
        dry_run: bool,
    ) -> Result<RegisterImport> {
        let ix = self.registers()?;
        let sheet = crate::io::sheet::read_sheet(path).map_err(|r| Error::ImportRejected {
            file: path.display().to_string(),
            count: 1,
            first: r,
        })?;
        let (rows, mut rejects) = objects_from_sheet(&sheet, &ix.subclasses());
        let mut out = crate::error::Rejects::new();
        let mut objects = Vec::with_capacity(rows.len());
        let mut credit = std::collections::HashMap::new();
        for o in &ix.data.objects {
            if let Some(c) = &o.credit_code {
                credit.insert(c.clone(), format!("#{}", o.id));
            }
        }
        for (line, e) in rows {
            let reject = |field: &str, m: crate::Reason| {
                crate::error::Reject::new(
                    &sheet.file,
                    crate::error::Position::Line(line),
                    Some(field),
                    m,
                )
            };
            let located = match self.register_grid(e.location) {
                Ok(g) => g,
                Err(Error::Invalid(m)) => {
                    rejects.push(reject("lon", m));
                    continue;
                }
                Err(e) => return Err(e),
            };
            if let Some(c) = &e.credit_code {
                if let Some(first) = credit.insert(c.clone(), format!("line {line}")) {
                    rejects.push(reject(
                        "credit_code",
                        Message::new(C::AlreadyExists)
                            .with("thing", crate::message::thing("service object"))
                            .text("key", c)
                            .en(format!("credit code {c} is already used ({first})")),
                    ));
                    continue;
                }
            }
            objects.push(object_from_edit(&e, None, located, login));
        }
        rejects.sort_by_key(|r| match r.location.position {
            crate::error::Position::Line(l) => l,
            _ => 0,
        });
        for r in rejects {
            out.push(r);
        }
        let mut report = RegisterImport {
            file: sheet.file.clone(),
            imported: 0,
            valid: objects.len(),
            rejects: out,
            dry_run,
        };
        if dry_run || !report.rejects.is_empty() {
            return Ok(report);
        }
        let file = sheet.file.clone();
        report.imported = {
            let mut store = self.store();
            let (_, generation) = self.current_locked(&store)?;
            store.transaction(|tx| {
                Engine::still_current(tx, generation, Thing::ServiceObject, &file)?;
                let at = now();
                for o in &objects {
                    let id = tx.put_object(o)?;
                    tx.add_object_history(&HistoryRow {
                        object: id,
                        at,
                        by: login.to_string(),
                        action: "import".into(),
                        reason: Some(file.clone()),
                        before: None,
                        after: Some(history_json(o)),
                    })?;
                }
                tx.record_audit(&entry.after(serde_json::json!({ "objects": objects.len() })))?;
                Ok(objects.len())
            })?
        };
        self.forget_registers();
        Ok(report)
    }

    /// Loads the sample's registers: the service objects' file, then vendors with their
    /// warnings, vending zones and admissions, move-car reminders and notices from
    /// `registers.json` (written by `griddesk generate`), in one transaction after the import.
    pub fn load_sample_registers(
        &self,
        objects: &std::path::Path,
        records: &std::path::Path,
    ) -> Result<()> {
        use crate::sample::registers::SampleRegisters;
        let entry = AuditEntry::engine("register.import", objects.display().to_string());
        let r = self.import_objects_as("sample", entry, objects, false)?;
        if let Some(first) = r.rejects.kept().first() {
            return Err(Error::Internal(format!(
                "sample registers: {}",
                first.message
            )));
        }
        let text = std::fs::read_to_string(records).map_err(|e| Error::io(records, e))?;
        let seed: SampleRegisters = serde_json::from_str(&text)
            .map_err(|e| Error::Internal(format!("{}: {e}", records.display())))?;
        let ix = self.registers()?;
        let grid = |p: [f64; 2]| self.grid_at(p[0], p[1]).map(|g| g.to_string());
        let deliveries: Vec<(Notice, Vec<(i64, String)>)> = seed
            .notices
            .iter()
            .map(|n| {
                let target = Target {
                    kind: n.target,
                    key: n.key.clone(),
                };
                let d = ix
                    .recipients(&target)
                    .into_iter()
                    .map(|o| (o.id, render_notice(&n.template, o, "")))
                    .collect::<Vec<_>>();
                let notice = Notice {
                    id: 0,
                    title: n.title.clone(),
                    template: n.template.clone(),
                    target,
                    channel: "短信".into(),
                    created_at: seed.move_cars.last().map_or_else(now, |m| m.at),
                    created_by: "dispatcher".into(),
                    recipients: d.len(),
                };
                (notice, d)
            })
            .collect();
        let created = seed
            .warnings
            .first()
            .map_or_else(now, |w| w.at - chrono::Duration::days(1));
        self.store().transaction(|tx| {
            let mut ids = Vec::with_capacity(seed.vendors.len());
            for v in &seed.vendors {
                ids.push(tx.put_vendor(&Vendor {
                    id: 0,
                    name: v.name.clone(),
                    phone: Some(v.phone.clone()),
                    id_number: None,
                    trade: v.trade.clone(),
                    usual_place: Some(v.usual_place),
                    note: None,
                    created_at: created,
                    created_by: "inspector".into(),
                })?);
            }
            let vendor = |i: usize| ids.get(i).copied().ok_or_else(|| Error::Internal(format!("sample vendor {i}")));
            for w in &seed.warnings {
                tx.add_warning(&Warning {
                    id: 0,
                    vendor: vendor(w.vendor)?,
                    at: w.at,
                    location: w.location,
                    grid: grid(w.location),
                    inspector: "inspector".into(),
                    matter: w.matter.clone(),
                    refused: w.refused,
                    note: None,
                })?;
            }
            for z in &seed.zones {
                tx.put_vending_zone(z)?;
            }
            for a in &seed.admissions {
                tx.put_admission(&Admission {
                    id: 0,
                    zone: a.zone.clone(),
                    vendor: vendor(a.vendor)?,
                    trade: a.trade.clone(),
                    status: if a.stall.is_some() { AdmissionStatus::Filed } else { AdmissionStatus::Admitted },
                    admitted_at: created,
                    admitted_by: "dispatcher".into(),
                    stall: a.stall.clone(),
                    filed_at: a.stall.as_ref().map(|_| created),
                    exited_at: None,
                    exit_reason: None,
                })?;
            }
            for m in &seed.move_cars {
                tx.add_move_car(&MoveCarReminder {
                    id: 0,
                    plate: m.plate.clone(),
                    place: m.place.clone(),
                    location: m.location,
                    grid: grid(m.location),
                    at: m.at,
                    channel: m.channel.clone(),
                    outcome: MoveOutcome::parse(&m.outcome)
                        .ok_or_else(|| Error::Internal(format!("sample move-car outcome {}", m.outcome)))?,
                    by: "inspector".into(),
                })?;
            }
            for (n, d) in &deliveries {
                tx.add_notice(n, d)?;
            }
            tx.record_audit(&AuditEntry::engine("register.sample", records.display().to_string()).after(
                serde_json::json!({ "vendors": seed.vendors.len(), "warnings": seed.warnings.len(), "zones": seed.zones.len(), "move_cars": seed.move_cars.len() }),
            ))?;
            Ok(())
        })?;
        self.forget_registers();
        Ok(())
    }

    /// Replaces the city's sub-class table from a CSV or XLSX file (`code, section, name`).
    pub fn import_subclasses(&self, by: &Session, path: &std::path::Path) -> Result<usize> {
        self.register_role(by, &[Role::Admin], Permission::EditRegisters)?;
        let sheet = crate::io::sheet::read_sheet(path).map_err(|r| Error::ImportRejected {
            file: path.display().to_string(),
            count: 1,
            first: r,
        })?;
        let table = parse_subclasses(&sheet.rows).map_err(|(line, m)| Error::ImportRejected {
            file: sheet.file.clone(),
            count: 1,
            first: Box::new(crate::error::Reject::new(
                &sheet.file,
                crate::error::Position::Line(line),
                None,
                m,
            )),
        })?;
        let n = table.len();
        self.register_write(
            by,
            &[Role::Admin],
            Permission::EditRegisters,
            (Thing::Subclass, &sheet.file),
            |tx, ix| {
                tx.put_subclasses(&table)?;
                tx.record_audit(
                    &AuditEntry::by(by, "register.subclasses", &sheet.file)
                        .before(ix.subclasses())
                        .after(&table),
                )?;
                Ok(n)
            },
        )
    }

    /// Adds a photo (JPEG or PNG, checked by its bytes) to an object or a vendor.
    pub fn add_register_photo(
        &self,
        by: &Session,
        owner: &str,
        id: i64,
        path: &std::path::Path,
    ) -> Result<i64> {
        let owner: &'static str = match owner {
            "object" => "object",
            "vendor" => "vendor",
            other => return Err(not_found("service object", other)),
        };
        let input = crate::workflow::photo::PhotoInput::from_file(
            path,
            crate::workflow::photo::PhotoPhase::Before,
        )?;
        let p = crate::workflow::photo::prepare(&input)
            .map_err(|m| Error::Invalid(m.prefixed(format!("{}: ", path.display()))))?;
        let login = by.login.clone();
        let thing = if owner == "object" {
            Thing::ServiceObject
        } else {
            Thing::Vendor
        };
        self.register_write(
            by,
            KEEPERS,
            Permission::EditRegisters,
            (thing, &id.to_string()),
            |tx, ix| {
                let exists = if owner == "object" {
                    ix.object(id).is_some()
                } else {
                    ix.vendor(id).is_some()
                };
                if !exists {
                    return Err(not_found(
                        if owner == "object" {
                            "service object"
                        } else {
                            "vendor"
                        },
                        id,
                    ));
                }
                let pid = tx.add_register_photo(&NewPhoto {
                    owner,
                    owner_id: id,
                    mime: p.mime.to_string(),
                    width: p.width,
                    height: p.height,
                    bytes: p.bytes.clone(),
                    thumb: p.thumb.clone(),
                    at: now(),
                    by: login.clone(),
                })?;
                if owner == "object" {
                    tx.add_object_history(&HistoryRow {
                        object: id,
                        at: now(),
                        by: login.clone(),
                        action: "photo".into(),
                        reason: None,
                        before: None,
                        after: Some(serde_json::json!({ "photo": pid })),
                    })?;
                } else {
                    tx.record_audit(
                        &AuditEntry::by(by, "register.vendor.photo", id.to_string()).after(pid),
                    )?;
                }
                Ok(pid)
            },
        )
    }

    /// A register photo's bytes and type; a vendor's photo only for sessions that see
    /// people's data.
    pub fn register_photo(&self, by: &Session, id: i64, thumb: bool) -> Result<(String, Vec<u8>)> {
        self.require_active(by)?;
        let (owner, mime, bytes) = self
            .store()
            .db()
            .register_photo_bytes(id, thumb)?
            .ok_or_else(|| not_found("photo", id))?;
        if owner == "vendor" && !self.sees_register_personal(by) {
            return Err(Error::NotPermitted {
                login: by.login.clone(),
                role: by.role,
                what: Permission::ReadPersonalData,
            });
        }
        Ok((mime, bytes))
    }

    /// Writes the register's import template: every column (required ones marked `*`) and
    /// one example row placed in one of the district's grids.
    pub fn write_register_template(&self, path: &std::path::Path) -> Result<()> {
        use griddesk_registers::registers::check::COLUMNS;
        let required = ["name", "address", "lon", "lat"];
        let header: Vec<String> = COLUMNS
            .iter()
            .map(|(n, aliases)| {
                let zh = aliases.first().copied().unwrap_or(n);
                if required.contains(n) {
                    format!("{zh}*")
                } else {
                    zh.to_string()
                }
            })
            .collect();
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        // A grid's label point: inside the district and a grid, wherever the district lies.
        let [lon, lat] = {
            let l = self.loaded();
            let pts = &l.index.grid_label_points;
            pts.get(pts.len() / 2)
                .map_or([0.0, 0.0], |p| [p.x(), p.y()])
        };
        let example: Vec<String> = COLUMNS
            .iter()
            .map(|(n, _)| match *n {
                "name" => "示例便利店".to_string(),
                "address" => "示例路1号".to_string(),
                "kind" => "沿街商铺".to_string(),
                "lon" => format!("{lon:.6}"),
                "lat" => format!("{lat:.6}"),
                "section" => "F".to_string(),
                "subclass" => "F01".to_string(),
                "status" => "正常经营".to_string(),
                _ => String::new(),
            })
            .collect();
        crate::io::sheet::write_sheet(path, "服务对象", &header, &[example])
    }

    // ---- notices ----

    fn recipients(
        &self,
        ix: &RegisterIndex,
        d: &NoticeDraft,
        full: bool,
    ) -> Result<Vec<NoticeRecipient>> {
        let target = d.target.as_ref().ok_or_else(|| {
            Error::Invalid(Message::new(C::NoticeNoRecipients).en("the notice has no target"))
        })?;
        let date = now().format("%Y年%m月%d日").to_string();
        Ok(ix
            .recipients(target)
            .into_iter()
            .map(|o| {
                let contact = o.contact.clone().or(o.legal_rep.clone());
                NoticeRecipient {
                    object: o.id,
                    name: o.name.clone(),
                    address: o.address.clone(),
                    grid: o.grid.clone(),
                    contact: if full {
                        contact
                    } else {
                        contact.as_deref().map(mask_name)
                    },
                    phone: if full {
                        o.phone.clone()
                    } else {
                        o.phone.as_deref().map(mask_phone)
                    },
                    text: render_notice(&d.template, o, &date),
                }
            })
            .collect())
    }

    /// Who a draft reaches, with each one's text.
    pub fn preview_notice(&self, by: &Session, d: &NoticeDraft) -> Result<NoticePreview> {
        self.register_role(by, DESK, Permission::EditRegisters)?;
        let ix = self.registers()?;
        let all = self.recipients(&ix, d, self.sees_register_personal(by))?;
        Ok(NoticePreview {
            total: all.len(),
            recipients: all.into_iter().take(500).collect(),
        })
    }

    /// Sends a notice: stores it with one delivery per recipient.
    pub fn send_notice(&self, by: &Session, d: &NoticeDraft) -> Result<Notice> {
        let title = d.title.trim().to_string();
        if title.is_empty() || d.template.trim().is_empty() {
            return Err(Error::Invalid(
                Message::new(C::NoticeEmpty).en("a notice needs a title and a text"),
            ));
        }
        let ix = self.registers()?;
        let rec = self.recipients(&ix, d, true)?;
        if rec.is_empty() {
            return Err(Error::Invalid(
                Message::new(C::NoticeNoRecipients).en("the notice reaches nobody"),
            ));
        }
        let mut n = Notice {
            id: 0,
            title,
            template: d.template.trim().to_string(),
            target: d.target.clone().unwrap_or(Target {
                kind: TargetKind::Object,
                key: String::new(),
            }),
            channel: if d.channel.trim().is_empty() {
                "短信".into()
            } else {
                d.channel.trim().to_string()
            },
            created_at: now(),
            created_by: by.login.clone(),
            recipients: rec.len(),
        };
        let deliveries: Vec<(i64, String)> =
            rec.iter().map(|r| (r.object, r.text.clone())).collect();
        n.id = self.register_write(
            by,
            DESK,
            Permission::EditRegisters,
            (Thing::Notice, &n.title),
            |tx, _| {
                let id = tx.add_notice(&n, &deliveries)?;
                tx.record_audit(
                    &AuditEntry::by(by, "register.notice", id.to_string()).after(
                        serde_json::json!({
                            "title": n.title, "target": n.target, "recipients": n.recipients
                        }),
                    ),
                )?;
                Ok(id)
            },
        )?;
        Ok(n)
    }

    /// Notices sent, newest first.
    pub fn notices(&self, by: &Session) -> Result<Vec<Notice>> {
        self.require_active(by)?;
        self.store().db().notices()
    }

    /// A notice's recipients as letters (name, address, text; no phones), for printing.
    pub fn notice_letters(&self, by: &Session, id: i64) -> Result<Vec<NoticeRecipient>> {
        self.register_role(by, DESK, Permission::EditRegisters)?;
        let ix = self.registers()?;
        let d = self.store().db().deliveries(Some(id), None)?;
        Ok(d.into_iter()
            .map(|d| {
                let o = ix.object(d.object);
                NoticeRecipient {
                    object: d.object,
                    name: o.map(|o| o.name.clone()).unwrap_or_default(),
                    address: o.map(|o| o.address.clone()).unwrap_or_default(),
                    grid: o.and_then(|o| o.grid.clone()),
                    contact: None,
                    phone: None,
                    text: d.text,
                }
            })
            .collect())
    }

    /// Writes a notice's recipient list for the district's SMS platform (CSV or XLSX by the
    /// extension): it carries phone numbers, so it is for administrators only, and logged.
    pub fn export_notice(&self, by: &Session, id: i64, path: &std::path::Path) -> Result<usize> {
        self.register_role(by, &[Role::Admin], Permission::ExportPersonalData)?;
        let ix = self.registers()?;
        let (notice, d) = {
            let store = self.store();
            let db = store.db();
            let n = db
                .notices()?
                .into_iter()
                .find(|n| n.id == id)
                .ok_or_else(|| not_found("notice", id))?;
            (n, db.deliveries(Some(id), None)?)
        };
        let rows: Vec<Vec<String>> = d
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let o = ix.object(d.object);
                let s = |f: fn(&ServiceObject) -> Option<String>| o.and_then(f).unwrap_or_default();
                vec![
                    (i + 1).to_string(),
                    s(|o| Some(o.name.clone())),
                    s(|o| o.contact.clone().or(o.legal_rep.clone())),
                    s(|o| o.phone.clone()),
                    s(|o| Some(o.address.clone())),
                    s(|o| o.grid.clone()),
                    d.text.clone(),
                ]
            })
            .collect();
        crate::io::sheet::write_sheet(
            path,
            &notice.title,
            &[
                "序号",
                "名称",
                "联系人",
                "手机号",
                "地址",
                "网格",
                "短信内容",
            ],
            &rows,
        )?;
        self.log_lookup(by, "export", &format!("notice {id}: {}", path.display()))?;
        Ok(rows.len())
    }

    // ---- move-car reminders ----

    /// Logs a move-car reminder.
    pub fn add_move_car(&self, by: &Session, m: &MoveCarInput) -> Result<i64> {
        let plate = parse_plate(&m.plate).map_err(Error::Invalid)?;
        let grid = self.register_grid(m.location)?;
        let r = MoveCarReminder {
            id: 0,
            plate,
            place: m.place.trim().to_string(),
            location: m.location,
            grid,
            at: m.at.unwrap_or_else(now),
            channel: if m.channel.trim().is_empty() {
                "短信".into()
            } else {
                m.channel.trim().to_string()
            },
            outcome: m.outcome,
            by: by.login.clone(),
        };
        self.register_write(
            by,
            KEEPERS,
            Permission::EditRegisters,
            (Thing::Notice, &r.plate),
            |tx, _| {
                let id = tx.add_move_car(&r)?;
                tx.record_audit(
                    &AuditEntry::by(by, "register.move_car", id.to_string()).after(&r),
                )?;
                Ok(id)
            },
        )
    }

    /// A year of move-car reminders by month (§Move-car figures).
    pub fn move_car_year(&self, by: &Session, year: i32) -> Result<MoveCarYear> {
        self.require_active(by)?;
        let from = NaiveDate::from_ymd_opt(year, 1, 1)
            .unwrap_or_default()
            .and_time(chrono::NaiveTime::MIN);
        let to = NaiveDate::from_ymd_opt(year + 1, 1, 1)
            .unwrap_or_default()
            .and_time(chrono::NaiveTime::MIN);
        let all = self.store().db().move_cars(from, to)?;
        let months = move_car_months(&all);
        let mut total = move_car_months(
            &all.iter()
                .cloned()
                .map(|mut r| {
                    r.at = from;
                    r
                })
                .collect::<Vec<_>>(),
        )
        .pop()
        .unwrap_or_default();
        total.month = year.to_string();
        let latest = all.iter().rev().take(200).cloned().collect();
        Ok(MoveCarYear {
            year,
            months,
            total,
            latest,
        })
    }

    // ---- vendors ----

    fn vendor_row(
        &self,
        ix: &RegisterIndex,
        v: &Vendor,
        full: bool,
        at: NaiveDateTime,
    ) -> VendorRow {
        let (refusals, colour) = ix.colour_of(v.id, at);
        VendorRow {
            id: v.id,
            name: if full {
                v.name.clone()
            } else {
                mask_name(&v.name)
            },
            phone: if full {
                v.phone.clone()
            } else {
                v.phone.as_deref().map(mask_phone)
            },
            trade: v.trade.clone(),
            colour,
            refusals,
            warnings: ix.warnings_of(v.id).len(),
            usual_place: v.usual_place,
            usual_grid: v
                .usual_place
                .and_then(|p| self.grid_at(p[0], p[1]))
                .map(|g| g.to_string()),
        }
    }

    /// Vendors whose name, phone or trade contains `text` (all when empty), red first. A
    /// search by a person's name or phone is logged.
    pub fn vendors(&self, by: &Session, text: &str) -> Result<Vec<VendorRow>> {
        self.require_active(by)?;
        let ix = self.registers()?;
        let t = text.trim();
        if !t.is_empty() {
            self.log_lookup(by, "vendor-search", t)?;
        }
        let full = self.sees_register_personal(by);
        let at = now();
        let mut rows: Vec<VendorRow> = ix
            .data
            .vendors
            .iter()
            .filter(|v| {
                t.is_empty()
                    || v.name.contains(t)
                    || v.trade.contains(t)
                    || v.phone.as_deref().is_some_and(|p| p.contains(t))
            })
            .map(|v| self.vendor_row(&ix, v, full, at))
            .collect();
        rows.sort_by(|a, b| {
            b.colour
                .cmp(&a.colour)
                .then(b.refusals.cmp(&a.refusals))
                .then(a.id.cmp(&b.id))
        });
        Ok(rows)
    }

    /// A vendor's record (logged).
    pub fn vendor_detail(&self, by: &Session, id: i64) -> Result<VendorDetail> {
        self.require_active(by)?;
        let ix = self.registers()?;
        let v = ix
            .vendor(id)
            .cloned()
            .ok_or_else(|| not_found("vendor", id))?;
        let full = self.sees_register_personal(by);
        self.log_lookup(
            by,
            if full { "vendor" } else { "vendor-masked" },
            &id.to_string(),
        )?;
        let row = self.vendor_row(&ix, &v, full, now());
        let mut vendor = v;
        if !full {
            vendor.name = mask_name(&vendor.name);
            vendor.phone = vendor.phone.as_deref().map(mask_phone);
            vendor.id_number = vendor.id_number.as_deref().map(mask_id_number);
        }
        let mut warnings = ix.warnings_of(id);
        warnings.reverse();
        let photos = if full {
            self.store().db().register_photos("vendor", id)?
        } else {
            vec![]
        };
        Ok(VendorDetail {
            row,
            vendor,
            warnings,
            admissions: ix
                .data
                .admissions
                .iter()
                .filter(|a| a.vendor == id)
                .cloned()
                .collect(),
            photos,
            masked: !full,
        })
    }

    /// Creates or changes a vendor; returns the id.
    pub fn save_vendor(&self, by: &Session, e: &VendorEdit) -> Result<i64> {
        let name = e.name.trim().to_string();
        if name.is_empty() {
            return Err(Error::Invalid(
                Message::new(C::RequiredMissing).en("a vendor needs a name"),
            ));
        }
        if let Some(p) = e.usual_place {
            self.register_grid(p)?;
        }
        let full = self.sees_register_personal(by);
        let login = by.login.clone();
        let key = e.id.map(|i| i.to_string()).unwrap_or_default();
        self.register_write(
            by,
            KEEPERS,
            Permission::EditRegisters,
            (Thing::Vendor, &key),
            |tx, ix| {
                let before = match e.id {
                    Some(id) => Some(
                        ix.vendor(id)
                            .cloned()
                            .ok_or_else(|| not_found("vendor", id))?,
                    ),
                    None => None,
                };
                let mut v = Vendor {
                    id: e.id.unwrap_or(0),
                    name: name.clone(),
                    phone: trimmed(&e.phone),
                    id_number: trimmed(&e.id_number),
                    trade: e.trade.trim().to_string(),
                    usual_place: e.usual_place,
                    note: trimmed(&e.note),
                    created_at: before.as_ref().map_or_else(now, |b| b.created_at),
                    created_by: before
                        .as_ref()
                        .map_or_else(|| login.clone(), |b| b.created_by.clone()),
                };
                // Masked roles keep the stored name, phone and ID number (§Personal data).
                if let (false, Some(b)) = (full, &before) {
                    v.name = b.name.clone();
                    v.phone = b.phone.clone();
                    v.id_number = b.id_number.clone();
                }
                let id = tx.put_vendor(&v)?;
                tx.record_audit(
                    &AuditEntry::by(by, "register.vendor.put", id.to_string())
                        .before(before)
                        .after(&v),
                )?;
                Ok(id)
            },
        )
    }

    /// Logs a warning given by `by` (the inspector); returns the vendor's colour after it.
    pub fn add_warning(&self, by: &Session, w: &WarningInput) -> Result<VendorRow> {
        if w.matter.trim().is_empty() {
            return Err(Error::Invalid(
                Message::new(C::RequiredMissing).en("what was the vendor told to stop?"),
            ));
        }
        let grid = self.register_grid(w.location)?;
        let login = by.login.clone();
        self.register_write(
            by,
            KEEPERS,
            Permission::EditRegisters,
            (Thing::Vendor, &w.vendor.to_string()),
            |tx, ix| {
                ix.vendor(w.vendor)
                    .ok_or_else(|| not_found("vendor", w.vendor))?;
                let warning = Warning {
                    id: 0,
                    vendor: w.vendor,
                    at: w.at.unwrap_or_else(now),
                    location: w.location,
                    grid,
                    inspector: login.clone(),
                    matter: w.matter.trim().to_string(),
                    refused: w.refused,
                    note: trimmed(&w.note),
                };
                tx.add_warning(&warning)?;
                Ok(())
            },
        )?;
        let ix = self.registers()?;
        let v = ix
            .vendor(w.vendor)
            .ok_or_else(|| not_found("vendor", w.vendor))?;
        Ok(self.vendor_row(&ix, v, self.sees_register_personal(by), now()))
    }

    /// Sets the colour ladder (administrators).
    pub fn set_ladder(&self, by: &Session, l: &Ladder) -> Result<()> {
        l.check().map_err(Error::Invalid)?;
        self.register_write(
            by,
            &[Role::Admin],
            Permission::EditRegisters,
            (Thing::Vendor, "ladder"),
            |tx, ix| {
                tx.put_ladder(l)?;
                tx.record_audit(
                    &AuditEntry::by(by, "register.ladder", "ladder")
                        .before(&ix.data.ladder)
                        .after(l),
                )?;
                Ok(())
            },
        )
    }

    // ---- vending zones ----

    /// Vending zones with their current admissions.
    pub fn vending_zones(&self, by: &Session) -> Result<Vec<ZoneRow>> {
        self.require_active(by)?;
        let ix = self.registers()?;
        let full = self.sees_register_personal(by);
        let t = now();
        Ok(ix
            .data
            .zones
            .iter()
            .map(|z| ZoneRow {
                zone: z.clone(),
                open_now: zone_open_at(z, t),
                admissions: ix
                    .data
                    .admissions
                    .iter()
                    .filter(|a| a.zone == z.code && a.status != AdmissionStatus::Exited)
                    .map(|a| {
                        let name = ix
                            .vendor(a.vendor)
                            .map(|v| v.name.clone())
                            .unwrap_or_default();
                        (a.clone(), if full { name } else { mask_name(&name) })
                    })
                    .collect(),
            })
            .collect())
    }

    /// Creates or changes a vending zone.
    pub fn save_vending_zone(&self, by: &Session, z: &VendingZone) -> Result<()> {
        let mut z = z.clone();
        z.code = z.code.trim().to_string();
        z.name = z.name.trim().to_string();
        if z.code.is_empty() || z.name.is_empty() {
            return Err(Error::Invalid(
                Message::new(C::RequiredMissing).en("a vending zone needs a code and a name"),
            ));
        }
        check_zone_times(&z).map_err(Error::Invalid)?;
        if z.ring.first() != z.ring.last() {
            if let Some(f) = z.ring.first().copied() {
                z.ring.push(f);
            }
        }
        let poly = geo_types::Polygon::new(
            geo_types::LineString(
                z.ring
                    .iter()
                    .map(|c| geo_types::Coord { x: c[0], y: c[1] })
                    .collect(),
            ),
            vec![],
        );
        let valid = z.ring.len() >= 4
            && z.ring
                .iter()
                .all(|c| crate::io::check_lon_lat(c[0], c[1]).is_ok())
            && {
                use geo::Validation;
                poly.is_valid()
            };
        if !valid {
            return Err(Error::Invalid(
                Message::new(C::VendingZoneShape)
                    .text("zone", &z.code)
                    .en(format!("vending zone `{}`: not a valid polygon", z.code)),
            ));
        }
        for c in &z.ring {
            self.register_grid(*c)?;
        }
        z.trades = z
            .trades
            .iter()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        let code = z.code.clone();
        self.register_write(
            by,
            ZONE_EDITORS,
            Permission::EditPlanning,
            (Thing::VendingZone, &code),
            |tx, ix| {
                let before = ix.data.zones.iter().find(|x| x.code == z.code).cloned();
                tx.put_vending_zone(&z)?;
                tx.record_audit(
                    &AuditEntry::by(by, "register.zone.put", &z.code)
                        .before(before)
                        .after(&z),
                )?;
                Ok(())
            },
        )
    }

    /// Deletes a vending zone and its admissions.
    pub fn delete_vending_zone(&self, by: &Session, code: &str) -> Result<()> {
        self.register_write(
            by,
            ZONE_EDITORS,
            Permission::EditPlanning,
            (Thing::VendingZone, code),
            |tx, ix| {
                let before = ix
                    .data
                    .zones
                    .iter()
                    .find(|x| x.code == code)
                    .cloned()
                    .ok_or_else(|| not_found("vending zone", code))?;
                tx.delete_vending_zone(code)?;
                tx.record_audit(&AuditEntry::by(by, "register.zone.delete", code).before(before))?;
                Ok(())
            },
        )
    }

    /// Admits a vendor to a zone for a trade (准入).
    pub fn admit_vendor(&self, by: &Session, zone: &str, vendor: i64, trade: &str) -> Result<i64> {
        let login = by.login.clone();
        self.register_write(
            by,
            DESK,
            Permission::EditRegisters,
            (Thing::Admission, zone),
            |tx, ix| {
                let z = ix
                    .data
                    .zones
                    .iter()
                    .find(|z| z.code == zone)
                    .ok_or_else(|| not_found("vending zone", zone))?;
                let v = ix
                    .vendor(vendor)
                    .ok_or_else(|| not_found("vendor", vendor))?;
                let trade = if trade.trim().is_empty() {
                    v.trade.clone()
                } else {
                    trade.trim().to_string()
                };
                if !zone_allows_trade(z, &trade) {
                    return Err(Error::Invalid(
                        Message::new(C::ZoneTradeRefused)
                            .text("zone", &z.name)
                            .text("trade", &trade)
                            .en(format!(
                                "vending zone `{}` does not allow `{trade}`",
                                z.code
                            )),
                    ));
                }
                let live: Vec<&Admission> = ix
                    .data
                    .admissions
                    .iter()
                    .filter(|a| a.zone == zone && a.status != AdmissionStatus::Exited)
                    .collect();
                if live.iter().any(|a| a.vendor == vendor) {
                    return Err(Error::Invalid(
                        Message::new(C::AlreadyAdmitted)
                            .text("zone", &z.name)
                            .text("vendor", &v.name)
                            .en(format!(
                                "vendor {} is already admitted to `{}`",
                                v.id, z.code
                            )),
                    ));
                }
                if let Some(cap) = z.capacity {
                    if live.len() >= cap as usize {
                        return Err(Error::Invalid(
                            Message::new(C::ZoneFull)
                                .text("zone", &z.name)
                                .int("capacity", cap)
                                .en(format!("vending zone `{}` is full ({cap})", z.code)),
                        ));
                    }
                }
                let a = Admission {
                    id: 0,
                    zone: zone.to_string(),
                    vendor,
                    trade,
                    status: AdmissionStatus::Admitted,
                    admitted_at: now(),
                    admitted_by: login.clone(),
                    stall: None,
                    filed_at: None,
                    exited_at: None,
                    exit_reason: None,
                };
                let id = tx.put_admission(&a)?;
                tx.record_audit(
                    &AuditEntry::by(by, "register.admission.admit", id.to_string()).after(&a),
                )?;
                Ok(id)
            },
        )
    }

    /// Files an admission (备案) with its stall number, or ends it (退出) with a reason.
    pub fn admission_step(
        &self,
        by: &Session,
        id: i64,
        to: AdmissionStatus,
        text: &str,
    ) -> Result<()> {
        self.register_write(
            by,
            DESK,
            Permission::EditRegisters,
            (Thing::Admission, &id.to_string()),
            |tx, ix| {
                let before = ix
                    .data
                    .admissions
                    .iter()
                    .find(|a| a.id == id)
                    .cloned()
                    .ok_or_else(|| not_found("admission", id))?;
                let mut a = before.clone();
                let refuse = || {
                    Error::Invalid(
                        Message::new(C::AdmissionStep)
                            .text("status", before.status.zh())
                            .en(format!(
                                "admission {id} is {}: cannot go to {}",
                                before.status.key(),
                                to.key()
                            )),
                    )
                };
                let text = text.trim();
                if text.is_empty() {
                    return Err(Error::Invalid(Message::new(C::RequiredMissing).en(
                        if to == AdmissionStatus::Filed {
                            "a stall number is needed"
                        } else {
                            "a reason is needed"
                        },
                    )));
                }
                match (before.status, to) {
                    (AdmissionStatus::Admitted, AdmissionStatus::Filed) => {
                        a.status = AdmissionStatus::Filed;
                        a.stall = Some(text.to_string());
                        a.filed_at = Some(now());
                    }
                    (
                        AdmissionStatus::Admitted | AdmissionStatus::Filed,
                        AdmissionStatus::Exited,
                    ) => {
                        a.status = AdmissionStatus::Exited;
                        a.exit_reason = Some(text.to_string());
                        a.exited_at = Some(now());
                    }
                    _ => return Err(refuse()),
                }
                tx.put_admission(&a)?;
                tx.record_audit(
                    &AuditEntry::by(by, "register.admission.step", id.to_string())
                        .before(&before)
                        .after(&a),
                )?;
                Ok(())
            },
        )
    }

    // ---- hints and the log ----

    /// The street hints for a case (§Hints): whose frontage it is on; for a vending case, a
    /// red-listed vendor's usual place nearby, or a vending zone open at the time reported
    /// with admitted vendors. Vendors' names are masked unless `by` sees people's data; a hint
    /// that names a vendor is a look at a person's record and is logged.
    pub fn case_street_hints(&self, by: &Session, id: &str) -> Result<Vec<StreetHint>> {
        self.require_active(by)?;
        let (p, code, name, at) = {
            let loaded = self.loaded();
            let idx = &loaded.index;
            let c = idx
                .cases
                .iter()
                .find(|c| &*c.id == id)
                .ok_or_else(|| not_found("case", id))?;
            let code = c.class_code.to_string();
            let name = crate::workflow::queue::class_name(idx, c.kind, &code);
            ([c.location.x(), c.location.y()], code, name, c.reported_at)
        };
        let mut hints = self.registers()?.hints(p, &code, name.as_deref(), at);
        let names_vendor = hints.iter().any(|h| {
            matches!(
                h,
                StreetHint::RedVendor { .. } | StreetHint::InVendingZone { .. }
            )
        });
        let full = self.sees_register_personal(by);
        if names_vendor {
            self.log_lookup(
                by,
                if full {
                    "case-hints"
                } else {
                    "case-hints-masked"
                },
                id,
            )?;
        }
        if !full {
            for h in &mut hints {
                match h {
                    StreetHint::RedVendor { name, .. } => *name = mask_name(name),
                    StreetHint::InVendingZone { admitted, .. } => {
                        admitted.iter_mut().for_each(|n| *n = mask_name(n));
                    }
                    StreetHint::Frontage { .. } => {}
                }
            }
        }
        Ok(hints)
    }

    /// The log of lookups of people's records (administrators and leaders).
    pub fn person_lookups(&self, by: &Session, limit: usize) -> Result<Vec<PersonLookup>> {
        self.require_role(by, &[Role::Admin, Role::Leader], Permission::ReadAudit)?;
        self.store().db().person_lookups(limit.min(10_000))
    }
}

fn object_from_edit(
    e: &ObjectEdit,
    before: Option<&ServiceObject>,
    located: Option<String>,
    login: &str,
) -> ServiceObject {
    let (grid, grid_reason) = match &e.grid {
        Some(g) if Some(g) != located.as_ref() => (Some(g.clone()), e.grid_reason.clone()),
        _ => (located, None),
    };
    ServiceObject {
        id: e.id.unwrap_or(0),
        kind: e.kind.unwrap_or(ObjectKind::Shop),
        name: e.name.clone(),
        address: e.address.clone(),
        location: e.location,
        grid,
        grid_reason,
        section: e.section.clone(),
        subclass: e.subclass.clone(),
        credit_code: e.credit_code.clone(),
        legal_rep: e.legal_rep.clone(),
        id_number: e.id_number.clone(),
        contact: e.contact.clone(),
        phone: e.phone.clone(),
        licence: e.licence.clone(),
        status: e.status.unwrap_or(ObjectStatus::Operating),
        collected_by: before.map_or_else(|| Some(login.to_string()), |b| b.collected_by.clone()),
        collected_on: e
            .collected_on
            .or(before.and_then(|b| b.collected_on))
            .or_else(|| Some(now().date())),
        verified_by: before.and_then(|b| b.verified_by.clone()),
        verified_at: before.and_then(|b| b.verified_at),
        frontage: e
            .frontage
            .clone()
            .or_else(|| before.and_then(|b| b.frontage.clone())),
        note: e.note.clone(),
    }
}

/// A history row as shown: the fields that changed, personal ones masked unless `full`.
fn change_of(h: HistoryRow, full: bool) -> ObjectChange {
    let empty = serde_json::Map::new();
    let b = h
        .before
        .as_ref()
        .and_then(|v| v.as_object())
        .unwrap_or(&empty);
    let a = h
        .after
        .as_ref()
        .and_then(|v| v.as_object())
        .unwrap_or(&empty);
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    let text = |v: Option<&serde_json::Value>, k: &str| -> Option<String> {
        let s = match v? {
            serde_json::Value::Null => return None,
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        Some(if !full && PERSONAL_FIELDS.contains(&k) {
            mask_field(k, &s)
        } else {
            s
        })
    };
    let fields = keys
        .into_iter()
        .filter(|k| b.get(*k) != a.get(*k))
        .map(|k| (k.clone(), text(b.get(k), k), text(a.get(k), k)))
        .collect();
    ObjectChange {
        at: h.at,
        by: h.by,
        action: h.action,
        reason: h.reason,
        fields,
    }
}
