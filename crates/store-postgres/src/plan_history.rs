//! A district's grid edits with their history (`griddesk_planning::planning::history`):
//! `PlanHistory` (apply a checked change-set, undo, redo, the edit log, a grid's history, the
//! grids as of a date) and `HistoryRows` (the snapshot rows undo and redo restore), all inside
//! the district of the view. The rules are the station's (`store-sqlite`'s
//! `planning_history.rs`): the same snapshots (`plan_row`, geometry as WKB), the same staleness
//! checks, the same order of writes. Edit and event ids are drawn by the centre (sealed with
//! the other audit tables, migration 4). References to grids are checked at commit while an
//! edit or an undo renames and restores grids (migration 6).

use crate::error::{Error, Result};
use crate::model::{DistrictScope, DistrictTx};
use chrono::{NaiveDate, NaiveDateTime};
use geo_types::{Geometry, Polygon};
use griddesk_core::code::GridCode;
use griddesk_core::dates::{format_datetime, parse_date};
use griddesk_core::message::{thing, Message, MessageCode as C};
use griddesk_core::model::Grid;
use griddesk_io::io::wkb_io;
use griddesk_planning::planning::change::ChangeSet;
use griddesk_planning::planning::history::{
    effect_of, grid_of, keys_of, kind_of, split_member, to_summary, wkb, EditMeta, EditState,
    EditSummary, GridHistory, GridVersion, HistoryEntry, HistoryRows, LineageLink, PlanHistory,
    RowSnap, SummaryRow, Written,
};
use griddesk_planning::planning::relocate::Relocations;
use griddesk_spatial::index::SpatialIndex;
use postgres::GenericClient;
use std::collections::{BTreeMap, BTreeSet, HashMap};

type CoreResult<T> = griddesk_core::Result<T>;

fn q<T>(r: std::result::Result<T, postgres::Error>, what: impl FnOnce() -> String) -> Result<T> {
    r.map_err(|e| Error::of(e, what(), None))
}

fn internal(what: String) -> griddesk_core::Error {
    griddesk_core::Error::Internal(what)
}

/// A stored row as a snapshot (`data` `None`: no such row).
fn read_row(
    c: &mut impl GenericClient,
    d: &str,
    kind: &'static str,
    key: &str,
) -> CoreResult<RowSnap> {
    let what = || format!("reading the {kind} `{key}` of district {d}");
    let (data, geom): (Option<String>, Option<Vec<u8>>) = match kind {
        "grid" => q(
            c.query_opt(
                "SELECT name, area_m2, land_use, level, start_date, end_date, sample,
                        ST_AsBinary(geom), community
                   FROM grid WHERE district = $1::text AND code = $2",
                &[&d, &key],
            ),
            what,
        )?
        .map(|r| {
            let day = |x: Option<NaiveDate>| x.map(|x| x.format("%Y-%m-%d").to_string());
            let v = serde_json::json!({
                "name": r.get::<_, String>(0),
                "area_m2": r.get::<_, f64>(1),
                "land_use": r.get::<_, Option<String>>(2),
                "level": r.get::<_, Option<String>>(3),
                "start_date": day(Some(r.get(4))),
                "end_date": day(r.get(5)),
                "sample": r.get::<_, bool>(6),
                "community": r.get::<_, String>(8),
            });
            (Some(v.to_string()), Some(r.get::<_, Vec<u8>>(7)))
        })
        .unwrap_or((None, None)),
        "community" => q(
            c.query_opt(
                "SELECT street, name, sample, ST_AsBinary(geom) FROM community
                  WHERE district = $1::text AND code = $2",
                &[&d, &key],
            ),
            what,
        )?
        .map(|r| {
            let v = serde_json::json!({
                "street": r.get::<_, String>(0),
                "name": r.get::<_, String>(1),
                "sample": r.get::<_, bool>(2),
            });
            (Some(v.to_string()), Some(r.get::<_, Vec<u8>>(3)))
        })
        .unwrap_or((None, None)),
        "street" => q(
            c.query_opt(
                "SELECT district::text, name, sample, ST_AsBinary(geom) FROM street
                  WHERE district = $1::text AND code = $2",
                &[&d, &key],
            ),
            what,
        )?
        .map(|r| {
            let v = serde_json::json!({
                "district": r.get::<_, String>(0),
                "name": r.get::<_, String>(1),
                "sample": r.get::<_, bool>(2),
            });
            (Some(v.to_string()), Some(r.get::<_, Vec<u8>>(3)))
        })
        .unwrap_or((None, None)),
        "component" | "case" => {
            let sql = if kind == "component" {
                "SELECT grid FROM component WHERE district = $1::text AND code = $2"
            } else {
                "SELECT grid FROM cases WHERE district = $1::text AND id = $2"
            };
            let g: Option<Option<String>> =
                q(c.query_opt(sql, &[&d, &key]), what)?.map(|r| r.get(0));
            (g.map(|g| serde_json::Value::from(g).to_string()), None)
        }
        "zone_member" => {
            let (layer, grid) = split_member(key)?;
            let zone: Option<String> = q(
                c.query_opt(
                    "SELECT zone FROM zone_member
                      WHERE district = $1::text AND layer = $2 AND grid = $3",
                    &[&d, &layer, &grid],
                ),
                what,
            )?
            .map(|r| r.get(0));
            (zone, None)
        }
        "duty_member" => {
            let (duty, grid) = split_member(key)?;
            let n: i64 = q(
                c.query_one(
                    "SELECT count(*) FROM duty_grid_member
                      WHERE district = $1::text AND duty_grid = $2 AND grid = $3",
                    &[&d, &duty, &grid],
                ),
                what,
            )?
            .get(0);
            ((n > 0).then(|| "1".to_string()), None)
        }
        other => return Err(internal(format!("snapshot kind `{other}`"))),
    };
    Ok(RowSnap {
        kind,
        key: key.to_string(),
        data,
        geom,
    })
}

