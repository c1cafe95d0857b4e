//! Sharing a site's feed: other programs get the site's SMDR from us, in the site's own
//! protocol, as if we were the PBX (many PBXs serve one connection at a time).
//!
//! The site's sink hands each read's whole frames (5000) or lines (App Suite, MiVB), as the
//! framer took them off the socket, to every relay listener's own queue ([`Fanout`]); each
//! listener's task writes its queue out. Nothing is copied while nobody listens, and a listener
//! that falls too far behind is disconnected, never waited for.

mod serve;

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, mpsc};

use super::sink::SiteSink;
use super::site::Secret;

pub use serve::run;

/// How far a listener may fall behind by default before it is disconnected.
pub const DEFAULT_MAX_BEHIND_KIB: u32 = 256;

fn default_max_behind() -> u32 {
    DEFAULT_MAX_BEHIND_KIB
}

fn is_default_max_behind(kib: &u32) -> bool {
    *kib == DEFAULT_MAX_BEHIND_KIB
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// A site's relay, as `sites.toml` holds it (`[site.relay]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RelayConfig {
    /// `listen ADDRESS:PORT` (programs connect to us) and `push HOST:PORT` (we connect to them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entries: Vec<String>,
    /// Mitel 5000: the password a listener's login must carry; empty accepts any login. Kept in
    /// the credential store like the SMDR password.
    #[serde(default, skip_serializing_if = "Secret::is_empty")]
    pub password: Secret,
    /// Addresses (or names) allowed to connect to a `listen` entry; none means this PC only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow: Vec<String>,
    /// On connect, first send the records of the last this many minutes from the raw day log
    /// (0: off).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub replay_minutes: u32,
    /// How many KiB a listener may fall behind before it is disconnected.
    #[serde(
        default = "default_max_behind",
        skip_serializing_if = "is_default_max_behind"
    )]
    pub max_behind_kib: u32,
    /// The relay password is kept in a credential store that did not give it: every login is
    /// refused rather than let anyone in. Never saved.
    #[serde(skip)]
    pub locked: bool,
}

impl Default for RelayConfig {
    fn default() -> Self {
        Self {
            entries: Vec::new(),
            password: Secret::default(),
            allow: Vec::new(),
            replay_minutes: 0,
            max_behind_kib: DEFAULT_MAX_BEHIND_KIB,
            locked: false,
        }
    }
}

impl RelayConfig {
    /// Nothing configured: the site's file entry leaves the table out.
    pub fn is_off(&self) -> bool {
        *self == Self::default()
    }

    /// The entries that parse, and what is wrong with the others.
    pub fn targets(&self) -> (Vec<RelayTarget>, Vec<RelayEntryError>) {
        let mut ok = Vec::new();
        let mut bad = Vec::new();
        for entry in self.entries.iter().filter(|e| !e.trim().is_empty()) {
            match RelayTarget::parse(entry) {
                Ok(t) => ok.push(t),
                Err(e) => bad.push(e),
            }
        }
        (ok, bad)
    }

    fn max_behind(&self) -> usize {
        (self.max_behind_kib.max(1) as usize) * 1024
    }
}

/// One relay entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelayTarget {
    /// Listen on this `ADDRESS:PORT` for programs to connect.
    Listen(String),
    /// Connect to this `HOST:PORT` and send the feed there, reconnecting when it goes away.
    Push(String),
}

/// A relay entry that is not `listen ADDRESS:PORT` or `push HOST:PORT`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the relay entry {entry:?} is not \"listen ADDRESS:PORT\" or \"push HOST:PORT\" (port 1 to 65535)"
)]
pub struct RelayEntryError {
    pub entry: String,
}

impl RelayTarget {
    pub fn parse(entry: &str) -> Result<Self, RelayEntryError> {
        let err = || RelayEntryError {
            entry: entry.to_string(),
        };
        let (kind, addr) = entry
            .trim()
            .split_once(char::is_whitespace)
            .ok_or_else(err)?;
        let addr = addr.trim();
        let (host, port) = addr.rsplit_once(':').ok_or_else(err)?;
        if host.is_empty() || !port.parse::<u16>().is_ok_and(|p| p > 0) {
            return Err(err());
        }
        match kind.to_ascii_lowercase().as_str() {
            "listen" => Ok(Self::Listen(addr.to_string())),
            "push" => Ok(Self::Push(addr.to_string())),
            _ => Err(err()),
        }
    }
}

