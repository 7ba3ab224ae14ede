//! A district's rows, table by table, as both backends hold them: what `griddesk centre load`
//! copies from a station into the centre and what `griddesk centre verify` compares
//! (docs/centre.md, "Loading and verifying a district").
//!
//! Each backend only hands over rows ([`DistrictRows`]): a list of [`Cell`]s per row, in the
//! column order the caller asks for. Everything that decides whether two rows are equal is
//! here, once: the canonical text of a row ([`canonical_row`]), its digest, and the
//! order-independent checksum of a table ([`TableSum`]). Equal data gives equal checksums
//! whichever backend it was read from.

use griddesk_core::Result;
use sha2::{Digest, Sha256};

/// One value of a row, as a backend reads it. Booleans are integers (0/1), times are text
/// (`YYYY-MM-DD HH:MM:SS[.ffffff]`, a `T` allowed), geometry is WKB.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Bytes(Vec<u8>),
}

/// Where a table's rows belong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// Rows of one district: copied by `load`, compared by `verify`.
    District,
    /// The city's own rows (no district): copied by `load` only into a centre that has none.
    Shared,
}

/// A table of a station's store that the centre keeps, in the order `load` writes them (a
/// table after every table it refers to).
#[derive(Debug, Clone, Copy)]
pub struct TableSpec {
    pub name: &'static str,
    pub owner: Owner,
}

const fn d(name: &'static str) -> TableSpec {
    TableSpec {
        name,
        owner: Owner::District,
    }
}

const fn s(name: &'static str) -> TableSpec {
    TableSpec {
        name,
        owner: Owner::Shared,
    }
}

/// Every table of a station's store that the centre keeps, in load order (with
/// [`STATION_LOCAL`], every table the station's schema has: store-sqlite's test checks it).
/// `district` itself is a district's row keyed by its code.
pub const TABLES: &[TableSpec] = &[
    s("code_class"),
    s("calendar_day"),
    s("filing_condition"),
    s("time_limit"),
    s("industry_subclass"),
    d("district"),
    d("meta"),
    d("street"),
    d("community"),
    d("grid"),
    d("org_unit"),
    d("duty_grid"),
    d("duty_grid_member"),
    d("component"),
    d("cases"),
    d("department"),
    d("app_user"),
    d("user_role"),
    d("routing_rule"),
    d("case_flow"),
    d("case_stage"),
    d("case_hang"),
    d("case_audit"),
    d("case_photo"),
    d("component_history"),
    d("person"),
    d("zone_layer"),
    d("zone"),
    d("zone_member"),
    d("zone_person"),
    d("road_line"),
    d("plan_setting"),
    d("plan_edit"),
    d("plan_event"),
    d("plan_row"),
    d("plan_lineage"),
    d("sign_in_log"),
    d("audit_log"),
    d("service_object"),
    d("service_object_history"),
    d("register_photo"),
    d("notice"),
    d("notice_delivery"),
    d("move_car"),
    d("vendor"),
    d("vendor_warning"),
    d("vending_zone"),
    d("vending_admission"),
    d("register_setting"),
    d("person_lookup"),
    d("basemap"),
    d("basemap_place"),
    d("station_key"),
    d("station_report"),
    d("station_phone_action"),
    d("track_point"),
];

/// Tables of a station's store that stay at the station, with the reason.
pub const STATION_LOCAL: &[(&str, &str)] = &[
    (
        "audit_seal",
        "each side seals its audit rows in a chain of its own (the centre's hash names the \
         district); the centre seals a loaded district's audit rows in its chain as it commits",
    ),
    (
        "sync_base",
        "the station's rows as the centre last acknowledged them: what a sync diffs against",
    ),
    (
        "sync_state",
        "which district the station's sync base belongs to",
    ),
    (
        "sync_pending",
        "the batch saved before it is sent, sent again after a crash until acknowledged",
    ),
];

/// The district-owned tables (what `verify` compares).
pub fn district_tables() -> impl Iterator<Item = &'static TableSpec> {
    TABLES.iter().filter(|t| t.owner == Owner::District)
}

/// The rows of one district, read from a backend.
pub trait DistrictRows {
    /// The columns of `table` this backend holds, in its own order (without a centre's
    /// `district` key and its generated columns).
    fn table_columns(&self, table: &str) -> Result<Vec<String>>;
    /// Every row of `table` for `district` (for a shared table, every row), each with the
    /// values of `columns` in that order, in the order the rows were written.
    fn table_rows(&self, district: &str, table: &str, columns: &[String])
        -> Result<Vec<Vec<Cell>>>;
}

/// The canonical text of a value: a tag and the value, numbers as the shortest text that
/// reads back to the same number (an integral real as an integer), times with a space between
/// date and time and no trailing zero of a fraction of a second, bytes in hex. Texts carry
/// their length, so no text can imitate another cell.
pub fn canonical_cell(c: &Cell, out: &mut String) {
    use std::fmt::Write;
    match c {
        Cell::Null => out.push('~'),
        Cell::Int(i) => {
            let _ = write!(out, "n{i}");
        }
        Cell::Real(x) => {
            if x.fract() == 0.0 && x.abs() < 9.0e15 {
                // An integral value, whichever backend typed it.
                let _ = write!(out, "n{}", *x as i64);
            } else {
                let _ = write!(out, "n{x:?}");
            }
        }
        Cell::Text(t) => {
            let t = canonical_time(t).unwrap_or_else(|| t.clone());
            let _ = write!(out, "t{}:{t}", t.len());
        }
        Cell::Bytes(b) => {
            out.push('b');
            for x in b {
                let _ = write!(out, "{x:02x}");
            }
        }
    }
}

