//! Rules about sites rather than calls (down, silent, the raw log), test alarms and refused
//! rules.

use super::rules::number_rule;
use super::*;
use crate::alarm::Severity;
use crate::alarm::config::{BusinessHours, NumberField};
use crate::alarm::eval::{Link, test_alarm};

#[test]
fn a_site_down_for_long_enough() {
    let mut feed = Feed::new(&config(&[], |_| {}));
    let hq: Arc<str> = "HQ".into();
    let e = feed.eval();
    let mut out = Vec::new();
    e.link(&hq, Link::Down, at("2026-11-30T13:47:11-05:00"));
    e.tick(at("2026-11-30T14:02:10-05:00"), &mut out);
    assert_eq!(out, []);
    e.tick(at("2026-11-30T14:02:11-05:00"), &mut out);
    let texts: Vec<_> = out.iter().map(|a| a.text.as_str()).collect();
    assert_eq!(
        texts,
        ["HQ has not been connected for 15 min (since 13:47:11)"]
    );
    assert_eq!(
        (out[0].rule.as_str(), out[0].at),
        ("Site down", at("2026-11-30T14:02:11-05:00"))
    );
    out.clear();
    e.tick(at("2026-11-30T15:00:00-05:00"), &mut out);
    assert_eq!(out, [], "one alarm per outage");
    // Up, down again: a new outage.
    e.link(&hq, Link::Up, at("2026-11-30T15:00:01-05:00"));
    e.link(&hq, Link::Down, at("2026-11-30T15:10:00-05:00"));
    e.tick(at("2026-11-30T15:24:00-05:00"), &mut out);
    assert_eq!(out, []);
    e.tick(at("2026-11-30T15:25:00-05:00"), &mut out);
    assert_eq!(out.len(), 1);
    // A site stopped by the user is not down.
    out.clear();
    e.link(&hq, Link::Off, at("2026-11-30T16:00:00-05:00"));
    e.tick(at("2026-11-30T18:00:00-05:00"), &mut out);
    assert_eq!(out, []);
}

#[test]
fn a_site_silent_within_its_business_hours() {
    let c = config(&[], |c| c.hours.time_zone = "America/New_York".into());
    let mut feed = Feed::new(&c);
    let hq: Arc<str> = "HQ".into();
    let mut out = Vec::new();
    // Connected at 07:00 New York time (12:00 UTC), Monday. The hours open at 08:00: silence
    // counts from then.
    feed.eval().link(&hq, Link::Up, at("2026-11-30T12:00:00Z"));
    feed.eval().tick(at("2026-11-30T13:59:59Z"), &mut out);
    assert_eq!(out, []);
    feed.eval().tick(at("2026-11-30T14:00:00Z"), &mut out);
    let texts: Vec<_> = out.iter().map(|a| a.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "HQ is connected but has sent no record for 60 min (since 08:00:00), within its business hours"
        ]
    );
    out.clear();
    // A record ends the silence; the next one counts from it.
    feed.record(
        Format::Mitel5000,
        &m5k("LOC", "2101", "555-0100", "09:04", "00:01:00"),
        "2026-11-30T09:05:00-05:00",
    );
    feed.eval().tick(at("2026-11-30T15:04:59Z"), &mut out);
    assert_eq!(out, []);
    feed.eval().tick(at("2026-11-30T15:05:00Z"), &mut out);
    assert_eq!(out.len(), 1);
    assert!(out[0].text.contains("(since 09:05:00)"), "{}", out[0].text);
    out.clear();
    // Saturday: closed, silence is normal.
    feed.eval().tick(at("2026-12-05T17:00:00Z"), &mut out);
    assert_eq!(out, []);
}

