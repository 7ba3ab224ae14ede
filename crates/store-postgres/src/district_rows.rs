//! A whole district, table by table (`griddesk_store::district_rows`): the copy of a
//! station's store into the centre ([`CentreTx::load_district`], what `griddesk centre load`
//! runs) and the centre's rows of a district for `griddesk centre verify` (`DistrictRows` on
//! [`Centre`]).
//!
//! The copy keeps every value of the station's rows, its own numbers included (case stages,
//! photos, audit rows, plan edits, register rows…), so that the centre's rows of a district
//! are the station's and the next sync can name rows by the station's keys. The store traits
//! are not used for it: their writes draw the centre's own numbers. Two things differ from a
//! plain insert:
//!
//! * Migration 4 numbers the rows of the sealed audit tables itself. For the copy its
//!   numbering triggers are switched off inside the load's transaction (the owner's
//!   `ALTER TABLE … DISABLE TRIGGER`, rolled back with it on failure; other writers of those
//!   tables wait for the load to end), the station's numbers are kept, and the district is
//!   marked as having new audit rows: the commit seals them in the centre's chain for the
//!   district (the station's own seals stay at the station: the centre's hash names the
//!   district). Every identity sequence is then moved past the numbers loaded.
//! * A new district gets its built-in `duty` zone layer by trigger; the station's row of it
//!   replaces that one.

use crate::centre::{Centre, CentreTx};
use crate::error::{Error, Result};
use griddesk_core::code::DistrictCode;
use griddesk_store::district_rows::{Cell, DistrictRows, Owner, TableSpec, TABLES};
use postgres::types::ToSql;
use postgres::GenericClient;

/// The tables whose numbers migration 4 draws, with the column it numbers.
pub(crate) const NUMBERED: &[(&str, &str)] = &[
    ("case_audit", "seq"),
    ("component_history", "seq"),
    ("plan_edit", "id"),
    ("plan_event", "id"),
    ("sign_in_log", "seq"),
    ("audit_log", "seq"),
    ("service_object_history", "seq"),
    ("vendor_warning", "id"),
    ("person_lookup", "seq"),
];

/// How a column's values travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    Int,
    Real,
    Bool,
    Timestamp,
    Date,
    Bytes,
    Geom,
}

#[derive(Debug, Clone)]
pub(crate) struct Column {
    pub(crate) name: String,
    pub(crate) kind: Kind,
    /// Its identity sequence, if it has one.
    pub(crate) sequence: Option<String>,
}

pub(crate) fn q<T>(
    r: std::result::Result<T, postgres::Error>,
    what: impl FnOnce() -> String,
) -> Result<T> {
    r.map_err(|e| Error::of(e, what(), None))
}

pub(crate) fn spec(table: &str) -> Result<&'static TableSpec> {
    TABLES
        .iter()
        .find(|t| t.name == table)
        .ok_or_else(|| Error::NotFound {
            what: "table",
            key: table.to_string(),
            district: String::new(),
        })
}

/// The columns of `table` the rows carry, in the centre's order: without the district key
/// (`district` of a district-owned table) and without generated columns.
pub(crate) fn columns(c: &mut impl GenericClient, t: &TableSpec) -> Result<Vec<Column>> {
    let rows = q(
        c.query(
            "SELECT a.attname::text,
                    (CASE WHEN ty.typtype = 'd' THEN ty.typbasetype ELSE ty.oid END)::regtype::text,
                    CASE WHEN a.attidentity <> ''
                         THEN pg_get_serial_sequence($1, a.attname) END
               FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid
              WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
                AND a.attgenerated = ''
              ORDER BY a.attnum",
            &[&t.name],
        ),
        || format!("reading the columns of {}", t.name),
    )?;
    let mut out = Vec::new();
    for r in rows {
        let name: String = r.get(0);
        if name == "district" && t.owner == Owner::District && t.name != "district" {
            continue;
        }
        let ty: String = r.get(1);
        let kind = match ty.as_str() {
            "text" | "character varying" => Kind::Text,
            "bigint" | "integer" | "smallint" => Kind::Int,
            "double precision" | "real" | "numeric" => Kind::Real,
            "boolean" => Kind::Bool,
            "timestamp without time zone" => Kind::Timestamp,
            "date" => Kind::Date,
            "bytea" => Kind::Bytes,
            "geometry" => Kind::Geom,
            other => {
                return Err(Error::Corrupt {
                    what: "column",
                    key: format!("{}.{name}", t.name),
                    reason: format!("{other} has no row form"),
                })
            }
        };
        out.push(Column {
            name,
            kind,
            sequence: r.get(2),
        });
    }
    Ok(out)
}

