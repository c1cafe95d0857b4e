use proptest::prelude::*;

use super::*;

proptest! {
    /// No input panics the import (the decoding core's own properties are in
    /// `protocol::proptests`).
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        items(&bytes, |_| {});
    }
}

/// Every input the fuzzers found a fault with (`fuzz/findings/`) imports into a store and a
/// call tracker without a panic, one record per unit.
#[test]
fn fuzz_findings_import_cleanly() {
    let mut files: Vec<_> = std::fs::read_dir("fuzz/findings")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for path in files {
        let data = std::fs::read(&path).unwrap();
        let mut units = 0;
        items(&data, |_| units += 1);
        let name: Arc<str> = "fuzz".into();
        let mut store = Store::new();
        let mut decoder = StreamDecoder::new(Default::default());
        into_store(&data, &name, &name, &mut decoder, &mut store, |_, _| {});
        assert_eq!(store.len(), units, "{}", path.display());
        let mut tracker = crate::timeline::CallTracker::new(chrono::Duration::minutes(240));
        for r in store.iter() {
            tracker.push_decoded(r.site(), &r.decode());
        }
    }
}

const FIXTURES: &str = "tests/fixtures/mitel5000";

/// Decodes `data` as `decode` does: (kind, date, text, problem) per item.
fn decode_all(data: &[u8]) -> Vec<(crate::protocol::Kind, String, String, Option<String>)> {
    let mut decoder = StreamDecoder::new(Default::default());
    let mut out = Vec::new();
    decode_each(data, &mut decoder, |_, d| {
        let problem = match &d.body {
            Body::Unparsed(why) => Some(why.clone()),
            _ => None,
        };
        let date = d.date.date.map(|d| d.to_string()).unwrap_or_default();
        out.push((d.kind(), date, d.text.to_string(), problem));
    });
    out
}

/// `cat login-*.bin socket-stream.bin`: a capture that recorded the login too.
#[test]
fn a_capture_that_starts_with_the_login_frame() {
    use crate::protocol::Kind;
    let stream = std::fs::read(format!("{FIXTURES}/socket-stream.bin")).unwrap();
    let plain = decode_all(&stream);
    for (login, shown) in [
        ("login-no-password.bin", "02 00 00 00 84 00"),
        (
            "login-password-12345678.bin",
            "0A 00 00 00 84 ** ** ** ** ** ** ** ** 00",
        ),
    ] {
        let mut data = std::fs::read(format!("{FIXTURES}/{login}")).unwrap();
        data.extend_from_slice(&stream);
        assert_eq!(sniff(&data), InputKind::Capture, "{login}");
        let got = decode_all(&data);
        assert_eq!(got.len(), plain.len() + 1);
        let (kind, _, text, problem) = &got[0];
        assert_eq!((*kind, text.as_str()), (Kind::Unparsed, shown));
        let problem = problem.as_deref().unwrap();
        assert!(
            problem.starts_with("the collector's login frame"),
            "{problem}"
        );
        assert!(!format!("{got:?}").contains("12345678"), "password shown");
        assert_eq!(got[1..], plain[..], "{login}");
        let calls: Vec<_> = got.iter().filter(|r| r.0 == Kind::Call).collect();
        assert_eq!(calls.len(), 6);
        assert!(calls.iter().all(|c| c.1 == "2012-07-03"), "{calls:?}");
    }
}

/// The reviewer's repro: header, four stray bytes reading as length 768, the title line,
/// two call records, then the end of the capture. Every line decodes.
#[test]
fn a_stray_length_in_a_capture_loses_no_record() {
    use crate::protocol::Kind;
    use crate::protocol::mitel5000::framer::encode_frame;
    let stream = std::fs::read(format!("{FIXTURES}/socket-stream.bin")).unwrap();
    let mut data = stream[..85].to_vec();
    data.extend_from_slice(&[0x00, 0x03, 0x00, 0x00]);
    data.extend_from_slice(&stream[85..170]);
    encode_frame(
        b"TLC 104   94151 952-474-1742                 08:52    S=226 $00.00              ",
        &mut data,
    );
    encode_frame(
        b"IN  110   94129 525530894016            0061 08:48      S=1 $00.00             *",
        &mut data,
    );
    assert_eq!(sniff(&data), InputKind::Capture);
    let got = decode_all(&data);
    let kinds: Vec<Kind> = got.iter().map(|r| r.0).collect();
    assert_eq!(
        kinds,
        [
            Kind::Header,
            Kind::Unparsed,
            Kind::Header,
            Kind::Call,
            Kind::Call
        ]
    );
    assert_eq!(got[1].2, "\0\u{3}\0\0");
    assert!(got[1].3.as_deref().unwrap().contains("length prefix 768"));
    assert_eq!((got[3].1.as_str(), &got[3].2[..3]), ("2012-07-03", "TLC"));
    assert_eq!((got[4].1.as_str(), &got[4].2[..3]), ("2012-07-03", "IN "));
}

#[test]
fn connection_logs_are_known_by_name() {
    for yes in [
        "logs/HQ/HQ.20261129.connection.log",
        "Head_office.20260101.connection.log",
        "a.b.20261129.connection.log",
    ] {
        assert!(is_connection_log(Path::new(yes)), "{yes}");
    }
    for no in [
        "logs/HQ/HQ.20261129.1.log",
        "HQ.2026112.connection.log",
        ".20261129.connection.log",
        "HQ.connection.log",
        "HQ.20261129.connection.log.bak",
    ] {
        assert!(!is_connection_log(Path::new(no)), "{no}");
    }
}

#[test]
fn refusals_say_what_happened() {
    let path = PathBuf::from("x/apt.log");
    let said = |why| {
        Refusal {
            path: path.clone(),
            why,
        }
        .to_string()
    };
    assert_eq!(
        said(Refused::NoSmdr),
        "no SMDR found in x/apt.log: not imported"
    );
    assert_eq!(
        said(Refused::ConnectionLog),
        "x/apt.log is a connection log, not SMDR"
    );
    assert_eq!(
        said(Refused::AlreadyOpen { changed: false }),
        "already open: x/apt.log"
    );
    assert!(said(Refused::AlreadyOpen { changed: true }).contains("it has changed since"));
}

#[test]
fn sniffing() {
    assert_eq!(sniff(b"\x05\0\0\0abc\r\n"), InputKind::Capture);
    assert_eq!(sniff(b"\x05\0\0\0abc\r\n\r\nR\0\0\0"), InputKind::Text);
    assert_eq!(sniff(b"R\0\0\0NET 1234"), InputKind::Text);
    assert_eq!(sniff(b""), InputKind::Text);
    // A stray byte or four between the first frames; a login frame first.
    assert_eq!(
        sniff(b"\x04\0\0\0ab\r\n\xff\x04\0\0\0cd\r\n"),
        InputKind::Capture
    );
    assert_eq!(
        sniff(b"\x02\0\0\0\x84\0\x04\0\0\0ab\r\n"),
        InputKind::Capture
    );
    assert_eq!(sniff(b"\xff\x04\0\0\0ab\r\n"), InputKind::Text);
}
