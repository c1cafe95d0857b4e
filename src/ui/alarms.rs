//! The Alarms tab (unacknowledged first; acknowledge one or all; a click selects the record or
//! call in its tab), the badge in the top bar, the marks in the Records and Calls tables, and
//! "Test emergency alerting" / "Send test alarm".
//!
//! The rules run in the engine's alarm stage; the window keeps the alarms it was told of, the
//! rules as saved (for Settings › Alarms) and the stage's [`AlarmControl`].

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::Local;
use eframe::egui::{self, RichText};

use super::app::SmdrApp;
use super::state::Tab;
use super::theme;
use crate::alarm::config::{self, AlarmsConfig};
use crate::alarm::deliver::ChannelStatus;
use crate::alarm::eval::test_alarm;
use crate::alarm::{Alarm, Severity};
use crate::engine::{AlarmControl, AlarmStage, Stage};
use crate::secrets::Passwords;

use super::alarm_test::EmergencyTest;

/// Alarms the window keeps (the alarm log has them all).
const KEPT: usize = 1000;

/// One alarm as the tab shows it.
pub struct Shown {
    pub alarm: Alarm,
    pub acknowledged: bool,
}

/// The window's alarms.
pub struct AlarmsPanel {
    /// The rules as saved in `path` (the stage runs these).
    pub config: AlarmsConfig,
    pub path: PathBuf,
    pub control: Option<AlarmControl>,
    /// Oldest first.
    pub list: Vec<Shown>,
    /// Texts of records that raised an alarm, for the Records table's mark.
    pub marked_records: HashSet<Box<str>>,
    pub test: Option<EmergencyTest>,
    /// The site the test is run on (the tab's choice).
    pub test_site: String,
    /// Settings › Alarms, while open.
    pub settings: Option<super::alarm_settings::Draft>,
}

impl AlarmsPanel {
    /// The rules beside the site list (`alarms.toml`); a file that cannot be read gives the
    /// defaults and a sentence for the user.
    pub fn load(path: PathBuf, passwords: &Passwords) -> (Self, Option<String>) {
        let (config, problem) = match config::load_with(&path, passwords) {
            Ok((c, note)) => (c, note),
            Err(e) => (
                AlarmsConfig::default(),
                Some(format!("{e}; the default alarm rules apply")),
            ),
        };
        (
            Self {
                config,
                path,
                control: None,
                list: Vec::new(),
                marked_records: HashSet::new(),
                test: None,
                test_site: String::new(),
                settings: None,
            },
            problem,
        )
    }

    /// The engine's alarm stage for these rules (the alarm log in `log_dir`).
    /// The alarm stage for these rules; `history`: alarms also go to the history database
    /// when the rules' delivery says so.
    pub fn stage(
        &mut self,
        log_dir: &Path,
        notify: crate::wake::Wake,
        history: bool,
    ) -> Result<Box<dyn Stage>, String> {
        let mut config = self.config.clone();
        config.delivery.history &= history;
        let (stage, control) = AlarmStage::new(&config, log_dir, Some(notify))?;
        self.control = Some(control);
        Ok(Box::new(stage))
    }

    pub fn unacknowledged(&self) -> usize {
        self.list.iter().filter(|s| !s.acknowledged).count()
    }

    /// An alarm the engine raised.
    pub fn take(&mut self, alarm: Alarm) {
        if let Some(r) = &alarm.record {
            self.marked_records.insert(r.text.as_str().into());
        }
        if let Some(t) = &mut self.test
            && t.verdict.is_none()
            && t.alarm.is_none()
            && alarm.site == t.site
            && t.rule.as_deref() == Some(alarm.rule.as_str())
            && !alarm.test
            && alarm.record.is_some()
        {
            t.found(&alarm);
        }
        self.list.push(Shown {
            alarm,
            acknowledged: false,
        });
        if self.list.len() > KEPT {
            let drop_at = self.list.iter().position(|s| s.acknowledged).unwrap_or(0);
            self.list.remove(drop_at);
        }
    }

    pub fn acknowledge_all(&mut self) {
        for s in &mut self.list {
            s.acknowledged = true;
        }
    }

