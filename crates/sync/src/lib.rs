//! Upward sync, station → city centre (docs/centre.md, "Sync").
//!
//! * **Capture by diff against a saved base.** The station keeps, per district-owned table,
//!   the canonical text (`griddesk_store::district_rows::canonical_row`) of every row as the
//!   centre last acknowledged it: its *base*. A sync compares the station's rows now with the
//!   base: a key the base lacks is an insert, a key whose text changed an update, a key gone
//!   a delete. No trigger and no write overhead; every writer of the store is seen, and a
//!   crash loses nothing, because the base only moves after the centre's acknowledgement.
//! * **Idempotent batches.** A batch (an id the station draws, its changes, the station's
//!   schema version) is first saved at the station as *pending*, in the transaction that read
//!   the rows; then sent. The centre applies the whole batch in one transaction and records
//!   its id; a batch id it holds already is acknowledged without applying anything. After the
//!   acknowledgement the station moves its base and drops the pending batch in one
//!   transaction. A pending batch left by a crash is sent again first at the next sync.
//! * **Schema.** A batch from a station whose schema version is not the one the centre's build
//!   expects is refused, naming the version to install; nothing of it is applied.
//! * **Conflicts.** An update or delete whose row at the centre is no longer the station's
//!   base (the centre changed it since), or an insert whose key the centre holds with other
//!   values, is not applied: it is recorded as a conflict with its base, station and centre
//!   versions. The same change made on both sides is no conflict. The rest of the batch
//!   applies. A conflicted row's base stays where it was, so it is raised again until a
//!   person settles it.
//!
//! The backends implement [`Station`] (the SQLite store) and [`Centre`] / [`CentreTx`] (the
//! PostgreSQL centre); every rule is here.
#![forbid(unsafe_code)]

pub mod error;

pub use error::{Error, Result};

use griddesk_store::district_rows::{
    canonical_row, district_tables, Cell, DistrictRows, Owner, TableSpec, TABLES,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// A value as a batch carries it: a [`Cell`] that can be saved (bytes in hex).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Val {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Bytes(String),
}

impl From<&Cell> for Val {
    fn from(c: &Cell) -> Self {
        match c {
            Cell::Null => Val::Null,
            Cell::Int(v) => Val::Int(*v),
            Cell::Real(v) => Val::Real(*v),
            Cell::Text(t) => Val::Text(t.clone()),
            Cell::Bytes(b) => Val::Bytes(hex(b)),
        }
    }
}

fn hex(b: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        let _ = write!(s, "{x:02x}");
    }
    s
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|p| u8::from_str_radix(p, 16).ok()))
        .collect()
}

impl Val {
    /// The cell this value stands for.
    pub fn to_cell(&self) -> Result<Cell> {
        Ok(match self {
            Val::Null => Cell::Null,
            Val::Int(v) => Cell::Int(*v),
            Val::Real(v) => Cell::Real(*v),
            Val::Text(t) => Cell::Text(t.clone()),
            Val::Bytes(h) => Cell::Bytes(unhex(h).ok_or_else(|| Error::Corrupt {
                what: "sync batch".into(),
                reason: "not hex".into(),
            })?),
        })
    }
}

fn cells(v: &[Val]) -> Result<Vec<Cell>> {
    v.iter().map(Val::to_cell).collect()
}

/// The cells of a canonical text ([`canonical_row`]), read back: numbers as integers where
/// they are integral (`Real` otherwise), texts and times as texts, bytes as bytes. What a
/// delete names its row by (the base keeps only the text).
pub fn parse_canonical(s: &str) -> Result<Vec<Cell>> {
    let bad = |why: &str| Error::Corrupt {
        what: format!(
            "canonical text `{}`",
            s.chars().take(60).collect::<String>()
        ),
        reason: why.to_string(),
    };
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    if b.is_empty() {
        return Ok(out);
    }
    loop {
        let tag = *b.get(i).ok_or_else(|| bad("a cell is missing"))?;
        i += 1;
        let end_of_cell = |from: usize| {
            b[from..]
                .iter()
                .position(|c| *c == b'|' || *c == b'#')
                .map_or(b.len(), |p| from + p)
        };
        match tag {
            b'~' => out.push(Cell::Null),
            b'n' => {
                let e = end_of_cell(i);
                let t = &s[i..e];
                out.push(match t.parse::<i64>() {
                    Ok(v) => Cell::Int(v),
                    Err(_) => Cell::Real(t.parse::<f64>().map_err(|_| bad("not a number"))?),
                });
                i = e;
            }
            b'b' => {
                let e = end_of_cell(i);
                out.push(Cell::Bytes(unhex(&s[i..e]).ok_or_else(|| bad("not hex"))?));
                i = e;
            }
            b't' => {
                let colon = b[i..]
                    .iter()
                    .position(|c| *c == b':')
                    .map(|p| i + p)
                    .ok_or_else(|| bad("a text without its length"))?;
                let len: usize = s[i..colon].parse().map_err(|_| bad("a bad text length"))?;
                let from = colon + 1;
                let text = s
                    .get(from..from + len)
                    .ok_or_else(|| bad("a text shorter than its length"))?;
                out.push(Cell::Text(text.to_string()));
                i = from + len;
            }
            _ => return Err(bad("an unknown tag")),
        }
        match b.get(i) {
            None | Some(b'#') => return Ok(out),
            Some(b'|') => i += 1,
            Some(_) => return Err(bad("text after a cell")),
        }
    }
}

/// One change of a batch, named by the row's key (the canonical text of its key cells).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum Change {
    Insert {
        key: String,
        row: Vec<Val>,
    },
    Update {
        key: String,
        base: String,
        row: Vec<Val>,
    },
    Delete {
        key: String,
        base: String,
    },
}

impl Change {
    pub fn key(&self) -> &str {
        match self {
            Change::Insert { key, .. }
            | Change::Update { key, .. }
            | Change::Delete { key, .. } => key,
        }
    }
}

/// A table's changes in a batch. `key` names the key columns (the station's primary key);
/// empty when the table has none: its rows are then matched whole (a key is the row's text,
/// with `#n` for its n-th copy).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableChanges {
    pub table: String,
    pub columns: Vec<String>,
    pub key: Vec<String>,
    pub changes: Vec<Change>,
}

