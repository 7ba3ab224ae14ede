//! The centre's side of the upward sync (`griddesk_sync::Centre` / `CentreTx`, migration
//! 0008): a batch is checked and written in one transaction, its id recorded in
//! `sync_batch`, its conflicts in `sync_conflict`. The rules (what is applied, what is a
//! conflict) are `griddesk-sync`'s; here is only the SQL.
//!
//! A batch's rows keep the station's numbers, as `load` keeps them: the transaction is granted
//! the keeping of given numbers by the owner's function of migration 10 (for the calling
//! station's own district only, so a station's own role syncs), the commit seals the new rows
//! in the centre's chain for the district, and every identity sequence is moved past the
//! numbers written (by the owner's function too).

use crate::centre::{Centre, CentreTx};
use crate::district_rows::{
    cast, columns, insert_rows, move_sequences, param, q, read_rows, spec, Column, Kind, NUMBERED,
};
use crate::error::{Error, Result};
use griddesk_store::district_rows::{canonical_row, Cell};
use griddesk_sync::{Conflict, Writes};
use postgres::types::ToSql;

/// The station schema version this build of the centre expects of a batch: the schema
/// version of the station store of the same build (a test holds the two equal).
pub const STATION_SCHEMA_VERSION: i64 = 13;

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

    fn in_snapshot(
        &self,
        f: &mut dyn FnMut(&dyn griddesk_sync::CentreTx) -> griddesk_core::Result<()>,
    ) -> griddesk_core::Result<()> {
        self.transaction(|tx| -> griddesk_core::Result<()> {
            q(
                tx.tx
                    .borrow_mut()
                    .batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"),
                || "starting the snapshot of a download".to_string(),
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
                // Migration 10: this transaction keeps the numbers the rows carry (the owner's
                // function grants it for the calling station's own district only).
                q(
                    self.tx
                        .borrow_mut()
                        .execute("SELECT griddesk_sync_keep_numbers($1::text)", &[&d]),
                    || format!("keeping the station's numbers of {}", t.name),
                )?;
            }
            insert_rows(&mut *self.tx.borrow_mut(), d, t, &cols, &w.inserts)?;
            if numbered.is_some() {
                // The commit seals the district's new audit rows in the centre's chain (the
                // numbering trigger notes it too; kept for a table whose rows all existed).
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
            move_sequences(&mut *self.tx.borrow_mut(), t, &cols)?;
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

    fn settled(&self, district: &str) -> griddesk_core::Result<Vec<griddesk_sync::Settled>> {
        let rows = q(
            self.tx.borrow_mut().query(
                "SELECT tbl, key, station FROM sync_conflict
                  WHERE district = $1::text AND settled_at IS NOT NULL",
                &[&district],
            ),
            || format!("reading the settled conflicts of district {district}"),
        )?;
        Ok(rows
            .into_iter()
            .map(|r| griddesk_sync::Settled {
                table: r.get(0),
                key: r.get(1),
                station: r.get(2),
            })
            .collect())
    }

    fn generations(&self, district: &str) -> griddesk_core::Result<griddesk_sync::Marks> {
        let row = q(
            self.tx.borrow_mut().query_one(
                "SELECT coalesce((SELECT n FROM centre_generation WHERE district = $1::text), 0),
                        coalesce((SELECT n FROM centre_generation WHERE district IS NULL), 0)",
                &[&district],
            ),
            || format!("reading the generation counters of district {district}"),
        )?;
        // Each table's counter (migration 11): a district-owned table's of the district, a
        // shared table's of the city.
        let per = q(
            self.tx.borrow_mut().query(
                "SELECT tbl, n FROM sync_table_generation
                  WHERE district = $1::text OR district IS NULL",
                &[&district],
            ),
            || format!("reading the table counters of district {district}"),
        )?;
        let mut tables = std::collections::BTreeMap::new();
        for r in per {
            let (t, n): (String, i64) = (r.get(0), r.get(1));
            // Only the tables a station keeps (the centre's own ones have counters too).
            if spec(&t).is_ok() {
                tables.insert(t, n);
            }
        }
        Ok(griddesk_sync::Marks {
            district: row.get(0),
            city: row.get(1),
            tables,
        })
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
    /// How a person settled it; `None` while it is open.
    pub settled: Option<Settlement>,
}

/// Which side's version a settlement starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    Station,
    Centre,
}

impl Keep {
    pub fn key(self) -> &'static str {
        match self {
            Keep::Station => "station",
            Keep::Centre => "centre",
        }
    }
}

/// A person's settlement of a conflict: one side's version, with some columns set to other
/// values (a merge given column by column; `None` sets a column empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settle {
    pub keep: Keep,
    pub set: Vec<(String, Option<String>)>,
}

/// How a conflict was settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    pub at: String,
    pub by: String,
    /// `station`, `centre` or `merged`.
    pub choice: String,
    /// The chosen row (canonical text); `None`: the row is gone.
    pub row: Option<String>,
}

