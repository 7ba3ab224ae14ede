//! The 同步 (sync) pane's operations (docs/centre.md, "Sync"): the station's sync status (the
//! centre it syncs with, the last sync and its outcome, what waits to go up, what came down),
//! a sync now with progress, the centre's conflicts of the district, and settling one. The
//! rules are griddesk-sync's; the engine picks the stores (the open SQLite store, the centre
//! by its connection string) and checks the role: syncing and settling are for
//! administrators (a sync sends and receives every row of the district).
//!
//! A sync run here writes through the engine's own connection, which SQLite's change counter
//! does not report to this process: after it the indexes, the desk and the registers are read
//! again (a sync run by another process, `griddesk centre sync`, is noticed as any other
//! writer).

use crate::error::{Error, Result};
use crate::users::{Role, Session};
use crate::Engine;
use griddesk_store_postgres::{Centre, Keep, Settle};
use griddesk_sync::Station as _;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The notes the station keeps in its `sync_state` beside the base.
const NOTE_CENTRE: &str = "centre";
const NOTE_AT: &str = "last_sync_at";
const NOTE_OUTCOME: &str = "last_sync_outcome";
const NOTE_RECEIVED: &str = "last_received";

/// Rows of one table: inserted, updated, deleted; for what went up or came down also the
/// rows that were the same on both sides, the conflicts, the merged rows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncTableCount {
    pub table: String,
    pub inserted: u64,
    pub updated: u64,
    pub deleted: u64,
    pub same: u64,
    pub conflicts: u64,
    pub merged: u64,
}

fn counts(m: &BTreeMap<String, griddesk_sync::TableCount>) -> Vec<SyncTableCount> {
    m.iter()
        .map(|(t, c)| SyncTableCount {
            table: t.clone(),
            inserted: c.inserted,
            updated: c.updated,
            deleted: c.deleted,
            same: c.same,
            conflicts: c.conflicts,
            merged: c.merged,
        })
        .filter(|c| c.inserted + c.updated + c.deleted + c.same + c.conflicts + c.merged > 0)
        .collect()
}

/// What the 同步 pane shows before anything is clicked.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncStatus {
    /// The centre the station last synced with (its connection string without the password).
    pub centre: Option<String>,
    /// The district whose base the station keeps (`None`: never synced nor loaded).
    pub district: Option<String>,
    /// When the last sync ended (local time), and how: `ok` or `failed`.
    pub last_sync_at: Option<String>,
    pub last_outcome: Option<String>,
    /// Why the last sync failed, as a message shown in the user's language.
    pub last_error: Option<crate::message::Message>,
    /// The batch an interrupted sync left to send again, and its number of changes.
    pub pending_batch: Option<String>,
    pub pending_changes: u64,
    /// What waits to go up per table (`None` before the first download noted the centre's
    /// columns).
    pub waiting: Option<Vec<SyncTableCount>>,
    /// What the last sync brought down, per table.
    pub last_received: Vec<SyncTableCount>,
}

/// Where a running sync is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SyncStage {
    /// Comparing the station's rows with its base.
    Diffing,
    /// The batch is saved; sending it to the centre.
    Sending,
    /// The centre applied it; reading what comes down.
    Receiving,
    /// Writing what came down into the station.
    Writing,
    Done,
}

/// A conflict as a row of a table, with its three versions column by column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncConflictView {
    pub id: i64,
    pub table: String,
    /// The row's key (its canonical text).
    pub key: String,
    pub raised_at: String,
    /// The columns, in the order of the versions' values.
    pub columns: Vec<String>,
    /// Each version's values as text (`None`: empty); `None` where that side has no row.
    pub base: Option<Vec<Option<String>>>,
    pub station: Option<Vec<Option<String>>>,
    pub centre: Option<Vec<Option<String>>>,
    /// The columns whose values differ between the station's and the centre's version.
    pub differing: Vec<String>,
    /// `None` while open; else who settled it, when, and how (`station`, `centre`, `merged`).
    pub settled_by: Option<String>,
    pub settled_at: Option<String>,
    pub choice: Option<String>,
}

/// A person's settlement of a conflict.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SettleChoice {
    /// `true`: the station's version; `false`: the centre's.
    pub keep_station: bool,
    /// Columns given other values (a merge, column by column); `None` empties one.
    pub set: Vec<(String, Option<String>)>,
}

/// What one sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncReportView {
    pub district: String,
    /// Changes sent up per table (a batch left by an interrupted sync included).
    pub sent: Vec<SyncTableCount>,
    /// Rows written at the station per table.
    pub received: Vec<SyncTableCount>,
    /// Conflicts raised at the centre by this sync's batches.
    pub conflicts: u64,
    /// Rows changed at the centre the station had changed too (left as the station has them).
    pub held_back: u64,
    /// The batch was one the centre had applied already (sent again after a crash).
    pub resent: bool,
}

