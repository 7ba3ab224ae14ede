//! The store operations the registers need (the backend implements them inside the caller's
//! transaction; `griddesk-store-sqlite` holds the SQL).

use super::index::RegisterData;
use super::industry::Subclass;
use super::model::*;
use super::rules::Ladder;
use crate::Result;
use chrono::NaiveDateTime;

/// A row of a service object's history as stored (values as JSON objects of the fields).
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryRow {
    pub object: i64,
    pub at: NaiveDateTime,
    pub by: String,
    pub action: String,
    pub reason: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// A register photo as stored (the bytes are read on their own).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RegisterPhoto {
    pub id: i64,
    /// `object` or `vendor`.
    pub owner: String,
    pub owner_id: i64,
    pub mime: String,
    pub width: u32,
    pub height: u32,
    pub added_at: NaiveDateTime,
    pub added_by: String,
}

/// A photo to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPhoto {
    pub owner: &'static str,
    pub owner_id: i64,
    pub mime: String,
    pub width: u32,
    pub height: u32,
    pub bytes: Vec<u8>,
    pub thumb: Vec<u8>,
    pub at: NaiveDateTime,
    pub by: String,
}

/// One delivery of a notice to one object.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Delivery {
    pub notice: i64,
    pub title: String,
    pub object: i64,
    pub at: NaiveDateTime,
    pub channel: String,
    /// The text as filled in for the object.
    pub text: String,
}

/// A lookup of a person's record (who looked, when, at what).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PersonLookup {
    pub at: NaiveDateTime,
    pub by: String,
    pub role: String,
    /// `vendor`, `object`, `vendor-search`, `export`…
    pub what: String,
    pub key: String,
}

pub trait RegistersStore {
    /// Every register table (objects, sub-classes, vendors, warnings, zones, admissions, ladder).
    fn load_registers(&self) -> Result<RegisterData>;
    /// Inserts (`o.id == 0`) or replaces an object; returns its id.
    fn put_object(&self, o: &ServiceObject) -> Result<i64>;
    fn add_object_history(&self, h: &HistoryRow) -> Result<()>;
    /// An object's history, oldest first.
    fn object_history(&self, object: i64) -> Result<Vec<HistoryRow>>;
    /// Replaces the sub-class table.
    fn put_subclasses(&self, t: &[Subclass]) -> Result<()>;
    fn put_vendor(&self, v: &Vendor) -> Result<i64>;
    fn add_warning(&self, w: &Warning) -> Result<i64>;
    fn put_vending_zone(&self, z: &VendingZone) -> Result<()>;
    fn delete_vending_zone(&self, code: &str) -> Result<usize>;
    fn put_admission(&self, a: &Admission) -> Result<i64>;
    fn put_ladder(&self, l: &Ladder) -> Result<()>;
    /// Stores a notice and one delivery per `(object, text)`; returns its id.
    fn add_notice(&self, n: &Notice, deliveries: &[(i64, String)]) -> Result<i64>;
    /// Notices, newest first.
    fn notices(&self) -> Result<Vec<Notice>>;
    /// The deliveries of a notice (`Some`) or to an object (`None` notice, `object` given).
    fn deliveries(&self, notice: Option<i64>, object: Option<i64>) -> Result<Vec<Delivery>>;
    fn add_move_car(&self, r: &MoveCarReminder) -> Result<i64>;
    /// Move-car reminders from `from` (inclusive) to `to` (exclusive), oldest first.
    fn move_cars(&self, from: NaiveDateTime, to: NaiveDateTime) -> Result<Vec<MoveCarReminder>>;
    fn add_register_photo(&self, p: &NewPhoto) -> Result<i64>;
    fn register_photos(&self, owner: &str, owner_id: i64) -> Result<Vec<RegisterPhoto>>;
    /// A photo's owner (`object`, `vendor`), type and bytes (`thumb`: the thumbnail).
    fn register_photo_bytes(
        &self,
        id: i64,
        thumb: bool,
    ) -> Result<Option<(String, String, Vec<u8>)>>;
    fn log_person_lookup(&self, l: &PersonLookup) -> Result<()>;
    /// Lookups, newest first, at most `limit`.
    fn person_lookups(&self, limit: usize) -> Result<Vec<PersonLookup>>;
}
