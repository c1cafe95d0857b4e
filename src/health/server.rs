//! The health endpoint's HTTP server: one named thread, one short request at a time (a scrape
//! every few seconds is its whole load), each read and write bounded in time and size. It only
//! reads a [`StatusReport`] snapshot, so however a client behaves, collection goes on.

use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use super::{Health, metrics};

/// How long a client may take to send its request, or to take the answer.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(3);
/// A request head longer than this is refused (ours are one line and a few headers).
const MAX_REQUEST: usize = 8 * 1024;

/// The running server; dropping it stops it.
pub struct HealthServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl HealthServer {
    /// Binds `addr` (port 0: any free port) and serves `health` there until dropped.
    pub fn start(addr: SocketAddr, health: Health) -> io::Result<Self> {
        let listener = TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let thread = std::thread::Builder::new()
            .name("smdr-health".into())
            .spawn(move || serve(&listener, &health, &stopping))?;
        Ok(Self {
            addr,
            stop,
            thread: Some(thread),
        })
    }

    /// Where it listens (the port chosen when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for HealthServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the blocking accept so the thread sees the flag.
        let mut wake = self.addr;
        if wake.ip().is_unspecified() {
            wake.set_ip(match wake.ip() {
                IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
                IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
            });
        }
        if TcpStream::connect_timeout(&wake, Duration::from_secs(1)).is_ok()
            && let Some(t) = self.thread.take()
        {
            let _ = t.join();
        }
    }
}

fn serve(listener: &TcpListener, health: &Health, stop: &AtomicBool) {
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        match stream {
            Ok(stream) => {
                if let Err(e) = answer(stream, health) {
                    tracing::debug!("health endpoint: a request failed: {e}");
                }
            }
            Err(e) => {
                tracing::warn!("health endpoint: cannot accept a connection: {e}");
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
}

/// What a request asked for.
#[derive(Debug, PartialEq)]
enum Asked {
    Status,
    Metrics,
    NotFound,
    WrongMethod,
    Bad,
}

fn answer(mut stream: TcpStream, health: &Health) -> io::Result<()> {
    stream.set_read_timeout(Some(CLIENT_TIMEOUT))?;
    stream.set_write_timeout(Some(CLIENT_TIMEOUT))?;
    let head = read_head(&mut stream)?;
    let (asked, head_only) = parse(&head);
    let (status, content_type, body) = match asked {
        Asked::Status => {
            let body = serde_json::to_string_pretty(&health.report())
                .map_err(|e| io::Error::other(e.to_string()))?;
            ("200 OK", "application/json", body + "\n")
        }
        Asked::Metrics => (
            "200 OK",
            metrics::CONTENT_TYPE,
            metrics::render(&health.report()),
        ),
        Asked::NotFound => (
            "404 Not Found",
            "text/plain; charset=utf-8",
            "not found: try /status or /metrics\n".into(),
        ),
        Asked::WrongMethod => (
            "405 Method Not Allowed",
            "text/plain; charset=utf-8",
            "only GET and HEAD\n".into(),
        ),
        Asked::Bad => (
            "400 Bad Request",
            "text/plain; charset=utf-8",
            "bad request\n".into(),
        ),
    };
    let allow = if asked == Asked::WrongMethod {
        "Allow: GET, HEAD\r\n"
    } else {
        ""
    };
    let mut response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n{allow}Cache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    if !head_only {
        response.extend_from_slice(body.as_bytes());
    }
    stream.write_all(&response)?;
    stream.flush()
}

/// The request line and headers, up to the blank line (the body, if any, is not read).
fn read_head(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && !head.windows(2).any(|w| w == b"\n\n") {
        if head.len() > MAX_REQUEST {
            break;
        }
        let n = stream.read(&mut buf)?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    Ok(head)
}

/// What the request line asks for, and whether only the head is wanted (HEAD).
fn parse(head: &[u8]) -> (Asked, bool) {
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = String::from_utf8_lossy(line);
    let mut words = line.split_whitespace();
    let (Some(method), Some(target), Some(version)) = (words.next(), words.next(), words.next())
    else {
        return (Asked::Bad, false);
    };
    if !version.starts_with("HTTP/") {
        return (Asked::Bad, false);
    }
    let path = target.split(['?', '#']).next().unwrap_or_default();
    let asked = match path {
        "/status" => Asked::Status,
        "/metrics" => Asked::Metrics,
        _ => Asked::NotFound,
    };
    match method {
        "GET" => (asked, false),
        "HEAD" => (asked, true),
        _ if asked == Asked::NotFound => (asked, false),
        _ => (Asked::WrongMethod, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_lines() {
        assert_eq!(
            parse(b"GET /metrics HTTP/1.1\r\n\r\n"),
            (Asked::Metrics, false)
        );
        assert_eq!(
            parse(b"GET /status?x=1 HTTP/1.0\r\nHost: a\r\n\r\n"),
            (Asked::Status, false)
        );
        assert_eq!(
            parse(b"HEAD /status HTTP/1.1\r\n\r\n"),
            (Asked::Status, true)
        );
        assert_eq!(parse(b"GET / HTTP/1.1\r\n\r\n"), (Asked::NotFound, false));
        assert_eq!(
            parse(b"POST /metrics HTTP/1.1\r\n\r\n"),
            (Asked::WrongMethod, false)
        );
        assert_eq!(parse(b"hello\r\n\r\n"), (Asked::Bad, false));
        assert_eq!(parse(b""), (Asked::Bad, false));
    }
}
