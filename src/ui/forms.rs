//! The window's dialogs: the site form, exporting a day of a site, settings, and confirming a
//! removal (the connection test's are in `probe_window`).

use std::sync::Arc;

use chrono::NaiveDate;
use eframe::egui::{self, RichText, TextEdit};

use crate::collect::relay::RelayEntryError;
use crate::collect::{Protocol, RelayConfig, Secret, SiteConfig, UrlError};
use crate::jobs::ExportFormat;

use super::app::{Command, ExportScope, SmdrApp};
use super::records::FilterTexts;
use super::theme::{self, ThemeChoice};
use super::widgets::labelled_choice;

/// What is wrong with the site form, in words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SiteFormError {
    #[error("give the site a name")]
    NoName,
    #[error("there is already a site called {0}")]
    NameTaken(String),
    #[error("enter the PBX's address (name or IP)")]
    NoHost,
    #[error(transparent)]
    Port(UrlError),
    #[error("the padding character is one character")]
    Padding,
    #[error("the SMDR password is at most 15 plain ASCII characters")]
    Password,
    #[error(transparent)]
    RelayEntry(RelayEntryError),
    #[error("the relay password is at most 15 plain ASCII characters")]
    RelayPassword,
    #[error("replay on connect is a number of minutes (0: off)")]
    RelayReplay,
}

/// The site form's fields, as typed.
#[derive(Debug, Clone)]
pub struct SiteForm {
    /// The name of the site being edited (`None` for a new one).
    pub replacing: Option<String>,
    pub name: String,
    pub protocol: Protocol,
    pub host: String,
    pub port: String,
    pub bind: String,
    pub password: String,
    pub padding: String,
    pub allowed_peers: String,
    pub enabled: bool,
    /// Relay entries, separated by commas or lines: `listen 0.0.0.0:4000, push 10.0.0.9:1752`.
    pub relay_entries: String,
    pub relay_password: String,
    pub relay_allow: String,
    /// Minutes replayed from the raw day log on connect; empty or 0: off.
    pub relay_replay: String,
    /// Kept as the file had it (not in the form).
    pub relay_max_behind_kib: u32,
    pub error: Option<String>,
}

impl SiteForm {
    fn new() -> Self {
        Self {
            replacing: None,
            name: String::new(),
            protocol: Protocol::Mitel5000,
            host: String::new(),
            port: Protocol::Mitel5000.default_port().to_string(),
            bind: String::new(),
            password: String::new(),
            padding: "0".into(),
            allowed_peers: String::new(),
            enabled: true,
            relay_entries: String::new(),
            relay_password: String::new(),
            relay_allow: String::new(),
            relay_replay: String::new(),
            relay_max_behind_kib: RelayConfig::default().max_behind_kib,
            error: None,
        }
    }

    fn from_site(s: &SiteConfig) -> Self {
        Self {
            replacing: Some(s.name.clone()),
            name: s.name.clone(),
            protocol: s.protocol,
            host: s.host.clone(),
            port: s.port.to_string(),
            bind: s.bind.clone().unwrap_or_default(),
            password: s.password.expose().to_string(),
            padding: s.padding.to_string(),
            allowed_peers: s.allowed_peers.join(", "),
            enabled: s.enabled,
            relay_entries: s.relay.entries.join(", "),
            relay_password: s.relay.password.expose().to_string(),
            relay_allow: s.relay.allow.join(", "),
            relay_replay: match s.relay.replay_minutes {
                0 => String::new(),
                n => n.to_string(),
            },
            relay_max_behind_kib: s.relay.max_behind_kib,
            error: None,
        }
    }

