//! Collectors against the simulator on loopback: every mode, every fault, raw day logs, probe,
//! push-mode peers, restarts, midnight, and the password kept out of every file and event.
//! Each wait is bounded; nothing leaves the machine.

mod cli;
mod daylog;
mod harness;
mod history;
mod probe;
mod relay;
mod today;

use std::fs;
use std::time::Duration;

use chrono::TimeDelta;
use smdr_monitor::collect::{ProbeReport, Protocol, Secret, SiteConfig, SiteState};
use smdr_monitor::protocol::Kind;
use smdr_monitor::sim::{Demo, Faults, SimOptions, SimServer};

use harness::*;

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
    // The log line comes through the events, the records through the files: both waited for.
    let served = |h: &Harness| {
        h.logs()
            .iter()
            .any(|l| l.contains("the App Suite server 127.0.0.1"))
    };
    assert!(h.wait(|h| server.sent() >= 10 && h.raw_count("Push") >= 10 && served(h)));
    assert_eq!(h.raw_texts("Push"), journal_bytes(&server));
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
                    && l.ends_with(" discarded")),
            "{logs:?}"
        );
        let reconnects = h.last_status("Site").map(|s| s.reconnects);
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
    // A collector with the wrong password says what is likely wrong, and keeps trying.
    let mut h = h;
    let mut wrong = site("Wrong", &url_of(&sim, "mitel5000"));
    wrong.password = Secret::new("nope");
    h.collector().set_sites(vec![wrong]);
    assert!(h.wait(|h| h.states().iter().any(|s| matches!(s,
        SiteState::BackingOff { last_error, .. } if last_error.contains("wrong SMDR password")))));
    h.shutdown();
    let conn = connection_logs(&dir.path().join("Wrong"));
    assert!(
        conn.contains("login sent: 06 00 00 00 84 ** ** ** ** 00"),
        "{conn}"
    );
    assert!(!conn.contains("nope"));
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
    // The gap is logged first and published with a later status: both are waited for.
    assert!(h.wait(|h| {
        h.logs()
            .iter()
            .any(|l| l.starts_with("no connection ") && l.ends_with(", records may be missing"))
            && h.last_status("Lost").is_some_and(|s| !s.gaps.is_empty())
    }));
    let gap = h.last_status("Lost").unwrap().gaps[0];
    assert!(gap.to - gap.from >= TimeDelta::seconds(1));
    h.shutdown();
}

#[test]
fn the_demo_runs_two_simulated_sites() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = Harness::new(dir.path());
    // Whoever asks for the demo starts it, here on the collectors' runtime as the window does.
    let sims = Demo::start(h.collector().runtime().unwrap()).unwrap();
    let demo: Vec<SiteConfig> = sims
        .sites()
        .iter()
        .map(|s| SiteConfig {
            log_dir: Some(sims.log_dir().to_path_buf()),
            ..SiteConfig::from_target(s.name, &s.target)
        })
        .collect();
    let names: Vec<&str> = demo.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Demo 5000", "Demo App Suite"]);
    assert_eq!(
        demo.iter().map(|s| s.protocol).collect::<Vec<_>>(),
        [Protocol::Mitel5000, Protocol::Appsuite]
    );
    assert!(demo.iter().all(|s| s.enabled && s.host == "127.0.0.1"));
    // The demo logs to a temporary folder of its own, never the user's log folder.
    let demo_logs = demo[0].log_dir.clone().expect("the demo's own log folder");
    assert!(demo.iter().all(|s| s.log_dir.as_ref() == Some(&demo_logs)));
    assert!(!demo_logs.starts_with(dir.path()));
    h.collector().set_sites(demo);
    assert!(h.wait(|h| {
        let r = h.records();
        r.iter().any(|r| &*r.site == "Demo 5000") && r.iter().any(|r| &*r.site == "Demo App Suite")
    }));
    let logged = smdr_monitor::collect::daylog::site_dir(&demo_logs, "Demo 5000");
    assert!(!raw_log_files(&logged).is_empty());
    h.shutdown();
    assert!(h.records().iter().all(|r| r.kind != Kind::Unparsed));
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing in the user's log folder"
    );
    assert!(demo_logs.exists(), "the demo's logs stay while it runs");
    drop(sims);
    assert!(!demo_logs.exists(), "the demo's logs go with it");
}

