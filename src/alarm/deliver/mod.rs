//! Delivering alarms: the desktop, a webhook, email and the alarm log, each a [`Channel`] on its
//! own named thread with its own bounded queue. [`Dispatcher::send`] only `try_send`s: a webhook
//! or mail server that is down fills its own queue (the overflow counted and said) and never
//! slows the engine, nor the other channels. Failures are retried with backoff and kept as each
//! channel's status, in words. The history database's channel is the engine's
//! (`engine::alarms::HistoryChannel`), handed to [`channels`].

mod desktop;
mod email;
mod log;
mod webhook;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use chrono::Local;

pub use desktop::Desktop;
pub use email::Email;
pub use log::{AlarmLog, log_file_name};
pub use webhook::Webhook;

use super::Alarm;
use super::config::{Delivery, Severity};

/// Why a delivery failed, in words ("connection refused"), and whether trying again may help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DeliveryError {
    pub message: String,
    /// Trying again will not help (a 404, a mail address the server refuses).
    pub permanent: bool,
}

impl DeliveryError {
    pub fn retry(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            permanent: false,
        }
    }
    pub fn permanent(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            permanent: true,
        }
    }
}

/// Somewhere alarms go.
pub trait Channel: Send {
    /// "webhook", "email", "desktop", "alarm log".
    fn name(&self) -> &'static str;
    /// Where, for people, without secrets: "https://hooks.slack.com/…", "tech@example.com".
    fn target(&self) -> String;
    /// Delivers one alarm; `Ok` says what happened ("HTTP 200").
    fn deliver(&mut self, alarm: &Alarm) -> Result<String, DeliveryError>;
}

/// The channels `delivery` configures (the alarm log in `log_dir`). `history` makes the history
/// database's channel, asked only when `delivery.history` is on: the engine knows the database,
/// the alarms do not.
pub fn channels(
    delivery: &Delivery,
    log_dir: &std::path::Path,
    history: impl FnOnce() -> Option<Box<dyn Channel>>,
) -> Vec<(Box<dyn Channel>, Severity)> {
    let mut out: Vec<(Box<dyn Channel>, Severity)> = Vec::new();
    if delivery.log {
        out.push((Box::new(AlarmLog::new(log_dir)), Severity::Info));
    }
    if delivery.desktop.enabled {
        out.push((
            Box::new(Desktop::new(delivery.desktop.sound)),
            delivery.desktop.min_severity,
        ));
    }
    if !delivery.webhook.url.trim().is_empty() {
        out.push((
            Box::new(Webhook::new(&delivery.webhook)),
            delivery.webhook.min_severity,
        ));
    }
    if delivery.history
        && let Some(channel) = history()
    {
        out.push((channel, Severity::Info));
    }
    if !delivery.email.server.trim().is_empty() {
        out.push((
            Box::new(Email::new(&delivery.email)),
            delivery.email.min_severity,
        ));
    }
    out
}

/// How often and how long a failed delivery is tried again.
#[derive(Debug, Clone, PartialEq)]
pub struct Retry {
    /// The waits before each new try; when they run out the alarm is given up.
    pub waits: Vec<Duration>,
}

impl Default for Retry {
    fn default() -> Self {
        Self {
            waits: [2, 5, 15, 30, 60, 120].map(Duration::from_secs).to_vec(),
        }
    }
}

/// A channel's state, for the window's status and the CLI.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChannelStatus {
    pub channel: &'static str,
    pub target: String,
    pub delivered: u64,
    /// Alarms given up after every retry, or refused for good.
    pub failed: u64,
    /// Alarms not queued: the queue was full.
    pub dropped: u64,
    /// What is happening now, in words: "delivered at 14:02:11 (HTTP 200)", "connection
    /// refused at 14:02:11, retrying in 30 s".
    pub state: String,
    /// The channel is failing now (retrying, or gave up on the latest alarm).
    pub failing: bool,
}

impl ChannelStatus {
    /// "webhook: connection refused at 14:02:11, retrying in 30 s; 3 alarms dropped, the
    /// queue of 256 was full".
    pub fn describe(&self, queue: usize) -> String {
        let mut s = format!("{}: {}", self.channel, self.state);
        if self.dropped > 0 {
            let alarms = if self.dropped == 1 { "alarm" } else { "alarms" };
            s.push_str(&format!(
                "; {} {alarms} dropped, the queue of {queue} was full",
                self.dropped
            ));
        }
        s
    }
}

