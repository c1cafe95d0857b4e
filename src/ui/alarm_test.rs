//! "Test emergency alerting" on one site: the technician dials the test number; the window
//! shows each step as it happens (record seen, rule matched, each channel delivered) and a
//! verdict.

use std::time::{Duration, Instant};

use chrono::{DateTime, Local};
use eframe::egui::{self, RichText};

use super::alarms::AlarmsPanel;
use super::app::SmdrApp;
use super::theme;
use crate::alarm::Alarm;

/// How long "Test emergency alerting" waits for the call.
const TEST_WAIT: Duration = Duration::from_secs(300);
/// The US test number ("933" reads back the caller's number and address, no dispatch).
pub const TEST_NUMBER: &str = "933";

/// "Test emergency alerting" on one site: each step as it happens, then a verdict.
pub struct EmergencyTest {
    pub site: String,
    /// The emergency rule that watches the site (its alarms are the ones awaited).
    pub rule: Option<String>,
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

impl AlarmsPanel {
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
            rule: covered.clone(),
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
                "history" => "History database written",
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

    pub(super) fn found(&mut self, alarm: &Alarm) {
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

/// The emergency test's window, while a test runs or has its verdict.
pub fn windows(app: &mut SmdrApp, ui: &mut egui::Ui) {
    if let Some(site) = app.alarms.test.as_ref().map(|t| t.site.clone()) {
        let records = super::alarms::records_today(app, &site);
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
