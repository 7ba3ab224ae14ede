//! HTTPS beside HTTP on one port (docs/station.md, "HTTPS and the phones' GPS"), spoken to by
//! a real TLS client (rustls, checking the chain as a phone does) over real sockets: the
//! certificate a phone downloads over plain HTTP is the one that makes HTTPS trusted; a client
//! that trusts something else is refused; a silent client holds up nobody; stopping frees the
//! port.

use crate::common::district;
use griddesk_station::tls::{fingerprint, StationTls};
use griddesk_station::{serve_state, StationOptions, StationState};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::rustls;

/// One GET over `io`; the status line and the body.
async fn get<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    mut io: S,
    path: &str,
) -> (String, Vec<u8>) {
    let req = format!("GET {path} HTTP/1.1\r\nHost: station\r\nConnection: close\r\n\r\n");
    io.write_all(req.as_bytes()).await.expect("request sent");
    let mut out = Vec::new();
    // A TLS peer may close without close_notify after `Connection: close`; what came is kept.
    let _ = io.read_to_end(&mut out).await;
    let split = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP answer");
    let head = String::from_utf8_lossy(&out[..split]).to_string();
    let status = head.lines().next().unwrap_or_default().to_string();
    (status, out[split + 4..].to_vec())
}

fn client(roots: &[Vec<u8>]) -> tokio_rustls::TlsConnector {
    let mut store = rustls::RootCertStore::empty();
    for r in roots {
        store
            .add(rustls::pki_types::CertificateDer::from(r.clone()))
            .expect("a root");
    }
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(store)
        .with_no_client_auth();
    tokio_rustls::TlsConnector::from(Arc::new(config))
}

async fn https(
    at: SocketAddr,
    name: &str,
    roots: &[Vec<u8>],
    path: &str,
) -> std::io::Result<(String, Vec<u8>)> {
    let tcp = TcpStream::connect(at).await?;
    let name = rustls::pki_types::ServerName::try_from(name.to_string()).expect("a name");
    let tls = client(roots).connect(name, tcp).await?;
    Ok(get(tls, path).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phones_get_the_certificate_over_http_and_then_speak_https_on_the_same_port() {
    let d = district();
    let dir = tempfile::tempdir().expect("dir");
    let tls = Arc::new(
        StationTls::open(&dir.path().join("tls"), &["station.test".into()]).expect("made"),
    );
    let state =
        StationState::new(d.engine.clone(), &StationOptions::default()).with_tls(tls.clone());
    let handle = serve_state(state, "127.0.0.1:0".parse().expect("an address"))
        .await
        .expect("the station starts");
    let at = handle.local_addr();

    // A silent connection (sends nothing) holds up nobody.
    let _silent = TcpStream::connect(at).await.expect("connects");

    // Plain HTTP: what a phone without the certificate reaches. It downloads the certificate.
    let (status, info) = get(TcpStream::connect(at).await.expect("http"), "/ca/info.json").await;
    assert!(status.contains("200"), "{status}");
    let info: serde_json::Value = serde_json::from_slice(&info).expect("json");
    assert_eq!(info["https"], true);
    let (status, der) = get(
        TcpStream::connect(at).await.expect("http"),
        "/ca/griddesk-station-ca.crt",
    )
    .await;
    assert!(status.contains("200"), "{status}");
    assert_eq!(der, tls.ca_der());
    // The fingerprint the page shows is the downloaded file's.
    assert_eq!(info["fingerprint"], fingerprint(&der));
    let (status, _) = get(
        TcpStream::connect(at).await.expect("http"),
        "/open311/v2/services.json",
    )
    .await;
    assert!(status.contains("200"), "plain HTTP still serves: {status}");

    // With it installed: HTTPS on the same port, by name and by address.
    for name in ["localhost", "station.test", "127.0.0.1"] {
        let (status, body) = https(
            at,
            name,
            std::slice::from_ref(&der),
            "/open311/v2/services.json",
        )
        .await
        .unwrap_or_else(|e| panic!("https to {name}: {e}"));
        assert!(status.contains("200"), "{name}: {status}");
        let services: serde_json::Value = serde_json::from_slice(&body).expect("json");
        assert!(services.as_array().is_some_and(|a| !a.is_empty()), "{name}");
    }

    // A name the certificate does not hold, or another authority: refused.
    let e = https(at, "elsewhere.test", std::slice::from_ref(&der), "/")
        .await
        .expect_err("a name not in the certificate");
    assert!(e.to_string().contains("certificate"), "{e}");
    let other = tempfile::tempdir().expect("dir");
    let stranger = StationTls::open(other.path(), &[]).expect("made");
    let e = https(at, "localhost", &[stranger.ca_der().to_vec()], "/")
        .await
        .expect_err("another authority");
    assert!(e.to_string().contains("certificate"), "{e}");
    // And the station goes on serving.
    let (status, _) = https(at, "localhost", std::slice::from_ref(&der), "/ca/info.json")
        .await
        .expect("still serving");
    assert!(status.contains("200"), "{status}");

    handle.shutdown().await.expect("stops");
    // The port is free again.
    std::net::TcpListener::bind(at).expect("the port is free after stopping");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_https_the_station_says_so_and_has_no_certificate() {
    let d = district();
    let state = StationState::new(d.engine.clone(), &StationOptions::default());
    let handle = serve_state(state, "127.0.0.1:0".parse().expect("an address"))
        .await
        .expect("the station starts");
    let at = handle.local_addr();
    let (status, info) = get(TcpStream::connect(at).await.expect("http"), "/ca/info.json").await;
    assert!(status.contains("200"), "{status}");
    let info: serde_json::Value = serde_json::from_slice(&info).expect("json");
    assert_eq!(info["https"], false);
    let (status, _) = get(
        TcpStream::connect(at).await.expect("http"),
        "/ca/griddesk-station-ca.crt",
    )
    .await;
    assert!(status.contains("404"), "{status}");
    // A TLS handshake to a plain station fails cleanly.
    assert!(https(at, "localhost", &[], "/").await.is_err());
    handle.shutdown().await.expect("stops");
}
