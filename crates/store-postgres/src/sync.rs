//! The centre's side of the upward sync (`griddesk_sync::Centre` / `CentreTx`, migration
//! 0008): a batch is checked and written in one transaction, its id recorded in
//! `sync_batch`, its conflicts in `sync_conflict`. The rules (what is applied, what is a
//! conflict) are `griddesk-sync`'s; here is only the SQL.
//!
//! A batch's rows keep the station's numbers, as `load` keeps them: the numbering triggers of
//! migration 4 are switched off while a batch inserts into a sealed audit table (so a sync
//! needs the centre's owner, as `load` does), the commit seals the new rows in the centre's
//! chain for the district, and every identity sequence is moved past the numbers written.

use crate::centre::{Centre, CentreTx};
use crate::district_rows::{columns, param, q, read_rows, spec, Column, Kind, NUMBERED};
use crate::error::{Error, Result};
use griddesk_store::district_rows::Cell;
use griddesk_sync::{Conflict, Writes};
use postgres::types::ToSql;

/// The station schema version this build of the centre expects of a batch: the schema
/// version of the station store of the same build (a test holds the two equal).
pub const STATION_SCHEMA_VERSION: i64 = 13;

/// `$i` cast to the type of a column of `kind`, as `load` writes it.
fn cast(kind: Kind, i: usize) -> String {
    match kind {
        Kind::Text => format!("${i}::text"),
        Kind::Int => format!("${i}::bigint"),
        Kind::Real => format!("${i}::float8"),
        Kind::Bool => format!("(${i}::bigint <> 0)"),
        Kind::Timestamp => format!("${i}::text::timestamp"),
        Kind::Date => format!("${i}::text::date"),
        Kind::Bytes => format!("${i}::bytea"),
        Kind::Geom => format!("ST_GeomFromWKB(${i}::bytea, 4326)"),
    }
}

/// A condition that column `c` holds the value of `$i`: `=` for a key column (never NULL,
/// and its index is used), `IS NOT DISTINCT FROM` when whole rows are matched; geometry is
/// compared as the WKB it is read as.
fn matches(c: &Column, i: usize, whole: bool) -> String {
    let (col, val) = match c.kind {
        Kind::Geom => (
            format!("ST_AsBinary(\"{}\")", c.name),
            format!("${i}::bytea"),
        ),
        k => (format!("\"{}\"", c.name), cast(k, i)),
    };
    if whole {
        format!("{col} IS NOT DISTINCT FROM {val}")
    } else {
        format!("{col} = {val}")
    }
}

impl griddesk_sync::Centre for Centre {
    fn station_schema_version(&self) -> i64 {
        STATION_SCHEMA_VERSION
    }

    fn in_transaction(
        &self,
        f: &mut dyn FnMut(&dyn griddesk_sync::CentreTx) -> griddesk_core::Result<()>,
    ) -> griddesk_core::Result<()> {
        self.transaction(|tx| -> griddesk_core::Result<()> {
            // A grid edit renames grids and their components follow: the foreign keys that
            // may be checked at commit are (migration 6).
            q(
                tx.tx
                    .borrow_mut()
                    .batch_execute("SET CONSTRAINTS ALL DEFERRED"),
                || "deferring the checks of a sync batch".to_string(),
            )?;
            f(tx)
        })
    }
}

