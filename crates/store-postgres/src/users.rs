//! A district's departments, users, roles and sign-ins
//! (`griddesk_caseloop::users_store::UsersStore`): a district's own, so implemented on a
//! district's view of the centre. On [`DistrictScope`] every call runs in a transaction of its
//! own (a user and their roles go in together); on [`DistrictTx`] in the caller's.

use crate::error::{Error, Result};
use crate::model::{DistrictScope, DistrictTx};
use griddesk_caseloop::users_store::UsersStore;
use griddesk_core::code::DistrictCode;
use griddesk_core::users::{Department, NewUser, Role, RoleChange, User};
use postgres::error::SqlState;
use postgres::GenericClient;

/// A failed write: a missing department (foreign key) is [`Error::NotFound`], a key that
/// exists [`Error::Duplicate`].
fn refused(
    e: postgres::Error,
    d: &str,
    what: &'static str,
    key: &str,
    department: Option<&str>,
) -> Error {
    if e.code() == Some(&SqlState::FOREIGN_KEY_VIOLATION) {
        return Error::NotFound {
            what: "department",
            key: department.unwrap_or(key).to_string(),
            district: d.to_string(),
        };
    }
    Error::of(
        e,
        format!("writing {what} `{key}` of district {d}"),
        Some((what, key)),
    )
}

fn not_found(what: &'static str, key: &str, d: &str) -> Error {
    Error::NotFound {
        what,
        key: key.to_string(),
        district: d.to_string(),
    }
}

/// Refuses a department the district does not have (a user's department must exist).
fn require_department(c: &mut impl GenericClient, d: &str, code: Option<&str>) -> Result<()> {
    let Some(code) = code else { return Ok(()) };
    let known = c
        .query_opt(
            "SELECT 1 FROM department WHERE district = $1::text AND code = $2",
            &[&d, &code],
        )
        .map_err(|e| Error::of(e, format!("looking up department `{code}`"), None))?;
    match known {
        Some(_) => Ok(()),
        None => Err(not_found("department", code, d)),
    }
}

fn insert_department(
    c: &mut impl GenericClient,
    d: &str,
    x: &Department,
) -> griddesk_core::Result<()> {
    x.validate()?;
    let code = x.code.trim();
    c.execute(
        "INSERT INTO department (district, code, name, active) VALUES ($1::text, $2, $3, $4)",
        &[&d, &code, &x.name.trim(), &x.active],
    )
    .map_err(|e| refused(e, d, "department", code, None))?;
    Ok(())
}

fn load_departments(c: &mut impl GenericClient, d: &str) -> Result<Vec<Department>> {
    Ok(c.query(
        "SELECT code, name, active FROM department WHERE district = $1::text ORDER BY code",
        &[&d],
    )
    .map_err(|e| Error::of(e, format!("reading the departments of district {d}"), None))?
    .iter()
    .map(|r| Department {
        code: r.get(0),
        name: r.get(1),
        active: r.get(2),
    })
    .collect())
}

fn put_roles(c: &mut impl GenericClient, d: &str, login: &str, roles: &[Role]) -> Result<()> {
    for r in roles {
        c.execute(
            "INSERT INTO user_role (district, login, role) VALUES ($1::text, $2, $3)
             ON CONFLICT DO NOTHING",
            &[&d, &login, &r.key()],
        )
        .map_err(|e| {
            Error::of(
                e,
                format!("giving user `{login}` the role {}", r.key()),
                None,
            )
        })?;
    }
    Ok(())
}

fn insert_user(
    c: &mut impl GenericClient,
    d: &str,
    u: &NewUser,
    phc: &str,
    now: &str,
) -> griddesk_core::Result<()> {
    require_department(c, d, u.department.as_deref())?;
    let now = griddesk_core::dates::parse_datetime(now)?;
    c.execute(
        "INSERT INTO app_user (district, login, name, password, department, active, created_at)
         VALUES ($1::text, $2, $3, $4, $5, true, $6)",
        &[&d, &u.login, &u.name.trim(), &phc, &u.department, &now],
    )
    .map_err(|e| refused(e, d, "user", &u.login, u.department.as_deref()))?;
    put_roles(c, d, &u.login, &u.roles)?;
    Ok(())
}