#[test]
fn a_silent_site_across_the_daylight_saving_change() {
    let c = config(&[], |c| {
        c.hours.time_zone = "America/New_York".into();
        if let RuleKind::SiteSilent(s) = rule_mut(c, "Site silent") {
            s.minutes = 30;
        }
    });
    let mut feed = Feed::new(&c);
    let hq: Arc<str> = "HQ".into();
    let mut out = Vec::new();
    feed.eval().link(&hq, Link::Up, at("2026-03-06T12:00:00Z"));
    // Monday after the change (2026-03-08): 08:00 EDT is 12:00 UTC, so 12:30 UTC is 30 minutes
    // of silence; in winter the same instant was 07:30, before opening.
    feed.eval().tick(at("2026-03-09T12:29:00Z"), &mut out);
    assert_eq!(out, []);
    feed.eval().tick(at("2026-03-09T12:30:00Z"), &mut out);
    let texts: Vec<_> = out.iter().map(|a| a.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "HQ is connected but has sent no record for 30 min (since 08:00:00), within its business hours"
        ]
    );
}

#[test]
fn the_raw_log_rule_is_always_on() {
    for c in [
        config(&[], |c| c.rules.iter_mut().for_each(|r| r.enabled = false)),
        config(&[], |c| c.rules.retain(|r| r.kind != RuleKind::RawLog)),
    ] {
        let mut feed = Feed::new(&c);
        let hq: Arc<str> = "HQ".into();
        let mut out = Vec::new();
        let e = feed.eval();
        e.raw_log(
            &hq,
            Some("No space left on device (os error 28)"),
            at("2026-11-30T14:02:11-05:00"),
            &mut out,
        );
        e.raw_log(
            &hq,
            Some("No space left on device (os error 28)"),
            at("2026-11-30T14:02:12-05:00"),
            &mut out,
        );
        let texts: Vec<_> = out.iter().map(|a| a.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "HQ's raw day log cannot be written, so its records are not being saved: No space left on device (os error 28)"
            ]
        );
        assert_eq!(out[0].severity, Severity::Critical);
        e.raw_log(&hq, None, at("2026-11-30T14:05:00-05:00"), &mut out);
        e.raw_log(
            &hq,
            Some("Permission denied"),
            at("2026-11-30T14:06:00-05:00"),
            &mut out,
        );
        assert_eq!(out.len(), 2);
    }
}

#[test]
fn test_alarms_name_their_rule() {
    let c = AlarmsConfig::default();
    let now = at("2026-11-30T14:02:11-05:00");
    let a = test_alarm(&c, None, "HQ", now).unwrap_or_else(|e| panic!("{e}"));
    assert!(a.test);
    assert_eq!(
        (a.rule.as_str(), a.severity),
        ("Emergency call", Severity::Critical)
    );
    assert!(
        a.text
            .starts_with("Test alarm for the rule \"Emergency call\""),
        "{}",
        a.text
    );
    let a = test_alarm(&c, Some("Site down"), "HQ", now).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.rule, "Site down");
    let e = test_alarm(&c, Some("Fire"), "HQ", now).unwrap_err();
    assert!(
        e.starts_with("no rule is named \"Fire\"; the rules are \"Emergency call\""),
        "{e}"
    );
}

#[test]
fn bad_rules_are_refused_with_their_name() {
    let mut c = AlarmsConfig::default();
    c.rules
        .push(number_rule("Toll", &["1-9OO"], NumberField::Dialled));
    let e = Evaluator::new(&c).unwrap_err();
    assert!(
        e.starts_with("rule \"Toll\": \"1-9OO\" is not a number pattern"),
        "{e}"
    );
    let mut c = AlarmsConfig::default();
    c.rules.push(c.rules[0].clone());
    assert!(
        Evaluator::new(&c)
            .unwrap_err()
            .contains("two rules are named \"Emergency call\"")
    );
    let mut c = AlarmsConfig::default();
    c.site_hours.insert(
        "HQ".into(),
        BusinessHours {
            time_zone: "Mars/Base".into(),
            ..BusinessHours::default()
        },
    );
    assert!(
        Evaluator::new(&c)
            .unwrap_err()
            .starts_with("hours of site \"HQ\"")
    );
}
