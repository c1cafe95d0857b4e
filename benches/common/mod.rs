//! What the benchmarks share: seeded, realistic SMDR traffic for each format ([`traffic`]; the same
//! seed and size always give the same bytes, so `decode.py` reads what the Rust benchmarks
//! decode), the size of a run (`cargo bench` measures; `cargo test` only checks that each
//! benchmark runs, on small inputs), and the road records take into the store and calls.

// Each bench target uses a part of this module.
#![allow(dead_code)]

pub mod traffic;

use std::sync::Arc;

use chrono::NaiveDate;
use smdr_monitor::import;
use smdr_monitor::protocol::{DecodeOptions, StreamDecoder};
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
