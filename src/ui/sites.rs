//! The sites panel: each site with its status light, its state in words, today's counters and
//! gap warnings, and the buttons to test, edit, pause or remove it.

use eframe::egui::{self, RichText};

use crate::collect::{SiteConfig, SiteState};

use super::app::{Command, SmdrApp};
use super::theme;

pub fn panel(app: &mut SmdrApp, ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        ui.heading("Sites");
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.button("+ Add site").clicked() {
                app.forms.open_new_site();
            }
        });
    });
    ui.separator();
    let sites: Vec<(SiteConfig, bool)> = app
        .sites
        .iter()
        .map(|s| (s.clone(), false))
        .chain(app.demo_sites.iter().map(|s| (s.clone(), true)))
        .collect();
    if sites.is_empty() {
        ui.label("No site yet. Add one to start collecting.");
    }
    egui::ScrollArea::vertical().show(ui, |ui| {
        for (site, demo) in sites {
            card(app, ui, &site, demo);
            ui.add_space(6.0);
        }
    });
}

fn card(app: &mut SmdrApp, ui: &mut egui::Ui, site: &SiteConfig, demo: bool) {
    let status = app
        .site_views
        .get(site.name.as_str())
        .and_then(|v| v.status.clone());
    let state = match (&status, site.enabled) {
        (_, false) => SiteState::Stopped,
        (Some(s), true) => s.state.clone(),
        (None, true) => SiteState::Connecting,
    };
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal(|ui| {
            theme::light(ui, theme::state_tone(&state).get(ui)).on_hover_text(state.describe());
            ui.label(RichText::new(&site.name).strong());
            if demo {
                ui.label(RichText::new("demo").small().color(theme::BUSY.get(ui)));
            }
        });
        ui.label(
            RichText::new(site.url())
                .small()
                .color(theme::MUTED.get(ui)),
        );
        let words = if site.enabled {
            state.describe()
        } else {
            "paused".to_string()
        };
        ui.label(words);
        if let Some(s) = &status {
            let last = s
                .last_record
                .map_or("—".to_string(), |t| t.format("%H:%M:%S").to_string());
            ui.label(format!(
                "{} records today · last at {last}",
                s.records_today
            ));
            if s.reconnects > 0 {
                ui.label(format!("{} reconnects", s.reconnects)).on_hover_text(
                    "Connections made after the first one since collection started; failed attempts are not counted.",
                );
            }
            if let Some(relay) = s.relay.describe() {
                ui.label(relay).on_hover_text(format!(
                    "Programs getting this site's feed from this program now; {} frames relayed, {} refused since collection started.",
                    s.relay.frames, s.relay.refused
                ));
            }
            for gap in s.gaps.iter().rev().take(3) {
                ui.label(RichText::new(gap.describe()).color(theme::WARN.get(ui)))
                    .on_hover_text(gap.explain());
            }
        }
        ui.horizontal(|ui| {
            if ui
                .button("Test connection")
                .on_hover_text("Connect step by step and say what works")
                .clicked()
            {
                app.forms.probe_confirm = Some(site.clone());
            }
            if matches!(state, SiteState::BackingOff { .. })
                && ui
                    .button("Retry now")
                    .on_hover_text("Try to connect now instead of waiting")
                    .clicked()
            {
                app.commands.push(Command::RetryNow(site.name.clone()));
            }
            let mut enabled = site.enabled;
            if ui.checkbox(&mut enabled, "collect").changed() {
                app.commands
                    .push(Command::SetEnabled(site.name.clone(), enabled));
            }
            if !demo {
                if ui.button("Edit").clicked() {
                    app.forms.open_edit_site(site);
                }
                if ui.button("Remove").clicked() {
                    app.forms.remove_confirm = Some(site.name.clone());
                }
            }
        });
    });
}
