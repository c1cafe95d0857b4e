//! Calls from 5000 and MiVB call records, which (unlike App Suite) say nothing about a call
//! until it is over.
//!
//! **5000.** A ring-in diagnostic record (TYP blank) tells when a trunk began ringing, for how
//! long, and who answered (`*****`: nobody). The call record (`IN`, `DID`, `DSA`) comes when the
//! call ends. The pairing rule (`docs/calls.md`): a trunk carries one call at a time, so calls on
//! one trunk that overlap or follow within a minute are different calls; an answered ring-in
//! and an incoming call record on the same trunk are one call only when their times agree — the
//! call record's START (the minute the call was answered) is the minute of ring START + ring
//! time, i.e. `START(record) − START(ring-in)` is within 59 s of the ring time (both STARTs are
//! whole minutes). A `*****` ring-in is a whole call: nobody answered, so no call record follows
//! it. A ring-in is sent when the ringing ends, so before its call's record; a call record that
//! came before a ring-in pairs with it only when its call was certainly still on when the ring
//! began (START + ELAPSED past the ring-in's START minute): the record of the trunk's previous
//! call, which ended just before, fits the minute as well. Among several candidates the one
//! answered at the call record's extension, then the closest fit, then the earliest wins.
//! Fields:
//! - `call_id` = `<trunk>@<YYYYMMDDhhmm>` of the ring (or call) start; `start` the ring start;
//! - `direction` `IN` for ring-ins and `IN`/`DID`/`DSA`, `OUT` for `LOC`, `TLC`, `TLD`, `O/I`,
//!   `OP`, `INT`, `000`, else the call type as printed (`NET`, `CNF`);
//! - `time_to_answer_s` = ring time; `outcome` `abandoned` for a `*****` ring-in, else
//!   `answered` (a ring-in says so even before its call record arrives; `end` and `talk_s` stay
//!   empty until then); `talk_s` = ELAPSED; `answered_by` the ring-in's extension, or the call
//!   record's; `path` those extensions;
//! - events derived: RINGING at the ring start (moved later within its START minute when the
//!   call record's START says the answer came later), ANSWERED after the ring time,
//!   DISCONNECTED at the answer + ELAPSED (for an unanswered ring-in, after the ring time):
//!   never before the start, always in time order.
//!
//! **MiVB.** One record per call: `IN` when the calling party is a trunk (`Tnnn`, `Xnnn`), `OUT`
//! when the called party is, else `INTERNAL`; `time_to_answer_s` as printed; `busy` for
//! completion `B`, `failed` for `E` (error / invalid), else for `***` `abandoned` when incoming
//! and `not_answered` otherwise, else `answered` by the called party (incoming/internal) or the
//! calling one (outgoing); `talk_s` = duration; a `T`/`X` transfer flag adds the third party to the path
//! and counts a transfer; `call_id` the printed call id (`id-sequence`) or
//! `<calling party>@<YYYYMMDDhhmm>`; events RINGING at the start, ANSWERED after the time to
//! answer, DISCONNECTED at the end.

use foldhash::HashMap;

use chrono::{Duration, NaiveDateTime};

use super::call::{Call, CallEvent, Outcome, sort_events};
use super::ext::Ext;
use crate::protocol::appsuite::EventKind;
use crate::protocol::{mitel5000, mivb};

/// What one 5000 record says about a call.
#[derive(Debug, Clone)]
pub(crate) struct Part5000 {
    start: NaiveDateTime,
    ring_in: bool,
    /// Ring time on a ring-in, ELAPSED on a call record.
    seconds: u32,
    /// The answering extension on a ring-in (empty when `*****`), else EXT#.
    extension: Ext,
    trunk: Ext,
    call_type: Ext,
    number: String,
    did: String,
}

impl Part5000 {
    /// A waiting-list entry for this record's call, at index `call`.
    pub(crate) fn waiting(&self, call: u32) -> Waiting {
        Waiting {
            trunk: self.trunk,
            start: self.start,
            seconds: self.seconds,
            extension: self.extension,
            call,
        }
    }
}

pub(crate) fn part_5000(c: &mitel5000::CallRecord<'_>, start: NaiveDateTime) -> Part5000 {
    Part5000 {
        start,
        ring_in: c.ring_in,
        seconds: c.duration_s,
        extension: if c.unanswered_ring() {
            Ext::default()
        } else {
            Ext::new(c.extension)
        },
        trunk: Ext::new(c.trunk),
        call_type: Ext::new(c.call_type),
        number: c.number().to_string(),
        did: c.did().to_string(),
    }
}

/// Answered ring-ins and incoming call records are paired; other records (an unanswered
/// ring-in among them) are calls on their own.
pub(crate) fn pairable(c: &mitel5000::CallRecord<'_>) -> bool {
    if c.ring_in {
        !c.unanswered_ring()
    } else {
        matches!(c.call_type, "IN" | "DID" | "DSA")
    }
}

/// STARTs are whole minutes: the true times lie up to this much after them.
const MINUTE_SLACK_S: i64 = 59;

