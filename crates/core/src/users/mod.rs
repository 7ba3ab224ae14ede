//! Users, roles (SPEC §4.2) and departments; sign-in against argon2id password hashes.
//!
//! A user holds one or more roles and signs in *as* one of them; a 专业部门 user is bound to a
//! department and may act only on that department's cases. Passwords are stored as argon2id
//! PHC strings (`$argon2id$v=19$m=19456,t=2,p=1$…`), never in clear.

use crate::error::{Error, Result};
use crate::message::{Message, MessageCode as C};
use crate::model::keyed_enum;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use serde::{Deserialize, Serialize};

keyed_enum!(
    /// A position in the district centre (SPEC §4.2).
    Role {
        /// 监督员 / 信息采集员: reports, verifies, checks, may self-handle.
        Inspector = ("inspector", "监督员"),
        /// 受理员: accepts reports, sends verification tasks.
        Receptionist = ("receptionist", "受理员"),
        /// 值班长: files, approves cancellation, closes.
        ShiftLeader = ("shift_leader", "值班长"),
        /// 派遣员: dispatches; approves extension, return, hang-up; supervises.
        Dispatcher = ("dispatcher", "派遣员"),
        /// 专业部门: handles its own department's cases and feeds back.
        Department = ("department", "专业部门"),
        /// 领导 / 指挥长: instructions and supervision.
        Leader = ("leader", "领导"),
        /// 系统管理员: users, departments, routing, calendar, limits.
        Admin = ("admin", "系统管理员"),
        /// 网格规划员: draws, codes and edits unit grids and responsibility zones (SPEC §1, §7).
        Planner = ("planner", "网格规划员"),
    }
);

impl Role {
    /// Whether this role sees people's names and phone numbers in full (docs/trust.md, "Personal data"):
    /// the desk roles that call reporters and staff back (受理员, 值班长, 派遣员), 领导 and
    /// 系统管理员; for staff contacts also 网格规划员, who keeps the people records. Everyone
    /// else sees them masked.
    pub fn sees_personal_data(self, what: PersonalData) -> bool {
        match self {
            Role::Receptionist
            | Role::ShiftLeader
            | Role::Dispatcher
            | Role::Leader
            | Role::Admin => true,
            Role::Planner => what == PersonalData::Staff,
            Role::Inspector | Role::Department => false,
        }
    }
}

/// Whose personal data: citizens who reported a case, or the staff in responsibility zones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonalData {
    Reporter,
    Staff,
    /// Vendors and the legal representatives and contacts of service objects (the street
    /// registers): phones, ID numbers, photos of people.
    Register,
}

/// A name with all but its first character hidden (`张三丰` → `张**`).
pub fn mask_name(name: &str) -> String {
    let mut cs = name.trim().chars();
    match cs.next() {
        None => String::new(),
        Some(first) => {
            let rest = cs.count().max(1);
            format!("{first}{}", "*".repeat(rest))
        }
    }
}

/// A phone number with its middle hidden: the first three and last four digits stay
/// (`13812345678` → `138****5678`); a short number keeps only its last two characters.
pub fn mask_phone(phone: &str) -> String {
    let cs: Vec<char> = phone.trim().chars().collect();
    let n = cs.len();
    if n >= 11 {
        let mut out: String = cs[..3].iter().collect();
        out.push_str(&"*".repeat(n - 7));
        out.extend(&cs[n - 4..]);
        out
    } else if n > 2 {
        let mut out = "*".repeat(n - 2);
        out.extend(&cs[n - 2..]);
        out
    } else {
        "*".repeat(n)
    }
}

/// A handling department (专业部门 / 责任单位).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Department {
    /// Short code, unique (e.g. `D01`, or the 18-character unified social credit code).
    pub code: String,
    pub name: String,
    pub active: bool,
}

impl Department {
    /// Checks the code and name.
    pub fn validate(&self) -> Result<()> {
        let c = self.code.trim();
        if c.is_empty() || c.len() > 32 || c.contains(char::is_whitespace) {
            return Err(Error::Invalid(
                Message::new(C::DepartmentCodeInvalid)
                    .text("code", &self.code)
                    .en(format!(
                        "department code `{}`: 1–32 characters without spaces",
                        self.code
                    )),
            ));
        }
        if self.name.trim().is_empty() {
            return Err(Error::Invalid(
                Message::new(C::DepartmentNameEmpty)
                    .text("code", c)
                    .en(format!("department `{c}`: the name is empty")),
            ));
        }
        Ok(())
    }
}

