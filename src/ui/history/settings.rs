//! Settings › History: the embedded database or a shared PostgreSQL (URL, and the password in
//! a masked field of its own), a Test that connects on a thread of its own and says what it
//! found, and the writer's status. The settings file is written on a thread of its own: the
//! window never opens a file itself.

use std::path::PathBuf;
use std::sync::mpsc::Receiver;

use eframe::egui::{self, RichText};

use super::super::app::SmdrApp;
use super::super::theme;
use super::fallback;
use crate::history::target::{save_history_setting_in_background, split_password, with_password};
use crate::history::{HistoryError, HistoryStatus, Target};

/// Settings › History: the engine, a Test button, the status.
#[derive(Default)]
pub struct SettingsForm {
    /// The form shows the settings (filled once when the Settings window opens).
    loaded: bool,
    pub postgres: bool,
    /// The PostgreSQL URL without its password.
    pub url: String,
    pub password: String,
    test: Option<Receiver<String>>,
    /// The last test's result, in words.
    pub tested: Option<String>,
    saved: Option<String>,
    /// A save under way: the target it chose, and the file's answer.
    saving: Option<(Target, Receiver<Result<(), HistoryError>>)>,
}

impl SettingsForm {
    fn load(&mut self, target: &Target) {
        if self.loaded {
            return;
        }
        self.loaded = true;
        // The URL as the settings file had it (the target's display masks the password).
        if let Target::Postgres(url) = target {
            self.postgres = true;
            let (url, password) = split_password(url.as_given());
            self.url = url;
            self.password = password;
        }
    }

    /// Writes the setting on a thread of its own; [`Self::saved`] says how it went.
    fn save(
        &mut self,
        target: Target,
        setting: Option<String>,
        path: PathBuf,
        wake: crate::wake::Wake,
    ) {
        let spawned = save_history_setting_in_background(path, setting, wake);
        match spawned {
            Ok(rx) => {
                self.saving = Some((target, rx));
                self.saved = Some("Saving…".into());
            }
            Err(e) => self.saved = Some(format!("Not saved: cannot start a thread: {e}")),
        }
    }

    /// The save's answer, once: the target to switch to when it was written.
    fn saved(&mut self) -> Option<Target> {
        let (target, rx) = self.saving.as_ref()?;
        let done = rx.try_recv().ok()?;
        let target = target.clone();
        self.saving = None;
        match done {
            Ok(()) => {
                self.saved = Some(format!("History now written to {target}."));
                Some(target)
            }
            Err(e) => {
                self.saved = Some(format!("Not saved: {e}"));
                None
            }
        }
    }

    /// The target the form describes.
    fn target(&self, embedded: &Target) -> Result<Target, String> {
        if !self.postgres {
            return Ok(embedded.clone());
        }
        Target::parse(&with_password(self.url.trim(), &self.password)).map_err(|e| e.to_string())
    }

    fn test(&mut self, target: Target, wake: crate::wake::Wake) {
        let (tx, rx) = std::sync::mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("smdr-history-test".into())
            .spawn(move || {
                let said = match crate::history::open(&target).and_then(|mut s| s.counts()) {
                    Ok(c) => format!(
                        "Connected to {target}: {} records and {} calls in it.",
                        c.records, c.calls
                    ),
                    Err(e) if e.is_unreachable() => format!(
                        "Could not connect: {e}. Check the host, port, user and password, and \
                         that the server accepts connections from this computer."
                    ),
                    Err(e) => format!("Connected, but the database cannot be used: {e}."),
                };
                let _ = tx.send(said);
                wake();
            });
        match spawned {
            Ok(_) => {
                self.test = Some(rx);
                self.tested = Some("Testing…".into());
            }
            Err(e) => self.tested = Some(format!("cannot start the test: {e}")),
        }
    }
}

/// Drawn inside the Settings window.
pub fn settings_section(app: &mut SmdrApp, ui: &mut egui::Ui) {
    let settings_path = app.options.config_path.with_file_name("settings.toml");
    let current = app.history_target();
    let embedded = fallback(app.options.log_dir.as_deref());
    let wake = app.wake.clone();
    let f = &mut app.history.form;
    f.load(&current);
    if let Some(t) = f.saved() {
        app.history.retarget.set(t.clone());
        app.history.target = Some(t);
    }
    let f = &mut app.history.form;
    if let Some(rx) = &f.test
        && let Ok(said) = rx.try_recv()
    {
        f.tested = Some(said);
        f.test = None;
    }
    ui.separator();
    ui.strong("History");
    ui.radio_value(&mut f.postgres, false, format!("Embedded: {embedded}"));
    ui.radio_value(&mut f.postgres, true, "Shared PostgreSQL");
    if f.postgres {
        egui::Grid::new("history.pg").num_columns(2).show(ui, |ui| {
            let l = ui.label("URL");
            ui.add(
                egui::TextEdit::singleline(&mut f.url)
                    .desired_width(320.0)
                    .hint_text("postgres://smdr@db.example.com:5432/smdr?sslmode=require"),
            )
            .labelled_by(l.id);
            ui.end_row();
            let l = ui.label("Password");
            ui.add(
                egui::TextEdit::singleline(&mut f.password)
                    .password(true)
                    .desired_width(160.0),
            )
            .labelled_by(l.id);
            ui.end_row();
        });
    }
    let chosen = f.target(&embedded);
    ui.horizontal(|ui| {
        let ready = chosen.is_ok() && f.test.is_none();
        if ui.add_enabled(ready, egui::Button::new("Test")).clicked()
            && let Ok(t) = &chosen
        {
            f.test(t.clone(), wake.clone());
        }
        let changed = chosen.as_ref().is_ok_and(|t| *t != current) && f.saving.is_none();
        if ui
            .add_enabled(changed, egui::Button::new("Use this database"))
            .clicked()
            && let Ok(t) = &chosen
        {
            let setting = match t {
                Target::Postgres(_) => Some(with_password(f.url.trim(), &f.password)),
                Target::Embedded(_) => None,
            };
            f.save(t.clone(), setting, settings_path.clone(), wake.clone());
        }
    });
    let f = &app.history.form;
    if let Err(e) = &chosen {
        ui.label(RichText::new(e).color(theme::WARN.get(ui)));
    }
    for said in [&f.tested, &f.saved].into_iter().flatten() {
        ui.label(said);
    }
    let status = app.history.status.as_ref().map_or_else(
        || "history: not started".to_string(),
        HistoryStatus::describe,
    );
    ui.label(format!("{status} ({current})"));
}