/// What a station sends up at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Batch {
    pub id: String,
    pub district: String,
    pub schema_version: i64,
    pub tables: Vec<TableChanges>,
}

impl Batch {
    pub fn is_empty(&self) -> bool {
        self.tables.iter().all(|t| t.changes.is_empty())
    }

    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| Error::Corrupt {
            what: format!("batch {}", self.id),
            reason: e.to_string(),
        })
    }

    pub fn from_json(s: &str) -> Result<Self> {
        serde_json::from_str(s).map_err(|e| Error::Corrupt {
            what: "sync batch".into(),
            reason: e.to_string(),
        })
    }
}

/// A row changed on both sides since the station's base: not applied, kept for a person.
/// Each version is a canonical text; `None` where the row is not there (inserted, deleted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    pub table: String,
    pub key: String,
    pub base: Option<String>,
    pub station: Option<String>,
    pub centre: Option<String>,
}

/// What the centre wrote of one table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableCount {
    pub inserted: u64,
    pub updated: u64,
    pub deleted: u64,
    /// The same change was already there at the centre: nothing to write.
    pub same: u64,
    pub conflicts: u64,
    /// Changed on both sides in different columns: both sides' changes kept in one row.
    #[serde(default)]
    pub merged: u64,
    /// The change a person already settled as a conflict: not applied, not raised again.
    #[serde(default)]
    pub settled: u64,
}

/// The centre's answer to a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub batch: String,
    /// The batch id was recorded already: nothing was applied this time.
    pub already: bool,
    pub tables: BTreeMap<String, TableCount>,
    pub conflicts: Vec<Conflict>,
    /// The changes (table, key) whose conflict a person had settled: the station's base of
    /// them stays, so the settled row comes down and replaces the station's.
    #[serde(default)]
    pub settled: Vec<(String, String)>,
}

/// A conflict a person settled: the station's change it was about (its version, `None`
/// for a delete) is not applied or raised again; the chosen row comes down instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    pub table: String,
    pub key: String,
    pub station: Option<String>,
}

/// The centre's generation counters (docs/centre.md, "Sync"): bumped by every transaction
/// that changes a row of the district (`district`) or of the city's shared tables (`city`),
/// whoever writes, and per table (`tables`: a district-owned table's counter of the
/// district, a shared table's of the city). A station keeps the counters its last download
/// read: equal counters mean nothing came to the centre since; a table whose counter is
/// unchanged is not read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Marks {
    pub district: i64,
    pub city: i64,
    #[serde(default)]
    pub tables: BTreeMap<String, i64>,
}

/// What one download brought to the station.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Received {
    /// Per table: rows inserted, updated and deleted at the station, rows already equal
    /// (`same`), rows left as the station has them because it changed them too (`conflicts`).
    pub tables: BTreeMap<String, TableCount>,
    /// Rows the station changed since its base that the centre changed too: not
    /// overwritten. The station's change goes up at the next sync and meets the centre's
    /// version there (a conflict recorded, or merged).
    pub conflicts: Vec<Conflict>,
    /// Nothing had changed at the centre since the last download (no row read).
    pub unchanged: bool,
    /// The counters this download brought the station up to.
    pub marks: Marks,
}

impl Received {
    /// Rows written at the station.
    pub fn written(&self) -> u64 {
        self.tables
            .values()
            .map(|c| c.inserted + c.updated + c.deleted)
            .sum()
    }
}

/// The rows of one table that the centre is to write, decided by [`apply_batch`]: inserts and
/// updates as whole rows in `columns` order, deletes by their key cells (the whole row when
/// the table has no key).
#[derive(Debug, Clone, Default)]
pub struct Writes {
    pub table: String,
    pub columns: Vec<String>,
    pub key: Vec<String>,
    pub inserts: Vec<Vec<Cell>>,
    pub updates: Vec<Vec<Cell>>,
    pub deletes: Vec<Vec<Cell>>,
}

/// The station's side of a sync: its rows (`DistrictRows`) and its sync state. Every method is
/// one transaction of its own unless run inside [`Station::consistent`].
pub trait Station: DistrictRows {
    /// The key columns of `table` (its primary key), empty when it has none.
    fn table_key(&self, table: &str) -> griddesk_core::Result<Vec<String>>;
    /// The station's schema version.
    fn schema_version(&self) -> griddesk_core::Result<i64>;
    /// The district whose base the station keeps; `None` before the first base.
    fn base_district(&self) -> griddesk_core::Result<Option<String>>;
    /// The base rows of `table`: (key, canonical text).
    fn base_rows(&self, table: &str) -> griddesk_core::Result<Vec<(String, String)>>;
    /// Replaces the whole base (every table) with `rows` (table, key, text), for `district`.
    fn replace_base(
        &self,
        district: &str,
        rows: &[(String, String, String)],
    ) -> griddesk_core::Result<()>;
    /// The batch saved as pending (its JSON), if any.
    fn pending_batch(&self) -> griddesk_core::Result<Option<String>>;
    /// Saves a batch as pending (at most one is).
    fn save_pending(&self, id: &str, schema_version: i64, body: &str) -> griddesk_core::Result<()>;
    /// In one transaction: moves the base (table, key, new text or `None` to drop it) and
    /// drops the pending batch `id`.
    fn acknowledge(&self, id: &str, moves: &[BaseMove]) -> griddesk_core::Result<()>;
    /// Runs `f` in one transaction: every read sees the same state, and what `f` writes is
    /// committed only when it returns `Ok`.
    fn consistent(
        &self,
        f: &mut dyn FnMut() -> griddesk_core::Result<()>,
    ) -> griddesk_core::Result<()>;
    /// The centre's counters the station's last download read (`None` before the first).
    fn download_marks(&self) -> griddesk_core::Result<Option<Marks>>;
    /// Keeps the counters a download read (inside the download's transaction).
    fn set_download_marks(&self, marks: Marks) -> griddesk_core::Result<()>;
    /// Writes one table's downloaded rows into the station's table: deletes (by key, the
    /// whole row when the table has no key), then updates, then inserts. Foreign keys are
    /// checked when the enclosing transaction commits.
    fn write_rows(&self, w: &Writes) -> griddesk_core::Result<()>;
    /// Moves base rows (table, key, new text or `None` to drop it), nothing else.
    fn move_base(&self, moves: &[BaseMove]) -> griddesk_core::Result<()>;
    /// A note the station keeps about its syncs (`columns`, `last_sync_at`, …).
    fn sync_note(&self, name: &str) -> griddesk_core::Result<Option<String>>;
    /// Keeps a note about the station's syncs.
    fn set_sync_note(&self, name: &str, value: &str) -> griddesk_core::Result<()>;
}

