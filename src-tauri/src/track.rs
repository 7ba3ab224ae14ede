//! 巡查轨迹 on the desktop map (docs/station.md, "Patrol tracks"): the inspectors whose tracks
//! the signed-in user may read, and one inspector's track on one day, to draw as a line with its
//! start, end and times. The engine checks who may read what; tracks are one inspector-day, small
//! enough to hand over whole.

use crate::cases::SignedIn;
use crate::error::{blocking, ErrorDto};
use crate::store::Store;
use griddesk::track::{PatrolTrack, TrackInspector};
use tauri::State;

#[tauri::command]
pub async fn track_inspectors(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
) -> Result<Vec<TrackInspector>, ErrorDto> {
    let by = signed.get()?;
    let loaded = store.engine()?;
    Ok(blocking(move || loaded.engine.track_inspectors(&by)).await??)
}

/// `login`'s track on `day` (`YYYY-MM-DD`).
#[tauri::command]
pub async fn track_day(
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    login: String,
    day: chrono::NaiveDate,
) -> Result<PatrolTrack, ErrorDto> {
    let by = signed.get()?;
    let loaded = store.engine()?;
    Ok(blocking(move || loaded.engine.patrol_track(&by, &login, day)).await??)
}
