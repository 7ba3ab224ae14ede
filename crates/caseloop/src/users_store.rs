//! Users and departments in the store: `app_user`, `user_role`, `department`.

use crate::error::Result;
use griddesk_core::users::{Department, NewUser, User};

/// What this module keeps in the store: implemented by each backend (`griddesk-store-sqlite`).
pub trait UsersStore {
    /// Inserts a department.
    fn insert_department(&self, d: &Department) -> Result<()>;
    /// Every department, by code.
    fn load_departments(&self) -> Result<Vec<Department>>;
    /// Inserts a user whose password is already hashed (`phc`).
    fn insert_user(&self, u: &NewUser, phc: &str, now: &str) -> Result<()>;
    /// Every user with roles and password hash, by login.
    fn load_users(&self) -> Result<Vec<(User, String)>>;
    /// Replaces a user's password hash.
    fn set_user_password(&self, login: &str, phc: &str) -> Result<()>;
    /// Enables or disables a user.
    fn set_user_active(&self, login: &str, active: bool) -> Result<()>;
    /// Replaces a user's roles and department.
    fn set_user_roles(&self, change: &griddesk_core::users::RoleChange) -> Result<()>;
    /// Marks a user as a published demo account (or not).
    fn set_user_demo(&self, login: &str, demo: bool) -> Result<()>;
    /// Records a sign-in: accepted (`reason` `None`) or refused, and why.
    fn log_sign_in(
        &self,
        at: chrono::NaiveDateTime,
        login: &str,
        role: griddesk_core::users::Role,
        reason: Option<&str>,
    ) -> Result<()>;
    /// The refusals of `login` since its last accepted sign-in that count towards waiting
    /// (refusals for waiting do not), and when the last of them was.
    fn failed_sign_ins(&self, login: &str) -> Result<(u32, Option<chrono::NaiveDateTime>)>;
}

/// Refusals in a row after which a login must wait before its next attempt.
pub const FREE_ATTEMPTS: u32 = 5;

/// How long a login that has been refused `failures` times in a row waits after the last
/// refusal: nothing for the first [`FREE_ATTEMPTS`], then 1 s, doubling, at most 15 minutes.
pub fn sign_in_wait(failures: u32) -> chrono::Duration {
    if failures < FREE_ATTEMPTS {
        return chrono::Duration::zero();
    }
    let secs = 1i64 << (failures - FREE_ATTEMPTS).min(10);
    chrono::Duration::seconds(secs.min(15 * 60))
}