/// The station's note of the centre's columns per table, as its last download read them
/// (JSON): what [`waiting`] diffs with while the centre is out of reach.
pub const COLUMNS_NOTE: &str = "columns";

/// What waits to go up, per table (inserts, updates, deletes), diffed against the base with
/// the centre's columns as the last download noted them; `None` before the first download.
/// Reads the station's rows in one transaction and changes nothing.
pub fn waiting(station: &dyn Station) -> Result<Option<BTreeMap<String, TableCount>>> {
    let Some(district) = station.base_district()? else {
        return Ok(None);
    };
    let Some(note) = station.sync_note(COLUMNS_NOTE)? else {
        return Ok(None);
    };
    let cols: BTreeMap<String, Vec<String>> =
        serde_json::from_str(&note).map_err(|e| Error::Corrupt {
            what: "column".into(),
            reason: e.to_string(),
        })?;
    let columns = |t: &str| -> griddesk_core::Result<Vec<String>> {
        cols.get(t).cloned().ok_or_else(|| {
            griddesk_core::Error::Internal(format!("no column note for table {t}: sync once"))
        })
    };
    let mut out = BTreeMap::new();
    let mut fail: Option<Error> = None;
    station
        .consistent(&mut || {
            let b = match diff(station, &district, &columns, "waiting") {
                Ok(b) => b,
                Err(Error::Store(e)) => return Err(e),
                Err(e) => {
                    let text = e.to_string();
                    fail = Some(e);
                    return Err(griddesk_core::Error::Internal(text));
                }
            };
            out.clear();
            for t in b.tables {
                let n: &mut TableCount = out.entry(t.table).or_default();
                for c in &t.changes {
                    match c {
                        Change::Insert { .. } => n.inserted += 1,
                        Change::Update { .. } => n.updated += 1,
                        Change::Delete { .. } => n.deleted += 1,
                    }
                }
            }
            Ok(())
        })
        .map_err(|e| fail.take().unwrap_or(Error::Store(e)))?;
    Ok(Some(out))
}

/// One base row moved by an acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseMove {
    pub table: String,
    pub key: String,
    pub row: Option<String>,
}

/// The centre's side: the district's rows as it holds them (`DistrictRows`, also the columns
/// every row is read with), and its transactions.
pub trait Centre: DistrictRows {
    /// The station schema version this centre's build expects of a batch.
    fn station_schema_version(&self) -> i64;
    /// Runs `f` in one transaction: committed when it returns `Ok`, rolled back otherwise.
    fn in_transaction(
        &self,
        f: &mut dyn FnMut(&dyn CentreTx) -> griddesk_core::Result<()>,
    ) -> griddesk_core::Result<()>;
    /// Runs `f` in one read-only transaction whose every read sees the same snapshot (the
    /// counters and the rows of one download agree).
    fn in_snapshot(
        &self,
        f: &mut dyn FnMut(&dyn CentreTx) -> griddesk_core::Result<()>,
    ) -> griddesk_core::Result<()>;
}

/// One transaction at the centre, in which a batch is checked and applied.
pub trait CentreTx {
    /// The outcome (JSON) batch `id` of `district` was recorded with, if it was.
    fn recorded(&self, district: &str, id: &str) -> griddesk_core::Result<Option<String>>;
    /// Locks every row `table` holds of `district` against other writers until this
    /// transaction ends: what is read next is what the batch's updates and deletes meet.
    fn lock(&self, district: &str, table: &str) -> griddesk_core::Result<()>;
    /// Every row of `table` of `district` with `columns`, as [`DistrictRows::table_rows`],
    /// inside this transaction.
    fn rows(
        &self,
        district: &str,
        table: &str,
        columns: &[String],
    ) -> griddesk_core::Result<Vec<Vec<Cell>>>;
    /// Writes one table's decided rows: deletes, then updates, then inserts.
    fn write(&self, district: &str, w: &Writes) -> griddesk_core::Result<()>;
    /// Records a conflict raised by batch `id`, unless the same conflict (table, key and all
    /// three versions) is recorded already.
    fn record_conflict(&self, district: &str, id: &str, c: &Conflict) -> griddesk_core::Result<()>;
    /// The conflicts of `district` a person has settled, with the station's version each was
    /// about.
    fn settled(&self, district: &str) -> griddesk_core::Result<Vec<Settled>>;
    /// The generation counters of `district` and of the city's shared rows.
    fn generations(&self, district: &str) -> griddesk_core::Result<Marks>;
    /// Records batch `id` as applied, with its outcome (JSON).
    fn record_batch(
        &self,
        district: &str,
        id: &str,
        schema_version: i64,
        outcome: &str,
    ) -> griddesk_core::Result<()>;
}

/// Rows with their keys: (key, canonical text, cells). `pos` are the key columns' positions;
/// empty: the key is the whole row's text, `#n` added for its n-th copy (n ≥ 2).
fn keyed(rows: Vec<Vec<Cell>>, pos: &[usize]) -> Vec<(String, String, Vec<Cell>)> {
    let mut seen: HashMap<String, u32> = HashMap::new();
    rows.into_iter()
        .map(|r| {
            let text = canonical_row(&r);
            let key = if pos.is_empty() {
                let n = seen.entry(text.clone()).or_insert(0);
                *n += 1;
                if *n == 1 {
                    text.clone()
                } else {
                    format!("{text}#{n}")
                }
            } else {
                let k: Vec<Cell> = pos.iter().map(|&p| r[p].clone()).collect();
                canonical_row(&k)
            };
            (key, text, r)
        })
        .collect()
}

