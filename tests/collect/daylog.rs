//! Raw day logs: numbered files per run, a new file after local midnight, and the records
//! decoded from a day's files the same as those collected live.

use std::fs;
use std::sync::Arc;
use std::time::Duration;

use chrono::{Local, TimeDelta};
use smdr_monitor::collect::{Clock, SiteState};
use smdr_monitor::import;
use smdr_monitor::protocol::{DecodeOptions, Kind, StreamDecoder};
use smdr_monitor::rawlog;
use smdr_monitor::sim::{Faults, SimOptions, SimServer};

use super::harness::*;

#[test]
fn a_restart_appends_a_new_numbered_file_and_keeps_the_old() {
    let rt = sim_runtime();
    let dir = tempfile::tempdir().unwrap();
    let sim = sim(&rt, "appsuite://127.0.0.1:0", 1_000_000, Faults::default());
    let mut config = site("HQ", &url_of(&sim, "appsuite"));
    let mut h = Harness::new(dir.path());
    h.collector().set_sites(vec![config.clone()]);
    assert!(h.wait(|h| h.raw_count("HQ") >= 5));
    // A changed site restarts: a new file beside the first.
    config.padding = '*';
    h.collector().set_sites(vec![config.clone()]);
    assert!(h.wait(|_| raw_log_files(&dir.path().join("HQ")).len() == 2));
    h.shutdown();
    let first = raw_log_files(&dir.path().join("HQ"))[0].clone();
    let before = fs::read(&first).unwrap();
    // A new run the same day: a third file; the earlier ones are untouched.
    let mut h = Harness::new(dir.path());
    h.collector().set_sites(vec![config]);
    assert!(h.wait(|_| raw_log_files(&dir.path().join("HQ")).len() == 3));
    h.shutdown();
    let names: Vec<String> = raw_log_files(&dir.path().join("HQ"))
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let day = Local::now().format("%Y%m%d");
    assert_eq!(
        names,
        [1, 2, 3].map(|n| format!("HQ.{day}.{n}.log")),
        "(a run across midnight would fail this naming check)"
    );
    assert_eq!(fs::read(&first).unwrap(), before);
    // A disabled site stops.
    let mut h = Harness::new(dir.path());
    let mut disabled = site("HQ", &url_of(&sim, "appsuite"));
    h.collector().set_sites(vec![disabled.clone()]);
    assert!(h.wait(|h| h.states().contains(&&SiteState::Receiving)));
    disabled.enabled = false;
    h.collector().set_sites(vec![disabled]);
    assert!(h.wait(|h| h.states().last() == Some(&&SiteState::Stopped)));
    h.shutdown();
}

#[test]
fn records_after_local_midnight_go_to_the_next_days_file() {
    let now = Local::now();
    let midnight = (now.date_naive() + TimeDelta::days(1))
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_local_timezone(Local)
        .earliest()
        .unwrap();
    // The collector's clock reads 1.5 s before midnight now.
    let clock = Clock::offset(midnight - now - TimeDelta::milliseconds(1500));
    let rt = sim_runtime();
    let dir = tempfile::tempdir().unwrap();
    let options = SimOptions {
        rate: 60.0,
        count: Some(200),
        journal: true,
        ..SimOptions::default()
    };
    let sim = SimServer::start(rt.handle(), "mivb://127.0.0.1:0", options).unwrap();
    let mut h = Harness::with_clock(dir.path(), clock);
    h.collector()
        .set_sites(vec![site("Night", &url_of(&sim, "mivb"))]);
    assert!(h.wait(|h| sim.sent() >= 200 && h.raw_count("Night") >= 200));
    std::thread::sleep(Duration::from_millis(600));
    h.pump();
    let files = raw_log_files(&dir.path().join("Night"));
    let days = [
        midnight.date_naive() - TimeDelta::days(1),
        midnight.date_naive(),
    ];
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        days.map(|d| format!("Night.{}.1.log", d.format("%Y%m%d")))
    );
    let mut per_day = Vec::new();
    for (file, day) in files.iter().zip(days) {
        let data = fs::read(file).unwrap();
        let lines: Vec<&[u8]> = data
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .collect();
        for line in &lines {
            let (t, _) = rawlog::split_receipt_time(line);
            assert_eq!(t.unwrap().date_naive(), day);
        }
        assert!(!lines.is_empty());
        per_day.push(lines.len() as u64);
    }
    assert_eq!(h.raw_texts("Night"), journal_bytes(&sim));
    // Records today restarted at midnight (the count is published within a status interval).
    let today = |h: &Harness| h.last_status("Night").map(|s| s.records_today);
    h.wait(|h| today(h) == Some(per_day[1]));
    assert_eq!(today(&h), Some(per_day[1]));
    let conn = connection_logs(&dir.path().join("Night"));
    assert!(conn.contains(&format!("Night.{}.1.log", days[1].format("%Y%m%d"))));
    h.shutdown();
}

#[test]
fn decoding_a_raw_day_log_gives_the_collected_records() {
    let h = exactly_once("mitel5000", Faults::default(), 50);
    let collected = h.records();
    // What `decode` and imports do: split the file into items, decode each in order.
    let mut from_files = Vec::new();
    for file in raw_log_files(&h.dir.join("Site")) {
        let data = fs::read(&file).unwrap();
        let origin: Arc<str> = file.display().to_string().into();
        let site: Arc<str> = "Site".into();
        let mut decoder = StreamDecoder::new(DecodeOptions::default());
        import::items(&data, |item| {
            assert!(item.problem.is_none());
            let source = smdr_monitor::protocol::Source {
                origin: origin.clone(),
                line: item.number,
            };
            from_files.push(decoder.record(&site, source, item.bytes, item.received));
        });
    }
    assert_eq!(from_files.len(), collected.len());
    for (file, live) in from_files.iter().zip(&collected) {
        assert_eq!(
            (
                &file.source,
                file.received,
                file.format,
                file.kind,
                file.date,
                &file.text
            ),
            (
                &live.source,
                live.received,
                live.format,
                live.kind,
                live.date,
                &live.text
            )
        );
    }
    assert!(
        collected.iter().any(|r| r.kind == Kind::Call
            && r.date.source == smdr_monitor::protocol::DateSource::Receipt)
    );
}
