//! What the history tests share: a site's live traffic written to its raw day logs, the
//! records and calls read back from them or from a database, and the checks made of both.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{Local, NaiveDate, TimeZone};
use smdr_monitor::collect::daylog::RawLog;
use smdr_monitor::export::{RecordWriter, TextFormat};
use smdr_monitor::history::ingest::{Checkpoints, Ingest, SiteLogs, catch_up, rebuild};
use smdr_monitor::history::{
    HistoryStore, HistoryWriter, RecordQuery, StatsBy, Target, WriterOptions,
};
use smdr_monitor::import;
use smdr_monitor::jobs::history_output::{CallOut, RecordOut};
use smdr_monitor::protocol::{DecodeOptions, Record, Source, StreamDecoder};
use smdr_monitor::sim::{Generator, TrafficFormat};
use smdr_monitor::timeline::{CallTracker, Outcome, stats};

pub const AGE_OUT: chrono::Duration = chrono::Duration::minutes(240);

pub fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A site's traffic as a collector receives it: each line appended to the site's raw day log,
/// then decoded into the record the collector hands over. `rate_n` lines span about two days
/// from 2026-11-20.
pub struct Live {
    g: Generator,
    raw: RawLog,
    decoder: StreamDecoder,
    name: Arc<str>,
}

impl Live {
    pub fn new(
        log_dir: &Path,
        site: &str,
        format: TrafficFormat,
        seed: u64,
        rate_n: usize,
    ) -> Self {
        let start = day("2026-11-20").and_hms_opt(0, 0, 0).unwrap();
        Self {
            g: Generator::with_rate(format, seed, start, rate_n as f64 / (2.0 * 86_400.0)),
            raw: RawLog::new(log_dir, site),
            decoder: StreamDecoder::new(DecodeOptions::default()),
            name: site.into(),
        }
    }

    /// The next `n` lines: in the raw day log now, their records returned.
    pub fn lines(&mut self, n: usize) -> Vec<Record> {
        (0..n)
            .map(|_| {
                let line = self.g.next_line();
                let at = Local.from_local_datetime(&line.at).earliest().unwrap();
                let w = self.raw.append(&at, line.text.as_bytes()).unwrap();
                let source = Source {
                    origin: w.path,
                    line: w.line,
                };
                self.decoder.record(
                    &self.name,
                    source,
                    line.text.as_bytes(),
                    Some(at.fixed_offset()),
                )
            })
            .collect()
    }
}

/// `n` lines of a site's traffic over about two days, in its raw day logs.
pub fn collect_lines(
    log_dir: &Path,
    site: &str,
    format: TrafficFormat,
    seed: u64,
    n: usize,
) -> Vec<Record> {
    Live::new(log_dir, site, format, seed, n).lines(n)
}

/// Three sites, one per format.
pub const SITES: [(&str, TrafficFormat, u64); 3] = [
    ("HQ 5000", TrafficFormat::Mitel5000, 5000),
    ("Suite", TrafficFormat::AppSuite, 2007),
    ("Tower", TrafficFormat::Mivb, 1752),
];

pub fn sites() -> Vec<SiteLogs> {
    SITES
        .iter()
        .map(|(name, _, _)| SiteLogs {
            name: (*name).into(),
            options: DecodeOptions::default(),
        })
        .collect()
}

/// A site's raw day logs, in order (its connection log left out).
fn day_logs(site_dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(site_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.to_string_lossy().ends_with("connection.log"))
        .collect();
    files.sort();
    files
}

/// Every raw day log line of every site in `log_dir`: `decode`'s JSON (with `source` naming
/// the file, not its path) per site.
pub fn decoded_by_site(log_dir: &Path) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for (name, _, _) in SITES {
        let dir = smdr_monitor::collect::daylog::site_dir(log_dir, name);
        if !dir.exists() {
            continue;
        }
        let mut lines = Vec::new();
        for path in day_logs(&dir) {
            let data = std::fs::read(&path).unwrap();
            let origin: Arc<str> = path.file_name().unwrap().to_string_lossy().into();
            let mut decoder = StreamDecoder::new(DecodeOptions::default());
            let mut w = RecordWriter::new(Vec::new(), TextFormat::Jsonl);
            import::decode_each(&data, &mut decoder, |line, d| {
                w.write(
                    d,
                    &Source {
                        origin: origin.clone(),
                        line,
                    },
                )
                .unwrap();
            });
            let text = String::from_utf8(w.finish().unwrap()).unwrap();
            lines.extend(text.lines().map(str::to_string));
        }
        lines.sort();
        out.insert(name.to_string(), lines);
    }
    out
}

