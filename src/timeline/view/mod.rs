//! The calls view: which calls the Calls tab shows, in which order, with which statistics — as
//! the records table's `store::View` is for records. No drawing: the window, benches and tests
//! use it alike.
//!
//! What the user chose ([`CallsSettings`]) is saved between runs; what follows from it
//! ([`CallsView`]) is runtime only. Nothing heavy runs on every call: the sorted order, the
//! filtered rows and the statistics are cached and recomputed only when the settings change, or
//! when the tracker's generation moves (then at most every [`REFRESH_EVERY`] while calls keep
//! arriving). A changed filter is one pass over the cached sorted order, never a sort.

pub mod filter;
pub mod records;

use std::time::{Duration, Instant};

pub use self::filter::{CallColumn, CallFilter, DirectionFilter, Matcher, parse_when};
pub use self::records::{Filter, OutcomeFilter};
use super::{CallFacts, CallTracker, SearchIndex, Stats, is_abandoned_caller, stats_of};

/// What the user chose for the calls view: saved between runs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct CallsSettings {
    pub filter: CallFilter,
    pub sort: CallColumn,
    pub descending: bool,
    /// "Answered within N seconds" for the service level.
    pub service_level_s: u32,
}

impl Default for CallsSettings {
    fn default() -> Self {
        Self {
            filter: CallFilter::default(),
            // Newest first: a live view shows what just happened at the top.
            sort: CallColumn::Start,
            descending: true,
            service_level_s: 20,
        }
    }
}

impl CallsSettings {
    /// Clicking a column header: see [`toggle_sort`].
    pub fn toggle_sort(&mut self, column: CallColumn) {
        toggle_sort(&mut self.sort, &mut self.descending, column);
    }
}

/// Clicking a column header (of either table): sort by `column` ascending, or flip the
/// direction if it is already the sort.
pub fn toggle_sort<C: PartialEq>(sort: &mut C, descending: &mut bool, column: C) {
    if *sort == column {
        *descending = !*descending;
    } else {
        *sort = column;
        *descending = false;
    }
}

/// While calls keep arriving, recompute at most this often.
pub const REFRESH_EVERY: Duration = Duration::from_millis(250);

/// Time one refresh may spend building the search index: a million calls take about 0.6 s,
/// which would freeze the window if done at once when the first letter is typed.
const INDEX_BUDGET: Duration = Duration::from_millis(8);

/// What [`CallsView::refresh`] did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Refresh {
    /// Nothing changed.
    Current,
    /// The rows and statistics were computed again.
    Updated,
    /// Calls changed, but the last computation is too recent: refresh again after this long.
    Later(Duration),
    /// The search index is still being built (see [`CallsView::indexing`]): refresh again soon.
    Indexing,
}

/// The calls the settings select, in their order, and figures over them; derived, runtime only.
#[derive(Debug, Default)]
pub struct CallsView {
    /// The settings the rows were computed for.
    computed_for: Option<CallsSettings>,
    generation: u64,
    total: usize,
    computed_at: Option<Instant>,
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
    /// How far a first build of `index` has come, while it takes more than one refresh.
    indexing: Option<f32>,
    /// What the statistics need of each call (by index), and how much of the tracker's
    /// change log they follow.
    facts: Vec<CallFacts>,
    facts_seen: usize,
}

