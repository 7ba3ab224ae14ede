//! Station roles: one PostgreSQL login role per district station, limited by row-level
//! security to its district's rows and the shared ones (migrations/0002_stations.sql).

use crate::centre::Centre;
use crate::error::{Error, Result};
use griddesk_core::code::DistrictCode;
use postgres::config::Host;

/// What a station needs to log in to the centre.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationCredentials {
    pub district: DistrictCode,
    pub role: String,
    pub password: String,
    pub host: String,
    pub port: u16,
    pub database: String,
}

impl StationCredentials {
    /// `postgresql://role:password@host:port/database` (the role and password need no
    /// escaping: letters, digits and `_`).
    pub fn url(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        format!(
            "postgresql://{}:{}@{host}:{}/{}",
            self.role, self.password, self.port, self.database
        )
    }
}

impl Centre {
    /// Creates the station role of `district` (or gives the existing one a new password: the
    /// old one stops working) and returns its credentials. `host` is the address stations reach
    /// the server at; by default the host of this connection (for a unix socket: 127.0.0.1,
    /// where scripts/centre.sh's server listens). Needs a role that may create roles.
    pub fn add_station(
        &self,
        district: &DistrictCode,
        host: Option<&str>,
    ) -> Result<StationCredentials> {
        let code = district.as_str();
        let row = self.with(|c| {
            c.query_one(
                "SELECT role_name, password, current_database()::text FROM griddesk_add_station($1)",
                &[&code],
            )
            .map_err(|e| {
                if e.code() == Some(&postgres::error::SqlState::NO_DATA_FOUND) {
                    Error::UnknownDistrict(code.to_string())
                } else {
                    Error::of(e, format!("creating the station role of district {code}"), None)
                }
            })
        })?;
        let host = match host {
            Some(h) => h.to_string(),
            None => match self.config.get_hosts().first() {
                Some(Host::Tcp(h)) => h.clone(),
                _ => "127.0.0.1".to_string(),
            },
        };
        Ok(StationCredentials {
            district: *district,
            role: row.get(0),
            password: row.get(1),
            host,
            port: self.config.get_ports().first().copied().unwrap_or(5432),
            database: row.get(2),
        })
    }

    /// The district whose station role this connection is (`None`: not a station's).
    pub fn station_district(&self) -> Result<Option<DistrictCode>> {
        let d: Option<String> = self.with(|c| {
            Ok(c.query_one("SELECT griddesk_station_district()", &[])
                .map_err(|e| Error::of(e, "asking which station this role is", None))?
                .get(0))
        })?;
        d.map(|d| {
            DistrictCode::parse(&d).map_err(|e| Error::Corrupt {
                what: "station",
                key: d.clone(),
                reason: e.to_string(),
            })
        })
        .transpose()
    }
}
