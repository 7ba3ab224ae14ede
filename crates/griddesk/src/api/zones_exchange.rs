use crate::api::zones_exchange::line_length_m;
use crate::audit::AuditEntry;
use crate::code::GridCode;
use crate::error::{Error, Position, Result};
use crate::io::fields::{clip, Check, Problem, Record};
use crate::io::{
    read_table, write_table, Format, ImportOptions, OutGeometry, OutKind, OutTable, OutValue,
    Reject, SourceOptions, TargetOptions,
};
use crate::message::{Message, MessageCode as C};
#[allow(unused_imports)]
use crate::ports::*;
use crate::users::Session;
#[allow(unused_imports)]
use crate::zones::exchange::*;
use crate::zones::model::*;
use crate::zones::store::{self, OnConflict};
use crate::Engine;
use geo::coordinate_position::{CoordPos, CoordinatePosition};
use geo_types::Geometry;
use std::collections::HashMap;
use std::path::Path;

impl Engine {
    /// Imports the zones of one layer from a GeoJSON, Shapefile or GeoPackage file, in one
    /// transaction. Existing zones with the same code are updated and get the file's grids.
    /// A grid already in another zone of the layer is rejected (naming that zone) unless
    /// `on_conflict` is [`OnConflict::Move`].
    pub fn import_zones(
        &self,
        by: &Session,
        path: &Path,
        layer: &str,
        opts: ImportOptions,
        source: &SourceOptions,
        on_conflict: OnConflict,
    ) -> Result<ExchangeReport> {
        self.require_zone_editor(by)?;
        let entry = AuditEntry::by(by, "import.zones", path.display().to_string());
        self.import_zones_unchecked(path, layer, opts, source, on_conflict, entry)
    }

