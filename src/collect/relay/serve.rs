//! The relay's connections: listeners accepting programs (a 5000's login checked), push targets
//! reached and reached again, and each client's writer.

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use chrono::{DateTime, Local};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinSet;

use super::{Joined, RelayTarget};
use crate::collect::backoff::Backoff;
use crate::collect::daylog::day_logs;
use crate::collect::net::{CONNECT_TIMEOUT, connect};
use crate::collect::push::PushListener;
use crate::collect::sink::SharedSink;
use crate::collect::site::{Protocol, SiteConfig};
use crate::collect::words::read_error;
use crate::protocol::duration;
use crate::protocol::mitel5000::framer::encode_frame;
use crate::protocol::mitel5000::login::parse_login;
use crate::sync::lock;

/// How long a 5000 listener has to send its login frame.
const LOGIN_WAIT: Duration = Duration::from_secs(10);
/// The longest login frame taken (a 15-character password makes 17 bytes).
const MAX_LOGIN: usize = 64;
/// A relay socket's send buffer: enough for any SMDR rate, and small, so a client that stops
/// reading fills its queue (and is dropped) soon instead of hiding megabytes in the kernel.
const SEND_BUFFER: usize = 64 * 1024;

/// What every relay task of a site needs.
#[derive(Clone)]
struct Ctx {
    sink: SharedSink,
    site: Arc<SiteConfig>,
    log_dir: Arc<Path>,
}

impl Ctx {
    fn log(&self, words: String) {
        lock(&self.sink).log(words);
    }
}

/// Runs a site's relay (its listeners and push targets) for as long as the site runs: the future
/// never ends by itself; dropping it closes every relay connection.
pub async fn run(site: SiteConfig, log_dir: PathBuf, sink: SharedSink) {
    let (targets, bad) = site.relay.targets();
    let ctx = Ctx {
        sink,
        site: Arc::new(site),
        log_dir: log_dir.into(),
    };
    for e in bad {
        ctx.log(format!("relay: {e}: left out"));
    }
    let mut tasks = JoinSet::new();
    for target in targets {
        match target {
            RelayTarget::Listen(bind) => tasks.spawn(listen(ctx.clone(), bind)),
            RelayTarget::Push(addr) => tasks.spawn(push(ctx.clone(), addr)),
        };
    }
    // The tasks loop until aborted, which dropping the set does.
    while tasks.join_next().await.is_some() {}
    std::future::pending::<()>().await;
}

/// The allow-list in words, for the log.
fn allowed_words(allow: &[String]) -> String {
    if allow.is_empty() {
        "this PC only (127.0.0.1, ::1): add addresses to the relay's allow-list to serve others"
            .into()
    } else {
        allow.join(", ")
    }
}

/// A `listen` entry: binds (retrying with backoff while the port is taken), then serves every
/// allowed program that connects, each on its own task.
async fn listen(ctx: Ctx, bind: String) {
    let mut backoff = Backoff::default();
    let allow = &ctx.site.relay.allow;
    let listener = loop {
        match PushListener::bind(&bind, allow).await {
            Ok((listener, warnings)) => {
                for w in warnings {
                    ctx.log(format!("relay: {w}"));
                }
                break listener;
            }
            Err(e) => {
                let delay = backoff.next_delay();
                ctx.log(format!(
                    "relay: {e}; trying again in {}",
                    duration::words(delay)
                ));
                tokio::time::sleep(delay).await;
            }
        }
    };
    ctx.log(format!(
        "relay: listening on {} for programs that want this site's feed (allowed: {})",
        listener.local,
        allowed_words(allow)
    ));
    let mut clients = JoinSet::new();
    loop {
        let (stream, peer) = listener
            .accept(|peer| {
                lock(&ctx.sink).relay_refused(format!(
                    "relay: refused a connection from {peer}: not on the relay's allow-list (allowed: {})",
                    allowed_words(allow)
                ));
            })
            .await;
        clients.spawn(accepted(ctx.clone(), stream, peer));
        while clients.try_join_next().is_some() {}
    }
}

