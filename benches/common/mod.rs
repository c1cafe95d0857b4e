//! What the benchmarks share: traffic from the simulator's seeded generator (the same seed and
//! size always give the same bytes, so `decode.py` reads what the Rust benchmarks decode), the
//! size of a run (`cargo bench` measures; `cargo test` only checks that each benchmark runs, on
//! small inputs), and the road records take into the store and the call tracker.

// Each bench target uses a part of this module.
#![allow(dead_code)]

use std::sync::Arc;

use chrono::NaiveDate;
use smdr_monitor::import;
use smdr_monitor::protocol::mitel5000::framer::encode_frame;
use smdr_monitor::protocol::{DecodeOptions, StreamDecoder};
use smdr_monitor::sim::{Generator, TrafficFormat};
use smdr_monitor::store::{RowId, Store};
use smdr_monitor::timeline::CallTracker;

/// `cargo bench` passes `--bench`; `cargo test --all-targets` runs bench targets without it.
pub fn benchmarking() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// `full` when benchmarking, `small` under `cargo test`.
pub fn size(full: usize, small: usize) -> usize {
    if benchmarking() { full } else { small }
}

/// Lines per second of a busy site: a 1,000,000-event App Suite day.
pub const BUSY_RATE: f64 = 1_000_000.0 / 86_400.0;

/// The generator of a day's traffic, from midnight.
pub fn generator(format: TrafficFormat, seed: u64) -> Generator {
    let start = NaiveDate::from_ymd_opt(2026, 11, 27)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default();
    Generator::with_rate(format, seed, start, BUSY_RATE)
}

/// `n` lines as they arrive: length-prefixed frames for the 5000, CR LF lines otherwise.
pub fn traffic(format: TrafficFormat, n: usize, seed: u64) -> Vec<u8> {
    let mut g = generator(format, seed);
    let mut out = Vec::with_capacity(n * 166);
    for _ in 0..n {
        push_line(format, &g.next_line().text, &mut out);
    }
    out
}

/// One line as it arrives: a length-prefixed frame for the 5000, a CR LF line otherwise.
pub fn push_line(format: TrafficFormat, text: &str, out: &mut Vec<u8>) {
    if format == TrafficFormat::Mitel5000 {
        encode_frame(text.as_bytes(), out);
    } else {
        out.extend_from_slice(text.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
}

/// The seeds of the decode samples (also what `day --write-samples` writes).
pub const SAMPLES: [(TrafficFormat, &str, u64); 3] = [
    (TrafficFormat::Mitel5000, "mitel5000.bin", 5000),
    (TrafficFormat::AppSuite, "appsuite.txt", 2007),
    (TrafficFormat::Mivb, "mivb.txt", 1752),
];

/// Records per decode sample: about 10 MB each when benchmarking.
pub fn sample_records() -> usize {
    size(100_000, 300)
}

/// Decoding as the window's import does it, with a fixed "today" (MiVB years).
pub fn options() -> DecodeOptions {
    DecodeOptions {
        today: NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default(),
        ..DecodeOptions::default()
    }
}

/// Imports `data` into a new store, as the window's import job does.
pub fn store_of(data: &[u8], name: &str) -> Store {
    let name: Arc<str> = name.into();
    let mut store = Store::new();
    let mut decoder = StreamDecoder::new(options());
    import::into_store(data, &name, &name, &mut decoder, &mut store, |_, _| {});
    store
}

/// Every record of `store` given to a call tracker, as the window does.
pub fn track(store: &Store, tracker: &mut CallTracker) {
    for id in 0..store.len() {
        if let Some(r) = store.get(id as RowId) {
            tracker.push_decoded(r.site(), &r.decode());
        }
    }
}

/// The window's tracker settings (age out after 4 hours).
pub fn tracker() -> CallTracker {
    CallTracker::new(chrono::Duration::minutes(240))
}