/// A query's records as JSON lines, `site` and `received_at` checked and taken off, by site.
pub fn queried_by_site(
    store: &mut dyn HistoryStore,
    q: &RecordQuery,
) -> BTreeMap<String, Vec<String>> {
    let mut w = RecordOut::new(Vec::new(), TextFormat::Jsonl);
    store.records(q, &mut |r| w.write(r)).unwrap();
    let text = String::from_utf8(w.finish().unwrap()).unwrap();
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in text.lines() {
        let mut v: serde_json::Map<String, serde_json::Value> = serde_json::from_str(line).unwrap();
        let site = v.remove("site").unwrap().as_str().unwrap().to_string();
        // Raw day log lines have receipt times (to the millisecond); imported text lines none.
        let received = v.remove("received_at").unwrap();
        if let Some(received) = received.as_str() {
            assert!(
                chrono::DateTime::parse_from_rfc3339(received).is_ok() && received.contains('.'),
                "{received}"
            );
        } else {
            assert!(received.is_null());
        }
        // Field order as `decode` prints it.
        out.entry(site)
            .or_default()
            .push(serde_json::to_string(&v).unwrap());
    }
    for lines in out.values_mut() {
        lines.sort();
    }
    out
}

/// Records that came with a receipt time (every raw day log line).
pub fn store_lines_with_receipt_times(store: &mut dyn HistoryStore) -> u64 {
    let mut n = 0;
    store
        .records(&RecordQuery::default(), &mut |r| {
            n += u64::from(r.received().is_some());
            Ok(())
        })
        .unwrap();
    n
}

/// `decode` output lines re-serialised the same way (serde_json's map keeps insertion order
/// only with `preserve_order`; both sides go through the same map, so they compare equal).
pub fn normalised(lines: &[String]) -> Vec<String> {
    let mut v: Vec<String> = lines
        .iter()
        .map(|l| {
            let m: serde_json::Map<String, serde_json::Value> = serde_json::from_str(l).unwrap();
            serde_json::to_string(&m).unwrap()
        })
        .collect();
    v.sort();
    v
}

/// Calls as the `calls` command builds them from each site's raw day logs: the completed ones
/// (answered, abandoned, aged out) as JSON lines with `site` first, sorted.
pub fn calls_of_logs(log_dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for (name, _, _) in SITES {
        let site: Arc<str> = name.into();
        let dir = smdr_monitor::collect::daylog::site_dir(log_dir, name);
        let mut tracker = CallTracker::new(AGE_OUT);
        for path in day_logs(&dir) {
            let data = std::fs::read(&path).unwrap();
            let mut decoder = StreamDecoder::new(DecodeOptions::default());
            import::decode_each(&data, &mut decoder, |_, d| {
                tracker.push_decoded(&site, d);
            });
        }
        if let Some(last) = tracker.last_event_at() {
            tracker.age_out(last);
        }
        for call in tracker.calls() {
            if call.outcome == Outcome::InProgress {
                continue;
            }
            let mut buf = Vec::new();
            smdr_monitor::export::calls::write_jsonl(&mut buf, call).unwrap();
            let mut m: serde_json::Map<String, serde_json::Value> =
                serde_json::from_slice(&buf).unwrap();
            m.insert("site".into(), name.into());
            out.push(serde_json::to_string(&m).unwrap());
        }
    }
    out.sort();
    out
}

/// The history's calls, the same way.
pub fn calls_of(store: &mut dyn HistoryStore, q: &RecordQuery) -> Vec<String> {
    let mut w = CallOut::new(Vec::new(), TextFormat::Jsonl);
    store.calls(q, &mut |c| w.write(c)).unwrap();
    let text = String::from_utf8(w.finish().unwrap()).unwrap();
    normalised(&text.lines().map(str::to_string).collect::<Vec<_>>())
}