/// The positions of the key columns in `columns`.
fn key_positions(table: &str, columns: &[String], key: &[String]) -> Result<Vec<usize>> {
    key.iter()
        .map(|k| {
            columns
                .iter()
                .position(|c| c == k)
                .ok_or_else(|| Error::KeyColumn {
                    table: table.to_string(),
                    column: k.clone(),
                })
        })
        .collect()
}

/// The columns of a district-owned table the rows are read with (the centre's).
pub type Columns<'a> = &'a dyn Fn(&str) -> griddesk_core::Result<Vec<String>>;

/// `cols` (the centre's columns of `table`), refused when the station's table has a column
/// beyond them (other than a `district` column, which the centre keeps as its key): its
/// values would never go up.
fn columns_for(station: &dyn Station, table: &str, columns: Columns<'_>) -> Result<Vec<String>> {
    let cols = columns(table)?;
    if let Some(extra) = station
        .table_columns(table)?
        .into_iter()
        .find(|c| c != "district" && !cols.contains(c))
    {
        return Err(Error::CentreLacksColumn {
            table: table.to_string(),
            column: extra,
        });
    }
    Ok(cols)
}

/// Sets the station's base to the rows `source` holds of `district` (after `centre load`:
/// the station's own rows, which the centre now holds; at a first sync without a base: the
/// centre's rows). Returns the number of base rows.
pub fn set_base(
    station: &dyn Station,
    source: &dyn DistrictRows,
    district: &str,
    columns: Columns<'_>,
) -> Result<u64> {
    let mut rows = Vec::new();
    let mut noted = BTreeMap::new();
    for t in district_tables() {
        let cols = columns_for(station, t.name, columns)?;
        let key = station.table_key(t.name)?;
        let pos = key_positions(t.name, &cols, &key)?;
        for (k, text, _) in keyed(source.table_rows(district, t.name, &cols)?, &pos) {
            rows.push((t.name.to_string(), k, text));
        }
        noted.insert(t.name, cols);
    }
    station.replace_base(district, &rows)?;
    // The columns the base was taken with, so that what waits to go up can be counted offline
    // before the first download (which notes them again, with the shared tables').
    let note = serde_json::to_string(&noted).map_err(|e| Error::Corrupt {
        what: "column".into(),
        reason: e.to_string(),
    })?;
    station.set_sync_note(COLUMNS_NOTE, &note)?;
    Ok(rows.len() as u64)
}

/// The station's changes since its base, as a batch with id `id` (not saved).
pub fn diff(
    station: &dyn Station,
    district: &str,
    columns: Columns<'_>,
    id: &str,
) -> Result<Batch> {
    let mut tables = Vec::new();
    for t in district_tables() {
        let cols = columns_for(station, t.name, columns)?;
        let key = station.table_key(t.name)?;
        let pos = key_positions(t.name, &cols, &key)?;
        let mut base: HashMap<String, String> = station.base_rows(t.name)?.into_iter().collect();
        let mut changes = Vec::new();
        for (k, text, row) in keyed(station.table_rows(district, t.name, &cols)?, &pos) {
            match base.remove(&k) {
                None => changes.push(Change::Insert {
                    key: k,
                    row: row.iter().map(Val::from).collect(),
                }),
                Some(b) if b != text => changes.push(Change::Update {
                    key: k,
                    base: b,
                    row: row.iter().map(Val::from).collect(),
                }),
                Some(_) => {}
            }
        }
        let mut gone: Vec<(String, String)> = base.into_iter().collect();
        gone.sort();
        changes.extend(
            gone.into_iter()
                .map(|(key, base)| Change::Delete { key, base }),
        );
        if !changes.is_empty() {
            tables.push(TableChanges {
                table: t.name.to_string(),
                columns: cols,
                key,
                changes,
            });
        }
    }
    Ok(Batch {
        id: id.to_string(),
        district: district.to_string(),
        schema_version: station.schema_version()?,
        tables,
    })
}

/// The field-level merge of a row changed on both sides since `base` (docs/centre.md,
/// "Sync"): column by column, a value the station left as in the base takes the centre's, a
/// value the centre left (or changed the same way) takes the station's. `None` when one
/// column was changed differently on both sides: a conflict.
pub fn merge(base: &[Cell], station: &[Cell], centre: &[Cell]) -> Option<Vec<Cell>> {
    if base.len() != station.len() || centre.len() != station.len() {
        return None;
    }
    let text = |c: &Cell| canonical_row(std::slice::from_ref(c));
    base.iter()
        .zip(station)
        .zip(centre)
        .map(|((b, s), c)| {
            let (b, st, ct) = (text(b), text(s), text(c));
            if st == b {
                Some(c.clone())
            } else if ct == b || ct == st {
                Some(s.clone())
            } else {
                None
            }
        })
        .collect()
}

