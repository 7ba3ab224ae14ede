//! The [`Engine`] facade for responsibility zones: every edit is one transaction, then the
//! in-memory [`ZoneIndex`] is rebuilt from the store.

#[allow(unused_imports)]
use crate::ports::*;

use crate::audit::AuditEntry;
use crate::code::GridCode;
use crate::error::{Error, Result};
use crate::message::{Message, MessageCode as C, Thing};
use crate::users::{Role as UserRole, Session};
use crate::zones::index::{PersonRef, Responsibility, UnitRef, ZoneIndex, ZoneSummary};
use crate::zones::model::*;
use crate::zones::store::{self, AssignReport, OnConflict};
use crate::Engine;
use geo_types::{Coord, LineString, Polygon};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Default search distance for road lines in [`Engine::who_is_here`], metres.
pub const ROAD_SEARCH_M: f64 = 30.0;

/// A layer with its number of zones.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LayerInfo {
    #[serde(flatten)]
    pub layer: ZoneLayer,
    pub kind_zh: &'static str,
    pub network_zh: &'static str,
    pub zones: usize,
    /// Active unit grids in no zone of this layer.
    pub unassigned_grids: usize,
}

/// Creating or changing a zone (from the UI or the CLI).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ZoneEdit {
    pub layer: String,
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub unit: Option<String>,
    /// Responsible people (ids), the lead first.
    #[serde(default)]
    pub people: Vec<String>,
    /// Member grids to add (codes); `None` leaves the members as they are.
    #[serde(default)]
    pub grids: Option<Vec<String>>,
    #[serde(default)]
    pub on_conflict: OnConflict,
}

/// A zone with its member grids and extent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZoneDetail {
    #[serde(flatten)]
    pub summary: ZoneSummary,
    pub member_grids: Vec<String>,
    /// `[west, south, east, north]`.
    pub bbox: Option<[f64; 4]>,
}

/// Creating or changing a road line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoadEdit {
    pub code: String,
    pub name: String,
    pub class: RoadClass,
    /// `[lon, lat]` vertices.
    pub line: Vec<[f64; 2]>,
    #[serde(default)]
    pub chief: Option<String>,
    #[serde(default)]
    pub unit: Option<String>,
}

/// A road line as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RoadSummary {
    pub code: String,
    pub name: String,
    pub class: RoadClass,
    pub chief_title: &'static str,
    pub chief: Option<PersonRef>,
    pub unit: Option<UnitRef>,
    pub length_m: f64,
}

/// One person's responsibilities across every layer and road line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonZones {
    pub person: PersonRef,
    /// Zones the person is responsible for, by layer order.
    pub zones: Vec<PersonZone>,
    pub roads: Vec<RoadSummary>,
}

/// A zone in a person's list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PersonZone {
    pub layer: String,
    pub layer_name: String,
    pub code: String,
    pub name: String,
    /// Whether the person is the zone's lead (first named).
    pub lead: bool,
    pub grids: usize,
}

fn not_found(what: &'static str, key: impl Into<String>) -> Error {
    Error::NotFound {
        what,
        key: key.into(),
    }
}

impl Engine {
    /// The zone tables in memory (a consistent snapshot; cheap to clone).
    pub fn zones(&self) -> Arc<ZoneIndex> {
        match self.zones.read() {
            Ok(g) => Arc::clone(&g),
            Err(p) => Arc::clone(&p.into_inner()),
        }
    }

    /// Re-reads the zone tables and rebuilds [`ZoneIndex`] over the current grid index.
    pub fn refresh_zones(&self) -> Result<()> {
        let store = self.store();
        self.refresh_zones_from(&store)
    }

    /// [`Engine::refresh_zones`] for a caller that already holds the store.
    pub(crate) fn refresh_zones_from(&self, store: &crate::store::Store) -> Result<()> {
        let data = store.db().load()?;
        let z = Arc::new(ZoneIndex::build(self.loaded(), data));
        match self.zones.write() {
            Ok(mut g) => *g = z,
            Err(p) => *p.into_inner() = z,
        }
        Ok(())
    }

