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

use crate::protocol::Incoming;
use crate::protocol::lines::{Line, LineBuffer, Lines};
use crate::protocol::mitel5000::framer::{
    DEFAULT_MAX_FRAME, Frame, FrameDecoder, payload_text, whole_frame_at,
};
use crate::protocol::mitel5000::login::leading_login;
use crate::protocol::mitel5000::masked_hex;
use crate::protocol::record::lossy;
use crate::protocol::{Body, Decoded, Format, StreamDecoder};
use crate::rawlog::split_receipt_time;
use crate::store::Store;

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
mod tests;
