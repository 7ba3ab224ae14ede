//! A station's rows table by table (`griddesk_store::district_rows::DistrictRows`): what
//! `griddesk centre load` copies into the centre and `griddesk centre verify` compares. A
//! station's store holds one district, so every row of a table is the district's.

use crate::error::{Error, Result};
use griddesk_store::district_rows::{Cell, DistrictRows, TABLES};
use rusqlite::types::ValueRef;

/// Only the tables of the shared list are read: a table name never comes from input.
fn known(table: &str) -> Result<&'static str> {
    TABLES
        .iter()
        .find(|t| t.name == table)
        .map(|t| t.name)
        .ok_or_else(|| Error::Internal(format!("`{table}` is not a table a centre keeps")).into())
}

impl DistrictRows for crate::Db<'_> {
    fn table_columns(&self, table: &str) -> griddesk_core::Result<Vec<String>> {
        let run = || -> Result<Vec<String>> {
            let t = known(table)?;
            let mut st = self
                .0
                .prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid")?;
            let cols = st
                .query_map([t], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(cols)
        };
        Ok(run()?)
    }

    fn table_rows(
        &self,
        _district: &str,
        table: &str,
        columns: &[String],
    ) -> griddesk_core::Result<Vec<Vec<Cell>>> {
        let run = || -> Result<Vec<Vec<Cell>>> {
            let t = known(table)?;
            let have = self.table_columns(t)?;
            if let Some(c) = columns.iter().find(|c| !have.contains(c)) {
                return Err(
                    Error::Internal(format!("the station's table {t} has no column {c}")).into(),
                );
            }
            let list = columns
                .iter()
                .map(|c| format!("\"{c}\""))
                .collect::<Vec<_>>()
                .join(", ");
            let mut st = self
                .0
                .prepare(&format!("SELECT {list} FROM {t} ORDER BY rowid"))?;
            let n = columns.len();
            let rows = st
                .query_map([], |r| {
                    (0..n)
                        .map(|i| {
                            Ok(match r.get_ref(i)? {
                                ValueRef::Null => Cell::Null,
                                ValueRef::Integer(v) => Cell::Int(v),
                                ValueRef::Real(v) => Cell::Real(v),
                                ValueRef::Text(v) => Cell::Text(String::from_utf8_lossy(v).into()),
                                ValueRef::Blob(v) => Cell::Bytes(v.to_vec()),
                            })
                        })
                        .collect::<rusqlite::Result<Vec<Cell>>>()
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        };
        Ok(run()?)
    }
}

#[cfg(test)]
mod tests {
    use griddesk_store::district_rows::{STATION_LOCAL, TABLES};

    /// A table added to the station's schema must be one the centre keeps or one named
    /// station-local with its reason: otherwise `load`, `verify` and sync would pass it by.
    #[test]
    fn every_table_of_the_station_is_kept_by_the_centre_or_named_station_local() {
        let dir = tempfile::tempdir().expect("dir");
        let store = crate::Store::create(&dir.path().join("s.sqlite")).expect("store");
        let db = store.db();
        let mut st =
            db.0.prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' ORDER BY name",
            )
            .expect("query");
        let tables: Vec<String> = st
            .query_map([], |r| r.get(0))
            .expect("tables")
            .collect::<rusqlite::Result<_>>()
            .expect("tables");
        assert!(tables.len() > 50, "{tables:?}");
        let unaccounted: Vec<&String> = tables
            .iter()
            .filter(|t| {
                !TABLES.iter().any(|k| k.name == t.as_str())
                    && !STATION_LOCAL.iter().any(|(l, _)| l == t)
            })
            .collect();
        assert!(
            unaccounted.is_empty(),
            "tables nobody keeps: {unaccounted:?}"
        );
        // And nothing is listed that the station does not have.
        for k in TABLES
            .iter()
            .map(|k| k.name)
            .chain(STATION_LOCAL.iter().map(|(l, _)| *l))
        {
            assert!(
                tables.iter().any(|t| t == k),
                "{k} is listed but not a station table"
            );
        }
    }
}
