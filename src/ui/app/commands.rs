//! Carrying out what the drawing code asked for: sites, connection tests, imports, exports,
//! dialogs.

use super::*;
use crate::export::Exported;

use crate::desktop::{OpenFolderError, Pick, Picked};
use crate::ui::paths::{FolderShown, PathFor, PathPrompt};

/// Stores this big are rebuilt on a thread when a file is closed.
const CLOSE_ON_THREAD: usize = 200_000;

/// A file dialog waiting for the user, or the file manager starting.
pub(super) enum Pending {
    Dialog(PathFor, Receiver<Picked>),
    Folder(PathBuf, Receiver<Result<(), OpenFolderError>>),
}

impl SmdrApp {
    fn export(&mut self, scope: ExportScope, format: ExportFormat, path: PathBuf) {
        let wake = self.wake.clone();
        let (label, what) = match &scope {
            ExportScope::View => (
                "exporting the table".to_string(),
                Exported::Records(self.store.snapshot(self.view.ids())),
            ),
            ExportScope::Day { site, day } => (
                format!("exporting {site} on {day}"),
                Exported::Records(self.store.snapshot(self.store.day_of_site(site, *day))),
            ),
            ExportScope::History { target, ids } => {
                let n = ids.len();
                let rx = jobs::export_history(target.clone(), ids.clone(), path, format, wake);
                self.jobs.push(Job {
                    label: format!("exporting {n} records from the history"),
                    rx,
                    progress: None,
                    then_collect: false,
                });
                return;
            }
            ExportScope::Calls => {
                let calls = self
                    .calls
                    .view
                    .shown(&self.state.calls, &self.tracker)
                    .into_iter()
                    .filter_map(|i| self.tracker.calls().get(i).cloned())
                    .collect();
                ("exporting calls".to_string(), Exported::Calls(calls))
            }
        };
        let rx = jobs::export(what, path, format, wake);
        self.jobs.push(Job {
            label,
            rx,
            progress: None,
            then_collect: false,
        });
    }

