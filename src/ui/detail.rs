//! The selected record: its decoded fields (each with what it means), how its date was decided,
//! its raw text and its bytes in hex.

use eframe::egui::{self, RichText};

use crate::protocol::Body;
use crate::protocol::appsuite::TimeReading;
use crate::protocol::fields::visit_fields;
use crate::protocol::hex::hex_dump;

use super::app::SmdrApp;
use super::{help, theme};

pub fn show(app: &mut SmdrApp, ui: &mut egui::Ui) {
    let Some(id) = app.selected else { return };
    let Some(r) = app.store.get(id) else {
        app.selected = None;
        return;
    };
    let d = r.decode();
    let source = r.source();
    ui.horizontal(|ui| {
        ui.strong(format!("{} · {}", r.site(), source));
        if let Some(t) = r.received() {
            ui.label(format!("received {}", t.format("%Y-%m-%d %H:%M:%S %:z")));
        }
        if let Some(date) = d.date.date {
            ui.label(format!("dated {date}"))
                .on_hover_text(d.date.source.describe());
        }
        if let Some(note) = crate::protocol::time_note(&d) {
            // Kept as printed is a flag (§2.3); a 12-hour reading is only worth knowing.
            let unresolved = matches!(
                &d.body,
                Body::AppSuiteEvent(e) if e.time_reading == TimeReading::Unresolved
            );
            let color = if unresolved {
                theme::WARN.get(ui)
            } else {
                theme::MUTED.get(ui)
            };
            ui.label(RichText::new(format!("time {note}")).color(color));
        }
        if let Some(note) = crate::protocol::line_note(&d) {
            ui.label(RichText::new(note).color(theme::WARN.get(ui)));
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.button("Close").clicked() {
                app.selected = None;
            }
        });
    });
    ui.separator();
    ui.columns(2, |cols| {
        egui::ScrollArea::vertical()
            .id_salt("detail-fields")
            .show(&mut cols[0], |ui| {
                egui::Grid::new("fields")
                    .num_columns(2)
                    .striped(true)
                    .show(ui, |ui| {
                        visit_fields(&d, &source, |name, value| {
                            if name == "raw" {
                                return;
                            }
                            let label = ui.label(RichText::new(name).strong());
                            let help = help::field(name);
                            if !help.is_empty() {
                                label.on_hover_text(help);
                            }
                            let text = value.to_string();
                            let shown = if name == "error" {
                                RichText::new(text).color(theme::BAD.get(ui))
                            } else {
                                theme::mono(text)
                            };
                            ui.add(egui::Label::new(shown).wrap());
                            ui.end_row();
                        });
                    });
            });
        let ui = &mut cols[1];
        let label = ui.label(RichText::new("Raw text").strong());
        let mut text = d.text.replace('\0', "·");
        ui.add(
            egui::TextEdit::multiline(&mut text)
                .font(egui::TextStyle::Monospace)
                .desired_rows(2)
                .desired_width(f32::INFINITY)
                .interactive(true),
        )
        .labelled_by(label.id);
        ui.label(RichText::new(format!("Bytes ({})", r.raw_bytes().len())).strong());
        // Rows of 16 bytes stay whole: scrolled sideways in a narrow panel, never wrapped.
        egui::ScrollArea::both()
            .id_salt("detail-hex")
            .show(ui, |ui| {
                ui.add(
                    egui::Label::new(theme::mono(hex_dump(r.raw_bytes())))
                        .wrap_mode(egui::TextWrapMode::Extend),
                );
            });
    });
}
