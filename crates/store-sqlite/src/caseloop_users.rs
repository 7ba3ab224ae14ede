//! The SQL of `griddesk_caseloop::users_store`.

#[allow(unused_imports)]
use crate::error::{Error, Result};
#[allow(unused_imports)]
use griddesk_caseloop::users_store::*;
#[allow(unused_imports)]
use griddesk_core::users::{Department, NewUser, Role, User};
#[allow(unused_imports)]
use rusqlite::{params, Connection, OptionalExtension};

pub fn constraint(e: rusqlite::Error, what: &'static str, key: &str) -> Error {
    match &e {
        rusqlite::Error::SqliteFailure(f, msg)
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            if msg.as_deref().is_some_and(|m| m.contains("FOREIGN KEY")) {
                Error::NotFound {
                    what: "department",
                    key: key.to_string(),
                }
            } else {
                Error::Duplicate {
                    what,
                    key: key.to_string(),
                }
            }
        }
        _ => crate::error::sql_error(e),
    }
}

/// Inserts a department.
pub fn insert_department(tx: &Connection, d: &Department) -> Result<()> {
    d.validate()?;
    tx.prepare_cached("INSERT INTO department (code, name, active) VALUES (?1, ?2, ?3)")?
        .execute(params![d.code.trim(), d.name.trim(), d.active])
        .map_err(|e| constraint(e, "department", &d.code))?;
    Ok(())
}