    /// The site the form describes, or what is wrong with it in words.
    pub fn to_site(&self, others: &[SiteConfig]) -> Result<SiteConfig, SiteFormError> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(SiteFormError::NoName);
        }
        if others
            .iter()
            .any(|s| s.name == name && self.replacing.as_deref() != Some(name))
        {
            return Err(SiteFormError::NameTaken(name.to_string()));
        }
        let push = self.protocol == Protocol::AppsuitePush;
        let host = self.host.trim();
        if host.is_empty() && !push {
            return Err(SiteFormError::NoHost);
        }
        let port: u16 = match self.port.trim().parse() {
            Ok(p) if p > 0 => p,
            _ => return Err(SiteFormError::Port(UrlError::BadPort(self.port.clone()))),
        };
        let mut padding = self.padding.chars();
        let pad = match (padding.next(), padding.next()) {
            (Some(c), None) => c,
            (None, _) => '0',
            _ => return Err(SiteFormError::Padding),
        };
        let bind = self.bind.trim();
        let bind = if push {
            Some(if bind.is_empty() {
                format!("0.0.0.0:{port}")
            } else {
                bind.to_string()
            })
        } else {
            None
        };
        if self.password.len() > 15 || !self.password.is_ascii() {
            return Err(SiteFormError::Password);
        }
        let relay = self.relay()?;
        Ok(SiteConfig {
            name: name.to_string(),
            protocol: self.protocol,
            host: host.to_string(),
            port,
            bind,
            password: Secret::new(self.password.clone()),
            padding: pad,
            allowed_peers: self
                .allowed_peers
                .split([',', ' '])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
            also_push: None,
            enabled: self.enabled,
            relay,
            log_dir: None,
        })
    }

    /// The relay the form describes (its password only for a 5000, the only protocol with one).
    fn relay(&self) -> Result<RelayConfig, SiteFormError> {
        let list = |text: &str, separators: &[char]| -> Vec<String> {
            text.split(separators)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect()
        };
        let entries = list(&self.relay_entries, &[',', ';', '\n']);
        for entry in &entries {
            crate::collect::RelayTarget::parse(entry).map_err(SiteFormError::RelayEntry)?;
        }
        let password = if self.protocol == Protocol::Mitel5000 {
            self.relay_password.clone()
        } else {
            String::new()
        };
        if password.len() > 15 || !password.is_ascii() {
            return Err(SiteFormError::RelayPassword);
        }
        let replay = self.relay_replay.trim();
        let replay_minutes = if replay.is_empty() {
            0
        } else {
            replay.parse().map_err(|_| SiteFormError::RelayReplay)?
        };
        Ok(RelayConfig {
            entries,
            password: Secret::new(password),
            allow: list(&self.relay_allow, &[',', ' ', ';', '\n']),
            replay_minutes,
            max_behind_kib: self.relay_max_behind_kib,
            locked: false,
        })
    }
}

/// Exporting every record of one site on one day.
#[derive(Debug, Clone)]
pub struct ExportDay {
    pub sites: Vec<String>,
    pub site: String,
    pub day: String,
    pub format: ExportFormat,
}

#[derive(Default)]
pub struct Forms {
    pub site_form: Option<SiteForm>,
    /// The warning before a connection test.
    pub probe_confirm: Option<SiteConfig>,
    pub export_day: Option<ExportDay>,
    pub settings_open: bool,
    pub remove_confirm: Option<String>,
    pub filter_texts: FilterTexts,
    /// The site the Raw stream tab shows.
    pub raw_site: Option<String>,
    /// A path to type, where no file dialog could be shown.
    pub path_prompt: Option<super::paths::PathPrompt>,
    /// The log folder's path, where no file manager could show it.
    pub folder_shown: Option<super::paths::FolderShown>,
}

impl Forms {
    pub fn open_new_site(&mut self) {
        self.site_form = Some(SiteForm::new());
    }

    pub fn open_edit_site(&mut self, site: &SiteConfig) {
        self.site_form = Some(SiteForm::from_site(site));
    }

    pub fn open_export_day(&mut self, sites: &[Arc<str>]) {
        let sites: Vec<String> = sites.iter().map(|s| s.to_string()).collect();
        self.export_day = Some(ExportDay {
            site: sites.first().cloned().unwrap_or_default(),
            sites,
            day: chrono::Local::now().date_naive().to_string(),
            format: ExportFormat::Csv,
        });
    }
}

pub fn windows(app: &mut SmdrApp, ui: &mut egui::Ui) {
    let ctx = ui.ctx().clone();
    site_form(app, &ctx);
    super::probe_window::probe_confirm(app, &ctx);
    super::probe_window::probe_window(app, &ctx);
    export_day(app, &ctx);
    settings(app, &ctx);
    remove_confirm(app, &ctx);
    super::paths::windows(app, &ctx);
}

