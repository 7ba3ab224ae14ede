//! The SQL of `griddesk_caseloop::filing::store`.

use crate::clock::{TimeLimit, TimeUnit};
#[allow(unused_imports)]
use crate::error::sql_error;
#[allow(unused_imports)]
use crate::error::{Error, Result};
#[allow(unused_imports)]
use crate::model::CaseKind;
#[allow(unused_imports)]
use griddesk_caseloop::filing::store::*;
#[allow(unused_imports)]
use griddesk_caseloop::filing::{
    AreaClass, FilingCondition, FilingStandard, Stage, StageLimit, Urgency,
};
#[allow(unused_imports)]
use rusqlite::{params, Connection};

/// Reads the stored standard.
pub fn load_standard(conn: &Connection) -> Result<FilingStandard> {
    let bad = |what: String| Error::Internal(format!("stored filing standard: {what}"));
    let mut stmt = conn.prepare(
        "SELECT kind, class_code, condition, filing, closing, urgency, is_default
         FROM filing_condition ORDER BY kind, class_code, condition",
    )?;
    let mut rows = stmt.query([])?;
    let mut conds = Vec::new();
    while let Some(r) = rows.next()? {
        let kind: String = r.get(0)?;
        let urgency: String = r.get(5)?;
        conds.push(FilingCondition {
            kind: CaseKind::parse(&kind).ok_or_else(|| bad(format!("kind `{kind}`")))?,
            class_code: r.get(1)?,
            condition: r.get(2)?,
            filing: r.get(3)?,
            closing: r.get(4)?,
            urgency: Urgency::parse(&urgency).ok_or_else(|| bad(format!("urgency `{urgency}`")))?,
            is_default: r.get(6)?,
            limits: Vec::new(),
        });
    }
    let mut stmt = conn.prepare(
        "SELECT kind, class_code, condition, stage, area_class, amount, unit FROM time_limit",
    )?;
    let mut rows = stmt.query([])?;
    let mut limits: std::collections::HashMap<(String, String, String), Vec<StageLimit>> =
        std::collections::HashMap::new();
    while let Some(r) = rows.next()? {
        let stage: String = r.get(3)?;
        let area: String = r.get(4)?;
        let unit: String = r.get(6)?;
        limits
            .entry((r.get(0)?, r.get(1)?, r.get(2)?))
            .or_default()
            .push(StageLimit {
                stage: Stage::parse(&stage).ok_or_else(|| bad(format!("stage `{stage}`")))?,
                area_class: AreaClass::parse(&area)
                    .ok_or_else(|| bad(format!("area class `{area}`")))?,
                limit: TimeLimit {
                    amount: r.get(5)?,
                    unit: TimeUnit::parse(&unit).ok_or_else(|| bad(format!("unit `{unit}`")))?,
                },
            });
    }
    for c in &mut conds {
        if let Some(l) = limits.remove(&(
            c.kind.key().to_string(),
            c.class_code.clone(),
            c.condition.clone(),
        )) {
            c.limits = l;
        }
    }
    Ok(FilingStandard::from_conditions(conds)?)
}

/// Replaces every condition of the classes that `conds` mention (validated first), inside the
/// caller's transaction.
pub fn replace_conditions(tx: &Connection, conds: &[FilingCondition]) -> Result<()> {
    for c in conds {
        c.validate()?;
    }
    let mut classes: Vec<(&str, &str)> = conds
        .iter()
        .map(|c| (c.kind.key(), c.class_code.as_str()))
        .collect();
    classes.sort_unstable();
    classes.dedup();
    for (kind, class) in classes {
        tx.execute(
            "DELETE FROM filing_condition WHERE kind = ?1 AND class_code = ?2",
            params![kind, class],
        )?;
    }
    let mut ins = tx.prepare_cached(
        "INSERT INTO filing_condition (kind, class_code, condition, filing, closing, urgency, is_default)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let mut lim = tx.prepare_cached(
        "INSERT INTO time_limit (kind, class_code, condition, stage, area_class, amount, unit)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for c in conds {
        ins.execute(params![
            c.kind.key(),
            c.class_code,
            c.condition,
            c.filing,
            c.closing,
            c.urgency.key(),
            c.is_default
        ])
        .map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _)
                if f.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                Error::Duplicate {
                    what: "filing condition",
                    key: format!("{} {}/{}", c.kind.key(), c.class_code, c.condition),
                }
            }
            e => crate::error::sql_error(e),
        })?;
        for l in &c.limits {
            lim.execute(params![
                c.kind.key(),
                c.class_code,
                c.condition,
                l.stage.key(),
                l.area_class.key(),
                l.limit.amount,
                l.limit.unit.key()
            ])?;
        }
    }
    Ok(())
}

impl griddesk_caseloop::filing::store::FilingStore for crate::Db<'_> {
    fn condition_count(&self) -> griddesk_core::Result<i64> {
        self.0
            .query_row("SELECT count(*) FROM filing_condition", [], |r| r.get(0))
            .map_err(sql_error)
    }
    fn load_standard(&self) -> griddesk_core::Result<FilingStandard> {
        (load_standard(self.0)).map_err(griddesk_core::Error::from)
    }
    fn replace_conditions(&self, conds: &[FilingCondition]) -> griddesk_core::Result<()> {
        (replace_conditions(self.0, conds)).map_err(griddesk_core::Error::from)
    }
}
