//! The Calls tab: one row per call, the selected call's timeline, and answer/abandon statistics
//! for the calls the filter shows. Which calls, in which order, with which figures, is the
//! engine's [`CallsView`]; this module draws it and edits the [`CallsSettings`].

mod stats;
mod table;
pub mod text;
mod timeline;

use chrono::NaiveDateTime;
use eframe::egui::{self, Ui};

pub use self::timeline::describe;
use crate::jobs::ExportFormat;
use crate::timeline::view::Refresh;
use crate::timeline::{
    CallFilter, CallTracker, CallsSettings, CallsView, DirectionFilter, Outcome,
};
use crate::ui::widgets::{
    CALLS_FIND, escape_pressed, export_menu, keyboard_row, labelled_text, labelled_text_with_id,
};

/// What the calls view asks the app to do (applied after drawing).
#[derive(Debug, Clone, PartialEq)]
pub enum CallsAction {
    /// Export the calls now shown (after the view's filter) in this format.
    Export(ExportFormat),
}

/// The Calls tab's runtime state: the engine's view of the calls and the selected call. What
/// the user chose (filter, sort, service level) is the [`CallsSettings`] it is drawn with.
#[derive(Debug, Default)]
pub struct CallsTab {
    pub view: CallsView,
    /// Selected call (index into `CallTracker::calls`).
    pub selected: Option<usize>,
    /// The filters behind "More filters" are shown.
    pub more_filters: bool,
    /// A call to scroll into sight at the next frame (selected from the Alarms tab).
    pub reveal: Option<usize>,
    /// Call ids of calls that raised an alarm: marked in the table.
    pub marked: std::collections::HashSet<String>,
}

