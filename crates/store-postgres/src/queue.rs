//! A district's case list and case photos (`griddesk_caseloop::workflow::queue::QueueStore`):
//! the filters of the station's list, on the centre's rows of one district, in the station's
//! order (newest report first, then the case number in byte order whatever the server's
//! collation).

use crate::error::{Error, Result};
use crate::model::{DistrictScope, DistrictTx};
use griddesk_caseloop::filing::Stage;
use griddesk_caseloop::workflow::queue::{CaseFilter, QueueStore, StoredCaseRow};
use griddesk_core::code::DistrictCode;
use griddesk_core::model::{CaseKind, CaseSource, CaseStatus};
use postgres::types::ToSql;
use postgres::GenericClient;

type Param = Box<dyn ToSql + Sync>;

fn case_rows(
    c: &mut impl GenericClient,
    district: &DistrictCode,
    f: &CaseFilter,
    overdue: Option<(bool, &[&str])>,
) -> Result<(usize, Vec<StoredCaseRow>)> {
    let d = district.as_str();
    let mut args: Vec<Param> = vec![Box::new(d.to_string())];
    let mut arg = |v: Param| {
        args.push(v);
        format!("${}", args.len())
    };
    let mut wh: Vec<String> = vec!["c.district = $1::text".into()];
    if !f.status.is_empty() {
        let keys: Vec<String> = f.status.iter().map(|s| s.key().to_string()).collect();
        wh.push(format!("c.status = ANY({})", arg(Box::new(keys))));
    }
    if let Some(k) = f.kind {
        wh.push(format!("c.kind = {}", arg(Box::new(k.key().to_string()))));
    }
    if let Some(cc) = f
        .class_code
        .as_deref()
        .map(str::trim)
        .filter(|x| !x.is_empty())
    {
        wh.push(format!(
            "c.class_code LIKE {} || '%'",
            arg(Box::new(cc.to_string()))
        ));
    }
    if !f.source.is_empty() {
        let keys: Vec<String> = f.source.iter().map(|s| s.key().to_string()).collect();
        wh.push(format!("c.source = ANY({})", arg(Box::new(keys))));
    }
    if let Some(g) = f.grid.as_deref().map(str::trim).filter(|x| !x.is_empty()) {
        wh.push(format!(
            "c.grid LIKE {} || '%'",
            arg(Box::new(g.to_string()))
        ));
    }
    if let Some(dep) = f.department.as_deref().filter(|x| !x.is_empty()) {
        wh.push(format!("f.department = {}", arg(Box::new(dep.to_string()))));
    }
    if let Some(s) = f.supervised {
        wh.push(format!(
            "coalesce(f.supervised, false) = {}",
            arg(Box::new(s))
        ));
    }
    let (from, until) = griddesk_core::dates::day_bounds(f.from, f.to);
    if let Some(t) = from {
        wh.push(format!("c.reported_at >= {}", arg(Box::new(t))));
    }
    if let Some(t) = until {
        wh.push(format!("c.reported_at < {}", arg(Box::new(t))));
    }
    if let Some(t) = f.text.as_deref().map(str::trim).filter(|x| !x.is_empty()) {
        let p = arg(Box::new(t.to_string()));
        wh.push(format!(
            "(strpos(c.id, {p}) > 0 OR strpos(coalesce(c.description, ''), {p}) > 0)"
        ));
    }
    if let Some((o, ids)) = overdue {
        let ids: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
        let cond = format!("c.id = ANY({})", arg(Box::new(ids)));
        wh.push(if o { cond } else { format!("NOT {cond}") });
    }
    let where_ = format!("WHERE {}", wh.join(" AND "));
    let from = "FROM cases c
                LEFT JOIN case_flow f ON f.district = c.district AND f.case_id = c.id
                LEFT JOIN case_stage s ON s.district = c.district AND s.case_id = c.id
                                      AND s.ended_at IS NULL";
    let refs: Vec<&(dyn ToSql + Sync)> = args.iter().map(|b| b.as_ref()).collect();
    let what = || format!("listing the cases of district {d}");
    let total: i64 = c
        .query_one(&format!("SELECT count(*) {from} {where_}"), &refs)
        .map_err(|e| Error::of(e, what(), None))?
        .get(0);
    let limit = if f.limit == 0 { 50 } else { f.limit.min(1000) } as i64;
    let offset = i64::try_from(f.offset).unwrap_or(i64::MAX);
    let mut page = refs.clone();
    page.push(&limit);
    page.push(&offset);
    let rows = c
        .query(
            &format!(
                "SELECT c.id, c.kind, c.class_code, c.source, c.reported_at, c.status, c.grid,
                        c.description, f.department, coalesce(f.supervised, false),
                        coalesce(f.rework_count, 0), s.stage, s.deadline
                 {from} {where_}
                 ORDER BY c.reported_at DESC, c.id COLLATE \"C\" DESC
                 LIMIT ${} OFFSET ${}",
                refs.len() + 1,
                refs.len() + 2
            ),
            &page,
        )
        .map_err(|e| Error::of(e, what(), None))?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let id: String = r.get(0);
        let bad = |what: &str, v: &str| Error::Corrupt {
            what: "case",
            key: id.clone(),
            reason: format!("{what} `{v}`"),
        };
        let (kind, source, status): (&str, &str, &str) = (r.get(1), r.get(3), r.get(5));
        let stage: Option<&str> = r.get(11);
        let rework: i32 = r.get(10);
        out.push(StoredCaseRow {
            kind: CaseKind::parse(kind).ok_or_else(|| bad("kind", kind))?,
            class_code: r.get(2),
            source: CaseSource::parse(source).ok_or_else(|| bad("source", source))?,
            status: CaseStatus::parse(status).ok_or_else(|| bad("status", status))?,
            reported_at: r.get(4),
            grid: r.get(6),
            description: r.get(7),
            department: r.get(8),
            supervised: r.get(9),
            rework_count: u32::try_from(rework).unwrap_or(0),
            stage: stage.and_then(Stage::parse),
            deadline: r.get(12),
            id: id.clone(),
        });
    }
    Ok((usize::try_from(total).unwrap_or(0), out))
}

