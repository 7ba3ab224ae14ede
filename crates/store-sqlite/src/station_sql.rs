//! The SQL of `griddesk_caseloop::intake::station::StationStore` (migration 0010): the station
//! service's API keys and the reports received through it; what inspectors' phones sent under
//! their idempotency keys (migration 0011).

use crate::error::Result;
use crate::intake::station::{
    NewStationKey, PhoneAction, StationKey, StationReport, StationReportFilter, StationStore,
};
use crate::store::{format_datetime, parse_datetime};
use rusqlite::{params, params_from_iter, types::Value, Connection, OptionalExtension, Row};

const KEY_COLUMNS: &str =
    "id, app, prefix, acting_login, issued_at, issued_by, revoked_at, revoked_by FROM station_key";

fn key_row(r: &Row<'_>) -> rusqlite::Result<(StationKey, String, Option<String>)> {
    Ok((
        StationKey {
            id: r.get(0)?,
            app: r.get(1)?,
            prefix: r.get(2)?,
            acting_login: r.get(3)?,
            issued_at: chrono::NaiveDateTime::default(),
            issued_by: r.get(5)?,
            revoked_at: None,
            revoked_by: r.get(7)?,
        },
        r.get(4)?,
        r.get(6)?,
    ))
}

fn key_of((mut k, issued, revoked): (StationKey, String, Option<String>)) -> Result<StationKey> {
    k.issued_at = parse_datetime(&issued)?;
    k.revoked_at = revoked.as_deref().map(parse_datetime).transpose()?;
    Ok(k)
}

const REPORT_COLUMNS: &str = "s.case_id, s.token, s.key_id, s.idempotency, s.received_at";

fn report_row(r: &Row<'_>) -> rusqlite::Result<(StationReport, String)> {
    Ok((
        StationReport {
            case_id: r.get(0)?,
            token: r.get(1)?,
            key_id: r.get(2)?,
            idempotency: r.get(3)?,
            received_at: chrono::NaiveDateTime::default(),
        },
        r.get(4)?,
    ))
}

fn report_of((mut s, at): (StationReport, String)) -> Result<StationReport> {
    s.received_at = parse_datetime(&at)?;
    Ok(s)
}

fn one_report(
    c: &Connection,
    filter: &str,
    p: &[&dyn rusqlite::ToSql],
) -> Result<Option<StationReport>> {
    let sql = format!("SELECT {REPORT_COLUMNS} FROM station_report s WHERE {filter}");
    c.query_row(&sql, p, report_row)
        .optional()?
        .map(report_of)
        .transpose()
}