/// Writes a snapshot back (restoring a row as it was).
fn write_row(c: &mut impl GenericClient, d: &str, s: &RowSnap) -> CoreResult<()> {
    let what = || format!("restoring the {} `{}` of district {d}", s.kind, s.key);
    let json = |x: &str| -> CoreResult<serde_json::Value> {
        serde_json::from_str(x)
            .map_err(|e| internal(format!("snapshot of {} `{}`: {e}", s.kind, s.key)))
    };
    match (s.kind, &s.data) {
        ("grid", None) => {
            q(
                c.execute(
                    "DELETE FROM grid WHERE district = $1::text AND code = $2",
                    &[&d, &s.key],
                ),
                what,
            )?;
        }
        ("grid", Some(x)) => {
            let v = json(x)?;
            let start = parse_date(v["start_date"].as_str().unwrap_or_default())?;
            let end = v["end_date"].as_str().map(parse_date).transpose()?;
            q(
                c.execute(
                    "INSERT INTO grid (district, code, community, name, geom, area_m2, land_use,
                                       level, start_date, end_date, sample)
                     VALUES ($1::text, $2, $3, $4, ST_GeomFromWKB($5, 4326), $6, $7, $8, $9, $10,
                             $11)
                     ON CONFLICT (district, code) DO UPDATE SET community = EXCLUDED.community,
                       name = EXCLUDED.name, geom = EXCLUDED.geom, area_m2 = EXCLUDED.area_m2,
                       land_use = EXCLUDED.land_use, level = EXCLUDED.level,
                       start_date = EXCLUDED.start_date, end_date = EXCLUDED.end_date,
                       sample = EXCLUDED.sample",
                    &[
                        &d,
                        &s.key,
                        &v["community"].as_str(),
                        &v["name"].as_str(),
                        &s.geom,
                        &v["area_m2"].as_f64(),
                        &v["land_use"].as_str(),
                        &v["level"].as_str(),
                        &start,
                        &end,
                        &v["sample"].as_bool().unwrap_or(false),
                    ],
                ),
                what,
            )?;
        }
        ("community" | "street", Some(_)) => {
            let sql = if s.kind == "community" {
                "UPDATE community SET geom = ST_GeomFromWKB($3, 4326)
                  WHERE district = $1::text AND code = $2"
            } else {
                "UPDATE street SET geom = ST_GeomFromWKB($3, 4326)
                  WHERE district = $1::text AND code = $2"
            };
            q(c.execute(sql, &[&d, &s.key, &s.geom]), what)?;
        }
        ("component" | "case", Some(x)) => {
            let v = json(x)?;
            let sql = if s.kind == "component" {
                "UPDATE component SET grid = $3 WHERE district = $1::text AND code = $2"
            } else {
                "UPDATE cases SET grid = $3 WHERE district = $1::text AND id = $2"
            };
            q(c.execute(sql, &[&d, &s.key, &v.as_str()]), what)?;
        }
        ("zone_member", x) => {
            let (layer, grid) = split_member(&s.key)?;
            match x {
                Some(zone) => q(
                    c.execute(
                        "INSERT INTO zone_member (district, layer, zone, grid)
                         VALUES ($1::text, $2, $3, $4)
                         ON CONFLICT (district, layer, grid) DO UPDATE SET zone = EXCLUDED.zone",
                        &[&d, &layer, zone, &grid],
                    ),
                    what,
                )?,
                None => q(
                    c.execute(
                        "DELETE FROM zone_member
                          WHERE district = $1::text AND layer = $2 AND grid = $3",
                        &[&d, &layer, &grid],
                    ),
                    what,
                )?,
            };
        }
        ("duty_member", x) => {
            let (duty, grid) = split_member(&s.key)?;
            let sql = if x.is_some() {
                "INSERT INTO duty_grid_member (district, duty_grid, grid)
                 VALUES ($1::text, $2, $3) ON CONFLICT DO NOTHING"
            } else {
                "DELETE FROM duty_grid_member
                  WHERE district = $1::text AND duty_grid = $2 AND grid = $3"
            };
            q(c.execute(sql, &[&d, &duty, &grid]), what)?;
        }
        (kind, None) => {
            return Err(internal(format!(
                "a {kind} row cannot be removed by planning (`{}`)",
                s.key
            )))
        }
        (kind, Some(_)) => return Err(internal(format!("snapshot kind `{kind}`"))),
    }
    Ok(())
}

