//! App Suite push mode: we listen, the App Suite server connects to us. Only allowed peers are
//! served; anyone else is refused at once and reported.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};

use super::net::keep_alive;
use super::words::bind_error;

/// The push listener could not listen; says why in a technician's words.
#[derive(Debug, thiserror::Error)]
#[error("{}", bind_error(.addr, .source))]
pub struct BindError {
    pub addr: String,
    #[source]
    pub source: std::io::Error,
}

pub struct PushListener {
    listener: TcpListener,
    allowed: Vec<IpAddr>,
    /// The address actually bound (the port is known even when 0 was asked for).
    pub local: SocketAddr,
    /// The allowed peers in words, for logs.
    pub allowed_words: String,
}

impl PushListener {
    /// Binds `bind` and resolves `peers` (addresses or names); none means this PC only.
    /// Returns the listener and warnings about peers that could not be resolved.
    pub async fn bind(bind: &str, peers: &[String]) -> Result<(Self, Vec<String>), BindError> {
        let bind_err = |source| BindError {
            addr: bind.to_string(),
            source,
        };
        let listener = TcpListener::bind(bind).await.map_err(bind_err)?;
        let local = listener.local_addr().map_err(bind_err)?;
        let mut allowed = Vec::new();
        let mut warnings = Vec::new();
        for peer in peers {
            let host = peer.trim().trim_start_matches('[').trim_end_matches(']');
            if let Ok(ip) = host.parse::<IpAddr>() {
                allowed.push(ip.to_canonical());
                continue;
            }
            match tokio::net::lookup_host((host, 0)).await {
                Ok(addrs) => allowed.extend(addrs.map(|a| a.ip().to_canonical())),
                Err(e) => warnings.push(format!(
                    "cannot resolve the allowed App Suite server {host:?}: {e} — it will be refused until it resolves"
                )),
            }
        }
        let allowed_words = if peers.is_empty() {
            allowed = vec![
                IpAddr::V4(Ipv4Addr::LOCALHOST),
                IpAddr::V6(Ipv6Addr::LOCALHOST),
            ];
            "this PC only (127.0.0.1, ::1): set the App Suite server's address to accept it"
                .to_string()
        } else {
            peers.join(", ")
        };
        Ok((
            Self {
                listener,
                allowed,
                local,
                allowed_words,
            },
            warnings,
        ))
    }

    pub fn is_allowed(&self, ip: IpAddr) -> bool {
        self.allowed.contains(&ip.to_canonical())
    }

    /// The next connection from an allowed peer; strangers are closed at once and passed to
    /// `refused`. Never fails: accept errors (e.g. out of file handles) are retried.
    pub async fn accept(&self, mut refused: impl FnMut(SocketAddr)) -> (TcpStream, SocketAddr) {
        loop {
            match self.listener.accept().await {
                Ok((stream, peer)) if self.is_allowed(peer.ip()) => {
                    keep_alive(&stream);
                    return (stream, peer);
                }
                Ok((stream, peer)) => {
                    drop(stream);
                    refused(peer);
                }
                Err(e) => {
                    tracing::warn!("accepting a push connection on {} failed: {e}", self.local);
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
    }
}

/// The log line for a refused stranger.
pub fn refused_words(peer: SocketAddr, allowed: &str) -> String {
    format!(
        "refused a connection from {peer}: not an allowed App Suite server (allowed: {allowed})"
    )
}
