//! 5000 call records (80 columns, sent when the call ends), ring-in diagnostic records and the
//! `Station Message Detailed Recording` header.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap};

use chrono::{NaiveDateTime, NaiveTime};

use super::{Line, after, digits, pick, secs};
use crate::protocol::duration::hh_mm_ss;
use crate::protocol::mitel5000::record::HEADER_MARK;

pub const TITLE_LINE: &str =
    "TYP EXT#  TRUNK DIALED DIGITS                START ELAPSED   COST  ACCOUNT CODE";

/// The 79-column header the PBX sends on connect and around midnight.
pub fn header(at: NaiveDateTime) -> String {
    format!(
        "{HEADER_MARK:<60}{} {}",
        at.format("%H:%M:%S"),
        at.format("%m-%d-%Y")
    )
}

pub(super) struct Rec<'a> {
    pub typ: &'a str,
    pub ext: &'a str,
    pub trunk: &'a str,
    pub digits: String,
    pub start: NaiveTime,
    pub elapsed: String,
    pub cost: &'a str,
    pub account: &'a str,
    pub trunk_hung_up: bool,
}

impl Rec<'_> {
    pub(super) fn text(&self) -> String {
        let mut digits = self.digits.clone();
        if digits.len() > 28 {
            // More digits than the column holds: the PBX marks the overflow with `>`.
            digits.truncate(27);
            digits.push('>');
        }
        format!(
            "{:<3} {:<5} {:<5} {:<28} {} {:>8} {:<6} {:<12}{}",
            self.typ,
            self.ext,
            self.trunk,
            digits,
            self.start.format("%H:%M"),
            self.elapsed,
            self.cost,
            self.account,
            if self.trunk_hung_up { '*' } else { ' ' }
        )
    }
}

/// ELAPSED as `HH:MM:SS` or as `S=n` (both occur, depending on the PBX's settings).
fn elapsed(rng: &mut fastrand::Rng, s: i64) -> String {
    if rng.bool() && s <= 999_999 {
        format!("S={s}")
    } else {
        hh_mm_ss(s.unsigned_abs())
    }
}

/// Caller id left, DID right-aligned at the end of the 28 columns.
pub(super) fn incoming_digits(caller: &str, did: &str) -> String {
    let gap = 28usize.saturating_sub(caller.len() + did.len()).max(1);
    format!("{caller}{}{did}", " ".repeat(gap))
}

fn caller(rng: &mut fastrand::Rng) -> String {
    if rng.bool() {
        format!(
            "{}-{}-{}",
            rng.u32(201..990),
            digits(rng, 3),
            digits(rng, 4)
        )
    } else {
        format!("{}{}", rng.u32(201..990), digits(rng, 9))
    }
}

fn cost(rng: &mut fastrand::Rng, toll: bool) -> String {
    if toll {
        format!("${:02}.{:02}", rng.u32(0..4), rng.u32(0..100))
    } else {
        "$00.00".into()
    }
}

const DIDS: [&str; 4] = ["8907", "0061", "0063", "8900"];

/// The first trunk's extension number; the last one is [`LAST_TRUNK`].
const FIRST_TRUNK: u32 = 94101;
/// Trunk numbers have 5 digits: at most this many trunks.
const LAST_TRUNK: u32 = 99999;

/// The site's trunk group. Like a PBX, it carries one call at a time on a trunk, from the first
/// ring (or the dialling) until the call ends; a new call seizes the lowest-numbered free trunk
/// (linear hunting, so a busy trunk is often seized again within the minute its last call
/// ended). A call that finds every trunk busy is not made: the caller hears busy.
#[derive(Debug)]
pub struct Trunks {
    /// Trunks (as offsets from [`FIRST_TRUNK`]) released since they were first used.
    free: BTreeSet<u32>,
    /// Trunks in use and when their call ends.
    busy: BinaryHeap<Reverse<(NaiveDateTime, u32)>>,
    /// Trunks below this offset have been used.
    used: u32,
    /// Talk times are scaled by this: at the highest rates calls are shorter, so that 5-digit
    /// trunk numbers suffice.
    talk_scale: f64,
}

/// Seconds a call keeps its trunk apart from talking (ringing, the unanswered ring-ins), on
/// average, and the mean talk time: for [`Trunks::for_rate`].
const MEAN_RING_HOLD_S: f64 = 6.0;
const MEAN_TALK_S: f64 = 180.0;

impl Trunks {
    /// Trunks for about `calls_per_s` calls a second: at most half of them busy on average.
    pub fn for_rate(calls_per_s: f64) -> Self {
        let half = f64::from(LAST_TRUNK - FIRST_TRUNK + 1) / 2.0;
        let talk_share = 0.9 * MEAN_TALK_S;
        let talk_scale =
            ((half / calls_per_s.max(1e-9) - MEAN_RING_HOLD_S) / talk_share).clamp(0.01, 1.0);
        Self {
            free: BTreeSet::new(),
            busy: BinaryHeap::new(),
            used: 0,
            talk_scale,
        }
    }

