//! The history database against real engines: SQLite always, PostgreSQL in a throwaway cluster
//! (`cluster.rs`). Raw day logs are written by the collector's own writer from the simulator's
//! seeded traffic; records reach the history as the collector hands them over.

mod browse;
mod cluster;
mod pg;

#[path = "../common/mod.rs"]
mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{Local, NaiveDate, TimeZone};
use smdr_monitor::collect::daylog::RawLog;
use smdr_monitor::export::{RecordWriter, TextFormat};
use smdr_monitor::history::ingest::{Checkpoints, Ingest, SiteLogs, catch_up, rebuild};
use smdr_monitor::history::rows::RecordRow;
use smdr_monitor::history::{
    self, Batch, HistoryStatus, HistoryStore, HistoryWriter, RecordQuery, StatsBy, Target,
    WriterOptions,
};
use smdr_monitor::import;
use smdr_monitor::jobs::history_output::{CallOut, RecordOut};
use smdr_monitor::protocol::{DecodeOptions, Format, Record, Source, StreamDecoder};
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

/// Every raw day log line of every site in `log_dir`: `decode`'s JSON (with `source` naming
/// the file, not its path) per site.
pub fn decoded_by_site(log_dir: &Path) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for (name, _, _) in SITES {
        let dir = smdr_monitor::collect::daylog::site_dir(log_dir, name);
        if !dir.exists() {
            continue;
        }
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| !p.to_string_lossy().ends_with("connection.log"))
            .collect();
        files.sort();
        let mut lines = Vec::new();
        for path in files {
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
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| !p.to_string_lossy().ends_with("connection.log"))
            .collect();
        files.sort();
        let mut tracker = CallTracker::new(AGE_OUT);
        for path in files {
            let data = std::fs::read(&path).unwrap();
            let mut decoder = StreamDecoder::new(DecodeOptions::default());
            import::decode_each(&data, &mut decoder, |_, d| {
                tracker.push_decoded(&site, d);
            });
        }
        if let Some(last) = tracker.calls().iter().map(|c| c.last_event_at()).max() {
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
    let mut out: Vec<String> = text
        .lines()
        .map(|l| {
            let m: serde_json::Map<String, serde_json::Value> = serde_json::from_str(l).unwrap();
            serde_json::to_string(&m).unwrap()
        })
        .collect();
    out.sort();
    out
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
    let last = tracker
        .calls()
        .iter()
        .map(|c| c.last_event_at())
        .max()
        .unwrap();
    tracker.age_out(last);
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

#[test]
fn sqlite_rebuild_query_stats_and_replay() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    three_sites(&logs, 2000);
    let mut store = history::open(&Target::Embedded(dir.path().join("h.sqlite3"))).unwrap();
    rebuild_and_compare(store.as_mut(), &logs, 6000);
    check_stats(store.as_mut(), &logs);

    // One site, one day; the window's filters.
    let q = RecordQuery {
        sites: vec!["Tower".into()],
        from: Some(day("2026-11-21")),
        to: Some(day("2026-11-21")),
        ..Default::default()
    };
    let one_day = queried_by_site(store.as_mut(), &q);
    assert_eq!(one_day.keys().collect::<Vec<_>>(), ["Tower"]);
    let n = one_day["Tower"].len();
    assert!(n > 500 && n < 1500, "{n}");
    assert!(
        one_day["Tower"]
            .iter()
            .all(|l| l.contains("\"date\":\"2026-11-21\""))
    );
    let q = RecordQuery {
        number: "0".into(),
        extension: "1".into(),
        text: "IN".into(),
        ..Default::default()
    };
    let filtered = queried_by_site(store.as_mut(), &q);
    let some: usize = filtered.values().map(Vec::len).sum();
    assert!(some > 0 && some < 6000, "{some}");

    // Prune the first day away.
    let before = store.counts().unwrap();
    let p = store.prune(day("2026-11-21")).unwrap();
    assert!(p.records > 1000 && p.calls > 100, "{p:?}");
    let after = store.counts().unwrap();
    assert_eq!(after.records, before.records - p.records);
    let left = queried_by_site(store.as_mut(), &RecordQuery::default());
    assert!(left.values().flatten().all(|l| !l.contains("2026-11-20T")));
}

#[test]
fn a_newer_sqlite_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.sqlite3");
    drop(history::open(&Target::Embedded(path.clone())).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "INSERT INTO schema_version (version, applied_at, program) VALUES (7, 0, 'later')",
        [],
    )
    .unwrap();
    drop(conn);
    let err = history::open(&Target::Embedded(path.clone()))
        .err()
        .unwrap()
        .to_string();
    assert_eq!(
        err,
        format!(
            "the history database {} is at schema version 7, this program knows up to {}: upgrade SMDR Monitor",
            path.display(),
            history::schema::VERSION
        )
    );
}

