//! The connection test's dialogs: its warning (or the offer to pause this program's own
//! collection), then its steps as they happen and the verdict.

use eframe::egui::{self, RichText};

use crate::collect::{Protocol, StepOutcome};

use super::app::{Command, SmdrApp};
use super::paths::sentence;
use super::theme;

/// The warning before a connection test, said once (the test's steps do not repeat it); when
/// this program itself holds the feed, that instead, with the offer to pause it for the test.
pub(super) fn probe_confirm(app: &mut SmdrApp, ctx: &egui::Context) {
    let Some(site) = app.forms.probe_confirm.clone() else {
        return;
    };
    let holder = app.feed_holder(&site);
    let mut decided = None;
    egui::Modal::new(egui::Id::unique("probe-confirm")).show(ctx, |ui| {
        ui.set_max_width(460.0);
        ui.heading(format!("Test {}", site.url()));
        match &holder {
            Some((name, words)) => {
                ui.label(sentence(words));
                ui.label(format!(
                    "Pausing stops collecting from {name} for the test (up to 20 s; records \
                     the PBX buffers meanwhile arrive after) and resumes it after."
                ));
                ui.horizontal(|ui| {
                    if ui.button("Pause collection and test").clicked() {
                        decided = Some(Command::ProbePausing(site.clone(), name.clone()));
                    }
                    if ui.button("Test anyway").clicked() {
                        decided = Some(Command::Probe(site.clone()));
                    }
                    if ui.button("Cancel").clicked() {
                        app.forms.probe_confirm = None;
                    }
                });
            }
            None => {
                ui.label(match site.protocol {
                    Protocol::AppsuitePush => sentence(crate::collect::probe::warning(&site)),
                    _ => "Connecting to the PBX may take records away from a call logger that \
                          already collects from it: some Mitel controllers hand their buffered \
                          records to whoever connects, or serve only one collector at a time."
                        .into(),
                });
                ui.horizontal(|ui| {
                    if ui.button("Test now").clicked() {
                        decided = Some(Command::Probe(site.clone()));
                    }
                    if ui.button("Cancel").clicked() {
                        app.forms.probe_confirm = None;
                    }
                });
            }
        }
    });
    if let Some(command) = decided {
        app.forms.probe_confirm = None;
        app.commands.push(command);
    }
}

pub(super) fn probe_window(app: &mut SmdrApp, ctx: &egui::Context) {
    let Some(p) = &app.probe else { return };
    let mut open = true;
    let mut again = false;
    egui::Window::new(format!("Connection test: {}", p.site.name))
        .open(&mut open)
        .default_width(560.0)
        .show(ctx, |ui| {
            ui.label(RichText::new(p.site.url()).color(theme::MUTED.get(ui)));
            egui::Grid::new("probe-steps")
                .num_columns(3)
                .striped(true)
                .show(ui, |ui| {
                    for s in &p.steps {
                        ui.label(theme::mono(format!("{:>6} ms", s.elapsed.as_millis())));
                        let (mark, tone) = match s.outcome {
                            StepOutcome::Ok => ("●", theme::GOOD),
                            StepOutcome::Failed => ("■", theme::BAD),
                            StepOutcome::Note => ("◆", theme::BUSY),
                        };
                        ui.label(RichText::new(format!("{mark} {}", s.label)).color(tone.get(ui)));
                        ui.add(egui::Label::new(theme::mono(&s.detail)).wrap());
                        ui.end_row();
                    }
                });
            match &p.verdict {
                None => {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("testing…");
                    });
                }
                Some(v) => {
                    let tone = if v.success { theme::GOOD } else { theme::BAD };
                    ui.separator();
                    ui.label(RichText::new(&v.verdict).strong().color(tone.get(ui)));
                    if ui.button("Test again").clicked() {
                        again = true;
                    }
                }
            }
        });
    if again {
        let site = p.site.clone();
        app.commands.push(match p.pausing.clone() {
            Some(holder) => Command::ProbePausing(site, holder),
            None => Command::Probe(site),
        });
    }
    if !open {
        app.commands.push(Command::CloseProbe);
    }
}