fn names(cols: &[Column]) -> Vec<String> {
    cols.iter().map(|c| c.name.clone()).collect()
}

/// `table`'s rows of `district` (every row of a shared table), values of `cols` in order.
pub(crate) fn read_rows(
    c: &mut impl GenericClient,
    district: &str,
    t: &TableSpec,
    cols: &[Column],
) -> Result<Vec<Vec<Cell>>> {
    let list = cols
        .iter()
        .map(|col| {
            let n = format!("\"{}\"", col.name);
            match col.kind {
                Kind::Text => format!("{n}::text"),
                Kind::Int => format!("{n}::bigint"),
                Kind::Real => format!("{n}::float8"),
                Kind::Bool => format!("{n}::int::bigint"),
                Kind::Timestamp => format!("to_char({n}, 'YYYY-MM-DD HH24:MI:SS.US')"),
                Kind::Date => format!("to_char({n}, 'YYYY-MM-DD')"),
                Kind::Bytes => n,
                Kind::Geom => format!("ST_AsBinary({n})"),
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    let (filter, params): (&str, Vec<&(dyn ToSql + Sync)>) = match (t.owner, t.name) {
        (Owner::Shared, _) => ("", vec![]),
        (_, "district") => (" WHERE code = $1::text", vec![&district]),
        _ => (" WHERE district = $1::text", vec![&district]),
    };
    let sql = format!("SELECT {list} FROM {}{filter}", t.name);
    let rows = q(c.query(&sql, &params), || {
        format!("reading {} of district {district}", t.name)
    })?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let mut row = Vec::with_capacity(cols.len());
        for (i, col) in cols.iter().enumerate() {
            row.push(
                match col.kind {
                    Kind::Int | Kind::Bool => r.get::<_, Option<i64>>(i).map(Cell::Int),
                    Kind::Real => r.get::<_, Option<f64>>(i).map(Cell::Real),
                    Kind::Text | Kind::Timestamp | Kind::Date => {
                        r.get::<_, Option<String>>(i).map(Cell::Text)
                    }
                    Kind::Bytes | Kind::Geom => r.get::<_, Option<Vec<u8>>>(i).map(Cell::Bytes),
                }
                .unwrap_or(Cell::Null),
            );
        }
        out.push(row);
    }
    Ok(out)
}

/// A station's value as the parameter of a column of `kind`.
pub(crate) fn param(
    cell: &Cell,
    kind: Kind,
    place: &dyn Fn() -> String,
) -> Result<Box<dyn ToSql + Sync>> {
    let refuse = |why: &str| Error::Corrupt {
        what: "value",
        key: place(),
        reason: why.to_string(),
    };
    Ok(match kind {
        Kind::Int | Kind::Bool => Box::new(match cell {
            Cell::Null => None,
            Cell::Int(v) => Some(*v),
            Cell::Real(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => Some(*x as i64),
            Cell::Text(t) => Some(
                t.trim()
                    .parse::<i64>()
                    .map_err(|_| refuse("not an integer"))?,
            ),
            _ => return Err(refuse("not an integer")),
        }),
        Kind::Real => Box::new(match cell {
            Cell::Null => None,
            Cell::Int(v) => Some(*v as f64),
            Cell::Real(x) => Some(*x),
            Cell::Text(t) => Some(
                t.trim()
                    .parse::<f64>()
                    .map_err(|_| refuse("not a number"))?,
            ),
            Cell::Bytes(_) => return Err(refuse("not a number")),
        }),
        Kind::Text | Kind::Timestamp | Kind::Date => Box::new(match cell {
            Cell::Null => None,
            Cell::Int(v) => Some(v.to_string()),
            Cell::Real(x) => Some(format!("{x:?}")),
            Cell::Text(t) => Some(t.clone()),
            Cell::Bytes(_) => return Err(refuse("bytes where text is kept")),
        }),
        Kind::Bytes | Kind::Geom => Box::new(match cell {
            Cell::Null => None,
            Cell::Bytes(b) => Some(b.clone()),
            _ => return Err(refuse("not bytes")),
        }),
    })
}

/// `$i` cast to the type of a column of `kind`, as a station's value is written.
pub(crate) fn cast(kind: Kind, i: usize) -> String {
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

/// The `(…)` of one row in an `INSERT … VALUES`: the district (`$1`) when the table is
/// keyed by it, then each column's parameter from `$at` on, cast to the column's type.
fn row_values(cols: &[Column], keyed: bool, at: usize) -> String {
    let mut values = Vec::with_capacity(cols.len() + 1);
    if keyed {
        values.push("$1::text".to_string());
    }
    values.extend(
        cols.iter()
            .enumerate()
            .map(|(k, col)| cast(col.kind, at + k)),
    );
    format!("({})", values.join(", "))
}

/// Writes rows of a district's table as a station holds them (its numbers kept): in blocks
/// of up to 500 rows a statement (one statement a row costs a round trip a row), the
/// district the first parameter of each. What `load` copies and what a sync batch inserts
/// both go through here. The numbering of the sealed audit tables is the caller's (switched
/// off for a load, granted to keep given numbers for a sync); identity sequences are moved
/// past the numbers written afterwards ([`move_sequences`]).
pub(crate) fn insert_rows(
    c: &mut impl GenericClient,
    d: &str,
    t: &TableSpec,
    cols: &[Column],
    rows: &[Vec<Cell>],
) -> Result<()> {
    let keyed = t.owner == Owner::District && t.name != "district";
    let mut targets = Vec::new();
    if keyed {
        targets.push("district".to_string());
    }
    targets.extend(cols.iter().map(|c| format!("\"{}\"", c.name)));
    let first = usize::from(keyed) + 1;
    let per = (20_000 / cols.len().max(1)).clamp(1, 500);
    let mut prepared: Option<(usize, postgres::Statement)> = None;
    for (b, block) in rows.chunks(per).enumerate() {
        let from = b * per + 1;
        let st = match &prepared {
            Some((n, st)) if *n == block.len() => st.clone(),
            _ => {
                let sql = format!(
                    "INSERT INTO {} ({}) VALUES {}",
                    t.name,
                    targets.join(", "),
                    (0..block.len())
                        .map(|r| row_values(cols, keyed, first + r * cols.len()))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                let st = q(c.prepare(&sql), || {
                    format!("preparing the writing of {}", t.name)
                })?;
                prepared = Some((block.len(), st.clone()));
                st
            }
        };
        let mut ps: Vec<Box<dyn ToSql + Sync>> = Vec::with_capacity(block.len() * cols.len() + 1);
        if keyed {
            ps.push(Box::new(d.to_string()));
        }
        for (k, row) in block.iter().enumerate() {
            let n = from + k;
            if row.len() != cols.len() {
                return Err(Error::Corrupt {
                    what: "row",
                    key: format!("{} row {n}", t.name),
                    reason: format!("{} values for {} columns", row.len(), cols.len()),
                });
            }
            for (cell, col) in row.iter().zip(cols) {
                ps.push(param(cell, col.kind, &|| {
                    format!("{}.{} row {n}", t.name, col.name)
                })?);
            }
        }
        let refs: Vec<&(dyn ToSql + Sync)> = ps.iter().map(|b| b.as_ref()).collect();
        q(c.execute(&st, &refs), || {
            format!(
                "writing {} rows {from}–{} of district {d}",
                t.name,
                from + block.len() - 1
            )
        })?;
    }
    Ok(())
}

/// Moves every identity sequence of `t` past the numbers its rows hold, by the owner's
/// function of migration 10 (a station's role may call it; numbers only move forward, and a
/// sequence never drawn from is moved too).
pub(crate) fn move_sequences(
    c: &mut impl GenericClient,
    t: &TableSpec,
    cols: &[Column],
) -> Result<()> {
    for col in cols.iter().filter(|c| c.sequence.is_some()) {
        q(
            c.execute(
                "SELECT griddesk_sync_move_sequence($1::text, $2::text)",
                &[&t.name, &col.name],
            ),
            || {
                format!(
                    "moving the numbering of {}.{} past the numbers written",
                    t.name, col.name
                )
            },
        )?;
    }
    Ok(())
}

/// What a load copied: rows per table, in load order.
#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    pub tables: Vec<(String, u64)>,
    /// Shared tables left as the centre had them (it held rows of them already).
    pub shared_kept: Vec<String>,
}

impl CentreTx<'_> {
    /// Copies a station's whole district (every table of [`TABLES`]) into this transaction;
    /// the shared tables only where the centre has none of their rows. The district must be
    /// new to the centre. Needs the centre's owner (the numbering triggers are switched off
    /// for the copy). A failure leaves the transaction to be rolled back: nothing of the
    /// district stays.
    pub fn load_district(
        &self,
        district: &DistrictCode,
        station: &dyn DistrictRows,
    ) -> Result<LoadReport> {
        let d = district.as_str();
        let mut report = LoadReport::default();
        let mut tx = self.tx.borrow_mut();
        let c = &mut *tx;
        let held: i64 = q(
            c.query_one("SELECT count(*) FROM district WHERE code = $1::text", &[&d]),
            || format!("looking for district {d}"),
        )?
        .get(0);
        if held > 0 {
            return Err(Error::Duplicate {
                what: "district",
                key: d.to_string(),
            });
        }
        for (t, _) in NUMBERED {
            q(
                c.batch_execute(&format!("ALTER TABLE {t} DISABLE TRIGGER {t}_order")),
                || format!("switching off the numbering of {t} for the load"),
            )?;
        }
        for t in TABLES {
            let cols = columns(c, t)?;
            if t.owner == Owner::Shared {
                let n: i64 = q(
                    c.query_one(&format!("SELECT count(*) FROM {}", t.name), &[]),
                    || format!("counting {}", t.name),
                )?
                .get(0);
                if n > 0 {
                    report.shared_kept.push(t.name.to_string());
                    continue;
                }
            }
            let have = station.table_columns(t.name).map_err(|e| Error::Corrupt {
                what: "table",
                key: t.name.to_string(),
                reason: e.to_string(),
            })?;
            if let Some(extra) = have
                .iter()
                .find(|h| *h != "district" && !cols.iter().any(|c| &c.name == *h))
            {
                return Err(Error::Corrupt {
                    what: "column",
                    key: format!("{}.{extra}", t.name),
                    reason: "the centre's schema has no such column: upgrade the centre".into(),
                });
            }
            let rows =
                station
                    .table_rows(d, t.name, &names(&cols))
                    .map_err(|e| Error::Corrupt {
                        what: "table",
                        key: t.name.to_string(),
                        reason: e.to_string(),
                    })?;
            if t.name == "zone_layer" {
                q(
                    c.execute(
                        "DELETE FROM zone_layer WHERE district = $1::text AND code = 'duty'",
                        &[&d],
                    ),
                    || format!("making way for district {d}'s own duty layer"),
                )?;
            }
            insert_rows(c, d, t, &cols, &rows)?;
            move_sequences(c, t, &cols)?;
            report.tables.push((t.name.to_string(), rows.len() as u64));
        }
        for (t, _) in NUMBERED {
            q(
                c.batch_execute(&format!("ALTER TABLE {t} ENABLE TRIGGER {t}_order")),
                || format!("switching the numbering of {t} on again"),
            )?;
        }
        // The commit seals the district's audit rows in the centre's chain.
        q(
            c.execute(
                "SELECT set_config('griddesk.audit_dirty',
                    CASE WHEN coalesce(current_setting('griddesk.audit_dirty', true), '') = ''
                         THEN $1::text
                         ELSE current_setting('griddesk.audit_dirty', true) || ',' || $1::text END,
                    true)",
                &[&d],
            ),
            || format!("marking district {d}'s audit rows for sealing"),
        )?;
        drop(tx);
        self.note_district(*district);
        Ok(report)
    }
}

impl Centre {
    /// The check of a district's seal chain (`AuditStore::check_audit` on its view): after a
    /// load, the centre's own seals over the station's audit rows.
    pub fn check_district_audit(
        &self,
        district: DistrictCode,
    ) -> griddesk_core::Result<griddesk_core::audit::AuditCheck> {
        use griddesk_store::AuditStore;
        self.district(district).check_audit()
    }

    /// The columns `load` copies and `verify` compares for `table`, in the centre's order.
    pub fn table_columns(&self, table: &str) -> Result<Vec<String>> {
        let t = spec(table)?;
        self.with(|c| Ok(names(&columns(c, t)?)))
    }
}

/// The centre's rows of a district, for comparing with a station's.
impl DistrictRows for Centre {
    fn table_columns(&self, table: &str) -> griddesk_core::Result<Vec<String>> {
        Ok(Centre::table_columns(self, table)?)
    }

    fn table_rows(
        &self,
        district: &str,
        table: &str,
        columns_: &[String],
    ) -> griddesk_core::Result<Vec<Vec<Cell>>> {
        let t = spec(table)?;
        Ok(self.with(|c| {
            let all = columns(c, t)?;
            let mut cols = Vec::with_capacity(columns_.len());
            for n in columns_ {
                let col = all
                    .iter()
                    .find(|c| &c.name == n)
                    .ok_or_else(|| Error::NotFound {
                        what: "column",
                        key: format!("{table}.{n}"),
                        district: district.to_string(),
                    })?;
                cols.push(col.clone());
            }
            read_rows(c, district, t, &cols)
        })?)
    }
}
