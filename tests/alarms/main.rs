//! Alarm delivery to real endpoints on loopback (an HTTP server here, an SMTP receiver in
//! `email.rs`), a dead webhook, `alarms check` on a saved log, and the evaluator's no-allocation
//! promise for records that match no rule.

mod email;

#[path = "../common/mod.rs"]
mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use chrono::DateTime;
use smdr_monitor::alarm::config::{EmailConfig, MailSecurity, Payload, Redacted, WebhookConfig};
use smdr_monitor::alarm::deliver::{
    Channel, ChannelStatus, Dispatcher, Email, Retry, Webhook, deliver_once,
};
use smdr_monitor::alarm::{Alarm, AlarmsConfig, Evaluator, RecordRef, Severity};
use smdr_monitor::protocol::{DecodeOptions, Format, StreamDecoder};
use smdr_monitor::sim::{Scenario, SimOptions, SimServer};

/// Counts allocations made on a thread while it asks for it.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

// SAFETY: forwards to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        }
        // SAFETY: the caller's layout, as given.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: allocated above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        }
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const LIMIT: Duration = Duration::from_secs(10);

fn alarm() -> Alarm {
    Alarm {
        at: DateTime::parse_from_rfc3339("2026-11-30T14:02:11.250-06:00").unwrap(),
        site: "HQ".into(),
        rule: "Emergency call".into(),
        severity: Severity::Critical,
        text: "Extension 2101 dialled 911 at 14:02:11 on HQ".into(),
        record: Some(RecordRef {
            received: Some(DateTime::parse_from_rfc3339("2026-11-30T14:02:11.250-06:00").unwrap()),
            text: "2026-11-30 14:02:11 |OUT| …".into(),
            source: None,
        }),
        call_id: Some("2026113014021100002101".into()),
        test: false,
    }
}

/// One HTTP request as the server read it: the request line and headers, and the body.
struct Request {
    head: String,
    body: String,
}

/// An HTTP server on 127.0.0.1 answering each connection with the next of `statuses`, then
/// stopping (or after [`LIMIT`]).
fn http_server(statuses: Vec<u16>) -> (u16, Receiver<Request>, JoinHandle<()>) {
    http_server_for(statuses, LIMIT)
}

/// [`http_server`], waiting up to `limit` for each connection.
fn http_server_for(
    statuses: Vec<u16>,
    limit: Duration,
) -> (u16, Receiver<Request>, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    let (tx, rx) = channel();
    let handle = std::thread::spawn(move || {
        let deadline = Instant::now() + limit;
        for status in statuses {
            let mut stream = loop {
                match listener.accept() {
                    Ok((s, _)) => break s,
                    Err(_) if Instant::now() < deadline => {
                        std::thread::sleep(Duration::from_millis(5))
                    }
                    Err(_) => return,
                }
            };
            stream.set_nonblocking(false).unwrap();
            stream.set_read_timeout(Some(LIMIT)).unwrap();
            let Some(request) = read_request(&mut stream) else {
                return;
            };
            let reply =
                format!("HTTP/1.1 {status} X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
            let _ = stream.write_all(reply.as_bytes());
            let _ = tx.send(request);
        }
    });
    (port, rx, handle)
}

fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if line == "\r\n" {
            break;
        }
        head.push_str(&line);
    }
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        head,
        body: String::from_utf8(body).ok()?,
    })
}

fn webhook(port: u16, payload: Payload) -> Webhook {
    Webhook::new(&WebhookConfig {
        url: format!("http://127.0.0.1:{port}/hooks/T000/B000/secret-key"),
        payload,
        min_severity: Severity::Info,
        timeout_s: 5,
    })
}

/// A dispatcher whose one channel takes every alarm.
fn one_channel(channel: Box<dyn Channel>, queue: usize, retry: Retry) -> Dispatcher {
    Dispatcher::with_channels(vec![(channel, Severity::Info)], queue, retry, None)
}

fn fast_retry(n: usize, wait_ms: u64) -> Retry {
    Retry {
        waits: vec![Duration::from_millis(wait_ms); n],
    }
}

