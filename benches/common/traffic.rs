//! Seeded traffic: a day of App Suite events on the 162-column layout, a 5000 socket capture
//! (length-prefixed frames with headers at each midnight) and MiVB standard 90-column lines.
//! Realistic mixes: answered, abandoned, held, transferred, queued, diverted and outgoing calls.

use std::io::Write;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Timelike};
use fastrand::Rng;

const NAMES: [&str; 8] = [
    "CHRIS R MOBILE",
    "ACME LTD",
    "J SMITH",
    "",
    "RECEPTION",
    "DR PATEL",
    "",
    "WAREHOUSE",
];
const DDI_NAMES: [&str; 4] = ["SALES", "SUPPORT", "CHRIS DID", ""];

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).unwrap_or_default()
}

/// Writes `YYYY-MM-DD hh:mm:ss` (or, `compact`, `YYYYMMDDhhmmss`).
fn stamp(out: &mut Vec<u8>, t: NaiveDateTime, compact: bool) {
    let (y, mo, d) = (t.year(), t.month(), t.day());
    let (h, mi, s) = (t.hour(), t.minute(), t.second());
    let _ = if compact {
        write!(out, "{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}")
    } else {
        write!(out, "{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
    };
}

/// What every event of one App Suite call shares.
struct CallInfo {
    start: NaiveDateTime,
    outgoing: bool,
    trunk: u32,
    number: u64,
    name: &'static str,
    ddi: u64,
    ddi_name: &'static str,
    serial: u32,
}

/// One event, before it is laid out.
struct Ev {
    at: NaiveDateTime,
    call: u32,
    event: &'static str,
    ext: u32,
    src: u32,
}

/// A day of App Suite IP SMDR events (lines of 162 characters + CR LF), in time order.
pub struct AppSuiteDay {
    pub bytes: Vec<u8>,
    pub events: usize,
    pub calls: usize,
}

/// How much traffic to make.
#[derive(Debug, Clone, Copy)]
pub enum Until {
    /// At least this many events (the last call is whole).
    Events(usize),
    Calls(usize),
}

/// A day of calls until `until`, from `seed`.
pub fn appsuite_day(until: Until, seed: u64) -> AppSuiteDay {
    let mut rng = Rng::with_seed(seed);
    let day_start = day().and_hms_opt(0, 0, 0).unwrap_or_default();
    let mut calls = Vec::new();
    let mut evs: Vec<Ev> = Vec::new();
    let more = |events: usize, calls: usize| match until {
        Until::Events(n) => events < n,
        Until::Calls(n) => calls < n,
    };
    while more(evs.len(), calls.len()) {
        let call = calls.len() as u32;
        let start = day_start + Duration::seconds(i64::from(rng.u32(0..86_400)));
        let kind = rng.u32(0..100);
        let info = CallInfo {
            start,
            outgoing: kind >= 90,
            trunk: 92_100 + rng.u32(0..24),
            number: 600_000_000 + rng.u64(0..400_000_000),
            name: NAMES[rng.usize(0..NAMES.len())],
            ddi: 441_619_990_000 + rng.u64(0..100),
            ddi_name: DDI_NAMES[rng.usize(0..DDI_NAMES.len())],
            serial: call,
        };
        calls.push(info);
        let (e1, e2) = (2000 + rng.u32(0..120), 2000 + rng.u32(0..120));
        let ring = i64::from(rng.u32(2..25));
        let talk = i64::from(rng.u32(20..900));
        let hold = i64::from(rng.u32(5..120));
        let mut t = start;
        let mut push = |dt: i64, event: &'static str, ext: u32, src: u32| {
            t += Duration::seconds(dt);
            evs.push(Ev {
                at: t,
                call,
                event,
                ext,
                src,
            });
        };
        push(0, "RINGING", e1, 0);
        match kind {
            0..=54 => {
                push(ring, "ANSWERED", e1, 0);
                if kind >= 45 {
                    push(0, "CALLMODIFIED", e1, 0);
                }
                push(talk, "DISCONNECTED", e1, 0);
            }
            55..=64 => push(ring, "DISCONNECTED", e1, 0),
            65..=72 => {
                push(ring, "ANSWERED", e1, 0);
                push(talk / 2, "HOLD", e1, 0);
                push(hold, "CONNECTED", e1, 0);
                push(talk / 2, "DISCONNECTED", e1, 0);
            }
            73..=80 => {
                push(ring, "ANSWERED", e1, 0);
                push(talk / 3, "HOLD", e1, 0);
                push(hold, "TRANSFERRED", e2, e1);
                push(0, "RINGING", e2, 0);
                push(ring, "CONNECTED", e2, 0);
                push(talk, "DISCONNECTED", e2, 0);
            }
            81..=85 => {
                push(ring * 3, "QUEUED", 2500, 0);
                push(ring, "ANSWERED", e1, 0);
                push(talk, "DISCONNECTED", e1, 0);
            }
            86..=89 => {
                push(ring, "DIVERTED", e2, e1);
                push(0, "RINGING", e2, 0);
                push(ring, "ANSWERED", e2, 0);
                push(talk, "DISCONNECTED", e2, 0);
            }
            _ => {
                push(ring, "ANSWERED", e1, 0);
                push(talk, "DISCONNECTED", e1, 0);
            }
        }
    }
    // Calls overlap: the stream is in event-time order, as the server sends it.
    evs.sort_by_key(|e| e.at);
    let mut bytes = Vec::with_capacity(evs.len() * 164);
    for e in &evs {
        appsuite_line(&mut bytes, e, &calls[e.call as usize]);
    }
    AppSuiteDay {
        bytes,
        events: evs.len(),
        calls: calls.len(),
    }
}