impl Centre {
    /// The recorded sync conflicts, oldest first: of one district, or of every district this
    /// connection may see; settled ones too, with their settlement.
    pub fn sync_conflicts(
        &self,
        district: Option<&griddesk_core::code::DistrictCode>,
    ) -> Result<Vec<SyncConflict>> {
        let d = district.map(|d| d.as_str().to_string());
        let rows = self.with(|c| {
            q(
                c.query(
                    "SELECT district::text, id, batch, to_char(raised_at, 'YYYY-MM-DD HH24:MI:SS'),
                            tbl, key, base, station, centre,
                            to_char(settled_at, 'YYYY-MM-DD HH24:MI:SS'), settled_by, choice,
                            settled_row
                       FROM sync_conflict
                      WHERE $1::text IS NULL OR district = $1::text
                      ORDER BY district, id",
                    &[&d],
                ),
                || "reading the sync conflicts".to_string(),
            )
        })?;
        Ok(rows.into_iter().map(|r| conflict_of(&r)).collect())
    }

    /// Settles sync conflict `id` of `district` (docs/centre.md, "Sync"): the chosen row
    /// (the station's or the centre's version, with `choice.set`'s columns changed) is
    /// written at the centre — or the row deleted when the chosen version has none — in one
    /// transaction with an audit entry (`sync.settle`, by `by` acting as `role`, sealed in
    /// the district's chain) and the conflict's settlement. Refused when the conflict is
    /// settled already, when the centre's row is no longer the version the conflict showed
    /// (a sync raises the new one), or when a column is not the table's or is a key column.
    pub fn settle_conflict(
        &self,
        district: &griddesk_core::code::DistrictCode,
        id: i64,
        choice: &Settle,
        by: &str,
        role: Option<griddesk_core::users::Role>,
    ) -> Result<SyncConflict> {
        let d = district.as_str().to_string();
        let refuse = |reason: String| Error::Settle {
            district: d.clone(),
            id,
            reason,
        };
        self.transaction(|tx| -> Result<SyncConflict> {
            let row = q(
                tx.tx.borrow_mut().query_opt(
                    "SELECT district::text, id, batch, to_char(raised_at, 'YYYY-MM-DD HH24:MI:SS'),
                            tbl, key, base, station, centre,
                            to_char(settled_at, 'YYYY-MM-DD HH24:MI:SS'), settled_by, choice,
                            settled_row
                       FROM sync_conflict WHERE district = $1::text AND id = $2 FOR UPDATE",
                    &[&d, &id],
                ),
                || format!("reading sync conflict {id} of district {d}"),
            )?;
            let Some(row) = row else {
                return Err(Error::NotFound {
                    what: "sync conflict",
                    key: id.to_string(),
                    district: d.clone(),
                });
            };
            let was = conflict_of(&row);
            if let Some(s) = &was.settled {
                return Err(refuse(format!("it was settled by {} at {}", s.by, s.at)));
            }
            let c = &was.conflict;
            let t = spec(&c.table)?;
            let cols = columns(&mut *tx.tx.borrow_mut(), t)?;
            let key = key_columns(tx, t.name, &cols, &c.key)?;
            let pos: Vec<usize> = key
                .iter()
                .filter_map(|k| cols.iter().position(|x| &x.name == k))
                .collect();
            let key_cells = parse(&c.key, &d, id)?;
            // The centre's row under the key now.
            griddesk_sync::CentreTx::lock(tx, &d, t.name)
                .map_err(|e| refuse(format!("locking the row: {e}")))?;
            let held = read_rows(&mut *tx.tx.borrow_mut(), &d, t, &cols)?;
            let mut seen = 0usize;
            let current = held.into_iter().find(|r| {
                if pos.is_empty() {
                    // Whole rows: the n-th copy (`#n`) of the key's text.
                    let text = canonical_row(r);
                    if canonical_row(&key_cells) == text {
                        seen += 1;
                        let n = c.key.rsplit_once('#').and_then(|(_, n)| n.parse::<usize>().ok());
                        return seen == n.unwrap_or(1);
                    }
                    false
                } else {
                    canonical_row(&pos.iter().map(|&p| r[p].clone()).collect::<Vec<_>>())
                        == canonical_row(&key_cells)
                }
            });
            let current_text = current.as_ref().map(|r| canonical_row(r));
            if current_text != c.centre {
                return Err(refuse(
                    "the centre's row changed since the conflict was raised: sync the station to see the new one".into(),
                ));
            }
            let start = match choice.keep {
                Keep::Station => &c.station,
                Keep::Centre => &c.centre,
            };
            let mut chosen = match start {
                Some(text) => Some(parse(text, &d, id)?),
                None => None,
            };
            for (name, value) in &choice.set {
                let Some(i) = cols.iter().position(|x| &x.name == name) else {
                    return Err(refuse(format!("table {} has no column {name}", t.name)));
                };
                if key.contains(name) || pos.is_empty() {
                    return Err(refuse(format!("column {name} names the row: it cannot be set")));
                }
                let Some(row) = chosen.as_mut() else {
                    return Err(refuse(format!(
                        "the {} version has no row: column {name} cannot be set",
                        choice.keep.key()
                    )));
                };
                if row.len() != cols.len() {
                    return Err(refuse(format!(
                        "the kept version has {} values for {} columns",
                        row.len(),
                        cols.len()
                    )));
                }
                row[i] = value.clone().map_or(Cell::Null, Cell::Text);
            }
            let names: Vec<String> = cols.iter().map(|c| c.name.clone()).collect();
            let mut w = Writes {
                table: t.name.to_string(),
                columns: names,
                key: key.clone(),
                ..Writes::default()
            };
            match (&chosen, &current) {
                (Some(r), Some(_)) if r.len() == cols.len() => w.updates.push(r.clone()),
                (Some(r), None) if r.len() == cols.len() => w.inserts.push(r.clone()),
                (Some(r), _) => {
                    return Err(refuse(format!(
                        "the kept version has {} values for {} columns",
                        r.len(),
                        cols.len()
                    )))
                }
                (None, Some(r)) => w.deletes.push(if pos.is_empty() {
                    r.clone()
                } else {
                    pos.iter().map(|&p| r[p].clone()).collect()
                }),
                (None, None) => {}
            }
            // A row matched whole is its own key: keeping a version of it that is there
            // already writes nothing.
            if !pos.is_empty() || w.updates.is_empty() {
                tx.write_rows(&d, &w)?;
            }
            // The written row as the centre reads it back (what comes down to the station).
            let row_text = chosen.as_ref().map(|r| canonical_row(r));
            let kind = if choice.set.is_empty() {
                choice.keep.key()
            } else {
                "merged"
            };
            let at: String = q(
                tx.tx.borrow_mut().query_one(
                    "SELECT to_char(localtimestamp, 'YYYY-MM-DD HH24:MI:SS')",
                    &[],
                ),
                || "reading the time".to_string(),
            )?
            .get(0);
            {
                use griddesk_store::AuditStore;
                tx.district(*district)
                    .record_audit(&griddesk_core::audit::AuditEntry {
                        seq: 0,
                        at: at.clone(),
                        login: by.to_string(),
                        role,
                        action: "sync.settle".into(),
                        subject: format!("sync conflict {id}: {} {}", c.table, c.key),
                        before: Some(serde_json::json!({
                            "base": c.base, "station": c.station, "centre": c.centre,
                        })),
                        after: Some(serde_json::json!({ "choice": kind, "row": row_text })),
                    })
                    .map_err(|e| refuse(format!("the audit entry: {e}")))?;
            }
            q(
                tx.tx.borrow_mut().execute(
                    "UPDATE sync_conflict
                        SET settled_at = now(), settled_by = $3::text, choice = $4::text,
                            settled_row = $5::text
                      WHERE district = $1::text AND id = $2",
                    &[&d, &id, &by, &kind, &row_text],
                ),
                || format!("settling sync conflict {id} of district {d}"),
            )?;
            let row = q(
                tx.tx.borrow_mut().query_one(
                    "SELECT district::text, id, batch, to_char(raised_at, 'YYYY-MM-DD HH24:MI:SS'),
                            tbl, key, base, station, centre,
                            to_char(settled_at, 'YYYY-MM-DD HH24:MI:SS'), settled_by, choice,
                            settled_row
                       FROM sync_conflict WHERE district = $1::text AND id = $2",
                    &[&d, &id],
                ),
                || format!("reading sync conflict {id} of district {d}"),
            )?;
            Ok(conflict_of(&row))
        })
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

fn conflict_of(r: &postgres::Row) -> SyncConflict {
    let at: Option<String> = r.get(9);
    SyncConflict {
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
        settled: at.map(|at| Settlement {
            at,
            by: r.get::<_, Option<String>>(10).unwrap_or_default(),
            choice: r.get::<_, Option<String>>(11).unwrap_or_default(),
            row: r.get(12),
        }),
    }
}

/// The cells of a canonical text a conflict keeps.
fn parse(text: &str, district: &str, id: i64) -> Result<Vec<Cell>> {
    griddesk_sync::parse_canonical(text).map_err(|e| Error::Corrupt {
        what: "sync conflict",
        key: format!("{district}/{id}"),
        reason: e.to_string(),
    })
}

/// The columns a conflict's key names: the table's primary key at the centre without the
/// district (the station's key); none when the key is a whole row's text.
fn key_columns(tx: &CentreTx<'_>, table: &str, cols: &[Column], key: &str) -> Result<Vec<String>> {
    let pk: Vec<String> = q(
        tx.tx.borrow_mut().query(
            "SELECT a.attname::text
               FROM pg_index i
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
              WHERE i.indrelid = $1::text::regclass AND i.indisprimary
              ORDER BY array_position(i.indkey::int2[], a.attnum)",
            &[&table],
        ),
        || format!("reading the key of {table}"),
    )?
    .into_iter()
    .map(|r| r.get::<_, String>(0))
    .filter(|n| n != "district" || table == "district")
    .collect();
    let cells = griddesk_sync::parse_canonical(key)
        .map(|c| c.len())
        .unwrap_or(0);
    if !pk.is_empty() && pk.len() == cells && pk.iter().all(|k| cols.iter().any(|c| &c.name == k)) {
        Ok(pk)
    } else {
        Ok(Vec::new())
    }
}
