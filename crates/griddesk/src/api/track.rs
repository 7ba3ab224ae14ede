//! Patrol tracks (巡查轨迹, docs/station.md, "Patrol tracks"): the positions an inspector's phone
//! records while on patrol (开始巡查 … 结束巡查), sent in batches through the station, and read
//! back per inspector and day for the desktop map.
//!
//! Recording: only the signed-in inspector's own track, at most [`MAX_TRACK_BATCH`] points a
//! batch, every point inside the district and not later than now (a phone's clock may run
//! [`TRACK_CLOCK_SKEW_MINUTES`] ahead). A batch with one bad point is refused whole and records
//! nothing; the refusal names the point (`index`, from 1). Each point carries the phone's id for
//! it: a point sent again is kept once. Reading: an inspector their own track; 值班长, 派遣员,
//! 领导 and 系统管理员 anyone's.

#[allow(unused_imports)]
use crate::ports::*;

use crate::error::{Error, Permission, Result};
use crate::message::{Message, MessageCode as C};
use crate::users::{Role, Session};
use crate::Engine;
use chrono::{Duration, NaiveDate, NaiveDateTime};
use griddesk_caseloop::intake::track::{TrackPoint, TrackStore as _};
use serde::Serialize;

/// Most points one batch may carry.
pub const MAX_TRACK_BATCH: usize = 500;
/// How far ahead of the station's clock a phone's clock may run.
pub const TRACK_CLOCK_SKEW_MINUTES: i64 = 5;
/// Longest id a phone may give a point or a patrol.
const MAX_ID: usize = 64;
/// The roles that read anyone's track (an inspector reads their own).
pub const TRACK_READERS: &[Role] = &[
    Role::ShiftLeader,
    Role::Dispatcher,
    Role::Leader,
    Role::Admin,
];

/// A position as a phone sends it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrackPointIn {
    /// The phone's id of the point.
    pub id: String,
    /// The phone's id of the patrol.
    pub patrol: Option<String>,
    /// When the position was taken (the station's local time).
    pub at: NaiveDateTime,
    pub lon: f64,
    pub lat: f64,
    /// Metres.
    pub accuracy: Option<f64>,
}

/// What recording a batch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TrackRecorded {
    /// Points in the batch.
    pub received: usize,
    /// Points new to the store (the others had been recorded before).
    pub recorded: usize,
}

/// An inspector whose track may be read, with the day of their latest point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TrackInspector {
    pub login: String,
    pub name: String,
    pub active: bool,
    pub last_day: Option<NaiveDate>,
}

/// One recorded position, as read back.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TrackFix {
    pub at: NaiveDateTime,
    pub lon: f64,
    pub lat: f64,
    pub accuracy: Option<f64>,
}

/// One patrol's line: its positions in time order.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TrackLine {
    pub from: NaiveDateTime,
    pub to: NaiveDateTime,
    /// `[lon, lat]`, oldest first.
    pub coordinates: Vec<[f64; 2]>,
}

/// An inspector's track on one day.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PatrolTrack {
    pub login: String,
    pub name: String,
    pub day: NaiveDate,
    /// Every position of the day, oldest first.
    pub fixes: Vec<TrackFix>,
    /// One line per patrol (a patrol's points in time order).
    pub lines: Vec<TrackLine>,
    /// Length of the lines, metres (great-circle).
    pub distance_m: f64,
}

fn bad(index: usize, field: &str) -> Error {
    Error::Invalid(
        Message::new(C::TrackPointBad)
            .int("index", index as i64)
            .text("field", field)
            .en(format!(
                "track point {index}: `{field}` is missing or not valid"
            )),
    )
}

fn id_ok(s: &str) -> bool {
    let t = s.trim();
    !t.is_empty() && t.chars().count() <= MAX_ID
}

/// Metres between two `[lon, lat]` points on a sphere of the earth's mean radius.
fn metres(a: [f64; 2], b: [f64; 2]) -> f64 {
    let (p1, p2) = (a[1].to_radians(), b[1].to_radians());
    let dp = p2 - p1;
    let dl = (b[0] - a[0]).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * h.sqrt().min(1.0).asin()
}

