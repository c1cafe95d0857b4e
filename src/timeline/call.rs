//! One call and its events: the data every view, export and statistic reads.

use std::sync::Arc;

use chrono::NaiveDateTime;

use super::ext::Ext;
use crate::protocol::Format;
use crate::protocol::appsuite::EventKind;

/// How a call ended (`docs/calls.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Answered,
    /// An incoming caller who rang and hung up before anyone answered.
    Abandoned,
    /// An outgoing or internal call nobody answered.
    NotAnswered,
    /// The call met a busy line (MiVB completion `B`).
    Busy,
    /// The phone system reports an error or an invalid call (MiVB completion `E`).
    Failed,
    /// No DISCONNECTED yet.
    InProgress,
    /// No DISCONNECTED and no event for longer than the age-out time.
    AgedOut,
}

impl Outcome {
    pub const ALL: [Outcome; 7] = [
        Outcome::Answered,
        Outcome::Abandoned,
        Outcome::NotAnswered,
        Outcome::Busy,
        Outcome::Failed,
        Outcome::InProgress,
        Outcome::AgedOut,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Answered => "answered",
            Self::Abandoned => "abandoned",
            Self::NotAnswered => "not_answered",
            Self::Busy => "busy",
            Self::Failed => "failed",
            Self::InProgress => "in_progress",
            Self::AgedOut => "aged_out",
        }
    }

    /// For people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Answered => "answered",
            Self::Abandoned => "abandoned",
            Self::NotAnswered => "not answered",
            Self::Busy => "busy",
            Self::Failed => "failed",
            Self::InProgress => "in progress",
            Self::AgedOut => "aged out (no end seen)",
        }
    }

    /// What the outcome means, in a sentence (tooltips).
    pub fn meaning(self) -> &'static str {
        match self {
            Self::Answered => "Someone answered the call.",
            Self::Abandoned => {
                "An incoming caller rang and hung up before anyone answered: a caller to call back."
            }
            Self::NotAnswered => {
                "An outgoing or internal call nobody picked up: not a caller who gave up."
            }
            Self::Busy => "The call met a busy line (MiVB completion B).",
            Self::Failed => {
                "The phone system reports an error or an invalid call (MiVB completion E): \
                 nobody was reached, and nobody gave up."
            }
            Self::InProgress => "The call is not over yet.",
            Self::AgedOut => {
                "No end was seen, and nothing for longer than the age-out time (Settings)."
            }
        }
    }

    /// The outcome of a call that ended without an answer: a caller who gave up only when the
    /// call came in.
    pub fn unanswered(incoming: bool) -> Self {
        if incoming {
            Self::Abandoned
        } else {
            Self::NotAnswered
        }
    }
}

/// One event of a call: 68 bytes, no heap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallEvent {
    pub at: NaiveDateTime,
    pub kind: EventKind,
    /// The event name as printed (padding stripped): `RINGING`, `CALLCONNECTED`, anything else.
    pub name: Ext,
    /// The device the event is about.
    pub extension: Ext,
    /// Where the call came from (DIVERTED, TRANSFERRED); empty otherwise.
    pub source_extension: Ext,
}

impl CallEvent {
    pub fn new(at: NaiveDateTime, kind: EventKind, extension: &str) -> Self {
        Self {
            at,
            kind,
            name: Ext::new(kind_name(kind)),
            extension: Ext::new(extension),
            source_extension: Ext::default(),
        }
    }
}

/// The canonical printed name of a kind (`Other` has none of its own).
pub fn kind_name(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Ringing => "RINGING",
        EventKind::Answered => "ANSWERED",
        EventKind::Hold => "HOLD",
        EventKind::Connected => "CONNECTED",
        EventKind::Diverted => "DIVERTED",
        EventKind::Transferred => "TRANSFERRED",
        EventKind::Queued => "QUEUED",
        EventKind::CallModified => "CALLMODIFIED",
        EventKind::Disconnected => "DISCONNECTED",
        EventKind::Other => "OTHER",
    }
}

