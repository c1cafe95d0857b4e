//! The MiVoice Business parser over any line: never a panic, fields are pieces of the line,
//! and the numbers it decodes are in range.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smdr_monitor::protocol::mivb;

fn within(line: &str, field: &str) -> bool {
    let (l, f) = (line.as_ptr() as usize, field.as_ptr() as usize);
    field.is_empty() || (f >= l && f + field.len() <= l + line.len())
}

fuzz_target!(|input: &[u8]| {
    let line = String::from_utf8_lossy(input);
    let _ = mivb::looks_like_record(&line);
    if let Ok(r) = mivb::parse_record(&line) {
        assert!((1..=12).contains(&r.month) && (1..=31).contains(&r.day));
        let optional = [r.ani, r.dnis, r.call_id, r.call_sequence, r.associated_call_id];
        for f in [
            r.long_call,
            r.calling_party,
            r.digits,
            r.completion,
            r.speed_forward,
            r.called_party,
            r.transfer_flag,
            r.third_party,
            r.account_code,
            r.system_id,
        ]
        .into_iter()
        .chain(optional.into_iter().flatten())
        {
            assert!(within(&line, f), "{f:?} is not part of {line:?}");
        }
    }
});