impl SyncReportView {
    fn of(r: &griddesk_sync::Report) -> Self {
        let mut sent: BTreeMap<String, griddesk_sync::TableCount> = BTreeMap::new();
        let mut conflicts = 0;
        for s in [&r.resent, &r.sent].into_iter().flatten() {
            for (t, c) in &s.outcome.tables {
                let e = sent.entry(t.clone()).or_default();
                e.inserted += c.inserted;
                e.updated += c.updated;
                e.deleted += c.deleted;
                e.same += c.same;
                e.conflicts += c.conflicts;
                e.merged += c.merged;
            }
            conflicts += s.outcome.conflicts.len() as u64;
        }
        SyncReportView {
            district: r.district.clone(),
            sent: counts(&sent),
            received: r
                .received
                .as_ref()
                .map(|g| counts(&g.tables))
                .unwrap_or_default(),
            conflicts,
            held_back: r.received.as_ref().map_or(0, |g| g.conflicts.len() as u64),
            resent: r.resent.is_some(),
        }
    }
}

fn sync_error(e: griddesk_sync::Error) -> Error {
    match e {
        griddesk_sync::Error::Store(e) => e,
        other => Error::Sql(other.to_string()),
    }
}

impl Engine {
    /// The sync status of the open store (nothing is read from the centre).
    pub fn sync_status(&self) -> Result<SyncStatus> {
        let store = self.store();
        let db = store.db();
        let pending = db.pending_batch()?;
        let (pending_batch, pending_changes) = match pending {
            Some(body) => {
                let b = griddesk_sync::Batch::from_json(&body).map_err(sync_error)?;
                let n = b.tables.iter().map(|t| t.changes.len() as u64).sum();
                (Some(b.id), n)
            }
            None => (None, 0),
        };
        let waiting = griddesk_sync::waiting(&db)
            .map_err(sync_error)?
            .map(|m| counts(&m));
        let last_received = match db.sync_note(NOTE_RECEIVED)? {
            Some(j) => serde_json::from_str(&j).map_err(|e| {
                Error::Internal(format!("the station's note of the last download: {e}"))
            })?,
            None => Vec::new(),
        };
        // `ok`, or the failure's message as JSON (an older note's plain text is a failure
        // without a message).
        let outcome = db.sync_note(NOTE_OUTCOME)?.map(|n| match n.as_str() {
            "ok" => ("ok", None),
            text => ("failed", serde_json::from_str(text).ok()),
        });
        Ok(SyncStatus {
            centre: db.sync_note(NOTE_CENTRE)?,
            district: db.base_district()?,
            last_sync_at: db.sync_note(NOTE_AT)?,
            last_outcome: outcome.as_ref().map(|(o, _)| o.to_string()),
            last_error: outcome.and_then(|(_, m)| m),
            pending_batch,
            pending_changes,
            waiting,
            last_received,
        })
    }

    /// Syncs the open store with the centre at `centre_url` (an administrator's task): its
    /// changes go up, the centre's come down (docs/centre.md, "Sync"); `progress` hears each
    /// stage. The outcome (`ok` or the error) and the time are noted for [`Engine::sync_status`].
    pub fn sync_now(
        &self,
        by: &Session,
        centre_url: &str,
        progress: &dyn Fn(SyncStage),
    ) -> Result<SyncReportView> {
        self.require_role(by, &[Role::Admin], crate::error::Permission::SyncWithCentre)?;
        let district = self
            .overview()
            .district_code
            .ok_or_else(|| Error::NotFound {
                what: "district",
                key: self.path().display().to_string(),
            })?;
        progress(SyncStage::Diffing);
        let store = self.store();
        if store.is_read_only() {
            return Err(Error::StoreReadOnly {
                path: self.path().to_path_buf(),
            });
        }
        let db = store.db();
        // When and how the sync ended, for the status: `ok`, or the failure's message (JSON).
        let note_end = |outcome: std::result::Result<(), &Error>| -> Result<()> {
            let at = chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string();
            db.set_sync_note(NOTE_AT, &at)?;
            let note = match outcome {
                Ok(()) => "ok".to_string(),
                Err(e) => serde_json::to_string(&e.message())
                    .map_err(|e| Error::Internal(format!("the note of a failed sync: {e}")))?,
            };
            db.set_sync_note(NOTE_OUTCOME, &note)
        };
        let centre = match Centre::open(centre_url).map_err(crate::api::city::centre_error) {
            Ok(c) => c,
            Err(e) => {
                note_end(Err(&e))?;
                return Err(e);
            }
        };
        let result = griddesk_sync::sync_with(&db, &centre, &district, &mut |s| {
            progress(match s {
                griddesk_sync::Step::Saved => SyncStage::Sending,
                griddesk_sync::Step::Applied => SyncStage::Receiving,
                griddesk_sync::Step::Read => SyncStage::Writing,
            });
            Ok(())
        });
        db.set_sync_note(NOTE_CENTRE, centre.target())?;
        let report = match result {
            Ok(r) => r,
            Err(e) => {
                let e = sync_error(e);
                note_end(Err(&e))?;
                return Err(e);
            }
        };
        note_end(Ok(()))?;
        let view = SyncReportView::of(&report);
        let received = serde_json::to_string(&view.received)
            .map_err(|e| Error::Internal(format!("the note of what came down: {e}")))?;
        db.set_sync_note(NOTE_RECEIVED, &received)?;
        drop(store);
        // This connection's own writes: read everything again.
        if report.received.as_ref().is_some_and(|g| g.written() > 0) {
            self.reload()?;
            *self.desk_slot() = None;
            *self
                .registers
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
        }
        progress(SyncStage::Done);
        Ok(view)
    }

