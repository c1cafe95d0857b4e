//! The 5000 framer over any bytes in any split: never a panic, never an allocation of a claimed
//! length, and the same frames, skipped bytes and pending tail however TCP cut the stream.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smdr_monitor::protocol::mitel5000::framer::{DEFAULT_MAX_FRAME, Frame, FrameDecoder};

#[derive(Debug, Default, PartialEq)]
struct Seen {
    frames: Vec<Vec<u8>>,
    skipped: Vec<u8>,
    pending: Vec<u8>,
}

fn feed(chunks: &[&[u8]]) -> Seen {
    let mut dec = FrameDecoder::default();
    let mut seen = Seen::default();
    for c in chunks {
        dec.push(c);
        while let Some(f) = dec.next_frame() {
            match f {
                Frame::Data(d) => {
                    assert!(d.len() >= 2 && d.len() <= DEFAULT_MAX_FRAME as usize);
                    assert!(d.ends_with(b"\r\n"));
                    seen.frames.push(d.to_vec());
                }
                Frame::Garbage { bytes, .. } => {
                    assert!(!bytes.is_empty(), "a skip must make progress");
                    seen.skipped.extend_from_slice(bytes);
                }
            }
        }
    }
    seen.pending = dec.pending().to_vec();
    seen
}

fuzz_target!(|input: &[u8]| {
    // The first byte picks the chunk size: a 1-byte drip up to whole 256-byte reads.
    let Some((&step, data)) = input.split_first() else {
        return;
    };
    let whole = feed(&[data]);
    let step = usize::from(step).max(1);
    let chunks: Vec<&[u8]> = data.chunks(step).collect();
    assert_eq!(feed(&chunks), whole);
    // Every byte is a frame (with its 4-byte prefix), skipped, or pending.
    let framed: usize = whole.frames.iter().map(|f| f.len() + 4).sum();
    assert_eq!(framed + whole.skipped.len() + whole.pending.len(), data.len());
});