impl Engine {
    /// Whether a point lies in the district: in an active grid, or else inside the district's
    /// outline (a store without an outline: in a grid only).
    fn in_district(&self, lon: f64, lat: f64) -> bool {
        if crate::io::check_lon_lat(lon, lat).is_err() {
            return false;
        }
        if self.grid_at(lon, lat).is_some() {
            return true;
        }
        let l = self.loaded();
        match &l.index.district {
            Some(d) if !d.boundary.0.is_empty() => {
                use geo::Contains;
                d.boundary.contains(&geo_types::Point::new(lon, lat))
            }
            _ => false,
        }
    }

    /// Records a batch of `inspector`'s track from their phone's session `by`: refused unless
    /// `by` is that inspector, signed in as 监督员 (a phone records only its own track). Every
    /// point is checked first; one bad point refuses the batch and nothing is recorded. Points
    /// recorded before (same id) are left as they are: a batch sent again changes nothing.
    pub fn record_track(
        &self,
        by: &Session,
        inspector: &str,
        points: &[TrackPointIn],
        now: NaiveDateTime,
    ) -> Result<TrackRecorded> {
        if by.role != Role::Inspector || by.login != inspector.trim() {
            return Err(Error::Invalid(
                Message::new(C::TrackNotOwn)
                    .text("login", &by.login)
                    .en(format!(
                        "`{}` may record only their own track, not `{}`'s",
                        by.login,
                        inspector.trim()
                    )),
            ));
        }
        // The account is still active and holds the role (as at every phone request).
        self.require_role(by, &[Role::Inspector], Permission::ReadTracks)?;
        if points.len() > MAX_TRACK_BATCH {
            return Err(Error::Invalid(
                Message::new(C::TrackBatchTooLarge)
                    .int("max", MAX_TRACK_BATCH as i64)
                    .en(format!(
                        "{} points: send at most {MAX_TRACK_BATCH} at once",
                        points.len()
                    )),
            ));
        }
        let latest = now + Duration::minutes(TRACK_CLOCK_SKEW_MINUTES);
        let mut rows = Vec::with_capacity(points.len());
        for (i, p) in points.iter().enumerate() {
            let n = i + 1;
            if !id_ok(&p.id) {
                return Err(bad(n, "id"));
            }
            if p.patrol.as_deref().is_some_and(|s| !id_ok(s)) {
                return Err(bad(n, "patrol"));
            }
            if p.accuracy.is_some_and(|a| !a.is_finite() || a < 0.0) {
                return Err(bad(n, "accuracy"));
            }
            if !p.lon.is_finite() || !p.lat.is_finite() {
                return Err(bad(n, "lon/lat"));
            }
            if p.at > latest {
                let time = griddesk_core::dates::format_datetime(&p.at);
                return Err(Error::Invalid(
                    Message::new(C::TrackPointFuture)
                        .int("index", n as i64)
                        .text("time", &time)
                        .en(format!(
                            "track point {n} was recorded at {time}, later than now"
                        )),
                ));
            }
            if !self.in_district(p.lon, p.lat) {
                return Err(Error::Invalid(
                    Message::new(C::TrackPointOutside)
                        .int("index", n as i64)
                        .num("lon", p.lon)
                        .num("lat", p.lat)
                        .en(format!(
                            "track point {n} ({}, {}) is outside the district",
                            p.lon, p.lat
                        )),
                ));
            }
            rows.push(TrackPoint {
                login: by.login.clone(),
                point_id: p.id.trim().to_string(),
                patrol: p.patrol.as_deref().map(|s| s.trim().to_string()),
                recorded_at: p.at,
                lon: p.lon,
                lat: p.lat,
                accuracy: p.accuracy,
                received_at: now,
            });
        }
        let recorded = self.store().transaction(|tx| tx.add_track_points(&rows))?;
        Ok(TrackRecorded {
            received: points.len(),
            recorded,
        })
    }