    /// The centre's conflicts of the open store's district, open and settled, oldest first.
    pub fn sync_conflicts(&self, by: &Session, centre_url: &str) -> Result<Vec<SyncConflictView>> {
        self.require_role(by, &[Role::Admin], crate::error::Permission::SyncWithCentre)?;
        let code = self.district_code()?;
        let centre = Centre::open(centre_url).map_err(crate::api::city::centre_error)?;
        let all = centre.sync_conflicts(Some(&code))?;
        all.iter()
            .map(|c| conflict_view(&centre, c))
            .collect::<Result<Vec<_>>>()
    }

    /// Settles conflict `id` of the open store's district at the centre (an administrator's
    /// task, audited at the centre under `by`'s login); the chosen row comes down at the next
    /// sync.
    pub fn settle_conflict(
        &self,
        by: &Session,
        centre_url: &str,
        id: i64,
        choice: &SettleChoice,
    ) -> Result<SyncConflictView> {
        self.require_role(by, &[Role::Admin], crate::error::Permission::SyncWithCentre)?;
        let code = self.district_code()?;
        let centre = Centre::open(centre_url).map_err(crate::api::city::centre_error)?;
        let settled = centre.settle_conflict(
            &code,
            id,
            &Settle {
                keep: if choice.keep_station {
                    Keep::Station
                } else {
                    Keep::Centre
                },
                set: choice.set.clone(),
            },
            &by.login,
            Some(by.role),
        )?;
        conflict_view(&centre, &settled)
    }

    fn district_code(&self) -> Result<griddesk_core::code::DistrictCode> {
        let d = self
            .overview()
            .district_code
            .ok_or_else(|| Error::NotFound {
                what: "district",
                key: self.path().display().to_string(),
            })?;
        griddesk_core::code::DistrictCode::parse(&d)
    }
}

/// A canonical row text as values to show: texts as they are, numbers as written, bytes (a
/// geometry, a photo) as their length and the start of their SHA-256, so that two versions
/// that differ read differently.
fn values(text: &Option<String>) -> Result<Option<Vec<Option<String>>>> {
    Ok(cells(text)?.map(|cells| cells.iter().map(shown).collect()))
}

fn cells(text: &Option<String>) -> Result<Option<Vec<griddesk_store::district_rows::Cell>>> {
    let Some(t) = text else {
        return Ok(None);
    };
    Ok(Some(griddesk_sync::parse_canonical(t).map_err(sync_error)?))
}

fn shown(c: &griddesk_store::district_rows::Cell) -> Option<String> {
    use griddesk_store::district_rows::Cell;
    use sha2::Digest as _;
    match c {
        Cell::Null => None,
        Cell::Int(v) => Some(v.to_string()),
        Cell::Real(v) => Some(v.to_string()),
        Cell::Text(t) => Some(t.clone()),
        Cell::Bytes(b) => {
            let digest = sha2::Sha256::digest(b);
            let hex: String = digest[..4].iter().map(|x| format!("{x:02x}")).collect();
            Some(format!("<{} bytes {hex}>", b.len()))
        }
    }
}

fn conflict_view(
    centre: &Centre,
    c: &griddesk_store_postgres::SyncConflict,
) -> Result<SyncConflictView> {
    let k = &c.conflict;
    let columns = centre.table_columns(&k.table)?;
    let station = cells(&k.station)?;
    let centre_v = cells(&k.centre)?;
    // Compared as values, not as shown: two geometries of one length differ.
    let differing = match (&station, &centre_v) {
        (Some(s), Some(t)) => columns
            .iter()
            .zip(s.iter().zip(t))
            .filter(|(_, (a, b))| a != b)
            .map(|(n, _)| n.clone())
            .collect(),
        _ => columns.clone(),
    };
    let show = |v: Option<Vec<griddesk_store::district_rows::Cell>>| {
        v.map(|cells| cells.iter().map(shown).collect::<Vec<_>>())
    };
    let (station, centre_v) = (show(station), show(centre_v));
    Ok(SyncConflictView {
        id: c.id,
        table: k.table.clone(),
        key: k.key.clone(),
        raised_at: c.raised_at.clone(),
        columns,
        base: values(&k.base)?,
        station,
        centre: centre_v,
        differing,
        settled_by: c.settled.as_ref().map(|s| s.by.clone()),
        settled_at: c.settled.as_ref().map(|s| s.at.clone()),
        choice: c.settled.as_ref().map(|s| s.choice.clone()),
    })
}
