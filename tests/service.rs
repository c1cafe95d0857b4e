//! `collect` as a service (issue 16 §2–§3), as a process on loopback: the health endpoint's
//! `/metrics` read by a Prometheus text parser and `/status` as JSON, both equal to what the
//! simulators sent; SIGHUP re-reads the sites file, keeping an unchanged site's connection.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use prometheus_parse::{Scrape, Value};
use smdr_monitor::sim::{SimOptions, SimServer};

const WAIT: Duration = Duration::from_secs(30);
const PASSWORD: &str = "pw4321";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("test-sim")
        .enable_all()
        .build()
        .unwrap()
}

fn sim(rt: &tokio::runtime::Runtime, url: &str, count: Option<u64>, seed: u64) -> SimServer {
    let options = SimOptions {
        rate: 50.0,
        password: Some(PASSWORD.into()),
        count,
        seed: Some(seed),
        ..SimOptions::default()
    };
    SimServer::start(rt.handle(), url, options).unwrap()
}

fn site_entry(name: &str, protocol: &str, sim: &SimServer) -> String {
    let addr = sim.local_addr().unwrap();
    format!(
        "[[site]]\nname = \"{name}\"\nprotocol = \"{protocol}\"\nhost = \"{}\"\nport = {}\npassword = \"{PASSWORD}\"\n\n",
        addr.ip(),
        addr.port()
    )
}

/// A running `collect`, its stderr lines as they come, and its health endpoint's address.
struct Collect {
    child: Child,
    lines: Receiver<String>,
    said: Vec<String>,
    health: String,
}

