//! The SQL of `griddesk_planning::planning::history`.

use crate::code::GridCode;
#[allow(unused_imports)]
use crate::error::sql_error;
#[allow(unused_imports)]
use crate::error::{Error, Result};
#[allow(unused_imports)]
use crate::index::SpatialIndex;
use crate::io::wkb_io;
#[allow(unused_imports)]
use crate::message::{Message, MessageCode as C};
#[allow(unused_imports)]
use crate::model::Grid;
use crate::store::Store;
#[allow(unused_imports)]
use chrono::{NaiveDate, NaiveDateTime};
#[allow(unused_imports)]
use geo_types::{Geometry, Polygon};
#[allow(unused_imports)]
use griddesk_core::dates::{format_datetime, parse_date, parse_datetime};
#[allow(unused_imports)]
use griddesk_planning::planning::change::{ChangeSet, Edit};
#[allow(unused_imports)]
use griddesk_planning::planning::history::*;
#[allow(unused_imports)]
use griddesk_planning::planning::relocate::Relocations;
#[allow(unused_imports)]
use rusqlite::{params, Connection, OptionalExtension};
#[allow(unused_imports)]
use serde::{Deserialize, Serialize};
#[allow(unused_imports)]
use std::collections::{BTreeMap, BTreeSet, HashMap};

pub fn read_row(tx: &Connection, kind: &'static str, key: &str) -> Result<RowSnap> {
    let (data, geom): (Option<String>, Option<Vec<u8>>) = match kind {
        "grid" => tx
            .prepare_cached(
                "SELECT name, area_m2, land_use, level, start_date, end_date, sample, geom, community FROM grid WHERE code = ?1",
            )?
            .query_row([key], |r| {
                let v = serde_json::json!({
                    "name": r.get::<_, String>(0)?,
                    "area_m2": r.get::<_, f64>(1)?,
                    "land_use": r.get::<_, Option<String>>(2)?,
                    "level": r.get::<_, Option<String>>(3)?,
                    "start_date": r.get::<_, String>(4)?,
                    "end_date": r.get::<_, Option<String>>(5)?,
                    "sample": r.get::<_, bool>(6)?,
                    "community": r.get::<_, String>(8)?,
                });
                Ok((Some(v.to_string()), Some(r.get::<_, Vec<u8>>(7)?)))
            })
            .optional()?
            .unwrap_or((None, None)),
        "community" => tx
            .prepare_cached("SELECT street, name, sample, geom FROM community WHERE code = ?1")?
            .query_row([key], |r| {
                let v = serde_json::json!({
                    "street": r.get::<_, String>(0)?,
                    "name": r.get::<_, String>(1)?,
                    "sample": r.get::<_, bool>(2)?,
                });
                Ok((Some(v.to_string()), Some(r.get::<_, Vec<u8>>(3)?)))
            })
            .optional()?
            .unwrap_or((None, None)),
        "street" => tx
            .prepare_cached("SELECT district, name, sample, geom FROM street WHERE code = ?1")?
            .query_row([key], |r| {
                let v = serde_json::json!({
                    "district": r.get::<_, String>(0)?,
                    "name": r.get::<_, String>(1)?,
                    "sample": r.get::<_, bool>(2)?,
                });
                Ok((Some(v.to_string()), Some(r.get::<_, Vec<u8>>(3)?)))
            })
            .optional()?
            .unwrap_or((None, None)),
        "component" | "case" => {
            let sql = if kind == "component" {
                "SELECT grid FROM component WHERE code = ?1"
            } else {
                "SELECT grid FROM cases WHERE id = ?1"
            };
            let g: Option<Option<String>> = tx
                .prepare_cached(sql)?
                .query_row([key], |r| r.get(0))
                .optional()?;
            (
                g.map(|g| serde_json::Value::from(g).to_string()),
                None,
            )
        }
        "zone_member" => {
            let (layer, grid) = split_member(key)?;
            let zone: Option<String> = tx
                .prepare_cached("SELECT zone FROM zone_member WHERE layer = ?1 AND grid = ?2")?
                .query_row(params![layer, grid], |r| r.get(0))
                .optional()?;
            (zone, None)
        }
        _ => {
            let (d, g) = split_member(key)?;
            let n: i64 = tx
                .prepare_cached(
                    "SELECT count(*) FROM duty_grid_member WHERE duty_grid = ?1 AND grid = ?2",
                )?
                .query_row(params![d, g], |r| r.get(0))?;
            ((n > 0).then(|| "1".to_string()), None)
        }
    };
    Ok(RowSnap {
        kind,
        key: key.to_string(),
        data,
        geom,
    })
}