    /// [`Self::import_zones`] without the role gate: the engine's own first-start seeding.
    pub(crate) fn import_zones_unchecked(
        &self,
        path: &Path,
        layer: &str,
        opts: ImportOptions,
        source: &SourceOptions,
        on_conflict: OnConflict,
        entry: AuditEntry,
    ) -> Result<ExchangeReport> {
        let file = path.display().to_string();
        let z = self.zones();
        if z.layer(layer).is_none() {
            return Err(Error::NotFound {
                what: "layer",
                key: layer.to_string(),
            });
        }
        let idx = &z.loaded().index;
        let table = read_table(path, source, "zones").map_err(|r| Error::ImportRejected {
            file: file.clone(),
            count: 1,
            first: Box::new(r),
        })?;
        let layer_pos = z.data.layers.iter().position(|l| l.code == layer);
        let mut rejects = crate::io::Rejects::new();
        let mut rows: Vec<(Position, ZoneRow)> = Vec::new();
        let mut claimed: HashMap<GridCode, (String, Position)> = HashMap::new();
        for r in &table.records {
            let mut c = Check::new(r);
            let code = c.req(&CODE).map(|s| s.into_owned());
            let name = c.req(&NAME).map(|s| s.into_owned());
            let unit = c.opt(&UNIT).map(|s| s.into_owned());
            if let Some(u) = &unit {
                if z.unit(u).is_none() {
                    c.bad(&UNIT, missing_ref("unit", u));
                }
            }
            let mut people = Vec::new();
            if let Some(p) = c.opt(&PEOPLE) {
                for id in list(&p) {
                    if z.person(id).is_none() {
                        c.bad(&PEOPLE, missing_ref("person", id));
                    } else if people.iter().any(|q| q == id) {
                        c.bad(
                            &PEOPLE,
                            Message::new(C::PersonListedTwice)
                                .text("person", clip(id))
                                .text("zone", code.as_deref().unwrap_or("—"))
                                .en(format!("person `{}` is listed twice", clip(id))),
                        );
                    } else {
                        people.push(id.to_string());
                    }
                }
            }
            let mut grids: Vec<GridCode> = Vec::new();
            match c.opt(&GRIDS) {
                Some(list_text) => {
                    for g in list(&list_text) {
                        match GridCode::parse_or_migrate(g) {
                            Err(e) => c.bad(&GRIDS, e.reason()),
                            Ok((g, _)) => match idx.grid(&g) {
                                Some(grid) if grid.is_active() => {
                                    if !grids.contains(&g) {
                                        grids.push(g)
                                    }
                                }
                                Some(_) => c.bad(
                                    &GRIDS,
                                    Message::new(C::GridRetired)
                                        .text("grid", g)
                                        .en(format!("unit grid {g} is retired")),
                                ),
                                None => c.bad(
                                    &GRIDS,
                                    Message::new(C::GridNotInStore)
                                        .text("grid", g)
                                        .en(format!("unit grid {g} is not in the store")),
                                ),
                            },
                        }
                    }
                }
                None => match r.polygons() {
                    Err(p) => c.problem(p),
                    Ok(mp) => {
                        for poly in &mp.0 {
                            for i in idx.grids_in_polygon(poly) {
                                let g = &idx.grids[i];
                                if g.is_active()
                                    && mp.coordinate_position(&idx.grid_label_points[i].0)
                                        == CoordPos::Inside
                                    && !grids.contains(&g.code)
                                {
                                    grids.push(g.code);
                                }
                            }
                        }
                        if grids.is_empty() {
                            c.problem(Problem::new(
                                Some("geometry"),
                                Message::new(C::PolygonHoldsNoGrid)
                                    .en("the zone's geometry holds no unit grid"),
                            ));
                        }
                    }
                },
            }
            grids.sort();
            // One zone per grid: within the file and against other zones of the layer.
            if let Some(code) = &code {
                for g in &grids {
                    if let Some((other, at)) = claimed.get(g) {
                        if other != code {
                            c.bad(
                                &GRIDS,
                                Message::new(C::GridClaimedInFile)
                                    .text("grid", g)
                                    .text("zone", clip(other))
                                    .nested(
                                        "at",
                                        crate::error::Location {
                                            file: file.clone(),
                                            position: *at,
                                            field: None,
                                        }
                                        .message(),
                                    )
                                    .en(format!(
                                        "unit grid {g} is already claimed by zone `{}` at {}",
                                        clip(other),
                                        at_(*at)
                                    )),
                            );
                        }
                    }
                    let current = layer_pos
                        .and_then(|l| idx.grid_index(g).and_then(|gi| z.zone_of_grid(gi, l)))
                        .map(|zi| &z.data.zones[zi].code);
                    if let Some(cur) = current.filter(|cur| *cur != code) {
                        if on_conflict == OnConflict::Refuse {
                            c.bad(
                                &GRIDS,
                                Message::new(C::ZoneConflict)
                                    .text("grid", g)
                                    .text("zone", clip(cur))
                                    .text("layer", layer)
                                    .en(format!(
                                    "unit grid {g} already belongs to zone `{}` of layer `{layer}`",
                                    clip(cur)
                                )),
                            );
                        }
                    }
                }
                if rows.iter().any(|(_, row)| row.code == *code) {
                    c.bad(
                        &CODE,
                        Message::new(C::KeyTwiceInFile)
                            .text("field", "code")
                            .text("key", clip(code))
                            .en(format!("zone `{}` appears twice in the file", clip(code))),
                    );
                }
            }
            match c.finish(code.zip(name)) {
                Ok((code, name)) => {
                    for g in &grids {
                        claimed.insert(*g, (code.clone(), r.position));
                    }
                    rows.push((
                        r.position,
                        ZoneRow {
                            code,
                            name,
                            unit,
                            people,
                            grids,
                        },
                    ));
                }
                Err(problems) => rejects.extend(
                    problems
                        .into_iter()
                        .map(|p| Reject::new(&file, r.position, p.field, p.message)),
                ),
            }
        }
        refuse(&file, &rejects, opts)?;
        let mut report = ExchangeReport {
            file,
            target: layer.to_string(),
            imported: rows.len(),
            moved_grids: 0,
            rejects,
            dry_run: opts.dry_run,
        };
        if opts.dry_run || rows.is_empty() {
            return Ok(report);
        }
        let moved = self.store().transaction(|tx| {
            let mut moved = 0;
            for (_, row) in &rows {
                tx.put_zone(
                    layer,
                    &row.code,
                    &row.name,
                    row.unit.as_deref(),
                    &row.people,
                )?;
                moved += tx
                    .assign(layer, &row.code, &row.grids, on_conflict)?
                    .moved
                    .len();
            }
            tx.record_audit(&entry.after(serde_json::json!({
                "layer": layer,
                "zones": rows.len(),
                "moved_grids": moved,
            })))?;
            Ok(moved)
        })?;
        report.moved_grids = moved;
        if layer == DUTY_LAYER {
            self.reload()?;
        } else {
            self.refresh_zones()?;
        }
        Ok(report)
    }

