//! App Suite events → calls; ring-in pairing for 5000; answer/abandon statistics. Pure: no I/O.
//!
//! CONTRACT (filled in by the timeline work; signatures are what the UI and CLI code against).

use std::sync::Arc;

use chrono::{Duration, NaiveDateTime};

use crate::protocol::appsuite::Event;

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Answered,
    /// Ended without any ANSWERED.
    Abandoned,
    /// No DISCONNECTED yet.
    InProgress,
    /// No DISCONNECTED and no event for longer than the age-out time.
    AgedOut,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Answered => "answered",
            Self::Abandoned => "abandoned",
            Self::InProgress => "in_progress",
            Self::AgedOut => "aged_out",
        }
    }
}

/// One event of a call, owned.
#[derive(Debug, Clone, PartialEq)]
pub struct CallEvent {
    pub at: NaiveDateTime,
    /// The event name as printed (padding stripped): `RINGING`, `CALLCONNECTED`, anything else.
    pub name: String,
    pub kind: crate::protocol::appsuite::EventKind,
    pub extension: String,
    pub source_extension: String,
}

/// One call correlated from its events. Field names match the `calls` command's output.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub site: Arc<str>,
    pub call_id: String,
    pub start: NaiveDateTime,
    pub end: Option<NaiveDateTime>,
    pub direction: String,
    pub number: String,
    pub contact_name: String,
    pub ddi: String,
    pub outcome: Outcome,
    pub answered_by: Option<String>,
    pub time_to_answer_s: Option<u32>,
    pub talk_s: Option<u32>,
    pub hold_s: u32,
    pub queued_s: u32,
    pub transfers: u32,
    pub diversions: u32,
    /// Extensions in the order they rang or were diverted/transferred to.
    pub path: Vec<String>,
    /// Events in time order (arrival order breaks ties).
    pub events: Vec<CallEvent>,
}

/// Correlates events into calls, live or offline. Out-of-order arrival gives the same calls.
#[derive(Debug)]
pub struct CallTracker {
    calls: Vec<Call>,
    age_out: Duration,
}

impl CallTracker {
    /// `age_out`: a call with no DISCONNECTED and no event for this long is closed as aged out.
    pub fn new(age_out: Duration) -> Self {
        Self {
            calls: Vec::new(),
            age_out,
        }
    }

    /// Adds one event; returns the index of the call it belongs to (new or existing).
    pub fn push(&mut self, site: &Arc<str>, event: &Event<'_>) -> usize {
        let _ = (site, event, self.age_out);
        0
    }

    /// Calls in order of first appearance; indexes are stable.
    pub fn calls(&self) -> &[Call] {
        &self.calls
    }

    /// Closes calls idle for longer than the age-out time as of `now` (event clock).
    pub fn age_out(&mut self, now: NaiveDateTime) {
        let _ = now;
    }
}

/// A bar on a call's timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentKind {
    Ringing,
    Queued,
    Talking,
    Hold,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// Index into [`Timeline::lanes`].
    pub lane: usize,
    pub kind: SegmentKind,
    pub from: NaiveDateTime,
    pub to: NaiveDateTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkerKind {
    Transfer,
    Diversion,
    Answer,
    HangUp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    pub lane: usize,
    pub kind: MarkerKind,
    pub at: NaiveDateTime,
    /// e.g. "transferred from 1843".
    pub label: String,
}

/// A call laid out for drawing: one lane per extension, bars and markers on a time axis.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Timeline {
    pub lanes: Vec<String>,
    pub segments: Vec<Segment>,
    pub markers: Vec<Marker>,
    pub start: Option<NaiveDateTime>,
    /// The end of the call, or `now` while it is in progress.
    pub end: Option<NaiveDateTime>,
}

/// Lays a call out; an open segment of a call in progress runs to `now`.
pub fn timeline(call: &Call, now: NaiveDateTime) -> Timeline {
    let _ = (call, now);
    Timeline::default()
}

/// Answer/abandon statistics over a set of calls.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Stats {
    pub calls: u32,
    pub answered: u32,
    pub abandoned: u32,
    /// Calls started in each hour of the day (0..24), over all days in the set.
    pub per_hour: [u32; 24],
    pub avg_time_to_answer_s: Option<f64>,
    pub p90_time_to_answer_s: Option<u32>,
    /// Percent of answered-or-abandoned calls answered within `service_level_s`.
    pub service_level_pct: Option<f64>,
    pub service_level_s: u32,
    /// Longest wait before answer or hang-up, seconds.
    pub longest_wait_s: Option<u32>,
    /// Abandoned callers to call back: (start, number, contact name).
    pub abandoned_callers: Vec<(NaiveDateTime, String, String)>,
}

pub fn stats<'a>(calls: impl IntoIterator<Item = &'a Call>, service_level_s: u32) -> Stats {
    let _ = calls.into_iter().count();
    Stats {
        service_level_s,
        ..Default::default()
    }
}
