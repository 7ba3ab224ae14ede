//! GridDesk's station service (docs/station.md): an HTTP service on the station's own network
//! for the phones and client apps that report cases. It sits above the API crate like the other
//! shells: it parses and formats, and every decision (keys, classes, the district, photos,
//! acceptance) is the engine's.
//!
//! It serves Open311 GeoReport v2 at `/open311/v2/` ([`open311`]), and the phone pages: the
//! inspectors' app at `/m/` and the citizens' page at `/c/`, with their JSON API ([`phone`]) and
//! their files ([`web`]). Nothing starts unless
//! asked: [`serve`] binds, spawns the server and returns a [`StationHandle`] whose
//! [`StationHandle::shutdown`] stops it (the desktop's 设置 ▸ 局域网服务 toggle and the CLI's
//! `griddesk serve` both use it); [`router`] is the whole service without a socket, for tests.
#![forbid(unsafe_code)]

mod body;
pub mod listen;
pub mod open311;
pub mod phone;
pub mod tls;
pub mod web;
mod wire;

use griddesk::Engine;
use std::net::SocketAddr;
use std::sync::Arc;

/// Largest request body accepted, bytes (a report with its photo).
pub const MAX_BODY: usize = 12 * 1024 * 1024;
/// Largest photo accepted, bytes.
pub const MAX_PHOTO: usize = 8 * 1024 * 1024;

/// How the station runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationOptions {
    /// The `jurisdiction_id` clients may send; by default the district's GB/T 2260 code.
    pub jurisdiction_id: Option<String>,
    /// Largest request body, bytes.
    pub max_body: usize,
    /// Largest photo, bytes.
    pub max_photo: usize,
    /// The Open311 API key the citizen page's reports are filed under (an administrator issues
    /// it for the citizen page's app); without one the citizen page takes no reports.
    pub citizen_key: Option<String>,
}

impl Default for StationOptions {
    fn default() -> Self {
        Self {
            jurisdiction_id: None,
            max_body: MAX_BODY,
            max_photo: MAX_PHOTO,
            citizen_key: None,
        }
    }
}

/// What every handler is given.
#[derive(Clone)]
pub struct StationState {
    pub engine: Arc<Engine>,
    /// The accepted `jurisdiction_id`, if the station has one.
    pub jurisdiction: Option<String>,
    pub max_body: usize,
    pub max_photo: usize,
    pub citizen_key: Option<String>,
    /// The phone pages' files.
    pub pages: Arc<web::Pages>,
    /// The station's certificate, when it serves HTTPS too ([`tls`]).
    pub tls: Option<Arc<tls::StationTls>>,
}

impl StationState {
    /// The state for `engine` under `opts` (the jurisdiction defaults to the district's code),
    /// without phone pages.
    pub fn new(engine: Arc<Engine>, opts: &StationOptions) -> Self {
        let jurisdiction = opts
            .jurisdiction_id
            .clone()
            .or_else(|| engine.overview().district_code);
        Self {
            engine,
            jurisdiction,
            max_body: opts.max_body,
            max_photo: opts.max_photo,
            citizen_key: opts.citizen_key.clone(),
            pages: Arc::new(web::Pages::default()),
            tls: None,
        }
    }

    /// The same, serving the phone pages `pages`.
    pub fn with_pages(mut self, pages: web::Pages) -> Self {
        self.pages = Arc::new(pages);
        self
    }

    /// The same, serving HTTPS with `tls` beside plain HTTP, and its authority's certificate
    /// at `/ca/`.
    pub fn with_tls(mut self, tls: Arc<tls::StationTls>) -> Self {
        self.tls = Some(tls);
        self
    }
}

/// The station's routes.
pub fn router(state: StationState) -> axum::Router {
    let pages = state.pages.clone();
    axum::Router::new()
        .merge(web::ca_routes(state.tls.clone()))
        .nest("/open311/v2", open311::routes(state.clone()))
        .nest("/m/api", phone::inspector_routes(state.clone()))
        .nest("/c/api", phone::citizen_routes(state))
        .fallback(axum::routing::get(move |uri: axum::http::Uri| {
            let pages = pages.clone();
            async move { pages.answer(&uri) }
        }))
}

/// Why the station could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum StationError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("the station service stopped: {0}")]
    Serve(std::io::Error),
    #[error("the station service task failed: {0}")]
    Task(String),
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
}

/// A running station: where it listens, and the switch that stops it.
pub struct StationHandle {
    addr: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl StationHandle {
    /// The address it listens on (the port chosen when asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops taking connections, lets the requests under way finish, and waits for the server.
    pub async fn shutdown(self) -> Result<(), StationError> {
        // The server may have stopped on its own; then there is nobody to tell.
        let _ = self.stop.send(());
        match self.task.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(StationError::Serve(e)),
            Err(e) => Err(StationError::Task(e.to_string())),
        }
    }
}

/// Binds `listen` and serves the station on it until [`StationHandle::shutdown`].
pub async fn serve(
    engine: Arc<Engine>,
    listen: SocketAddr,
    opts: StationOptions,
) -> Result<StationHandle, StationError> {
    serve_state(StationState::new(engine, &opts), listen).await
}

/// Binds `listen` and serves the station with `state` (phone pages included) until
/// [`StationHandle::shutdown`].
pub async fn serve_state(
    state: StationState,
    listen: SocketAddr,
) -> Result<StationHandle, StationError> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|source| StationError::Bind {
            addr: listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| StationError::Bind {
        addr: listen,
        source,
    })?;
    let acceptor = state.tls.as_ref().map(|t| t.acceptor());
    let listener =
        listen::StationListener::new(listener, acceptor).map_err(|source| StationError::Bind {
            addr: listen,
            source,
        })?;
    // The citizen page's limit per address needs the peer's address.
    let app = router(state).into_make_service_with_connect_info::<listen::Peer>();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await
    });
    Ok(StationHandle { addr, stop, task })
}
