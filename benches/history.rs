//! The history database at scale (one number each, like `day`):
//!
//! - `history_ingest_{sqlite,postgres}`: every raw day log of 10 sites × 30 days of simulator
//!   traffic (10,000 App Suite events a site a day: 3,000,000 records) read into an empty
//!   database by `history::rebuild` — decode, calls, one transaction per 5,000 lines. Records
//!   per second; targets ≥ 200,000 (SQLite), ≥ 100,000 (PostgreSQL).
//! - `history_bytes_per_record_*`: the database's size over its records.
//! - `history_query_day_*`: one site's one day of records, read and decoded again. Target
//!   < 100 ms.
//! - `history_stats_30d_*`: per-day statistics over every site and the 30 days. Target < 500 ms.
//!
//! - `history_ingest_*_cpu`: the ingest's records per second of CPU time (this process's threads,
//!   and PostgreSQL's server processes): what it would reach on two idle cores, less the
//!   overlap; the machine it runs on is often shared.
//!
//! PostgreSQL runs in a throwaway cluster (the tests' harness, `tests/history/cluster.rs`),
//! vacuumed between ingest and queries as autovacuum would be.
//! Prints `RESULT <name> <value> <unit>` lines. Under `cargo test` it runs once on 2 sites ×
//! 2 days of 300 records.

mod common;

#[path = "../tests/history/cluster.rs"]
#[allow(dead_code)]
mod cluster;

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{Local, NaiveDate, TimeZone};
use smdr_monitor::collect::daylog::RawLog;
use smdr_monitor::history::ingest::SiteLogs;
use smdr_monitor::history::{self, HistoryStore, RecordQuery, StatsBy, Target};
use smdr_monitor::protocol::DecodeOptions;
use smdr_monitor::sim::{Generator, TrafficFormat};

use common::size;

/// `--NAME N` on the command line (for profiling a part of the run), else `default`.
fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(default)
}

/// `--only sqlite` or `--only postgres`: one engine (for profiling).
fn engine_on(engine: &str) -> bool {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .is_none_or(|only| only == engine)
}

fn sites() -> usize {
    arg("--sites", size(10, 2))
}

fn days() -> usize {
    arg("--days", size(30, 2))
}

fn per_day() -> usize {
    size(10_000, 300)
}

fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 10, 1).unwrap_or_default()
}

/// The raw day logs (made once per size, then reused: the same seeds give the same bytes).
fn logs() -> PathBuf {
    let dir = PathBuf::from(format!(
        "target/bench-data/history-{}x{}x{}",
        sites(),
        days(),
        per_day()
    ));
    if dir.join("done").exists() {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    let begin = start().and_hms_opt(0, 0, 0).unwrap_or_default();
    for s in 0..sites() {
        let name = format!("Site {s:02}");
        let mut g = Generator::with_rate(
            TrafficFormat::AppSuite,
            s as u64,
            begin,
            per_day() as f64 / 86_400.0,
        );
        let mut raw = RawLog::new(&dir, &name);
        for _ in 0..days() * per_day() {
            let line = g.next_line();
            let Some(at) = Local.from_local_datetime(&line.at).earliest() else {
                continue;
            };
            if let Err(e) = raw.append(&at, line.text.as_bytes()) {
                panic!("cannot write the bench's raw day logs: {e}");
            }
        }
    }
    if let Err(e) = std::fs::write(dir.join("done"), "") {
        panic!("cannot write {}: {e}", dir.display());
    }
    dir
}

fn site_logs() -> Vec<SiteLogs> {
    (0..sites())
        .map(|s| SiteLogs {
            name: format!("Site {s:02}").into(),
            options: DecodeOptions::default(),
        })
        .collect()
}

/// `f` timed three times: the median, in milliseconds (each printed as a comment).
fn median_ms(mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..3)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    println!("# {times:.1?} ms");
    times.sort_by(f64::total_cmp);
    times[1]
}

fn result(name: &str, value: f64, unit: &str) {
    println!("RESULT {name} {value:.1} {unit}");
}

/// CPU seconds (user and system) used so far by `pid` (`None`: this process) and, with
/// `children`, by the processes it started that still run (PostgreSQL's backends).
fn cpu_seconds(pid: Option<u32>, children: bool) -> f64 {
    // utime and stime are fields 14 and 15, after the command in parentheses.
    let ticks = |stat: &str| -> Option<(u32, u64)> {
        let rest = &stat[stat.rfind(')')? + 2..];
        let f: Vec<&str> = rest.split_whitespace().collect();
        let ppid = f.get(1)?.parse().ok()?;
        Some((
            ppid,
            f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?,
        ))
    };
    let own = pid.map_or_else(|| "self".to_string(), |p| p.to_string());
    let mut total = std::fs::read_to_string(format!("/proc/{own}/stat"))
        .ok()
        .and_then(|s| ticks(&s))
        .map_or(0, |t| t.1);
    if let (Some(pid), true) = (pid, children) {
        for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
            if let Some((ppid, t)) = ticks(&stat)
                && ppid == pid
            {
                total += t;
            }
        }
    }
    // The kernel's USER_HZ: 100 on every Linux this runs on.
    total as f64 / 100.0
}

