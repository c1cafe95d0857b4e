//! When the desktop cannot help: a path typed in the window where no file dialog could be
//! shown, and a folder's path shown (to copy) where no file manager could open it.

use std::path::{Path, PathBuf};

use eframe::egui::{self, RichText, TextEdit};

use crate::jobs::ExportFormat;

use super::app::{Command, ExportScope, SmdrApp};
use super::theme;

/// What a path is asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum PathFor {
    Export(ExportScope, ExportFormat),
    Import,
    LogDir,
}

impl PathFor {
    fn title(&self) -> &'static str {
        match self {
            Self::Export(..) => "Export",
            Self::Import => "Open log",
            Self::LogDir => "Log folder",
        }
    }

    fn label(&self) -> &'static str {
        match self {
            Self::Export(..) => "Save to",
            Self::Import => "File to open",
            Self::LogDir => "Folder",
        }
    }

    fn button(&self) -> &'static str {
        match self {
            Self::Export(..) => "Save",
            Self::Import => "Open",
            Self::LogDir => "Use this folder",
        }
    }
}

/// A path typed in, because no file dialog could be shown.
#[derive(Debug, Clone)]
pub struct PathPrompt {
    pub purpose: PathFor,
    pub path: String,
    /// Why no dialog could be shown.
    pub why: String,
    pub error: Option<String>,
}

impl PathPrompt {
    /// The command the typed path makes, or what is wrong with it in words.
    fn command(&self) -> Result<Command, String> {
        let typed = self.path.trim();
        if typed.is_empty() {
            return Err("type a path".into());
        }
        let path = PathBuf::from(typed);
        match &self.purpose {
            PathFor::Export(scope, format) => {
                let folder = match path.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p,
                    _ => Path::new("."),
                };
                if !folder.is_dir() {
                    return Err(format!("the folder {} does not exist", folder.display()));
                }
                if path.is_dir() {
                    return Err(format!("{} is a folder: add a file name", path.display()));
                }
                Ok(Command::Export(scope.clone(), *format, path))
            }
            PathFor::Import => {
                if !path.is_file() {
                    return Err(format!("there is no file {}", path.display()));
                }
                Ok(Command::Import(vec![path]))
            }
            PathFor::LogDir => Ok(Command::SetLogDir(path)),
        }
    }
}

/// A folder no file manager could show: its path, to copy.
#[derive(Debug, Clone)]
pub struct FolderShown {
    pub dir: PathBuf,
    pub why: String,
}

pub fn windows(app: &mut SmdrApp, ctx: &egui::Context) {
    path_prompt(app, ctx);
    folder_shown(app, ctx);
}

fn path_prompt(app: &mut SmdrApp, ctx: &egui::Context) {
    let Some(prompt) = &mut app.forms.path_prompt else {
        return;
    };
    let mut open = true;
    let mut done = None;
    egui::Window::new(prompt.purpose.title())
        .open(&mut open)
        .collapsible(false)
        .default_width(520.0)
        .show(ctx, |ui| {
            ui.label(RichText::new(sentence(&prompt.why)).color(theme::WARN.get(ui)));
            ui.horizontal(|ui| {
                let l = ui.label(format!("{}:", prompt.purpose.label()));
                ui.add(TextEdit::singleline(&mut prompt.path).desired_width(420.0))
                    .labelled_by(l.id);
            });
            if let Some(e) = &prompt.error {
                ui.label(RichText::new(e).color(theme::BAD.get(ui)));
            }
            ui.horizontal(|ui| {
                if ui.button(prompt.purpose.button()).clicked() {
                    match prompt.command() {
                        Ok(command) => done = Some(Some(command)),
                        Err(e) => prompt.error = Some(e),
                    }
                }
                if ui.button("Cancel").clicked() {
                    done = Some(None);
                }
            });
        });
    if let Some(command) = done {
        app.commands.extend(command);
        app.forms.path_prompt = None;
    } else if !open {
        app.forms.path_prompt = None;
    }
}

fn folder_shown(app: &mut SmdrApp, ctx: &egui::Context) {
    let Some(shown) = &app.forms.folder_shown else {
        return;
    };
    let mut open = true;
    let mut close = false;
    egui::Window::new("Log folder")
        .open(&mut open)
        .collapsible(false)
        .default_width(520.0)
        .show(ctx, |ui| {
            ui.label(
                RichText::new(format!("The folder cannot be shown: {}.", shown.why))
                    .color(theme::WARN.get(ui)),
            );
            ui.label("The raw day logs and connection logs are in:");
            let path = shown.dir.display().to_string();
            ui.add(egui::Label::new(theme::mono(&path)).selectable(true));
            ui.horizontal(|ui| {
                if ui
                    .button("Copy path")
                    .on_hover_text(
                        "Copy the folder's path, to paste into a file manager or a terminal",
                    )
                    .clicked()
                {
                    ui.ctx().copy_text(path.clone());
                }
                if ui.button("Close").clicked() {
                    close = true;
                }
            });
        });
    if close || !open {
        app.forms.folder_shown = None;
    }
}

/// Words that begin lower-case (they also go in logs) as a sentence.
pub(super) fn sentence(words: &str) -> String {
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}