impl CentreTx<'_> {
    /// The centre's columns of `table` named in `names`, in that order.
    fn named_columns(&self, table: &str, names: &[String], district: &str) -> Result<Vec<Column>> {
        let t = spec(table)?;
        let all = columns(&mut *self.tx.borrow_mut(), t)?;
        names
            .iter()
            .map(|n| {
                all.iter()
                    .find(|c| &c.name == n)
                    .cloned()
                    .ok_or_else(|| Error::NotFound {
                        what: "column",
                        key: format!("{table}.{n}"),
                        district: district.to_string(),
                    })
            })
            .collect()
    }

    fn write_rows(&self, d: &str, w: &Writes) -> Result<()> {
        let t = spec(&w.table)?;
        let cols = self.named_columns(&w.table, &w.columns, d)?;
        // Every district-owned table but `district` itself carries the district as its key's
        // first column ($1 of every statement).
        let keyed = t.name != "district";
        let first = usize::from(keyed) + 1;
        let whole = w.key.is_empty();
        let key_cols: Vec<&Column> = if whole {
            cols.iter().collect()
        } else {
            w.key
                .iter()
                .map(|k| {
                    cols.iter()
                        .find(|c| &c.name == k)
                        .ok_or_else(|| Error::NotFound {
                            what: "column",
                            key: format!("{}.{k}", t.name),
                            district: d.to_string(),
                        })
                })
                .collect::<Result<_>>()?
        };
        let mut conds: Vec<String> = Vec::new();
        if keyed {
            conds.push("district = $1::text".to_string());
        }
        conds.extend(
            key_cols
                .iter()
                .enumerate()
                .map(|(k, c)| matches(c, first + k, whole)),
        );
        let run = |sql: &str, cells: &[&Cell], kinds: &[&Column], what: &str| -> Result<u64> {
            let mut ps: Vec<Box<dyn ToSql + Sync>> = Vec::with_capacity(cells.len() + 1);
            if keyed {
                ps.push(Box::new(d.to_string()));
            }
            for (cell, col) in cells.iter().zip(kinds) {
                ps.push(param(cell, col.kind, &|| {
                    format!("{}.{}", t.name, col.name)
                })?);
            }
            let refs: Vec<&(dyn ToSql + Sync)> = ps.iter().map(|b| b.as_ref()).collect();
            q(self.tx.borrow_mut().execute(sql, &refs), || {
                format!("{what} a row of {} of district {d}", t.name)
            })
        };
        if !w.deletes.is_empty() {
            let sql = if whole {
                format!(
                    "DELETE FROM {0} WHERE ctid = (SELECT ctid FROM {0} WHERE {1} LIMIT 1)",
                    t.name,
                    conds.join(" AND ")
                )
            } else {
                format!("DELETE FROM {} WHERE {}", t.name, conds.join(" AND "))
            };
            for key in &w.deletes {
                let cells: Vec<&Cell> = key.iter().collect();
                run(&sql, &cells, &key_cols, "deleting")?;
            }
        }
        if !w.updates.is_empty() {
            let set: Vec<(usize, &Column)> = cols
                .iter()
                .enumerate()
                .filter(|(_, c)| !w.key.contains(&c.name))
                .collect();
            let pos: Vec<usize> = key_cols
                .iter()
                .filter_map(|k| cols.iter().position(|c| c.name == k.name))
                .collect();
            let at = first + key_cols.len();
            let sql = format!(
                "UPDATE {} SET {} WHERE {}",
                t.name,
                set.iter()
                    .enumerate()
                    .map(|(k, (_, c))| format!("\"{}\" = {}", c.name, cast(c.kind, at + k)))
                    .collect::<Vec<_>>()
                    .join(", "),
                conds.join(" AND ")
            );
            let mut kinds: Vec<&Column> = key_cols.clone();
            kinds.extend(set.iter().map(|(_, c)| *c));
            for row in &w.updates {
                let mut cells: Vec<&Cell> = pos.iter().map(|&p| &row[p]).collect();
                cells.extend(set.iter().map(|(i, _)| &row[*i]));
                let n = run(&sql, &cells, &kinds, "updating")?;
                if n != 1 {
                    return Err(Error::NotFound {
                        what: "row",
                        key: format!(
                            "{} {}",
                            t.name,
                            griddesk_store::district_rows::canonical_row(
                                &pos.iter().map(|&p| row[p].clone()).collect::<Vec<_>>(),
                            )
                        ),
                        district: d.to_string(),
                    });
                }
            }
        }
        if !w.inserts.is_empty() {
            let numbered = NUMBERED.iter().find(|(n, _)| *n == t.name);
            if numbered.is_some() {
                q(
                    self.tx.borrow_mut().batch_execute(&format!(
                        "ALTER TABLE {0} DISABLE TRIGGER {0}_order",
                        t.name
                    )),
                    || format!("keeping the station's numbers of {}", t.name),
                )?;
            }
            let mut targets: Vec<String> = Vec::new();
            let mut values: Vec<String> = Vec::new();
            if keyed {
                targets.push("district".into());
                values.push("$1::text".into());
            }
            for (k, c) in cols.iter().enumerate() {
                targets.push(format!("\"{}\"", c.name));
                values.push(cast(c.kind, first + k));
            }
            let sql = format!(
                "INSERT INTO {} ({}) VALUES ({})",
                t.name,
                targets.join(", "),
                values.join(", ")
            );
            let kinds: Vec<&Column> = cols.iter().collect();
            for row in &w.inserts {
                let cells: Vec<&Cell> = row.iter().collect();
                run(&sql, &cells, &kinds, "inserting")?;
            }
            if numbered.is_some() {
                q(
                    self.tx.borrow_mut().batch_execute(&format!(
                        "ALTER TABLE {0} ENABLE TRIGGER {0}_order",
                        t.name
                    )),
                    || format!("switching the numbering of {} on again", t.name),
                )?;
                // The commit seals the district's new audit rows in the centre's chain.
                q(
                    self.tx.borrow_mut().execute(
                        "SELECT set_config('griddesk.audit_dirty',
                            CASE WHEN coalesce(current_setting('griddesk.audit_dirty', true), '') = ''
                                 THEN $1::text
                                 WHEN strpos(',' || current_setting('griddesk.audit_dirty', true) || ',',
                                             ',' || $1::text || ',') > 0
                                 THEN current_setting('griddesk.audit_dirty', true)
                                 ELSE current_setting('griddesk.audit_dirty', true) || ',' || $1::text END,
                            true)",
                        &[&d],
                    ),
                    || format!("marking district {d}'s audit rows for sealing"),
                )?;
            }
            for col in cols.iter().filter(|c| c.sequence.is_some()) {
                let seq = col.sequence.as_deref().unwrap_or_default();
                q(
                    self.tx.borrow_mut().execute(
                        &format!(
                            "SELECT setval($1::text::regclass, m) FROM (SELECT max(\"{}\") AS m FROM {}) x
                              WHERE m IS NOT NULL AND m > (SELECT last_value FROM {seq})",
                            col.name, t.name
                        ),
                        &[&seq],
                    ),
                    || format!("moving {seq} past the numbers written"),
                )?;
            }
        }
        Ok(())
    }
}

