//! The window's frame: menu and tabs on top, the demo banner, sites on the left, the status bar
//! at the bottom, and the open tab in the middle.

use chrono::Local;
use eframe::egui::{self, Panel, RichText};

use super::app::{Command, ExportScope, SmdrApp};
use super::state::Tab;
use super::theme;
use super::widgets::export_menu;

pub fn draw(app: &mut SmdrApp, ui: &mut egui::Ui) {
    Panel::top("top").show(ui, |ui| top_bar(app, ui));
    if app.is_demo() {
        Panel::top("demo").show(ui, |ui| demo_banner(app, ui));
    }
    Panel::bottom("status").show(ui, |ui| status_bar(app, ui));
    Panel::left("sites")
        .resizable(true)
        .default_size(290.0)
        .min_size(220.0)
        .show(ui, |ui| super::sites::panel(app, ui));
    egui::CentralPanel::default().show(ui, |ui| match app.state.tab {
        Tab::Records => super::records::tab(app, ui),
        Tab::Calls => {
            let now = Local::now().naive_local();
            if let Some(super::calls::CallsAction::Export(format)) =
                app.calls.show(ui, &mut app.state.calls, &app.tracker, now)
            {
                app.commands
                    .push(Command::PickExport(ExportScope::Calls, format));
            }
        }
        Tab::Raw => super::raw::tab(app, ui),
    });
    super::forms::windows(app, ui);
}

fn top_bar(app: &mut SmdrApp, ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        ui.heading(RichText::new("SMDR Monitor").strong());
        ui.separator();
        ui.menu_button("File", |ui| {
            if ui.button("Open log…").clicked() {
                app.commands.push(Command::PickImport);
            }
            if let Some(format) = export_menu(ui, "Export the table") {
                app.commands
                    .push(Command::PickExport(ExportScope::View, format));
            }
            if ui.button("Export a day of a site…").clicked() {
                app.forms.open_export_day(app.store.sites());
            }
            if ui.button("Open log folder").clicked() {
                app.commands.push(Command::OpenLogFolder);
            }
            ui.separator();
            if ui.button("Settings…").clicked() {
                app.forms.settings_open = true;
            }
        });
        ui.menu_button("Sites", |ui| {
            if ui.button("Add site…").clicked() {
                app.forms.open_new_site();
            }
            if app.is_demo() && ui.button("Stop the demo").clicked() {
                app.commands.push(Command::StopDemo);
            }
        });
        ui.separator();
        for tab in Tab::ALL {
            ui.selectable_value(&mut app.state.tab, tab, tab.label());
        }
    });
}

fn demo_banner(app: &mut SmdrApp, ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        ui.label(RichText::new("Demo").strong().color(theme::BUSY.get(ui)));
        ui.label(if app.sites.is_empty() {
            "No site is configured, so a simulated PBX on this computer is feeding the table. \
             Add a site to watch a real one."
        } else {
            "A simulated PBX on this computer is feeding the table beside your sites."
        });
        if ui.button("Add site…").clicked() {
            app.forms.open_new_site();
        }
    });
}

fn status_bar(app: &mut SmdrApp, ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        let receiving = app
            .site_views
            .values()
            .filter(|v| {
                v.status
                    .as_ref()
                    .is_some_and(|s| s.state == crate::collect::SiteState::Receiving)
            })
            .count();
        let kb = app.store.text_bytes() / 1000;
        let size = if kb < 10_000 {
            format!("{kb} kB")
        } else {
            format!("{} MB", kb / 1000)
        };
        ui.label(format!(
            "{} site{} receiving · {size} of records in memory",
            receiving,
            if receiving == 1 { "" } else { "s" },
        ));
        for job in &app.jobs {
            ui.separator();
            ui.label(&job.label);
            match job.progress {
                Some((done, total)) if total > 0 => {
                    let f = done as f32 / total as f32;
                    ui.add(
                        egui::ProgressBar::new(f)
                            .desired_width(160.0)
                            .show_percentage(),
                    );
                }
                _ => {
                    ui.spinner();
                }
            }
        }
        if let Some(n) = app.notices.back() {
            ui.separator();
            let color = if n.error {
                theme::BAD.get(ui)
            } else {
                ui.visuals().text_color()
            };
            ui.label(RichText::new(&n.text).color(color));
        }
    });
}