pub fn write_row(tx: &Connection, s: &RowSnap) -> Result<()> {
    let json = |d: &str| -> Result<serde_json::Value> {
        Ok(serde_json::from_str(d)
            .map_err(|e| Error::Internal(format!("snapshot of {} `{}`: {e}", s.kind, s.key)))?)
    };
    match (s.kind, &s.data) {
        ("grid", None) => {
            tx.execute("DELETE FROM grid WHERE code = ?1", [&s.key])?;
        }
        ("grid", Some(d)) => {
            let v = json(d)?;
            tx.execute(
                "INSERT INTO grid (code, community, name, geom, area_m2, land_use, level, start_date, end_date, sample)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT (code) DO UPDATE SET community = excluded.community, name = excluded.name,
                   geom = excluded.geom, area_m2 = excluded.area_m2, land_use = excluded.land_use,
                   level = excluded.level, start_date = excluded.start_date, end_date = excluded.end_date,
                   sample = excluded.sample",
                params![
                    s.key,
                    v["community"].as_str(),
                    v["name"].as_str(),
                    s.geom,
                    v["area_m2"].as_f64(),
                    v["land_use"].as_str(),
                    v["level"].as_str(),
                    v["start_date"].as_str(),
                    v["end_date"].as_str(),
                    v["sample"].as_bool().unwrap_or(false),
                ],
            )?;
        }
        ("community", Some(_)) => {
            tx.execute(
                "UPDATE community SET geom = ?2 WHERE code = ?1",
                params![s.key, s.geom],
            )?;
        }
        ("street", Some(_)) => {
            tx.execute(
                "UPDATE street SET geom = ?2 WHERE code = ?1",
                params![s.key, s.geom],
            )?;
        }
        ("component" | "case", Some(d)) => {
            let v = json(d)?;
            let sql = if s.kind == "component" {
                "UPDATE component SET grid = ?2 WHERE code = ?1"
            } else {
                "UPDATE cases SET grid = ?2 WHERE id = ?1"
            };
            tx.execute(sql, params![s.key, v.as_str()])?;
        }
        ("zone_member", d) => {
            let (layer, grid) = split_member(&s.key)?;
            match d {
                Some(zone) => tx.execute(
                    "INSERT INTO zone_member (layer, zone, grid) VALUES (?1, ?2, ?3)
                     ON CONFLICT (layer, grid) DO UPDATE SET zone = excluded.zone",
                    params![layer, zone, grid],
                )?,
                None => tx.execute(
                    "DELETE FROM zone_member WHERE layer = ?1 AND grid = ?2",
                    params![layer, grid],
                )?,
            };
        }
        ("duty_member", d) => {
            let (duty, grid) = split_member(&s.key)?;
            if d.is_some() {
                tx.execute(
                    "INSERT OR IGNORE INTO duty_grid_member (duty_grid, grid) VALUES (?1, ?2)",
                    params![duty, grid],
                )?;
            } else {
                tx.execute(
                    "DELETE FROM duty_grid_member WHERE duty_grid = ?1 AND grid = ?2",
                    params![duty, grid],
                )?;
            }
        }
        (kind, None) => {
            return Err(crate::error::Sq::from(Error::Internal(format!(
                "a {kind} row cannot be removed by planning (`{}`)",
                s.key
            ))))
        }
        (kind, Some(_)) => {
            return Err(crate::error::Sq::from(Error::Internal(format!(
                "snapshot kind `{kind}`"
            ))))
        }
    }
    Ok(())
}