fn appsuite_line(out: &mut Vec<u8>, e: &Ev, c: &CallInfo) {
    let before = out.len();
    stamp(out, e.at, false);
    let dir = if c.outgoing { "OUT" } else { "IN" };
    let _ = write!(out, " |{dir:<3}| ");
    stamp(out, c.start, true);
    let (name, ddi, ddi_name) = if c.outgoing {
        ("", 0, "")
    } else {
        (c.name, c.ddi, c.ddi_name)
    };
    let _ = write!(
        out,
        "{:08} {:07} {:07} {:07} {:015} |{name:<14}| {ddi:015} |{ddi_name:<10}| {:012} |{:<12}|\r\n",
        c.serial, c.trunk, e.ext, e.src, c.number, 0, e.event
    );
    debug_assert_eq!(out.len() - before, 164);
}

/// Places `text` at 0-based column `col` of a fixed-width line.
fn put(line: &mut [u8], col: usize, text: &str) {
    let end = (col + text.len()).min(line.len());
    line[col..end].copy_from_slice(&text.as_bytes()[..end - col]);
}

/// Right-aligns `text` to end just before column `end`.
fn put_right(line: &mut [u8], end: usize, text: &str) {
    put(line, end.saturating_sub(text.len()), text);
}

/// A 5000 socket capture: `records` call records (80 columns) as length-prefixed frames, with
/// the 79-column header at the start and after each midnight.
pub fn mitel5000_capture(records: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng::with_seed(seed);
    let mut out = Vec::with_capacity(records * 86 + 1024);
    let mut date = day();
    let mut minute = 0u32; // of the day, for START
    let header = |out: &mut Vec<u8>, date: NaiveDate, minute: u32| {
        let mut line = [b' '; 79];
        put(&mut line, 0, "Station Message Detailed Recording");
        let (m, d, y) = (date.month(), date.day(), date.year());
        let text = format!(
            "{:02}:{:02}:04 {m:02}-{d:02}-{y:04}",
            minute / 60,
            minute % 60
        );
        put(&mut line, 60, &text);
        frame(out, &line);
    };
    header(&mut out, date, 0);
    for _ in 0..records {
        minute += rng.u32(0..3);
        if minute >= 24 * 60 {
            minute -= 24 * 60;
            date = date.succ_opt().unwrap_or(date);
            header(&mut out, date, minute);
        }
        let mut line = [b' '; 80];
        let start = format!("{:02}:{:02}", minute / 60, minute % 60);
        let ext = format!("{}", 100 + rng.u32(0..150));
        let trunk = format!("941{:02}", rng.u32(0..60));
        let secs = rng.u32(1..1800);
        let elapsed = if rng.bool() {
            format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
        } else {
            format!("S={secs}")
        };
        match rng.u32(0..100) {
            0..=39 => {
                let ty = ["TLC", "LOC", "TLD", "O/I"][rng.usize(0..4)];
                put(&mut line, 0, ty);
                put(&mut line, 4, &ext);
                put(&mut line, 10, &trunk);
                let n = rng.u32(0..10_000);
                let digits = if ty == "TLD" {
                    format!("1-631-220-{n:04}")
                } else {
                    format!("952-474-{n:04}")
                };
                put(&mut line, 16, &digits);
                put(&mut line, 60, "$00.00");
            }
            40..=69 => {
                put(&mut line, 0, if rng.bool() { "IN" } else { "DID" });
                put(&mut line, 4, &ext);
                put(&mut line, 10, &trunk);
                put(&mut line, 16, &format!("6128{:06}", rng.u32(0..1_000_000)));
                put_right(&mut line, 44, &format!("{:04}", 8900 + rng.u32(0..20)));
                put(&mut line, 60, "$00.00");
            }
            70..=89 => {
                // Ring-in diagnostic: TYP blank, ring time as ELAPSED.
                let answered = rng.u32(0..4) != 0;
                put(&mut line, 4, if answered { &ext } else { "*****" });
                put(&mut line, 10, &trunk);
                put(
                    &mut line,
                    16,
                    &format!("RG 612-804-{:04}", rng.u32(0..10_000)),
                );
                put_right(&mut line, 44, "8907");
                put_right(&mut line, 59, &format!("S={}", rng.u32(1..40)));
                put(&mut line, 45, &start);
                line[79] = if answered { b' ' } else { b'*' };
                frame(&mut out, &line);
                continue;
            }
            _ => {
                put(&mut line, 0, "NET");
                put(&mut line, 4, &ext);
                put(&mut line, 10, "P0001");
                put(&mut line, 16, &format!("94{:03}", rng.u32(0..1000)));
            }
        }
        put(&mut line, 45, &start);
        put_right(&mut line, 59, &elapsed);
        if rng.u32(0..3) == 0 {
            line[79] = b'*';
        }
        frame(&mut out, &line);
    }
    out
}