impl fmt::Display for RelayTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Listen(a) => write!(f, "listen {a}"),
            Self::Push(a) => write!(f, "push {a}"),
        }
    }
}

/// What a site's relay has done, in its [`super::SiteStatus`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RelayStatus {
    /// Programs getting the feed now (listeners connected, push targets reached).
    pub clients: u32,
    /// Frames (5000) or lines handed to relay clients since collection started, counted once
    /// per client.
    pub frames: u64,
    /// Their bytes, likewise.
    pub bytes: u64,
    /// Clients disconnected for falling too far behind.
    pub drops: u64,
    /// Connections refused: not on the allow-list, wrong relay password, no login.
    pub refused: u64,
}

impl RelayStatus {
    /// For the site's card: "relaying to 2", "relaying to 1 (3 dropped as too slow)".
    pub fn describe(&self) -> Option<String> {
        if self.clients == 0 && self.drops == 0 {
            return None;
        }
        let mut words = format!("relaying to {}", self.clients);
        if self.drops > 0 {
            words.push_str(&format!(" ({} dropped as too slow)", self.drops));
        }
        Some(words)
    }
}

/// What a client's task and the fan-out share.
struct ClientShared {
    /// Bytes queued and not yet written.
    queued: AtomicUsize,
    /// Set off when the client is dropped for falling behind.
    kick: Notify,
}

struct Client {
    id: u64,
    peer: String,
    tx: mpsc::UnboundedSender<Arc<[u8]>>,
    shared: Arc<ClientShared>,
    limit: usize,
}

/// A client's end of its queue.
pub(super) struct Joined {
    id: u64,
    rx: mpsc::UnboundedReceiver<Arc<[u8]>>,
    shared: Arc<ClientShared>,
}

/// The relay clients of one site, kept in its sink (under the site's lock).
#[derive(Default)]
pub struct Fanout {
    clients: Vec<Client>,
    next_id: u64,
}

impl Fanout {
    /// Nobody to relay to: the hot path copies nothing.
    pub fn is_idle(&self) -> bool {
        self.clients.is_empty()
    }

    fn join(&mut self, peer: &str, limit: usize) -> Joined {
        let (tx, rx) = mpsc::unbounded_channel();
        let shared = Arc::new(ClientShared {
            queued: AtomicUsize::new(0),
            kick: Notify::new(),
        });
        self.next_id += 1;
        self.clients.push(Client {
            id: self.next_id,
            peer: peer.to_string(),
            tx,
            shared: shared.clone(),
            limit,
        });
        Joined {
            id: self.next_id,
            rx,
            shared,
        }
    }

    /// Removes a client; false when it was gone already (dropped as too slow).
    fn leave(&mut self, id: u64) -> bool {
        let before = self.clients.len();
        self.clients.retain(|c| c.id != id);
        self.clients.len() != before
    }

    /// Queues `batch` for every client; returns the clients dropped for falling behind (peer,
    /// bytes behind) and how many clients got it. The queue is bounded by bytes, not by
    /// messages, so a batch's size (one read) never matters: a client with nothing queued
    /// always takes the next batch.
    fn send(&mut self, batch: &Arc<[u8]>) -> (Vec<(String, usize)>, u64) {
        let mut dropped = Vec::new();
        let mut served = 0;
        self.clients.retain(|c| {
            let behind = c.shared.queued.load(Ordering::Acquire);
            if behind > 0 && behind + batch.len() > c.limit {
                c.shared.kick.notify_one();
                dropped.push((c.peer.clone(), behind));
                return false;
            }
            c.shared.queued.fetch_add(batch.len(), Ordering::AcqRel);
            // A client whose task has ended is gone (its task said why).
            let alive = c.tx.send(batch.clone()).is_ok();
            served += u64::from(alive);
            alive
        });
        (dropped, served)
    }

    /// Forgets every client (the site stops): their tasks end with their queues.
    fn clear(&mut self) {
        self.clients.clear();
    }

    fn len(&self) -> u32 {
        u32::try_from(self.clients.len()).unwrap_or(u32::MAX)
    }
}

