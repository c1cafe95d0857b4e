//! The Raw stream tab, like DiagMon: each site's latest bytes as they crossed the socket (the
//! 5000 login with its password masked), and the site's connection log. Pause freezes the
//! frames shown while collecting goes on.

use chrono::{DateTime, Local};
use eframe::egui::{self, Panel, RichText};

use crate::collect::Direction;

use super::app::{RawFrame, SmdrApp};
use super::theme;

/// The frames shown when Pause was pressed, while the site's bytes keep coming.
pub struct Paused {
    site: String,
    frames: Vec<RawFrame>,
    /// The site's byte count then.
    bytes_then: u64,
    at: DateTime<Local>,
}

/// What the symbols of unprintable bytes mean (shown under the frames).
const LEGEND: &str = "· space   ∅ NUL   ¤ CR   ¶ LF   ░ any other byte (hover a frame for its hex)";

pub fn tab(app: &mut SmdrApp, ui: &mut egui::Ui) {
    let names: Vec<String> = app.all_sites().map(|s| s.name.clone()).collect();
    let chosen = &mut app.forms.raw_site;
    if chosen.as_ref().is_none_or(|c| !names.contains(c)) {
        *chosen = names.first().cloned();
    }
    let view = chosen.as_ref().and_then(|n| app.site_views.get(n.as_str()));
    // A pause belongs to the site it froze.
    if app
        .raw_pause
        .as_ref()
        .is_some_and(|p| Some(&p.site) != chosen.as_ref())
    {
        app.raw_pause = None;
    }
    let bytes_now = view.map_or(0, |v| v.bytes);
    ui.horizontal(|ui| {
        let sites = names.iter().cloned().map(Some);
        super::widgets::labelled_choice(ui, "Site", "raw-site", chosen, sites, |n| {
            n.as_deref().unwrap_or("no site")
        });
        match &app.raw_pause {
            Some(p) => {
                if ui.button("Resume").clicked() {
                    app.raw_pause = None;
                } else {
                    let since = bytes_now.saturating_sub(p.bytes_then);
                    ui.label(
                        RichText::new(format!(
                            "paused at {} — {since} bytes since",
                            p.at.format("%H:%M:%S")
                        ))
                        .color(theme::WARN.get(ui)),
                    );
                }
            }
            None => {
                if let Some(n) = chosen.as_ref()
                    && ui
                        .button("Pause")
                        .on_hover_text("Hold the frames still to read them; collecting goes on")
                        .clicked()
                {
                    app.raw_pause = Some(Paused {
                        site: n.clone(),
                        frames: view
                            .map(|v| v.raw.iter().cloned().collect())
                            .unwrap_or_default(),
                        bytes_then: bytes_now,
                        at: Local::now(),
                    });
                }
            }
        }
        ui.label(
            RichText::new("latest frames as received · ← from the PBX · → sent by us")
                .color(theme::MUTED.get(ui)),
        );
    });
    ui.label(RichText::new(LEGEND).color(theme::MUTED.get(ui)));
    let Some(view) = view else {
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
    let frames: Vec<&RawFrame> = match &app.raw_pause {
        Some(p) => p.frames.iter().collect(),
        None => view.raw.iter().collect(),
    };
    egui::ScrollArea::both()
        .id_salt("raw-frames")
        .stick_to_bottom(app.raw_pause.is_none())
        .auto_shrink(false)
        .show_rows(ui, row_h, frames.len(), |ui, range| {
            for f in &frames[range] {
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

/// The bytes as text, each byte one character: spaces, NULs and line ends as the symbols of
/// [`LEGEND`], anything else unprintable as `░` (hover shows the hex).
fn printable(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            b' ' => '·',
            0 => '∅',
            b'\r' => '¤',
            b'\n' => '¶',
            0x21..=0x7e => b as char,
            _ => '░',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_byte_is_one_symbol() {
        assert_eq!(printable(b"IN  110\r\n"), "IN··110¤¶");
        assert_eq!(printable(&[0x0a, 0, 0, 0, 0x84, b'1', 0]), "¶∅∅∅░1∅");
        assert_eq!(printable(b"\t\x7f~"), "░░~");
    }
}
