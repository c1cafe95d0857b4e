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
    // (seconds after start, extension, source extension, event)
    let mut events: Vec<(i64, String, String, &str)> = Vec::new();
    let mut t = 0;
    let mut ev = |t: i64, ext: &str, src: &str, name: &'static str| {
        events.push((t, ext.to_string(), src.to_string(), name));
    };
    let a = extension(rng);
    let ring = secs(rng, 8.0, 2, 40);
    let talk = secs(rng, 150.0, 5, 3600);
    if !inbound {
        ev(t, &a, "", "RINGING");
        t += ring;
        if rng.u8(..10) < 8 {
            ev(t, &a, "", "ANSWERED");
            t += talk;
        }
        ev(t, &a, "", "DISCONNECTED");
    } else {
        match rng.u8(..100) {
            // Answered, maybe with the caller id or account changed.
            0..=34 => {
                ev(t, &a, "", "RINGING");
                t += ring;
                ev(t, &a, "", "ANSWERED");
                if rng.bool() {
                    ev(t, &a, "", "CALLMODIFIED");
                }
                t += talk;
                ev(t, &a, "", "DISCONNECTED");
            }
            // Abandoned while ringing.
            35..=44 => {
                ev(t, &a, "", "RINGING");
                t += ring;
                ev(t, &a, "", "DISCONNECTED");
            }
            // Queued in a hunt group, then answered by an agent, or abandoned in the queue.
            45..=61 => {
                let group = pick(rng, &HUNT_GROUPS);
                ev(t, group, "", "QUEUED");
                t += secs(rng, 40.0, 3, 600);
                if rng.u8(..4) == 0 {
                    ev(t, group, "", "DISCONNECTED");
                } else {
                    ev(t, &a, "", "RINGING");
                    t += ring;
                    ev(t, &a, "", "ANSWERED");
                    t += talk;
                    ev(t, &a, "", "DISCONNECTED");
                }
            }
            // Diverted along a forwarding path to a second extension.
            62..=71 => {
                let b = extension(rng);
                ev(t, &a, "", "RINGING");
                t += ring;
                ev(t, &b, &a, "DIVERTED");
                ev(t, &b, "", "RINGING");
                t += secs(rng, 6.0, 2, 30);
                ev(t, &b, "", "ANSWERED");
                t += talk;
                ev(t, &b, "", "DISCONNECTED");
            }
            // Held, then retrieved.
            72..=85 => {
                ev(t, &a, "", "RINGING");
                t += ring;
                ev(t, &a, "", "ANSWERED");
                t += secs(rng, 60.0, 5, 900);
                ev(t, &a, "", "HOLD");
                t += secs(rng, 25.0, 3, 300);
                ev(t, &a, "", "CONNECTED");
                t += talk;
                ev(t, &a, "", "DISCONNECTED");
            }
            // Held and transferred to a colleague.
            _ => {
                let b = extension(rng);
                ev(t, &a, "", "RINGING");
                t += ring;
                ev(t, &a, "", "ANSWERED");
                t += secs(rng, 40.0, 5, 600);
                ev(t, &a, "", "HOLD");
                t += secs(rng, 10.0, 2, 120);
                ev(t, &b, &a, "TRANSFERRED");
                ev(t, &b, "", "RINGING");
                t += secs(rng, 5.0, 1, 30);
                ev(t, &b, "", "CONNECTED");
                t += talk;
                ev(t, &b, "", "DISCONNECTED");
            }
        }
    }
    for (offset, ext, src, name) in events {
        out.push(event_line(after(start, offset), &info, &ext, &src, name));
    }
}
