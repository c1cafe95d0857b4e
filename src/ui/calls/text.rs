//! How the calls view writes durations and times.

use chrono::NaiveDateTime;

/// `0:05`, `1:05`, `1:02:03`.
pub fn duration(s: u32) -> String {
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

pub fn opt_duration(s: Option<u32>) -> String {
    s.map(duration).unwrap_or_default()
}

/// `2026-11-20 14:30:05`.
pub fn when(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration(5), "0:05");
        assert_eq!(duration(65), "1:05");
        assert_eq!(duration(3723), "1:02:03");
        assert_eq!(opt_duration(None), "");
    }
}
