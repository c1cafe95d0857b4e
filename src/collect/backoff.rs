//! How long to wait before the next connection attempt: doubling from about a second up to a
//! minute, with jitter so many sites (or many collectors) do not retry in step.

use std::time::Duration;

pub const FIRST: Duration = Duration::from_secs(1);
pub const MAX: Duration = Duration::from_secs(60);

#[derive(Debug)]
pub struct Backoff {
    attempt: u32,
    rng: fastrand::Rng,
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new(fastrand::Rng::new())
    }
}

impl Backoff {
    pub fn new(rng: fastrand::Rng) -> Self {
        Self { attempt: 0, rng }
    }

    /// The next wait: 1 s, 2 s, 4 s … 60 s, each ±20 %.
    pub fn next_delay(&mut self) -> Duration {
        let base = FIRST.saturating_mul(1 << self.attempt.min(6)).min(MAX);
        self.attempt = self.attempt.saturating_add(1);
        base.mul_f64(0.8 + 0.4 * self.rng.f64()).min(MAX)
    }

    /// A connection delivered data: the next failure starts again from about a second.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_caps_and_resets() {
        let mut b = Backoff::new(fastrand::Rng::with_seed(7));
        let waits: Vec<Duration> = (0..10).map(|_| b.next_delay()).collect();
        assert!(waits[0] >= Duration::from_millis(800) && waits[0] <= Duration::from_millis(1200));
        assert!(waits[1] >= Duration::from_millis(1600) && waits[1] <= Duration::from_millis(2400));
        assert!(waits.iter().all(|w| *w <= MAX));
        assert!(waits[9] >= Duration::from_secs(48));
        b.reset();
        assert!(b.next_delay() <= Duration::from_millis(1200));
    }
}
