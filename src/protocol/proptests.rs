//! Properties of the decoding core over arbitrary input: any split of a stream gives the same
//! frames, no input panics, and absurd length prefixes never allocate.

use proptest::prelude::*;

use super::mitel5000::framer::{Frame, FrameDecoder};
use super::record::decode_as;
use super::{DecodeOptions, Format, StreamDecoder, appsuite, mitel5000, mivb};

const STREAM: &str = "tests/fixtures/mitel5000/socket-stream.bin";

/// Frames (data and skipped runs) from feeding `chunks` one by one.
fn frames(chunks: &[&[u8]]) -> Vec<Result<Vec<u8>, Vec<u8>>> {
    let mut dec = FrameDecoder::default();
    let mut out = Vec::new();
    for c in chunks {
        dec.push(c);
        while let Some(f) = dec.next_frame() {
            out.push(match f {
                Frame::Data(d) => Ok(d.to_vec()),
                Frame::Garbage { bytes, .. } => Err(bytes.to_vec()),
            });
        }
    }
    out
}

/// Cuts `data` at the given points (taken modulo its length, sorted).
fn split<'a>(data: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut at: Vec<usize> = cuts.iter().map(|c| c % (data.len() + 1)).collect();
    at.sort_unstable();
    let mut out = Vec::new();
    let mut prev = 0;
    for c in at {
        out.push(&data[prev..c]);
        prev = c;
    }
    out.push(&data[prev..]);
    out
}

