//! Scenarios: calls that trigger one alarm rule, mixed into the ordinary traffic from ten
//! seconds after the start (a demo raises its alarm within its first minute), in each format.
//!
//! - `emergency`: extension 2101 dials 911 (on MiVB 9-911, after the outside-line digit);
//! - `international-after-hours`: extension 2101 dials 011 44 161 999 0000 outside business
//!   hours (at 02:14 the same night, sent as a PBX sends records it buffered, when the start is
//!   within Monday–Friday 08:00–18:00);
//! - `long-call`: a 70-minute call that ends as the scenario starts;
//! - `abandon-burst`: six callers hang up unanswered within two minutes on one DDI, three of
//!   them the same caller (5000 and App Suite: the MiVB standard layout has no caller id);
//! - `silent`: a few records, then nothing on a connection kept open.
//!
//! Printed times may be earlier than the time a line is sent (a call that began before), never
//! the send time earlier than the scenario's start.

use chrono::{Datelike, NaiveDateTime, NaiveTime, TimeDelta, Timelike, Weekday};

use super::mitel5000::{Rec, incoming_digits};
use super::{Line, TrafficFormat, after, appsuite, mivb};

/// One of the simulator's alarm scenarios.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scenario {
    Emergency,
    InternationalAfterHours,
    LongCall,
    AbandonBurst,
    Silent,
}

/// When the scenario's first call begins, after the start.
const LEAD_S: i64 = 10;
/// The extension that dials in the scenarios.
pub const EXTENSION: &str = "2101";
/// The caller who gives up three times in `abandon-burst`.
pub const REPEAT_CALLER: &str = "6125550147";