/// Applies a checked change-set in one transaction and records it. `params` is the request.
pub fn apply(
    store: &mut Store,
    idx: &SpatialIndex,
    cs: &ChangeSet,
    rel: &Relocations,
    params: &serde_json::Value,
    meta: &EditMeta,
) -> Result<Written> {
    let at = meta.time();
    let date = at.date().format("%Y-%m-%d").to_string();
    let keys = keys_of(idx, cs, rel);
    let effect = effect_of(cs, rel);
    Ok(store.transaction(|tx| {
        tx.execute_batch("PRAGMA defer_foreign_keys = ON").map_err(sql_error)?;
        // The change must have been made against what is stored now.
        let stale = |thing: &str, key: String| {
            Error::PlanConflict(
                Message::new(C::PlanStale)
                    .with("thing", crate::message::thing(thing))
                    .text("key", &key)
                    .en(format!(
                        "{thing} {key} changed since this edit was prepared; prepare it again"
                    )),
            )
        };
        let before_of = |code: &GridCode| -> Option<&Polygon<f64>> {
            cs.retire
                .iter()
                .find(|g| g.code == *code)
                .map(|g| &g.polygon)
                .or_else(|| cs.modify.iter().find(|g| g.code == *code).map(|g| &g.before))
                .or_else(|| idx.grid(code).map(|g| &g.polygon))
        };
        for code in cs.touched() {
            let row = read_row(tx, "grid", code.as_str())?;
            let Some(d) = &row.data else {
                return Err(stale("grid", code.to_string()));
            };
            let v: serde_json::Value = serde_json::from_str(d).map_err(|e| Error::Internal(e.to_string()))?;
            let expect = before_of(&code).map(wkb).transpose()?;
            if !v["end_date"].is_null() || row.geom != expect {
                return Err(stale("grid", code.to_string()));
            }
        }
        for c in &cs.communities {
            let row = read_row(tx, "community", c.code.as_str())?;
            let expect = wkb_io::to_wkb(&Geometry::MultiPolygon(c.before.clone()))?;
            if row.geom.as_ref() != Some(&expect) {
                return Err(stale("community", c.code.to_string()));
            }
        }
        for c in &cs.streets {
            let row = read_row(tx, "street", c.code.as_str())?;
            let expect = wkb_io::to_wkb(&Geometry::MultiPolygon(c.before.clone()))?;
            if row.geom.as_ref() != Some(&expect) {
                return Err(stale("street", c.code.to_string()));
            }
        }
        // Zone-layer memberships (片区, 中队辖区, 执法网格…) follow the grids like duty grids do:
        // a new grid joins its first predecessor's zones, a renamed grid keeps its own, a
        // retired grid leaves them. Read from the store, they join the snapshot keys.
        let zones = ZoneMoves::read(tx, cs)?;
        let mut keys = keys.clone();
        keys.extend(zones.keys());
        let mut before = Vec::with_capacity(keys.len());
        for (kind, key) in &keys {
            before.push(read_row(tx, kind, key)?);
        }
        // Renames: read the rows, delete them all, insert under the new codes (swaps work).
        let mut renamed_rows = Vec::new();
        for r in &cs.rename {
            let row = read_row(tx, "grid", r.from.as_str())?;
            renamed_rows.push((r.to, row));
        }
        for r in &cs.rename {
            tx.execute("DELETE FROM grid WHERE code = ?1", [r.from.as_str()]).map_err(sql_error)?;
        }
        for (to, row) in renamed_rows {
            write_row(
                tx,
                &RowSnap {
                    key: to.to_string(),
                    ..row
                },
            )?;
        }
        // References follow a renamed grid, in two steps so that swapped codes do not merge
        // (components and cases inside the grids are also located again below).
        for r in &cs.rename {
            for sql in [
                "UPDATE component SET grid = ?2 WHERE grid = ?1",
                "UPDATE cases SET grid = ?2 WHERE grid = ?1",
                "UPDATE duty_grid_member SET grid = ?2 WHERE grid = ?1",
                "UPDATE zone_member SET grid = ?2 WHERE grid = ?1",
            ] {
                tx.execute(sql, params![r.from.as_str(), format!("~{}", r.to)]).map_err(sql_error)?;
            }
        }
        for r in &cs.rename {
            for sql in [
                "UPDATE component SET grid = ?2 WHERE grid = ?1",
                "UPDATE cases SET grid = ?2 WHERE grid = ?1",
                "UPDATE duty_grid_member SET grid = ?2 WHERE grid = ?1",
                "UPDATE zone_member SET grid = ?2 WHERE grid = ?1",
            ] {
                tx.execute(sql, params![format!("~{}", r.to), r.to.as_str()]).map_err(sql_error)?;
            }
        }
        for g in &cs.retire {
            tx.execute(
                "UPDATE grid SET end_date = ?2 WHERE code = ?1",
                params![g.code.as_str(), date],
            ).map_err(sql_error)?;
            tx.execute("DELETE FROM duty_grid_member WHERE grid = ?1", [g.code.as_str()]).map_err(sql_error)?;
            tx.execute("DELETE FROM zone_member WHERE grid = ?1", [g.code.as_str()]).map_err(sql_error)?;
        }
        for m in &cs.modify {
            tx.execute(
                "UPDATE grid SET geom = ?2, area_m2 = ?3 WHERE code = ?1",
                params![m.code.as_str(), wkb(&m.after)?, crate::geodesy::area_m2(&m.after)],
            ).map_err(sql_error)?;
        }
        for g in &cs.create {
            let sample = g
                .predecessors
                .first()
                .and_then(|p| idx.grid(p))
                .is_some_and(|p| p.sample);
            tx.execute(
                "INSERT INTO grid (code, community, name, geom, area_m2, land_use, level, start_date, end_date, sample)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, ?9)",
                params![
                    g.code.as_str(),
                    g.code.community().as_str(),
                    g.name,
                    wkb(&g.polygon)?,
                    g.area_m2,
                    g.land_use,
                    g.level,
                    date,
                    sample
                ],
            )
            .map_err(|e| match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::ConstraintViolation) => Error::Duplicate {
                    what: "grid",
                    key: g.code.to_string(),
                },
                _ => crate::error::sql_error(e),
            })?;
            if let Some(d) = g.predecessors.first().and_then(|p| idx.duty_grid_of(p)) {
                tx.execute(
                    "INSERT OR IGNORE INTO duty_grid_member (duty_grid, grid) VALUES (?1, ?2)",
                    params![d.code, g.code.as_str()],
                ).map_err(sql_error)?;
            }
            for (layer, zone) in zones.of(&g.code) {
                tx.execute(
                    "INSERT INTO zone_member (layer, zone, grid) VALUES (?1, ?2, ?3)
                     ON CONFLICT (layer, grid) DO UPDATE SET zone = excluded.zone",
                    params![layer, zone, g.code.as_str()],
                ).map_err(sql_error)?;
            }
        }
        for c in &cs.communities {
            tx.execute(
                "UPDATE community SET geom = ?2 WHERE code = ?1",
                params![
                    c.code.as_str(),
                    wkb_io::to_wkb(&Geometry::MultiPolygon(c.after.clone()))?
                ],
            ).map_err(sql_error)?;
        }
        for c in &cs.streets {
            tx.execute(
                "UPDATE street SET geom = ?2 WHERE code = ?1",
                params![
                    c.code.as_str(),
                    wkb_io::to_wkb(&Geometry::MultiPolygon(c.after.clone()))?
                ],
            ).map_err(sql_error)?;
        }
        for (code, _, new) in &rel.components {
            tx.execute(
                "UPDATE component SET grid = ?2 WHERE code = ?1",
                params![code.as_str(), new.as_ref().map(GridCode::as_str)],
            ).map_err(sql_error)?;
        }
        for (id, _, new) in &rel.cases {
            tx.execute(
                "UPDATE cases SET grid = ?2 WHERE id = ?1",
                params![id, new.as_ref().map(GridCode::as_str)],
            ).map_err(sql_error)?;
        }
        let mut after = Vec::with_capacity(keys.len());
        for (kind, key) in &keys {
            after.push(read_row(tx, kind, key)?);
        }
        tx.execute(
            "UPDATE plan_edit SET state = 'discarded' WHERE state = 'undone'",
            [],
        ).map_err(sql_error)?;
        tx.execute(
            "INSERT INTO plan_edit (at, author, operation, params, note, community, summary, state)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'applied')",
            params![
                format_datetime(&at),
                meta.author,
                cs.operation,
                params.to_string(),
                meta.note,
                cs.community.as_str(),
                serde_json::to_string(&effect).map_err(|e| Error::Internal(e.to_string()))?
            ],
        ).map_err(sql_error)?;
        let id = tx.last_insert_rowid();
        tx.execute(
            "INSERT INTO plan_event (edit, kind, at, author) VALUES (?1, 'apply', ?2, ?3)",
            params![id, format_datetime(&at), meta.author],
        ).map_err(sql_error)?;
        let mut st = tx.prepare_cached(
            "INSERT INTO plan_row (edit, side, kind, key, data, geom) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        ).map_err(sql_error)?;
        for (side, rows) in [("before", &before), ("after", &after)] {
            for r in rows {
                st.execute(params![id, side, r.kind, r.key, r.data, r.geom]).map_err(sql_error)?;
            }
        }
        let mut lin = tx.prepare_cached(
            "INSERT OR IGNORE INTO plan_lineage (edit, predecessor, successor) VALUES (?1, ?2, ?3)",
        ).map_err(sql_error)?;
        for g in &cs.create {
            for p in &g.predecessors {
                lin.execute(params![id, p.as_str(), g.code.as_str()]).map_err(sql_error)?;
            }
        }
        for r in &cs.rename {
            lin.execute(params![id, r.from.as_str(), r.to.as_str()]).map_err(sql_error)?;
        }
        Ok(Written {
            summary: EditSummary {
                id,
                at: format_datetime(&at),
                author: meta.author.clone(),
                operation: cs.operation.clone(),
                note: meta.note.clone(),
                community: cs.community.to_string(),
                state: EditState::Applied,
                effect: effect.clone(),
                params: params.clone(),
            },
            rows: after,
        })
    })?)
}