/// An edit's snapshot rows of one side, in the station's order (bytewise, as SQLite sorts).
fn snapshots(
    c: &mut impl GenericClient,
    d: &str,
    edit: i64,
    side: &str,
) -> CoreResult<Vec<RowSnap>> {
    let rows = q(
        c.query(
            "SELECT kind, key, data, ST_AsBinary(geom) FROM plan_row
              WHERE district = $1::text AND edit = $2 AND side = $3
              ORDER BY kind COLLATE \"C\", key COLLATE \"C\"",
            &[&d, &edit, &side],
        ),
        || format!("reading the {side} rows of edit #{edit} of district {d}"),
    )?;
    rows.iter()
        .map(|r| {
            Ok(RowSnap {
                kind: kind_of(r.get(0))?,
                key: r.get(1),
                data: r.get(2),
                geom: r.get(3),
            })
        })
        .collect()
}

const SUMMARY_SQL: &str = "SELECT id, at, author, operation, community, params, note, summary,
                                  state
                             FROM plan_edit";

fn summary_row(r: &postgres::Row) -> SummaryRow {
    (
        r.get(0),
        [
            format_datetime(&r.get::<_, NaiveDateTime>(1)),
            r.get(2),
            r.get(3),
            r.get(4),
            r.get(5),
        ],
        r.get(6),
        r.get(7),
        r.get(8),
    )
}

fn edit_summary(c: &mut impl GenericClient, d: &str, id: i64) -> CoreResult<EditSummary> {
    let sql = format!("{SUMMARY_SQL} WHERE district = $1::text AND id = $2");
    let row = q(c.query_opt(&sql, &[&d, &id]), || {
        format!("reading edit #{id} of district {d}")
    })?
    .ok_or_else(|| Error::NotFound {
        what: "edit",
        key: id.to_string(),
        district: d.to_string(),
    })?;
    to_summary(summary_row(&row))
}

/// Zone-layer memberships an edit carries over, read before anything is written (the
/// station's rule: a new grid joins its first predecessor's zones, a renamed grid keeps its
/// own, a retired grid leaves them).
struct ZoneMoves {
    keys: Vec<(String, GridCode)>,
    created: Vec<(GridCode, Vec<(String, String)>)>,
}