/// One call. Field names match the `calls` command's output.
///
/// App Suite calls come from their events. Calls from 5000 and MiVB records are built from the
/// record(s) and carry events derived from them (see [`super::records`]) so that every call has
/// the same shape and draws the same timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub site: Arc<str>,
    /// Where the call came from.
    pub format: Format,
    /// App Suite: the call id. 5000: `<trunk>@<YYYYMMDDhhmm>` of the ring start (or call start).
    /// MiVB: the record's call id when the layout has one, else `<calling party>@<YYYYMMDDhhmm>`.
    pub call_id: String,
    /// The first event, after 12-hour resolution.
    pub start: NaiveDateTime,
    /// DISCONNECTED; `None` while in progress or when no end was ever seen.
    pub end: Option<NaiveDateTime>,
    /// `IN` or `OUT` as App Suite prints it; for 5000 and MiVB derived from the call type
    /// (`INT` for internal calls, the call type itself when it says neither).
    pub direction: Ext,
    /// The outside party: caller id on incoming calls, the dialled number on outgoing ones.
    pub number: String,
    pub contact_name: String,
    pub ddi: String,
    pub outcome: Outcome,
    /// The extension of the first ANSWERED.
    pub answered_by: Option<Ext>,
    /// First ANSWERED − first RINGING (from the start when nothing rang).
    pub time_to_answer_s: Option<u32>,
    /// (DISCONNECTED − first ANSWERED) − hold; `None` until both are known.
    pub talk_s: Option<u32>,
    pub hold_s: u32,
    pub queued_s: u32,
    pub transfers: u32,
    pub diversions: u32,
    /// Extensions in the order they rang or were diverted/transferred to (no immediate repeats).
    pub path: Vec<Ext>,
    /// Events in time order; equal times in the order a call lives through them (see
    /// [`sort_events`]).
    pub events: Vec<CallEvent>,
}

impl Call {
    /// An empty call to fill in.
    pub(crate) fn empty(
        site: Arc<str>,
        format: Format,
        call_id: String,
        start: NaiveDateTime,
    ) -> Self {
        Self {
            site,
            format,
            call_id,
            start,
            end: None,
            direction: Ext::default(),
            number: String::new(),
            contact_name: String::new(),
            ddi: String::new(),
            outcome: Outcome::InProgress,
            answered_by: None,
            time_to_answer_s: None,
            talk_s: None,
            hold_s: 0,
            queued_s: 0,
            transfers: 0,
            diversions: 0,
            path: Vec::new(),
            events: Vec::new(),
        }
    }

    /// How long the caller waited from arriving (queue included) until the answer, or until
    /// hanging up. `time_to_answer_s` counts from the first RINGING only.
    pub fn wait_s(&self) -> Option<u32> {
        match self.outcome {
            Outcome::Answered => self
                .events
                .iter()
                .find(|e| e.kind == EventKind::Answered)
                .map(|e| seconds(self.start, e.at))
                .or(self.time_to_answer_s),
            Outcome::Abandoned => self.end.map(|end| seconds(self.start, end)),
            // Nobody was waiting to be answered.
            Outcome::NotAnswered
            | Outcome::Busy
            | Outcome::Failed
            | Outcome::InProgress
            | Outcome::AgedOut => None,
        }
    }

    /// The time of the last event (the start when there is none).
    pub fn last_event_at(&self) -> NaiveDateTime {
        self.events.last().map_or(self.start, |e| e.at)
    }
}

/// Whole seconds from `a` to `b`, 0 when `b` is before `a`.
pub fn seconds(a: NaiveDateTime, b: NaiveDateTime) -> u32 {
    u32::try_from((b - a).num_seconds().max(0)).unwrap_or(u32::MAX)
}

/// The order of equal-time events, as a call lives through them: the transfer scenario prints
/// TRANSFERRED, RINGING and CONNECTED in one second, a blind transfer HOLD then TRANSFERRED,
/// a fast answer RINGING then ANSWERED, and the manual's inbound call ANSWERED then CALLMODIFIED.
/// Gaps leave room for [`rank_in_group`].
fn base_rank(kind: EventKind) -> u8 {
    match kind {
        EventKind::Hold => 4,
        EventKind::Transferred => 8,
        EventKind::Diverted => 12,
        EventKind::Queued => 16,
        EventKind::Ringing => 20,
        EventKind::Answered => 24,
        EventKind::Connected => 28,
        EventKind::CallModified => 32,
        EventKind::Other => 36,
        EventKind::Disconnected => 40,
    }
}