pub fn wait_for(what: &str, limit: Duration, mut ok: impl FnMut() -> bool) {
    let until = Instant::now() + limit;
    while !ok() {
        assert!(Instant::now() < until, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub fn writer(target: Target, log_dir: &Path) -> HistoryWriter {
    HistoryWriter::start(WriterOptions {
        target,
        log_dir: log_dir.into(),
        sites: sites(),
        age_out: AGE_OUT,
        wake: Arc::new(|| {}),
    })
    .unwrap()
}

/// Rebuilds from the logs, checks every line went in once and decodes as `decode` decodes it,
/// calls as `calls` builds them; a second rebuild adds nothing.
pub fn rebuild_and_compare(store: &mut dyn HistoryStore, log_dir: &Path, lines: u64) {
    let first = rebuild(store, log_dir, &sites(), AGE_OUT, &mut |_| {}).unwrap();
    assert_eq!((first.lines, first.new), (lines, lines));
    let counts = store.counts().unwrap();
    assert_eq!(counts.records + counts.unparsed, lines);
    let expected = decoded_by_site(log_dir);
    let got = queried_by_site(store, &RecordQuery::default());
    assert_eq!(got.len(), 3);
    assert_eq!(store_lines_with_receipt_times(store), lines);
    for (site, lines) in &expected {
        assert_eq!(got[site], normalised(lines), "{site}");
    }
    let calls = calls_of(store, &RecordQuery::default());
    assert!(calls.len() > 100, "{}", calls.len());
    assert_eq!(calls, calls_of_logs(log_dir));
    // The same logs again: nothing new, nothing twice.
    let again = rebuild(store, log_dir, &sites(), AGE_OUT, &mut |_| {}).unwrap();
    assert_eq!((again.lines, again.new), (lines, 0));
    assert_eq!(store.counts().unwrap(), counts);
    // Caught up already: a catch-up reads nothing.
    let mut cps = Checkpoints::load(store).unwrap();
    let mut ingest = Ingest::new(AGE_OUT);
    let none = catch_up(
        store,
        &mut ingest,
        &mut cps,
        log_dir,
        &sites(),
        false,
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(none.lines, 0);
}

/// Per-day statistics against the timeline's own figures over the same calls.
pub fn check_stats(store: &mut dyn HistoryStore, log_dir: &Path) {
    let q = RecordQuery {
        sites: vec!["Suite".into()],
        ..Default::default()
    };
    let rows = store.stats(&q, StatsBy::Day).unwrap();
    assert!(rows.len() >= 2, "{rows:?}");
    let site: Arc<str> = "Suite".into();
    let mut tracker = CallTracker::new(AGE_OUT);
    let dir = smdr_monitor::collect::daylog::site_dir(log_dir, "Suite");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.to_string_lossy().ends_with("connection.log"))
        .collect();
    files.sort();
    for path in files {
        let data = std::fs::read(&path).unwrap();
        let mut decoder = StreamDecoder::new(DecodeOptions::default());
        import::decode_each(&data, &mut decoder, |_, d| {
            tracker.push_decoded(&site, d);
        });
    }
    tracker.age_out(tracker.last_event_at().unwrap());
    for row in &rows {
        let calls: Vec<_> = tracker
            .calls()
            .iter()
            .filter(|c| c.outcome != Outcome::InProgress)
            .filter(|c| c.start.date().to_string() == row.group)
            .collect();
        let s = stats(calls.iter().copied(), 20);
        assert_eq!(row.calls, i64::from(s.calls), "{}", row.group);
        assert_eq!(row.answered, i64::from(s.answered));
        assert_eq!(row.abandoned, i64::from(s.abandoned));
        assert_eq!(row.incoming, i64::from(s.incoming));
        assert_eq!(
            row.p90_time_to_answer_s,
            s.p90_time_to_answer_s.map(i64::from)
        );
        let (a, b) = (
            row.avg_time_to_answer_s.unwrap(),
            s.avg_time_to_answer_s.unwrap(),
        );
        assert!((a - b).abs() < 1e-9, "{a} {b}");
        let talk: i64 = calls.iter().map(|c| i64::from(c.talk_s.unwrap_or(0))).sum();
        assert_eq!(row.talk_s, talk);
    }
    let by_hour = store.stats(&q, StatsBy::Hour).unwrap();
    assert_eq!(by_hour.len(), 24);
    assert_eq!(
        by_hour.iter().map(|r| r.calls).sum::<i64>(),
        rows.iter().map(|r| r.calls).sum::<i64>()
    );
}

/// All lines of all sites, written once to raw day logs.
pub fn three_sites(log_dir: &Path, n: usize) -> Vec<Record> {
    let mut all = Vec::new();
    for (name, format, seed) in SITES {
        all.extend(collect_lines(log_dir, name, format, seed, n));
    }
    all
}
