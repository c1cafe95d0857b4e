//! Calls as a user meets them: the `calls` command's output and the calls engine (the Calls tab
//! in the window: tests/calls_tab.rs).

mod common;

use std::sync::Arc;

use chrono::{Duration, NaiveDateTime};
use smdr_monitor::export::calls::CALL_COLUMNS;
use smdr_monitor::protocol::{DecodeOptions, StreamDecoder};
use smdr_monitor::timeline::CallTracker;

const APPSUITE: &str = "tests/fixtures/appsuite/manual-examples-162.txt";
const PUBLISHED: &str = "tests/fixtures/appsuite/manual-examples-as-published.txt";
const AXXESS: &str = "tests/fixtures/mitel5000/axxess-8520-records.txt";

fn calls(args: &[&str]) -> (i32, String, String) {
    common::run("calls", args)
}

fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn jsonl_gives_the_seed_scenarios_with_exactly_the_contract_fields() {
    let (code, out, err) = calls(&[APPSUITE]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(
            "4 calls from 20 records (0 unparsed): 4 answered, 0 abandoned, 0 in progress"
        ),
        "{err}"
    );
    let rows = json_lines(&out);
    assert_eq!(rows.len(), 4);
    for row in &rows {
        let mut keys: Vec<&str> = row
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        let mut expected = CALL_COLUMNS.to_vec();
        keys.sort();
        expected.sort();
        assert_eq!(keys, expected);
    }
    // In start order: the outbound call (00:46:59 once its 12-hour time is resolved) first.
    let ids: Vec<&str> = rows
        .iter()
        .map(|r| r["call_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "2012030900465982190047",
            "2012030901204052070264",
            "2012030901205303270264",
            "2012030901311586070264"
        ]
    );
    let figures = |r: &serde_json::Value| {
        (
            r["outcome"].as_str().unwrap().to_string(),
            r["answered_by"].as_str().unwrap().to_string(),
            r["time_to_answer_s"].as_u64().unwrap(),
            r["talk_s"].as_u64().unwrap(),
            r["hold_s"].as_u64().unwrap(),
            r["transfers"].as_u64().unwrap(),
        )
    };
    let answered = |tta, talk, hold, transfers| {
        (
            "answered".to_string(),
            "1843".to_string(),
            tta,
            talk,
            hold,
            transfers,
        )
    };
    assert_eq!(figures(&rows[0]), answered(7, 4, 0, 0));
    assert_eq!(figures(&rows[1]), answered(3, 3, 0, 0));
    assert_eq!(figures(&rows[2]), answered(1, 3, 3, 0));
    assert_eq!(figures(&rows[3]), answered(3, 4, 7, 1));
    let transferred = &rows[3];
    assert_eq!(transferred["path"], serde_json::json!(["1843", "2560"]));
    assert_eq!(transferred["start"], "2012-03-09T01:31:15");
    assert_eq!(transferred["end"], "2012-03-09T01:31:29");
    assert_eq!(transferred["contact_name"], "CHRIS R MOBILE");
    assert_eq!(transferred["events"].as_array().unwrap().len(), 7);
    assert_eq!(
        transferred["events"][3],
        serde_json::json!({"at": "2012-03-09T01:31:27", "event": "TRANSFERRED",
            "extension": "2560", "source_extension": "1843"})
    );
    assert_eq!(rows[0]["direction"], "OUT");
    assert_eq!(rows[0]["start"], "2012-03-09T00:46:59");

    // The manual's lines as published give the same calls.
    let (code, published, _) = calls(&[PUBLISHED]);
    assert_eq!(code, 0);
    assert_eq!(published, out);
}