/// Applies a batch at the centre (the centre's side of a sync): refused when its schema
/// version is not the one the centre expects; acknowledged without applying anything when its
/// id is recorded; else, in one transaction, every change whose row at the centre is still
/// the station's base is written, every other one is recorded as a conflict (unless the
/// centre already holds the station's new version), and the batch id is recorded.
pub fn apply_batch(centre: &dyn Centre, batch: &Batch) -> Result<Outcome> {
    let expected = centre.station_schema_version();
    if batch.schema_version != expected {
        return Err(Error::SchemaRefused {
            batch: batch.id.clone(),
            station: batch.schema_version,
            expected,
        });
    }
    // Decode every value before the transaction: a batch that cannot be read applies nothing.
    let mut decoded = Vec::with_capacity(batch.tables.len());
    for t in &batch.tables {
        let pos = key_positions(&t.table, &t.columns, &t.key)?;
        let mut rows = Vec::with_capacity(t.changes.len());
        for c in &t.changes {
            rows.push(match c {
                Change::Insert { row, .. } | Change::Update { row, .. } => {
                    let r = cells(row)?;
                    if r.len() != t.columns.len() {
                        return Err(Error::Corrupt {
                            what: format!("batch {} table {}", batch.id, t.table),
                            reason: format!("{} values for {} columns", r.len(), t.columns.len()),
                        });
                    }
                    Some(r)
                }
                Change::Delete { .. } => None,
            });
        }
        decoded.push((pos, rows));
    }
    let d = batch.district.as_str();
    let mut outcome = Outcome {
        batch: batch.id.clone(),
        already: false,
        tables: BTreeMap::new(),
        conflicts: Vec::new(),
        settled: Vec::new(),
    };
    let mut fail: Option<Error> = None;
    centre
        .in_transaction(&mut |tx| {
            outcome.tables.clear();
            outcome.conflicts.clear();
            outcome.already = false;
            if let Some(recorded) = tx.recorded(d, &batch.id)? {
                let was: Outcome = serde_json::from_str(&recorded).map_err(|e| {
                    griddesk_core::Error::Internal(format!(
                        "the recorded outcome of batch {}: {e}",
                        batch.id
                    ))
                })?;
                outcome.tables = was.tables;
                outcome.conflicts = was.conflicts;
                outcome.settled = was.settled;
                outcome.already = true;
                return Ok(());
            }
            outcome.settled.clear();
            let settled = tx.settled(d)?;
            // Deletes go child first (reverse table order), the rest parent first.
            let mut writes: Vec<Writes> = Vec::new();
            for (t, (pos, rows)) in batch.tables.iter().zip(&decoded) {
                // A centre-side edit committing between this check and the write would
                // otherwise be overwritten unseen.
                if t.changes
                    .iter()
                    .any(|c| !matches!(c, Change::Insert { .. }))
                {
                    tx.lock(d, &t.table)?;
                }
                let held: HashMap<String, (String, Vec<Cell>)> =
                    keyed(tx.rows(d, &t.table, &t.columns)?, pos)
                        .into_iter()
                        .map(|(k, text, cells)| (k, (text, cells)))
                        .collect();
                let mut w = Writes {
                    table: t.table.clone(),
                    columns: t.columns.clone(),
                    key: t.key.clone(),
                    ..Writes::default()
                };
                let count = outcome.tables.entry(t.table.clone()).or_default();
                for (c, row) in t.changes.iter().zip(rows) {
                    let station = row.as_ref().map(|r| canonical_row(r));
                    let base = match c {
                        Change::Insert { .. } => None,
                        Change::Update { base, .. } | Change::Delete { base, .. } => Some(base),
                    };
                    let held_row = held.get(c.key());
                    let centre_now = held_row.map(|(text, _)| text);
                    if centre_now == station.as_ref() {
                        // The same change on both sides (a row deleted on both, the same values).
                        count.same += 1;
                        continue;
                    }
                    if centre_now != base {
                        if settled
                            .iter()
                            .any(|s| s.table == t.table && s.key == c.key() && s.station == station)
                        {
                            // A person chose what this row is: the choice comes down instead.
                            count.settled += 1;
                            outcome.settled.push((t.table.clone(), c.key().to_string()));
                            continue;
                        }
                        if let (Change::Update { base, .. }, Some(r), Some((_, now))) =
                            (c, row, held_row)
                        {
                            if let Some(m) =
                                parse_canonical(base).ok().and_then(|b| merge(&b, r, now))
                            {
                                count.merged += 1;
                                w.updates.push(m);
                                continue;
                            }
                        }
                        count.conflicts += 1;
                        let conflict = Conflict {
                            table: t.table.clone(),
                            key: c.key().to_string(),
                            base: base.cloned(),
                            station,
                            centre: centre_now.cloned(),
                        };
                        tx.record_conflict(d, &batch.id, &conflict)?;
                        outcome.conflicts.push(conflict);
                        continue;
                    }
                    match (c, row) {
                        (Change::Insert { .. }, Some(r)) => {
                            count.inserted += 1;
                            w.inserts.push(r.clone());
                        }
                        (Change::Update { .. }, Some(r)) => {
                            count.updated += 1;
                            w.updates.push(r.clone());
                        }
                        _ => {
                            count.deleted += 1;
                            let cells = match parse_canonical(c.key()) {
                                Ok(v) => v,
                                Err(e) => {
                                    let text = e.to_string();
                                    fail = Some(e);
                                    return Err(griddesk_core::Error::Internal(text));
                                }
                            };
                            if cells.len()
                                != if pos.is_empty() {
                                    t.columns.len()
                                } else {
                                    pos.len()
                                }
                            {
                                let e = Error::Corrupt {
                                    what: format!("batch {} table {}", batch.id, t.table),
                                    reason: format!("the key {} does not name a row", c.key()),
                                };
                                let text = e.to_string();
                                fail = Some(e);
                                return Err(griddesk_core::Error::Internal(text));
                            }
                            w.deletes.push(cells);
                        }
                    }
                }
                writes.push(w);
            }
            for w in writes.iter().rev() {
                if !w.deletes.is_empty() {
                    tx.write(
                        d,
                        &Writes {
                            table: w.table.clone(),
                            columns: w.columns.clone(),
                            key: w.key.clone(),
                            deletes: w.deletes.clone(),
                            ..Writes::default()
                        },
                    )?;
                }
            }
            for w in &writes {
                if !w.inserts.is_empty() || !w.updates.is_empty() {
                    tx.write(
                        d,
                        &Writes {
                            inserts: w.inserts.clone(),
                            updates: w.updates.clone(),
                            deletes: Vec::new(),
                            ..w.clone()
                        },
                    )?;
                }
            }
            let recorded = serde_json::to_string(&outcome)
                .map_err(|e| griddesk_core::Error::Internal(e.to_string()))?;
            tx.record_batch(d, &batch.id, batch.schema_version, &recorded)
        })
        .map_err(|e| fail.take().unwrap_or(Error::Store(e)))?;
    Ok(outcome)
}