    /// Exports the zones of a layer with their outlines (exact unions of their grids); returns
    /// the number of zones. The format comes from the extension.
    pub fn export_zones(&self, path: &Path, layer: &str, target: &TargetOptions) -> Result<usize> {
        let z = self.zones();
        if z.layer(layer).is_none() {
            return Err(Error::NotFound {
                what: "layer",
                key: layer.to_string(),
            });
        }
        let with_grids = Format::from_path(path) != Some(Format::Shapefile);
        let mut columns = vec![
            ("layer", OutKind::Text),
            ("code", OutKind::Text),
            ("name", OutKind::Text),
            ("unit", OutKind::Text),
            ("people", OutKind::Text),
        ];
        if with_grids {
            columns.push(("grids", OutKind::Text));
        }
        let mut rows = Vec::new();
        for &i in z.zones_of_layer(layer) {
            let zone = &z.data.zones[i as usize];
            let outline = z.union(i as usize);
            if outline.0.is_empty() {
                continue;
            }
            let mut values = vec![
                OutValue::Text(Some(layer.to_string())),
                OutValue::Text(Some(zone.code.clone())),
                OutValue::Text(Some(zone.name.clone())),
                OutValue::Text(zone.unit.clone()),
                OutValue::Text((!zone.people.is_empty()).then(|| zone.people.join(";"))),
            ];
            if with_grids {
                let g: Vec<&str> = zone.grids.iter().map(|g| g.as_str()).collect();
                values.push(OutValue::Text(Some(g.join(";"))));
            }
            rows.push((Geometry::MultiPolygon(outline.clone()), values));
        }
        write_table(
            path,
            &OutTable {
                name: "zones".into(),
                geometry: OutGeometry::MultiPolygon,
                columns,
                rows,
            },
            target,
        )
    }

    /// Imports road lines (one transaction; existing codes are updated).
    pub fn import_road_lines(
        &self,
        by: &Session,
        path: &Path,
        opts: ImportOptions,
        source: &SourceOptions,
    ) -> Result<ExchangeReport> {
        self.require_zone_editor(by)?;
        let entry = AuditEntry::by(by, "import.road_lines", path.display().to_string());
        self.import_road_lines_unchecked(path, opts, source, entry)
    }