/// A version 1 database (records keyed by a unique index) is brought to version 2 (keyed by
/// file number and line) with its records, and a replay still adds nothing.
#[test]
fn a_version_1_sqlite_database_is_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.sqlite3");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(history::schema::VERSION_TABLE).unwrap();
    conn.execute_batch(&history::schema::migrations(history::schema::Dialect::Sqlite)[0])
        .unwrap();
    conn.execute_batch(
        "INSERT INTO schema_version VALUES (1, 0, 'smdr-monitor 0.1.0');
         INSERT INTO records (site, origin, line, source, day, format, kind, date_source,
             direction, what, extension, trunk, number, padding, raw)
         VALUES ('HQ', 'HQ.20261101.1.log', 1, 'HQ.20261101.1.log', '2026-11-01', 'appsuite',
             'event', 'printed', 'IN', 'x', '', '', '', ' ', 'one'),
             ('HQ', 'HQ.20261101.1.log', 2, 'HQ.20261101.1.log', '2026-11-01', 'appsuite',
             'event', 'printed', 'IN', 'x', '', '', '', ' ', 'two'),
             ('Branch', 'Branch.20261101.1.log', 1, 'Branch.20261101.1.log', '2026-11-01',
             'appsuite', 'event', 'printed', 'IN', 'x', '', '', '', ' ', 'three');",
    )
    .unwrap();
    drop(conn);
    let mut store = history::open(&Target::Embedded(path.clone())).unwrap();
    assert_eq!(store.counts().unwrap().records, 3);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = conn
        .query_row("SELECT MAX(version) FROM schema_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, history::schema::VERSION);
    let mut st = conn
        .prepare("SELECT id, raw FROM records ORDER BY id")
        .unwrap();
    let rows: Vec<(i64, String)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    // Files numbered by site then origin: Branch's is 1, HQ's 2.
    assert_eq!(
        rows,
        [
            ((1 << 32) + 1, "three".to_string()),
            ((2 << 32) + 1, "one".to_string()),
            ((2 << 32) + 2, "two".to_string()),
        ]
    );
    // The same record again is no new one; a new file gets the next number.
    let row = |site: &str, origin: &str, line| RecordRow {
        site: site.into(),
        origin: origin.into(),
        line,
        source: origin.into(),
        received_at: None,
        utc_offset_s: None,
        day: Some("2026-11-02".into()),
        format: "appsuite",
        kind: "event",
        record_date: None,
        date_source: "printed",
        at: None,
        direction: String::new(),
        what: String::new(),
        extension: String::new(),
        trunk: String::new(),
        number: String::new(),
        duration_s: None,
        call_id: None,
        padding: " ".into(),
        raw: "new".into(),
        bytes: None,
    };
    let batch = Batch {
        records: vec![
            row("HQ", "HQ.20261101.1.log", 2),
            row("HQ", "HQ.20261102.1.log", 1),
        ],
        ..Default::default()
    };
    assert_eq!(store.write(&batch).unwrap(), 1);
    let id: i64 = conn
        .query_row("SELECT id FROM records WHERE raw = 'new'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(id, (3 << 32) + 1);
}

/// The writer takes live records, leaves behind what its queue could not take (here: a run of
/// records never handed over), and catches them up from the raw day logs; at a restart it
/// catches up what was logged while it was away.
#[test]
fn the_writer_catches_up_from_the_raw_day_logs() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    let target = Target::Embedded(dir.path().join("h.sqlite3"));
    let mut site = Live::new(&logs, "Suite", TrafficFormat::AppSuite, 2007, 3000);
    let w = writer(target.clone(), &logs);
    wait_for("the writer to start", Duration::from_secs(30), || {
        w.status() == HistoryStatus::UpToDate
    });
    // 1000 live; 1000 left behind (as by a full queue); 1000 live.
    for _ in 0..100 {
        w.submit(site.lines(10));
    }
    wait_for("the first records", Duration::from_secs(60), || {
        w.written() == 1000
    });
    site.lines(1000);
    for _ in 0..100 {
        w.submit(site.lines(10));
    }
    // A span without a connection, and the same span grown later.
    let at = |h| Local.from_local_datetime(&day("2026-11-21").and_hms_opt(h, 0, 0).unwrap());
    let (from, to, later) = (at(10).unwrap(), at(11).unwrap(), at(12).unwrap());
    w.span("Suite".into(), from, to);
    w.span("Suite".into(), from, later);
    wait_for(
        "the writer to be up to date",
        Duration::from_secs(60),
        || w.status() == HistoryStatus::UpToDate,
    );
    w.shutdown();
    let mut store = history::open(&target).unwrap();
    let c = store.counts().unwrap();
    assert_eq!(c.records + c.unparsed, 3000);
    let q = RecordQuery {
        from: Some(day("2026-11-21")),
        to: Some(day("2026-11-21")),
        ..Default::default()
    };
    assert_eq!(
        store.spans(&q).unwrap(),
        [(
            "Suite".to_string(),
            from.timestamp_millis(),
            later.timestamp_millis()
        )]
    );
    let q = RecordQuery {
        from: Some(day("2026-11-22")),
        ..Default::default()
    };
    assert!(store.spans(&q).unwrap().is_empty());
    let mut expected = decoded_by_site(&logs);
    let got = queried_by_site(store.as_mut(), &RecordQuery::default());
    assert_eq!(got["Suite"], normalised(&expected.remove("Suite").unwrap()));
    // More traffic while no writer ran: the next one catches it up at start.
    drop(store);
    let more = collect_lines(&logs, "Suite", TrafficFormat::AppSuite, 99, 500);
    assert_eq!(more.len(), 500);
    let w = writer(target.clone(), &logs);
    wait_for("the catch-up at start", Duration::from_secs(60), || {
        w.status() == HistoryStatus::UpToDate
    });
    assert!(w.written() >= 500);
    w.shutdown();
    let mut store = history::open(&target).unwrap();
    let c = store.counts().unwrap();
    assert_eq!(c.records + c.unparsed, 3500);
}

