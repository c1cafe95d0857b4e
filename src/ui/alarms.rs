//! The Alarms tab (unacknowledged first; acknowledge one or all; a click selects the record or
//! call in its tab), the badge in the top bar, the marks in the Records and Calls tables, and
//! "Test emergency alerting" / "Send test alarm".
//!
//! The rules run in the engine's alarm stage; the window keeps the alarms it was told of, the
//! rules as saved (for Settings › Alarms) and the stage's [`AlarmControl`].

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Local};
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

/// Alarms the window keeps (the alarm log has them all).
const KEPT: usize = 1000;
/// How long "Test emergency alerting" waits for the call.
const TEST_WAIT: Duration = Duration::from_secs(300);
/// The US test number ("933" reads back the caller's number and address, no dispatch).
pub const TEST_NUMBER: &str = "933";

/// One alarm as the tab shows it.
pub struct Shown {
    pub alarm: Alarm,
    pub acknowledged: bool,
}

/// "Test emergency alerting" on one site: each step as it happens, then a verdict.
pub struct EmergencyTest {
    pub site: String,
    started: Instant,
    started_at: DateTime<Local>,
    /// Each channel's delivered and failed counts when the test started.
    baseline: Vec<(u64, u64)>,
    records_at_start: u64,
    pub steps: Vec<(DateTime<Local>, bool, String)>,
    pub alarm: Option<Alarm>,
    /// Channels whose step has been said (by index).
    said: Vec<bool>,
    pub verdict: Option<(bool, String)>,
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
    pub fn stage(
        &mut self,
        log_dir: &Path,
        notify: crate::wake::Wake,
    ) -> Result<Box<dyn Stage>, String> {
        let (stage, control) = AlarmStage::new(&self.config, log_dir, Some(notify))?;
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

    /// Starts "Test emergency alerting" on `site` (`records` received from it so far).
    pub fn start_test(&mut self, site: &str, records: u64) {
        let baseline = self
            .channels()
            .iter()
            .map(|c| (c.delivered, c.failed))
            .collect::<Vec<_>>();
        let said = vec![false; baseline.len()];
        let covered = self.emergency_rule_on(site);
        let mut test = EmergencyTest {
            site: site.to_string(),
            started: Instant::now(),
            started_at: Local::now(),
            baseline,
            records_at_start: records,
            steps: Vec::new(),
            alarm: None,
            said,
            verdict: None,
        };
        match covered {
            Some(rule) => test.step(
                true,
                format!("The rule \"{rule}\" watches {site}: waiting for the call."),
            ),
            None => {
                test.step(
                    false,
                    format!("No emergency rule is switched on for {site}."),
                );
                test.verdict = Some((
                    false,
                    format!(
                        "Nothing would raise an alarm: switch on a number rule with the emergency preset for {site} in Settings › Alarms, then test again."
                    ),
                ));
            }
        }
        self.test = Some(test);
    }

    /// The first enabled number rule with the emergency preset that watches `site`.
    fn emergency_rule_on(&self, site: &str) -> Option<String> {
        use crate::alarm::config::RuleKind;
        self.config
            .rules
            .iter()
            .find(|r| {
                r.enabled
                    && r.sites.includes(site)
                    && matches!(&r.kind, RuleKind::Number(n)
                        if n.presets.contains(&crate::alarm::Preset::Emergency))
            })
            .map(|r| r.name.clone())
    }

    /// Each frame while a test runs: deliveries, records seen, the time limit.
    pub fn poll_test(&mut self, records_now: u64) {
        let channels = self.channels();
        let Some(t) = &mut self.test else { return };
        if t.verdict.is_some() {
            return;
        }
        if t.alarm.is_none() {
            if t.started.elapsed() > TEST_WAIT {
                let seen = records_now.saturating_sub(t.records_at_start);
                t.step(
                    false,
                    format!(
                        "No emergency alarm within {} minutes.",
                        TEST_WAIT.as_secs() / 60
                    ),
                );
                t.verdict = Some((
                    false,
                    if seen == 0 {
                        format!(
                            "No record came from {} since the test started: check that the site is receiving (its card) and that the call was made on this PBX.",
                            t.site
                        )
                    } else {
                        format!(
                            "{seen} records came from {} but none dialled an emergency number: check the rule's numbers and the outside-line digits.",
                            t.site
                        )
                    },
                ));
            }
            return;
        }
        let mut all = true;
        let mut ok = true;
        for (i, c) in channels.iter().enumerate() {
            let (delivered, failed) = t.baseline.get(i).copied().unwrap_or_default();
            let said = t.said.get(i).copied().unwrap_or(true);
            if said {
                continue;
            }
            let what = match c.channel {
                "desktop" => "Desktop notification shown",
                "webhook" => "Webhook delivered",
                "email" => "Email delivered",
                _ => "Alarm log written",
            };
            if c.delivered > delivered {
                t.step(true, format!("{what} ({}).", c.state));
            } else if c.failed > failed || c.failing {
                t.step(false, format!("{}: {}", c.channel, c.state));
                ok = false;
            } else {
                all = false;
                continue;
            }
            if let Some(s) = t.said.get_mut(i) {
                *s = true;
            }
        }
        let failed_before = t.steps.iter().any(|(_, good, _)| !good);
        if all {
            let took = t.steps.last().map(|s| s.0 - t.started_at);
            t.verdict = Some(if ok && !failed_before {
                (
                    true,
                    format!(
                        "Emergency alerting works on {}: every channel said so{}.",
                        t.site,
                        took.map(|d| format!(
                            ", {:.1} s after the test started",
                            d.num_milliseconds() as f64 / 1000.0
                        ))
                        .unwrap_or_default()
                    ),
                )
            } else {
                (
                    false,
                    "The alarm was raised but not every channel delivered it: see the steps above and Settings › Alarms.".into(),
                )
            });
        }
    }
}

impl EmergencyTest {
    fn step(&mut self, ok: bool, text: String) {
        self.steps.push((Local::now(), ok, text));
    }

