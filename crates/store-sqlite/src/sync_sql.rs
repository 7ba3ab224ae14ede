//! The station's side of the upward sync (`griddesk_sync::Station`, migration 0013): the base
//! (the canonical text of every row as the centre last acknowledged it), the pending batch,
//! and the keys of the tables. Every write is one transaction (a savepoint, so it nests in a
//! caller's transaction too).

use crate::error::{Error, Result};
use griddesk_store::district_rows::TABLES;
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
}