#[test]
fn csv_to_a_file_with_lists_as_readable_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("calls.csv");
    let (code, stdout, err) = calls(&[
        "--as",
        "csv",
        "--output",
        path.to_str().unwrap(),
        APPSUITE,
        AXXESS,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.is_empty());
    assert!(err.contains("1 abandoned"), "{err}");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next().unwrap(), CALL_COLUMNS.join(","));
    let transferred = text
        .lines()
        .find(|l| l.starts_with("2012030901311586070264,"))
        .unwrap();
    assert!(
        transferred.ends_with(
            ",answered,1843,3,4,7,0,1,1843 > 2560,01:31:15 RINGING 1843; 01:31:18 ANSWERED 1843; \
             01:31:20 HOLD 1843; 01:31:27 TRANSFERRED 2560 from 1843; 01:31:27 RINGING 2560; \
             01:31:27 CONNECTED 2560; 01:31:29 DISCONNECTED 2560"
        ),
        "{transferred}"
    );
    // The 5000 sample's unanswered ring-in is an abandoned call after 5 s of ringing.
    let abandoned = text.lines().find(|l| l.contains(",abandoned,")).unwrap();
    assert_eq!(
        abandoned,
        "94129@201207030029,2012-07-03T00:29:00,2012-07-03T00:29:05,IN,612-804-4082,,8907,\
         abandoned,,,,0,0,0,,00:29:00 RINGING; 00:29:05 DISCONNECTED"
    );
    assert_eq!(text.lines().count(), 1 + 4 + 5);
}

