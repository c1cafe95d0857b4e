use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

use chrono::Local;

use super::*;
use crate::alarm::config::{BusinessHours, RuleKind};
use crate::collect::{CollectOptions, Collector, SiteStatus};
use crate::engine::{Engine, EngineEvent};
use crate::protocol::{DecodeOptions, Format, Source, StreamDecoder};

/// The defaults with only the alarm log delivering (no desktop in tests), open all week.
fn config() -> AlarmsConfig {
    let mut c = AlarmsConfig::default();
    c.delivery.desktop.enabled = false;
    // Never this computer's history database.
    c.delivery.history = false;
    let all = "00:00-24:00".to_string();
    c.hours = BusinessHours {
        time_zone: String::new(),
        monday: all.clone(),
        tuesday: all.clone(),
        wednesday: all.clone(),
        thursday: all.clone(),
        friday: all.clone(),
        saturday: all.clone(),
        sunday: all,
        holidays: Vec::new(),
    };
    c
}

fn status(state: SiteState) -> CollectorEvent {
    CollectorEvent::Status {
        site: "HQ".into(),
        status: SiteStatus::new(state),
    }
}

fn emergency_record() -> CollectorEvent {
    let now = Local::now();
    let line = format!(
        "{} |OUT| 2026113014021100002101 0092101 0002101 0000000 000000000000933 |              | 000000000000000 |          | 000000000000 |RINGING     |",
        now.format("%Y-%m-%d %H:%M:%S")
    );
    let mut decoder = StreamDecoder::new(DecodeOptions {
        format: Some(Format::AppSuite),
        ..Default::default()
    });
    CollectorEvent::Record(decoder.record(
        &"HQ".into(),
        Source {
            origin: "HQ.log".into(),
            line: 1,
        },
        line.as_bytes(),
        Some(now.fixed_offset()),
    ))
}

fn alarms(out: &[EngineEvent]) -> Vec<&Alarm> {
    out.iter()
        .filter_map(|e| match e {
            EngineEvent::Alarm(a) => Some(a),
            _ => None,
        })
        .collect()
}

#[test]
fn an_emergency_record_raises_an_alarm_logged_and_passed_on() {
    let dir = tempfile::tempdir().unwrap();
    let (mut stage, control) = AlarmStage::new(&config(), dir.path(), None).unwrap();
    let mut out = Vec::new();
    stage.event(&emergency_record(), &mut out);
    let got = alarms(&out);
    assert_eq!(got.len(), 1, "{out:?}");
    assert_eq!(got[0].rule, "Emergency call");
    assert_eq!(got[0].site, "HQ");
    assert!(
        got[0].text.starts_with("Extension 2101 dialled 933"),
        "{}",
        got[0].text
    );
    // The alarm log has it within a second.
    let until = Instant::now() + Duration::from_secs(5);
    while control.status().iter().all(|s| s.delivered == 0) && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(10));
    }
    let status = control.status();
    assert_eq!(status[0].channel, "alarm log");
    assert_eq!(status[0].delivered, 1, "{status:?}");
    // The same call's next event does not fire again.
    out.clear();
    stage.event(&emergency_record(), &mut out);
    assert_eq!(alarms(&out).len(), 0);
}

#[test]
fn new_rules_apply_at_the_next_batch() {
    let dir = tempfile::tempdir().unwrap();
    let (mut stage, control) = AlarmStage::new(&config(), dir.path(), None).unwrap();
    let mut off = config();
    for r in &mut off.rules {
        r.enabled = false;
    }
    control.set_config(&off, dir.path()).unwrap();
    let mut out = Vec::new();
    stage.flush(&mut out);
    stage.event(&emergency_record(), &mut out);
    assert_eq!(alarms(&out).len(), 0, "{out:?}");
    // Rules that do not compile are refused and the running ones stay.
    let mut bad = config();
    if let Some(r) = bad.rules.first_mut()
        && let RuleKind::Number(n) = &mut r.kind
    {
        n.numbers = vec!["1-9OO".into()];
    }
    let e = control.set_config(&bad, dir.path()).unwrap_err();
    assert!(e.contains("1-9OO"), "{e}");
}

#[test]
fn a_site_silent_for_two_seconds_through_the_engine() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = config();
    for r in &mut c.rules {
        if let RuleKind::SiteSilent(s) = &mut r.kind {
            s.seconds = 2;
        }
    }
    let options = CollectOptions {
        log_dir: dir.path().to_path_buf(),
        wake: Arc::new(|| {}),
    };
    let (collector, _own) = Collector::start(options.clone()).unwrap();
    let (feed, events) = channel();
    let (stage, _control) = AlarmStage::new(&c, dir.path(), None).unwrap();
    let (engine, rx) =
        Engine::around(collector, events, vec![Box::new(stage)], options.wake).unwrap();
    let connected = Instant::now();
    feed.send(status(SiteState::WaitingForData)).unwrap();
    let mut silent = None;
    let until = Instant::now() + Duration::from_secs(10);
    while silent.is_none() && Instant::now() < until {
        if let Ok(EngineEvent::Alarm(a)) = rx.recv_timeout(Duration::from_millis(100)) {
            silent = Some((a, connected.elapsed()));
        }
    }
    let (alarm, after) = silent.unwrap_or_else(|| panic!("no alarm within 10 s"));
    assert_eq!(alarm.rule, "Site silent");
    assert!(
        alarm
            .text
            .starts_with("HQ is connected but has sent no record for 2 s"),
        "{}",
        alarm.text
    );
    // Judged each second: 2 s after the connection at the earliest, a tick later on time
    // (the bound leaves room for a loaded machine).
    assert!(
        after >= Duration::from_secs(2) && after < Duration::from_secs(6),
        "{after:?}"
    );
    drop(feed);
    engine.shutdown();
}
