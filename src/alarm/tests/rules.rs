use super::*;
use crate::alarm::Severity;
use crate::alarm::config::{
    BurstScope, BusinessHours, CallDirection, NumberField, NumberRule, Rule, Sites,
};
use crate::alarm::pattern::Preset;

const CALL: &str = "20261130140211";

#[test]
fn an_app_suite_call_fires_on_its_first_event_once() {
    let mut feed = Feed::new(&config(&[], |_| {}));
    let id = format!("{CALL}00002101");
    let ringing = app(
        "2026-11-30 14:02:11",
        "OUT",
        &id,
        "2101",
        "911",
        "",
        "RINGING",
    );
    let alarms = feed.record(Format::AppSuite, &ringing, "2026-11-30T14:02:11.250-05:00");
    assert_eq!(alarms.len(), 1, "{alarms:?}");
    let a = &alarms[0];
    assert_eq!(a.text, "Extension 2101 dialled 911 at 14:02:11 on HQ");
    assert_eq!(
        (a.rule.as_str(), a.severity),
        ("Emergency call", Severity::Critical)
    );
    assert_eq!(a.site, "HQ");
    assert_eq!(a.at, at("2026-11-30T14:02:11.250-05:00"));
    assert_eq!(a.call_id.as_deref(), Some(id.as_str()));
    let record = a
        .record
        .as_ref()
        .unwrap_or_else(|| panic!("no record: {a:?}"));
    assert_eq!(record.text, ringing);
    assert_eq!(record.received, Some(at("2026-11-30T14:02:11.250-05:00")));
    // The call's later events show the same number: no second alarm.
    for (stamp, event) in [("14:02:15", "ANSWERED"), ("14:03:40", "DISCONNECTED")] {
        let line = app(
            &format!("2026-11-30 {stamp}"),
            "OUT",
            &id,
            "2101",
            "911",
            "",
            event,
        );
        let received = format!("2026-11-30T{stamp}-05:00");
        assert_eq!(feed.record(Format::AppSuite, &line, &received), []);
    }
    // Another call to 911 is another alarm.
    let other = app(
        "2026-11-30 14:10:00",
        "OUT",
        &format!("{CALL}00002102"),
        "2102",
        "911",
        "",
        "RINGING",
    );
    assert_eq!(
        feed.texts(Format::AppSuite, &other, "2026-11-30T14:10:00-05:00"),
        ["Extension 2102 dialled 911 at 14:10:00 on HQ"]
    );
}

#[test]
fn emergency_numbers_in_5000_and_mivb_records() {
    let mut feed = Feed::new(&config(&[], |_| {}));
    let texts = feed.texts(
        Format::Mitel5000,
        &m5k("LOC", "2101", "9-911", "14:02", "00:00:30"),
        "2026-11-30T14:02:45-05:00",
    );
    assert_eq!(
        texts,
        ["Extension 2101 dialled 9-911 (911 after the outside-line 9) at 14:02 on HQ"]
    );
    // 9112 is 112 after the outside line, not 911 and a 2.
    let texts = feed.texts(
        Format::Mivb,
        &mivb("2101", "9112", "A", "T001", "11/30 14:05", "00:01:00"),
        "2026-11-30T14:06:05-05:00",
    );
    assert_eq!(
        texts,
        ["Extension 2101 dialled 9112 (112 after the outside-line 9) at 14:05 on HQ"]
    );
    for (digits, called, completion) in [
        ("2101", "2102", "I"),
        ("9115", "T001", "A"),
        ("95551234", "T001", "A"),
    ] {
        let line = mivb(
            "2105",
            digits,
            completion,
            called,
            "11/30 14:07",
            "00:01:00",
        );
        assert_eq!(
            feed.record(Format::Mivb, &line, "2026-11-30T14:08:05-05:00"),
            [],
            "{digits}"
        );
    }
    // An incoming call whose caller id happens to be 911… is not someone dialling 911.
    let incoming = m5k("IN", "2101", "911          8907", "14:09", "00:00:30");
    assert_eq!(
        feed.record(Format::Mitel5000, &incoming, "2026-11-30T14:10:00-05:00"),
        []
    );
}

#[test]
fn the_same_record_twice_is_one_alarm() {
    let mut feed = Feed::new(&config(&[], |_| {}));
    let line = m5k("LOC", "2101", "911", "14:02", "00:00:30");
    assert_eq!(
        feed.record(Format::Mitel5000, &line, "2026-11-30T14:02:45-05:00")
            .len(),
        1
    );
    assert_eq!(
        feed.record(Format::Mitel5000, &line, "2026-11-30T14:02:45-05:00"),
        []
    );
    assert_eq!(
        feed.record(Format::Mitel5000, &line, "2026-11-30T15:00:00-05:00")
            .len(),
        1
    );
}

