//! App Suite IP SMDR event sequences on the 162-character layout (padding character `0`,
//! text fields space-padded, 24-hour event times), one call at a time.

use chrono::NaiveDateTime;

use super::{Line, after, digits, pick, secs};

const CONTACTS: [&str; 8] = [
    "CHRIS R MOBILE",
    "J SMITH",
    "ACME LTD",
    "DR PATEL",
    "CITY COUNCIL",
    "",
    "",
    "",
];
const DDIS: [(&str, &str); 4] = [
    ("441619990000", "MAIN"),
    ("441619990100", "SALES"),
    ("441619990200", "SUPPORT"),
    ("441619990300", "ACCOUNTS"),
];
const HUNT_GROUPS: [&str; 3] = ["2000", "2001", "2002"];

/// What one call has in common on every event.
pub(super) struct CallInfo {
    pub direction: &'static str,
    pub call_id: String,
    pub trunk: String,
    pub number: String,
    pub contact: &'static str,
    pub ddi: &'static str,
    pub ddi_name: &'static str,
    pub account: String,
}

fn extension(rng: &mut fastrand::Rng) -> String {
    rng.u32(1801..1861).to_string()
}

pub(super) fn event_line(
    at: NaiveDateTime,
    c: &CallInfo,
    ext: &str,
    src: &str,
    event: &str,
) -> Line {
    let text = format!(
        "{} |{:<3}| {} {:0>7} {:0>7} {:0>7} {:0>15} |{:<14}| {:0>15} |{:<10}| {:0>12} |{:<12}|",
        at.format("%Y-%m-%d %H:%M:%S"),
        c.direction,
        c.call_id,
        c.trunk,
        ext,
        src,
        c.number,
        c.contact,
        c.ddi,
        c.ddi_name,
        c.account,
        event
    );
    Line { at, text }
}

/// A call's events as they happen: each `t` seconds after the call's start.
#[derive(Default)]
struct Script {
    t: i64,
    /// (seconds after start, extension, source extension, event)
    events: Vec<(i64, String, String, &'static str)>,
}

impl Script {
    fn ev(&mut self, ext: &str, src: &str, name: &'static str) -> &mut Self {
        self.events
            .push((self.t, ext.to_string(), src.to_string(), name));
        self
    }

    fn wait(&mut self, s: i64) -> &mut Self {
        self.t += s;
        self
    }

    /// `ext` rings for `ring` seconds and answers.
    fn answer(&mut self, ext: &str, ring: i64) -> &mut Self {
        self.ev(ext, "", "RINGING")
            .wait(ring)
            .ev(ext, "", "ANSWERED")
    }

    /// `ext` talks for `talk` seconds and hangs up.
    fn talk(&mut self, ext: &str, talk: i64) -> &mut Self {
        self.wait(talk).ev(ext, "", "DISCONNECTED")
    }
}

/// The events of one call starting at `start`, in the order they happen.
pub fn call(rng: &mut fastrand::Rng, start: NaiveDateTime, out: &mut Vec<Line>) {
    let inbound = rng.u8(..100) < 78;
    let (ddi, ddi_name) = if inbound { pick(rng, &DDIS) } else { ("", "") };
    let info = CallInfo {
        direction: if inbound { "IN" } else { "OUT" },
        call_id: format!("{}{}", start.format("%Y%m%d%H%M%S"), digits(rng, 8)),
        trunk: rng.u32(92101..92131).to_string(),
        number: if inbound {
            format!("07{}", digits(rng, 9))
        } else {
            format!("0161{}", digits(rng, 7))
        },
        contact: if inbound { pick(rng, &CONTACTS) } else { "" },
        ddi,
        ddi_name,
        account: if !inbound && rng.u8(..10) == 0 {
            "4455".into()
        } else {
            String::new()
        },
    };
    let mut s = Script::default();
    let a = extension(rng);
    let ring = secs(rng, 8.0, 2, 40);
    let talk = secs(rng, 150.0, 5, 3600);
    if !inbound {
        s.ev(&a, "", "RINGING").wait(ring);
        if rng.u8(..10) < 8 {
            s.ev(&a, "", "ANSWERED").wait(talk);
        }
        s.ev(&a, "", "DISCONNECTED");
    } else {
        match rng.u8(..100) {
            // Answered, maybe with the caller id or account changed.
            0..=34 => {
                s.answer(&a, ring);
                if rng.bool() {
                    s.ev(&a, "", "CALLMODIFIED");
                }
                s.talk(&a, talk);
            }
            // Abandoned while ringing.
            35..=44 => {
                s.ev(&a, "", "RINGING").wait(ring);
                s.ev(&a, "", "DISCONNECTED");
            }
            // Queued in a hunt group, then answered by an agent, or abandoned in the queue.
            45..=61 => {
                let group = pick(rng, &HUNT_GROUPS);
                s.ev(group, "", "QUEUED").wait(secs(rng, 40.0, 3, 600));
                if rng.u8(..4) == 0 {
                    s.ev(group, "", "DISCONNECTED");
                } else {
                    s.answer(&a, ring).talk(&a, talk);
                }
            }
            // Diverted along a forwarding path to a second extension.
            62..=71 => {
                let b = extension(rng);
                s.ev(&a, "", "RINGING").wait(ring);
                s.ev(&b, &a, "DIVERTED");
                s.answer(&b, secs(rng, 6.0, 2, 30)).talk(&b, talk);
            }
            // Held, then retrieved.
            72..=85 => {
                s.answer(&a, ring).wait(secs(rng, 60.0, 5, 900));
                s.ev(&a, "", "HOLD").wait(secs(rng, 25.0, 3, 300));
                s.ev(&a, "", "CONNECTED").talk(&a, talk);
            }
            // Held and transferred to a colleague.
            _ => {
                let b = extension(rng);
                s.answer(&a, ring).wait(secs(rng, 40.0, 5, 600));
                s.ev(&a, "", "HOLD").wait(secs(rng, 10.0, 2, 120));
                s.ev(&b, &a, "TRANSFERRED");
                s.ev(&b, "", "RINGING").wait(secs(rng, 5.0, 1, 30));
                s.ev(&b, "", "CONNECTED").talk(&b, talk);
            }
        }
    }
    for (offset, ext, src, name) in s.events {
        out.push(event_line(after(start, offset), &info, &ext, &src, name));
    }
}
