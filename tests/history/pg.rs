//! The same history in a real PostgreSQL: the same answers as SQLite, two collectors at once,
//! TLS, a newer schema refused, and the server stopped mid-ingest losing nothing.

use std::time::Duration;

use smdr_monitor::history::pg::PgHistory;
use smdr_monitor::history::{self, HistoryStatus, HistoryStore, RecordQuery, StatsBy, Target};
use smdr_monitor::sim::TrafficFormat;

use super::cluster::Cluster;
use super::*;

fn target(url: &str) -> Target {
    Target::parse(url).unwrap()
}

fn pg(url: &str) -> PgHistory {
    let Target::Postgres(u) = target(url) else {
        panic!("not a postgres URL")
    };
    PgHistory::open(&u).unwrap()
}

#[test]
fn postgres_gives_the_answers_sqlite_gives() {
    let cluster = Cluster::shared();
    let url = cluster.database("same_answers");
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    three_sites(&logs, 1500);
    let mut pg = history::open(&target(&url)).unwrap();
    rebuild_and_compare(pg.as_mut(), &logs, 4500);
    check_stats(pg.as_mut(), &logs);
    // Record for record, call for call, figure for figure.
    let mut lite = history::open(&Target::Embedded(dir.path().join("h.sqlite3"))).unwrap();
    rebuild(lite.as_mut(), &logs, &sites(), AGE_OUT, &mut |_| {}).unwrap();
    let q = RecordQuery {
        sites: vec!["Suite".into(), "HQ 5000".into()],
        from: Some(day("2026-11-21")),
        text: "1".into(),
        ..Default::default()
    };
    assert_eq!(
        queried_by_site(pg.as_mut(), &q),
        queried_by_site(lite.as_mut(), &q)
    );
    assert_eq!(
        calls_of(pg.as_mut(), &RecordQuery::default()),
        calls_of(lite.as_mut(), &RecordQuery::default())
    );
    for by in [
        StatsBy::Day,
        StatsBy::Hour,
        StatsBy::Extension,
        StatsBy::Trunk,
        StatsBy::Ddi,
    ] {
        let a = pg.stats(&RecordQuery::default(), by).unwrap();
        let b = lite.stats(&RecordQuery::default(), by).unwrap();
        assert_eq!(a.len(), b.len(), "{by:?}");
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(
                (
                    &x.group,
                    x.calls,
                    x.answered,
                    x.abandoned,
                    x.p90_time_to_answer_s,
                    x.talk_s
                ),
                (
                    &y.group,
                    y.calls,
                    y.answered,
                    y.abandoned,
                    y.p90_time_to_answer_s,
                    y.talk_s
                ),
                "{by:?}"
            );
        }
    }
    assert_eq!(
        pg.prune(day("2026-11-21")).unwrap(),
        lite.prune(day("2026-11-21")).unwrap()
    );
}

/// Two collectors (two writers, each with its own raw day logs and sites) write to one
/// database at the same time; each sees the other's records.
#[test]
fn two_collectors_write_to_one_postgres_at_once() {
    let cluster = Cluster::shared();
    let url = cluster.database("two_collectors");
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let sites = [
        ("Suite", TrafficFormat::AppSuite),
        ("Tower", TrafficFormat::Mivb),
    ];
    std::thread::scope(|s| {
        for (dir, (name, format)) in dirs.iter().zip(sites) {
            let url = url.clone();
            s.spawn(move || {
                let mut live = Live::new(dir.path(), name, format, 1, 2500);
                let w = writer(target(&url), dir.path());
                for _ in 0..500 {
                    w.submit(live.lines(5));
                }
                wait_for("a writer to be up to date", Duration::from_secs(90), || {
                    w.status() == HistoryStatus::UpToDate
                });
                w.shutdown();
            });
        }
    });
    let mut store = history::open(&target(&url)).unwrap();
    let c = store.counts().unwrap();
    assert_eq!(c.records + c.unparsed, 5000);
    let by_site = queried_by_site(store.as_mut(), &RecordQuery::default());
    assert_eq!(by_site["Suite"].len(), 2500);
    assert_eq!(by_site["Tower"].len(), 2500);
    // The second collector's calls are there for the first one's machine to read.
    let tower = RecordQuery {
        sites: vec!["Tower".into()],
        ..Default::default()
    };
    assert_eq!(calls_of(store.as_mut(), &tower).len(), 2500);
}

#[test]
fn tls_with_a_self_signed_certificate() {
    let cluster = Cluster::shared();
    cluster.database("tls");
    let port = cluster.port;
    let pw = super::cluster::PASSWORD;
    // sslmode=require: encrypted, the certificate not checked (as libpq).
    let mut h = pg(&format!(
        "postgres://postgres:{pw}@127.0.0.1:{port}/tls?sslmode=require"
    ));
    assert!(h.uses_tls().unwrap());
    assert_eq!(h.counts().unwrap(), Default::default());
    let mut plain = pg(&format!(
        "postgres://postgres:{pw}@127.0.0.1:{port}/tls?sslmode=disable"
    ));
    assert!(!plain.uses_tls().unwrap());
    // verify-full: trusted when we name the certificate, refused when we do not.
    let cert = cluster.cert().display().to_string().replace('/', "%2F");
    let mut full = pg(&format!(
        "postgres://postgres:{pw}@localhost:{port}/tls?sslmode=verify-full&sslrootcert={cert}"
    ));
    assert!(full.uses_tls().unwrap());
    let url = format!("postgres://postgres:{pw}@localhost:{port}/tls?sslmode=verify-full");
    let err = history::open(&target(&url)).err().unwrap();
    let text = err.to_string();
    assert!(err.is_unreachable(), "{text}");
    assert!(text.contains("postgres://postgres:***@localhost"), "{text}");
    assert!(!text.contains(pw), "{text}");
}

