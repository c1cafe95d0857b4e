//! The calls view's filter and sort: plain data and matching, no drawing.

use std::cmp::Ordering;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use crate::timeline::{Call, Hits, Needle, Outcome, SearchField, SearchIndex};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum DirectionFilter {
    #[default]
    Any,
    In,
    Out,
    Internal,
    /// Anything else (`NET`, `CNF`, unknown).
    Other,
}

impl DirectionFilter {
    pub const ALL: [DirectionFilter; 5] = [
        DirectionFilter::Any,
        DirectionFilter::In,
        DirectionFilter::Out,
        DirectionFilter::Internal,
        DirectionFilter::Other,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Any => "any",
            Self::In => "incoming",
            Self::Out => "outgoing",
            Self::Internal => "internal",
            Self::Other => "other",
        }
    }

    fn matches(self, direction: &str) -> bool {
        match self {
            Self::Any => true,
            Self::In => direction == "IN",
            Self::Out => direction == "OUT",
            Self::Internal => direction == "INTERNAL",
            Self::Other => !matches!(direction, "IN" | "OUT" | "INTERNAL"),
        }
    }
}

/// The filter bar. Empty text and `None` mean "any"; text matches case-insensitively.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct CallFilter {
    /// One site's calls only.
    pub site: Option<String>,
    pub direction: DirectionFilter,
    /// In the outside number or the contact name.
    pub party: String,
    /// In any extension the call reached (path, answer, events).
    pub extension: String,
    pub outcome: Option<Outcome>,
    /// Calls starting at or after: `YYYY-MM-DD` or `YYYY-MM-DD HH:MM`.
    pub from: String,
    /// Calls starting up to: `YYYY-MM-DD` (that whole day included) or `YYYY-MM-DD HH:MM`
    /// (that minute included).
    pub to: String,
    /// Anywhere: call id, number, name, DDI, direction, outcome, extensions, event names.
    pub text: String,
}

impl CallFilter {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// A matcher for this filter, and what was wrong with the date bounds (those are ignored).
    pub fn compile(&self) -> (Matcher, Vec<String>) {
        let mut problems = Vec::new();
        let mut bound = |text: &str, which: &str, end: bool| match parse_when(text, end) {
            _ if text.trim().is_empty() => None,
            Some(b) => Some(b),
            None => {
                problems.push(format!(
                    "{which} {:?} is not a date like 2026-11-20 or 2026-11-20 14:30",
                    text.trim()
                ));
                None
            }
        };
        let m = Matcher {
            site: self.site.clone(),
            direction: self.direction,
            party: Needle::new(&self.party),
            party_number: Needle::number(&self.party),
            extension: Needle::new(&self.extension),
            outcome: self.outcome,
            from: bound(&self.from, "from", false),
            to: bound(&self.to, "to", true),
            text: Needle::new(&self.text),
            searches: [
                (SearchField::Party, self.party.clone()),
                (SearchField::Extension, self.extension.clone()),
                (SearchField::Any, self.text.clone()),
            ],
        };
        (m, problems)
    }
}

/// A filter bound as typed: `2026-11-29 14:02[:05]`, `2026-11-29`, or `14:02` (today). An end
/// bound takes in the whole minute or day it names, so it compares inclusively.
pub fn parse_when(s: &str, end: bool) -> Option<NaiveDateTime> {
    let s = s.trim();
    for f in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Some(t);
        }
    }
    let last_second = |t: NaiveDateTime| {
        if end {
            t + chrono::Duration::seconds(59)
        } else {
            t
        }
    };
    for f in ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Some(last_second(t));
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return if end {
            d.and_hms_opt(23, 59, 59)
        } else {
            d.and_hms_opt(0, 0, 0)
        };
    }
    let t = NaiveTime::parse_from_str(s, "%H:%M").ok()?;
    Some(last_second(chrono::Local::now().date_naive().and_time(t)))
}

/// A compiled [`CallFilter`]: needles prepared once, bounds parsed.
#[derive(Debug, Clone, Default)]
pub struct Matcher {
    site: Option<String>,
    direction: DirectionFilter,
    party: Needle,
    /// The party needle for the number: punctuation ignored on both sides.
    party_number: Needle,
    extension: Needle,
    outcome: Option<Outcome>,
    from: Option<NaiveDateTime>,
    to: Option<NaiveDateTime>,
    text: Needle,
    /// The needles as typed, for a [`SearchIndex`].
    searches: [(SearchField, String); 3],
}

impl Matcher {
    /// Site, direction, outcome and time: what needs no text search.
    fn matches_plain(&self, c: &Call) -> bool {
        self.site.as_deref().is_none_or(|s| *c.site == *s)
            && self.direction.matches(&c.direction)
            && self.outcome.is_none_or(|o| o == c.outcome)
            && self.from.is_none_or(|f| c.start >= f)
            && self.to.is_none_or(|t| c.start <= t)
    }