pub fn snapshots(tx: &Connection, edit: i64, side: &str) -> Result<Vec<RowSnap>> {
    let mut st = tx.prepare_cached(
        "SELECT kind, key, data, geom FROM plan_row WHERE edit = ?1 AND side = ?2 ORDER BY kind, key",
    )?;
    let rows = st.query_map(params![edit, side], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, Option<Vec<u8>>>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (kind, key, data, geom) = row?;
        out.push(RowSnap {
            kind: kind_of(&kind)?,
            key,
            data,
            geom,
        });
    }
    Ok(out)
}

pub fn summary_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SummaryRow> {
    Ok((
        r.get(0)?,
        [r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?],
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
    ))
}

pub fn edit_summary(c: &rusqlite::Connection, id: i64) -> Result<EditSummary> {
    let row = c.query_row(
        &format!("SELECT {SUMMARY_COLS} FROM plan_edit WHERE id = ?1"),
        [id],
        summary_row,
    )?;
    Ok(to_summary(row)?)
}

/// Undoes (`undo = true`) the most recent applied edit, or redoes the most recently undone one.
pub fn undo_redo(store: &mut Store, undo: bool, meta: &EditMeta) -> Result<Written> {
    let at = format_datetime(&meta.time());
    Ok(store.transaction(|tx| {
        tx.execute_batch("PRAGMA defer_foreign_keys = ON")
            .map_err(sql_error)?;
        let sql = if undo {
            "SELECT max(id) FROM plan_edit WHERE state = 'applied'"
        } else {
            "SELECT min(id) FROM plan_edit WHERE state = 'undone'"
        };
        let id: Option<i64> = tx.query_row(sql, [], |r| r.get(0)).map_err(sql_error)?;
        let Some(id) = id else {
            return Err(Error::PlanConflict(if undo {
                Message::new(C::NothingToUndo).en("nothing to undo")
            } else {
                Message::new(C::NothingToRedo).en("nothing to redo")
            }));
        };
        let (expect, target) = if undo {
            ("after", "before")
        } else {
            ("before", "after")
        };
        for s in snapshots(tx, id, expect)? {
            let now = read_row(tx, s.kind, &s.key)?;
            if now != s {
                return Err(Error::PlanConflict(
                    Message::new(if undo { C::UndoBlocked } else { C::RedoBlocked })
                        .int("edit", id)
                        .with("thing", crate::message::thing(s.kind))
                        .text("key", &s.key)
                        .en(format!(
                            "cannot {} edit #{id}: {} `{}` was changed outside grid planning since",
                            if undo { "undo" } else { "redo" },
                            s.kind,
                            s.key
                        )),
                ));
            }
        }
        let rows = snapshots(tx, id, target)?;
        // Removals first, so a code freed by one row can be taken by another.
        for s in rows.iter().filter(|s| s.data.is_none()) {
            write_row(tx, s)?;
        }
        for s in rows.iter().filter(|s| s.data.is_some()) {
            write_row(tx, s)?;
        }
        let (state, kind) = if undo {
            ("undone", "undo")
        } else {
            ("applied", "redo")
        };
        tx.execute(
            "UPDATE plan_edit SET state = ?2 WHERE id = ?1",
            params![id, state],
        )
        .map_err(sql_error)?;
        tx.execute(
            "INSERT INTO plan_event (edit, kind, at, author) VALUES (?1, ?2, ?3, ?4)",
            params![id, kind, at, meta.author],
        )
        .map_err(sql_error)?;
        Ok(Written {
            summary: edit_summary(tx, id)?,
            rows,
        })
    })?)
}

