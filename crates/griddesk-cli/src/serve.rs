//! `griddesk serve DB --listen ADDR`: the station service (docs/station.md) without a screen,
//! until Ctrl-C; `griddesk serve-keys issue|list|revoke`: the API keys of its client apps.

use crate::caseloop::Actor;
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use griddesk::Engine;
use griddesk_station::StationOptions;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Args)]
pub struct ServeArgs {
    db: PathBuf,
    /// Address and port to listen on, e.g. 0.0.0.0:8311 (every interface) or 127.0.0.1:8311.
    #[arg(long)]
    listen: SocketAddr,
    /// The Open311 jurisdiction_id clients may send (default: the district's code).
    #[arg(long)]
    jurisdiction: Option<String>,
}

#[derive(Subcommand)]
pub enum KeysCmd {
    /// Issue an API key to a client app (administrators); the key is printed once.
    Issue {
        db: PathBuf,
        #[command(flatten)]
        actor: Actor,
        /// The client app's name.
        #[arg(long)]
        app: String,
        /// The account the app's reports are filed as (an active 受理员, 监督员, 值班长 or 领导).
        #[arg(long = "acting-as")]
        acting_as: String,
    },
    /// List the keys issued (administrators).
    List {
        db: PathBuf,
        #[command(flatten)]
        actor: Actor,
    },
    /// Revoke a key (administrators).
    Revoke {
        db: PathBuf,
        #[command(flatten)]
        actor: Actor,
        id: i64,
    },
}

fn open(db: &Path) -> Result<Engine> {
    Engine::open(db).with_context(|| format!("cannot open store {}", db.display()))
}

/// Serves until Ctrl-C, then stops taking connections and lets the requests under way finish.
pub fn run(a: ServeArgs) -> Result<()> {
    let engine = Arc::new(open(&a.db)?);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(async move {
        let opts = StationOptions {
            jurisdiction_id: a.jurisdiction,
            ..StationOptions::default()
        };
        let handle = griddesk_station::serve(engine, a.listen, opts).await?;
        println!(
            "station service on http://{}/open311/v2/ (Ctrl-C stops it)",
            handle.local_addr()
        );
        tokio::signal::ctrl_c()
            .await
            .context("cannot wait for Ctrl-C")?;
        handle.shutdown().await?;
        println!("station service stopped");
        Ok(())
    })
}

pub fn keys(cmd: KeysCmd) -> Result<()> {
    let now = chrono::Local::now().naive_local();
    match cmd {
        KeysCmd::Issue {
            db,
            actor,
            app,
            acting_as,
        } => {
            let e = open(&db)?;
            let by = actor.required(&e)?;
            let k = e.issue_station_key(&by, &app, &acting_as, now)?;
            println!("{}", serde_json::to_string_pretty(&k)?);
            eprintln!("keep the key now: only its hash is stored");
        }
        KeysCmd::List { db, actor } => {
            let e = open(&db)?;
            let by = actor.required(&e)?;
            println!("{}", serde_json::to_string_pretty(&e.station_keys(&by)?)?);
        }
        KeysCmd::Revoke { db, actor, id } => {
            let e = open(&db)?;
            let by = actor.required(&e)?;
            e.revoke_station_key(&by, id, now)?;
            println!("key {id} revoked");
        }
    }
    Ok(())
}
