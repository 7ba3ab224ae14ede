//! The SQL of the case list (`griddesk_caseloop::workflow::queue`).

use crate::error::sql_error;
use crate::error::Error;
use crate::filing::Stage;
use crate::model::{CaseKind, CaseSource, CaseStatus};
use griddesk_caseloop::workflow::queue::{CaseFilter, QueueStore, StoredCaseRow};
use griddesk_core::dates::{format_datetime, parse_datetime};
use rusqlite::types::Value;

impl QueueStore for crate::Db<'_> {
    fn case_rows(
        &self,
        f: &CaseFilter,
        overdue: Option<(bool, &[&str])>,
    ) -> griddesk_core::Result<(usize, Vec<StoredCaseRow>)> {
        let mut wh: Vec<String> = Vec::new();
        let mut args: Vec<Value> = Vec::new();
        let mut arg = |v: Value| {
            args.push(v);
            format!("?{}", args.len())
        };
        if !f.status.is_empty() {
            let list: Vec<String> = f
                .status
                .iter()
                .map(|s| arg(Value::Text(s.key().into())))
                .collect();
            wh.push(format!("c.status IN ({})", list.join(", ")));
        }
        if let Some(k) = f.kind {
            wh.push(format!("c.kind = {}", arg(Value::Text(k.key().into()))));
        }
        if let Some(c) = f
            .class_code
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            wh.push(format!(
                "c.class_code LIKE {} || '%'",
                arg(Value::Text(c.into()))
            ));
        }
        if !f.source.is_empty() {
            let list: Vec<String> = f
                .source
                .iter()
                .map(|s| arg(Value::Text(s.key().into())))
                .collect();
            wh.push(format!("c.source IN ({})", list.join(", ")));
        }
        if let Some(g) = f.grid.as_deref().map(str::trim).filter(|g| !g.is_empty()) {
            wh.push(format!("c.grid LIKE {} || '%'", arg(Value::Text(g.into()))));
        }
        if let Some(d) = f.department.as_deref().filter(|d| !d.is_empty()) {
            wh.push(format!("f.department = {}", arg(Value::Text(d.into()))));
        }
        if let Some(s) = f.supervised {
            wh.push(format!(
                "coalesce(f.supervised, 0) = {}",
                arg(Value::Integer(s.into()))
            ));
        }
        let (from, until) = griddesk_core::dates::day_bounds(f.from, f.to);
        if let Some(t) = from {
            wh.push(format!(
                "c.reported_at >= {}",
                arg(Value::Text(format_datetime(&t)))
            ));
        }
        if let Some(t) = until {
            wh.push(format!(
                "c.reported_at < {}",
                arg(Value::Text(format_datetime(&t)))
            ));
        }
        if let Some(t) = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            let p = arg(Value::Text(t.into()));
            wh.push(format!(
                "(instr(c.id, {p}) > 0 OR instr(coalesce(c.description, ''), {p}) > 0)"
            ));
        }
        if let Some((o, ids)) = overdue {
            let list = serde_json::to_string(ids)
                .map_err(|e| Error::Internal(format!("overdue filter: {e}")))?;
            let p = arg(Value::Text(list));
            let cond = format!("c.id IN (SELECT value FROM json_each({p}))");
            wh.push(if o { cond } else { format!("NOT {cond}") });
        }
        let where_ = if wh.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", wh.join(" AND "))
        };
        let from = "FROM cases c
                 LEFT JOIN case_flow f ON f.case_id = c.id
                 LEFT JOIN case_stage s ON s.case_id = c.id AND s.ended_at IS NULL";
        let conn = self.0;
        let total: i64 = conn
            .query_row(
                &format!("SELECT count(*) {from} {where_}"),
                rusqlite::params_from_iter(args.iter()),
                |r| r.get(0),
            )
            .map_err(sql_error)?;
        let limit = if f.limit == 0 { 50 } else { f.limit.min(1000) };
        let mut page_args = args.clone();
        page_args.push(Value::Integer(limit as i64));
        page_args.push(Value::Integer(f.offset as i64));
        let mut st = conn
            .prepare(&format!(
                "SELECT c.id, c.kind, c.class_code, c.source, c.reported_at, c.status, c.grid,
                        c.description, f.department, coalesce(f.supervised, 0),
                        coalesce(f.rework_count, 0), s.stage, s.deadline
                 {from} {where_}
                 ORDER BY c.reported_at DESC, c.id DESC LIMIT ?{} OFFSET ?{}",
                args.len() + 1,
                args.len() + 2
            ))
            .map_err(sql_error)?;
        let mut rows = st
            .query(rusqlite::params_from_iter(page_args.iter()))
            .map_err(sql_error)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(sql_error)? {
            let id: String = r.get(0).map_err(sql_error)?;
            let bad = |what: &str| Error::Internal(format!("case `{id}`: stored {what}"));
            let kind: String = r.get(1).map_err(sql_error)?;
            let kind = CaseKind::parse(&kind).ok_or_else(|| bad("kind"))?;
            let class_code: String = r.get(2).map_err(sql_error)?;
            let source: String = r.get(3).map_err(sql_error)?;
            let status: String = r.get(5).map_err(sql_error)?;
            let stage: Option<String> = r.get(11).map_err(sql_error)?;
            let deadline: Option<String> = r.get(12).map_err(sql_error)?;
            out.push(StoredCaseRow {
                kind,
                class_code,
                source: CaseSource::parse(&source).ok_or_else(|| bad("source"))?,
                status: CaseStatus::parse(&status).ok_or_else(|| bad("status"))?,
                reported_at: parse_datetime(&r.get::<_, String>(4).map_err(sql_error)?)?,
                grid: r.get(6).map_err(sql_error)?,
                description: r.get(7).map_err(sql_error)?,
                department: r.get(8).map_err(sql_error)?,
                supervised: r.get(9).map_err(sql_error)?,
                rework_count: r.get(10).map_err(sql_error)?,
                stage: stage.as_deref().and_then(Stage::parse),
                deadline: deadline.as_deref().map(parse_datetime).transpose()?,
                id,
            });
        }
        Ok((total as usize, out))
    }

    fn photo(&self, photo_id: i64) -> griddesk_core::Result<(String, Vec<u8>)> {
        self.0
            .query_row(
                "SELECT mime, bytes FROM case_photo WHERE id = ?1",
                [photo_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Error::NotFound {
                    what: "photo",
                    key: photo_id.to_string(),
                },
                e => crate::error::sql_error(e),
            })
    }

    fn photo_thumbnail(&self, photo_id: i64) -> griddesk_core::Result<Vec<u8>> {
        self.0
            .query_row(
                "SELECT thumb FROM case_photo WHERE id = ?1",
                [photo_id],
                |r| r.get(0),
            )
            .map_err(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Error::NotFound {
                    what: "photo",
                    key: photo_id.to_string(),
                },
                e => crate::error::sql_error(e),
            })
    }
}
