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
}