fn photo(
    c: &mut impl GenericClient,
    district: &DistrictCode,
    id: i64,
    column: &str,
) -> Result<postgres::Row> {
    let d = district.as_str();
    c.query_opt(
        &format!("SELECT mime, {column} FROM case_photo WHERE district = $1::text AND id = $2"),
        &[&d, &id],
    )
    .map_err(|e| Error::of(e, format!("reading photo {id} of district {d}"), None))?
    .ok_or_else(|| Error::NotFound {
        what: "photo",
        key: id.to_string(),
        district: d.to_string(),
    })
}

impl QueueStore for DistrictTx<'_, '_> {
    fn case_rows(
        &self,
        f: &CaseFilter,
        overdue: Option<(bool, &[&str])>,
    ) -> griddesk_core::Result<(usize, Vec<StoredCaseRow>)> {
        Ok(case_rows(
            &mut *self.tx.tx.borrow_mut(),
            &self.district,
            f,
            overdue,
        )?)
    }
    fn photo(&self, photo_id: i64) -> griddesk_core::Result<(String, Vec<u8>)> {
        let r = photo(
            &mut *self.tx.tx.borrow_mut(),
            &self.district,
            photo_id,
            "bytes",
        )?;
        Ok((r.get(0), r.get(1)))
    }
    fn photo_thumbnail(&self, photo_id: i64) -> griddesk_core::Result<Vec<u8>> {
        let r = photo(
            &mut *self.tx.tx.borrow_mut(),
            &self.district,
            photo_id,
            "thumb",
        )?;
        Ok(r.get(1))
    }
}

impl QueueStore for DistrictScope<'_> {
    fn case_rows(
        &self,
        f: &CaseFilter,
        overdue: Option<(bool, &[&str])>,
    ) -> griddesk_core::Result<(usize, Vec<StoredCaseRow>)> {
        Ok(self
            .centre
            .with(|c| case_rows(c, &self.district, f, overdue))?)
    }
    fn photo(&self, photo_id: i64) -> griddesk_core::Result<(String, Vec<u8>)> {
        let r = self
            .centre
            .with(|c| photo(c, &self.district, photo_id, "bytes"))?;
        Ok((r.get(0), r.get(1)))
    }
    fn photo_thumbnail(&self, photo_id: i64) -> griddesk_core::Result<Vec<u8>> {
        let r = self
            .centre
            .with(|c| photo(c, &self.district, photo_id, "thumb"))?;
        Ok(r.get(1))
    }
}
