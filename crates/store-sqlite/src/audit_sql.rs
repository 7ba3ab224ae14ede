//! The SQL of the audit log (`audit_log`) and of the seal chain over every audit table
//! (`audit_seal`, docs/trust.md, "Tamper evidence").
//!
//! Every commit of the store seals the audit rows it added: for each new row of a sealed
//! table, in table order then row order, one seal whose hash is
//! `SHA-256(previous hash ‖ table ‖ row ‖ SHA-256(the row's sealed columns))`. Checking walks
//! the chain again: a sealed row changed or deleted, a seal edited or removed, or a row written
//! among sealed rows without a seal is a break. Only columns that never change after insert are
//! sealed (a planning edit's `state` moves with undo/redo; its content does not).

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
];

/// Most breaks listed by a check (all are counted).
const MAX_BREAKS: usize = 1000;

fn row_digest(row: &rusqlite::Row<'_>, first: usize, n: usize) -> rusqlite::Result<[u8; 32]> {
    let mut h = Sha256::new();
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
    Ok(h.finalize().into())
}

fn chain(prev: &str, table: &str, row: i64, digest: &[u8; 32]) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update([0u8]);
    h.update(table.as_bytes());
    h.update([0u8]);
    h.update(row.to_le_bytes());
    h.update(digest);
    hex(&h.finalize())
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn columns(s: &Sealed) -> usize {
    s.columns.split(',').count()
}

/// Seals every audit row added since the last seal. Called inside each write transaction just
/// before it commits (and after migrations), so a row and its seal commit together.
pub(crate) fn seal(tx: &Connection) -> rusqlite::Result<()> {
    let head: Option<(i64, String)> = tx
        .query_row(
            "SELECT seq, hash FROM audit_seal ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (mut seq, mut prev) = head.unwrap_or((0, String::new()));
    let mut insert =
        tx.prepare_cached("INSERT INTO audit_seal (seq, tbl, row, hash) VALUES (?1, ?2, ?3, ?4)")?;
    for s in SEALED {
        let last: i64 = tx
            .prepare_cached("SELECT coalesce(max(row), 0) FROM audit_seal WHERE tbl = ?1")?
            .query_row([s.table], |r| r.get(0))?;
        let mut stmt = tx.prepare_cached(&format!(
            "SELECT {key}, {cols} FROM {t} WHERE {key} > ?1 ORDER BY {key}",
            key = s.key,
            cols = s.columns,
            t = s.table
        ))?;
        let mut rows = stmt.query([last])?;
        let n = columns(s);
        while let Some(r) = rows.next()? {
            let row: i64 = r.get(0)?;
            let d = row_digest(r, 1, n)?;
            let h = chain(&prev, s.table, row, &d);
            seq += 1;
            insert.execute(params![seq, s.table, row, h])?;
            prev = h;
        }
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
    let mut lookups = Vec::new();
    for s in SEALED {
        lookups.push(conn.prepare(&format!(
            "SELECT {cols} FROM {t} WHERE {key} = ?1",
            key = s.key,
            cols = s.columns,
            t = s.table
        ))?);
    }
    let mut seals = conn.prepare("SELECT seq, tbl, row, hash FROM audit_seal ORDER BY seq")?;
    let mut rows = seals.query([])?;
    let mut prev = String::new();
    let mut count = 0i64;
    while let Some(r) = rows.next()? {
        count += 1;
        let seq: i64 = r.get(0)?;
        let table: String = r.get(1)?;
        let row: i64 = r.get(2)?;
        let hash: String = r.get(3)?;
        let Some(i) = SEALED.iter().position(|s| s.table == table) else {
            found(AuditBreak::SealBroken { seal: seq });
            prev = hash;
            continue;
        };
        let digest = lookups[i]
            .query_row([row], |r| row_digest(r, 0, columns(&SEALED[i])))
            .optional()?;
        match digest {
            None => found(AuditBreak::Deleted { table, row }),
            Some(d) => {
                // The row or its seal was changed after sealing.
                if chain(&prev, SEALED[i].table, row, &d) != hash {
                    found(AuditBreak::Changed { table, row });
                }
            }
        }
        prev = hash;
    }
    // Seal numbers must run 1, 2, 3…: a removed seal leaves a gap.
    let (n, max): (i64, Option<i64>) =
        conn.query_row("SELECT count(*), max(seq) FROM audit_seal", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    if max.unwrap_or(0) != n {
        let mut gaps = conn.prepare(
            "SELECT s.seq + 1 FROM audit_seal s
             WHERE s.seq < (SELECT max(seq) FROM audit_seal)
               AND NOT EXISTS (SELECT 1 FROM audit_seal t WHERE t.seq = s.seq + 1)
             UNION ALL SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM audit_seal WHERE seq = 1)
                                  AND EXISTS (SELECT 1 FROM audit_seal)",
        )?;
        let gap_rows = gaps.query_map([], |r| r.get::<_, i64>(0))?;
        for g in gap_rows {
            found(AuditBreak::SealBroken { seal: g? });
        }
    }
    for s in SEALED {
        let mut stmt = conn.prepare(&format!(
            "SELECT t.{key} FROM {t} t
             WHERE NOT EXISTS (SELECT 1 FROM audit_seal a WHERE a.tbl = ?1 AND a.row = t.{key})
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
    drop(rows);
    Ok(AuditCheck {
        seals: count,
        head: prev,
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
                row: 2
            }]
        );

        conn.execute_batch(
            "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 3;
             INSERT INTO audit_log (seq, at, login, action, subject)
                VALUES (1000, '2026-01-01 00:00:00', 'x', 'forged', 'y');",
        )
        .unwrap();
        let c = store.db().check_audit().unwrap();
        assert!(c.breaks.contains(&AuditBreak::Deleted {
            table: "audit_log".into(),
            row: 3
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
                row: 1
            }]
        );
    }
}
