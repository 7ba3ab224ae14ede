//! The station's side of the upward sync (`griddesk_sync::Station`, migration 0013): the base
//! (the canonical text of every row as the centre last acknowledged it), the pending batch,
//! and the keys of the tables. Every write is one transaction (a savepoint, so it nests in a
//! caller's transaction too).

use crate::error::{Error, Result};
use griddesk_store::district_rows::{Cell, TABLES};
use rusqlite::OptionalExtension;

/// Only the tables of the shared list are read: a table name never comes from input.
fn known(table: &str) -> Result<&'static str> {
    TABLES
        .iter()
        .find(|t| t.name == table)
        .map(|t| t.name)
        .ok_or_else(|| Error::Internal(format!("`{table}` is not a table a centre keeps")).into())
}

impl crate::Db<'_> {
    /// Runs `f` inside a savepoint: released when it returns `Ok`, rolled back otherwise.
    fn atomically<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<T> {
        self.0.execute_batch("SAVEPOINT griddesk_sync")?;
        match f() {
            Ok(v) => {
                self.0.execute_batch("RELEASE griddesk_sync")?;
                Ok(v)
            }
            Err(e) => {
                let _ = self
                    .0
                    .execute_batch("ROLLBACK TO griddesk_sync; RELEASE griddesk_sync");
                Err(e)
            }
        }
    }
}