/// A user as listed (no password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct User {
    pub login: String,
    /// Display name, e.g. `何明`.
    pub name: String,
    pub roles: Vec<Role>,
    /// The department a 专业部门 user belongs to.
    pub department: Option<String>,
    pub active: bool,
    /// A published demo account of the sample district whose password was never changed.
    #[serde(default)]
    pub demo: bool,
}

/// A user to create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NewUser {
    pub login: String,
    pub name: String,
    pub password: String,
    pub roles: Vec<Role>,
    pub department: Option<String>,
}

/// New roles (and department) for an existing user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RoleChange {
    pub login: String,
    pub roles: Vec<Role>,
    pub department: Option<String>,
}

impl RoleChange {
    /// Checks what [`NewUser::validate`] checks of roles and department.
    pub fn validate(&self) -> Result<()> {
        NewUser {
            login: self.login.clone(),
            name: "-".into(),
            password: "-".repeat(MIN_PASSWORD),
            roles: self.roles.clone(),
            department: self.department.clone(),
        }
        .validate()
    }
}

/// Checks a new password (length).
pub fn check_password(login: &str, pw: &str) -> Result<()> {
    validate_password(login, pw)
}

/// Minimum password length.
pub const MIN_PASSWORD: usize = 6;

impl NewUser {
    /// Checks login, name, password length, roles, and that a 专业部门 user names a department.
    pub fn validate(&self) -> Result<()> {
        validate_login(&self.login)?;
        if self.name.trim().is_empty() {
            return Err(Error::Invalid(
                Message::new(C::UserNameEmpty)
                    .text("login", &self.login)
                    .en(format!("user `{}`: the name is empty", self.login)),
            ));
        }
        validate_password(&self.login, &self.password)?;
        if self.roles.is_empty() {
            return Err(Error::Invalid(
                Message::new(C::UserNeedsRole)
                    .text("login", &self.login)
                    .en(format!("user `{}`: give at least one role", self.login)),
            ));
        }
        if self.roles.contains(&Role::Department) && self.department.is_none() {
            return Err(Error::Invalid(
                Message::new(C::DepartmentUserNeedsDepartment)
                    .text("login", &self.login)
                    .en(format!(
                        "user `{}`: a 专业部门 user must belong to a department",
                        self.login
                    )),
            ));
        }
        Ok(())
    }
}

fn validate_login(login: &str) -> Result<()> {
    let ok = (2..=32).contains(&login.len())
        && login
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid(
            Message::new(C::LoginInvalid)
                .text("login", login)
                .en(format!(
                    "login `{login}`: 2–32 characters of a–z, 0–9, `.`, `_`, `-`"
                )),
        ))
    }
}

fn validate_password(login: &str, pw: &str) -> Result<()> {
    if pw.chars().count() < MIN_PASSWORD {
        return Err(Error::Invalid(
            Message::new(C::PasswordTooShort)
                .text("login", login)
                .int("min", MIN_PASSWORD)
                .en(format!(
                    "user `{login}`: the password must have at least {MIN_PASSWORD} characters"
                )),
        ));
    }
    Ok(())
}

/// Why a sign-in was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum SignInRefusal {
    /// Unknown login or wrong password (not told apart, on purpose).
    #[error("wrong login or password")]
    BadCredentials,
    /// The account is disabled.
    #[error("account `{login}` is disabled")]
    Inactive { login: String },
    /// The user does not hold the role asked for.
    #[error("`{login}` does not hold the role {}", role.zh())]
    RoleNotHeld { login: String, role: Role },
    /// Too many refusals in a row: the login must wait before its next attempt.
    #[error("too many failed sign-ins for `{login}`: try again in {seconds} s")]
    Wait { login: String, seconds: i64 },
    /// A phone's session has expired, was signed out, or never existed (docs/station.md).
    #[error("the session has ended: sign in again")]
    SessionEnded,
}

