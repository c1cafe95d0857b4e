//! The App Suite event parser over any line and any padding character: never a panic, and
//! every field it returns is a piece of the line (nothing invented, nothing copied).
#![no_main]

use libfuzzer_sys::fuzz_target;
use smdr_monitor::protocol::appsuite;

fn within(line: &str, field: &str) -> bool {
    let (l, f) = (line.as_ptr() as usize, field.as_ptr() as usize);
    field.is_empty() || (f >= l && f + field.len() <= l + line.len())
}

fuzz_target!(|input: &[u8]| {
    let Some((&pad, rest)) = input.split_first() else {
        return;
    };
    let padding = char::from(pad);
    let line = String::from_utf8_lossy(rest);
    let _ = appsuite::looks_like_event(&line);
    if let Ok(e) = appsuite::parse_event(&line, padding) {
        for f in [
            e.direction,
            e.call_id,
            e.trunk,
            e.extension,
            e.source_extension,
            e.number,
            e.contact_name,
            e.ddi,
            e.ddi_name,
            e.account_code,
            e.event,
        ] {
            assert!(within(&line, f), "{f:?} is not part of {line:?}");
        }
        assert_eq!(e.kind, appsuite::EventKind::from_name(e.event));
    }
});
