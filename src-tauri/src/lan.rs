//! 设置 ▸ 局域网服务: the station service (`griddesk-station`, docs/station.md) run by the desktop
//! for the phones on the station's network — the inspectors' app at `/m/`, the citizens' page at
//! `/c/` and Open311 at `/open311/v2/` — on an address and port the administrator picks, shown
//! as URLs with QR codes to scan. Off by default and off again at every start of the app.
//!
//! With 随手拍 on, a key for the citizen page is issued at start (its reports are filed as the
//! account named) and revoked at stop; a key left by an app that ended while serving is revoked
//! at the next start.

use crate::cases::SignedIn;
use crate::error::{blocking, ErrorDto, ShellErrorKind};
use crate::store::Store;
use base64::Engine as _;
use griddesk_station::{web::Pages, StationHandle, StationOptions, StationState};
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::path::PathBuf;
use tauri::{AppHandle, Manager, State};
use tokio::sync::Mutex;
use ts_rs::TS;

/// The app name of the citizen page's key the desktop issues.
pub const CITIZEN_APP: &str = "随手拍（局域网服务）";

/// The port offered first (the CLI's examples use it too).
pub const DEFAULT_PORT: u16 = 8311;

/// What the administrator asks for.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(optional_fields = nullable)]
pub struct LanOptions {
    /// The address to listen on: `0.0.0.0` (every network), `127.0.0.1` (this computer only)
    /// or one of the computer's addresses.
    pub host: String,
    pub port: u16,
    /// The account the citizen page's reports are filed as; none: 随手拍 stays off.
    #[serde(default)]
    pub citizen_login: Option<String>,
    /// Serve HTTPS too (same port) with the station's own certificate: phone browsers share
    /// their GPS only over HTTPS. Phones install the certificate once from `/ca/`.
    #[serde(default)]
    pub https: bool,
}

/// Which page a URL opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum LanPage {
    /// The page to install the station's certificate from (plain HTTP).
    Certificate,
    Inspector,
    Citizen,
    Open311,
}

/// A URL phones use, with its QR code.
#[derive(Debug, Clone, Serialize, TS)]
pub struct LanUrl {
    pub page: LanPage,
    pub url: String,
    /// The URL's QR code, PNG as base64.
    pub qr_png: String,
}

/// The service as it is now.
#[derive(Debug, Clone, Serialize, TS)]
pub struct LanStatus {
    pub running: bool,
    /// Where it listens (`host:port`) while running.
    pub listen: Option<String>,
    /// The URLs to open on a phone (on the computer's network address when it listens on
    /// every network).
    pub urls: Vec<LanUrl>,
    /// Whether the phone pages are there (without them only Open311 is served).
    pub pages: bool,
    /// Whether 随手拍 takes reports.
    pub citizen: bool,
    /// The station's certificate while it serves HTTPS.
    pub https: Option<LanHttps>,
    /// Addresses to offer: every network, this computer only, and the computer's own.
    pub addresses: Vec<String>,
    pub default_port: u16,
}

/// The station's certificate authority, for the administrator to compare with a phone's.
#[derive(Debug, Clone, Serialize, TS)]
pub struct LanHttps {
    /// SHA-256 of the authority's certificate, `AB:CD:…`.
    pub fingerprint: String,
    /// The names and addresses the server certificate holds.
    pub names: Vec<String>,
    /// Where the authority is kept (keep it: phones trust only it).
    pub dir: String,
}

struct Running {
    handle: StationHandle,
    https: Option<LanHttps>,
    listen: SocketAddr,
    citizen_key_id: Option<i64>,
    pages: bool,
}

/// The service the desktop runs, if any.
#[derive(Default)]
pub struct Lan(Mutex<Option<Running>>);

/// The computer's address on its network (the one a route out would use; nothing is sent).
fn own_address() -> Option<IpAddr> {
    let s = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).ok()?;
    s.connect((Ipv4Addr::new(192, 0, 2, 1), 9)).ok()?;
    let ip = s.local_addr().ok()?.ip();
    (!ip.is_unspecified() && !ip.is_loopback()).then_some(ip)
}

fn addresses() -> Vec<String> {
    let mut out = vec![
        Ipv4Addr::UNSPECIFIED.to_string(),
        Ipv4Addr::LOCALHOST.to_string(),
    ];
    if let Some(ip) = own_address() {
        out.push(ip.to_string());
    }
    out
}

/// Where the phone pages are: `GRIDDESK_PHONE_PAGES`, else the bundled Tauri resources
/// (`phone-pages/`, next to the binary in `target/` or in the installed package), else the
/// repository's `ui/dist-phone` (`npm run build` in ui/ builds it).
fn pages_dir(app: &AppHandle) -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("GRIDDESK_PHONE_PAGES").map(PathBuf::from),
        app.path()
            .resource_dir()
            .ok()
            .map(|d| d.join("phone-pages")),
        Some(PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../ui/dist-phone"
        ))),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|d| d.join("m/index.html").is_file())
}

