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

use std::collections::HashMap;

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
mod tests {
    use std::sync::Arc;

    use chrono::NaiveDate;

    use super::*;
    use crate::protocol::{DecodeOptions, StreamDecoder};
    use crate::timeline::CallTracker;
    use crate::timeline::test_util::at;

    /// A 5000 record on trunk 94129 at the documented columns (ring-ins: `typ` empty).
    fn rec(typ: &str, ext: &str, digits: &str, start: &str, elapsed: &str) -> String {
        format!("{typ:<3} {ext:<5} 94129 {digits:<28} {start:<5} {elapsed:>8} $00.00              ")
    }

    fn track(lines: &[&String]) -> CallTracker {
        let mut tracker = CallTracker::new(Duration::hours(8));
        let mut decoder = StreamDecoder::new(DecodeOptions {
            date: NaiveDate::from_ymd_opt(2026, 11, 20),
            ..Default::default()
        });
        let site: Arc<str> = "site".into();
        for line in lines {
            tracker.push_decoded(&site, &decoder.decode(line, None));
        }
        tracker
    }

    /// (start, end, outcome, answered by, time to answer, talk), in start order.
    type Row = (
        NaiveDateTime,
        Option<NaiveDateTime>,
        Outcome,
        Option<String>,
        Option<u32>,
        Option<u32>,
    );

    fn rows(t: &CallTracker) -> Vec<Row> {
        let mut rows: Vec<Row> = t
            .calls()
            .iter()
            .map(|c| {
                assert!(
                    c.end.is_none_or(|e| e >= c.start),
                    "{c:?} ends before it starts"
                );
                assert!(c.events.windows(2).all(|w| w[0].at <= w[1].at), "{c:?}");
                assert_eq!(c.events.first().map(|e| e.at), Some(c.start), "{c:?}");
                (
                    c.start,
                    c.end,
                    c.outcome,
                    c.answered_by.map(|e| e.to_string()),
                    c.time_to_answer_s,
                    c.talk_s,
                )
            })
            .collect();
        rows.sort_by_key(|r| (r.0, r.1));
        rows
    }

    /// Calls that follow each other on one trunk within a minute, ring-ins with and without
    /// their call records, in the order a PBX sends them (a ring-in when answered or given up,
    /// a call record when its call ends), and backwards.
    #[test]
    fn interleaved_ring_ins_on_one_trunk_pair_only_when_their_times_agree() {
        let sent = [
            // Rang from 10:00:xx for 30 s, answered in minute 10:01, talked 40 s.
            rec("", "204", "RING......8907", "10:00", "S=30"),
            rec("IN", "204", "6125550001            8907", "10:01", "S=40"),
            // Nobody answered: rang 25 s.
            rec("", "*****", "RG 6125550002         8907", "10:02", "S=25"),
            // Same START minute, answered after 8 s, 200 s of talk.
            rec("", "205", "RING......8907", "10:02", "S=8"),
            rec("IN", "205", "6125550003            8907", "10:02", "S=200"),
            // Nobody answered at 10:07; then a call without its ring-in, answered at 10:07 and
            // talked 11:06 (the "abandoned, waited 11:06" was these two merged).
            rec("", "*****", "RG 6125550004         8907", "10:07", "S=30"),
            rec(
                "IN",
                "206",
                "6125550005            8907",
                "10:07",
                "00:11:06",
            ),
            // A call record at 10:19, then a ring-in a minute later with its own record.
            rec("IN", "207", "6125550006            8907", "10:19", "S=20"),
            rec("", "207", "RING......8907", "10:20", "S=10"),
            rec("IN", "207", "6125550007            8907", "10:20", "S=15"),
            // A ring-in whose call record was lost, then one answered after 50 s.
            rec("", "208", "RING......8907", "10:25", "S=5"),
            rec("", "208", "RING......8907", "10:30", "S=50"),
            rec("IN", "208", "6125550008            8907", "10:31", "S=30"),
            // A 30 s call, then the trunk rings again within the minute: the ring-in comes
            // after the first call's record, which fits its minute too.
            rec("IN", "209", "6125550009            8907", "10:40", "S=30"),
            rec("", "209", "RING......8907", "10:40", "S=8"),
            rec("IN", "209", "6125550010            8907", "10:40", "S=335"),
        ];
        let t = |s: &str| at(&format!("2026-11-20 {s}"));
        let answered = |ext: &str| (Outcome::Answered, Some(ext.to_string()));
        let expected: Vec<Row> = [
            (
                "10:00:30",
                Some("10:01:40"),
                answered("204"),
                Some(30),
                Some(40),
            ),
            (
                "10:02:00",
                Some("10:02:25"),
                (Outcome::Abandoned, None),
                None,
                None,
            ),
            (
                "10:02:00",
                Some("10:05:28"),
                answered("205"),
                Some(8),
                Some(200),
            ),
            (
                "10:07:00",
                Some("10:07:30"),
                (Outcome::Abandoned, None),
                None,
                None,
            ),
            (
                "10:07:00",
                Some("10:18:06"),
                answered("206"),
                None,
                Some(666),
            ),
            (
                "10:19:00",
                Some("10:19:20"),
                answered("207"),
                None,
                Some(20),
            ),
            (
                "10:20:00",
                Some("10:20:25"),
                answered("207"),
                Some(10),
                Some(15),
            ),
            ("10:25:00", None, answered("208"), Some(5), None),
            (
                "10:30:10",
                Some("10:31:30"),
                answered("208"),
                Some(50),
                Some(30),
            ),
            (
                "10:40:00",
                Some("10:40:30"),
                answered("209"),
                None,
                Some(30),
            ),
            (
                "10:40:00",
                Some("10:45:43"),
                answered("209"),
                Some(8),
                Some(335),
            ),
        ]
        .into_iter()
        .map(|(start, end, (outcome, by), tta, talk)| {
            (t(start), end.map(t), outcome, by, tta, talk)
        })
        .collect();

        let in_order: Vec<&String> = sent.iter().collect();
        let calls = track(&in_order);
        assert_eq!(rows(&calls), expected);
        // The abandoned caller at 10:07 waited 30 s, not 11:36.
        let waits: Vec<Option<u32>> = calls
            .calls()
            .iter()
            .filter(|c| c.outcome == Outcome::Abandoned)
            .map(|c| c.wait_s())
            .collect();
        assert_eq!(waits, [Some(25), Some(30)]);

        // Backwards, each call record comes before its ring-in: they pair when the record's
        // call was certainly on when the ring began; the 15 s call at 10:20 may have ended
        // before, so its ring-in and record stay two calls rather than risk a wrong pair.
        let backwards: Vec<&String> = sent.iter().rev().collect();
        let mut split = expected.clone();
        split.retain(|r| r.0 != t("10:20:00"));
        split.push((
            t("10:20:00"),
            None,
            Outcome::Answered,
            Some("207".into()),
            Some(10),
            None,
        ));
        split.push((
            t("10:20:00"),
            Some(t("10:20:15")),
            Outcome::Answered,
            Some("207".into()),
            None,
            Some(15),
        ));
        split.sort_by_key(|r| (r.0, r.1));
        assert_eq!(rows(&track(&backwards)), split);
    }

