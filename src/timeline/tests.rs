//! The tracker on the seed's scenarios, shuffled arrivals, 12-hour clocks, 5000 and MiVB.

use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use proptest::prelude::*;

use super::test_util::at;
use super::*;
use crate::protocol::appsuite::{Event, EventKind, TimeReading, parse_event};
use crate::protocol::lines::Lines;
use crate::protocol::{DecodeOptions, Format, StreamDecoder};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The calls of a text log, its lines split as imports and sockets split them.
fn track(data: &[u8], options: DecodeOptions) -> CallTracker {
    let mut tracker = CallTracker::new(Duration::hours(8));
    let mut decoder = StreamDecoder::new(options);
    let site: Arc<str> = "site".into();
    for line in Lines::new(data) {
        assert_eq!(line.problem, None, "line {}", line.number);
        decoder.decode_bytes(line.bytes, None, |d, _| {
            tracker.push_decoded(&site, d);
        });
    }
    tracker
}

fn by_id<'a>(t: &'a CallTracker, id: &str) -> &'a Call {
    t.calls()
        .iter()
        .find(|c| c.call_id == id)
        .unwrap_or_else(|| panic!("no call {id}"))
}

fn exts(v: &[Ext]) -> Vec<&str> {
    v.iter().map(|e| e.as_str()).collect()
}

/// (outcome, answered_by, time_to_answer, talk, hold, transfers, path)
type Summary<'a> = (
    Outcome,
    Option<&'a str>,
    Option<u32>,
    Option<u32>,
    u32,
    u32,
    Vec<&'a str>,
);

fn summary(c: &Call) -> Summary<'_> {
    (
        c.outcome,
        c.answered_by.as_ref().map(|e| e.as_str()),
        c.time_to_answer_s,
        c.talk_s,
        c.hold_s,
        c.transfers,
        exts(&c.path),
    )
}

fn check_seed_scenarios(t: &CallTracker) {
    assert_eq!(t.calls().len(), 4);
    let inbound = by_id(t, "2012030901204052070264");
    assert_eq!(
        summary(inbound),
        (
            Outcome::Answered,
            Some("1843"),
            Some(3),
            Some(3),
            0,
            0,
            vec!["1843"]
        )
    );
    assert_eq!(inbound.start, at("2012-03-09 01:20:40"));
    assert_eq!(inbound.end, Some(at("2012-03-09 01:20:46")));
    assert_eq!(
        (
            inbound.direction.as_str(),
            inbound.number.as_str(),
            inbound.contact_name.as_str(),
            inbound.ddi.as_str()
        ),
        ("IN", "79XXXXXXXX", "CHRIS R MOBILE", "44161XXXXXXX")
    );
    assert_eq!(inbound.events.len(), 4);
    assert_eq!(inbound.events[2].name, "CALLMODIFIED");

    // Printed 12:46:59 on a call that started 00:46:59: a 12-hour clock.
    let outbound = by_id(t, "2012030900465982190047");
    assert_eq!(
        summary(outbound),
        (
            Outcome::Answered,
            Some("1843"),
            Some(7),
            Some(4),
            0,
            0,
            vec!["1843"]
        )
    );
    assert_eq!(outbound.start, at("2012-03-09 00:46:59"));
    assert_eq!(outbound.end, Some(at("2012-03-09 00:47:10")));
    assert_eq!(outbound.direction, "OUT");
    assert_eq!(
        (outbound.contact_name.as_str(), outbound.ddi.as_str()),
        ("", "")
    );

    let held = by_id(t, "2012030901205303270264");
    assert_eq!(
        summary(held),
        (
            Outcome::Answered,
            Some("1843"),
            Some(1),
            Some(3),
            3,
            0,
            vec!["1843"]
        )
    );
    // The earliest event's caller id, not the DISCONNECTED's different one.
    assert_eq!(held.number, "79XXXXXXXX");

    let transferred = by_id(t, "2012030901311586070264");
    assert_eq!(
        summary(transferred),
        (
            Outcome::Answered,
            Some("1843"),
            Some(3),
            Some(4),
            7,
            1,
            vec!["1843", "2560"]
        )
    );
    let order: Vec<&str> = transferred.events.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        order,
        [
            "RINGING",
            "ANSWERED",
            "HOLD",
            "TRANSFERRED",
            "RINGING",
            "CONNECTED",
            "DISCONNECTED"
        ]
    );
    assert_eq!(transferred.events[3].source_extension, "1843");
}

