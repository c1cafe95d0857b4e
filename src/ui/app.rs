//! The application: state, the per-frame drain of background channels into the store, and the
//! commands the drawing code asks for (applied after drawing, so drawing never mutates the world).

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::{Duration, Instant};

use chrono::{DateTime, Local, NaiveDate};
use eframe::egui;

use crate::collect::supervisor::Wake;
use crate::collect::{
    CollectOptions, Collector, CollectorEvent, Direction, ProbeReport, SiteConfig, SiteStatus,
};
use crate::jobs::{self, ExportFormat, JobEvent};
use crate::protocol::{DecodeOptions, Record};
use crate::store::{RowId, Store, View};
use crate::timeline::CallTracker;

use super::calls::CallsView;
use super::state::{PersistedState, Tab};

/// Time the UI thread spends per frame taking in records; the rest waits for the next frame.
const DRAIN_BUDGET: Duration = Duration::from_millis(8);
/// Frames and connection-log lines kept per site for the raw view.
const RAW_KEPT: usize = 500;
const LOG_KEPT: usize = 300;

/// Whether to run the built-in demo site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoMode {
    /// When no site is configured.
    Auto,
    /// Always (`--demo`).
    Force,
    /// Never (tests).
    Off,
}

/// How the window starts.
#[derive(Debug, Clone)]
pub struct AppOptions {
    pub demo: DemoMode,
    /// `sites.toml`.
    pub config_path: PathBuf,
    /// Overrides the log folder from the settings (tests).
    pub log_dir: Option<PathBuf>,
    /// Start the collectors (tests of pure UI say no).
    pub collect: bool,
    /// Saved logs to import at start.
    pub open: Vec<PathBuf>,
    /// The tab to open on (else the one open last time).
    pub tab: Option<Tab>,
}

/// Bytes that crossed a site's socket, for the raw view.
pub struct RawFrame {
    pub at: DateTime<Local>,
    pub direction: Direction,
    pub bytes: Vec<u8>,
}

/// Per-site things the window shows beside the records.
#[derive(Default)]
pub struct SiteView {
    pub status: Option<SiteStatus>,
    pub raw: VecDeque<RawFrame>,
    pub log: VecDeque<(DateTime<Local>, String)>,
}

/// What gets exported.
#[derive(Debug, Clone, PartialEq)]
pub enum ExportScope {
    /// The records table as filtered and sorted now.
    View,
    /// Every record of one site on one day.
    Day { site: String, day: NaiveDate },
    /// The calls view as filtered now.
    Calls,
}

/// A background job the status bar shows.
pub struct Job {
    pub label: String,
    pub rx: Receiver<JobEvent>,
    pub progress: Option<(u64, u64)>,
}

/// A connection test in progress or done.
pub struct ProbeSession {
    pub site: SiteConfig,
    pub steps: Vec<crate::collect::ProbeStep>,
    pub verdict: Option<crate::collect::ProbeVerdict>,
    pub rx: Option<Receiver<ProbeReport>>,
}

/// A message for the user in the status bar.
pub struct Notice {
    pub text: String,
    pub error: bool,
    pub at: Instant,
}

/// What drawing code asks the app to do.
#[derive(Debug, Clone)]
pub enum Command {
    /// Save a site (new, or replacing the one named `replacing`).
    SaveSite {
        replacing: Option<String>,
        site: SiteConfig,
    },
    RemoveSite(String),
    SetEnabled(String, bool),
    /// Run the connection test (the user has seen the warning).
    Probe(SiteConfig),
    PickImport,
    Import(Vec<PathBuf>),
    PickExport(ExportScope, ExportFormat),
    PickLogDir,
    OpenLogFolder,
    StopDemo,
}

/// A file dialog waiting for the user.
enum Pending {
    Import(Receiver<Option<Vec<PathBuf>>>),
    Export(ExportScope, ExportFormat, Receiver<Option<Vec<PathBuf>>>),
    LogDir(Receiver<Option<Vec<PathBuf>>>),
}

