//! The SQL of `griddesk_caseloop::workflow::desk`.

use crate::error::sql_error;
use griddesk_caseloop::workflow::desk::{DeskStore, OpenRow};

impl DeskStore for crate::Db<'_> {
    fn open_case_rows(&self) -> griddesk_core::Result<Vec<OpenRow>> {
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
        ).map_err(sql_error)?;
        let mut rows = st.query([]).map_err(sql_error)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(sql_error)? {
            out.push(OpenRow {
                id: r.get(0).map_err(sql_error)?,
                status: r.get(1).map_err(sql_error)?,
                department: r.get(2).map_err(sql_error)?,
                inspector: r.get(3).map_err(sql_error)?,
                supervised: r.get(4).map_err(sql_error)?,
                request: r.get(5).map_err(sql_error)?,
                stage: r.get(6).map_err(sql_error)?,
                started_at: r.get(7).map_err(sql_error)?,
                limit_amount: r.get(8).map_err(sql_error)?,
                limit_unit: r.get(9).map_err(sql_error)?,
                extension_seconds: r.get(10).map_err(sql_error)?,
                hung_seconds: r.get(11).map_err(sql_error)?,
                deadline: r.get(12).map_err(sql_error)?,
                hang_start: r.get(13).map_err(sql_error)?,
            });
        }
        Ok(out)
    }
}