#[test]
fn seed_scenarios_give_the_expected_calls() {
    let t = track(
        &fixture("appsuite/manual-examples-162.txt"),
        DecodeOptions::default(),
    );
    check_seed_scenarios(&t);
    // The manual's lines as published (padding collapsed, one group fewer) give the same calls.
    let published = track(
        &fixture("appsuite/manual-examples-as-published.txt"),
        DecodeOptions::default(),
    );
    check_seed_scenarios(&published);
    assert_eq!(published.calls(), t.calls());
}

#[test]
fn the_same_log_twice_gives_the_same_calls() {
    let data = fixture("appsuite/manual-examples-162.txt");
    let mut twice = data.clone();
    twice.extend_from_slice(&data);
    let t = track(&twice, DecodeOptions::default());
    check_seed_scenarios(&t);
    assert_eq!(t.calls(), track(&data, DecodeOptions::default()).calls());
}

fn lines_of(data: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(data)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.trim_end().to_string())
        .collect()
}

fn push_lines(lines: &[String]) -> CallTracker {
    let mut t = CallTracker::new(Duration::hours(8));
    let site: Arc<str> = "site".into();
    for l in lines {
        let e = parse_event(l, '0').unwrap();
        t.push(&site, &e);
    }
    t
}

fn sorted_calls(t: &CallTracker) -> Vec<Call> {
    let mut v = t.calls().to_vec();
    v.sort_by(|a, b| a.call_id.cmp(&b.call_id));
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Any arrival order of the seed's events gives the same calls.
    #[test]
    fn shuffled_seed_events_give_identical_calls(
        shuffled in Just(lines_of(&fixture("appsuite/manual-examples-162.txt"))).prop_shuffle()
    ) {
        let reference = push_lines(&lines_of(&fixture("appsuite/manual-examples-162.txt")));
        let t = push_lines(&shuffled);
        prop_assert_eq!(sorted_calls(&t), sorted_calls(&reference));
    }

    /// Any arrival order of random events of one call, with many equal times, gives the same call.
    #[test]
    fn shuffled_random_events_give_an_identical_call(
        (events, shuffled) in prop::collection::vec(
            (0i64..5, 0usize..KINDS.len(), 0usize..3, 0usize..3, 0usize..2),
            1..14,
        )
        .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle()))
    ) {
        let site: Arc<str> = "s".into();
        let mut a = CallTracker::new(Duration::hours(1));
        let mut b = CallTracker::new(Duration::hours(1));
        for e in &events {
            a.push(&site, &synthetic(*e));
        }
        for e in &shuffled {
            b.push(&site, &synthetic(*e));
        }
        prop_assert_eq!(a.calls(), b.calls());
    }
}

const KINDS: [&str; 11] = [
    "RINGING",
    "ANSWERED",
    "HOLD",
    "CONNECTED",
    "CALLCONNECTED",
    "DIVERTED",
    "TRANSFERRED",
    "QUEUED",
    "CALLMODIFIED",
    "DISCONNECTED",
    "PARKED",
];
const EXTS: [&str; 3] = ["201", "202", "2000"];
const NUMBERS: [&str; 2] = ["0612345678", "0798765432"];

fn synthetic(
    (offset, kind, ext, src, number): (i64, usize, usize, usize, usize),
) -> Event<'static> {
    let start = at("2026-11-20 10:00:00");
    Event {
        timestamp: start + Duration::seconds(offset),
        time_reading: TimeReading::AsPrinted,
        call_start: Some(start),
        direction: "IN",
        call_id: "20261120100000AAAA0001",
        trunk: "92108",
        extension: EXTS[ext],
        source_extension: if matches!(KINDS[kind], "DIVERTED" | "TRANSFERRED") {
            EXTS[src]
        } else {
            ""
        },
        number: NUMBERS[number],
        contact_name: "",
        ddi: "",
        ddi_name: "",
        account_code: "",
        event: KINDS[kind],
        kind: EventKind::from_name(KINDS[kind]),
    }
}

/// An App Suite line as the manual publishes them (12-hour time as printed).
fn line(printed: &str, call_id: &str, ext: &str, event: &str) -> String {
    format!(
        "{printed} |IN | {call_id} 0092108 000{ext} 0000000 0000079XXXXXXXX |CHRIS R MOBILE| 00044161XXXXXXX |CHRIS DID | 000000000000 |{event} |"
    )
}