pub(super) fn number_rule(name: &str, numbers: &[&str], field: NumberField) -> Rule {
    Rule {
        name: name.into(),
        enabled: true,
        sites: Sites::All,
        severity: Severity::Warning,
        kind: RuleKind::Number(NumberRule {
            field,
            numbers: numbers.iter().map(|s| s.to_string()).collect(),
            ..NumberRule::default()
        }),
    }
}

#[test]
fn exact_numbers_prefixes_and_the_calling_number() {
    let c = config(&[], |c| {
        c.rules = vec![
            number_rule("911 only", &["911"], NumberField::Dialled),
            number_rule("Premium", &["1900*", "1-976-*"], NumberField::Dialled),
            number_rule("Premium caller", &["1900*"], NumberField::Calling),
        ];
    });
    let mut feed = Feed::new(&c);
    let dial = |feed: &mut Feed, digits: &str| {
        feed.record(
            Format::Mitel5000,
            &m5k("TLD", "2101", digits, "14:02", "00:01:00"),
            "2026-11-30T14:03:05-05:00",
        )
        .into_iter()
        .map(|a| a.rule)
        .collect::<Vec<_>>()
    };
    assert_eq!(dial(&mut feed, "9112"), Vec::<String>::new());
    assert_eq!(dial(&mut feed, "911"), ["911 only"]);
    assert_eq!(dial(&mut feed, "1-900-555-0100"), ["Premium"]);
    assert_eq!(dial(&mut feed, "9-1-976-555-0100"), ["Premium"]);
    assert_eq!(dial(&mut feed, "1-800-555-0100"), Vec::<String>::new());
    let incoming = m5k(
        "IN",
        "2101",
        "1-900-555-0100          8907",
        "14:05",
        "00:01:00",
    );
    let alarms = feed.record(Format::Mitel5000, &incoming, "2026-11-30T14:06:05-05:00");
    let got: Vec<_> = alarms
        .iter()
        .map(|a| (a.rule.as_str(), a.text.as_str()))
        .collect();
    assert_eq!(
        got,
        [(
            "Premium caller",
            "A call from 1-900-555-0100 to extension 2101 at 14:05 on HQ"
        )]
    );
}

#[test]
fn rules_watch_their_sites_only() {
    let c = config(&[], |c| {
        c.rules[0].sites = Sites::Only(vec!["Branch".into()])
    });
    let line = m5k("LOC", "2101", "911", "14:02", "00:00:30");
    let mut hq = Feed::at_site(&c, "HQ");
    assert_eq!(
        hq.record(Format::Mitel5000, &line, "2026-11-30T14:02:45-05:00"),
        []
    );
    let mut branch = Feed::at_site(&c, "Branch");
    assert_eq!(
        branch.texts(Format::Mitel5000, &line, "2026-11-30T14:02:45-05:00"),
        ["Extension 2101 dialled 911 at 14:02 on Branch"]
    );
}

#[test]
fn outgoing_calls_outside_business_hours() {
    let c = config(&["Call outside business hours"], |c| {
        c.hours.holidays = vec![chrono::NaiveDate::from_ymd_opt(2026, 12, 25).unwrap_or_default()];
        c.site_hours.insert(
            "Hospital".into(),
            BusinessHours {
                saturday: "00:00-24:00".into(),
                sunday: "00:00-24:00".into(),
                monday: "00:00-24:00".into(),
                ..BusinessHours::default()
            },
        );
    });
    let mut feed = Feed::new(&c);
    let call = |feed: &mut Feed, typ: &str, start: &str, received: &str| {
        feed.texts(
            Format::Mitel5000,
            &m5k(typ, "2101", "011-44-161-999-0000", start, "00:05:00"),
            received,
        )
    };
    // Monday 2026-11-30: 02:14 is outside, 10:00 inside, 18:30 outside.
    assert_eq!(
        call(&mut feed, "O/I", "02:14", "2026-11-30T02:19:10-05:00"),
        [
            "Extension 2101 dialled 011-44-161-999-0000 at 02:14 on Monday 2026-11-30, outside HQ's business hours"
        ]
    );
    assert_eq!(
        call(&mut feed, "O/I", "10:00", "2026-11-30T10:05:10-05:00"),
        Vec::<String>::new()
    );
    assert_eq!(
        call(&mut feed, "O/I", "18:30", "2026-11-30T18:35:10-05:00").len(),
        1
    );
    // Saturday, and Christmas (a Friday), all day.
    assert_eq!(
        call(&mut feed, "O/I", "11:00", "2026-12-05T11:05:10-05:00").len(),
        1
    );
    assert_eq!(
        call(&mut feed, "O/I", "11:00", "2026-12-25T11:05:10-05:00").len(),
        1
    );
    // A call that began at 17:55 and ended at 18:10 began within the hours.
    assert_eq!(
        call(&mut feed, "O/I", "17:55", "2026-11-30T18:10:10-05:00"),
        Vec::<String>::new()
    );
    // Incoming calls are not outgoing calls.
    assert_eq!(
        feed.texts(
            Format::Mitel5000,
            &m5k(
                "IN",
                "2101",
                "6125550100          8907",
                "02:20",
                "00:01:00"
            ),
            "2026-11-30T02:21:10-05:00"
        ),
        Vec::<String>::new()
    );
    // A site open around the clock on Mondays.
    let mut hospital = Feed::at_site(&c, "Hospital");
    assert_eq!(
        call(&mut hospital, "O/I", "02:14", "2026-11-30T02:19:10-05:00"),
        Vec::<String>::new()
    );
}

