//! The alarm stage: every record, call, connection change and raw-log failure judged by the
//! alarm rules as it passes the engine; each alarm handed to the [`Dispatcher`] (which never
//! blocks) and on to the consumer as [`EngineEvent::Alarm`].
//!
//! The stage and its [`AlarmControl`] share the dispatcher: the window sends test alarms and
//! reads delivery status through the control, and gives it new rules when Settings › Alarms is
//! saved (taken at the next batch or tick).

mod history;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Local};

pub use history::{HistoryChannel, history_channel};

use super::{EngineEvent, Stage};
use crate::alarm::check::Checker;
use crate::alarm::config::{AlarmsConfig, Delivery};
use crate::alarm::deliver::{ChannelStatus, Dispatcher};
use crate::alarm::{Alarm, Evaluator, Link, Rules};
use crate::collect::{CollectorEvent, SiteConfig, SiteState};
use crate::sync::lock;

/// How long the stage waits at shutdown for alarms still being delivered.
const DELIVERY_WAIT: Duration = Duration::from_secs(5);
/// How often open calls are aged out (the call tracker's own clock is the events').
const AGE_OUT_EVERY: Duration = Duration::from_secs(30);

type Notify = Option<Arc<dyn Fn() + Send + Sync>>;

/// What the stage and its control share.
struct Shared {
    dispatcher: Mutex<Dispatcher>,
    /// The delivery settings and alarm-log folder the dispatcher was started with.
    delivery: Mutex<(Delivery, PathBuf)>,
    queue: Mutex<usize>,
    notify: Notify,
}

/// The window's (or `collect`'s) hold on a running alarm stage; cheap to clone.
#[derive(Clone)]
pub struct AlarmControl {
    shared: Arc<Shared>,
    rules: Sender<Rules>,
}

impl std::fmt::Debug for AlarmControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AlarmControl")
    }
}

impl AlarmControl {
    /// New rules and delivery (Settings › Alarms saved). Rules that do not compile are
    /// refused, in words, and the running ones stay. The delivery channels restart only when
    /// their settings changed (alarms still queued on the old ones are delivered or dropped by
    /// their own threads).
    pub fn set_config(&self, config: &AlarmsConfig, log_dir: &Path) -> Result<(), String> {
        let rules = Rules::compile(config)?;
        let _ = self.rules.send(rules);
        let mut current = lock(&self.shared.delivery);
        if current.0 != config.delivery || current.1 != log_dir {
            *current = (config.delivery.clone(), log_dir.to_path_buf());
            let fresh = Dispatcher::start(
                &config.delivery,
                log_dir,
                history_channel,
                self.shared.notify.clone(),
            );
            *lock(&self.shared.queue) = config.delivery.queue.max(1);
            // The old dispatcher stops on drop without waiting for slow servers.
            drop(std::mem::replace(
                &mut *lock(&self.shared.dispatcher),
                fresh,
            ));
        }
        Ok(())
    }

    /// Hands `alarm` to every channel (a test alarm goes to each whatever severity it waits
    /// for). Never blocks.
    pub fn send(&self, alarm: &Alarm) {
        lock(&self.shared.dispatcher).send(alarm);
    }

    /// Each channel's status, in the order they were configured.
    pub fn status(&self) -> Vec<ChannelStatus> {
        lock(&self.shared.dispatcher).status()
    }

    /// Each channel's status in words.
    pub fn describe(&self) -> Vec<String> {
        let queue = *lock(&self.shared.queue);
        self.status().iter().map(|s| s.describe(queue)).collect()
    }

    /// Alarms queued and not yet delivered or given up, over all channels.
    pub fn pending(&self) -> u64 {
        lock(&self.shared.dispatcher).pending()
    }
}

/// The stage itself: owned by the engine thread.
pub struct AlarmStage {
    checker: Checker,
    /// How far [`crate::timeline::CallTracker::changes`] has been read.
    changes_seen: usize,
    shared: Arc<Shared>,
    rules: Receiver<Rules>,
    /// Sites a status was seen for (told [`Link::Off`] when they leave the site list).
    sites: HashSet<Arc<str>>,
    found: Vec<Alarm>,
    last_age_out: Instant,
}