/// `YYYY-MM-DD[ T]HH:MM:SS[.f…]` as `YYYY-MM-DD HH:MM:SS[.f]` (trailing zeros of the fraction
/// dropped); any other text is not a time (`None`).
fn canonical_time(t: &str) -> Option<String> {
    let b = t.as_bytes();
    if b.len() < 19 {
        return None;
    }
    let digit = |i: usize| b[i].is_ascii_digit();
    let shape = (0..4).all(digit)
        && b[4] == b'-'
        && digit(5)
        && digit(6)
        && b[7] == b'-'
        && digit(8)
        && digit(9)
        && (b[10] == b' ' || b[10] == b'T')
        && digit(11)
        && digit(12)
        && b[13] == b':'
        && digit(14)
        && digit(15)
        && b[16] == b':'
        && digit(17)
        && digit(18);
    if !shape {
        return None;
    }
    let rest = &t[19..];
    let frac = match rest.strip_prefix('.') {
        Some(f) if !f.is_empty() && f.bytes().all(|c| c.is_ascii_digit()) => {
            f.trim_end_matches('0')
        }
        None if rest.is_empty() => "",
        _ => return None,
    };
    let mut s = format!("{} {}", &t[..10], &t[11..19]);
    if !frac.is_empty() {
        s.push('.');
        s.push_str(frac);
    }
    Some(s)
}

/// The canonical text of a row: its cells' canonical texts joined by `|`.
pub fn canonical_row(row: &[Cell]) -> String {
    let mut out = String::new();
    for (i, c) in row.iter().enumerate() {
        if i > 0 {
            out.push('|');
        }
        canonical_cell(c, &mut out);
    }
    out
}

/// A table's row count and checksum: the sum (modulo 2^128) of the first 16 bytes of each
/// row's SHA-256 over its canonical text, so the order rows are read in does not matter and
/// a row present twice counts twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSum {
    pub table: String,
    pub rows: u64,
    pub sum: u128,
}

impl TableSum {
    pub fn new(table: &str) -> Self {
        TableSum {
            table: table.to_string(),
            rows: 0,
            sum: 0,
        }
    }

    pub fn add(&mut self, row: &[Cell]) {
        let h = Sha256::digest(canonical_row(row).as_bytes());
        let mut first = [0u8; 16];
        first.copy_from_slice(&h[..16]);
        self.sum = self.sum.wrapping_add(u128::from_be_bytes(first));
        self.rows += 1;
    }

    /// The checksum in hex (32 digits).
    pub fn hex(&self) -> String {
        format!("{:032x}", self.sum)
    }
}

/// The row count and checksum of every district-owned table of `district` in `rows`, with
/// the columns `columns` names for each table (the same lists on both sides).
pub fn district_sums(
    rows: &dyn DistrictRows,
    district: &str,
    columns: &dyn Fn(&str) -> Result<Vec<String>>,
) -> Result<Vec<TableSum>> {
    let mut out = Vec::new();
    for t in district_tables() {
        let cols = columns(t.name)?;
        let mut sum = TableSum::new(t.name);
        for r in rows.table_rows(district, t.name, &cols)? {
            sum.add(&r);
        }
        out.push(sum);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_values_read_differently_give_equal_rows() {
        let a = [
            Cell::Int(3),
            Cell::Text("2024-05-01T08:00:00".into()),
            Cell::Real(1.5),
            Cell::Null,
        ];
        let b = [
            Cell::Real(3.0),
            Cell::Text("2024-05-01 08:00:00.000000".into()),
            Cell::Real(1.5),
            Cell::Null,
        ];
        assert_eq!(canonical_row(&a), canonical_row(&b));
        assert_ne!(
            canonical_row(&[Cell::Text("a|b".into())]),
            canonical_row(&[Cell::Text("a".into()), Cell::Text("b".into())])
        );
        assert_ne!(
            canonical_row(&[Cell::Null]),
            canonical_row(&[Cell::Text(String::new())])
        );
    }

    #[test]
    fn a_checksum_ignores_order_and_sees_every_change() {
        let r1 = vec![Cell::Int(1), Cell::Text("x".into())];
        let r2 = vec![Cell::Int(2), Cell::Bytes(vec![1, 2])];
        let mut a = TableSum::new("t");
        a.add(&r1);
        a.add(&r2);
        let mut b = TableSum::new("t");
        b.add(&r2);
        b.add(&r1);
        assert_eq!(a, b);
        let mut c = TableSum::new("t");
        c.add(&r2);
        c.add(&[Cell::Int(1), Cell::Text("y".into())]);
        assert_ne!(a.sum, c.sum);
        assert_eq!(a.hex().len(), 32);
    }
}
