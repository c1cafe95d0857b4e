//! Settings › Alarms: the rules (on or off, presets, numbers, thresholds, sites, severity),
//! business hours (every site's, and a site's own), and delivery (desktop, webhook, email).
//! Saved to `alarms.toml`; the mail password goes to the OS credential store like the SMDR
//! passwords, and is never shown: the box is empty, typing replaces it.

use eframe::egui::{self, RichText};

use super::app::SmdrApp;
use super::theme;
use super::widgets::{labelled_choice, labelled_hint, labelled_text};
use crate::alarm::config::{
    self, AlarmsConfig, BusinessHours, MailSecurity, Payload, Redacted, RuleKind, Sites,
};
use crate::alarm::{Preset, Rules, Severity};

/// The settings as edited, with the list fields as text.
pub struct Draft {
    pub config: AlarmsConfig,
    /// Per rule: its numbers and its sites, comma-separated ("" = all sites).
    numbers: Vec<String>,
    sites: Vec<String>,
    outside_line: String,
    /// A new mail password; empty keeps the one saved.
    password: String,
    /// The site whose own hours are edited ("" = every site's).
    hours_site: String,
    /// Holidays as typed, per hours edited (the key as `hours_site`).
    holidays: std::collections::BTreeMap<String, String>,
    to: String,
    pub problem: Option<String>,
}

fn list(items: &[String]) -> String {
    items.join(", ")
}

