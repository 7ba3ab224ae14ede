//! The SQL of `griddesk_caseloop::workflow::desk`.

use crate::error::Result;
use griddesk_caseloop::workflow::desk::{DeskStore, OpenRow};

impl DeskStore for crate::Db<'_> {
    fn open_case_rows(&self) -> Result<Vec<OpenRow>> {
        let conn = self.0;
        let mut st = conn.prepare(
            "SELECT c.id, c.status, f.department, f.inspector, f.supervised, f.request_kind,
                    s.stage, s.started_at, s.limit_amount, s.limit_unit, s.extension_seconds,
                    s.hung_seconds, s.deadline,
                    (SELECT h.started_at FROM case_hang h WHERE h.stage_id = s.id AND h.ended_at IS NULL)
             FROM cases c
             LEFT JOIN case_flow f ON f.case_id = c.id
             LEFT JOIN case_stage s ON s.case_id = c.id AND s.ended_at IS NULL
             WHERE c.status NOT IN ('closed', 'cancelled', 'not_accepted')",
        )?;
        let mut rows = st.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(OpenRow {
                id: r.get(0)?,
                status: r.get(1)?,
                department: r.get(2)?,
                inspector: r.get(3)?,
                supervised: r.get(4)?,
                request: r.get(5)?,
                stage: r.get(6)?,
                started_at: r.get(7)?,
                limit_amount: r.get(8)?,
                limit_unit: r.get(9)?,
                extension_seconds: r.get(10)?,
                hung_seconds: r.get(11)?,
                deadline: r.get(12)?,
                hang_start: r.get(13)?,
            });
        }
        Ok(out)
    }
}
