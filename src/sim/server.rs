//! Serving generated traffic over TCP as each system does: the 5000 (login checked), App Suite
//! local mode and MiVB listen; for App Suite push mode the simulator connects out. Faults on
//! request: split, drip, drop (resending the torn record whole next time) and garbage.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{Local, NaiveDateTime};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::watch;
use tokio::time::Instant;

use super::faults::{Faults, junk, write_record};
use super::traffic::{Generator, Line, Scenario, TITLE_LINE, TrafficFormat, mitel5000_header};
use crate::protocol::mitel5000::framer::encode_frame;
use crate::protocol::mitel5000::login::parse_login;
use crate::site_url::{Protocol, UrlError, UrlTarget};
use crate::sync::lock;

/// A wrong 5000 password gets this long of silence, then the connection is closed.
pub const WRONG_PASSWORD_SILENCE: Duration = Duration::from_secs(3);

/// Why a simulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error(transparent)]
    Url(#[from] UrlError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: String,
        #[source]
        source: io::Error,
    },
    #[error("{0} has no address to connect to")]
    NoAddress(String),
    #[error("cannot make a folder for the demo's logs: {0}")]
    LogFolder(#[source] io::Error),
}

#[derive(Debug, Clone)]
pub struct SimOptions {
    /// Lines per second, on average.
    pub rate: f64,
    /// The 5000 SMDR password; `None` accepts any login.
    pub password: Option<String>,
    /// Stop sending after this many records (headers included); the connection stays open.
    pub count: Option<u64>,
    pub faults: Faults,
    /// The traffic's seed; `None` picks one.
    pub seed: Option<u64>,
    /// Keep every record sent whole, for tests to compare with what was received.
    pub journal: bool,
    /// Push mode: connect from this local address (tests use 127.0.0.2 as a stranger).
    pub source: Option<IpAddr>,
    /// Serve clients side by side, sharing the one stream of records (the demo: a connection
    /// test then works while the demo site collects, and takes a record from it, as on a PBX
    /// that hands its records to whoever connects).
    pub concurrent: bool,
    /// Calls that trigger an alarm rule, mixed into the traffic ([`Scenario`]); `silent` also
    /// stops sending after a few records unless `count` says otherwise.
    pub scenario: Option<Scenario>,
}

impl Default for SimOptions {
    fn default() -> Self {
        Self {
            rate: super::traffic::DEFAULT_RATE,
            password: None,
            count: None,
            faults: Faults::default(),
            seed: None,
            journal: false,
            source: None,
            concurrent: false,
            scenario: None,
        }
    }
}

/// A running simulator. Dropping it stops it.
pub struct SimServer {
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    local: Option<SocketAddr>,
    notes: Mutex<Option<Receiver<String>>>,
}

struct Shared {
    protocol: Protocol,
    options: SimOptions,
    feed: Mutex<SimFeed>,
    notes: Sender<String>,
}

/// The one stream of records, shared by successive connections: records due while nobody is
/// connected wait (as in a PBX buffer), and a torn record is sent again whole.
struct SimFeed {
    generator: Generator,
    origin: (Instant, NaiveDateTime),
    ahead: Option<Line>,
    resend: Option<String>,
    sent: u64,
    journal: Vec<String>,
    connections: u64,
    rng: fastrand::Rng,
}

enum Next {
    Send(String),
    WaitUntil(Instant),
    Done,
}

impl SimFeed {
    fn done(&self, count: Option<u64>) -> bool {
        count.is_some_and(|c| self.sent >= c)
    }

    fn poll(&mut self, now: Instant, count: Option<u64>) -> Next {
        if self.done(count) {
            return Next::Done;
        }
        if let Some(text) = self.resend.take() {
            return Next::Send(text);
        }
        let line = self.ahead.get_or_insert_with(|| self.generator.next_line());
        let offset = (line.at - self.origin.1).to_std().unwrap_or_default();
        let due = self.origin.0 + offset;
        if due <= now {
            let text = std::mem::take(&mut line.text);
            self.ahead = None;
            Next::Send(text)
        } else {
            Next::WaitUntil(due)
        }
    }

    fn sent_whole(&mut self, text: String, journal: bool) {
        self.sent += 1;
        if journal {
            self.journal.push(text);
        }
    }
}

