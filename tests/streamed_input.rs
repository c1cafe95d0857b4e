//! Input read a piece at a time (`import::items_from`, as `decode` and `calls` read files, so
//! that memory stays flat) gives the same items as the whole input at once (`import::items`,
//! as the window imports), wherever the pieces end: text logs, raw day logs, captures with a
//! login frame, stray bytes and a torn last frame.

use proptest::prelude::*;
use smdr_monitor::import::{Item, items, items_from};

/// Number, bytes, receipt time and problem of every item.
type Seen = Vec<(u64, Vec<u8>, Option<String>, Option<String>)>;

fn seen(out: &mut Seen) -> impl FnMut(Item<'_>) + '_ {
    |item| {
        out.push((
            item.number,
            item.bytes.to_vec(),
            item.received.map(|t| t.to_rfc3339()),
            item.problem,
        ))
    }
}

fn whole(data: &[u8]) -> Seen {
    let mut out = Seen::new();
    items(data, seen(&mut out));
    out
}

fn streamed(data: &[u8], chunk: usize) -> Seen {
    let mut out = Seen::new();
    items_from(data, chunk, seen(&mut out)).unwrap();
    out
}

/// The first item that differs, readably.
fn same(a: &Seen, b: &Seen) -> Result<(), String> {
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        if x != y {
            let show = |s: &(u64, Vec<u8>, Option<String>, Option<String>)| {
                format!(
                    "{} {:?} {:?} {:?}",
                    s.0,
                    String::from_utf8_lossy(&s.1),
                    s.2,
                    s.3
                )
            };
            return Err(format!("item {i}:\n  {}\n  {}", show(x), show(y)));
        }
    }
    if a.len() != b.len() {
        return Err(format!("{} items, not {}", a.len(), b.len()));
    }
    Ok(())
}

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!("tests/fixtures/{path}")).unwrap()
}

/// `piece` again and again to past `size` bytes (beyond the first read, which sniffs).
fn repeated(piece: &[u8], size: usize) -> Vec<u8> {
    let mut out = Vec::new();
    while out.len() < size {
        out.extend_from_slice(piece);
    }
    out
}

fn text_log() -> Vec<u8> {
    let mut piece = Vec::new();
    for f in [
        "appsuite/manual-examples-162.txt",
        "mivb/standard-90-synthetic.txt",
        "mitel5000/seed-debug-output.txt",
        "mitel5000/log-smdr-ps1.S1.1.txt",
    ] {
        piece.extend(fixture(f));
    }
    // Raw day log lines, blank lines, and one line longer than most pieces.
    piece.extend_from_slice(b"2026-11-22T14:02:11.123+01:00\t 02/04 13:31  00:00:00 T003  *** 94163759                  E                         000  \n\n  \r\n");
    piece.extend(vec![b'x'; 5000]);
    piece.push(b'\n');
    let mut data = repeated(&piece, 200_000);
    data.extend_from_slice(b"a last line with no line end");
    data
}

fn capture(login: bool) -> Vec<u8> {
    let mut data = if login {
        fixture("mitel5000/login-password-12345678.bin")
    } else {
        Vec::new()
    };
    data.extend(repeated(&fixture("mitel5000/socket-stream.bin"), 150_000));
    data
}

const CHUNKS: [usize; 6] = [1, 3, 100, 4096, 70_000, smdr_monitor::import::READ_CHUNK];

#[test]
fn text_and_raw_day_logs_in_any_pieces() {
    let data = text_log();
    let expected = whole(&data);
    assert!(expected.len() > 500, "{}", expected.len());
    assert!(expected.iter().any(|i| i.2.is_some()), "receipt times");
    assert_eq!(expected.last().unwrap().1, b"a last line with no line end");
    for chunk in CHUNKS {
        if let Err(e) = same(&streamed(&data, chunk), &expected) {
            panic!("pieces of {chunk} bytes: {e}");
        }
    }
}

#[test]
fn captures_in_any_pieces() {
    for login in [false, true] {
        let mut data = capture(login);
        // A stray length in the middle, and a torn frame at the end.
        data.splice(100_000..100_000, [0xffu8, 0x03, 0, 0, b'N']);
        data.extend_from_slice(&[0x50, 0, 0, 0, b'N', b'E', b'T']);
        let expected = whole(&data);
        assert!(expected.iter().filter(|i| i.3.is_some()).count() >= 2);
        assert_eq!(
            expected[0]
                .3
                .as_ref()
                .is_some_and(|p| p.contains("login frame")),
            login
        );
        for chunk in CHUNKS {
            if let Err(e) = same(&streamed(&data, chunk), &expected) {
                panic!("pieces of {chunk} bytes: {e}");
            }
        }
    }
}

#[test]
fn small_inputs_are_read_whole() {
    for data in [
        &b""[..],
        b"\n",
        &fixture("mitel5000/doc-example-frame.bin"),
        &fixture("mivb/standard-90-synthetic.txt"),
    ] {
        assert_eq!(streamed(data, 1), whole(data));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Stray bytes anywhere in a capture or a log, a long run of them somewhere, pieces of any
    /// size.
    #[test]
    fn stray_bytes_anywhere(
        capture_input in any::<bool>(),
        strays in proptest::collection::vec((0usize..200_000, any::<u8>()), 0..40),
        run in proptest::collection::vec(any::<u8>(), 0..6000),
        run_at in 0usize..200_000,
        chunk in 1usize..9000,
    ) {
        let mut data = if capture_input { capture(false) } else { text_log() };
        for (at, b) in strays {
            let at = at.min(data.len());
            data.insert(at, b);
        }
        let at = run_at.min(data.len());
        data.splice(at..at, run);
        let result = same(&streamed(&data, chunk), &whole(&data));
        prop_assert!(result.is_ok(), "{:?}", result);
    }
}
