//! Durations written out, one way for each reader: the window's `1:05`, the logs' `4 min 05 s`,
//! and the `HH:MM:SS` a 5000 or MiVB record carries (the simulator writes it).

use std::time::Duration;

/// Hours, minutes and seconds of `seconds`.
fn hms(seconds: u64) -> (u64, u64, u64) {
    (seconds / 3600, seconds / 60 % 60, seconds % 60)
}

/// `0:05`, `1:05`, `1:00:09`: a call's duration the way people read it.
pub fn clock(seconds: u32) -> String {
    match hms(seconds.into()) {
        (0, m, s) => format!("{m}:{s:02}"),
        (h, m, s) => format!("{h}:{m:02}:{s:02}"),
    }
}

/// `00:01:05`: a record's duration field.
pub fn hh_mm_ss(seconds: u64) -> String {
    let (h, m, s) = hms(seconds);
    format!("{h:02}:{m:02}:{s:02}")
}

/// A wait or a timeout in words for logs: `850 ms`, `3.2 s`, `4 min 05 s`, `2 h 03 min`.
pub fn words(d: Duration) -> String {
    let (h, m, s) = hms(d.as_secs());
    if d.as_millis() < 1000 {
        format!("{} ms", d.as_millis())
    } else if d.as_secs() < 60 {
        format!("{:.1} s", d.as_secs_f64())
    } else if h == 0 {
        format!("{m} min {s:02} s")
    } else {
        format!("{h} h {m:02} min")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(clock(5), "0:05");
        assert_eq!(clock(65), "1:05");
        assert_eq!(clock(3600 + 9), "1:00:09");
        assert_eq!(clock(2467), "41:07");
    }

    #[test]
    fn durations_in_words() {
        assert_eq!(words(Duration::from_millis(850)), "850 ms");
        assert_eq!(words(Duration::from_millis(3200)), "3.2 s");
        assert_eq!(words(Duration::from_secs(245)), "4 min 05 s");
        assert_eq!(words(Duration::from_secs(7380)), "2 h 03 min");
    }

    #[test]
    fn record_fields() {
        assert_eq!(hh_mm_ss(65), "00:01:05");
        assert_eq!(hh_mm_ss(100 * 3600 + 61), "100:01:01");
    }
}
