//! Realistic, current-dated SMDR traffic, generated from a seed: pure (no I/O, no clock), so
//! the same seed and start always give the same lines. The server paces it over TCP; it can
//! also write a whole day to a file.
//!
//! Calls arrive at random (exponential gaps) and each produces its lines at the times they would
//! be sent: App Suite events as they happen, 5000 and MiVB records when the call ends. Lines of
//! overlapping calls interleave in time order, as on a real system.

mod appsuite;
mod mitel5000;
mod mivb;
mod scenario;

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};

use crate::site_url::Protocol;

pub use mitel5000::{TITLE_LINE, header as mitel5000_header};
pub use scenario::Scenario;

/// Which kind of SMDR to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrafficFormat {
    Mitel5000,
    AppSuite,
    Mivb,
}

impl TrafficFormat {
    pub fn for_protocol(p: Protocol) -> Self {
        match p {
            Protocol::Mitel5000 => Self::Mitel5000,
            Protocol::Appsuite | Protocol::AppsuitePush => Self::AppSuite,
            Protocol::Mivb => Self::Mivb,
        }
    }

    /// About how many lines one call produces (to turn a line rate into a call rate).
    fn lines_per_call(self) -> f64 {
        match self {
            Self::Mitel5000 => 1.2,
            Self::AppSuite => 4.8,
            Self::Mivb => 1.0,
        }
    }

    fn call(
        self,
        rng: &mut fastrand::Rng,
        start: NaiveDateTime,
        trunks: &mut mitel5000::Trunks,
        out: &mut Vec<Line>,
    ) {
        match self {
            Self::Mitel5000 => mitel5000::call(rng, start, trunks, out),
            Self::AppSuite => appsuite::call(rng, start, out),
            Self::Mivb => mivb::call(rng, start, out),
        }
    }
}

/// One generated line: when it is sent, and its text (without line end or framing).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Line {
    pub at: NaiveDateTime,
    pub text: String,
}

/// Lines per second when no rate is given: a quiet office.
pub const DEFAULT_RATE: f64 = 0.5;

pub struct Generator {
    format: TrafficFormat,
    rng: fastrand::Rng,
    start: NaiveDateTime,
    next_call: NaiveDateTime,
    mean_gap_s: f64,
    /// Lines of calls already generated, earliest first (ties in generation order).
    queue: BinaryHeap<Reverse<(NaiveDateTime, u64, String)>>,
    seq: u64,
    /// The day of the last line (a 5000 sends a header when the day changes).
    day: NaiveDate,
    scratch: Vec<Line>,
    /// The 5000's trunks: one call at a time on each.
    trunks: mitel5000::Trunks,
}

impl Generator {
    pub fn new(format: TrafficFormat, seed: u64, start: NaiveDateTime) -> Self {
        Self::with_rate(format, seed, start, DEFAULT_RATE)
    }

    /// About `lines_per_second` lines on average (a 1,000,000-event App Suite day is 11.6/s).
    pub fn with_rate(
        format: TrafficFormat,
        seed: u64,
        start: NaiveDateTime,
        lines_per_second: f64,
    ) -> Self {
        let rate = if lines_per_second.is_finite() {
            lines_per_second.max(1e-4)
        } else {
            DEFAULT_RATE
        };
        let mean_gap_s = format.lines_per_call() / rate;
        // Start generating earlier so calls are already in progress at `start` (a 5000 record
        // comes only when its call ends): up to half an hour, at most about 2000 calls.
        let warm_up = (mean_gap_s * 2000.0).min(1800.0);
        Self {
            format,
            rng: fastrand::Rng::with_seed(seed),
            start,
            next_call: start - TimeDelta::milliseconds((warm_up * 1000.0) as i64),
            mean_gap_s,
            queue: BinaryHeap::new(),
            seq: 0,
            day: start.date(),
            scratch: Vec::new(),
            trunks: mitel5000::Trunks::for_rate(rate / format.lines_per_call()),
        }
    }

    pub fn format(&self) -> TrafficFormat {
        self.format
    }

    /// The next line in time order (never before `start`).
    pub fn next_line(&mut self) -> Line {
        loop {
            let first = self.queue.peek().map(|Reverse((at, ..))| *at);
            match first {
                Some(at) if at <= self.next_call => {
                    let Some(Reverse((at, seq, text))) = self.queue.pop() else {
                        continue;
                    };
                    if at < self.start {
                        continue;
                    }
                    if self.format == TrafficFormat::Mitel5000 && at.date() != self.day {
                        self.day = at.date();
                        self.queue.push(Reverse((at, seq, text)));
                        return Line {
                            at,
                            text: mitel5000::header(at),
                        };
                    }
                    return Line { at, text };
                }
                _ => self.generate_call(),
            }
        }
    }

    /// Adds lines of its own (a [`Scenario`]'s) to the traffic, each sent in time order among
    /// the generated ones; lines before the start are never sent.
    pub fn inject(&mut self, lines: impl IntoIterator<Item = Line>) {
        for line in lines {
            self.seq += 1;
            self.queue.push(Reverse((line.at, self.seq, line.text)));
        }
    }

    /// Appends the next `n` lines.
    pub fn next_lines(&mut self, n: usize, out: &mut Vec<Line>) {
        out.reserve(n);
        for _ in 0..n {
            out.push(self.next_line());
        }
    }

    fn generate_call(&mut self) {
        let mut lines = std::mem::take(&mut self.scratch);
        self.format
            .call(&mut self.rng, self.next_call, &mut self.trunks, &mut lines);
        // An event stream joined half-way shows calls without their first events (a call seen
        // only hanging up looks abandoned): App Suite traffic starts with calls that start.
        if self.format == TrafficFormat::AppSuite && self.next_call < self.start {
            lines.clear();
        }
        for line in lines.drain(..) {
            self.seq += 1;
            self.queue.push(Reverse((line.at, self.seq, line.text)));
        }
        self.scratch = lines;
        let gap = -self.mean_gap_s * (1.0 - self.rng.f64()).ln();
        self.next_call += TimeDelta::milliseconds((gap * 1000.0).max(1.0) as i64);
    }
}

/// A duration in seconds: exponential around `mean`, kept within `min..=max`.
fn secs(rng: &mut fastrand::Rng, mean: f64, min: i64, max: i64) -> i64 {
    let x = -mean * (1.0 - rng.f64()).ln();
    (x as i64).clamp(min, max)
}

fn digits(rng: &mut fastrand::Rng, n: usize) -> String {
    (0..n).map(|_| rng.digit(10)).collect()
}

fn pick<T: Copy>(rng: &mut fastrand::Rng, items: &[T]) -> T {
    items[rng.usize(..items.len())]
}

fn after(t: NaiveDateTime, s: i64) -> NaiveDateTime {
    t + TimeDelta::seconds(s)
}

#[cfg(test)]
mod tests;