/// The edit log, newest first.
pub fn log(store: &Store, limit: usize) -> Result<Vec<EditSummary>> {
    let c = store.conn();
    let mut st = c.prepare(&format!(
        "SELECT {SUMMARY_COLS} FROM plan_edit ORDER BY id DESC LIMIT ?1"
    ))?;
    let rows = st.query_map([limit as i64], summary_row)?;
    let mut out = Vec::new();
    for r in rows {
        out.push(to_summary(r?)?);
    }
    Ok(out)
}

/// The history of a grid (see [`GridHistory`]).
pub fn grid_history(store: &Store, code: GridCode) -> Result<GridHistory> {
    let c = store.conn();
    let mut codes: BTreeSet<String> = BTreeSet::new();
    let mut links: BTreeSet<(i64, String, String)> = BTreeSet::new();
    let mut todo = vec![code.to_string()];
    while let Some(k) = todo.pop() {
        if !codes.insert(k.clone()) {
            continue;
        }
        let mut st = c.prepare_cached(
            "SELECT edit, predecessor, successor FROM plan_lineage WHERE predecessor = ?1 OR successor = ?1",
        )?;
        let rows = st.query_map([&k], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        for r in rows {
            let (e, p, s): (i64, String, String) = r?;
            todo.push(p.clone());
            todo.push(s.clone());
            links.insert((e, p, s));
        }
    }
    let mut edits: BTreeMap<i64, Vec<GridVersion>> = BTreeMap::new();
    for k in &codes {
        let mut st = c.prepare_cached(
            "SELECT edit, side, data, geom FROM plan_row WHERE kind = 'grid' AND key = ?1 ORDER BY edit",
        )?;
        let rows = st.query_map([k], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<Vec<u8>>>(3)?,
            ))
        })?;
        let mut per: BTreeMap<i64, GridVersion> = BTreeMap::new();
        for r in rows {
            let (e, side, data, geom) = r?;
            let v = per.entry(e).or_insert_with(|| GridVersion {
                code: GridCode::parse(k).unwrap_or(code),
                before: None,
                after: None,
                end_date_after: None,
            });
            let poly = geom.as_deref().map(wkb_io::polygon).transpose()?;
            if side == "before" {
                v.before = poly;
            } else {
                v.after = poly;
                v.end_date_after = data
                    .as_deref()
                    .and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok())
                    .and_then(|j| j["end_date"].as_str().map(str::to_string));
            }
        }
        for (e, v) in per {
            edits.entry(e).or_default().push(v);
        }
    }
    let mut out = Vec::new();
    for (e, grids) in edits {
        out.push(HistoryEntry {
            edit: edit_summary(c, e)?,
            grids,
        });
    }
    Ok(GridHistory {
        code,
        lineage_codes: codes.into_iter().collect(),
        lineage: links
            .into_iter()
            .map(|(edit, predecessor, successor)| LineageLink {
                edit,
                predecessor,
                successor,
            })
            .collect(),
        edits: out,
    })
}