impl griddesk_sync::CentreTx for CentreTx<'_> {
    fn recorded(&self, district: &str, id: &str) -> griddesk_core::Result<Option<String>> {
        let row = q(
            self.tx.borrow_mut().query_opt(
                "SELECT outcome FROM sync_batch WHERE district = $1::text AND id = $2::text",
                &[&district, &id],
            ),
            || format!("looking for sync batch {id} of district {district}"),
        )?;
        Ok(row.map(|r| r.get(0)))
    }

    fn lock(&self, district: &str, table: &str) -> griddesk_core::Result<()> {
        let t = spec(table)?;
        let sql = if t.name == "district" {
            "SELECT 1 FROM district WHERE code = $1::text FOR UPDATE".to_string()
        } else {
            format!(
                "SELECT 1 FROM {} WHERE district = $1::text FOR UPDATE",
                t.name
            )
        };
        q(self.tx.borrow_mut().execute(&sql, &[&district]), || {
            format!("locking {} of district {district}", t.name)
        })?;
        Ok(())
    }

    fn rows(
        &self,
        district: &str,
        table: &str,
        names: &[String],
    ) -> griddesk_core::Result<Vec<Vec<Cell>>> {
        let t = spec(table)?;
        let cols = self.named_columns(table, names, district)?;
        Ok(read_rows(&mut *self.tx.borrow_mut(), district, t, &cols)?)
    }

    fn write(&self, district: &str, w: &Writes) -> griddesk_core::Result<()> {
        if let Ok(code) = griddesk_core::code::DistrictCode::parse(district) {
            self.note_district(code);
        }
        Ok(self.write_rows(district, w)?)
    }

    fn record_conflict(&self, district: &str, id: &str, c: &Conflict) -> griddesk_core::Result<()> {
        q(
            self.tx.borrow_mut().execute(
                "INSERT INTO sync_conflict (district, batch, tbl, key, base, station, centre)
                 SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text
                  WHERE NOT EXISTS (
                        SELECT 1 FROM sync_conflict
                         WHERE district = $1::text AND tbl = $3::text AND key = $4::text
                           AND base IS NOT DISTINCT FROM $5::text
                           AND station IS NOT DISTINCT FROM $6::text
                           AND centre IS NOT DISTINCT FROM $7::text)",
                &[
                    &district, &id, &c.table, &c.key, &c.base, &c.station, &c.centre,
                ],
            ),
            || format!("recording a conflict of {} in district {district}", c.table),
        )?;
        Ok(())
    }

    fn record_batch(
        &self,
        district: &str,
        id: &str,
        schema_version: i64,
        outcome: &str,
    ) -> griddesk_core::Result<()> {
        let v = i32::try_from(schema_version).unwrap_or(i32::MAX);
        q(
            self.tx.borrow_mut().execute(
                "INSERT INTO sync_batch (district, id, schema_version, outcome)
                 VALUES ($1::text, $2::text, $3, $4::text)",
                &[&district, &id, &v, &outcome],
            ),
            || format!("recording sync batch {id} of district {district}"),
        )?;
        Ok(())
    }
}

