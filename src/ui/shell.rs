//! The window's frame: menu and tabs on top, the demo banner, sites on the left, the status bar
//! at the bottom, and the open tab in the middle.

use chrono::Local;
use eframe::egui::{self, Key, KeyboardShortcut, Modifiers, Panel, RichText};

use super::app::{Command, ExportScope, SmdrApp};
use super::state::Tab;
use super::theme;
use super::widgets::export_menu;
use crate::jobs::ExportFormat;

const OPEN: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::O);
const FIND: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::F);
const EXPORT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::E);
const GUIDE: KeyboardShortcut = KeyboardShortcut::new(Modifiers::NONE, Key::F1);
const QUIT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Q);

/// The window's shortcuts, for the guide (Ctrl is ⌘ on a Mac).
pub const SHORTCUTS: [(KeyboardShortcut, &str); 5] = [
    (OPEN, "open saved logs"),
    (
        FIND,
        "type in the open tab's filter (Records: Text; Calls: Search)",
    ),
    (EXPORT, "export the open table as CSV (Records or Calls)"),
    (GUIDE, "this guide"),
    (QUIT, "quit"),
];

pub fn draw(app: &mut SmdrApp, ui: &mut egui::Ui) {
    // Before anything is drawn: the keys are taken before a text box sees them, and a focus
    // request reaches the filter box drawn later in this frame.
    shortcuts(app, ui.ctx());
    Panel::top("top").show(ui, |ui| top_bar(app, ui));
    if app.is_demo() {
        Panel::top("demo").show(ui, |ui| demo_banner(app, ui));
    }
    Panel::bottom("status").show(ui, |ui| status_bar(app, ui));
    // Narrower in a small window, so the table keeps its columns; resizable, and egui keeps
    // the width the user gives it.
    let sites_width = (ui.ctx().content_rect().width() * 0.22).clamp(220.0, 290.0);
    Panel::left("sites")
        .resizable(true)
        .default_size(sites_width)
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
        Tab::History => super::history::tab(app, ui),
        Tab::Alarms => super::alarms::tab(app, ui),
    });
    super::forms::windows(app, ui);
    super::alarm_test::windows(app, ui);
    super::help::windows(app, ui.ctx());
}

fn shortcuts(app: &mut SmdrApp, ctx: &egui::Context) {
    let pressed = |s: KeyboardShortcut| ctx.input_mut(|i| i.consume_shortcut(&s));
    for shortcut in [OPEN, EXPORT] {
        if pressed(shortcut)
            && let Some(c) = command_for(shortcut, app.state.tab)
        {
            app.commands.push(c);
        }
    }
    if pressed(FIND) {
        match app.state.tab {
            Tab::Calls => {
                let text = &app.state.calls.filter.text;
                super::widgets::focus_text(ctx, super::widgets::CALLS_FIND, text);
            }
            // The Raw stream has no filter: the records' is the one meant.
            Tab::History => {
                let text = &app.history.filter.text;
                super::widgets::focus_text(ctx, super::history::HISTORY_FIND, text);
            }
            Tab::Records | Tab::Raw | Tab::Alarms => {
                app.state.tab = Tab::Records;
                let text = &app.state.records.filter.text;
                super::widgets::focus_text(ctx, super::widgets::RECORDS_FIND, text);
            }
        }
    }
    if pressed(GUIDE) {
        app.help.guide = true;
    }
    if pressed(QUIT) {
        quit(ctx);
    }
}

/// What a shortcut asks the app to do on `tab` (the others act on the window itself).
fn command_for(shortcut: KeyboardShortcut, tab: Tab) -> Option<Command> {
    if shortcut == OPEN {
        Some(Command::PickImport)
    } else if shortcut == EXPORT {
        let scope = match tab {
            Tab::Calls => ExportScope::Calls,
            Tab::Records | Tab::Raw | Tab::Alarms => ExportScope::View,
            // Its result is exported from its own Export… menu.
            Tab::History => return None,
        };
        Some(Command::PickExport(scope, ExportFormat::Csv))
    } else {
        None
    }
}