fn urls(
    listen: SocketAddr,
    pages: bool,
    citizen: bool,
    https: bool,
) -> Result<Vec<LanUrl>, ErrorDto> {
    let host = if listen.ip().is_unspecified() {
        own_address().unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
    } else {
        listen.ip()
    };
    let at = SocketAddr::new(host, listen.port());
    let plain = format!("http://{at}");
    // With HTTPS the pages are opened over it (the phone's GPS needs it); the certificate
    // page is plain HTTP, since a phone without the certificate arrives there first.
    let base = if https {
        format!("https://{at}")
    } else {
        plain.clone()
    };
    let mut pages_on = vec![(LanPage::Open311, format!("{base}/open311/v2/services.json"))];
    if pages {
        pages_on.insert(0, (LanPage::Inspector, format!("{base}/m/")));
        if citizen {
            pages_on.insert(1, (LanPage::Citizen, format!("{base}/c/")));
        }
        if https {
            pages_on.insert(0, (LanPage::Certificate, format!("{plain}/ca/")));
        }
    }
    pages_on
        .into_iter()
        .map(|(page, url)| {
            let png = griddesk::qr::qr_png(&url, 6)?;
            Ok(LanUrl {
                page,
                qr_png: base64::engine::general_purpose::STANDARD.encode(png),
                url,
            })
        })
        .collect()
}

fn status(app: &AppHandle, running: Option<&Running>) -> Result<LanStatus, ErrorDto> {
    Ok(match running {
        Some(r) => LanStatus {
            running: true,
            listen: Some(r.listen.to_string()),
            urls: urls(
                r.listen,
                r.pages,
                r.citizen_key_id.is_some(),
                r.https.is_some(),
            )?,
            pages: r.pages,
            citizen: r.pages && r.citizen_key_id.is_some(),
            https: r.https.clone(),
            addresses: addresses(),
            default_port: DEFAULT_PORT,
        },
        None => LanStatus {
            running: false,
            listen: None,
            urls: Vec::new(),
            pages: pages_dir(app).is_some(),
            citizen: false,
            https: None,
            addresses: addresses(),
            default_port: DEFAULT_PORT,
        },
    })
}

#[tauri::command]
pub async fn lan_status(app: AppHandle, lan: State<'_, Lan>) -> Result<LanStatus, ErrorDto> {
    let running = lan.0.lock().await;
    status(&app, running.as_ref())
}

/// Starts the service (administrators), or restarts it with the new options.
#[tauri::command]
pub async fn lan_start(
    app: AppHandle,
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    lan: State<'_, Lan>,
    options: LanOptions,
) -> Result<LanStatus, ErrorDto> {
    let by = signed.get()?;
    let loaded = store.engine()?;
    let listen: SocketAddr = format!("{}:{}", options.host.trim(), options.port)
        .parse()
        .map_err(|_| listen_failed(&format!("{}:{}", options.host.trim(), options.port)))?;
    let mut running = lan.0.lock().await;
    if let Some(r) = running.take() {
        stop(&loaded.engine, &by, r).await?;
    }
    let engine = loaded.engine.clone();
    let who = by.clone();
    let login = options
        .citizen_login
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string);
    let dir = pages_dir(&app);
    let tls_dir = options
        .https
        .then(|| griddesk_station::tls::dir_beside(&loaded.path));
    // The checks, the certificate and the key, in the engine (a refused citizen account
    // starts nothing).
    let (pages, key, tls) = blocking(move || -> Result<_, ErrorDto> {
        engine.may_run_station(&who)?;
        let tls = match &tls_dir {
            Some(d) => Some(std::sync::Arc::new(
                griddesk_station::tls::StationTls::open(d, &[]).map_err(|e| tls_failed(d, &e))?,
            )),
            None => None,
        };
        let now = chrono::Local::now().naive_local();
        for k in engine.station_keys(&who)? {
            if k.app == CITIZEN_APP && k.revoked_at.is_none() {
                engine.revoke_station_key(&who, k.id, now)?;
            }
        }
        let pages = match &dir {
            Some(d) => Pages::load(d).map_err(|e| {
                ErrorDto::shell(ShellErrorKind::Window, format!("phone pages: {e}"))
            })?,
            None => Pages::default(),
        };
        let key = match (&login, dir.is_some()) {
            (Some(login), true) => Some(engine.issue_station_key(&who, CITIZEN_APP, login, now)?),
            _ => None,
        };
        Ok((pages, key, tls))
    })
    .await??;
    let has_pages = !pages.is_empty();
    let opts = StationOptions {
        citizen_key: key.as_ref().map(|k| k.key.clone()),
        ..StationOptions::default()
    };
    let mut state = StationState::new(loaded.engine.clone(), &opts).with_pages(pages);
    let https = tls.as_ref().map(|t| LanHttps {
        fingerprint: t.fingerprint().to_string(),
        names: t.names().to_vec(),
        dir: griddesk_station::tls::dir_beside(&loaded.path)
            .display()
            .to_string(),
    });
    if let Some(t) = tls {
        state = state.with_tls(t);
    }
    let handle = match griddesk_station::serve_state(state, listen).await {
        Ok(h) => h,
        Err(e) => {
            if let Some(k) = &key {
                let (engine, who, id) = (loaded.engine.clone(), by.clone(), k.info.id);
                let now = chrono::Local::now().naive_local();
                blocking(move || engine.revoke_station_key(&who, id, now)).await??;
            }
            eprintln!("griddesk: network service: {e}");
            return Err(listen_failed(&listen.to_string()));
        }
    };
    let r = Running {
        listen: handle.local_addr(),
        handle,
        https,
        citizen_key_id: key.map(|k| k.info.id),
        pages: has_pages,
    };
    let out = status(&app, Some(&r));
    *running = Some(r);
    out
}

