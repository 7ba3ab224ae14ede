//! A district's next task number (`griddesk_caseloop::intake::IntakeStore`): `YYYY-NNNNNNN`
//! after the highest of that year in the district, as the station numbers its cases. Two
//! districts number independently (a case is known by district and number in the centre).

use crate::error::{Error, Result};
use crate::model::{DistrictScope, DistrictTx};
use griddesk_caseloop::intake::IntakeStore;
use griddesk_core::code::DistrictCode;
use griddesk_core::message::{Message, MessageCode as C};
use postgres::GenericClient;

fn next_id(
    c: &mut impl GenericClient,
    district: &DistrictCode,
    year: i32,
) -> griddesk_core::Result<String> {
    let d = district.as_str();
    let (lo, hi) = (format!("{year:04}-0000000"), format!("{year:04}-9999999"));
    let last: Option<String> = c
        .query_opt(
            "SELECT id FROM cases
              WHERE district = $1::text AND id COLLATE \"C\" >= $2 AND id COLLATE \"C\" <= $3
                AND length(id) = 12
              ORDER BY id COLLATE \"C\" DESC LIMIT 1",
            &[&d, &lo, &hi],
        )
        .map_err(|e| {
            Error::of(
                e,
                format!("finding the last task number of {year} in district {d}"),
                None,
            )
        })?
        .map(|r| r.get(0));
    let n = last
        .as_deref()
        .and_then(|s| s.get(5..))
        .and_then(|s| s.parse::<u32>().ok())
        .unwrap_or(0);
    if n >= 9_999_999 {
        return Err(griddesk_core::Error::Invalid(
            Message::new(C::TaskNumbersExhausted)
                .int("year", year)
                .en(format!("no task numbers left for {year} in district {d}")),
        ));
    }
    Ok(format!("{year:04}-{:07}", n + 1))
}

impl IntakeStore for DistrictTx<'_, '_> {
    fn next_id(&self, year: i32) -> griddesk_core::Result<String> {
        next_id(&mut *self.tx.tx.borrow_mut(), &self.district, year)
    }
}

impl IntakeStore for DistrictScope<'_> {
    fn next_id(&self, year: i32) -> griddesk_core::Result<String> {
        let r: Result<griddesk_core::Result<String>> =
            self.centre.with(|c| Ok(next_id(c, &self.district, year)));
        r?
    }
}