/// Backoffs `site` has entered so far (each with its own "retry at").
fn backoffs(h: &Harness) -> usize {
    h.states()
        .iter()
        .filter(|s| matches!(s, SiteState::BackingOff { .. }))
        .count()
}

#[test]
fn reconnects_count_connections_after_the_first_and_retry_now_cuts_the_wait() {
    let rt = sim_runtime();
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let url = format!("mitel5000://127.0.0.1:{port}");
    let mut h = Harness::new(dir.path());
    h.collector().set_sites(vec![site("Site", &url)]);
    // Nothing listens: three failed attempts are no reconnection.
    assert!(h.wait(|h| backoffs(h) >= 3));
    assert_eq!(h.last_status("Site").unwrap().reconnects, 0);
    // The third wait is 3.2 s or more: "Retry now" connects long before it ends.
    let options = SimOptions {
        rate: 400.0,
        password: Some(PASSWORD.into()),
        ..SimOptions::default()
    };
    let first = SimServer::start(rt.handle(), &url, options.clone()).unwrap();
    let asked = std::time::Instant::now();
    assert!(h.collector().retry_now("Site"));
    assert!(!h.collector().retry_now("Nobody"));
    let retried = |h: &Harness| h.logs().contains(&"retrying now, as asked");
    assert!(
        h.wait(|h| h.raw_count("Site") >= 1 && retried(h)),
        "{:?}",
        h.logs()
    );
    // Sooner than the 3.2 s wait it cut (with room for a loaded machine).
    assert!(
        asked.elapsed() < Duration::from_millis(3000),
        "{:?}",
        asked.elapsed()
    );
    assert_eq!(
        h.last_status("Site").unwrap().reconnects,
        0,
        "the first one"
    );
    // Dropped and back: one reconnection, whatever the failed attempts between.
    first.stop();
    drop(first);
    let before = backoffs(&h);
    assert!(h.wait(|h| backoffs(h) >= before + 2));
    let _second = SimServer::start(rt.handle(), &url, options).unwrap();
    let seen = h.raw_count("Site");
    h.collector().retry_now("Site");
    assert!(
        h.wait(|h| h.raw_count("Site") > seen
            && h.last_status("Site").is_some_and(|s| s.reconnects == 1))
    );
    h.shutdown();
    assert_eq!(h.last_status("Site").unwrap().reconnects, 1);
}

/// A connection test's steps and verdict.
fn probe_reports(rx: std::sync::mpsc::Receiver<ProbeReport>) -> (Vec<String>, String, bool) {
    let mut labels = Vec::new();
    while let Ok(r) = rx.recv_timeout(WAIT) {
        match r {
            ProbeReport::Step(s) => labels.push(s.label),
            ProbeReport::Done(v) => return (labels, v.verdict, v.success),
        }
    }
    panic!("no verdict after {labels:?}");
}