impl CallsTab {
    /// Draws the view into `ui` with `settings` (which the filter bar, the headers and the
    /// service level edit). `now` is the current time on the calls' clock (for calls in
    /// progress). Returns an action for the app to carry out, if any.
    pub fn show(
        &mut self,
        ui: &mut Ui,
        settings: &mut CallsSettings,
        tracker: &CallTracker,
        now: NaiveDateTime,
    ) -> Option<CallsAction> {
        let mut action = None;
        ui.horizontal_wrapped(|ui| {
            Self::filter_bar(ui, &mut settings.filter, tracker, &mut self.more_filters);
            self.refresh(ui, settings, tracker);
            ui.separator();
            ui.label(format!(
                "{} / {} calls",
                self.view.rows().len(),
                tracker.calls().len()
            ));
            if let Some(done) = self.view.indexing() {
                ui.spinner();
                ui.label(format!("indexing calls for search… {:.0} %", done * 100.0));
            }
            if let Some(format) = export_menu(ui, "Export…", None) {
                action = Some(CallsAction::Export(format));
            }
        });
        if self.more_filters {
            ui.horizontal_wrapped(|ui| Self::more_filters(ui, &mut settings.filter));
        }
        for problem in self.view.problems() {
            ui.colored_label(ui.visuals().warn_fg_color, problem);
        }
        ui.separator();

        let calls = tracker.calls();
        let mut scroll_to = self.reveal.take();
        let (rows, selected) = (self.view.rows(), self.selected);
        let current = || selected.and_then(|s| rows.iter().position(|&r| r == s));
        if let Some(pos) = keyboard_row(ui, current, rows.len(), 20) {
            self.selected = rows.get(pos).copied();
            scroll_to = self.selected;
        } else if self.selected.is_some() && escape_pressed(ui) {
            self.selected = None;
        }
        egui::Panel::right("calls.stats")
            .resizable(true)
            .default_size(300.0)
            .show(ui, |ui| {
                // Not shrunk to its contents: the panel keeps the size the user gave it.
                egui::ScrollArea::vertical()
                    .id_salt("calls.stats.scroll")
                    .auto_shrink(false)
                    .show(ui, |ui| {
                        let before = self.selected;
                        stats::show(
                            ui,
                            self.view.stats(),
                            &mut settings.service_level_s,
                            calls,
                            self.view.abandoned(),
                            &mut self.selected,
                        );
                        if self.selected != before {
                            scroll_to = self.selected;
                        }
                    });
            });
        egui::Panel::bottom("calls.timeline")
            .resizable(true)
            .default_size(250.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .id_salt("calls.timeline.scroll")
                    .auto_shrink(false)
                    .show(ui, |ui| self.selected_call(ui, tracker, now));
            });
        egui::CentralPanel::no_frame().show(ui, |ui| {
            // Sixteen columns are wider than most screens: scroll sideways.
            let input = egui::ScrollArea::horizontal()
                .id_salt("calls.table.hscroll")
                .auto_shrink(false)
                .show(ui, |ui| {
                    table::show(
                        ui,
                        calls,
                        self.view.rows(),
                        (settings.sort, settings.descending),
                        self.selected,
                        scroll_to,
                        &self.marked,
                    )
                })
                .inner;
            if let Some(i) = input.clicked {
                self.selected = Some(i);
            }
            if let Some(col) = input.sort_by {
                settings.toggle_sort(col);
            }
        });
        action
    }

    /// Brings the engine's view up to date, asking for the frames it needs to finish.
    fn refresh(&mut self, ui: &Ui, settings: &CallsSettings, tracker: &CallTracker) {
        match self
            .view
            .refresh(settings, tracker, std::time::Instant::now())
        {
            Refresh::Current | Refresh::Updated => {}
            Refresh::Later(wait) => ui.ctx().request_repaint_after(wait),
            Refresh::Indexing => ui.ctx().request_repaint(),
        }
    }

    /// The filters used most, in one row; the rest behind "More filters" (which counts those in
    /// use), so a narrow window keeps its table.
    fn filter_bar(ui: &mut Ui, f: &mut CallFilter, tracker: &CallTracker, more: &mut bool) {
        let sites = std::iter::once(None).chain(tracker.sites().map(|s| Some(s.to_string())));
        crate::ui::widgets::labelled_choice(ui, "Site", "calls.site", &mut f.site, sites, |s| {
            s.as_deref().unwrap_or("all sites")
        });
        labelled_text(ui, "Number or name", &mut f.party, 110.0, "");
        labelled_text_with_id(ui, "Search", &mut f.text, 110.0, "anything", CALLS_FIND);
        let folded = [
            f.direction != DirectionFilter::default(),
            !f.extension.trim().is_empty(),
            f.outcome.is_some(),
            !f.from.trim().is_empty(),
            !f.to.trim().is_empty(),
        ]
        .into_iter()
        .filter(|&b| b)
        .count();
        let text = match (*more, folded) {
            (true, _) => "Fewer filters".to_string(),
            (false, 0) => "More filters".to_string(),
            (false, n) => format!("More filters ({n} in use)"),
        };
        if ui
            .selectable_label(*more, text)
            .on_hover_text("Direction, extension, outcome, from and to")
            .clicked()
        {
            *more = !*more;
        }
        if !f.is_empty() && ui.button("Clear filter").clicked() {
            *f = CallFilter::default();
        }
    }

    fn more_filters(ui: &mut Ui, f: &mut CallFilter) {
        crate::ui::widgets::labelled_choice(
            ui,
            "Direction",
            "calls.direction",
            &mut f.direction,
            DirectionFilter::ALL,
            |d| d.label(),
        );
        labelled_text(ui, "Extension", &mut f.extension, 60.0, "");
        let outcomes = std::iter::once(None).chain(Outcome::ALL.map(Some));
        crate::ui::widgets::labelled_choice(
            ui,
            "Outcome",
            "calls.outcome",
            &mut f.outcome,
            outcomes,
            |o| o.map_or("any", Outcome::label),
        );
        labelled_text(ui, "From", &mut f.from, 120.0, "YYYY-MM-DD HH:MM");
        labelled_text(ui, "To", &mut f.to, 120.0, "YYYY-MM-DD HH:MM");
    }

    fn selected_call(&self, ui: &mut Ui, tracker: &CallTracker, now: NaiveDateTime) {
        let Some(call) = self.selected.and_then(|i| tracker.calls().get(i)) else {
            ui.label("Select a call to see where it rang, for how long, and what came of it.");
            return;
        };
        let t = crate::timeline::timeline(call, now);
        let who = [call.number.as_str(), call.contact_name.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("  ");
        ui.horizontal_wrapped(|ui| {
            ui.strong(format!("{} call {}", call.direction, call.call_id));
            if !who.is_empty() {
                ui.label(who);
            }
            ui.label(format!("started {}", text::when(call.start)));
        });
        ui.label(describe(call, &t));
        timeline::show(ui, &t);
        egui::CollapsingHeader::new(format!("Events ({})", call.events.len()))
            .id_salt("calls.events")
            .default_open(true)
            .show(ui, |ui| {
                egui::Grid::new("calls.events.grid")
                    .num_columns(3)
                    .striped(true)
                    .show(ui, |ui| {
                        for e in &call.events {
                            ui.monospace(e.at.format("%H:%M:%S").to_string());
                            ui.label(e.name.as_str());
                            if e.source_extension.is_empty() {
                                ui.label(e.extension.as_str());
                            } else {
                                ui.label(format!("{} from {}", e.extension, e.source_extension));
                            }
                            ui.end_row();
                        }
                    });
            });
        if call.outcome == Outcome::InProgress {
            // Keep the open bars growing.
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_secs(1));
        }
    }
}