/// Waits (bounded) until `f` holds for the first channel's status; the status then.
fn wait_for(d: &Dispatcher, f: impl Fn(&ChannelStatus) -> bool) -> ChannelStatus {
    let deadline = Instant::now() + LIMIT;
    loop {
        let s = d.status()[0].clone();
        if f(&s) || Instant::now() > deadline {
            return s;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn the_webhook_gets_a_text_payload_and_a_failed_post_is_tried_again() {
    let (port, rx, server) = http_server(vec![500, 200]);
    let d = one_channel(
        Box::new(webhook(port, Payload::Text)),
        16,
        fast_retry(3, 100),
    );
    d.send(&alarm());
    let first = rx.recv_timeout(LIMIT).unwrap();
    assert!(
        first
            .head
            .starts_with("POST /hooks/T000/B000/secret-key HTTP/1.1\r\n"),
        "{}",
        first.head
    );
    assert!(
        first
            .head
            .to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{}",
        first.head
    );
    assert_eq!(
        first.body,
        r#"{"text":"CRITICAL Emergency call: Extension 2101 dialled 911 at 14:02:11 on HQ"}"#
    );
    // HTTP 500 is the server's trouble: tried again, the same body.
    let second = rx.recv_timeout(LIMIT).unwrap();
    assert_eq!(second.body, first.body);
    let status = wait_for(&d, |s| s.delivered == 1);
    assert_eq!((status.delivered, status.failed, status.dropped), (1, 0, 0));
    assert!(!status.failing);
    let shown = format!("http://127.0.0.1:{port}/…");
    assert!(
        status.state.starts_with("delivered at "),
        "{}",
        status.state
    );
    assert!(
        status.state.ends_with(&format!("(HTTP 200 from {shown})")),
        "{}",
        status.state
    );
    assert_eq!(status.target, shown);
    // The URL's key is never shown.
    assert!(!d.describe().concat().contains("secret-key"));
    server.join().unwrap();
}

#[test]
fn the_webhook_can_carry_the_whole_alarm() {
    let (port, rx, server) = http_server(vec![204]);
    let mut channel = webhook(port, Payload::Alarm);
    let what = deliver_once(&mut channel, &alarm()).unwrap();
    assert_eq!(what, format!("HTTP 204 from http://127.0.0.1:{port}/…"));
    let body = rx.recv_timeout(LIMIT).unwrap().body;
    let got: Alarm = serde_json::from_str(&body).unwrap();
    assert_eq!(got, alarm());
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["at"], "2026-11-30T14:02:11.250-06:00");
    assert_eq!(v["severity"], "critical");
    assert!(v.get("test").is_none());
    server.join().unwrap();
}

#[test]
fn a_refused_webhook_is_not_tried_again() {
    let (port, _rx, server) = http_server(vec![404]);
    let d = one_channel(
        Box::new(webhook(port, Payload::Text)),
        16,
        fast_retry(3, 100),
    );
    d.send(&alarm());
    let status = wait_for(&d, |s| s.failed == 1);
    assert_eq!((status.delivered, status.failed), (0, 1));
    assert!(
        status.state.starts_with(&format!(
            "http://127.0.0.1:{port}/… refused the alarm with HTTP 404 (check the webhook URL) at "
        )),
        "{}",
        status.state
    );
    assert!(
        status
            .state
            .ends_with("; gave up on the alarm \"Emergency call\""),
        "{}",
        status.state
    );
    server.join().unwrap();
}

#[test]
fn a_dead_webhook_never_blocks_and_is_reported() {
    // A port nobody listens on: connections are refused.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let d = one_channel(
        Box::new(webhook(port, Payload::Text)),
        4,
        fast_retry(50, 200),
    );
    let started = Instant::now();
    for _ in 0..100 {
        d.send(&alarm());
    }
    let sending = started.elapsed();
    // Not waiting for the dead server: a blocked send would take a retry (50 ms) or more
    // each; a second leaves room for a loaded machine.
    assert!(sending < Duration::from_secs(1), "sending took {sending:?}");
    let status = wait_for(&d, |s| s.failing && s.dropped >= 95);
    assert!(status.failing);
    let refused = format!("connection refused by http://127.0.0.1:{port}/… at ");
    assert!(status.state.starts_with(&refused), "{}", status.state);
    assert!(
        status.state.ends_with(", retrying in 200 ms"),
        "{}",
        status.state
    );
    // One in the channel's hands, four waiting: the rest were dropped and counted.
    assert!((95..=96).contains(&status.dropped), "{}", status.dropped);
    let said = d.describe().concat();
    assert!(said.starts_with("webhook: connection refused by"), "{said}");
    assert!(
        said.ends_with(&format!(
            "; {} alarms dropped, the queue of 4 was full",
            status.dropped
        )),
        "{said}"
    );
    // Closing does not wait for the dead server.
    let closing = Instant::now();
    assert!(d.shutdown(Duration::from_millis(100)) > 0);
    assert!(closing.elapsed() < Duration::from_secs(1));
}

#[test]
fn from_an_emergency_record_to_the_webhook_within_a_second() {
    let (port, rx, server) = http_server(vec![200]);
    let d = one_channel(Box::new(webhook(port, Payload::Text)), 16, Retry::default());
    let mut evaluator = Evaluator::new(&AlarmsConfig::default()).unwrap();
    let line = "2026-11-30 14:02:11 |OUT| 2026113014021100002101 0092101 0002101 0000000 000000000000911 |              | 000000000000000 |          | 000000000000 |RINGING     |";
    let mut decoder = StreamDecoder::new(DecodeOptions {
        format: Some(Format::AppSuite),
        ..Default::default()
    });
    let site: Arc<str> = "HQ".into();
    let received = DateTime::parse_from_rfc3339("2026-11-30T14:02:11.250-06:00").unwrap();
    let started = Instant::now();
    let mut alarms = Vec::new();
    evaluator.record(
        &site,
        Some(received),
        &decoder.decode(line, Some(received)),
        &mut alarms,
    );
    for a in &alarms {
        d.send(a);
    }
    let got = rx.recv_timeout(LIMIT).unwrap();
    let took = started.elapsed();
    assert_eq!(
        got.body,
        r#"{"text":"CRITICAL Emergency call: Extension 2101 dialled 911 at 14:02:11 on HQ"}"#
    );
    assert!(took < Duration::from_secs(1), "{took:?}");
    server.join().unwrap();
}

#[test]
fn alarms_check_audits_a_weekend_of_logs() {
    let (code, out, err) = common::run(
        "alarms",
        &[
            "check",
            "--alarms",
            "tests/fixtures/alarms/toll-fraud.toml",
            "tests/fixtures/alarms/HQ.20261128.1.log",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let expected =
        std::fs::read_to_string("tests/fixtures/alarms/HQ.20261128.1.expected.jsonl").unwrap();
    assert_eq!(out, expected.replace("\r\n", "\n"));
    assert_eq!(
        err.trim_end(),
        "5 alarms from 9 records in 1 file (Emergency call: 1, Night calls: 2, Toll fraud: 2)"
    );
    // A rules file that is not there is an error, not the defaults.
    let (code, _, err) = common::run(
        "alarms",
        &[
            "check",
            "--alarms",
            "tests/fixtures/alarms/missing.toml",
            "tests/fixtures/alarms/HQ.20261128.1.log",
        ],
    );
    assert_ne!(code, 0);
    assert!(err.contains("missing.toml: no such file"), "{err}");
}

#[test]
fn a_record_that_matches_no_rule_allocates_nothing() {
    use smdr_monitor::alarm::config::{LongCallRule, NumberRule, Rule, RuleKind, Sites};
    use smdr_monitor::alarm::pattern::Preset;
    use smdr_monitor::sim::{Generator, TrafficFormat};

    let mut config = AlarmsConfig::default();
    for r in &mut config.rules {
        r.enabled = !matches!(r.kind, RuleKind::Number(_)) || r.name == "Emergency call";
        if let RuleKind::LongCall(l) = &mut r.kind {
            *l = LongCallRule {
                minutes: 360,
                ..LongCallRule::default()
            };
        }
    }
    // 100 rules: number patterns no generated number has (17 digits, exact).
    while config.rules.len() < 100 {
        let n = config.rules.len();
        config.rules.push(Rule {
            name: format!("Blocked {n}"),
            enabled: true,
            sites: Sites::All,
            severity: Severity::Warning,
            kind: RuleKind::Number(NumberRule {
                numbers: vec![
                    format!("{:03}NXX55501234567", n),
                    format!("1{n:02}XXXXXXXXXXXXXX"),
                ],
                presets: if n % 10 == 0 {
                    vec![Preset::Emergency]
                } else {
                    vec![]
                },
                ..NumberRule::default()
            }),
        });
    }
    let mut evaluator = Evaluator::new(&config).unwrap();
    let site: Arc<str> = "HQ".into();
    let offset = chrono::FixedOffset::west_opt(6 * 3600).unwrap();
    for (format, tf) in [
        (Format::Mitel5000, TrafficFormat::Mitel5000),
        (Format::AppSuite, TrafficFormat::AppSuite),
        (Format::Mivb, TrafficFormat::Mivb),
    ] {
        // Monday 10:00: within business hours.
        let start = chrono::NaiveDate::from_ymd_opt(2026, 11, 30)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap();
        let mut g = Generator::new(tf, 11, start);
        let lines: Vec<_> = (0..2000).map(|_| g.next_line()).collect();
        let mut decoder = StreamDecoder::new(DecodeOptions {
            format: Some(format),
            ..Default::default()
        });
        let received: Vec<_> = lines
            .iter()
            .map(|l| chrono::TimeZone::from_local_datetime(&offset, &l.at).unwrap())
            .collect();
        let decoded: Vec<_> = lines
            .iter()
            .zip(&received)
            .map(|(l, r)| decoder.decode(&l.text, Some(*r)))
            .collect();
        let mut out = Vec::new();
        // The site is new the first time: its state is made then.
        evaluator.record(&site, Some(received[0]), &decoded[0], &mut out);
        ALLOCATIONS.store(0, Ordering::SeqCst);
        COUNTING.with(|c| c.set(true));
        for (d, r) in decoded.iter().zip(&received).skip(1) {
            evaluator.record(&site, Some(*r), d, &mut out);
        }
        COUNTING.with(|c| c.set(false));
        assert_eq!(out, [], "{format:?}");
        assert_eq!(
            ALLOCATIONS.load(Ordering::SeqCst),
            0,
            "{format:?}: allocations"
        );
    }
    // The counter counts.
    COUNTING.with(|c| c.set(true));
    let v: Vec<u8> = std::hint::black_box(Vec::with_capacity(8));
    COUNTING.with(|c| c.set(false));
    drop(v);
    assert_eq!(ALLOCATIONS.load(Ordering::SeqCst), 1);
}

#[test]
fn collect_raises_the_emergency_alarm_and_posts_the_webhook() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("test-sim")
        .enable_all()
        .build()
        .unwrap();
    let sim = SimServer::start(
        rt.handle(),
        "appsuite://127.0.0.1:0",
        SimOptions {
            rate: 5.0,
            scenario: Some(Scenario::Emergency),
            seed: Some(15),
            ..SimOptions::default()
        },
    )
    .unwrap();
    let addr = sim.local_addr().unwrap();
    let (port, rx, server) = http_server_for(vec![200], Duration::from_secs(40));
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.toml");
    std::fs::write(
        &rules,
        format!(
            "[delivery]\nhistory = false\n[delivery.desktop]\nenabled = false\n[delivery.webhook]\nurl = \"http://127.0.0.1:{port}/hooks/secret-key\"\n"
        ),
    )
    .unwrap();
    let logs = dir.path().join("logs");
    // The scenario dials 911 ten seconds after the simulator starts.
    let (code, _out, err) = common::run(
        "collect",
        &[
            "--site",
            &format!("HQ=appsuite://{addr}"),
            "--log-dir",
            logs.to_str().unwrap(),
            "--alarms",
            rules.to_str().unwrap(),
            "--for",
            "14s",
            "-v",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("HQ: ALARM Extension 2101 dialled 911 at "),
        "{err}"
    );
    assert!(err.contains("1 alarm raised"), "{err}");
    assert!(err.contains("alarm webhook: delivered at "), "{err}");
    assert!(!err.contains("secret-key"), "{err}");
    let got = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(
        got.head.starts_with("POST /hooks/secret-key "),
        "{}",
        got.head
    );
    assert!(
        got.body
            .starts_with(r#"{"text":"CRITICAL Emergency call: Extension 2101 dialled 911 at "#),
        "{}",
        got.body
    );
    // And the alarm log beside the raw day logs.
    let day = chrono::Local::now().format("%Y%m%d");
    let log = std::fs::read_to_string(logs.join(format!("alarms.{day}.jsonl"))).unwrap();
    assert_eq!(log.lines().count(), 1, "{log}");
    assert!(log.contains(r#""rule":"Emergency call""#), "{log}");
    server.join().unwrap();
}