#[test]
fn a_test_of_a_feed_this_program_holds_says_so_and_can_pause_it() {
    use smdr_monitor::collect::ProbeRequest;
    let rt = sim_runtime();
    let dir = tempfile::tempdir().unwrap();
    // One collector at a time, as a PBX.
    let sim = sim(&rt, "mitel5000://127.0.0.1:0", 1_000_000, Faults::default());
    let url = url_of(&sim, "mitel5000");
    let mut h = Harness::new(dir.path());
    let hq = site("HQ", &url);
    h.collector().set_sites(vec![hq.clone()]);
    assert!(h.wait(|h| h.raw_count("HQ") >= 3));
    let test = site("Test", &url);
    assert_eq!(h.collector().holding(&test).as_deref(), Some("HQ"));
    assert_eq!(
        h.collector()
            .holding(&site("Other", "mitel5000://127.0.0.1:9")),
        None
    );

    // Tested alongside: nothing comes, and the verdict says who holds the feed.
    let rx = h.collector().probe(test.clone(), Duration::from_secs(2));
    let (_, verdict, ok) = probe_reports(rx);
    assert!(!ok);
    assert!(
        verdict.contains("this program itself is collecting from HQ on the same connection"),
        "{verdict}"
    );

    // Paused for the test: the test is served, then HQ collects again.
    let rx = h.collector().probe_as(ProbeRequest {
        site: test,
        timeout: Duration::from_secs(10),
        warned: true,
        pause: Some("HQ".into()),
    });
    let (labels, verdict, ok) = probe_reports(rx);
    assert!(ok, "{verdict}");
    assert_eq!(
        labels,
        [
            "pause collection",
            "resolve",
            "TCP connect",
            "login sent",
            "first bytes",
            "first record",
            "resume collection"
        ],
        "the warning once (the window said it), no \"before connecting\""
    );
    let seen = h.raw_count("HQ");
    assert!(h.wait(|h| h.raw_count("HQ") > seen + 2));
    let logs = h.logs();
    assert!(
        logs.contains(&"collection from HQ paused for a connection test")
            && logs.contains(&"connection test over: collection from HQ resumed"),
        "{logs:?}"
    );
    h.shutdown();
    let conn = connection_logs(&dir.path().join("HQ"));
    assert!(conn.contains("paused for a connection test"), "{conn}");
}

/// The reviewer's repro on loopback: a 5000 that sends the header, four stray bytes reading as
/// a length of 768, the title line, two call records, then closes. Every line reaches the raw
/// day log exactly once; the stray bytes are shown, with why, and not logged as a record.
#[test]
fn a_stray_length_between_frames_loses_no_record() {
    use smdr_monitor::protocol::mitel5000::framer::encode_frame;
    use std::io::{Read, Write};

    const LINES: [&[u8]; 4] = [
        b"Station Message Detailed Recording                          00:00:04 07-03-2012",
        b"TYP EXT#  TRUNK DIALED DIGITS                START ELAPSED   COST  ACCOUNT CODE",
        b"TLC 104   94151 952-474-1742                 08:52    S=226 $00.00              ",
        b"IN  110   94129 525530894016            0061 08:48      S=1 $00.00             *",
    ];
    let mut wire = Vec::new();
    encode_frame(LINES[0], &mut wire);
    wire.extend_from_slice(&[0x00, 0x03, 0x00, 0x00]);
    for line in &LINES[1..] {
        encode_frame(line, &mut wire);
    }
    // One connection: read the login, send everything, close. Later connects wait unserved.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut login = [0u8; 14];
        conn.read_exact(&mut login).unwrap();
        conn.write_all(&wire).unwrap();
        drop(conn);
        listener
    });
    let dir = tempfile::tempdir().unwrap();
    let mut h = Harness::new(dir.path());
    h.collector()
        .set_sites(vec![site("Stray", &format!("mitel5000://{addr}"))]);
    assert!(h.wait(|h| h.raw_count("Stray") >= 4 && h.records().len() >= 5));
    let _listener = server.join().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    h.shutdown();
    assert_eq!(h.raw_texts("Stray"), LINES.map(<[u8]>::to_vec));
    let records = h.records();
    let kinds: Vec<Kind> = records.iter().map(|r| r.kind).collect();
    assert_eq!(
        kinds,
        [
            Kind::Header,
            Kind::Unparsed,
            Kind::Header,
            Kind::Call,
            Kind::Call
        ]
    );
    assert_eq!(records[1].raw_bytes(), [0x00, 0x03, 0x00, 0x00]);
    let why = records[1].problem.as_deref().unwrap();
    assert!(why.contains("length prefix 768"), "{why}");
    assert!(records[3].text.starts_with("TLC 104") && records[4].text.starts_with("IN  110"));
    assert!(
        !h.logs()
            .iter()
            .any(|l| l.starts_with("connection dropped inside a record")),
        "{:?}",
        h.logs()
    );
}