    /// Whether a needle is typed (only then is a [`SearchIndex`] needed).
    pub fn searches(&self) -> bool {
        self.searches.iter().any(|(_, s)| !s.trim().is_empty())
    }

    pub fn matches(&self, c: &Call) -> bool {
        self.matches_plain(c)
            && (self.party.is_empty()
                || self.party_number.found_in(&c.number)
                || self.party.found_in(&c.contact_name))
            && (self.extension.is_empty() || reaches(c, &self.extension))
            && (self.text.is_empty() || self.text_matches(c))
    }

    fn text_matches(&self, c: &Call) -> bool {
        let t = &self.text;
        [
            c.call_id.as_str(),
            &c.number,
            &c.contact_name,
            &c.ddi,
            &c.direction,
            c.outcome.as_str(),
        ]
        .iter()
        .any(|s| t.found_in(s))
            || reaches(c, t)
            || c.events.iter().any(|e| t.found_in(&e.name))
    }
}

fn reaches(c: &Call, needle: &Needle) -> bool {
    c.answered_by.is_some_and(|a| needle.found_in(&a))
        || c.path.iter().any(|p| needle.found_in(p))
        || c.events
            .iter()
            .any(|e| needle.found_in(&e.extension) || needle.found_in(&e.source_extension))
}

/// A column of the calls table (the `calls` command's fields).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum CallColumn {
    #[default]
    Start,
    Site,
    End,
    Direction,
    Number,
    Name,
    Ddi,
    Outcome,
    AnsweredBy,
    Answer,
    Talk,
    Hold,
    Queued,
    Transfers,
    Path,
    Events,
    CallId,
}

impl CallColumn {
    pub const ALL: [CallColumn; 17] = [
        CallColumn::Start,
        CallColumn::Site,
        CallColumn::End,
        CallColumn::Direction,
        CallColumn::Number,
        CallColumn::Name,
        CallColumn::Ddi,
        CallColumn::Outcome,
        CallColumn::AnsweredBy,
        CallColumn::Answer,
        CallColumn::Talk,
        CallColumn::Hold,
        CallColumn::Queued,
        CallColumn::Transfers,
        CallColumn::Path,
        CallColumn::Events,
        CallColumn::CallId,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Self::Start => "Start",
            Self::Site => "Site",
            Self::End => "End",
            Self::Direction => "Dir",
            Self::Number => "Number",
            Self::Name => "Name",
            Self::Ddi => "DDI",
            Self::Outcome => "Outcome",
            Self::AnsweredBy => "Answered by",
            Self::Answer => "To answer",
            Self::Talk => "Talk",
            Self::Hold => "Hold",
            Self::Queued => "Queued",
            Self::Transfers => "Transfers",
            Self::Path => "Path",
            Self::Events => "Events",
            Self::CallId => "Call id",
        }
    }

    /// Numbers and durations: right-aligned.
    pub fn numeric(self) -> bool {
        matches!(
            self,
            Self::Number
                | Self::Ddi
                | Self::Answer
                | Self::Talk
                | Self::Hold
                | Self::Queued
                | Self::Transfers
                | Self::Events
        )
    }

    fn compare(self, a: &Call, b: &Call) -> Ordering {
        match self {
            Self::Start => a.start.cmp(&b.start),
            Self::Site => a.site.cmp(&b.site),
            Self::End => a.end.cmp(&b.end),
            Self::Direction => a.direction.cmp(&b.direction),
            Self::Number => a.number.cmp(&b.number),
            Self::Name => a.contact_name.cmp(&b.contact_name),
            Self::Ddi => a.ddi.cmp(&b.ddi),
            Self::Outcome => a.outcome.as_str().cmp(b.outcome.as_str()),
            Self::AnsweredBy => a.answered_by.cmp(&b.answered_by),
            Self::Answer => a.time_to_answer_s.cmp(&b.time_to_answer_s),
            Self::Talk => a.talk_s.cmp(&b.talk_s),
            Self::Hold => a.hold_s.cmp(&b.hold_s),
            Self::Queued => a.queued_s.cmp(&b.queued_s),
            Self::Transfers => a.transfers.cmp(&b.transfers),
            Self::Path => a.path.cmp(&b.path),
            Self::Events => a.events.len().cmp(&b.events.len()),
            Self::CallId => a.call_id.cmp(&b.call_id),
        }
    }
}

/// The display order of two calls: by the column, equal values in index (arrival) order.
fn order(calls: &[Call], column: CallColumn, descending: bool, a: usize, b: usize) -> Ordering {
    let o = column.compare(&calls[a], &calls[b]);
    let o = if descending { o.reverse() } else { o };
    o.then(a.cmp(&b))
}

