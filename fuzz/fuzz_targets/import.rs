//! Importing any file (text log, raw day log, seed-script log or 5000 capture) into the store
//! and the call tracker, as the window does: never a panic, every input unit becomes exactly
//! one stored record, and each stored record reads back the text it was given.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use smdr_monitor::import;
use smdr_monitor::protocol::{DecodeOptions, StreamDecoder};
use smdr_monitor::store::{RowId, Store};
use smdr_monitor::timeline::CallTracker;

fuzz_target!(|data: &[u8]| {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default();
    let options = DecodeOptions {
        today,
        ..DecodeOptions::default()
    };
    let mut units = 0u64;
    import::items(data, |_| units += 1);

    let name: Arc<str> = "fuzz".into();
    let mut store = Store::new();
    let mut decoder = StreamDecoder::new(options.clone());
    import::into_store(data, &name, &name, &mut decoder, &mut store, |_, _| {});
    assert_eq!(store.len() as u64, units);

    let mut texts = Vec::new();
    import::decode_each(data, &mut StreamDecoder::new(options), |_, d| {
        texts.push(d.text.to_string());
    });
    assert_eq!(texts.len() as u64, units);

    let mut tracker = CallTracker::new(chrono::Duration::minutes(240));
    for (id, text) in texts.iter().enumerate() {
        let r = store.get(id as RowId).expect("every unit is stored");
        assert_eq!(r.text(), text.as_str());
        let d = r.decode();
        assert_eq!(d.kind(), r.kind());
        tracker.push_decoded(r.site(), &d);
    }
    if let Some(last) = tracker.calls().iter().map(|c| c.last_event_at()).max() {
        tracker.age_out(last);
    }
});