fn load_users(c: &mut impl GenericClient, d: &str) -> Result<Vec<(User, String)>> {
    let rows = c
        .query(
            "SELECT u.login, u.name, u.password, u.department, u.active,
                    coalesce(array_agg(r.role) FILTER (WHERE r.role IS NOT NULL), '{}'), u.demo
               FROM app_user u
               LEFT JOIN user_role r ON r.district = u.district AND r.login = u.login
              WHERE u.district = $1::text
              GROUP BY u.district, u.login ORDER BY u.login",
            &[&d],
        )
        .map_err(|e| Error::of(e, format!("reading the users of district {d}"), None))?;
    Ok(rows
        .iter()
        .map(|r| {
            let mut roles: Vec<Role> = r
                .get::<_, Vec<String>>(5)
                .iter()
                .filter_map(|s| Role::parse(s))
                .collect();
            roles.sort();
            (
                User {
                    login: r.get(0),
                    name: r.get(1),
                    roles,
                    department: r.get(3),
                    active: r.get(4),
                    demo: r.get(6),
                },
                r.get(2),
            )
        })
        .collect())
}

fn update_user(
    c: &mut impl GenericClient,
    d: &str,
    sql: &str,
    login: &str,
    value: &(dyn postgres::types::ToSql + Sync),
    what: &str,
) -> Result<u64> {
    c.execute(sql, &[&d, &login, value])
        .map_err(|e| Error::of(e, format!("{what} of user `{login}` in district {d}"), None))
}

fn set_user_roles(
    c: &mut impl GenericClient,
    d: &str,
    x: &RoleChange,
) -> griddesk_core::Result<()> {
    x.validate()?;
    require_department(c, d, x.department.as_deref())?;
    let n = update_user(
        c,
        d,
        "UPDATE app_user SET department = $3 WHERE district = $1::text AND login = $2",
        &x.login,
        &x.department,
        "changing the department",
    )?;
    if n == 0 {
        return Err(not_found("user", &x.login, d).into());
    }
    c.execute(
        "DELETE FROM user_role WHERE district = $1::text AND login = $2",
        &[&d, &x.login],
    )
    .map_err(|e| {
        Error::of(
            e,
            format!("replacing the roles of user `{}`", x.login),
            None,
        )
    })?;
    put_roles(c, d, &x.login, &x.roles)?;
    Ok(())
}

fn log_sign_in(
    c: &mut impl GenericClient,
    d: &str,
    at: chrono::NaiveDateTime,
    login: &str,
    role: Role,
    reason: Option<&str>,
) -> Result<()> {
    c.execute(
        "INSERT INTO sign_in_log (district, at, login, role, ok, reason)
         VALUES ($1::text, $2, $3, $4, $5, $6)",
        &[&d, &at, &login, &role.key(), &reason.is_none(), &reason],
    )
    .map_err(|e| {
        Error::of(
            e,
            format!("logging a sign-in of `{login}` in district {d}"),
            None,
        )
    })?;
    Ok(())
}

fn failed_sign_ins(
    c: &mut impl GenericClient,
    d: &str,
    login: &str,
) -> Result<(u32, Option<chrono::NaiveDateTime>)> {
    let r = c
        .query_one(
            "SELECT count(*), max(at) FROM sign_in_log
              WHERE district = $1::text AND login = $2 AND NOT ok
                AND coalesce(reason, '') <> 'wait'
                AND seq > coalesce((SELECT max(seq) FROM sign_in_log
                                     WHERE district = $1::text AND login = $2 AND ok), 0)",
            &[&d, &login],
        )
        .map_err(|e| {
            Error::of(
                e,
                format!("counting the refused sign-ins of `{login}`"),
                None,
            )
        })?;
    let n: i64 = r.get(0);
    Ok((u32::try_from(n).unwrap_or(u32::MAX), r.get(1)))
}

