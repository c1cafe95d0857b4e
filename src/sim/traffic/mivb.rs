//! MiVoice Business standard 90-character SMDR lines, sent when the call ends.

use chrono::NaiveDateTime;

use super::{Line, after, digits, secs};
use crate::protocol::duration::hh_mm_ss;

/// A 90-column line of spaces with each field written at its column.
pub(super) struct Columns([u8; 90]);

impl Columns {
    pub(super) fn new() -> Self {
        Self([b' '; 90])
    }

    pub(super) fn put(&mut self, col: usize, text: &str) {
        let end = (col + text.len()).min(self.0.len());
        self.0[col..end].copy_from_slice(&text.as_bytes()[..end - col]);
    }

    pub(super) fn text(&self) -> String {
        String::from_utf8_lossy(&self.0).into_owned()
    }
}

pub(super) fn long_call_mark(duration: i64) -> &'static str {
    match duration {
        d if d >= 30 * 60 => "+",
        d if d >= 10 * 60 => "%",
        d if d >= 5 * 60 => "-",
        _ => " ",
    }
}

fn station(rng: &mut fastrand::Rng) -> String {
    rng.u32(2001..2100).to_string()
}

fn co_trunk(rng: &mut fastrand::Rng) -> String {
    format!("T{:03}", rng.u32(1..120))
}

/// The record of one call starting at `start`.
pub fn call(rng: &mut fastrand::Rng, start: NaiveDateTime, out: &mut Vec<Line>) {
    let mut c = Columns::new();
    let mut duration = secs(rng, 170.0, 1, 4 * 3600);
    let mut answer_wait = 0;
    match rng.u8(..100) {
        // Outgoing on a CO trunk, answered (or toll).
        0..=31 => {
            c.put(23, &station(rng));
            c.put(33, &format!("{}{}", rng.u32(2..10), digits(rng, 9)));
            c.put(59, if rng.u8(..4) == 0 { "T" } else { "A" });
            c.put(61, &co_trunk(rng));
        }
        // Outgoing to a busy line, or nobody picked up.
        32..=34 => {
            let busy = rng.u8(..3) < 2;
            duration = if busy { secs(rng, 5.0, 1, 20) } else { 0 };
            answer_wait = if busy { 0 } else { secs(rng, 25.0, 5, 90) };
            c.put(23, &station(rng));
            c.put(29, "***");
            c.put(33, &format!("{}{}", rng.u32(2..10), digits(rng, 9)));
            c.put(59, if busy { "B" } else { " " });
            c.put(61, &co_trunk(rng));
        }
        // Incoming, answered, maybe transferred (supervised) to a colleague.
        35..=64 => {
            answer_wait = secs(rng, 8.0, 1, 60);
            c.put(23, &co_trunk(rng));
            c.put(29, &format!("{answer_wait:03}"));
            c.put(61, &station(rng));
            if rng.u8(..5) == 0 {
                c.put(65, "T");
                c.put(67, &station(rng));
                c.put(72, "4455");
            }
        }
        // Incoming, nobody answered: the caller hung up (completion blank), or the call failed
        // (`E`, error / invalid).
        65..=79 => {
            duration = 0;
            answer_wait = secs(rng, 20.0, 3, 90);
            c.put(23, &co_trunk(rng));
            c.put(29, "***");
            c.put(33, &format!("9{}", digits(rng, 7)));
            if rng.u8(..5) == 0 {
                c.put(59, "E");
            }
        }
        // Internal, station to station.
        _ => {
            let called = station(rng);
            answer_wait = secs(rng, 5.0, 1, 30);
            c.put(23, &station(rng));
            c.put(29, &format!("{answer_wait:03}"));
            c.put(33, &called);
            c.put(59, "I");
            c.put(61, &called);
        }
    }
    c.put(0, long_call_mark(duration));
    c.put(1, &start.format("%m/%d").to_string());
    c.put(7, &start.format("%H:%M").to_string());
    c.put(14, &hh_mm_ss(duration.unsigned_abs()));
    c.put(85, "000");
    out.push(Line {
        at: after(start, answer_wait + duration),
        text: c.text(),
    });
}
