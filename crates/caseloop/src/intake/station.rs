//! What the station service (docs/station.md) keeps beside intake: the API keys issued to
//! client apps (only a hash of each key is stored) and the reports that came in through the
//! station, each with its receipt token and the client's idempotency key, so that a report sent
//! twice files one case.

use crate::error::Result;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// An API key as listed (the key itself is shown once, when issued, and never stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StationKey {
    pub id: i64,
    /// The client app it was issued to.
    pub app: String,
    /// The first characters of the key, to tell keys apart.
    pub prefix: String,
    /// The account the app's reports are filed as.
    pub acting_login: String,
    pub issued_at: NaiveDateTime,
    pub issued_by: String,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoked_by: Option<String>,
}

/// A key to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStationKey {
    pub app: String,
    pub prefix: String,
    /// Hex SHA-256 of the key.
    pub hash: String,
    pub acting_login: String,
    pub issued_at: NaiveDateTime,
    pub issued_by: String,
}

/// A report received through the station.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StationReport {
    pub case_id: String,
    /// The receipt token given to the client.
    pub token: String,
    pub key_id: i64,
    /// The client's idempotency key (header `Idempotency-Key`, or device and client request id).
    pub idempotency: Option<String>,
    pub received_at: NaiveDateTime,
}

/// Which station reports to list: report time from–to (both inclusive), classes (any of them),
/// case ids (any of them); an empty list does not filter.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StationReportFilter {
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    pub classes: Vec<(crate::model::CaseKind, String)>,
    pub case_ids: Vec<String>,
}

/// What an inspector's phone sent under an idempotency key (migration 0011): a report
/// (`action` `report`) or a task result (the workflow action's key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneAction {
    pub login: String,
    pub idempotency: String,
    pub case_id: String,
    pub action: String,
    pub received_at: NaiveDateTime,
}

/// The store operations of the station service: implemented by each backend.
pub trait StationStore {
    /// Records a key; returns its id.
    fn add_station_key(&self, key: &NewStationKey) -> Result<i64>;
    /// Every key, newest first.
    fn station_keys(&self) -> Result<Vec<StationKey>>;
    /// The key with this hash (revoked or not).
    fn station_key_by_hash(&self, hash: &str) -> Result<Option<StationKey>>;
    /// Marks a key revoked; `false` when there is no such key or it was revoked already.
    fn revoke_station_key(&self, id: i64, at: NaiveDateTime, by: &str) -> Result<bool>;
    /// Records a report received through the station.
    fn add_station_report(&self, r: &StationReport) -> Result<()>;
    /// The report a key already sent with this idempotency key.
    fn station_report_by_idempotency(
        &self,
        key_id: i64,
        idempotency: &str,
    ) -> Result<Option<StationReport>>;
    /// The report with this receipt token.
    fn station_report_by_token(&self, token: &str) -> Result<Option<StationReport>>;
    /// Station reports whose case matches the filter, newest report first, at most `limit`.
    fn station_reports(&self, f: &StationReportFilter, limit: usize) -> Result<Vec<StationReport>>;
    /// Records what a phone sent under its idempotency key.
    fn add_phone_action(&self, a: &PhoneAction) -> Result<()>;
    /// What `login`'s phone already sent under this idempotency key.
    fn phone_action(&self, login: &str, idempotency: &str) -> Result<Option<PhoneAction>>;
}
