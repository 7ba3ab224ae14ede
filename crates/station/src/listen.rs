//! The station's listener: plain HTTP and, when the station has its certificate
//! ([`crate::tls`]), HTTPS on the same port — the first byte of a connection tells them apart
//! (a TLS handshake begins with 0x16; an HTTP request with a letter). One port and one address
//! for the phones: `http://` for the certificate page and the clients that need no more,
//! `https://` for the pages that want the phone's GPS.
//!
//! Connections are accepted and their handshakes done in tasks of their own, so a slow or
//! silent client holds up nobody; the finished connections go to axum through a channel.
//! Dropping the listener (axum does at shutdown) stops the accepting and frees the port.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// How long a connection may take to send its first byte and finish its TLS handshake.
const HANDSHAKE: Duration = Duration::from_secs(10);

/// Who is on the other end of a request: its address, and whether it came over HTTPS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peer {
    pub addr: SocketAddr,
    pub https: bool,
}

impl axum::extract::connect_info::Connected<axum::serve::IncomingStream<'_, StationListener>>
    for Peer
{
    fn connect_info(stream: axum::serve::IncomingStream<'_, StationListener>) -> Self {
        *stream.remote_addr()
    }
}

/// A connection: plain or TLS.
pub enum Conn {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::server::TlsStream<TcpStream>>),
}

/// The listener axum serves from.
pub struct StationListener {
    local: SocketAddr,
    incoming: mpsc::Receiver<(Conn, Peer)>,
    accepting: tokio::task::JoinHandle<()>,
}

impl Drop for StationListener {
    fn drop(&mut self) {
        self.accepting.abort();
    }
}

impl StationListener {
    /// Takes connections from `tcp`; with `tls`, those that begin a TLS handshake are HTTPS.
    pub fn new(tcp: TcpListener, tls: Option<tokio_rustls::TlsAcceptor>) -> io::Result<Self> {
        let local = tcp.local_addr()?;
        let (tx, incoming) = mpsc::channel(64);
        let accepting = tokio::spawn(accept_loop(tcp, tls, tx));
        Ok(Self {
            local,
            incoming,
            accepting,
        })
    }
}

async fn accept_loop(
    tcp: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    tx: mpsc::Sender<(Conn, Peer)>,
) {
    loop {
        let (stream, addr) = match tcp.accept().await {
            Ok(c) => c,
            Err(e) => {
                // Out of file descriptors and the like: wait rather than spin (as axum does).
                if !matches!(
                    e.kind(),
                    io::ErrorKind::ConnectionRefused
                        | io::ErrorKind::ConnectionAborted
                        | io::ErrorKind::ConnectionReset
                ) {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                continue;
            }
        };
        let (tx, tls) = (tx.clone(), tls.clone());
        tokio::spawn(async move {
            if let Some(conn) = classify(stream, addr, tls).await {
                // Closed: the server is stopping; the connection is dropped.
                let _ = tx.send(conn).await;
            }
        });
    }
}

async fn classify(
    stream: TcpStream,
    addr: SocketAddr,
    tls: Option<tokio_rustls::TlsAcceptor>,
) -> Option<(Conn, Peer)> {
    let plain = Peer { addr, https: false };
    let Some(acceptor) = tls else {
        return Some((Conn::Plain(stream), plain));
    };
    let mut first = [0u8; 1];
    match tokio::time::timeout(HANDSHAKE, stream.peek(&mut first)).await {
        Ok(Ok(1)) if first[0] == 0x16 => {}
        Ok(Ok(1)) => return Some((Conn::Plain(stream), plain)),
        // Closed, failed or silent: nothing to serve.
        _ => return None,
    }
    match tokio::time::timeout(HANDSHAKE, acceptor.accept(stream)).await {
        Ok(Ok(s)) => Some((Conn::Tls(Box::new(s)), Peer { addr, https: true })),
        // A phone without the station's certificate installed ends the handshake here.
        _ => None,
    }
}

impl axum::serve::Listener for StationListener {
    type Io = Conn;
    type Addr = Peer;

    async fn accept(&mut self) -> (Conn, Peer) {
        match self.incoming.recv().await {
            Some(c) => c,
            // The accepting task ended (it does not, unless aborted): nothing more comes.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Peer> {
        Ok(Peer {
            addr: self.local,
            https: false,
        })
    }
}

impl AsyncRead for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_flush(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Conn::Plain(s) => s.is_write_vectored(),
            Conn::Tls(s) => s.is_write_vectored(),
        }
    }
}
