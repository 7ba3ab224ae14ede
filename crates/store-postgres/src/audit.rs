//! The audit log (`audit_log`) and the seal chain over every audit table (`audit_seal`,
//! docs/trust.md, "Tamper evidence"), one chain per district (`griddesk_store::AuditStore` on a
//! district's view of the centre).
//!
//! As at the station: every commit seals the audit rows it added, one seal per table with new
//! rows, whose hash is `SHA-256(previous hash ‖ district ‖ table ‖ range ‖ SHA-256(the rows' keys
//! and sealed columns))`; a check walks the chain again and lists every sealed row changed or
//! deleted, every row slipped into a sealed range, every seal edited or removed, and every row
//! no seal covers. Values are hashed as the server prints them (`::text`), so the digest does
//! not depend on the client. Migration 4 keeps each district's keys in commit order (the
//! district's audit lock, then the number), which is what sealing by ranges needs.

use crate::centre::CentreTx;
use crate::error::{Error, Result};
use crate::model::{DistrictScope, DistrictTx};
use griddesk_core::audit::{AuditBreak, AuditCheck, AuditEntry, AuditQuery};
use griddesk_core::code::DistrictCode;
use griddesk_core::dates::{format_datetime, parse_datetime};
use griddesk_core::users::Role;
use griddesk_store::AuditStore;
use postgres::GenericClient;
use sha2::{Digest, Sha256};

/// A sealed table: its name, its row key and the columns sealed (fixed forever: a column
/// added later is not sealed, so old seals stay valid). The station's list.
struct Sealed {
    table: &'static str,
    key: &'static str,
    columns: &'static [&'static str],
}

const SEALED: &[Sealed] = &[
    Sealed {
        table: "case_audit",
        key: "seq",
        columns: &[
            "case_id",
            "at",
            "actor",
            "role",
            "action",
            "from_status",
            "to_status",
            "note",
            "detail",
        ],
    },
    Sealed {
        table: "component_history",
        key: "seq",
        columns: &[
            "code", "at", "actor", "role", "action", "before", "after", "note",
        ],
    },
    Sealed {
        table: "plan_edit",
        key: "id",
        columns: &[
            "at",
            "author",
            "operation",
            "params",
            "note",
            "community",
            "summary",
        ],
    },
    Sealed {
        table: "plan_event",
        key: "id",
        columns: &["edit", "kind", "at", "author"],
    },
    Sealed {
        table: "sign_in_log",
        key: "seq",
        columns: &["at", "login", "role", "ok", "reason"],
    },
    Sealed {
        table: "audit_log",
        key: "seq",
        columns: &[
            "at", "login", "role", "action", "subject", "before", "after",
        ],
    },
    Sealed {
        table: "service_object_history",
        key: "seq",
        columns: &[
            "object", "at", "login", "action", "reason", "before", "after",
        ],
    },
    Sealed {
        table: "vendor_warning",
        key: "id",
        columns: &[
            "vendor",
            "at",
            "lon",
            "lat",
            "grid",
            "inspector",
            "matter",
            "refused",
            "note",
        ],
    },
    Sealed {
        table: "person_lookup",
        key: "seq",
        columns: &["at", "login", "role", "what", "key"],
    },
];

/// Most breaks listed by a check (all are counted).
const MAX_BREAKS: usize = 1000;

fn q<T>(r: std::result::Result<T, postgres::Error>, what: impl FnOnce() -> String) -> Result<T> {
    r.map_err(|e| Error::of(e, what(), None))
}

/// The digest and count of `s`'s rows of `district` with keys in `first..=last`.
fn digest_range(
    c: &mut impl GenericClient,
    s: &Sealed,
    district: &str,
    first: i64,
    last: i64,
) -> Result<(Vec<u8>, i64)> {
    let cols: Vec<String> = s.columns.iter().map(|c| format!("{c}::text")).collect();
    let rows = q(
        c.query(
            &format!(
                "SELECT {key}, {cols} FROM {t}
                  WHERE district = $1::text AND {key} BETWEEN $2 AND $3 ORDER BY {key}",
                key = s.key,
                cols = cols.join(", "),
                t = s.table
            ),
            &[&district, &first, &last],
        ),
        || {
            format!(
                "reading the sealed rows of {} in district {district}",
                s.table
            )
        },
    )?;
    let mut h = Sha256::new();
    for r in &rows {
        h.update(r.get::<_, i64>(0).to_le_bytes());
        for i in 1..=s.columns.len() {
            match r.get::<_, Option<&str>>(i) {
                None => h.update([0u8]),
                Some(v) => {
                    h.update([3u8]);
                    h.update((v.len() as u64).to_le_bytes());
                    h.update(v.as_bytes());
                }
            }
        }
    }
    Ok((h.finalize().to_vec(), rows.len() as i64))
}