impl Scenario {
    pub const ALL: [Scenario; 5] = [
        Scenario::Emergency,
        Scenario::InternationalAfterHours,
        Scenario::LongCall,
        Scenario::AbandonBurst,
        Scenario::Silent,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Emergency => "emergency",
            Self::InternationalAfterHours => "international-after-hours",
            Self::LongCall => "long-call",
            Self::AbandonBurst => "abandon-burst",
            Self::Silent => "silent",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    /// `silent`: the records sent before the simulator goes quiet (connections stay open).
    pub fn quiet_after(self) -> Option<u64> {
        (self == Self::Silent).then_some(5)
    }

    /// The lines that trigger the scenario's rule in `format`, for traffic starting at `start`.
    pub fn lines(self, format: TrafficFormat, start: NaiveDateTime) -> Vec<Line> {
        let t = after(start, LEAD_S);
        let mut out = Vec::new();
        match self {
            Self::Emergency => {
                let digits = if format == TrafficFormat::Mivb {
                    "9911"
                } else {
                    "911"
                };
                outgoing(format, t, t, 30, "LOC", digits, &mut out);
            }
            Self::InternationalAfterHours => {
                let call = after_hours(t);
                let digits = match format {
                    TrafficFormat::Mitel5000 => "011-44-161-999-0000",
                    TrafficFormat::AppSuite => "011441619990000",
                    TrafficFormat::Mivb => "9011441619990000",
                };
                outgoing(format, call, t, 45, "O/I", digits, &mut out);
            }
            Self::LongCall => {
                let length = 70 * 60;
                let begin = t - TimeDelta::seconds(length);
                let digits = match format {
                    TrafficFormat::Mitel5000 => "1-212-555-0100",
                    TrafficFormat::AppSuite => "12125550100",
                    TrafficFormat::Mivb => "912125550100",
                };
                outgoing(format, begin, t, length, "TLD", digits, &mut out);
            }
            Self::AbandonBurst => {
                for i in 0..6u32 {
                    let at = after(t, i64::from(i) * 20);
                    let caller = if i % 2 == 0 {
                        REPEAT_CALLER.to_string()
                    } else {
                        format!("612555{:04}", 200 + i)
                    };
                    abandoned(format, at, i, &caller, &mut out);
                }
            }
            Self::Silent => {}
        }
        out
    }
}

/// The scenario's call time outside business hours: `t` itself when it is outside Monday–
/// Friday 08:00–18:00, else 02:14 that night.
fn after_hours(t: NaiveDateTime) -> NaiveDateTime {
    let weekend = matches!(t.weekday(), Weekday::Sat | Weekday::Sun);
    if weekend || t.hour() < 8 || t.hour() >= 18 {
        return t;
    }
    t.date()
        .and_time(NaiveTime::from_hms_opt(2, 14, 0).unwrap_or_default())
}

/// An outgoing call from [`EXTENSION`] that begins at `begin` and lasts `length` seconds; its
/// lines are sent no earlier than `not_before`.
fn outgoing(
    format: TrafficFormat,
    begin: NaiveDateTime,
    not_before: NaiveDateTime,
    length: i64,
    call_type: &str,
    digits: &str,
    out: &mut Vec<Line>,
) {
    let end = after(begin, length);
    let sent = |printed: NaiveDateTime, k: i64| printed.max(after(not_before, k));
    match format {
        TrafficFormat::Mitel5000 => {
            let r = Rec {
                typ: call_type,
                ext: EXTENSION,
                trunk: "94101",
                digits: digits.into(),
                start: begin.time(),
                elapsed: format!(
                    "{:02}:{:02}:{:02}",
                    length / 3600,
                    (length % 3600) / 60,
                    length % 60
                ),
                cost: "$00.00",
                account: "",
                trunk_hung_up: false,
            };
            out.push(Line {
                at: sent(end, 0),
                text: r.text(),
            });
        }
        TrafficFormat::AppSuite => {
            let info = appsuite::CallInfo {
                direction: "OUT",
                call_id: format!("{}{EXTENSION:0>8}", begin.format("%Y%m%d%H%M%S")),
                trunk: "92101".into(),
                number: digits.into(),
                contact: "",
                ddi: "",
                ddi_name: "",
                account: String::new(),
            };
            let answered = after(begin, 4.min(length));
            for (k, (printed, event)) in [
                (begin, "RINGING"),
                (answered, "ANSWERED"),
                (end, "DISCONNECTED"),
            ]
            .into_iter()
            .enumerate()
            {
                let mut line = appsuite::event_line(printed, &info, EXTENSION, "", event);
                line.at = sent(printed, k as i64);
                out.push(line);
            }
        }
        TrafficFormat::Mivb => {
            let mut c = mivb::Columns::new();
            c.put(23, EXTENSION);
            c.put(33, digits);
            c.put(59, "A");
            c.put(61, "T001");
            mivb_times(&mut c, begin, length);
            out.push(Line {
                at: sent(end, 0),
                text: c.text(),
            });
        }
    }
}

/// The start, date, duration and long-call columns of a MiVB line.
fn mivb_times(c: &mut mivb::Columns, begin: NaiveDateTime, length: i64) {
    c.put(0, mivb::long_call_mark(length));
    c.put(1, &begin.format("%m/%d").to_string());
    c.put(7, &begin.format("%H:%M").to_string());
    c.put(
        14,
        &format!(
            "{:02}:{:02}:{:02}",
            length / 3600,
            (length % 3600) / 60,
            length % 60
        ),
    );
    c.put(85, "000");
}

/// Caller `caller` rings at `at` and hangs up 15 s later, unanswered (call `i` of the burst).
fn abandoned(format: TrafficFormat, at: NaiveDateTime, i: u32, caller: &str, out: &mut Vec<Line>) {
    let ring = 15;
    let end = after(at, ring);
    match format {
        TrafficFormat::Mitel5000 => {
            // Each on its own trunk, none the ordinary traffic uses: a 5000 call is known by
            // its trunk and minute.
            let trunk = format!("{}", 94151 + i);
            let r = Rec {
                typ: "",
                ext: "*****",
                trunk: &trunk,
                digits: incoming_digits(&format!("RG {caller}"), "8907"),
                start: at.time(),
                elapsed: format!("S={ring}"),
                cost: "",
                account: "",
                trunk_hung_up: true,
            };
            out.push(Line {
                at: end,
                text: r.text(),
            });
        }
        TrafficFormat::AppSuite => {
            let info = appsuite::CallInfo {
                direction: "IN",
                call_id: format!("{}{:0>8}", at.format("%Y%m%d%H%M%S"), 7000 + i),
                trunk: "92111".into(),
                number: caller.into(),
                contact: "",
                ddi: "441619990100",
                ddi_name: "SALES",
                account: String::new(),
            };
            out.push(appsuite::event_line(at, &info, "1801", "", "RINGING"));
            out.push(appsuite::event_line(end, &info, "1801", "", "DISCONNECTED"));
        }
        TrafficFormat::Mivb => {
            let mut c = mivb::Columns::new();
            c.put(23, &format!("T{:03}", 10 + i));
            c.put(29, "***");
            c.put(33, "8907");
            c.put(59, "E");
            mivb_times(&mut c, at, 0);
            out.push(Line {
                at: end,
                text: c.text(),
            });
        }
    }
}