/// CPU seconds (user and system) of the calling thread so far.
fn thread_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    let Some(close) = stat.rfind(')') else {
        return 0.0;
    };
    let f: Vec<&str> = stat[close + 2..].split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    (ticks(11) + ticks(12)) as f64 / 100.0
}

/// Ingest, query and statistics on one engine; returns the records ingested. `settle` runs
/// between ingest and the queries; `server` is the database server's process, whose CPU time
/// counts with the ingest's.
fn run(
    engine: &str,
    store: &mut dyn HistoryStore,
    logs: &Path,
    settle: &dyn Fn(),
    server: Option<u32>,
) -> u64 {
    let cpu = || cpu_seconds(None, false) + server.map_or(0.0, |p| cpu_seconds(Some(p), true));
    let cpu_before = cpu();
    // This thread reads and decodes; the writer thread and the server write.
    let reader = thread_cpu_seconds;
    let reader_before = reader();
    let t = Instant::now();
    let done = history::rebuild(
        store,
        logs,
        &site_logs(),
        chrono::Duration::minutes(240),
        &mut |_| {},
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(done.lines as usize, sites() * days() * per_day());
    let cpu_secs = cpu() - cpu_before;
    let reader_secs = reader() - reader_before;
    result(
        &format!("history_ingest_{engine}"),
        done.lines as f64 / secs,
        "records/s",
    );
    result(
        &format!("history_ingest_{engine}_cpu"),
        done.lines as f64 / cpu_secs.max(0.01),
        "records/cpu-s",
    );
    println!(
        "# ingest {engine}: {secs:.1} s, {cpu_secs:.1} CPU s ({reader_secs:.1} reading and \
         decoding, {:.1} writing)",
        cpu_secs - reader_secs
    );
    // Each side's own rate: on two idle cores the ingest runs at about the slower one's.
    result(
        &format!("history_ingest_{engine}_read_cpu"),
        done.lines as f64 / reader_secs.max(0.01),
        "records/cpu-s",
    );
    result(
        &format!("history_ingest_{engine}_write_cpu"),
        done.lines as f64 / (cpu_secs - reader_secs).max(0.01),
        "records/cpu-s",
    );

    settle();

    // One site, one day in the middle.
    let day = start() + chrono::Duration::days(days() as i64 / 2);
    let q = RecordQuery {
        sites: vec!["Site 01".into()],
        from: Some(day),
        to: Some(day),
        ..Default::default()
    };
    // Each query three times (the first may read from disk): the median.
    let mut n = 0u64;
    let ms = median_ms(|| {
        n = 0;
        store
            .records(&q, &mut |line| {
                // Decoded again, as the output writers do.
                n += u64::from(line.decode().kind() != smdr_monitor::protocol::Kind::Unparsed);
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{e}"));
    });
    result(&format!("history_query_day_{engine}"), ms, "ms");
    assert!(n as usize > per_day() / 2, "{n} records on {day}");

    let mut rows = Vec::new();
    let ms = median_ms(|| {
        rows = store
            .stats(&RecordQuery::default(), StatsBy::Day)
            .unwrap_or_else(|e| panic!("{e}"));
    });
    result(&format!("history_stats_30d_{engine}"), ms, "ms");
    assert!(rows.len() >= days(), "{} days", rows.len());
    done.lines
}

fn load() {
    let avg = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "# load average {}",
        avg.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
}

fn main() {
    let logs = logs();
    load();
    if engine_on("sqlite") {
        let dir = PathBuf::from("target/bench-data");
        let db = dir.join(format!("history-bench-{}.sqlite3", std::process::id()));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
        let mut store =
            history::open(&Target::Embedded(db.clone())).unwrap_or_else(|e| panic!("{e}"));
        let records = run("sqlite", store.as_mut(), &logs, &|| {}, None);
        drop(store);
        let bytes: u64 = ["", "-wal"]
            .iter()
            .filter_map(|s| std::fs::metadata(format!("{}{s}", db.display())).ok())
            .map(|m| m.len())
            .sum();
        result(
            "history_bytes_per_record_sqlite",
            bytes as f64 / records as f64,
            "bytes",
        );
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
    }

    if engine_on("postgres") {
        let cluster = cluster::Cluster::start();
        let url = cluster.database("bench");
        let target = Target::parse(&url).unwrap_or_else(|e| panic!("{e}"));
        let mut store = history::open(&target).unwrap_or_else(|e| panic!("{e}"));
        // Vacuumed before the queries, as autovacuum does soon after a load this size: index-only
        // scans need the visibility map it writes.
        let records = run(
            "postgres",
            store.as_mut(),
            &logs,
            &|| {
                cluster.sql("bench", "VACUUM ANALYZE");
            },
            cluster.server_pid(),
        );
        let rows = cluster.sql("bench", "SELECT pg_database_size('bench')::BIGINT");
        let bytes: i64 = rows[0].get(0);
        result(
            "history_bytes_per_record_postgres",
            bytes as f64 / records as f64,
            "bytes",
        );
    }
    load();
}
