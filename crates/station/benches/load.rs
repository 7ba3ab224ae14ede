//! Load on a real station over loopback: 200 simulated phones send 10 reports each, every one
//! multipart with a photo and an `Idempotency-Key`. Every third report is sent twice (the phone
//! never saw the first answer), and every seventh is first cut off after its request was sent
//! (the Wi-Fi dropped), then sent again. At the end the store must hold exactly 2 000 station
//! reports, each receipt naming a different case; p50/p95/max latency and throughput printed.
//!
//! The same load runs twice in one run, over plain HTTP and over HTTPS on the station's own
//! certificate (every request a new TLS handshake, as a phone's reconnect after a drop is), and
//! the HTTPS figures are given as ratios to the HTTP ones.
//!
//! `cargo bench -p griddesk-station --bench load` (PHONES=… REPORTS=… to change the size).

#[path = "../tests/it/common.rs"]
mod common;

use griddesk_station::{serve_state, tls::StationTls, StationOptions, StationState};
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::rustls;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One HTTP/1.1 request on a new connection; `cut` drops the connection once the request is
/// written, before the answer. Returns the status and the body.
async fn send(
    addr: SocketAddr,
    tls: Option<&tokio_rustls::TlsConnector>,
    head: &str,
    body: &[u8],
    cut: bool,
) -> std::io::Result<(u16, String)> {
    let tcp = TcpStream::connect(addr).await?;
    match tls {
        None => exchange(tcp, head, body, cut).await,
        Some(c) => {
            let name = rustls::pki_types::ServerName::try_from("localhost").expect("a name");
            exchange(c.connect(name, tcp).await?, head, body, cut).await
        }
    }
}

async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(
    mut s: S,
    head: &str,
    body: &[u8],
    cut: bool,
) -> std::io::Result<(u16, String)> {
    s.write_all(head.as_bytes()).await?;
    s.write_all(body).await?;
    if cut {
        return Ok((0, String::new()));
    }
    s.flush().await?;
    let mut out = Vec::new();
    // A TLS peer may close without close_notify after `Connection: close`: what came is kept.
    if let Err(e) = s.read_to_end(&mut out).await {
        if out.is_empty() {
            return Err(e);
        }
    }
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
    Ok((status, body))
}

fn id_of(body: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    v[0]["service_request_id"].as_str().map(str::to_string)
}

/// A client that trusts only the station's authority, as a phone that installed it.
fn connector(tls: &StationTls) -> tokio_rustls::TlsConnector {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(rustls::pki_types::CertificateDer::from(
            tls.ca_der().to_vec(),
        ))
        .expect("the station's authority");
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    tokio_rustls::TlsConnector::from(Arc::new(config))
}

/// What one run measured: latencies of the answered requests (ms) and the wall time.
struct Run {
    lat: Vec<f64>,
    wall: Duration,
}

impl Run {
    fn pct(&self, q: f64) -> f64 {
        self.lat[((self.lat.len() as f64 - 1.0) * q).round() as usize]
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let phones = env("PHONES", 200);
    let reports = env("REPORTS", 10);
    let http = load(phones, reports, false).await;
    let https = load(phones, reports, true).await;
    println!(
        "HTTPS / HTTP, same run: p50 {:.2}x, p95 {:.2}x, wall {:.2}x",
        https.pct(0.5) / http.pct(0.5),
        https.pct(0.95) / http.pct(0.95),
        https.wall.as_secs_f64() / http.wall.as_secs_f64()
    );
}

async fn load(phones: usize, reports: usize, secure: bool) -> Run {
    let d = common::district();
    let (lon, lat) = d.inside();
    let dir = tempfile::tempdir().expect("a folder");
    let mut state = StationState::new(d.engine.clone(), &StationOptions::default());
    let mut client = None;
    if secure {
        let tls = Arc::new(StationTls::open(dir.path(), &[]).expect("the certificate"));
        client = Some(connector(&tls));
        state = state.with_tls(tls);
    }
    let handle = serve_state(state, "127.0.0.1:0".parse().expect("an address"))
        .await
        .expect("the station starts");
    let addr = handle.local_addr();
    let photo = griddesk::workflow::photo::solid_png(640, 480, [90, 140, 60]);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for p in 0..phones {
        let key = d.key.clone();
        let photo = photo.clone();
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            let tls = client.as_ref();
            let mut lat_ms = Vec::new();
            let mut ids = Vec::new();
            let mut sent = 0usize;
            for r in 0..reports {
                let (lo, la) = (format!("{lon:.7}"), format!("{lat:.7}"));
                let fields = [
                    ("api_key", key.as_str()),
                    ("service_code", "event-0102"),
                    ("lat", la.as_str()),
                    ("long", lo.as_str()),
                    ("description", "巡查发现暴露垃圾"),
                ];
                let (ctype, body) = common::multipart(&fields, Some(("photo.png", &photo)));
                let head = format!(
                    "POST /open311/v2/requests.json HTTP/1.1\r\nHost: {addr}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nIdempotency-Key: phone-{p}/report-{r}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let n = p * reports + r;
                if n.is_multiple_of(7) {
                    // The Wi-Fi drops after the request went out.
                    let _ = send(addr, tls, &head, &body, true).await;
                    sent += 1;
                }
                let copies = if n.is_multiple_of(3) { 2 } else { 1 };
                let mut first = None;
                for _ in 0..copies {
                    let mut tries = 0;
                    loop {
                        let t = Instant::now();
                        sent += 1;
                        match send(addr, tls, &head, &body, false).await {
                            Ok((200, b)) => {
                                lat_ms.push(t.elapsed().as_secs_f64() * 1e3);
                                let id = id_of(&b).expect("a receipt");
                                match &first {
                                    None => first = Some(id),
                                    Some(f) => assert_eq!(f, &id, "a repeat names the same case"),
                                }
                                break;
                            }
                            other => {
                                tries += 1;
                                assert!(tries < 5, "phone {p} report {r}: {other:?}");
                                tokio::time::sleep(Duration::from_millis(50)).await;
                            }
                        }
                    }
                }
                ids.extend(first);
            }
            (lat_ms, ids, sent)
        }));
    }
    let mut lat = Vec::new();
    let mut ids = Vec::new();
    let mut sent = 0;
    for t in tasks {
        let (l, i, s) = t.await.expect("a phone");
        lat.extend(l);
        ids.extend(i);
        sent += s;
    }
    let wall = started.elapsed();
    handle.shutdown().await.expect("the station stops");
    let distinct: BTreeSet<&String> = ids.iter().collect();
    let stored = d
        .engine
        .station_cases(&Default::default(), None, usize::MAX)
        .expect("station cases")
        .len();
    lat.sort_by(f64::total_cmp);
    let pct = |q: f64| lat[((lat.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{}: {phones} phones x {reports} reports: {sent} requests sent (repeats and cut-offs included), {} answered, {} distinct cases, {stored} stored, in {:.1} s ({:.0} reports/s)",
        if secure { "HTTPS" } else { "HTTP" },
        lat.len(),
        distinct.len(),
        wall.as_secs_f64(),
        (phones * reports) as f64 / wall.as_secs_f64()
    );
    println!(
        "latency per answered request: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        pct(0.5),
        pct(0.95),
        pct(1.0)
    );
    assert_eq!(distinct.len(), phones * reports, "none lost, none twice");
    assert_eq!(stored, phones * reports, "the store holds each report once");
    Run { lat, wall }
}