pub struct SmdrApp {
    pub(super) state: PersistedState,
    pub(super) options: AppOptions,
    pub(super) collector: Option<Collector>,
    events: Option<Receiver<CollectorEvent>>,
    pub(super) wake: Wake,
    /// Configured sites (sites.toml).
    pub(super) sites: Vec<SiteConfig>,
    /// The demo's sites while it runs.
    pub(super) demo_sites: Vec<SiteConfig>,
    pub(super) site_views: HashMap<Arc<str>, SiteView>,
    pub(super) store: Store,
    pub(super) view: View,
    pub(super) tracker: CallTracker,
    /// Rows already given to the tracker.
    tracked: usize,
    last_age_out: Instant,
    pub(super) selected: Option<RowId>,
    pub(super) jobs: Vec<Job>,
    pub(super) probe: Option<ProbeSession>,
    pub(super) forms: super::forms::Forms,
    pub(super) notices: VecDeque<Notice>,
    pub(super) commands: Vec<Command>,
    pending: Vec<Pending>,
    pub(super) calls_view: CallsView,
}

impl SmdrApp {
    /// The window's app. `ctx` is the window's context (repaints are requested through it).
    pub fn new(
        ctx: &egui::Context,
        storage: Option<&dyn eframe::Storage>,
        options: AppOptions,
    ) -> Self {
        super::theme::install(ctx);
        let state: PersistedState = storage
            .and_then(|s| eframe::get_value(s, eframe::APP_KEY))
            .unwrap_or_default();
        state.settings.theme.apply(ctx);
        let repaint_ctx = ctx.clone();
        // Coalesce: a busy feed asks for a repaint per record, the window draws ~30 times a second.
        let wake: Wake =
            Arc::new(move || repaint_ctx.request_repaint_after(Duration::from_millis(30)));
        let mut app = Self {
            view: View::new(state.filter.clone(), state.sort, state.descending),
            calls_view: state.calls.clone(),
            tracker: CallTracker::new(chrono::Duration::minutes(i64::from(
                state.settings.age_out_min.max(1),
            ))),
            state,
            options,
            collector: None,
            events: None,
            wake,
            sites: Vec::new(),
            demo_sites: Vec::new(),
            site_views: HashMap::new(),
            store: Store::new(),
            tracked: 0,
            last_age_out: Instant::now(),
            selected: None,
            jobs: Vec::new(),
            probe: None,
            forms: Default::default(),
            notices: VecDeque::new(),
            commands: Vec::new(),
            pending: Vec::new(),
        };
        app.start();
        app
    }

    fn start(&mut self) {
        if let Some(tab) = self.options.tab {
            self.state.tab = tab;
        }
        if !self.options.open.is_empty() {
            self.commands
                .push(Command::Import(self.options.open.clone()));
        }
        match crate::collect::config::load_sites(&self.options.config_path) {
            Ok(sites) => self.sites = sites,
            Err(e) => self.notify_error(format!("{e}; starting with no sites")),
        }
        if !self.options.collect {
            return;
        }
        let options = CollectOptions {
            log_dir: self.log_dir(),
            wake: self.wake.clone(),
        };
        match Collector::start(options) {
            Ok((collector, rx)) => {
                self.collector = Some(collector);
                self.events = Some(rx);
            }
            Err(e) => {
                self.notify_error(format!("cannot start collecting: {e}"));
                return;
            }
        }
        let demo = match self.options.demo {
            DemoMode::Force => true,
            DemoMode::Auto => self.sites.is_empty(),
            DemoMode::Off => false,
        };
        if demo && let Some(c) = &self.collector {
            match c.start_demo() {
                Ok(sites) => self.demo_sites = sites,
                Err(e) => self.notify_error(format!("cannot start the demo site: {e}")),
            }
        }
        self.apply_sites();
    }

    /// The folder raw day logs go to.
    pub fn log_dir(&self) -> PathBuf {
        self.options
            .log_dir
            .clone()
            .or_else(|| self.state.settings.log_dir.clone())
            .unwrap_or_else(crate::collect::config::default_log_dir)
    }

