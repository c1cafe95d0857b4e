//! Live: 100 simulated sites × 100 records/s for 60 s on loopback, through the collectors into
//! the store and the call tracker, taken in on this thread as the window's intake does it
//! (`App::logic`: every 60 Hz frame, drain the collectors' channel into the store for at most
//! 8 ms, feed new rows to the call tracker within the same budget, refresh the table's view).
//! Measured: records lost (sent by the simulators, not in the store), socket→store latency
//! (each record's receipt time, to the millisecond, until it is in the store: p50, p99, max),
//! the intake's time per frame (p50, p99, max), and the Calls tab's recomputation (rows and
//! statistics of every call, at most every 250 ms while calls change). The collectors run
//! inside the engine with the alarm stage (the default rules, the alarm log delivering), and
//! each simulator dials 911 ten seconds in: alarm latency is from the record's receipt time
//! until its alarm reaches this thread (p50, p99, max; target p99 < 1 s).
//!
//! Prints `RESULT <name> <value> <unit>` lines for `scripts/bench.sh`. Under `cargo test`: 3
//! sites × 20 records/s for 2 s.
//!
//! `cargo bench --bench live -- --history`: the same through the engine with the history stage
//! on (an SQLite file in a temporary folder, as the window's embedded default), its results
//! named `live_history_*`; at the end, records lost on the way to the database are counted too.

mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use std::sync::Arc;

use chrono::Local;
use smdr_monitor::alarm::AlarmsConfig;
use smdr_monitor::collect::{CollectOptions, CollectorEvent, SiteConfig};
use smdr_monitor::engine::history::HistoryStage;
use smdr_monitor::engine::{AlarmStage, Engine, EngineEvent, Stage};
use smdr_monitor::history::{self, HistoryStatus, RecordQuery, Target};
use smdr_monitor::sim::{Scenario, SimOptions, SimServer};
use smdr_monitor::store::{RowId, Store, View};
use smdr_monitor::timeline::view::Refresh;
use smdr_monitor::timeline::{CallsSettings, CallsView};

use common::{benchmarking, tracker};