impl ZoneMoves {
    fn read(c: &mut impl GenericClient, d: &str, cs: &ChangeSet) -> CoreResult<Self> {
        let st = q(
            c.prepare(
                "SELECT layer, zone FROM zone_member WHERE district = $1::text AND grid = $2",
            ),
            || "preparing the zone memberships' read".to_string(),
        )?;
        let mut of = |g: &GridCode| -> CoreResult<Vec<(String, String)>> {
            Ok(q(c.query(&st, &[&d, &g.as_str()]), || {
                format!("reading the zones of grid {g} of district {d}")
            })?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect())
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

fn exec(
    c: &mut impl GenericClient,
    sql: &str,
    params: &[&(dyn postgres::types::ToSql + Sync)],
    what: impl FnOnce() -> String,
) -> CoreResult<u64> {
    Ok(q(c.execute(sql, params), what)?)
}

fn defer(c: &mut impl GenericClient) -> CoreResult<()> {
    q(c.batch_execute("SET CONSTRAINTS ALL DEFERRED"), || {
        "deferring the grid references to the commit".to_string()
    })?;
    Ok(())
}

/// Applies a checked change-set inside the caller's transaction (the station's `apply`).
fn apply(
    c: &mut impl GenericClient,
    d: &str,
    idx: &SpatialIndex,
    cs: &ChangeSet,
    rel: &Relocations,
    params: &serde_json::Value,
    meta: &EditMeta,
) -> CoreResult<Written> {
    let at = meta.time();
    let date = at.date();
    let effect = effect_of(cs, rel);
    defer(c)?;
    let stale = |what: &str, key: String| {
        griddesk_core::Error::PlanConflict(
            Message::new(C::PlanStale)
                .with("thing", thing(what))
                .text("key", &key)
                .en(format!(
                    "{what} {key} changed since this edit was prepared; prepare it again"
                )),
        )
    };
    let before_of = |code: &GridCode| -> Option<&Polygon<f64>> {
        cs.retire
            .iter()
            .find(|g| g.code == *code)
            .map(|g| &g.polygon)
            .or_else(|| {
                cs.modify
                    .iter()
                    .find(|g| g.code == *code)
                    .map(|g| &g.before)
            })
            .or_else(|| idx.grid(code).map(|g| &g.polygon))
    };
    for code in cs.touched() {
        let row = read_row(c, d, "grid", code.as_str())?;
        let Some(x) = &row.data else {
            return Err(stale("grid", code.to_string()));
        };
        let v: serde_json::Value = serde_json::from_str(x).map_err(|e| internal(e.to_string()))?;
        let expect = before_of(&code).map(wkb).transpose()?;
        if !v["end_date"].is_null() || row.geom != expect {
            return Err(stale("grid", code.to_string()));
        }
    }
    for x in &cs.communities {
        let row = read_row(c, d, "community", x.code.as_str())?;
        let expect = wkb_io::to_wkb(&Geometry::MultiPolygon(x.before.clone()))?;
        if row.geom.as_ref() != Some(&expect) {
            return Err(stale("community", x.code.to_string()));
        }
    }
    for x in &cs.streets {
        let row = read_row(c, d, "street", x.code.as_str())?;
        let expect = wkb_io::to_wkb(&Geometry::MultiPolygon(x.before.clone()))?;
        if row.geom.as_ref() != Some(&expect) {
            return Err(stale("street", x.code.to_string()));
        }
    }
    let zones = ZoneMoves::read(c, d, cs)?;
    let mut keys = keys_of(idx, cs, rel);
    keys.extend(zones.keys());
    let mut before = Vec::with_capacity(keys.len());
    for (kind, key) in &keys {
        before.push(read_row(c, d, kind, key)?);
    }
    // Renames: read the rows, delete them all, insert under the new codes (swaps work).
    let mut renamed = Vec::new();
    for r in &cs.rename {
        renamed.push((r.to, read_row(c, d, "grid", r.from.as_str())?));
    }
    for r in &cs.rename {
        exec(
            c,
            "DELETE FROM grid WHERE district = $1::text AND code = $2",
            &[&d, &r.from.as_str()],
            || format!("renaming grid {} of district {d}", r.from),
        )?;
    }
    for (to, row) in renamed {
        write_row(
            c,
            d,
            &RowSnap {
                key: to.to_string(),
                ..row
            },
        )?;
    }
    // References follow a renamed grid, in two steps so that swapped codes do not merge.
    const FOLLOW: [&str; 4] = [
        "UPDATE component SET grid = $3 WHERE district = $1::text AND grid = $2",
        "UPDATE cases SET grid = $3 WHERE district = $1::text AND grid = $2",
        "UPDATE duty_grid_member SET grid = $3 WHERE district = $1::text AND grid = $2",
        "UPDATE zone_member SET grid = $3 WHERE district = $1::text AND grid = $2",
    ];
    for (from, to) in [true, false].into_iter().flat_map(|first| {
        cs.rename.iter().map(move |r| {
            if first {
                (r.from.to_string(), format!("~{}", r.to))
            } else {
                (format!("~{}", r.to), r.to.to_string())
            }
        })
    }) {
        for sql in FOLLOW {
            exec(c, sql, &[&d, &from, &to], || {
                format!("moving the references of grid {from} to {to} in district {d}")
            })?;
        }
    }
    for g in &cs.retire {
        let code = g.code.as_str();
        let what = || format!("retiring grid {code} of district {d}");
        exec(
            c,
            "UPDATE grid SET end_date = $3 WHERE district = $1::text AND code = $2",
            &[&d, &code, &date],
            what,
        )?;
        exec(
            c,
            "DELETE FROM duty_grid_member WHERE district = $1::text AND grid = $2",
            &[&d, &code],
            what,
        )?;
        exec(
            c,
            "DELETE FROM zone_member WHERE district = $1::text AND grid = $2",
            &[&d, &code],
            what,
        )?;
    }
    for m in &cs.modify {
        exec(
            c,
            "UPDATE grid SET geom = ST_GeomFromWKB($3, 4326), area_m2 = $4
              WHERE district = $1::text AND code = $2",
            &[
                &d,
                &m.code.as_str(),
                &wkb(&m.after)?,
                &griddesk_core::geodesy::area_m2(&m.after),
            ],
            || format!("reshaping grid {} of district {d}", m.code),
        )?;
    }
    for g in &cs.create {
        let sample = g
            .predecessors
            .first()
            .and_then(|p| idx.grid(p))
            .is_some_and(|p| p.sample);
        let code = g.code.as_str();
        c.execute(
            "INSERT INTO grid (district, code, community, name, geom, area_m2, land_use, level,
                               start_date, end_date, sample)
             VALUES ($1::text, $2, $3, $4, ST_GeomFromWKB($5, 4326), $6, $7, $8, $9, NULL, $10)",
            &[
                &d,
                &code,
                &g.code.community().as_str(),
                &g.name,
                &wkb(&g.polygon)?,
                &g.area_m2,
                &g.land_use,
                &g.level,
                &date,
                &sample,
            ],
        )
        .map_err(|e| {
            Error::of(
                e,
                format!("creating grid {code} of district {d}"),
                Some(("grid", code)),
            )
        })?;
        if let Some(duty) = g.predecessors.first().and_then(|p| idx.duty_grid_of(p)) {
            exec(
                c,
                "INSERT INTO duty_grid_member (district, duty_grid, grid)
                 VALUES ($1::text, $2, $3) ON CONFLICT DO NOTHING",
                &[&d, &duty.code, &code],
                || format!("adding grid {code} to duty grid {}", duty.code),
            )?;
        }
        for (layer, zone) in zones.of(&g.code) {
            exec(
                c,
                "INSERT INTO zone_member (district, layer, zone, grid) VALUES ($1::text, $2, $3, $4)
                 ON CONFLICT (district, layer, grid) DO UPDATE SET zone = EXCLUDED.zone",
                &[&d, layer, zone, &code],
                || format!("adding grid {code} to zone {layer}/{zone}"),
            )?;
        }
    }
    for (sql, list) in [
        (
            "UPDATE community SET geom = ST_GeomFromWKB($3, 4326)
              WHERE district = $1::text AND code = $2",
            cs.communities
                .iter()
                .map(|x| (x.code.to_string(), &x.after))
                .collect::<Vec<_>>(),
        ),
        (
            "UPDATE street SET geom = ST_GeomFromWKB($3, 4326)
              WHERE district = $1::text AND code = $2",
            cs.streets
                .iter()
                .map(|x| (x.code.to_string(), &x.after))
                .collect::<Vec<_>>(),
        ),
    ] {
        for (code, after) in list {
            let g = wkb_io::to_wkb(&Geometry::MultiPolygon(after.clone()))?;
            exec(c, sql, &[&d, &code, &g], || {
                format!("reshaping the outline of {code} of district {d}")
            })?;
        }
    }
    for (code, _, new) in &rel.components {
        exec(
            c,
            "UPDATE component SET grid = $3 WHERE district = $1::text AND code = $2",
            &[&d, &code.as_str(), &new.as_ref().map(GridCode::as_str)],
            || format!("locating component {code} again"),
        )?;
    }
    for (id, _, new) in &rel.cases {
        exec(
            c,
            "UPDATE cases SET grid = $3 WHERE district = $1::text AND id = $2",
            &[&d, id, &new.as_ref().map(GridCode::as_str)],
            || format!("locating case {id} again"),
        )?;
    }
    let mut after = Vec::with_capacity(keys.len());
    for (kind, key) in &keys {
        after.push(read_row(c, d, kind, key)?);
    }
    exec(
        c,
        "UPDATE plan_edit SET state = 'discarded' WHERE district = $1::text AND state = 'undone'",
        &[&d],
        || format!("discarding the redo stack of district {d}"),
    )?;
    let summary = serde_json::to_string(&effect).map_err(|e| internal(e.to_string()))?;
    let id: i64 = q(
        c.query_one(
            "INSERT INTO plan_edit (district, at, author, operation, params, note, community,
                                    summary, state)
             VALUES ($1::text, $2, $3, $4, $5, $6, $7, $8, 'applied') RETURNING id",
            &[
                &d,
                &at,
                &meta.author,
                &cs.operation,
                &params.to_string(),
                &meta.note,
                &cs.community.as_str(),
                &summary,
            ],
        ),
        || format!("recording the edit in district {d}"),
    )?
    .get(0);
    exec(
        c,
        "INSERT INTO plan_event (district, edit, kind, at, author)
         VALUES ($1::text, $2, 'apply', $3, $4)",
        &[&d, &id, &at, &meta.author],
        || format!("recording the event of edit #{id}"),
    )?;
    let st = q(
        c.prepare(
            "INSERT INTO plan_row (district, edit, side, kind, key, data, geom)
             VALUES ($1::text, $2, $3, $4, $5, $6, ST_GeomFromWKB($7, 4326))",
        ),
        || "preparing the snapshot write".to_string(),
    )?;
    for (side, rows) in [("before", &before), ("after", &after)] {
        for r in rows {
            q(
                c.execute(&st, &[&d, &id, &side, &r.kind, &r.key, &r.data, &r.geom]),
                || format!("recording the {side} row of {} `{}`", r.kind, r.key),
            )?;
        }
    }
    let lin = q(
        c.prepare(
            "INSERT INTO plan_lineage (district, edit, predecessor, successor)
             VALUES ($1::text, $2, $3, $4) ON CONFLICT DO NOTHING",
        ),
        || "preparing the lineage write".to_string(),
    )?;
    let links = cs
        .create
        .iter()
        .flat_map(|g| g.predecessors.iter().map(move |p| (*p, g.code)))
        .chain(cs.rename.iter().map(|r| (r.from, r.to)));
    for (p, s) in links {
        q(
            c.execute(&lin, &[&d, &id, &p.as_str(), &s.as_str()]),
            || format!("recording that {s} was made from {p}"),
        )?;
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
            effect,
            params: params.clone(),
        },
        rows: after,
    })
}