/// The hash of a seal: the previous seal's, the district, the table, the range and the rows'
/// digest.
fn chain(
    prev: &[u8],
    district: &str,
    table: &str,
    first: i64,
    last: i64,
    rows: i64,
    digest: &[u8],
) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(prev);
    h.update([0u8]);
    h.update(district.as_bytes());
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
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Seals the audit rows this transaction added, for every district it added some to (noted by
/// migration 4's trigger): one seal per table with new rows. Run just before the commit, under
/// each district's audit lock (already held by the transaction that wrote the rows).
pub(crate) fn seal(c: &mut impl GenericClient) -> Result<()> {
    let dirty: String = q(
        c.query_one(
            "SELECT coalesce(current_setting('griddesk.audit_dirty', true), '')",
            &[],
        ),
        || "reading which districts to seal".into(),
    )?
    .get(0);
    for district in dirty.split(',').filter(|d| !d.is_empty()) {
        q(
            c.execute(
                "SELECT pg_advisory_xact_lock(hashtext('griddesk.audit'), hashtext($1::text))",
                &[&district],
            ),
            || format!("taking the audit lock of district {district}"),
        )?;
        let head = q(
            c.query_opt(
                "SELECT seq, hash FROM audit_seal WHERE district = $1::text
                  ORDER BY seq DESC LIMIT 1",
                &[&district],
            ),
            || format!("reading the seal chain of district {district}"),
        )?;
        let (mut seq, mut prev): (i64, Vec<u8>) = head
            .map(|r| (r.get(0), r.get(1)))
            .unwrap_or((0, Vec::new()));
        for s in SEALED {
            let r = q(
                c.query_one(
                    &format!(
                        "SELECT min({key}), max({key}) FROM {t}
                          WHERE district = $1::text
                            AND {key} > coalesce((SELECT max(last_row) FROM audit_seal
                                                   WHERE district = $1::text AND tbl = $2), 0)",
                        key = s.key,
                        t = s.table
                    ),
                    &[&district, &s.table],
                ),
                || format!("finding the new rows of {} in district {district}", s.table),
            )?;
            let (Some(first), Some(last)) =
                (r.get::<_, Option<i64>>(0), r.get::<_, Option<i64>>(1))
            else {
                continue;
            };
            let (digest, rows) = digest_range(c, s, district, first, last)?;
            let hash = chain(&prev, district, s.table, first, last, rows, &digest);
            seq += 1;
            q(
                c.execute(
                    "INSERT INTO audit_seal (district, seq, tbl, first_row, last_row, rows, hash)
                     VALUES ($1::text, $2, $3, $4, $5, $6, $7)",
                    &[&district, &seq, &s.table, &first, &last, &rows, &hash],
                ),
                || format!("sealing {} in district {district}", s.table),
            )?;
            prev = hash;
        }
    }
    Ok(())
}

/// Walks `district`'s seal chain and every sealed table of the district.
fn check(c: &mut impl GenericClient, district: &str) -> Result<AuditCheck> {
    let mut breaks = Vec::new();
    let mut total = 0i64;
    let mut found = |b: AuditBreak| {
        total += 1;
        if breaks.len() < MAX_BREAKS {
            breaks.push(b);
        }
    };
    let seals = q(
        c.query(
            "SELECT seq, tbl, first_row, last_row, rows, hash FROM audit_seal
              WHERE district = $1::text ORDER BY seq",
            &[&district],
        ),
        || format!("reading the seal chain of district {district}"),
    )?;
    let mut prev: Vec<u8> = Vec::new();
    let mut expected = 1i64;
    for r in &seals {
        let seq: i64 = r.get(0);
        let table: String = r.get(1);
        let (first, last, n): (i64, i64, i64) = (r.get(2), r.get(3), r.get(4));
        let hash: Vec<u8> = r.get(5);
        while expected < seq {
            found(AuditBreak::SealBroken { seal: expected });
            expected += 1;
        }
        expected = seq + 1;
        match SEALED.iter().find(|s| s.table == table) {
            None => found(AuditBreak::SealBroken { seal: seq }),
            Some(s) => {
                let (digest, now) = digest_range(c, s, district, first, last)?;
                if now != n || chain(&prev, district, s.table, first, last, n, &digest) != hash {
                    found(AuditBreak::Changed { table, first, last });
                }
            }
        }
        prev = hash;
    }
    for s in SEALED {
        let rows = q(
            c.query(
                &format!(
                    "SELECT t.{key} FROM {t} t
                      WHERE t.district = $1::text
                        AND NOT EXISTS (SELECT 1 FROM audit_seal a
                                         WHERE a.district = t.district AND a.tbl = $2
                                           AND t.{key} BETWEEN a.first_row AND a.last_row)
                      ORDER BY t.{key}",
                    key = s.key,
                    t = s.table
                ),
                &[&district, &s.table],
            ),
            || {
                format!(
                    "looking for unsealed rows of {} in district {district}",
                    s.table
                )
            },
        )?;
        for r in &rows {
            found(AuditBreak::Unsealed {
                table: s.table.to_string(),
                row: r.get(0),
            });
        }
    }
    Ok(AuditCheck {
        seals: seals.len() as i64,
        head: hex(&prev),
        breaks,
        total_breaks: total,
    })
}

fn record(
    c: &mut impl GenericClient,
    district: &str,
    e: &AuditEntry,
) -> griddesk_core::Result<i64> {
    let at = parse_datetime(&e.at)?;
    let json = |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string());
    let r = q(
        c.query_one(
            "INSERT INTO audit_log (district, at, login, role, action, subject, before, after)
             VALUES ($1::text, $2, $3, $4, $5, $6, $7, $8) RETURNING seq",
            &[
                &district,
                &at,
                &e.login,
                &e.role.map(|r| r.key()),
                &e.action,
                &e.subject,
                &json(&e.before),
                &json(&e.after),
            ],
        ),
        || {
            format!(
                "recording `{}` on `{}` in district {district}",
                e.action, e.subject
            )
        },
    )?;
    Ok(r.get(0))
}