/// Closes the window; eframe saves the window's state and the app stops its collectors.
fn quit(ctx: &egui::Context) {
    ctx.send_viewport_cmd(egui::ViewportCommand::Close);
}

/// A menu entry showing its shortcut.
fn item(ui: &mut egui::Ui, text: &str, shortcut: KeyboardShortcut) -> bool {
    let keys = ui.ctx().format_shortcut(&shortcut);
    ui.add(egui::Button::new(text).shortcut_text(keys))
        .clicked()
}

/// The files opened in the window, each with a way to close it (its rows leave the tables).
fn imported_files_menu(app: &mut SmdrApp, ui: &mut egui::Ui) {
    let files: Vec<_> = app.open_files.list().cloned().collect();
    ui.add_enabled_ui(!files.is_empty(), |ui| {
        ui.menu_button("Imported files", |ui| {
            for f in files {
                ui.horizontal(|ui| {
                    ui.label(&*f.site).on_hover_text(format!(
                        "{}: {} records",
                        f.origin,
                        f.records.unwrap_or(0)
                    ));
                    if ui.button("Close").clicked() {
                        app.commands.push(Command::CloseFile(f.origin.clone()));
                        ui.close();
                    }
                });
            }
        });
    });
}

fn top_bar(app: &mut SmdrApp, ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        ui.heading(RichText::new("SMDR Monitor").strong());
        ui.separator();
        ui.menu_button("File", |ui| {
            if item(ui, "Open log…", OPEN) {
                app.commands.push(Command::PickImport);
            }
            if let Some(format) = export_menu(ui, "Export the table", Some(&EXPORT)) {
                app.commands
                    .push(Command::PickExport(ExportScope::View, format));
            }
            if ui.button("Export a day of a site…").clicked() {
                app.forms.open_export_day(app.store.sites());
            }
            imported_files_menu(app, ui);
            if ui.button("Open log folder").clicked() {
                app.commands.push(Command::OpenLogFolder);
            }
            ui.separator();
            if ui.button("Settings…").clicked() {
                app.forms.settings_open = true;
            }
            if ui.button("Alarm settings…").clicked() {
                app.alarms.open_settings();
            }
            ui.separator();
            if item(ui, "Quit", QUIT) {
                quit(ui.ctx());
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
        ui.menu_button("Help", |ui| {
            if item(ui, "Guide", GUIDE) {
                app.help.guide = true;
            }
            if ui.button("About SMDR Monitor").clicked() {
                app.help.about = true;
            }
        });
        ui.separator();
        for tab in Tab::ALL {
            ui.selectable_value(&mut app.state.tab, tab, tab.label());
        }
        super::alarms::badge(app, ui);
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
            if let Some((label, command)) = &n.action
                && ui.button(label).clicked()
            {
                app.commands.push(command.clone());
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_and_export_shortcuts_ask_for_a_file() {
        assert!(matches!(
            command_for(OPEN, Tab::Raw),
            Some(Command::PickImport)
        ));
        assert!(matches!(
            command_for(EXPORT, Tab::Records),
            Some(Command::PickExport(ExportScope::View, ExportFormat::Csv))
        ));
        assert!(matches!(
            command_for(EXPORT, Tab::Calls),
            Some(Command::PickExport(ExportScope::Calls, ExportFormat::Csv))
        ));
        assert!(command_for(FIND, Tab::Records).is_none());
        let keys: Vec<String> = SHORTCUTS
            .iter()
            .map(|(s, _)| s.format(&egui::ModifierNames::NAMES, false))
            .collect();
        assert_eq!(keys, ["Ctrl+O", "Ctrl+F", "Ctrl+E", "F1", "Ctrl+Q"]);
    }
}