impl SimServer {
    /// Starts simulating `url` on `handle`'s runtime: `mitel5000://127.0.0.1:0` listens on an
    /// ephemeral port ([`Self::local_addr`]); `appsuite-push://host:port` connects out there.
    pub fn start(
        handle: &tokio::runtime::Handle,
        url: &str,
        mut options: SimOptions,
    ) -> Result<Self, SimError> {
        let target = UrlTarget::parse(url)?;
        let seed = options.seed.unwrap_or_else(|| fastrand::u64(..));
        let start = Local::now().naive_local();
        let format = TrafficFormat::for_protocol(target.protocol);
        let mut generator = Generator::with_rate(format, seed, start, options.rate);
        if let Some(scenario) = options.scenario {
            generator.inject(scenario.lines(format, start));
            options.count = options.count.or(scenario.quiet_after());
        }
        let (notes, notes_rx) = channel();
        let shared = Arc::new(Shared {
            protocol: target.protocol,
            feed: Mutex::new(SimFeed {
                generator,
                origin: (Instant::now(), start),
                ahead: None,
                resend: None,
                sent: 0,
                journal: Vec::new(),
                connections: 0,
                rng: fastrand::Rng::with_seed(seed ^ 0x5eed),
            }),
            options,
            notes,
        });
        let (stop, stop_rx) = watch::channel(false);
        let _guard = handle.enter();
        let local = if target.protocol == Protocol::AppsuitePush {
            handle.spawn(push_loop(shared.clone(), target.address(), stop_rx));
            None
        } else {
            let addr = target.address();
            let listen = || -> io::Result<(TcpListener, SocketAddr)> {
                let std_listener = std::net::TcpListener::bind(&addr)?;
                std_listener.set_nonblocking(true)?;
                let listener = TcpListener::from_std(std_listener)?;
                let local = listener.local_addr()?;
                Ok((listener, local))
            };
            let (listener, local) = listen().map_err(|source| SimError::Listen {
                addr: addr.clone(),
                source,
            })?;
            handle.spawn(accept_loop(shared.clone(), listener, stop_rx));
            Some(local)
        };
        Ok(Self {
            shared,
            stop,
            local,
            notes: Mutex::new(Some(notes_rx)),
        })
    }

    /// The listening address (`None` in push mode).
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.local
    }

    /// Records sent whole so far (headers included).
    pub fn sent(&self) -> u64 {
        lock(&self.shared.feed).sent
    }

    /// Connections served so far.
    pub fn connections(&self) -> u64 {
        lock(&self.shared.feed).connections
    }

    /// Every record sent whole, in order (when started with `journal`).
    pub fn journal(&self) -> Vec<String> {
        lock(&self.shared.feed).journal.clone()
    }

    /// What the simulator did, in words (connections, logins, faults); once.
    pub fn take_notes(&self) -> Option<Receiver<String>> {
        lock(&self.notes).take()
    }

    /// Stops sending and closes the connection.
    pub fn stop(&self) {
        let _ = self.stop.send(true);
    }
}

impl Drop for SimServer {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Shared {
    fn note(&self, message: String) {
        tracing::debug!("simulator: {message}");
        let _ = self.notes.send(message);
    }