#[test]
fn after_hours_only_to_the_numbers_given() {
    let c = config(&["Call outside business hours"], |c| {
        if let RuleKind::AfterHours(a) = rule_mut(c, "Call outside business hours") {
            a.presets = vec![Preset::International, Preset::Premium];
        }
    });
    let mut feed = Feed::new(&c);
    let local = m5k("LOC", "2101", "555-0100", "02:14", "00:05:00");
    assert_eq!(
        feed.record(Format::Mitel5000, &local, "2026-11-30T02:19:10-05:00"),
        []
    );
    let abroad = m5k("O/I", "2101", "9-011-44-161-999-0000", "02:30", "00:05:00");
    assert_eq!(
        feed.record(Format::Mitel5000, &abroad, "2026-11-30T02:35:10-05:00")
            .len(),
        1
    );
}

#[test]
fn long_calls_by_direction_and_type() {
    let c = config(&["Long call"], |_| {});
    let mut feed = Feed::new(&c);
    let texts = feed.texts(
        Format::Mitel5000,
        &m5k("TLD", "2101", "1-212-555-0100", "09:14", "01:05:00"),
        "2026-11-30T10:19:10-05:00",
    );
    assert_eq!(
        texts,
        [
            "Extension 2101's call to 1-212-555-0100 lasted 1 h 05 min (over 60 min), started 09:14 on HQ"
        ]
    );
    assert_eq!(
        feed.record(
            Format::Mitel5000,
            &m5k("TLD", "2101", "1-212-555-0100", "09:14", "01:00:00"),
            "2026-11-30T10:14:10-05:00"
        ),
        []
    );
    let mivb_line = mivb("T001", "8907", "A", "2102", "11/30 09:00", "01:30:00");
    assert_eq!(
        feed.texts(Format::Mivb, &mivb_line, "2026-11-30T10:30:10-05:00"),
        ["Extension 2102's call lasted 1 h 30 min (over 60 min), started 09:00 on HQ"]
    );

    let c = config(&["Long call"], |c| {
        if let RuleKind::LongCall(l) = rule_mut(c, "Long call") {
            l.call_types = vec!["TLD".into(), "O/I".into()];
            l.directions = vec![CallDirection::Out];
        }
    });
    let mut feed = Feed::new(&c);
    let loc = m5k("LOC", "2101", "555-0100", "09:14", "02:00:00");
    assert_eq!(
        feed.record(Format::Mitel5000, &loc, "2026-11-30T11:14:10-05:00"),
        []
    );
    let tld = m5k("TLD", "2101", "1-212-555-0100", "09:14", "02:00:00");
    assert_eq!(
        feed.record(Format::Mitel5000, &tld, "2026-11-30T11:14:20-05:00")
            .len(),
        1
    );
    assert_eq!(
        feed.record(Format::Mivb, &mivb_line, "2026-11-30T10:30:10-05:00"),
        []
    );
}

#[test]
fn a_long_app_suite_call_is_judged_on_the_call() {
    let mut feed = Feed::new(&config(&["Long call"], |_| {}));
    let id = format!("{CALL}00002101");
    let mut all = Vec::new();
    for (stamp, event) in [
        ("14:02:11", "RINGING"),
        ("14:02:15", "ANSWERED"),
        ("15:03:00", "HOLD"),
        ("15:10:00", "DISCONNECTED"),
    ] {
        let line = app(
            &format!("2026-11-30 {stamp}"),
            "OUT",
            &id,
            "2101",
            "2125550100",
            "",
            event,
        );
        all.extend(feed.record(
            Format::AppSuite,
            &line,
            &format!("2026-11-30T{stamp}-05:00"),
        ));
    }
    let texts: Vec<_> = all.iter().map(|a| a.text.as_str()).collect();
    // Past the hour at the HOLD (60 min 49 s after the start): one alarm, not another at the end.
    assert_eq!(
        texts,
        [
            "Extension 2101's call to 2125550100 lasted 1 h 00 min (over 60 min), started 14:02:11 on HQ"
        ]
    );
    assert_eq!(all[0].call_id.as_deref(), Some(id.as_str()));
    assert_eq!(all[0].at, at("2026-11-30T15:03:00-05:00"));
}

