//! The history database against real engines: SQLite always, PostgreSQL in a throwaway cluster
//! (`cluster.rs`). Raw day logs are written by the collector's own writer from the simulator's
//! seeded traffic; records reach the history as the collector hands them over.

mod browse;
mod cluster;
mod pg;
mod support;

#[path = "../common/mod.rs"]
mod common;

use std::time::Duration;

use chrono::{Local, TimeZone};
use smdr_monitor::history::ingest::rebuild;
use smdr_monitor::history::rows::RecordRow;
use smdr_monitor::history::{self, Batch, HistoryStatus, HistoryStore, RecordQuery, Target};
use smdr_monitor::protocol::Format;
use smdr_monitor::sim::TrafficFormat;

pub use support::*;

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
