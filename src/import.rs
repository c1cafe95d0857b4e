//! Reading saved SMDR from files: binary socket captures (5000 length-prefixed frames), text
//! logs (one record per line, including the seed script's `R   `/`Q   ` logs with NULs), and
//! the project's own raw day logs (`<RFC 3339 receipt time>\t<record text>`), whose receipt
//! times then date the records. Saved data takes the same road as live data: framer, decoder.

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use chrono::{DateTime, FixedOffset};

use std::borrow::Cow;

use crate::protocol::lines::{Line, LineBuffer, Lines};
use crate::protocol::mitel5000::framer::{
    DEFAULT_MAX_FRAME, Frame, FrameDecoder, payload_text, whole_frame_at,
};
use crate::protocol::mitel5000::login::leading_login;
use crate::protocol::mitel5000::masked_hex;
use crate::protocol::record::lossy;
use crate::protocol::{Body, Decoded, Format, StreamDecoder};
use crate::store::{Incoming, Store};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// Length-prefixed 5000 frames as the socket sends them.
    Capture,
    /// Text lines.
    Text,
}

/// How far past a frame the next one may start for a capture still to be recognised: stray
/// bytes between frames happen, and the framer skips them.
const SNIFF_JUNK: usize = 16;

/// A capture is a run of whole, valid frames (a sane little-endian length, one line ending in
/// CR LF), after a login frame if the capture recorded what the collector sent. The first
/// three frames are checked: a seed-script log starts with `Q\0\0\0`, which reads as one valid
/// frame. The first must start the data (or follow the login); the others may follow a few
/// stray bytes.
pub fn sniff(data: &[u8]) -> InputKind {
    let login = leading_login(data).map_or(0, |(len, _)| len);
    if login > 0 && login == data.len() {
        return InputKind::Capture;
    }
    let Some(first) = whole_frame_at(&data[login..], DEFAULT_MAX_FRAME) else {
        return InputKind::Text;
    };
    let mut at = login + first;
    for _ in 0..2 {
        if at == data.len() {
            break;
        }
        let next = (0..=SNIFF_JUNK).find_map(|skip| {
            let rest = data.get(at + skip..)?;
            whole_frame_at(rest, DEFAULT_MAX_FRAME).map(|len| skip + len)
        });
        match next {
            Some(len) => at += len,
            None => return InputKind::Text,
        }
    }
    InputKind::Capture
}

/// Why a capture's leading login frame is not a record, without its password.
fn login_words(password_len: usize) -> String {
    let password = match password_len {
        0 => "no password".to_string(),
        1 => "a 1-character password, masked".to_string(),
        n => format!("a {n}-character password, masked"),
    };
    format!(
        "the collector's login frame (sent to the PBX: command 0x84, {password}): the capture's handshake, not a record"
    )
}

/// One unit of input: the bytes of one record, where it was, and when it was received.
pub struct Item<'a> {
    /// 1-based line number for text, frame number for captures.
    pub number: u64,
    pub bytes: &'a [u8],
    pub received: Option<DateTime<FixedOffset>>,
    /// Set for bytes the framer had to skip: why they are not a record.
    pub problem: Option<String>,
}

/// Splits input into record items, in order. Text splits into lines exactly as a socket does
/// (`protocol::lines`): blank lines are skipped, an over-long one is a problem item.
pub fn items(data: &[u8], mut f: impl FnMut(Item<'_>)) {
    match sniff(data) {
        InputKind::Capture => {
            let mut capture = CaptureItems::default();
            let login = capture.login(data, &mut f);
            let mut framer = FrameDecoder::default();
            framer.push(&data[login..]);
            capture.frames(&mut framer, &mut f);
            capture.end(&mut framer, &mut f);
        }
        InputKind::Text => {
            for line in Lines::new(data) {
                text_item(line, &mut f);
            }
        }
    }
}

/// A line of a text input as an item.
#[inline]
fn text_item(line: Line<'_>, f: &mut impl FnMut(Item<'_>)) {
    let (received, bytes) = match line.problem {
        None => split_receipt_time(line.bytes),
        Some(_) => (None, line.bytes),
    };
    f(Item {
        number: line.number,
        bytes,
        received,
        problem: line.problem.map(|p| p.to_string()),
    });
}