    /// Delivery status per channel (none before collection starts).
    pub fn channels(&self) -> Vec<ChannelStatus> {
        self.control
            .as_ref()
            .map(AlarmControl::status)
            .unwrap_or_default()
    }

    /// "Send test alarm": through every configured channel, and into the tab.
    pub fn send_test(&mut self) -> Result<String, String> {
        let control = self
            .control
            .as_ref()
            .ok_or("alarms are delivered only while collecting")?;
        let now = chrono::SubsecRound::trunc_subsecs(Local::now().fixed_offset(), 3);
        let alarm = test_alarm(&self.config, None, "this computer", now)?;
        control.send(&alarm);
        let channels: Vec<&str> = control.status().iter().map(|s| s.channel).collect();
        self.take(alarm);
        Ok(if channels.is_empty() {
            "test alarm shown here; no other channel is configured (Settings › Alarms)".into()
        } else {
            format!("test alarm sent to {}", channels.join(", "))
        })
    }
}

impl SmdrApp {
    /// An alarm the engine raised: into the tab, its call marked in the Calls table.
    pub(super) fn take_alarm(&mut self, alarm: Alarm) {
        if let Some(id) = &alarm.call_id {
            self.calls.marked.insert(id.clone());
        }
        self.alarms.take(alarm);
    }
}

fn severity_color(ui: &egui::Ui, s: Severity) -> egui::Color32 {
    match s {
        Severity::Critical => theme::BAD.get(ui),
        Severity::Warning => theme::WARN.get(ui),
        Severity::Info => ui.visuals().text_color(),
    }
}

/// The badge in the top bar: the unacknowledged count; a click opens the tab.
pub fn badge(app: &mut SmdrApp, ui: &mut egui::Ui) {
    let n = app.alarms.unacknowledged();
    if n == 0 {
        return;
    }
    let worst = app
        .alarms
        .list
        .iter()
        .filter(|s| !s.acknowledged)
        .map(|s| s.alarm.severity)
        .max()
        .unwrap_or_default();
    let text = RichText::new(format!("◆ {n} alarm{}", if n == 1 { "" } else { "s" }))
        .strong()
        .color(severity_color(ui, worst));
    if ui
        .add(egui::Button::new(text))
        .on_hover_text("Unacknowledged alarms: open the Alarms tab")
        .clicked()
    {
        app.state.tab = Tab::Alarms;
    }
}

/// What a click in the tab asks for.
enum Action {
    Acknowledge(usize),
    AcknowledgeAll,
    Record(usize),
    Call(usize),
    SendTest,
    StartTest(String),
}