struct Lane {
    min_severity: Severity,
    tx: Option<SyncSender<Arc<Alarm>>>,
    shared: Arc<LaneShared>,
    thread: Option<JoinHandle<()>>,
}

struct LaneShared {
    status: Mutex<ChannelStatus>,
    /// Queued and not yet delivered or given up.
    pending: AtomicU64,
    stop: AtomicBool,
    /// Wakes a retry wait early when stopping.
    wake: (Mutex<()>, Condvar),
    notify: Option<Arc<dyn Fn() + Send + Sync>>,
}

impl LaneShared {
    fn status(&self) -> MutexGuard<'_, ChannelStatus> {
        self.status.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn update(&self, f: impl FnOnce(&mut ChannelStatus)) {
        f(&mut self.status());
        if let Some(n) = &self.notify {
            n();
        }
    }

    /// Waits `d`, or less if told to stop; `false` when stopping.
    fn wait(&self, d: Duration) -> bool {
        let deadline = Instant::now() + d;
        let mut guard = self.wake.0.lock().unwrap_or_else(|p| p.into_inner());
        while !self.stop.load(Ordering::SeqCst) {
            let now = Instant::now();
            if now >= deadline {
                return true;
            }
            guard = match self.wake.1.wait_timeout(guard, deadline - now) {
                Ok((g, _)) => g,
                Err(p) => p.into_inner().0,
            };
        }
        false
    }
}

/// Delivers alarms to every channel, each on its own thread.
pub struct Dispatcher {
    lanes: Vec<Lane>,
    queue: usize,
}

impl Dispatcher {
    /// The channels of `delivery`, the alarm log in `log_dir`, the history's from `history`
    /// (see [`channels`]). `notify` is called whenever a channel's status changes (the window
    /// asks for a repaint).
    pub fn start(
        delivery: &Delivery,
        log_dir: &std::path::Path,
        history: impl FnOnce() -> Option<Box<dyn Channel>>,
        notify: Option<Arc<dyn Fn() + Send + Sync>>,
    ) -> Self {
        Self::with_channels(
            channels(delivery, log_dir, history),
            delivery.queue,
            Retry::default(),
            notify,
        )
    }

    pub fn with_channels(
        channels: Vec<(Box<dyn Channel>, Severity)>,
        queue: usize,
        retry: Retry,
        notify: Option<Arc<dyn Fn() + Send + Sync>>,
    ) -> Self {
        let queue = queue.max(1);
        let lanes = channels
            .into_iter()
            .map(|(channel, min_severity)| {
                let (tx, rx) = sync_channel(queue);
                let shared = Arc::new(LaneShared {
                    status: Mutex::new(ChannelStatus {
                        channel: channel.name(),
                        target: channel.target(),
                        state: "no alarm yet".into(),
                        ..ChannelStatus::default()
                    }),
                    pending: AtomicU64::new(0),
                    stop: AtomicBool::new(false),
                    wake: (Mutex::new(()), Condvar::new()),
                    notify: notify.clone(),
                });
                let name = format!("smdr-alarm-{}", channel.name().replace(' ', "-"));
                let lane_shared = shared.clone();
                let retry = retry.clone();
                let thread = std::thread::Builder::new()
                    .name(name)
                    .spawn(move || run_lane(channel, rx, &lane_shared, &retry))
                    .map_err(|e| {
                        tracing::error!("cannot start an alarm delivery thread: {e}");
                        shared.update(|s| {
                            s.state = format!("not running: cannot start its thread ({e})");
                            s.failing = true;
                        });
                    })
                    .ok();
                Lane {
                    min_severity,
                    tx: thread.is_some().then_some(tx),
                    shared,
                    thread,
                }
            })
            .collect();
        Self { lanes, queue }
    }

