use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, Local, NaiveDateTime, TimeZone};

use super::*;
use crate::protocol::appsuite::EventKind;
use crate::protocol::{Body, DateSource, DecodeOptions, Format, Kind, StreamDecoder};

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
}

fn received(t: NaiveDateTime) -> DateTime<FixedOffset> {
    Local
        .from_local_datetime(&t)
        .earliest()
        .unwrap_or_else(|| Local.from_utc_datetime(&t))
        .fixed_offset()
}

fn lines(format: TrafficFormat, start: &str, n: usize) -> Vec<Line> {
    let mut g = Generator::with_rate(format, 42, at(start), 2.0);
    let mut out = Vec::new();
    g.next_lines(n, &mut out);
    out
}

/// Decodes generated lines as a collector would (format known, receipt time = send time).
fn decode_all(format: Format, lines: &[Line], mut check: impl FnMut(&Line, &Body<'_>)) {
    let mut decoder = StreamDecoder::new(DecodeOptions {
        format: Some(format),
        ..Default::default()
    });
    for line in lines {
        let d = decoder.decode(&line.text, Some(received(line.at)));
        assert_ne!(
            d.kind(),
            Kind::Unparsed,
            "{:?} does not decode: {:?}",
            line.text,
            d.body
        );
        check(line, &d.body);
    }
}

#[test]
fn same_seed_same_lines_and_time_order() {
    for format in [
        TrafficFormat::Mitel5000,
        TrafficFormat::AppSuite,
        TrafficFormat::Mivb,
    ] {
        let a = lines(format, "2026-11-29 09:00:00", 500);
        assert_eq!(a, lines(format, "2026-11-29 09:00:00", 500));
        assert!(a.windows(2).all(|w| w[0].at <= w[1].at), "{format:?}");
        assert!(a[0].at >= at("2026-11-29 09:00:00"));
    }
}

#[test]
fn ten_thousand_mitel5000_lines_decode_with_headers_at_midnight() {
    let lines = lines(TrafficFormat::Mitel5000, "2026-11-28 23:00:00", 10_000);
    let mut kinds: HashMap<String, u32> = HashMap::new();
    let mut headers = Vec::new();
    let mut styles = (0, 0);
    decode_all(Format::Mitel5000, &lines, |line, body| match body {
        Body::Mitel5000Call(c) => {
            assert_eq!(line.text.len(), 80, "{:?}", line.text);
            let key = if c.ring_in {
                if c.unanswered_ring() {
                    "ring-in unanswered"
                } else {
                    "ring-in"
                }
            } else {
                c.call_type
            };
            *kinds.entry(key.to_string()).or_default() += 1;
            if line.text[51..59].contains("S=") {
                styles.0 += 1;
            } else {
                styles.1 += 1;
            }
        }
        Body::Mitel5000Header(h) => {
            assert_eq!(line.text.len(), 79);
            headers.push((h.date, line.at.date()));
        }
        other => panic!("unexpected {other:?}"),
    });
    for typ in [
        "IN",
        "NET",
        "LOC",
        "TLC",
        "TLD",
        "O/I",
        "ring-in",
        "ring-in unanswered",
    ] {
        assert!(
            kinds.get(typ).copied().unwrap_or(0) > 50,
            "{typ}: {kinds:?}"
        );
    }
    assert!(
        styles.0 > 1000 && styles.1 > 1000,
        "S=n and HH:MM:SS: {styles:?}"
    );
    // 10,000 lines at 2/s from 23:00 cross midnight: a header then, dated that day.
    assert!(!headers.is_empty());
    assert!(headers.iter().all(|(printed, day)| *printed == Some(*day)));
}

/// Like a PBX, the simulated 5000 carries one call at a time on a trunk: what each record says
/// of its trunk's time (exact here, as the send time is the end) never overlaps another call.
#[test]
fn mitel5000_trunks_carry_one_call_at_a_time() {
    for rate in [2.0, 400.0] {
        let mut g =
            Generator::with_rate(TrafficFormat::Mitel5000, 5, at("2026-11-29 09:00:00"), rate);
        let mut lines = Vec::new();
        g.next_lines(5000, &mut lines);
        // Per trunk: (from, to, kind) of each record's time on it, to the second.
        let mut busy: HashMap<String, Vec<(NaiveDateTime, NaiveDateTime, &str)>> = HashMap::new();
        decode_all(Format::Mitel5000, &lines, |line, body| {
            let Body::Mitel5000Call(c) = body else { return };
            if c.trunk == "P0001" {
                // The IP network link carries many calls at once.
                return;
            }
            let end = line.at;
            let from = end - chrono::TimeDelta::seconds(i64::from(c.duration_s));
            let kind = match (c.ring_in, c.unanswered_ring()) {
                (true, true) => "unanswered ring-in",
                (true, false) => "ring-in",
                _ => "call record",
            };
            busy.entry(c.trunk.to_string())
                .or_default()
                .push((from, end, kind));
        });
        let mut reused_within_a_minute = 0;
        for (trunk, mut spans) in busy {
            spans.sort();
            for w in spans.windows(2) {
                // An answered ring-in ends when its call record's time begins: touching is fine.
                assert!(
                    w[1].0 >= w[0].1,
                    "trunk {trunk} at rate {rate}: {:?} overlaps {:?}",
                    w[0],
                    w[1]
                );
                let follows = w[0].2 == "ring-in" && w[1].0 == w[0].1;
                if !follows && w[1].0 - w[0].1 < chrono::TimeDelta::minutes(1) {
                    reused_within_a_minute += 1;
                }
            }
        }
        // Linear hunting seizes a trunk again soon after its call ends: the case that pairing
        // ring-ins with call records must tell apart.
        assert!(
            reused_within_a_minute > 100,
            "rate {rate}: {reused_within_a_minute}"
        );
    }
}

#[test]
fn ten_thousand_mivb_lines_decode_with_their_dates() {
    let lines = lines(TrafficFormat::Mivb, "2026-11-29 08:00:00", 10_000);
    let mut completions: HashMap<String, u32> = HashMap::new();
    let mut transfers = 0;
    decode_all(Format::Mivb, &lines, |line, body| {
        let Body::MivbCall(c) = body else {
            panic!("{body:?}")
        };
        assert_eq!(line.text.len(), 90);
        assert!(!c.layout.extended_digits && !c.layout.level2);
        *completions.entry(c.completion.to_string()).or_default() += 1;
        transfers += u32::from(c.transfer_flag == "T");
        let day = line.at.date() - chrono::TimeDelta::days(1);
        assert!(
            chrono::Datelike::month(&day) == c.month
                || chrono::Datelike::month(&line.at.date()) == c.month
        );
    });
    for c in ["A", "T", "E", "I", "B", ""] {
        assert!(
            completions.get(c).copied().unwrap_or(0) > 100,
            "{completions:?}"
        );
    }
    assert!(transfers > 100);
}

#[test]
fn ten_thousand_appsuite_events_decode_and_calls_are_consistent() {
    let lines = lines(TrafficFormat::AppSuite, "2026-11-29 08:00:00", 10_000);
    let mut calls: HashMap<String, Vec<(NaiveDateTime, EventKind)>> = HashMap::new();
    let mut names: HashMap<String, u32> = HashMap::new();
    decode_all(Format::AppSuite, &lines, |line, body| {
        let Body::AppSuiteEvent(e) = body else {
            panic!("{body:?}")
        };
        assert_eq!(line.text.len(), 162, "{:?}", line.text);
        assert_eq!(
            e.timestamp,
            chrono::SubsecRound::trunc_subsecs(line.at, 0),
            "24-hour times read as printed"
        );
        assert!(e.call_start.is_some_and(|s| s <= e.timestamp));
        *names.entry(e.event.to_string()).or_default() += 1;
        calls
            .entry(e.call_id.to_string())
            .or_default()
            .push((e.timestamp, e.kind));
    });
    for name in [
        "RINGING",
        "ANSWERED",
        "HOLD",
        "CONNECTED",
        "DIVERTED",
        "TRANSFERRED",
        "QUEUED",
        "CALLMODIFIED",
        "DISCONNECTED",
    ] {
        assert!(
            names.get(name).copied().unwrap_or(0) > 20,
            "{name}: {names:?}"
        );
    }
    let mut complete = 0;
    for (id, events) in &calls {
        assert!(
            events.windows(2).all(|w| w[0].0 <= w[1].0),
            "{id}: times go back"
        );
        let kinds: Vec<EventKind> = events.iter().map(|e| e.1).collect();
        // Calls cut off at either end of the sample are partial; complete ones start and end.
        if matches!(kinds[0], EventKind::Ringing | EventKind::Queued)
            && kinds.last() == Some(&EventKind::Disconnected)
        {
            complete += 1;
        }
        assert!(
            kinds
                .iter()
                .filter(|k| **k == EventKind::Disconnected)
                .count()
                <= 1,
            "{id}"
        );
        if let Some(d) = kinds.iter().position(|k| *k == EventKind::Disconnected) {
            assert_eq!(d, kinds.len() - 1, "{id}: events after DISCONNECTED");
        }
        assert!(
            kinds.iter().filter(|k| **k == EventKind::Answered).count() <= 1,
            "{id}"
        );
        for (i, k) in kinds.iter().enumerate() {
            if *k == EventKind::Hold {
                assert!(
                    matches!(
                        kinds.get(i + 1),
                        Some(EventKind::Connected | EventKind::Transferred) | None
                    ),
                    "{id}: {kinds:?}"
                );
            }
            let seen_from_start = matches!(kinds[0], EventKind::Ringing | EventKind::Queued);
            if *k == EventKind::Answered && seen_from_start {
                assert!(kinds[..i].contains(&EventKind::Ringing), "{id}: {kinds:?}");
            }
        }
    }
    assert!(complete > 1500, "{complete} complete calls");
}

#[test]
fn a_day_at_a_high_rate_is_dated_and_fast_enough_to_write_a_file() {
    // Issue 6 writes a 1,000,000-event day with this; here a slice at that rate.
    let start = at("2026-11-29 00:00:00");
    let mut g = Generator::with_rate(TrafficFormat::AppSuite, 7, start, 1_000_000.0 / 86_400.0);
    let mut out = Vec::new();
    g.next_lines(20_000, &mut out);
    let span = out[out.len() - 1].at - out[0].at;
    let rate = 20_000.0 / span.num_seconds() as f64;
    assert!((8.0..16.0).contains(&rate), "{rate} events/s");
    let mut decoder = StreamDecoder::new(DecodeOptions::default());
    let d = decoder.decode(&out[0].text, None);
    assert_eq!(
        (d.format, d.date.source),
        (Format::AppSuite, DateSource::Printed)
    );
}
