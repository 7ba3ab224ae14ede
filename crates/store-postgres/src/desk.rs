//! A district's open cases with their flow and running stage
//! (`griddesk_caseloop::workflow::desk::DeskStore`): what the overdue rule and the work queue
//! are computed from. Times leave as the station's stored text (`YYYY-MM-DD HH:MM:SS`), which is
//! what the desk parses.

use crate::error::{Error, Result};
use crate::model::{DistrictScope, DistrictTx};
use griddesk_caseloop::workflow::desk::{DeskStore, OpenRow};
use griddesk_core::code::DistrictCode;
use griddesk_core::dates::format_datetime;
use postgres::GenericClient;

fn open_case_rows(c: &mut impl GenericClient, district: &DistrictCode) -> Result<Vec<OpenRow>> {
    let d = district.as_str();
    let rows = c
        .query(
            "SELECT c.id, c.status, f.department, f.inspector, f.supervised, f.request_kind,
                    s.stage, s.started_at, s.limit_amount, s.limit_unit, s.extension_seconds,
                    s.hung_seconds, s.deadline,
                    (SELECT h.started_at FROM case_hang h
                      WHERE h.district = s.district AND h.stage_id = s.id AND h.ended_at IS NULL
                      LIMIT 1)
               FROM cases c
               LEFT JOIN case_flow f ON f.district = c.district AND f.case_id = c.id
               LEFT JOIN case_stage s ON s.district = c.district AND s.case_id = c.id
                                     AND s.ended_at IS NULL
              WHERE c.district = $1::text
                AND c.status NOT IN ('closed', 'cancelled', 'not_accepted')",
            &[&d],
        )
        .map_err(|e| Error::of(e, format!("reading the open cases of district {d}"), None))?;
    let text = |t: Option<chrono::NaiveDateTime>| t.as_ref().map(format_datetime);
    Ok(rows
        .iter()
        .map(|r| OpenRow {
            id: r.get(0),
            status: r.get(1),
            department: r.get(2),
            inspector: r.get(3),
            supervised: r.get(4),
            request: r.get(5),
            stage: r.get(6),
            started_at: text(r.get(7)),
            limit_amount: r.get(8),
            limit_unit: r.get(9),
            extension_seconds: r.get(10),
            hung_seconds: r.get(11),
            deadline: text(r.get(12)),
            hang_start: text(r.get(13)),
        })
        .collect())
}

impl DeskStore for DistrictTx<'_, '_> {
    fn open_case_rows(&self) -> griddesk_core::Result<Vec<OpenRow>> {
        Ok(open_case_rows(
            &mut *self.tx.tx.borrow_mut(),
            &self.district,
        )?)
    }
}

impl DeskStore for DistrictScope<'_> {
    fn open_case_rows(&self) -> griddesk_core::Result<Vec<OpenRow>> {
        Ok(self.centre.with(|c| open_case_rows(c, &self.district))?)
    }
}