impl griddesk_sync::Station for crate::Db<'_> {
    fn table_key(&self, table: &str) -> griddesk_core::Result<Vec<String>> {
        let run = || -> Result<Vec<String>> {
            let t = known(table)?;
            let mut st = self
                .0
                .prepare("SELECT name FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk")?;
            let key = st
                .query_map([t], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(key)
        };
        Ok(run()?)
    }

    fn schema_version(&self) -> griddesk_core::Result<i64> {
        let v: Result<i64> = self
            .0
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(Into::into);
        Ok(v?)
    }

    fn base_district(&self) -> griddesk_core::Result<Option<String>> {
        let v: Result<Option<String>> = self
            .0
            .query_row(
                "SELECT value FROM sync_state WHERE name = 'district'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(Into::into);
        Ok(v?)
    }

    fn base_rows(&self, table: &str) -> griddesk_core::Result<Vec<(String, String)>> {
        let run = || -> Result<Vec<(String, String)>> {
            let t = known(table)?;
            let mut st = self
                .0
                .prepare_cached("SELECT key, row FROM sync_base WHERE tbl = ?1")?;
            let rows = st
                .query_map([t], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        };
        Ok(run()?)
    }

    fn replace_base(
        &self,
        district: &str,
        rows: &[(String, String, String)],
    ) -> griddesk_core::Result<()> {
        Ok(self.atomically(|| {
            self.0.execute_batch("DELETE FROM sync_base")?;
            let mut st = self
                .0
                .prepare_cached("INSERT INTO sync_base (tbl, key, row) VALUES (?1, ?2, ?3)")?;
            for (t, k, r) in rows {
                st.execute((known(t)?, k, r))?;
            }
            self.0.execute(
                "INSERT INTO sync_state (name, value) VALUES ('district', ?1)
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                [district],
            )?;
            Ok(())
        })?)
    }

    fn pending_batch(&self) -> griddesk_core::Result<Option<String>> {
        let v: Result<Option<String>> = self
            .0
            .query_row("SELECT body FROM sync_pending", [], |r| r.get(0))
            .optional()
            .map_err(Into::into);
        Ok(v?)
    }

    fn save_pending(&self, id: &str, schema_version: i64, body: &str) -> griddesk_core::Result<()> {
        let v: Result<usize> = self
            .0
            .execute(
                "INSERT INTO sync_pending (id, schema_version, body) VALUES (?1, ?2, ?3)",
                (id, schema_version, body),
            )
            .map_err(Into::into);
        v?;
        Ok(())
    }

    fn acknowledge(
        &self,
        id: &str,
        moves: &[griddesk_sync::BaseMove],
    ) -> griddesk_core::Result<()> {
        Ok(self.atomically(|| {
            let mut put = self.0.prepare_cached(
                "INSERT INTO sync_base (tbl, key, row) VALUES (?1, ?2, ?3)
                 ON CONFLICT (tbl, key) DO UPDATE SET row = excluded.row",
            )?;
            let mut drop = self
                .0
                .prepare_cached("DELETE FROM sync_base WHERE tbl = ?1 AND key = ?2")?;
            for m in moves {
                let t = known(&m.table)?;
                match &m.row {
                    Some(r) => put.execute((t, &m.key, r))?,
                    None => drop.execute((t, &m.key))?,
                };
            }
            let gone = self
                .0
                .execute("DELETE FROM sync_pending WHERE id = ?1", [id])?;
            if gone != 1 {
                return Err(Error::NotFound {
                    what: "sync batch",
                    key: id.to_string(),
                }
                .into());
            }
            Ok(())
        })?)
    }

    fn consistent(
        &self,
        f: &mut dyn FnMut() -> griddesk_core::Result<()>,
    ) -> griddesk_core::Result<()> {
        Ok(self.atomically(|| Ok(f()?))?)
    }

    fn download_marks(&self) -> griddesk_core::Result<Option<griddesk_sync::Marks>> {
        let run = || -> Result<Option<griddesk_sync::Marks>> {
            let get = |name: &str| -> Result<Option<i64>> {
                let v: Option<String> = self
                    .0
                    .query_row(
                        "SELECT value FROM sync_state WHERE name = ?1",
                        [name],
                        |r| r.get(0),
                    )
                    .optional()?;
                v.map(|t| {
                    t.parse::<i64>().map_err(|_| {
                        Error::Internal(format!("sync_state {name} is not a number: {t}")).into()
                    })
                })
                .transpose()
            };
            let tables: Option<String> = self
                .0
                .query_row(
                    "SELECT value FROM sync_state WHERE name = 'down_tables'",
                    [],
                    |r| r.get(0),
                )
                .optional()?;
            let tables = match tables {
                Some(t) => serde_json::from_str(&t).map_err(|e| {
                    Error::Internal(format!("sync_state down_tables cannot be read: {e}"))
                })?,
                None => Default::default(),
            };
            Ok(match (get("down_district")?, get("down_city")?) {
                (Some(district), Some(city)) => Some(griddesk_sync::Marks {
                    district,
                    city,
                    tables,
                }),
                _ => None,
            })
        };
        Ok(run()?)
    }

    fn set_download_marks(&self, marks: griddesk_sync::Marks) -> griddesk_core::Result<()> {
        Ok(self.atomically(|| {
            let mut st = self.0.prepare_cached(
                "INSERT INTO sync_state (name, value) VALUES (?1, ?2)
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            )?;
            st.execute(("down_district", marks.district.to_string()))?;
            st.execute(("down_city", marks.city.to_string()))?;
            let tables = serde_json::to_string(&marks.tables)
                .map_err(|e| Error::Internal(format!("the download's table counters: {e}")))?;
            st.execute(("down_tables", tables))?;
            Ok(())
        })?)
    }

    fn write_rows(&self, w: &griddesk_sync::Writes) -> griddesk_core::Result<()> {
        Ok(self.atomically(|| write_rows(self.0, w))?)
    }

    fn sync_note(&self, name: &str) -> griddesk_core::Result<Option<String>> {
        let v: Result<Option<String>> = self
            .0
            .query_row(
                "SELECT value FROM sync_state WHERE name = ?1",
                [name],
                |r| r.get(0),
            )
            .optional()
            .map_err(Into::into);
        Ok(v?)
    }

    fn set_sync_note(&self, name: &str, value: &str) -> griddesk_core::Result<()> {
        let v: Result<usize> = self
            .0
            .execute(
                "INSERT INTO sync_state (name, value) VALUES (?1, ?2)
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                [name, value],
            )
            .map_err(Into::into);
        v?;
        Ok(())
    }

    fn move_base(&self, moves: &[griddesk_sync::BaseMove]) -> griddesk_core::Result<()> {
        Ok(self.atomically(|| {
            let mut put = self.0.prepare_cached(
                "INSERT INTO sync_base (tbl, key, row) VALUES (?1, ?2, ?3)
                 ON CONFLICT (tbl, key) DO UPDATE SET row = excluded.row",
            )?;
            let mut drop = self
                .0
                .prepare_cached("DELETE FROM sync_base WHERE tbl = ?1 AND key = ?2")?;
            for m in moves {
                let t = known(&m.table)?;
                match &m.row {
                    Some(r) => put.execute((t, &m.key, r))?,
                    None => drop.execute((t, &m.key))?,
                };
            }
            Ok(())
        })?)
    }
}

fn value(c: &Cell) -> rusqlite::types::Value {
    use rusqlite::types::Value;
    match c {
        Cell::Null => Value::Null,
        Cell::Int(v) => Value::Integer(*v),
        Cell::Real(v) => Value::Real(*v),
        Cell::Text(t) => Value::Text(t.clone()),
        Cell::Bytes(b) => Value::Blob(b.clone()),
    }
}

/// Writes downloaded rows into a station table (names checked against the shared list and
/// the table's own columns: nothing from input reaches the SQL text). Foreign keys are
/// checked at the commit of the enclosing transaction.
fn write_rows(c: &rusqlite::Connection, w: &griddesk_sync::Writes) -> Result<()> {
    use rusqlite::params_from_iter;
    let t = known(&w.table)?;
    let have: Vec<String> = {
        let mut st = c.prepare("SELECT name FROM pragma_table_info(?1)")?;
        let v = st
            .query_map([t], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        v
    };
    if let Some(bad) = w.columns.iter().chain(&w.key).find(|n| !have.contains(n)) {
        return Err(Error::Internal(format!("the station's table {t} has no column {bad}")).into());
    }
    c.execute_batch("PRAGMA defer_foreign_keys = ON")?;
    let quoted = |n: &String| format!("\"{n}\"");
    let whole = w.key.is_empty();
    let key_cols: Vec<&String> = if whole {
        w.columns.iter().collect()
    } else {
        w.key.iter().collect()
    };
    let pos: Vec<usize> = key_cols
        .iter()
        .map(|k| w.columns.iter().position(|c| c == *k).unwrap_or(usize::MAX))
        .collect();
    if pos.contains(&usize::MAX) {
        return Err(
            Error::Internal(format!("table {t}: a key column is not among the columns")).into(),
        );
    }
    let conds = key_cols
        .iter()
        .enumerate()
        .map(|(i, k)| format!("{} IS ?{}", quoted(k), i + 1))
        .collect::<Vec<_>>()
        .join(" AND ");
    if !w.deletes.is_empty() {
        let sql = if whole {
            format!("DELETE FROM {t} WHERE rowid = (SELECT rowid FROM {t} WHERE {conds} LIMIT 1)")
        } else {
            format!("DELETE FROM {t} WHERE {conds}")
        };
        let mut st = c.prepare(&sql)?;
        for k in &w.deletes {
            st.execute(params_from_iter(k.iter().map(value)))?;
        }
    }
    if !w.updates.is_empty() {
        let set: Vec<usize> = (0..w.columns.len()).filter(|i| !pos.contains(i)).collect();
        if !set.is_empty() {
            let sql = format!(
                "UPDATE {t} SET {} WHERE {conds}",
                set.iter()
                    .enumerate()
                    .map(|(n, &i)| format!(
                        "{} = ?{}",
                        quoted(&w.columns[i]),
                        key_cols.len() + n + 1
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let mut st = c.prepare(&sql)?;
            for row in &w.updates {
                let vals = pos.iter().chain(&set).map(|&i| row.get(i).map(value));
                let vals: Option<Vec<_>> = vals.collect();
                let vals = vals.ok_or_else(|| {
                    Error::Internal(format!("table {t}: a downloaded row lacks values"))
                })?;
                if st.execute(params_from_iter(vals))? != 1 {
                    return Err(Error::NotFound {
                        what: "row",
                        key: format!(
                            "{t} {}",
                            griddesk_store::district_rows::canonical_row(
                                &pos.iter().map(|&i| row[i].clone()).collect::<Vec<_>>(),
                            )
                        ),
                    }
                    .into());
                }
            }
        }
    }
    if !w.inserts.is_empty() {
        let sql = format!(
            "INSERT INTO {t} ({}) VALUES ({})",
            w.columns.iter().map(quoted).collect::<Vec<_>>().join(", "),
            (1..=w.columns.len())
                .map(|i| format!("?{i}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let mut st = c.prepare(&sql)?;
        for row in &w.inserts {
            if row.len() != w.columns.len() {
                return Err(Error::Internal(format!(
                    "table {t}: a downloaded row has {} values for {} columns",
                    row.len(),
                    w.columns.len()
                ))
                .into());
            }
            st.execute(params_from_iter(row.iter().map(value)))?;
        }
        // Audit rows that came down are sealed in the station's chain with the download, as
        // every write transaction seals the rows it adds.
        crate::audit_sql::seal(c)?;
    }
    Ok(())
}
