//! The collectors' handle: a named tokio runtime running one supervised task per site.
//!
//! Every method returns at once (the window calls them from its UI thread); the work happens on
//! the runtime and reports back over channels.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::runtime::Runtime;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use super::clock::Clock;
use super::daylog::{self, ConnectionLog, same_folder};
use super::events::{CollectorEvent, GapCause, ProbeStep, ProbeVerdict, StepOutcome};
use super::feed::{Feed, run_client, run_push};
use super::sink::{STATUS_INTERVAL, SharedSink, SiteSink};
use super::site::{Protocol, SiteConfig};
use crate::sync::lock;
use crate::wake::Wake;

#[derive(Clone)]
pub struct CollectOptions {
    /// Raw day logs go to `<log_dir>/<site>/…`.
    pub log_dir: PathBuf,
    pub wake: Wake,
}

/// What a connection test reports, as it happens.
#[derive(Debug, Clone, PartialEq)]
pub enum ProbeReport {
    Step(ProbeStep),
    Done(ProbeVerdict),
}

/// A connection test, as the window asks for it.
#[derive(Debug, Clone)]
pub struct ProbeRequest {
    pub site: SiteConfig,
    pub timeout: Duration,
    /// The user has read the warning about resident loggers: the steps do not repeat it.
    pub warned: bool,
    /// Pause this program's collection from the site of this name for the test (the PBX serves
    /// one collector), and resume it after the verdict.
    pub pause: Option<String>,
}

/// How long [`Collector::shutdown`] waits for sites to write their last lines.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(3);
/// A site whose task panicked is restarted after this pause.
const RESTART_PAUSE: Duration = Duration::from_secs(5);

/// Running collectors. Dropping it stops them (flushing logs).
pub struct Collector {
    runtime: Option<Runtime>,
    inner: Arc<Inner>,
}

struct Inner {
    events: Sender<CollectorEvent>,
    options: CollectOptions,
    clock: Clock,
    state: Mutex<Running>,
}

#[derive(Default)]
struct Running {
    sites: HashMap<String, SiteTask>,
    /// Tasks told to stop and not yet awaited (shutdown waits for them).
    stopping: Vec<JoinHandle<()>>,
    /// Sites paused for a connection test, by name: they start again after it (with the config
    /// `set_sites` last asked for, unless it dropped them meanwhile).
    paused: HashMap<String, SiteConfig>,
}

struct SiteTask {
    config: SiteConfig,
    stop: watch::Sender<bool>,
    /// Cuts a backoff short ("Retry now").
    retry: Arc<Notify>,
    /// Why it is told to stop, set before `stop` (for the connection log, and so the next
    /// start can say why nothing was collected meanwhile).
    why: StopWhy,
    task: JoinHandle<()>,
}

type StopWhy = Arc<Mutex<GapCause>>;

impl SiteTask {
    fn stop(&self, why: GapCause) {
        *lock(&self.why) = why;
        let _ = self.stop.send(true);
    }
}

impl Collector {
    /// Starts the runtime on its own named thread(s). Events (records already written to the raw
    /// day log, raw bytes, status, connection-log lines) arrive on the returned receiver.
    pub fn start(options: CollectOptions) -> std::io::Result<(Self, Receiver<CollectorEvent>)> {
        Self::start_with_clock(options, Clock::system())
    }