fn field(ui: &mut egui::Ui, label: &str, value: &mut String, password: bool, hint: &str) {
    let l = ui.label(label);
    ui.add(
        TextEdit::singleline(value)
            .password(password)
            .hint_text(hint)
            .desired_width(220.0),
    )
    .labelled_by(l.id);
    ui.end_row();
}

fn site_form(app: &mut SmdrApp, ctx: &egui::Context) {
    let Some(form) = &mut app.forms.site_form else {
        return;
    };
    let mut open = true;
    let mut save = None;
    let mut test = None;
    let title = if form.replacing.is_some() {
        "Edit site"
    } else {
        "Add site"
    };
    egui::Window::new(title)
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        .show(ctx, |ui| {
            egui::Grid::new("site-form")
                .num_columns(2)
                .spacing([12.0, 6.0])
                .show(ui, |ui| {
                    field(ui, "Name", &mut form.name, false, "e.g. Head office");
                    let before = form.protocol;
                    let protocol = &mut form.protocol;
                    labelled_choice(ui, "System", "protocol", protocol, Protocol::ALL, |p| {
                        p.label()
                    });
                    ui.end_row();
                    if before != form.protocol && form.port == before.default_port().to_string() {
                        form.port = form.protocol.default_port().to_string();
                    }
                    let push = form.protocol == Protocol::AppsuitePush;
                    let host_label = if push { "App Suite server" } else { "Address" };
                    field(
                        ui,
                        host_label,
                        &mut form.host,
                        false,
                        "10.0.0.5 or pbx.example.com",
                    );
                    field(ui, "Port", &mut form.port, false, "");
                    if push {
                        field(ui, "Listen on", &mut form.bind, false, "0.0.0.0:2007");
                        field(
                            ui,
                            "Allowed peers",
                            &mut form.allowed_peers,
                            false,
                            "default: the server above",
                        );
                    }
                    if form.protocol == Protocol::Mitel5000 {
                        field(
                            ui,
                            "SMDR password",
                            &mut form.password,
                            true,
                            "empty: none, or SMDR_PASSWORD",
                        );
                        ui.label("");
                        ui.add(
                            egui::Label::new(
                                RichText::new(&app.password_home)
                                    .small()
                                    .color(theme::MUTED.get(ui)),
                            )
                            .wrap(),
                        );
                        ui.end_row();
                    }
                    if matches!(form.protocol, Protocol::Appsuite | Protocol::AppsuitePush) {
                        field(ui, "Padding character", &mut form.padding, false, "0");
                    }
                    ui.label("");
                    ui.checkbox(&mut form.enabled, "Collect from this site");
                    ui.end_row();
                    relay_fields(ui, form);
                });
            if let Some(e) = &form.error {
                ui.label(RichText::new(e).color(theme::BAD.get(ui)));
            }
            ui.separator();
            ui.horizontal(|ui| {
                if ui.button("Save").clicked() {
                    match form.to_site(&app.sites) {
                        Ok(site) => save = Some((form.replacing.clone(), site)),
                        Err(e) => form.error = Some(e.to_string()),
                    }
                }
                if ui.button("Test connection").clicked() {
                    match form.to_site(&app.sites) {
                        Ok(site) => test = Some(site),
                        Err(e) => form.error = Some(e.to_string()),
                    }
                }
            });
        });
    if let Some((replacing, site)) = save {
        app.commands.push(Command::SaveSite { replacing, site });
        app.forms.site_form = None;
    } else if !open {
        app.forms.site_form = None;
    }
    if let Some(site) = test {
        app.forms.probe_confirm = Some(site);
    }
}

/// The relay's fields: who else gets this site's feed, in the site's own protocol.
fn relay_fields(ui: &mut egui::Ui, form: &mut SiteForm) {
    ui.label(RichText::new("Share the feed").strong());
    ui.label(
        RichText::new("other programs get this site's SMDR from here, as from the PBX")
            .small()
            .color(theme::MUTED.get(ui)),
    );
    ui.end_row();
    field(
        ui,
        "Relay to",
        &mut form.relay_entries,
        false,
        "listen 0.0.0.0:4000, push 10.0.0.9:1752",
    );
    if form.protocol == Protocol::Mitel5000 {
        field(
            ui,
            "Relay password",
            &mut form.relay_password,
            true,
            "empty: any login is accepted",
        );
    }
    field(
        ui,
        "Relay allow-list",
        &mut form.relay_allow,
        false,
        "default: this PC only",
    );
    field(
        ui,
        "Replay minutes on connect",
        &mut form.relay_replay,
        false,
        "0: off",
    );
}

