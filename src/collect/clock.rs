//! The collectors' wall clock, injectable so tests can cross midnight without waiting for it.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, DurationRound, Local, TimeDelta};

/// Local time, to the millisecond (the precision of raw-log receipt times, so a record's
/// receipt time and the one read back from its log are equal).
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> DateTime<Local> + Send + Sync>);

impl Clock {
    pub fn system() -> Self {
        Self(Arc::new(Local::now))
    }

    /// The system clock moved by `by` (tests: start a second before midnight).
    pub fn offset(by: TimeDelta) -> Self {
        Self(Arc::new(move || Local::now() + by))
    }

    pub fn from_fn(f: impl Fn() -> DateTime<Local> + Send + Sync + 'static) -> Self {
        Self(Arc::new(f))
    }

    pub fn now(&self) -> DateTime<Local> {
        let t = (self.0)();
        t.duration_trunc(TimeDelta::milliseconds(1)).unwrap_or(t)
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::system()
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Clock")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rawlog::stamp;

    #[test]
    fn millisecond_precision_and_offset() {
        let c = Clock::offset(TimeDelta::hours(-24));
        let t = c.now();
        assert_eq!(t.timestamp_subsec_nanos() % 1_000_000, 0);
        assert!(Local::now() - t > TimeDelta::hours(23));
        let s = stamp(&t);
        assert_eq!(chrono::DateTime::parse_from_rfc3339(&s).unwrap(), t);
        assert_eq!(s.len(), "2026-11-29T14:02:11.123+01:00".len());
    }
}