/// The command line: import twice (nothing twice), query as CSV with `site` and
/// `received_at`, calls, stats, prune.
#[test]
fn the_history_command() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.sqlite3");
    let db = db.to_str().unwrap();
    let fixture = "tests/fixtures/appsuite/manual-examples-162.txt";
    let (code, _, err) = common::run("history", &["--history", db, "import", fixture]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("20 records (0 unparsed) imported"), "{err}");
    assert!(err.contains("20 new, 0 there already"), "{err}");
    let (code, _, err) = common::run(
        "history",
        &["import", "--history", db, "--site", "X", fixture],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("20 new"), "another site: {err}");
    let (code, _, err) = common::run("history", &["import", fixture, "--history", db]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("0 new, 20 there already"), "{err}");

    let (code, out, err) = common::run(
        "history",
        &[
            "--history",
            db,
            "query",
            "--site",
            "X",
            "--as",
            "csv",
            "--number",
            "79X",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let mut lines = out.lines();
    assert_eq!(
        lines.next().unwrap(),
        format!(
            "site,received_at,{}",
            smdr_monitor::protocol::fields::RECORD_COLUMNS.join(",")
        )
    );
    let rows: Vec<&str> = lines.collect();
    assert!(
        !rows.is_empty() && rows.iter().all(|r| r.starts_with("X,,appsuite,event,")),
        "{out}"
    );

    let (code, out, err) = common::run(
        "history",
        &[
            "--history",
            db,
            "query",
            "--calls",
            "--site",
            "X",
            "--from",
            "2012-03-09",
            "--to",
            "2012-03-09",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let calls: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(calls.len(), 4, "{out}");
    assert!(calls.iter().all(|c| c["site"] == "X"));
    assert_eq!(calls[1]["call_id"], "2012030901204052070264");
    assert_eq!(calls[1]["outcome"], "answered");
    assert_eq!(calls[1]["time_to_answer_s"], 3);

    let (code, out, err) = common::run(
        "history",
        &["--history", db, "stats", "--site", "X", "--as", "csv"],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out.lines().next().unwrap(),
        "day,calls,answered,abandoned,incoming,avg_time_to_answer_s,p90_time_to_answer_s,talk_s"
    );
    assert!(out.contains("\r\n2012-03-09,4,4,0,3,2.3,3,14\r\n"), "{out}");

    let (code, _, err) = common::run(
        "history",
        &["--history", db, "prune", "--before", "2013-01-01"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("40 records"), "{err}");

    // A database URL's password never reaches the screen, even when it cannot be reached.
    let (code, _, err) = common::run(
        "history",
        &[
            "--history",
            "postgres://u:Hunter2pw@127.0.0.1:1/db?connect_timeout=2",
            "stats",
        ],
    );
    assert_ne!(code, 0);
    assert!(
        err.contains("cannot reach the history database postgres://u:***@127.0.0.1:1/db"),
        "{err}"
    );
    assert!(!err.contains("Hunter2pw"), "{err}");
    let _ = Format::AppSuite;
}
