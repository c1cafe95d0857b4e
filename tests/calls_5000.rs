//! `calls` over a simulated 5000 site's traffic: the figures a technician reads are right.

mod common;

use chrono::{Duration, NaiveDateTime};
use smdr_monitor::protocol::{DecodeOptions, StreamDecoder};

fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// `calls` over a simulated 5000 site's raw day log: a few thousand records of seeded traffic,
/// where trunks are seized again within the minute their last call ended. No call ends before
/// it starts, events are in time order, and every ring-in is paired with its own call record
/// (the simulator's truth: the call record comes when the call the ring-in answered ends).
#[test]
fn calls_on_simulated_5000_traffic_pair_ring_ins_with_their_own_records() {
    use chrono::{Local, TimeZone};
    use smdr_monitor::protocol::Body;
    use smdr_monitor::sim::{Generator, TrafficFormat};

    let start = NaiveDateTime::parse_from_str("2026-11-20 09:00:00", "%F %T").unwrap();
    let mut lines = Vec::new();
    Generator::with_rate(TrafficFormat::Mitel5000, 23, start, 1.0).next_lines(4000, &mut lines);
    let stamp = |t: NaiveDateTime| {
        Local
            .from_local_datetime(&t)
            .earliest()
            .unwrap()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Sim.20261120.1.log");
    let log: String = lines
        .iter()
        .map(|l| format!("{}\t{}\n", stamp(l.at), l.text))
        .collect();
    std::fs::write(&path, log).unwrap();

    // The truth: an answered ring-in is sent when its call is answered, its call record (same
    // trunk) exactly ELAPSED later. As (call id, talk).
    let mut decoder = StreamDecoder::new(DecodeOptions::default());
    let mut answered_rings: std::collections::HashMap<(String, NaiveDateTime), String> =
        Default::default();
    let mut pairs = std::collections::HashSet::new();
    let (mut abandoned, mut records) = (0, 0);
    for l in &lines {
        let d = decoder.decode(&l.text, None);
        let Body::Mitel5000Call(c) = &d.body else {
            continue;
        };
        let ring_start = l.at.date().and_time(c.start);
        match (c.ring_in, c.unanswered_ring()) {
            (true, true) => abandoned += 1,
            (true, false) => {
                let id = format!("{}@{}", c.trunk, ring_start.format("%Y%m%d%H%M"));
                answered_rings.insert((c.trunk.to_string(), l.at), id);
            }
            (false, _) => {
                records += 1;
                let answered = l.at - Duration::seconds(i64::from(c.duration_s));
                if let Some(id) = answered_rings.remove(&(c.trunk.to_string(), answered)) {
                    pairs.insert((id, u64::from(c.duration_s)));
                }
            }
        }
    }
    assert!(
        pairs.len() > 200 && abandoned > 200,
        "{} {abandoned}",
        pairs.len()
    );

    let (code, out, err) = common::run("calls", &[path.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let rows = json_lines(&out);
    let at = |v: &serde_json::Value| {
        v.as_str()
            .map(|s| NaiveDateTime::parse_from_str(s, "%FT%T").unwrap())
    };
    let mut paired = 0;
    for r in &rows {
        let start = at(&r["start"]).unwrap();
        if let Some(end) = at(&r["end"]) {
            assert!(end >= start, "ends before it starts: {r}");
        }
        let times: Vec<NaiveDateTime> = r["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| at(&e["at"]).unwrap())
            .collect();
        assert!(
            times.windows(2).all(|w| w[0] <= w[1]),
            "events out of order: {r}"
        );
        let rang = r["events"][0]["event"] == "RINGING";
        if rang && r["talk_s"].is_u64() {
            paired += 1;
            let key = (
                r["call_id"].as_str().unwrap().to_string(),
                r["talk_s"].as_u64().unwrap(),
            );
            assert!(
                pairs.contains(&key),
                "a ring-in merged with another call's record: {r}"
            );
        }
        if r["outcome"] == "abandoned" {
            // Simulated callers give up within 3 minutes of ringing.
            let wait = at(&r["end"]).unwrap() - start;
            assert!(wait <= Duration::minutes(3), "waited {wait}: {r}");
        }
    }
    assert_eq!(paired, pairs.len(), "every ring-in found its record");
    // One call per unanswered ring-in, per call record, and per ring-in whose call is still on.
    assert_eq!(rows.len(), abandoned + records + answered_rings.len());
}
