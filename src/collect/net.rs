//! Sockets: connecting with a time limit, and TCP keep-alive so a dead peer is noticed on a
//! quiet connection without any read timeout that would drop a healthy quiet site.

use std::io;
use std::time::Duration;

use tokio::net::TcpStream;

/// How long a connection attempt may take before it counts as "no answer".
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

pub async fn connect(addr: &str, limit: Duration) -> io::Result<TcpStream> {
    let stream = tokio::time::timeout(limit, TcpStream::connect(addr))
        .await
        .map_err(|_| io::Error::from(io::ErrorKind::TimedOut))??;
    keep_alive(&stream);
    Ok(stream)
}

/// Keep-alive probes after a minute of silence, then every 10 s.
pub fn keep_alive(stream: &TcpStream) {
    let params = socket2::TcpKeepalive::new().with_time(Duration::from_secs(60));
    #[cfg(any(target_os = "linux", target_os = "windows", target_os = "macos"))]
    let params = params.with_interval(Duration::from_secs(10));
    if let Err(e) = socket2::SockRef::from(stream).set_tcp_keepalive(&params) {
        // Not fatal: the connection works, a dead peer is just noticed later.
        tracing::warn!("cannot turn on TCP keep-alive: {e}");
    }
}
