//! A throwaway PostgreSQL + PostGIS cluster for the tests, started by `scripts/centre.sh` (the
//! same script a centre is made with) in a temporary folder on a free loopback port, and
//! stopped when the last test holding it lets go, a failing one included (the guard's `Drop`).
//! Each test works in a database of its own. No PostgreSQL: the tests fail, naming the
//! script that installs it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, Weak};

pub struct Cluster {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    port: u16,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/centre.sh")
}

fn centre_sh(args: &[&str]) -> std::process::Output {
    Command::new("bash")
        .arg(script())
        .args(args)
        .output()
        .expect("bash runs scripts/centre.sh")
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    l.local_addr().expect("its address").port()
}

impl Cluster {
    fn start() -> Self {
        let tmp = tempfile::Builder::new()
            .prefix("gdc")
            .tempdir_in("/tmp")
            .expect("a temporary folder");
        // The server runs as `postgres` when the tests run as root: it must reach the folder.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755))
                .expect("opening the temporary folder to the server's user");
        }
        let dir = tmp.path().join("pg");
        let port = free_port();
        let out = centre_sh(&[
            "init",
            dir.to_str().expect("a UTF-8 temporary path"),
            "--port",
            &port.to_string(),
            "--bare",
        ]);
        let cluster = Cluster {
            _tmp: tmp,
            dir,
            port,
        };
        assert!(
            out.status.success(),
            "scripts/centre.sh init failed (PostgreSQL 15 + PostGIS 3 come with `bash scripts/install-deps.sh --test`):\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        cluster
    }

    /// The centre's administrator connection string for `database` (unix socket, trusted).
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgresql://postgres@/{database}?host={}&port={}",
            self.dir.display(),
            self.port
        )
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A new, empty database `name` (dropped first if a previous run left it) with PostGIS
    /// (`postgis: false`: without); returns its administrator URL.
    pub fn fresh_database(&self, name: &str, postgis: bool) -> String {
        let mut admin = postgres::Client::connect(&self.url("postgres"), postgres::NoTls)
            .expect("the test cluster accepts its administrator");
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .expect("dropping a test database left by an earlier run");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("creating the test database");
        let url = self.url(name);
        if postgis {
            let mut c = postgres::Client::connect(&url, postgres::NoTls).expect("connects");
            c.batch_execute("CREATE EXTENSION postgis")
                .expect("PostGIS installs in the test database");
        }
        url
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let out = centre_sh(&["stop", self.dir.to_str().unwrap_or_default()]);
        if !out.status.success() {
            eprintln!(
                "stopping the test cluster failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

static SHARED: Mutex<Weak<Cluster>> = Mutex::new(Weak::new());

/// The test cluster, started by the first test that asks and stopped when the last one
/// holding it ends.
pub fn cluster() -> Arc<Cluster> {
    let mut shared = SHARED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(c) = shared.upgrade() {
        return c;
    }
    let c = Arc::new(Cluster::start());
    *shared = Arc::downgrade(&c);
    c
}

/// Writes a sample district through the store traits in one transaction: its code tables, the
/// district, streets, communities, unit grids, duty grids, components and cases, then `more`
/// (e.g. a meta row) in the same transaction.
pub fn write_district_with(
    store: &mut impl griddesk_store::ModelStore,
    d: &griddesk_sample::SampleDistrict,
    more: &dyn Fn(&dyn griddesk_store::ModelSink) -> griddesk_core::Result<()>,
) -> griddesk_core::Result<()> {
    store.write_model(&mut |w: &dyn griddesk_store::ModelSink| {
        w.put_code_tables(&d.tables)?;
        w.put_district(&d.district)?;
        for s in &d.streets {
            w.insert_street(s)?;
        }
        for c in &d.communities {
            w.insert_community(c)?;
        }
        for g in &d.grids {
            w.insert_grid(g)?;
        }
        for g in &d.duty_grids {
            w.insert_duty_grid(g)?;
        }
        for c in &d.components {
            w.insert_component(c)?;
        }
        for c in &d.cases {
            w.insert_case(c)?;
        }
        more(w)
    })
}

/// [`write_district_with`] and nothing more; a failure fails the test.
pub fn write_district(
    store: &mut impl griddesk_store::ModelStore,
    d: &griddesk_sample::SampleDistrict,
) {
    write_district_with(store, d, &|_| Ok(())).expect("the district is written");
}
