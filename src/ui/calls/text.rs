//! How the calls view writes durations and times.

use chrono::NaiveDateTime;

/// `0:05`, `1:05`, `1:02:03` (the window's one way of writing durations).
pub use crate::ui::theme::duration;

pub fn opt_duration(s: Option<u32>) -> String {
    s.map(duration).unwrap_or_default()
}

/// `2026-11-20 14:30:05`.
pub fn when(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}
