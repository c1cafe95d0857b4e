//! The sentences alarms say, one function per kind of rule.

use chrono::NaiveDateTime;

use super::facts::{Dir, Facts};
use super::pattern::Hit;

/// `14:02:11`, or `14:02` when the record prints no seconds; the date too when asked.
fn time(when: NaiveDateTime, seconds: bool) -> String {
    when.format(if seconds { "%H:%M:%S" } else { "%H:%M" })
        .to_string()
}

/// "Extension 2101" or "A phone" when the record names none.
fn who(extension: &str) -> String {
    if extension.is_empty() {
        "A phone".into()
    } else {
        format!("Extension {extension}")
    }
}

fn at_time(f: &Facts<'_>) -> String {
    f.when
        .map(|w| format!(" at {}", time(w, f.seconds)))
        .unwrap_or_default()
}

/// "Extension 2101 dialled 911 at 14:02:11 on HQ"; after an outside-line digit, "dialled 9-911
/// (911 after the outside-line 9)".
pub fn dialled(f: &Facts<'_>, number: &str, hit: &Hit<'_>, site: &str) -> String {
    let via = if hit.outside_line.is_empty() {
        String::new()
    } else {
        let rest = number_after_prefix(number, hit.outside_line.len());
        format!(" ({rest} after the outside-line {})", hit.outside_line)
    };
    format!(
        "{} dialled {}{via}{} on {site}",
        who(f.extension),
        number.trim(),
        at_time(f)
    )
}

/// "A call from 0900123456 to extension 2101 at 14:02:11 on HQ".
pub fn calling(f: &Facts<'_>, number: &str, site: &str) -> String {
    let to = if f.extension.is_empty() {
        String::new()
    } else {
        format!(" to extension {}", f.extension)
    };
    format!("A call from {}{to}{} on {site}", number.trim(), at_time(f))
}

/// The digits of `number` after the first `skip` digits (punctuation dropped).
fn number_after_prefix(number: &str, skip: usize) -> String {
    number
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '.' | '(' | ')' | '/' | '+' | '>'))
        .skip(skip)
        .collect()
}

/// "Extension 2101 dialled 011441619990000 at 02:14 on Sunday 2026-11-29, outside HQ's
/// business hours".
pub fn after_hours(f: &Facts<'_>, when: NaiveDateTime, site: &str) -> String {
    format!(
        "{} dialled {} at {} on {}, outside {site}'s business hours",
        who(f.extension),
        f.dialled.trim(),
        time(when, f.seconds),
        when.format("%A %Y-%m-%d"),
    )
}

/// "2 h 05 min", "45 min".
pub fn duration(seconds: u32) -> String {
    let minutes = seconds / 60;
    if minutes >= 60 {
        format!("{} h {:02} min", minutes / 60, minutes % 60)
    } else {
        format!("{minutes} min")
    }
}

/// "Extension 2101's call to 01619990000 lasted 1 h 05 min (over 60 min), started 09:14 on HQ".
pub fn long_call(
    extension: &str,
    direction: Dir,
    number: &str,
    seconds: u32,
    limit_min: u32,
    started: Option<String>,
    site: &str,
) -> String {
    let whose = if extension.is_empty() {
        "A call".to_string()
    } else {
        format!("Extension {extension}'s call")
    };
    let other = match (direction, number.trim()) {
        (_, "") => String::new(),
        (Dir::In, n) => format!(" from {n}"),
        (_, n) => format!(" to {n}"),
    };
    let started = started
        .map(|s| format!(", started {s}"))
        .unwrap_or_default();
    format!(
        "{whose}{other} lasted {} (over {limit_min} min){started} on {site}",
        duration(seconds)
    )
}

pub fn started(when: NaiveDateTime, seconds: bool) -> String {
    time(when, seconds)
}

/// "5 callers abandoned within 10 min on HQ (DDI 441619990100), the last at 14:02:11".
pub fn burst(
    count: usize,
    minutes: u32,
    site: &str,
    ddi: Option<&str>,
    last: NaiveDateTime,
) -> String {
    let ddi = ddi.map(|d| format!(" (DDI {d})")).unwrap_or_default();
    format!(
        "{count} callers abandoned within {minutes} min on {site}{ddi}, the last at {}",
        time(last, true)
    )
}

/// "Caller 07700900123 abandoned 3 times within 30 min on HQ, the last at 14:02:11".
pub fn repeat(number: &str, count: usize, minutes: u32, site: &str, last: NaiveDateTime) -> String {
    format!(
        "Caller {number} abandoned {count} times within {minutes} min on {site}, the last at {}",
        time(last, true)
    )
}

/// "15 min", "60 min", "3 h 00 min", "2 s".
fn span(seconds: u32) -> String {
    match seconds {
        s if s % 60 != 0 => format!("{s} s"),
        s if s < 120 * 60 => format!("{} min", s / 60),
        s => duration(s),
    }
}

/// "HQ has not been connected for 15 min (since 13:47:11)".
pub fn down(site: &str, threshold_s: u32, since: NaiveDateTime) -> String {
    format!(
        "{site} has not been connected for {} (since {})",
        span(threshold_s),
        time(since, true)
    )
}

/// "HQ is connected but has sent no record for 60 min (since 13:02:11), within its business
/// hours".
pub fn silent(site: &str, threshold_s: u32, since: NaiveDateTime) -> String {
    format!(
        "{site} is connected but has sent no record for {} (since {}), within its business hours",
        span(threshold_s),
        time(since, true)
    )
}

/// "HQ's raw day log cannot be written, so its records are not being saved: No space left on
/// device".
pub fn raw_log(site: &str, error: &str) -> String {
    format!("{site}'s raw day log cannot be written, so its records are not being saved: {error}")
}

pub fn test(rule: &str) -> String {
    format!(
        "Test alarm for the rule \"{rule}\" from SMDR Monitor: if you can read this, alarms reach you here"
    )
}