    /// [`Self::start`] with another wall clock (tests: cross midnight without waiting for it).
    pub fn start_with_clock(
        options: CollectOptions,
        clock: Clock,
    ) -> std::io::Result<(Self, Receiver<CollectorEvent>)> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("smdr-collect")
            .enable_all()
            .build()?;
        let (events, rx) = channel();
        let inner = Arc::new(Inner {
            events,
            options,
            clock,
            state: Mutex::new(Running::default()),
        });
        Ok((
            Self {
                runtime: Some(runtime),
                inner,
            },
            rx,
        ))
    }

    fn running(&self) -> MutexGuard<'_, Running> {
        lock(&self.inner.state)
    }

    /// Makes the running set of sites match `sites`: new ones start, removed or disabled ones
    /// stop, changed ones restart (after the old task has finished its last lines).
    pub fn set_sites(&self, sites: Vec<SiteConfig>) {
        let Some(handle) = self.runtime().cloned() else {
            return;
        };
        let mut wanted: Vec<SiteConfig> = Vec::new();
        for site in sites.into_iter().filter(|s| s.enabled) {
            // Names that make one folder would write one raw log and connection log.
            let clash = wanted
                .iter()
                .find_map(|w| same_folder([w.name.as_str(), site.name.as_str()]));
            if let Some((first, _)) = clash {
                let _ = self.inner.events.send(CollectorEvent::Log {
                    site: site.name.as_str().into(),
                    at: self.inner.clock.now(),
                    message: format!(
                        "sites {first:?} and {:?} would share one log folder: only the first one runs (names must differ in more than spaces, punctuation or case)",
                        site.name
                    ),
                });
                continue;
            }
            wanted.push(site);
        }
        let mut running = self.running();
        // A site paused for a test resumes with what is wanted now, or not at all.
        running
            .paused
            .retain(|name, _| wanted.iter().any(|w| &w.name == name));
        let mut previous: HashMap<String, JoinHandle<()>> = HashMap::new();
        let names: Vec<String> = running.sites.keys().cloned().collect();
        for name in names {
            let keep = wanted.iter().any(|w| {
                w.name == name && running.sites.get(&name).is_some_and(|r| r.config == *w)
            });
            if !keep && let Some(task) = running.sites.remove(&name) {
                let changed = wanted.iter().any(|w| w.name == name);
                task.stop(if changed {
                    GapCause::SettingsChanged
                } else {
                    GapCause::Paused
                });
                previous.insert(name, task.task);
            }
        }
        running.stopping.retain(|t| !t.is_finished());
        for config in wanted {
            if running.sites.contains_key(&config.name) {
                continue;
            }
            if let Some(paused) = running.paused.get_mut(&config.name) {
                *paused = config;
                continue;
            }
            let before = previous.remove(&config.name);
            start_site(&self.inner, &handle, &mut running, config, before);
        }
        running.stopping.extend(previous.into_values());
    }

    /// The runtime the collectors run on (`None` once shut down), for work that belongs beside
    /// them, such as the demo's simulators.
    pub fn runtime(&self) -> Option<&tokio::runtime::Handle> {
        self.runtime.as_ref().map(|r| r.handle())
    }

    /// Cuts short the wait of a site that is backing off: it tries again now. False when the
    /// site is not running.
    pub fn retry_now(&self, name: &str) -> bool {
        match self.running().sites.get(name) {
            Some(task) => {
                task.retry.notify_waiters();
                true
            }
            None => false,
        }
    }

    /// The running site whose feed a test of `site` would share (the same PBX socket, or the
    /// same push port), with its name: the PBX serves one collector, so the test would see
    /// nothing while this program holds the feed.
    pub fn holding(&self, site: &SiteConfig) -> Option<String> {
        let running = self.running();
        running
            .sites
            .values()
            .map(|t| &t.config)
            .chain(running.paused.values())
            .find(|c| super::probe::same_feed(c, site))
            .map(|c| c.name.clone())
    }

    /// Runs a connection test on the runtime; steps arrive as they happen, then the verdict.
    pub fn probe(&self, site: SiteConfig, timeout: Duration) -> Receiver<ProbeReport> {
        self.probe_as(ProbeRequest {
            site,
            timeout,
            warned: false,
            pause: None,
        })
    }

    /// [`Self::probe`] as asked: without repeating the warning, pausing this program's own
    /// collection from the site for the test. A failed test of a feed this program holds says so.
    pub fn probe_as(&self, request: ProbeRequest) -> Receiver<ProbeReport> {
        let (tx, rx) = channel();
        let wake = self.inner.options.wake.clone();
        let holder = match &request.pause {
            Some(_) => None,
            None => self.holding(&request.site),
        };
        let Some(handle) = self.runtime().cloned() else {
            return rx;
        };
        let inner = self.inner.clone();
        handle.clone().spawn(async move {
            let report = move |r: ProbeReport| {
                let _ = tx.send(r);
                wake();
            };
            run_probe(inner, handle, request, holder, report).await;
        });
        rx
    }

    /// Stops every site and flushes the logs; returns when done (bounded by a few seconds).
    pub fn shutdown(self) {
        drop(self);
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        let tasks: Vec<JoinHandle<()>> = {
            let mut running = self.running();
            running.paused.clear();
            let sites: Vec<SiteTask> = running.sites.drain().map(|(_, t)| t).collect();
            let mut tasks: Vec<JoinHandle<()>> = sites
                .into_iter()
                .map(|t| {
                    t.stop(GapCause::ProgramClosed);
                    t.task
                })
                .collect();
            tasks.append(&mut running.stopping);
            tasks
        };
        let Some(runtime) = self.runtime.take() else {
            return;
        };
        if tokio::runtime::Handle::try_current().is_ok() {
            // Dropped inside another runtime: blocking here is not allowed. The sites were told
            // to stop and every record is already flushed; only the last log lines may be lost.
            runtime.shutdown_background();
            return;
        }
        runtime.block_on(async {
            let deadline = tokio::time::Instant::now() + SHUTDOWN_WAIT;
            for task in tasks {
                let _ = tokio::time::timeout_at(deadline, task).await;
            }
        });
        runtime.shutdown_timeout(Duration::from_secs(1));
    }
}