impl AlarmStage {
    /// A stage judging by `config`'s rules and delivering by its channels (the alarm log in
    /// `log_dir`); `notify` is called when a channel's status changes (the window repaints).
    pub fn new(
        config: &AlarmsConfig,
        log_dir: &Path,
        notify: Notify,
    ) -> Result<(Self, AlarmControl), String> {
        let mut evaluator = Evaluator::new(config)?;
        evaluator.set_local_offset(*Local::now().offset());
        let dispatcher =
            Dispatcher::start(&config.delivery, log_dir, history_channel, notify.clone());
        let shared = Arc::new(Shared {
            dispatcher: Mutex::new(dispatcher),
            delivery: Mutex::new((config.delivery.clone(), log_dir.to_path_buf())),
            queue: Mutex::new(config.delivery.queue.max(1)),
            notify,
        });
        let (tx, rx) = channel();
        Ok((
            Self {
                checker: Checker::new(evaluator),
                changes_seen: 0,
                shared: shared.clone(),
                rules: rx,
                sites: HashSet::new(),
                found: Vec::new(),
                last_age_out: Instant::now(),
            },
            AlarmControl { shared, rules: tx },
        ))
    }

    /// New rules the control sent, if any (the latest wins).
    fn take_rules(&mut self) {
        if let Some(rules) = self.rules.try_iter().last() {
            self.checker.evaluator.set_rules(rules);
        }
    }

    /// Hands what was found to the dispatcher and the consumer.
    fn raise(&mut self, out: &mut Vec<EngineEvent>) {
        if self.found.is_empty() {
            return;
        }
        let dispatcher = lock(&self.shared.dispatcher);
        for alarm in self.found.drain(..) {
            tracing::info!("alarm on {}: {}", alarm.site, alarm.text);
            dispatcher.send(&alarm);
            out.push(EngineEvent::Alarm(alarm));
        }
    }

    /// Calls the tracker changed since the last look (aged out), judged again.
    fn changed_calls(&mut self) {
        let tracker = &self.checker.tracker;
        let changes = tracker.changes();
        for &i in changes.get(self.changes_seen..).unwrap_or_default() {
            if let Some(call) = tracker.calls().get(i as usize) {
                self.checker.evaluator.call(call, &mut self.found);
            }
        }
        self.changes_seen = changes.len();
    }
}

/// A site's state as the rules see it.
fn link_of(state: &SiteState) -> Link {
    match state {
        SiteState::WaitingForData | SiteState::Receiving => Link::Up,
        SiteState::Connecting | SiteState::BackingOff { .. } | SiteState::Listening => Link::Down,
        SiteState::Stopped => Link::Off,
    }
}

impl Stage for AlarmStage {
    fn event(&mut self, event: &CollectorEvent, out: &mut Vec<EngineEvent>) {
        match event {
            CollectorEvent::Record(r) => {
                let d = r.decode();
                self.checker.push(&r.site, r.received, &d, &mut self.found);
                // The push judged the call it changed; nothing else changed.
                self.changes_seen = self.checker.tracker.changes().len();
            }
            CollectorEvent::Status { site, status } => {
                let now = Local::now().fixed_offset();
                if !self.sites.contains(site) {
                    self.sites.insert(site.clone());
                }
                let evaluator = &mut self.checker.evaluator;
                evaluator.link(site, link_of(&status.state), now);
                evaluator.raw_log(site, status.raw_log_error.as_deref(), now, &mut self.found);
            }
            CollectorEvent::Raw { .. } | CollectorEvent::Log { .. } => return,
        }
        self.raise(out);
    }

    fn flush(&mut self, out: &mut Vec<EngineEvent>) {
        self.take_rules();
        self.raise(out);
    }

    fn tick(&mut self, now: DateTime<Local>, out: &mut Vec<EngineEvent>) {
        self.take_rules();
        if self.last_age_out.elapsed() >= AGE_OUT_EVERY {
            self.last_age_out = Instant::now();
            self.checker.tracker.age_out(now.naive_local());
            self.changed_calls();
        }
        self.checker
            .evaluator
            .tick(now.fixed_offset(), &mut self.found);
        self.raise(out);
    }

    fn set_sites(&mut self, sites: &[SiteConfig]) {
        let now = Local::now().fixed_offset();
        let running: HashSet<&str> = sites.iter().map(|s| s.name.as_str()).collect();
        for site in &self.sites {
            if !running.contains(&**site) {
                self.checker.evaluator.link(site, Link::Off, now);
            }
        }
    }

    fn shutdown(self: Box<Self>) {
        // A channel that is failing would only hold up closing the program: waited for while
        // every channel is delivering.
        let started = Instant::now();
        while started.elapsed() < DELIVERY_WAIT {
            let dispatcher = lock(&self.shared.dispatcher);
            if dispatcher.pending() == 0 || dispatcher.status().iter().any(|s| s.failing) {
                break;
            }
            drop(dispatcher);
            std::thread::sleep(Duration::from_millis(10));
        }
        let left = lock(&self.shared.dispatcher).pending();
        if left > 0 {
            tracing::warn!(
                "{left} alarm deliveries were still waiting when collection stopped (see the alarm log)"
            );
        }
    }
}

#[cfg(test)]
mod tests;