/// Sorts call indexes by a column; equal values keep index (arrival) order.
pub fn sort_rows(rows: &mut [usize], calls: &[Call], column: CallColumn, descending: bool) {
    rows.sort_by(|&a, &b| order(calls, column, descending, a, b));
}

/// Brings `sorted` (all calls but the new ones, in display order) up to date after the calls in
/// `changed` changed or arrived: they are taken out, sorted among themselves and put back by
/// binary search. A few changes among a million calls cost a few comparisons each and one
/// pass over the indexes, not a sort of every call.
pub fn resort_changed(
    sorted: &mut Vec<usize>,
    calls: &[Call],
    changed: &[u32],
    column: CallColumn,
    descending: bool,
) {
    let mut is_changed = vec![false; calls.len()];
    let mut moved: Vec<usize> = Vec::new();
    for &i in changed {
        if let Some(flag) = is_changed.get_mut(i as usize)
            && !*flag
        {
            *flag = true;
            moved.push(i as usize);
        }
    }
    if moved.len() > calls.len() / 8 {
        *sorted = sorted_rows(calls, column, descending);
        return;
    }
    sorted.retain(|&i| !is_changed.get(i).copied().unwrap_or(true));
    sort_rows(&mut moved, calls, column, descending);
    let mut out = Vec::with_capacity(sorted.len() + moved.len());
    let mut rest = &sorted[..];
    for m in moved {
        let at = rest.partition_point(|&x| order(calls, column, descending, x, m).is_lt());
        out.extend_from_slice(&rest[..at]);
        out.push(m);
        rest = &rest[at..];
    }
    out.extend_from_slice(rest);
    *sorted = out;
}

/// All calls in the order of a column.
pub fn sorted_rows(calls: &[Call], column: CallColumn, descending: bool) -> Vec<usize> {
    let mut rows: Vec<usize> = (0..calls.len()).collect();
    sort_rows(&mut rows, calls, column, descending);
    rows
}

/// The calls that match, in the order of `sorted` (filtering keeps the order, so typing in the
/// filter costs one pass, not a sort). Each call is searched on its own: see
/// [`filtered_rows_indexed`] for many calls.
pub fn filtered_rows(calls: &[Call], matcher: &Matcher, sorted: &[usize]) -> Vec<usize> {
    sorted
        .iter()
        .copied()
        .filter(|&i| calls.get(i).is_some_and(|c| matcher.matches(c)))
        .collect()
}