/// Brings `facts` up to date with the calls: new calls added, changed ones written again.
fn update_facts(facts: &mut Vec<CallFacts>, seen: &mut usize, tracker: &CallTracker) {
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
    let start = Instant::now();
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
    /// The calls shown (indexes into `tracker.calls()`), in display order.
    pub fn rows(&self) -> &[usize] {
        &self.rows
    }

    /// The abandoned calls among [`rows`](Self::rows), in start order.
    pub fn abandoned(&self) -> &[usize] {
        &self.abandoned
    }

    /// Figures over the calls shown.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// What is wrong with the filter, in words (those parts are ignored).
    pub fn problems(&self) -> &[String] {
        &self.problems
    }

    /// How far the search index is built while a first search waits for it (`None`: ready).
    pub fn indexing(&self) -> Option<f32> {
        self.indexing
    }

    /// Brings the rows and statistics up to date with `settings` and the tracker's calls. `now`
    /// paces recomputation while calls keep arriving; a change of settings is taken at once.
    pub fn refresh(
        &mut self,
        settings: &CallsSettings,
        tracker: &CallTracker,
        now: Instant,
    ) -> Refresh {
        let settings_changed = self.computed_for.as_ref() != Some(settings);
        let data_changed =
            self.generation != tracker.generation() || self.total != tracker.calls().len();
        if !settings_changed && !data_changed {
            return Refresh::Current;
        }
        if !settings_changed
            && let Some(at) = self.computed_at
            && let Some(wait) = REFRESH_EVERY.checked_sub(now.saturating_duration_since(at))
            && !wait.is_zero()
        {
            return Refresh::Later(wait);
        }
        let calls = tracker.calls();
        let changes = tracker.changes();
        let order = (settings.sort, settings.descending);
        match self.sorted_for {
            Some((seen, o)) if o == order && seen == changes.len() => {}
            // Same order, more changes: only the changed calls move.
            Some((seen, o)) if o == order && seen < changes.len() => {
                filter::resort_changed(&mut self.sorted, calls, &changes[seen..], o.0, o.1);
            }
            _ => self.sorted = filter::sorted_rows(calls, order.0, order.1),
        }
        self.sorted_for = Some((changes.len(), order));
        update_facts(&mut self.facts, &mut self.facts_seen, tracker);
        let (matcher, problems) = settings.filter.compile();
        if matcher.searches() && !build_index(&mut self.index, tracker) {
            // Not ready: the rows stay as they were and the next refresh goes on building.
            self.indexing = Some(self.index.progress(tracker));
            return Refresh::Indexing;
        }
        self.indexing = None;
        self.rows = if settings.filter.is_empty() {
            // Nothing to match (the usual live view): every call, no pass over them.
            self.sorted.clone()
        } else if matcher.searches() {
            filter::filtered_rows_indexed(calls, &matcher, &self.sorted, &self.index)
        } else {
            filter::filtered_rows(calls, &matcher, &self.sorted)
        };
        let facts = &self.facts;
        self.stats = stats_of(
            self.rows.iter().filter_map(|&i| facts.get(i).copied()),
            settings.service_level_s,
        );
        self.abandoned = self
            .rows
            .iter()
            .copied()
            .filter(|&i| facts.get(i).is_some_and(is_abandoned_caller))
            .collect();
        self.abandoned
            .sort_by_key(|&i| (facts.get(i).map(|f| f.start), i));
        self.problems = problems;
        self.computed_for = Some(settings.clone());
        self.generation = tracker.generation();
        self.total = calls.len();
        self.computed_at = Some(now);
        Refresh::Updated
    }

    /// Indexes of the calls `settings` select, in display order (for export): the cached rows
    /// when they are current, else computed now.
    pub fn shown(&self, settings: &CallsSettings, tracker: &CallTracker) -> Vec<usize> {
        let current =
            (self.generation, self.total) == (tracker.generation(), tracker.calls().len());
        let computed = self.computed_for.as_ref();
        if current && computed.is_some_and(|s| s.filter == settings.filter) {
            let mut rows = self.rows.clone();
            if computed
                .is_some_and(|s| (s.sort, s.descending) != (settings.sort, settings.descending))
            {
                filter::sort_rows(
                    &mut rows,
                    tracker.calls(),
                    settings.sort,
                    settings.descending,
                );
            }
            return rows;
        }
        let (matcher, _) = settings.filter.compile();
        let calls = tracker.calls();
        filter::filtered_rows(
            calls,
            &matcher,
            &filter::sorted_rows(calls, settings.sort, settings.descending),
        )
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::protocol::appsuite::parse_event;

    /// The manual's App Suite events (four calls in twenty lines): those in `lines`.
    fn push_events(tracker: &mut CallTracker, lines: std::ops::Range<usize>) {
        let path = format!(
            "{}/tests/fixtures/appsuite/manual-examples-162.txt",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(path).unwrap();
        let site: Arc<str> = "s".into();
        let events: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        for line in &events[lines] {
            tracker.push(&site, &parse_event(line.trim_end(), '0').unwrap());
        }
    }

    #[test]
    fn settings_are_taken_at_once_and_new_calls_at_the_views_pace() {
        let mut tracker = CallTracker::new(chrono::Duration::hours(8));
        push_events(&mut tracker, 0..10);
        let (mut view, mut settings) = (CallsView::default(), CallsSettings::default());
        let t0 = Instant::now();
        assert_eq!(view.refresh(&settings, &tracker, t0), Refresh::Updated);
        let before = tracker.calls().len();
        assert_eq!(view.rows().len(), before);
        assert_eq!(view.stats().calls as usize, before);
        assert_eq!(view.refresh(&settings, &tracker, t0), Refresh::Current);

        push_events(&mut tracker, 10..20);
        assert_eq!(tracker.calls().len(), 4);
        let soon = t0 + Duration::from_millis(100);
        assert_eq!(
            view.refresh(&settings, &tracker, soon),
            Refresh::Later(Duration::from_millis(150))
        );
        assert_eq!(view.rows().len(), before, "the rows wait");
        let later = t0 + REFRESH_EVERY;
        assert_eq!(view.refresh(&settings, &tracker, later), Refresh::Updated);
        // Newest first, the default.
        let calls = tracker.calls();
        let starts: Vec<_> = view.rows().iter().map(|&i| calls[i].start).collect();
        assert_eq!(starts.len(), 4);
        assert!(starts.windows(2).all(|w| w[0] >= w[1]), "{starts:?}");

        // Another order for an export, without touching the cached rows.
        let mut oldest_first = settings.clone();
        oldest_first.toggle_sort(CallColumn::Start);
        let mut reversed = view.rows().to_vec();
        reversed.reverse();
        assert_eq!(view.shown(&oldest_first, &tracker), reversed);

        // A needle: the search index is built and the rows narrow at once.
        settings.filter.extension = "2560".into();
        assert_eq!(view.refresh(&settings, &tracker, later), Refresh::Updated);
        assert_eq!(view.rows().len(), 1);
        let call = &calls[view.rows()[0]];
        assert!(call.path.iter().any(|p| p.as_str() == "2560"));
        assert_eq!(view.shown(&settings, &tracker), view.rows());
        settings.filter.from = "yesterday".into();
        view.refresh(&settings, &tracker, later);
        assert_eq!(view.problems().len(), 1, "{:?}", view.problems());
    }
}
