#[allow(unused_imports)]
use crate::analytics::evaluation::from_store::*;
use crate::analytics::evaluation::input::{EvalInput, Period};
use crate::error::Result;
#[allow(unused_imports)]
use crate::ports::*;

impl crate::Engine {
    /// The evaluation input of `period` from the case-loop tables (module docs). Built once
    /// per period and state: a workflow step (a new audit entry) or a reload builds it again.
    pub fn evaluation_input(&self, period: &Period) -> Result<std::sync::Arc<EvalInput>> {
        let loaded = self.loaded();
        let audit_seq = EvaluationStore::audit_position(&self.store().db())?;
        let mut slot = match loaded.evaluation.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        // Only this function fills the slot, always with `Cached`.
        let cached = slot
            .as_ref()
            .and_then(|c| std::sync::Arc::clone(c).downcast::<Cached>().ok());
        if let Some(c) = cached {
            if c.period == *period && c.generation == loaded.generation && c.audit_seq == audit_seq
            {
                return Ok(std::sync::Arc::clone(&c.input));
            }
        }
        let input = self.with_desk(|store, desk, index| {
            Ok((
                store.db().input_from_store(index, &desk.calendar, period)?,
                vec![],
            ))
        })?;
        let input = std::sync::Arc::new(input);
        *slot = Some(std::sync::Arc::new(Cached {
            period: *period,
            generation: loaded.generation,
            audit_seq,
            input: std::sync::Arc::clone(&input),
        }));
        Ok(input)
    }

    /// Every evaluation table of `period` (SPEC §5) from the recorded case loop, with the
    /// weights, bands and grades kept in the store.
    pub fn evaluate_period(
        &self,
        period: &Period,
    ) -> Result<crate::analytics::evaluation::Evaluation> {
        let input = self.evaluation_input(period)?;
        let cfg = self.evaluation_config()?;
        Ok(crate::analytics::evaluation::evaluate(&input, period, &cfg))
    }

    /// The task numbers behind one count of one row of [`Self::evaluate_period`], sorted.
    pub fn evaluation_cases(
        &self,
        period: &Period,
        object: crate::analytics::evaluation::ObjectRef,
        indicator: crate::analytics::evaluation::Indicator,
    ) -> Result<Vec<String>> {
        let input = self.evaluation_input(period)?;
        let mut ids: Vec<String> =
            crate::analytics::evaluation::drill(&input, period, object, indicator)
                .into_iter()
                .map(String::from)
                .collect();
        ids.sort();
        Ok(ids)
    }
}