/// The Alarms tab.
pub fn tab(app: &mut SmdrApp, ui: &mut egui::Ui) {
    let mut action = None;
    let sites: Vec<String> = app.all_sites().map(|s| s.name.clone()).collect();
    if app.alarms.test_site.is_empty()
        && let Some(first) = sites.first()
    {
        app.alarms.test_site = first.clone();
    }
    ui.horizontal_wrapped(|ui| {
        let n = app.alarms.unacknowledged();
        ui.label(format!(
            "{} alarm{}, {n} unacknowledged",
            app.alarms.list.len(),
            if app.alarms.list.len() == 1 { "" } else { "s" }
        ));
        if ui
            .add_enabled(n > 0, egui::Button::new("Acknowledge all"))
            .clicked()
        {
            action = Some(Action::AcknowledgeAll);
        }
        ui.separator();
        if ui
            .button("Send test alarm")
            .on_hover_text("A test alarm through every configured channel, without a call")
            .clicked()
        {
            action = Some(Action::SendTest);
        }
        ui.separator();
        super::widgets::labelled_choice(
            ui,
            "Site",
            "alarms.test_site",
            &mut app.alarms.test_site,
            sites.iter().cloned(),
            |s| s,
        );
        if ui
            .add_enabled(
                !app.alarms.test_site.is_empty(),
                egui::Button::new("Test emergency alerting…"),
            )
            .clicked()
        {
            action = Some(Action::StartTest(app.alarms.test_site.clone()));
        }
        if ui.button("Settings…").clicked() {
            app.alarms.open_settings();
        }
    });
    for c in app.alarms.channels() {
        let color = if c.failing {
            theme::BAD.get(ui)
        } else {
            theme::MUTED.get(ui)
        };
        ui.label(RichText::new(format!("{}: {}", c.channel, c.state)).color(color));
    }
    ui.separator();
    // Unacknowledged first, newest first within each.
    let mut order: Vec<usize> = (0..app.alarms.list.len()).rev().collect();
    order.sort_by_key(|&i| app.alarms.list[i].acknowledged);
    egui::ScrollArea::vertical()
        .auto_shrink(false)
        .show(ui, |ui| {
            if order.is_empty() {
                ui.label("No alarm yet. The rules are in Settings › Alarms.");
            }
            for i in order {
                let s = &app.alarms.list[i];
                let a = &s.alarm;
                // Wrapped: at 1024 wide a long sentence would push the buttons out of sight.
                ui.horizontal_wrapped(|ui| {
                    let mut head = RichText::new(format!(
                        "{} {}",
                        a.at.with_timezone(&Local).format("%Y-%m-%d %H:%M:%S"),
                        a.severity.as_str().to_uppercase()
                    ))
                    .monospace();
                    let mut text = RichText::new(format!(
                        "{}{}: {}",
                        if a.test { "TEST " } else { "" },
                        a.rule,
                        a.text
                    ));
                    if s.acknowledged {
                        head = head.color(theme::MUTED.get(ui));
                        text = text.color(theme::MUTED.get(ui));
                    } else {
                        head = head.color(severity_color(ui, a.severity)).strong();
                    }
                    ui.label(head);
                    ui.label(text);
                    if !s.acknowledged && ui.small_button("Acknowledge").clicked() {
                        action = Some(Action::Acknowledge(i));
                    }
                    if a.record.is_some() && ui.small_button("Record").clicked() {
                        action = Some(Action::Record(i));
                    }
                    if a.call_id.is_some() && ui.small_button("Call").clicked() {
                        action = Some(Action::Call(i));
                    }
                });
            }
        });
    match action {
        Some(Action::Acknowledge(i)) => {
            if let Some(s) = app.alarms.list.get_mut(i) {
                s.acknowledged = true;
            }
        }
        Some(Action::AcknowledgeAll) => app.alarms.acknowledge_all(),
        Some(Action::Record(i)) => select_record(app, i),
        Some(Action::Call(i)) => select_call(app, i),
        Some(Action::SendTest) => match app.alarms.send_test() {
            Ok(m) => app.notify(m),
            Err(e) => app.notify_error(format!("cannot send a test alarm: {e}")),
        },
        Some(Action::StartTest(site)) => {
            let records = records_today(app, &site);
            app.alarms.start_test(&site, records);
        }
        None => {}
    }
}

pub(super) fn records_today(app: &SmdrApp, site: &str) -> u64 {
    app.site_views
        .get(site)
        .and_then(|v| v.status.as_ref())
        .map_or(0, |s| s.records_today)
}

/// The alarm's record, selected in the Records tab.
fn select_record(app: &mut SmdrApp, i: usize) {
    let Some(Shown { alarm, .. }) = app.alarms.list.get(i) else {
        return;
    };
    let Some(r) = &alarm.record else { return };
    let found = (0..app.store.len()).rev().find(|&id| {
        app.store
            .get(id as crate::store::RowId)
            .is_some_and(|row| **row.site() == *alarm.site && row.text() == r.text)
    });
    match found {
        Some(id) => {
            app.selected = Some(id as crate::store::RowId);
            // Scrolled into sight as the detail opens.
            app.forms.filter_texts.detail_open = false;
            app.state.tab = Tab::Records;
        }
        None => app.notify_error("the alarm's record is no longer in the table"),
    }
}

/// The alarm's call, selected in the Calls tab.
fn select_call(app: &mut SmdrApp, i: usize) {
    let Some(Shown { alarm, .. }) = app.alarms.list.get(i) else {
        return;
    };
    let Some(id) = &alarm.call_id else { return };
    let found = app
        .tracker
        .calls()
        .iter()
        .rposition(|c| c.call_id == *id && *c.site == *alarm.site);
    match found {
        Some(i) => {
            app.calls.selected = Some(i);
            app.calls.reveal = Some(i);
            app.state.tab = Tab::Calls;
        }
        None => app.notify_error("the alarm's call is not among the calls yet"),
    }
}