/// Stops the service (administrators); the requests under way finish first.
#[tauri::command]
pub async fn lan_stop(
    app: AppHandle,
    store: State<'_, Store>,
    signed: State<'_, SignedIn>,
    lan: State<'_, Lan>,
) -> Result<LanStatus, ErrorDto> {
    let by = signed.get()?;
    let loaded = store.engine()?;
    let mut running = lan.0.lock().await;
    if let Some(r) = running.take() {
        stop(&loaded.engine, &by, r).await?;
    }
    status(&app, None)
}

async fn stop(
    engine: &std::sync::Arc<griddesk::Engine>,
    by: &griddesk::users::Session,
    r: Running,
) -> Result<(), ErrorDto> {
    let (e, who) = (engine.clone(), by.clone());
    blocking(move || e.may_run_station(&who)).await??;
    r.handle
        .shutdown()
        .await
        .map_err(|e| ErrorDto::shell(ShellErrorKind::Window, e.to_string()))?;
    if let Some(id) = r.citizen_key_id {
        let (e, who) = (engine.clone(), by.clone());
        let now = chrono::Local::now().naive_local();
        blocking(move || e.revoke_station_key(&who, id, now)).await??;
    }
    Ok(())
}

fn tls_failed(dir: &std::path::Path, e: &griddesk_station::tls::TlsError) -> ErrorDto {
    use griddesk::message::{Message, MessageCode};
    use griddesk_station::tls::TlsError;
    let mut out = ErrorDto::shell(ShellErrorKind::LanListen, e.to_string());
    out.detail = match e {
        TlsError::KeyMissing { cert, key } => Message::new(MessageCode::LanCertificateKeyMissing)
            .text("file", cert.display())
            .text("key", key.display()),
        _ => Message::new(MessageCode::LanCertificateFailed).text("dir", dir.display()),
    };
    eprintln!("griddesk: network service: {e}");
    out
}

fn listen_failed(addr: &str) -> ErrorDto {
    let mut e = ErrorDto::shell(
        ShellErrorKind::LanListen,
        format!("the network service cannot listen on {addr}"),
    );
    e.detail = griddesk::message::Message::new(griddesk::message::MessageCode::LanListenFailed)
        .text("addr", addr);
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_the_pages_on_the_listening_address_and_their_qr_codes_say_them() {
        let at: SocketAddr = "127.0.0.1:8311".parse().expect("an address");
        let all = urls(at, true, true, false).expect("urls");
        let pages: Vec<_> = all.iter().map(|u| (u.page, u.url.as_str())).collect();
        assert_eq!(
            pages,
            [
                (LanPage::Inspector, "http://127.0.0.1:8311/m/"),
                (LanPage::Citizen, "http://127.0.0.1:8311/c/"),
                (
                    LanPage::Open311,
                    "http://127.0.0.1:8311/open311/v2/services.json"
                ),
            ]
        );
        for u in &all {
            let png = base64::engine::general_purpose::STANDARD
                .decode(&u.qr_png)
                .expect("base64");
            assert_eq!(
                griddesk::qr::decode_image(&png).expect("a QR code"),
                std::slice::from_ref(&u.url)
            );
        }
        // Without 随手拍 no citizen page; without the pages, Open311 only.
        let no_citizen = urls(at, true, false, false).expect("urls");
        assert!(no_citizen.iter().all(|u| u.page != LanPage::Citizen));
        let bare = urls(at, false, true, false).expect("urls");
        assert_eq!(bare.len(), 1);
        assert_eq!(bare[0].page, LanPage::Open311);
        // Listening on every network: the URL names an address a phone can reach.
        let any: SocketAddr = "0.0.0.0:9000".parse().expect("an address");
        let u = &urls(any, true, false, false).expect("urls")[0];
        assert!(!u.url.contains("0.0.0.0"), "{}", u.url);
        // With HTTPS: the certificate page first, on plain HTTP; the pages over HTTPS.
        let secure = urls(at, true, true, true).expect("urls");
        let pages: Vec<_> = secure.iter().map(|u| (u.page, u.url.as_str())).collect();
        assert_eq!(
            pages,
            [
                (LanPage::Certificate, "http://127.0.0.1:8311/ca/"),
                (LanPage::Inspector, "https://127.0.0.1:8311/m/"),
                (LanPage::Citizen, "https://127.0.0.1:8311/c/"),
                (
                    LanPage::Open311,
                    "https://127.0.0.1:8311/open311/v2/services.json"
                ),
            ]
        );
    }
}