/// 1 to 8 stray bytes: random, or a length of 1 to 1024 and up to 4 more. A length that makes
/// its stray bytes and the next frame exactly one frame is left out: those bytes are a valid
/// frame, indistinguishable from one the PBX sent.
fn stray() -> impl Strategy<Value = Vec<u8>> {
    let random = proptest::collection::vec(any::<u8>(), 1..=8);
    let length = (1u32..=1024, proptest::collection::vec(any::<u8>(), 0..=4))
        .prop_filter("covers the next frame exactly", |(len, tail)| {
            !matches!(*len as usize - tail.len().min(*len as usize), 85 | 86)
        })
        .prop_map(|(len, tail)| [&len.to_le_bytes()[..], &tail].concat());
    prop_oneof![random, length]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_split_of_the_socket_stream_gives_the_same_frames(
        cuts in proptest::collection::vec(any::<usize>(), 0..40)
    ) {
        let data = std::fs::read(STREAM).unwrap();
        let whole = frames(&[&data]);
        prop_assert_eq!(whole.len(), 8);
        prop_assert!(whole.iter().all(Result::is_ok));
        prop_assert_eq!(frames(&split(&data, &cuts)), whole);
    }

    #[test]
    fn garbage_between_frames_is_reported_and_the_frames_survive(
        junk in proptest::collection::vec(any::<u8>(), 1..64),
        cuts in proptest::collection::vec(any::<usize>(), 0..10)
    ) {
        let data = std::fs::read(STREAM).unwrap();
        let mut wire = data[..85].to_vec();
        wire.extend_from_slice(&junk);
        wire.extend_from_slice(&data[85..]);
        let got = frames(&split(&wire, &cuts));
        let good: Vec<_> = got.iter().filter_map(|f| f.as_ref().ok()).collect();
        // Junk can look like a frame by chance, but every real frame after it is recovered.
        prop_assert!(good.len() >= 8 - 1, "{} frames", good.len());
        prop_assert_eq!(good.last().map(|f| f.len()), Some(82));
        let skipped: usize = got.iter().filter_map(|f| f.as_ref().err()).map(Vec::len).sum();
        let kept: usize = got.iter().filter_map(|f| f.as_ref().ok()).map(|f| f.len() + 4).sum();
        prop_assert!(skipped + kept <= wire.len());
    }

    /// A few stray bytes (1 to 8) between frames cost no real frame, in any split: each comes
    /// out whole, in order. Half the strays start with a believable length (e.g. `00 03 00 00`,
    /// 768), the case that used to hold back every frame behind it.
    #[test]
    fn a_few_stray_bytes_between_frames_lose_no_real_frame(
        strays in proptest::collection::vec(proptest::option::weighted(0.3, stray()), 9),
        cuts in proptest::collection::vec(any::<usize>(), 0..10)
    ) {
        let data = std::fs::read(STREAM).unwrap();
        let real: Vec<Vec<u8>> = frames(&[&data]).into_iter().map(Result::unwrap).collect();
        prop_assert_eq!(real.len(), 8);
        let mut wire = Vec::new();
        for (i, junk) in strays.iter().enumerate() {
            if let Some(junk) = junk {
                wire.extend_from_slice(junk);
            }
            if let Some(frame) = real.get(i) {
                wire.extend_from_slice(&(frame.len() as u32).to_le_bytes());
                wire.extend_from_slice(frame);
            }
        }
        let got = frames(&split(&wire, &cuts));
        let mut good = got.iter().filter_map(|f| f.as_ref().ok());
        // Stray bytes may by chance make a frame of their own, never one that eats a real one.
        for frame in &real {
            prop_assert!(good.any(|g| g == frame), "lost {:?}", String::from_utf8_lossy(frame));
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        frames(&[&bytes]);
        let text = String::from_utf8_lossy(&bytes);
        let _ = mitel5000::record::parse_line(&text);
        let _ = appsuite::parse_event(&text, '0');
        let _ = mivb::parse_record(&text);
        let mut s = StreamDecoder::new(DecodeOptions::default());
        for line in text.split('\n') {
            let _ = s.decode(line, None);
        }
    }

    #[test]
    fn lines_shaped_like_records_never_panic(
        prefix in "(R\0\0\0|Q   |)",
        body in "[ -~]{0,100}",
        tail in "[\u{0}-\u{ff}]{0,10}",
    ) {
        let line = format!("{prefix}{body}{tail}");
        let mut s = StreamDecoder::new(DecodeOptions::default());
        let _ = s.decode(&line, None);
    }

    /// Detection keeps a 5000 record's START and ELAPSED for the parse: a line the stream
    /// decodes reads as it does on its own, whatever its times look like.
    #[test]
    fn a_detected_5000_record_reads_as_it_does_alone(
        head in "[A-Z/ ]{3} [0-9 ]{5} [0-9 ]{5} [0-9 ]{28}",
        start in "[0-9]{2}:[0-9]{2}|[ -~]{5}",
        elapsed in "[0-9]{2}:[0-9]{2}:[0-9]{2}|S=[0-9 ]{6}|[0-9 ]{3}[0-9]{2}:[0-9]{2}|[ -~]{8}",
        tail in " [ -~]{6} [ -~]{12}[* ]",
    ) {
        let line = format!("{head} {start} {elapsed}{tail}");
        let d = StreamDecoder::new(DecodeOptions::default()).decode(&line, None);
        if d.format == Format::Mitel5000 {
            prop_assert_eq!(&d.body, &decode_as(Format::Mitel5000, d.text, '0'), "{}", line);
        }
    }

    #[test]
    fn huge_length_prefixes_error_without_allocating(len in 1025u32.., rest in proptest::collection::vec(any::<u8>(), 0..32)) {
        let mut wire = len.to_le_bytes().to_vec();
        wire.extend_from_slice(&rest);
        let got = frames(&[&wire]);
        prop_assert!(matches!(got.first(), Some(Err(_))));
    }
}

#[test]
fn the_largest_length_prefix_is_an_error() {
    let mut dec = FrameDecoder::default();
    dec.push(&[0xFF, 0xFF, 0xFF, 0xFF, b'x', b'y']);
    match dec.next_frame() {
        Some(Frame::Garbage { reason, .. }) => assert!(reason.to_string().contains("4294967295")),
        other => panic!("{other:?}"),
    }
}