/// How far a call record's START is from where an answered ring-in says its call was answered
/// (ring START + ring time), in seconds; `None` when the two cannot be one call. The call was
/// answered at `r` + ring time for some `r` in the ring-in's START minute, and the call record's
/// START is the minute of that answer, so their difference is within 59 s of the ring time.
fn misfit_s(ring: &Waiting, record: &Waiting) -> Option<i64> {
    let gap = (record.start - ring.start).num_seconds();
    let misfit = (gap - i64::from(ring.seconds)).abs();
    (misfit <= MINUTE_SLACK_S).then_some(misfit)
}

/// Whether a call record's call was certainly still on when a ring-in's ringing began: it ended
/// no earlier than START + ELAPSED, the ringing began within the ring-in's START minute. Then
/// the two are one call, as a trunk carries one call at a time.
fn on_when_it_rang(ring: &Waiting, record: &Waiting) -> bool {
    let earliest_end = record.start + Duration::seconds(i64::from(record.seconds));
    earliest_end > ring.start + Duration::seconds(MINUTE_SLACK_S)
}

/// The ring-in and call record of one 5000 call, as far as they have arrived.
#[derive(Debug, Default)]
pub(crate) struct Parts5000 {
    ring: Option<Part5000>,
    record: Option<Part5000>,
}

impl Parts5000 {
    pub(crate) fn add(&mut self, part: Part5000) {
        if part.ring_in {
            self.ring = Some(part);
        } else {
            self.record = Some(part);
        }
    }
}

/// A record waiting for its partner.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Waiting {
    trunk: Ext,
    start: NaiveDateTime,
    /// Ring time of a ring-in, ELAPSED of a call record.
    seconds: u32,
    extension: Ext,
    call: u32,
}

/// Unpaired 5000 records of one site, by trunk.
#[derive(Debug, Default)]
pub(crate) struct Pairing {
    ring_ins: HashMap<Ext, Vec<Waiting>>,
    records: HashMap<Ext, Vec<Waiting>>,
}

/// Waiting records whose start is this far behind a new one are given up on, so the lists
/// stay short on a busy trunk.
const GIVE_UP: Duration = Duration::hours(24);

impl Pairing {
    pub(crate) fn wait(&mut self, w: Waiting, ring_in: bool) {
        let lists = if ring_in {
            &mut self.ring_ins
        } else {
            &mut self.records
        };
        let list = lists.entry(w.trunk).or_default();
        list.retain(|old| old.start > w.start - GIVE_UP);
        list.push(w);
    }

    /// Finds, removes and returns the call index of the waiting partner of `part`, if any.
    pub(crate) fn take_partner(&mut self, part: &Part5000) -> Option<u32> {
        let lists = if part.ring_in {
            &mut self.records
        } else {
            &mut self.ring_ins
        };
        let list = lists.get_mut(&part.trunk)?;
        let me = part.waiting(0);
        let best = list
            .iter()
            .enumerate()
            .filter_map(|(i, w)| {
                let (ring, record) = if part.ring_in { (&me, w) } else { (w, &me) };
                let misfit = misfit_s(ring, record)?;
                // A ring-in arriving after a call record: the record of the trunk's previous
                // call (ended just before this one rang) fits the minute as well as this
                // call's own would; only a call still on when this one rang is certainly it.
                if part.ring_in && !on_when_it_rang(ring, record) {
                    return None;
                }
                let other_extension = ring.extension != record.extension;
                Some(((other_extension, misfit, w.start), i))
            })
            .min()?;
        Some(list.remove(best.1).call)
    }
}

/// Fills every field of a 5000 call from its parts.
pub(crate) fn fill_5000(call: &mut Call, parts: &Parts5000) {
    let (ring, record) = (parts.ring.as_ref(), parts.record.as_ref());
    let Some(first) = ring.or(record) else {
        return;
    };
    let secs = |s: u32| Duration::seconds(i64::from(s));
    let unanswered = ring.is_some_and(|r| r.extension.is_empty());
    // STARTs are whole minutes. An answered call's record START is the minute of its answer, so
    // a ring that ended in that minute began no earlier than START(record) − ring time.
    let rang_from = match (ring, record) {
        (Some(r), Some(rec)) if !unanswered => r.start.max(rec.start - secs(r.seconds)),
        _ => first.start,
    };
    call.start = rang_from;
    call.call_id = format!("{}@{}", first.trunk, first.start.format("%Y%m%d%H%M"));
    call.direction = Ext::new(match record {
        Some(r) => direction_5000(&r.call_type),
        None => "IN",
    });
    let pick = |f: fn(&Part5000) -> &str| {
        record
            .map(f)
            .filter(|s| !s.is_empty())
            .or(ring.map(f))
            .unwrap_or("")
            .to_string()
    };
    call.number = pick(|p| &p.number);
    call.ddi = pick(|p| &p.did);
    call.contact_name.clear();

    let mut events = Vec::with_capacity(3);
    if let Some(r) = ring {
        events.push(CallEvent::new(rang_from, EventKind::Ringing, &r.extension));
    }
    let answer = match ring {
        Some(r) if !unanswered => Some((rang_from + secs(r.seconds), r.extension)),
        Some(_) => None,
        None => record
            .filter(|r| !r.extension.is_empty())
            .map(|r| (r.start, r.extension)),
    };
    if let Some((at, ext)) = answer {
        events.push(CallEvent::new(at, EventKind::Answered, &ext));
    }
    call.end = match (record, ring) {
        (Some(rec), _) => Some(answer.map_or(rec.start, |(at, _)| at) + secs(rec.seconds)),
        (None, Some(r)) if unanswered => Some(r.start + secs(r.seconds)),
        (None, _) => None,
    }
    // Pairing keeps this from happening; a call that ended before it started is nonsense.
    .map(|end| end.max(call.start));
    if let Some(end) = call.end {
        let ext = record.map_or(Ext::default(), |r| r.extension);
        events.push(CallEvent::new(end, EventKind::Disconnected, &ext));
    }
    sort_events(&mut events);
    call.events = events;

    call.outcome = if unanswered {
        Outcome::Abandoned
    } else {
        Outcome::Answered
    };
    call.answered_by = answer.map(|(_, ext)| ext);
    call.time_to_answer_s = ring.filter(|_| !unanswered).map(|r| r.seconds);
    call.talk_s = record.filter(|_| !unanswered).map(|r| r.seconds);
    call.path.clear();
    for ext in [ring.map(|r| r.extension), record.map(|r| r.extension)]
        .into_iter()
        .flatten()
    {
        if !ext.is_empty() && call.path.last() != Some(&ext) {
            call.path.push(ext);
        }
    }
}

