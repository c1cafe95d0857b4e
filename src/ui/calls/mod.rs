//! The Calls tab: one row per call, the selected call's timeline, and answer/abandon statistics
//! for the calls the filter shows.
//!
//! Nothing heavy runs per frame: the sorted order, the filtered rows and the statistics are
//! cached and recomputed only when the filter, the sort or the service level change, or when the
//! tracker's generation moves (then at most four times a second while calls keep arriving).
//! Typing in the filter is one pass over the cached sorted order, never a sort.

pub mod filter;
mod stats;
mod table;
pub mod text;
mod timeline;

use chrono::NaiveDateTime;
use eframe::egui::{self, Ui};

pub use self::filter::{CallColumn, CallFilter, DirectionFilter};
pub use self::timeline::describe;
use crate::jobs::ExportFormat;
use crate::timeline::{
    CallFacts, CallTracker, Outcome, SearchIndex, Stats, is_abandoned_caller, stats_of,
};
use crate::ui::widgets::{
    CALLS_FIND, escape_pressed, keyboard_row, labelled_text, labelled_text_with_id,
};

/// What the calls view asks the app to do (applied after drawing).
#[derive(Debug, Clone, PartialEq)]
pub enum CallsAction {
    /// Export the calls now shown (after the view's filter) in this format.
    Export(ExportFormat),
}

/// The calls view's state: filter, sort, selection, settings (persisted by the app).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct CallsView {
    pub filter: CallFilter,
    pub sort: CallColumn,
    pub descending: bool,
    /// "Answered within N seconds" for the service level.
    pub service_level_s: u32,
    /// Selected call (index into `CallTracker::calls`).
    #[serde(skip)]
    pub selected: Option<usize>,
    #[serde(skip)]
    cache: Cache,
}

impl Default for CallsView {
    fn default() -> Self {
        Self {
            filter: CallFilter::default(),
            // Newest first: a live view shows what just happened at the top.
            sort: CallColumn::Start,
            descending: true,
            service_level_s: 20,
            selected: None,
            cache: Cache::default(),
        }
    }
}

type Settings = (CallFilter, CallColumn, bool, u32);

#[derive(Debug, Default)]
struct Cache {
    settings: Option<Settings>,
    generation: u64,
    total: usize,
    /// `ui.input().time` of the last computation.
    computed_at: f64,
    /// All calls in the sort order, and how much of the tracker's change log and which
    /// (column, descending) it is for.
    sorted: Vec<usize>,
    sorted_for: Option<(usize, (CallColumn, bool))>,
    /// The calls shown: `sorted`, filtered.
    rows: Vec<usize>,
    /// Abandoned calls among `rows`, in start order.
    abandoned: Vec<usize>,
    stats: Stats,
    problems: Vec<String>,
    /// The calls' texts, for the filter's needles (brought up to date only while one is typed).
    index: SearchIndex,
    /// How far a first build of `index` has come, while it takes more than a frame.
    indexing: Option<f32>,
    /// What the statistics need of each call (by index), and how much of the tracker's
    /// change log they follow.
    facts: Vec<CallFacts>,
    facts_seen: usize,
}

/// A copy of the view (to persist it) starts with an empty cache: it is all derived.
impl Clone for Cache {
    fn clone(&self) -> Self {
        Self::default()
    }
}

/// While calls keep arriving, recompute at most this often (seconds).
const REFRESH_EVERY: f64 = 0.25;

/// Time a frame may spend building the search index: a million calls take about 0.6 s, which
/// would freeze the window if done at once when the first letter is typed.
const INDEX_BUDGET: std::time::Duration = std::time::Duration::from_millis(8);

/// Brings `facts` up to date with the calls: new calls added, changed ones written again.
pub fn update_facts(facts: &mut Vec<CallFacts>, seen: &mut usize, tracker: &CallTracker) {
    let (calls, changes) = (tracker.calls(), tracker.changes());
    if changes.len() < *seen {
        // Another tracker: start over.
        facts.clear();
        *seen = 0;
    }
    let known = facts.len();
    facts.extend(calls.iter().skip(known).map(CallFacts::of));
    for &i in &changes[*seen..] {
        let i = i as usize;
        if let (true, Some(call)) = (i < known, calls.get(i)) {
            facts[i] = CallFacts::of(call);
        }
    }
    *seen = changes.len();
}

