//! The connection to a centre and its transactions.

use crate::error::{Error, Result};
use crate::migrate;
use postgres::config::Host;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use griddesk_core::code::DistrictCode;

/// An open centre: one connection to its database. Reads take `&self` (the connection sits in
/// a cell), so the store traits that read through `&self` can be implemented on it.
pub struct Centre {
    pub(crate) client: RefCell<postgres::Client>,
    pub(crate) config: postgres::Config,
    /// The connection string without its password, for messages.
    pub(crate) target: String,
    /// How much this connection's own committed transactions bumped the generation counters
    /// it can see ([`griddesk_store::Generation`]).
    pub(crate) own_bumps: Cell<u64>,
}

impl std::fmt::Debug for Centre {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Centre")
            .field("target", &self.target)
            .finish()
    }
}

/// `user@host:port/database` of a configuration, never its password.
fn describe(config: &postgres::Config) -> String {
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        Some(Host::Unix(p)) => p.display().to_string(),
        None => "localhost".to_string(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!(
        "{}@{host}:{port}/{}",
        config.get_user().unwrap_or("(default user)"),
        config.get_dbname().unwrap_or("(default database)")
    )
}

impl Centre {
    /// Connects to the database `url` names (a `postgresql://` URL or `key=value` pairs, as
    /// libpq takes them; a `host` starting with `/` is the folder of a unix socket), without
    /// checking or changing its schema.
    pub fn connect(url: &str) -> Result<Self> {
        let config: postgres::Config = url.parse().map_err(|source| Error::Connect {
            target: "the connection string given (not shown: it may hold a password)".into(),
            source,
        })?;
        let target = describe(&config);
        let client = config
            .connect(postgres::NoTls)
            .map_err(|source| Error::Connect {
                target: target.clone(),
                source,
            })?;
        Ok(Self {
            client: RefCell::new(client),
            config,
            target,
            own_bumps: Cell::new(0),
        })
    }

    /// Connects and brings the schema up to this build's version (creating it in an empty
    /// database that has PostGIS). Safe to run again and from two processes at once.
    pub fn init(url: &str) -> Result<Self> {
        let c = Self::connect(url)?;
        migrate::migrate(&mut c.client.borrow_mut())?;
        Ok(c)
    }

    /// Connects to an existing centre of this build's schema version: a database without the
    /// schema, or with an older one, is refused (`griddesk centre init` upgrades it), and so
    /// is a newer one.
    pub fn open(url: &str) -> Result<Self> {
        let c = Self::connect(url)?;
        let found = c.schema_version()?;
        if found > migrate::current_version() {
            return Err(Error::SchemaTooNew {
                found,
                supported: migrate::current_version(),
            });
        }
        if found < migrate::current_version() {
            return Err(Error::NotACentre {
                database: c.config.get_dbname().unwrap_or_default().to_string(),
                found,
                supported: migrate::current_version(),
            });
        }
        Ok(c)
    }

    /// Where this centre is, without the password.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The applied schema version (0: not a centre yet).
    pub fn schema_version(&self) -> Result<i64> {
        migrate::version(&mut self.client.borrow_mut())
    }

    /// The role this connection acts as (`current_user`).
    pub fn role(&self) -> Result<String> {
        Ok(self
            .client
            .borrow_mut()
            .query_one("SELECT current_user::text", &[])
            .map_err(|e| Error::of(e, "naming the connection's role", None))?
            .get(0))
    }

    /// Runs `f` in one transaction: committed when it returns `Ok`, rolled back otherwise.
    pub fn transaction<T, E: From<Error>>(
        &self,
        f: impl FnOnce(&CentreTx<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let mut client = self.client.borrow_mut();
        let tx = client
            .transaction()
            .map_err(|e| Error::of(e, "starting a transaction", None))?;
        let ctx = CentreTx {
            tx: RefCell::new(tx),
            statements: RefCell::new(HashMap::new()),
            district: Cell::new(None),
            own_before: self.own_bumps.get(),
        };
        let out = f(&ctx)?;
        ctx.seal_audit()?;
        let bumped = ctx.own_bumps()?;
        ctx.tx
            .into_inner()
            .commit()
            .map_err(|e| Error::of(e, "committing", None))?;
        self.own_bumps.set(self.own_bumps.get() + bumped);
        Ok(out)
    }

    /// The sum of the generation counters this connection can see: its district's and the
    /// city's for a station, every one for the centre's own role.
    pub(crate) fn generation_sum(c: &mut postgres::Client) -> Result<u64> {
        let n: i64 = c
            .query_one(
                "SELECT coalesce(sum(n), 0)::bigint FROM centre_generation",
                &[],
            )
            .map_err(|e| Error::of(e, "reading the generation counters", None))?
            .get(0);
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Runs a read on the connection.
    pub(crate) fn with<T>(&self, f: impl FnOnce(&mut postgres::Client) -> Result<T>) -> Result<T> {
        f(&mut self.client.borrow_mut())
    }
}

/// One transaction on a centre ([`Centre::transaction`]): the handle the write traits are
/// implemented on.
pub struct CentreTx<'a> {
    pub(crate) tx: RefCell<postgres::Transaction<'a>>,
    /// Statements prepared in this transaction, by their SQL.
    statements: RefCell<HashMap<&'static str, postgres::Statement>>,
    /// The district this write is about: the one `put_district` wrote, else the one of the
    /// first coded row. `meta` rows and cases that name no unit grid or component go there.
    pub(crate) district: Cell<Option<DistrictCode>>,
    /// The connection's own bumps committed before this transaction.
    own_before: u64,
}

impl CentreTx<'_> {
    /// Runs `sql` (prepared once per transaction) with `params`; `what` names the row for an
    /// error, `dup` the thing and key a unique violation is reported as.
    pub(crate) fn exec(
        &self,
        sql: &'static str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
        what: impl Fn() -> String,
        dup: Option<(&'static str, &str)>,
    ) -> Result<u64> {
        let st = self.statement(sql, &what)?;
        self.tx
            .borrow_mut()
            .execute(&st, params)
            .map_err(|e| Error::of(e, what(), dup))
    }

    /// Queries with a statement prepared once per transaction.
    pub(crate) fn query(
        &self,
        sql: &'static str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
        what: impl Fn() -> String,
    ) -> Result<Vec<postgres::Row>> {
        let st = self.statement(sql, &what)?;
        self.tx
            .borrow_mut()
            .query(&st, params)
            .map_err(|e| Error::of(e, what(), None))
    }

    fn statement(
        &self,
        sql: &'static str,
        what: &impl Fn() -> String,
    ) -> Result<postgres::Statement> {
        if let Some(st) = self.statements.borrow().get(sql) {
            return Ok(st.clone());
        }
        let st = self
            .tx
            .borrow_mut()
            .prepare(sql)
            .map_err(|e| Error::of(e, what(), None))?;
        self.statements.borrow_mut().insert(sql, st.clone());
        Ok(st)
    }

    /// How much this transaction bumped the generation counters so far: each counter it
    /// touched is locked by it, so its value now less the value before the first bump is this
    /// transaction's alone.
    pub(crate) fn own_bumps(&self) -> Result<u64> {
        let rows = self.query(
            "SELECT coalesce(sum(n - nullif(current_setting(
                        'griddesk.gen_before_' || coalesce(district::text, 'city'), true), '')::bigint),
                        0)::bigint
               FROM centre_generation",
            &[],
            || "reading this transaction's changes".into(),
        )?;
        let n: i64 = rows.first().map(|r| r.get(0)).unwrap_or(0);
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Notes the district of the write when none is noted yet.
    pub(crate) fn note_district(&self, d: DistrictCode) {
        if self.district.get().is_none() {
            self.district.set(Some(d));
        }
    }
}

/// Changes whenever another connection commits a change to a row this connection can see
/// (for a station: of its district or the city's shared rows); this connection's own commits
/// leave it as it was.
impl griddesk_store::Generation for Centre {
    fn external_generation(&self) -> griddesk_core::Result<u64> {
        let sum = self.with(Centre::generation_sum)?;
        Ok(sum.saturating_sub(self.own_bumps.get()))
    }
}

/// Inside a transaction: as [`Centre`]'s, this transaction's own changes left out too.
impl griddesk_store::Generation for CentreTx<'_> {
    fn external_generation(&self) -> griddesk_core::Result<u64> {
        let rows = self.query(
            "SELECT coalesce(sum(n), 0)::bigint FROM centre_generation",
            &[],
            || "reading the generation counters".into(),
        )?;
        let sum = u64::try_from(rows.first().map(|r| r.get::<_, i64>(0)).unwrap_or(0)).unwrap_or(0);
        Ok(sum.saturating_sub(self.own_before + self.own_bumps()?))
    }
}
