//! Pairing 5000 ring-ins with call records, and outcomes, on hand-made records.

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
    let answered = |start, end: Option<&str>, ext: &str, tta, talk| -> Row {
        let by = Some(ext.to_string());
        (t(start), end.map(t), Outcome::Answered, by, tta, talk)
    };
    let abandoned =
        |start, end| -> Row { (t(start), Some(t(end)), Outcome::Abandoned, None, None, None) };
    let expected: Vec<Row> = vec![
        answered("10:00:30", Some("10:01:40"), "204", Some(30), Some(40)),
        abandoned("10:02:00", "10:02:25"),
        answered("10:02:00", Some("10:05:28"), "205", Some(8), Some(200)),
        abandoned("10:07:00", "10:07:30"),
        answered("10:07:00", Some("10:18:06"), "206", None, Some(666)),
        answered("10:19:00", Some("10:19:20"), "207", None, Some(20)),
        answered("10:20:00", Some("10:20:25"), "207", Some(10), Some(15)),
        answered("10:25:00", None, "208", Some(5), None),
        answered("10:30:10", Some("10:31:30"), "208", Some(50), Some(30)),
        answered("10:40:00", Some("10:40:30"), "209", None, Some(30)),
        answered("10:40:00", Some("10:45:43"), "209", Some(8), Some(335)),
    ];

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
    split.push(answered("10:20:00", None, "207", Some(10), None));
    split.push(answered(
        "10:20:00",
        Some("10:20:15"),
        "207",
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
