//! Answer/abandon statistics over a set of calls: how long callers wait, who hangs up.

use chrono::{NaiveDateTime, Timelike};

use super::call::{Call, Outcome};

/// What the statistics need of one call, in 32 bytes: a view keeps one per call, updated as
/// calls change, so figures over hundreds of thousands of calls read one contiguous array
/// instead of every call's scattered fields and events.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CallFacts {
    pub start: NaiveDateTime,
    pub outcome: Outcome,
    /// Direction `IN`: a caller (see [`Stats`]).
    pub incoming: bool,
    pub time_to_answer_s: Option<u32>,
    pub wait_s: Option<u32>,
}

impl CallFacts {
    pub fn of(call: &Call) -> Self {
        Self {
            start: call.start,
            outcome: call.outcome,
            incoming: is_incoming(call),
            time_to_answer_s: call.time_to_answer_s,
            wait_s: call.wait_s(),
        }
    }
}

/// Figures over a set of calls. Outcome counts cover every call (`abandoned` are incoming
/// callers by definition); the queue figures (time to answer, waits, service level) only
/// incoming ones: an outgoing call nobody picked up, a busy line or a failed call is not a
/// caller who gave up waiting.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Stats {
    pub calls: u32,
    pub answered: u32,
    pub abandoned: u32,
    pub not_answered: u32,
    pub busy: u32,
    pub failed: u32,
    pub in_progress: u32,
    pub aged_out: u32,
    /// Calls started in each hour of the day (0..24), over all days in the set.
    pub per_hour: [u32; 24],
    /// Incoming calls (direction `IN`): the callers the figures below are about.
    pub incoming: u32,
    pub incoming_answered: u32,
    pub incoming_abandoned: u32,
    /// Over answered incoming calls whose time to answer is known.
    pub avg_time_to_answer_s: Option<f64>,
    /// Nearest-rank 90th percentile of the same.
    pub p90_time_to_answer_s: Option<u32>,
    /// Percent of incoming callers answered within `service_level_s` of arriving (queue time
    /// included), of those answered (wait known) or abandoned.
    pub service_level_pct: Option<f64>,
    pub service_level_s: u32,
    /// Longest wait of an incoming caller before an answer or hanging up, seconds.
    pub longest_wait_s: Option<u32>,
}

/// Whether a call's figures are a caller's wait (see [`Stats`]).
pub fn is_incoming(call: &Call) -> bool {
    call.direction == "IN"
}

/// Whether a call is one of the abandoned callers to call back.
pub fn is_abandoned_caller(f: &CallFacts) -> bool {
    f.incoming && f.outcome == Outcome::Abandoned
}

pub fn stats<'a>(calls: impl IntoIterator<Item = &'a Call>, service_level_s: u32) -> Stats {
    stats_of(calls.into_iter().map(CallFacts::of), service_level_s)
}