/// The items of a capture, numbered as its framer cuts them.
#[derive(Default)]
struct CaptureItems {
    number: u64,
}

impl CaptureItems {
    /// The collector's login frame at the start, if the capture has it, as an item; returns
    /// its length.
    fn login(&mut self, data: &[u8], f: &mut impl FnMut(Item<'_>)) -> usize {
        let Some((len, password_len)) = leading_login(data) else {
            return 0;
        };
        // Shown as masked hex: the password must never reach an output.
        let shown = masked_hex(&data[..len]);
        self.number += 1;
        f(Item {
            number: self.number,
            bytes: shown.as_bytes(),
            received: None,
            problem: Some(login_words(password_len)),
        });
        len
    }

    /// Every whole frame (or skipped run) the framer holds.
    fn frames(&mut self, framer: &mut FrameDecoder, f: &mut impl FnMut(Item<'_>)) {
        while let Some(frame) = framer.next_frame() {
            self.frame(frame, f);
        }
    }

    /// [`Self::frames`] for a capture read a piece at a time. The framer skips stray bytes up
    /// to where a frame could start, and near the end of what it holds it cannot tell yet:
    /// a skipped run that ends there is held and joined with the run that follows it, if one
    /// does, so that runs come out as they do from the whole capture at once.
    fn frames_streamed(
        &mut self,
        framer: &mut FrameDecoder,
        held: &mut Option<(Vec<u8>, String)>,
        eof: bool,
        f: &mut impl FnMut(Item<'_>),
    ) {
        // Past this many bytes a frame can be told from stray bytes.
        const UNDECIDED: usize = DEFAULT_MAX_FRAME as usize + 4;
        loop {
            let before = framer.pending().len();
            let Some(frame) = framer.next_frame() else {
                return;
            };
            match (frame, held.take()) {
                (Frame::Garbage { bytes, reason }, held_run)
                    if !eof && before - bytes.len() < UNDECIDED =>
                {
                    *held = Some(match held_run {
                        Some((mut run, why)) => {
                            run.extend_from_slice(bytes);
                            (run, why)
                        }
                        None => (bytes.to_vec(), reason.to_string()),
                    });
                }
                (Frame::Garbage { bytes, .. }, Some((mut run, why))) => {
                    run.extend_from_slice(bytes);
                    self.garbage(&run, why, f);
                }
                (frame, held_run) => {
                    if let Some((run, why)) = held_run {
                        self.garbage(&run, why, f);
                    }
                    self.frame(frame, f);
                }
            }
        }
    }

    fn garbage(&mut self, bytes: &[u8], reason: String, f: &mut impl FnMut(Item<'_>)) {
        self.number += 1;
        f(Item {
            number: self.number,
            bytes,
            received: None,
            problem: Some(reason),
        });
    }

    fn frame(&mut self, frame: Frame<'_>, f: &mut impl FnMut(Item<'_>)) {
        match frame {
            Frame::Data(payload) => {
                self.number += 1;
                f(Item {
                    number: self.number,
                    bytes: payload_text(payload),
                    received: None,
                    problem: None,
                });
            }
            Frame::Garbage { bytes, reason } => self.garbage(bytes, reason.to_string(), f),
        }
    }

    /// The end of the capture: whole frames behind an unfinished one still count.
    fn end(&mut self, framer: &mut FrameDecoder, f: &mut impl FnMut(Item<'_>)) {
        while let Some(frame) = framer.next_frame_at_end() {
            self.frame(frame, f);
        }
        let rest = framer.pending();
        if !rest.is_empty() {
            let problem = format!(
                "capture ends inside a frame: {} bytes of an incomplete frame",
                rest.len()
            );
            f(Item {
                number: self.number + 1,
                bytes: rest,
                received: None,
                problem: Some(problem),
            });
        }
    }
}

/// How much of a stream is read at a time by [`items_from`].
pub const READ_CHUNK: usize = 1 << 20;

/// What [`sniff`] needs to see: a login and three frames of at most 1,024 bytes, with junk.
const SNIFF_BYTES: usize = 64 * 1024;

/// [`items`] for input read from `reader` a piece at a time (`chunk` bytes), so that memory
/// stays the same whatever the input's size: the same items, in the same order, as [`items`]
/// gives for all of the bytes at once.
pub fn items_from(
    mut reader: impl Read,
    chunk: usize,
    mut f: impl FnMut(Item<'_>),
) -> io::Result<()> {
    let mut buf = vec![0u8; chunk.max(SNIFF_BYTES)];
    let (mut filled, mut eof) = read_full(&mut reader, &mut buf)?;
    if eof {
        items(&buf[..filled], f);
        return Ok(());
    }
    let chunk = chunk.max(1);
    match sniff(&buf[..filled]) {
        InputKind::Capture => {
            let mut capture = CaptureItems::default();
            let login = capture.login(&buf[..filled], &mut f);
            let mut framer = FrameDecoder::default();
            framer.push(&buf[login..filled]);
            let mut held = None;
            loop {
                capture.frames_streamed(&mut framer, &mut held, eof, &mut f);
                if eof {
                    break;
                }
                let room = chunk.min(buf.len());
                (filled, eof) = read_full(&mut reader, &mut buf[..room])?;
                framer.push(&buf[..filled]);
            }
            if let Some((bytes, reason)) = held {
                capture.garbage(&bytes, reason, &mut f);
            }
            capture.end(&mut framer, &mut f);
        }
        InputKind::Text => {
            // The same splitter as a whole input and a socket, fed a piece at a time.
            let mut lines = LineBuffer::default();
            lines.push(&buf[..filled]);
            drop(buf);
            loop {
                while let Some(line) = lines.next_line() {
                    text_item(line, &mut f);
                }
                if lines.read_from(&mut reader, chunk)? == 0 {
                    break;
                }
            }
            while let Some(line) = lines.next_line_at_end() {
                text_item(line, &mut f);
            }
        }
    }
    Ok(())
}

/// Reads until `buf` is full or the input ends: (bytes read, the input ended).
fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<(usize, bool)> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => return Ok((filled, true)),
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok((filled, false))
}

/// A raw-day-log line: `2026-11-22T14:02:11.123+01:00<TAB>text`. Other lines have no time.
pub fn split_receipt_time(line: &[u8]) -> (Option<DateTime<FixedOffset>>, &[u8]) {
    // RFC 3339 with offset is 20 to 35 bytes; look for the tab only near the start.
    let Some(tab) = memchr::memchr(b'\t', &line[..line.len().min(40)]) else {
        return (None, line);
    };
    let stamp = std::str::from_utf8(&line[..tab]).ok();
    match stamp.and_then(|s| DateTime::parse_from_rfc3339(s).ok()) {
        Some(t) => (Some(t), &line[tab + 1..]),
        None => (None, line),
    }
}

/// Decodes all of `data` into `store`, in order, without an owned copy per record. `after_each`
/// sees the store and the input bytes consumed so far after every record (for batching and
/// progress).
pub fn into_store(
    data: &[u8],
    origin: &Arc<str>,
    site: &Arc<str>,
    decoder: &mut StreamDecoder,
    store: &mut Store,
    mut after_each: impl FnMut(&mut Store, u64),
) {
    each_incoming(data, origin, site, decoder, |incoming, consumed| {
        store.push_incoming(incoming);
        after_each(store, consumed);
    });
}

/// Decodes all of `data` in order and hands each record to `f` as the store takes it (borrowed,
/// nothing owned per record), with the input bytes consumed so far. Line numbers are the
/// input's own (1-based lines, or frame numbers for captures).
pub fn each_incoming(
    data: &[u8],
    origin: &Arc<str>,
    site: &Arc<str>,
    decoder: &mut StreamDecoder,
    mut f: impl FnMut(&Incoming<'_>, u64),
) {
    let mut consumed = 0u64;
    items(data, |item| {
        let padding = decoder.padding();
        // The line end or length prefix is not in the item: near enough for progress.
        consumed += item.bytes.len() as u64 + 2;
        let mut push = |decoded: &Decoded<'_>, exact: bool| {
            f(
                &Incoming {
                    site,
                    origin,
                    line: item.number,
                    received: item.received,
                    padding,
                    bytes: (!exact).then_some(item.bytes),
                    decoded,
                    problem: item.problem.as_deref(),
                },
                consumed,
            );
        };
        match &item.problem {
            Some(reason) => {
                let text = lossy(item.bytes);
                let exact = matches!(text, Cow::Borrowed(_));
                let decoded = Decoded {
                    format: Format::Mitel5000,
                    text: &text,
                    date: Default::default(),
                    body: Body::Unparsed(reason.clone()),
                };
                push(&decoded, exact);
            }
            None => decoder.decode_bytes(item.bytes, item.received, push),
        }
    });
}

/// Decodes all of `data` without building owned records (the CLI's fast path).
pub fn decode_each(data: &[u8], decoder: &mut StreamDecoder, mut f: impl FnMut(u64, &Decoded<'_>)) {
    items(data, |item| decode_item(item, decoder, &mut f));
}

fn decode_item(item: Item<'_>, decoder: &mut StreamDecoder, f: &mut impl FnMut(u64, &Decoded<'_>)) {
    match item.problem {
        Some(reason) => {
            let text = lossy(item.bytes);
            let d = Decoded {
                format: Format::Mitel5000,
                text: &text,
                date: Default::default(),
                body: Body::Unparsed(reason),
            };
            f(item.number, &d);
        }
        None => decoder.decode_bytes(item.bytes, item.received, |d, _| f(item.number, d)),
    }
}

/// [`decode_each`] for input read from `reader` a piece at a time ([`items_from`]).
pub fn decode_reader(
    reader: impl Read,
    decoder: &mut StreamDecoder,
    mut f: impl FnMut(u64, &Decoded<'_>),
) -> io::Result<()> {
    items_from(reader, READ_CHUNK, |item| {
        decode_item(item, decoder, &mut f)
    })
}

/// A raw day log's companion, `<site>.<YYYYMMDD>.connection.log` (see `collect::daylog`): what
/// the collector did, not records.
pub fn is_connection_log(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let Some(stem) = name.strip_suffix(".connection.log") else {
        return false;
    };
    stem.rsplit_once('.').is_some_and(|(site, day)| {
        !site.is_empty() && day.len() == 8 && day.bytes().all(|b| b.is_ascii_digit())
    })
}

/// Which file a path names: its canonical path, and its size and modification time to tell
/// whether it changed since it was opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileId {
    pub canonical: PathBuf,
    pub len: u64,
    pub modified: Option<SystemTime>,
}

impl FileId {
    pub fn of(path: &Path) -> io::Result<Self> {
        let canonical = std::fs::canonicalize(path)?;
        let meta = std::fs::metadata(&canonical)?;
        Ok(Self {
            canonical,
            len: meta.len(),
            modified: meta.modified().ok(),
        })
    }

    /// The same file, unchanged since `self` was taken.
    pub fn unchanged(&self, now: &FileId) -> bool {
        self.canonical == now.canonical && self.len == now.len && self.modified == now.modified
    }
}

/// Why a file was not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// It is open already (`changed`: it grew or changed since).
    AlreadyOpen { changed: bool },
    /// A connection log: the collector's own notes, not records.
    ConnectionLog,
    /// Not one line of it is SMDR (an unrelated log, say).
    NoSmdr,
}

/// A file not imported, and why, in words a technician reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub path: PathBuf,
    pub why: Refused,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let file = self.path.display();
        match self.why {
            Refused::AlreadyOpen { changed: false } => write!(f, "already open: {file}"),
            Refused::AlreadyOpen { changed: true } => write!(
                f,
                "already open: {file} (it has changed since: close it under File › Imported files and open it again to read it anew)"
            ),
            Refused::ConnectionLog => write!(f, "{file} is a connection log, not SMDR"),
            Refused::NoSmdr => write!(f, "no SMDR found in {file}: not imported"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipt_time_prefix() {
        let (t, rest) = split_receipt_time(b"2026-11-22T00:10:00.250+01:00\tNET 1234");
        assert_eq!(t.unwrap().to_rfc3339(), "2026-11-22T00:10:00.250+01:00");
        assert_eq!(rest, b"NET 1234");
        let (t, rest) = split_receipt_time(b"NET\t1234");
        assert!(t.is_none());
        assert_eq!(rest, b"NET\t1234");
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
}
