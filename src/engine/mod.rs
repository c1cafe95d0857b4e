//! The engine: the collectors, then the stages every record passes through (history, alarms),
//! then the consumer — the window or headless `collect`, which both start it the same way.
//!
//! Collectors send [`CollectorEvent`]s (records already in the raw day log). A named thread,
//! `smdr-engine`, takes them in batches, shows each to every [`Stage`], and forwards the events
//! and what the stages added ([`EngineEvent`]) to the consumer. Stages must not block: the history
//! writer and alarm delivery have queues and threads of their own.

pub mod history;

use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use chrono::{DateTime, Local};

use crate::alarm::Alarm;
use crate::collect::{CollectOptions, Collector, CollectorEvent, SiteConfig};
use crate::history::HistoryStatus;
use crate::sync::lock;
use crate::wake::Wake;

pub mod alarms;

pub use alarms::{AlarmControl, AlarmStage};

/// How often stages get a [`Stage::tick`] (site silent / down rules, status refresh).
pub const TICK: Duration = Duration::from_secs(1);
/// Events taken in one batch before the stages flush and the consumer is woken.
const BATCH: usize = 1024;
/// How long [`Engine::shutdown`] waits for the stages to finish.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(10);

/// What the consumer receives: the collectors' events as they were, and the stages' own.
#[derive(Debug, Clone)]
pub enum EngineEvent {
    Collector(CollectorEvent),
    /// An alarm was raised (already handed to its delivery channels).
    Alarm(Alarm),
    /// The history writer's status changed.
    History(HistoryStatus),
    /// A stage has something to say that has no better place (a failure, in words).
    Notice {
        at: DateTime<Local>,
        message: String,
    },
}

impl From<CollectorEvent> for EngineEvent {
    fn from(e: CollectorEvent) -> Self {
        Self::Collector(e)
    }
}

/// One step every collector event passes through, on the engine thread.
pub trait Stage: Send {
    /// Sees each event before the consumer does; may add events of its own to `out`.
    fn event(&mut self, event: &CollectorEvent, out: &mut Vec<EngineEvent>);
    /// After each batch of events (a good moment to hand a batch on).
    fn flush(&mut self, _out: &mut Vec<EngineEvent>) {}
    /// About every [`TICK`], events or not.
    fn tick(&mut self, _now: DateTime<Local>, _out: &mut Vec<EngineEvent>) {}
    /// The configured sites changed (the window's site list, a reloaded sites file).
    fn set_sites(&mut self, _sites: &[SiteConfig]) {}
    /// The engine stops: finish what is pending, within a few seconds.
    fn shutdown(self: Box<Self>) {}
}

type Stages = Arc<Mutex<Vec<Box<dyn Stage>>>>;

/// The running engine. Every method returns at once; dropping it without
/// [`Engine::shutdown`] stops the collectors but leaves the stages to finish on their own.
pub struct Engine {
    collector: Collector,
    stages: Stages,
    thread: Option<(JoinHandle<()>, Receiver<()>)>,
}

impl Engine {
    /// Starts the collectors and the engine thread. Events arrive on the returned receiver;
    /// `options.wake` is called after each batch is sent.
    pub fn start(
        options: CollectOptions,
        stages: Vec<Box<dyn Stage>>,
    ) -> std::io::Result<(Self, Receiver<EngineEvent>)> {
        let wake = options.wake.clone();
        let (collector, events) = Collector::start(options)?;
        Self::around(collector, events, stages, wake)
    }

    /// The engine around collectors already started (tests: another clock).
    pub fn around(
        collector: Collector,
        events: Receiver<CollectorEvent>,
        stages: Vec<Box<dyn Stage>>,
        wake: Wake,
    ) -> std::io::Result<(Self, Receiver<EngineEvent>)> {
        let stages: Stages = Arc::new(Mutex::new(stages));
        let (tx, rx) = channel();
        let (done_tx, done_rx) = channel();
        let thread_stages = stages.clone();
        let thread = std::thread::Builder::new()
            .name("smdr-engine".into())
            .spawn(move || {
                run(events, &thread_stages, &tx, &wake);
                for stage in std::mem::take(&mut *lock(&thread_stages)) {
                    stage.shutdown();
                }
                let _ = done_tx.send(());
            })?;
        Ok((
            Self {
                collector,
                stages,
                thread: Some((thread, done_rx)),
            },
            rx,
        ))
    }

    /// The collectors, for what only they do: connection tests, retry now, the runtime.
    pub fn collector(&self) -> &Collector {
        &self.collector
    }

    /// Makes the running sites match `sites` (see [`Collector::set_sites`]) and tells the
    /// stages.
    pub fn set_sites(&self, sites: Vec<SiteConfig>) {
        for stage in lock(&self.stages).iter_mut() {
            stage.set_sites(&sites);
        }
        self.collector.set_sites(sites);
    }

    /// Stops the collectors (they write their last lines), then lets the stages finish what
    /// they hold; waits a bounded time.
    pub fn shutdown(mut self) {
        let Some((thread, done)) = self.thread.take() else {
            return;
        };
        // Dropping the collectors closes the channel the engine thread reads: it takes the last
        // events, shuts the stages down and says so.
        let Self { collector, .. } = self;
        collector.shutdown();
        match done.recv_timeout(SHUTDOWN_WAIT) {
            Ok(()) | Err(RecvTimeoutError::Disconnected) => {
                let _ = thread.join();
            }
            Err(RecvTimeoutError::Timeout) => {
                tracing::warn!("the engine's stages did not finish within {SHUTDOWN_WAIT:?}");
            }
        }
    }
}

/// The engine thread's loop: until the collectors are gone.
fn run(events: Receiver<CollectorEvent>, stages: &Stages, tx: &Sender<EngineEvent>, wake: &Wake) {
    let mut batch = Vec::with_capacity(BATCH);
    let mut added = Vec::new();
    let mut next_tick = Instant::now() + TICK;
    let mut open = true;
    while open {
        let wait = next_tick.saturating_duration_since(Instant::now());
        match events.recv_timeout(wait) {
            Ok(e) => {
                batch.push(e);
                batch.extend(events.try_iter().take(BATCH - 1));
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => open = false,
        }
        {
            let mut stages = lock(stages);
            if !batch.is_empty() {
                for e in &batch {
                    for stage in stages.iter_mut() {
                        stage.event(e, &mut added);
                    }
                }
                for stage in stages.iter_mut() {
                    stage.flush(&mut added);
                }
            }
            if Instant::now() >= next_tick || !open {
                next_tick = Instant::now() + TICK;
                let now = Local::now();
                for stage in stages.iter_mut() {
                    stage.tick(now, &mut added);
                }
            }
        }
        if batch.is_empty() && added.is_empty() {
            continue;
        }
        // A consumer that has gone away (the window closing) no longer wants events; the
        // stages still see them until the collectors stop.
        for e in batch.drain(..) {
            let _ = tx.send(EngineEvent::Collector(e));
        }
        for e in added.drain(..) {
            let _ = tx.send(e);
        }
        wake();
    }
}

#[cfg(test)]
mod tests;