    /// Refused unless `by` may read `inspector`'s track.
    fn may_read_track(&self, by: &Session, inspector: &str) -> Result<()> {
        if by.role == Role::Inspector && by.login == inspector {
            return self.require_role(by, &[Role::Inspector], Permission::ReadTracks);
        }
        self.require_role(by, TRACK_READERS, Permission::ReadTracks)
    }

    /// The inspectors whose tracks `by` may read (an inspector: themselves; 值班长, 派遣员, 领导
    /// and 系统管理员: every account holding the 监督员 role), with the day of their latest point.
    pub fn track_inspectors(&self, by: &Session) -> Result<Vec<TrackInspector>> {
        let everyone = by.role != Role::Inspector;
        if everyone {
            self.require_role(by, TRACK_READERS, Permission::ReadTracks)?;
        } else {
            self.require_role(by, &[Role::Inspector], Permission::ReadTracks)?;
        }
        let latest = self.store().db().track_latest()?;
        self.with_desk(|_, desk, _| {
            let out = desk
                .users
                .values()
                .map(|(u, _)| u)
                .filter(|u| u.roles.contains(&Role::Inspector))
                .filter(|u| everyone || u.login == by.login)
                .map(|u| TrackInspector {
                    login: u.login.clone(),
                    name: u.name.clone(),
                    active: u.active,
                    last_day: latest
                        .iter()
                        .find(|(l, _)| *l == u.login)
                        .map(|(_, t)| t.date()),
                })
                .collect();
            Ok((out, vec![]))
        })
    }

    /// `inspector`'s track on `day`: every position, and one line per patrol.
    pub fn patrol_track(
        &self,
        by: &Session,
        inspector: &str,
        day: NaiveDate,
    ) -> Result<PatrolTrack> {
        let inspector = inspector.trim();
        self.may_read_track(by, inspector)?;
        let name = self.with_desk(|_, desk, _| {
            Ok((
                desk.users.get(inspector).map(|(u, _)| u.name.clone()),
                vec![],
            ))
        })?;
        let Some(name) = name else {
            return Err(Error::NotFound {
                what: "inspector",
                key: inspector.to_string(),
            });
        };
        let from = day.and_time(chrono::NaiveTime::MIN);
        let points = self
            .store()
            .db()
            .track_points(inspector, from, from + Duration::days(1))?;
        // One line per patrol, in the order its first point was taken.
        let mut lines: Vec<(Option<String>, TrackLine)> = Vec::new();
        for p in &points {
            match lines.iter_mut().find(|(k, _)| *k == p.patrol) {
                Some((_, l)) => {
                    l.to = p.recorded_at;
                    l.coordinates.push([p.lon, p.lat]);
                }
                None => lines.push((
                    p.patrol.clone(),
                    TrackLine {
                        from: p.recorded_at,
                        to: p.recorded_at,
                        coordinates: vec![[p.lon, p.lat]],
                    },
                )),
            }
        }
        let lines: Vec<TrackLine> = lines.into_iter().map(|(_, l)| l).collect();
        let distance_m = lines
            .iter()
            .flat_map(|l| l.coordinates.windows(2).map(|w| metres(w[0], w[1])))
            .sum();
        Ok(PatrolTrack {
            login: inspector.to_string(),
            name,
            day,
            fixes: points
                .iter()
                .map(|p| TrackFix {
                    at: p.recorded_at,
                    lon: p.lon,
                    lat: p.lat,
                    accuracy: p.accuracy,
                })
                .collect(),
            lines,
            distance_m,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::metres;

    #[test]
    fn metres_on_the_ground() {
        // 0.001° of latitude is about 111 m anywhere.
        let d = metres([121.0, 28.0], [121.0, 28.001]);
        assert!((d - 111.2).abs() < 0.5, "{d}");
        assert_eq!(metres([121.0, 28.0], [121.0, 28.0]), 0.0);
    }
}