    fn wire(&self, text: &str) -> Vec<u8> {
        let mut wire = Vec::with_capacity(text.len() + 6);
        if self.protocol == Protocol::Mitel5000 {
            encode_frame(text.as_bytes(), &mut wire);
        } else {
            wire.extend_from_slice(text.as_bytes());
            wire.extend_from_slice(b"\r\n");
        }
        wire
    }
}

async fn stopped(mut stop: watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// One client at a time, as a PBX's SMDR socket: others wait until it leaves (unless the
/// options say to serve them side by side).
async fn accept_loop(shared: Arc<Shared>, listener: TcpListener, stop: watch::Receiver<bool>) {
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = stopped(stop.clone()) => return,
        };
        match accepted {
            Ok((stream, peer)) if shared.options.concurrent => {
                let (shared, stop) = (shared.clone(), stop.clone());
                tokio::spawn(async move {
                    shared.note(format!("{peer} connected"));
                    serve(&shared, stream, &stop).await;
                    shared.note(format!("{peer} is gone"));
                });
            }
            Ok((stream, peer)) => {
                shared.note(format!("{peer} connected"));
                serve(&shared, stream, &stop).await;
                shared.note(format!("{peer} is gone"));
            }
            Err(e) => {
                shared.note(format!("accept failed: {e}"));
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// Push mode: connect to the collector's listener, serve, and come back after any drop.
async fn push_loop(shared: Arc<Shared>, target: String, stop: watch::Receiver<bool>) {
    let mut failing = false;
    while !*stop.borrow() {
        let connected = tokio::select! {
            c = connect_from(&target, shared.options.source) => c,
            _ = stopped(stop.clone()) => return,
        };
        let pause = match connected {
            Ok(stream) => {
                failing = false;
                shared.note(format!("connected to the push listener at {target}"));
                serve(&shared, stream, &stop).await;
                shared.note(format!("disconnected from {target}"));
                Duration::from_millis(300)
            }
            Err(e) => {
                if !failing {
                    shared.note(format!("cannot reach {target}: {e}; retrying every second"));
                    failing = true;
                }
                Duration::from_secs(1)
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = stopped(stop.clone()) => return,
        }
    }
}

async fn connect_from(target: &str, source: Option<IpAddr>) -> io::Result<TcpStream> {
    let addr = tokio::net::lookup_host(target)
        .await?
        .next()
        .ok_or_else(|| io::Error::other(format!("{target} has no address")))?;
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    if let Some(ip) = source {
        socket.bind(SocketAddr::new(ip, 0))?;
    }
    socket.connect(addr).await
}

/// Reads the 5000 login frame; `None` when the client leaves or sends something else.
async fn read_login<R: AsyncRead + Unpin>(r: &mut R) -> Option<Vec<u8>> {
    let mut frame = vec![0u8; 4];
    r.read_exact(&mut frame).await.ok()?;
    let len = u32::from_le_bytes([frame[0], frame[1], frame[2], frame[3]]) as usize;
    if len > 64 {
        return None;
    }
    frame.resize(4 + len, 0);
    r.read_exact(&mut frame[4..]).await.ok()?;
    parse_login(&frame).map(<[u8]>::to_vec)
}

async fn serve(shared: &Shared, mut stream: TcpStream, stop: &watch::Receiver<bool>) {
    let _ = stream.set_nodelay(true);
    lock(&shared.feed).connections += 1;
    let (mut rd, mut wr) = stream.split();
    let options = &shared.options;
    if shared.protocol == Protocol::Mitel5000 {
        let login = tokio::select! {
            l = read_login(&mut rd) => l,
            _ = stopped(stop.clone()) => return,
        };
        let Some(password) = login else {
            shared.note("no login frame: closing".into());
            return;
        };
        let wanted = options.password.as_deref();
        if wanted.is_some_and(|w| w.as_bytes() != password.as_slice()) {
            shared.note(format!(
                "wrong SMDR password: silence, then closing after {} s",
                WRONG_PASSWORD_SILENCE.as_secs()
            ));
            tokio::select! {
                _ = tokio::time::sleep(WRONG_PASSWORD_SILENCE) => {}
                _ = stopped(stop.clone()) => {}
            }
            return;
        }
        shared.note("logged in".into());
    }
    let mut rng = fastrand::Rng::with_seed(lock(&shared.feed).rng.u64(..));
    let drop_after = rng.u32(3..10);
    let mut written = 0u32;
    // The 5000 greets each connection with its header and the column titles.
    let mut greeting: Vec<String> = if shared.protocol == Protocol::Mitel5000 {
        vec![
            mitel5000_header(Local::now().naive_local()),
            TITLE_LINE.to_string(),
        ]
    } else {
        Vec::new()
    };
    greeting.reverse();
    let mut scratch = [0u8; 512];
    loop {
        if *stop.borrow() {
            return;
        }
        let next = {
            let mut feed = lock(&shared.feed);
            match greeting.pop() {
                Some(_) if feed.done(options.count) => Next::Done,
                Some(text) => Next::Send(text),
                None => feed.poll(Instant::now(), options.count),
            }
        };
        match next {
            Next::Send(text) => {
                let tear = options.faults.drop && written >= drop_after;
                let garbage = (options.faults.garbage && rng.u8(..4) == 0)
                    .then(|| junk(&mut rng, shared.protocol == Protocol::Mitel5000));
                let wire = shared.wire(&text);
                let result =
                    write_record(&mut wr, &wire, options.faults, &mut rng, garbage, tear).await;
                let mut feed = lock(&shared.feed);
                match result {
                    Ok(()) if !tear => {
                        written += 1;
                        feed.sent_whole(text, options.journal);
                    }
                    Ok(()) => {
                        feed.resend = Some(text);
                        drop(feed);
                        shared
                            .note("fault: dropped the connection in the middle of a record".into());
                        return;
                    }
                    Err(_) => {
                        feed.resend = Some(text);
                        return;
                    }
                }
            }
            Next::WaitUntil(due) => {
                tokio::select! {
                    _ = tokio::time::sleep_until(due) => {}
                    r = rd.read(&mut scratch) => if !matches!(r, Ok(n) if n > 0) { return },
                    _ = stopped(stop.clone()) => return,
                }
            }
            Next::Done => {
                tokio::select! {
                    r = rd.read(&mut scratch) => if !matches!(r, Ok(n) if n > 0) { return },
                    _ = stopped(stop.clone()) => return,
                }
            }
        }
    }
}