const FRAME: Duration = Duration::from_micros(16_667);
/// The window's intake budget per frame (`ui::app` DRAIN_BUDGET).
const BUDGET: Duration = Duration::from_millis(8);
/// After the simulators stop: at most this long for the last records to come through.
const GRACE: Duration = Duration::from_secs(5);

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    // The simulator's calls ramp up over its first minutes (5000 and MiVB records come when a
    // call ends, and its warm-up is shorter than calls last): asked for 240 records/s, each site
    // sends about 100 a second on average over the first minute (the report says what was sent).
    let (sites, rate, run) = if benchmarking() {
        (100, 240.0, Duration::from_secs(60))
    } else {
        (3, 20.0, Duration::from_secs(2))
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("bench-sim")
        .enable_all()
        .build()
        .expect("a runtime for the simulators");
    let schemes = ["mitel5000", "appsuite", "mivb"];
    let sims: Vec<(String, SimServer)> = (0..sites)
        .map(|i| {
            let scheme = schemes[i % schemes.len()];
            let options = SimOptions {
                rate,
                seed: Some(i as u64),
                scenario: Some(Scenario::Emergency),
                ..SimOptions::default()
            };
            let sim = SimServer::start(
                runtime.handle(),
                &format!("{scheme}://127.0.0.1:0"),
                options,
            )
            .expect("a simulator on loopback");
            (format!("site{i:03}"), sim)
        })
        .collect();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let configs: Vec<SiteConfig> = sims
        .iter()
        .zip(schemes.iter().cycle())
        .map(|((name, sim), scheme)| {
            let addr = sim.local_addr().expect("a listening simulator");
            SiteConfig::from_url(name, &format!("{scheme}://{addr}")).expect("a site URL")
        })
        .collect();
    let with_history = std::env::args().any(|a| a == "--history");
    let prefix = if with_history { "live_history" } else { "live" };
    let options = CollectOptions {
        log_dir: dir.path().join("logs"),
        wake: Arc::new(|| {}),
    };
    let db = dir.path().join("history.sqlite3");
    let mut alarms = AlarmsConfig::default();
    alarms.delivery.desktop.enabled = false;
    alarms.delivery.history = false;
    let (alarm_stage, _control) =
        AlarmStage::new(&alarms, &options.log_dir, None).expect("the default rules");
    let mut stages: Vec<Box<dyn Stage>> = vec![Box::new(alarm_stage)];
    if with_history {
        let stage = HistoryStage::start(
            Target::Embedded(db.clone()),
            options.log_dir.clone(),
            &configs,
            chrono::Duration::minutes(30),
        )
        .expect("the history stage started");
        stages.push(Box::new(stage));
    }
    let (engine, rx) = Engine::start(options, stages).expect("engine started");
    engine.set_sites(configs);
    let running = Running(engine, rx);
    let mut alarm_latency = Vec::new();
    let mut history_status = Vec::new();
    let mut store = Store::new();
    let mut view = View::default();
    let mut calls = tracker();
    let mut tracked = 0usize;
    let (mut intake, mut latency) = (Vec::new(), Vec::new());
    // The Calls tab open all along: its rows and statistics brought up to date at most every
    // 250 ms while calls change, by the view the window uses (`timeline::CallsView`).
    let mut calls_recompute = Vec::new();
    let (mut calls_view, calls_settings) = (CallsView::default(), CallsSettings::default());
    let started = Instant::now();
    let mut stopped_at = None;
    let mut next = Instant::now();
    loop {
        if stopped_at.is_none() && started.elapsed() >= run {
            for (_, sim) in &sims {
                sim.stop();
            }
            stopped_at = Some(Instant::now());
        }
        if let Some(t) = stopped_at {
            let sent: u64 = sims.iter().map(|(_, s)| s.sent()).sum();
            if t.elapsed() >= GRACE || store.len() as u64 >= sent {
                break;
            }
        }
        // One frame's intake, as the window's.
        let frame_start = Instant::now();
        let deadline = frame_start + BUDGET;
        while Instant::now() < deadline {
            match running.try_recv(&mut history_status, &mut alarm_latency) {
                Ok(Some(r)) => {
                    if let Some(received) = r.received {
                        let d = Local::now().fixed_offset() - received;
                        latency.push(d.num_microseconds().unwrap_or(i64::MAX) as f64 / 1000.0);
                    }
                    store.push(r);
                }
                Ok(None) => {}
                Err(()) => break,
            }
        }
        while tracked < store.len() && Instant::now() < deadline {
            let end = (tracked + 512).min(store.len());
            for id in tracked..end {
                if let Some(r) = store.get(id as RowId) {
                    calls.push_decoded(r.site(), &r.decode());
                }
            }
            tracked = end;
        }
        store.refresh(&mut view, &Default::default());
        intake.push(ms(frame_start.elapsed()));
        let t = Instant::now();
        if !calls.calls().is_empty()
            && calls_view.refresh(&calls_settings, &calls, t) == Refresh::Updated
        {
            calls_recompute.push(ms(t.elapsed()));
        }
        next += FRAME;
        match next.checked_duration_since(Instant::now()) {
            Some(wait) => std::thread::sleep(wait),
            None => next = Instant::now(),
        }
    }
    // CPU time per thread name while the traffic ran (before shutdown's last writes): who
    // shares the two cores with this thread's intake.
    let threads = thread_cpu();
    let shutdown = Instant::now();
    running.shutdown();
    let shutdown_s = shutdown.elapsed().as_secs_f64();

    let mut stored: HashMap<&str, u64> = HashMap::new();
    for r in store.iter() {
        *stored.entry(&**r.site()).or_default() += 1;
    }
    let sent: u64 = sims.iter().map(|(_, s)| s.sent()).sum();
    let lost: u64 = sims
        .iter()
        .map(|(name, s)| {
            s.sent()
                .saturating_sub(stored.get(name.as_str()).copied().unwrap_or(0))
        })
        .sum();
    let extra = store.len() as u64 - (sent - lost);
    latency.sort_by(f64::total_cmp);
    intake.sort_by(f64::total_cmp);
    let pre = prefix;
    println!("RESULT {pre}_sites {sites} sites");
    println!("RESULT {pre}_rate {rate} records/s per site");
    println!("RESULT {pre}_seconds {} s", run.as_secs());
    println!("RESULT {pre}_sent {sent} records");
    println!("RESULT {pre}_stored {} records", store.len());
    println!("RESULT {pre}_lost {lost} records");
    println!("RESULT {pre}_unexpected {extra} records");
    for (name, p) in [("p50", 0.5), ("p99", 0.99), ("max", 1.0)] {
        println!(
            "RESULT {pre}_latency_{name} {:.1} ms",
            percentile(&latency, p)
        );
    }
    for (name, p) in [("p50", 0.5), ("p99", 0.99), ("max", 1.0)] {
        println!(
            "RESULT {pre}_intake_{name} {:.2} ms",
            percentile(&intake, p)
        );
    }
    calls_recompute.sort_by(f64::total_cmp);
    for (name, p) in [("p50", 0.5), ("p99", 0.99), ("max", 1.0)] {
        println!(
            "RESULT {pre}_calls_view_{name} {:.2} ms",
            percentile(&calls_recompute, p)
        );
    }
    alarm_latency.sort_by(f64::total_cmp);
    println!("RESULT {pre}_alarms {} alarms", alarm_latency.len());
    for (name, p) in [("p50", 0.5), ("p99", 0.99), ("max", 1.0)] {
        println!(
            "RESULT {pre}_alarm_latency_{name} {:.1} ms",
            percentile(&alarm_latency, p)
        );
    }
    println!("RESULT {pre}_frames {} frames", intake.len());
    println!("RESULT {pre}_calls {} calls", calls.calls().len());
    for (name, secs) in &threads {
        println!("# CPU {name}: {secs:.2} s");
    }
    if with_history {
        let mut h = history::open(&Target::Embedded(db.clone())).expect("the history opens");
        let mut in_db: HashMap<String, u64> = HashMap::new();
        h.records(&RecordQuery::default(), &mut |l| {
            *in_db.entry(l.site.clone()).or_default() += 1;
            Ok(())
        })
        .expect("the history reads");
        let history_lost: u64 = sims
            .iter()
            .map(|(name, s)| {
                s.sent()
                    .saturating_sub(in_db.get(name).copied().unwrap_or(0))
            })
            .sum();
        let bytes = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0)
            + std::fs::metadata(db.with_extension("sqlite3-wal"))
                .map(|m| m.len())
                .unwrap_or(0);
        let behind_max = history_status
            .iter()
            .filter_map(|s| match s {
                HistoryStatus::Behind { records } => Some(*records),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        let unreachable = history_status
            .iter()
            .filter(|s| matches!(s, HistoryStatus::Unreachable { .. }))
            .count();
        println!(
            "RESULT {pre}_in_database {} records",
            in_db.values().sum::<u64>()
        );
        println!("RESULT {pre}_database_lost {history_lost} records");
        println!("RESULT {pre}_behind_max {behind_max} records");
        println!("RESULT {pre}_unreachable {unreachable} times");
        println!("RESULT {pre}_shutdown {shutdown_s:.2} s");
        println!("RESULT {pre}_database_bytes {bytes} bytes");
        assert_eq!(history_lost, 0, "records lost on the way to the database");
    }
    assert!(sent > 0, "the simulators sent nothing");
    assert_eq!(lost, 0, "records lost");
    drop(sims);
}

/// CPU seconds (user and system) of this process's threads so far, summed per thread name
/// (collector threads of many sites share one name), most first.
fn thread_cpu() -> Vec<(String, f64)> {
    let mut by_name: HashMap<String, f64> = HashMap::new();
    for entry in std::fs::read_dir("/proc/self/task")
        .into_iter()
        .flatten()
        .flatten()
    {
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let name = stat[open + 1..close].trim_end_matches(|c: char| c.is_ascii_digit());
        let f: Vec<&str> = stat[close + 2..].split_whitespace().collect();
        let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        // utime and stime; USER_HZ is 100 on every Linux this runs on.
        *by_name.entry(name.to_string()).or_default() += (ticks(11) + ticks(12)) as f64 / 100.0;
    }
    let mut v: Vec<(String, f64)> = by_name.into_iter().collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1));
    v
}

/// The collectors alone (as before), or the engine with the history stage.
/// The engine and what it sends this thread.
struct Running(Engine, std::sync::mpsc::Receiver<EngineEvent>);

impl Running {
    /// The next event: a record, something else (`None`; history statuses kept, alarms'
    /// latency from their record's receipt measured), or nothing waiting (`Err`).
    fn try_recv(
        &self,
        statuses: &mut Vec<HistoryStatus>,
        alarm_latency: &mut Vec<f64>,
    ) -> Result<Option<smdr_monitor::protocol::Record>, ()> {
        match self.1.try_recv() {
            Ok(EngineEvent::Collector(CollectorEvent::Record(r))) => Ok(Some(r)),
            Ok(EngineEvent::History(s)) => {
                statuses.push(s);
                Ok(None)
            }
            Ok(EngineEvent::Alarm(a)) => {
                if let Some(received) = a.record.and_then(|r| r.received) {
                    let d = Local::now().fixed_offset() - received;
                    alarm_latency.push(d.num_microseconds().unwrap_or(i64::MAX) as f64 / 1000.0);
                }
                Ok(None)
            }
            Ok(_) => Ok(None),
            Err(_) => Err(()),
        }
    }

    fn shutdown(self) {
        self.0.shutdown();
    }
}