/// [`filtered_rows`] with the text needles looked up in `index` (kept up to date with the
/// calls by the caller): one pass over its texts per needle instead of many small searches
/// per call.
pub fn filtered_rows_indexed(
    calls: &[Call],
    matcher: &Matcher,
    sorted: &[usize],
    index: &SearchIndex,
) -> Vec<usize> {
    let hits: Vec<Hits> = matcher
        .searches
        .iter()
        .filter_map(|(field, needle)| index.find(*field, needle, calls.len()))
        .collect();
    sorted
        .iter()
        .copied()
        .filter(|&i| {
            hits.iter().all(|h| h.contains(i))
                && calls.get(i).is_some_and(|c| matcher.matches_plain(c))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Format;
    use crate::timeline::Ext;

    fn call(id: &str, start: &str, number: &str, name: &str, outcome: Outcome) -> Call {
        let start = NaiveDateTime::parse_from_str(start, "%Y-%m-%d %H:%M").unwrap();
        let mut c = Call::empty("s".into(), Format::AppSuite, id.into(), start);
        c.number = number.into();
        c.contact_name = name.into();
        c.outcome = outcome;
        c.direction = Ext::new("IN");
        c.path = vec![Ext::new("1843")];
        c
    }

    fn calls() -> Vec<Call> {
        vec![
            call(
                "a",
                "2026-11-20 09:00",
                "0612345678",
                "Smith",
                Outcome::Answered,
            ),
            call(
                "b",
                "2026-11-20 14:30",
                "0798765432",
                "JONES",
                Outcome::Abandoned,
            ),
            call("c", "2026-11-21 08:00", "0611111111", "", Outcome::Answered),
        ]
    }

    fn shown(f: &CallFilter) -> Vec<&'static str> {
        let calls = calls();
        let (m, problems) = f.compile();
        assert!(problems.is_empty(), "{problems:?}");
        filtered_rows(&calls, &m, &sorted_rows(&calls, CallColumn::Start, false))
            .into_iter()
            .map(|i| ["a", "b", "c"][i])
            .collect()
    }

    #[test]
    fn each_filter_narrows() {
        assert_eq!(shown(&CallFilter::default()), ["a", "b", "c"]);
        let f = |g: fn(&mut CallFilter)| {
            let mut f = CallFilter::default();
            g(&mut f);
            shown(&f)
        };
        assert_eq!(f(|f| f.party = "jones".into()), ["b"]);
        assert_eq!(f(|f| f.party = "0611".into()), ["c"]);
        assert_eq!(
            f(|f| f.party = "061-111 1111".into()),
            ["c"],
            "punctuation is ignored"
        );
        assert_eq!(f(|f| f.outcome = Some(Outcome::Abandoned)), ["b"]);
        assert_eq!(f(|f| f.from = "2026-11-20 12:00".into()), ["b", "c"]);
        assert_eq!(f(|f| f.to = "2026-11-20".into()), ["a", "b"]);
        assert_eq!(f(|f| f.extension = "184".into()), ["a", "b", "c"]);
        assert_eq!(f(|f| f.extension = "2560".into()), Vec::<&str>::new());
        assert_eq!(
            f(|f| f.direction = DirectionFilter::Out),
            Vec::<&str>::new()
        );
        assert_eq!(f(|f| f.text = "ABANDON".into()), ["b"]);
    }

    #[test]
    fn bad_dates_are_reported_and_ignored() {
        let f = CallFilter {
            from: "20/11/2026".into(),
            ..Default::default()
        };
        let (m, problems) = f.compile();
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].contains("\"20/11/2026\" is not a date"),
            "{problems:?}"
        );
        let calls = calls();
        let all = sorted_rows(&calls, CallColumn::Start, false);
        assert_eq!(filtered_rows(&calls, &m, &all).len(), 3);
    }

    #[test]
    fn sorting_by_a_column_both_ways() {
        let calls = calls();
        assert_eq!(sorted_rows(&calls, CallColumn::Number, false), [2, 0, 1]);
        assert_eq!(sorted_rows(&calls, CallColumn::Start, true), [2, 1, 0]);
        // Equal values keep arrival order either way.
        assert_eq!(sorted_rows(&calls, CallColumn::Path, true), [0, 1, 2]);
        // Filtering keeps the sorted order.
        let f = CallFilter {
            party: "06".into(),
            ..Default::default()
        };
        let (m, _) = f.compile();
        let sorted = sorted_rows(&calls, CallColumn::Number, true);
        assert_eq!(filtered_rows(&calls, &m, &sorted), [0, 2]);
    }

    #[test]
    fn resorting_the_changed_calls_gives_a_full_sort() {
        let mut rng = fastrand::Rng::with_seed(7);
        let base = NaiveDateTime::parse_from_str("2026-11-20 09:00", "%Y-%m-%d %H:%M").unwrap();
        let at = |m: i64| base + chrono::Duration::minutes(m);
        for round in 0..200 {
            let n = rng.usize(0..40);
            let mut all: Vec<Call> = (0..n)
                .map(|i| {
                    let mut c = call(
                        &i.to_string(),
                        "2026-11-20 09:00",
                        "",
                        "",
                        Outcome::Answered,
                    );
                    c.start = at(rng.i64(0..20));
                    c.outcome = Outcome::ALL[rng.usize(..Outcome::ALL.len())];
                    c
                })
                .collect();
            let column = [CallColumn::Start, CallColumn::Outcome, CallColumn::Site][round % 3];
            let descending = rng.bool();
            let mut sorted = sorted_rows(&all, column, descending);
            // Some calls change, some arrive; the log may name one several times.
            let mut changed = Vec::new();
            for _ in 0..rng.usize(0..6) {
                if n > 0 {
                    let i = rng.usize(..n);
                    all[i].start = at(rng.i64(0..20));
                    all[i].outcome = Outcome::ALL[rng.usize(..Outcome::ALL.len())];
                    changed.push(i as u32);
                }
            }
            for _ in 0..rng.usize(0..3) {
                let mut c = call("new", "2026-11-20 09:00", "", "", Outcome::InProgress);
                c.start = at(rng.i64(0..20));
                changed.push(all.len() as u32);
                all.push(c);
            }
            resort_changed(&mut sorted, &all, &changed, column, descending);
            assert_eq!(
                sorted,
                sorted_rows(&all, column, descending),
                "round {round}"
            );
        }
    }

    #[test]
    fn bounds_take_in_the_minute_or_day_they_name() {
        let at = |s: &str, end| parse_when(s, end).map(|t| t.to_string());
        assert_eq!(
            at("2026-11-29 14:02", false).as_deref(),
            Some("2026-11-29 14:02:00")
        );
        assert_eq!(
            at("2026-11-29 14:02", true).as_deref(),
            Some("2026-11-29 14:02:59")
        );
        assert_eq!(
            at("2026-11-29T14:02:05", true).as_deref(),
            Some("2026-11-29 14:02:05")
        );
        assert_eq!(
            at("2026-11-29", true).as_deref(),
            Some("2026-11-29 23:59:59")
        );
        assert_eq!(
            at("2026-11-29", false).as_deref(),
            Some("2026-11-29 00:00:00")
        );
        assert_eq!(at("junk", false), None);
    }
}