fn export_day(app: &mut SmdrApp, ctx: &egui::Context) {
    let Some(form) = &mut app.forms.export_day else {
        return;
    };
    let mut open = true;
    let mut go = None;
    egui::Window::new("Export a day of a site")
        .open(&mut open)
        .collapsible(false)
        .show(ctx, |ui| {
            if form.sites.is_empty() {
                ui.label("No records yet: nothing to export.");
                return;
            }
            egui::Grid::new("export-day").num_columns(2).show(ui, |ui| {
                let sites = form.sites.iter().cloned();
                labelled_choice(ui, "Site", "export-site", &mut form.site, sites, |s| s);
                ui.end_row();
                field(ui, "Day", &mut form.day, false, "YYYY-MM-DD");
                let format = &mut form.format;
                labelled_choice(
                    ui,
                    "Format",
                    "export-format",
                    format,
                    ExportFormat::ALL,
                    |f| f.label(),
                );
                ui.end_row();
            });
            let day = NaiveDate::parse_from_str(form.day.trim(), "%Y-%m-%d");
            match day {
                Ok(day) => {
                    if ui.button("Export…").clicked() {
                        go = Some((form.site.clone(), day, form.format));
                    }
                }
                Err(_) => {
                    ui.label(
                        RichText::new("the day is written like 2026-11-29")
                            .color(theme::WARN.get(ui)),
                    );
                }
            }
        });
    if let Some((site, day, format)) = go {
        app.commands
            .push(Command::PickExport(ExportScope::Day { site, day }, format));
        app.forms.export_day = None;
    } else if !open {
        app.forms.export_day = None;
    }
}

fn settings(app: &mut SmdrApp, ctx: &egui::Context) {
    if !app.forms.settings_open {
        return;
    }
    let mut open = true;
    let log_dir = app.log_dir();
    // Edited as a copy: the app takes the changes as a command, after drawing.
    let mut edited = app.state.settings.clone();
    let s = &mut edited;
    let mut pick_dir = false;
    egui::Window::new("Settings")
        .open(&mut open)
        .collapsible(false)
        .show(ctx, |ui| {
            egui::Grid::new("settings").num_columns(2).show(ui, |ui| {
                labelled_choice(ui, "Theme", "theme", &mut s.theme, ThemeChoice::ALL, |t| {
                    t.label()
                });
                ui.end_row();
                ui.label("Log folder");
                ui.horizontal(|ui| {
                    ui.label(theme::mono(log_dir.display().to_string()));
                    if ui.button("Change…").clicked() {
                        pick_dir = true;
                    }
                });
                ui.end_row();
                let l = ui.label("Long calls from (minutes)");
                ui.add(egui::DragValue::new(&mut s.long_call_min).range(1..=600))
                    .labelled_by(l.id);
                ui.end_row();
                let l = ui.label("Close unfinished App Suite calls after (minutes)");
                ui.add(egui::DragValue::new(&mut s.age_out_min).range(5..=1440))
                    .labelled_by(l.id);
                ui.end_row();
            });
            super::history::settings_section(app, ui);
        });
    if pick_dir {
        app.commands.push(Command::PickLogDir);
    }
    if edited != app.state.settings {
        app.commands.push(Command::Settings(edited));
    }
    app.forms.settings_open = open;
}

fn remove_confirm(app: &mut SmdrApp, ctx: &egui::Context) {
    let Some(name) = app.forms.remove_confirm.clone() else {
        return;
    };
    let mut decided = None;
    egui::Modal::new(egui::Id::unique("remove-confirm")).show(ctx, |ui| {
        ui.label(format!(
            "Remove {name}? Collection from it stops; its logs stay on disk."
        ));
        ui.horizontal(|ui| {
            if ui.button("Remove").clicked() {
                decided = Some(true);
            }
            if ui.button("Keep").clicked() {
                decided = Some(false);
            }
        });
    });
    if let Some(remove) = decided {
        app.forms.remove_confirm = None;
        if remove {
            app.commands.push(Command::RemoveSite(name));
        }
    }
}

#[cfg(test)]
mod tests;