fn entries(c: &mut impl GenericClient, district: &str, q_: &AuditQuery) -> Result<Vec<AuditEntry>> {
    let limit = i64::from(q_.limit.unwrap_or(200).clamp(1, 10_000));
    let action_prefix = q_.action.as_ref().map(|a| format!("{a}.%"));
    let subject_like = q_.subject.as_ref().map(|s| {
        let escaped = s
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        format!("%{escaped}%")
    });
    let rows = q(
        c.query(
            "SELECT seq, at, login, role, action, subject, before, after FROM audit_log
              WHERE district = $1::text
                AND ($2::text IS NULL OR login = $2)
                AND ($3::text IS NULL OR action = $3 OR action LIKE $4)
                AND ($5::text IS NULL OR subject LIKE $5 ESCAPE '\\')
              ORDER BY seq DESC LIMIT $6",
            &[
                &district,
                &q_.login,
                &q_.action,
                &action_prefix,
                &subject_like,
                &limit,
            ],
        ),
        || format!("listing the audit log of district {district}"),
    )?;
    let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
    Ok(rows
        .iter()
        .map(|r| AuditEntry {
            seq: r.get(0),
            at: format_datetime(&r.get(1)),
            login: r.get(2),
            role: r.get::<_, Option<&str>>(3).and_then(Role::parse),
            action: r.get(4),
            subject: r.get(5),
            before: parse(r.get(6)),
            after: parse(r.get(7)),
        })
        .collect())
}

impl CentreTx<'_> {
    /// Seals what this transaction added to the audit tables (called before every commit).
    pub(crate) fn seal_audit(&self) -> Result<()> {
        seal(&mut *self.tx.borrow_mut())
    }
}

impl AuditStore for DistrictTx<'_, '_> {
    fn record_audit(&self, e: &AuditEntry) -> griddesk_core::Result<i64> {
        record(&mut *self.tx.tx.borrow_mut(), self.district.as_str(), e)
    }
    fn audit_entries(&self, q_: &AuditQuery) -> griddesk_core::Result<Vec<AuditEntry>> {
        Ok(entries(
            &mut *self.tx.tx.borrow_mut(),
            self.district.as_str(),
            q_,
        )?)
    }
    fn check_audit(&self) -> griddesk_core::Result<AuditCheck> {
        Ok(check(
            &mut *self.tx.tx.borrow_mut(),
            self.district.as_str(),
        )?)
    }
}

/// Each call on its own: an entry is recorded and sealed in a transaction of its own.
impl AuditStore for DistrictScope<'_> {
    fn record_audit(&self, e: &AuditEntry) -> griddesk_core::Result<i64> {
        let d: DistrictCode = self.district;
        self.centre.transaction(|tx| tx.district(d).record_audit(e))
    }
    fn audit_entries(&self, q_: &AuditQuery) -> griddesk_core::Result<Vec<AuditEntry>> {
        Ok(self
            .centre
            .with(|c| entries(c, self.district.as_str(), q_))?)
    }
    fn check_audit(&self) -> griddesk_core::Result<AuditCheck> {
        Ok(self.centre.with(|c| check(c, self.district.as_str()))?)
    }
}