impl Collect {
    fn start(config: &Path, log_dir: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_smdr-monitor"))
            .arg("collect")
            .arg("--config")
            .arg(config)
            .arg("--log-dir")
            .arg(log_dir)
            .args(["--status", "127.0.0.1:0", "--for", "60s"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut c = Self {
            child,
            lines,
            said: Vec::new(),
            health: String::new(),
        };
        let line = c.wait_line("health: http://");
        let addr = line.split("http://").nth(1).unwrap().split('/').next();
        c.health = addr.unwrap().to_string();
        c
    }

    /// Waits (bounded) for a stderr line containing `text`.
    fn wait_line(&mut self, text: &str) -> String {
        let until = Instant::now() + WAIT;
        loop {
            if let Some(l) = self.said.iter().find(|l| l.contains(text)) {
                return l.clone();
            }
            let left = until.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => self.said.push(l),
                Err(_) => panic!("collect never said {text:?}; it said {:#?}", self.said),
            }
        }
    }

    /// GET `path` from the health endpoint: status code and body.
    fn get(&self, path: &str) -> (u16, String) {
        let mut s = TcpStream::connect(&self.health).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(s, "GET {path} HTTP/1.1\r\nHost: test\r\n\r\n").unwrap();
        let mut all = String::new();
        s.read_to_string(&mut all).unwrap();
        let (head, body) = all.split_once("\r\n\r\n").unwrap();
        let code = head.split_whitespace().nth(1).unwrap().parse().unwrap();
        (code, body.to_string())
    }

    fn status(&self) -> serde_json::Value {
        let (code, body) = self.get("/status");
        assert_eq!(code, 200, "{body}");
        serde_json::from_str(&body).unwrap()
    }

    fn metrics(&self) -> Scrape {
        let (code, body) = self.get("/metrics");
        assert_eq!(code, 200, "{body}");
        Scrape::parse(body.lines().map(|l| Ok(l.to_string()))).unwrap()
    }

    /// Waits (bounded) until `/status` satisfies `done`.
    fn wait_status(
        &self,
        what: &str,
        done: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let until = Instant::now() + WAIT;
        loop {
            let status = self.status();
            if done(&status) {
                return status;
            }
            assert!(Instant::now() < until, "never {what}: {status:#}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Collect {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The value of `metric` with `labels`, as the parser read it.
fn sample(scrape: &Scrape, metric: &str, labels: &[(&str, &str)]) -> Option<f64> {
    scrape
        .samples
        .iter()
        .find(|s| s.metric == metric && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(|s| match s.value {
            Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => v,
            _ => panic!("{metric} is not a plain value"),
        })
}

fn site<'a>(status: &'a serde_json::Value, name: &str) -> Option<&'a serde_json::Value> {
    status["sites"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
}

#[test]
fn metrics_and_status_equal_what_the_simulators_sent() {
    let rt = runtime();
    let tmp = tempfile::tempdir().unwrap();
    let (n5000, nmivb) = (30, 25);
    let hq = sim(&rt, "mitel5000://127.0.0.1:0", Some(n5000), 7);
    let branch = sim(&rt, "mivb://127.0.0.1:0", Some(nmivb), 8);
    let config = tmp.path().join("sites.toml");
    let text = site_entry("HQ", "mitel5000", &hq) + &site_entry("Branch", "mivb", &branch);
    std::fs::write(&config, text).unwrap();
    let c = Collect::start(&config, &tmp.path().join("logs"));

    // Records and the site's status are two events, the status held back up to 250 ms; the
    // simulators count a record once its write returned: all of it is waited for.
    let status = c.wait_status("every record received and counted", |s| {
        site(s, "HQ").is_some_and(|h| {
            h["records_received"]["mitel5000"] == n5000
                && h["records_today"] == n5000
                && h["last_record"].is_string()
        }) && site(s, "Branch").is_some_and(|b| b["records_received"]["mivb"] == nmivb)
            && (hq.sent(), branch.sent()) == (n5000, nmivb)
    });
    assert_eq!((hq.sent(), branch.sent()), (n5000, nmivb));
    assert_eq!(status["version"], env!("CARGO_PKG_VERSION"));
    // collect writes the history by default (the embedded database in --log-dir): its status
    // is reported once the writer has said anything.
    let history = &status["history"];
    assert!(
        history.is_null()
            || ["connecting", "up_to_date", "behind"].contains(&history["state"].as_str().unwrap()),
        "{history}"
    );
    assert!(history.is_null() || history["words"].as_str().unwrap().starts_with("history: "));
    // The alarm rules are always evaluated: an object, with no alarm raised by this traffic.
    assert!(status["alarms"].is_object(), "{}", status["alarms"]);
    let h = site(&status, "HQ").unwrap();
    assert_eq!(h["protocol"], "mitel5000");
    assert_eq!(h["state"], "receiving");
    assert_eq!(h["connected"], true);
    assert_eq!(h["records_today"], n5000);
    assert_eq!(h["reconnects"], 0);
    assert_eq!(h["raw_log_write_errors"], 0);
    assert_eq!(h["raw_log_error"], serde_json::Value::Null);
    assert_eq!(h["relay"]["clients"], 0);
    assert!(h["last_record"].is_string());
    assert!(h["seconds_since_last_record"].as_f64().unwrap() < 30.0);
    assert_eq!(site(&status, "Branch").unwrap()["protocol"], "mivb");

    let m = c.metrics();
    let received = |site, format| {
        sample(
            &m,
            "smdr_records_received_total",
            &[("site", site), ("format", format)],
        )
    };
    assert_eq!(received("HQ", "mitel5000"), Some(n5000 as f64));
    assert_eq!(received("Branch", "mivb"), Some(nmivb as f64));
    let total: f64 = m
        .samples
        .iter()
        .filter(|s| s.metric == "smdr_records_received_total")
        .map(|s| match s.value {
            Value::Counter(v) => v,
            _ => panic!("smdr_records_received_total is not a counter"),
        })
        .sum();
    assert_eq!(total, (hq.sent() + branch.sent()) as f64);
    for name in ["HQ", "Branch"] {
        let one = |metric| sample(&m, metric, &[("site", name)]);
        assert_eq!(one("smdr_site_connected"), Some(1.0), "{name}");
        assert_eq!(one("smdr_reconnects_total"), Some(0.0), "{name}");
        assert_eq!(one("smdr_raw_log_write_errors_total"), Some(0.0), "{name}");
        assert_eq!(one("smdr_raw_log_failing"), Some(0.0), "{name}");
        assert_eq!(one("smdr_relay_clients"), Some(0.0), "{name}");
        assert_eq!(one("smdr_relay_drops_total"), Some(0.0), "{name}");
        assert!(one("smdr_seconds_since_last_record").unwrap() < 30.0);
        let receiving = &[("site", name), ("state", "receiving")];
        assert_eq!(sample(&m, "smdr_site_state", receiving), Some(1.0));
    }
    assert!(m.docs.contains_key("smdr_records_received_total"));
    assert!(matches!(
        m.samples
            .iter()
            .find(|s| s.metric == "smdr_reconnects_total")
            .unwrap()
            .value,
        Value::Counter(_)
    ));
    assert_eq!(c.get("/").0, 404);
    assert_eq!(c.get("/metricsx").0, 404);
    assert_eq!(hq.connections(), 1);
}

#[cfg(unix)]
#[test]
fn sighup_keeps_an_unchanged_site_and_starts_a_new_one() {
    let rt = runtime();
    let tmp = tempfile::tempdir().unwrap();
    let hq = sim(&rt, "mitel5000://127.0.0.1:0", None, 11);
    let branch = sim(&rt, "mivb://127.0.0.1:0", None, 12);
    let config = tmp.path().join("sites.toml");
    std::fs::write(&config, site_entry("HQ", "mitel5000", &hq)).unwrap();
    let mut c = Collect::start(&config, &tmp.path().join("logs"));
    let before = c.wait_status("HQ receiving", |s| {
        site(s, "HQ").is_some_and(|h| h["records_received"]["mitel5000"].as_u64() > Some(2))
    });
    assert_eq!(before["sites"].as_array().unwrap().len(), 1);

    let pid = c.child.id().to_string();
    let signal = |name: &str| {
        let ok = Command::new("kill").args([name, &pid]).status().unwrap();
        assert!(ok.success());
    };
    // Branch also relays its feed: the relay's figures reach /status and /metrics.
    let relay_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let branch_entry = site_entry("Branch", "mivb", &branch)
        + &format!("[site.relay]\nentries = [\"listen 127.0.0.1:{relay_port}\"]\n\n");
    let both = site_entry("HQ", "mitel5000", &hq) + &branch_entry;
    std::fs::write(&config, both).unwrap();
    signal("-HUP");
    assert!(c.wait_line("reload:").contains("added Branch; 1 unchanged"));
    let hq_received = before["sites"][0]["records_received"]["mitel5000"].as_u64();
    let after = c.wait_status("Branch receiving and HQ still receiving", |s| {
        site(s, "Branch").is_some_and(|b| b["records_received"]["mivb"].as_u64() > Some(2))
            && site(s, "HQ").is_some_and(|h| {
                h["records_received"]["mitel5000"].as_u64() > hq_received.map(|n| n + 2)
            })
    });
    // The same connection: the simulator was connected to once, the collector reconnected never.
    assert_eq!(hq.connections(), 1);
    assert_eq!(branch.connections(), 1);
    let h = site(&after, "HQ").unwrap();
    assert_eq!(
        (h["reconnects"].as_u64(), h["connected"].as_bool()),
        (Some(0), Some(true))
    );

    let mut client = TcpStream::connect(("127.0.0.1", relay_port)).unwrap();
    client
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut got = [0u8; 64];
    assert!(client.read(&mut got).unwrap() > 0, "the relay sent nothing");
    let relayed = c.wait_status("Branch relaying", |s| {
        site(s, "Branch")
            .is_some_and(|b| b["relay"]["clients"] == 1 && b["relay"]["frames"].as_u64() > Some(0))
    });
    let relay = &site(&relayed, "Branch").unwrap()["relay"];
    assert_eq!(
        (relay["listeners"].as_u64(), relay["drops"].as_u64()),
        (Some(1), Some(0))
    );
    let m = c.metrics();
    let branch_metric = |metric| sample(&m, metric, &[("site", "Branch")]);
    assert_eq!(branch_metric("smdr_relay_listeners"), Some(1.0));
    assert_eq!(branch_metric("smdr_relay_clients"), Some(1.0));
    assert!(branch_metric("smdr_relay_frames_total") > Some(0.0));
    assert_eq!(
        sample(&m, "smdr_relay_listeners", &[("site", "HQ")]),
        Some(0.0)
    );

    // Removing a site stops it; a sites file that cannot be read changes nothing.
    std::fs::write(&config, &branch_entry).unwrap();
    signal("-HUP");
    assert!(c.wait_line("removed HQ").contains("1 unchanged"));
    c.wait_status("HQ gone", |s| site(s, "HQ").is_none());
    c.said.retain(|l| !l.contains("reload:"));
    std::fs::write(&config, "[[site]\nbroken").unwrap();
    signal("-HUP");
    assert!(c.wait_line("reload:").contains("NOT changed"));
    assert_eq!(branch.connections(), 1);

    // SIGTERM (systemctl stop) ends it cleanly, with its summary.
    signal("-TERM");
    let until = Instant::now() + WAIT;
    let code = loop {
        if let Some(code) = c.child.try_wait().unwrap() {
            break code;
        }
        assert!(Instant::now() < until, "collect did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(code.success(), "{code:?}");
    assert!(c.wait_line(" records, ").starts_with("Branch: "));
}

/// The example the packages ship for /etc/smdr-monitor/sites.toml is a valid site list.
#[test]
fn the_packaged_example_sites_file_loads() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/linux/sites.example.toml");
    let sites = smdr_monitor::collect::load_named_sites(&path).unwrap();
    let names: Vec<&str> = sites.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["HQ", "Branch", "Hotel"]);
    assert_eq!(sites[0].port, 4000);
    assert!(!sites[0].password.is_empty());
}

/// Elsewhere than Windows, `service` says where the service is instead.
#[cfg(not(windows))]
#[test]
fn service_is_windows_only_elsewhere() {
    let out = Command::new(env!("CARGO_BIN_EXE_smdr-monitor"))
        .args(["service", "install"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Windows service") && err.contains("smdr-monitor-collect.service"),
        "{err}"
    );
}