/// The relay's side of the site's sink.
impl SiteSink {
    /// Relays one read's whole frames or lines (`frames` of them in `batch`) to every client.
    pub(super) fn relay_send(&mut self, batch: Vec<u8>, frames: u64) {
        if batch.is_empty() {
            return;
        }
        let batch: Arc<[u8]> = batch.into();
        let (dropped, served) = self.relay.send(&batch);
        self.status.relay.frames += frames * served;
        self.status.relay.bytes += batch.len() as u64 * served;
        for (peer, behind) in &dropped {
            self.log(format!(
                "relay: disconnected {peer}: it fell {} KiB behind (too slow, or it stopped reading)",
                behind / 1024
            ));
        }
        if dropped.is_empty() {
            self.counters_changed();
        } else {
            self.status.relay.drops += dropped.len() as u64;
            self.status.relay.clients = self.relay.len();
            self.send_status();
        }
    }

    fn relay_join(&mut self, peer: &str, limit: usize, words: String) -> Joined {
        let joined = self.relay.join(peer, limit);
        self.log(words);
        self.status.relay.clients = self.relay.len();
        self.send_status();
        joined
    }

    /// A client's connection ended (`words` says why); nothing when it was dropped already.
    fn relay_leave(&mut self, id: u64, words: String) {
        if self.relay.leave(id) {
            self.log(words);
            self.status.relay.clients = self.relay.len();
            self.send_status();
        }
    }

    fn relay_refused(&mut self, words: String) {
        self.log(words);
        self.status.relay.refused += 1;
        self.send_status();
    }

    /// The site stops: its relay clients go with it.
    pub(super) fn relay_stop(&mut self) {
        self.relay.clear();
        self.status.relay.clients = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_parse_and_bad_ones_say_why() {
        let config = RelayConfig {
            entries: vec![
                "listen 0.0.0.0:4000".into(),
                "  push   10.0.0.9:1752 ".into(),
                "PUSH [::1]:3000".into(),
                "listen 0.0.0.0".into(),
                "serve 1.2.3.4:5".into(),
                "push h:0".into(),
                "".into(),
            ],
            ..RelayConfig::default()
        };
        let (ok, bad) = config.targets();
        assert_eq!(
            ok,
            vec![
                RelayTarget::Listen("0.0.0.0:4000".into()),
                RelayTarget::Push("10.0.0.9:1752".into()),
                RelayTarget::Push("[::1]:3000".into()),
            ]
        );
        assert_eq!(bad.len(), 3);
        assert_eq!(
            bad[0].to_string(),
            "the relay entry \"listen 0.0.0.0\" is not \"listen ADDRESS:PORT\" or \"push HOST:PORT\" (port 1 to 65535)"
        );
        assert_eq!(ok[1].to_string(), "push 10.0.0.9:1752");
    }

    #[test]
    fn a_client_behind_its_bound_is_dropped_and_the_others_keep_getting_everything() {
        let mut fanout = Fanout::default();
        let mut fast = fanout.join("fast", 100);
        let slow = fanout.join("slow", 100);
        let batch: Arc<[u8]> = vec![7u8; 60].into();
        assert_eq!(fanout.send(&batch), (vec![], 2));
        // The fast one writes its queue out; the slow one does not.
        assert_eq!(fast.rx.try_recv().unwrap().len(), 60);
        fast.shared.queued.fetch_sub(60, Ordering::AcqRel);
        let (dropped, served) = fanout.send(&batch);
        assert_eq!((dropped, served), (vec![("slow".to_string(), 60)], 1));
        assert_eq!(fanout.len(), 1);
        assert!(!fanout.leave(slow.id), "dropped already");
        // One batch larger than the bound still reaches a client that is up to date.
        let big: Arc<[u8]> = vec![1u8; 500].into();
        fast.rx.try_recv().unwrap();
        fast.shared.queued.store(0, Ordering::Release);
        assert_eq!(fanout.send(&big).1, 1);
    }

    #[test]
    fn describe() {
        let mut s = RelayStatus::default();
        assert_eq!(s.describe(), None);
        s.clients = 2;
        assert_eq!(s.describe().as_deref(), Some("relaying to 2"));
        s.drops = 3;
        assert_eq!(
            s.describe().as_deref(),
            Some("relaying to 2 (3 dropped as too slow)")
        );
    }
}