/// [`base_rank`] adjusted by what else happened in the same second. No single order of kinds
/// fits every second: a call can only be held once answered, so beside an ANSWERED the hold and
/// the transfer come after it; and an extension that rings and is diverted or transferred away in
/// the same second rang first. Depends only on the set of events, never on arrival.
fn rank_in_group(e: &CallEvent, group: &[CallEvent]) -> u8 {
    let answered_here = || group.iter().any(|g| g.kind == EventKind::Answered);
    match e.kind {
        EventKind::Ringing
            if group.iter().any(|g| {
                matches!(g.kind, EventKind::Diverted | EventKind::Transferred)
                    && !g.source_extension.is_empty()
                    && g.source_extension == e.extension
            }) =>
        {
            0
        }
        EventKind::Hold if answered_here() => 25,
        EventKind::Transferred if answered_here() => 26,
        kind => base_rank(kind),
    }
}

/// Sorts a call's events: by time, then [`rank_in_group`], then content, so that any arrival
/// order of the same events gives the same list (a stable sort keeps identical events as they
/// came, which cannot be told apart anyway).
pub fn sort_events(events: &mut [CallEvent]) {
    events.sort_by_key(|e| e.at);
    let mut i = 0;
    while i < events.len() {
        let at = events[i].at;
        let mut j = i + 1;
        while j < events.len() && events[j].at == at {
            j += 1;
        }
        if j - i > 1 {
            let group = &mut events[i..j];
            let snapshot: Vec<CallEvent> = group.to_vec();
            group.sort_by_cached_key(|e| {
                (
                    rank_in_group(e, &snapshot),
                    e.extension,
                    e.source_extension,
                    e.name,
                )
            });
        }
        i = j;
    }
}

/// The running derivation of an App Suite call's fields from its events in order. Feeding one
/// more event at the end is O(1); a late event in the middle means a refold from the start.
#[derive(Debug, Clone, Default)]
pub(crate) struct Fold {
    first_ringing: Option<NaiveDateTime>,
    first_answer: Option<(NaiveDateTime, Ext)>,
    end: Option<NaiveDateTime>,
    hold_since: Option<NaiveDateTime>,
    hold_s: u32,
    queued_since: Option<NaiveDateTime>,
    queued_s: u32,
    transfers: u32,
    diversions: u32,
}

impl Fold {
    /// Feeds the next event in order; extends `path`.
    pub(crate) fn feed(&mut self, e: &CallEvent, path: &mut Vec<Ext>) {
        match e.kind {
            EventKind::Ringing => {
                self.first_ringing.get_or_insert(e.at);
                self.end_queue(e.at);
                push_path(path, e.extension);
            }
            EventKind::Answered => {
                self.first_answer.get_or_insert((e.at, e.extension));
                self.end_hold(e.at);
                self.end_queue(e.at);
            }
            EventKind::Connected => self.end_hold(e.at),
            // Already on hold: the hold goes on (one hold, not two overlapping ones).
            EventKind::Hold => {
                self.hold_since.get_or_insert(e.at);
            }
            EventKind::Queued => {
                self.queued_since.get_or_insert(e.at);
            }
            EventKind::Diverted => {
                self.diversions += 1;
                push_path(path, e.extension);
            }
            EventKind::Transferred => {
                self.transfers += 1;
                push_path(path, e.extension);
            }
            EventKind::Disconnected => {
                self.end = Some(self.end.map_or(e.at, |t| t.max(e.at)));
                self.end_hold(e.at);
                self.end_queue(e.at);
            }
            EventKind::CallModified | EventKind::Other => {}
        }
    }

    fn end_hold(&mut self, at: NaiveDateTime) {
        if let Some(since) = self.hold_since.take() {
            self.hold_s += seconds(since, at);
        }
    }

    fn end_queue(&mut self, at: NaiveDateTime) {
        if let Some(since) = self.queued_since.take() {
            self.queued_s += seconds(since, at);
        }
    }

    /// Writes the derived fields into `call` (all but `path`, which [`Fold::feed`] extends).
    pub(crate) fn apply(&self, call: &mut Call, aged: bool) {
        call.start = call.events.first().map_or(call.start, |e| e.at);
        call.end = self.end;
        call.answered_by = self.first_answer.map(|(_, ext)| ext);
        call.time_to_answer_s = self.first_answer.map(|(answered, _)| {
            let rang = self.first_ringing.filter(|r| *r <= answered);
            seconds(rang.unwrap_or(call.start), answered)
        });
        call.hold_s = self.hold_s;
        call.queued_s = self.queued_s;
        call.talk_s = match (self.first_answer, self.end) {
            (Some((answered, _)), Some(end)) => {
                Some(seconds(answered, end).saturating_sub(self.hold_s))
            }
            _ => None,
        };
        call.transfers = self.transfers;
        call.diversions = self.diversions;
        call.outcome = match (self.end, self.first_answer) {
            (Some(_), Some(_)) => Outcome::Answered,
            (Some(_), None) => Outcome::unanswered(call.direction == "IN"),
            (None, _) if aged => Outcome::AgedOut,
            (None, _) => Outcome::InProgress,
        };
    }
}

