//! The application: state, the per-frame drain of background channels into the store, and the
//! commands the drawing code asks for (applied after drawing, so drawing never mutates the world).

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::{Duration, Instant};

use chrono::{DateTime, Local, NaiveDate};
use eframe::egui;

use crate::collect::{
    CollectOptions, Collector, CollectorEvent, Direction, ProbeReport, SiteConfig, SiteStatus,
};
use crate::engine::history::HistoryStage;
use crate::engine::{Engine, EngineEvent, Stage};
use crate::jobs::{self, ExportFormat, JobEvent};
use crate::protocol::{DecodeOptions, Record};
use crate::sim::Demo;
use crate::store::{RowId, Store, View};
use crate::timeline::CallTracker;
use crate::wake::Wake;

mod commands;
mod drain;
mod engine;

use commands::Pending;

use super::calls::CallsTab;
use super::state::{PersistedState, Settings, Tab};

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
    /// Where SMDR passwords are kept (tests: in memory, or none).
    pub passwords: crate::secrets::Passwords,
    /// File dialogs and the file manager (tests: a desktop without them).
    pub desktop: crate::desktop::Desktop,
}

/// Bytes that crossed a site's socket, for the raw view.
#[derive(Clone)]
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
    /// Bytes that crossed the socket this session, both ways (the raw view's pause counts them).
    pub bytes: u64,
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
    /// The History tab's result.
    History {
        target: crate::history::Target,
        ids: Arc<[crate::history::browse::LineId]>,
    },
}

/// A background job the status bar shows.
pub struct Job {
    pub label: String,
    pub rx: Receiver<JobEvent>,
    pub progress: Option<(u64, u64)>,
    /// Collecting starts when this job ends (today's records reloaded first, so the table
    /// keeps the order they came in).
    pub then_collect: bool,
}

/// A connection test in progress or done.
pub struct ProbeSession {
    pub site: SiteConfig,
    pub steps: Vec<crate::collect::ProbeStep>,
    pub verdict: Option<crate::collect::ProbeVerdict>,
    pub rx: Option<Receiver<ProbeReport>>,
    /// The site whose collection the test pauses (this program held the feed).
    pub pausing: Option<String>,
}

/// A message for the user in the status bar.
pub struct Notice {
    pub text: String,
    pub error: bool,
    pub at: Instant,
    /// A way on the notice offers: a button's label and what it asks for.
    pub action: Option<(String, Command)>,
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
    /// Run the connection test with this program's collection from the named site paused
    /// (it holds the feed), resumed after.
    ProbePausing(SiteConfig, String),
    /// A site backing off tries again now.
    RetryNow(String),
    PickImport,
    Import(Vec<PathBuf>),
    /// Import files even though no SMDR was found in them (the user asked).
    ImportAnyway(Vec<PathBuf>),
    /// Close an imported file (by its rows' origin): its rows leave the store.
    CloseFile(Arc<str>),
    /// Ask where to export, then export there.
    PickExport(ExportScope, ExportFormat),
    /// Export to this path (picked in a dialog, or typed when none could be shown).
    Export(ExportScope, ExportFormat, PathBuf),
    PickLogDir,
    SetLogDir(PathBuf),
    OpenLogFolder,
    StopDemo,
    /// The settings as the user changed them.
    Settings(Settings),
    /// Forget the connection test (its window was closed).
    CloseProbe,
}