/// An App Suite caller who rings and hangs up unanswered at `hh:mm:ss`.
fn abandon(feed: &mut Feed, n: u32, stamp: &str, caller: &str, ddi: &str) -> Vec<Alarm> {
    let id = format!("20261130{}{n:08}", stamp.replace(':', ""));
    let mut out = Vec::new();
    for event in ["RINGING", "DISCONNECTED"] {
        let line = app(
            &format!("2026-11-30 {stamp}"),
            "IN",
            &id,
            "1801",
            caller,
            ddi,
            event,
        );
        out.extend(feed.record(
            Format::AppSuite,
            &line,
            &format!("2026-11-30T{stamp}-05:00"),
        ));
    }
    out
}

#[test]
fn abandoned_callers_within_a_window() {
    let mut feed = Feed::new(&config(&["Abandoned callers"], |_| {}));
    // Five within ten minutes: one alarm, at the fifth.
    let mut fired = Vec::new();
    for (n, stamp) in ["14:00:00", "14:02:00", "14:04:00", "14:06:00", "14:08:00"]
        .iter()
        .enumerate()
    {
        let alarms = abandon(
            &mut feed,
            n as u32,
            stamp,
            &format!("61255501{n:02}"),
            "441619990100",
        );
        fired.push(alarms.len());
        if n == 4 {
            assert_eq!(
                alarms[0].text,
                "5 callers abandoned within 10 min on HQ, the last at 14:08:00"
            );
        }
    }
    assert_eq!(fired, [0, 0, 0, 0, 1]);
    // The count starts again after an alarm.
    assert_eq!(
        abandon(&mut feed, 10, "14:09:00", "6125550110", "441619990100"),
        []
    );

    // Five within twelve minutes, never five within ten: no alarm.
    let mut feed = Feed::new(&config(&["Abandoned callers"], |_| {}));
    for (n, stamp) in ["15:00:00", "15:03:00", "15:06:00", "15:09:00", "15:12:00"]
        .iter()
        .enumerate()
    {
        assert_eq!(
            abandon(
                &mut feed,
                n as u32,
                stamp,
                &format!("61255502{n:02}"),
                "441619990100"
            ),
            [],
            "{stamp}"
        );
    }
}

#[test]
fn abandoned_callers_per_ddi() {
    let c = config(&["Abandoned callers"], |c| {
        if let RuleKind::AbandonBurst(b) = rule_mut(c, "Abandoned callers") {
            b.per = BurstScope::Ddi;
            b.callers = 3;
        }
    });
    let mut feed = Feed::new(&c);
    let mut texts = Vec::new();
    for (n, (stamp, ddi)) in [
        ("14:00:00", "441619990100"),
        ("14:01:00", "441619990200"),
        ("14:02:00", "441619990100"),
        ("14:03:00", "441619990200"),
        ("14:04:00", "441619990100"),
    ]
    .iter()
    .enumerate()
    {
        for a in abandon(&mut feed, n as u32, stamp, &format!("61255503{n:02}"), ddi) {
            texts.push(a.text);
        }
    }
    assert_eq!(
        texts,
        ["3 callers abandoned within 10 min on HQ (DDI 441619990100), the last at 14:04:00"]
    );
}

#[test]
fn one_caller_abandoned_again_and_again() {
    let mut feed = Feed::new(&config(&["Caller abandoned repeatedly"], |_| {}));
    assert_eq!(abandon(&mut feed, 1, "14:00:00", "6125550147", ""), []);
    assert_eq!(abandon(&mut feed, 2, "14:05:00", "6125559999", ""), []);
    assert_eq!(abandon(&mut feed, 3, "14:10:00", "6125550147", ""), []);
    let alarms = abandon(&mut feed, 4, "14:20:15", "6125550147", "");
    let texts: Vec<_> = alarms.iter().map(|a| a.text.as_str()).collect();
    assert_eq!(
        texts,
        ["Caller 6125550147 abandoned 3 times within 30 min on HQ, the last at 14:20:15"]
    );
    // Answered calls do not count.
    let id = "2026113014300000000009";
    for event in ["RINGING", "ANSWERED", "DISCONNECTED"] {
        let line = app(
            "2026-11-30 14:30:00",
            "IN",
            id,
            "1801",
            "6125550147",
            "",
            event,
        );
        assert_eq!(
            feed.record(Format::AppSuite, &line, "2026-11-30T14:30:00-05:00"),
            []
        );
    }
}