fn frame(out: &mut Vec<u8>, text: &[u8]) {
    smdr_monitor::protocol::mitel5000::framer::encode_frame(text, out);
}

/// MiVB standard 90-column lines (CR LF), 12-hour starts with `P` after noon.
pub fn mivb_lines(records: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng::with_seed(seed);
    let mut out = Vec::with_capacity(records * 92);
    let mut date = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap_or_default();
    let mut minute = 0u32;
    for _ in 0..records {
        minute += rng.u32(0..2);
        if minute >= 24 * 60 {
            minute -= 24 * 60;
            date = date.succ_opt().unwrap_or(date);
        }
        let mut line = [b' '; 90];
        let secs = rng.u32(0..3600);
        line[0] = match secs {
            0..300 => b' ',
            300..600 => b'-',
            600..1800 => b'%',
            _ => b'+',
        };
        put(
            &mut line,
            1,
            &format!("{:02}/{:02}", date.month(), date.day()),
        );
        let (h, m) = (minute / 60, minute % 60);
        let h12 = if h > 12 { h - 12 } else { h };
        put(&mut line, 7, &format!("{h12:02}:{m:02}"));
        if h >= 12 {
            line[12] = b'P';
        }
        put(
            &mut line,
            14,
            &format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60),
        );
        let station = format!("{}", 2000 + rng.u32(0..400));
        let trunk = format!("T{:03}", rng.u32(1..120));
        let kind = rng.u32(0..100);
        let (calling, called, completion) = match kind {
            0..=39 => (trunk.as_str(), station.as_str(), "A"),
            40..=74 => (station.as_str(), trunk.as_str(), "A"),
            75..=89 => (station.as_str(), "2401", "I"),
            _ => (trunk.as_str(), "", "E"),
        };
        put(&mut line, 23, calling);
        if kind >= 90 {
            put(&mut line, 29, "***");
        } else {
            put(&mut line, 29, &format!("{:03}", rng.u32(0..40)));
        }
        put(
            &mut line,
            33,
            &format!("{}", 6_135_000_000u64 + rng.u64(0..999_999)),
        );
        put(&mut line, 59, completion);
        put(&mut line, 61, called);
        if rng.u32(0..10) == 0 {
            line[65] = b'T';
            put(&mut line, 67, &format!("{}", 2000 + rng.u32(0..400)));
            put(&mut line, 72, "4455");
        }
        put(&mut line, 85, "000");
        out.extend_from_slice(&line);
        out.extend_from_slice(b"\r\n");
    }
    out
}