pub fn stats_of(facts: impl IntoIterator<Item = CallFacts>, service_level_s: u32) -> Stats {
    let mut s = Stats {
        service_level_s,
        ..Default::default()
    };
    let mut answer_times = Vec::new();
    let (mut answered_waits, mut within) = (0usize, 0usize);
    for f in facts {
        s.calls += 1;
        s.per_hour[f.start.hour() as usize] += 1;
        match f.outcome {
            Outcome::Answered => s.answered += 1,
            Outcome::Abandoned => s.abandoned += 1,
            Outcome::NotAnswered => s.not_answered += 1,
            Outcome::Busy => s.busy += 1,
            Outcome::Failed => s.failed += 1,
            Outcome::InProgress => s.in_progress += 1,
            Outcome::AgedOut => s.aged_out += 1,
        }
        if !f.incoming {
            continue;
        }
        s.incoming += 1;
        match f.outcome {
            Outcome::Answered => {
                s.incoming_answered += 1;
                answer_times.extend(f.time_to_answer_s);
                if let Some(w) = f.wait_s {
                    answered_waits += 1;
                    within += usize::from(w <= service_level_s);
                }
            }
            Outcome::Abandoned => s.incoming_abandoned += 1,
            Outcome::NotAnswered
            | Outcome::Busy
            | Outcome::Failed
            | Outcome::InProgress
            | Outcome::AgedOut => {}
        }
        if let Some(w) = f.wait_s {
            s.longest_wait_s = Some(s.longest_wait_s.map_or(w, |l| l.max(w)));
        }
    }
    if !answer_times.is_empty() {
        let n = answer_times.len();
        let sum: u64 = answer_times.iter().map(|&t| u64::from(t)).sum();
        s.avg_time_to_answer_s = Some(sum as f64 / n as f64);
        // Nearest rank without sorting them all.
        let rank = (n * 9).div_ceil(10) - 1;
        s.p90_time_to_answer_s = Some(*answer_times.select_nth_unstable(rank).1);
    }
    let judged = answered_waits + s.incoming_abandoned as usize;
    if judged > 0 {
        s.service_level_pct = Some(within as f64 * 100.0 / judged as f64);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Format;
    use crate::timeline::Ext;

    fn call(hour: u32, outcome: Outcome, tta: Option<u32>, number: &str) -> Call {
        let start = NaiveDateTime::parse_from_str(
            &format!("2026-11-20 {hour:02}:00:00"),
            "%Y-%m-%d %H:%M:%S",
        )
        .unwrap();
        let mut c = Call::empty("s".into(), Format::AppSuite, number.into(), start);
        c.direction = Ext::new("IN");
        c.outcome = outcome;
        c.time_to_answer_s = tta;
        c.number = number.into();
        if outcome == Outcome::Abandoned {
            c.end = Some(start + chrono::Duration::seconds(45));
        }
        c
    }

    #[test]
    fn answer_and_abandon_figures() {
        let mut calls: Vec<Call> = (1..=10)
            .map(|i| call(9, Outcome::Answered, Some(i * 5), "1"))
            .collect();
        calls.push(call(14, Outcome::Abandoned, None, "0612345678"));
        calls.push(call(8, Outcome::Abandoned, None, "0798765432"));
        calls.push(call(15, Outcome::InProgress, None, "3"));
        let s = stats(&calls, 20);
        assert_eq!(
            (s.calls, s.answered, s.abandoned, s.in_progress),
            (13, 10, 2, 1)
        );
        assert_eq!((s.per_hour[9], s.per_hour[14], s.per_hour[8]), (10, 1, 1));
        assert_eq!(s.avg_time_to_answer_s, Some(27.5));
        assert_eq!(s.p90_time_to_answer_s, Some(45));
        // 4 of 10 answered within 20 s, 2 abandoned: 4 / 12.
        let pct = s.service_level_pct.unwrap();
        assert!((pct - 100.0 / 3.0).abs() < 1e-9, "{pct}");
        assert_eq!(s.longest_wait_s, Some(50));
        let abandoned: Vec<&str> = calls
            .iter()
            .filter(|c| is_abandoned_caller(&CallFacts::of(c)))
            .map(|c| c.number.as_str())
            .collect();
        assert_eq!(abandoned, ["0612345678", "0798765432"]);
        assert_eq!(calls[10].wait_s(), Some(45));
    }

    #[test]
    fn outgoing_calls_count_but_are_nobody_s_wait() {
        let mut calls = vec![
            call(9, Outcome::Answered, Some(10), "1"),
            call(9, Outcome::Abandoned, None, "0612345678"),
        ];
        let mut out = call(10, Outcome::NotAnswered, None, "01611234567");
        out.direction = Ext::new("OUT");
        calls.push(out);
        let mut out = call(10, Outcome::Answered, Some(30), "01617654321");
        out.direction = Ext::new("OUT");
        calls.push(out);
        // Busy and failed incoming calls are nobody's wait either.
        calls.push(call(11, Outcome::Busy, None, "0612000001"));
        calls.push(call(11, Outcome::Failed, None, "0612000002"));
        let s = stats(&calls, 20);
        assert_eq!(
            (
                s.calls,
                s.answered,
                s.abandoned,
                s.not_answered,
                s.busy,
                s.failed
            ),
            (6, 2, 1, 1, 1, 1)
        );
        assert_eq!(
            (s.incoming, s.incoming_answered, s.incoming_abandoned),
            (4, 1, 1)
        );
        assert_eq!(s.avg_time_to_answer_s, Some(10.0));
        assert_eq!(s.longest_wait_s, Some(45));
        assert_eq!(s.service_level_pct, Some(50.0));
        let callers = calls.iter().map(CallFacts::of).filter(is_abandoned_caller);
        assert_eq!(callers.count(), 1);
    }

    #[test]
    fn no_calls_no_figures() {
        let s = stats(&[], 20);
        assert_eq!(s.calls, 0);
        assert_eq!(s.avg_time_to_answer_s, None);
        assert_eq!(s.service_level_pct, None);
        assert_eq!(s.service_level_s, 20);
    }
}
