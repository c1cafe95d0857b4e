//! Small pieces the tabs use: a labelled text box and drop-down, keyboard moves in a table, the
//! export menu.

use eframe::egui::{self, TextEdit};

use crate::jobs::ExportFormat;

/// A text box with its label, linked for screen readers (and for tests that find it by name).
pub fn labelled_text(ui: &mut egui::Ui, label: &str, value: &mut String, width: f32, hint: &str) {
    text_box(ui, label, value, Some(width), hint, None);
}

/// [`labelled_text`] at egui's usual width; the box's response (to see it changed).
pub fn labelled_hint(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut String,
    hint: &str,
) -> egui::Response {
    text_box(ui, label, value, None, hint, None)
}

/// [`labelled_text`] and the others: a width when given, a known id when given.
fn text_box(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut String,
    width: Option<f32>,
    hint: &str,
    id: Option<&str>,
) -> egui::Response {
    let l = ui.label(label);
    let mut edit = TextEdit::singleline(value).hint_text(hint);
    if let Some(width) = width {
        edit = edit.desired_width(width);
    }
    if let Some(id) = id {
        edit = edit.id(egui::Id::unique(id));
    }
    ui.add(edit).labelled_by(l.id)
}

/// A drop-down of `choices` with its label, linked like [`labelled_text`]; `text` names the
/// chosen value and each choice.
pub fn labelled_choice<T: PartialEq>(
    ui: &mut egui::Ui,
    label: &str,
    id: &str,
    value: &mut T,
    choices: impl IntoIterator<Item = T>,
    text: impl Fn(&T) -> &str,
) -> egui::Response {
    let l = ui.label(label);
    egui::ComboBox::from_id_salt(id)
        .selected_text(text(value).to_owned())
        .show_ui(ui, |ui| {
            for choice in choices {
                let shown = text(&choice).to_owned();
                ui.selectable_value(value, choice, shown);
            }
        })
        .response
        .labelled_by(l.id)
}

/// The records tab's Text filter box: where Ctrl+F puts the keyboard on that tab.
pub const RECORDS_FIND: &str = "records.find";
/// The calls tab's Search box: where Ctrl+F puts the keyboard on that tab.
pub const CALLS_FIND: &str = "calls.find";

/// [`labelled_text`] with a known id (`egui::Id::unique(id)`), so a shortcut can give it the
/// keyboard.
pub fn labelled_text_with_id(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut String,
    width: f32,
    hint: &str,
    id: &str,
) {
    text_box(ui, label, value, Some(width), hint, Some(id));
}

/// Gives the text box made with `id` the keyboard, with its text selected (typing replaces
/// it, as in any find box). Call before the box is drawn in this frame.
pub fn focus_text(ctx: &egui::Context, id: &str, text: &str) {
    let id = egui::Id::unique(id);
    ctx.memory_mut(|m| m.request_focus(id));
    let mut state = egui::text_edit::TextEditState::load(ctx, id).unwrap_or_default();
    let all = egui::text::CCursorRange::two(
        egui::text::CCursor::new(0),
        egui::text::CCursor::new(text.chars().count()),
    );
    state.cursor.set_char_range(Some(all));
    state.store(ctx, id);
}

/// Where the keyboard moves a table's selection among `n` rows: ↑ ↓ by one, Page Up/Down by
/// `page`, Home and End to the ends; from nothing selected ↓ starts at the top and ↑ at the
/// bottom. `None` when no such key was pressed or a text box has the keyboard (its arrows
/// move the cursor). `current` (the selected row's position) is asked only after a key.
pub fn keyboard_row(
    ui: &egui::Ui,
    current: impl FnOnce() -> Option<usize>,
    n: usize,
    page: usize,
) -> Option<usize> {
    use egui::{Key, Modifiers};
    #[derive(Clone, Copy)]
    enum Move {
        By(isize),
        Top,
        Bottom,
    }
    if n == 0 || ui.ctx().text_edit_focused() {
        return None;
    }
    let page = page.max(1) as isize;
    let keys = [
        (Key::ArrowDown, Move::By(1)),
        (Key::ArrowUp, Move::By(-1)),
        (Key::PageDown, Move::By(page)),
        (Key::PageUp, Move::By(-page)),
        (Key::Home, Move::Top),
        (Key::End, Move::Bottom),
    ];
    let step = ui.input_mut(|i| {
        keys.iter()
            .find(|(key, _)| i.consume_key(Modifiers::NONE, *key))
            .map(|&(_, m)| m)
    })?;
    let last = n - 1;
    Some(match (step, current()) {
        (Move::Top, _) => 0,
        (Move::Bottom, _) => last,
        (Move::By(d), None) => {
            if d > 0 {
                0
            } else {
                last
            }
        }
        (Move::By(d), Some(c)) => c.min(last).saturating_add_signed(d).min(last),
    })
}

/// Escape pressed while no text box has the keyboard (to clear a selection).
pub fn escape_pressed(ui: &egui::Ui) -> bool {
    !ui.ctx().text_edit_focused()
        && ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Escape))
}

/// A menu of every export format (the Records and Calls tabs offer the same); the one chosen.
/// CSV shows `csv_shortcut` (Ctrl+E) when given.
pub fn export_menu(
    ui: &mut egui::Ui,
    title: &str,
    csv_shortcut: Option<&egui::KeyboardShortcut>,
) -> Option<ExportFormat> {
    let mut chosen = None;
    ui.menu_button(title, |ui| {
        for format in ExportFormat::ALL {
            let mut button = egui::Button::new(format.label());
            if let Some(s) = csv_shortcut.filter(|_| format == ExportFormat::Csv) {
                button = button.shortcut_text(ui.ctx().format_shortcut(s));
            }
            if ui.add(button).clicked() {
                chosen = Some(format);
            }
        }
    });
    chosen
}