/// Undoes the most recent applied edit, or redoes the most recently undone one, inside the
/// caller's transaction (the station's `undo_redo`).
fn undo_redo(
    c: &mut impl GenericClient,
    d: &str,
    undo: bool,
    meta: &EditMeta,
) -> CoreResult<Written> {
    let at = meta.time();
    defer(c)?;
    let sql = if undo {
        "SELECT max(id) FROM plan_edit WHERE district = $1::text AND state = 'applied'"
    } else {
        "SELECT min(id) FROM plan_edit WHERE district = $1::text AND state = 'undone'"
    };
    let id: Option<i64> = q(c.query_one(sql, &[&d]), || {
        format!(
            "finding the edit to {} in district {d}",
            if undo { "undo" } else { "redo" }
        )
    })?
    .get(0);
    let Some(id) = id else {
        return Err(griddesk_core::Error::PlanConflict(if undo {
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
    for s in snapshots(c, d, id, expect)? {
        let now = read_row(c, d, s.kind, &s.key)?;
        if now != s {
            return Err(griddesk_core::Error::PlanConflict(
                Message::new(if undo { C::UndoBlocked } else { C::RedoBlocked })
                    .int("edit", id)
                    .with("thing", thing(s.kind))
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
    let rows = snapshots(c, d, id, target)?;
    // Removals first, so a code freed by one row can be taken by another.
    for s in rows.iter().filter(|s| s.data.is_none()) {
        write_row(c, d, s)?;
    }
    for s in rows.iter().filter(|s| s.data.is_some()) {
        write_row(c, d, s)?;
    }
    let (state, kind) = if undo {
        ("undone", "undo")
    } else {
        ("applied", "redo")
    };
    exec(
        c,
        "UPDATE plan_edit SET state = $3 WHERE district = $1::text AND id = $2",
        &[&d, &id, &state],
        || format!("marking edit #{id} {state}"),
    )?;
    exec(
        c,
        "INSERT INTO plan_event (district, edit, kind, at, author)
         VALUES ($1::text, $2, $3, $4, $5)",
        &[&d, &id, &kind, &at, &meta.author],
        || format!("recording the {kind} of edit #{id}"),
    )?;
    Ok(Written {
        summary: edit_summary(c, d, id)?,
        rows,
    })
}

fn log(c: &mut impl GenericClient, d: &str, limit: usize) -> CoreResult<Vec<EditSummary>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let sql = format!("{SUMMARY_SQL} WHERE district = $1::text ORDER BY id DESC LIMIT $2");
    q(c.query(&sql, &[&d, &limit]), || {
        format!("reading the edit log of district {d}")
    })?
    .iter()
    .map(|r| to_summary(summary_row(r)))
    .collect()
}

fn grid_history(c: &mut impl GenericClient, d: &str, code: GridCode) -> CoreResult<GridHistory> {
    let mut codes: BTreeSet<String> = BTreeSet::new();
    let mut links: BTreeSet<(i64, String, String)> = BTreeSet::new();
    let mut todo = vec![code.to_string()];
    while let Some(k) = todo.pop() {
        if !codes.insert(k.clone()) {
            continue;
        }
        let rows = q(
            c.query(
                "SELECT edit, predecessor, successor FROM plan_lineage
                  WHERE district = $1::text AND (predecessor = $2 OR successor = $2)",
                &[&d, &k],
            ),
            || format!("reading the lineage of grid {k} of district {d}"),
        )?;
        for r in rows {
            let (e, p, s): (i64, String, String) = (r.get(0), r.get(1), r.get(2));
            todo.push(p.clone());
            todo.push(s.clone());
            links.insert((e, p, s));
        }
    }
    let mut edits: BTreeMap<i64, Vec<GridVersion>> = BTreeMap::new();
    for k in &codes {
        let rows = q(
            c.query(
                "SELECT edit, side, data, ST_AsBinary(geom) FROM plan_row
                  WHERE district = $1::text AND kind = 'grid' AND key = $2 ORDER BY edit",
                &[&d, k],
            ),
            || format!("reading the versions of grid {k} of district {d}"),
        )?;
        let mut per: BTreeMap<i64, GridVersion> = BTreeMap::new();
        for r in rows {
            let (e, side, data, geom): (i64, String, Option<String>, Option<Vec<u8>>) =
                (r.get(0), r.get(1), r.get(2), r.get(3));
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
                    .and_then(|x| serde_json::from_str::<serde_json::Value>(x).ok())
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
            edit: edit_summary(c, d, e)?,
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

fn grids_as_of(
    c: &mut impl GenericClient,
    d: &str,
    current: &[Grid],
    date: NaiveDate,
) -> CoreResult<Vec<Grid>> {
    let mut state: HashMap<String, Option<Grid>> = current
        .iter()
        .map(|g| (g.code.to_string(), Some(g.clone())))
        .collect();
    let from = date
        .succ_opt()
        .and_then(|x| x.and_hms_opt(0, 0, 0))
        .ok_or_else(|| {
            griddesk_core::Error::Invalid(
                Message::new(C::DateOutOfRange)
                    .text("date", date)
                    .en(format!("date {date} is out of range")),
            )
        })?;
    let events: Vec<(i64, String)> = q(
        c.query(
            "SELECT edit, kind FROM plan_event WHERE district = $1::text AND at >= $2
              ORDER BY id DESC",
            &[&d, &from],
        ),
        || format!("reading the grid edits of district {d} after {date}"),
    )?
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    let st = q(
        c.prepare(
            "SELECT key, data, ST_AsBinary(geom) FROM plan_row
              WHERE district = $1::text AND edit = $2 AND side = $3 AND kind = 'grid'",
        ),
        || "preparing the snapshot read".to_string(),
    )?;
    for (edit, kind) in events {
        let side = if kind == "undo" { "after" } else { "before" };
        let rows = q(c.query(&st, &[&d, &edit, &side]), || {
            format!("reading the grids of edit #{edit} of district {d}")
        })?;
        for r in rows {
            let (key, data, geom): (String, Option<String>, Option<Vec<u8>>) =
                (r.get(0), r.get(1), r.get(2));
            let g = match (data, geom) {
                (Some(x), Some(g)) => Some(grid_of(&key, &x, &g)?),
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

impl HistoryRows for DistrictTx<'_, '_> {
    fn read_row(&self, kind: &'static str, key: &str) -> CoreResult<RowSnap> {
        read_row(
            &mut *self.tx.tx.borrow_mut(),
            self.district.as_str(),
            kind,
            key,
        )
    }
    fn write_row(&self, s: &RowSnap) -> CoreResult<()> {
        let mut c = self.tx.tx.borrow_mut();
        defer(&mut *c)?;
        write_row(&mut *c, self.district.as_str(), s)
    }
    fn snapshots(&self, edit: i64, side: &str) -> CoreResult<Vec<RowSnap>> {
        snapshots(
            &mut *self.tx.tx.borrow_mut(),
            self.district.as_str(),
            edit,
            side,
        )
    }
    fn edit_summary(&self, id: i64) -> CoreResult<EditSummary> {
        edit_summary(&mut *self.tx.tx.borrow_mut(), self.district.as_str(), id)
    }
}

/// Reads on the connection; a row written back in a transaction of its own.
impl HistoryRows for DistrictScope<'_> {
    fn read_row(&self, kind: &'static str, key: &str) -> CoreResult<RowSnap> {
        self.centre
            .with(|c| Ok(read_row(c, self.district.as_str(), kind, key)))?
    }
    fn write_row(&self, s: &RowSnap) -> CoreResult<()> {
        let d = self.district;
        self.centre.transaction(|tx| tx.district(d).write_row(s))
    }
    fn snapshots(&self, edit: i64, side: &str) -> CoreResult<Vec<RowSnap>> {
        self.centre
            .with(|c| Ok(snapshots(c, self.district.as_str(), edit, side)))?
    }
    fn edit_summary(&self, id: i64) -> CoreResult<EditSummary> {
        self.centre
            .with(|c| Ok(edit_summary(c, self.district.as_str(), id)))?
    }
}

/// Each edit, undo and redo is one transaction of its own (its edit and event rows sealed at
/// its commit), as at the station.
impl PlanHistory for DistrictScope<'_> {
    fn apply(
        &mut self,
        idx: &SpatialIndex,
        cs: &ChangeSet,
        rel: &Relocations,
        params: &serde_json::Value,
        meta: &EditMeta,
    ) -> CoreResult<Written> {
        let d = self.district;
        self.centre.transaction(|tx| {
            apply(
                &mut *tx.tx.borrow_mut(),
                d.as_str(),
                idx,
                cs,
                rel,
                params,
                meta,
            )
        })
    }
    fn undo_redo(&mut self, undo: bool, meta: &EditMeta) -> CoreResult<Written> {
        let d = self.district;
        self.centre
            .transaction(|tx| undo_redo(&mut *tx.tx.borrow_mut(), d.as_str(), undo, meta))
    }
    fn log(&self, limit: usize) -> CoreResult<Vec<EditSummary>> {
        self.centre
            .with(|c| Ok(log(c, self.district.as_str(), limit)))?
    }
    fn grid_history(&self, code: GridCode) -> CoreResult<GridHistory> {
        self.centre
            .with(|c| Ok(grid_history(c, self.district.as_str(), code)))?
    }
    fn grids_as_of(&self, current: &[Grid], date: NaiveDate) -> CoreResult<Vec<Grid>> {
        self.centre
            .with(|c| Ok(grids_as_of(c, self.district.as_str(), current, date)))?
    }
}
