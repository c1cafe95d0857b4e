//! The engine this window starts: the collectors, the demo beside them, and the stages every
//! record passes (history, alarms) set up from the window's settings; what those stages show.

use super::*;

impl SmdrApp {
    pub(super) fn start_collecting(&mut self) {
        let options = CollectOptions {
            log_dir: self.log_dir(),
            wake: self.wake.clone(),
        };
        let stages = self.stages();
        match Engine::start(options, stages) {
            Ok((engine, rx)) => {
                self.engine = Some(engine);
                self.events = Some(rx);
            }
            Err(e) => {
                self.notify_error(format!("cannot start collecting: {e}"));
                return;
            }
        }
        if self.wants_demo()
            && let Some(runtime) = self.collector().and_then(|c| c.runtime())
        {
            match Demo::start(runtime) {
                Ok(demo) => {
                    // Its logs go to its own folder, never the user's.
                    self.demo_sites = demo
                        .sites()
                        .iter()
                        .map(|s| SiteConfig {
                            log_dir: Some(demo.log_dir().to_path_buf()),
                            ..SiteConfig::from_target(s.name, &s.target)
                        })
                        .collect();
                    // Alarms of the demo go to its own folder too, while it runs alone.
                    if self.sites.is_empty()
                        && let Some(control) = &self.alarms.control
                        && let Err(e) = control.set_config(&self.alarms.config, demo.log_dir())
                    {
                        tracing::warn!("the demo's alarm log: {e}");
                    }
                    self.demo = Some(demo);
                }
                Err(e) => self.notify_error(format!("cannot start the demo site: {e}")),
            }
        }
        self.apply_sites();
    }

    /// The running collectors, for connection tests and retries.
    pub(super) fn collector(&self) -> Option<&Collector> {
        self.engine.as_ref().map(Engine::collector)
    }

    /// The engine's stages for this window's settings: what every record passes through on
    /// its way here.
    /// The demo runs beside the collectors (asked for, or no site configured).
    fn wants_demo(&self) -> bool {
        match self.options.demo {
            DemoMode::Force => true,
            DemoMode::Auto => self.sites.is_empty(),
            DemoMode::Off => false,
        }
    }

    pub(super) fn stages(&mut self) -> Vec<Box<dyn Stage>> {
        let mut stages: Vec<Box<dyn Stage>> = Vec::new();
        let sites: Vec<SiteConfig> = self.all_sites().filter(|s| s.enabled).cloned().collect();
        let age_out = chrono::Duration::minutes(i64::from(self.state.settings.age_out_min.max(1)));
        match HistoryStage::start(self.history_target(), self.log_dir(), &sites, age_out) {
            Ok(stage) => stages.push(Box::new(stage.retargeted_by(self.history.retarget.clone()))),
            Err(e) => self.notify_error(format!("cannot start the history writer: {e}")),
        }
        let log_dir = self.log_dir();
        // The demo's records stay out of the history: so do its alarms while only it runs.
        let history = !(self.wants_demo() && self.sites.is_empty());
        match self.alarms.stage(&log_dir, self.wake.clone(), history) {
            Ok(stage) => stages.push(stage),
            Err(e) => self.notify_error(format!("the alarm rules cannot run: {e}")),
        }
        stages
    }

    /// Where the alarm log goes: the demo's folder while only the demo runs, else the log
    /// folder.
    pub(in crate::ui) fn alarm_log_dir(&self) -> PathBuf {
        match &self.demo {
            Some(demo) if self.sites.is_empty() => demo.log_dir().to_path_buf(),
            _ => self.log_dir(),
        }
    }

    /// Alarms raised since the window opened, oldest first, and whether each is acknowledged.
    pub fn alarms(&self) -> impl Iterator<Item = (&crate::alarm::Alarm, bool)> {
        self.alarms.list.iter().map(|s| (&s.alarm, s.acknowledged))
    }

    /// The history database this window reads and writes (Settings › History): the settings
    /// file is read once, at start.
    pub fn history_target(&self) -> crate::history::Target {
        if let Some(t) = &self.history.target {
            return t.clone();
        }
        let (target, problem) = crate::ui::history::window_target(
            &self.options.config_path,
            self.options.log_dir.as_deref(),
        );
        if !problem.is_empty() {
            tracing::warn!("{problem}");
        }
        target
    }

    /// The history writer's last status.
    pub fn history_status(&self) -> Option<&crate::history::HistoryStatus> {
        self.history.status.as_ref()
    }

    /// Records the History tab found (`None`: no answer yet).
    pub fn history_found(&self) -> Option<usize> {
        self.history.found()
    }

    /// The History tab's days (tests; the tab has a date picker).
    pub fn set_history_days(&mut self, from: NaiveDate, to: NaiveDate) {
        self.history.from = from;
        self.history.to = to;
    }

    /// The History tab's calls per day.
    pub fn history_per_day(&self) -> &[crate::history::StatsRow] {
        self.history.per_day()
    }
}