#[test]
fn a_call_across_midnight_on_a_12_hour_clock() {
    let id = "20260105235950AB12CD34";
    let t = push_lines(&[
        line("2026-01-05 11:59:50", id, "1843", "RINGING"),
        line("2026-01-06 12:00:05", id, "1843", "ANSWERED"),
        line("2026-01-06 12:01:05", id, "1843", "DISCONNECTED"),
    ]);
    let c = &t.calls()[0];
    assert_eq!(c.start, at("2026-01-05 23:59:50"));
    assert_eq!(c.end, Some(at("2026-01-06 00:01:05")));
    assert_eq!((c.time_to_answer_s, c.talk_s), (Some(15), Some(60)));
    assert_eq!(c.outcome, Outcome::Answered);
}

#[test]
fn a_call_across_noon_on_a_12_hour_clock() {
    let id = "20260105115950AB12CD34";
    let t = push_lines(&[
        line("2026-01-05 11:59:50", id, "1843", "RINGING"),
        line("2026-01-05 12:00:10", id, "1843", "ANSWERED"),
        line("2026-01-05 12:30:10", id, "1843", "HOLD"),
        line("2026-01-05 12:31:10", id, "1843", "CONNECTED"),
        line("2026-01-05 01:00:10", id, "1843", "DISCONNECTED"),
    ]);
    let c = &t.calls()[0];
    assert_eq!(c.start, at("2026-01-05 11:59:50"));
    assert_eq!(c.end, Some(at("2026-01-05 13:00:10")));
    assert_eq!(
        (c.time_to_answer_s, c.hold_s, c.talk_s),
        (Some(20), 60, Some(3600 - 60))
    );
}

#[test]
fn abandoned_and_aged_out_calls() {
    let site: Arc<str> = "s".into();
    let mut t = CallTracker::new(Duration::hours(1));
    let ring = line(
        "2026-01-05 10:00:00",
        "20260105100000AAAAAAAA",
        "201",
        "RINGING",
    );
    t.push(&site, &parse_event(&ring, '0').unwrap());
    assert_eq!(t.calls()[0].outcome, Outcome::InProgress);
    let g = t.generation();
    t.age_out(at("2026-01-05 10:59:00"));
    assert_eq!(
        (t.calls()[0].outcome, t.generation()),
        (Outcome::InProgress, g)
    );
    t.age_out(at("2026-01-05 11:00:01"));
    assert_eq!(t.calls()[0].outcome, Outcome::AgedOut);
    assert!(t.generation() > g);
    // A late DISCONNECTED still ends it: without an ANSWERED, abandoned.
    let end = line(
        "2026-01-05 11:05:00",
        "20260105100000AAAAAAAA",
        "201",
        "DISCONNECTED",
    );
    assert_eq!(t.push(&site, &parse_event(&end, '0').unwrap()), 0);
    let c = &t.calls()[0];
    assert_eq!((c.outcome, c.wait_s()), (Outcome::Abandoned, Some(65 * 60)));
    // Unknown events are kept.
    let odd = line(
        "2026-01-05 10:00:01",
        "20260105100000AAAAAAAA",
        "201",
        "PARKED",
    );
    t.push(&site, &parse_event(&odd, '0').unwrap());
    let c = &t.calls()[0];
    assert_eq!(
        (c.events[1].name.as_str(), c.events[1].kind),
        ("PARKED", EventKind::Other)
    );
    // The same call id at another site is another call.
    let other: Arc<str> = "other".into();
    assert_eq!(t.push(&other, &parse_event(&ring, '0').unwrap()), 1);
}

/// A 5000 call record line from its fields, at the documented columns.
fn m5k(typ: &str, ext: &str, trunk: &str, digits: &str, start: &str, elapsed: &str) -> String {
    format!(
        "{typ:<3} {ext:<5} {trunk:<5} {digits:<28} {start:<5} {elapsed:>8} $00.00              "
    )
}

fn options_on(date: &str) -> DecodeOptions {
    DecodeOptions {
        date: NaiveDate::parse_from_str(date, "%Y-%m-%d").ok(),
        ..Default::default()
    }
}