    fn found(&mut self, alarm: &Alarm) {
        if let Some(r) = &alarm.record {
            let when = r
                .received
                .map(|t| t.with_timezone(&Local).format("%H:%M:%S%.3f").to_string())
                .unwrap_or_default();
            self.step(true, format!("Record seen at {when}: {}", r.text.trim()));
        }
        self.step(
            true,
            format!("Rule matched: {} — {}", alarm.rule, alarm.text),
        );
        self.alarm = Some(alarm.clone());
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
        let l = ui.label("Site");
        egui::ComboBox::from_id_salt("alarms.test_site")
            .selected_text(app.alarms.test_site.clone())
            .show_ui(ui, |ui| {
                for s in &sites {
                    ui.selectable_value(&mut app.alarms.test_site, s.clone(), s);
                }
            })
            .response
            .labelled_by(l.id);
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
                ui.horizontal(|ui| {
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

fn records_today(app: &SmdrApp, site: &str) -> u64 {
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

/// The emergency test's window, while a test runs or has its verdict.
pub fn windows(app: &mut SmdrApp, ui: &mut egui::Ui) {
    if let Some(site) = app.alarms.test.as_ref().map(|t| t.site.clone()) {
        let records = records_today(app, &site);
        app.alarms.poll_test(records);
        if app
            .alarms
            .test
            .as_ref()
            .is_some_and(|t| t.verdict.is_none())
        {
            ui.ctx().request_repaint_after(Duration::from_millis(250));
        }
    }
    let mut open = app.alarms.test.is_some();
    let mut close = false;
    if let Some(t) = &app.alarms.test {
        egui::Window::new("Test emergency alerting")
            .open(&mut open)
            .default_width(520.0)
            .show(ui.ctx(), |ui| {
                ui.label(
                    RichText::new(format!(
                        "Dial {TEST_NUMBER} from an extension on {} now (through the outside line if it needs one).",
                        t.site
                    ))
                    .strong(),
                );
                ui.label(
                    "933 is the US test number: it reads back the number and address it received; no one is dispatched. Elsewhere, use the test number your emergency service gives.",
                );
                ui.separator();
                for (at, ok, text) in &t.steps {
                    let color = if *ok {
                        ui.visuals().text_color()
                    } else {
                        theme::BAD.get(ui)
                    };
                    ui.label(
                        RichText::new(format!("{} {} {text}", at.format("%H:%M:%S"), if *ok { "●" } else { "■" }))
                            .color(color),
                    );
                }
                match &t.verdict {
                    None => {
                        ui.horizontal(|ui| {
                            ui.spinner();
                            ui.label(if t.alarm.is_none() {
                                "waiting for the call…"
                            } else {
                                "waiting for the channels to deliver…"
                            });
                        });
                    }
                    Some((ok, verdict)) => {
                        let color = if *ok {
                            theme::GOOD.get(ui)
                        } else {
                            theme::BAD.get(ui)
                        };
                        ui.label(RichText::new(verdict).strong().color(color));
                        if ui.button("Close").clicked() {
                            close = true;
                        }
                    }
                }
            });
    }
    if !open || close {
        app.alarms.test = None;
    }
    super::alarm_settings::window(app, ui);
}