    /// Queues `alarm` for every channel that takes its severity (a test alarm for every
    /// channel, as `alarms test` does). Never blocks: a full queue drops it for that channel and
    /// counts it.
    pub fn send(&self, alarm: &Alarm) {
        let alarm = Arc::new(alarm.clone());
        for lane in &self.lanes {
            if !alarm.test && alarm.severity < lane.min_severity {
                continue;
            }
            let Some(tx) = &lane.tx else {
                continue;
            };
            lane.shared.pending.fetch_add(1, Ordering::SeqCst);
            match tx.try_send(alarm.clone()) {
                Ok(()) => {}
                Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                    lane.shared.pending.fetch_sub(1, Ordering::SeqCst);
                    lane.shared.update(|s| s.dropped += 1);
                }
            }
        }
    }

    /// Every channel's status, in the order they were configured.
    pub fn status(&self) -> Vec<ChannelStatus> {
        self.lanes
            .iter()
            .map(|l| l.shared.status().clone())
            .collect()
    }

    /// Each channel's status in words.
    pub fn describe(&self) -> Vec<String> {
        self.status()
            .iter()
            .map(|s| s.describe(self.queue))
            .collect()
    }

    /// Alarms queued and not yet delivered or given up, over all channels.
    pub fn pending(&self) -> u64 {
        self.lanes
            .iter()
            .map(|l| l.shared.pending.load(Ordering::SeqCst))
            .sum()
    }

    /// Waits up to `within` for the queues to empty, then stops every channel (a retry wait
    /// ends at once; a delivery under way ends at its own timeout, on its own thread). Returns
    /// how many alarms were still waiting.
    pub fn shutdown(mut self, within: Duration) -> u64 {
        let deadline = Instant::now() + within;
        while self.pending() > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let left = self.pending();
        self.stop();
        left
    }

    fn stop(&mut self) {
        for lane in &mut self.lanes {
            lane.shared.stop.store(true, Ordering::SeqCst);
            lane.tx = None;
            let _guard = lane.shared.wake.0.lock();
            lane.shared.wake.1.notify_all();
        }
        for lane in &mut self.lanes {
            // Joined only when already finished: a delivery stuck in a slow server's timeout
            // must not hold up closing the program.
            if lane.thread.as_ref().is_some_and(|t| t.is_finished())
                && let Some(t) = lane.thread.take()
            {
                let _ = t.join();
            }
        }
    }
}

impl Drop for Dispatcher {
    fn drop(&mut self) {
        self.stop();
    }
}

fn clock() -> String {
    Local::now().format("%H:%M:%S").to_string()
}

fn seconds_words(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 60 && s.is_multiple_of(60) {
        format!("{} min", s / 60)
    } else if s == 0 {
        format!("{} ms", d.as_millis())
    } else {
        format!("{s} s")
    }
}

fn run_lane(
    mut channel: Box<dyn Channel>,
    rx: Receiver<Arc<Alarm>>,
    shared: &LaneShared,
    retry: &Retry,
) {
    let name = channel.name();
    while let Ok(alarm) = rx.recv() {
        let mut attempt = 0;
        loop {
            if shared.stop.load(Ordering::SeqCst) {
                shared.pending.fetch_sub(1, Ordering::SeqCst);
                return;
            }
            match channel.deliver(&alarm) {
                Ok(what) => {
                    shared.update(|s| {
                        s.delivered += 1;
                        s.failing = false;
                        s.state = format!("delivered at {} ({what})", clock());
                    });
                    break;
                }
                Err(e) => {
                    let wait = retry.waits.get(attempt).copied();
                    match wait {
                        Some(wait) if !e.permanent => {
                            tracing::warn!(
                                "alarm {name}: {e}; retrying in {}",
                                seconds_words(wait)
                            );
                            shared.update(|s| {
                                s.failing = true;
                                s.state = format!(
                                    "{e} at {}, retrying in {}",
                                    clock(),
                                    seconds_words(wait)
                                );
                            });
                            attempt += 1;
                            if !shared.wait(wait) {
                                shared.pending.fetch_sub(1, Ordering::SeqCst);
                                return;
                            }
                        }
                        _ => {
                            let tries = attempt + 1;
                            let after = if e.permanent {
                                String::new()
                            } else {
                                format!(" after {tries} tries")
                            };
                            tracing::error!(
                                "alarm {name}: gave up on \"{}\"{after}: {e}",
                                alarm.rule
                            );
                            shared.update(|s| {
                                s.failed += 1;
                                s.failing = true;
                                s.state = format!(
                                    "{e} at {}; gave up on the alarm \"{}\"{after}",
                                    clock(),
                                    alarm.rule
                                );
                            });
                            break;
                        }
                    }
                }
            }
        }
        shared.pending.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Delivers `alarm` through `channel` once, now, on this thread (`alarms test`): what happened,
/// or why not.
pub fn deliver_once(channel: &mut dyn Channel, alarm: &Alarm) -> Result<String, DeliveryError> {
    channel.deliver(alarm)
}