#[test]
fn clear_errors_and_undated_records() {
    let (code, out, err) = calls(&["no-such-file.txt"]);
    assert_ne!(code, 0);
    assert!(out.is_empty());
    assert!(err.contains("no-such-file.txt: no such file"), "{err}");

    // 5000 records without a header, receipt time or --date are not guessed into calls.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-header.txt");
    std::fs::write(
        &path,
        "TLC 104   94151 952-474-1742                 08:52    S=226 $00.00              \r\n",
    )
    .unwrap();
    let (code, out, err) = calls(&[path.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(out.is_empty());
    assert!(err.contains("1 call records had no date"), "{err}");
    let (_, out, _) = calls(&["--date", "2026-11-20", path.to_str().unwrap()]);
    let rows = json_lines(&out);
    assert_eq!(rows[0]["start"], "2026-11-20T08:52:00");
    assert_eq!(rows[0]["talk_s"], 226);
}

#[test]
fn calls_left_open_age_out_at_the_end_of_the_input() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("open.txt");
    let line = |time: &str, id: &str, event: &str| {
        format!(
            "2026-11-20 {time} |IN | {id} 0092108 0000201 0000000 0000612345678 |SMITH J | 000441619990000 |SALES | 000000000000 |{event} |\r\n"
        )
    };
    let text = [
        line("08:00:00", "20261120080000AAAA0001", "RINGING"),
        line("10:00:00", "20261120100000AAAA0002", "RINGING"),
        line("10:00:30", "20261120100000AAAA0002", "ANSWERED"),
    ]
    .concat();
    std::fs::write(&path, text).unwrap();
    let (code, out, err) = calls(&["--age-out", "60", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let rows = json_lines(&out);
    assert_eq!(rows[0]["outcome"], "aged_out");
    assert_eq!(rows[1]["outcome"], "in_progress");
    assert!(rows[1]["end"].is_null() && rows[1]["talk_s"].is_null());
    assert!(err.contains("1 in progress, 1 aged out"), "{err}");
}

/// Calls made from simulator traffic: every call accounted for and its numbers consistent.
#[test]
fn simulator_traffic_gives_consistent_calls() {
    use smdr_monitor::sim::{Generator, TrafficFormat};
    use smdr_monitor::timeline::Outcome;

    let start = NaiveDateTime::parse_from_str("2026-11-20 08:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
    let mut lines = Vec::new();
    Generator::new(TrafficFormat::AppSuite, 7, start).next_lines(6000, &mut lines);
    let site: Arc<str> = "sim".into();
    let mut tracker = CallTracker::new(Duration::hours(8));
    let mut decoder = StreamDecoder::new(DecodeOptions::default());
    let mut ids = std::collections::HashSet::new();
    for line in &lines {
        let d = decoder.decode(&line.text, None);
        assert_eq!(
            d.kind(),
            smdr_monitor::protocol::Kind::Event,
            "{}",
            line.text
        );
        ids.insert(line.text[26..48].to_string());
        tracker.push_decoded(&site, &d);
    }
    let calls = tracker.calls();
    assert_eq!(calls.len(), ids.len(), "one call per call id");
    let count = |o: Outcome| calls.iter().filter(|c| c.outcome == o).count();
    let (answered, abandoned, not_answered, open) = (
        count(Outcome::Answered),
        count(Outcome::Abandoned),
        count(Outcome::NotAnswered),
        count(Outcome::InProgress),
    );
    assert_eq!(answered + abandoned + not_answered + open, calls.len());
    assert!(
        answered > calls.len() / 2 && abandoned > 0 && not_answered > 0,
        "{answered} {abandoned} {not_answered}"
    );
    let last = lines.last().unwrap().at;
    assert!(open > 0 && open < calls.len() / 10, "{open} still open");
    assert!(calls.iter().any(|c| c.transfers > 0) && calls.iter().any(|c| c.hold_s > 0));
    assert!(calls.iter().any(|c| c.queued_s > 0) && calls.iter().any(|c| c.diversions > 0));
    for c in calls {
        // Calls the traffic joined half-way (begun before `start`) lack their first events.
        if c.call_id.as_str() >= "20261120080000" {
            use smdr_monitor::protocol::appsuite::EventKind::{Disconnected, Queued};
            let only_queued = c
                .events
                .iter()
                .all(|e| matches!(e.kind, Queued | Disconnected));
            assert!(
                !c.path.is_empty() || only_queued,
                "{}: nothing rang",
                c.call_id
            );
        }
        match c.outcome {
            Outcome::Answered => {
                let (tta, talk) = (c.time_to_answer_s.unwrap(), c.talk_s.unwrap());
                let end = c.end.unwrap();
                let span = (end - c.start).num_seconds() as u32;
                assert!(
                    tta + talk + c.hold_s <= span,
                    "{}: {tta}+{talk}+{} > {span}",
                    c.call_id,
                    c.hold_s
                );
                assert!(c.answered_by.is_some());
            }
            Outcome::Abandoned | Outcome::NotAnswered => {
                assert!(c.answered_by.is_none() && c.talk_s.is_none());
                assert!(c.end.unwrap() >= c.start);
                // Abandoned are incoming callers who gave up; outgoing calls are not answered.
                let incoming = c.direction == "IN";
                assert_eq!(incoming, c.outcome == Outcome::Abandoned, "{}", c.call_id);
            }
            _ => {
                assert!(c.end.is_none());
                assert!(
                    last - c.start < Duration::hours(1),
                    "{} never ended",
                    c.call_id
                );
            }
        }
    }
}

/// The calls view's search index gives exactly what searching each call gives, also as calls
/// keep changing (new events, ageing out).
#[test]
fn indexed_filtering_agrees_with_searching_each_call() {
    use smdr_monitor::sim::{Generator, TrafficFormat};
    use smdr_monitor::timeline::CallFilter;
    use smdr_monitor::timeline::SearchIndex;
    use smdr_monitor::timeline::view::filter;

    let start = NaiveDateTime::parse_from_str("2026-11-20 08:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
    let mut g = Generator::new(TrafficFormat::AppSuite, 11, start);
    let site: Arc<str> = "sim".into();
    let mut tracker = CallTracker::new(Duration::minutes(30));
    let mut decoder = StreamDecoder::new(DecodeOptions::default());
    let mut index = SearchIndex::default();
    let filters: Vec<CallFilter> = [
        ("text", "smith"),
        ("text", "CHRIS r"),
        ("text", "answered"),
        ("text", "aged"),
        ("text", "1801"),
        ("party", "07"),
        ("party", "acme"),
        ("extension", "20"),
        ("extension", "1805"),
    ]
    .iter()
    .map(|(field, needle)| {
        let mut f = CallFilter::default();
        match *field {
            "party" => f.party = needle.to_string(),
            "extension" => f.extension = needle.to_string(),
            _ => f.text = needle.to_string(),
        }
        f
    })
    .collect();
    for round in 0..6 {
        for _ in 0..700 {
            let line = g.next_line();
            tracker.push_decoded(&site, &decoder.decode(&line.text, None));
        }
        if round == 3 {
            let last = tracker.last_event_at().unwrap();
            // Calls still open are aged out (their later events bring them back next round).
            tracker.age_out(last + Duration::hours(2));
        }
        index.update(&tracker);
        let calls = tracker.calls();
        let sorted: Vec<usize> = (0..calls.len()).collect();
        for f in &filters {
            let (m, _) = f.compile();
            let plain = filter::filtered_rows(calls, &m, &sorted);
            let indexed = filter::filtered_rows_indexed(calls, &m, &sorted, &index);
            assert_eq!(plain, indexed, "round {round}, {f:?}");
            assert!(round != 3 || f.text != "aged" || !plain.is_empty());
        }
    }
}