fn split(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

impl Draft {
    pub fn of(config: &AlarmsConfig) -> Self {
        let numbers = config
            .rules
            .iter()
            .map(|r| match &r.kind {
                RuleKind::Number(n) => list(&n.numbers),
                RuleKind::AfterHours(a) => list(&a.numbers),
                _ => String::new(),
            })
            .collect();
        let sites = config
            .rules
            .iter()
            .map(|r| match &r.sites {
                Sites::All => String::new(),
                Sites::Only(l) => list(l),
            })
            .collect();
        Self {
            outside_line: list(&config.outside_line),
            config: config.clone(),
            numbers,
            sites,
            password: String::new(),
            hours_site: String::new(),
            holidays: Default::default(),
            to: list(&config.delivery.email.to),
            problem: None,
        }
    }

    /// The settings as they would be saved.
    pub fn result(&self) -> AlarmsConfig {
        let mut c = self.config.clone();
        c.outside_line = split(&self.outside_line);
        for (i, r) in c.rules.iter_mut().enumerate() {
            let numbers = split(self.numbers.get(i).map_or("", String::as_str));
            match &mut r.kind {
                RuleKind::Number(n) => n.numbers = numbers,
                RuleKind::AfterHours(a) => a.numbers = numbers,
                _ => {}
            }
            let sites = split(self.sites.get(i).map_or("", String::as_str));
            r.sites = if sites.is_empty() {
                Sites::All
            } else {
                Sites::Only(sites)
            };
        }
        c.delivery.email.to = split(&self.to);
        if !self.password.is_empty() {
            c.delivery.email.password = Redacted::new(self.password.clone());
        }
        c
    }
}

impl super::alarms::AlarmsPanel {
    pub fn open_settings(&mut self) {
        self.settings = Some(Draft::of(&self.config));
    }
}

/// Saves the draft: checked, written, handed to the running stage.
fn save(app: &mut SmdrApp) {
    let log_dir = app.alarm_log_dir();
    // As at start: while only the demo runs, its alarms stay out of the history.
    let history = !(app.is_demo() && app.sites.is_empty());
    let Some(draft) = &mut app.alarms.settings else {
        return;
    };
    let config = draft.result();
    if let Err(e) = Rules::compile(&config) {
        draft.problem = Some(e);
        return;
    }
    let note = match config::save_with(&app.alarms.path, &config, &app.options.passwords) {
        Ok(note) => note,
        Err(e) => {
            draft.problem = Some(e.to_string());
            return;
        }
    };
    let mut running = config.clone();
    running.delivery.history &= history;
    if let Some(control) = &app.alarms.control
        && let Err(e) = control.set_config(&running, &log_dir)
    {
        draft.problem = Some(e);
        return;
    }
    app.alarms.config = config;
    app.alarms.settings = None;
    app.notify(
        format!("alarm rules saved to {}. {note}", app.alarms.path.display())
            .trim()
            .to_string(),
    );
}

fn severity_box(ui: &mut egui::Ui, id: &str, label: &str, s: &mut Severity) {
    let all = [Severity::Info, Severity::Warning, Severity::Critical];
    labelled_choice(ui, label, id, s, all, |v| v.as_str());
}

fn minutes(ui: &mut egui::Ui, label: &str, v: &mut u32, max: u32) {
    let l = ui.label(label);
    ui.add(egui::DragValue::new(v).range(1..=max))
        .labelled_by(l.id);
}

pub fn window(app: &mut SmdrApp, ui: &mut egui::Ui) {
    if app.alarms.settings.is_none() {
        return;
    }
    let sites: Vec<String> = app.all_sites().map(|s| s.name.clone()).collect();
    let password_saved = !app.alarms.config.delivery.email.password.is_empty();
    let mut open = true;
    let mut do_save = false;
    let Some(d) = &mut app.alarms.settings else {
        return;
    };
    egui::Window::new("Settings › Alarms")
        .open(&mut open)
        .default_width(640.0)
        .default_height(560.0)
        .show(ui.ctx(), |ui| {
            // The Save button stays in sight below the scrolled settings.
            let height = (ui.ctx().content_rect().height() - 220.0).max(160.0);
            egui::ScrollArea::vertical()
                .max_height(height)
                .show(ui, |ui| {
                    ui.heading("Rules");
                    rules(ui, d);
                    ui.horizontal(|ui| {
                        let l = ui.label("Outside-line digits (numbers also match after them)");
                        ui.text_edit_singleline(&mut d.outside_line)
                            .labelled_by(l.id);
                    });
                    ui.separator();
                    ui.heading("Business hours");
                    hours(ui, d, &sites);
                    ui.separator();
                    ui.heading("Delivery");
                    delivery(ui, d, password_saved);
                });
            ui.separator();
            if let Some(p) = &d.problem {
                ui.label(RichText::new(p).color(theme::BAD.get(ui)));
            }
            ui.horizontal(|ui| {
                if ui.button("Save").clicked() {
                    do_save = true;
                }
            });
        });
    if do_save {
        save(app);
    } else if !open {
        app.alarms.settings = None;
    }
}

fn rules(ui: &mut egui::Ui, d: &mut Draft) {
    for (i, r) in d.config.rules.iter_mut().enumerate() {
        ui.push_id(("alarm-rule", i), |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.checkbox(&mut r.enabled, RichText::new(&r.name).strong());
                ui.label(RichText::new(r.kind.label()).color(theme::MUTED.get(ui)));
                severity_box(ui, "severity", "severity", &mut r.severity);
                if let Some(s) = d.sites.get_mut(i) {
                    labelled_text(ui, "sites", s, 140.0, "all");
                }
            });
            ui.horizontal_wrapped(|ui| {
                ui.add_space(24.0);
                match &mut r.kind {
                    RuleKind::Number(n) => {
                        for p in Preset::ALL {
                            let mut on = n.presets.contains(&p);
                            let label = format!("{p:?}").to_lowercase();
                            if ui.checkbox(&mut on, label).changed() {
                                if on {
                                    n.presets.push(p);
                                } else {
                                    n.presets.retain(|&x| x != p);
                                }
                            }
                        }
                        ui.checkbox(&mut n.after_outside_line, "after an outside-line digit");
                    }
                    RuleKind::AfterHours(_) => {}
                    RuleKind::LongCall(l) => {
                        minutes(ui, "longer than (minutes)", &mut l.minutes, 1440)
                    }
                    RuleKind::AbandonBurst(b) => {
                        minutes(ui, "callers", &mut b.callers, 1000);
                        minutes(ui, "within (minutes)", &mut b.minutes, 1440);
                    }
                    RuleKind::RepeatAbandon(x) => {
                        minutes(ui, "times", &mut x.times, 100);
                        minutes(ui, "within (minutes)", &mut x.minutes, 1440);
                    }
                    RuleKind::SiteDown(x) => {
                        minutes(ui, "not connected for (minutes)", &mut x.minutes, 1440)
                    }
                    RuleKind::SiteSilent(x) => {
                        minutes(ui, "no record for (minutes)", &mut x.minutes, 1440)
                    }
                    RuleKind::RawLog => {
                        ui.label("always watched");
                    }
                }
                if matches!(r.kind, RuleKind::Number(_) | RuleKind::AfterHours(_))
                    && let Some(t) = d.numbers.get_mut(i)
                {
                    let hint = "911, 1900*, 44XXXX*";
                    labelled_text(ui, "numbers", t, 180.0, hint);
                }
            });
        });
    }
}