/// The base moves an acknowledged batch makes: every change but the conflicted and settled
/// ones (a merged row's base becomes what the station sent: the merged row then comes down).
fn moves(batch: &Batch, outcome: &Outcome) -> Result<Vec<BaseMove>> {
    let conflicted: std::collections::HashSet<(&str, &str)> = outcome
        .conflicts
        .iter()
        .map(|c| (c.table.as_str(), c.key.as_str()))
        .chain(
            outcome
                .settled
                .iter()
                .map(|(t, k)| (t.as_str(), k.as_str())),
        )
        .collect();
    let mut out = Vec::new();
    for t in &batch.tables {
        for c in &t.changes {
            if conflicted.contains(&(t.table.as_str(), c.key())) {
                continue;
            }
            let row = match c {
                Change::Insert { row, .. } | Change::Update { row, .. } => {
                    Some(canonical_row(&cells(row)?))
                }
                Change::Delete { .. } => None,
            };
            out.push(BaseMove {
                table: t.table.clone(),
                key: c.key().to_string(),
                row,
            });
        }
    }
    Ok(out)
}

/// What one batch did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sent {
    /// The changes per table the station sent.
    pub changes: BTreeMap<String, u64>,
    pub outcome: Outcome,
}

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub district: String,
    /// The station had no base: it was set to the centre's rows first.
    pub base_from_centre: bool,
    /// A batch left pending by an earlier sync, sent again.
    pub resent: Option<Sent>,
    /// This sync's own batch (`None`: nothing had changed).
    pub sent: Option<Sent>,
    /// What came down after the batch went up (`None`: the sync stopped before).
    #[serde(default)]
    pub received: Option<Received>,
}

/// Where a test may stop a sync, as a crash would.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The batch is saved as pending; not sent yet.
    Saved,
    /// The centre has committed the batch; the station has not moved its base yet.
    Applied,
    /// The centre's rows of a download are read; the station has not written them yet.
    Read,
}

/// One sync of `district` from `station` up to `centre`; `stop` is asked at every [`Step`]
/// and stops the sync there when it returns an error (a crash, for the tests).
pub fn sync_with(
    station: &dyn Station,
    centre: &dyn Centre,
    district: &str,
    stop: &mut dyn FnMut(Step) -> Result<()>,
) -> Result<Report> {
    let mut report = Report {
        district: district.to_string(),
        ..Report::default()
    };
    let columns = |t: &str| centre.table_columns(t);
    match station.base_district()? {
        Some(held) if held != district => {
            return Err(Error::WrongDistrict {
                held,
                asked: district.to_string(),
            })
        }
        Some(_) => {}
        None => {
            set_base(station, centre, district, &columns)?;
            report.base_from_centre = true;
        }
    }
    if let Some(body) = station.pending_batch()? {
        let batch = Batch::from_json(&body)?;
        report.resent = Some(send(station, centre, &batch, stop)?);
    }
    let id = batch_id(district);
    let mut made: Option<Batch> = None;
    let mut fail: Option<Error> = None;
    station
        .consistent(&mut || {
            let b = match diff(station, district, &columns, &id) {
                Ok(b) => b,
                Err(Error::Store(e)) => return Err(e),
                Err(e) => {
                    let text = e.to_string();
                    fail = Some(e);
                    return Err(griddesk_core::Error::Internal(text));
                }
            };
            if !b.is_empty() {
                let body = match b.to_json() {
                    Ok(s) => s,
                    Err(e) => {
                        let text = e.to_string();
                        fail = Some(e);
                        return Err(griddesk_core::Error::Internal(text));
                    }
                };
                station.save_pending(&b.id, b.schema_version, &body)?;
            }
            made = Some(b);
            Ok(())
        })
        .map_err(|e| fail.take().unwrap_or(Error::Store(e)))?;
    if let Some(batch) = made.filter(|b| !b.is_empty()) {
        stop(Step::Saved)?;
        report.sent = Some(send(station, centre, &batch, stop)?);
    }
    report.received = Some(receive(station, centre, district, stop)?);
    Ok(report)
}