fn push_path(path: &mut Vec<Ext>, ext: Ext) {
    if !ext.is_empty() && path.last() != Some(&ext) {
        path.push(ext);
    }
}

/// Recomputes every derived field of an App Suite call from its (sorted) events.
pub(crate) fn refold(call: &mut Call, aged: bool) -> Fold {
    let mut fold = Fold::default();
    call.path.clear();
    for e in &call.events {
        fold.feed(e, &mut call.path);
    }
    fold.apply(call, aged);
    fold
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::test_util::{app_suite_call, ev};

    fn kinds(events: &[CallEvent]) -> Vec<EventKind> {
        events.iter().map(|e| e.kind).collect()
    }

    #[test]
    fn equal_times_follow_the_life_of_a_call() {
        use EventKind::*;
        // The manual's transfer: TRANSFERRED, RINGING, CONNECTED in one second, any arrival.
        let mut v = vec![
            ev("01:31:27", Connected, "2560", ""),
            ev("01:31:27", Ringing, "2560", ""),
            ev("01:31:27", Transferred, "2560", "1843"),
        ];
        sort_events(&mut v);
        assert_eq!(kinds(&v), [Transferred, Ringing, Connected]);
        // Blind transfer: HOLD then TRANSFERRED.
        let mut v = vec![
            ev("10:00:00", Transferred, "2", "1"),
            ev("10:00:00", Hold, "1", ""),
        ];
        sort_events(&mut v);
        assert_eq!(kinds(&v), [Hold, Transferred]);
        // Answered and put on hold in one second: the answer comes first.
        let mut v = vec![
            ev("10:00:00", Hold, "1", ""),
            ev("10:00:00", Answered, "1", ""),
            ev("10:00:00", Ringing, "1", ""),
        ];
        sort_events(&mut v);
        assert_eq!(kinds(&v), [Ringing, Answered, Hold]);
        // Rang at 201 and diverted to 202 in one second: 201 rang first.
        let mut v = vec![
            ev("10:00:00", Ringing, "202", ""),
            ev("10:00:00", Diverted, "202", "201"),
            ev("10:00:00", Ringing, "201", ""),
        ];
        sort_events(&mut v);
        assert_eq!(kinds(&v), [Ringing, Diverted, Ringing]);
        assert_eq!(v[0].extension, "201");
        // DISCONNECTED is last; ANSWERED before CALLMODIFIED.
        let mut v = vec![
            ev("10:00:00", Disconnected, "1", ""),
            ev("10:00:00", CallModified, "1", ""),
            ev("10:00:00", Answered, "1", ""),
        ];
        sort_events(&mut v);
        assert_eq!(kinds(&v), [Answered, CallModified, Disconnected]);
    }

    #[test]
    fn hold_and_queue_runs_are_summed_once() {
        use EventKind::*;
        let call = app_suite_call(vec![
            ev("10:00:00", Queued, "2000", ""),
            ev("10:00:30", Queued, "2000", ""),
            ev("10:01:00", Ringing, "201", ""),
            ev("10:01:05", Answered, "201", ""),
            ev("10:02:00", Hold, "201", ""),
            ev("10:02:10", Hold, "201", ""),
            ev("10:02:30", Connected, "201", ""),
            ev("10:03:00", Hold, "201", ""),
            ev("10:03:10", Disconnected, "201", ""),
        ]);
        assert_eq!(call.queued_s, 60);
        assert_eq!(call.hold_s, 40);
        assert_eq!(call.time_to_answer_s, Some(5));
        assert_eq!(call.talk_s, Some(125 - 40));
        assert_eq!(call.outcome, Outcome::Answered);
        assert_eq!(call.path, [Ext::new("201")]);
        // The caller waited in the queue too: 65 s from arriving to the answer.
        assert_eq!(call.wait_s(), Some(65));
    }
}