/// A conflict as the centre keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncConflict {
    pub district: String,
    pub id: i64,
    pub batch: String,
    pub raised_at: String,
    pub conflict: Conflict,
}

impl Centre {
    /// The recorded sync conflicts, oldest first: of one district, or of every district this
    /// connection may see.
    pub fn sync_conflicts(
        &self,
        district: Option<&griddesk_core::code::DistrictCode>,
    ) -> Result<Vec<SyncConflict>> {
        let d = district.map(|d| d.as_str().to_string());
        let rows = self.with(|c| {
            q(
                c.query(
                    "SELECT district::text, id, batch, to_char(raised_at, 'YYYY-MM-DD HH24:MI:SS'),
                            tbl, key, base, station, centre
                       FROM sync_conflict
                      WHERE $1::text IS NULL OR district = $1::text
                      ORDER BY district, id",
                    &[&d],
                ),
                || "reading the sync conflicts".to_string(),
            )
        })?;
        Ok(rows
            .into_iter()
            .map(|r| SyncConflict {
                district: r.get(0),
                id: r.get(1),
                batch: r.get(2),
                raised_at: r.get(3),
                conflict: Conflict {
                    table: r.get(4),
                    key: r.get(5),
                    base: r.get(6),
                    station: r.get(7),
                    centre: r.get(8),
                },
            })
            .collect())
    }

    /// The number of sync batches recorded of `district`.
    pub fn sync_batches(&self, district: &griddesk_core::code::DistrictCode) -> Result<i64> {
        let d = district.as_str();
        self.with(|c| {
            Ok(q(
                c.query_one(
                    "SELECT count(*) FROM sync_batch WHERE district = $1::text",
                    &[&d],
                ),
                || format!("counting the sync batches of district {d}"),
            )?
            .get(0))
        })
    }
}