/// Brings the index up to date within [`INDEX_BUDGET`]; returns whether it is.
fn build_index(index: &mut SearchIndex, tracker: &CallTracker) -> bool {
    let start = std::time::Instant::now();
    loop {
        if index.update_some(tracker, 8192) {
            return true;
        }
        if start.elapsed() >= INDEX_BUDGET {
            return false;
        }
    }
}

impl CallsView {
    /// Draws the view into `ui`. `now` is the current time on the calls' clock (for calls in
    /// progress). Returns an action for the app to carry out, if any.
    pub fn show(
        &mut self,
        ui: &mut Ui,
        tracker: &CallTracker,
        now: NaiveDateTime,
    ) -> Option<CallsAction> {
        let mut action = None;
        ui.horizontal_wrapped(|ui| {
            self.filter_bar(ui, tracker);
            self.refresh(ui, tracker);
            ui.separator();
            ui.label(format!(
                "{} / {} calls",
                self.cache.rows.len(),
                tracker.calls().len()
            ));
            if let Some(done) = self.cache.indexing {
                ui.spinner();
                ui.label(format!("indexing calls for search… {:.0} %", done * 100.0));
            }
            if ui.button("Export CSV…").clicked() {
                action = Some(CallsAction::Export(ExportFormat::Csv));
            }
            if ui.button("Export XLSX…").clicked() {
                action = Some(CallsAction::Export(ExportFormat::Xlsx));
            }
        });
        for problem in &self.cache.problems {
            ui.colored_label(ui.visuals().warn_fg_color, problem);
        }
        ui.separator();

        let calls = tracker.calls();
        let mut scroll_to = None;
        let (rows, selected) = (&self.cache.rows, self.selected);
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
                            &self.cache.stats,
                            &mut self.service_level_s,
                            calls,
                            &self.cache.abandoned,
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
                        &self.cache.rows,
                        (self.sort, self.descending),
                        self.selected,
                        scroll_to,
                    )
                })
                .inner;
            if let Some(i) = input.clicked {
                self.selected = Some(i);
            }
            if let Some(col) = input.sort_by {
                if col == self.sort {
                    self.descending = !self.descending;
                } else {
                    self.sort = col;
                    self.descending = false;
                }
            }
        });
        action
    }

    /// How far the search index is built while a first search waits for it (`None`: ready).
    pub fn indexing(&self) -> Option<f32> {
        self.cache.indexing
    }

    /// Indexes of the calls the view's filter shows, in display order (for export).
    pub fn shown(&self, tracker: &CallTracker) -> Vec<usize> {
        let c = &self.cache;
        let current = (c.generation, c.total) == (tracker.generation(), tracker.calls().len());
        if current && c.settings.as_ref().is_some_and(|s| s.0 == self.filter) {
            let mut rows = c.rows.clone();
            if c.settings
                .as_ref()
                .is_some_and(|s| (s.1, s.2) != (self.sort, self.descending))
            {
                filter::sort_rows(&mut rows, tracker.calls(), self.sort, self.descending);
            }
            return rows;
        }
        let (matcher, _) = self.filter.compile();
        let calls = tracker.calls();
        filter::filtered_rows(
            calls,
            &matcher,
            &filter::sorted_rows(calls, self.sort, self.descending),
        )
    }

    fn filter_bar(&mut self, ui: &mut Ui, tracker: &CallTracker) {
        let f = &mut self.filter;
        let label = ui.label("Site");
        egui::ComboBox::from_id_salt("calls.site")
            .selected_text(f.site.as_deref().unwrap_or("all sites"))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut f.site, None, "all sites");
                for site in tracker.sites() {
                    ui.selectable_value(&mut f.site, Some(site.to_string()), &**site);
                }
            })
            .response
            .labelled_by(label.id);
        let label = ui.label("Direction");
        egui::ComboBox::from_id_salt("calls.direction")
            .selected_text(f.direction.label())
            .show_ui(ui, |ui| {
                for d in DirectionFilter::ALL {
                    ui.selectable_value(&mut f.direction, d, d.label());
                }
            })
            .response
            .labelled_by(label.id);
        labelled_text(ui, "Number or name", &mut f.party, 110.0, "");
        labelled_text(ui, "Extension", &mut f.extension, 60.0, "");
        let label = ui.label("Outcome");
        egui::ComboBox::from_id_salt("calls.outcome")
            .selected_text(f.outcome.map_or("any", Outcome::label))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut f.outcome, None, "any");
                for o in Outcome::ALL {
                    ui.selectable_value(&mut f.outcome, Some(o), o.label());
                }
            })
            .response
            .labelled_by(label.id);
        labelled_text(ui, "From", &mut f.from, 120.0, "YYYY-MM-DD HH:MM");
        labelled_text(ui, "To", &mut f.to, 120.0, "YYYY-MM-DD HH:MM");
        labelled_text_with_id(ui, "Search", &mut f.text, 110.0, "anything", CALLS_FIND);
        if !f.is_empty() && ui.button("Clear filter").clicked() {
            *f = CallFilter::default();
        }
    }

    /// Brings the cached rows and statistics up to date.
    fn refresh(&mut self, ui: &Ui, tracker: &CallTracker) {
        let time = ui.input(|i| i.time);
        let settings = (
            self.filter.clone(),
            self.sort,
            self.descending,
            self.service_level_s,
        );
        let c = &mut self.cache;
        let settings_changed = c.settings.as_ref() != Some(&settings);
        let data_changed = c.generation != tracker.generation() || c.total != tracker.calls().len();
        if !settings_changed && !data_changed {
            return;
        }
        let wait = REFRESH_EVERY - (time - c.computed_at);
        if !settings_changed && wait > 0.0 {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_secs_f64(wait));
            return;
        }
        let calls = tracker.calls();
        let changes = tracker.changes();
        let order = (settings.1, settings.2);
        match c.sorted_for {
            Some((seen, o)) if o == order && seen == changes.len() => {}
            // Same order, more changes: only the changed calls move.
            Some((seen, o)) if o == order && seen < changes.len() => {
                filter::resort_changed(&mut c.sorted, calls, &changes[seen..], o.0, o.1);
            }
            _ => c.sorted = filter::sorted_rows(calls, order.0, order.1),
        }
        c.sorted_for = Some((changes.len(), order));
        update_facts(&mut c.facts, &mut c.facts_seen, tracker);
        let (matcher, problems) = settings.0.compile();
        if matcher.searches() && !build_index(&mut c.index, tracker) {
            // Not ready: the rows stay as they were and the next frame goes on building.
            c.indexing = Some(c.index.progress(tracker));
            ui.ctx().request_repaint();
            return;
        }
        c.indexing = None;
        c.rows = if settings.0.is_empty() {
            // Nothing to match (the usual live view): every call, no pass over them.
            c.sorted.clone()
        } else if matcher.searches() {
            filter::filtered_rows_indexed(calls, &matcher, &c.sorted, &c.index)
        } else {
            filter::filtered_rows(calls, &matcher, &c.sorted)
        };
        let facts = &c.facts;
        c.stats = stats_of(
            c.rows.iter().filter_map(|&i| facts.get(i).copied()),
            settings.3,
        );
        c.abandoned = c
            .rows
            .iter()
            .copied()
            .filter(|&i| facts.get(i).is_some_and(is_abandoned_caller))
            .collect();
        c.abandoned
            .sort_by_key(|&i| (facts.get(i).map(|f| f.start), i));
        c.problems = problems;
        c.settings = Some(settings);
        c.generation = tracker.generation();
        c.total = calls.len();
        c.computed_at = time;
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