/// An allowed program connected to a `listen` entry: a 5000 client logs in first.
async fn accepted(ctx: Ctx, mut stream: TcpStream, peer: SocketAddr) {
    small_send_buffer(&stream);
    if ctx.site.protocol == Protocol::Mitel5000 {
        let login = tokio::time::timeout(LOGIN_WAIT, read_login(&mut stream)).await;
        let refused = match login {
            Err(_) => Some(format!(
                "relay: refused {peer}: it sent no login within {}",
                duration::words(LOGIN_WAIT)
            )),
            Ok(Err(e)) => Some(format!("relay: refused {peer}: {e}")),
            Ok(Ok(_)) if ctx.site.relay.locked => Some(format!(
                "relay: refused {peer}: the relay password could not be read from the credential store"
            )),
            Ok(Ok(password)) => {
                let wanted = ctx.site.relay.password.expose().as_bytes();
                (!wanted.is_empty() && wanted != password.as_slice())
                    .then(|| format!("relay: refused {peer}: wrong relay password"))
            }
        };
        if let Some(words) = refused {
            lock(&ctx.sink).relay_refused(words);
            return;
        }
    }
    serve(&ctx, stream, &peer.to_string(), "relay: relaying to {peer}").await;
}

/// Reads a 5000 login frame and returns its password bytes.
async fn read_login<R: AsyncRead + Unpin>(r: &mut R) -> io::Result<Vec<u8>> {
    let not_login = || {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "what it sent is not a Mitel 5000 SMDR login",
        )
    };
    let mut frame = vec![0u8; 4];
    r.read_exact(&mut frame).await?;
    let len = u32::from_le_bytes([frame[0], frame[1], frame[2], frame[3]]) as usize;
    if len > MAX_LOGIN {
        return Err(not_login());
    }
    frame.resize(4 + len, 0);
    r.read_exact(&mut frame[4..]).await?;
    parse_login(&frame)
        .map(<[u8]>::to_vec)
        .ok_or_else(not_login)
}

/// A `push` entry: connects to the target and sends it the feed; after it goes away (it
/// restarted, or dropped us), connects again with backoff.
async fn push(ctx: Ctx, addr: String) {
    let mut backoff = Backoff::default();
    let mut failing = false;
    loop {
        match connect(&addr, CONNECT_TIMEOUT).await {
            Ok(stream) => {
                failing = false;
                backoff.reset();
                small_send_buffer(&stream);
                serve(
                    &ctx,
                    stream,
                    &addr,
                    "relay: connected to {peer}: relaying to it",
                )
                .await;
            }
            Err(e) => {
                // Once per failure streak: a target that is down for a day logs one line.
                if !failing {
                    ctx.log(format!(
                        "relay: cannot reach the push target {addr} ({e}): is the program there running and listening? Trying again with a growing pause"
                    ));
                    failing = true;
                }
            }
        }
        tokio::time::sleep(backoff.next_delay()).await;
    }
}

fn small_send_buffer(stream: &TcpStream) {
    if let Err(e) = socket2::SockRef::from(stream).set_send_buffer_size(SEND_BUFFER) {
        // Not fatal: a stalled client is then noticed a little later.
        tracing::debug!("cannot size a relay socket's send buffer: {e}");
    }
}