fn list_reports(
    c: &Connection,
    f: &StationReportFilter,
    limit: usize,
) -> Result<Vec<StationReport>> {
    let mut sql = format!(
        "SELECT {REPORT_COLUMNS} FROM station_report s JOIN cases c ON c.id = s.case_id WHERE 1"
    );
    let mut args: Vec<Value> = Vec::new();
    if let Some(from) = f.from {
        sql.push_str(" AND c.reported_at >= ?");
        args.push(Value::Text(format_datetime(&from)));
    }
    if let Some(to) = f.to {
        sql.push_str(" AND c.reported_at <= ?");
        args.push(Value::Text(format_datetime(&to)));
    }
    if !f.classes.is_empty() {
        let one = vec!["(c.kind = ? AND c.class_code = ?)"; f.classes.len()].join(" OR ");
        sql.push_str(&format!(" AND ({one})"));
        for (kind, class) in &f.classes {
            args.push(Value::Text(kind.key().to_string()));
            args.push(Value::Text(class.clone()));
        }
    }
    if !f.case_ids.is_empty() {
        sql.push_str(&format!(
            " AND s.case_id IN ({})",
            vec!["?"; f.case_ids.len()].join(", ")
        ));
        args.extend(f.case_ids.iter().map(|v| Value::Text(v.clone())));
    }
    sql.push_str(" ORDER BY c.reported_at DESC, s.case_id DESC LIMIT ?");
    args.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
    let mut st = c.prepare(&sql)?;
    let rows = st
        .query_map(params_from_iter(args), report_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(report_of).collect()
}

impl StationStore for crate::Db<'_> {
    fn add_station_key(&self, k: &NewStationKey) -> griddesk_core::Result<i64> {
        let run = || -> Result<i64> {
            self.0.execute(
                "INSERT INTO station_key (app, prefix, hash, acting_login, issued_at, issued_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    k.app,
                    k.prefix,
                    k.hash,
                    k.acting_login,
                    format_datetime(&k.issued_at),
                    k.issued_by
                ],
            )?;
            Ok(self.0.last_insert_rowid())
        };
        Ok(run()?)
    }

    fn station_keys(&self) -> griddesk_core::Result<Vec<StationKey>> {
        let run = || -> Result<Vec<StationKey>> {
            let mut st = self
                .0
                .prepare(&format!("SELECT {KEY_COLUMNS} ORDER BY id DESC"))?;
            let rows = st
                .query_map([], key_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            rows.into_iter().map(key_of).collect()
        };
        Ok(run()?)
    }

    fn station_key_by_hash(&self, hash: &str) -> griddesk_core::Result<Option<StationKey>> {
        let run = || -> Result<Option<StationKey>> {
            self.0
                .query_row(
                    &format!("SELECT {KEY_COLUMNS} WHERE hash = ?1"),
                    [hash],
                    key_row,
                )
                .optional()?
                .map(key_of)
                .transpose()
        };
        Ok(run()?)
    }

    fn revoke_station_key(
        &self,
        id: i64,
        at: chrono::NaiveDateTime,
        by: &str,
    ) -> griddesk_core::Result<bool> {
        let run = || -> Result<bool> {
            Ok(self.0.execute(
                "UPDATE station_key SET revoked_at = ?2, revoked_by = ?3 WHERE id = ?1 AND revoked_at IS NULL",
                params![id, format_datetime(&at), by],
            )? > 0)
        };
        Ok(run()?)
    }

    fn add_station_report(&self, r: &StationReport) -> griddesk_core::Result<()> {
        let run = || -> Result<()> {
            self.0.execute(
                "INSERT INTO station_report (case_id, token, key_id, idempotency, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    r.case_id,
                    r.token,
                    r.key_id,
                    r.idempotency,
                    format_datetime(&r.received_at)
                ],
            )?;
            Ok(())
        };
        Ok(run()?)
    }

    fn station_report_by_idempotency(
        &self,
        key_id: i64,
        idempotency: &str,
    ) -> griddesk_core::Result<Option<StationReport>> {
        Ok(one_report(
            self.0,
            "s.key_id = ?1 AND s.idempotency = ?2",
            &[&key_id, &idempotency],
        )?)
    }

    fn station_report_by_token(&self, token: &str) -> griddesk_core::Result<Option<StationReport>> {
        Ok(one_report(self.0, "s.token = ?1", &[&token])?)
    }

    fn station_reports(
        &self,
        f: &StationReportFilter,
        limit: usize,
    ) -> griddesk_core::Result<Vec<StationReport>> {
        Ok(list_reports(self.0, f, limit)?)
    }

    fn add_phone_action(&self, a: &PhoneAction) -> griddesk_core::Result<()> {
        let run = || -> Result<()> {
            self.0.execute(
                "INSERT INTO station_phone_action (login, idempotency, case_id, action, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    a.login,
                    a.idempotency,
                    a.case_id,
                    a.action,
                    format_datetime(&a.received_at)
                ],
            )?;
            Ok(())
        };
        Ok(run()?)
    }

    fn phone_action(
        &self,
        login: &str,
        idempotency: &str,
    ) -> griddesk_core::Result<Option<PhoneAction>> {
        let run = || -> Result<Option<PhoneAction>> {
            let row = self
                .0
                .query_row(
                    "SELECT case_id, action, received_at FROM station_phone_action
                     WHERE login = ?1 AND idempotency = ?2",
                    params![login, idempotency],
                    |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, String>(2)?,
                        ))
                    },
                )
                .optional()?;
            row.map(|(case_id, action, at)| {
                Ok(PhoneAction {
                    login: login.to_string(),
                    idempotency: idempotency.to_string(),
                    case_id,
                    action,
                    received_at: parse_datetime(&at)?,
                })
            })
            .transpose()
        };
        Ok(run()?)
    }
}
