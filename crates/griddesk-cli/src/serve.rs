//! `griddesk serve DB --listen ADDR [--https]`: the station service (docs/station.md) without a screen,
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
    /// The folder of the phone pages (the build of ui/phone: `npx vite build --config
    /// vite.phone.config.ts` in ui/ writes ui/dist-phone). Default: ui/dist-phone under the
    /// current folder when it is there; without pages /m/ and /c/ answer 404.
    #[arg(long)]
    web: Option<PathBuf>,
    /// A file holding the Open311 API key the citizen page (随手拍) files its reports under
    /// (issue one with `serve-keys issue --app 随手拍 …`); also read from GRIDDESK_CITIZEN_KEY.
    /// Without a key the citizen page takes no reports.
    #[arg(long = "citizen-key-file")]
    citizen_key_file: Option<PathBuf>,
    /// Serve HTTPS too, on the same port, with the station's own certificate: phone browsers
    /// share their GPS only over HTTPS. Phones install the certificate from /ca/ once.
    #[arg(long)]
    https: bool,
    /// The folder of the station's certificate authority (made there the first time; keep it:
    /// phones that installed its certificate trust nothing else). Default: DB.station-tls
    /// beside the store.
    #[arg(long = "tls-dir", requires = "https")]
    tls_dir: Option<PathBuf>,
    /// A further name or address phones reach the station by (the computer's name, NAME.local
    /// and its addresses are always in the certificate); may be repeated.
    #[arg(long = "tls-name", requires = "https")]
    tls_names: Vec<String>,
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
    let citizen_key = match &a.citizen_key_file {
        Some(f) => Some(
            std::fs::read_to_string(f)
                .with_context(|| format!("cannot read the citizen key file {}", f.display()))?
                .trim()
                .to_string(),
        ),
        None => std::env::var("GRIDDESK_CITIZEN_KEY")
            .ok()
            .map(|k| k.trim().to_string()),
    }
    .filter(|k| !k.is_empty());
    let web = a.web.clone().or_else(|| {
        let d = PathBuf::from("ui/dist-phone");
        d.join("m/index.html").is_file().then_some(d)
    });
    let pages = match &web {
        Some(d) => griddesk_station::web::Pages::load(d)?,
        None => griddesk_station::web::Pages::default(),
    };
    let tls = if a.https {
        let dir = a
            .tls_dir
            .clone()
            .unwrap_or_else(|| griddesk_station::tls::dir_beside(&a.db));
        Some(std::sync::Arc::new(
            griddesk_station::tls::StationTls::open(&dir, &a.tls_names)?,
        ))
    } else {
        None
    };
    rt.block_on(async move {
        let opts = StationOptions {
            jurisdiction_id: a.jurisdiction,
            citizen_key,
            ..StationOptions::default()
        };
        let citizen = opts.citizen_key.is_some();
        let served = !pages.is_empty();
        let mut state = griddesk_station::StationState::new(engine, &opts).with_pages(pages);
        if let Some(t) = &tls {
            state = state.with_tls(t.clone());
        }
        let handle = griddesk_station::serve_state(state, a.listen).await?;
        let addr = handle.local_addr();
        println!("station service on http://{addr}/open311/v2/ (Ctrl-C stops it)");
        let scheme = if let Some(t) = &tls {
            println!(
                "HTTPS on the same port; phones install the certificate from http://{addr}/ca/"
            );
            println!("certificate fingerprint (SHA-256): {}", t.fingerprint());
            println!("valid for: {}", t.names().join(", "));
            "https"
        } else {
            "http"
        };
        if served {
            println!("inspector app: {scheme}://{addr}/m/");
            println!(
                "citizen page:  {scheme}://{addr}/c/{}",
                if citizen {
                    ""
                } else {
                    " (takes no reports: no citizen key)"
                }
            );
        } else {
            eprintln!("no phone pages: /m/ and /c/ are not served (see --web)");
        }
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
