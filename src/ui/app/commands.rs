//! Carrying out what the drawing code asked for: sites, connection tests, imports, exports,
//! dialogs.

use super::*;
use crate::export::Exported;

/// A file dialog waiting for the user.
pub(super) enum Pending {
    Import(Receiver<Option<Vec<PathBuf>>>),
    Export(ExportScope, ExportFormat, Receiver<Option<Vec<PathBuf>>>),
    LogDir(Receiver<Option<Vec<PathBuf>>>),
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
                        then_collect: false,
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
                Command::Export(scope, format, path) => self.export(scope, format, path),
                Command::PickLogDir => self.pending.push(Pending::LogDir(crate::desktop::pick(
                    crate::desktop::Pick::Folder,
                    self.wake.clone(),
                ))),
                Command::SetLogDir(dir) => {
                    self.state.settings.log_dir = Some(dir);
                    self.notify("new log folder: it applies from the next start");
                }
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

    pub(super) fn save_sites(&mut self) {
        // A real site replaces the demo.
        if !self.sites.is_empty() && self.options.demo == DemoMode::Auto {
            self.demo_sites.clear();
        }
        if let Err(e) = crate::collect::config::save_sites(&self.options.config_path, &self.sites) {
            self.notify_error(format!("{e}"));
        }
        self.apply_sites();
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