    /// Carries out what the drawing code asked for.
    pub(super) fn run_commands(&mut self, ctx: &egui::Context) {
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
                Command::Probe(site) => self.start_probe(site, None),
                Command::ProbePausing(site, holder) => self.start_probe(site, Some(holder)),
                Command::RetryNow(name) => {
                    if !self.collector().is_some_and(|c| c.retry_now(&name)) {
                        self.notify_error(format!(
                            "{name} is not being collected: nothing to retry"
                        ));
                    }
                }
                Command::PickImport => self.pick(PathFor::Import, Pick::OpenLogs),
                Command::Import(paths) => self.import(paths, false),
                Command::ImportAnyway(paths) => self.import(paths, true),
                Command::CloseFile(origin) => self.close_file(&origin),
                Command::PickExport(scope, format) => {
                    let pick = Pick::SaveAs {
                        name: export_name(&scope, format),
                        extension: format.extension().into(),
                    };
                    self.pick(PathFor::Export(scope, format), pick);
                }
                Command::Export(scope, format, path) => self.export(scope, format, path),
                Command::PickLogDir => self.pick(PathFor::LogDir, Pick::Folder),
                Command::SetLogDir(dir) => {
                    self.state.settings.log_dir = Some(dir);
                    self.notify("new log folder: it applies from the next start");
                }
                Command::OpenLogFolder => {
                    let dir = self.log_dir();
                    let rx = self.options.desktop.open_folder(&dir, self.wake.clone());
                    self.pending.push(Pending::Folder(dir, rx));
                }
                Command::StopDemo => {
                    self.demo_sites.clear();
                    self.apply_sites();
                }
                Command::Settings(settings) => {
                    if settings.theme != self.state.settings.theme {
                        settings.theme.apply(ctx);
                    }
                    // The age-out applies from the tracker's next look (`drain`).
                    self.state.settings = settings;
                }
                Command::CloseProbe => self.probe = None,
            }
        }
    }

    /// Imports the files not open yet; says which are, and why others were not imported once
    /// the import ends.
    fn import(&mut self, paths: Vec<PathBuf>, anyway: bool) {
        let (files, refused) = self
            .open_files
            .claim(paths, &DecodeOptions::default(), anyway);
        self.refused.extend(refused);
        if files.is_empty() {
            self.say_refused();
            return;
        }
        let n = files.len();
        let rx = jobs::import_as(files, self.wake.clone());
        self.jobs.push(Job {
            label: format!("importing {n} file{}", if n == 1 { "" } else { "s" }),
            rx,
            progress: None,
            then_collect: false,
        });
    }

    /// Says which files were not imported and why; files without SMDR in one notice that
    /// offers to import them anyway (last, so the status bar shows its button).
    pub(super) fn say_refused(&mut self) {
        let mut no_smdr = Vec::new();
        for r in std::mem::take(&mut self.refused) {
            if r.why == crate::import::Refused::NoSmdr {
                no_smdr.push(r);
            } else {
                self.notify(r.to_string());
            }
        }
        if no_smdr.is_empty() {
            return;
        }
        let text = no_smdr
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ");
        let paths = no_smdr.into_iter().map(|r| r.path).collect();
        tracing::warn!("{text}");
        self.push_notice_with(
            text,
            true,
            Some(("Import anyway".into(), Command::ImportAnyway(paths))),
        );
    }

    /// Closes an imported file: the store is rebuilt without its rows (on a thread when large),
    /// then the calls, the table and the selection start again from the store.
    fn close_file(&mut self, origin: &str) {
        let Some(file) = self.open_files.close(origin) else {
            return;
        };
        if self.store.len() < CLOSE_ON_THREAD {
            let rebuilt = self
                .store
                .filtered(0, |r| !jobs::is_of(r, &file.site, &file.origin));
            let removed = self.store.len() - rebuilt.len();
            self.replace_store(rebuilt);
            self.notify(format!("closed {}: {removed} records removed", file.origin));
            return;
        }
        let all = self.store.snapshot(0..self.store.len() as RowId);
        self.jobs.push(Job {
            label: format!("closing {}", file.origin),
            rx: jobs::close_file(all, file.site, file.origin, self.wake.clone()),
            progress: None,
            then_collect: false,
        });
    }

    /// A rebuilt store takes the place of the old: everything drawn from it starts again.
    pub(super) fn replace_store(&mut self, store: Store) {
        self.store = store;
        self.view = View::default();
        self.selected = None;
        self.tracked = 0;
        let minutes = i64::from(self.state.settings.age_out_min.max(1));
        self.tracker = CallTracker::new(chrono::Duration::minutes(minutes));
        self.calls = CallsTab {
            more_filters: self.calls.more_filters,
            ..Default::default()
        };
    }

    /// Shows a file dialog for `purpose`; its answer is taken in by the frame loop.
    fn pick(&mut self, purpose: PathFor, pick: Pick) {
        let rx = self.options.desktop.pick(pick, self.wake.clone());
        self.pending.push(Pending::Dialog(purpose, rx));
    }

    /// What a file dialog gave: the path goes where it was asked for; when no dialog could be
    /// shown, the user is told why and types the path instead.
    pub(super) fn picked(&mut self, purpose: PathFor, picked: Picked) {
        match picked {
            Picked::Cancelled => {}
            Picked::Paths(paths) => match purpose {
                PathFor::Import => self.commands.push(Command::Import(paths)),
                PathFor::Export(scope, format) => {
                    if let Some(path) = paths.into_iter().next() {
                        self.export(scope, format, path);
                    }
                }
                PathFor::LogDir => {
                    if let Some(dir) = paths.into_iter().next() {
                        self.commands.push(Command::SetLogDir(dir));
                    }
                }
            },
            Picked::Unavailable(why) => {
                self.notify_error(format!("{why}: type the path in the window instead"));
                let path = match &purpose {
                    PathFor::Export(scope, format) => crate::desktop::default_save_dir()
                        .join(export_name(scope, *format))
                        .display()
                        .to_string(),
                    PathFor::Import => String::new(),
                    PathFor::LogDir => self.log_dir().display().to_string(),
                };
                self.forms.path_prompt = Some(PathPrompt {
                    purpose,
                    path,
                    why,
                    error: None,
                });
            }
        }
    }

    /// The file manager could not show a folder: say why, and show its path to copy.
    pub(super) fn folder_failed(&mut self, dir: PathBuf, e: OpenFolderError) {
        self.notify_error(format!("cannot show the log folder {}: {e}", dir.display()));
        self.forms.folder_shown = Some(FolderShown {
            dir,
            why: e.to_string(),
        });
    }

    /// A connection test from the window: the user has read the warning, so the steps do not
    /// repeat it; `pausing` names the site whose collection makes way for the test.
    fn start_probe(&mut self, site: SiteConfig, pausing: Option<String>) {
        let request = crate::collect::ProbeRequest {
            site: site.clone(),
            timeout: Duration::from_secs(20),
            warned: true,
            pause: pausing.clone(),
        };
        let rx = self.collector().map(|c| c.probe_as(request));
        if rx.is_none() {
            self.notify_error("collection is not running: cannot test a connection");
        }
        self.probe = Some(ProbeSession {
            site,
            steps: Vec::new(),
            verdict: None,
            rx,
            pausing,
        });
    }

    /// The site this program collects from that a test of `site` would compete with, and its
    /// situation in words (last record).
    pub(crate) fn feed_holder(&self, site: &SiteConfig) -> Option<(String, String)> {
        let name = self.collector()?.holding(site)?;
        let holder = self.all_sites().find(|s| s.name == name)?;
        let last = self
            .site_views
            .get(name.as_str())
            .and_then(|v| v.status.as_ref())
            .and_then(|s| s.last_record);
        Some((name, crate::collect::probe::held_words(holder, last)))
    }

    pub(super) fn save_sites(&mut self) {
        // A real site replaces the demo.
        if !self.sites.is_empty() && self.options.demo == DemoMode::Auto {
            self.demo_sites.clear();
        }
        let saved = crate::collect::config::save_sites_with(
            &self.options.config_path,
            &self.sites,
            &self.options.passwords,
        );
        match saved {
            Ok(notes) => {
                // Where each password went, in the log; anything short of the store also in
                // the status bar (and the site form's words follow what happened).
                for note in notes {
                    if note.is_warning() {
                        self.password_home = format!(
                            "No credential store took it: kept in the site list {}, {}.",
                            self.options.config_path.display(),
                            crate::collect::config::PRIVATE_FILE
                        );
                        self.notify_error(note.to_string());
                    } else {
                        tracing::info!("{note}");
                    }
                }
            }
            Err(e) => self.notify_error(format!("{e}")),
        }
        self.apply_sites();
    }
}