impl UsersStore for DistrictTx<'_, '_> {
    fn insert_department(&self, x: &Department) -> griddesk_core::Result<()> {
        insert_department(&mut *self.tx.tx.borrow_mut(), self.district.as_str(), x)
    }
    fn load_departments(&self) -> griddesk_core::Result<Vec<Department>> {
        Ok(load_departments(
            &mut *self.tx.tx.borrow_mut(),
            self.district.as_str(),
        )?)
    }
    fn insert_user(&self, u: &NewUser, phc: &str, now: &str) -> griddesk_core::Result<()> {
        insert_user(
            &mut *self.tx.tx.borrow_mut(),
            self.district.as_str(),
            u,
            phc,
            now,
        )
    }
    fn load_users(&self) -> griddesk_core::Result<Vec<(User, String)>> {
        Ok(load_users(
            &mut *self.tx.tx.borrow_mut(),
            self.district.as_str(),
        )?)
    }
    fn set_user_password(&self, login: &str, phc: &str) -> griddesk_core::Result<()> {
        let d = self.district.as_str();
        let n = update_user(
            &mut *self.tx.tx.borrow_mut(),
            d,
            "UPDATE app_user SET password = $3, demo = false WHERE district = $1::text AND login = $2",
            login,
            &phc,
            "changing the password",
        )?;
        if n == 0 {
            return Err(not_found("user", login, d).into());
        }
        Ok(())
    }
    fn set_user_active(&self, login: &str, active: bool) -> griddesk_core::Result<()> {
        let d = self.district.as_str();
        let n = update_user(
            &mut *self.tx.tx.borrow_mut(),
            d,
            "UPDATE app_user SET active = $3 WHERE district = $1::text AND login = $2",
            login,
            &active,
            "enabling or disabling",
        )?;
        if n == 0 {
            return Err(not_found("user", login, d).into());
        }
        Ok(())
    }
    fn set_user_roles(&self, x: &RoleChange) -> griddesk_core::Result<()> {
        set_user_roles(&mut *self.tx.tx.borrow_mut(), self.district.as_str(), x)
    }
    fn set_user_demo(&self, login: &str, demo: bool) -> griddesk_core::Result<()> {
        update_user(
            &mut *self.tx.tx.borrow_mut(),
            self.district.as_str(),
            "UPDATE app_user SET demo = $3 WHERE district = $1::text AND login = $2",
            login,
            &demo,
            "marking the demo account",
        )?;
        Ok(())
    }
    fn log_sign_in(
        &self,
        at: chrono::NaiveDateTime,
        login: &str,
        role: Role,
        reason: Option<&str>,
    ) -> griddesk_core::Result<()> {
        Ok(log_sign_in(
            &mut *self.tx.tx.borrow_mut(),
            self.district.as_str(),
            at,
            login,
            role,
            reason,
        )?)
    }
    fn failed_sign_ins(
        &self,
        login: &str,
    ) -> griddesk_core::Result<(u32, Option<chrono::NaiveDateTime>)> {
        Ok(failed_sign_ins(
            &mut *self.tx.tx.borrow_mut(),
            self.district.as_str(),
            login,
        )?)
    }
}

impl DistrictScope<'_> {
    /// Runs `f` on this district inside a transaction of its own.
    fn in_tx<T>(
        &self,
        f: impl FnOnce(&DistrictTx<'_, '_>) -> griddesk_core::Result<T>,
    ) -> griddesk_core::Result<T> {
        let d: DistrictCode = self.district;
        self.centre.transaction(|tx| f(&tx.district(d)))
    }
}

impl UsersStore for DistrictScope<'_> {
    fn insert_department(&self, x: &Department) -> griddesk_core::Result<()> {
        self.in_tx(|t| t.insert_department(x))
    }
    fn load_departments(&self) -> griddesk_core::Result<Vec<Department>> {
        self.in_tx(|t| t.load_departments())
    }
    fn insert_user(&self, u: &NewUser, phc: &str, now: &str) -> griddesk_core::Result<()> {
        self.in_tx(|t| t.insert_user(u, phc, now))
    }
    fn load_users(&self) -> griddesk_core::Result<Vec<(User, String)>> {
        self.in_tx(|t| t.load_users())
    }
    fn set_user_password(&self, login: &str, phc: &str) -> griddesk_core::Result<()> {
        self.in_tx(|t| t.set_user_password(login, phc))
    }
    fn set_user_active(&self, login: &str, active: bool) -> griddesk_core::Result<()> {
        self.in_tx(|t| t.set_user_active(login, active))
    }
    fn set_user_roles(&self, x: &RoleChange) -> griddesk_core::Result<()> {
        self.in_tx(|t| t.set_user_roles(x))
    }
    fn set_user_demo(&self, login: &str, demo: bool) -> griddesk_core::Result<()> {
        self.in_tx(|t| t.set_user_demo(login, demo))
    }
    fn log_sign_in(
        &self,
        at: chrono::NaiveDateTime,
        login: &str,
        role: Role,
        reason: Option<&str>,
    ) -> griddesk_core::Result<()> {
        self.in_tx(|t| t.log_sign_in(at, login, role, reason))
    }
    fn failed_sign_ins(
        &self,
        login: &str,
    ) -> griddesk_core::Result<(u32, Option<chrono::NaiveDateTime>)> {
        self.in_tx(|t| t.failed_sign_ins(login))
    }
}