#[test]
fn a_newer_postgres_schema_is_refused() {
    let cluster = Cluster::shared();
    let url = cluster.database("newer");
    drop(history::open(&target(&url)).unwrap());
    cluster.sql(
        "newer",
        "INSERT INTO schema_version (version, applied_at, program) VALUES (7, 0, 'later')",
    );
    let err = history::open(&target(&url)).err().unwrap().to_string();
    assert_eq!(
        err,
        format!(
            "the history database postgres://postgres:***@127.0.0.1:{}/newer?sslmode=disable is at schema version 7, this program knows up to {}: upgrade SMDR Monitor",
            cluster.port,
            history::schema::VERSION
        )
    );
}

/// A writer ingesting live records while its server stops and starts again: it says the
/// database is unreachable, then catches up from the raw day logs — nothing lost, nothing twice.
#[test]
fn the_server_stopped_mid_ingest_loses_nothing() {
    let cluster = Cluster::start();
    let url = cluster.database("outage");
    let dir = tempfile::tempdir().unwrap();
    let mut site = Live::new(dir.path(), "Suite", TrafficFormat::AppSuite, 7, 6000);
    let w = writer(target(&url), dir.path());
    for _ in 0..200 {
        w.submit(site.lines(10));
    }
    wait_for("the first records", Duration::from_secs(60), || {
        w.written() >= 1000
    });
    cluster.stop();
    // Collection goes on while the database is away.
    for _ in 0..200 {
        w.submit(site.lines(10));
        std::thread::sleep(Duration::from_millis(2));
    }
    wait_for("the outage to be seen", Duration::from_secs(60), || {
        matches!(w.status(), HistoryStatus::Unreachable { .. })
    });
    let HistoryStatus::Unreachable { reason, .. } = w.status() else {
        unreachable!()
    };
    assert!(
        reason.contains("postgres://postgres:***@127.0.0.1"),
        "{reason}"
    );
    cluster.start_again();
    for _ in 0..200 {
        w.submit(site.lines(10));
    }
    wait_for("the writer to catch up", Duration::from_secs(120), || {
        w.status() == HistoryStatus::UpToDate
    });
    w.shutdown();
    let mut store = history::open(&target(&url)).unwrap();
    let c = store.counts().unwrap();
    assert_eq!(c.records + c.unparsed, 6000);
    let rows = cluster.sql(
        "outage",
        "SELECT COUNT(DISTINCT (site, origin, line)) FROM records",
    );
    assert_eq!(rows[0].get::<_, i64>(0) as u64, c.records);
    let mut expected = decoded_by_site(dir.path());
    let got = queried_by_site(store.as_mut(), &RecordQuery::default());
    assert_eq!(got["Suite"], normalised(&expected.remove("Suite").unwrap()));
}

/// A version 1 database is brought to version 2 with its records: ids from the files' numbers.
#[test]
fn a_version_1_postgres_database_is_migrated() {
    let cluster = Cluster::shared();
    let url = cluster.database("older");
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    client
        .batch_execute(history::schema::VERSION_TABLE)
        .unwrap();
    client
        .batch_execute(&history::schema::migrations(history::schema::Dialect::Postgres)[0])
        .unwrap();
    client
        .batch_execute(
            "INSERT INTO schema_version VALUES (1, 0, 'smdr-monitor 0.1.0');
             INSERT INTO records (site, origin, line, source, day, format, kind, date_source,
                 direction, what, extension, trunk, number, padding, raw)
             VALUES ('HQ', 'HQ.20261101.1.log', 2, 'HQ.20261101.1.log', '2026-11-01',
                 'appsuite', 'event', 'printed', 'IN', 'x', '', '', '', ' ', 'two'),
                 ('Branch', 'Branch.20261101.1.log', 1, 'Branch.20261101.1.log', '2026-11-01',
                 'appsuite', 'event', 'printed', 'IN', 'x', '', '', '', ' ', 'one');",
        )
        .unwrap();
    drop(client);
    let mut store = history::open(&target(&url)).unwrap();
    assert_eq!(store.counts().unwrap().records, 2);
    let rows = cluster.sql("older", "SELECT id, raw FROM records ORDER BY id");
    let rows: Vec<(i64, String)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert_eq!(
        rows,
        [
            ((1 << 32) + 1, "one".to_string()),
            ((2 << 32) + 2, "two".to_string()),
        ]
    );
    let version = cluster.sql("older", "SELECT MAX(version) FROM schema_version");
    assert_eq!(version[0].get::<_, i64>(0), history::schema::VERSION);
}