    pub fn is_demo(&self) -> bool {
        !self.demo_sites.is_empty()
    }

    /// Every site the window shows: the configured ones, then the demo's.
    pub fn all_sites(&self) -> impl Iterator<Item = &SiteConfig> {
        self.sites.iter().chain(&self.demo_sites)
    }

    /// Takes in one record as if a collector had sent it (imports and tests use this too).
    pub fn ingest(&mut self, record: Record) {
        self.store.push(record);
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn view(&self) -> &View {
        &self.view
    }

    pub fn notify(&mut self, text: impl Into<String>) {
        self.push_notice(text.into(), false);
    }

    pub fn notify_error(&mut self, text: impl Into<String>) {
        let text = text.into();
        tracing::warn!("{text}");
        self.push_notice(text, true);
    }

    fn push_notice(&mut self, text: String, error: bool) {
        self.notices.push_back(Notice {
            text,
            error,
            at: Instant::now(),
        });
        while self.notices.len() > 20 {
            self.notices.pop_front();
        }
    }

    fn apply_sites(&self) {
        if let Some(c) = &self.collector {
            let running = self.all_sites().filter(|s| s.enabled).cloned().collect();
            c.set_sites(running);
        }
    }

    /// Takes in what arrived since the last frame, within the time budget.
    fn drain(&mut self, ctx: &egui::Context) {
        let deadline = Instant::now() + DRAIN_BUDGET;
        let mut more = self.drain_collector(deadline);
        more |= self.drain_jobs(deadline);
        self.drain_probe();
        self.drain_dialogs();
        more |= self.feed_tracker(deadline);
        if self.last_age_out.elapsed() > Duration::from_secs(10) {
            self.last_age_out = Instant::now();
            self.tracker.age_out(Local::now().naive_local());
        }
        self.store.refresh(&mut self.view);
        if more {
            ctx.request_repaint();
        }
    }

    /// Returns true when the budget ran out with events left.
    fn drain_collector(&mut self, deadline: Instant) -> bool {
        let Some(rx) = self.events.take() else {
            return false;
        };
        let mut out_of_time = false;
        loop {
            if Instant::now() >= deadline {
                out_of_time = true;
                break;
            }
            match rx.try_recv() {
                Ok(e) => self.take_event(e),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
            }
        }
        self.events = Some(rx);
        out_of_time
    }

    fn take_event(&mut self, e: CollectorEvent) {
        {
            match e {
                CollectorEvent::Record(r) => {
                    self.store.push(r);
                }
                CollectorEvent::Raw {
                    site,
                    at,
                    direction,
                    bytes,
                } => {
                    let raw = &mut self.site_views.entry(site).or_default().raw;
                    raw.push_back(RawFrame {
                        at,
                        direction,
                        bytes,
                    });
                    while raw.len() > RAW_KEPT {
                        raw.pop_front();
                    }
                }
                CollectorEvent::Status { site, status } => {
                    self.site_views.entry(site).or_default().status = Some(status);
                }
                CollectorEvent::Log { site, at, message } => {
                    let log = &mut self.site_views.entry(site).or_default().log;
                    log.push_back((at, message));
                    while log.len() > LOG_KEPT {
                        log.pop_front();
                    }
                }
            }
        }
    }

    fn drain_jobs(&mut self, deadline: Instant) -> bool {
        let mut out_of_time = false;
        let mut finished = Vec::new();
        for (i, job) in self.jobs.iter_mut().enumerate() {
            loop {
                if Instant::now() >= deadline {
                    out_of_time = true;
                    break;
                }
                match job.rx.try_recv() {
                    Ok(JobEvent::Progress { done, total }) => job.progress = Some((done, total)),
                    Ok(JobEvent::Records(batch)) => self.store.append(batch),
                    Ok(JobEvent::Finished(result)) => {
                        finished.push((i, result));
                        break;
                    }
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => {
                        finished.push((i, Err(format!("{} stopped unexpectedly", job.label))));
                        break;
                    }
                }
            }
        }
        for (i, result) in finished.into_iter().rev() {
            self.jobs.remove(i);
            match result {
                Ok(text) => self.notify(text),
                Err(text) => self.notify_error(text),
            }
        }
        out_of_time
    }

    fn drain_probe(&mut self) {
        let Some(p) = &mut self.probe else { return };
        let Some(rx) = &p.rx else { return };
        loop {
            match rx.try_recv() {
                Ok(ProbeReport::Step(s)) => p.steps.push(s),
                Ok(ProbeReport::Done(v)) => {
                    p.verdict = Some(v);
                    p.rx = None;
                    break;
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    p.rx = None;
                    break;
                }
            }
        }
    }

    fn drain_dialogs(&mut self) {
        let mut still = Vec::new();
        for p in std::mem::take(&mut self.pending) {
            let rx = match &p {
                Pending::Import(rx) | Pending::Export(_, _, rx) | Pending::LogDir(rx) => rx,
            };
            match rx.try_recv() {
                Err(TryRecvError::Empty) => still.push(p),
                Err(TryRecvError::Disconnected) | Ok(None) => {}
                Ok(Some(paths)) => match p {
                    Pending::Import(_) => self.commands.push(Command::Import(paths)),
                    Pending::Export(scope, format, _) => {
                        if let Some(path) = paths.into_iter().next() {
                            self.export(scope, format, path);
                        }
                    }
                    Pending::LogDir(_) => {
                        if let Some(dir) = paths.into_iter().next() {
                            self.state.settings.log_dir = Some(dir);
                            self.notify("new log folder: it applies from the next start");
                        }
                    }
                },
            }
        }
        self.pending.extend(still);
    }

    /// Gives new records to the call tracker, within the time budget.
    fn feed_tracker(&mut self, deadline: Instant) -> bool {
        while self.tracked < self.store.len() {
            if Instant::now() >= deadline {
                return true;
            }
            let end = (self.tracked + 512).min(self.store.len());
            for id in self.tracked..end {
                if let Some(r) = self.store.get(id as RowId) {
                    self.tracker.push_decoded(r.site(), &r.decode());
                }
            }
            self.tracked = end;
        }
        false
    }

    fn export(&mut self, scope: ExportScope, format: ExportFormat, path: PathBuf) {
        let wake = self.wake.clone();
        let (label, rx) = match &scope {
            ExportScope::View => (
                "exporting the table".to_string(),
                jobs::export_records(self.store.snapshot(self.view.ids()), path, format, wake),
            ),
            ExportScope::Day { site, day } => (
                format!("exporting {site} on {day}"),
                jobs::export_records(
                    self.store.snapshot(self.store.day_of_site(site, *day)),
                    path,
                    format,
                    wake,
                ),
            ),
            ExportScope::Calls => {
                let calls = self
                    .calls_view
                    .shown(&self.tracker)
                    .into_iter()
                    .filter_map(|i| self.tracker.calls().get(i).cloned())
                    .collect();
                (
                    "exporting calls".to_string(),
                    jobs::export_calls(calls, path, format, wake),
                )
            }
        };
        self.jobs.push(Job {
            label,
            rx,
            progress: None,
        });
    }

    /// Carries out what the drawing code asked for.
    fn run_commands(&mut self) {
        for command in std::mem::take(&mut self.commands) {
            match command {
                Command::SaveSite { replacing, site } => {
                    let at = replacing
                        .as_ref()
                        .and_then(|n| self.sites.iter().position(|s| &s.name == n));
                    match at {
                        Some(i) => self.sites[i] = site,
                        None => self.sites.push(site),
                    }
                    self.save_sites();
                }
                Command::RemoveSite(name) => {
                    self.sites.retain(|s| s.name != name);
                    self.save_sites();
                }
                Command::SetEnabled(name, enabled) => {
                    if let Some(s) = self.sites.iter_mut().find(|s| s.name == name) {
                        s.enabled = enabled;
                        self.save_sites();
                    } else if let Some(s) = self.demo_sites.iter_mut().find(|s| s.name == name) {
                        s.enabled = enabled;
                        self.apply_sites();
                    }
                }
                Command::Probe(site) => {
                    let rx = self
                        .collector
                        .as_ref()
                        .map(|c| c.probe(site.clone(), Duration::from_secs(20)));
                    if rx.is_none() {
                        self.notify_error("collection is not running: cannot test a connection");
                    }
                    self.probe = Some(ProbeSession {
                        site,
                        steps: Vec::new(),
                        verdict: None,
                        rx,
                    });
                }
                Command::PickImport => self.pending.push(Pending::Import(crate::desktop::pick(
                    crate::desktop::Pick::OpenLogs,
                    self.wake.clone(),
                ))),
                Command::Import(paths) => {
                    let n = paths.len();
                    let rx = jobs::import(paths, DecodeOptions::default(), self.wake.clone());
                    self.jobs.push(Job {
                        label: format!("importing {n} file{}", if n == 1 { "" } else { "s" }),
                        rx,
                        progress: None,
                    });
                }
                Command::PickExport(scope, format) => {
                    let name = export_name(&scope, format);
                    let rx = crate::desktop::pick(
                        crate::desktop::Pick::SaveAs {
                            name,
                            extension: format.extension().into(),
                        },
                        self.wake.clone(),
                    );
                    self.pending.push(Pending::Export(scope, format, rx));
                }
                Command::PickLogDir => self.pending.push(Pending::LogDir(crate::desktop::pick(
                    crate::desktop::Pick::Folder,
                    self.wake.clone(),
                ))),
                Command::OpenLogFolder => {
                    let dir = self.log_dir();
                    if let Err(e) = crate::desktop::open_folder(&dir) {
                        self.notify_error(format!("cannot open {}: {e}", dir.display()));
                    }
                }
                Command::StopDemo => {
                    self.demo_sites.clear();
                    self.apply_sites();
                }
            }
        }
    }

    fn save_sites(&mut self) {
        // A real site replaces the demo.
        if !self.sites.is_empty() && self.options.demo == DemoMode::Auto {
            self.demo_sites.clear();
        }
        if let Err(e) = crate::collect::config::save_sites(&self.options.config_path, &self.sites) {
            self.notify_error(format!("{e}"));
        }
        self.apply_sites();
    }

    /// Everything the app would persist, up to date.
    fn persisted(&self) -> PersistedState {
        let mut s = self.state.clone();
        s.filter = self.view.filter.clone();
        s.sort = self.view.sort;
        s.descending = self.view.descending;
        s.calls = self.calls_view.clone();
        s
    }

    fn draw(&mut self, ui: &mut egui::Ui) {
        let files: Vec<PathBuf> = ui.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .collect()
        });
        if !files.is_empty() {
            self.commands.push(Command::Import(files));
        }
        super::shell::draw(self, ui);
    }

    /// The last connection test's verdict, once it has one.
    pub fn probe_verdict(&self) -> Option<&crate::collect::ProbeVerdict> {
        self.probe.as_ref().and_then(|p| p.verdict.as_ref())
    }

    pub fn tab(&self) -> Tab {
        self.state.tab
    }
}

fn export_name(scope: &ExportScope, format: ExportFormat) -> String {
    let stem = match scope {
        ExportScope::View => format!("smdr-{}", Local::now().format("%Y%m%d-%H%M")),
        ExportScope::Day { site, day } => format!("smdr-{site}-{}", day.format("%Y%m%d")),
        ExportScope::Calls => format!("calls-{}", Local::now().format("%Y%m%d-%H%M")),
    };
    format!("{stem}.{}", format.extension())
}

impl eframe::App for SmdrApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.drain(ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.draw(ui);
        self.run_commands();
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.persisted());
    }

    fn on_exit(&mut self) {
        if let Some(c) = self.collector.take() {
            c.shutdown();
        }
    }
}