fn hours(ui: &mut egui::Ui, d: &mut Draft, sites: &[String]) {
    ui.horizontal(|ui| {
        // The empty name: the hours every site has unless it has its own.
        let choices = std::iter::once(String::new()).chain(sites.iter().cloned());
        labelled_choice(
            ui,
            "Hours of",
            "alarm-hours-site",
            &mut d.hours_site,
            choices,
            |s| if s.is_empty() { "every site" } else { s },
        );
        if !d.hours_site.is_empty() {
            let mut own = d.config.site_hours.contains_key(&d.hours_site);
            if ui.checkbox(&mut own, "its own hours").changed() {
                if own {
                    let every = d.config.hours.clone();
                    d.config.site_hours.insert(d.hours_site.clone(), every);
                } else {
                    d.config.site_hours.remove(&d.hours_site);
                }
            }
        }
    });
    let h: &mut BusinessHours = if d.hours_site.is_empty() {
        &mut d.config.hours
    } else {
        match d.config.site_hours.get_mut(&d.hours_site) {
            Some(h) => h,
            None => {
                ui.label("This site keeps every site's hours.");
                return;
            }
        }
    };
    egui::Grid::new("alarm-hours")
        .num_columns(2)
        .show(ui, |ui| {
            let zone = &mut h.time_zone;
            labelled_hint(
                ui,
                "Time zone",
                zone,
                "this computer's (e.g. America/Chicago)",
            );
            ui.end_row();
            let names = [
                "Monday",
                "Tuesday",
                "Wednesday",
                "Thursday",
                "Friday",
                "Saturday",
                "Sunday",
            ];
            for (day, text) in names.into_iter().zip(h.days_mut()) {
                labelled_hint(ui, day, text, "closed (e.g. 08:00-18:00)");
                ui.end_row();
            }
            let text = d.holidays.entry(d.hours_site.clone()).or_insert_with(|| {
                h.holidays
                    .iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            });
            if labelled_hint(ui, "Holidays", text, "2026-12-25, 2027-01-01").changed() {
                h.holidays = split(text).iter().filter_map(|s| s.parse().ok()).collect();
            }
            ui.end_row();
        });
}

fn delivery(ui: &mut egui::Ui, d: &mut Draft, password_saved: bool) {
    let del = &mut d.config.delivery;
    ui.horizontal(|ui| {
        ui.checkbox(&mut del.desktop.enabled, "Desktop notification");
        ui.checkbox(&mut del.desktop.sound, "with a sound");
        severity_box(ui, "desktop-min", "from", &mut del.desktop.min_severity);
        ui.checkbox(&mut del.log, "Alarm log (alarms.<day>.jsonl)");
        ui.checkbox(&mut del.history, "History database");
    });
    egui::Grid::new("alarm-delivery")
        .num_columns(2)
        .show(ui, |ui| {
            labelled_text(
                ui,
                "Webhook URL",
                &mut del.webhook.url,
                360.0,
                "https://hooks.slack.com/… (empty: no webhook)",
            );
            ui.end_row();
            ui.label("Webhook payload");
            ui.horizontal(|ui| {
                ui.radio_value(
                    &mut del.webhook.payload,
                    Payload::Text,
                    "text (Slack, Teams, Discord)",
                );
                ui.radio_value(&mut del.webhook.payload, Payload::Alarm, "the whole alarm");
                severity_box(ui, "webhook-min", "from", &mut del.webhook.min_severity);
            });
            ui.end_row();
            let e = &mut del.email;
            let server = &mut e.server;
            labelled_hint(
                ui,
                "Mail server",
                server,
                "smtp.example.com (empty: no email)",
            );
            ui.end_row();
            ui.label("Security");
            ui.horizontal(|ui| {
                ui.radio_value(&mut e.security, MailSecurity::StartTls, "STARTTLS");
                ui.radio_value(&mut e.security, MailSecurity::Tls, "TLS");
                ui.radio_value(&mut e.security, MailSecurity::Plain, "none (local relay)");
                let l = ui.label("port");
                ui.add(egui::DragValue::new(&mut e.port).range(0..=65535))
                    .labelled_by(l.id)
                    .on_hover_text("0: the usual port for the security chosen");
            });
            ui.end_row();
            let l = ui.label("User");
            let mut user = e.user.expose().to_string();
            if ui
                .add(egui::TextEdit::singleline(&mut user))
                .labelled_by(l.id)
                .changed()
            {
                e.user = Redacted::new(user);
            }
            ui.end_row();
            let l = ui.label("Password");
            ui.add(
                egui::TextEdit::singleline(&mut d.password)
                    .password(true)
                    .hint_text(if password_saved {
                        "saved (type to replace)"
                    } else {
                        ""
                    }),
            )
            .labelled_by(l.id);
            ui.end_row();
            let l = ui.label("From");
            ui.text_edit_singleline(&mut e.from).labelled_by(l.id);
            ui.end_row();
            labelled_hint(ui, "To", &mut d.to, "tech@example.com, …");
            ui.end_row();
            ui.label("Mail");
            severity_box(ui, "email-min", "from severity", &mut e.min_severity);
            ui.end_row();
        });
}