/// Every department, by code.
pub fn load_departments(conn: &Connection) -> Result<Vec<Department>> {
    let mut stmt = conn.prepare("SELECT code, name, active FROM department ORDER BY code")?;
    let rows = stmt.query_map([], |r| {
        Ok(Department {
            code: r.get(0)?,
            name: r.get(1)?,
            active: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Refuses a department code the store does not have (a user's department must exist).
fn require_department(tx: &Connection, code: Option<&str>) -> Result<()> {
    let Some(d) = code else { return Ok(()) };
    let known: Option<i64> = tx
        .query_row("SELECT 1 FROM department WHERE code = ?1", [d], |r| {
            r.get(0)
        })
        .optional()?;
    match known {
        Some(_) => Ok(()),
        None => Err(crate::error::Sq::from(Error::NotFound {
            what: "department",
            key: d.to_string(),
        })),
    }
}

/// Inserts a user whose password is already hashed (`phc`).
pub fn insert_user(tx: &Connection, u: &NewUser, phc: &str, now: &str) -> Result<()> {
    require_department(tx, u.department.as_deref())?;
    tx.prepare_cached(
        "INSERT INTO app_user (login, name, password, department, active, created_at)
         VALUES (?1, ?2, ?3, ?4, 1, ?5)",
    )?
    .execute(params![u.login, u.name.trim(), phc, u.department, now])
    .map_err(|e| constraint(e, "user", &u.login))?;
    let mut st = tx.prepare_cached(
        "INSERT INTO user_role (login, role) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
    )?;
    for r in &u.roles {
        st.execute(params![u.login, r.key()])?;
    }
    Ok(())
}

/// Every user with roles and password hash, by login.
pub fn load_users(conn: &Connection) -> Result<Vec<(User, String)>> {
    let mut stmt = conn.prepare(
        "SELECT u.login, u.name, u.password, u.department, u.active, group_concat(r.role), u.demo
         FROM app_user u LEFT JOIN user_role r ON r.login = u.login
         GROUP BY u.login ORDER BY u.login",
    )?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let roles: Option<String> = r.get(5)?;
        let mut roles: Vec<Role> = roles
            .unwrap_or_default()
            .split(',')
            .filter_map(Role::parse)
            .collect();
        roles.sort();
        out.push((
            User {
                login: r.get(0)?,
                name: r.get(1)?,
                roles,
                department: r.get(3)?,
                active: r.get(4)?,
                demo: r.get(6)?,
            },
            r.get(2)?,
        ));
    }
    Ok(out)
}

/// Replaces a user's password hash.
pub fn set_user_password(tx: &Connection, login: &str, phc: &str) -> Result<()> {
    let n = tx.execute(
        "UPDATE app_user SET password = ?2, demo = 0 WHERE login = ?1",
        params![login, phc],
    )?;
    if n == 0 {
        return Err(crate::error::Sq::from(Error::NotFound {
            what: "user",
            key: login.to_string(),
        }));
    }
    Ok(())
}

/// Enables or disables a user.
pub fn set_user_active(tx: &Connection, login: &str, active: bool) -> Result<()> {
    let n = tx.execute(
        "UPDATE app_user SET active = ?2 WHERE login = ?1",
        params![login, active],
    )?;
    if n == 0 {
        return Err(crate::error::Sq::from(Error::NotFound {
            what: "user",
            key: login.to_string(),
        }));
    }
    Ok(())
}

/// Replaces a user's roles and department.
pub fn set_user_roles(tx: &Connection, c: &griddesk_core::users::RoleChange) -> Result<()> {
    c.validate()?;
    require_department(tx, c.department.as_deref())?;
    let n = tx.execute(
        "UPDATE app_user SET department = ?2 WHERE login = ?1",
        params![c.login, c.department],
    )?;
    if n == 0 {
        return Err(crate::error::Sq::from(Error::NotFound {
            what: "user",
            key: c.login.clone(),
        }));
    }
    tx.execute("DELETE FROM user_role WHERE login = ?1", [&c.login])?;
    let mut st = tx.prepare_cached(
        "INSERT INTO user_role (login, role) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
    )?;
    for r in &c.roles {
        st.execute(params![c.login, r.key()])?;
    }
    Ok(())
}

impl griddesk_caseloop::users_store::UsersStore for crate::Db<'_> {
    fn set_user_roles(&self, c: &griddesk_core::users::RoleChange) -> griddesk_core::Result<()> {
        (set_user_roles(self.0, c)).map_err(griddesk_core::Error::from)
    }

    fn set_user_demo(&self, login: &str, demo: bool) -> griddesk_core::Result<()> {
        self.0
            .execute(
                "UPDATE app_user SET demo = ?2 WHERE login = ?1",
                params![login, demo],
            )
            .map_err(crate::error::sql_error)?;
        Ok(())
    }

    fn log_sign_in(
        &self,
        at: chrono::NaiveDateTime,
        login: &str,
        role: griddesk_core::users::Role,
        reason: Option<&str>,
    ) -> griddesk_core::Result<()> {
        self.0
            .execute(
                "INSERT INTO sign_in_log (at, login, role, ok, reason) VALUES (?1, ?2, ?3, ?4, ?5)",
                rusqlite::params![
                    griddesk_core::dates::format_datetime(&at),
                    login,
                    role.key(),
                    reason.is_none(),
                    reason
                ],
            )
            .map_err(crate::error::sql_error)?;
        Ok(())
    }

    fn failed_sign_ins(
        &self,
        login: &str,
    ) -> griddesk_core::Result<(u32, Option<chrono::NaiveDateTime>)> {
        let (n, last): (u32, Option<String>) = self
            .0
            .query_row(
                "SELECT count(*), max(at) FROM sign_in_log
                 WHERE login = ?1 AND ok = 0 AND coalesce(reason, '') <> 'wait'
                   AND seq > coalesce((SELECT max(seq) FROM sign_in_log WHERE login = ?1 AND ok = 1), 0)",
                [login],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(crate::error::sql_error)?;
        let last = last
            .as_deref()
            .map(griddesk_core::dates::parse_datetime)
            .transpose()?;
        Ok((n, last))
    }

    fn insert_department(&self, d: &Department) -> griddesk_core::Result<()> {
        (insert_department(self.0, d)).map_err(griddesk_core::Error::from)
    }
    fn load_departments(&self) -> griddesk_core::Result<Vec<Department>> {
        (load_departments(self.0)).map_err(griddesk_core::Error::from)
    }
    fn insert_user(&self, u: &NewUser, phc: &str, now: &str) -> griddesk_core::Result<()> {
        (insert_user(self.0, u, phc, now)).map_err(griddesk_core::Error::from)
    }
    fn load_users(&self) -> griddesk_core::Result<Vec<(User, String)>> {
        (load_users(self.0)).map_err(griddesk_core::Error::from)
    }
    fn set_user_password(&self, login: &str, phc: &str) -> griddesk_core::Result<()> {
        (set_user_password(self.0, login, phc)).map_err(griddesk_core::Error::from)
    }
    fn set_user_active(&self, login: &str, active: bool) -> griddesk_core::Result<()> {
        (set_user_active(self.0, login, active)).map_err(griddesk_core::Error::from)
    }
}
