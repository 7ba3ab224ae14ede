//! A district's patrol tracks (`griddesk_caseloop::intake::track::TrackStore`, migration 7):
//! the points its inspectors' phones recorded, each kept once under its login and point id.
//! Times are kept to the second, as the station stores them; logins and point ids are ordered
//! in byte order, as at the station, whatever the server's collation.

use crate::error::{Error, Result};
use crate::model::{DistrictScope, DistrictTx};
use chrono::NaiveDateTime;
use griddesk_caseloop::intake::track::{TrackPoint, TrackStore};
use griddesk_core::code::DistrictCode;
use postgres::GenericClient;

/// A time as the station stores it: to the second.
fn to_second(t: NaiveDateTime) -> NaiveDateTime {
    t - chrono::Duration::nanoseconds(i64::from(chrono::Timelike::nanosecond(&t)))
}

fn add_points(
    c: &mut impl GenericClient,
    district: &DistrictCode,
    points: &[TrackPoint],
) -> Result<usize> {
    let d = district.as_str();
    let what = || format!("recording patrol track points in district {d}");
    let st = c
        .prepare(
            "INSERT INTO track_point
                    (district, login, point_id, patrol, recorded_at, lon, lat, accuracy,
                     received_at)
             VALUES ($1::text, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (district, login, point_id) DO NOTHING",
        )
        .map_err(|e| Error::of(e, what(), None))?;
    let mut added = 0;
    for p in points {
        let n = c
            .execute(
                &st,
                &[
                    &d,
                    &p.login,
                    &p.point_id,
                    &p.patrol,
                    &to_second(p.recorded_at),
                    &p.lon,
                    &p.lat,
                    &p.accuracy,
                    &to_second(p.received_at),
                ],
            )
            .map_err(|e| Error::of(e, what(), None))?;
        added += n as usize;
    }
    Ok(added)
}

fn points(
    c: &mut impl GenericClient,
    district: &DistrictCode,
    login: &str,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Result<Vec<TrackPoint>> {
    let d = district.as_str();
    let rows = c
        .query(
            "SELECT point_id, patrol, recorded_at, lon, lat, accuracy, received_at
               FROM track_point
              WHERE district = $1::text AND login = $2 AND recorded_at >= $3
                AND recorded_at < $4
              ORDER BY recorded_at, point_id COLLATE \"C\"",
            &[&d, &login, &to_second(from), &to_second(to)],
        )
        .map_err(|e| {
            Error::of(
                e,
                format!("reading the patrol track of `{login}` in district {d}"),
                None,
            )
        })?;
    Ok(rows
        .iter()
        .map(|r| TrackPoint {
            login: login.to_string(),
            point_id: r.get(0),
            patrol: r.get(1),
            recorded_at: r.get(2),
            lon: r.get(3),
            lat: r.get(4),
            accuracy: r.get(5),
            received_at: r.get(6),
        })
        .collect())
}

fn latest(
    c: &mut impl GenericClient,
    district: &DistrictCode,
) -> Result<Vec<(String, NaiveDateTime)>> {
    let d = district.as_str();
    let rows = c
        .query(
            "SELECT login, max(recorded_at) FROM track_point WHERE district = $1::text
              GROUP BY login ORDER BY login COLLATE \"C\"",
            &[&d],
        )
        .map_err(|e| {
            Error::of(
                e,
                format!("reading the latest patrol points of district {d}"),
                None,
            )
        })?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

impl TrackStore for DistrictTx<'_, '_> {
    fn add_track_points(&self, p: &[TrackPoint]) -> griddesk_core::Result<usize> {
        Ok(add_points(
            &mut *self.tx.tx.borrow_mut(),
            &self.district,
            p,
        )?)
    }
    fn track_points(
        &self,
        login: &str,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> griddesk_core::Result<Vec<TrackPoint>> {
        Ok(points(
            &mut *self.tx.tx.borrow_mut(),
            &self.district,
            login,
            from,
            to,
        )?)
    }
    fn track_latest(&self) -> griddesk_core::Result<Vec<(String, NaiveDateTime)>> {
        Ok(latest(&mut *self.tx.tx.borrow_mut(), &self.district)?)
    }
}

impl TrackStore for DistrictScope<'_> {
    /// All the points in one transaction of their own: a batch is kept whole or not at all.
    fn add_track_points(&self, p: &[TrackPoint]) -> griddesk_core::Result<usize> {
        let d = self.district;
        self.centre
            .transaction(|tx| tx.district(d).add_track_points(p))
    }
    fn track_points(
        &self,
        login: &str,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> griddesk_core::Result<Vec<TrackPoint>> {
        Ok(self
            .centre
            .with(|c| points(c, &self.district, login, from, to))?)
    }
    fn track_latest(&self) -> griddesk_core::Result<Vec<(String, NaiveDateTime)>> {
        Ok(self.centre.with(|c| latest(c, &self.district))?)
    }
}