/// The grids in force at the end of `date`: the events after that day are replayed backwards
/// over the current grid rows, then grids are kept whose start date is on or before `date` and
/// whose end date (if any) is after it.
pub fn grids_as_of(store: &Store, current: &[Grid], date: NaiveDate) -> Result<Vec<Grid>> {
    let c = store.conn();
    let mut state: HashMap<String, Option<Grid>> = current
        .iter()
        .map(|g| (g.code.to_string(), Some(g.clone())))
        .collect();
    let from = date.succ_opt().ok_or_else(|| {
        Error::Invalid(
            Message::new(C::DateOutOfRange)
                .text("date", date)
                .en(format!("date {date} is out of range")),
        )
    })?;
    let mut st =
        c.prepare("SELECT e.edit, e.kind FROM plan_event e WHERE e.at >= ?1 ORDER BY e.id DESC")?;
    let events: Vec<(i64, String)> = st
        .query_map([format!("{from} 00:00:00")], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut rows = c.prepare_cached(
        "SELECT key, data, geom FROM plan_row WHERE edit = ?1 AND side = ?2 AND kind = 'grid'",
    )?;
    for (edit, kind) in events {
        let side = if kind == "undo" { "after" } else { "before" };
        let snaps: Vec<(String, Option<String>, Option<Vec<u8>>)> = rows
            .query_map(params![edit, side], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        for (key, data, geom) in snaps {
            let g = match (data, geom) {
                (Some(d), Some(g)) => Some(grid_of(&key, &d, &g)?),
                _ => None,
            };
            state.insert(key, g);
        }
    }
    let mut out: Vec<Grid> = state
        .into_values()
        .flatten()
        .filter(|g| g.start_date <= date && g.end_date.is_none_or(|e| e > date))
        .collect();
    out.sort_by_key(|g| g.code);
    Ok(out)
}

/// Zone-layer memberships an edit carries over, read before anything is written.
pub struct ZoneMoves {
    /// `(layer, grid)` rows the edit may change: the touched grids' own, and the new or renamed
    /// grids' future ones.
    keys: Vec<(String, GridCode)>,
    /// Each new grid's `(layer, zone)` memberships, inherited from its first predecessor.
    created: Vec<(GridCode, Vec<(String, String)>)>,
}

impl ZoneMoves {
    fn read(tx: &Connection, cs: &ChangeSet) -> Result<Self> {
        let mut st = tx.prepare_cached("SELECT layer, zone FROM zone_member WHERE grid = ?1")?;
        let mut of = |g: &GridCode| -> Result<Vec<(String, String)>> {
            let rows = st.query_map([g.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        };
        let mut keys = Vec::new();
        for g in cs.touched() {
            keys.extend(of(&g)?.into_iter().map(|(l, _)| (l, g)));
        }
        for r in &cs.rename {
            keys.extend(of(&r.from)?.into_iter().map(|(l, _)| (l, r.to)));
        }
        let mut created = Vec::new();
        for g in &cs.create {
            let m = match g.predecessors.first() {
                Some(p) => of(p)?,
                None => Vec::new(),
            };
            keys.extend(m.iter().map(|(l, _)| (l.clone(), g.code)));
            created.push((g.code, m));
        }
        Ok(Self { keys, created })
    }

    fn keys(&self) -> impl Iterator<Item = (&'static str, String)> + '_ {
        let set: BTreeSet<String> = self.keys.iter().map(|(l, g)| format!("{l}|{g}")).collect();
        set.into_iter().map(|k| ("zone_member", k))
    }

    fn of(&self, g: &GridCode) -> &[(String, String)] {
        self.created
            .iter()
            .find(|(c, _)| c == g)
            .map(|(_, m)| m.as_slice())
            .unwrap_or(&[])
    }
}

impl griddesk_planning::planning::history::HistoryRows for crate::Db<'_> {
    fn read_row(&self, kind: &'static str, key: &str) -> griddesk_core::Result<RowSnap> {
        (read_row(self.0, kind, key)).map_err(griddesk_core::Error::from)
    }
    fn write_row(&self, s: &RowSnap) -> griddesk_core::Result<()> {
        (write_row(self.0, s)).map_err(griddesk_core::Error::from)
    }
    fn snapshots(&self, edit: i64, side: &str) -> griddesk_core::Result<Vec<RowSnap>> {
        (snapshots(self.0, edit, side)).map_err(griddesk_core::Error::from)
    }
    fn edit_summary(&self, id: i64) -> griddesk_core::Result<EditSummary> {
        (edit_summary(self.0, id)).map_err(griddesk_core::Error::from)
    }
}

impl griddesk_planning::planning::history::PlanHistory for crate::Store {
    fn apply(
        &mut self,
        idx: &SpatialIndex,
        cs: &ChangeSet,
        rel: &Relocations,
        params: &serde_json::Value,
        meta: &EditMeta,
    ) -> griddesk_core::Result<Written> {
        (apply(self, idx, cs, rel, params, meta)).map_err(griddesk_core::Error::from)
    }
    fn undo_redo(&mut self, undo: bool, meta: &EditMeta) -> griddesk_core::Result<Written> {
        (undo_redo(self, undo, meta)).map_err(griddesk_core::Error::from)
    }
    fn log(&self, limit: usize) -> griddesk_core::Result<Vec<EditSummary>> {
        (log(self, limit)).map_err(griddesk_core::Error::from)
    }
    fn grid_history(&self, code: GridCode) -> griddesk_core::Result<GridHistory> {
        (grid_history(self, code)).map_err(griddesk_core::Error::from)
    }
    fn grids_as_of(&self, current: &[Grid], date: NaiveDate) -> griddesk_core::Result<Vec<Grid>> {
        (grids_as_of(self, current, date)).map_err(griddesk_core::Error::from)
    }
}