fn direction_5000(call_type: &str) -> &str {
    match call_type {
        "IN" | "DID" | "DSA" => "IN",
        "LOC" | "TLC" | "TLD" | "O/I" | "OP" | "INT" | "000" => "OUT",
        other => other,
    }
}

/// A trunk on MiVB: `Tnnn` (CO) or `Xnnn` (non-CO).
fn is_trunk(party: &str) -> bool {
    let b = party.as_bytes();
    matches!(b.first(), Some(b'T' | b'X')) && b.get(1).is_some_and(u8::is_ascii_digit)
}

/// Fills every field of a MiVB call from its record; `call.start` is already set.
pub(crate) fn fill_mivb(call: &mut Call, c: &mivb::CallRecord<'_>) {
    let start = call.start;
    let internal = c.completion == "I";
    let incoming = !internal && is_trunk(c.calling_party);
    let outgoing = !internal && !incoming && is_trunk(c.called_party);
    call.direction = Ext::new(if incoming {
        "IN"
    } else if outgoing {
        "OUT"
    } else {
        "INTERNAL"
    });
    let ours = Ext::new(if outgoing {
        c.calling_party
    } else {
        c.called_party
    });
    call.call_id = match c.call_id.filter(|id| !id.is_empty()) {
        Some(id) => match c.call_sequence.filter(|s| !s.is_empty()) {
            Some(seq) => format!("{id}-{seq}"),
            None => id.to_string(),
        },
        None => format!("{}@{}", c.calling_party, start.format("%Y%m%d%H%M")),
    };
    call.number = if incoming {
        c.ani.unwrap_or("").to_string()
    } else {
        c.digits.to_string()
    };
    call.ddi = match c.dnis.filter(|d| !d.is_empty()) {
        Some(d) => d.to_string(),
        None if incoming => c.digits.to_string(),
        None => String::new(),
    };

    let unanswered = match c.completion {
        "B" => Some(Outcome::Busy),
        "E" => Some(Outcome::Failed),
        _ if c.unanswered => Some(Outcome::unanswered(incoming)),
        _ => None,
    };
    let secs = |s: u32| Duration::seconds(i64::from(s));
    let answered_at = start + secs(c.time_to_answer_s.unwrap_or(0));
    let mut events = vec![CallEvent::new(start, EventKind::Ringing, &ours)];
    if let Some(outcome) = unanswered {
        call.outcome = outcome;
        call.end = Some(start + secs(c.duration_s));
        call.answered_by = None;
        call.time_to_answer_s = None;
        call.talk_s = None;
    } else {
        call.outcome = Outcome::Answered;
        call.end = Some(answered_at + secs(c.duration_s));
        call.answered_by = (!ours.is_empty()).then_some(ours);
        call.time_to_answer_s = c.time_to_answer_s;
        call.talk_s = Some(c.duration_s);
        events.push(CallEvent::new(answered_at, EventKind::Answered, &ours));
    }
    let transferred = matches!(c.transfer_flag, "T" | "X") && !c.third_party.is_empty();
    let last = if transferred {
        Ext::new(c.third_party)
    } else {
        ours
    };
    if let Some(end) = call.end {
        events.push(CallEvent::new(end, EventKind::Disconnected, &last));
    }
    sort_events(&mut events);
    call.events = events;
    call.transfers = u32::from(transferred);
    call.path.clear();
    for ext in [ours, last] {
        if !ext.is_empty() && call.path.last() != Some(&ext) {
            call.path.push(ext);
        }
    }
}

#[cfg(test)]
mod tests;