/// A table the centre's snapshot gave: its columns and rows.
type FromCentre = (&'static TableSpec, Vec<String>, Vec<Vec<Cell>>);

/// A row's text under its key, and its cells.
type KeyedRows = HashMap<String, (String, Vec<Cell>)>;

/// The downward half (docs/centre.md, "Sync"): what the centre holds of `district` (and of
/// the city's shared tables) that the station's base does not, brought to the station.
///
/// The centre's generation counters tell whether anything changed there since the station's
/// last download (every writer of the centre bumps them in its own transaction); when they
/// did, the centre's rows are read in one snapshot with the counters and compared with the
/// base: a row whose centre text is not its base text changed at the centre. When the
/// station's row is still its base, the centre's row replaces it and becomes its base; when
/// the station has the centre's row already, only the base moves; when the station changed
/// it too, it is left alone (a conflict: the station's change goes up at the next sync and
/// meets the centre's version there) — unless a person settled that very change, whose
/// chosen row then replaces it. The shared tables are the city's: the station's rows are
/// made the centre's. Rows, base and counters are written in one station transaction.
pub fn receive(
    station: &dyn Station,
    centre: &dyn Centre,
    district: &str,
    stop: &mut dyn FnMut(Step) -> Result<()>,
) -> Result<Received> {
    let columns = |t: &str| centre.table_columns(t);
    let was = station.download_marks()?;
    // The columns first: the centre's connection is the snapshot's while it is open.
    let mut wanted: Vec<(&'static TableSpec, Vec<String>)> = Vec::new();
    for t in TABLES {
        wanted.push((t, columns_for(station, t.name, &columns)?));
    }
    let mut tables: Vec<FromCentre> = Vec::new();
    let mut settled: Vec<Settled> = Vec::new();
    let mut now = Marks::default();
    let mut fail: Option<Error> = None;
    centre
        .in_snapshot(&mut |tx| {
            tables.clear();
            now = tx.generations(district)?;
            settled = tx.settled(district)?;
            for (t, cols) in &wanted {
                let changed = match (t.owner, &was) {
                    (_, None) => true,
                    // Marks kept before the table counters existed name no table: then
                    // every table of a moved scope is read.
                    (Owner::Shared, Some(m)) => {
                        m.city != now.city
                            && (m.tables.is_empty()
                                || m.tables.get(t.name) != now.tables.get(t.name))
                    }
                    (Owner::District, Some(m)) => {
                        m.district != now.district
                            && (m.tables.is_empty()
                                || m.tables.get(t.name) != now.tables.get(t.name))
                    }
                };
                if !changed {
                    continue;
                }
                let rows = tx.rows(district, t.name, cols)?;
                tables.push((t, cols.clone(), rows));
            }
            Ok(())
        })
        .map_err(|e| fail.take().unwrap_or(Error::Store(e)))?;
    let mut got = Received {
        unchanged: tables.is_empty(),
        marks: now.clone(),
        ..Received::default()
    };
    let column_note = serde_json::to_string(
        &wanted
            .iter()
            .map(|(t, c)| (t.name, c))
            .collect::<BTreeMap<_, _>>(),
    )
    .map_err(|e| Error::Corrupt {
        what: "column".into(),
        reason: e.to_string(),
    })?;
    if tables.is_empty() {
        if was.as_ref() != Some(&now) {
            station.set_download_marks(now)?;
        }
        if station.sync_note(COLUMNS_NOTE)?.as_deref() != Some(column_note.as_str()) {
            station.set_sync_note(COLUMNS_NOTE, &column_note)?;
        }
        return Ok(got);
    }
    stop(Step::Read)?;
    station
        .consistent(&mut || {
            got.tables.clear();
            got.conflicts.clear();
            station.set_sync_note(COLUMNS_NOTE, &column_note)?;
            match down(station, district, &tables, &settled, &mut got) {
                Ok(()) => {}
                Err(Error::Store(e)) => return Err(e),
                Err(e) => {
                    let text = e.to_string();
                    fail = Some(e);
                    return Err(griddesk_core::Error::Internal(text));
                }
            }
            station.set_download_marks(now.clone())
        })
        .map_err(|e| fail.take().unwrap_or(Error::Store(e)))?;
    Ok(got)
}

/// Inside the station's transaction: decides and writes what came down, and moves the base.
fn down(
    station: &dyn Station,
    district: &str,
    tables: &[FromCentre],
    settled: &[Settled],
    got: &mut Received,
) -> Result<()> {
    let mut writes: Vec<Writes> = Vec::new();
    let mut moves: Vec<BaseMove> = Vec::new();
    for (t, cols, rows) in tables {
        let key = station.table_key(t.name)?;
        let pos = key_positions(t.name, cols, &key)?;
        let centre: KeyedRows = keyed(rows.clone(), &pos)
            .into_iter()
            .map(|(k, text, cells)| (k, (text, cells)))
            .collect();
        let here: KeyedRows = keyed(station.table_rows(district, t.name, cols)?, &pos)
            .into_iter()
            .map(|(k, text, cells)| (k, (text, cells)))
            .collect();
        let count = got.tables.entry(t.name.to_string()).or_default();
        let mut w = Writes {
            table: t.name.to_string(),
            columns: cols.clone(),
            key: key.clone(),
            ..Writes::default()
        };
        // The key cells a delete names its row by (the whole row without a key).
        let key_cells = |cells: &[Cell]| -> Vec<Cell> {
            if pos.is_empty() {
                cells.to_vec()
            } else {
                pos.iter().map(|&p| cells[p].clone()).collect()
            }
        };
        // Writes the centre's version `c` over the station's `s` (either may be absent).
        let put = |w: &mut Writes,
                   count: &mut TableCount,
                   c: Option<&(String, Vec<Cell>)>,
                   s: Option<&(String, Vec<Cell>)>| {
            match (c, s) {
                (Some((_, cells)), None) => {
                    count.inserted += 1;
                    w.inserts.push(cells.iter().map(station_cell).collect());
                }
                (Some((_, cells)), Some(_)) => {
                    count.updated += 1;
                    w.updates.push(cells.iter().map(station_cell).collect());
                }
                (None, Some((_, cells))) => {
                    count.deleted += 1;
                    w.deletes.push(key_cells(cells));
                }
                (None, None) => {}
            }
        };
        if t.owner == Owner::Shared {
            // The city's rows: the station's become the centre's.
            let mut keys: Vec<&String> = centre.keys().chain(here.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let (c, s) = (centre.get(k), here.get(k));
                if c.map(|r| &r.0) == s.map(|r| &r.0) {
                    continue;
                }
                put(&mut w, count, c, s);
            }
        } else {
            let base: HashMap<String, String> = station.base_rows(t.name)?.into_iter().collect();
            let mut keys: Vec<&String> = centre.keys().chain(base.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let (c, s) = (centre.get(k), here.get(k));
                let (ct, st, bt) = (c.map(|r| &r.0), s.map(|r| &r.0), base.get(k));
                if ct == bt {
                    continue;
                }
                let chosen = || {
                    settled
                        .iter()
                        .any(|x| x.table == t.name && &x.key == k && x.station.as_ref() == st)
                };
                if st == ct {
                    count.same += 1;
                } else if st == bt || chosen() {
                    put(&mut w, count, c, s);
                } else {
                    count.conflicts += 1;
                    got.conflicts.push(Conflict {
                        table: t.name.to_string(),
                        key: k.clone(),
                        base: bt.cloned(),
                        station: st.cloned(),
                        centre: ct.cloned(),
                    });
                    continue;
                }
                moves.push(BaseMove {
                    table: t.name.to_string(),
                    key: k.clone(),
                    row: ct.cloned(),
                });
            }
        }
        writes.push(w);
    }
    // Deletes child first (reverse table order), the rest parent first.
    for w in writes.iter().rev().filter(|w| !w.deletes.is_empty()) {
        station.write_rows(&Writes {
            inserts: Vec::new(),
            updates: Vec::new(),
            ..w.clone()
        })?;
    }
    for w in writes
        .iter()
        .filter(|w| !w.inserts.is_empty() || !w.updates.is_empty())
    {
        station.write_rows(&Writes {
            deletes: Vec::new(),
            ..w.clone()
        })?;
    }
    station.move_base(&moves)?;
    Ok(())
}

/// A centre's value as the station keeps it: a time in the station's form
/// (`YYYY-MM-DD HH:MM:SS`, a fraction of a second only when there is one), any other value
/// as it is.
pub fn station_cell(c: &Cell) -> Cell {
    if let Cell::Text(t) = c {
        let b = t.as_bytes();
        if b.len() > 19
            && b[10] == b' '
            && b[19] == b'.'
            && b[..19]
                .iter()
                .all(|x| x.is_ascii_digit() || b"-: ".contains(x))
        {
            let frac = t[20..].trim_end_matches('0');
            if t[20..].bytes().all(|x| x.is_ascii_digit()) {
                return Cell::Text(if frac.is_empty() {
                    t[..19].to_string()
                } else {
                    format!("{}.{frac}", &t[..19])
                });
            }
        }
    }
    c.clone()
}

/// One sync with no stops.
pub fn sync(station: &dyn Station, centre: &dyn Centre, district: &str) -> Result<Report> {
    sync_with(station, centre, district, &mut |_| Ok(()))
}

/// Sends a pending batch and, on the centre's answer, moves the base and drops it.
fn send(
    station: &dyn Station,
    centre: &dyn Centre,
    batch: &Batch,
    stop: &mut dyn FnMut(Step) -> Result<()>,
) -> Result<Sent> {
    let outcome = apply_batch(centre, batch)?;
    stop(Step::Applied)?;
    station.acknowledge(&batch.id, &moves(batch, &outcome)?)?;
    Ok(Sent {
        changes: batch
            .tables
            .iter()
            .map(|t| (t.table.clone(), t.changes.len() as u64))
            .collect(),
        outcome,
    })
}

/// A new batch id: the district, the time in nanoseconds and a digest of both with the
/// process id (unique per station: one station writes its district's batches).
fn batch_id(district: &str) -> String {
    use sha2::{Digest, Sha256};
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let h = Sha256::digest(format!("{district}/{nanos}/{}", std::process::id()).as_bytes());
    format!("{district}-{nanos}-{}", hex(&h[..4]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_text_reads_back() {
        let row = vec![
            Cell::Int(-3),
            Cell::Text("a|b#c:".into()),
            Cell::Null,
            Cell::Real(1.25),
            Cell::Bytes(vec![0, 255]),
            Cell::Text(String::new()),
        ];
        let text = canonical_row(&row);
        assert_eq!(parse_canonical(&text).expect("parses"), row);
        assert_eq!(
            parse_canonical(&format!("{text}#2")).expect("parses"),
            row,
            "a copy's suffix is not a cell"
        );
        assert!(parse_canonical("x1").is_err());
        assert!(parse_canonical("t9:ab").is_err());
        assert_eq!(parse_canonical("").expect("empty"), Vec::<Cell>::new());
    }

    #[test]
    fn edits_of_different_columns_merge_and_of_one_column_do_not() {
        let t = |s: &str| Cell::Text(s.into());
        let base = [Cell::Int(1), t("a"), t("b"), Cell::Null];
        // The station changed column 1, the centre column 2 and (the same way) column 3.
        let station = [Cell::Int(1), t("A"), t("b"), t("x")];
        let centre = [Cell::Int(1), t("a"), t("B"), t("x")];
        assert_eq!(
            merge(&base, &station, &centre),
            Some(vec![Cell::Int(1), t("A"), t("B"), t("x")])
        );
        // One column changed differently on both sides: a conflict.
        let centre = [Cell::Int(1), t("Z"), t("B"), t("x")];
        assert_eq!(merge(&base, &station, &centre), None);
        // Values compare canonically: 3 and 3.0, a time with or without its zero fraction.
        let base = [Cell::Int(3), t("2026-05-01 08:00:00")];
        let station = [Cell::Real(3.0), t("2026-05-01 08:00:00.000000")];
        let centre = [Cell::Int(4), t("2026-05-01 08:00:00")];
        assert_eq!(
            merge(&base, &station, &centre),
            Some(vec![Cell::Int(4), t("2026-05-01 08:00:00")])
        );
        assert_eq!(
            merge(&base, &station[..1], &centre),
            None,
            "rows of other widths"
        );
    }

    #[test]
    fn centre_times_come_down_in_the_stations_form() {
        let t = |s: &str| Cell::Text(s.into());
        assert_eq!(
            station_cell(&t("2026-05-01 08:00:00.000000")),
            t("2026-05-01 08:00:00")
        );
        assert_eq!(
            station_cell(&t("2026-05-01 08:00:00.250000")),
            t("2026-05-01 08:00:00.25")
        );
        for same in [
            "2026-05-01",
            "a text.000000 of its own",
            "2026-05-01 08:00:00",
        ] {
            assert_eq!(station_cell(&t(same)), t(same));
        }
        assert_eq!(station_cell(&Cell::Int(5)), Cell::Int(5));
    }

    #[test]
    fn rows_without_a_key_are_told_apart_by_their_copy() {
        let r = vec![Cell::Int(1)];
        let k = keyed(vec![r.clone(), r.clone(), vec![Cell::Int(2)]], &[]);
        assert_eq!(k[0].0, "n1");
        assert_eq!(k[1].0, "n1#2");
        assert_eq!(k[2].0, "n2");
        let k = keyed(vec![vec![Cell::Int(7), Cell::Text("x".into())]], &[0]);
        assert_eq!(k[0].0, "n7");
    }

    #[test]
    fn values_survive_a_save() {
        let b = Batch {
            id: "x".into(),
            district: "331003".into(),
            schema_version: 13,
            tables: vec![TableChanges {
                table: "grid".into(),
                columns: vec!["code".into(), "geom".into()],
                key: vec!["code".into()],
                changes: vec![Change::Insert {
                    key: "t1:a".into(),
                    row: vec![
                        Val::Text("a".into()),
                        Val::from(&Cell::Bytes(vec![1, 2, 3])),
                    ],
                }],
            }],
        };
        let back = Batch::from_json(&b.to_json().expect("saves")).expect("reads");
        assert_eq!(back, b);
        let Change::Insert { row, .. } = &back.tables[0].changes[0] else {
            panic!("an insert");
        };
        assert_eq!(row[1].to_cell().expect("hex"), Cell::Bytes(vec![1, 2, 3]));
    }
}