/// Starts one site's supervised task and records it as running.
fn start_site(
    inner: &Arc<Inner>,
    handle: &tokio::runtime::Handle,
    running: &mut Running,
    config: SiteConfig,
    before: Option<JoinHandle<()>>,
) {
    let (stop, stop_rx) = watch::channel(false);
    let why = StopWhy::new(Mutex::new(GapCause::Paused));
    let retry = Arc::new(Notify::new());
    let task = handle.spawn(site_task(
        inner.clone(),
        config.clone(),
        (stop_rx, why.clone()),
        retry.clone(),
        before,
    ));
    running.sites.insert(
        config.name.clone(),
        SiteTask {
            config,
            stop,
            retry,
            why,
            task,
        },
    );
}

/// A line in a site's connection log (and its `Log` event) from outside its task: the task is
/// not running (paused for a test).
fn site_note(inner: &Inner, config: &SiteConfig, message: String) {
    let at = inner.clock.now();
    let dir = config.log_dir.as_ref().unwrap_or(&inner.options.log_dir);
    if let Err(e) = ConnectionLog::new(dir, &config.name).append(&at, &message) {
        tracing::warn!(site = %config.name, "cannot write the connection log: {e}");
    }
    let _ = inner.events.send(CollectorEvent::Log {
        site: config.name.as_str().into(),
        at,
        message,
    });
    (inner.options.wake)();
}

/// A connection test on the runtime: pauses the site it names (waiting until its connection is
/// closed, so the PBX serves the test), tests, resumes the site, then gives the verdict.
async fn run_probe(
    inner: Arc<Inner>,
    handle: tokio::runtime::Handle,
    request: ProbeRequest,
    holder: Option<String>,
    mut report: impl FnMut(ProbeReport) + Send,
) {
    let t0 = std::time::Instant::now();
    let note = |label: &str, detail: String, report: &mut dyn FnMut(ProbeReport)| {
        report(ProbeReport::Step(ProbeStep {
            label: label.into(),
            elapsed: t0.elapsed(),
            detail,
            outcome: StepOutcome::Note,
        }));
    };
    let paused = request.pause.as_deref().and_then(|name| {
        let mut running = lock(&inner.state);
        let task = running.sites.remove(name)?;
        task.stop(GapCause::Paused);
        running.paused.insert(name.to_string(), task.config.clone());
        Some((task.config, task.task))
    });
    let paused = match paused {
        Some((config, task)) => {
            // The PBX serves the test only once the site's connection is closed.
            let _ = tokio::time::timeout(SHUTDOWN_WAIT, task).await;
            Some(config)
        }
        None => None,
    };
    if let Some(config) = &paused {
        let words = format!(
            "collection from {} paused for a connection test",
            config.name
        );
        site_note(&inner, config, words.clone());
        note("pause collection", words, &mut report);
    }
    let mut verdict = None;
    let mut forward = |r: ProbeReport| match r {
        ProbeReport::Done(v) => verdict = Some(v),
        step => report(step),
    };
    let options = super::probe::ProbeOptions {
        warned: request.warned,
    };
    super::probe::probe_with(&request.site, request.timeout, options, &mut forward).await;
    if let Some(config) = paused {
        let resumed = {
            let mut running = lock(&inner.state);
            match running.paused.remove(&config.name) {
                Some(wanted) => {
                    start_site(&inner, &handle, &mut running, wanted, None);
                    true
                }
                None => false,
            }
        };
        let words = if resumed {
            format!(
                "connection test over: collection from {} resumed",
                config.name
            )
        } else {
            format!(
                "connection test over: {} was removed or paused meanwhile, so collection stays stopped",
                config.name
            )
        };
        site_note(&inner, &config, words.clone());
        note("resume collection", words, &mut report);
    }
    if let Some(mut v) = verdict {
        if let (false, Some(name)) = (v.success, &holder) {
            v.verdict.push_str(&format!(
                " — note: this program itself is collecting from {name} on the same connection, and the PBX serves one collector: test again with {name}'s collection paused"
            ));
        }
        report(ProbeReport::Done(v));
    }
}

