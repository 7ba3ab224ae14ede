//! The SQL of the audit log (`audit_log`) and of the seal chain over every audit table
//! (`audit_seal`, docs/trust.md, "Tamper evidence").
//!
//! Every commit of the store seals the audit rows it added: for each sealed table with new rows,
//! one seal over those rows (`first_row..=last_row`, their number) whose hash is
//! `SHA-256(previous hash ‖ table ‖ range ‖ SHA-256(the rows' keys and sealed columns))`.
//! Checking walks the chain again: a sealed row changed or deleted, a row slipped into a sealed
//! range, a seal edited or removed, or a row no seal covers is a break. Only columns that never
//! change after insert are sealed (a planning edit's `state` moves with undo/redo; its content
//! does not). One seal per table and commit, not per row: a first start's 170 000 audit rows
//! cost a few seals, not 170 000.

use crate::error::sql_error;
use griddesk_core::audit::{AuditBreak, AuditCheck, AuditEntry, AuditQuery};
use griddesk_core::users::Role;
use griddesk_core::Result;
use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

/// A sealed table: its name, its row key and the columns sealed (fixed forever: a column added
/// later is not sealed, so old seals stay valid).
struct Sealed {
    table: &'static str,
    key: &'static str,
    columns: &'static str,
}

const SEALED: &[Sealed] = &[
    Sealed {
        table: "case_audit",
        key: "seq",
        columns: "case_id, at, actor, role, action, from_status, to_status, note, detail",
    },
    Sealed {
        table: "component_history",
        key: "seq",
        columns: "code, at, actor, role, action, before, after, note",
    },
    Sealed {
        table: "plan_edit",
        key: "id",
        columns: "at, author, operation, params, note, community, summary",
    },
    Sealed {
        table: "plan_event",
        key: "id",
        columns: "edit, kind, at, author",
    },
    Sealed {
        table: "sign_in_log",
        key: "seq",
        columns: "at, login, role, ok, reason",
    },
    Sealed {
        table: "audit_log",
        key: "seq",
        columns: "at, login, role, action, subject, before, after",
    },
    Sealed {
        table: "service_object_history",
        key: "seq",
        columns: "object, at, login, action, reason, before, after",
    },
    Sealed {
        table: "vendor_warning",
        key: "id",
        columns: "vendor, at, lon, lat, grid, inspector, matter, refused, note",
    },
    Sealed {
        table: "person_lookup",
        key: "seq",
        columns: "at, login, role, what, key",
    },
];

/// Most breaks listed by a check (all are counted).
const MAX_BREAKS: usize = 1000;

/// Feeds one row's key and sealed columns (from column `first` on) into `h`.
fn feed_row(
    h: &mut Sha256,
    key: i64,
    row: &rusqlite::Row<'_>,
    first: usize,
    n: usize,
) -> rusqlite::Result<()> {
    h.update(key.to_le_bytes());
    for i in first..first + n {
        match row.get_ref(i)? {
            ValueRef::Null => h.update([0u8]),
            ValueRef::Integer(v) => {
                h.update([1u8]);
                h.update(v.to_le_bytes());
            }
            ValueRef::Real(v) => {
                h.update([2u8]);
                h.update(v.to_bits().to_le_bytes());
            }
            ValueRef::Text(b) | ValueRef::Blob(b) => {
                h.update([3u8]);
                h.update((b.len() as u64).to_le_bytes());
                h.update(b);
            }
        }
    }
    Ok(())
}

/// The hash of a seal: the previous seal's, the table, the range and the rows' digest.
fn chain(prev: &[u8], table: &str, first: i64, last: i64, rows: i64, digest: &[u8]) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(prev);
    h.update([0u8]);
    h.update(table.as_bytes());
    h.update([0u8]);
    h.update(first.to_le_bytes());
    h.update(last.to_le_bytes());
    h.update(rows.to_le_bytes());
    h.update(digest);
    h.finalize().to_vec()
}

fn hex(b: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(b.len() * 2);
    for x in b {
        out.push(char::from(DIGITS[usize::from(x >> 4)]));
        out.push(char::from(DIGITS[usize::from(x & 15)]));
    }
    out
}

fn columns(s: &Sealed) -> usize {
    s.columns.split(',').count()
}

/// The digest and count of `s`'s rows with keys in `first..=last`.
fn digest_range(
    conn: &Connection,
    s: &Sealed,
    first: i64,
    last: i64,
) -> rusqlite::Result<(Vec<u8>, i64)> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {key}, {cols} FROM {t} WHERE {key} BETWEEN ?1 AND ?2 ORDER BY {key}",
        key = s.key,
        cols = s.columns,
        t = s.table
    ))?;
    let mut rows = stmt.query([first, last])?;
    let mut h = Sha256::new();
    let mut n = 0i64;
    while let Some(r) = rows.next()? {
        feed_row(&mut h, r.get(0)?, r, 1, columns(s))?;
        n += 1;
    }
    Ok((h.finalize().to_vec(), n))
}

