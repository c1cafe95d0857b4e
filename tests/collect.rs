//! Collectors against the simulator on loopback: every mode, every fault, raw day logs, probe,
//! push-mode peers, restarts, midnight, and the password kept out of every file and event.
//! Each wait is bounded; nothing leaves the machine.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use chrono::{Local, TimeDelta};
use smdr_monitor::collect::{
    Clock, CollectOptions, Collector, CollectorEvent, ProbeReport, Protocol, Secret, SiteConfig,
    SiteState,
};
use smdr_monitor::import;
use smdr_monitor::protocol::{DecodeOptions, Kind, Record, StreamDecoder};
use smdr_monitor::sim::{Faults, SimOptions, SimServer};

const PASSWORD: &str = "s3cretPw";
const WAIT: Duration = Duration::from_secs(25);

fn sim_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("test-sim")
        .enable_all()
        .build()
        .unwrap()
}

fn sim(rt: &tokio::runtime::Runtime, url: &str, count: u64, faults: Faults) -> SimServer {
    let options = SimOptions {
        rate: 400.0,
        password: Some(PASSWORD.into()),
        count: Some(count),
        faults,
        seed: Some(count ^ 99),
        journal: true,
        source: None,
    };
    SimServer::start(rt.handle(), url, options).unwrap()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A collector and everything it has said so far.
struct Harness {
    collector: Option<Collector>,
    rx: Receiver<CollectorEvent>,
    seen: Vec<CollectorEvent>,
    dir: PathBuf,
    /// Owns the log dir when the harness made it.
    _tmp: Option<tempfile::TempDir>,
}

impl Harness {
    fn new(dir: &Path) -> Self {
        Self::with_clock(dir, Clock::system())
    }

    fn with_clock(dir: &Path, clock: Clock) -> Self {
        let options = CollectOptions {
            log_dir: dir.to_path_buf(),
            wake: Arc::new(|| {}),
        };
        let (collector, rx) = Collector::start_with_clock(options, clock).unwrap();
        Self {
            collector: Some(collector),
            rx,
            seen: Vec::new(),
            dir: dir.to_path_buf(),
            _tmp: None,
        }
    }

    fn collector(&self) -> &Collector {
        self.collector.as_ref().unwrap()
    }

    fn pump(&mut self) {
        self.seen.extend(self.rx.try_iter());
    }

    /// Waits (bounded) until `done` holds; false on timeout.
    fn wait(&mut self, mut done: impl FnMut(&Self) -> bool) -> bool {
        let until = Instant::now() + WAIT;
        while Instant::now() < until {
            self.pump();
            if done(self) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    fn shutdown(&mut self) {
        if let Some(c) = self.collector.take() {
            c.shutdown();
        }
        self.pump();
    }

    fn records(&self) -> Vec<&Record> {
        self.seen
            .iter()
            .filter_map(|e| match e {
                CollectorEvent::Record(r) => Some(r),
                _ => None,
            })
            .collect()
    }

    fn logs(&self) -> Vec<&str> {
        self.seen
            .iter()
            .filter_map(|e| match e {
                CollectorEvent::Log { message, .. } => Some(message.as_str()),
                _ => None,
            })
            .collect()
    }

    fn states(&self) -> Vec<&SiteState> {
        self.seen
            .iter()
            .filter_map(|e| match e {
                CollectorEvent::Status { status, .. } => Some(&status.state),
                _ => None,
            })
            .collect()
    }

    /// The record texts of a site's raw day logs, all files in name order.
    fn raw_texts(&self, site: &str) -> Vec<Vec<u8>> {
        raw_log_files(&self.dir.join(site))
            .iter()
            .flat_map(|p| {
                let data = fs::read(p).unwrap();
                data.split(|&b| b == b'\n')
                    .filter(|l| !l.is_empty())
                    .map(|l| import::split_receipt_time(l).1.to_vec())
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    fn raw_count(&self, site: &str) -> usize {
        self.raw_texts(site).len()
    }
}

fn raw_log_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.retain(|p| {
        let name = p.file_name().unwrap().to_string_lossy();
        name.ends_with(".log") && !name.ends_with(".connection.log")
    });
    files.sort();
    files
}

fn site(name: &str, url: &str) -> SiteConfig {
    let mut s = SiteConfig::from_url(name, url).unwrap();
    s.password = Secret::new(PASSWORD);
    s
}

fn url_of(sim: &SimServer, scheme: &str) -> String {
    format!("{scheme}://{}", sim.local_addr().unwrap())
}

/// Junk lines the simulator puts between line records (bytes ≥ 0x80) are not sent records.
fn without_junk(lines: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    lines.into_iter().filter(|l| l.is_ascii()).collect()
}

fn journal_bytes(sim: &SimServer) -> Vec<Vec<u8>> {
    sim.journal().into_iter().map(String::into_bytes).collect()
}

/// Runs `scheme` with `faults` until the simulator has sent `count` records, and checks the raw
/// day log holds exactly those records, in order, once each.
fn exactly_once(scheme: &str, faults: Faults, count: u64) -> Harness {
    let rt = sim_runtime();
    let tmp = tempfile::tempdir().unwrap();
    let sim = sim(&rt, &format!("{scheme}://127.0.0.1:0"), count, faults);
    let mut h = Harness::new(tmp.path());
    h._tmp = Some(tmp);
    h.collector()
        .set_sites(vec![site("Site", &url_of(&sim, scheme))]);
    let done = h
        .wait(|h| sim.sent() >= count && without_junk(h.raw_texts("Site")).len() >= count as usize);
    assert!(
        done,
        "{scheme} {faults:?}: sim sent {}, raw log has {}",
        sim.sent(),
        h.raw_count("Site")
    );
    h.wait(|h| h.records().len() >= h.raw_count("Site"));
    let raw = without_junk(h.raw_texts("Site"));
    assert_eq!(raw, journal_bytes(&sim), "{scheme} {faults:?}");
    sim.stop();
    drop(rt);
    h.shutdown();
    h
}

#[test]
fn every_mode_delivers_every_record_decoded() {
    for scheme in ["mitel5000", "appsuite", "mivb"] {
        let h = exactly_once(scheme, Faults::default(), 40);
        let records = h.records();
        assert_eq!(records.len(), 40, "{scheme}");
        assert!(records.iter().all(|r| r.kind != Kind::Unparsed), "{scheme}");
        assert!(
            records
                .iter()
                .all(|r| r.received.is_some() && &*r.site == "Site")
        );
        assert!(h.states().contains(&&SiteState::Receiving), "{scheme}");
        assert_eq!(h.states().last(), Some(&&SiteState::Stopped));
        assert_password_nowhere(&h);
    }
}

#[test]
fn push_mode_accepts_the_server_and_refuses_a_stranger() {
    let rt = sim_runtime();
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut h = Harness::new(dir.path());
    h.collector().set_sites(vec![site(
        "Push",
        &format!("appsuite-push://127.0.0.1:{port}"),
    )]);
    assert!(h.wait(|h| h.states().contains(&&SiteState::Listening)));
    // A stranger (another loopback address) is refused and reported.
    let mut options = SimOptions {
        rate: 400.0,
        count: Some(10),
        journal: true,
        source: Some("127.0.0.2".parse().unwrap()),
        ..SimOptions::default()
    };
    let stranger = SimServer::start(
        rt.handle(),
        &format!("appsuite-push://127.0.0.1:{port}"),
        options.clone(),
    )
    .unwrap();
    assert!(h.wait(|h| {
        h.logs()
            .iter()
            .any(|l| l.contains("refused a connection from 127.0.0.2"))
    }));
    stranger.stop();
    assert_eq!(h.raw_count("Push"), 0);
    // The allowed server (this PC by default) is served.
    options.source = None;
    let server = SimServer::start(
        rt.handle(),
        &format!("appsuite-push://127.0.0.1:{port}"),
        options,
    )
    .unwrap();
    assert!(h.wait(|h| server.sent() >= 10 && h.raw_count("Push") >= 10));
    assert_eq!(h.raw_texts("Push"), journal_bytes(&server));
    assert!(
        h.logs()
            .iter()
            .any(|l| l.contains("the App Suite server 127.0.0.1"))
    );
    let conn_log = connection_logs(&dir.path().join("Push"));
    assert!(
        conn_log.contains("refused a connection from 127.0.0.2"),
        "{conn_log}"
    );
    h.shutdown();
}

#[test]
fn an_app_suite_site_can_also_listen_for_push() {
    let rt = sim_runtime();
    let dir = tempfile::tempdir().unwrap();
    let local = sim(&rt, "appsuite://127.0.0.1:0", 20, Faults::default());
    let port = free_port();
    let mut both = site("Both", &url_of(&local, "appsuite"));
    both.also_push = Some(format!("127.0.0.1:{port}"));
    let mut h = Harness::new(dir.path());
    h.collector().set_sites(vec![both]);
    let options = SimOptions {
        rate: 400.0,
        count: Some(20),
        journal: true,
        seed: Some(5),
        ..SimOptions::default()
    };
    let pushed = SimServer::start(
        rt.handle(),
        &format!("appsuite-push://127.0.0.1:{port}"),
        options,
    )
    .unwrap();
    assert!(h.wait(|h| local.sent() >= 20 && pushed.sent() >= 20 && h.raw_count("Both") >= 40));
    let mut raw = h.raw_texts("Both");
    raw.sort();
    let mut sent = journal_bytes(&local);
    sent.extend(journal_bytes(&pushed));
    sent.sort();
    assert_eq!(raw, sent);
    h.shutdown();
}

#[test]
fn split_drip_and_garbage_faults_lose_and_duplicate_nothing() {
    let split = Faults {
        split: true,
        ..Faults::default()
    };
    exactly_once("mitel5000", split, 60);
    exactly_once("appsuite", split, 60);
    let drip = Faults {
        drip: true,
        ..Faults::default()
    };
    exactly_once("mitel5000", drip, 12);
    exactly_once("mivb", drip, 12);
    let garbage = Faults {
        garbage: true,
        split: true,
        ..Faults::default()
    };
    let h = exactly_once("mitel5000", garbage, 60);
    // The framer's skipped bytes are visible: unparsed records with a reason, hex in the log.
    let skipped: Vec<_> = h
        .records()
        .into_iter()
        .filter(|r| r.problem.is_some())
        .collect();
    assert!(!skipped.is_empty());
    assert!(
        skipped
            .iter()
            .all(|r| r.kind == Kind::Unparsed && r.raw_bytes()[0] >= 0x80)
    );
    assert!(h.logs().iter().any(|l| l.starts_with("skipped ")));
    let h = exactly_once("appsuite", garbage, 60);
    let junk_lines = h.raw_texts("Site").len() - 60;
    assert!(junk_lines > 0);
    let unparsed = h
        .records()
        .iter()
        .filter(|r| r.kind == Kind::Unparsed)
        .count();
    assert_eq!(
        unparsed, junk_lines,
        "each junk line is reported as an unparsed record"
    );
}

#[test]
fn dropped_connections_resend_torn_records_whole() {
    let drop = Faults {
        drop: true,
        ..Faults::default()
    };
    for scheme in ["mitel5000", "appsuite"] {
        let h = exactly_once(scheme, drop, 20);
        let logs = h.logs();
        assert!(
            logs.iter()
                .any(|l| l.starts_with("connection dropped inside a record:")
                    && l.ends_with("bytes discarded")),
            "{logs:?}"
        );
        let reconnects = h.seen.iter().rev().find_map(|e| match e {
            CollectorEvent::Status { status, .. } => Some(status.reconnects),
            _ => None,
        });
        assert!(reconnects.unwrap_or(0) >= 1);
    }
}

#[test]
fn wrong_password_fails_the_probe_with_its_reason() {
    let rt = sim_runtime();
    let sim = sim(&rt, "mitel5000://127.0.0.1:0", 100, Faults::default());
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::new(dir.path());
    let probe = |password: &str| -> Vec<ProbeReport> {
        let mut s = site("Probe", &url_of(&sim, "mitel5000"));
        s.password = Secret::new(password);
        let rx = h.collector().probe(s, Duration::from_secs(10));
        let mut reports = Vec::new();
        while let Ok(r) = rx.recv_timeout(WAIT) {
            let done = matches!(r, ProbeReport::Done(_));
            reports.push(r);
            if done {
                break;
            }
        }
        reports
    };
    let verdict = |reports: &[ProbeReport]| match reports.last() {
        Some(ProbeReport::Done(v)) => v.clone(),
        other => panic!("no verdict: {other:?}"),
    };
    let wrong = probe("nope");
    let v = verdict(&wrong);
    assert!(!v.success);
    assert!(v.verdict.contains("wrong SMDR password"), "{}", v.verdict);
    let right = probe(PASSWORD);
    let v = verdict(&right);
    assert!(v.success, "{}", v.verdict);
    let labels: Vec<&str> = right
        .iter()
        .filter_map(|r| match r {
            ProbeReport::Step(s) => Some(s.label.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        labels,
        [
            "before connecting",
            "resolve",
            "TCP connect",
            "login sent",
            "first bytes",
            "first record"
        ]
    );
    let all = format!("{wrong:?}{right:?}");
    assert!(
        all.contains("84 ** ** ** ** ** ** ** ** 00"),
        "masked login hex"
    );
    assert!(!all.contains(PASSWORD) && !all.contains("nope"));
}

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
            let (t, _) = import::split_receipt_time(line);
            assert_eq!(t.unwrap().date_naive(), day);
        }
        assert!(!lines.is_empty());
        per_day.push(lines.len() as u64);
    }
    assert_eq!(h.raw_texts("Night"), journal_bytes(&sim));
    // Records today restarted at midnight.
    let today = h.seen.iter().rev().find_map(|e| match e {
        CollectorEvent::Status { status, .. } => Some(status.records_today),
        _ => None,
    });
    assert_eq!(today, Some(per_day[1]));
    let conn = connection_logs(&dir.path().join("Night"));
    assert!(conn.contains(&format!("Night.{}.1.log", days[1].format("%Y%m%d"))));
    h.shutdown();
}

#[test]
fn decoding_a_raw_day_log_gives_the_collected_records() {
    let h = exactly_once("mitel5000", Faults::default(), 50);
    let collected = h.records();
    let mut from_files = Vec::new();
    for file in raw_log_files(&h.dir.join("Site")) {
        let data = fs::read(&file).unwrap();
        let origin: Arc<str> = file.display().to_string().into();
        let mut decoder = StreamDecoder::new(DecodeOptions::default());
        import::records(&data, &origin, &"Site".into(), &mut decoder, |r| {
            from_files.push(r)
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

#[test]
fn a_lost_site_backs_off_reports_the_gap_and_comes_back() {
    let rt = sim_runtime();
    let dir = tempfile::tempdir().unwrap();
    let sim = sim(&rt, "mitel5000://127.0.0.1:0", 1_000_000, Faults::default());
    let addr = sim.local_addr().unwrap();
    let mut h = Harness::new(dir.path());
    h.collector()
        .set_sites(vec![site("Lost", &format!("mitel5000://{addr}"))]);
    assert!(h.wait(|h| h.raw_count("Lost") >= 3));
    drop(sim);
    assert!(h.wait(|h| h.states().iter().any(|s| matches!(s,
        SiteState::BackingOff { last_error, .. } if last_error.contains("refused")))));
    std::thread::sleep(Duration::from_millis(1500));
    let options = SimOptions {
        password: Some(PASSWORD.into()),
        ..SimOptions::default()
    };
    let _back = SimServer::start(rt.handle(), &format!("mitel5000://{addr}"), options).unwrap();
    assert!(h.wait(|h| {
        h.logs()
            .iter()
            .any(|l| l.starts_with("no connection ") && l.ends_with(", records may be missing"))
    }));
    let gaps = h.seen.iter().rev().find_map(|e| match e {
        CollectorEvent::Status { status, .. } if !status.gaps.is_empty() => {
            Some(status.gaps.clone())
        }
        _ => None,
    });
    let gap = gaps.unwrap()[0];
    assert!(gap.to - gap.from >= TimeDelta::seconds(1));
    h.shutdown();
}

#[test]
fn the_demo_runs_two_simulated_sites() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = Harness::new(dir.path());
    let demo = h.collector().start_demo().unwrap();
    let names: Vec<&str> = demo.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Demo 5000", "Demo App Suite"]);
    assert_eq!(
        demo.iter().map(|s| s.protocol).collect::<Vec<_>>(),
        [Protocol::Mitel5000, Protocol::Appsuite]
    );
    assert_eq!(h.collector().start_demo().unwrap(), demo, "idempotent");
    h.collector().set_sites(demo);
    assert!(h.wait(|h| {
        let r = h.records();
        r.iter().any(|r| &*r.site == "Demo 5000") && r.iter().any(|r| &*r.site == "Demo App Suite")
    }));
    h.shutdown();
    assert!(h.records().iter().all(|r| r.kind != Kind::Unparsed));
}

fn connection_logs(dir: &Path) -> String {
    let mut all = String::new();
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.to_string_lossy().ends_with(".connection.log") {
            all.push_str(&fs::read_to_string(p).unwrap());
        }
    }
    all
}

/// The password appears in no file of the log dir and in no event.
fn assert_password_nowhere(h: &Harness) {
    let mut stack = vec![h.dir.clone()];
    let mut files = 0;
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files += 1;
                let data = fs::read(&p).unwrap();
                assert!(
                    !data
                        .windows(PASSWORD.len())
                        .any(|w| w == PASSWORD.as_bytes()),
                    "password in {}",
                    p.display()
                );
            }
        }
    }
    assert!(files >= 2);
    for e in &h.seen {
        if let CollectorEvent::Raw { bytes, .. } = e {
            assert!(
                !bytes
                    .windows(PASSWORD.len())
                    .any(|w| w == PASSWORD.as_bytes())
            );
        }
        assert!(!format!("{e:?}").contains(PASSWORD));
    }
}

// --- The command line, as a technician runs it ---------------------------------------------

struct Spawned(Child);

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `smdr-monitor simulate` and returns it with the address it listens on.
fn simulate(args: &[&str]) -> (Spawned, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_smdr-monitor"))
        .arg("simulate")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    let addr = line.split_whitespace().last().unwrap().to_string();
    (Spawned(child), addr)
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_smdr-monitor"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_probe_against_simulate() {
    let (_sim, addr) = simulate(&[
        "mitel5000://127.0.0.1:0",
        "--password",
        "pw1234",
        "--rate",
        "5",
    ]);
    let url = format!("mitel5000://{addr}");
    let (code, out, err) = run(&["probe", &url, "--password", "pw1234", "--timeout", "10s"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("first record") && out.contains("OK: connected to"),
        "{out}"
    );
    assert!(out.contains("08 00 00 00 84 ** ** ** ** ** ** 00"), "{out}");
    let (code, out, _) = run(&["probe", &url, "--password", "nope12", "--timeout", "10s"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("FAILED: ") && out.contains("wrong SMDR password"),
        "{out}"
    );
    assert!(!out.contains("pw1234") && !out.contains("nope12"));
    // Nothing listening: refused, in words.
    let closed = format!("mivb://127.0.0.1:{}", free_port());
    let (code, out, _) = run(&["probe", &closed, "--timeout", "5s"]);
    assert_eq!(code, 1);
    assert!(out.contains("refused the connection"), "{out}");
}

#[test]
fn cli_collect_for_a_while_then_export() {
    let (_sim, addr) = simulate(&[
        "appsuite://127.0.0.1:0",
        "--rate",
        "200",
        "--count",
        "30",
        "--fault",
        "split",
    ]);
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("calls.jsonl");
    let (code, out, err) = run(&[
        "collect",
        "--site",
        &format!("Shop=appsuite://{addr}"),
        "--log-dir",
        &dir.path().display().to_string(),
        "--for",
        "3s",
        "--export",
        &export.display().to_string(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("Shop: receiving"), "{err}");
    assert!(err.contains("30 records exported"), "{err}");
    let exported = fs::read_to_string(&export).unwrap();
    assert_eq!(exported.lines().count(), 30);
    let first: serde_json::Value = serde_json::from_str(exported.lines().next().unwrap()).unwrap();
    assert_eq!(first["format"], "appsuite");
    assert_eq!(first["kind"], "event");
    assert!(first["source"].as_str().unwrap().contains("Shop.") && first["call_id"].is_string());
    let logs = raw_log_files(&dir.path().join("Shop"));
    assert_eq!(logs.len(), 1);
    assert_eq!(fs::read_to_string(&logs[0]).unwrap().lines().count(), 30);
    // `decode` reads the raw log back with the same records.
    let (code, decoded, _) = run(&["decode", &logs[0].display().to_string()]);
    assert_eq!(code, 0);
    assert_eq!(decoded, exported);
}

/// Raw day logs and their unparsed lines: junk lines (bytes ≥ 0x80) must be the only ones.
fn check_raw_logs_decode(dir: &Path) -> usize {
    let logs = raw_log_files(dir);
    assert_eq!(logs.len(), 1, "{}", dir.display());
    let data = fs::read(&logs[0]).unwrap();
    let lines: Vec<&[u8]> = data
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let junk = lines.iter().filter(|l| !l.is_ascii()).count();
    let (code, _, err) = run(&["decode", &logs[0].display().to_string()]);
    assert_eq!(code, 0);
    assert!(
        err.contains(&format!("{} records decoded, {junk} unparsed", lines.len())),
        "{err}"
    );
    lines.len()
}

#[test]
fn cli_probe_and_collect_every_mode_with_faults_on() {
    for scheme in ["mitel5000", "appsuite", "mivb", "appsuite-push"] {
        let faults = [
            "--rate",
            "50",
            "--password",
            "pw",
            "--fault",
            "split,drop,garbage",
        ];
        let (_sim, url) = if scheme == "appsuite-push" {
            let url = format!("appsuite-push://127.0.0.1:{}", free_port());
            let (sim, _) = simulate(&[&[url.as_str()][..], &faults].concat());
            (sim, url)
        } else {
            let listen = format!("{scheme}://127.0.0.1:0");
            let (sim, addr) = simulate(&[&[listen.as_str()][..], &faults].concat());
            (sim, format!("{scheme}://{addr}"))
        };
        let (code, out, err) = run(&["probe", &url, "--password", "pw", "--timeout", "15s"]);
        assert_eq!(code, 0, "{scheme}: {out}{err}");
        let dir = tempfile::tempdir().unwrap();
        let (code, out, err) = run(&[
            "collect",
            "--site",
            &format!("S={url}"),
            "--password",
            "pw",
            "--log-dir",
            &dir.path().display().to_string(),
            "--for",
            "3s",
        ]);
        assert_eq!(code, 0, "{scheme}: {out}{err}");
        assert!(err.contains("S: receiving"), "{scheme}: {err}");
        assert!(check_raw_logs_decode(&dir.path().join("S")) > 0, "{scheme}");
    }
}

#[cfg(unix)]
#[test]
fn cli_collect_stops_cleanly_on_ctrl_c() {
    let (_sim, addr) = simulate(&["mivb://127.0.0.1:0", "--rate", "100"]);
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("out.csv");
    let child = Command::new(env!("CARGO_BIN_EXE_smdr-monitor"))
        .args(["collect", "--site", &format!("M=mivb://{addr}")])
        .arg("--log-dir")
        .arg(dir.path())
        .arg("--export")
        .arg(&export)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = Spawned(child);
    let until = Instant::now() + WAIT;
    while raw_log_files(&dir.path().join("M")).is_empty() && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));
    let pid = child.0.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let until = Instant::now() + WAIT;
    let status = loop {
        if let Some(s) = child.0.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < until, "collect did not stop on Ctrl-C");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success());
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.0.stderr.take().unwrap(), &mut err).unwrap();
    assert!(err.contains("M: stopped"), "{err}");
    let raw = check_raw_logs_decode(&dir.path().join("M"));
    let exported = fs::read_to_string(&export).unwrap().lines().count();
    assert_eq!(
        exported,
        raw + 1,
        "every record exported, after the CSV header"
    );
}
