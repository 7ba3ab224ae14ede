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