impl SignInRefusal {
    /// The refusal as a message for the UI.
    pub fn message(&self) -> crate::message::Message {
        use crate::message::{Message, MessageCode as C};
        match self {
            SignInRefusal::BadCredentials => Message::new(C::SignInBadCredentials),
            SignInRefusal::Inactive { login } => {
                Message::new(C::SignInInactive).text("login", login)
            }
            SignInRefusal::RoleNotHeld { login, role } => Message::new(C::SignInRoleNotHeld)
                .text("login", login)
                .term("role", *role),
            SignInRefusal::Wait { login, seconds } => Message::new(C::SignInWait)
                .text("login", login)
                .int("seconds", *seconds),
            SignInRefusal::SessionEnded => Message::new(C::SignInSessionEnded),
        }
    }
}

/// A signed-in user acting in one role: what every workflow call names as its actor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Session {
    pub login: String,
    pub name: String,
    pub role: Role,
    /// For a 专业部门 session: the user's department.
    pub department: Option<String>,
}

/// Hashes a password as an argon2id PHC string with a random salt.
pub fn hash_password(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    rand::Rng::fill(&mut rand::thread_rng(), &mut salt);
    hash_with_salt(password, &salt)
}

/// Hashes with a given salt (deterministic: used for the sample store's demo users).
pub fn hash_with_salt(password: &str, salt: &[u8; 16]) -> Result<String> {
    let salt =
        SaltString::encode_b64(salt).map_err(|e| Error::Internal(format!("password salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("password hashing: {e}")))
}

/// Whether `password` matches a PHC string (false for a malformed one).
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash to verify against for unknown logins, so that both paths take the same time.
#[doc(hidden)]
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_with_salt("decoy-password", &[0x5a; 16]).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong horse", &h));
        assert!(!verify_password("x", "not a hash"));
        assert!(decoy_hash().starts_with("$argon2id$"));
        assert!(!verify_password("x", decoy_hash()));
        // Random salts: two hashes of one password differ; a fixed salt is reproducible.
        assert_ne!(h, hash_password("correct horse").unwrap());
        assert_eq!(
            hash_with_salt("pw1234", &[7; 16]).unwrap(),
            hash_with_salt("pw1234", &[7; 16]).unwrap()
        );
    }

    #[test]
    fn new_users_are_validated() {
        let ok = NewUser {
            login: "he.ming".into(),
            name: "何明".into(),
            password: "secret1".into(),
            roles: vec![Role::Inspector],
            department: None,
        };
        ok.validate().unwrap();
        let bad = [
            NewUser {
                login: "A".into(),
                ..ok.clone()
            },
            NewUser {
                login: "has space".into(),
                ..ok.clone()
            },
            NewUser {
                name: " ".into(),
                ..ok.clone()
            },
            NewUser {
                password: "12345".into(),
                ..ok.clone()
            },
            NewUser {
                roles: vec![],
                ..ok.clone()
            },
            NewUser {
                roles: vec![Role::Department],
                ..ok.clone()
            },
        ];
        for u in bad {
            assert!(u.validate().is_err(), "{u:?}");
        }
    }

    #[test]
    fn personal_data_is_masked_for_roles_that_do_not_call_people() {
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_name("李"), "李*");
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("0576-8412345"), "057*****2345");
        assert_eq!(mask_phone("12345"), "***45");
        assert!(Role::Receptionist.sees_personal_data(PersonalData::Reporter));
        assert!(!Role::Inspector.sees_personal_data(PersonalData::Reporter));
        assert!(!Role::Department.sees_personal_data(PersonalData::Staff));
        assert!(Role::Planner.sees_personal_data(PersonalData::Staff));
        assert!(!Role::Planner.sees_personal_data(PersonalData::Reporter));
    }

    #[test]
    fn roles_parse_from_keys_and_chinese() {
        assert_eq!(Role::parse("shift_leader"), Some(Role::ShiftLeader));
        assert_eq!(Role::parse("值班长"), Some(Role::ShiftLeader));
        assert_eq!(Role::parse("网格规划员"), Some(Role::Planner));
        assert_eq!(Role::parse("boss"), None);
        assert_eq!(Role::ALL.len(), 8);
    }
}