/// Serves one client until it leaves, is dropped as too slow, or the site stops. `joined` says
/// it in the connection log (`{peer}` replaced).
async fn serve(ctx: &Ctx, mut stream: TcpStream, peer: &str, joined: &str) {
    let limit = ctx.site.relay.max_behind();
    let minutes = ctx.site.relay.replay_minutes;
    // Joined under the site's lock: every record written to the raw day log before this is in
    // the snapshot, every one after it is in the queue, so a replay neither repeats nor misses.
    let (client, snapshot) = {
        let mut sink = lock(&ctx.sink);
        let snapshot = (minutes > 0).then(|| (sink.now(), sink.raw_written()));
        let client = sink.relay_join(peer, limit, joined.replace("{peer}", peer));
        (client, snapshot)
    };
    let replay = match snapshot {
        Some((now, written)) => {
            let since = now - chrono::TimeDelta::minutes(i64::from(minutes));
            let (dir, site, protocol) = (
                ctx.log_dir.clone(),
                ctx.site.name.clone(),
                ctx.site.protocol,
            );
            tokio::task::spawn_blocking(move || {
                replay_bytes(&dir, &site, protocol, since, now, written)
            })
            .await
            .unwrap_or_else(|e| Err(io::Error::other(e)))
        }
        None => Ok(Vec::new()),
    };
    let replay = replay.unwrap_or_else(|e| {
        ctx.log(format!(
            "relay: cannot read the raw day log to replay the last {minutes} minutes to {peer}: {e}"
        ));
        Vec::new()
    });
    let id = client.id;
    if let Some(why) = write_out(&mut stream, client, &replay).await {
        lock(&ctx.sink).relay_leave(id, format!("relay: {peer} {why}"));
    }
}

/// Writes the replay, then the client's queue, until the end: why it ended, or `None` when the
/// client was dropped as too slow (already said) or the site stops.
async fn write_out(stream: &mut TcpStream, client: Joined, replay: &[u8]) -> Option<String> {
    let Joined { mut rx, shared, .. } = client;
    let (mut rd, mut wr) = stream.split();
    let mut scratch = [0u8; 512];
    let mut pending: Option<Arc<[u8]>> = None;
    let mut first: &[u8] = replay;
    loop {
        // The batch being written, if any; else wait for the next while watching the socket.
        if !first.is_empty() || pending.is_some() {
            let bytes: &[u8] = match &pending {
                Some(b) if first.is_empty() => b,
                _ => first,
            };
            tokio::select! {
                biased;
                _ = shared.kick.notified() => return None,
                w = wr.write_all(bytes) => if let Err(e) = w {
                    return Some(format!("went away: {}", read_error(&e)));
                },
            }
            if !first.is_empty() {
                first = &[];
            } else if let Some(b) = pending.take() {
                shared.queued.fetch_sub(b.len(), Ordering::AcqRel);
            }
            continue;
        }
        tokio::select! {
            biased;
            _ = shared.kick.notified() => return None,
            batch = rx.recv() => match batch {
                Some(b) => pending = Some(b),
                None => return None,
            },
            // What a client sends is not used; reading notices it leaving.
            r = rd.read(&mut scratch) => match r {
                Ok(0) => return Some("closed the connection".into()),
                Ok(_) => {}
                Err(e) => return Some(format!("went away: {}", read_error(&e))),
            },
        }
    }
}

/// The records of `since..=now` in the site's raw day logs, as the site's protocol frames them
/// (a 5000 frame is its text, CR LF and the length before them, exactly as received; a line
/// gets CR LF). `written`: the file being written and its lines when the client joined; later
/// lines reach the client through its queue.
fn replay_bytes(
    log_dir: &Path,
    site: &str,
    protocol: Protocol,
    since: DateTime<Local>,
    now: DateTime<Local>,
    written: Option<(Arc<str>, u64)>,
) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut day = since.date_naive();
    while day <= now.date_naive() {
        for path in day_logs(log_dir, site, day)? {
            let data = std::fs::read(&path)?;
            let limit = match &written {
                Some((current, lines)) if path.display().to_string() == **current => *lines,
                _ => u64::MAX,
            };
            let lines = data.split(|&b| b == b'\n').filter(|l| !l.is_empty());
            for line in lines.take(usize::try_from(limit).unwrap_or(usize::MAX)) {
                let (Some(at), text) = crate::rawlog::split_receipt_time(line) else {
                    continue;
                };
                if at < since.fixed_offset() {
                    continue;
                }
                match protocol {
                    Protocol::Mitel5000 => encode_frame(text, &mut out),
                    _ => {
                        out.extend_from_slice(text);
                        out.extend_from_slice(b"\r\n");
                    }
                }
            }
        }
        let Some(next) = day.succ_opt() else { break };
        day = next;
    }
    Ok(out)
}