#[test]
fn mitel5000_ring_in_and_call_record_pair_in_either_order() {
    let ring = m5k(
        "",
        "204",
        "94129",
        "RG 6125551234          8907",
        "10:00",
        "S=12",
    );
    let record = m5k(
        "IN",
        "204",
        "94129",
        "6125551234            8907",
        "10:00",
        "00:03:20",
    );
    let unrelated = m5k("TLC", "104", "94151", "952-474-1742", "10:00", "S=226");
    let forward = format!("{ring}\r\n{unrelated}\r\n{record}\r\n");
    let backward = format!("{record}\r\n{unrelated}\r\n{ring}\r\n");
    let a = track(forward.as_bytes(), options_on("2026-11-20"));
    let b = track(backward.as_bytes(), options_on("2026-11-20"));
    assert_eq!(a.calls().len(), 2);
    let paired = &a.calls()[0];
    assert_eq!(
        summary(paired),
        (
            Outcome::Answered,
            Some("204"),
            Some(12),
            Some(200),
            0,
            0,
            vec!["204"]
        )
    );
    assert_eq!(paired.call_id, "94129@202611201000");
    assert_eq!(paired.start, at("2026-11-20 10:00:00"));
    assert_eq!(paired.end, Some(at("2026-11-20 10:03:32")));
    assert_eq!(
        (
            paired.direction.as_str(),
            paired.number.as_str(),
            paired.ddi.as_str()
        ),
        ("IN", "6125551234", "8907")
    );
    let names: Vec<&str> = paired.events.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["RINGING", "ANSWERED", "DISCONNECTED"]);
    assert_eq!(b.calls().len(), 2);
    assert_eq!(b.calls()[0], *paired);
    let out = &a.calls()[1];
    assert_eq!((out.direction.as_str(), out.talk_s), ("OUT", Some(226)));
}

#[test]
fn mitel5000_fixture_ring_ins() {
    let t = track(
        &fixture("mitel5000/axxess-8520-records.txt"),
        DecodeOptions::default(),
    );
    assert_eq!(t.calls().len(), 5);
    let abandoned = &t.calls()[0];
    assert_eq!(
        summary(abandoned),
        (Outcome::Abandoned, None, None, None, 0, 0, vec![])
    );
    assert_eq!(abandoned.number, "612-804-4082");
    assert_eq!(abandoned.start, at("2012-07-03 00:29:00"));
    assert_eq!(abandoned.wait_s(), Some(5));
    // Answered at 181 after 9 s; its call record is not in the sample.
    let rang = &t.calls()[1];
    assert_eq!(
        summary(rang),
        (
            Outcome::Answered,
            Some("181"),
            Some(9),
            None,
            0,
            0,
            vec!["181"]
        )
    );
    assert_eq!((rang.end, rang.ddi.as_str()), (None, "0063"));
    let s = stats(t.calls(), 20);
    assert_eq!((s.answered, s.abandoned), (4, 1));
    let first = t
        .calls()
        .iter()
        .find(|c| is_abandoned_caller(&CallFacts::of(c)));
    assert_eq!(first.map(|c| c.number.as_str()), Some("612-804-4082"));
}

#[test]
fn undated_5000_records_are_counted_not_guessed() {
    let record = m5k("TLC", "104", "94151", "952-474-1742", "10:00", "S=226");
    let t = track(record.as_bytes(), DecodeOptions::default());
    assert_eq!((t.calls().len(), t.undated_records()), (0, 1));
}

#[test]
fn mivb_records_are_calls() {
    let options = DecodeOptions {
        today: NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
        ..Default::default()
    };
    let t = track(&fixture("mivb/standard-90-synthetic.txt"), options);
    let c = t.calls();
    assert_eq!(c.len(), 5);
    assert!(c.iter().all(|c| c.format == Format::Mivb));
    let row = |c: &Call| {
        (
            c.direction.to_string(),
            c.outcome,
            c.answered_by.map(|e| e.to_string()),
            c.time_to_answer_s,
            c.talk_s,
            c.transfers,
        )
    };
    assert_eq!(
        row(&c[0]),
        (
            "OUT".into(),
            Outcome::Answered,
            Some("214".into()),
            None,
            Some(509),
            0
        )
    );
    assert_eq!(c[0].number, "6135952122");
    assert_eq!(
        row(&c[1]),
        (
            "IN".into(),
            Outcome::Answered,
            Some("201".into()),
            Some(8),
            Some(142),
            0
        )
    );
    // `***` with completion E: an error, not a caller who gave up.
    assert_eq!(
        row(&c[2]),
        ("IN".into(), Outcome::Failed, None, None, None, 0)
    );
    assert_eq!(c[2].ddi, "94163759");
    assert_eq!(
        row(&c[3]),
        (
            "INTERNAL".into(),
            Outcome::Answered,
            Some("7406".into()),
            Some(3),
            Some(998),
            0
        )
    );
    assert_eq!(
        row(&c[4]),
        (
            "IN".into(),
            Outcome::Answered,
            Some("2301".into()),
            Some(12),
            Some(2467),
            1
        )
    );
    assert_eq!(exts(&c[4].path), ["2301", "2305"]);
    assert_eq!(c[4].call_id, "T009@202611210902");
    assert_eq!(c[1].start, at("2026-01-30 15:10:00"));
}
