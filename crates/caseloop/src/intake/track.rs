//! Patrol tracks (巡查轨迹, docs/station.md, "Patrol tracks"): the positions an inspector's phone
//! records while on patrol, each under the id the phone gave it, so that a point sent twice is
//! kept once. The rules (whose track, inside the district, not in the future) are the engine's.

use crate::error::Result;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// One recorded position of an inspector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackPoint {
    pub login: String,
    /// The phone's id of the point (unique per inspector).
    pub point_id: String,
    /// The phone's id of the patrol (开始巡查 … 结束巡查) the point belongs to.
    pub patrol: Option<String>,
    /// When the phone took the position (the station's local time).
    pub recorded_at: NaiveDateTime,
    pub lon: f64,
    pub lat: f64,
    /// The position's accuracy in metres, as the phone gave it.
    pub accuracy: Option<f64>,
    pub received_at: NaiveDateTime,
}

/// The store operations of patrol tracks: implemented by each backend.
pub trait TrackStore {
    /// Records the points not recorded before (by login and point id; a point already there
    /// is left as it is); returns how many were new.
    fn add_track_points(&self, points: &[TrackPoint]) -> Result<usize>;
    /// `login`'s points recorded from `from` (inclusive) to `to` (exclusive), oldest first.
    fn track_points(
        &self,
        login: &str,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> Result<Vec<TrackPoint>>;
    /// Per login, the time of its latest point.
    fn track_latest(&self) -> Result<Vec<(String, NaiveDateTime)>>;
}