    /// MiVB lines on the 90-column template (fields at their columns).
    fn mivb(calling: &str, tta: &str, digits: &str, completion: &str, called: &str) -> String {
        let mut line = format!(" 11/20 10:00  00:00:00 {calling:<4}  {tta:<3} {digits:<26}");
        line.push_str(&format!("{completion:<1} {called:<4}"));
        format!("{line:<85}000  ")
    }

    #[test]
    fn outcomes_say_what_happened() {
        let lines = [
            // Incoming, rang, nobody answered: a caller who gave up.
            mivb("T003", "***", "94163759", "", ""),
            // Incoming, error / invalid.
            mivb("T004", "***", "94163760", "E", ""),
            // Outgoing to a busy line.
            mivb("2001", "", "96135551234", "B", "T005"),
            // Outgoing, nobody picked up.
            mivb("2002", "***", "96135554321", "", "T006"),
            // Internal, nobody picked up.
            mivb("2003", "***", "2004", "I", "2004"),
            // Incoming, answered after 8 s.
            mivb("T007", "008", "94163761", "", "2005"),
        ];
        let refs: Vec<&String> = lines.iter().collect();
        let t = track(&refs);
        let got: Vec<(&str, Outcome, Option<String>)> = t
            .calls()
            .iter()
            .map(|c| {
                (
                    c.direction.as_str(),
                    c.outcome,
                    c.answered_by.map(|e| e.to_string()),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("IN", Outcome::Abandoned, None),
                ("IN", Outcome::Failed, None),
                ("OUT", Outcome::Busy, None),
                ("OUT", Outcome::NotAnswered, None),
                ("INTERNAL", Outcome::NotAnswered, None),
                ("IN", Outcome::Answered, Some("2005".into())),
            ]
        );
        let s = crate::timeline::stats(t.calls(), 20);
        assert_eq!(
            (s.abandoned, s.busy, s.failed, s.not_answered, s.answered),
            (1, 1, 1, 2, 1)
        );
        // Only the caller who gave up is one to call back.
        assert_eq!((s.incoming, s.incoming_abandoned), (3, 1));
        let callers: Vec<&str> = t
            .calls()
            .iter()
            .filter(|c| crate::timeline::is_abandoned_caller(&crate::timeline::CallFacts::of(c)))
            .map(|c| c.ddi.as_str())
            .collect();
        assert_eq!(callers, ["94163759"]);
    }
}
