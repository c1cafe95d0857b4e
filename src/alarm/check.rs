//! The rules over saved logs: what the engine does for each record (evaluate it, correlate it
//! into calls, evaluate the call it changed), without collecting. `alarms check` and the tests
//! use it. Site down and silent need a live connection and are not judged here.

use std::sync::Arc;

use chrono::{DateTime, FixedOffset};

use super::Alarm;
use super::eval::Evaluator;
use crate::protocol::Decoded;
use crate::timeline::CallTracker;

pub struct Checker {
    pub evaluator: Evaluator,
    pub tracker: CallTracker,
}

impl Checker {
    pub fn new(evaluator: Evaluator) -> Self {
        Self {
            evaluator,
            tracker: CallTracker::new(chrono::Duration::minutes(
                crate::timeline::DEFAULT_AGE_OUT_MIN.into(),
            )),
        }
    }

    /// One record, as it would arrive live; the alarms it raises are appended to `out`.
    pub fn push(
        &mut self,
        site: &Arc<str>,
        received: Option<DateTime<FixedOffset>>,
        d: &Decoded<'_>,
        out: &mut Vec<Alarm>,
    ) {
        self.evaluator.record(site, received, d, out);
        if let Some(i) = self.tracker.push_decoded(site, d)
            && let Some(call) = self.tracker.calls().get(i)
        {
            self.evaluator.call(call, out);
        }
    }
}
