//! The SQL of `griddesk_caseloop::intake::track::TrackStore` (migration 0012): patrol tracks.

use crate::error::Result;
use crate::intake::track::{TrackPoint, TrackStore};
use crate::store::{format_datetime, parse_datetime};
use chrono::NaiveDateTime;
use rusqlite::params;

impl TrackStore for crate::Db<'_> {
    fn add_track_points(&self, points: &[TrackPoint]) -> griddesk_core::Result<usize> {
        let run = || -> Result<usize> {
            let mut st = self.0.prepare_cached(
                "INSERT OR IGNORE INTO track_point
                 (login, point_id, patrol, recorded_at, lon, lat, accuracy, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            let mut added = 0;
            for p in points {
                added += st.execute(params![
                    p.login,
                    p.point_id,
                    p.patrol,
                    format_datetime(&p.recorded_at),
                    p.lon,
                    p.lat,
                    p.accuracy,
                    format_datetime(&p.received_at)
                ])?;
            }
            Ok(added)
        };
        Ok(run()?)
    }

    fn track_points(
        &self,
        login: &str,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> griddesk_core::Result<Vec<TrackPoint>> {
        let run = || -> Result<Vec<TrackPoint>> {
            let mut st = self.0.prepare(
                "SELECT point_id, patrol, recorded_at, lon, lat, accuracy, received_at
                 FROM track_point WHERE login = ?1 AND recorded_at >= ?2 AND recorded_at < ?3
                 ORDER BY recorded_at, point_id",
            )?;
            let rows = st
                .query_map(
                    params![login, format_datetime(&from), format_datetime(&to)],
                    |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, Option<String>>(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, f64>(3)?,
                            r.get::<_, f64>(4)?,
                            r.get::<_, Option<f64>>(5)?,
                            r.get::<_, String>(6)?,
                        ))
                    },
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            rows.into_iter()
                .map(|(point_id, patrol, at, lon, lat, accuracy, received)| {
                    Ok(TrackPoint {
                        login: login.to_string(),
                        point_id,
                        patrol,
                        recorded_at: parse_datetime(&at)?,
                        lon,
                        lat,
                        accuracy,
                        received_at: parse_datetime(&received)?,
                    })
                })
                .collect()
        };
        Ok(run()?)
    }

    fn track_latest(&self) -> griddesk_core::Result<Vec<(String, NaiveDateTime)>> {
        let run = || -> Result<Vec<(String, NaiveDateTime)>> {
            let mut st = self.0.prepare(
                "SELECT login, MAX(recorded_at) FROM track_point GROUP BY login ORDER BY login",
            )?;
            let rows = st
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            rows.into_iter()
                .map(|(l, at)| Ok((l, parse_datetime(&at)?)))
                .collect()
        };
        Ok(run()?)
    }
}