    /// Checks that `by` is a signed-in 网格规划员 (planner) or 系统管理员 (admin): the only roles
    /// that change responsibility zones, people, units and road lines (docs/architecture.md,
    /// "policy in the engine").
    pub fn require_zone_editor(&self, by: &Session) -> Result<()> {
        self.require_role(
            by,
            &[UserRole::Planner, UserRole::Admin],
            crate::error::Permission::EditPlanning,
        )
    }

    /// One zone edit: the role checked; the zone tables brought up to date with the store
    /// when another process changed them, so that the edit's checks and its audit row's
    /// "before" (`before`, read from them) are what is stored; then the change and its audit
    /// row in one transaction (the entry's `after` defaults to what the edit returned); then
    /// the whole index refreshed when the duty grids changed (the grid panel shows them), the
    /// zone index otherwise (docs/trust.md, "Stale edits").
    fn zone_edit<T: serde::Serialize>(
        &self,
        by: &Session,
        duty: bool,
        (thing, entry): (Thing, AuditEntry),
        before: impl FnOnce(&ZoneIndex) -> Option<serde_json::Value>,
        f: impl FnOnce(&griddesk_store_sqlite::Db<'_>) -> Result<T>,
    ) -> Result<T> {
        self.require_zone_editor(by)?;
        let out = {
            let mut store = self.store();
            let (_, generation) = self.current_locked(&store)?;
            let entry = entry.before(before(&self.zones()));
            store.transaction(|tx| {
                Engine::still_current(tx, generation, thing, &entry.subject)?;
                let out = f(tx)?;
                let entry = if entry.after.is_none() {
                    entry.after(&out)
                } else {
                    entry
                };
                tx.record_audit(&entry)?;
                Ok(out)
            })?
        };
        if duty {
            self.reload()?;
        } else {
            self.refresh_zones()?;
        }
        Ok(out)
    }

    /// "Who is responsible here": grid, community, street, every layer's zone with its unit
    /// and people, and road lines within [`ROAD_SEARCH_M`].
    /// People's phone numbers are masked unless `by` may see staff contacts (docs/trust.md, "Personal data").
    pub fn who_is_here(&self, by: Option<&Session>, lon: f64, lat: f64) -> Responsibility {
        let mut r = self.zones().who_is_here(lon, lat, ROAD_SEARCH_M);
        if !self.sees_staff(by) {
            for l in &mut r.layers {
                if let Some(z) = &mut l.zone {
                    z.people.iter_mut().for_each(mask_person);
                }
            }
            for road in &mut r.roads {
                road.chief.iter_mut().for_each(mask_person);
            }
        }
        r
    }

    /// Whether `by` sees staff phone numbers in full: an active user whose role may (docs/trust.md, "Personal data").
    fn sees_staff(&self, by: Option<&Session>) -> bool {
        by.is_some_and(|s| {
            s.role.sees_personal_data(crate::users::PersonalData::Staff)
                && self.require_active(s).is_ok()
        })
    }

    /// The zone tile z/x/y colouring the map by `layer` (see [`crate::tiles::encode_zone_tile`]).
    pub fn zone_tile(&self, layer: &str, z: u32, x: u32, y: u32) -> Result<Vec<u8>> {
        crate::tiles::encode_zone_tile(&self.zones(), layer, z, x, y)
    }

    /// Zone layers in display order.
    pub fn zone_layers(&self) -> Vec<LayerInfo> {
        let z = self.zones();
        let idx = &z.loaded().index;
        let active: Vec<usize> = (0..idx.grids.len())
            .filter(|&i| idx.grids[i].is_active())
            .collect();
        z.data
            .layers
            .iter()
            .enumerate()
            .map(|(l, layer)| LayerInfo {
                layer: layer.clone(),
                kind_zh: layer.kind.zh(),
                network_zh: layer.network.zh(),
                zones: z.zones_of_layer(&layer.code).len(),
                unassigned_grids: active
                    .iter()
                    .filter(|&&g| z.zone_of_grid(g, l).is_none())
                    .count(),
            })
            .collect()
    }

    /// Creates or changes a layer.
    pub fn put_zone_layer(&self, by: &Session, layer: &ZoneLayer) -> Result<()> {
        let entry = AuditEntry::by(by, "zone.layer.put", &layer.code).after(layer);
        self.zone_edit(
            by,
            false,
            (Thing::Layer, entry),
            |z| json_of(z.data.layers.iter().find(|l| l.code == layer.code)),
            |tx| tx.put_layer(layer),
        )
    }

    /// Deletes a layer and its zones (not the duty-grid layer).
    pub fn delete_zone_layer(&self, by: &Session, code: &str) -> Result<()> {
        let entry = AuditEntry::by(by, "zone.layer.delete", code);
        self.zone_edit(
            by,
            false,
            (Thing::Layer, entry),
            |z| json_of(z.data.layers.iter().find(|l| l.code == code)),
            |tx| tx.delete_layer(code),
        )
    }

    /// Units, by code.
    pub fn units(&self) -> Vec<OrgUnit> {
        self.zones().data.units.clone()
    }

    /// Creates or changes a unit.
    pub fn put_unit(&self, by: &Session, unit: &OrgUnit) -> Result<()> {
        if unit.code.trim().is_empty() || unit.name.trim().is_empty() {
            return Err(Error::Invalid(
                Message::new(C::UnitNeedsCodeName).en("a unit needs a code and a name"),
            ));
        }
        let entry = AuditEntry::by(by, "zone.unit.put", &unit.code).after(unit);
        self.zone_edit(
            by,
            false,
            (Thing::Unit, entry),
            |z| json_of(z.data.units.iter().find(|u| u.code == unit.code)),
            |tx| tx.put_unit(unit),
        )
    }

    /// Deletes a unit nobody refers to.
    pub fn delete_unit(&self, by: &Session, code: &str) -> Result<()> {
        let entry = AuditEntry::by(by, "zone.unit.delete", code);
        self.zone_edit(
            by,
            false,
            (Thing::Unit, entry),
            |z| json_of(z.data.units.iter().find(|u| u.code == code)),
            |tx| tx.delete_unit(code),
        )
    }

    /// People, by id.
    /// Phone numbers masked unless `by` may see staff contacts.
    pub fn people(&self, by: Option<&Session>) -> Vec<PersonRef> {
        let z = self.zones();
        let mut out: Vec<PersonRef> = z
            .data
            .people
            .iter()
            .filter_map(|p| z.person_ref(&p.id))
            .collect();
        if !self.sees_staff(by) {
            out.iter_mut().for_each(mask_person);
        }
        out
    }

    /// Creates or changes a person (the inspector name of duty grids they lead follows).
    pub fn put_person(&self, by: &Session, person: &Person) -> Result<()> {
        if person.id.trim().is_empty() || person.name.trim().is_empty() {
            return Err(Error::Invalid(
                Message::new(C::PersonNeedsIdName).en("a person needs an id and a name"),
            ));
        }
        let leads_duty =
            self.zones().data.zones.iter().any(|z| {
                z.layer == DUTY_LAYER && z.people.first().is_some_and(|p| *p == person.id)
            });
        let entry = AuditEntry::by(by, "zone.person.put", &person.id).after(person);
        self.zone_edit(
            by,
            leads_duty,
            (Thing::Person, entry),
            |z| json_of(z.data.people.iter().find(|p| p.id == person.id)),
            |tx| tx.put_person(person),
        )
    }

    /// Deletes a person who is responsible for nothing.
    pub fn delete_person(&self, by: &Session, id: &str) -> Result<()> {
        let entry = AuditEntry::by(by, "zone.person.delete", id);
        self.zone_edit(
            by,
            false,
            (Thing::Person, entry),
            |z| json_of(z.data.people.iter().find(|p| p.id == id)),
            |tx| tx.delete_person(id),
        )
    }

    /// Parses member codes (14-digit legacy codes migrated) and checks they are active grids.
    fn member_codes(&self, codes: &[String]) -> Result<Vec<GridCode>> {
        let l = self.loaded();
        let mut out: Vec<GridCode> = Vec::with_capacity(codes.len());
        for c in codes {
            let (g, _) = GridCode::parse_or_migrate(c)?;
            match l.index.grid(&g) {
                None => return Err(not_found("grid", g.to_string())),
                Some(grid) if !grid.is_active() => {
                    return Err(Error::Invalid(
                        Message::new(C::GridRetired)
                            .text("grid", g)
                            .en(format!("unit grid {g} is retired")),
                    ))
                }
                Some(_) => {}
            }
            if !out.contains(&g) {
                out.push(g);
            }
        }
        Ok(out)
    }

    /// Creates or changes a zone, and adds `edit.grids` to it, in one transaction.
    pub fn put_zone(&self, by: &Session, edit: &ZoneEdit) -> Result<AssignReport> {
        if edit.name.trim().is_empty() {
            return Err(Error::Invalid(
                Message::new(C::ZoneNeedsName)
                    .text("zone", &edit.code)
                    .en(format!("zone `{}` needs a name", edit.code)),
            ));
        }
        let grids = edit
            .grids
            .as_deref()
            .map(|g| self.member_codes(g))
            .transpose()?;
        let duty = edit.layer == DUTY_LAYER;
        let entry =
            AuditEntry::by(by, "zone.put", format!("{}/{}", edit.layer, edit.code)).after(edit);
        let before = |z: &ZoneIndex| zone_before(z, &edit.layer, &edit.code);
        self.zone_edit(by, duty, (Thing::Zone, entry), before, |tx| {
            tx.put_zone(
                &edit.layer,
                &edit.code,
                &edit.name,
                edit.unit.as_deref(),
                &edit.people,
            )?;
            match &grids {
                Some(g) => tx.assign(&edit.layer, edit.code.trim(), g, edit.on_conflict),
                None => Ok(AssignReport::default()),
            }
        })
    }

    /// Adds grids (by code) to a zone. Within a layer a grid belongs to at most one zone:
    /// [`OnConflict::Refuse`] fails with [`Error::ZoneConflict`] naming the zone that has it,
    /// [`OnConflict::Move`] moves it.
    pub fn assign_grids(
        &self,
        by: &Session,
        layer: &str,
        zone: &str,
        grids: &[String],
        on_conflict: OnConflict,
    ) -> Result<AssignReport> {
        let grids = self.member_codes(grids)?;
        let entry = AuditEntry::by(by, "zone.assign", format!("{layer}/{zone}"));
        self.zone_edit(
            by,
            layer == DUTY_LAYER,
            (Thing::Zone, entry),
            |z| zone_before(z, layer, zone),
            |tx| tx.assign(layer, zone, &grids, on_conflict),
        )
    }

    /// Adds to a zone every active grid whose label point lies inside a drawn polygon
    /// (`[lon, lat]` vertices of its outline).
    pub fn assign_drawn(
        &self,
        by: &Session,
        layer: &str,
        zone: &str,
        outline: &[[f64; 2]],
        on_conflict: OnConflict,
    ) -> Result<AssignReport> {
        let area = drawn_polygon(outline)?;
        let z = self.zones();
        let idx = &z.loaded().index;
        let grids: Vec<GridCode> = z
            .grids_in_drawn(&area)
            .into_iter()
            .map(|i| idx.grids[i].code)
            .collect();
        if grids.is_empty() {
            return Err(Error::Invalid(Message::new(C::PolygonHoldsNoGrid).en(
                "the drawn polygon holds no unit grid (a grid is taken when its label point is inside)"
            )));
        }
        let entry = AuditEntry::by(by, "zone.assign", format!("{layer}/{zone}"));
        self.zone_edit(
            by,
            layer == DUTY_LAYER,
            (Thing::Zone, entry),
            |z| zone_before(z, layer, zone),
            |tx| tx.assign(layer, zone, &grids, on_conflict),
        )
    }

    /// Takes grids out of their zone in a layer; returns how many were in one.
    pub fn unassign_grids(&self, by: &Session, layer: &str, grids: &[String]) -> Result<usize> {
        let grids: Vec<GridCode> = grids
            .iter()
            .map(|c| GridCode::parse_or_migrate(c).map(|g| g.0))
            .collect::<Result<_>>()?;
        let entry = AuditEntry::by(by, "zone.unassign", layer);
        self.zone_edit(
            by,
            layer == DUTY_LAYER,
            (Thing::Layer, entry),
            |_| json_of(Some(&grids)),
            |tx| tx.unassign(layer, &grids),
        )
    }

    /// Deletes a zone; its grids become free in that layer.
    pub fn delete_zone(&self, by: &Session, layer: &str, code: &str) -> Result<()> {
        let entry = AuditEntry::by(by, "zone.delete", format!("{layer}/{code}"));
        self.zone_edit(
            by,
            layer == DUTY_LAYER,
            (Thing::Zone, entry),
            |z| zone_before(z, layer, code),
            |tx| tx.delete_zone(layer, code),
        )
    }

    /// The zones of a layer, by code.
    pub fn zones_in_layer(&self, by: Option<&Session>, layer: &str) -> Result<Vec<ZoneSummary>> {
        let z = self.zones();
        if z.layer(layer).is_none() {
            return Err(not_found("layer", layer));
        }
        let full = self.sees_staff(by);
        Ok(z.zones_of_layer(layer)
            .iter()
            .map(|&i| {
                let mut s = z.summary(i as usize);
                if !full {
                    s.people.iter_mut().for_each(mask_person);
                }
                s
            })
            .collect())
    }

    /// One zone with its members and extent.
    pub fn zone_detail(&self, by: Option<&Session>, layer: &str, code: &str) -> Result<ZoneDetail> {
        let z = self.zones();
        let i = z
            .zone_index(layer, code)
            .ok_or_else(|| not_found("zone", format!("{layer}/{code}")))?;
        let mut summary = z.summary(i);
        if !self.sees_staff(by) {
            summary.people.iter_mut().for_each(mask_person);
        }
        Ok(ZoneDetail {
            summary,
            member_grids: z.data.zones[i]
                .grids
                .iter()
                .map(|g| g.to_string())
                .collect(),
            bbox: z.zone_bbox(i),
        })
    }

    /// A person's zones in every layer and the road lines they lead.
    pub fn person_zones(&self, by: Option<&Session>, id: &str) -> Result<PersonZones> {
        let z = self.zones();
        let mut person = z.person_ref(id).ok_or_else(|| not_found("person", id))?;
        let full = self.sees_staff(by);
        if !full {
            mask_person(&mut person);
        }
        let mut zones = Vec::new();
        for layer in &z.data.layers {
            for &i in z.zones_of_layer(&layer.code) {
                let zone = &z.data.zones[i as usize];
                if let Some(pos) = zone.people.iter().position(|p| p == id) {
                    zones.push(PersonZone {
                        layer: layer.code.clone(),
                        layer_name: layer.name.clone(),
                        code: zone.code.clone(),
                        name: zone.name.clone(),
                        lead: pos == 0,
                        grids: zone.grids.len(),
                    });
                }
            }
        }
        let roads = z
            .roads_of(id)
            .into_iter()
            .map(|r| {
                let mut s = road_summary(&z, r);
                if !full {
                    s.chief.iter_mut().for_each(mask_person);
                }
                s
            })
            .collect();
        Ok(PersonZones {
            person,
            zones,
            roads,
        })
    }

    /// Road lines, by code.
    pub fn road_lines(&self, by: Option<&Session>) -> Vec<RoadSummary> {
        let z = self.zones();
        let full = self.sees_staff(by);
        z.data
            .roads
            .iter()
            .map(|r| {
                let mut s = road_summary(&z, r);
                if !full {
                    s.chief.iter_mut().for_each(mask_person);
                }
                s
            })
            .collect()
    }

    /// Creates or changes a road line.
    pub fn put_road_line(&self, by: &Session, edit: &RoadEdit) -> Result<()> {
        let road = road_from_edit(edit)?;
        let entry = AuditEntry::by(by, "zone.road.put", &road.code).after(edit);
        self.zone_edit(
            by,
            false,
            (Thing::RoadLine, entry),
            |z| road_before(z, &road.code),
            |tx| tx.put_road(&road),
        )
    }

    /// Deletes a road line.
    pub fn delete_road_line(&self, by: &Session, code: &str) -> Result<()> {
        let entry = AuditEntry::by(by, "zone.road.delete", code);
        self.zone_edit(
            by,
            false,
            (Thing::RoadLine, entry),
            |z| road_before(z, code),
            |tx| tx.delete_road(code),
        )
    }
}

/// A zone as it is now, for an audit row's `before` (`None`: no such zone).
fn zone_before(z: &ZoneIndex, layer: &str, code: &str) -> Option<serde_json::Value> {
    let zone = z
        .data
        .zones
        .iter()
        .find(|x| x.layer == layer && x.code == code.trim())?;
    Some(serde_json::json!({
        "name": zone.name,
        "unit": zone.unit,
        "people": zone.people,
        "grids": zone.grids.iter().map(|g| g.to_string()).collect::<Vec<_>>(),
    }))
}

/// A road line as it is now, for an audit row's `before`.
fn road_before(z: &ZoneIndex, code: &str) -> Option<serde_json::Value> {
    let r = z.data.roads.iter().find(|r| r.code == code.trim())?;
    Some(serde_json::json!({
        "name": r.name,
        "class": r.class,
        "chief": r.chief,
        "unit": r.unit,
        "length_m": r.length_m.round(),
    }))
}

/// A record as an audit row's "before" (`None`: not there).
fn json_of<T: Serialize>(v: Option<&T>) -> Option<serde_json::Value> {
    v.and_then(|v| serde_json::to_value(v).ok())
}

/// A person as shown to a role that may not see staff phone numbers: the number masked.
fn mask_person(p: &mut PersonRef) {
    p.phone = p.phone.as_deref().map(crate::users::mask_phone);
}

pub(crate) fn road_summary(z: &ZoneIndex, r: &RoadLine) -> RoadSummary {
    RoadSummary {
        code: r.code.clone(),
        name: r.name.clone(),
        class: r.class,
        chief_title: r.class.chief_title(),
        chief: r.chief.as_deref().and_then(|p| z.person_ref(p)),
        unit: z.unit_ref(r.unit.as_deref()),
        length_m: r.length_m,
    }
}

/// A road line record from an edit: checked, with its geodesic length.
pub(crate) fn road_from_edit(e: &RoadEdit) -> Result<RoadLine> {
    let code = e.code.trim();
    if code.is_empty() || e.name.trim().is_empty() {
        return Err(Error::Invalid(
            Message::new(C::RoadLineNeedsCodeName).en("a road line needs a code and a name"),
        ));
    }
    let line = LineString::new(e.line.iter().map(|p| Coord { x: p[0], y: p[1] }).collect());
    store::check_line(code, &line)?;
    Ok(RoadLine {
        code: code.to_string(),
        name: e.name.trim().to_string(),
        class: e.class,
        length_m: line_length_m(&line),
        line,
        chief: e.chief.clone(),
        unit: e.unit.clone(),
    })
}

fn drawn_polygon(outline: &[[f64; 2]]) -> Result<Polygon<f64>> {
    use geo::Validation;
    let mut cs: Vec<Coord<f64>> = outline.iter().map(|p| Coord { x: p[0], y: p[1] }).collect();
    for c in &cs {
        crate::io::check_lon_lat(c.x, c.y).map_err(Error::Invalid)?;
    }
    if cs.first() != cs.last() {
        if let Some(&f) = cs.first() {
            cs.push(f);
        }
    }
    if cs.len() < 4 {
        return Err(Error::Invalid(
            Message::new(C::GridNeedsThreeVertices).en("a drawn polygon needs at least 3 points"),
        ));
    }
    let p = Polygon::new(LineString::new(cs), vec![]);
    p.check_validation().map_err(|e| {
        Error::Invalid(
            Message::new(C::InvalidPolygon)
                .term("reason", crate::message::PolygonProblem::of(&e))
                .en(format!("the drawn polygon is invalid: {e}")),
        )
    })?;
    Ok(p)
}
