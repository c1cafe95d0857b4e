//! Alarms end to end in the window: a simulator dials 911, the engine's alarm stage raises the
//! alarm, the Alarms tab shows it (badge, acknowledge, the record selected in its tab), and a
//! webhook receiver on loopback has it within a second of the record's receipt.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use chrono::{DateTime, Local};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use smdr_monitor::collect::SiteConfig;
use smdr_monitor::sim::{Scenario, SimOptions, SimServer};
use smdr_monitor::ui::state::Tab;

mod window_common;
use smdr_monitor::ui::{AppOptions, DemoMode, SmdrApp};
use window_common::step_until;

/// A webhook receiver on 127.0.0.1: each POST's body and when it arrived.
fn receiver() -> (u16, Receiver<(String, DateTime<Local>)>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some((k, v)) = line.split_once(':')
                    && k.eq_ignore_ascii_case("content-length")
                {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let at = Local::now();
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
            if tx
                .send((String::from_utf8_lossy(&body).into_owned(), at))
                .is_err()
            {
                return;
            }
        }
    });
    (port, rx)
}

#[test]
fn the_emergency_scenario_reaches_the_alarms_tab_and_the_webhook_within_a_second() {
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
            seed: Some(933),
            ..SimOptions::default()
        },
    )
    .unwrap();
    let (port, hooks) = receiver();
    let dir = tempfile::tempdir().unwrap();
    let site =
        SiteConfig::from_url("HQ", &format!("appsuite://{}", sim.local_addr().unwrap())).unwrap();
    smdr_monitor::collect::config::save_sites(&dir.path().join("sites.toml"), &[site]).unwrap();
    std::fs::write(
        dir.path().join("alarms.toml"),
        format!(
            "[delivery]\nhistory = false\n[delivery.desktop]\nenabled = false\n[delivery.webhook]\nurl = \"http://127.0.0.1:{port}/hook\"\n"
        ),
    )
    .unwrap();
    let options = AppOptions {
        demo: DemoMode::Off,
        config_path: dir.path().join("sites.toml"),
        log_dir: Some(dir.path().join("logs")),
        collect: true,
        open: Vec::new(),
        tab: Some(Tab::Alarms),
        passwords: smdr_monitor::secrets::Passwords::in_memory(),
        desktop: smdr_monitor::desktop::Desktop::Bare,
    };
    let mut h = Harness::builder()
        .with_size([1400.0, 900.0])
        .build_eframe(move |cc| SmdrApp::new(&cc.egui_ctx, cc.storage, options));
    // The technician starts "Test emergency alerting" on HQ, then the scenario dials 911 ten
    // seconds after the simulator started.
    h.run();
    h.get_by_label("Test emergency alerting…").click();
    // A spinner turns while the test waits: frames, not "until it settles".
    h.step();
    h.step();
    assert!(
        h.query_by_label_contains("Dial 933 from an extension on HQ now")
            .is_some()
    );
    assert!(
        h.query_by_label_contains("The rule \"Emergency call\" watches HQ: waiting for the call.")
            .is_some()
    );
    step_until(&mut h, "the emergency alarm", |h| {
        h.state().alarms().count() > 0
    });
    let (alarm, acknowledged) = {
        let (a, ack) = h.state().alarms().next().unwrap();
        (a.clone(), ack)
    };
    assert!(!acknowledged);
    assert_eq!(alarm.rule, "Emergency call");
    assert_eq!(alarm.site, "HQ");
    assert!(
        alarm.text.starts_with("Extension 2101 dialled 911 at "),
        "{}",
        alarm.text
    );
    h.run();
    assert!(h.query_by_label("◆ 1 alarm").is_some(), "no badge");
    assert!(h.query_by_label("1 alarm, 1 unacknowledged").is_some());
    assert!(
        h.query_by_label(&format!("Emergency call: {}", alarm.text))
            .is_some()
    );

    // The webhook, within a second of the record's receipt.
    let (body, at) = hooks.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(
        body,
        format!(r#"{{"text":"CRITICAL Emergency call: {}"}}"#, alarm.text)
    );
    let received = alarm.record.as_ref().and_then(|r| r.received).unwrap();
    let took = at.fixed_offset() - received;
    assert!(
        took < chrono::Duration::seconds(1),
        "webhook {} ms after the record's receipt",
        took.num_milliseconds()
    );

    // Each step as it happened, then the verdict.
    step_until(&mut h, "the test's verdict", |h| {
        h.query_by_label_contains("Emergency alerting works on HQ")
            .is_some()
    });
    for step in [
        "Record seen at ",
        "Rule matched: Emergency call — Extension 2101 dialled 911",
        "Webhook delivered (delivered at ",
        "Alarm log written (delivered at ",
    ] {
        assert!(
            h.query_by_label_contains(step).is_some(),
            "no step {step:?}"
        );
    }
    h.get_by_label("Close").click();
    h.step();
    h.run();

    // The record is marked and selected in its tab.
    h.get_by_label("Record").click();
    h.run();
    assert_eq!(h.state().tab(), Tab::Records);
    let row = h.state().selected_row().expect("the record selected");
    let text = h.state().store().get(row).unwrap().text().to_string();
    assert_eq!(
        Some(text.as_str()),
        alarm.record.as_ref().map(|r| r.text.as_str())
    );

    // Acknowledged in the tab: the badge goes.
    h.get_by_label("Alarms").click();
    h.run();
    h.get_by_label("Acknowledge").click();
    h.run();
    assert!(h.state().alarms().all(|(_, ack)| ack));
    assert!(h.query_by_label("◆ 1 alarm").is_none());
    assert!(h.query_by_label("1 alarm, 0 unacknowledged").is_some());

    // "Send test alarm": through the webhook too, and into the tab.
    h.get_by_label("Send test alarm").click();
    h.run();
    let (body, _) = hooks.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(
        body,
        r#"{"text":"TEST CRITICAL Emergency call: Test alarm for the rule \"Emergency call\" from SMDR Monitor: if you can read this, alarms reach you here"}"#
    );
    assert_eq!(h.state().alarms().filter(|(a, _)| a.test).count(), 1);
    assert!(h.query_by_label("◆ 1 alarm").is_some());
}