/// Seals the audit rows added since the last seal: one seal per table that has new rows. Called
/// inside each write transaction just before it commits (and after migrations), so rows and
/// their seal commit together.
pub(crate) fn seal(tx: &Connection) -> rusqlite::Result<()> {
    let head: Option<(i64, Vec<u8>)> = tx
        .prepare_cached("SELECT seq, hash FROM audit_seal ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (mut seq, mut prev) = head.unwrap_or((0, Vec::new()));
    for s in SEALED {
        let done: i64 = tx
            .prepare_cached("SELECT coalesce(max(last_row), 0) FROM audit_seal WHERE tbl = ?1")?
            .query_row([s.table], |r| r.get(0))?;
        let range: (Option<i64>, Option<i64>) = tx
            .prepare_cached(&format!(
                "SELECT min({key}), max({key}) FROM {t} WHERE {key} > ?1",
                key = s.key,
                t = s.table
            ))?
            .query_row([done], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let (Some(first), Some(last)) = range else {
            continue;
        };
        let (digest, rows) = digest_range(tx, s, first, last)?;
        let hash = chain(&prev, s.table, first, last, rows, &digest);
        seq += 1;
        tx.prepare_cached(
            "INSERT INTO audit_seal (seq, tbl, first_row, last_row, rows, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![seq, s.table, first, last, rows, hash])?;
        prev = hash;
    }
    Ok(())
}

/// Walks the seal chain and every sealed table (see the module comment).
pub(crate) fn check(conn: &Connection) -> rusqlite::Result<AuditCheck> {
    let mut breaks = Vec::new();
    let mut total = 0i64;
    let mut found = |b: AuditBreak| {
        total += 1;
        if breaks.len() < MAX_BREAKS {
            breaks.push(b);
        }
    };
    let mut seals = conn
        .prepare("SELECT seq, tbl, first_row, last_row, rows, hash FROM audit_seal ORDER BY seq")?;
    let mut rows = seals.query([])?;
    let mut prev: Vec<u8> = Vec::new();
    let mut count = 0i64;
    let mut expected_seq = 1i64;
    while let Some(r) = rows.next()? {
        count += 1;
        let seq: i64 = r.get(0)?;
        let table: String = r.get(1)?;
        let (first, last, n): (i64, i64, i64) = (r.get(2)?, r.get(3)?, r.get(4)?);
        let hash: Vec<u8> = r.get(5)?;
        // Seal numbers run 1, 2, 3…: a removed seal leaves a gap.
        while expected_seq < seq {
            found(AuditBreak::SealBroken { seal: expected_seq });
            expected_seq += 1;
        }
        expected_seq = seq + 1;
        match SEALED.iter().find(|s| s.table == table) {
            None => found(AuditBreak::SealBroken { seal: seq }),
            Some(s) => {
                let (digest, now) = digest_range(conn, s, first, last)?;
                if now != n || chain(&prev, s.table, first, last, n, &digest) != hash {
                    // Recomputed from the stored previous hash: an edited seal shows here too.
                    found(AuditBreak::Changed { table, first, last });
                }
            }
        }
        prev = hash;
    }
    drop(rows);
    for s in SEALED {
        let mut stmt = conn.prepare(&format!(
            "SELECT t.{key} FROM {t} t
             WHERE NOT EXISTS (SELECT 1 FROM audit_seal a
                               WHERE a.tbl = ?1 AND t.{key} BETWEEN a.first_row AND a.last_row)
             ORDER BY t.{key}",
            key = s.key,
            t = s.table
        ))?;
        let unsealed = stmt.query_map([s.table], |r| r.get::<_, i64>(0))?;
        for row in unsealed {
            found(AuditBreak::Unsealed {
                table: s.table.to_string(),
                row: row?,
            });
        }
    }
    Ok(AuditCheck {
        seals: count,
        head: hex(&prev),
        breaks,
        total_breaks: total,
    })
}

fn json(v: &Option<serde_json::Value>) -> Option<String> {
    v.as_ref().map(|v| v.to_string())
}

fn parse_json(s: Option<String>) -> Option<serde_json::Value> {
    s.and_then(|s| serde_json::from_str(&s).ok())
}

impl griddesk_store::AuditStore for crate::Db<'_> {
    fn record_audit(&self, e: &AuditEntry) -> Result<i64> {
        self.0
            .prepare_cached(
                "INSERT INTO audit_log (at, login, role, action, subject, before, after)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .and_then(|mut st| {
                st.execute(params![
                    e.at,
                    e.login,
                    e.role.map(|r| r.key()),
                    e.action,
                    e.subject,
                    json(&e.before),
                    json(&e.after)
                ])
            })
            .map_err(sql_error)?;
        Ok(self.0.last_insert_rowid())
    }

    fn audit_entries(&self, q: &AuditQuery) -> Result<Vec<AuditEntry>> {
        let limit = q.limit.unwrap_or(200).clamp(1, 10_000);
        let action_prefix = q.action.as_ref().map(|a| format!("{a}.%"));
        let subject_like = q.subject.as_ref().map(|s| {
            let escaped = s
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            format!("%{escaped}%")
        });
        let mut stmt = self
            .0
            .prepare(
                "SELECT seq, at, login, role, action, subject, before, after FROM audit_log
                 WHERE (?1 IS NULL OR login = ?1)
                   AND (?2 IS NULL OR action = ?2 OR action LIKE ?3)
                   AND (?4 IS NULL OR subject LIKE ?4 ESCAPE '\\')
                 ORDER BY seq DESC LIMIT ?5",
            )
            .map_err(sql_error)?;
        let rows = stmt
            .query_map(
                params![q.login, q.action, action_prefix, subject_like, limit],
                |r| {
                    let role: Option<String> = r.get(3)?;
                    Ok(AuditEntry {
                        seq: r.get(0)?,
                        at: r.get(1)?,
                        login: r.get(2)?,
                        role: role.as_deref().and_then(Role::parse),
                        action: r.get(4)?,
                        subject: r.get(5)?,
                        before: parse_json(r.get(6)?),
                        after: parse_json(r.get(7)?),
                    })
                },
            )
            .map_err(sql_error)?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(sql_error)
    }

    fn check_audit(&self) -> Result<AuditCheck> {
        check(self.0).map_err(sql_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;
    use griddesk_store::AuditStore;

    fn entry(i: i64) -> AuditEntry {
        AuditEntry {
            seq: 0,
            at: "2026-12-06 10:00:00".into(),
            login: "admin".into(),
            role: Some(Role::Admin),
            action: "calendar.edit".into(),
            subject: format!("2026-10-0{i}"),
            before: None,
            after: Some(serde_json::json!({"kind": "holiday"})),
        }
    }

    #[test]
    fn every_commit_seals_and_a_check_finds_each_kind_of_tampering() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite");
        let mut store = Store::create(&path).unwrap();
        for i in 1..=3 {
            store.transaction(|tx| tx.record_audit(&entry(i))).unwrap();
        }
        let c = store.db().check_audit().unwrap();
        assert!(c.ok(), "{c:?}");
        assert_eq!(c.seals, 3);
        assert_eq!(c.head.len(), 64);
        let listed = store.db().audit_entries(&AuditQuery::default()).unwrap();
        assert_eq!(listed.len(), 3);
        assert_eq!(listed[0].subject, "2026-10-03", "newest first");
        let zoned = AuditQuery {
            action: Some("calendar".into()),
            ..Default::default()
        };
        assert_eq!(store.db().audit_entries(&zoned).unwrap().len(), 3);

        // Drop the append-only trigger and change a row, as a script with the file could.
        let conn = store.conn();
        conn.execute_batch(
            "DROP TRIGGER audit_log_no_update;
             UPDATE audit_log SET after = '{\"kind\":\"workday\"}' WHERE seq = 2;",
        )
        .unwrap();
        let c = store.db().check_audit().unwrap();
        assert_eq!(
            c.breaks,
            vec![AuditBreak::Changed {
                table: "audit_log".into(),
                first: 2,
                last: 2
            }]
        );

        conn.execute_batch(
            "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 3;
             INSERT INTO audit_log (seq, at, login, action, subject)
                VALUES (1000, '2026-01-01 00:00:00', 'x', 'forged', 'y');",
        )
        .unwrap();
        let c = store.db().check_audit().unwrap();
        assert!(c.breaks.contains(&AuditBreak::Changed {
            table: "audit_log".into(),
            first: 3,
            last: 3
        }));
        assert!(c.breaks.contains(&AuditBreak::Unsealed {
            table: "audit_log".into(),
            row: 1000
        }));

        // Removing a seal is a gap in the chain.
        conn.execute_batch("DELETE FROM audit_seal WHERE seq = 1")
            .unwrap();
        let c = store.db().check_audit().unwrap();
        assert!(
            c.breaks.contains(&AuditBreak::SealBroken { seal: 1 }),
            "{c:?}"
        );
    }

    #[test]
    fn sign_ins_and_case_actions_are_sealed_too() {
        let mut store = Store::in_memory().unwrap();
        store
            .transaction(|tx| {
                use griddesk_caseloop::users_store::UsersStore;
                tx.log_sign_in(
                    chrono::NaiveDate::from_ymd_opt(2026, 12, 6)
                        .unwrap()
                        .and_hms_opt(9, 0, 0)
                        .unwrap(),
                    "admin",
                    Role::Admin,
                    None,
                )
            })
            .unwrap();
        let c = store.db().check_audit().unwrap();
        assert_eq!(c.seals, 1);
        store
            .conn()
            .execute_batch("UPDATE sign_in_log SET ok = 0")
            .unwrap();
        assert_eq!(
            store.db().check_audit().unwrap().breaks,
            vec![AuditBreak::Changed {
                table: "sign_in_log".into(),
                first: 1,
                last: 1
            }]
        );
    }
}