    /// [`Self::import_road_lines`] without the role gate: the engine's own first-start seeding.
    pub(crate) fn import_road_lines_unchecked(
        &self,
        path: &Path,
        opts: ImportOptions,
        source: &SourceOptions,
        entry: AuditEntry,
    ) -> Result<ExchangeReport> {
        let file = path.display().to_string();
        let z = self.zones();
        let table = read_table(path, source, "road_lines").map_err(|r| Error::ImportRejected {
            file: file.clone(),
            count: 1,
            first: Box::new(r),
        })?;
        let mut rejects = crate::io::Rejects::new();
        let mut roads: Vec<RoadLine> = Vec::new();
        for r in &table.records {
            let mut c = Check::new(r);
            let code = c.req(&CODE).map(|s| s.into_owned());
            let name = c.req(&NAME).map(|s| s.into_owned());
            let class = c.req_parse(&CLASS, |s| {
                RoadClass::parse(s).ok_or_else(|| {
                    Message::new(C::NotARoadClass)
                        .text("value", clip(s))
                        .en(format!(
                        "`{}` is not a road class (street, road, lane, other or 街, 路, 巷, 其他)",
                        clip(s)
                    ))
                })
            });
            let chief = c.opt(&CHIEF).map(|s| s.into_owned());
            if let Some(p) = &chief {
                if z.person(p).is_none() {
                    c.bad(&CHIEF, missing_ref("person", p));
                }
            }
            let unit = c.opt(&UNIT).map(|s| s.into_owned());
            if let Some(u) = &unit {
                if z.unit(u).is_none() {
                    c.bad(&UNIT, missing_ref("unit", u));
                }
            }
            let line = r.line().map_err(|p| c.problem(p)).ok();
            if let (Some(code), Some(l)) = (&code, &line) {
                if let Err(e) = store::check_line(code, l) {
                    c.problem(Problem::new(Some("geometry"), e.reason()));
                }
                if roads.iter().any(|x| x.code == *code) {
                    c.bad(
                        &CODE,
                        Message::new(C::KeyTwiceInFile)
                            .text("field", "code")
                            .text("key", clip(code))
                            .en(format!(
                                "road line `{}` appears twice in the file",
                                clip(code)
                            )),
                    );
                }
            }
            match c.finish(code.zip(name).zip(class).zip(line)) {
                Ok((((code, name), class), line)) => roads.push(RoadLine {
                    code,
                    name,
                    class,
                    length_m: line_length_m(&line),
                    line,
                    chief,
                    unit,
                }),
                Err(problems) => rejects.extend(
                    problems
                        .into_iter()
                        .map(|p| Reject::new(&file, r.position, p.field, p.message)),
                ),
            }
        }
        refuse(&file, &rejects, opts)?;
        let report = ExchangeReport {
            file,
            target: "road_lines".into(),
            imported: roads.len(),
            moved_grids: 0,
            rejects,
            dry_run: opts.dry_run,
        };
        if opts.dry_run || roads.is_empty() {
            return Ok(report);
        }
        self.store().transaction(|tx| {
            roads.iter().try_for_each(|r| tx.put_road(r))?;
            tx.record_audit(&entry.after(serde_json::json!({ "road_lines": roads.len() })))?;
            Ok(())
        })?;
        self.refresh_zones()?;
        Ok(report)
    }

    /// Exports the road lines; returns their number.
    pub fn export_road_lines(&self, path: &Path, target: &TargetOptions) -> Result<usize> {
        let z = self.zones();
        let rows = z
            .data
            .roads
            .iter()
            .map(|r| {
                (
                    Geometry::LineString(r.line.clone()),
                    vec![
                        OutValue::Text(Some(r.code.clone())),
                        OutValue::Text(Some(r.name.clone())),
                        OutValue::Text(Some(r.class.key().to_string())),
                        OutValue::Text(r.chief.clone()),
                        OutValue::Text(r.unit.clone()),
                        OutValue::Real(Some((r.length_m * 100.0).round() / 100.0)),
                    ],
                )
            })
            .collect();
        write_table(
            path,
            &OutTable {
                name: "road_lines".into(),
                geometry: OutGeometry::LineString,
                columns: vec![
                    ("code", OutKind::Text),
                    ("name", OutKind::Text),
                    ("class", OutKind::Text),
                    ("chief", OutKind::Text),
                    ("unit", OutKind::Text),
                    ("length_m", OutKind::Real),
                ],
                rows,
            },
            target,
        )
    }
}