pub struct SmdrApp {
    pub(super) state: PersistedState,
    pub(super) options: AppOptions,
    pub(super) engine: Option<Engine>,
    events: Option<Receiver<EngineEvent>>,
    pub(super) wake: Wake,
    /// Configured sites (sites.toml).
    pub(super) sites: Vec<SiteConfig>,
    /// The demo's sites while it runs.
    pub(super) demo_sites: Vec<SiteConfig>,
    /// The demo's simulators (on the collectors' runtime) and log folder, kept while the window
    /// runs; declared after `collector`, so dropped after it (its sites have stopped writing).
    demo: Option<Demo>,
    pub(super) site_views: HashMap<Arc<str>, SiteView>,
    pub(super) store: Store,
    /// The records table's rows (its filter and sort are in `state`).
    pub(super) view: View,
    pub(super) tracker: CallTracker,
    /// Rows already given to the tracker.
    tracked: usize,
    last_age_out: Instant,
    pub(super) selected: Option<RowId>,
    pub(super) jobs: Vec<Job>,
    /// Files opened in the window (File › Imported files).
    pub(super) open_files: jobs::OpenFiles,
    /// Files an import did not take, said once its job ends.
    refused: Vec<crate::import::Refusal>,
    pub(super) probe: Option<ProbeSession>,
    pub(super) forms: super::forms::Forms,
    pub(super) notices: VecDeque<Notice>,
    pub(super) commands: Vec<Command>,
    pending: Vec<Pending>,
    pub(super) calls: CallsTab,
    /// Where a site's SMDR password goes when saved, in words (the site form says it).
    pub(super) password_home: String,
    /// The Raw stream tab's pause, while it holds.
    pub(super) raw_pause: Option<super::raw::Paused>,
    /// The Help menu's windows.
    pub(super) help: super::help::HelpWindows,
    /// Alarms raised, the rules, and the alarm stage's control.
    pub(super) alarms: super::alarms::AlarmsPanel,
    /// The History tab and Settings › History.
    pub(super) history: super::history::HistoryUi,
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
        let filter_texts = super::records::FilterTexts::of(&state.records.filter);
        let (alarms, alarms_problem) = super::alarms::AlarmsPanel::load(
            options.config_path.with_file_name("alarms.toml"),
            &options.passwords,
        );
        let mut app = Self {
            view: View::default(),
            calls: CallsTab::default(),
            tracker: CallTracker::new(chrono::Duration::minutes(i64::from(
                state.settings.age_out_min.max(1),
            ))),
            state,
            options,
            engine: None,
            events: None,
            wake,
            sites: Vec::new(),
            demo_sites: Vec::new(),
            demo: None,
            site_views: HashMap::new(),
            store: Store::new(),
            tracked: 0,
            last_age_out: Instant::now(),
            selected: None,
            jobs: Vec::new(),
            open_files: Default::default(),
            refused: Vec::new(),
            probe: None,
            forms: super::forms::Forms {
                filter_texts,
                ..Default::default()
            },
            notices: VecDeque::new(),
            commands: Vec::new(),
            pending: Vec::new(),
            password_home: String::new(),
            raw_pause: None,
            help: Default::default(),
            alarms,
            history: Default::default(),
        };
        if let Some(p) = alarms_problem {
            app.notify_error(p);
        }
        app.start();
        app
    }

    fn start(&mut self) {
        if let Some(tab) = self.options.tab {
            self.state.tab = tab;
        }
        self.history.target = Some(self.history_target());
        if !self.options.open.is_empty() {
            self.commands
                .push(Command::Import(self.options.open.clone()));
        }
        self.load_sites();
        if !self.options.collect {
            return;
        }
        let today = self.today_logs();
        if today.is_empty() {
            self.start_collecting();
        } else {
            let n = today.len();
            self.jobs.push(Job {
                label: format!(
                    "reloading today's records ({n} log{})",
                    if n == 1 { "" } else { "s" }
                ),
                rx: jobs::import_as(today, self.wake.clone()),
                progress: None,
                then_collect: true,
            });
        }
    }

    /// Reads the site list, passwords from the credential store; says where passwords go, and
    /// moves any the file holds into the store when one answers.
    fn load_sites(&mut self) {
        let passwords = self.options.passwords.clone();
        let path = self.options.config_path.clone();
        let store = passwords.check();
        self.password_home = match &store {
            Ok(()) => format!("Kept in {}, not in the site list.", passwords.name()),
            Err(e) => format!(
                "No credential store answers ({e}): kept in the site list {}, {}.",
                path.display(),
                crate::collect::config::PRIVATE_FILE
            ),
        };
        match &store {
            Ok(()) => tracing::info!("SMDR passwords are kept in {}", passwords.name()),
            Err(e) => tracing::warn!(
                "no credential store answers ({e}): SMDR passwords are kept in {}",
                path.display()
            ),
        }
        match crate::collect::config::load_sites_with(&path, &passwords) {
            Ok(loaded) => {
                self.sites = loaded.sites;
                for note in loaded.notes {
                    self.notify_error(note.to_string());
                }
                if !loaded.in_file.is_empty() && store.is_ok() {
                    self.save_sites();
                }
            }
            Err(e) => self.notify_error(format!("{e}; starting with no sites")),
        }
    }

    /// Today's raw day logs of the enabled sites: what they collected before this start.
    fn today_logs(&mut self) -> Vec<jobs::ImportFile> {
        let (log_dir, today) = (self.log_dir(), Local::now().date_naive());
        let mut files = Vec::new();
        let mut problems = Vec::new();
        for site in self.sites.iter().filter(|s| s.enabled) {
            match crate::collect::daylog::day_logs(&log_dir, &site.name, today) {
                Ok(paths) => files.extend(paths.into_iter().map(|path| jobs::ImportFile {
                    path,
                    site: site.name.as_str().into(),
                    options: site.decode_options(today),
                    // The site's own logs: reloaded whatever they hold.
                    anyway: true,
                })),
                Err(e) => problems.push(format!("cannot read today's logs of {}: {e}", site.name)),
            }
        }
        for p in problems {
            self.notify_error(p);
        }
        files
    }

    /// The folder raw day logs go to.
    pub fn log_dir(&self) -> PathBuf {
        self.options
            .log_dir
            .clone()
            .or_else(|| self.state.settings.log_dir.clone())
            .unwrap_or_else(crate::paths::default_log_dir)
    }

    pub fn is_demo(&self) -> bool {
        !self.demo_sites.is_empty()
    }

    /// The record selected in the records table.
    pub fn selected_row(&self) -> Option<RowId> {
        self.selected
    }

    /// The collectors are running.
    pub fn collecting(&self) -> bool {
        self.engine.is_some()
    }

    /// Every site the window shows: the configured ones, then the demo's.
    pub fn all_sites(&self) -> impl Iterator<Item = &SiteConfig> {
        self.sites.iter().chain(&self.demo_sites)
    }

    /// Takes in one record as if a collector had sent it (imports and tests use this too).
    pub fn ingest(&mut self, record: Record) {
        self.store.push(record);
    }

    /// Takes in one collector event as if the collectors had sent it (tests: raw frames,
    /// statuses, log lines).
    pub fn ingest_event(&mut self, event: CollectorEvent) {
        self.take_event(EngineEvent::Collector(event));
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The records table's saved filter and sort.
    pub fn records_settings(&self) -> &crate::store::ViewSettings {
        &self.state.records
    }

    pub fn view(&self) -> &View {
        &self.view
    }

    /// Asks for what drawing code may ask for (carried out after the next frame is drawn).
    pub fn command(&mut self, command: Command) {
        self.commands.push(command);
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
        self.push_notice_with(text, error, None);
    }

    fn push_notice_with(&mut self, text: String, error: bool, action: Option<(String, Command)>) {
        self.notices.push_back(Notice {
            text,
            error,
            at: Instant::now(),
            action,
        });
        while self.notices.len() > 20 {
            self.notices.pop_front();
        }
    }

    fn apply_sites(&self) {
        if let Some(c) = &self.engine {
            let running = self.all_sites().filter(|s| s.enabled).cloned().collect();
            c.set_sites(running);
        }
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

impl eframe::App for SmdrApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.drain(ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.draw(ui);
        self.run_commands(ui.ctx());
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.state);
    }

    fn on_exit(&mut self) {
        if let Some(e) = self.engine.take() {
            e.shutdown();
        }
        // After the collectors: the demo's sites have written their last lines.
        self.demo = None;
    }
}
