//! The Raw stream tab, like DiagMon: each site's latest bytes as they crossed the socket (the
//! 5000 login with its password masked), and the site's connection log.

use eframe::egui::{self, Panel, RichText};

use crate::collect::Direction;

use super::app::SmdrApp;
use super::theme;

pub fn tab(app: &mut SmdrApp, ui: &mut egui::Ui) {
    let names: Vec<String> = app.all_sites().map(|s| s.name.clone()).collect();
    let chosen = &mut app.forms.raw_site;
    if chosen.as_ref().is_none_or(|c| !names.contains(c)) {
        *chosen = names.first().cloned();
    }
    ui.horizontal(|ui| {
        let l = ui.label("Site");
        egui::ComboBox::from_id_salt("raw-site")
            .selected_text(chosen.as_deref().unwrap_or("no site"))
            .show_ui(ui, |ui| {
                for n in &names {
                    ui.selectable_value(chosen, Some(n.clone()), n.as_str());
                }
            })
            .response
            .labelled_by(l.id);
        ui.label(
            RichText::new("latest frames as received · ← from the PBX · → sent by us")
                .color(theme::MUTED.get(ui)),
        );
    });
    let Some(view) = chosen.as_ref().and_then(|n| app.site_views.get(n.as_str())) else {
        ui.label("Nothing received yet.");
        return;
    };
    Panel::bottom("connection-log")
        .resizable(true)
        .default_size(160.0)
        .show(ui, |ui| {
            ui.strong("Connection log");
            egui::ScrollArea::vertical()
                .id_salt("conn-log")
                .stick_to_bottom(true)
                .auto_shrink(false)
                .show(ui, |ui| {
                    for (at, line) in &view.log {
                        ui.label(theme::mono(format!("{}  {line}", at.format("%H:%M:%S"))));
                    }
                });
        });
    let row_h = ui.text_style_height(&egui::TextStyle::Monospace) + 2.0;
    let frames = &view.raw;
    egui::ScrollArea::both()
        .id_salt("raw-frames")
        .stick_to_bottom(true)
        .auto_shrink(false)
        .show_rows(ui, row_h, frames.len(), |ui, range| {
            for f in frames.range(range) {
                let arrow = match f.direction {
                    Direction::Received => "←",
                    Direction::Sent => "→",
                };
                ui.label(theme::mono(format!(
                    "{} {arrow} {:>4}  {}",
                    f.at.format("%H:%M:%S%.3f"),
                    f.bytes.len(),
                    printable(&f.bytes)
                )))
                .on_hover_text(theme::mono(crate::protocol::hex::hex_dump(&f.bytes)));
            }
        });
}

/// The bytes as text, with anything unprintable as `·` (hover shows the hex).
fn printable(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            b'\r' => '¤',
            b'\n' => '¶',
            0x20..=0x7e => b as char,
            _ => '·',
        })
        .collect()
}
