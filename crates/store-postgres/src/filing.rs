//! The filing standards (立结案标准) with their time limits
//! (`griddesk_caseloop::filing::store::FilingStore`): the city's, shared by every district, as
//! the calendar is. Stations read them; only the centre's own role changes them.

use crate::centre::{Centre, CentreTx};
use crate::error::{Error, Result};
use griddesk_caseloop::filing::store::FilingStore;
use griddesk_caseloop::filing::{
    AreaClass, FilingCondition, FilingStandard, Stage, StageLimit, Urgency,
};
use griddesk_core::clock::{TimeLimit, TimeUnit};
use griddesk_core::model::CaseKind;
use postgres::GenericClient;
use std::collections::HashMap;

fn count(c: &mut impl GenericClient) -> Result<i64> {
    Ok(c.query_one("SELECT count(*) FROM filing_condition", &[])
        .map_err(|e| Error::of(e, "counting the filing conditions", None))?
        .get(0))
}

fn corrupt(key: String, reason: String) -> Error {
    Error::Corrupt {
        what: "filing condition",
        key,
        reason,
    }
}

fn load(c: &mut impl GenericClient) -> griddesk_core::Result<FilingStandard> {
    let rows = c
        .query(
            "SELECT kind, class_code, condition, filing, closing, urgency, is_default
               FROM filing_condition ORDER BY kind, class_code, condition",
            &[],
        )
        .map_err(|e| Error::of(e, "reading the filing conditions", None))?;
    let mut conds = Vec::with_capacity(rows.len());
    for r in &rows {
        let (kind, class, cond, urgency): (&str, String, String, &str) =
            (r.get(0), r.get(1), r.get(2), r.get(5));
        let key = || format!("{kind} {class}/{cond}");
        conds.push(FilingCondition {
            kind: CaseKind::parse(kind).ok_or_else(|| corrupt(key(), format!("kind `{kind}`")))?,
            urgency: Urgency::parse(urgency)
                .ok_or_else(|| corrupt(key(), format!("urgency `{urgency}`")))?,
            filing: r.get(3),
            closing: r.get(4),
            is_default: r.get(6),
            limits: Vec::new(),
            class_code: class,
            condition: cond,
        });
    }
    // Each condition's limits in the stages' order, then A, B, C.
    let rows = c
        .query(
            "SELECT kind, class_code, condition, stage, area_class, amount, unit FROM time_limit
              ORDER BY kind, class_code, condition,
                       array_position(ARRAY['accept', 'verify', 'file', 'dispatch', 'handle',
                                            'check', 'close'], stage),
                       area_class",
            &[],
        )
        .map_err(|e| Error::of(e, "reading the time limits", None))?;
    let mut limits: HashMap<(String, String, String), Vec<StageLimit>> = HashMap::new();
    for r in &rows {
        let (kind, class, cond): (String, String, String) = (r.get(0), r.get(1), r.get(2));
        let (stage, area, unit): (&str, &str, &str) = (r.get(3), r.get(4), r.get(6));
        let key = || format!("{kind} {class}/{cond}");
        let limit = StageLimit {
            stage: Stage::parse(stage).ok_or_else(|| corrupt(key(), format!("stage `{stage}`")))?,
            area_class: AreaClass::parse(area)
                .ok_or_else(|| corrupt(key(), format!("area class `{area}`")))?,
            limit: TimeLimit {
                amount: r.get(5),
                unit: TimeUnit::parse(unit)
                    .ok_or_else(|| corrupt(key(), format!("unit `{unit}`")))?,
            },
        };
        limits.entry((kind, class, cond)).or_default().push(limit);
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
    FilingStandard::from_conditions(conds)
}

/// Replaces every condition of the classes `conds` mention (each checked first) on `c`.
fn replace(c: &mut impl GenericClient, conds: &[FilingCondition]) -> griddesk_core::Result<()> {
    for x in conds {
        x.validate()?;
    }
    let mut classes: Vec<(&str, &str)> = conds
        .iter()
        .map(|x| (x.kind.key(), x.class_code.as_str()))
        .collect();
    classes.sort_unstable();
    classes.dedup();
    for (kind, class) in classes {
        // The time limits go with their condition (ON DELETE CASCADE).
        c.execute(
            "DELETE FROM filing_condition WHERE kind = $1 AND class_code = $2",
            &[&kind, &class],
        )
        .map_err(|e| {
            Error::of(
                e,
                format!("replacing the filing conditions of {kind} {class}"),
                None,
            )
        })?;
    }
    let ins = c
        .prepare(
            "INSERT INTO filing_condition (kind, class_code, condition, filing, closing, urgency,
                                           is_default)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .map_err(|e| Error::of(e, "writing filing conditions", None))?;
    let lim = c
        .prepare(
            "INSERT INTO time_limit (kind, class_code, condition, stage, area_class, amount, unit)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .map_err(|e| Error::of(e, "writing time limits", None))?;
    for x in conds {
        let key = format!("{} {}/{}", x.kind.key(), x.class_code, x.condition);
        c.execute(
            &ins,
            &[
                &x.kind.key(),
                &x.class_code,
                &x.condition,
                &x.filing,
                &x.closing,
                &x.urgency.key(),
                &x.is_default,
            ],
        )
        .map_err(|e| {
            Error::of(
                e,
                format!("writing filing condition {key}"),
                Some(("filing condition", &key)),
            )
        })?;
        for l in &x.limits {
            c.execute(
                &lim,
                &[
                    &x.kind.key(),
                    &x.class_code,
                    &x.condition,
                    &l.stage.key(),
                    &l.area_class.key(),
                    &l.limit.amount,
                    &l.limit.unit.key(),
                ],
            )
            .map_err(|e| Error::of(e, format!("writing a time limit of {key}"), None))?;
        }
    }
    Ok(())
}

impl FilingStore for Centre {
    fn condition_count(&self) -> griddesk_core::Result<i64> {
        Ok(self.with(count)?)
    }
    fn load_standard(&self) -> griddesk_core::Result<FilingStandard> {
        self.with(|c| Ok(load(c)))?
    }
    /// In one transaction of its own.
    fn replace_conditions(&self, conds: &[FilingCondition]) -> griddesk_core::Result<()> {
        self.transaction(|tx| replace(&mut *tx.tx.borrow_mut(), conds))
    }
}

impl FilingStore for CentreTx<'_> {
    fn condition_count(&self) -> griddesk_core::Result<i64> {
        Ok(count(&mut *self.tx.borrow_mut())?)
    }
    fn load_standard(&self) -> griddesk_core::Result<FilingStandard> {
        load(&mut *self.tx.borrow_mut())
    }
    fn replace_conditions(&self, conds: &[FilingCondition]) -> griddesk_core::Result<()> {
        replace(&mut *self.tx.borrow_mut(), conds)
    }
}

/// A district's view reads the city's filing standards as the centre does (a station's role may read
/// them, never change them): the case loop is handed one view for everything.
impl FilingStore for crate::model::DistrictScope<'_> {
    fn condition_count(&self) -> griddesk_core::Result<i64> {
        self.centre.condition_count()
    }
    fn load_standard(&self) -> griddesk_core::Result<FilingStandard> {
        self.centre.load_standard()
    }
    fn replace_conditions(&self, conds: &[FilingCondition]) -> griddesk_core::Result<()> {
        self.centre.replace_conditions(conds)
    }
}

/// Inside the caller's transaction.
impl FilingStore for crate::model::DistrictTx<'_, '_> {
    fn condition_count(&self) -> griddesk_core::Result<i64> {
        self.tx.condition_count()
    }
    fn load_standard(&self) -> griddesk_core::Result<FilingStandard> {
        self.tx.load_standard()
    }
    fn replace_conditions(&self, conds: &[FilingCondition]) -> griddesk_core::Result<()> {
        self.tx.replace_conditions(conds)
    }
}