#[test]
fn alarm_settings_are_saved_with_the_mail_password_in_the_credential_store() {
    let dir = tempfile::tempdir().unwrap();
    let passwords = smdr_monitor::secrets::Passwords::in_memory();
    let options = AppOptions {
        demo: DemoMode::Off,
        config_path: dir.path().join("sites.toml"),
        log_dir: Some(dir.path().join("logs")),
        collect: false,
        open: Vec::new(),
        tab: Some(Tab::Alarms),
        passwords: passwords.clone(),
        desktop: smdr_monitor::desktop::Desktop::Bare,
    };
    let mut h = Harness::builder()
        .with_size([1400.0, 900.0])
        .build_eframe(move |cc| SmdrApp::new(&cc.egui_ctx, cc.storage, options));
    h.run();
    assert!(
        h.query_by_label("No alarm yet. The rules are in Settings › Alarms.")
            .is_some()
    );
    h.get_by_label("Settings…").click();
    h.run();
    for (label, text) in [
        ("Mail server", "127.0.0.1"),
        ("Password", "hunter2"),
        ("To", "tech@example.com, boss@example.com"),
    ] {
        h.get_by_label(label).focus();
        h.run();
        h.get_by_label(label).type_text(text);
        h.run();
    }
    h.get_by_label("Save").click();
    h.run();
    let saved = std::fs::read_to_string(dir.path().join("alarms.toml")).unwrap();
    assert!(saved.contains("server = \"127.0.0.1\""), "{saved}");
    assert!(saved.contains("password_in_store = true"), "{saved}");
    assert!(!saved.contains("hunter2"), "{saved}");
    assert_eq!(
        passwords
            .get(smdr_monitor::alarm::config::MAIL_PASSWORD_KEY)
            .unwrap()
            .as_deref(),
        Some("hunter2")
    );
    let (read, note) =
        smdr_monitor::alarm::config::load_with(&dir.path().join("alarms.toml"), &passwords)
            .unwrap();
    assert_eq!(note, None);
    assert_eq!(read.delivery.email.password.expose(), "hunter2");
    assert_eq!(
        read.delivery.email.to,
        ["tech@example.com", "boss@example.com"]
    );
    assert!(
        h.query_by_label("hunter2").is_none(),
        "the password is shown"
    );
}

#[test]
fn the_demo_raises_an_alarm_within_its_first_minute() {
    let dir = tempfile::tempdir().unwrap();
    // The default rules, this computer's desktop left alone; the history delivery as by
    // default (on): while only the demo runs, its alarms stay out of the history all the same.
    std::fs::write(
        dir.path().join("alarms.toml"),
        "[delivery.desktop]\nenabled = false\n",
    )
    .unwrap();
    let options = AppOptions {
        demo: DemoMode::Auto,
        config_path: dir.path().join("sites.toml"),
        log_dir: Some(dir.path().join("logs")),
        collect: true,
        open: Vec::new(),
        tab: None,
        passwords: smdr_monitor::secrets::Passwords::in_memory(),
        desktop: smdr_monitor::desktop::Desktop::Bare,
    };
    let started = Instant::now();
    let mut h = Harness::builder()
        .with_size([1400.0, 900.0])
        .build_eframe(move |cc| SmdrApp::new(&cc.egui_ctx, cc.storage, options));
    step_until(&mut h, "the demo's alarm", |h| {
        h.state().alarms().count() > 0
    });
    assert!(started.elapsed() < Duration::from_secs(60));
    let (alarm, _) = h.state().alarms().next().unwrap();
    assert_eq!(
        (alarm.site.as_str(), alarm.rule.as_str()),
        ("Demo App Suite", "Emergency call")
    );
    assert!(alarm.text.contains("dialled 911"), "{}", alarm.text);
    h.run();
    assert!(h.query_by_label("◆ 1 alarm").is_some(), "no badge");
    h.get_by_label("Alarms").click();
    step_until(&mut h, "the alarm log's delivery", |h| {
        h.query_by_label_contains("alarm log: delivered").is_some()
    });
    assert!(
        h.query_by_label_contains("history:").is_none(),
        "the demo's alarm went to the history"
    );
}