/// One site, supervised: its feeds run until told to stop; a panic inside them is logged and
/// the site restarts after a pause instead of dying silently.
async fn site_task(
    inner: Arc<Inner>,
    config: SiteConfig,
    (stop, why): (watch::Receiver<bool>, StopWhy),
    retry: Arc<Notify>,
    before: Option<JoinHandle<()>>,
) {
    if let Some(before) = before {
        // A changed site: let the old task finish (release its port, write its last lines).
        let _ = before.await;
    }
    if *stop.borrow() {
        // Changed again (or removed) while waiting: this configuration never runs.
        return;
    }
    // What earlier runs collected today, read off the runtime's threads.
    let (dir, name, today) = (
        inner.options.log_dir.clone(),
        config.name.clone(),
        inner.clock.now().date_naive(),
    );
    let earlier = tokio::task::spawn_blocking(move || daylog::earlier(&dir, &name, today)).await;
    let mut sink = SiteSink::new(
        &config,
        config.log_dir.as_ref().unwrap_or(&inner.options.log_dir),
        inner.clock.clone(),
        inner.events.clone(),
        inner.options.wake.clone(),
    );
    match earlier {
        Ok(Ok(earlier)) => sink.resume(earlier),
        Ok(Err(e)) => {
            sink.log(format!(
                "cannot read today's earlier logs ({e}): today's count starts again at 0"
            ));
        }
        Err(e) => tracing::error!(site = %config.name, "reading today's earlier logs failed: {e}"),
    }
    let sink: SharedSink = Arc::new(Mutex::new(sink));
    let log_dir = config
        .log_dir
        .clone()
        .unwrap_or_else(|| inner.options.log_dir.clone());
    loop {
        let run = tokio::spawn(run_site(
            config.clone(),
            log_dir.clone(),
            sink.clone(),
            stop.clone(),
            retry.clone(),
        ));
        match run.await {
            Err(e) if e.is_panic() => {
                tracing::error!(site = %config.name, "site collector panicked: {e}");
                lock(&sink).log(format!(
                    "internal error in this site's collector; restarting in {} s",
                    RESTART_PAUSE.as_secs()
                ));
                let mut stop = stop.clone();
                tokio::select! {
                    _ = tokio::time::sleep(RESTART_PAUSE) => {}
                    _ = stop.wait_for(|s| *s) => break,
                }
            }
            _ => break,
        }
    }
    let why = *lock(&why);
    lock(&sink).stopped(why);
}

/// The site's feeds (one, or two for App Suite with an extra push listener) and its status tick.
async fn run_site(
    config: SiteConfig,
    log_dir: PathBuf,
    sink: SharedSink,
    stop: watch::Receiver<bool>,
    retry: Arc<Notify>,
) {
    let feed = |slot| Feed {
        sink: sink.clone(),
        slot,
        stop: stop.clone(),
        retry: retry.clone(),
    };
    let main = async {
        match (config.protocol, config.push_bind()) {
            (Protocol::AppsuitePush, Some(bind)) => run_push(feed(0), config.clone(), bind).await,
            _ => run_client(feed(0), config.clone()).await,
        }
    };
    let extra = async {
        if let (Protocol::Appsuite, Some(bind)) = (config.protocol, config.push_bind()) {
            run_push(feed(1), config.clone(), bind).await;
        }
    };
    let tick = async {
        let mut interval = tokio::time::interval(STATUS_INTERVAL);
        loop {
            interval.tick().await;
            lock(&sink).tick();
        }
    };
    // The relay runs beside the feeds and ends with them.
    let relay = async {
        if !config.relay.entries.is_empty() {
            lock(&sink).relay_stop();
            super::relay::run(config.clone(), log_dir, sink.clone()).await;
        }
        std::future::pending::<()>().await;
    };
    tokio::select! {
        _ = async { tokio::join!(main, extra) } => {}
        _ = tick => {}
        _ = relay => {}
    }
}
