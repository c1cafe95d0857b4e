//! What the tests share: simulators on a private runtime, a collector with everything it said,
//! raw-log readers, and the check that the password appears nowhere.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use smdr_monitor::collect::{
    Clock, CollectOptions, Collector, CollectorEvent, Secret, SiteConfig, SiteState, SiteStatus,
};
use smdr_monitor::protocol::Record;
use smdr_monitor::rawlog;
use smdr_monitor::sim::{Faults, SimOptions, SimServer};

pub const PASSWORD: &str = "s3cretPw";
pub const WAIT: Duration = Duration::from_secs(25);

pub fn sim_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("test-sim")
        .enable_all()
        .build()
        .unwrap()
}

pub fn sim(rt: &tokio::runtime::Runtime, url: &str, count: u64, faults: Faults) -> SimServer {
    let options = SimOptions {
        rate: 400.0,
        password: Some(PASSWORD.into()),
        count: Some(count),
        faults,
        seed: Some(count ^ 99),
        journal: true,
        ..SimOptions::default()
    };
    SimServer::start(rt.handle(), url, options).unwrap()
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A collector and everything it has said so far.
pub struct Harness {
    collector: Option<Collector>,
    rx: Receiver<CollectorEvent>,
    pub seen: Vec<CollectorEvent>,
    pub dir: PathBuf,
    /// Owns the log dir when the harness made it.
    _tmp: Option<tempfile::TempDir>,
}

impl Harness {
    pub fn new(dir: &Path) -> Self {
        Self::with_clock(dir, Clock::system())
    }

    pub fn with_clock(dir: &Path, clock: Clock) -> Self {
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

    pub fn collector(&self) -> &Collector {
        self.collector.as_ref().unwrap()
    }

    pub fn pump(&mut self) {
        self.seen.extend(self.rx.try_iter());
    }

    /// Waits (bounded) until `done` holds; false on timeout.
    pub fn wait(&mut self, mut done: impl FnMut(&Self) -> bool) -> bool {
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

    pub fn shutdown(&mut self) {
        if let Some(c) = self.collector.take() {
            c.shutdown();
        }
        self.pump();
    }

    pub fn records(&self) -> Vec<&Record> {
        self.seen
            .iter()
            .filter_map(|e| match e {
                CollectorEvent::Record(r) => Some(r),
                _ => None,
            })
            .collect()
    }

    pub fn logs(&self) -> Vec<&str> {
        self.seen
            .iter()
            .filter_map(|e| match e {
                CollectorEvent::Log { message, .. } => Some(message.as_str()),
                _ => None,
            })
            .collect()
    }

    pub fn states(&self) -> Vec<&SiteState> {
        self.seen
            .iter()
            .filter_map(|e| match e {
                CollectorEvent::Status { status, .. } => Some(&status.state),
                _ => None,
            })
            .collect()
    }

    /// The latest status the harness saw for `site`. A status is sent apart from the log line
    /// or record it counts (and held back up to 250 ms): wait for it, not for those.
    pub fn last_status(&self, site: &str) -> Option<&SiteStatus> {
        self.seen.iter().rev().find_map(|e| match e {
            CollectorEvent::Status { site: s, status } if &**s == site => Some(status),
            _ => None,
        })
    }

    /// The record texts of a site's raw day logs, all files in name order.
    pub fn raw_texts(&self, site: &str) -> Vec<Vec<u8>> {
        raw_log_files(&self.dir.join(site))
            .iter()
            .flat_map(|p| {
                let data = fs::read(p).unwrap();
                data.split(|&b| b == b'\n')
                    .filter(|l| !l.is_empty())
                    .map(|l| rawlog::split_receipt_time(l).1.to_vec())
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    pub fn raw_count(&self, site: &str) -> usize {
        self.raw_texts(site).len()
    }
}

pub fn raw_log_files(dir: &Path) -> Vec<PathBuf> {
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

pub fn site(name: &str, url: &str) -> SiteConfig {
    let mut s = SiteConfig::from_url(name, url).unwrap();
    s.password = Secret::new(PASSWORD);
    s
}

pub fn url_of(sim: &SimServer, scheme: &str) -> String {
    format!("{scheme}://{}", sim.local_addr().unwrap())
}

/// Junk lines the simulator puts between line records (bytes ≥ 0x80) are not sent records.
pub fn without_junk(lines: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    lines.into_iter().filter(|l| l.is_ascii()).collect()
}

pub fn journal_bytes(sim: &SimServer) -> Vec<Vec<u8>> {
    sim.journal().into_iter().map(String::into_bytes).collect()
}

/// Runs `scheme` with `faults` until the simulator has sent `count` records, and checks the raw
/// day log holds exactly those records, in order, once each.
pub fn exactly_once(scheme: &str, faults: Faults, count: u64) -> Harness {
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

pub fn connection_logs(dir: &Path) -> String {
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
pub fn assert_password_nowhere(h: &Harness) {
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