/// The suggested name of an export: no spaces or other characters a file name should not have
/// (a site's name goes through the raw day logs' rule).
fn export_name(scope: &ExportScope, format: ExportFormat) -> String {
    let stem = match scope {
        ExportScope::View => format!("smdr-{}", Local::now().format("%Y%m%d-%H%M")),
        ExportScope::Day { site, day } => format!(
            "smdr-{}-{}",
            crate::rawlog::file_name_for(site),
            day.format("%Y%m%d")
        ),
        ExportScope::Calls => format!("calls-{}", Local::now().format("%Y%m%d-%H%M")),
        ExportScope::History { .. } => {
            format!("history-{}", Local::now().format("%Y%m%d-%H%M"))
        }
    };
    format!("{stem}.{}", format.extension())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 17.10: exported file names have no spaces, whatever the site is called.
    #[test]
    fn export_names_have_no_spaces() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        let site = ExportScope::Day {
            site: "Main Office / HQ 2".into(),
            day,
        };
        assert_eq!(
            export_name(&site, ExportFormat::Csv),
            "smdr-Main_Office___HQ_2-20261202.csv"
        );
        for scope in [ExportScope::View, ExportScope::Calls, site] {
            for format in ExportFormat::ALL {
                let name = export_name(&scope, format);
                assert!(!name.contains(char::is_whitespace), "{name}");
                assert!(
                    name.ends_with(&format!(".{}", format.extension())),
                    "{name}"
                );
            }
        }
    }
}