    /// Seizes the lowest free trunk at `from` (calls come in start order) until `until`.
    fn seize(&mut self, from: NaiveDateTime, until: NaiveDateTime) -> Option<String> {
        while let Some(Reverse((end, trunk))) = self.busy.peek().copied() {
            if end > from {
                break;
            }
            self.busy.pop();
            self.free.insert(trunk);
        }
        let trunk = match self.free.pop_first() {
            Some(t) => t,
            None if FIRST_TRUNK + self.used <= LAST_TRUNK => {
                self.used += 1;
                self.used - 1
            }
            None => return None,
        };
        self.busy.push(Reverse((until, trunk)));
        Some((FIRST_TRUNK + trunk).to_string())
    }
}

/// The records of one call starting at `start`, each at the time the PBX sends it.
pub fn call(
    rng: &mut fastrand::Rng,
    start: NaiveDateTime,
    trunks: &mut Trunks,
    out: &mut Vec<Line>,
) {
    let ext = rng.u32(100..200).to_string();
    let ring = secs(rng, 8.0, 1, 60);
    let talk = secs(rng, MEAN_TALK_S * trunks.talk_scale, 1, 5 * 3600);
    let hung_up = rng.bool();
    let mut push = |at: NaiveDateTime, text: String| out.push(Line { at, text });
    match rng.u8(..100) {
        // Incoming, answered: maybe a ring-in diagnostic record when answered, then the call.
        0..=39 => {
            let did = pick(rng, &DIDS);
            let answered = after(start, ring);
            let Some(trunk) = trunks.seize(start, after(answered, talk)) else {
                return;
            };
            if rng.u8(..10) < 4 {
                let r = Rec {
                    typ: "",
                    ext: &ext,
                    trunk: &trunk,
                    digits: format!("RING......{did}"),
                    start: start.time(),
                    elapsed: format!("S={ring}"),
                    cost: "",
                    account: "",
                    trunk_hung_up: false,
                };
                push(answered, r.text());
            }
            let r = Rec {
                typ: "IN",
                ext: &ext,
                trunk: &trunk,
                digits: incoming_digits(&caller(rng), did),
                start: answered.time(),
                elapsed: elapsed(rng, talk),
                cost: "$00.00",
                account: "",
                trunk_hung_up: hung_up,
            };
            push(after(answered, talk), r.text());
        }
        // A ring-in nobody answered.
        40..=49 => {
            let Some(trunk) = trunks.seize(start, after(start, ring * 3)) else {
                return;
            };
            let r = Rec {
                typ: "",
                ext: "*****",
                trunk: &trunk,
                digits: incoming_digits(&format!("RG {}", caller(rng)), pick(rng, &DIDS)),
                start: start.time(),
                elapsed: format!("S={}", ring * 3),
                cost: "",
                account: "",
                trunk_hung_up: true,
            };
            push(after(start, ring * 3), r.text());
        }
        // A call to another node of a networked system: over the IP network link, which
        // carries many calls at once.
        50..=59 => {
            let r = Rec {
                typ: "NET",
                ext: &ext,
                trunk: "P0001",
                digits: rng.u32(94000..97000).to_string(),
                start: start.time(),
                elapsed: elapsed(rng, talk),
                cost: "$00.00",
                account: "",
                trunk_hung_up: hung_up,
            };
            push(after(start, talk), r.text());
        }
        // Outgoing: local, toll local, long distance, operator/international.
        n => {
            let (typ, dialed, toll) = match n {
                60..=74 => (
                    "LOC",
                    format!("{}-{}", digits(rng, 3), digits(rng, 4)),
                    false,
                ),
                75..=86 => (
                    "TLC",
                    format!("952-{}-{}", digits(rng, 3), digits(rng, 4)),
                    true,
                ),
                87..=95 => (
                    "TLD",
                    format!(
                        "1-{}-{}-{}",
                        rng.u32(201..990),
                        digits(rng, 3),
                        digits(rng, 4)
                    ),
                    true,
                ),
                _ => {
                    // International numbers can be longer than the column: `>` marks it.
                    let len = if rng.bool() { 11 } else { 20 };
                    ("O/I", format!("011-{}", digits(rng, len)), true)
                }
            };
            let account = if rng.u8(..8) == 0 { "12345678" } else { "" };
            let Some(trunk) = trunks.seize(start, after(start, talk)) else {
                return;
            };
            let r = Rec {
                typ,
                ext: &ext,
                trunk: &trunk,
                digits: dialed,
                start: start.time(),
                elapsed: elapsed(rng, talk),
                cost: &cost(rng, toll),
                account,
                trunk_hung_up: hung_up,
            };
            push(after(start, talk), r.text());
        }
    }
}
