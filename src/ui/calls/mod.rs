//! The Calls tab: one row per call, its timeline, and answer/abandon statistics.
//!
//! CONTRACT (filled in by the calls-view work; the app shell hosts it with these signatures).

use chrono::NaiveDateTime;
use eframe::egui;

use crate::jobs::ExportFormat;
use crate::timeline::CallTracker;

/// What the calls view asks the app to do (applied after drawing).
#[derive(Debug, Clone, PartialEq)]
pub enum CallsAction {
    /// Export the calls now shown (after the view's filter) in this format.
    Export(ExportFormat),
}

/// The calls view's state: filter, sort, selection, settings (persisted by the app).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct CallsView {
    /// Selected call (index into `CallTracker::calls`).
    #[serde(skip)]
    pub selected: Option<usize>,
}

impl CallsView {
    /// Draws the view into `ui`. `now` is the current time on the calls' clock (for calls in
    /// progress). Returns an action for the app to carry out, if any.
    pub fn show(
        &mut self,
        ui: &mut egui::Ui,
        tracker: &CallTracker,
        now: NaiveDateTime,
    ) -> Option<CallsAction> {
        let _ = (now, tracker.calls().len());
        ui.label("Calls");
        None
    }

    /// Indexes of the calls the view's filter shows, in display order (for export).
    pub fn shown(&self, tracker: &CallTracker) -> Vec<usize> {
        (0..tracker.calls().len()).collect()
    }
}
