//! One source of a site's SMDR, run until the site stops: a client connection (5000, App Suite
//! local, MiVB) reconnecting with backoff, or a push listener serving the App Suite server.

use std::fmt;
use std::future::pending;
use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{Notify, watch};

use super::backoff::Backoff;
use super::codec::Codec;
use super::events::SiteState;
use super::net::{CONNECT_TIMEOUT, connect};
use super::push::{PushListener, refused_words};
use super::sink::{SharedSink, SiteSink, Slot};
use super::site::{Protocol, SiteConfig};
use super::words::{connect_error, read_error};
use crate::protocol::duration;
use crate::protocol::mitel5000::login::LoginError;
use crate::protocol::mitel5000::{login_frame, mask_login, masked_hex};
use crate::sync::lock;

pub struct Feed {
    pub sink: SharedSink,
    pub slot: Slot,
    pub stop: watch::Receiver<bool>,
    /// "Retry now": ends a backoff early.
    pub retry: std::sync::Arc<Notify>,
}

/// Why the 5000 login could not be sent.
#[derive(Debug, thiserror::Error)]
enum SendLoginError {
    #[error("cannot log in: {0}")]
    Frame(#[from] LoginError),
    #[error("sending the login failed: {}", read_error(.0))]
    Send(#[source] io::Error),
}

/// How a connection ended.
enum End {
    Stopped,
    Closed,
    Failed(io::Error),
    /// Push mode: the server connected again; the old connection is dropped for the new one.
    Replaced(TcpStream, SocketAddr),
}

impl Feed {
    fn with<R>(&self, f: impl FnOnce(&mut SiteSink) -> R) -> R {
        f(&mut lock(&self.sink))
    }

    fn log(&self, message: impl Into<String>) {
        self.with(|s| s.log(message));
    }

    fn state(&self, state: SiteState) {
        self.with(|s| s.set_state(self.slot, state));
    }

    /// Resolves when the site is told to stop (or its handle is gone).
    pub async fn stopped(&self) {
        let mut rx = self.stop.clone();
        let _ = rx.wait_for(|stop| *stop).await;
    }

    /// Waits `delay` in the backing-off state; false when the site stopped meanwhile. The error
    /// is handled here: logged once and shown in the site's state.
    async fn back_off(&self, backoff: &mut Backoff, error: impl fmt::Display) -> bool {
        let error = error.to_string();
        let delay = backoff.next_delay();
        let until = self.with(|s| s.now())
            + chrono::TimeDelta::from_std(delay).unwrap_or(chrono::TimeDelta::MAX);
        // Listening for "Retry now" before the state says "retrying at…", so no press is lost.
        let retry = self.retry.notified();
        tokio::pin!(retry);
        retry.as_mut().enable();
        self.log(format!("{error}; retrying in {}", duration::words(delay)));
        self.state(SiteState::BackingOff {
            until,
            last_error: error,
        });
        tokio::select! {
            _ = tokio::time::sleep(delay) => true,
            _ = &mut retry => {
                self.log("retrying now, as asked");
                true
            }
            _ = self.stopped() => false,
        }
    }

    /// Reads until the connection ends, the site stops, or (push) the server connects again.
    /// Returns how it ended and whether any bytes came.
    async fn read_until_end(
        &self,
        stream: &mut TcpStream,
        codec: &mut Codec,
        listener: Option<&PushListener>,
    ) -> (End, bool) {
        let mut buf = vec![0u8; 16 * 1024];
        let mut got_data = false;
        loop {
            let again = async {
                match listener {
                    Some(l) => Some(l.accept(|peer| self.refuse(peer, l)).await),
                    None => pending().await,
                }
            };
            tokio::select! {
                _ = self.stopped() => return (End::Stopped, got_data),
                read = stream.read(&mut buf) => match read {
                    Ok(0) => return (End::Closed, got_data),
                    Ok(n) => {
                        got_data = true;
                        self.with(|s| s.received(self.slot, &buf[..n], codec));
                    }
                    Err(e) => return (End::Failed(e), got_data),
                },
                Some((s, peer)) = again => return (End::Replaced(s, peer), got_data),
            }
        }
    }

    fn refuse(&self, peer: SocketAddr, listener: &PushListener) {
        self.log(refused_words(peer, &listener.allowed_words));
    }

    /// The end of a connection: torn record discarded, gap opened, state left to the caller.
    fn ended(&self, codec: &mut Codec) {
        self.with(|s| {
            s.discard_torn(codec);
            s.disconnected();
        });
    }
}

/// A client feed: connect, log in (5000), read; after any drop or error, back off and retry.
pub async fn run_client(feed: Feed, config: SiteConfig) {
    let addr = config.connect_address();
    let mut backoff = Backoff::default();
    let mut codec = Codec::for_protocol(config.protocol);
    feed.log(format!("collecting from {}", config.url()));
    loop {
        feed.state(SiteState::Connecting);
        let connected = tokio::select! {
            c = connect(&addr, CONNECT_TIMEOUT) => c,
            _ = feed.stopped() => break,
        };
        let error = match connected {
            Err(e) => connect_error(&addr, &e),
            Ok(mut stream) => {
                let peer = stream
                    .peer_addr()
                    .map_or_else(|_| addr.clone(), |p| p.to_string());
                feed.with(|s| {
                    s.connected(feed.slot);
                    s.log(format!("connected to {peer}"));
                });
                let login = match config.protocol {
                    Protocol::Mitel5000 => log_in(&mut stream, &config, &feed).await,
                    _ => Ok(()),
                };
                if let Err(error) = login {
                    feed.ended(&mut codec);
                    if !feed.back_off(&mut backoff, error).await {
                        break;
                    }
                    continue;
                }
                let since = Instant::now();
                feed.state(SiteState::WaitingForData);
                let (end, got_data) = feed.read_until_end(&mut stream, &mut codec, None).await;
                feed.ended(&mut codec);
                if got_data {
                    backoff.reset();
                }
                match end {
                    End::Stopped => break,
                    End::Closed => closed_words(config.protocol, &peer, since.elapsed(), got_data),
                    End::Failed(e) => format!("{peer}: {}", read_error(&e)),
                    // Only push connections are replaced; a client has no listener.
                    End::Replaced(_, p) => format!("{peer}: replaced by a connection from {p}"),
                }
            }
        };
        if !feed.back_off(&mut backoff, error).await {
            break;
        }
    }
    feed.with(|s| s.clear_slot(feed.slot));
}

/// Sends the 5000 login frame; the log and the raw view see the password as `*`.
async fn log_in(
    stream: &mut TcpStream,
    config: &SiteConfig,
    feed: &Feed,
) -> Result<(), SendLoginError> {
    let password = config.effective_password();
    let how = match (&password, config.password.is_empty()) {
        (Some(_), false) => "",
        (Some(_), true) => " (password from SMDR_PASSWORD)",
        (None, _) => " (no password: none configured and SMDR_PASSWORD is not set)",
    };
    let frame = login_frame(password.as_ref().map(|p| p.expose()))?;
    stream
        .write_all(&frame)
        .await
        .map_err(SendLoginError::Send)?;
    feed.with(|s| {
        s.sent(mask_login(&frame));
        s.log(format!("login sent{how}: {}", masked_hex(&frame)));
    });
    Ok(())
}

/// Why the other side closing the connection matters, in words.
fn closed_words(protocol: Protocol, peer: &str, after: Duration, got_data: bool) -> String {
    let after = duration::words(after);
    match (protocol, got_data) {
        (_, true) => format!("{peer} closed the connection after {after}"),
        (Protocol::Mitel5000, false) => format!(
            "{peer} closed the connection {after} after the login without sending anything — wrong SMDR password, or another collector holds the feed"
        ),
        (_, false) => format!(
            "{peer} closed the connection after {after} without sending anything — another collector may hold the feed"
        ),
    }
}

/// A push feed: listen, accept the allowed server, read; a new connection from it replaces the
/// old one (the server may reconnect before we notice its old connection is dead).
pub async fn run_push(feed: Feed, config: SiteConfig, bind: String) {
    let mut backoff = Backoff::default();
    let mut codec = Codec::for_protocol(config.protocol);
    let peers = config.push_peers();
    'listen: loop {
        let bound = tokio::select! {
            b = PushListener::bind(&bind, &peers) => b,
            _ = feed.stopped() => break,
        };
        let listener = match bound {
            Ok((listener, warnings)) => {
                for w in warnings {
                    feed.log(w);
                }
                feed.log(format!(
                    "listening on {} for the App Suite server (allowed: {})",
                    listener.local, listener.allowed_words
                ));
                listener
            }
            Err(error) => {
                if !feed.back_off(&mut backoff, error).await {
                    break;
                }
                continue;
            }
        };
        loop {
            feed.state(SiteState::Listening);
            let mut next = Some(tokio::select! {
                c = listener.accept(|peer| feed.refuse(peer, &listener)) => c,
                _ = feed.stopped() => break 'listen,
            });
            while let Some((mut stream, peer)) = next.take() {
                feed.with(|s| {
                    s.connected(feed.slot);
                    s.log(format!("the App Suite server {peer} connected"));
                });
                feed.state(SiteState::WaitingForData);
                let (end, _) = feed
                    .read_until_end(&mut stream, &mut codec, Some(&listener))
                    .await;
                feed.ended(&mut codec);
                match end {
                    End::Stopped => break 'listen,
                    End::Closed => {
                        feed.log(format!("the App Suite server {peer} closed the connection"))
                    }
                    End::Failed(e) => {
                        feed.log(format!("the App Suite server {peer}: {}", read_error(&e)))
                    }
                    End::Replaced(s, p) => {
                        feed.log(format!(
                            "the App Suite server connected again from {p}: closing its previous connection from {peer}"
                        ));
                        next = Some((s, p));
                    }
                }
            }
        }
    }
    feed.with(|s| s.clear_slot(feed.slot));
}
